/* tests/api/test_api_stats.c - GET /api/stats and the analytics through the
 * real server, on both engines. Runs, deals and contacts are written with
 * SQL for two tenants and several integrations, and every figure the API
 * answers is computed again here from the rows as inserted (integer cents
 * for money, so the expected sums are exact): integrations, records by
 * model, syncs over 24 hours and 7 days with the success rate, records
 * processed per day for 30 days, the pipeline by stage and currency (mixed
 * currencies never summed), leads by source and status; refused
 * parameters; and tenant b seeing none of a's figures. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_test.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/jsonx.h"
#include "core/time.h"
#include "test.h"

#define DAY 86400

static void exec_ok(struct api_test *t, const char *sql, const struct db_val *v, size_t n)
{
    struct err e;
    assert_db_ok(db_exec(t->tdb->db, sql, v, n, NULL, &e), &e);
}
#define EXEC(t, sql, ...) exec_ok((t), (sql), DB_ARGS(__VA_ARGS__))

static int64_t now_s(void)
{
    return time_now_ms() / 1000;
}

static void integration(struct api_test *t, const char *key, const char *body, char id[ID_MAX])
{
    api_test_create(t, key, body, id);
}

static void noauth(struct api_test *t, const char *key, const char *name, char id[ID_MAX])
{
    char body[128];
    snprintf(body, sizeof(body), "{\"connector\":\"testnone\",\"name\":\"%s\"}", name);
    integration(t, key, body, id);
}

/* A row of table for (tenant, integ), deleted or not, with only what the
 * stats read. */
static void add_record(struct api_test *t, const char *table, const char *tenant, const char *integ,
                       bool deleted)
{
    char id[ID_MAX], sql[256];
    id_new(id, "rec");
    snprintf(sql, sizeof(sql),
             "INSERT INTO %s (id, tenant_id, integration_id, external_id, created_at, updated_at,"
             " last_synced_at, deleted_at) VALUES ($1, $2, $3, $1, 1, 1, 1, $4)",
             table);
    exec_ok(t, sql,
            DB_ARGS(DB_TEXT(id), DB_TEXT(tenant), DB_TEXT(integ), deleted ? DB_INT(2) : DB_NULL));
}

static void expect_json(struct json_object *v, const char *want)
{
    const char *got = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
    if (strcmp(got, want) != 0)
        fail_msg("\n got  %s\n want %s", got, want);
}

static struct json_object *get(struct api_test *t, const char *key, const char *path)
{
    struct client_reply r;
    api_test_call(t, &r, NULL, path, key, NULL, NULL);
    if (r.status != 200)
        fail_msg("GET %s: %ld %s", path, r.status, buf_cstr(&r.body));
    struct json_object *v = api_test_json(&r);
    client_reply_dispose(&r);
    return v;
}

static void expect_refusal(struct api_test *t, const char *path, const char *code,
                           const char *message)
{
    struct client_reply r;
    api_test_call(t, &r, NULL, path, t->a.key, NULL, NULL);
    api_test_expect_error(&r, 400, code);
    struct json_object *v = api_test_json(&r);
    const char *got = jsonx_str(jsonx_get(jsonx_get(v, "error"), "message"));
    if (!got || strcmp(got, message) != 0)
        fail_msg("GET %s:\n got  %s\n want %s", path, got ? got : "(none)", message);
    json_object_put(v);
    client_reply_dispose(&r);
}

static int64_t member_int(struct json_object *o, const char *a, const char *b)
{
    struct json_object *v = jsonx_get(jsonx_get(o, a), b);
    if (!json_object_is_type(v, json_type_int))
        fail_msg("%s.%s: not an integer in %s", a, b, json_object_to_json_string(o));
    return json_object_get_int64(v);
}

/* ---- GET /api/stats ---- */

struct run_spec {
    int integ; /* index into the test's integrations */
    const char *status;
    int64_t ago; /* seconds before the test's now that it started; -1: not started */
    int64_t processed;
};

