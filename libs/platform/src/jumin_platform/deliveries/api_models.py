"""Request and response models of the delivery-record operator routes (field names, no bodies)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from jumin_contracts.codes import ChangeKind
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from jumin_platform.deliveries.records import Delivery

__all__ = [
    "NO_NUL",
    "DeliveryOut",
    "HandOverIn",
    "HandOverOut",
    "ManualModeIn",
    "ManualModeOut",
    "Reason",
    "ReleaseOut",
    "ResendIn",
    "ResendItemOut",
]

NO_NUL = r"^[^\x00]*$"
"""Pattern for free text: PostgreSQL text cannot hold NUL (storing one would be a 500)."""

Reason = Annotated[str, Field(min_length=1, max_length=500, pattern=NO_NUL, description="理由")]
"""理由: why the operator acted (recorded with the action)."""

DeliveryId = Annotated[int, Field(ge=1, le=2**63 - 1)]
"""A delivery record's id (PostgreSQL bigint identity): anything else names no record."""


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DeliveryOut(BaseModel):
    """送信した電文: one transmission record (the message itself is not listed)."""

    id: int
    event_id: UUID
    idempotency_key: UUID
    type: str = Field(description="the message type")
    person_key: str
    seq: int | None
    change_reason: str | None = Field(description="異動事由 as sent")
    fields: list[str] = Field(description="提供した項目 (names of the items sent)")
    status: str = Field(description="sent | held | rejected | failed | handed_over")
    receipt_no: str | None = Field(description="受付番号 of the receiving system")
    replayed: bool = Field(description="answered with its stored reply (same key again)")
    reply_status: int | None
    reply_code: str | None = Field(description="error code or transport failure")
    created_at: datetime
    sent_at: datetime | None
    trace_id: str | None
    resend_of: int | None = Field(description="再送信: the record this one resends")
    operator: str | None
    note: str | None

    @classmethod
    def of(cls, d: Delivery) -> DeliveryOut:
        values = vars(d).copy()
        values.pop("body")
        values.pop("my_number_sealed")
        return cls(**values)


class ManualModeIn(_In):
    manual: bool = Field(description="true: 手動連携 (hold messages); false: 自動送信")
    reason: Reason


class ManualModeOut(BaseModel):
    manual: bool
    changed_at: datetime
    changed_by: str | None
    reason: str | None
    history: list[dict[str, Any]] = Field(description="切替の履歴 (newest first)")


class HandOverIn(_In):
    ids: list[DeliveryId] = Field(min_length=1, max_length=1000, description="held record ids")
    reason: Reason = Field(description="理由 (how it was handed over)")


class HandOverOut(BaseModel):
    handed_over: list[int]
    not_held: list[int] = Field(description="ids that were not held (unknown or already done)")


class ReleaseFailureOut(BaseModel):
    delivery_id: int
    person_key: str
    reply: str = Field(description="what the system answered (status and code)")


class ReleaseOut(BaseModel):
    sent: list[int]
    failed: list[ReleaseFailureOut] = Field(description="each person's first failure")
    still_held: int


class ResendIn(_In):
    """再送信: either `delivery_ids`, or `from` and `to` (records sent in [from, to))."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    delivery_ids: list[DeliveryId] = Field(default_factory=list, max_length=10_000)
    sent_from: AwareDatetime | None = Field(default=None, alias="from")
    sent_to: AwareDatetime | None = Field(default=None, alias="to")
    change_reason: ChangeKind | None = Field(default=None, description="異動事由 to send instead")
    reason: str | None = Field(default=None, max_length=500, pattern=NO_NUL, description="理由")

    @model_validator(mode="after")
    def _one_selection(self) -> ResendIn:
        by_range = self.sent_from is not None or self.sent_to is not None
        if bool(self.delivery_ids) == by_range:
            raise ValueError("give delivery_ids, or from and to — one of them")
        if by_range and (self.sent_from is None or self.sent_to is None):
            raise ValueError("a range needs both from and to")
        if self.sent_from and self.sent_to and self.sent_from >= self.sent_to:
            raise ValueError("from must be before to")
        return self


class ResendItemOut(BaseModel):
    delivery_id: int
    outcome: str = Field(description="sent | rejected | failed | why it was not sent")
    new_delivery_id: int | None
    receipt_no: str | None
    reply: str | None
