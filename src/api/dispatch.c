/* api/dispatch.c - what runs before every handler: the rate limit by client
 * address, authentication (a Bearer tenant API key, or the UI's session
 * cookie), the CSRF check for a cookie on a mutating request, the rate
 * limit by API key, and a database connection from the pool; then the
 * handler, then the connection back. A request that fails a check is
 * answered here and never reaches its handler. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "api/api_int.h"
#include "core/log.h"
#include "core/time.h"
#include "db/pool.h"
#include "store/session.h"
#include "store/tenant.h"

#define SESSION_COOKIE "inlet_session"

static bool mutating(const char *method)
{
    return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 &&
           strcmp(method, "OPTIONS") != 0;
}

/* 429 when key's bucket is empty; true when the request may go on. */
static bool within_limit(struct api_ctx *c, const char *kind, const char *who)
{
    char key[128];
    int retry = 1;

    if (!c->api->rl)
        return true;
    snprintf(key, sizeof(key), "%s:%s", kind, who);
    if (ratelimit_take(c->api->rl, key, time_mono_ms(), &retry))
        return true;
    char secs[16];
    snprintf(secs, sizeof(secs), "%d", retry);
    http_resp_header(c->resp, "Retry-After", secs);
    api_error(c, 429, "rate_limited", NULL, "too many requests; retry in %d second%s", retry,
              retry == 1 ? "" : "s");
    return false;
}

static void unauthorized(struct api_ctx *c, const char *code, const char *msg)
{
    http_resp_header(c->resp, "WWW-Authenticate", "Bearer realm=\"inlet\"");
    api_error(c, 401, code, NULL, "%s", msg);
}

/* The Bearer credentials of the Authorization header: 1 found (*key, *n),
 * 0 no header, -1 a header that is not "Bearer <token>" (answered). */
static int bearer(struct api_ctx *c, const char **key, size_t *n)
{
    const char *h = http_req_header(c->req, "Authorization");
    if (!h)
        return 0;
    if (strncasecmp(h, "Bearer ", 7) != 0) {
        unauthorized(c, "unauthorized", "the Authorization header must be \"Bearer <API key>\"");
        return -1;
    }
    h += 7;
    while (*h == ' ')
        h++;
    *key = h;
    *n = strlen(h);
    while (*n > 0 && h[*n - 1] == ' ')
        (*n)--;
    return 1;
}

/* Fill c's caller fields from the credentials, or answer 401/403. */
static int authenticate(struct api_ctx *c)
{
    const char *key = NULL;
    size_t n = 0;
    struct err e;
    int b = bearer(c, &key, &n);

    if (b < 0)
        return -1;
    if (b > 0) {
        if (tenant_key_verify(c->tenant_id, c->key_id, c->db, key, n, &e) < 0) {
            if (e.code != ERR_NOTFOUND) {
                api_fail(c, &e);
                return -1;
            }
            unauthorized(c, "unauthorized", "unknown or revoked API key");
            return -1;
        }
        snprintf(c->actor, sizeof(c->actor), "%s", c->key_id);
        return 0;
    }
    const char *tok = http_req_cookie(c->req, SESSION_COOKIE);
    if (!tok) {
        unauthorized(c, "unauthorized",
                     "sign in: send \"Authorization: Bearer <API key>\" or the session cookie");
        return -1;
    }
    if (session_verify(c->tenant_id, c->key_id, c->db, tok, strlen(tok), c->now, &e) < 0) {
        if (e.code != ERR_NOTFOUND) {
            api_fail(c, &e);
            return -1;
        }
        unauthorized(c, "session_expired", "the session has expired or was ended; sign in again");
        return -1;
    }
    if (mutating(c->req->method) &&
        !session_csrf_ok(tok, strlen(tok), http_req_header(c->req, "X-CSRF-Token"))) {
        api_error(c, 403, "csrf_failed", NULL,
                  "missing or wrong X-CSRF-Token header (POST /api/session returns the token)");
        return -1;
    }
    c->via_session = true;
    c->session_token = tok;
    snprintf(c->actor, sizeof(c->actor), "ui:%s", c->key_id);
    return 0;
}

void api_dispatch(struct http_req *req, struct http_resp *resp)
{
    const struct api_route *r = req->route_ctx;
    struct api_ctx c = {.api = req->app, .req = req, .resp = resp};
    struct err e;

    c.now = time_now_ms() / 1000;
    if ((r->flags & (API_LIMITED | API_AUTH)) && !within_limit(&c, "ip", req->client_ip))
        return;
    if (r->flags & (API_DB | API_AUTH)) {
        if (db_pool_take(&c.db, c.api->pool, API_POOL_WAIT_MS, &e) < 0) {
            api_fail(&c, &e);
            return;
        }
    }
    if (r->flags & API_AUTH) {
        if (authenticate(&c) < 0 || !within_limit(&c, "key", c.key_id))
            goto done;
        snprintf(req->tenant_id, sizeof(req->tenant_id), "%s", c.tenant_id);
    }
    r->fn(&c);
done:
    if (c.db)
        db_pool_give(c.api->pool, c.db);
}
