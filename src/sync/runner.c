/* sync/runner.c - see runner.h. Workers claim jobs from the database; one
 * keeper thread renews the leases of the jobs running here; a kick wakes
 * an idle worker at once, otherwise each looks at the queue every poll. */
#include "sync/runner.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json_object.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/id.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "core/time.h"
#include "crypto/random.h"
#include "http/retry.h"
#include "notify/notify.h"
#include "sched/tokens.h"
#include "singer/tap.h"
#include "store/integration.h"
#include "store/jobs.h"
#include "store/sync_run.h"
#include "sync/run_log.h"
#include "sync/sync.h"

#define TAKE_WAIT_MS 1000 /* a worker waiting for a connection rechecks the stop this often */
#define PROBE_MS_MAX 10000

/* What one worker runs, seen by runner_cancel and the keeper. */
struct slot {
    bool busy;
    char job_id[ID_MAX], run_id[ID_MAX];
    char owner[JOBS_OWNER_MAX];
    bool cancel; /* runner_cancel asked, or the lease was lost */
    bool lost;
};

struct worker_arg {
    struct runner *r;
    unsigned slot;
};

struct runner {
    struct runner_opts o;
    char owner[JOBS_OWNER_MAX - 12]; /* name:host:pid; a slot adds ":N" */
    pthread_mutex_t mu;
    pthread_cond_t work;  /* a kick, or the stop */
    pthread_cond_t renew; /* the keeper's sleep, cut short by the stop */
    bool stop;
    struct slot *slots;
    struct worker_arg *args;
    pthread_t *threads;
    unsigned nthreads;
    pthread_t keeper;
    bool keeper_started;
};

static void cond_wait_ms(pthread_cond_t *cv, pthread_mutex_t *mu, int64_t ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += (time_t)(ms / 1000);
    ts.tv_nsec += (long)(ms % 1000) * 1000000;
    if (ts.tv_nsec >= 1000000000) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000;
    }
    (void)pthread_cond_timedwait(cv, mu, &ts); /* a timeout is the point */
}

static bool stopping(struct runner *r)
{
    pthread_mutex_lock(&r->mu);
    bool stop = r->stop;
    pthread_mutex_unlock(&r->mu);
    return stop;
}

struct slot_ctx {
    struct runner *r;
    struct slot *s;
};

static bool slot_cancelled(void *ctx)
{
    struct slot_ctx *c = ctx;
    pthread_mutex_lock(&c->r->mu);
    bool stop = c->r->stop || c->s->cancel;
    pthread_mutex_unlock(&c->r->mu);
    return stop;
}

/* ---- the job's payload ---- */

void runner_sync_payload(struct buf *b, const char *integration_id, const char *run_id,
                         const char *triggered_by, bool full, const char *const *streams, size_t n)
{
    struct json_object *p = json_object_new_object(), *list = json_object_new_array();
    json_object_object_add(p, "integration_id", json_object_new_string(integration_id));
    if (run_id)
        json_object_object_add(p, "run_id", json_object_new_string(run_id));
    json_object_object_add(p, "triggered_by",
                           json_object_new_string(triggered_by ? triggered_by : "manual"));
    json_object_object_add(p, "full", json_object_new_boolean(full));
    for (size_t i = 0; i < n; i++)
        json_object_array_add(list, json_object_new_string(streams[i]));
    json_object_object_add(p, "streams", list);
    jsonx_format(b, p);
    json_object_put(p);
}

/* Whether running job id is only finishing: its run has ended and no
 * attempt is left, so that between the two writes (the run's end, then
 * the job's) a new sync would be refused for a job that will never run
 * again. Such a job gives up its dedupe key here (true), in the caller's
 * transaction. */
static bool finishing(struct db *db, const char *tenant_id, const char *id)
{
    struct db_rows *r = NULL;
    struct json_object *p = NULL;
    struct err e;
    char st[16];
    bool done = false;
    if (db_query_row(&r, db,
                     "SELECT payload FROM jobs WHERE tenant_id = $1 AND id = $2 AND"
                     " status = 'running' AND attempts >= max_attempts",
                     DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(id)), &e) < 0)
        return false;
    /* Copied out: no other statement may run while the row is open. */
    char *text = db_rows_text(r, 0) ? xstrdup(db_rows_text(r, 0)) : NULL;
    db_rows_free(r);
    if (text && jsonx_parse(&p, text, strlen(text), strlen(text) + 1, &e) == 0) {
        const char *run = jsonx_str(jsonx_get(p, "run_id"));
        done = run && sync_run_status(st, db, tenant_id, run, &e) == 0 &&
               strcmp(st, "queued") != 0 && strcmp(st, "running") != 0;
    }
    json_object_put(p);
    xfree(text);
    return done && db_exec(db,
                           "UPDATE jobs SET dedupe_key = NULL WHERE tenant_id = $1 AND id = $2"
                           " AND status = 'running'",
                           DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(id)), NULL, &e) == 0;
}

