-- 0008_normalized.sql (SQLite) - what the Data API, the stats and the
-- analytics need of the normalized tables beyond 0001: the connector a row
-- came from and when inlet last changed it (the Data API's default order
-- and its updated_since filter), a deal's probability (weighted pipeline),
-- a contact's lead source and status (lead analytics), and the indexes
-- behind store/records_query.c and store/stats.c. Additive only: new
-- nullable columns (updated_at has a default), new indexes, a backfill.
-- Keep in step with ../postgres/0008_normalized.sql.

ALTER TABLE accounts ADD COLUMN connector TEXT; -- the source connector, e.g. 'salesforce'
ALTER TABLE contacts ADD COLUMN connector TEXT;
ALTER TABLE tickets ADD COLUMN connector TEXT;
ALTER TABLE deals ADD COLUMN connector TEXT;

-- Unix seconds of inlet's last change to the row (not the source's: that is
-- remote_updated_at). Writers set it with every insert and update; 0 only
-- for a row written before it existed, and the backfill below sets those.
ALTER TABLE accounts ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE contacts ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE deals ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;

ALTER TABLE deals ADD COLUMN probability NUMERIC; -- percent, 0..100, as the source wrote it
ALTER TABLE contacts ADD COLUMN lead_source TEXT; -- as the source says it: 'Web', 'Partner', ...
ALTER TABLE contacts ADD COLUMN lead_status TEXT; -- 'New', 'Working', 'Qualified', ...

UPDATE accounts SET updated_at = last_synced_at,
    connector = (SELECT connector_id FROM integrations i WHERE i.id = accounts.integration_id);
UPDATE contacts SET updated_at = last_synced_at,
    connector = (SELECT connector_id FROM integrations i WHERE i.id = contacts.integration_id);
UPDATE tickets SET updated_at = last_synced_at,
    connector = (SELECT connector_id FROM integrations i WHERE i.id = tickets.integration_id);
UPDATE deals SET updated_at = last_synced_at,
    connector = (SELECT connector_id FROM integrations i WHERE i.id = deals.integration_id);

-- Cursor pages of a tenant's rows by (updated_at, id), the default order
-- and the updated_since filter; the same within one integration.
CREATE INDEX accounts_tenant_id_updated_at_idx ON accounts (tenant_id, updated_at, id);
CREATE INDEX contacts_tenant_id_updated_at_idx ON contacts (tenant_id, updated_at, id);
CREATE INDEX tickets_tenant_id_updated_at_idx ON tickets (tenant_id, updated_at, id);
CREATE INDEX deals_tenant_id_updated_at_idx ON deals (tenant_id, updated_at, id);
CREATE INDEX accounts_integration_updated_at_idx ON accounts (tenant_id, integration_id, updated_at, id);
CREATE INDEX contacts_integration_updated_at_idx ON contacts (tenant_id, integration_id, updated_at, id);
CREATE INDEX tickets_integration_updated_at_idx ON tickets (tenant_id, integration_id, updated_at, id);
CREATE INDEX deals_integration_updated_at_idx ON deals (tenant_id, integration_id, updated_at, id);

-- sort=name: each model's name key, lower case and
-- cut to 100 characters so that a cursor holding it stays small. The
-- expressions are store/records_query.c's, character for character (an
-- expression index serves only the same expression). They give the order
-- without a sort; on PostgreSQL row-level security keeps a condition on
-- them out of the index scan (lower() and substr() are not leakproof), so
-- a cursor's bound and a LIKE 'prefix%' are checked row by row along the
-- tenant's part of the index (docs/data.md, "Sort by name" and "Search").
CREATE INDEX accounts_name_key_idx ON accounts (tenant_id, substr(lower(COALESCE(name, '')), 1, 100), id);
CREATE INDEX contacts_name_key_idx ON contacts (tenant_id,
    substr(lower(trim(COALESCE(first_name, '') || ' ' || COALESCE(last_name, ''))), 1, 100), id);
CREATE INDEX tickets_name_key_idx ON tickets (tenant_id, substr(lower(COALESCE(subject, '')), 1, 100), id);
CREATE INDEX deals_name_key_idx ON deals (tenant_id, substr(lower(COALESCE(name, '')), 1, 100), id);

-- GET /api/stats: a tenant's runs of the last 24 hours, 7 and 30 days.
CREATE INDEX sync_runs_tenant_id_started_at_idx ON sync_runs (tenant_id, started_at);
