-- 転出予定者: the current index keeps the 異動日 of each person's latest row, so a search "as of
-- today" can tell a removal that takes effect later (a 転出予定日 ahead) from one in force
-- (registry.domain.register_time; docs/domain.md, "Reading the register: today").
-- depends: 0005_commands

ALTER TABLE registry.resident_current ADD COLUMN occurred_on_sort date;
UPDATE registry.resident_current c
   SET occurred_on_sort = h.occurred_on_sort
  FROM registry.resident_history h
 WHERE h.atena_no = c.atena_no AND h.history_no = c.history_no;
ALTER TABLE registry.resident_current ALTER COLUMN occurred_on_sort SET NOT NULL;
