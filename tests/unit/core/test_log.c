/* tests/unit/core/test_log.c - JSON-lines logging: exact lines from
 * log_format, escaping, field kinds, secrets, level filtering, truncation of
 * over-long values, and whole lines from concurrent writers through a pipe.
 * Every line produced is checked by a small strict JSON validator. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/secret.h"
#include "test.h"

#define TS      1795341845123LL /* 2026-11-22T10:04:05.123Z */
#define TS_TEXT "2026-11-22T10:04:05.123Z"
#define HEAD    "{\"ts\":\"" TS_TEXT "\","

/* A strict JSON validator, enough to say a line is one valid value: returns
 * the position after the value at p, or NULL. */
static const char *json_value(const char *p);

static const char *json_ws(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    return p;
}

static const char *json_string(const char *p)
{
    if (*p++ != '"')
        return NULL;
    for (;;) {
        unsigned char c = (unsigned char)*p++;
        if (c == '"')
            return p;
        if (c < 0x20)
            return NULL; /* raw control characters, NUL included */
        if (c != '\\')
            continue;
        c = (unsigned char)*p++;
        if (c == 'u') {
            for (int i = 0; i < 4; i++, p++)
                if (!*p || !strchr("0123456789abcdefABCDEF", *p))
                    return NULL;
        } else if (!c || !strchr("\"\\/bfnrt", c)) {
            return NULL;
        }
    }
}

static const char *json_digits(const char *p)
{
    if (*p < '0' || *p > '9')
        return NULL;
    while (*p >= '0' && *p <= '9')
        p++;
    return p;
}

static const char *json_number(const char *p)
{
    if (*p == '-')
        p++;
    if (*p == '0')
        p++;
    else if (!(p = json_digits(p)))
        return NULL;
    if (*p == '.' && !(p = json_digits(p + 1)))
        return NULL;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!(p = json_digits(p)))
            return NULL;
    }
    return p;
}

static const char *json_value(const char *p)
{
    p = json_ws(p);
    if (*p == '"')
        return json_string(p);
    if (strncmp(p, "true", 4) == 0 || strncmp(p, "null", 4) == 0)
        return p + 4;
    if (strncmp(p, "false", 5) == 0)
        return p + 5;
    if (*p == '{' || *p == '[') {
        char close = *p == '{' ? '}' : ']';
        p = json_ws(p + 1);
        if (*p == close)
            return p + 1;
        for (;;) {
            if (close == '}') {
                if (!(p = json_string(json_ws(p))))
                    return NULL;
                p = json_ws(p);
                if (*p++ != ':')
                    return NULL;
            }
            if (!(p = json_value(p)))
                return NULL;
            p = json_ws(p);
            if (*p == close)
                return p + 1;
            if (*p++ != ',')
                return NULL;
        }
    }
    return json_number(p);
}

/* True when s is exactly one JSON object followed by one '\n'. */
static bool is_json_line(const char *s, size_t n)
{
    if (n < 2 || s[0] != '{' || s[n - 1] != '\n' || memchr(s, '\n', n - 1))
        return false;
    const char *end = json_value(s);
    return end == s + n - 1;
}

/* Format one line at the fixed instant TS into a fresh string (xfree). */
static char *line_of(enum log_level level, const char *msg, const struct log_field *f, size_t n)
{
    struct buf b;
    buf_init(&b, 0);
    log_format(&b, TS, level, msg, f, n);
    assert_false(buf_failed(&b));
    assert_true(b.n <= LOG_LINE_MAX);
    if (!is_json_line(buf_cstr(&b), b.n))
        fail_msg("not a JSON line: %s", buf_cstr(&b));
    return buf_take(&b);
}

#define FIELDS(...)           ((const struct log_field[]){__VA_ARGS__})
#define COUNT(...)            (sizeof(FIELDS(__VA_ARGS__)) / sizeof(struct log_field))
#define LINE(level, msg, ...) line_of((level), (msg), FIELDS(__VA_ARGS__), COUNT(__VA_ARGS__))

