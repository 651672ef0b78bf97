/* tests/unit/sandbox/test_faults.c - the emulators' faults over real HTTP:
 * each provider's rate-limit and daily-limit refusals, 5xx bursts, answers
 * cut mid-body, added latency, early token expiry, revoked refresh
 * tokens, the OAuth server left alone, --faults at start, and
 * /_sandbox/reset. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json_object.h>

#include "core/buf.h"
#include "core/jsonx.h"
#include "core/time.h"
#include "sandbox/sandbox_int.h"
#include "sb_test.h"
#include "test.h"

#define LIMITS "/services/data/v62.0/limits"

struct fx {
    struct sb_test t;
    struct sb_provider *p;
    char access[SB_TOKEN_MAX];
    char refresh[SB_TOKEN_MAX];
    char auth[SB_TOKEN_MAX + 32]; /* "Authorization: Bearer ..." */
};

static void fx_start(struct fx *f, enum sandbox_provider which)
{
    sb_test_start_provider(&f->t, which, 5, 0);
    f->p = f->t.sb->p[which];
    pthread_mutex_lock(&f->p->mu);
    sb_tokens_issue(f->p, f->p->client.id, "api refresh_token", sb_now_ms(), f->access, f->refresh);
    pthread_mutex_unlock(&f->p->mu);
    snprintf(f->auth, sizeof(f->auth), "Authorization: Bearer %s", f->access);
}

/* One call with the fixture's token; the body, when given, is JSON. */
static long call(struct client_reply *r, struct fx *f, const char *method, const char *path,
                 const char *body)
{
    struct client_call c = {.method = method,
                            .path = path,
                            .body = body,
                            .body_len = body ? strlen(body) : 0,
                            .headers = {f->auth, body ? "Content-Type: application/json" : NULL}};
    client_call(r, f->t.base, &c);
    return r->status;
}

/* Set the faults; asserts they were taken. */
static void faults(struct fx *f, const char *spec)
{
    struct client_reply r;
    if (call(&r, f, "POST", "/_sandbox/faults", spec) != 200)
        fail_msg("faults %s: %ld %s", spec, r.status, buf_cstr(&r.body));
    client_reply_dispose(&r);
}

/* The status of one call to path, its body kept in out when given. */
static long status_of(struct fx *f, const char *path, struct buf *out)
{
    struct client_reply r;
    long s = call(&r, f, "GET", path, NULL);
    if (out) {
        buf_reset(out);
        buf_puts(out, buf_cstr(&r.body));
    }
    client_reply_dispose(&r);
    return s;
}

static int64_t counter(struct fx *f, const char *name)
{
    struct client_reply r;
    struct json_object *o = NULL;
    struct err e;
    call(&r, f, "GET", "/_sandbox/counters", NULL);
    assert_int_equal(jsonx_parse(&o, buf_cstr(&r.body), r.body.n, r.body.n + 1, &e), 0);
    int64_t v = json_object_get_int64(json_object_object_get(o, name));
    json_object_put(o);
    client_reply_dispose(&r);
    return v;
}

static void salesforce_limits(void **state)
{
    struct fx f;
    struct client_reply r;
    char v[64];
    struct buf body;
    (void)state;

    fx_start(&f, SANDBOX_SALESFORCE);
    buf_init(&body, 0);
    faults(&f, "{\"rate_limit_every\":3}");
    long want[] = {200, 200, 403, 200, 200, 403};
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(status_of(&f, LIMITS, &body), want[i]);
    /* Salesforce answers limits with 403 REQUEST_LIMIT_EXCEEDED, no 429. */
    assert_non_null(strstr(buf_cstr(&body), "\"errorCode\":\"REQUEST_LIMIT_EXCEEDED\""));
    assert_int_equal(counter(&f, "data"), 4);
    assert_int_equal(counter(&f, "faults"), 2);

    /* The daily limit: every call past it is refused until it is lifted. */
    faults(&f, "{\"daily_limit\":2}");
    assert_int_equal(call(&r, &f, "GET", LIMITS, NULL), 200);
    assert_string_equal(client_header(&r, "Sforce-Limit-Info", v, sizeof(v)), "api-usage=1/2");
    assert_non_null(strstr(buf_cstr(&r.body), "\"DailyApiRequests\":{\"Max\":2,\"Remaining\":1}"));
    client_reply_dispose(&r);
    assert_int_equal(status_of(&f, LIMITS, NULL), 200);
    assert_int_equal(call(&r, &f, "GET", LIMITS, NULL), 403);
    assert_non_null(strstr(buf_cstr(&r.body), "TotalRequests Limit exceeded."));
    assert_string_equal(client_header(&r, "Sforce-Limit-Info", v, sizeof(v)), "api-usage=3/2");
    assert_null(client_header(&r, "Retry-After", v, sizeof(v)));
    client_reply_dispose(&r);
    assert_int_equal(status_of(&f, LIMITS, NULL), 403);
    faults(&f, "{}");
    assert_int_equal(status_of(&f, LIMITS, NULL), 200);
    buf_dispose(&body);
    sb_test_stop(&f.t);
}

