/* http/retry.h - when and how long to wait before sending a request to a
 * provider again, as pure functions: what kind of answer came (an answer
 * to act on, a rate-limit refusal, a daily quota spent, a server error),
 * how long its headers ask to wait (Retry-After and the rate-limit headers
 * providers send: the longest any of them asks for), and exponential
 * backoff with full jitter. No clock, no sleep, no I/O: the caller passes
 * the time and the randomness. sync/call.c drives the loop. */
#ifndef INLET_HTTP_RETRY_H
#define INLET_HTTP_RETRY_H
#include <stdbool.h>
#include <stdint.h>

#include "http/fetch.h"

/* The longest wait a header can ask for; longer ones are cut to it. A year
 * is far past any cap a caller sleeps for, and keeps sums from overflowing. */
#define RETRY_WAIT_MAX_MS (366LL * 86400 * 1000)

enum retry_kind {
    RETRY_NONE = 0,    /* an answer to act on: 1xx-4xx other than below */
    RETRY_RATE,        /* refused for its rate: 429, Salesforce's 403 REQUEST_LIMIT_EXCEEDED
                          (the concurrent limit), a 403 with X-RateLimit-Remaining: 0 */
    RETRY_DAILY,       /* a quota that does not come back soon: Salesforce's TotalRequests,
                          HubSpot's DAILY policy; sending again would only be refused */
    RETRY_UNAVAILABLE, /* 503: honours Retry-After like RETRY_RATE, else backs off */
    RETRY_SERVER,      /* another 5xx: back off */
};

/* What answer r is, from its status, headers and (for a 403 or 429) body. */
enum retry_kind retry_classify(const struct fetch_resp *r);

/* Whether kind counts as a rate-limit refusal (api_usage.rate_limited). */
bool retry_kind_rate_limited(enum retry_kind kind);

/* Milliseconds to wait that one Retry-After value asks for at now_ms (Unix
 * ms): delta-seconds ("120") or an HTTP-date in any of the three forms of
 * RFC 9110 section 5.6.7 ("Sun, 06 Nov 1994 08:49:37 GMT", the RFC 850 and
 * the asctime forms). A date in the past asks for 0. At most
 * RETRY_WAIT_MAX_MS. -1 for anything else (a sign, a fraction, garbage). */
int64_t retry_after_parse(const char *value, int64_t now_ms);

/* Milliseconds to wait that r's headers ask for at now_ms: the longest of
 *   Retry-After;
 *   X-RateLimit-Reset and RateLimit-Reset (Unix seconds when the number is
 *   past 1e9, Unix ms past 1e12, else delta-seconds; or an ISO 8601
 *   instant, minutes-only as Jira sends it), each only when its Remaining
 *   header is 0 or absent: a reset of a budget not spent asks nothing;
 *   HubSpot's X-HubSpot-RateLimit-Remaining: 0 (its Interval-Milliseconds,
 *   the rolling window) and X-HubSpot-RateLimit-Secondly-Remaining: 0 (a
 *   second).
 * At most RETRY_WAIT_MAX_MS; -1 when no header asks. */
int64_t retry_wait_ms(const struct fetch_resp *r, int64_t now_ms);

/* The wait before retry number attempt (1 for the first retry), "full
 * jitter": uniform in [0, min(max_ms, base_ms * 2^(attempt - 1))], drawn
 * from rnd (64 random bits). base_ms >= 1 and max_ms >= base_ms
 * (asserted); attempt < 1 counts as 1. */
int64_t retry_backoff_ms(int attempt, int64_t base_ms, int64_t max_ms, uint64_t rnd);

#endif
