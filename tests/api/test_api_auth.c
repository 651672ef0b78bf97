/* tests/api/test_api_auth.c - who may call the API: Bearer API keys (missing,
 * wrong scheme, unknown, malformed, revoked), the web UI's session cookie
 * (sign in, CSRF on mutations, sign out, death with its key, garbage
 * values), the audit actor each leaves, and the rate limits by address and
 * by key. Both engines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api_test.h"
#include "core/alloc.h"
#include "core/jsonx.h"
#include "core/time.h"

#define CSRF_LEN     43 /* base64url characters of a CSRF token */
#define COOKIE_ATTRS "; Path=/; Max-Age=43200; HttpOnly; SameSite=Strict"
#define CREATE_BODY  "{\"connector\":\"testnone\",\"name\":\"x\"}"

/* A browser signed in through POST /api/session. */
struct ui {
    char cookie[160];        /* the inlet_session value */
    char csrf[CSRF_LEN + 8]; /* csrf_token of the sign-in answer */
    char key_id[ID_MAX];     /* key_id of the sign-in answer */
};

/* ---- helpers ---- */

static void session_body(char *out, size_t n, const char *key)
{
    snprintf(out, n, "{\"api_key\":\"%s\"}", key);
}

/* One request as a browser sends it: the session cookie with value cookie
 * (NULL: no cookie) and X-CSRF-Token csrf (NULL: none), no Bearer key. */
static void call_ui(struct api_test *t, struct client_reply *r, const char *method,
                    const char *path, const char *cookie, const char *csrf, const char *body)
{
    char ch[700], xh[128];
    const char *h[3] = {NULL};
    size_t n = 0;

    if (cookie) {
        snprintf(ch, sizeof(ch), "Cookie: inlet_session=%s", cookie);
        h[n++] = ch;
    }
    if (csrf) {
        snprintf(xh, sizeof(xh), "X-CSRF-Token: %s", csrf);
        h[n++] = xh;
    }
    api_test_call(t, r, method, path, NULL, body, h);
}

/* One request with one extra raw header line and no Bearer key. */
static void call_with(struct api_test *t, struct client_reply *r, const char *method,
                      const char *path, const char *header, const char *body)
{
    const char *h[] = {header, NULL};
    api_test_call(t, r, method, path, NULL, body, h);
}

/* The value of "inlet_session=VALUE; ..." into out. */
static void cookie_value(const char *set_cookie, char *out, size_t n)
{
    static const char name[] = "inlet_session=";
    if (strncmp(set_cookie, name, sizeof(name) - 1) != 0)
        fail_msg("Set-Cookie is not inlet_session: %s", set_cookie);
    const char *v = set_cookie + sizeof(name) - 1;
    size_t len = strcspn(v, ";");
    assert_true(len < n);
    memcpy(out, v, len);
    out[len] = '\0';
}

/* Sign in with key; fails the test unless 201 with a cookie. */
static void sign_in(struct api_test *t, const char *key, struct ui *u)
{
    struct client_reply r;
    char body[256], setc[256];

    memset(u, 0, sizeof(*u));
    session_body(body, sizeof(body), key);
    api_test_call(t, &r, "POST", "/api/session", NULL, body, NULL);
    if (r.status != 201)
        fail_msg("sign in: %ld %s", r.status, buf_cstr(&r.body));
    if (!client_header(&r, "Set-Cookie", setc, sizeof(setc)))
        fail_msg("sign in: no Set-Cookie");
    cookie_value(setc, u->cookie, sizeof(u->cookie));
    api_test_str(&r, "csrf_token", u->csrf, sizeof(u->csrf));
    api_test_str(&r, "key_id", u->key_id, sizeof(u->key_id));
    client_reply_dispose(&r);
}

/* The key id behind Bearer key, from GET /api/session. */
static void key_id_of(struct api_test *t, const char *key, char out[ID_MAX])
{
    struct client_reply r;
    api_test_call(t, &r, NULL, "/api/session", key, NULL, NULL);
    assert_int_equal(r.status, 200);
    api_test_str(&r, "key_id", out, ID_MAX);
    client_reply_dispose(&r);
}

/* How many integrations GET /api/integrations lists for key. */
static size_t integrations_count(struct api_test *t, const char *key)
{
    struct client_reply r;
    api_test_call(t, &r, NULL, "/api/integrations", key, NULL, NULL);
    assert_int_equal(r.status, 200);
    struct json_object *v = api_test_json(&r);
    struct json_object *data = jsonx_get(v, "data");
    assert_non_null(data);
    size_t n = jsonx_len(data);
    json_object_put(v);
    client_reply_dispose(&r);
    return n;
}

/* The actor of the newest audit entry with action (and target_id unless
 * NULL), read with Bearer key; fails the test when there is none. */
