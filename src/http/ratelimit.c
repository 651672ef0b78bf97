/* http/ratelimit.c - token buckets in a fixed table. A key is reduced to a
 * 64-bit keyed hash (the key itself is never stored, so its length costs
 * nothing); the hash picks a set of four buckets. When all four are taken
 * by other keys, the one closest to full is evicted, which loses nothing
 * when it was full and otherwise errs in the client's favour. One mutex per
 * stripe of sets lets threads on different keys proceed together. Used by
 * api/ in front of authenticated and unauthenticated routes, and by
 * sync/budget.c for the rate budgets of calls to providers. */
#include "http/ratelimit.h"

#include <assert.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>

#include "core/alloc.h"
#include "crypto/random.h"

#define WAYS    4
#define SETS    (RATELIMIT_SLOTS / WAYS)
#define STRIPES 64

_Static_assert(RATELIMIT_SLOTS % WAYS == 0 && SETS % STRIPES == 0, "table shape");

struct bucket {
    uint64_t hash;   /* 0: free */
    double tokens;   /* at last_ms */
    int64_t last_ms; /* the latest now_ms seen for this bucket */
};

struct ratelimit {
    double rate;  /* tokens per second */
    double burst; /* bucket size */
    uint64_t seed;
    pthread_mutex_t stripes[STRIPES];       /* stripe i guards the sets s with s % STRIPES == i */
    struct bucket buckets[RATELIMIT_SLOTS]; /* set s is buckets[s * WAYS .. s * WAYS + WAYS) */
};

struct ratelimit *ratelimit_new(double rate, double burst)
{
    assert(isfinite(rate) && rate > 0);
    assert(isfinite(burst) && burst >= 1);
    struct ratelimit *rl = xcalloc(1, sizeof(*rl));
    rl->rate = rate;
    rl->burst = burst;
    /* A secret seed keeps clients from choosing keys that collide. */
    random_bytes(&rl->seed, sizeof(rl->seed));
    for (int i = 0; i < STRIPES; i++)
        if (pthread_mutex_init(&rl->stripes[i], NULL) != 0)
            abort(); /* only for lack of memory, which aborts everywhere else too */
    return rl;
}

void ratelimit_free(struct ratelimit *rl)
{
    if (!rl)
        return;
    for (int i = 0; i < STRIPES; i++)
        pthread_mutex_destroy(&rl->stripes[i]);
    xfree(rl);
}

/* FNV-1a from a seeded basis, then the splitmix64 finaliser so that every
 * bit of the key reaches the low bits that choose the set. Never 0. */
static uint64_t key_hash(uint64_t seed, const char *key)
{
    uint64_t h = 0xcbf29ce484222325ULL ^ seed;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 0x100000001b3ULL;
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    h ^= h >> 31;
    return h ? h : 1;
}

/* Tokens bucket b holds at now_ms. A now_ms older than the bucket's (threads
 * read the clock before taking the lock) refills nothing. */
static double tokens_at(const struct ratelimit *rl, const struct bucket *b, int64_t now_ms)
{
    if (now_ms <= b->last_ms)
        return b->tokens;
    double t = b->tokens + (double)(now_ms - b->last_ms) * rl->rate / 1000.0;
    return t < rl->burst ? t : rl->burst;
}

/* Take a token from key's bucket; when there is none, *wait_s (OUT) gets
 * the seconds until there is one. */
static bool take(struct ratelimit *rl, const char *key, int64_t now_ms, double *wait_s)
{
    uint64_t h = key_hash(rl->seed, key);
    size_t set = (size_t)(h % SETS);
    struct bucket *ways = &rl->buckets[set * WAYS], *b = NULL;
    pthread_mutex_t *mu = &rl->stripes[set % STRIPES];
    bool ok;

    pthread_mutex_lock(mu);
    for (int i = 0; i < WAYS && !b; i++)
        if (ways[i].hash == h)
            b = &ways[i];
    if (!b) {
        /* A free bucket, else the fullest: evicting it costs the least. */
        double most = -1;
        for (int i = 0; i < WAYS; i++) {
            double t = ways[i].hash ? tokens_at(rl, &ways[i], now_ms) : INFINITY;
            if (t > most) {
                most = t;
                b = &ways[i];
            }
        }
        b->hash = h;
        b->tokens = rl->burst;
        b->last_ms = now_ms;
    }
    b->tokens = tokens_at(rl, b, now_ms);
    if (now_ms > b->last_ms)
        b->last_ms = now_ms;
    ok = b->tokens >= 1;
    if (ok)
        b->tokens -= 1;
    else
        *wait_s = (1 - b->tokens) / rl->rate;
    pthread_mutex_unlock(mu);
    return ok;
}

/* units rounded up to a whole number, at least 1 and at most limit. By
 * hand: ceil() would need libm for one call. */
static int64_t round_up(double units, int64_t limit)
{
    int64_t n = units >= (double)limit ? limit : (int64_t)units;
    if (n < limit && (double)n < units)
        n++;
    return n < 1 ? 1 : n;
}

bool ratelimit_take(struct ratelimit *rl, const char *key, int64_t now_ms, int *retry_after_s)
{
    double wait;
    if (take(rl, key, now_ms, &wait))
        return true;
    *retry_after_s = (int)round_up(wait, INT_MAX);
    return false;
}

bool ratelimit_take_ms(struct ratelimit *rl, const char *key, int64_t now_ms, int64_t *wait_ms)
{
    double wait;
    if (take(rl, key, now_ms, &wait))
        return true;
    /* Less a nanosecond, so that binary fractions (1 - 0.996 is a hair
     * over 0.004) do not round a whole millisecond up. */
    *wait_ms = round_up(wait * 1000 - 1e-6, INT64_MAX / 2);
    return false;
}
