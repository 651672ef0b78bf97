/* map/mapping.c - mappings from a stream to a model (mapping.h): the two
 * parsers (a connector file's JSON, field_mappings rows over it), the check
 * against a stream's schema, and map_apply, which reads each field's
 * source, runs its transforms, coerces the result to the field's type and
 * gathers what is left of the record into properties. */
#include "map/mapping.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/linkhash.h>

#include "core/alloc.h"
#include "core/str.h"
#include "map/convert.h"
#include "map/transform.h"

enum src_kind { SRC_NONE, SRC_FROM, SRC_FIRST_OF, SRC_CONST };

/* A source path, split once: "Account.Name" -> Account, Name. */
struct path {
    char *text;  /* xmalloc: the path as written */
    char **segs; /* xmalloc, n of them; NULL when there is one segment */
    size_t n;
};

struct field {
    char *target;       /* xmalloc: "email" or "properties.KEY" */
    int index;          /* in model->fields; -1 for properties.KEY */
    enum src_kind kind; /* SRC_NONE: a constant made by the transforms only */
    struct path *paths; /* xmalloc: FROM one, FIRST_OF n_paths */
    size_t n_paths;
    bool optional;            /* the stream may lack the source (map_check) */
    struct json_object *cval; /* SRC_CONST: a deep copy */
    struct transform *tr;     /* NULL: none */
    char *where;              /* xmalloc: the source's JSON Pointer, for map_check */
};

enum props_mode { PROPS_REST, PROPS_NONE, PROPS_LIST };

struct map {
    char *stream; /* xmalloc */
    const struct model *model;
    struct field *v; /* xmalloc; n used */
    size_t n, cap;
    enum props_mode props;
    struct path *plist; /* PROPS_LIST: the names, xmalloc */
    size_t n_plist;
    char *where; /* xmalloc: the spec's pointer ("" when built from rows) */
};

/* ---- messages ---- */

