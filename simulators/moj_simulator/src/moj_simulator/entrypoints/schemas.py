"""What the HTTP API answers (OpenAPI response models)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel

from moj_simulator.domain.state import IssuedResult, Receipt
from moj_simulator.service_layer.handlers import Acknowledgement


class NoticeReceipt(BaseModel):
    """受付: the 受付番号, when the processing result is due, and whether this is a replay."""

    receipt_no: str
    received_at: datetime
    result_due_at: datetime
    replayed: bool

    @classmethod
    def of(cls, acknowledgement: Acknowledgement) -> NoticeReceipt:
        """Describe a receipt."""
        receipt = acknowledgement.receipt
        return cls(
            receipt_no=receipt.receipt_no,
            received_at=receipt.received_at,
            result_due_at=receipt.result_due_at,
            replayed=acknowledgement.replayed,
        )


class ResultOut(BaseModel):
    """The processing result sent for a notice: `ok` or `error` with its code."""

    result: str
    error_code: str | None

    @classmethod
    def of(cls, issued: IssuedResult | None) -> ResultOut | None:
        """Describe a sent result (None: still pending)."""
        if issued is None:
            return None
        code = issued.error_code
        return cls(result="ok" if code is None else "error", error_code=code)


class ReceivedOut(BaseModel):
    """A received notice and its result so far (simulator inspection)."""

    idempotency_key: UUID
    event_id: UUID
    type: str
    municipality_code: str
    sent_at: datetime
    body: dict[str, Any]
    receipt_no: str
    received_at: datetime
    result_due_at: datetime
    traceparent: str | None
    result: ResultOut | None

    @classmethod
    def of(cls, receipt: Receipt, issued: IssuedResult | None) -> ReceivedOut:
        """Describe a received notice."""
        envelope = receipt.envelope
        return cls(
            idempotency_key=receipt.idempotency_key,
            event_id=envelope.event_id,
            type=envelope.type,
            municipality_code=envelope.municipality_code,
            sent_at=envelope.sent_at,
            body=receipt.body.model_dump(mode="json"),
            receipt_no=receipt.receipt_no,
            received_at=receipt.received_at,
            result_due_at=receipt.result_due_at,
            traceparent=receipt.traceparent,
            result=ResultOut.of(issued),
        )


class ReceivedList(BaseModel):
    """Received notices in receipt order."""

    items: list[ReceivedOut]
