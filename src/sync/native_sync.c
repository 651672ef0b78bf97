/* sync/native_sync.c - see native_sync.h. The engine pages through the
 * provider; this file puts the integration's credentials behind its
 * requests (sync/call.h) and the loader behind its messages, one stream
 * after another, and turns how each stream ended into the run's status. */
#include "sync/native_sync.h"

#include <stdio.h>
#include <string.h>

#include <json-c/linkhash.h>

#include "connectors/engine.h"
#include "connectors/urls.h"
#include "core/alloc.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "core/time.h"
#include "singer/catalog.h"
#include "store/integration.h"
#include "sync/call.h"
#include "sync/loader.h"
#include "sync/session.h"

struct native {
    const struct oauth_env *env;
    const char *tenant_id;
    struct integration it;
    const struct connector *c;
    struct json_object *config, *connection;
    struct buf base_url;
    struct session *s; /* NULL during discovery */
    struct run_log *log;
    struct call_usage usage;
    int64_t resume_at_ms;       /* a provider's quota stopped the run: when to go on (0: none) */
    int64_t stall_ms, moved_ms; /* the watchdog: no page for this long fails the run */
    bool stalled;
};

static void native_dispose(struct native *n)
{
    json_object_put(n->config);
    json_object_put(n->connection);
    buf_dispose(&n->base_url);
    integration_dispose(&n->it);
}

static int native_open(struct native *n, const struct oauth_env *env, const char *tenant_id,
                       const char *id, struct err *err)
{
    struct json_object *conn = NULL;
    memset(n, 0, sizeof(*n));
    n->env = env;
    n->tenant_id = tenant_id;
    buf_init(&n->base_url, 0);
    int rc = session_integration(&n->it, &n->c, &n->config, &conn, env, tenant_id, id, err);
    if (rc == 0 && !engine_supports(n->c))
        rc = err_set(err, ERR_INVALID, "integration %s: connector %s has no streams", id,
                     n->it.connector);
    n->connection = json_object_get(jsonx_get(conn, "metadata"));
    json_object_put(conn);
    if (rc < 0)
        return rc;
    return connector_url(&n->base_url, n->c, "/base_url", n->config, n->connection, err);
}

static void note(void *ctx, const char *level, const char *msg)
{
    struct native *n = ctx;
    if (n->log)
        run_log_add(n->log, time_now_ms(), level, "inlet", msg, strlen(msg));
}

static bool cancelled(void *ctx)
{
    struct native *n = ctx;
    if (n->s && n->stall_ms && time_mono_ms() - n->moved_ms > n->stall_ms)
        return n->stalled = n->s->cancel_seen = true;
    return n->s && session_cancelled(n->s);
}

static int call(void *ctx, const struct engine_req *req, struct fetch_resp *out, struct err *err)
{
    struct native *n = ctx;
    /* A page's records commit before the next request: a token refresh
     * writes, and on PostgreSQL a COPY may be open on the connection. */
    if (n->s && n->s->l && loader_in_batch(n->s->l)) {
        int rc = loader_finish(n->s->l, err);
        if (rc < 0)
            return rc;
    }
    struct connector_req cr = {.method = req->method,
                               .path = req->path,
                               .body = req->body,
                               .body_len = req->body_len,
                               .content_type = req->body ? "application/json" : NULL,
                               .idempotent = true, /* reads, searches included */
                               .cancelled = cancelled,
                               .cancel_ctx = n,
                               .usage = n->s ? &n->usage : NULL};
    int rc = connector_call(out, n->env, &n->it, n->c, &cr, err);
    if (n->s)
        n->s->bytes += (int64_t)out->body.n;
    return rc;
}

static int emit(void *ctx, const struct singer_msg *m, struct err *err)
{
    struct native *n = ctx;
    return loader_message(n->s->l, m, err);
}

static int commit(void *ctx, struct err *err)
{
    struct native *n = ctx;
    n->moved_ms = time_mono_ms();
    return loader_finish(n->s->l, err);
}

/* ---- the loader's callbacks ---- */

/* {"bookmarks": {STREAM: BOOKMARK}}: each stream's bookmark in its row. */
static int save_state(void *ctx, struct db *db, struct json_object *state, struct err *err)
{
    struct native *n = ctx;
    struct json_object *all = jsonx_get(state, "bookmarks");
    struct buf b;
    int rc = 0;
    buf_init(&b, 0);
    if (json_object_is_type(all, json_type_object)) {
        json_object_object_foreach(all, stream, bm)
        {
            buf_reset(&b);
            jsonx_format(&b, bm);
            if (rc == 0)
                rc = stream_state_put(db, n->tenant_id, n->it.id, stream, buf_cstr(&b),
                                      time_now_ms() / 1000, err);
        }
    }
    buf_dispose(&b);
    return rc;
}