static int bad(struct err *err, const struct jsonx_ptr *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int bad(struct err *err, const struct jsonx_ptr *at, const char *fmt, ...)
{
    char m[ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m, sizeof(m), fmt, ap);
    va_end(ap);
    if (!*jsonx_ptr_cstr(at)) /* the whole document: no pointer to show */
        err_set(err, ERR_INVALID, "%s", m);
    else
        err_set(err, ERR_INVALID, "%s: %s", jsonx_ptr_cstr(at), m);
    return ERR_INVALID;
}

/* The same at a pointer kept as text: where + suffix. */
static int bad_at(struct err *err, const char *where, const char *suffix, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int bad_at(struct err *err, const char *where, const char *suffix, const char *fmt, ...)
{
    char m[ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m, sizeof(m), fmt, ap);
    va_end(ap);
    err_set(err, ERR_INVALID, "%s%s: %s", where, suffix, m);
    return ERR_INVALID;
}

/* ---- paths ---- */

static void path_dispose(struct path *p)
{
    for (size_t i = 0; p->segs && i < p->n; i++)
        xfree(p->segs[i]);
    xfree(p->segs);
    xfree(p->text);
    memset(p, 0, sizeof(*p));
}

static int path_parse(struct path *out, const char *s, struct jsonx_ptr *at, struct err *err)
{
    size_t n = s ? strlen(s) : 0;
    memset(out, 0, sizeof(*out));
    if (n == 0 || n > MAP_NAME_MAX)
        return bad(err, at, "expected a field name of 1 to %d bytes", MAP_NAME_MAX);
    if (s[0] == '.' || s[n - 1] == '.' || strstr(s, ".."))
        return bad(err, at, "\"%s\" is not a field path (names joined by single dots)", s);
    out->text = xstrdup(s);
    out->n = 1;
    for (const char *c = s; *c; c++)
        out->n += *c == '.';
    if (out->n > 1) {
        const char *p = s;
        out->segs = xcalloc(out->n, sizeof(*out->segs));
        for (size_t i = 0; i < out->n; i++) {
            const char *dot = strchr(p, '.');
            size_t len = dot ? (size_t)(dot - p) : strlen(p);
            out->segs[i] = xstrndup(p, len);
            p += len + 1;
        }
    }
    return 0;
}

static bool all_digits(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

/* The member of rec at p (borrowed; NULL for missing or null): the whole
 * text as one key first (a provider may put dots in a name), then the
 * dotted path through objects and, by index, arrays. */
static struct json_object *path_get(const struct json_object *rec, const struct path *p)
{
    struct json_object *v = NULL;
    if (json_object_object_get_ex(rec, p->text, &v) || p->n == 1)
        return v;
    v = (struct json_object *)rec;
    for (size_t i = 0; v && i < p->n; i++) {
        if (json_object_is_type(v, json_type_array) && all_digits(p->segs[i]))
            v = jsonx_at(v, (size_t)strtoull(p->segs[i], NULL, 10));
        else
            v = jsonx_get(v, p->segs[i]);
    }
    return v;
}

/* ---- fields ---- */

static void field_dispose(struct field *f)
{
    for (size_t i = 0; i < f->n_paths; i++)
        path_dispose(&f->paths[i]);
    xfree(f->paths);
    xfree(f->target);
    xfree(f->where);
    json_object_put(f->cval);
    transform_free(f->tr);
    memset(f, 0, sizeof(*f));
}

static const char *const source_members = "from, first_of, const, transforms, optional";

/* Where target goes in m->model: its index, -1 for properties.KEY; an
 * unknown target is an error at `at`. */
static int target_of(int *index, const struct model *model, const char *target,
                     struct jsonx_ptr *at, struct err *err)
{
    if (strncmp(target, "properties.", 11) == 0) {
        size_t n = strlen(target + 11);
        if (n == 0 || n > MAP_NAME_MAX)
            return bad(err, at, "expected properties.KEY with a key of 1 to %d bytes",
                       MAP_NAME_MAX);
        *index = -1;
        return 0;
    }
    *index = model_field_index(model, target);
    if (*index >= 0)
        return 0;
    const char *names[MODEL_FIELDS_MAX];
    for (size_t i = 0; i < model->n_fields; i++)
        names[i] = model->fields[i].name;
    const char *near = model_suggest(target, names, model->n_fields);
    char q[CONVERT_QUOTE_MAX];
    convert_quote(q, target, strlen(target));
    if (near)
        return bad(err, at, "no field %s in %s; did you mean %s?", q, model->name, near);
    return bad(err, at, "no field %s in %s (a core field, or properties.KEY)", q, model->name);
}

/* The source spec v (a name, or an object) into f; `at` points at v. */
static int source_parse(struct field *f, const struct model *model, struct json_object *v,
                        struct jsonx_ptr *at, struct err *err)
{
    enum model_type type = f->index >= 0 ? model->fields[f->index].type : MODEL_JSON;
    int rc = 0;

    if (json_object_is_type(v, json_type_string)) {
        f->kind = SRC_FROM;
        f->paths = xcalloc(1, sizeof(*f->paths));
        f->n_paths = 1;
        f->where = xstrdup(jsonx_ptr_cstr(at));
        return path_parse(&f->paths[0], jsonx_str(v), at, err);
    }
    if (!json_object_is_type(v, json_type_object))
        return bad(err, at,
                   "expected a field name or an object with one of from, first_of, "
                   "const; got %s",
                   jsonx_type_name(v));
    json_object_object_foreach(v, k0, v0)
    {
        (void)v0;
        if (strcmp(k0, "from") != 0 && strcmp(k0, "first_of") != 0 && strcmp(k0, "const") != 0 &&
            strcmp(k0, "transforms") != 0 && strcmp(k0, "optional") != 0) {
            jsonx_ptr_push(at, k0);
            return bad(err, at, "unknown member (expected %s)", source_members);
        }
    }
    int kinds = jsonx_has(v, "from") + jsonx_has(v, "first_of") + jsonx_has(v, "const");
    if (kinds > 1)
        return bad(err, at, "from, first_of and const exclude one another");
    if (kinds == 0 && !jsonx_has(v, "transforms"))
        return bad(err, at, "expected one of from, first_of or const (or transforms)");
    json_object_object_foreach(v, key, val)
    {
        size_t mark = jsonx_ptr_push(at, key);
        if (strcmp(key, "from") == 0) {
            f->kind = SRC_FROM;
            f->paths = xcalloc(1, sizeof(*f->paths));
            f->n_paths = 1;
            f->where = xstrdup(jsonx_ptr_cstr(at));
            rc = path_parse(&f->paths[0], jsonx_str(val), at, err);
        } else if (strcmp(key, "first_of") == 0) {
            size_t n = jsonx_len(val);
            f->kind = SRC_FIRST_OF;
            f->where = xstrdup(jsonx_ptr_cstr(at));
            if (!json_object_is_type(val, json_type_array) || n == 0 || n > MAP_SOURCES_MAX)
                rc = bad(err, at, "expected an array of 1 to %d field names", MAP_SOURCES_MAX);
            f->paths = xcalloc(n ? n : 1, sizeof(*f->paths));
            for (size_t i = 0; rc == 0 && i < n; i++) {
                size_t m2 = jsonx_ptr_push_index(at, i);
                f->n_paths = i + 1;
                rc = path_parse(&f->paths[i], jsonx_str(jsonx_at(val, i)), at, err);
                if (rc == 0)
                    jsonx_ptr_pop(at, m2);
            }
        } else if (strcmp(key, "const") == 0) {
            f->kind = SRC_CONST;
            if (val && json_object_deep_copy(val, &f->cval, NULL) != 0)
                abort(); /* only out of memory fails a copy of parsed JSON */
        } else if (strcmp(key, "transforms") == 0) {
            rc = transform_parse(&f->tr, val, type, at, err);
        } else { /* "optional": the only member left */
            if (!json_object_is_type(val, json_type_boolean))
                rc = bad(err, at, "expected true or false");
            f->optional = json_object_get_boolean(val);
        }
        if (rc < 0)
            return rc;
        jsonx_ptr_pop(at, mark);
    }
    if (!f->where)
        f->where = xstrdup(jsonx_ptr_cstr(at));
    return 0;
}

/* Read f's source in rec into v (borrowing). */
static void source_get(struct transform_value *v, const struct field *f,
                       const struct json_object *rec)
{
    memset(v, 0, sizeof(*v));
    switch (f->kind) {
    case SRC_FROM:
        transform_value_of(v, path_get(rec, &f->paths[0]));
        break;
    case SRC_FIRST_OF:
        for (size_t i = 0; i < f->n_paths; i++) {
            struct json_object *x = path_get(rec, &f->paths[i]);
            const char *s = jsonx_str(x);
            if (!x || (s && str_trim(str_from(s)).n == 0))
                continue;
            transform_value_of(v, x);
            break;
        }
        break;
    case SRC_CONST:
        transform_value_of(v, f->cval);
        break;
    case SRC_NONE:
    default:
        break;
    }
}

/* Source, transforms and coercion of f for rec: *out for a core field, or
 * *prop (owned, NULL for a null) for properties.KEY. The message is the
 * step's or the coercion's, without the field. */
static int field_value(const struct field *f, const struct model *model,
                       const struct json_object *rec, struct model_value *out,
                       struct json_object **prop, struct err *err)
{
    struct transform_value v;
    source_get(&v, f, rec);
    int rc = transform_apply(f->tr, &v, err);
    if (rc == 0 && f->index >= 0)
        rc = transform_coerce(out, &model->fields[f->index], &v, err);
    else if (rc == 0)
        *prop = transform_to_json(&v);
    transform_value_dispose(&v);
    return rc;
}

/* A field whose value does not depend on the record (a constant, or a
 * default that fills a missing value) must give one its field can take:
 * try it on an empty record, where the message can still name the spot. */
static int field_try(const struct field *f, const struct model *model, struct jsonx_ptr *at,
                     struct err *err)
{
    struct model_value out = {0};
    struct json_object *prop = NULL, *empty;
    struct err e;
    int rc = 0;
    if (f->kind != SRC_CONST && !transform_fills(f->tr))
        return 0;
    empty = json_object_new_object();
    if (field_value(f, model, empty, &out, &prop, &e) < 0)
        rc = bad(err, at, "%s", e.msg);
    model_value_dispose(&out);
    json_object_put(prop);
    json_object_put(empty);
    return rc;
}

/* ---- the map ---- */

static struct map *map_alloc(const char *stream, const struct model *model, const char *where)
{
    struct map *m = xcalloc(1, sizeof(*m));
    m->stream = xstrdup(stream);
    m->model = model;
    m->where = xstrdup(where);
    return m;
}

void map_free(struct map *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n; i++)
        field_dispose(&m->v[i]);
    for (size_t i = 0; i < m->n_plist; i++)
        path_dispose(&m->plist[i]);
    xfree(m->plist);
    xfree(m->v);
    xfree(m->stream);
    xfree(m->where);
    xfree(m);
}

static struct field *find_field(const struct map *m, const char *target)
{
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->v[i].target, target) == 0)
            return &m->v[i];
    return NULL;
}

