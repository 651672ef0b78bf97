/* db/pool.c - the connection pool of db/pool.h. One mutex guards the idle
 * stack and the count of connections in existence; a condition variable
 * (on the monotonic clock, so a wall-clock jump cannot cut a wait short or
 * stretch it) wakes takers when a connection comes back or a slot frees.
 * Connecting, rolling back and reconnecting happen outside the lock: they
 * can take seconds, and other threads must not queue behind them. */
#include "db/pool.h"

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "core/secret.h"
#include "db/db_int.h"

struct db_pool {
    pthread_mutex_t mu;
    pthread_cond_t cv; /* signalled when idle grows or open shrinks */
    char *url;         /* from xstrdup(); may hold a password, wiped by db_pool_free */
    unsigned max;      /* connections at most */
    unsigned open;     /* connections in existence or being opened, idle or taken */
    unsigned nidle;
    struct db **idle; /* from xcalloc(), max slots; a stack: the warmest on top */
};

int db_pool_new(struct db_pool **out, const char *url, unsigned max, struct err *err)
{
    struct db *first = NULL;
    pthread_condattr_t attr;

    assert(max >= 1);
    int rc = db_open(&first, url, err);
    if (rc < 0)
        return rc;
    /* Every connection to "sqlite::memory:" is a database of its own, so a
     * second one would see none of the first one's tables. */
    if (strcmp(url, "sqlite::memory:") == 0)
        max = 1;

    struct db_pool *p = xcalloc(1, sizeof(*p));
    p->url = xstrdup(url);
    p->max = max;
    p->idle = xcalloc(max, sizeof(struct db *));
    p->idle[p->nidle++] = first;
    p->open = 1;
    /* These fail only for lack of memory, which aborts everywhere else too. */
    if (pthread_mutex_init(&p->mu, NULL) != 0 || pthread_condattr_init(&attr) != 0 ||
        pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) != 0 ||
        pthread_cond_init(&p->cv, &attr) != 0)
        abort();
    pthread_condattr_destroy(&attr);
    *out = p;
    return 0;
}

void db_pool_free(struct db_pool *p)
{
    if (!p)
        return;
    assert(p->nidle == p->open && "db pool: a connection was not given back");
    for (unsigned i = 0; i < p->nidle; i++)
        db_close(p->idle[i]);
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    secret_wipe(p->url, strlen(p->url));
    xfree(p->url);
    xfree(p->idle);
    xfree(p);
}

/* The absolute monotonic time ms milliseconds from now. */
static struct timespec deadline_in(int ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

/* Give up a slot whose connection is gone (closed, or never opened). */
static void slot_release(struct db_pool *p)
{
    pthread_mutex_lock(&p->mu);
    assert(p->open > 0);
    p->open--;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

int db_pool_take(struct db **out, struct db_pool *p, int wait_ms, struct err *err)
{
    struct timespec until = deadline_in(wait_ms > 0 ? wait_ms : 0);
    struct db *db = NULL;

    pthread_mutex_lock(&p->mu);
    while (p->nidle == 0 && p->open >= p->max) {
        int rc = 0;
        if (wait_ms < 0)
            pthread_cond_wait(&p->cv, &p->mu);
        else if (wait_ms == 0)
            rc = ETIMEDOUT;
        else
            rc = pthread_cond_timedwait(&p->cv, &p->mu, &until);
        if (rc == ETIMEDOUT && p->nidle == 0 && p->open >= p->max) {
            pthread_mutex_unlock(&p->mu);
            return err_set(err, ERR_AGAIN, "database pool exhausted: all %u connections in use",
                           p->max);
        }
    }
    if (p->nidle > 0)
        db = p->idle[--p->nidle];
    else
        p->open++; /* our slot, while we connect outside the lock */
    pthread_mutex_unlock(&p->mu);

    /* A connection whose server went away and could not be brought back
     * when it was given back is replaced by a new one. */
    if (db && db->ops->ready && db->ops->ready(db, NULL) < 0) {
        db_close(db);
        db = NULL;
    }
    if (!db) {
        int rc = db_open(&db, p->url, err);
        if (rc < 0) {
            slot_release(p);
            return rc;
        }
    }
    *out = db;
    return 0;
}

void db_pool_give(struct db_pool *p, struct db *db)
{
    assert(db && !db->rows && "db pool: free the db_rows before giving the connection back");
    /* Rolls back what the taker left open, and reconnects a connection that
     * was lost meanwhile, so the next taker starts clean. */
    db_rollback(db);
    db_fail_after(db, -1);
    pthread_mutex_lock(&p->mu);
    assert(p->nidle < p->open);
    p->idle[p->nidle++] = db;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
}
