/* sync/columns.c - see columns.h. A property's type is read off its schema
 * by joining (anyOf, type lists) and meeting (allOf, "type" beside
 * combinators) over the widening lattice. Names are normalized, then made
 * unique against a small open-addressing set of the names taken, so that
 * even COLS_MAX properties that all normalize alike stay cheap. Which JSON
 * values fit which column follows what PostgreSQL accepts, the stricter of
 * the two engines, so that a value that "fits" never fails a load there. */
#include "sync/columns.h"

#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/linkhash.h>

#include "core/alloc.h"
#include "core/jsonx.h"
#include "core/time.h"

/* ---- types ---- */

static const struct {
    const char *name, *pg, *sqlite;
} types[] = {
    /* SQLite has no boolean; the loader stores 0 and 1. No declared type,
     * because a boolean column may widen to TEXT and INTEGER affinity
     * would then turn a string "007" into 7. */
    [COL_BOOLEAN] = {"boolean", "BOOLEAN", ""},
    /* BIGINT is int64, as json-c's integers. On SQLite an int64 is stored
     * exactly with or without affinity; none, because after widening
     * INTEGER affinity rewrites numeric text ("0.100000000000000000000000000001"
     * becomes the REAL 0.1), and because a one-column key declared exactly
     * INTEGER becomes the rowid, which refuses all but integers ("datatype
     * mismatch") once the column has widened. */
    [COL_INTEGER] = {"integer", "BIGINT", ""},
    /* NUMERIC keeps a decimal as written (1.50 stays 1.50). SQLite's
     * NUMERIC affinity would round a decimal text past 15 significant
     * digits into a REAL; with no affinity the loader binds a REAL when 15
     * digits hold the value and its text otherwise, and both stay as bound. */
    [COL_NUMBER] = {"number", "NUMERIC", ""},
    /* An instant (microseconds) on PostgreSQL; on SQLite the RFC 3339 text
     * as written, which its date functions read. TEXT affinity only ever
     * widens to TEXT, so it is safe for the four types below. */
    [COL_TIMESTAMP] = {"timestamp", "TIMESTAMPTZ", "TEXT"},
    [COL_DATE] = {"date", "DATE", "TEXT"},
    /* A number bound into a TEXT column becomes its exact text. */
    [COL_TEXT] = {"text", "TEXT", "TEXT"},
    /* JSONB keeps numbers as NUMERIC (exact) and can be indexed; SQLite
     * keeps the compact JSON text, which json_extract() reads. */
    [COL_JSON] = {"json", "JSONB", "TEXT"},
};

#define NTYPES (sizeof(types) / sizeof(types[0]))

static bool type_valid(enum col_type t)
{
    return (unsigned)t < NTYPES;
}

const char *col_sql_type(enum col_type t, bool pg)
{
    assert(type_valid(t));
    return pg ? types[t].pg : types[t].sqlite;
}

const char *col_type_name(enum col_type t)
{
    assert(type_valid(t));
    return types[t].name;
}

enum col_type col_type_parse(const char *name)
{
    for (size_t i = 0; name && i < NTYPES; i++)
        if (strcmp(types[i].name, name) == 0)
            return (enum col_type)i;
    return COL_TEXT;
}

enum col_type col_widen(enum col_type have, enum col_type want)
{
    assert(type_valid(have) && type_valid(want));
    if (have == want)
        return have;
    if ((have == COL_INTEGER || have == COL_NUMBER) && (want == COL_INTEGER || want == COL_NUMBER))
        return COL_NUMBER;
    /* Everything else meets in TEXT, a JSON value included (as its JSON
     * text): one universal type, which every PostgreSQL type casts to. */
    return COL_TEXT;
}

/* ---- values ---- */

/* PostgreSQL's NUMERIC: a weight of at most 32767 base-10000 digits before
 * the point and a display scale of at most 16383 (numeric.c, make_result),
 * also for the numbers inside JSONB. */
#define PG_NUMERIC_INT_DIGITS 131072
#define PG_NUMERIC_SCALE_MAX  16383
#define JSON_FIT_DEPTH        256 /* deeper values are not walked: they fit TEXT */

