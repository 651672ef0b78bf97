/* sync/trigger.h - a provider's webhook event made into a sync: the
 * affected streams of an integration are synced incrementally a little
 * later (debounced), so that a burst of events costs one run. A sync of
 * the integration that is queued and not started reads the change anyway
 * (it goes on from the bookmarks): the event joins it. Otherwise a job is
 * queued at run_at; while another sync of the integration runs, the job
 * waits for it (its attempts are retried, and running out of them never
 * marks the integration failed). docs/webhooks.md, "Provider webhooks". */
#ifndef INLET_SYNC_TRIGGER_H
#define INLET_SYNC_TRIGGER_H
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "db/db.h"

#define TRIGGER_ATTEMPTS 10 /* of a webhook's sync: it may wait behind a long one */

enum trigger_outcome {
    TRIGGER_QUEUED, /* a new job, at run_at */
    TRIGGER_JOINED, /* a queued sync of the integration takes the streams too */
};

/* Queue (or join) an incremental sync of streams[0..n) of integration_id
 * (n 0: every selected stream) at run_at, inside the caller's tenant
 * transaction. A queued sync that syncs other streams is widened to every
 * selected stream: two deliveries at once each widen it the same way, so
 * neither's streams can be lost. ERR_CONFLICT only when two webhook jobs
 * are queued or running already (one running, one waiting: the waiting one
 * covers this event, and *out says TRIGGER_JOINED). */
MUST_CHECK int trigger_sync(enum trigger_outcome *out, struct db *db, const char *tenant_id,
                            const char *integration_id, const char *const *streams, size_t n,
                            int64_t run_at, int64_t now, struct err *err);

#endif
