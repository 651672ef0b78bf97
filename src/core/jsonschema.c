/* core/jsonschema.c - JSON Schema: checking a schema and compiling it into
 * a tree of nodes (regexes compiled, numbers read, messages prepared, $refs
 * resolved to node pointers) so that validating an instance
 * (jsonschema_validate.c) only reads memory nobody writes again. A schema is
 * refused when it could not mean what its author wrote: an unknown type, a
 * keyword of the wrong shape, a pattern glibc would read differently, a
 * $ref that loops without going into the value, a default it rejects. */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/linkhash.h>

#include "core/alloc.h"
#include "core/jsonschema_int.h"
#include "core/jsonx.h"

#define MSG_LIST_ROOM 80 /* bytes of values or names listed in one message */

struct def {
    bool legacy;      /* under "definitions" rather than "$defs" */
    const char *name; /* borrowed from the schema */
    struct jsonschema_node *node;
};

struct compiler {
    struct jsonschema *s;
    struct err *err;
    struct jsonx_ptr ptr; /* where in the schema we are */
    struct def *defs;     /* xmalloc: the root's $defs and definitions */
    size_t ndefs, defs_cap;
    struct jsonschema_node **refs; /* xmalloc: nodes whose $ref is unresolved */
    size_t nrefs, refs_cap;
};

/* Keywords of draft 2020-12 (and drafts before it) that this validator does
 * not implement. Ignoring them as annotations would accept values the author
 * meant to refuse, so a schema that uses one is refused instead. */
static const char *const unsupported[] = {
    "contains",         "minContains",           "maxContains",      "dependentRequired",
    "dependentSchemas", "unevaluatedProperties", "unevaluatedItems", "additionalItems",
    "dependencies",     "$dynamicRef",           "$dynamicAnchor",   "$recursiveRef",
    "$recursiveAnchor",
};

static const struct {
    const char *name;
    unsigned bit;
} type_names[] = {
    {"null", JS_NULL},     {"boolean", JS_BOOLEAN}, {"integer", JS_INTEGER}, {"number", JS_NUMBER},
    {"string", JS_STRING}, {"array", JS_ARRAY},     {"object", JS_OBJECT},
};

/* ---- errors ---- */

