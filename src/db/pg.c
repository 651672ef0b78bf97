/* db/pg.c - the PostgreSQL engine behind db/db.h, on libpq: what many inlet
 * processes share at scale. Statements are prepared once per connection
 * under generated names; rows stream in single-row mode, so memory does not
 * grow with a result; BYTEA comes back decoded; bulk loads go through COPY
 * FROM STDIN (db_copy_*). A session is trusted system
 * code (inlet.system = 'on'); db_begin_tenant narrows one transaction to a
 * tenant's rows through row-level security (docs/internals/db.md). */
#include <inttypes.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "core/encode.h"
#include "db/db_int.h"

/* Type OIDs from PostgreSQL's catalog (pg_type.dat); they never change. */
#define PG_OID_BOOL   16
#define PG_OID_BYTEA  17
#define PG_OID_INT8   20
#define PG_OID_FLOAT8 701

#define DB_PG_KEEP_BYTES 65536     /* a decoded BYTEA buffer kept between results */
#define DB_PG_COPY_PART  (1 << 20) /* most bytes a PQputCopyData: libpq buffers a whole call */

struct db_pg_col {
    struct buf bytes; /* this row's BYTEA value, decoded */
    bool decoded;     /* bytes holds this row's value */
};

struct db_pg_rows {
    struct db_rows base;    /* first: casts both ways */
    PGresult *res;          /* the current row; PQclear */
    struct db_pg_col *cols; /* ncap entries, kept across results; from xcalloc */
    int ncap;
};

struct db_pg {
    struct db base;         /* first: casts both ways */
    PGconn *conn;           /* PQfinish */
    struct db_pg_rows rows; /* the one result a connection can have open */
    uint64_t names;         /* statements named so far */
    int lock_timeout_ms;    /* restored after a reconnect */
    bool ended;             /* the server said FATAL while we were idle */
};

static struct db_pg *conn_of(struct db *db)
{
    return (struct db_pg *)db;
}

/* --- Errors ------------------------------------------------------------- */

/* SQLSTATEs (PostgreSQL's appendix A) by class or code; first match wins. */
static enum err_code code_of(const char *sqlstate)
{
    static const struct {
        const char *prefix;
        enum err_code code;
    } map[] = {
        {"23505", ERR_CONFLICT}, /* unique_violation */
        {"40001", ERR_AGAIN},    /* serialization_failure */
        {"40P01", ERR_AGAIN},    /* deadlock_detected */
        {"55P03", ERR_AGAIN},    /* lock_not_available: lock_timeout */
        {"57014", ERR_AGAIN},    /* query_canceled: statement_timeout */
        {"22", ERR_INVALID},     /* data exceptions: a value the type rejects */
        {"23", ERR_INVALID},     /* the other integrity constraints */
    };
    for (size_t i = 0; sqlstate && i < sizeof(map) / sizeof(map[0]); i++)
        if (strncmp(sqlstate, map[i].prefix, strlen(map[i].prefix)) == 0)
            return map[i].code;
    return ERR_IO;
}

/* A fixed text for a data exception (class 22), whose primary message
 * quotes the offending value: `invalid input syntax for type bigint: "..."`,
 * `value "..." is out of range for type integer`. A secret bound to the
 * wrong column would land in the message. (Class 23's primary messages name
 * the constraint and leave the row to DETAIL, which is never used.) */
static const char *data_exception_text(const char *sqlstate)
{
    static const struct {
        const char *code, *text;
    } map[] = {
        {"22001", "value too long for the type"},
        {"22003", "numeric value out of range"},
        {"22004", "null value not allowed"},
        {"22007", "invalid date or time format"},
        {"22008", "date or time value out of range"},
        {"22012", "division by zero"},
        {"22021", "invalid byte sequence for the encoding"},
        {"22023", "invalid parameter value"},
        {"2202E", "array subscript out of range"},
        {"22025", "invalid escape sequence"},
        {"2201B", "invalid regular expression"},
        {"22P02", "invalid input syntax for the type"},
        {"22P05", "character not representable in the encoding"},
        {"22032", "invalid JSON text"},
        {"22P04", "malformed COPY data"},
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(sqlstate, map[i].code) == 0)
            return map[i].text;
    return "invalid value";
}

/* Only the primary message: DETAIL and the full error text can quote the
 * values of a row; and for a data exception, not even that. where (may be
 * "") is appended: the place in COPY data. */
