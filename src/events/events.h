/* events/events.h - events to the host product, the part the rest of
 * inlet calls: an integration connected, disconnected or in need of its
 * user, a sync that succeeded or failed, records that changed. Each call
 * runs inside the caller's open transaction, so the event commits with
 * the change it reports, or not at all: it stores one pending delivery
 * per enabled webhook subscription of the tenant that listens to the
 * event's type (store/event_delivery.h), and events/deliver.h sends them
 * later, signed per Standard Webhooks. A tenant with no subscription
 * costs one indexed query. The payload is
 * {"type","timestamp","data":{"integration":{...},...}}. Guide:
 * docs/events.md. */
#ifndef INLET_EVENTS_EVENTS_H
#define INLET_EVENTS_EVENTS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json_object.h>

#include "core/buf.h"
#include "core/err.h"
#include "db/db.h"

#define EVENTS_INTEGRATION_CONNECTED    "integration.connected"
#define EVENTS_INTEGRATION_DISCONNECTED "integration.disconnected"
#define EVENTS_INTEGRATION_NEEDS_REAUTH "integration.needs_reauth"
#define EVENTS_SYNC_SUCCEEDED           "sync.succeeded"
#define EVENTS_SYNC_FAILED              "sync.failed"
#define EVENTS_RECORDS_CHANGED          "records.changed"
#define EVENTS_PING                     "ping" /* the test send only; nobody subscribes to it */

#define EVENTS_TEXT_MAX 1000 /* bytes of a caller's text (an error, a reason) kept */

/* The event types a subscription may name, in the order the docs list
 * them; events_types[events_types_count] is NULL. */
extern const char *const events_types[];
extern const size_t events_types_count;

/* Check a subscription's "events" (NULL: absent, meaning ["*"]): ["*"],
 * or an array of 1..events_types_count distinct event types. The
 * canonical array into b (compact JSON). ERR_INVALID "/events...:
 * problem", an unknown type with a "did you mean" when one is close. */
MUST_CHECK int events_types_check(struct buf *b, const struct json_object *events, struct err *err);

/* Check a subscription's URL (n bytes): http or https, a host, no user
 * part, no fragment, at most NOTIFY_URL_MAX bytes. Private and loopback
 * addresses are allowed (self-hosted receivers). ERR_INVALID "/url:
 * problem" that never quotes the URL. */
MUST_CHECK int events_url_check(const char *url, size_t n, struct err *err);

/* Store event type (one of events_types) with data (a JSON object text,
 * never a secret) for tenant_id at now (Unix seconds), in the caller's
 * transaction: one pending delivery per enabled subscription listening
 * to type, all with the same new event id. Errors: the database's (the
 * caller's transaction is then failed: roll it back). */
MUST_CHECK int events_emit(struct db *db, const char *tenant_id, const char *type, const char *data,
                           int64_t now, struct err *err);

/* events_emit of type for integration integration_id, its data
 * {"integration":{"id","connector","name"}} and the members of extra (a
 * JSON object text, or NULL). ERR_NOTFOUND when the integration is not
 * there (or deleted), but only when someone listens to type. */
MUST_CHECK int events_integration(struct db *db, const char *tenant_id, const char *integration_id,
                                  const char *type, const char *extra, int64_t now,
                                  struct err *err);

/* What a stream of a run changed. */
struct events_stream {
    const char *name; /* borrowed */
    int64_t created, updated, deleted;
};

/* A run that ended, as sync/session.c reports it; all borrowed. */
struct events_run {
    const char *run_id, *integration_id;
    const char *status; /* success, partial, failed, cancelled */
    const char *error;  /* NULL when none */
    int64_t processed, created, updated, unchanged, deleted, failed;
    int64_t duration_ms;
    const struct events_stream *streams; /* n of them; those without a change say nothing */
    size_t nstreams;
};

/* The events of run r at now, in the run's last transaction: sync.succeeded
 * (success or partial) or sync.failed (failed; a cancelled run is
 * neither), then records.changed for each stream that created, updated
 * or deleted records (a failed or cancelled run's committed batches
 * too). ERR_NOTFOUND as events_integration. */
MUST_CHECK int events_run_ended(struct db *db, const char *tenant_id, const struct events_run *r,
                                int64_t now, struct err *err);

/* records.changed for stream of integration_id by run run_id, when it
 * created, updated or deleted anything (records pushed to inlet, in the
 * push's transaction). ERR_NOTFOUND as events_integration. */
MUST_CHECK int events_records_changed(struct db *db, const char *tenant_id,
                                      const char *integration_id, const char *run_id,
                                      const struct events_stream *stream, int64_t now,
                                      struct err *err);

/* Append s as a JSON string of one line for an event's data: at most
 * EVENTS_TEXT_MAX bytes cut between characters, control characters as
 * spaces, bad UTF-8 as '?'. */
void events_put_text(struct buf *b, const char *s);

/* The body of event type with data (JSON object text) at now, as it is
 * sent: {"type":...,"timestamp":"RFC 3339","data":...}, into b. */
void events_payload(struct buf *b, const char *type, const char *data, int64_t now);

#endif
