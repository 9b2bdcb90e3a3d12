"""Access-log checkpoints (チェックポイント) on an in-memory table (no I/O).

The hash chain alone shows a changed, deleted or reordered row, but not rows deleted from the end:
what remains is still a valid chain. A checkpoint (seq:hash of the head, kept outside the database)
makes verification also require that the chain still reaches that row with exactly that hash.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
from jumin_platform.access_log import (
    GENESIS,
    AccessEntry,
    AccessLog,
    ChainReport,
    Checkpoint,
    parse_checkpoints,
)

COLUMNS = [
    "seq",
    "occurred_at",
    "operator",
    "terminal",
    "function",
    "subjects",
    "my_number_accessed",
    "outcome",
    "status_code",
    "trace_id",
    "prev_hash",
    "row_hash",
]
START = datetime(2025, 4, 1, 9, 0, tzinfo=UTC)


class MemoryTable:
    """Stand in for an asyncpg connection to one access-log table (rows as dicts)."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self.pages = 0

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        yield

    async def execute(self, sql: str, *args: Any) -> None:
        if sql.startswith("INSERT"):
            self.rows.append(dict(zip(COLUMNS, args, strict=True)))

    async def fetchrow(self, sql: str, *args: Any) -> dict[str, Any] | None:
        return max(self.rows, key=lambda r: r["seq"], default=None)

    async def fetchval(self, sql: str, seq: int) -> bytes | None:
        """Answer the row-hash look-up of a window's starting checkpoint."""
        return next((r["row_hash"] for r in self.rows if r["seq"] == seq), None)

    async def fetch(self, sql: str, after: int, limit: int) -> list[dict[str, Any]]:
        """Answer one page of the verify's scan: rows after `after`, in seq order."""
        self.pages += 1
        ordered = [r for r in sorted(self.rows, key=lambda r: r["seq"]) if r["seq"] > after]
        return ordered[:limit]


LOG = AccessLog("test.access_log")


def _entry(n: int, operator: str = "viewer01") -> AccessEntry:
    return AccessEntry(
        occurred_at=START + timedelta(minutes=n),
        operator=operator,
        terminal="shinjuku-madoguchi-01",
        function="get_resident",
        subjects=(f"{n:010d}",),
        outcome="ok",
        status_code=200,
    )


async def _append(table: MemoryTable, count: int, operator: str = "viewer01") -> None:
    for n in range(count):
        await LOG.append(cast(Any, table), _entry(n, operator))


async def _checkpoint(table: MemoryTable) -> Checkpoint:
    return await LOG.checkpoint(cast(Any, table))


async def _verify(table: MemoryTable, *expect: Checkpoint) -> ChainReport:
    return await LOG.verify(cast(Any, table), expect)


# ---- taking a checkpoint ----------------------------------------------------------------------


async def test_a_checkpoint_names_the_head_row_and_when_it_was_taken() -> None:
    table = MemoryTable()
    await _append(table, 3)
    before = datetime.now(UTC)

    checkpoint = await _checkpoint(table)

    head = table.rows[-1]
    assert (checkpoint.seq, checkpoint.row_hash) == (3, head["row_hash"].hex())
    assert checkpoint.line == f"3:{head['row_hash'].hex()}"
    assert checkpoint.at is not None
    assert before <= checkpoint.at <= datetime.now(UTC)


async def test_the_checkpoint_of_an_empty_log_is_row_0_with_the_genesis_hash() -> None:
    table = MemoryTable()

    checkpoint = await _checkpoint(table)

    assert checkpoint.line == f"0:{GENESIS.hex()}"
    assert (await _verify(table, checkpoint)).ok


# ---- verifying with checkpoints ---------------------------------------------------------------


async def test_rows_appended_after_a_checkpoint_keep_it_valid() -> None:
    table = MemoryTable()
    await _append(table, 3)
    first = await _checkpoint(table)
    await _append(table, 2)
    second = await _checkpoint(table)
    await _append(table, 1)

    report = await _verify(table, first, second)

    assert (report.ok, report.rows, report.checkpoints) == (True, 6, 2)
    assert (report.last_seq, report.head_seq, report.complete) == (6, 6, True)


async def test_without_checkpoints_the_report_is_as_before() -> None:
    table = MemoryTable()
    await _append(table, 4)

    report = await _verify(table)

    assert (report.ok, report.rows, report.checkpoints, report.first_bad_seq) == (True, 4, 0, None)
    assert report.next == (await _checkpoint(table)).line