int runner_enqueue_sync(struct db *db, const char *tenant_id, const char *integration_id,
                        const char *run_id, const char *triggered_by, bool full,
                        const char *const *streams, size_t n, int64_t now, struct err *err)
{
    char key[ID_MAX + 8], id[ID_MAX];
    struct buf b;
    buf_init(&b, 0);
    runner_sync_payload(&b, integration_id, run_id, triggered_by, full, streams, n);
    snprintf(key, sizeof(key), "sync:%s", integration_id);
    /* A run someone asked for is run once; a scheduled one is retried. */
    bool retried = triggered_by && strcmp(triggered_by, "schedule") == 0;
    int rc = jobs_enqueue(id, db, tenant_id, "sync", buf_cstr(&b), key, now,
                          retried ? RUNNER_ATTEMPTS_DEFAULT : 1, now, err);
    if (rc == ERR_CONFLICT && finishing(db, tenant_id, id))
        rc = jobs_enqueue(id, db, tenant_id, "sync", buf_cstr(&b), key, now,
                          retried ? RUNNER_ATTEMPTS_DEFAULT : 1, now, err);
    if (rc == 0)
        rc = jobs_set_connector(db, id, tenant_id, integration_id, err);
    buf_dispose(&b);
    return rc;
}

/* ---- running one job ---- */

/* The status of run id (into st), in a read transaction of its own. */
static int run_status(char st[16], struct db *db, const char *tenant_id, const char *id,
                      struct err *err)
{
    int rc = db_begin_tenant_read(db, tenant_id, err);
    if (rc < 0)
        return rc;
    rc = sync_run_status(st, db, tenant_id, id, err);
    db_rollback(db);
    return rc;
}

/* The integration's syncs keep failing: it goes to "error" with why, and
 * the tenant hears of it (once per change of state). */
static void give_up(struct db *db, const char *tenant_id, const char *id, const char *why)
{
    struct integration_change ch = {.status = "error", .status_reason = why};
    int64_t now = time_now_ms() / 1000;
    struct err e;
    int rc = db_begin_tenant(db, tenant_id, &e);
    if (rc == 0) {
        rc = integration_update(NULL, db, tenant_id, id, &ch, now, &e);
        if (rc == 0)
            rc = notify_record(NULL, db, tenant_id, id, NOTIFY_OUTCOME_SYNC_FAILURE, why, now, &e);
        if (rc == 0)
            rc = db_commit(db, &e);
        else
            db_rollback(db);
    }
    if (rc < 0 && rc != ERR_NOTFOUND) /* deleted meanwhile: nothing to mark */
        log_warn("sync: an integration whose syncs keep failing is not marked error",
                 LOG_STR("integration", id), LOG_ERROR(&e));
}

/* What running a job came to, for its row. */
struct outcome {
    bool ok;
    char why[300];           /* when not ok */
    bool retry;              /* not ok, and worth another attempt later */
    bool give_up;            /* mark the integration "error" when no attempt is left */
    const char *integration; /* of a sync; borrowed from the job's payload */
};

/* A line in the log of run id, which ended without a worker (a cancel
 * that came first), so that it does not stay silent. A failure is logged:
 * the job is over either way. */
static void note_ended(struct db *db, const char *tenant_id, const char *id, const char *msg)
{
    struct run_log g;
    struct buf text;
    struct err e;
    run_log_init(&g);
    buf_init(&text, 0);
    run_log_add(&g, time_now_ms(), "info", "inlet", msg, strlen(msg));
    run_log_render(&g, &text);
    int rc = db_begin_tenant(db, tenant_id, &e);
    if (rc == 0) {
        if ((rc = sync_run_log_if_empty(db, tenant_id, id, buf_cstr(&text), &e)) == 0)
            rc = db_commit(db, &e);
        else
            db_rollback(db);
    }
    if (rc < 0)
        log_warn("sync: the run's log is not written", LOG_STR("run", id), LOG_ERROR(&e));
    run_log_dispose(&g);
    buf_dispose(&text);
}

