/* api/session.c - the web UI's sign-in: POST /api/session trades an API key
 * for the inlet_session cookie and a CSRF token, GET tells who is signed
 * in, DELETE signs out. The cookie is HttpOnly (no script reads it) and
 * SameSite=Strict (no other site sends it); the CSRF token guards the rest. */
#include <stdio.h>
#include <string.h>

#include "api/api_int.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "core/secret.h"
#include "core/time.h"
#include "store/platform_key.h"
#include "store/session.h"
#include "store/tenant.h"

void api_session_cookie(struct api_ctx *c, const char *value, size_t n, int max_age)
{
    char h[256];
    snprintf(h, sizeof(h), "inlet_session=%.*s; Path=/; Max-Age=%d; HttpOnly; SameSite=Strict%s",
             (int)n, value, max_age, c->api->secure_cookie ? "; Secure" : "");
    http_resp_header(c->resp, "Set-Cookie", h);
}

void api_session_create(struct api_ctx *c)
{
    static const char *const fields[] = {"api_key", NULL};
    struct json_object *body;
    struct secret tok = {0};
    char csrf[SESSION_CSRF_LEN + 1], when[TIME_RFC3339_MAX];
    const char *key;
    size_t n;
    struct err e;

    if (api_body_object(c, &body, fields) < 0)
        return;
    if (!jsonx_has(body, "api_key")) {
        api_invalid_field(c, "/api_key", "is required");
        goto out;
    }
    if (jsonx_as_str(&key, &n, jsonx_get(body, "api_key"), "/api_key", &e) < 0) {
        api_invalid_field(c, "/api_key", "expected a string");
        goto out;
    }
    int64_t suspended = 0;
    int rc = tenant_key_verify(c->tenant_id, c->key_id, &suspended, c->db, key, n, &e);
    if (rc == ERR_NOTFOUND && platform_key_looks(key, n)) {
        api_error(c, 403, "forbidden", NULL,
                  "a platform key does not sign in to the web UI; use one of the tenant's keys");
        goto out;
    }
    if (rc == 0 && suspended) {
        api_error(c, 403, "tenant_suspended", NULL, "this tenant is suspended");
        goto out;
    }
    if (rc == 0) {
        snprintf(c->actor, sizeof(c->actor), "ui:%s", c->key_id);
        snprintf(c->req->tenant_id, sizeof(c->req->tenant_id), "%s", c->tenant_id);
        /* The session and its audit entry commit together. The key can be
         * revoked in between: session_create then says ERR_NOTFOUND too. */
        if ((rc = db_begin_tenant(c->db, c->tenant_id, &e)) == 0 &&
            (rc = session_create(&tok, csrf, c->db, c->tenant_id, c->key_id, c->now, &e)) == 0 &&
            (rc = api_audit(c, "session.create", "api_key", c->key_id, NULL, &e)) == 0)
            rc = db_commit(c->db, &e);
        if (rc < 0)
            db_rollback(c->db);
    }
    if (rc == ERR_NOTFOUND) {
        http_resp_header(c->resp, "WWW-Authenticate", "Bearer realm=\"inlet\"");
        api_error(c, 401, "unauthorized", NULL, "unknown or revoked API key");
        goto out;
    }
    if (rc < 0) {
        api_fail(c, &e);
        goto out;
    }
    api_session_cookie(c, (const char *)tok.p, tok.n, SESSION_TTL);
    time_format_rfc3339_sec(when, (c->now + (int64_t)SESSION_TTL) * 1000);
    struct buf *b = api_reply(c, 201);
    buf_puts(b, "{\"tenant_id\":");
    buf_put_json_str(b, c->tenant_id);
    buf_puts(b, ",\"key_id\":");
    buf_put_json_str(b, c->key_id);
    buf_printf(b, ",\"csrf_token\":\"%s\",\"expires_at\":\"%s\"}", csrf, when);
out:
    secret_dispose(&tok);
    json_object_put(body);
}

void api_session_get(struct api_ctx *c)
{
    char csrf[SESSION_CSRF_LEN + 1];
    struct buf *b = api_reply(c, 200);

    buf_puts(b, "{\"tenant_id\":");
    buf_put_json_str(b, c->tenant_id);
    buf_puts(b, ",\"key_id\":");
    buf_put_json_str(b, c->key_id);
    buf_printf(b, ",\"via\":\"%s\",\"csrf_token\":", c->via_session ? "session" : "api_key");
    if (c->via_session) {
        session_csrf(csrf, c->session_token, strlen(c->session_token));
        buf_put_json_str(b, csrf);
    } else {
        buf_puts(b, "null");
    }
    buf_putc(b, '}');
}

void api_session_delete(struct api_ctx *c)
{
    struct err e;

    if (!c->via_session) {
        api_error(c, 400, "no_session", NULL,
                  "this request signed in with an API key, not a session; nothing to end");
        return;
    }
    const char *tok = c->session_token;
    /* The end of the session and its audit entry commit together. */
    if (db_begin_tenant(c->db, c->tenant_id, &e) < 0 ||
        session_delete(c->db, tok, strlen(tok), c->now, &e) < 0 ||
        api_audit(c, "session.delete", "api_key", c->key_id, NULL, &e) < 0 ||
        db_commit(c->db, &e) < 0) {
        db_rollback(c->db);
        api_fail(c, &e);
        return;
    }
    api_session_cookie(c, "", 0, 0);
    api_reply(c, 204);
}
