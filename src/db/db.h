/* db/db.h - the storage interface every area above db/ uses: one API over
 * SQLite (the embedded default) and PostgreSQL (shared by many processes).
 * SQL is written once, PostgreSQL-style, with $1..$N placeholders; values are
 * only ever bound, never pasted into SQL. db/sqlite.c and db/pg.c implement
 * it behind an ops table (db/db_int.h); db/url.c checks URLs. Rules and
 * the RLS model: docs/internals/db.md.
 *
 * A struct db is one connection, used by one thread at a time. While a
 * struct db_rows is open on it, or a COPY is in progress (db_copy_begin),
 * no other statement may run on it (asserted, on both engines, because
 * PostgreSQL streams the rows or the COPY data over the connection). */
#ifndef INLET_DB_DB_H
#define INLET_DB_DB_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"

struct db;
struct db_rows;

enum db_val_type {
    DB_VAL_NULL,
    DB_VAL_INT,    /* v.i */
    DB_VAL_DOUBLE, /* v.d */
    DB_VAL_TEXT,   /* v.p, n bytes of UTF-8, no NUL byte inside */
    DB_VAL_BLOB,   /* v.p, n bytes of anything (BYTEA / BLOB) */
};

/* One bound parameter. Build it with the macros below. The bytes of TEXT and
 * BLOB are borrowed for the duration of the call that binds them. On
 * PostgreSQL an INT is a bigint, a DOUBLE a float8 and a BLOB a bytea;
 * TEXT and NULL take the type the statement gives them. */
struct db_val {
    enum db_val_type type;
    size_t n; /* bytes at v.p for TEXT and BLOB */
    union {
        int64_t i;
        double d;
        const void *p; /* borrowed */
    } v;
};

static inline struct db_val db_val_text_(const char *s)
{
    if (!s)
        return (struct db_val){.type = DB_VAL_NULL};
    return (struct db_val){.type = DB_VAL_TEXT, .n = strlen(s), .v.p = s};
}

#define DB_NULL   ((struct db_val){.type = DB_VAL_NULL})
#define DB_INT(x) ((struct db_val){.type = DB_VAL_INT, .v.i = (int64_t)(x)})
/* NaN and infinities are refused (ERR_INVALID): the engines store them differently. */
#define DB_DOUBLE(x)     ((struct db_val){.type = DB_VAL_DOUBLE, .v.d = (double)(x)})
#define DB_TEXT(s)       db_val_text_(s) /* a C string; NULL binds SQL NULL */
#define DB_TEXTN(s, len) ((struct db_val){.type = DB_VAL_TEXT, .n = (len), .v.p = (s)})
#define DB_BLOB(s, len)  ((struct db_val){.type = DB_VAL_BLOB, .n = (len), .v.p = (s)})

/* The two arguments (array, count) for a literal parameter list, so that the
 * count can never disagree with the list:
 *   db_exec(db, "DELETE FROM jobs WHERE id = $1", DB_ARGS(DB_TEXT(id)), NULL, err); */
#define DB_ARGS(...)                                                                               \
    ((const struct db_val[]){__VA_ARGS__}),                                                        \
        (sizeof((const struct db_val[]){__VA_ARGS__}) / sizeof(struct db_val))

/* Connect. url is "sqlite:PATH" (the file is created if missing, its folder
 * is not; ":memory:" works for a private database) or a libpq URL
 * "postgres://..." / "postgresql://...". SQLite runs in WAL mode with
 * foreign keys on, synchronous=NORMAL; PostgreSQL sessions run with
 * TimeZone UTC, application_name "inlet" and connect_timeout 10 s unless
 * the URL says otherwise, and as trusted system code for row-level
 * security (see db_begin_tenant). Both wait up to 5 s for a lock before
 * ERR_AGAIN (db_lock_timeout_set).
 * *out is the caller's (db_close). ERR_INVALID for a malformed URL, with a
 * one-line message that never contains the password; ERR_IO when the
 * database cannot be opened or reached. */
MUST_CHECK int db_open(struct db **out, const char *url, struct err *err);

/* Disconnect and free. An open transaction is rolled back. NULL is a no-op. */
void db_close(struct db *db);

/* "sqlite" or "postgres". */
const char *db_engine(const struct db *db);

