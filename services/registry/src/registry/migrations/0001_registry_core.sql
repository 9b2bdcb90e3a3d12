-- Registry core: changes (異動), full-snapshot history (異動履歴, spec 1.2.1), current index, households.
-- Applied by yoyo-migrations as the schema owner (jumin_registry_owner); the service runs as jumin_registry.

CREATE SEQUENCE registry.atena_seq;      -- 宛名番号 body (check digit appended by the service)
CREATE SEQUENCE registry.household_seq;  -- 世帯番号 body

CREATE TABLE registry.changes (
    change_id    uuid PRIMARY KEY,
    kind         text NOT NULL,                       -- 異動事由
    status       text NOT NULL CHECK (status IN ('pending', 'approved')),
    occurred_on  text NOT NULL,                       -- 異動日 (PartialDate storage form)
    notified_on  date,                                -- 届出日
    request      jsonb NOT NULL,                      -- the change as entered and validated
    terminal     text,                                -- 入力端末
    created_by   text NOT NULL,                       -- 入力者
    created_at   timestamptz NOT NULL,
    decided_by   text,                                -- 決裁者
    decided_at   timestamptz,
    subjects     text[] NOT NULL DEFAULT '{}',        -- 宛名番号 of the people touched
    CONSTRAINT changes_maker_is_not_checker CHECK (decided_by IS NULL OR decided_by <> created_by),
    CONSTRAINT changes_approved_has_decision CHECK (
        (status = 'pending') = (decided_by IS NULL AND decided_at IS NULL)
    )
);
CREATE INDEX changes_pending_idx ON registry.changes (created_at) WHERE status = 'pending';
CREATE INDEX changes_subjects_idx ON registry.changes USING gin (subjects);

CREATE TABLE registry.households (
    household_no text PRIMARY KEY,                    -- 世帯番号
    created_at   timestamptz NOT NULL
);

-- One row per (宛名番号, 履歴番号): every item of the record after each change (spec 1.2.1).
CREATE TABLE registry.resident_history (
    atena_no                    text NOT NULL,        -- 宛名番号
    history_no                  integer NOT NULL CHECK (history_no >= 1),  -- 履歴番号
    change_id                   uuid NOT NULL REFERENCES registry.changes (change_id),
    change_kind                 text NOT NULL,        -- 異動事由
    occurred_on                 text NOT NULL,        -- 異動日
    occurred_on_sort            date NOT NULL,
    recorded_at                 timestamptz NOT NULL, -- 処理日時 (本登録)
    ex_officio                  boolean NOT NULL,     -- 職権
    status                      text NOT NULL CHECK (status IN ('resident', 'removed', 'void')),
    resident_type               text NOT NULL CHECK (resident_type IN ('japanese', 'foreign')),
    household_no                text NOT NULL REFERENCES registry.households (household_no),
    is_head                     boolean NOT NULL,     -- 世帯主
    relationship                text NOT NULL,        -- 続柄
    family_name                 text NOT NULL,        -- 氏
    given_name                  text NOT NULL,        -- 名
    family_name_kana            text NOT NULL,
    given_name_kana             text NOT NULL,
    former_surname              text,                 -- 旧氏
    former_surname_kana         text,
    alias                       text,                 -- 通称
    alias_kana                  text,
    name_alphabet               text,                 -- 氏名 (alphabet)
    birth_date                  text NOT NULL,        -- 生年月日 (PartialDate storage form)
    birth_date_sort             date NOT NULL,
    sex                         text NOT NULL CHECK (sex IN ('male', 'female')),
    honseki                     text,                 -- 本籍
    hittosha                    text,                 -- 筆頭者
    became_resident_on          text,                 -- 住民となった年月日
    became_foreign_resident_on  text,                 -- 外国人住民となった年月日
    address                     text NOT NULL,        -- 住所
    address_town_code           text,                 -- 町丁目
    address_katagaki            text,                 -- 方書
    postal_code                 text,
    address_since               text NOT NULL,        -- 住所を定めた年月日
    notified_on                 date,                 -- 届出年月日
    previous_address            text,                 -- 従前の住所
    planned_move_out_on         date,                 -- 転出予定日
    move_out_destination        text,                 -- 転出先 (予定)
    confirmed_move_out_on       date,                 -- 転出確定日
    confirmed_destination       text,                 -- 転出先 (確定)
    removed_on                  text,                 -- 消除日
    removal_kind                text,                 -- 消除事由
    my_number                   text,                 -- 個人番号 (encrypted at rest: approval issue)
    juminhyo_code               text,                 -- 住民票コード
    voter_registered            boolean NOT NULL,     -- 選挙人名簿登録
    qualifications              jsonb NOT NULL,       -- 国保・後期高齢・介護・年金・児童手当
    nationality                 text,                 -- 国籍・地域
    foreign_category            text,                 -- 区分
    status_of_residence         text,                 -- 在留資格
    period_of_stay              text,                 -- 在留期間
    stay_expires_on             date,                 -- 満了日
    residence_card_no           text,                 -- 在留カード番号
    special_permanent_cert_no   text,                 -- 特別永住者証明書番号
    PRIMARY KEY (atena_no, history_no),
    CONSTRAINT history_foreign_has_no_honseki CHECK (resident_type = 'japanese' OR honseki IS NULL),
    CONSTRAINT history_head_relationship CHECK (is_head = (relationship = '世帯主'))
);
CREATE INDEX resident_history_household_idx ON registry.resident_history (household_no);
CREATE INDEX resident_history_change_idx ON registry.resident_history (change_id);

-- The latest approved row per person, with normalised search keys (検索用); maintained with history.
CREATE TABLE registry.resident_current (
    atena_no          text PRIMARY KEY,
    history_no        integer NOT NULL,
    status            text NOT NULL,
    household_no      text NOT NULL,
    is_head           boolean NOT NULL,
    kana_key          text COLLATE "C" NOT NULL,      -- normalised フリガナ (氏+名), byte order
    name_key          text NOT NULL,                  -- normalised 氏名, 通称, alphabet
    birth_date_sort   date NOT NULL,
    address           text NOT NULL,
    juminhyo_code     text,
    FOREIGN KEY (atena_no, history_no) REFERENCES registry.resident_history (atena_no, history_no)
);
-- Invariant: one head per household among current residents (世帯主は一人).
CREATE UNIQUE INDEX resident_current_one_head_idx
    ON registry.resident_current (household_no) WHERE is_head AND status = 'resident';
CREATE INDEX resident_current_household_idx ON registry.resident_current (household_no);
CREATE INDEX resident_current_kana_idx ON registry.resident_current (kana_key, atena_no);
CREATE INDEX resident_current_name_trgm_idx ON registry.resident_current USING gin (name_key gin_trgm_ops);
CREATE INDEX resident_current_address_trgm_idx ON registry.resident_current USING gin (address gin_trgm_ops);
CREATE INDEX resident_current_birth_idx ON registry.resident_current (birth_date_sort);
CREATE INDEX resident_current_code_idx ON registry.resident_current (juminhyo_code);

GRANT USAGE ON SEQUENCE registry.atena_seq, registry.household_seq TO jumin_registry;
GRANT SELECT, INSERT, UPDATE ON registry.changes TO jumin_registry;
GRANT SELECT, INSERT ON registry.households TO jumin_registry;
GRANT SELECT, INSERT ON registry.resident_history TO jumin_registry;
GRANT SELECT, INSERT, UPDATE ON registry.resident_current TO jumin_registry;