/* Whether a JSON number's text s (as jsonx keeps it) is one NUMERIC takes. */
static bool numeric_ok(const char *s)
{
    int64_t nint = 0, nfrac = 0, pos = 0, lead = -1, exp = 0;
    bool neg = false;

    if (*s == '-')
        s++;
    for (; *s >= '0' && *s <= '9'; s++, pos++, nint++)
        if (lead < 0 && *s != '0')
            lead = pos;
    if (*s == '.')
        for (s++; *s >= '0' && *s <= '9'; s++, pos++, nfrac++)
            if (lead < 0 && *s != '0')
                lead = pos;
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-')
            neg = *s++ == '-';
        for (; *s >= '0' && *s <= '9'; s++)
            if (exp < 1000000000) /* saturates far past both limits */
                exp = exp * 10 + (*s - '0');
        if (neg)
            exp = -exp;
    }
    /* Not digits at all: "NaN", "Infinity" (a double made in code). */
    if (*s || nint + nfrac == 0)
        return false;
    /* PostgreSQL counts the digits written after the point, zeros too. */
    if (nfrac - exp > PG_NUMERIC_SCALE_MAX)
        return false;
    return lead < 0 || nint + exp - lead <= PG_NUMERIC_INT_DIGITS;
}

/* An integer in int64 range: json-c reads a uint64 past INT64_MAX as
 * INT64_MAX through get_int64. */
static bool is_int64(struct json_object *v)
{
    return json_object_is_type(v, json_type_int) &&
           !(json_object_get_int64(v) == INT64_MAX && json_object_get_uint64(v) > INT64_MAX);
}

static bool has_nul(struct json_object *str)
{
    return memchr(json_object_get_string(str), '\0', (size_t)json_object_get_string_len(str)) !=
           NULL;
}

/* Whether JSONB takes v: no NUL in a string, every decimal NUMERIC's. */
static bool json_fits(struct json_object *v, int depth)
{
    if (depth > JSON_FIT_DEPTH)
        return false;
    switch (json_object_get_type(v)) {
    case json_type_string:
        return !has_nul(v);
    case json_type_double:
        return numeric_ok(json_object_get_string(v));
    case json_type_array:
        for (size_t i = 0; i < jsonx_len(v); i++)
            if (!json_fits(jsonx_at(v, i), depth + 1))
                return false;
        return true;
    case json_type_object: {
        json_object_object_foreach(v, key, member)
        {
            (void)key; /* jsonx refuses "\u0000" in keys */
            if (!json_fits(member, depth + 1))
                return false;
        }
        return true;
    }
    default:
        return true;
    }
}

/* An RFC 3339 date-time whose offset PostgreSQL takes: it refuses 16 hours
 * and more ("time zone displacement out of range"), which RFC 3339 allows
 * up to 23:59. */
static bool timestamp_ok(const char *s, size_t n)
{
    int64_t ms;
    if (time_parse_rfc3339(&ms, s, n, NULL) < 0)
        return false;
    if (s[n - 1] == 'Z' || s[n - 1] == 'z')
        return true;
    /* The offset's sign is the last '+' or '-'; the date's come before the
     * 'T' at byte 10, and the parser has checked the shape. */
    size_t i = n;
    while (i > 11 && s[i - 1] != '+' && s[i - 1] != '-')
        i--;
    return (s[i] - '0') * 10 + (s[i + 1] - '0') < 16;
}

bool col_value_fits(enum col_type t, struct json_object *v)
{
    int64_t ms;

    assert(type_valid(t));
    if (!v)
        return true;
    switch (t) {
    case COL_BOOLEAN:
        return json_object_is_type(v, json_type_boolean);
    case COL_INTEGER:
        return is_int64(v);
    case COL_NUMBER:
        return json_object_is_type(v, json_type_int) ||
               (json_object_is_type(v, json_type_double) && numeric_ok(json_object_get_string(v)));
    case COL_TIMESTAMP:
        return json_object_is_type(v, json_type_string) &&
               timestamp_ok(json_object_get_string(v), (size_t)json_object_get_string_len(v));
    case COL_DATE:
        return json_object_is_type(v, json_type_string) &&
               time_parse_date(&ms, json_object_get_string(v),
                               (size_t)json_object_get_string_len(v), NULL) == 0;
    case COL_JSON:
        return (json_object_is_type(v, json_type_object) ||
                json_object_is_type(v, json_type_array)) &&
               json_fits(v, 0);
    case COL_TEXT:
        return true;
    }
    return false;
}

