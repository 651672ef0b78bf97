/* tests/unit/sync/test_loader.c - the loader on both engines, fed Singer
 * lines as `inlet load` feeds it: tables made from schemas, upserts that
 * count created / updated / unchanged, appends without keys, duplicates
 * within a batch (the last wins), new properties and widened types,
 * numbers kept exact, records that fail validation (counted, kept, or
 * fatal when strict), soft deletes and ACTIVATE_VERSION, STATE released
 * only after its records commit (and stored in the same transaction),
 * appended streams (sync modes that append) and the reset of a table, and
 * the errors a stream can make. Each test uses tables of its own. */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/jsonx.h"
#include "singer/message.h"
#include "sync/loader.h"
#include "test.h"
#include "test_db.h"

struct run {
    struct test_db *t;
    struct loader *l;
    struct buf states;    /* committed STATEs, one per line */
    int saved;            /* save_state calls */
    bool save_in_tx_seen; /* the rows were there when save_state ran */
    const char *probe;    /* SQL save_state runs to look at the rows (count) */
    int64_t probe_count;
    int batches;             /* before_commit calls */
    int64_t batch_counts[4]; /* the rows in the table at each of the first four */
    const char *append;      /* the stream that is appended, NULL: none */
    int asked;               /* appended calls */
};

static int save(void *ctx, struct db *db, struct json_object *state, struct err *err)
{
    struct run *r = ctx;
    (void)state;
    r->saved++;
    if (r->probe)
        return db_query_int(&r->probe_count, db, r->probe, NULL, 0, err);
    return 0;
}

static int before_commit(void *ctx, struct db *db, struct err *err)
{
    struct run *r = ctx;
    int64_t n = 0;
    int rc = r->probe ? db_query_int(&n, db, r->probe, NULL, 0, err) : 0;
    if (r->batches < 4)
        r->batch_counts[r->batches] = n;
    r->batches++;
    return rc;
}

static void committed(void *ctx, struct json_object *state)
{
    struct run *r = ctx;
    jsonx_format(&r->states, state);
    buf_putc(&r->states, '\n');
}

static bool appended(void *ctx, const char *stream)
{
    struct run *r = ctx;
    r->asked++;
    return r->append && strcmp(stream, r->append) == 0;
}

/* A load in which stream append (NULL: none) is appended. */
static void start_append(struct run *r, void **state, size_t batch, bool strict, const char *append)
{
    struct err e;
    memset(r, 0, sizeof(*r));
    r->t = *state;
    r->append = append;
    buf_init(&r->states, 0);
    struct loader_opts o = {.db = r->t->db,
                            .batch_size = batch,
                            .strict = strict,
                            .save_state = save,
                            .before_commit = before_commit,
                            .committed = committed,
                            .appended = appended,
                            .ctx = r};
    assert_db_ok(loader_new(&r->l, &o, &e), &e);
}

static void start(struct run *r, void **state, size_t batch, bool strict)
{
    start_append(r, state, batch, strict, NULL);
}

/* Feed lines (separated by '\n'); returns the first error code (0 if none). */
static int feed(struct run *r, const char *lines, struct err *e)
{
    const char *p = lines;
    size_t lineno = 0;
    while (*p) {
        size_t n = strcspn(p, "\n");
        struct singer_msg m;
        lineno++;
        if (!singer_line_blank(p, n)) {
            int rc = singer_parse_line(&m, NULL, p, n, lineno, e);
            if (rc < 0)
                fail_msg("bad test line %zu: %s", lineno, e->msg);
            rc = loader_message(r->l, &m, e);
            singer_msg_dispose(&m);
            if (rc < 0)
                return rc;
        }
        p += n + (p[n] == '\n');
    }
    return 0;
}

static void finish(struct run *r)
{
    struct err e;
    assert_db_ok(loader_finish(r->l, &e), &e);
}

static void stop(struct run *r)
{
    loader_free(r->l);
    buf_dispose(&r->states);
}