static const char *audit_actor(struct api_test *t, const char *key, const char *action,
                               const char *target_id, char *out, size_t n)
{
    struct client_reply r;
    const char *found = NULL;

    api_test_call(t, &r, NULL, "/api/audit?limit=200", key, NULL, NULL);
    assert_int_equal(r.status, 200);
    struct json_object *v = api_test_json(&r), *data = jsonx_get(v, "data");
    for (size_t i = 0; i < jsonx_len(data) && !found; i++) {
        struct json_object *en = jsonx_at(data, i);
        const char *a = jsonx_str(jsonx_get(en, "action"));
        const char *id = jsonx_str(jsonx_get(en, "target_id"));
        if (!a || strcmp(a, action) != 0 || (target_id && (!id || strcmp(id, target_id) != 0)))
            continue;
        const char *actor = jsonx_str(jsonx_get(en, "actor"));
        assert_non_null(actor);
        snprintf(out, n, "%s", actor);
        found = out;
    }
    if (!found)
        fail_msg("no audit entry %s for %s: %s", action, target_id ? target_id : "-",
                 buf_cstr(&r.body));
    json_object_put(v);
    client_reply_dispose(&r);
    return found;
}

/* Revoke tenant a's keys; newkey (OUT) gets the one that replaces them. */
static void rotate_key(struct api_test *t, char newkey[TENANT_KEY_TEXT_MAX + 1])
{
    struct secret k = {0};
    struct err e;

    assert_db_ok(tenant_key_rotate(&k, t->tdb->db, t->a.id, &e), &e);
    assert_true(k.n <= TENANT_KEY_TEXT_MAX);
    memcpy(newkey, k.p, k.n);
    newkey[k.n] = '\0';
    secret_dispose(&k);
}

/* Fail unless r is a 401 with code that says how to authenticate
 * (WWW-Authenticate) and does not repeat secret (NULL: nothing to check). */
static void expect_unauthorized(const struct client_reply *r, const char *code, const char *secret)
{
    char h[128];

    api_test_expect_error(r, 401, code);
    if (!client_header(r, "WWW-Authenticate", h, sizeof(h)))
        fail_msg("401 without WWW-Authenticate: %s", buf_cstr(&r->body));
    assert_true(strncmp(h, "Bearer", 6) == 0);
    if (secret && *secret && strstr(buf_cstr(&r->body), secret))
        fail_msg("the answer repeats the credential: %s", buf_cstr(&r->body));
    /* A dead session's cookie is cleared, so the browser stops sending it. */
    if (strcmp(code, "session_expired") == 0) {
        char c[256];
        if (!client_header(r, "Set-Cookie", c, sizeof(c)) ||
            strncmp(c, "inlet_session=;", 15) != 0 || !strstr(c, "Max-Age=0"))
            fail_msg("session_expired without clearing the cookie");
    }
}

/* The Retry-After of r as a whole number of seconds; fails unless it is one. */
static int retry_after(const struct client_reply *r)
{
    char v[32];

    if (!client_header(r, "Retry-After", v, sizeof(v)))
        fail_msg("%ld without Retry-After", r->status);
    if (!v[0] || strspn(v, "0123456789") != strlen(v) || strlen(v) > 6)
        fail_msg("Retry-After is not a whole number of seconds: \"%s\"", v);
    return (int)strtol(v, NULL, 10);
}

/* ---- Bearer keys ---- */

static void test_no_credentials_is_401_with_www_authenticate(void **state)
{
    struct api_test *t = *state;
    struct client_reply r;
    static const char *const paths[] = {"/api/integrations", "/api/session", "/api/connectors",
                                        "/api/audit"};

    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        api_test_call(t, &r, NULL, paths[i], NULL, NULL, NULL);
        expect_unauthorized(&r, "unauthorized", NULL);
        client_reply_dispose(&r);
    }
    api_test_call(t, &r, "POST", "/api/integrations", NULL, CREATE_BODY, NULL);
    expect_unauthorized(&r, "unauthorized", NULL);
    client_reply_dispose(&r);
    assert_int_equal(integrations_count(t, t->a.key), 0);
}

static void test_only_the_bearer_scheme_is_accepted(void **state)
{
    struct api_test *t = *state;
    struct client_reply r;
    char h[256];

    call_with(t, &r, NULL, "/api/integrations", "Authorization: Basic dXNlcjpwYXNz", NULL);
    expect_unauthorized(&r, "unauthorized", "dXNlcjpwYXNz");
    client_reply_dispose(&r);
    /* The key itself under another scheme is refused too, and not echoed. */
    snprintf(h, sizeof(h), "Authorization: Token %s", t->a.key);
    call_with(t, &r, NULL, "/api/integrations", h, NULL);
    expect_unauthorized(&r, "unauthorized", t->a.key);
    client_reply_dispose(&r);
    call_with(t, &r, NULL, "/api/integrations", "Authorization: Bearer", NULL);
    expect_unauthorized(&r, "unauthorized", NULL);
    client_reply_dispose(&r);
    /* The scheme name is case-insensitive (RFC 9110). */
    snprintf(h, sizeof(h), "Authorization: bearer %s", t->a.key);
    call_with(t, &r, NULL, "/api/integrations", h, NULL);
    assert_int_equal(r.status, 200);
    client_reply_dispose(&r);
}

