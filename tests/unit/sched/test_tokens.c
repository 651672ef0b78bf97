/* tests/unit/sched/test_tokens.c - the token upkeep's bookkeeping and
 * passes on both engines: the due time a write of the tokens sets (15
 * minutes before expiry, a day without a lifetime, none without a refresh
 * token or for another kind), what a refresh's success and failure set
 * (the cooldown); a pass queues one refresh job per due token and never
 * twice, even before the job ran, parks the integrations that need their
 * user, takes at most its limit; two connections passing at once queue
 * each due token exactly once. The refresh against a provider is
 * tests/api/test_api_tokens.c. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/jsonx.h"
#include "sched/tokens.h"
#include "store/credential.h"
#include "store/integration.h"
#include "store/tenant.h"
#include "test.h"
#include "test_db.h"

#define NOW INT64_C(1767225600) /* 2026-01-01T00:00:00Z */

#define BOTH   "[\"access_token\",\"refresh_token\"]"
#define ACCESS "[\"access_token\"]"

/* A vault of one fixed key; vault_free. */
static struct vault *vault_fixed(void)
{
    static const char hex[] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    struct secret k = {0};
    struct vault *v = NULL;
    struct err e;
    secret_set(&k, hex, strlen(hex));
    assert_db_ok(vault_parse_single_key(&v, &k, "TEST_KEY", &e), &e);
    secret_dispose(&k);
    return v;
}

/* No jobs, no token due: each test starts from its own rows. */
static void clean(struct test_db *t)
{
    struct err e;
    assert_db_ok(db_exec(t->db, "DELETE FROM jobs", DB_ARGS(), NULL, &e), &e);
    assert_db_ok(
        db_exec(t->db, "UPDATE credentials SET refresh_due_at = NULL", DB_ARGS(), NULL, &e), &e);
}

static void make_tenant(struct test_db *t, const char *name, char id[ID_MAX])
{
    struct secret key = {0};
    struct err e;
    assert_db_ok(tenant_create(id, &key, t->db, name, &e), &e);
    secret_dispose(&key);
}

/* Write tokens of kind with names (expires_at 0: no lifetime) at now. */
static void write_tokens(struct test_db *t, const struct vault *v, const char *tenant,
                         const char *id, const char *kind, const char *names, int64_t expires_at,
                         int64_t now)
{
    static const char text[] = "{\"access_token\":\"a\",\"refresh_token\":\"r\"}";
    struct secret s = {0};
    struct err e;
    secret_set(&s, text, strlen(text));
    assert_db_ok(db_begin_tenant(t->db, tenant, &e), &e);
    assert_db_ok(
        integration_secrets_set(t->db, v, tenant, id, kind, &s, names, expires_at, now, &e), &e);
    assert_db_ok(db_commit(t->db, &e), &e);
    secret_dispose(&s);
}

/* An integration in status, connected with tokens as write_tokens writes
 * them at NOW; its id into id. */
static void connected(struct test_db *t, const struct vault *v, const char *tenant,
                      const char *name, const char *status, const char *names, int64_t expires_at,
                      char id[ID_MAX])
{
    struct integration it = {0};
    struct integration_change ch = {.status = status};
    struct err e;
    assert_db_ok(db_begin_tenant(t->db, tenant, &e), &e);
    assert_db_ok(integration_create(&it, t->db, tenant, "hubspot", name, NULL, NOW, &e), &e);
    assert_db_ok(integration_update(NULL, t->db, tenant, it.id, &ch, NOW, &e), &e);
    assert_db_ok(db_commit(t->db, &e), &e);
    memcpy(id, it.id, ID_MAX);
    integration_dispose(&it);
    write_tokens(t, v, tenant, id, "oauth2", names, expires_at, NOW);
}

/* The integration's refresh_due_at; -1 for NULL. */
static int64_t due_of(struct test_db *t, const char *id)
{
    char sql[200];
    snprintf(sql, sizeof(sql),
             "SELECT coalesce(refresh_due_at, -1) FROM credentials WHERE integration_id = '%s'",
             id);
    return test_db_int(t->db, sql);
}

