-- The durable schedule of notices to send (送信予定), and the per-person blocks that stop it.
-- depends: 0002_deliveries

-- One row per notice the registry's event asks for (市町村通知, and 市町村伝達 for a 住居地届出),
-- written in the consumer kit's transaction. The dispatcher sends a person's rows in (seq, id)
-- order; a row whose 異動日 is after today (転出予定日) waits until that day (not_before, ward
-- date), and the person's later rows wait behind it.
CREATE TABLE moj_notify.scheduled_notices (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id         uuid NOT NULL,                 -- the registry event
    type             text NOT NULL CHECK (type IN ('municipal_notice', 'municipal_transmission')),
    person_key       text NOT NULL,
    seq              bigint NOT NULL,               -- the event's per-person sequence number
    change_kind      text NOT NULL,                 -- 異動事由 (code)
    not_before       date,                          -- held until this ward date (null: at once)
    idempotency_key  uuid NOT NULL,                 -- of the transmission (a retry reuses it)
    body             jsonb NOT NULL,                -- the notice as it is to be sent
    status           text NOT NULL DEFAULT 'pending' CHECK (status IN (
                         'pending',                 -- to send (due, or waiting)
                         'sent',                    -- the ministry received it
                         'held',                    -- put in the delivery record as held (手動連携)
                         'refused',                 -- refused for good: the person waits (operator)
                         'withdrawn')),             -- an operator took it off the schedule
    attempts         integer NOT NULL DEFAULT 0,    -- transmissions tried without an answer
    next_attempt_at  timestamptz,                   -- after an unanswered attempt: not before
    last_reply       text,                          -- the last answer, codes only
    delivery_id      bigint REFERENCES moj_notify.deliveries (id),  -- its final record
    traceparent      text,                          -- the event's trace: sending continues it
    received_at      timestamptz NOT NULL DEFAULT now(),
    done_at          timestamptz,
    operator         text,                          -- who retried or withdrew it
    note             text,                          -- the operator's reason
    UNIQUE (event_id, type)
);
CREATE INDEX scheduled_notices_open_idx ON moj_notify.scheduled_notices (person_key, seq, id)
    WHERE status IN ('pending', 'refused');
CREATE INDEX scheduled_notices_status_idx ON moj_notify.scheduled_notices (status, id);

-- A person whose notices must wait: a notice the ministry refused (source 'refusal', this
-- service) or a 処理結果 in error not yet handled (source 'result', the results import). The
-- dispatcher sends nothing for a person with an open block (cleared_at null).
CREATE TABLE moj_notify.person_blocks (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    person_key       text NOT NULL,
    source           text NOT NULL CHECK (source IN ('refusal', 'result')),
    notice_id        bigint REFERENCES moj_notify.scheduled_notices (id),
    delivery_id      bigint REFERENCES moj_notify.deliveries (id),
    reason           text NOT NULL,                 -- codes only, never values
    created_at       timestamptz NOT NULL DEFAULT now(),
    cleared_at       timestamptz,
    cleared_by       text,
    clear_note       text
);
CREATE INDEX person_blocks_open_idx ON moj_notify.person_blocks (person_key)
    WHERE cleared_at IS NULL;

GRANT SELECT, INSERT ON moj_notify.scheduled_notices TO jumin_moj_notify;
GRANT UPDATE (status, attempts, next_attempt_at, last_reply, delivery_id, done_at, operator, note,
              idempotency_key)
    ON moj_notify.scheduled_notices TO jumin_moj_notify;
GRANT SELECT, INSERT ON moj_notify.person_blocks TO jumin_moj_notify;
GRANT UPDATE (cleared_at, cleared_by, clear_note) ON moj_notify.person_blocks TO jumin_moj_notify;
