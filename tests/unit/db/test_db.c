/* tests/unit/db/test_db.c - the storage interface on both engines: URLs
 * (and that they follow INLET_DB's grammar), every value type through a
 * round trip, the values both engines refuse alike, placeholders,
 * streaming, the statement cache, transactions and change counts, error
 * mapping, locks, fault injection, row-level security and reconnecting. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/config.h"
#include "db/db.h"
#include "test_db.h"

/* --- URLs (no database needed) ---------------------------------------------- */

static void url_check_messages(void **state)
{
    (void)state;
    static const struct {
        const char *url, *msg; /* msg: a part the message must contain */
    } bad[] = {
        {"", "db url: expected sqlite:PATH or postgres://"},
        {"mysql://db", "got \"mysql://...\""},
        {"sqlite:", "needs a file path"},
        {"sqlite://data/x.db", "not sqlite://"},
        {"sqlite:a\x7f", "control character in the sqlite path at byte 8"},
        {"postgres://h:0/db", "db url: port at byte 13 of the URL is not a number in 1..65535"},
        {"postgres://h:99999/db", "port at byte 13"},
        {"postgres://h:5432x/db", "port at byte 13"},
        {"postgres://[::1/db", "invalid IPv6 address at byte 11"},
        {"postgres://h/db?sslmode", "query parameter at byte 16 of the URL is not KEY=VALUE"},
        {"postgres://h/db?a=1&&b=2", "query parameter at byte 20"},
        {"postgres://h/db?bogus=1", "db url: invalid URI query parameter"}, /* libpq's */
        {"postgres://h/d%zzb", "bad character or percent-escape in the database name"},
        {"postgres://h%2/db", "unexpected character in the host at byte 12"},
        {"postgres://", "no host after '//'"},
        {"postgresql:///inlet", "no host after '//'"},
        {"postgres://h", "no /DB at byte 12"},
        {"postgres://u:%00@h/db",
         "db url: bad character or percent-escape in the user or password at byte 13 of the URL"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct err err = {0};
        assert_int_equal(db_url_check(NULL, bad[i].url, &err), ERR_INVALID);
        if (!strstr(err.msg, bad[i].msg) || strncmp(err.msg, "db url: ", 8) != 0)
            fail_msg("%s: got \"%s\", want \"%s\"", bad[i].url, err.msg, bad[i].msg);
        assert_null(strchr(err.msg, '\n'));
    }
    static const char *const good[] = {
        "sqlite:/tmp/x.db",
        "sqlite:data/inlet.db",
        "sqlite::memory:",
        "postgresql:///inlet?host=/tmp",
        "postgres://u:p%40ss@[::1]:5432,h2:5433/db?sslmode=disable&connect_timeout=3",
        "postgres://u@%2Fvar%2Frun%2Fpostgresql/inlet",
    };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        struct err err = {0};
        const char *engine = NULL;
        if (db_url_check(&engine, good[i], &err) != 0)
            fail_msg("%s: %s", good[i], err.msg);
        assert_string_equal(engine, good[i][0] == 's' ? "sqlite" : "postgres");
    }
}

/* db_url_check and INLET_DB's check are one grammar: the same verdict and,
 * after the prefix, the same message, except for what only libpq knows
 * (parameter names). INLET_DB='postgres://u:%00@h/db' used to pass the
 * configuration and fail only at db_open, without naming the variable. */
static void url_check_agrees_with_config(void **state)
{
    (void)state;
    static const char *const urls[] = {
        "postgres://u:%00@h/db",
        "postgres://u:p%41@h/db",
        "postgres://h/db?sslmode=%00",
        "postgres://h/d%00b",
        "postgres://h%00/db",
        "postgres://[fe80::1%25eth0]/db",
        "postgres://u@/db?host=/tmp",
        "postgres://u@/db?h%6Fst=/tmp",
        "postgres:///db",
        "postgres://h",
        "postgres://h/",
        "postgres://:pw@h/db",
        "postgres://u@h/db#x",
        "postgres://u@h:1/db?password=a=b",
        "postgres://u@pg1,pg2:5433,[::1]/db",
        "postgres://u@pg1,/db",
        "postgres://u@h/db?application_name=a%20b",
        "sqlite:",
        "sqlite:x\x7f",
        "sqlite:/var/lib/inlet.db",
        "sqlite:///x",
        "mysql://x",
        "no scheme at all",
    };
    for (size_t i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
        struct err a = {0}, b = {0};
        int ra = db_url_check(NULL, urls[i], &a);
        int rb = config_db_url_check(NULL, urls[i], "INLET_DB", &b);
        if (ra != rb || (ra && strcmp(a.msg + strlen("db url: "), b.msg + strlen("INLET_DB: "))))
            fail_msg("%s: db_url_check %d \"%s\", config %d \"%s\"", urls[i], ra, a.msg, rb, b.msg);
    }
}

/* A password that lands in the wrong part of a malformed URL must not be
 * quoted back; nor may one in a URL that is fine but cannot connect. */
