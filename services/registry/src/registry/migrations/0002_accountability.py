"""Approval and accountability: rejected/withdrawn changes, revisions, the access log (spec 10.2),
支援措置 (spec 3.4, 1.1.16) and 個人番号 lookup by keyed hash.

The access log's table comes from `jumin_platform.access_log_schema`, the one definition every
service's log shares.
"""

from jumin_platform.access_log_schema import access_log_ddl
from yoyo import step

__depends__ = {"0001_registry_core"}

_DECISIONS = """
-- Changes: a pending change can be corrected (revision), withdrawn by its maker, or rejected.
ALTER TABLE registry.changes DROP CONSTRAINT changes_status_check;
ALTER TABLE registry.changes DROP CONSTRAINT changes_approved_has_decision;
ALTER TABLE registry.changes
    ADD COLUMN revision integer NOT NULL DEFAULT 1,
    ADD COLUMN decision_reason text,                   -- 却下・取下げの理由
    ADD COLUMN withdrawn_by text,
    ADD COLUMN withdrawn_at timestamptz,
    ADD CONSTRAINT changes_status_check
        CHECK (status IN ('pending', 'approved', 'rejected', 'withdrawn')),
    ADD CONSTRAINT changes_decided_iff_decision CHECK (
        (status IN ('approved', 'rejected')) = (decided_by IS NOT NULL AND decided_at IS NOT NULL)
    ),
    ADD CONSTRAINT changes_withdrawn_by_maker CHECK (
        (status = 'withdrawn') = (withdrawn_by IS NOT NULL AND withdrawn_at IS NOT NULL)
        AND (withdrawn_by IS NULL OR withdrawn_by = created_by)
    ),
    ADD CONSTRAINT changes_rejection_has_reason CHECK (
        status <> 'rejected' OR decision_reason IS NOT NULL
    );
CREATE INDEX changes_terminal_pending_idx ON registry.changes (terminal) WHERE status = 'pending';

-- 個人番号: the column holds a sealed value (AES-GCM); exact lookup goes through a keyed hash.
ALTER TABLE registry.resident_history
    ADD COLUMN my_number_hash text,
    ADD CONSTRAINT history_my_number_sealed CHECK (my_number IS NULL OR my_number LIKE 'mn1:%');
ALTER TABLE registry.resident_current ADD COLUMN my_number_hash text;
CREATE INDEX resident_current_my_number_idx ON registry.resident_current (my_number_hash);
"""

_SUPPORT_MEASURES = """
-- 支援措置 (DV・ストーカー等被害者支援): one row per measure; extensions append periods.
CREATE TABLE registry.support_measures (
    measure_id      uuid PRIMARY KEY,
    atena_no        text NOT NULL,                   -- 支援対象者
    provisional     boolean NOT NULL,                -- 仮支援措置
    starts_on       date NOT NULL,                   -- 開始年月日
    ends_on         date NOT NULL,                   -- 終了年月日
    ended_on        date,                            -- 終了 (申出・必要性なし)
    end_reason      text,
    created_by      text NOT NULL,
    created_at      timestamptz NOT NULL,
    updated_by      text NOT NULL,
    updated_at      timestamptz NOT NULL,
    CHECK (ends_on >= starts_on),
    CHECK (ended_on IS NULL OR ended_on >= starts_on)
);
CREATE INDEX support_measures_person_idx ON registry.support_measures (atena_no);
GRANT SELECT, INSERT, UPDATE ON registry.support_measures TO jumin_registry;
"""

steps = [
    step(_DECISIONS),
    step(access_log_ddl("registry", grant_to="jumin_registry")),
    step(_SUPPORT_MEASURES),
]
