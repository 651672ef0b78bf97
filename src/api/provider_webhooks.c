/* api/provider_webhooks.c - POST /api/webhooks/{connector}/{id}: a
 * provider's event deliveries for one integration, as the connector
 * file's "webhooks" section declares them (docs/webhooks.md, "Provider
 * webhooks"). The delivery is verified against the provider's signing
 * secret (the OAuth client's secret, or the app's signing secret) inside
 * the scheme's window, then either answered as a handshake (Slack's
 * url_verification) or routed to the streams its events touch, which get
 * a debounced incremental sync (sync/trigger.h). The URL names the
 * integration, so it is found before its tenant is known; an unknown or
 * deleted one, or one of another connector, is the same 404. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h> /* getenv */
#include <string.h>

#include "api/api_int.h"
#include "connectors/registry.h"
#include "connectors/urls.h"
#include "core/alloc.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "oauth/client.h"
#include "singer/catalog.h"
#include "store/integration.h"
#include "sync/trigger.h"
#include "webhook/route.h"
#include "webhook/verify.h"

#define DEBOUNCE_DEFAULT_S 10

static const char *header(void *ctx, const char *name)
{
    return http_req_header(ctx, name);
}

/* The integration's tenant and status (system code: no tenant yet); the
 * status reads "suspended" while its tenant is. */
static int find(char tenant[ID_MAX], char status[32], struct db *db, const char *connector,
                const char *id, struct err *err)
{
    struct db_rows *r = NULL;
    int rc = db_query_row(&r, db,
                          "SELECT i.tenant_id, CASE WHEN t.suspended_at IS NULL THEN i.status"
                          " ELSE 'suspended' END FROM integrations i JOIN tenants t"
                          " ON t.id = i.tenant_id WHERE i.id = $1 AND i.connector_id = $2"
                          " AND i.deleted_at IS NULL",
                          DB_ARGS(DB_TEXT(id), DB_TEXT(connector)), err);
    if (rc == ERR_NOTFOUND)
        return err_set(err, ERR_NOTFOUND, "no %s integration %s", connector, id);
    if (rc < 0)
        return rc;
    snprintf(tenant, ID_MAX, "%s", db_rows_text(r, 0));
    snprintf(status, 32, "%s", db_rows_text(r, 1));
    db_rows_free(r);
    return 0;
}

/* The secret the provider signs with, into *out (OUT, secret_dispose).
 * ERR_IO when there is none: the operator's to fix, not the sender's. */
static int signing_secret(struct secret *out, struct api_ctx *c, const struct connector *conn,
                          const char *kind, const char *tenant)
{
    struct err e;
    memset(out, 0, sizeof(*out));
    if (strcmp(kind, "oauth_client") == 0) {
        struct oauth_client client;
        int rc = db_begin_tenant_read(c->db, tenant, &e);
        if (rc == 0) {
            rc = oauth_client_resolve(&client, c->db, c->api->vault, conn, tenant, &e);
            db_rollback(c->db);
        }
        if (rc == 0) {
            *out = client.secret;
            client.secret = (struct secret){0};
            oauth_client_dispose(&client);
        }
        return out->n ? 0 : -1;
    }
    char var[128];
    connector_env_name(var, sizeof(var), "", conn->name, "_SIGNING_SECRET");
    const char *s = getenv(var);
    if (!s || !*s)
        s = conn->default_signing_secret;
    if (!s || !*s)
        return -1;
    secret_set(out, s, strlen(s));
    return 0;
}

/* Of route's streams, those the integration's catalog selects, into
 * names (borrowed from r); how many. */
static size_t selected(const char **names, struct api_ctx *c, const char *tenant, const char *id,
                       const struct webhook_route *r)
{
    struct json_object *cat = NULL;
    char *text = NULL;
    struct err e;
    size_t n = 0;
    int rc = db_begin_tenant_read(c->db, tenant, &e);
    if (rc == 0) {
        rc = integration_catalog_get(&text, c->db, tenant, id, &e);
        db_rollback(c->db);
    }
    if (rc == 0 && text && catalog_parse(&cat, text, strlen(text), &e) == 0) {
        for (size_t i = 0; i < r->nstreams; i++) {
            struct json_object *s = catalog_stream_by_id(cat, r->streams[i]);
            if (s && catalog_stream_selected(s))
                names[n++] = r->streams[i];
        }
    }
    json_object_put(cat);
    xfree(text);
    return n;
}

static void answer(struct api_ctx *c, const struct webhook_route *r, const char *const *names,
                   size_t n, const char *sync)
{
    struct buf *b = api_reply(c, 200);
    buf_printf(b, "{\"received\":true,\"events\":%zu,\"streams\":[", r->events);
    for (size_t i = 0; i < n; i++) {
        buf_puts(b, i ? "," : "");
        buf_put_json_str(b, names[i]);
    }
    buf_printf(b, "],\"sync\":\"%s\"}", sync);
}

