/* connectors/engine_req.c - requests of the declarative engine: templates
 * filled in, query strings encoded, JSON bodies built, answers checked.
 * See engine_int.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/linkhash.h>

#include "connectors/engine_int.h"
#include "connectors/template.h"
#include "core/jsonx.h"

bool eng_var_known(const char *name, size_t n)
{
    static const char *const plain[] = {"stream", "fields", "bookmark", "cursor_field"};
    for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
        if (strlen(plain[i]) == n && memcmp(plain[i], name, n) == 0)
            return true;
    return (n > 7 && memcmp(name, "config.", 7) == 0) ||
           (n > 11 && memcmp(name, "connection.", 11) == 0);
}

/* A scalar of obj as text into out; objects and arrays are not values. */
static void put_scalar(struct buf *out, struct json_object *v)
{
    if (!v || json_object_is_type(v, json_type_object) || json_object_is_type(v, json_type_array))
        return;
    buf_puts(out, json_object_get_string(v));
}

static int lookup(void *ctx, const char *name, size_t n, struct buf *out)
{
    const struct eng_vars *v = ctx;
    char key[128];
    if (n == 6 && memcmp(name, "stream", 6) == 0) {
        buf_puts(out, v->stream ? v->stream : "");
    } else if (n == 6 && memcmp(name, "fields", 6) == 0) {
        buf_puts(out, v->fields ? v->fields : "");
    } else if (n == 8 && memcmp(name, "bookmark", 8) == 0) {
        buf_puts(out, v->bookmark ? v->bookmark : "");
    } else if (n == 12 && memcmp(name, "cursor_field", 12) == 0) {
        buf_puts(out, v->cursor_field ? v->cursor_field : "");
    } else if (n > 7 && n < sizeof(key) && memcmp(name, "config.", 7) == 0) {
        snprintf(key, sizeof(key), "%.*s", (int)(n - 7), name + 7);
        struct json_object *val = jsonx_get(v->env->config, key);
        if (!val) { /* the schema's default, as connector_url does */
            struct json_object *props =
                jsonx_get(jsonx_get(v->env->c->doc, "config"), "properties");
            val = jsonx_get(jsonx_get(props, key), "default");
        }
        put_scalar(out, val);
    } else if (n > 11 && n < sizeof(key) && memcmp(name, "connection.", 11) == 0) {
        snprintf(key, sizeof(key), "%.*s", (int)(n - 11), name + 11);
        put_scalar(out, jsonx_get(v->env->connection, key));
    } else {
        return ERR_NOTFOUND;
    }
    return 0;
}

int eng_expand(struct buf *out, const char *tmpl, const struct eng_vars *v, struct err *err)
{
    return template_expand(out, tmpl ? tmpl : "", lookup, (void *)v, err);
}

/* A body template: strings expanded, "{fields}" alone as the JSON array of
 * fields; everything else copied. Returns a new value (json_object_put). */
static int body_fill(struct json_object **out, struct json_object *t, const struct eng_vars *v,
                     struct err *err)
{
    int rc = 0;
    *out = NULL;
    if (json_object_is_type(t, json_type_string)) {
        const char *s = json_object_get_string(t);
        if (strcmp(s, "{fields}") == 0) {
            *out = json_object_get(v->list);
            if (!*out)
                *out = json_object_new_array();
            return 0;
        }
        struct buf b;
        buf_init(&b, 0);
        rc = template_expand(&b, s, lookup, (void *)v, err);
        if (rc == 0)
            *out = json_object_new_string_len(b.p ? b.p : "", (int)b.n);
        buf_dispose(&b);
        return rc;
    }
    if (json_object_is_type(t, json_type_array)) {
        *out = json_object_new_array();
        for (size_t i = 0; rc == 0 && i < jsonx_len(t); i++) {
            struct json_object *e;
            if ((rc = body_fill(&e, jsonx_at(t, i), v, err)) == 0)
                json_object_array_add(*out, e);
        }
    } else if (json_object_is_type(t, json_type_object)) {
        *out = json_object_new_object();
        json_object_object_foreach(t, k, m)
        {
            struct json_object *e;
            if (rc == 0 && (rc = body_fill(&e, m, v, err)) == 0)
                json_object_object_add(*out, k, e);
        }
    } else {
        *out = json_object_get(t);
    }
    if (rc < 0) {
        json_object_put(*out);
        *out = NULL;
    }
    return rc;
}

static void query_put(struct buf *path, bool *first, const char *name, const char *value, size_t n)
{
    buf_putc(path, *first ? '?' : '&');
    *first = false;
    buf_put_urlenc(path, name, strlen(name));
    buf_putc(path, '=');
    buf_put_urlenc(path, value, n);
}

