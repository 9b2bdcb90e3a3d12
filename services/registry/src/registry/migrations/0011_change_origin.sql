-- Where a change came from (起因): a member of staff, or the notice of another system it applies
-- (CS, the 戸籍 side, 法務省). The recipient policy reads it: a change made from a 長官通知 sends the
-- ministry no 市町村通知 back (住基法30条の50, no loop). Existing system changes get their origin
-- from their maker.
-- depends: 0010_work_items

ALTER TABLE registry.changes
    ADD COLUMN origin text NOT NULL DEFAULT 'staff'
        CHECK (origin IN ('staff', 'cs', 'koseki', 'moj'));

UPDATE registry.changes SET origin = substring(created_by FROM 8)
 WHERE created_by IN ('system:cs', 'system:koseki', 'system:moj');
