/* sandbox/sf_oauth.c - Salesforce's OAuth 2.0 web-server flow as the login
 * host serves it: the consent page (GET and POST authorize), the token
 * endpoint (authorization_code with PKCE S256, refresh_token), revoke,
 * userinfo and the identity URL. Grants live in tokens.c; every call into
 * it, and every counter, is made with p->mu held. Shapes and messages
 * follow shared/providers.md section 1.1; the departures are listed in
 * docs/sandbox.md. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/encode.h"
#include "core/form.h"
#include "core/secret.h"
#include "crypto/hash.h"
#include "sandbox/sandbox_int.h"

/* The emulated org and its test user, as 15-character ids (the access
 * token's prefix in tokens.c is the same org id). */
#define SF_ORG_ID15  "00DSB0000000001"
#define SF_USER_ID15 "005SB0000000001"

/* Scopes granted when authorize names none: the sandbox connected app's
 * selected scopes. A real app grants whatever it was configured with; this
 * one is configured with what a sync connector needs. */
#define SF_DEFAULT_SCOPE "refresh_token api id"

#define PAGE_MAX 65536 /* bytes of a consent page */

/* The parameters of an authorize request, from the query (GET) or from
 * the page's hidden fields (POST); borrowed. */
struct authz {
    const char *response_type, *client_id, *redirect_uri, *scope, *state;
    const char *challenge, *method, *prompt, *login_hint;
};

/* ---- replies ---- */

static void oauth_error(struct http_resp *resp, const char *error, const char *desc)
{
    struct buf b;

    buf_init(&b, 1024);
    buf_puts(&b, "{\"error\":");
    buf_put_json_str(&b, error);
    buf_puts(&b, ",\"error_description\":");
    buf_put_json_str(&b, desc);
    buf_puts(&b, "}");
    sb_json(resp, 400, buf_cstr(&b));
    buf_dispose(&b);
}

static void session_invalid(struct http_resp *resp)
{
    sb_json(resp, 401,
            "[{\"message\":\"Session expired or invalid\",\"errorCode\":\"INVALID_SESSION_ID\"}]");
}

/* Salesforce shows authorize errors it cannot redirect on a page of its own. */
static void error_page(struct http_resp *resp, const char *error, const char *desc)
{
    struct buf b;

    buf_init(&b, PAGE_MAX);
    buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                 "<title>OAuth error</title></head><body>\n<h1>OAuth Error</h1>\n<p>error=");
    buf_put_html(&b, error);
    buf_puts(&b, "</p>\n<p>error_description=");
    buf_put_html(&b, desc);
    buf_puts(&b, "</p>\n</body></html>\n");
    sb_html(resp, 400, buf_cstr(&b));
    buf_dispose(&b);
}

/* The login + consent page; problem (or NULL) is shown above the form. */
static void consent_page(struct http_resp *resp, const struct authz *a, const char *problem)
{
    struct buf b;

    buf_init(&b, PAGE_MAX);
    buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                 "<title>Login | Salesforce (inlet sandbox)</title></head><body>\n"
                 "<h1>Log in to allow access</h1>\n");
    if (problem) {
        buf_puts(&b, "<p class=\"error\" role=\"alert\">");
        buf_put_html(&b, problem);
        buf_puts(&b, "</p>\n");
    }
    buf_puts(&b, "<form method=\"post\" action=\"/services/oauth2/authorize\">\n"
                 "<label for=\"username\">Username</label>\n"
                 "<input id=\"username\" name=\"username\" type=\"email\" "
                 "autocomplete=\"username\" value=\"");
    buf_put_html(&b, a->login_hint ? a->login_hint : "");
    buf_puts(&b, "\">\n<label for=\"password\">Password</label>\n"
                 "<input id=\"password\" name=\"password\" type=\"password\" "
                 "autocomplete=\"current-password\">\n");
    sb_hidden_input(&b, "response_type", a->response_type);
    sb_hidden_input(&b, "client_id", a->client_id);
    sb_hidden_input(&b, "redirect_uri", a->redirect_uri);
    sb_hidden_input(&b, "scope", a->scope);
    sb_hidden_input(&b, "state", a->state);
    sb_hidden_input(&b, "code_challenge", a->challenge);
    sb_hidden_input(&b, "code_challenge_method", a->method);
    sb_hidden_input(&b, "prompt", a->prompt);
    buf_puts(&b, "<p>Allow <strong>");
    buf_put_html(&b, a->client_id);
    buf_puts(&b, "</strong> to access: ");
    buf_put_html(&b, a->scope && a->scope[0] ? a->scope : SF_DEFAULT_SCOPE);
    buf_puts(&b, "</p>\n<button type=\"submit\" name=\"action\" value=\"allow\">Allow</button>\n"
                 "<button type=\"submit\" name=\"action\" value=\"deny\">Deny</button>\n"
                 "</form>\n<p>Sandbox test user: <code>" SB_TEST_USER
                 "</code>, password <code>" SB_TEST_PASSWORD "</code>.</p>\n</body></html>\n");
    sb_html(resp, 200, buf_cstr(&b));
    buf_dispose(&b);
}

