/* sandbox/soql.h - the SOQL subset the Salesforce emulator answers
 * /services/data/vNN.0/query?q=... with: parse a query once, then filter
 * records (json-c objects) with soql_match and sort them with soql_compare.
 * The subset is what connectors send (tap-salesforce's incremental queries):
 *
 *   SELECT field [, field]* FROM Object
 *     [WHERE cond [AND cond]*]
 *     [ORDER BY field [ASC|DESC] [NULLS FIRST|NULLS LAST] [, ...]]
 *     [LIMIT n] [OFFSET n]
 *
 *   cond    = field ( = | != | <> | < | <= | > | >= ) literal
 *           | field [NOT] IN ( literal [, literal]* )
 *           | field LIKE 'pattern'            (% any run, _ one character)
 *   literal = 'string' (escapes \' \" \\ \n \r \t \b \f, also upper-case \N \R
 *             \T \B \F; \% and \_ only in LIKE)
 *           | integer | decimal (optional leading -) | true | false | null
 *           | YYYY-MM-DD | YYYY-MM-DDThh:mm:ss[.fff](Z | +hh:mm | +hhmm)
 *
 * Keywords are case-insensitive. Names are [A-Za-z][A-Za-z0-9_]*, and a field
 * may hold one dot for a parent relationship (Account.Name), looked up in the
 * record as a nested object ({"Account": {"Name": ...}}). Not supported, and
 * refused with a message: OR, parentheses in WHERE, functions (COUNT()),
 * subqueries, GROUP BY, HAVING, WITH, FOR, USING, date literals like TODAY. */
#ifndef INLET_SANDBOX_SOQL_H
#define INLET_SANDBOX_SOQL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json_object.h>

#include "core/err.h"

#define SOQL_MAX_BYTES  100000 /* Salesforce's limit on a query's length */
#define SOQL_MAX_FIELDS 500    /* in the SELECT list */
#define SOQL_MAX_CONDS  50     /* in WHERE */
#define SOQL_MAX_ORDER  32     /* keys in ORDER BY, as Salesforce allows */
#define SOQL_MAX_NAME   255    /* bytes in one field or object name */
#define SOQL_MAX_LIMIT  50000  /* a larger LIMIT is lowered to this */
#define SOQL_MAX_OFFSET 2000   /* a larger OFFSET is an error, as in Salesforce */

struct soql;

/* Parse the n bytes at text (no NUL needed) into *out (caller frees with
 * soql_free). Every refusal is ERR_INVALID (the emulator answers it with 400
 * MALFORMED_QUERY) with one line naming the 1-based byte column, e.g.
 *   expected FROM after the field list, got 'FORM' at column 17
 *   unterminated string literal starting at column 30
 *   unexpected token: 'GARBAGE' at column 40
 * Literal text from the query is never echoed except names, numbers and
 * date-times (cut to 40 bytes); other bytes are shown as 0xHH. */
MUST_CHECK int soql_parse(struct soql **out, const char *text, size_t n, struct err *err);

void soql_free(struct soql *q); /* NULL is a no-op */

/* The object after FROM, as written; borrowed from q. */
const char *soql_object(const struct soql *q);

/* The SELECT list in order, names as written (duplicates, compared without
 * case, were refused). soql_field's i must be below soql_nfields (asserted). */
size_t soql_nfields(const struct soql *q);
const char *soql_field(const struct soql *q, size_t i);

/* The fields named in WHERE and ORDER BY, in order, so that the emulator can
 * check every name against the object's describe. Borrowed; i is asserted. */
size_t soql_nwhere(const struct soql *q);
const char *soql_where_field(const struct soql *q, size_t i);
size_t soql_norder(const struct soql *q);
const char *soql_order_field(const struct soql *q, size_t i);

/* LIMIT (at most SOQL_MAX_LIMIT) and OFFSET, or -1 when absent. */
int64_t soql_limit(const struct soql *q);
int64_t soql_offset(const struct soql *q);

/* True when record (an object whose members are field values) satisfies
 * every WHERE condition; true when there is no WHERE. A field is looked up
 * by its exact name, then without regard to case; a missing member, JSON
 * null, or a record that is not an object reads as null. Semantics:
 *  - null: `= null` matches only null, `!= null` only non-null. A null field
 *    matches `!=` and NOT IN with any value (SOQL includes nulls there) and
 *    no other comparison.
 *  - strings: = != IN and LIKE ignore ASCII case; < <= > >= compare bytes.
 *  - numbers compare numerically (integer or decimal, either side).
 *  - a datetime literal matches a string field holding an RFC 3339 instant
 *    ("2024-03-05T12:30:00.000+0000"), compared as instants, so >= includes
 *    the same instant written differently; a date literal matches a
 *    "YYYY-MM-DD" string field.
 *  - booleans: false < true.
 * Any other pairing (a string literal against a number field, a date literal
 * against a datetime, ...) does not match, whatever the operator. */
bool soql_match(const struct soql *q, const struct json_object *record);

/* The ORDER BY ordering of two records: negative when a sorts first, positive
 * when b does, 0 when every key ties (keeping input order is the caller's
 * business). Nulls (and missing fields) sort first unless NULLS LAST is given
 * or the key is DESC without NULLS FIRST. Non-null values of one key: numbers
 * numerically, strings holding RFC 3339 instants as instants, other strings
 * byte-wise ignoring ASCII case, false before true; mixed types in a fixed
 * order (boolean, number, instant, string, array, object) so that the order
 * stays total. No ORDER BY: always 0. */
int soql_compare(const struct soql *q, const struct json_object *a, const struct json_object *b);

#endif