static void url_errors_never_quote_the_password(void **state)
{
    (void)state;
    static const char *const urls[] = {
        "hunter2@localhost",                                     /* no scheme */
        "postgres://u:hunter2/x@h/db",                           /* '/' in the password */
        "postgres://u:hunter2?x@h/db",                           /* '?' in the password */
        "postgres://u:hun@ter2@h/db",                            /* '@' in the password */
        "postgres://u:hunter2%zz@h/db",                          /* bad escape in the password */
        "postgres://u:hunter2%00@h/db",                          /* NUL in the password */
        "postgres://h/db?password=hunter2=x",                    /* '=' in a parameter */
        "postgres://h/db?password=hunter2%",                     /* bad escape in a parameter */
        "postgres://u:hunter2@127.0.0.1:1/db?connect_timeout=2", /* refused */
    };
    for (size_t i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
        struct db *db = NULL;
        struct err err = {0};
        int rc = db_open(&db, urls[i], &err);
        assert_true(rc == ERR_INVALID || rc == ERR_IO);
        assert_null(db);
        if (strstr(err.msg, "hunter") || strstr(err.msg, "ter2"))
            fail_msg("%s: message quotes the password: %s", urls[i], err.msg);
    }
}

static void open_missing_folder_is_io(void **state)
{
    (void)state;
    struct db *db = NULL;
    struct err err = {0};
    assert_int_equal(db_open(&db, "sqlite:/nonexistent-inlet-dir/x.db", &err), ERR_IO);
    assert_non_null(strstr(err.msg, "sqlite: /nonexistent-inlet-dir/x.db: "));
}

/* --- Values ------------------------------------------------------------------ */

static void values_round_trip(void **state)
{
    struct test_db *t = *state;
    struct db *db = t->db;
    struct err err = {0};
    struct db_rows *rows = NULL;
    static const unsigned char blob[] = {0, 1, 0, 255, '\\', 'x', '0', 0};
    const char *unicode = "h\xc3\xa9llo w\xc3\xb6rld \xe2\x9c\x93 \xe6\x97\xa5\xe6\x9c\xac "
                          "\xf0\x9f\x9a\x80";
    const char slice[] = "abcdef"; /* bound as "bcd", with no NUL after it */

    /* BYTEA is a valid type name on SQLite too (it holds blobs as they are). */
    assert_db_ok(db_exec_script(db,
                                "CREATE TABLE t_vals (id BIGINT PRIMARY KEY, i BIGINT,"
                                " d DOUBLE PRECISION, t TEXT, b BYTEA)",
                                &err),
                 &err);
    const char *ins = "INSERT INTO t_vals (id, i, d, t, b) VALUES ($1, $2, $3, $4, $5)";
    assert_db_ok(db_exec(db, ins,
                         DB_ARGS(DB_INT(1), DB_INT(INT64_MAX), DB_DOUBLE(0.1), DB_TEXT(unicode),
                                 DB_BLOB(blob, sizeof(blob))),
                         NULL, &err),
                 &err);
    assert_db_ok(db_exec(db, ins,
                         DB_ARGS(DB_INT(2), DB_INT(INT64_MIN), DB_DOUBLE(-1.5e308),
                                 DB_TEXTN(slice + 1, 3), DB_BLOB(NULL, 0)),
                         NULL, &err),
                 &err);
    assert_db_ok(
        db_exec(db, ins, DB_ARGS(DB_INT(3), DB_NULL, DB_NULL, DB_TEXT(NULL), DB_NULL), NULL, &err),
        &err);
    assert_db_ok(db_exec(db, ins, DB_ARGS(DB_INT(4), DB_INT(0), DB_DOUBLE(0), DB_TEXT(""), DB_NULL),
                         NULL, &err),
                 &err);

    assert_db_ok(
        db_query(&rows, db, "SELECT id, i, d, t, b FROM t_vals ORDER BY id", NULL, 0, &err), &err);
    size_t len;
    const unsigned char *b;

    assert_int_equal(db_rows_next(rows, &err), 1);
    assert_int_equal(db_rows_ncols(rows), 5);
    assert_true(db_rows_int(rows, 1) == INT64_MAX);
    assert_true(db_rows_double(rows, 2) == 0.1);
    assert_string_equal(db_rows_text(rows, 3), unicode);
    b = db_rows_blob(rows, 4, &len);
    assert_int_equal(len, sizeof(blob));
    assert_memory_equal(b, blob, sizeof(blob));
    assert_int_equal(b[len], 0);

    assert_int_equal(db_rows_next(rows, &err), 1);
    assert_true(db_rows_int(rows, 1) == INT64_MIN);
    assert_true(db_rows_double(rows, 2) == -1.5e308);
    assert_string_equal(db_rows_text(rows, 3), "bcd");
    b = db_rows_blob(rows, 4, &len);
    assert_non_null(b);
    assert_int_equal(len, 0);
    assert_false(db_rows_is_null(rows, 4));

    assert_int_equal(db_rows_next(rows, &err), 1);
    for (int c = 1; c < 5; c++)
        assert_true(db_rows_is_null(rows, c));
    assert_int_equal(db_rows_int(rows, 1), 0);
    assert_null(db_rows_text(rows, 3));
    assert_null(db_rows_blob(rows, 4, &len));
    assert_int_equal(len, 0);

    assert_int_equal(db_rows_next(rows, &err), 1);
    assert_false(db_rows_is_null(rows, 3));
    assert_string_equal(db_rows_text(rows, 3), "");

    assert_int_equal(db_rows_next(rows, &err), 0);
    assert_int_equal(db_rows_next(rows, &err), 0); /* and stays done */
    db_rows_free(rows);
}

