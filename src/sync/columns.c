/* sync/columns.c - see columns.h. */
#include "sync/columns.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <json-c/linkhash.h>

#include "core/alloc.h"
#include "core/jsonx.h"
#include "core/time.h"

static const struct {
    const char *name, *pg, *sqlite;
} types[] = {
    /* SQLite: INTEGER affinity stores int64 exactly; timestamps and dates
     * stay RFC 3339 text (SQLite's date functions read it); JSON is text. */
    [COL_BOOLEAN] = {"boolean", "BOOLEAN", "INTEGER"},
    [COL_INTEGER] = {"integer", "BIGINT", "INTEGER"},
    /* SQLite NUMERIC affinity would turn a decimal text of more than 15
     * significant digits into a REAL that rounds it: no affinity instead,
     * and the loader binds a REAL when the value has at most 15 (exact in a
     * double) and its text otherwise. */
    [COL_NUMBER] = {"number", "NUMERIC", ""},
    [COL_TIMESTAMP] = {"timestamp", "TIMESTAMPTZ", "TEXT"},
    [COL_DATE] = {"date", "DATE", "TEXT"},
    [COL_TEXT] = {"text", "TEXT", "TEXT"},
    [COL_JSON] = {"json", "JSONB", "TEXT"},
};

const char *col_sql_type(enum col_type t, bool pg)
{
    return pg ? types[t].pg : types[t].sqlite;
}

const char *col_type_name(enum col_type t)
{
    return types[t].name;
}

enum col_type col_type_parse(const char *name)
{
    for (size_t i = 0; name && i < sizeof(types) / sizeof(types[0]); i++)
        if (strcmp(types[i].name, name) == 0)
            return (enum col_type)i;
    return COL_TEXT;
}

enum col_type col_widen(enum col_type have, enum col_type want)
{
    if (have == want)
        return have;
    if ((have == COL_INTEGER && want == COL_NUMBER) || (have == COL_NUMBER && want == COL_INTEGER))
        return COL_NUMBER;
    return COL_TEXT; /* holds any value, JSON as its text */
}

bool col_value_fits(enum col_type t, struct json_object *v)
{
    int64_t ms;
    struct err e;
    const char *s;

    if (!v)
        return true;
    switch (t) {
    case COL_BOOLEAN:
        return json_object_is_type(v, json_type_boolean);
    case COL_INTEGER:
        /* A uint64 past INT64_MAX reads as INT64_MAX: it does not fit. */
        return json_object_is_type(v, json_type_int) &&
               !(json_object_get_int64(v) == INT64_MAX && json_object_get_uint64(v) > INT64_MAX);
    case COL_NUMBER:
        return json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double);
    case COL_TIMESTAMP:
        s = json_object_get_string(v);
        return json_object_is_type(v, json_type_string) &&
               time_parse_rfc3339(&ms, s, strlen(s), &e) == 0;
    case COL_DATE:
        s = json_object_get_string(v);
        return json_object_is_type(v, json_type_string) &&
               time_parse_date(&ms, s, strlen(s), &e) == 0;
    case COL_JSON:
        return json_object_is_type(v, json_type_object) || json_object_is_type(v, json_type_array);
    case COL_TEXT:
        return true;
    }
    return false;
}

/* ---- a property's type ---- */

static enum col_type one_type(const char *type, struct json_object *prop, bool *seen)
{
    *seen = true;
    if (strcmp(type, "integer") == 0)
        return COL_INTEGER;
    if (strcmp(type, "number") == 0)
        return COL_NUMBER;
    if (strcmp(type, "boolean") == 0)
        return COL_BOOLEAN;
    if (strcmp(type, "object") == 0 || strcmp(type, "array") == 0)
        return COL_JSON;
    if (strcmp(type, "string") == 0) {
        const char *f = jsonx_str(jsonx_get(prop, "format"));
        if (f && strcmp(f, "date-time") == 0)
            return COL_TIMESTAMP;
        if (f && strcmp(f, "date") == 0)
            return COL_DATE;
        return COL_TEXT;
    }
    *seen = false; /* "null", or a type this validator would refuse anyway */
    return COL_TEXT;
}

