/* tests/unit/http/test_ratelimit.c - token buckets on a simulated clock:
 * burst then refusal, refill, Retry-After values, millisecond waits,
 * independent keys, a flood of keys that neither grows memory nor frees an
 * exhausted bucket, and threads hammering shared and private keys at once. */
#include <limits.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "http/ratelimit.h"
#include "test.h"

/* Bytes the allocator has handed out now: the sanitizer runtime's count
 * when there is one (ASan and TSan replace malloc), glibc's otherwise. */
size_t __sanitizer_get_current_allocated_bytes(void) __attribute__((weak));

static size_t allocated_bytes(void)
{
    if (__sanitizer_get_current_allocated_bytes)
        return __sanitizer_get_current_allocated_bytes();
    return mallinfo2().uordblks;
}

static void burst_then_refusal(void **state)
{
    (void)state;
    struct ratelimit *rl = ratelimit_new(1, 3);
    int retry = -1;
    for (int i = 0; i < 3; i++)
        assert_true(ratelimit_take(rl, "key_1", 1000, &retry));
    assert_int_equal(retry, -1); /* untouched when allowed */
    assert_false(ratelimit_take(rl, "key_1", 1000, &retry));
    assert_int_equal(retry, 1);
    assert_false(ratelimit_take(rl, "key_1", 1000, &retry));
    ratelimit_free(rl);
    ratelimit_free(NULL);
}

static void refill_over_time(void **state)
{
    (void)state;
    struct ratelimit *rl = ratelimit_new(2, 4); /* one token per 500 ms */
    int retry = 0;
    for (int i = 0; i < 4; i++)
        assert_true(ratelimit_take(rl, "k", 0, &retry));
    assert_false(ratelimit_take(rl, "k", 0, &retry));
    assert_false(ratelimit_take(rl, "k", 499, &retry));
    assert_true(ratelimit_take(rl, "k", 500, &retry));
    assert_false(ratelimit_take(rl, "k", 500, &retry));
    /* 1.5 s later: three tokens. */
    for (int i = 0; i < 3; i++)
        assert_true(ratelimit_take(rl, "k", 2000, &retry));
    assert_false(ratelimit_take(rl, "k", 2000, &retry));
    /* A long pause refills to burst, not beyond. */
    for (int i = 0; i < 4; i++)
        assert_true(ratelimit_take(rl, "k", 3600000, &retry));
    assert_false(ratelimit_take(rl, "k", 3600000, &retry));
    /* An older instant (another thread read the clock first) adds nothing. */
    assert_false(ratelimit_take(rl, "k", 3000000, &retry));
    assert_false(ratelimit_take(rl, "k", 3600499, &retry));
    assert_true(ratelimit_take(rl, "k", 3600500, &retry));
    ratelimit_free(rl);
}

