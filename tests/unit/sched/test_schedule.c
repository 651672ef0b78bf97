/* tests/unit/sched/test_schedule.c - schedules: the parse, format and
 * next-run cases in tests/data/schedule/ (run from the repository root);
 * spreading of 10,000 ids over the hour and the day, bounded by what a fair
 * hash allows; and a simulated scheduler on a fake clock: 10,000
 * integrations with mixed schedules over 30 days, then 6 hours down, each
 * run count checked against a count made independently of schedule_next
 * (the C library's gmtime_r for the calendar). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "core/jsonx.h"
#include "core/time.h"
#include "sched/schedule.h"
#include "test.h"

#define DATA_DIR "tests/data/schedule/"
#define HOUR_S   3600
#define DAY_S    86400

/* ---- the case files ---- */

typedef bool case_fn(const char *file, int lineno, char **cols);

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
        if (!fn(file, lineno, cols))
            bad++;
        cases++;
    }
    xfree(text);
    assert_true(cases > 20);
    assert_int_equal(bad, 0);
}

static bool same_schedule(const struct schedule *a, const struct schedule *b)
{
    return a->kind == b->kind && a->at_s == b->at_s && a->weekday == b->weekday &&
           a->day == b->day && strcmp(a->expr, b->expr) == 0 &&
           (a->kind != SCHEDULE_CRON ||
            (a->cron.minutes == b->cron.minutes && a->cron.hours == b->cron.hours &&
             a->cron.mdays == b->cron.mdays && a->cron.months == b->cron.months &&
             a->cron.wdays == b->cron.wdays && a->cron.mday_star == b->cron.mday_star &&
             a->cron.wday_star == b->cron.wday_star));
}

static void format(char *out, size_t cap, const struct schedule *s)
{
    struct buf b;
    buf_init(&b, SCHEDULE_TEXT_MAX);
    schedule_format(&b, s);
    assert_false(buf_failed(&b));
    snprintf(out, cap, "%s", buf_cstr(&b));
    buf_dispose(&b);
}

static bool parse_case(const char *file, int lineno, char **cols)
{
    struct schedule s, back;
    struct err err;
    char got[ERR_MSG_MAX + 16];
    memset(&s, 0x5a, sizeof(s));
    int rc = schedule_parse(&s, cols[0], strlen(cols[0]), &err);
    if (rc == 0) {
        format(got, sizeof(got), &s);
        /* The canonical text reads back to the same schedule. */
        if (schedule_parse(&back, got, strlen(got), &err) != 0 || !same_schedule(&s, &back)) {
            print_error("%s:%d: %s does not read back\n", file, lineno, got);
            return false;
        }
    } else {
        struct schedule untouched;
        memset(&untouched, 0x5a, sizeof(untouched));
        if (rc != err.code || memcmp(&s, &untouched, sizeof(s)) != 0) {
            print_error("%s:%d: error path changed *out or returned another code\n", file, lineno);
            return false;
        }
        snprintf(got, sizeof(got), "error: %s", err.msg);
    }
    if (strcmp(got, cols[1]) != 0) {
        print_error("%s:%d: %s\n    want %s\n    got  %s\n", file, lineno, cols[0], cols[1], got);
        return false;
    }
    return true;
}

static void parse_cases(void **state)
{
    (void)state;
    run_cases(DATA_DIR "parse.txt", 2, parse_case);
}

static int64_t instant(const char *text)
{
    int64_t ms;
    struct err err;
    if (time_parse_rfc3339(&ms, text, strlen(text), &err) != 0)
        fail_msg("%s: %s", text, err.msg);
    return ms / 1000;
}

static bool next_case(const char *file, int lineno, char **cols)
{
    struct schedule s;
    struct err err;
    if (schedule_parse(&s, cols[0], strlen(cols[0]), &err) != 0) {
        print_error("%s:%d: %s\n", file, lineno, err.msg);
        return false;
    }
    int64_t next = schedule_next(&s, cols[1], instant(cols[2]));
    char got[TIME_RFC3339_MAX];
    if (next == SCHEDULE_NEVER)
        snprintf(got, sizeof(got), "never");
    else
        time_format_rfc3339_sec(got, next * 1000);
    if (strcmp(got, cols[3]) != 0) {
        print_error("%s:%d: %s for %s after %s\n    want %s\n    got  %s\n", file, lineno, cols[0],
                    cols[1], cols[2], cols[3], got);
        return false;
    }
    return true;
}

