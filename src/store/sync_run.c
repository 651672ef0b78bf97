/* store/sync_run.c - see sync_run.h. */
#include "store/sync_run.h"

#include <stdio.h>
#include <string.h>

#include "core/alloc.h"

#define RUN_COLUMNS                                                                                \
    "id, integration_id, status, triggered_by, mode, created_at, started_at, finished_at,"         \
    " records_processed, records_created, records_updated, records_unchanged, records_deleted,"    \
    " records_failed, bytes, error, log, stream_counts"

void sync_run_dispose(struct sync_run *r)
{
    xfree(r->error);
    xfree(r->log);
    xfree(r->stream_counts);
    r->error = r->log = r->stream_counts = NULL;
}

/* The length of s cut to at most max bytes, not inside a UTF-8 sequence. */
static size_t utf8_cut(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max)
        return n;
    n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

static void copy_field(char *out, size_t size, const char *s)
{
    snprintf(out, size, "%s", s ? s : "");
}

static void read_run(struct sync_run *out, struct db_rows *r)
{
    memset(out, 0, sizeof(*out));
    copy_field(out->id, sizeof(out->id), db_rows_text(r, 0));
    copy_field(out->integration_id, sizeof(out->integration_id), db_rows_text(r, 1));
    copy_field(out->status, sizeof(out->status), db_rows_text(r, 2));
    copy_field(out->triggered_by, sizeof(out->triggered_by), db_rows_text(r, 3));
    copy_field(out->mode, sizeof(out->mode), db_rows_text(r, 4));
    out->created_at = db_rows_int(r, 5);
    out->started_at = db_rows_int(r, 6);
    out->finished_at = db_rows_int(r, 7);
    out->n.processed = db_rows_int(r, 8);
    out->n.created = db_rows_int(r, 9);
    out->n.updated = db_rows_int(r, 10);
    out->n.unchanged = db_rows_int(r, 11);
    out->n.deleted = db_rows_int(r, 12);
    out->n.failed = db_rows_int(r, 13);
    out->bytes = db_rows_int(r, 14);
    out->error = db_rows_text(r, 15) ? xstrdup(db_rows_text(r, 15)) : NULL;
    out->log = xstrdup(db_rows_text(r, 16) ? db_rows_text(r, 16) : "");
    out->stream_counts = db_rows_text(r, 17) ? xstrdup(db_rows_text(r, 17)) : NULL;
}

int sync_run_can_start(struct db *db, const char *tenant_id, const char *integration_id,
                       struct err *err)
{
    struct db_rows *r = NULL;
    int64_t live = 0;

    int rc = db_query_int(&live, db,
                          "SELECT count(*) FROM integrations WHERE tenant_id = $1 AND id = $2"
                          " AND deleted_at IS NULL",
                          DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(integration_id)), err);
    if (rc == 0 && live == 0)
        return err_set(err, ERR_NOTFOUND, "no integration %s", integration_id);
    if (rc == 0)
        rc = db_query_row(&r, db,
                          "SELECT id FROM sync_runs WHERE tenant_id = $1 AND integration_id = $2"
                          " AND status IN ('queued', 'running') ORDER BY created_at LIMIT 1",
                          DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(integration_id)), err);
    if (rc == 0) {
        rc = err_set(err, ERR_CONFLICT, "integration %s is already syncing (run %s)",
                     integration_id, db_rows_text(r, 0));
        db_rows_free(r);
        return rc;
    }
    return rc == ERR_NOTFOUND ? 0 : rc;
}

