/* sync/normalize.c - see normalize.h. The mappings are built once per
 * run, so a record costs a lookup of its stream among a handful of maps,
 * map_apply, and store/records.c's statements. */
#include "sync/normalize.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/jsonx.h"
#include "map/mapping.h"
#include "store/records.h"

#define MAPS_MAX 256 /* mappings of one integration, defaults and overrides */

struct normalize {
    char *tenant_id, *integration_id; /* owned */
    char *connector;                  /* owned: the connector's name */
    struct map *maps[MAPS_MAX];       /* owned; n used */
    size_t n;
    struct normalize_counts counts;
    bool created, accounts; /* since the last flush: a row created; an account written */
    struct buf errors;      /* kept messages, one per line */
    struct buf last;        /* the last refusal's message */
    size_t nerrors;
};

static void keep_error(struct normalize *n, const char *what, const char *msg)
{
    if (n->nerrors++ >= NORMALIZE_ERRORS_KEPT)
        return;
    buf_printf(&n->errors, "%s: %s\n", what, msg);
}

static struct map *map_find(struct normalize *n, const char *stream, const char *model)
{
    for (size_t i = 0; i < n->n; i++)
        if (strcmp(map_stream(n->maps[i]), stream) == 0 &&
            (!model || strcmp(map_model(n->maps[i])->name, model) == 0))
            return n->maps[i];
    return NULL;
}

/* The specs of maps ("mappings" of a connector file, or the caller's
 * extra ones) into n; `name` heads the pointers of messages. */
static int load_defaults(struct normalize *n, const struct json_object *maps, const char *name,
                         struct err *err)
{
    struct jsonx_ptr at;
    for (size_t i = 0; i < jsonx_len(maps) && n->n < MAPS_MAX; i++) {
        jsonx_ptr_init(&at);
        jsonx_ptr_push(&at, name);
        jsonx_ptr_push_index(&at, i);
        int rc = map_parse(&n->maps[n->n], jsonx_at(maps, i), &at, err);
        if (rc < 0)
            return rc;
        n->n++;
    }
    return 0;
}

/* One field_mappings row over the maps; a row that does not apply is
 * skipped, with its message kept: a tenant's bad override must not stop
 * the sync of everything else. */
static void apply_row(struct normalize *n, const char *stream, const char *model,
                      const char *target_field, const char *source, const char *transforms)
{
    struct map *m = map_find(n, stream, model);
    struct err e = {0};
    char what[300];

    snprintf(what, sizeof(what), "field_mappings %s %s.%s", stream, model, target_field);
    if (!m) {
        if (n->n >= MAPS_MAX) {
            keep_error(n, what, "too many mappings");
            return;
        }
        if (map_new(&m, stream, model, &e) < 0) {
            keep_error(n, what, e.msg);
            return;
        }
        n->maps[n->n++] = m;
    }
    if (map_set_row(m, target_field, source, transforms, &e) < 0)
        keep_error(n, what, e.msg);
}

static int load_rows(struct normalize *n, struct db *db, struct err *err)
{
    struct db_rows *r = NULL;
    int rc = db_begin_tenant_read(db, n->tenant_id, err);
    if (rc < 0)
        return rc;
    rc = db_query(&r, db,
                  "SELECT stream, target, target_field, source_field, transforms FROM"
                  " field_mappings WHERE tenant_id = $1 AND integration_id = $2"
                  " ORDER BY stream, target, target_field",
                  DB_ARGS(DB_TEXT(n->tenant_id), DB_TEXT(n->integration_id)), err);
    while (rc == 0 && (rc = db_rows_next(r, err)) == 1) {
        apply_row(n, db_rows_text(r, 0), db_rows_text(r, 1), db_rows_text(r, 2), db_rows_text(r, 3),
                  db_rows_text(r, 4));
        rc = 0;
    }
    db_rows_free(r);
    db_rollback(db);
    return rc;
}

/* A map that the overrides left without external_id cannot key its
 * rows: drop it, and say so. */