static void add_run(struct api_test *t, const char *tenant, const char *integ,
                    const struct run_spec *s, int64_t now)
{
    char id[ID_MAX];
    id_new(id, "run");
    EXEC(t,
         "INSERT INTO sync_runs (id, tenant_id, integration_id, triggered_by, mode, status,"
         " created_at, started_at, records_processed) VALUES ($1, $2, $3, 'schedule', 'full', $4,"
         " $5, $6, $7)",
         DB_TEXT(id), DB_TEXT(tenant), DB_TEXT(integ), DB_TEXT(s->status),
         DB_INT(now - (s->ago < 0 ? 0 : s->ago)), s->ago < 0 ? DB_NULL : DB_INT(now - s->ago),
         DB_INT(s->processed));
}

/* What GET /api/stats must say, from the specs alone. today: the UTC day
 * the server counted as its last. */
struct expected {
    int64_t syncs_24h, failed_7d, ended_7d, succeeded_7d;
    int64_t processed[30];
};

static void expect_runs(struct expected *x, const struct run_spec *s, size_t n, int64_t now,
                        int64_t today)
{
    memset(x, 0, sizeof(*x));
    for (size_t i = 0; i < n; i++) {
        if (s[i].ago < 0)
            continue;
        int64_t started = now - s[i].ago;
        bool ended = strcmp(s[i].status, "success") == 0 || strcmp(s[i].status, "partial") == 0 ||
                     strcmp(s[i].status, "failed") == 0;
        if (s[i].ago <= DAY)
            x->syncs_24h++;
        if (s[i].ago <= 7 * DAY) {
            x->failed_7d += strcmp(s[i].status, "failed") == 0;
            x->ended_7d += ended;
            x->succeeded_7d += strcmp(s[i].status, "success") == 0;
        }
        int64_t d = started / DAY - (today - 29);
        if (d >= 0 && d < 30)
            x->processed[d] += s[i].processed;
    }
}

