/* api/api_int.h - what the api/ files share: the API object, the context a
 * handler runs with, the route table, and the helpers every handler uses to
 * read input (input.c), answer (reply.c) and audit (audit.c). Handlers never
 * see a request that failed authentication, rate limiting or the CSRF check:
 * dispatch.c answers those. */
#ifndef INLET_API_API_INT_H
#define INLET_API_API_INT_H
#include <stdbool.h>
#include <stdint.h>

#include <json-c/json_object.h>

#include "api/api.h"
#include "api/cache.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/id.h"
#include "http/ratelimit.h"
#include "http/server.h"

#define API_ACTOR_MAX    (ID_MAX + 8) /* "ui:" + a key id */
#define API_LIST_DEFAULT 50           /* rows per page when limit is not given */
#define API_POOL_WAIT_MS 5000         /* how long a request waits for a connection */

struct api {
    struct http_server *http;
    struct db_pool *pool;
    const struct vault *vault;
    const struct registry *registry;
    struct ratelimit *rl;      /* NULL when rate limits are off */
    struct api_cache *cache;   /* list answers by tenant data_version (api/cache.h) */
    bool secure_cookie;        /* the public URL is https */
    char *public_url;          /* xmalloc: where users and providers reach us, no trailing '/' */
    struct http_route *routes; /* the http/ view of api_routes; owned */
    struct runner *runner;     /* jobs in the background (sync/runner.h); NULL: none here */
    const struct secret *cron_secret; /* POST /api/cron's bearer; borrowed, may be NULL */
    struct sched_loop *sched;         /* schedules and deliveries (sched/loop.h); NULL when off */
};

struct connect_session; /* store/connect_session.h */

/* One request as a handler sees it. */
struct api_ctx {
    struct api *api;
    struct http_req *req;
    struct http_resp *resp;
    struct db *db; /* from the pool for routes with API_DB or API_AUTH; else NULL */
    /* Who is calling, for routes with API_AUTH. */
    char tenant_id[ID_MAX];
    char key_id[ID_MAX];
    char actor[API_ACTOR_MAX]; /* key id, or "ui:" + key id for a session */
    bool platform;             /* a platform key: key_id is its; tenant_id from Inlet-Tenant */
    struct connect_session *connect; /* a connect token's session (owned); else NULL */
    bool via_session;
    const char *session_token; /* the cookie value when via_session; borrowed */
    int64_t now;               /* unix seconds at the start of the request */
};

typedef void (*api_handler_fn)(struct api_ctx *c);

enum api_route_flags {
    API_PUBLIC = 0,       /* no credentials */
    API_AUTH = 1,         /* a tenant API key or a session (and CSRF on mutations) */
    API_DB = 2,           /* needs a connection from the pool */
    API_LIMITED = 4,      /* rate limited by client address even without credentials */
    API_PLATFORM = 8,     /* with API_AUTH: a platform key only, with no tenant */
    API_CONNECT = 16,     /* with API_AUTH: a connect token may call it too (auth.c) */
    API_CONNECT_ONLY = 32 /* with API_AUTH: a connect token only */
};

/* Names the tenant a platform key acts for (docs/embedding.md). */
#define API_TENANT_HEADER "Inlet-Tenant"

struct api_route {
    const char *method;
    const char *pattern;
    api_handler_fn fn;
    unsigned flags;
};

/* routes.c: every route, in the order docs/openapi.yaml lists them. */
extern const struct api_route api_routes[];
extern const size_t api_nroutes;

/* dispatch.c: the http/ handler behind every route (route_ctx is the
 * struct api_route). */
void api_dispatch(struct http_req *req, struct http_resp *resp);

/* auth.c: fill c's tenant_id, key_id, actor, platform, via_session and
 * session_token from the request's credentials (c->db must be set) for a
 * route with route_flags, or answer 401 (unauthorized, session_expired),
 * 400 (tenant_required), 403 (csrf_failed, forbidden, tenant_suspended,
 * platform_key_required) or 404 (no such tenant) and return -1. */
MUST_CHECK int api_authenticate(struct api_ctx *c, unsigned route_flags);

/* ---- reply.c ---- */

/* Start a JSON answer with status: the body is emptied and returned for the
 * handler to write into. */
