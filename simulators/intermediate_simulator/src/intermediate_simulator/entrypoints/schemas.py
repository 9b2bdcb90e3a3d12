"""What the HTTP API answers (OpenAPI response models)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from jumin_simulator.idempotency import Acknowledgement
from jumin_simulator.received import ReceivedOut as SharedReceivedOut
from pydantic import BaseModel, Field

from intermediate_simulator.domain.copies import CopyVersion
from intermediate_simulator.domain.inquiries import Outcome, ProvisionRecord
from intermediate_simulator.domain.state import Receipt
from intermediate_simulator.service_layer.handlers import Answer


class CopyReceipt(BaseModel):
    """受付: the 受付番号, the 副本's version this operation made, and whether this is a replay."""

    receipt_no: str
    received_at: datetime
    version: int = Field(description="the 副本's version after the operation (1, 2, …)")
    replayed: bool

    @classmethod
    def of(cls, acknowledgement: Acknowledgement[Receipt]) -> CopyReceipt:
        """Describe a receipt."""
        receipt = acknowledgement.receipt
        return cls(
            receipt_no=receipt.receipt_no,
            received_at=receipt.received_at,
            version=receipt.version,
            replayed=acknowledgement.replayed,
        )


class CopyOut(BaseModel):
    """A 副本 as it stands: its last version (`deleted`: the last operation was a delete)."""

    fugo: str
    data_item: str
    version: int
    operation: str
    as_of: datetime
    deleted: bool
    items: dict[str, Any] | None
    receipt_no: str
    stored_at: datetime

    @classmethod
    def of(cls, copy: CopyVersion) -> CopyOut:
        """Describe a 副本."""
        return cls(**copy.model_dump(), deleted=copy.deleted)


class CopyPage(BaseModel):
    """副本 in first-registration order after a position; `next` is the position to ask after."""

    items: list[CopyOut]
    next: int


class RecordPage(BaseModel):
    """情報提供等記録 of one 符号, oldest first, after a position; `next` to ask after."""

    items: list[ProvisionRecord]
    next: int


class AnswerOut(BaseModel):
    """The 情報照会's answer as the asking body gets it, with the record it left."""

    record_no: str
    outcome: Outcome
    refusal_code: str | None
    clause: str | None = Field(description="法令の条項 the answer rests on")
    items: dict[str, Any] | None = Field(description="the 副本's items (provided only)")
    as_of: str | None = Field(description="the 副本's as_of (provided only)")

    @classmethod
    def of(cls, answer: Answer) -> AnswerOut:
        """Describe an answer."""
        record = answer.record
        return cls(
            record_no=record.record_no,
            outcome=record.outcome,
            refusal_code=record.refusal_code,
            clause=record.clause,
            items=answer.items,
            as_of=answer.as_of,
        )


class ReceivedOut(SharedReceivedOut):
    """A received 副本 operation and the version it made (simulator inspection)."""

    version: int

    @classmethod
    def of(cls, receipt: Receipt) -> ReceivedOut:
        """Describe a received message."""
        return cls(
            **cls.items_of(receipt),
            version=receipt.version,
        )


class ReceivedList(BaseModel):
    """Received operations in receipt order."""

    items: list[ReceivedOut]
