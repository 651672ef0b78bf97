/* sched/scheduler.h - one scheduling pass: the integrations whose next run
 * is due get a sync job (sync/runner.h), and their next_run_at moves to
 * the schedule's next time after now - so a schedule missed during
 * downtime runs once, not once per missed period. Any number of processes
 * may run passes at once: on PostgreSQL each claims the due rows with
 * FOR UPDATE SKIP LOCKED, on SQLite the pass is one writer's transaction;
 * a job already queued or running for an integration (its dedupe key)
 * means no second one. The cost follows the number of due integrations,
 * not the number of integrations (an index on next_run_at), and a pass
 * writes with two statements however many are due (its jobs, their next
 * times). */
#ifndef INLET_SCHED_SCHEDULER_H
#define INLET_SCHED_SCHEDULER_H
#include <stdint.h>

#include "core/err.h"
#include "db/db.h"

#define SCHED_PASS_MAX 1000 /* integrations one pass takes; the next pass takes the rest */

struct sched_result {
    int64_t due;      /* integrations found due */
    int64_t enqueued; /* sync jobs queued */
    int64_t skipped;  /* a sync was queued or running already */
};

/* Run one pass at now (unix seconds) in a system transaction of its own on
 * db (none may be open), taking at most limit (1..SCHED_PASS_MAX) due
 * integrations. *out (OUT) says what it did. The database's errors; an
 * integration whose stored schedule no longer parses is taken off its
 * schedule (next_run_at NULL) and logged, not an error of the pass; a
 * suspended tenant's due integrations move on to their next time without
 * a job. */
MUST_CHECK int sched_pass(struct sched_result *out, struct db *db, int64_t now, int limit,
                          struct err *err);

/* Set integration id's schedule in the caller's tenant transaction: text
 * (canonical, from schedule_format; NULL: manual) and the next run
 * computed from now. *next_run_at (OUT, may be NULL) is it, 0 for manual.
 * ERR_INVALID for text that does not parse; ERR_NOTFOUND. */
MUST_CHECK int sched_set(int64_t *next_run_at, struct db *db, const char *tenant_id, const char *id,
                         const char *text, int64_t now, struct err *err);

#endif
