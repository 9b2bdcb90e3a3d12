-- Inbound commands (jumin.commands → registry.in): an inbox that makes each command apply once, and
-- the pool of free 住民票コード received from CS (spec 4.3.1).
-- depends: 0004_outbox

-- One row per command ever applied, written in the same transaction as its effect: a redelivered
-- command finds its row and does nothing (docs/style.md, "Idempotent consumers by tracking").
CREATE TABLE registry.command_inbox (
    command_id   uuid PRIMARY KEY,                 -- the adapter's idempotency key
    routing_key  text NOT NULL,                    -- registry.<command>
    received_at  timestamptz NOT NULL,
    outcome      text NOT NULL CHECK (outcome IN (
                     'applied',                    -- recorded (history row, codes pooled)
                     'unchanged',                  -- nothing new (e.g. the same 個人番号 again)
                     'pending_review',             -- became a pending change (長官通知)
                     'unmatched',                  -- no such person on the register
                     'refused'                     -- the register's rules refused it (see detail)
                 )),
    change_ids   uuid[] NOT NULL DEFAULT '{}',     -- changes it created (registry.changes)
    detail       text                              -- why, for operators; never personal data
);
CREATE INDEX command_inbox_outcome_idx ON registry.command_inbox (outcome, received_at)
    WHERE outcome IN ('unmatched', 'refused');

-- 新規付番用の住民票コード: a code is free until assigned; an assigned code stays, with whom it went
-- to and when, so a code is never handed out twice.
CREATE TABLE registry.juminhyo_code_pool (
    code                  text PRIMARY KEY CHECK (code ~ '^[0-9]{11}$'),
    received_at           timestamptz NOT NULL,
    assigned_to_atena_no  text,                    -- 宛名番号 of the person it was given to
    assigned_at           timestamptz,
    CONSTRAINT code_pool_assigned_together CHECK (
        (assigned_to_atena_no IS NULL) = (assigned_at IS NULL)
    )
);
CREATE INDEX juminhyo_code_pool_free_idx ON registry.juminhyo_code_pool (code)
    WHERE assigned_to_atena_no IS NULL;

-- A 長官通知 names the person by 在留カード番号 (or 特別永住者証明書番号).
CREATE INDEX resident_history_card_idx ON registry.resident_history (residence_card_no)
    WHERE residence_card_no IS NOT NULL;
CREATE INDEX resident_history_special_cert_idx
    ON registry.resident_history (special_permanent_cert_no)
    WHERE special_permanent_cert_no IS NOT NULL;

GRANT SELECT, INSERT, UPDATE (outcome, change_ids, detail) ON registry.command_inbox TO jumin_registry;
GRANT SELECT, INSERT, UPDATE (assigned_to_atena_no, assigned_at)
    ON registry.juminhyo_code_pool TO jumin_registry;
