/* sched/loop.h - the thread that keeps schedules and deliveries moving in
 * a serving or working process: every tick it runs a scheduling pass
 * (sched/scheduler.h) and a token upkeep pass (sched/tokens.h), wakes the
 * local workers when they queued jobs, and sends the notification
 * deliveries (notify/deliver.h) and the events to the host
 * (events/deliver.h) that are due; once an hour it deletes ended jobs
 * older than a week, notifications older than 90 days and ended event
 * deliveries older than 30. Any number of processes may run one: passes
 * and deliveries claim their rows. */
#ifndef INLET_SCHED_LOOP_H
#define INLET_SCHED_LOOP_H
#include <stdint.h>

#include "core/err.h"
#include "crypto/vault.h"
#include "db/pool.h"
#include "sync/runner.h"

#define SCHED_TICK_MS_DEFAULT 5000

struct sched_loop;

struct sched_loop_opts {
    struct db_pool *pool;      /* borrowed; one connection per tick */
    const struct vault *vault; /* the channels' settings, the subscriptions' secrets */
    struct runner *runner;     /* woken when a pass queued syncs; may be NULL */
    const char *public_url;    /* deep links in notifications; may be NULL */
    int64_t tick_ms;           /* 0: SCHED_TICK_MS_DEFAULT */
};

/* Start the thread. *out (OUT) is released with sched_loop_stop. ERR_IO. */
MUST_CHECK int sched_loop_start(struct sched_loop **out, const struct sched_loop_opts *o,
                                struct err *err);

/* Stop and join the thread; NULL is fine. */
void sched_loop_stop(struct sched_loop *l);

#endif