static void counts(struct run *r, int64_t processed, int64_t created, int64_t updated,
                   int64_t unchanged, int64_t failed)
{
    struct loader_counts n;
    loader_counts(r->l, &n);
    if (n.processed != processed || n.created != created || n.updated != updated ||
        n.unchanged != unchanged || n.failed != failed)
        fail_msg("counts: processed %lld created %lld updated %lld unchanged %lld failed %lld",
                 (long long)n.processed, (long long)n.created, (long long)n.updated,
                 (long long)n.unchanged, (long long)n.failed);
}

/* Column 0 of the single row of sql, as text (copied into out). */
static const char *text1(struct test_db *t, const char *sql, char *out, size_t n)
{
    struct db_rows *r = NULL;
    struct err e;
    assert_db_ok(db_query_row(&r, t->db, sql, NULL, 0, &e), &e);
    const char *v = db_rows_text(r, 0);
    snprintf(out, n, "%s", v ? v : "(null)");
    db_rows_free(r);
    return out;
}

#define SCHEMA_A                                                                                   \
    "{\"type\":\"SCHEMA\",\"stream\":\"la_people\",\"key_properties\":[\"id\"],\"schema\":"        \
    "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"},\"name\":{\"type\":"       \
    "[\"null\",\"string\"]},\"tags\":{\"type\":[\"null\",\"array\"]}},\"required\":[\"id\"]}}\n"

static void upsert_counts(void **state)
{
    struct run r;
    struct err e;
    char v[128];

    start(&r, state, 100, false);
    assert_db_ok(feed(&r,
                      SCHEMA_A "{\"type\":\"RECORD\",\"stream\":\"la_people\",\"record\":{\"id\":1,"
                               "\"name\":\"Ada\",\"tags\":[\"a\"]}}\n"
                               "{\"type\":\"RECORD\",\"stream\":\"la_people\",\"record\":{\"id\":2,"
                               "\"name\":\"Alan\"}}\n"
                               "{\"type\":\"STATE\",\"value\":{\"at\":2}}\n",
                      &e),
                 &e);
    /* Nothing released before the commit. */
    assert_int_equal(r.states.n, 0);
    finish(&r);
    counts(&r, 2, 2, 0, 0, 0);
    assert_string_equal(buf_cstr(&r.states), "{\"at\":2}\n");
    assert_int_equal(r.saved, 1);
    stop(&r);

    /* Again: one changed, one the same, one new; a duplicate in the batch. */
    start(&r, state, 100, false);
    assert_db_ok(feed(&r,
                      SCHEMA_A "{\"type\":\"RECORD\",\"stream\":\"la_people\",\"record\":{\"id\":1,"
                               "\"name\":\"Ada L.\",\"tags\":[\"a\"]}}\n"
                               "{\"type\":\"RECORD\",\"stream\":\"la_people\",\"record\":{\"id\":2,"
                               "\"name\":\"Alan\"}}\n"
                               "{\"type\":\"RECORD\",\"stream\":\"la_people\",\"record\":{\"id\":3,"
                               "\"name\":\"Grace\"}}\n"
                               "{\"type\":\"RECORD\",\"stream\":\"la_people\",\"record\":{\"id\":3,"
                               "\"name\":\"Grace H.\"}}\n",
                      &e),
                 &e);
    finish(&r);
    struct loader_counts n;
    loader_counts(r.l, &n);
    assert_int_equal(n.processed, 4);
    assert_int_equal(n.created, 1);
    /* Every record is one of the three. SQLite upserts each line (id 3:
     * created, then updated); PostgreSQL merges the batch, where the last
     * of id 3 wins and the first counts as unchanged. */
    assert_int_equal(n.created + n.updated + n.unchanged, 4);
    assert_true(n.updated >= 1 && n.unchanged >= 1);
    assert_string_equal(text1(r.t, "SELECT name FROM la_people WHERE id = 3", v, sizeof(v)),
                        "Grace H.");
    assert_string_equal(text1(r.t, "SELECT name FROM la_people WHERE id = 1", v, sizeof(v)),
                        "Ada L.");
    assert_int_equal(test_db_int(r.t->db, "SELECT count(*) FROM la_people"), 3);
    stop(&r);
}

