/* tests/unit/db/test_copy.c - bulk load through COPY FROM STDIN (db_copy_*)
 * on both engines: SQLite refuses it; PostgreSQL loads 100,000 rows sent in
 * pieces that split them, escapes round-trip, a refused row fails the end
 * and its transaction, the loader's temporary table + INSERT ... SELECT,
 * aborts, faults, a backend killed midway, and misuse caught by asserts. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/buf.h"
#include "db/db.h"
#include "test_db.h"

#define ROWS 100000

/* Fail the test unless the whole of s goes through db_copy_put. */
static void copy_put_ok(struct db *db, const char *s, size_t n)
{
    struct err err = {0};
    assert_db_ok(db_copy_put(db, s, n, &err), &err);
}

/* Fail the test unless db_copy_begin(sql) succeeds (PostgreSQL only). */
static void copy_begin_ok(struct db *db, const char *sql)
{
    struct err err = {0};
    assert_db_ok(db_copy_begin(db, sql, &err), &err);
}

/* --- Refusals (both engines) ----------------------------------------------- */

static void begin_refuses(void **state)
{
    struct test_db *t = *state;
    struct db *db = t->db;
    struct err err = {0};

    assert_db_ok(db_exec_script(db, "CREATE TABLE t_copy_ref (n BIGINT)", &err), &err);
    if (!test_db_is_pg(t)) {
        assert_int_equal(db_copy_begin(db, "COPY t_copy_ref (n) FROM STDIN", &err), ERR_INVALID);
        assert_string_equal(err.msg, "copy: PostgreSQL only");
        db_copy_abort(db); /* no COPY: nothing to do */
        assert_int_equal(test_db_int(db, "SELECT 1"), 1);
        /* Like any error inside a transaction, it fails it. */
        assert_db_ok(db_begin(db, &err), &err);
        assert_int_equal(db_copy_begin(db, "COPY t_copy_ref (n) FROM STDIN", &err), ERR_INVALID);
        assert_int_equal(db_exec(db, "SELECT 1", NULL, 0, NULL, &err), ERR_INVALID);
        db_rollback(db);
        return;
    }
    /* Only one COPY ... FROM STDIN statement: anything else would just run. */
    static const struct {
        const char *sql, *msg;
        enum err_code code;
    } bad[] = {
        {"SELECT 1", "copy: expected one COPY ... FROM STDIN statement, without parameters",
         ERR_INVALID},
        {"COPY t_copy_ref (n) FROM STDIN; DELETE FROM t_copy_ref",
         "db: a second statement at byte 32 (a script?)", ERR_INVALID},
        {"COPY t_copy_ref (n) FROM STDIN WHERE n > $1",
         "copy: expected one COPY ... FROM STDIN statement, without parameters", ERR_INVALID},
        {"COPY t_copy_ref TO STDOUT", "copy: not a COPY ... FROM STDIN statement", ERR_INVALID},
        {"COPY (SELECT 1) TO STDOUT", "copy: not a COPY ... FROM STDIN statement", ERR_INVALID},
        {"COPY no_such_table FROM STDIN", "postgres: relation \"no_such_table\" does not exist",
         ERR_IO},
    };
    assert_db_ok(db_exec(db, "INSERT INTO t_copy_ref VALUES (1), (2)", NULL, 0, NULL, &err), &err);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int rc = db_copy_begin(db, bad[i].sql, &err);
        if (rc != (int)bad[i].code || strcmp(err.msg, bad[i].msg) != 0)
            fail_msg("%s: got %d \"%s\", want %d \"%s\"", bad[i].sql, rc, err.msg, bad[i].code,
                     bad[i].msg);
        /* No COPY is left open: the connection takes statements at once. */
        assert_int_equal(test_db_int(db, "SELECT count(*) FROM t_copy_ref"), 2);
    }
}

static void escape_text(void **state)
{
    (void)state;
    struct buf b;
    static const char in[] = "tab\there\nnl\rcr\\bs \\N\xc3\xa9";
    buf_init(&b, 0);
    db_copy_escape(&b, in, sizeof(in) - 1);
    assert_string_equal(buf_cstr(&b), "tab\\there\\nnl\\rcr\\\\bs \\\\N\xc3\xa9");
    buf_reset(&b);
    db_copy_escape(&b, "ab\tcd", 3); /* n bytes, not up to a NUL */
    db_copy_escape(&b, NULL, 0);
    db_copy_escape(&b, "\\", 1);
    assert_string_equal(buf_cstr(&b), "ab\\t\\\\");
    buf_dispose(&b);
}

