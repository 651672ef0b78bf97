/* sync/push.c - see push.h. The loader carries the records (raw table,
 * one batch: a delivery is capped well below a batch), its on_record hook
 * maps each one, and its before_commit hook writes the run, the delivery
 * and the records.changed event to the host, so that all of it commits or
 * none does. The delivery row is the lock against a retry racing its
 * original: the second insert finds the first and the whole batch rolls
 * back, and the first answer is read. */
#include "sync/push.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/jsonx.h"
#include "events/events.h"
#include "map/model.h"
#include "store/integration.h"
#include "store/sync_run.h"
#include "sync/loader.h"
#include "sync/normalize.h"
#include "sync/run_log.h"

#define LOG_ERRORS 20 /* record errors copied into the run's log */

struct push {
    const struct push_in *in;
    struct normalize *norm;
    char stream[PUSH_STREAM_MAX];
    size_t *index; /* the records' indexes in the order they go to the loader */
    size_t at;     /* the next one's place in index */
    struct loader_counts n;
    struct buf errors; /* the answer's "errors" members, comma-separated */
    size_t nerrors;
    struct run_log log;
    bool written; /* the run and the delivery are in the batch */
    struct push_result *out;
};

void push_result_dispose(struct push_result *r)
{
    buf_dispose(&r->answer);
    memset(r, 0, sizeof(*r));
}

static void record_error(struct push *p, size_t index, const char *msg)
{
    p->n.failed++;
    if (p->nerrors < LOG_ERRORS) {
        char line[RUN_LOG_LINE_MAX];
        int k = snprintf(line, sizeof(line), "record %zu: %s", index, msg);
        run_log_add(&p->log, p->in->now * 1000, "warn", "inlet", line,
                    k < 0                      ? 0
                    : (size_t)k < sizeof(line) ? (size_t)k
                                               : sizeof(line) - 1);
    }
    if (p->nerrors++ >= PUSH_ERRORS_MAX)
        return;
    if (p->errors.n)
        buf_putc(&p->errors, ',');
    buf_printf(&p->errors, "{\"index\":%zu,\"message\":", index);
    buf_put_json_str(&p->errors, msg);
    buf_putc(&p->errors, '}');
}

/* ---- the mapping of the pushed stream ---- */

/* The model's own names: every field from the member of the same name,
 * external_id from "external_id" or "id", the rest into properties. */
const char *push_stream(char out[PUSH_STREAM_MAX], const char *model)
{
    if (!model_find(model))
        return NULL;
    snprintf(out, PUSH_STREAM_MAX, "n8n_%s", model);
    return out;
}

bool push_stream_model(const char *stream, const char **model)
{
    const struct model *m = strncmp(stream, "n8n_", 4) == 0 ? model_find(stream + 4) : NULL;
    if (model)
        *model = m ? m->name : NULL;
    return m != NULL;
}

struct json_object *push_identity_spec(const char *stream, const char *model)
{
    const struct model *m = model_find(model);
    if (!m)
        return NULL;
    struct json_object *spec = json_object_new_object(), *fields = json_object_new_object();
    struct json_object *ids = json_object_new_array(), *ext = json_object_new_object();
    json_object_array_add(ids, json_object_new_string("external_id"));
    json_object_array_add(ids, json_object_new_string("id"));
    json_object_object_add(ext, "first_of", ids);
    json_object_object_add(fields, "external_id", ext);
    for (size_t i = 0; i < m->n_fields; i++) {
        if (i == MODEL_EXTERNAL_ID)
            continue;
        struct json_object *src = json_object_new_object();
        json_object_object_add(src, "from", json_object_new_string(m->fields[i].name));
        json_object_object_add(src, "optional", json_object_new_boolean(1));
        json_object_object_add(fields, m->fields[i].name, src);
    }
    json_object_object_add(spec, "stream", json_object_new_string(stream));
    json_object_object_add(spec, "model", json_object_new_string(m->name));
    json_object_object_add(spec, "fields", fields);
    json_object_object_add(spec, "properties", json_object_new_string("rest"));
    return spec;
}

