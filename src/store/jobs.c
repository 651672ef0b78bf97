/* store/jobs.c - see jobs.h. The claim is one UPDATE of the row a
 * sub-select picks; only PostgreSQL's sub-select says FOR UPDATE SKIP
 * LOCKED (SQLite has one writer at a time, so the UPDATE alone is atomic). */
#include "store/jobs.h"

#include <stdio.h>
#include <string.h>

#include "core/alloc.h"

#define ERROR_KEPT 500 /* bytes of a job's last error */

void job_dispose(struct job *j)
{
    xfree(j->payload);
    xfree(j->dedupe_key);
    j->payload = j->dedupe_key = NULL;
}

int jobs_enqueue(char id[ID_MAX], struct db *db, const char *tenant_id, const char *kind,
                 const char *payload, const char *dedupe_key, int64_t run_at, int max_attempts,
                 int64_t now, struct err *err)
{
    struct db_rows *r = NULL;
    int rc;
    if (dedupe_key) {
        /* Two statements, not one with "tenant_id = $1 OR $1 IS NULL": each
         * is a look-up in its own unique index. */
        if (tenant_id)
            rc = db_query_row(&r, db,
                              "SELECT id FROM jobs WHERE tenant_id = $1 AND dedupe_key = $2 AND"
                              " status IN ('queued', 'running')",
                              DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(dedupe_key)), err);
        else
            rc = db_query_row(&r, db,
                              "SELECT id FROM jobs WHERE tenant_id IS NULL AND dedupe_key = $1 AND"
                              " status IN ('queued', 'running')",
                              DB_ARGS(DB_TEXT(dedupe_key)), err);
        if (rc == 0) {
            snprintf(id, ID_MAX, "%s", db_rows_text(r, 0));
            db_rows_free(r);
            return err_set(err, ERR_CONFLICT, "a %s job is queued or running already (%s)", kind,
                           id);
        }
        if (rc != ERR_NOTFOUND)
            return rc;
    }
    id_new(id, "job");
    return db_exec(db,
                   "INSERT INTO jobs (id, tenant_id, kind, payload, dedupe_key, status, run_at,"
                   " max_attempts, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'queued',"
                   " $6, $7, $8, $8)",
                   DB_ARGS(DB_TEXT(id), DB_TEXT(tenant_id), DB_TEXT(kind),
                           DB_TEXT(payload ? payload : "{}"), DB_TEXT(dedupe_key), DB_INT(run_at),
                           DB_INT(max_attempts > 0 ? max_attempts : JOBS_ATTEMPTS_MAX),
                           DB_INT(now)),
                   NULL, err);
}

int jobs_set_connector(struct db *db, const char *id, const char *tenant_id,
                       const char *integration_id, struct err *err)
{
    return db_exec(db,
                   "UPDATE jobs SET connector = (SELECT i.connector_id FROM integrations i WHERE"
                   " i.tenant_id = $2 AND i.id = $3) WHERE id = $1",
                   DB_ARGS(DB_TEXT(id), DB_TEXT(tenant_id), DB_TEXT(integration_id)), NULL, err);
}

/* What a claim may take besides being due: the tenant and the connector
 * under their limits ($4, $5; 0 for none), counting live leases. */
#define CLAIM_LIMITS                                                                               \
    " AND ($4 = 0 OR j.tenant_id IS NULL OR (SELECT count(*) FROM jobs r WHERE r.tenant_id ="      \
    " j.tenant_id AND r.status = 'running' AND r.lease_expires_at >= $3) < $4) AND ($5 = 0 OR"     \
    " j.connector IS NULL OR (SELECT count(*) FROM jobs c WHERE c.connector = j.connector AND"     \
    " c.status = 'running' AND c.lease_expires_at >= $3) < $5)"
/* Two picks, each the first row of an index in its order (jobs_lease_idx,
 * jobs_queued_order_idx), so that a claim reads a row or two however long
 * the queue is: one OR over both states made PostgreSQL scan and sort the
 * whole queue for every claim. A job whose lease ran out goes first: it
 * is older work, and its run is half done. */
#define PICK_EXPIRED                                                                               \
    "SELECT j.id FROM jobs j WHERE j.status = 'running' AND j.lease_expires_at < $3" CLAIM_LIMITS  \
    " ORDER BY j.lease_expires_at, j.id LIMIT 1"
#define PICK_QUEUED                                                                                \
    "SELECT j.id FROM jobs j WHERE j.status = 'queued' AND j.run_at <= $3" CLAIM_LIMITS            \
    " ORDER BY j.run_at, j.id LIMIT 1"
#define CLAIM_SET                                                                                  \
    "UPDATE jobs SET status = 'running', lease_owner = $1, lease_expires_at = $2,"                 \
    " attempts = attempts + 1, updated_at = $3 WHERE id = ("
#define CLAIM_RETURN                                                                               \
    ") RETURNING id, tenant_id, kind, payload, dedupe_key, attempts, max_attempts, run_at,"        \
    " lease_expires_at"
