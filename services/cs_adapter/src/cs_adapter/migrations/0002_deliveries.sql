-- The adapter's own records: what went to CS and when (提供・移転の記録), the registry's view of
-- each person's 本人確認情報 (for the 整合性確認), 個人番号生成要求, answers fetched from CS,
-- free 住民票コード supplied to the registry, and the 手動連携 switch.
-- Applied by yoyo as jumin_cs_adapter_owner; the service runs as jumin_cs_adapter (DML only).
-- 個人番号 is never kept in plain: sealed (mn1:…, jumin_platform.my_number_vault) or as a keyed hash.
-- depends: 0001_consumer_kit

-- One row per transmission (送信) or held message; the body is kept as sent, 個人番号 blanked.
CREATE TABLE cs_adapter.deliveries (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id         uuid NOT NULL,                -- the registry event the message carries
    idempotency_key  uuid NOT NULL,                -- Idempotency-Key sent (a retry reuses it)
    type             text NOT NULL CHECK (type IN (
                         'identity', 'fuhyo_notice', 'my_number_request', 'moveout_certificate')),
    person_key       text NOT NULL,
    seq              bigint,                       -- the event's per-person sequence number
    change_reason    text,                         -- 異動事由 as sent (a resend may change it)
    fields           text[] NOT NULL,              -- names of the items sent (提供した項目)
    body             jsonb NOT NULL,               -- the 電文 body, my_number null
    my_number_sealed text CHECK (my_number_sealed IS NULL OR my_number_sealed LIKE 'mn1:%'),
    status           text NOT NULL CHECK (status IN (
                         'sent', 'held', 'rejected', 'failed', 'handed_over')),
    receipt_no       text,                         -- CS 受付番号
    replayed         boolean NOT NULL DEFAULT false, -- CS answered with its stored reply (same key)
    reply_status     integer,                      -- HTTP status of CS's answer (null: none)
    reply_code       text,                         -- CS error code, or the transport failure
    created_at       timestamptz NOT NULL DEFAULT now(),
    sent_at          timestamptz,                  -- when it went to CS (or was handed over)
    trace_id         text,
    resend_of        bigint REFERENCES cs_adapter.deliveries (id),
    operator         text,                         -- who resent, released or handed it over
    note             text                          -- the operator's reason
);
CREATE INDEX deliveries_event_idx ON cs_adapter.deliveries (event_id);
CREATE INDEX deliveries_person_idx ON cs_adapter.deliveries (person_key, id);
CREATE INDEX deliveries_sent_at_idx ON cs_adapter.deliveries (sent_at);
CREATE INDEX deliveries_held_idx ON cs_adapter.deliveries (person_key, id) WHERE status = 'held';