static void test_unknown_and_malformed_keys_are_401_and_never_echoed(void **state)
{
    struct api_test *t = *state;
    struct client_reply r;
    char flipped[TENANT_KEY_TEXT_MAX + 1], unknown[TENANT_KEY_TEXT_MAX + 1], longkey[300];

    snprintf(flipped, sizeof(flipped), "%s", t->a.key);
    size_t n = strlen(flipped), mid = strlen(TENANT_KEY_PREFIX) + 10;
    flipped[mid] = flipped[mid] == 'A' ? 'B' : 'A';
    snprintf(unknown, sizeof(unknown), "%s", t->a.key);
    memset(unknown + strlen(TENANT_KEY_PREFIX), 'Q', n - strlen(TENANT_KEY_PREFIX));
    memset(longkey, 'k', sizeof(longkey) - 1);
    memcpy(longkey, TENANT_KEY_PREFIX, strlen(TENANT_KEY_PREFIX));
    longkey[sizeof(longkey) - 1] = '\0';
    const char *const bad[] = {
        flipped,                       /* one character off a real key */
        unknown,                       /* well-formed, never issued */
        "inlet_sk_short",              /* too short */
        "not-an-inlet-key-at-all",     /* wrong prefix */
        longkey,                       /* longer than any key */
        "inlet_sk_<script>x</script>", /* characters no key has */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        api_test_call(t, &r, NULL, "/api/integrations", bad[i], NULL, NULL);
        expect_unauthorized(&r, "unauthorized", bad[i]);
        client_reply_dispose(&r);
    }
    /* Neither the answers nor the log ever hold the key text. */
    char *log = api_test_stop(t);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (strstr(log, bad[i]))
            fail_msg("the log holds key text \"%s\"", bad[i]);
    xfree(log);
}

static void test_revoked_key_is_401(void **state)
{
    struct api_test *t = *state;
    struct client_reply r;
    char newkey[TENANT_KEY_TEXT_MAX + 1];

    api_test_call(t, &r, NULL, "/api/integrations", t->a.key, NULL, NULL);
    assert_int_equal(r.status, 200);
    client_reply_dispose(&r);
    rotate_key(t, newkey);
    api_test_call(t, &r, NULL, "/api/integrations", t->a.key, NULL, NULL);
    expect_unauthorized(&r, "unauthorized", t->a.key);
    client_reply_dispose(&r);
    api_test_call(t, &r, NULL, "/api/integrations", newkey, NULL, NULL);
    assert_int_equal(r.status, 200);
    client_reply_dispose(&r);
    /* Tenant b's key is untouched. */
    api_test_call(t, &r, NULL, "/api/integrations", t->b.key, NULL, NULL);
    assert_int_equal(r.status, 200);
    client_reply_dispose(&r);
}

/* ---- signing in ---- */

static void test_sign_in_rejects_bad_bodies(void **state)
{
    struct api_test *t = *state;
    struct client_reply r;
    char body[256], h[256];

    /* No body, hence no Content-Type. */
    api_test_call(t, &r, "POST", "/api/session", NULL, NULL, NULL);
    api_test_expect_error(&r, 415, "unsupported_media_type");
    assert_null(client_header(&r, "Set-Cookie", h, sizeof(h)));
    client_reply_dispose(&r);

    session_body(body, sizeof(body), t->a.key);
    struct client_call c = {.method = "POST",
                            .path = "/api/session",
                            .body = body,
                            .body_len = strlen(body),
                            .headers = {"Content-Type: text/plain"}};
    client_call(&r, t->base, &c);
    api_test_expect_error(&r, 415, "unsupported_media_type");
    assert_null(client_header(&r, "Set-Cookie", h, sizeof(h)));
    client_reply_dispose(&r);

    snprintf(body, sizeof(body), "{\"api_key\":\"%s\",\"remember_me\":true}", t->a.key);
    api_test_call(t, &r, "POST", "/api/session", NULL, body, NULL);
    api_test_expect_error(&r, 400, "unknown_field");
    assert_non_null(strstr(buf_cstr(&r.body), "/remember_me"));
    assert_null(client_header(&r, "Set-Cookie", h, sizeof(h)));
    client_reply_dispose(&r);

    api_test_call(t, &r, "POST", "/api/session", NULL, "{}", NULL);
    api_test_expect_error(&r, 422, "validation_failed");
    assert_non_null(strstr(buf_cstr(&r.body), "\"pointer\":\"/api_key\""));
    client_reply_dispose(&r);

    static const char *const not_strings[] = {"{\"api_key\":42}", "{\"api_key\":null}",
                                              "{\"api_key\":[\"inlet_sk_x\"]}",
                                              "{\"api_key\":{\"key\":\"inlet_sk_x\"}}"};
    for (size_t i = 0; i < sizeof(not_strings) / sizeof(not_strings[0]); i++) {
        api_test_call(t, &r, "POST", "/api/session", NULL, not_strings[i], NULL);
        api_test_expect_error(&r, 422, "validation_failed");
        assert_non_null(strstr(buf_cstr(&r.body), "\"pointer\":\"/api_key\""));
        assert_null(client_header(&r, "Set-Cookie", h, sizeof(h)));
        client_reply_dispose(&r);
    }

    session_body(body, sizeof(body), "inlet_sk_wrongwrongwrong");
    api_test_call(t, &r, "POST", "/api/session", NULL, body, NULL);
    expect_unauthorized(&r, "unauthorized", "inlet_sk_wrongwrongwrong");
    assert_null(client_header(&r, "Set-Cookie", h, sizeof(h)));
    client_reply_dispose(&r);
}

