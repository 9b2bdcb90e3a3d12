"""Take an external system's notifications in as registry commands (CS, 戸籍附票システム).

Poll the feed after the stored cursor; publish each notification's command (with confirms) under
the trace that caused it, record what it became, then move the cursor — record and cursor in one
transaction. A crash between publish and cursor publishes the same command again: its id derives
from the notification, and the registry applies a command id once. A notification the adapter
keeps in records of its own (`Kept`) publishes nothing: `on_taken` records it in that same
transaction, so it is taken in exactly once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Generic, Protocol, Self, TypeVar

from jumin_contracts.commands import RegistryCommand
from opentelemetry import trace

from jumin_platform.inbound.notifications import Kept, Notification, Skipped
from jumin_platform.inbound.store import TakenIn
from jumin_platform.telemetry import context_from, current_trace_id, untraced

__all__ = ["InboundRecords", "InboundUnit", "NotificationPoller", "Plan", "ToCommand"]

logger = logging.getLogger("jumin_platform.inbound")
tracer = trace.get_tracer("jumin_platform.inbound")

PAGE = 100
"""Notifications fetched per poll; a full page is followed at once by the next."""


class InboundRecords(Protocol):
    """The cursor and the record of notifications taken in (`InboundStore`, or a fake)."""

    async def cursor(self) -> int: ...
    async def set_cursor(self, cursor: int) -> None: ...
    async def add(self, taken: TakenIn) -> None: ...


class InboundUnit(Protocol):
    """A unit of work (one transaction) exposing the inbound records as `inbound`."""

    @property
    def inbound(self) -> InboundRecords: ...
    async def commit(self) -> None: ...
    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


Plan = RegistryCommand | Kept | Skipped
"""What a notification becomes: a command to publish, the adapter's own record, or nothing."""


class ToCommand(Protocol):
    """The adapter's pure mapping: the command a notification asks for, or why there is none."""

    def __call__(self, notification: Notification, *, now: datetime) -> Plan: ...


U = TypeVar("U", bound=InboundUnit)


@dataclass(kw_only=True)
class NotificationPoller(Generic[U]):
    """Fetch, publish and record notifications in cursor order, until cancelled."""

    source: str
    """The system polled, for span names and logs (`cs`, `koseki`)."""
    uow: Callable[[], U]
    fetch: Callable[[int, int], Awaitable[Sequence[Notification]]]
    """Fetch (after cursor, at most limit) notifications; raises `unavailable` when it cannot."""
    to_command: ToCommand
    publish: Callable[[RegistryCommand], Awaitable[None]]
    unavailable: type[Exception]
    interval: float
    clock: Callable[[], datetime]
    on_published: Callable[[U, Notification, RegistryCommand], Awaitable[None]] | None = None
    """What else the adapter records with a published command (same transaction as the cursor)."""
    on_taken: Callable[[U, Notification, Plan], Awaitable[None]] | None = None
    """What the adapter records of every notification taken in (same transaction as the cursor)."""
    page: int = PAGE
    reachable: bool | None = None
    """Whether the last poll reached the system (None: not polled yet); shown on /readyz."""

    async def run(self) -> None:
        """Poll forever; a failure is logged and the next poll tries again."""
        while True:
            try:
                taken = await self.poll_once()
                self.reachable = True
            except self.unavailable as exc:
                self.reachable = False
                logger.warning("%s notifications unavailable: %s", self.source, exc)
                taken = 0
            except Exception as exc:  # the broker or the database is away: try again later
                logger.warning(
                    "taking %s notifications in failed: %s", self.source, type(exc).__name__
                )
                taken = 0
            if taken < self.page:
                await asyncio.sleep(self.interval)

    async def poll_once(self) -> int:
        """Take in the notifications after the cursor (one page); return how many."""
        with untraced():  # an empty poll leaves no span; each notification continues its trace
            async with self.uow() as unit:
                cursor = await unit.inbound.cursor()
            items = await self.fetch(cursor, self.page)
        for item in items:
            await self._take(item)
        return len(items)

    async def _take(self, item: Notification) -> None:
        with tracer.start_as_current_span(
            f"{self.source} notification {item.type}",
            context=context_from(item.traceparent),
            kind=trace.SpanKind.CONSUMER,
            attributes={"jumin.notification_id": str(item.notification_id)},
        ):
            planned = self.to_command(item, now=self.clock())
            if isinstance(planned, RegistryCommand):
                await self.publish(planned)
                logger.info("notification %s → %s", item.notification_id, planned.ROUTING_KEY)
            elif isinstance(planned, Kept):
                logger.info("notification %s kept: %s", item.notification_id, planned.detail)
            else:
                logger.warning(
                    "notification %s %s: %s", item.notification_id, planned.outcome, planned.detail
                )
            await self._record(item, planned)

    async def _record(self, item: Notification, planned: Plan) -> None:
        async with self.uow() as unit:
            await unit.inbound.add(_taken(item, planned))
            if isinstance(planned, RegistryCommand) and self.on_published is not None:
                await self.on_published(unit, item, planned)
            if self.on_taken is not None:
                await self.on_taken(unit, item, planned)
            await unit.inbound.set_cursor(item.cursor)
            await unit.commit()


def _taken(item: Notification, planned: Plan) -> TakenIn:
    if isinstance(planned, RegistryCommand):
        outcome, detail = "published", None
        command_id, routing_key = planned.command_id, planned.ROUTING_KEY
    elif isinstance(planned, Kept):
        outcome, detail, command_id, routing_key = "kept", planned.detail, None, None
    else:
        outcome, detail, command_id, routing_key = planned.outcome, planned.detail, None, None
    return TakenIn(
        notification_id=item.notification_id,
        cursor=item.cursor,
        type=item.type,
        outcome=outcome,
        command_id=command_id,
        routing_key=routing_key,
        detail=detail,
        trace_id=current_trace_id(),
    )
