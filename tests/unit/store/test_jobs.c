/* tests/unit/store/test_jobs.c - the shared job queue on both engines:
 * due order, dedupe keys per tenant, leases that expire and are claimed
 * again, renewals refused to a worker that lost its lease, retries until
 * the attempts run out, the per-tenant and per-connector limits, the purge
 * of old ended jobs and the counts by kind and status, and four connections
 * draining one queue at once with every job claimed exactly once. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "store/integration.h"
#include "store/jobs.h"
#include "store/tenant.h"
#include "test.h"
#include "test_db.h"

static void make_tenant(struct test_db *t, const char *name, char id[ID_MAX])
{
    struct secret key = {0};
    struct err e;
    assert_db_ok(tenant_create(id, &key, t->db, name, &e), &e);
    secret_dispose(&key);
}

/* Each test starts with an empty queue (the group shares a database). */
static void clean(struct test_db *t)
{
    struct err e;
    assert_db_ok(db_exec(t->db, "DELETE FROM jobs", DB_ARGS(), NULL, &e), &e);
}

static int enqueue(struct db *db, char id[ID_MAX], const char *tenant, const char *key,
                   int64_t run_at, int max_attempts, struct err *e)
{
    int rc = db_begin(db, e);
    if (rc < 0)
        return rc;
    rc = jobs_enqueue(id, db, tenant, "sync", "{}", key, run_at, max_attempts, 100, e);
    if (rc == 0)
        return db_commit(db, e);
    db_rollback(db);
    return rc;
}

static void claim_one(struct db *db, struct job *j, const char *owner, int64_t now, bool want)
{
    bool got = false;
    struct err e;
    assert_db_ok(jobs_claim(j, &got, db, owner, 30, now, NULL, &e), &e);
    assert_int_equal(got, want);
}

static void order_dedupe_lease(void **state)
{
    struct test_db *t = *state;
    clean(t);
    char a[ID_MAX], j1[ID_MAX], j2[ID_MAX], j3[ID_MAX], other[ID_MAX];
    struct err e;
    struct job j;

    make_tenant(t, "jobs-a", a);
    assert_db_ok(enqueue(t->db, j2, a, "sync:2", 200, 0, &e), &e);
    assert_db_ok(enqueue(t->db, j1, a, "sync:1", 150, 0, &e), &e);
    assert_db_ok(enqueue(t->db, j3, NULL, "purge", 500, 0, &e), &e);
    /* One queued job per key and tenant; the system's keys are their own. */
    assert_int_equal(enqueue(t->db, other, a, "sync:1", 100, 0, &e), ERR_CONFLICT);
    assert_string_equal(other, j1);
    assert_db_ok(enqueue(t->db, other, NULL, "sync:1", 100, 0, &e), &e);

    claim_one(t->db, &j, "w1", 199, true); /* due first; the system's one at 100 */
    assert_string_equal(j.id, other);
    assert_string_equal(j.tenant_id, "");
    job_dispose(&j);
    assert_db_ok(jobs_finish(NULL, t->db, other, "w1", true, NULL, 0, 199, &e), &e);
    claim_one(t->db, &j, "w1", 199, true);
    assert_string_equal(j.id, j1);
    assert_string_equal(j.tenant_id, a);
    assert_int_equal(j.attempts, 1);
    assert_int_equal(j.lease_expires_at, 229);
    job_dispose(&j);
    claim_one(t->db, &j, "w1", 199, false); /* j2 is not due yet */

    /* The lease: renewed by its owner only; once expired, anyone's. */
    assert_db_ok(jobs_renew(t->db, j1, "w1", 260, &e), &e);
    assert_int_equal(jobs_renew(t->db, j1, "w2", 300, &e), ERR_CONFLICT);
    claim_one(t->db, &j, "w2", 255, true); /* j2 due; j1's lease holds */
    assert_string_equal(j.id, j2);
    job_dispose(&j);
    claim_one(t->db, &j, "w2", 261, true); /* j1's lease expired at 260 */
    assert_string_equal(j.id, j1);
    assert_int_equal(j.attempts, 2);
    job_dispose(&j);
    assert_int_equal(jobs_renew(t->db, j1, "w1", 400, &e), ERR_CONFLICT);
    bool again = true;
    assert_int_equal(jobs_finish(&again, t->db, j1, "w1", true, NULL, 0, 262, &e), ERR_CONFLICT);
    assert_db_ok(jobs_finish(&again, t->db, j1, "w2", true, NULL, 0, 262, &e), &e);
    assert_false(again);
    /* Done: the key is free again. */
    assert_db_ok(enqueue(t->db, other, a, "sync:1", 300, 0, &e), &e);
}

