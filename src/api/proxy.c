/* api/proxy.c - /api/integrations/{id}/proxy/{path...}: a request to the
 * integration's own API on the caller's behalf, with its credentials put
 * in by inlet (sync/call.h: the token, one refresh and resend on a 401,
 * the connector's rate budget, api_usage). The request can only reach the
 * connector's base URL: the router has refused encoded slashes, dot and
 * empty segments; each segment is encoded again here, so nothing in the
 * path can name another host, scheme or port, and redirects are handed
 * back, never followed. Only listed headers pass either way: the caller's
 * Authorization and cookies never leave, and the provider's Set-Cookie
 * never comes back. docs/proxy.md. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "api/api_int.h"
#include "connectors/registry.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "store/integration.h"
#include "sync/call.h"

#define PROXY_ANSWER_MAX (16u << 20) /* bytes of a provider's answer passed back */
#define PROXY_PATH_MAX   4096        /* bytes of the path and query sent on */

/* Request headers passed on, as the caller sent them. */
static const char *const request_headers[] = {
    "Accept",
    "Accept-Language",
    "If-Match",
    "If-None-Match",
    "If-Modified-Since",
    "If-Unmodified-Since",
    "Prefer",
    "Sforce-Query-Options",
    "Sforce-Auto-Assign",
    "Sforce-Call-Options",
    NULL,
};

/* Answer headers passed back; and any that starts with one of prefixes. */
static const char *const answer_headers[] = {
    "ETag", "Last-Modified", "Retry-After", "Location", "Link", "Sforce-Limit-Info", NULL,
};
static const char *const answer_prefixes[] = {"X-HubSpot-RateLimit-", "X-RateLimit-", "RateLimit-",
                                              NULL};

static bool listed(const char *name, size_t n, const char *const *names, bool prefix)
{
    for (size_t i = 0; names[i]; i++) {
        size_t k = strlen(names[i]);
        if ((prefix ? n >= k : n == k) && strncasecmp(name, names[i], k) == 0)
            return true;
    }
    return false;
}

/* The path to send ("/" and each segment encoded) into b; -1 after
 * answering 400 for what no provider path holds. */
static int path_of(struct api_ctx *c, struct buf *b, const char *rest)
{
    for (const char *p = rest; *p; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '\\') {
            api_error(c, 400, "invalid_path", NULL,
                      "the proxied path holds a control character or a backslash");
            return -1;
        }
    }
    const char *seg = rest;
    while (*seg) {
        const char *end = strchr(seg, '/');
        size_t n = end ? (size_t)(end - seg) : strlen(seg);
        char one[1024];
        if (n >= sizeof(one)) {
            api_error(c, 400, "invalid_path", NULL, "a path segment over %zu bytes",
                      sizeof(one) - 1);
            return -1;
        }
        memcpy(one, seg, n);
        one[n] = '\0';
        buf_putc(b, '/');
        buf_put_urlenc(b, one, strlen(one));
        seg += n + (end ? 1 : 0);
    }
    return 0;
}

static int add_query(void *ctx, const char *name, const char *value)
{
    struct buf *b = ctx;
    buf_putc(b, strchr(buf_cstr(b), '?') ? '&' : '?');
    buf_put_urlenc(b, name, strlen(name));
    if (value[0]) {
        buf_putc(b, '=');
        buf_put_urlenc(b, value, strlen(value));
    }
    return 0;
}