static void next_cases(void **state)
{
    (void)state;
    run_cases(DATA_DIR "next.txt", 4, next_case);
}

static struct schedule must_parse(const char *text)
{
    struct schedule s;
    struct err err;
    if (schedule_parse(&s, text, strlen(text), &err) != 0)
        fail_msg("%s: %s", text, err.msg);
    return s;
}

/* Inside a bigger document, messages carry the schedule's own pointer. */
static void nested_pointers(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"{\"schedule\":[]}", "/schedule: expected an object, got array"},
        {"{\"schedule\":{\"kind\":\"hourly\",\"minute\":60}}",
         "/schedule/minute: 60 is out of range 0-59"},
        {"{\"schedule\":{}}", "/schedule/kind: missing"},
        {"{\"schedule\":{\"kind\":\"cron\",\"expression\":\"* * *\"}}",
         "/schedule/expression: cron: expected 5 fields (minute hour day-of-month month "
         "day-of-week), got 3"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct json_object *doc = NULL;
        struct schedule s;
        struct err err;
        assert_int_equal(jsonx_parse(&doc, cases[i][0], strlen(cases[i][0]), 4096, &err), 0);
        assert_int_equal(schedule_parse_json(&s, jsonx_get(doc, "schedule"), "/schedule", &err),
                         ERR_INVALID);
        assert_string_equal(err.msg, cases[i][1]);
        json_object_put(doc);
    }
    /* JSON null and a NULL column are manual; manual never runs. */
    struct schedule s;
    struct err err;
    assert_int_equal(schedule_parse_json(&s, NULL, "/schedule", &err), 0);
    assert_int_equal(s.kind, SCHEDULE_MANUAL);
    assert_int_equal(schedule_parse(&s, NULL, 0, &err), 0);
    assert_int_equal(s.kind, SCHEDULE_MANUAL);
    assert_true(schedule_next(&s, "int_x", 0) == SCHEDULE_NEVER);
    assert_string_equal(schedule_kind_name(SCHEDULE_MONTHLY), "monthly");
}

static void text_cap(void **state)
{
    (void)state;
    char text[SCHEDULE_TEXT_MAX + 1];
    struct schedule s;
    struct err err;
    /* Blanks are allowed around the JSON, up to the cap and not past it. */
    memset(text, ' ', sizeof(text));
    memcpy(text, "{\"kind\":\"hourly\"}", 17);
    assert_int_equal(schedule_parse(&s, text, SCHEDULE_TEXT_MAX, &err), 0);
    assert_int_equal(schedule_parse(&s, text, SCHEDULE_TEXT_MAX + 1, &err), ERR_TOOBIG);
    assert_string_equal(err.msg, "schedule: longer than 1024 bytes");
}

/* ---- ids and spreading ---- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Integration ids as core/id.c makes them when a bulk import creates many
 * in the same millisecond: one time part, random bodies (from a seed, so
 * the test is the same every run); or, harder on a hash, a counter. */
static void make_id(char out[64], int i, bool sequential)
{
    static const char alphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";
    char body[27];
    memcpy(body, "01hq5n8k2v", 10);
    for (int k = 10; k < 26; k++)
        body[k] = !sequential ? alphabet[rnd() & 31]
                  : k < 20    ? '0'
                              : alphabet[(i >> (5 * (25 - k))) & 31];
    body[26] = '\0';
    snprintf(out, 64, "int_%s", body);
}

/* e^-x by its series (x small), so the test needs no libm. */
static double exp_neg(double x)
{
    double sum = 1, term = 1;
    for (int i = 1; i < 200; i++) {
        term *= x / i;
        sum += term;
    }
    return 1 / sum;
}

/* The smallest k such that, with n ids thrown fairly into `bins` bins,
 * the chance that any bin gets k or more is below 1 in 1000 (Poisson tail
 * and a union bound over the bins). A hash that clusters fails this. */