static void values_in_expressions(void **state)
{
    struct test_db *t = *state;
    struct err err = {0};
    struct db_rows *rows = NULL;

    /* Numbers are typed (int8, float8) on PostgreSQL, so arithmetic on them
     * neither overflows int4 nor loses the fraction; booleans read as 1/0. */
    assert_db_ok(db_query_row(&rows, t->db, "SELECT $1 + 1, $2 * 2",
                              DB_ARGS(DB_INT(5000000000), DB_DOUBLE(1.25)), &err),
                 &err);
    assert_true(db_rows_int(rows, 0) == 5000000001);
    assert_true(db_rows_double(rows, 1) == 2.5);
    db_rows_free(rows);

    /* The same statement with other parameter types is another statement. */
    assert_db_ok(db_query_row(&rows, t->db, "SELECT $1 + 1, $2 * 2",
                              DB_ARGS(DB_DOUBLE(0.5), DB_INT(3)), &err),
                 &err);
    assert_true(db_rows_double(rows, 0) == 1.5);
    assert_int_equal(db_rows_int(rows, 1), 6);
    db_rows_free(rows);

    assert_db_ok(db_query_row(&rows, t->db, "SELECT 1 = 1, 1 = 0", NULL, 0, &err), &err);
    assert_int_equal(db_rows_int(rows, 0), 1);
    assert_int_equal(db_rows_int(rows, 1), 0);
    db_rows_free(rows);
}

static void placeholders(void **state)
{
    struct test_db *t = *state;
    struct err err = {0};
    struct db_rows *rows = NULL;

    /* $N inside literals, quoted identifiers and comments is not a parameter;
     * a placeholder may repeat and come in any order. */
    assert_db_ok(db_query_row(&rows, t->db,
                              "SELECT '$1', $2 AS \"a$1\", $1, 'it''s $2' /* $3 */ -- $4\n",
                              DB_ARGS(DB_TEXT("one"), DB_TEXT("two")), &err),
                 &err);
    assert_string_equal(db_rows_text(rows, 0), "$1");
    assert_string_equal(db_rows_text(rows, 1), "two");
    assert_string_equal(db_rows_text(rows, 2), "one");
    assert_string_equal(db_rows_text(rows, 3), "it's $2");
    db_rows_free(rows);

    assert_int_equal(db_exec(t->db, "SELECT $1, $2", DB_ARGS(DB_INT(1)), NULL, &err), ERR_INVALID);
    assert_string_equal(err.msg, "db: statement needs 2 parameters, 1 given");
    assert_int_equal(db_exec(t->db, "SELECT $0", DB_ARGS(DB_INT(1)), NULL, &err), ERR_INVALID);
    assert_int_equal(db_exec(t->db, "SELECT 1; SELECT 2", NULL, 0, NULL, &err), ERR_INVALID);
    assert_string_equal(err.msg, "db: a second statement at byte 10 (a script?)");
    assert_db_ok(db_exec(t->db, "SELECT 1; -- trailing comment\n", NULL, 0, NULL, &err), &err);
    assert_int_equal(db_exec(t->db, "SELECT $1", DB_ARGS(DB_TEXTN("a\0b", 3)), NULL, &err),
                     ERR_INVALID);
    assert_string_equal(err.msg, "db: parameter $1: text with a NUL byte (a blob?)");
}

/* What one engine stores and the other refuses is refused by both, before
 * it reaches either: invalid UTF-8 in TEXT (PostgreSQL refuses it, SQLite
 * stored it), and NaN or infinite doubles (SQLite binds NaN as NULL,
 * PostgreSQL stores NaN). */
