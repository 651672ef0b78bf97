/* store/event_delivery.h - the events to the host on their way (table
 * event_deliveries): one row per event and subscription, pending until
 * its sender records it succeeded or failed, and kept after that as the
 * subscription's delivery log. A redelivery is a new row with the same
 * event id (the webhook-id) and payload; the old row keeps its history.
 * Runs inside the caller's transaction. Used by events/ and
 * api/webhook_subscriptions.c. docs/events.md. */
#ifndef INLET_STORE_EVENT_DELIVERY_H
#define INLET_STORE_EVENT_DELIVERY_H
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "core/id.h"
#include "db/db.h"

#define EVENT_DELIVERY_LIST_MAX 200 /* rows of one page at most */
#define EVENT_DELIVERY_TYPE_MAX 40  /* bytes of an event type and its NUL */

/* One delivery as stored; strings owned (event_delivery_dispose). */
struct event_delivery {
    char id[ID_MAX];              /* "evd_..." */
    char subscription_id[ID_MAX]; /* "whs_..." */
    char event_id[ID_MAX];        /* "evt_...": the webhook-id */
    char type[EVENT_DELIVERY_TYPE_MAX];
    char status[16]; /* pending, succeeded, failed */
    int attempts;
    long last_status;    /* HTTP status of the last attempt; 0: none or no answer */
    char *last_error;    /* NULL when none; never a URL or a secret */
    int64_t duration_ms; /* of the last attempt; -1: none yet */
    int64_t created_at, delivered_at, next_attempt_at; /* unix seconds; 0: none */
    char *payload;                                     /* the body sent: JSON object text */
};

void event_delivery_dispose(struct event_delivery *d);

/* A pending delivery of event event_id (type, payload: the body to send)
 * to subscription_id, due at now; its id into id (OUT, may be NULL). */
MUST_CHECK int event_delivery_add(char id[ID_MAX], struct db *db, const char *tenant_id,
                                  const char *subscription_id, const char *event_id,
                                  const char *type, const char *payload, int64_t now,
                                  struct err *err);

/* Read delivery id of subscription_id into *out (OUT,
 * event_delivery_dispose). ERR_NOTFOUND ("no delivery <id>"). */
MUST_CHECK int event_delivery_get(struct event_delivery *out, struct db *db, const char *tenant_id,
                                  const char *subscription_id, const char *id, struct err *err);

typedef int (*event_delivery_fn)(void *ctx, const struct event_delivery *d);

/* Call fn for up to limit (1..EVENT_DELIVERY_LIST_MAX) deliveries of
 * subscription_id, newest first by id, before id `before` when not NULL,
 * of status when not NULL; *more (OUT) says whether more follow. The page
 * is read whole first; the callbacks must not use db; a nonzero return
 * stops and is returned. */
MUST_CHECK int event_delivery_list(bool *more, struct db *db, const char *tenant_id,
                                   const char *subscription_id, const char *status,
                                   const char *before, int limit, event_delivery_fn fn, void *ctx,
                                   struct err *err);

/* A new pending delivery, due at now, of the event that delivery id of
 * subscription_id carried (same event id, type and payload), read back
 * into *out (OUT, event_delivery_dispose). ERR_NOTFOUND. */
MUST_CHECK int event_delivery_redeliver(struct event_delivery *out, struct db *db,
                                        const char *tenant_id, const char *subscription_id,
                                        const char *id, int64_t now, struct err *err);

/* What one attempt came to, for its row. */
enum event_delivery_outcome {
    EVENT_DELIVERY_SUCCEEDED,
    EVENT_DELIVERY_RETRY, /* pending again, due at next */
    EVENT_DELIVERY_FAILED,
};

struct event_delivery_attempt {
    enum event_delivery_outcome outcome;
    long status;         /* the HTTP status; 0: no answer */
    const char *error;   /* NULL or "" for none */
    int64_t duration_ms; /* of the attempt */
    int64_t next;        /* RETRY: when it is due again */
    int64_t now;         /* unix seconds */
};

/* Record attempt a on pending delivery id (one that ended meanwhile is
 * left alone). */
MUST_CHECK int event_delivery_record(struct db *db, const char *id,
                                     const struct event_delivery_attempt *a, struct err *err);

/* Fail the pending deliveries of subscription_id with why; *n (OUT, may
 * be NULL) counts them. */
MUST_CHECK int event_delivery_fail_pending(int64_t *n, struct db *db, const char *tenant_id,
                                           const char *subscription_id, const char *why,
                                           struct err *err);

/* Delete up to limit ended deliveries created before `before` (unix
 * seconds), across tenants (system code); *n (OUT) counts them. */
MUST_CHECK int event_delivery_purge(int64_t *n, struct db *db, int64_t before, int limit,
                                    struct err *err);

#endif