/* Add f (taken), replacing a field of the same target. */
static int put_field(struct map *m, struct field *f, struct jsonx_ptr *at, struct err *err)
{
    struct field *old = find_field(m, f->target);
    if (old) {
        field_dispose(old);
        *old = *f;
        return 0;
    }
    if (m->n == MAP_FIELDS_MAX) {
        field_dispose(f);
        return bad(err, at, "over %d fields", MAP_FIELDS_MAX);
    }
    if (m->n == m->cap) {
        m->cap = m->cap ? 2 * m->cap : 16;
        m->v = xrealloc(m->v, m->cap * sizeof(*m->v));
    }
    m->v[m->n++] = *f;
    return 0;
}

static void remove_field(struct map *m, const char *target)
{
    struct field *f = find_field(m, target);
    if (!f)
        return;
    field_dispose(f);
    size_t i = (size_t)(f - m->v);
    memmove(&m->v[i], &m->v[i + 1], (m->n - i - 1) * sizeof(*m->v));
    m->n--;
}

/* "rest", "none" or an array of names, at `at`. */
static int props_parse(struct map *m, struct json_object *v, struct jsonx_ptr *at, struct err *err)
{
    const char *s = jsonx_str(v);
    enum props_mode mode;
    struct path *list = NULL;
    size_t n = 0;
    int rc = 0;

    if (s && strcmp(s, "rest") == 0) {
        mode = PROPS_REST;
    } else if (s && strcmp(s, "none") == 0) {
        mode = PROPS_NONE;
    } else if (json_object_is_type(v, json_type_array) && jsonx_len(v) <= MAP_FIELDS_MAX) {
        mode = PROPS_LIST;
        list = xcalloc(jsonx_len(v) + 1, sizeof(*list));
        for (size_t i = 0; rc == 0 && i < jsonx_len(v); i++) {
            size_t mark = jsonx_ptr_push_index(at, i);
            n = i + 1;
            rc = path_parse(&list[i], jsonx_str(jsonx_at(v, i)), at, err);
            if (rc == 0)
                jsonx_ptr_pop(at, mark);
        }
    } else {
        return bad(err, at, "expected \"rest\", \"none\" or an array of up to %d field names",
                   MAP_FIELDS_MAX);
    }
    if (rc < 0) {
        for (size_t i = 0; i < n; i++)
            path_dispose(&list[i]);
        xfree(list);
        return rc;
    }
    for (size_t i = 0; i < m->n_plist; i++)
        path_dispose(&m->plist[i]);
    xfree(m->plist);
    m->props = mode;
    m->plist = list;
    m->n_plist = n;
    return 0;
}