static void exact_numbers_and_shapes(void **state)
{
    struct run r;
    struct err e;
    char v[128];

    start(&r, state, 2, false);
    assert_db_ok(
        feed(&r,
             "{\"type\":\"SCHEMA\",\"stream\":\"la_num\",\"key_properties\":[\"k\"],\"schema\":"
             "{\"type\":\"object\",\"properties\":{\"k\":{\"type\":\"string\"},\"i\":{\"type\":"
             "[\"null\",\"integer\"]},\"d\":{\"type\":[\"null\",\"number\"]},\"o\":{\"type\":"
             "\"object\"}}}}\n"
             "{\"type\":\"RECORD\",\"stream\":\"la_num\",\"record\":{\"k\":\"max\","
             "\"i\":9223372036854775807,\"d\":19.99,\"o\":{\"x\":[1,2]}}}\n"
             "{\"type\":\"RECORD\",\"stream\":\"la_num\",\"record\":{\"k\":\"min\","
             "\"i\":-9223372036854775808,\"d\":0.10,\"o\":{}}}\n"
             "{\"type\":\"RECORD\",\"stream\":\"la_num\",\"record\":{\"k\":\"uni\\u00e9\","
             "\"i\":null,\"d\":123456789.123456789,\"o\":{\"t\":\"tab\\there\"}}}\n",
             &e),
        &e);
    finish(&r);
    assert_string_equal(text1(r.t, "SELECT i FROM la_num WHERE k = 'max'", v, sizeof(v)),
                        "9223372036854775807");
    assert_string_equal(text1(r.t, "SELECT i FROM la_num WHERE k = 'min'", v, sizeof(v)),
                        "-9223372036854775808");
    assert_string_equal(text1(r.t, "SELECT d FROM la_num WHERE k = 'max'", v, sizeof(v)), "19.99");
    assert_string_equal(text1(r.t, "SELECT d FROM la_num WHERE k = 'uni\xc3\xa9'", v, sizeof(v)),
                        "123456789.123456789");
    assert_string_equal(text1(r.t, "SELECT i FROM la_num WHERE k = 'uni\xc3\xa9'", v, sizeof(v)),
                        "(null)");
    struct json_object *o = NULL;
    text1(r.t, "SELECT o FROM la_num WHERE k = 'uni\xc3\xa9'", v, sizeof(v));
    assert_db_ok(jsonx_parse(&o, v, strlen(v), sizeof(v), &e), &e);
    assert_string_equal(jsonx_str(jsonx_get(o, "t")), "tab\there");
    json_object_put(o);
    stop(&r);
}

static void schema_changes_widen(void **state)
{
    struct run r;
    struct err e;
    char v[128];

    start(&r, state, 100, false);
    assert_db_ok(feed(&r,
                      "{\"type\":\"SCHEMA\",\"stream\":\"la_wide\",\"key_properties\":[\"id\"],"
                      "\"schema\":{\"type\":\"object\",\"properties\":{\"id\":{\"type\":"
                      "\"integer\"},\"n\":{\"type\":\"integer\"}}}}\n"
                      "{\"type\":\"RECORD\",\"stream\":\"la_wide\",\"record\":{\"id\":1,"
                      "\"n\":5}}\n"
                      /* a new property, and n becomes a string */
                      "{\"type\":\"SCHEMA\",\"stream\":\"la_wide\",\"key_properties\":[\"id\"],"
                      "\"schema\":{\"type\":\"object\",\"properties\":{\"id\":{\"type\":"
                      "\"integer\"},\"n\":{\"type\":\"string\"},\"extra\":{\"type\":"
                      "\"boolean\"}}}}\n"
                      "{\"type\":\"RECORD\",\"stream\":\"la_wide\",\"record\":{\"id\":2,"
                      "\"n\":\"five\",\"extra\":true}}\n",
                      &e),
                 &e);
    finish(&r);
    counts(&r, 2, 2, 0, 0, 0);
    assert_string_equal(text1(r.t, "SELECT n FROM la_wide WHERE id = 1", v, sizeof(v)), "5");
    assert_string_equal(text1(r.t, "SELECT n FROM la_wide WHERE id = 2", v, sizeof(v)), "five");
    assert_int_equal(test_db_int(r.t->db, "SELECT count(*) FROM la_wide WHERE extra IS NULL"), 1);
    stop(&r);

    /* The key properties a table was made with stay. */
    start(&r, state, 100, false);
    assert_int_equal(feed(&r,
                          "{\"type\":\"SCHEMA\",\"stream\":\"la_wide\",\"key_properties\":[\"n\"],"
                          "\"schema\":{\"type\":\"object\",\"properties\":{\"id\":{\"type\":"
                          "\"integer\"},\"n\":{\"type\":\"string\"}}}}\n",
                          &e),
                     ERR_INVALID);
    assert_string_equal(e.msg, "stream la_wide: key_properties changed from [\"id\"] to "
                               "[\"n\"]; its table la_wide keeps the ones it was made with until "
                               "a reset: DROP TABLE \"la_wide\", then run a full sync");
    stop(&r);
}