static void values_both_engines_refuse(void **state)
{
    struct test_db *t = *state;
    struct db *db = t->db;
    struct err err = {0};
    struct db_rows *rows = NULL;
    const char *ins = "INSERT INTO t_refuse (t, d) VALUES ($1, $2)";

    assert_db_ok(db_exec_script(db, "CREATE TABLE t_refuse (t TEXT, d DOUBLE PRECISION)", &err),
                 &err);
    static const struct {
        const char *s;
        size_t n;
        const char *msg;
    } texts[] = {
        {"bad\xff", 4, "db: parameter $1: invalid UTF-8 at byte 3"},
        {"\xc0\xaf", 2, "db: parameter $1: invalid UTF-8 at byte 0"},        /* overlong */
        {"ok \xed\xa0\x80", 6, "db: parameter $1: invalid UTF-8 at byte 3"}, /* surrogate */
        {"cut \xe2\x9c", 6, "db: parameter $1: invalid UTF-8 at byte 4"},
        {"a\0b", 3, "db: parameter $1: text with a NUL byte (a blob?)"},
    };
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        assert_int_equal(
            db_exec(db, ins, DB_ARGS(DB_TEXTN(texts[i].s, texts[i].n), DB_DOUBLE(1)), NULL, &err),
            ERR_INVALID);
        assert_string_equal(err.msg, texts[i].msg);
        assert_int_equal(
            db_query(&rows, db, "SELECT $1", DB_ARGS(DB_TEXTN(texts[i].s, texts[i].n)), &err),
            ERR_INVALID);
        assert_null(rows);
    }
    /* The parameter is named by its number. */
    assert_int_equal(db_exec(db, ins, DB_ARGS(DB_TEXT("fine"), DB_DOUBLE(NAN)), NULL, &err),
                     ERR_INVALID);
    assert_string_equal(err.msg, "db: parameter $2: NaN is not a storable number");
    assert_int_equal(db_exec(db, ins, DB_ARGS(DB_TEXT("fine"), DB_DOUBLE(INFINITY)), NULL, &err),
                     ERR_INVALID);
    assert_string_equal(err.msg, "db: parameter $2: infinity is not a storable number");
    assert_int_equal(db_exec(db, ins, DB_ARGS(DB_TEXT("fine"), DB_DOUBLE(-INFINITY)), NULL, &err),
                     ERR_INVALID);
    assert_int_equal(db_query_row(&rows, db, "SELECT $1 + 0", DB_ARGS(DB_DOUBLE(NAN)), &err),
                     ERR_INVALID);
    assert_null(rows);

    /* Nothing was stored; valid text and finite doubles still are, the
     * largest and smallest included. */
    assert_int_equal(test_db_int(db, "SELECT count(*) FROM t_refuse"), 0);
    assert_db_ok(db_exec(db, ins,
                         DB_ARGS(DB_TEXT("h\xc3\xa9 \xf0\x9f\x9a\x80"), DB_DOUBLE(DBL_MAX)), NULL,
                         &err),
                 &err);
    assert_db_ok(db_exec(db, ins, DB_ARGS(DB_TEXT(""), DB_DOUBLE(-DBL_MIN)), NULL, &err), &err);
    assert_int_equal(test_db_int(db, "SELECT count(*) FROM t_refuse"), 2);
}

/* --- Results ----------------------------------------------------------------- */

static const char series_sql[] = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL"
                                 " SELECT i + 1 FROM n WHERE i < $1)"
                                 " SELECT i, 'row ' || i FROM n";

static void streams_many_rows(void **state)
{
    struct test_db *t = *state;
    struct err err = {0};
    struct db_rows *rows = NULL;
    int64_t count = 0, sum = 0;
    int rc;

    assert_db_ok(db_query(&rows, t->db, series_sql, DB_ARGS(DB_INT(100000)), &err), &err);
    while ((rc = db_rows_next(rows, &err)) == 1) {
        int64_t i = db_rows_int(rows, 0);
        char want[32];
        snprintf(want, sizeof(want), "row %lld", (long long)i);
        if (strcmp(db_rows_text(rows, 1), want) != 0)
            fail_msg("row %lld: %s", (long long)i, db_rows_text(rows, 1));
        count++;
        sum += i;
    }
    assert_db_ok(rc, &err);
    db_rows_free(rows);
    assert_int_equal(count, 100000);
    assert_true(sum == 100000LL * 100001 / 2);

    /* Freeing early discards the rest; the connection is usable at once. */
    assert_db_ok(db_query(&rows, t->db, series_sql, DB_ARGS(DB_INT(100000)), &err), &err);
    for (int i = 0; i < 10; i++)
        assert_int_equal(db_rows_next(rows, &err), 1);
    db_rows_free(rows);
    assert_int_equal(test_db_int(t->db, "SELECT 7"), 7);

    /* An empty result, and db_query_row on one. */
    assert_db_ok(db_query(&rows, t->db, series_sql, DB_ARGS(DB_INT(0)), &err), &err);
    assert_int_equal(db_rows_next(rows, &err), 1); /* the anchor row */
    assert_int_equal(db_rows_next(rows, &err), 0);
    db_rows_free(rows);
    assert_int_equal(db_query_row(&rows, t->db, "SELECT 1 WHERE 1 = 0", NULL, 0, &err),
                     ERR_NOTFOUND);
    assert_null(rows);
}

static void errors_surface_in_rows(void **state)
{
    struct test_db *t = *state;
    struct err err = {0};
    struct db_rows *rows = NULL;

    /* 10 / (3 - i) fails at the third row on PostgreSQL, which reports it
     * there, after streaming the first two; SQLite yields NULL instead. */
    assert_db_ok(db_query(&rows, t->db,
                          "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
                          " WHERE i < 3) SELECT 10 / (3 - i) FROM n",
                          NULL, 0, &err),
                 &err);
    assert_int_equal(db_rows_next(rows, &err), 1);
    assert_int_equal(db_rows_int(rows, 0), 5);
    assert_int_equal(db_rows_next(rows, &err), 1);
    assert_int_equal(db_rows_int(rows, 0), 10);
    if (test_db_is_pg(t)) {
        assert_int_equal(db_rows_next(rows, &err), ERR_INVALID);
        assert_string_equal(err.msg, "postgres: division by zero (SQLSTATE 22012)");
    } else {
        assert_int_equal(db_rows_next(rows, &err), 1);
        assert_true(db_rows_is_null(rows, 0));
    }
    assert_int_equal(db_rows_next(rows, &err), 0);
    db_rows_free(rows);
    assert_int_equal(test_db_int(t->db, "SELECT 8"), 8);
}