/* ---- authorize ---- */

static bool is_http_url(const char *s)
{
    return strncmp(s, "https://", 8) == 0 || strncmp(s, "http://", 7) == 0;
}

static bool too_long(const char *s)
{
    return s && strlen(s) >= SB_FIELD_MAX;
}

/* RFC 7636 section 4.2: 43 to 128 unreserved characters. */
static bool challenge_ok(const char *s)
{
    size_t n = strlen(s);

    if (n < 43 || n > 128)
        return false;
    return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~") == n;
}

/* Check a request before showing or honouring it. Problems with the client
 * or the redirect URI go on an error page (never a redirect to a URI
 * nobody vouched for); the rest redirect with error=. True when it may go
 * on; otherwise resp is filled. Any http(s) redirect_uri is accepted for
 * the registered client: the sandbox cannot know inlet's callback URL. */
static bool authz_check(const struct sb_provider *p, const struct authz *a, struct http_resp *resp)
{
    const char *err = NULL, *desc = NULL;

    if (!a->client_id || strcmp(a->client_id, p->client.id) != 0) {
        error_page(resp, "invalid_client_id", "client identifier invalid");
        return false;
    }
    if (!a->redirect_uri || !a->redirect_uri[0]) {
        error_page(resp, "invalid_request", "missing required redirect_uri parameter");
        return false;
    }
    if (!is_http_url(a->redirect_uri) || too_long(a->redirect_uri)) {
        error_page(resp, "redirect_uri_mismatch", "redirect_uri must match configuration");
        return false;
    }
    if (!a->response_type || strcmp(a->response_type, "code") != 0) {
        err = "unsupported_response_type";
        desc = "response type not supported";
    } else if (too_long(a->scope)) {
        err = "invalid_scope";
        desc = "the requested scope is too long";
    } else if (a->method && a->method[0] && strcmp(a->method, "S256") != 0) {
        err = "invalid_request";
        desc = "unsupported code_challenge_method: only S256 is";
    } else if (a->challenge && a->challenge[0] && !challenge_ok(a->challenge)) {
        err = "invalid_request";
        desc = "invalid code_challenge";
    } else if (a->method && a->method[0] && !(a->challenge && a->challenge[0])) {
        err = "invalid_request";
        desc = "code_challenge_method without code_challenge";
    }
    if (err) {
        const char *kv[] = {"error", err, "error_description", desc, "state", a->state};
        sb_redirect(resp, a->redirect_uri, kv, sizeof(kv) / sizeof(kv[0]));
        return false;
    }
    return true;
}

void sf_authorize_page(struct http_req *req, struct http_resp *resp)
{
    struct sb_provider *p = sb_of(req);
    struct authz a = {
        .response_type = http_req_query(req, "response_type"),
        .client_id = http_req_query(req, "client_id"),
        .redirect_uri = http_req_query(req, "redirect_uri"),
        .scope = http_req_query(req, "scope"),
        .state = http_req_query(req, "state"),
        .challenge = http_req_query(req, "code_challenge"),
        .method = http_req_query(req, "code_challenge_method"),
        .prompt = http_req_query(req, "prompt"),
        .login_hint = http_req_query(req, "login_hint"),
    };

    pthread_mutex_lock(&p->mu);
    p->counters.authorize++;
    pthread_mutex_unlock(&p->mu);
    if (authz_check(p, &a, resp))
        consent_page(resp, &a, NULL);
}