/* "schema /properties/x/type: what". at is a schema pointer ("" for the root). */
static int vfail_at(struct compiler *cc, const char *at, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
static int vfail_at(struct compiler *cc, const char *at, const char *fmt, va_list ap)
{
    char what[ERR_MSG_MAX];
    vsnprintf(what, sizeof(what), fmt, ap);
    err_set(cc->err, ERR_INVALID, "schema%s%s: %s", *at ? " " : "", at, what);
    return ERR_INVALID;
}

static int fail_at(struct compiler *cc, const char *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail_at(struct compiler *cc, const char *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = vfail_at(cc, at, fmt, ap);
    va_end(ap);
    return rc;
}

/* The same at the current pointer plus key (NULL: the current pointer). */
static int fail(struct compiler *cc, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(struct compiler *cc, const char *key, const char *fmt, ...)
{
    size_t mark = key ? jsonx_ptr_push(&cc->ptr, key) : 0;
    va_list ap;
    va_start(ap, fmt);
    int rc = vfail_at(cc, jsonx_ptr_cstr(&cc->ptr), fmt, ap);
    va_end(ap);
    if (key)
        jsonx_ptr_pop(&cc->ptr, mark);
    return rc;
}

/* v as short JSON text for a message, e.g. "\"datetime\"". */
static void quote(char *out, size_t size, const struct json_object *v)
{
    struct buf b;
    buf_init(&b, 0);
    jsonschema__put_value(&b, v, 40);
    snprintf(out, size, "%s", buf_cstr(&b));
    buf_dispose(&b);
}

/* ---- nodes ---- */

static struct jsonschema_node *node_new(struct compiler *cc)
{
    struct jsonschema_node *n = xcalloc(1, sizeof(*n));
    n->min_props = n->max_props = n->min_items = n->max_items = -1;
    n->min_length = n->max_length = -1;
    n->next_alloc = cc->s->nodes;
    cc->s->nodes = n;
    cc->s->nnodes++;
    return n;
}

static void node_free(struct jsonschema_node *n)
{
    xfree(n->enum_msg);
    xfree(n->const_msg);
    xfree(n->default_at);
    xfree(n->props);
    xfree(n->required);
    xfree(n->unknown_msg);
    for (size_t i = 0; i < n->npattern_props; i++)
        if (n->pattern_props[i].compiled)
            regfree(&n->pattern_props[i].re);
    xfree(n->pattern_props);
    xfree(n->prefix_items);
    if (n->has_pattern)
        regfree(&n->pattern);
    xfree(n->pattern_msg);
    xfree(n->all_of);
    xfree(n->any_of);
    xfree(n->one_of);
    xfree(n->not_msg);
    xfree(n->ref_text);
    xfree(n->ref_at);
    xfree(n);
}

static int compile(struct compiler *cc, struct jsonschema_node **out, struct json_object *v,
                   int depth);

/* Compile the schema at member key of the current schema. */
static int compile_at(struct compiler *cc, struct jsonschema_node **out, const char *key,
                      struct json_object *v, int depth)
{
    size_t mark = jsonx_ptr_push(&cc->ptr, key);
    int rc = compile(cc, out, v, depth);
    jsonx_ptr_pop(&cc->ptr, mark);
    return rc;
}

/* A non-empty array of schemas (allOf, anyOf, oneOf, prefixItems). */
static int compile_list(struct compiler *cc, struct jsonschema_node ***out, size_t *n,
                        const char *key, struct json_object *v, int depth)
{
    size_t len = jsonx_len(v);
    if (!json_object_is_type(v, json_type_array) || len == 0)
        return fail(cc, key, "must be a non-empty array of schemas");
    *out = xcalloc(len, sizeof(**out)); // NOLINT(bugprone-sizeof-expression): pointers
    *n = len;
    size_t mark = jsonx_ptr_push(&cc->ptr, key);
    int rc = 0;
    for (size_t i = 0; i < len && rc == 0; i++) {
        size_t m = jsonx_ptr_push_index(&cc->ptr, i);
        rc = compile(cc, &(*out)[i], jsonx_at(v, i), depth);
        jsonx_ptr_pop(&cc->ptr, m);
    }
    jsonx_ptr_pop(&cc->ptr, mark);
    return rc;
}

/* ---- keywords ---- */

static int kw_type(struct compiler *cc, struct jsonschema_node *n, struct json_object *v)
{
    size_t count = json_object_is_type(v, json_type_array) ? jsonx_len(v) : 1;
    if (json_object_is_type(v, json_type_array) && count == 0)
        return fail(cc, "type", "must be a type name or a non-empty array of them");
    for (size_t i = 0; i < count; i++) {
        struct json_object *t = json_object_is_type(v, json_type_array) ? jsonx_at(v, i) : v;
        const char *name = jsonx_str(t);
        unsigned bit = 0;
        for (size_t k = 0; name && k < sizeof(type_names) / sizeof(type_names[0]); k++)
            if (strcmp(name, type_names[k].name) == 0)
                bit = type_names[k].bit;
        if (bit == 0 || (n->types & bit)) {
            char q[64];
            quote(q, sizeof(q), t);
            size_t mark = jsonx_ptr_push(&cc->ptr, "type");
            if (json_object_is_type(v, json_type_array))
                jsonx_ptr_push_index(&cc->ptr, i);
            int rc = fail(cc, NULL,
                          !name ? "expected a type name (a string), got %s"
                          : bit ? "lists type %s twice"
                                : "unknown type %s (known: null, boolean, integer, number, "
                                  "string, array, object)",
                          q);
            jsonx_ptr_pop(&cc->ptr, mark);
            return rc;
        }
        n->types |= bit;
    }
    return 0;
}

/* "must be one of \"a\", \"b\" ..." for enum, "must be \"a\"" for const. */
static char *values_msg(const char *lead, struct json_object *values, bool one)
{
    struct buf b;
    size_t count = one ? 1 : jsonx_len(values);
    buf_init(&b, 0);
    buf_puts(&b, lead);
    for (size_t i = 0; i < count; i++) {
        if (i > 0 && b.n > MSG_LIST_ROOM) {
            buf_printf(&b, ", ... (%zu values in all)", count);
            break;
        }
        buf_puts(&b, i ? ", " : "");
        jsonschema__put_value(&b, one ? values : jsonx_at(values, i), 40);
    }
    return buf_take(&b);
}

static int kw_count(struct compiler *cc, int64_t *out, const char *key, struct json_object *v)
{
    struct err e;
    if (jsonx_as_i64(out, v, key, &e) < 0 || *out < 0)
        return fail(cc, key, "must be a non-negative integer");
    return 0;
}

static int kw_number(struct compiler *cc, struct js_limit *out, const char *key,
                     struct json_object *v)
{
    if (json_object_is_type(v, json_type_boolean))
        return fail(cc, key, "must be a number (draft 2020-12), not a boolean");
    if (!jsonschema__num(&out->n, v))
        return fail(cc, key, "must be a number, got %s", jsonx_type_name(v));
    out->set = true;
    jsonschema__num_text(out->text, &out->n);
    return 0;
}

/* Check and compile a regular expression written at key (re is set up
 * only on success). */
static int kw_regex(struct compiler *cc, regex_t *re, const char *key, const char *src, size_t len)
{
    char why[160];
    if (strlen(src) != len)
        return fail(cc, key, "pattern contains a NUL character");
    if (!jsonschema__pattern_ok(src, why, sizeof(why)))
        return fail(cc, key, "%s", why);
    int rc = regcomp(re, src, REG_EXTENDED | REG_NOSUB);
    if (rc != 0) {
        regerror(rc, re, why, sizeof(why)); /* a failed regcomp leaves nothing to free */
        return fail(cc, key, "invalid regular expression (POSIX extended): %s", why);
    }
    return 0;
}

static int kw_properties(struct compiler *cc, struct jsonschema_node *n, struct json_object *v,
                         int depth)
{
    if (!json_object_is_type(v, json_type_object))
        return fail(cc, "properties", "must be an object of schemas");
    size_t len = (size_t)json_object_object_length(v), i = 0;
    n->props = xcalloc(len ? len : 1, sizeof(*n->props));
    size_t mark = jsonx_ptr_push(&cc->ptr, "properties");
    int rc = 0;
    for (struct lh_entry *e = lh_table_head(json_object_get_object(v)); e && rc == 0;
         e = lh_entry_next(e), i++) {
        n->props[i].name = (const char *)lh_entry_k(e);
        n->nprops = i + 1;
        rc = compile_at(cc, &n->props[i].node, n->props[i].name,
                        (struct json_object *)lh_entry_v(e), depth);
    }
    jsonx_ptr_pop(&cc->ptr, mark);
    return rc;
}

static int kw_required(struct compiler *cc, struct jsonschema_node *n, struct json_object *v)
{
    size_t len = jsonx_len(v);
    if (!json_object_is_type(v, json_type_array))
        return fail(cc, "required", "must be an array of field names");
    n->required = xcalloc(len ? len : 1, sizeof(*n->required));
    for (size_t i = 0; i < len; i++) {
        const char *name = jsonx_str(jsonx_at(v, i));
        size_t mark = jsonx_ptr_push(&cc->ptr, "required");
        jsonx_ptr_push_index(&cc->ptr, i);
        int rc = 0;
        if (!name)
            rc = fail(cc, NULL, "must be a field name (a string)");
        for (size_t k = 0; name && rc == 0 && k < i; k++)
            if (strcmp(n->required[k], name) == 0)
                rc = fail(cc, NULL, "lists \"%.60s\" twice", name);
        jsonx_ptr_pop(&cc->ptr, mark);
        if (rc < 0)
            return rc;
        n->required[n->nrequired++] = name;
    }
    return 0;
}

static int kw_pattern_properties(struct compiler *cc, struct jsonschema_node *n,
                                 struct json_object *v, int depth)
{
    if (!json_object_is_type(v, json_type_object))
        return fail(cc, "patternProperties", "must be an object of schemas");
    size_t len = (size_t)json_object_object_length(v);
    n->pattern_props = xcalloc(len ? len : 1, sizeof(*n->pattern_props));
    size_t mark = jsonx_ptr_push(&cc->ptr, "patternProperties");
    int rc = 0;
    for (struct lh_entry *e = lh_table_head(json_object_get_object(v)); e && rc == 0;
         e = lh_entry_next(e)) {
        struct js_pattern_prop *pp = &n->pattern_props[n->npattern_props++];
        const char *src = (const char *)lh_entry_k(e);
        rc = kw_regex(cc, &pp->re, src, src, strlen(src));
        if (rc == 0) {
            pp->compiled = true;
            rc = compile_at(cc, &pp->node, src, (struct json_object *)lh_entry_v(e), depth);
        }
    }
    jsonx_ptr_pop(&cc->ptr, mark);
    return rc;
}

static int kw_defs(struct compiler *cc, const struct jsonschema_node *n, const char *key,
                   struct json_object *v, int depth)
{
    if (!json_object_is_type(v, json_type_object))
        return fail(cc, key, "must be an object of schemas");
    size_t mark = jsonx_ptr_push(&cc->ptr, key);
    int rc = 0;
    for (struct lh_entry *e = lh_table_head(json_object_get_object(v)); e && rc == 0;
         e = lh_entry_next(e)) {
        struct jsonschema_node *d;
        const char *name = (const char *)lh_entry_k(e);
        rc = compile_at(cc, &d, name, (struct json_object *)lh_entry_v(e), depth);
        if (rc == 0 && n == cc->s->root) { /* "#/$defs/NAME" names the root's only */
            if (cc->ndefs == cc->defs_cap) {
                cc->defs_cap = cc->defs_cap ? cc->defs_cap * 2 : 8;
                cc->defs = xrealloc(cc->defs, cc->defs_cap * sizeof(*cc->defs));
            }
            cc->defs[cc->ndefs++] = (struct def){strcmp(key, "definitions") == 0, name, d};
        }
    }
    jsonx_ptr_pop(&cc->ptr, mark);
    return rc;
}

static int kw_ref(struct compiler *cc, struct jsonschema_node *n, struct json_object *v)
{
    if (!jsonx_str(v))
        return fail(cc, "$ref", "must be a string");
    size_t mark = jsonx_ptr_push(&cc->ptr, "$ref");
    n->ref_at = xstrdup(jsonx_ptr_cstr(&cc->ptr));
    jsonx_ptr_pop(&cc->ptr, mark);
    n->ref_text = xstrndup(jsonx_str(v), jsonx_str_len(v));
    if (cc->nrefs == cc->refs_cap) {
        cc->refs_cap = cc->refs_cap ? cc->refs_cap * 2 : 8;
        cc->refs = xrealloc(cc->refs,
                            cc->refs_cap * sizeof(*cc->refs)); // NOLINT(bugprone-sizeof-expression)
    }
    cc->refs[cc->nrefs++] = n;
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct js_prop *)a)->name, ((const struct js_prop *)b)->name);
}