static int before_commit(void *ctx, struct db *db, struct err *err)
{
    struct native *n = ctx;
    int rc = connector_usage_flush(db, n->tenant_id, n->it.id, &n->usage, time_now_ms(), err);
    return rc < 0 ? rc : session_before_commit(n->s, db, err);
}

static int on_record(void *ctx, struct db *db, const char *stream, struct json_object *record,
                     bool deleted, struct err *err)
{
    return session_on_record(((struct native *)ctx)->s, db, stream, record, deleted, err);
}

static bool appended(void *ctx, const char *stream)
{
    return session_appended(((struct native *)ctx)->s, stream);
}

/* ---- a sync ---- */

static int read_bookmark(char **json, struct native *n, const char *stream, struct err *err)
{
    int rc = db_begin_tenant_read(n->env->db, n->tenant_id, err);
    if (rc < 0)
        return rc;
    rc = stream_state_get(json, n->env->db, n->tenant_id, n->it.id, stream, err);
    db_rollback(n->env->db);
    return rc;
}

static void count_line(struct native *n, const char *stream, const struct loader_counts *a,
                       const struct loader_counts *b)
{
    char line[300];
    snprintf(line, sizeof(line),
             "stream %s: %lld records (created %lld, updated %lld, unchanged %lld, deleted %lld, "
             "failed %lld)",
             stream, (long long)(b->processed - a->processed), (long long)(b->created - a->created),
             (long long)(b->updated - a->updated), (long long)(b->unchanged - a->unchanged),
             (long long)(b->deleted - a->deleted), (long long)(b->failed - a->failed));
    note(n, "info", line);
}

/* Every selected stream in turn; the run's status and error out. */
static void run_streams(struct native *n, const struct sync_opts *o, const char **status,
                        char *error, size_t size)
{
    struct engine_env env = {.c = n->c,
                             .config = n->config,
                             .connection = n->connection,
                             .base_url = buf_cstr(&n->base_url)};
    struct engine_io io = {.call = call,
                           .emit = emit,
                           .commit = commit,
                           .cancelled = cancelled,
                           .note = note,
                           .ctx = n};
    struct engine_outcome out;
    struct err e;
    bool limited = false;

    *status = "failed";
    error[0] = '\0';
    for (size_t i = 0; i < catalog_count(n->s->cat); i++) {
        struct json_object *st = catalog_stream(n->s->cat, i);
        struct loader_counts before, after;
        char *bm = NULL;
        memset(&out, 0, sizeof(out));
        if (!catalog_stream_selected(st))
            continue;
        loader_counts(n->s->l, &before);
        session_stream_begin(n->s, catalog_stream_name(st));
        int rc = o->full ? 0 : read_bookmark(&bm, n, catalog_stream_id(st), &e);
        if (rc == 0)
            rc = engine_sync_stream(&out, &env, st, bm, o->full, &io, &e);
        xfree(bm);
        if (rc == 0)
            rc = loader_finish(n->s->l, &e);
        loader_counts(n->s->l, &after);
        session_stream_end(n->s);
        count_line(n, catalog_stream_name(st), &before, &after);
        if (rc < 0) {
            snprintf(error, size, "%s", e.msg);
            return;
        }
        if (out.end == ENGINE_CANCELLED && n->stalled) {
            snprintf(error, size,
                     "no page was read for %lld s and the run was stopped as hung (the "
                     "connector's stall_seconds)",
                     (long long)(n->stall_ms / 1000));
            return;
        }
        if (out.end == ENGINE_CANCELLED) {
            *status = "cancelled";
            snprintf(error, size, "cancelled");
            return;
        }
        if (out.end == ENGINE_SKIPPED) {
            char line[400];
            snprintf(line, sizeof(line), "stream %s left out: %s", catalog_stream_name(st),
                     out.message);
            note(n, "warn", line);
        }
        if (out.end == ENGINE_LIMITED) {
            char when[TIME_RFC3339_MAX] = "later";
            if (out.resume_at_ms)
                time_format_rfc3339_sec(when, out.resume_at_ms);
            snprintf(error, size,
                     "stream %s: %s; what was read is kept, and a run after %s goes on from there",
                     catalog_stream_name(st), out.message[0] ? out.message : "the provider's limit",
                     when);
            limited = true;
            n->resume_at_ms = out.resume_at_ms;
            break; /* a provider's quota is the whole account's */
        }
    }
    struct loader_counts c;
    loader_counts(n->s->l, &c);
    *status = limited || c.failed ? "partial" : "success";
    if (!limited && c.failed)
        snprintf(error, size, "%lld records failed validation", (long long)c.failed);
}