/* --- Loading (PostgreSQL) -------------------------------------------------- */

/* 100,000 rows sent in pieces of sizes that share no factor with a row's,
 * so rows (and escapes) split across calls; the last piece is bigger than
 * what db/pg.c hands libpq at once. */
static void loads_rows_split_across_puts(void **state)
{
    struct test_db *t = *state;
    struct db *db = t->db;
    struct err err = {0};
    static const size_t sizes[] = {1, 2, 3, 17, 100, 4093, 8191, 65537};
    struct buf text;
    int64_t rows = -1, want_sum = 0;

    if (!test_db_is_pg(t))
        skip();
    assert_db_ok(db_exec_script(db,
                                "CREATE TABLE t_copy_big (id BIGINT PRIMARY KEY, name TEXT,"
                                " amount BIGINT, score DOUBLE PRECISION)",
                                &err),
                 &err);
    buf_init(&text, 0);
    for (int64_t i = 1; i <= ROWS; i++) {
        int64_t amount = i * 7919 % 1000003;
        buf_printf(&text, "%lld\tname\\t%lld\t%lld\t%.17g\n", (long long)i, (long long)i,
                   (long long)amount, (double)i / 8);
        want_sum += amount;
    }
    assert_false(buf_failed(&text));
    assert_true(text.n / 2 > (1u << 20));

    uint64_t prepares = db_prepare_count(db);
    copy_begin_ok(db, "COPY t_copy_big (id, name, amount, score) FROM STDIN");
    size_t off = 0, k = 0;
    while (off < text.n) {
        size_t n = text.n - off < sizes[k % 8] ? text.n - off : sizes[k % 8];
        if (off >= text.n / 2) /* the rest at once: over 1 MiB */
            n = text.n - off;
        copy_put_ok(db, text.p + off, n);
        off += n;
        k++;
    }
    assert_db_ok(db_copy_end(db, &rows, &err), &err);
    assert_int_equal(rows, ROWS);
    assert_int_equal(db_prepare_count(db), prepares); /* COPY is not prepared */

    assert_int_equal(test_db_int(db, "SELECT count(*) FROM t_copy_big"), ROWS);
    assert_true(test_db_int(db, "SELECT sum(amount) FROM t_copy_big") == want_sum);
    struct db_rows *r = NULL;
    assert_db_ok(db_query_row(&r, db, "SELECT name, score FROM t_copy_big WHERE id = $1",
                              DB_ARGS(DB_INT(77777)), &err),
                 &err);
    assert_string_equal(db_rows_text(r, 0), "name\t77777");
    assert_true(db_rows_double(r, 1) == 77777.0 / 8);
    db_rows_free(r);
    buf_dispose(&text);
}

/* Every character COPY's text format treats specially comes back as it
 * was, through db_copy_escape; \N alone is NULL, and the text "\N" is not. */
static void escapes_round_trip(void **state)
{
    struct test_db *t = *state;
    struct db *db = t->db;
    struct err err = {0};
    static const char *const vals[] = {
        "tab\tinside",
        "new\nline",
        "carriage\rreturn\r\n",
        "back\\slash\\",
        "\\N",
        "\\.",
        "",
        NULL,
        "h\xc3\xa9llo \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x9a\x80",
        "\\\t\n\r\\\\",
        "trailing backslash \\",
    };
    const size_t nvals = sizeof(vals) / sizeof(vals[0]);
    struct buf text;
    int64_t rows = 0;

    if (!test_db_is_pg(t))
        skip();
    assert_db_ok(db_exec_script(db, "CREATE TABLE t_copy_esc (id BIGINT, v TEXT)", &err), &err);
    buf_init(&text, 0);
    for (size_t i = 0; i < nvals; i++) {
        buf_printf(&text, "%zu\t", i);
        if (vals[i])
            db_copy_escape(&text, vals[i], strlen(vals[i]));
        else
            buf_puts(&text, "\\N");
        buf_putc(&text, '\n');
    }
    copy_begin_ok(db, "COPY t_copy_esc (id, v) FROM STDIN");
    for (size_t i = 0; i < text.n; i += 3) /* escapes split too */
        copy_put_ok(db, text.p + i, text.n - i < 3 ? text.n - i : 3);
    assert_db_ok(db_copy_end(db, &rows, &err), &err);
    assert_int_equal(rows, nvals);

    struct db_rows *r = NULL;
    int rc;
    size_t i = 0;
    assert_db_ok(db_query(&r, db, "SELECT id, v FROM t_copy_esc ORDER BY id", NULL, 0, &err), &err);
    while ((rc = db_rows_next(r, &err)) == 1) {
        assert_int_equal(db_rows_int(r, 0), i);
        if (!vals[i])
            assert_true(db_rows_is_null(r, 1));
        else
            assert_string_equal(db_rows_text(r, 1), vals[i]);
        i++;
    }
    assert_db_ok(rc, &err);
    db_rows_free(r);
    assert_int_equal(i, nvals);
    buf_dispose(&text);
}

