/* api/webhook_endpoints.c - /api/webhook-endpoints: where a tenant's
 * pushed data comes in (store/webhook_endpoint.h). Creating one answers,
 * once, the API key its deliveries must carry and, when asked for, its
 * Standard Webhooks signing secret; no other answer holds either. Every
 * change and its audit entry commit together. docs/webhooks.md, "n8n". */
#include <stdio.h>
#include <string.h>

#include "api/api_int.h"
#include "core/jsonx.h"
#include "store/webhook_endpoint.h"
#include "webhook/verify.h"

static void put_endpoint(struct buf *b, const struct webhook_endpoint *e, const char *public_url)
{
    buf_puts(b, "{\"id\":");
    buf_put_json_str(b, e->id);
    buf_puts(b, ",\"kind\":");
    buf_put_json_str(b, e->kind);
    buf_puts(b, ",\"name\":");
    buf_put_json_str(b, e->name);
    buf_puts(b, ",\"integration_id\":");
    if (e->integration_id[0])
        buf_put_json_str(b, e->integration_id);
    else
        buf_puts(b, "null");
    buf_printf(b, ",\"url\":\"%s/api/webhooks/%s\"", public_url, e->kind);
    buf_printf(b, ",\"signed\":%s,\"window_seconds\":%lld,\"enabled\":%s,\"created_at\":",
               e->signed_ ? "true" : "false", (long long)e->window_s,
               e->enabled ? "true" : "false");
    api_put_time(b, e->created_at);
    buf_puts(b, ",\"updated_at\":");
    api_put_time(b, e->updated_at);
}

/* The body of a create, checked into *in (borrowing from doc); answers
 * and returns -1 on failure. */
static int body_read(struct api_ctx *c, struct json_object *doc, struct webhook_endpoint_in *in)
{
    struct json_object *v;
    struct err e;
    size_t len = 0;

    memset(in, 0, sizeof(*in));
    in->kind = "n8n";
    in->name = "";
    in->window_s = WEBHOOK_WINDOW_DEFAULT;
    if ((v = jsonx_get(doc, "kind")) &&
        (!json_object_is_type(v, json_type_string) || strcmp(jsonx_str(v), "n8n") != 0)) {
        api_invalid_field(c, "/kind",
                          "expected \"n8n\" (provider webhooks need no endpoint:"
                          " their URL names the integration)");
        return -1;
    }
    if (jsonx_has(doc, "name") &&
        (jsonx_as_str(&in->name, &len, jsonx_get(doc, "name"), "/name", &e) < 0 ||
         len > WEBHOOK_NAME_MAX || strlen(in->name) != len)) {
        api_invalid_field(c, "/name", "expected text of at most %d bytes", WEBHOOK_NAME_MAX);
        return -1;
    }
    v = jsonx_get(doc, "integration_id");
    if (v && (!json_object_is_type(v, json_type_string) || !id_valid(jsonx_str(v), "int"))) {
        api_invalid_field(c, "/integration_id", "expected an integration id (int_...) or null");
        return -1;
    }
    in->integration_id = v ? jsonx_str(v) : NULL;
    if (jsonx_has(doc, "signed") &&
        jsonx_as_bool(&in->sign, jsonx_get(doc, "signed"), "/signed", &e) < 0) {
        api_invalid_field(c, "/signed", "expected true or false");
        return -1;
    }
    if (jsonx_has(doc, "window_seconds") &&
        (jsonx_as_i64(&in->window_s, jsonx_get(doc, "window_seconds"), "/window_seconds", &e) < 0 ||
         in->window_s < 1 || in->window_s > WEBHOOK_WINDOW_MAX)) {
        api_invalid_field(c, "/window_seconds", "expected an integer from 1 to %d",
                          WEBHOOK_WINDOW_MAX);
        return -1;
    }
    return 0;
}

