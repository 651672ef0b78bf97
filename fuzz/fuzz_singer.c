/* fuzz/fuzz_singer.c - arbitrary bytes into singer_parse_line, as one line.
 * Besides memory errors it checks properties: a refusal has a one-line
 * message starting "line N: " with the line number given, and ERR_NOTFOUND
 * exactly for blank lines; parsing is stable across two calls (a fresh
 * parser, then one reused across every input); an accepted message has the
 * members its type requires and none it does not, all borrowed from a root
 * object that agrees with them; and its root, written back as compact JSON,
 * parses to the same message (numbers and strings stay exact). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json_object.h>

#include "core/buf.h"
#include "core/jsonx.h"
#include "singer/message.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A failed property names itself on stderr before the abort, so that a
 * crash found by libFuzzer reads without a debugger. */
#define check(c) ((c) ? (void)0 : fail(#c, __LINE__, NULL, NULL))

static void fail(const char *what, int line, const char *a, const char *b)
{
    fprintf(stderr, "fuzz_singer.c:%d: %s\n", line, what);
    if (a)
        fprintf(stderr, "  first:  %s\n  second: %s\n", a, b);
    abort();
}

/* A name the loader can use: non-empty, NUL-free, the root's own string. */
static void check_name(const char *s, const struct json_object *v)
{
    check(s && v && s == jsonx_str(v) && *s && strlen(s) == jsonx_str_len(v));
}

static void check_names(const struct json_object *arr)
{
    if (!arr)
        return;
    check(json_object_is_type(arr, json_type_array));
    for (size_t i = 0; i < jsonx_len(arr); i++)
        check_name(jsonx_str(jsonx_at(arr, i)), jsonx_at(arr, i));
}

static void check_msg(const struct singer_msg *m)
{
    const struct json_object *r = m->root;
    const char *type = singer_type_name(m->type);

    check(json_object_is_type(r, json_type_object));
    check(strcmp(jsonx_str(jsonx_get(r, "type")), type) == 0 &&
          jsonx_str_len(jsonx_get(r, "type")) == strlen(type));
    if (m->type == SINGER_STATE)
        check(!m->stream && m->value == jsonx_get(r, "value") && jsonx_has(r, "value"));
    else
        check_name(m->stream, jsonx_get(r, "stream"));
    check(m->type == SINGER_STATE || !m->value);
    check((m->type == SINGER_SCHEMA) == (m->schema != NULL));
    check(!m->schema || (m->schema == jsonx_get(r, "schema") &&
                         json_object_is_type(m->schema, json_type_object)));
    check(m->type == SINGER_SCHEMA || (!m->key_properties && !m->bookmark_properties));
    check_names(m->key_properties);
    check_names(m->bookmark_properties);
    check((m->type == SINGER_RECORD) == (m->record != NULL));
    check(!m->record || (m->record == jsonx_get(r, "record") &&
                         json_object_is_type(m->record, json_type_object)));
    check(m->type != SINGER_ACTIVATE_VERSION || m->has_version);
    check(m->has_version || m->version == 0);
    check(m->type != SINGER_RECORD || m->has_version == (jsonx_get(r, "version") != NULL));
    check(!m->has_version || m->type == SINGER_RECORD || m->type == SINGER_ACTIVATE_VERSION);
    check(!m->time_extracted || (m->type == SINGER_RECORD &&
                                 m->time_extracted == jsonx_str(jsonx_get(r, "time_extracted"))));
}

static void same_msg(const struct singer_msg *a, const struct singer_msg *b)
{
    struct buf x, y;

    check(a->type == b->type && a->has_version == b->has_version && a->version == b->version &&
          !a->stream == !b->stream && !a->time_extracted == !b->time_extracted);
    check(!a->stream || strcmp(a->stream, b->stream) == 0);
    check(!a->time_extracted || strcmp(a->time_extracted, b->time_extracted) == 0);
    buf_init(&x, 0);
    buf_init(&y, 0);
    jsonx_format(&x, a->root);
    jsonx_format(&y, b->root);
    if (x.n != y.n || memcmp(buf_cstr(&x), buf_cstr(&y), x.n) != 0)
        fail("the same root", __LINE__, buf_cstr(&x), buf_cstr(&y));
    buf_dispose(&x);
    buf_dispose(&y);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct jsonx_parser shared; /* reused across inputs, as the loader does */
    static bool ready;
    struct singer_msg m = {0}, m2 = {0}, m3 = {0};
    struct err err, err2, err3;
    const char *line = (const char *)data;
    size_t lineno = size + 1;
    char prefix[32];

    if (!ready) {
        jsonx_parser_init(&shared, SINGER_LINE_MAX);
        ready = true;
    }
    int rc = singer_parse_line(&m, NULL, line, size, lineno, &err);
    int rc2 = singer_parse_line(&m2, &shared, line, size, lineno, &err2);

    check(rc == rc2);
    check((rc == ERR_NOTFOUND) == singer_line_blank(line, size));
    if (rc < 0) {
        snprintf(prefix, sizeof(prefix), "line %zu: ", lineno);
        check(rc == ERR_INVALID || rc == ERR_NOTFOUND || rc == ERR_TOOBIG);
        check(err.code == rc && strncmp(err.msg, prefix, strlen(prefix)) == 0);
        check(!strchr(err.msg, '\n') && !strchr(err.msg, '\r'));
        check(strcmp(err.msg, err2.msg) == 0);
        check(!m.root && !m2.root); /* *out untouched */
        return 0;
    }
    check_msg(&m);
    same_msg(&m, &m2);

    /* Written back and parsed again, the message is the same. */
    struct buf b;
    buf_init(&b, 0);
    jsonx_format(&b, m.root);
    check(!buf_failed(&b));
    rc = singer_parse_line(&m3, &shared, b.p, b.n, 1, &err3);
    check(rc == 0);
    same_msg(&m, &m3);
    buf_dispose(&b);
    singer_msg_dispose(&m);
    singer_msg_dispose(&m2);
    singer_msg_dispose(&m3);
    return 0;
}
