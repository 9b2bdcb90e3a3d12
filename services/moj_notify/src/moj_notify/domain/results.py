"""処理結果 (processing results) of the 連携サーバ and the operator worklist they open (pure).

A result names the notice by its 受付番号 (`receipt_no`) and, when the ministry holds it, the
registry event (`event_id`); the results import matches it to the transmission recorded in the
delivery record. `ok` confirms that notice; `error` opens a worklist entry and blocks the
person's later notices until an operator handles it:

    open ──resend──▶ resent ──ok result of the resend──▶ resolved   (the block is cleared)
      ▲                 │
      └──error result───┘                                    (another code: open again)
    open | resent ──mark handled (reason)──▶ handled          (the block is cleared)

The entry stays open while a corrected resend awaits its result: the person's later notices
must not overtake a notice the ministry has not yet accepted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any, Final
from uuid import UUID

from jumin_platform.inbound.wire_dates import exact_date, partial_date

from moj_notify.domain.nationalities import nationality_name

__all__ = [
    "PROCESSING_RESULT",
    "EntryStatus",
    "ProcessingResult",
    "WorklistEntry",
    "WorklistRefusal",
    "check_wire_items",
    "corrected_body",
    "result_from",
]

PROCESSING_RESULT: Final = "processing_result"
"""The feed type of a 処理結果."""

OK: Final = "ok"
ERROR: Final = "error"


class BadResult(ValueError):
    """A result's body does not fit (carries the item's name only)."""


@dataclass(frozen=True, kw_only=True)
class ProcessingResult:
    """One 処理結果: which notice, ok or the error (codes and item names, never values)."""

    notification_id: UUID
    receipt_no: str
    event_id: UUID | None
    notice_type: str | None
    result: str
    error_code: str | None
    error_items: tuple[str, ...]
    message: str | None
    processed_at: datetime

    @property
    def ok(self) -> bool:
        return self.result == OK


def result_from(notification_id: UUID, body: Mapping[str, Any]) -> ProcessingResult:
    """Read a `processing_result` body; BadResult names the item that does not fit."""
    result = _text(body, "result")
    if result not in (OK, ERROR):
        raise BadResult("result")
    error_code = _optional_text(body, "error_code")
    if (result == ERROR) != (error_code is not None):
        raise BadResult("error_code")
    items = body.get("error_items") or []
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise BadResult("error_items")
    return ProcessingResult(
        notification_id=notification_id,
        receipt_no=_text(body, "receipt_no"),
        event_id=_uuid(body.get("event_id")),
        notice_type=_optional_text(body, "notice_type"),
        result=result,
        error_code=error_code,
        error_items=tuple(items),
        message=_optional_text(body, "message"),
        processed_at=_when(body.get("processed_at")),
    )


def _text(body: Mapping[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise BadResult(name)
    return value


def _optional_text(body: Mapping[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadResult(name)
    return value


def _uuid(value: object) -> UUID | None:
    if value is None:
        return None
    try:
        return UUID(str(value))
    except ValueError as exc:
        raise BadResult("event_id") from exc


def _when(value: object) -> datetime:
    try:
        when = datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise BadResult("processed_at") from exc
    if when.tzinfo is None:
        raise BadResult("processed_at")
    return when


class EntryStatus(StrEnum):
    """The state of a worklist entry (処理結果エラーの対応状況)."""

    OPEN = "open"  # an error result: the operator corrects and resends, or handles it
    RESENT = "resent"  # a corrected notice was sent; its result is awaited (still blocking)
    RESOLVED = "resolved"  # the resend's result was ok
    HANDLED = "handled"  # the operator closed it with a reason (対応済み)

    @property
    def blocking(self) -> bool:
        """Whether the person's later notices wait while the entry is in this state."""
        return self in (EntryStatus.OPEN, EntryStatus.RESENT)


class WorklistRefusal(Exception):
    """An operator action the entry's state does not allow (→ 409)."""