void api_webhook_endpoints_create(struct api_ctx *c)
{
    static const char *const allowed[] = {"kind",   "name",           "integration_id",
                                          "signed", "window_seconds", NULL};
    struct json_object *doc = NULL;
    struct webhook_endpoint_in in;
    struct webhook_endpoint ep = {0};
    struct secret key = {0}, secret = {0};
    struct err e;

    if (api_body_object(c, &doc, allowed) < 0)
        return;
    if (body_read(c, doc, &in) < 0) {
        json_object_put(doc);
        return;
    }
    int rc = db_begin_tenant(c->db, c->tenant_id, &e);
    if (rc == 0)
        rc = webhook_endpoint_create(&ep, &key, &secret, c->db, c->api->vault, c->tenant_id, &in,
                                     c->now, &e);
    if (rc == 0) {
        char data[64];
        snprintf(data, sizeof(data), "{\"kind\":\"%s\",\"signed\":%s}", ep.kind,
                 ep.signed_ ? "true" : "false");
        rc = api_audit(c, "webhook_endpoint.create", "webhook_endpoint", ep.id, data, &e);
    }
    rc = rc == 0 ? db_commit(c->db, &e) : (db_rollback(c->db), rc);
    if (rc == ERR_NOTFOUND) {
        api_invalid_field(c, "/integration_id", "%s", e.msg);
    } else if (rc < 0) {
        api_fail(c, &e);
    } else {
        struct buf *b = api_reply(c, 201);
        char loc[64 + ID_MAX];
        put_endpoint(b, &ep, c->api->public_url);
        /* Shown this once: stored only as a hash (the key) and sealed
         * (the secret). */
        buf_puts(b, ",\"api_key\":");
        buf_put_json_str(b, (const char *)key.p);
        if (secret.n) {
            buf_puts(b, ",\"signing_secret\":");
            buf_put_json_str(b, (const char *)secret.p);
        }
        buf_putc(b, '}');
        snprintf(loc, sizeof(loc), "/api/webhook-endpoints/%s", ep.id);
        http_resp_header(c->resp, "Location", loc);
    }
    secret_dispose(&key);
    secret_dispose(&secret);
    json_object_put(doc);
}

struct page {
    struct buf *b;
    size_t n;
    const char *public_url;
};

static int put_one(void *ctx, const struct webhook_endpoint *ep)
{
    struct page *p = ctx;
    buf_puts(p->b, p->n++ ? "," : "");
    put_endpoint(p->b, ep, p->public_url);
    buf_putc(p->b, '}');
    return 0;
}

void api_webhook_endpoints_list(struct api_ctx *c)
{
    static const char *const none[] = {NULL};
    struct err e;

    if (api_query_only(c, none) < 0)
        return;
    if (db_begin_tenant_read(c->db, c->tenant_id, &e) < 0) {
        api_fail(c, &e);
        return;
    }
    struct buf *b = api_reply(c, 200);
    struct page p = {.b = b, .public_url = c->api->public_url};
    buf_puts(b, "{\"data\":[");
    int rc = webhook_endpoint_list(c->db, c->tenant_id, put_one, &p, &e);
    db_rollback(c->db);
    if (rc < 0) {
        api_fail(c, &e);
        return;
    }
    buf_puts(b, "],\"next_cursor\":null}");
}

void api_webhook_endpoint_get(struct api_ctx *c)
{
    static const char *const none[] = {NULL};
    struct webhook_endpoint ep = {0};
    const char *id;
    struct err e;

    if (api_query_only(c, none) < 0 || !(id = api_path_id(c, "whe", "webhook endpoint")))
        return;
    int rc = db_begin_tenant_read(c->db, c->tenant_id, &e);
    if (rc == 0)
        rc = webhook_endpoint_get(&ep, c->db, c->tenant_id, id, &e);
    db_rollback(c->db);
    if (rc < 0) {
        api_fail(c, &e);
        return;
    }
    struct buf *b = api_reply(c, 200);
    put_endpoint(b, &ep, c->api->public_url);
    buf_putc(b, '}');
}

void api_webhook_endpoint_delete(struct api_ctx *c)
{
    const char *id;
    struct err e;

    if (!(id = api_path_id(c, "whe", "webhook endpoint")))
        return;
    int rc = db_begin_tenant(c->db, c->tenant_id, &e);
    if (rc == 0)
        rc = webhook_endpoint_delete(c->db, c->tenant_id, id, &e);
    if (rc == 0)
        rc = api_audit(c, "webhook_endpoint.delete", "webhook_endpoint", id, NULL, &e);
    rc = rc == 0 ? db_commit(c->db, &e) : (db_rollback(c->db), rc);
    if (rc < 0)
        api_fail(c, &e);
    else
        api_reply(c, 204);
}
