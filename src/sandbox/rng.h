/* sandbox/rng.h - a small seeded PRNG for the sandbox's generated data:
 * SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number
 * generators", 2014; the generator Java's SplittableRandom uses). Integer
 * arithmetic only, so a seed gives the same stream on every machine. It is
 * NOT for secrets (crypto/random.h is). Used by sandbox/sfdata.c. */
#ifndef INLET_SANDBOX_RNG_H
#define INLET_SANDBOX_RNG_H
#include <stdint.h>

struct rng {
    uint64_t s; /* state: the Weyl sequence counter */
};

/* Start a stream at seed (any value, 0 included). */
void rng_init(struct rng *r, uint64_t seed);

/* The next 64 random bits. */
uint64_t rng_next(struct rng *r);

/* A uniform integer in [0, n), without modulo bias; n must be > 0. */
uint64_t rng_below(struct rng *r, uint64_t n);

/* Hash a and b into one well-mixed 64-bit value (SplitMix64's finaliser over
 * their combination), to derive independent sub-seeds such as "object 3,
 * record 17 of seed S". */
uint64_t rng_mix(uint64_t a, uint64_t b);

#endif
