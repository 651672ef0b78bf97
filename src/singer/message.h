/* singer/message.h - one line of a Singer stream (SCHEMA, RECORD, STATE,
 * ACTIVATE_VERSION) parsed into a struct that owns its JSON tree. The key
 * idea: jsonx parses the line exactly once (numbers stay exact: int64 kept
 * natively, decimals kept as written) and the message's fields are borrowed
 * views into that tree, checked for the members each type requires. Used by
 * the Singer target (`inlet load`) and by the runner of Singer taps. */
#ifndef INLET_SINGER_MESSAGE_H
#define INLET_SINGER_MESSAGE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json_object.h>

#include "core/err.h"
#include "core/jsonx.h"

/* Bytes in one line, not counting its '\n' (a trailing '\r' counts). Singer
 * puts a whole message on one line, so this caps one record or one schema,
 * and with it the memory one line can take (the json-c tree is a few times
 * the text). Records are usually under a few kilobytes, but taps do send
 * large text fields and schemas with hundreds of properties, and a fixed
 * 1 MiB line buffer proved too small for real taps in Meltano (its issue
 * 2392, which made that buffer configurable). 16 MiB leaves that headroom
 * while keeping a runaway tap from reaching the allocator. */
#define SINGER_LINE_MAX (16u << 20)

enum singer_type { SINGER_SCHEMA, SINGER_RECORD, SINGER_STATE, SINGER_ACTIVATE_VERSION };

/* Every pointer below is borrowed from root and lives until
 * singer_msg_dispose; take a reference (json_object_get) to keep a value
 * longer. Members a type does not have are NULL, 0 or false. */
struct singer_msg {
    enum singer_type type;
    const char *stream;                      /* SCHEMA, RECORD, ACTIVATE_VERSION; non-empty,
                                                NUL-free; borrowed from root */
    struct json_object *schema;              /* SCHEMA: the JSON Schema object */
    struct json_object *key_properties;      /* SCHEMA: array of strings, or NULL */
    struct json_object *bookmark_properties; /* SCHEMA: array of strings, or NULL */
    struct json_object *record;              /* RECORD: the object */
    struct json_object *value;               /* STATE: any JSON value (NULL for null) */
    int64_t version;                         /* RECORD (optional), ACTIVATE_VERSION (required) */
    bool has_version;                        /* version was given */
    const char *time_extracted;              /* RECORD, optional RFC 3339 string, or NULL;
                                                kept as sent, not checked (time_parse_rfc3339) */
    struct json_object *root;                /* owned: freed by singer_msg_dispose */
};

/* True when line[0..n) holds nothing but JSON white space (' ', '\t', '\r',
 * '\n'), the empty line included: exactly the lines singer_parse_line
 * answers with ERR_NOTFOUND. */
bool singer_line_blank(const char *line, size_t n);

/* Parse one line (n bytes, no newline; a trailing '\r' tolerated) of a
 * Singer stream. On success *out (OUT) holds the message; the caller
 * disposes it with singer_msg_dispose. On failure *out is not touched.
 *
 * p may be NULL (a parser is made for the call) or a parser reused across
 * lines, set up with jsonx_parser_init(p, SINGER_LINE_MAX) (a smaller cap
 * lowers the limit; jsonx's own message then applies). After a line that is
 * not JSON, p's tokener is replaced (same cap), so that nothing of that line
 * can reach the next one.
 *
 * The spec's members are checked, with the leniencies of the reference
 * implementations: unknown extra members are ignored; key_properties,
 * bookmark_properties, RECORD's version and time_extracted may be absent or
 * null; STATE's value may be null but not absent. Message types are
 * case-sensitive, as in singer-python and Meltano's SDK. Stricter than
 * they are, because the loader builds names from them: stream names and
 * key or bookmark properties must be non-empty and free of \u0000.
 *
 * Blank lines: ERR_NOTFOUND, "line 4: blank line". They carry no message
 * and the loader skips them. Note that the reference targets do not (they
 * json.loads every line and stop on an empty one); skipping costs nothing
 * and spares a run for a stray print() in a tap.
 *
 * Every other failure is one line starting "line N: " with lineno (1-based):
 * ERR_TOOBIG when n > SINGER_LINE_MAX ("line 9: longer than 16777216
 * bytes"; only n is looked at, so a reader that stops buffering can pass
 * n = SINGER_LINE_MAX + 1); ERR_INVALID for
 *   line 12: invalid JSON at column 14 (byte 13): unexpected character '}'
 *   line 3: expected a JSON object, got array
 *   line 3: /type: missing            line 3: /type: expected a string, got null
 *   line 3: unknown message type "BATCH"
 *   line 3: SCHEMA /stream: missing   (or: expected a string, got integer;
 *                                      expected a non-empty string; contains \u0000)
 *   line 3: SCHEMA /schema: expected an object, got array
 *   line 3: SCHEMA /key_properties: expected an array of strings, got object
 *   line 3: SCHEMA /key_properties/1: expected a string, got integer
 *   line 3: RECORD /record: missing
 *   line 3: RECORD /version: expected an integer, got string
 *   line 3: RECORD /time_extracted: expected a string, got integer
 *   line 3: STATE /value: missing
 *   line 3: ACTIVATE_VERSION /version: missing
 * (tests/data/singer/ holds one case per message). */
MUST_CHECK int singer_parse_line(struct singer_msg *out, /* OUT: owned; dispose */
                                 struct jsonx_parser *p, const char *line, size_t n, size_t lineno,
                                 struct err *err);

/* Release root and zero m. A zeroed struct is fine; m can be parsed into again. */
void singer_msg_dispose(struct singer_msg *m);

/* "SCHEMA", "RECORD", "STATE" or "ACTIVATE_VERSION", as written on the wire. */
const char *singer_type_name(enum singer_type t);

#endif