static int fair_bound(int n, int bins)
{
    double lambda = (double)n / bins, p = exp_neg(lambda), below = 0;
    for (int k = 0;; k++) {
        if (bins * (1 - below) < 1e-3)
            return k;
        below += p;
        p *= lambda / (k + 1);
    }
}

/* 10,000 hourly (or daily) integrations without a time: how many share
 * each second of the period, and each hour (minute) of it. */
static void check_spread(const char *text, int period, int coarse, bool sequential)
{
    enum { N = 10000 };
    struct schedule s = must_parse(text);
    int *per_second = xcalloc((size_t)period, sizeof(int));
    int per_coarse[60] = {0};
    const int64_t after = 1709251200; /* 2024-03-01T00:00:00Z */
    rng_state = 42;
    for (int i = 0; i < N; i++) {
        char id[64];
        make_id(id, i, sequential);
        int64_t next = schedule_next(&s, id, after);
        assert_true(next > after && next <= after + period);
        /* The same id always gets the same slot. */
        assert_int_equal(schedule_next(&s, id, after + 7 * period) - next, 7 * period);
        int off = (int)((next - after) % period);
        per_second[off]++;
        per_coarse[off / (period / coarse)]++;
    }
    int max = 0;
    for (int k = 0; k < period; k++)
        if (per_second[k] > max)
            max = per_second[k];
    int bound = fair_bound(N, period);
    print_message("%s (%s ids): at most %d in one second (fair bound %d)\n", text,
                  sequential ? "sequential" : "random", max, bound);
    assert_true(max < bound);
    /* Each coarse bin within 5 standard deviations of its share. */
    double mean = (double)N / coarse, dev = 5;
    while (dev * dev < 25 * mean) /* dev = 5 * sqrt(mean), without libm */
        dev += 1;
    for (int k = 0; k < coarse; k++)
        assert_true(per_coarse[k] > mean - dev && per_coarse[k] < mean + dev);
    xfree(per_second);
}

static void spreading(void **state)
{
    (void)state;
    check_spread("{\"kind\":\"hourly\"}", HOUR_S, 60, false);
    check_spread("{\"kind\":\"hourly\"}", HOUR_S, 60, true);
    check_spread("{\"kind\":\"daily\"}", DAY_S, 24, false);
    check_spread("{\"kind\":\"daily\"}", DAY_S, 24, true);

    /* Explicit times are honoured exactly: all 10,000 at 09:30:00. */
    struct schedule s = must_parse("{\"kind\":\"daily\",\"time\":\"09:30\"}");
    for (int i = 0; i < 10000; i++) {
        char id[64];
        make_id(id, i, true);
        assert_int_equal(schedule_next(&s, id, 1709251200), 1709251200 + 9 * HOUR_S + 30 * 60);
    }
}

/* schedule_resolve fills exactly the spread fields, with values in range,
 * and the resolved schedule runs when the spread one does. */
static void resolving(void **state)
{
    (void)state;
    static const char *const texts[] = {
        "{\"kind\":\"hourly\"}",
        "{\"kind\":\"hourly\",\"minute\":7}",
        "{\"kind\":\"daily\"}",
        "{\"kind\":\"weekly\"}",
        "{\"kind\":\"weekly\",\"weekday\":3}",
        "{\"kind\":\"weekly\",\"time\":\"10:00\"}",
        "{\"kind\":\"monthly\"}",
        "{\"kind\":\"monthly\",\"day\":\"last\"}",
        "{\"kind\":\"monthly\",\"time\":\"10:00\"}",
        "{\"kind\":\"cron\",\"expression\":\"0 0 * * *\"}",
        "{\"kind\":\"manual\"}",
    };
    rng_state = 7;
    for (size_t t = 0; t < sizeof(texts) / sizeof(texts[0]); t++) {
        struct schedule s = must_parse(texts[t]), r;
        for (int i = 0; i < 500; i++) {
            char id[64];
            make_id(id, i, false);
            schedule_resolve(&r, &s, id);
            assert_int_equal(r.kind, s.kind);
            if (s.kind >= SCHEDULE_HOURLY && s.kind <= SCHEDULE_MONTHLY) {
                assert_true(r.at_s >= 0 && r.at_s < (s.kind == SCHEDULE_HOURLY ? HOUR_S : DAY_S));
                if (s.at_s != SCHEDULE_SPREAD)
                    assert_int_equal(r.at_s, s.at_s);
            }
            if (s.kind == SCHEDULE_WEEKLY)
                assert_true(r.weekday >= 0 && r.weekday <= 6);
            if (s.kind == SCHEDULE_MONTHLY)
                assert_true((r.day >= 1 && r.day <= 28) || r.day == s.day);
            int64_t after = 1700000000 + (int64_t)(rnd() % 100000000);
            assert_int_equal(schedule_next(&r, "another id", after), schedule_next(&s, id, after));
        }
    }
}