static void exact_lines(void **state)
{
    (void)state;
    char *s = line_of(LOG_LEVEL_INFO, "server started", NULL, 0);
    assert_string_equal(s, HEAD "\"level\":\"info\",\"msg\":\"server started\"}\n");
    xfree(s);

    s = LINE(LOG_LEVEL_WARN, "migration applied", LOG_STR("name", "0001_init.sql"),
             LOG_INT("version", 1), LOG_BOOL("dry_run", false), LOG_BOOL("first", true));
    assert_string_equal(s, HEAD "\"level\":\"warn\",\"msg\":\"migration applied\","
                                "\"name\":\"0001_init.sql\",\"version\":1,\"dry_run\":false,"
                                "\"first\":true}\n");
    xfree(s);

    const char *stream = "contacts,deals", *none = NULL; /* a bare NULL is void *: refused */
    s = LINE(LOG_LEVEL_DEBUG, "slice", LOG_STRN("stream", stream, 8), LOG_STR("cursor", none),
             LOG_INT("min", INT64_MIN), LOG_INT("max", INT64_MAX));
    assert_string_equal(s, HEAD "\"level\":\"debug\",\"msg\":\"slice\",\"stream\":\"contacts\","
                                "\"cursor\":null,\"min\":-9223372036854775808,"
                                "\"max\":9223372036854775807}\n");
    xfree(s);
}

static void doubles(void **state)
{
    (void)state;
    char *s = LINE(LOG_LEVEL_ERROR, "d", LOG_DOUBLE("a", 0.1), LOG_DOUBLE("b", 1.0 / 3),
                   LOG_DOUBLE("c", 1e300), LOG_DOUBLE("d", -0.0), LOG_DOUBLE("e", NAN),
                   LOG_DOUBLE("f", -INFINITY), LOG_DOUBLE("g", 250.5));
    assert_string_equal(s, HEAD "\"level\":\"error\",\"msg\":\"d\",\"a\":0.1,"
                                "\"b\":0.3333333333333333,\"c\":1e+300,\"d\":-0,"
                                "\"e\":null,\"f\":null,\"g\":250.5}\n");
    xfree(s);
}

static void escaping(void **state)
{
    (void)state;
    const char nasty[] = "say \"hi\"\\ now\nthen\r\tend\x01\x1f\x7f é 日本";
    char *s = LINE(LOG_LEVEL_INFO, "quote \" and\nnewline", LOG_STR("v", nasty),
                   LOG_STRN("z", "a\0b", 3));
    assert_string_equal(s, HEAD "\"level\":\"info\",\"msg\":\"quote \\\" and\\nnewline\","
                                "\"v\":\"say \\\"hi\\\"\\\\ now\\nthen\\r\\tend\\u0001\\u001F"
                                "\x7f é 日本\",\"z\":\"a\\u0000b\"}\n");
    xfree(s);
}

static void errors(void **state)
{
    (void)state;
    struct err e;
    err_set(&e, ERR_INVALID, "time: month 13 out of range at byte 5");
    char *s = LINE(LOG_LEVEL_WARN, "bad bookmark", LOG_STR("stream", "contacts"), LOG_ERROR(&e));
    assert_string_equal(s, HEAD "\"level\":\"warn\",\"msg\":\"bad bookmark\",\"stream\":"
                                "\"contacts\",\"error\":\"time: month 13 out of range at byte 5\","
                                "\"error_code\":\"invalid\"}\n");
    xfree(s);
}

/* Point the logger at a temporary file; read_capture returns (and empties)
 * what was written since. */
static FILE *capture_file;
static int saved_fd;

static void capture_start(void)
{
    capture_file = tmpfile();
    assert_non_null(capture_file);
    saved_fd = log_set_fd(fileno(capture_file));
}

static char *capture_end(size_t *len)
{
    log_set_fd(saved_fd);
    fseek(capture_file, 0, SEEK_END);
    long n = ftell(capture_file);
    rewind(capture_file);
    char *text = xmalloc((size_t)n + 1);
    assert_int_equal(fread(text, 1, (size_t)n, capture_file), (size_t)n);
    text[n] = '\0';
    fclose(capture_file);
    if (len)
        *len = (size_t)n;
    return text;
}

