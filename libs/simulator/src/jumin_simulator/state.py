"""A simulator's state rebuilt from its journal: the part every simulator's state shares.

Each simulator keeps what it holds in memory (a dataclass deriving from `JournaledState`) and,
with a journal, appends every change to it; `restore` replays the journal at start, so a
restarted simulator holds what it held before, and its notification cursors continue above
every cursor it handed out (the feed's cursor base is the journal's first entry).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Self
from uuid import UUID

from jumin_simulator.feed import NotificationFeed
from jumin_simulator.journal import Entry, Journal

__all__ = ["EventCount", "JournaledState"]


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
    `_record` and replay one in `_replay` (the entry kinds are theirs, but `attempt`)."""

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
