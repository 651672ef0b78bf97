/* db/db_int.h - internals shared by the files of db/ and by no other area:
 * the ops table each engine fills (db/sqlite.c, db/pg.c), the part of a
 * connection that db/db.c manages for both (statement cache, transaction
 * state, fault injection), and the helpers they share. */
#ifndef INLET_DB_DB_INT_H
#define INLET_DB_DB_INT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "db/db.h"

#define DB_CACHE_MAX     256   /* prepared statements kept per connection */
#define DB_CACHE_BUCKETS 256   /* hash chains */
#define DB_PARAMS_MAX    32767 /* highest $N a statement may use */
#define DB_LOCK_TIMEOUT  5000  /* ms to wait for a lock, after db_open */

/* One prepared statement, cached under (sql, sig). */
struct db_stmt {
    char *sql;            /* the caller's text, as given; from xmalloc */
    char *sig;            /* a letter per parameter type (db.c sig_letter); from xmalloc */
    size_t nparams;       /* strlen(sig) */
    uint32_t hash;        /* of sql and sig */
    void *impl;           /* sqlite3_stmt *, or the PostgreSQL statement name from xmalloc */
    struct db_stmt *next; /* same bucket */
};

/* The engine-independent part of a connection. Each engine embeds it as the
 * first member of its own struct and casts back. */
struct db {
    const struct db_ops *ops;
    struct db_stmt *cache[DB_CACHE_BUCKETS];
    struct db_stmt *last; /* the statement stmt_get returned last, in cache; NULL after a clear */
    size_t ncached;
    uint64_t prepares;    /* statements prepared since open */
    int fail_after;       /* statements to let through before an injected fault; -1: off */
    bool in_tx;           /* between db_begin* and db_commit / db_rollback */
    bool tx_failed;       /* a statement failed inside the transaction */
    bool in_copy;         /* between db_copy_begin and the COPY's end */
    struct db_rows *rows; /* the open result, NULL when none; owned by the engine */
};

/* The engine-independent part of a result, embedded likewise. There is at
 * most one per connection, so each engine keeps it inside its connection. */
struct db_rows {
    struct db *db;
    bool done; /* no more rows: db_rows_next returns 0 */
};

/* What an engine provides. Functions run only in the states db.c allows
 * (no open rows, transaction rules checked), so they need not check again. */
struct db_ops {
    const char *name; /* "sqlite", "postgres" */
    /* url is the whole URL, already checked by db_url_check. */
    int (*open)(struct db **out, const char *url, struct err *err);
    void (*close)(struct db *db); /* the cache is already empty */
    /* Bring a lost connection back before a statement (NULL if never lost). */
    int (*ready)(struct db *db, struct err *err);
    /* Prepare st->sql into st->impl; params give the types of this call. */
    int (*prepare)(struct db *db, struct db_stmt *st, const struct db_val *params, struct err *err);
    void (*finalize)(struct db *db, struct db_stmt *st);
    /* Drop every prepared statement on the server once the cache was emptied
     * to make room (NULL when the engine has nothing to do). */
    void (*uncache)(struct db *db);
    int (*exec)(struct db *db, struct db_stmt *st, const struct db_val *params, int64_t *changes,
                struct err *err);
    int (*query)(struct db_rows **out, struct db *db, struct db_stmt *st,
                 const struct db_val *params, struct err *err);
    int (*next)(struct db_rows *rows, struct err *err); /* 1, 0 (sets done) or < 0 */
    void (*rows_end)(struct db_rows *rows);             /* discard the rest */
    bool (*is_null)(struct db_rows *rows, int col);
    int64_t (*get_int)(struct db_rows *rows, int col);
    double (*get_double)(struct db_rows *rows, int col);
    const char *(*get_text)(struct db_rows *rows, int col);
    const void *(*get_blob)(struct db_rows *rows, int col, size_t *len);
    int (*ncols)(struct db_rows *rows);
    int (*script)(struct db *db, const char *sql, struct err *err);
    /* Begin; tenant_id is NULL for db_begin. read_only: no write lock
     * (SQLite), READ ONLY (PostgreSQL). On failure no transaction is open. */
    int (*begin)(struct db *db, const char *tenant_id, bool read_only, struct err *err);
    int (*commit)(struct db *db, struct err *err); /* db.c rolls back on failure */
    void (*rollback)(struct db *db);               /* any time; must not fail */
    int (*lock_timeout)(struct db *db, int ms, struct err *err);
    /* COPY ... FROM STDIN. SQLite's copy_begin refuses, so it needs none of
     * the other three. copy_put ends the COPY itself when it fails; copy_end
     * and copy_abort end it whatever happens, and leave the connection ready
     * for the next statement (or for db_rollback to reconnect). */
    int (*copy_begin)(struct db *db, const char *sql, struct err *err);
    int (*copy_put)(struct db *db, const char *data, size_t n, struct err *err);
    int (*copy_end)(struct db *db, int64_t *rows, struct err *err);
    void (*copy_abort)(struct db *db, const char *why); /* why: for the server's log */
};

extern const struct db_ops db_sqlite_ops;
extern const struct db_ops db_pg_ops;

/* Scan sql for $N placeholders, skipping string literals, quoted
 * identifiers and comments. *maxn (OUT) gets the highest N (0 if none).
 * When out is not NULL, sql is copied into it with each '$' of a
 * placeholder replaced by mark (SQLite's "?N"). ERR_INVALID for $0, for N
 * past DB_PARAMS_MAX and for a second statement after a ';'. */
MUST_CHECK int db__placeholders(size_t *maxn, const char *sql, struct buf *out, char mark,
                                struct err *err);

/* Set err from an engine's message: "<engine>: <first line of msg>". */
int db__engine_err(struct err *err, enum err_code code, const char *engine, const char *msg);

/* Finalize and forget every cached statement (after a reconnect, and at
 * close). */
void db__cache_clear(struct db *db);

#endif
