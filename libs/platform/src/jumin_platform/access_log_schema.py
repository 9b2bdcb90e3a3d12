"""The access log's table (アクセスログ, spec 10.2), created in the service's own schema.

Every service that touches personal data keeps one: append-only (a trigger refuses UPDATE,
DELETE and TRUNCATE, even by the owner; the service role is granted SELECT and INSERT only) and
hash-chained by `jumin_platform.access_log`. A service puts `access_log_ddl(...)` in one of its
migrations, e.g. a yoyo ``step(access_log_ddl("cs_adapter", grant_to="jumin_cs_adapter"))``.
"""

from __future__ import annotations

from typing import Final

from jumin_platform.db import check_identifier

__all__ = ["access_log_ddl"]

_TABLE: Final = """
CREATE TABLE IF NOT EXISTS {s}.access_log (
    seq                 bigint PRIMARY KEY CHECK (seq >= 1),
    occurred_at         timestamptz NOT NULL,        -- 日時
    operator            text,                        -- 操作者ID (NULL: 認証失敗)
    terminal            text,                        -- 端末名
    function            text NOT NULL,               -- 機能名
    subjects            text[] NOT NULL,             -- 処理対象者 (the service's person key)
    my_number_accessed  boolean NOT NULL,            -- 個人番号へのアクセス有無
    outcome             text NOT NULL,
    status_code         integer,
    trace_id            text,
    prev_hash           bytea NOT NULL,
    row_hash            bytea NOT NULL
);
CREATE INDEX IF NOT EXISTS access_log_time_idx ON {s}.access_log (occurred_at);
CREATE INDEX IF NOT EXISTS access_log_operator_idx ON {s}.access_log (operator, occurred_at);
CREATE INDEX IF NOT EXISTS access_log_subjects_idx ON {s}.access_log USING gin (subjects);

CREATE OR REPLACE FUNCTION {s}.refuse_access_log_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{s}.access_log is append-only (アクセスログは改ざんできません)'
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE OR REPLACE TRIGGER access_log_append_only
    BEFORE UPDATE OR DELETE ON {s}.access_log
    FOR EACH ROW EXECUTE FUNCTION {s}.refuse_access_log_change();
CREATE OR REPLACE TRIGGER access_log_no_truncate
    BEFORE TRUNCATE ON {s}.access_log
    FOR EACH STATEMENT EXECUTE FUNCTION {s}.refuse_access_log_change();
"""

_GRANTS: Final = "GRANT SELECT, INSERT ON {s}.access_log TO {r};\n"


def access_log_ddl(schema: str, *, grant_to: str | None = None) -> str:
    """Return the DDL of the access log in `schema` (idempotent), with grants to a service role."""
    ddl = _TABLE.format(s=check_identifier(schema))
    if grant_to is not None:
        ddl += _GRANTS.format(s=schema, r=check_identifier(grant_to, what="role"))
    return ddl
