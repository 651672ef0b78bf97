/* tests/unit/test_db.c - the storage fixture of test_db.h: fresh databases
 * on both engines, made and removed per group. */
#include "test_db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "db/migrate.h"

#define PG_ENV "INLET_TEST_PG"

bool test_db_is_pg(const struct test_db *t)
{
    return strcmp(t->engine, "postgres") == 0;
}

/* url with its database name replaced by name: the part after the host
 * list, up to the query. */
static char *pg_url_with_db(const char *url, const char *name)
{
    const char *auth = strstr(url, "://");
    auth = auth ? auth + 3 : url;
    size_t host_n = strcspn(auth, "/?");
    const char *query = strchr(auth + host_n, '?');
    struct buf b;
    buf_init(&b, 0);
    buf_put(&b, url, (size_t)(auth - url) + host_n);
    buf_printf(&b, "/%s%s", name, query ? query : "");
    return buf_take(&b);
}

/* Run sql on the database INLET_TEST_PG names (CREATE / DROP DATABASE). */
static int pg_admin(const char *sql)
{
    struct db *admin = NULL;
    struct err err = {0};
    int rc = db_open(&admin, getenv(PG_ENV), &err);
    if (rc == 0)
        rc = db_exec_script(admin, sql, &err);
    if (rc < 0)
        print_error("test_db: %s: %s\n", sql, err.msg);
    db_close(admin);
    return rc;
}

int test_db_create(struct test_db *t, const char *engine, bool migrate)
{
    static unsigned serial;
    struct err err = {0};
    char sql[128];

    memset(t, 0, sizeof(*t));
    t->engine = strcmp(engine, "postgres") == 0 ? "postgres" : "sqlite";
    if (test_db_is_pg(t)) {
        if (!getenv(PG_ENV)) {
            print_error("test_db: %s is not set; run under scripts/with-pg (make test does)\n",
                        PG_ENV);
            return -1;
        }
        char name[64];
        snprintf(name, sizeof(name), "inlet_test_%ld_%u", (long)getpid(), ++serial);
        snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
        if (pg_admin(sql) < 0)
            return -1;
        t->pg_name = xstrdup(name);
        t->url = pg_url_with_db(getenv(PG_ENV), name);
    } else {
        t->dir = test_tmpdir();
        if (!t->dir) {
            print_error("test_db: cannot make a temporary folder\n");
            return -1;
        }
        struct buf b;
        buf_init(&b, 0);
        buf_printf(&b, "sqlite:%s/inlet.db", t->dir);
        t->url = buf_take(&b);
    }
    int rc = db_open(&t->db, t->url, &err);
    if (rc == 0 && migrate)
        rc = db_migrate(t->db, NULL, &err);
    if (rc < 0) {
        print_error("test_db: %s: %s\n", t->engine, err.msg);
        test_db_destroy(t);
        return -1;
    }
    return 0;
}

void test_db_destroy(struct test_db *t)
{
    db_close(t->db);
    if (t->pg_name) {
        char sql[128];
        snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", t->pg_name);
        (void)pg_admin(sql);
    }
    if (t->dir)
        test_tmpdir_remove(t->dir);
    xfree(t->url);
    xfree(t->dir);
    xfree(t->pg_name);
    memset(t, 0, sizeof(*t));
}

struct db *test_db_connect(const struct test_db *t)
{
    struct db *db = NULL;
    struct err err = {0};
    assert_db_ok(db_open(&db, t->url, &err), &err);
    return db;
}

int64_t test_db_int(struct db *db, const char *sql)
{
    int64_t v = 0;
    struct err err = {0};
    assert_db_ok(db_query_int(&v, db, sql, NULL, 0, &err), &err);
    return v;
}

static bool setup_done; /* the last group setup succeeded */

static int setup(void **state, const char *engine)
{
    struct test_db *t = xcalloc(1, sizeof(*t));
    if (test_db_create(t, engine, true) < 0) {
        xfree(t);
        return -1;
    }
    *state = t;
    setup_done = true;
    return 0;
}

static int setup_sqlite(void **state)
{
    return setup(state, "sqlite");
}

static int setup_pg(void **state)
{
    return setup(state, "postgres");
}

static int teardown(void **state)
{
    if (!*state) /* cmocka tears down after a failed setup too */
        return 0;
    test_db_destroy(*state);
    xfree(*state);
    return 0;
}

/* One group on one engine. When its setup fails cmocka runs none of the
 * tests and reports one failure; count them all as failed. */
static int run_group(const char *name, const char *engine, const struct CMUnitTest *tests, size_t n,
                     int (*group_setup)(void **))
{
    char group[128];
    snprintf(group, sizeof(group), "%s/%s", name, engine);
    setup_done = false;
    int failed = _cmocka_run_group_tests(group, tests, n, group_setup, teardown);
    return test_count_((int)n, setup_done ? failed : (int)n);
}

int test_db_groups_(const char *name, const struct CMUnitTest *tests, size_t n)
{
    int failed = run_group(name, "sqlite", tests, n, setup_sqlite);
    if (!getenv(PG_ENV)) {
        print_error("[  FAILED  ] %s/postgres: %s is not set, so its %zu tests did not run; run "
                    "under scripts/with-pg (make test does)\n",
                    name, PG_ENV, n);
        return failed + test_count_((int)n, (int)n);
    }
    return failed + run_group(name, "postgres", tests, n, setup_pg);
}