/* A value the column refuses fails db_copy_end, loading none of the COPY,
 * with a message that says where and never quotes the value; inside a
 * transaction it fails the transaction as db_exec would. */
static void refused_row_fails_at_end(void **state)
{
    struct test_db *t = *state;
    struct db *db = t->db;
    struct err err = {0};
    int64_t rows = -1;
    static const char good[] = "10\tten\n11\televen\n";

    if (!test_db_is_pg(t))
        skip();
    assert_db_ok(db_exec_script(db,
                                "CREATE TABLE t_copy_bad (n BIGINT PRIMARY KEY, s TEXT NOT NULL);"
                                "INSERT INTO t_copy_bad VALUES (1, 'one')",
                                &err),
                 &err);
    static const struct {
        const char *row, *msg;
        enum err_code code;
    } bad[] = {
        {"hunter2\tthree\n",
         "postgres: invalid input syntax for the type (SQLSTATE 22P02) at COPY line 3, column n",
         ERR_INVALID},
        {"99999999999999999999\tthree\n",
         "postgres: numeric value out of range (SQLSTATE 22003) at COPY line 3, column n",
         ERR_INVALID},
        {"3\n", "postgres: malformed COPY data (SQLSTATE 22P04) at COPY line 3", ERR_INVALID},
        {"3\t\\N\n",
         "postgres: null value in column \"s\" of relation \"t_copy_bad\" violates not-null"
         " constraint at COPY line 3",
         ERR_INVALID},
        {"1\tagain\n",
         "postgres: duplicate key value violates unique constraint \"t_copy_bad_pkey\" at COPY"
         " line 3",
         ERR_CONFLICT},
        {"3\tbad \xff utf-8\n",
         "postgres: invalid byte sequence for the encoding (SQLSTATE 22021) at COPY line 3",
         ERR_INVALID},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        bool tx = i % 2 == 0;
        if (tx)
            assert_db_ok(db_begin(db, &err), &err);
        copy_begin_ok(db, "COPY t_copy_bad (n, s) FROM STDIN");
        copy_put_ok(db, good, strlen(good));
        copy_put_ok(db, bad[i].row, strlen(bad[i].row));
        int rc = db_copy_end(db, &rows, &err);
        if (rc != (int)bad[i].code || strcmp(err.msg, bad[i].msg) != 0)
            fail_msg("%zu: got %d \"%s\", want %d \"%s\"", i, rc, err.msg, bad[i].code, bad[i].msg);
        assert_int_equal(rows, 0);
        assert_null(strstr(err.msg, "hunter2"));
        if (tx) {
            assert_int_equal(db_exec(db, "SELECT 1", NULL, 0, NULL, &err), ERR_INVALID);
            assert_non_null(strstr(err.msg, "roll it back"));
            assert_int_equal(db_commit(db, &err), ERR_INVALID);
        }
        if (tx)
            db_rollback(db);
        assert_int_equal(test_db_int(db, "SELECT count(*) FROM t_copy_bad"), 1);
    }
}

/* The loader's pattern: inside one transaction, COPY into a temporary table
 * and merge it with one INSERT ... SELECT ... ON CONFLICT DO UPDATE. Twice,
 * since the table dies with each transaction while the merge's prepared
 * statement stays cached. COPY straight into a tenant table is not possible:
 * PostgreSQL refuses COPY FROM into a table under row-level security. */
