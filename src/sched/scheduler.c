/* sched/scheduler.c - see scheduler.h. */
#include "sched/scheduler.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/id.h"
#include "core/log.h"
#include "sched/schedule.h"
#include "sync/runner.h"

struct due {
    char id[ID_MAX], tenant_id[ID_MAX];
    char connector[64];
    char *schedule; /* owned */
    int64_t next;   /* computed by the pass; SCHEDULE_NEVER: off its schedule */
    bool suspended; /* its tenant is: the period passes without a run */
    bool queue;     /* a sync job is to be queued */
};

/* The due rows, read whole: the pass writes on the same connection. */
static int read_due(struct due **out, size_t *n, struct db *db, int64_t now, int limit,
                    struct err *err)
{
    /* A suspended tenant's rows are read too, and moved on to their next
     * time without a job: left due, they would fill every pass's LIMIT. */
#define DUE_SELECT                                                                                 \
    "SELECT i.id, i.tenant_id, i.schedule, i.connector_id, (SELECT t.suspended_at FROM tenants t"  \
    " WHERE t.id = i.tenant_id) FROM integrations i WHERE i.status = 'active'"                     \
    " AND i.next_run_at IS NOT NULL AND i.next_run_at <= $1 AND i.deleted_at IS NULL AND"          \
    " i.schedule IS NOT NULL ORDER BY i.next_run_at, i.id LIMIT $2"
    static const char base[] = DUE_SELECT;
    static const char pg[] = DUE_SELECT " FOR UPDATE OF i SKIP LOCKED";
#undef DUE_SELECT
    struct db_rows *rows = NULL;
    *out = xcalloc((size_t)limit, sizeof(**out));
    *n = 0;
    int rc = db_query(&rows, db, strcmp(db_engine(db), "postgres") == 0 ? pg : base,
                      DB_ARGS(DB_INT(now), DB_INT(limit)), err);
    if (rc < 0)
        return rc;
    while ((rc = db_rows_next(rows, err)) == 1 && *n < (size_t)limit) {
        struct due *d = &(*out)[(*n)++];
        snprintf(d->id, sizeof(d->id), "%s", db_rows_text(rows, 0));
        snprintf(d->tenant_id, sizeof(d->tenant_id), "%s", db_rows_text(rows, 1));
        d->schedule = xstrdup(db_rows_text(rows, 2));
        snprintf(d->connector, sizeof(d->connector), "%s",
                 db_rows_text(rows, 3) ? db_rows_text(rows, 3) : "");
        d->suspended = db_rows_int(rows, 4) != 0;
    }
    db_rows_free(rows);
    return rc < 0 ? rc : 0;
}

/* The pass writes its jobs and the next run times with one statement each,
 * whatever the number of due integrations: the rows travel as one JSON
 * array, which PostgreSQL reads with jsonb_to_recordset and SQLite with
 * json_each. Four statements a row made a pass of 1,000 take 250 to 400
 * ms on PostgreSQL (bench/sched), round trips and all. The dedupe is the
 * partial unique index on (tenant_id, dedupe_key): a sync queued or
 * running already is this period's run, and its row is skipped. */
#define INSERT_JOBS                                                                                \
    "INSERT INTO jobs (id, tenant_id, kind, payload, dedupe_key, status, run_at, max_attempts,"    \
    " connector, created_at, updated_at) SELECT x.job, x.tenant_id, 'sync', "
#define INSERT_TAIL                                                                                \
    " ON CONFLICT (tenant_id, dedupe_key) WHERE tenant_id IS NOT NULL AND dedupe_key IS NOT NULL"  \
    " AND status IN ('queued', 'running') DO NOTHING"
#define INSERT_PG                                                                                  \
    INSERT_JOBS "CAST(x.payload AS jsonb), x.dedupe, 'queued', $2, $3, x.connector, $2, $2"        \
                " FROM jsonb_to_recordset(CAST($1 AS jsonb)) AS x(job text, tenant_id text,"       \
                " payload text, dedupe text, connector text)" INSERT_TAIL
/* "WHERE true": SQLite would read ON after a FROM as a join's. */
#define INSERT_LITE                                                                                \
    INSERT_JOBS "x.payload, x.dedupe, 'queued', $2, $3, x.connector, $2, $2 FROM (SELECT"          \
                " json_extract(value, '$.job') AS job, json_extract(value, '$.tenant_id') AS"      \
                " tenant_id, json_extract(value, '$.payload') AS payload, json_extract(value,"     \
                " '$.dedupe') AS dedupe, json_extract(value, '$.connector') AS connector FROM"     \
                " json_each($1)) AS x WHERE true" INSERT_TAIL
#define UPDATE_PG                                                                                  \
    "UPDATE integrations i SET next_run_at = x.next FROM jsonb_to_recordset(CAST($1 AS jsonb))"    \
    " AS x(tenant_id text, id text, next bigint) WHERE i.tenant_id = x.tenant_id AND i.id = x.id"
#define UPDATE_LITE                                                                                \
    "UPDATE integrations SET next_run_at = x.next FROM (SELECT json_extract(value,"                \
    " '$.tenant_id') AS tenant_id, json_extract(value, '$.id') AS id, json_extract(value,"         \
    " '$.next') AS next FROM json_each($1)) AS x WHERE integrations.tenant_id = x.tenant_id AND"   \
    " integrations.id = x.id"

static int insert_jobs(int64_t *n, struct db *db, const char *rows, int64_t now, struct err *err)
{
    bool is_pg = strcmp(db_engine(db), "postgres") == 0;
    return db_exec(db, is_pg ? INSERT_PG : INSERT_LITE,
                   DB_ARGS(DB_TEXT(rows), DB_INT(now), DB_INT(RUNNER_ATTEMPTS_DEFAULT)), n, err);
}

