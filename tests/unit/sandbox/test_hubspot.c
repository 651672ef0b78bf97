/* tests/unit/sandbox/test_hubspot.c - the HubSpot emulator over real HTTP:
 * the OAuth install flow with PKCE, the token endpoint's answers and error
 * shapes, refresh without rotation, refresh-token deletion, and the CRM v3
 * API (list paging, properties, search, create/update/read, 401s, the
 * rate-limit headers, /_sandbox/mutate), per shared/providers.md 2.1-2.3. */
#include <json-c/json_object.h>
#include <json-c/json_tokener.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "core/form.h"
#include "sandbox/sb_test.h"
#include "test.h"

#define CLIENT_ID     "sandbox-hubspot-client"
#define CLIENT_SECRET "sandbox-hubspot-secret"
#define REDIRECT_FMT  "http%%3A%%2F%%2Flocalhost%%3A9%%2Fcb" /* in a format */
#define REDIRECT_ENC  "http%3A%2F%2Flocalhost%3A9%2Fcb"
#define SCOPE         "crm.objects.contacts.read%20oauth"
#define SCOPE_FMT     "crm.objects.contacts.read%%20oauth" /* in a format */
/* RFC 7636 appendix B. */
#define VERIFIER  "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
#define CHALLENGE "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"

struct tok {
    char access[128], refresh[128];
};

static void call(struct client_reply *r, const struct sb_test *t, const char *method,
                 const char *path, const char *body, const char *type, const char *bearer)
{
    char auth[256];
    struct client_call c = {
        .method = method,
        .path = path,
        .body = body,
        .body_len = body ? strlen(body) : 0,
    };
    size_t n = 0;

    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", bearer ? bearer : "");
    if (type)
        c.headers[n++] = type;
    if (bearer)
        c.headers[n++] = auth;
    client_call(r, t->base, &c);
}

static void form_post(struct client_reply *r, const struct sb_test *t, const char *path,
                      const char *body)
{
    call(r, t, "POST", path, body, "Content-Type: application/x-www-form-urlencoded", NULL);
}

/* The reply's body as JSON (caller puts it); asserts the status. */
static struct json_object *json_of(struct client_reply *r, long status)
{
    assert_int_equal(r->status, status);
    struct json_object *o = json_tokener_parse(buf_cstr(&r->body));
    assert_non_null(o);
    client_reply_dispose(r);
    return o;
}

static struct json_object *get_json(const struct sb_test *t, const char *path, const char *bearer,
                                    long status)
{
    struct client_reply r;
    call(&r, t, "GET", path, NULL, NULL, bearer);
    return json_of(&r, status);
}

static struct json_object *send_json(const struct sb_test *t, const char *method, const char *path,
                                     const char *body, const char *bearer, long status)
{
    struct client_reply r;
    call(&r, t, method, path, body, "Content-Type: application/json", bearer);
    return json_of(&r, status);
}

static struct json_object *member(struct json_object *o, const char *key)
{
    return json_object_object_get(o, key);
}

static const char *str_of(struct json_object *o, const char *key)
{
    return json_object_get_string(member(o, key));
}

/* Log the test user in (challenge NULL: no PKCE) and return the code. */
static void code_get(const struct sb_test *t, const char *challenge, char code[128])
{
    char body[1024], loc[1024];
    struct client_reply r;
    struct form f;
    struct err e;

    snprintf(body, sizeof(body),
             "client_id=" CLIENT_ID "&redirect_uri=" REDIRECT_FMT "&scope=" SCOPE_FMT
             "&optional_scope=crm.objects.deals.read&state=s1&code_challenge=%s"
             "&code_challenge_method=%s"
             "&username=user%%40sandbox.inlet.test&password=sandbox&action=allow",
             challenge ? challenge : "", challenge ? "S256" : "");
    form_post(&r, t, "/oauth/authorize", body);
    assert_int_equal(r.status, 302);
    assert_non_null(client_header(&r, "Location", loc, sizeof(loc)));
    assert_true(strncmp(loc, "http://localhost:9/cb?code=na1-code-", 36) == 0);
    const char *q = strchr(loc, '?');
    assert_int_equal(form_parse(&f, q + 1, strlen(q + 1), &e), 0);
    assert_string_equal(form_get(&f, "state"), "s1");
    snprintf(code, 128, "%s", form_get(&f, "code"));
    form_dispose(&f);
    client_reply_dispose(&r);
}