static void mark(struct test_db *t, const char *tenant, const char *id, bool ok, int64_t now)
{
    struct err e;
    assert_db_ok(db_begin_tenant(t->db, tenant, &e), &e);
    assert_db_ok(credential_refresh_mark(t->db, tenant, id, ok, now, &e), &e);
    assert_db_ok(db_commit(t->db, &e), &e);
}

static void pass(struct test_db *t, struct sched_tokens_result *r, int64_t now, int limit)
{
    struct err e;
    assert_db_ok(sched_tokens_pass(r, t->db, now, limit, &e), &e);
}

static void due_at_every_write(void **state)
{
    struct test_db *t = *state;
    struct vault *v = vault_fixed();
    char a[ID_MAX], hour[ID_MAX], none[ID_MAX], bot[ID_MAX], week[ID_MAX], key[ID_MAX];

    clean(t);
    make_tenant(t, "tok-write", a);
    /* An hour's token: 15 minutes before it ends. */
    connected(t, v, a, "hour", "active", BOTH, NOW + 3600, hour);
    assert_int_equal(due_of(t, hour), NOW + 3600 - CREDENTIAL_REFRESH_AHEAD_S);
    /* No lifetime (Salesforce): a day after the write. */
    connected(t, v, a, "none", "active", BOTH, 0, none);
    assert_int_equal(due_of(t, none), NOW + CREDENTIAL_REFRESH_EVERY_S);
    /* A week's token: still refreshed within a day. */
    connected(t, v, a, "week", "active", BOTH, NOW + 7 * 86400, week);
    assert_int_equal(due_of(t, week), NOW + CREDENTIAL_REFRESH_EVERY_S);
    /* No refresh token (Slack's bot token): nothing to renew it with. */
    connected(t, v, a, "bot", "active", ACCESS, NOW + 3600, bot);
    assert_int_equal(due_of(t, bot), -1);
    /* Not OAuth, whatever its secrets are called. */
    connected(t, v, a, "key", "active", BOTH, 0, key);
    write_tokens(t, v, a, key, "api_key", "[\"refresh_token\"]", 0, NOW);
    assert_int_equal(due_of(t, key), -1);
    /* New tokens replace the time: a rewrite of bot's with a refresh token,
     * and none's reconnected an hour later with a lifetime. */
    write_tokens(t, v, a, bot, "oauth2", BOTH, NOW + 7200, NOW + 100);
    assert_int_equal(due_of(t, bot), NOW + 7200 - CREDENTIAL_REFRESH_AHEAD_S);
    write_tokens(t, v, a, none, "oauth2", BOTH, 0, NOW + 3600);
    assert_int_equal(due_of(t, none), NOW + 3600 + CREDENTIAL_REFRESH_EVERY_S);
    write_tokens(t, v, a, hour, "oauth2", ACCESS, NOW + 3600, NOW + 100);
    assert_int_equal(due_of(t, hour), -1);

    /* A refresh that worked counts the day from itself; one that failed
     * waits out the cooldown; neither gives a token without a refresh
     * token a due time. */
    mark(t, a, none, true, NOW + 5000);
    assert_int_equal(due_of(t, none), NOW + 5000 + CREDENTIAL_REFRESH_EVERY_S);
    mark(t, a, bot, true, NOW + 5000);
    assert_int_equal(due_of(t, bot), NOW + 7200 - CREDENTIAL_REFRESH_AHEAD_S);
    mark(t, a, none, false, NOW + 6000);
    assert_int_equal(due_of(t, none), NOW + 6000 + CREDENTIAL_REFRESH_COOLDOWN_S);
    char sql[200];
    snprintf(sql, sizeof(sql),
             "SELECT refresh_failed_at FROM credentials WHERE integration_id = '%s'", none);
    assert_int_equal(test_db_int(t->db, sql), NOW + 6000);
    mark(t, a, hour, false, NOW + 6000);
    assert_int_equal(due_of(t, hour), -1);
    mark(t, a, key, false, NOW + 6000);
    assert_int_equal(due_of(t, key), -1);

    /* Deferred to a time, and off the upkeep. */
    struct err e;
    assert_db_ok(db_begin_tenant(t->db, a, &e), &e);
    assert_db_ok(credential_refresh_defer(t->db, a, none, NOW + 42, &e), &e);
    assert_db_ok(db_commit(t->db, &e), &e);
    assert_int_equal(due_of(t, none), NOW + 42);
    assert_db_ok(db_begin_tenant(t->db, a, &e), &e);
    assert_db_ok(credential_refresh_defer(t->db, a, none, 0, &e), &e);
    assert_db_ok(db_commit(t->db, &e), &e);
    assert_int_equal(due_of(t, none), -1);
    vault_free(v);
}