static void test_stats_figures(void **state)
{
    struct api_test *t = *state;
    char ids[5][ID_MAX], bid[ID_MAX], path[128];
    int64_t now = now_s();

    noauth(t, t->a.key, "S-Active", ids[0]);
    noauth(t, t->a.key, "S-Paused", ids[1]);
    snprintf(path, sizeof(path), "/api/integrations/%s", ids[1]);
    json_object_put(api_test_expect(t, "PATCH", path, "{\"status\":\"paused\"}", 200));
    integration(t, t->a.key,
                "{\"connector\":\"testkey\",\"name\":\"S-Draft\",\"config\":{\"subdomain\":\"s\"}}",
                ids[2]);
    noauth(t, t->a.key, "S-Deleted", ids[3]);
    snprintf(path, sizeof(path), "/api/integrations/%s", ids[3]);
    struct client_reply r;
    api_test_call(t, &r, "DELETE", path, t->a.key, NULL, NULL);
    assert_int_equal(r.status, 204);
    client_reply_dispose(&r);
    noauth(t, t->b.key, "S-B", bid);

    /* Records, some deleted; b's too. */
    static const char *const tables[] = {"accounts", "contacts", "tickets", "deals"};
    int64_t live[4] = {0};
    for (int m = 0; m < 4; m++) {
        for (int i = 0; i < 2 + m; i++) {
            bool deleted = i % 3 == 2;
            add_record(t, tables[m], t->a.id, ids[i % 2], deleted);
            live[m] += !deleted;
        }
        add_record(t, tables[m], t->b.id, bid, false);
    }

    /* Runs, kept an hour or more away from every boundary the figures
     * have (24 h, 7 days, 30 days), except by the day. */
    static const struct run_spec runs[] = {
        {0, "success", 3600, 10},     {0, "failed", 23 * 3600, 5},
        {1, "success", 25 * 3600, 7}, {0, "partial", 3 * DAY, 100},
        {1, "cancelled", 6 * DAY, 1}, {0, "success", 6 * DAY + 20 * 3600, 3},
        {0, "failed", 8 * DAY, 50},   {1, "success", 28 * DAY + 3600, 11},
        {0, "success", 31 * DAY, 99}, {0, "running", 120, 4},
        {1, "queued", -1, 0},         {0, "success", 40 * DAY, 1000},
        {3, "success", 2 * DAY, 6}, /* a deleted integration's runs happened all the same */
        {2, "failed", 14 * DAY, 8},
    };
    for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++)
        add_run(t, t->a.id, ids[runs[i].integ], &runs[i], now);
    static const struct run_spec b_runs[] = {{0, "failed", 3600, 777}, {0, "success", 2 * DAY, 1}};
    for (size_t i = 0; i < sizeof(b_runs) / sizeof(b_runs[0]); i++)
        add_run(t, t->b.id, bid, &b_runs[i], now);

    struct json_object *v = get(t, t->a.key, "/api/stats");
    assert_int_equal(member_int(v, "integrations", "total"), 3);
    assert_int_equal(member_int(v, "integrations", "active"), 1);
    for (int m = 0; m < 4; m++)
        assert_int_equal(member_int(v, "records", tables[m]), live[m]);

    struct json_object *days = jsonx_get(v, "processed_per_day");
    assert_int_equal(jsonx_len(days), 30);
    /* The server's today: ours, or the next day if midnight passed. */
    int64_t today = now / DAY, ms;
    struct err e;
    const char *last = jsonx_str(jsonx_get(jsonx_at(days, 29), "date"));
    assert_non_null(last);
    assert_db_ok(time_parse_date(&ms, last, strlen(last), &e), &e);
    assert_true(ms / 1000 / DAY == today || ms / 1000 / DAY == today + 1);
    today = ms / 1000 / DAY;
    struct expected x;
    expect_runs(&x, runs, sizeof(runs) / sizeof(runs[0]), now, today);
    assert_int_equal(member_int(v, "syncs", "last_24h"), x.syncs_24h);
    assert_int_equal(member_int(v, "syncs", "failed_7d"), x.failed_7d);
    assert_int_equal(member_int(v, "syncs", "ended_7d"), x.ended_7d);
    assert_int_equal(member_int(v, "syncs", "succeeded_7d"), x.succeeded_7d);
    assert_int_equal(x.syncs_24h, 3);
    assert_int_equal(x.ended_7d, 6);
    double rate = json_object_get_double(jsonx_get(jsonx_get(v, "syncs"), "success_rate_7d"));
    double want = (double)x.succeeded_7d / (double)x.ended_7d;
    if (rate < want - 0.00005 || rate > want + 0.00005)
        fail_msg("success_rate_7d: got %f, want %f", rate, want);
    for (int i = 0; i < 30; i++) {
        struct json_object *d = jsonx_at(days, (size_t)i);
        int y, mo, dd;
        char date[16];
        time_civil_from_days(today - 29 + i, &y, &mo, &dd);
        snprintf(date, sizeof(date), "%04d-%02d-%02d", y, mo, dd);
        assert_string_equal(jsonx_str(jsonx_get(d, "date")), date);
        if (json_object_get_int64(jsonx_get(d, "processed")) != x.processed[i])
            fail_msg("%s: processed %lld, want %lld", date,
                     (long long)json_object_get_int64(jsonx_get(d, "processed")),
                     (long long)x.processed[i]);
    }
    json_object_put(v);

    /* b: its own figures only. */
    v = get(t, t->b.key, "/api/stats");
    assert_int_equal(member_int(v, "integrations", "total"), 1);
    assert_int_equal(member_int(v, "integrations", "active"), 1);
    for (int m = 0; m < 4; m++)
        assert_int_equal(member_int(v, "records", tables[m]), 1);
    expect_runs(&x, b_runs, 2, now, today);
    assert_int_equal(member_int(v, "syncs", "last_24h"), x.syncs_24h);
    assert_int_equal(member_int(v, "syncs", "failed_7d"), 1);
    assert_int_equal(member_int(v, "syncs", "ended_7d"), 2);
    int64_t sum = 0;
    days = jsonx_get(v, "processed_per_day");
    for (size_t i = 0; i < jsonx_len(days); i++)
        sum += json_object_get_int64(jsonx_get(jsonx_at(days, i), "processed"));
    assert_int_equal(sum, 778);
    json_object_put(v);
}

