/* db/sqlite.c - the SQLite engine behind db/db.h: the embedded default, one
 * file in WAL mode. $N placeholders become ?N when a statement is prepared;
 * statements are prepared once per connection and reset right after each
 * use, so no read transaction outlives a call or a db_rows. */
#include <pthread.h>
#include <sqlite3.h>
#include <string.h>

#include "core/alloc.h"
#include "db/db_int.h"

struct db_sqlite_rows {
    struct db_rows base; /* first: casts both ways */
    sqlite3_stmt *st;    /* a cached statement, borrowed while the rows are open */
};

struct db_sqlite {
    struct db base; /* first: casts both ways */
    sqlite3 *h;
    struct db_sqlite_rows rows; /* the one result a connection can have open */
};

static struct db_sqlite *conn_of(struct db *db)
{
    return (struct db_sqlite *)db;
}

static sqlite3_stmt *stmt_of(struct db_rows *rows)
{
    return ((struct db_sqlite_rows *)rows)->st;
}

/* Map SQLite's extended result code rc onto ours, with its message. */
static int sqlite_err(struct db_sqlite *s, int rc, struct err *err)
{
    enum err_code code = ERR_IO;
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        code = ERR_AGAIN;
        break;
    case SQLITE_CONSTRAINT:
        code = rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY ? ERR_CONFLICT
                                                                                    : ERR_INVALID;
        break;
    case SQLITE_TOOBIG:
        code = ERR_TOOBIG;
        break;
    case SQLITE_MISMATCH:
    case SQLITE_RANGE:
        code = ERR_INVALID;
        break;
    }
    return db__engine_err(err, code, "sqlite", sqlite3_errmsg(s->h));
}

/* Memory statistics (on by default) take one global mutex on every SQLite
 * allocation, which the API's threads then queue on; inlet never reads
 * them. Must run before SQLite initialises, hence once, before any open. */
static void configure_once(void)
{
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); /* SQLITE_MISUSE if initialised: harmless */
}

static int db_sqlite_open(struct db **out, const char *url, struct err *err)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    const char *path = url + strlen("sqlite:");
    struct db_sqlite *s = xcalloc(1, sizeof(*s));
    pthread_once(&once, configure_once);
    int rc = sqlite3_open_v2(
        path, &s->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_extended_result_codes(s->h, 1);
        sqlite3_busy_timeout(s->h, DB_LOCK_TIMEOUT);
        rc = sqlite3_exec(s->h,
                          "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                          " PRAGMA foreign_keys = ON",
                          NULL, NULL, NULL);
    }
    if (rc != SQLITE_OK) {
        rc = err_set(err, ERR_IO, "sqlite: %s: %s", path,
                     s->h ? sqlite3_errmsg(s->h) : sqlite3_errstr(rc));
        goto fail;
    }
    *out = &s->base;
    return 0;
fail:
    sqlite3_close_v2(s->h); /* a handle comes back even when opening fails */
    xfree(s);
    return rc;
}

static void db_sqlite_close(struct db *db)
{
    struct db_sqlite *s = conn_of(db);
    sqlite3_close_v2(s->h);
    xfree(s);
}

static int db_sqlite_prepare(struct db *db, struct db_stmt *st, const struct db_val *params,
                             struct err *err)
{
    struct db_sqlite *s = conn_of(db);
    sqlite3_stmt *stmt = NULL;
    struct buf sql;
    size_t maxn;
    (void)params; /* SQLite types each value as it is bound */