static int result_err_at(struct db_pg *pg, const PGresult *res, const char *where, struct err *err)
{
    const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    enum err_code code = PQstatus(pg->conn) == CONNECTION_OK ? code_of(state) : ERR_IO;
    if (state && strncmp(state, "22", 2) == 0) {
        const char *col = PQresultErrorField(res, PG_DIAG_COLUMN_NAME);
        if (col)
            return err_set(err, code, "postgres: %s in column \"%.64s\" (SQLSTATE %.5s)%s",
                           data_exception_text(state), col, state, where);
        return err_set(err, code, "postgres: %s (SQLSTATE %.5s)%s", data_exception_text(state),
                       state, where);
    }
    if (!msg)
        msg = PQerrorMessage(pg->conn);
    if (!*msg)
        msg = "unknown error";
    return err_set(err, code, "postgres: %.*s%s", (int)strcspn(msg, "\r\n"), msg, where);
}

static int result_err(struct db_pg *pg, const PGresult *res, struct err *err)
{
    return result_err_at(pg, res, "", err);
}

static int check(struct db_pg *pg, const PGresult *res, struct err *err)
{
    switch (PQresultStatus(res)) { /* NULL reads as PGRES_FATAL_ERROR */
    case PGRES_COMMAND_OK:
    case PGRES_TUPLES_OK:
    case PGRES_EMPTY_QUERY:
        return 0;
    default:
        return result_err(pg, res, err);
    }
}

/* Run sql (one or more statements, no parameters) and check it. */
static int run(struct db_pg *pg, const char *sql, struct err *err)
{
    PGresult *res = PQexec(pg->conn, sql);
    int rc = check(pg, res, err);
    PQclear(res);
    return rc;
}

/* Run a one-parameter statement without preparing it. */
static int run1(struct db_pg *pg, const char *sql, const char *param, struct err *err)
{
    PGresult *res = PQexecParams(pg->conn, sql, 1, NULL, &param, NULL, NULL, 0);
    int rc = check(pg, res, err);
    PQclear(res);
    return rc;
}

/* --- Connection ---------------------------------------------------------- */

/* NOTICEs ("... already exists, skipping") are not errors, and libpq would
 * print them on stderr, outside the log. libpq also hands over here the
 * FATAL a server sends when it ends an idle session (before it closes the
 * socket): that one is remembered, so hung_up can tell. */
static void on_notice(void *arg, const PGresult *res)
{
    struct db_pg *pg = arg;
    const char *sev = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
    if (sev && (strcmp(sev, "FATAL") == 0 || strcmp(sev, "PANIC") == 0))
        pg->ended = true;
}

static int set_lock_timeout(struct db_pg *pg, int ms, struct err *err)
{
    char v[16];
    snprintf(v, sizeof(v), "%d", ms);
    int rc = run1(pg, "SELECT set_config('lock_timeout', $1, false)", v, err);
    if (rc == 0)
        pg->lock_timeout_ms = ms;
    return rc;
}

/* What every session needs, after connecting and after a reconnect.
 * Statements are prepared once per connection and live as long as it;
 * PostgreSQL would switch them to a generic plan after five runs, planned
 * for whatever the tables held then. A worker that starts on an empty
 * jobs table kept a sequential scan for every claim and enqueue long after
 * the queue had grown (bench/sched: 1.5 ms a call at 10,000 jobs instead
 * of 0.02). Planning each run with its parameters costs microseconds. */
static int session_init(struct db_pg *pg, struct err *err)
{
    int rc = run(pg,
                 "SET TimeZone = 'UTC'; SET client_encoding = 'UTF8'; SET bytea_output = 'hex';"
                 "SET plan_cache_mode = 'force_custom_plan';"
                 "SELECT set_config('inlet.system', 'on', false)",
                 err);
    return rc < 0 ? rc : set_lock_timeout(pg, pg->lock_timeout_ms, err);
}