#define SKIP_LOCKED " FOR UPDATE OF j SKIP LOCKED"

/* One pick's claim, in the caller's transaction: ERR_NOTFOUND when the
 * pick finds nothing. */
static int claim_one(struct job *out, struct db *db, const char *sql, const char *owner,
                     int64_t lease_s, int64_t now, const struct jobs_limits *lim, struct err *err)
{
    struct db_rows *r = NULL;
    int rc = db_query_row(&r, db, sql,
                          DB_ARGS(DB_TEXT(owner), DB_INT(now + lease_s), DB_INT(now),
                                  DB_INT(lim ? lim->per_tenant : 0),
                                  DB_INT(lim ? lim->per_connector : 0)),
                          err);
    if (rc < 0)
        return rc;
    snprintf(out->id, sizeof(out->id), "%s", db_rows_text(r, 0));
    snprintf(out->tenant_id, sizeof(out->tenant_id), "%s",
             db_rows_text(r, 1) ? db_rows_text(r, 1) : "");
    snprintf(out->kind, sizeof(out->kind), "%s", db_rows_text(r, 2));
    out->payload = xstrdup(db_rows_text(r, 3) ? db_rows_text(r, 3) : "{}");
    out->dedupe_key = db_rows_text(r, 4) ? xstrdup(db_rows_text(r, 4)) : NULL;
    out->attempts = (int)db_rows_int(r, 5);
    out->max_attempts = (int)db_rows_int(r, 6);
    out->run_at = db_rows_int(r, 7);
    out->lease_expires_at = db_rows_int(r, 8);
    db_rows_free(r);
    return 0;
}

int jobs_claim(struct job *out, bool *got, struct db *db, const char *owner, int64_t lease_s,
               int64_t now, const struct jobs_limits *lim, struct err *err)
{
    static const char pg_expired[] = CLAIM_SET PICK_EXPIRED SKIP_LOCKED CLAIM_RETURN;
    static const char pg_queued[] = CLAIM_SET PICK_QUEUED SKIP_LOCKED CLAIM_RETURN;
    static const char lite_expired[] = CLAIM_SET PICK_EXPIRED CLAIM_RETURN;
    static const char lite_queued[] = CLAIM_SET PICK_QUEUED CLAIM_RETURN;
    bool is_pg = strcmp(db_engine(db), "postgres") == 0;

    *got = false;
    memset(out, 0, sizeof(*out));
    /* A look first, without the write lock: an idle worker polling must not
     * queue up behind a sync's batch on SQLite's one writer. Ordered, so
     * that each half reads its index's first entry, not the ended jobs. */
    int64_t due = 0;
    int rc = db_query_int(&due, db,
                          "SELECT count(*) FROM (SELECT 1 FROM (SELECT 1 FROM jobs WHERE status ="
                          " 'running' AND lease_expires_at < $1 ORDER BY lease_expires_at LIMIT 1)"
                          " e UNION ALL SELECT 1 FROM (SELECT 1 FROM jobs WHERE status = 'queued'"
                          " AND run_at <= $1 ORDER BY run_at LIMIT 1) q) d",
                          DB_ARGS(DB_INT(now)), err);
    if (rc < 0 || due == 0)
        return rc;
    rc = db_begin(db, err);
    if (rc < 0)
        return rc;
    rc = claim_one(out, db, is_pg ? pg_expired : lite_expired, owner, lease_s, now, lim, err);
    if (rc == ERR_NOTFOUND)
        rc = claim_one(out, db, is_pg ? pg_queued : lite_queued, owner, lease_s, now, lim, err);
    if (rc == 0)
        *got = true;
    else if (rc == ERR_NOTFOUND)
        rc = 0;
    if (rc == 0)
        rc = db_commit(db, err);
    else
        db_rollback(db);
    if (rc < 0 && *got) {
        job_dispose(out);
        *got = false;
    }
    return rc;
}

int jobs_renew(struct db *db, const char *id, const char *owner, int64_t until, struct err *err)
{
    int64_t n = 0;
    int rc = db_begin(db, err);
    if (rc < 0)
        return rc;
    rc = db_exec(db,
                 "UPDATE jobs SET lease_expires_at = $3 WHERE id = $1 AND lease_owner = $2 AND"
                 " status = 'running'",
                 DB_ARGS(DB_TEXT(id), DB_TEXT(owner), DB_INT(until)), &n, err);
    if (rc == 0 && n == 0)
        rc = err_set(err, ERR_CONFLICT, "job %s: the lease is lost", id);
    if (rc == 0)
        rc = db_commit(db, err);
    else
        db_rollback(db);
    return rc;
}

