"""Response models of the CS operator routes of its own (整合性確認, 取り込んだ通知).

The delivery record's models are the platform's (`jumin_platform.deliveries.api_models`).
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field


class MismatchOut(BaseModel):
    person_key: str
    fields: list[str]


class ConsistencyOut(BaseModel):
    """整合性確認の結果: people and fields, never values."""

    id: int
    started_at: datetime
    finished_at: datetime
    checked: int = Field(description="the registry's records compared")
    cs_records: int = Field(description="records CS holds")
    missing_at_cs: list[str] = Field(description="person keys CS holds nothing for")
    unknown_at_cs: list[str] = Field(description="CS receipt numbers of records the ward lacks")
    mismatched: list[MismatchOut]


class NotificationOut(BaseModel):
    """CSから取り込んだ通知 (個人番号, 転入通知) and the command it became."""

    notification_id: UUID
    cursor: int
    type: str
    received_at: datetime
    outcome: str = Field(description="published | ignored | invalid")
    command_id: UUID | None
    routing_key: str | None
    detail: str | None
    trace_id: str | None