static void error_bursts(void **state)
{
    struct fx f;
    struct client_reply r;
    char v[64];
    struct buf body;
    (void)state;

    fx_start(&f, SANDBOX_SALESFORCE);
    buf_init(&body, 0);
    /* Calls 3 and 6 start bursts of two. */
    faults(&f, "{\"error_every\":3,\"error_burst\":2,\"error_status\":500}");
    long want[] = {200, 200, 500, 500, 200, 500, 500, 200};
    for (size_t i = 0; i < 8; i++) {
        assert_int_equal(status_of(&f, LIMITS, &body), want[i]);
        if (want[i] == 500) /* Salesforce's own 500 shape */
            assert_non_null(strstr(buf_cstr(&body), "\"errorCode\":\"UNKNOWN_EXCEPTION\""));
    }

    /* A 502 comes from the edge: HTML, not the API's JSON. */
    faults(&f, "{\"error_every\":1,\"error_status\":502}");
    assert_int_equal(call(&r, &f, "GET", LIMITS, NULL), 502);
    assert_non_null(client_header(&r, "Content-Type", v, sizeof(v)));
    assert_non_null(strstr(v, "text/html"));
    client_reply_dispose(&r);
    faults(&f, "{\"error_every\":1,\"error_status\":503}");
    assert_int_equal(status_of(&f, LIMITS, &body), 503);
    assert_non_null(strstr(buf_cstr(&body), "SERVER_UNAVAILABLE"));

    /* Out of range or unknown: refused, nothing changed. */
    struct client_reply bad;
    assert_int_equal(call(&bad, &f, "POST", "/_sandbox/faults", "{\"error_status\":200}"), 400);
    assert_non_null(strstr(buf_cstr(&bad.body), "error_status must be from 500 to 599"));
    client_reply_dispose(&bad);
    assert_int_equal(call(&bad, &f, "POST", "/_sandbox/faults", "{\"latency\":5}"), 400);
    assert_non_null(strstr(buf_cstr(&bad.body), "unknown field \\\"latency\\\""));
    client_reply_dispose(&bad);
    assert_int_equal(
        call(&bad, &f, "POST", "/_sandbox/faults", "{\"error_every\":2,\"error_burst\":3}"), 400);
    client_reply_dispose(&bad);
    assert_int_equal(status_of(&f, LIMITS, NULL), 503);
    buf_dispose(&body);
    sb_test_stop(&f.t);
}

static void cut_and_latency(void **state)
{
    struct fx f;
    struct client_reply r;
    (void)state;

    fx_start(&f, SANDBOX_SALESFORCE);
    faults(&f, "{\"cut_every\":2}");
    assert_int_equal(status_of(&f, LIMITS, NULL), 200);
    call(&r, &f, "GET", LIMITS, NULL);
    /* The status line came, the body stopped short of its Content-Length. */
    assert_int_equal(r.rc, CURLE_PARTIAL_FILE);
    assert_int_equal(r.status, 200);
    assert_true(r.body.n > 0);
    client_reply_dispose(&r);
    assert_int_equal(status_of(&f, LIMITS, NULL), 200);

    /* Latency is added before the answer: a lower bound, never a limit. */
    faults(&f, "{\"latency_ms\":150}");
    int64_t t0 = time_mono_ms();
    assert_int_equal(status_of(&f, LIMITS, NULL), 200);
    assert_true(time_mono_ms() - t0 >= 150);
    sb_test_stop(&f.t);
}