static void run_sync(struct outcome *out, struct runner *r, struct slot *s, struct db *db,
                     const struct job *j, struct json_object *p)
{
    struct err e;
    const char *names[64];
    size_t n = 0;
    char st[16];
    const char *integration = jsonx_str(jsonx_get(p, "integration_id"));
    const char *run_id = jsonx_str(jsonx_get(p, "run_id"));
    const char *by = jsonx_str(jsonx_get(p, "triggered_by"));
    struct json_object *streams = jsonx_get(p, "streams");

    if (!integration) {
        snprintf(out->why, sizeof(out->why), "a sync job without integration_id");
        return;
    }
    for (size_t i = 0; i < jsonx_len(streams) && n < sizeof(names) / sizeof(names[0]); i++)
        names[n++] = jsonx_str(jsonx_at(streams, i));
    /* A run that has ended already: cancelled before a worker took it, or
     * the failed run a retry follows (then a new run). */
    if (run_id && run_status(st, db, j->tenant_id, run_id, &e) == 0 && strcmp(st, "running") != 0 &&
        strcmp(st, "queued") != 0) {
        if (j->attempts <= 1) {
            if (strcmp(st, "cancelled") == 0)
                note_ended(db, j->tenant_id, run_id,
                           "cancelled before a worker took it up: nothing was read");
            out->ok = true;
            return;
        }
        run_id = NULL;
        by = "retry";
    }
    if (!run_id && j->attempts > 1 && by && strcmp(by, "schedule") == 0)
        by = "retry";
    struct oauth_env env = {.db = db, .vault = r->o.vault, .reg = r->o.registry};
    struct slot_ctx sc = {r, s};
    struct sync_opts o = {.env = &env,
                          .tenant_id = j->tenant_id,
                          .integration_id = integration,
                          .triggered_by = by,
                          .run_id = run_id,
                          .full = json_object_get_boolean(jsonx_get(p, "full")),
                          .streams = n ? names : NULL,
                          .nstreams = n,
                          .cancelled = slot_cancelled,
                          .ctx = &sc};
    struct sync_run run = {0};
    int64_t t0 = time_mono_ms();
    int rc = sync_integration(&run, &o, &e);
    if (rc < 0) {
        snprintf(out->why, sizeof(out->why), "%s", e.msg);
        log_warn("sync: run failed before it started", LOG_STR("job", j->id), LOG_ERROR(&e));
    } else {
        if (run.error)
            snprintf(out->why, sizeof(out->why), "%s", run.error);
        log_info("sync: run ended", LOG_STR("run", run.id),
                 LOG_STR("integration", run.integration_id), LOG_STR("status", run.status),
                 LOG_INT("records", run.n.processed), LOG_INT("ms", time_mono_ms() - t0));
    }
    out->ok = rc == 0 && strcmp(run.status, "failed") != 0;
    out->retry = out->give_up = !out->ok && j->max_attempts > 1;
    /* A sync a webhook asked for waits for the one going on (sync/trigger.h),
     * and never marks the integration failed for that. */
    if (rc == ERR_CONFLICT && by && strcmp(by, "webhook") == 0)
        out->give_up = false;
    out->integration = integration;
    sync_run_dispose(&run);
}

/* A token's upkeep (sched/tokens.h): a failure is recorded on the
 * credential, whose cooldown decides the next attempt, not the job. */
static void run_refresh(struct outcome *out, struct runner *r, struct db *db, const struct job *j,
                        struct json_object *p)
{
    const char *integration = jsonx_str(jsonx_get(p, "integration_id"));
    struct oauth_env env = {.db = db, .vault = r->o.vault, .reg = r->o.registry};
    struct err e;
    if (!integration) {
        snprintf(out->why, sizeof(out->why), "a refresh job without integration_id");
        return;
    }
    if (sched_tokens_refresh(&env, j->tenant_id, integration, &e) < 0) {
        snprintf(out->why, sizeof(out->why), "%s", e.msg);
        log_warn("oauth: token upkeep failed", LOG_STR("integration", integration), LOG_ERROR(&e));
        return;
    }
    out->ok = true;
}