static void temp_table_then_merge(void **state)
{
    struct test_db *t = *state;
    struct db *db = t->db;
    struct err err = {0};
    int64_t rows = 0, changes = 0;

    if (!test_db_is_pg(t))
        skip();
    assert_db_ok(db_exec_script(db,
                                "CREATE TABLE t_copy_dst (id TEXT PRIMARY KEY, n BIGINT,"
                                " note TEXT); INSERT INTO t_copy_dst VALUES ('a', 1, 'old')",
                                &err),
                 &err);
    for (int round = 1; round <= 2; round++) {
        char text[128];
        snprintf(text, sizeof(text), "a\t%d\tnew\nb\t%d\t\\N\nc\t%d\tc\\tc\n", 10 * round,
                 20 * round, 30 * round);
        assert_db_ok(db_begin(db, &err), &err);
        assert_db_ok(db_exec_script(db,
                                    "CREATE TEMP TABLE t_copy_stage (LIKE t_copy_dst)"
                                    " ON COMMIT DROP",
                                    &err),
                     &err);
        copy_begin_ok(db, "COPY t_copy_stage (id, n, note) FROM STDIN");
        copy_put_ok(db, text, strlen(text));
        assert_db_ok(db_copy_end(db, &rows, &err), &err);
        assert_int_equal(rows, 3);
        assert_db_ok(db_exec(db,
                             "INSERT INTO t_copy_dst (id, n, note) SELECT id, n, note"
                             " FROM t_copy_stage ON CONFLICT (id) DO UPDATE"
                             " SET n = excluded.n, note = excluded.note",
                             NULL, 0, &changes, &err),
                     &err);
        assert_int_equal(changes, 3);
        assert_db_ok(db_commit(db, &err), &err);
        assert_int_equal(test_db_int(db, "SELECT sum(n) FROM t_copy_dst"), 60 * round);
    }
    assert_int_equal(test_db_int(db, "SELECT count(*) FROM t_copy_dst WHERE note IS NULL"), 1);
    assert_int_equal(test_db_int(db, "SELECT count(*) FROM t_copy_dst WHERE note = 'c\tc'"), 1);
    assert_int_equal(test_db_int(db, "SELECT count(*) FROM pg_tables WHERE tablename ="
                                     " 't_copy_stage'"),
                     0);

    assert_int_equal(db_copy_begin(db, "COPY tenants (id, name, created_at) FROM STDIN", &err),
                     ERR_IO);
    assert_string_equal(err.msg, "postgres: COPY FROM not supported with row-level security");
}

/* db_copy_abort loads nothing, outside a transaction and inside one (which
 * it fails); without a COPY it does nothing; db_close ends one too. */
static void abort_leaves_nothing(void **state)
{
    struct test_db *t = *state;
    struct db *db = t->db;
    struct err err = {0};
    static const char text[] = "1\n2\n3";

    if (!test_db_is_pg(t))
        skip();
    assert_db_ok(db_exec_script(db, "CREATE TABLE t_copy_abort (n BIGINT)", &err), &err);
    copy_begin_ok(db, "COPY t_copy_abort (n) FROM STDIN");
    copy_put_ok(db, text, strlen(text)); /* the last row is only half sent */
    db_copy_abort(db);
    db_copy_abort(db);
    assert_int_equal(test_db_int(db, "SELECT count(*) FROM t_copy_abort"), 0);

    assert_db_ok(db_begin(db, &err), &err);
    assert_db_ok(db_exec(db, "INSERT INTO t_copy_abort VALUES (42)", NULL, 0, NULL, &err), &err);
    copy_begin_ok(db, "COPY t_copy_abort (n) FROM STDIN");
    copy_put_ok(db, text, strlen(text));
    db_copy_abort(db);
    assert_int_equal(db_exec(db, "SELECT 1", NULL, 0, NULL, &err), ERR_INVALID);
    assert_int_equal(db_commit(db, &err), ERR_INVALID);
    assert_int_equal(test_db_int(db, "SELECT count(*) FROM t_copy_abort"), 0);

    struct db *other = test_db_connect(t);
    copy_begin_ok(other, "COPY t_copy_abort (n) FROM STDIN");
    copy_put_ok(other, "7\n", 2);
    db_close(other);
    assert_int_equal(test_db_int(db, "SELECT count(*) FROM t_copy_abort"), 0);
}

/* db_fail_after counts db_copy_begin and db_copy_end: fail each statement
 * of a load in turn; every failure leaves the table as it was. */
