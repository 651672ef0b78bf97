/* db/db.c - the engine-independent half of db/db.h: opening, the
 * per-connection statement cache, transaction and COPY bookkeeping, fault
 * injection and the $N scanner. Everything engine-specific is behind db->ops
 * (db/sqlite.c, db/pg.c), so the rules enforced here hold for both. */
#include "db/db.h"

#include <assert.h>
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/str.h"
#include "db/db_int.h"

#define DB_VALUE_MAX 1000000000u /* bytes in one TEXT or BLOB value (both engines' limit) */

int db_open(struct db **out, const char *url, struct err *err)
{
    const char *engine;
    struct db *db;
    int rc = db_url_check(&engine, url, err);
    if (rc < 0)
        return rc;
    const struct db_ops *ops = strcmp(engine, "sqlite") == 0 ? &db_sqlite_ops : &db_pg_ops;
    rc = ops->open(&db, url, err);
    if (rc < 0)
        return rc;
    db->ops = ops;
    db->fail_after = -1;
    *out = db;
    return 0;
}

void db_close(struct db *db)
{
    if (!db)
        return;
    db_rows_free(db->rows);
    db_copy_abort(db);
    db__cache_clear(db);
    db->ops->close(db); /* an open transaction dies with the connection */
}

const char *db_engine(const struct db *db)
{
    return db->ops->name;
}

/* --- The statement cache ------------------------------------------------ */

/* PostgreSQL fixes parameter types when it prepares, so the types of a
 * call are part of the key; NULL goes with TEXT, whose type the server
 * infers from the statement either way. */
static char sig_letter(enum db_val_type t)
{
    switch (t) {
    case DB_VAL_INT:
        return 'i';
    case DB_VAL_DOUBLE:
        return 'd';
    case DB_VAL_BLOB:
        return 'b';
    default:
        return 't';
    }
}

static uint32_t stmt_hash(const char *sql, const struct db_val *params, size_t n)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)sql; *p; p++)
        h = (h ^ *p) * 16777619u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)sig_letter(params[i].type)) * 16777619u;
    return h;
}

