"""Turn CS answers into registry commands (pure): 個人番号生成の応答 and 転入通知.

The notification id is the command id: the registry applies a command once, so a notification
published again after a crash (before its cursor was stored) changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final
from uuid import UUID

from jumin_contracts.commands import MoveInNoticeReceived, MyNumberAssigned, RegistryCommand
from jumin_platform.consumer.messages import describe_validation_error
from pydantic import ValidationError

__all__ = ["CsNotification", "Skipped", "to_command"]

MY_NUMBER_GENERATED: Final = "my_number_generated"
MOVE_IN_NOTICE: Final = "move_in_notice"


@dataclass(frozen=True)
class CsNotification:
    """One answer from CS (個人番号生成の応答, 転入通知), in cursor order."""

    cursor: int
    notification_id: UUID
    type: str
    created_at: str | None
    traceparent: str | None
    body: Mapping[str, Any]


@dataclass(frozen=True)
class Skipped:
    """A notification that becomes no command: `ignored` (unknown type) or `invalid` (bad body)."""

    outcome: str
    detail: str


def to_command(notification: CsNotification, *, now: datetime) -> RegistryCommand | Skipped:
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


def _my_number_assigned(n: CsNotification, now: datetime) -> RegistryCommand:
    return MyNumberAssigned(
        command_id=n.notification_id,
        sent_at=now,
        juminhyo_code=n.body["juminhyo_code"],
        my_number=n.body["my_number"],
    )


def _move_in_notice(n: CsNotification, now: datetime) -> RegistryCommand:
    return MoveInNoticeReceived(
        command_id=n.notification_id,
        sent_at=now,
        juminhyo_code=n.body["juminhyo_code"],
        confirmed_on=from_cs_date(str(n.body["moved_in_on"])),
        confirmed_address=n.body["new_address"],
    )


def from_cs_date(text: str) -> date:
    """Read an exact CS ``YYYYMMDD`` (a 転入 date has no unknown parts); ValueError otherwise."""
    if len(text) != 8 or not text.isdigit():
        raise ValueError("not YYYYMMDD")
    return date(int(text[:4]), int(text[4:6]), int(text[6:]))


_BUILDERS = {MY_NUMBER_GENERATED: _my_number_assigned, MOVE_IN_NOTICE: _move_in_notice}
