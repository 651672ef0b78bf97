/* api/oauth.c - connecting accounts over HTTP (oauth/flow.h does the work):
 * GET /api/oauth/{connector}/start, the link a flow started with an API key
 * hands out (GET /api/oauth/go), the provider's callback, and the tenants'
 * OAuth apps (GET, PUT, DELETE /api/connectors/{name}/app). The start is
 * authenticated; the link and the callback are opened by a browser coming
 * back from the provider, so they carry no credentials: the state and the
 * binding cookie are what authorize them. */
#include <stdio.h>
#include <string.h>

#include "api/api_int.h"
#include "connectors/registry.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "core/time.h"
#include "oauth/client.h"
#include "oauth/flow.h"
#include "store/oauth_app.h"

static struct oauth_env env_of(struct api_ctx *c)
{
    return (struct oauth_env){.db = c->db,
                              .vault = c->api->vault,
                              .reg = c->api->registry,
                              .public_url = c->api->public_url};
}

/* The cookie that binds flow state to this browser: sent back on the way
 * in from the provider (a top-level GET, hence Lax), to the OAuth paths
 * only, for as long as a flow lives. */
static void binding_cookie(struct api_ctx *c, const char *state, const char *nonce, int max_age)
{
    char name[40], h[256];
    oauth_cookie_name(name, state);
    snprintf(h, sizeof(h), "%s=%s; Path=/api/oauth/; Max-Age=%d; HttpOnly; SameSite=Lax%s", name,
             nonce, max_age, c->api->secure_cookie ? "; Secure" : "");
    http_resp_header(c->resp, "Set-Cookie", h);
}

/* 302 to location; the code and state in these URLs must not leak through
 * Referer, and no cache may keep the answer. */
static void redirect(struct api_ctx *c, const char *location)
{
    struct buf *b = api_reply(c, 302);
    buf_puts(b, "{\"location\":");
    buf_put_json_str(b, location);
    buf_putc(b, '}');
    http_resp_header(c->resp, "Location", location);
    http_resp_header(c->resp, "Referrer-Policy", "no-referrer");
}

/* A page for a browser that cannot be sent anywhere trustworthy. */
static void error_page(struct api_ctx *c, int status, const char *message)
{
    struct buf *b = &c->resp->body;
    c->resp->status = status;
    c->resp->content_type = "text/html; charset=utf-8";
    buf_reset(b);
    buf_puts(b, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                "<title>Connection failed</title></head>\n<body><h1>The connection did not "
                "complete</h1>\n<p>");
    buf_put_html(b, message);
    buf_puts(b, "</p>\n<p>Close this window and start again from inlet.</p></body></html>\n");
    http_resp_header(c->resp, "Cache-Control", "no-store");
    http_resp_header(c->resp, "Referrer-Policy", "no-referrer");
    http_resp_header(c->resp, "Content-Security-Policy", "default-src 'none'");
}

/* From the web UI the start is a page the browser navigates to (a session,
 * asking for HTML), so a refusal is a page a person reads (with the reason
 * when it is theirs to fix), not the API's JSON. */
static void start_refused_page(struct api_ctx *c, const struct err *e)
{
    switch (e->code) {
    case ERR_NOTFOUND:
        error_page(c, 404, e->msg);
        return;
    case ERR_CONFLICT:
        error_page(c, 409, e->msg);
        return;
    case ERR_INVALID:
        error_page(c, 422, e->msg);
        return;
    case ERR_AGAIN:
        error_page(c, 503, "inlet is busy; go back and try again in a moment.");
        return;
    default:
        log_error("oauth start failed", LOG_STR("route", c->req->route), LOG_ERROR(e));
        error_page(c, 500, "inlet could not start the sign-in.");
        return;
    }
}

