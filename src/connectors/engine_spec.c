/* connectors/engine_spec.c - the checks of a connector's "streams" and
 * "discover" sections that its JSON Schema cannot express: every template
 * names a variable the engine has ({config.X} a declared config property,
 * {connection.X} a member kept from the token response), a declarative
 * connector with streams has a base URL, "errors" only where streams are,
 * and a stream's primary key and cursor are fields it can have; and the
 * default "mappings" (map/mapping.h), each against its stream's schema
 * when the file gives the whole of it. */
#include <stdio.h>
#include <string.h>

#include <json-c/linkhash.h>

#include "connectors/action.h"
#include "connectors/engine_int.h"
#include "connectors/template.h"
#include "core/jsonx.h"
#include "map/mapping.h"
#include "webhook/route.h"
#include "webhook/verify.h"

static bool in_array(const struct json_object *arr, const char *s, size_t n)
{
    for (size_t i = 0; i < jsonx_len(arr); i++) {
        const char *v = jsonx_str(jsonx_at(arr, i));
        if (v && strlen(v) == n && memcmp(v, s, n) == 0)
            return true;
    }
    return false;
}

/* Whether a template may name name[0..n) in connector file doc (ctx). */
static bool known(void *ctx, const char *name, size_t n)
{
    struct json_object *checked_doc = ctx;
    char key[128];
    if (!eng_var_known(name, n))
        return false;
    if (n > 7 && memcmp(name, "config.", 7) == 0) {
        snprintf(key, sizeof(key), "%.*s", (int)(n - 7), name + 7);
        return jsonx_has(jsonx_get(jsonx_get(checked_doc, "config"), "properties"), key);
    }
    if (n > 11 && memcmp(name, "connection.", 11) == 0) {
        struct json_object *kept =
            jsonx_get(jsonx_get(jsonx_get(checked_doc, "auth"), "token_response"), "metadata");
        return in_array(kept, name + 11, n - 11);
    }
    return true;
}

static int check_string(struct jsonx_ptr *at, struct json_object *doc, struct json_object *v,
                        struct err *err)
{
    struct err e;
    /* Known: stream, fields, bookmark, cursor_field, config.NAME of a config
     * property, connection.NAME kept from the token response. */
    if (template_check(jsonx_str(v), known, doc, &e) < 0)
        return err_set(err, ERR_INVALID, "%s", e.msg);
    (void)at;
    return 0;
}

/* Every string under v (a body template, a query map). */
static int check_tree(struct jsonx_ptr *at, struct json_object *doc, struct json_object *v,
                      struct err *err)
{
    int rc = 0;
    if (json_object_is_type(v, json_type_string))
        return check_string(at, doc, v, err);
    if (json_object_is_type(v, json_type_array)) {
        for (size_t i = 0; rc == 0 && i < jsonx_len(v); i++) {
            size_t mark = jsonx_ptr_push_index(at, i);
            rc = check_tree(at, doc, jsonx_at(v, i), err);
            if (rc == 0)
                jsonx_ptr_pop(at, mark);
        }
    } else if (json_object_is_type(v, json_type_object)) {
        json_object_object_foreach(v, k, m)
        {
            if (rc < 0)
                break;
            size_t mark = jsonx_ptr_push(at, k);
            rc = check_tree(at, doc, m, err);
            if (rc == 0)
                jsonx_ptr_pop(at, mark);
        }
    }
    return rc;
}

/* The templates of a "request" object at member key of parent. */
static int check_request(struct jsonx_ptr *at, struct json_object *doc, struct json_object *parent,
                         const char *key, struct err *err)
{
    struct json_object *req = jsonx_get(parent, key);
    if (!req)
        return 0;
    size_t mark = jsonx_ptr_push(at, key);
    int rc = check_tree(at, doc, req, err);
    if (rc == 0)
        jsonx_ptr_pop(at, mark);
    return rc;
}

