/* tests/api/test_api_isolation.c - what one tenant can learn about or do to
 * another through the API, and what a secret leaves behind. Every route of
 * api_routes is walked from the table, so a route added later is covered
 * without an edit here: one with a path parameter must answer another
 * tenant's id exactly as it answers an id that never existed; one flagged
 * API_AUTH must refuse every kind of missing, wrong or revoked credential.
 * The secret test stores distinctive values through every way in and then
 * searches every response, the metrics, the whole log and the raw rows for
 * them. Both engines. */
#include <stdio.h>
#include <string.h>

#include "api/api_int.h"
#include "api_test.h"
#include "core/alloc.h"
#include "core/jsonx.h"
#include "core/secret.h"
#include "store/integration.h"
#include "store/platform_key.h"
#include "store/session.h"

/* b's integration in the foreign-id test: its name and secret are what a
 * must never see. */
#define B_NAME   "b-isolation-crm"
#define B_SECRET "sk-live-ISOLATION-0123456789"

/* b's integration belongs to this end user; a route that names an end
 * user gets it, or, for the answer to compare with, the ghost (same
 * length), an end user no integration ever had. */
#define B_END_USER     "b-isolation-end-user"
#define GHOST_END_USER "g-isolation-end-user"

/* A key of the right shape that no tenant has. */
#define BOGUS_KEY "inlet_sk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

/* True when the n bytes at p hold needle. */
static bool contains(const void *p, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; k && i + k <= n; i++)
        if (memcmp((const char *)p + i, needle, k) == 0)
            return true;
    return false;
}

/* The first of needles (NULL-terminated) found in the n bytes at p, or NULL. */
static const char *find_any(const void *p, size_t n, const char *const *needles)
{
    for (size_t i = 0; needles[i]; i++)
        if (contains(p, n, needles[i]))
            return needles[i];
    return NULL;
}

/* Fail when r's headers or body hold any of needles. */
static void expect_no_mention(const struct client_reply *r, const char *const *needles,
                              const char *what)
{
    const char *hit = find_any(r->head.p, r->head.n, needles);
    if (hit)
        fail_msg("%s: the response headers mention \"%s\":\n%s", what, hit, buf_cstr(&r->head));
    if ((hit = find_any(r->body.p, r->body.n, needles)))
        fail_msg("%s: the response body mentions \"%s\":\n%s", what, hit, buf_cstr(&r->body));
}

/* A signed-in UI session: the headers to send it with (cookie and CSRF). */
struct session {
    char token[SESSION_TOKEN_MAX + 1];
    char cookie[SESSION_TOKEN_MAX + 32];
    char csrf[SESSION_CSRF_LEN + 32];
    const char *headers[3];
};

/* Sign in with key through POST /api/session; r (OUT, may be NULL) keeps
 * the reply. */
static void sign_in(struct api_test *t, const char *key, struct session *s, struct client_reply *r)
{
    struct client_reply own;
    char body[TENANT_KEY_TEXT_MAX + 32], set[512], csrf[SESSION_CSRF_LEN + 1];

    if (!r)
        r = &own;
    snprintf(body, sizeof(body), "{\"api_key\":\"%s\"}", key);
    api_test_call(t, r, "POST", "/api/session", NULL, body, NULL);
    if (r->status != 201)
        fail_msg("sign in: %ld %s", r->status, buf_cstr(&r->body));
    assert_non_null(client_header(r, "Set-Cookie", set, sizeof(set)));
    assert_true(strncmp(set, "inlet_session=", 14) == 0);
    size_t n = strcspn(set + 14, ";");
    assert_true(n > 0 && n < sizeof(s->token));
    memcpy(s->token, set + 14, n);
    s->token[n] = '\0';
    api_test_str(r, "csrf_token", csrf, sizeof(csrf));
    snprintf(s->cookie, sizeof(s->cookie), "Cookie: inlet_session=%s", s->token);
    snprintf(s->csrf, sizeof(s->csrf), "X-CSRF-Token: %s", csrf);
    s->headers[0] = s->cookie;
    s->headers[1] = s->csrf;
    s->headers[2] = NULL;
    if (r == &own)
        client_reply_dispose(&own);
}

/* The path of pattern with {name} as "testkey" (connectors are a shared
 * catalogue), {end_user_id} as end_user and every other parameter as id.
 * Returns whether there was such another parameter: a route that names a
 * tenant's row. */
static bool route_path_as(char *out, size_t n, const char *pattern, const char *id,
                          const char *end_user)
{
    size_t used = 0;
    bool has_id = false;

    for (const char *p = pattern; *p;) {
        const char *sub = NULL;
        size_t len = 1;
        if (*p == '{') {
            const char *end = strchr(p, '}');
            assert_non_null(end);
            len = (size_t)(end - p) + 1;
            /* The UI's files are public and hold no tenant's data: a file
             * name, not an id, is their parameter. */
            sub = strncmp(p, "{name}", len) == 0          ? "testkey"
                  : strncmp(pattern, "/ui/", 4) == 0      ? "app.js"
                  : strncmp(p, "{end_user_id}", len) == 0 ? end_user
                                                          : id;
            has_id |= sub == id || sub == end_user;
        }
        int k = sub ? snprintf(out + used, n - used, "%s", sub)
                    : snprintf(out + used, n - used, "%c", *p);
        assert_true(k > 0 && (size_t)k < n - used);
        used += (size_t)k;
        p += len;
    }
    return has_id;
}

static bool route_path(char *out, size_t n, const char *pattern, const char *id)
{
    return route_path_as(out, n, pattern, id, B_END_USER);
}

static bool has_body(const char *method)
{
    return strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0 ||
           strcmp(method, "PATCH") == 0;
}

/* A valid request body for route r called by the holder of key, or NULL
 * for a method without one. A new route that takes a body and answers
 * "{}" with anything but what its test expects needs its entry here. */
