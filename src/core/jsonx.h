/* core/jsonx.h - inlet's thin layer over json-c: strict, capped parsing with
 * precise one-line errors (line, column, byte), exact numbers (int64 and
 * uint64 natively, decimals kept as written, integers past 64 bits refused
 * rather than clamped), accessors that never crash on a wrong type, JSON
 * Pointers (RFC 6901) for messages and lookups, and compact serialisation
 * into a struct buf. Used by the connector registry, the Singer reader, the
 * loader and api/. See docs/internals/jsonx.md.
 *
 * Memory rule: every struct json_object handed out (through **out) is owned
 * by the caller and released with json_object_put() only, never with xfree.
 * Values returned directly by the accessors are borrowed from their parent
 * and live as long as it does. JSON null is a NULL struct json_object *, as
 * in json-c; the accessors accept NULL everywhere a value is expected. */
#ifndef INLET_CORE_JSONX_H
#define INLET_CORE_JSONX_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json_object.h>

#include "core/buf.h"
#include "core/err.h"

#define JSONX_MAX_DEPTH 64 /* nested arrays/objects accepted by the parser */

/* ---- parsing ---- */

/* A parser that can be reused across many documents (one json-c tokener),
 * for hot loops such as the loader's one-record-per-line stream. One thread
 * uses a parser at a time; the functions that take none are thread-safe. */
struct jsonx_parser {
    struct json_tokener *tok; /* from json_tokener_new_ex(); freed by _dispose */
    size_t max_bytes;         /* documents longer than this are ERR_TOOBIG */
};

/* Set up p for documents of at most max_bytes (> 0; values beyond json-c's
 * INT32_MAX - 1 limit are lowered to it). Out of memory aborts. */
void jsonx_parser_init(struct jsonx_parser *p, size_t max_bytes);
/* Free the tokener; p can be initialised again. A zeroed struct is fine. */
void jsonx_parser_dispose(struct jsonx_parser *p);

/* Parse s[0..n) as exactly one JSON value (RFC 8259, strictly: no comments,
 * no trailing commas, no single quotes, no NaN or Infinity, no leading zeros,
 * no unescaped control characters, valid UTF-8, no lone surrogate escapes,
 * no "\u0000" in object keys, at most JSONX_MAX_DEPTH levels). White space
 * may surround the value; anything else after it is an error.
 * On success *out is the value (caller owns it: json_object_put; NULL when
 * the document is `null`). Numbers are exact: integers that fit int64 or
 * uint64 are kept as such, decimals keep the text they were written with
 * (1.50 serialises as 1.50), and integers outside 64 bits are refused.
 * Errors: ERR_TOOBIG when n > max_bytes; ERR_INVALID otherwise, with a
 * message such as
 *   invalid JSON at line 3, column 14 (byte 52): unexpected character '}'
 * where lines and columns count from 1 (columns in UTF-8 characters) and
 * bytes from 0. s need not be NUL-terminated; an embedded NUL is an error. */
MUST_CHECK int jsonx_parser_parse(struct json_object **out, /* OUT: owned */
                                  struct jsonx_parser *p, const char *s, size_t n, struct err *err);

/* One-off jsonx_parser_parse with a parser of its own. */
MUST_CHECK int jsonx_parse(struct json_object **out, /* OUT: owned */
                           const char *s, size_t n, size_t max_bytes, struct err *err);

/* Read the file at path (at most max bytes) and parse it as above. Errors
 * name the path: ERR_NOTFOUND when it does not exist, ERR_IO for other
 * system errors (with the OS reason), ERR_TOOBIG past max, ERR_INVALID for
 * a parse error ("connectors/x.json: invalid JSON at line 3, ..."). */
MUST_CHECK int jsonx_read_file(struct json_object **out, /* OUT: owned */
                               const char *path, size_t max, struct err *err);

/* ---- reading values; none of these crash on a wrong type or NULL ---- */

/* v when it is an object, else one shared empty object (never to be
 * changed): what json_object_object_foreach may walk without a check, as
 * it may not walk NULL or another type. */
