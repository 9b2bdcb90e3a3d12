"""What the delivery use cases need from an adapter: its sender, how it keeps messages at rest,
and units of work over its ledger.

`Transmitter` is the external system's client (`CsClient`, `FuhyoClient`); `RecordKeeping` says
what of a message is stored (cs_adapter seals the 個人番号; most adapters store the body as sent)
and how a stored record becomes a message again, with which idempotency key a 再送信 goes.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol
from uuid import UUID

from jumin_platform.deliveries.ledger import DeliveryLedger
from jumin_platform.deliveries.records import (
    Delivery,
    DeliveryStatus,
    NewDelivery,
    Outgoing,
    Reply,
)
from jumin_platform.telemetry import current_trace_id

__all__ = [
    "LedgerUnit",
    "LedgerUnits",
    "PlainKeeping",
    "RecordKeeping",
    "Transmitter",
    "current_trace_id",
    "new_record",
]


class Transmitter(Protocol):
    """Send one message under an idempotency key; no answer at all is a reply with status None."""

    async def send(self, message: Outgoing, *, event_id: UUID, key: UUID) -> Reply: ...


class RecordKeeping(Protocol):
    """How an adapter keeps its messages in the record, and gets them back to send again."""

    def at_rest(self, message: Outgoing, *, person_key: str) -> tuple[dict[str, Any], str | None]:
        """Return the body to store and the sealed 個人番号 (None when the message has none)."""
        ...

    def rebuild(self, delivery: Delivery) -> Outgoing:
        """Return the message a record holds, ready to send again."""
        ...

    def resend_key(self, delivery: Delivery) -> UUID:
        """Return the idempotency key a 再送信 of this record goes with."""
        ...


class PlainKeeping:
    """Keep the body as sent (nothing secret in it); a 再送信 is a new transmission, a new key."""

    def at_rest(self, message: Outgoing, *, person_key: str) -> tuple[dict[str, Any], str | None]:
        return dict(message.body), None

    def rebuild(self, delivery: Delivery) -> Outgoing:
        return Outgoing(delivery.type, dict(delivery.body))

    def resend_key(self, delivery: Delivery) -> UUID:
        return uuid.uuid4()


class LedgerUnit(Protocol):
    """One transaction over the ledger (the adapter's unit of work has at least this)."""

    @property
    def deliveries(self) -> DeliveryLedger: ...

    async def commit(self) -> None: ...


LedgerUnits = Callable[[], AbstractAsyncContextManager[LedgerUnit]]
"""Start a new unit of work (`uow()`); `async with uow() as unit: ... await unit.commit()`."""


def new_record(
    keeping: RecordKeeping,
    message: Outgoing,
    *,
    event_id: UUID,
    key: UUID,
    person_key: str,
    seq: int | None,
    status: DeliveryStatus,
    reply: Reply | None = None,
    resend_of: int | None = None,
    operator: str | None = None,
    note: str | None = None,
) -> NewDelivery:
    """Return the record of one transmission (or held message) of `message`, under this trace."""
    body, sealed = keeping.at_rest(message, person_key=person_key)
    return NewDelivery(
        event_id=event_id,
        idempotency_key=key,
        type=str(message.type),
        person_key=person_key,
        seq=seq,
        change_reason=message.change_reason,
        fields=message.fields,
        body=body,
        my_number_sealed=sealed,
        status=status,
        reply=reply,
        trace_id=current_trace_id(),
        resend_of=resend_of,
        operator=operator,
        note=note,
    )
