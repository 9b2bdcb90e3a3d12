"""The CS operator API of its own (spec 7.1.1.2): 整合性確認 and the answers taken in.

The delivery record's routes (送信一覧, 再送信, 手動連携, held messages; spec 7.1.1.1) are the
platform's `deliveries_router`, mounted by the app. Reads need the admin or auditor role,
actions the admin role. Results carry person keys and field names, never values.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from jumin_platform.access_logging import access_context
from jumin_platform.adapter_runtime import ward_now
from jumin_platform.deliveries.api import Limit
from jumin_platform.problems import PROBLEM_RESPONSES

from cs_adapter.entrypoints.api.dependencies import AdapterDep, Admin, Reader
from cs_adapter.entrypoints.api.schemas import ConsistencyOut, NotificationOut
from cs_adapter.service_layer import consistency

router = APIRouter(prefix="/operator", tags=["cs operator"], responses=PROBLEM_RESPONSES)


@router.post("/consistency-checks", status_code=201, response_model=ConsistencyOut)
async def run_consistency_check(http: Request, adapter: AdapterDep, staff: Admin) -> ConsistencyOut:
    """整合性確認: compare CS's 本人確認情報 with the registry's latest (names and fields only)."""
    result = await consistency.run_check(
        adapter.uow,
        adapter.cs,
        adapter.vault,
        operator=staff.user_id,
        started_at=ward_now(),
        page=adapter.settings.consistency_page_size,
    )
    checked = ConsistencyOut.model_validate(result)
    access_context(http).touch(*_reported(checked))
    return checked


@router.get("/consistency-checks", response_model=list[ConsistencyOut])
async def list_consistency_checks(
    http: Request, adapter: AdapterDep, _: Reader, limit: Limit = 20
) -> list[ConsistencyOut]:
    """Past 整合性確認 results, newest first."""
    async with adapter.uow() as unit:
        found = await unit.checks.latest(limit)
    checks = [ConsistencyOut.model_validate(row) for row in found]
    access_context(http).touch(*(key for check in checks for key in _reported(check)))
    return checks


@router.get("/notifications", response_model=list[NotificationOut])
async def list_notifications(
    adapter: AdapterDep,
    _: Reader,
    outcome: Literal["published", "ignored", "invalid"] | None = None,
    limit: Limit = 100,
) -> list[NotificationOut]:
    """CSから取り込んだ通知 and the commands they became, newest first."""
    async with adapter.uow() as unit:
        found = await unit.inbound.taken_in(outcome, limit)
    return [NotificationOut.of(taken) for taken in found]


def _reported(check: ConsistencyOut) -> list[str]:
    """The person keys a 整合性確認 result names."""
    return [*check.missing_at_cs, *(m.person_key for m in check.mismatched)]
