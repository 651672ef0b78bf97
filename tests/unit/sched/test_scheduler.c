/* tests/unit/sched/test_scheduler.c - scheduling passes on both engines:
 * a schedule set gives the next run; a pass queues the due syncs and moves
 * next_run_at past now; nothing is due twice; a sync already queued is not
 * queued again; six hours of downtime give one catch-up run, not six; a
 * pass takes at most its limit; two connections passing at once queue
 * every due integration exactly once. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "sched/scheduler.h"
#include "store/integration.h"
#include "store/tenant.h"
#include "test.h"
#include "test_db.h"

#define HOURLY "{\"kind\":\"hourly\"}"

static void clean(struct test_db *t)
{
    struct err e;
    assert_db_ok(db_exec(t->db, "DELETE FROM jobs", DB_ARGS(), NULL, &e), &e);
    assert_db_ok(db_exec(t->db, "UPDATE integrations SET next_run_at = NULL", DB_ARGS(), NULL, &e),
                 &e);
}

static void make_tenant(struct test_db *t, const char *name, char id[ID_MAX])
{
    struct secret key = {0};
    struct err e;
    assert_db_ok(tenant_create(id, &key, t->db, name, &e), &e);
    secret_dispose(&key);
}

/* An active integration on schedule text, set at now; its next run out. */
static int64_t scheduled(struct test_db *t, const char *tenant, const char *name, const char *text,
                         int64_t now, char id[ID_MAX])
{
    struct integration it = {0};
    struct integration_change ch = {.status = "active"};
    struct err e;
    int64_t next = 0;
    assert_db_ok(db_begin_tenant(t->db, tenant, &e), &e);
    assert_db_ok(integration_create(&it, t->db, tenant, "slack", name, NULL, now, &e), &e);
    assert_db_ok(integration_update(NULL, t->db, tenant, it.id, &ch, now, &e), &e);
    assert_db_ok(sched_set(&next, t->db, tenant, it.id, text, now, &e), &e);
    assert_db_ok(db_commit(t->db, &e), &e);
    memcpy(id, it.id, ID_MAX);
    integration_dispose(&it);
    return next;
}

static int64_t next_of(struct test_db *t, const char *id)
{
    char sql[200];
    snprintf(sql, sizeof(sql), "SELECT coalesce(next_run_at, 0) FROM integrations WHERE id = '%s'",
             id);
    return test_db_int(t->db, sql);
}

static void pass(struct test_db *t, struct sched_result *r, int64_t now, int limit)
{
    struct err e;
    assert_db_ok(sched_pass(r, t->db, now, limit, &e), &e);
}

static void due_once(void **state)
{
    struct test_db *t = *state;
    char a[ID_MAX], id[ID_MAX];
    struct sched_result r;
    int64_t now = 1767225600; /* 2026-01-01T00:00:00Z */

    clean(t);
    make_tenant(t, "sched-a", a);
    int64_t next = scheduled(t, a, "hourly", HOURLY, now, id);
    assert_true(next > now && next <= now + 3600);
    pass(t, &r, next - 1, 100);
    assert_int_equal(r.due, 0);
    pass(t, &r, next, 100);
    assert_int_equal(r.due, 1);
    assert_int_equal(r.enqueued, 1);
    assert_int_equal(next_of(t, id), next + 3600);
    pass(t, &r, next, 100);
    assert_int_equal(r.due, 0);
    /* Due again while its sync is still queued: no second job. */
    pass(t, &r, next + 3600, 100);
    assert_int_equal(r.due, 1);
    assert_int_equal(r.skipped, 1);
    assert_int_equal(test_db_int(t->db, "SELECT count(*) FROM jobs WHERE kind = 'sync'"), 1);

    /* Six hours down: one catch-up run, and the next on the schedule. */
    struct err e;
    assert_db_ok(db_exec(t->db, "DELETE FROM jobs", DB_ARGS(), NULL, &e), &e);
    int64_t back = next + 7200 + 6 * 3600;
    pass(t, &r, back, 100);
    assert_int_equal(r.enqueued, 1);
    assert_true(next_of(t, id) > back && next_of(t, id) <= back + 3600);
    pass(t, &r, back, 100);
    assert_int_equal(r.due, 0);

    /* Manual: off the schedule. */
    assert_db_ok(db_begin_tenant(t->db, a, &e), &e);
    assert_db_ok(sched_set(&next, t->db, a, id, NULL, back, &e), &e);
    assert_db_ok(db_commit(t->db, &e), &e);
    assert_int_equal(next, 0);
    assert_int_equal(next_of(t, id), 0);
    assert_int_equal(sched_set(&next, t->db, a, "int_none", HOURLY, back, &e), ERR_NOTFOUND);
}

#define MANY 300

struct passer {
    struct test_db *t;
    int64_t now, enqueued;
    int failed;
};

static void *pass_thread(void *arg)
{
    struct passer *p = arg;
    struct db *db = test_db_connect(p->t);
    struct err e;
    for (int k = 0; k < 20; k++) {
        struct sched_result r;
        int rc = sched_pass(&r, db, p->now, 40, &e);
        if (rc == ERR_AGAIN || rc == ERR_CONFLICT)
            continue; /* SQLite busy */
        if (rc < 0) {
            p->failed++;
            break;
        }
        p->enqueued += r.enqueued;
    }
    db_close(db);
    return NULL;
}

static void limit_and_concurrency(void **state)
{
    struct test_db *t = *state;
    char a[ID_MAX], id[ID_MAX];
    struct sched_result r;
    int64_t now = 1767225600, last = 0;

    clean(t);
    make_tenant(t, "sched-m", a);
    for (int i = 0; i < MANY; i++) {
        char name[32];
        snprintf(name, sizeof(name), "i%d", i);
        int64_t n = scheduled(t, a, name, HOURLY, now, id);
        last = n > last ? n : last;
    }
    pass(t, &r, last, 100);
    assert_int_equal(r.due, 100);
    assert_int_equal(r.enqueued, 100);
    struct passer p[2] = {{.t = t, .now = last}, {.t = t, .now = last}};
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&th[i], NULL, pass_thread, &p[i]), 0);
    for (int i = 0; i < 2; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(p[i].failed, 0);
    }
    assert_int_equal(p[0].enqueued + p[1].enqueued, MANY - 100);
    assert_int_equal(test_db_int(t->db, "SELECT count(*) FROM jobs WHERE kind = 'sync'"), MANY);
    assert_int_equal(test_db_int(t->db, "SELECT count(DISTINCT dedupe_key) FROM jobs"), MANY);
}

int test_scheduler(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(due_once),
        cmocka_unit_test(limit_and_concurrency),
    };
    return test_group_db("scheduler", tests);
}