void api_webhook_provider(struct api_ctx *c)
{
    const char *name = http_req_param(c->req, "connector");
    const char *id = http_req_param(c->req, "id");
    const struct connector *conn = name ? registry_get(c->api->registry, name) : NULL;
    struct json_object *spec = conn ? jsonx_get(conn->doc, "webhooks") : NULL;
    char tenant[ID_MAX], status[32];
    struct secret secret = {0};
    struct webhook_route r = {0};
    enum webhook_scheme scheme;
    struct err e;

    if (!spec) {
        api_error(c, 404, "not_found", NULL, "connector %.64s takes no webhooks", name);
        return;
    }
    int rc = id_valid(id, "int")
                 ? find(tenant, status, c->db, conn->name, id, &e)
                 : err_set(&e, ERR_NOTFOUND, "no %s integration %.64s", conn->name, id);
    if (rc < 0) {
        api_fail(c, &e);
        return;
    }
    if (webhook_scheme_parse(&scheme, jsonx_str(jsonx_get(spec, "scheme")), &e) < 0 ||
        signing_secret(&secret, c, conn, jsonx_str(jsonx_get(spec, "secret")), tenant) < 0) {
        log_error("webhook: no secret to verify the connector's deliveries with",
                  LOG_STR("connector", conn->name), LOG_STR("integration", id));
        api_error(c, 500, "internal", NULL,
                  "inlet has no signing secret for %s webhooks: see docs/webhooks.md", conn->name);
        return;
    }
    int64_t window = jsonx_has(spec, "window_seconds")
                         ? json_object_get_int64(jsonx_get(spec, "window_seconds"))
                         : WEBHOOK_WINDOW_DEFAULT;
    struct buf uri;
    buf_init(&uri, 0);
    buf_printf(&uri, "%s%s", c->api->public_url, c->req->path);
    struct webhook_request req = {.method = c->req->method,
                                  .uri = buf_cstr(&uri),
                                  .header = header,
                                  .header_ctx = c->req,
                                  .body = c->req->body,
                                  .body_n = c->req->body_len};
    struct webhook_verified v;
    rc = webhook_verify(scheme, &req, &secret, c->now, window, &v, &e);
    secret_dispose(&secret);
    buf_dispose(&uri);
    if (rc == ERR_CRYPTO) {
        api_error(c, 401, "invalid_signature", NULL, "%s", e.msg);
        return;
    }
    if (rc < 0) {
        api_error(c, rc == ERR_INVALID ? 400 : 500,
                  rc == ERR_INVALID ? "invalid_header" : "internal", NULL, "%s", e.msg);
        return;
    }
    if (webhook_route(&r, spec, c->req->body, c->req->body_len, &e) < 0) {
        api_error(c, 400, "invalid_body", NULL, "%s", e.msg);
        return;
    }
    if (r.challenge) {
        struct buf *b = api_reply(c, 200);
        buf_puts(b, "{\"challenge\":");
        buf_put_json_str(b, r.challenge);
        buf_putc(b, '}');
        webhook_route_dispose(&r);
        return;
    }
    const char *names[WEBHOOK_ROUTE_STREAMS_MAX];
    size_t n = r.nstreams ? selected(names, c, tenant, id, &r) : 0;
    const char *sync = "ignored";
    if (n && strcmp(status, "active") != 0 && strcmp(status, "error") != 0)
        sync = strcmp(status, "suspended") == 0 ? "ignored: the tenant is suspended"
                                                : "ignored: the integration is not active";
    else if (n) {
        int64_t debounce = jsonx_has(spec, "debounce_seconds")
                               ? json_object_get_int64(jsonx_get(spec, "debounce_seconds"))
                               : DEBOUNCE_DEFAULT_S;
        enum trigger_outcome how = TRIGGER_JOINED;
        rc = db_begin_tenant(c->db, tenant, &e);
        if (rc == 0)
            rc = trigger_sync(&how, c->db, tenant, id, names, n, c->now + debounce, c->now, &e);
        rc = rc == 0 ? db_commit(c->db, &e) : (db_rollback(c->db), rc);
        /* Another delivery queued it at the same moment: it covers this one. */
        if (rc == ERR_CONFLICT)
            rc = 0, how = TRIGGER_JOINED;
        if (rc < 0) {
            api_fail(c, &e);
            webhook_route_dispose(&r);
            return;
        }
        sync = how == TRIGGER_QUEUED ? "queued" : "joined";
    }
    log_info("webhook: provider delivery", LOG_STR("connector", conn->name),
             LOG_STR("integration", id), LOG_INT("events", (int64_t)r.events),
             LOG_INT("streams", (int64_t)n), LOG_STR("sync", sync));
    answer(c, &r, names, n, sync);
    webhook_route_dispose(&r);
}
