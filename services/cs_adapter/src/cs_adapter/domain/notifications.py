"""Turn CS answers into registry commands (pure): 個人番号生成の応答 and 転入通知.

The notification id is the command id: the registry applies a command once, so a notification
published again after a crash (before its cursor was stored) changes nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from jumin_contracts.commands import MoveInNoticeReceived, MyNumberAssigned, RegistryCommand
from jumin_platform.consumer.messages import describe_validation_error
from jumin_platform.inbound.notifications import Notification, Skipped
from jumin_platform.inbound.wire_dates import exact_date
from pydantic import ValidationError

__all__ = ["to_command"]

MY_NUMBER_GENERATED: Final = "my_number_generated"
MOVE_IN_NOTICE: Final = "move_in_notice"


def to_command(notification: Notification, *, now: datetime) -> RegistryCommand | Skipped:
    """Build the registry command a CS answer asks for, or say why there is none."""
    build = _BUILDERS.get(notification.type)
    if build is None:
        return Skipped("ignored", f"notification type {notification.type!r} is not taken in")
    try:
        return build(notification, now)
    except ValidationError as exc:
        return Skipped("invalid", describe_validation_error(exc))
    except (KeyError, TypeError, ValueError) as exc:
        return Skipped("invalid", f"{notification.type}: {type(exc).__name__} reading the body")


def _my_number_assigned(n: Notification, now: datetime) -> RegistryCommand:
    return MyNumberAssigned(
        command_id=n.notification_id,
        sent_at=now,
        juminhyo_code=n.body["juminhyo_code"],
        my_number=n.body["my_number"],
    )


def _move_in_notice(n: Notification, now: datetime) -> RegistryCommand:
    return MoveInNoticeReceived(
        command_id=n.notification_id,
        sent_at=now,
        juminhyo_code=n.body["juminhyo_code"],
        confirmed_on=exact_date(str(n.body["moved_in_on"])),
        confirmed_address=n.body["new_address"],
    )


_BUILDERS = {MY_NUMBER_GENERATED: _my_number_assigned, MOVE_IN_NOTICE: _move_in_notice}
