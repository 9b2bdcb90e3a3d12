"""SQL over the delivery record, the identity snapshot and the 個人番号生成要求 (asyncpg).

A `DeliveryRepository` wraps one connection: inside the consumer kit's transaction it is the
kit's connection, so the records and the inbox row commit together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final
from uuid import UUID

import asyncpg
from jumin_platform.db import AnyConnection

from cs_adapter.domain.deliveries import Delivery, DeliveryStatus, NewDelivery

__all__ = ["DeliveryFilter", "DeliveryRepository", "Snapshot"]

_COLUMNS: Final = (
    "id, event_id, idempotency_key, type, person_key, seq, change_reason, fields, body, "
    "my_number_sealed, status, receipt_no, replayed, reply_status, reply_code, created_at, "
    "sent_at, trace_id, resend_of, operator, note"
)

# Serialises everything that sends or holds one person's messages (handler, release, resend).
LOCK_PERSON: Final = "SELECT pg_advisory_xact_lock(hashtextextended('cs_adapter:' || $1, 0))"

INSERT: Final = f"""
INSERT INTO cs_adapter.deliveries
    (event_id, idempotency_key, type, person_key, seq, change_reason, fields, body,
     my_number_sealed, status, receipt_no, replayed, reply_status, reply_code, sent_at, trace_id,
     resend_of, operator, note)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,
        CASE WHEN $10 IN ('sent', 'rejected', 'failed') THEN now() END, $15, $16, $17, $18)
RETURNING {_COLUMNS}
"""

HAS_HELD: Final = (
    "SELECT EXISTS (SELECT 1 FROM cs_adapter.deliveries WHERE person_key = $1 AND status = 'held')"
)
MANUAL_MODE: Final = "SELECT manual FROM cs_adapter.manual_mode"

SAVE_SNAPSHOT: Final = """
INSERT INTO cs_adapter.identity_snapshot
    (person_key, seq, event_id, juminhyo_code, body, my_number_hash, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, now())
ON CONFLICT (person_key) DO UPDATE SET
    seq = EXCLUDED.seq, event_id = EXCLUDED.event_id, juminhyo_code = EXCLUDED.juminhyo_code,
    body = EXCLUDED.body, my_number_hash = EXCLUDED.my_number_hash, updated_at = now()
WHERE cs_adapter.identity_snapshot.seq <= EXCLUDED.seq
"""

CLAIM_REQUEST: Final = """
INSERT INTO cs_adapter.my_number_requests
    (juminhyo_code, person_key, event_id, idempotency_key, reason)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT DO NOTHING
RETURNING true
"""

MARK_CODE_SEEN: Final = """
UPDATE cs_adapter.free_codes SET seen_at = now(), seen_event_id = $2
WHERE code = $1 AND seen_at IS NULL
"""

CODES_CHANNEL: Final = "cs_adapter_free_codes"
"""NOTIFY channel: a supplied free code was seen in use (delivered when the transaction commits)."""
NOTIFY_CODE_SEEN: Final = f"SELECT pg_notify('{CODES_CHANNEL}', '')"

FIRST_HELD: Final = f"""
SELECT {_COLUMNS} FROM cs_adapter.deliveries
WHERE person_key = $1 AND status = 'held' ORDER BY id LIMIT 1 FOR UPDATE
"""
HELD_PERSONS: Final = """
SELECT person_key FROM cs_adapter.deliveries WHERE status = 'held'
GROUP BY person_key ORDER BY min(id)
"""
COUNT_HELD: Final = "SELECT count(*) FROM cs_adapter.deliveries WHERE status = 'held'"
LIST_HELD: Final = (
    f"SELECT {_COLUMNS} FROM cs_adapter.deliveries WHERE status = 'held' ORDER BY id LIMIT $1"
)

UPDATE_REPLY: Final = """
UPDATE cs_adapter.deliveries SET status = $2, receipt_no = $3, replayed = $4, reply_status = $5,
    reply_code = $6, sent_at = CASE WHEN $2 = 'sent' THEN now() ELSE sent_at END,
    trace_id = $7, operator = $8