/* The provider's answer, as it came, with the listed headers. */
static void pass_back(struct api_ctx *c, const struct fetch_resp *r)
{
    char type[HTTP_CONTENT_TYPE_MAX + 1];
    const char *line = buf_cstr(&r->head);
    c->resp->status = (int)r->status;
    buf_reset(&c->resp->body);
    buf_put(&c->resp->body, r->body.p, r->body.n);
    if (!fetch_header(r, "Content-Type", type, sizeof(type)) ||
        !http_resp_content_type(c->resp, type))
        c->resp->content_type = "application/octet-stream";
    http_resp_header(c->resp, "Cache-Control", "no-store");
    while (*line) {
        const char *eol = strstr(line, "\r\n");
        size_t n = eol ? (size_t)(eol - line) : strlen(line);
        const char *colon = memchr(line, ':', n);
        if (colon && c->resp->nheaders < HTTP_HEADERS_MAX - 2) {
            size_t k = (size_t)(colon - line);
            if (listed(line, k, answer_headers, false) || listed(line, k, answer_prefixes, true)) {
                char name[64], value[1024];
                const char *v = colon + 1;
                while (v < line + n && (*v == ' ' || *v == '\t'))
                    v++;
                if (k < sizeof(name) && (size_t)(line + n - v) < sizeof(value)) {
                    memcpy(name, line, k);
                    name[k] = '\0';
                    memcpy(value, v, (size_t)(line + n - v));
                    value[line + n - v] = '\0';
                    http_resp_header(c->resp, name, value);
                }
            }
        }
        line += n + (eol ? 2 : 0);
    }
}

void api_integration_proxy(struct api_ctx *c)
{
    const char *id = api_path_id(c, "int", "integration");
    const char *rest = http_req_param(c->req, "path");
    struct integration it = {0};
    struct fetch_resp r = {0};
    struct buf path;
    char lines[CALL_HEADERS_MAX][1100];
    const char *headers[CALL_HEADERS_MAX + 1] = {0};
    size_t nh = 0;
    struct err e;

    if (!id)
        return;
    buf_init(&path, 0);
    if (path_of(c, &path, rest) < 0)
        goto out;
    http_req_query_each(c->req, add_query, &path);
    if (path.n > PROXY_PATH_MAX) {
        api_error(c, 414, "uri_too_long", NULL, "the proxied path and query pass %d bytes",
                  PROXY_PATH_MAX);
        goto out;
    }
    for (size_t i = 0; request_headers[i] && nh < CALL_HEADERS_MAX; i++) {
        const char *v = http_req_header(c->req, request_headers[i]);
        if (v && strlen(v) < 1000) {
            snprintf(lines[nh], sizeof(lines[nh]), "%s: %s", request_headers[i], v);
            headers[nh] = lines[nh];
            nh++;
        }
    }
    int rc = db_begin_tenant_read(c->db, c->tenant_id, &e);
    if (rc == 0) {
        rc = integration_get(&it, c->db, c->tenant_id, id, &e);
        db_rollback(c->db);
    }
    const struct connector *conn = rc == 0 ? registry_get(c->api->registry, it.connector) : NULL;
    if (rc == 0 && (!conn || !jsonx_has(conn->doc, "base_url")))
        rc = err_set(&e, ERR_INVALID, "connector %s has no API to proxy to", it.connector);
    struct oauth_env env = {.db = c->db,
                            .vault = c->api->vault,
                            .reg = c->api->registry,
                            .public_url = c->api->public_url};
    const char *method = c->req->method;
    struct connector_req req = {
        .method = method,
        .path = buf_cstr(&path),
        .body = c->req->body_len ? c->req->body : NULL,
        .body_len = c->req->body_len,
        .content_type = c->req->body_len ? http_req_header(c->req, "Content-Type") : NULL,
        .headers = headers,
        .body_max = PROXY_ANSWER_MAX,
        .idempotent = strcmp(method, "POST") != 0 && strcmp(method, "PATCH") != 0,
        .max_attempts = 1,    /* a refusal goes back with its Retry-After */
        .wait_cap_ms = 10000, /* for the rate budget: a caller is waiting */
    };
    if (rc == 0)
        rc = connector_call(&r, &env, &it, conn, &req, &e);
    if (rc == 0) {
        pass_back(c, &r);
        log_info("proxy: answered", LOG_STR("integration", id), LOG_STR("method", method),
                 LOG_INT("status", r.status));
    } else if (rc == ERR_IO || rc == ERR_TOOBIG) {
        api_error(c, 502, "bad_gateway", NULL, "%s", e.msg);
    } else if (rc == ERR_INVALID && strncmp(e.msg, "needs_reauth", 12) == 0) {
        api_error(c, 409, "needs_reauth", NULL, "%s", e.msg);
    } else {
        api_fail(c, &e);
    }
out:
    fetch_resp_dispose(&r);
    integration_dispose(&it);
    buf_dispose(&path);
}
