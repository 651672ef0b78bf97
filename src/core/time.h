/* core/time.h - instants as int64 Unix milliseconds, UTC only: the clocks,
 * and RFC 3339 text in and out. Calendar arithmetic is done here by hand
 * (days from the civil date), never through timegm/mktime/strptime, so no TZ
 * variable or locale can change a result. Used by the logger, the database
 * layer, bookmarks and every connector that reads provider timestamps. */
#ifndef INLET_CORE_TIME_H
#define INLET_CORE_TIME_H
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* Bytes for time_format_rfc3339's output: "YYYY-MM-DDThh:mm:ss.sssZ" and a NUL. */
#define TIME_RFC3339_MAX 25

/* The instants this module represents: 0001-01-01T00:00:00.000Z and
 * 9999-12-31T23:59:59.999Z, in Unix milliseconds. */
#define TIME_MIN_MS (-62135596800000LL)
#define TIME_MAX_MS 253402300799999LL

/* Wall-clock time (CLOCK_REALTIME) in Unix milliseconds. It can jump; use it
 * for timestamps, never to measure a duration. */
int64_t time_now_ms(void);

/* Milliseconds on a monotonic clock (CLOCK_MONOTONIC) with an arbitrary
 * origin: only differences mean anything. Use it for timeouts and durations. */
int64_t time_mono_ms(void);

/* Write unix_ms as "YYYY-MM-DDThh:mm:ss.sssZ" (always three fraction digits,
 * so that the text sorts like the instant) into out and return its length, 24.
 * unix_ms must lie in [TIME_MIN_MS, TIME_MAX_MS] (asserted): callers holding
 * a value from outside check it against those bounds first. */
size_t time_format_rfc3339(char out[TIME_RFC3339_MAX], int64_t unix_ms);

/* The same without the fraction, "YYYY-MM-DDThh:mm:ssZ", for APIs that take
 * whole seconds. Milliseconds are dropped (rounded toward the past, so an
 * incremental cursor re-reads rather than skips). Returns 20. */
size_t time_format_rfc3339_sec(char out[TIME_RFC3339_MAX], int64_t unix_ms);

/* Parse the n bytes at s (no NUL needed) as an RFC 3339 date-time into
 * *out_ms:
 *
 *   YYYY-MM-DD ( "T" | "t" | " " ) hh:mm:ss [ "." 1*digit ] ( "Z" | "z" | offset )
 *
 * with offset "+hh:mm" or "-hh:mm". Leniencies beyond RFC 3339, each for a
 * producer we read: a single space instead of "T" and the hour-only offset
 * "+hh" (PostgreSQL's text output, "2024-01-15 10:00:00.123+00"), and the
 * colon-less offset "+hhmm" (Salesforce, "2024-01-15T10:00:00.000+0000").
 * Fractions of any length are accepted and truncated to milliseconds. A leap
 * second, ss = 60, is accepted on any date and read as ss = 59.999 of that
 * minute, which keeps the order of instants without a leap-second table.
 * "-00:00" means UTC. Years are 0001-9999 and the instant, after applying the
 * offset, must also lie within [TIME_MIN_MS, TIME_MAX_MS]. Nothing may follow
 * the offset (trim white space first if the source pads it).
 *
 * ERR_INVALID for anything else, with a message naming the part and its byte
 * offset, e.g. "time: month 13 out of range at byte 5". *out_ms is written
 * only on success. */
MUST_CHECK int time_parse_rfc3339(int64_t *out_ms, const char *s, size_t n, struct err *err);

/* Parse the n bytes at s as a full date "YYYY-MM-DD" (years 0001-9999) into
 * *out_ms, the instant of that day's midnight UTC. ERR_INVALID as above,
 * e.g. "time: day 29 out of range for 2023-02 at byte 8". */
MUST_CHECK int time_parse_date(int64_t *out_ms, const char *s, size_t n, struct err *err);

/* The proleptic Gregorian calendar, UTC, in days since 1970-01-01 (the
 * scheduler's arithmetic too). Days in month m (1-12) of year y; the days
 * of y-m-d (m 1-12, d 1-31, y >= 0); and the inverse. */
int time_days_in_month(int y, int m);
int64_t time_days_from_civil(int y, int m, int d);
void time_civil_from_days(int64_t days, int *y, int *m, int *d);

#endif