/* A tenant with nothing: zeros, and no rate rather than a made-up one. */
static void test_stats_empty(void **state)
{
    struct api_test *t = *state;
    struct json_object *v = get(t, t->b.key, "/api/stats");
    assert_int_equal(member_int(v, "integrations", "total"), 0);
    assert_int_equal(member_int(v, "records", "deals"), 0);
    assert_true(jsonx_has(jsonx_get(v, "syncs"), "success_rate_7d"));
    assert_null(jsonx_get(jsonx_get(v, "syncs"), "success_rate_7d"));
    assert_int_equal(jsonx_len(jsonx_get(v, "processed_per_day")), 30);
    json_object_put(v);
    expect_refusal(t, "/api/stats?days=7", "unknown_parameter",
                   "unknown query parameter \"days\"; allowed: none");
}

/* ---- the pipeline ---- */

struct deal_spec {
    int integ;            /* 0, 1: a's integrations; 2: b's */
    const char *stage;    /* NULL: none */
    const char *currency; /* NULL: none */
    int64_t cents;        /* -1: no amount */
    int prob;             /* percent; -1: none */
    bool deleted;
};

static void add_deal(struct api_test *t, const char *tenant, const char *integ,
                     const struct deal_spec *d)
{
    char id[ID_MAX], amount[32], prob[8];
    id_new(id, "dea");
    snprintf(amount, sizeof(amount), "%lld.%02lld", (long long)(d->cents / 100),
             (long long)(d->cents % 100));
    snprintf(prob, sizeof(prob), "%d", d->prob);
    EXEC(t,
         "INSERT INTO deals (id, tenant_id, integration_id, external_id, stage, currency, amount,"
         " probability, created_at, updated_at, last_synced_at, deleted_at)"
         " VALUES ($1, $2, $3, $1, $4, $5, $6, $7, 1, 1, 1, $8)",
         DB_TEXT(id), DB_TEXT(tenant), DB_TEXT(integ), DB_TEXT(d->stage), DB_TEXT(d->currency),
         d->cents < 0 ? DB_NULL : DB_TEXT(amount), d->prob < 0 ? DB_NULL : DB_TEXT(prob),
         d->deleted ? DB_INT(2) : DB_NULL);
}

/* n units of 10^-scale as the API writes decimals: no trailing zeros. */
static void put_fixed(struct buf *b, int64_t n, int scale)
{
    int64_t p = 1;
    for (int i = 0; i < scale; i++)
        p *= 10;
    char frac[32];
    snprintf(frac, sizeof(frac), "%0*lld", scale, (long long)(llabs(n) % p));
    size_t k = strlen(frac);
    while (k > 0 && frac[k - 1] == '0')
        frac[--k] = '\0';
    buf_printf(b, "\"%s%lld%s%s\"", n < 0 ? "-" : "", (long long)(llabs(n) / p), k ? "." : "",
               frac);
}

/* NULL-last order of two optional strings. */
static int opt_cmp(const char *a, const char *b)
{
    if (!a || !b)
        return (a == NULL) - (b == NULL);
    return strcmp(a, b);
}

struct group {
    const char *stage, *currency;
    int64_t count, cents, weighted; /* weighted: in 1/10000 */
    bool has_amount, has_weighted;
};

static int group_cmp(const void *x, const void *y)
{
    const struct group *a = x, *b = y;
    int c = opt_cmp(a->stage, b->stage);
    return c ? c : opt_cmp(a->currency, b->currency);
}

/* The pipeline of the specs that match (integ >= 0: that integration
 * only; currency: that one only), as the API's JSON text. */
