-- 0003_data_version.sql (SQLite) - a per-tenant counter that every change
-- to what the API lists moves forward, kept by triggers so that no write
-- path can forget it. The API caches list answers under (tenant,
-- data_version, query) (api/cache.c): a write makes the old entries
-- unreachable at once, on every process sharing the database.
-- Keep in step with ../postgres/0003_data_version.sql.

ALTER TABLE tenants ADD COLUMN data_version BIGINT NOT NULL DEFAULT 0;

CREATE TRIGGER integrations_bump_insert AFTER INSERT ON integrations
BEGIN
    UPDATE tenants SET data_version = data_version + 1 WHERE id = NEW.tenant_id;
END;
CREATE TRIGGER integrations_bump_update AFTER UPDATE ON integrations
BEGIN
    UPDATE tenants SET data_version = data_version + 1 WHERE id = NEW.tenant_id;
END;
CREATE TRIGGER integrations_bump_delete AFTER DELETE ON integrations
BEGIN
    UPDATE tenants SET data_version = data_version + 1 WHERE id = OLD.tenant_id;
END;
CREATE TRIGGER credentials_bump_insert AFTER INSERT ON credentials
BEGIN
    UPDATE tenants SET data_version = data_version + 1 WHERE id = NEW.tenant_id;
END;
CREATE TRIGGER credentials_bump_update AFTER UPDATE ON credentials
BEGIN
    UPDATE tenants SET data_version = data_version + 1 WHERE id = NEW.tenant_id;
END;
CREATE TRIGGER credentials_bump_delete AFTER DELETE ON credentials
BEGIN
    UPDATE tenants SET data_version = data_version + 1 WHERE id = OLD.tenant_id;
END;