/* A refresh grant at Salesforce's token endpoint; returns the status. */
static long sf_refresh(struct fx *f, struct buf *out)
{
    char body[512];
    struct client_reply r;
    snprintf(body, sizeof(body),
             "grant_type=refresh_token&refresh_token=%s&client_id=sandbox-salesforce-client"
             "&client_secret=sandbox-salesforce-secret",
             f->refresh);
    client_call(&r, f->t.base,
                &(struct client_call){
                    .path = "/services/oauth2/token",
                    .body = body,
                    .body_len = strlen(body),
                    .headers = {"Content-Type: application/x-www-form-urlencoded", NULL}});
    buf_reset(out);
    buf_puts(out, buf_cstr(&r.body));
    long s = r.status;
    client_reply_dispose(&r);
    return s;
}

static void token_faults(void **state)
{
    struct fx f;
    struct buf body;
    struct json_object *o = NULL;
    struct err e;
    (void)state;

    fx_start(&f, SANDBOX_SALESFORCE);
    buf_init(&body, 0);
    /* The OAuth server suffers no faults: refresh works at every call. */
    faults(&f, "{\"rate_limit_every\":1,\"token_ttl_s\":60,\"rotate_refresh\":true}");
    assert_int_equal(sf_refresh(&f, &body), 200);
    assert_int_equal(jsonx_parse(&o, buf_cstr(&body), body.n, body.n + 1, &e), 0);
    /* Rotation is on: a new refresh token came back. */
    const char *rt = jsonx_str(jsonx_get(o, "refresh_token"));
    assert_non_null(rt);
    assert_string_not_equal(rt, f.refresh);
    snprintf(f.refresh, sizeof(f.refresh), "%s", rt);
    json_object_put(o);
    pthread_mutex_lock(&f.p->mu);
    assert_int_equal(f.p->token_ttl_s, 60);
    pthread_mutex_unlock(&f.p->mu);

    /* Tokens that expire early: the live one gets the real 401. */
    faults(&f, "{\"expire_tokens\":true}");
    assert_int_equal(status_of(&f, LIMITS, &body), 401);
    assert_non_null(strstr(buf_cstr(&body), "INVALID_SESSION_ID"));
    assert_int_equal(sf_refresh(&f, &body), 200);

    /* Refresh tokens revoked: the refresh grant fails as Salesforce's does. */
    faults(&f, "{\"revoke_refresh\":true}");
    assert_int_equal(sf_refresh(&f, &body), 400);
    assert_non_null(strstr(buf_cstr(&body), "\"error\":\"invalid_grant\""));
    buf_dispose(&body);
    sb_test_stop(&f.t);
}

static void hubspot_shapes(void **state)
{
    struct fx f;
    struct client_reply r;
    char v[64];
    (void)state;

    fx_start(&f, SANDBOX_HUBSPOT);
    faults(&f, "{\"rate_limit_every\":2,\"retry_after_s\":3}");
    assert_int_equal(call(&r, &f, "GET", "/crm/v3/owners", NULL), 200);
    client_reply_dispose(&r);
    assert_int_equal(call(&r, &f, "GET", "/crm/v3/owners", NULL), 429);
    assert_string_equal(client_header(&r, "Retry-After", v, sizeof(v)), "3");
    assert_string_equal(client_header(&r, "X-HubSpot-RateLimit-Remaining", v, sizeof(v)), "0");
    assert_non_null(strstr(buf_cstr(&r.body), "\"policyName\":\"TEN_SECONDLY_ROLLING\""));
    assert_non_null(strstr(buf_cstr(&r.body), "\"errorType\":\"RATE_LIMIT\""));
    client_reply_dispose(&r);

    faults(&f, "{\"daily_limit\":1}");
    assert_int_equal(call(&r, &f, "GET", "/crm/v3/owners", NULL), 200);
    /* The headers count against the limit set. */
    assert_string_equal(client_header(&r, "X-HubSpot-RateLimit-Daily", v, sizeof(v)), "1");
    assert_string_equal(client_header(&r, "X-HubSpot-RateLimit-Daily-Remaining", v, sizeof(v)),
                        "0");
    client_reply_dispose(&r);
    assert_int_equal(call(&r, &f, "GET", "/crm/v3/owners", NULL), 429);
    assert_non_null(strstr(buf_cstr(&r.body), "\"policyName\":\"DAILY\""));
    long wait = strtol(client_header(&r, "Retry-After", v, sizeof(v)), NULL, 10);
    assert_true(wait > 0 && wait <= 86400);
    client_reply_dispose(&r);
    sb_test_stop(&f.t);
}

