/* tests/unit/singer/test_message.c - singer_parse_line: the cases in
 * tests/data/singer/ (run from the repository root: NAME.line is the line,
 * its one trailing '\n' removed; NAME.out the message as the test renders it
 * from the struct's fields, or NAME.err the exact "code: message"), each run
 * with a fresh and with a reused parser; then the size cap, blank lines,
 * line numbers, ownership, a reused parser after a refusal, the output of
 * the test taps (tests/fixtures/taps/) and the type names. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <json-c/json_object.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/jsonx.h"
#include "singer/message.h"
#include "test.h"

#define DATA_DIR "tests/data/singer/"

static void chomp(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
}

/* One line of JSON from the struct's fields (not from root), so the test
 * sees what the loader sees. Also checks that each type has exactly the
 * members it should. */
static void describe(struct buf *b, const struct singer_msg *m)
{
    bool named = m->type != SINGER_STATE;

    assert_non_null(m->root);
    assert_true(!m->stream == !named);
    assert_true(!m->schema == (m->type != SINGER_SCHEMA));
    assert_true(!m->record == (m->type != SINGER_RECORD));
    assert_true(m->type == SINGER_SCHEMA || (!m->key_properties && !m->bookmark_properties));
    assert_true(m->type == SINGER_STATE || !m->value);
    assert_true(m->type != SINGER_ACTIVATE_VERSION || m->has_version);
    assert_true(m->has_version || m->version == 0);
    assert_true(m->type == SINGER_RECORD || !m->time_extracted);

    buf_printf(b, "{\"type\":\"%s\"", singer_type_name(m->type));
    if (m->stream) {
        buf_puts(b, ",\"stream\":");
        buf_put_json_str(b, m->stream);
    }
    if (m->schema) {
        buf_puts(b, ",\"schema\":");
        jsonx_format(b, m->schema);
    }
    if (m->key_properties) {
        buf_puts(b, ",\"key_properties\":");
        jsonx_format(b, m->key_properties);
    }
    if (m->bookmark_properties) {
        buf_puts(b, ",\"bookmark_properties\":");
        jsonx_format(b, m->bookmark_properties);
    }
    if (m->record) {
        buf_puts(b, ",\"record\":");
        jsonx_format(b, m->record);
    }
    if (m->type == SINGER_STATE) {
        buf_puts(b, ",\"value\":");
        jsonx_format(b, m->value);
    }
    if (m->has_version)
        buf_printf(b, ",\"version\":%lld", (long long)m->version);
    if (m->time_extracted) {
        buf_puts(b, ",\"time_extracted\":");
        buf_put_json_str(b, m->time_extracted);
    }
    buf_putc(b, '}');
}

/* Parse in with parser p (NULL: none) as line 7 and render the outcome
 * into got: the description, or "code: message". */
static void outcome(struct buf *got, struct jsonx_parser *p, const char *in, size_t n)
{
    struct singer_msg m, untouched;
    struct err e = {0};

    memset(&m, 0xA5, sizeof(m));
    memcpy(&untouched, &m, sizeof(m));
    int rc = singer_parse_line(&m, p, in, n, 7, &e);
    if (rc == 0) {
        describe(got, &m);
        singer_msg_dispose(&m);
        assert_null(m.root);
        return;
    }
    assert_int_equal(rc, e.code);
    assert_memory_equal(&m, &untouched, sizeof(m)); /* *out is filled on success only */
    assert_null(strchr(e.msg, '\n'));
    assert_true(strncmp(e.msg, "line 7: ", 8) == 0);
    buf_printf(got, "%s: %s", err_code_name(e.code), e.msg);
}

static int run_case(const char *name, struct jsonx_parser *shared)
{
    char path[512];
    size_t n;
    struct buf got, again;
    int bad = 0;

    snprintf(path, sizeof(path), DATA_DIR "%s.line", name);
    char *raw = test_read_file(path, &n);
    assert_non_null(raw);
    if (n && raw[n - 1] == '\n')
        n--;
    char *in = xmalloc(n ? n : 1); /* exactly n bytes, so ASan sees any overread */
    memcpy(in, raw, n);
    xfree(raw);
    snprintf(path, sizeof(path), DATA_DIR "%s.out", name);
    char *want_out = test_read_file(path, NULL);
    snprintf(path, sizeof(path), DATA_DIR "%s.err", name);
    char *want_err = test_read_file(path, NULL);
    if (!want_out == !want_err)
        fail_msg("%s: needs exactly one of %s.out and %s.err", name, name, name);
    char *want = want_out ? want_out : want_err;
    chomp(want);

    buf_init(&got, 0);
    buf_init(&again, 0);
    outcome(&got, NULL, in, n);
    outcome(&again, shared, in, n);
    if (strcmp(buf_cstr(&got), want) != 0) {
        print_error("%s:\n  got      %s\n  expected %s\n", name, buf_cstr(&got), want);
        bad = 1;
    } else if (strcmp(buf_cstr(&again), want) != 0) {
        print_error("%s: with a reused parser:\n  got      %s\n  expected %s\n", name,
                    buf_cstr(&again), want);
        bad = 1;
    }
    buf_dispose(&got);
    buf_dispose(&again);
    xfree(in);
    xfree(want_out);
    xfree(want_err);
    return bad;
}

