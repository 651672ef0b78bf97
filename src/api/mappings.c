/* api/mappings.c - /api/mappings: a tenant's overrides of an integration's
 * field mappings (field_mappings rows, docs/mappings.md "Overrides"): list
 * them beside the connector's defaults, read, create, replace and delete
 * one. A row is checked before it is stored, in the mapping the sync will
 * build (sync/normalize.c): the connector's default for its stream and
 * model, or an empty one, with the integration's other rows over it, takes
 * the row; the sources the row names must be fields of the stream's schema
 * (the stored catalog's, or the connector file's own); and the mapping must
 * still map external_id. Every change and its audit entry commit together. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"
#include "connectors/registry.h"
#include "core/alloc.h"
#include "core/jsonx.h"
#include "map/mapping.h"
#include "map/model.h"
#include "singer/catalog.h"
#include "store/field_mapping.h"
#include "store/integration.h"
#include "sync/push.h"

/* ---- answers ---- */

/* Stored JSON text as compact JSON; false (nothing written) when it is
 * not JSON, as a row written by hand might be. */
static bool put_json_text(struct buf *b, const char *text)
{
    struct json_object *v = NULL;
    struct err e;
    if (!text || jsonx_parse(&v, text, strlen(text), strlen(text) + 1, &e) < 0 || !v)
        return false;
    jsonx_format(b, v);
    json_object_put(v);
    return true;
}

/* source_field as it was given: JSON where map_set_row reads JSON (a
 * source object; a list of names for properties), else a string or null. */
static void put_source(struct buf *b, const struct field_mapping *m)
{
    const char *s = m->source_field;
    bool json = s && (s[0] == '{' || (s[0] == '[' && strcmp(m->target_field, "properties") == 0));
    if (!json || !put_json_text(b, s))
        buf_put_json_str(b, s);
}

static void mapping_format(struct buf *b, const struct field_mapping *m)
{
    buf_puts(b, "{\"id\":");
    buf_put_json_str(b, m->id);
    buf_puts(b, ",\"integration_id\":");
    buf_put_json_str(b, m->integration_id);
    buf_puts(b, ",\"stream\":");
    buf_put_json_str(b, m->stream);
    buf_puts(b, ",\"model\":");
    buf_put_json_str(b, m->model);
    buf_puts(b, ",\"target_field\":");
    buf_put_json_str(b, m->target_field);
    buf_puts(b, ",\"source_field\":");
    put_source(b, m);
    buf_puts(b, ",\"transforms\":");
    if (!put_json_text(b, m->transforms))
        buf_puts(b, "[]");
    buf_puts(b, ",\"created_at\":");
    api_put_time(b, m->created_at);
    buf_puts(b, ",\"updated_at\":");
    api_put_time(b, m->updated_at);
    buf_putc(b, '}');
}

/* The connector file's "mappings" entries (of stream only, when not NULL),
 * as written, into b as a JSON array. The file is shared by every thread
 * and must not be serialised in place (registry.h): each entry is copied. */
static void put_defaults(struct buf *b, const struct connector *conn, const char *stream)
{
    struct json_object *maps = conn ? jsonx_get(conn->doc, "mappings") : NULL;
    size_t n = 0;
    buf_putc(b, '[');
    for (size_t i = 0; i < jsonx_len(maps); i++) {
        struct json_object *entry = jsonx_at(maps, i), *copy = NULL;
        const char *s = jsonx_str(jsonx_get(entry, "stream"));
        if (stream && (!s || strcmp(s, stream) != 0))
            continue;
        if (json_object_deep_copy(entry, &copy, NULL) != 0 || !copy)
            abort(); /* json-c's out of memory */
        buf_puts(b, n++ ? "," : "");
        jsonx_format(b, copy);
        json_object_put(copy);
    }
    buf_putc(b, ']');
}

/* ---- reading a body ---- */

/* Into *out (borrowed from doc) the member name of doc, a required string
 * without \u0000; ERR_INVALID "/name: ..." otherwise. */
