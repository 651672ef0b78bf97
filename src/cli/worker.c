/* cli/worker.c - see worker.h. Exit codes as main.c's: 0 done, 1 a
 * failure (the message on stderr), 2 bad usage or configuration. */
#include "cli/worker.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "connectors/registry.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/str.h"
#include "core/time.h"
#include "db/pool.h"
#include "sched/loop.h"
#include "store/jobs.h"
#include "sync/runner.h"

enum { OK = 0, FAIL = 1, USAGE = 2 };

#define PROBES_MAX 1000000 /* probe jobs one command queues */

static int fail(const struct err *e)
{
    fprintf(stderr, "inlet: %s\n", e->msg);
    return e->code == ERR_INVALID ? USAGE : FAIL;
}

int cli_worker(struct cli_ctx *x, struct db **db)
{
    const struct config *cfg = x->cfg;
    struct registry *reg = NULL;
    struct db_pool *pool = NULL;
    struct runner *runner = NULL;
    struct sched_loop *loop = NULL;
    struct oauth_env env;
    struct err e;
    sigset_t stop;
    int sig = 0;

    if (cfg->workers == 0) {
        fprintf(stderr, "inlet: a worker needs at least one thread: --workers N, N >= 1\n");
        return USAGE;
    }
    /* Blocked before any thread starts, so that only sigwait gets them. */
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    int mask_rc = pthread_sigmask(SIG_BLOCK, &stop, NULL);
    if (mask_rc != 0) {
        fprintf(stderr, "inlet: cannot block SIGINT and SIGTERM: %s\n", strerror(mask_rc));
        return FAIL;
    }
    int rc = cli_env_open(&env, &reg, x, &e);
    db_close(*db); /* migrated through it; the workers use the pool */
    *db = NULL;
    /* A connection per worker, one for the lease keeper, one for the loop. */
    if (rc == 0)
        rc = db_pool_new(&pool, cfg->db_url, cfg->workers + 2, &e);
    if (rc == 0) {
        struct runner_opts ro = {.pool = pool,
                                 .vault = x->vault,
                                 .registry = reg,
                                 .threads = cfg->workers,
                                 .lease_s = cfg->job_lease,
                                 .per_tenant = (int)cfg->jobs_per_tenant,
                                 .per_connector = (int)cfg->syncs_per_connector,
                                 .name = "worker"};
        rc = runner_start(&runner, &ro, true, &e);
    }
    if (rc == 0) {
        struct sched_loop_opts so = {
            .pool = pool, .vault = x->vault, .runner = runner, .public_url = cfg->public_url};
        rc = sched_loop_start(&loop, &so, &e);
    }
    if (rc < 0) {
        runner_stop(runner);
        db_pool_free(pool);
        registry_free(reg);
        return fail(&e);
    }
    log_info("working", LOG_STR("engine", config_db_engine(cfg)), LOG_INT("threads", cfg->workers),
             LOG_INT("lease_s", cfg->job_lease));
    if (printf("inlet worker running %u threads\n", cfg->workers) < 0 || fflush(stdout) != 0)
        clearerr(stdout); /* the log has the same line */
    while (sigwait(&stop, &sig) != 0)
        ;
    log_info("stopping", LOG_STR("signal", sig == SIGINT ? "SIGINT" : "SIGTERM"));
    sched_loop_stop(loop); /* no pass queues work after this */
    runner_stop(runner);
    db_pool_free(pool);
    registry_free(reg);
    log_info("stopped");
    return OK;
}

static int print_count(void *ctx, const char *kind, const char *status, int64_t n)
{
    int *lines = ctx;
    if (*lines == 0 && printf("%-10s %-10s %10s\n", "KIND", "STATUS", "JOBS") < 0)
        return -1;
    ++*lines;
    return printf("%-10s %-10s %10lld\n", kind, status, (long long)n) < 0 ? -1 : 0;
}

int cli_jobs(const struct cli_ctx *x)
{
    struct err e;
    int lines = 0;
    int rc = jobs_stats(x->db, print_count, &lines, &e);
    if (rc < 0)
        return fail(&e);
    if (lines == 0 && printf("no jobs\n") < 0)
        return FAIL;
    return fflush(stdout) == 0 ? OK : FAIL;
}

int cli_jobs_probe(const struct cli_ctx *x, const char *n_text, int64_t ms)
{
    int64_t n = 0;
    struct err e;
    struct buf payload;
    char id[ID_MAX];
    int rc = str_to_i64(&n, str_from(n_text), "N", &e);
    if (rc == 0 && (n < 1 || n > PROBES_MAX))
        rc = err_set(&e, ERR_INVALID, "N: a number of probe jobs in 1..%d", PROBES_MAX);
    if (rc < 0)
        return fail(&e);
    int64_t now = time_now_ms() / 1000;
    buf_init(&payload, 0);
    buf_printf(&payload, "{\"ms\":%lld}", (long long)ms);
    /* One transaction: the workers see all of them at once or none. */
    rc = db_begin(x->db, &e);
    for (int64_t i = 0; rc == 0 && i < n; i++)
        rc = jobs_enqueue(id, x->db, NULL, "probe", buf_cstr(&payload), NULL, now, 1, now, &e);
    if (rc == 0)
        rc = db_commit(x->db, &e);
    else
        db_rollback(x->db);
    buf_dispose(&payload);
    if (rc < 0)
        return fail(&e);
    return printf("queued %lld probe jobs\n", (long long)n) < 0 || fflush(stdout) != 0 ? FAIL : OK;
}
