/* map/transform.c - a field's transform steps: parsed once from JSON and
 * checked against the field's type (transform.h), applied to each record's
 * value, and the coercion of the result to the field's type and rule. The
 * text work (numbers, dates, domains) is map/convert.c's.
 *
 * What a step keeps from its JSON (an enum map, a constant) is a deep copy:
 * the connector documents the registry shares between threads must never
 * have their reference counts or print buffers touched. */
#include "map/transform.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/linkhash.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/str.h"
#include "core/time.h"
#include "map/convert.h"

enum op {
    OP_TRIM,
    OP_LOWER,
    OP_UPPER,
    OP_EMAIL_DOMAIN,
    OP_URL_DOMAIN,
    OP_ENUM,
    OP_DATE,
    OP_NUMBER,
    OP_CONST,
    OP_DEFAULT,
};

static const char *const op_names[] = {"trim", "lower", "upper",  "email_domain", "url_domain",
                                       "enum", "date",  "number", "const",        "default"};

struct step {
    enum op op;
    struct json_object *value;    /* ENUM: the map; CONST, DEFAULT: the value (deep copies) */
    struct json_object *fallback; /* ENUM: "default" (a deep copy; may be null) */
    bool has_fallback;
    bool ignore_case; /* ENUM */
    char *format;     /* DATE: a strptime-like format (xmalloc); NULL: ISO 8601 or epoch */
    int64_t unit;     /* DATE: 1000 "epoch", 1 "epoch_ms", 0 otherwise */
    char dec, group;  /* NUMBER */
    int shift;        /* NUMBER: times 10^shift */
};

struct transform {
    size_t n;
    struct step v[]; /* n of them */
};

/* ---- values ---- */

/* The text of a JSON number without json_object_get_string, which writes
 * a print buffer into the value: a transform's constants are read by many
 * threads at once. A decimal keeps the text it was parsed from (json-c's
 * double_s userdata); *own gets the text made for an integer. */
static const char *number_text(struct json_object *v, char **own)
{
    char t[32];
    if (json_object_is_type(v, json_type_double)) {
        const char *ds = json_object_get_userdata(v);
        if (ds)
            return ds;
        snprintf(t, sizeof(t), "%.17g", json_object_get_double(v));
    } else if (json_object_get_int64(v) == INT64_MAX) {
        snprintf(t, sizeof(t), "%llu", (unsigned long long)json_object_get_uint64(v));
    } else {
        snprintf(t, sizeof(t), "%lld", (long long)json_object_get_int64(v));
    }
    return *own = xstrdup(t);
}

void transform_value_of(struct transform_value *out, struct json_object *v)
{
    memset(out, 0, sizeof(*out));
    switch (json_object_get_type(v)) {
    case json_type_string:
        out->kind = TRANSFORM_TEXT;
        out->s = json_object_get_string(v);
        break;
    case json_type_int:
    case json_type_double:
        out->kind = TRANSFORM_NUMBER;
        out->s = number_text(v, &out->own);
        break;
    case json_type_boolean:
        out->kind = TRANSFORM_BOOL;
        out->i = json_object_get_boolean(v);
        break;
    case json_type_object:
    case json_type_array:
        out->kind = TRANSFORM_JSON;
        out->json = v;
        break;
    case json_type_null:
    default:
        out->kind = TRANSFORM_NULL;
    }
}

void transform_value_dispose(struct transform_value *v)
{
    xfree(v->own);
    memset(v, 0, sizeof(*v));
}

/* Replace v with text s (taken: xmalloc). */
static void set_text_take(struct transform_value *v, enum transform_kind kind, char *s)
{
    transform_value_dispose(v);
    v->kind = kind;
    v->s = v->own = s;
}

/* v as text into *s (borrowed from v or from tmp, which the caller
 * disposes); false for null. Instants are RFC 3339, booleans true/false,
 * objects and arrays compact JSON. */
