/* sync/tap_sync.h - a Singer tap as an integration's connector: discovery
 * runs `tap --config --discover` and stores the catalog (keeping the
 * user's selection); a sync runs `tap --config --catalog --state`, streams
 * its stdout through the loader into the integration's tables, keeps its
 * stderr (secrets scrubbed) in the run's log, and ends the run with the
 * status the tap's exit earned. The tap's config is made from the
 * integration (connectors/singer_spec.h) and, with the catalog and state,
 * written to private files (singer/tap.h): never on a command line or in
 * the environment. docs/singer.md, "Singer taps as connectors". */
#ifndef INLET_SYNC_TAP_SYNC_H
#define INLET_SYNC_TAP_SYNC_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "oauth/flow.h"
#include "store/sync_run.h"
#include "sync/sync.h"

/* The state of a Singer tap is one document, not one per stream: it is
 * kept in stream_state under this name. */
#define TAP_STATE_STREAM "_singer_state"

/* Sync the integration. *run (OUT, sync_run_dispose) is the finished run:
 * success, partial (records failed validation), failed (the tap failed,
 * timed out or wrote what is not a Singer stream; what committed before
 * stays, with its state) or cancelled. Returns 0 whenever a run was
 * recorded, whatever its status; an error when none could be: ERR_NOTFOUND
 * (no such integration), ERR_INVALID (not a Singer connector, nothing
 * selected, needs_reauth: ...), ERR_CONFLICT (a run is going on), and the
 * database's. */
MUST_CHECK int tap_sync(struct sync_run *run, const struct sync_opts *o, struct err *err);

/* Discover the integration's streams and store the catalog, merged with
 * the one stored (selections kept). Then, when select_all, select every
 * stream; when names (n of them), select exactly those. *out (OUT, may be
 * NULL; sync_discovery_dispose) says what was found. Errors: as tap_sync,
 * and ERR_INVALID when the tap fails (its exit and last stderr lines in the
 * message, secrets scrubbed) or prints what is not a catalog (the pointer
 * of the problem). */
MUST_CHECK int tap_discover(struct sync_discovery *out, const struct oauth_env *env,
                            const char *tenant_id, const char *integration_id,
                            const char *const *names, size_t n, bool select_all, struct err *err);

#endif
