/* sandbox/hs_oauth.c - HubSpot's OAuth 2.0 server as app.hubspot.com and
 * api.hubapi.com serve it: the install (login + consent) page, the token
 * endpoint on its v1, v3 and 2026-03 paths (authorization_code with
 * optional PKCE S256, refresh_token without rotation), refresh-token
 * deletion and the v1 token introspection. Grants live in tokens.c; every
 * call into it, and every counter, is made with p->mu held. Shapes follow
 * shared/providers.md section 2.1; departures are in docs/sandbox.md. */
#include <stdio.h>
#include <string.h>

#include "core/form.h"
#include "crypto/hash.h"
#include "sandbox/hs_int.h"

#define PAGE_MAX 65536 /* bytes of a consent page */

/* The parameters of an install request, from the query (GET) or from the
 * page's hidden fields (POST); borrowed. */
struct authz {
    const char *client_id, *redirect_uri, *scope, *optional_scope, *state;
    const char *challenge, *method;
};

/* ---- replies ---- */

/* The v3 error body: RFC 6749's error and error_description beside the
 * legacy status and message (providers.md 2.1). */
static void token_error(struct http_resp *resp, const char *error, const char *status,
                        const char *msg)
{
    struct buf b;

    buf_init(&b, 2048);
    buf_puts(&b, "{\"error\":");
    buf_put_json_str(&b, error);
    buf_puts(&b, ",\"error_description\":");
    buf_put_json_str(&b, msg);
    buf_puts(&b, ",\"status\":");
    buf_put_json_str(&b, status);
    buf_puts(&b, ",\"message\":");
    buf_put_json_str(&b, msg);
    buf_puts(&b, "}");
    sb_json(resp, 400, buf_cstr(&b));
    buf_dispose(&b);
}

/* HubSpot shows install errors it cannot redirect on a page of its own. */
static void error_page(struct http_resp *resp, const char *msg)
{
    struct buf b;

    buf_init(&b, PAGE_MAX);
    buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                 "<title>Authorization error | HubSpot (inlet sandbox)</title></head><body>\n"
                 "<h1>Authorization error</h1>\n<p>");
    buf_put_html(&b, msg);
    buf_puts(&b, "</p>\n</body></html>\n");
    sb_html(resp, 400, buf_cstr(&b));
    buf_dispose(&b);
}

/* The login + consent page; problem (or NULL) is shown above the form. */
static void consent_page(struct http_resp *resp, const struct authz *a, const char *user,
                         const char *problem)
{
    struct buf b;

    buf_init(&b, PAGE_MAX);
    buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                 "<title>Connect app | HubSpot (inlet sandbox)</title></head><body>\n"
                 "<h1>Log in to connect an app to your HubSpot account</h1>\n");
    if (problem) {
        buf_puts(&b, "<p class=\"error\" role=\"alert\">");
        buf_put_html(&b, problem);
        buf_puts(&b, "</p>\n");
    }
    buf_puts(&b, "<form method=\"post\" action=\"/oauth/authorize\">\n"
                 "<label for=\"username\">Email</label>\n"
                 "<input id=\"username\" name=\"username\" type=\"email\" "
                 "autocomplete=\"username\" value=\"");
    buf_put_html(&b, user ? user : "");
    buf_puts(&b, "\">\n<label for=\"password\">Password</label>\n"
                 "<input id=\"password\" name=\"password\" type=\"password\" "
                 "autocomplete=\"current-password\">\n");
    sb_hidden_input(&b, "client_id", a->client_id);
    sb_hidden_input(&b, "redirect_uri", a->redirect_uri);
    sb_hidden_input(&b, "scope", a->scope);
    sb_hidden_input(&b, "optional_scope", a->optional_scope);
    sb_hidden_input(&b, "state", a->state);
    sb_hidden_input(&b, "code_challenge", a->challenge);
    sb_hidden_input(&b, "code_challenge_method", a->method);
    buf_puts(&b, "<p>Account <strong>" HS_HUB_DOMAIN "</strong> (hub " HS_HUB_ID_S
                 ")</p>\n<p>Allow <strong>");
    buf_put_html(&b, a->client_id);
    buf_puts(&b, "</strong> to access: ");
    buf_put_html(&b, a->scope);
    if (a->optional_scope && a->optional_scope[0]) {
        buf_puts(&b, " (optional: ");
        buf_put_html(&b, a->optional_scope);
        buf_puts(&b, ")");
    }
    buf_puts(&b,
             "</p>\n<button type=\"submit\" name=\"action\" value=\"allow\">Connect app</button>\n"
             "<button type=\"submit\" name=\"action\" value=\"deny\">Cancel</button>\n"
             "</form>\n<p>Sandbox test user: <code>" SB_TEST_USER
             "</code>, password <code>" SB_TEST_PASSWORD "</code>.</p>\n</body></html>\n");
    sb_html(resp, 200, buf_cstr(&b));
    buf_dispose(&b);
}

