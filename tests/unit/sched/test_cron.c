/* tests/unit/sched/test_cron.c - cron expressions: the next-run and error
 * cases in tests/data/cron/ (run from the repository root), cron_next checked
 * minute by minute against a matcher built on the C library's gmtime_r for
 * random expressions, and the rare dates (29 February on a Sunday) walked
 * over the whole range against a weekday formula of their own. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "core/time.h"
#include "sched/cron.h"
#include "test.h"

#define DATA_DIR "tests/data/cron/"

/* Decode a case's input: \xHH is a byte, \\ a backslash. Returns a heap copy
 * of exactly *n bytes (no NUL), so ASan catches any read past the end. */
static char *unescape(const char *s, size_t *n)
{
    size_t len = strlen(s), k = 0;
    char *out = xmalloc(len ? len : 1);
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

/* Split the case file into lines of TAB-separated columns and hand each
 * non-comment line to fn; fn returns false on a mismatch (after printing
 * it). Fails at the end if any did, or if the file had too few cases. */
typedef bool case_fn(const char *file, int lineno, char **cols, int ncols);

static void run_cases(const char *file, int ncols, case_fn *fn)
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
        char *cols[8];
        int n = 0;
        for (char *p = line; p && n < 8; n++) {
            cols[n] = p;
            p = strchr(p, '\t');
            if (p)
                *p++ = '\0';
        }
        if (n != ncols)
            fail_msg("%s:%d: expected %d TAB-separated columns, got %d", file, lineno, ncols, n);
        if (!fn(file, lineno, cols, ncols))
            bad++;
        cases++;
    }
    xfree(text);
    assert_true(cases > 20);
    assert_int_equal(bad, 0);
}

static int64_t parse_instant(const char *file, int lineno, const char *text)
{
    int64_t ms;
    struct err err;
    if (time_parse_rfc3339(&ms, text, strlen(text), &err) != 0)
        fail_msg("%s:%d: %s", file, lineno, err.msg);
    return ms / 1000;
}

static void show_instant(char out[TIME_RFC3339_MAX], int64_t s)
{
    if (s == CRON_NEVER)
        snprintf(out, TIME_RFC3339_MAX, "never");
    else
        time_format_rfc3339_sec(out, s * 1000);
}

/* What cron_next returned must match, be the first match after `after`
 * (checked minute by minute when the gap is under a week) and come back
 * when asked from just before it. */
static bool consistent(const struct cron *c, int64_t after, int64_t next)
{
    if (next == CRON_NEVER)
        return true;
    if (next <= after || next % 60 != 0 || !cron_matches(c, next) || cron_next(c, next - 1) != next)
        return false;
    if (next - after < 7 * 86400)
        for (int64_t t = after - (after % 60 + 60) % 60 + 60; t < next; t += 60)
            if (cron_matches(c, t))
                return false;
    return true;
}

static bool next_case(const char *file, int lineno, char **cols, int ncols)
{
    (void)ncols;
    size_t n;
    char *expr = unescape(cols[0], &n);
    struct cron c;
    struct err err;
    bool ok = true;
    if (cron_parse(&c, expr, n, &err) != 0) {
        print_error("%s:%d: %s: %s\n", file, lineno, cols[0], err.msg);
        ok = false;
    } else {
        int64_t after = parse_instant(file, lineno, cols[1]);
        int64_t next = cron_next(&c, after);
        char got[TIME_RFC3339_MAX];
        show_instant(got, next);
        if (strcmp(got, cols[2]) != 0) {
            print_error("%s:%d: %s after %s\n    want %s\n    got  %s\n", file, lineno, cols[0],
                        cols[1], cols[2], got);
            ok = false;
        } else if (!consistent(&c, after, next)) {
            print_error("%s:%d: %s: cron_matches disagrees with cron_next\n", file, lineno,
                        cols[0]);
            ok = false;
        }
    }
    xfree(expr);
    return ok;
}

static bool error_case(const char *file, int lineno, char **cols, int ncols)
{
    (void)ncols;
    size_t n;
    char *expr = unescape(cols[0], &n);
    struct cron c, before;
    struct err err;
    bool ok = true;
    memset(&c, 0xa5, sizeof(c));
    before = c;
    int rc = cron_parse(&c, expr, n, &err);
    if (rc == 0) {
        print_error("%s:%d: %s: accepted, want %s\n", file, lineno, cols[0], cols[1]);
        ok = false;
    } else if (rc != ERR_INVALID || err.code != ERR_INVALID || memcmp(&c, &before, sizeof(c))) {
        print_error("%s:%d: %s: wrong code or *out written\n", file, lineno, cols[0]);
        ok = false;
    } else if (strcmp(err.msg, cols[1]) != 0) {
        print_error("%s:%d: %s\n    want %s\n    got  %s\n", file, lineno, cols[0], cols[1],
                    err.msg);
        ok = false;
    }
    xfree(expr);
    return ok;
}