static void expected_pipeline(struct buf *b, const struct deal_spec *d, size_t n, int integ,
                              const char *currency)
{
    struct group g[2][32];
    size_t ng[2] = {0, 0};
    for (int by_stage = 1; by_stage >= 0; by_stage--) {
        struct group *gs = g[by_stage];
        for (size_t i = 0; i < n; i++) {
            if (d[i].deleted || d[i].integ == 2 || (integ >= 0 && d[i].integ != integ) ||
                (currency && opt_cmp(d[i].currency, currency) != 0))
                continue;
            const char *stage = by_stage ? d[i].stage : NULL;
            size_t k = 0;
            while (k < ng[by_stage] && !(opt_cmp(gs[k].stage, stage) == 0 &&
                                         opt_cmp(gs[k].currency, d[i].currency) == 0))
                k++;
            if (k == ng[by_stage])
                gs[ng[by_stage]++] = (struct group){stage, d[i].currency, 0, 0, 0, false, false};
            gs[k].count++;
            if (d[i].cents >= 0) {
                gs[k].cents += d[i].cents;
                gs[k].has_amount = true;
            }
            if (d[i].cents >= 0 && d[i].prob >= 0) {
                gs[k].weighted += d[i].cents * d[i].prob;
                gs[k].has_weighted = true;
            }
        }
        qsort(gs, ng[by_stage], sizeof(*gs), group_cmp);
    }
    for (int by_stage = 1; by_stage >= 0; by_stage--) {
        buf_puts(b, by_stage ? "{\"stages\":[" : "],\"totals\":[");
        for (size_t k = 0; k < ng[by_stage]; k++) {
            struct group *x = &g[by_stage][k];
            buf_puts(b, k ? ",{" : "{");
            if (by_stage) {
                buf_puts(b, "\"stage\":");
                buf_put_json_str(b, x->stage);
                buf_putc(b, ',');
            }
            buf_puts(b, "\"currency\":");
            buf_put_json_str(b, x->currency);
            buf_printf(b, ",\"count\":%lld,\"amount\":", (long long)x->count);
            if (x->has_amount)
                put_fixed(b, x->cents, 2);
            else
                buf_puts(b, "null");
            buf_puts(b, ",\"weighted_amount\":");
            if (x->has_weighted)
                put_fixed(b, x->weighted, 4);
            else
                buf_puts(b, "null");
            buf_putc(b, '}');
        }
    }
    buf_puts(b, "]}");
}

static void check_pipeline(struct api_test *t, const char *key, const char *path,
                           const struct deal_spec *d, size_t n, int integ, const char *currency)
{
    struct buf want;
    buf_init(&want, 0);
    expected_pipeline(&want, d, n, integ, currency);
    struct json_object *v = get(t, key, path);
    const char *got = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
    if (strcmp(got, buf_cstr(&want)) != 0)
        fail_msg("GET %s:\n got  %s\n want %s", path, got, buf_cstr(&want));
    json_object_put(v);
    buf_dispose(&want);
}