async def test_a_window_starts_at_a_checkpoint_and_says_where_to_go_on() -> None:
    table = MemoryTable()
    await _append(table, 3)
    anchor = await _checkpoint(table)
    await _append(table, 5)

    first = await LOG.verify(cast(Any, table), after=anchor, limit=3)
    assert first.next is not None
    rest = await LOG.verify(cast(Any, table), after=Checkpoint.parse(first.next), limit=3)

    assert (first.ok, first.rows, first.last_seq, first.complete) == (True, 3, 6, False)
    assert (rest.ok, rest.rows, rest.last_seq, rest.complete) == (True, 2, 8, True)
    assert rest.next == (await _checkpoint(table)).line


async def test_a_window_from_a_checkpoint_the_log_no_longer_holds_verifies_nothing() -> None:
    table = MemoryTable()
    await _append(table, 3)
    anchor = await _checkpoint(table)
    table.rows[2]["row_hash"] = bytes(32)  # the checkpoint's row was rewritten

    report = await LOG.verify(cast(Any, table), after=anchor)

    assert (report.ok, report.rows, report.first_bad_seq) == (False, 0, 3)
    assert f"does not match checkpoint {anchor.line}" in (report.problem or "")


async def test_a_truncated_tail_passes_the_bare_chain_but_fails_against_a_checkpoint() -> None:
    table = MemoryTable()
    await _append(table, 5)
    checkpoint = await _checkpoint(table)

    del table.rows[3:]  # someone with database rights removes the last two rows

    assert (await _verify(table)).ok  # the weakness a checkpoint closes
    report = await _verify(table, checkpoint)
    assert not report.ok
    assert (report.rows, report.first_bad_seq) == (3, 4)
    assert "rows after 3 are missing (tail truncated)" in (report.problem or "")


async def test_a_log_rewritten_to_the_same_length_fails_at_the_checkpoints_row() -> None:
    table = MemoryTable()
    await _append(table, 2)
    checkpoint = await _checkpoint(table)
    table.rows.clear()
    await _append(table, 3, operator="someone_else")  # a fresh, valid chain past the checkpoint

    assert (await _verify(table)).ok
    report = await _verify(table, checkpoint)
    assert not report.ok
    assert (report.rows, report.first_bad_seq) == (1, 2)
    assert f"does not match checkpoint {checkpoint.line}" in (report.problem or "")


async def test_a_checkpoint_with_another_hash_is_reported_at_its_row() -> None:
    table = MemoryTable()
    await _append(table, 3)
    forged = Checkpoint(seq=2, row_hash="ab" * 32)

    report = await _verify(table, forged)

    assert not report.ok
    assert report.first_bad_seq == 2
    assert "does not match checkpoint 2:abab" in (report.problem or "")


async def test_a_broken_chain_is_reported_before_a_missing_tail() -> None:
    table = MemoryTable()
    await _append(table, 4)
    checkpoint = await _checkpoint(table)
    table.rows[1]["operator"] = "intruder"
    del table.rows[3:]

    report = await _verify(table, checkpoint)

    assert not report.ok
    assert report.first_bad_seq == 2
    assert "changed" in (report.problem or "")


# ---- the line kept outside the database -------------------------------------------------------


def test_a_checkpoint_line_round_trips() -> None:
    line = f"42:{'0f' * 32}"

    assert Checkpoint.parse(f"  {line}\n").line == line
    assert Checkpoint.parse(f"42:{'0F' * 32}").line == line  # hex in either case


@pytest.mark.parametrize(
    "text", ["", "42", "42:", f"-1:{'0' * 64}", f"x:{'0' * 64}", f"42:{'0' * 63}", f"42:{'g' * 64}"]
)
def test_a_malformed_checkpoint_line_is_refused_by_name(text: str) -> None:
    with pytest.raises(ValueError, match="not a checkpoint"):
        Checkpoint.parse(text)


def test_a_checkpoints_file_skips_blank_lines_and_comments() -> None:
    lines = ["# auditor's log, 2025-04", "", f"10:{'a' * 64}  # 09:00", f"20:{'b' * 64}"]

    assert [c.line for c in parse_checkpoints(lines)] == [f"10:{'a' * 64}", f"20:{'b' * 64}"]


async def test_a_long_log_is_read_in_pages_and_a_window_stops_at_its_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("jumin_platform.access_log.PAGE_ROWS", 2)
    table = MemoryTable()
    await _append(table, 7)

    whole = await _verify(table)
    pages_whole, table.pages = table.pages, 0
    window = await LOG.verify(cast(Any, table), limit=3)

    assert (whole.ok, whole.rows, pages_whole) == (True, 7, 4)  # 2 + 2 + 2 + 1
    assert (window.ok, window.rows, window.complete, table.pages) == (True, 3, False, 2)