static void validation_and_strict(void **state)
{
    struct run r;
    struct err e;

    start(&r, state, 100, false);
    assert_db_ok(feed(&r,
                      SCHEMA_A
                      "{\"type\":\"RECORD\",\"stream\":\"la_people\",\"record\":{\"id\":10,"
                      "\"name\":7}}\n"
                      "{\"type\":\"RECORD\",\"stream\":\"la_people\",\"record\":{\"name\":\"x\"}}\n"
                      "{\"type\":\"RECORD\",\"stream\":\"la_people\",\"record\":{\"id\":11}}\n",
                      &e),
                 &e);
    finish(&r);
    struct loader_counts n;
    loader_counts(r.l, &n);
    assert_int_equal(n.failed, 2);
    assert_non_null(strstr(loader_errors(r.l), "la_people: record 1: /name: expected"));
    assert_non_null(strstr(loader_errors(r.l), "la_people: record 2: /id: is required"));
    assert_int_equal(test_db_int(r.t->db, "SELECT count(*) FROM la_people WHERE id >= 10"), 1);
    stop(&r);

    start(&r, state, 100, true);
    assert_int_equal(feed(&r,
                          SCHEMA_A "{\"type\":\"RECORD\",\"stream\":\"la_people\",\"record\":"
                                   "{\"id\":12}}\n"
                                   "{\"type\":\"RECORD\",\"stream\":\"la_people\",\"record\":"
                                   "{\"id\":\"x\"}}\n",
                          &e),
                     ERR_INVALID);
    /* The batch with the good record went back too. */
    stop(&r);
    assert_int_equal(test_db_int((*(struct test_db **)state)->db,
                                 "SELECT count(*) FROM la_people WHERE id = 12"),
                     0);

    /* A record before its schema. */
    start(&r, state, 100, false);
    assert_int_equal(
        feed(&r, "{\"type\":\"RECORD\",\"stream\":\"la_none\",\"record\":{\"id\":1}}\n", &e),
        ERR_INVALID);
    assert_non_null(strstr(e.msg, "before its SCHEMA"));
    stop(&r);
}

static void states_follow_commits(void **state)
{
    struct run r;
    struct err e;
    struct buf lines;

    /* Batches of 3: the STATE after record 4 waits for the second commit,
     * and when save_state runs, the records before it are in the table. */
    start(&r, state, 3, false);
    r.probe = "SELECT count(*) FROM la_state";
    buf_init(&lines, 0);
    buf_puts(&lines, "{\"type\":\"SCHEMA\",\"stream\":\"la_state\",\"key_properties\":[\"id\"],"
                     "\"schema\":{\"type\":\"object\",\"properties\":{\"id\":{\"type\":"
                     "\"integer\"}}}}\n");
    for (int i = 1; i <= 4; i++)
        buf_printf(&lines, "{\"type\":\"RECORD\",\"stream\":\"la_state\",\"record\":{\"id\":%d}}\n",
                   i);
    buf_puts(&lines, "{\"type\":\"STATE\",\"value\":4}\n");
    assert_db_ok(feed(&r, buf_cstr(&lines), &e), &e);
    assert_int_equal(r.states.n, 0);
    finish(&r);
    assert_string_equal(buf_cstr(&r.states), "4\n");
    assert_int_equal(r.probe_count, 4);
    /* Every batch, with a STATE or not, calls before_commit in its
     * transaction: after 3 records, then after the fourth. */
    assert_int_equal(r.batches, 2);
    assert_int_equal(r.batch_counts[0], 3);
    assert_int_equal(r.batch_counts[1], 4);
    buf_dispose(&lines);
    stop(&r);

    /* No keys: appended; soft deletes; ACTIVATE_VERSION. */
    start(&r, state, 100, false);
    assert_db_ok(
        feed(&r,
             "{\"type\":\"SCHEMA\",\"stream\":\"la_log\",\"schema\":{\"type\":\"object\","
             "\"properties\":{\"m\":{\"type\":\"string\"}}}}\n"
             "{\"type\":\"RECORD\",\"stream\":\"la_log\",\"record\":{\"m\":\"a\"},\"version\":1}\n"
             "{\"type\":\"RECORD\",\"stream\":\"la_log\",\"record\":{\"m\":\"a\"},\"version\":2}\n"
             "{\"type\":\"RECORD\",\"stream\":\"la_log\",\"record\":{\"m\":\"b\","
             "\"_sdc_deleted_at\":\"2026-01-01T00:00:00Z\"},\"version\":2}\n"
             "{\"type\":\"ACTIVATE_VERSION\",\"stream\":\"la_log\",\"version\":2}\n",
             &e),
        &e);
    finish(&r);
    assert_int_equal(test_db_int(r.t->db, "SELECT count(*) FROM la_log"), 3);
    assert_int_equal(
        test_db_int(r.t->db, "SELECT count(*) FROM la_log WHERE _inlet_deleted_at IS NULL"), 1);
    stop(&r);
}