static const char *route_body(const struct api_route *r, const char *key, char *out, size_t n)
{
    static int serial;

    if (!has_body(r->method))
        return NULL;
    if (strcmp(r->pattern, "/api/session") == 0) {
        snprintf(out, n, "{\"api_key\":\"%s\"}", key);
    } else if (strcmp(r->pattern, "/api/integrations") == 0) {
        snprintf(out, n,
                 "{\"connector\":\"testkey\",\"name\":\"probe-%d\",\"config\":{\"subdomain\":"
                 "\"probe\"},\"secrets\":{\"api_key\":\"sk-probe-0123456789\"}}",
                 ++serial);
    } else if (strcmp(r->pattern, "/api/integrations/{id}") == 0 && strcmp(r->method, "PUT") == 0) {
        snprintf(out, n,
                 "{\"name\":\"hijacked\",\"config\":{\"subdomain\":\"hijacked\"},"
                 "\"secrets\":{\"api_key\":\"sk-hijacked-0123456789\"}}");
    } else if (strcmp(r->pattern, "/api/integrations/{id}") == 0) {
        snprintf(out, n,
                 "{\"name\":\"hijacked\",\"config\":{\"page_size\":7},"
                 "\"secrets\":{\"account_id\":\"hijacked\"},\"status\":\"paused\"}");
    } else if (strcmp(r->pattern, "/api/integrations/{id}/schedule") == 0) {
        snprintf(out, n, "{\"kind\":\"hourly\"}");
    } else {
        snprintf(out, n, "{}");
    }
    return out;
}

/* Fail unless got (another tenant's id) is 404 not_found and, with that id
 * spelled as ghost_id, byte for byte what ghost (an id that never existed)
 * got: the answer must not tell "exists elsewhere" from "does not exist". */
static void expect_hidden(const struct client_reply *got, const char *id,
                          const struct client_reply *ghost, const char *ghost_id, const char *what)
{
    if (got->status != 404)
        fail_msg("%s: another tenant's integration: expected 404 not_found, got %ld%s: %s", what,
                 got->status,
                 got->status == 400 || got->status == 422
                     ? " (a new route needs a valid body in route_body)"
                     : "",
                 buf_cstr(&got->body));
    api_test_expect_error(got, 404, "not_found");
    assert_int_equal(strlen(id), strlen(ghost_id));
    char *s = xstrdup(buf_cstr(&got->body));
    for (char *p = strstr(s, id); p; p = strstr(p, id))
        memcpy(p, ghost_id, strlen(ghost_id));
    if (ghost->status != 404 || strcmp(s, buf_cstr(&ghost->body)) != 0)
        fail_msg("%s: another tenant's id is answered unlike an unknown one:\n%ld %s\n%ld %s", what,
                 got->status, buf_cstr(&got->body), ghost->status, buf_cstr(&ghost->body));
    xfree(s);
}

/* Fail unless got (for another tenant's end user) is byte for byte what
 * ghost (for an end user no integration ever had) got, and that is a 200
 * that deleted nothing: an end user is no row of its own, only the id its
 * integrations carry, so another tenant's is answered as one without
 * integrations (docs/embedding.md). */
static void expect_no_end_user(const struct client_reply *got, const struct client_reply *ghost,
                               const char *what)
{
    if (got->status != 200 || ghost->status != 200 ||
        strcmp(buf_cstr(&got->body), buf_cstr(&ghost->body)) != 0)
        fail_msg("%s: another tenant's end user is answered unlike an unknown one:\n%ld %s\n%ld %s",
                 what, got->status, buf_cstr(&got->body), ghost->status, buf_cstr(&ghost->body));
    if (!strstr(buf_cstr(&got->body), "\"deleted\":0,\"integrations\":[]"))
        fail_msg("%s: deleted another tenant's integrations: %s", what, buf_cstr(&got->body));
}

/* The body of GET path by key (xfree); fails unless 200. */
static char *get_body(struct api_test *t, const char *path, const char *key)
{
    struct client_reply r;
    api_test_call(t, &r, NULL, path, key, NULL, NULL);
    if (r.status != 200)
        fail_msg("GET %s: %ld %s", path, r.status, buf_cstr(&r.body));
    char *s = buf_take(&r.body);
    client_reply_dispose(&r);
    return s ? s : xstrdup("");
}

/* Call and expect status; for the setup steps of a test. */
static void call_expect(struct api_test *t, const char *method, const char *path, const char *key,
                        const char *body, const char *const *headers, long status)
{
    struct client_reply r;
    api_test_call(t, &r, method, path, key, body, headers);
    if (r.status != status)
        fail_msg("%s %s: expected %ld, got %ld: %s", method ? method : "GET", path, status,
                 r.status, buf_cstr(&r.body));
    client_reply_dispose(&r);
}

/* The sealed secrets of tenant's integration id, opened (xfree). */
static char *stored_secrets(struct api_test *t, const char *tenant, const char *id)
{
    struct secret s = {0};
    struct err e;

    assert_db_ok(db_begin_tenant(t->tdb->db, tenant, &e), &e);
    int rc = integration_secrets_open(&s, t->tdb->db, t->vault, tenant, id, &e);
    db_rollback(t->tdb->db);
    assert_db_ok(rc, &e);
    char *out = xmalloc(s.n + 1);
    memcpy(out, s.p, s.n);
    out[s.n] = '\0';
    secret_dispose(&s);
    return out;
}

/* A platform key made straight in the store, for acting on behalf of a. */
static void platform_key_for(struct api_test *t, char *out, size_t n)
{
    struct secret key = {0};
    char id[ID_MAX];
    struct err e;
    assert_db_ok(platform_key_create(id, &key, t->tdb->db, "isolation", 1, &e), &e);
    assert_true(key.n < n);
    memcpy(out, key.p, key.n + 1);
    secret_dispose(&key);
}

