-- 0014_events.sql (PostgreSQL) - events to the host (src/events/,
-- docs/events.md): a tenant's webhook subscriptions (where inlet posts its
-- events, which of them, and the signing secret, sealed), and one row per
-- delivery of an event to a subscription, which is also the delivery log
-- (status, attempts, the last answer). Keep in step with
-- ../sqlite/0014_events.sql; row-level security at the end.

CREATE TABLE webhook_subscriptions (
    id            TEXT PRIMARY KEY,
    tenant_id     TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    url           TEXT NOT NULL,                 -- http(s), no user part: not a secret
    events        JSONB NOT NULL DEFAULT '["*"]', -- JSON array of event types, or ["*"]
    description   TEXT NOT NULL DEFAULT '',
    -- Standard Webhooks "whsec_..." text, sealed (store/sealed.c).
    secret_sealed BYTEA NOT NULL,
    secret_key_id TEXT NOT NULL,
    enabled       INTEGER NOT NULL DEFAULT 1,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    UNIQUE (tenant_id, id)
);
CREATE INDEX webhook_subscriptions_secret_key_id_idx ON webhook_subscriptions (secret_key_id);

-- One event on its way to one subscription. event_id is the webhook-id:
-- the same on every retry and on a redelivery (a new row), so receivers
-- drop repeats by it. payload is the exact body sent, kept as TEXT (JSONB
-- would reorder its keys); it never holds a secret, last_error never a URL.
CREATE TABLE event_deliveries (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    subscription_id TEXT NOT NULL,
    event_id        TEXT NOT NULL,
    type            TEXT NOT NULL,
    payload         TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending', -- pending, succeeded, failed
    attempts        INTEGER NOT NULL DEFAULT 0,
    -- Unix seconds when a pending delivery may be (re)tried; a claim moves
    -- it forward by its lease. NULL once it ended.
    next_attempt_at BIGINT,
    last_status     INTEGER,  -- HTTP status of the last attempt; NULL: no answer
    last_error      TEXT,
    duration_ms     BIGINT,   -- of the last attempt
    created_at      BIGINT NOT NULL,
    delivered_at    BIGINT,
    FOREIGN KEY (tenant_id, subscription_id) REFERENCES webhook_subscriptions (tenant_id, id)
        ON DELETE CASCADE
);
-- The senders' claim: pending rows by due time.
CREATE INDEX event_deliveries_due_idx ON event_deliveries (next_attempt_at)
    WHERE status = 'pending';
-- A subscription's delivery log, newest first by id.
CREATE INDEX event_deliveries_subscription_id_id_idx ON event_deliveries (subscription_id, id);
-- The purge of old ended rows.
CREATE INDEX event_deliveries_created_at_idx ON event_deliveries (created_at)
    WHERE status <> 'pending';

ALTER TABLE webhook_subscriptions ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_subscriptions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON webhook_subscriptions
    USING (current_setting('inlet.system', true) = 'on' OR tenant_id = current_setting('inlet.tenant_id', true))
    WITH CHECK (current_setting('inlet.system', true) = 'on' OR tenant_id = current_setting('inlet.tenant_id', true));

ALTER TABLE event_deliveries ENABLE ROW LEVEL SECURITY;
ALTER TABLE event_deliveries FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON event_deliveries
    USING (current_setting('inlet.system', true) = 'on' OR tenant_id = current_setting('inlet.tenant_id', true))
    WITH CHECK (current_setting('inlet.system', true) = 'on' OR tenant_id = current_setting('inlet.tenant_id', true));