/* --- Statement cache --------------------------------------------------------- */

static void statement_cache(void **state)
{
    struct test_db *t = *state;
    struct err err = {0};
    uint64_t before = db_prepare_count(t->db);

    for (int i = 0; i < 50; i++) {
        int64_t v;
        assert_db_ok(db_query_int(&v, t->db, "SELECT $1 + 0", DB_ARGS(DB_INT(i)), &err), &err);
        assert_int_equal(v, i);
    }
    assert_int_equal(db_prepare_count(t->db) - before, 1);

    /* More distinct statements than the cache holds: it starts over, and the
     * server does not keep them either. */
    before = db_prepare_count(t->db);
    for (int i = 0; i < 600; i++) {
        char sql[64];
        int64_t v;
        snprintf(sql, sizeof(sql), "SELECT %d + $1", i);
        assert_db_ok(db_query_int(&v, t->db, sql, DB_ARGS(DB_INT(1)), &err), &err);
        assert_int_equal(v, i + 1);
    }
    assert_int_equal(db_prepare_count(t->db) - before, 600);
    if (test_db_is_pg(t))
        assert_true(test_db_int(t->db, "SELECT count(*) FROM pg_prepared_statements") <= 300);
}

/* --- Transactions ------------------------------------------------------------ */

static void transactions(void **state)
{
    struct test_db *t = *state;
    struct db *db = t->db;
    struct err err = {0};
    int64_t changes = -1;

    assert_db_ok(db_exec_script(db, "CREATE TABLE t_tx (id TEXT PRIMARY KEY, n BIGINT)", &err),
                 &err);
    assert_db_ok(db_begin(db, &err), &err);
    assert_db_ok(db_exec(db, "INSERT INTO t_tx VALUES ('a', 1)", NULL, 0, &changes, &err), &err);
    assert_int_equal(changes, 1);
    db_rollback(db);
    assert_int_equal(test_db_int(db, "SELECT count(*) FROM t_tx"), 0);

    assert_db_ok(db_begin(db, &err), &err);
    assert_db_ok(
        db_exec(db, "INSERT INTO t_tx VALUES ('a', 1), ('b', 2), ('c', 3)", NULL, 0, NULL, &err),
        &err);
    assert_db_ok(
        db_exec(db, "UPDATE t_tx SET n = n * 10 WHERE n >= $1", DB_ARGS(DB_INT(2)), &changes, &err),
        &err);
    assert_int_equal(changes, 2);
    assert_db_ok(db_commit(db, &err), &err);
    assert_int_equal(test_db_int(db, "SELECT sum(n) FROM t_tx"), 51);

    /* Only INSERT, UPDATE and DELETE count: after the UPDATE above, DDL and
     * a SELECT report 0 on both engines (SQLite kept the UPDATE's 2, and
     * PostgreSQL counted the SELECT's rows). */
    const char *other[] = {"CREATE TABLE t_tx2 (id TEXT)", "CREATE INDEX t_tx2_id ON t_tx2 (id)",
                           "SELECT * FROM t_tx", "DROP TABLE t_tx2"};
    for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
        assert_db_ok(db_exec(db, "UPDATE t_tx SET n = n WHERE n >= 20", NULL, 0, &changes, &err),
                     &err);
        assert_int_equal(changes, 2);
        changes = -1;
        assert_db_ok(db_exec(db, other[i], NULL, 0, &changes, &err), &err);
        if (changes != 0)
            fail_msg("%s: changes %lld, want 0", other[i], (long long)changes);
    }
    assert_db_ok(db_exec(db, "DELETE FROM t_tx WHERE n = 999", NULL, 0, &changes, &err), &err);
    assert_int_equal(changes, 0);

    /* After an error the transaction is failed on both engines: nothing more
     * runs in it and commit refuses, committing nothing. */
    assert_db_ok(db_begin(db, &err), &err);
    assert_db_ok(db_exec(db, "INSERT INTO t_tx VALUES ('d', 4)", NULL, 0, NULL, &err), &err);
    assert_int_equal(db_exec(db, "INSERT INTO t_tx VALUES ('a', 5)", NULL, 0, NULL, &err),
                     ERR_CONFLICT);
    assert_int_equal(db_exec(db, "INSERT INTO t_tx VALUES ('e', 5)", NULL, 0, NULL, &err),
                     ERR_INVALID);
    assert_non_null(strstr(err.msg, "roll it back"));
    assert_int_equal(db_commit(db, &err), ERR_INVALID);
    assert_int_equal(test_db_int(db, "SELECT count(*) FROM t_tx"), 3);

    /* Rollback without a transaction is harmless. */
    db_rollback(db);
    db_rollback(db);
    assert_int_equal(test_db_int(db, "SELECT count(*) FROM t_tx"), 3);
}

