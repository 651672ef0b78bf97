/* sched/loop.c - see loop.h. */
#include "sched/loop.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "core/log.h"
#include "core/time.h"
#include "events/deliver.h"
#include "notify/deliver.h"
#include "notify/inbox.h"
#include "sched/scheduler.h"
#include "sched/tokens.h"
#include "store/event_delivery.h"
#include "store/jobs.h"

#define DELIVERIES_PER_TICK    20
#define EVENT_BATCHES_PER_TICK 10   /* batches of events a tick sends while they come full */
#define EVENT_TICK_BUDGET_MS   2000 /* and while the tick has sent them for less than this */
#define PURGE_EVERY_S          3600 /* how often a loop deletes old rows */
#define PURGE_BATCH            1000 /* rows of each kind one purge deletes at most */
#define JOBS_KEPT_S            (7 * INT64_C(86400)) /* ended jobs, for `inlet jobs` and post-mortems */
#define NOTIFICATIONS_KEPT_S   (90 * INT64_C(86400)) /* sent deliveries and in-app notifications */

struct sched_loop {
    struct sched_loop_opts o;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
    int64_t purged_at; /* unix seconds of the last purge; 0: none yet */
};

/* Old ended jobs, notifications and event deliveries go, a batch of each
 * per purge: the queue, the inbox and the delivery logs stay small without
 * a cron job of their own. Every process purges; the deletes are
 * idempotent. */
static void purge(struct sched_loop *l, struct db *db, int64_t now)
{
    int64_t jobs = 0, notes = 0, events = 0;
    struct err e;
    if (l->purged_at && now - l->purged_at < PURGE_EVERY_S)
        return;
    l->purged_at = now;
    int rc = db_begin(db, &e);
    if (rc == 0) {
        rc = jobs_purge(&jobs, db, now - JOBS_KEPT_S, PURGE_BATCH, &e);
        if (rc == 0)
            rc = notify_purge(&notes, db, now - NOTIFICATIONS_KEPT_S, PURGE_BATCH, &e);
        if (rc == 0)
            rc = event_delivery_purge(&events, db, now - EVENTS_DELIVERY_KEPT_S, PURGE_BATCH, &e);
        if (rc == 0)
            rc = db_commit(db, &e);
        else
            db_rollback(db);
    }
    if (rc < 0)
        log_warn("scheduler: purging old jobs and notifications failed", LOG_ERROR(&e));
    else if (jobs || notes || events)
        log_info("scheduler: old rows purged", LOG_INT("jobs", jobs),
                 LOG_INT("notifications", notes), LOG_INT("event_deliveries", events));
}

static void tick(struct sched_loop *l)
{
    struct db *db = NULL;
    struct err e;
    if (db_pool_take(&db, l->o.pool, 1000, &e) < 0)
        return; /* the next tick tries again */
    int64_t now = time_now_ms() / 1000;
    struct sched_result r;
    if (sched_pass(&r, db, now, SCHED_PASS_MAX, &e) < 0)
        log_warn("scheduler: a pass failed", LOG_ERROR(&e));
    else if (r.enqueued > 0 && l->o.runner && runner_kick(l->o.runner, &e) < 0)
        log_warn("scheduler: no worker to wake here", LOG_ERROR(&e));
    struct sched_tokens_result tr;
    if (sched_tokens_pass(&tr, db, now, SCHED_TOKENS_PASS_MAX, &e) < 0)
        log_warn("tokens: an upkeep pass failed", LOG_ERROR(&e));
    else if (tr.enqueued > 0 && l->o.runner && runner_kick(l->o.runner, &e) < 0)
        log_warn("tokens: no worker to wake here", LOG_ERROR(&e));
    struct notify_env ne = {.db = db, .vault = l->o.vault, .public_url = l->o.public_url};
    struct notify_deliver_stats st;
    if (notify_deliver_due(&st, &ne, now, DELIVERIES_PER_TICK, &e) < 0)
        log_warn("notify: sending deliveries failed", LOG_ERROR(&e));
    /* Events come in bursts (a run's streams): more batches while they
     * come full, within a budget, so that the next pass is not late. */
    struct events_env ee = {.db = db, .vault = l->o.vault};
    struct events_deliver_stats es;
    int64_t began = time_mono_ms();
    for (int i = 0; i < EVENT_BATCHES_PER_TICK; i++) {
        if (events_deliver_due(&es, &ee, now, DELIVERIES_PER_TICK, &e) < 0) {
            log_warn("events: sending deliveries failed", LOG_ERROR(&e));
            break;
        }
        if (es.sent + es.retried + es.failed < DELIVERIES_PER_TICK ||
            time_mono_ms() - began > EVENT_TICK_BUDGET_MS)
            break;
    }
    purge(l, db, now);
    db_pool_give(l->o.pool, db);
}

static void *run(void *arg)
{
    struct sched_loop *l = arg;
    pthread_mutex_lock(&l->mu);
    while (!l->stop) {
        pthread_mutex_unlock(&l->mu);
        tick(l);
        pthread_mutex_lock(&l->mu);
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += (time_t)(l->o.tick_ms / 1000);
        ts.tv_nsec += (long)(l->o.tick_ms % 1000) * 1000000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        if (!l->stop)
            (void)pthread_cond_timedwait(&l->cv, &l->mu, &ts); /* a timeout is the tick */
    }
    pthread_mutex_unlock(&l->mu);
    return NULL;
}

int sched_loop_start(struct sched_loop **out, const struct sched_loop_opts *o, struct err *err)
{
    struct sched_loop *l = xcalloc(1, sizeof(*l));
    l->o = *o;
    if (l->o.tick_ms <= 0)
        l->o.tick_ms = SCHED_TICK_MS_DEFAULT;
    pthread_mutex_init(&l->mu, NULL);
    pthread_cond_init(&l->cv, NULL);
    int rc = pthread_create(&l->thread, NULL, run, l);
    if (rc != 0) {
        pthread_cond_destroy(&l->cv);
        pthread_mutex_destroy(&l->mu);
        xfree(l);
        return err_set(err, ERR_IO, "starting the scheduler: %s", strerror(rc));
    }
    *out = l;
    return 0;
}

void sched_loop_stop(struct sched_loop *l)
{
    if (!l)
        return;
    pthread_mutex_lock(&l->mu);
    l->stop = true;
    pthread_cond_signal(&l->cv);
    pthread_mutex_unlock(&l->mu);
    pthread_join(l->thread, NULL);
    pthread_cond_destroy(&l->cv);
    pthread_mutex_destroy(&l->mu);
    xfree(l);
}