static bool text_of(const struct transform_value *v, const char **s, struct buf *tmp)
{
    char t[TIME_RFC3339_MAX];
    switch (v->kind) {
    case TRANSFORM_TEXT:
    case TRANSFORM_NUMBER:
        *s = v->s;
        return true;
    case TRANSFORM_BOOL:
        *s = v->i ? "true" : "false";
        return true;
    case TRANSFORM_TIME:
        time_format_rfc3339(t, v->i);
        buf_puts(tmp, t);
        *s = buf_cstr(tmp);
        return true;
    case TRANSFORM_JSON: {
        /* Printed from a copy: the value may be a transform's constant. */
        struct json_object *copy = NULL;
        if (json_object_deep_copy(v->json, &copy, NULL) != 0)
            abort(); /* only out of memory fails a copy of parsed JSON */
        jsonx_format(tmp, copy);
        json_object_put(copy);
        *s = buf_cstr(tmp);
        return true;
    }
    case TRANSFORM_NULL:
    default:
        return false;
    }
}

/* Empty: null, or text of white space only. */
static bool is_empty(const struct transform_value *v)
{
    if (v->kind == TRANSFORM_NULL)
        return true;
    if (v->kind != TRANSFORM_TEXT)
        return false;
    struct str t = str_trim(str_from(v->s));
    return t.n == 0;
}

struct json_object *transform_to_json(const struct transform_value *v)
{
    char t[TIME_RFC3339_MAX];
    struct json_object *r = NULL;
    switch (v->kind) {
    case TRANSFORM_TEXT:
        r = json_object_new_string(v->s);
        break;
    case TRANSFORM_NUMBER: {
        struct json_object *num = NULL;
        /* The number's own text, as JSON: jsonx keeps it exactly. */
        if (jsonx_parse(&num, v->s, strlen(v->s), strlen(v->s) + 1, NULL) == 0)
            r = num;
        else
            r = json_object_new_string(v->s);
        break;
    }
    case TRANSFORM_BOOL:
        r = json_object_new_boolean(v->i != 0);
        break;
    case TRANSFORM_TIME:
        time_format_rfc3339(t, v->i);
        r = json_object_new_string(t);
        break;
    case TRANSFORM_JSON:
        if (json_object_deep_copy(v->json, &r, NULL) != 0)
            r = NULL;
        break;
    case TRANSFORM_NULL:
    default:
        return NULL;
    }
    if (!r && v->kind != TRANSFORM_NULL)
        abort(); /* json-c out of memory: ours aborts too (core/alloc.h) */
    return r;
}

/* ---- parsing ---- */

static struct json_object *copy_of(struct json_object *v)
{
    struct json_object *r = NULL;
    if (v && json_object_deep_copy(v, &r, NULL) != 0)
        abort(); /* only out of memory fails a copy of parsed JSON */
    return r;
}

/* "POINTER: problem" into err, at the pointer at. */
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

/* Which field types a step's result can go to. Text steps feed anything
 * (the coercion reads text); the others make one kind of value. */
static bool fits(enum op op, enum model_type t)
{
    if (t == MODEL_JSON || t == MODEL_TEXT)
        return true;
    switch (op) {
    case OP_EMAIL_DOMAIN:
    case OP_URL_DOMAIN:
        return t == MODEL_DOMAIN;
    case OP_DATE:
        return t == MODEL_DATE || t == MODEL_TIMESTAMP;
    case OP_NUMBER:
        return t == MODEL_INTEGER || t == MODEL_DECIMAL;
    default:
        return true;
    }
}

static const char *type_article(enum model_type t)
{
    return t == MODEL_INTEGER || t == MODEL_EMAIL ? "an" : "a";
}

/* A one-character separator of a number format. */
static int separator(char *out, struct json_object *v, bool allow_none, struct jsonx_ptr *at,
                     struct err *err)
{
    const char *s = jsonx_str(v);
    if (!s || strlen(s) > 1 || (!*s && !allow_none) || (*s && strchr("0123456789+-", *s)))
        return bad(err, at, "expected one character that is not a digit or a sign%s",
                   allow_none ? " (or \"\" for none)" : "");
    *out = *s;
    return 0;
}

