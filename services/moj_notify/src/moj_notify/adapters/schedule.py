"""SQL over the schedule of notices (送信予定, `moj_notify.scheduled_notices`).

Rows are written in the consumer kit's transaction (the kit's connection) and moved on by the
dispatcher and the operator, each under the person's lock (`DeliveryLedger.lock_person`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final
from uuid import UUID

import asyncpg
from jumin_platform.db import AnyConnection
from jumin_platform.telemetry import current_traceparent

from moj_notify.domain.notices import PlannedNotice
from moj_notify.domain.schedule import Head, NoticeStatus, ScheduledNotice

__all__ = ["Schedule", "ScheduleFilter", "ScheduledIds"]

COLUMNS: Final = (
    "id, event_id, type, person_key, seq, change_kind, not_before, idempotency_key, body, "
    "status, attempts, next_attempt_at, last_reply, delivery_id, traceparent, received_at, "
    "done_at, operator, note"
)
WAKE_CHANNEL: Final = "moj_notify_schedule"
"""NOTIFY'd when a row is added: delivered at commit, it wakes the dispatcher."""

ADD: Final = """
INSERT INTO moj_notify.scheduled_notices
    (event_id, type, person_key, seq, change_kind, not_before, idempotency_key, body, traceparent)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (event_id, type) DO NOTHING
"""
NOTIFY: Final = f"NOTIFY {WAKE_CHANNEL}"

HEADS: Final = f"""
WITH heads AS (
    SELECT DISTINCT ON (person_key) {COLUMNS}
    FROM moj_notify.scheduled_notices
    WHERE status IN ('pending', 'refused')
    ORDER BY person_key, seq, id
)
SELECT h.*, EXISTS (SELECT 1 FROM moj_notify.person_blocks b
                    WHERE b.person_key = h.person_key AND b.cleared_at IS NULL) AS blocked
FROM heads h WHERE h.id > $1 ORDER BY h.id LIMIT $2
"""
HEAD_OF: Final = f"""
SELECT {COLUMNS} FROM moj_notify.scheduled_notices
WHERE person_key = $1 AND status IN ('pending', 'refused')
ORDER BY seq, id LIMIT 1 FOR UPDATE
"""
FIRST_OPEN: Final = f"""
SELECT {COLUMNS} FROM moj_notify.scheduled_notices
WHERE person_key = $1 AND status IN ('pending', 'refused') ORDER BY seq, id LIMIT 1
"""
BY_ID: Final = f"SELECT {COLUMNS} FROM moj_notify.scheduled_notices WHERE id = $1"

SENT: Final = """
UPDATE moj_notify.scheduled_notices
SET status = 'sent', delivery_id = $2, last_reply = $3, done_at = now(), next_attempt_at = NULL
WHERE id = $1
"""
HELD: Final = """
UPDATE moj_notify.scheduled_notices
SET status = 'held', delivery_id = $2, done_at = now(), next_attempt_at = NULL WHERE id = $1
"""
REFUSED: Final = """
UPDATE moj_notify.scheduled_notices
SET status = 'refused', delivery_id = $2, last_reply = $3, next_attempt_at = NULL WHERE id = $1
"""
UNANSWERED: Final = """
UPDATE moj_notify.scheduled_notices
SET attempts = attempts + 1, next_attempt_at = $2, last_reply = $3 WHERE id = $1
"""
RETRY: Final = """
UPDATE moj_notify.scheduled_notices
SET status = 'pending', idempotency_key = $2, attempts = 0, next_attempt_at = NULL,
    operator = $3, note = $4
WHERE id = $1 AND status = 'refused'
"""
WITHDRAW: Final = """
UPDATE moj_notify.scheduled_notices
SET status = 'withdrawn', done_at = now(), next_attempt_at = NULL, operator = $2, note = $3
WHERE id = $1 AND status IN ('pending', 'refused')
"""


@dataclass(frozen=True, kw_only=True)
class ScheduleFilter:
    """送信予定の一覧: which rows to list."""

    status: str | None = None
    person_key: str | None = None
    limit: int = 100