static void error_mapping(void **state)
{
    struct test_db *t = *state;
    struct db *db = t->db;
    struct err err = {0};
    struct db_rows *rows = NULL;
    const char *ins = "INSERT INTO tenants (id, name, created_at) VALUES ($1, $2, 0)";

    assert_db_ok(db_exec(db, ins, DB_ARGS(DB_TEXT("ten_map"), DB_TEXT("Map")), NULL, &err), &err);
    assert_int_equal(db_exec(db, ins, DB_ARGS(DB_TEXT("ten_map"), DB_TEXT("x")), NULL, &err),
                     ERR_CONFLICT);
    assert_int_equal(err.code, ERR_CONFLICT);
    assert_non_null(strstr(err.msg, t->engine));

    /* A unique violation on a secret-ish value: the message (PostgreSQL's
     * primary message, never its DETAIL) must not quote the value. */
    const char *key = "INSERT INTO api_keys (id, tenant_id, name, key_hash, created_at)"
                      " VALUES ($1, 'ten_map', 'k', $2, 0)";
    assert_db_ok(
        db_exec(db, key, DB_ARGS(DB_TEXT("key_1"), DB_TEXT("hash-secret-123")), NULL, &err), &err);
    assert_int_equal(
        db_exec(db, key, DB_ARGS(DB_TEXT("key_2"), DB_TEXT("hash-secret-123")), NULL, &err),
        ERR_CONFLICT);
    assert_null(strstr(err.msg, "secret-123"));
    assert_null(strchr(err.msg, '\n'));

    /* NOT NULL and foreign keys are ERR_INVALID. */
    assert_int_equal(db_exec(db, ins, DB_ARGS(DB_TEXT("ten_x"), DB_NULL), NULL, &err), ERR_INVALID);
    assert_int_equal(
        db_exec(db,
                "INSERT INTO integrations (id, tenant_id, connector_id, name,"
                " created_at, updated_at) VALUES ('int_x', 'ten_none', 'c', 'n', 0, 0)",
                NULL, 0, NULL, &err),
        ERR_INVALID);
    /* A value the column's type rejects: PostgreSQL's primary message
     * quotes it (`invalid input syntax for type bigint: "..."`), so a
     * secret bound to the wrong column would land in the message. Data
     * exceptions are reported by SQLSTATE and a fixed text instead. SQLite
     * stores the text as it is. */
    assert_db_ok(db_exec_script(db, "CREATE TABLE t_map (n BIGINT, i INTEGER)", &err), &err);
    int rc =
        db_exec(db, "INSERT INTO t_map (n) VALUES ($1)", DB_ARGS(DB_TEXT("hunter2")), NULL, &err);
    if (test_db_is_pg(t)) {
        assert_int_equal(rc, ERR_INVALID);
        assert_string_equal(err.msg,
                            "postgres: invalid input syntax for the type (SQLSTATE 22P02)");
    }
    assert_null(strstr(err.msg, "hunter2"));
    rc = db_query_row(&rows, db, "SELECT CAST($1 AS BIGINT)", DB_ARGS(DB_TEXT("hunter2")), &err);
    if (rc == 0)
        db_rows_free(rows);
    assert_true(rc == 0 || !strstr(err.msg, "hunter2"));
    assert_int_equal(rc, test_db_is_pg(t) ? ERR_INVALID : 0);
    rc = db_exec(db, "INSERT INTO t_map (i) VALUES ($1)", DB_ARGS(DB_TEXT("98765432109")), NULL,
                 &err);
    if (test_db_is_pg(t)) {
        assert_int_equal(rc, ERR_INVALID);
        assert_string_equal(err.msg, "postgres: numeric value out of range (SQLSTATE 22003)");
    }
    assert_null(strstr(err.msg, "98765432109"));

    /* Anything else is ERR_IO with the engine's message. */
    assert_int_equal(db_exec(db, "SELECT * FROM no_such_table", NULL, 0, NULL, &err), ERR_IO);
    assert_non_null(strstr(err.msg, "no_such_table"));
}

/* Two connections: a writer holds the lock, the other gives up after its
 * lock timeout with ERR_AGAIN (SQLite at BEGIN IMMEDIATE, PostgreSQL at the
 * conflicting row), and gets through once the first commits. */
static void lock_wait_is_again(void **state)
{
    struct test_db *t = *state;
    struct db *a = t->db, *b = test_db_connect(t);
    struct err err = {0};
    const char *upd = "UPDATE t_lock SET n = n + 1 WHERE id = 1";
    int rc;

    assert_db_ok(db_exec_script(a,
                                "CREATE TABLE t_lock (id BIGINT PRIMARY KEY, n BIGINT);"
                                "INSERT INTO t_lock VALUES (1, 0)",
                                &err),
                 &err);
    assert_db_ok(db_lock_timeout_set(b, 100, &err), &err);
    assert_db_ok(db_begin(a, &err), &err);
    assert_db_ok(db_exec(a, upd, NULL, 0, NULL, &err), &err);

    rc = db_begin(b, &err);
    if (rc == 0) {
        rc = db_exec(b, upd, NULL, 0, NULL, &err);
        db_rollback(b);
    }
    assert_int_equal(rc, ERR_AGAIN);

    assert_db_ok(db_commit(a, &err), &err);
    assert_db_ok(db_begin(b, &err), &err);
    assert_db_ok(db_exec(b, upd, NULL, 0, NULL, &err), &err);
    assert_db_ok(db_commit(b, &err), &err);
    assert_int_equal(test_db_int(a, "SELECT n FROM t_lock"), 2);
    db_close(b);
}

