"""What happens to one transmission to an external system: status, reply, hold rule, records.

Pure: no I/O. An adapter (cs_adapter, koseki_adapter) records a `Delivery` row per transmission
(送信の記録, the 提供・移転の記録 of the assessment) with what these functions decide.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar, Final, Self
from uuid import UUID

__all__ = [
    "STATUS_OF",
    "Delivery",
    "DeliveryStatus",
    "NewDelivery",
    "Outgoing",
    "Reply",
    "ReplyClass",
    "classify",
    "should_hold",
]


class DeliveryStatus(StrEnum):
    """The state of one transmission record (送信状況)."""

    SENT = "sent"  # the system accepted it (受付番号 kept)
    HELD = "held"  # 手動連携: kept for hand-over or later release, not sent
    REJECTED = "rejected"  # refused for good (4xx with an error code)
    FAILED = "failed"  # unreachable or busy; the consumer kit retries the message
    HANDED_OVER = "handed_over"  # an operator passed it on by hand (手動連携済み)


class ReplyClass(StrEnum):
    """What an answer means for the message."""

    ACCEPTED = "accepted"
    TRANSIENT = "transient"  # retry later (503, timeout, connection refused)
    PERMANENT = "permanent"  # never succeeds as it is (400, 409, 422, any other 4xx)


def classify(status: int | None) -> ReplyClass:
    """Classify an HTTP status: 2xx accepted; 4xx (but 408/429) permanent; the rest transient."""
    if status is not None and 200 <= status < 300:
        return ReplyClass.ACCEPTED
    if status is not None and 400 <= status < 500 and status not in (408, 429):
        return ReplyClass.PERMANENT
    return ReplyClass.TRANSIENT


STATUS_OF: Final = {
    ReplyClass.ACCEPTED: DeliveryStatus.SENT,
    ReplyClass.TRANSIENT: DeliveryStatus.FAILED,
    ReplyClass.PERMANENT: DeliveryStatus.REJECTED,
}
"""The record's status after an answer of each class."""


@dataclass(frozen=True)
class Reply:
    """The answer to one transmission (status None: no answer at all)."""

    SYSTEM: ClassVar[str] = "recipient"
    """How `describe` names the system (a subclass per adapter: "CS", "附票")."""

    status: int | None
    code: str | None = None
    receipt_no: str | None = None
    replayed: bool = False
    #: field names or result codes the system named (never values)
    errors: tuple[str, ...] = ()

    @property
    def kind(self) -> ReplyClass:
        return classify(self.status)

    def describe(self) -> str:
        """Say what the system answered, for operators and the kit's block reason (no values)."""
        if self.status is None:
            return f"{self.SYSTEM} unreachable ({self.code or 'no answer'})"
        text = f"{self.SYSTEM} {self.status} {self.code or ''}".rstrip()
        return f"{text}: {', '.join(self.errors)}" if self.errors else text


def should_hold(*, manual_mode: bool, person_has_held: bool) -> bool:
    """Hold a message (not send it) in 手動連携, or behind the same person's held ones (order)."""
    return manual_mode or person_has_held


@dataclass(frozen=True)
class Outgoing:
    """One message body of a type, ready to send (it may hold secrets an adapter seals at rest)."""

    type: str
    body: Mapping[str, Any]

    @property
    def fields(self) -> list[str]:
        """Return the names of the items that are sent (for the 提供記録)."""
        return sorted(name for name, value in self.body.items() if value is not None)

    @property
    def change_reason(self) -> str | None:
        """Return the 異動事由 sent (None for a message without one)."""
        reason = self.body.get("change_reason")
        return reason if isinstance(reason, str) else None

    def with_change_reason(self, reason: str) -> Self:
        """Return the same message carrying another 異動事由 (a 再送信 may change it)."""
        return replace(self, body={**self.body, "change_reason": reason})


@dataclass(frozen=True, kw_only=True)
class NewDelivery:
    """A transmission (or held message) to record; `body` as kept at rest."""

    event_id: UUID
    idempotency_key: UUID
    type: str
    person_key: str
    seq: int | None
    change_reason: str | None
    fields: list[str]
    body: dict[str, object]
    my_number_sealed: str | None
    status: DeliveryStatus
    reply: Reply | None = None
    trace_id: str | None = None
    resend_of: int | None = None
    operator: str | None = None
    note: str | None = None


@dataclass(frozen=True, kw_only=True)
class Delivery:
    """One recorded transmission (送信した電文), as listed to operators and auditors."""

    id: int
    event_id: UUID
    idempotency_key: UUID
    type: str
    person_key: str
    seq: int | None
    change_reason: str | None
    fields: list[str]
    body: dict[str, object]
    my_number_sealed: str | None
    status: DeliveryStatus
    receipt_no: str | None
    replayed: bool
    reply_status: int | None
    reply_code: str | None
    created_at: datetime
    sent_at: datetime | None
    trace_id: str | None
    resend_of: int | None
    operator: str | None
    note: str | None