static int line_only(const struct dirent *d)
{
    size_t n = strlen(d->d_name);
    return n > 5 && strcmp(d->d_name + n - 5, ".line") == 0;
}

static void cases_from_data(void **state)
{
    (void)state;
    struct dirent **list;
    struct jsonx_parser p;
    int n = scandir(DATA_DIR, &list, line_only, alphasort), bad = 0;

    if (n <= 0)
        fail_msg("no cases in %s (run from the repository root)", DATA_DIR);
    /* One parser for every case, in order: good and bad lines interleave, as
     * in a stream, and no case may leave the parser in a state that changes
     * the next one. */
    jsonx_parser_init(&p, SINGER_LINE_MAX);
    for (int i = 0; i < n; i++) {
        list[i]->d_name[strlen(list[i]->d_name) - 5] = '\0';
        bad += run_case(list[i]->d_name, &p);
        free(list[i]); /* scandir's memory */
    }
    free(list);
    jsonx_parser_dispose(&p);
    if (bad)
        fail_msg("%d of %d singer cases failed", bad, n);
    assert_true(n >= 75); /* the whole folder was read */
}

/* A RECORD line of exactly n bytes (n >= 64), its string padded with 'a'. */
static char *record_of(size_t n)
{
    static const char head[] = "{\"type\":\"RECORD\",\"stream\":\"s\",\"record\":{\"t\":\"";
    static const char tail[] = "\"}}";
    char *s = xmalloc(n);
    memcpy(s, head, sizeof(head) - 1);
    memset(s + sizeof(head) - 1, 'a', n - (sizeof(head) - 1) - (sizeof(tail) - 1));
    memcpy(s + n - (sizeof(tail) - 1), tail, sizeof(tail) - 1);
    return s;
}

static void size_cap(void **state)
{
    (void)state;
    struct singer_msg m;
    struct err e;
    struct jsonx_parser p, small;
    char tiny[1] = {'{'};

    /* Only n is looked at: a reader that stopped buffering can say so. */
    assert_int_equal(singer_parse_line(&m, NULL, tiny, (size_t)SINGER_LINE_MAX + 1, 9, &e),
                     ERR_TOOBIG);
    assert_string_equal(e.msg, "line 9: longer than 16777216 bytes");

    char *line = record_of(SINGER_LINE_MAX);
    jsonx_parser_init(&p, SINGER_LINE_MAX);
    assert_int_equal(singer_parse_line(&m, NULL, line, SINGER_LINE_MAX, 1, &e), 0);
    assert_int_equal(jsonx_str_len(jsonx_get(m.record, "t")), SINGER_LINE_MAX - 48);
    singer_msg_dispose(&m);
    assert_int_equal(singer_parse_line(&m, &p, line, SINGER_LINE_MAX, 1, &e), 0);
    singer_msg_dispose(&m);
    xfree(line);
    jsonx_parser_dispose(&p);

    /* A parser with a smaller cap lowers the limit, with jsonx's message. */
    jsonx_parser_init(&small, 64);
    line = record_of(65);
    assert_int_equal(singer_parse_line(&m, &small, line, 64, 2, &e), ERR_INVALID);
    assert_int_equal(singer_parse_line(&m, &small, line, 65, 3, &e), ERR_TOOBIG);
    assert_string_equal(e.msg, "line 3: JSON document of 65 bytes is over the 64-byte limit");
    xfree(line);
    jsonx_parser_dispose(&small);
}

static void blank_lines(void **state)
{
    (void)state;
    struct singer_msg m;
    struct err e;

    assert_true(singer_line_blank("", 0));
    assert_true(singer_line_blank(" \t\r\n", 4));
    assert_false(singer_line_blank(" x", 2));
    assert_false(singer_line_blank("\v", 1)); /* not JSON white space */
    assert_false(singer_line_blank("\0", 1));
    assert_int_equal(singer_parse_line(&m, NULL, "\r", 1, 4, &e), ERR_NOTFOUND);
    assert_string_equal(e.msg, "line 4: blank line");
    assert_int_equal(singer_parse_line(&m, NULL, NULL, 0, 5, &e), ERR_NOTFOUND);
    /* One trailing '\r' is cut; any other is JSON white space. */
    assert_int_equal(singer_parse_line(&m, NULL, "{\"type\":\"STATE\",\"value\":1}\r\r", 28, 1, &e),
                     0);
    singer_msg_dispose(&m);
    assert_int_equal(singer_parse_line(&m, NULL, "\r{\"type\":\"STATE\",\"value\":1}", 27, 1, &e),
                     0);
    singer_msg_dispose(&m);
}