class Schedule:
    """Read and write the schedule on one connection."""

    def __init__(self, connection: AnyConnection) -> None:
        self._c = connection

    async def add(self, event: ScheduledIds, planned: PlannedNotice) -> None:
        """Schedule one notice of an event (a redelivered event adds nothing); wake the
        dispatcher when the transaction commits."""
        await self._c.execute(
            ADD,
            event.event_id,
            planned.message.type,
            event.person_key,
            event.seq,
            event.change_kind,
            planned.not_before,
            planned.key,
            dict(planned.message.body),
            current_traceparent(),
        )
        await self._c.execute(NOTIFY)

    async def wake_at_commit(self) -> None:
        """Wake the dispatcher when the transaction commits (e.g. a person's block was cleared)."""
        await self._c.execute(NOTIFY)

    async def heads(self, *, after_id: int, limit: int) -> list[Head]:
        """Each person's first open notice with an id above `after_id` (a page, by id), and
        whether the person is blocked."""
        rows = await self._c.fetch(HEADS, after_id, limit)
        return [Head(_notice(row), bool(row["blocked"])) for row in rows]

    async def head_of(self, person_key: str) -> ScheduledNotice | None:
        """The person's first open notice, locked."""
        row = await self._c.fetchrow(HEAD_OF, person_key)
        return _notice(row) if row else None

    async def first_open(self, person_key: str) -> ScheduledNotice | None:
        """The person's first open notice (not locked)."""
        row = await self._c.fetchrow(FIRST_OPEN, person_key)
        return _notice(row) if row else None

    async def get(self, notice_id: int) -> ScheduledNotice | None:
        row = await self._c.fetchrow(BY_ID, notice_id)
        return _notice(row) if row else None

    async def sent(self, notice_id: int, *, delivery_id: int, reply: str) -> None:
        await self._c.execute(SENT, notice_id, delivery_id, reply)

    async def held(self, notice_id: int, *, delivery_id: int) -> None:
        await self._c.execute(HELD, notice_id, delivery_id)

    async def refused(self, notice_id: int, *, delivery_id: int, reply: str) -> None:
        await self._c.execute(REFUSED, notice_id, delivery_id, reply)

    async def unanswered(self, notice_id: int, *, retry_at: datetime, reply: str) -> None:
        await self._c.execute(UNANSWERED, notice_id, retry_at, reply)

    async def retry(self, notice_id: int, *, key: UUID, operator: str, note: str) -> bool:
        """Put a refused notice back on the schedule under a new key."""
        return _changed(await self._c.execute(RETRY, notice_id, key, operator, note))

    async def withdraw(self, notice_id: int, *, operator: str, note: str) -> bool:
        """Take a pending or refused notice off the schedule."""
        return _changed(await self._c.execute(WITHDRAW, notice_id, operator, note))

    async def find(self, f: ScheduleFilter) -> list[ScheduledNotice]:
        """Rows, newest first, filtered (values always as parameters)."""
        conditions: list[str] = []
        args: list[object] = []
        for column, value in (("status =", f.status), ("person_key =", f.person_key)):
            if value is not None:
                args.append(value)
                conditions.append(f"{column} ${len(args)}")
        where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
        args.append(f.limit)
        sql = (
            f"SELECT {COLUMNS} FROM moj_notify.scheduled_notices {where} "
            f"ORDER BY id DESC LIMIT ${len(args)}"
        )
        return [_notice(row) for row in await self._c.fetch(sql, *args)]


@dataclass(frozen=True)
class ScheduledIds:
    """What the schedule keeps of the event beside the notice."""

    event_id: UUID
    person_key: str
    seq: int
    change_kind: str


def _changed(status: str) -> bool:
    return status.split()[-1] != "0"


def _notice(row: asyncpg.Record) -> ScheduledNotice:
    values = dict(row)
    values.pop("blocked", None)
    values["status"] = NoticeStatus(values["status"])
    values["body"] = dict(values["body"])
    return ScheduledNotice(**values)