/* The column type of a property's schema: its non-null types widened
 * together, anyOf/oneOf branches too; JSON when it says nothing. */
static enum col_type prop_type(struct json_object *prop, int depth)
{
    struct json_object *t = jsonx_get(prop, "type");
    bool any = false, seen;
    enum col_type acc = COL_JSON;

    if (depth > 8)
        return COL_TEXT;
    if (jsonx_str(t)) {
        acc = one_type(jsonx_str(t), prop, &seen);
        any = seen;
    }
    for (size_t i = 0; i < jsonx_len(t); i++) {
        const char *name = jsonx_str(jsonx_at(t, i));
        enum col_type c = name ? one_type(name, prop, &seen) : COL_TEXT;
        if (name && seen) {
            acc = any ? col_widen(acc, c) : c;
            any = true;
        }
    }
    static const char *const branches[] = {"anyOf", "oneOf"};
    for (size_t b = 0; b < 2; b++) {
        struct json_object *arr = jsonx_get(prop, branches[b]);
        for (size_t i = 0; i < jsonx_len(arr); i++) {
            struct json_object *br = jsonx_at(arr, i);
            const char *bt = jsonx_str(jsonx_get(br, "type"));
            if (bt && strcmp(bt, "null") == 0)
                continue;
            enum col_type c = prop_type(br, depth + 1);
            acc = any ? col_widen(acc, c) : c;
            any = true;
        }
    }
    return any ? acc : COL_JSON;
}

/* ---- names ---- */

static uint32_t fnv1a(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* Normalize s into out (COL_NAME_MAX + 1 bytes): [a-z0-9_], runs of other
 * bytes as one '_', not starting with a digit, not "_inlet_...", never
 * empty; cut with an 8-hex hash of the whole name when too long. */
static void normalize(char out[COL_NAME_MAX + 1], const char *prefix, const char *s)
{
    char tmp[4 * COL_NAME_MAX + 16];
    size_t n = 0;
    bool under = false;

    /* One byte is kept free for the '_' that "_inlet_" names get below. */
    n = (size_t)snprintf(tmp, sizeof(tmp) - 1, "%s", prefix);
    if (n >= sizeof(tmp) - 1)
        n = sizeof(tmp) - 2;
    if (n == 0 && s[0] >= '0' && s[0] <= '9')
        tmp[n++] = '_';
    for (const char *p = s; *p && n + 2 < sizeof(tmp); p++) {
        char c = *p;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
        if (!ok) {
            if (under)
                continue;
            c = '_';
        }
        under = !ok;
        tmp[n++] = c;
    }
    tmp[n] = '\0';
    if (n == 0)
        snprintf(tmp, sizeof(tmp), "_");
    if (strncmp(tmp, "_inlet_", 7) == 0) {
        memmove(tmp + 1, tmp, strlen(tmp) + 1);
        tmp[0] = '_';
    }
    if (strlen(tmp) > COL_NAME_MAX || strlen(s) > (size_t)4 * COL_NAME_MAX)
        snprintf(out, COL_NAME_MAX + 1, "%.*s_%08x", COL_NAME_MAX - 9, tmp, fnv1a(s));
    else
        memcpy(out, tmp, strlen(tmp) + 1); /* at most COL_NAME_MAX bytes, checked above */
}

bool col_name_valid(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > COL_NAME_MAX || (name[0] >= '0' && name[0] <= '9'))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') ||
              name[i] == '_'))
            return false;
    return true;
}

void col_table_name(char *out, size_t n, const char *prefix, const char *stream)
{
    char name[COL_NAME_MAX + 1];
    normalize(name, prefix ? prefix : "", stream);
    snprintf(out, n, "%s", name);
}

void col_quote(struct buf *b, const char *name)
{
    buf_putc(b, '"');
    for (const char *p = name; *p; p++) {
        if (*p == '"')
            buf_putc(b, '"');
        buf_putc(b, *p);
    }
    buf_putc(b, '"');
}