/* Checks across keywords, once all of a schema's keywords are read. */
static int finish_node(struct compiler *cc, struct jsonschema_node *n)
{
    static const struct {
        const char *min, *max;
        size_t min_off, max_off;
    } pairs[] = {
        {"minLength", "maxLength", offsetof(struct jsonschema_node, min_length),
         offsetof(struct jsonschema_node, max_length)},
        {"minItems", "maxItems", offsetof(struct jsonschema_node, min_items),
         offsetof(struct jsonschema_node, max_items)},
        {"minProperties", "maxProperties", offsetof(struct jsonschema_node, min_props),
         offsetof(struct jsonschema_node, max_props)},
    };
    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        int64_t lo = *(const int64_t *)((const char *)n + pairs[i].min_off);
        int64_t hi = *(const int64_t *)((const char *)n + pairs[i].max_off);
        if (lo >= 0 && hi >= 0 && lo > hi)
            return fail(cc, pairs[i].min, "%lld is greater than %s %lld: nothing can match",
                        (long long)lo, pairs[i].max, (long long)hi);
    }
    if (n->minimum.set && n->maximum.set && jsonschema__num_cmp(&n->minimum.n, &n->maximum.n) == 1)
        return fail(cc, "minimum", "%s is greater than maximum %s: nothing can match",
                    n->minimum.text, n->maximum.text);

    bool closed = n->additional && n->additional->is_bool && !n->additional->bool_value;
    if (closed) {
        struct buf b;
        buf_init(&b, 0);
        buf_puts(&b, n->nprops ? "unknown field; allowed: " : "unknown field; no fields allowed");
        for (size_t i = 0; i < n->nprops; i++) {
            if (i > 0 && b.n > MSG_LIST_ROOM) {
                buf_puts(&b, ", ...");
                break;
            }
            buf_puts(&b, i ? ", " : "");
            buf_put(&b, n->props[i].name, strnlen(n->props[i].name, 40));
        }
        if (n->npattern_props)
            buf_puts(&b, n->nprops ? ", or a name matching a pattern"
                                   : " but names matching a pattern");
        n->unknown_msg = buf_take(&b);
        for (size_t i = 0; i < n->nrequired && n->npattern_props == 0; i++) {
            bool found = false;
            for (size_t k = 0; k < n->nprops && !found; k++)
                found = strcmp(n->props[k].name, n->required[i]) == 0;
            if (!found)
                return fail(cc, "required",
                            "\"%.60s\" is required but additionalProperties is false and it is "
                            "not in properties: nothing can match",
                            n->required[i]);
        }
    }
    if (n->not_) {
        const struct jsonschema_node *t = n->not_;
        if (t->enum_msg && !t->const_msg)
            n->not_msg =
                values_msg(jsonx_len(t->enum_values) == 1 ? "must not be " : "must not be any of ",
                           t->enum_values, false);
        else if (t->const_msg && !t->enum_msg)
            n->not_msg = values_msg("must not be ", t->const_value, true);
        else
            n->not_msg = xstrdup("is not allowed: it matches the schema under \"not\"");
    }
    if (n->nprops > 1)
        qsort(n->props, n->nprops, sizeof(*n->props), by_name);
    return 0;
}