enum col_type col_value_type(struct json_object *v)
{
    assert(v);
    switch (json_object_get_type(v)) {
    case json_type_boolean:
        return COL_BOOLEAN;
    case json_type_int:
        return is_int64(v) ? COL_INTEGER : COL_NUMBER;
    case json_type_double:
        return col_value_fits(COL_NUMBER, v) ? COL_NUMBER : COL_TEXT;
    case json_type_object:
    case json_type_array:
        return col_value_fits(COL_JSON, v) ? COL_JSON : COL_TEXT;
    default:
        return COL_TEXT;
    }
}

/* ---- a property's type, from its schema ---- */

/* Beside the column types, while reading a schema: T_NONE allows only
 * null (the bottom: join(T_NONE, x) = x), T_ANY allows anything (the top
 * for meet: meet(T_ANY, x) = x). Either becomes JSON at the end. */
#define T_NONE           (-1)
#define T_ANY            (-2)
#define SCHEMA_DEPTH_MAX 32 /* nested combinators read; deeper says "anything" */

static int join(int a, int b)
{
    if (a == T_NONE)
        return b;
    if (b == T_NONE)
        return a;
    if (a == T_ANY || b == T_ANY)
        return T_ANY;
    return (int)col_widen((enum col_type)a, (enum col_type)b);
}

static int meet(int a, int b)
{
    if (a == T_ANY)
        return b;
    if (b == T_ANY)
        return a;
    if (a == T_NONE || b == T_NONE)
        return T_NONE;
    if (a == b)
        return a;
    int w = (int)col_widen((enum col_type)a, (enum col_type)b);
    if (w == a)
        return b;
    if (w == b)
        return a;
    return T_NONE; /* no value but null is both */
}

/* One name of a "type" keyword; format matters for strings only. */
static int one_type(const char *name, struct json_object *schema)
{
    if (strcmp(name, "null") == 0)
        return T_NONE;
    if (strcmp(name, "integer") == 0)
        return COL_INTEGER;
    if (strcmp(name, "number") == 0)
        return COL_NUMBER;
    if (strcmp(name, "boolean") == 0)
        return COL_BOOLEAN;
    if (strcmp(name, "object") == 0 || strcmp(name, "array") == 0)
        return COL_JSON;
    if (strcmp(name, "string") == 0) {
        const char *f = jsonx_str(jsonx_get(schema, "format"));
        if (f && strcmp(f, "date-time") == 0)
            return COL_TIMESTAMP;
        if (f && strcmp(f, "date") == 0)
            return COL_DATE;
        return COL_TEXT;
    }
    return T_ANY; /* not a JSON Schema type: assume the worst */
}

/* The type of a "type" keyword: a name, or a list of names joined. */
static int type_keyword(struct json_object *type, struct json_object *schema)
{
    if (jsonx_str(type))
        return one_type(jsonx_str(type), schema);
    if (!json_object_is_type(type, json_type_array))
        return T_ANY;
    int t = T_NONE;
    for (size_t i = 0; i < jsonx_len(type); i++)
        if (jsonx_str(jsonx_at(type, i)))
            t = join(t, one_type(jsonx_str(jsonx_at(type, i)), schema));
    return t;
}

static int schema_type(struct json_object *s, int depth)
{
    static const char *const unions[] = {"anyOf", "oneOf"};
    int t = T_ANY;

    if (!json_object_is_type(s, json_type_object))
        /* false allows nothing; true (and anything else) everything */
        return json_object_is_type(s, json_type_boolean) && !json_object_get_boolean(s) ? T_NONE
                                                                                        : T_ANY;
    if (depth > SCHEMA_DEPTH_MAX)
        return T_ANY;
    if (jsonx_get(s, "type"))
        t = meet(t, type_keyword(jsonx_get(s, "type"), s));
    for (size_t u = 0; u < 2; u++) {
        struct json_object *arr = jsonx_get(s, unions[u]);
        if (!json_object_is_type(arr, json_type_array))
            continue;
        int any = T_NONE;
        for (size_t i = 0; i < jsonx_len(arr); i++)
            any = join(any, schema_type(jsonx_at(arr, i), depth + 1));
        t = meet(t, any);
    }
    struct json_object *all = jsonx_get(s, "allOf");
    for (size_t i = 0; json_object_is_type(all, json_type_array) && i < jsonx_len(all); i++)
        t = meet(t, schema_type(jsonx_at(all, i), depth + 1));
    if (jsonx_has(s, "const")) {
        struct json_object *c = jsonx_get(s, "const");
        t = meet(t, c ? (int)col_value_type(c) : T_NONE);
    }
    struct json_object *en = jsonx_get(s, "enum");
    if (json_object_is_type(en, json_type_array)) {
        int any = T_NONE;
        for (size_t i = 0; i < jsonx_len(en); i++)
            if (jsonx_at(en, i))
                any = join(any, (int)col_value_type(jsonx_at(en, i)));
        t = meet(t, any);
    }
    return t;
}

