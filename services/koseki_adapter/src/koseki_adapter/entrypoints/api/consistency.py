"""Operator routes: 整合性確認 of the 戸籍附票 — run one (admin), list the results (admin, auditor).

A check compares what the adapter last sent and the 戸籍附票システム accepted, per person, with the
附票 it holds; it reports person keys and item names, and never changes data.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from jumin_platform.access_logging import access_context
from jumin_platform.adapter_runtime import ward_now
from jumin_platform.consistency.api import MismatchOut
from jumin_platform.problems import PROBLEM_RESPONSES
from pydantic import BaseModel, Field

from koseki_adapter.entrypoints.api.dependencies import AdapterDep, Admin, Reader

router = APIRouter(prefix="/operator", tags=["koseki consistency"], responses=PROBLEM_RESPONSES)

Limit = Annotated[int, Query(ge=1, le=1000, description="最大件数 (at most this many)")]


class ConsistencyOut(BaseModel):
    """整合性確認の結果: people and item names, never values."""

    id: int
    started_at: datetime
    finished_at: datetime
    operator: str = Field(description="who ran it (`scheduler`: the schedule)")
    checked: int = Field(description="people whose latest accepted notice was compared")
    fuhyo_records: int = Field(description="附票 records the 戸籍附票システム holds (with a code)")
    missing_at_fuhyo: list[str] = Field(description="person keys the 附票 holds nothing for")
    unknown_at_fuhyo: int = Field(
        description="附票 records the adapter never sent (counted: no non-personal reference)"
    )
    mismatched: list[MismatchOut] = Field(description="people whose 附票 differs, and the items")

    def people(self) -> list[str]:
        """The person keys the result names (処理対象者 of the access log)."""
        return [*self.missing_at_fuhyo, *(m.person_key for m in self.mismatched)]


@router.post("/consistency-checks", status_code=201, response_model=ConsistencyOut)
async def run_consistency_check(http: Request, adapter: AdapterDep, staff: Admin) -> ConsistencyOut:
    """整合性確認: compare the 附票 with each person's latest accepted notice (names only)."""
    result = await adapter.consistency_check(staff.user_id, ward_now())
    checked = ConsistencyOut.model_validate({**result, "operator": staff.user_id})
    access_context(http).touch(*checked.people())
    return checked


@router.get("/consistency-checks", response_model=list[ConsistencyOut])
async def list_consistency_checks(
    http: Request, adapter: AdapterDep, _: Reader, limit: Limit = 20
) -> list[ConsistencyOut]:
    """Past 整合性確認 results, newest first."""
    async with adapter.uow() as unit:
        found = await unit.checks.latest(limit)
    checks = [ConsistencyOut.model_validate(row) for row in found]
    access_context(http).touch(*(key for check in checks for key in check.people()))
    return checks