/* The one job queued for integration id: fails unless there is exactly one. */
static void check_job(struct test_db *t, const char *tenant, const char *id, int64_t run_at)
{
    char sql[400];
    struct db_rows *r = NULL;
    struct json_object *p = NULL;
    struct err e;
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM jobs WHERE kind = 'refresh' AND dedupe_key = 'refresh:%s'", id);
    assert_int_equal(test_db_int(t->db, sql), 1);
    snprintf(sql, sizeof(sql),
             "SELECT tenant_id, payload, status, max_attempts, run_at FROM jobs"
             " WHERE dedupe_key = 'refresh:%s'",
             id);
    assert_db_ok(db_query_row(&r, t->db, sql, NULL, 0, &e), &e);
    assert_string_equal(db_rows_text(r, 0), tenant);
    const char *text = db_rows_text(r, 1);
    assert_db_ok(jsonx_parse(&p, text, strlen(text), strlen(text) + 1, &e), &e);
    assert_int_equal(json_object_object_length(p), 1);
    assert_string_equal(jsonx_str(jsonx_get(p, "integration_id")), id);
    assert_string_equal(db_rows_text(r, 2), "queued");
    assert_int_equal(db_rows_int(r, 3), 1);
    assert_int_equal(db_rows_int(r, 4), run_at);
    json_object_put(p);
    db_rows_free(r);
}

static int64_t refresh_jobs(struct test_db *t)
{
    return test_db_int(t->db, "SELECT count(*) FROM jobs WHERE kind = 'refresh'");
}