static int db_pg_open(struct db **out, const char *url, struct err *err)
{
    /* Ours come before dbname so that the URL can override them. */
    static const char *const keys[] = {"connect_timeout", "fallback_application_name", "dbname",
                                       NULL};
    const char *const vals[] = {"10", "inlet", url, NULL};
    struct db_pg *pg = xcalloc(1, sizeof(*pg));
    int rc;

    pg->lock_timeout_ms = DB_LOCK_TIMEOUT;
    pg->conn = PQconnectdbParams(keys, vals, 1); /* NULL (out of memory) reads as CONNECTION_BAD */
    if (PQstatus(pg->conn) != CONNECTION_OK) {
        rc = db__engine_err(err, ERR_IO, "postgres", PQerrorMessage(pg->conn));
        goto fail;
    }
    PQsetNoticeReceiver(pg->conn, on_notice, pg);
    rc = session_init(pg, err);
    if (rc < 0)
        goto fail;
    *out = &pg->base;
    return 0;
fail:
    PQfinish(pg->conn);
    xfree(pg);
    return rc;
}

static void db_pg_close(struct db *db)
{
    struct db_pg *pg = conn_of(db);
    PQfinish(pg->conn);
    for (int i = 0; i < pg->rows.ncap; i++)
        buf_dispose(&pg->rows.cols[i].bytes);
    xfree(pg->rows.cols);
    xfree(pg);
}

/* Reset a lost connection. Its prepared statements died with it. */
static int reconnect(struct db_pg *pg, struct err *err)
{
    pg->ended = false;
    db__cache_clear(&pg->base);
    PQreset(pg->conn);
    if (PQstatus(pg->conn) != CONNECTION_OK)
        return db__engine_err(err, ERR_IO, "postgres", PQerrorMessage(pg->conn));
    return session_init(pg, err);
}

/* Whether the server ended the session while it sat idle (a restart, an
 * idle timeout, a DBA): it then left its goodbye and the end of the stream
 * on the socket. One poll(2) when there is nothing to read. */
static bool hung_up(struct db_pg *pg)
{
    struct pollfd p = {.fd = PQsocket(pg->conn), .events = POLLIN};
    /* PQconsumeInput only reads; PQisBusy parses, which hands a FATAL that
     * came while idle to on_notice. */
    for (int i = 0; i < 4 && !pg->ended && poll(&p, 1, 0) == 1; i++)
        if (!PQconsumeInput(pg->conn) || PQisBusy(pg->conn))
            break;
    return pg->ended || PQstatus(pg->conn) != CONNECTION_OK;
}

static int db_pg_ready(struct db *db, struct err *err)
{
    struct db_pg *pg = conn_of(db);
    /* Outside a transaction, noticing the hang-up before the statement
     * turns a failed statement into a reconnect; nothing is lost, since no
     * transaction was open. */
    if (PQstatus(pg->conn) == CONNECTION_OK && (db->in_tx || !hung_up(pg)))
        return 0;
    if (db->in_tx) /* db_rollback reconnects */
        return err_set(err, ERR_IO, "postgres: connection lost during the transaction");
    return reconnect(pg, err);
}

/* --- Statements ----------------------------------------------------------- */

/* Type the numbers and blobs; leave text and NULL to the server, which
 * infers them from the statement (a TEXT value can fill a JSONB column). */
static Oid oid_of(enum db_val_type t)
{
    switch (t) {
    case DB_VAL_INT:
        return PG_OID_INT8;
    case DB_VAL_DOUBLE:
        return PG_OID_FLOAT8;
    case DB_VAL_BLOB:
        return PG_OID_BYTEA;
    default:
        return 0;
    }
}

static int db_pg_prepare(struct db *db, struct db_stmt *st, const struct db_val *params,
                         struct err *err)
{
    struct db_pg *pg = conn_of(db);
    Oid *types = xcalloc(st->nparams + 1, sizeof(*types));
    char name[32];

    for (size_t i = 0; i < st->nparams; i++)
        types[i] = oid_of(params[i].type);
    snprintf(name, sizeof(name), "inlet_%" PRIu64, ++pg->names);
    PGresult *res = PQprepare(pg->conn, name, st->sql, (int)st->nparams, types);
    int rc = check(pg, res, err);
    PQclear(res);
    xfree(types);
    if (rc == 0)
        st->impl = xstrdup(name);
    return rc;
}

static void db_pg_finalize(struct db *db, struct db_stmt *st)
{
    (void)db; /* the server side goes in db_pg_uncache or with the session */
    xfree(st->impl);
}

static void db_pg_uncache(struct db *db)
{
    PQclear(PQexec(conn_of(db)->conn, "DEALLOCATE ALL")); /* best effort: names never repeat */
}

