"""The delivery record's tables (提供・移転の記録, 手動連携), created in an adapter's own schema.

A new adapter puts ``step(deliveries_ddl("koseki_adapter", types=("fuhyo_notice",),
grant_to="jumin_koseki_adapter"))`` in one of its migrations. cs_adapter's tables have the same
shape (its migration 0002, applied before this function existed, stays as it was).
The record is evidence: the service role may add rows and move their status on, never rewrite
what was sent or delete anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from jumin_platform.db import check_identifier

__all__ = ["deliveries_ddl"]

_TABLES: Final = """
-- One row per transmission (送信) or held message; the body is kept as sent (secrets sealed).
CREATE TABLE IF NOT EXISTS {s}.deliveries (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id         uuid NOT NULL,                -- the registry event the message carries
    idempotency_key  uuid NOT NULL,                -- Idempotency-Key sent (a retry reuses it)
    type             text NOT NULL CHECK (type IN ({types})),
    person_key       text NOT NULL,
    seq              bigint,                       -- the event's per-person sequence number
    change_reason    text,                         -- 異動事由 as sent (a resend may change it)
    fields           text[] NOT NULL,              -- names of the items sent (提供した項目)
    body             jsonb NOT NULL,               -- the body as sent (secrets blanked)
    my_number_sealed text CHECK (my_number_sealed IS NULL OR my_number_sealed LIKE 'mn1:%'),
    status           text NOT NULL CHECK (status IN (
                         'sent', 'held', 'rejected', 'failed', 'handed_over')),
    receipt_no       text,                         -- 受付番号 of the receiving system
    replayed         boolean NOT NULL DEFAULT false, -- answered with its stored reply (same key)
    reply_status     integer,                      -- HTTP status of the answer (null: none)
    reply_code       text,                         -- error code, or the transport failure
    created_at       timestamptz NOT NULL DEFAULT now(),
    sent_at          timestamptz,                  -- when it was sent (or handed over)
    trace_id         text,
    resend_of        bigint REFERENCES {s}.deliveries (id),
    operator         text,                         -- who resent, released or handed it over
    note             text                          -- the operator's reason
);
CREATE INDEX IF NOT EXISTS deliveries_event_idx ON {s}.deliveries (event_id);
CREATE INDEX IF NOT EXISTS deliveries_person_idx ON {s}.deliveries (person_key, id);
CREATE INDEX IF NOT EXISTS deliveries_sent_at_idx ON {s}.deliveries (sent_at);
CREATE INDEX IF NOT EXISTS deliveries_held_idx ON {s}.deliveries (person_key, id)
    WHERE status = 'held';

-- 手動連携: the switch, and every change of it with who and why.
CREATE TABLE IF NOT EXISTS {s}.manual_mode (
    id               boolean PRIMARY KEY DEFAULT true CHECK (id),
    manual           boolean NOT NULL DEFAULT false,
    changed_at       timestamptz NOT NULL DEFAULT now(),
    changed_by       text,
    reason           text
);
INSERT INTO {s}.manual_mode DEFAULT VALUES ON CONFLICT DO NOTHING;

CREATE TABLE IF NOT EXISTS {s}.manual_mode_history (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at               timestamptz NOT NULL DEFAULT now(),
    operator         text NOT NULL,
    manual           boolean NOT NULL,
    reason           text NOT NULL
);
"""

_GRANTS: Final = """
GRANT SELECT, INSERT ON {s}.deliveries TO {r};
GRANT UPDATE (status, receipt_no, replayed, reply_status, reply_code, sent_at, trace_id, operator,
              note) ON {s}.deliveries TO {r};
GRANT SELECT, UPDATE (manual, changed_at, changed_by, reason) ON {s}.manual_mode TO {r};
GRANT SELECT, INSERT ON {s}.manual_mode_history TO {r};
"""


def deliveries_ddl(schema: str, *, types: Sequence[str], grant_to: str | None = None) -> str:
    """Return the DDL of the delivery record in `schema` for message `types`, with grants."""
    if not types:
        raise ValueError("a delivery record needs at least one message type")
    listed = ", ".join(f"'{check_identifier(t, what='message type')}'" for t in types)
    ddl = _TABLES.format(s=check_identifier(schema), types=listed)
    if grant_to is not None:
        ddl += _GRANTS.format(s=schema, r=check_identifier(grant_to, what="role"))
    return ddl