static enum col_type property_type(struct json_object *prop)
{
    int t = schema_type(prop, 0);
    /* Untyped or null-only: JSON holds the objects and arrays such a
     * property most often carries; a scalar widens it to TEXT. */
    return t < 0 ? COL_JSON : (enum col_type)t;
}

/* ---- names ---- */

/* PostgreSQL refuses these as column names ("conflicts with a system
 * column name"); "oid" is free since PostgreSQL 12. */
static const char *const pg_system_columns[] = {"ctid", "xmin", "xmax", "cmin", "cmax", "tableoid"};

static bool is_system_column(const char *s)
{
    for (size_t i = 0; i < sizeof(pg_system_columns) / sizeof(pg_system_columns[0]); i++)
        if (strcmp(s, pg_system_columns[i]) == 0)
            return true;
    return false;
}

/* FNV-1a (64 bits) over a then b. */
static uint64_t fnv1a(const char *a, const char *b)
{
    uint64_t h = 14695981039346656037u;
    for (const char *p = a; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211u;
    for (const char *p = b; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211u;
    return h;
}

#define HASH_HEX 12 /* hex digits of the hash ending a cut name: 48 bits */

/* The identifier for prefix then s (prefix "" for a column): ASCII letters
 * lower-cased, [a-z0-9_] kept, each run of other bytes one '_' (a UTF-8
 * character is one run); then a '_' in front of a leading digit, of
 * "_inlet_" and (columns) of a PostgreSQL system column; "_" for nothing;
 * past COL_NAME_MAX bytes, the first 50 and "_" and a hash of the whole. */
static void normalize(char out[COL_NAME_MAX + 1], const char *prefix, const char *s, bool column)
{
    char buf[2 * COL_NAME_MAX + 8];
    char *t = buf + 1; /* buf[0]: room for one '_' in front */
    const size_t cap = sizeof(buf) - 2;
    const char *parts[2] = {prefix, s};
    size_t n = 0;
    bool gap = false;

    for (size_t k = 0; k < 2 && n < cap; k++) {
        for (const unsigned char *p = (const unsigned char *)parts[k]; *p && n < cap; p++) {
            unsigned char c = *p >= 'A' && *p <= 'Z' ? (unsigned char)(*p - 'A' + 'a') : *p;
            bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
            if (!ok && gap)
                continue;
            gap = !ok;
            t[n++] = (char)(ok ? c : '_');
        }
    }
    if (n == 0)
        t[n++] = '_';
    t[n] = '\0';
    if ((t[0] >= '0' && t[0] <= '9') || strncmp(t, "_inlet_", 7) == 0 ||
        (column && is_system_column(t))) {
        *--t = '_';
        n++;
    }
    if (n <= COL_NAME_MAX) {
        memcpy(out, t, n + 1);
        return;
    }
    /* Cut: the kept start keeps the rules above (they look at 8 bytes at
     * most), and the hash of the whole name tells long names apart. */
    snprintf(out, COL_NAME_MAX + 1, "%.*s_%0*llx", COL_NAME_MAX - 1 - HASH_HEX, t, HASH_HEX,
             (unsigned long long)(fnv1a(prefix, s) & ((1ULL << (4 * HASH_HEX)) - 1)));
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
    assert(n >= COL_NAME_MAX + 1);
    (void)n;
    normalize(out, prefix ? prefix : "", stream, false);
}

void col_quote(struct buf *b, const char *name)
{
    assert(col_name_valid(name));
    buf_putc(b, '"');
    for (const char *p = name; *p; p++) {
        if (*p == '"') /* never, for a valid name; kept should one slip by */
            buf_putc(b, '"');
        buf_putc(b, *p);
    }
    buf_putc(b, '"');
}

/* The names taken in one table: open addressing over borrowed strings,
 * sized once for every name it will hold (at most half full). */
struct names {
    const char **slot; /* from xcalloc; the strings are the columns' */
    size_t mask;
};

static void names_init(struct names *ns, size_t most)
{
    size_t cap = 16;
    while (cap < 2 * most)
        cap *= 2;
    ns->slot = xcalloc(cap, sizeof(*ns->slot));
    ns->mask = cap - 1;
}

static void names_dispose(struct names *ns)
{
    xfree(ns->slot);
    ns->slot = NULL;
}

/* The slot holding s, or the empty slot where it would go. */
static const char **names_slot(const struct names *ns, const char *s)
{
    size_t i = (size_t)fnv1a("", s) & ns->mask;
    while (ns->slot[i] && strcmp(ns->slot[i], s) != 0)
        i = (i + 1) & ns->mask;
    return &ns->slot[i];
}

static bool names_has(const struct names *ns, const char *s)
{
    return *names_slot(ns, s) != NULL;
}

static void names_add(struct names *ns, const char *s)
{
    *names_slot(ns, s) = s;
}

/* A column still to name, sorted by its property. */
struct unnamed {
    const char *property; /* borrowed from the column */
    size_t index;         /* in the set */
};

static int by_property(const void *a, const void *b)
{
    return strcmp(((const struct unnamed *)a)->property, ((const struct unnamed *)b)->property);
}

/* Name the columns s->v[from..n), around the names in taken (which gets
 * theirs). A property already in normal form claims its own name first,
 * so "first_name" is first_name whatever else the schema holds and in
 * whatever order; the others follow in byte order of their property, not
 * the schema's, so that a producer that reorders properties (a Go map)
 * names them the same each time. A taken name gets "_2", "_3", ... */
static void name_columns(struct col_set *s, size_t from, struct names *taken)
{
    char base[COL_NAME_MAX + 1], name[COL_NAME_MAX + 1];
    struct unnamed *rest;
    size_t nrest = 0;

    if (from == s->n)
        return;
    rest = xmalloc((s->n - from) * sizeof(*rest));
    for (size_t i = from; i < s->n; i++) {
        normalize(base, "", s->v[i].property, true);
        if (strcmp(base, s->v[i].property) == 0 && !names_has(taken, base)) {
            s->v[i].name = xstrdup(base);
            names_add(taken, s->v[i].name);
        } else {
            rest[nrest++] = (struct unnamed){.property = s->v[i].property, .index = i};
        }
    }
    qsort(rest, nrest, sizeof(*rest), by_property);
    for (size_t i = 0; i < nrest; i++) {
        struct col *c = &s->v[rest[i].index];
        normalize(base, "", c->property, true);
        memcpy(name, base, sizeof(base));
        for (unsigned k = 2; names_has(taken, name); k++) {
            char suffix[16];
            int sn = snprintf(suffix, sizeof(suffix), "_%u", k);
            snprintf(name, sizeof(name), "%.*s%s", COL_NAME_MAX - sn, base, suffix);
        }
        c->name = xstrdup(name);
        names_add(taken, c->name);
    }
    xfree(rest);
}

/* ---- sets ---- */

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

struct col *col_set_find(const struct col_set *s, const char *property)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i].property, property) == 0)
            return &s->v[i];
    return NULL;
}

