"""The operator API's view of the notifications taken in (取込の記録): ids, types, outcomes."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field

from jumin_platform.inbound.store import TakenIn

__all__ = ["NotificationOut"]


class NotificationOut(BaseModel):
    """A notification taken in from the external system and the command it became (no body)."""

    notification_id: UUID
    cursor: int
    type: str
    received_at: datetime
    outcome: str = Field(description="published | kept | ignored | invalid")
    command_id: UUID | None
    routing_key: str | None
    detail: str | None = Field(
        description="why kept, ignored or invalid: types, ids and field names only"
    )
    trace_id: str | None

    @classmethod
    def of(cls, taken: TakenIn) -> NotificationOut:
        return cls.model_validate(taken, from_attributes=True)
