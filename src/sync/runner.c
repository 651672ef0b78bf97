/* sync/runner.c - see runner.h. A FIFO of jobs under one mutex, workers
 * waiting on one condition. */
#include "sync/runner.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/id.h"
#include "core/log.h"
#include "core/time.h"
#include "singer/tap.h"
#include "store/sync_run.h"
#include "sync/sync.h"
#include "sync/tap_sync.h"

#define TAKE_WAIT_MS 1000 /* a worker waiting for a connection rechecks the stop this often */

struct job {
    struct job *next;
    char tenant_id[ID_MAX], integration_id[ID_MAX], run_id[ID_MAX];
    bool full;
    char **streams; /* owned, n of them */
    size_t n;
    struct runner *runner;
    bool cancel; /* runner_cancel asked (under the runner's mutex) */
};

struct worker_arg;

struct runner {
    struct runner_opts o;
    pthread_mutex_t mu;
    pthread_cond_t work;
    struct job *head, *tail;
    size_t queued;
    struct job **running; /* one slot per worker, NULL when idle */
    bool stop;
    pthread_t *threads;
    struct worker_arg *args;
    unsigned nthreads; /* started */
};

static void job_free(struct job *j)
{
    for (size_t i = 0; i < j->n; i++)
        xfree(j->streams[i]);
    xfree(j->streams);
    xfree(j);
}

static bool stopping(void *ctx)
{
    struct runner *r = ctx;
    pthread_mutex_lock(&r->mu);
    bool stop = r->stop;
    pthread_mutex_unlock(&r->mu);
    return stop;
}

static bool job_cancelled(void *ctx)
{
    struct job *j = ctx;
    pthread_mutex_lock(&j->runner->mu);
    bool stop = j->runner->stop || j->cancel;
    pthread_mutex_unlock(&j->runner->mu);
    return stop;
}

/* End run j as failed with why, on db (a run that no worker will run). */
static void fail_job(struct db *db, const struct job *j, const char *why)
{
    struct err e;
    if (sync_run_fail_alone(db, j->tenant_id, j->run_id, why, time_now_ms() / 1000, &e) < 0)
        log_warn("sync: a run was left running", LOG_STR("run", j->run_id), LOG_ERROR(&e));
}

static void run_job(struct runner *r, struct job *j)
{
    struct db *db = NULL;
    struct err e;
    int rc;
    /* A connection, however long it takes, unless we are stopping. */
    while ((rc = db_pool_take(&db, r->o.pool, TAKE_WAIT_MS, &e)) == ERR_AGAIN && !stopping(r))
        ;
    if (rc < 0) {
        log_warn("sync: no database connection for a run", LOG_STR("run", j->run_id),
                 LOG_ERROR(&e));
        return; /* nothing to record it with; the watchdog's to find */
    }
    if (stopping(r)) {
        fail_job(db, j, "the server stopped before it ran");
        db_pool_give(r->o.pool, db);
        return;
    }
    struct oauth_env env = {.db = db, .vault = r->o.vault, .reg = r->o.registry};
    struct sync_opts o = {.env = &env,
                          .tenant_id = j->tenant_id,
                          .integration_id = j->integration_id,
                          .run_id = j->run_id,
                          .full = j->full,
                          .streams = (const char *const *)j->streams,
                          .nstreams = j->n,
                          .cancelled = job_cancelled,
                          .ctx = j};
    struct sync_run run = {0};
    int64_t t0 = time_mono_ms();
    if (sync_integration(&run, &o, &e) < 0)
        log_warn("sync: run failed before it started", LOG_STR("run", j->run_id), LOG_ERROR(&e));
    else
        log_info("sync: run ended", LOG_STR("run", run.id),
                 LOG_STR("integration", run.integration_id), LOG_STR("status", run.status),
                 LOG_INT("records", run.n.processed), LOG_INT("ms", time_mono_ms() - t0));
    sync_run_dispose(&run);
    db_pool_give(r->o.pool, db);
}

struct worker_arg {
    struct runner *r;
    unsigned slot;
};

static void *worker(void *arg)
{
    struct runner *r = ((struct worker_arg *)arg)->r;
    unsigned slot = ((struct worker_arg *)arg)->slot;
    for (;;) {
        pthread_mutex_lock(&r->mu);
        while (!r->head && !r->stop)
            pthread_cond_wait(&r->work, &r->mu);
        struct job *j = r->head;
        if (j) {
            r->head = j->next;
            if (!r->head)
                r->tail = NULL;
            r->queued--;
            r->running[slot] = j;
        }
        pthread_mutex_unlock(&r->mu);
        if (!j)
            return NULL; /* stopping, nothing left */
        run_job(r, j);
        pthread_mutex_lock(&r->mu);
        r->running[slot] = NULL;
        pthread_mutex_unlock(&r->mu);
        job_free(j);
    }
}

/* Runs a dead process left behind end failed, or their integrations could
 * never sync again. */