/* Check url as db_open would, without connecting. *engine (OUT, may be NULL)
 * gets "sqlite" or "postgres". ERR_INVALID names what is wrong and where,
 * e.g. "db url: port at byte 13 of the URL is not a number in 1..65535"; it never
 * quotes the user-info part of the URL. */
MUST_CHECK int db_url_check(const char **engine, const char *url, struct err *err);

/* Run one statement that returns no rows (rows it does return are skipped).
 * params holds nparams values for $1..$N; nparams must equal the highest $N
 * in sql (ERR_INVALID otherwise). *changes (OUT, may be NULL) gets the number
 * of rows inserted, updated or deleted. The prepared statement is cached per
 * connection, keyed by sql and the parameter types. Errors:
 * ERR_CONFLICT for a unique or primary key violation; ERR_INVALID for other
 * constraint violations and values the column type rejects; ERR_AGAIN for
 * busy, lock timeout, deadlock or serialization failure (retry the whole
 * transaction); ERR_IO for everything else, connection loss included. The
 * message is the engine's primary message only (never PostgreSQL's DETAIL,
 * which can quote values). Inside a transaction, any error marks the
 * transaction failed: later statements fail until db_rollback (PostgreSQL's
 * rule, applied to SQLite too so that code behaves the same on both). */
MUST_CHECK int db_exec(struct db *db, const char *sql, const struct db_val *params, size_t nparams,
                       int64_t *changes, struct err *err);

/* Start a query; *out (the caller's, db_rows_free) yields its rows through
 * db_rows_next. Errors as db_exec; an error can also surface at the first
 * db_rows_next. PostgreSQL streams rows one at a time, so memory does not
 * grow with the size of the result. */
MUST_CHECK int db_query(struct db_rows **out, struct db *db, const char *sql,
                        const struct db_val *params, size_t nparams, struct err *err);

/* Advance to the next row: 1 when a row is ready, 0 when there are no more,
 * a negative err_code on failure. After 0 or an error it keeps returning 0. */
MUST_CHECK int db_rows_next(struct db_rows *rows, struct err *err);

/* Getters for column col (0-based) of the current row, valid after
 * db_rows_next returned 1. Values convert as the engine converts; SQL NULL
 * reads as 0, 0.0 and NULL. A PostgreSQL boolean reads as 1 or 0. */
bool db_rows_is_null(struct db_rows *rows, int col);
int64_t db_rows_int(struct db_rows *rows, int col);
double db_rows_double(struct db_rows *rows, int col);
/* NUL-terminated text, borrowed until the next db_rows_next or
 * db_rows_free; NULL for SQL NULL. A BYTEA / BLOB column yields its bytes. */
const char *db_rows_text(struct db_rows *rows, int col);
/* The bytes of a BYTEA / BLOB column (PostgreSQL's hex text decoded), with
 * *len (OUT) set; borrowed as for db_rows_text, followed by a NUL that *len
 * does not count. NULL (and *len 0) only for SQL NULL. */
const void *db_rows_blob(struct db_rows *rows, int col, size_t *len);
/* Columns in the current row. */
int db_rows_ncols(struct db_rows *rows);

/* Free rows, discarding any not read (PostgreSQL drains them), and free
 * the connection for the next statement. NULL is a no-op. */
void db_rows_free(struct db_rows *rows);

/* Convenience for the common "one row expected" case: run the query and
 * step to its first row. On success *out (the caller's, db_rows_free) is
 * positioned on that row. ERR_NOTFOUND ("no matching row") when the result
 * is empty, and *out is then NULL; other errors as db_query. */
MUST_CHECK int db_query_row(struct db_rows **out, struct db *db, const char *sql,
                            const struct db_val *params, size_t nparams, struct err *err);

/* Convenience: *out (OUT) gets column 0 of the first row as an integer, as
 * for SELECT count(*). ERR_NOTFOUND when there is no row. */
MUST_CHECK int db_query_int(int64_t *out, struct db *db, const char *sql,
                            const struct db_val *params, size_t nparams, struct err *err);

/* Run several ';'-separated statements without parameters, through the
 * engine's plain script interface (no placeholder rewrite, no cache). For
 * migrations and test setup only. Errors as db_exec. */
MUST_CHECK int db_exec_script(struct db *db, const char *sql, struct err *err);