/* Tenant a calls every route of the table, by API key, by session and
 * through a platform key acting on its behalf. With b's id in the path it
 * gets exactly the 404 of an id that never existed, for reads and for
 * valid changes; b's integration, secrets and audit log stay as they
 * were. Every other route is answered without a trace of b, and the
 * platform's own routes refuse a's credentials. */
static void test_foreign_id_is_not_found(void **state)
{
    struct api_test *t = *state;
    struct client_reply r, g;
    struct session sa;
    char bid[ID_MAX], ghost[ID_MAX], path[256], gpath[256], body[512], what[320], pkey[128];
    char on_a[64];
    size_t routes_with_id = 0;

    api_test_create(t, t->b.key,
                    "{\"connector\":\"testkey\",\"name\":\"b-draft\",\"config\":{\"subdomain\":"
                    "\"bcorp\"},\"secrets\":{\"api_key\":\"" B_SECRET "\"},"
                    "\"end_user\":{\"id\":\"" B_END_USER "\"},\"tags\":[\"b-isolation-tag\"]}",
                    bid);
    snprintf(path, sizeof(path), "/api/integrations/%s", bid);
    call_expect(t, "PATCH", path, t->b.key,
                "{\"config\":{\"page_size\":25},\"secrets\":{\"account_id\":\"acct-b-42\"}}", NULL,
                200);
    call_expect(t, "PUT", path, t->b.key,
                "{\"name\":\"" B_NAME "\",\"config\":{\"subdomain\":\"bcorp\",\"page_size\":30}}",
                NULL, 200);
    char *before = get_body(t, path, t->b.key);
    char *audit_before = get_body(t, "/api/audit?limit=200", t->b.key);
    char *secrets_before = stored_secrets(t, t->b.id, bid);
    assert_non_null(strstr(secrets_before, B_SECRET));
    assert_non_null(strstr(before, B_NAME));
    assert_non_null(strstr(before, B_END_USER));

    const char *const b_marks[] = {bid,      B_NAME,     B_SECRET,          t->b.id,
                                   t->b.key, B_END_USER, "b-isolation-tag", NULL};
    id_new(ghost, "int");
    sign_in(t, t->a.key, &sa, NULL);
    platform_key_for(t, pkey, sizeof(pkey));
    snprintf(on_a, sizeof(on_a), "Inlet-Tenant: %s", t->a.id);
    /* A connect session of a's, which may connect any connector. */
    char cs_token[128];
    call_expect(t, "PUT", "/api/connect-settings", t->a.key,
                "{\"allowed_origins\":[\"https://app.example.com\"]}", NULL, 200);
    api_test_call(t, &r, "POST", "/api/connect-sessions", t->a.key,
                  "{\"end_user\":{\"id\":\"a-user\"},\"return_url\":\"https://app.example.com/\"}",
                  NULL);
    assert_int_equal(r.status, 201);
    api_test_str(&r, "token", cs_token, sizeof(cs_token));
    client_reply_dispose(&r);
    const char *const platform_hdr[] = {on_a, NULL};

    for (size_t i = 0; i < api_nroutes; i++) {
        const struct api_route *rt = &api_routes[i];
        bool has_id = route_path(path, sizeof(path), rt->pattern, bid);

        if (rt->flags & API_PLATFORM) {
            for (int via = 0; via < 2; via++) {
                snprintf(what, sizeof(what), "a (%s): %s %s", via ? "session" : "API key",
                         rt->method, path);
                api_test_call(t, &r, rt->method, path, via ? NULL : t->a.key,
                              route_body(rt, t->a.key, body, sizeof(body)),
                              via ? sa.headers : NULL);
                if (r.status != 403)
                    fail_msg("%s: a platform route: expected 403, got %ld: %s", what, r.status,
                             buf_cstr(&r.body));
                api_test_expect_error(&r, 403, "platform_key_required");
                client_reply_dispose(&r);
            }
            continue;
        }
        if (!has_id) {
            /* The connect token reads only: a change through it would spend
             * or bind its session for the routes that follow. */
            int vias = strcmp(rt->method, "GET") == 0 ? 3 : 2;
            for (int via = 0; via < vias; via++) {
                static const char *const names[] = {"API key", "platform key", "connect token"};
                snprintf(what, sizeof(what), "a (%s): %s %s", names[via], rt->method, path);
                api_test_call(t, &r, rt->method, path,
                              via == 0   ? t->a.key
                              : via == 1 ? pkey
                                         : cs_token,
                              route_body(rt, t->a.key, body, sizeof(body)),
                              via == 1 ? platform_hdr : NULL);
                expect_no_mention(&r, b_marks, what);
                client_reply_dispose(&r);
            }
            continue;
        }
        routes_with_id++;
        route_path_as(gpath, sizeof(gpath), rt->pattern, ghost, GHOST_END_USER);
        bool del = strcmp(rt->method, "DELETE") == 0;
        bool end_user = strstr(rt->pattern, "{end_user_id}") != NULL;
        for (int via = 0; via < 4; via++) {
            for (int purge = 0; purge <= (int)del; purge++) {
                static const char *const vias[] = {"API key", "session", "platform key",
                                                   "connect token"};
                char p1[300], p2[300];
                snprintf(p1, sizeof(p1), "%s%s", path, purge ? "?purge=true" : "");
                snprintf(p2, sizeof(p2), "%s%s", gpath, purge ? "?purge=true" : "");
                snprintf(what, sizeof(what), "a (%s): %s %s", vias[via], rt->method, p1);
                const char *key = via == 0   ? t->a.key
                                  : via == 2 ? pkey
                                  : via == 3 ? cs_token
                                             : NULL;
                const char *const *hdr = via == 1 ? sa.headers : via == 2 ? platform_hdr : NULL;
                api_test_call(t, &r, rt->method, p1, key,
                              route_body(rt, t->a.key, body, sizeof(body)), hdr);
                api_test_call(t, &g, rt->method, p2, key,
                              route_body(rt, t->a.key, body, sizeof(body)), hdr);
                /* A connect token is refused outright beyond the page's
                 * routes, whatever the id. */
                if (via == 3 && (rt->flags & API_AUTH) &&
                    !(rt->flags & (API_CONNECT | API_CONNECT_ONLY))) {
                    api_test_expect_error(&r, 403, "connect_scope");
                    api_test_expect_error(&g, 403, "connect_scope");
                } else if (end_user) {
                    expect_no_end_user(&r, &g, what);
                } else {
                    expect_hidden(&r, bid, &g, ghost, what);
                }
                expect_no_mention(&r, b_marks + 1, what);
                client_reply_dispose(&r);
                client_reply_dispose(&g);
            }
        }
    }
    assert_true(routes_with_id >= 4); /* GET, PUT, PATCH and DELETE at least */

    /* a's own lists, now that it has made things too. */
    char *list = get_body(t, "/api/integrations?limit=200", t->a.key);
    char *audit = get_body(t, "/api/audit?limit=200", t->a.key);
    assert_non_null(strstr(list, "probe-"));
    assert_null(find_any(list, strlen(list), b_marks));
    assert_null(find_any(audit, strlen(audit), b_marks));

    /* b's integration, secrets and audit log are untouched. */
    snprintf(path, sizeof(path), "/api/integrations/%s", bid);
    char *after = get_body(t, path, t->b.key);
    char *audit_after = get_body(t, "/api/audit?limit=200", t->b.key);
    char *secrets_after = stored_secrets(t, t->b.id, bid);
    assert_string_equal(after, before);
    assert_string_equal(audit_after, audit_before);
    assert_string_equal(secrets_after, secrets_before);

    xfree(list);
    xfree(audit);
    xfree(before);
    xfree(after);
    xfree(audit_before);
    xfree(audit_after);
    xfree(secrets_before);
    xfree(secrets_after);
}

