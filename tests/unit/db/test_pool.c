/* tests/unit/db/test_pool.c - the connection pool on both engines: take
 * and give, waiting when all are in use (timing out, or woken by a give),
 * many threads at once never holding more than max, a transaction left
 * open rolled back on give, and (PostgreSQL) a connection whose server
 * side died usable again once given back. */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "core/time.h"
#include "db/pool.h"
#include "test_db.h"

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static struct db_pool *pool(const struct test_db *t, unsigned max)
{
    struct db_pool *p = NULL;
    struct err e;
    assert_db_ok(db_pool_new(&p, t->url, max, &e), &e);
    return p;
}

static void take_and_give(void **state)
{
    struct test_db *t = *state;
    struct db_pool *p = pool(t, 2);
    struct db *a = NULL, *b = NULL, *c = NULL;
    struct err e;

    assert_db_ok(db_pool_take(&a, p, 0, &e), &e);
    assert_db_ok(db_pool_take(&b, p, 0, &e), &e);
    assert_ptr_not_equal(a, b);
    assert_int_equal(test_db_int(a, "SELECT 1"), 1);
    assert_int_equal(test_db_int(b, "SELECT 2"), 2);
    db_pool_give(p, a);
    db_pool_give(p, b);
    /* The last given back is the first taken again: it is the warmest. */
    assert_db_ok(db_pool_take(&c, p, 0, &e), &e);
    assert_ptr_equal(c, b);
    db_pool_give(p, c);
    db_pool_free(p);
    db_pool_free(NULL);

    struct err bad;
    assert_int_not_equal(db_pool_new(&p, "sqlite:/no/such/folder/x.db", 2, &bad), 0);
    assert_int_equal(bad.code, ERR_IO);
}

static void exhausted_then_timeout(void **state)
{
    struct test_db *t = *state;
    struct db_pool *p = pool(t, 1);
    struct db *a = NULL, *b = NULL;
    struct err e;

    assert_db_ok(db_pool_take(&a, p, 0, &e), &e);
    int64_t t0 = time_mono_ms();
    assert_int_equal(db_pool_take(&b, p, 150, &e), ERR_AGAIN);
    int64_t waited = time_mono_ms() - t0;
    assert_true(waited >= 140 && waited < 5000);
    assert_string_equal(e.msg, "database pool exhausted: all 1 connections in use");
    assert_null(b);
    t0 = time_mono_ms();
    assert_int_equal(db_pool_take(&b, p, 0, &e), ERR_AGAIN);
    assert_true(time_mono_ms() - t0 < 100);
    db_pool_give(p, a);
    assert_db_ok(db_pool_take(&b, p, 0, &e), &e);
    assert_ptr_equal(a, b);
    db_pool_give(p, b);
    db_pool_free(p);
}

struct waiter {
    struct db_pool *p;
    struct db *got;
    int rc;
    int64_t waited;
};

static void *wait_thread(void *arg)
{
    struct waiter *w = arg;
    struct err e;
    int64_t t0 = time_mono_ms();
    w->rc = db_pool_take(&w->got, w->p, 10000, &e);
    w->waited = time_mono_ms() - t0;
    return NULL;
}

static void waiter_woken_by_give(void **state)
{
    struct test_db *t = *state;
    struct db_pool *p = pool(t, 1);
    struct waiter w = {.p = p, .rc = -99};
    struct db *a = NULL;
    struct err e;
    pthread_t th;

    assert_db_ok(db_pool_take(&a, p, 0, &e), &e);
    assert_int_equal(pthread_create(&th, NULL, wait_thread, &w), 0);
    sleep_ms(150);
    db_pool_give(p, a);
    pthread_join(th, NULL);
    assert_int_equal(w.rc, 0);
    assert_ptr_equal(w.got, a);
    assert_true(w.waited >= 100 && w.waited < 5000); /* woken, not timed out */
    db_pool_give(p, w.got);

    /* Without limit (wait_ms < 0) works the same way. */
    assert_db_ok(db_pool_take(&a, p, 0, &e), &e);
    struct waiter w2 = {.p = p, .rc = -99};
    assert_int_equal(pthread_create(&th, NULL, wait_thread, &w2), 0);
    sleep_ms(50);
    db_pool_give(p, a);
    pthread_join(th, NULL);
    assert_int_equal(w2.rc, 0);
    db_pool_give(p, w2.got);
    db_pool_free(p);
}