/* One member of "fields": target and its source spec v, at `at`. */
static int field_parse(struct map *m, const char *target, struct json_object *v,
                       struct jsonx_ptr *at, struct err *err)
{
    struct field f = {0};
    int rc = target_of(&f.index, m->model, target, at, err);
    if (rc < 0 || !v)
        return rc; /* null: not mapped */
    f.target = xstrdup(target);
    rc = source_parse(&f, m->model, v, at, err);
    if (rc == 0)
        rc = field_try(&f, m->model, at, err);
    if (rc < 0) {
        field_dispose(&f);
        return rc;
    }
    return put_field(m, &f, at, err);
}

static int model_of(const struct model **out, const char *name, struct jsonx_ptr *at,
                    struct err *err)
{
    const char *names[8];
    char q[CONVERT_QUOTE_MAX];
    *out = model_find(name);
    if (*out)
        return 0;
    if (!name)
        return bad(err, at, "expected one of accounts, contacts, tickets, deals");
    for (size_t i = 0; i < model_count(); i++)
        names[i] = model_at(i)->name;
    const char *near = model_suggest(name, names, model_count());
    convert_quote(q, name, strlen(name));
    if (near)
        return bad(err, at, "unknown model %s; did you mean %s?", q, near);
    return bad(err, at, "unknown model %s (expected accounts, contacts, tickets or deals)", q);
}

