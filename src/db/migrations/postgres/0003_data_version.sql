-- 0003_data_version.sql (PostgreSQL) - a per-tenant counter that every
-- change to what the API lists moves forward, kept by triggers so that no
-- write path can forget it. The API caches list answers under (tenant,
-- data_version, query) (api/cache.c): a write makes the old entries
-- unreachable at once, on every process sharing the database.
-- Keep in step with ../sqlite/0003_data_version.sql. The trigger runs with
-- the writer's row-level security: a tenant's transaction may update its
-- own tenants row, system code any.

ALTER TABLE tenants ADD COLUMN data_version BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION bump_tenant_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE tenants SET data_version = data_version + 1 WHERE id = OLD.tenant_id;
    ELSE
        UPDATE tenants SET data_version = data_version + 1 WHERE id = NEW.tenant_id;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER integrations_bump AFTER INSERT OR UPDATE OR DELETE ON integrations
    FOR EACH ROW EXECUTE FUNCTION bump_tenant_data_version();
CREATE TRIGGER credentials_bump AFTER INSERT OR UPDATE OR DELETE ON credentials
    FOR EACH ROW EXECUTE FUNCTION bump_tenant_data_version();
