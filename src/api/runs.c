/* api/runs.c - sync runs: start one (202, a worker of sync/runner.h runs
 * it), list an integration's runs, read one with its log, cancel one. A
 * run's row is written by its worker as it goes, so reading it shows the
 * progress of a running sync. */
#include <stdio.h>
#include <string.h>

#include "api/api_int.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "core/time.h"
#include "store/integration.h"
#include "store/sync_run.h"
#include "sync/runner.h"
#include "sync/sync.h"

#define SYNC_STREAMS_MAX 1000 /* streams named in one request */

void api_put_run(struct buf *b, const struct sync_run *r, bool with_log, int64_t now)
{
    buf_puts(b, "{\"id\":");
    buf_put_json_str(b, r->id);
    buf_puts(b, ",\"integration_id\":");
    buf_put_json_str(b, r->integration_id);
    buf_puts(b, ",\"status\":");
    buf_put_json_str(b, r->status);
    buf_puts(b, ",\"triggered_by\":");
    buf_put_json_str(b, r->triggered_by);
    buf_puts(b, ",\"mode\":");
    buf_put_json_str(b, r->mode);
    buf_puts(b, ",\"created_at\":");
    api_put_time(b, r->created_at);
    buf_puts(b, ",\"started_at\":");
    api_put_time(b, r->started_at);
    buf_puts(b, ",\"finished_at\":");
    api_put_time(b, r->finished_at);
    int64_t end = r->finished_at ? r->finished_at : now;
    buf_printf(b, ",\"duration_s\":%lld", (long long)(r->started_at ? end - r->started_at : 0));
    buf_printf(b,
               ",\"counts\":{\"processed\":%lld,\"created\":%lld,\"updated\":%lld,"
               "\"unchanged\":%lld,\"deleted\":%lld,\"failed\":%lld},\"bytes\":%lld",
               (long long)r->n.processed, (long long)r->n.created, (long long)r->n.updated,
               (long long)r->n.unchanged, (long long)r->n.deleted, (long long)r->n.failed,
               (long long)r->bytes);
    /* Written by inlet itself (sync/session.c): a JSON object, or none. */
    buf_puts(b, ",\"streams\":");
    buf_puts(b, r->stream_counts && r->stream_counts[0] == '{' ? r->stream_counts : "{}");
    buf_puts(b, ",\"error\":");
    buf_put_json_str(b, r->error);
    if (with_log) {
        /* The log is JSON lines written by sync/run_log.c: each is an
         * object, so the array is their concatenation. */
        buf_puts(b, ",\"log\":[");
        bool first = true;
        for (const char *p = r->log; p && *p;) {
            size_t n = strcspn(p, "\n");
            if (n) {
                if (!first)
                    buf_putc(b, ',');
                buf_put(b, p, n);
                first = false;
            }
            p += n + (p[n] == '\n');
        }
        buf_putc(b, ']');
    }
    buf_putc(b, '}');
}

/* The body's streams, checked: names borrowed from body into names. */
static int body_streams(struct api_ctx *c, struct json_object *body, const char **names, size_t *n)
{
    struct json_object *v = jsonx_get(body, "streams");
    *n = 0;
    if (!v)
        return 0;
    if (!json_object_is_type(v, json_type_array) || jsonx_len(v) == 0 ||
        jsonx_len(v) > SYNC_STREAMS_MAX) {
        api_invalid_field(c, "/streams", "expected an array of 1 to %d stream names",
                          SYNC_STREAMS_MAX);
        return -1;
    }
    for (size_t i = 0; i < jsonx_len(v); i++) {
        const char *s = jsonx_str(jsonx_at(v, i));
        if (!s || !*s || strlen(s) != jsonx_str_len(jsonx_at(v, i))) {
            char ptr[32];
            snprintf(ptr, sizeof(ptr), "/streams/%zu", i);
            api_invalid_field(c, ptr, "expected a stream name");
            return -1;
        }
        names[(*n)++] = s;
    }
    return 0;
}

void api_integration_sync(struct api_ctx *c)
{
    static const char *const allowed[] = {"mode", "streams", NULL};
    struct json_object *body = NULL;
    struct sync_run run = {0};
    const char *id = api_path_id(c, "int", "integration");
    size_t n = 0;
    bool full = false;
    struct err e;

    if (!id)
        return;
    /* No body: the defaults. */
    if (c->req->body_len > 0 && api_body_object(c, &body, allowed) < 0)
        return;
    const char *names_local[SYNC_STREAMS_MAX];
    const char *mode = jsonx_str(jsonx_get(body, "mode"));
    if (jsonx_get(body, "mode") &&
        (!mode || (strcmp(mode, "incremental") != 0 && strcmp(mode, "full") != 0))) {
        api_invalid_field(c, "/mode", "expected \"incremental\" or \"full\"");
        json_object_put(body);
        return;
    }
    full = mode && strcmp(mode, "full") == 0;
    if (body_streams(c, body, names_local, &n) < 0) {
        json_object_put(body);
        return;
    }
    int rc = sync_check(c->db, c->api->registry, c->tenant_id, id, names_local, n, &e);
    /* A refusal is read first: it must not queue for SQLite's write lock
     * behind the running sync's batch commit (and answer "busy"). */
    if (rc == 0 && (rc = db_begin_tenant_read(c->db, c->tenant_id, &e)) == 0) {
        rc = sync_run_can_start(c->db, c->tenant_id, id, &e);
        db_rollback(c->db);
    }
    if (rc == 0 && (rc = db_begin_tenant(c->db, c->tenant_id, &e)) == 0) {
        rc = sync_run_start(&run, c->db, c->tenant_id, id, "manual", full ? "full" : "incremental",
                            c->now, &e);
        /* The job in the same transaction: a run is never without one. */
        if (rc == 0)
            rc = runner_enqueue_sync(c->db, c->tenant_id, id, run.id, "manual", full, names_local,
                                     n, c->now, &e);
        if (rc == 0)
            rc = api_audit(c, "integration.sync", "integration", id, NULL, &e);
        if (rc == 0)
            rc = db_commit(c->db, &e);
        else
            db_rollback(c->db);
    }
    struct err e2;
    if (rc == 0 && runner_kick(c->api->runner, &e2) < 0) /* another process's worker may run it */
        log_warn("sync: no worker started here", LOG_STR("run", run.id), LOG_ERROR(&e2));
    json_object_put(body);
    if (rc == ERR_CONFLICT) {
        api_error(c, 409, "sync_running", NULL, "%s", e.msg);
    } else if (rc < 0) {
        api_fail(c, &e);
    } else {
        struct buf *b = api_reply(c, 202);
        api_put_run(b, &run, false, c->now);
    }
    sync_run_dispose(&run);
}

