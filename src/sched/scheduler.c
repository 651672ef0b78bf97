/* sched/scheduler.c - see scheduler.h. */
#include "sched/scheduler.h"

#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/id.h"
#include "core/log.h"
#include "sched/schedule.h"
#include "sync/runner.h"

struct due {
    char id[ID_MAX], tenant_id[ID_MAX];
    char *schedule; /* owned */
};

/* The due rows, read whole: the pass writes on the same connection. */
static int read_due(struct due **out, size_t *n, struct db *db, int64_t now, int limit,
                    struct err *err)
{
    static const char base[] =
        "SELECT id, tenant_id, schedule FROM integrations WHERE status = 'active' AND"
        " next_run_at IS NOT NULL AND next_run_at <= $1 AND deleted_at IS NULL AND"
        " schedule IS NOT NULL ORDER BY next_run_at, id LIMIT $2";
    static const char pg[] =
        "SELECT id, tenant_id, schedule FROM integrations WHERE status = 'active' AND"
        " next_run_at IS NOT NULL AND next_run_at <= $1 AND deleted_at IS NULL AND"
        " schedule IS NOT NULL ORDER BY next_run_at, id LIMIT $2 FOR UPDATE SKIP LOCKED";
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
    }
    db_rows_free(rows);
    return rc < 0 ? rc : 0;
}

static int set_next(struct db *db, const struct due *d, int64_t next, struct err *err)
{
    return db_exec(db, "UPDATE integrations SET next_run_at = $3 WHERE tenant_id = $1 AND id = $2",
                   DB_ARGS(DB_TEXT(d->tenant_id), DB_TEXT(d->id),
                           next == SCHEDULE_NEVER ? DB_NULL : DB_INT(next)),
                   NULL, err);
}

/* One due integration: its job, its next time. */
static int take(struct sched_result *out, struct db *db, const struct due *d, int64_t now,
                struct err *err)
{
    struct schedule s;
    struct err why;
    if (schedule_parse(&s, d->schedule, strlen(d->schedule), &why) < 0) {
        log_warn("scheduler: a schedule that does not parse is taken off",
                 LOG_STR("integration", d->id), LOG_ERROR(&why));
        return set_next(db, d, SCHEDULE_NEVER, err);
    }
    int rc =
        runner_enqueue_sync(db, d->tenant_id, d->id, NULL, "schedule", false, NULL, 0, now, err);
    if (rc == ERR_CONFLICT) { /* syncing already: this period's run is that one */
        out->skipped++;
        rc = 0;
    } else if (rc == 0) {
        out->enqueued++;
    }
    /* From now, not from the time missed: one catch-up run, not one per
     * period the process was down. */
    return rc < 0 ? rc : set_next(db, d, schedule_next(&s, d->id, now), err);
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
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = take(out, db, &due[i], now, err);
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