int sync_run_start(struct sync_run *out, struct db *db, const char *tenant_id,
                   const char *integration_id, const char *triggered_by, const char *mode,
                   int64_t now, struct err *err)
{
    char id[ID_MAX];

    memset(out, 0, sizeof(*out));
    int rc = sync_run_can_start(db, tenant_id, integration_id, err);
    if (rc < 0)
        return rc;
    id_new(id, "run");
    rc = db_exec(db,
                 "INSERT INTO sync_runs (id, tenant_id, integration_id, triggered_by, mode,"
                 " status, created_at, started_at) VALUES ($1, $2, $3, $4, $5, 'running', $6, $6)",
                 DB_ARGS(DB_TEXT(id), DB_TEXT(tenant_id), DB_TEXT(integration_id),
                         DB_TEXT(triggered_by), DB_TEXT(mode), DB_INT(now)),
                 NULL, err);
    if (rc < 0)
        return rc;
    return sync_run_get(out, db, tenant_id, id, err);
}

int sync_run_progress(struct db *db, const char *tenant_id, const char *id,
                      const struct loader_counts *n, int64_t bytes, struct err *err)
{
    return db_exec(db,
                   "UPDATE sync_runs SET records_processed = $3, records_created = $4,"
                   " records_updated = $5, records_unchanged = $6, records_deleted = $7,"
                   " records_failed = $8, bytes = $9 WHERE tenant_id = $1 AND id = $2",
                   DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(id), DB_INT(n->processed),
                           DB_INT(n->created), DB_INT(n->updated), DB_INT(n->unchanged),
                           DB_INT(n->deleted), DB_INT(n->failed), DB_INT(bytes)),
                   NULL, err);
}

int sync_run_stream_counts(struct db *db, const char *tenant_id, const char *id, const char *json,
                           struct err *err)
{
    return db_exec(db, "UPDATE sync_runs SET stream_counts = $3 WHERE tenant_id = $1 AND id = $2",
                   DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(id), DB_TEXT(json)), NULL, err);
}

int sync_run_finish(struct db *db, const char *tenant_id, const char *id, const char *status,
                    const char *error, const char *log, const struct loader_counts *n,
                    int64_t bytes, int64_t now, struct err *err)
{
    char cut[SYNC_RUN_ERROR_MAX + 1];
    size_t nlog = log ? strlen(log) : 0;

    if (error)
        snprintf(cut, sizeof(cut), "%.*s", (int)utf8_cut(error, SYNC_RUN_ERROR_MAX), error);
    /* The log is whole lines: cut after the last '\n' that fits. */
    if (nlog > SYNC_RUN_LOG_MAX) {
        nlog = SYNC_RUN_LOG_MAX;
        while (nlog > 0 && log[nlog - 1] != '\n')
            nlog--;
    }
    int64_t changes = 0;
    int rc = db_exec(
        db,
        "UPDATE sync_runs SET status = $3, error = $4, log = $5, records_processed = $6,"
        " records_created = $7, records_updated = $8, records_unchanged = $9,"
        " records_deleted = $10, records_failed = $11, bytes = $12, finished_at = $13"
        " WHERE tenant_id = $1 AND id = $2",
        DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(id), DB_TEXT(status), error ? DB_TEXT(cut) : DB_NULL,
                DB_TEXTN(log ? log : "", nlog), DB_INT(n->processed), DB_INT(n->created),
                DB_INT(n->updated), DB_INT(n->unchanged), DB_INT(n->deleted), DB_INT(n->failed),
                DB_INT(bytes), DB_INT(now)),
        &changes, err);
    if (rc == 0 && changes == 0)
        rc = err_set(err, ERR_NOTFOUND, "no run %s", id);
    return rc;
}

int sync_run_record(char id[ID_MAX], struct db *db, const char *tenant_id,
                    const char *integration_id, const char *triggered_by, const char *status,
                    const char *error, const char *log, const struct loader_counts *n, int64_t now,
                    struct err *err)
{
    id_new(id, "run");
    int rc = db_exec(db,
                     "INSERT INTO sync_runs (id, tenant_id, integration_id, triggered_by, mode,"
                     " status, created_at, started_at) VALUES ($1, $2, $3, $4, 'push', 'running',"
                     " $5, $5)",
                     DB_ARGS(DB_TEXT(id), DB_TEXT(tenant_id), DB_TEXT(integration_id),
                             DB_TEXT(triggered_by), DB_INT(now)),
                     NULL, err);
    if (rc == 0)
        rc = sync_run_finish(db, tenant_id, id, status, error, log, n, 0, now, err);
    return rc;
}