static struct json_object *token_call(const struct sb_test *t, const char *path, const char *body,
                                      long status)
{
    struct client_reply r;
    form_post(&r, t, path, body);
    return json_of(&r, status);
}

static struct json_object *redeem(const struct sb_test *t, const char *code, const char *verifier,
                                  long status)
{
    char body[1024];
    snprintf(body, sizeof(body),
             "grant_type=authorization_code&client_id=" CLIENT_ID "&client_secret=" CLIENT_SECRET
             "&redirect_uri=" REDIRECT_FMT "&code=%s%s%s",
             code, verifier ? "&code_verifier=" : "", verifier ? verifier : "");
    return token_call(t, "/oauth/v1/token", body, status);
}

static void assert_token_error(struct json_object *o, const char *error, const char *status)
{
    assert_string_equal(str_of(o, "error"), error);
    assert_string_equal(str_of(o, "status"), status);
    assert_non_null(str_of(o, "error_description"));
    assert_non_null(str_of(o, "message"));
    json_object_put(o);
}

static void tokens_get(const struct sb_test *t, struct tok *k)
{
    char code[128];
    code_get(t, NULL, code);
    struct json_object *o = redeem(t, code, NULL, 200);
    snprintf(k->access, sizeof(k->access), "%s", str_of(o, "access_token"));
    snprintf(k->refresh, sizeof(k->refresh), "%s", str_of(o, "refresh_token"));
    json_object_put(o);
}

static struct json_object *refresh_call(const struct sb_test *t, const char *path,
                                        const char *refresh, long status)
{
    char body[1024];
    snprintf(body, sizeof(body),
             "grant_type=refresh_token&client_id=" CLIENT_ID "&client_secret=" CLIENT_SECRET
             "&refresh_token=%s",
             refresh);
    return token_call(t, path, body, status);
}

static uint64_t counter(const struct sb_test *t, const char *name)
{
    struct json_object *o = get_json(t, "/_sandbox/counters", NULL, 200);
    uint64_t v = (uint64_t)json_object_get_int64(member(o, name));
    json_object_put(o);
    return v;
}

/* ---- OAuth ---- */

static void oauth_flow(void **state)
{
    (void)state;
    struct sb_test t;
    struct client_reply r;
    char code[128], path[512];

    sb_test_start_provider(&t, SANDBOX_HUBSPOT, 3, 1800);
    call(&r, &t, "GET",
         "/oauth/authorize?client_id=" CLIENT_ID "&redirect_uri=" REDIRECT_ENC "&scope=" SCOPE
         "&optional_scope=crm.objects.deals.read&state=%3Cb%3E%22x&code_challenge=" CHALLENGE
         "&code_challenge_method=S256",
         NULL, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(buf_cstr(&r.body), "user@sandbox.inlet.test"));
    assert_non_null(strstr(buf_cstr(&r.body), "value=\"&lt;b&gt;&quot;x\""));
    assert_null(strstr(buf_cstr(&r.body), "<b>\"x"));
    client_reply_dispose(&r);

    code_get(&t, CHALLENGE, code);
    struct json_object *o = redeem(&t, code, VERIFIER, 200);
    assert_string_equal(str_of(o, "token_type"), "bearer");
    assert_int_equal(json_object_get_int(member(o, "expires_in")), 1800);
    assert_true(strncmp(str_of(o, "access_token"), "CNa1", 4) == 0);
    assert_true(strncmp(str_of(o, "refresh_token"), "na1-", 4) == 0);
    struct tok k;
    snprintf(k.access, sizeof(k.access), "%s", str_of(o, "access_token"));
    snprintf(k.refresh, sizeof(k.refresh), "%s", str_of(o, "refresh_token"));
    json_object_put(o);

    snprintf(path, sizeof(path), "/oauth/v1/access-tokens/%s", k.access);
    o = get_json(&t, path, NULL, 200);
    assert_string_equal(str_of(o, "token"), k.access);
    assert_string_equal(str_of(o, "user"), "user@sandbox.inlet.test");
    assert_string_equal(str_of(o, "token_type"), "access");
    assert_non_null(member(o, "hub_id"));
    assert_non_null(member(o, "app_id"));
    assert_true(json_object_get_int(member(o, "expires_in")) > 1700);
    struct json_object *sc = member(o, "scopes");
    assert_int_equal(json_object_array_length(sc), 3);
    assert_string_equal(json_object_get_string(json_object_array_get_idx(sc, 0)),
                        "crm.objects.contacts.read");
    assert_string_equal(json_object_get_string(json_object_array_get_idx(sc, 2)),
                        "crm.objects.deals.read");
    json_object_put(o);

    /* Refresh on all three paths: the same refresh token, a new access token. */
    const char *paths[] = {"/oauth/v1/token", "/oauth/v3/token", "/oauth/2026-03/token"};
    for (size_t i = 0; i < 3; i++) {
        o = refresh_call(&t, paths[i], k.refresh, 200);
        assert_string_equal(str_of(o, "refresh_token"), k.refresh);
        assert_string_not_equal(str_of(o, "access_token"), k.access);
        assert_int_equal(json_object_get_int(member(o, "expires_in")), 1800);
        json_object_put(o);
    }
    assert_int_equal(counter(&t, "authorize"), 1);
    assert_int_equal(counter(&t, "codes"), 1);
    assert_int_equal(counter(&t, "token_code"), 1);
    assert_int_equal(counter(&t, "token_refresh"), 3);
    sb_test_stop(&t);
}

