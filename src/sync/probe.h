/* sync/probe.h - testing a connection: the request the connector file
 * declares under "test" (a 2xx answer, with the expect members when
 * given, means the connection works), sent with the integration's
 * credentials (sync/call.h), timed, and recorded as the integration's last
 * test for health. A failure is a result, not an error: ok false with the
 * provider's message, sanitized. */
#ifndef INLET_SYNC_PROBE_H
#define INLET_SYNC_PROBE_H
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "oauth/flow.h"

struct probe_result {
    bool ok;
    int64_t latency_ms;
    long status;             /* the provider's; 0 when none came */
    char error[ERR_MSG_MAX]; /* "" when ok */
};

/* Test integration id of tenant_id. ERR_NOTFOUND for no such integration;
 * ERR_INVALID when its connector declares no test request; errors of the
 * database. */
MUST_CHECK int probe_integration(struct probe_result *out, const struct oauth_env *env,
                                 const char *tenant_id, const char *id, struct err *err);

#endif