static int str_member(const char **out, const struct json_object *doc, const char *name,
                      struct err *err)
{
    struct json_object *v = jsonx_get(doc, name);
    *out = NULL;
    if (!v)
        return err_set(err, ERR_INVALID, "/%s: is required", name);
    if (!json_object_is_type(v, json_type_string))
        return err_set(err, ERR_INVALID, "/%s: expected a string, got %s", name,
                       jsonx_type_name(v));
    if (strlen(jsonx_str(v)) != jsonx_str_len(v))
        return err_set(err, ERR_INVALID, "/%s: contains \\u0000", name);
    *out = jsonx_str(v);
    return 0;
}

/* A row's source_field and transforms from doc as the text map_set_row
 * and the table take: *source (OUT, xfree; NULL: none) a dotted path, or
 * JSON text for a source object or (target_field properties) a list of
 * names; *transforms (OUT, xfree; NULL: none) a JSON array's text.
 * ERR_INVALID "/source_field: ..." or "/transforms: ...". */
static int row_values(char **source, char **transforms, const struct json_object *doc,
                      const char *target_field, struct err *err)
{
    struct json_object *s = jsonx_get(doc, "source_field"), *t = jsonx_get(doc, "transforms");
    assert(target_field);
    bool properties = strcmp(target_field, "properties") == 0;
    struct buf b;

    *source = *transforms = NULL;
    if (json_object_is_type(s, json_type_string)) {
        const char *text = NULL;
        int rc = str_member(&text, doc, "source_field", err);
        if (rc < 0)
            return rc;
        *source = xstrdup(text);
    } else if (json_object_is_type(s, json_type_array) && !properties) {
        return err_set(err, ERR_INVALID,
                       "/source_field: a list of names is for target_field properties only");
    } else if (s && !json_object_is_type(s, json_type_object) &&
               !json_object_is_type(s, json_type_array)) {
        return err_set(err, ERR_INVALID,
                       "/source_field: expected a field name, a source object or null, got %s",
                       jsonx_type_name(s));
    } else if (s) {
        buf_init(&b, 0);
        jsonx_format(&b, s);
        *source = buf_take(&b);
    }
    if (t && !json_object_is_type(t, json_type_array)) {
        xfree(*source);
        *source = NULL;
        return err_set(err, ERR_INVALID, "/transforms: expected an array, got %s",
                       jsonx_type_name(t));
    }
    if (jsonx_len(t) > 0) {
        buf_init(&b, 0);
        jsonx_format(&b, t);
        *transforms = buf_take(&b);
    }
    return 0;
}

/* ---- checking a row ---- */

/* What a row of one integration is checked against. */
struct scope {
    const struct integration *it;
    const struct connector *conn; /* NULL when its file is gone */
    struct json_object *cat;      /* owned; NULL: not discovered yet */
};

static int scope_load(struct scope *s, struct api_ctx *c, const struct integration *it,
                      struct err *err)
{
    char *text = NULL;
    struct err why;

    memset(s, 0, sizeof(*s));
    s->it = it;
    s->conn = registry_get(c->api->registry, it->connector);
    int rc = integration_catalog_get(&text, c->db, c->tenant_id, it->id, err);
    /* Stored by catalog_format after catalog_parse: one that does not
     * parse was edited by hand, which is inlet's problem (a 500). */
    if (rc == 0 && text && catalog_parse(&s->cat, text, strlen(text), &why) < 0)
        rc = err_set(err, ERR_IO, "the stored catalog of integration %s does not parse: %s", it->id,
                     why.msg);
    xfree(text);
    return rc;
}

static void scope_dispose(struct scope *s)
{
    json_object_put(s->cat);
    memset(s, 0, sizeof(*s));
}

static int no_catalog(struct err *err, const char *id)
{
    return err_set(err, ERR_CONFLICT,
                   "integration %s has no catalog yet: POST /api/integrations/%s/discover first, "
                   "so that the fields can be checked",
                   id, id);
}

/* ERR_INVALID for a stream that is not among names[0..n) of where. */
static int no_stream(struct err *err, const char *stream, const char *where,
                     const char *const *names, size_t n)
{
    const char *near = model_suggest(stream, names, n);
    if (near)
        return err_set(err, ERR_INVALID, "/stream: no stream \"%.64s\" in %s; did you mean %s?",
                       stream, where, near);
    return err_set(err, ERR_INVALID, "/stream: no stream \"%.64s\" in %s", stream, where);
}

