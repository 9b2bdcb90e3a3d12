"""Request and response models of the results worklist and 長官通知 routes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from jumin_platform.deliveries.api_models import NO_NUL, Reason
from pydantic import BaseModel, ConfigDict, Field

from moj_notify.adapters.results_store import ResultRow

__all__ = [
    "CorrectIn",
    "DirectorNoticeOut",
    "DirectorNoticeSummaryOut",
    "HandleIn",
    "ItemOut",
    "ResendOut",
    "ResultOut",
    "WorklistEntryOut",
    "WorklistEntryView",
]

ItemName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,59}$")]
ItemValue = Annotated[str, Field(max_length=500, pattern=NO_NUL)] | None


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class HandleIn(_In):
    reason: Reason = Field(description="理由 (how the error was resolved, e.g. 窓口で確認済み)")


class CorrectIn(_In):
    corrections: dict[ItemName, ItemValue] = Field(
        min_length=1,
        max_length=30,
        description="訂正する項目: item name → value in the notice's wire form (null: clear it)",
    )
    reason: Reason = Field(description="理由 (what was corrected and why)")


class WorklistEntryOut(BaseModel):
    """An error result to act on (処理結果エラー): codes and item names, no values."""

    id: int
    status: str = Field(description="open | resent (awaiting its result) | resolved | handled")
    person_key: str
    event_id: UUID
    notice_type: str
    delivery_id: int = Field(description="the transmission the error is about")
    receipt_no: str = Field(description="受付番号")
    error_code: str
    error_items: list[str] = Field(description="items the ministry named")
    message: str | None
    resend_delivery_id: int | None = Field(description="the corrected resend awaiting its result")
    resend_receipt_no: str | None
    opened_at: datetime
    closed_at: datetime | None
    operator: str | None
    note: str | None

    @classmethod
    def of(cls, row: dict[str, Any]) -> WorklistEntryOut:
        return cls.model_validate({k: v for k, v in row.items() if k != "block_id"})


class ItemOut(BaseModel):
    """One item of the notice as last sent, and whether it was flagged or corrected."""

    name: str
    value: Any
    flagged: bool = Field(description="named by the ministry's error result")
    corrected: bool = Field(description="changed by a resend since the notice in error")


class WorklistEntryView(WorklistEntryOut):
    items: list[ItemOut] = Field(description="the notice's items (values: for the operator)")


class ResendOut(BaseModel):
    entry: WorklistEntryOut
    delivery_id: int = Field(description="the new transmission record")
    outcome: str = Field(description="sent | rejected | failed")
    receipt_no: str | None
    reply: str | None = Field(description="the ministry's refusal (codes only), if any")
    uncorrected_items: list[str] = Field(description="flagged items the corrections left as sent")


@dataclass(frozen=True, kw_only=True)
class ResultOut(ResultRow):
    """A 処理結果 taken in; `delivery_id` null: not a notice of ours (unmatched)."""


class DirectorNoticeSummaryOut(BaseModel):
    """A 長官通知 taken in (no personal data)."""

    notification_id: UUID
    notice_no: str | None = Field(description="通知番号")
    kind: str | None
    notice_date: date | None = Field(description="通知年月日")
    effective_date: date | None = Field(description="異動日")
    special_permanent: bool = Field(description="特別永住者 (imported by hand)")
    status: str = Field(description="published | by_hand | invalid | imported_by_hand")
    command_id: UUID | None = Field(
        description="the registry.moj_notice command (its pending change: maker system:moj)"
    )
    detail: str | None
    received_at: datetime
    trace_id: str | None
    imported_at: datetime | None
    imported_by: str | None
    import_note: str | None


class DirectorNoticeOut(DirectorNoticeSummaryOut):
    body: dict[str, Any] = Field(description="the notice as received (for a hand import)")