static void test_pipeline(void **state)
{
    struct api_test *t = *state;
    char ids[3][ID_MAX], path[256];

    noauth(t, t->a.key, "P-One", ids[0]);
    noauth(t, t->a.key, "P-Two", ids[1]);
    noauth(t, t->b.key, "P-B", ids[2]);
    static const struct deal_spec deals[] = {
        {0, "Prospecting", "USD", 100050, 25, false},
        {0, "Prospecting", "USD", 200025, 50, false},
        {0, "Prospecting", "EUR", 30000, 10, false},
        {0, "Closed Won", "USD", 500000, 100, false},
        {0, "Negotiation", "USD", -1, 60, false},
        {0, "Negotiation", "USD", 70075, -1, false},
        {0, NULL, NULL, 4200, 50, false},
        {0, "Prospecting", "USD", 99900, 90, true},
        {1, "Prospecting", "GBP", 12345, 20, false},
        {1, "Closed Won", "EUR", 1, 33, false},
        {2, "B-Secret-Stage", "USD", 100000000, 100, false},
    };
    size_t n = sizeof(deals) / sizeof(deals[0]);
    for (size_t i = 0; i < n; i++)
        add_deal(t, deals[i].integ == 2 ? t->b.id : t->a.id, ids[deals[i].integ], &deals[i]);

    check_pipeline(t, t->a.key, "/api/analytics/pipeline", deals, n, -1, NULL);
    snprintf(path, sizeof(path), "/api/analytics/pipeline?integration_id=%s", ids[1]);
    check_pipeline(t, t->a.key, path, deals, n, 1, NULL);
    check_pipeline(t, t->a.key, "/api/analytics/pipeline?currency=USD", deals, n, -1, "USD");
    snprintf(path, sizeof(path), "/api/analytics/pipeline?currency=EUR&integration_id=%s", ids[0]);
    check_pipeline(t, t->a.key, path, deals, n, 0, "EUR");
    struct json_object *v = get(t, t->a.key, "/api/analytics/pipeline?currency=JPY");
    expect_json(v, "{\"stages\":[],\"totals\":[]}");
    json_object_put(v);
    /* The figures, spelled out once, for the reader. */
    v = get(t, t->a.key, "/api/analytics/pipeline?currency=USD");
    expect_json(jsonx_get(v, "totals"), "[{\"currency\":\"USD\",\"count\":5,\"amount\":\"8701.5\","
                                        "\"weighted_amount\":\"6250.25\"}]");
    json_object_put(v);

    /* b: its own deal only; a's integration filters to nothing. */
    v = get(t, t->b.key, "/api/analytics/pipeline");
    expect_json(v, "{\"stages\":[{\"stage\":\"B-Secret-Stage\",\"currency\":\"USD\",\"count\":1,"
                   "\"amount\":\"1000000\",\"weighted_amount\":\"1000000\"}],\"totals\":[{"
                   "\"currency\":\"USD\",\"count\":1,\"amount\":\"1000000\",\"weighted_amount\":"
                   "\"1000000\"}]}");
    json_object_put(v);
    snprintf(path, sizeof(path), "/api/analytics/pipeline?integration_id=%s", ids[0]);
    v = get(t, t->b.key, path);
    expect_json(v, "{\"stages\":[],\"totals\":[]}");
    json_object_put(v);
    struct client_reply r;
    api_test_call(t, &r, NULL, "/api/analytics/pipeline", t->a.key, NULL, NULL);
    assert_null(strstr(buf_cstr(&r.body), "B-Secret"));
    client_reply_dispose(&r);

    expect_refusal(t, "/api/analytics/pipeline?currency=usd", "invalid_parameter",
                   "currency: expected an ISO 4217 code such as USD (three capital letters)");
    expect_refusal(t, "/api/analytics/pipeline?currency=USDT", "invalid_parameter",
                   "currency: expected an ISO 4217 code such as USD (three capital letters)");
    expect_refusal(t, "/api/analytics/pipeline?integration_id=x", "invalid_parameter",
                   "integration_id: expected an integration id (int_ and 26 characters)");
    expect_refusal(t, "/api/analytics/pipeline?stage=x", "unknown_parameter",
                   "unknown query parameter \"stage\"; allowed: integration_id, currency");
}

/* ---- leads ---- */

struct lead_spec {
    int integ;
    const char *source, *status;
    bool deleted;
};

struct count {
    const char *name;
    int64_t n;
};

static int count_cmp(const void *x, const void *y)
{
    const struct count *a = x, *b = y;
    if (a->n != b->n)
        return a->n < b->n ? 1 : -1;
    return opt_cmp(a->name, b->name);
}

static void expected_leads(struct buf *b, const struct lead_spec *l, size_t n, int integ)
{
    struct count by[2][16];
    size_t nb[2] = {0, 0};
    int64_t total = 0;
    for (size_t i = 0; i < n; i++) {
        if (l[i].deleted || l[i].integ == 2 || (integ >= 0 && l[i].integ != integ) ||
            (!l[i].source && !l[i].status))
            continue;
        total++;
        for (int s = 0; s < 2; s++) {
            const char *name = s ? l[i].status : l[i].source;
            size_t k = 0;
            while (k < nb[s] && opt_cmp(by[s][k].name, name) != 0)
                k++;
            if (k == nb[s])
                by[s][nb[s]++] = (struct count){name, 0};
            by[s][k].n++;
        }
    }
    buf_printf(b, "{\"total\":%lld", (long long)total);
    for (int s = 0; s < 2; s++) {
        qsort(by[s], nb[s], sizeof(by[s][0]), count_cmp);
        buf_puts(b, s ? "],\"by_status\":[" : ",\"by_source\":[");
        for (size_t k = 0; k < nb[s]; k++) {
            buf_printf(b, "%s{\"%s\":", k ? "," : "", s ? "status" : "source");
            buf_put_json_str(b, by[s][k].name);
            buf_printf(b, ",\"count\":%lld}", (long long)by[s][k].n);
        }
    }
    buf_puts(b, "]}");
}