/* --- Fault injection --------------------------------------------------------- */

/* A transfer between two rows in five statements. */
static int transfer(struct db *db, struct err *err)
{
    int rc = db_begin(db, err);
    if (rc < 0)
        return rc;
    rc = db_exec(db, "UPDATE t_acct SET n = n - $1 WHERE id = 'a'", DB_ARGS(DB_INT(10)), NULL, err);
    if (rc == 0)
        rc = db_exec(db, "UPDATE t_acct SET n = n + $1 WHERE id = 'b'", DB_ARGS(DB_INT(10)), NULL,
                     err);
    if (rc == 0)
        rc = db_exec(db, "INSERT INTO t_acct_log (note) VALUES ($1)", DB_ARGS(DB_TEXT("a->b")),
                     NULL, err);
    if (rc == 0)
        return db_commit(db, err);
    db_rollback(db);
    return rc;
}

/* curl's torture / SQLite's *fault.test: fail the 1st statement, then the
 * 2nd, ... until the transfer succeeds; every failure leaves no trace. */
static void fault_injection_is_atomic(void **state)
{
    struct test_db *t = *state;
    struct db *db = t->db;
    struct err err = {0};
    int n, rc = -1;

    assert_db_ok(db_exec_script(db,
                                "CREATE TABLE t_acct (id TEXT PRIMARY KEY, n BIGINT);"
                                "CREATE TABLE t_acct_log (note TEXT);"
                                "INSERT INTO t_acct VALUES ('a', 100), ('b', 0)",
                                &err),
                 &err);
    for (n = 0; n < 20 && rc != 0; n++) {
        db_fail_after(db, n);
        rc = transfer(db, &err);
        if (rc == 0)
            break;
        assert_int_equal(rc, ERR_IO);
        assert_string_equal(err.msg, test_db_is_pg(t) ? "postgres: injected fault"
                                                      : "sqlite: injected fault");
        assert_int_equal(test_db_int(db, "SELECT n FROM t_acct WHERE id = 'a'"), 100);
        assert_int_equal(test_db_int(db, "SELECT n FROM t_acct WHERE id = 'b'"), 0);
        assert_int_equal(test_db_int(db, "SELECT count(*) FROM t_acct_log"), 0);
    }
    assert_int_equal(rc, 0);
    assert_int_equal(n, 5); /* begin, three statements, commit */
    db_fail_after(db, -1);
    assert_int_equal(test_db_int(db, "SELECT n FROM t_acct WHERE id = 'a'"), 90);
    assert_int_equal(test_db_int(db, "SELECT count(*) FROM t_acct_log"), 1);
}

/* --- Tenants ----------------------------------------------------------------- */

static void add_tenant_with_integration(struct db *db, const char *tenant, const char *integ)
{
    struct err err = {0};
    assert_db_ok(db_exec(db, "INSERT INTO tenants (id, name, created_at) VALUES ($1, $1, 0)",
                         DB_ARGS(DB_TEXT(tenant)), NULL, &err),
                 &err);
    assert_db_ok(db_exec(db,
                         "INSERT INTO integrations (id, tenant_id, connector_id, name,"
                         " created_at, updated_at) VALUES ($1, $2, 'salesforce', $1, 0, 0)",
                         DB_ARGS(DB_TEXT(integ), DB_TEXT(tenant)), NULL, &err),
                 &err);
}

/* Inside db_begin_tenant a query without WHERE tenant_id sees, changes and
 * inserts only that tenant's rows on PostgreSQL (the role running the tests
 * is not a superuser, so row-level security applies as in production).
 * SQLite has no RLS: there it is a plain transaction. */
static void tenant_transactions_isolate(void **state)
{
    struct test_db *t = *state;
    struct db *db = t->db;
    struct err err = {0};
    int64_t changes = 0;
    bool pg = test_db_is_pg(t);

    add_tenant_with_integration(db, "ten_rls_a", "int_rls_a");
    add_tenant_with_integration(db, "ten_rls_b", "int_rls_b");

    assert_db_ok(db_begin_tenant(db, "ten_rls_a", &err), &err);
    assert_int_equal(test_db_int(db, "SELECT count(*) FROM integrations WHERE id LIKE 'int_rls_%'"),
                     pg ? 1 : 2);
    assert_int_equal(test_db_int(db, "SELECT count(*) FROM tenants WHERE id LIKE 'ten_rls_%'"),
                     pg ? 1 : 2);
    assert_db_ok(db_exec(db, "UPDATE integrations SET status = 'paused' WHERE id LIKE 'int_rls_%'",
                         NULL, 0, &changes, &err),
                 &err);
    assert_int_equal(changes, pg ? 1 : 2);
    if (pg) {
        int rc = db_exec(db,
                         "INSERT INTO integrations (id, tenant_id, connector_id, name,"
                         " created_at, updated_at) VALUES ('int_rls_x', 'ten_rls_b', 'c',"
                         " 'n', 0, 0)",
                         NULL, 0, NULL, &err);
        assert_true(rc < 0);
        assert_non_null(strstr(err.msg, "row-level security"));
        db_rollback(db);
    } else {
        assert_db_ok(db_commit(db, &err), &err);
    }

    /* Outside the transaction the session is system code again. */
    assert_int_equal(test_db_int(db, "SELECT count(*) FROM integrations WHERE id LIKE 'int_rls_%'"),
                     2);
    assert_db_ok(db_begin_tenant(db, "ten_rls_b", &err), &err);
    assert_int_equal(test_db_int(db, "SELECT count(*) FROM integrations WHERE id = 'int_rls_a'"),
                     pg ? 0 : 1);
    assert_db_ok(db_commit(db, &err), &err);
    assert_int_equal(test_db_int(db, "SELECT count(*) FROM integrations WHERE id = 'int_rls_a'"),
                     1);
}