void sf_authorize_submit(struct http_req *req, struct http_resp *resp)
{
    struct sb_provider *p = sb_of(req);
    struct form f;
    struct err e;
    char code[SB_TOKEN_MAX];

    if (form_parse(&f, req->body, req->body_len, &e) < 0) {
        error_page(resp, "invalid_request", e.msg);
        goto done;
    }
    struct authz a = {
        .response_type = form_get(&f, "response_type"),
        .client_id = form_get(&f, "client_id"),
        .redirect_uri = form_get(&f, "redirect_uri"),
        .scope = form_get(&f, "scope"),
        .state = form_get(&f, "state"),
        .challenge = form_get(&f, "code_challenge"),
        .method = form_get(&f, "code_challenge_method"),
        .prompt = form_get(&f, "prompt"),
        .login_hint = form_get(&f, "username"),
    };
    const char *action = form_get(&f, "action");
    const char *user = form_get(&f, "username");
    const char *pass = form_get(&f, "password");

    if (!authz_check(p, &a, resp))
        goto done;
    if (action && strcmp(action, "deny") == 0) {
        const char *kv[] = {
            "error", "access_denied", "error_description", "end-user denied authorization",
            "state", a.state};
        sb_redirect(resp, a.redirect_uri, kv, sizeof(kv) / sizeof(kv[0]));
        goto done;
    }
    if (!user || !pass || strcmp(user, SB_TEST_USER) != 0 || strcmp(pass, SB_TEST_PASSWORD) != 0) {
        consent_page(resp, &a,
                     "Please check your username and password. If you still can't log in, "
                     "contact your Salesforce administrator.");
        goto done;
    }
    pthread_mutex_lock(&p->mu);
    sb_code_issue(p, a.client_id, a.redirect_uri, a.challenge ? a.challenge : "",
                  a.scope && a.scope[0] ? a.scope : SF_DEFAULT_SCOPE, sb_now_ms(), code);
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

/* Copy src into dst when it fits; leave dst empty otherwise. */
static void field_copy(char dst[SB_FIELD_MAX], const char *src)
{
    size_t n = src ? strlen(src) : 0;

    dst[0] = '\0';
    if (n < SB_FIELD_MAX)
        memcpy(dst, src ? src : "", n + 1);
}

/* The client's credentials: HTTP Basic (RFC 6749 section 2.3.1) when the
 * request has it, else client_id and client_secret in the body. Copies go
 * into id and secret (empty when absent). */
static void client_credentials(const struct http_req *req, const struct form *f,
                               char id[SB_FIELD_MAX], char secret[SB_FIELD_MAX])
{
    const char *auth = http_req_header(req, "Authorization");

    id[0] = secret[0] = '\0';
    if (auth && strncasecmp(auth, "Basic ", 6) == 0) {
        char dec[ENCODE_B64_DECODED_MAX(2 * SB_FIELD_MAX) + 1];
        size_t n = strlen(auth + 6), len;
        char *colon;

        if (n <= (size_t)2 * SB_FIELD_MAX &&
            encode_b64_parse(dec, &len, auth + 6, n, NULL, NULL) == 0) {
            dec[len] = '\0';
            colon = strchr(dec, ':');
            if (colon && (size_t)(colon - dec) < SB_FIELD_MAX && strlen(colon + 1) < SB_FIELD_MAX) {
                *colon = '\0';
                field_copy(id, dec);
                field_copy(secret, colon + 1);
            }
            secret_wipe(dec, sizeof(dec));
        }
        return;
    }
    field_copy(id, form_get(f, "client_id"));
    field_copy(secret, form_get(f, "client_secret"));
}

static void ids18(char org[SFDATA_ID_LEN + 1], char user[SFDATA_ID_LEN + 1])
{
    sfdata_id_to18(org, SF_ORG_ID15);
    sfdata_id_to18(user, SF_USER_ID15);
}

static void identity_url(struct buf *b, const struct sb_provider *p)
{
    char org[SFDATA_ID_LEN + 1], user[SFDATA_ID_LEN + 1];

    ids18(org, user);
    buf_printf(b, "%s/id/%s/%s", p->origin, org, user);
}

/* Salesforce's token response. No expires_in: Salesforce sends none, and a
 * client learns of expiry from a 401. signature is base64(HMAC-SHA256(client
 * secret, id + issued_at)). */
static void token_reply(struct http_resp *resp, const struct sb_provider *p, const char *access,
                        const char *refresh, const char *scope)
{
    struct buf id, msg, b;
    char issued[24];
    unsigned char mac[HASH_SHA256_LEN];
    char sig[ENCODE_B64_LEN(HASH_SHA256_LEN) + 1];

    buf_init(&id, 1024);
    identity_url(&id, p);
    snprintf(issued, sizeof(issued), "%lld", (long long)sb_now_ms());
    buf_init(&msg, 2048);
    buf_puts(&msg, buf_cstr(&id));
    buf_puts(&msg, issued);
    hash_hmac_sha256(mac, p->client.secret, strlen(p->client.secret), msg.p, msg.n);
    encode_b64_format(sig, mac, sizeof(mac));

    buf_init(&b, 8192);
    buf_puts(&b, "{\"access_token\":");
    buf_put_json_str(&b, access);
    if (refresh && refresh[0]) {
        buf_puts(&b, ",\"refresh_token\":");
        buf_put_json_str(&b, refresh);
    }
    buf_puts(&b, ",\"signature\":");
    buf_put_json_str(&b, sig);
    buf_puts(&b, ",\"scope\":");
    buf_put_json_str(&b, scope);
    buf_puts(&b, ",\"instance_url\":");
    buf_put_json_str(&b, p->origin);
    buf_puts(&b, ",\"id\":");
    buf_put_json_str(&b, buf_cstr(&id));
    buf_puts(&b, ",\"token_type\":\"Bearer\",\"issued_at\":");
    buf_put_json_str(&b, issued);
    buf_puts(&b, "}");
    sb_json(resp, 200, buf_cstr(&b));
    buf_dispose(&b);
    buf_dispose(&msg);
    buf_dispose(&id);
}

/* refresh_token and offline_access both allow a refresh token. */
static bool scope_has_refresh(const char *scope)
{
    char copy[SB_FIELD_MAX];
    char *save = NULL;

    snprintf(copy, sizeof(copy), "%s", scope);
    for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save))
        if (strcmp(t, "refresh_token") == 0 || strcmp(t, "offline_access") == 0)
            return true;
    return false;
}