/* A probe does nothing (for ms milliseconds, at most PROBE_MS_MAX): it
 * shows the workers are alive and measures the queue (`inlet jobs probe`). */
static void run_probe(struct outcome *out, struct runner *r, struct slot *s, struct json_object *p)
{
    int64_t ms = 0;
    struct err e;
    if (jsonx_has(p, "ms") && jsonx_as_i64(&ms, jsonx_get(p, "ms"), "ms", &e) < 0) {
        snprintf(out->why, sizeof(out->why), "%s", e.msg);
        return;
    }
    struct slot_ctx sc = {r, s};
    for (int64_t end = time_mono_ms() + (ms > PROBE_MS_MAX ? PROBE_MS_MAX : ms);
         time_mono_ms() < end && !slot_cancelled(&sc);) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    out->ok = true;
}

static void run_job(struct runner *r, struct slot *s, struct db *db, const struct job *j)
{
    struct json_object *p = NULL;
    struct outcome out = {0};
    struct err e;

    if (jsonx_parse(&p, j->payload, strlen(j->payload), strlen(j->payload) + 1, &e) < 0)
        snprintf(out.why, sizeof(out.why), "a job whose payload inlet cannot read: %s", e.msg);
    else if (strcmp(j->kind, "sync") == 0)
        run_sync(&out, r, s, db, j, p);
    else if (strcmp(j->kind, "refresh") == 0)
        run_refresh(&out, r, db, j, p);
    else if (strcmp(j->kind, "probe") == 0)
        run_probe(&out, r, s, p);
    else
        snprintf(out.why, sizeof(out.why), "a job of a kind this inlet does not run: %.40s",
                 j->kind);
    pthread_mutex_lock(&r->mu);
    bool lost = s->lost;
    pthread_mutex_unlock(&r->mu);
    if (!lost) { /* a lost lease is another worker's job now */
        int64_t now = time_now_ms() / 1000, retry_at = 0;
        if (out.retry) {
            uint64_t rnd;
            random_bytes(&rnd, sizeof(rnd));
            retry_at = now + 1 +
                       retry_backoff_ms(j->attempts, (int64_t)RUNNER_RETRY_BASE_S * 1000,
                                        (int64_t)RUNNER_RETRY_MAX_S * 1000, rnd) /
                           1000;
        }
        bool again = false;
        if (jobs_finish(&again, db, j->id, s->owner, out.ok, out.ok ? NULL : out.why, retry_at, now,
                        &e) < 0)
            log_warn("jobs: a job's end not recorded", LOG_STR("job", j->id), LOG_ERROR(&e));
        else if (out.give_up && !again)
            give_up(db, j->tenant_id, out.integration, out.why);
    }
    json_object_put(p);
}

static void *worker(void *arg)
{
    struct runner *r = ((struct worker_arg *)arg)->r;
    struct slot *s = &r->slots[((struct worker_arg *)arg)->slot];
    struct jobs_limits lim = {.per_tenant = r->o.per_tenant, .per_connector = r->o.per_connector};
    struct err e;
    while (!stopping(r)) {
        struct db *db = NULL;
        int rc = db_pool_take(&db, r->o.pool, TAKE_WAIT_MS, &e);
        if (rc == ERR_AGAIN)
            continue;
        if (rc < 0) {
            log_warn("sync: a worker has no database connection", LOG_ERROR(&e));
            pthread_mutex_lock(&r->mu);
            cond_wait_ms(&r->work, &r->mu, r->o.poll_ms);
            pthread_mutex_unlock(&r->mu);
            continue;
        }
        struct job j;
        bool got = false;
        if (jobs_claim(&j, &got, db, s->owner, r->o.lease_s, time_now_ms() / 1000, &lim, &e) < 0)
            log_warn("sync: claiming a job failed", LOG_ERROR(&e));
        if (got) {
            struct json_object *p = NULL;
            struct err pe;
            pthread_mutex_lock(&r->mu);
            s->busy = true;
            s->cancel = s->lost = false;
            snprintf(s->job_id, sizeof(s->job_id), "%s", j.id);
            if (jsonx_parse(&p, j.payload, strlen(j.payload), strlen(j.payload) + 1, &pe) == 0)
                snprintf(s->run_id, sizeof(s->run_id), "%s",
                         jsonx_str(jsonx_get(p, "run_id")) ? jsonx_str(jsonx_get(p, "run_id"))
                                                           : "");
            pthread_mutex_unlock(&r->mu);
            json_object_put(p);
            run_job(r, s, db, &j);
            pthread_mutex_lock(&r->mu);
            s->busy = false;
            s->job_id[0] = s->run_id[0] = '\0';
            pthread_mutex_unlock(&r->mu);
            job_dispose(&j);
        }
        db_pool_give(r->o.pool, db);
        if (!got) {
            pthread_mutex_lock(&r->mu);
            if (!r->stop)
                cond_wait_ms(&r->work, &r->mu, r->o.poll_ms);
            pthread_mutex_unlock(&r->mu);
        }
    }
    return NULL;
}

