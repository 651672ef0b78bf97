/* connectors/engine_discover.c - discovery through the declarative engine:
 * a Singer catalog made of the file's static streams (each with the fields
 * its "describe" request reports, typed through the file's type map) and
 * of the streams its "discover" request lists (Salesforce's sobjects),
 * each described the same way. The metadata says what inlet's selection
 * and sync modes need: key properties, the replication key when there is
 * one (else FULL_TABLE is forced), automatic fields (keys and the cursor)
 * and unsupported ones (types the map calls "unsupported"). */
#include <stdio.h>
#include <string.h>

#include <json-c/linkhash.h>

#include "connectors/engine_int.h"
#include "core/jsonx.h"

#define DISCOVER_BODY_MAX (64u << 20)

static void note(const struct engine_io *io, const char *level, const char *msg)
{
    if (io->note)
        io->note(io->ctx, level, msg);
}

/* Send spec's request (templates over env and the stream name) and parse
 * the answer into *doc (OUT). */
static int fetch_json(struct json_object **doc, const struct engine_env *env,
                      const struct engine_io *io, const struct json_object *request,
                      const char *stream, struct err *err)
{
    struct eng_vars v = {.env = env, .stream = stream};
    struct fetch_resp resp = {0};
    struct buf path, body;
    const char *method;
    buf_init(&path, 0);
    buf_init(&body, 0);
    int rc = eng_build(&method, &path, &body, request, &v, NULL, 0, err);
    if (rc == 0)
        rc = eng_send(&resp, io, method, &path, &body, err);
    if (rc == 0)
        rc = jsonx_parse(doc, resp.body.p ? resp.body.p : "", resp.body.n, DISCOVER_BODY_MAX, err);
    fetch_resp_dispose(&resp);
    buf_dispose(&path);
    buf_dispose(&body);
    return rc;
}

static bool in_list(const struct json_object *list, const char *s)
{
    for (size_t i = 0; i < jsonx_len(list); i++)
        if (jsonx_str(jsonx_at(list, i)) && strcmp(jsonx_str(jsonx_at(list, i)), s) == 0)
            return true;
    return false;
}

/* The describe request's fields added to props; unsupported ones listed. */
static int describe(struct json_object *props, struct json_object *unsupported,
                    const struct engine_env *env, const struct engine_io *io,
                    const struct json_object *d, const char *stream, struct err *err)
{
    struct json_object *doc = NULL;
    int rc = fetch_json(&doc, env, io, jsonx_get(d, "request"), stream, err);
    if (rc < 0)
        return rc;
    const char *at = jsonx_str(jsonx_get(d, "fields"));
    const char *name_of = jsonx_str(jsonx_get(d, "name")),
               *type_of = jsonx_str(jsonx_get(d, "type"));
    struct json_object *fields = eng_at(doc, at), *types = jsonx_get(d, "types");
    if (!json_object_is_type(fields, json_type_array))
        rc = err_set(err, ERR_INVALID, "describe of %s: the answer has no array at \"%s\"", stream,
                     at);
    for (size_t i = 0; rc == 0 && i < jsonx_len(fields); i++) {
        struct json_object *f = jsonx_at(fields, i);
        const char *name = jsonx_str(eng_at(f, name_of)), *type = jsonx_str(eng_at(f, type_of));
        if (!name || !*name || jsonx_has(props, name))
            continue;
        struct json_object *map = type ? jsonx_get(types, type) : NULL;
        if (!map)
            map = jsonx_get(types, "*");
        if (json_object_is_type(map, json_type_string)) { /* "unsupported" */
            json_object_array_add(unsupported, json_object_new_string(name));
            json_object_object_add(props, name, json_object_new_object());
        } else {
            struct json_object *copy = NULL;
            if (json_object_deep_copy(map ? map : NULL, &copy, NULL) != 0 || !copy)
                copy = json_object_new_object();
            json_object_object_add(props, name, copy);
        }
    }
    json_object_put(doc);
    return rc;
}

static struct json_object *crumb_meta(struct json_object *md, const char *field)
{
    struct json_object *e = json_object_new_object(), *bc = json_object_new_array();
    struct json_object *m = json_object_new_object();
    if (field) {
        json_object_array_add(bc, json_object_new_string("properties"));
        json_object_array_add(bc, json_object_new_string(field));
    }
    json_object_object_add(e, "breadcrumb", bc);
    json_object_object_add(e, "metadata", m);
    json_object_array_add(md, e);
    return m;
}