static void retries(void **state)
{
    struct test_db *t = *state;
    clean(t);
    char a[ID_MAX], id[ID_MAX];
    struct err e;
    struct job j;
    bool again = false;

    make_tenant(t, "jobs-r", a);
    assert_db_ok(enqueue(t->db, id, a, "sync:r", 100, 3, &e), &e);
    for (int i = 1; i <= 3; i++) {
        claim_one(t->db, &j, "w", 100 * i, true);
        assert_int_equal(j.attempts, i);
        job_dispose(&j);
        claim_one(t->db, &j, "w", 100 * i, false);
        assert_db_ok(jobs_finish(&again, t->db, id, "w", false, "boom", 100 * (i + 1), 100 * i, &e),
                     &e);
        assert_int_equal(again, i < 3);
    }
    claim_one(t->db, &j, "w", 1000, false); /* failed for good */
    assert_int_equal(
        test_db_int(t->db, "SELECT count(*) FROM jobs WHERE status = 'failed' AND last_error = "
                           "'boom'"),
        1);
}

static void tenant_limit(void **state)
{
    struct test_db *t = *state;
    clean(t);
    char a[ID_MAX], b[ID_MAX], id[ID_MAX];
    struct err e;
    struct job j;
    bool got;
    struct jobs_limits lim = {.per_tenant = 2};

    make_tenant(t, "jobs-la", a);
    make_tenant(t, "jobs-lb", b);
    for (int i = 0; i < 4; i++) {
        char key[16];
        snprintf(key, sizeof(key), "k%d", i);
        assert_db_ok(enqueue(t->db, id, a, key, 100 + i, 0, &e), &e);
    }
    assert_db_ok(enqueue(t->db, id, b, "k", 200, 0, &e), &e);
    for (int i = 0; i < 3; i++) {
        assert_db_ok(jobs_claim(&j, &got, t->db, "w", 30, 300, &lim, &e), &e);
        assert_true(got);
        /* a's first two, then b's: a is at its limit. */
        assert_string_equal(j.tenant_id, i < 2 ? a : b);
        job_dispose(&j);
    }
    assert_db_ok(jobs_claim(&j, &got, t->db, "w", 30, 300, &lim, &e), &e);
    assert_false(got);
}

/* The connector of a's integration, through jobs_set_connector. */
static void tag(struct test_db *t, const char *tenant, const char *job, const char *integration)
{
    struct err e;
    assert_db_ok(db_begin(t->db, &e), &e);
    assert_db_ok(jobs_set_connector(t->db, job, tenant, integration, &e), &e);
    assert_db_ok(db_commit(t->db, &e), &e);
}

static void connector_limit(void **state)
{
    struct test_db *t = *state;
    clean(t);
    char a[ID_MAX], ids[5][ID_MAX];
    struct integration sf = {0}, hs = {0};
    struct err e;
    struct job j;
    bool got;
    struct jobs_limits lim = {.per_connector = 2};

    make_tenant(t, "jobs-ca", a);
    assert_db_ok(db_begin_tenant(t->db, a, &e), &e);
    assert_db_ok(integration_create(&sf, t->db, a, "salesforce", "sf", NULL, 100, &e), &e);
    assert_db_ok(integration_create(&hs, t->db, a, "hubspot", "hs", NULL, 100, &e), &e);
    assert_db_ok(db_commit(t->db, &e), &e);
    /* Three Salesforce syncs due first, then a HubSpot one, then a system
     * job without a connector. */
    for (int i = 0; i < 5; i++) {
        char key[16];
        snprintf(key, sizeof(key), "c%d", i);
        assert_db_ok(enqueue(t->db, ids[i], i < 4 ? a : NULL, key, 100 + i, 0, &e), &e);
        if (i < 4)
            tag(t, a, ids[i], i < 3 ? sf.id : hs.id);
    }
    assert_int_equal(test_db_int(t->db, "SELECT count(*) FROM jobs WHERE connector ="
                                        " 'salesforce'"),
                     3);
    /* Two Salesforce, then HubSpot's and the system one: the third
     * Salesforce sync waits for one to end. */
    const char *want[] = {ids[0], ids[1], ids[3], ids[4]};
    for (int i = 0; i < 4; i++) {
        assert_db_ok(jobs_claim(&j, &got, t->db, "w", 30, 300, &lim, &e), &e);
        assert_true(got);
        assert_string_equal(j.id, want[i]);
        job_dispose(&j);
    }
    assert_db_ok(jobs_claim(&j, &got, t->db, "w", 30, 300, &lim, &e), &e);
    assert_false(got);
    assert_db_ok(jobs_finish(NULL, t->db, ids[0], "w", true, NULL, 0, 301, &e), &e);
    assert_db_ok(jobs_claim(&j, &got, t->db, "w", 30, 302, &lim, &e), &e);
    assert_true(got);
    assert_string_equal(j.id, ids[2]);
    job_dispose(&j);
    integration_dispose(&sf);
    integration_dispose(&hs);
}

static int count_row(void *ctx, const char *kind, const char *status, int64_t n)
{
    struct buf *b = ctx;
    buf_printf(b, "%s/%s=%lld;", kind, status, (long long)n);
    return 0;
}

/* Ended jobs older than the cut go, a batch at a time; queued, running
 * and recent ones stay. The counts by kind and status say so. */