static void line_numbers(void **state)
{
    (void)state;
    struct singer_msg m;
    struct err e;
    const char nul[] = "{\"type\":\"STATE\",\0\"value\":1}";

    assert_int_equal(singer_parse_line(&m, NULL, "[]", 2, SIZE_MAX, &e), ERR_INVALID);
    assert_string_equal(e.msg, "line 18446744073709551615: expected a JSON object, got array");
    assert_int_equal(singer_parse_line(&m, NULL, nul, sizeof(nul) - 1, 1, &e), ERR_INVALID);
    assert_string_equal(e.msg, "line 1: invalid JSON at column 17 (byte 16): unexpected NUL byte");
    /* err may be NULL: the code alone. */
    assert_int_equal(singer_parse_line(&m, NULL, "{}", 2, 1, NULL), ERR_INVALID);
}

static void ownership(void **state)
{
    (void)state;
    struct singer_msg m = {0};
    struct err e;
    const char text[] = "{\"type\":\"RECORD\",\"stream\":\"items\",\"record\":{\"id\":7},"
                        "\"time_extracted\":\"2024-01-15T10:00:00Z\"}";
    char *copy = xstrdup(text);

    singer_msg_dispose(&m); /* a zeroed struct is fine */
    assert_int_equal(singer_parse_line(&m, NULL, copy, strlen(copy), 1, &e), 0);
    memset(copy, 'x', strlen(copy)); /* nothing borrowed from the line */
    xfree(copy);
    assert_ptr_equal(m.stream, jsonx_str(jsonx_get(m.root, "stream")));
    assert_ptr_equal(m.record, jsonx_get(m.root, "record"));
    assert_string_equal(m.time_extracted, "2024-01-15T10:00:00Z");

    /* A reference taken on the record outlives the message. */
    struct json_object *rec = json_object_get(m.record);
    singer_msg_dispose(&m);
    singer_msg_dispose(&m); /* twice is harmless */
    int64_t id;
    assert_int_equal(jsonx_as_i64(&id, jsonx_get(rec, "id"), "id", &e), 0);
    assert_int_equal(id, 7);
    json_object_put(rec);
}

/* json-c keeps a pending high surrogate across json_tokener_reset: after
 * this refused line, a reused parser used to put U+FFFD before the next
 * line's first \u escape (found by fuzz/fuzz_singer.c). */
static void reuse_after_error(void **state)
{
    (void)state;
    struct singer_msg m;
    struct err e;
    struct jsonx_parser p;
    const char bad[] = "{\"type\":\"RECORD\",\"stream\":\"s\",\"record\":{\"a\":\"\\ud83d\\u12\"}}";
    const char good[] = "{\"type\":\"RECORD\",\"stream\":\"s\",\"record\":{\"a\":\"\\u00e9\"}}";

    jsonx_parser_init(&p, SINGER_LINE_MAX);
    assert_int_equal(singer_parse_line(&m, &p, bad, sizeof(bad) - 1, 1, &e), ERR_INVALID);
    assert_string_equal(e.msg, "line 1: invalid JSON at column 46 (byte 45): high surrogate escape "
                               "without its low half");
    assert_int_equal(p.max_bytes, SINGER_LINE_MAX);
    assert_int_equal(singer_parse_line(&m, &p, good, sizeof(good) - 1, 2, &e), 0);
    assert_string_equal(jsonx_str(jsonx_get(m.record, "a")), "\xc3\xa9");
    singer_msg_dispose(&m);
    jsonx_parser_dispose(&p);
}

/* Run a test tap (tests/fixtures/taps/) with config as its config file and
 * parse every line of its output, as the loader will, into got: a type
 * name per message ("SCHEMA shapes", "STATE"), or "[message]" per refusal,
 * one per line. Returns the tap's exit status. */