static void pass_takes_due_once(void **state)
{
    struct test_db *t = *state;
    struct vault *v = vault_fixed();
    struct sched_tokens_result r;
    char a[ID_MAX], hour[ID_MAX], day[ID_MAX], reauth[ID_MAX], paused[ID_MAX], failing[ID_MAX],
        bot[ID_MAX], gone[ID_MAX];
    const int64_t soon = NOW + 3600 - CREDENTIAL_REFRESH_AHEAD_S;

    clean(t);
    make_tenant(t, "tok-pass", a);
    connected(t, v, a, "hour", "active", BOTH, NOW + 3600, hour);
    connected(t, v, a, "day", "active", BOTH, 0, day);
    connected(t, v, a, "reauth", "needs_reauth", BOTH, NOW + 3600, reauth);
    connected(t, v, a, "paused", "paused", BOTH, NOW + 3600, paused);
    connected(t, v, a, "failing", "error", BOTH, NOW + 3600, failing);
    connected(t, v, a, "bot", "active", ACCESS, NOW + 600, bot);
    connected(t, v, a, "gone", "disconnected", BOTH, NOW + 3600, gone);

    /* Before anything is due: nothing. */
    pass(t, &r, soon - 1, 100);
    assert_int_equal(r.due, 0);
    assert_int_equal(refresh_jobs(t), 0);

    /* Due: a job each for the ones kept connected, held back for the
     * cooldown; the ones that need their user are parked. */
    pass(t, &r, soon, 100);
    assert_int_equal(r.due, 5);
    assert_int_equal(r.enqueued, 3);
    assert_int_equal(r.skipped, 0);
    assert_int_equal(r.parked, 2);
    check_job(t, a, hour, soon);
    check_job(t, a, paused, soon);
    check_job(t, a, failing, soon);
    assert_int_equal(refresh_jobs(t), 3);
    assert_int_equal(due_of(t, hour), soon + CREDENTIAL_REFRESH_COOLDOWN_S);
    assert_int_equal(due_of(t, reauth), -1);
    assert_int_equal(due_of(t, gone), -1);
    assert_int_equal(due_of(t, day), NOW + CREDENTIAL_REFRESH_EVERY_S);
    assert_int_equal(due_of(t, bot), -1);

    /* Again, before any job ran: nothing. */
    pass(t, &r, soon, 100);
    assert_int_equal(r.due, 0);
    pass(t, &r, soon + CREDENTIAL_REFRESH_COOLDOWN_S - 1, 100);
    assert_int_equal(r.due, 0);
    assert_int_equal(refresh_jobs(t), 3);

    /* The jobs report: hour's refresh worked (new tokens for an hour),
     * failing's failed (the cooldown); paused's never reports (its
     * process died). */
    const int64_t ran = soon + 30;
    write_tokens(t, v, a, hour, "oauth2", BOTH, ran + 3600, ran);
    mark(t, a, hour, true, ran);
    assert_int_equal(due_of(t, hour), ran + 3600 - CREDENTIAL_REFRESH_AHEAD_S);
    mark(t, a, failing, false, ran);
    assert_int_equal(due_of(t, failing), ran + CREDENTIAL_REFRESH_COOLDOWN_S);
    struct err e;
    assert_db_ok(db_exec(t->db, "UPDATE jobs SET status = 'done' WHERE dedupe_key <> $1",
                         DB_ARGS(DB_TEXT("none")), NULL, &e),
                 &e);
    char key[ID_MAX + 8];
    snprintf(key, sizeof(key), "refresh:%s", paused);
    assert_db_ok(db_exec(t->db, "UPDATE jobs SET status = 'running' WHERE dedupe_key = $1",
                         DB_ARGS(DB_TEXT(key)), NULL, &e),
                 &e);

    /* After the hold: paused's job still runs, so no second one, and it is
     * held again; failing's cooldown is over: a new job. */
    pass(t, &r, ran + CREDENTIAL_REFRESH_COOLDOWN_S, 100);
    assert_int_equal(r.due, 2);
    assert_int_equal(r.enqueued, 1);
    assert_int_equal(r.skipped, 1);
    assert_int_equal(r.parked, 0);
    assert_int_equal(due_of(t, paused),
                     ran + CREDENTIAL_REFRESH_COOLDOWN_S + CREDENTIAL_REFRESH_COOLDOWN_S);
    snprintf(key, sizeof(key), "refresh:%s", failing);
    char sql[200];
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM jobs WHERE dedupe_key = '%s'", key);
    assert_int_equal(test_db_int(t->db, sql), 2);

    /* A day on, day's token is due too; reauth and gone stay parked. */
    pass(t, &r, NOW + CREDENTIAL_REFRESH_EVERY_S, 100);
    assert_int_equal(r.parked, 0);
    check_job(t, a, day, NOW + CREDENTIAL_REFRESH_EVERY_S);
    assert_int_equal(due_of(t, reauth), -1);

    /* Reconnected: due again, and taken. */
    struct integration_change ch = {.status = "active"};
    assert_db_ok(db_begin_tenant(t->db, a, &e), &e);
    assert_db_ok(integration_update(NULL, t->db, a, reauth, &ch, NOW + 100, &e), &e);
    assert_db_ok(db_commit(t->db, &e), &e);
    write_tokens(t, v, a, reauth, "oauth2", BOTH, NOW + 100 + 600, NOW + 100);
    /* Ten minutes to live: 15 ahead is past, so after the shortest gap. */
    assert_int_equal(due_of(t, reauth), NOW + 100 + CREDENTIAL_REFRESH_GAP_S);
    pass(t, &r, NOW + 100 + CREDENTIAL_REFRESH_GAP_S - 1, 100);
    assert_int_equal(r.due, 0);
    pass(t, &r, NOW + 100 + CREDENTIAL_REFRESH_GAP_S, 100);
    check_job(t, a, reauth, NOW + 100 + CREDENTIAL_REFRESH_GAP_S);
    vault_free(v);
}

