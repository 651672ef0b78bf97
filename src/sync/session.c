/* sync/session.c - see session.h. */
#include "sync/session.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "core/time.h"
#include "events/events.h"
#include "notify/notify.h"
#include "singer/catalog.h"
#include "store/integration.h"

void session_init(struct session *s, const struct sync_opts *o)
{
    memset(s, 0, sizeof(*s));
    s->o = o;
    run_log_init(&s->log);
}

void session_dispose(struct session *s)
{
    sync_run_dispose(&s->run);
    run_log_dispose(&s->log);
    json_object_put(s->cat);
    json_object_put(s->streams);
    xfree(s->current);
    normalize_free(s->norm);
}

int session_start(struct session *s, const char *integration_id, struct err *err)
{
    const struct sync_opts *o = s->o;
    struct db *db = o->env->db;
    const char *by = o->triggered_by ? o->triggered_by : "manual";
    int rc;
    s->began_ms = time_now_ms();
    if (o->run_id) { /* started by the caller, or taken up again after a crash */
        if ((rc = db_begin_tenant_read(db, o->tenant_id, err)) < 0)
            return rc;
        rc = sync_run_get(&s->run, db, o->tenant_id, o->run_id, err);
        db_rollback(db);
        /* What it counted before goes on counting. */
        if (rc == 0) {
            s->base = s->run.n;
            s->bytes = s->run.bytes;
        }
        return rc;
    }
    if ((rc = db_begin_tenant(db, o->tenant_id, err)) < 0)
        return rc;
    rc = sync_run_start(&s->run, db, o->tenant_id, integration_id, by,
                        o->full ? "full" : "incremental", time_now_ms() / 1000, err);
    if (rc == 0)
        rc = db_commit(db, err);
    else
        db_rollback(db);
    return rc;
}

static int store_stream_counts(struct session *s, struct db *db, struct err *err);

int session_normalize_begin(struct session *s, const struct connector *c,
                            const char *integration_id, struct err *err)
{
    normalize_free(s->norm);
    s->norm = NULL;
    return normalize_new(&s->norm, s->o->env->db, s->o->tenant_id, integration_id, c, NULL, err);
}

int session_on_record(void *ctx, struct db *db, const char *stream, struct json_object *record,
                      bool deleted, struct err *err)
{
    struct session *s = ctx;
    (void)deleted; /* the mapping reads _sdc_deleted_at itself */
    if (!normalize_active(s->norm))
        return 0;
    return normalize_record(s->norm, db, stream, record, time_now_ms() / 1000, NULL, err);
}

/* What the normalized half did, and its kept errors, into the run's log. */
static void log_normalized(struct session *s)
{
    struct normalize_counts c;
    const char *kept = normalize_errors(s->norm);
    char line[300];

    if (!normalize_active(s->norm) && !kept[0])
        return;
    for (const char *p = kept; *p;) {
        size_t len = strcspn(p, "\n");
        run_log_add(&s->log, time_now_ms(), "warn", "normalize", p, len);
        p += len + (p[len] == '\n');
    }
    normalize_counts(s->norm, &c);
    snprintf(line, sizeof(line),
             "normalized: %" PRId64 " created, %" PRId64 " updated, %" PRId64 " unchanged, %" PRId64
             " deleted, %" PRId64 " failed",
             c.created, c.updated, c.unchanged, c.deleted, c.failed);
    run_log_add(&s->log, time_now_ms(), c.failed ? "warn" : "info", "normalize", line,
                strlen(line));
}

/* The run's outcome to notify/, in the run's last transaction: it tells
 * the tenant when the state changes (failed, partial, recovered). A
 * cancelled run says nothing about the integration. */
static int notify_outcome(const struct session *s, struct db *db, const char *status,
                          const char *error, struct err *err)
{
    enum notify_outcome oc = strcmp(status, "success") == 0   ? NOTIFY_OUTCOME_SYNC_SUCCESS
                             : strcmp(status, "partial") == 0 ? NOTIFY_OUTCOME_SYNC_PARTIAL
                                                              : NOTIFY_OUTCOME_SYNC_FAILURE;
    if (strcmp(status, "cancelled") == 0)
        return 0;
    int rc = notify_record(NULL, db, s->o->tenant_id, s->run.integration_id, oc, error,
                           time_now_ms() / 1000, err);
    return rc == ERR_NOTFOUND ? 0 : rc; /* deleted meanwhile: nobody to tell */
}

/* A stream's counters into the events' list (ctx: a struct streams). */
struct streams {
    struct events_stream *v; /* from xrealloc */
    size_t n;
};

