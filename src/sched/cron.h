/* sched/cron.h - five-field cron expressions (minute hour day-of-month month
 * day-of-week, UTC) with Vixie cron's semantics: parse once into bit sets,
 * then ask for the next fire time without allocating. Used by
 * sched/schedule.c for {"kind":"cron"} schedules. See docs/scheduling.md. */
#ifndef INLET_SCHED_CRON_H
#define INLET_SCHED_CRON_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define CRON_EXPR_MAX 256       /* bytes of expression text accepted */
#define CRON_NEVER    INT64_MAX /* cron_next: no fire time before year 10000 */

/* The instants cron works within, in Unix seconds: 0001-01-01T00:00:00Z and
 * 9999-12-31T23:59:59Z (the range of core/time.h). */
#define CRON_MIN_S (-62135596800LL)
#define CRON_MAX_S 253402300799LL

/* A parsed expression. Plain data: copy it freely, nothing to free. */
struct cron {
    uint64_t minutes; /* bit m set: minute m (0-59) matches */
    uint32_t hours;   /* bit h: hour h (0-23) */
    uint32_t mdays;   /* bit d: day of month d (1-31) */
    uint16_t months;  /* bit m: month m (1-12) */
    uint8_t wdays;    /* bit w: day of week w (0-6, 0 = Sunday; a 7 in the text sets bit 0) */
    bool mday_star;   /* the day-of-month field began with '*' (see cron_matches) */
    bool wday_star;   /* the day-of-week field began with '*' */
};

/* Parse the n bytes at s (no NUL needed) into *out. The grammar:
 *
 *   expr  = [ws] field ws field ws field ws field ws field [ws] | [ws] macro [ws]
 *   field = item *("," item)
 *   item  = ( "*" | value [ "-" value ] ) [ "/" step ]
 *   value = digits | name          ws = 1*( " " | "\t" )
 *
 * Fields: minute 0-59, hour 0-23, day of month 1-31, month 1-12 or JAN-DEC,
 * day of week 0-7 or SUN-SAT (0 and 7 are both Sunday). Names are three
 * letters, any case. "a-b" is a range (a <= b), "/s" a step within the item
 * (s from 1 to the field's number of values), "*" the whole field, and "a/s"
 * means "a-<field max>/s". Macros, any case: @yearly, @annually, @monthly,
 * @weekly, @daily, @midnight, @hourly (@reboot is refused). At most
 * CRON_EXPR_MAX bytes.
 *
 * An expression that can never fire ("0 0 30 2 *", "0 0 31 4,6 *": the day
 * of month exists in none of the months while the day of week does not
 * widen the choice, see cron_matches) is refused here, so cron_next always
 * finds a time within 28 years and never spins.
 *
 * ERR_INVALID with a one-line message naming the field and the 1-based
 * column of the problem, e.g.
 *   cron: field 2 (hour): 25 is out of range 0-23 at column 4
 *   cron: field 5 (day of week): unknown name 'MOM' at column 9
 *   cron: expected 5 fields (minute hour day-of-month month day-of-week), got 6
 *   cron: never matches: day of month 30 does not occur in month 2
 * *out is written only on success. */
MUST_CHECK int cron_parse(struct cron *out, const char *s, size_t n, struct err *err);

/* Whether the minute holding instant t (Unix seconds, floored to the minute)
 * matches. Minute, hour and month must match; for the day, Vixie cron's rule
 * applies: when either day field begins with '*' (a stepped star included)
 * the day must match both fields, otherwise (both restricted) it must match
 * either one. So "0 0 1,15 * MON" fires on the 1st, the 15th and every
 * Monday, while a day-of-month field of star-slash-2 with MON fires only on
 * Mondays that fall on an odd day (docs/scheduling.md has the details).
 * t outside [CRON_MIN_S, CRON_MAX_S] never matches. */
bool cron_matches(const struct cron *c, int64_t t);

/* The first matching minute (Unix seconds, a multiple of 60) strictly after
 * `after`, or CRON_NEVER when there is none up to CRON_MAX_S. An `after`
 * before CRON_MIN_S counts as just before it. Skips whole months, days and
 * hours that cannot match: a few hundred cheap steps at worst (a 29 February
 * that must also be a given weekday, up to 40 years on), no allocation. */
int64_t cron_next(const struct cron *c, int64_t after);

#endif
