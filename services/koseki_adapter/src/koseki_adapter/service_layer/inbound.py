"""Take the 戸籍 side's notices in (住基法9条2項, 19条2項・3項) as registry commands.

`jumin_platform.inbound.poller.NotificationPoller` polls GET /koseki/v1/notifications after the
stored cursor, maps each notice (`domain.notifications.to_command`), publishes the command with
confirms under the trace that caused it, records it and moves the cursor. The registry makes a
pending 職権 change or a staff work item of it — never an approved change.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from jumin_platform.inbound.poller import NotificationPoller
from jumin_platform.inbound.publisher import CommandPublisher

from koseki_adapter.adapters.fuhyo_reads import FuhyoReads, FuhyoUnavailable
from koseki_adapter.domain.notifications import to_command
from koseki_adapter.service_layer.unit_of_work import UnitOfWork, UnitsOfWork

__all__ = ["KosekiPoller", "koseki_poller"]

KosekiPoller = NotificationPoller[UnitOfWork]


def koseki_poller(
    *,
    uow: UnitsOfWork,
    reads: FuhyoReads,
    publisher: CommandPublisher,
    interval: float,
    clock: Callable[[], datetime],
) -> KosekiPoller:
    """The poller of the 戸籍附票システム's notices, publishing to the registry."""
    return NotificationPoller(
        source="koseki",
        uow=uow,
        fetch=lambda after, limit: reads.notifications(after=after, limit=limit),
        to_command=to_command,
        publish=publisher.publish,
        unavailable=FuhyoUnavailable,
        interval=interval,
        clock=clock,
    )