static void oauth_errors(void **state)
{
    (void)state;
    struct sb_test t;
    struct client_reply r;
    char code[128], loc[512];

    sb_test_start_provider(&t, SANDBOX_HUBSPOT, 0, 0);
    /* PKCE mismatch, then the spent code. */
    code_get(&t, CHALLENGE, code);
    assert_token_error(redeem(&t, code, "wrong-verifier-wrong-verifier-wrong-verifier", 400),
                       "invalid_grant", "BAD_AUTH_CODE");
    assert_token_error(redeem(&t, code, VERIFIER, 400), "invalid_grant", "BAD_AUTH_CODE");
    /* A used code is refused the second time. */
    code_get(&t, NULL, code);
    json_object_put(redeem(&t, code, NULL, 200));
    assert_token_error(redeem(&t, code, NULL, 400), "invalid_grant", "BAD_AUTH_CODE");
    assert_token_error(redeem(&t, "na1-code-nope", NULL, 400), "invalid_grant", "BAD_AUTH_CODE");
    /* Another redirect_uri. */
    code_get(&t, NULL, code);
    char body[1024];
    snprintf(body, sizeof(body),
             "grant_type=authorization_code&client_id=" CLIENT_ID "&client_secret=" CLIENT_SECRET
             "&redirect_uri=http%%3A%%2F%%2Fother%%2Fcb&code=%s",
             code);
    assert_token_error(token_call(&t, "/oauth/v3/token", body, 400), "invalid_grant",
                       "BAD_REDIRECT_URI");
    assert_token_error(token_call(&t, "/oauth/v1/token",
                                  "grant_type=refresh_token&client_id=nope&client_secret="
                                  "x&refresh_token=y",
                                  400),
                       "invalid_client", "BAD_CLIENT_ID");
    assert_token_error(token_call(&t, "/oauth/v1/token",
                                  "grant_type=refresh_token&client_id=" CLIENT_ID
                                  "&client_secret=wrong&refresh_token=y",
                                  400),
                       "invalid_client", "BAD_CLIENT_SECRET");
    assert_token_error(refresh_call(&t, "/oauth/v1/token", "na1-unknown", 400), "invalid_grant",
                       "BAD_REFRESH_TOKEN");
    assert_token_error(token_call(&t, "/oauth/v1/token", "grant_type=password", 400),
                       "unsupported_grant_type", "BAD_GRANT_TYPE");
    /* Deny, a wrong password, an unknown client. */
    form_post(&r, &t, "/oauth/authorize",
              "client_id=" CLIENT_ID "&redirect_uri=" REDIRECT_ENC "&scope=oauth&state=z"
              "&action=deny");
    assert_int_equal(r.status, 302);
    assert_non_null(client_header(&r, "Location", loc, sizeof(loc)));
    assert_non_null(strstr(loc, "error=access_denied"));
    assert_non_null(strstr(loc, "state=z"));
    client_reply_dispose(&r);
    form_post(&r, &t, "/oauth/authorize",
              "client_id=" CLIENT_ID "&redirect_uri=" REDIRECT_ENC "&scope=oauth"
              "&username=user%40sandbox.inlet.test&password=no&action=allow");
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(buf_cstr(&r.body), "incorrect"));
    client_reply_dispose(&r);
    call(&r, &t, "GET", "/oauth/authorize?client_id=nope&redirect_uri=" REDIRECT_ENC "&scope=x",
         NULL, NULL, NULL);
    assert_int_equal(r.status, 400);
    client_reply_dispose(&r);
    /* Unknown access token. */
    struct json_object *o = get_json(&t, "/oauth/v1/access-tokens/CNa1nope", NULL, 404);
    assert_string_equal(str_of(o, "status"), "error");
    assert_non_null(str_of(o, "message"));
    json_object_put(o);
    sb_test_stop(&t);
}

