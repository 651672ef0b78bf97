-- 0015_connect.sql (SQLite) - connect sessions (docs/embedding.md): a host
-- product lets one of its users connect an account on inlet's connect
-- page, with a short-lived token that can do only that; and per tenant,
-- the origins such a page may report back to and the branding it shows.
-- Keep in step with ../postgres/0015_connect.sql.

-- Origins ("https://app.example.com") that return_url may name: JSON array.
ALTER TABLE tenants ADD COLUMN connect_origins TEXT NOT NULL DEFAULT '[]';
-- {"name","logo_url","accent_color"} for the connect page: JSON object.
ALTER TABLE tenants ADD COLUMN branding TEXT NOT NULL DEFAULT '{}';

CREATE TABLE connect_sessions (
    id             TEXT PRIMARY KEY,
    tenant_id      TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    -- Lower-case hex SHA-256 of the token. Globally unique: a request is
    -- authenticated by looking its token up before the tenant is known.
    token_hash     TEXT NOT NULL UNIQUE,
    end_user       TEXT NOT NULL,  -- {"id","email","display_name"}
    allowed        TEXT,           -- connector names; NULL: every connector
    integration_id TEXT,          -- to reconnect, or the one made through the page
    reconnect      INTEGER NOT NULL DEFAULT 0, -- integration_id was given at creation
    return_url     TEXT NOT NULL,
    created_by     TEXT NOT NULL, -- the actor that made it
    created_at     BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL,
    completed_at   BIGINT,        -- spent: the token opens nothing from then on
    outcome        TEXT,          -- with completed_at: connected or cancelled
    UNIQUE (tenant_id, id)
);
CREATE INDEX connect_sessions_tenant_id_idx ON connect_sessions (tenant_id, id);