/* The stored catalog's stream, by tap_stream_id or by stream name. */
static int catalog_schema(const struct json_object **out, const struct json_object *cat,
                          const char *stream, struct err *err)
{
    size_t n = catalog_count(cat);
    struct json_object *st = catalog_stream_by_id(cat, stream);
    for (size_t i = 0; !st && i < n; i++)
        if (strcmp(catalog_stream_name(catalog_stream(cat, i)), stream) == 0)
            st = catalog_stream(cat, i);
    if (st) {
        *out = jsonx_get(st, "schema");
        return 0;
    }
    const char **names = xcalloc(n + 1, sizeof(*names));
    for (size_t i = 0; i < n; i++)
        names[i] = catalog_stream_id(catalog_stream(cat, i));
    int rc = no_stream(err, stream, "this integration's catalog", names, n);
    xfree(names);
    return rc;
}

/* *out (OUT, borrowed from s) is the JSON Schema of stream that the row's
 * sources are checked against: the catalog's; with no catalog, the
 * connector file's own for a stream it lists without "describe". ERR_CONFLICT
 * when only a discovery can tell (no_catalog); ERR_INVALID "/stream: ..."
 * for a stream the integration does not have. */
static int stream_schema(const struct json_object **out, const struct scope *s, const char *stream,
                         struct err *err)
{
    struct json_object *streams = s->conn ? jsonx_get(s->conn->doc, "streams") : NULL;
    size_t n = jsonx_len(streams);

    *out = NULL;
    /* Pushed records (sync/push.h) have no schema: any source may be there. */
    if (push_stream_model(stream, NULL))
        return 0;
    if (s->cat)
        return catalog_schema(out, s->cat, stream, err);
    for (size_t i = 0; i < n; i++) {
        struct json_object *st = jsonx_at(streams, i);
        const char *name = jsonx_str(jsonx_get(st, "name"));
        if (!name || strcmp(name, stream) != 0)
            continue;
        if (jsonx_has(st, "describe"))
            return no_catalog(err, s->it->id); /* its fields come from the provider */
        *out = jsonx_get(st, "schema");
        return 0;
    }
    /* Discovered streams (Salesforce's objects, a Singer tap's) are known
     * from the catalog only. */
    if (!s->conn || jsonx_has(s->conn->doc, "discover") ||
        strcmp(s->conn->kind, "declarative") != 0)
        return no_catalog(err, s->it->id);
    const char **names = xcalloc(n + 1, sizeof(*names));
    char where[CONNECTOR_NAME_MAX + 16];
    for (size_t i = 0; i < n; i++)
        names[i] = jsonx_str(jsonx_get(jsonx_at(streams, i), "name"));
    snprintf(where, sizeof(where), "connector %s", s->conn->name);
    int rc = no_stream(err, stream, where, names, n);
    xfree(names);
    return rc;
}

/* Into *out (OUT, map_free) the mapping of stream into model that the sync
 * starts from: the connector file's default, or an empty one. ERR_INVALID
 * "/stream: ..." or "/model: ..." from map_new. */
static int base_map(struct map **out, const struct connector *conn, const char *stream,
                    const char *model, struct err *err)
{
    struct json_object *maps = conn ? jsonx_get(conn->doc, "mappings") : NULL;
    struct jsonx_ptr at;
    struct err why;

    const char *pushed = NULL;
    if (push_stream_model(stream, &pushed)) {
        if (strcmp(pushed, model) != 0)
            return err_set(err, ERR_INVALID,
                           "/model: stream %s holds pushed %s, so its model is %s", stream, pushed,
                           pushed);
        struct json_object *spec = push_identity_spec(stream, model);
        jsonx_ptr_init(&at);
        int rc = map_parse(out, spec, &at, &why);
        json_object_put(spec);
        return rc < 0 ? err_set(err, ERR_IO, "the mapping of %s: %s", stream, why.msg) : 0;
    }
    if (!conn)
        return map_new(out, stream, model, err);
    for (size_t i = 0; i < jsonx_len(maps); i++) {
        struct json_object *entry = jsonx_at(maps, i);
        const char *s = jsonx_str(jsonx_get(entry, "stream"));
        const char *m = jsonx_str(jsonx_get(entry, "model"));
        if (!s || !m || strcmp(s, stream) != 0 || strcmp(m, model) != 0)
            continue;
        jsonx_ptr_init(&at);
        jsonx_ptr_push(&at, "mappings");
        jsonx_ptr_push_index(&at, i);
        /* Checked when the registry loaded the file: a failure is ours. */
        if (map_parse(out, entry, &at, &why) < 0)
            return err_set(err, ERR_IO, "connector %s: %s", conn->name, why.msg);
        return 0;
    }
    return map_new(out, stream, model, err);
}

