/* http/ratelimit.h - token buckets keyed by a string (an API key id, a
 * client address), in memory, per process. A bucket holds at most burst
 * tokens and refills at rate per second; a request takes one. The table has
 * a fixed number of slots, so memory does not grow with the number of
 * clients: keys are stored as 64-bit keyed hashes, in sets of four slots,
 * and a key that finds its set full evicts the bucket closest to full (only
 * ever in the client's favour: a fresh bucket is full). Two keys whose
 * 64-bit hashes collide share a bucket. Thread-safe. With several processes
 * each enforces its own budget (docs/operations.md). */
#ifndef INLET_HTTP_RATELIMIT_H
#define INLET_HTTP_RATELIMIT_H
#include <stdbool.h>
#include <stdint.h>

#define RATELIMIT_SLOTS 4096

struct ratelimit;

/* rate: tokens per second (> 0, finite); burst: bucket size (>= 1, finite);
 * both asserted. The result is the caller's (ratelimit_free). Never NULL. */
struct ratelimit *ratelimit_new(double rate, double burst);
void ratelimit_free(struct ratelimit *rl); /* NULL is a no-op */

/* Take a token from key's bucket at time now_ms (monotonic milliseconds).
 * true when allowed; otherwise false and *retry_after_s (OUT) gets the
 * whole seconds (>= 1) until a token is available, for Retry-After: the
 * time to one token, rounded up. A now_ms older than one already seen for
 * the bucket (threads race to the lock) counts as that newer time. */
bool ratelimit_take(struct ratelimit *rl, const char *key, int64_t now_ms, int *retry_after_s);

/* The same for a caller that waits rather than refuses: when not allowed,
 * *wait_ms (OUT) gets the milliseconds (>= 1) until a token is available,
 * rounded up. Nothing is reserved: after the wait the caller takes again,
 * and may find the token gone to another thread (it then waits again). */
bool ratelimit_take_ms(struct ratelimit *rl, const char *key, int64_t now_ms, int64_t *wait_ms);

#endif
