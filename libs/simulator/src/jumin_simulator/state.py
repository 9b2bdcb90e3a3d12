"""A simulator's state rebuilt from its journal: the part every simulator's state shares.

Each simulator keeps what it holds in memory (a dataclass deriving from `JournaledState`) and,
with a journal, appends every change to it; `restore` replays the journal at start, so a
restarted simulator holds what it held before, and its notification cursors continue above
every cursor it handed out (the feed's cursor base is the journal's first entry).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Generic, Self, TypeVar
from uuid import UUID

from pydantic import BaseModel

from jumin_simulator.feed import Notification, NotificationFeed, journal_entry, replay_entry
from jumin_simulator.journal import Entry, Journal

__all__ = ["EventCount", "JournaledState", "Received", "ReceivingState"]

_Envelope = TypeVar("_Envelope", bound=BaseModel)
_Body = TypeVar("_Body", bound=BaseModel)


@dataclass(frozen=True)
class Received(Generic[_Envelope, _Body]):
    """A message stored at its first receipt under an idempotency key, with its 受付番号.

    Simulators subclass it with what they add (an answer, a due time)."""

    idempotency_key: UUID
    envelope: _Envelope
    body: _Body
    receipt_no: str
    received_at: datetime
    traceparent: str | None

    def same_message(self, envelope: _Envelope, body: _Body) -> bool:
        """Tell whether a resend carries the same message: the same envelope items but its own
        `sent_at`, and the same body after validation."""
        return (_sender_items(self.envelope), self.body) == (_sender_items(envelope), body)

    def journal_items(self) -> Entry:
        """The journal's record of the receipt (its subclass adds `kind` and its own items)."""
        return {
            "key": str(self.idempotency_key),
            "envelope": self.envelope.model_dump(mode="json"),
            "receipt_no": self.receipt_no,
            "at": self.received_at.isoformat(),
            "traceparent": self.traceparent,
        }

    @staticmethod
    def loaded_items(entry: Entry) -> dict[str, Any]:
        """`journal_items` read back, as keyword arguments (the envelope and body apart: the
        subclass validates them as its own models)."""
        return {
            "idempotency_key": UUID(entry["key"]),
            "receipt_no": entry["receipt_no"],
            "received_at": datetime.fromisoformat(entry["at"]),
            "traceparent": entry["traceparent"],
        }

    def dump(self) -> Entry:
        """The journal entry of the receipt: `journal_items`, its `kind` and the subclass's own."""
        raise NotImplementedError(f"{type(self).__name__} records no journal entry")


def _sender_items(envelope: BaseModel) -> dict[str, Any]:
    """The envelope's items that make a message the same message (not when it was sent)."""
    return envelope.model_dump(exclude={"sent_at", "body"})


@dataclass
class EventCount:
    """How often an event was received (distinct keys) and how often it was sent at all."""

    accepted: int = 0
    attempts: int = 0


@dataclass
class JournaledState:
    """Base of a simulator's state: its notification feed, the count of messages per event, and
    the journal that records them.

    Subclasses are dataclasses whose own fields all have defaults; they record each change with
    `_record` and replay one in `_replay` (the entry kinds are theirs, but `attempt` and
    `notify`)."""

    feed: NotificationFeed = field(default_factory=NotificationFeed)
    journal: Journal | None = None
    counts: dict[UUID, EventCount] = field(default_factory=dict)

    @classmethod
    def restore(cls, journal: Journal) -> Self:
        """Replay the journal (empty: a fresh state, its cursor base recorded first)."""
        entries = journal.entries()
        if not entries:
            state = cls(journal=journal)
            journal.append({"kind": "start", "cursor_base": state.feed.cursor_base})
            return state
        state = cls(feed=NotificationFeed(cursor_base=entries[0]["cursor_base"]))
        for entry in entries[1:]:
            if entry["kind"] == "attempt":
                state.count_attempt(UUID(entry["event_id"]))
            elif entry["kind"] == "notify":
                replay_entry(state.feed, entry)
            else:
                state._replay(entry)
        state.journal = journal
        return state

    @classmethod
    def fresh(cls, journal: Journal | None) -> Self:
        """Start again from nothing (a reset): the journal, if any, is cleared first."""
        if journal is None:
            return cls()
        journal.clear()
        return cls.restore(journal)

    def notify(
        self, *, type_: str, body: dict[str, Any], now: datetime, traceparent: str | None
    ) -> Notification:
        """Queue a notice for the ward with the next cursor."""
        notification = self.feed.append(type_=type_, body=body, now=now, traceparent=traceparent)
        self._record(journal_entry(notification))
        return notification

    def count_attempt(self, event_id: UUID) -> None:
        """Count one POST of a message for this event, whatever its fate."""
        self.counts.setdefault(event_id, EventCount()).attempts += 1
        self._record({"kind": "attempt", "event_id": str(event_id)})

    def count_accepted(self, event_id: UUID) -> None:
        """Count a first receipt of a message for this event (journaled with the receipt)."""
        self.counts.setdefault(event_id, EventCount()).accepted += 1

    def _record(self, entry: Entry) -> None:
        if self.journal is not None:
            self.journal.append(entry)

    def _replay(self, entry: Entry) -> None:
        raise NotImplementedError(f"{type(self).__name__} replays no {entry['kind']!r} entries")


_Receipt = TypeVar("_Receipt", bound=Received[Any, Any])


@dataclass
class ReceivingState(JournaledState, Generic[_Receipt]):
    """A state that keeps its first receipts by idempotency key, numbered `<PREFIX>-000001` on.

    Subclasses set `receipt_prefix` and replay their `receipt` entries with `keep_receipt`."""

    receipt_prefix: ClassVar[str]
    receipts: dict[UUID, _Receipt] = field(default_factory=dict)

    def next_receipt_no(self) -> str:
        """The 受付番号 of the next first receipt."""
        return f"{self.receipt_prefix}-{len(self.receipts) + 1:06d}"

    def keep_receipt(self, receipt: _Receipt) -> None:
        """Store a first receipt under its key."""
        self.receipts[receipt.idempotency_key] = receipt
        self.count_accepted(receipt.envelope.event_id)
        self._record(receipt.dump())
