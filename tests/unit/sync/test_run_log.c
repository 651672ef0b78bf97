/* tests/unit/sync/test_run_log.c - a run's log: one JSON line per entry,
 * anything a tap prints made storable, and bounded (first lines, a note of
 * what was left out, last lines) whatever a run writes. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json_tokener.h>

#include "core/buf.h"
#include "store/sync_run.h"
#include "sync/run_log.h"
#include "test.h"

/* Every line of text is a JSON object; returns how many. */
static size_t json_lines(const char *text)
{
    size_t n = 0;
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        assert_non_null(nl);
        json_tokener *tok = json_tokener_new();
        json_object *o = json_tokener_parse_ex(tok, p, (int)(nl - p));
        bool whole = o && json_tokener_get_error(tok) == json_tokener_success;
        json_tokener_free(tok);
        if (!whole)
            fail_msg("not JSON: %.*s", (int)(nl - p), p);
        json_object_put(o);
        n++;
        p = nl + 1;
    }
    return n;
}

static void entries(void **state)
{
    (void)state;
    struct run_log g;
    struct buf out;
    run_log_init(&g);
    buf_init(&out, 0);
    run_log_add(&g, 1764921600000, "info", "tap", "hello \"world\"", 13);
    /* A NUL, controls, bytes that are not UTF-8, a character kept whole. */
    run_log_add(&g, 1764921600001, "warn", "tap", "a\0b\tc\x1b[31m\xff\xc3\xa9", 13);
    run_log_render(&g, &out);
    assert_string_equal(
        buf_cstr(&out),
        "{\"at\":\"2025-12-05T08:00:00.000Z\",\"level\":\"info\",\"source\":\"tap\","
        "\"message\":\"hello \\\"world\\\"\"}\n"
        "{\"at\":\"2025-12-05T08:00:00.001Z\",\"level\":\"warn\",\"source\":\"tap\","
        "\"message\":\"a b c [31m?\xc3\xa9\"}\n");
    assert_int_equal(json_lines(buf_cstr(&out)), 2);
    buf_dispose(&out);
    run_log_dispose(&g);
}

static void long_message_cut(void **state)
{
    (void)state;
    struct run_log g;
    struct buf out, msg;
    run_log_init(&g);
    buf_init(&out, 0);
    buf_init(&msg, 0);
    for (int i = 0; i < RUN_LOG_LINE_MAX - 1; i++)
        buf_putc(&msg, 'x');
    buf_puts(&msg, "\xc3\xa9 and more"); /* é straddles the limit: not split */
    run_log_add(&g, 0, "info", "tap", msg.p, msg.n);
    run_log_render(&g, &out);
    char *end = strstr(buf_cstr(&out), "x...\"}\n");
    assert_non_null(end);
    assert_null(strstr(buf_cstr(&out), "\xc3"));
    buf_dispose(&msg);
    buf_dispose(&out);
    run_log_dispose(&g);
}

/* 100,000 lines: the first and the last kept, the middle counted, the
 * whole under the column's limit. */
static void bounded(void **state)
{
    (void)state;
    struct run_log g;
    struct buf out;
    char line[64];
    run_log_init(&g);
    buf_init(&out, 0);
    for (int i = 1; i <= 100000; i++) {
        int n = snprintf(line, sizeof(line), "line %d", i);
        run_log_add(&g, i, "info", "tap", line, (size_t)n);
    }
    run_log_render(&g, &out);
    assert_true(out.n <= SYNC_RUN_LOG_MAX);
    assert_true(out.n <= RUN_LOG_HEAD_MAX + RUN_LOG_TAIL_MAX + 200);
    assert_non_null(strstr(buf_cstr(&out), "\"line 1\""));
    assert_non_null(strstr(buf_cstr(&out), "\"line 100000\""));
    assert_null(strstr(buf_cstr(&out), "\"line 50000\""));
    size_t kept = json_lines(buf_cstr(&out));
    char note[120];
    snprintf(note, sizeof(note), "\"%zu lines left out here", 100000 - (kept - 1));
    assert_non_null(strstr(buf_cstr(&out), note));
    /* Head and tail are contiguous runs of lines. */
    const char *gap = strstr(buf_cstr(&out), "left out here");
    int last_head = 0, first_tail = 0;
    const char *p = gap;
    while (p > out.p && strncmp(p, "\"line ", 6) != 0)
        p--;
    assert_int_equal(sscanf(p, "\"line %d\"", &last_head), 1);
    assert_int_equal(sscanf(strstr(gap, "\"line "), "\"line %d\"", &first_tail), 1);
    assert_int_equal(first_tail - last_head - 1, (int)(100000 - (kept - 1)));
    buf_dispose(&out);
    run_log_dispose(&g);
}

int test_run_log(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(entries),
        cmocka_unit_test(long_message_cut),
        cmocka_unit_test(bounded),
    };
    return test_group("run_log", tests, NULL, NULL);
}