/* A table past SQLite's expression depth (1000): the "unchanged" check
 * must still work, as one row-value comparison. */
static void wide_tables(void **state)
{
    enum { WIDE = 1200 };
    struct run r;
    struct err e;
    struct buf lines;

    buf_init(&lines, 0);
    buf_puts(&lines, "{\"type\":\"SCHEMA\",\"stream\":\"la_broad\",\"key_properties\":[\"id\"],"
                     "\"schema\":{\"type\":\"object\",\"properties\":{\"id\":{\"type\":"
                     "\"integer\"}");
    for (int i = 0; i < WIDE; i++)
        buf_printf(&lines, ",\"f%d\":{\"type\":[\"null\",\"string\"]}", i);
    buf_puts(&lines, "}}}\n");
    for (int pass = 0; pass < 3; pass++) {
        struct buf all;
        buf_init(&all, 0);
        buf_puts(&all, buf_cstr(&lines));
        buf_puts(&all, "{\"type\":\"RECORD\",\"stream\":\"la_broad\",\"record\":{\"id\":1");
        for (int i = 0; i < WIDE; i++)
            buf_printf(&all, ",\"f%d\":\"%s\"", i, pass == 2 && i == WIDE - 1 ? "new" : "v");
        buf_puts(&all, "}}\n");
        start(&r, state, 100, false);
        assert_db_ok(feed(&r, buf_cstr(&all), &e), &e);
        finish(&r);
        /* created, then unchanged, then updated (the last column moved) */
        counts(&r, 1, pass == 0, pass == 2, pass == 1, 0);
        stop(&r);
        buf_dispose(&all);
    }
    buf_dispose(&lines);
}

