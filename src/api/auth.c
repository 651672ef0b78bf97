/* api/auth.c - who is calling: a tenant API key sent as "Authorization:
 * Bearer", or the web UI's session cookie, which on a mutating request must
 * come with its CSRF token in X-CSRF-Token (a browser attaches cookies to
 * cross-site requests by itself, never a Bearer header). Keys and session
 * tokens are looked up by their SHA-256 (store/tenant.c, store/session.c)
 * and never repeated in an answer or a log line. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "api/api_int.h"
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

int api_authenticate(struct api_ctx *c)
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
    return 0;
}