#define HAMMER_THREADS 8
#define HAMMER_ROUNDS  40
#define HAMMER_MAX     3

struct hammer {
    struct db_pool *p;
    atomic_int *in_use, *peak;
    struct db *seen[HAMMER_ROUNDS];
    int failures;
    char msg[ERR_MSG_MAX];
};

static void *hammer_thread(void *arg)
{
    struct hammer *h = arg;
    for (int i = 0; i < HAMMER_ROUNDS; i++) {
        struct db *db = NULL;
        struct err e = {0};
        if (db_pool_take(&db, h->p, -1, &e) < 0) {
            h->failures++;
            memcpy(h->msg, e.msg, sizeof(h->msg));
            continue;
        }
        int now = atomic_fetch_add(h->in_use, 1) + 1, peak = atomic_load(h->peak);
        while (now > peak && !atomic_compare_exchange_weak(h->peak, &peak, now))
            ;
        h->seen[i] = db;
        int rc = db_begin(db, &e);
        if (rc == 0)
            rc = db_exec(db, "INSERT INTO pool_hits (n) VALUES ($1)", DB_ARGS(DB_INT(i)), NULL, &e);
        /* Every other round leaves its transaction open: give rolls it back. */
        if (rc == 0 && i % 2 == 0)
            rc = db_commit(db, &e);
        if (rc < 0) {
            h->failures++;
            memcpy(h->msg, e.msg, sizeof(h->msg));
        }
        atomic_fetch_sub(h->in_use, 1);
        db_pool_give(h->p, db);
    }
    return NULL;
}

static void many_threads(void **state)
{
    struct test_db *t = *state;
    struct err e;
    atomic_int in_use = 0, peak = 0;
    struct hammer h[HAMMER_THREADS];
    pthread_t th[HAMMER_THREADS];

    assert_db_ok(db_exec_script(t->db, "CREATE TABLE pool_hits (n BIGINT NOT NULL)", &e), &e);
    struct db_pool *p = pool(t, HAMMER_MAX);
    for (int i = 0; i < HAMMER_THREADS; i++) {
        h[i] = (struct hammer){.p = p, .in_use = &in_use, .peak = &peak};
        assert_int_equal(pthread_create(&th[i], NULL, hammer_thread, &h[i]), 0);
    }
    for (int i = 0; i < HAMMER_THREADS; i++)
        pthread_join(th[i], NULL);

    struct db *distinct[HAMMER_THREADS * HAMMER_ROUNDS];
    size_t ndistinct = 0;
    for (int i = 0; i < HAMMER_THREADS; i++) {
        if (h[i].failures)
            fail_msg("thread %d: %d failures, last: %s", i, h[i].failures, h[i].msg);
        for (int r = 0; r < HAMMER_ROUNDS; r++) {
            size_t k = 0;
            while (k < ndistinct && distinct[k] != h[i].seen[r])
                k++;
            if (k == ndistinct)
                distinct[ndistinct++] = h[i].seen[r];
        }
    }
    assert_true(atomic_load(&peak) >= 1 && atomic_load(&peak) <= HAMMER_MAX);
    assert_true(ndistinct >= 1 && ndistinct <= HAMMER_MAX);
    /* Only the committed half of the rounds left a row. */
    assert_int_equal(test_db_int(t->db, "SELECT count(*) FROM pool_hits"),
                     HAMMER_THREADS * HAMMER_ROUNDS / 2);
    db_pool_free(p);
}