void api_oauth_start(struct api_ctx *c)
{
    static const char *const params[] = {"integration_id", "name", "return_to", NULL};
    struct oauth_env env = env_of(c);
    struct oauth_started out;
    struct err e;

    if (api_query_only(c, params) < 0)
        return;
    struct oauth_start_req in = {
        .tenant_id = c->tenant_id,
        .actor = c->actor,
        .connector = http_req_param(c->req, "connector"),
        .integration_id = http_req_query(c->req, "integration_id"),
        .name = http_req_query(c->req, "name"),
        .return_to = http_req_query(c->req, "return_to"),
        .browser = c->via_session,
    };
    if (oauth_start(&out, &env, &in, &e) < 0) {
        const char *accept = http_req_header(c->req, "Accept");
        if (c->via_session && accept && strstr(accept, "text/html"))
            start_refused_page(c, &e);
        else
            api_fail(c, &e);
        return;
    }
    if (out.nonce[0])
        binding_cookie(c, out.state, out.nonce, OAUTH_STATE_TTL_S);
    redirect(c, out.location);
    oauth_started_dispose(&out);
}

void api_oauth_link(struct api_ctx *c)
{
    struct oauth_env env = env_of(c);
    struct oauth_started out;
    struct err e;

    if (oauth_take_link(&out, &env, http_req_query(c->req, "state"), &e) < 0) {
        error_page(c,
                   e.code == ERR_NOTFOUND   ? 404
                   : e.code == ERR_CONFLICT ? 409
                                            : 500,
                   e.code == ERR_NOTFOUND || e.code == ERR_CONFLICT
                       ? e.msg
                       : "inlet could not start the sign-in.");
        return;
    }
    binding_cookie(c, out.state, out.nonce, OAUTH_STATE_TTL_S);
    redirect(c, out.location);
    oauth_started_dispose(&out);
}

void api_oauth_callback(struct api_ctx *c)
{
    struct oauth_env env = env_of(c);
    struct oauth_outcome o;
    const char *state = http_req_query(c->req, "state");
    char name[40];

    if (state)
        oauth_cookie_name(name, state);
    struct oauth_callback_req in = {
        .state = state,
        .code = http_req_query(c->req, "code"),
        .error = http_req_query(c->req, "error"),
        .error_description = http_req_query(c->req, "error_description"),
        .nonce = state ? http_req_cookie(c->req, name) : NULL,
    };
    oauth_callback(&o, &env, &in);
    if (o.known) {
        binding_cookie(c, state, "", 0); /* spent */
        redirect(c, o.redirect);
    } else {
        error_page(c, 400, o.message);
    }
    oauth_outcome_dispose(&o);
}

/* ---- OAuth apps ---- */

static const struct connector *oauth_connector(struct api_ctx *c)
{
    const char *name = http_req_param(c->req, "name");
    const struct connector *k = registry_get(c->api->registry, name);
    if (!k)
        api_error(c, 404, "not_found", NULL,
                  "no connector \"%.64s\" (GET /api/connectors lists them)", name);
    else if (k->auth_kind != CONNECTOR_AUTH_OAUTH2)
        api_error(c, 422, "validation_failed", NULL, "connector %s does not use OAuth", k->name);
    else
        return k;
    return NULL;
}

/* {"connector","client_id","has_secret","scopes","source","updated_at"} of
 * the client the tenant connects k with; 404 when there is none. */
static void app_answer(struct api_ctx *c, const struct connector *k, int status)
{
    struct oauth_client cl;
    struct oauth_app app = {0};
    char when[TIME_RFC3339_MAX] = "";
    struct err e;

    if (db_begin_tenant_read(c->db, c->tenant_id, &e) < 0) {
        api_fail(c, &e);
        return;
    }
    int rc = oauth_client_resolve(&cl, c->db, c->api->vault, k, c->tenant_id, &e);
    if (rc == 0 && strcmp(cl.source, "app") == 0 &&
        oauth_app_get(&app, c->db, c->api->vault, c->tenant_id, k->name, false, &e) == 0)
        time_format_rfc3339_sec(when, app.updated_at * 1000);
    db_rollback(c->db);
    if (rc < 0) {
        api_fail(c, &e);
        return;
    }
    struct buf *b = api_reply(c, status);
    buf_puts(b, "{\"connector\":");
    buf_put_json_str(b, k->name);
    buf_puts(b, ",\"client_id\":");
    buf_put_json_str(b, cl.client_id);
    buf_printf(b, ",\"has_secret\":%s,\"scopes\":", cl.secret.n ? "true" : "false");
    buf_put_json_str(b, cl.scopes);
    buf_puts(b, ",\"source\":");
    buf_put_json_str(b, cl.source);
    buf_puts(b, ",\"updated_at\":");
    buf_put_json_str(b, when[0] ? when : NULL);
    buf_putc(b, '}');
    oauth_client_dispose(&cl);
    oauth_app_dispose(&app);
}