/* The provider's quota stopped the run: the schedule picks it up again
 * once the quota resets (next_run_at). */
static int resume_later(struct native *n, struct err *err)
{
    int rc = db_begin_tenant(n->env->db, n->tenant_id, err);
    if (rc < 0)
        return rc;
    rc = integration_run_by(n->env->db, n->tenant_id, n->it.id, n->resume_at_ms / 1000, err);
    if (rc == 0)
        rc = db_commit(n->env->db, err);
    else
        db_rollback(n->env->db);
    return rc;
}

int native_sync(struct sync_run *run, const struct sync_opts *o, struct err *err)
{
    struct native n;
    struct session s;
    char *catalog = NULL;
    char error[SYNC_RUN_ERROR_MAX + 1];
    char prefix[ID_MAX + 1]; /* the loader borrows it */
    const char *status = "failed";

    memset(run, 0, sizeof(*run));
    session_init(&s, o);
    int rc = native_open(&n, o->env, o->tenant_id, o->integration_id, err);
    n.s = &s;
    n.log = &s.log;
    n.stall_ms = o->stall_ms ? o->stall_ms : (int64_t)NATIVE_STALL_DEFAULT_S * 1000;
    if (rc == 0 && jsonx_has(n.c->doc, "stall_seconds"))
        n.stall_ms = json_object_get_int64(jsonx_get(n.c->doc, "stall_seconds")) * 1000;
    if (o->stall_ms)
        n.stall_ms = o->stall_ms;
    n.moved_ms = time_mono_ms();
    if (rc == 0)
        rc = session_read_catalog(&catalog, o, n.it.id, err);
    if (rc == 0 && catalog) /* session_read_catalog gave one */
        rc = catalog_parse(&s.cat, catalog, strlen(catalog), err);
    if (rc == 0) {
        snprintf(prefix, sizeof(prefix), "%s_", n.it.id);
        struct loader_opts lo = {.db = o->env->db,
                                 .tenant_id = o->tenant_id,
                                 .table_prefix = prefix,
                                 .batch_size = o->batch_size,
                                 .save_state = save_state,
                                 .before_commit = before_commit,
                                 .appended = appended,
                                 .on_record = on_record,
                                 .ctx = &n};
        rc = loader_new(&s.l, &lo, err);
    }
    if (rc == 0)
        rc = session_normalize_begin(&s, n.c, n.it.id, err);
    if (rc == 0)
        rc = session_start(&s, n.it.id, err);
    if (rc == 0) {
        char line[200];
        snprintf(line, sizeof(line), "%s: syncing %s", n.it.connector,
                 o->full ? "everything again (full)" : "from the stored bookmarks");
        note(&n, "info", line);
        run_streams(&n, o, &status, error, sizeof(error));
        rc = session_finish(&s, status, error[0] ? error : NULL, err);
        struct err e2;
        if (rc == 0 && n.resume_at_ms && resume_later(&n, &e2) < 0)
            log_warn("sync: the resume after the provider's limit is not scheduled",
                     LOG_STR("integration", n.it.id), LOG_ERROR(&e2));
        if (rc == 0) {
            *run = s.run;
            memset(&s.run, 0, sizeof(s.run));
        }
    }
    if (rc < 0 && o->run_id && !run->id[0])
        session_fail_given(o, err);
    loader_free(s.l);
    session_dispose(&s);
    xfree(catalog);
    native_dispose(&n);
    return rc;
}

int native_discover(struct sync_discovery *out, const struct oauth_env *env, const char *tenant_id,
                    const char *integration_id, const char *const *names, size_t n, bool select_all,
                    struct err *err)
{
    struct native x;
    struct json_object *fresh = NULL;
    if (out) {
        memset(out, 0, sizeof(*out));
        buf_init(&out->changes, 0);
    }
    int rc = native_open(&x, env, tenant_id, integration_id, err);
    if (rc == 0) {
        struct engine_env e = {.c = x.c,
                               .config = x.config,
                               .connection = x.connection,
                               .base_url = buf_cstr(&x.base_url)};
        struct engine_io io = {.call = call, .ctx = &x};
        rc = engine_discover(&fresh, &e, &io, err);
    }
    if (rc == 0)
        rc = session_catalog_store(out, env, tenant_id, x.it.id, fresh, names, n, select_all, err);
    json_object_put(fresh);
    native_dispose(&x);
    return rc;
}