static void grant_code(struct http_resp *resp, struct sb_provider *p, const struct form *f,
                       const char *client_id)
{
    const char *code = form_get(f, "code");
    const char *uri = form_get(f, "redirect_uri");
    char scope[SB_FIELD_MAX], access[SB_TOKEN_MAX], refresh[SB_TOKEN_MAX];
    enum sb_check c;

    if (!code || !code[0]) {
        oauth_error(resp, "invalid_request", "missing required code parameter");
        return;
    }
    if (!uri || !uri[0]) {
        oauth_error(resp, "invalid_request", "missing required redirect_uri parameter");
        return;
    }
    refresh[0] = '\0';
    pthread_mutex_lock(&p->mu);
    c = sb_code_redeem(p, code, client_id, uri, form_get(f, "code_verifier"), sb_now_ms(), scope);
    if (c == SB_OK)
        sb_tokens_issue(p, client_id, scope, sb_now_ms(), access,
                        scope_has_refresh(scope) ? refresh : NULL);
    pthread_mutex_unlock(&p->mu);
    switch (c) {
    case SB_OK:
        token_reply(resp, p, access, refresh, scope);
        break;
    case SB_EXPIRED:
        oauth_error(resp, "invalid_grant", "expired authorization code");
        break;
    case SB_WRONG_REDIRECT:
        oauth_error(resp, "redirect_uri_mismatch", "redirect_uri must match configuration");
        break;
    case SB_BAD_VERIFIER:
        oauth_error(resp, "invalid_grant", "invalid code verifier");
        break;
    default:
        oauth_error(resp, "invalid_grant", "authentication failure");
    }
}

