"""Send what the schedule says is due, in order per person (the dispatcher loop).

The loop sleeps until woken (a commit that scheduled something NOTIFYs; an operator action calls
`wake`) or until the next notice falls due (a 転出予定日, a retry time), at most `idle_wake` (the
safety net: a NOTIFY lost with its connection costs that much delay, never a notice).
Each pass reads the people's first open notices a page at a time without tracing (an idle pass
leaves no span) and sends the due ones, each under its event's trace, then looks again: a
person's next notice becomes due as soon as the one before it went.

One notice is sent in one transaction under the person's lock: the ministry's answer and the
record (提供・移転の記録) commit together. Accepted → `sent`; no answer (503, timeout, lost reply)
→ tried again later under the same key (the ministry replays what it stored: never twice);
refused (400/409/422) → `refused`, and the person waits for the operator. In 手動連携, or behind
the person's held messages, the notice goes to the delivery record as held instead (released or
handed over there).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from jumin_platform.db import Listen
from jumin_platform.deliveries import (
    STATUS_OF,
    DeliveryStatus,
    NewDelivery,
    Outgoing,
    PlainKeeping,
    Reply,
    ReplyClass,
    Transmitter,
    new_record,
    should_hold,
)
from jumin_platform.telemetry import context_from, untraced
from opentelemetry import trace

from moj_notify.adapters.schedule import WAKE_CHANNEL
from moj_notify.domain.schedule import Head, ScheduledNotice, plan, retry_delay
from moj_notify.service_layer.unit_of_work import UnitOfWork, UnitsOfWork

__all__ = ["Clock", "Dispatcher"]

logger = logging.getLogger("moj_notify.dispatch")
tracer = trace.get_tracer("moj_notify.dispatch")

Clock = Callable[[], datetime]
"""The current time (aware); tests and training move it."""

PAGE = 200


@dataclass
class Dispatcher:
    """Send due notices; `run` is the service's loop, `dispatch_due` one pass of it."""

    uow: UnitsOfWork
    sender: Transmitter
    clock: Clock
    listen: Listen | None = None  # LISTEN for the schedule's NOTIFY (None: woken by calls only)
    retry_first: float = 1.0
    retry_most: float = 300.0
    idle_wake: float = 30.0
    reachable: bool | None = None  # did the last transmission reach the ministry?
    _woken: asyncio.Event = field(default_factory=asyncio.Event)

    def wake(self) -> None:
        """Look at the schedule now (something was added, released or unblocked)."""
        self._woken.set()

    async def run(self) -> None:
        """Dispatch until cancelled; a failure is logged and the loop starts again after a pause
        (the database away: nothing is lost, the schedule is in it)."""
        while True:
            try:
                async with self._listening():
                    await self._loop()
            except Exception as exc:
                logger.warning("dispatching failed: %s", type(exc).__name__)
                await asyncio.sleep(self.retry_first)

    def _listening(self) -> contextlib.AbstractAsyncContextManager[None]:
        if self.listen is None:
            return contextlib.nullcontext()
        return self.listen(WAKE_CHANNEL, lambda *_: self.wake())

    async def _loop(self) -> None:
        while True:
            self._woken.clear()
            await self._sleep_until(await self.dispatch_due())

    async def dispatch_due(self) -> datetime | None:
        """Send everything due now; return when the next waiting notice falls due."""
        while True:
            due, wake_at = await self._plan()
            if not due:
                return wake_at
            for notice in due:
                await self.send(notice)

    async def _plan(self) -> tuple[list[ScheduledNotice], datetime | None]:
        due: list[ScheduledNotice] = []
        wakes: list[datetime] = []
        after = 0
        with untraced():
            while True:
                heads = await self._heads(after)
                page = plan(heads, self.clock())
                due += page.due
                wakes += [page.wake_at] if page.wake_at else []
                if len(heads) < PAGE:
                    return due, min(wakes, default=None)
                after = heads[-1].notice.id

    async def _heads(self, after: int) -> list[Head]:
        async with self.uow() as unit:
            return await unit.schedule.heads(after_id=after, limit=PAGE)

    async def send(self, notice: ScheduledNotice) -> None:
        """Send (or hold) one notice under its event's trace, if it is still the person's due
        head, and record the outcome."""
        with tracer.start_as_current_span(
            f"moj send {notice.type}",
            context=context_from(notice.traceparent),
            attributes={"jumin.event_id": str(notice.event_id), "jumin.notice_id": notice.id},
        ):
            async with self.uow() as unit:
                await unit.deliveries.lock_person(notice.person_key)
                head = await unit.schedule.head_of(notice.person_key)
                if head is None or head.id != notice.id or head.status != notice.status:
                    return  # an operator or another pass moved it meanwhile
                if await self._hold(unit, head):
                    await unit.commit()
                    return
                await self._transmit(unit, head)
                await unit.commit()

    async def _hold(self, unit: UnitOfWork, notice: ScheduledNotice) -> bool:
        """In 手動連携 (or behind the person's held messages) put the notice in the record as
        held; return whether it was."""
        hold = should_hold(
            manual_mode=await unit.deliveries.manual_mode(),
            person_has_held=await unit.deliveries.has_held(notice.person_key),
        )
        if hold:
            record = await unit.deliveries.add(_record(notice, DeliveryStatus.HELD))
            await unit.schedule.held(notice.id, delivery_id=record.id)
            logger.info("notice %s held (manual hand-over)", notice.id)
        return hold

    async def _transmit(self, unit: UnitOfWork, notice: ScheduledNotice) -> None:
        message = Outgoing(notice.type, notice.body)
        reply = await self.sender.send(
            message, event_id=notice.event_id, key=notice.idempotency_key
        )
        self.reachable = reply.status is not None
        record = await unit.deliveries.add(_record(notice, STATUS_OF[reply.kind], reply))
        described = reply.describe()
        if reply.kind is ReplyClass.ACCEPTED:
            await unit.schedule.sent(notice.id, delivery_id=record.id, reply=described)
            logger.info("notice %s %s sent: %s", notice.id, notice.type, reply.receipt_no)
        elif reply.kind is ReplyClass.TRANSIENT:
            wait = retry_delay(notice.attempts + 1, first=self.retry_first, most=self.retry_most)
            await unit.schedule.unanswered(notice.id, retry_at=self.clock() + wait, reply=described)
            logger.warning("notice %s not answered (%s): again in %s", notice.id, described, wait)
        else:
            await unit.schedule.refused(notice.id, delivery_id=record.id, reply=described)
            await unit.blocks.add(
                notice.person_key,
                source="refusal",
                reason=f"{notice.type}: {described}",
                notice_id=notice.id,
                delivery_id=record.id,
            )
            logger.warning("notice %s refused: %s", notice.id, described)

    async def _sleep_until(self, wake_at: datetime | None) -> None:
        seconds = self.idle_wake
        if wake_at is not None:
            seconds = min(seconds, max((wake_at - self.clock()).total_seconds(), 0.0))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._woken.wait(), timeout=seconds)


def _record(
    notice: ScheduledNotice, status: DeliveryStatus, reply: Reply | None = None
) -> NewDelivery:
    return new_record(
        PlainKeeping(),
        Outgoing(notice.type, notice.body),
        event_id=notice.event_id,
        key=notice.idempotency_key,
        person_key=notice.person_key,
        seq=notice.seq,
        status=status,
        reply=reply,
    )
