/* tests/unit/core/test_time.c - RFC 3339 parse and format, driven by the
 * cases in tests/data/time/ (run from the repository root), plus round trips
 * over the whole range checked against the C library's gmtime_r, and the
 * clocks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "core/time.h"
#include "test.h"

#define DATA_DIR   "tests/data/time/"
#define MS_PER_DAY 86400000LL

/* Decode a case's input: \xHH is a byte, \\ a backslash. Returns a heap copy
 * of exactly *n bytes (no NUL), so ASan catches any read past the end. */
static char *unescape(const char *s, size_t len, size_t *n)
{
    char *out = xmalloc(len ? len : 1);
    size_t k = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\\' && i + 1 < len && s[i + 1] == '\\') {
            out[k++] = '\\';
            i++;
        } else if (s[i] == '\\' && i + 3 < len && s[i + 1] == 'x') {
            char hex[3] = {s[i + 2], s[i + 3], '\0'};
            out[k++] = (char)strtol(hex, NULL, 16);
            i += 3;
        } else {
            out[k++] = s[i];
        }
    }
    *n = k;
    return out;
}

typedef int parse_fn(int64_t *out_ms, const char *s, size_t n, struct err *err);

/* Run every INPUT<TAB>EXPECTED line of file through parse; print each
 * mismatch with its line number and fail at the end if there was any. */
static void run_parse_cases(const char *file, parse_fn *parse)
{
    char *text = test_read_file(file, NULL);
    if (!text)
        fail_msg("cannot read %s (run from the repository root)", file);
    int lineno = 0, cases = 0, bad = 0;
    for (char *line = text, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        lineno++;
        if (line[0] == '#' || line[0] == '\0')
            continue;
        char *tab = strchr(line, '\t');
        if (!tab)
            fail_msg("%s:%d: no TAB", file, lineno);
        *tab = '\0';
        const char *want = tab + 1;
        size_t n;
        char *in = unescape(line, strlen(line), &n);
        int64_t ms = 42;
        struct err err;
        char got[ERR_MSG_MAX + 16];
        if (parse(&ms, in, n, &err) == 0) {
            time_format_rfc3339(got, ms);
        } else {
            if (err.code != ERR_INVALID || ms != 42)
                fail_msg("%s:%d: error path changed its output or code", file, lineno);
            snprintf(got, sizeof(got), "error: %s", err.msg);
        }
        if (strcmp(got, want) != 0) {
            print_error("%s:%d: %s\n    want %s\n    got  %s\n", file, lineno, line, want, got);
            bad++;
        }
        cases++;
        xfree(in);
    }
    xfree(text);
    assert_true(cases > 10);
    assert_int_equal(bad, 0);
}

static void parse_rfc3339_cases(void **state)
{
    (void)state;
    run_parse_cases(DATA_DIR "rfc3339.txt", time_parse_rfc3339);
}

static void parse_date_cases(void **state)
{
    (void)state;
    run_parse_cases(DATA_DIR "date.txt", time_parse_date);
}

static void format_cases(void **state)
{
    (void)state;
    const char *file = DATA_DIR "format.txt";
    char *text = test_read_file(file, NULL);
    if (!text)
        fail_msg("cannot read %s (run from the repository root)", file);
    int cases = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[0] == '#')
            continue;
        char want_ms[64], want_s[64];
        long long ms;
        if (sscanf(line, "%lld\t%63s\t%63s", &ms, want_ms, want_s) != 3)
            fail_msg("%s: bad line: %s", file, line);
        char got[TIME_RFC3339_MAX];
        assert_int_equal(time_format_rfc3339(got, ms), 24);
        assert_string_equal(got, want_ms);
        assert_int_equal(time_format_rfc3339_sec(got, ms), 20);
        assert_string_equal(got, want_s);
        cases++;
    }
    xfree(text);
    assert_true(cases > 10);
}

