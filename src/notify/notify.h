/* notify/notify.h - failure notifications, the part the rest of inlet
 * calls: the events, and notify_record, which sync/ and oauth/ call with
 * each outcome inside their own tenant transaction. It keeps the last
 * outcome per integration and topic (table notification_state) and emits
 * only when that state changes - one notification per change of state,
 * not one per retry: an in-app notification (GET /api/notifications) and
 * one pending delivery per enabled channel whose events match, which
 * notify/deliver.h sends later with no transaction open. Guide:
 * docs/notifications.md. */
#ifndef INLET_NOTIFY_NOTIFY_H
#define INLET_NOTIFY_NOTIFY_H
#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "db/db.h"

#define NOTIFY_DETAIL_MAX 500 /* bytes of a caller's detail kept (cut at a UTF-8 boundary) */
#define NOTIFY_UI_PATH    "/ui/integrations/" /* the deep link: public URL, this, the id */

enum notify_event {
    NOTIFY_NONE = 0,
    NOTIFY_SYNC_FAILED,             /* "sync.failed" */
    NOTIFY_SYNC_PARTIAL,            /* "sync.partial" */
    NOTIFY_SYNC_RECOVERED,          /* "sync.recovered" */
    NOTIFY_NEEDS_REAUTH,            /* "integration.needs_reauth" */
    NOTIFY_TOKEN_REFRESH_FAILED,    /* "token.refresh_failed" */
    NOTIFY_TOKEN_REFRESH_RECOVERED, /* "token.refresh_recovered" */
};
#define NOTIFY_EVENT_LAST NOTIFY_TOKEN_REFRESH_RECOVERED

/* What a caller reports. Each is recorded; an event goes out only when
 * it changes the topic's state (no row yet counts as "ok"):
 *   SYNC_SUCCESS   sync  -> ok;      from partial or failed: sync.recovered
 *   SYNC_PARTIAL   sync  -> partial; from anything else:    sync.partial
 *   SYNC_FAILURE   sync  -> failed;  from anything else:    sync.failed
 *   TOKEN_OK       token -> ok;      from failed or reauth: token.refresh_recovered
 *   TOKEN_FAILURE  token -> failed;  from ok:               token.refresh_failed
 *                  (in reauth it stays reauth: the integration waits for its user)
 *   NEEDS_REAUTH   token -> reauth;  from anything else:    integration.needs_reauth */
enum notify_outcome {
    NOTIFY_OUTCOME_SYNC_SUCCESS,
    NOTIFY_OUTCOME_SYNC_PARTIAL,
    NOTIFY_OUTCOME_SYNC_FAILURE,
    NOTIFY_OUTCOME_TOKEN_OK,
    NOTIFY_OUTCOME_TOKEN_FAILURE,
    NOTIFY_OUTCOME_NEEDS_REAUTH,
};

/* "sync.failed", ...; "" for NOTIFY_NONE. */
const char *notify_event_name(enum notify_event ev);
/* The event named s (n bytes), or NOTIFY_NONE when there is none. */
enum notify_event notify_event_parse(const char *s, size_t n);

/* Record outcome for integration_id of tenant_id at now (Unix seconds),
 * inside the caller's open transaction (db_begin_tenant or db_begin), so
 * that it commits or rolls back with the change it reports. When the
 * state changes, store the event's notification: its title, its body (the
 * integration's name, detail - one line, never a secret, cut to
 * NOTIFY_DETAIL_MAX - and what to do), in-app and for each enabled channel
 * of the tenant listening to it. *emitted (OUT, may be NULL) gets the
 * event emitted, or NOTIFY_NONE. detail may be NULL. Errors: ERR_NOTFOUND
 * when the integration does not exist; db errors as they come (the
 * caller's transaction is then failed: roll it back). */
MUST_CHECK int notify_record(enum notify_event *emitted, struct db *db, const char *tenant_id,
                             const char *integration_id, enum notify_outcome outcome,
                             const char *detail, int64_t now, struct err *err);

/* Append the deep link to integration_id: public_url NOTIFY_UI_PATH id. */
void notify_link(struct buf *b, const char *public_url, const char *integration_id);

#endif
