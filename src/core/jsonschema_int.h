/* core/jsonschema_int.h - what the three files of the JSON Schema validator
 * share: the compiled node (jsonschema.c builds it, jsonschema_validate.c
 * walks it) and the value helpers of jsonschema_format.c (exact number
 * comparison, deep equality, the "format" checks, bounded message text).
 * Nothing outside src/core/jsonschema*.c includes this file. */
#ifndef INLET_CORE_JSONSCHEMA_INT_H
#define INLET_CORE_JSONSCHEMA_INT_H
#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json_object.h>

#include "core/buf.h"
#include "core/jsonschema.h"

/* Instance types, as bits of jsonschema__node.types. */
enum {
    JS_NULL = 1 << 0,
    JS_BOOLEAN = 1 << 1,
    JS_INTEGER = 1 << 2,
    JS_NUMBER = 1 << 3,
    JS_STRING = 1 << 4,
    JS_ARRAY = 1 << 5,
    JS_OBJECT = 1 << 6,
};

enum js_format {
    JS_FORMAT_NONE, /* absent, or a name we do not assert (an annotation) */
    JS_FORMAT_DATE_TIME,
    JS_FORMAT_DATE,
    JS_FORMAT_TIME,
    JS_FORMAT_EMAIL,
    JS_FORMAT_URI,
    JS_FORMAT_UUID,
    JS_FORMAT_IPV4,
    JS_FORMAT_HOSTNAME,
};

/* A JSON number held exactly: json-c keeps integers as int64 or (above
 * INT64_MAX) uint64, everything else as a double. */
struct js_num {
    enum { JS_NUM_I64, JS_NUM_U64, JS_NUM_DBL } kind;
    int64_t i;
    uint64_t u;
    double d;
};

/* A numeric keyword's value and its text for messages ("1", "0.5"). */
struct js_limit {
    bool set;
    struct js_num n;
    char text[32];
};

struct js_prop {
    const char *name; /* borrowed from the schema document */
    struct jsonschema_node *node;
};

struct js_pattern_prop {
    regex_t re; /* regfree'd by jsonschema_free */
    bool compiled;
    struct jsonschema_node *node;
};

/* One schema (object or boolean), compiled. Child pointers are borrowed
 * from struct jsonschema's list of nodes, which owns them all; strings
 * marked "xmalloc" are owned by the node. The small fields come last, so
 * the struct packs without holes. */
struct jsonschema_node {
    struct jsonschema_node *next_alloc; /* the owner's list of every node */

    struct json_object *enum_values;   /* borrowed array, or NULL */
    char *enum_msg;                    /* xmalloc: "must be one of ..." */
    struct json_object *const_value;   /* borrowed; see has_const */
    char *const_msg;                   /* xmalloc: "must be ..." */
    struct json_object *default_value; /* borrowed; checked once compiled */
    char *default_at;                  /* xmalloc: schema pointer of "default", for that check */

    /* objects */
    struct js_prop *props; /* xmalloc, sorted by name for bsearch */
    size_t nprops;
    const char **required; /* xmalloc array of borrowed names */
    size_t nrequired;
    struct jsonschema_node *additional;    /* NULL when absent */
    char *unknown_msg;                     /* xmalloc, when additional is `false` */
    struct js_pattern_prop *pattern_props; /* xmalloc */
    size_t npattern_props;
    struct jsonschema_node *property_names;
    int64_t min_props, max_props; /* -1 when absent */

    /* arrays */
    struct jsonschema_node *items;
    struct jsonschema_node **prefix_items; /* xmalloc */
    size_t nprefix_items;
    int64_t min_items, max_items; /* -1 when absent */

    /* strings */
    int64_t min_length, max_length; /* characters; -1 when absent */
    regex_t pattern;                /* see has_pattern */
    char *pattern_msg;              /* xmalloc: "must match the pattern ..." */