/* A connector's default mapping into the model when source_type names
 * one ("salesforce", or "salesforce/Lead" for that stream's), renamed to
 * the pushed stream; NULL when it names none. */
static struct json_object *connector_spec(const struct push_in *in, const char *stream)
{
    char name[128];
    const char *want = NULL;
    if (!in->source_type || !in->reg)
        return NULL;
    snprintf(name, sizeof(name), "%s", in->source_type);
    char *slash = strchr(name, '/');
    if (slash) {
        *slash = '\0';
        want = slash + 1;
    }
    const struct connector *c = registry_get(in->reg, name);
    struct json_object *maps = c ? jsonx_get(c->doc, "mappings") : NULL;
    for (size_t i = 0; i < jsonx_len(maps); i++) {
        struct json_object *m = jsonx_at(maps, i), *copy = NULL;
        const char *model = jsonx_str(jsonx_get(m, "model"));
        const char *from = jsonx_str(jsonx_get(m, "stream"));
        if (!model || strcmp(model, in->model) != 0 || (want && (!from || strcmp(from, want) != 0)))
            continue;
        if (json_object_deep_copy(m, &copy, NULL) != 0)
            abort(); /* json-c fails only on out of memory */
        json_object_object_add(copy, "stream", json_object_new_string(stream));
        return copy;
    }
    return NULL;
}

static int mappings_load(struct push *p, const struct connector *c, struct err *err)
{
    struct json_object *extra = json_object_new_array();
    struct json_object *spec = connector_spec(p->in, p->stream);
    if (!spec)
        spec = push_identity_spec(p->stream, p->in->model);
    json_object_array_add(extra, spec);
    int rc =
        normalize_new(&p->norm, p->in->db, p->in->tenant_id, p->in->integration_id, c, extra, err);
    json_object_put(extra);
    return rc;
}

/* ---- the loader's hooks ---- */

static bool appended(void *ctx, const char *stream)
{
    (void)ctx;
    (void)stream;
    return true; /* the raw table is a log of what came in */
}

static int on_record(void *ctx, struct db *db, const char *stream, struct json_object *record,
                     bool deleted, struct err *err)
{
    struct push *p = ctx;
    struct normalize_counts n = {0};
    (void)deleted;
    size_t index = p->index[p->at++];
    int rc =
        normalize_record(p->norm, db, stream, jsonx_get(record, "record"), p->in->now, &n, err);
    if (rc < 0)
        return rc;
    p->n.created += n.created;
    p->n.updated += n.updated;
    p->n.unchanged += n.unchanged;
    p->n.deleted += n.deleted;
    if (n.failed)
        record_error(p, index, normalize_last_error(p->norm));
    return 0;
}

static const char *status_of(const struct loader_counts *n)
{
    if (n->failed == 0)
        return "success";
    return n->failed >= n->processed ? "failed" : "partial";
}

/* The run, the delivery and the answer, inside the batch (or a
 * transaction of their own when no record reached the loader). */