static bool name_taken(const struct col_set *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i].name, name) == 0)
            return true;
    return false;
}

/* A column name for property, unique in s: "_2", "_3", ... after the
 * normalized name when it is taken. */
static char *unique_name(const struct col_set *s, const char *property)
{
    char base[COL_NAME_MAX + 1], name[COL_NAME_MAX + 1];
    normalize(base, "", property);
    snprintf(name, sizeof(name), "%s", base);
    for (unsigned k = 2; name_taken(s, name); k++) {
        char suffix[16];
        int sn = snprintf(suffix, sizeof(suffix), "_%u", k);
        snprintf(name, sizeof(name), "%.*s%s", COL_NAME_MAX - sn, base, suffix);
    }
    return xstrdup(name);
}

static void push(struct col_set *s, const char *property, enum col_type t, bool key)
{
    s->v = xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
    struct col *c = &s->v[s->n];
    c->name = unique_name(s, property);
    c->property = xstrdup(property);
    c->type = t;
    c->key = key;
    s->n++;
}

void col_set_dispose(struct col_set *s)
{
    for (size_t i = 0; i < s->n; i++) {
        xfree(s->v[i].property);
        xfree(s->v[i].name);
    }
    xfree(s->v);
    s->v = NULL;
    s->n = 0;
}

static bool listed(struct json_object *arr, const char *name)
{
    for (size_t i = 0; i < jsonx_len(arr); i++)
        if (jsonx_str(jsonx_at(arr, i)) && strcmp(jsonx_str(jsonx_at(arr, i)), name) == 0)
            return true;
    return false;
}

int col_set_from_schema(struct col_set *out, struct json_object *schema,
                        struct json_object *key_properties, struct err *err)
{
    struct json_object *props = jsonx_get(schema, "properties");

    memset(out, 0, sizeof(*out));
    if (!json_object_is_type(schema, json_type_object))
        return err_set(err, ERR_INVALID, "schema: expected an object");
    if (props && !json_object_is_type(props, json_type_object))
        return err_set(err, ERR_INVALID, "schema /properties: expected an object");
    if (props && json_object_object_length(props) > COLS_MAX)
        return err_set(err, ERR_INVALID, "schema /properties: more than %d properties", COLS_MAX);
    for (size_t i = 0; i < jsonx_len(key_properties); i++) {
        const char *k = jsonx_str(jsonx_at(key_properties, i));
        if (!k || !jsonx_has(props, k))
            return err_set(err, ERR_INVALID,
                           "key_properties/%zu: \"%.64s\" is not a property of the schema", i,
                           k ? k : "");
    }
    if (props) {
        json_object_object_foreach(props, name, prop)
        {
            push(out, name, prop_type(prop, 0), listed(key_properties, name));
        }
    }
    return 0;
}

int col_set_merge(struct col_set *table, const struct col_set *incoming,
                  struct col_change **changes, size_t *nchanges, struct err *err)
{
    (void)err;
    *changes = NULL;
    *nchanges = 0;
    for (size_t i = 0; i < incoming->n; i++) {
        const struct col *in = &incoming->v[i];
        struct col *have = NULL;
        for (size_t j = 0; j < table->n && !have; j++)
            if (strcmp(table->v[j].property, in->property) == 0)
                have = &table->v[j];
        struct col_change ch;
        if (!have) {
            push(table, in->property, in->type, in->key);
            ch = (struct col_change){.kind = COL_ADD, .index = table->n - 1};
        } else {
            enum col_type to = col_widen(have->type, in->type);
            if (to == have->type)
                continue;
            ch = (struct col_change){
                .kind = COL_ALTER, .index = (size_t)(have - table->v), .from = have->type};
            have->type = to;
        }
        *changes = xrealloc(*changes, (*nchanges + 1) * sizeof(**changes));
        (*changes)[(*nchanges)++] = ch;
    }
    return 0;
}