static void add_stream(void *ctx, const char *name, const struct loader_counts *c)
{
    struct streams *a = ctx;
    a->v = xrealloc(a->v, (a->n + 1) * sizeof(*a->v));
    a->v[a->n++] = (struct events_stream){name, c->created, c->updated, c->deleted};
}

/* The run's end to events/ (the host's webhook subscriptions), in the
 * run's last transaction: sync.succeeded or sync.failed, and what each
 * stream changed. */
static int events_outcome(const struct session *s, struct db *db, const char *status,
                          const char *error, const struct loader_counts *n, struct err *err)
{
    struct streams st = {0};
    if (s->l)
        loader_stream_counts(s->l, add_stream, &st);
    struct events_run r = {.run_id = s->run.id,
                           .integration_id = s->run.integration_id,
                           .status = status,
                           .error = error,
                           .processed = n->processed,
                           .created = n->created,
                           .updated = n->updated,
                           .unchanged = n->unchanged,
                           .deleted = n->deleted,
                           .failed = n->failed,
                           .duration_ms = time_now_ms() - s->began_ms,
                           .streams = st.v,
                           .nstreams = st.n};
    int rc = events_run_ended(db, s->o->tenant_id, &r, time_now_ms() / 1000, err);
    xfree(st.v);
    return rc == ERR_NOTFOUND ? 0 : rc; /* deleted meanwhile: nobody to tell */
}

void session_counts(const struct session *s, struct loader_counts *n)
{
    struct loader_counts l = {0};
    if (s->l)
        loader_counts(s->l, &l);
    n->processed = s->base.processed + l.processed;
    n->created = s->base.created + l.created;
    n->updated = s->base.updated + l.updated;
    n->unchanged = s->base.unchanged + l.unchanged;
    n->deleted = s->base.deleted + l.deleted;
    n->failed = s->base.failed + l.failed;
}

int session_finish(struct session *s, const char *status, const char *error, struct err *err)
{
    struct db *db = s->o->env->db;
    const char *tenant = s->o->tenant_id;
    struct loader_counts n = {0};
    struct buf log;
    const char *kept = s->l ? loader_errors(s->l) : "";

    session_counts(s, &n);
    for (const char *p = kept; *p;) {
        size_t len = strcspn(p, "\n");
        run_log_add(&s->log, time_now_ms(), "warn", "loader", p, len);
        p += len + (p[len] == '\n');
    }
    log_normalized(s);
    char summary[300];
    snprintf(summary, sizeof(summary),
             "%s: %lld records (created %lld, updated %lld, unchanged %lld, deleted %lld, "
             "failed %lld)",
             status, (long long)n.processed, (long long)n.created, (long long)n.updated,
             (long long)n.unchanged, (long long)n.deleted, (long long)n.failed);
    run_log_add(&s->log, time_now_ms(), strcmp(status, "success") == 0 ? "info" : "warn", "inlet",
                summary, strlen(summary));
    if (error)
        run_log_add(&s->log, time_now_ms(), "error", "inlet", error, strlen(error));
    buf_init(&log, 0);
    run_log_render(&s->log, &log);
    session_stream_end(s);
    int rc = db_begin_tenant(db, tenant, err);
    if (rc == 0) {
        rc = store_stream_counts(s, db, err);
        if (rc == 0)
            rc = sync_run_finish(db, tenant, s->run.id, status, error, buf_cstr(&log), &n, s->bytes,
                                 time_now_ms() / 1000, err);
        if (rc == 0)
            rc = notify_outcome(s, db, status, error, err);
        if (rc == 0)
            rc = events_outcome(s, db, status, error, &n, err);
        if (rc == 0)
            rc = db_commit(db, err);
        else
            db_rollback(db);
    }
    buf_dispose(&log);
    if (rc == 0) {
        char id[ID_MAX];
        memcpy(id, s->run.id, sizeof(id));
        sync_run_dispose(&s->run);
        if ((rc = db_begin_tenant_read(db, tenant, err)) == 0) {
            rc = sync_run_get(&s->run, db, tenant, id, err);
            db_rollback(db);
        }
    }
    return rc;
}

