/* tests/unit/sync/test_call.c - connector_call against the sandbox's three
 * providers over real HTTP, with their faults on, on both engines: a storm
 * of 429s then an answer (Retry-After honoured), a burst of 5xx then an
 * answer, failures past the attempt limit (the last answer or the network
 * error comes back), POSTs not resent after a 5xx, a wait past the cap
 * and a spent daily quota returned at once, cancellation during a wait,
 * 401 then a refresh then the answer, api_usage against the sandbox's own
 * counters (recorded by the call, or accumulated for the caller), and a
 * rate budget letting exactly its burst through without waiting. No
 * assertion is about time: waits are checked as decided, in the report. */
#include <stdio.h>
#include <string.h>

#include <json-c/json_object.h>

#include "connectors/registry.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/jsonx.h"
#include "core/time.h"
#include "crypto/vault.h"
#include "sandbox/sandbox_int.h"
#include "store/api_usage.h"
#include "store/integration.h"
#include "store/tenant.h"
#include "sync/budget.h"
#include "sync/call.h"
#include "test.h"
#include "test_db.h"

#define FIXTURES "tests/fixtures/call"
#define SF_PATH  "/limits"
#define HS_PATH  "/crm/v3/owners"
#define SL_PATH  "/auth.test"

struct fx {
    struct test_db *t;
    struct sandbox *sb;
    struct registry *reg;
    struct vault *vault;
    struct oauth_env env;
    char tenant[ID_MAX];
};

static struct sb_provider *prov(struct fx *f, enum sandbox_provider p)
{
    return f->sb->p[p];
}

/* Send connector name's URLs to provider p and give it p's client. */
static void point(struct fx *f, const char *name, enum sandbox_provider p)
{
    struct err e;
    assert_db_ok(registry_set_origin(f->reg, name, prov(f, p)->origin, &e), &e);
    assert_db_ok(
        registry_set_client(f->reg, name, sandbox_client_id(p), sandbox_client_secret(p), &e), &e);
}

static void fx_open(struct fx *f, void **state)
{
    struct sandbox_opts o = {.host = "127.0.0.1",
                             .records = 5,
                             .seed = 42,
                             .now_ms = 1764547200000LL,
                             .providers = (1u << SANDBOX_SALESFORCE) | (1u << SANDBOX_HUBSPOT) |
                                          (1u << SANDBOX_SLACK)};
    struct secret key = {0}, keys = {0};
    struct err e;
    static int n;
    char name[32];

    memset(f, 0, sizeof(*f));
    f->t = *state;
    assert_db_ok(sandbox_start(&f->sb, &o, &e), &e);
    assert_db_ok(registry_load(&f->reg, FIXTURES, NULL, NULL, &e), &e);
    point(f, "call-sf", SANDBOX_SALESFORCE);
    point(f, "call-hubspot", SANDBOX_HUBSPOT);
    point(f, "call-slack", SANDBOX_SLACK);
    point(f, "call-budget", SANDBOX_SLACK);
    vault_key_generate(&keys);
    assert_db_ok(vault_parse_keys(&f->vault, &keys, "INLET_KEYS", &e), &e);
    secret_dispose(&keys);
    snprintf(name, sizeof(name), "call %d", n++);
    assert_db_ok(tenant_create(f->tenant, &key, f->t->db, name, &e), &e);
    secret_dispose(&key);
    f->env = (struct oauth_env){.db = f->t->db, .vault = f->vault, .reg = f->reg};
}

static void fx_close(struct fx *f)
{
    sandbox_stop(f->sb);
    registry_free(f->reg);
    vault_free(f->vault);
}

/* A new integration of connector, connected with tokens the sandbox's
 * provider p issued; read back into *it (integration_dispose). */
static void connect_one(struct fx *f, const char *connector, enum sandbox_provider p,
                        struct integration *it)
{
    struct sb_provider *sp = prov(f, p);
    char access[SB_TOKEN_MAX], refresh[SB_TOKEN_MAX], text[512];
    struct integration made = {0};
    struct secret s = {0};
    struct err e;
    static int n;
    char name[32];

