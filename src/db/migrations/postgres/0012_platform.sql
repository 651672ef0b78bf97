-- 0012_platform.sql (PostgreSQL) - what a host product that embeds inlet needs to
-- run many tenants (docs/embedding.md): platform API keys, which create,
-- suspend and delete tenants and act on behalf of one; the log of what
-- platform keys did to tenants; and whether a tenant is suspended. Keep in
-- step with ../sqlite/0012_platform.sql.

-- Set while a tenant is suspended: its keys and sessions are refused and
-- its schedules skip their runs; NULL when active.
ALTER TABLE tenants ADD COLUMN suspended_at BIGINT;

-- Platform keys, stored only as hashes like api_keys. Not tenant-owned.
CREATE TABLE platform_keys (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL DEFAULT '',
    prefix     TEXT NOT NULL,        -- the key's first characters, to tell keys apart
    key_hash   TEXT NOT NULL UNIQUE, -- lower-case hex SHA-256 of the whole key
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);

-- What platform keys did that is no one tenant's: creating, suspending,
-- resuming and deleting tenants, replacing their keys, and platform keys
-- made and revoked. The columns of audit_log without the tenant (the
-- tenant is the target); no foreign key, so the entry for a deleted tenant
-- outlives it. What a platform key does on behalf of a tenant goes into
-- that tenant's audit_log.
CREATE TABLE platform_audit (
    id          TEXT PRIMARY KEY,
    actor       TEXT NOT NULL, -- a platform key id, or 'cli'
    action      TEXT NOT NULL, -- tenant.create, tenant.suspend, ...
    target_type TEXT,
    target_id   TEXT,
    data        TEXT NOT NULL DEFAULT '{}', -- JSON
    ip          TEXT,
    created_at  BIGINT NOT NULL
);
