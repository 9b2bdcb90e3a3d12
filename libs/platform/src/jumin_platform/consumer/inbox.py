"""The kit's tables in PostgreSQL: inbox, per-person progress and parked messages (asyncpg).

`PgStore.unit()` opens one transaction on a pooled connection; the adapter's handler receives that
connection, so its effect and the inbox row commit together or not at all (docs/style.md, "Idempotent
consumers by tracking"). Every statement names the service's schema explicitly.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg
from jumin_contracts.envelope import Envelope

from jumin_platform.consumer.messages import Incoming
from jumin_platform.consumer.schema import check_identifier
from jumin_platform.consumer.sequencing import Decision, Progress
from jumin_platform.db import AnyConnection

__all__ = ["PgStore", "PgUnit", "Sql"]


@dataclass(frozen=True)
class Sql:
    """The statements of the consumer side, qualified with one schema name."""

    schema: str

    def __post_init__(self) -> None:
        check_identifier(self.schema)

    def __getattr__(self, name: str) -> str:
        template = _STATEMENTS.get(name)
        if template is None:
            raise AttributeError(name)
        return template.format(s=self.schema)


_STATEMENTS = {
    "ensure_person": "INSERT INTO {s}.person_progress (person_key) VALUES ($1) "
    "ON CONFLICT (person_key) DO NOTHING",
    "lock_person": "SELECT last_seq, blocked_event_id FROM {s}.person_progress "
    "WHERE person_key = $1 FOR UPDATE",
    # Creates missing progress rows and locks all in key order (no deadlock between batches; the
    # no-op update is what makes ON CONFLICT lock and return an existing row), and says which of
    # the events are in the inbox. That inbox read sees the statement's start: it can miss a row
    # committed by a transaction whose lock this one waited for, but the locked row it returns is
    # current, and every inbox row commits with its person moved past its seq, so the seq check
    # still finds such a duplicate.
    "lock_batch": "WITH locked AS (INSERT INTO {s}.person_progress AS g (person_key) "
    "SELECT k FROM unnest($1::text[]) AS k ORDER BY k "
    "ON CONFLICT (person_key) DO UPDATE SET last_seq = g.last_seq "
    "RETURNING person_key, last_seq, blocked_event_id) "
    "SELECT person_key, last_seq, blocked_event_id, NULL::uuid AS seen FROM locked "
    "UNION ALL SELECT NULL, NULL, NULL, event_id FROM {s}.inbox WHERE event_id = ANY($2::uuid[])",
    "seen": "SELECT EXISTS (SELECT 1 FROM {s}.inbox WHERE event_id = $1)",
    # A batch's applied events: inbox rows, then each person moved past their last one (lifting a
    # block held by one of them, as `advance` does); returns the people with parked messages.
    "apply_all": "WITH a AS (SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], "
    "$4::bigint[]) AS a (event_id, routing_key, person_key, seq)), "
    "ins AS (INSERT INTO {s}.inbox (event_id, routing_key, person_key, seq, outcome) "
    "SELECT event_id, routing_key, person_key, seq, 'applied' FROM a "
    "ON CONFLICT (event_id) DO NOTHING), "
    "p AS (SELECT person_key, max(seq) AS seq, array_agg(event_id) AS events FROM a "
    "GROUP BY person_key), "
    "moved AS (UPDATE {s}.person_progress g SET last_seq = GREATEST(g.last_seq, p.seq), "
    "blocked_reason = CASE WHEN g.blocked_event_id = ANY(p.events) THEN NULL "
    "ELSE g.blocked_reason END, "
    "blocked_at = CASE WHEN g.blocked_event_id = ANY(p.events) THEN NULL ELSE g.blocked_at END, "
    "blocked_event_id = CASE WHEN g.blocked_event_id = ANY(p.events) THEN NULL "
    "ELSE g.blocked_event_id END, "
    "updated_at = now() FROM p WHERE g.person_key = p.person_key RETURNING g.person_key) "
    "SELECT m.person_key FROM moved m "
    "WHERE EXISTS (SELECT 1 FROM {s}.parked k WHERE k.person_key = m.person_key)",
    "insert_inbox": "INSERT INTO {s}.inbox (event_id, routing_key, person_key, seq, outcome) "
    "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (event_id) DO NOTHING",
    # Moves past `seq`; lifts the block only if this very event held it (all see the old values).
    "advance": "UPDATE {s}.person_progress SET last_seq = GREATEST(last_seq, $2), "
    "blocked_reason = CASE WHEN blocked_event_id = $3 THEN NULL ELSE blocked_reason END, "
    "blocked_at = CASE WHEN blocked_event_id = $3 THEN NULL ELSE blocked_at END, "
    "blocked_event_id = CASE WHEN blocked_event_id = $3 THEN NULL ELSE blocked_event_id END, "
    "updated_at = now() WHERE person_key = $1 "
    # Under the person's lock, and parking happens only under it: exact, not a guess.
    "RETURNING EXISTS (SELECT 1 FROM {s}.parked WHERE person_key = $1)",
    "park": "INSERT INTO {s}.parked "
    "(event_id, person_key, seq, routing_key, envelope, traceparent, reason) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (event_id) DO NOTHING",
    "drop_stale_parked": "DELETE FROM {s}.parked WHERE person_key = $1 AND seq < $2",
    "take_parked": "DELETE FROM {s}.parked WHERE event_id = ("
    "SELECT event_id FROM {s}.parked WHERE person_key = $1 AND seq = $2 "
    "ORDER BY event_id LIMIT 1) RETURNING envelope, routing_key, traceparent",
    "count_parked_failure": "UPDATE {s}.parked SET failures = failures + 1 WHERE event_id = $1 "
    "RETURNING failures",
    "block": "UPDATE {s}.person_progress SET blocked_event_id = $2, blocked_reason = $3, "
    "blocked_at = now(), updated_at = now() WHERE person_key = $1",
    "unblock": "UPDATE {s}.person_progress SET blocked_event_id = NULL, blocked_reason = NULL, "
    "blocked_at = NULL, updated_at = now() WHERE blocked_event_id = $1 RETURNING person_key",
    "blocker": "SELECT person_key, last_seq + 1 AS seq, blocked_reason FROM {s}.person_progress "
    "WHERE blocked_event_id = $1",
    "blocked_reasons": "SELECT blocked_event_id, blocked_reason FROM {s}.person_progress "
    "WHERE blocked_event_id = ANY($1::uuid[])",
    "record_action": "INSERT INTO {s}.operator_actions "
    "(operator, action, event_id, person_key, seq, reason) VALUES ($1, $2, $3, $4, $5, $6)",
    "list_parked": "SELECT event_id, person_key, seq, routing_key, reason, parked_at, failures "
    "FROM {s}.parked ORDER BY person_key, seq LIMIT $1",
    "list_blocked": "SELECT person_key, last_seq, blocked_event_id, blocked_reason, blocked_at "
    "FROM {s}.person_progress WHERE blocked_event_id IS NOT NULL ORDER BY blocked_at LIMIT $1",
    "ready_persons": "SELECT DISTINCT p.person_key FROM {s}.parked p "
    "JOIN {s}.person_progress g USING (person_key) "
    "WHERE g.blocked_event_id IS NULL AND p.seq <= g.last_seq + 1",
}


_SAVE = "SAVEPOINT jumin_message"
_RESAVE = "RELEASE SAVEPOINT jumin_message; SAVEPOINT jumin_message"
_ROLLBACK_TO = "ROLLBACK TO SAVEPOINT jumin_message"


class PgUnit:
    """One open transaction; see `processing.Unit`."""

    def __init__(self, connection: AnyConnection, sql: Sql) -> None:
        self._connection = connection
        self.sql = sql
        self._saved = False

    @property
    def connection(self) -> AnyConnection:
        return self._connection

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        """Open the handler's savepoint; roll back to it when the block raises.

        One round trip per message: the previous message's savepoint is released in the same
        query that opens the next (only the last one of a unit is left to the commit).
        """
        await self._connection.execute(_RESAVE if self._saved else _SAVE)
        self._saved = True
        try:
            yield
        except BaseException:
            await self._connection.execute(_ROLLBACK_TO)
            raise

    async def lock_person(self, person_key: str) -> Progress:
        await self._connection.execute(self.sql.ensure_person, person_key)
        row = await self._connection.fetchrow(self.sql.lock_person, person_key)
        assert row is not None  # ensured just above, in this transaction
        return Progress(last_seq=row["last_seq"], blocked_event_id=row["blocked_event_id"])

    async def lock_batch(
        self, person_keys: Sequence[str], event_ids: Sequence[UUID]
    ) -> tuple[dict[str, Progress], set[UUID]]:
        rows = await self._connection.fetch(self.sql.lock_batch, list(person_keys), list(event_ids))
        progress = {
            r["person_key"]: Progress(
                last_seq=r["last_seq"], blocked_event_id=r["blocked_event_id"]
            )
            for r in rows
            if r["person_key"] is not None
        }
        return progress, {r["seen"] for r in rows if r["seen"] is not None}

    async def seen(self, event_id: UUID) -> bool:
        return bool(await self._connection.fetchval(self.sql.seen, event_id))

    async def mark_applied(self, message: Incoming) -> bool:
        return await self._track(
            message.event_id, message.person_key, message.seq, message.routing_key, "applied"
        )

    async def mark_all_applied(self, messages: Sequence[Incoming]) -> set[str]:
        rows = await self._connection.fetch(
            self.sql.apply_all,
            [m.event_id for m in messages],
            [m.routing_key for m in messages],
            [m.person_key for m in messages],
            [m.seq for m in messages],
        )
        return {r["person_key"] for r in rows}

    async def skip(self, event_id: UUID, person_key: str, seq: int, routing_key: str) -> None:
        """Record an operator's skip in the inbox and move the person past it."""
        await self._track(event_id, person_key, seq, routing_key, "skipped")

    async def _track(
        self, event_id: UUID, person_key: str, seq: int, routing_key: str, outcome: str
    ) -> bool:
        """Record the event and move the person past it; tell whether messages wait parked."""
        args = (event_id, routing_key, person_key, seq, outcome)
        await self._connection.execute(self.sql.insert_inbox, *args)
        return bool(await self._connection.fetchval(self.sql.advance, person_key, seq, event_id))

    async def park(self, message: Incoming, reason: Decision) -> None:
        await self._connection.execute(
            self.sql.park,
            message.event_id,
            message.person_key,
            message.seq,
            message.routing_key,
            message.envelope_json(),
            message.traceparent,
            reason.value,
        )

    async def take_parked(self, person_key: str, seq: int) -> Incoming | None:
        await self._connection.execute(self.sql.drop_stale_parked, person_key, seq)
        row = await self._connection.fetchrow(self.sql.take_parked, person_key, seq)
        if row is None:
            return None
        envelope = Envelope.model_validate(_json(row["envelope"]))
        return Incoming(envelope, row["routing_key"], traceparent=row["traceparent"])

    async def count_parked_failure(self, event_id: UUID) -> int:
        failures = await self._connection.fetchval(self.sql.count_parked_failure, event_id)
        return int(failures or 0)

    async def block(self, message: Incoming, reason: str) -> None:
        await self._connection.execute(self.sql.block, message.person_key, message.event_id, reason)

    async def unblock(self, event_id: UUID) -> str | None:
        """Clear the block an event holds on its person; return that person's key (if any)."""
        person_key: str | None = await self._connection.fetchval(self.sql.unblock, event_id)
        return person_key

    async def record_action(
        self,
        *,
        operator: str,
        action: str,
        event_id: UUID,
        person_key: str | None,
        seq: int | None,
        reason: str,
    ) -> None:
        await self._connection.execute(
            self.sql.record_action, operator, action, event_id, person_key, seq, reason or None
        )


def _json(value: Any) -> Any:
    """Accept jsonb decoded by the pool's codec (dict) or as text (a plain connection)."""
    if isinstance(value, str):
        return json.loads(value)
    return value


class PgStore:
    """Open `PgUnit`s on a pool; each commits when its block exits normally."""

    def __init__(self, pool: asyncpg.Pool[Any], schema: str) -> None:
        self._pool = pool
        self.sql = Sql(schema)

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[PgUnit]:
        async with self._pool.acquire() as connection, connection.transaction():
            yield PgUnit(connection, self.sql)

    async def fetch(self, statement: str, *args: object) -> list[asyncpg.Record]:
        """Run a read-only statement outside any unit (operator listings)."""
        async with self._pool.acquire() as connection:
            return list(await connection.fetch(statement, *args))