    pthread_mutex_lock(&sp->mu);
    sb_tokens_issue(sp, sp->client.id, "api refresh_token", sb_now_ms(), access, refresh);
    pthread_mutex_unlock(&sp->mu);
    snprintf(text, sizeof(text), "{\"access_token\":\"%s\",\"refresh_token\":\"%s\"}", access,
             refresh);
    snprintf(name, sizeof(name), "call %d", n++);
    assert_db_ok(db_begin_tenant(f->t->db, f->tenant, &e), &e);
    assert_db_ok(integration_create(&made, f->t->db, f->tenant, connector, name, NULL, 1, &e), &e);
    secret_set(&s, text, strlen(text));
    assert_db_ok(integration_secrets_set(f->t->db, f->vault, f->tenant, made.id, "oauth2", &s,
                                         "[\"access_token\",\"refresh_token\"]", 0, 1, &e),
                 &e);
    secret_dispose(&s);
    assert_db_ok(integration_get(it, f->t->db, f->tenant, made.id, &e), &e);
    assert_db_ok(db_commit(f->t->db, &e), &e);
    integration_dispose(&made);
}

/* Replace provider p's faults with spec (JSON); its call count restarts. */
static void faults(struct fx *f, enum sandbox_provider p, const char *spec)
{
    struct sb_provider *sp = prov(f, p);
    struct json_object *o = NULL;
    struct err e;
    assert_db_ok(jsonx_parse(&o, spec, strlen(spec), strlen(spec) + 1, &e), &e);
    pthread_mutex_lock(&sp->mu);
    int rc = sb_faults_apply(sp, o, &e);
    pthread_mutex_unlock(&sp->mu);
    json_object_put(o);
    assert_db_ok(rc, &e);
}

/* API calls provider p saw since its faults were last set, and how many
 * of all its answers the faults refused, delayed or cut. */
static uint64_t seen(struct fx *f, enum sandbox_provider p)
{
    pthread_mutex_lock(&prov(f, p)->mu);
    uint64_t n = prov(f, p)->faults.calls;
    pthread_mutex_unlock(&prov(f, p)->mu);
    return n;
}

static uint64_t faulted(struct fx *f, enum sandbox_provider p)
{
    pthread_mutex_lock(&prov(f, p)->mu);
    uint64_t n = prov(f, p)->counters.faults;
    pthread_mutex_unlock(&prov(f, p)->mu);
    return n;
}

/* it's api_usage of yesterday and today, summed (a test may run across
 * midnight UTC). */
static int sum_row(void *ctx, const struct api_usage *u)
{
    struct api_usage *sum = ctx;
    sum->calls += u->calls;
    sum->errors += u->errors;
    sum->rate_limited += u->rate_limited;
    return 0;
}

static struct api_usage usage_of(struct fx *f, const struct integration *it)
{
    struct api_usage u = {0};
    char from[API_USAGE_DAY_MAX], to[API_USAGE_DAY_MAX];
    struct err e;
    int64_t now = time_now_ms();
    api_usage_day(from, now - 86400000);
    api_usage_day(to, now);
    assert_db_ok(db_begin_tenant_read(f->t->db, f->tenant, &e), &e);
    assert_db_ok(api_usage_list(f->t->db, f->tenant, it->id, from, to, sum_row, &u, &e), &e);
    db_rollback(f->t->db);
    return u;
}

#define assert_usage(f, it, c, er, rl)                                                             \
    do {                                                                                           \
        struct api_usage u_ = usage_of((f), (it));                                                 \
        assert_int_equal(u_.calls, (c));                                                           \
        assert_int_equal(u_.errors, (er));                                                         \
        assert_int_equal(u_.rate_limited, (rl));                                                   \
    } while (0)

/* One call; its answer's status into *status (0 for none). */
static int call(struct fx *f, const struct integration *it, struct connector_req *req, long *status,
                struct err *e)
{
    struct fetch_resp r;
    int rc = connector_call(&r, &f->env, it, registry_get(f->reg, it->connector), req, e);
    *status = r.status;
    fetch_resp_dispose(&r);
    return rc;
}

/* A cancel hook that never cancels: once the sandbox's provider has seen
 * `after` calls it turns the faults off, so a storm ends where the test
 * says, whatever the timing. */