/* What a schema allows but a table cannot hold fails that record only. */
static void unstorable_records(void **state)
{
    struct run r;
    struct err e;
    char v[128];

    start(&r, state, 100, false);
    assert_db_ok(
        feed(&r,
             "{\"type\":\"SCHEMA\",\"stream\":\"la_nul\",\"key_properties\":[\"id\"],\"schema\":"
             "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":[\"null\",\"string\"]},"
             "\"a/b\":{\"type\":\"string\"},\"j\":{\"type\":\"object\"}}}}\n"
             "{\"type\":\"RECORD\",\"stream\":\"la_nul\",\"record\":{\"id\":null}}\n"
             "{\"type\":\"RECORD\",\"stream\":\"la_nul\",\"record\":{\"a/b\":\"x\"}}\n"
             "{\"type\":\"RECORD\",\"stream\":\"la_nul\",\"record\":{\"id\":\"1\",\"a/b\":"
             "\"x\\u0000y\"}}\n"
             /* JSONB refuses it too: the column widens to text instead */
             "{\"type\":\"RECORD\",\"stream\":\"la_nul\",\"record\":{\"id\":\"2\",\"j\":{\"k\":"
             "\"x\\u0000y\"}}}\n",
             &e),
        &e);
    finish(&r);
    counts(&r, 4, 1, 0, 0, 3);
    const char *errs = loader_errors(r.l);
    assert_non_null(strstr(errs, "la_nul: record 1: /id: a key property, so it must have a value"));
    assert_non_null(strstr(errs, "la_nul: record 2: /id: a key property"));
    assert_non_null(strstr(errs, "la_nul: record 3: /a~1b: \"\\u0000\" in a string"));
    assert_string_equal(text1(r.t, "SELECT j FROM la_nul WHERE id = '2'", v, sizeof(v)),
                        "{\"k\":\"x\\u0000y\"}");
    stop(&r);

    /* Strict: the first one ends the load. */
    start(&r, state, 100, true);
    assert_int_equal(
        feed(&r, "{\"type\":\"RECORD\",\"stream\":\"la_nul\",\"record\":{\"id\":null}}\n", &e),
        ERR_INVALID);
    stop(&r);
}

/* Stream names that normalize alike get tables of their own, for good. */
static void colliding_stream_names(void **state)
{
    static const char *const orders[2][2] = {{"La_Twin", "la twin"}, {"la twin", "La_Twin"}};
    struct run r;
    struct err e;
    char v[128];

    for (int pass = 0; pass < 2; pass++) {
        struct buf lines;
        buf_init(&lines, 0);
        for (int i = 0; i < 2; i++)
            buf_printf(&lines,
                       "{\"type\":\"SCHEMA\",\"stream\":\"%s\",\"schema\":{\"type\":\"object\","
                       "\"properties\":{\"who\":{\"type\":\"string\"}}}}\n"
                       "{\"type\":\"RECORD\",\"stream\":\"%s\",\"record\":{\"who\":\"%s\"}}\n",
                       orders[pass][i], orders[pass][i], orders[pass][i]);
        start(&r, state, 100, false);
        assert_db_ok(feed(&r, buf_cstr(&lines), &e), &e);
        finish(&r);
        stop(&r);
        buf_dispose(&lines);
    }
    /* The first stream seen kept la_twin, in both loads. */
    assert_int_equal(test_db_int(((struct test_db *)*state)->db,
                                 "SELECT count(*) FROM la_twin WHERE who = 'La_Twin'"),
                     2);
    assert_int_equal(test_db_int(((struct test_db *)*state)->db,
                                 "SELECT count(*) FROM la_twin_2 WHERE who = 'la twin'"),
                     2);
    assert_string_equal(text1(*state,
                              "SELECT table_name FROM _inlet_tables WHERE stream = 'la twin'", v,
                              sizeof(v)),
                        "la_twin_2");
}

#define SCHEMA_LOG(stream)                                                                         \
    "{\"type\":\"SCHEMA\",\"stream\":\"" stream "\",\"key_properties\":[\"id\"],\"schema\":"       \
    "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"},\"what\":{\"type\":"       \
    "\"string\"}}}}\n"
#define RECORD_LOG(stream, id, what)                                                               \
    "{\"type\":\"RECORD\",\"stream\":\"" stream "\",\"version\":7,\"record\":{\"id\":" #id         \
    ",\"what\":\"" what "\"}}\n"

#define ACTIVATE_8 "{\"type\":\"ACTIVATE_VERSION\",\"stream\":\"la_appended\",\"version\":8}\n"

/* An appended stream: its SCHEMA's key ignored, every record a row, the
 * same key twice included, ACTIVATE_VERSION leaving earlier rows; a table
 * made with a key refuses to become appended (and back) until it is
 * dropped, which resets it. */