/* Renew the leases of the jobs running here every third of a lease; a
 * lease another worker took since (this process stalled past it) stops
 * the work on it. */
static void *keeper(void *arg)
{
    struct runner *r = arg;
    char(*ids)[ID_MAX] = xcalloc(r->o.threads, ID_MAX);
    unsigned *which = xcalloc(r->o.threads, sizeof(*which));
    pthread_mutex_lock(&r->mu);
    while (!r->stop) {
        cond_wait_ms(&r->renew, &r->mu, r->o.lease_s * 1000 / 3);
        if (r->stop)
            break;
        unsigned n = 0;
        for (unsigned i = 0; i < r->nthreads; i++)
            if (r->slots[i].busy) {
                snprintf(ids[n], ID_MAX, "%s", r->slots[i].job_id);
                which[n++] = i;
            }
        pthread_mutex_unlock(&r->mu);
        struct db *db = NULL;
        struct err e;
        if (n && db_pool_take(&db, r->o.pool, TAKE_WAIT_MS, &e) == 0) {
            int64_t until = time_now_ms() / 1000 + r->o.lease_s;
            for (unsigned k = 0; k < n; k++) {
                int rc = jobs_renew(db, ids[k], r->slots[which[k]].owner, until, &e);
                if (rc == ERR_CONFLICT) {
                    log_warn("sync: a job's lease was lost; its work here stops",
                             LOG_STR("job", ids[k]));
                    pthread_mutex_lock(&r->mu);
                    if (strcmp(r->slots[which[k]].job_id, ids[k]) == 0)
                        r->slots[which[k]].lost = r->slots[which[k]].cancel = true;
                    pthread_mutex_unlock(&r->mu);
                } else if (rc < 0) {
                    log_warn("sync: a job's lease not renewed", LOG_STR("job", ids[k]),
                             LOG_ERROR(&e));
                }
            }
            db_pool_give(r->o.pool, db);
        }
        pthread_mutex_lock(&r->mu);
    }
    pthread_mutex_unlock(&r->mu);
    xfree(ids);
    xfree(which);
    return NULL;
}

/* ---- start, kick, cancel, stop ---- */

/* Runs a dead process left behind, that no job will take up again, end
 * failed, or their integrations could never sync again. */
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

/* A lease held by a process of this host that is gone: released now, so
 * that its job (and its run) goes on at once rather than after the lease.
 * Owners are "name:host:pid:slot". */
struct dead {
    struct db *db;
    const char *host;
    int64_t released;
};