static void secrets_never_appear(void **state)
{
    (void)state;
    const char token[] = "ya29.a0AfH6SMBx-super-secret-token";
    struct secret sec, empty = {0};
    secret_set(&sec, token, strlen(token));

    capture_start();
    log_info("token refreshed", LOG_SECRET("access_token", &sec), LOG_SECRET("none", &empty),
             LOG_INT("expires_in", 3599));
    const struct secret *csec = &sec;
    log_error("again", LOG_SECRET("t", csec));
    size_t n;
    char *out = capture_end(&n);

    assert_non_null(strstr(out, "\"msg\":\"token refreshed\",\"access_token\":\"***\","
                                "\"none\":\"***\",\"expires_in\":3599}\n"));
    assert_non_null(strstr(out, "\"msg\":\"again\",\"t\":\"***\"}\n"));
    assert_null(strstr(out, "super-secret"));
    assert_null(strstr(out, token));
    assert_null(strstr(out, "ya29"));
    assert_int_equal(strlen(out), n); /* no NUL hides anything after it */
    xfree(out);
    secret_dispose(&sec);
    /* LOG_STR("t", &sec), LOG_STR("t", sec.p) and log_info(sec.p) do not
     * compile: see the _Generic selections in core/log.h. */
}

static void levels_filter(void **state)
{
    (void)state;
    int evaluated = 0;
    capture_start();
    log_set_level(LOG_LEVEL_WARN);
    assert_false(log_enabled(LOG_LEVEL_INFO));
    assert_true(log_enabled(LOG_LEVEL_ERROR));
    log_debug("d1", LOG_INT("n", ++evaluated));
    log_info("i1", LOG_INT("n", ++evaluated));
    log_warn("w1");
    log_error("e1");
    log_set_level(LOG_LEVEL_DEBUG);
    log_debug("d2", LOG_INT("n", ++evaluated));
    log_set_level(LOG_LEVEL_ERROR);
    log_warn("w2");
    log_set_level(LOG_LEVEL_INFO);
    log_debug("d3");
    log_info("i3");
    char *out = capture_end(NULL);

    assert_int_equal(evaluated, 1); /* only d2's arguments ran */
    const char *want[] = {
        "\"level\":\"warn\",\"msg\":\"w1\"}", "\"level\":\"error\",\"msg\":\"e1\"}",
        "\"level\":\"debug\",\"msg\":\"d2\",\"n\":1}", "\"level\":\"info\",\"msg\":\"i3\"}"};
    const char *p = out;
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        const char *nl = strchr(p, '\n');
        assert_non_null(nl);
        assert_true(is_json_line(p, (size_t)(nl - p + 1)));
        assert_memory_equal(nl - strlen(want[i]), want[i], strlen(want[i]));
        p = nl + 1;
    }
    assert_string_equal(p, "");
    xfree(out);
}

static void level_names_parse(void **state)
{
    (void)state;
    enum log_level lvl = LOG_LEVEL_INFO;
    struct err err;
    assert_int_equal(log_level_parse(&lvl, "warn", &err), 0);
    assert_int_equal(lvl, LOG_LEVEL_WARN);
    assert_int_equal(log_level_parse(&lvl, "DEBUG", &err), 0);
    assert_int_equal(lvl, LOG_LEVEL_DEBUG);
    assert_int_equal(log_level_parse(&lvl, "Error", &err), 0);
    assert_int_equal(lvl, LOG_LEVEL_ERROR);
    assert_int_equal(log_level_parse(&lvl, "info", &err), 0);
    assert_int_equal(lvl, LOG_LEVEL_INFO);
    assert_string_equal(log_level_name(LOG_LEVEL_WARN), "warn");

    assert_int_equal(log_level_parse(&lvl, "warning", &err), ERR_INVALID);
    assert_string_equal(
        err.msg, "INLET_LOG_LEVEL: unknown level \"warning\"; use debug, info, warn or error");
    assert_int_equal(log_level_parse(&lvl, "", &err), ERR_INVALID);
    assert_string_equal(err.msg,
                        "INLET_LOG_LEVEL: unknown level \"\"; use debug, info, warn or error");
    assert_int_equal(lvl, LOG_LEVEL_INFO); /* untouched on error */
}

/* A buffer of n copies of the byte pattern pat (heap; xfree). */
static char *repeat(const char *pat, size_t plen, size_t n)
{
    char *s = xmalloc(n * plen + 1);
    for (size_t i = 0; i < n; i++)
        memcpy(s + i * plen, pat, plen);
    s[n * plen] = '\0';
    return s;
}

