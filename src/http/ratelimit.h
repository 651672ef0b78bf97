/* http/ratelimit.h - token buckets keyed by a string (an API key id, a
 * client address), in memory, per process. A bucket holds at most burst
 * tokens and refills at rate per second; a request takes one. The table has
 * a fixed number of slots, so memory does not grow with the number of
 * clients: a key that hashes onto a slot held by another key evicts it
 * (only ever in the client's favour: a fresh bucket is full). Thread-safe.
 * With several processes each enforces its own budget (docs/operations.md). */
#ifndef INLET_HTTP_RATELIMIT_H
#define INLET_HTTP_RATELIMIT_H
#include <stdbool.h>
#include <stdint.h>

#define RATELIMIT_SLOTS 4096

struct ratelimit;

/* rate: tokens per second (> 0); burst: bucket size (>= 1). *out is the
 * caller's (ratelimit_free). */
struct ratelimit *ratelimit_new(double rate, double burst);
void ratelimit_free(struct ratelimit *rl);

/* Take a token from key's bucket at time now_ms (monotonic milliseconds).
 * true when allowed; otherwise false and *retry_after_s (OUT) gets the
 * whole seconds (>= 1) until a token is available, for Retry-After. */
bool ratelimit_take(struct ratelimit *rl, const char *key, int64_t now_ms, int *retry_after_s);

#endif