/* 302 to uri with the name/value pairs appended (values url-encoded,
 * NULL values skipped). */
/* ---- authorize ---- */

static bool too_long(const char *s)
{
    return s && strlen(s) >= SB_FIELD_MAX / 2;
}

/* RFC 7636 section 4.2: 43 to 128 unreserved characters. */
static bool challenge_ok(const char *s)
{
    size_t n = strlen(s);

    if (n < 43 || n > 128)
        return false;
    return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~") == n;
}

/* Check a request before showing or honouring it. A bad client, redirect
 * URI or scope gets an error page (HubSpot redirects nothing it cannot
 * vouch for); true when it may go on, otherwise resp is filled. */
static bool authz_check(const struct sb_provider *p, const struct authz *a, struct http_resp *resp)
{
    const char *u = a->redirect_uri;

    if (!a->client_id || strcmp(a->client_id, p->client.id) != 0) {
        error_page(resp, "Couldn't complete the connection: the app's client_id is unknown.");
        return false;
    }
    if (!u || !(strncmp(u, "https://", 8) == 0 || strncmp(u, "http://", 7) == 0) || too_long(u)) {
        error_page(resp, "Couldn't complete the connection: redirect_uri does not match the "
                         "app's redirect URLs.");
        return false;
    }
    if (!a->scope || !a->scope[0] || too_long(a->scope) || too_long(a->optional_scope)) {
        error_page(resp, "Couldn't complete the connection: the scope parameter is missing or "
                         "invalid.");
        return false;
    }
    if ((a->method && a->method[0] && strcmp(a->method, "S256") != 0) ||
        (a->challenge && a->challenge[0] && !challenge_ok(a->challenge))) {
        error_page(resp, "Couldn't complete the connection: invalid code_challenge (S256 only).");
        return false;
    }
    return true;
}

void hs_authorize_page(struct http_req *req, struct http_resp *resp)
{
    struct sb_provider *p = sb_of(req);
    struct authz a = {
        .client_id = http_req_query(req, "client_id"),
        .redirect_uri = http_req_query(req, "redirect_uri"),
        .scope = http_req_query(req, "scope"),
        .optional_scope = http_req_query(req, "optional_scope"),
        .state = http_req_query(req, "state"),
        .challenge = http_req_query(req, "code_challenge"),
        .method = http_req_query(req, "code_challenge_method"),
    };

    pthread_mutex_lock(&p->mu);
    p->counters.authorize++;
    pthread_mutex_unlock(&p->mu);
    if (authz_check(p, &a, resp))
        consent_page(resp, &a, NULL, NULL);
}

void hs_authorize_submit(struct http_req *req, struct http_resp *resp)
{
    struct sb_provider *p = sb_of(req);
    struct form f;
    struct err e;
    char code[SB_TOKEN_MAX], scope[SB_FIELD_MAX];

    if (form_parse(&f, req->body, req->body_len, &e) < 0) {
        error_page(resp, e.msg);
        goto done;
    }
    struct authz a = {
        .client_id = form_get(&f, "client_id"),
        .redirect_uri = form_get(&f, "redirect_uri"),
        .scope = form_get(&f, "scope"),
        .optional_scope = form_get(&f, "optional_scope"),
        .state = form_get(&f, "state"),
        .challenge = form_get(&f, "code_challenge"),
        .method = form_get(&f, "code_challenge_method"),
    };
    const char *action = form_get(&f, "action");
    const char *user = form_get(&f, "username");
    const char *pass = form_get(&f, "password");

    if (!authz_check(p, &a, resp))
        goto done;
    if (action && strcmp(action, "deny") == 0) {
        const char *kv[] = {
            "error", "access_denied", "error_description", "The user declined to install the app",
            "state", a.state};
        sb_redirect(resp, a.redirect_uri, kv, sizeof(kv) / sizeof(kv[0]));
        goto done;
    }
    if (!user || !pass || strcmp(user, SB_TEST_USER) != 0 || strcmp(pass, SB_TEST_PASSWORD) != 0) {
        consent_page(resp, &a, user, "That email and password combination is incorrect.");
        goto done;
    }
    /* Every optional scope is granted: the test account has them all. */
    snprintf(scope, sizeof(scope), "%s%s%s", a.scope,
             a.optional_scope && a.optional_scope[0] ? " " : "",
             a.optional_scope ? a.optional_scope : "");
    pthread_mutex_lock(&p->mu);
    sb_code_issue(p, a.client_id, a.redirect_uri, a.challenge ? a.challenge : "", scope,
                  sb_now_ms(), code);
    p->counters.codes++;
    pthread_mutex_unlock(&p->mu);
    {
        const char *kv[] = {"code", code, "state", a.state};
        sb_redirect(resp, a.redirect_uri, kv, sizeof(kv) / sizeof(kv[0]));
    }
done:
    form_dispose(&f);
}