static void drop_unkeyed(struct normalize *n)
{
    size_t k = 0;
    for (size_t i = 0; i < n->n; i++) {
        struct err e = {0};
        if (map_check(n->maps[i], NULL, &e) == 0) {
            n->maps[k++] = n->maps[i];
            continue;
        }
        char what[300];
        snprintf(what, sizeof(what), "mapping %s -> %s", map_stream(n->maps[i]),
                 map_model(n->maps[i])->name);
        keep_error(n, what, e.msg);
        map_free(n->maps[i]);
    }
    n->n = k;
}

int normalize_new(struct normalize **out, struct db *db, const char *tenant_id,
                  const char *integration_id, const struct connector *c,
                  const struct json_object *extra, struct err *err)
{
    struct normalize *n = xcalloc(1, sizeof(*n));
    int rc;

    n->tenant_id = xstrdup(tenant_id);
    n->integration_id = xstrdup(integration_id);
    n->connector = xstrdup(c ? c->name : "");
    buf_init(&n->errors, 0);
    buf_init(&n->last, 0);
    rc = load_defaults(n, c ? jsonx_get(c->doc, "mappings") : NULL, "mappings", err);
    if (rc == 0)
        rc = load_defaults(n, extra, "extra", err);
    if (rc == 0)
        rc = load_rows(n, db, err);
    if (rc < 0) {
        normalize_free(n);
        return rc;
    }
    drop_unkeyed(n);
    *out = n;
    return 0;
}

void normalize_free(struct normalize *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->n; i++)
        map_free(n->maps[i]);
    xfree(n->tenant_id);
    xfree(n->integration_id);
    xfree(n->connector);
    buf_dispose(&n->errors);
    buf_dispose(&n->last);
    xfree(n);
}

bool normalize_active(const struct normalize *n)
{
    return n && n->n > 0;
}

static void count(struct normalize_counts *c, enum records_outcome o)
{
    switch (o) {
    case RECORDS_CREATED:
        c->created++;
        break;
    case RECORDS_UPDATED:
        c->updated++;
        break;
    case RECORDS_UNCHANGED:
        c->unchanged++;
        break;
    case RECORDS_DELETED:
        c->deleted++;
        break;
    }
}

int normalize_record(struct normalize *n, struct db *db, const char *stream,
                     const struct json_object *record, int64_t now, struct normalize_counts *counts,
                     struct err *err)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && n && i < n->n; i++) {
        struct map_row row;
        struct err e = {0};
        enum records_outcome o;
        if (strcmp(map_stream(n->maps[i]), stream) != 0)
            continue;
        if (map_apply(n->maps[i], record, &row, &e) < 0) {
            const char *id = jsonx_str(jsonx_get(record, "Id"));
            if (!id)
                id = jsonx_str(jsonx_get(record, "id"));
            char what[300];
            snprintf(what, sizeof(what), "%s%s%s -> %s", stream, id ? " " : "", id ? id : "",
                     map_model(n->maps[i])->name);
            keep_error(n, what, e.msg);
            buf_reset(&n->last);
            buf_puts(&n->last, e.msg);
            n->counts.failed++;
            if (counts)
                counts->failed++;
            map_row_dispose(&row);
            continue;
        }
        rc = records_upsert(db, n->tenant_id, n->integration_id, n->connector, stream, &row, now,
                            &o, err);
        if (rc == 0) {
            n->created |= o == RECORDS_CREATED;
            n->accounts |= strcmp(map_model(n->maps[i])->name, "accounts") == 0 &&
                           (o == RECORDS_CREATED || o == RECORDS_UPDATED);
            count(&n->counts, o);
            if (counts)
                count(counts, o);
        }
        map_row_dispose(&row);
    }
    return rc;
}

int normalize_flush(struct normalize *n, struct db *db, int64_t now, struct err *err)
{
    if (!n || (!n->created && !n->accounts))
        return 0;
    int rc = records_link(db, n->tenant_id, n->integration_id, n->created, n->accounts, now, err);
    if (rc == 0)
        n->created = n->accounts = false;
    return rc;
}

void normalize_counts(const struct normalize *n, struct normalize_counts *out)
{
    memset(out, 0, sizeof(*out));
    if (n)
        *out = n->counts;
}

const char *normalize_last_error(const struct normalize *n)
{
    return n ? buf_cstr(&n->last) : "";
}

const char *normalize_errors(const struct normalize *n)
{
    return n ? buf_cstr(&n->errors) : "";
}