/* True when st was prepared for sql with the types of params. */
static bool stmt_matches(const struct db_stmt *st, const char *sql, const struct db_val *params,
                         size_t n)
{
    if (st->nparams != n || strcmp(st->sql, sql) != 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (st->sig[i] != sig_letter(params[i].type))
            return false;
    return true;
}

static struct db_stmt *cache_find(struct db *db, uint32_t h, const char *sql,
                                  const struct db_val *params, size_t n)
{
    for (struct db_stmt *st = db->cache[h % DB_CACHE_BUCKETS]; st; st = st->next)
        if (st->hash == h && stmt_matches(st, sql, params, n))
            return st;
    return NULL;
}

static void stmt_free(struct db *db, struct db_stmt *st)
{
    if (st->impl)
        db->ops->finalize(db, st);
    xfree(st->sql);
    xfree(st->sig);
    xfree(st);
}

void db__cache_clear(struct db *db)
{
    for (size_t b = 0; b < DB_CACHE_BUCKETS; b++) {
        while (db->cache[b]) {
            struct db_stmt *st = db->cache[b];
            db->cache[b] = st->next;
            stmt_free(db, st);
        }
    }
    db->ncached = 0;
    db->last = NULL;
}

/* Refuse here what the two engines would treat differently: PostgreSQL
 * rejects invalid UTF-8 and NUL in text where SQLite stores them, and SQLite
 * binds a NaN as NULL where PostgreSQL stores NaN. */
static int check_params(const struct db_val *params, size_t n, struct err *err)
{
    for (size_t i = 0; i < n; i++) {
        const struct db_val *v = &params[i];
        size_t bad;
        if (v->type == DB_VAL_DOUBLE && !isfinite(v->v.d))
            return err_set(err, ERR_INVALID, "db: parameter $%zu: %s is not a storable number",
                           i + 1, isnan(v->v.d) ? "NaN" : "infinity");
        if (v->type != DB_VAL_TEXT && v->type != DB_VAL_BLOB)
            continue;
        if (v->n > DB_VALUE_MAX)
            return err_set(err, ERR_TOOBIG, "db: parameter $%zu: %zu bytes, over the %u limit",
                           i + 1, v->n, DB_VALUE_MAX);
        if (v->type != DB_VAL_TEXT || v->n == 0)
            continue;
        if (memchr(v->v.p, '\0', v->n))
            return err_set(err, ERR_INVALID, "db: parameter $%zu: text with a NUL byte (a blob?)",
                           i + 1);
        if (!str_utf8_valid(v->v.p, v->n, &bad))
            return err_set(err, ERR_INVALID, "db: parameter $%zu: invalid UTF-8 at byte %zu", i + 1,
                           bad);
    }
    return 0;
}

/* The cached statement for (sql, types of params), prepared on a miss. */
static int stmt_get(struct db_stmt **out, struct db *db, const char *sql,
                    const struct db_val *params, size_t n, struct err *err)
{
    /* A loop runs one statement many times: checking the last one first
     * skips hashing the SQL text, the largest cost a cache hit had. */
    if (db->last && stmt_matches(db->last, sql, params, n)) {
        *out = db->last;
        return 0;
    }
    uint32_t h = stmt_hash(sql, params, n);
    struct db_stmt *st = cache_find(db, h, sql, params, n);
    size_t maxn = 0;
    int rc;

    if (st) {
        *out = db->last = st;
        return 0;
    }
    rc = db__placeholders(&maxn, sql, NULL, '$', err);
    if (rc < 0)
        return rc;
    if (maxn != n)
        return err_set(err, ERR_INVALID, "db: statement needs %zu parameters, %zu given", maxn, n);
    if (db->ncached >= DB_CACHE_MAX) {
        /* Statements are program text, so this is rare (generated SQL for
         * many destination tables): start over rather than track use. */
        db__cache_clear(db);
        if (db->ops->uncache)
            db->ops->uncache(db);
    }
    st = xcalloc(1, sizeof(*st));
    st->sql = xstrdup(sql);
    st->sig = xmalloc(n + 1);
    for (size_t i = 0; i < n; i++)
        st->sig[i] = sig_letter(params[i].type);
    st->sig[n] = '\0';
    st->nparams = n;
    st->hash = h;
    rc = db->ops->prepare(db, st, params, err);
    if (rc < 0) {
        stmt_free(db, st);
        return rc;
    }
    st->next = db->cache[h % DB_CACHE_BUCKETS];
    db->cache[h % DB_CACHE_BUCKETS] = st;
    db->ncached++;
    db->prepares++;
    *out = db->last = st;
    return 0;
}

/* --- Statements ---------------------------------------------------------- */

/* Count a statement against db_fail_after: ERR_IO when it is the one to fail. */
static int injected(struct db *db, struct err *err)
{
    if (db->fail_after == 0) {
        db->fail_after = -1;
        return err_set(err, ERR_IO, "%s: injected fault", db->ops->name);
    }
    if (db->fail_after > 0)
        db->fail_after--;
    return 0;
}

/* Gate every counted statement: the one-result rule (a COPY in progress
 * holds the connection as open rows do), the failed-transaction rule, the
 * injected fault, and a lost connection. */
static int enter(struct db *db, struct err *err)
{
    assert(!db->rows && "db: a db_rows is still open on this connection");
    assert(!db->in_copy && "db: a COPY is in progress on this connection");
    if (db->in_tx && db->tx_failed)
        return err_set(err, ERR_INVALID,
                       "db: an earlier statement of this transaction failed; roll it back");
    int rc = injected(db, err);
    if (rc == 0 && db->ops->ready)
        rc = db->ops->ready(db, err);
    return rc;
}

/* Every result passes here: an error inside a transaction poisons it. */
static int leave(struct db *db, int rc)
{
    if (rc < 0 && db->in_tx)
        db->tx_failed = true;
    return rc;
}

int db_exec(struct db *db, const char *sql, const struct db_val *params, size_t nparams,
            int64_t *changes, struct err *err)
{
    struct db_stmt *st = NULL;
    int rc = enter(db, err);
    if (rc == 0)
        rc = check_params(params, nparams, err);
    if (rc == 0)
        rc = stmt_get(&st, db, sql, params, nparams, err);
    if (rc == 0)
        rc = db->ops->exec(db, st, params, changes, err);
    return leave(db, rc);
}

int db_query(struct db_rows **out, struct db *db, const char *sql, const struct db_val *params,
             size_t nparams, struct err *err)
{
    struct db_stmt *st = NULL;
    int rc = enter(db, err);
    if (rc == 0)
        rc = check_params(params, nparams, err);
    if (rc == 0)
        rc = stmt_get(&st, db, sql, params, nparams, err);
    if (rc == 0)
        rc = db->ops->query(out, db, st, params, err);
    if (rc == 0) {
        (*out)->db = db;
        (*out)->done = false;
        db->rows = *out;
    }
    return leave(db, rc);
}

int db_rows_next(struct db_rows *rows, struct err *err)
{
    assert(rows->db->rows == rows && "db: db_rows used after db_rows_free");
    if (rows->done)
        return 0;
    int rc = rows->db->ops->next(rows, err);
    if (rc < 0)
        rows->done = true;
    return leave(rows->db, rc);
}

/* A row is ready and col is one of its columns: a caller bug otherwise. */
static struct db_rows *at(struct db_rows *rows, int col)
{
    assert(rows->db->rows == rows && !rows->done && "db: no row is ready");
    assert(col >= 0 && col < rows->db->ops->ncols(rows) && "db: no such column");
    return rows;
}

bool db_rows_is_null(struct db_rows *rows, int col)
{
    return rows->db->ops->is_null(at(rows, col), col);
}

int64_t db_rows_int(struct db_rows *rows, int col)
{
    return rows->db->ops->get_int(at(rows, col), col);
}

double db_rows_double(struct db_rows *rows, int col)
{
    return rows->db->ops->get_double(at(rows, col), col);
}

const char *db_rows_text(struct db_rows *rows, int col)
{
    return rows->db->ops->get_text(at(rows, col), col);
}

const void *db_rows_blob(struct db_rows *rows, int col, size_t *len)
{
    return rows->db->ops->get_blob(at(rows, col), col, len);
}

int db_rows_ncols(struct db_rows *rows)
{
    assert(rows->db->rows == rows && !rows->done && "db: no row is ready");
    return rows->db->ops->ncols(rows);
}

void db_rows_free(struct db_rows *rows)
{
    if (!rows)
        return;
    struct db *db = rows->db;
    assert(db->rows == rows && "db: db_rows freed twice");
    db->ops->rows_end(rows);
    db->rows = NULL;
}

int db_query_row(struct db_rows **out, struct db *db, const char *sql, const struct db_val *params,
                 size_t nparams, struct err *err)
{
    struct db_rows *rows = NULL;
    int rc = db_query(&rows, db, sql, params, nparams, err);
    if (rc < 0)
        return rc;
    assert(rows);
    rc = db_rows_next(rows, err);
    if (rc == 1) {
        *out = rows;
        return 0;
    }
    db_rows_free(rows);
    *out = NULL;
    return rc < 0 ? rc : err_set(err, ERR_NOTFOUND, "db: no matching row");
}

int db_query_int(int64_t *out, struct db *db, const char *sql, const struct db_val *params,
                 size_t nparams, struct err *err)
{
    struct db_rows *rows = NULL;
    int rc = db_query_row(&rows, db, sql, params, nparams, err);
    if (rc < 0)
        return rc;
    assert(rows);
    *out = db_rows_int(rows, 0);
    db_rows_free(rows);
    return 0;
}

int db_exec_script(struct db *db, const char *sql, struct err *err)
{
    int rc = enter(db, err);
    if (rc == 0)
        rc = db->ops->script(db, sql, err);
    return leave(db, rc);
}

/* --- Transactions -------------------------------------------------------- */

static int begin(struct db *db, const char *tenant_id, bool read_only, struct err *err)
{
    assert(!db->in_tx && "db: transactions do not nest");
    int rc = enter(db, err);
    if (rc == 0)
        rc = db->ops->begin(db, tenant_id, read_only, err);
    if (rc == 0) {
        db->in_tx = true;
        db->tx_failed = false;
    }
    return rc;
}

int db_begin(struct db *db, struct err *err)
{
    return begin(db, NULL, false, err);
}

int db_begin_tenant(struct db *db, const char *tenant_id, struct err *err)
{
    assert(tenant_id && *tenant_id);
    return begin(db, tenant_id, false, err);
}

int db_begin_tenant_read(struct db *db, const char *tenant_id, struct err *err)
{
    assert(tenant_id && *tenant_id);
    return begin(db, tenant_id, true, err);
}

int db_commit(struct db *db, struct err *err)
{
    assert(db->in_tx && "db: commit without a transaction");
    int rc = enter(db, err); /* refuses a failed transaction */
    if (rc == 0)
        rc = db->ops->commit(db, err);
    if (rc < 0)
        db->ops->rollback(db);
    db->in_tx = false;
    db->tx_failed = false;
    return rc;
}

void db_rollback(struct db *db)
{
    assert(!db->rows && "db: free the db_rows before rolling back");
    assert(!db->in_copy && "db: end the COPY (db_copy_abort) before rolling back");
    db->ops->rollback(db);
    db->in_tx = false;
    db->tx_failed = false;
}

int db_lock_timeout_set(struct db *db, int ms, struct err *err)
{
    assert(!db->in_tx && !db->rows && !db->in_copy && ms >= 0);
    return db->ops->lock_timeout(db, ms, err);
}

/* --- Bulk load (COPY) ------------------------------------------------------ */

int db_copy_begin(struct db *db, const char *sql, struct err *err)
{
    int rc = enter(db, err);
    if (rc == 0)
        rc = db->ops->copy_begin(db, sql, err);
    db->in_copy = rc == 0;
    return leave(db, rc);
}

int db_copy_put(struct db *db, const char *data, size_t n, struct err *err)
{
    assert(db->in_copy && "db: db_copy_put without db_copy_begin");
    assert(data || n == 0);
    int rc = db->ops->copy_put(db, data, n, err);
    if (rc < 0)
        db->in_copy = false; /* the engine ended it */
    return leave(db, rc);
}

int db_copy_end(struct db *db, int64_t *rows, struct err *err)
{
    assert(db->in_copy && "db: db_copy_end without db_copy_begin (or after a failed put)");
    int rc = injected(db, err);
    if (rows)
        *rows = 0;
    if (rc == 0)
        rc = db->ops->copy_end(db, rows, err);
    else
        db->ops->copy_abort(db, "injected fault");
    db->in_copy = false;
    return leave(db, rc);
}

void db_copy_abort(struct db *db)
{
    if (!db->in_copy)
        return;
    db->ops->copy_abort(db, "aborted by the client");
    db->in_copy = false;
    if (db->in_tx)
        db->tx_failed = true; /* as the server did */
}

void db_copy_escape(struct buf *b, const char *s, size_t n)
{
    /* The letter after the backslash, 0 for a byte that goes as it is: one
     * lookup a byte, 1.5x faster than a switch on bench/db's records. */
    static const char esc[256] = {['\\'] = '\\', ['\t'] = 't', ['\n'] = 'n', ['\r'] = 'r'};
    size_t i = 0;
    while (i < n) {
        size_t plain = i;
        while (i < n && !esc[(unsigned char)s[i]])
            i++;
        buf_put(b, s + plain, i - plain);
        if (i == n)
            break;
        buf_putc(b, '\\');
        buf_putc(b, esc[(unsigned char)s[i++]]);
    }
}

void db_fail_after(struct db *db, int n)
{
    db->fail_after = n < 0 ? -1 : n;
}

uint64_t db_prepare_count(const struct db *db)
{
    return db->prepares;
}

/* --- Helpers for the engines --------------------------------------------- */

int db__engine_err(struct err *err, enum err_code code, const char *engine, const char *msg)
{
    if (!msg || !*msg)
        msg = "unknown error";
    return err_set(err, code, "%s: %.*s", engine, (int)strcspn(msg, "\r\n"), msg);
}

static bool is_ident(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '$' || (unsigned char)c >= 0x80;
}

int db__placeholders(size_t *maxn, const char *sql, struct buf *out, char mark, struct err *err)
{
    const char *p = sql, *copied = sql; /* copied: sql before it is in out */
    bool ended = false;                 /* a ';' was seen */
    size_t max = 0;

    while (*p) {
        if (p[0] == '-' && p[1] == '-') {
            p += strcspn(p, "\n");
        } else if (p[0] == '/' && p[1] == '*') {
            const char *q = strstr(p + 2, "*/");
            p = q ? q + 2 : p + strlen(p);
        } else if (ended) {
            if (!strchr(" \t\r\n;", *p))
                return err_set(err, ERR_INVALID, "db: a second statement at byte %zu (a script?)",
                               (size_t)(p - sql));
            p++;
        } else if (*p == '\'' || *p == '"') {
            /* A doubled quote inside is two literals back to back: same result. */
            const char *q = strchr(p + 1, *p);
            p = q ? q + 1 : p + strlen(p);
        } else if (*p == ';') {
            ended = true;
            p++;
        } else if (*p == '$' && p[1] >= '0' && p[1] <= '9' && (p == sql || !is_ident(p[-1]))) {
            const char *d = p + 1;
            size_t n = 0;
            while (*d >= '0' && *d <= '9' && n <= DB_PARAMS_MAX)
                n = n * 10 + (size_t)(*d++ - '0');
            if (n == 0 || n > DB_PARAMS_MAX)
                return err_set(err, ERR_INVALID, "db: bad placeholder at byte %zu (use $1..$%d)",
                               (size_t)(p - sql), DB_PARAMS_MAX);
            if (n > max)
                max = n;
            if (out) {
                buf_put(out, copied, (size_t)(p - copied));
                buf_putc(out, mark);
                copied = p + 1;
            }
            p = d;
        } else {
            p++;
        }
    }
    if (out)
        buf_puts(out, copied);
    *maxn = max;
    return 0;
}