int eng_build(const char **method, struct buf *path, struct buf *body,
              const struct json_object *request, const struct eng_vars *v,
              const struct eng_param *extra, size_t nextra, struct err *err)
{
    const char *m = jsonx_str(jsonx_get(request, "method"));
    struct json_object *query = jsonx_get(request, "query"), *tb = jsonx_get(request, "body");
    struct buf val;
    int rc = template_expand(path, jsonx_str(jsonx_get(request, "path")), lookup, (void *)v, err);
    bool first = !strchr(buf_cstr(path), '?');

    *method = m ? m : (tb ? "POST" : "GET");
    buf_init(&val, 0);
    if (rc == 0 && json_object_is_type(query, json_type_object)) {
        json_object_object_foreach(query, name, t)
        {
            buf_reset(&val);
            if (rc == 0 &&
                (rc = template_expand(&val, jsonx_str(t), lookup, (void *)v, err)) == 0 && val.n)
                query_put(path, &first, name, val.p, val.n);
        }
    }
    for (size_t i = 0; rc == 0 && i < nextra; i++)
        if (extra[i].name && !extra[i].in_body)
            query_put(path, &first, extra[i].name, extra[i].value, strlen(extra[i].value));
    buf_dispose(&val);
    if (rc == 0 && tb) {
        struct json_object *filled = NULL;
        rc = body_fill(&filled, tb, v, err);
        for (size_t i = 0; rc == 0 && i < nextra; i++)
            if (extra[i].name && extra[i].in_body)
                json_object_object_add(
                    filled, extra[i].name,
                    extra[i].numeric ? json_object_new_int64(strtoll(extra[i].value, NULL, 10))
                                     : json_object_new_string(extra[i].value));
        if (rc == 0)
            jsonx_format(body, filled);
        json_object_put(filled);
    }
    return rc;
}

/* The path alone, for messages: a query can hold anything. */
static void path_only(char *out, size_t n, const struct buf *path)
{
    const char *p = buf_cstr(path);
    snprintf(out, n, "%.*s", (int)strcspn(p, "?"), p);
}

int eng_send(struct fetch_resp *out, const struct engine_io *io, const char *method,
             const struct buf *path, const struct buf *body, struct err *err)
{
    struct engine_req req = {.method = method,
                             .path = buf_cstr(path),
                             .body = body && body->n ? body->p : NULL,
                             .body_len = body ? body->n : 0};
    char where[200], why[300];
    int rc = io->call(io->ctx, &req, out, err);
    if (rc < 0)
        return rc;
    if (out->status >= 200 && out->status < 300)
        return 0;
    path_only(where, sizeof(where), path);
    connector_error_summary(why, sizeof(why), out);
    return err_set(err, ERR_INVALID, "%s %s: %s", method, where, why);
}

struct json_object *eng_at(struct json_object *obj, const char *path)
{
    char key[128];
    while (obj && path && *path) {
        size_t n = strcspn(path, ".");
        if (n >= sizeof(key))
            return NULL;
        memcpy(key, path, n);
        key[n] = '\0';
        obj = json_object_is_type(obj, json_type_object) ? jsonx_get(obj, key) : NULL;
        path += n + (path[n] == '.');
    }
    return obj;
}

struct json_object *eng_stream_spec(const struct connector *c, const char *name)
{
    struct json_object *streams = jsonx_get(c->doc, "streams");
    for (size_t i = 0; i < jsonx_len(streams); i++) {
        const char *s = jsonx_str(jsonx_get(jsonx_at(streams, i), "name"));
        if (s && strcmp(s, name) == 0)
            return jsonx_at(streams, i);
    }
    return jsonx_get(jsonx_get(c->doc, "discover"), "stream");
}

const char *eng_cursor_field(const struct json_object *spec, const struct json_object *schema)
{
    struct json_object *cf = jsonx_get(jsonx_get(spec, "incremental"), "cursor_field");
    struct json_object *props = jsonx_get(schema, "properties");
    if (json_object_is_type(cf, json_type_string))
        return jsonx_has(props, jsonx_str(cf)) ? jsonx_str(cf) : NULL;
    for (size_t i = 0; i < jsonx_len(cf); i++)
        if (jsonx_has(props, jsonx_str(jsonx_at(cf, i))))
            return jsonx_str(jsonx_at(cf, i));
    return NULL;
}

static void blank_controls(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < ' ' || *s == 0x7f)
            *s = ' ';
}

void connector_error_summary(char *out, size_t n, const struct fetch_resp *r)
{
    struct json_object *o = NULL;
    struct err e;
    const char *msg = NULL, *code = NULL;

    if (jsonx_parse(&o, r->body.p ? r->body.p : "", r->body.n, r->body.n + 1, &e) == 0) {
        struct json_object *first = json_object_is_type(o, json_type_array) ? jsonx_at(o, 0) : o;
        msg = jsonx_str(jsonx_get(first, "message"));
        code = jsonx_str(jsonx_get(first, "errorCode"));
        if (!code)
            code = jsonx_str(jsonx_get(first, "category")); /* HubSpot */
        if (!msg)
            msg = jsonx_str(jsonx_get(first, "error_description"));
        if (!msg)
            msg = jsonx_str(jsonx_get(first, "error"));
    }
    if (msg)
        snprintf(out, n, "%ld %s%s%.200s", r->status, code ? code : "", code ? ": " : "", msg);
    else
        snprintf(out, n, "the provider answered %ld", r->status);
    blank_controls(out);
    json_object_put(o);
}