static int write_done(void *ctx, struct db *db, struct err *err)
{
    struct push *p = ctx;
    const struct push_in *in = p->in;
    char run_id[ID_MAX], line[300], error[100];
    struct buf logtext, *a = &p->out->answer;
    int64_t changes = 0;
    int rc = normalize_flush(p->norm, db, in->now, err);

    snprintf(line, sizeof(line),
             "pushed: %lld records into %s: %lld created, %lld updated, %lld unchanged,"
             " %lld failed",
             (long long)p->n.processed, in->model, (long long)p->n.created, (long long)p->n.updated,
             (long long)p->n.unchanged, (long long)p->n.failed);
    run_log_add(&p->log, in->now * 1000, p->n.failed ? "warn" : "info", "inlet", line,
                strlen(line));
    snprintf(error, sizeof(error), "%lld of %lld records failed", (long long)p->n.failed,
             (long long)p->n.processed);
    buf_init(&logtext, 0);
    run_log_render(&p->log, &logtext);
    if (rc == 0 && in->run_id) {
        snprintf(run_id, sizeof(run_id), "%s", in->run_id);
        rc = sync_run_add(db, in->tenant_id, in->integration_id, run_id, &p->n, in->now, err);
    } else if (rc == 0) {
        rc = sync_run_record(run_id, db, in->tenant_id, in->integration_id, "webhook",
                             status_of(&p->n), p->n.failed ? error : NULL, buf_cstr(&logtext),
                             &p->n, in->now, err);
    }
    buf_dispose(&logtext);
    if (rc == 0) /* the host hears of what the records changed, with them */
        rc = events_records_changed(
            db, in->tenant_id, in->integration_id, run_id,
            &(struct events_stream){p->stream, p->n.created, p->n.updated, p->n.deleted}, in->now,
            err);
    if (rc < 0)
        return rc;
    buf_reset(a);
    buf_printf(a,
               "{\"success\":%s,\"stats\":{\"processed\":%lld,\"created\":%lld,\"updated\":%lld,"
               "\"unchanged\":%lld,\"failed\":%lld},\"sync_log_id\":\"%s\",\"errors\":[%s]}",
               p->n.failed ? "false" : "true", (long long)p->n.processed, (long long)p->n.created,
               (long long)p->n.updated, (long long)p->n.unchanged, (long long)p->n.failed, run_id,
               buf_cstr(&p->errors));
    char id[ID_MAX], event[64];
    id_new(id, "whd");
    snprintf(event, sizeof(event), "push.%s", in->model);
    rc = db_exec(db,
                 "INSERT INTO webhook_deliveries (id, tenant_id, endpoint_id, delivery_id, event,"
                 " status, result, run_id, received_at, processed_at)"
                 " VALUES ($1, $2, $3, $4, $5, 'processed', $6, $7, $8, $8)"
                 " ON CONFLICT (tenant_id, endpoint_id, delivery_id) DO NOTHING",
                 DB_ARGS(DB_TEXT(id), DB_TEXT(in->tenant_id), DB_TEXT(in->endpoint_id),
                         DB_TEXT(in->delivery_id), DB_TEXT(event), DB_TEXT(buf_cstr(a)),
                         DB_TEXT(run_id), DB_INT(in->now)),
                 &changes, err);
    if (rc == 0 && changes == 0)
        return err_set(err, ERR_CONFLICT, "delivery %s was applied already", in->delivery_id);
    if (rc == 0)
        p->written = true;
    return rc;
}

/* ---- the whole ---- */

/* The stored answer of a delivery applied before into out->answer; 1
 * when there is one. */
static int seen(struct push_result *out, const struct push_in *in, struct err *err)
{
    struct db_rows *r = NULL;
    int rc = db_begin_tenant_read(in->db, in->tenant_id, err);
    if (rc < 0)
        return rc;
    rc = db_query_row(
        &r, in->db,
        "SELECT result FROM webhook_deliveries WHERE tenant_id = $1"
        " AND endpoint_id = $2 AND delivery_id = $3",
        DB_ARGS(DB_TEXT(in->tenant_id), DB_TEXT(in->endpoint_id), DB_TEXT(in->delivery_id)), err);
    if (rc == 0) {
        buf_reset(&out->answer);
        buf_puts(&out->answer, db_rows_text(r, 0) ? db_rows_text(r, 0) : "{\"success\":true}");
        out->duplicate = true;
        rc = 1;
    } else if (rc == ERR_NOTFOUND) {
        rc = 0;
    }
    db_rows_free(r);
    db_rollback(in->db);
    return rc;
}

