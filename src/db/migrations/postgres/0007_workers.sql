-- 0007_workers.sql (PostgreSQL) - what the workers and the token
-- upkeep need beyond 0001: the connector a job works for, so that a claim
-- can keep the syncs running at once per connector under a limit
-- (store/jobs.c), and when each renewable OAuth token is next due for a
-- refresh, so that a scheduling pass finds the due ones through an index
-- instead of reading every credential (sched/tokens.c).
-- Keep in step with ../sqlite/0007_workers.sql.

ALTER TABLE jobs ADD COLUMN connector TEXT;
CREATE INDEX jobs_running_connector_idx ON jobs (connector) WHERE status = 'running';
CREATE INDEX jobs_running_tenant_idx ON jobs (tenant_id) WHERE status = 'running';
-- A claim takes the first queued job in this order (store/jobs.c): with the
-- id in the index the first row is read, not the whole queue sorted.
CREATE INDEX jobs_queued_order_idx ON jobs (run_at, id) WHERE status = 'queued';
-- A scheduling pass reads the due integrations in this order (sched/scheduler.c):
-- walking the index, not sorting every due row for a page of 1,000.
CREATE INDEX integrations_due_order_idx ON integrations (next_run_at, id)
    WHERE status = 'active' AND next_run_at IS NOT NULL;
-- The purge of ended jobs (jobs_purge) finds the old ones through this.
CREATE INDEX jobs_finished_idx ON jobs (finished_at) WHERE finished_at IS NOT NULL;
-- And that of old notifications (notify_purge).
CREATE INDEX notifications_done_idx ON notifications (created_at) WHERE status <> 'pending';

-- Unix seconds; NULL when the token needs no upkeep (no refresh token, or
-- the integration must be connected again). Set on every write of the
-- tokens and every refresh: 15 minutes before the access token expires,
-- and at most a day after the last refresh; 10 minutes after a failure.
ALTER TABLE credentials ADD COLUMN refresh_due_at BIGINT;
CREATE INDEX credentials_refresh_due_idx ON credentials (refresh_due_at)
    WHERE refresh_due_at IS NOT NULL;
UPDATE credentials SET refresh_due_at = CASE
    WHEN expires_at > 0 AND expires_at - 900 < COALESCE(refreshed_at, updated_at) + 86400
        THEN expires_at - 900
    ELSE COALESCE(refreshed_at, updated_at) + 86400 END
    WHERE kind = 'oauth2' AND CAST(secret_names AS TEXT) LIKE '%"refresh_token"%';
