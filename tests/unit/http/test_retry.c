/* tests/unit/http/test_retry.c - the retry policy's pure parts: Retry-After
 * as seconds and as each HTTP-date form (the cases in tests/data/retry/,
 * garbage, signs and huge values among them; run from the repository
 * root), the rate-limit reset headers and the longest of several, what
 * kind of answer each provider's refusal is, and the bounds of backoff
 * with full jitter. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "http/retry.h"
#include "test.h"

#define DATA_DIR "tests/data/retry/"

/* An answer with status, header lines ("Name: value\r\n" each) and body. */
static void answer(struct fetch_resp *r, long status, const char *head, const char *body)
{
    memset(r, 0, sizeof(*r));
    r->status = status;
    buf_init(&r->head, 0);
    buf_init(&r->body, 0);
    buf_printf(&r->head, "HTTP/1.1 %ld X\r\n%s\r\n", status, head);
    buf_puts(&r->body, body);
}

static int64_t wait_of(const char *head, int64_t now_ms)
{
    struct fetch_resp r;
    answer(&r, 429, head, "");
    int64_t w = retry_wait_ms(&r, now_ms);
    fetch_resp_dispose(&r);
    return w;
}

static enum retry_kind kind_of(long status, const char *head, const char *body)
{
    struct fetch_resp r;
    answer(&r, status, head, body);
    enum retry_kind k = retry_classify(&r);
    fetch_resp_dispose(&r);
    return k;
}

/* Every VALUE<TAB>NOW<TAB>EXPECTED line of tests/data/retry/retry_after.txt;
 * each mismatch is printed with its line number, and the test fails at the
 * end if there was any. */