static void oauth_revoke(void **state)
{
    (void)state;
    struct sb_test t;
    struct tok k;
    struct client_reply r;
    char path[256];

    sb_test_start_provider(&t, SANDBOX_HUBSPOT, 2, 0);
    tokens_get(&t, &k);
    snprintf(path, sizeof(path), "/oauth/v1/refresh-tokens/%s", k.refresh);
    call(&r, &t, "DELETE", path, NULL, NULL, NULL);
    assert_int_equal(r.status, 204);
    client_reply_dispose(&r);
    assert_token_error(refresh_call(&t, "/oauth/v1/token", k.refresh, 400), "invalid_grant",
                       "BAD_REFRESH_TOKEN");
    /* The access token keeps working until it expires. */
    json_object_put(get_json(&t, "/crm/v3/objects/contacts", k.access, 200));
    call(&r, &t, "DELETE", path, NULL, NULL, NULL);
    assert_int_equal(r.status, 404);
    client_reply_dispose(&r);
    assert_int_equal(counter(&t, "revoke"), 2);
    sb_test_stop(&t);
}

/* ---- data ---- */

/* Page through /crm/v3/objects/type with limit; every id exactly once. */
static size_t list_all(const struct sb_test *t, const char *type, const char *bearer, int limit)
{
    char path[512], after[64] = "";
    size_t seen = 0, cap = 16;
    unsigned long long *ids = xmalloc(cap * sizeof(*ids));

    for (;;) {
        snprintf(path, sizeof(path), "/crm/v3/objects/%s?limit=%d%s%s", type, limit,
                 after[0] ? "&after=" : "", after);
        struct json_object *o = get_json(t, path, bearer, 200);
        struct json_object *res = member(o, "results");
        size_t n = json_object_array_length(res);
        assert_true(n <= (size_t)limit);
        for (size_t i = 0; i < n; i++) {
            struct json_object *rec = json_object_array_get_idx(res, i);
            if (seen == cap)
                ids = xrealloc(ids, (cap *= 2) * sizeof(*ids));
            ids[seen] = strtoull(str_of(rec, "id"), NULL, 10);
            assert_string_equal(str_of(member(rec, "properties"), "hs_object_id"),
                                str_of(rec, "id"));
            assert_false(json_object_get_boolean(member(rec, "archived")));
            for (size_t j = 0; j < seen; j++)
                assert_true(ids[j] != ids[seen]);
            seen++;
        }
        struct json_object *next = member(member(o, "paging"), "next");
        if (!next) {
            json_object_put(o);
            break;
        }
        assert_int_equal(n, limit);
        snprintf(after, sizeof(after), "%s", str_of(next, "after"));
        assert_non_null(strstr(str_of(next, "link"), "/crm/v3/objects/"));
        json_object_put(o);
    }
    xfree(ids);
    return seen;
}