/* Parameters in libpq's form: text format with NUL-terminated values,
 * except blobs, which go in binary form as they are. */
struct db_pg_args {
    const char **values; /* from xcalloc, as are the next two */
    int *lengths;
    int *formats;
    char *text; /* the text values, one after another; from xmalloc */
};

static void args_init(struct db_pg_args *a, const struct db_val *p, size_t n)
{
    size_t need = 1;
    for (size_t i = 0; i < n; i++)
        need += p[i].type == DB_VAL_TEXT ? p[i].n + 1 : 32;
    a->values = xcalloc(n + 1, sizeof(*a->values));
    a->lengths = xcalloc(n + 1, sizeof(*a->lengths));
    a->formats = xcalloc(n + 1, sizeof(*a->formats));
    a->text = xmalloc(need);

    char *t = a->text;
    for (size_t i = 0; i < n; i++) {
        switch (p[i].type) {
        case DB_VAL_NULL:
            continue;
        case DB_VAL_INT:
            snprintf(t, 32, "%" PRId64, p[i].v.i);
            break;
        case DB_VAL_DOUBLE: /* finite (db.c); 17 digits read back as the same double */
            snprintf(t, 32, "%.17g", p[i].v.d);
            break;
        case DB_VAL_TEXT:
            if (p[i].n)
                memcpy(t, p[i].v.p, p[i].n);
            t[p[i].n] = '\0';
            break;
        case DB_VAL_BLOB:
            a->values[i] = p[i].n ? p[i].v.p : "";
            a->lengths[i] = (int)p[i].n; /* db.c capped n */
            a->formats[i] = 1;
            continue;
        }
        a->values[i] = t;
        t += strlen(t) + 1;
    }
}

static void args_dispose(struct db_pg_args *a)
{
    xfree(a->values);
    xfree(a->lengths);
    xfree(a->formats);
    xfree(a->text);
}

/* Rows inserted, updated or deleted: PQcmdTuples also counts the rows of a
 * SELECT (and CREATE TABLE AS), which SQLite and db.h do not. */
static int64_t dml_changes(PGresult *res)
{
    static const char *const tags[] = {"INSERT ", "UPDATE ", "DELETE ", "MERGE "};
    const char *tag = PQcmdStatus(res);
    for (size_t i = 0; tag && i < sizeof(tags) / sizeof(tags[0]); i++)
        if (strncmp(tag, tags[i], strlen(tags[i])) == 0)
            return strtoll(PQcmdTuples(res), NULL, 10);
    return 0;
}

static int db_pg_exec(struct db *db, struct db_stmt *st, const struct db_val *params,
                      int64_t *changes, struct err *err)
{
    struct db_pg *pg = conn_of(db);
    struct db_pg_args a;
    args_init(&a, params, st->nparams);
    PGresult *res =
        PQexecPrepared(pg->conn, st->impl, (int)st->nparams, a.values, a.lengths, a.formats, 0);
    int rc = check(pg, res, err);
    if (rc == 0 && changes)
        *changes = dml_changes(res);
    PQclear(res);
    args_dispose(&a);
    return rc;
}

/* Read and discard what is left of the current query. */
static void drain(struct db_pg *pg)
{
    PGresult *res;
    while ((res = PQgetResult(pg->conn)) != NULL)
        PQclear(res);
}

static int db_pg_query(struct db_rows **out, struct db *db, struct db_stmt *st,
                       const struct db_val *params, struct err *err)
{
    struct db_pg *pg = conn_of(db);
    struct db_pg_args a;
    args_init(&a, params, st->nparams);
    int sent = PQsendQueryPrepared(pg->conn, st->impl, (int)st->nparams, a.values, a.lengths,
                                   a.formats, 0);
    args_dispose(&a);
    if (!sent)
        return db__engine_err(err, ERR_IO, "postgres", PQerrorMessage(pg->conn));
    if (!PQsetSingleRowMode(pg->conn)) { /* only fails if not right after the send */
        drain(pg);
        return err_set(err, ERR_IO, "postgres: cannot stream the rows");
    }
    pg->rows.res = NULL;
    *out = &pg->rows.base;
    return 0;
}