static void grant_refresh(struct http_resp *resp, struct sb_provider *p, const struct form *f,
                          const char *client_id)
{
    const char *refresh = form_get(f, "refresh_token");
    char scope[SB_FIELD_MAX], access[SB_TOKEN_MAX], next[SB_TOKEN_MAX];
    enum sb_check c;

    if (!refresh || !refresh[0]) {
        oauth_error(resp, "invalid_request", "missing required refresh_token parameter");
        return;
    }
    pthread_mutex_lock(&p->mu);
    c = sb_refresh(p, refresh, client_id, sb_now_ms(), access, next, scope);
    pthread_mutex_unlock(&p->mu);
    if (c == SB_OK)
        token_reply(resp, p, access, next, scope);
    else
        oauth_error(resp, "invalid_grant", "expired access/refresh token");
}

void sf_token(struct http_req *req, struct http_resp *resp)
{
    struct sb_provider *p = sb_of(req);
    struct form f;
    struct err e;
    char id[SB_FIELD_MAX], secret[SB_FIELD_MAX];
    const char *grant;
    bool by_code, by_refresh;

    if (form_parse(&f, req->body, req->body_len, &e) < 0) {
        oauth_error(resp, "invalid_request", e.msg);
        goto done;
    }
    grant = form_get(&f, "grant_type");
    by_code = grant && strcmp(grant, "authorization_code") == 0;
    by_refresh = grant && strcmp(grant, "refresh_token") == 0;
    pthread_mutex_lock(&p->mu);
    p->counters.token_code += by_code;
    p->counters.token_refresh += by_refresh;
    pthread_mutex_unlock(&p->mu);
    if (!by_code && !by_refresh) {
        oauth_error(resp, "unsupported_grant_type", "grant type not supported");
        goto done;
    }
    client_credentials(req, &f, id, secret);
    if (strcmp(id, p->client.id) != 0) {
        oauth_error(resp, "invalid_client_id", "client identifier invalid");
    } else if (strlen(secret) != strlen(p->client.secret) ||
               !hash_equal(secret, p->client.secret, strlen(secret))) {
        oauth_error(resp, "invalid_client", "invalid client credentials");
    } else if (by_code) {
        grant_code(resp, p, &f, id);
    } else {
        grant_refresh(resp, p, &f, id);
    }
    secret_wipe(secret, sizeof(secret));
done:
    form_dispose(&f);
}

/* ---- revoke ---- */

void sf_revoke(struct http_req *req, struct http_resp *resp)
{
    struct sb_provider *p = sb_of(req);
    struct form f = {0};
    struct err e;
    const char *token;
    bool known = false;

    if (strcmp(req->method, "GET") == 0) {
        token = http_req_query(req, "token");
    } else if (form_parse(&f, req->body, req->body_len, &e) < 0) {
        oauth_error(resp, "invalid_request", e.msg);
        goto done;
    } else {
        token = form_get(&f, "token");
    }
    pthread_mutex_lock(&p->mu);
    p->counters.revoke++;
    if (token && token[0])
        known = sb_revoke(p, token);
    pthread_mutex_unlock(&p->mu);
    if (!token || !token[0])
        oauth_error(resp, "unsupported_token_type", "this token type is not supported");
    else if (!known)
        oauth_error(resp, "invalid_token", "invalid token");
    else
        sb_json(resp, 200, "");
done:
    form_dispose(&f);
}

/* ---- userinfo and identity ---- */

