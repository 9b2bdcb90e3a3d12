"""Response models of the CS operator routes of its own (整合性確認, 取り込んだ通知).

The delivery record's models are the platform's (`jumin_platform.deliveries.api_models`), so
are the notifications' (`jumin_platform.inbound.api`).
"""

from __future__ import annotations

from datetime import datetime

from jumin_platform.consistency.api import MismatchOut
from jumin_platform.inbound.api import NotificationOut
from pydantic import BaseModel, Field

__all__ = ["ConsistencyOut", "MismatchOut", "NotificationOut"]


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