struct buf *api_reply(struct api_ctx *c, int status);
/* An error answer; message is printf-style. details as http_resp_error. */
void api_error(struct api_ctx *c, int status, const char *code, const char *details,
               const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Answer for an error from the layers below: ERR_NOTFOUND 404 not_found,
 * ERR_CONFLICT 409 conflict, ERR_INVALID 422 validation_failed (its message
 * as given: those name a field), ERR_TOOBIG 413 payload_too_large, ERR_AGAIN
 * 503 unavailable with Retry-After; anything else 500 internal, logged with
 * the request's route and never shown (it may name database internals). */
void api_fail(struct api_ctx *c, const struct err *e);
/* A time (unix seconds) as an RFC 3339 JSON string; 0 as null. */
void api_put_time(struct buf *b, int64_t unix_s);
struct sync_run; /* store/sync_run.h */

/* A run as JSON (the Run schema); with its log (an array of the log's
 * entries) when with_log; now gives a running run's duration so far. */
void api_put_run(struct buf *b, const struct sync_run *r, bool with_log, int64_t now);
/* 422 validation_failed with one detail {"pointer":ptr,"message":msg}. */
void api_invalid_field(struct api_ctx *c, const char *ptr, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Answer for an error whose message is "POINTER: problem" (map/,
 * notify/config.h, catalog_choose word theirs so): ERR_INVALID is 422
 * validation_failed with one detail at that pointer; any other error, or
 * a message without a leading pointer, goes to api_fail. */
void api_invalid_msg(struct api_ctx *c, const struct err *e);

/* ---- input.c ---- */

/* Parse the body as a JSON object whose members are all among allowed
 * (NULL-terminated). *out (OUT) is the caller's (json_object_put). On
 * failure the answer is written (415 unsupported_media_type unless the body
 * is application/json, 400 invalid_json, 400 unknown_field) and -1
 * returned. */
MUST_CHECK int api_body_object(struct api_ctx *c, struct json_object **out,
                               const char *const *allowed);
/* Answer 400 unknown_parameter and return -1 when the query has a name
 * outside allowed (NULL-terminated). */
MUST_CHECK int api_query_only(struct api_ctx *c, const char *const *allowed);
/* The integer query parameter name in min..max, def when absent; -1 after
 * answering 400 invalid_parameter. */
MUST_CHECK int api_query_int(struct api_ctx *c, const char *name, int def, int min, int max,
                             int *out);
/* The boolean query parameter name ("true"/"false"/"1"/"0"), def when
 * absent; -1 after answering 400 invalid_parameter. */
MUST_CHECK int api_query_bool(struct api_ctx *c, const char *name, bool def, bool *out);
/* The path's {id}, an id with prefix ("int", "run"); NULL after answering
 * 404 "no WHAT ID" when it is not one. */
const char *api_path_id(struct api_ctx *c, const char *prefix, const char *what);
/* A cursor or id parameter: NULL when absent; -1 after answering 400
 * invalid_parameter unless it is a well-formed id with prefix. */
MUST_CHECK int api_query_id(struct api_ctx *c, const char *name, const char *prefix,
                            const char **out);

/* ---- audit.c ---- */

/* Record action on target in the audit log, in the caller's transaction,
 * with the request's actor and client address. data is non-secret JSON
 * object text or NULL. */
MUST_CHECK int api_audit(struct api_ctx *c, const char *action, const char *target_type,
                         const char *target_id, const char *data, struct err *err);
/* After a test send (a notification channel's, a webhook subscription's):
 * audit action on target id with its outcome, and answer 200
 * {"ok","status","elapsed_ms","error"} (status null when there was no
 * answer, error null when ok). */
void api_send_test_reply(struct api_ctx *c, const char *action, const char *target_type,
                         const char *id, bool ok, long status, int64_t elapsed_ms,
                         const char *error);
/* Answer a page of the caller's tenant's audit log, or the platform's, as
 * GET /api/audit does, from the query's limit and cursor. */
void api_audit_page(struct api_ctx *c, bool platform);

/* ---- handlers, one file per resource ---- */
void api_healthz(struct api_ctx *c);
void api_readyz(struct api_ctx *c);
void api_metrics(struct api_ctx *c);
void api_openapi(struct api_ctx *c);
void api_ui_index(struct api_ctx *c);
void api_ui_asset(struct api_ctx *c);
void api_cron(struct api_ctx *c); /* cron.c */

/* session.c: set the inlet_session cookie to value (n bytes) for max_age
 * seconds; "" and 0 clear it. */
void api_session_cookie(struct api_ctx *c, const char *value, size_t n, int max_age);

void api_session_create(struct api_ctx *c);
void api_session_get(struct api_ctx *c);
void api_session_delete(struct api_ctx *c);

void api_connectors_list(struct api_ctx *c);
void api_connector_get(struct api_ctx *c);
void api_connector_logo(struct api_ctx *c);

void api_integrations_create(struct api_ctx *c);
void api_integrations_list(struct api_ctx *c);
void api_integration_get(struct api_ctx *c);
void api_integration_put(struct api_ctx *c);
void api_integration_patch(struct api_ctx *c);
void api_integration_delete(struct api_ctx *c);

void api_audit_list(struct api_ctx *c);

/* catalog.c: discovery and the stored catalog. */
void api_integration_discover(struct api_ctx *c);
void api_integration_catalog(struct api_ctx *c);
void api_integration_catalog_put(struct api_ctx *c);
void api_integration_schedule_put(struct api_ctx *c); /* schedule.c */

/* runs.c: sync runs. */
void api_integration_sync(struct api_ctx *c);
void api_integration_runs(struct api_ctx *c);
void api_run_get(struct api_ctx *c);
void api_run_cancel(struct api_ctx *c);

/* oauth.c: connecting accounts (oauth/flow.h) and tenants' OAuth apps. */
void api_oauth_start(struct api_ctx *c);
void api_oauth_link(struct api_ctx *c);
void api_oauth_callback(struct api_ctx *c);
void api_connector_app_get(struct api_ctx *c);
void api_connector_app_put(struct api_ctx *c);
void api_connector_app_delete(struct api_ctx *c);

/* connection.c: tokens, disconnect, connection test, health. */
void api_integration_refresh(struct api_ctx *c);
void api_integration_disconnect(struct api_ctx *c);
void api_integration_test(struct api_ctx *c);
void api_integration_health(struct api_ctx *c);
void api_health_summary(struct api_ctx *c);

/* notifications.c: notification channels and in-app notifications. */
void api_notification_channels_list(struct api_ctx *c);
void api_notification_channels_create(struct api_ctx *c);
void api_notification_channel_get(struct api_ctx *c);
void api_notification_channel_put(struct api_ctx *c);
void api_notification_channel_delete(struct api_ctx *c);
void api_notification_channel_test(struct api_ctx *c);
void api_notifications_list(struct api_ctx *c);
void api_notification_read(struct api_ctx *c);
void api_notifications_read_all(struct api_ctx *c);

/* webhook_subscriptions.c: the host's subscriptions to inlet's events. */
void api_webhook_subscriptions_list(struct api_ctx *c);
void api_webhook_subscriptions_create(struct api_ctx *c);
void api_webhook_subscription_get(struct api_ctx *c);
void api_webhook_subscription_patch(struct api_ctx *c);
void api_webhook_subscription_delete(struct api_ctx *c);
void api_webhook_subscription_rotate(struct api_ctx *c);
void api_webhook_subscription_test(struct api_ctx *c);
void api_webhook_subscription_deliveries(struct api_ctx *c);
void api_webhook_subscription_redeliver(struct api_ctx *c);
/* data.c: the Data API over the normalized tables (store/records_query.h). */
void api_data_accounts_list(struct api_ctx *c);
void api_data_account_get(struct api_ctx *c);
void api_data_contacts_list(struct api_ctx *c);
void api_data_contact_get(struct api_ctx *c);
void api_data_tickets_list(struct api_ctx *c);
void api_data_ticket_get(struct api_ctx *c);
void api_data_deals_list(struct api_ctx *c);
void api_data_deal_get(struct api_ctx *c);

/* mappings.c: a tenant's overrides of field mappings (field_mappings). */
void api_mappings_list(struct api_ctx *c);
void api_mappings_create(struct api_ctx *c);
void api_mapping_get(struct api_ctx *c);
void api_mapping_put(struct api_ctx *c);
void api_mapping_delete(struct api_ctx *c);

/* stats.c: figures and analytics across connectors (store/stats.h). */
void api_stats(struct api_ctx *c);
void api_analytics_pipeline(struct api_ctx *c);
void api_analytics_leads(struct api_ctx *c);

/* purge.c: data retention. api_integration_purge answers DELETE
 * /api/integrations/{id}?purge=true for integrations.c, id checked. */
void api_integration_purge(struct api_ctx *c, const char *id);
void api_tenant_purge(struct api_ctx *c);
/* tenants.c: a platform key's routes (docs/embedding.md). */
void api_tenants_create(struct api_ctx *c);
void api_tenants_list(struct api_ctx *c);
void api_tenant_get(struct api_ctx *c);
void api_tenant_suspend(struct api_ctx *c);
void api_tenant_resume(struct api_ctx *c);
void api_tenant_keys_replace(struct api_ctx *c);
void api_tenant_delete(struct api_ctx *c);
void api_platform_audit_list(struct api_ctx *c);
/* connect_sessions.c, connect.c, ui.c: connect sessions (docs/embedding.md). */
void api_connect_sessions_create(struct api_ctx *c);
void api_connect_session_get(struct api_ctx *c);
void api_connect_settings_get(struct api_ctx *c);
void api_connect_settings_put(struct api_ctx *c);
void api_connect_session_info(struct api_ctx *c);
void api_connect_oauth(struct api_ctx *c);
void api_connect_finish(struct api_ctx *c);
void api_connect_cancel(struct api_ctx *c);
void api_ui_connect(struct api_ctx *c);
/* connect.c: for POST /api/integrations from a connect page: 0 when its
 * session may make an integration of connector from body, else -1 after
 * answering (409 when it made one already, 422 for a connector it does
 * not offer or a body naming an end user or tags, which are the host's). */
MUST_CHECK int api_connect_may_create(struct api_ctx *c, const char *connector,
                                      const struct json_object *body);
/* connect.c: true after answering 422 when body names an end user or
 * tags, which a connect page may not set. */
bool api_connect_labels_refused(struct api_ctx *c, const struct json_object *body);
struct integration_end_user; /* store/integration.h */
/* connect.c: the connect session's end user into *u, its strings borrowed
 * from *hold (OUT, json_object_put); -1 after answering. */
MUST_CHECK int api_connect_end_user(struct api_ctx *c, struct integration_end_user *u,
                                    struct json_object **hold);

struct records_purge; /* store/records_query.h */

/* Delete integration id as DELETE /api/integrations/{id} does, inside the
 * caller's tenant transaction, audited there as "integration.delete":
 * soft (credentials gone, synced data kept) or, with purge, with all it
 * synced (*removed, OUT, counts it; may be NULL without purge). Every
 * deletion of an integration goes through here. end_user_id (may be NULL)
 * goes into the audit entry's data when the deletion was of the end user's
 * integrations. Errors of integration_delete and
 * records_query_purge_integration (ERR_NOTFOUND, ERR_CONFLICT while it
 * syncs), and of api_audit. */
MUST_CHECK int api_integration_remove(struct api_ctx *c, const char *id, bool purge,
                                      const char *end_user_id, struct records_purge *removed,
                                      struct err *e);

/* end_users.c: the host product's end users (docs/embedding.md). */
void api_end_user_integrations_delete(struct api_ctx *c);

/* proxy.c: the integration's own API, with its credentials. */
void api_integration_proxy(struct api_ctx *c);
void api_integration_usage(struct api_ctx *c); /* usage.c */
/* actions.c: a connector's named actions. */
void api_connector_actions(struct api_ctx *c);
void api_integration_action(struct api_ctx *c);

/* webhook_endpoints.c: where pushed data comes in. */
void api_webhook_endpoints_list(struct api_ctx *c);
void api_webhook_endpoints_create(struct api_ctx *c);
void api_webhook_endpoint_get(struct api_ctx *c);
void api_webhook_endpoint_delete(struct api_ctx *c);

/* webhooks.c: inbound deliveries (store/webhook_endpoint.h, sync/push.h). */
void api_webhook_n8n(struct api_ctx *c);
/* provider_webhooks.c: a provider's events for one integration. */
void api_webhook_provider(struct api_ctx *c);

#endif
