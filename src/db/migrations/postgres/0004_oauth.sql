-- 0004_oauth.sql (PostgreSQL) - what connecting accounts needs beyond 0001: an
-- OAuth flow bound to the browser that runs it, the provider URL it
-- sends that browser to, who started it, and the name of the integration
-- it creates; an integration's connection (who it is connected as, and the
-- token response's non-secret metadata such as Salesforce's instance_url);
-- when its token was last refreshed or failed to; and its last connection
-- test. Keep in step with ../sqlite/0004_oauth.sql.

-- Hex SHA-256 of the nonce in the browser's binding cookie; NULL until a
-- browser takes the flow (a flow started with an API key is taken by the
-- first browser that opens its link).
ALTER TABLE oauth_states ADD COLUMN binding_hash TEXT;
-- The provider's authorize URL with every parameter (nothing secret: the
-- PKCE challenge is public, the verifier is sealed).
ALTER TABLE oauth_states ADD COLUMN authorize_url TEXT NOT NULL DEFAULT '';
-- Who started it: an API key id, or 'ui:<key id>' (consents.granted_by).
ALTER TABLE oauth_states ADD COLUMN actor TEXT NOT NULL DEFAULT '';
-- For a flow that creates its integration when it succeeds.
ALTER TABLE oauth_states ADD COLUMN integration_name TEXT;

-- Non-secret JSON: {"identity": {...}, "metadata": {...}}.
ALTER TABLE integrations ADD COLUMN connection JSONB NOT NULL DEFAULT '{}';
ALTER TABLE integrations ADD COLUMN last_test_at BIGINT;
ALTER TABLE integrations ADD COLUMN last_test_ok BOOLEAN;
ALTER TABLE integrations ADD COLUMN last_test_latency_ms BIGINT;
ALTER TABLE integrations ADD COLUMN last_test_error TEXT; -- one line, sanitized

ALTER TABLE credentials ADD COLUMN refreshed_at BIGINT;
ALTER TABLE credentials ADD COLUMN refresh_failed_at BIGINT;
