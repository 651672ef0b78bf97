/* map/mapping.h - how one stream's records become rows of one normalized
 * model: a mapping (stream, model, a source and transforms per target
 * field, what goes into properties), parsed from a connector file's
 * "mappings" entry or built from field_mappings rows over it, checked
 * against the stream's JSON Schema, then applied record by record. No
 * database work: map_apply fills a struct map_row that the store upserts.
 * The format: docs/mappings.md. Used by connectors/engine_spec.c (checking
 * connector files), and by the sync, the n8n webhook and api/ (mappings).
 *
 * A parsed struct map is immutable: map_apply may run on one map from
 * several threads at once. It keeps nothing of the JSON it was parsed from
 * (shared connector documents are only read). */
#ifndef INLET_MAP_MAPPING_H
#define INLET_MAP_MAPPING_H
#include <stdbool.h>

#include <json-c/json_object.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/jsonx.h"
#include "map/model.h"

#define MAP_FIELDS_MAX     200   /* fields of one mapping, properties.KEY targets included */
#define MAP_SOURCES_MAX    16    /* names in one first_of */
#define MAP_NAME_MAX       256   /* bytes of a stream, source path or properties key */
#define MAP_TRANSFORMS_MAX 65536 /* bytes of a field_mappings row's transforms text */

struct map;

/* Parse spec, one entry of a connector file's "mappings":
 *   {"stream": S, "model": M, "fields": {TARGET: SOURCE, ...},
 *    "properties": "rest" | "none" | [NAME, ...]}
 * into *out (caller frees with map_free). TARGET is a field of the model
 * or "properties.KEY"; SOURCE is "Name", {"from": "A.b"}, {"first_of":
 * [...]}, {"const": V}, each object with optional "transforms" and
 * "optional", or null (not mapped). external_id must be mapped.
 * `at` is spec's JSON Pointer in its document (jsonx_ptr_init for a whole
 * document). ERR_INVALID: `at` is left at the problem and err->msg is
 * "POINTER: problem" (the problem alone at the root), such as
 *   /mappings/0/fields/emial: no field "emial" in contacts; did you mean email?
 * map_new, map_set_row and map_check word theirs the same way. */
MUST_CHECK int map_parse(struct map **out, const struct json_object *spec, struct jsonx_ptr *at,
                         struct err *err);

/* An empty mapping of stream into model, for field_mappings rows where the
 * connector has no default; map_check fails until a row maps external_id.
 * ERR_INVALID for an unknown model or a bad stream name. */
MUST_CHECK int map_new(struct map **out, const char *stream, const char *model, struct err *err);

void map_free(struct map *m); /* NULL is a no-op */

/* Apply one field_mappings row: target_field is replaced (or added) with
 * source_field (a dotted path, or JSON text starting with '{' holding a
 * source object as in map_parse; NULL for none) and transforms (JSON text
 * of an array; NULL or "" for []). A NULL source with no transforms removes
 * the field (external_id cannot be removed). target_field "properties"
 * takes "rest", "none" or a JSON array of names as source_field. Pointers
 * in messages name the row's columns: "/target_field", "/source_field",
 * "/transforms/0". On error m is unchanged. */
MUST_CHECK int map_set_row(struct map *m, const char *target_field, const char *source_field,
                           const char *transforms, struct err *err);

/* Check m as a whole: external_id is mapped, and, when schema (a stream's
 * JSON Schema object, as in the catalog) is not NULL, every source it
 * names is one of the schema's properties (a dotted path through nested
 * "properties" where the schema has them): a "from" not marked optional,
 * and at least one name of each first_of. */
MUST_CHECK int map_check(const struct map *m, const struct json_object *schema, struct err *err);

/* Check, as map_check does, only the sources of m's target_field (as a
 * field_mappings row sets it with map_set_row) against schema (NULL: 0):
 * for the API, which blames a row for its own problems only. Messages
 * point into the row: "/source_field: no field \"Titel\" in stream
 * Contact", "/source_field/1: ..." for a name of a properties list. A
 * target m does not map (a removed field) passes. */
MUST_CHECK int map_check_row(const struct map *m, const char *target_field,
                             const struct json_object *schema, struct err *err);

/* The stream and the model, borrowed from m. */
const char *map_stream(const struct map *m);
const struct model *map_model(const struct map *m);

/* One mapped record. Values are indexed like model->fields; a MODEL_REF
 * value is the source's external id of the record referred to (field
 * ->ref names its model), for the store to resolve. */
struct map_row {
    const struct model *model;                   /* static */
    const char *external_id;                     /* values[MODEL_EXTERNAL_ID].s; never NULL */
    bool deleted;                                /* values[MODEL_DELETED] is true, or the record
                                                    has a _sdc_deleted_at */
    struct model_value values[MODEL_FIELDS_MAX]; /* owned: model_value_dispose each */
    struct json_object *properties;              /* owned (json_object_put), never NULL; its
                                                    members may be references to the record's */
};

/* Map record (a JSON object, flattened as the connector's stream says)
 * through m into *out (caller disposes with map_row_dispose, on failure
 * too: a no-op then). The record is read, and the properties take
 * references to its members: it must not be shared with another thread
 * during the call. ERR_INVALID fails this record only, with
 * "FIELD: problem", e.g. amount: "12x" is not a number: unexpected "x" at
 * byte 2, or external_id: is required but empty. */
MUST_CHECK int map_apply(const struct map *m, const struct json_object *record, struct map_row *out,
                         struct err *err);

/* The value of field name in row, borrowed; NULL when the model has no
 * such field. */
const struct model_value *map_row_get(const struct map_row *row, const char *name);

/* Append row as canonical JSON, for tests, logs and the content hash:
 *   {"model":M,"external_id":E,"deleted":B,"fields":{...},"properties":{...}}
 * with fields in model order and only the non-null ones; decimals as JSON
 * numbers, written exactly (so a whole one past 64 bits is text jsonx will
 * not read back); dates as strings; timestamps as integers. */
void map_row_format(struct buf *b, const struct map_row *row);

void map_row_dispose(struct map_row *row);

#endif
