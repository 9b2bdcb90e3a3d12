"""What happens to one transmission to CS: status, reply classification, hold and request rules.

Pure: no I/O. The service layer records a `Delivery` row per transmission (送信の記録, the
提供・移転の記録 of the assessment) with what these functions decide.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final
from uuid import UUID

from jumin_contracts.codes import ChangeKind
from jumin_contracts.messages import CsIdentity, RecordState

__all__ = [
    "NEW_NUMBER_KINDS",
    "CsReply",
    "Delivery",
    "DeliveryStatus",
    "NewDelivery",
    "ReplyClass",
    "classify",
    "my_number_request_key",
    "needs_my_number_request",
    "should_hold",
]


class DeliveryStatus(StrEnum):
    """The state of one transmission record (送信状況)."""

    SENT = "sent"  # CS accepted it (受付番号 kept)
    HELD = "held"  # 手動連携: kept for hand-over or later release, not sent
    REJECTED = "rejected"  # CS refused it for good (4xx with a CS error code)
    FAILED = "failed"  # CS was unreachable or busy; the consumer kit retries the message
    HANDED_OVER = "handed_over"  # an operator passed it to CS by hand (手動連携済み)


class ReplyClass(StrEnum):
    """What a CS answer means for the message."""

    ACCEPTED = "accepted"
    TRANSIENT = "transient"  # retry later (503, timeout, connection refused)
    PERMANENT = "permanent"  # never succeeds as it is (400, 409, 422, any other 4xx)


@dataclass(frozen=True)
class CsReply:
    """The answer to one POST /cs/v1/messages (status None: no answer at all)."""

    status: int | None
    code: str | None = None
    receipt_no: str | None = None
    replayed: bool = False
    #: field names CS named as invalid (never values)
    errors: tuple[str, ...] = ()

    @property
    def kind(self) -> ReplyClass:
        return classify(self.status)

    def describe(self) -> str:
        """Say what CS answered, for operators and the kit's block reason (no personal data)."""
        if self.status is None:
            return f"CS unreachable ({self.code or 'no answer'})"
        text = f"CS {self.status} {self.code or ''}".rstrip()
        return f"{text}: {', '.join(self.errors)}" if self.errors else text


def classify(status: int | None) -> ReplyClass:
    """Classify a CS HTTP status: 2xx accepted; 4xx (but 408/429) permanent; the rest transient."""
    if status is not None and 200 <= status < 300:
        return ReplyClass.ACCEPTED
    if status is not None and 400 <= status < 500 and status not in (408, 429):
        return ReplyClass.PERMANENT
    return ReplyClass.TRANSIENT


def should_hold(*, manual_mode: bool, person_has_held: bool) -> bool:
    """Hold a message (not send it) in 手動連携, or behind the same person's held ones (order)."""
    return manual_mode or person_has_held


NEW_NUMBER_KINDS: Final = frozenset(
    {
        ChangeKind.BIRTH,
        ChangeKind.MOVE_IN_FROM_ABROAD,
        ChangeKind.EX_OFFICIO_ENTRY,
        ChangeKind.FOREIGN_MOVE_IN_30_46,
    }
)
"""記載 kinds after which a person without a 個人番号 needs one generated (新規付番, 7.1.2.1)."""

_REQUEST_NAMESPACE: Final = "my_number_request"


def needs_my_number_request(identity: CsIdentity) -> bool:
    """Tell whether this 本人確認情報 calls for a 個人番号生成要求 (新規付番)."""
    return (
        identity.record_status is RecordState.RESIDENT
        and identity.juminhyo_code is not None
        and identity.my_number is None
        and identity.change_kind in NEW_NUMBER_KINDS
    )


def my_number_request_key(event_id: UUID) -> UUID:
    """Return the idempotency key of the 生成要求 an event triggers (the same on every retry)."""
    return uuid.uuid5(event_id, _REQUEST_NAMESPACE)


@dataclass(frozen=True, kw_only=True)
class NewDelivery:
    """A transmission (or held message) to record; `body` without the 個人番号."""

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
    reply: CsReply | None = None
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
