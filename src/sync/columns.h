/* sync/columns.h - a stream's JSON Schema as destination columns: which
 * SQL type each top-level property gets on each engine, how a column
 * widens when values or a newer schema no longer fit it, which JSON values
 * a column can take as they are, and how property and stream names become
 * identifiers that are valid, unique and stable on both engines. Used by
 * the loader (sync/loader.h); the rules and the facts behind them are in
 * docs/internals/sync.md, "Columns". */
#ifndef INLET_SYNC_COLUMNS_H
#define INLET_SYNC_COLUMNS_H
#include <stdbool.h>
#include <stddef.h>

#include <json-c/json_object.h>

#include "core/buf.h"
#include "core/err.h"

#define COL_NAME_MAX  63   /* bytes of an identifier: PostgreSQL's NAMEDATALEN - 1 */
#define COLS_MAX      1500 /* columns of one stream (PostgreSQL allows 1600, ours included) */
#define COLS_KEYS_MAX 32   /* key properties: PostgreSQL's INDEX_MAX_KEYS */

/* A column's kind. The widening lattice: INTEGER < NUMBER < TEXT, and
 * BOOLEAN, TIMESTAMP, DATE and JSON each directly below TEXT. */
enum col_type { COL_BOOLEAN, COL_INTEGER, COL_NUMBER, COL_TIMESTAMP, COL_DATE, COL_TEXT, COL_JSON };

/* The SQL type to declare for t on PostgreSQL (pg) or SQLite; static text.
 * PostgreSQL: BOOLEAN, BIGINT, NUMERIC, TIMESTAMPTZ, DATE, TEXT, JSONB.
 * SQLite: "" (no type, so no affinity) for boolean, integer and number,
 * TEXT for the rest: SQLite cannot change a column's type, and INTEGER or
 * NUMERIC affinity would rewrite values a widened column later holds
 * ("007" as 7, a 30-digit decimal as a rounded REAL). */
const char *col_sql_type(enum col_type t, bool pg);

/* "boolean", "integer", "number", "timestamp", "date", "text", "json", and
 * back (NULL or an unknown name reads as COL_TEXT, which holds anything). */
const char *col_type_name(enum col_type t);
enum col_type col_type_parse(const char *name);

/* The narrowest type that holds values of both have and want (the join in
 * the lattice above: same type, itself; integer and number, number;
 * anything else, text). Commutative, associative, idempotent. */
enum col_type col_widen(enum col_type have, enum col_type want);

/* Whether JSON value v can be stored in a column of type t as it is, on
 * both engines (JSON null fits every type):
 *   BOOLEAN   true or false;
 *   INTEGER   an integer in int64 range (not 3.0: BIGINT refuses "3.0");
 *   NUMBER    any integer, or a decimal PostgreSQL's NUMERIC takes: at most
 *             131072 digits before the point and 16383 after (1e131072 and
 *             1e-16384 do not fit);
 *   TIMESTAMP a string time_parse_rfc3339 reads whose offset is under 16
 *             hours (PostgreSQL refuses "+16:00" although RFC 3339 allows it);
 *   DATE      a string time_parse_date reads ("YYYY-MM-DD", 0001-9999);
 *   JSON      an object or array with no "\u0000" in a string and every
 *             decimal one NUMBER takes (JSONB refuses both otherwise);
 *   TEXT      anything (a non-string as its JSON text). Note that a string
 *             holding "\u0000" fits TEXT here but PostgreSQL cannot store
 *             the NUL byte: the loader deals with that.
 * A value that fits t fits every wider type. */
bool col_value_fits(enum col_type t, struct json_object *v);

/* The narrowest type v fits by itself (v not NULL, asserted): a boolean,
 * BOOLEAN; an int64, INTEGER; a larger integer or a decimal, NUMBER; an
 * object or array, JSON; a string, TEXT (a date-time string is TEXT too:
 * a column becomes TIMESTAMP from its schema, never from a value); and
 * TEXT for what fits nothing narrower (1e131072, {"a":"\u0000"}). So
 * col_widen(t, col_value_type(v)) is a type v fits, for every t. */
enum col_type col_value_type(struct json_object *v);

struct col {
    char *property; /* the JSON property, as in the schema (owned) */
    char *name;     /* the column: normalized, unique in its table (owned) */
    enum col_type type;
    bool key; /* one of the stream's key properties */
};

