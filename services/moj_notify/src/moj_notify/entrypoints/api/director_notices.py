"""Operator routes: the 長官通知 taken in (住基法30条の50) and the hand imports.

- `GET /operator/director-notices` (admin, auditor): every one taken in, with its status and the
  command it became (its pending change at the registry: maker `system:moj`).
- `GET /operator/director-notices/not-imported` (admin, auditor): every one not yet imported,
  whatever its date — 特別永住者 (by hand) and those that did not fit.
- `GET /operator/director-notices/{id}` (admin): one, with the notice as received.
- `POST /operator/director-notices/{id}/imported` (admin): staff imported it by hand (reason).
"""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query
from jumin_platform.deliveries import NothingFound, OperatorRefusal
from jumin_platform.problems import PROBLEM_RESPONSES

from moj_notify.entrypoints.api.dependencies import Admin, Reader, ServiceDep
from moj_notify.entrypoints.api.worklist_models import (
    DirectorNoticeOut,
    DirectorNoticeSummaryOut,
    HandleIn,
)
from moj_notify.service_layer import director_notices

router = APIRouter(prefix="/operator", tags=["moj director notices"], responses=PROBLEM_RESPONSES)

Limit = Annotated[int, Query(ge=1, le=1000, description="最大件数 (at most this many)")]
Status = Literal["published", "by_hand", "invalid", "imported_by_hand"]


@router.get("/director-notices", response_model=list[DirectorNoticeSummaryOut])
async def list_director_notices(
    service: ServiceDep, _: Reader, status: Status | None = None, limit: Limit = 100
) -> list[DirectorNoticeSummaryOut]:
    """取り込んだ長官通知, oldest first (numbers, kinds, dates; no contents)."""
    async with service.uow() as unit:
        rows = await unit.director_notices.listed((status,) if status else None, limit)
    return [DirectorNoticeSummaryOut.model_validate(row) for row in rows]


@router.get("/director-notices/not-imported", response_model=list[DirectorNoticeSummaryOut])
async def list_not_imported(
    service: ServiceDep, _: Reader, limit: Limit = 1000
) -> list[DirectorNoticeSummaryOut]:
    """未取込の長官通知: every one not imported, whatever its date (oldest first)."""
    rows = await director_notices.not_imported(service.uow, limit)
    return [DirectorNoticeSummaryOut.model_validate(row) for row in rows]


@router.get("/director-notices/{notification_id}", response_model=DirectorNoticeOut)
async def view_director_notice(
    service: ServiceDep, _: Admin, notification_id: UUID
) -> DirectorNoticeOut:
    """One 長官通知 with its contents (for the staff who import it by hand)."""
    async with service.uow() as unit:
        row = await unit.director_notices.one(notification_id)
    if row is None:
        raise NothingFound(_NONE.format(id=notification_id))
    return DirectorNoticeOut.model_validate(row)


@router.post("/director-notices/{notification_id}/imported", response_model=DirectorNoticeOut)
async def mark_imported(
    service: ServiceDep, staff: Admin, notification_id: UUID, body: HandleIn
) -> DirectorNoticeOut:
    """手動で取り込んだ: the notice leaves the not-imported list."""
    async with service.uow() as unit:
        row = await unit.director_notices.one(notification_id)
    if row is None:
        raise NothingFound(_NONE.format(id=notification_id))
    try:
        await director_notices.mark_imported(
            service.uow, notification_id, operator=staff.user_id, reason=body.reason
        )
    except director_notices.NoticeNotWaiting as exc:
        raise OperatorRefusal(_NOT_WAITING.format(status=row["status"])) from exc
    async with service.uow() as unit:
        row = await unit.director_notices.one(notification_id)
    return DirectorNoticeOut.model_validate(row)


_NONE = "該当する長官通知がありません: {id} (No such director notice.)"
_NOT_WAITING = (
    "この長官通知は手動取込の対象ではありません ({status})。 "
    "(Only a notice waiting for a hand import can be marked imported; this one is {status}.)"
)
