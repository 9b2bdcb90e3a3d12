-- Signed access-log checkpoints (チェックポイント), append-only: what the witness is for.
-- Applied by yoyo as jumin_audit_witness_owner; the service runs as jumin_audit_witness, which may
-- only read and add rows. No other service's role has any right on this schema (provisioning
-- grants USAGE to jumin_audit_witness alone), so the registry cannot rewrite what it vouched for.

CREATE TABLE audit_witness.checkpoints (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    log          text NOT NULL CHECK (log ~ '^[a-z][a-z0-9_]*\.access_log$'),
    seq          bigint NOT NULL CHECK (seq >= 0),             -- the log's head
    row_hash     text NOT NULL CHECK (row_hash ~ '^[0-9a-f]{64}$'),
    taken_at     timestamptz NOT NULL,                         -- when the service took it
    key_id       text NOT NULL,
    signature    text NOT NULL,                                -- Ed25519 over log, seq, hash, time
    received_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (log, seq, row_hash)                                -- a checkpoint sent twice is kept once
);
CREATE INDEX checkpoints_latest_idx ON audit_witness.checkpoints (log, seq DESC, id DESC);

CREATE FUNCTION audit_witness.refuse_checkpoint_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_witness.checkpoints is append-only (チェックポイントは改ざんできません)'
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER checkpoints_append_only
    BEFORE UPDATE OR DELETE ON audit_witness.checkpoints
    FOR EACH ROW EXECUTE FUNCTION audit_witness.refuse_checkpoint_change();
CREATE TRIGGER checkpoints_no_truncate
    BEFORE TRUNCATE ON audit_witness.checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION audit_witness.refuse_checkpoint_change();

GRANT SELECT, INSERT ON audit_witness.checkpoints TO jumin_audit_witness;
