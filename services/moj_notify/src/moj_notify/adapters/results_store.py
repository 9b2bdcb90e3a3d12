"""SQL over the 処理結果 taken in and the worklist of error results.

Each open entry names the person block it set (`person_blocks`, source `result`). Matching looks
the 受付番号 up in the delivery record (the sending side writes it there on a 201/200).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final
from uuid import UUID

import asyncpg
from jumin_platform.db import AnyConnection

from moj_notify.domain.results import EntryStatus, ProcessingResult, WorklistEntry

__all__ = ["Matched", "ResultRow", "ResultsStore"]

MATCH: Final = """
SELECT id, person_key, event_id FROM moj_notify.deliveries
WHERE receipt_no = $1 AND status = 'sent' ORDER BY id DESC LIMIT 1
"""
ADD_RESULT: Final = """
INSERT INTO moj_notify.results
    (notification_id, receipt_no, event_id, notice_type, result, error_code, error_items,
     message, processed_at, delivery_id, person_key, trace_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
ON CONFLICT (notification_id) DO NOTHING
RETURNING notification_id
"""
RESULT_COLUMNS: Final = """
notification_id, receipt_no, event_id, notice_type, result, error_code, error_items, message,
processed_at, delivery_id, received_at, trace_id
"""
LIST_RESULTS: Final = f"""
SELECT {RESULT_COLUMNS} FROM moj_notify.results
WHERE ($1::boolean IS NULL OR (delivery_id IS NULL) = $1)
  AND ($2::text IS NULL OR result = $2)
  AND ($3::bigint IS NULL OR delivery_id = $3)
ORDER BY received_at DESC, notification_id LIMIT $4
"""
ENTRY_COLUMNS: Final = """
id, delivery_id, person_key, event_id, notice_type, receipt_no, error_code, error_items, message,
status, resend_delivery_id, resend_receipt_no
"""
ADD_ENTRY: Final = f"""
INSERT INTO moj_notify.result_worklist
    (result_id, delivery_id, person_key, event_id, notice_type, receipt_no, error_code,
     error_items, message, status, block_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'open', $10)
RETURNING {ENTRY_COLUMNS}
"""
ENTRY_AWAITING: Final = f"""
SELECT {ENTRY_COLUMNS} FROM moj_notify.result_worklist
WHERE resend_delivery_id = $1 AND status = 'resent' FOR UPDATE
"""
ENTRY_BY_ID: Final = f"""
SELECT {ENTRY_COLUMNS}, block_id, opened_at, closed_at, operator, note
FROM moj_notify.result_worklist WHERE id = $1
"""
LOCK_ENTRY: Final = (
    f"SELECT {ENTRY_COLUMNS} FROM moj_notify.result_worklist WHERE id = $1 FOR UPDATE"
)
LIST_ENTRIES: Final = f"""
SELECT {ENTRY_COLUMNS}, block_id, opened_at, closed_at, operator, note
FROM moj_notify.result_worklist
WHERE ($1::text[] IS NULL OR status = ANY($1::text[]))
ORDER BY id DESC LIMIT $2
"""
SAVE_ENTRY: Final = """
UPDATE moj_notify.result_worklist SET delivery_id = $2, receipt_no = $3, error_code = $4,
    error_items = $5, message = $6, status = $7, resend_delivery_id = $8, resend_receipt_no = $9,
    closed_at = CASE WHEN $7 IN ('resolved', 'handled') THEN now() END,
    operator = coalesce($10, operator), note = coalesce($11, note)
WHERE id = $1
RETURNING block_id
"""


@dataclass(frozen=True)
class Matched:
    """The transmission a result is about."""

    delivery_id: int
    person_key: str
    event_id: UUID


@dataclass(frozen=True, kw_only=True)
class ResultRow:
    """A 処理結果 as recorded (no personal data: ids, codes, item names)."""

    notification_id: UUID
    receipt_no: str
    event_id: UUID | None
    notice_type: str | None
    result: str
    error_code: str | None
    error_items: list[str]
    message: str | None
    processed_at: datetime
    delivery_id: int | None
    received_at: datetime
    trace_id: str | None


class ResultsStore:
    """The results import's records on one connection (the poller's transaction)."""

    def __init__(self, connection: AnyConnection) -> None:
        self._c = connection

    async def match(self, receipt_no: str) -> Matched | None:
        row = await self._c.fetchrow(MATCH, receipt_no)
        return None if row is None else Matched(row["id"], row["person_key"], row["event_id"])

    async def add(
        self, result: ProcessingResult, matched: Matched | None, trace_id: str | None
    ) -> bool:
        """Record a result; False when this feed item was recorded before (a replay)."""
        added = await self._c.fetchval(
            ADD_RESULT,
            result.notification_id,
            result.receipt_no,
            result.event_id,
            result.notice_type,
            result.result,
            result.error_code,
            list(result.error_items),
            result.message,
            result.processed_at,
            matched.delivery_id if matched else None,
            matched.person_key if matched else None,
            trace_id,
        )
        return added is not None

    async def results(
        self, *, unmatched: bool | None, result: str | None, delivery_id: int | None, limit: int
    ) -> list[ResultRow]:
        rows = await self._c.fetch(LIST_RESULTS, unmatched, result, delivery_id, limit)
        return [ResultRow(**dict(row)) for row in rows]

    async def open_entry(
        self, result: ProcessingResult, matched: Matched, *, block_id: int
    ) -> WorklistEntry:
        """Open a worklist entry for an error result (the person's block is `block_id`)."""
        row = await self._c.fetchrow(
            ADD_ENTRY,
            result.notification_id,
            matched.delivery_id,
            matched.person_key,
            matched.event_id,
            result.notice_type or "municipal_notice",
            result.receipt_no,
            result.error_code,
            list(result.error_items),
            result.message,
            block_id,
        )
        assert row is not None
        return _entry(row)

    async def awaiting(self, delivery_id: int) -> WorklistEntry | None:
        """The entry whose corrected resend is this transmission, locked."""
        row = await self._c.fetchrow(ENTRY_AWAITING, delivery_id)
        return None if row is None else _entry(row)

    async def locked(self, entry_id: int) -> WorklistEntry | None:
        row = await self._c.fetchrow(LOCK_ENTRY, entry_id)
        return None if row is None else _entry(row)

    async def entry(self, entry_id: int) -> dict[str, Any] | None:
        row = await self._c.fetchrow(ENTRY_BY_ID, entry_id)
        return None if row is None else dict(row)

    async def entries(self, statuses: list[str] | None, limit: int) -> list[dict[str, Any]]:
        return [dict(row) for row in await self._c.fetch(LIST_ENTRIES, statuses, limit)]

    async def save(
        self, entry: WorklistEntry, *, operator: str | None = None, note: str | None = None
    ) -> int | None:
        """Store the entry's new state; return the id of the person block it set."""
        block_id: int | None = await self._c.fetchval(
            SAVE_ENTRY,
            entry.id,
            entry.delivery_id,
            entry.receipt_no,
            entry.error_code,
            list(entry.error_items),
            entry.message,
            entry.status.value,
            entry.resend_delivery_id,
            entry.resend_receipt_no,
            operator,
            note,
        )
        return block_id


def _entry(row: asyncpg.Record) -> WorklistEntry:
    return WorklistEntry(
        id=row["id"],
        delivery_id=row["delivery_id"],
        person_key=row["person_key"],
        event_id=row["event_id"],
        notice_type=row["notice_type"],
        receipt_no=row["receipt_no"],
        error_code=row["error_code"],
        error_items=tuple(row["error_items"]),
        message=row["message"],
        status=EntryStatus(row["status"]),
        resend_delivery_id=row["resend_delivery_id"],
        resend_receipt_no=row["resend_receipt_no"],
    )