static int parse_number(struct step *st, struct json_object *arg, struct jsonx_ptr *at,
                        struct err *err)
{
    st->dec = '.';
    st->group = ',';
    if (!arg)
        return 0;
    if (!json_object_is_type(arg, json_type_object))
        return bad(err, at, "expected an object with decimal, group or times");
    json_object_object_foreach(arg, k, v)
    {
        size_t mark = jsonx_ptr_push(at, k);
        int rc = 0;
        if (strcmp(k, "decimal") == 0) {
            rc = separator(&st->dec, v, false, at, err);
        } else if (strcmp(k, "group") == 0) {
            rc = separator(&st->group, v, true, at, err);
        } else if (strcmp(k, "times") == 0) {
            int64_t x = json_object_is_type(v, json_type_int) ? json_object_get_int64(v) : 0;
            int shift = 0;
            while (x >= 10 && x % 10 == 0 && shift < 18) {
                x /= 10;
                shift++;
            }
            if (x != 1 || !json_object_is_type(v, json_type_int))
                rc = bad(err, at, "expected a power of ten from 1 to 10^18 (an exact shift)");
            st->shift = shift;
        } else {
            rc = bad(err, at, "unknown member (expected decimal, group, times)");
        }
        if (rc < 0)
            return rc;
        jsonx_ptr_pop(at, mark);
    }
    if (st->dec == st->group) {
        jsonx_ptr_push(at, "group");
        return bad(err, at, "the group and decimal separators must differ");
    }
    return 0;
}

static int parse_date(struct step *st, struct json_object *arg, struct jsonx_ptr *at,
                      struct err *err)
{
    const char *f = jsonx_str(arg);
    struct err e;
    if (!f)
        return bad(err, at,
                   "expected \"iso8601\", \"epoch\", \"epoch_ms\" or a format such as "
                   "\"%%m/%%d/%%Y\"");
    if (strcmp(f, "iso8601") == 0)
        return 0;
    if (strcmp(f, "epoch") == 0 || strcmp(f, "epoch_ms") == 0) {
        st->unit = f[5] ? 1 : 1000;
        return 0;
    }
    if (convert_format_check(f, &e) < 0)
        return bad(err, at, "%s", e.msg);
    st->format = xstrdup(f);
    return 0;
}

static int parse_enum(struct step *st, struct json_object *obj, struct jsonx_ptr *at,
                      struct err *err)
{
    struct json_object *map = jsonx_get(obj, "enum");
    size_t mark = jsonx_ptr_push(at, "enum");
    if (!json_object_is_type(map, json_type_object))
        return bad(err, at, "expected an object of source value -> value");
    if (json_object_object_length(map) > TRANSFORM_ENUM_MAX)
        return bad(err, at, "over %d entries", TRANSFORM_ENUM_MAX);
    json_object_object_foreach(map, k, v)
    {
        if (json_object_is_type(v, json_type_object) || json_object_is_type(v, json_type_array)) {
            jsonx_ptr_push(at, k);
            return bad(err, at, "expected a string, number, boolean or null");
        }
    }
    jsonx_ptr_pop(at, mark);
    json_object_object_foreach(obj, key, val)
    {
        mark = jsonx_ptr_push(at, key);
        if (strcmp(key, "default") == 0) {
            st->has_fallback = true;
            st->fallback = copy_of(val);
        } else if (strcmp(key, "ignore_case") == 0) {
            if (!json_object_is_type(val, json_type_boolean))
                return bad(err, at, "expected true or false");
            st->ignore_case = json_object_get_boolean(val);
        } else if (strcmp(key, "enum") != 0) {
            return bad(err, at, "unknown member (expected enum, default, ignore_case)");
        }
        jsonx_ptr_pop(at, mark);
    }
    st->value = copy_of(map);
    return 0;
}

static enum op op_find(const char *name, bool *found)
{
    for (size_t i = 0; i < sizeof(op_names) / sizeof(op_names[0]); i++)
        if (strcmp(op_names[i], name) == 0) {
            *found = true;
            return (enum op)i;
        }
    *found = false;
    return OP_TRIM;
}

