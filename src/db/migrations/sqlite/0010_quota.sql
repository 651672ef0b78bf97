-- 0010_quota.sql (SQLite) - the provider's own count of an integration's
-- API quota, as its answers last reported it that day (Salesforce's
-- Sforce-Limit-Info, HubSpot's X-HubSpot-RateLimit-Daily headers), beside
-- inlet's count of the calls it sent (sync/quota.c, store/api_usage.c).
-- NULL when no answer of the day said. Keep in step with
-- ../postgres/0010_quota.sql.

ALTER TABLE api_usage ADD COLUMN quota_limit BIGINT;
ALTER TABLE api_usage ADD COLUMN quota_remaining BIGINT;
ALTER TABLE api_usage ADD COLUMN quota_at BIGINT; -- unix seconds of the answer that said
