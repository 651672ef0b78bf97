/* sync/writeback.c - see writeback.h. The engine emits the records as a
 * page of the stream would be; the loader and the mappings take them as
 * during a sync, in one batch. */
#include "sync/writeback.h"

#include <stdio.h>
#include <string.h>

#include "connectors/engine.h"
#include "core/alloc.h"
#include "core/time.h"
#include "singer/catalog.h"
#include "sync/loader.h"
#include "sync/normalize.h"

struct wb {
    struct loader *l;
    struct normalize *norm;
    bool appended;
};

static int emit(void *ctx, const struct singer_msg *m, struct err *err)
{
    return loader_message(((struct wb *)ctx)->l, m, err);
}

static bool appended(void *ctx, const char *stream)
{
    (void)stream;
    return ((struct wb *)ctx)->appended;
}

static int on_record(void *ctx, struct db *db, const char *stream, struct json_object *record,
                     bool deleted, struct err *err)
{
    (void)deleted;
    return normalize_record(((struct wb *)ctx)->norm, db, stream, record, time_now_ms() / 1000,
                            NULL, err);
}

static int before_commit(void *ctx, struct db *db, struct err *err)
{
    return normalize_flush(((struct wb *)ctx)->norm, db, time_now_ms() / 1000, err);
}

int writeback(bool *stored, const struct oauth_env *env, const struct integration *it,
              const struct connector *c, const char *stream, struct json_object *records,
              struct err *err)
{
    struct json_object *cat = NULL, *st = NULL, *config = NULL;
    struct wb w = {0};
    char *text = NULL, prefix[ID_MAX + 1];

    *stored = false;
    int rc = db_begin_tenant_read(env->db, it->tenant_id, err);
    if (rc == 0) {
        rc = integration_catalog_get(&text, env->db, it->tenant_id, it->id, err);
        db_rollback(env->db);
    }
    if (rc == 0 && text)
        rc = catalog_parse(&cat, text, strlen(text), err);
    if (rc == 0 && cat)
        st = catalog_stream_by_id(cat, stream);
    if (rc < 0 || !st || !catalog_stream_selected(st))
        goto out; /* not synced: no table to keep in step */
    w.appended = catalog_sync_mode_appends(catalog_stream_sync_mode(st));
    snprintf(prefix, sizeof(prefix), "%s_", it->id);
    struct loader_opts lo = {.db = env->db,
                             .tenant_id = it->tenant_id,
                             .table_prefix = prefix,
                             .before_commit = before_commit,
                             .appended = appended,
                             .on_record = on_record,
                             .ctx = &w};
    rc = loader_new(&w.l, &lo, err);
    if (rc == 0)
        rc = normalize_new(&w.norm, env->db, it->tenant_id, it->id, c, NULL, err);
    if (rc == 0)
        rc = jsonx_parse(&config, it->config, strlen(it->config), strlen(it->config) + 1, err);
    if (rc == 0) {
        struct engine_env e = {.c = c, .config = config};
        struct engine_io io = {.emit = emit, .ctx = &w};
        rc = engine_emit_records(&e, st, records, &io, err);
    }
    if (rc == 0)
        rc = loader_finish(w.l, err);
    if (rc == 0) {
        struct loader_counts n;
        loader_counts(w.l, &n);
        const char *why = loader_errors(w.l), *eol = strchr(why, '\n');
        if (n.failed)
            rc = err_set(err, ERR_INVALID, "the record does not fit the stream's table: %.*s",
                         (int)(eol ? eol - why : (long)strlen(why)), why);
        else
            *stored = true;
    }
out:
    loader_free(w.l);
    normalize_free(w.norm);
    json_object_put(config);
    json_object_put(cat);
    xfree(text);
    return rc;
}
