"""整合性確認 of an adapter: what it last told an external system against what that system holds.

`compare` (pure): both sides as records keyed by 住民票コード, compared item by item, differences
named by person key and item name — never values. `checks`: paging through the external system's
records, storing results in the adapter's schema (`consistency_checks_ddl`), the schedule.
Used by cs_adapter (本人確認情報 at CS) and koseki_adapter (the 戸籍附票).
"""
