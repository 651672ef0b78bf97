/* bench/sched/bench_sched.c - what scheduling and the job queue cost at
 * scale (issue 8), on SQLite and on PostgreSQL, each a fresh database with
 * inlet's migrations. 100,000 active hourly integrations over 100 tenants,
 * made as the API makes them (store/ and sched_set), fall due over one
 * hour; sched_pass runs at the instants when 0, ~100, ~1,000 and ~10,000
 * are due, beside a hand-written pass in the same run (the due SELECT, one
 * INSERT and one UPDATE a row, through the same db layer). Then the queue:
 * 20,000 empty jobs drained by 4 forked workers with jobs_claim and
 * jobs_finish on PostgreSQL (1 on SQLite), beside a minimal SKIP LOCKED
 * claim; every drain is checked for double claims. Prints one table and
 * exits 1 when a check fails, never because of a time. Run by `make bench`
 * under scripts/with-pg; knobs and figures in docs/benchmarks.md. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/id.h"
#include "core/secret.h"
#include "db/db.h"
#include "db/migrate.h"
#include "sched/scheduler.h"
#include "store/integration.h"
#include "store/jobs.h"
#include "store/tenant.h"

#define HOURLY "{\"kind\":\"hourly\"}" /* spread: each id gets its own second of the hour */
#define T0     1767225600              /* 2026-01-01T00:00:00Z, when the schedules are set */

/* The targets of issue 8. */
#define PASS_MS_MAX  100.0  /* one pass, up to SCHED_PASS_MAX due */
#define IDLE_MS_MAX  1.0    /* one pass with nothing due */
#define GROWTH_MAX   1.5    /* ms per due integration against the next smaller count */
#define JOBS_PER_S   1000.0 /* queue drain on PostgreSQL */
#define IDLE_REPEATS 50     /* passes with nothing due are timed this many times */

struct conf {
    int integrations;   /* BENCH_INTEGRATIONS, 100,000 */
    int tenants;        /* BENCH_TENANTS, 100 */
    int runs;           /* BENCH_RUNS, 3: the best counts */
    int queue_runs;     /* BENCH_QUEUE_RUNS, 1: each drain is long enough to average */
    int jobs;           /* BENCH_JOBS, 20,000 */
    int workers;        /* BENCH_WORKERS, 4 (PostgreSQL; SQLite drains with 1) */
    bool keep;          /* BENCH_KEEP=1: leave the databases for EXPLAIN */
    const char *pg_set; /* BENCH_PG_SET=name=value: a setting of the PostgreSQL database */
};

struct engine {
    const char *name; /* "SQLite" or "PostgreSQL" */
    bool pg;
    char *url;      /* from xmalloc */
    struct db *db;  /* closed while workers run */
    int64_t *slots; /* every integration's first next_run_at, sorted; from xmalloc */
    size_t nslots;
};

/* One line of the table. */
struct row {
    char engine[16], what[48], figure[48], ref[48], ratio[16], target[48], met[8];
};

static struct row table[64];
static size_t nrows;
static int failures; /* checks (not times) that failed: exit 1 */

static void die(const char *what, const char *msg)
{
    fprintf(stderr, "bench_sched: %s: %s\n", what, msg);
    exit(1);
}

