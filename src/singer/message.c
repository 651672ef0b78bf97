/* singer/message.c - one Singer line into a struct singer_msg (see
 * message.h). The line is parsed once by jsonx into a tree the message owns;
 * the checks below only look members up and keep borrowed pointers, so a
 * RECORD costs one parse and a handful of lookups. Every message is built
 * as "line N: " plus where and what, so the loader can log it as it is. */
#include "singer/message.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"

#define TYPE_SHOWN_MAX 40 /* bytes of an unknown type quoted in the message */

static const char *const type_names[] = {
    [SINGER_SCHEMA] = "SCHEMA",
    [SINGER_RECORD] = "RECORD",
    [SINGER_STATE] = "STATE",
    [SINGER_ACTIVATE_VERSION] = "ACTIVATE_VERSION",
};

const char *singer_type_name(enum singer_type t)
{
    assert((unsigned)t < sizeof(type_names) / sizeof(type_names[0]));
    return type_names[t];
}

bool singer_line_blank(const char *line, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r' && line[i] != '\n')
            return false;
    return true;
}

/* Compared with its length: json-c strings may hold "\u0000", and
 * "RECORD\u0000x" must not pass for RECORD. */
static bool str_is(const struct json_object *v, const char *s)
{
    size_t n = strlen(s);
    return jsonx_str_len(v) == n && memcmp(jsonx_str(v), s, n) == 0;
}

/* The member a message needs, as a string the loader can use as a C string
 * (a stream name becomes part of table names: empty or cut at a NUL, it
 * would silently name something else). */
static int need_name(const char **out, const struct json_object *root, const char *key,
                     const char *type, size_t lineno, struct err *err)
{
    struct json_object *v = jsonx_get(root, key);

    if (!jsonx_has(root, key))
        return err_set(err, ERR_INVALID, "line %zu: %s /%s: missing", lineno, type, key);
    if (!json_object_is_type(v, json_type_string))
        return err_set(err, ERR_INVALID, "line %zu: %s /%s: expected a string, got %s", lineno,
                       type, key, jsonx_type_name(v));
    if (jsonx_str_len(v) == 0)
        return err_set(err, ERR_INVALID, "line %zu: %s /%s: expected a non-empty string", lineno,
                       type, key);
    if (strlen(jsonx_str(v)) != jsonx_str_len(v))
        return err_set(err, ERR_INVALID, "line %zu: %s /%s: contains \\u0000", lineno, type, key);
    *out = jsonx_str(v);
    return 0;
}

static int need_object(struct json_object **out, const struct json_object *root, const char *key,
                       const char *type, size_t lineno, struct err *err)
{
    struct json_object *v = jsonx_get(root, key);

    if (!jsonx_has(root, key))
        return err_set(err, ERR_INVALID, "line %zu: %s /%s: missing", lineno, type, key);
    if (!json_object_is_type(v, json_type_object))
        return err_set(err, ERR_INVALID, "line %zu: %s /%s: expected an object, got %s", lineno,
                       type, key, jsonx_type_name(v));
    *out = v;
    return 0;
}

/* key_properties and bookmark_properties: absent and null mean "none".
 * Elements name columns, so they follow the same rules as a stream name. */
static int opt_names(struct json_object **out, const struct json_object *root, const char *key,
                     const char *type, size_t lineno, struct err *err)
{
    struct json_object *v = jsonx_get(root, key);

    *out = NULL;
    if (!v)
        return 0;
    if (!json_object_is_type(v, json_type_array))
        return err_set(err, ERR_INVALID, "line %zu: %s /%s: expected an array of strings, got %s",
                       lineno, type, key, jsonx_type_name(v));
    for (size_t i = 0; i < jsonx_len(v); i++) {
        struct json_object *e = jsonx_at(v, i);
        if (!json_object_is_type(e, json_type_string))
            return err_set(err, ERR_INVALID, "line %zu: %s /%s/%zu: expected a string, got %s",
                           lineno, type, key, i, jsonx_type_name(e));
        if (jsonx_str_len(e) == 0 || strlen(jsonx_str(e)) != jsonx_str_len(e))
            return err_set(err, ERR_INVALID,
                           "line %zu: %s /%s/%zu: expected a non-empty string without \\u0000",
                           lineno, type, key, i);
    }
    *out = v;
    return 0;
}

/* version: jsonx_as_i64's rules (an int64, or a number with a zero
 * fraction), its message behind our prefix. */
static int get_version(struct singer_msg *m, const struct json_object *root, bool required,
                       const char *type, size_t lineno, struct err *err)
{
    struct json_object *v = jsonx_get(root, "version");
    char what[64];
    struct err e;

    if (!v && !required) /* absent or null: the message has no version */
        return 0;
    if (!jsonx_has(root, "version"))
        return err_set(err, ERR_INVALID, "line %zu: %s /version: missing", lineno, type);
    snprintf(what, sizeof(what), "%s /version", type);
    if (jsonx_as_i64(&m->version, v, what, &e) < 0)
        return err_set(err, e.code, "line %zu: %s", lineno, e.msg);
    m->has_version = true;
    return 0;
}

/* time_extracted is kept as sent, not checked as RFC 3339: singer-python
 * accepts whatever its date parser reads (naive "2024-01-15T12:00:00"
 * included), and a record must not be lost over its metadata. */
static int get_time_extracted(struct singer_msg *m, const struct json_object *root, size_t lineno,
                              struct err *err)
{
    struct json_object *v = jsonx_get(root, "time_extracted");

