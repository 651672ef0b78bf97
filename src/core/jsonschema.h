/* core/jsonschema.h - a JSON Schema validator (the draft 2020-12 vocabulary
 * inlet uses; unknown keywords are annotations and ignored) that reports
 * every failure as a JSON Pointer into the instance plus a message a person
 * can act on. Used to check connector files against
 * connectors/connector.schema.json, integration config against a
 * connector's config schema, and (later) records against stream schemas.
 *
 * Keywords: type (string or array of), enum, const, properties, required,
 * additionalProperties (boolean or schema), patternProperties,
 * propertyNames, minProperties, maxProperties, items (schema), prefixItems,
 * minItems, maxItems, uniqueItems, minLength, maxLength (in characters),
 * pattern (POSIX extended regex, unanchored as the spec says), minimum,
 * maximum, exclusiveMinimum, exclusiveMaximum, multipleOf, format
 * (date-time, date, time, email, uri, uuid, ipv4, hostname: asserted;
 * date-time and time accept what core/time.h reads: RFC 3339 plus the forms
 * providers send, a space for the "T" and offsets "+0000" and "+00"),
 * allOf, anyOf, oneOf, not, if/then/else, $ref to "#" or "#/$defs/NAME"
 * (also "#/definitions/NAME"), $defs. Booleans true/false are schemas.
 * Integers compare exactly (int64, uint64, and against decimals);
 * "integer" accepts 1.0 as the spec says; multipleOf with decimals allows
 * double rounding (0.3 is a multiple of 0.1). Unknown "format" names are
 * annotations. The 2020-12 keywords not implemented (contains,
 * dependentRequired, dependentSchemas, unevaluated*, $dynamicRef, and the
 * older additionalItems, dependencies, $recursiveRef) make jsonschema_new
 * fail rather than be silently ignored. */
#ifndef INLET_CORE_JSONSCHEMA_H
#define INLET_CORE_JSONSCHEMA_H
#include <stdbool.h>
#include <stddef.h>

#include <json-c/json_object.h>

#include "core/buf.h"
#include "core/err.h"

#define JSONSCHEMA_ERRORS_MAX 32      /* failures kept per validation */
#define JSONSCHEMA_DEPTH_MAX  64      /* nested $refs (validation), nested schemas (checking) */
#define JSONSCHEMA_STEPS_MAX  2000000 /* schema visits and value comparisons per validation */

/* One failure: where in the instance, what is wrong. */
struct jsonschema_error {
    char pointer[256]; /* RFC 6901 pointer into the instance, "" for the root */
    char message[192]; /* "expected a string, got a number", "is required", ... */
};

struct jsonschema_result {
    size_t count;   /* failures kept in errors[], at most JSONSCHEMA_ERRORS_MAX */
    bool truncated; /* there were more failures than were kept */
    struct jsonschema_error errors[JSONSCHEMA_ERRORS_MAX];
};

/* A checked schema, ready to validate many instances. */
struct jsonschema;

/* Check that schema is a schema this validator understands and compile it
 * (patterns are compiled once here), keeping a reference to it. Refused
 * with ERR_INVALID: a value that is not an object or boolean where a schema
 * goes, an unknown type, a keyword of the wrong shape, an unsupported
 * keyword, a pattern that is not POSIX extended regex as glibc reads it (or
 * uses \d, a backslash inside [...], backreferences, or repetitions that
 * expand past 10000 states), a $ref that does not resolve or that loops
 * back without going into a property or item, bounds that nothing can meet
 * (minLength > maxLength ...), a required field that additionalProperties
 * false forbids, a "default" the schema itself rejects, schemas nested
 * JSONSCHEMA_DEPTH_MAX deep. The message names the JSON Pointer inside the
 * schema ("schema: ..." for the root) and what is wrong, e.g.
 *   schema /properties/start_date/type: unknown type "datetime" (known: ...)
 * *out (OUT) is the caller's (jsonschema_free); schema is shared
 * (json_object_get), not copied, and must not change while *out lives. Not
 * to be called on one schema object from two threads at once (json-c's
 * reference count is not atomic). */
MUST_CHECK int jsonschema_new(struct jsonschema **out, struct json_object *schema, struct err *err);
void jsonschema_free(struct jsonschema *s);

/* Validate instance (NULL is JSON null). Returns true when valid; res (may
 * be NULL, which is faster: the walk stops at the first failure) gets the
 * failures, at most JSONSCHEMA_ERRORS_MAX of them, the first ones in
 * document order, sorted so. A required member that is missing is reported
 * at its own pointer ("/auth/token_url": "is required"), an unknown member
 * likewise; a value of the wrong type gets only the type failure. A failed
 * anyOf/oneOf gives one failure: the types that would do, or the failures
 * of the branch that came closest. Messages are written for the person
 * who filled in the value:
 *   "expected a string, got a number", "must be one of \"production\",
 *   \"sandbox\"", "must be at least 1", "is not a valid date-time (RFC 3339)",
 *   "unknown field; allowed: a, b, c"
 * Every walk is bounded: past JSONSCHEMA_STEPS_MAX steps or
 * JSONSCHEMA_DEPTH_MAX nested $refs the instance is invalid, with a failure
 * saying so put first. Thread-safe: neither the schema nor the instance is written,
 * so one schema may validate on many threads at once. */
bool jsonschema_validate(const struct jsonschema *s, const struct json_object *instance,
                         struct jsonschema_result *res);

/* Append res as a JSON array [{"pointer":"/name","message":"..."}, ...] to b
 * (the "details" of an API error). */
void jsonschema_result_format(const struct jsonschema_result *res, struct buf *b);

#endif