struct runs_page {
    struct buf *b;
    int64_t now;
    bool first;
    char last[ID_MAX];
};

static int put_listed(void *ctx, const struct sync_run *r)
{
    struct runs_page *pg = ctx;
    if (!pg->first)
        buf_putc(pg->b, ',');
    pg->first = false;
    api_put_run(pg->b, r, false, pg->now);
    snprintf(pg->last, sizeof(pg->last), "%s", r->id);
    return 0;
}

void api_integration_runs(struct api_ctx *c)
{
    static const char *const params[] = {"limit", "cursor", NULL};
    const char *id = api_path_id(c, "int", "integration");
    const char *cursor = NULL;
    struct integration it = {0};
    bool more = false;
    int limit;
    struct err e;

    if (!id || api_query_only(c, params) < 0 ||
        api_query_int(c, "limit", API_LIST_DEFAULT, 1, SYNC_RUN_LIST_MAX, &limit) < 0 ||
        api_query_id(c, "cursor", "run", &cursor) < 0)
        return;
    if (db_begin_tenant_read(c->db, c->tenant_id, &e) < 0) {
        api_fail(c, &e);
        return;
    }
    struct buf *b = api_reply(c, 200);
    struct runs_page pg = {.b = b, .now = c->now, .first = true};
    int rc = integration_get(&it, c->db, c->tenant_id, id, &e);
    integration_dispose(&it);
    if (rc == 0) {
        buf_puts(b, "{\"data\":[");
        rc = sync_run_list(&more, c->db, c->tenant_id, id, limit, cursor, put_listed, &pg, &e);
    }
    db_rollback(c->db); /* read only */
    if (rc < 0) {
        api_fail(c, &e);
        return;
    }
    buf_puts(b, "],\"next_cursor\":");
    buf_put_json_str(b, more ? pg.last : NULL);
    buf_putc(b, '}');
}

void api_run_get(struct api_ctx *c)
{
    static const char *const none[] = {NULL};
    const char *id = api_path_id(c, "run", "run");
    struct sync_run run = {0};
    struct err e;

    if (!id || api_query_only(c, none) < 0)
        return;
    int rc = db_begin_tenant_read(c->db, c->tenant_id, &e);
    if (rc == 0) {
        rc = sync_run_get(&run, c->db, c->tenant_id, id, &e);
        db_rollback(c->db);
    }
    if (rc < 0)
        api_fail(c, &e);
    else
        api_put_run(api_reply(c, 200), &run, true, c->now);
    sync_run_dispose(&run);
}

void api_run_cancel(struct api_ctx *c)
{
    const char *id = api_path_id(c, "run", "run");
    struct sync_run run = {0};
    struct err e;

    if (!id)
        return;
    /* A run that is not there or has ended is refused from a read: the
     * refusal must not wait behind a sync's batch for the write lock. */
    char status[16];
    int rc = db_begin_tenant_read(c->db, c->tenant_id, &e);
    if (rc == 0) {
        rc = sync_run_status(status, c->db, c->tenant_id, id, &e);
        db_rollback(c->db);
    }
    if (rc == 0 && strcmp(status, "queued") != 0 && strcmp(status, "running") != 0)
        rc = err_set(&e, ERR_CONFLICT, "run %s has ended (%s)", id, status);
    if (rc == 0)
        rc = db_begin_tenant(c->db, c->tenant_id, &e);
    if (rc == 0) {
        rc = sync_run_cancel(c->db, c->tenant_id, id, c->now, &e);
        if (rc == 0)
            rc = sync_run_get(&run, c->db, c->tenant_id, id, &e);
        if (rc == 0)
            rc = api_audit(c, "run.cancel", "run", id, NULL, &e);
        if (rc == 0)
            rc = db_commit(c->db, &e);
        else
            db_rollback(c->db);
    }
    if (rc < 0) {
        api_fail(c, &e);
    } else {
        runner_cancel(c->api->runner, id);
        api_put_run(api_reply(c, 202), &run, false, c->now);
    }
    sync_run_dispose(&run);
}