/* Compare the text of an instant with what gmtime_r says about its second. */
static void check_against_libc(const char *text, int64_t ms)
{
    int64_t secs = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
    time_t t = (time_t)secs;
    struct tm tm;
    assert_non_null(gmtime_r(&t, &tm));
    char want[64];
    snprintf(want, sizeof(want), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms - secs * 1000));
    assert_string_equal(text, want);
}

/* Format, check against libc, parse back; and the same for the
 * seconds-only form, which must give the instant floored to its second. */
static void round_trip(int64_t ms)
{
    char text[TIME_RFC3339_MAX];
    int64_t back = 0;
    struct err err;
    size_t n = time_format_rfc3339(text, ms);
    check_against_libc(text, ms);
    assert_int_equal(time_parse_rfc3339(&back, text, n, &err), 0);
    assert_int_equal(back, ms);

    n = time_format_rfc3339_sec(text, ms);
    assert_int_equal(time_parse_rfc3339(&back, text, n, &err), 0);
    int64_t floor_s = ms - ((ms % 1000) + 1000) % 1000;
    assert_int_equal(back, floor_s);

    assert_int_equal(time_parse_date(&back, text, 10, &err), 0);
    int64_t floor_day = ms - ((ms % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY;
    assert_int_equal(back, floor_day);
}

static void round_trips_over_the_range(void **state)
{
    (void)state;
    /* About 200,000 instants spread over years 1-9999; the odd step makes
     * the time of day and the milliseconds vary too. */
    int64_t step = (TIME_MAX_MS - TIME_MIN_MS) / 199999 + 7;
    for (int64_t ms = TIME_MIN_MS; ms <= TIME_MAX_MS; ms += step)
        round_trip(ms);
    static const int64_t edges[] = {TIME_MIN_MS,
                                    TIME_MIN_MS + 1,
                                    TIME_MAX_MS - 1,
                                    TIME_MAX_MS,
                                    -1,
                                    0,
                                    1,
                                    951782399999,
                                    951782400000,
                                    1709164800000,
                                    1709251199999,
                                    4107455999999,
                                    253402214400000,
                                    -2203891200001};
    for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
        round_trip(edges[i]);
}

/* Every day from 1582 to 2500, in order: consecutive day numbers must be
 * consecutive dates, which libc confirms, and each date parses back. */
static void every_day_for_a_thousand_years(void **state)
{
    (void)state;
    int64_t first = -12219292800000LL; /* 1582-10-15 */
    int64_t last = 16756675200000LL;   /* 2500-12-31 */
    for (int64_t ms = first; ms <= last; ms += MS_PER_DAY)
        round_trip(ms + 43200123);
}

static void parses_only_the_given_bytes(void **state)
{
    (void)state;
    const char *s = "2024-01-15T10:00:00Zjunk";
    int64_t ms;
    struct err err;
    assert_int_equal(time_parse_rfc3339(&ms, s, 20, &err), 0);
    assert_int_equal(ms, 1705312800000);
    assert_int_equal(time_parse_date(&ms, s, 10, &err), 0);
    assert_int_equal(ms, 1705276800000);
    assert_int_equal(time_parse_rfc3339(&ms, s, 19, NULL), ERR_INVALID); /* no zone */
}

static void clocks(void **state)
{
    (void)state;
    int64_t wall = time_now_ms();
    int64_t libc = (int64_t)time(NULL) * 1000;
    assert_true(wall > 1704067200000); /* after 2024-01-01 */
    assert_true(wall - libc > -2000 && wall - libc < 2000);

    int64_t t0 = time_mono_ms();
    struct timespec nap = {0, 20 * 1000000};
    nanosleep(&nap, NULL);
    int64_t t1 = time_mono_ms();
    assert_true(t1 - t0 >= 19);
    assert_true(t1 - t0 < 5000);
}

int test_time(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_rfc3339_cases),
        cmocka_unit_test(parse_date_cases),
        cmocka_unit_test(format_cases),
        cmocka_unit_test(round_trips_over_the_range),
        cmocka_unit_test(every_day_for_a_thousand_years),
        cmocka_unit_test(parses_only_the_given_bytes),
        cmocka_unit_test(clocks),
    };
    return test_group("time", tests, NULL, NULL);
}
