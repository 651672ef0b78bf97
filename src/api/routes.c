/* api/routes.c - every route of the API and what it needs before its
 * handler runs. docs/openapi.yaml describes each one; tests/api/
 * test_api_openapi.c fails when the two disagree. */
#include "api/api_int.h"

#define AUTH     (API_AUTH | API_DB)
#define PLATFORM (API_AUTH | API_DB | API_PLATFORM)
/* Also for a connect session's token, on its one integration (auth.c). */
#define CONNECT (API_AUTH | API_DB | API_CONNECT)

const struct api_route api_routes[] = {
    {"GET", "/healthz", api_healthz, API_PUBLIC},
    {"GET", "/readyz", api_readyz, API_PUBLIC},
    {"GET", "/metrics", api_metrics, API_PUBLIC},
    {"GET", "/api/openapi.yaml", api_openapi, API_PUBLIC},
    {"GET", "/", api_ui_index, API_PUBLIC},
    {"GET", "/ui/{path...}", api_ui_asset, API_PUBLIC},
    {"POST", "/api/cron", api_cron, API_DB | API_LIMITED},

    {"POST", "/api/session", api_session_create, API_DB | API_LIMITED},
    {"GET", "/api/session", api_session_get, AUTH},
    {"DELETE", "/api/session", api_session_delete, AUTH},

    {"GET", "/api/connectors", api_connectors_list, CONNECT},
    {"GET", "/api/connectors/{name}", api_connector_get, CONNECT},
    {"GET", "/api/connectors/{name}/logo.svg", api_connector_logo, API_PUBLIC},
    {"GET", "/api/connectors/{name}/actions", api_connector_actions, AUTH},
    {"GET", "/api/connectors/{name}/app", api_connector_app_get, CONNECT},
    {"PUT", "/api/connectors/{name}/app", api_connector_app_put, AUTH},
    {"DELETE", "/api/connectors/{name}/app", api_connector_app_delete, AUTH},

    {"GET", "/api/oauth/{connector}/start", api_oauth_start, AUTH},
    {"GET", "/api/oauth/go", api_oauth_link, API_DB | API_LIMITED},
    {"GET", "/api/oauth/callback", api_oauth_callback, API_DB | API_LIMITED},

    {"POST", "/api/integrations", api_integrations_create, CONNECT},
    {"GET", "/api/integrations", api_integrations_list, CONNECT},
    {"GET", "/api/integrations/{id}", api_integration_get, CONNECT},
    {"PUT", "/api/integrations/{id}", api_integration_put, CONNECT},
    {"PATCH", "/api/integrations/{id}", api_integration_patch, CONNECT},
    {"DELETE", "/api/integrations/{id}", api_integration_delete, CONNECT},
    {"POST", "/api/integrations/{id}/refresh", api_integration_refresh, AUTH},
    {"POST", "/api/integrations/{id}/disconnect", api_integration_disconnect, CONNECT},
    {"POST", "/api/integrations/{id}/test", api_integration_test, CONNECT},
    {"GET", "/api/integrations/{id}/health", api_integration_health, AUTH},
    {"POST", "/api/integrations/{id}/discover", api_integration_discover, AUTH},
    {"GET", "/api/integrations/{id}/catalog", api_integration_catalog, AUTH},
    {"PUT", "/api/integrations/{id}/catalog", api_integration_catalog_put, AUTH},
    {"PUT", "/api/integrations/{id}/schedule", api_integration_schedule_put, AUTH},
    {"POST", "/api/integrations/{id}/sync", api_integration_sync, AUTH},
    {"GET", "/api/integrations/{id}/usage", api_integration_usage, AUTH},
    {"POST", "/api/integrations/{id}/actions/{name}", api_integration_action, AUTH},
    {"GET", "/api/integrations/{id}/proxy/{path...}", api_integration_proxy, AUTH},
    {"POST", "/api/integrations/{id}/proxy/{path...}", api_integration_proxy, AUTH},
    {"PUT", "/api/integrations/{id}/proxy/{path...}", api_integration_proxy, AUTH},
    {"PATCH", "/api/integrations/{id}/proxy/{path...}", api_integration_proxy, AUTH},
    {"DELETE", "/api/integrations/{id}/proxy/{path...}", api_integration_proxy, AUTH},
    {"GET", "/api/integrations/{id}/runs", api_integration_runs, AUTH},
    {"GET", "/api/runs/{id}", api_run_get, AUTH},
    {"POST", "/api/runs/{id}/cancel", api_run_cancel, AUTH},
    {"GET", "/api/health/summary", api_health_summary, AUTH},
    {"DELETE", "/api/end-users/{end_user_id}/integrations", api_end_user_integrations_delete, AUTH},

    {"GET", "/api/audit", api_audit_list, AUTH},

    {"GET", "/api/notification-channels", api_notification_channels_list, AUTH},
    {"POST", "/api/notification-channels", api_notification_channels_create, AUTH},
    {"GET", "/api/notification-channels/{id}", api_notification_channel_get, AUTH},
    {"PUT", "/api/notification-channels/{id}", api_notification_channel_put, AUTH},
    {"DELETE", "/api/notification-channels/{id}", api_notification_channel_delete, AUTH},
    {"POST", "/api/notification-channels/{id}/test", api_notification_channel_test, AUTH},
    {"GET", "/api/notifications", api_notifications_list, AUTH},
    {"POST", "/api/notifications/read-all", api_notifications_read_all, AUTH},
    {"POST", "/api/notifications/{id}/read", api_notification_read, AUTH},

    {"GET", "/api/webhook-subscriptions", api_webhook_subscriptions_list, AUTH},
    {"POST", "/api/webhook-subscriptions", api_webhook_subscriptions_create, AUTH},
    {"GET", "/api/webhook-subscriptions/{id}", api_webhook_subscription_get, AUTH},
    {"PATCH", "/api/webhook-subscriptions/{id}", api_webhook_subscription_patch, AUTH},
    {"DELETE", "/api/webhook-subscriptions/{id}", api_webhook_subscription_delete, AUTH},
    {"POST", "/api/webhook-subscriptions/{id}/rotate-secret", api_webhook_subscription_rotate,
     AUTH},
    {"POST", "/api/webhook-subscriptions/{id}/test", api_webhook_subscription_test, AUTH},
    {"GET", "/api/webhook-subscriptions/{id}/deliveries", api_webhook_subscription_deliveries,
     AUTH},
    {"POST", "/api/webhook-subscriptions/{id}/deliveries/{delivery_id}/redeliver",
     api_webhook_subscription_redeliver, AUTH},

    {"GET", "/api/mappings", api_mappings_list, AUTH},
    {"POST", "/api/mappings", api_mappings_create, AUTH},
    {"GET", "/api/mappings/{id}", api_mapping_get, AUTH},
    {"PUT", "/api/mappings/{id}", api_mapping_put, AUTH},
    {"DELETE", "/api/mappings/{id}", api_mapping_delete, AUTH},

    {"GET", "/api/data/accounts", api_data_accounts_list, AUTH},
    {"GET", "/api/data/accounts/{id}", api_data_account_get, AUTH},
    {"GET", "/api/data/contacts", api_data_contacts_list, AUTH},
    {"GET", "/api/data/contacts/{id}", api_data_contact_get, AUTH},
    {"GET", "/api/data/tickets", api_data_tickets_list, AUTH},
    {"GET", "/api/data/tickets/{id}", api_data_ticket_get, AUTH},
    {"GET", "/api/data/deals", api_data_deals_list, AUTH},
    {"GET", "/api/data/deals/{id}", api_data_deal_get, AUTH},
    {"GET", "/api/stats", api_stats, AUTH},
    {"GET", "/api/analytics/pipeline", api_analytics_pipeline, AUTH},
    {"GET", "/api/analytics/leads", api_analytics_leads, AUTH},
    {"POST", "/api/tenants/current/purge", api_tenant_purge, AUTH},

    {"POST", "/api/tenants", api_tenants_create, PLATFORM},
    {"GET", "/api/tenants", api_tenants_list, PLATFORM},
    {"GET", "/api/tenants/{id}", api_tenant_get, PLATFORM},
    {"DELETE", "/api/tenants/{id}", api_tenant_delete, PLATFORM},
    {"POST", "/api/tenants/{id}/suspend", api_tenant_suspend, PLATFORM},
    {"POST", "/api/tenants/{id}/resume", api_tenant_resume, PLATFORM},
    {"POST", "/api/tenants/{id}/keys", api_tenant_keys_replace, PLATFORM},
    {"GET", "/api/platform/audit", api_platform_audit_list, PLATFORM},

    {"POST", "/api/connect-sessions", api_connect_sessions_create, AUTH},
    {"GET", "/api/connect-sessions/{id}", api_connect_session_get, AUTH},
    {"GET", "/api/connect-settings", api_connect_settings_get, AUTH},
    {"PUT", "/api/connect-settings", api_connect_settings_put, AUTH},
    {"GET", "/connect", api_ui_connect, API_PUBLIC},
    {"GET", "/api/connect/session", api_connect_session_info, API_AUTH | API_DB | API_CONNECT_ONLY},
    {"POST", "/api/connect/oauth", api_connect_oauth, API_AUTH | API_DB | API_CONNECT_ONLY},
    {"POST", "/api/connect/finish", api_connect_finish, API_AUTH | API_DB | API_CONNECT_ONLY},

    {"GET", "/api/webhook-endpoints", api_webhook_endpoints_list, AUTH},
    {"POST", "/api/webhook-endpoints", api_webhook_endpoints_create, AUTH},
    {"GET", "/api/webhook-endpoints/{id}", api_webhook_endpoint_get, AUTH},
    {"DELETE", "/api/webhook-endpoints/{id}", api_webhook_endpoint_delete, AUTH},
    {"POST", "/api/webhooks/n8n", api_webhook_n8n, API_DB | API_LIMITED},
    {"POST", "/api/webhooks/{connector}/{id}", api_webhook_provider, API_DB | API_LIMITED},
};

const size_t api_nroutes = sizeof(api_routes) / sizeof(api_routes[0]);