struct lift {
    struct fx *f;
    enum sandbox_provider p;
    uint64_t after;
    uint64_t before; /* calls seen when lifted (the count restarts then) */
    bool lifted;
};

static bool lift_when_seen(void *ctx)
{
    struct lift *l = ctx;
    if (!l->lifted && seen(l->f, l->p) >= l->after) {
        l->before = seen(l->f, l->p);
        faults(l->f, l->p, "{}");
        l->lifted = true;
    }
    return false;
}

/* A cancel hook that cancels at once and counts how often it was asked. */
static bool cancel_now(void *ctx)
{
    ++*(int *)ctx;
    return true;
}

static void rate_limited_then_answered(void **state)
{
    struct fx f;
    struct integration it = {0};
    struct call_report rep;
    struct err e;
    long status;

    fx_open(&f, state);
    connect_one(&f, "call-slack", SANDBOX_SLACK, &it);
    faults(&f, SANDBOX_SLACK, "{\"rate_limit_every\":1,\"retry_after_s\":1}");
    struct lift l = {.f = &f, .p = SANDBOX_SLACK, .after = 2};
    struct connector_req req = {.path = SL_PATH,
                                .backoff_base_ms = 1,
                                .cancelled = lift_when_seen,
                                .cancel_ctx = &l,
                                .report = &rep};
    assert_db_ok(call(&f, &it, &req, &status, &e), &e);
    assert_int_equal(status, 200);
    assert_int_equal(rep.end, CALL_ANSWERED);
    /* Two 429s, each waited out as its Retry-After: 1 asked, then the answer. */
    assert_int_equal(rep.attempts, 3);
    assert_int_equal(rep.waited_ms, 2000);
    assert_true(l.lifted);
    assert_int_equal(l.before + seen(&f, SANDBOX_SLACK), 3);
    assert_usage(&f, &it, 3, 2, 2);
    integration_dispose(&it);
    fx_close(&f);
}

static void server_errors_then_answered(void **state)
{
    struct fx f;
    struct integration it = {0};
    struct call_report rep;
    struct err e;
    long status;

    fx_open(&f, state);
    connect_one(&f, "call-sf", SANDBOX_SALESFORCE, &it);
    faults(&f, SANDBOX_SALESFORCE, "{\"error_every\":1,\"error_status\":500}");
    struct lift l = {.f = &f, .p = SANDBOX_SALESFORCE, .after = 3};
    struct connector_req req = {.path = SF_PATH,
                                .backoff_base_ms = 1,
                                .backoff_max_ms = 2,
                                .cancelled = lift_when_seen,
                                .cancel_ctx = &l,
                                .report = &rep};
    assert_db_ok(call(&f, &it, &req, &status, &e), &e);
    assert_int_equal(status, 200);
    assert_int_equal(rep.end, CALL_ANSWERED);
    assert_int_equal(rep.attempts, 4);
    /* Backoff with jitter: each wait within its ceiling (1, then 2, 2 ms). */
    assert_true(rep.waited_ms >= 0 && rep.waited_ms <= 5);
    assert_int_equal(l.before + seen(&f, SANDBOX_SALESFORCE), 4);
    assert_usage(&f, &it, 4, 3, 0);
    integration_dispose(&it);
    fx_close(&f);
}

