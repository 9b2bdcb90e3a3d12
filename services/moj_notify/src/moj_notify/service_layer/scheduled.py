"""The operator's use cases on the schedule (送信予定): see what waits and for what, put a
refused notice back (再送信, under a new key) or take a notice off the schedule (取下げ).

Both actions run under the person's lock and clear the block the refusal set; the caller wakes
the dispatcher afterwards. The inbound side's error 処理結果 set blocks of their own (source
`result`), cleared where they are handled.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime

from jumin_platform.deliveries import NothingFound, OperatorRefusal

from moj_notify.adapters.schedule import ScheduleFilter
from moj_notify.domain.schedule import Head, NoticeStatus, ScheduledNotice, Waiting, waiting_for
from moj_notify.service_layer.unit_of_work import UnitOfWork, UnitsOfWork

__all__ = ["ScheduledView", "list_scheduled", "retry_refused", "withdraw"]

logger = logging.getLogger("moj_notify.scheduled")


@dataclass(frozen=True)
class ScheduledView:
    """A notice on the schedule, what it waits for, and behind which notice (if any)."""

    notice: ScheduledNotice
    waiting_for: Waiting
    behind: int | None


class NotRefused(OperatorRefusal):
    """Only a refused notice can be put back."""

    def __init__(self, notice_id: int) -> None:
        super().__init__(
            f"送信予定 {notice_id} は拒否されていないため再送信できません。 "
            f"(Scheduled notice {notice_id} was not refused: nothing to retry.)"
        )


class NotOpen(OperatorRefusal):
    """Only a pending or refused notice can be withdrawn."""

    def __init__(self, notice_id: int) -> None:
        super().__init__(
            f"送信予定 {notice_id} は送信済み等のため取り下げられません。 "
            f"(Scheduled notice {notice_id} is no longer pending or refused.)"
        )


async def list_scheduled(
    uow: UnitsOfWork, wanted: ScheduleFilter, *, now: datetime
) -> list[ScheduledView]:
    """Return the chosen notices, newest first, each with what it waits for."""
    async with uow() as unit:
        found = await unit.schedule.find(wanted)
        heads = {n.person_key: await _head(unit, n.person_key) for n in found}
    return [_view(notice, heads[notice.person_key], now) for notice in found]


async def _head(unit: UnitOfWork, person_key: str) -> Head | None:
    head = await unit.schedule.first_open(person_key)
    if head is None:
        return None
    return Head(head, blocked=bool(await unit.blocks.open_of(person_key)))


def _view(notice: ScheduledNotice, head: Head | None, now: datetime) -> ScheduledView:
    if notice.status not in (NoticeStatus.PENDING, NoticeStatus.REFUSED) or head is None:
        return ScheduledView(notice, Waiting.DONE, None)
    if head.notice.id != notice.id:
        return ScheduledView(notice, Waiting.EARLIER_NOTICE, head.notice.id)
    return ScheduledView(notice, waiting_for(head, now), None)


async def retry_refused(
    uow: UnitsOfWork, *, notice_id: int, operator: str, reason: str
) -> ScheduledNotice:
    """Put a refused notice back on the schedule under a new key; clear its block."""
    async with uow() as unit:
        notice = await _locked(unit, notice_id)
        if not await unit.schedule.retry(
            notice_id, key=uuid.uuid4(), operator=operator, note=reason
        ):
            raise NotRefused(notice_id)
        await unit.blocks.clear_of_notice(
            notice_id, source="refusal", operator=operator, note=reason
        )
        changed = await unit.schedule.get(notice.id)
        await unit.commit()
    logger.warning("operator %s put refused notice %s back", operator, notice_id)
    assert changed is not None
    return changed


async def withdraw(
    uow: UnitsOfWork, *, notice_id: int, operator: str, reason: str
) -> ScheduledNotice:
    """Take a pending or refused notice off the schedule (not sent); clear its block."""
    async with uow() as unit:
        notice = await _locked(unit, notice_id)
        if not await unit.schedule.withdraw(notice_id, operator=operator, note=reason):
            raise NotOpen(notice_id)
        await unit.blocks.clear_of_notice(
            notice_id, source="refusal", operator=operator, note=reason
        )
        changed = await unit.schedule.get(notice.id)
        await unit.commit()
    logger.warning("operator %s withdrew scheduled notice %s", operator, notice_id)
    assert changed is not None
    return changed


async def _locked(unit: UnitOfWork, notice_id: int) -> ScheduledNotice:
    """Return the notice with its person locked (the dispatcher may be sending it)."""
    notice = await unit.schedule.get(notice_id)
    if notice is None:
        raise NothingFound(
            f"該当する送信予定がありません: {notice_id} (No such scheduled notice: {notice_id}.)"
        )
    await unit.deliveries.lock_person(notice.person_key)
    return notice
