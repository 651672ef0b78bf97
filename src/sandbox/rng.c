/* sandbox/rng.c - SplitMix64: a Weyl sequence (add the golden-ratio constant)
 * passed through a 64-bit finaliser. It passes BigCrush, has a 2^64 period
 * and needs one word of state, which is all generated test data asks for. */
#include "sandbox/rng.h"

#include <assert.h>

#define RNG_GOLDEN 0x9e3779b97f4a7c15ULL

static uint64_t rng_finalise(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void rng_init(struct rng *r, uint64_t seed)
{
    r->s = seed;
}

uint64_t rng_next(struct rng *r)
{
    r->s += RNG_GOLDEN;
    return rng_finalise(r->s);
}

uint64_t rng_below(struct rng *r, uint64_t n)
{
    assert(n > 0);
    /* Reject the low values that would make some residues one more likely:
     * 2^64 mod n of them, computed as (-n) mod n in unsigned arithmetic. */
    uint64_t threshold = (0 - n) % n;
    for (;;) {
        uint64_t x = rng_next(r);
        if (x >= threshold)
            return x % n;
    }
}

uint64_t rng_mix(uint64_t a, uint64_t b)
{
    return rng_finalise(rng_finalise(a + RNG_GOLDEN) ^ (b * RNG_GOLDEN + 0x632be59bd9b4e019ULL));
}