static void list_paging(void **state)
{
    (void)state;
    const size_t ns[] = {0, 1, 99, 100, 101, 1000};

    for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
        struct sb_test t;
        struct tok k;
        sb_test_start_provider(&t, SANDBOX_HUBSPOT, ns[i], 0);
        tokens_get(&t, &k);
        assert_int_equal(list_all(&t, "contacts", k.access, 100), ns[i]);
        if (ns[i] <= 101)
            assert_int_equal(list_all(&t, "tickets", k.access, 7), ns[i]);
        sb_test_stop(&t);
    }
}

static void properties_param(void **state)
{
    (void)state;
    struct sb_test t;
    struct tok k;

    sb_test_start_provider(&t, SANDBOX_HUBSPOT, 5, 0);
    tokens_get(&t, &k);
    struct json_object *o = get_json(&t, "/crm/v3/objects/contacts", k.access, 200);
    struct json_object *p =
        member(json_object_array_get_idx(member(o, "results"), 0), "properties");
    const char *dflt[] = {"createdate",       "email",   "firstname", "hs_object_id",
                          "lastmodifieddate", "lastname"};
    assert_int_equal(json_object_object_length(p), 6);
    for (size_t i = 0; i < 6; i++)
        assert_true(json_object_is_type(member(p, dflt[i]), json_type_string));
    const char *email = str_of(p, "email");
    assert_non_null(strchr(email, '@'));
    json_object_put(o);

    o = get_json(&t, "/crm/v3/objects/contacts?properties=phone,company,associatedcompanyid,nope",
                 k.access, 200);
    p = member(json_object_array_get_idx(member(o, "results"), 0), "properties");
    assert_int_equal(json_object_object_length(p), 6); /* 3 asked + the 3 always sent */
    assert_null(member(p, "firstname"));
    assert_null(member(p, "nope"));
    assert_non_null(str_of(p, "phone"));
    assert_true(strtoull(str_of(p, "associatedcompanyid"), NULL, 10) >= 2000000000ULL);
    json_object_put(o);

    /* Deals: amount and stage as strings; the schema lists the stages. */
    o = get_json(&t, "/crm/v3/objects/deals?limit=1", k.access, 200);
    p = member(json_object_array_get_idx(member(o, "results"), 0), "properties");
    assert_true(json_object_is_type(member(p, "amount"), json_type_string));
    assert_non_null(str_of(p, "dealstage"));
    assert_string_equal(str_of(p, "pipeline"), "default");
    json_object_put(o);
    o = get_json(&t, "/crm/v3/properties/deals", k.access, 200);
    assert_true(json_object_array_length(member(o, "results")) >= 8);
    struct json_object *first = json_object_array_get_idx(member(o, "results"), 0);
    assert_non_null(str_of(first, "fieldType"));
    assert_non_null(str_of(first, "groupName"));
    json_object_put(o);
    o = get_json(&t, "/crm/v3/owners", k.access, 200);
    assert_int_equal(json_object_array_length(member(o, "results")), 5);
    assert_non_null(str_of(json_object_array_get_idx(member(o, "results"), 0), "email"));
    json_object_put(o);
    sb_test_stop(&t);
}

static long long iso_ms(const char *s)
{
    int y, mo, d, h, mi, se, ms;
    assert_int_equal(sscanf(s, "%d-%d-%dT%d:%d:%d.%dZ", &y, &mo, &d, &h, &mi, &se, &ms), 7);
    /* Days from civil (Howard Hinnant). */
    y -= mo <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    long long yoe = y - era * 400;
    long long doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    long long days = era * 146097 + doe - 719468;
    return ((days * 24 + h) * 60 + mi) * 60000LL + se * 1000LL + ms;
}

