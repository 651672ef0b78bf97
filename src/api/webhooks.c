/* api/webhooks.c - POST /api/webhooks/n8n: records pushed by a workflow
 * tool. No tenant key: the delivery carries its endpoint's API key
 * (header "Authorization: Bearer inlet_whk_...", "X-Inlet-Webhook-Key",
 * or "api_key" in the body for senders that cannot set headers), which
 * names the tenant. An endpoint with a signing secret also needs a valid
 * Standard Webhooks signature inside its window. Then the body is checked
 * (webhook/n8n.h) and applied (sync/push.h). The delivery id (the signed
 * webhook-id, else a webhook-id or Idempotency-Key header, else the
 * body's SHA-256) makes a retry an acknowledgement, not a second apply.
 * Refusals never say which of key, signature or endpoint was wrong beyond
 * what the sender needs to fix its own request. docs/webhooks.md. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "api/api_int.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "crypto/hash.h"
#include "store/tenant.h"
#include "store/webhook_endpoint.h"
#include "sync/push.h"
#include "webhook/n8n.h"
#include "webhook/verify.h"

#define DELIVERY_ID_MAX 128

static const char *header(void *ctx, const char *name)
{
    return http_req_header(ctx, name);
}

/* The key from the headers, else from the body's "api_key" (a body that
 * does not parse has none: the caller answers 401 before saying why the
 * body is wrong). *doc (OUT) keeps the parsed body alive for the key. */
static const char *key_of(struct api_ctx *c, struct json_object **doc)
{
    const char *h = http_req_header(c->req, "X-Inlet-Webhook-Key");
    struct err e;
    *doc = NULL;
    if (h)
        return h;
    h = http_req_header(c->req, "Authorization");
    if (h && strncasecmp(h, "Bearer ", 7) == 0) {
        for (h += 7; *h == ' ';)
            h++;
        return h;
    }
    if (jsonx_parse(doc, c->req->body, c->req->body_len, c->req->body_len + 1, &e) < 0)
        return NULL;
    return jsonx_str(jsonx_get(*doc, "api_key"));
}

/* A sender's delivery id: printable, no spaces, 1..DELIVERY_ID_MAX bytes. */
static bool id_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    for (size_t i = 0; i < n; i++)
        if (!isgraph((unsigned char)s[i]))
            return false;
    return n > 0 && n <= DELIVERY_ID_MAX;
}

/* The delivery id into out; -1 after answering 400 for a bad header. */
static int delivery_id(struct api_ctx *c, const struct webhook_verified *v,
                       char out[DELIVERY_ID_MAX + 8])
{
    static const char *const names[] = {"webhook-id", "Idempotency-Key"};
    if (v->id[0]) {
        snprintf(out, DELIVERY_ID_MAX + 8, "%s", v->id);
        return 0;
    }
    for (size_t i = 0; i < 2; i++) {
        const char *h = http_req_header(c->req, names[i]);
        if (!h)
            continue;
        if (!id_ok(h)) {
            api_error(c, 400, "invalid_header", NULL,
                      "%s: expected 1 to %d printable characters without spaces", names[i],
                      DELIVERY_ID_MAX);
            return -1;
        }
        snprintf(out, DELIVERY_ID_MAX + 8, "%s", h);
        return 0;
    }
    /* No id: the same body again is taken for a retry. Applying the same
     * records twice would change nothing but the run log anyway. */
    char hex[HASH_SHA256_HEX_LEN + 1];
    hash_sha256_hex(hex, c->req->body, c->req->body_len);
    snprintf(out, DELIVERY_ID_MAX + 8, "sha256:%.64s", hex);
    return 0;
}

/* Check the signature of a signed endpoint's delivery into *v; -1 after
 * answering. */
