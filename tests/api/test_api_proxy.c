/* tests/api/test_api_proxy.c - /api/integrations/{id}/proxy/{path...} on
 * both engines against the sandbox. Salesforce: a SOQL query, a record
 * created, read, changed and deleted, each with the provider's status,
 * type and body; the provider's 404 and its limit header passed back; an
 * access token that expired refreshed once and the request sent again;
 * paths that try to leave the base URL (dot segments, encoded slashes and
 * dots, empty segments, backslashes, control characters) refused before
 * any request, and a host-looking segment kept as a path on the
 * provider's own host; the calls counted in api_usage exactly as the
 * sandbox counted them. HubSpot: a 429 comes back with its Retry-After
 * and rate-limit headers, counted as rate-limited. Another tenant cannot
 * use the proxy of an integration it does not own. */
#include <stdio.h>
#include <string.h>

#include "api_test.h"
#include "core/alloc.h"
#include "core/jsonx.h"
#include "oauth_fx.h"
#include "test.h"

static void call(struct ofx *f, struct client_reply *r, const char *method, const char *id,
                 const char *rest, const char *body)
{
    char path[600];
    snprintf(path, sizeof(path), "/api/integrations/%s/proxy/%s", id, rest);
    api_test_call(f->t, r, method, path, f->t->a.key, body, NULL);
}

static void expect(struct client_reply *r, long status, const char *has)
{
    if (r->status != status || (has && !strstr(buf_cstr(&r->body), has)))
        fail_msg("%ld (want %ld) %s", r->status, status, buf_cstr(&r->body));
}