static int load(struct push *p, struct err *err)
{
    const struct push_in *in = p->in;
    char prefix[ID_MAX + 1];
    struct loader *l = NULL;
    snprintf(prefix, sizeof(prefix), "%s_", in->integration_id);
    struct loader_opts lo = {.db = in->db,
                             .tenant_id = in->tenant_id,
                             .table_prefix = prefix,
                             .batch_size = LOADER_BATCH_MAX,
                             .before_commit = write_done,
                             .appended = appended,
                             .on_record = on_record,
                             .ctx = p};
    int rc = loader_new(&l, &lo, err);
    if (rc < 0)
        return rc;
    struct json_object *schema = NULL;
    static const char schema_text[] =
        "{\"type\":\"object\",\"properties\":{\"record\":{\"type\":\"object\"},"
        "\"source_type\":{\"type\":[\"string\",\"null\"]},\"delivery_id\":{\"type\":\"string\"}}}";
    rc = jsonx_parse(&schema, schema_text, sizeof(schema_text) - 1, sizeof(schema_text), err);
    struct singer_msg m = {.type = SINGER_SCHEMA, .stream = p->stream, .schema = schema};
    size_t sent = 0;
    if (rc == 0)
        rc = loader_message(l, &m, err);
    for (size_t i = 0; rc == 0 && i < jsonx_len(in->records); i++) {
        struct json_object *rec = jsonx_at(in->records, i);
        if (!json_object_is_type(rec, json_type_object)) {
            char msg[64];
            snprintf(msg, sizeof(msg), "expected an object, got %s", jsonx_type_name(rec));
            record_error(p, i, msg);
            continue;
        }
        struct json_object *wrap = json_object_new_object();
        json_object_object_add(wrap, "record", json_object_get(rec));
        json_object_object_add(wrap, "source_type",
                               in->source_type ? json_object_new_string(in->source_type) : NULL);
        json_object_object_add(wrap, "delivery_id", json_object_new_string(in->delivery_id));
        p->index[sent++] = i;
        struct singer_msg r = {.type = SINGER_RECORD, .stream = p->stream, .record = wrap};
        rc = loader_message(l, &r, err);
        json_object_put(wrap);
    }
    if (rc == 0 && sent > 0)
        rc = loader_finish(l, err);
    json_object_put(schema);
    loader_free(l); /* rolls back what did not commit */
    return rc;
}

int push_apply(struct push_result *out, const struct push_in *in, struct err *err)
{
    struct push p = {.in = in, .out = out};
    struct integration it = {0};
    const struct connector *c = NULL;

    memset(out, 0, sizeof(*out));
    buf_init(&out->answer, 0);
    if (!push_stream(p.stream, in->model))
        return err_set(err, ERR_INVALID, "no model %s", in->model);
    int rc = seen(out, in, err);
    if (rc != 0)
        return rc < 0 ? rc : 0;
    rc = db_begin_tenant_read(in->db, in->tenant_id, err);
    if (rc == 0) {
        rc = integration_get(&it, in->db, in->tenant_id, in->integration_id, err);
        db_rollback(in->db);
    }
    if (rc == 0 && in->reg)
        c = registry_get(in->reg, it.connector);
    buf_init(&p.errors, 0);
    run_log_init(&p.log);
    p.n.processed = (int64_t)jsonx_len(in->records);
    p.index = xmalloc((jsonx_len(in->records) + 1) * sizeof(*p.index));
    if (rc == 0)
        rc = mappings_load(&p, c, err);
    if (rc == 0) {
        char line[200];
        snprintf(line, sizeof(line), "pushed: delivery %.100s, %zu records of %s%s%.60s",
                 in->delivery_id, jsonx_len(in->records), in->model,
                 in->source_type ? " from " : "", in->source_type ? in->source_type : "");
        run_log_add(&p.log, in->now * 1000, "info", "inlet", line, strlen(line));
        rc = load(&p, err);
    }
    /* Nothing reached the loader (no record, or none an object). */
    if (rc == 0 && !p.written) {
        rc = db_begin_tenant(in->db, in->tenant_id, err);
        if (rc == 0) {
            if ((rc = write_done(&p, in->db, err)) == 0)
                rc = db_commit(in->db, err);
            else
                db_rollback(in->db);
        }
    }
    /* A retry that raced its original to the commit: the original won. */
    if (rc == ERR_CONFLICT) {
        struct err why = *err;
        rc = seen(out, in, err);
        if (rc == 0) /* not there after all: the conflict was something else */
            rc = err_set(err, ERR_CONFLICT, "%s", why.msg);
        else if (rc > 0)
            rc = 0;
    }
    if (rc < 0)
        buf_reset(&out->answer);
    run_log_dispose(&p.log);
    buf_dispose(&p.errors);
    normalize_free(p.norm);
    integration_dispose(&it);
    xfree(p.index);
    return rc;
}