/* ---- token ---- */

static void token_reply(struct http_resp *resp, const struct sb_provider *p, const char *access,
                        const char *refresh)
{
    struct buf b;

    buf_init(&b, 4096);
    buf_puts(&b, "{\"token_type\":\"bearer\",\"refresh_token\":");
    buf_put_json_str(&b, refresh);
    buf_puts(&b, ",\"access_token\":");
    buf_put_json_str(&b, access);
    buf_printf(&b, ",\"expires_in\":%d}", p->token_ttl_s);
    sb_json(resp, 200, buf_cstr(&b));
    buf_dispose(&b);
}

static void grant_code(struct http_resp *resp, struct sb_provider *p, const struct form *f)
{
    const char *code = form_get(f, "code");
    const char *uri = form_get(f, "redirect_uri");
    char scope[SB_FIELD_MAX], access[SB_TOKEN_MAX], refresh[SB_TOKEN_MAX];
    enum sb_check c;

    if (!code || !code[0]) {
        token_error(resp, "invalid_grant", "BAD_AUTH_CODE", "missing or unknown auth code");
        return;
    }
    if (!uri || !uri[0]) {
        token_error(resp, "invalid_grant", "BAD_REDIRECT_URI", "missing redirect_uri");
        return;
    }
    pthread_mutex_lock(&p->mu);
    c = sb_code_redeem(p, code, p->client.id, uri, form_get(f, "code_verifier"), sb_now_ms(),
                       scope);
    if (c == SB_OK)
        sb_tokens_issue(p, p->client.id, scope, sb_now_ms(), access, refresh);
    pthread_mutex_unlock(&p->mu);
    switch (c) {
    case SB_OK:
        token_reply(resp, p, access, refresh);
        break;
    case SB_WRONG_REDIRECT:
        token_error(resp, "invalid_grant", "BAD_REDIRECT_URI",
                    "redirect_uri does not match initial redirect_uri");
        break;
    case SB_BAD_VERIFIER:
        token_error(resp, "invalid_grant", "BAD_AUTH_CODE",
                    "code_verifier does not match the code_challenge");
        break;
    default:
        token_error(resp, "invalid_grant", "BAD_AUTH_CODE", "missing or unknown auth code");
    }
}

static void grant_refresh(struct http_resp *resp, struct sb_provider *p, const struct form *f)
{
    const char *refresh = form_get(f, "refresh_token");
    char scope[SB_FIELD_MAX], access[SB_TOKEN_MAX];
    enum sb_check c = SB_UNKNOWN;

    pthread_mutex_lock(&p->mu);
    if (refresh && refresh[0])
        c = sb_refresh(p, refresh, p->client.id, sb_now_ms(), access, NULL, scope);
    pthread_mutex_unlock(&p->mu);
    if (c == SB_OK)
        token_reply(resp, p, access, refresh); /* the same refresh token: no rotation */
    else
        token_error(resp, "invalid_grant", "BAD_REFRESH_TOKEN",
                    "refresh token is invalid, expired or revoked");
}

void hs_token(struct http_req *req, struct http_resp *resp)
{
    struct sb_provider *p = sb_of(req);
    struct form f;
    struct err e;
    const char *grant, *id, *secret;
    bool by_code, by_refresh;

    if (form_parse(&f, req->body, req->body_len, &e) < 0) {
        token_error(resp, "invalid_request", "BAD_REQUEST", e.msg);
        goto done;
    }
    grant = form_get(&f, "grant_type");
    by_code = grant && strcmp(grant, "authorization_code") == 0;
    by_refresh = grant && strcmp(grant, "refresh_token") == 0;
    pthread_mutex_lock(&p->mu);
    p->counters.token_code += by_code;
    p->counters.token_refresh += by_refresh;
    pthread_mutex_unlock(&p->mu);
    id = form_get(&f, "client_id");
    secret = form_get(&f, "client_secret");
    if (!by_code && !by_refresh)
        token_error(resp, "unsupported_grant_type", "BAD_GRANT_TYPE",
                    "grant_type must be authorization_code or refresh_token");
    else if (!id || strcmp(id, p->client.id) != 0)
        token_error(resp, "invalid_client", "BAD_CLIENT_ID", "missing or invalid client_id");
    else if (!secret || strlen(secret) != strlen(p->client.secret) ||
             !hash_equal(secret, p->client.secret, strlen(secret)))
        token_error(resp, "invalid_client", "BAD_CLIENT_SECRET",
                    "missing or invalid client_secret");
    else if (by_code)
        grant_code(resp, p, &f);
    else
        grant_refresh(resp, p, &f);
done:
    form_dispose(&f);
}

