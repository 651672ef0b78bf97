/* events/deliver.h - sending the events events_emit stored, each to its
 * subscription's URL, signed per Standard Webhooks with the
 * subscription's secret, the event id as webhook-id (the same on every
 * retry and redelivery), a timeout on every attempt, and retries with
 * exponential backoff and jitter. The claim, the lease, the wait and the
 * POST are the notification deliveries' own (notify/outbox.h,
 * notify/post.h), with the same defaults; what differs is what an answer
 * means: any 2xx succeeds; 410 Gone disables the subscription and fails
 * its pending deliveries; every other answer, and none, is tried again
 * until the attempts run out. Each attempt's outcome is recorded on its
 * row (the delivery log) and logged by ids, never by URL. Driven by the
 * scheduling loop of every serve and worker process (sched/loop.c);
 * POST /api/webhook-subscriptions/{id}/test sends a ping at once. */
#ifndef INLET_EVENTS_DELIVER_H
#define INLET_EVENTS_DELIVER_H
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "crypto/vault.h"
#include "db/db.h"
#include "notify/outbox.h"

#define EVENTS_DELIVERY_KEPT_S (30 * INT64_C(86400)) /* ended deliveries in the log */

/* What deliveries run with; 0s take the outbox defaults. */
struct events_env {
    struct db *db;             /* one connection with no transaction open */
    const struct vault *vault; /* opens the subscriptions' secrets */
    long timeout_ms;           /* per attempt; 0: OUTBOX_TIMEOUT_MS_DEFAULT (10 s) */
    int max_attempts;          /* 0: OUTBOX_ATTEMPTS_DEFAULT (8) */
    int64_t backoff_s;         /* 0: OUTBOX_BACKOFF_S_DEFAULT (60 s, doubled, 6 h at most) */
};

/* What one call did. */
struct events_deliver_stats {
    int sent;    /* taken by their receivers (2xx) */
    int retried; /* failed for now, due again later */
    int failed;  /* failed for good: out of attempts, 410, or subscription disabled */
};

/* Claim up to max (1..OUTBOX_BATCH_MAX) deliveries due at now (Unix
 * seconds) across every tenant, send each, and record each outcome:
 * succeeded; after a failure with attempts left, due again at now plus
 * outbox_backoff_s (at least what a Retry-After asked); else failed. A
 * 410 also disables the subscription (audited as the system) and fails
 * its other pending deliveries. *stats (OUT, may be NULL) counts them.
 * Returns 0 when every claimed delivery was recorded; a db error
 * otherwise (deliveries not recorded run out their claim and go again). */
MUST_CHECK int events_deliver_due(struct events_deliver_stats *stats, const struct events_env *e,
                                  int64_t now, int max, struct err *err);

/* What a test send came to. */
struct events_test_result {
    bool ok;
    long status; /* the HTTP status; 0: no answer */
    int64_t elapsed_ms;
    char error[ERR_MSG_MAX]; /* "" when ok; never a URL or a secret */
};

/* Send a "ping" event to subscription_id of tenant_id now, with no
 * transaction open during the send (the subscription is read in a
 * read-only one first), whether it is enabled or not; nothing is stored.
 * A failed send is a result (out->ok false), not an error. Errors:
 * ERR_NOTFOUND for no such subscription; db and vault errors. */
MUST_CHECK int events_deliver_test(struct events_test_result *out, const struct events_env *e,
                                   const char *tenant_id, const char *subscription_id, int64_t now,
                                   struct err *err);

#endif
