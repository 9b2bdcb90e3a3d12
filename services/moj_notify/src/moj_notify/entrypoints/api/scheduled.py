"""Operator routes: the schedule of notices (送信予定) — what waits, until when, behind what
(admin, auditor); put a refused notice back or withdraw one (admin).

Listings carry ids, types, dates and replies (codes), never the notices' contents.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request
from jumin_platform.access_logging import access_context
from jumin_platform.deliveries.api_models import NO_NUL, Reason
from jumin_platform.problems import PROBLEM_RESPONSES
from pydantic import BaseModel, ConfigDict, Field

from moj_notify.adapters.schedule import ScheduleFilter
from moj_notify.domain.schedule import ScheduledNotice, Waiting
from moj_notify.entrypoints.api.dependencies import Admin, Reader, ServiceDep
from moj_notify.service_layer import scheduled

router = APIRouter(prefix="/operator", tags=["moj schedule"], responses=PROBLEM_RESPONSES)

Limit = Annotated[int, Query(ge=1, le=1000, description="最大件数 (at most this many)")]
NoticeId = Annotated[int, Path(ge=1, le=2**63 - 1, description="送信予定の番号")]
Status = Literal["pending", "sent", "held", "refused", "withdrawn"]


class ScheduledOut(BaseModel):
    """送信予定: one notice, where it stands and what it waits for (its items are not listed)."""

    id: int
    event_id: UUID
    type: str = Field(
        description="municipal_notice (市町村通知) | municipal_transmission (市町村伝達)"
    )
    person_key: str
    seq: int = Field(description="the event's per-person sequence number")
    change_kind: str = Field(description="異動事由")
    not_before: date | None = Field(description="送信可能日: the 異動日 (ward date), waited for")
    status: str = Field(description="pending | sent | held | refused | withdrawn")
    waiting_for: Waiting = Field(description="what a pending or refused notice waits for")
    behind: int | None = Field(description="the person's earlier notice it waits behind")
    attempts: int = Field(description="transmissions not answered so far")
    next_attempt_at: datetime | None
    last_reply: str | None = Field(description="the ministry's last answer (codes only)")
    delivery_id: int | None = Field(description="the delivery record of its transmission")
    received_at: datetime
    done_at: datetime | None
    operator: str | None
    note: str | None

    @classmethod
    def of(cls, view: scheduled.ScheduledView) -> ScheduledOut:
        n = view.notice
        return cls(
            **_fields(n), status=n.status.value, waiting_for=view.waiting_for, behind=view.behind
        )


class ActionIn(BaseModel):
    """The operator's reason (recorded with the notice)."""

    model_config = ConfigDict(extra="forbid")
    reason: Reason


def _fields(n: ScheduledNotice) -> dict[str, object]:
    names = set(ScheduledOut.model_fields) - {"status", "waiting_for", "behind"}
    return {name: getattr(n, name) for name in names}


@router.get("/scheduled", response_model=list[ScheduledOut])
async def list_scheduled(
    http: Request,
    service: ServiceDep,
    _: Reader,
    status: Status | None = None,
    person_key: Annotated[str | None, Query(max_length=128, pattern=NO_NUL)] = None,
    limit: Limit = 100,
) -> list[ScheduledOut]:
    """送信予定の一覧, newest first: held notices (転出予定日), retries, refusals and what
    each waits for."""
    wanted = ScheduleFilter(status=status, person_key=person_key, limit=limit)
    found = await scheduled.list_scheduled(service.uow, wanted, now=service.clock())
    access_context(http).touch(*{v.notice.person_key for v in found})
    return [ScheduledOut.of(view) for view in found]


@router.post("/scheduled/{notice_id}/retry", response_model=ScheduledOut)
async def retry_refused(
    http: Request, notice_id: NoticeId, body: ActionIn, service: ServiceDep, staff: Admin
) -> ScheduledOut:
    """Put a refused notice back on the schedule (sent again under a new key, in its turn)."""
    notice = await scheduled.retry_refused(
        service.uow, notice_id=notice_id, operator=staff.user_id, reason=body.reason
    )
    return _answer(http, service, notice)


@router.post("/scheduled/{notice_id}/withdraw", response_model=ScheduledOut)
async def withdraw(
    http: Request, notice_id: NoticeId, body: ActionIn, service: ServiceDep, staff: Admin
) -> ScheduledOut:
    """Take a pending or refused notice off the schedule: it is never sent (取下げ); the person's
    later notices go on."""
    notice = await scheduled.withdraw(
        service.uow, notice_id=notice_id, operator=staff.user_id, reason=body.reason
    )
    return _answer(http, service, notice)


def _answer(http: Request, service: ServiceDep, notice: ScheduledNotice) -> ScheduledOut:
    service.dispatcher.wake()
    access_context(http).touch(notice.person_key)
    waits = Waiting.DONE if notice.status.value != "pending" else Waiting.NOTHING
    return ScheduledOut.of(scheduled.ScheduledView(notice, waits, None))