static void search_gte(void **state)
{
    (void)state;
    struct sb_test t;
    struct tok k;
    const long long since = SB_TEST_NOW_MS - 120LL * 24 * 3600 * 1000;
    size_t want = 0, got = 0;
    char body[1024], after[32] = "";

    sb_test_start_provider(&t, SANDBOX_HUBSPOT, 250, 0);
    tokens_get(&t, &k);
    /* Count by listing everything. */
    for (;;) {
        char path[256];
        snprintf(path, sizeof(path),
                 "/crm/v3/objects/deals?limit=100&properties=hs_lastmodifieddate%s%s",
                 after[0] ? "&after=" : "", after);
        struct json_object *o = get_json(&t, path, k.access, 200);
        struct json_object *res = member(o, "results");
        for (size_t i = 0; i < json_object_array_length(res); i++)
            want += iso_ms(str_of(member(json_object_array_get_idx(res, i), "properties"),
                                  "hs_lastmodifieddate")) >= since;
        struct json_object *next = member(member(o, "paging"), "next");
        after[0] = '\0';
        if (next)
            snprintf(after, sizeof(after), "%s", str_of(next, "after"));
        json_object_put(o);
        if (!after[0])
            break;
    }
    assert_true(want > 0 && want < 250);
    long long last = 0;
    after[0] = '\0';
    for (;;) {
        snprintf(body, sizeof(body),
                 "{\"filterGroups\":[{\"filters\":[{\"propertyName\":\"hs_lastmodifieddate\","
                 "\"operator\":\"GTE\",\"value\":\"%lld\"}]}],\"sorts\":[{\"propertyName\":"
                 "\"hs_lastmodifieddate\",\"direction\":\"ASCENDING\"}],\"properties\":["
                 "\"dealname\"],\"limit\":30%s%s%s}",
                 since, after[0] ? ",\"after\":\"" : "", after, after[0] ? "\"" : "");
        struct json_object *o =
            send_json(&t, "POST", "/crm/v3/objects/deals/search", body, k.access, 200);
        assert_int_equal(json_object_get_int(member(o, "total")), want);
        struct json_object *res = member(o, "results");
        for (size_t i = 0; i < json_object_array_length(res); i++) {
            struct json_object *p = member(json_object_array_get_idx(res, i), "properties");
            long long m = iso_ms(str_of(p, "hs_lastmodifieddate"));
            assert_true(m >= since && m >= last);
            assert_non_null(str_of(p, "dealname"));
            last = m;
            got++;
        }
        struct json_object *next = member(member(o, "paging"), "next");
        after[0] = '\0';
        if (next)
            snprintf(after, sizeof(after), "%s", str_of(next, "after"));
        json_object_put(o);
        if (!after[0])
            break;
    }
    assert_int_equal(got, want);
    /* OR of groups, DESCENDING, a bad operator. */
    struct json_object *o = send_json(
        &t, "POST", "/crm/v3/objects/deals/search",
        "{\"filterGroups\":[{\"filters\":[{\"propertyName\":\"dealstage\",\"operator\":\"EQ\","
        "\"value\":\"closedwon\"}]},{\"filters\":[{\"propertyName\":\"dealstage\",\"operator\":"
        "\"EQ\",\"value\":\"closedlost\"}]}],\"sorts\":[{\"propertyName\":\"amount\","
        "\"direction\":\"DESCENDING\"}],\"properties\":[\"amount\",\"dealstage\"],\"limit\":200}",
        k.access, 200);
    struct json_object *res = member(o, "results");
    assert_true(json_object_array_length(res) > 0);
    double prev = 1e18;
    for (size_t i = 0; i < json_object_array_length(res); i++) {
        struct json_object *p = member(json_object_array_get_idx(res, i), "properties");
        const char *st = str_of(p, "dealstage");
        assert_true(strcmp(st, "closedwon") == 0 || strcmp(st, "closedlost") == 0);
        double a = strtod(str_of(p, "amount"), NULL);
        assert_true(a <= prev);
        prev = a;
    }
    json_object_put(o);
    o = send_json(&t, "POST", "/crm/v3/objects/deals/search",
                  "{\"filterGroups\":[{\"filters\":[{\"propertyName\":\"amount\",\"operator\":"
                  "\"LIKE\",\"value\":\"1\"}]}]}",
                  k.access, 400);
    assert_string_equal(str_of(o, "category"), "VALIDATION_ERROR");
    json_object_put(o);
    sb_test_stop(&t);
}

