/* api/auth.c - who is calling: a tenant API key sent as "Authorization:
 * Bearer", or the web UI's session cookie, which on a mutating request must
 * come with its CSRF token in X-CSRF-Token (a browser attaches cookies to
 * cross-site requests by itself, never a Bearer header); or a platform key
 * (store/platform_key.h), which calls the platform's routes and acts on
 * behalf of the tenant named by the Inlet-Tenant header everywhere else.
 * A connect session's token (store/connect_session.h) calls only the
 * routes of the connect page, as its tenant, on the one integration it
 * made or reconnects (dispatch.c holds it to that). A tenant's own
 * credentials never reach another tenant, and a suspended tenant's are
 * refused. Keys and session tokens are looked up by their
 * SHA-256 (store/tenant.c, store/session.c) and never repeated in an
 * answer or a log line. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "api/api_int.h"
#include "core/alloc.h"
#include "store/connect_session.h"
#include "store/platform_key.h"
#include "store/session.h"
#include "store/tenant.h"

#define SESSION_COOKIE "inlet_session"

static bool mutating(const char *method)
{
    return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 &&
           strcmp(method, "OPTIONS") != 0;
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

/* A platform key on a tenant's route: the tenant it acts for is the
 * Inlet-Tenant header's, any tenant, suspended ones too (the platform is
 * who suspended it). */
static int on_behalf(struct api_ctx *c)
{
    const char *h = http_req_header(c->req, API_TENANT_HEADER);
    struct tenant_info t = {0};
    struct err e;

    if (!h || !*h) {
        api_error(c, 400, "tenant_required", NULL,
                  "a platform key acts on behalf of a tenant: send the header \"" API_TENANT_HEADER
                  ": <tenant id>\"");
        return -1;
    }
    if (tenant_get(&t, c->db, h, &e) < 0) {
        api_fail(c, &e);
        return -1;
    }
    snprintf(c->tenant_id, sizeof(c->tenant_id), "%s", t.id);
    return 0;
}

/* What a tenant's own key or session may not do: the platform's routes,
 * another tenant, anything while suspended. */
static int tenant_checks(struct api_ctx *c, unsigned route_flags, int64_t suspended_at)
{
    const char *h = http_req_header(c->req, API_TENANT_HEADER);

    if (route_flags & API_PLATFORM) {
        api_error(c, 403, "platform_key_required", NULL,
                  "this route takes a platform key, not a tenant's (docs/embedding.md)");
        return -1;
    }
    if (h && strcmp(h, c->tenant_id) != 0) {
        api_error(c, 403, "forbidden", NULL,
                  "a tenant's API key acts only on its own tenant; " API_TENANT_HEADER
                  " is for platform keys");
        return -1;
    }
    if (suspended_at) {
        api_error(c, 403, "tenant_suspended", NULL, "this tenant is suspended");
        return -1;
    }
    return 0;
}

/* A connect token: its session, on the routes it may call. */
static int connect_token(struct api_ctx *c, unsigned route_flags, const char *key, size_t n)
{
    struct connect_session *s = xcalloc(1, sizeof(*s));
    struct err e;

    if (connect_session_verify(s, c->db, key, n, c->now, &e) < 0) {
        xfree(s);
        if (e.code != ERR_NOTFOUND) {
            api_fail(c, &e);
            return -1;
        }
        unauthorized(c, "connect_session_expired", e.msg);
        return -1;
    }
    c->connect = s; /* dispatch.c frees it */
    snprintf(c->tenant_id, sizeof(c->tenant_id), "%s", s->tenant_id);
    snprintf(c->key_id, sizeof(c->key_id), "%s", s->id);
    snprintf(c->actor, sizeof(c->actor), "connect:%s", s->id);
    if (!(route_flags & (API_CONNECT | API_CONNECT_ONLY))) {
        api_error(c, 403, "connect_scope", NULL,
                  "a connect session's token opens the connect page's routes only");
        return -1;
    }
    if (s->tenant_suspended) {
        api_error(c, 403, "tenant_suspended", NULL, "this tenant is suspended");
        return -1;
    }
    return 0;
}

int api_authenticate(struct api_ctx *c, unsigned route_flags)
{
    int64_t suspended_at = 0;
    const char *key = NULL;
    size_t n = 0;
    struct err e;
    int b = bearer(c, &key, &n);

    if (b < 0)
        return -1;
    if (b > 0 && connect_token_looks(key, n))
        return connect_token(c, route_flags, key, n);
    if (route_flags & API_CONNECT_ONLY) {
        unauthorized(c, "unauthorized", "this route takes a connect session's token");
        return -1;
    }
    if (b > 0 && platform_key_looks(key, n)) {
        if (platform_key_verify(c->key_id, c->db, key, n, &e) < 0) {
            if (e.code != ERR_NOTFOUND) {
                api_fail(c, &e);
                return -1;
            }
            unauthorized(c, "unauthorized", "unknown or revoked API key");
            return -1;
        }
        c->platform = true;
        snprintf(c->actor, sizeof(c->actor), "%s", c->key_id);
        return route_flags & API_PLATFORM ? 0 : on_behalf(c);
    }
    if (b > 0) {
        if (tenant_key_verify(c->tenant_id, c->key_id, &suspended_at, c->db, key, n, &e) < 0) {
            if (e.code != ERR_NOTFOUND) {
                api_fail(c, &e);
                return -1;
            }
            unauthorized(c, "unauthorized", "unknown or revoked API key");
            return -1;
        }
        snprintf(c->actor, sizeof(c->actor), "%s", c->key_id);
        return tenant_checks(c, route_flags, suspended_at);
    }
    const char *tok = http_req_cookie(c->req, SESSION_COOKIE);
    if (!tok) {
        unauthorized(c, "unauthorized",
                     "sign in: send \"Authorization: Bearer <API key>\" or the session cookie");
        return -1;
    }
    if (session_verify(c->tenant_id, c->key_id, &suspended_at, c->db, tok, strlen(tok), c->now,
                       &e) < 0) {
        if (e.code != ERR_NOTFOUND) {
            api_fail(c, &e);
            return -1;
        }
        /* The browser may as well forget a cookie that opens nothing. */
        api_session_cookie(c, "", 0, 0);
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
    return tenant_checks(c, route_flags, suspended_at);
}