/* The integration's other rows of one stream and model, applied over the
 * mapping as the sync applies them. */
struct others {
    struct map *m;
    const char *self_id;      /* the row being replaced; NULL on create */
    const char *target_field; /* the row's */
    char clash[ID_MAX];       /* another row with the same target field, or "" */
    size_t skipped;           /* rows that did not apply */
};

static int apply_other(void *ctx, const struct field_mapping *r)
{
    struct others *o = ctx;
    struct err ignored;
    if (o->self_id && strcmp(r->id, o->self_id) == 0)
        return 0;
    if (strcmp(r->target_field, o->target_field) == 0) {
        snprintf(o->clash, sizeof(o->clash), "%s", r->id);
        return 0;
    }
    /* A row that does not apply any more is skipped, as the sync skips it
     * (and names it in the run's log): it is not this row's problem. */
    if (map_set_row(o->m, r->target_field, r->source_field, r->transforms, &ignored) < 0)
        o->skipped++;
    return 0;
}

/* Check the row (in's stream, model, target field, source and transforms;
 * self_id the stored row it replaces, NULL on create) as described at the
 * top. ERR_CONFLICT for another row of the same target field (on create)
 * or no catalog; ERR_INVALID "POINTER: problem" with a pointer into the
 * request body. */
static int row_check(struct api_ctx *c, const struct scope *s, const struct field_mapping_in *in,
                     const char *self_id, struct err *err)
{
    struct others o = {.self_id = self_id, .target_field = in->target_field};
    const struct json_object *schema = NULL;

    int rc = base_map(&o.m, s->conn, in->stream, in->model, err);
    if (rc == 0)
        rc = field_mapping_list(c->db, c->tenant_id, s->it->id, in->stream, in->model, apply_other,
                                &o, err);
    if (rc == 0 && o.clash[0])
        rc = err_set(err, ERR_CONFLICT,
                     "stream %.64s of integration %s has a mapping into %s.%.64s already (%s): "
                     "use PUT /api/mappings/%s",
                     in->stream, s->it->id, in->model, in->target_field, o.clash, o.clash);
    if (rc == 0)
        rc = stream_schema(&schema, s, in->stream, err);
    if (rc == 0)
        rc = map_set_row(o.m, in->target_field, in->source_field, in->transforms, err);
    if (rc == 0)
        rc = map_check_row(o.m, in->target_field, schema, err);
    /* Only a mapping without a default can lack external_id (a row cannot
     * remove it): it starts empty, and rows come one at a time, so the
     * first must be the one that keys the records. */
    if (rc == 0 && map_check(o.m, NULL, err) < 0)
        rc = err_set(err, ERR_INVALID,
                     "/target_field: stream %.64s has no default mapping into %s, so its first "
                     "row must map external_id (what identifies a record)",
                     in->stream, in->model);
    map_free(o.m);
    return rc;
}

/* ---- handlers ---- */

/* The audit entry's data: which row, never more. */
static void audit_data(struct buf *d, const char *integration_id, const char *stream,
                       const char *model, const char *target_field)
{
    buf_puts(d, "{\"integration_id\":");
    buf_put_json_str(d, integration_id);
    buf_puts(d, ",\"stream\":");
    buf_put_json_str(d, stream);
    buf_puts(d, ",\"model\":");
    buf_put_json_str(d, model);
    buf_puts(d, ",\"target_field\":");
    buf_put_json_str(d, target_field);
    buf_putc(d, '}');
}

