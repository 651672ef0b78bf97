/* map/transform.h - a field's transforms: a JSON list of steps ("trim",
 * {"enum": {...}}, {"date": "%m/%d/%Y"}, ...) parsed once, checked against
 * the type of the field it feeds, and applied to many values; then the
 * coercion of the result to that type. The step catalogue and its JSON:
 * docs/mappings.md. Used by map/mapping.c.
 *
 * Values flow as struct transform_value: what a record member was (text,
 * a number's JSON text, a boolean, an object) or what a step made of it (a
 * canonical decimal, an instant). Text a step does not change is borrowed
 * from the record or the transform, never copied. */
#ifndef INLET_MAP_TRANSFORM_H
#define INLET_MAP_TRANSFORM_H
#include <stdbool.h>
#include <stdint.h>

#include <json-c/json_object.h>

#include "core/err.h"
#include "core/jsonx.h"
#include "map/model.h"

#define TRANSFORM_STEPS_MAX 32   /* steps of one field */
#define TRANSFORM_ENUM_MAX  1000 /* entries of one enum map */

enum transform_kind {
    TRANSFORM_NULL,
    TRANSFORM_TEXT,
    TRANSFORM_NUMBER, /* s: the text of a JSON number ("1.50", "2e3") */
    TRANSFORM_BOOL,   /* i: 0 or 1 */
    TRANSFORM_TIME,   /* i: Unix milliseconds */
    TRANSFORM_JSON,   /* json: an object or an array */
};

struct transform_value {
    enum transform_kind kind;
    const char *s;            /* TEXT, NUMBER: NUL-terminated, borrowed or `own` */
    int64_t i;                /* BOOL, TIME */
    struct json_object *json; /* JSON: borrowed from the record or the transform */
    char *own;                /* xmalloc: what s points to when the value made it */
};

/* The value of a JSON member (NULL: null), borrowing from it. */
void transform_value_of(struct transform_value *out, struct json_object *v);
/* Free what v owns and make it null. A zeroed value is fine. */
void transform_value_dispose(struct transform_value *v);

struct transform;

/* Parse steps (a JSON array; NULL or [] for none) for a field of type
 * `type` (MODEL_JSON for a properties key: any step fits) into *out (caller
 * frees with transform_free; NULL when there are no steps). `at` is the
 * steps' JSON Pointer: on ERR_INVALID it is left at the bad step and
 * err->msg is "POINTER: problem", e.g.
 *   /mappings/0/fields/status/transforms/1: unknown transform "lowr"; did you mean lower?
 *   .../transforms/0: {"date": ...} does not fit a boolean field */
MUST_CHECK int transform_parse(struct transform **out, const struct json_object *steps,
                               enum model_type type, struct jsonx_ptr *at, struct err *err);
void transform_free(struct transform *t); /* NULL is a no-op */

/* Whether t (may be NULL) ends in a value that needs no source: its last
 * {"const": V}, or a {"default": V} after which only text steps run. */
bool transform_fills(const struct transform *t);

/* Run v through t (NULL: unchanged), in place: v's old contents are
 * disposed of as steps replace them. ERR_INVALID with the step's problem,
 * e.g. "\"12x\" is not a number: unexpected \"x\" at byte 2". v holds a
 * value (maybe null) either way; dispose of it. */
MUST_CHECK int transform_apply(const struct transform *t, struct transform_value *v,
                               struct err *err);

/* Coerce v to field f's type and rule into *out (see struct model_value;
 * owned by out: model_value_dispose). Empty or white-space-only text is
 * null. ERR_INVALID when it cannot be, e.g. "\"n/a\" is not an e-mail
 * address"; *out is then null. f->type is not MODEL_JSON. */
MUST_CHECK int transform_coerce(struct model_value *out, const struct model_field *f,
                                const struct transform_value *v, struct err *err);

/* v as a new JSON value for the properties object (caller owns it; NULL for
 * a null): text and booleans as such, numbers with their text kept, instants
 * as RFC 3339 text, objects and arrays as references. */
struct json_object *transform_to_json(const struct transform_value *v);

#endif
