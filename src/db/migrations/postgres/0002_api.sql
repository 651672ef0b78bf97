-- 0002_api.sql (PostgreSQL) - what the REST API needs beyond 0001: the web
-- UI's sign-in sessions, integrations deleted softly (with names unique
-- among the live ones only), and the names of the secrets a credential
-- holds, so that listing them needs no decryption.
-- Keep in step with ../sqlite/0002_api.sql: same tables, columns, keys and
-- indexes, with JSONB for JSON; row-level security for the new table at the
-- end. Conventions and tenant keys: the header of 0001_init.sql.

-- What sessions' composite foreign key names: a key of the same tenant.
ALTER TABLE api_keys ADD CONSTRAINT api_keys_tenant_id_id_key UNIQUE (tenant_id, id);

-- The web UI's sessions (store/session.c). The cookie holds the token; only
-- its hash is stored, so a stolen database yields no usable session.
CREATE TABLE sessions (
    -- Lower-case hex SHA-256 of the whole token. Global: a request's cookie
    -- is looked up before the tenant is known; tokens are 256-bit random,
    -- so a collision means the same token.
    id         TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    api_key_id TEXT NOT NULL, -- the key that signed in; revoking it ends the session
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    FOREIGN KEY (tenant_id, api_key_id) REFERENCES api_keys (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);
CREATE INDEX sessions_api_key_id_idx ON sessions (api_key_id);

-- A deleted integration keeps its row (and its synced data) until it is
-- purged, invisible to the API; deleted_at says when it went.
ALTER TABLE integrations ADD COLUMN deleted_at BIGINT;
-- Names are unique among a tenant's live integrations. Duplicates made
-- before this migration (none were refused) get their id appended, so that
-- the index can be built and no row is lost.
UPDATE integrations SET name = name || ' (' || id || ')'
    WHERE EXISTS (SELECT 1 FROM integrations o
                  WHERE o.tenant_id = integrations.tenant_id AND o.name = integrations.name
                  AND o.id < integrations.id);
CREATE UNIQUE INDEX integrations_tenant_id_name_idx ON integrations (tenant_id, name)
    WHERE deleted_at IS NULL;

-- The names of the secrets in credentials.sealed, as a JSON array of
-- strings: what responses show, without opening the seal.
ALTER TABLE credentials ADD COLUMN secret_names JSONB NOT NULL DEFAULT '[]';

-- audit_list pages a tenant's entries newest first by id (ids are
-- time-ordered).
CREATE INDEX audit_log_tenant_id_id_idx ON audit_log (tenant_id, id);

-- Row-level security, as for every tenant-owned table (0001_init.sql).
ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON sessions
    USING (current_setting('inlet.system', true) = 'on' OR tenant_id = current_setting('inlet.tenant_id', true))
    WITH CHECK (current_setting('inlet.system', true) = 'on' OR tenant_id = current_setting('inlet.tenant_id', true));
