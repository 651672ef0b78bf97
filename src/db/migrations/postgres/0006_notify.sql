-- 0006_notify.sql (PostgreSQL) - what notifications need beyond 0001: when
-- a pending delivery is next due (its retry backoff, and the lease of the
-- process sending it), what a channel's settings look like to the API
-- without opening the seal, and the last known state of each integration's
-- syncs and tokens, so that a notification goes out once per change of
-- state and not once per retry (src/notify/, docs/notifications.md).
-- Keep in step with ../sqlite/0006_notify.sql; row-level security for the
-- new table at the end.

-- Unix seconds when a pending delivery may be (re)tried; a process that
-- claims it moves it forward by its lease, so that no other process sends
-- it meanwhile and a crashed one's claim runs out. NULL for in-app rows.
ALTER TABLE notifications ADD COLUMN next_attempt_at BIGINT;
CREATE INDEX notifications_due_idx ON notifications (next_attempt_at)
    WHERE status = 'pending';
-- GET /api/notifications pages a tenant's in-app rows newest first by id.
CREATE INDEX notifications_tenant_id_id_idx ON notifications (tenant_id, id);

-- The channel's settings as the API shows them: secret members say "set".
ALTER TABLE notification_channels ADD COLUMN summary JSONB NOT NULL DEFAULT '{}';

-- The last outcome per integration and topic ('sync': ok, partial, failed;
-- 'token': ok, failed, reauth).
CREATE TABLE notification_state (
    tenant_id      TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    integration_id TEXT NOT NULL,
    topic          TEXT NOT NULL,
    state          TEXT NOT NULL,
    changed_at     BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, integration_id, topic),
    FOREIGN KEY (tenant_id, integration_id) REFERENCES integrations (tenant_id, id) ON DELETE CASCADE
);

ALTER TABLE notification_state ENABLE ROW LEVEL SECURITY;
ALTER TABLE notification_state FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON notification_state
    USING (current_setting('inlet.system', true) = 'on' OR tenant_id = current_setting('inlet.tenant_id', true))
    WITH CHECK (current_setting('inlet.system', true) = 'on' OR tenant_id = current_setting('inlet.tenant_id', true));