bool session_cancelled(struct session *s)
{
    char status[16];
    struct err e;
    if (s->cancel_seen || (s->o->cancelled && s->o->cancelled(s->o->ctx)))
        return s->cancel_seen = true;
    /* Someone else (the API) may have cancelled the run: its row says so.
     * Read it between batches only, in a transaction of its own. */
    int64_t now = time_mono_ms();
    if (now - s->polled_ms < SESSION_POLL_CANCEL_MS || (s->l && loader_in_batch(s->l)))
        return false;
    s->polled_ms = now;
    if (db_begin_tenant_read(s->o->env->db, s->o->tenant_id, &e) < 0)
        return false;
    if (sync_run_status(status, s->o->env->db, s->o->tenant_id, s->run.id, &e) == 0 &&
        strcmp(status, "cancelled") == 0)
        s->cancel_seen = true;
    db_rollback(s->o->env->db);
    return s->cancel_seen;
}

static void put_counts(struct json_object *all, const char *stream, const struct loader_counts *a,
                       const struct loader_counts *b)
{
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "processed", json_object_new_int64(b->processed - a->processed));
    json_object_object_add(o, "created", json_object_new_int64(b->created - a->created));
    json_object_object_add(o, "updated", json_object_new_int64(b->updated - a->updated));
    json_object_object_add(o, "unchanged", json_object_new_int64(b->unchanged - a->unchanged));
    json_object_object_add(o, "deleted", json_object_new_int64(b->deleted - a->deleted));
    json_object_object_add(o, "failed", json_object_new_int64(b->failed - a->failed));
    json_object_object_add(all, stream, o);
}

void session_stream_begin(struct session *s, const char *name)
{
    session_stream_end(s);
    s->current = xstrdup(name);
    loader_counts(s->l, &s->before);
}

void session_stream_end(struct session *s)
{
    struct loader_counts now;
    if (!s->current)
        return;
    if (!s->streams)
        s->streams = json_object_new_object();
    loader_counts(s->l, &now);
    put_counts(s->streams, s->current, &s->before, &now);
    xfree(s->current);
    s->current = NULL;
}

/* The per-stream counters so far, the stream being read included. */
static int store_stream_counts(struct session *s, struct db *db, struct err *err)
{
    if (!s->streams && !s->current)
        return 0;
    if (!s->streams)
        s->streams = json_object_new_object();
    if (s->current) {
        struct loader_counts now;
        loader_counts(s->l, &now);
        put_counts(s->streams, s->current, &s->before, &now);
    }
    struct buf b;
    buf_init(&b, 0);
    jsonx_format(&b, s->streams);
    int rc = sync_run_stream_counts(db, s->o->tenant_id, s->run.id, buf_cstr(&b), err);
    buf_dispose(&b);
    return rc;
}

int session_before_commit(void *ctx, struct db *db, struct err *err)
{
    struct session *s = ctx;
    struct loader_counts n;
    session_counts(s, &n);
    /* The batch's rows that wait for others are linked with it. */
    int rc = normalize_flush(s->norm, db, time_now_ms() / 1000, err);
    if (rc == 0)
        rc = sync_run_progress(db, s->o->tenant_id, s->run.id, &n, s->bytes, err);
    if (rc == 0)
        rc = store_stream_counts(s, db, err);
    if (rc == 0 && s->o->progress) /* not committed yet, but about to be */
        s->o->progress(s->o->ctx, s->current, &n);
    return rc;
}

bool session_appended(struct session *s, const char *stream)
{
    for (size_t i = 0; i < catalog_count(s->cat); i++) {
        const struct json_object *st = catalog_stream(s->cat, i);
        const char *name = catalog_stream_name(st);
        if (name && strcmp(name, stream) == 0)
            return catalog_sync_mode_appends(catalog_stream_sync_mode(st));
    }
    return false;
}

void session_fail_given(const struct sync_opts *o, const struct err *why)
{
    struct loader_counts zero = {0};
    struct db *db = o->env->db;
    int64_t now = time_now_ms() / 1000;
    struct err e;
    /* The failure, its notification and its event commit together, as a
     * run's end and its outcome do in session_finish. */
    int rc = db_begin_tenant(db, o->tenant_id, &e);
    if (rc == 0) {
        rc =
            sync_run_finish(db, o->tenant_id, o->run_id, "failed", why->msg, "", &zero, 0, now, &e);
        if (rc == 0) {
            rc = notify_record(NULL, db, o->tenant_id, o->integration_id,
                               NOTIFY_OUTCOME_SYNC_FAILURE, why->msg, now, &e);
            if (rc == 0)
                rc = events_run_ended(db, o->tenant_id,
                                      &(struct events_run){.run_id = o->run_id,
                                                           .integration_id = o->integration_id,
                                                           .status = "failed",
                                                           .error = why->msg},
                                      now, &e);
            if (rc == ERR_NOTFOUND) /* deleted meanwhile: nobody to tell */
                rc = 0;
        }
        if (rc == 0)
            rc = db_commit(db, &e);
        else
            db_rollback(db);
    }
    if (rc < 0)
        log_warn("sync: a run that could not start is not marked failed", LOG_STR("run", o->run_id),
                 LOG_ERROR(&e));
}

