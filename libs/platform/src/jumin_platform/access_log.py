"""Tamper-evident access log (アクセスログ, spec 10.2): append-only rows chained by SHA-256.

Each row stores the hash of the row before it and its own hash over its content, so changing,
deleting or reordering any row breaks the chain at that row. Appends are serialised with a
transaction-scoped advisory lock; the table itself is insert-only for the service role.

The chain alone cannot show rows deleted from the END (what remains is still a valid chain), nor
a log rewritten from some row on with freshly computed hashes. A checkpoint (チェックポイント) closes
that gap: the head's ``seq:row_hash``, taken periodically and kept where the database
administrator cannot rewrite it (the auditor's paper log, another system, a WORM store). Verifying
with checkpoints also requires the chain to reach each checkpoint's seq with exactly that hash.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from collections.abc import AsyncGenerator, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import asyncpg

from jumin_platform.db import AnyConnection

GENESIS = bytes(32)
"""prev_hash of the first row."""

PAGE_ROWS = 1_000
"""Rows read per statement while verifying."""


@dataclass(frozen=True, kw_only=True)
class AccessEntry:
    """Describe one access to personal data: who, when, where, what, whom, outcome."""

    occurred_at: datetime
    operator: str | None  # 操作者ID (None when authentication failed)
    terminal: str | None  # 端末名
    function: str  # 機能名
    subjects: Sequence[str] = field(default_factory=tuple)  # 処理対象者 (宛名番号)
    my_number_accessed: bool = False  # 個人番号へのアクセス有無
    outcome: str  # ok / denied / unauthenticated / refused / not_found / error
    status_code: int | None = None
    trace_id: str | None = None


def _canonical(seq: int, entry: AccessEntry) -> bytes:
    content = {
        "seq": seq,
        "occurred_at": entry.occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "operator": entry.operator,
        "terminal": entry.terminal,
        "function": entry.function,
        "subjects": sorted(entry.subjects),
        "my_number_accessed": entry.my_number_accessed,
        "outcome": entry.outcome,
        "status_code": entry.status_code,
        "trace_id": entry.trace_id,
    }
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def chain_hash(prev_hash: bytes, seq: int, entry: AccessEntry) -> bytes:
    """Return the hash of a row: SHA-256 over the previous hash and the row's canonical content."""
    return hashlib.sha256(prev_hash + _canonical(seq, entry)).digest()


_CHECKPOINT_LINE = re.compile(r"(\d+):([0-9a-fA-F]{64})")


@dataclass(frozen=True)
class Checkpoint:
    """Name the chain's head at one moment (チェックポイント): its seq and row_hash (hex).

    Written and read as one line ``seq:hash``; ``at`` (when it was taken) is informational.
    Seq 0 with the genesis hash stands for an empty log.
    """

    seq: int
    row_hash: str
    at: datetime | None = None

    @property
    def line(self) -> str:
        """Return the checkpoint as the line kept outside the database: ``seq:hash``."""
        return f"{self.seq}:{self.row_hash}"

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        """Read a ``seq:hash`` line (64 hex digits); raise ValueError naming what is wrong."""
        match = _CHECKPOINT_LINE.fullmatch(text.strip())
        if match is None:
            raise ValueError(f"not a checkpoint (want seq:64-hex-digit-hash): {text.strip()!r}")
        return cls(seq=int(match[1]), row_hash=match[2].lower())


def parse_checkpoints(lines: Iterable[str]) -> list[Checkpoint]:
    """Read one checkpoint per line; blank lines and ``#`` comments are skipped."""
    stripped = (line.split("#", 1)[0].strip() for line in lines)
    return [Checkpoint.parse(line) for line in stripped if line]


