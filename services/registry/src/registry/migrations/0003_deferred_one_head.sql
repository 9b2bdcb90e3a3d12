-- One head per household (世帯主は一人), checked at commit rather than row by row, so a
-- 世帯主変更 (or its 取消し) may step the old head down and the new one up in any order.
-- depends: 0002_accountability

DROP INDEX registry.resident_current_one_head_idx;
ALTER TABLE registry.resident_current
    ADD CONSTRAINT resident_current_one_head
    EXCLUDE USING btree (household_no WITH =) WHERE (is_head AND status = 'resident')
    DEFERRABLE INITIALLY DEFERRED;
