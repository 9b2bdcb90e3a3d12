"""SQL over an adapter's delivery record and 手動連携 switch (asyncpg, one connection).

The tables are `deliveries_ddl`'s, in the adapter's schema: every statement below is a template
over the schema `{s}`, formatted once per schema. A `DeliveryLedger` wraps one connection: inside
the consumer kit's transaction it is the kit's connection, so the records and the inbox row
commit together. Adapters subclass it for SQL of their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, Final
from uuid import UUID

import asyncpg

from jumin_platform.db import AnyConnection, check_identifier
from jumin_platform.deliveries.records import Delivery, DeliveryStatus, NewDelivery, Reply

__all__ = ["DeliveryFilter", "DeliveryLedger", "ManualMode"]

COLUMNS: Final = (
    "id, event_id, idempotency_key, type, person_key, seq, change_reason, fields, body, "
    "my_number_sealed, status, receipt_no, replayed, reply_status, reply_code, created_at, "
    "sent_at, trace_id, resend_of, operator, note"
)

# Serialises everything that sends or holds one person's messages (handler, release, resend).
LOCK_PERSON: Final = "SELECT pg_advisory_xact_lock(hashtextextended('{s}:' || $1, 0))"

INSERT: Final = f"""
INSERT INTO {{s}}.deliveries
    (event_id, idempotency_key, type, person_key, seq, change_reason, fields, body,
     my_number_sealed, status, receipt_no, replayed, reply_status, reply_code, sent_at, trace_id,
     resend_of, operator, note)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,
        CASE WHEN $10 IN ('sent', 'rejected', 'failed') THEN now() END, $15, $16, $17, $18)
RETURNING {COLUMNS}
"""

HAS_HELD: Final = (
    "SELECT EXISTS (SELECT 1 FROM {s}.deliveries WHERE person_key = $1 AND status = 'held')"
)
FIRST_HELD: Final = f"""
SELECT {COLUMNS} FROM {{s}}.deliveries
WHERE person_key = $1 AND status = 'held' ORDER BY id LIMIT 1 FOR UPDATE
"""
HELD_PERSONS: Final = """
SELECT person_key FROM {s}.deliveries WHERE status = 'held'
GROUP BY person_key ORDER BY min(id)
"""
COUNT_HELD: Final = "SELECT count(*) FROM {s}.deliveries WHERE status = 'held'"
LIST_HELD: Final = (
    f"SELECT {COLUMNS} FROM {{s}}.deliveries WHERE status = 'held' ORDER BY id LIMIT $1"
)

UPDATE_REPLY: Final = """
UPDATE {s}.deliveries SET status = $2, receipt_no = $3, replayed = $4, reply_status = $5,
    reply_code = $6, sent_at = CASE WHEN $2 = 'sent' THEN now() ELSE sent_at END,
    trace_id = $7, operator = $8
WHERE id = $1
"""
HELD_PERSONS_OF: Final = """
SELECT DISTINCT person_key FROM {s}.deliveries
WHERE id = ANY($1::bigint[]) AND status = 'held' ORDER BY person_key
"""
HELD_LEFT_BEHIND: Final = """
WITH chosen AS (
    SELECT person_key, max(id) AS last FROM {s}.deliveries
    WHERE id = ANY($1::bigint[]) AND status = 'held' GROUP BY person_key
)
SELECT d.person_key, array_agg(d.id ORDER BY d.id) AS ids
FROM {s}.deliveries d JOIN chosen c ON c.person_key = d.person_key
WHERE d.status = 'held' AND d.id < c.last AND NOT d.id = ANY($1::bigint[])
GROUP BY d.person_key ORDER BY d.person_key
"""
HAND_OVER: Final = """
UPDATE {s}.deliveries SET status = 'handed_over', sent_at = now(), operator = $2, note = $3
WHERE id = ANY($1::bigint[]) AND status = 'held'
RETURNING id
"""

BY_IDS: Final = f"SELECT {COLUMNS} FROM {{s}}.deliveries WHERE id = ANY($1::bigint[]) ORDER BY id"
SENT_BETWEEN: Final = f"""
SELECT {COLUMNS} FROM {{s}}.deliveries
WHERE status = 'sent' AND sent_at >= $1 AND sent_at < $2 ORDER BY id LIMIT $3
"""
NEWER_SENT: Final = """
SELECT EXISTS (SELECT 1 FROM {s}.deliveries
               WHERE person_key = $1 AND type = $2 AND seq > $3 AND status = 'sent'
                 AND NOT event_id = ANY($4::uuid[]))
