/* sync/columns.h - a stream's JSON Schema as destination columns: which
 * SQL type each top-level property gets on each engine, how a column
 * widens when values or a newer schema no longer fit it, and how property
 * and stream names become identifiers that are valid, unique and stable on
 * both engines. Used by the loader (sync/loader.h); the rules and why are
 * in docs/internals/sync.md, "Columns". */
#ifndef INLET_SYNC_COLUMNS_H
#define INLET_SYNC_COLUMNS_H
#include <stdbool.h>
#include <stddef.h>

#include <json-c/json_object.h>

#include "core/buf.h"
#include "core/err.h"

#define COL_NAME_MAX 63   /* bytes of an identifier: PostgreSQL's NAMEDATALEN - 1 */
#define COLS_MAX     1500 /* properties of one stream (PostgreSQL allows 1600 columns) */

/* In widening order along each chain (BOOLEAN; INTEGER < NUMBER; TIMESTAMP,
 * DATE; JSON), every chain ending in TEXT. */
enum col_type { COL_BOOLEAN, COL_INTEGER, COL_NUMBER, COL_TIMESTAMP, COL_DATE, COL_TEXT, COL_JSON };

/* The SQL type on PostgreSQL (pg) or SQLite. */
const char *col_sql_type(enum col_type t, bool pg);
/* "boolean", "integer", "number", "timestamp", "date", "text", "json", and
 * back (an unknown name reads as COL_TEXT, which holds anything). */
const char *col_type_name(enum col_type t);
enum col_type col_type_parse(const char *name);

/* The narrowest type that holds values of both have and want. */
enum col_type col_widen(enum col_type have, enum col_type want);

/* Whether a JSON value can be stored in a column of type t as it is (JSON
 * null fits every type). */
bool col_value_fits(enum col_type t, struct json_object *v);

struct col {
    char *property; /* the JSON property, as in the schema (owned) */
    char *name;     /* the column: normalized, unique in its table (owned) */
    enum col_type type;
    bool key;
};

/* A table's columns, in a stable order (the order the columns were made). */
struct col_set {
    struct col *v;
    size_t n;
};

/* Map a stream's schema ({"type":"object","properties":{...}}) and its
 * key_properties (array of strings, or NULL) to columns, in the order of
 * the schema's properties. *out (OUT) is the caller's (col_set_dispose).
 * ERR_INVALID naming where: a schema or properties that is not an object,
 * a key property that is not a property, more than COLS_MAX properties. */
MUST_CHECK int col_set_from_schema(struct col_set *out, struct json_object *schema,
                                   struct json_object *key_properties, struct err *err);
void col_set_dispose(struct col_set *s);

/* What col_set_merge changed: a column added at index, or widened from a
 * type. */
struct col_change {
    enum { COL_ADD, COL_ALTER } kind;
    size_t index;
    enum col_type from;
};

/* Bring table (the columns a table has) up to a newer schema's set:
 * properties already there keep their column and widen to hold the new
 * type; new properties get new, unique column names at the end. *changes
 * (OUT, xfree; NULL when none) lists what the caller must do in SQL. */
MUST_CHECK int col_set_merge(struct col_set *table, const struct col_set *incoming,
                             struct col_change **changes, size_t *nchanges, struct err *err);

/* Append name quoted as an SQL identifier ("name", any '"' doubled). */
void col_quote(struct buf *b, const char *name);

/* Whether name is one this module makes: [a-z_][a-z0-9_]*, at most
 * COL_NAME_MAX bytes. */
bool col_name_valid(const char *name);

/* A table name for stream: prefix then the stream's name normalized as a
 * column name is, cut to COL_NAME_MAX bytes with a short hash of the whole
 * name when too long, so that two long names never meet. n must be at
 * least COL_NAME_MAX + 1. */
void col_table_name(char *out, size_t n, const char *prefix, const char *stream);

#endif
