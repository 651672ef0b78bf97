/* sync/sync.h - an integration's sync and discovery, whatever its
 * connector: a Singer tap (sync/tap_sync.h) or the declarative engine
 * (sync/native_sync.h). The API, the runner and the command line call
 * these; each picks the kind from the integration's connector. */
#ifndef INLET_SYNC_SYNC_H
#define INLET_SYNC_SYNC_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "connectors/registry.h"
#include "core/buf.h"
#include "core/err.h"
#include "oauth/flow.h"
#include "store/sync_run.h"

struct sync_opts {
    const struct oauth_env *env; /* database, vault, registry */
    const char *tenant_id, *integration_id;
    const char *triggered_by; /* manual, schedule, webhook, retry; NULL: manual */
    size_t batch_size;        /* 0: the loader's default */
    int64_t timeout_ms;       /* 0: the connector's timeout_seconds */
    int64_t stall_ms;         /* the watchdog: a tap silent on stdout this long is stopped and the
                                 run failed; 0: the connector's stall_seconds */
    bool (*cancelled)(void *ctx); /* polled while the tap runs; NULL: none */
    void *ctx;
    /* A run the caller has started (sync_run_start; the API does, to answer
     * with its id at once): tap_sync runs under it, and finishes it as
     * failed with the error when it cannot run. NULL: tap_sync starts one. */
    const char *run_id;
    bool full;                  /* ignore the stored state: everything again */
    const char *const *streams; /* only these selected streams; NULL: all selected */
    size_t nstreams;
    /* Called with the counters after each committed batch (ctx as
     * cancelled's) and the stream being read (NULL for a Singer tap, whose
     * streams interleave); NULL: none. */
    void (*progress)(void *ctx, const char *stream, const struct loader_counts *n);
};

/* What a discovery found. */
struct sync_discovery {
    size_t streams, selected; /* in the stored catalog */
    struct buf changes;       /* catalog_changes against the catalog before; buf_dispose */
};

void sync_discovery_dispose(struct sync_discovery *d);

/* Sync the integration. *run (OUT, sync_run_dispose) is the finished run:
 * success, partial (records failed validation, or the provider's limit
 * stopped it with its bookmark kept), failed (what committed before stays,
 * with its state) or cancelled. Returns 0 whenever a run was recorded,
 * whatever its status; an error when none could be: ERR_NOTFOUND (no such
 * integration), ERR_INVALID (a connector that cannot sync, nothing
 * selected, needs_reauth: ...), ERR_CONFLICT (a run is going on), and the
 * database's. */
MUST_CHECK int sync_integration(struct sync_run *run, const struct sync_opts *o, struct err *err);

/* What the API checks before it starts a run: the integration exists
 * (ERR_NOTFOUND), its connector can sync, it is not paused or
 * disconnected, it has a catalog that selects a stream, and streams[0..n)
 * are selected streams of it (ERR_INVALID with what to do). Runs in a
 * read transaction of its own on db. */
MUST_CHECK int sync_check(struct db *db, const struct registry *reg, const char *tenant_id,
                          const char *integration_id, const char *const *streams, size_t n,
                          struct err *err);

/* Discover the integration's streams and store the catalog, merged with
 * the one stored (selections kept); then select every stream (select_all)
 * or exactly names[0..n). *out (OUT, may be NULL; sync_discovery_dispose)
 * says what was found. Errors: as sync_integration, and ERR_INVALID when
 * the tap or the provider fails (the reason in the message). */
MUST_CHECK int sync_discover(struct sync_discovery *out, const struct oauth_env *env,
                             const char *tenant_id, const char *integration_id,
                             const char *const *names, size_t n, bool select_all, struct err *err);

#endif