static void db_ok(int rc, const struct err *err, const char *what)
{
    if (rc < 0)
        die(what, err->msg);
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("bench_sched: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int env_int(const char *name, int dflt)
{
    const char *v = getenv(name);
    if (!v || !*v)
        return dflt;
    char *end = NULL;
    long n = strtol(v, &end, 10);
    if (*end || n <= 0 || n > 10000000)
        die(name, "must be a number from 1 to 10,000,000");
    return (int)n;
}

/* A cell of the table, cut to fit (it never needs to be). */
static void cell(char *out, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void cell(char *out, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, n, fmt, ap);
    va_end(ap);
}

static struct row *add_row(const struct engine *e, const char *what)
{
    if (nrows == sizeof(table) / sizeof(table[0]))
        die("table", "too many rows");
    struct row *r = &table[nrows++];
    memset(r, 0, sizeof(*r));
    cell(r->engine, sizeof(r->engine), "%s", e->name);
    cell(r->what, sizeof(r->what), "%s", what);
    return r;
}

static void script(struct engine *e, const char *sql)
{
    struct err err = {0};
    db_ok(db_exec_script(e->db, sql, &err), &err, sql);
}

/* Column 0 of the first row of sql, with $1 bound to arg when it has one. */
static int64_t query_int(struct engine *e, const char *sql, const int64_t *arg)
{
    struct err err = {0};
    int64_t v = 0;
    struct db_val p = DB_INT(arg ? *arg : 0);
    db_ok(db_query_int(&v, e->db, sql, arg ? &p : NULL, arg ? 1 : 0, &err), &err, sql);
    return v;
}

/* PostgreSQL: what autovacuum would have done by now, so that every
 * measurement starts from the same table (one statement a call: VACUUM
 * runs in no transaction). */
static void vacuum(struct engine *e)
{
    if (!e->pg)
        return;
    script(e, "VACUUM ANALYZE integrations");
    script(e, "VACUUM ANALYZE jobs");
}

/* --- Seeding ----------------------------------------------------------------- */

/* c->integrations active hourly integrations over c->tenants tenants, made
 * as the API makes them: integration_create, integration_update to active,
 * sched_set, one tenant transaction per tenant. Their first next runs are
 * kept in bench_seed (to put them back after each measurement) and, sorted,
 * in e->slots. */
static void seed(struct engine *e, const struct conf *c)
{
    struct integration_change active = {.status = "active"};
    struct err err = {0};
    double t = mono();

    for (int k = 0; k < c->tenants; k++) {
        char tenant[ID_MAX], name[64];
        struct secret key = {0};
        snprintf(name, sizeof(name), "bench-sched-%03d", k);
        db_ok(tenant_create(tenant, &key, e->db, name, &err), &err, "tenant_create");
        secret_dispose(&key);
        int n = c->integrations / c->tenants + (k < c->integrations % c->tenants);
        db_ok(db_begin_tenant(e->db, tenant, &err), &err, "begin");
        for (int i = 0; i < n; i++) {
            struct integration it = {0};
            snprintf(name, sizeof(name), "bench %06d", i);
            db_ok(integration_create(&it, e->db, tenant, "slack", name, NULL, T0, &err), &err,
                  "integration_create");
            db_ok(integration_update(NULL, e->db, tenant, it.id, &active, T0, &err), &err,
                  "integration_update");
            db_ok(sched_set(NULL, e->db, tenant, it.id, HOURLY, T0, &err), &err, "sched_set");
            integration_dispose(&it);
        }
        db_ok(db_commit(e->db, &err), &err, "commit");
    }
    script(e, "CREATE TABLE bench_seed (id TEXT PRIMARY KEY, next_run_at BIGINT NOT NULL);"
              " INSERT INTO bench_seed (id, next_run_at) SELECT id, next_run_at FROM integrations");
    vacuum(e);

    struct db_rows *rows = NULL;
    int rc;
    e->slots = xmalloc((size_t)c->integrations * sizeof(*e->slots));
    db_ok(db_query(&rows, e->db, "SELECT next_run_at FROM bench_seed ORDER BY next_run_at", NULL, 0,
                   &err),
          &err, "slots");
    while ((rc = db_rows_next(rows, &err)) == 1 && e->nslots < (size_t)c->integrations)
        e->slots[e->nslots++] = db_rows_int(rows, 0);
    db_ok(rc, &err, "slots");
    db_rows_free(rows);
    if (e->nslots != (size_t)c->integrations)
        die("seed", "the integrations made are not all scheduled");
    say("%s: %d integrations over %d tenants seeded in %.1f s", e->name, c->integrations,
        c->tenants, mono() - t);
}

/* Empty the jobs table and put every next_run_at back where seed left it. */
static void restore(struct engine *e)
{
    script(e, "DELETE FROM jobs");
    script(e, "UPDATE integrations SET next_run_at = s.next_run_at FROM bench_seed s"
              " WHERE s.id = integrations.id AND integrations.next_run_at <> s.next_run_at");
    vacuum(e);
}

/* --- Scheduling passes ----------------------------------------------------------- */

typedef int (*pass_fn)(struct sched_result *out, struct db *db, int64_t now, int limit,
                       struct err *err);

struct ref_due {
    char id[ID_MAX], tenant_id[ID_MAX];
    int64_t next_run_at;
};

/* The same work by hand: the due rows read whole, then per row the sync
 * job inserted (the payload and dedupe key runner_enqueue_sync gives it)
 * and next_run_at moved an hour on; one transaction. No dedupe look-up,
 * no row locks, no schedule parsing. */
static int ref_pass(struct sched_result *out, struct db *db, int64_t now, int limit,
                    struct err *err)
{
    struct ref_due *due = xcalloc((size_t)limit, sizeof(*due));
    struct db_rows *rows = NULL;
    size_t n = 0;

    memset(out, 0, sizeof(*out));
    int rc = db_begin(db, err);
    if (rc < 0)
        goto done;
    rc = db_query(&rows, db,
                  "SELECT id, tenant_id, next_run_at FROM integrations WHERE status = 'active'"
                  " AND next_run_at <= $1 ORDER BY next_run_at LIMIT $2",
                  DB_ARGS(DB_INT(now), DB_INT(limit)), err);
    if (rc == 0) {
        while ((rc = db_rows_next(rows, err)) == 1 && n < (size_t)limit) {
            snprintf(due[n].id, sizeof(due[n].id), "%s", db_rows_text(rows, 0));
            snprintf(due[n].tenant_id, sizeof(due[n].tenant_id), "%s", db_rows_text(rows, 1));
            due[n++].next_run_at = db_rows_int(rows, 2);
        }
        db_rows_free(rows);
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char job[ID_MAX], key[ID_MAX + 8], payload[160];
        id_new(job, "job");
        snprintf(key, sizeof(key), "sync:%s", due[i].id);
        snprintf(payload, sizeof(payload),
                 "{\"integration_id\":\"%s\",\"triggered_by\":\"schedule\",\"full\":false,"
                 "\"streams\":[]}",
                 due[i].id);
        rc = db_exec(db,
                     "INSERT INTO jobs (id, tenant_id, kind, payload, dedupe_key, status, run_at,"
                     " max_attempts, created_at, updated_at) VALUES ($1, $2, 'sync', $3, $4,"
                     " 'queued', $5, 3, $5, $5)",
                     DB_ARGS(DB_TEXT(job), DB_TEXT(due[i].tenant_id), DB_TEXT(payload),
                             DB_TEXT(key), DB_INT(now)),
                     NULL, err);
        if (rc == 0)
            rc = db_exec(db, "UPDATE integrations SET next_run_at = $2 WHERE id = $1",
                         DB_ARGS(DB_TEXT(due[i].id), DB_INT(due[i].next_run_at + 3600)), NULL, err);
    }
    if (rc == 0)
        rc = db_commit(db, err);
    else
        db_rollback(db);
    if (rc == 0)
        out->due = out->enqueued = (int64_t)n;
done:
    xfree(due);
    return rc;
}

/* Passes at now until one finds fewer than SCHED_PASS_MAX due. */
struct drain {
    int64_t due, enqueued;
    int passes;
    double s, worst_s; /* the whole drain; its slowest pass */
    double busy_s;     /* the passes that found some due (all of s but the empty last one) */
};

static void pass_drain(struct drain *d, struct engine *e, pass_fn fn, int64_t now)
{
    struct err err = {0};
    memset(d, 0, sizeof(*d));
    for (;;) {
        struct sched_result r;
        double t = mono();
        db_ok(fn(&r, e->db, now, SCHED_PASS_MAX, &err), &err, "pass");
        t = mono() - t;
        d->s += t;
        if (t > d->worst_s)
            d->worst_s = t;
        if (r.due > 0 || d->passes == 0) { /* the empty pass ending a drain is not one */
            d->passes++;
            d->busy_s += t;
        }
        d->due += r.due;
        d->enqueued += r.enqueued;
        if (r.due < SCHED_PASS_MAX)
            break;
    }
}

struct pass_case {
    int64_t now, due;     /* the instant, and how many are due then */
    struct drain best[2]; /* [0] sched_pass, [1] the hand-written pass: the fastest drain,
                             or with none due the median of IDLE_REPEATS */
    double per_due[2];    /* best[i].s / due, seconds */
};

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The two passes take turns, so that drift (page cache, autovacuum, the
 * other work on the machine) falls on both alike. */
static void pass_case_run(struct pass_case *pc, struct engine *e, int runs)
{
    static const pass_fn fns[2] = {sched_pass, ref_pass};
    double idle[2][IDLE_REPEATS];

    memset(pc->best, 0, sizeof(pc->best));
    if (pc->due == 0)
        runs = IDLE_REPEATS; /* nothing changes: no restore between them */
    for (int run = 0; run < runs; run++) {
        for (int k = 0; k < 2; k++) {
            struct drain d;
            if (pc->due > 0 || run == 0)
                restore(e);
            if (query_int(e,
                          "SELECT count(*) FROM integrations WHERE status = 'active' AND"
                          " next_run_at <= $1",
                          &pc->now) != pc->due)
                die("restore", "the due count differs from the seed's");
            pass_drain(&d, e, fns[k], pc->now);
            if (d.due != pc->due || d.enqueued != pc->due) {
                fprintf(stderr,
                        "bench_sched: %s %s at +%" PRId64 " s: %" PRId64 " due, %" PRId64
                        " queued, %" PRId64 " expected\n",
                        e->name, k ? "reference" : "sched_pass", pc->now - T0, d.due, d.enqueued,
                        pc->due);
                failures++;
            }
            if (pc->due == 0)
                idle[k][run] = d.s;
            else if (run == 0 || d.s < pc->best[k].s)
                pc->best[k] = d;
        }
    }
    for (int k = 0; k < 2; k++) {
        if (pc->due == 0) {
            qsort(idle[k], IDLE_REPEATS, sizeof(double), cmp_double);
            pc->best[k].passes = 1;
            pc->best[k].s = pc->best[k].busy_s = pc->best[k].worst_s = idle[k][IDLE_REPEATS / 2];
        }
        pc->per_due[k] = pc->due ? pc->best[k].s / (double)pc->due : 0;
    }
}

static void bench_passes(struct engine *e, const struct conf *c)
{
    static const int targets[] = {0, 100, 1000, 10000};
    struct pass_case cases[4];
    size_t ncases = 0;

    for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
        struct pass_case *pc = &cases[ncases];
        memset(pc, 0, sizeof(*pc));
        if (targets[i] > c->integrations)
            break;
        /* Integrations falling due in the same second are due together: the
         * instant is the last second at which at most the target are due. */
        size_t k = (size_t)targets[i];
        while (k > 0 && k < e->nslots && e->slots[k - 1] == e->slots[k])
            k--;
        if (targets[i] > 0 && k == 0)
            die("seed", "too many integrations fall due in one second");
        pc->now = k ? e->slots[k - 1] : T0;
        pc->due = (int64_t)k;
        pass_case_run(pc, e, c->runs);
        ncases++;

        char what[48];
        struct row *r;
        if (pc->due == 0) {
            snprintf(what, sizeof(what), "pass, none due of %d", c->integrations);
            r = add_row(e, what);
            cell(r->figure, sizeof(r->figure), "%.3f ms", pc->best[0].s * 1e3);
            cell(r->ref, sizeof(r->ref), "%.3f ms", pc->best[1].s * 1e3);
            cell(r->ratio, sizeof(r->ratio), "%.2f", pc->best[0].s / pc->best[1].s);
            cell(r->target, sizeof(r->target), "< %.0f ms", IDLE_MS_MAX);
            cell(r->met, sizeof(r->met), "%s",
                 pc->best[0].worst_s * 1e3 < IDLE_MS_MAX ? "yes" : "no");
            continue;
        }
        snprintf(what, sizeof(what), "%" PRId64 " due: %d pass%s, ms a pass", pc->due,
                 pc->best[0].passes, pc->best[0].passes > 1 ? "es" : "");
        r = add_row(e, what);
        cell(r->figure, sizeof(r->figure), "%.2f (max %.2f)",
             pc->best[0].busy_s * 1e3 / pc->best[0].passes, pc->best[0].worst_s * 1e3);
        cell(r->ref, sizeof(r->ref), "%.2f", pc->best[1].busy_s * 1e3 / pc->best[1].passes);
        cell(r->ratio, sizeof(r->ratio), "%.2f", pc->best[0].s / pc->best[1].s);
        cell(r->target, sizeof(r->target), "each < %.0f ms", PASS_MS_MAX);
        cell(r->met, sizeof(r->met), "%s", pc->best[0].worst_s * 1e3 < PASS_MS_MAX ? "yes" : "no");

        snprintf(what, sizeof(what), "%" PRId64 " due: us a due integration", pc->due);
        r = add_row(e, what);
        cell(r->figure, sizeof(r->figure), "%.1f", pc->per_due[0] * 1e6);
        cell(r->ref, sizeof(r->ref), "%.1f", pc->per_due[1] * 1e6);
        cell(r->ratio, sizeof(r->ratio), "%.2f", pc->per_due[0] / pc->per_due[1]);
        const struct pass_case *prev = ncases >= 2 ? &cases[ncases - 2] : NULL;
        if (prev && prev->due > 0) {
            /* The reference's growth beside it: what the engine itself does. */
            double growth = pc->per_due[0] / prev->per_due[0];
            cell(r->target, sizeof(r->target), "<= %.1fx from %" PRId64 ": %.2fx, ref %.2fx",
                 GROWTH_MAX, prev->due, growth, pc->per_due[1] / prev->per_due[1]);
            cell(r->met, sizeof(r->met), "%s", growth <= GROWTH_MAX ? "yes" : "no");
        }
    }
    restore(e);
}

/* --- The queue --------------------------------------------------------------------- */

/* Claim one job and end it done: *got false when none was there. */
typedef int (*work_fn)(bool *got, struct db *db, const char *owner, struct err *err);

static int inlet_work(bool *got, struct db *db, const char *owner, struct err *err)
{
    struct jobs_limits lim;
    struct job j;
    memset(&lim, 0, sizeof(lim)); /* no limits, whatever fields it gains */
    int rc = jobs_claim(&j, got, db, owner, 300, (int64_t)time(NULL), &lim, err);
    if (rc < 0 || !*got)
        return rc;
    rc = jobs_finish(NULL, db, j.id, owner, true, NULL, 0, (int64_t)time(NULL), err);
    job_dispose(&j);
    return rc;
}

/* The minimal claim: one UPDATE of the first queued row nobody holds,
 * then one to done; each statement its own transaction. */
static int ref_work(bool *got, struct db *db, const char *owner, struct err *err)
{
    static const char pg[] =
        "UPDATE jobs SET status = 'running', lease_owner = $1, lease_expires_at = $2,"
        " attempts = attempts + 1, updated_at = $3 WHERE id = (SELECT id FROM jobs WHERE"
        " status = 'queued' ORDER BY run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id";
    static const char lite[] = /* one writer at a time: the UPDATE alone is atomic */
        "UPDATE jobs SET status = 'running', lease_owner = $1, lease_expires_at = $2,"
        " attempts = attempts + 1, updated_at = $3 WHERE id = (SELECT id FROM jobs WHERE"
        " status = 'queued' ORDER BY run_at, id LIMIT 1) RETURNING id";
    struct db_rows *r = NULL;
    char id[ID_MAX];
    int64_t now = (int64_t)time(NULL);

    *got = false;
    int rc = db_query_row(&r, db, strcmp(db_engine(db), "postgres") == 0 ? pg : lite,
                          DB_ARGS(DB_TEXT(owner), DB_INT(now + 300), DB_INT(now)), err);
    if (rc == ERR_NOTFOUND)
        return 0;
    if (rc < 0)
        return rc;
    snprintf(id, sizeof(id), "%s", db_rows_text(r, 0));
    db_rows_free(r);
    *got = true;
    return db_exec(db,
                   "UPDATE jobs SET status = 'done', lease_owner = NULL, lease_expires_at = NULL,"
                   " updated_at = $2, finished_at = $2 WHERE id = $1",
                   DB_ARGS(DB_TEXT(id), DB_INT(now)), NULL, err);
}

struct worker_result {
    int64_t claimed, retried; /* jobs done; ERR_AGAIN retries */
    double end;               /* mono() when it found the queue empty */
    char error[ERR_MSG_MAX];  /* "" unless it failed */
};

/* A worker process: its own connection; waits for the start (EOF on go),
 * works until the queue is empty, writes its result to out. */
static void worker(const char *url, work_fn fn, int ready, int go, int out)
{
    struct worker_result res;
    struct db *db = NULL;
    struct err err = {0};
    char owner[JOBS_OWNER_MAX], c = 0;

    memset(&res, 0, sizeof(res));
    snprintf(owner, sizeof(owner), "bench:%ld:0", (long)getpid());
    int rc = db_open(&db, url, &err);
    if (write(ready, &c, 1) != 1)
        _exit(2);
    if (read(go, &c, 1) != 0) /* the parent closes it: EOF for every worker at once */
        _exit(2);
    while (rc == 0) {
        bool got = false;
        rc = fn(&got, db, owner, &err);
        if (rc == ERR_AGAIN) {
            res.retried++;
            rc = 0;
            continue;
        }
        if (rc == 0 && !got)
            break;
        if (rc == 0)
            res.claimed++;
    }
    res.end = mono();
    if (rc < 0)
        snprintf(res.error, sizeof(res.error), "%s", err.msg);
    db_close(db);
    _exit(write(out, &res, sizeof(res)) == (ssize_t)sizeof(res) ? 0 : 2);
}

/* Queue n empty jobs (kind probe, no dedupe key), all due now, in one
 * transaction, on an empty jobs table. */
static void queue_fill(struct engine *e, int n)
{
    struct err err = {0};
    int64_t now = (int64_t)time(NULL);
    restore(e);
    db_ok(db_begin(e->db, &err), &err, "begin");
    for (int i = 0; i < n; i++) {
        char id[ID_MAX];
        db_ok(jobs_enqueue(id, e->db, NULL, "probe", NULL, NULL, now, 0, now, &err), &err,
              "jobs_enqueue");
    }
    db_ok(db_commit(e->db, &err), &err, "commit");
    vacuum(e);
}

/* Drain the queue with `workers` processes running fn; jobs/s over the
 * drain. Checks that every job was claimed once and is done. */
static double queue_drain(struct engine *e, work_fn fn, int workers, int n, const char *who)
{
    int ready[2], go[2], out[2];
    pid_t *pids = xcalloc((size_t)workers, sizeof(*pids));
    struct err err = {0};
    int64_t claimed = 0;
    double end = 0;

    queue_fill(e, n);
    db_close(e->db); /* no connection crosses a fork */
    e->db = NULL;
    if (pipe(ready) || pipe(go) || pipe(out))
        die("pipe", "cannot make pipes");
    fflush(NULL);
    for (int i = 0; i < workers; i++) {
        pids[i] = fork();
        if (pids[i] < 0)
            die("fork", "cannot start a worker");
        if (pids[i] == 0) {
            close(ready[0]);
            close(go[1]);
            close(out[0]);
            worker(e->url, fn, ready[1], go[0], out[1]);
        }
    }
    close(ready[1]);
    close(go[0]);
    close(out[1]);
    for (int i = 0; i < workers; i++) {
        char c;
        if (read(ready[0], &c, 1) != 1)
            die("worker", "a worker did not start");
    }
    double start = mono();
    close(go[1]);
    for (int i = 0; i < workers; i++) {
        struct worker_result res;
        if (read(out[0], &res, sizeof(res)) != (ssize_t)sizeof(res))
            die("worker", "a worker ended without its result");
        if (res.error[0]) {
            fprintf(stderr, "bench_sched: %s %s worker: %s\n", e->name, who, res.error);
            failures++;
        }
        claimed += res.claimed;
        if (res.end > end)
            end = res.end;
    }
    for (int i = 0; i < workers; i++) {
        int st = 0;
        if (waitpid(pids[i], &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
            fprintf(stderr, "bench_sched: %s %s: a worker failed\n", e->name, who);
            failures++;
        }
    }
    close(ready[0]);
    close(out[0]);
    xfree(pids);

    db_ok(db_open(&e->db, e->url, &err), &err, "reopen");
    int64_t total = query_int(e, "SELECT count(*) FROM jobs", NULL);
    int64_t once =
        query_int(e, "SELECT count(*) FROM jobs WHERE status = 'done' AND attempts = 1", NULL);
    if (total != n || once != n || claimed != n) {
        fprintf(stderr,
                "bench_sched: %s %s: %" PRId64 " jobs, %" PRId64 " done after one claim, %" PRId64
                " claims counted by the workers; %d expected: double or lost claims\n",
                e->name, who, total, once, claimed, n);
        failures++;
    }
    return (double)n / (end - start);
}

static void bench_queue(struct engine *e, const struct conf *c)
{
    int workers = e->pg ? c->workers : 1;
    double best[2] = {0, 0};
    int failed = failures;

    for (int run = 0; run < c->queue_runs; run++) {
        double a = queue_drain(e, inlet_work, workers, c->jobs, "jobs_claim");
        double b = queue_drain(e, ref_work, workers, c->jobs, "reference claim");
        if (a > best[0])
            best[0] = a;
        if (b > best[1])
            best[1] = b;
        say("%s: queue drain %d: %.0f jobs/s, reference %.0f", e->name, run + 1, a, b);
    }
    char what[48];
    snprintf(what, sizeof(what), "queue: %d jobs, %d worker%s, jobs/s", c->jobs, workers,
             workers > 1 ? "s" : "");
    struct row *r = add_row(e, what);
    cell(r->figure, sizeof(r->figure), "%.0f", best[0]);
    cell(r->ref, sizeof(r->ref), "%.0f", best[1]);
    cell(r->ratio, sizeof(r->ratio), "%.2f", best[1] / best[0]); /* time a job */
    if (e->pg) {
        cell(r->target, sizeof(r->target), ">= %.0f, no double claim", JOBS_PER_S);
        cell(r->met, sizeof(r->met), "%s",
             best[0] >= JOBS_PER_S && failures == failed ? "yes" : "no");
    } else {
        cell(r->target, sizeof(r->target), "no double claim");
        cell(r->met, sizeof(r->met), "%s", failures == failed ? "yes" : "no");
    }
    restore(e);
}

/* --- Engines ------------------------------------------------------------------------ */

static void run_engine(struct engine *e, const struct conf *c)
{
    struct err err = {0};
    db_ok(db_open(&e->db, e->url, &err), &err, e->name);
    db_ok(db_migrate(e->db, NULL, &err), &err, "migrate");
    seed(e, c);
    bench_passes(e, c);
    say("%s: passes done", e->name);
    bench_queue(e, c);
    db_close(e->db);
    e->db = NULL;
    xfree(e->slots);
}

/* url with its database name replaced by name (after the hosts, up to '?'). */
static char *pg_url_with_db(const char *url, const char *name)
{
    const char *auth = strstr(url, "://");
    auth = auth ? auth + 3 : url;
    size_t host_n = strcspn(auth, "/?");
    const char *query = strchr(auth + host_n, '?');
    struct buf u;
    buf_init(&u, 0);
    buf_put(&u, url, (size_t)(auth - url) + host_n);
    buf_printf(&u, "/%s%s", name, query ? query : "");
    return buf_take(&u);
}

static void admin(const char *url, const char *sql)
{
    struct db *db = NULL;
    struct err err = {0};
    db_ok(db_open(&db, url, &err), &err, "postgres");
    db_ok(db_exec_script(db, sql, &err), &err, sql);
    db_close(db);
}

static void bench_sqlite(const struct conf *c)
{
    struct engine e = {.name = "SQLite"};
    const char *tmp = getenv("TMPDIR");
    char dir[256], path[300];

    snprintf(dir, sizeof(dir), "%s/inlet-bench-sched.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir))
        die(dir, "cannot make a temporary folder");
    snprintf(path, sizeof(path), "sqlite:%s/inlet.db", dir);
    e.url = xstrdup(path);
    run_engine(&e, c);
    if (c->keep) {
        say("SQLite database kept: %s", e.url + strlen("sqlite:"));
    } else {
        unlink(e.url + strlen("sqlite:")); /* a clean close removes -wal and -shm */
        rmdir(dir);
    }
    xfree(e.url);
}

static void bench_pg(const struct conf *c, const char *admin_url)
{
    struct engine e = {.name = "PostgreSQL", .pg = true};
    char name[64], sql[192];

    snprintf(name, sizeof(name), "inlet_bench_sched_%ld", (long)getpid());
    snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
    admin(admin_url, sql);
    if (c->pg_set) {
        /* "name=value": a setting for every session of the bench database. */
        size_t n = strcspn(c->pg_set, "=");
        if (!c->pg_set[n] || strspn(c->pg_set, "abcdefghijklmnopqrstuvwxyz_.") != n ||
            strchr(c->pg_set, '\'') || strlen(c->pg_set) > 64)
            die("BENCH_PG_SET", "expected name=value, e.g. plan_cache_mode=force_custom_plan");
        snprintf(sql, sizeof(sql), "ALTER DATABASE %s SET %.*s TO '%s'", name, (int)n, c->pg_set,
                 c->pg_set + n + 1);
        admin(admin_url, sql);
        say("PostgreSQL: %s", sql);
    }
    e.url = pg_url_with_db(admin_url, name);
    run_engine(&e, c);
    if (c->keep) {
        say("PostgreSQL database kept: %s", name);
    } else {
        snprintf(sql, sizeof(sql), "DROP DATABASE %s WITH (FORCE)", name);
        admin(admin_url, sql);
    }
    xfree(e.url);
}

static double rss_mb(int who)
{
    struct rusage ru;
    getrusage(who, &ru);
    return (double)ru.ru_maxrss / 1024.0; /* KiB on Linux */
}

int main(void)
{
    struct conf c = {
        .integrations = env_int("BENCH_INTEGRATIONS", 100000),
        .tenants = env_int("BENCH_TENANTS", 100),
        .runs = env_int("BENCH_RUNS", 3),
        .queue_runs = env_int("BENCH_QUEUE_RUNS", 1),
        .jobs = env_int("BENCH_JOBS", 20000),
        .workers = env_int("BENCH_WORKERS", 4),
        .keep = getenv("BENCH_KEEP") && strcmp(getenv("BENCH_KEEP"), "1") == 0,
        .pg_set = getenv("BENCH_PG_SET") && *getenv("BENCH_PG_SET") ? getenv("BENCH_PG_SET") : NULL,
    };
    const char *pg = getenv("INLET_TEST_PG");
    char load[64] = "?";
    FILE *f = fopen("/proc/loadavg", "r"); /* the machine is shared: say how busy it was */
    if (f) {
        if (!fgets(load, sizeof(load), f))
            snprintf(load, sizeof(load), "?");
        char *end = load;
        for (int i = 0; i < 3 && end; i++) /* the three averages, not the process counts */
            end = strchr(end + 1, ' ');
        if (end)
            *end = '\0';
        load[strcspn(load, "\n")] = '\0';
        fclose(f);
    }

    bench_sqlite(&c);
    if (pg && *pg)
        bench_pg(&c, pg);
    else
        say("PostgreSQL skipped: INLET_TEST_PG is not set (run under scripts/with-pg)");

    printf("sched: %d hourly integrations over %d tenants, due over one hour; passes of up to %d,"
           " best of %d (median of %d with none due), queue drains best of %d;\n"
           "sched: reference = the same work by hand (due SELECT, INSERT and UPDATE a row; minimal"
           " SKIP LOCKED claim);\nsched: ratio = inlet's time / the reference's for the same"
           " work (above 1: inlet slower)\n",
           c.integrations, c.tenants, SCHED_PASS_MAX, c.runs, IDLE_REPEATS, c.queue_runs);
    printf("%-11s %-38s %16s %10s %6s  %-34s %s\n", "engine", "what", "inlet", "reference", "ratio",
           "target", "met");
    for (size_t i = 0; i < nrows; i++) {
        const struct row *r = &table[i];
        printf("%-11s %-38s %16s %10s %6s  %-34s %s\n", r->engine, r->what, r->figure, r->ref,
               r->ratio, r->target, r->met);
    }
    printf("sched: peak RSS %.1f MB (the bench), %.1f MB (the largest worker); %ld cores, load"
           " average before the run %s\n",
           rss_mb(RUSAGE_SELF), rss_mb(RUSAGE_CHILDREN), sysconf(_SC_NPROCESSORS_ONLN), load);
    if (failures)
        printf("sched: %d check%s FAILED (see above)\n", failures, failures > 1 ? "s" : "");
    return failures ? 1 : 0;
}