static void open_transaction_rolled_back(void **state)
{
    struct test_db *t = *state;
    struct db *db = NULL, *again = NULL;
    struct err e;

    assert_db_ok(db_exec_script(t->db, "CREATE TABLE pool_tx (n BIGINT NOT NULL)", &e), &e);
    struct db_pool *p = pool(t, 1);
    assert_db_ok(db_pool_take(&db, p, 0, &e), &e);
    assert_db_ok(db_begin(db, &e), &e);
    assert_db_ok(db_exec(db, "INSERT INTO pool_tx (n) VALUES (1)", NULL, 0, NULL, &e), &e);
    db_pool_give(p, db);

    assert_db_ok(db_pool_take(&again, p, 0, &e), &e);
    assert_ptr_equal(again, db);
    assert_int_equal(test_db_int(again, "SELECT count(*) FROM pool_tx"), 0);
    assert_int_equal(test_db_int(t->db, "SELECT count(*) FROM pool_tx"), 0);
    /* A transaction can begin: none is open any more (they do not nest). */
    assert_db_ok(db_begin(again, &e), &e);
    /* A failed statement poisons a transaction; giving back clears that too. */
    assert_int_not_equal(db_exec(again, "INSERT INTO no_such_table VALUES (1)", NULL, 0, NULL, &e),
                         0);
    db_fail_after(again, 0); /* a fault armed and not fired is disarmed as well */
    db_pool_give(p, again);
    assert_db_ok(db_pool_take(&db, p, 0, &e), &e);
    assert_int_equal(test_db_int(db, "SELECT 7"), 7);
    assert_db_ok(db_begin(db, &e), &e);
    assert_db_ok(db_exec(db, "INSERT INTO pool_tx (n) VALUES (2)", NULL, 0, NULL, &e), &e);
    assert_db_ok(db_commit(db, &e), &e);
    db_pool_give(p, db);
    assert_int_equal(test_db_int(t->db, "SELECT count(*) FROM pool_tx"), 1);
    db_pool_free(p);
}

/* PostgreSQL: the server ends an idle pooled connection's backend (a
 * restart, a DBA, a proxy timeout). The next statement reconnects first
 * and works, on a new backend; one inside a transaction fails, and the
 * connection works again once given back. */
static void broken_connection_replaced(void **state)
{
    struct test_db *t = *state;
    struct db *db = NULL;
    struct err e;

    if (!test_db_is_pg(t))
        skip();
    struct db_pool *p = pool(t, 1);
    assert_db_ok(db_pool_take(&db, p, 0, &e), &e);
    int64_t pid = test_db_int(db, "SELECT pg_backend_pid()");
    int64_t gone = 0;
    assert_db_ok(db_query_int(&gone, t->db,
                              "SELECT CAST(pg_terminate_backend(CAST($1 AS INTEGER))"
                              " AS INTEGER)",
                              DB_ARGS(DB_INT(pid)), &e),
                 &e);
    assert_int_equal(gone, 1);
    for (int i = 0; i < 200; i++) {
        assert_db_ok(db_query_int(&gone, t->db,
                                  "SELECT count(*) FROM pg_stat_activity WHERE pid = $1",
                                  DB_ARGS(DB_INT(pid)), &e),
                     &e);
        if (gone == 0)
            break;
        sleep_ms(10);
    }
    assert_int_equal(gone, 0);
    int64_t fresh = test_db_int(db, "SELECT pg_backend_pid()");
    assert_int_not_equal(fresh, pid);

    assert_db_ok(db_begin(db, &e), &e);
    assert_db_ok(
        db_query_int(&gone, t->db,
                     "SELECT CAST(pg_terminate_backend(CAST($1 AS INTEGER), 5000) AS INTEGER)",
                     DB_ARGS(DB_INT(fresh)), &e),
        &e);
    int64_t v = 0;
    assert_int_equal(db_query_int(&v, db, "SELECT 1", NULL, 0, &e), ERR_IO);
    db_pool_give(p, db);
    assert_db_ok(db_pool_take(&db, p, 0, &e), &e);
    assert_int_not_equal(test_db_int(db, "SELECT pg_backend_pid()"), fresh);
    db_pool_give(p, db);
    db_pool_free(p);
}

int test_pool(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(take_and_give),
        cmocka_unit_test(exhausted_then_timeout),
        cmocka_unit_test(waiter_woken_by_give),
        cmocka_unit_test(many_threads),
        cmocka_unit_test(open_transaction_rolled_back),
        cmocka_unit_test(broken_connection_replaced),
    };
    return test_group_db("pool", tests);
}
