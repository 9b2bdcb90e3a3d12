-- Search that forgives variants (issue 11, spec 2.1.2): the kana key that also ignores 清音・濁音・
-- 半濁音 (searched on request), and the version of the rules that computed a row's keys.
-- The keys are computed in Python (registry.domain.search_keys, which the MJ縮退マップ folding
-- needs), so SQL cannot fill them: rows existing before this migration get version 0 and
-- `jumin-registry migrate` refreshes them right after applying the migrations
-- (`jumin-registry reindex-search` does it on its own). Until then they keep their old keys.
-- depends: 0005_commands

ALTER TABLE registry.resident_current
    ADD COLUMN kana_loose_key text COLLATE "C" NOT NULL DEFAULT '',  -- カナ検索キー (清濁を無視)
    ADD COLUMN search_keys_version smallint NOT NULL DEFAULT 0;       -- SEARCH_KEYS_VERSION
-- The defaults only fill existing rows: every write names both columns.
ALTER TABLE registry.resident_current
    ALTER COLUMN kana_loose_key DROP DEFAULT,
    ALTER COLUMN search_keys_version DROP DEFAULT;

CREATE INDEX resident_current_kana_loose_idx
    ON registry.resident_current (kana_loose_key, atena_no);