static void test_sign_in_sets_cookie_and_returns_csrf_token(void **state)
{
    struct api_test *t = *state;
    struct client_reply r;
    char body[256], setc[256], want[256], v[160], tid[ID_MAX], kid[ID_MAX], csrf[64], exp[64];
    struct err e;
    int64_t exp_ms;

    session_body(body, sizeof(body), t->a.key);
    int64_t before = time_now_ms() / 1000;
    api_test_call(t, &r, "POST", "/api/session", NULL, body, NULL);
    int64_t after = time_now_ms() / 1000;
    assert_int_equal(r.status, 201);

    assert_non_null(client_header(&r, "Set-Cookie", setc, sizeof(setc)));
    cookie_value(setc, v, sizeof(v));
    assert_true(strlen(v) >= 32);
    snprintf(want, sizeof(want), "inlet_session=%s" COOKIE_ATTRS, v);
    assert_string_equal(setc, want); /* exact: no Secure over http */

    assert_string_equal(api_test_str(&r, "tenant_id", tid, sizeof(tid)), t->a.id);
    assert_true(*api_test_str(&r, "key_id", kid, sizeof(kid)) != '\0');
    api_test_str(&r, "csrf_token", csrf, sizeof(csrf));
    assert_int_equal(strlen(csrf), CSRF_LEN);
    assert_int_equal(
        strspn(csrf, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), CSRF_LEN);
    api_test_str(&r, "expires_at", exp, sizeof(exp));
    assert_db_ok(time_parse_rfc3339(&exp_ms, exp, strlen(exp), &e), &e);
    assert_in_range(exp_ms / 1000, before + 43200, after + 43200);

    /* HttpOnly means nothing if the body carries the token, or the key. */
    assert_null(strstr(buf_cstr(&r.body), v));
    assert_null(strstr(buf_cstr(&r.body), t->a.key));
    client_reply_dispose(&r);

    /* The same key id as the Bearer key reports. */
    char bearer_kid[ID_MAX];
    key_id_of(t, t->a.key, bearer_kid);
    assert_string_equal(kid, bearer_kid);
}

static void test_each_sign_in_is_a_new_session(void **state)
{
    struct api_test *t = *state;
    struct ui u1, u2;

    sign_in(t, t->a.key, &u1);
    sign_in(t, t->a.key, &u2);
    assert_string_not_equal(u1.cookie, u2.cookie);
    assert_string_not_equal(u1.csrf, u2.csrf);
    assert_string_equal(u1.key_id, u2.key_id);
}

/* ---- using the cookie ---- */

static void test_session_get_with_cookie_returns_the_csrf_token(void **state)
{
    struct api_test *t = *state;
    struct client_reply r;
    struct ui u;

    sign_in(t, t->a.key, &u);
    call_ui(t, &r, NULL, "/api/session", u.cookie, NULL, NULL);
    assert_int_equal(r.status, 200);
    struct json_object *v = api_test_json(&r);
    assert_string_equal(jsonx_str(jsonx_get(v, "via")), "session");
    assert_string_equal(jsonx_str(jsonx_get(v, "csrf_token")), u.csrf);
    assert_string_equal(jsonx_str(jsonx_get(v, "tenant_id")), t->a.id);
    assert_string_equal(jsonx_str(jsonx_get(v, "key_id")), u.key_id);
    json_object_put(v);
    client_reply_dispose(&r);
}

static void test_cookie_reads_need_no_csrf_token(void **state)
{
    struct api_test *t = *state;
    struct client_reply r;
    struct ui u;

    sign_in(t, t->a.key, &u);
    call_ui(t, &r, NULL, "/api/integrations", u.cookie, NULL, NULL);
    assert_int_equal(r.status, 200);
    client_reply_dispose(&r);
    call_ui(t, &r, NULL, "/api/connectors", u.cookie, NULL, NULL);
    assert_int_equal(r.status, 200);
    client_reply_dispose(&r);
}

static void test_cookie_mutation_needs_the_right_csrf_token(void **state)
{
    struct api_test *t = *state;
    struct client_reply r;
    struct ui u, other;
    char wrong[CSRF_LEN + 8], shortened[CSRF_LEN + 8];

    sign_in(t, t->a.key, &u);
    sign_in(t, t->a.key, &other);
    snprintf(wrong, sizeof(wrong), "%s", u.csrf);
    wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
    snprintf(shortened, sizeof(shortened), "%.*s", CSRF_LEN - 1, u.csrf); /* one short */

    call_ui(t, &r, "POST", "/api/integrations", u.cookie, NULL, CREATE_BODY);
    api_test_expect_error(&r, 403, "csrf_failed");
    client_reply_dispose(&r);
    assert_int_equal(integrations_count(t, t->a.key), 0);

    /* Wrong: one character off, one short, empty, another session's. */
    const char *const bad[] = {wrong, shortened, "", other.csrf};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        call_ui(t, &r, "POST", "/api/integrations", u.cookie, bad[i], CREATE_BODY);
        api_test_expect_error(&r, 403, "csrf_failed");
        client_reply_dispose(&r);
    }
    assert_int_equal(integrations_count(t, t->a.key), 0);

    call_ui(t, &r, "POST", "/api/integrations", u.cookie, u.csrf, CREATE_BODY);
    assert_int_equal(r.status, 201);
    client_reply_dispose(&r);
    assert_int_equal(integrations_count(t, t->a.key), 1);
}

