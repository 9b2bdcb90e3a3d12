-- Transactional outbox (docs/architecture.md, "Messaging"): approval writes one row per (recipient, message)
-- in the same transaction as the history; the relay publishes them in id order.
-- depends: 0003_deferred_one_head

CREATE TABLE registry.outbox (
    id            bigserial PRIMARY KEY,
    event_id      uuid NOT NULL UNIQUE,               -- message_id on the broker
    change_id     uuid NOT NULL REFERENCES registry.changes (change_id),
    recipient     text NOT NULL,
    routing_key   text NOT NULL,                      -- <recipient>.<message>
    person_key    text NOT NULL,                      -- opaque per-person key (not the 宛名番号)
    seq           integer NOT NULL CHECK (seq >= 1),  -- per (recipient, person)
    sealed_body   text NOT NULL,                      -- the envelope, AES-GCM sealed (personal data)
    traceparent   text,                               -- W3C context of the approving request
    created_at    timestamptz NOT NULL,
    published_at  timestamptz,
    UNIQUE (recipient, person_key, seq)
);
CREATE INDEX outbox_unpublished_idx ON registry.outbox (id) WHERE published_at IS NULL;

CREATE TABLE registry.outbox_sequences (
    recipient   text NOT NULL,
    person_key  text NOT NULL,
    last_seq    integer NOT NULL,
    PRIMARY KEY (recipient, person_key)
);

CREATE FUNCTION registry.notify_outbox() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('registry_outbox', '');
    RETURN NULL;
END;
$$;
CREATE TRIGGER outbox_notify
    AFTER INSERT ON registry.outbox
    FOR EACH STATEMENT EXECUTE FUNCTION registry.notify_outbox();

GRANT SELECT, INSERT ON registry.outbox TO jumin_registry;
GRANT UPDATE (published_at) ON registry.outbox TO jumin_registry;
GRANT USAGE ON SEQUENCE registry.outbox_id_seq TO jumin_registry;
GRANT SELECT, INSERT, UPDATE ON registry.outbox_sequences TO jumin_registry;