/* True when the request carries a live access token; else answers 401. */
static bool bearer_ok(struct http_req *req, struct http_resp *resp)
{
    struct sb_provider *p = sb_of(req);
    const char *auth = http_req_header(req, "Authorization");
    enum sb_check c = SB_UNKNOWN;

    if (auth && strncasecmp(auth, "Bearer ", 7) == 0) {
        pthread_mutex_lock(&p->mu);
        c = sb_access_check(p, auth + 7, sb_now_ms());
        pthread_mutex_unlock(&p->mu);
    }
    if (c != SB_OK)
        session_invalid(resp);
    return c == SB_OK;
}

static void put_urls(struct buf *b, const struct sb_provider *p, const char *org, const char *user)
{
    buf_printf(b,
               "\"urls\":{\"enterprise\":\"%1$s/services/Soap/c/{version}/%2$s\","
               "\"partner\":\"%1$s/services/Soap/u/{version}/%2$s\","
               "\"rest\":\"%1$s/services/data/v{version}/\","
               "\"sobjects\":\"%1$s/services/data/v{version}/sobjects/\","
               "\"search\":\"%1$s/services/data/v{version}/search/\","
               "\"query\":\"%1$s/services/data/v{version}/query/\","
               "\"profile\":\"%1$s/%3$s\"}",
               p->origin, org, user);
}

void sf_userinfo(struct http_req *req, struct http_resp *resp)
{
    struct sb_provider *p = sb_of(req);
    char org[SFDATA_ID_LEN + 1], user[SFDATA_ID_LEN + 1];
    struct buf b;

    if (!bearer_ok(req, resp))
        return;
    ids18(org, user);
    buf_init(&b, 8192);
    buf_puts(&b, "{\"sub\":\"");
    identity_url(&b, p);
    buf_printf(&b,
               "\",\"user_id\":\"%s\",\"organization_id\":\"%s\","
               "\"preferred_username\":\"" SB_TEST_USER "\",\"nickname\":\"user\","
               "\"name\":\"Sandbox User\",\"email\":\"" SB_TEST_USER "\","
               "\"email_verified\":true,\"given_name\":\"Sandbox\",\"family_name\":\"User\","
               "\"zoneinfo\":\"GMT\",\"locale\":\"en_US\",\"language\":\"en_US\","
               "\"user_type\":\"STANDARD\",\"active\":true,",
               user, org);
    put_urls(&b, p, org, user);
    buf_puts(&b, "}");
    sb_json(resp, 200, buf_cstr(&b));
    buf_dispose(&b);
}

/* The identity URL; {org} and {user} take the 18- or 15-character ids. */
void sf_identity(struct http_req *req, struct http_resp *resp)
{
    struct sb_provider *p = sb_of(req);
    char org[SFDATA_ID_LEN + 1], user[SFDATA_ID_LEN + 1];
    const char *o = http_req_param(req, "org"), *u = http_req_param(req, "user");
    struct buf b;

    if (!bearer_ok(req, resp))
        return;
    ids18(org, user);
    if ((strcmp(o, org) != 0 && strcmp(o, SF_ORG_ID15) != 0) ||
        (strcmp(u, user) != 0 && strcmp(u, SF_USER_ID15) != 0)) {
        sb_json(resp, 404, "[{\"message\":\"Bad_Id\",\"errorCode\":\"NOT_FOUND\"}]");
        return;
    }
    buf_init(&b, 8192);
    buf_puts(&b, "{\"id\":\"");
    identity_url(&b, p);
    buf_printf(&b,
               "\",\"asserted_user\":true,\"user_id\":\"%s\",\"organization_id\":\"%s\","
               "\"username\":\"" SB_TEST_USER "\",\"nick_name\":\"user\","
               "\"display_name\":\"Sandbox User\",\"email\":\"" SB_TEST_USER "\","
               "\"email_verified\":true,\"first_name\":\"Sandbox\",\"last_name\":\"User\","
               "\"timezone\":\"GMT\",\"active\":true,\"user_type\":\"STANDARD\","
               "\"language\":\"en_US\",\"locale\":\"en_US\",\"utcOffset\":0,",
               user, org);
    put_urls(&b, p, org, user);
    buf_puts(&b, "}");
    sb_json(resp, 200, buf_cstr(&b));
    buf_dispose(&b);
}