static void retry_after_values(void **state)
{
    char *text = test_read_file(DATA_DIR "retry_after.txt", NULL);
    int bad = 0, cases = 0, line = 0;
    (void)state;

    assert_non_null(text);
    for (char *p = text, *next; *p; p = next) {
        char *nl = strchr(p, '\n');
        next = nl ? nl + 1 : p + strlen(p);
        if (nl)
            *nl = '\0';
        line++;
        if (*p == '#' || *p == '\0')
            continue;
        char *t1 = strchr(p, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
        if (!t2)
            fail_msg("retry_after.txt:%d: expected VALUE<TAB>NOW<TAB>EXPECTED", line);
        *t1 = *t2 = '\0';
        const char *value = strcmp(p, "<empty>") == 0 ? "" : p;
        long long now = strtoll(t1 + 1, NULL, 10), want = strtoll(t2 + 1, NULL, 10);
        long long got = retry_after_parse(value, now);
        cases++;
        if (got != want) {
            printf("retry_after.txt:%d: \"%s\" at %lld\n  got      %lld\n  expected %lld\n", line,
                   value, now, got, want);
            bad++;
        }
    }
    xfree(text);
    assert_true(cases > 30);
    assert_int_equal(bad, 0);
}

static void header_waits(void **state)
{
    (void)state;
    int64_t now = 1700000000000LL; /* 2023-11-14T22:13:20Z */
    assert_int_equal(wait_of("", now), -1);
    assert_int_equal(wait_of("Retry-After: garbage\r\n", now), -1);
    assert_int_equal(wait_of("retry-after: 3\r\n", now), 3000);
    /* Reset as Unix seconds, Unix ms, delta-seconds, an instant, and Jira's
     * minutes-only instant. */
    assert_int_equal(wait_of("X-RateLimit-Remaining: 0\r\nX-RateLimit-Reset: 1700000042\r\n", now),
                     42000);
    assert_int_equal(wait_of("X-RateLimit-Reset: 1700000000500\r\n", now), 500);
    assert_int_equal(wait_of("RateLimit-Remaining: 0\r\nRateLimit-Reset: 9\r\n", now), 9000);
    assert_int_equal(wait_of("X-RateLimit-Reset: 2023-11-14T22:14:00Z\r\n", now), 40000);
    assert_int_equal(wait_of("X-RateLimit-Reset: 2023-11-14T22:15Z\r\n", now), 100000);
    assert_int_equal(wait_of("X-RateLimit-Reset: 1600000000\r\n", now), 0);
    assert_int_equal(wait_of("X-RateLimit-Reset: tomorrow\r\n", now), -1);
    /* A reset of a budget not spent asks for nothing (GitHub's secondary
     * limits send Retry-After beside the primary's reset). */
    assert_int_equal(wait_of("Retry-After: 60\r\nX-RateLimit-Remaining: 4999\r\n"
                             "X-RateLimit-Reset: 1700003600\r\n",
                             now),
                     60000);
    /* The longest of several. */
    assert_int_equal(wait_of("Retry-After: 2\r\nRateLimit-Reset: 5\r\n", now), 5000);
    assert_int_equal(wait_of("Retry-After: 20\r\nRateLimit-Reset: 5\r\n", now), 20000);
    assert_int_equal(
        wait_of("RateLimit-Reset: 5\r\nRetry-After: Tue, 14 Nov 2023 22:13:50 GMT\r\n", now),
        30000);
    /* HubSpot: a spent rolling window is free one window later; a spent
     * second, one second later. */
    assert_int_equal(
        wait_of("Retry-After: 1\r\nX-HubSpot-RateLimit-Interval-Milliseconds: 10000\r\n"
                "X-HubSpot-RateLimit-Max: 100\r\nX-HubSpot-RateLimit-Remaining: 0\r\n",
                now),
        10000);
    assert_int_equal(wait_of("X-HubSpot-RateLimit-Interval-Milliseconds: 10000\r\n"
                             "X-HubSpot-RateLimit-Remaining: 12\r\n",
                             now),
                     -1);
    assert_int_equal(wait_of("X-HubSpot-RateLimit-Secondly-Remaining: 0\r\n", now), 1000);
    assert_int_equal(
        wait_of("Retry-After: 4\r\nX-HubSpot-RateLimit-Secondly-Remaining: 0\r\n", now), 4000);
    /* Huge values are cut, and the sum of them cannot overflow. */
    assert_int_equal(wait_of("RateLimit-Reset: 999999999\r\nRetry-After: 99999999999999\r\n", now),
                     RETRY_WAIT_MAX_MS);
}

static void kinds(void **state)
{
    (void)state;
    assert_int_equal(kind_of(200, "", "{}"), RETRY_NONE);
    assert_int_equal(kind_of(304, "", ""), RETRY_NONE);
    assert_int_equal(kind_of(400, "", "{}"), RETRY_NONE);
    assert_int_equal(kind_of(401, "", "{}"), RETRY_NONE);
    assert_int_equal(kind_of(404, "", "{}"), RETRY_NONE);
    assert_int_equal(kind_of(500, "", "{}"), RETRY_SERVER);
    assert_int_equal(kind_of(502, "", "<html></html>"), RETRY_SERVER);
    assert_int_equal(kind_of(503, "", ""), RETRY_UNAVAILABLE);
    /* Slack and HubSpot's ten-secondly limit; HubSpot's daily one. */
    assert_int_equal(kind_of(429, "Retry-After: 1\r\n", "{\"ok\":false,\"error\":\"ratelimited\"}"),
                     RETRY_RATE);
    assert_int_equal(
        kind_of(429, "", "{\"errorType\":\"RATE_LIMIT\",\"policyName\":\"TEN_SECONDLY_ROLLING\"}"),
        RETRY_RATE);
    assert_int_equal(kind_of(429, "", "{\"errorType\":\"RATE_LIMIT\",\"policyName\":\"DAILY\"}"),
                     RETRY_DAILY);
    assert_int_equal(kind_of(429, "X-HubSpot-RateLimit-Daily-Remaining: 0\r\n", "not json"),
                     RETRY_DAILY);
    assert_int_equal(kind_of(429, "", ""), RETRY_RATE);
    /* Salesforce: 403 for both limits, told apart by the message (or the
     * usage header); other 403s are answers. */
    assert_int_equal(kind_of(403, "",
                             "[{\"message\":\"ConcurrentPerOrgLongTxn Limit exceeded.\","
                             "\"errorCode\":\"REQUEST_LIMIT_EXCEEDED\"}]"),
                     RETRY_RATE);
    assert_int_equal(kind_of(403, "",
                             "[{\"message\":\"TotalRequests Limit exceeded.\","
                             "\"errorCode\":\"REQUEST_LIMIT_EXCEEDED\"}]"),
                     RETRY_DAILY);
    assert_int_equal(kind_of(403, "Sforce-Limit-Info: api-usage=15001/15000\r\n",
                             "[{\"message\":\"x\",\"errorCode\":\"REQUEST_LIMIT_EXCEEDED\"}]"),
                     RETRY_DAILY);
    assert_int_equal(kind_of(403, "Sforce-Limit-Info: api-usage=10/15000\r\n",
                             "[{\"message\":\"x\",\"errorCode\":\"REQUEST_LIMIT_EXCEEDED\"}]"),
                     RETRY_RATE);
    assert_int_equal(
        kind_of(403, "", "[{\"message\":\"no access\",\"errorCode\":\"INSUFFICIENT_ACCESS\"}]"),
        RETRY_NONE);
    /* GitHub: a 403 with the budget spent. */
    assert_int_equal(kind_of(403, "X-RateLimit-Remaining: 0\r\n", "{}"), RETRY_RATE);
    assert_int_equal(kind_of(403, "X-RateLimit-Remaining: 10\r\n", "{}"), RETRY_NONE);

    assert_true(retry_kind_rate_limited(RETRY_RATE));
    assert_true(retry_kind_rate_limited(RETRY_DAILY));
    assert_false(retry_kind_rate_limited(RETRY_UNAVAILABLE));
    assert_false(retry_kind_rate_limited(RETRY_SERVER));
    assert_false(retry_kind_rate_limited(RETRY_NONE));
}

static void backoff_bounds(void **state)
{
    (void)state;
    /* The ceiling doubles from base up to max; rnd picks within [0, ceiling]. */
    static const int64_t ceiling[] = {100, 200, 400, 800, 1000, 1000, 1000};
    for (int a = 1; a <= 7; a++) {
        assert_int_equal(retry_backoff_ms(a, 100, 1000, 0), 0);
        assert_int_equal(retry_backoff_ms(a, 100, 1000, (uint64_t)ceiling[a - 1]), ceiling[a - 1]);
        assert_int_equal(retry_backoff_ms(a, 100, 1000, (uint64_t)ceiling[a - 1] + 1), 0);
        assert_true(retry_backoff_ms(a, 100, 1000, UINT64_MAX) <= ceiling[a - 1]);
    }
    assert_int_equal(retry_backoff_ms(0, 100, 1000, 100), 100);
    /* Never past max, however many attempts. */
    assert_int_equal(retry_backoff_ms(1000, 1, INT64_MAX / 4, INT64_MAX / 4), INT64_MAX / 4);
    assert_int_equal(retry_backoff_ms(64, 3, 3, 3), 3);
    /* Random draws stay within bounds and spread over the range. */
    uint64_t x = 88172645463325252ULL;
    int64_t lo = INT64_MAX, hi = -1;
    for (int i = 0; i < 1000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift64 */
        int64_t w = retry_backoff_ms(3, 500, 30000, x);
        assert_true(w >= 0 && w <= 2000);
        lo = w < lo ? w : lo;
        hi = w > hi ? w : hi;
    }
    assert_true(lo < 200 && hi > 1800);
}

int test_retry(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(retry_after_values),
        cmocka_unit_test(header_waits),
        cmocka_unit_test(kinds),
        cmocka_unit_test(backoff_bounds),
    };
    return test_group("retry", tests, NULL, NULL);
}
