"""The inbound side: the 処理結果 taken in, the worklist of error results, and the 長官通知
taken in (the feed's cursor and 取込の記録 are 0002's)."""

from yoyo import step

__depends__ = {"0003_schedule"}

RESULTS = """
-- Every 処理結果 taken in; delivery_id null: a result for a notice that is not ours (unmatched).
CREATE TABLE moj_notify.results (
    notification_id  uuid PRIMARY KEY,              -- the feed item (a replay changes nothing)
    receipt_no       text NOT NULL,                 -- 受付番号 the result is about
    event_id         uuid,                          -- the registry event (null: not held there)
    notice_type      text,
    result           text NOT NULL CHECK (result IN ('ok', 'error')),
    error_code       text,
    error_items      text[] NOT NULL DEFAULT '{}',  -- item names, never values
    message          text,
    processed_at     timestamptz NOT NULL,
    delivery_id      bigint REFERENCES moj_notify.deliveries (id),  -- the transmission matched
    person_key       text,
    received_at      timestamptz NOT NULL DEFAULT now(),
    trace_id         text
);
CREATE INDEX results_delivery_idx ON moj_notify.results (delivery_id);
CREATE INDEX results_unmatched_idx ON moj_notify.results (received_at)
    WHERE delivery_id IS NULL;

-- An error result the operator acts on (correct and resend, or mark handled); while it is open
-- or resent, its person block stops the person's later notices.
CREATE TABLE moj_notify.result_worklist (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    result_id          uuid NOT NULL REFERENCES moj_notify.results (notification_id),
    delivery_id        bigint NOT NULL REFERENCES moj_notify.deliveries (id),
    person_key         text NOT NULL,
    event_id           uuid NOT NULL,
    notice_type        text NOT NULL,
    receipt_no         text NOT NULL,
    error_code         text NOT NULL,
    error_items        text[] NOT NULL,
    message            text,
    status             text NOT NULL CHECK (status IN ('open', 'resent', 'resolved', 'handled')),
    resend_delivery_id bigint REFERENCES moj_notify.deliveries (id),
    resend_receipt_no  text,
    block_id           bigint REFERENCES moj_notify.person_blocks (id),
    opened_at          timestamptz NOT NULL DEFAULT now(),
    closed_at          timestamptz,
    operator           text,                          -- who resent or handled it last
    note               text                           -- the operator's reason
);
CREATE INDEX result_worklist_status_idx ON moj_notify.result_worklist (status, id);
CREATE INDEX result_worklist_resend_idx ON moj_notify.result_worklist (resend_delivery_id);

-- Every 長官通知 taken in, with its body (staff import a 特別永住者's by hand from it).
CREATE TABLE moj_notify.director_notices (
    notification_id  uuid PRIMARY KEY,
    notice_no        text,
    kind             text,
    notice_date      date,
    effective_date   date,
    special_permanent boolean NOT NULL,
    status           text NOT NULL CHECK (status IN (
                         'published',                 -- sent to the registry (pending change)
                         'by_hand',                   -- 特別永住者: staff import it by hand
                         'invalid',                   -- did not fit: staff import it by hand
                         'imported_by_hand')),        -- staff did
    command_id       uuid,
    detail           text,                          -- why by hand or invalid: names only
    body             jsonb NOT NULL,                -- as received (personal data)
    received_at      timestamptz NOT NULL DEFAULT now(),
    trace_id         text,
    imported_at      timestamptz,
    imported_by      text,
    import_note      text
);
CREATE INDEX director_notices_open_idx ON moj_notify.director_notices (received_at)
    WHERE status IN ('by_hand', 'invalid');

GRANT SELECT, INSERT ON moj_notify.results TO jumin_moj_notify;
GRANT SELECT, INSERT ON moj_notify.result_worklist TO jumin_moj_notify;
GRANT UPDATE (delivery_id, receipt_no, error_code, error_items, message, status,
              resend_delivery_id, resend_receipt_no, block_id, closed_at, operator, note)
    ON moj_notify.result_worklist TO jumin_moj_notify;
GRANT SELECT, INSERT ON moj_notify.director_notices TO jumin_moj_notify;
GRANT UPDATE (status, imported_at, imported_by, import_note)
    ON moj_notify.director_notices TO jumin_moj_notify;
"""

steps = [step(RESULTS)]