static int stream_ok(const char *s, struct jsonx_ptr *at, struct err *err)
{
    if (!s || !*s || strlen(s) > MAP_NAME_MAX)
        return bad(err, at, "expected a stream name of 1 to %d bytes", MAP_NAME_MAX);
    return 0;
}

int map_parse(struct map **out, const struct json_object *spec, struct jsonx_ptr *at,
              struct err *err)
{
    const struct model *model = NULL;
    struct map *m = NULL;
    struct json_object *fields;
    size_t mark;
    int rc;

    *out = NULL;
    if (!json_object_is_type(spec, json_type_object))
        return bad(err, at, "expected a mapping object, got %s", jsonx_type_name(spec));
    json_object_object_foreach((struct json_object *)spec, key, val)
    {
        (void)val;
        if (strcmp(key, "stream") != 0 && strcmp(key, "model") != 0 && strcmp(key, "fields") != 0 &&
            strcmp(key, "properties") != 0) {
            jsonx_ptr_push(at, key);
            return bad(err, at, "unknown member (expected stream, model, fields, properties)");
        }
    }
    const char *stream = jsonx_str(jsonx_get(spec, "stream"));
    mark = jsonx_ptr_push(at, "stream");
    if ((rc = stream_ok(stream, at, err)) < 0)
        return rc;
    jsonx_ptr_pop(at, mark);
    mark = jsonx_ptr_push(at, "model");
    if ((rc = model_of(&model, jsonx_str(jsonx_get(spec, "model")), at, err)) < 0)
        return rc;
    jsonx_ptr_pop(at, mark);

    m = map_alloc(stream, model, jsonx_ptr_cstr(at));
    fields = jsonx_get(spec, "fields");
    mark = jsonx_ptr_push(at, "fields");
    if (!json_object_is_type(fields, json_type_object)) {
        rc = bad(err, at, "expected an object of target field -> source");
        goto done;
    }
    json_object_object_foreach(fields, target, src)
    {
        size_t m2 = jsonx_ptr_push(at, target);
        if ((rc = field_parse(m, target, src, at, err)) < 0)
            goto done;
        jsonx_ptr_pop(at, m2);
    }
    if (!find_field(m, "external_id")) {
        rc = bad(err, at, "external_id must be mapped: it identifies the record");
        goto done;
    }
    jsonx_ptr_pop(at, mark);
    if (jsonx_has(spec, "properties")) {
        mark = jsonx_ptr_push(at, "properties");
        if ((rc = props_parse(m, jsonx_get(spec, "properties"), at, err)) < 0)
            goto done;
        jsonx_ptr_pop(at, mark);
    }
    *out = m;
    m = NULL;
done:
    map_free(m);
    return rc;
}

int map_new(struct map **out, const char *stream, const char *model, struct err *err)
{
    const struct model *mo;
    struct jsonx_ptr at;
    int rc;
    *out = NULL;
    jsonx_ptr_init(&at);
    jsonx_ptr_push(&at, "stream");
    if ((rc = stream_ok(stream, &at, err)) < 0)
        return rc;
    jsonx_ptr_init(&at);
    jsonx_ptr_push(&at, "model");
    if ((rc = model_of(&mo, model, &at, err)) < 0)
        return rc;
    *out = map_alloc(stream, mo, "");
    return 0;
}

const char *map_stream(const struct map *m)
{
    return m->stream;
}

const struct model *map_model(const struct map *m)
{
    return m->model;
}

