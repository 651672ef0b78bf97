/* sync/native_sync.h - a declarative connector's sync and discovery: the
 * engine (connectors/engine.h) reads the provider, stream by stream, with
 * the integration's credentials, and the loader stores what it reads with
 * each stream's bookmark (stream_state, one row per stream) in the same
 * transactions. Reached through sync/sync.h. */
#ifndef INLET_SYNC_NATIVE_SYNC_H
#define INLET_SYNC_NATIVE_SYNC_H
#include "sync/sync.h"

/* The watchdog's default: a run that reads no page for this long (every
 * retry and wait included) is stopped and failed; a connector's
 * "stall_seconds", or the caller's stall_ms, say otherwise. */
#define NATIVE_STALL_DEFAULT_S 1800

/* As sync_integration, for a declarative connector. A stream the provider
 * stops with its quota ("errors" rules with action "limit", or 429s that
 * outlast the retries) ends the run partial with its bookmark kept; the
 * streams after it wait for the next run. */
MUST_CHECK int native_sync(struct sync_run *run, const struct sync_opts *o, struct err *err);

/* As sync_discover, for a declarative connector. */
MUST_CHECK int native_discover(struct sync_discovery *out, const struct oauth_env *env,
                               const char *tenant_id, const char *integration_id,
                               const char *const *names, size_t n, bool select_all,
                               struct err *err);

#endif