"""

MANUAL_MODE: Final = "SELECT manual FROM {s}.manual_mode"
GET_MANUAL: Final = "SELECT manual, changed_at, changed_by, reason FROM {s}.manual_mode"
SET_MANUAL: Final = """
UPDATE {s}.manual_mode SET manual = $1, changed_at = now(), changed_by = $2, reason = $3
"""
ADD_MANUAL_HISTORY: Final = """
INSERT INTO {s}.manual_mode_history (operator, manual, reason) VALUES ($1, $2, $3)
"""
MANUAL_HISTORY: Final = """
SELECT at, operator, manual, reason FROM {s}.manual_mode_history ORDER BY id DESC LIMIT $1
"""

SET_LOCK_TIMEOUT: Final = "SELECT set_config('lock_timeout', $1, true)"

_TEMPLATES: Final = {
    name: value
    for name, value in dict(globals()).items()
    if name.isupper() and isinstance(value, str) and "{s}" in value
}


@cache
def statements(schema: str) -> dict[str, str]:
    """Return the statements above for one schema (by constant name)."""
    s = check_identifier(schema)
    return {name: template.format(s=s) for name, template in _TEMPLATES.items()}


@dataclass(frozen=True)
class ManualMode:
    """The 手動連携 switch: on or off, since when, by whom and why."""

    manual: bool
    changed_at: datetime
    changed_by: str | None
    reason: str | None


@dataclass(frozen=True, kw_only=True)
class DeliveryFilter:
    """送信した電文の一覧: which rows to list."""

    event_id: UUID | None = None
    person_key: str | None = None
    type: str | None = None
    status: str | None = None
    sent_from: datetime | None = None
    sent_to: datetime | None = None
    limit: int = 100


class DeliveryLedger:
    """Read and write an adapter's delivery record on one connection."""

    def __init__(self, connection: AnyConnection, schema: str) -> None:
        self._c = connection
        self._schema = schema
        self._q = statements(schema)

    async def wait_for_locks_at_most(self, wait: str) -> None:
        """Give up (LockNotAvailable) when a row lock is not had within `wait` ('2s')."""
        await self._c.execute(SET_LOCK_TIMEOUT, wait)

    async def lock_person(self, person_key: str) -> None:
        """Hold the person until the transaction ends (send and hold decisions stay in order)."""
        await self._c.execute(self._q["LOCK_PERSON"], person_key)

    async def manual_mode(self) -> bool:
        return bool(await self._c.fetchval(self._q["MANUAL_MODE"]))

    async def manual_state(self) -> ManualMode:
        row = await self._c.fetchrow(self._q["GET_MANUAL"])
        assert row is not None  # the DDL inserts the only row
        return ManualMode(**dict(row))

    async def set_manual_mode(self, *, manual: bool, operator: str, reason: str) -> None:
        await self._c.execute(self._q["SET_MANUAL"], manual, operator, reason)
        await self._c.execute(self._q["ADD_MANUAL_HISTORY"], operator, manual, reason)

    async def manual_history(self, limit: int) -> list[dict[str, Any]]:
        return [dict(row) for row in await self._c.fetch(self._q["MANUAL_HISTORY"], limit)]

    async def has_held(self, person_key: str) -> bool:
        return bool(await self._c.fetchval(self._q["HAS_HELD"], person_key))

    async def add(self, d: NewDelivery) -> Delivery:
        reply = d.reply or Reply(None)
        row = await self._c.fetchrow(
            self._q["INSERT"],
            d.event_id,
            d.idempotency_key,
            d.type,
            d.person_key,
            d.seq,
            d.change_reason,
            d.fields,
            d.body,
            d.my_number_sealed,
            d.status.value,
            reply.receipt_no,
            reply.replayed,
            reply.status,
            reply.code,
            d.trace_id,
            d.resend_of,
            d.operator,
            d.note,
        )
        assert row is not None
        return _delivery(row)

    async def first_held(self, person_key: str) -> Delivery | None:
        row = await self._c.fetchrow(self._q["FIRST_HELD"], person_key)
        return _delivery(row) if row else None

    async def held_persons(self) -> list[str]:
        return [row["person_key"] for row in await self._c.fetch(self._q["HELD_PERSONS"])]

    async def count_held(self) -> int:
        return int(await self._c.fetchval(self._q["COUNT_HELD"]))

    async def list_held(self, limit: int) -> list[Delivery]:
        return [_delivery(row) for row in await self._c.fetch(self._q["LIST_HELD"], limit)]

    async def update_reply(
        self,
        delivery_id: int,
        *,
        status: DeliveryStatus,
        reply: Reply,
        trace_id: str | None,
        operator: str | None,
    ) -> None:
        await self._c.execute(
            self._q["UPDATE_REPLY"],
            delivery_id,
            status.value,
            reply.receipt_no,
            reply.replayed,
            reply.status,
            reply.code,
            trace_id,
            operator,
        )

    async def lock_held_persons(self, ids: Sequence[int]) -> None:
        """Lock the people whose held messages are among `ids` (in key order: no deadlock)."""
        for row in await self._c.fetch(self._q["HELD_PERSONS_OF"], list(ids)):
            await self.lock_person(row["person_key"])

    async def held_left_behind(self, ids: Sequence[int]) -> dict[str, list[int]]:
        """Per person: their held ids older than their newest held id in `ids`, not in `ids`."""
        rows = await self._c.fetch(self._q["HELD_LEFT_BEHIND"], list(ids))
        return {row["person_key"]: list(row["ids"]) for row in rows}

    async def hand_over(self, ids: Sequence[int], *, operator: str, reason: str) -> list[int]:
        rows = await self._c.fetch(self._q["HAND_OVER"], list(ids), operator, reason)
        return [row["id"] for row in rows]

    async def by_ids(self, ids: Sequence[int]) -> list[Delivery]:
        return [_delivery(row) for row in await self._c.fetch(self._q["BY_IDS"], list(ids))]

    async def sent_between(self, start: datetime, end: datetime, limit: int) -> list[Delivery]:
        rows = await self._c.fetch(self._q["SENT_BETWEEN"], start, end, limit)
        return [_delivery(row) for row in rows]

    async def newer_sent_exists(self, d: Delivery, batch: Sequence[UUID]) -> bool:
        """Tell whether the system got a later event's message of this type for the person,
        other than the events of `batch` (which are resent too, in order)."""
        found = await self._c.fetchval(
            self._q["NEWER_SENT"], d.person_key, d.type, d.seq, list(batch)
        )
        return bool(found)

    async def find(self, f: DeliveryFilter) -> list[Delivery]:
        sql, args = _find_query(self._schema, f)
        return [_delivery(row) for row in await self._c.fetch(sql, *args)]


def _find_query(schema: str, f: DeliveryFilter) -> tuple[str, list[Any]]:
    """Build the listing query from the given filters (values are always parameters)."""
    conditions: list[str] = []
    args: list[Any] = []
    for column, value in (
        ("event_id =", f.event_id),
        ("person_key =", f.person_key),
        ("type =", f.type),
        ("status =", f.status),
        ("coalesce(sent_at, created_at) >=", f.sent_from),
        ("coalesce(sent_at, created_at) <", f.sent_to),
    ):
        if value is not None:
            args.append(value)
            conditions.append(f"{column} ${len(args)}")
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    args.append(f.limit)
    table = f"{check_identifier(schema)}.deliveries"
    return (
        f"SELECT {COLUMNS} FROM {table} {where} ORDER BY id DESC LIMIT ${len(args)}",
        args,
    )


def _delivery(row: asyncpg.Record) -> Delivery:
    values = dict(row)
    values["status"] = DeliveryStatus(values["status"])
    values["fields"] = list(values["fields"])
    values["body"] = dict(values["body"])
    return Delivery(**values)
