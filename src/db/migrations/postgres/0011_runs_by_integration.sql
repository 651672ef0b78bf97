-- 0011_runs_by_integration.sql (PostgreSQL) - an integration's runs newest first
-- (GET /api/integrations/{id}/runs, and the last run of each integration
-- on the dashboard's page: /api/integrations?include=last_run) walk this
-- index instead of sorting every run the integration ever had. Keep in step
-- with ../sqlite/0011_runs_by_integration.sql.

CREATE INDEX sync_runs_integration_id_id_idx ON sync_runs (integration_id, id);
