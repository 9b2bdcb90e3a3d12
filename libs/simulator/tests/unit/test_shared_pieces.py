"""The pieces the simulators share: the journal keeps entries in order across a reopen, the feed
pages by cursor and continues after a replay, a repeated key replays or is refused."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from jumin_simulator.errors import CodedError
from jumin_simulator.feed import NotificationFeed, journal_entry, replay_entry
from jumin_simulator.idempotency import replay_of
from jumin_simulator.journal import SqliteJournal


def test_a_reopened_journal_reads_back_what_was_appended_and_is_private(tmp_path: Path) -> None:
    path = tmp_path / "sim" / "state.sqlite3"
    first = SqliteJournal(path)
    first.append({"kind": "start", "n": 1})
    first.append({"kind": "next", "text": "新宿"})
    first.close()

    again = SqliteJournal(path)

    assert again.entries() == [{"kind": "start", "n": 1}, {"kind": "next", "text": "新宿"}]
    assert path.stat().st_mode & 0o777 == 0o600
    again.clear()
    assert again.entries() == []


def test_a_feed_replayed_from_its_journal_continues_its_cursors() -> None:
    feed = NotificationFeed(cursor_base=1000)
    now = datetime.now(UTC)
    entries = [
        journal_entry(feed.append(type_="a", body={"i": i}, now=now, traceparent=None))
        for i in range(3)
    ]

    replayed = NotificationFeed(cursor_base=1000)
    for entry in entries:
        replay_entry(replayed, entry)
    fresh = replayed.append(type_="a", body={}, now=now, traceparent=None)

    assert replayed.items[:3] == feed.items
    assert [n.cursor for n in replayed.after(1001, 10)] == [1002, 1003, 1004]
    assert fresh.cursor == 1004
    assert replayed.after(2000, 10) == []


def test_a_repeated_key_replays_the_same_message_and_refuses_another() -> None:
    assert replay_of(None, same=lambda stored: False) is None
    assert replay_of("stored", same=lambda stored: True) == "stored"
    with pytest.raises(CodedError) as refused:
        replay_of("stored", same=lambda stored: False)
    assert (refused.value.status, refused.value.code) == (409, "E-KEY-REUSED")
