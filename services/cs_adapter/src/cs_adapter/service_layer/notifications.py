"""Take CS answers in (spec 7.1.2.1 生成された個人番号の取込, 4.1.3.1.2 転入通知の受理).

`jumin_platform.inbound.poller.NotificationPoller` polls GET /cs/v1/notifications after the
stored cursor and publishes each answer's command (`domain.notifications.to_command`); here is what
cs_adapter records beside it: the 個人番号生成要求 a `MyNumberAssigned` answers.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from jumin_contracts.commands import MyNumberAssigned, RegistryCommand
from jumin_platform.inbound.notifications import Notification
from jumin_platform.inbound.poller import NotificationPoller
from jumin_platform.inbound.publisher import CommandPublisher

from cs_adapter.adapters.cs_client import CsClient, CsUnavailable
from cs_adapter.domain.notifications import to_command
from cs_adapter.service_layer.unit_of_work import UnitOfWork, UnitsOfWork

__all__ = ["CsPoller", "cs_poller"]

CsPoller = NotificationPoller[UnitOfWork]


def cs_poller(
    *,
    uow: UnitsOfWork,
    cs: CsClient,
    publisher: CommandPublisher,
    interval: float,
    clock: Callable[[], datetime],
) -> CsPoller:
    """The poller of CS's answers, publishing to the registry."""
    return NotificationPoller(
        source="cs",
        uow=uow,
        fetch=lambda after, limit: cs.notifications(after=after, limit=limit),
        to_command=to_command,
        publish=publisher.publish,
        unavailable=CsUnavailable,
        interval=interval,
        clock=clock,
        on_published=answer_request,
    )


async def answer_request(unit: UnitOfWork, item: Notification, command: RegistryCommand) -> None:
    """A generated 個人番号 answers the 個人番号生成要求 for its 住民票コード."""
    if isinstance(command, MyNumberAssigned):
        await unit.state.answer_my_number_request(command.juminhyo_code, item.notification_id)
