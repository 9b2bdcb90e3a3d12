"""How the `/sim/received` routes describe a received message: the items every simulator has."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel

from jumin_simulator.state import Received


class ReceivedOut(BaseModel):
    """A received message (simulator inspection); each simulator adds what it answered."""

    idempotency_key: UUID
    event_id: UUID
    municipality_code: str
    sent_at: datetime
    body: dict[str, Any]
    receipt_no: str
    received_at: datetime
    traceparent: str | None

    @staticmethod
    def items_of(receipt: Received[Any, Any]) -> dict[str, Any]:
        """The shared items of a receipt whose envelope has `event_id`, `municipality_code` and
        `sent_at`."""
        envelope = receipt.envelope
        return {
            "idempotency_key": receipt.idempotency_key,
            "event_id": envelope.event_id,
            "municipality_code": envelope.municipality_code,
            "sent_at": envelope.sent_at,
            "body": receipt.body.model_dump(mode="json"),
            "receipt_no": receipt.receipt_no,
            "received_at": receipt.received_at,
            "traceparent": receipt.traceparent,
        }