static int db_pg_next(struct db_rows *rows, struct err *err)
{
    struct db_pg_rows *r = (struct db_pg_rows *)rows;
    struct db_pg *pg = conn_of(rows->db);
    int rc = 0;

    PQclear(r->res);
    r->res = NULL;
    PGresult *res = PQgetResult(pg->conn);
    if (res && PQresultStatus(res) == PGRES_SINGLE_TUPLE) {
        int n = PQnfields(res);
        if (n > r->ncap) {
            r->cols = xrealloc(r->cols, (size_t)n * sizeof(*r->cols));
            for (int i = r->ncap; i < n; i++)
                buf_init(&r->cols[i].bytes, 0);
            r->ncap = n;
        }
        for (int i = 0; i < n; i++)
            r->cols[i].decoded = false;
        r->res = res;
        return 1;
    }
    if (res && PQresultStatus(res) != PGRES_TUPLES_OK && PQresultStatus(res) != PGRES_COMMAND_OK)
        rc = result_err(pg, res, err);
    PQclear(res);
    drain(pg);
    rows->done = true;
    return rc;
}

static void db_pg_rows_end(struct db_rows *rows)
{
    struct db_pg_rows *r = (struct db_pg_rows *)rows;
    PQclear(r->res);
    r->res = NULL;
    if (!rows->done)
        drain(conn_of(rows->db));
    for (int i = 0; i < r->ncap; i++) /* keep small buffers, not a big blob's */
        if (r->cols[i].bytes.cap > DB_PG_KEEP_BYTES)
            buf_dispose(&r->cols[i].bytes);
}

static bool db_pg_is_null(struct db_rows *rows, int col)
{
    return PQgetisnull(((struct db_pg_rows *)rows)->res, 0, col);
}

static int64_t db_pg_get_int(struct db_rows *rows, int col)
{
    const PGresult *res = ((struct db_pg_rows *)rows)->res;
    const char *v = PQgetvalue(res, 0, col);
    if (PQftype(res, col) == PG_OID_BOOL)
        return v[0] == 't';
    return strtoll(v, NULL, 10); /* NULL is "": 0 */
}

static double db_pg_get_double(struct db_rows *rows, int col)
{
    return strtod(PQgetvalue(((struct db_pg_rows *)rows)->res, 0, col), NULL);
}

/* BYTEA arrives as "\x" and two hex digits a byte (bytea_output = hex). */
static void unhex(struct buf *out, const char *s, size_t n)
{
    unsigned char chunk[256];
    size_t k = 0;
    if (n < 2 || s[0] != '\\' || s[1] != 'x') {
        buf_put(out, s, n);
        return;
    }
    for (size_t i = 2; i + 1 < n; i += 2) {
        int hi = encode_hex_digit((unsigned char)s[i]),
            lo = encode_hex_digit((unsigned char)s[i + 1]);
        if (hi < 0 || lo < 0)
            break; /* the server never sends that */
        chunk[k++] = (unsigned char)(hi << 4 | lo);
        if (k == sizeof(chunk)) {
            buf_put(out, chunk, k);
            k = 0;
        }
    }
    buf_put(out, chunk, k);
}

static const void *db_pg_get_blob(struct db_rows *rows, int col, size_t *len)
{
    struct db_pg_rows *r = (struct db_pg_rows *)rows;
    if (PQgetisnull(r->res, 0, col)) {
        *len = 0;
        return NULL;
    }
    const char *v = PQgetvalue(r->res, 0, col);
    if (PQftype(r->res, col) != PG_OID_BYTEA) {
        *len = (size_t)PQgetlength(r->res, 0, col);
        return v;
    }
    struct db_pg_col *c = &r->cols[col];
    if (!c->decoded) {
        buf_reset(&c->bytes);
        unhex(&c->bytes, v, (size_t)PQgetlength(r->res, 0, col));
        c->decoded = true;
    }
    *len = c->bytes.n;
    return buf_cstr(&c->bytes);
}

static const char *db_pg_get_text(struct db_rows *rows, int col)
{
    size_t len;
    return db_pg_get_blob(rows, col, &len);
}

static int db_pg_ncols(struct db_rows *rows)
{
    return PQnfields(((struct db_pg_rows *)rows)->res);
}

static int db_pg_script(struct db *db, const char *sql, struct err *err)
{
    return run(conn_of(db), sql, err);
}

/* --- Transactions ---------------------------------------------------------- */

