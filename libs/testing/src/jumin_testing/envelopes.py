"""Envelopes as the registry's relay publishes them, for adapters' tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

from jumin_contracts.codes import ChangeKind
from jumin_contracts.envelope import Envelope, new_event_id
from jumin_contracts.messages import RecipientMessage

__all__ = ["person", "wrap"]


def person() -> str:
    """Return a fresh person key."""
    return f"test_{uuid4().hex}"


def wrap(
    message: RecipientMessage, person_key: str, seq: int, *, notified_on: date | None = None
) -> Envelope:
    """Wrap a payload in a new event of the person, `seq` its per-person sequence number
    (`notified_on`: the 届出日 of a change made on a 届出; None for 職権)."""
    change_kind = getattr(message, "change_kind", ChangeKind.DOMESTIC_MOVE_IN)
    return Envelope.wrap(
        message,
        change_id=uuid4(),
        person_key=person_key,
        seq=seq,
        kind=change_kind,
        occurred_on=getattr(message, "occurred_on", "2026-04-01"),
        notified_on=notified_on,
        recorded_at=datetime.now(UTC),
        event_id=new_event_id(),
    )
