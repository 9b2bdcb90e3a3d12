-- アクセスログ (spec 10.2) of the operator API: append-only, hash-chained (see
-- jumin_platform.access_log), the same columns and guards as registry.access_log.
-- Subjects are the person keys a request touched.
-- depends: 0002_deliveries

CREATE TABLE cs_adapter.access_log (
    seq                 bigint PRIMARY KEY CHECK (seq >= 1),
    occurred_at         timestamptz NOT NULL,        -- 日時
    operator            text,                        -- 操作者ID (NULL: 認証失敗)
    terminal            text,                        -- 端末名
    function            text NOT NULL,               -- 機能名
    subjects            text[] NOT NULL,             -- 処理対象者 (person key)
    my_number_accessed  boolean NOT NULL,            -- 個人番号へのアクセス有無
    outcome             text NOT NULL,
    status_code         integer,
    trace_id            text,
    prev_hash           bytea NOT NULL,
    row_hash            bytea NOT NULL
);
CREATE INDEX access_log_time_idx ON cs_adapter.access_log (occurred_at);
CREATE INDEX access_log_operator_idx ON cs_adapter.access_log (operator, occurred_at);
CREATE INDEX access_log_subjects_idx ON cs_adapter.access_log USING gin (subjects);

CREATE FUNCTION cs_adapter.refuse_access_log_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'cs_adapter.access_log is append-only (アクセスログは改ざんできません)'
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER access_log_append_only
    BEFORE UPDATE OR DELETE ON cs_adapter.access_log
    FOR EACH ROW EXECUTE FUNCTION cs_adapter.refuse_access_log_change();
CREATE TRIGGER access_log_no_truncate
    BEFORE TRUNCATE ON cs_adapter.access_log
    FOR EACH STATEMENT EXECUTE FUNCTION cs_adapter.refuse_access_log_change();
GRANT SELECT, INSERT ON cs_adapter.access_log TO jumin_cs_adapter;
