"""The consumer kit's tables, created in the consuming service's own schema.

    inbox             one row per event applied (or skipped by an operator): the idempotency key
    person_progress   per person: last seq applied, and the event that blocks them (if any)
    parked            messages that arrived early (gap) or while their person was blocked, with
                      how often applying them from there failed unexpectedly
    operator_actions  append-only record of resends and skips, with who and why

The schema itself is made by provisioning (a service's owner role may not CREATE SCHEMA); a service
puts `consumer_ddl(...)` in one of its migrations, e.g. a yoyo ``step(consumer_ddl("cs_adapter",
grant_to="jumin_cs_adapter"))``.
"""

from __future__ import annotations

from typing import Final

from jumin_platform.db import AnyConnection, check_identifier

__all__ = ["check_identifier", "consumer_ddl", "install"]

_TABLES: Final = """
CREATE TABLE IF NOT EXISTS {s}.inbox (
    event_id     uuid PRIMARY KEY,
    routing_key  text NOT NULL,
    person_key   text NOT NULL,
    seq          bigint NOT NULL CHECK (seq >= 1),
    processed_at timestamptz NOT NULL DEFAULT now(),
    outcome      text NOT NULL DEFAULT 'applied' CHECK (outcome IN ('applied', 'skipped'))
);
CREATE INDEX IF NOT EXISTS inbox_person_seq ON {s}.inbox (person_key, seq);

CREATE TABLE IF NOT EXISTS {s}.person_progress (
    person_key       text PRIMARY KEY,
    last_seq         bigint NOT NULL DEFAULT 0 CHECK (last_seq >= 0),
    blocked_event_id uuid,
    blocked_reason   text,
    blocked_at       timestamptz,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CHECK ((blocked_event_id IS NULL) = (blocked_at IS NULL))
);
CREATE INDEX IF NOT EXISTS person_progress_blocked
    ON {s}.person_progress (blocked_event_id) WHERE blocked_event_id IS NOT NULL;

CREATE TABLE IF NOT EXISTS {s}.parked (
    event_id    uuid PRIMARY KEY,
    person_key  text NOT NULL,
    seq         bigint NOT NULL CHECK (seq >= 1),
    routing_key text NOT NULL,
    envelope    jsonb NOT NULL,
    traceparent text,
    parked_at   timestamptz NOT NULL DEFAULT now(),
    reason      text NOT NULL CHECK (reason IN ('gap', 'blocked')),
    failures    integer NOT NULL DEFAULT 0 CHECK (failures >= 0)
);
-- tables made before `failures` existed (the DDL is applied again by a later migration)
ALTER TABLE {s}.parked ADD COLUMN IF NOT EXISTS failures integer NOT NULL DEFAULT 0;
CREATE INDEX IF NOT EXISTS parked_person_seq ON {s}.parked (person_key, seq);

CREATE TABLE IF NOT EXISTS {s}.operator_actions (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT now(),
    operator   text NOT NULL,
    action     text NOT NULL CHECK (action IN ('resend', 'skip')),
    event_id   uuid NOT NULL,
    person_key text,
    seq        bigint,
    reason     text
);
"""

_GRANTS: Final = """
GRANT SELECT, INSERT, UPDATE, DELETE ON {s}.inbox, {s}.person_progress, {s}.parked TO {r};
GRANT SELECT, INSERT ON {s}.operator_actions TO {r};
"""


def consumer_ddl(schema: str, *, grant_to: str | None = None) -> str:
    """Return the DDL of the kit's tables in `schema` (idempotent), with grants to a service role."""
    ddl = _TABLES.format(s=check_identifier(schema))
    if grant_to is not None:
        ddl += _GRANTS.format(s=schema, r=check_identifier(grant_to, what="role"))
    return ddl


async def install(connection: AnyConnection, schema: str, *, grant_to: str | None = None) -> None:
    """Create the kit's tables in an existing schema, in one transaction."""
    async with connection.transaction():
        await connection.execute(consumer_ddl(schema, grant_to=grant_to))