-- The latest 本人確認情報 the registry sent per person, in CS form (my_number as keyed hash).
CREATE TABLE cs_adapter.identity_snapshot (
    person_key       text PRIMARY KEY,
    seq              bigint NOT NULL,
    event_id         uuid NOT NULL,
    juminhyo_code    text,
    body             jsonb NOT NULL,
    my_number_hash   text,
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX identity_snapshot_code_idx ON cs_adapter.identity_snapshot (juminhyo_code);

-- 個人番号生成要求: at most one per 住民票コード.
CREATE TABLE cs_adapter.my_number_requests (
    juminhyo_code    text PRIMARY KEY,
    person_key       text NOT NULL,
    event_id         uuid NOT NULL,
    idempotency_key  uuid NOT NULL UNIQUE,
    reason           text NOT NULL CHECK (reason IN ('new', 'change')),
    requested_at     timestamptz NOT NULL DEFAULT now(),
    answered_at      timestamptz,
    notification_id  uuid
);

-- Where the notification poller stands (the last CS cursor acted on).
CREATE TABLE cs_adapter.notification_cursor (
    id               boolean PRIMARY KEY DEFAULT true CHECK (id),
    cursor           bigint NOT NULL DEFAULT 0,
    updated_at       timestamptz NOT NULL DEFAULT now()
);
INSERT INTO cs_adapter.notification_cursor DEFAULT VALUES;

-- Answers taken in from CS (取込の記録) and the command each became; bodies are not kept.
CREATE TABLE cs_adapter.notifications (
    notification_id  uuid PRIMARY KEY,
    cursor           bigint NOT NULL,
    type             text NOT NULL,
    received_at      timestamptz NOT NULL DEFAULT now(),
    outcome          text NOT NULL CHECK (outcome IN ('published', 'ignored', 'invalid')),
    command_id       uuid,
    routing_key      text,
    detail           text,                         -- why ignored/invalid: field names only
    trace_id         text
);
CREATE INDEX notifications_cursor_idx ON cs_adapter.notifications (cursor);

-- Free 住民票コード batches asked of CS and handed to the registry (spec 4.3.1). The key is
-- stored before the call, so a crash between call and publish asks again with the same key.
CREATE TABLE cs_adapter.code_supplies (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    idempotency_key  uuid NOT NULL UNIQUE,
    requested_count  integer NOT NULL CHECK (requested_count BETWEEN 1 AND 10000),
    requested_at     timestamptz NOT NULL DEFAULT now(),
    batch_id         text,
    received_at      timestamptz,
    published_at     timestamptz
);
CREATE UNIQUE INDEX code_supplies_one_open ON cs_adapter.code_supplies ((true))
    WHERE published_at IS NULL;

-- Each code supplied, and when an identity message showed it in use.
CREATE TABLE cs_adapter.free_codes (
    code             text PRIMARY KEY CHECK (code ~ '^[0-9]{11}$'),
    supply_id        bigint NOT NULL REFERENCES cs_adapter.code_supplies (id),
    seen_at          timestamptz,
    seen_event_id    uuid
);
CREATE INDEX free_codes_unseen_idx ON cs_adapter.free_codes (supply_id) WHERE seen_at IS NULL;

-- 手動連携 (spec 7.1.1.1): the switch, and every change of it with who and why.
CREATE TABLE cs_adapter.manual_mode (
    id               boolean PRIMARY KEY DEFAULT true CHECK (id),
    manual           boolean NOT NULL DEFAULT false,
    changed_at       timestamptz NOT NULL DEFAULT now(),
    changed_by       text,
    reason           text
);
INSERT INTO cs_adapter.manual_mode DEFAULT VALUES;

CREATE TABLE cs_adapter.manual_mode_history (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at               timestamptz NOT NULL DEFAULT now(),
    operator         text NOT NULL,
    manual           boolean NOT NULL,
    reason           text NOT NULL
);

-- 整合性確認 (spec 7.1.1.2) results: person keys, field names and CS receipt numbers, no values.
CREATE TABLE cs_adapter.consistency_checks (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    started_at       timestamptz NOT NULL,
    finished_at      timestamptz NOT NULL,
    operator         text NOT NULL,
    result           jsonb NOT NULL
);

-- The delivery record is evidence: the service may add rows and move their status on, never
-- rewrite what was sent or delete anything.
GRANT SELECT, INSERT ON cs_adapter.deliveries TO jumin_cs_adapter;
GRANT UPDATE (status, receipt_no, replayed, reply_status, reply_code, sent_at, trace_id, operator, note)
    ON cs_adapter.deliveries TO jumin_cs_adapter;
GRANT SELECT, INSERT, UPDATE ON cs_adapter.identity_snapshot TO jumin_cs_adapter;
GRANT SELECT, INSERT, UPDATE (answered_at, notification_id)
    ON cs_adapter.my_number_requests TO jumin_cs_adapter;
GRANT SELECT, UPDATE (cursor, updated_at) ON cs_adapter.notification_cursor TO jumin_cs_adapter;
GRANT SELECT, INSERT ON cs_adapter.notifications TO jumin_cs_adapter;
GRANT SELECT, INSERT, UPDATE (batch_id, received_at, published_at)
    ON cs_adapter.code_supplies TO jumin_cs_adapter;
GRANT SELECT, INSERT, UPDATE (seen_at, seen_event_id) ON cs_adapter.free_codes TO jumin_cs_adapter;
GRANT SELECT, UPDATE (manual, changed_at, changed_by, reason)
    ON cs_adapter.manual_mode TO jumin_cs_adapter;
GRANT SELECT, INSERT ON cs_adapter.manual_mode_history TO jumin_cs_adapter;
GRANT SELECT, INSERT ON cs_adapter.consistency_checks TO jumin_cs_adapter;