static int unknown_op(const char *name, struct jsonx_ptr *at, struct err *err)
{
    const char *near = model_suggest(name, op_names, sizeof(op_names) / sizeof(op_names[0]));
    char q[CONVERT_QUOTE_MAX];
    convert_quote(q, name, strlen(name));
    if (near)
        return bad(err, at, "unknown transform %s; did you mean %s?", q, near);
    return bad(err, at,
               "unknown transform %s (expected trim, lower, upper, email_domain, url_domain, "
               "enum, date, number, const or default)",
               q);
}

/* One step: a name, or an object with one of enum, date, number, const,
 * default (enum also takes default and ignore_case). */
static int parse_step(struct step *st, struct json_object *v, enum model_type type,
                      struct jsonx_ptr *at, struct err *err)
{
    bool found;
    int rc = 0;
    if (json_object_is_type(v, json_type_string)) {
        const char *name = jsonx_str(v);
        st->op = op_find(name, &found);
        if (!found && strcmp(name, "iso8601") == 0) {
            st->op = OP_DATE; /* "iso8601" and "date" mean {"date": "iso8601"} */
            found = true;
        }
        if (!found)
            return unknown_op(name, at, err);
        if (st->op == OP_NUMBER)
            rc = parse_number(st, NULL, at, err);
        else if (st->op == OP_ENUM || st->op == OP_CONST || st->op == OP_DEFAULT)
            return bad(err, at, "%s takes an argument: {\"%s\": ...}", name, name);
    } else if (json_object_is_type(v, json_type_object)) {
        const char *name = NULL;
        if (jsonx_has(v, "enum"))
            name = "enum";
        else if (json_object_object_length(v) == 1)
            name = (const char *)lh_entry_k(lh_table_head(json_object_get_object(v)));
        if (!name)
            return bad(err, at, "expected one member naming the transform");
        st->op = op_find(name, &found);
        if (!found) {
            jsonx_ptr_push(at, name);
            return unknown_op(name, at, err);
        }
        struct json_object *arg = jsonx_get(v, name);
        size_t mark = jsonx_ptr_push(at, name);
        switch (st->op) {
        case OP_ENUM:
            jsonx_ptr_pop(at, mark);
            rc = parse_enum(st, v, at, err);
            break;
        case OP_DATE:
            rc = parse_date(st, arg, at, err);
            break;
        case OP_NUMBER:
            rc = parse_number(st, arg, at, err);
            break;
        case OP_CONST:
        case OP_DEFAULT:
            st->value = copy_of(arg);
            break;
        default:
            return bad(err, at, "takes no argument: write \"%s\"", name);
        }
        if (rc == 0)
            jsonx_ptr_pop(at, mark);
    } else {
        return bad(err, at, "expected a transform: a name or an object, got %s",
                   jsonx_type_name(v));
    }
    if (rc == 0 && !fits(st->op, type))
        rc = bad(err, at, "%s does not fit %s %s field", op_names[st->op], type_article(type),
                 model_type_name(type));
    return rc;
}

int transform_parse(struct transform **out, const struct json_object *steps, enum model_type type,
                    struct jsonx_ptr *at, struct err *err)
{
    struct transform *t = NULL;
    size_t n = jsonx_len(steps);
    int rc = 0;

    *out = NULL;
    if (steps && !json_object_is_type(steps, json_type_array))
        return bad(err, at, "expected an array of transforms, got %s", jsonx_type_name(steps));
    if (n > TRANSFORM_STEPS_MAX)
        return bad(err, at, "over %d transforms", TRANSFORM_STEPS_MAX);
    if (n == 0)
        return 0;
    t = xcalloc(1, sizeof(*t) + n * sizeof(t->v[0]));
    for (size_t i = 0; i < n; i++) {
        size_t mark = jsonx_ptr_push_index(at, i);
        t->n = i + 1;
        rc = parse_step(&t->v[i], jsonx_at(steps, i), type, at, err);
        if (rc < 0)
            goto done;
        jsonx_ptr_pop(at, mark);
    }
    *out = t;
    t = NULL;
done:
    transform_free(t);
    return rc;
}

