"""Take CS answers in (spec 7.1.2.1 生成された個人番号の取込, 4.1.3.1.2 転入通知の受理).

Poll GET /cs/v1/notifications after the stored cursor; publish each answer as a registry command
(with confirms) under the trace that caused it, record it, then move the cursor. A crash between
publish and cursor publishes the command again: the registry applies a command id once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from jumin_contracts.commands import MyNumberAssigned, RegistryCommand
from jumin_platform.telemetry import context_from, untraced
from opentelemetry import trace

from cs_adapter.adapters.commands_publisher import CommandPublisher
from cs_adapter.adapters.cs_client import CsClient, CsUnavailable
from cs_adapter.domain.notifications import CsNotification, Skipped, to_command
from cs_adapter.service_layer.delivery import current_trace_id
from cs_adapter.service_layer.unit_of_work import UnitsOfWork

logger = logging.getLogger("cs_adapter.notifications")
tracer = trace.get_tracer("cs_adapter.notifications")

PAGE = 100


@dataclass
class NotificationPoller:
    """Fetch, publish and record CS answers in cursor order, until cancelled."""

    uow: UnitsOfWork
    cs: CsClient
    publisher: CommandPublisher
    interval: float
    clock: Callable[[], datetime]
    #: whether the last poll reached CS (shown on /readyz)
    cs_reachable: bool | None = None

    async def run(self) -> None:
        """Poll forever; a failure is logged and the next poll tries again."""
        while True:
            try:
                taken = await self.poll_once()
                self.cs_reachable = True
            except CsUnavailable as exc:
                self.cs_reachable = False
                logger.warning("CS notifications unavailable: %s", exc)
                taken = 0
            except Exception as exc:  # the broker or the database is away: try again later
                logger.warning("taking CS notifications in failed: %s", type(exc).__name__)
                taken = 0
            if taken < PAGE:
                await asyncio.sleep(self.interval)

    async def poll_once(self) -> int:
        """Take in the answers after the cursor (one page); return how many."""
        with untraced():  # an empty poll leaves no span; each answer continues its own trace
            async with self.uow() as unit:
                cursor = await unit.state.cursor()
            items = await self.cs.notifications(after=cursor, limit=PAGE)
        for item in items:
            await self._take(item)
        return len(items)

    async def _take(self, item: CsNotification) -> None:
        with tracer.start_as_current_span(
            f"cs notification {item.type}",
            context=context_from(item.traceparent),
            kind=trace.SpanKind.CONSUMER,
            attributes={"jumin.notification_id": str(item.notification_id)},
        ):
            planned = to_command(item, now=self.clock())
            if isinstance(planned, RegistryCommand):
                await self.publisher.publish(planned)
                logger.info("notification %s → %s", item.notification_id, planned.ROUTING_KEY)
            else:
                logger.warning(
                    "notification %s %s: %s", item.notification_id, *vars(planned).values()
                )
            await self._record(item, planned)

    async def _record(self, item: CsNotification, planned: RegistryCommand | Skipped) -> None:
        if isinstance(planned, RegistryCommand):
            outcome, detail = "published", None
            command_id, routing_key = planned.command_id, planned.ROUTING_KEY
        else:
            outcome, detail, command_id, routing_key = planned.outcome, planned.detail, None, None
        async with self.uow() as unit:
            state = unit.state
            await state.add_notification(
                notification_id=item.notification_id,
                cursor=item.cursor,
                type_=item.type,
                outcome=outcome,
                command_id=command_id,
                routing_key=routing_key,
                detail=detail,
                trace_id=current_trace_id(),
            )
            if isinstance(planned, MyNumberAssigned):
                await state.answer_my_number_request(planned.juminhyo_code, item.notification_id)
            await state.set_cursor(item.cursor)
            await unit.commit()