static void test_audit_actor_is_ui_for_a_session_and_the_key_for_bearer(void **state)
{
    struct api_test *t = *state;
    struct client_reply r;
    struct ui u;
    char via_ui[ID_MAX], via_key[ID_MAX], actor[ID_MAX + 16], want[ID_MAX + 16];

    sign_in(t, t->a.key, &u);
    call_ui(t, &r, "POST", "/api/integrations", u.cookie, u.csrf,
            "{\"connector\":\"testnone\",\"name\":\"from the UI\"}");
    assert_int_equal(r.status, 201);
    api_test_str(&r, "id", via_ui, sizeof(via_ui));
    client_reply_dispose(&r);
    api_test_create(t, t->a.key, "{\"connector\":\"testnone\",\"name\":\"from a script\"}",
                    via_key);

    snprintf(want, sizeof(want), "ui:%s", u.key_id);
    assert_string_equal(
        audit_actor(t, t->a.key, "integration.create", via_ui, actor, sizeof(actor)), want);
    assert_string_equal(
        audit_actor(t, t->a.key, "integration.create", via_key, actor, sizeof(actor)), u.key_id);
}

static void test_bearer_never_needs_csrf_token(void **state)
{
    struct api_test *t = *state;
    struct client_reply r;
    struct ui u;
    char id[ID_MAX], path[64 + ID_MAX], auth[TENANT_KEY_TEXT_MAX + 32], ck[256], kid[ID_MAX],
        actor[ID_MAX + 16];

    api_test_create(t, t->a.key, CREATE_BODY, id);
    snprintf(path, sizeof(path), "/api/integrations/%s", id);
    api_test_call(t, &r, "PATCH", path, t->a.key, "{\"name\":\"renamed\"}", NULL);
    assert_int_equal(r.status, 200);
    client_reply_dispose(&r);
    api_test_call(t, &r, "DELETE", path, t->a.key, NULL, NULL);
    assert_int_equal(r.status, 204);
    client_reply_dispose(&r);

    /* A Bearer key with a session cookie alongside: the key decides, so no
     * CSRF token is asked for and the actor is the key. */
    sign_in(t, t->a.key, &u);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", t->a.key);
    snprintf(ck, sizeof(ck), "Cookie: inlet_session=%s", u.cookie);
    const char *h[] = {auth, ck, NULL};
    api_test_call(t, &r, "POST", "/api/integrations", NULL,
                  "{\"connector\":\"testnone\",\"name\":\"both\"}", h);
    assert_int_equal(r.status, 201);
    api_test_str(&r, "id", id, sizeof(id));
    client_reply_dispose(&r);
    key_id_of(t, t->a.key, kid);
    assert_string_equal(audit_actor(t, t->a.key, "integration.create", id, actor, sizeof(actor)),
                        kid);
}

static void test_session_get_with_bearer_has_no_csrf_token(void **state)
{
    struct api_test *t = *state;
    struct client_reply r;

    api_test_call(t, &r, NULL, "/api/session", t->a.key, NULL, NULL);
    assert_int_equal(r.status, 200);
    struct json_object *v = api_test_json(&r);
    assert_string_equal(jsonx_str(jsonx_get(v, "via")), "api_key");
    assert_true(jsonx_has(v, "csrf_token"));
    assert_null(jsonx_get(v, "csrf_token"));
    assert_string_equal(jsonx_str(jsonx_get(v, "tenant_id")), t->a.id);
    assert_non_null(jsonx_str(jsonx_get(v, "key_id")));
    json_object_put(v);
    client_reply_dispose(&r);
}

static void test_session_delete_with_bearer_is_400_no_session(void **state)
{
    struct api_test *t = *state;
    struct client_reply r;

    api_test_call(t, &r, "DELETE", "/api/session", t->a.key, NULL, NULL);
    api_test_expect_error(&r, 400, "no_session");
    client_reply_dispose(&r);
}

/* ---- ending sessions ---- */

