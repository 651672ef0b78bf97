/* sync/budget.h - the rate budget a connector file may set for calls to
 * its provider, "rate_limit": {"requests_per_second": R, "burst": B}: each
 * integration of the connector takes a token from a bucket of its own (B
 * tokens at most, refilled at R a second) before every request, and waits
 * for one when there is none. The buckets live in memory, per process
 * (http/ratelimit.h): several inlet processes sharing a database each keep
 * their own budget, so together they may send up to that many times R.
 * Used by sync/call.c. */
#ifndef INLET_SYNC_BUDGET_H
#define INLET_SYNC_BUDGET_H
#include <stdbool.h>
#include <stdint.h>

#include "connectors/registry.h"

struct budget {
    double rate;  /* tokens per second, > 0 */
    double burst; /* bucket size, >= 1 */
};

/* Read c's "rate_limit" into *out (burst, when left out, is the rate, and
 * at least 1); false when c sets none. The schema has checked the numbers. */
bool budget_of(struct budget *out, const struct connector *c);

/* Take a token for key (an integration id) under b at now_ms (monotonic
 * milliseconds): 0 when taken, else the milliseconds (>= 1) to wait before
 * taking again. Every distinct budget gets its table on first use; the
 * tables live as long as the process. Thread-safe. */
int64_t budget_take(const struct budget *b, const char *key, int64_t now_ms);

#endif
