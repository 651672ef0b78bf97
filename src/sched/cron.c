/* sched/cron.c - cron expressions: a scanner that turns each of the five
 * fields into a bit set, and cron_next, which walks the calendar from `after`
 * skipping whole months, days and hours whose bits are clear. Vixie cron (the
 * cron of Debian and cronie) is the reference for what an expression means.
 * The calendar helpers at the top are shared with sched/schedule.c. */
#include "sched/cron.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sched/cron_int.h"

#define SHOW_MAX 24 /* bytes of a token quoted in a message */

/* ---- calendar (Howard Hinnant's civil-date algorithms, as in core/time.c) ---- */

int64_t cron__floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && a < 0) ? q - 1 : q;
}

int64_t cron__floor_mod(int64_t a, int64_t b)
{
    return a - cron__floor_div(a, b) * b;
}

int cron__weekday(int64_t days)
{
    return (int)cron__floor_mod(days + 4, 7);
}

/* ---- parsing ---- */

static const char *const month_names[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL",
                                          "AUG", "SEP", "OCT", "NOV", "DEC", NULL};
static const char *const wday_names[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT", NULL};

struct field_spec {
    const char *name;         /* for messages: "day of month" */
    const char *const *names; /* three-letter names, or NULL */
    int first_name;           /* the value of names[0] */
    int lo, hi;               /* values the text may hold */
    int max_step;             /* the field's number of distinct values */
};

static const struct field_spec specs[5] = {
    {.name = "minute", .lo = 0, .hi = 59, .max_step = 60},
    {.name = "hour", .lo = 0, .hi = 23, .max_step = 24},
    {.name = "day of month", .lo = 1, .hi = 31, .max_step = 31},
    {.name = "month", .names = month_names, .first_name = 1, .lo = 1, .hi = 12, .max_step = 12},
    {.name = "day of week", .names = wday_names, .first_name = 0, .lo = 0, .hi = 7, .max_step = 7},
};

struct scan {
    const char *s; /* the whole expression: columns count from its start */
    size_t i;      /* next byte */
    size_t end;    /* end of the current field */
    int field;     /* 0-4, an index into specs */
    struct err *err;
};

__attribute__((format(printf, 3, 4))) static int fail(const struct scan *sc, size_t at,
                                                      const char *fmt, ...)
{
    char what[ERR_MSG_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    return err_set(sc->err, ERR_INVALID, "cron: field %d (%s): %s at column %zu", sc->field + 1,
                   specs[sc->field].name, what, at + 1);
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

static bool at(const struct scan *sc, char c)
{
    return sc->i < sc->end && sc->s[sc->i] == c;
}

/* The byte at sc->i cannot start or continue what the grammar expects.
 * Quartz's and other crons' extensions get a message of their own, since
 * people paste those expressions expecting them to work. */
static int unexpected(const struct scan *sc)
{
    if (sc->i >= sc->end)
        return fail(sc, sc->i, "unexpected end of field");
    unsigned char c = (unsigned char)sc->s[sc->i];
    if (c == 'L' || c == 'W' || c == '#' || c == '?')
        return fail(sc, sc->i, "'%c' is not supported (five-field Vixie cron)", c);
    if (c > ' ' && c < 0x7f)
        return fail(sc, sc->i, "unexpected '%c'", c);
    return fail(sc, sc->i, "unexpected byte 0x%02x", c);
}

/* Digits at sc->i, as a value that saturates instead of overflowing (a long
 * token is out of range anyway, and the message quotes its text). */
static long scan_digits(struct scan *sc)
{
    long v = 0;
    while (sc->i < sc->end && is_digit(sc->s[sc->i])) {
        if (v < 100000)
            v = v * 10 + (sc->s[sc->i] - '0');
        sc->i++;
    }
    return v;
}

/* How many bytes of a token to quote, and whether to mark it as cut. */
static int show_len(size_t n)
{
    return n > SHOW_MAX ? SHOW_MAX : (int)n;
}

static const char *show_more(size_t n)
{
    return n > SHOW_MAX ? "..." : "";
}

static int parse_value(struct scan *sc, const struct field_spec *f, int *out)
{
    size_t start = sc->i;
    const char *tok = sc->s + start;

    if (sc->i < sc->end && is_digit(sc->s[sc->i])) {
        long v = scan_digits(sc);
        size_t n = sc->i - start;
        if (v < f->lo || v > f->hi)
            return fail(sc, start, "%.*s%s is out of range %d-%d", show_len(n), tok, show_more(n),
                        f->lo, f->hi);
        *out = (int)v;
        return 0;
    }
    if (f->names && sc->i < sc->end && is_alpha(sc->s[sc->i])) {
        while (sc->i < sc->end && is_alpha(sc->s[sc->i]))
            sc->i++;
        size_t n = sc->i - start;
        for (int k = 0; n == 3 && f->names[k]; k++)
            if (strncasecmp(f->names[k], tok, 3) == 0) {
                *out = f->first_name + k;
                return 0;
            }
        return fail(sc, start, "unknown name '%.*s%s'", show_len(n), tok, show_more(n));
    }
    return unexpected(sc);
}

/* One item of a list: "*", "a", "a-b", each with an optional "/step". */
static int parse_item(struct scan *sc, const struct field_spec *f, uint64_t *bits)
{
    size_t start = sc->i;
    int lo = 0, hi = 0;
    bool single = false;

    if (at(sc, '*')) {
        lo = f->lo;
        hi = f->hi;
        sc->i++;
    } else {
        if (parse_value(sc, f, &lo) < 0)
            return ERR_INVALID;
        hi = lo;
        single = true;
        if (at(sc, '-')) {
            sc->i++;
            if (parse_value(sc, f, &hi) < 0)
                return ERR_INVALID;
            single = false;
            /* "FRI-SUN": Sunday ends the week as 7 just as it starts it as 0. */
            if (f->hi == 7 && hi == 0 && lo > 0)
                hi = 7;
            if (lo > hi)
                return fail(sc, start, "range %.*s runs backwards", (int)(sc->i - start),
                            sc->s + start);
        }
    }
    int step = 1;
    if (at(sc, '/')) {
        sc->i++;
        size_t st = sc->i;
        if (!(sc->i < sc->end && is_digit(sc->s[sc->i])))
            return sc->i >= sc->end ? fail(sc, sc->i, "missing step after '/'") : unexpected(sc);
        long v = scan_digits(sc);
        size_t n = sc->i - st;
        if (v < 1 || v > f->max_step)
            return fail(sc, st, "step %.*s%s is out of range 1-%d", show_len(n), sc->s + st,
                        show_more(n), f->max_step);
        step = (int)v;
        if (single) /* "a/s" is "a-max/s", as most crons read it */
            hi = f->hi;
    }
    for (int v = lo; v <= hi; v += step)
        *bits |= UINT64_C(1) << v;
    return 0;
}

static int parse_field(struct scan *sc, uint64_t *bits)
{
    const struct field_spec *f = &specs[sc->field];
    for (;;) {
        if (parse_item(sc, f, bits) < 0)
            return ERR_INVALID;
        if (sc->i == sc->end)
            return 0;
        if (!at(sc, ','))
            return unexpected(sc);
        sc->i++;
    }
}

static const struct {
    const char *name;
    const char *expr;
} macros[] = {
    {"yearly", "0 0 1 1 *"}, {"annually", "0 0 1 1 *"}, {"monthly", "0 0 1 * *"},
    {"weekly", "0 0 * * 0"}, {"daily", "0 0 * * *"},    {"midnight", "0 0 * * *"},
    {"hourly", "0 * * * *"},
};

/* "@daily" and friends; s[i] is the '@'. */
static int parse_macro(struct cron *out, const char *s, size_t n, size_t i, struct err *err)
{
    size_t start = i, end = i + 1;
    while (end < n && !is_space(s[end]))
        end++;
    size_t len = end - start - 1;
    for (size_t k = end; k < n; k++)
        if (!is_space(s[k]))
            return err_set(err, ERR_INVALID,
                           "cron: nothing may follow a macro, got more at column %zu", k + 1);
    if (len == 6 && strncasecmp(s + start + 1, "reboot", 6) == 0)
        return err_set(err, ERR_INVALID, "cron: @reboot is not supported (a schedule needs times)");
    for (size_t k = 0; k < sizeof(macros) / sizeof(macros[0]); k++)
        if (strlen(macros[k].name) == len && strncasecmp(s + start + 1, macros[k].name, len) == 0)
            return cron_parse(out, macros[k].expr, strlen(macros[k].expr), err);
    return err_set(err, ERR_INVALID,
                   "cron: unknown macro '%.*s%s' at column %zu; expected @yearly, @annually, "
                   "@monthly, @weekly, @daily, @midnight or @hourly",
                   show_len(len + 1), s + start, show_more(len + 1), start + 1);
}

/* The bits of days 1..k. */
static uint32_t days_up_to(int k)
{
    return (uint32_t)((UINT64_C(1) << (k + 1)) - 2);
}

/* With both day fields combined by "and" (one began with '*'), the day of
 * week only narrows the choice; the expression fires iff some chosen day of
 * month exists in some chosen month (29 February counts: it comes back).
 * Every such date falls on every weekday within 400 years, so then a match
 * is certain. With "or", every chosen weekday matches in every month. */
static bool can_fire(const struct cron *c)
{
    static const int longest[13] = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (!c->mday_star && !c->wday_star)
        return true;
    for (int m = 1; m <= 12; m++)
        if ((c->months >> m & 1) && (c->mdays & days_up_to(longest[m])))
            return true;
    return false;
}

int cron_parse(struct cron *out, const char *s, size_t n, struct err *err)
{
    size_t start[5] = {0}, end[5] = {0}, i = 0;
    int count = 0;

    if (n > CRON_EXPR_MAX)
        return err_set(err, ERR_INVALID, "cron: expression is longer than %d bytes", CRON_EXPR_MAX);
    while (i < n && is_space(s[i]))
        i++;
    if (i == n)
        return err_set(err, ERR_INVALID, "cron: empty expression");
    if (s[i] == '@')
        return parse_macro(out, s, n, i, err);
    while (i < n) {
        size_t first = i;
        while (i < n && !is_space(s[i]))
            i++;
        if (count < 5) {
            start[count] = first;
            end[count] = i;
        }
        count++;
        while (i < n && is_space(s[i]))
            i++;
    }
    if (count != 5)
        return err_set(err, ERR_INVALID,
                       "cron: expected 5 fields (minute hour day-of-month month day-of-week), "
                       "got %d",
                       count);

    uint64_t bits[5] = {0};
    for (int f = 0; f < 5; f++) {
        struct scan sc = {s, start[f], end[f], f, err};
        if (parse_field(&sc, &bits[f]) < 0)
            return ERR_INVALID;
    }
    struct cron c = {
        .minutes = bits[0],
        .hours = (uint32_t)bits[1],
        .mdays = (uint32_t)bits[2],
        .months = (uint16_t)bits[3],
        .wdays = (uint8_t)((bits[4] | bits[4] >> 7) & 0x7f), /* 7 is Sunday, 0 */
        .mday_star = s[start[2]] == '*',
        .wday_star = s[start[4]] == '*',
    };
    if (!can_fire(&c)) {
        size_t nd = end[2] - start[2], nm = end[3] - start[3];
        return err_set(err, ERR_INVALID,
                       "cron: never matches: day of month %.*s%s does not occur in month %.*s%s",
                       show_len(nd), s + start[2], show_more(nd), show_len(nm), s + start[3],
                       show_more(nm));
    }
    *out = c;
    return 0;
}

/* ---- matching ---- */

/* The lowest member of set that is >= from, or -1. */
static int next_bit(uint64_t set, int from)
{
    if (from > 63)
        return -1;
    uint64_t rest = set & (~UINT64_C(0) << from);
    return rest ? __builtin_ctzll(rest) : -1;
}

static bool day_matches(const struct cron *c, int64_t days, int mday)
{
    bool dom = (uint64_t)c->mdays >> mday & 1;
    bool dow = c->wdays >> cron__weekday(days) & 1;
    return (c->mday_star || c->wday_star) ? dom && dow : dom || dow;
}

bool cron_matches(const struct cron *c, int64_t t)
{
    if (t < CRON_MIN_S || t > CRON_MAX_S)
        return false;
    int64_t minute = cron__floor_div(t, 60);
    int64_t days = cron__floor_div(minute, 1440);
    int in_day = (int)(minute - days * 1440);
    int y, m, d;
    time_civil_from_days(days, &y, &m, &d);
    return (c->minutes >> (in_day % 60) & 1) && (c->hours >> (in_day / 60) & 1) &&
           (c->months >> m & 1) && day_matches(c, days, d);
}

int64_t cron_next(const struct cron *c, int64_t after)
{
    /* Every parsed field has a member; an all-zero struct is a caller's bug. */
    assert(c->minutes && c->hours && c->months && (c->mdays || c->wdays));
    if (after >= CRON_MAX_S)
        return CRON_NEVER;
    if (after < CRON_MIN_S)
        after = CRON_MIN_S - 1;
    int64_t minute = cron__floor_div(after, 60) + 1;
    int64_t days = cron__floor_div(minute, 1440);
    int in_day = (int)(minute - days * 1440);
    int hour = in_day / 60, min = in_day % 60;
    int y, m, d;
    time_civil_from_days(days, &y, &m, &d);

    while (y <= 9999) {
        if (!(c->months >> m & 1)) {
            int next = next_bit(c->months, m + 1);
            if (next < 0) {
                y++;
                next = next_bit(c->months, 1);
            }
            m = next;
            d = 1;
            hour = min = 0;
            continue;
        }
        days = time_days_from_civil(y, m, d);
        if (day_matches(c, days, d)) {
            int h = next_bit(c->hours, hour);
            int mi = h < 0 ? -1 : next_bit(c->minutes, h == hour ? min : 0);
            if (h >= 0 && mi < 0) { /* this hour's minutes are over */
                h = next_bit(c->hours, h + 1);
                mi = h < 0 ? -1 : next_bit(c->minutes, 0);
            }
            if (mi >= 0)
                return days * 86400 + (int64_t)h * 3600 + (int64_t)mi * 60;
        }
        hour = min = 0;
        /* With "and", only the chosen days of the month can match: jump to
         * the next one (none left: past the month's end). With "or", any
         * day can be a chosen weekday. */
        if (c->mday_star || c->wday_star) {
            int next = next_bit(c->mdays, d + 1);
            d = next < 0 ? 32 : next;
        } else {
            d++;
        }
        if (d > time_days_in_month(y, m)) {
            d = 1;
            if (++m > 12) {
                m = 1;
                y++;
            }
        }
    }
    return CRON_NEVER;
}