/* Search pages stop at 10,000 results while total says how many match. */
static void search_cap(void **state)
{
    (void)state;
    struct sb_test t;
    struct tok k;

    sb_test_start_provider(&t, SANDBOX_HUBSPOT, 10005, 0);
    tokens_get(&t, &k);
    struct json_object *o = send_json(&t, "POST", "/crm/v3/objects/tickets/search",
                                      "{\"limit\":200,\"after\":\"9800\"}", k.access, 200);
    assert_int_equal(json_object_get_int(member(o, "total")), 10005);
    assert_int_equal(json_object_array_length(member(o, "results")), 200);
    assert_null(member(o, "paging"));
    json_object_put(o);
    o = send_json(&t, "POST", "/crm/v3/objects/tickets/search", "{\"after\":\"10001\"}", k.access,
                  400);
    assert_string_equal(str_of(o, "category"), "VALIDATION_ERROR");
    json_object_put(o);
    o = send_json(&t, "POST", "/crm/v3/objects/tickets/search", "{\"limit\":201}", k.access, 400);
    json_object_put(o);
    sb_test_stop(&t);
}

static void create_update_get(void **state)
{
    (void)state;
    struct sb_test t;
    struct tok k;
    char path[256], id[32];

    sb_test_start_provider(&t, SANDBOX_HUBSPOT, 3, 0);
    tokens_get(&t, &k);
    struct json_object *o = send_json(
        &t, "POST", "/crm/v3/objects/contacts",
        "{\"properties\":{\"email\":\"ada@example.com\",\"firstname\":\"Ada\",\"phone\":1234}}",
        k.access, 201);
    snprintf(id, sizeof(id), "%s", str_of(o, "id"));
    struct json_object *p = member(o, "properties");
    assert_string_equal(str_of(p, "email"), "ada@example.com");
    assert_string_equal(str_of(p, "phone"), "1234");
    assert_string_equal(str_of(p, "hs_object_id"), id);
    assert_true(json_object_is_type(member(p, "lastname"), json_type_null));
    json_object_put(o);

    snprintf(path, sizeof(path), "/crm/v3/objects/contacts/%s", id);
    o = send_json(&t, "PATCH", path, "{\"properties\":{\"lastname\":\"Lovelace\"}}", k.access, 200);
    assert_string_equal(str_of(member(o, "properties"), "lastname"), "Lovelace");
    json_object_put(o);
    o = get_json(&t, path, k.access, 200);
    assert_string_equal(str_of(member(o, "properties"), "firstname"), "Ada");
    assert_string_equal(str_of(member(o, "properties"), "lastname"), "Lovelace");
    assert_non_null(str_of(o, "updatedAt"));
    json_object_put(o);
    /* The list now has 4. */
    assert_int_equal(list_all(&t, "contacts", k.access, 10), 4);

    o = send_json(&t, "POST", "/crm/v3/objects/contacts", "{\"properties\":{\"nope\":\"x\"}}",
                  k.access, 400);
    assert_string_equal(str_of(o, "status"), "error");
    assert_string_equal(str_of(o, "category"), "VALIDATION_ERROR");
    assert_non_null(strstr(str_of(o, "message"), "PROPERTY_DOESNT_EXIST"));
    assert_non_null(str_of(o, "correlationId"));
    json_object_put(o);
    o = get_json(&t, "/crm/v3/objects/contacts/999", k.access, 404);
    assert_string_equal(str_of(o, "category"), "OBJECT_NOT_FOUND");
    json_object_put(o);
    o = get_json(&t, "/crm/v3/objects/widgets", k.access, 400);
    assert_string_equal(str_of(o, "category"), "VALIDATION_ERROR");
    json_object_put(o);
    sb_test_stop(&t);
}

