/* store/sync_run.h - the rows of a sync: sync_runs (one per run, with its
 * counters, status, error and bounded log) and stream_state (the bookmark
 * a run resumes from). The counters and the state are written inside the
 * loader's batch transactions, so they move with the rows they describe;
 * each call runs in the caller's tenant transaction (db_begin_tenant). */
#ifndef INLET_STORE_SYNC_RUN_H
#define INLET_STORE_SYNC_RUN_H
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "core/id.h"
#include "db/db.h"
#include "sync/loader.h"

#define SYNC_RUN_LOG_MAX   65536 /* bytes of a run's log (the column's CHECK) */
#define SYNC_RUN_ERROR_MAX 500   /* bytes of its one-line error */

struct sync_run {
    char id[ID_MAX];
    char integration_id[ID_MAX];
    char status[16];       /* queued, running, success, partial, failed, cancelled */
    char triggered_by[16]; /* manual, schedule, webhook, retry */
    char mode[16];         /* incremental, full */
    int64_t created_at, started_at, finished_at; /* unix seconds; 0: not yet */
    struct loader_counts n;
    int64_t bytes;
    char *error;         /* owned; NULL when none */
    char *log;           /* owned: JSON lines */
    char *stream_counts; /* owned: JSON object, stream -> counters; NULL when none */
};

void sync_run_dispose(struct sync_run *r);

/* What sync_run_start checks, without writing: ERR_NOTFOUND when there is
 * no such live integration, ERR_CONFLICT naming the run when one is queued
 * or running already; 0 when a run may start. */
MUST_CHECK int sync_run_can_start(struct db *db, const char *tenant_id, const char *integration_id,
                                  struct err *err);

/* Insert a run of integration id, running since now, into *out (OUT,
 * sync_run_dispose). ERR_NOTFOUND when there is no such live integration;
 * ERR_CONFLICT naming the run when one is queued or running already. */
MUST_CHECK int sync_run_start(struct sync_run *out, struct db *db, const char *tenant_id,
                              const char *integration_id, const char *triggered_by,
                              const char *mode, int64_t now, struct err *err);

/* Store the counters and bytes of running run id (in the batch's
 * transaction). */
MUST_CHECK int sync_run_progress(struct db *db, const char *tenant_id, const char *id,
                                 const struct loader_counts *n, int64_t bytes, struct err *err);

/* Store the per-stream counters of running run id (json: an object of
 * stream -> {processed, created, updated, unchanged, deleted, failed}), in
 * the batch's transaction. */
MUST_CHECK int sync_run_stream_counts(struct db *db, const char *tenant_id, const char *id,
                                      const char *json, struct err *err);

/* End run id: status, error (NULL for none; cut to SYNC_RUN_ERROR_MAX on a
 * character boundary), log (cut to SYNC_RUN_LOG_MAX at a line end), the
 * final counters and bytes, finished at now. */
MUST_CHECK int sync_run_finish(struct db *db, const char *tenant_id, const char *id,
                               const char *status, const char *error, const char *log,
                               const struct loader_counts *n, int64_t bytes, int64_t now,
                               struct err *err);

/* A run that happened all at once, inside the caller's transaction (a
 * webhook delivery applied with its records): inserted ended, with
 * status, error (NULL: none), log, counters, mode "push", started and
 * finished at now. Not refused while another run of the integration goes
 * on: pushed records do not wait for a sync. id (OUT) gets its id. */
MUST_CHECK int sync_run_record(char id[ID_MAX], struct db *db, const char *tenant_id,
                               const char *integration_id, const char *triggered_by,
                               const char *status, const char *error, const char *log,
                               const struct loader_counts *n, int64_t now, struct err *err);

/* Add n to the counters of pushed run id of integration_id (one that
 * sync_run_record made with triggered_by "webhook"), whose status becomes
 * success, partial or failed by the totals, finished at now. ERR_NOTFOUND
 * ("no webhook run ID of integration X") for any other run. */
MUST_CHECK int sync_run_add(struct db *db, const char *tenant_id, const char *integration_id,
                            const char *id, const struct loader_counts *n, int64_t now,
                            struct err *err);

/* Give ended run id the log log (JSON lines) when it has none: a run
 * cancelled before a worker took it is never written by one, and its log
 * says so instead of staying empty. */
MUST_CHECK int sync_run_log_if_empty(struct db *db, const char *tenant_id, const char *id,
                                     const char *log, struct err *err);

/* Read run id into *out (OUT, sync_run_dispose). ERR_NOTFOUND. */
MUST_CHECK int sync_run_get(struct sync_run *out, struct db *db, const char *tenant_id,
                            const char *id, struct err *err);

#define SYNC_RUN_LIST_MAX 200 /* runs in one page */

typedef int (*sync_run_list_fn)(void *ctx, const struct sync_run *r);

/* The runs of integration_id, newest first, limit (1..SYNC_RUN_LIST_MAX)
 * of them from before the run id before (NULL: from the newest), each
 * passed to fn (its log left empty: read one run for it); a negative
 * return from fn stops and is returned. *more says whether older runs
 * remain. */
MUST_CHECK int sync_run_list(bool *more, struct db *db, const char *tenant_id,
                             const char *integration_id, int limit, const char *before,
                             sync_run_list_fn fn, void *ctx, struct err *err);

/* Runs left queued or running by a process that died, that no job will
 * take up again (no queued or running sync job of their integration in the
 * jobs table: a job whose lease expires is claimed again and goes on with
 * its run): every tenant's become "failed" with why, finished at now; *n
 * (OUT, may be NULL) counts them. System code: in a db_begin transaction.
 * Safe while other processes run syncs on the database. */
MUST_CHECK int sync_run_fail_orphans(int64_t *n, struct db *db, const char *why, int64_t now,
                                     struct err *err);

/* Ask run id to stop: a queued or running run becomes "cancelled" (its
 * worker sees it within a second or so, stops the work and records how far
 * it got). ERR_NOTFOUND; ERR_CONFLICT "run X has ended (success)" when it
 * is not queued or running. */
MUST_CHECK int sync_run_cancel(struct db *db, const char *tenant_id, const char *id, int64_t now,
                               struct err *err);

/* The status of run id (into out, 16 bytes), for polling a cancel. */
MUST_CHECK int sync_run_status(char out[16], struct db *db, const char *tenant_id, const char *id,
                               struct err *err);

/* The bookmark of (integration, stream): *json (OUT, xfree) is its JSON
 * text, NULL when there is none. */
MUST_CHECK int stream_state_get(char **json, struct db *db, const char *tenant_id,
                                const char *integration_id, const char *stream, struct err *err);

/* Store the bookmark json (JSON text) of (integration, stream) at now. */
MUST_CHECK int stream_state_put(struct db *db, const char *tenant_id, const char *integration_id,
                                const char *stream, const char *json, int64_t now, struct err *err);

#endif