void transform_free(struct transform *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++) {
        json_object_put(t->v[i].value);
        json_object_put(t->v[i].fallback);
        xfree(t->v[i].format);
    }
    xfree(t);
}

bool transform_fills(const struct transform *t)
{
    for (size_t i = t ? t->n : 0; i > 0; i--) {
        enum op op = t->v[i - 1].op;
        if (op == OP_CONST || op == OP_DEFAULT)
            return true;
        if (op != OP_TRIM && op != OP_LOWER && op != OP_UPPER)
            return false;
    }
    return false;
}

/* ---- applying ---- */

static void case_map(struct transform_value *v, const char *s, bool up)
{
    char *r = xstrdup(s);
    for (char *c = r; *c; c++)
        if (up && *c >= 'a' && *c <= 'z')
            *c = (char)(*c - ('a' - 'A'));
        else if (!up && *c >= 'A' && *c <= 'Z')
            *c = (char)(*c + ('a' - 'A'));
    set_text_take(v, TRANSFORM_TEXT, r);
}

static void set_json(struct transform_value *v, struct json_object *j)
{
    struct transform_value n;
    transform_value_of(&n, j);
    transform_value_dispose(v);
    *v = n;
}

static int apply_enum(const struct step *st, struct transform_value *v, const char *s)
{
    struct json_object *hit = NULL;
    bool found = json_object_object_get_ex(st->value, s, &hit);
    if (!found && st->ignore_case) {
        json_object_object_foreach(st->value, k, val)
        {
            if (strcasecmp(k, s) == 0) {
                hit = val;
                found = true;
                break;
            }
        }
    }
    if (found)
        set_json(v, hit);
    else if (st->has_fallback)
        set_json(v, st->fallback);
    return 0;
}

static int apply_date(const struct step *st, struct transform_value *v, const char *s,
                      struct err *err)
{
    int64_t ms;
    int rc;
    if (v->kind == TRANSFORM_TIME)
        return 0;
    if (st->format)
        rc = convert_time_format(&ms, st->format, s, strlen(s), err);
    else if (st->unit)
        rc = convert_epoch(&ms, s, strlen(s), st->unit, err);
    else
        rc = convert_iso8601(&ms, s, strlen(s), err);
    if (rc < 0)
        return rc;
    transform_value_dispose(v);
    v->kind = TRANSFORM_TIME;
    v->i = ms;
    return 0;
}

static int apply_number(const struct step *st, struct transform_value *v, const char *s,
                        struct err *err)
{
    char *d = NULL, *shifted = NULL;
    int rc = v->kind == TRANSFORM_NUMBER
                 ? convert_json_number(&d, s, err)
                 : convert_number(&d, s, strlen(s), st->dec, st->group, err);
    if (rc == 0 && st->shift) {
        rc = convert_decimal_shift(&shifted, d, st->shift, err);
        xfree(d);
        d = shifted;
    }
    if (rc == 0)
        set_text_take(v, TRANSFORM_NUMBER, d);
    return rc;
}

static int apply_step(const struct step *st, struct transform_value *v, struct err *err)
{
    struct buf tmp;
    const char *s = NULL;
    int rc = 0;

    if (st->op == OP_CONST) {
        set_json(v, st->value);
        return 0;
    }
    if (st->op == OP_DEFAULT) {
        if (is_empty(v))
            set_json(v, st->value);
        return 0;
    }
    buf_init(&tmp, 0);
    if (!text_of(v, &s, &tmp))
        goto done; /* null goes through every other step unchanged */
    switch (st->op) {
    case OP_TRIM: {
        struct str t = str_trim(str_from(s));
        if (v->kind == TRANSFORM_TEXT && t.n == strlen(s))
            break;
        set_text_take(v, TRANSFORM_TEXT, str_dup(t));
        break;
    }
    case OP_LOWER:
    case OP_UPPER:
        case_map(v, s, st->op == OP_UPPER);
        break;
    case OP_EMAIL_DOMAIN:
    case OP_URL_DOMAIN: {
        char *d = NULL;
        rc = st->op == OP_URL_DOMAIN ? convert_url_domain(&d, s, strlen(s), err)
                                     : convert_email_domain(&d, s, strlen(s), err);
        if (rc == 0)
            set_text_take(v, TRANSFORM_TEXT, d);
        break;
    }
    case OP_ENUM:
        rc = apply_enum(st, v, s);
        break;
    case OP_DATE:
        if (is_empty(v))
            break;
        rc = apply_date(st, v, s, err);
        break;
    case OP_NUMBER:
        if (is_empty(v))
            break;
        rc = apply_number(st, v, s, err);
        break;
    default:
        break;
    }
done:
    buf_dispose(&tmp);
    return rc;
}