static int check_stream(struct jsonx_ptr *at, struct json_object *doc, struct json_object *s,
                        struct err *err)
{
    struct json_object *inc = jsonx_get(s, "incremental");
    struct json_object *fixed = jsonx_get(jsonx_get(s, "schema"), "properties");
    struct json_object *keys = jsonx_get(s, "primary_key");
    int rc = check_request(at, doc, s, "request", err);
    if (rc == 0 && jsonx_has(s, "describe")) {
        size_t mark = jsonx_ptr_push(at, "describe");
        rc = check_request(at, doc, jsonx_get(s, "describe"), "request", err);
        if (rc == 0)
            jsonx_ptr_pop(at, mark);
    }
    if (rc == 0 && inc) {
        size_t mark = jsonx_ptr_push(at, "incremental");
        rc = check_request(at, doc, inc, "request", err);
        if (rc == 0 && jsonx_has(inc, "start")) {
            size_t m2 = jsonx_ptr_push(at, "start");
            rc = check_tree(at, doc, jsonx_get(inc, "start"), err);
            if (rc == 0)
                jsonx_ptr_pop(at, m2);
        }
        if (rc == 0)
            jsonx_ptr_pop(at, mark);
    }
    /* A stream that cannot learn its fields must name them. */
    for (size_t i = 0; rc == 0 && i < jsonx_len(keys) && !jsonx_has(s, "describe"); i++) {
        const char *k = jsonx_str(jsonx_at(keys, i));
        if (!jsonx_has(fixed, k)) {
            jsonx_ptr_push(at, "primary_key");
            jsonx_ptr_push_index(at, i);
            rc = err_set(err, ERR_INVALID, "\"%s\" is not a property of the stream's schema", k);
        }
    }
    return rc;
}

/* The "mappings" section: each entry parses, names a stream the file has
 * (any name when streams are discovered), is the only one for its stream
 * and model, and, for a stream whose fields are all in its "schema" (no
 * "describe"), names fields of that schema. map/ puts the pointer in front
 * of its messages; `at` gets it back for the registry's report. */
static int check_mappings(struct jsonx_ptr *at, struct json_object *doc, struct err *err)
{
    struct json_object *maps = jsonx_get(doc, "mappings"), *streams = jsonx_get(doc, "streams");
    struct err e = {0};
    int rc = 0;

    for (size_t i = 0; rc == 0 && i < jsonx_len(maps); i++) {
        struct json_object *spec = jsonx_at(maps, i), *schema = NULL;
        struct map *m = NULL;
        bool known = jsonx_has(doc, "discover");
        jsonx_ptr_init(at);
        jsonx_ptr_push(at, "mappings");
        jsonx_ptr_push_index(at, i);
        rc = map_parse(&m, spec, at, &e);
        for (size_t j = 0; rc == 0 && j < jsonx_len(streams); j++) {
            struct json_object *s = jsonx_at(streams, j);
            const char *name = jsonx_str(jsonx_get(s, "name"));
            if (name && strcmp(name, map_stream(m)) == 0) {
                known = true;
                schema = jsonx_has(s, "describe") ? NULL : jsonx_get(s, "schema");
            }
        }
        for (size_t j = 0; rc == 0 && j < i; j++) {
            struct json_object *o = jsonx_at(maps, j);
            const char *stream = jsonx_str(jsonx_get(o, "stream"));
            const char *model = jsonx_str(jsonx_get(o, "model"));
            if (stream && model && strcmp(stream, map_stream(m)) == 0 &&
                strcmp(model, map_model(m)->name) == 0)
                rc = err_set(&e, ERR_INVALID, "%s: a second mapping of stream %s into %s",
                             jsonx_ptr_cstr(at), stream, model);
        }
        if (rc == 0 && !known)
            rc = err_set(&e, ERR_INVALID, "%s/stream: no stream \"%s\" in this file",
                         jsonx_ptr_cstr(at), map_stream(m));
        if (rc == 0 && schema)
            rc = map_check(m, schema, &e);
        map_free(m);
    }
    if (rc < 0) {
        /* "POINTER: problem" back into at and err. */
        const char *sep = strstr(e.msg, ": ");
        size_t n = sep ? (size_t)(sep - e.msg) : 0;
        jsonx_ptr_init(at);
        if (n > JSONX_PTR_MAX)
            n = JSONX_PTR_MAX;
        memcpy(at->s, e.msg, n);
        at->s[n] = '\0';
        at->n = at->kept = n;
        return err_set(err, ERR_INVALID, "%s", sep ? sep + 2 : e.msg);
    }
    return 0;
}

