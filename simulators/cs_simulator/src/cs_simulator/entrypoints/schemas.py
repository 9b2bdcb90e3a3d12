"""What the HTTP API answers (OpenAPI response models)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel

from cs_simulator.domain.state import FreeCodeBatch, Transmission
from cs_simulator.service_layer.handlers import Receipt


class MessageReceipt(BaseModel):
    """受付結果: the 受付番号 and whether this answer replays a stored one."""

    receipt_no: str
    received_at: datetime
    replayed: bool

    @classmethod
    def of(cls, receipt: Receipt) -> MessageReceipt:
        """Describe a receipt."""
        stored = receipt.transmission
        return cls(
            receipt_no=stored.receipt_no, received_at=stored.received_at, replayed=receipt.replayed
        )


class FreeCodeBatchOut(BaseModel):
    """空き住民票コード: one batch."""

    batch_id: UUID
    codes: list[str]

    @classmethod
    def of(cls, batch: FreeCodeBatch) -> FreeCodeBatchOut:
        """Describe a batch."""
        return cls(batch_id=batch.batch_id, codes=list(batch.codes))


def _as_sent(body: dict[str, Any]) -> dict[str, Any]:
    """Show the former 住民票コード only on an identity that carried one (a code change)."""
    if body.get("previous_juminhyo_code", "") is None:
        del body["previous_juminhyo_code"]
    return body


class IdentityOut(BaseModel):
    """本人確認情報 CS holds for one 住民票コード: the latest accepted identity body."""

    juminhyo_code: str
    body: dict[str, Any]
    receipt_no: str
    received_at: datetime

    @classmethod
    def of(cls, transmission: Transmission) -> IdentityOut:
        """Describe a held identity."""
        return cls(
            juminhyo_code=transmission.juminhyo_code,
            # the former code only told CS to move the person; it is not an item CS holds
            body=transmission.body.model_dump(mode="json", exclude={"previous_juminhyo_code"}),
            receipt_no=transmission.receipt_no,
            received_at=transmission.received_at,
        )


class IdentityPage(BaseModel):
    """A page of held identities; `next` is the code to ask after, null on the last page."""

    items: list[IdentityOut]
    next: str | None


class TransmissionOut(BaseModel):
    """A stored transmission (simulator inspection)."""

    idempotency_key: UUID
    event_id: UUID
    type: str
    municipality_code: str
    sent_at: datetime
    body: dict[str, Any]
    receipt_no: str
    received_at: datetime
    traceparent: str | None

    @classmethod
    def of(cls, t: Transmission) -> TransmissionOut:
        """Describe a stored transmission."""
        return cls(
            idempotency_key=t.idempotency_key,
            event_id=t.envelope.event_id,
            type=t.envelope.type,
            municipality_code=t.envelope.municipality_code,
            sent_at=t.envelope.sent_at,
            body=_as_sent(t.body.model_dump(mode="json")),
            receipt_no=t.receipt_no,
            received_at=t.received_at,
            traceparent=t.traceparent,
        )


class TransmissionList(BaseModel):
    """Stored transmissions in receipt order."""

    items: list[TransmissionOut]