static void failures_past_the_limit(void **state)
{
    struct fx f;
    struct integration it = {0};
    struct call_report rep;
    struct err e;
    long status;

    fx_open(&f, state);
    connect_one(&f, "call-sf", SANDBOX_SALESFORCE, &it);

    /* A 502 from the edge (HTML) every time: the last one comes back. */
    faults(&f, SANDBOX_SALESFORCE, "{\"error_every\":1,\"error_status\":502}");
    struct connector_req req = {
        .path = SF_PATH, .max_attempts = 3, .backoff_base_ms = 1, .report = &rep};
    assert_db_ok(call(&f, &it, &req, &status, &e), &e);
    assert_int_equal(status, 502);
    assert_int_equal(rep.end, CALL_EXHAUSTED);
    assert_int_equal(rep.attempts, 3);
    assert_int_equal(seen(&f, SANDBOX_SALESFORCE), 3);
    assert_usage(&f, &it, 3, 3, 0);

    /* Answers cut mid-body: network errors, and the last error comes back. */
    faults(&f, SANDBOX_SALESFORCE, "{\"cut_every\":1}");
    assert_int_equal(call(&f, &it, &req, &status, &e), ERR_IO);
    assert_int_equal(rep.end, CALL_EXHAUSTED);
    assert_int_equal(rep.attempts, 3);
    assert_null(strstr(e.msg, "access_token"));
    assert_int_equal(seen(&f, SANDBOX_SALESFORCE), 3);
    assert_usage(&f, &it, 6, 6, 0);

    /* A POST is not sent twice after a 5xx: the provider may have acted. */
    faults(&f, SANDBOX_SALESFORCE, "{\"error_every\":1,\"error_status\":500}");
    struct connector_req post = {.method = "POST",
                                 .path = "/sobjects/Account",
                                 .body = "{\"Name\":\"Once\"}",
                                 .body_len = 15,
                                 .content_type = "application/json",
                                 .backoff_base_ms = 1,
                                 .report = &rep};
    assert_db_ok(call(&f, &it, &post, &status, &e), &e);
    assert_int_equal(status, 500);
    assert_int_equal(rep.end, CALL_ANSWERED);
    assert_int_equal(rep.attempts, 1);
    /* ... unless the caller says it is safe (a search sent as POST). */
    post.idempotent = true;
    post.max_attempts = 2;
    assert_db_ok(call(&f, &it, &post, &status, &e), &e);
    assert_int_equal(rep.attempts, 2);
    assert_int_equal(seen(&f, SANDBOX_SALESFORCE), 3);
    assert_usage(&f, &it, 9, 9, 0);
    integration_dispose(&it);
    fx_close(&f);
}

static void waits_not_slept(void **state)
{
    struct fx f;
    struct integration sl = {0}, hs = {0}, sf = {0};
    struct call_report rep;
    struct err e;
    long status;
    int asked = 0;

    fx_open(&f, state);
    connect_one(&f, "call-slack", SANDBOX_SLACK, &sl);
    connect_one(&f, "call-hubspot", SANDBOX_HUBSPOT, &hs);
    connect_one(&f, "call-sf", SANDBOX_SALESFORCE, &sf);

    /* An hour asked, five minutes the cap: the 429 comes back at once (the
     * hook would cancel a wait, and counts whether one began). */
    faults(&f, SANDBOX_SLACK, "{\"rate_limit_every\":1,\"retry_after_s\":3600}");
    struct connector_req req = {
        .path = SL_PATH, .cancelled = cancel_now, .cancel_ctx = &asked, .report = &rep};
    assert_db_ok(call(&f, &sl, &req, &status, &e), &e);
    assert_int_equal(status, 429);
    assert_int_equal(rep.end, CALL_DEFERRED);
    assert_int_equal(rep.resume_after_ms, 3600000);
    assert_int_equal(rep.attempts, 1);
    assert_int_equal(asked, 0);
    assert_int_equal(seen(&f, SANDBOX_SLACK), 1);
    assert_usage(&f, &sl, 1, 1, 1);

    /* HubSpot: Retry-After 1, but its ten-second window is spent; the
     * longest wins, past a cap of 5 s. */
    faults(&f, SANDBOX_HUBSPOT, "{\"rate_limit_every\":1,\"retry_after_s\":1}");
    req.path = HS_PATH;
    req.wait_cap_ms = 5000;
    assert_db_ok(call(&f, &hs, &req, &status, &e), &e);
    assert_int_equal(status, 429);
    assert_int_equal(rep.end, CALL_DEFERRED);
    assert_int_equal(rep.resume_after_ms, 10000);
    assert_int_equal(asked, 0);
    assert_usage(&f, &hs, 1, 1, 1);

    /* A spent daily quota: no point asking again today. */
    faults(&f, SANDBOX_SALESFORCE, "{\"daily_limit\":1}");
    req.path = SF_PATH;
    assert_db_ok(call(&f, &sf, &req, &status, &e), &e);
    assert_int_equal(status, 200);
    assert_db_ok(call(&f, &sf, &req, &status, &e), &e);
    assert_int_equal(status, 403);
    assert_int_equal(rep.end, CALL_DEFERRED);
    assert_int_equal(rep.resume_after_ms, 0);
    assert_int_equal(rep.attempts, 1);
    assert_int_equal(asked, 0);
    assert_usage(&f, &sf, 2, 1, 1);
    integration_dispose(&sl);
    integration_dispose(&hs);
    integration_dispose(&sf);
    fx_close(&f);
}