int transform_apply(const struct transform *t, struct transform_value *v, struct err *err)
{
    for (size_t i = 0; t && i < t->n; i++) {
        int rc = apply_step(&t->v[i], v, err);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* ---- coercion ---- */

static int not_a(struct err *err, const char *s, const char *what)
{
    char q[CONVERT_QUOTE_MAX];
    convert_quote(q, s, strlen(s));
    err_set(err, ERR_INVALID, "%s is not %s", q, what);
    return ERR_INVALID;
}

static int to_decimal(char **out, const struct transform_value *v, const char *s, struct err *err)
{
    if (v->kind == TRANSFORM_NUMBER)
        return convert_json_number(out, s, err);
    if (v->kind == TRANSFORM_TEXT)
        return convert_number(out, s, strlen(s), '.', ',', err);
    return not_a(err, s, "a number");
}

static int to_integer(int64_t *out, const struct transform_value *v, const char *s, struct err *err)
{
    char *d = NULL;
    int rc = to_decimal(&d, v, s, err);
    if (rc < 0)
        return rc;
    char *dot = strchr(d, '.');
    if (dot) {
        for (const char *f = dot + 1; *f; f++)
            if (*f != '0') {
                xfree(d);
                return not_a(err, s, "an integer");
            }
        *dot = '\0';
    }
    if (str_to_i64(out, str_from(d), "value", NULL) < 0)
        rc = not_a(err, s, "an integer in 64 bits");
    xfree(d);
    return rc;
}

static int to_time(int64_t *ms, const struct transform_value *v, const char *s, struct err *err)
{
    if (v->kind == TRANSFORM_TIME) {
        *ms = v->i;
        return 0;
    }
    if (v->kind == TRANSFORM_TEXT || v->kind == TRANSFORM_NUMBER)
        return convert_iso8601(ms, s, strlen(s), err);
    return not_a(err, s, "a date or time");
}

static int to_boolean(int64_t *out, const struct transform_value *v, const char *s, struct err *err)
{
    static const char *const yes[] = {"true", "t", "yes", "y", "1", "on"};
    static const char *const no[] = {"false", "f", "no", "n", "0", "off"};
    if (v->kind == TRANSFORM_BOOL) {
        *out = v->i;
        return 0;
    }
    struct str t = str_trim(str_from(s));
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]) && v->kind != TRANSFORM_JSON; i++) {
        if (t.n == strlen(yes[i]) && strncasecmp(t.p, yes[i], t.n) == 0) {
            *out = 1;
            return 0;
        }
        if (t.n == strlen(no[i]) && strncasecmp(t.p, no[i], t.n) == 0) {
            *out = 0;
            return 0;
        }
    }
    return not_a(err, s, "a boolean (true/false, yes/no, 1/0)");
}

/* 0 <= d <= 100 for a canonical decimal. */
static bool percent_ok(const char *d)
{
    if (d[0] == '-')
        return false;
    const char *dot = strchr(d, '.');
    size_t in = dot ? (size_t)(dot - d) : strlen(d);
    if (in < 3)
        return true;
    if (in > 3 || strncmp(d, "100", 3) > 0)
        return false;
    if (strncmp(d, "100", 3) < 0)
        return true;
    for (const char *f = dot ? dot + 1 : ""; *f; f++)
        if (*f != '0')
            return false;
    return true;
}