/* ---- rows ---- */

static int row_json(struct json_object **out, const char *text, const char *column, struct err *err)
{
    struct jsonx_ptr at;
    struct err e;
    jsonx_ptr_init(&at);
    jsonx_ptr_push(&at, column);
    if (jsonx_parse(out, text, strlen(text), MAP_TRANSFORMS_MAX, &e) < 0)
        return bad(err, &at, "%s", e.msg);
    return 0;
}

/* Whether text is [] with white space at most: a properties row's
 * transforms, which the column's NOT NULL DEFAULT '[]' gives every row. */
static bool empty_array(const char *text)
{
    text += strspn(text, " \t\r\n");
    if (*text++ != '[')
        return false;
    text += strspn(text, " \t\r\n");
    if (*text++ != ']')
        return false;
    return text[strspn(text, " \t\r\n")] == '\0';
}

int map_set_row(struct map *m, const char *target_field, const char *source_field,
                const char *transforms, struct err *err)
{
    struct json_object *steps = NULL, *src = NULL;
    struct field f = {0};
    struct jsonx_ptr at;
    bool no_steps = !transforms || !*transforms;
    int rc = 0;

    jsonx_ptr_init(&at);
    jsonx_ptr_push(&at, "target_field");
    if (!target_field || !*target_field)
        return bad(err, &at, "expected a field name");
    if (strcmp(target_field, "properties") == 0) {
        jsonx_ptr_init(&at);
        jsonx_ptr_push(&at, "source_field");
        if (!no_steps && !empty_array(transforms))
            return bad(err, &at, "properties takes no transforms");
        if (source_field && source_field[0] == '[')
            rc = row_json(&src, source_field, "source_field", err);
        else if (source_field)
            src = json_object_new_string(source_field);
        if (rc == 0)
            rc = props_parse(m, src, &at, err);
        json_object_put(src);
        return rc;
    }
    if ((rc = target_of(&f.index, m->model, target_field, &at, err)) < 0)
        return rc;
    if (!no_steps && (rc = row_json(&steps, transforms, "transforms", err)) < 0)
        return rc;
    if (!source_field && jsonx_len(steps) == 0) {
        json_object_put(steps);
        if (strcmp(target_field, "external_id") == 0) {
            jsonx_ptr_init(&at);
            jsonx_ptr_push(&at, "source_field");
            return bad(err, &at, "external_id cannot be removed: it identifies the record");
        }
        remove_field(m, target_field);
        return 0;
    }
    /* The row's source, parsed as a file's would be: a name, an object,
     * or none (a constant made by the transforms). */
    jsonx_ptr_init(&at);
    jsonx_ptr_push(&at, "source_field");
    f.target = xstrdup(target_field);
    if (source_field && source_field[0] == '{') {
        rc = row_json(&src, source_field, "source_field", err);
        if (rc == 0 && !json_object_is_type(src, json_type_object))
            rc = bad(err, &at, "expected a field name or a source object");
        if (rc == 0 && steps && jsonx_has(src, "transforms")) {
            jsonx_ptr_init(&at);
            jsonx_ptr_push(&at, "transforms");
            rc = bad(err, &at, "transforms are given in source_field already");
        }
    } else if (source_field) {
        src = json_object_new_string(source_field);
    }
    if (rc == 0 && src)
        rc = source_parse(&f, m->model, src, &at, err);
    if (rc < 0)
        goto done;
    if (rc == 0 && steps) {
        /* Messages point into the transforms column. */
        jsonx_ptr_init(&at);
        jsonx_ptr_push(&at, "transforms");
        transform_free(f.tr);
        f.tr = NULL;
        rc = transform_parse(&f.tr, steps,
                             f.index >= 0 ? m->model->fields[f.index].type : MODEL_JSON, &at, err);
    }
    if (rc == 0) {
        jsonx_ptr_init(&at);
        jsonx_ptr_push(&at, "source_field");
        rc = field_try(&f, m->model, &at, err);
    }
    if (rc == 0) {
        xfree(f.where);
        jsonx_ptr_init(&at);
        jsonx_ptr_push(&at, "fields");
        jsonx_ptr_push(&at, target_field);
        f.where = xstrdup(jsonx_ptr_cstr(&at));
        rc = put_field(m, &f, &at, err);
        memset(&f, 0, sizeof(f)); /* taken, or disposed of by put_field */
    }
done:
    field_dispose(&f);
    json_object_put(src);
    json_object_put(steps);
    return rc;
}

