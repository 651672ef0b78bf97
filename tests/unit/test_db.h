/* tests/unit/test_db.h - the fixture of every storage suite. A group of
 * tests runs once per engine (SQLite's "permutations"): on SQLite in a fresh
 * temporary folder, and on PostgreSQL in a fresh database created through
 * INLET_TEST_PG (scripts/with-pg sets it; `make test` runs under it) and
 * dropped afterwards. Each test's *state is the group's struct test_db, its
 * database already migrated and shared by the tests of the group, so a test
 * uses rows and tables of its own. */
#ifndef INLET_TESTS_TEST_DB_H
#define INLET_TESTS_TEST_DB_H
#include <stdbool.h>

#include "core/err.h"
#include "db/db.h"
#include "test.h"

struct test_db {
    const char *engine; /* "sqlite" or "postgres" */
    struct db *db;      /* a connection to the database below */
    char *url;          /* of the database; from xmalloc */
    char *dir;          /* sqlite: the temporary folder holding it; from xmalloc */
    char *pg_name;      /* postgres: the database, dropped by test_db_destroy; from xmalloc */
};

/* Run tests (an array of struct CMUnitTest) as the cmocka groups
 * "<name>/sqlite" and "<name>/postgres", with *state a struct test_db *.
 * Without INLET_TEST_PG the PostgreSQL group fails, saying why: storage
 * code is never tested on one engine only by accident. Returns the number
 * of failures. */
#define test_group_db(name, tests)                                                                 \
    test_db_groups_((name), (tests), sizeof(tests) / sizeof((tests)[0]))
int test_db_groups_(const char *name, const struct CMUnitTest *tests, size_t n);

/* Make *t a fresh database of engine ("sqlite" or "postgres"), with every
 * migration applied when migrate is true, for a test that needs one of its
 * own. 0, or -1 after printing why. Release with test_db_destroy. */
int test_db_create(struct test_db *t, const char *engine, bool migrate);
/* Close, then remove the folder or drop the database. A zeroed *t is fine. */
void test_db_destroy(struct test_db *t);

/* A second connection to t's database (concurrency tests); db_close it.
 * Fails the test if it cannot connect. */
struct db *test_db_connect(const struct test_db *t);

bool test_db_is_pg(const struct test_db *t);

/* Column 0 of the first row of a query without parameters, as an integer;
 * fails the test on error or when there is no row. */
int64_t test_db_int(struct db *db, const char *sql);

/* Fail the test, with the error's message, unless expr returns 0. */
#define assert_db_ok(expr, errp)                                                                   \
    do {                                                                                           \
        int rc_ = (expr);                                                                          \
        if (rc_ != 0)                                                                              \
            fail_msg("%s: %s: %s", #expr, err_code_name((enum err_code)rc_), (errp)->msg);         \
    } while (0)

#endif