static int run_tap(struct buf *got, const char *tap, const char *config)
{
    char *dir = test_tmpdir();
    char path[512], cmd[1200];
    struct jsonx_parser p;
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    ssize_t r;

    snprintf(path, sizeof(path), "%s/config.json", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(config, f);
    fclose(f);
    snprintf(cmd, sizeof(cmd), "tests/fixtures/taps/%s --config %s 2>/dev/null", tap, path);
    FILE *out = popen(cmd, "r");
    assert_non_null(out);
    jsonx_parser_init(&p, SINGER_LINE_MAX);
    while ((r = getline(&line, &cap, out)) > 0) {
        size_t n = (size_t)r;
        struct singer_msg m;
        struct err e;
        if (line[n - 1] == '\n')
            n--;
        if (singer_parse_line(&m, &p, line, n, ++lineno, &e) != 0) {
            buf_printf(got, "[%s]\n", e.msg);
            continue;
        }
        buf_printf(got, "%s%s%s\n", singer_type_name(m.type), m.stream ? " " : "",
                   m.stream ? m.stream : "");
        singer_msg_dispose(&m);
    }
    free(line); /* getline's memory */
    jsonx_parser_dispose(&p);
    int status = pclose(out);
    test_tmpdir_remove(dir);
    xfree(dir);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* What each kind of tap-bad's bad line (line 4, after a SCHEMA and two
 * RECORDs) comes to. */
static const struct {
    const char *kind, *line4;
} tap_bad_lines[] = {
    {"malformed_json", "[line 4: invalid JSON at column 51 (byte 50): trailing comma]"},
    {"not_object", "[line 4: expected a JSON object, got array]"},
    {"missing_type", "[line 4: /type: missing]"},
    {"unknown_type", "[line 4: unknown message type \"BATCH\"]"},
    {"record_not_object", "[line 4: RECORD /record: expected an object, got array]"},
    {"record_before_schema", "RECORD orphans"},
    {"invalid_utf8", "[line 4: invalid JSON at column 64 (byte 63): invalid UTF-8 in string]"},
    {"schema_violation", "RECORD items"},
    {"too_long", "[line 4: longer than 16777216 bytes]"},
    {"truncated", "[line 4: invalid JSON at column 39 (byte 38): unexpected end of input]"},
    {"blank", "[line 4: blank line]"},
    {"crlf", "RECORD items"},
};

static void test_taps(void **state)
{
    (void)state;
    struct buf got;

    buf_init(&got, 0);
    assert_int_equal(run_tap(&got, "tap-shapes", "{}"), 0);
    assert_string_equal(buf_cstr(&got), "SCHEMA shapes\nACTIVATE_VERSION shapes\nSCHEMA events\n"
                                        "RECORD shapes\nRECORD shapes\nRECORD events\n"
                                        "RECORD shapes\nRECORD shapes\nRECORD shapes\nSTATE\n"
                                        "SCHEMA shapes\nRECORD shapes\nRECORD shapes\n"
                                        "RECORD shapes\nRECORD events\nACTIVATE_VERSION shapes\n"
                                        "STATE\n");
    buf_reset(&got);
    assert_int_equal(run_tap(&got, "tap-counter", "{\"count\":5,\"crash_at\":4,\"state_every\":3}"),
                     1);
    assert_string_equal(buf_cstr(&got),
                        "SCHEMA items\nRECORD items\nRECORD items\nRECORD items\nSTATE\n"
                        "[line 6: invalid JSON at column 42 (byte 41): unexpected end of input]\n");
    for (size_t i = 0; i < sizeof(tap_bad_lines) / sizeof(tap_bad_lines[0]); i++) {
        char config[128], *nl;
        buf_reset(&got);
        snprintf(config, sizeof(config), "{\"bad\":\"%s\",\"good\":2,\"after\":1}",
                 tap_bad_lines[i].kind);
        assert_int_equal(run_tap(&got, "tap-bad", config), 0);
        const char *text = buf_cstr(&got);
        if (strncmp(text, "SCHEMA items\nRECORD items\nRECORD items\n", 39) != 0)
            fail_msg("tap-bad %s: starts %.60s", tap_bad_lines[i].kind, text);
        nl = strchr(text + 39, '\n');
        assert_non_null(nl);
        if (strncmp(text + 39, tap_bad_lines[i].line4, (size_t)(nl - text - 39)) != 0 ||
            strlen(tap_bad_lines[i].line4) != (size_t)(nl - text - 39))
            fail_msg("tap-bad %s: line 4 is %.*s, want %s", tap_bad_lines[i].kind,
                     (int)(nl - text - 39), text + 39, tap_bad_lines[i].line4);
    }
    buf_dispose(&got);
}

static void type_names(void **state)
{
    (void)state;
    assert_string_equal(singer_type_name(SINGER_SCHEMA), "SCHEMA");
    assert_string_equal(singer_type_name(SINGER_RECORD), "RECORD");
    assert_string_equal(singer_type_name(SINGER_STATE), "STATE");
    assert_string_equal(singer_type_name(SINGER_ACTIVATE_VERSION), "ACTIVATE_VERSION");
}

int test_singer_message(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cases_from_data), cmocka_unit_test(size_cap),
        cmocka_unit_test(blank_lines),     cmocka_unit_test(line_numbers),
        cmocka_unit_test(ownership),       cmocka_unit_test(reuse_after_error),
        cmocka_unit_test(test_taps),       cmocka_unit_test(type_names),
    };
    return test_group("singer_message", tests, NULL, NULL);
}