/* ---- refresh-token deletion and introspection ---- */

/* The live grant of kind with value, or NULL; p->mu held. */
static struct sb_grant *grant_find(struct sb_provider *p, enum sb_grant_kind kind,
                                   const char *value, int64_t now_ms)
{
    for (size_t i = 0; i < p->grants.n; i++) {
        struct sb_grant *g = &p->grants.g[i];
        if (g->kind == kind && !g->revoked && (g->expires_ms == 0 || g->expires_ms > now_ms) &&
            strcmp(g->value, value) == 0)
            return g;
    }
    return NULL;
}

static void not_found(struct http_resp *resp, const char *what)
{
    struct buf b;

    buf_init(&b, 1024);
    buf_printf(&b, "{\"status\":\"error\",\"message\":\"%s not found\",\"correlationId\":", what);
    buf_put_json_str(&b, "00000000-0000-4000-8000-000000000000");
    buf_puts(&b, ",\"category\":\"OBJECT_NOT_FOUND\"}");
    sb_json(resp, 404, buf_cstr(&b));
    buf_dispose(&b);
}

/* Deleting a refresh token leaves the access tokens issued from it alive
 * (providers.md 2.1), so the slot is marked here rather than through
 * sb_revoke, which takes the family along. */
void hs_refresh_delete(struct http_req *req, struct http_resp *resp)
{
    struct sb_provider *p = sb_of(req);
    struct sb_grant *g;

    pthread_mutex_lock(&p->mu);
    p->counters.revoke++;
    g = grant_find(p, SB_REFRESH, http_req_param(req, "token"), sb_now_ms());
    if (g)
        g->revoked = true;
    pthread_mutex_unlock(&p->mu);
    if (!g) {
        not_found(resp, "refresh token");
        return;
    }
    resp->status = 204;
    buf_reset(&resp->body);
}

static void scopes_put(struct buf *b, const char *scope)
{
    char copy[SB_FIELD_MAX];
    char *save = NULL;
    bool first = true;

    snprintf(copy, sizeof(copy), "%s", scope);
    buf_putc(b, '[');
    for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
        if (!first)
            buf_putc(b, ',');
        first = false;
        buf_put_json_str(b, t);
    }
    buf_putc(b, ']');
}

static void introspect(struct http_req *req, struct http_resp *resp, enum sb_grant_kind kind)
{
    struct sb_provider *p = sb_of(req);
    const char *token = http_req_param(req, "token");
    int64_t now = sb_now_ms();
    struct buf b;
    struct sb_grant *g;

    buf_init(&b, 8192);
    pthread_mutex_lock(&p->mu);
    g = grant_find(p, kind, token, now);
    if (g) {
        buf_puts(&b, "{\"token\":");
        buf_put_json_str(&b, g->value);
        buf_puts(&b, ",\"user\":\"" SB_TEST_USER "\",\"hub_domain\":\"" HS_HUB_DOMAIN
                     "\",\"hub_id\":" HS_HUB_ID_S ",\"app_id\":" HS_APP_ID_S
                     ",\"user_id\":" HS_USER_ID_S ",\"client_id\":");
        buf_put_json_str(&b, g->client_id);
        if (kind == SB_ACCESS)
            buf_printf(&b, ",\"expires_in\":%lld", (long long)((g->expires_ms - now) / 1000));
        buf_puts(&b, ",\"scopes\":");
        scopes_put(&b, g->scope);
        buf_printf(&b, ",\"token_type\":\"%s\"}", kind == SB_ACCESS ? "access" : "refresh");
    }
    pthread_mutex_unlock(&p->mu);
    if (g)
        sb_json(resp, 200, buf_cstr(&b));
    else
        not_found(resp, kind == SB_ACCESS ? "access token" : "refresh token");
    buf_dispose(&b);
}

void hs_access_info(struct http_req *req, struct http_resp *resp)
{
    introspect(req, resp, SB_ACCESS);
}

void hs_refresh_info(struct http_req *req, struct http_resp *resp)
{
    introspect(req, resp, SB_REFRESH);
}