WHERE id = $1
"""
HELD_PERSONS_OF: Final = """
SELECT DISTINCT person_key FROM cs_adapter.deliveries
WHERE id = ANY($1::bigint[]) AND status = 'held' ORDER BY person_key
"""
HELD_LEFT_BEHIND: Final = """
WITH chosen AS (
    SELECT person_key, max(id) AS last FROM cs_adapter.deliveries
    WHERE id = ANY($1::bigint[]) AND status = 'held' GROUP BY person_key
)
SELECT d.person_key, array_agg(d.id ORDER BY d.id) AS ids
FROM cs_adapter.deliveries d JOIN chosen c ON c.person_key = d.person_key
WHERE d.status = 'held' AND d.id < c.last AND NOT d.id = ANY($1::bigint[])
GROUP BY d.person_key ORDER BY d.person_key
"""
HAND_OVER: Final = """
UPDATE cs_adapter.deliveries SET status = 'handed_over', sent_at = now(), operator = $2, note = $3
WHERE id = ANY($1::bigint[]) AND status = 'held'
RETURNING id
"""

BY_IDS: Final = (
    f"SELECT {_COLUMNS} FROM cs_adapter.deliveries WHERE id = ANY($1::bigint[]) ORDER BY id"
)
SENT_BETWEEN: Final = f"""
SELECT {_COLUMNS} FROM cs_adapter.deliveries
WHERE status = 'sent' AND sent_at >= $1 AND sent_at < $2 ORDER BY id LIMIT $3
"""
NEWER_SENT: Final = """
SELECT EXISTS (SELECT 1 FROM cs_adapter.deliveries
               WHERE person_key = $1 AND type = $2 AND seq > $3 AND status = 'sent'
                 AND NOT event_id = ANY($4::uuid[]))
"""

SNAPSHOTS_IN_RANGE: Final = """
SELECT person_key, juminhyo_code, body, my_number_hash FROM cs_adapter.identity_snapshot
WHERE juminhyo_code IS NOT NULL
  AND ($1::text IS NULL OR juminhyo_code > $1) AND ($2::text IS NULL OR juminhyo_code <= $2)
ORDER BY juminhyo_code, person_key
"""


SET_LOCK_TIMEOUT = "SELECT set_config('lock_timeout', $1, true)"


@dataclass(frozen=True)
class Snapshot:
    """The registry's latest 本人確認情報 for one person, in CS form (個人番号 as keyed hash)."""

    person_key: str
    juminhyo_code: str | None
    body: dict[str, Any]
    my_number_hash: str | None


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


