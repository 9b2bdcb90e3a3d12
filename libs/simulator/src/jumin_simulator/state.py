"""A simulator's state rebuilt from its journal: the part every simulator's state shares.

Each simulator keeps what it holds in memory (a dataclass deriving from `JournaledState`) and,
with a journal, appends every change to it; `restore` replays the journal at start, so a
restarted simulator holds what it held before, and its notification cursors continue above
every cursor it handed out (the feed's cursor base is the journal's first entry).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Self

from jumin_simulator.feed import NotificationFeed
from jumin_simulator.journal import Entry, Journal

__all__ = ["JournaledState"]


@dataclass
class JournaledState:
    """Base of a simulator's state: its notification feed and the journal that records it.

    Subclasses are dataclasses whose own fields all have defaults; they record each change with
    `_record` and replay one in `_replay` (the entry kinds are theirs)."""

    feed: NotificationFeed = field(default_factory=NotificationFeed)
    journal: Journal | None = None

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

    def _record(self, entry: Entry) -> None:
        if self.journal is not None:
            self.journal.append(entry)

    def _replay(self, entry: Entry) -> None:
        raise NotImplementedError(f"{type(self).__name__} replays no {entry['kind']!r} entries")