/* ---- the simulation ---- */

enum { SIM_N = 10000 };

static const char *const sim_crons[] = {
    "*/15 * * * *",       /* 96 a day */
    "0 9-17 * * MON-FRI", /* 9 a working day */
    "30 2 1,15 * *",      /* twice a month */
    "0 0 29 2 *",         /* 29 February only */
    "0 */6 * * *",        /* 4 a day */
    "5 4 * * SUN",        /* weekly */
    "0 12 13 * FRI",      /* the 13th and every Friday (both fields restricted) */
};
#define SIM_CRONS (sizeof(sim_crons) / sizeof(sim_crons[0]))

/* Integration i's schedule: a fixed mix of every kind, spread and explicit. */
static void sim_schedule(char *out, size_t cap, int i)
{
    static const char *const wd[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
    int hh = i * 7 % 24, mm = i * 13 % 60;
    switch (i % 20) {
    case 0:
    case 1:
        snprintf(out, cap, "{\"kind\":\"manual\"}");
        break;
    case 2:
    case 3:
    case 4:
    case 5:
    case 6:
        snprintf(out, cap, "{\"kind\":\"hourly\"}");
        break;
    case 7:
        snprintf(out, cap, "{\"kind\":\"hourly\",\"minute\":%d}", mm);
        break;
    case 8:
    case 9:
        snprintf(out, cap, "{\"kind\":\"daily\"}");
        break;
    case 10:
        snprintf(out, cap, "{\"kind\":\"daily\",\"time\":\"%02d:%02d\"}", hh, mm);
        break;
    case 11:
        snprintf(out, cap, "{\"kind\":\"weekly\"}");
        break;
    case 12:
        snprintf(out, cap, "{\"kind\":\"weekly\",\"weekday\":\"%s\",\"time\":\"%02d:%02d\"}",
                 wd[i / 20 % 7], hh, mm);
        break;
    case 13:
        snprintf(out, cap, "{\"kind\":\"weekly\",\"weekday\":%d}", i / 20 % 7);
        break;
    case 14:
        snprintf(out, cap, "{\"kind\":\"monthly\"}");
        break;
    case 15: {
        static const char *const days[] = {"31", "30", "29", "\"last\"", "1"};
        snprintf(out, cap, "{\"kind\":\"monthly\",\"day\":%s,\"time\":\"%02d:%02d\"}",
                 days[i / 20 % 5], hh, mm);
        break;
    }
    case 16:
        snprintf(out, cap, "{\"kind\":\"monthly\",\"day\":15}");
        break;
    default:
        snprintf(out, cap, "{\"kind\":\"cron\",\"expression\":\"%s\"}",
                 sim_crons[i / 20 % SIM_CRONS]);
        break;
    }
}

static struct tm day_of(int64_t day)
{
    time_t t = (time_t)(day * DAY_S);
    struct tm tm;
    assert_non_null(gmtime_r(&t, &tm));
    return tm;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && a < 0);
}

/* Runs of a resolved schedule within (a, b], counted from the definition
 * with gmtime_r's calendar and never from schedule_next. Cron schedules
 * are counted by the caller (minute by minute). */