static void retry_after_values(void **state)
{
    (void)state;
    static const struct {
        double rate;
        int64_t at; /* ms after the bucket was emptied at 0 */
        int want;   /* Retry-After */
    } cases[] = {
        {1, 0, 1},      {1, 999, 1},      {0.5, 0, 2},         {0.5, 1, 2},
        {0.5, 1000, 1}, {0.5, 1001, 1},   {0.1, 0, 10},        {0.1, 5500, 5},
        {100, 0, 1},    {0.001, 0, 1000}, {1e-12, 0, INT_MAX}, {3, 0, 1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ratelimit *rl = ratelimit_new(cases[i].rate, 1);
        int retry = 0;
        assert_true(ratelimit_take(rl, "k", 0, &retry));
        if (ratelimit_take(rl, "k", cases[i].at, &retry) || retry != cases[i].want)
            fail_msg("rate %g at %lld ms: retry %d, want %d", cases[i].rate, (long long)cases[i].at,
                     retry, cases[i].want);
        ratelimit_free(rl);
    }
}

/* The millisecond wait of ratelimit_take_ms, for callers that wait. */
static void wait_ms_values(void **state)
{
    (void)state;
    struct ratelimit *rl = ratelimit_new(4, 2); /* one token per 250 ms */
    int64_t wait = -1;
    assert_true(ratelimit_take_ms(rl, "k", 0, &wait));
    assert_true(ratelimit_take_ms(rl, "k", 0, &wait));
    assert_int_equal(wait, -1); /* untouched when allowed */
    assert_false(ratelimit_take_ms(rl, "k", 0, &wait));
    assert_int_equal(wait, 250);
    assert_false(ratelimit_take_ms(rl, "k", 100, &wait));
    assert_int_equal(wait, 150);
    assert_false(ratelimit_take_ms(rl, "k", 249, &wait));
    assert_int_equal(wait, 1);
    assert_true(ratelimit_take_ms(rl, "k", 250, &wait));
    ratelimit_free(rl);

    /* Rounded up, at least 1, and no overflow for a tiny rate. */
    rl = ratelimit_new(3, 1);
    assert_true(ratelimit_take_ms(rl, "k", 0, &wait));
    assert_false(ratelimit_take_ms(rl, "k", 0, &wait));
    assert_int_equal(wait, 334);
    ratelimit_free(rl);
    rl = ratelimit_new(1e-12, 1);
    assert_true(ratelimit_take_ms(rl, "k", 0, &wait));
    assert_false(ratelimit_take_ms(rl, "k", 0, &wait));
    assert_true(wait > 1000000000000LL);
    ratelimit_free(rl);
}

static void keys_are_independent(void **state)
{
    (void)state;
    struct ratelimit *rl = ratelimit_new(1, 2);
    int retry;
    assert_true(ratelimit_take(rl, "a", 0, &retry));
    assert_true(ratelimit_take(rl, "a", 0, &retry));
    assert_false(ratelimit_take(rl, "a", 0, &retry));
    assert_true(ratelimit_take(rl, "b", 0, &retry));
    assert_true(ratelimit_take(rl, "", 0, &retry));
    assert_true(ratelimit_take(rl, "ab", 0, &retry));
    assert_true(ratelimit_take(rl, "b", 0, &retry));
    assert_false(ratelimit_take(rl, "b", 0, &retry));
    assert_false(ratelimit_take(rl, "a", 0, &retry));
    /* Another table has buckets of its own. */
    struct ratelimit *other = ratelimit_new(1, 2);
    assert_true(ratelimit_take(other, "a", 0, &retry));
    ratelimit_free(other);
    ratelimit_free(rl);
}

static void many_keys_fixed_memory(void **state)
{
    (void)state;
    struct ratelimit *rl = ratelimit_new(1, 10);
    int retry;
    for (int i = 0; i < 10; i++)
        assert_true(ratelimit_take(rl, "hot", 0, &retry));
    assert_false(ratelimit_take(rl, "hot", 0, &retry));

    char key[300];
    memset(key, 'x', sizeof(key) - 1);
    key[sizeof(key) - 1] = '\0';
    size_t before = allocated_bytes();
    for (int i = 0; i < 200000; i++) {
        snprintf(key, 24, "client-%d", i);
        key[strlen(key)] = 'x'; /* a long key each time */
        assert_true(ratelimit_take(rl, key, 0, &retry));
    }
    size_t after = allocated_bytes();
    if (after > before + 4096)
        fail_msg("memory grew from %zu to %zu bytes", before, after);
    /* The flood evicted full and fresh buckets, never the exhausted one. */
    assert_false(ratelimit_take(rl, "hot", 0, &retry));
    ratelimit_free(rl);
}

#define THREADS 8
#define TAKES   5000

struct hammer {
    struct ratelimit *rl;
    int id;
    int shared_ok, own_ok;
};

static void *hammer(void *arg)
{
    struct hammer *h = arg;
    char own[32];
    int retry;
    snprintf(own, sizeof(own), "own-%d", h->id);
    for (int i = 0; i < TAKES; i++) {
        h->shared_ok += ratelimit_take(h->rl, "shared", 0, &retry);
        h->own_ok += ratelimit_take(h->rl, own, 0, &retry);
    }
    return NULL;
}

static void threads_hammering(void **state)
{
    (void)state;
    struct ratelimit *rl = ratelimit_new(1, 100);
    pthread_t t[THREADS];
    struct hammer h[THREADS];
    for (int i = 0; i < THREADS; i++) {
        h[i] = (struct hammer){.rl = rl, .id = i};
        assert_int_equal(pthread_create(&t[i], NULL, hammer, &h[i]), 0);
    }
    int shared = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        shared += h[i].shared_ok;
        assert_int_equal(h[i].own_ok, 100);
    }
    /* The clock stood still: exactly one burst between all of them. */
    assert_int_equal(shared, 100);
    ratelimit_free(rl);
}

int test_ratelimit(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(burst_then_refusal),     cmocka_unit_test(refill_over_time),
        cmocka_unit_test(retry_after_values),     cmocka_unit_test(keys_are_independent),
        cmocka_unit_test(many_keys_fixed_memory), cmocka_unit_test(threads_hammering),
        cmocka_unit_test(wait_ms_values),
    };
    return test_group("ratelimit", tests, NULL, NULL);
}
