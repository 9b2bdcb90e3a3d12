-- 個人番号の変更要求 (reason change, spec 7.1.2.1): a code that had its 新規付番 may be asked for a
-- new number again, once per approved change (keyed by its idempotency key). Still at most one
-- 新規付番 per 住民票コード.
-- depends: 0004_consumer_kit_parked_failures

ALTER TABLE cs_adapter.my_number_requests DROP CONSTRAINT my_number_requests_pkey;
ALTER TABLE cs_adapter.my_number_requests
    ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;
CREATE UNIQUE INDEX my_number_requests_one_new_idx
    ON cs_adapter.my_number_requests (juminhyo_code) WHERE reason = 'new';
CREATE INDEX my_number_requests_code_idx ON cs_adapter.my_number_requests (juminhyo_code);