static int count_runs(const struct schedule *r, int64_t a, int64_t b)
{
    int n = 0;
    if (r->kind == SCHEDULE_HOURLY) {
        for (int64_t h = floor_div(a, HOUR_S); h * HOUR_S <= b; h++)
            n += h * HOUR_S + r->at_s > a && h * HOUR_S + r->at_s <= b;
        return n;
    }
    for (int64_t d = floor_div(a, DAY_S); d * DAY_S <= b; d++) {
        int64_t t = d * DAY_S + r->at_s;
        if (t <= a || t > b)
            continue;
        struct tm tm = day_of(d), tomorrow = day_of(d + 1);
        bool last = tomorrow.tm_mday == 1;
        switch (r->kind) {
        case SCHEDULE_DAILY:
            n++;
            break;
        case SCHEDULE_WEEKLY:
            n += tm.tm_wday == r->weekday;
            break;
        case SCHEDULE_MONTHLY:
            n += r->day == SCHEDULE_LAST_DAY
                     ? last
                     : tm.tm_mday == r->day || (last && tm.tm_mday < r->day);
            break;
        default:
            fail_msg("count_runs: kind %d", r->kind);
        }
    }
    return n;
}

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

static int count_cron(const char *expr, int64_t a, int64_t b)
{
    struct schedule s;
    struct err err;
    char text[200];
    snprintf(text, sizeof(text), "{\"kind\":\"cron\",\"expression\":\"%s\"}", expr);
    assert_int_equal(schedule_parse(&s, text, strlen(text), &err), 0);
    int n = 0;
    for (int64_t t = (floor_div(a, 60) + 1) * 60; t <= b; t += 60)
        n += libc_matches(&s.cron, t);
    return n;
}

struct sim {
    struct schedule sched[SIM_N];
    char id[SIM_N][64];
    int64_t next[SIM_N];     /* planned run; SCHEDULE_NEVER when manual */
    int64_t last_run[SIM_N]; /* tick of the latest run, 0 for none */
    int runs[SIM_N];         /* runs within the current stretch */
    int heap[SIM_N];         /* integrations by next, a binary min-heap */
    int heap_n;
};

static bool before(const struct sim *s, int a, int b)
{
    return s->next[a] < s->next[b];
}

static void heap_push(struct sim *s, int i)
{
    int k = s->heap_n++;
    s->heap[k] = i;
    while (k > 0 && before(s, s->heap[k], s->heap[(k - 1) / 2])) {
        int p = (k - 1) / 2, t = s->heap[p];
        s->heap[p] = s->heap[k];
        s->heap[k] = t;
        k = p;
    }
}

static int heap_pop(struct sim *s)
{
    int top = s->heap[0], k = 0;
    s->heap[0] = s->heap[--s->heap_n];
    for (;;) {
        int l = 2 * k + 1, r = l + 1, m = k;
        if (l < s->heap_n && before(s, s->heap[l], s->heap[m]))
            m = l;
        if (r < s->heap_n && before(s, s->heap[r], s->heap[m]))
            m = r;
        if (m == k)
            return top;
        int t = s->heap[m];
        s->heap[m] = s->heap[k];
        s->heap[k] = t;
        k = m;
    }
}

/* One scheduler pass at fake time `now`: start every integration that is
 * due, once, and plan its next run by the documented contract. */
static int sim_tick(struct sim *s, int64_t now)
{
    int started = 0;
    while (s->heap_n > 0 && s->next[s->heap[0]] <= now) {
        int i = heap_pop(s);
        int64_t planned = s->next[i];
        if (s->last_run[i] == now) /* twice in one pass: never */
            fail_msg("%s started twice at %lld", s->id[i], (long long)now);
        s->last_run[i] = now;
        s->runs[i]++;
        started++;
        s->next[i] = schedule_next(&s->sched[i], s->id[i], now > planned ? now : planned);
        if (s->next[i] <= now)
            fail_msg("%s: next run %lld is not after %lld", s->id[i], (long long)s->next[i],
                     (long long)now);
        heap_push(s, i);
    }
    return started;
}

/* Every integration ran exactly as often within (a, b] as counted
 * independently; returns the total. */