/* ---- checks ---- */

/* Whether schema (a JSON Schema object) has the dotted path p. */
static bool schema_has(const struct json_object *schema, const struct path *p)
{
    struct json_object *props = jsonx_get(schema, "properties"), *sub;
    if (jsonx_has(props, p->text) || p->n == 1)
        return jsonx_has(props, p->text);
    sub = (struct json_object *)schema;
    for (size_t i = 0; i < p->n; i++) {
        if (all_digits(p->segs[i]) && jsonx_has(sub, "items")) {
            sub = jsonx_get(sub, "items");
            continue;
        }
        props = jsonx_get(sub, "properties");
        if (!props)
            return i > 0; /* an object of any members, past the first step */
        if (!json_object_object_get_ex(props, p->segs[i], &sub))
            return false;
    }
    return true;
}

/* Whether schema has what f reads: a "from" unless optional, one name
 * of a first_of; a field with no source reads nothing. */
static bool field_in(const struct field *f, const struct json_object *schema)
{
    size_t found = 0;
    for (size_t j = 0; j < f->n_paths; j++)
        found += schema_has(schema, &f->paths[j]);
    return f->n_paths == 0 || found > 0 || f->optional;
}

/* ERR_INVALID for f, which field_in refused, at pointer where. */
static int field_missing(const struct map *m, const struct field *f, const char *where,
                         struct err *err)
{
    char q[CONVERT_QUOTE_MAX];
    if (f->kind == SRC_FIRST_OF)
        return bad_at(err, where, "", "none of these fields is in stream %s", m->stream);
    convert_quote(q, f->paths[0].text, strlen(f->paths[0].text));
    return bad_at(err, where, "", "no field %s in stream %s", q, m->stream);
}

/* ERR_INVALID for the first name of the properties list that schema
 * lacks, at where + list + "/INDEX"; 0 when it has them all. */
static int plist_check(const struct map *m, const struct json_object *schema, const char *where,
                       const char *list, struct err *err)
{
    char q[CONVERT_QUOTE_MAX], suffix[64];
    for (size_t i = 0; i < m->n_plist; i++) {
        if (schema_has(schema, &m->plist[i]))
            continue;
        snprintf(suffix, sizeof(suffix), "%s/%zu", list, i);
        convert_quote(q, m->plist[i].text, strlen(m->plist[i].text));
        return bad_at(err, where, suffix, "no field %s in stream %s", q, m->stream);
    }
    return 0;
}

int map_check(const struct map *m, const struct json_object *schema, struct err *err)
{
    if (!find_field(m, "external_id"))
        return bad_at(err, m->where, "/fields",
                      "external_id must be mapped: it identifies the record");
    for (size_t i = 0; schema && i < m->n; i++)
        if (!field_in(&m->v[i], schema))
            return field_missing(m, &m->v[i], m->v[i].where, err);
    return schema ? plist_check(m, schema, m->where, "/properties", err) : 0;
}

int map_check_row(const struct map *m, const char *target_field, const struct json_object *schema,
                  struct err *err)
{
    if (!schema || !target_field)
        return 0;
    if (strcmp(target_field, "properties") == 0)
        return plist_check(m, schema, "", "/source_field", err);
    const struct field *f = find_field(m, target_field);
    if (!f || field_in(f, schema))
        return 0;
    return field_missing(m, f, "/source_field", err);
}

/* ---- applying ---- */

/* Whether rest-mode properties leave out key: a field's source, or the
 * engine's and Singer's own members. */
static bool used(const struct map *m, const char *key)
{
    if (strncmp(key, "_sdc_", 5) == 0 || strncmp(key, "_inlet_", 7) == 0)
        return true;
    for (size_t i = 0; i < m->n; i++)
        for (size_t j = 0; j < m->v[i].n_paths; j++)
            if (strcmp(m->v[i].paths[j].text, key) == 0)
                return true;
    return false;
}