static void test_sign_out_clears_cookie_and_ends_the_session(void **state)
{
    struct api_test *t = *state;
    struct client_reply r;
    struct ui u, kept;
    char setc[256], actor[ID_MAX + 16], want[ID_MAX + 16];

    sign_in(t, t->a.key, &u);
    sign_in(t, t->a.key, &kept);

    /* Signing out is a mutation: it needs the CSRF token too. */
    call_ui(t, &r, "DELETE", "/api/session", u.cookie, NULL, NULL);
    api_test_expect_error(&r, 403, "csrf_failed");
    client_reply_dispose(&r);
    call_ui(t, &r, NULL, "/api/session", u.cookie, NULL, NULL);
    assert_int_equal(r.status, 200);
    client_reply_dispose(&r);

    call_ui(t, &r, "DELETE", "/api/session", u.cookie, u.csrf, NULL);
    assert_int_equal(r.status, 204);
    assert_int_equal(r.body.n, 0);
    assert_non_null(client_header(&r, "Set-Cookie", setc, sizeof(setc)));
    assert_string_equal(setc, "inlet_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
    client_reply_dispose(&r);

    call_ui(t, &r, NULL, "/api/session", u.cookie, NULL, NULL);
    expect_unauthorized(&r, "session_expired", u.cookie);
    client_reply_dispose(&r);
    call_ui(t, &r, "DELETE", "/api/session", u.cookie, u.csrf, NULL);
    expect_unauthorized(&r, "session_expired", u.cookie);
    client_reply_dispose(&r);

    /* Another session of the same key lives on. */
    call_ui(t, &r, NULL, "/api/session", kept.cookie, NULL, NULL);
    assert_int_equal(r.status, 200);
    client_reply_dispose(&r);

    snprintf(want, sizeof(want), "ui:%s", u.key_id);
    assert_string_equal(audit_actor(t, t->a.key, "session.create", u.key_id, actor, sizeof(actor)),
                        want);
    assert_string_equal(audit_actor(t, t->a.key, "session.delete", u.key_id, actor, sizeof(actor)),
                        want);
}

static void test_session_dies_with_its_key(void **state)
{
    struct api_test *t = *state;
    struct client_reply r;
    struct ui u, fresh;
    char newkey[TENANT_KEY_TEXT_MAX + 1], body[256];

    sign_in(t, t->a.key, &u);
    rotate_key(t, newkey);
    call_ui(t, &r, NULL, "/api/session", u.cookie, NULL, NULL);
    expect_unauthorized(&r, "session_expired", u.cookie);
    client_reply_dispose(&r);
    call_ui(t, &r, "POST", "/api/integrations", u.cookie, u.csrf, CREATE_BODY);
    expect_unauthorized(&r, "session_expired", u.cookie);
    client_reply_dispose(&r);
    assert_int_equal(integrations_count(t, newkey), 0);

    /* The old key opens nothing any more; the new one does. */
    session_body(body, sizeof(body), t->a.key);
    api_test_call(t, &r, "POST", "/api/session", NULL, body, NULL);
    expect_unauthorized(&r, "unauthorized", t->a.key);
    client_reply_dispose(&r);
    sign_in(t, newkey, &fresh);
    assert_string_not_equal(fresh.key_id, u.key_id);
    call_ui(t, &r, NULL, "/api/session", fresh.cookie, NULL, NULL);
    assert_int_equal(r.status, 200);
    client_reply_dispose(&r);
}

static void test_expired_session_is_401(void **state)
{
    struct api_test *t = *state;
    struct client_reply r;
    struct ui u;
    int64_t changes = 0;
    struct err e;

    sign_in(t, t->a.key, &u);
    /* Twelve hours on: move the session's end into the past. */
    assert_db_ok(db_exec(t->tdb->db, "UPDATE sessions SET expires_at = $1 WHERE api_key_id = $2",
                         DB_ARGS(DB_INT(time_now_ms() / 1000 - 1), DB_TEXT(u.key_id)), &changes,
                         &e),
                 &e);
    assert_int_equal(changes, 1);
    call_ui(t, &r, NULL, "/api/session", u.cookie, NULL, NULL);
    expect_unauthorized(&r, "session_expired", u.cookie);
    client_reply_dispose(&r);
    call_ui(t, &r, "POST", "/api/integrations", u.cookie, u.csrf, CREATE_BODY);
    expect_unauthorized(&r, "session_expired", u.cookie);
    client_reply_dispose(&r);
    /* The key it came from still works. */
    assert_int_equal(integrations_count(t, t->a.key), 0);
}

static void test_log_never_holds_keys_or_session_tokens(void **state)
{
    struct api_test *t = *state;
    struct client_reply r;
    struct ui u;

    sign_in(t, t->a.key, &u);
    call_ui(t, &r, "POST", "/api/integrations", u.cookie, u.csrf, CREATE_BODY);
    assert_int_equal(r.status, 201);
    client_reply_dispose(&r);
    call_ui(t, &r, "POST", "/api/integrations", u.cookie, NULL, CREATE_BODY);
    assert_int_equal(r.status, 403);
    client_reply_dispose(&r);
    call_ui(t, &r, "DELETE", "/api/session", u.cookie, u.csrf, NULL);
    assert_int_equal(r.status, 204);
    client_reply_dispose(&r);
    call_ui(t, &r, NULL, "/api/session", u.cookie, NULL, NULL);
    assert_int_equal(r.status, 401);
    client_reply_dispose(&r);
    api_test_call(t, &r, NULL, "/api/session", t->b.key, NULL, NULL);
    assert_int_equal(r.status, 200);
    client_reply_dispose(&r);

    char *log = api_test_stop(t);
    const char *const secrets[] = {t->a.key, t->b.key, u.cookie, u.csrf};
    for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++)
        if (strstr(log, secrets[i]))
            fail_msg("the log holds \"%s\"", secrets[i]);
    /* It did log the requests: the check above looked at something. */
    assert_non_null(strstr(log, "/api/session"));
    xfree(log);
}