static void next_cases(void **state)
{
    (void)state;
    run_cases(DATA_DIR "next.txt", 3, next_case);
}

static void error_cases(void **state)
{
    (void)state;
    run_cases(DATA_DIR "errors.txt", 2, error_case);
}

static struct cron must_parse(const char *expr)
{
    struct cron c;
    struct err err;
    if (cron_parse(&c, expr, strlen(expr), &err) != 0)
        fail_msg("%s: %s", expr, err.msg);
    return c;
}

/* Field by field: the struct's padding bytes are not part of its value. */
static bool same_cron(const struct cron *a, const struct cron *b)
{
    return a->minutes == b->minutes && a->hours == b->hours && a->mdays == b->mdays &&
           a->months == b->months && a->wdays == b->wdays && a->mday_star == b->mday_star &&
           a->wday_star == b->wday_star;
}

static void same_meaning(void **state)
{
    (void)state;
    static const char *const pairs[][2] = {
        {"@daily", "0 0 * * *"},
        {"@hourly", "0 * * * *"},
        {"@weekly", "0 0 * * 0"},
        {"0 0 * * 7", "0 0 * * 0"},
        {"0 0 * * SUN", "0 0 * * 0"},
        {"0 0 * * mon-FRI", "0 0 * * 1-5"},
        {"0 0 * * 0-7", "0 0 * * 0-6"},
        {"0 0 * JAN-dec *", "0 0 * 1-12 *"},
        {"5/15 * * * *", "5,20,35,50 * * * *"},
        {"0-59/20 * * * *", "0,20,40 * * * *"},
        {"0 0 * * FRI-SUN", "0 0 * * 5,6,0"},
        {"00 000 01 * *", "0 0 1 * *"},
    };
    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        struct cron a = must_parse(pairs[i][0]), b = must_parse(pairs[i][1]);
        if (!same_cron(&a, &b))
            fail_msg("%s and %s differ", pairs[i][0], pairs[i][1]);
    }
    /* The '*' flags are what tell "and" from "or" for the day fields. */
    struct cron c = must_parse("0 0 */2 * MON");
    assert_true(c.mday_star);
    assert_false(c.wday_star);
    c = must_parse("0 0 1-31/2 * MON");
    assert_false(c.mday_star);
}

static void length_cap(void **state)
{
    (void)state;
    char expr[CRON_EXPR_MAX + 2];
    struct cron c;
    struct err err;
    /* A list of minutes padded with blanks to exactly the cap is fine. */
    memset(expr, ' ', sizeof(expr));
    memcpy(expr, "0,1,2,3 * * * *", 15);
    assert_int_equal(cron_parse(&c, expr, CRON_EXPR_MAX, &err), 0);
    assert_int_equal(c.minutes, 0xf);
    assert_int_equal(cron_parse(&c, expr, CRON_EXPR_MAX + 1, &err), ERR_INVALID);
    assert_string_equal(err.msg, "cron: expression is longer than 256 bytes");
    /* Only the n bytes given are read. */
    assert_int_equal(cron_parse(&c, "0 0 * * *junk", 9, &err), 0);
    assert_int_equal(cron_parse(&c, "0 0 * * *", 0, &err), ERR_INVALID);
    assert_string_equal(err.msg, "cron: empty expression");
}

static void range_edges(void **state)
{
    (void)state;
    struct cron c = must_parse("* * * * *");
    assert_false(cron_matches(&c, CRON_MIN_S - 1));
    assert_true(cron_matches(&c, CRON_MIN_S));
    assert_true(cron_matches(&c, CRON_MAX_S));
    assert_false(cron_matches(&c, CRON_MAX_S + 1));
    assert_int_equal(cron_next(&c, INT64_MIN), CRON_MIN_S);
    assert_int_equal(cron_next(&c, CRON_MAX_S - 60), CRON_MAX_S - 59);
    assert_true(cron_next(&c, CRON_MAX_S - 59) == CRON_NEVER);
    assert_true(cron_next(&c, INT64_MAX) == CRON_NEVER);
}

/* ---- against the C library ---- */

static uint64_t rng_state = 0x5eedc0ffee123457ULL;

static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static int pick(int lo, int hi)
{
    return lo + (int)(rnd() % (uint64_t)(hi - lo + 1));
}

/* One random field within [lo, hi]: a star, a stepped star, a value, a
 * range, a stepped range or a short list, at the rates below. */