static void pass_limit(void **state)
{
    struct test_db *t = *state;
    struct vault *v = vault_fixed();
    struct sched_tokens_result r;
    char a[ID_MAX], id[ID_MAX];
    struct err e;

    clean(t);
    make_tenant(t, "tok-limit", a);
    for (int i = 0; i < 5; i++) {
        char name[16];
        snprintf(name, sizeof(name), "l%d", i);
        connected(t, v, a, name, "active", BOTH, NOW + 1900 + i, id);
    }
    /* Due at NOW + 1000 + i; those due first go first. */
    pass(t, &r, NOW + 1000, 2);
    assert_int_equal(r.due, 1);
    pass(t, &r, NOW + 1000 + 4, 2);
    assert_int_equal(r.due, 2);
    assert_int_equal(r.enqueued, 2);
    pass(t, &r, NOW + 1000 + 4, 2);
    assert_int_equal(r.due, 2);
    pass(t, &r, NOW + 1000 + 4, 2);
    assert_int_equal(r.due, 0);
    assert_int_equal(refresh_jobs(t), 5);
    assert_int_equal(due_of(t, id), NOW + 1000 + 4 + CREDENTIAL_REFRESH_COOLDOWN_S);

    assert_int_equal(sched_tokens_pass(&r, t->db, NOW, 0, &e), ERR_INVALID);
    assert_int_equal(sched_tokens_pass(&r, t->db, NOW, SCHED_TOKENS_PASS_MAX + 1, &e), ERR_INVALID);
    vault_free(v);
}

#define MANY 200

struct passer {
    struct test_db *t;
    int64_t now, enqueued;
    int failed;
    char msg[ERR_MSG_MAX];
};

static void *pass_thread(void *arg)
{
    struct passer *p = arg;
    struct db *db = test_db_connect(p->t);
    struct err e;
    for (int k = 0; k < 20; k++) {
        struct sched_tokens_result r;
        int rc = sched_tokens_pass(&r, db, p->now, 30, &e);
        if (rc == ERR_AGAIN)
            continue; /* SQLite busy */
        if (rc < 0) {
            p->failed++;
            snprintf(p->msg, sizeof(p->msg), "%s", e.msg);
            break;
        }
        p->enqueued += r.enqueued;
    }
    db_close(db);
    return NULL;
}

static void two_passes_at_once(void **state)
{
    struct test_db *t = *state;
    struct vault *v = vault_fixed();
    char a[ID_MAX], id[ID_MAX];

    clean(t);
    make_tenant(t, "tok-many", a);
    for (int i = 0; i < MANY; i++) {
        char name[16];
        snprintf(name, sizeof(name), "m%d", i);
        connected(t, v, a, name, "active", BOTH, NOW + 3600, id);
    }
    struct passer p[2] = {{.t = t, .now = NOW + 3600}, {.t = t, .now = NOW + 3600}};
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&th[i], NULL, pass_thread, &p[i]), 0);
    for (int i = 0; i < 2; i++) {
        pthread_join(th[i], NULL);
        if (p[i].failed)
            fail_msg("pass %d: %s", i, p[i].msg);
    }
    assert_int_equal(p[0].enqueued + p[1].enqueued, MANY);
    assert_int_equal(refresh_jobs(t), MANY);
    assert_int_equal(test_db_int(t->db, "SELECT count(DISTINCT dedupe_key) FROM jobs"), MANY);
    char sql[120];
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM credentials WHERE refresh_due_at <= %lld",
             (long long)(NOW + 3600));
    assert_int_equal(test_db_int(t->db, sql), 0);
    vault_free(v);
}

int test_tokens(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(due_at_every_write),
        cmocka_unit_test(pass_takes_due_once),
        cmocka_unit_test(pass_limit),
        cmocka_unit_test(two_passes_at_once),
    };
    return test_group_db("tokens", tests);
}