static int release_if_dead(void *ctx, const char *id, const char *owner)
{
    struct dead *d = ctx;
    struct err e;
    const char *h = strchr(owner, ':');
    size_t hn = strlen(d->host);
    if (!h || strncmp(h + 1, d->host, hn) != 0 || h[1 + hn] != ':')
        return 0; /* another host's: its lease will tell */
    long long pid = strtoll(h + 2 + hn, NULL, 10);
    if (pid <= 0 || pid == (long long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
        return 0;
    if (jobs_expire(d->db, id, owner, &e) < 0)
        log_warn("sync: a dead process's job not released", LOG_STR("job", id), LOG_ERROR(&e));
    else
        d->released++;
    return 0;
}

static void release_dead(struct db_pool *pool, const char *host)
{
    struct db *db = NULL;
    struct err e;
    if (db_pool_take(&db, pool, -1, &e) < 0)
        return;
    struct dead d = {db, host, 0};
    if (db_begin(db, &e) == 0) {
        if (jobs_each_running(db, release_if_dead, &d, &e) == 0 && db_commit(db, &e) == 0) {
            if (d.released)
                log_warn("sync: jobs of a stopped process taken up again",
                         LOG_INT("jobs", d.released));
        } else {
            db_rollback(db);
        }
    }
    db_pool_give(pool, db);
}

/* Start the workers and the keeper (under r->mu). */
static int threads_start(struct runner *r, struct err *err)
{
    while (r->nthreads < r->o.threads) {
        unsigned i = r->nthreads;
        r->args[i] = (struct worker_arg){.r = r, .slot = i};
        int rc = pthread_create(&r->threads[i], NULL, worker, &r->args[i]);
        if (rc != 0) {
            if (r->nthreads)
                break;
            return err_set(err, ERR_IO, "starting a sync worker: %s", strerror(rc));
        }
        r->nthreads++;
    }
    if (!r->keeper_started) {
        int rc = pthread_create(&r->keeper, NULL, keeper, r);
        if (rc != 0)
            return err_set(err, ERR_IO, "starting the lease keeper: %s", strerror(rc));
        r->keeper_started = true;
    }
    return 0;
}

int runner_start(struct runner **out, const struct runner_opts *o, bool eager, struct err *err)
{
    char host[64] = "";
    int rc = fail_orphans(o->pool, err);
    if (rc < 0)
        return rc;
    struct runner *r = xcalloc(1, sizeof(*r));
    r->o = *o;
    if (!r->o.threads)
        r->o.threads = 1;
    if (r->o.lease_s <= 0)
        r->o.lease_s = RUNNER_LEASE_S_DEFAULT;
    if (r->o.poll_ms <= 0)
        r->o.poll_ms = RUNNER_POLL_MS_DEFAULT;
    if (gethostname(host, sizeof(host) - 1) != 0)
        snprintf(host, sizeof(host), "host");
    host[24] = '\0'; /* as much as an owner keeps */
    for (char *c = host; *c; c++)
        if (*c == ':')
            *c = '-';
    release_dead(o->pool, host);
    snprintf(r->owner, sizeof(r->owner), "%.12s:%.24s:%ld", o->name ? o->name : "inlet", host,
             (long)getpid());
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->work, NULL);
    pthread_cond_init(&r->renew, NULL);
    r->threads = xcalloc(r->o.threads, sizeof(*r->threads));
    r->slots = xcalloc(r->o.threads, sizeof(*r->slots));
    r->args = xcalloc(r->o.threads, sizeof(*r->args));
    for (unsigned i = 0; i < r->o.threads; i++)
        snprintf(r->slots[i].owner, sizeof(r->slots[i].owner), "%s:%u", r->owner, i % 100000u);
    *out = r;
    if (eager) {
        pthread_mutex_lock(&r->mu);
        rc = threads_start(r, err);
        pthread_mutex_unlock(&r->mu);
    }
    return rc;
}

int runner_kick(struct runner *r, struct err *err)
{
    if (!r) /* a process without workers: the others poll the queue */
        return 0;
    pthread_mutex_lock(&r->mu);
    int rc = r->stop ? 0 : threads_start(r, err);
    pthread_cond_signal(&r->work);
    pthread_mutex_unlock(&r->mu);
    return rc;
}

void runner_cancel(struct runner *r, const char *run_id)
{
    if (!r)
        return;
    pthread_mutex_lock(&r->mu);
    for (unsigned i = 0; i < r->nthreads; i++)
        if (r->slots[i].busy && strcmp(r->slots[i].run_id, run_id) == 0)
            r->slots[i].cancel = true;
    pthread_mutex_unlock(&r->mu);
}

void runner_stop(struct runner *r)
{
    if (!r)
        return;
    pthread_mutex_lock(&r->mu);
    r->stop = true;
    pthread_cond_broadcast(&r->work);
    pthread_cond_broadcast(&r->renew);
    pthread_mutex_unlock(&r->mu);
    for (unsigned i = 0; i < r->nthreads; i++)
        pthread_join(r->threads[i], NULL);
    if (r->keeper_started)
        pthread_join(r->keeper, NULL);
    pthread_cond_destroy(&r->work);
    pthread_cond_destroy(&r->renew);
    pthread_mutex_destroy(&r->mu);
    xfree(r->threads);
    xfree(r->slots);
    xfree(r->args);
    xfree(r);
}