/* ---- garbage cookies ---- */

static void test_garbage_cookies_are_401_never_500(void **state)
{
    struct api_test *t = *state;
    struct client_reply r;
    struct ui u;
    char toolong[501], wrongprefix[160], offbyone[160], longer[170];

    sign_in(t, t->a.key, &u);
    memset(toolong, 'a', sizeof(toolong) - 1);
    toolong[sizeof(toolong) - 1] = '\0';
    /* The real token's random part behind another prefix (store/session.h:
     * a token is "inlet_ss_" and 43 base64url characters). */
    assert_int_equal(strncmp(u.cookie, "inlet_ss_", 9), 0);
    snprintf(wrongprefix, sizeof(wrongprefix), "inlet_sk_%.43s", u.cookie + 9);
    snprintf(offbyone, sizeof(offbyone), "%s", u.cookie);
    offbyone[20] = offbyone[20] == 'A' ? 'B' : 'A';
    snprintf(longer, sizeof(longer), "%sA", u.cookie);

    const char *const bad[] = {
        "",          toolong,      wrongprefix, offbyone, longer,
        "inlet_ss_", "\"quoted\"", "%00",       t->a.key, /* an API key is not a session */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        call_ui(t, &r, NULL, "/api/session", bad[i], NULL, NULL);
        if (r.status != 401)
            fail_msg("cookie \"%s\": %ld %s", bad[i], r.status, buf_cstr(&r.body));
        expect_unauthorized(&r, "session_expired", bad[i]);
        client_reply_dispose(&r);
        /* On a mutation too: authentication comes before the CSRF check. */
        call_ui(t, &r, "POST", "/api/integrations", bad[i], u.csrf, CREATE_BODY);
        expect_unauthorized(&r, "session_expired", bad[i]);
        client_reply_dispose(&r);
    }
    assert_int_equal(integrations_count(t, t->a.key), 0);
    /* A session cookie of the wrong name is no session. */
    char h[256];
    snprintf(h, sizeof(h), "Cookie: session=%s", u.cookie);
    call_with(t, &r, NULL, "/api/session", h, NULL);
    expect_unauthorized(&r, "unauthorized", u.cookie);
    client_reply_dispose(&r);
}

static void test_session_cookie_found_among_others(void **state)
{
    struct api_test *t = *state;
    struct client_reply r;
    struct ui u;
    char h[300];

    sign_in(t, t->a.key, &u);
    snprintf(h, sizeof(h), "Cookie: theme=dark; inlet_session=%s; lang=en", u.cookie);
    call_with(t, &r, NULL, "/api/session", h, NULL);
    assert_int_equal(r.status, 200);
    client_reply_dispose(&r);
}

/* ---- rate limits (api_test_setup_limited: 1 request/s, bursts of 3) ---- */

static void test_key_over_its_burst_is_429_with_retry_after(void **state)
{
    struct api_test *t = *state;
    struct client_reply r;

    for (int i = 0; i < 3; i++) {
        api_test_call(t, &r, NULL, "/api/integrations", t->a.key, NULL, NULL);
        assert_int_equal(r.status, 200);
        client_reply_dispose(&r);
    }
    api_test_call(t, &r, NULL, "/api/integrations", t->a.key, NULL, NULL);
    api_test_expect_error(&r, 429, "rate_limited");
    int secs = retry_after(&r);
    assert_true(secs >= 1);
    client_reply_dispose(&r);

    /* Retry-After is honest: after waiting that long, the key is served. */
    sleep((unsigned)secs);
    api_test_call(t, &r, NULL, "/api/integrations", t->a.key, NULL, NULL);
    assert_int_equal(r.status, 200);
    client_reply_dispose(&r);
}

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return size * n;
}

/* GET path with Bearer key from source address ip (another loopback
 * address, so another client to the server). Returns the status, or -1
 * when this host cannot bind ip. */
static long get_from(struct api_test *t, const char *ip, const char *path, const char *key)
{
    char url[256], auth[TENANT_KEY_TEXT_MAX + 32];
    struct curl_slist *hl = NULL;
    long status = 0;
    CURL *h = curl_easy_init();

    assert_non_null(h);
    snprintf(url, sizeof(url), "%s%s", t->base, path);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", key);
    hl = curl_slist_append(hl, auth);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_INTERFACE, ip);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    CURLcode rc = curl_easy_perform(h);
    if (rc == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    else if (rc == CURLE_INTERFACE_FAILED || rc == CURLE_COULDNT_CONNECT)
        status = -1;
    else
        fail_msg("GET %s from %s: %s", path, ip, curl_easy_strerror(rc));
    curl_easy_cleanup(h);
    curl_slist_free_all(hl);
    return status;
}