static void db_pg_rollback(struct db *db)
{
    struct db_pg *pg = conn_of(db);
    if (PQstatus(pg->conn) != CONNECTION_OK || pg->ended) {
        if (reconnect(pg, NULL) < 0)
            return; /* still down: the next statement says so */
    } else if (PQtransactionStatus(pg->conn) != PQTRANS_IDLE) {
        PQclear(PQexec(pg->conn, "ROLLBACK"));
    }
}

/* set_config(..., true) lasts until the transaction ends, after which the
 * session is system code again. The tenant id is a bound value. */
static int db_pg_begin(struct db *db, const char *tenant_id, bool read_only, struct err *err)
{
    struct db_pg *pg = conn_of(db);
    int rc = run(pg, read_only ? "BEGIN READ ONLY" : "BEGIN", err);
    if (rc < 0 || !tenant_id)
        return rc;
    rc = run1(pg,
              "SELECT set_config('inlet.system', 'off', true),"
              " set_config('inlet.tenant_id', $1, true)",
              tenant_id, err);
    if (rc < 0)
        db_pg_rollback(db);
    return rc;
}

static int db_pg_commit(struct db *db, struct err *err)
{
    struct db_pg *pg = conn_of(db);
    PGresult *res = PQexec(pg->conn, "COMMIT");
    int rc = check(pg, res, err);
    /* COMMIT of a failed transaction "succeeds" as ROLLBACK. */
    if (rc == 0 && strcmp(PQcmdStatus(res), "COMMIT") != 0)
        rc = err_set(err, ERR_IO, "postgres: the transaction was rolled back");
    PQclear(res);
    return rc;
}

static int db_pg_lock_timeout(struct db *db, int ms, struct err *err)
{
    int rc = db_pg_ready(db, err);
    return rc < 0 ? rc : set_lock_timeout(conn_of(db), ms, err);
}

/* --- Bulk load (COPY) ------------------------------------------------------ */

/* Where in the data a COPY failed, from the error's CONTEXT line (`COPY t,
 * line 3, column n: "<value>"`, or `COPY t, line 3: "<the row>"`): the line
 * and the column, never what follows them. "" when there is no such line
 * (a server speaking another language). */
static void copy_where(char *out, size_t size, const PGresult *res)
{
    const char *ctx = PQresultErrorField(res, PG_DIAG_CONTEXT);
    const char *at = ctx ? strstr(ctx, "COPY ") : NULL;
    const char *line = at ? strstr(at, ", line ") : NULL;
    out[0] = '\0';
    if (!line || line[7] < '0' || line[7] > '9')
        return;
    line += 7;
    int digits = (int)strspn(line, "0123456789");
    int len = snprintf(out, size, " at COPY line %.*s", digits > 20 ? 20 : digits, line);
    if (len < 0 || (size_t)len >= size || strncmp(line + digits, ", column ", 9) != 0)
        return;
    const char *col = line + digits + 9;
    size_t n = strcspn(col, ":\r\n"); /* the value, if any, comes after ": " */
    snprintf(out + len, size - (size_t)len, ", column %.*s", n > 64 ? 64 : (int)n, col);
}

static int copy_err(struct db_pg *pg, const PGresult *res, struct err *err)
{
    char where[128];
    copy_where(where, sizeof(where), res);
    return result_err_at(pg, res, where, err);
}

/* End the COPY in progress and read every result, so that libpq is idle
 * again. With why, the server throws the data away (CopyFail, and the
 * error it answers with is the expected one); without, it loads them and
 * *rows (may be NULL) gets the count. Returns the first error. */
static int copy_finish(struct db_pg *pg, const char *why, int64_t *rows, struct err *err)
{
    PGresult *res;
    int rc = 0;
    if (PQputCopyEnd(pg->conn, why) != 1)
        rc = db__engine_err(err, ERR_IO, "postgres", PQerrorMessage(pg->conn));
    while ((res = PQgetResult(pg->conn)) != NULL) {
        ExecStatusType st = PQresultStatus(res);
        if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT || st == PGRES_COPY_BOTH) {
            /* The end could not even be queued (libpq out of memory) and
             * libpq still expects data: PQgetResult would say so forever.
             * Only a new session gets out; db_rollback or the next
             * statement makes one. */
            PQclear(res);
            pg->ended = true;
            return rc < 0 ? rc : err_set(err, ERR_IO, "postgres: the COPY could not be ended");
        }
        if (rc == 0 && st != PGRES_COMMAND_OK)
            rc = copy_err(pg, res, err);
        else if (rc == 0 && rows)
            *rows = strtoll(PQcmdTuples(res), NULL, 10);
        PQclear(res);
    }
    return rc;
}