/* One schema keyword; unknown ones are annotations and pass. depth is that
 * of the schemas the keyword holds (one more than n's). */
static int keyword(struct compiler *cc, struct jsonschema_node *n, const char *key,
                   struct json_object *v, int depth)
{
    if (strcmp(key, "type") == 0)
        return kw_type(cc, n, v);
    if (strcmp(key, "enum") == 0) {
        if (!json_object_is_type(v, json_type_array) || jsonx_len(v) == 0)
            return fail(cc, key, "must be a non-empty array");
        n->enum_values = v;
        n->enum_msg = values_msg(jsonx_len(v) == 1 ? "must be " : "must be one of ", v, false);
        return 0;
    }
    if (strcmp(key, "const") == 0) {
        n->has_const = true;
        n->const_value = v;
        n->const_msg = values_msg("must be ", v, true);
        return 0;
    }
    if (strcmp(key, "default") == 0) {
        size_t mark = jsonx_ptr_push(&cc->ptr, key);
        n->default_at = xstrdup(jsonx_ptr_cstr(&cc->ptr));
        jsonx_ptr_pop(&cc->ptr, mark);
        n->has_default = true;
        n->default_value = v;
        return 0;
    }
    if (strcmp(key, "properties") == 0)
        return kw_properties(cc, n, v, depth);
    if (strcmp(key, "required") == 0)
        return kw_required(cc, n, v);
    if (strcmp(key, "additionalProperties") == 0)
        return compile_at(cc, &n->additional, key, v, depth);
    if (strcmp(key, "patternProperties") == 0)
        return kw_pattern_properties(cc, n, v, depth);
    if (strcmp(key, "propertyNames") == 0)
        return compile_at(cc, &n->property_names, key, v, depth);
    if (strcmp(key, "minProperties") == 0)
        return kw_count(cc, &n->min_props, key, v);
    if (strcmp(key, "maxProperties") == 0)
        return kw_count(cc, &n->max_props, key, v);
    if (strcmp(key, "items") == 0) {
        if (json_object_is_type(v, json_type_array))
            return fail(cc, key,
                        "must be one schema; for a list of schemas use prefixItems "
                        "(draft 2020-12)");
        return compile_at(cc, &n->items, key, v, depth);
    }
    if (strcmp(key, "prefixItems") == 0)
        return compile_list(cc, &n->prefix_items, &n->nprefix_items, key, v, depth);
    if (strcmp(key, "minItems") == 0)
        return kw_count(cc, &n->min_items, key, v);
    if (strcmp(key, "maxItems") == 0)
        return kw_count(cc, &n->max_items, key, v);
    if (strcmp(key, "uniqueItems") == 0) {
        if (!json_object_is_type(v, json_type_boolean))
            return fail(cc, key, "must be true or false");
        n->unique_items = json_object_get_boolean(v);
        return 0;
    }
    if (strcmp(key, "minLength") == 0)
        return kw_count(cc, &n->min_length, key, v);
    if (strcmp(key, "maxLength") == 0)
        return kw_count(cc, &n->max_length, key, v);
    if (strcmp(key, "pattern") == 0) {
        if (!jsonx_str(v))
            return fail(cc, key, "must be a string");
        int rc = kw_regex(cc, &n->pattern, key, jsonx_str(v), jsonx_str_len(v));
        if (rc < 0)
            return rc;
        n->has_pattern = true;
        struct buf b;
        buf_init(&b, 0);
        buf_puts(&b, "must match the pattern ");
        buf_put(&b, jsonx_str(v), jsonx_str_len(v) > 140 ? 140 : jsonx_str_len(v));
        buf_puts(&b, jsonx_str_len(v) > 140 ? "..." : "");
        n->pattern_msg = buf_take(&b);
        return 0;
    }
    if (strcmp(key, "format") == 0) {
        if (!jsonx_str(v))
            return fail(cc, key, "must be a string");
        n->format = jsonschema__format_parse(jsonx_str(v));
        return 0;
    }
    if (strcmp(key, "minimum") == 0)
        return kw_number(cc, &n->minimum, key, v);
    if (strcmp(key, "maximum") == 0)
        return kw_number(cc, &n->maximum, key, v);
    if (strcmp(key, "exclusiveMinimum") == 0)
        return kw_number(cc, &n->exclusive_minimum, key, v);
    if (strcmp(key, "exclusiveMaximum") == 0)
        return kw_number(cc, &n->exclusive_maximum, key, v);
    if (strcmp(key, "multipleOf") == 0) {
        int rc = kw_number(cc, &n->multiple_of, key, v);
        if (rc < 0)
            return rc;
        const struct js_num *m = &n->multiple_of.n;
        bool positive = m->kind == JS_NUM_DBL ? m->d > 0 : m->kind == JS_NUM_U64 || m->i > 0;
        return positive ? 0 : fail(cc, key, "must be greater than 0");
    }
    if (strcmp(key, "allOf") == 0)
        return compile_list(cc, &n->all_of, &n->nall_of, key, v, depth);
    if (strcmp(key, "anyOf") == 0)
        return compile_list(cc, &n->any_of, &n->nany_of, key, v, depth);
    if (strcmp(key, "oneOf") == 0)
        return compile_list(cc, &n->one_of, &n->none_of, key, v, depth);
    if (strcmp(key, "not") == 0)
        return compile_at(cc, &n->not_, key, v, depth);
    if (strcmp(key, "if") == 0)
        return compile_at(cc, &n->if_, key, v, depth);
    if (strcmp(key, "then") == 0)
        return compile_at(cc, &n->then_, key, v, depth);
    if (strcmp(key, "else") == 0)
        return compile_at(cc, &n->else_, key, v, depth);
    if (strcmp(key, "$ref") == 0)
        return kw_ref(cc, n, v);
    if (strcmp(key, "$defs") == 0 || strcmp(key, "definitions") == 0)
        return kw_defs(cc, n, key, v, depth);
    for (size_t i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++)
        if (strcmp(key, unsupported[i]) == 0)
            return fail(cc, key, "keyword \"%s\" is not supported by inlet's validator", key);
    return 0;
}