static void long_values_are_cut_not_dropped(void **state)
{
    (void)state;
    char *big = repeat("x", 1, 100000);
    char *s = LINE(LOG_LEVEL_INFO, "big", LOG_STR("body", big), LOG_STR("after", "kept"),
                   LOG_INT("n", 7));
    size_t n = strlen(s);
    assert_int_equal(n, LOG_LINE_MAX); /* the room is used to the last byte */
    assert_non_null(strstr(s, "xxx...(truncated, 100000 bytes)\",\"after\":\"kept\",\"n\":7}\n"));
    xfree(s);

    /* Two long values share the room; the short one keeps all its bytes. */
    char *big2 = repeat("y", 1, 50000);
    s = LINE(LOG_LEVEL_INFO, "two", LOG_STR("a", big), LOG_STR("short", "abc"), LOG_STR("b", big2));
    n = strlen(s);
    assert_true(n <= LOG_LINE_MAX && n > LOG_LINE_MAX - 8);
    const char *a = strstr(s, "\"a\":\""), *b = strstr(s, "\"b\":\"");
    assert_non_null(strstr(s, "...(truncated, 100000 bytes)\",\"short\":\"abc\",\"b\":\"yyy"));
    assert_non_null(strstr(s, "...(truncated, 50000 bytes)\"}\n"));
    size_t alen = strspn(a + 5, "x"), blen = strspn(b + 5, "y");
    assert_true(alen > 7000 && blen > 7000 && (alen > blen ? alen - blen : blen - alen) < 16);
    xfree(s);

    /* A long message is cut the same way. */
    s = line_of(LOG_LEVEL_INFO, big, NULL, 0);
    assert_int_equal(strlen(s), LOG_LINE_MAX);
    assert_non_null(strstr(s, "x...(truncated, 100000 bytes)\"}\n"));
    xfree(s);
    xfree(big2);
    xfree(big);
}

static void cuts_respect_utf8_and_escapes(void **state)
{
    (void)state;
    /* 2-byte and 3-byte characters: the cut never splits one. */
    static const char *const pats[] = {"\xc3\xa9", "\xe6\x97\xa5", "a\xe6\x97\xa5",
                                       "\xf0\x9f\x98\x80"};
    for (size_t k = 0; k < sizeof(pats) / sizeof(pats[0]); k++) {
        size_t plen = strlen(pats[k]);
        char *big = repeat(pats[k], plen, 30000 / plen);
        char *s = LINE(LOG_LEVEL_INFO, "u", LOG_STR("v", big));
        const char *v = strstr(s, "\"v\":\"") + 5;
        const char *mark = strstr(v, "...(truncated,");
        assert_non_null(mark);
        size_t kept = (size_t)(mark - v);
        assert_true(kept > 1000);
        assert_memory_equal(v, big, kept);
        assert_true(((unsigned char)big[kept] & 0xC0) != 0x80); /* not inside a character */
        xfree(s);
        xfree(big);
    }
    /* Escapes are never split either: 6-byte \u0001, 2-byte \". */
    char *ctl = repeat("\x01\"", 2, 10000);
    char *s = LINE(LOG_LEVEL_INFO, "c", LOG_STR("v", ctl));
    const char *mark = strstr(s, "...(truncated, 20000 bytes)");
    assert_non_null(mark);
    assert_true(memcmp(mark - 2, "\\\"", 2) == 0 || memcmp(mark - 6, "\\u0001", 6) == 0);
    xfree(s);
    xfree(ctl);

    /* Every byte value, many times over. */
    char all[256];
    for (int i = 0; i < 256; i++)
        all[i] = (char)i;
    char *mix = repeat(all, sizeof(all), 200);
    s = line_of(LOG_LEVEL_INFO, "mix", FIELDS(LOG_STRN("v", mix, 51200)), 1);
    assert_true(strlen(s) <= LOG_LINE_MAX);
    assert_non_null(strstr(s, "...(truncated, 51200 bytes)\"}\n"));
    xfree(s);
    xfree(mix);
}

