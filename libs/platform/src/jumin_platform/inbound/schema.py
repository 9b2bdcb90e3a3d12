"""The inbound side's tables, created in the adapter's own schema.

    notification_cursor   the last cursor of the external system's feed acted on (one row)
    notifications         every notification taken in (取込の記録) and the command it became;
                          bodies are not kept, `detail` names fields only

A service puts `inbound_ddl(...)` in one of its migrations, e.g. a yoyo
``step(inbound_ddl("koseki_adapter", grant_to="jumin_koseki_adapter"))``. (cs_adapter's tables
came from its own 0002 migration before this existed; they have the same shape.)
"""

from __future__ import annotations

from typing import Final

from jumin_platform.db import check_identifier

__all__ = ["inbound_ddl"]

_TABLES: Final = """
CREATE TABLE IF NOT EXISTS {s}.notification_cursor (
    id               boolean PRIMARY KEY DEFAULT true CHECK (id),
    cursor           bigint NOT NULL DEFAULT 0,
    updated_at       timestamptz NOT NULL DEFAULT now()
);
INSERT INTO {s}.notification_cursor DEFAULT VALUES ON CONFLICT DO NOTHING;

CREATE TABLE IF NOT EXISTS {s}.notifications (
    notification_id  uuid PRIMARY KEY,
    cursor           bigint NOT NULL,
    type             text NOT NULL,
    received_at      timestamptz NOT NULL DEFAULT now(),
    outcome          text NOT NULL CHECK (outcome IN ('published', 'kept', 'ignored', 'invalid')),
    command_id       uuid,
    routing_key      text,
    detail           text,
    trace_id         text
);
CREATE INDEX IF NOT EXISTS notifications_cursor_idx ON {s}.notifications (cursor);
"""

_GRANTS: Final = """
GRANT SELECT, UPDATE (cursor, updated_at) ON {s}.notification_cursor TO {r};
GRANT SELECT, INSERT ON {s}.notifications TO {r};
"""


def inbound_ddl(schema: str, *, grant_to: str | None = None) -> str:
    """Return the DDL of the cursor and notification tables in `schema` (idempotent)."""
    ddl = _TABLES.format(s=check_identifier(schema))
    if grant_to is not None:
        ddl += _GRANTS.format(s=schema, r=check_identifier(grant_to, what="role"))
    return ddl
