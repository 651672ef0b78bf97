-- 0009_webhooks.sql (SQLite) - what inbound webhooks need beyond 0001: a
-- name for each endpoint and its own timestamp window for signed
-- deliveries (store/webhook_endpoint.c), and, per delivery, the answer
-- the sender got, so that a retry of the same delivery is answered the
-- same without being applied twice (sync/push.c), and the run it wrote.
-- Keep in step with ../postgres/0009_webhooks.sql.

ALTER TABLE webhook_endpoints ADD COLUMN name TEXT NOT NULL DEFAULT '';
-- Seconds a signed delivery's timestamp may be from now, either way.
ALTER TABLE webhook_endpoints ADD COLUMN window_s INTEGER NOT NULL DEFAULT 300;
ALTER TABLE webhook_deliveries ADD COLUMN result TEXT; -- JSON: the answer sent
ALTER TABLE webhook_deliveries ADD COLUMN run_id TEXT;
