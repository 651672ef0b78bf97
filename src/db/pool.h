/* db/pool.h - a fixed-size pool of database connections shared by the HTTP
 * server's threads: a request takes one, uses it alone, and gives it back.
 * Connections open lazily, up to max; a broken one is replaced on the next
 * take. The pool is the only db/ object that is thread-safe. */
#ifndef INLET_DB_POOL_H
#define INLET_DB_POOL_H
#include "core/err.h"
#include "db/db.h"

struct db_pool;

/* A pool of at most max (>= 1) connections to url, opening one now so that
 * a wrong URL or an unreachable server is reported at start. *out (OUT) is
 * the caller's (db_pool_free). Errors as db_open. "sqlite::memory:" gets one
 * connection whatever max says: each connection to it is a database of its
 * own. */
MUST_CHECK int db_pool_new(struct db_pool **out, const char *url, unsigned max, struct err *err);

/* Close every connection; all must have been given back (asserted). NULL
 * is a no-op. */
void db_pool_free(struct db_pool *p);

/* Take a connection for this thread's exclusive use until db_pool_give.
 * Waits up to wait_ms when all max are in use (0: not at all; negative:
 * without limit): ERR_AGAIN ("database pool exhausted: ...") after that.
 * Errors as db_open when a new connection fails. Settings the taker changes
 * on the connection (db_lock_timeout_set) stay with it. */
MUST_CHECK int db_pool_take(struct db **out, struct db_pool *p, int wait_ms, struct err *err);

/* Give db back (its db_rows freed: asserted). An open transaction is
 * rolled back first, and a connection lost meanwhile is reconnected (or, if
 * the server is still away, replaced by the next take). */
void db_pool_give(struct db_pool *p, struct db *db);

#endif