/* Every API_AUTH route refuses, with 401 and a WWW-Authenticate challenge,
 * a request without credentials, with an unknown key, with a malformed
 * Authorization header, with b's key after it was revoked, with a session
 * that key opened before, and with a forged session cookie. */
static void test_auth_routes_refuse_bad_credentials(void **state)
{
    struct api_test *t = *state;
    struct client_reply r;
    struct session sb;
    struct secret fresh = {0};
    struct err e;
    char bid[ID_MAX], revoked[sizeof(t->b.key)], path[256], body[512], what[400], h[128];
    size_t checked = 0;

    api_test_create(
        t, t->b.key,
        "{\"connector\":\"testnone\",\"name\":\"b-open\",\"config\":{\"region\":\"eu\"}}", bid);
    sign_in(t, t->b.key, &sb, NULL);
    memcpy(revoked, t->b.key, sizeof(revoked));
    assert_db_ok(tenant_key_rotate(&fresh, t->tdb->db, t->b.id, &e), &e);
    assert_true(fresh.n < sizeof(t->b.key));
    memcpy(t->b.key, fresh.p, fresh.n);
    t->b.key[fresh.n] = '\0';
    secret_dispose(&fresh);
    call_expect(t, NULL, "/api/integrations", t->b.key, NULL, NULL, 200);

    static const char *const basic[] = {"Authorization: Basic YjpzZWNyZXQ=", NULL};
    static const char *const forged[] = {
        "Cookie: inlet_session=inlet_ss_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "X-CSRF-Token: AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL};
    const struct {
        const char *label, *key;
        const char *const *headers;
        const char *code;
    } creds[] = {
        {"no credentials", NULL, NULL, "unauthorized"},
        {"unknown key", BOGUS_KEY, NULL, "unauthorized"},
        {"empty key", "", NULL, "unauthorized"},
        {"revoked key", revoked, NULL, "unauthorized"},
        {"Basic scheme", NULL, basic, "unauthorized"},
        {"session of a revoked key", NULL, sb.headers, "session_expired"},
        {"forged session", NULL, forged, "session_expired"},
        {"unknown connect token", "inlet_cs_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL,
         "connect_session_expired"},
    };

    for (size_t i = 0; i < api_nroutes; i++) {
        const struct api_route *rt = &api_routes[i];
        if (!(rt->flags & API_AUTH))
            continue;
        checked++;
        route_path(path, sizeof(path), rt->pattern, bid);
        for (size_t c = 0; c < sizeof(creds) / sizeof(creds[0]); c++) {
            snprintf(what, sizeof(what), "%s %s with %s", rt->method, path, creds[c].label);
            api_test_call(t, &r, rt->method, path, creds[c].key,
                          route_body(rt, revoked, body, sizeof(body)), creds[c].headers);
            /* The connect page's own routes take nothing but a connect
             * token: any other credential is simply not one. */
            const char *code =
                rt->flags & API_CONNECT_ONLY && strcmp(creds[c].code, "connect_session_expired")
                    ? "unauthorized"
                    : creds[c].code;
            if (r.status != 401)
                fail_msg("%s: expected 401 %s, got %ld: %s", what, code, r.status,
                         buf_cstr(&r.body));
            api_test_expect_error(&r, 401, code);
            if (!client_header(&r, "WWW-Authenticate", h, sizeof(h)))
                fail_msg("%s: 401 without WWW-Authenticate", what);
            client_reply_dispose(&r);
        }
    }
    assert_true(checked >= 10);

    /* Signing in with either key that is not live fails the same way. */
    snprintf(body, sizeof(body), "{\"api_key\":\"%s\"}", revoked);
    api_test_call(t, &r, "POST", "/api/session", NULL, body, NULL);
    api_test_expect_error(&r, 401, "unauthorized");
    client_reply_dispose(&r);
    api_test_call(t, &r, "POST", "/api/session", NULL, "{\"api_key\":\"" BOGUS_KEY "\"}", NULL);
    api_test_expect_error(&r, 401, "unauthorized");
    client_reply_dispose(&r);

    /* None of the refused changes happened. */
    snprintf(path, sizeof(path), "/api/integrations/%s", bid);
    char *it = get_body(t, path, t->b.key);
    assert_non_null(strstr(it, "\"name\":\"b-open\""));
    assert_null(strstr(it, "hijacked"));
    xfree(it);
    char *list = get_body(t, "/api/integrations?limit=200", t->b.key);
    assert_null(strstr(list, "probe-"));
    xfree(list);
}