/* Compile the schema v (the current pointer names it) into *out. depth
 * counts schemas from the root, which is 1. */
static int compile(struct compiler *cc, struct jsonschema_node **out, struct json_object *v,
                   int depth)
{
    struct jsonschema_node *n = node_new(cc);
    *out = n;
    if (depth >= JSONSCHEMA_DEPTH_MAX)
        return fail(cc, NULL, "schemas nested more than %d deep", JSONSCHEMA_DEPTH_MAX);
    if (json_object_is_type(v, json_type_boolean)) {
        n->is_bool = true;
        n->bool_value = json_object_get_boolean(v);
        return 0;
    }
    if (!json_object_is_type(v, json_type_object))
        return fail(cc, NULL, "expected a schema (an object or true/false), got %s",
                    jsonx_type_name(v));
    /* Document order, so the first problem reported is the first written. */
    for (struct lh_entry *e = lh_table_head(json_object_get_object(v)); e; e = lh_entry_next(e)) {
        int rc = keyword(cc, n, (const char *)lh_entry_k(e), (struct json_object *)lh_entry_v(e),
                         depth + 1);
        if (rc < 0)
            return rc;
    }
    return finish_node(cc, n);
}

/* ---- after the walk: $refs, loops, defaults ---- */

static int resolve_refs(struct compiler *cc)
{
    for (size_t i = 0; i < cc->nrefs; i++) {
        struct jsonschema_node *n = cc->refs[i];
        const char *t = n->ref_text, *name = NULL;
        bool legacy = false;
        if (strcmp(t, "#") == 0) {
            n->ref = cc->s->root;
            continue;
        }
        if (strncmp(t, "#/$defs/", 8) == 0)
            name = t + 8;
        else if (strncmp(t, "#/definitions/", 14) == 0) {
            name = t + 14;
            legacy = true;
        }
        if (!name || !*name || strchr(name, '/'))
            return fail_at(cc, n->ref_at,
                           "$ref \"%.60s\": only \"#\", \"#/$defs/NAME\" and "
                           "\"#/definitions/NAME\" are supported",
                           t);
        /* Undo the pointer escapes (~1 is '/', ~0 is '~'). */
        char *want = xstrdup(name), *w = want;
        for (const char *p = name; *p; p++) {
            if (*p == '~' && (p[1] == '0' || p[1] == '1')) {
                *w++ = p[1] == '0' ? '~' : '/';
                p++;
            } else {
                *w++ = *p;
            }
        }
        *w = '\0';
        for (size_t k = 0; k < cc->ndefs && !n->ref; k++)
            if (cc->defs[k].legacy == legacy && strcmp(cc->defs[k].name, want) == 0)
                n->ref = cc->defs[k].node;
        xfree(want);
        if (!n->ref)
            return fail_at(cc, n->ref_at, "$ref \"%.60s\": no such entry in the root's %s", t,
                           legacy ? "definitions" : "$defs");
    }
    return 0;
}