class DeliveryRepository:
    """Read and write the adapter's records on one connection."""

    def __init__(self, connection: AnyConnection) -> None:
        self._c = connection

    async def wait_for_locks_at_most(self, wait: str) -> None:
        """Give up (LockNotAvailable) when a row lock is not had within `wait` ('2s')."""
        await self._c.execute(SET_LOCK_TIMEOUT, wait)

    async def lock_person(self, person_key: str) -> None:
        """Hold the person until the transaction ends (send and hold decisions stay in order)."""
        await self._c.execute(LOCK_PERSON, person_key)

    async def manual_mode(self) -> bool:
        return bool(await self._c.fetchval(MANUAL_MODE))

    async def has_held(self, person_key: str) -> bool:
        return bool(await self._c.fetchval(HAS_HELD, person_key))

    async def add(self, d: NewDelivery) -> Delivery:
        reply = d.reply
        row = await self._c.fetchrow(
            INSERT,
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
            reply.receipt_no if reply else None,
            reply.replayed if reply else False,
            reply.status if reply else None,
            reply.code if reply else None,
            d.trace_id,
            d.resend_of,
            d.operator,
            d.note,
        )
        assert row is not None
        return _delivery(row)

    async def save_snapshot(
        self, *, person_key: str, seq: int, event_id: UUID, body: dict[str, Any], hash_: str | None
    ) -> None:
        """Keep the newest 本人確認情報 per person (an older seq never overwrites a newer one)."""
        code = body.get("juminhyo_code")
        await self._c.execute(SAVE_SNAPSHOT, person_key, seq, event_id, code, body, hash_)

    async def claim_my_number_request(
        self, *, juminhyo_code: str, person_key: str, event_id: UUID, key: UUID, reason: str
    ) -> bool:
        """Record a 生成要求; False when it was already made (one 新規付番 per code, one 変更要求
        per key)."""
        claimed = await self._c.fetchval(
            CLAIM_REQUEST, juminhyo_code, person_key, event_id, key, reason
        )
        return bool(claimed)

    async def mark_code_seen(self, code: str, event_id: UUID) -> None:
        """Note a supplied free code in use; if it is news, wake the supply once this commits."""
        status: str = await self._c.execute(MARK_CODE_SEEN, code, event_id)
        if status.endswith(" 1"):
            await self._c.execute(NOTIFY_CODE_SEEN)

    async def first_held(self, person_key: str) -> Delivery | None:
        row = await self._c.fetchrow(FIRST_HELD, person_key)
        return _delivery(row) if row else None

    async def held_persons(self) -> list[str]:
        return [row["person_key"] for row in await self._c.fetch(HELD_PERSONS)]

    async def count_held(self) -> int:
        return int(await self._c.fetchval(COUNT_HELD))

    async def list_held(self, limit: int) -> list[Delivery]:
        return [_delivery(row) for row in await self._c.fetch(LIST_HELD, limit)]

    async def update_reply(
        self,
        delivery_id: int,
        *,
        status: DeliveryStatus,
        reply: Any,
        trace_id: str | None,
        operator: str | None,
    ) -> None:
        await self._c.execute(
            UPDATE_REPLY,
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
        for row in await self._c.fetch(HELD_PERSONS_OF, list(ids)):
            await self.lock_person(row["person_key"])

    async def held_left_behind(self, ids: Sequence[int]) -> dict[str, list[int]]:
        """Per person: their held ids older than their newest held id in `ids`, not in `ids`."""
        rows = await self._c.fetch(HELD_LEFT_BEHIND, list(ids))
        return {row["person_key"]: list(row["ids"]) for row in rows}

    async def hand_over(self, ids: Sequence[int], *, operator: str, reason: str) -> list[int]:
        return [row["id"] for row in await self._c.fetch(HAND_OVER, list(ids), operator, reason)]

    async def by_ids(self, ids: Sequence[int]) -> list[Delivery]:
        return [_delivery(row) for row in await self._c.fetch(BY_IDS, list(ids))]

    async def sent_between(self, start: datetime, end: datetime, limit: int) -> list[Delivery]:
        return [_delivery(row) for row in await self._c.fetch(SENT_BETWEEN, start, end, limit)]

    async def newer_sent_exists(self, d: Delivery, batch: Sequence[UUID]) -> bool:
        """Tell whether CS got a later event's message of this type for the person, other than
        the events of `batch` (which are resent too, in order)."""
        found = await self._c.fetchval(NEWER_SENT, d.person_key, d.type, d.seq, list(batch))
        return bool(found)

    async def find(self, f: DeliveryFilter) -> list[Delivery]:
        sql, args = _find_query(f)
        return [_delivery(row) for row in await self._c.fetch(sql, *args)]

    async def snapshots_in_range(self, after: str | None, upto: str | None) -> list[Snapshot]:
        rows = await self._c.fetch(SNAPSHOTS_IN_RANGE, after, upto)
        return [
            Snapshot(r["person_key"], r["juminhyo_code"], dict(r["body"]), r["my_number_hash"])
            for r in rows
        ]


def _find_query(f: DeliveryFilter) -> tuple[str, list[Any]]:
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
    return (
        f"SELECT {_COLUMNS} FROM cs_adapter.deliveries {where} ORDER BY id DESC LIMIT ${len(args)}",
        args,
    )


def _delivery(row: asyncpg.Record) -> Delivery:
    values = dict(row)
    values["status"] = DeliveryStatus(values["status"])
    values["fields"] = list(values["fields"])
    values["body"] = dict(values["body"])
    return Delivery(**values)