/* Transactions; they do not nest (asserted). db_begin takes the write lock
 * at once on SQLite (BEGIN IMMEDIATE), so two writers never deadlock there;
 * ERR_AGAIN when the lock wait times out. db_begin_tenant does the same and,
 * on PostgreSQL, confines the transaction to tenant_id's rows through
 * row-level security: a query that forgets its WHERE tenant_id = ... still
 * cannot read or write another tenant's rows. */
MUST_CHECK int db_begin(struct db *db, struct err *err);
MUST_CHECK int db_begin_tenant(struct db *db, const char *tenant_id, struct err *err);
/* A read-only db_begin_tenant, for requests that only read: on SQLite it
 * takes no write lock (a deferred BEGIN: in WAL mode readers run beside
 * each other and beside the one writer, each on its snapshot), on
 * PostgreSQL it is READ ONLY, so a write in it fails. End it with
 * db_rollback (or db_commit). */
MUST_CHECK int db_begin_tenant_read(struct db *db, const char *tenant_id, struct err *err);

/* Commit. On any failure the transaction is rolled back before returning,
 * so the caller never has to; ERR_INVALID when an earlier statement of the
 * transaction had failed (nothing was committed). */
MUST_CHECK int db_commit(struct db *db, struct err *err);

/* Roll back the open transaction, if any; safe to call at any time, from a
 * cleanup label. If the connection was lost, reconnects it, so the db is
 * usable afterwards whatever happened. */
void db_rollback(struct db *db);

/* Wait up to ms milliseconds for a lock before a statement fails with
 * ERR_AGAIN (SQLite's busy timeout, PostgreSQL's lock_timeout; 5000 after
 * db_open). Not inside a transaction (asserted). */
MUST_CHECK int db_lock_timeout_set(struct db *db, int ms, struct err *err);

/* Bulk load, PostgreSQL only: start `COPY table (cols) FROM STDIN` (sql is that
 * statement, text format), send rows with db_copy_put, finish with db_copy_end.
 * Between begin and end no other statement may run on db (asserted, as for open
 * rows). ERR_INVALID on SQLite ("copy: PostgreSQL only") and for sql that is
 * not one COPY statement without parameters; otherwise errors as db_exec. */
MUST_CHECK int db_copy_begin(struct db *db, const char *sql, struct err *err);
/* Send n bytes of COPY text (whole rows or parts of them: libpq buffers).
 * Errors are the connection's (ERR_IO); a value the server refuses shows at
 * db_copy_end. On failure the COPY is over, nothing of it loaded (as after
 * db_copy_abort): do not call db_copy_end. */
MUST_CHECK int db_copy_put(struct db *db, const char *data, size_t n, struct err *err);
/* End the COPY; *rows (OUT, may be NULL) gets the rows loaded, 0 on failure.
 * A row the server refuses (bad value for its column type) fails here, nothing
 * of the COPY loaded, with the engine's primary message as db_exec words it
 * plus where: "postgres: invalid input syntax for the type (SQLSTATE 22P02)
 * at COPY line 3, column n" (never the value). Inside a transaction a failure
 * marks it failed as db_exec does. The COPY is over either way. */
MUST_CHECK int db_copy_end(struct db *db, int64_t *rows, struct err *err);
/* End a COPY without loading it (PQputCopyEnd with an error message), e.g.
 * when the caller finds a bad record midway; a transaction it was in is then
 * failed (db_rollback). Does nothing when no COPY is in progress, so that a
 * cleanup label can always call it. */
void db_copy_abort(struct db *db);
/* Append s (n bytes) to b escaped for COPY's text format (backslash, tab,
 * newline, carriage return); the caller writes the tab between columns, the
 * newline after a row, and \N for SQL NULL. s must not hold a NUL byte
 * (PostgreSQL text cannot; the server refuses the row). */
void db_copy_escape(struct buf *b, const char *s, size_t n);

/* Fault injection for tests (SQLite's *fault.test spirit): the next n
 * statements succeed and the one after fails with ERR_IO, once. Statements
 * counted: db_exec, db_query, db_exec_script, db_begin, db_begin_tenant,
 * db_commit (a failed commit rolls back), db_copy_begin and db_copy_end (an
 * injected fault there aborts the COPY: nothing loaded). A negative n turns
 * it off. */
void db_fail_after(struct db *db, int n);

/* Statements prepared on this connection since db_open: what the statement
 * cache saves is visible in tests and metrics. */
uint64_t db_prepare_count(const struct db *db);

#endif
