-- 0001_init.sql (PostgreSQL) - the whole data model of DESIGN.md, "Data model".
-- Keep in step with ../sqlite/0001_init.sql: same tables, columns, keys and
-- indexes, with JSONB for JSON and BYTEA for blobs; row-level security at
-- the end.
-- Conventions (docs/internals/db.md): ids are TEXT made by the app
-- (core/id); times are BIGINT Unix seconds named *_at; flags are INTEGER
-- 0/1; a sealed secret is a BYTEA named *sealed with the id of the vault key
-- that sealed it in *key_id beside it, indexed for `inlet keys rotate`.
-- Tenant keys (docs/internals/db.md, "Row-level security"). Foreign key
-- and unique checks do not go through row-level security, so the keys
-- themselves keep tenants apart: a tenant-owned table that children
-- reference has UNIQUE (tenant_id, id); a child names its parent with a
-- composite foreign key (tenant_id, parent_id), so it can only point at
-- its own tenant's rows; and every other unique key starts with tenant_id,
-- so that no insert can collide with another tenant's row and learn from
-- the conflict that the row exists. A key that is global says why. Ids
-- are random and made by inlet (core/id), never taken from a request.

CREATE TABLE tenants (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE, -- how operators tell tenants apart: global by design
    created_at BIGINT NOT NULL
);

-- A tenant's API keys, stored only as hashes.
CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name         TEXT NOT NULL DEFAULT '',
    prefix       TEXT NOT NULL DEFAULT '', -- the key's first characters, to tell keys apart
    -- Lower-case hex SHA-256 of the whole key. Globally unique: a request is
    -- authenticated by looking its key up before the tenant is known; keys
    -- are 256-bit random, so a collision means the same key.
    key_hash     TEXT NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at   BIGINT
);
CREATE INDEX api_keys_tenant_id_idx ON api_keys (tenant_id);

