/* map/convert.h - the text conversions behind the mapping transforms:
 * numbers as people and providers write them ("$1,234.50", "1.234,50 EUR",
 * JSON's 1.5e3) into canonical decimal text, dates and times (ISO 8601 as
 * providers send it, epoch seconds or milliseconds, strptime-like formats)
 * into Unix milliseconds, and the domain of a URL or an e-mail address.
 * Pure functions; calendar arithmetic is core/time.h's, so no TZ variable
 * or locale changes a result. Used by map/transform.c.
 *
 * Messages are one line and name the value (quoted, cut to 40 bytes) and
 * the byte where it went wrong, e.g.
 *   "12x4" is not a number: unexpected "x" at byte 2 */
#ifndef INLET_MAP_CONVERT_H
#define INLET_MAP_CONVERT_H
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define CONVERT_DIGITS_MAX 100 /* digits of a decimal, before and after the point */
#define CONVERT_FORMAT_MAX 64  /* bytes of a date format */
#define CONVERT_QUOTE_MAX  48  /* bytes convert_quote writes, NUL included */

/* Write s[0..n) into out as a double-quoted excerpt for a message: at most
 * 40 bytes of it (cut at a character boundary, then "..."), with '"', '\\'
 * and control bytes written as \xHH. */
void convert_quote(char out[CONVERT_QUOTE_MAX], const char *s, size_t n);

/* Read s[0..n) as a number written for people into *out (xmalloc, caller
 * frees with xfree), the canonical decimal: an optional '-', the integer
 * digits without leading zeros ("0" when none), then '.' and the fraction
 * digits as written, when there are some ("1,234.50" -> "1234.50",
 * "-0" -> "0"). dec is the decimal separator; group the thousands separator
 * (0: none allowed; ' ' also takes no-break and thin spaces). White space
 * around, a sign, accounting parentheses "(12.50)" for a negative, and a
 * currency symbol or a code of up to three capital letters before or after
 * ("$", "€", "US$", "EUR") are accepted and dropped. A group separator must
 * sit between digits, with two or three digits after it and three after the
 * last one. ERR_INVALID otherwise, and past CONVERT_DIGITS_MAX digits. */
MUST_CHECK int convert_number(char **out, const char *s, size_t n, char dec, char group,
                              struct err *err);

/* The same for the text of a JSON number (as json-c keeps it: "1.50",
 * "-2", "1.5e3"), the exponent applied: "1.5e3" -> "1500". ERR_INVALID for
 * text that is not a finite JSON number or has too many digits. */
MUST_CHECK int convert_json_number(char **out, const char *s, struct err *err);

/* The canonical decimal d times 10^k (|k| <= 18), exactly: a shift of the
 * decimal point ("0.25", 2 -> "25"). *out as above. */
MUST_CHECK int convert_decimal_shift(char **out, const char *d, int k, struct err *err);

/* Check a strptime-like date format (convert_time_format lists the
 * directives) without any text to read. ERR_INVALID names the problem:
 * an unknown directive, no year, %I without %p, over CONVERT_FORMAT_MAX. */
MUST_CHECK int convert_format_check(const char *fmt, struct err *err);

/* Read s[0..n) by fmt into *ms (Unix milliseconds, UTC). Directives: %Y
 * (1-4 digits), %y (2 digits: 69-99 are 19xx, 00-68 20xx), %m, %d, %e, %H,
 * %I, %M, %S (1-2 digits; %S may be 60, read as 59.999), %f (fraction of a
 * second, any number of digits, truncated to milliseconds), %b %B %h
 * (English month names, full or three letters, any case), %a %A (weekday
 * names, read and ignored), %p (AM or PM), %z (Z, +hh, +hhmm or +hh:mm), %s
 * (Unix seconds), %F (%Y-%m-%d), %T (%H:%M:%S), %D (%m/%d/%y), %R (%H:%M),
 * %n %t and white space (any white space, or none), %% ('%'). Any other
 * byte matches itself (letters in any case). Without %z the time is UTC.
 * White space around s is ignored. ERR_INVALID when s does not match or a
 * part is out of range. fmt must pass convert_format_check (asserted). */
MUST_CHECK int convert_time_format(int64_t *ms, const char *fmt, const char *s, size_t n,
                                   struct err *err);

/* Read s[0..n) as a date or a date and time as providers send them: an
 * integer (Unix seconds, or milliseconds when its magnitude is at least
 * 10^11: HubSpot's "1709287200000"), "YYYY-MM-DD" (midnight UTC), or
 * "YYYY-MM-DD" "T"|" " "hh:mm[:ss[.fraction]]" with an optional zone "Z",
 * "+hh", "+hhmm" or "+hh:mm" (none: UTC), as in "2024-03-01T10:00:00Z" and
 * Salesforce's "2024-03-01T10:00:00.000+0000". Into *ms, Unix
 * milliseconds; years 0001 to 9999. White space around s is ignored. */
MUST_CHECK int convert_iso8601(int64_t *ms, const char *s, size_t n, struct err *err);

/* Read s[0..n) as Unix time into *ms: an optional '-' and digits, in units
 * of unit milliseconds (1000: seconds, 1: milliseconds). */
MUST_CHECK int convert_epoch(int64_t *ms, const char *s, size_t n, int64_t unit, struct err *err);

/* The host of a URL or a bare domain, lower-cased, without scheme, user,
 * port, path, trailing dot or a leading "www.": "https://www.Acme.com/x"
 * -> "acme.com". *out (xmalloc) is the caller's. ERR_INVALID when what is
 * left is not a host name (letters, digits, '-', '.', or UTF-8). */
MUST_CHECK int convert_url_domain(char **out, const char *s, size_t n, struct err *err);

/* The domain of an e-mail address, lower-cased: "a@Example.COM" ->
 * "example.com". ERR_INVALID when s has no '@' or no valid domain after. */
MUST_CHECK int convert_email_domain(char **out, const char *s, size_t n, struct err *err);

/* An e-mail address, trimmed and lower-cased into *out: one local part and
 * a domain as above, no white space. ERR_INVALID otherwise. */
MUST_CHECK int convert_email(char **out, const char *s, size_t n, struct err *err);

#endif
