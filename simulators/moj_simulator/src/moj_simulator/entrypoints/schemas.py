"""What the HTTP API answers (OpenAPI response models)."""

from __future__ import annotations

from datetime import datetime

from jumin_simulator.idempotency import Acknowledgement
from jumin_simulator.received import ReceivedOut as SharedReceivedOut
from pydantic import BaseModel

from moj_simulator.domain.state import IssuedResult, Receipt


class NoticeReceipt(BaseModel):
    """受付: the 受付番号, when the processing result is due, and whether this is a replay."""

    receipt_no: str
    received_at: datetime
    result_due_at: datetime
    replayed: bool

    @classmethod
    def of(cls, acknowledgement: Acknowledgement[Receipt]) -> NoticeReceipt:
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


class ReceivedOut(SharedReceivedOut):
    """A received notice and its result so far (simulator inspection)."""

    type: str
    result_due_at: datetime
    result: ResultOut | None

    @classmethod
    def of(cls, receipt: Receipt, issued: IssuedResult | None) -> ReceivedOut:
        """Describe a received notice."""
        return cls(
            **cls.items_of(receipt),
            type=receipt.envelope.type,
            result_due_at=receipt.result_due_at,
            result=ResultOut.of(issued),
        )


class ReceivedList(BaseModel):
    """Received notices in receipt order."""

    items: list[ReceivedOut]