static int update_next(struct db *db, const char *rows, struct err *err)
{
    bool is_pg = strcmp(db_engine(db), "postgres") == 0;
    return db_exec(db, is_pg ? UPDATE_PG : UPDATE_LITE, DB_ARGS(DB_TEXT(rows)), NULL, err);
}

/* Each due integration's next time, from now and not from the time missed
 * (one catch-up run, not one per period the process was down), and
 * whether it gets a job. */
static void plan(struct due *d, int64_t now)
{
    struct schedule s;
    struct err why;
    if (schedule_parse(&s, d->schedule, strlen(d->schedule), &why) < 0) {
        log_warn("scheduler: a schedule that does not parse is taken off",
                 LOG_STR("integration", d->id), LOG_ERROR(&why));
        d->next = SCHEDULE_NEVER;
        d->queue = false;
        return;
    }
    d->next = schedule_next(&s, d->id, now);
    d->queue = !d->suspended;
}

/* The JSON arrays of the jobs to insert and of the next times. */
static void rows_of(struct buf *jobs, struct buf *next, const struct due *due, size_t n)
{
    buf_putc(jobs, '[');
    buf_putc(next, '[');
    for (size_t i = 0, k = 0; i < n; i++) {
        const struct due *d = &due[i];
        buf_printf(next, "%s{\"tenant_id\":", i ? "," : "");
        buf_put_json_str(next, d->tenant_id);
        buf_puts(next, ",\"id\":");
        buf_put_json_str(next, d->id);
        if (d->next == SCHEDULE_NEVER)
            buf_puts(next, ",\"next\":null}");
        else
            buf_printf(next, ",\"next\":%lld}", (long long)d->next);
        if (!d->queue)
            continue;
        /* The payload runner_enqueue_sync writes for a scheduled run. */
        struct buf p, key;
        char job[ID_MAX];
        id_new(job, "job");
        buf_init(&p, 0);
        buf_init(&key, 0);
        buf_puts(&p, "{\"integration_id\":");
        buf_put_json_str(&p, d->id);
        buf_puts(&p, ",\"triggered_by\":\"schedule\",\"full\":false,\"streams\":[]}");
        buf_printf(&key, "sync:%s", d->id);
        buf_printf(jobs, "%s{\"job\":", k++ ? "," : "");
        buf_put_json_str(jobs, job);
        buf_puts(jobs, ",\"tenant_id\":");
        buf_put_json_str(jobs, d->tenant_id);
        buf_puts(jobs, ",\"payload\":");
        buf_put_json_str(jobs, buf_cstr(&p));
        buf_puts(jobs, ",\"dedupe\":");
        buf_put_json_str(jobs, buf_cstr(&key));
        buf_puts(jobs, ",\"connector\":");
        buf_put_json_str(jobs, d->connector[0] ? d->connector : NULL);
        buf_putc(jobs, '}');
        buf_dispose(&p);
        buf_dispose(&key);
    }
    buf_putc(jobs, ']');
    buf_putc(next, ']');
}

int sched_pass(struct sched_result *out, struct db *db, int64_t now, int limit, struct err *err)
{
    struct due *due = NULL;
    size_t n = 0;
    memset(out, 0, sizeof(*out));
    if (limit < 1 || limit > SCHED_PASS_MAX)
        return err_set(err, ERR_INVALID, "limit: must be 1..%d", SCHED_PASS_MAX);
    int rc = db_begin(db, err);
    if (rc < 0)
        return rc;
    rc = read_due(&due, &n, db, now, limit, err);
    out->due = (int64_t)n;
    if (rc == 0 && n > 0) {
        struct buf jobs, next;
        int64_t queued = 0, inserted = 0;
        buf_init(&jobs, 0);
        buf_init(&next, 0);
        for (size_t i = 0; i < n; i++) {
            plan(&due[i], now);
            queued += due[i].queue;
        }
        rows_of(&jobs, &next, due, n);
        if (queued > 0)
            rc = insert_jobs(&inserted, db, buf_cstr(&jobs), now, err);
        if (rc == 0)
            rc = update_next(db, buf_cstr(&next), err);
        out->enqueued = inserted;
        out->skipped = queued - inserted;
        buf_dispose(&jobs);
        buf_dispose(&next);
    }
    if (rc == 0)
        rc = db_commit(db, err);
    else
        db_rollback(db);
    for (size_t i = 0; i < n; i++)
        xfree(due[i].schedule);
    xfree(due);
    if (rc < 0)
        memset(out, 0, sizeof(*out));
    return rc;
}

int sched_set(int64_t *next_run_at, struct db *db, const char *tenant_id, const char *id,
              const char *text, int64_t now, struct err *err)
{
    struct schedule s;
    int64_t next = 0, n = 0;
    if (text) {
        int rc = schedule_parse(&s, text, strlen(text), err);
        if (rc < 0)
            return rc;
        next = schedule_next(&s, id, now);
        if (next == SCHEDULE_NEVER)
            next = 0;
    }
    int rc = db_exec(db,
                     "UPDATE integrations SET schedule = $3, next_run_at = $4, updated_at = $5"
                     " WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL",
                     DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(id), DB_TEXT(text),
                             next ? DB_INT(next) : DB_NULL, DB_INT(now)),
                     &n, err);
    if (rc == 0 && n == 0)
        rc = err_set(err, ERR_NOTFOUND, "no integration %s", id);
    if (rc == 0 && next_run_at)
        *next_run_at = next;
    return rc;
}