/* A property name for a message: at most 48 bytes, cut on a UTF-8
 * boundary, control bytes as '?', quotes and backslashes escaped. */
static void message_name(char out[112], const char *s)
{
    size_t cut = strlen(s), o = 0;
    bool more = cut > 48;
    if (more)
        for (cut = 48; cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80; cut--)
            ;
    for (size_t i = 0; i < cut; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            out[o++] = '\\';
        out[o++] = (char)(c < 0x20 || c == 0x7f ? '?' : c);
    }
    out[o] = '\0';
    if (more)
        memcpy(out + o, "...", 4);
}

/* Whether a root "type" allows objects (no "type" does). */
static bool allows_object(struct json_object *type)
{
    if (!type)
        return true;
    if (jsonx_str(type))
        return strcmp(jsonx_str(type), "object") == 0;
    for (size_t i = 0; i < jsonx_len(type); i++)
        if (jsonx_str(jsonx_at(type, i)) && strcmp(jsonx_str(jsonx_at(type, i)), "object") == 0)
            return true;
    return false;
}

static int keys_mark(struct col_set *s, struct json_object *keys, struct err *err)
{
    char name[112];

    if (!keys)
        return 0;
    if (!json_object_is_type(keys, json_type_array))
        return err_set(err, ERR_INVALID, "/key_properties: expected an array, got %s",
                       jsonx_type_name(keys));
    if (jsonx_len(keys) > COLS_KEYS_MAX)
        return err_set(err, ERR_INVALID,
                       "/key_properties: %zu key properties, at most %d (PostgreSQL's limit for "
                       "a primary key)",
                       jsonx_len(keys), COLS_KEYS_MAX);
    for (size_t i = 0; i < jsonx_len(keys); i++) {
        struct json_object *k = jsonx_at(keys, i);
        struct col *c;
        if (!jsonx_str(k))
            return err_set(err, ERR_INVALID, "/key_properties/%zu: expected a string, got %s", i,
                           jsonx_type_name(k));
        if (!(c = col_set_find(s, jsonx_str(k)))) {
            message_name(name, jsonx_str(k));
            return err_set(err, ERR_INVALID,
                           "/key_properties/%zu: \"%s\" is not a property of the schema", i, name);
        }
        c->key = true;
    }
    return 0;
}