class AccessLog:
    """Append to and verify one access-log table (e.g. ``registry.access_log``)."""

    def __init__(self, table: str) -> None:
        self._table = table
        self._lock_key = f"access_log:{table}"
        self._last = f"SELECT seq, row_hash FROM {table} ORDER BY seq DESC LIMIT 1"
        self._insert = (
            f"INSERT INTO {table} (seq, occurred_at, operator, terminal, function, subjects,"
            " my_number_accessed, outcome, status_code, trace_id, prev_hash, row_hash)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
        )
        self._scan = f"SELECT * FROM {table} WHERE seq > $1 ORDER BY seq LIMIT $2"
        self._hash_at = f"SELECT row_hash FROM {table} WHERE seq = $1"

    @property
    def table(self) -> str:
        """Return the log's table, ``<schema>.access_log``: its name in signed checkpoints."""
        return self._table

    async def append(self, connection: AnyConnection, entry: AccessEntry) -> int:
        """Append one entry in its own transaction; return its sequence number."""
        async with connection.transaction():
            await connection.execute("SELECT pg_advisory_xact_lock(hashtext($1))", self._lock_key)
            last = await connection.fetchrow(self._last)
            seq, prev = (1, GENESIS) if last is None else (last["seq"] + 1, bytes(last["row_hash"]))
            await connection.execute(
                self._insert,
                seq,
                entry.occurred_at,
                entry.operator,
                entry.terminal,
                entry.function,
                sorted(entry.subjects),
                entry.my_number_accessed,
                entry.outcome,
                entry.status_code,
                entry.trace_id,
                prev,
                chain_hash(prev, seq, entry),
            )
        return int(seq)

    async def checkpoint(self, connection: AnyConnection) -> Checkpoint:
        """Return the chain's current head (seq 0 and the genesis hash while the log is empty)."""
        at = datetime.now(UTC)
        head = await connection.fetchrow(self._last)
        if head is None:
            return Checkpoint(seq=0, row_hash=GENESIS.hex(), at=at)
        return Checkpoint(seq=int(head["seq"]), row_hash=bytes(head["row_hash"]).hex(), at=at)

    async def rows(
        self, connection: AnyConnection, *, after: int = 0, limit: int | None = None
    ) -> AsyncGenerator[asyncpg.Record, None]:
        """Yield the rows after seq ``after`` in sequence order, at most ``limit`` of them.

        Read in pages by seq (the log only grows at its end), not through a cursor: the asyncpg
        instrumentation makes a span of every row a cursor yields — 20,000 spans for one verify,
        and 17 times slower (found when the fuzz test timed out).
        """
        left = limit
        while left is None or left > 0:
            size = PAGE_ROWS if left is None else min(PAGE_ROWS, left)
            page = await connection.fetch(self._scan, after, size)
            for record in page:
                yield record
            if len(page) < size:
                return
            after = page[-1]["seq"]
            left = None if left is None else left - len(page)

    async def verify(
        self,
        connection: AnyConnection,
        expect: Sequence[Checkpoint] = (),
        *,
        after: Checkpoint | None = None,
        limit: int | None = None,
    ) -> ChainReport:
        """Recompute the chain; report the first row that was changed, deleted or reordered.

        With checkpoints (``expect``), also report a row whose hash differs from its checkpoint
        (the log was rewritten) and a chain that ends before a checkpoint's seq (tail truncated).

        A window of a long log: start from a trusted checkpoint ``after`` (which must still be in
        the log with that hash) instead of the genesis, and stop after ``limit`` rows; the report
        says whether the head was reached and from where to go on (`ChainReport.next`).
        """
        anchor = after or Checkpoint(seq=0, row_hash=GENESIS.hex())
        checkpoints = _Checkpoints(expect)
        problem = await self._anchor_problem(connection, anchor) or checkpoints.mismatch(0, GENESIS)
        if problem is not None:
            return ChainReport(
                ok=False, rows=0, first_bad_seq=anchor.seq, problem=problem, last_seq=anchor.seq
            )
        head = await self.checkpoint(connection)
        expected_seq, prev = anchor.seq + 1, bytes.fromhex(anchor.row_hash)
        # aclosing: stopping at a bad row ends the scan at once.
        scan = self.rows(connection, after=anchor.seq, limit=limit)
        async with contextlib.aclosing(scan) as records:
            async for record in records:
                problem = _check_row(record, expected_seq, prev) or checkpoints.mismatch(
                    expected_seq, bytes(record["row_hash"])
                )
                if problem is not None:
                    return ChainReport(
                        ok=False,
                        rows=expected_seq - 1 - anchor.seq,
                        first_bad_seq=record["seq"],
                        problem=problem,
                        last_seq=expected_seq - 1,
                        head_seq=head.seq,
                    )
                expected_seq, prev = expected_seq + 1, bytes(record["row_hash"])
        last = Checkpoint(seq=expected_seq - 1, row_hash=prev.hex())
        report = ChainReport(
            ok=True,
            rows=last.seq - anchor.seq,
            checkpoints=len(expect),
            last_seq=last.seq,
            head_seq=head.seq,
            next=last.line,
        )
        problem = checkpoints.beyond(last.seq) if report.complete else None
        if problem is not None:
            return replace(report, ok=False, first_bad_seq=last.seq + 1, problem=problem, next=None)
        return report

    async def _anchor_problem(self, connection: AnyConnection, anchor: Checkpoint) -> str | None:
        """Check that a window's starting checkpoint is still in the log with its hash."""
        stored = (
            GENESIS if anchor.seq == 0 else await connection.fetchval(self._hash_at, anchor.seq)
        )
        if stored is None:
            return f"row {anchor.seq} of checkpoint {anchor.line} is missing: deleted or truncated"
        return _Checkpoints([anchor]).mismatch(anchor.seq, bytes(stored))