/* Check in (self_id: the row it replaces, NULL to create one), store it,
 * audit it and read it back into *out (OUT, field_mapping_dispose), in
 * the caller's tenant transaction, which the caller ends. The new id, on
 * create, into made. */
static int save(struct field_mapping *out, char made[ID_MAX], struct api_ctx *c,
                const struct field_mapping_in *in, const char *self_id, struct err *err)
{
    struct integration it = {0};
    struct scope s = {0};
    struct buf data;
    const char *id = self_id ? self_id : made;

    buf_init(&data, 0);
    audit_data(&data, in->integration_id, in->stream, in->model, in->target_field);
    int rc = integration_get(&it, c->db, c->tenant_id, in->integration_id, err);
    if (rc == 0)
        rc = scope_load(&s, c, &it, err);
    if (rc == 0)
        rc = row_check(c, &s, in, self_id, err);
    if (rc == 0)
        rc = self_id ? field_mapping_update(c->db, c->tenant_id, self_id, in->source_field,
                                            in->transforms, c->now, err)
                     : field_mapping_create(made, c->db, c->tenant_id, in, c->now, err);
    if (rc == 0)
        rc = api_audit(c, self_id ? "mapping.update" : "mapping.create", "mapping", id,
                       buf_cstr(&data), err);
    if (rc == 0)
        rc = field_mapping_get(out, c->db, c->tenant_id, id, err);
    scope_dispose(&s);
    integration_dispose(&it);
    buf_dispose(&data);
    return rc;
}

/* End the transaction of save (commit when rc is 0) and answer status
 * with the row, or the error. */
static void save_end(struct api_ctx *c, int rc, struct err *e, const struct field_mapping *m,
                     int status)
{
    rc = rc == 0 ? db_commit(c->db, e) : (db_rollback(c->db), rc);
    if (rc < 0) {
        api_invalid_msg(c, e);
        return;
    }
    mapping_format(api_reply(c, status), m);
    if (status == 201) {
        char loc[32 + ID_MAX];
        snprintf(loc, sizeof(loc), "/api/mappings/%s", m->id);
        http_resp_header(c->resp, "Location", loc);
    }
}

void api_mappings_create(struct api_ctx *c)
{
    static const char *const fields[] = {"integration_id", "stream",     "model", "target_field",
                                         "source_field",   "transforms", NULL};
    struct json_object *doc = NULL;
    struct field_mapping_in in = {0};
    struct field_mapping m = {0};
    char *source = NULL, *transforms = NULL, made[ID_MAX] = "";
    struct err e;

    if (api_body_object(c, &doc, fields) < 0)
        return;
    int rc = str_member(&in.integration_id, doc, "integration_id", &e);
    if (rc == 0)
        rc = str_member(&in.stream, doc, "stream", &e);
    if (rc == 0)
        rc = str_member(&in.model, doc, "model", &e);
    if (rc == 0)
        rc = str_member(&in.target_field, doc, "target_field", &e);
    if (rc == 0)
        rc = row_values(&source, &transforms, doc, in.target_field, &e);
    if (rc < 0) {
        api_invalid_msg(c, &e);
        goto out;
    }
    in.source_field = source;
    in.transforms = transforms;
    if (db_begin_tenant(c->db, c->tenant_id, &e) < 0) {
        api_fail(c, &e);
        goto out;
    }
    rc = save(&m, made, c, &in, NULL, &e);
    save_end(c, rc, &e, &m, 201);
out:
    field_mapping_dispose(&m);
    xfree(source);
    xfree(transforms);
    json_object_put(doc);
}

static const char *mapping_id(struct api_ctx *c)
{
    return api_path_id(c, "fmap", "mapping");
}