    buf_init(&sql, 0);
    int rc = db__placeholders(&maxn, st->sql, &sql, '?', err);
    if (rc == 0) {
        int src =
            sqlite3_prepare_v3(s->h, buf_cstr(&sql), -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
        if (src != SQLITE_OK)
            rc = sqlite_err(s, src, err);
        else if (!stmt)
            rc = err_set(err, ERR_INVALID, "sqlite: empty statement");
    }
    buf_dispose(&sql);
    st->impl = stmt;
    return rc;
}

static void db_sqlite_finalize(struct db *db, struct db_stmt *st)
{
    (void)db;
    sqlite3_finalize(st->impl);
}

/* Bind params; copy them when the statement outlives the call (db_query). */
static int bind(struct db_sqlite *s, sqlite3_stmt *st, const struct db_val *p, size_t n, bool copy,
                struct err *err)
{
    sqlite3_destructor_type keep = copy ? SQLITE_TRANSIENT : SQLITE_STATIC;
    for (size_t i = 0; i < n; i++) {
        int col = (int)i + 1, rc = SQLITE_OK;
        const void *bytes = p[i].n ? p[i].v.p : ""; /* a NULL pointer would bind NULL */
        switch (p[i].type) {
        case DB_VAL_NULL:
            rc = sqlite3_bind_null(st, col);
            break;
        case DB_VAL_INT:
            rc = sqlite3_bind_int64(st, col, p[i].v.i);
            break;
        case DB_VAL_DOUBLE:
            rc = sqlite3_bind_double(st, col, p[i].v.d);
            break;
        case DB_VAL_TEXT:
            rc = sqlite3_bind_text64(st, col, bytes, p[i].n, keep, SQLITE_UTF8);
            break;
        case DB_VAL_BLOB:
            rc = sqlite3_bind_blob64(st, col, bytes, p[i].n, keep);
            break;
        }
        if (rc != SQLITE_OK)
            return sqlite_err(s, rc, err);
    }
    return 0;
}

static int db_sqlite_exec(struct db *db, struct db_stmt *st, const struct db_val *params,
                          int64_t *changes, struct err *err)
{
    struct db_sqlite *s = conn_of(db);
    sqlite3_stmt *stmt = st->impl;
    int rc = bind(s, stmt, params, st->nparams, false, err);
    if (rc == 0) {
        /* sqlite3_changes64 keeps the count of the last INSERT, UPDATE or
         * DELETE through any other statement (DDL included); PostgreSQL
         * reports 0 for those. Only a statement that changed rows moves the
         * total, so a total that did not move means 0. */
        sqlite3_int64 before = sqlite3_total_changes64(s->h);
        int src;
        while ((src = sqlite3_step(stmt)) == SQLITE_ROW)
            ;
        if (src != SQLITE_DONE)
            rc = sqlite_err(s, src, err);
        else if (changes)
            *changes = sqlite3_total_changes64(s->h) != before ? sqlite3_changes64(s->h) : 0;
    }
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    return rc;
}

static int db_sqlite_query(struct db_rows **out, struct db *db, struct db_stmt *st,
                           const struct db_val *params, struct err *err)
{
    struct db_sqlite *s = conn_of(db);
    int rc = bind(s, st->impl, params, st->nparams, true, err);
    if (rc < 0) {
        sqlite3_clear_bindings(st->impl);
        return rc;
    }
    s->rows.st = st->impl;
    *out = &s->rows.base;
    return 0;
}

static int db_sqlite_next(struct db_rows *rows, struct err *err)
{
    int src = sqlite3_step(stmt_of(rows));
    if (src == SQLITE_ROW)
        return 1;
    rows->done = true;
    return src == SQLITE_DONE ? 0 : sqlite_err(conn_of(rows->db), src, err);
}

static void db_sqlite_rows_end(struct db_rows *rows)
{
    struct db_sqlite_rows *r = (struct db_sqlite_rows *)rows;
    sqlite3_reset(r->st);
    sqlite3_clear_bindings(r->st);
    r->st = NULL;
}

static bool db_sqlite_is_null(struct db_rows *rows, int col)
{
    return sqlite3_column_type(stmt_of(rows), col) == SQLITE_NULL;
}

static int64_t db_sqlite_get_int(struct db_rows *rows, int col)
{
    return sqlite3_column_int64(stmt_of(rows), col);
}

static double db_sqlite_get_double(struct db_rows *rows, int col)
{
    return sqlite3_column_double(stmt_of(rows), col);
}

/* sqlite3_column_text gives any value (a blob too) NUL-terminated; it
 * returns NULL for SQL NULL and, for an empty value, sometimes NULL too. */
static const void *db_sqlite_get_blob(struct db_rows *rows, int col, size_t *len)
{
    sqlite3_stmt *st = stmt_of(rows);
    if (sqlite3_column_type(st, col) == SQLITE_NULL) {
        *len = 0;
        return NULL;
    }
    const unsigned char *p = sqlite3_column_text(st, col);
    *len = (size_t)sqlite3_column_bytes(st, col);
    return p ? (const void *)p : "";
}

static const char *db_sqlite_get_text(struct db_rows *rows, int col)
{
    size_t len;
    return db_sqlite_get_blob(rows, col, &len);
}

static int db_sqlite_ncols(struct db_rows *rows)
{
    return sqlite3_column_count(stmt_of(rows));
}

static int run(struct db_sqlite *s, const char *sql, struct err *err)
{
    int rc = sqlite3_exec(s->h, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : sqlite_err(s, sqlite3_extended_errcode(s->h), err);
}

static int db_sqlite_script(struct db *db, const char *sql, struct err *err)
{
    return run(conn_of(db), sql, err);
}

/* IMMEDIATE takes the write lock now: a transaction that reads and then
 * writes can then never fail with SQLITE_BUSY halfway. A read-only one
 * takes none, so readers never queue behind each other or a writer. There
 * is no row-level security on SQLite: one file, one trusted process. */
static int db_sqlite_begin(struct db *db, const char *tenant_id, bool read_only, struct err *err)
{
    (void)tenant_id;
    return run(conn_of(db), read_only ? "BEGIN DEFERRED" : "BEGIN IMMEDIATE", err);
}

static int db_sqlite_commit(struct db *db, struct err *err)
{
    return run(conn_of(db), "COMMIT", err);
}

static void db_sqlite_rollback(struct db *db)
{
    struct db_sqlite *s = conn_of(db);
    if (!sqlite3_get_autocommit(s->h))
        sqlite3_exec(s->h, "ROLLBACK", NULL, NULL, NULL);
}

static int db_sqlite_lock_timeout(struct db *db, int ms, struct err *err)
{
    (void)err;
    sqlite3_busy_timeout(conn_of(db)->h, ms);
    return 0;
}

/* SQLite has no COPY: a bulk load there is a transaction of prepared
 * INSERTs, which is as fast as SQLite goes. */
static int db_sqlite_copy_begin(struct db *db, const char *sql, struct err *err)
{
    (void)db;
    (void)sql;
    return err_set(err, ERR_INVALID, "copy: PostgreSQL only");
}

const struct db_ops db_sqlite_ops = {
    .name = "sqlite",
    .open = db_sqlite_open,
    .close = db_sqlite_close,
    .prepare = db_sqlite_prepare,
    .finalize = db_sqlite_finalize,
    .exec = db_sqlite_exec,
    .query = db_sqlite_query,
    .next = db_sqlite_next,
    .rows_end = db_sqlite_rows_end,
    .is_null = db_sqlite_is_null,
    .get_int = db_sqlite_get_int,
    .get_double = db_sqlite_get_double,
    .get_text = db_sqlite_get_text,
    .get_blob = db_sqlite_get_blob,
    .ncols = db_sqlite_ncols,
    .script = db_sqlite_script,
    .begin = db_sqlite_begin,
    .commit = db_sqlite_commit,
    .rollback = db_sqlite_rollback,
    .lock_timeout = db_sqlite_lock_timeout,
    .copy_begin = db_sqlite_copy_begin,
};