static void props_fill(struct json_object *props, const struct map *m,
                       const struct json_object *rec)
{
    if (m->props == PROPS_REST) {
        json_object_object_foreach((struct json_object *)rec, k, v)
        {
            if (v && !used(m, k))
                json_object_object_add(props, k, json_object_get(v));
        }
    } else if (m->props == PROPS_LIST) {
        for (size_t i = 0; i < m->n_plist; i++) {
            struct json_object *v = path_get(rec, &m->plist[i]);
            if (v)
                json_object_object_add(props, m->plist[i].text, json_object_get(v));
        }
    }
}

int map_apply(const struct map *m, const struct json_object *record, struct map_row *out,
              struct err *err)
{
    struct err e;
    int rc = 0;

    memset(out, 0, sizeof(*out));
    out->model = m->model;
    out->properties = json_object_new_object();
    if (!json_object_is_type(record, json_type_object)) {
        rc = err_set(err, ERR_INVALID, "record: expected an object, got %s",
                     jsonx_type_name(record));
        goto done;
    }
    props_fill(out->properties, m, record);
    for (size_t i = 0; i < m->n; i++) {
        const struct field *f = &m->v[i];
        struct json_object *prop = NULL;
        struct model_value *slot = f->index >= 0 ? &out->values[f->index] : NULL;
        if (field_value(f, m->model, record, slot, &prop, &e) < 0) {
            rc = err_set(err, ERR_INVALID, "%s: %s", f->target, e.msg);
            goto done;
        }
        if (f->index < 0) {
            const char *key = f->target + 11;
            if (prop)
                json_object_object_add(out->properties, key, prop);
            else
                json_object_object_del(out->properties, key);
        }
    }
    if (!out->values[MODEL_EXTERNAL_ID].set) {
        rc = err_set(err, ERR_INVALID, "external_id: %s",
                     find_field(m, "external_id") ? "is required but empty" : "is not mapped");
        goto done;
    }
    out->external_id = out->values[MODEL_EXTERNAL_ID].s;
    out->deleted = (out->values[MODEL_DELETED].set && out->values[MODEL_DELETED].i) ||
                   jsonx_get(record, "_sdc_deleted_at") != NULL;
done:
    if (rc < 0)
        map_row_dispose(out);
    return rc;
}

const struct model_value *map_row_get(const struct map_row *row, const char *name)
{
    int i = row->model ? model_field_index(row->model, name) : -1;
    return i >= 0 ? &row->values[i] : NULL;
}

void map_row_format(struct buf *b, const struct map_row *row)
{
    bool first = true;
    buf_puts(b, "{\"model\":");
    buf_put_json_str(b, row->model ? row->model->name : NULL);
    buf_puts(b, ",\"external_id\":");
    buf_put_json_str(b, row->external_id);
    buf_printf(b, ",\"deleted\":%s,\"fields\":{", row->deleted ? "true" : "false");
    for (size_t i = MODEL_DELETED + 1; row->model && i < row->model->n_fields; i++) {
        const struct model_field *f = &row->model->fields[i];
        const struct model_value *v = &row->values[i];
        if (!v->set)
            continue;
        buf_printf(b, "%s\"%s\":", first ? "" : ",", f->name);
        first = false;
        switch (f->type) {
        case MODEL_INTEGER:
        case MODEL_TIMESTAMP:
            buf_printf(b, "%lld", (long long)v->i);
            break;
        case MODEL_BOOLEAN:
            buf_puts(b, v->i ? "true" : "false");
            break;
        case MODEL_DECIMAL:
            buf_puts(b, v->s);
            break;
        default:
            buf_put_json_str(b, v->s);
        }
    }
    buf_puts(b, "},\"properties\":");
    jsonx_format(b, row->properties);
    buf_putc(b, '}');
}

void map_row_dispose(struct map_row *row)
{
    for (size_t i = 0; i < MODEL_FIELDS_MAX; i++)
        model_value_dispose(&row->values[i]);
    json_object_put(row->properties);
    memset(row, 0, sizeof(*row));
}