static int db_pg_copy_begin(struct db *db, const char *sql, struct err *err)
{
    struct db_pg *pg = conn_of(db);
    const char *p = sql + strspn(sql, " \t\r\n");
    size_t maxn = 0;
    int rc = db__placeholders(&maxn, sql, NULL, '$', err); /* refuses a second statement */
    if (rc < 0)
        return rc;
    /* Anything else would simply run. */
    if (maxn || strncasecmp(p, "copy", 4) != 0 || strspn(p + 4, " \t\r\n") == 0)
        return err_set(err, ERR_INVALID,
                       "copy: expected one COPY ... FROM STDIN statement, without parameters");
    PGresult *res = PQexec(pg->conn, sql);
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_COPY_OUT) { /* COPY ... TO STDOUT: read it out, then refuse */
        char *data;
        while (PQgetCopyData(pg->conn, &data, 0) > 0)
            PQfreemem(data);
        drain(pg);
    }
    if (st == PGRES_COPY_OUT || st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        rc = err_set(err, ERR_INVALID, "copy: not a COPY ... FROM STDIN statement");
    else if (st != PGRES_COPY_IN)
        rc = result_err(pg, res, err);
    PQclear(res);
    return rc;
}

/* A server that hung up (a restart, pg_terminate_backend) shows as a failed
 * send, or as a connection libpq found closed while it sent: end the COPY,
 * nothing loaded, and say why in the server's words when it left any (a
 * terminated backend sends its FATAL before it closes the socket). The
 * session is then lost as after any statement: db_rollback, or the next
 * statement outside a transaction, reconnects. */
static int copy_lost(struct db_pg *pg, struct err *err)
{
    char why[ERR_MSG_MAX];
    struct err end = {0};
    snprintf(why, sizeof(why), "%s", PQerrorMessage(pg->conn)); /* ending may add to it */
    if (copy_finish(pg, "the client could not send the data", NULL, &end) < 0 && end.code == ERR_IO)
        return err_set(err, ERR_IO, "%s", end.msg);
    return db__engine_err(err, ERR_IO, "postgres", why);
}

static int db_pg_copy_put(struct db *db, const char *data, size_t n, struct err *err)
{
    struct db_pg *pg = conn_of(db);
    while (n > 0) {
        int part = n < DB_PG_COPY_PART ? (int)n : DB_PG_COPY_PART;
        /* The connection is blocking: a full socket waits here for the
         * server. After a failed send libpq may still answer 1 (it keeps
         * the server's last words for the end), hence the status check. */
        if (PQputCopyData(pg->conn, data, part) != 1 || PQstatus(pg->conn) != CONNECTION_OK)
            return copy_lost(pg, err);
        data += part;
        n -= (size_t)part;
    }
    return 0;
}

static int db_pg_copy_end(struct db *db, int64_t *rows, struct err *err)
{
    return copy_finish(conn_of(db), NULL, rows, err);
}

static void db_pg_copy_abort(struct db *db, const char *why)
{
    (void)copy_finish(conn_of(db), why, NULL, NULL);
}

const struct db_ops db_pg_ops = {
    .name = "postgres",
    .open = db_pg_open,
    .close = db_pg_close,
    .ready = db_pg_ready,
    .prepare = db_pg_prepare,
    .finalize = db_pg_finalize,
    .uncache = db_pg_uncache,
    .exec = db_pg_exec,
    .query = db_pg_query,
    .next = db_pg_next,
    .rows_end = db_pg_rows_end,
    .is_null = db_pg_is_null,
    .get_int = db_pg_get_int,
    .get_double = db_pg_get_double,
    .get_text = db_pg_get_text,
    .get_blob = db_pg_get_blob,
    .ncols = db_pg_ncols,
    .script = db_pg_script,
    .begin = db_pg_begin,
    .commit = db_pg_commit,
    .rollback = db_pg_rollback,
    .lock_timeout = db_pg_lock_timeout,
    .copy_begin = db_pg_copy_begin,
    .copy_put = db_pg_copy_put,
    .copy_end = db_pg_copy_end,
    .copy_abort = db_pg_copy_abort,
};