/* A table's columns, in a stable order: the schema's order, then columns
 * added by later schemas in theirs. */
struct col_set {
    struct col *v; /* from xmalloc, with their strings */
    size_t n;
};

/* Map a stream's schema (a Singer SCHEMA message's "schema": {"type":
 * "object","properties":{...}}) and its key_properties (an array of
 * strings, or NULL) to one column per property, in the schema's order.
 * *out (OUT, col_set_dispose) is set on success and left empty on error.
 *
 * Types: "integer" INTEGER, "number" NUMBER, "boolean" BOOLEAN, "string"
 * TIMESTAMP with "format":"date-time", DATE with "format":"date", TEXT
 * otherwise; "object" and "array" JSON. "null" in a type list is ignored
 * and the other types widen together (col_widen); anyOf and oneOf widen
 * over their branches, allOf and a "type" beside them narrow to what all
 * allow; enum and const give the types of their values; a property that
 * says nothing ({}, true, or only "$ref") or allows only null is JSON.
 *
 * Names: see col_name_valid and docs/internals/sync.md. A property whose
 * normalized name is itself ("first_name") always gets that name; the
 * others, in byte order of the property, get their normalized name, or
 * with "_2", "_3", ... the first one free.
 *
 * ERR_INVALID, with a JSON Pointer into the SCHEMA message: "/schema: expected
 * an object, got array", "/schema/type: ..." when it does not allow
 * "object", "/schema/properties: expected an object, got ...", more than
 * COLS_MAX properties, "/key_properties: ..." not an array, an element
 * that is not a string or not a property, more than COLS_KEYS_MAX keys. */
MUST_CHECK int col_set_from_schema(struct col_set *out, struct json_object *schema,
                                   struct json_object *key_properties, struct err *err);

/* Free the columns; s is left empty, ready for reuse. A zeroed set is fine. */
void col_set_dispose(struct col_set *s);

/* The column of property in s (borrowed), or NULL. */
struct col *col_set_find(const struct col_set *s, const char *property);

/* One change col_set_merge made: column `index` of the table was added
 * (COL_ADD, with its type), or widened from type `from` to its type now
 * (COL_ALTER). */
struct col_change {
    enum { COL_ADD, COL_ALTER } kind;
    size_t index;
    enum col_type from; /* COL_ALTER only */
};

/* Bring table (the columns a table has now) up to a newer schema's set:
 * a property already there keeps its column name and key flag and widens
 * to hold the incoming type; a new property becomes a new column at the
 * end (in incoming's order, named as col_set_from_schema names, around the
 * names the table has). Columns the newer schema lacks stay. *changes
 * (OUT, xfree; NULL when none) gets the ALTERs in incoming's order, then
 * the ADDs in index order; *nchanges their count. Merging a set with one
 * made from the same schema changes nothing.
 * ERR_INVALID when the table would pass COLS_MAX columns; table is then
 * unchanged. */
MUST_CHECK int col_set_merge(struct col_set *table, const struct col_set *incoming,
                             struct col_change **changes, size_t *nchanges, struct err *err);

/* Append name to b as a quoted SQL identifier ("name", any '"' doubled).
 * name must be col_name_valid (asserted). */
void col_quote(struct buf *b, const char *name);

/* Whether name is one this module makes: [a-z_][a-z0-9_]*, 1 to
 * COL_NAME_MAX bytes. Column names also never start with "_inlet_" (our
 * own columns) and are never one of PostgreSQL's system columns (ctid,
 * xmin, xmax, cmin, cmax, tableoid): col_set_* see to that. */
bool col_name_valid(const char *name);

/* Write into out (n >= COL_NAME_MAX + 1, asserted) the table name for
 * stream: prefix (NULL for none, e.g. "raw_hubspot_") and the stream's name
 * normalized together as column names are (never "_inlet_...", the
 * loader's own tables), cut to COL_NAME_MAX bytes with "_" and a 12-hex
 * hash of the whole name when longer, so that two long names do not meet.
 * Two streams whose names differ only in case or punctuation ("Users",
 * "users") get the same table. */
void col_table_name(char *out, size_t n, const char *prefix, const char *stream);

#endif