static int load(struct db *db, struct err *err)
{
    int64_t rows = 0;
    int rc = db_begin(db, err);
    if (rc < 0)
        return rc;
    rc = db_exec_script(db, "CREATE TEMP TABLE t_copy_fst (n BIGINT) ON COMMIT DROP", err);
    if (rc == 0)
        rc = db_copy_begin(db, "COPY t_copy_fst (n) FROM STDIN", err);
    if (rc == 0)
        rc = db_copy_put(db, "1\n2\n3\n", 6, err);
    if (rc == 0)
        rc = db_copy_end(db, &rows, err);
    if (rc == 0)
        rc = db_exec(db, "INSERT INTO t_copy_fault SELECT n FROM t_copy_fst", NULL, 0, NULL, err);
    if (rc == 0)
        return db_commit(db, err);
    db_copy_abort(db);
    db_rollback(db);
    return rc;
}

static void faults_leave_nothing(void **state)
{
    struct test_db *t = *state;
    struct db *db = t->db;
    struct err err = {0};
    int n, rc = -1;

    if (!test_db_is_pg(t))
        skip();
    assert_db_ok(db_exec_script(db, "CREATE TABLE t_copy_fault (n BIGINT)", &err), &err);
    for (n = 0; n < 20 && rc != 0; n++) {
        db_fail_after(db, n);
        rc = load(db, &err);
        if (rc == 0)
            break;
        assert_int_equal(rc, ERR_IO);
        assert_string_equal(err.msg, "postgres: injected fault");
        assert_int_equal(test_db_int(db, "SELECT count(*) FROM t_copy_fault"), 0);
    }
    assert_int_equal(rc, 0);
    assert_int_equal(n, 6); /* begin, create, copy begin, copy end, insert, commit */
    db_fail_after(db, -1);
    assert_int_equal(test_db_int(db, "SELECT sum(n) FROM t_copy_fault"), 6);
}

/* --- Connection loss (PostgreSQL) ------------------------------------------ */

/* Another session kills ours midway through a COPY: the load fails with
 * ERR_IO instead of hanging, at a put (libpq finds the socket closed while
 * sending) or at the end, and loads nothing; the connection comes back as
 * after any loss: at the next statement outside a transaction, at
 * db_rollback inside one. alarm() turns a hang into a failed run. */
static void killed_midway_is_io(void **state)
{
    struct test_db *t = *state;
    struct db *db = t->db;
    struct db *killer = NULL;
    struct err err = {0};
    const char *kill = "SELECT pg_terminate_backend(CAST($1 AS INTEGER), 5000)";
    char chunk[8192];

    if (!test_db_is_pg(t))
        skip();
    killer = test_db_connect(t);
    for (size_t i = 0; i < sizeof(chunk); i++) /* rows of "7" */
        chunk[i] = i % 2 ? '\n' : '7';
    assert_db_ok(db_exec_script(db, "CREATE TABLE t_copy_kill (n BIGINT)", &err), &err);

    /* Killed while idle: db_copy_begin notices and reconnects first, as
     * any statement outside a transaction does. */
    int64_t idle = test_db_int(db, "SELECT pg_backend_pid()"), rows = 0;
    assert_db_ok(db_exec(killer, kill, DB_ARGS(DB_INT(idle)), NULL, &err), &err);
    copy_begin_ok(db, "COPY t_copy_kill (n) FROM STDIN");
    copy_put_ok(db, "1\n", 2);
    assert_db_ok(db_copy_end(db, &rows, &err), &err);
    assert_int_equal(rows, 1);
    assert_true(test_db_int(db, "SELECT pg_backend_pid()") != idle);
    assert_db_ok(db_exec(db, "DELETE FROM t_copy_kill", NULL, 0, NULL, &err), &err);

    for (int round = 0; round < 4; round++) {
        bool tx = round & 1, more = round & 2; /* more: keep sending after the kill */
        int64_t pid = test_db_int(db, "SELECT pg_backend_pid()");
        int rc = 0;
        alarm(60);
        if (tx)
            assert_db_ok(db_begin(db, &err), &err);
        copy_begin_ok(db, "COPY t_copy_kill (n) FROM STDIN");
        copy_put_ok(db, chunk, sizeof(chunk));
        assert_db_ok(db_exec(killer, kill, DB_ARGS(DB_INT(pid)), NULL, &err), &err);
        for (int i = 0; more && i < 1000 && rc == 0; i++) /* up to 8 MB */
            rc = db_copy_put(db, chunk, sizeof(chunk), &err);
        if (rc == 0)
            rc = db_copy_end(db, &rows, &err);
        alarm(0);
        if (rc != ERR_IO)
            fail_msg("round %d: got %d \"%s\", want ERR_IO", round, rc, err.msg);
        assert_null(strchr(err.msg, '\n'));
        assert_int_equal(strncmp(err.msg, "postgres: ", 10), 0);
        if (tx) {
            assert_int_equal(db_exec(db, "SELECT 1", NULL, 0, NULL, &err), ERR_INVALID);
            db_rollback(db);
        }
        assert_true(test_db_int(db, "SELECT pg_backend_pid()") != pid);
        assert_int_equal(test_db_int(db, "SELECT count(*) FROM t_copy_kill"), 0);
        assert_int_equal(test_db_int(db, "SELECT current_setting('inlet.system') = 'on'"), 1);
    }
    db_close(killer);
}