int col_set_from_schema(struct col_set *out, struct json_object *schema,
                        struct json_object *key_properties, struct err *err)
{
    struct json_object *props = jsonx_get(schema, "properties");
    struct names taken;
    size_t n;
    int rc;

    memset(out, 0, sizeof(*out));
    if (!json_object_is_type(schema, json_type_object))
        return err_set(err, ERR_INVALID, "/schema: expected an object, got %s",
                       jsonx_type_name(schema));
    if (!allows_object(jsonx_get(schema, "type")))
        return err_set(err, ERR_INVALID,
                       "/schema/type: a stream's records are objects; expected \"object\"");
    if (props && !json_object_is_type(props, json_type_object))
        return err_set(err, ERR_INVALID, "/schema/properties: expected an object, got %s",
                       jsonx_type_name(props));
    n = props ? (size_t)json_object_object_length(props) : 0;
    if (n > COLS_MAX)
        return err_set(err, ERR_INVALID, "/schema/properties: %zu properties, at most %d", n,
                       COLS_MAX);
    if (n)
        out->v = xcalloc(n, sizeof(*out->v));
    if (props) {
        json_object_object_foreach(props, name, prop)
        {
            struct col *c = &out->v[out->n++];
            c->property = xstrdup(name);
            c->type = property_type(prop);
        }
    }
    if ((rc = keys_mark(out, key_properties, err)) < 0) {
        col_set_dispose(out);
        return rc;
    }
    names_init(&taken, out->n);
    name_columns(out, 0, &taken);
    names_dispose(&taken);
    return 0;
}

int col_set_merge(struct col_set *table, const struct col_set *incoming,
                  struct col_change **changes, size_t *nchanges, struct err *err)
{
    size_t old = table->n, add = 0, nch = 0;
    struct col_change *ch;
    struct names taken;

    *changes = NULL;
    *nchanges = 0;
    for (size_t i = 0; i < incoming->n; i++)
        if (!col_set_find(table, incoming->v[i].property))
            add++;
    if (old + add > COLS_MAX)
        return err_set(err, ERR_INVALID,
                       "/schema/properties: the table would have %zu columns, at most %d",
                       old + add, COLS_MAX);
    if (incoming->n == 0)
        return 0;
    ch = xmalloc(incoming->n * sizeof(*ch));
    if (add)
        table->v = xrealloc(table->v, (old + add) * sizeof(*table->v));
    for (size_t i = 0; i < incoming->n; i++) {
        const struct col *in = &incoming->v[i];
        struct col *have = col_set_find(table, in->property);
        if (!have) {
            table->v[table->n++] =
                (struct col){.property = xstrdup(in->property), .type = in->type, .key = in->key};
            continue;
        }
        enum col_type to = col_widen(have->type, in->type);
        if (to != have->type) {
            ch[nch++] = (struct col_change){
                .kind = COL_ALTER, .index = (size_t)(have - table->v), .from = have->type};
            have->type = to;
        }
    }
    names_init(&taken, table->n);
    for (size_t i = 0; i < old; i++) {
        assert(table->v[i].name);
        names_add(&taken, table->v[i].name);
    }
    name_columns(table, old, &taken);
    names_dispose(&taken);
    for (size_t i = old; i < table->n; i++)
        ch[nch++] = (struct col_change){.kind = COL_ADD, .index = i};
    if (nch == 0) {
        xfree(ch);
        return 0;
    }
    *changes = ch;
    *nchanges = nch;
    return 0;
}
