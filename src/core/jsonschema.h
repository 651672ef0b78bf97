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
 * (date-time, date, time, email, uri, uuid, ipv4, hostname: asserted),
 * allOf, anyOf, oneOf, not, if/then/else, $ref to "#" or "#/$defs/NAME"
 * (also "#/definitions/NAME"), $defs. Booleans true/false are schemas.
 * Integers compare exactly (int64); "integer" accepts 1.0 as the spec says. */
#ifndef INLET_CORE_JSONSCHEMA_H
#define INLET_CORE_JSONSCHEMA_H
#include <stdbool.h>
#include <stddef.h>

#include <json-c/json_object.h>

#include "core/buf.h"
#include "core/err.h"

#define JSONSCHEMA_ERRORS_MAX 32   /* failures kept per validation */
#define JSONSCHEMA_DEPTH_MAX  64   /* $ref / nesting depth before giving up */

/* One failure: where in the instance, what is wrong. */
struct jsonschema_error {
    char pointer[256]; /* RFC 6901 pointer into the instance, "" for the root */
    char message[192]; /* "expected a string, got a number", "is required", ... */
};

struct jsonschema_result {
    size_t count;      /* failures found, up to JSONSCHEMA_ERRORS_MAX kept */
    bool truncated;    /* more failures than were kept */
    struct jsonschema_error errors[JSONSCHEMA_ERRORS_MAX];
};

/* A checked schema, ready to validate many instances. */
struct jsonschema;

/* Check that schema is a schema this validator understands (known types,
 * well-formed keywords, compilable patterns, resolvable $refs) and keep a
 * reference to it. *out (OUT) is the caller's (jsonschema_free); schema is
 * shared (json_object_get), not copied. ERR_INVALID naming the JSON Pointer
 * inside the schema and what is wrong, e.g.
 *   schema /properties/start_date/type: unknown type "datetime" */
MUST_CHECK int jsonschema_new(struct jsonschema **out, struct json_object *schema,
                              struct err *err);
void jsonschema_free(struct jsonschema *s);

/* Validate instance (NULL is JSON null). Returns true when valid; res (may
 * be NULL) gets the failures, in document order. Thread-safe: one schema
 * may validate on many threads at once. */
bool jsonschema_validate(const struct jsonschema *s, const struct json_object *instance,
                         struct jsonschema_result *res);

/* Append res as a JSON array [{"pointer":"/name","message":"..."}, ...] to b
 * (the "details" of an API error). */
void jsonschema_result_format(const struct jsonschema_result *res, struct buf *b);

#endif