static void slack_shapes(void **state)
{
    struct fx f;
    struct client_reply r;
    char v[64];
    (void)state;

    fx_start(&f, SANDBOX_SLACK);
    faults(&f, "{\"rate_limit_every\":1,\"retry_after_s\":7}");
    assert_int_equal(call(&r, &f, "GET", "/api/auth.test", NULL), 429);
    assert_string_equal(client_header(&r, "Retry-After", v, sizeof(v)), "7");
    assert_string_equal(buf_cstr(&r.body), "{\"ok\":false,\"error\":\"ratelimited\"}");
    client_reply_dispose(&r);
    /* The OAuth endpoint is not rate limited: it answers its own error. */
    assert_int_equal(call(&r, &f, "GET", "/api/oauth.v2.access?code=nope", NULL), 200);
    assert_non_null(strstr(buf_cstr(&r.body), "\"ok\":false"));
    assert_null(strstr(buf_cstr(&r.body), "ratelimited"));
    client_reply_dispose(&r);
    sb_test_stop(&f.t);
}

static void faults_at_start(void **state)
{
    struct sandbox *sb = NULL;
    struct err e;
    struct sandbox_opts o = {.host = "127.0.0.1", .providers = 1u << SANDBOX_SALESFORCE};
    (void)state;

    static const char *const bad[] = {"rate_limit_every", "bogus=1", "error_status=200",
                                      "latency_ms=x",     "=3",      "latency_ms=-1"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        o.faults = bad[i];
        assert_int_equal(sandbox_start(&sb, &o, &e), ERR_INVALID);
        assert_null(sb);
    }
    o.faults = "rate_limit_every=2,rotate_refresh=true";
    assert_int_equal(sandbox_start(&sb, &o, &e), 0);
    struct sb_provider *p = sb->p[SANDBOX_SALESFORCE];
    pthread_mutex_lock(&p->mu);
    assert_int_equal(p->faults.rate_limit_every, 2);
    assert_true(p->rotate_refresh);
    pthread_mutex_unlock(&p->mu);
    sandbox_stop(sb);
}

static void reset(void **state)
{
    struct fx f;
    struct client_reply r;
    char path[128];
    (void)state;

    fx_start(&f, SANDBOX_SALESFORCE);
    assert_int_equal(call(&r, &f, "POST", "/services/data/v62.0/sobjects/Account",
                          "{\"Name\":\"Made before the reset\"}"),
                     201);
    struct json_object *o = NULL;
    struct err e;
    assert_int_equal(jsonx_parse(&o, buf_cstr(&r.body), r.body.n, r.body.n + 1, &e), 0);
    snprintf(path, sizeof(path), "/services/data/v62.0/sobjects/Account/%s",
             jsonx_str(jsonx_get(o, "id")));
    json_object_put(o);
    client_reply_dispose(&r);
    faults(&f, "{\"latency_ms\":1,\"rotate_refresh\":true}");
    assert_int_equal(status_of(&f, path, NULL), 200);

    assert_int_equal(call(&r, &f, "POST", "/_sandbox/reset", ""), 200);
    client_reply_dispose(&r);
    /* The record made is gone, counters restart, faults are off, and the
     * token still works. */
    assert_int_equal(status_of(&f, path, NULL), 404);
    assert_int_equal(counter(&f, "data"), 1);
    assert_int_equal(counter(&f, "faults"), 0);
    pthread_mutex_lock(&f.p->mu);
    assert_int_equal(f.p->faults.latency_ms, 0);
    assert_false(f.p->rotate_refresh);
    pthread_mutex_unlock(&f.p->mu);
    sb_test_stop(&f.t);
}

int test_faults(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(salesforce_limits), cmocka_unit_test(error_bursts),
        cmocka_unit_test(cut_and_latency),   cmocka_unit_test(token_faults),
        cmocka_unit_test(hubspot_shapes),    cmocka_unit_test(slack_shapes),
        cmocka_unit_test(faults_at_start),   cmocka_unit_test(reset),
    };
    return test_group("faults", tests, NULL, NULL);
}