static void salesforce(void **state)
{
    struct ofx f;
    struct client_reply r;
    char id[ID_MAX], rest[300], h[200], path[200];

    ofx_start(&f, state, SANDBOX_SALESFORCE);
    ofx_connect_new(&f, "Org", id);
    /* A segment that looks like a host stays a path on the provider's
     * host, where no route has it (the emulator does not count those). */
    call(&f, &r, "GET", id, "127.0.0.1/limits", NULL);
    expect(&r, 404, NULL);
    client_reply_dispose(&r);
    int64_t data0 = ofx_sb_counter(&f, "data"), faults0 = ofx_sb_counter(&f, "faults");
    int64_t used0 = api_test_sql_int(f.t, id,
                                     "SELECT COALESCE(SUM(calls), 0) FROM api_usage WHERE"
                                     " integration_id = $1");

    call(&f, &r, "GET", id, "query?q=SELECT%20Id,%20Name%20FROM%20Account", NULL);
    expect(&r, 200, "\"totalSize\":5");
    assert_non_null(client_header(&r, "Content-Type", h, sizeof(h)));
    assert_non_null(strstr(h, "application/json"));
    client_reply_dispose(&r);

    /* Create, read, change, delete a record. */
    call(&f, &r, "POST", id, "sobjects/Contact", "{\"LastName\":\"Proxied\"}");
    expect(&r, 201, "\"success\":true");
    struct json_object *made = api_test_json(&r);
    snprintf(rest, sizeof(rest), "sobjects/Contact/%s", jsonx_str(jsonx_get(made, "id")));
    json_object_put(made);
    client_reply_dispose(&r);
    call(&f, &r, "GET", id, rest, NULL);
    expect(&r, 200, "\"LastName\":\"Proxied\"");
    client_reply_dispose(&r);
    call(&f, &r, "PATCH", id, rest, "{\"LastName\":\"Changed\"}");
    expect(&r, 204, NULL);
    client_reply_dispose(&r);
    call(&f, &r, "DELETE", id, rest, NULL);
    expect(&r, 204, NULL);
    client_reply_dispose(&r);
    call(&f, &r, "GET", id, "sobjects/Contact/003000000000000AAA", NULL);
    expect(&r, 404, "NOT_FOUND");
    client_reply_dispose(&r);

    /* Bytes come back as they are. */
    call(&f, &r, "GET", id, "sobjects/Attachment/00P000000000001AAA/Body", NULL);
    expect(&r, 200, NULL);
    assert_int_equal(r.body.n, 512);
    for (size_t i = 0; i < r.body.n; i++)
        assert_int_equal((unsigned char)r.body.p[i], i & 255);
    assert_string_equal(client_header(&r, "Content-Type", h, sizeof(h)),
                        "application/octet-stream");
    client_reply_dispose(&r);

    /* A redirect comes back as it is, never followed: the token goes to
     * the base URL only. */
    snprintf(rest, sizeof(rest), "_sandbox/moved?to=%s/healthz", f.t->base);
    call(&f, &r, "GET", id, rest, NULL);
    expect(&r, 302, NULL);
    char want[200];
    snprintf(want, sizeof(want), "%s/healthz", f.t->base);
    assert_string_equal(client_header(&r, "Location", h, sizeof(h)), want);
    client_reply_dispose(&r);

    /* Ways out of the base URL: refused before any request. */
    int64_t data1 = ofx_sb_counter(&f, "data");
    static const char *const out[] = {
        "..%2F..%2Fservices%2Foauth2%2Ftoken",
        "%2e%2e/%2e%2e/services/oauth2/token",
        "a//evil.example/x",
        "http:%2F%2Fevil.example",
        "a%5C..%5Cb",
        "limits%0d%0aHost:%20evil.example",
    };
    for (size_t i = 0; i < sizeof(out) / sizeof(out[0]); i++) {
        call(&f, &r, "GET", id, out[i], NULL);
        if (r.status != 400)
            fail_msg("%s: %ld %s", out[i], r.status, buf_cstr(&r.body));
        client_reply_dispose(&r);
    }
    assert_int_equal(ofx_sb_counter(&f, "data"), data1);

    /* Every access token expires: one refresh, the request sent again. */
    int64_t refreshes = ofx_sb_counter(&f, "token_refresh");
    ofx_sb_faults(&f, "{\"expire_tokens\":true}");
    call(&f, &r, "GET", id, "limits", NULL);
    expect(&r, 200, "DailyApiRequests");
    client_reply_dispose(&r);
    assert_int_equal(ofx_sb_counter(&f, "token_refresh"), refreshes + 1);

    /* The daily limit (the call after the first): 403 with
     * Sforce-Limit-Info passed back. */
    ofx_sb_faults(&f, "{\"daily_limit\":1}");
    call(&f, &r, "GET", id, "limits", NULL);
    expect(&r, 200, NULL);
    client_reply_dispose(&r);
    call(&f, &r, "GET", id, "limits", NULL);
    expect(&r, 403, "REQUEST_LIMIT_EXCEEDED");
    assert_non_null(client_header(&r, "Sforce-Limit-Info", h, sizeof(h)));
    assert_null(client_header(&r, "Set-Cookie", h, sizeof(h)));
    client_reply_dispose(&r);
    ofx_sb_faults(&f, "{}");
    call(&f, &r, "GET", id, "limits", NULL);
    expect(&r, 200, NULL);
    char info[100];
    assert_non_null(client_header(&r, "Sforce-Limit-Info", info, sizeof(info)));
    client_reply_dispose(&r);

    /* The usage route: the calls of the day, and the org's own count as
     * the last answer gave it. */
    snprintf(path, sizeof(path), "/api/integrations/%s/usage?days=7", id);
    struct json_object *u = api_test_expect(f.t, "GET", path, NULL, 200);
    long long used = 0, max = 0;
    assert_int_equal(sscanf(info, "api-usage=%lld/%lld", &used, &max), 2);
    assert_int_equal(json_object_get_int64(jsonx_get(jsonx_get(u, "quota"), "limit")), max);
    assert_int_equal(json_object_get_int64(jsonx_get(jsonx_get(u, "quota"), "remaining")),
                     max - used);
    assert_int_equal(json_object_get_int64(jsonx_get(jsonx_get(u, "totals"), "calls")),
                     api_test_sql_int(f.t, id,
                                      "SELECT COALESCE(SUM(calls), 0) FROM api_usage WHERE"
                                      " integration_id = $1"));
    assert_int_equal(json_object_get_int64(jsonx_get(jsonx_get(u, "totals"), "rate_limited")), 1);
    json_object_put(u);

    /* api_usage counted every request the sandbox received: those it
     * served (a 401 included) and those a fault refused. */
    assert_int_equal(api_test_sql_int(f.t, id,
                                      "SELECT COALESCE(SUM(calls), 0) FROM api_usage WHERE"
                                      " integration_id = $1") -
                         used0,
                     ofx_sb_counter(&f, "data") - data0 + ofx_sb_counter(&f, "faults") - faults0);

    /* Tenant b: not its integration. */
    snprintf(path, sizeof(path), "/api/integrations/%s/proxy/limits", id);
    api_test_call(f.t, &r, "GET", path, f.t->b.key, NULL, NULL);
    api_test_expect_error(&r, 404, "not_found");
    client_reply_dispose(&r);
    ofx_stop(&f);
}

static void hubspot_rate_limited(void **state)
{
    struct ofx f;
    struct client_reply r;
    char id[ID_MAX], h[100];

    ofx_start(&f, state, SANDBOX_HUBSPOT);
    ofx_connect_new(&f, "Portal", id);
    call(&f, &r, "GET", id, "crm/v3/objects/contacts?limit=2", NULL);
    expect(&r, 200, "\"results\"");
    client_reply_dispose(&r);
    ofx_sb_faults(&f, "{\"rate_limit_every\":1,\"retry_after_s\":7}");
    call(&f, &r, "GET", id, "crm/v3/objects/contacts?limit=2", NULL);
    expect(&r, 429, "RATE_LIMIT");
    assert_string_equal(client_header(&r, "Retry-After", h, sizeof(h)), "7");
    assert_non_null(client_header(&r, "X-HubSpot-RateLimit-Remaining", h, sizeof(h)));
    client_reply_dispose(&r);
    ofx_sb_faults(&f, "{}");
    assert_int_equal(api_test_sql_int(f.t, id,
                                      "SELECT COALESCE(SUM(rate_limited), 0) FROM api_usage"
                                      " WHERE integration_id = $1"),
                     1);
    ofx_stop(&f);
}

int test_api_proxy(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(salesforce, api_test_setup, api_test_teardown),
        cmocka_unit_test_setup_teardown(hubspot_rate_limited, api_test_setup, api_test_teardown),
    };
    return test_group_db("api_proxy", tests);
}