/* A read-only transaction takes no write lock: it starts and reads beside
 * a writer's open transaction, seeing what was committed before; on
 * PostgreSQL a write inside it fails. A writing transaction has to wait
 * there on SQLite, which is what makes the read-only one worth having. */
static void read_only_transactions(void **state)
{
    struct test_db *t = *state;
    struct db *w = test_db_connect(t), *r = test_db_connect(t);
    struct err err = {0};
    int64_t n = 0;

    assert_db_ok(db_exec_script(w,
                                "CREATE TABLE t_ro (v BIGINT);"
                                "INSERT INTO t_ro VALUES (1)",
                                &err),
                 &err);
    assert_db_ok(db_lock_timeout_set(r, 100, &err), &err);
    assert_db_ok(db_begin(w, &err), &err);
    assert_db_ok(db_exec(w, "INSERT INTO t_ro VALUES (2)", NULL, 0, NULL, &err), &err);

    assert_db_ok(db_begin_tenant_read(r, "ten_readonly", &err), &err);
    assert_db_ok(db_query_int(&n, r, "SELECT count(*) FROM t_ro", NULL, 0, &err), &err);
    assert_int_equal(n, 1);
    if (test_db_is_pg(t))
        assert_int_not_equal(db_exec(r, "INSERT INTO t_ro VALUES (3)", NULL, 0, NULL, &err), 0);
    db_rollback(r);
    if (!test_db_is_pg(t))
        assert_int_equal(db_begin_tenant(r, "ten_readonly", &err), ERR_AGAIN);

    assert_db_ok(db_commit(w, &err), &err);
    assert_int_equal(test_db_int(r, "SELECT count(*) FROM t_ro"), 2);
    db_close(r);
    db_close(w);
}

/* --- Connection loss (PostgreSQL) -------------------------------------------- */

/* Another session kills ours: outside a transaction the next statement
 * notices before it runs and reconnects (statement cache included); inside
 * one, the transaction fails and db_rollback brings the connection back. */
static void reconnects_after_loss(void **state)
{
    struct test_db *t = *state;
    if (!test_db_is_pg(t))
        skip();
    struct db *killer = test_db_connect(t);
    struct err err = {0};
    int64_t pid = test_db_int(t->db, "SELECT pg_backend_pid()");
    /* The timeout makes it wait until the session is gone. Integer
     * parameters are bigint on PostgreSQL, so cast where int is wanted. */
    const char *kill = "SELECT pg_terminate_backend(CAST($1 AS INTEGER), 5000)";

    assert_db_ok(db_exec(killer, kill, DB_ARGS(DB_INT(pid)), NULL, &err), &err);
    assert_int_equal(test_db_int(t->db, "SELECT 2"), 2);
    assert_int_equal(test_db_int(t->db, "SELECT pg_backend_pid()") != pid, 1);

    pid = test_db_int(t->db, "SELECT pg_backend_pid()");
    assert_db_ok(db_begin(t->db, &err), &err);
    assert_db_ok(db_exec(killer, kill, DB_ARGS(DB_INT(pid)), NULL, &err), &err);
    assert_int_equal(db_exec(t->db, "SELECT 1", NULL, 0, NULL, &err), ERR_IO);
    assert_int_equal(db_commit(t->db, &err), ERR_INVALID);
    db_rollback(t->db);
    assert_int_equal(test_db_int(t->db, "SELECT current_setting('inlet.system') = 'on'"), 1);
    db_close(killer);
}

int test_db(void)
{
    const struct CMUnitTest url_tests[] = {
        cmocka_unit_test(url_check_messages),
        cmocka_unit_test(url_check_agrees_with_config),
        cmocka_unit_test(url_errors_never_quote_the_password),
        cmocka_unit_test(open_missing_folder_is_io),
    };
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(values_round_trip),
        cmocka_unit_test(values_in_expressions),
        cmocka_unit_test(values_both_engines_refuse),
        cmocka_unit_test(placeholders),
        cmocka_unit_test(streams_many_rows),
        cmocka_unit_test(errors_surface_in_rows),
        cmocka_unit_test(statement_cache),
        cmocka_unit_test(transactions),
        cmocka_unit_test(error_mapping),
        cmocka_unit_test(lock_wait_is_again),
        cmocka_unit_test(read_only_transactions),
        cmocka_unit_test(fault_injection_is_atomic),
        cmocka_unit_test(tenant_transactions_isolate),
        cmocka_unit_test(reconnects_after_loss),
    };
    return test_group("db_url", url_tests, NULL, NULL) + test_group_db("db", tests);
}