static long check_counts(struct sim *s, int64_t a, int64_t b, const char *stretch)
{
    int cron_count[SIM_CRONS];
    for (size_t k = 0; k < SIM_CRONS; k++)
        cron_count[k] = count_cron(sim_crons[k], a, b);
    long total = 0;
    int bad = 0;
    for (int i = 0; i < SIM_N; i++) {
        struct schedule r;
        int want = 0;
        schedule_resolve(&r, &s->sched[i], s->id[i]);
        if (r.kind == SCHEDULE_CRON)
            want = cron_count[i / 20 % SIM_CRONS];
        else if (r.kind != SCHEDULE_MANUAL)
            want = count_runs(&r, a, b);
        if (s->runs[i] != want && bad++ < 5)
            print_error("%s: %s ran %d times, expected %d\n", stretch, s->id[i], s->runs[i], want);
        total += s->runs[i];
    }
    assert_int_equal(bad, 0);
    return total;
}

static void simulation(void **state)
{
    (void)state;
    struct sim *s = xcalloc(1, sizeof(*s));
    const int64_t t0 = 1707955200;      /* 2024-02-15T00:00:00Z: 29 February within */
    const int64_t t1 = t0 + 30 * DAY_S; /* 2024-03-16T00:00:00Z */
    const int64_t t2 = t1 + 6 * HOUR_S; /* back after 6 hours down */
    const int64_t t3 = t2 + 2 * DAY_S;

    rng_state = 2024;
    for (int i = 0; i < SIM_N; i++) {
        char text[200];
        sim_schedule(text, sizeof(text), i);
        s->sched[i] = must_parse(text);
        make_id(s->id[i], i, false);
        s->next[i] = schedule_next(&s->sched[i], s->id[i], t0);
        heap_push(s, i);
    }

    /* 30 days, a pass every minute. */
    for (int64_t now = t0 + 60; now <= t1; now += 60)
        sim_tick(s, now);
    long total = check_counts(s, t0, t1, "30 days");
    /* The rule derived by hand: any window of 720 whole hours holds exactly
     * 720 runs of an hourly schedule and 30 of a daily one, whatever the
     * phase. */
    for (int i = 0; i < SIM_N; i++) {
        if (s->sched[i].kind == SCHEDULE_HOURLY)
            assert_int_equal(s->runs[i], 720);
        if (s->sched[i].kind == SCHEDULE_DAILY)
            assert_int_equal(s->runs[i], 30);
    }
    print_message("simulation: %ld runs in 30 days\n", total);

    /* Down for 6 hours, then one pass: one catch-up run for each
     * integration that had at least one run due in the gap, none for the
     * others. */
    memset(s->runs, 0, sizeof(s->runs));
    int started = sim_tick(s, t2);
    int due = 0;
    for (int i = 0; i < SIM_N; i++) {
        struct schedule r;
        schedule_resolve(&r, &s->sched[i], s->id[i]);
        int missed = r.kind == SCHEDULE_CRON     ? count_cron(r.expr, t1, t2)
                     : r.kind == SCHEDULE_MANUAL ? 0
                                                 : count_runs(&r, t1, t2);
        if (s->runs[i] != (missed > 0))
            fail_msg("%s missed %d runs and caught up %d times", s->id[i], missed, s->runs[i]);
        due += missed > 0;
        if (r.kind == SCHEDULE_HOURLY)
            assert_int_equal(missed, 6);
    }
    assert_int_equal(started, due);
    print_message("downtime: %d integrations caught up once each\n", due);

    /* Then back to normal: the next two days run as planned, no more
     * catch-up. */
    memset(s->runs, 0, sizeof(s->runs));
    for (int64_t now = t2 + 60; now <= t3; now += 60)
        sim_tick(s, now);
    check_counts(s, t2, t3, "after the downtime");
    xfree(s);
}

int test_schedule(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_cases),     cmocka_unit_test(next_cases),
        cmocka_unit_test(nested_pointers), cmocka_unit_test(text_cap),
        cmocka_unit_test(spreading),       cmocka_unit_test(resolving),
        cmocka_unit_test(simulation),
    };
    return test_group("schedule", tests, NULL, NULL);
}