static int apply_rule(struct model_value *out, const struct model_field *f, struct err *err)
{
    char *s = out->s;
    switch (f->rule) {
    case MODEL_RULE_CURRENCY: {
        struct str t = str_trim(str_from(s));
        char code[4] = {0};
        bool ok = t.n == 3;
        for (size_t i = 0; ok && i < 3; i++) {
            char c = t.p[i];
            code[i] = (char)(c >= 'a' && c <= 'z' ? c - ('a' - 'A') : c);
            ok = code[i] >= 'A' && code[i] <= 'Z';
        }
        if (!ok)
            return not_a(err, s, "a currency code (three letters, ISO 4217)");
        xfree(out->s);
        out->s = xstrdup(code);
        return 0;
    }
    case MODEL_RULE_DEAL_STATUS: {
        struct str t = str_trim(str_from(s));
        static const char *const ok[] = {"open", "won", "lost"};
        for (size_t i = 0; i < 3; i++)
            if (t.n == strlen(ok[i]) && strncasecmp(t.p, ok[i], t.n) == 0) {
                xfree(out->s);
                out->s = xstrdup(ok[i]);
                return 0;
            }
        return not_a(err, s, "a deal status (open, won or lost)");
    }
    case MODEL_RULE_PERCENT:
        if (!percent_ok(s)) {
            char q[CONVERT_QUOTE_MAX];
            convert_quote(q, s, strlen(s));
            return err_set(err, ERR_INVALID, "%s is not a percentage from 0 to 100", q);
        }
        return 0;
    default:
        return 0;
    }
}

int transform_coerce(struct model_value *out, const struct model_field *f,
                     const struct transform_value *v, struct err *err)
{
    struct buf tmp;
    const char *s = NULL;
    int64_t ms;
    int rc = 0;

    memset(out, 0, sizeof(*out));
    buf_init(&tmp, 0);
    if (is_empty(v) || !text_of(v, &s, &tmp)) {
        if (f->rule == MODEL_RULE_REQUIRED)
            rc = err_set(err, ERR_INVALID, "is required but empty");
        goto done;
    }
    switch (f->type) {
    case MODEL_TEXT:
        out->s = xstrdup(s);
        break;
    case MODEL_REF: {
        if (v->kind == TRANSFORM_JSON) {
            rc = not_a(err, s, "an id");
            break;
        }
        /* Ids compare as text; a number's JSON text ("1e3") is made plain. */
        if (v->kind == TRANSFORM_NUMBER)
            rc = convert_json_number(&out->s, s, err);
        else
            out->s = str_dup(str_trim(str_from(s)));
        break;
    }
    case MODEL_EMAIL:
        rc = convert_email(&out->s, s, strlen(s), err);
        break;
    case MODEL_DOMAIN:
        rc = convert_url_domain(&out->s, s, strlen(s), err);
        break;
    case MODEL_DECIMAL:
        rc = to_decimal(&out->s, v, s, err);
        break;
    case MODEL_INTEGER:
        rc = to_integer(&out->i, v, s, err);
        break;
    case MODEL_BOOLEAN:
        rc = to_boolean(&out->i, v, s, err);
        break;
    case MODEL_DATE:
    case MODEL_TIMESTAMP:
        rc = to_time(&ms, v, s, err);
        if (rc < 0)
            break;
        if (f->type == MODEL_TIMESTAMP) {
            out->i =
                ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000); /* floor: seconds never round up */
        } else {
            char t[TIME_RFC3339_MAX];
            time_format_rfc3339(t, ms);
            out->s = xstrndup(t, 10);
        }
        break;
    case MODEL_JSON:
    default:
        rc = err_set(err, ERR_INVALID, "not a core field type");
    }
    if (rc == 0 && f->rule != MODEL_RULE_NONE && f->rule != MODEL_RULE_REQUIRED) {
        out->set = true;
        rc = apply_rule(out, f, err);
    }
    if (rc == 0)
        out->set = true;
    else
        model_value_dispose(out);
done:
    buf_dispose(&tmp);
    return rc;
}