static int fail_orphans(struct db_pool *pool, struct err *err)
{
    struct db *db = NULL;
    int64_t n = 0;
    int rc = db_pool_take(&db, pool, -1, err);
    if (rc < 0)
        return rc;
    if ((rc = db_begin(db, err)) == 0) {
        rc = sync_run_fail_orphans(&n, db, "inlet stopped while it ran (found at the next start)",
                                   time_now_ms() / 1000, err);
        if (rc == 0)
            rc = db_commit(db, err);
        else
            db_rollback(db);
    }
    db_pool_give(pool, db);
    if (rc == 0 && n > 0)
        log_warn("sync: runs left running by a stopped process marked failed", LOG_INT("runs", n));
    /* Their taps' private folders, config files and secrets with them. */
    size_t swept = 0;
    struct err e;
    if (tap_sweep(&swept, &e) < 0)
        log_warn("sync: tap folders of a stopped process not all removed", LOG_ERROR(&e));
    if (swept > 0)
        log_warn("sync: tap folders of a stopped process removed",
                 LOG_INT("folders", (int64_t)swept));
    return rc;
}

int runner_start(struct runner **out, const struct runner_opts *o, struct err *err)
{
    int frc = fail_orphans(o->pool, err);
    if (frc < 0)
        return frc;
    struct runner *r = xcalloc(1, sizeof(*r));
    r->o = *o;
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->work, NULL);
    unsigned n = o->threads ? o->threads : 1;
    r->threads = xcalloc(n, sizeof(*r->threads));
    r->running = xcalloc(n, sizeof(struct job *));
    r->args = xcalloc(n, sizeof(*r->args));
    *out = r;
    return 0;
}

/* Start the workers, at the first submit (under r->mu): a server that
 * never syncs runs no idle threads. */
static int workers_start(struct runner *r, struct err *err)
{
    unsigned n = r->o.threads ? r->o.threads : 1;
    while (r->nthreads < n) {
        unsigned i = r->nthreads;
        r->args[i] = (struct worker_arg){.r = r, .slot = i};
        int rc = pthread_create(&r->threads[i], NULL, worker, &r->args[i]);
        if (rc != 0)
            return r->nthreads ? 0
                               : err_set(err, ERR_IO, "starting a sync worker: %s", strerror(rc));
        r->nthreads++;
    }
    return 0;
}

int runner_submit(struct runner *r, const char *tenant_id, const char *integration_id,
                  const char *run_id, bool full, const char *const *streams, size_t n,
                  struct err *err)
{
    struct job *j = xcalloc(1, sizeof(*j));
    snprintf(j->tenant_id, sizeof(j->tenant_id), "%s", tenant_id);
    snprintf(j->integration_id, sizeof(j->integration_id), "%s", integration_id);
    snprintf(j->run_id, sizeof(j->run_id), "%s", run_id);
    j->full = full;
    j->runner = r;
    j->n = n;
    j->streams = n ? xcalloc(n, sizeof(*j->streams)) : NULL;
    for (size_t i = 0; i < n; i++)
        j->streams[i] = xstrdup(streams[i]);
    pthread_mutex_lock(&r->mu);
    bool ok = !r->stop && r->queued < RUNNER_QUEUE_MAX;
    if (ok && workers_start(r, err) < 0) {
        pthread_mutex_unlock(&r->mu);
        job_free(j);
        return ERR_IO;
    }
    if (ok) {
        if (r->tail)
            r->tail->next = j;
        else
            r->head = j;
        r->tail = j;
        r->queued++;
        pthread_cond_signal(&r->work);
    }
    pthread_mutex_unlock(&r->mu);
    if (!ok) {
        job_free(j);
        return err_set(err, ERR_AGAIN, "%d runs wait for a worker already: try again later",
                       RUNNER_QUEUE_MAX);
    }
    return 0;
}

void runner_cancel(struct runner *r, const char *run_id)
{
    pthread_mutex_lock(&r->mu);
    for (unsigned i = 0; i < r->nthreads; i++)
        if (r->running[i] && strcmp(r->running[i]->run_id, run_id) == 0)
            r->running[i]->cancel = true;
    for (struct job *j = r->head; j; j = j->next)
        if (strcmp(j->run_id, run_id) == 0)
            j->cancel = true;
    pthread_mutex_unlock(&r->mu);
}

void runner_stop(struct runner *r)
{
    if (!r)
        return;
    pthread_mutex_lock(&r->mu);
    r->stop = true;
    pthread_cond_broadcast(&r->work);
    pthread_mutex_unlock(&r->mu);
    /* Workers drain the queue, failing what waits (run_job sees the stop). */
    for (unsigned i = 0; i < r->nthreads; i++)
        pthread_join(r->threads[i], NULL);
    for (struct job *j = r->head, *next; j; j = next) { /* no worker started */
        next = j->next;
        job_free(j);
    }
    pthread_cond_destroy(&r->work);
    pthread_mutex_destroy(&r->mu);
    xfree(r->threads);
    xfree(r->running);
    xfree(r->args);
    xfree(r);
}