void api_mapping_put(struct api_ctx *c)
{
    static const char *const fields[] = {"source_field", "transforms", NULL};
    struct json_object *doc = NULL;
    struct field_mapping old = {0}, m = {0};
    char *source = NULL, *transforms = NULL;
    const char *id;
    struct err e;

    if (!(id = mapping_id(c)) || api_body_object(c, &doc, fields) < 0)
        goto out;
    int rc = db_begin_tenant(c->db, c->tenant_id, &e);
    if (rc == 0)
        rc = field_mapping_get(&old, c->db, c->tenant_id, id, &e);
    if (rc == 0)
        rc = row_values(&source, &transforms, doc, old.target_field, &e);
    if (rc == 0) {
        const struct field_mapping_in in = {
            .integration_id = old.integration_id,
            .stream = old.stream,
            .model = old.model,
            .target_field = old.target_field,
            .source_field = source,
            .transforms = transforms,
        };
        rc = save(&m, NULL, c, &in, id, &e);
    }
    save_end(c, rc, &e, &m, 200);
out:
    field_mapping_dispose(&old);
    field_mapping_dispose(&m);
    xfree(source);
    xfree(transforms);
    json_object_put(doc);
}

void api_mapping_get(struct api_ctx *c)
{
    static const char *const none[] = {NULL};
    struct field_mapping m = {0};
    const char *id;
    struct err e;

    if (api_query_only(c, none) < 0 || !(id = mapping_id(c)))
        return;
    int rc = db_begin_tenant_read(c->db, c->tenant_id, &e);
    if (rc == 0)
        rc = field_mapping_get(&m, c->db, c->tenant_id, id, &e);
    db_rollback(c->db); /* read only */
    if (rc < 0)
        api_fail(c, &e);
    else
        mapping_format(api_reply(c, 200), &m);
    field_mapping_dispose(&m);
}

void api_mapping_delete(struct api_ctx *c)
{
    struct field_mapping m = {0};
    struct buf data;
    const char *id;
    struct err e;

    if (!(id = mapping_id(c)))
        return;
    buf_init(&data, 0);
    int rc = db_begin_tenant(c->db, c->tenant_id, &e);
    if (rc == 0)
        rc = field_mapping_get(&m, c->db, c->tenant_id, id, &e);
    if (rc == 0)
        rc = field_mapping_delete(c->db, c->tenant_id, id, &e);
    if (rc == 0) {
        audit_data(&data, m.integration_id, m.stream, m.model, m.target_field);
        rc = api_audit(c, "mapping.delete", "mapping", id, buf_cstr(&data), &e);
    }
    rc = rc == 0 ? db_commit(c->db, &e) : (db_rollback(c->db), rc);
    if (rc < 0)
        api_fail(c, &e);
    else
        api_reply(c, 204);
    buf_dispose(&data);
    field_mapping_dispose(&m);
}

struct page {
    struct buf *b;
    size_t n;
};

static int put_row(void *ctx, const struct field_mapping *m)
{
    struct page *p = ctx;
    buf_puts(p->b, p->n++ ? "," : "");
    mapping_format(p->b, m);
    return 0;
}

void api_mappings_list(struct api_ctx *c)
{
    static const char *const params[] = {"integration_id", "stream", NULL};
    const char *id = http_req_query(c->req, "integration_id");
    const char *stream = http_req_query(c->req, "stream");
    struct integration it = {0};
    struct err e;

    if (api_query_only(c, params) < 0)
        return;
    if (!id) {
        api_error(c, 400, "invalid_parameter", NULL,
                  "integration_id: required: the mappings of one integration are listed "
                  "(GET /api/mappings?integration_id=int_...)");
        return;
    }
    if (!id_valid(id, "int")) {
        api_error(c, 400, "invalid_parameter", NULL,
                  "integration_id: expected an integration id (int_ and 26 characters)");
        return;
    }
    if (db_begin_tenant_read(c->db, c->tenant_id, &e) < 0) {
        api_fail(c, &e);
        return;
    }
    struct buf *b = api_reply(c, 200);
    struct page p = {.b = b};
    int rc = integration_get(&it, c->db, c->tenant_id, id, &e);
    if (rc == 0) {
        buf_puts(b, "{\"data\":[");
        rc = field_mapping_list(c->db, c->tenant_id, id, stream, NULL, put_row, &p, &e);
    }
    db_rollback(c->db); /* read only */
    if (rc < 0) {
        api_fail(c, &e);
    } else {
        buf_puts(b, "],\"defaults\":");
        put_defaults(b, registry_get(c->api->registry, it.connector), stream);
        buf_putc(b, '}');
    }
    integration_dispose(&it);
}