static void test_key_limit_holds_across_addresses(void **state)
{
    struct api_test *t = *state;

    if (get_from(t, "127.0.0.2", "/healthz", t->a.key) < 0)
        skip(); /* no loopback addresses beyond 127.0.0.1 here */
    for (int i = 0; i < 3; i++)
        assert_int_equal(get_from(t, "127.0.0.3", "/api/integrations", t->a.key), 200);
    /* A fresh address, but the key's bucket is empty. */
    assert_int_equal(get_from(t, "127.0.0.4", "/api/integrations", t->a.key), 429);
    /* Another key from yet another address is served. */
    assert_int_equal(get_from(t, "127.0.0.5", "/api/integrations", t->b.key), 200);
}

static void test_unauthenticated_requests_count_against_the_address(void **state)
{
    struct api_test *t = *state;
    struct client_reply r;

    for (int i = 0; i < 3; i++) {
        api_test_call(t, &r, NULL, "/api/integrations", NULL, NULL, NULL);
        expect_unauthorized(&r, "unauthorized", NULL);
        client_reply_dispose(&r);
    }
    api_test_call(t, &r, NULL, "/api/integrations", NULL, NULL, NULL);
    api_test_expect_error(&r, 429, "rate_limited");
    assert_true(retry_after(&r) >= 1);
    client_reply_dispose(&r);
    /* The address is spent: a good key from it waits too. */
    api_test_call(t, &r, NULL, "/api/integrations", t->a.key, NULL, NULL);
    api_test_expect_error(&r, 429, "rate_limited");
    client_reply_dispose(&r);
}

static void test_sign_in_is_limited_by_address(void **state)
{
    struct api_test *t = *state;
    struct client_reply r;
    char body[256], h[256];

    /* Guessing keys: three tries, then the address waits, right key or not. */
    session_body(body, sizeof(body), "inlet_sk_guessguessguess");
    for (int i = 0; i < 3; i++) {
        api_test_call(t, &r, "POST", "/api/session", NULL, body, NULL);
        expect_unauthorized(&r, "unauthorized", NULL);
        client_reply_dispose(&r);
    }
    api_test_call(t, &r, "POST", "/api/session", NULL, body, NULL);
    api_test_expect_error(&r, 429, "rate_limited");
    assert_true(retry_after(&r) >= 1);
    client_reply_dispose(&r);
    session_body(body, sizeof(body), t->a.key);
    api_test_call(t, &r, "POST", "/api/session", NULL, body, NULL);
    api_test_expect_error(&r, 429, "rate_limited");
    assert_null(client_header(&r, "Set-Cookie", h, sizeof(h)));
    client_reply_dispose(&r);
}

static void test_healthz_is_never_limited(void **state)
{
    struct api_test *t = *state;
    struct client_reply r;

    for (int i = 0; i < 10; i++) {
        api_test_call(t, &r, NULL, "/healthz", NULL, NULL, NULL);
        assert_int_equal(r.status, 200);
        client_reply_dispose(&r);
    }
    /* Not even once the address is spent on the API. */
    for (int i = 0; i < 4; i++) {
        api_test_call(t, &r, NULL, "/api/integrations", NULL, NULL, NULL);
        client_reply_dispose(&r);
    }
    api_test_call(t, &r, NULL, "/healthz", NULL, NULL, NULL);
    assert_int_equal(r.status, 200);
    client_reply_dispose(&r);
}

int test_api_auth(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, api_test_setup, api_test_teardown)
#define L(f) cmocka_unit_test_setup_teardown(f, api_test_setup_limited, api_test_teardown)
    const struct CMUnitTest tests[] = {
        T(test_no_credentials_is_401_with_www_authenticate),
        T(test_only_the_bearer_scheme_is_accepted),
        T(test_unknown_and_malformed_keys_are_401_and_never_echoed),
        T(test_revoked_key_is_401),
        T(test_sign_in_rejects_bad_bodies),
        T(test_sign_in_sets_cookie_and_returns_csrf_token),
        T(test_each_sign_in_is_a_new_session),
        T(test_session_get_with_cookie_returns_the_csrf_token),
        T(test_cookie_reads_need_no_csrf_token),
        T(test_cookie_mutation_needs_the_right_csrf_token),
        T(test_audit_actor_is_ui_for_a_session_and_the_key_for_bearer),
        T(test_bearer_never_needs_csrf_token),
        T(test_session_get_with_bearer_has_no_csrf_token),
        T(test_session_delete_with_bearer_is_400_no_session),
        T(test_sign_out_clears_cookie_and_ends_the_session),
        T(test_session_dies_with_its_key),
        T(test_expired_session_is_401),
        T(test_log_never_holds_keys_or_session_tokens),
        T(test_garbage_cookies_are_401_never_500),
        T(test_session_cookie_found_among_others),
        L(test_key_over_its_burst_is_429_with_retry_after),
        L(test_key_limit_holds_across_addresses),
        L(test_unauthenticated_requests_count_against_the_address),
        L(test_sign_in_is_limited_by_address),
        L(test_healthz_is_never_limited),
    };
#undef L
#undef T
    return test_group_db("api_auth", tests);
}