/* Whether s is one of the n ids. */
/* A tenant's own credentials never act for another tenant: a's key or
 * session naming b in Inlet-Tenant is refused by every route that takes
 * credentials, before its handler runs, and b sees nothing of it. */
static void test_tenant_cannot_name_another(void **state)
{
    struct api_test *t = *state;
    struct client_reply r;
    struct session sa;
    char bid[ID_MAX], path[256], body[512], what[320], on_b[64];
    size_t checked = 0;

    api_test_create(
        t, t->b.key,
        "{\"connector\":\"testnone\",\"name\":\"b-named\",\"config\":{\"region\":\"eu\"}}", bid);
    char *audit_before = get_body(t, "/api/audit?limit=200", t->b.key);
    sign_in(t, t->a.key, &sa, NULL);
    snprintf(on_b, sizeof(on_b), "Inlet-Tenant: %s", t->b.id);
    const char *const key_hdr[] = {on_b, NULL};
    const char *const session_hdr[] = {sa.headers[0], sa.headers[1], on_b, NULL};

    for (size_t i = 0; i < api_nroutes; i++) {
        const struct api_route *rt = &api_routes[i];
        if (!(rt->flags & API_AUTH) || (rt->flags & (API_PLATFORM | API_CONNECT_ONLY)))
            continue;
        checked++;
        route_path(path, sizeof(path), rt->pattern, bid);
        for (int via = 0; via < 2; via++) {
            snprintf(what, sizeof(what), "a's %s naming b: %s %s", via ? "session" : "key",
                     rt->method, path);
            api_test_call(t, &r, rt->method, path, via ? NULL : t->a.key,
                          route_body(rt, t->a.key, body, sizeof(body)),
                          via ? session_hdr : key_hdr);
            if (r.status != 403)
                fail_msg("%s: expected 403 forbidden, got %ld: %s", what, r.status,
                         buf_cstr(&r.body));
            api_test_expect_error(&r, 403, "forbidden");
            client_reply_dispose(&r);
        }
    }
    assert_true(checked >= 10);
    char *audit_after = get_body(t, "/api/audit?limit=200", t->b.key);
    assert_string_equal(audit_after, audit_before);
    xfree(audit_before);
    xfree(audit_after);
}

static bool among(const char *s, char (*ids)[ID_MAX], size_t n)
{
    for (size_t i = 0; s && i < n; i++)
        if (strcmp(s, ids[i]) == 0)
            return true;
    return false;
}

/* Follow a's pages of path (which ends in a query) from the cursor start
 * (NULL: the beginning) with limit 1; every row and cursor must be one of
 * a's ids. Returns how many rows came. */
static size_t walk_pages(struct api_test *t, const char *path, const char *start,
                         char (*own)[ID_MAX], size_t nown, const char *const *b_marks)
{
    char cursor[ID_MAX] = "", url[400];
    size_t rows = 0;

    if (start)
        snprintf(cursor, sizeof(cursor), "%s", start);
    for (int page = 0; page < 20; page++) {
        snprintf(url, sizeof(url), "%s%s%s", path, *cursor ? "&cursor=" : "", cursor);
        char *s = get_body(t, url, t->a.key);
        const char *hit = find_any(s, strlen(s), b_marks);
        if (hit)
            fail_msg("GET %s by a mentions b's \"%s\": %s", url, hit, s);
        struct json_object *v = NULL;
        struct err e;
        assert_db_ok(jsonx_parse(&v, s, strlen(s), strlen(s) + 1, &e), &e);
        struct json_object *data = jsonx_get(v, "data");
        for (size_t i = 0; i < jsonx_len(data); i++) {
            const char *id = jsonx_str(jsonx_get(jsonx_at(data, i), "id"));
            if (!among(id, own, nown))
                fail_msg("GET %s by a: row %s is not a's: %s", url, id ? id : "(none)", s);
            rows++;
        }
        const char *next = jsonx_str(jsonx_get(v, "next_cursor"));
        if (next && !among(next, own, nown))
            fail_msg("GET %s by a: next_cursor %s is not a's: %s", url, next, s);
        snprintf(cursor, sizeof(cursor), "%s", next ? next : "");
        json_object_put(v);
        xfree(s);
        if (!*cursor)
            return rows;
    }
    fail_msg("GET %s: more than 20 pages", path);
    return rows;
}

/* A cursor is only an id to start after: b's integration ids (and b's
 * audit entry ids) as a's cursor yield a's rows only, and paging from
 * them reaches none of b's. */