/* The k-th schema applied to the same value as n ($ref, allOf, anyOf,
 * oneOf, not, if, then, else): false past the last. */
static bool same_value_edge(const struct jsonschema_node *n, size_t *k,
                            struct jsonschema_node **out)
{
    for (;;) {
        size_t i = (*k)++;
        struct jsonschema_node *c;
        if (i == 0)
            c = n->ref;
        else if ((i -= 1) < n->nall_of)
            c = n->all_of[i];
        else if ((i -= n->nall_of) < n->nany_of)
            c = n->any_of[i];
        else if ((i -= n->nany_of) < n->none_of)
            c = n->one_of[i];
        else if ((i -= n->none_of) < 4)
            c = i == 0 ? n->not_ : i == 1 ? n->if_ : i == 2 ? n->then_ : n->else_;
        else
            return false;
        if (c) {
            *out = c;
            return true;
        }
    }
}

/* A cycle among same-value edges would recurse forever on any value, so
 * such a schema is refused rather than cut off at run time. Depth-first
 * with an explicit stack: a chain of $refs can be as long as the schema. */
static int check_loops(struct compiler *cc)
{
    struct frame {
        struct jsonschema_node *n;
        size_t next;
    } *stack = xcalloc(cc->s->nnodes, sizeof(*stack));
    int rc = 0;
    for (struct jsonschema_node *start = cc->s->nodes; start && rc == 0;
         start = start->next_alloc) {
        if (start->mark)
            continue;
        size_t top = 0;
        stack[top++] = (struct frame){start, 0};
        start->mark = 1;
        while (top > 0 && rc == 0) {
            struct frame *f = &stack[top - 1];
            struct jsonschema_node *c;
            if (!same_value_edge(f->n, &f->next, &c)) {
                f->n->mark = 2;
                top--;
            } else if (c->mark == 0) {
                c->mark = 1;
                stack[top++] = (struct frame){c, 0};
            } else if (c->mark == 1) {
                /* The loop runs from c to the top of the stack and back to c;
                 * only a $ref can close one. */
                size_t from = top;
                while (from > 0 && stack[from - 1].n != c)
                    from--;
                for (size_t i = from ? from - 1 : 0; i < top; i++)
                    if (stack[i].n->ref_at) {
                        rc = fail_at(cc, stack[i].n->ref_at,
                                     "$ref \"%.60s\" leads back to itself without going into a "
                                     "property or an item: it would never end",
                                     stack[i].n->ref_text);
                        break;
                    }
                assert(rc < 0);
            }
        }
    }
    xfree(stack);
    return rc;
}