/* --- Misuse (PostgreSQL) --------------------------------------------------- */

enum misuse {
    RUN_EXEC,
    RUN_QUERY,
    RUN_SCRIPT,
    RUN_BEGIN,
    RUN_ROLLBACK,
    RUN_COPY,
    RUN_LOCK,
    N_MISUSE
};

/* In a child, so that the assertion's abort ends only it. */
static void misuse_child(struct db *db, enum misuse what)
{
    struct err err = {0};
    struct db_rows *rows = NULL;
    int rc = 0;
    if (!freopen("/dev/null", "w", stderr))
        _exit(3);
    switch (what) {
    case RUN_EXEC:
        rc = db_exec(db, "SELECT 1", NULL, 0, NULL, &err);
        break;
    case RUN_QUERY:
        rc = db_query(&rows, db, "SELECT 1", NULL, 0, &err);
        break;
    case RUN_SCRIPT:
        rc = db_exec_script(db, "SELECT 1", &err);
        break;
    case RUN_BEGIN:
        rc = db_begin(db, &err);
        break;
    case RUN_ROLLBACK:
        db_rollback(db);
        break;
    case RUN_COPY:
        rc = db_copy_begin(db, "COPY t_copy_misuse (n) FROM STDIN", &err);
        break;
    case RUN_LOCK:
    case N_MISUSE:
        rc = db_lock_timeout_set(db, 100, &err);
        break;
    }
    _exit(rc == 0 ? 0 : 1); /* not reached when the assertion holds */
}

/* Any other call on the connection during a COPY is a caller bug, caught
 * by an assertion as with open rows; so is ending a COPY that is over. */
static void misuse_is_asserted(void **state)
{
    struct test_db *t = *state;
    struct db *db = t->db;
    struct err err = {0};
    int64_t rows = 0;

    if (!test_db_is_pg(t))
        skip();
    assert_db_ok(db_exec_script(db, "CREATE TABLE t_copy_misuse (n BIGINT)", &err), &err);
    copy_begin_ok(db, "COPY t_copy_misuse (n) FROM STDIN");
    copy_put_ok(db, "1\n", 2);
    fflush(NULL);
    for (int what = 0; what < N_MISUSE; what++) {
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0)
            misuse_child(db, (enum misuse)what);
        int status = 0;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT)
            fail_msg("misuse %d during a COPY was not asserted (status %d)", what, status);
    }
    /* The COPY is still whole in the parent. */
    copy_put_ok(db, "2\n", 2);
    assert_db_ok(db_copy_end(db, &rows, &err), &err);
    assert_int_equal(rows, 2);

    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stderr))
            _exit(3);
        _exit(db_copy_end(db, &rows, &err) == 0 ? 0 : 1);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
    assert_int_equal(test_db_int(db, "SELECT sum(n) FROM t_copy_misuse"), 3);
}

int test_db_copy(void)
{
    const struct CMUnitTest plain[] = {
        cmocka_unit_test(escape_text),
    };
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(begin_refuses),         cmocka_unit_test(loads_rows_split_across_puts),
        cmocka_unit_test(escapes_round_trip),    cmocka_unit_test(refused_row_fails_at_end),
        cmocka_unit_test(temp_table_then_merge), cmocka_unit_test(abort_leaves_nothing),
        cmocka_unit_test(faults_leave_nothing),  cmocka_unit_test(killed_midway_is_io),
        cmocka_unit_test(misuse_is_asserted),
    };
    return test_group("db_copy_escape", plain, NULL, NULL) + test_group_db("db_copy", tests);
}