/* One catalog stream for name, described by spec. */
static int stream_entry(struct json_object *streams, const struct engine_env *env,
                        const struct engine_io *io, struct json_object *spec, const char *name,
                        bool selected_default, struct err *err)
{
    struct json_object *props = NULL, *unsupported = json_object_new_array();
    struct json_object *fixed = jsonx_get(jsonx_get(spec, "schema"), "properties");
    int rc = 0;

    if (fixed && json_object_deep_copy(fixed, &props, NULL) != 0)
        props = NULL;
    if (!props)
        props = json_object_new_object();
    if (jsonx_has(spec, "describe"))
        rc = describe(props, unsupported, env, io, jsonx_get(spec, "describe"), name, err);
    if (rc < 0) {
        json_object_put(props);
        json_object_put(unsupported);
        return rc;
    }
    struct json_object *schema = json_object_new_object();
    json_object_object_add(schema, "type", json_object_new_string("object"));
    json_object_object_add(schema, "properties", props);
    struct json_object *keys = jsonx_get(spec, "primary_key");
    const char *cursor = eng_cursor_field(spec, schema);
    /* The field that says a record is deleted must come with every record. */
    const char *deleted = jsonx_str(jsonx_get(jsonx_get(spec, "deleted"), "field"));

    struct json_object *s = json_object_new_object(), *md = json_object_new_array();
    json_object_object_add(s, "tap_stream_id", json_object_new_string(name));
    json_object_object_add(s, "stream", json_object_new_string(name));
    json_object_object_add(s, "schema", schema);
    json_object_object_add(s, "key_properties",
                           keys ? json_object_get(keys) : json_object_new_array());
    struct json_object *sm = crumb_meta(md, NULL);
    json_object_object_add(sm, "inclusion", json_object_new_string("available"));
    json_object_object_add(sm, "selected-by-default", json_object_new_boolean(selected_default));
    json_object_object_add(sm, "table-key-properties",
                           keys ? json_object_get(keys) : json_object_new_array());
    if (cursor) {
        struct json_object *valid = json_object_new_array();
        json_object_array_add(valid, json_object_new_string(cursor));
        json_object_object_add(sm, "valid-replication-keys", valid);
    } else {
        json_object_object_add(sm, "forced-replication-method",
                               json_object_new_string("FULL_TABLE"));
    }
    json_object_object_foreach(props, field, prop)
    {
        (void)prop;
        struct json_object *fm = crumb_meta(md, field);
        const char *inc = (in_list(keys, field) || (cursor && strcmp(cursor, field) == 0) ||
                           (deleted && strcmp(deleted, field) == 0))
                              ? "automatic"
                          : in_list(unsupported, field) ? "unsupported"
                                                        : "available";
        json_object_object_add(fm, "inclusion", json_object_new_string(inc));
        json_object_object_add(fm, "selected-by-default", json_object_new_boolean(true));
    }
    json_object_object_add(s, "metadata", md);
    json_object_array_add(streams, s);
    json_object_put(unsupported);
    return 0;
}

/* Whether name passes the discover section's "exclude": names, or "*X"
 * for every name that ends in X. */
static bool excluded(const struct json_object *exclude, const char *name)
{
    for (size_t i = 0; i < jsonx_len(exclude); i++) {
        const char *x = jsonx_str(jsonx_at(exclude, i));
        size_t n = strlen(name), xn = x ? strlen(x) : 0;
        if (!x)
            continue;
        if (x[0] == '*' && n >= xn - 1 && strcmp(name + n - (xn - 1), x + 1) == 0)
            return true;
        if (strcmp(x, name) == 0)
            return true;
    }
    return false;
}

/* Whether item has every member of where with the same value. */
static bool matches(struct json_object *item, struct json_object *where)
{
    if (!json_object_is_type(where, json_type_object))
        return true;
    json_object_object_foreach(where, k, want)
    {
        if (!json_object_equal(jsonx_get(item, k), want))
            return false;
    }
    return true;
}

/* Whether streams has one called name already (a static stream wins). */
static bool listed(const struct json_object *streams, const char *name)
{
    for (size_t i = 0; i < jsonx_len(streams); i++)
        if (strcmp(jsonx_str(jsonx_get(jsonx_at(streams, i), "tap_stream_id")), name) == 0)
            return true;
    return false;
}

static int discover_listed(struct json_object *streams, const struct engine_env *env,
                           const struct engine_io *io, struct json_object *d, struct err *err)
{
    struct json_object *doc = NULL;
    char msg[400];
    int rc = fetch_json(&doc, env, io, jsonx_get(d, "request"), NULL, err);
    if (rc < 0)
        return rc;
    const char *at = jsonx_str(jsonx_get(d, "streams"));
    const char *name_at = jsonx_str(jsonx_get(d, "name"));
    struct json_object *list = eng_at(doc, at), *tmpl = jsonx_get(d, "stream");
    if (!json_object_is_type(list, json_type_array))
        rc = err_set(err, ERR_INVALID, "discovery: the answer has no array at \"%s\"", at);
    for (size_t i = 0; rc == 0 && i < jsonx_len(list); i++) {
        struct json_object *item = jsonx_at(list, i);
        const char *name = jsonx_str(eng_at(item, name_at));
        if (!name || !*name || !matches(item, jsonx_get(d, "where")) ||
            excluded(jsonx_get(d, "exclude"), name) || listed(streams, name))
            continue;
        struct err e;
        bool dflt = in_list(jsonx_get(d, "selected_by_default"), name);
        if (stream_entry(streams, env, io, tmpl, name, dflt, &e) < 0) {
            /* One object the provider will not describe does not stop the rest. */
            snprintf(msg, sizeof(msg), "discovery: %s left out: %s", name, e.msg);
            note(io, "warn", msg);
        }
    }
    json_object_put(doc);
    return rc;
}

int engine_discover(struct json_object **out, const struct engine_env *env,
                    const struct engine_io *io, struct err *err)
{
    struct json_object *cat = json_object_new_object(), *streams = json_object_new_array();
    struct json_object *fixed = jsonx_get(env->c->doc, "streams");
    int rc = 0;

    json_object_object_add(cat, "streams", streams);
    for (size_t i = 0; rc == 0 && i < jsonx_len(fixed); i++) {
        struct json_object *spec = jsonx_at(fixed, i);
        struct json_object *dflt = jsonx_get(spec, "selected_by_default");
        rc = stream_entry(streams, env, io, spec, jsonx_str(jsonx_get(spec, "name")),
                          !dflt || json_object_get_boolean(dflt), err);
    }
    if (rc == 0 && jsonx_has(env->c->doc, "discover"))
        rc = discover_listed(streams, env, io, jsonx_get(env->c->doc, "discover"), err);
    if (rc < 0) {
        json_object_put(cat);
        return rc;
    }
    *out = cat;
    return 0;
}