    if (!v)
        return 0;
    if (!json_object_is_type(v, json_type_string))
        return err_set(err, ERR_INVALID,
                       "line %zu: RECORD /time_extracted: expected a string, got %s", lineno,
                       jsonx_type_name(v));
    m->time_extracted = jsonx_str(v);
    return 0;
}

/* "unknown message type ..." quotes what the tap sent, JSON-escaped so that
 * control characters cannot reach a log line, and cut (on a UTF-8 sequence
 * boundary; jsonx has checked the string is valid UTF-8) so that a huge
 * string cannot crowd out the rest of the message. */
static int unknown_type(const struct json_object *t, size_t lineno, struct err *err)
{
    const char *s = jsonx_str(t);
    size_t n = jsonx_str_len(t), cut = n;
    struct buf b;
    int rc;

    if (cut > TYPE_SHOWN_MAX) {
        cut = TYPE_SHOWN_MAX;
        while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
            cut--;
    }
    buf_init(&b, 0);
    buf_put_jsonesc(&b, s, cut);
    rc = err_set(err, ERR_INVALID, "line %zu: unknown message type \"%s%s\"", lineno, buf_cstr(&b),
                 cut < n ? "..." : "");
    buf_dispose(&b);
    return rc;
}

/* jsonx counts lines within its document, and a Singer line is one line:
 * "at line 1, column 14" would only confuse next to our "line 12: ". */
static int json_error(const struct err *e, size_t lineno, struct err *err)
{
    static const char one[] = "invalid JSON at line 1, column ";
    if (strncmp(e->msg, one, sizeof(one) - 1) == 0)
        return err_set(err, e->code, "line %zu: invalid JSON at column %s", lineno,
                       e->msg + sizeof(one) - 1);
    return err_set(err, e->code, "line %zu: %s", lineno, e->msg);
}

static int check_members(struct singer_msg *m, size_t lineno, struct err *err)
{
    const struct json_object *root = m->root;
    const char *type = singer_type_name(m->type);
    int rc = 0;

    switch (m->type) {
    case SINGER_SCHEMA:
        rc = need_name(&m->stream, root, "stream", type, lineno, err);
        if (rc == 0)
            rc = need_object(&m->schema, root, "schema", type, lineno, err);
        if (rc == 0)
            rc = opt_names(&m->key_properties, root, "key_properties", type, lineno, err);
        if (rc == 0)
            rc = opt_names(&m->bookmark_properties, root, "bookmark_properties", type, lineno, err);
        break;
    case SINGER_RECORD:
        rc = need_name(&m->stream, root, "stream", type, lineno, err);
        if (rc == 0)
            rc = need_object(&m->record, root, "record", type, lineno, err);
        if (rc == 0)
            rc = get_version(m, root, false, type, lineno, err);
        if (rc == 0)
            rc = get_time_extracted(m, root, lineno, err);
        break;
    case SINGER_STATE:
        if (!jsonx_has(root, "value"))
            return err_set(err, ERR_INVALID, "line %zu: STATE /value: missing", lineno);
        m->value = jsonx_get(root, "value");
        break;
    case SINGER_ACTIVATE_VERSION:
        rc = need_name(&m->stream, root, "stream", type, lineno, err);
        if (rc == 0)
            rc = get_version(m, root, true, type, lineno, err);
        break;
    }
    return rc;
}

int singer_parse_line(struct singer_msg *out, struct jsonx_parser *p, const char *line, size_t n,
                      size_t lineno, struct err *err)
{
    struct singer_msg m = {0};
    struct json_object *t;
    struct err e;
    int rc;

    /* Before touching a byte: the caller may hand us a cut-off buffer. */
    if (n > SINGER_LINE_MAX)
        return err_set(err, ERR_TOOBIG, "line %zu: longer than %u bytes", lineno, SINGER_LINE_MAX);
    if (singer_line_blank(line, n))
        return err_set(err, ERR_NOTFOUND, "line %zu: blank line", lineno);
    if (line[n - 1] == '\r')
        n--;
    rc = p ? jsonx_parser_parse(&m.root, p, line, n, &e)
           : jsonx_parse(&m.root, line, n, SINGER_LINE_MAX, &e);
    if (rc < 0) /* jsonx renews a parser whose document failed */
        return json_error(&e, lineno, err);
    if (!json_object_is_type(m.root, json_type_object)) {
        rc = err_set(err, ERR_INVALID, "line %zu: expected a JSON object, got %s", lineno,
                     jsonx_type_name(m.root));
        goto done;
    }
    t = jsonx_get(m.root, "type");
    if (!jsonx_has(m.root, "type")) {
        rc = err_set(err, ERR_INVALID, "line %zu: /type: missing", lineno);
        goto done;
    }
    if (!json_object_is_type(t, json_type_string)) {
        rc = err_set(err, ERR_INVALID, "line %zu: /type: expected a string, got %s", lineno,
                     jsonx_type_name(t));
        goto done;
    }
    /* RECORD first: it is nearly every line of a stream. */
    if (str_is(t, "RECORD"))
        m.type = SINGER_RECORD;
    else if (str_is(t, "STATE"))
        m.type = SINGER_STATE;
    else if (str_is(t, "SCHEMA"))
        m.type = SINGER_SCHEMA;
    else if (str_is(t, "ACTIVATE_VERSION"))
        m.type = SINGER_ACTIVATE_VERSION;
    else {
        rc = unknown_type(t, lineno, err);
        goto done;
    }
    rc = check_members(&m, lineno, err);
    if (rc == 0) {
        *out = m; /* the caller owns root now */
        m.root = NULL;
    }
done:
    json_object_put(m.root);
    return rc;
}

void singer_msg_dispose(struct singer_msg *m)
{
    json_object_put(m->root);
    memset(m, 0, sizeof(*m));
}
