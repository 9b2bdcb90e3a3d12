-- Staff work items (作業) from the 戸籍 side's notices: a 戸籍照合通知 (住基法19条2項) or a 本籍転属通知
-- (19条3項) never writes to the register; it waits here for a clerk, who resolves it once.
-- depends: 0009_koseki_basis

CREATE TABLE registry.work_items (
    work_item_id          uuid PRIMARY KEY,
    kind                  text NOT NULL CHECK (kind IN (
                              'koseki_collation',        -- 戸籍照合通知
                              'honseki_transfer'         -- 本籍転属通知
                          )),
    status                text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
    atena_no              text NOT NULL,             -- 宛名番号 of the person concerned
    command_id            uuid NOT NULL UNIQUE REFERENCES registry.command_inbox (command_id),
    notification_id       uuid NOT NULL,             -- 通知番号 of the 戸籍附票システム
    received_at           timestamptz NOT NULL,
    differing_items       text[] NOT NULL,           -- 一致しない項目
    stated                jsonb NOT NULL,            -- what the notice states (戸籍の記載, 本籍 …)
    resolution            text CHECK (resolution IN ('corrected', 'resent', 'no_action')),
    correction_change_id  uuid REFERENCES registry.changes (change_id),  -- the 職権修正 entered
    resolved_by           text,
    resolved_at           timestamptz,
    resolution_reason     text,
    CONSTRAINT work_items_resolved_in_full CHECK (
        (status = 'open' AND resolution IS NULL AND correction_change_id IS NULL
         AND resolved_by IS NULL AND resolved_at IS NULL AND resolution_reason IS NULL)
        OR (status = 'resolved' AND resolution IS NOT NULL AND resolved_by IS NOT NULL
            AND resolved_at IS NOT NULL AND resolution_reason IS NOT NULL)
    ),
    CONSTRAINT work_items_correction_names_its_change CHECK (
        status = 'open' OR (resolution = 'corrected') = (correction_change_id IS NOT NULL)
    )
);
CREATE INDEX work_items_open_idx ON registry.work_items (received_at) WHERE status = 'open';
CREATE INDEX work_items_person_idx ON registry.work_items (atena_no);

-- A command may now become a work item.
ALTER TABLE registry.command_inbox DROP CONSTRAINT command_inbox_outcome_check;
ALTER TABLE registry.command_inbox ADD CONSTRAINT command_inbox_outcome_check CHECK (outcome IN (
    'applied', 'unchanged', 'pending_review', 'work_item', 'unmatched', 'refused'
));

GRANT SELECT, INSERT,
      UPDATE (status, resolution, correction_change_id, resolved_by, resolved_at, resolution_reason)
    ON registry.work_items TO jumin_registry;