int jobs_finish(bool *requeued, struct db *db, const char *id, const char *owner, bool ok,
                const char *error, int64_t retry_at, int64_t now, struct err *err)
{
    char cut[ERROR_KEPT + 1];
    int64_t n = 0;
    snprintf(cut, sizeof(cut), "%s", error ? error : "");
    if (requeued)
        *requeued = false;
    int rc = db_begin(db, err);
    if (rc < 0)
        return rc;
    if (ok)
        rc = db_exec(db,
                     "UPDATE jobs SET status = 'done', lease_expires_at = NULL,"
                     " updated_at = $3, finished_at = $3 WHERE id = $1 AND lease_owner = $2 AND"
                     " status = 'running'",
                     DB_ARGS(DB_TEXT(id), DB_TEXT(owner), DB_INT(now)), &n, err);
    else
        /* Queued again while attempts remain and a retry time is given. */
        rc = db_exec(
            db,
            "UPDATE jobs SET status = CASE WHEN $4 > 0 AND attempts < max_attempts THEN"
            " 'queued' ELSE 'failed' END, run_at = CASE WHEN $4 > 0 THEN $4 ELSE run_at"
            " END, lease_owner = CASE WHEN $4 > 0 AND attempts < max_attempts THEN NULL ELSE"
            " lease_owner END, lease_expires_at = NULL, last_error = $5,"
            " updated_at = $3, finished_at = CASE WHEN $4 > 0 AND attempts < max_attempts"
            " THEN NULL ELSE $3 END WHERE id = $1 AND lease_owner = $2 AND"
            " status = 'running'",
            DB_ARGS(DB_TEXT(id), DB_TEXT(owner), DB_INT(now), DB_INT(retry_at), DB_TEXT(cut)), &n,
            err);
    if (rc == 0 && n == 0)
        rc = err_set(err, ERR_CONFLICT, "job %s: the lease is lost", id);
    if (rc == 0 && !ok && requeued) {
        int64_t q = 0;
        rc = db_query_int(&q, db, "SELECT count(*) FROM jobs WHERE id = $1 AND status = 'queued'",
                          DB_ARGS(DB_TEXT(id)), err);
        *requeued = q > 0;
    }
    if (rc == 0)
        rc = db_commit(db, err);
    else
        db_rollback(db);
    return rc;
}

int jobs_each_running(struct db *db, jobs_owner_fn fn, void *ctx, struct err *err)
{
    struct db_rows *rows = NULL;
    char(*got)[2][JOBS_OWNER_MAX] = NULL;
    size_t n = 0, cap = 0;
    int rc = db_query(&rows, db,
                      "SELECT id, lease_owner FROM jobs WHERE status = 'running' AND"
                      " lease_owner IS NOT NULL ORDER BY id",
                      DB_ARGS(), err);
    if (rc < 0)
        return rc;
    while ((rc = db_rows_next(rows, err)) == 1) {
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            got = xrealloc(got, cap * sizeof(*got));
        }
        snprintf(got[n][0], JOBS_OWNER_MAX, "%s", db_rows_text(rows, 0));
        snprintf(got[n][1], JOBS_OWNER_MAX, "%s", db_rows_text(rows, 1));
        n++;
    }
    db_rows_free(rows);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = fn(ctx, got[i][0], got[i][1]);
    xfree(got);
    return rc;
}

int jobs_expire(struct db *db, const char *id, const char *owner, struct err *err)
{
    return db_exec(db,
                   "UPDATE jobs SET lease_expires_at = 0 WHERE id = $1 AND lease_owner = $2 AND"
                   " status = 'running'",
                   DB_ARGS(DB_TEXT(id), DB_TEXT(owner)), NULL, err);
}

int jobs_count(int64_t *queued, int64_t *running, struct db *db, struct err *err)
{
    int rc = db_query_int(queued, db, "SELECT count(*) FROM jobs WHERE status = 'queued'",
                          DB_ARGS(), err);
    if (rc == 0)
        rc = db_query_int(running, db, "SELECT count(*) FROM jobs WHERE status = 'running'",
                          DB_ARGS(), err);
    return rc;
}

int jobs_stats(struct db *db, jobs_stats_fn fn, void *ctx, struct err *err)
{
    struct db_rows *rows = NULL;
    int rc = db_query(&rows, db,
                      "SELECT kind, status, count(*) FROM jobs GROUP BY kind, status"
                      " ORDER BY kind, status",
                      DB_ARGS(), err);
    if (rc < 0)
        return rc;
    while ((rc = db_rows_next(rows, err)) == 1)
        if (fn(ctx, db_rows_text(rows, 0), db_rows_text(rows, 1), db_rows_int(rows, 2)) != 0) {
            rc = err_set(err, ERR_IO, "jobs: writing the counts failed");
            break;
        }
    db_rows_free(rows);
    return rc < 0 ? rc : 0;
}

int jobs_purge(int64_t *n, struct db *db, int64_t before, int limit, struct err *err)
{
    /* By id through a bounded sub-select: a first purge after months must
     * not hold one huge delete. */
    return db_exec(db,
                   "DELETE FROM jobs WHERE id IN (SELECT id FROM jobs WHERE status IN ('done',"
                   " 'failed', 'cancelled') AND finished_at < $1 LIMIT $2)",
                   DB_ARGS(DB_INT(before), DB_INT(limit)), n, err);
}