static void test_leads(void **state)
{
    struct api_test *t = *state;
    char ids[3][ID_MAX], path[256];
    struct buf want;

    noauth(t, t->a.key, "L-One", ids[0]);
    noauth(t, t->a.key, "L-Two", ids[1]);
    noauth(t, t->b.key, "L-B", ids[2]);
    static const struct lead_spec leads[] = {
        {0, "Web", "New", false},
        {0, "Web", "Working", false},
        {0, "Partner", "New", false},
        {0, NULL, "New", false},
        {0, "Web", NULL, false},
        {0, NULL, NULL, false},
        {0, "Web", "New", true},
        {1, "Event", "Qualified", false},
        {2, "B-Secret-Source", "New", false},
    };
    size_t n = sizeof(leads) / sizeof(leads[0]);
    for (size_t i = 0; i < n; i++) {
        char id[ID_MAX];
        id_new(id, "con");
        EXEC(t,
             "INSERT INTO contacts (id, tenant_id, integration_id, external_id, lead_source,"
             " lead_status, created_at, updated_at, last_synced_at, deleted_at)"
             " VALUES ($1, $2, $3, $1, $4, $5, 1, 1, 1, $6)",
             DB_TEXT(id), DB_TEXT(leads[i].integ == 2 ? t->b.id : t->a.id),
             DB_TEXT(ids[leads[i].integ]), DB_TEXT(leads[i].source), DB_TEXT(leads[i].status),
             leads[i].deleted ? DB_INT(2) : DB_NULL);
    }
    for (int integ = -1; integ < 2; integ++) {
        buf_init(&want, 0);
        expected_leads(&want, leads, n, integ);
        if (integ < 0)
            snprintf(path, sizeof(path), "/api/analytics/leads");
        else
            snprintf(path, sizeof(path), "/api/analytics/leads?integration_id=%s", ids[integ]);
        struct json_object *v = get(t, t->a.key, path);
        expect_json(v, buf_cstr(&want));
        json_object_put(v);
        buf_dispose(&want);
    }
    struct json_object *v = get(t, t->a.key, "/api/analytics/leads");
    expect_json(v, "{\"total\":6,\"by_source\":[{\"source\":\"Web\",\"count\":3},{\"source\":"
                   "\"Event\",\"count\":1},{\"source\":\"Partner\",\"count\":1},{\"source\":null,"
                   "\"count\":1}],\"by_status\":[{\"status\":\"New\",\"count\":3},{\"status\":"
                   "\"Qualified\",\"count\":1},{\"status\":\"Working\",\"count\":1},{\"status\":"
                   "null,\"count\":1}]}");
    json_object_put(v);

    v = get(t, t->b.key, "/api/analytics/leads");
    expect_json(v, "{\"total\":1,\"by_source\":[{\"source\":\"B-Secret-Source\",\"count\":1}],"
                   "\"by_status\":[{\"status\":\"New\",\"count\":1}]}");
    json_object_put(v);
    snprintf(path, sizeof(path), "/api/analytics/leads?integration_id=%s", ids[0]);
    v = get(t, t->b.key, path);
    expect_json(v, "{\"total\":0,\"by_source\":[],\"by_status\":[]}");
    json_object_put(v);

    expect_refusal(t, "/api/analytics/leads?currency=USD", "unknown_parameter",
                   "unknown query parameter \"currency\"; allowed: integration_id");
    expect_refusal(t, "/api/analytics/leads?integration_id=int_", "invalid_parameter",
                   "integration_id: expected an integration id (int_ and 26 characters)");
}

int test_api_stats(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, api_test_setup, api_test_teardown)
    const struct CMUnitTest tests[] = {
        T(test_stats_figures),
        T(test_stats_empty),
        T(test_pipeline),
        T(test_leads),
    };
#undef T
    return test_group_db("api_stats", tests);
}
