"""Turn the 戸籍 side's notices into registry commands (pure).

住民票記載事項通知 (住基法9条2項) → `KosekiRecordNotice`, 戸籍照合通知 (19条2項) →
`KosekiCollationNotice`, 本籍転属通知 (19条3項) → `HonsekiTransferNotice`
(simulators/koseki_simulator/INTERFACE.md). The command id is a uuid5 of the notification id, so a
notification published again after a crash (before its cursor was stored) is the same command,
which the registry applies once. A body that does not fit becomes `Skipped("invalid", …)` naming
the item, never its value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Final
from uuid import UUID, uuid5

from jumin_contracts.codes import Sex
from jumin_contracts.commands import (
    HonsekiTransferNotice,
    KosekiCollationNotice,
    KosekiRecordNotice,
    RegistryCommand,
)
from jumin_platform.consumer.messages import describe_validation_error
from jumin_platform.inbound.notifications import Notification, Skipped
from jumin_platform.inbound.wire_dates import exact_date, partial_date
from pydantic import ValidationError

__all__ = ["COMMAND_NAMESPACE", "command_id", "to_command"]

RESIDENCE_RECORD_NOTICE: Final = "residence_record_notice"
COLLATION_NOTICE: Final = "collation_notice"
HONSEKI_TRANSFER_NOTICE: Final = "honseki_transfer_notice"

COMMAND_NAMESPACE: Final = UUID("5f1b7d1e-6a55-5c51-9a39-0c8e6b3b2f6a")
"""uuid5 namespace of the commands koseki_adapter derives from 戸籍附票システム notification ids."""

SEXES: Final = {"1": Sex.MALE, "2": Sex.FEMALE}
"""男女の別 as the 附票 system writes it: "1" 男, "2" 女."""

Body = Mapping[str, Any]


class BadItem(Exception):
    """An item of a notice is missing or not in its format (carries its name only)."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def command_id(notification_id: UUID) -> UUID:
    """The id of the command a notification becomes (the same for every publication)."""
    return uuid5(COMMAND_NAMESPACE, str(notification_id))


def to_command(notification: Notification, *, now: datetime) -> RegistryCommand | Skipped:
    """Build the registry command a notice asks for, or say why there is none."""
    build = _BUILDERS.get(notification.type)
    if build is None:
        return Skipped("ignored", f"notification type {notification.type!r} is not taken in")
    try:
        return build(notification.body, notification.notification_id, now)
    except ValidationError as exc:
        return Skipped("invalid", f"{notification.type}: {describe_validation_error(exc)}")
    except BadItem as exc:
        return Skipped("invalid", f"{notification.type}: {exc.name} is missing or malformed")


def _record_notice(body: Body, source: UUID, now: datetime) -> RegistryCommand:
    return KosekiRecordNotice(
        command_id=command_id(source),
        sent_at=now,
        notification_id=source,
        event=_item(body, "event"),
        event_date=_item(body, "event_date", exact_date),
        juminhyo_code=body.get("juminhyo_code"),
        family_name=_item(body, "family_name"),
        given_name=_item(body, "given_name"),
        birth_date=_item(body, "birth_date", partial_date),
        sex=_item(body, "sex", _sex),
        honseki=_item(body, "honseki"),
        hittosha=body.get("hittosha"),
        honseki_municipality_code=_item(body, "honseki_municipality_code"),
        previous_honseki=body.get("previous_honseki"),
        previous_hittosha=body.get("previous_hittosha"),
        previous_family_name=body.get("previous_family_name"),
        previous_given_name=body.get("previous_given_name"),
        parent_juminhyo_codes=body.get("parent_juminhyo_codes") or [],
    )


def _collation_notice(body: Body, source: UUID, now: datetime) -> RegistryCommand:
    return KosekiCollationNotice(
        command_id=command_id(source),
        sent_at=now,
        notification_id=source,
        honseki=_item(body, "honseki"),
        hittosha=body.get("hittosha"),
        juminhyo_code=body.get("juminhyo_code"),
        differing_items=_item(body, "differing_items"),
        koseki_items=_koseki_items(body.get("koseki_items")),
        receipt_no=body.get("receipt_no"),
    )


def _koseki_items(items: object) -> dict[str, Any] | None:
    """What the 戸籍 states (null: the person was not found), in the command's forms."""
    if items is None:
        return None
    if not isinstance(items, Mapping):
        raise BadItem("koseki_items")
    return {
        "family_name": _item(items, "family_name"),
        "given_name": _item(items, "given_name"),
        "birth_date": _item(items, "birth_date", partial_date, name="koseki_items.birth_date"),
        "sex": _item(items, "sex", _sex, name="koseki_items.sex"),
    }


def _honseki_transfer_notice(body: Body, source: UUID, now: datetime) -> RegistryCommand:
    return HonsekiTransferNotice(
        command_id=command_id(source),
        sent_at=now,
        notification_id=source,
        juminhyo_code=_item(body, "juminhyo_code"),
        previous_honseki=_item(body, "previous_honseki"),
        previous_hittosha=body.get("previous_hittosha"),
        honseki=_item(body, "honseki"),
        hittosha=body.get("hittosha"),
        honseki_municipality_code=_item(body, "honseki_municipality_code"),
        event_date=_item(body, "event_date", exact_date),
    )


def _item(
    body: Body, key: str, read: Callable[[Any], Any] | None = None, *, name: str | None = None
) -> Any:
    """The item `key` of a body, read by `read`; BadItem (its name) when missing or malformed."""
    try:
        value = body[key]
        return value if read is None else read(value)
    except (KeyError, TypeError, ValueError) as exc:
        raise BadItem(name or key) from exc


def _sex(value: Any) -> Sex:
    return SEXES[value]


_BUILDERS: Final[dict[str, Callable[[Body, UUID, datetime], RegistryCommand]]] = {
    RESIDENCE_RECORD_NOTICE: _record_notice,
    COLLATION_NOTICE: _collation_notice,
    HONSEKI_TRANSFER_NOTICE: _honseki_transfer_notice,
}