-- A cache of connectors/*.json and Singer tap definitions, for listing and
-- search; the files stay the source of truth. Not tenant-owned.
CREATE TABLE connectors (
    id            TEXT PRIMARY KEY, -- the connector's name, e.g. 'salesforce'
    kind          TEXT NOT NULL,    -- declarative, singer
    title         TEXT NOT NULL,
    category      TEXT NOT NULL DEFAULT '',
    description   TEXT NOT NULL DEFAULT '',
    logo          TEXT NOT NULL DEFAULT '', -- URL or data: URI
    auth_kind     TEXT NOT NULL,    -- oauth2, api_key, basic, none
    config_schema JSONB NOT NULL DEFAULT '{}', -- JSON Schema
    streams       JSONB NOT NULL DEFAULT '[]',
    actions       JSONB NOT NULL DEFAULT '[]',
    source_sha256 TEXT NOT NULL,    -- of the definition, to skip unchanged reloads
    updated_at    BIGINT NOT NULL
);

-- A tenant's own OAuth client for a connector (environment variables such as
-- SALESFORCE_CLIENT_ID are the fallback). Public clients have no secret.
CREATE TABLE oauth_apps (
    id                   TEXT PRIMARY KEY,
    tenant_id            TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    connector_id         TEXT NOT NULL,
    client_id            TEXT NOT NULL,
    client_secret_sealed BYTEA,
    client_secret_key_id TEXT,
    scopes               TEXT NOT NULL DEFAULT '', -- space-separated; '' takes the connector's
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL,
    UNIQUE (tenant_id, connector_id),
    CHECK ((client_secret_sealed IS NULL) = (client_secret_key_id IS NULL))
);
CREATE INDEX oauth_apps_client_secret_key_id_idx ON oauth_apps (client_secret_key_id);

CREATE TABLE integrations (
    id            TEXT PRIMARY KEY,
    tenant_id     TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    connector_id  TEXT NOT NULL,
    name          TEXT NOT NULL,
    config        JSONB NOT NULL DEFAULT '{}', -- non-secret settings; secrets are in credentials
    status        TEXT NOT NULL DEFAULT 'draft', -- draft, active, paused, error, needs_reauth, disconnected
    status_reason TEXT,   -- why it is in error / needs_reauth, one line
    schedule      TEXT,   -- five-field cron, UTC; NULL: by hand only
    next_run_at   BIGINT, -- when the scheduler starts the next sync
    catalog       JSONB,   -- Singer catalog with the user's selection
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    UNIQUE (tenant_id, id) -- what children's composite foreign keys reference
);
CREATE INDEX integrations_tenant_id_idx ON integrations (tenant_id);
CREATE INDEX integrations_due_idx ON integrations (next_run_at)
    WHERE status = 'active' AND next_run_at IS NOT NULL;

-- The secrets of an integration: sealed JSON of its tokens or keys. The
-- vault blob carries its own nonce and key id; key_id repeats the latter.
CREATE TABLE credentials (
    id             TEXT PRIMARY KEY,
    tenant_id      TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    integration_id TEXT NOT NULL,
    kind           TEXT NOT NULL, -- oauth2, api_key, basic
    sealed         BYTEA NOT NULL,
    key_id         TEXT NOT NULL,
    expires_at     BIGINT,        -- of the access token, for refresh ahead of expiry
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    UNIQUE (tenant_id, integration_id), -- one per integration
    FOREIGN KEY (tenant_id, integration_id) REFERENCES integrations (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX credentials_key_id_idx ON credentials (key_id);
CREATE INDEX credentials_expires_at_idx ON credentials (expires_at) WHERE expires_at IS NOT NULL;

-- An OAuth flow in progress. id is the state parameter itself: random,
-- single use (deleted when used), expiring after 10 minutes.
CREATE TABLE oauth_states (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    connector_id    TEXT NOT NULL,
    integration_id  TEXT,          -- when reconnecting one
    verifier_sealed BYTEA NOT NULL, -- the PKCE code_verifier
    verifier_key_id TEXT NOT NULL,
    redirect_uri    TEXT NOT NULL, -- sent at authorize, sent again at the exchange
    return_url      TEXT,          -- where the browser goes afterwards
    scopes          TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    FOREIGN KEY (tenant_id, integration_id) REFERENCES integrations (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX oauth_states_verifier_key_id_idx ON oauth_states (verifier_key_id);
CREATE INDEX oauth_states_expires_at_idx ON oauth_states (expires_at);
CREATE INDEX oauth_states_integration_id_idx ON oauth_states (integration_id);

-- Who connected what, with which scopes, when. Kept when the integration
-- is deleted.
CREATE TABLE consents (
    id             TEXT PRIMARY KEY,
    tenant_id      TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    integration_id TEXT,          -- NULL once the integration is deleted
    connector_id   TEXT NOT NULL,
    granted_by     TEXT NOT NULL, -- the actor: an API key id, or 'ui:<key id>'
    account        TEXT,          -- the provider identity that consented (user, org, instance)
    scopes         TEXT NOT NULL DEFAULT '', -- as granted, space-separated
    created_at     BIGINT NOT NULL,
    revoked_at     BIGINT,
    FOREIGN KEY (tenant_id, integration_id) REFERENCES integrations (tenant_id, id) ON DELETE SET NULL (integration_id)
);
CREATE INDEX consents_tenant_id_idx ON consents (tenant_id);
CREATE INDEX consents_integration_id_idx ON consents (integration_id);

CREATE TABLE sync_runs (
    id                TEXT PRIMARY KEY,
    tenant_id         TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    integration_id    TEXT NOT NULL,
    triggered_by      TEXT NOT NULL, -- manual, schedule, webhook, retry
    mode              TEXT NOT NULL, -- incremental, full
    status            TEXT NOT NULL DEFAULT 'queued', -- queued, running, success, partial, failed, cancelled
    streams           JSONB,          -- JSON array of the streams asked for; NULL: all selected
    created_at        BIGINT NOT NULL,
    started_at        BIGINT,
    finished_at       BIGINT,
    records_processed BIGINT NOT NULL DEFAULT 0,
    records_created   BIGINT NOT NULL DEFAULT 0,
    records_updated   BIGINT NOT NULL DEFAULT 0,
    records_unchanged BIGINT NOT NULL DEFAULT 0,
    records_deleted   BIGINT NOT NULL DEFAULT 0,
    records_failed    BIGINT NOT NULL DEFAULT 0,
    bytes             BIGINT NOT NULL DEFAULT 0,
    error             TEXT,          -- one line, when failed or partial
    log               TEXT NOT NULL DEFAULT '' CHECK (length(log) <= 65536), -- JSON lines, the app trims
    FOREIGN KEY (tenant_id, integration_id) REFERENCES integrations (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX sync_runs_integration_id_created_at_idx ON sync_runs (integration_id, created_at);
CREATE INDEX sync_runs_tenant_id_created_at_idx ON sync_runs (tenant_id, created_at);
CREATE INDEX sync_runs_active_idx ON sync_runs (integration_id) WHERE status IN ('queued', 'running');

-- A stream's bookmark, written in the transaction of the batch it describes.
CREATE TABLE stream_state (
    integration_id TEXT NOT NULL,
    stream         TEXT NOT NULL,
    tenant_id      TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    bookmark       JSONB NOT NULL, -- JSON
    updated_at     BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, integration_id, stream),
    FOREIGN KEY (tenant_id, integration_id) REFERENCES integrations (tenant_id, id) ON DELETE CASCADE
);

-- The work queue. A worker claims a due job by setting lease_owner and
-- lease_expires_at (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: BEGIN
-- IMMEDIATE); an expired lease makes the job claimable again. tenant_id is
-- NULL for system jobs.
CREATE TABLE jobs (
    id               TEXT PRIMARY KEY,
    tenant_id        TEXT REFERENCES tenants (id) ON DELETE CASCADE,
    kind             TEXT NOT NULL, -- sync, refresh, notify, purge, ...
    payload          JSONB NOT NULL DEFAULT '{}', -- JSON
    dedupe_key       TEXT,          -- at most one queued or running job per tenant and key, e.g. 'sync:<integration id>'
    status           TEXT NOT NULL DEFAULT 'queued', -- queued, running, done, failed, cancelled
    run_at           BIGINT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    max_attempts     INTEGER NOT NULL DEFAULT 5,
    lease_owner      TEXT,
    lease_expires_at BIGINT,
    last_error       TEXT,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    finished_at      BIGINT
);
CREATE INDEX jobs_due_idx ON jobs (run_at) WHERE status = 'queued';
CREATE INDEX jobs_lease_idx ON jobs (lease_expires_at) WHERE status = 'running';
-- Dedupe keys are per tenant, so one tenant's queued job never blocks
-- another's. A UNIQUE (tenant_id, dedupe_key) would let any number of
-- system jobs (tenant_id NULL) share a key, since NULLs are distinct, so
-- system jobs have an index of their own. Enqueue with ON CONFLICT
-- (tenant_id, dedupe_key) WHERE tenant_id IS NOT NULL AND <the rest of the
-- predicate>, or ON CONFLICT (dedupe_key) WHERE tenant_id IS NULL AND ...
CREATE UNIQUE INDEX jobs_tenant_id_dedupe_key_idx ON jobs (tenant_id, dedupe_key)
    WHERE tenant_id IS NOT NULL AND dedupe_key IS NOT NULL AND status IN ('queued', 'running');
CREATE UNIQUE INDEX jobs_system_dedupe_key_idx ON jobs (dedupe_key)
    WHERE tenant_id IS NULL AND dedupe_key IS NOT NULL AND status IN ('queued', 'running');
CREATE INDEX jobs_tenant_id_idx ON jobs (tenant_id);

-- How a stream's fields land in a normalized table: one row per target field.
CREATE TABLE field_mappings (
    id             TEXT PRIMARY KEY,
    tenant_id      TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    integration_id TEXT NOT NULL,
    stream         TEXT NOT NULL,
    target         TEXT NOT NULL,  -- contacts, accounts, tickets, deals
    target_field   TEXT NOT NULL,  -- a core column, or 'properties.<key>'
    source_field   TEXT,           -- JSON path in the record; NULL for a constant
    transforms     JSONB NOT NULL DEFAULT '[]', -- JSON: ordered steps (enum_map, date_format, lower, trim, email_domain, constant)
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    UNIQUE (tenant_id, integration_id, stream, target, target_field),
    FOREIGN KEY (tenant_id, integration_id) REFERENCES integrations (tenant_id, id) ON DELETE CASCADE
);

-- Which normalized row an external record became, and a hash of it as last
-- loaded, so that an unchanged record is counted rather than rewritten.
CREATE TABLE synced_records (
    integration_id  TEXT NOT NULL,
    stream          TEXT NOT NULL,
    external_id     TEXT NOT NULL,
    tenant_id       TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    target          TEXT NOT NULL, -- contacts, accounts, tickets, deals
    record_id       TEXT NOT NULL, -- id in target
    content_hash    TEXT,          -- hex SHA-256
    first_synced_at BIGINT NOT NULL,
    last_synced_at  BIGINT NOT NULL,
    deleted_at      BIGINT,
    PRIMARY KEY (tenant_id, integration_id, stream, external_id),
    FOREIGN KEY (tenant_id, integration_id) REFERENCES integrations (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX synced_records_target_record_id_idx ON synced_records (target, record_id);

-- The normalized layer, shared by all connectors. remote_*_at are the
-- source's own times; created_at is when inlet first loaded the row.
CREATE TABLE accounts (
    id                TEXT PRIMARY KEY,
    tenant_id         TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    integration_id    TEXT NOT NULL,
    external_id       TEXT NOT NULL,
    name              TEXT,
    domain            TEXT, -- lower case, for matching contacts by email domain
    website           TEXT,
    industry          TEXT,
    phone             TEXT,
    employees         BIGINT,
    annual_revenue    NUMERIC,
    properties        JSONB NOT NULL DEFAULT '{}', -- JSON: everything else
    remote_created_at BIGINT,
    remote_updated_at BIGINT,
    created_at        BIGINT NOT NULL,
    last_synced_at    BIGINT NOT NULL,
    deleted_at        BIGINT,
    UNIQUE (tenant_id, integration_id, external_id),
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, integration_id) REFERENCES integrations (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX accounts_tenant_id_domain_idx ON accounts (tenant_id, domain);

CREATE TABLE contacts (
    id                TEXT PRIMARY KEY,
    tenant_id         TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    integration_id    TEXT NOT NULL,
    external_id       TEXT NOT NULL,
    account_id        TEXT,
    first_name        TEXT,
    last_name         TEXT,
    email             TEXT, -- lower case
    phone             TEXT,
    title             TEXT,
    company           TEXT,
    properties        JSONB NOT NULL DEFAULT '{}',
    remote_created_at BIGINT,
    remote_updated_at BIGINT,
    created_at        BIGINT NOT NULL,
    last_synced_at    BIGINT NOT NULL,
    deleted_at        BIGINT,
    UNIQUE (tenant_id, integration_id, external_id),
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, integration_id) REFERENCES integrations (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id) ON DELETE SET NULL (account_id)
);
CREATE INDEX contacts_tenant_id_email_idx ON contacts (tenant_id, email);
CREATE INDEX contacts_account_id_idx ON contacts (account_id);

CREATE TABLE tickets (
    id                TEXT PRIMARY KEY,
    tenant_id         TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    integration_id    TEXT NOT NULL,
    external_id       TEXT NOT NULL,
    contact_id        TEXT,
    account_id        TEXT,
    subject           TEXT,
    description       TEXT,
    status            TEXT, -- as the source says it; normalized values in properties
    priority          TEXT,
    requester_email   TEXT,
    assignee          TEXT,
    properties        JSONB NOT NULL DEFAULT '{}',
    remote_created_at BIGINT,
    remote_updated_at BIGINT,
    remote_closed_at  BIGINT,
    created_at        BIGINT NOT NULL,
    last_synced_at    BIGINT NOT NULL,
    deleted_at        BIGINT,
    UNIQUE (tenant_id, integration_id, external_id),
    FOREIGN KEY (tenant_id, integration_id) REFERENCES integrations (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id) ON DELETE SET NULL (contact_id),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id) ON DELETE SET NULL (account_id)
);
CREATE INDEX tickets_tenant_id_status_idx ON tickets (tenant_id, status);
CREATE INDEX tickets_contact_id_idx ON tickets (contact_id);
CREATE INDEX tickets_account_id_idx ON tickets (account_id);

CREATE TABLE deals (
    id                TEXT PRIMARY KEY,
    tenant_id         TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    integration_id    TEXT NOT NULL,
    external_id       TEXT NOT NULL,
    account_id        TEXT,
    contact_id        TEXT,
    name              TEXT,
    amount            NUMERIC, -- as the source wrote it
    currency          TEXT,    -- ISO 4217
    stage             TEXT,
    status            TEXT,    -- open, won, lost
    close_date        TEXT,    -- YYYY-MM-DD
    owner             TEXT,
    properties        JSONB NOT NULL DEFAULT '{}',
    remote_created_at BIGINT,
    remote_updated_at BIGINT,
    created_at        BIGINT NOT NULL,
    last_synced_at    BIGINT NOT NULL,
    deleted_at        BIGINT,
    UNIQUE (tenant_id, integration_id, external_id),
    FOREIGN KEY (tenant_id, integration_id) REFERENCES integrations (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id) ON DELETE SET NULL (account_id),
    FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id) ON DELETE SET NULL (contact_id)
);
CREATE INDEX deals_tenant_id_stage_idx ON deals (tenant_id, stage);
CREATE INDEX deals_account_id_idx ON deals (account_id);
CREATE INDEX deals_contact_id_idx ON deals (contact_id);

-- Where pushed data comes in: n8n (tenant-wide) or a provider's webhooks
-- (per integration). inbound_key is the random part of the URL; the
-- signing secret, when there is one, is sealed.
CREATE TABLE webhook_endpoints (
    id             TEXT PRIMARY KEY,
    tenant_id      TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    integration_id TEXT,          -- NULL: tenant-wide (n8n)
    kind           TEXT NOT NULL, -- n8n, provider
    -- Globally unique: an inbound URL is resolved to its endpoint, and so
    -- to its tenant, before the tenant is known. Random, made by inlet.
    inbound_key    TEXT NOT NULL UNIQUE,
    secret_sealed  BYTEA,
    secret_key_id  TEXT,
    enabled        INTEGER NOT NULL DEFAULT 1,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, integration_id) REFERENCES integrations (tenant_id, id) ON DELETE CASCADE,
    CHECK ((secret_sealed IS NULL) = (secret_key_id IS NULL))
);
CREATE INDEX webhook_endpoints_tenant_id_idx ON webhook_endpoints (tenant_id);
CREATE INDEX webhook_endpoints_integration_id_idx ON webhook_endpoints (integration_id);
CREATE INDEX webhook_endpoints_secret_key_id_idx ON webhook_endpoints (secret_key_id);

-- Each delivery received, once: the sender's delivery id is unique per endpoint.
CREATE TABLE webhook_deliveries (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    endpoint_id  TEXT NOT NULL,
    delivery_id  TEXT NOT NULL,
    event        TEXT,
    status       TEXT NOT NULL DEFAULT 'received', -- received, processed, failed
    body         BYTEA,  -- as received, size-capped by the API
    error        TEXT,
    received_at  BIGINT NOT NULL,
    processed_at BIGINT,
    UNIQUE (tenant_id, endpoint_id, delivery_id),
    FOREIGN KEY (tenant_id, endpoint_id) REFERENCES webhook_endpoints (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX webhook_deliveries_received_at_idx ON webhook_deliveries (received_at);
CREATE INDEX webhook_deliveries_pending_idx ON webhook_deliveries (received_at)
    WHERE status = 'received';

-- Where notifications go: in-app, Slack incoming webhook, signed webhook,
-- SMTP email. config_sealed holds the URL or SMTP settings (sealed JSON).
CREATE TABLE notification_channels (
    id            TEXT PRIMARY KEY,
    tenant_id     TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    kind          TEXT NOT NULL, -- inapp, slack, webhook, email
    name          TEXT NOT NULL,
    events        JSONB NOT NULL DEFAULT '["*"]', -- JSON array of event names it receives
    config_sealed BYTEA,
    config_key_id TEXT,
    enabled       INTEGER NOT NULL DEFAULT 1,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    UNIQUE (tenant_id, id),
    CHECK ((config_sealed IS NULL) = (config_key_id IS NULL))
);
CREATE INDEX notification_channels_tenant_id_idx ON notification_channels (tenant_id);
CREATE INDEX notification_channels_config_key_id_idx ON notification_channels (config_key_id);

CREATE TABLE notifications (
    id             TEXT PRIMARY KEY,
    tenant_id      TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    channel_id     TEXT,          -- NULL: in-app
    integration_id TEXT,
    event          TEXT NOT NULL, -- sync.failed, integration.needs_reauth, ...
    level          TEXT NOT NULL DEFAULT 'info', -- info, warn, error
    title          TEXT NOT NULL,
    body           TEXT NOT NULL DEFAULT '',
    data           JSONB NOT NULL DEFAULT '{}', -- JSON
    status         TEXT NOT NULL DEFAULT 'pending', -- pending, sent, failed
    attempts       INTEGER NOT NULL DEFAULT 0,
    last_error     TEXT,
    created_at     BIGINT NOT NULL,
    sent_at        BIGINT,
    read_at        BIGINT,
    FOREIGN KEY (tenant_id, channel_id) REFERENCES notification_channels (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, integration_id) REFERENCES integrations (tenant_id, id) ON DELETE SET NULL (integration_id)
);
CREATE INDEX notifications_tenant_id_created_at_idx ON notifications (tenant_id, created_at);
CREATE INDEX notifications_pending_idx ON notifications (created_at) WHERE status = 'pending';
CREATE INDEX notifications_channel_id_idx ON notifications (channel_id);
CREATE INDEX notifications_integration_id_idx ON notifications (integration_id);

-- Who did what, when. data never holds a secret.
CREATE TABLE audit_log (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    actor       TEXT NOT NULL, -- an API key id, 'ui:<key id>', 'cli', 'system'
    action      TEXT NOT NULL, -- integration.create, credentials.rotate, ...
    target_type TEXT,
    target_id   TEXT,
    data        JSONB NOT NULL DEFAULT '{}', -- JSON
    ip          TEXT,
    created_at  BIGINT NOT NULL
);
CREATE INDEX audit_log_tenant_id_created_at_idx ON audit_log (tenant_id, created_at);

-- Provider API calls per integration per UTC day, upserted with
-- ON CONFLICT (tenant_id, integration_id, day) DO UPDATE.
CREATE TABLE api_usage (
    integration_id TEXT NOT NULL,
    day            TEXT NOT NULL, -- YYYY-MM-DD, UTC
    tenant_id      TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    calls          BIGINT NOT NULL DEFAULT 0,
    errors         BIGINT NOT NULL DEFAULT 0,
    rate_limited   BIGINT NOT NULL DEFAULT 0, -- 429 responses
    PRIMARY KEY (tenant_id, integration_id, day),
    FOREIGN KEY (tenant_id, integration_id) REFERENCES integrations (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX api_usage_tenant_id_day_idx ON api_usage (tenant_id, day);

-- Row-level security on every tenant-owned table (docs/internals/db.md). A
-- session is trusted system code (db_open sets inlet.system = 'on');
-- db_begin_tenant turns that off and sets inlet.tenant_id for one
-- transaction, and from then on no statement can see or write another
-- tenant's rows, whatever its WHERE says. FORCE makes it hold for the
-- tables' owner too, which is the role inlet connects as. Foreign key and
-- unique checks are not filtered by policies: the tenant keys above are
-- what keeps those within a tenant.
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenants
    USING (current_setting('inlet.system', true) = 'on' OR id = current_setting('inlet.tenant_id', true))
    WITH CHECK (current_setting('inlet.system', true) = 'on' OR id = current_setting('inlet.tenant_id', true));

ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON api_keys
    USING (current_setting('inlet.system', true) = 'on' OR tenant_id = current_setting('inlet.tenant_id', true))
    WITH CHECK (current_setting('inlet.system', true) = 'on' OR tenant_id = current_setting('inlet.tenant_id', true));

ALTER TABLE oauth_apps ENABLE ROW LEVEL SECURITY;
ALTER TABLE oauth_apps FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON oauth_apps
    USING (current_setting('inlet.system', true) = 'on' OR tenant_id = current_setting('inlet.tenant_id', true))
    WITH CHECK (current_setting('inlet.system', true) = 'on' OR tenant_id = current_setting('inlet.tenant_id', true));

ALTER TABLE integrations ENABLE ROW LEVEL SECURITY;
ALTER TABLE integrations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON integrations
    USING (current_setting('inlet.system', true) = 'on' OR tenant_id = current_setting('inlet.tenant_id', true))
    WITH CHECK (current_setting('inlet.system', true) = 'on' OR tenant_id = current_setting('inlet.tenant_id', true));

ALTER TABLE credentials ENABLE ROW LEVEL SECURITY;
ALTER TABLE credentials FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON credentials
    USING (current_setting('inlet.system', true) = 'on' OR tenant_id = current_setting('inlet.tenant_id', true))
    WITH CHECK (current_setting('inlet.system', true) = 'on' OR tenant_id = current_setting('inlet.tenant_id', true));

ALTER TABLE oauth_states ENABLE ROW LEVEL SECURITY;
ALTER TABLE oauth_states FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON oauth_states
    USING (current_setting('inlet.system', true) = 'on' OR tenant_id = current_setting('inlet.tenant_id', true))
    WITH CHECK (current_setting('inlet.system', true) = 'on' OR tenant_id = current_setting('inlet.tenant_id', true));

ALTER TABLE consents ENABLE ROW LEVEL SECURITY;
ALTER TABLE consents FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON consents
    USING (current_setting('inlet.system', true) = 'on' OR tenant_id = current_setting('inlet.tenant_id', true))
    WITH CHECK (current_setting('inlet.system', true) = 'on' OR tenant_id = current_setting('inlet.tenant_id', true));

ALTER TABLE sync_runs ENABLE ROW LEVEL SECURITY;
ALTER TABLE sync_runs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON sync_runs
    USING (current_setting('inlet.system', true) = 'on' OR tenant_id = current_setting('inlet.tenant_id', true))
    WITH CHECK (current_setting('inlet.system', true) = 'on' OR tenant_id = current_setting('inlet.tenant_id', true));

ALTER TABLE stream_state ENABLE ROW LEVEL SECURITY;
ALTER TABLE stream_state FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON stream_state
    USING (current_setting('inlet.system', true) = 'on' OR tenant_id = current_setting('inlet.tenant_id', true))
    WITH CHECK (current_setting('inlet.system', true) = 'on' OR tenant_id = current_setting('inlet.tenant_id', true));

ALTER TABLE jobs ENABLE ROW LEVEL SECURITY;
ALTER TABLE jobs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON jobs
    USING (current_setting('inlet.system', true) = 'on' OR tenant_id = current_setting('inlet.tenant_id', true))
    WITH CHECK (current_setting('inlet.system', true) = 'on' OR tenant_id = current_setting('inlet.tenant_id', true));

ALTER TABLE field_mappings ENABLE ROW LEVEL SECURITY;
ALTER TABLE field_mappings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON field_mappings
    USING (current_setting('inlet.system', true) = 'on' OR tenant_id = current_setting('inlet.tenant_id', true))
    WITH CHECK (current_setting('inlet.system', true) = 'on' OR tenant_id = current_setting('inlet.tenant_id', true));

ALTER TABLE synced_records ENABLE ROW LEVEL SECURITY;
ALTER TABLE synced_records FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON synced_records
    USING (current_setting('inlet.system', true) = 'on' OR tenant_id = current_setting('inlet.tenant_id', true))
    WITH CHECK (current_setting('inlet.system', true) = 'on' OR tenant_id = current_setting('inlet.tenant_id', true));

ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;
ALTER TABLE accounts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON accounts
    USING (current_setting('inlet.system', true) = 'on' OR tenant_id = current_setting('inlet.tenant_id', true))
    WITH CHECK (current_setting('inlet.system', true) = 'on' OR tenant_id = current_setting('inlet.tenant_id', true));

ALTER TABLE contacts ENABLE ROW LEVEL SECURITY;
ALTER TABLE contacts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON contacts
    USING (current_setting('inlet.system', true) = 'on' OR tenant_id = current_setting('inlet.tenant_id', true))
    WITH CHECK (current_setting('inlet.system', true) = 'on' OR tenant_id = current_setting('inlet.tenant_id', true));

ALTER TABLE tickets ENABLE ROW LEVEL SECURITY;
ALTER TABLE tickets FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tickets
    USING (current_setting('inlet.system', true) = 'on' OR tenant_id = current_setting('inlet.tenant_id', true))
    WITH CHECK (current_setting('inlet.system', true) = 'on' OR tenant_id = current_setting('inlet.tenant_id', true));

ALTER TABLE deals ENABLE ROW LEVEL SECURITY;
ALTER TABLE deals FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON deals
    USING (current_setting('inlet.system', true) = 'on' OR tenant_id = current_setting('inlet.tenant_id', true))
    WITH CHECK (current_setting('inlet.system', true) = 'on' OR tenant_id = current_setting('inlet.tenant_id', true));

ALTER TABLE webhook_endpoints ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_endpoints FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON webhook_endpoints
    USING (current_setting('inlet.system', true) = 'on' OR tenant_id = current_setting('inlet.tenant_id', true))
    WITH CHECK (current_setting('inlet.system', true) = 'on' OR tenant_id = current_setting('inlet.tenant_id', true));

ALTER TABLE webhook_deliveries ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_deliveries FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON webhook_deliveries
    USING (current_setting('inlet.system', true) = 'on' OR tenant_id = current_setting('inlet.tenant_id', true))
    WITH CHECK (current_setting('inlet.system', true) = 'on' OR tenant_id = current_setting('inlet.tenant_id', true));

ALTER TABLE notification_channels ENABLE ROW LEVEL SECURITY;
ALTER TABLE notification_channels FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON notification_channels
    USING (current_setting('inlet.system', true) = 'on' OR tenant_id = current_setting('inlet.tenant_id', true))
    WITH CHECK (current_setting('inlet.system', true) = 'on' OR tenant_id = current_setting('inlet.tenant_id', true));

ALTER TABLE notifications ENABLE ROW LEVEL SECURITY;
ALTER TABLE notifications FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON notifications
    USING (current_setting('inlet.system', true) = 'on' OR tenant_id = current_setting('inlet.tenant_id', true))
    WITH CHECK (current_setting('inlet.system', true) = 'on' OR tenant_id = current_setting('inlet.tenant_id', true));

ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_log
    USING (current_setting('inlet.system', true) = 'on' OR tenant_id = current_setting('inlet.tenant_id', true))
    WITH CHECK (current_setting('inlet.system', true) = 'on' OR tenant_id = current_setting('inlet.tenant_id', true));

ALTER TABLE api_usage ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_usage FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON api_usage
    USING (current_setting('inlet.system', true) = 'on' OR tenant_id = current_setting('inlet.tenant_id', true))
    WITH CHECK (current_setting('inlet.system', true) = 'on' OR tenant_id = current_setting('inlet.tenant_id', true));
