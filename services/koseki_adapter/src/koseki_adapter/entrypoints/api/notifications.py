"""Operator route: the 戸籍 side's notices taken in (取込の記録) and the commands they became."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from jumin_platform.inbound.api import NotificationOut
from jumin_platform.problems import PROBLEM_RESPONSES

from koseki_adapter.entrypoints.api.dependencies import AdapterDep, Reader

router = APIRouter(prefix="/operator", tags=["koseki inbound"], responses=PROBLEM_RESPONSES)

Limit = Annotated[int, Query(ge=1, le=1000, description="最大件数 (at most this many)")]


@router.get("/notifications", response_model=list[NotificationOut])
async def list_notifications(
    adapter: AdapterDep,
    _: Reader,
    outcome: Literal["published", "ignored", "invalid"] | None = None,
    limit: Limit = 100,
) -> list[NotificationOut]:
    """戸籍附票システムから取り込んだ通知 (住民票記載事項通知, 戸籍照合通知, 本籍転属通知) and the
    registry commands they became, newest first (ids, types, outcomes; no contents)."""
    async with adapter.uow() as unit:
        found = await unit.inbound.taken_in(outcome, limit)
    return [NotificationOut.of(taken) for taken in found]