@dataclass(frozen=True, kw_only=True)
class WorklistEntry:
    """An error result of one notice the operator must act on."""

    id: int
    delivery_id: int
    person_key: str
    event_id: UUID
    notice_type: str
    receipt_no: str
    error_code: str
    error_items: tuple[str, ...]
    message: str | None
    status: EntryStatus
    resend_delivery_id: int | None = None
    resend_receipt_no: str | None = None

    def resend(self, delivery_id: int, receipt_no: str | None) -> WorklistEntry:
        """Record the corrected notice sent for this entry; its result is awaited."""
        if self.status is not EntryStatus.OPEN:
            raise WorklistRefusal(_NOT_OPEN.format(status=self.status.value))
        return replace(
            self,
            status=EntryStatus.RESENT,
            resend_delivery_id=delivery_id,
            resend_receipt_no=receipt_no,
        )

    def resend_answered(self, result: ProcessingResult) -> WorklistEntry:
        """The result of the resend: ok resolves the entry, an error opens it again."""
        if self.status is not EntryStatus.RESENT:
            raise WorklistRefusal(_NOT_RESENT.format(status=self.status.value))
        if result.ok:
            return replace(self, status=EntryStatus.RESOLVED)
        assert result.error_code is not None
        return replace(
            self,
            status=EntryStatus.OPEN,
            delivery_id=self.resend_delivery_id or self.delivery_id,
            receipt_no=result.receipt_no,
            error_code=result.error_code,
            error_items=result.error_items,
            message=result.message,
            resend_delivery_id=None,
            resend_receipt_no=None,
        )

    def handle(self) -> WorklistEntry:
        """Close the entry by hand (the operator gives the reason)."""
        if not self.status.blocking:
            raise WorklistRefusal(_CLOSED.format(status=self.status.value))
        return replace(self, status=EntryStatus.HANDLED)


def corrected_body(
    sent: Mapping[str, Any], corrections: Mapping[str, Any], error_items: Sequence[str]
) -> tuple[dict[str, Any], list[str]]:
    """The notice's body with the operator's corrections, and which flagged items they leave.

    Only items the notice has may be corrected (KeyError names one it has not); the second value
    lists the `error_items` the corrections did not touch (shown to the operator, not refused:
    the ministry may be the side in error).
    """
    unknown = sorted(set(corrections) - set(sent))
    if unknown:
        raise KeyError(", ".join(unknown))
    body = {**sent, **corrections}
    untouched = [item for item in error_items if item not in corrections]
    return body, untouched


_NOT_OPEN = (
    "この処理結果は再送信できる状態ではありません ({status})。 "
    "(Only an open entry can be corrected and resent; this one is {status}.)"
)
_NOT_RESENT = "no resend awaits a result ({status})"
_CLOSED = "この処理結果は対応済みです ({status})。 (The entry is already closed: {status}.)"


_DATE_ITEMS: Final = ("change_date", "notification_date", "stay_expires_on")
"""Items that are complete dates `YYYYMMDD` (生年月日 may have unknown parts: zeros)."""
_CARD_NO = re.compile(r"[A-Z]{2}[0-9]{8}[A-Z]{2}")


def check_wire_items(notice_type: str, body: Mapping[str, Any]) -> None:
    """Check a corrected notice's items in the 連携サーバ's formats; ValueError names the item.

    The ministry validates the rest (class and 区分 rules) and answers 400 with the fields.
    """
    del notice_type  # both types share these formats
    for name, value in body.items():
        if value is not None and not _fits(name, value):
            raise ValueError(f"{name} is not in its format")


def _fits(name: str, value: object) -> bool:
    if not isinstance(value, str):
        return False
    if name in _DATE_ITEMS:
        return _is_date(value, unknown_allowed=False)
    if name == "birth_date":
        return _is_date(value, unknown_allowed=True)
    if name == "sex":
        return value in ("1", "2")
    if name == "nationality":
        return nationality_name(value) is not None
    if name in ("residence_card_no", "special_permanent_cert_no"):
        return _CARD_NO.fullmatch(value) is not None
    return len(value) <= 500 and "\x00" not in value


def _is_date(value: str, *, unknown_allowed: bool) -> bool:
    try:
        if unknown_allowed:
            partial_date(value)
        else:
            exact_date(value)
    except ValueError:
        return False
    return True