    /* numbers */
    struct js_limit minimum, maximum, exclusive_minimum, exclusive_maximum, multiple_of;

    /* applicators on the same value */
    struct jsonschema_node **all_of, **any_of, **one_of; /* xmalloc arrays */
    size_t nall_of, nany_of, none_of;
    struct jsonschema_node *not_, *if_, *then_, *else_;
    char *not_msg;               /* xmalloc, when not_ is set: "must not be ..." */
    struct jsonschema_node *ref; /* resolved $ref target */
    char *ref_text;              /* xmalloc: the $ref as written */
    char *ref_at;                /* xmalloc: schema pointer of the $ref */

    unsigned types;           /* JS_* bits; 0 accepts any type */
    enum js_format format;    /* JS_FORMAT_NONE when absent or not asserted */
    int mark;                 /* scratch for the $ref loop check */
    bool is_bool, bool_value; /* `true` / `false` as a schema */
    bool has_const;           /* const may be null, so a flag */
    bool has_default;
    bool unique_items;
    bool has_pattern;
};

struct jsonschema {
    struct json_object *doc;       /* a reference of ours (json_object_get) */
    struct jsonschema_node *root;  /* borrowed from nodes */
    struct jsonschema_node *nodes; /* every node, linked by next_alloc; owned */
    size_t nnodes;
};

/* ---- jsonschema_validate.c ---- */

/* Validate instance against node with a fresh walk, as jsonschema_validate
 * does; used by jsonschema.c to check "default" values. */
bool jsonschema__validate_node(const struct jsonschema_node *node,
                               const struct json_object *instance, struct jsonschema_result *res);

/* ---- jsonschema_format.c ---- */

/* Whether d is finite and has no fraction (1.0 and 1e3 count as integers). */
bool jsonschema__whole(double d);
/* The number v holds; false when v is not a number. */
bool jsonschema__num(struct js_num *out, const struct json_object *v);
/* -1, 0 or 1 comparing a with b exactly (an int64 against a double too);
 * 2 when either is NaN (unordered: every bound check fails). */
int jsonschema__num_cmp(const struct js_num *a, const struct js_num *b);
/* Whether a is a multiple of m (m > 0): exact for integers, within a
 * relative 1e-9 for decimals (0.3 is a multiple of 0.1). */
bool jsonschema__num_multiple(const struct js_num *a, const struct js_num *m);
/* The shortest text that reads back as n ("1", "0.1", "9223372036854775807"). */
void jsonschema__num_text(char out[32], const struct js_num *n);

/* JSON equality as JSON Schema defines it (1 and 1.0 are equal, member
 * order does not matter). Each value compared takes one of *steps; when
 * they run out, or the values nest deeper than 2 * JSONX_MAX_DEPTH, the
 * answer is false and *steps is negative. Never writes to a or b, so it is
 * safe on values shared between threads. */
bool jsonschema__equal(const struct json_object *a, const struct json_object *b, long *steps);

/* Append v as compact JSON to b, at most `room` bytes of it (then "..."),
 * without json-c's serialiser (which caches text inside v). */
void jsonschema__put_value(struct buf *b, const struct json_object *v, size_t room);

/* The format named `name`, or JS_FORMAT_NONE for one we do not assert. */
enum js_format jsonschema__format_parse(const char *name);
/* Whether s[0..n) is valid for format f (JS_FORMAT_NONE: always). */
bool jsonschema__format_check(enum js_format f, const char *s, size_t n);
/* "is not a valid date-time (RFC 3339)", ... */
const char *jsonschema__format_msg(enum js_format f);

/* Check a "pattern" before regcomp: POSIX ERE as glibc reads it, minus what
 * would silently mean something else than the author meant (\d, a
 * backslash inside [...], backreferences) or cost too much to compile
 * (repetitions that expand past a few thousand states). On failure returns
 * false and puts the reason in why. */
bool jsonschema__pattern_ok(const char *pattern, char *why, size_t why_size);

#endif