static void purge_and_stats(void **state)
{
    struct test_db *t = *state;
    clean(t);
    char ids[6][ID_MAX];
    struct err e;
    struct job j;
    bool got;
    struct buf b;
    int64_t n = 0;

    for (int i = 0; i < 6; i++)
        assert_db_ok(enqueue(t->db, ids[i], NULL, NULL, 100 + i, 1, &e), &e);
    /* Four end: two done long ago, one failed long ago, one done now. */
    for (int i = 0; i < 4; i++) {
        assert_db_ok(jobs_claim(&j, &got, t->db, "w", 30, 200, NULL, &e), &e);
        assert_true(got);
        assert_db_ok(
            jobs_finish(NULL, t->db, j.id, "w", i != 2, "boom", 0, i == 3 ? 5000 : 300, &e), &e);
        job_dispose(&j);
    }
    assert_db_ok(jobs_claim(&j, &got, t->db, "w", 30, 200, NULL, &e), &e); /* one running */
    job_dispose(&j);
    buf_init(&b, 0);
    assert_db_ok(jobs_stats(t->db, count_row, &b, &e), &e);
    assert_string_equal(buf_cstr(&b), "sync/done=3;sync/failed=1;sync/queued=1;sync/running=1;");
    assert_db_ok(db_begin(t->db, &e), &e);
    assert_db_ok(jobs_purge(&n, t->db, 1000, 2, &e), &e);
    assert_int_equal(n, 2);
    assert_db_ok(jobs_purge(&n, t->db, 1000, 2, &e), &e);
    assert_int_equal(n, 1);
    assert_db_ok(jobs_purge(&n, t->db, 1000, 2, &e), &e);
    assert_int_equal(n, 0);
    assert_db_ok(db_commit(t->db, &e), &e);
    buf_reset(&b);
    assert_db_ok(jobs_stats(t->db, count_row, &b, &e), &e);
    assert_string_equal(buf_cstr(&b), "sync/done=1;sync/queued=1;sync/running=1;");
    buf_dispose(&b);
}

#define DRAIN_JOBS    600
#define DRAIN_WORKERS 4

struct drainer {
    struct test_db *t;
    int n;
    int failed;
    char owner[16];
    char (*ids)[ID_MAX];
};

static void *drain(void *arg)
{
    struct drainer *d = arg;
    struct db *db = test_db_connect(d->t);
    struct err e;
    for (;;) {
        struct job j;
        bool got = false;
        int rc = jobs_claim(&j, &got, db, d->owner, 60, 1000, NULL, &e);
        if (rc == ERR_AGAIN || rc == ERR_CONFLICT)
            continue; /* SQLite busy: try again */
        if (rc < 0) {
            d->failed++;
            break;
        }
        if (!got)
            break;
        snprintf(d->ids[d->n++], ID_MAX, "%s", j.id);
        rc = jobs_finish(NULL, db, j.id, d->owner, true, NULL, 0, 1000, &e);
        if (rc < 0)
            d->failed++;
        job_dispose(&j);
    }
    db_close(db);
    return NULL;
}

static void drained_once(void **state)
{
    struct test_db *t = *state;
    clean(t);
    char a[ID_MAX], id[ID_MAX];
    struct err e;
    struct drainer d[DRAIN_WORKERS];
    pthread_t th[DRAIN_WORKERS];

    make_tenant(t, "jobs-d", a);
    assert_db_ok(db_begin(t->db, &e), &e);
    for (int i = 0; i < DRAIN_JOBS; i++)
        assert_db_ok(jobs_enqueue(id, t->db, a, "sync", "{}", NULL, i % 50, 0, 1, &e), &e);
    assert_db_ok(db_commit(t->db, &e), &e);
    for (int i = 0; i < DRAIN_WORKERS; i++) {
        d[i] = (struct drainer){.t = t, .ids = calloc(DRAIN_JOBS, ID_MAX)};
        snprintf(d[i].owner, sizeof(d[i].owner), "w%d", i);
        assert_int_equal(pthread_create(&th[i], NULL, drain, &d[i]), 0);
    }
    int total = 0;
    for (int i = 0; i < DRAIN_WORKERS; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(d[i].failed, 0);
        total += d[i].n;
    }
    assert_int_equal(total, DRAIN_JOBS); /* each once: a double claim would count twice */
    assert_int_equal(test_db_int(t->db, "SELECT count(*) FROM jobs WHERE status = 'done' AND "
                                        "attempts = 1"),
                     DRAIN_JOBS);
    for (int i = 0; i < DRAIN_WORKERS; i++)
        free(d[i].ids);
}

int test_jobs(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(order_dedupe_lease), cmocka_unit_test(retries),
        cmocka_unit_test(tenant_limit),       cmocka_unit_test(connector_limit),
        cmocka_unit_test(purge_and_stats),    cmocka_unit_test(drained_once),
    };
    return test_group_db("jobs", tests);
}