class _Checkpoints:
    """Look up the checkpoints a verification must meet, by seq."""

    def __init__(self, expect: Sequence[Checkpoint]) -> None:
        self._by_seq: dict[int, list[Checkpoint]] = {}
        for checkpoint in expect:
            self._by_seq.setdefault(checkpoint.seq, []).append(checkpoint)
        self._last = max((c.seq for c in expect), default=0)

    def mismatch(self, seq: int, row_hash: bytes) -> str | None:
        for checkpoint in self._by_seq.get(seq, ()):
            if checkpoint.row_hash.lower() != row_hash.hex():
                return (
                    f"row {seq} does not match checkpoint {checkpoint.line}: the log was"
                    " rewritten up to this row (or the checkpoint is from another log)"
                )
        return None

    def beyond(self, rows: int) -> str | None:
        if self._last <= rows:
            return None
        return (
            f"rows after {rows} are missing (tail truncated): a checkpoint names row {self._last}"
        )


@dataclass(frozen=True)
class ChainReport:
    """Tell whether the chain is intact and, if not, where it first breaks."""

    ok: bool
    rows: int
    first_bad_seq: int | None = None
    problem: str | None = None
    checkpoints: int = 0
    """How many checkpoints the intact chain was found to contain (0 when none were given)."""
    last_seq: int = 0
    """The last row verified (the window's end, or the row before the first bad one)."""
    head_seq: int | None = None
    """The log's head when the verification started."""
    next: str | None = None
    """For an intact window: the checkpoint ``seq:hash`` of its last row, to go on from."""

    @property
    def complete(self) -> bool:
        """Tell whether the verification reached the head of the log."""
        return self.head_seq is not None and self.last_seq >= self.head_seq


def _entry_of(record: asyncpg.Record) -> AccessEntry:
    return AccessEntry(
        occurred_at=record["occurred_at"],
        operator=record["operator"],
        terminal=record["terminal"],
        function=record["function"],
        subjects=tuple(record["subjects"]),
        my_number_accessed=record["my_number_accessed"],
        outcome=record["outcome"],
        status_code=record["status_code"],
        trace_id=record["trace_id"],
    )


def _check_row(record: asyncpg.Record, expected_seq: int, prev: bytes) -> str | None:
    if record["seq"] != expected_seq:
        return f"row {expected_seq} is missing (found {record['seq']}): deleted or reordered"
    if bytes(record["prev_hash"]) != prev:
        return "prev_hash does not match the row before: a row was deleted or reordered"
    if bytes(record["row_hash"]) != chain_hash(prev, expected_seq, _entry_of(record)):
        return "row content does not match its hash: the row was changed"
    return None