static void test_foreign_cursor(void **state)
{
    struct api_test *t = *state;
    char a_ids[2][ID_MAX], b_ids[3][ID_MAX], url[300], key_id[ID_MAX];
    struct client_reply r;

    api_test_create(t, t->a.key, "{\"connector\":\"testnone\",\"name\":\"a-cursor-1\"}", a_ids[0]);
    for (int i = 0; i < 3; i++) {
        char body[128];
        snprintf(body, sizeof(body), "{\"connector\":\"testnone\",\"name\":\"b-cursor-%d\"}", i);
        api_test_create(t, t->b.key, body, b_ids[i]);
    }
    api_test_create(t, t->a.key, "{\"connector\":\"testnone\",\"name\":\"a-cursor-2\"}", a_ids[1]);
    const char *const b_marks[] = {b_ids[0], b_ids[1], b_ids[2], "b-cursor-", t->b.id, NULL};

    /* From the start, a sees exactly its two. */
    assert_int_equal(walk_pages(t, "/api/integrations?limit=1", NULL, a_ids, 2, b_marks), 2);
    for (int i = 0; i < 3; i++) {
        walk_pages(t, "/api/integrations?limit=1", b_ids[i], a_ids, 2, b_marks);
        walk_pages(t, "/api/integrations?limit=200&connector=testnone", b_ids[i], a_ids, 2,
                   b_marks);
        walk_pages(t, "/api/integrations?limit=200&status=active", b_ids[i], a_ids, 2, b_marks);
    }

    /* The audit log: b's newest entry as a's cursor. */
    char *b_audit = get_body(t, "/api/audit?limit=1", t->b.key);
    struct json_object *v = NULL;
    struct err e;
    assert_db_ok(jsonx_parse(&v, b_audit, strlen(b_audit), strlen(b_audit) + 1, &e), &e);
    const char *aud = jsonx_str(jsonx_get(jsonx_at(jsonx_get(v, "data"), 0), "id"));
    assert_non_null(aud);
    api_test_call(t, &r, NULL, "/api/session", t->a.key, NULL, NULL);
    assert_int_equal(r.status, 200);
    api_test_str(&r, "key_id", key_id, sizeof(key_id));
    client_reply_dispose(&r);
    for (int limit = 1; limit <= 200; limit += 199) {
        snprintf(url, sizeof(url), "/api/audit?limit=%d&cursor=%s", limit, aud);
        char *s = get_body(t, url, t->a.key);
        const char *hit = find_any(s, strlen(s), b_marks);
        if (hit)
            fail_msg("GET %s by a mentions b's \"%s\": %s", url, hit, s);
        struct json_object *w = NULL;
        assert_db_ok(jsonx_parse(&w, s, strlen(s), strlen(s) + 1, &e), &e);
        struct json_object *data = jsonx_get(w, "data");
        for (size_t i = 0; i < jsonx_len(data); i++) {
            const char *actor = jsonx_str(jsonx_get(jsonx_at(data, i), "actor"));
            if (!actor || strcmp(actor, key_id) != 0)
                fail_msg("GET %s by a: an entry not by a: %s", url, s);
        }
        json_object_put(w);
        xfree(s);
    }
    json_object_put(v);
    xfree(b_audit);
}

/* Names are unique per tenant: a may take the name of b's integration, and
 * the answer does not betray that b has one. */
static void test_names_are_per_tenant(void **state)
{
    struct api_test *t = *state;
    char aid[ID_MAX], bid[ID_MAX], path[128];
    const char body[] = "{\"connector\":\"testnone\",\"name\":\"shared-name\"}";

    api_test_create(t, t->b.key, body, bid);
    api_test_create(t, t->a.key, body, aid);
    char *a_list = get_body(t, "/api/integrations", t->a.key);
    char *b_list = get_body(t, "/api/integrations", t->b.key);
    assert_non_null(strstr(a_list, aid));
    assert_null(strstr(a_list, bid));
    assert_non_null(strstr(b_list, bid));
    assert_null(strstr(b_list, aid));
    snprintf(path, sizeof(path), "/api/integrations/%s", aid);
    call_expect(t, "DELETE", path, t->a.key, NULL, NULL, 204);
    snprintf(path, sizeof(path), "/api/integrations/%s", bid);
    call_expect(t, NULL, path, t->b.key, NULL, NULL, 200);
    xfree(a_list);
    xfree(b_list);
}

/* Purge reaches integrations deleted earlier, but only the caller's own:
 * a's purge of b's deleted integration is a 404 and leaves it to b. */
static void test_foreign_purge_of_deleted(void **state)
{
    struct api_test *t = *state;
    char bid[ID_MAX], path[128], purge[160];

    api_test_create(t, t->b.key, "{\"connector\":\"testnone\",\"name\":\"b-gone\"}", bid);
    snprintf(path, sizeof(path), "/api/integrations/%s", bid);
    snprintf(purge, sizeof(purge), "%s?purge=true", path);
    call_expect(t, "DELETE", path, t->b.key, NULL, NULL, 204);
    call_expect(t, "DELETE", purge, t->a.key, NULL, NULL, 404);
    call_expect(t, "DELETE", purge, t->b.key, NULL, NULL, 200);
    call_expect(t, "DELETE", purge, t->b.key, NULL, NULL, 404);
}

/* ---- secrets ---- */

#define S_CREATE_KEY  "sk-live-LEAKCREATE-0123456789"
#define S_CREATE_ACCT "acct-LEAKCREATE-7781"
#define S_UI_KEY      "sk-live-LEAKSESSION-0123456789"
#define S_PUT_KEY     "sk-live-LEAKPUT-0123456789"
#define S_PUT_ACCT    "acct-LEAKPUT-7782"
#define S_PATCH_ACCT  "acct-LEAKPATCH-7783"
#define S_PATCH_KEY   "sk-live-LEAKPATCH-0123456789"
#define S_SHORT       "LEAKshrt9" /* under the minLength of 10: refused */
#define S_NONE        "sk-live-LEAKNONE-0123456789"
#define S_BADJSON     "sk-live-LEAKBADJSON-0123456789"
#define S_NOTOBJ      "sk-live-LEAKNOTOBJ-0123456789"
#define S_BOGUS       "inlet_sk_LEAKBOGUSLEAKBOGUSLEAKBOGUSLEAKBOGUSLEAKBOG"

/* What the secret test saw: every response's headers and bodies. */
struct seen {
    struct buf heads, bodies;
};

static void seen_call(struct api_test *t, struct seen *s, const char *method, const char *path,
                      const char *key, const char *body, const char *const *headers, long status)
{
    struct client_reply r;
    api_test_call(t, &r, method, path, key, body, headers);
    if (r.status != status)
        fail_msg("%s %s: expected %ld, got %ld: %s", method ? method : "GET", path, status,
                 r.status, buf_cstr(&r.body));
    buf_put(&s->heads, r.head.p ? r.head.p : "", r.head.n);
    buf_put(&s->bodies, r.body.p ? r.body.p : "", r.body.n);
    buf_putc(&s->bodies, '\n');
    client_reply_dispose(&r);
}

