/* http/retry.c - see retry.h. The header rules follow what providers send
 * (../shared/providers.md): Retry-After everywhere, reset instants in
 * three spellings (Unix seconds on GitHub and Intercom, delta-seconds in
 * the IETF RateLimit draft, an ISO instant on Jira), HubSpot's remaining
 * counts, and Salesforce's 403 in place of 429. Unknown shapes ask for
 * nothing, so the caller falls back to backoff. */
#include "http/retry.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "core/jsonx.h"
#include "core/time.h"

#define HEADER_MAX     128        /* bytes of a header value read */
#define ERROR_BODY_MAX (64 << 10) /* bytes of a refusal's body worth parsing */

/* ---- numbers and dates ---- */

/* All of s as a non-negative decimal, saturating at limit; false for an
 * empty string or anything but digits. */
static bool parse_digits(int64_t *out, const char *s, int64_t limit)
{
    int64_t v = 0;
    if (!*s)
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        v = v > (limit - (*s - '0')) / 10 ? limit : v * 10 + (*s - '0');
    }
    *out = v;
    return true;
}

/* Exactly n digits at s. */
static bool fixed_digits(int *out, const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

/* 1..12 for a month's three-letter name at s, 0 otherwise. */
static int month_at(const char *s)
{
    static const char names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    for (size_t i = 0; i < 12; i++)
        if (strncmp(s, names + 3 * i, 3) == 0)
            return (int)i + 1;
    return 0;
}

/* Whether s[0..n) is a day's name: three letters (IMF-fixdate, asctime) or
 * the whole name (RFC 850). */
static bool day_name(const char *s, size_t n)
{
    static const char *const names[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                        "Friday", "Saturday", "Sunday"};
    for (size_t i = 0; i < 7; i++)
        if ((n == 3 && strncmp(s, names[i], 3) == 0) ||
            (n == strlen(names[i]) && strncmp(s, names[i], n) == 0))
            return true;
    return false;
}

/* "hh:mm:ss" at s into seconds of the day; false when malformed. A leap
 * second (60) reads as 59. */
static bool clock_at(int64_t *out, const char *s)
{
    int h, m, sec;
    if (!fixed_digits(&h, s, 2) || s[2] != ':' || !fixed_digits(&m, s + 3, 2) || s[5] != ':' ||
        !fixed_digits(&sec, s + 6, 2) || h > 23 || m > 59 || sec > 60)
        return false;
    *out = (int64_t)h * 3600 + (int64_t)m * 60 + (sec == 60 ? 59 : sec);
    return true;
}

/* The instant of a civil date and a time of day, through core/time's
 * calendar (which checks the day against its month). */
static bool instant(int64_t *out_ms, int y, int mon, int d, int64_t secs)
{
    char text[48];
    struct err e;
    int64_t day;
    if (y < 1 || y > 9999 || mon < 1)
        return false;
    snprintf(text, sizeof(text), "%04d-%02d-%02d", y, mon, d);
    if (time_parse_date(&day, text, strlen(text), &e) < 0)
        return false;
    *out_ms = day + secs * 1000;
    return true;
}

/* An HTTP-date (RFC 9110 section 5.6.7) into Unix ms. */
static bool http_date(int64_t *out_ms, const char *s, int64_t now_ms)
{
    size_t n = strlen(s);
    const char *comma = strchr(s, ',');
    int d, y, mon;
    int64_t secs;

    if (comma && n == 29 && comma == s + 3) {
        /* IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT" */
        return day_name(s, 3) && s[4] == ' ' && fixed_digits(&d, s + 5, 2) && s[7] == ' ' &&
               (mon = month_at(s + 8)) && s[11] == ' ' && fixed_digits(&y, s + 12, 4) &&
               s[16] == ' ' && clock_at(&secs, s + 17) && strcmp(s + 25, " GMT") == 0 &&
               instant(out_ms, y, mon, d, secs);
    }
    if (comma) {
        /* RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT" */
        const char *p = comma + 2;
        if (!day_name(s, (size_t)(comma - s)) || comma[1] != ' ' || strlen(p) != 22 ||
            !fixed_digits(&d, p, 2) || p[2] != '-' || !(mon = month_at(p + 3)) || p[6] != '-' ||
            !fixed_digits(&y, p + 7, 2) || p[9] != ' ' || !clock_at(&secs, p + 10) ||
            strcmp(p + 18, " GMT") != 0 || !instant(out_ms, 2000 + y, mon, d, secs))
            return false;
        /* Two digits: a year more than 50 years ahead is the century before. */
        if (*out_ms - now_ms > 50 * 36525LL * 864000)
            return instant(out_ms, 1900 + y, mon, d, secs);
        return true;
    }
    /* asctime: "Sun Nov  6 08:49:37 1994" */
    return n == 24 && day_name(s, 3) && s[3] == ' ' && (mon = month_at(s + 4)) && s[7] == ' ' &&
           (s[8] == ' ' ? fixed_digits(&d, s + 9, 1) : fixed_digits(&d, s + 8, 2)) &&
           s[10] == ' ' && clock_at(&secs, s + 11) && s[19] == ' ' && fixed_digits(&y, s + 20, 4) &&
           instant(out_ms, y, mon, d, secs);
}

static int64_t until(int64_t at_ms, int64_t now_ms)
{
    if (at_ms <= now_ms)
        return 0;
    return at_ms - now_ms > RETRY_WAIT_MAX_MS ? RETRY_WAIT_MAX_MS : at_ms - now_ms;
}

int64_t retry_after_parse(const char *value, int64_t now_ms)
{
    int64_t secs, at;
    if (parse_digits(&secs, value, RETRY_WAIT_MAX_MS / 1000))
        return secs * 1000;
    if (http_date(&at, value, now_ms))
        return until(at, now_ms);
    return -1;
}

/* A reset header's value: a number (an instant or a delta, by size) or an
 * ISO 8601 instant. */
static int64_t reset_parse(const char *value, int64_t now_ms)
{
    int64_t v, at;
    struct err e;
    char whole[HEADER_MAX + 8];

    if (parse_digits(&v, value, INT64_MAX / 1000)) {
        if (v >= 1000000000000LL)
            return until(v, now_ms);
        if (v >= 1000000000LL)
            return until(v * 1000, now_ms);
        return v * 1000 > RETRY_WAIT_MAX_MS ? RETRY_WAIT_MAX_MS : v * 1000;
    }
    if (time_parse_rfc3339(&at, value, strlen(value), &e) == 0)
        return until(at, now_ms);
    /* Jira: "2024-01-15T10:00Z", no seconds. */
    if (strlen(value) > 16 && value[13] == ':' && value[16] != ':') {
        snprintf(whole, sizeof(whole), "%.16s:00%s", value, value + 16);
        if (time_parse_rfc3339(&at, whole, strlen(whole), &e) == 0)
            return until(at, now_ms);
    }
    return -1;
}

/* Whether header name is present with the value 0. */
static bool header_zero(const struct fetch_resp *r, const char *name)
{
    char v[HEADER_MAX];
    int64_t n;
    return fetch_header(r, name, v, sizeof(v)) && parse_digits(&n, v, INT64_MAX) && n == 0;
}

int64_t retry_wait_ms(const struct fetch_resp *r, int64_t now_ms)
{
    static const struct {
        const char *reset, *remaining;
    } resets[] = {
        {"X-RateLimit-Reset", "X-RateLimit-Remaining"},
        {"RateLimit-Reset", "RateLimit-Remaining"},
    };
    char v[HEADER_MAX], rem[HEADER_MAX];
    int64_t best = -1, w;

    if (fetch_header(r, "Retry-After", v, sizeof(v)) && (w = retry_after_parse(v, now_ms)) > best)
        best = w;
    for (size_t i = 0; i < sizeof(resets) / sizeof(resets[0]); i++) {
        if (!fetch_header(r, resets[i].reset, v, sizeof(v)))
            continue;
        if (fetch_header(r, resets[i].remaining, rem, sizeof(rem)) &&
            !header_zero(r, resets[i].remaining))
            continue;
        if ((w = reset_parse(v, now_ms)) > best)
            best = w;
    }
    /* HubSpot counts over a rolling window and names no reset: a spent
     * window is free again at the latest one window later. */
    if (header_zero(r, "X-HubSpot-RateLimit-Remaining") &&
        fetch_header(r, "X-HubSpot-RateLimit-Interval-Milliseconds", v, sizeof(v)) &&
        parse_digits(&w, v, RETRY_WAIT_MAX_MS) && w > best)
        best = w;
    if (header_zero(r, "X-HubSpot-RateLimit-Secondly-Remaining") && best < 1000)
        best = 1000;
    return best;
}

/* ---- what an answer is ---- */

/* The error body's first object: Salesforce sends an array of them. */
static struct json_object *first_error(struct json_object *body)
{
    return json_object_is_type(body, json_type_array) ? jsonx_at(body, 0) : body;
}

/* Salesforce's Sforce-Limit-Info "api-usage=USED/MAX": whether used >= max. */
static bool sforce_spent(const struct fetch_resp *r)
{
    char v[HEADER_MAX];
    int64_t used, max;
    char *at, *slash, *end;
    if (!fetch_header(r, "Sforce-Limit-Info", v, sizeof(v)) || !(at = strstr(v, "api-usage=")))
        return false;
    at += strlen("api-usage=");
    if ((end = strpbrk(at, " ,;")))
        *end = '\0';
    if (!(slash = strchr(at, '/')))
        return false;
    *slash = '\0';
    return parse_digits(&used, at, INT64_MAX) && parse_digits(&max, slash + 1, INT64_MAX) &&
           max > 0 && used >= max;
}

static enum retry_kind refusal_kind(const struct fetch_resp *r)
{
    struct json_object *body = NULL;
    struct err e;
    enum retry_kind kind = r->status == 429 ? RETRY_RATE : RETRY_NONE;

    if (r->body.n && r->body.n <= ERROR_BODY_MAX &&
        jsonx_parse(&body, r->body.p, r->body.n, ERROR_BODY_MAX, &e) == 0) {
        struct json_object *first = first_error(body);
        const char *code = jsonx_str(jsonx_get(first, "errorCode"));
        const char *msg = jsonx_str(jsonx_get(first, "message"));
        const char *policy = jsonx_str(jsonx_get(first, "policyName"));
        if (r->status == 403 && code && strcmp(code, "REQUEST_LIMIT_EXCEEDED") == 0)
            kind = (msg && strncmp(msg, "TotalRequests", 13) == 0) || sforce_spent(r) ? RETRY_DAILY
                                                                                      : RETRY_RATE;
        else if (r->status == 429 && policy && strcmp(policy, "DAILY") == 0)
            kind = RETRY_DAILY;
    }
    json_object_put(body);
    if (kind == RETRY_NONE && r->status == 403 && header_zero(r, "X-RateLimit-Remaining"))
        kind = RETRY_RATE;
    if (kind == RETRY_RATE && r->status == 429 &&
        header_zero(r, "X-HubSpot-RateLimit-Daily-Remaining"))
        kind = RETRY_DAILY;
    return kind;
}

enum retry_kind retry_classify(const struct fetch_resp *r)
{
    if (r->status == 429 || r->status == 403)
        return refusal_kind(r);
    if (r->status == 503)
        return RETRY_UNAVAILABLE;
    if (r->status >= 500 && r->status <= 599)
        return RETRY_SERVER;
    return RETRY_NONE;
}

bool retry_kind_rate_limited(enum retry_kind kind)
{
    return kind == RETRY_RATE || kind == RETRY_DAILY;
}

int64_t retry_backoff_ms(int attempt, int64_t base_ms, int64_t max_ms, uint64_t rnd)
{
    assert(base_ms >= 1 && max_ms >= base_ms);
    int64_t ceiling = base_ms;
    for (int i = 1; i < attempt && ceiling < max_ms; i++)
        ceiling = ceiling > max_ms / 2 ? max_ms : ceiling * 2;
    if (ceiling > max_ms)
        ceiling = max_ms;
    return (int64_t)(rnd % ((uint64_t)ceiling + 1));
}