static void auth_and_headers(void **state)
{
    (void)state;
    struct sb_test t;
    struct tok k;
    struct client_reply r;
    char v[64], before[64];
    const char *names[] = {
        "X-HubSpot-RateLimit-Daily",
        "X-HubSpot-RateLimit-Daily-Remaining",
        "X-HubSpot-RateLimit-Secondly",
        "X-HubSpot-RateLimit-Secondly-Remaining",
        "X-HubSpot-RateLimit-Interval-Milliseconds",
        "X-HubSpot-RateLimit-Max",
        "X-HubSpot-RateLimit-Remaining",
    };

    sb_test_start_provider(&t, SANDBOX_HUBSPOT, 2, 0);
    tokens_get(&t, &k);
    const char *bad[] = {NULL, "CNa1garbage"};
    for (size_t i = 0; i < 2; i++) {
        struct json_object *o = get_json(&t, "/crm/v3/objects/contacts", bad[i], 401);
        assert_string_equal(str_of(o, "status"), "error");
        assert_string_equal(str_of(o, "category"), "INVALID_AUTHENTICATION");
        assert_true(strncmp(str_of(o, "message"), "Authentication credentials not found.", 37) ==
                    0);
        assert_int_equal(strlen(str_of(o, "correlationId")), 36);
        json_object_put(o);
    }
    call(&r, &t, "GET", "/crm/v3/objects/companies", NULL, NULL, k.access);
    assert_int_equal(r.status, 200);
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        assert_non_null(client_header(&r, names[i], v, sizeof(v)));
    assert_non_null(
        client_header(&r, "X-HubSpot-RateLimit-Daily-Remaining", before, sizeof(before)));
    client_reply_dispose(&r);
    call(&r, &t, "GET", "/crm/v3/objects/companies", NULL, NULL, k.access);
    assert_non_null(client_header(&r, "X-HubSpot-RateLimit-Daily-Remaining", v, sizeof(v)));
    assert_int_equal(strtol(v, NULL, 10), strtol(before, NULL, 10) - 1);
    client_reply_dispose(&r);
    assert_int_equal(counter(&t, "data"), 4);
    sb_test_stop(&t);
}

static void expired_token(void **state)
{
    (void)state;
    struct sb_test t;
    struct tok k;

    sb_test_start_provider(&t, SANDBOX_HUBSPOT, 1, 1);
    tokens_get(&t, &k);
    nanosleep(&(struct timespec){.tv_sec = 1, .tv_nsec = 100000000}, NULL);
    struct json_object *o = get_json(&t, "/crm/v3/objects/contacts", k.access, 401);
    assert_string_equal(str_of(o, "category"), "EXPIRED_AUTHENTICATION");
    json_object_put(o);
    sb_test_stop(&t);
}

static void mutate(void **state)
{
    (void)state;
    struct sb_test t;
    struct tok k;

    sb_test_start_provider(&t, SANDBOX_HUBSPOT, 50, 0);
    tokens_get(&t, &k);
    struct json_object *o =
        send_json(&t, "POST", "/_sandbox/mutate",
                  "{\"object\":\"contacts\",\"touch\":5,\"delete\":3}", NULL, 200);
    assert_int_equal(json_object_get_int(member(o, "touched")), 5);
    assert_int_equal(json_object_get_int(member(o, "deleted")), 3);
    json_object_put(o);
    /* Touched rows are newer than SB_TEST_NOW_MS; deleted rows leave the list. */
    char body[512];
    snprintf(body, sizeof(body),
             "{\"filterGroups\":[{\"filters\":[{\"propertyName\":\"lastmodifieddate\","
             "\"operator\":\"GT\",\"value\":\"%lld\"}]}]}",
             SB_TEST_NOW_MS);
    o = send_json(&t, "POST", "/crm/v3/objects/contacts/search", body, k.access, 200);
    assert_int_equal(json_object_get_int(member(o, "total")), 5);
    json_object_put(o);
    assert_int_equal(list_all(&t, "contacts", k.access, 100), 47);
    o = get_json(&t, "/crm/v3/objects/contacts?archived=true", k.access, 200);
    assert_int_equal(json_object_array_length(member(o, "results")), 3);
    json_object_put(o);
    sb_test_stop(&t);
}

int test_hubspot(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(oauth_flow),       cmocka_unit_test(oauth_errors),
        cmocka_unit_test(oauth_revoke),     cmocka_unit_test(list_paging),
        cmocka_unit_test(properties_param), cmocka_unit_test(search_gte),
        cmocka_unit_test(search_cap),       cmocka_unit_test(create_update_get),
        cmocka_unit_test(auth_and_headers), cmocka_unit_test(expired_token),
        cmocka_unit_test(mutate),
    };
    return test_group("hubspot", tests, NULL, NULL);
}