static void appended_streams(void **state)
{
    struct test_db *t = *state;
    struct run r;
    struct err e;

    start_append(&r, state, 2, false, "la_appended");
    assert_db_ok(feed(&r,
                      SCHEMA_LOG("la_appended") RECORD_LOG("la_appended", 1, "a")
                          RECORD_LOG("la_appended", 1, "b") RECORD_LOG("la_appended", 2, "c")
                              RECORD_LOG("la_appended", 1, "b"),
                      &e),
                 &e);
    finish(&r);
    counts(&r, 4, 4, 0, 0, 0);
    assert_int_equal(r.asked, 1); /* at the SCHEMA, not per record */
    stop(&r);
    assert_int_equal(test_db_int(t->db, "SELECT count(*) FROM la_appended"), 4);
    assert_int_equal(test_db_int(t->db, "SELECT count(*) FROM la_appended WHERE id = 1"), 3);
    assert_int_equal(test_db_int(t->db, "SELECT count(*) FROM la_appended WHERE what = 'b'"), 2);
    assert_int_equal(
        test_db_int(t->db,
                    "SELECT count(*) FROM _inlet_columns WHERE table_name = 'la_appended' AND "
                    "is_key <> 0"),
        0);

    /* A full refresh appended again: the snapshot before stays as it was. */
    start_append(&r, state, 100, false, "la_appended");
    assert_db_ok(
        feed(&r, SCHEMA_LOG("la_appended") RECORD_LOG("la_appended", 1, "a") ACTIVATE_8, &e), &e);
    finish(&r);
    stop(&r);
    assert_int_equal(test_db_int(t->db, "SELECT count(*) FROM la_appended"), 5);
    assert_int_equal(
        test_db_int(t->db, "SELECT count(*) FROM la_appended WHERE _inlet_deleted_at IS NOT NULL"),
        0);

    /* Upserted by the same SCHEMA's key: refused, naming the reset. */
    start(&r, state, 100, false);
    assert_int_equal(feed(&r, SCHEMA_LOG("la_appended"), &e), ERR_INVALID);
    assert_string_equal(e.msg,
                        "stream la_appended: its table la_appended was created without a key "
                        "(appended); upserting by [\"id\"] needs a reset: DROP TABLE "
                        "\"la_appended\", then run a full sync");
    stop(&r);

    /* A keyed table switched to appending: refused the same way. */
    start(&r, state, 100, false);
    assert_db_ok(feed(&r, SCHEMA_LOG("la_keyed") RECORD_LOG("la_keyed", 1, "a"), &e), &e);
    finish(&r);
    stop(&r);
    start_append(&r, state, 100, false, "la_keyed");
    assert_int_equal(feed(&r, SCHEMA_LOG("la_keyed") RECORD_LOG("la_keyed", 1, "b"), &e),
                     ERR_INVALID);
    assert_string_equal(e.msg, "stream la_keyed: its table la_keyed was created with key "
                               "[\"id\"]; switching it to an append mode needs a reset: DROP "
                               "TABLE \"la_keyed\", then run a full sync");
    stop(&r);
    assert_int_equal(test_db_int(t->db, "SELECT count(*) FROM la_keyed"), 1); /* untouched */

    /* The reset the message names: the table is made again, without a key. */
    assert_db_ok(db_exec(t->db, "DROP TABLE \"la_keyed\"", NULL, 0, NULL, &e), &e);
    start_append(&r, state, 100, false, "la_keyed");
    assert_db_ok(feed(&r,
                      SCHEMA_LOG("la_keyed") RECORD_LOG("la_keyed", 1, "b")
                          RECORD_LOG("la_keyed", 1, "c"),
                      &e),
                 &e);
    finish(&r);
    counts(&r, 2, 2, 0, 0, 0);
    stop(&r);
    assert_int_equal(test_db_int(t->db, "SELECT count(*) FROM la_keyed WHERE id = 1"), 2);
    assert_int_equal(
        test_db_int(t->db, "SELECT count(*) FROM _inlet_columns WHERE table_name = 'la_keyed'"), 2);
    assert_int_equal(
        test_db_int(t->db, "SELECT count(*) FROM _inlet_columns WHERE table_name = 'la_keyed' AND "
                           "is_key <> 0"),
        0);
}

int test_loader(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(upsert_counts),         cmocka_unit_test(exact_numbers_and_shapes),
        cmocka_unit_test(schema_changes_widen),  cmocka_unit_test(validation_and_strict),
        cmocka_unit_test(states_follow_commits), cmocka_unit_test(wide_tables),
        cmocka_unit_test(unstorable_records),    cmocka_unit_test(colliding_stream_names),
        cmocka_unit_test(appended_streams),
    };
    return test_group_db("loader", tests);
}