/* Fail when a column of a row of tenant's table holds one of needles; the
 * sealed column (when given) is searched as bytes. Returns the rows seen. */
static int64_t scan_table(struct api_test *t, const char *tenant, const char *table,
                          const char *sealed, const char *const *needles)
{
    struct db_rows *rows = NULL;
    struct err e;
    char sql[256];
    int64_t n = 0;
    int rc;

    snprintf(sql, sizeof(sql), "SELECT * FROM %s WHERE tenant_id = $1", table);
    assert_db_ok(db_begin_tenant(t->tdb->db, tenant, &e), &e);
    assert_db_ok(db_query(&rows, t->tdb->db, sql, DB_ARGS(DB_TEXT(tenant)), &e), &e);
    while ((rc = db_rows_next(rows, &e)) == 1) {
        n++;
        for (int c = 0; c < db_rows_ncols(rows); c++) {
            const char *v = db_rows_text(rows, c);
            const char *hit = v ? find_any(v, strlen(v), needles) : NULL;
            if (hit)
                fail_msg("%s: a row holds \"%s\" in plain text: %s", table, hit, v);
        }
    }
    db_rows_free(rows);
    assert_true(rc == 0);
    if (sealed) {
        snprintf(sql, sizeof(sql), "SELECT %s FROM %s WHERE tenant_id = $1", sealed, table);
        assert_db_ok(db_query(&rows, t->tdb->db, sql, DB_ARGS(DB_TEXT(tenant)), &e), &e);
        while ((rc = db_rows_next(rows, &e)) == 1) {
            size_t len = 0;
            const void *blob = db_rows_blob(rows, 0, &len);
            assert_true(len > 0);
            const char *hit = find_any(blob, len, needles);
            if (hit)
                fail_msg("%s.%s holds \"%s\" in plain text", table, sealed, hit);
        }
        db_rows_free(rows);
        assert_true(rc == 0);
    }
    db_rollback(t->tdb->db);
    return n;
}

/* Fail unless the JSON object text s has exactly the string members given
 * as name, value pairs (NULL-terminated). */
static void expect_members(const char *s, const char *const *pairs)
{
    struct json_object *v = NULL;
    struct err e;
    size_t n = 0;

    assert_db_ok(jsonx_parse(&v, s, strlen(s), strlen(s) + 1, &e), &e);
    for (; pairs[2 * n]; n++) {
        const char *got = jsonx_str(jsonx_get(v, pairs[2 * n]));
        if (!got || strcmp(got, pairs[2 * n + 1]) != 0)
            fail_msg("secrets: expected %s = %s in %s", pairs[2 * n], pairs[2 * n + 1], s);
    }
    if ((size_t)json_object_object_length(v) != n)
        fail_msg("secrets: expected %zu members in %s", n, s);
    json_object_put(v);
}

/* Distinctive secrets go in through create, PUT and PATCH (by key and by
 * session), sign-in and refused requests; they are stored as they should
 * be, and afterwards no response header or body, no metric, no log line
 * and no plain database column holds any of them. */