/* The "webhooks" section beyond its schema: the scheme is one inlet
 * verifies, every stream it names is one of the file's (any name when
 * streams are discovered), and no more than a delivery may make due. */
static int check_webhooks(struct jsonx_ptr *at, struct json_object *doc, struct err *err)
{
    struct json_object *w = jsonx_get(doc, "webhooks"), *streams = jsonx_get(doc, "streams");
    enum webhook_scheme scheme;
    size_t named = 0;
    if (!w)
        return 0;
    jsonx_ptr_init(at);
    jsonx_ptr_push(at, "webhooks");
    size_t mark = jsonx_ptr_push(at, "scheme");
    int rc = webhook_scheme_parse(&scheme, jsonx_str(jsonx_get(w, "scheme")), err);
    jsonx_ptr_pop(at, mark);
    json_object_object_foreach(jsonx_members(jsonx_get(w, "streams")), prefix, names)
    {
        for (size_t i = 0; rc == 0 && i < jsonx_len(names); i++) {
            const char *name = jsonx_str(jsonx_at(names, i));
            bool known = jsonx_has(doc, "discover");
            for (size_t j = 0; !known && j < jsonx_len(streams); j++)
                known =
                    name && strcmp(name, jsonx_str(jsonx_get(jsonx_at(streams, j), "name"))) == 0;
            if (!known) {
                jsonx_ptr_push(at, "streams");
                jsonx_ptr_push(at, prefix);
                jsonx_ptr_push_index(at, i);
                return err_set(err, ERR_INVALID, "no stream \"%s\" in this file", name ? name : "");
            }
            named++;
        }
    }
    if (rc == 0 && named > WEBHOOK_ROUTE_STREAMS_MAX) {
        jsonx_ptr_push(at, "streams");
        rc = err_set(err, ERR_INVALID, "names %zu streams, over the %d a delivery may make due",
                     named, WEBHOOK_ROUTE_STREAMS_MAX);
    }
    return rc;
}

int engine_spec_check(struct jsonx_ptr *at, struct json_object *doc, struct err *err)
{
    struct json_object *streams = jsonx_get(doc, "streams"), *d = jsonx_get(doc, "discover");
    const char *kind = jsonx_str(jsonx_get(doc, "kind"));
    int rc = 0;

    jsonx_ptr_init(at);
    if ((jsonx_len(streams) || d) && kind && strcmp(kind, "singer") == 0) {
        jsonx_ptr_push(at, d ? "discover" : "streams");
        rc = err_set(err, ERR_INVALID, "a Singer connector's streams come from its tap");
    } else if ((jsonx_len(streams) || d) && !jsonx_has(doc, "base_url")) {
        jsonx_ptr_push(at, d ? "discover" : "streams");
        rc = err_set(err, ERR_INVALID, "needs base_url: request paths are appended to it");
    }
    for (size_t i = 0; rc == 0 && i < jsonx_len(streams); i++) {
        jsonx_ptr_init(at);
        jsonx_ptr_push(at, "streams");
        jsonx_ptr_push_index(at, i);
        rc = check_stream(at, doc, jsonx_at(streams, i), err);
    }
    if (rc == 0 && d) {
        jsonx_ptr_init(at);
        jsonx_ptr_push(at, "discover");
        rc = check_request(at, doc, d, "request", err);
        if (rc == 0) {
            jsonx_ptr_push(at, "stream");
            rc = check_stream(at, doc, jsonx_get(d, "stream"), err);
        }
    }
    if (rc == 0 && jsonx_has(doc, "errors") && !jsonx_len(streams) && !d) {
        jsonx_ptr_init(at);
        jsonx_ptr_push(at, "errors");
        rc = err_set(err, ERR_INVALID, "only streams use errors rules");
    }
    if (rc == 0)
        rc = check_mappings(at, doc, err);
    if (rc == 0)
        rc = check_webhooks(at, doc, err);
    if (rc == 0)
        rc = action_check(at, doc, err);
    if (rc == 0)
        jsonx_ptr_init(at);
    return rc;
}
