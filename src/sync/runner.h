/* sync/runner.h - the threads that execute sync runs in the background for
 * the API: a request starts a run (its row, status running) and submits
 * it; a worker takes it, with a database connection from the pool, and
 * runs it to the end (sync/tap_sync.h). The key idea: the run's row is the
 * only shared state, so a cancel is a write to it (sync_run_cancel) that
 * the worker sees, and nothing of a run lives only in this queue for long.
 * Stopping the runner cancels what runs and fails what waits. */
#ifndef INLET_SYNC_RUNNER_H
#define INLET_SYNC_RUNNER_H
#include <stdbool.h>

#include "connectors/registry.h"
#include "core/err.h"
#include "crypto/vault.h"
#include "db/pool.h"

#define RUNNER_QUEUE_MAX 1000 /* runs waiting for a worker */

struct runner;

struct runner_opts {
    struct db_pool *pool; /* borrowed; a worker holds one connection while it runs */
    const struct vault *vault;
    const struct registry *registry;
    unsigned threads; /* workers, >= 1 */
};

/* Start the workers, after failing the runs a stopped process left running
 * (sync_run_fail_orphans). *out (OUT) is released with runner_stop. ERR_IO
 * when a thread cannot start; the database's errors. */
MUST_CHECK int runner_start(struct runner **out, const struct runner_opts *o, struct err *err);

/* Queue run_id (a run of integration_id, started with sync_run_start) for
 * a worker; full: ignore the stored state; streams[0..n): only these
 * (copied). ERR_AGAIN when RUNNER_QUEUE_MAX runs wait already or the runner
 * is stopping: the caller then ends the run itself. */
MUST_CHECK int runner_submit(struct runner *r, const char *tenant_id, const char *integration_id,
                             const char *run_id, bool full, const char *const *streams, size_t n,
                             struct err *err);

/* Tell the worker running run_id, if any, to stop it (the API's cancel,
 * after marking the row: a worker in the middle of a batch cannot read the
 * row, its connection being busy with the batch). */
void runner_cancel(struct runner *r, const char *run_id);

/* Stop: running syncs are cancelled (their taps stopped, their rows
 * "cancelled"), waiting ones end "failed" ("the server stopped before it
 * ran"), then the workers are joined and r freed. NULL is fine. */
void runner_stop(struct runner *r);

#endif
