-- 0013_end_users.sql (PostgreSQL) - who in the host product an integration
-- belongs to, and the host's free-form tags on it (docs/embedding.md, "End
-- users and tags"). The end user is three columns of integrations (NULL
-- when none), indexed with the tenant for GET /api/integrations?end_user_id
-- and DELETE /api/end-users/{end_user_id}/integrations. Tags are rows of
-- their own, so that filtering by one is an index probe rather than a scan
-- of every integration's list; a purge takes them with the integration.
-- The data_version triggers of 0003 cover them too: a list answer shows
-- tags, and the API caches list answers under that version.
-- Keep in step with ../sqlite/0013_end_users.sql.

ALTER TABLE integrations ADD COLUMN end_user_id TEXT;    -- the host's id for its user; NULL: none
ALTER TABLE integrations ADD COLUMN end_user_email TEXT; -- NULL unless given with the id
ALTER TABLE integrations ADD COLUMN end_user_name TEXT;  -- display name; NULL unless given
CREATE INDEX integrations_end_user_idx ON integrations (tenant_id, end_user_id);

CREATE TABLE integration_tags (
    tenant_id      TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    integration_id TEXT NOT NULL,
    tag            TEXT NOT NULL, -- 1..64 bytes of [A-Za-z0-9_.:/-] (store/integration.c)
    PRIMARY KEY (tenant_id, integration_id, tag),
    FOREIGN KEY (tenant_id, integration_id) REFERENCES integrations (tenant_id, id) ON DELETE CASCADE
);
-- From a tag to its integrations: ?tag=T walks this, in id order.
CREATE INDEX integration_tags_tag_idx ON integration_tags (tenant_id, tag, integration_id);

ALTER TABLE integration_tags ENABLE ROW LEVEL SECURITY;
ALTER TABLE integration_tags FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON integration_tags
    USING (current_setting('inlet.system', true) = 'on' OR tenant_id = current_setting('inlet.tenant_id', true))
    WITH CHECK (current_setting('inlet.system', true) = 'on' OR tenant_id = current_setting('inlet.tenant_id', true));

CREATE TRIGGER integration_tags_bump AFTER INSERT OR UPDATE OR DELETE ON integration_tags
    FOR EACH ROW EXECUTE FUNCTION bump_tenant_data_version();