static void cancelled_during_a_wait(void **state)
{
    struct fx f;
    struct integration it = {0};
    struct call_report rep;
    struct err e;
    long status;
    int asked = 0;

    fx_open(&f, state);
    connect_one(&f, "call-slack", SANDBOX_SLACK, &it);
    faults(&f, SANDBOX_SLACK, "{\"rate_limit_every\":1,\"retry_after_s\":60}");
    struct connector_req req = {
        .path = SL_PATH, .cancelled = cancel_now, .cancel_ctx = &asked, .report = &rep};
    assert_db_ok(call(&f, &it, &req, &status, &e), &e);
    /* The last answer comes back, and nothing more was sent. */
    assert_int_equal(status, 429);
    assert_int_equal(rep.end, CALL_CANCELLED);
    assert_int_equal(rep.attempts, 1);
    assert_int_equal(rep.waited_ms, 0);
    assert_int_equal(asked, 1);
    assert_int_equal(seen(&f, SANDBOX_SLACK), 1);
    assert_usage(&f, &it, 1, 1, 1);

    /* During a backoff after a network error: that error comes back. */
    asked = 0;
    faults(&f, SANDBOX_SLACK, "{\"cut_every\":1}");
    assert_int_equal(call(&f, &it, &req, &status, &e), ERR_IO);
    assert_int_equal(rep.end, CALL_CANCELLED);
    assert_int_equal(rep.attempts, 1);
    assert_int_equal(asked, 1);
    assert_usage(&f, &it, 2, 2, 1);
    integration_dispose(&it);
    fx_close(&f);
}

static void refresh_after_401(void **state)
{
    struct fx f;
    struct integration it = {0};
    struct call_report rep;
    struct err e;
    long status;

    fx_open(&f, state);
    connect_one(&f, "call-sf", SANDBOX_SALESFORCE, &it);
    faults(&f, SANDBOX_SALESFORCE, "{\"expire_tokens\":true}");
    struct connector_req req = {.path = SF_PATH, .report = &rep};
    assert_db_ok(call(&f, &it, &req, &status, &e), &e);
    assert_int_equal(status, 200);
    assert_int_equal(rep.end, CALL_ANSWERED);
    assert_int_equal(rep.attempts, 2);
    assert_int_equal(rep.waited_ms, 0);
    pthread_mutex_lock(&prov(&f, SANDBOX_SALESFORCE)->mu);
    assert_int_equal(prov(&f, SANDBOX_SALESFORCE)->counters.token_refresh, 1);
    pthread_mutex_unlock(&prov(&f, SANDBOX_SALESFORCE)->mu);
    assert_int_equal(seen(&f, SANDBOX_SALESFORCE), 2);
    assert_usage(&f, &it, 2, 1, 0);
    /* The refreshed token was kept: the next call goes straight through. */
    assert_db_ok(call(&f, &it, &req, &status, &e), &e);
    assert_int_equal(status, 200);
    assert_int_equal(rep.attempts, 1);
    assert_usage(&f, &it, 3, 1, 0);
    integration_dispose(&it);
    fx_close(&f);
}