static int check_defaults(struct compiler *cc)
{
    struct jsonschema_result *res = NULL;
    int rc = 0;
    for (struct jsonschema_node *n = cc->s->nodes; n && rc == 0; n = n->next_alloc) {
        if (!n->has_default)
            continue;
        if (!res)
            res = xmalloc(sizeof(*res));
        if (!jsonschema__validate_node(n, n->default_value, res))
            rc = fail_at(cc, n->default_at, "%.60s%s%s", res->errors[0].pointer,
                         *res->errors[0].pointer ? ": " : "", res->errors[0].message);
    }
    xfree(res);
    return rc;
}

int jsonschema_new(struct jsonschema **out, struct json_object *schema, struct err *err)
{
    struct compiler cc = {.err = err};
    struct jsonschema *s = xcalloc(1, sizeof(*s));
    int rc;

    *out = NULL;
    s->doc = json_object_get(schema);
    cc.s = s;
    jsonx_ptr_init(&cc.ptr);
    rc = compile(&cc, &s->root, schema, 1);
    if (rc == 0)
        rc = resolve_refs(&cc);
    if (rc == 0)
        rc = check_loops(&cc);
    if (rc == 0)
        rc = check_defaults(&cc);
    xfree(cc.defs);
    xfree(cc.refs);
    if (rc < 0) {
        jsonschema_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

void jsonschema_free(struct jsonschema *s)
{
    if (!s)
        return;
    for (struct jsonschema_node *n = s->nodes, *next; n; n = next) {
        next = n->next_alloc;
        node_free(n);
    }
    json_object_put(s->doc);
    xfree(s);
}