static int verify(struct api_ctx *c, const struct webhook_endpoint *ep, struct webhook_verified *v)
{
    struct secret secret = {0};
    struct err e;
    memset(v, 0, sizeof(*v));
    if (!ep->signed_)
        return 0;
    int rc = db_begin_tenant_read(c->db, ep->tenant_id, &e);
    if (rc == 0) {
        rc = webhook_endpoint_secret(&secret, c->db, c->api->vault, ep, &e);
        db_rollback(c->db);
    }
    struct webhook_request req = {.method = c->req->method,
                                  .header = header,
                                  .header_ctx = c->req,
                                  .body = c->req->body,
                                  .body_n = c->req->body_len};
    if (rc == 0)
        rc = webhook_verify(WEBHOOK_STANDARD_WEBHOOKS, &req, &secret, c->now, ep->window_s, v, &e);
    secret_dispose(&secret);
    if (rc == ERR_CRYPTO) {
        api_error(c, 401, "invalid_signature", NULL, "%s", e.msg);
        return -1;
    }
    if (rc == ERR_INVALID) {
        api_error(c, 400, "invalid_header", NULL, "%s", e.msg);
        return -1;
    }
    if (rc < 0) {
        log_error("webhook: the endpoint's signing secret cannot be used",
                  LOG_STR("endpoint", ep->id), LOG_ERROR(&e));
        api_error(c, 500, "internal", NULL, "the endpoint's signing secret cannot be used");
        return -1;
    }
    return 0;
}

/* A body that is not a push: 400 for JSON that does not parse, 413 for
 * too many records, 422 naming the member otherwise. */
static void body_refused(struct api_ctx *c, const struct err *e)
{
    if (e->code == ERR_TOOBIG)
        api_error(c, 413, "payload_too_large", NULL, "%s", e->msg);
    else if (e->msg[0] == '/')
        api_invalid_msg(c, e);
    else
        api_error(c, 400, "invalid_json", NULL, "%s", e->msg);
}

void api_webhook_n8n(struct api_ctx *c)
{
    struct json_object *loose = NULL;
    struct webhook_endpoint ep = {0};
    struct webhook_verified v;
    struct n8n_push push = {0};
    struct push_result res = {0};
    char did[DELIVERY_ID_MAX + 8];
    struct err e;

    const char *key = key_of(c, &loose);
    int rc = key ? webhook_endpoint_find(&ep, c->db, "n8n", key, strlen(key), &e) : ERR_NOTFOUND;
    json_object_put(loose);
    if (rc == ERR_NOTFOUND) {
        http_resp_header(c->resp, "WWW-Authenticate", "Bearer realm=\"inlet-webhook\"");
        api_error(c, 401, "unauthorized", NULL,
                  "send the webhook endpoint's API key: \"Authorization: Bearer inlet_whk_...\","
                  " X-Inlet-Webhook-Key, or \"api_key\" in the body");
        return;
    }
    if (rc < 0) {
        api_fail(c, &e);
        return;
    }
    struct tenant_info t = {0};
    if (tenant_get(&t, c->db, ep.tenant_id, &e) < 0) {
        api_fail(c, &e);
        return;
    }
    if (t.suspended_at) {
        api_error(c, 403, "tenant_suspended", NULL, "this tenant is suspended");
        return;
    }
    if (verify(c, &ep, &v) < 0)
        return;
    if (n8n_parse(&push, c->req->body, c->req->body_len, &e) < 0) {
        body_refused(c, &e);
        return;
    }
    if (ep.integration_id[0] && strcmp(ep.integration_id, push.integration_id) != 0) {
        api_invalid_field(c, "/integration_id",
                          "this endpoint takes records for integration %s only", ep.integration_id);
        goto out;
    }
    if (delivery_id(c, &v, did) < 0)
        goto out;
    struct push_in in = {.db = c->db,
                         .reg = c->api->registry,
                         .tenant_id = ep.tenant_id,
                         .integration_id = push.integration_id,
                         .endpoint_id = ep.id,
                         .delivery_id = did,
                         .model = push.data_type,
                         .source_type = push.source_type,
                         .run_id = push.sync_log_id,
                         .records = push.records,
                         .now = c->now};
    rc = push_apply(&res, &in, &e);
    if (rc == ERR_NOTFOUND) {
        api_invalid_field(
            c, push.sync_log_id && strstr(e.msg, "run") ? "/sync_log_id" : "/integration_id", "%s",
            e.msg);
    } else if (rc < 0) {
        api_fail(c, &e);
    } else {
        if (res.duplicate)
            http_resp_header(c->resp, "Inlet-Duplicate", "true");
        buf_puts(api_reply(c, 200), buf_cstr(&res.answer));
        log_info("webhook: push applied", LOG_STR("endpoint", ep.id),
                 LOG_STR("integration", push.integration_id), LOG_STR("model", push.data_type),
                 LOG_INT("records", (int64_t)jsonx_len(push.records)),
                 LOG_STR("duplicate", res.duplicate ? "yes" : "no"));
    }
out:
    push_result_dispose(&res);
    n8n_push_dispose(&push);
}
