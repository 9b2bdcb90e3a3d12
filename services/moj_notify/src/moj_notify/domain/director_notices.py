"""長官通知 (住基法30条の50) → the registry's `registry.moj_notice` command (pure).

The 連携サーバ's `director_notice` (simulators/moj_simulator/INTERFACE.md) maps to
`MojDirectorNotice`: kind → `notice_kind` (the same five values, `stay_ended` included: a
職権消除), effective_date → `effective_on`, the number on record (在留カード番号, else
特別永住者証明書番号) → `residence_card_no`, juminhyo_code as is, corrections → `MojCorrections`
(`YYYYMMDD` → ISO dates, 性別 `"1"`/`"2"` → male/female, 国籍・地域 alpha-3 → the registry's text
through the nationality table, null = cleared), notice_text as is.

A 特別永住者's notice (`special_permanent`) is not sent: staff import it by hand [S:j960], so it
is kept (`Kept`) for the hand-import list. A body that does not fit is `invalid`, naming the item,
never its value. The command id is a uuid5 of the notification id: a notice published again after
a crash is the same command, which the registry applies once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final
from uuid import UUID, uuid5

from jumin_contracts.codes import Sex
from jumin_contracts.commands import MojCorrections, MojDirectorNotice, MojNoticeKind
from jumin_platform.consumer.messages import describe_validation_error
from jumin_platform.inbound.notifications import Kept, Notification, Skipped
from jumin_platform.inbound.wire_dates import exact_date
from pydantic import ValidationError

__all__ = [
    "COMMAND_NAMESPACE",
    "DIRECTOR_NOTICE",
    "DirectorNoticeHeader",
    "HandImport",
    "NationalityName",
    "command_id",
    "header_of",
    "plan_director_notice",
]

DIRECTOR_NOTICE: Final = "director_notice"
"""The feed type of a 長官通知."""

COMMAND_NAMESPACE: Final = UUID("9b0c3f4e-2d71-5e8a-b6c4-1f7e0a2d5c93")
"""uuid5 namespace of the commands moj_notify derives from 連携サーバ notification ids."""

SEXES: Final = {"1": Sex.MALE, "2": Sex.FEMALE}
"""性別 as the 連携サーバ writes it: "1" 男, "2" 女."""

DATE_ITEMS: Final = ("birth_date", "stay_expires_on")
"""Corrections written `YYYYMMDD` (complete dates: the contract's items are dates)."""

NationalityName = Callable[[str], str | None]
"""国籍・地域: the registry's text for an ISO 3166-1 alpha-3 code (None: not in the table)."""


class BadItem(ValueError):
    """An item of the notice is missing or not in its format (carries its name only)."""


@dataclass(frozen=True, kw_only=True)
class DirectorNoticeHeader:
    """What identifies a 長官通知 without personal data: number, kind, dates, 特別永住者 flag."""

    notice_no: str | None
    kind: str | None
    notice_date: date | None
    effective_date: date | None
    special_permanent: bool


@dataclass(frozen=True)
class HandImport:
    """A 長官通知 staff import by hand (特別永住者): kept, never sent to the registry."""

    header: DirectorNoticeHeader


def command_id(notification_id: UUID) -> UUID:
    """The id of the command a notification becomes (the same for every publication)."""
    return uuid5(COMMAND_NAMESPACE, str(notification_id))


def header_of(body: Mapping[str, Any]) -> DirectorNoticeHeader:
    """Read the header items that fit (None for those that do not)."""
    return DirectorNoticeHeader(
        notice_no=_maybe(body, "notice_no", str),
        kind=_maybe(body, "kind", str),
        notice_date=_maybe(body, "notice_date", exact_date),
        effective_date=_maybe(body, "effective_date", exact_date),
        special_permanent=body.get("special_permanent") is True,
    )


def plan_director_notice(
    notification: Notification, *, now: datetime, nationality_name: NationalityName
) -> MojDirectorNotice | Kept | Skipped:
    """The command a 長官通知 asks for; kept for staff (特別永住者); or why it is invalid."""
    body = notification.body
    if not isinstance(body.get("special_permanent"), bool):
        return Skipped("invalid", f"{DIRECTOR_NOTICE}: special_permanent is missing or malformed")
    header = header_of(body)
    if header.special_permanent:
        return Kept(
            HandImport(header), f"{DIRECTOR_NOTICE} {header.notice_no}: by hand (特別永住者)"
        )
    try:
        return _command(body, notification.notification_id, now, nationality_name)
    except ValidationError as exc:
        return Skipped("invalid", f"{DIRECTOR_NOTICE}: {describe_validation_error(exc)}")
    except BadItem as exc:
        return Skipped("invalid", f"{DIRECTOR_NOTICE}: {exc} is missing or malformed")


def _command(
    body: Mapping[str, Any], source: UUID, now: datetime, nationality_name: NationalityName
) -> MojDirectorNotice:
    number = body.get("residence_card_no") or body.get("special_permanent_cert_no")
    if number is None and body.get("juminhyo_code") is None:
        raise BadItem("residence_card_no, special_permanent_cert_no or juminhyo_code")
    return MojDirectorNotice(
        command_id=command_id(source),
        sent_at=now,
        notice_kind=_item(body, "kind", MojNoticeKind),
        effective_on=_item(body, "effective_date", exact_date),
        residence_card_no=number,
        juminhyo_code=body.get("juminhyo_code"),
        corrections=_corrections(body.get("corrections"), nationality_name),
        notice_text=_item(body, "notice_text"),
    )


def _corrections(given: object, nationality_name: NationalityName) -> MojCorrections:
    if not isinstance(given, Mapping):
        raise BadItem("corrections")
    items: dict[str, Any] = dict(given)
    for name in DATE_ITEMS:
        if items.get(name) is not None:
            items[name] = _item(items, name, exact_date, label=f"corrections.{name}")
    if items.get("sex") is not None:
        items["sex"] = _item(items, "sex", SEXES.__getitem__, label="corrections.sex")
    if items.get("nationality") is not None:
        items["nationality"] = _nationality(items["nationality"], nationality_name)
    return MojCorrections.model_validate(items)


def _nationality(code: object, nationality_name: NationalityName) -> str:
    name = nationality_name(code) if isinstance(code, str) else None
    if name is None:
        raise BadItem("corrections.nationality (not in the nationality table)")
    return name


def _item(
    body: Mapping[str, Any],
    key: str,
    read: Callable[[Any], Any] | None = None,
    *,
    label: str | None = None,
) -> Any:
    try:
        value = body[key]
        return value if read is None else read(value)
    except (KeyError, TypeError, ValueError) as exc:
        raise BadItem(label or key) from exc


def _maybe(body: Mapping[str, Any], key: str, read: Callable[[Any], Any]) -> Any:
    try:
        return read(body[key]) if body.get(key) is not None else None
    except (TypeError, ValueError):
        return None
