/* core/time.c - clocks and RFC 3339. The calendar is the proleptic Gregorian
 * one, counted in days from 1970-01-01 with years that start on March 1, so
 * that the leap day falls at the end of a year and month lengths follow a
 * simple pattern (the approach Howard Hinnant describes for civil dates). */
#include "core/time.h"

#include <assert.h>
#include <stdbool.h>
#include <time.h>

#define MS_PER_DAY   86400000LL
#define DAYS_PER_ERA 146097 /* 400 Gregorian years */
/* Days from 0000-03-01 (day 0 of era 0) to 1970-01-01. */
#define EPOCH_SHIFT 719468

int64_t time_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t time_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool is_leap(int y)
{
    return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

int time_days_in_month(int y, int m)
{
    static const unsigned char len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    assert(m >= 1 && m <= 12);
    return m == 2 && is_leap(y) ? 29 : len[m - 1];
}

/* Days since 1970-01-01 of the date y-m-d (m 1-12, d 1-31, y >= 0).
 * Counting from March, month lengths repeat 31,30,31,30,31 and
 * (153 * month + 2) / 5 gives the days before each month. */
int64_t time_days_from_civil(int y, int m, int d)
{
    if (m <= 2)
        y--; /* January and February belong to the previous March-based year */
    int era = (y >= 0 ? y : y - 399) / 400;
    int year_of_era = y - era * 400;                       /* 0..399 */
    int march_month = m > 2 ? m - 3 : m + 9;               /* 0 = March .. 11 = February */
    int day_of_year = (153 * march_month + 2) / 5 + d - 1; /* 0..365 */
    int day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return (int64_t)era * DAYS_PER_ERA + day_of_era - EPOCH_SHIFT;
}

/* The inverse: the civil date of `days` since 1970-01-01. */
void time_civil_from_days(int64_t days, int *y, int *m, int *d)
{
    days += EPOCH_SHIFT;
    int64_t era = (days >= 0 ? days : days - (DAYS_PER_ERA - 1)) / DAYS_PER_ERA;
    int day_of_era = (int)(days - era * DAYS_PER_ERA); /* 0..146096 */
    /* Remove the leap days so far (one per 4 years, less one per century,
     * plus one per era) and divide by 365 to get the year of the era. */
    int year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    int day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    int march_month = (5 * day_of_year + 2) / 153;
    *d = day_of_year - (153 * march_month + 2) / 5 + 1;
    *m = march_month < 10 ? march_month + 3 : march_month - 9;
    *y = (int)(era * 400) + year_of_era + (*m <= 2);
}

static char *put_digits(char *p, int v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return p + width;
}

/* Write "YYYY-MM-DDThh:mm:ss" and return the position after it; *ms_out gets
 * the milliseconds within the second. */
static char *put_date_time(char *p, int64_t unix_ms, int *ms_out)
{
    assert(unix_ms >= TIME_MIN_MS && unix_ms <= TIME_MAX_MS);
    int64_t days = unix_ms / MS_PER_DAY;
    int64_t in_day = unix_ms % MS_PER_DAY;
    if (in_day < 0) { /* C division truncates toward zero; we want the floor */
        in_day += MS_PER_DAY;
        days--;
    }
    int y, m, d;
    time_civil_from_days(days, &y, &m, &d);
    int secs = (int)(in_day / 1000);
    p = put_digits(p, y, 4);
    *p++ = '-';
    p = put_digits(p, m, 2);
    *p++ = '-';
    p = put_digits(p, d, 2);
    *p++ = 'T';
    p = put_digits(p, secs / 3600, 2);
    *p++ = ':';
    p = put_digits(p, secs / 60 % 60, 2);
    *p++ = ':';
    p = put_digits(p, secs % 60, 2);
    *ms_out = (int)(in_day % 1000);
    return p;
}

size_t time_format_rfc3339(char out[TIME_RFC3339_MAX], int64_t unix_ms)
{
    int ms;
    char *p = put_date_time(out, unix_ms, &ms);
    *p++ = '.';
    p = put_digits(p, ms, 3);
    *p++ = 'Z';
    *p = '\0';
    return (size_t)(p - out);
}

size_t time_format_rfc3339_sec(char out[TIME_RFC3339_MAX], int64_t unix_ms)
{
    int ms;
    char *p = put_date_time(out, unix_ms, &ms);
    *p++ = 'Z';
    *p = '\0';
    return (size_t)(p - out);
}

/* A cursor over the input; `i` is the byte offset that messages name. */
struct scan {
    const char *s;
    size_t n;
    size_t i;
};

static bool at(const struct scan *sc, char c)
{
    return sc->i < sc->n && sc->s[sc->i] == c;
}

static bool is_digit_at(const struct scan *sc, size_t i)
{
    return i < sc->n && sc->s[i] >= '0' && sc->s[i] <= '9';
}

/* Read exactly `width` digits at the cursor into *v and advance. */
static bool digits(struct scan *sc, int width, int *v)
{
    int x = 0;
    for (int k = 0; k < width; k++) {
        if (!is_digit_at(sc, sc->i + (size_t)k))
            return false;
        x = x * 10 + (sc->s[sc->i + (size_t)k] - '0');
    }
    sc->i += (size_t)width;
    *v = x;
    return true;
}

/* Read a field of `width` digits in [lo, hi]; on failure fill err. */
static int field(struct scan *sc, int width, int lo, int hi, const char *what, int *v,
                 struct err *err)
{
    size_t start = sc->i;
    if (!digits(sc, width, v))
        return err_set(err, ERR_INVALID, "time: expected %d-digit %s at byte %zu", width, what,
                       start);
    if (*v < lo || *v > hi)
        return err_set(err, ERR_INVALID, "time: %s %0*d out of range at byte %zu", what, width, *v,
                       start);
    return 0;
}

static int expect(struct scan *sc, char c, struct err *err)
{
    if (!at(sc, c))
        return err_set(err, ERR_INVALID, "time: expected '%c' at byte %zu", c, sc->i);
    sc->i++;
    return 0;
}

/* "YYYY-MM-DD" at the cursor, into days since the epoch. */
static int scan_date(struct scan *sc, int64_t *days, struct err *err)
{
    int y = 0, m = 0, d = 0, rc;
    size_t day_at;
    if ((rc = field(sc, 4, 1, 9999, "year", &y, err)) < 0 || (rc = expect(sc, '-', err)) < 0 ||
        (rc = field(sc, 2, 1, 12, "month", &m, err)) < 0 || (rc = expect(sc, '-', err)) < 0)
        return rc;
    day_at = sc->i;
    if (!digits(sc, 2, &d))
        return err_set(err, ERR_INVALID, "time: expected 2-digit day at byte %zu", day_at);
    if (d < 1 || d > time_days_in_month(y, m))
        return err_set(err, ERR_INVALID, "time: day %02d out of range for %04d-%02d at byte %zu", d,
                       y, m, day_at);
    *days = time_days_from_civil(y, m, d);
    return 0;
}

static int expect_end(const struct scan *sc, struct err *err)
{
    if (sc->i != sc->n)
        return err_set(err, ERR_INVALID, "time: trailing data at byte %zu", sc->i);
    return 0;
}

int time_parse_date(int64_t *out_ms, const char *s, size_t n, struct err *err)
{
    struct scan sc = {s, n, 0};
    int64_t days = 0;
    int rc;
    if ((rc = scan_date(&sc, &days, err)) < 0 || (rc = expect_end(&sc, err)) < 0)
        return rc;
    *out_ms = days * MS_PER_DAY;
    return 0;
}

/* The zone at the cursor, "Z", "z", "+hh:mm", "+hhmm" or "+hh", as minutes
 * east of UTC. */
static int scan_offset(struct scan *sc, int *minutes, struct err *err)
{
    int h = 0, m = 0, rc;
    if (at(sc, 'Z') || at(sc, 'z')) {
        sc->i++;
        *minutes = 0;
        return 0;
    }
    if (!at(sc, '+') && !at(sc, '-'))
        return err_set(err, ERR_INVALID, "time: expected 'Z' or offset at byte %zu", sc->i);
    int sign = sc->s[sc->i++] == '-' ? -1 : 1;
    if ((rc = field(sc, 2, 0, 23, "offset hour", &h, err)) < 0)
        return rc;
    if (at(sc, ':')) {
        sc->i++;
        if ((rc = field(sc, 2, 0, 59, "offset minute", &m, err)) < 0)
            return rc;
    } else if (is_digit_at(sc, sc->i)) { /* "+hhmm" */
        if ((rc = field(sc, 2, 0, 59, "offset minute", &m, err)) < 0)
            return rc;
    } /* else "+hh" */
    *minutes = sign * (h * 60 + m);
    return 0;
}

int time_parse_rfc3339(int64_t *out_ms, const char *s, size_t n, struct err *err)
{
    struct scan sc = {s, n, 0};
    int64_t days = 0;
    int h = 0, mi = 0, sec = 0, ms = 0, offset = 0, rc;
    size_t offset_at;

    if ((rc = scan_date(&sc, &days, err)) < 0)
        return rc;
    if (!at(&sc, 'T') && !at(&sc, 't') && !at(&sc, ' '))
        return err_set(err, ERR_INVALID, "time: expected 'T' or space at byte %zu", sc.i);
    sc.i++;
    if ((rc = field(&sc, 2, 0, 23, "hour", &h, err)) < 0 || (rc = expect(&sc, ':', err)) < 0 ||
        (rc = field(&sc, 2, 0, 59, "minute", &mi, err)) < 0 || (rc = expect(&sc, ':', err)) < 0 ||
        (rc = field(&sc, 2, 0, 60, "second", &sec, err)) < 0)
        return rc;
    if (at(&sc, '.')) {
        sc.i++;
        if (!is_digit_at(&sc, sc.i))
            return err_set(err, ERR_INVALID, "time: expected digit after '.' at byte %zu", sc.i);
        /* ".5" is 500 ms; digits past the third weigh 0: truncated, not rounded */
        for (int weight = 100; is_digit_at(&sc, sc.i); weight /= 10, sc.i++)
            ms += (s[sc.i] - '0') * weight;
    }
    offset_at = sc.i;
    if ((rc = scan_offset(&sc, &offset, err)) < 0 || (rc = expect_end(&sc, err)) < 0)
        return rc;
    if (sec == 60) { /* a leap second: the last instant of that minute */
        sec = 59;
        ms = 999;
    }
    int64_t t = days * MS_PER_DAY + ((int64_t)h * 3600 + (int64_t)mi * 60 + sec) * 1000 + ms -
                (int64_t)offset * 60000;
    if (t < TIME_MIN_MS)
        return err_set(err, ERR_INVALID,
                       "time: instant before 0001-01-01T00:00:00Z after offset at byte %zu",
                       offset_at);
    if (t > TIME_MAX_MS)
        return err_set(err, ERR_INVALID,
                       "time: instant after 9999-12-31T23:59:59.999Z after offset at byte %zu",
                       offset_at);
    *out_ms = t;
    return 0;
}