static void the_most_fields_fit(void **state)
{
    (void)state;
    char *big = repeat("z", 1, 5000);
    struct log_field f[LOG_FIELDS_MAX];
    char keys[LOG_FIELDS_MAX][LOG_KEY_MAX + 1];
    for (int i = 0; i < LOG_FIELDS_MAX; i++) {
        memcpy(keys[i], "k00_abcdefghijklmnopqrstuvwxyz0", LOG_KEY_MAX); /* 31 bytes, NUL */
        keys[i][1] = (char)('0' + i / 10);
        keys[i][2] = (char)('0' + i % 10);
        f[i] = LOG_STR(keys[i], big);
    }
    char *s = line_of(LOG_LEVEL_INFO, big, f, LOG_FIELDS_MAX);
    assert_true(strlen(s) <= LOG_LINE_MAX);
    for (int i = 0; i < LOG_FIELDS_MAX; i++)
        assert_non_null(strstr(s, keys[i]));
    xfree(s);
    xfree(big);
}

/* Several threads log through one pipe, some lines longer than PIPE_BUF;
 * the reader must see only whole lines. */
enum { WRITERS = 8, LINES = 300 };

static void *writer(void *arg)
{
    int id = (int)(intptr_t)arg;
    char *fill = repeat((char[]){(char)('a' + id)}, 1, 6000);
    for (int i = 0; i < LINES; i++) {
        size_t len = i % 3 == 0 ? 6000 : (size_t)(i % 50);
        log_info("tick", LOG_INT("writer", id), LOG_INT("i", i), LOG_STRN("fill", fill, len));
    }
    xfree(fill);
    return NULL;
}

static void *reader(void *arg)
{
    int fd = *(int *)arg;
    struct buf *b = xcalloc(1, sizeof(*b));
    buf_init(b, 0);
    char chunk[4096];
    ssize_t r;
    while ((r = read(fd, chunk, sizeof(chunk))) > 0)
        buf_put(b, chunk, (size_t)r);
    return b;
}

static void concurrent_writers_whole_lines(void **state)
{
    (void)state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    int prev = log_set_fd(fds[1]);
    pthread_t rd, wr[WRITERS];
    assert_int_equal(pthread_create(&rd, NULL, reader, &fds[0]), 0);
    for (int i = 0; i < WRITERS; i++)
        assert_int_equal(pthread_create(&wr[i], NULL, writer, (void *)(intptr_t)i), 0);
    for (int i = 0; i < WRITERS; i++)
        pthread_join(wr[i], NULL);
    log_set_fd(prev);
    close(fds[1]);
    void *res;
    pthread_join(rd, &res);
    close(fds[0]);
    struct buf *b = res;

    int count[WRITERS] = {0};
    char *text = b->p;
    for (char *line = text, *nl; line && *line; line = nl + 1) {
        nl = strchr(line, '\n');
        assert_non_null(nl);
        if (!is_json_line(line, (size_t)(nl - line + 1)))
            fail_msg("torn line: %.80s", line);
        int w, i;
        assert_int_equal(sscanf(strstr(line, "\"writer\":"), "\"writer\":%d,\"i\":%d", &w, &i), 2);
        assert_true(w >= 0 && w < WRITERS);
        const char *fill = strstr(line, "\"fill\":\"") + 8;
        size_t len = (size_t)(nl - 2 - fill);
        assert_int_equal(len, i % 3 == 0 ? 6000 : (size_t)(i % 50));
        for (size_t k = 0; k < len; k++)
            assert_int_equal(fill[k], 'a' + w);
        count[w]++;
    }
    for (int i = 0; i < WRITERS; i++)
        assert_int_equal(count[i], LINES);
    buf_dispose(b);
    xfree(b);
}

int test_log(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(exact_lines),
        cmocka_unit_test(doubles),
        cmocka_unit_test(escaping),
        cmocka_unit_test(errors),
        cmocka_unit_test(secrets_never_appear),
        cmocka_unit_test(levels_filter),
        cmocka_unit_test(level_names_parse),
        cmocka_unit_test(long_values_are_cut_not_dropped),
        cmocka_unit_test(cuts_respect_utf8_and_escapes),
        cmocka_unit_test(the_most_fields_fit),
        cmocka_unit_test(concurrent_writers_whole_lines),
    };
    return test_group("log", tests, NULL, NULL);
}