static void random_field(char *out, size_t cap, int lo, int hi)
{
    int a = pick(lo, hi), b = pick(lo, hi);
    if (a > b) {
        int t = a;
        a = b;
        b = t;
    }
    switch (pick(0, 7)) {
    case 0:
    case 1:
        snprintf(out, cap, "*");
        break;
    case 2:
        snprintf(out, cap, "*/%d", pick(1, hi - lo + 1 < 7 ? hi - lo + 1 : 7));
        break;
    case 3:
        snprintf(out, cap, "%d", a);
        break;
    case 4:
        snprintf(out, cap, "%d-%d", a, b);
        break;
    case 5:
        snprintf(out, cap, "%d-%d/%d", a, b, pick(1, 3));
        break;
    default:
        snprintf(out, cap, "%d,%d,%d", a, b, pick(lo, hi));
        break;
    }
}

/* Whether minute t matches, from gmtime_r's calendar and Vixie's rule. */
static bool libc_matches(const struct cron *c, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    assert_non_null(gmtime_r(&tt, &tm));
    bool dom = c->mdays >> tm.tm_mday & 1, dow = c->wdays >> tm.tm_wday & 1;
    bool day = (c->mday_star || c->wday_star) ? dom && dow : dom || dow;
    return (c->minutes >> tm.tm_min & 1) && (c->hours >> tm.tm_hour & 1) &&
           (c->months >> (tm.tm_mon + 1) & 1) && day;
}

/* For 400 random expressions, a random three-day window between 1900 and
 * 2200: every minute libc says matches is exactly the next cron_next gives,
 * in order, and the one after the window lies beyond it. */
static void random_expressions_against_libc(void **state)
{
    (void)state;
    int parsed = 0, fired = 0;
    for (int k = 0; k < 400; k++) {
        char f[5][32], expr[200];
        random_field(f[0], sizeof(f[0]), 0, 59);
        random_field(f[1], sizeof(f[1]), 0, 23);
        random_field(f[2], sizeof(f[2]), 1, 31);
        random_field(f[3], sizeof(f[3]), 1, 12);
        random_field(f[4], sizeof(f[4]), 0, 7);
        snprintf(expr, sizeof(expr), "%s %s %s %s %s", f[0], f[1], f[2], f[3], f[4]);
        struct cron c;
        struct err err;
        if (cron_parse(&c, expr, strlen(expr), &err) != 0) {
            if (strncmp(err.msg, "cron: never matches", 19) != 0)
                fail_msg("%s: %s", expr, err.msg);
            continue;
        }
        parsed++;
        int64_t start = -2208988800LL + (int64_t)(rnd() % (300ULL * 365 * 86400));
        int64_t end = start + 3 * 86400;
        int64_t next = cron_next(&c, start);
        for (int64_t t = start - (start % 60 + 60) % 60 + 60; t <= end; t += 60) {
            if (!libc_matches(&c, t))
                continue;
            if (next != t)
                fail_msg("%s after %lld: libc says %lld, cron_next %lld", expr, (long long)start,
                         (long long)t, (long long)next);
            next = cron_next(&c, t);
            fired++;
        }
        if (next <= end || !libc_matches(&c, next))
            fail_msg("%s: the run after the window (%lld) is wrong", expr, (long long)next);
    }
    assert_true(parsed > 300);
    assert_true(fired > 10000);
}

/* Sakamoto's day of the week (0 = Sunday), independent of the code tested. */
static int weekday_of(int y, int m, int d)
{
    static const int t[] = {0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4};
    if (m < 3)
        y -= 1;
    return (y + y / 4 - y / 100 + y / 400 + t[m - 1] + d) % 7;
}

/* "0 0 29 2 *" with a day of week of star-slash-7 ("and": a 29 February
 * that is a Sunday) from year 1 to
 * 9999: cron_next visits exactly the leap years whose 29 February is a
 * Sunday, in order, then says never. The longest gap is 40 years. */
static void rare_dates_over_the_range(void **state)
{
    (void)state;
    struct cron c = must_parse("0 0 29 2 */7");
    int64_t t = CRON_MIN_S - 1;
    int found = 0;
    for (int y = 1; y <= 9999; y++) {
        bool leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
        if (!leap || weekday_of(y, 2, 29) != 0)
            continue;
        t = cron_next(&c, t);
        char got[TIME_RFC3339_MAX], want[32];
        show_instant(got, t);
        snprintf(want, sizeof(want), "%04d-02-29T00:00:00Z", y);
        assert_string_equal(got, want);
        found++;
    }
    assert_true(cron_next(&c, t) == CRON_NEVER);
    assert_true(found > 300);
}

int test_cron(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(next_cases),
        cmocka_unit_test(error_cases),
        cmocka_unit_test(same_meaning),
        cmocka_unit_test(length_cap),
        cmocka_unit_test(range_edges),
        cmocka_unit_test(random_expressions_against_libc),
        cmocka_unit_test(rare_dates_over_the_range),
    };
    return test_group("cron", tests, NULL, NULL);
}