static void test_secrets_never_leak(void **state)
{
    struct api_test *t = *state;
    struct seen s;
    struct session sa;
    struct client_reply r;
    char i1[ID_MAX], i2[ID_MAX], p1[128], p2[128];

    buf_init(&s.heads, 0);
    buf_init(&s.bodies, 0);
    sign_in(t, t->a.key, &sa, &r);
    buf_put(&s.heads, r.head.p, r.head.n);
    buf_put(&s.bodies, r.body.p, r.body.n);
    client_reply_dispose(&r);

    /* In through every way that takes a secret. */
    api_test_call(t, &r, "POST", "/api/integrations", t->a.key,
                  "{\"connector\":\"testkey\",\"name\":\"leak-one\",\"config\":{\"subdomain\":"
                  "\"leak\"},\"secrets\":{\"api_key\":\"" S_CREATE_KEY
                  "\",\"account_id\":\"" S_CREATE_ACCT "\"}}",
                  NULL);
    assert_int_equal(r.status, 201);
    api_test_str(&r, "id", i1, sizeof(i1));
    buf_put(&s.heads, r.head.p, r.head.n);
    buf_put(&s.bodies, r.body.p, r.body.n);
    client_reply_dispose(&r);
    api_test_call(t, &r, "POST", "/api/integrations", NULL,
                  "{\"connector\":\"testkey\",\"name\":\"leak-two\",\"config\":{\"subdomain\":"
                  "\"leak2\"},\"secrets\":{\"api_key\":\"" S_UI_KEY "\"}}",
                  sa.headers);
    assert_int_equal(r.status, 201);
    api_test_str(&r, "id", i2, sizeof(i2));
    buf_put(&s.heads, r.head.p, r.head.n);
    buf_put(&s.bodies, r.body.p, r.body.n);
    client_reply_dispose(&r);
    snprintf(p1, sizeof(p1), "/api/integrations/%s", i1);
    snprintf(p2, sizeof(p2), "/api/integrations/%s", i2);
    seen_call(t, &s, "PUT", p1, t->a.key,
              "{\"name\":\"leak-one\",\"config\":{\"subdomain\":\"leak\"},\"secrets\":{\"api_key\":"
              "\"" S_PUT_KEY "\",\"account_id\":\"" S_PUT_ACCT "\"}}",
              NULL, 200);
    seen_call(t, &s, "PATCH", p1, NULL, "{\"secrets\":{\"account_id\":\"" S_PATCH_ACCT "\"}}",
              sa.headers, 200);
    seen_call(t, &s, "PATCH", p2, t->a.key, "{\"secrets\":{\"api_key\":\"" S_PATCH_KEY "\"}}", NULL,
              200);

    /* Refused requests carrying a secret answer without repeating it. */
    seen_call(t, &s, "PUT", p1, t->a.key,
              "{\"name\":\"leak-one\",\"config\":{\"subdomain\":\"leak\"},\"secrets\":{\"api_key\":"
              "\"" S_SHORT "\"}}",
              NULL, 422);
    seen_call(t, &s, "PATCH", p1, t->a.key, "{\"secrets\":\"" S_NOTOBJ "\"}", NULL, 422);
    seen_call(t, &s, "POST", "/api/integrations", t->a.key,
              "{\"connector\":\"testnone\",\"name\":\"leak-none\",\"secrets\":{\"token\":\"" S_NONE
              "\"}}",
              NULL, 422);
    seen_call(t, &s, "POST", "/api/integrations", t->a.key,
              "{\"connector\":\"testkey\",\"secrets\":{\"api_key\":\"" S_BADJSON "\"", NULL, 400);
    seen_call(t, &s, "POST", "/api/session", NULL, "{\"api_key\":\"" S_BOGUS "\"}", NULL, 401);
    seen_call(t, &s, NULL, "/api/integrations", S_BOGUS, NULL, NULL, 401);

    /* Everything a client can read back. */
    seen_call(t, &s, NULL, "/api/session", t->a.key, NULL, NULL, 200);
    seen_call(t, &s, NULL, "/api/session", NULL, NULL, sa.headers, 200);
    seen_call(t, &s, NULL, "/api/audit?limit=200", t->a.key, NULL, NULL, 200);
    seen_call(t, &s, NULL, "/api/integrations?limit=200", t->a.key, NULL, NULL, 200);
    seen_call(t, &s, NULL, "/api/integrations?limit=200", NULL, NULL, sa.headers, 200);
    api_test_call(t, &r, NULL, p1, t->a.key, NULL, NULL);
    assert_int_equal(r.status, 200);
    struct json_object *v = api_test_json(&r), *names = jsonx_get(v, "secrets_set");
    assert_int_equal(jsonx_len(names), 2);
    assert_string_equal(jsonx_str(jsonx_at(names, 0)), "api_key");
    assert_string_equal(jsonx_str(jsonx_at(names, 1)), "account_id");
    json_object_put(v);
    buf_put(&s.heads, r.head.p, r.head.n);
    buf_put(&s.bodies, r.body.p, r.body.n);
    client_reply_dispose(&r);
    seen_call(t, &s, NULL, p2, NULL, NULL, sa.headers, 200);
    seen_call(t, &s, NULL, "/metrics", NULL, NULL, NULL, 200);
    assert_non_null(strstr(buf_cstr(&s.bodies), "integration.patch"));

    /* Stored as sent: PUT replaced, PATCH merged. */
    char *sec1 = stored_secrets(t, t->a.id, i1), *sec2 = stored_secrets(t, t->a.id, i2);
    expect_members(sec1,
                   (const char *const[]){"api_key", S_PUT_KEY, "account_id", S_PATCH_ACCT, NULL});
    expect_members(sec2, (const char *const[]){"api_key", S_PATCH_KEY, NULL});
    xfree(sec1);
    xfree(sec2);

    const char *const secrets[] = {
        S_CREATE_KEY, S_CREATE_ACCT, S_UI_KEY,  S_PUT_KEY, S_PUT_ACCT, S_PATCH_ACCT, S_PATCH_KEY,
        S_SHORT,      S_NONE,        S_BADJSON, S_NOTOBJ,  S_BOGUS,    t->a.key,     NULL,
    };
    /* The session token goes back in Set-Cookie, and nowhere else. */
    const char *const tokens[] = {sa.token, NULL};

    /* The raw rows: sealed, hashed or absent. */
    assert_true(scan_table(t, t->a.id, "credentials", "sealed", secrets) == 2);
    assert_true(scan_table(t, t->a.id, "audit_log", NULL, secrets) >= 5);
    scan_table(t, t->a.id, "audit_log", NULL, tokens);
    scan_table(t, t->a.id, "integrations", NULL, secrets);
    scan_table(t, t->a.id, "api_keys", NULL, secrets);
    scan_table(t, t->a.id, "sessions", NULL, secrets);
    scan_table(t, t->a.id, "sessions", NULL, tokens);

    /* Deleting removes the credentials row. */
    seen_call(t, &s, "DELETE", p2, t->a.key, NULL, NULL, 204);
    assert_true(scan_table(t, t->a.id, "credentials", "sealed", secrets) == 1);

    const char *hit;
    if ((hit = find_any(s.heads.p, s.heads.n, secrets)))
        fail_msg("a response header holds \"%s\":\n%s", hit, buf_cstr(&s.heads));
    if ((hit = find_any(s.bodies.p, s.bodies.n, secrets)) ||
        (hit = find_any(s.bodies.p, s.bodies.n, tokens)))
        fail_msg("a response body holds \"%s\":\n%s", hit, buf_cstr(&s.bodies));

    /* Last, every line the server logged. */
    size_t n;
    char *log = api_test_stop(t);
    n = strlen(log);
    assert_non_null(strstr(log, "\"route\":\"/api/integrations/{id}\""));
    if ((hit = find_any(log, n, secrets)) || (hit = find_any(log, n, tokens)))
        fail_msg("the log holds \"%s\":\n%s", hit, log);
    xfree(log);
    buf_dispose(&s.heads);
    buf_dispose(&s.bodies);
}

int test_api_isolation(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, api_test_setup, api_test_teardown)
    const struct CMUnitTest tests[] = {
        T(test_foreign_id_is_not_found),    T(test_auth_routes_refuse_bad_credentials),
        T(test_tenant_cannot_name_another), T(test_foreign_cursor),
        T(test_names_are_per_tenant),       T(test_foreign_purge_of_deleted),
        T(test_secrets_never_leak),
    };
#undef T
    return test_group_db("api_isolation", tests);
}