struct json_object *jsonx_members(const struct json_object *v);

/* "null", "boolean", "integer", "number", "string", "array" or "object". */
const char *jsonx_type_name(const struct json_object *v);

/* The member key of obj, borrowed; NULL when obj is not an object, has no
 * such member, or the member is null. jsonx_has tells the last two apart. */
struct json_object *jsonx_get(const struct json_object *obj, const char *key);
/* True when obj is an object with a member key (whatever its value). */
bool jsonx_has(const struct json_object *obj, const char *key);

/* The string's bytes, borrowed and NUL-terminated; NULL when v is not a
 * string. jsonx_str_len gives the length (a string may hold "\u0000"). */
const char *jsonx_str(const struct json_object *v);
size_t jsonx_str_len(const struct json_object *v); /* 0 when not a string */

/* Number of elements; 0 when arr is not an array. */
size_t jsonx_len(const struct json_object *arr);
/* Element i, borrowed; NULL when arr is not an array, i is out of range or
 * the element is null. */
struct json_object *jsonx_at(const struct json_object *arr, size_t i);

/* Typed reads that explain themselves. `what` names the value in the
 * message, usually a JSON Pointer ("/config/page_size") or a field name.
 * ERR_INVALID, e.g. "/config/page_size: expected an integer, got string". */
/* An integer in int64 range; a number with a zero fraction (3.0, 1e3) that
 * fits is accepted too, as JSON Schema's "integer" does. */
MUST_CHECK int jsonx_as_i64(int64_t *out, const struct json_object *v, const char *what,
                            struct err *err);
MUST_CHECK int jsonx_as_bool(bool *out, const struct json_object *v, const char *what,
                             struct err *err);
/* A string, borrowed from v (NUL-terminated; *len may be NULL). */
MUST_CHECK int jsonx_as_str(const char **out, size_t *len, const struct json_object *v,
                            const char *what, struct err *err);

/* ---- JSON Pointers (RFC 6901) ---- */

#define JSONX_PTR_MAX 200 /* bytes kept; a longer pointer is cut and ends in "..." */

/* A pointer being built while walking a document, for error messages.
 * Lives on the stack; nothing to dispose. */
struct jsonx_ptr {
    char s[JSONX_PTR_MAX + 4]; /* NUL-terminated; room for "..." */
    size_t n;                  /* length of the whole pointer, even past what s holds */
    size_t kept;               /* bytes of it held in s (<= JSONX_PTR_MAX) */
};

/* The empty pointer "", which names the whole document. */
void jsonx_ptr_init(struct jsonx_ptr *p);
/* Append "/key" with '~' and '/' escaped as ~0 and ~1. Returns a mark that
 * jsonx_ptr_pop takes to undo this push and any after it. */
size_t jsonx_ptr_push(struct jsonx_ptr *p, const char *key);
size_t jsonx_ptr_push_index(struct jsonx_ptr *p, size_t i); /* "/3" */
void jsonx_ptr_pop(struct jsonx_ptr *p, size_t mark);
/* The pointer text, borrowed from p: "" for the root, "/config/start_date". */
const char *jsonx_ptr_cstr(const struct jsonx_ptr *p);

/* Resolve ptr (RFC 6901: "" or "/a/0/b~1c") in root. On success *out is the
 * value, borrowed from root (NULL for a JSON null). ERR_NOTFOUND when a step
 * does not exist, ERR_INVALID when ptr is malformed; messages name ptr. */
MUST_CHECK int jsonx_ptr_get(struct json_object **out, /* OUT: borrowed */
                             const struct json_object *root, const char *ptr, struct err *err);

/* ---- writing ---- */

/* Append v as compact JSON (no spaces, '/' not escaped, decimals as they
 * were parsed) to b; a NULL v appends `null`. Like every buf append, going
 * past b's cap is reported by buf_failed(b). json-c keeps a copy of the text
 * inside v until v is released. */
void jsonx_format(struct buf *b, struct json_object *v);

#endif