/* A JSON text of the integration, parsed; an empty object when absent. */
static int parse_member(struct json_object **out, const char *text, struct err *err)
{
    const char *s = text && *text ? text : "{}";
    return jsonx_parse(out, s, strlen(s), strlen(s) + 1, err);
}

int session_integration(struct integration *it, const struct connector **c,
                        struct json_object **config, struct json_object **connection,
                        const struct oauth_env *env, const char *tenant_id, const char *id,
                        struct err *err)
{
    *c = NULL;
    *config = *connection = NULL;
    int rc = db_begin_tenant_read(env->db, tenant_id, err);
    if (rc < 0)
        return rc;
    rc = integration_get(it, env->db, tenant_id, id, err);
    db_rollback(env->db);
    if (rc < 0)
        return rc;
    *c = registry_get(env->reg, it->connector);
    if (strcmp(it->status, "disconnected") == 0 || strcmp(it->status, "paused") == 0)
        return err_set(err, ERR_INVALID, "integration %s is %s", id, it->status);
    if ((rc = parse_member(config, it->config, err)) < 0)
        return rc;
    return parse_member(connection, it->connection, err);
}

int session_catalog_for_run(char **out, const char *text, const char *id,
                            const char *const *streams, size_t n, struct err *err)
{
    struct json_object *cat = NULL;
    size_t selected = 0;
    if (!text)
        return err_set(err, ERR_INVALID,
                       "integration %s has no catalog yet: discover its streams first", id);
    int rc = catalog_parse(&cat, text, strlen(text), err);
    if (rc == 0 && n)
        rc = catalog_only(cat, streams, n, err);
    for (size_t i = 0; rc == 0 && i < catalog_count(cat); i++)
        selected += catalog_stream_selected(catalog_stream(cat, i));
    if (rc == 0 && selected == 0)
        rc = err_set(err, ERR_INVALID, "integration %s selects no stream: select some first", id);
    if (rc == 0 && out && n == 0) {
        *out = xstrdup(text); /* stored as catalog_format wrote it */
    } else if (rc == 0 && out) {
        struct buf b;
        buf_init(&b, 0);
        catalog_format(&b, cat);
        *out = buf_take(&b);
        buf_dispose(&b);
    }
    json_object_put(cat);
    return rc;
}

int session_read_catalog(char **json, const struct sync_opts *o, const char *id, struct err *err)
{
    char *stored = NULL;
    int rc = db_begin_tenant_read(o->env->db, o->tenant_id, err);
    if (rc < 0)
        return rc;
    rc = integration_catalog_get(&stored, o->env->db, o->tenant_id, id, err);
    db_rollback(o->env->db);
    if (rc == 0)
        rc = session_catalog_for_run(json, stored, id, o->streams, o->nstreams, err);
    xfree(stored);
    return rc;
}

int session_catalog_store(struct sync_discovery *out, const struct oauth_env *env,
                          const char *tenant_id, const char *id, struct json_object *fresh,
                          const char *const *names, size_t n, bool select_all, struct err *err)
{
    struct json_object *old = NULL;
    char *old_text = NULL;
    struct buf b;
    int rc = db_begin_tenant(env->db, tenant_id, err);
    if (rc < 0)
        return rc;
    rc = integration_catalog_get(&old_text, env->db, tenant_id, id, err);
    if (rc == 0 && old_text && catalog_parse(&old, old_text, strlen(old_text), err) < 0)
        old = NULL; /* a stored catalog that no longer parses: start afresh */
    if (rc == 0) {
        if (out)
            catalog_changes(&out->changes, old, fresh);
        catalog_merge(fresh, old);
        if (select_all || n)
            rc = catalog_select(fresh, names, n, select_all, err);
    }
    buf_init(&b, 0);
    if (rc == 0) {
        catalog_format(&b, fresh);
        rc = integration_catalog_set(env->db, tenant_id, id, buf_cstr(&b), time_now_ms() / 1000,
                                     err);
    }
    if (rc == 0)
        rc = db_commit(env->db, err);
    else
        db_rollback(env->db);
    for (size_t i = 0; rc == 0 && out && i < catalog_count(fresh); i++)
        out->selected += catalog_stream_selected(catalog_stream(fresh, i));
    if (rc == 0 && out)
        out->streams = catalog_count(fresh);
    buf_dispose(&b);
    json_object_put(old);
    xfree(old_text);
    return rc;
}