static void usage_matches_the_sandbox(void **state)
{
    struct fx f;
    struct integration it = {0};
    struct call_usage mine = {0};
    struct err e;
    long status;

    fx_open(&f, state);
    connect_one(&f, "call-sf", SANDBOX_SALESFORCE, &it);
    /* Every other call gets Salesforce's concurrent-limit 403, then the
     * resend goes through. */
    faults(&f, SANDBOX_SALESFORCE, "{\"rate_limit_every\":2}");
    uint64_t faulted0 = faulted(&f, SANDBOX_SALESFORCE);
    struct connector_req req = {.path = SF_PATH, .backoff_base_ms = 1};
    for (int i = 0; i < 5; i++) {
        assert_db_ok(call(&f, &it, &req, &status, &e), &e);
        assert_int_equal(status, 200);
    }
    int64_t refused = (int64_t)(faulted(&f, SANDBOX_SALESFORCE) - faulted0);
    assert_int_equal(refused, 4);
    assert_usage(&f, &it, (int64_t)seen(&f, SANDBOX_SALESFORCE), refused, refused);

    /* Accumulated for the caller: nothing is written until it flushes, in
     * its own transaction. */
    req.usage = &mine;
    for (int i = 0; i < 3; i++)
        assert_db_ok(call(&f, &it, &req, &status, &e), &e);
    assert_int_equal(mine.calls, 6);
    assert_int_equal(mine.errors, 3);
    assert_int_equal(mine.rate_limited, 3);
    assert_usage(&f, &it, 9, 4, 4);
    assert_db_ok(db_begin_tenant(f.t->db, f.tenant, &e), &e);
    assert_db_ok(connector_usage_flush(f.t->db, f.tenant, it.id, &mine, time_now_ms(), &e), &e);
    assert_db_ok(db_commit(f.t->db, &e), &e);
    assert_int_equal(mine.calls, 0);
    refused = (int64_t)(faulted(&f, SANDBOX_SALESFORCE) - faulted0);
    assert_usage(&f, &it, (int64_t)seen(&f, SANDBOX_SALESFORCE), refused, refused);
    assert_usage(&f, &it, 15, 7, 7);
    integration_dispose(&it);
    fx_close(&f);
}

static void rate_budget_burst(void **state)
{
    struct fx f;
    struct integration it = {0};
    struct call_report rep;
    struct err e;
    long status;
    int asked = 0;

    fx_open(&f, state);
    connect_one(&f, "call-budget", SANDBOX_SLACK, &it);
    /* Three at once, then a token every 1000 s: the first three go without
     * a wait, the fourth must wait (and is cancelled instead). */
    struct connector_req req = {
        .path = SL_PATH, .cancelled = cancel_now, .cancel_ctx = &asked, .report = &rep};
    for (int i = 0; i < 3; i++) {
        assert_db_ok(call(&f, &it, &req, &status, &e), &e);
        assert_int_equal(status, 200);
    }
    assert_int_equal(asked, 0);
    assert_int_equal(call(&f, &it, &req, &status, &e), ERR_AGAIN);
    assert_int_equal(asked, 1);
    assert_int_equal(rep.end, CALL_CANCELLED);
    assert_int_equal(rep.attempts, 0);
    assert_int_equal(seen(&f, SANDBOX_SLACK), 3);
    assert_usage(&f, &it, 3, 0, 0);

    /* The budget itself, on a clock of its own: exactly burst without a
     * wait, then the wait to one more token. */
    struct budget b;
    assert_true(budget_of(&b, registry_get(f.reg, "call-budget")));
    assert_false(budget_of(&b, registry_get(f.reg, "call-slack")));
    b = (struct budget){.rate = 2, .burst = 5};
    char key[64];
    snprintf(key, sizeof(key), "burst-%s", f.t->engine);
    int free_calls = 0;
    while (budget_take(&b, key, 1000) == 0)
        free_calls++;
    assert_int_equal(free_calls, 5);
    assert_int_equal(budget_take(&b, key, 1000), 500);
    assert_int_equal(budget_take(&b, key, 1500), 0);
    integration_dispose(&it);
    fx_close(&f);
}

int test_call(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rate_limited_then_answered), cmocka_unit_test(server_errors_then_answered),
        cmocka_unit_test(failures_past_the_limit),    cmocka_unit_test(waits_not_slept),
        cmocka_unit_test(cancelled_during_a_wait),    cmocka_unit_test(refresh_after_401),
        cmocka_unit_test(usage_matches_the_sandbox),  cmocka_unit_test(rate_budget_burst),
    };
    return test_group_db("call", tests);
}