void api_connector_app_get(struct api_ctx *c)
{
    static const char *const none[] = {NULL};
    const struct connector *k;
    if (api_query_only(c, none) < 0 || !(k = oauth_connector(c)))
        return;
    app_answer(c, k, 200);
}

/* A string member of body, or NULL; -1 after answering 422 when present
 * but not a string. */
static int str_member(struct api_ctx *c, struct json_object *body, const char *name,
                      const char **out)
{
    struct err e;
    char ptr[64];
    *out = NULL;
    if (!jsonx_has(body, name))
        return 0;
    snprintf(ptr, sizeof(ptr), "/%s", name);
    if (jsonx_as_str(out, NULL, jsonx_get(body, name), ptr, &e) < 0) {
        api_invalid_field(c, ptr, "must be a string");
        return -1;
    }
    return 0;
}

void api_connector_app_put(struct api_ctx *c)
{
    static const char *const fields[] = {"client_id", "client_secret", "scopes", NULL};
    struct json_object *body = NULL;
    const struct connector *k;
    const char *id, *secret, *scopes;
    struct secret sec = {0};
    struct err e;

    if (!(k = oauth_connector(c)) || api_body_object(c, &body, fields) < 0)
        return;
    if (str_member(c, body, "client_id", &id) < 0 ||
        str_member(c, body, "client_secret", &secret) < 0 ||
        str_member(c, body, "scopes", &scopes) < 0)
        goto out;
    if (!id) {
        api_invalid_field(c, "/client_id", "is required");
        goto out;
    }
    if (secret)
        secret_set(&sec, secret, strlen(secret));
    int rc = db_begin_tenant(c->db, c->tenant_id, &e);
    if (rc == 0)
        rc = oauth_app_put(c->db, c->api->vault, c->tenant_id, k->name, id, &sec, scopes, c->now,
                           &e);
    if (rc == 0) {
        struct buf data;
        buf_init(&data, 0);
        buf_printf(&data, "{\"has_secret\":%s}", sec.n ? "true" : "false");
        rc = api_audit(c, "connector_app.put", "connector", k->name, buf_cstr(&data), &e);
        buf_dispose(&data);
    }
    rc = rc == 0 ? db_commit(c->db, &e) : (db_rollback(c->db), rc);
    secret_dispose(&sec);
    if (rc == ERR_INVALID)
        api_invalid_field(c, "/client_id", "%s",
                          e.msg + (strncmp(e.msg, "client_id: ", 11) ? 0 : 11));
    else if (rc < 0)
        api_fail(c, &e);
    else
        app_answer(c, k, 200);
out:
    json_object_put(body);
}

void api_connector_app_delete(struct api_ctx *c)
{
    const struct connector *k;
    struct err e;

    if (!(k = oauth_connector(c)))
        return;
    int rc = db_begin_tenant(c->db, c->tenant_id, &e);
    if (rc == 0)
        rc = oauth_app_delete(c->db, c->tenant_id, k->name, &e);
    if (rc == 0)
        rc = api_audit(c, "connector_app.delete", "connector", k->name, NULL, &e);
    rc = rc == 0 ? db_commit(c->db, &e) : (db_rollback(c->db), rc);
    if (rc < 0)
        api_fail(c, &e);
    else
        api_reply(c, 204);
}