int sync_run_add(struct db *db, const char *tenant_id, const char *integration_id, const char *id,
                 const struct loader_counts *n, int64_t now, struct err *err)
{
    int64_t changes = 0;
    int rc = db_exec(
        db,
        "UPDATE sync_runs SET records_processed = records_processed + $4,"
        " records_created = records_created + $5, records_updated = records_updated + $6,"
        " records_unchanged = records_unchanged + $7, records_deleted = records_deleted + $8,"
        " records_failed = records_failed + $9, finished_at = $10"
        " WHERE tenant_id = $1 AND integration_id = $2 AND id = $3 AND triggered_by = 'webhook'"
        " AND mode = 'push'",
        DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(integration_id), DB_TEXT(id), DB_INT(n->processed),
                DB_INT(n->created), DB_INT(n->updated), DB_INT(n->unchanged), DB_INT(n->deleted),
                DB_INT(n->failed), DB_INT(now)),
        &changes, err);
    if (rc == 0 && changes == 0)
        return err_set(err, ERR_NOTFOUND, "no webhook run %s of integration %s", id,
                       integration_id);
    if (rc == 0)
        rc = db_exec(db,
                     "UPDATE sync_runs SET status = CASE WHEN records_failed = 0 THEN 'success'"
                     " WHEN records_failed >= records_processed THEN 'failed' ELSE 'partial' END"
                     " WHERE tenant_id = $1 AND id = $2",
                     DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(id)), NULL, err);
    return rc;
}

int sync_run_log_if_empty(struct db *db, const char *tenant_id, const char *id, const char *log,
                          struct err *err)
{
    return db_exec(db,
                   "UPDATE sync_runs SET log = $3 WHERE tenant_id = $1 AND id = $2 AND log = ''"
                   " AND status NOT IN ('queued', 'running')",
                   DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(id), DB_TEXT(log)), NULL, err);
}

int sync_run_get(struct sync_run *out, struct db *db, const char *tenant_id, const char *id,
                 struct err *err)
{
    struct db_rows *r = NULL;
    memset(out, 0, sizeof(*out));
    int rc = db_query_row(&r, db,
                          "SELECT " RUN_COLUMNS " FROM sync_runs WHERE tenant_id = $1 AND id = $2",
                          DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(id)), err);
    if (rc == ERR_NOTFOUND)
        return err_set(err, ERR_NOTFOUND, "no run %s", id);
    if (rc < 0)
        return rc;
    read_run(out, r);
    db_rows_free(r);
    return 0;
}

int sync_run_list(bool *more, struct db *db, const char *tenant_id, const char *integration_id,
                  int limit, const char *before, sync_run_list_fn fn, void *ctx, struct err *err)
{
    struct db_rows *rows = NULL;
    struct sync_run *page;
    size_t n = 0;

    *more = false;
    if (limit < 1 || limit > SYNC_RUN_LIST_MAX)
        return err_set(err, ERR_INVALID, "limit: must be 1..%d", SYNC_RUN_LIST_MAX);
    /* Rows are read whole before fn runs, which may use the connection. */
    int rc = db_query(
        &rows, db,
        "SELECT id, integration_id, status, triggered_by, mode, created_at,"
        " started_at, finished_at, records_processed, records_created,"
        " records_updated, records_unchanged, records_deleted, records_failed,"
        " bytes, error, '', stream_counts FROM sync_runs WHERE tenant_id = $1 AND"
        " integration_id = $2 AND (CAST($3 AS TEXT) IS NULL OR id < $3)"
        " ORDER BY id DESC LIMIT $4",
        DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(integration_id), DB_TEXT(before), DB_INT(limit + 1)),
        err);
    if (rc < 0)
        return rc;
    page = xcalloc((size_t)limit, sizeof(*page));
    while ((rc = db_rows_next(rows, err)) == 1) {
        if (n == (size_t)limit) {
            *more = true;
            break;
        }
        read_run(&page[n++], rows);
    }
    db_rows_free(rows);
    if (rc == 1) /* stopped at the extra row */
        rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = fn(ctx, &page[i]);
    for (size_t i = 0; i < n; i++)
        sync_run_dispose(&page[i]);
    xfree(page);
    return rc;
}

