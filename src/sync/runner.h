/* sync/runner.h - the worker threads that execute jobs - syncs, token
 * refreshes (sched/tokens.h), probes - fed by the shared job queue
 * (store/jobs.h), so that any inlet process on the database may run any
 * integration's sync: the API and the scheduler enqueue a job
 * (runner_enqueue_sync, in their own transaction), a worker of some
 * process claims it with a lease, a keeper thread renews the leases of
 * what runs here, and a job whose process died is claimed again once its
 * lease expires - its run goes on from the committed bookmarks. The key
 * idea: the run's row and the job's row are the only shared state, so a
 * cancel is a write to the run (sync_run_cancel) that the worker sees.
 * Failed runs of the schedule are retried with exponential backoff and
 * jitter until the job's attempts run out; then the integration is marked
 * "error". */
#ifndef INLET_SYNC_RUNNER_H
#define INLET_SYNC_RUNNER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "connectors/registry.h"
#include "core/buf.h"
#include "core/err.h"
#include "crypto/vault.h"
#include "db/db.h"
#include "db/pool.h"

#define RUNNER_LEASE_S_DEFAULT  60   /* a job's lease, renewed every third of it */
#define RUNNER_POLL_MS_DEFAULT  1000 /* an idle worker looks at the queue this often */
#define RUNNER_RETRY_BASE_S     60   /* the first retry of a failed scheduled run, at most */
#define RUNNER_RETRY_MAX_S      3600 /* no retry waits longer */
#define RUNNER_ATTEMPTS_DEFAULT 4    /* a scheduled sync's runs: the first and 3 retries */

struct runner;

struct runner_opts {
    struct db_pool *pool; /* borrowed; a worker holds one connection while it runs */
    const struct vault *vault;
    const struct registry *registry;
    unsigned threads;  /* workers, >= 1 */
    int64_t lease_s;   /* 0: RUNNER_LEASE_S_DEFAULT */
    int64_t poll_ms;   /* 0: RUNNER_POLL_MS_DEFAULT */
    int per_tenant;    /* jobs running at once per tenant, all processes; 0: no limit */
    int per_connector; /* syncs running at once per connector, all processes; 0: no limit */
    const char *name;  /* for lease owners ("serve", "worker"); NULL: "inlet" */
};

/* Start: fail the runs a dead process left running that no job will take
 * up again (sync_run_fail_orphans), remove dead processes' tap folders,
 * then start the workers (lazily, at the first runner_kick, or at once
 * when eager: `inlet worker`). *out (OUT) is released with runner_stop.
 * ERR_IO when a thread cannot start; the database's errors. */
MUST_CHECK int runner_start(struct runner **out, const struct runner_opts *o, bool eager,
                            struct err *err);

/* Queue a sync of integration_id in the caller's transaction on db:
 * run_id (NULL: the worker starts one, triggered_by saying why: schedule,
 * webhook, retry), full, streams[0..n). ERR_CONFLICT (the job's id in the
 * message) when one is queued or running for the integration already. */
MUST_CHECK int runner_enqueue_sync(struct db *db, const char *tenant_id, const char *integration_id,
                                   const char *run_id, const char *triggered_by, bool full,
                                   const char *const *streams, size_t n, int64_t now,
                                   struct err *err);

/* The payload of a sync job (what runner_enqueue_sync stores), appended
 * to b: sync/trigger.c queues its own jobs with it. */
void runner_sync_payload(struct buf *b, const char *integration_id, const char *run_id,
                         const char *triggered_by, bool full, const char *const *streams, size_t n);

/* Wake a worker here: a job was just queued (the others find it at their
 * next poll). Starts the workers when they are not yet. r NULL (a process
 * that runs no jobs) is fine. */
MUST_CHECK int runner_kick(struct runner *r, struct err *err);

/* Tell the worker running run_id here, if any, to stop now (the API's
 * cancel, after marking the row; a worker in another process sees the row
 * within a second or so). r may be NULL. */
void runner_cancel(struct runner *r, const char *run_id);

/* Stop: running syncs are cancelled (their rows "cancelled", their jobs
 * done); queued jobs stay queued for the next start or another process.
 * The workers are joined and r freed. NULL is fine. */
void runner_stop(struct runner *r);

#endif