int sync_run_fail_orphans(int64_t *n, struct db *db, const char *why, int64_t now, struct err *err)
{
    int64_t changes = 0;
    int rc = db_exec(db,
                     "UPDATE sync_runs SET status = 'failed', error = $1, finished_at = $2"
                     " WHERE status IN ('queued', 'running') AND NOT EXISTS (SELECT 1 FROM jobs j"
                     " WHERE j.tenant_id = sync_runs.tenant_id AND j.kind = 'sync' AND"
                     " j.status IN ('queued', 'running') AND j.dedupe_key = 'sync:' ||"
                     " sync_runs.integration_id)",
                     DB_ARGS(DB_TEXT(why), DB_INT(now)), &changes, err);
    if (n)
        *n = rc == 0 ? changes : 0;
    return rc;
}

int sync_run_cancel(struct db *db, const char *tenant_id, const char *id, int64_t now,
                    struct err *err)
{
    int64_t changes = 0;
    char status[16];
    int rc = db_exec(db,
                     "UPDATE sync_runs SET status = 'cancelled', error = 'cancelled',"
                     " finished_at = $3 WHERE tenant_id = $1 AND id = $2"
                     " AND status IN ('queued', 'running')",
                     DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(id), DB_INT(now)), &changes, err);
    if (rc < 0 || changes == 1)
        return rc;
    if ((rc = sync_run_status(status, db, tenant_id, id, err)) < 0)
        return rc;
    return err_set(err, ERR_CONFLICT, "run %s has ended (%s)", id, status);
}

int sync_run_status(char out[16], struct db *db, const char *tenant_id, const char *id,
                    struct err *err)
{
    struct db_rows *r = NULL;
    int rc = db_query_row(&r, db, "SELECT status FROM sync_runs WHERE tenant_id = $1 AND id = $2",
                          DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(id)), err);
    if (rc == ERR_NOTFOUND)
        return err_set(err, ERR_NOTFOUND, "no run %s", id);
    if (rc < 0)
        return rc;
    copy_field(out, 16, db_rows_text(r, 0));
    db_rows_free(r);
    return 0;
}

int stream_state_get(char **json, struct db *db, const char *tenant_id, const char *integration_id,
                     const char *stream, struct err *err)
{
    struct db_rows *r = NULL;
    *json = NULL;
    int rc =
        db_query_row(&r, db,
                     "SELECT bookmark FROM stream_state WHERE tenant_id = $1 AND"
                     " integration_id = $2 AND stream = $3",
                     DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(integration_id), DB_TEXT(stream)), err);
    if (rc == ERR_NOTFOUND)
        return 0;
    if (rc < 0)
        return rc;
    *json = xstrdup(db_rows_text(r, 0));
    db_rows_free(r);
    return 0;
}

int stream_state_put(struct db *db, const char *tenant_id, const char *integration_id,
                     const char *stream, const char *json, int64_t now, struct err *err)
{
    return db_exec(db,
                   "INSERT INTO stream_state (tenant_id, integration_id, stream, bookmark,"
                   " updated_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id,"
                   " integration_id, stream) DO UPDATE SET bookmark = excluded.bookmark,"
                   " updated_at = excluded.updated_at",
                   DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(integration_id), DB_TEXT(stream),
                           DB_TEXT(json), DB_INT(now)),
                   NULL, err);
}
