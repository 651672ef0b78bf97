/* notify/notify.c - see notify.h: the state machine per integration and
 * topic, and the words of each event. The state row is read with a row
 * lock on PostgreSQL (SQLite's write transaction already holds the
 * database), so two processes finishing runs of one integration at once
 * cannot both see the change and both announce it. */
#include "notify/notify.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/id.h"
#include "core/jsonx.h"
#include "core/str.h"
#include "store/notify_channel.h"

static const char *const event_names[] = {
    [NOTIFY_NONE] = "",
    [NOTIFY_SYNC_FAILED] = "sync.failed",
    [NOTIFY_SYNC_PARTIAL] = "sync.partial",
    [NOTIFY_SYNC_RECOVERED] = "sync.recovered",
    [NOTIFY_NEEDS_REAUTH] = "integration.needs_reauth",
    [NOTIFY_TOKEN_REFRESH_FAILED] = "token.refresh_failed",
    [NOTIFY_TOKEN_REFRESH_RECOVERED] = "token.refresh_recovered",
};

const char *notify_event_name(enum notify_event ev)
{
    assert(ev >= NOTIFY_NONE && ev <= NOTIFY_EVENT_LAST);
    return event_names[ev];
}

enum notify_event notify_event_parse(const char *s, size_t n)
{
    for (int i = NOTIFY_NONE + 1; i <= NOTIFY_EVENT_LAST; i++)
        if (strlen(event_names[i]) == n && memcmp(event_names[i], s, n) == 0)
            return (enum notify_event)i;
    return NOTIFY_NONE;
}

void notify_link(struct buf *b, const char *public_url, const char *integration_id)
{
    buf_puts(b, public_url);
    buf_puts(b, NOTIFY_UI_PATH);
    buf_puts(b, integration_id);
}

/* The transition an outcome asks for. */
struct step {
    const char *topic, *to;
    enum notify_event ev; /* emitted when the state changes */
};

static struct step step_of(enum notify_outcome o)
{
    switch (o) {
    case NOTIFY_OUTCOME_SYNC_SUCCESS:
        return (struct step){"sync", "ok", NOTIFY_SYNC_RECOVERED};
    case NOTIFY_OUTCOME_SYNC_PARTIAL:
        return (struct step){"sync", "partial", NOTIFY_SYNC_PARTIAL};
    case NOTIFY_OUTCOME_SYNC_FAILURE:
        return (struct step){"sync", "failed", NOTIFY_SYNC_FAILED};
    case NOTIFY_OUTCOME_TOKEN_OK:
        return (struct step){"token", "ok", NOTIFY_TOKEN_REFRESH_RECOVERED};
    case NOTIFY_OUTCOME_TOKEN_FAILURE:
        return (struct step){"token", "failed", NOTIFY_TOKEN_REFRESH_FAILED};
    case NOTIFY_OUTCOME_NEEDS_REAUTH:
        return (struct step){"token", "reauth", NOTIFY_NEEDS_REAUTH};
    }
    assert(!"unknown outcome");
    return (struct step){0};
}

/* Append detail as one line of at most NOTIFY_DETAIL_MAX bytes: control
 * characters become spaces, bad UTF-8 a '?', and the cut falls between
 * characters. */
static void put_detail(struct buf *b, const char *detail)
{
    size_t n = strlen(detail), kept = 0;
    for (size_t i = 0; i < n;) {
        size_t k = str_utf8_seq(detail + i, n - i);
        if (kept + (k ? k : 1) > NOTIFY_DETAIL_MAX) {
            buf_puts(b, "...");
            return;
        }
        if (k == 0) {
            buf_putc(b, '?');
            k = 1;
        } else if (k == 1 && ((unsigned char)detail[i] < 0x20 || detail[i] == 0x7f)) {
            buf_putc(b, ' ');
        } else {
            buf_put(b, detail + i, k);
        }
        i += k;
        kept += k;
    }
}

/* The title and body of ev for integration name (connector); from is the
 * state before. */
static void words(struct buf *title, struct buf *body, enum notify_event ev, const char *name,
                  const char *connector, const char *detail, const char *from)
{
    bool has_detail = detail && *detail;
    switch (ev) {
    case NOTIFY_SYNC_FAILED:
        buf_printf(title, "Sync failed: %s", name);
        buf_printf(body, "The last sync of %s (%s) failed", name, connector);
        break;
    case NOTIFY_SYNC_PARTIAL:
        buf_printf(title, "Sync partly failed: %s", name);
        buf_printf(body, "The last sync of %s (%s) finished, but some records failed", name,
                   connector);
        break;
    case NOTIFY_SYNC_RECOVERED:
        buf_printf(title, "Sync recovered: %s", name);
        buf_printf(body, "%s (%s) synced successfully again", name, connector);
        has_detail = false;
        break;
    case NOTIFY_NEEDS_REAUTH:
        buf_printf(title, "Reconnect %s", name);
        buf_printf(body, "%s (%s) lost access to its account", name, connector);
        break;
    case NOTIFY_TOKEN_REFRESH_FAILED:
        buf_printf(title, "Token refresh failing: %s", name);
        buf_printf(body, "inlet could not refresh the access token of %s (%s)", name, connector);
        break;
    case NOTIFY_TOKEN_REFRESH_RECOVERED:
        buf_printf(title, "%s: %s",
                   strcmp(from, "reauth") == 0 ? "Connected again" : "Token refresh recovered",
                   name);
        buf_printf(body,
                   strcmp(from, "reauth") == 0 ? "%s (%s) is connected again"
                                               : "The access token of %s (%s) was refreshed again",
                   name, connector);
        has_detail = false;
        break;
    case NOTIFY_NONE:
        assert(!"no event");
    }
    if (has_detail) {
        buf_puts(body, ": ");
        put_detail(body, detail);
    }
    buf_puts(body, ". ");
    switch (ev) {
    case NOTIFY_SYNC_FAILED:
        buf_puts(body, "Open the integration to read the run's log and fix the cause; inlet "
                       "keeps running it on schedule and tells you when it recovers.");
        break;
    case NOTIFY_SYNC_PARTIAL:
        buf_puts(body, "The other records were loaded. Open the integration to read in the run's "
                       "log which records failed and why.");
        break;
    case NOTIFY_NEEDS_REAUTH:
        buf_puts(
            body,
            "Its syncs are stopped until it is reconnected. Reconnect it: open the link and press "
            "Reconnect.");
        break;
    case NOTIFY_TOKEN_REFRESH_FAILED:
        buf_puts(body, "inlet keeps trying; if this lasts, open the link and press Reconnect.");
        break;
    default:
        buf_puts(body, "Nothing to do.");
    }
}

static const char *level_of(enum notify_event ev)
{
    switch (ev) {
    case NOTIFY_SYNC_FAILED:
    case NOTIFY_NEEDS_REAUTH:
        return "error";
    case NOTIFY_SYNC_PARTIAL:
    case NOTIFY_TOKEN_REFRESH_FAILED:
        return "warn";
    default:
        return "info";
    }
}

/* Whether the stored events array (JSON text) names ev or "*". */
static bool listens(const char *events, enum notify_event ev)
{
    struct json_object *arr = NULL;
    struct err e;
    bool yes = false;
    if (!events || jsonx_parse(&arr, events, strlen(events), strlen(events) + 1, &e) < 0)
        return false;
    for (size_t i = 0; i < jsonx_len(arr) && !yes; i++) {
        const char *s = jsonx_str(jsonx_at(arr, i));
        yes = s && (strcmp(s, "*") == 0 || strcmp(s, notify_event_name(ev)) == 0);
    }
    json_object_put(arr);
    return yes;
}

/* One row of notifications: channel NULL for in-app (stored as sent: it is
 * delivered by being there), else a delivery due now. */
static int insert(struct db *db, const char *tenant_id, const char *channel_id,
                  const char *integration_id, enum notify_event ev, const char *title,
                  const char *body, const char *data, int64_t now, struct err *err)
{
    char id[ID_MAX];
    id_new(id, "ntf");
    return db_exec(db,
                   "INSERT INTO notifications (id, tenant_id, channel_id, integration_id, event,"
                   " level, title, body, data, status, attempts, created_at, sent_at,"
                   " next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, $11,"
                   " $12, $13)",
                   DB_ARGS(DB_TEXT(id), DB_TEXT(tenant_id), DB_TEXT(channel_id),
                           DB_TEXT(integration_id), DB_TEXT(notify_event_name(ev)),
                           DB_TEXT(level_of(ev)), DB_TEXT(title), DB_TEXT(body), DB_TEXT(data),
                           DB_TEXT(channel_id ? "pending" : "sent"), DB_INT(now),
                           channel_id ? DB_NULL : DB_INT(now), channel_id ? DB_INT(now) : DB_NULL),
                   NULL, err);
}

/* The tenant's enabled channels that listen to ev, into ids (n of them). */
static int listeners(char (*ids)[ID_MAX], size_t *n, struct db *db, const char *tenant_id,
                     enum notify_event ev, struct err *err)
{
    struct db_rows *r = NULL;
    int rc = db_query(&r, db,
                      "SELECT id, events FROM notification_channels WHERE tenant_id = $1 AND"
                      " enabled = 1 ORDER BY id LIMIT $2",
                      DB_ARGS(DB_TEXT(tenant_id), DB_INT(NOTIFY_CHANNELS_MAX)), err);
    *n = 0;
    if (rc < 0)
        return rc;
    while ((rc = db_rows_next(r, err)) == 1)
        if (listens(db_rows_text(r, 1), ev))
            snprintf(ids[(*n)++], ID_MAX, "%s", db_rows_text(r, 0));
    db_rows_free(r);
    return rc;
}

static int emit(struct db *db, const char *tenant_id, const char *integration_id,
                enum notify_event ev, const char *name, const char *connector, const char *detail,
                const char *from, int64_t now, struct err *err)
{
    char(*ids)[ID_MAX] = xcalloc(NOTIFY_CHANNELS_MAX, ID_MAX);
    struct buf title, body, data;
    size_t n = 0;

    buf_init(&title, 0);
    buf_init(&body, 0);
    buf_init(&data, 0);
    words(&title, &body, ev, name, connector, detail, from);
    buf_puts(&data, "{\"integration_id\":");
    buf_put_json_str(&data, integration_id);
    buf_puts(&data, ",\"integration_name\":");
    buf_put_json_str(&data, name);
    buf_puts(&data, ",\"connector\":");
    buf_put_json_str(&data, connector);
    if (detail && *detail) {
        struct buf d;
        buf_init(&d, 0);
        put_detail(&d, detail);
        buf_puts(&data, ",\"detail\":");
        buf_put_json_str(&data, buf_cstr(&d));
        buf_dispose(&d);
    }
    buf_putc(&data, '}');
    int rc = insert(db, tenant_id, NULL, integration_id, ev, buf_cstr(&title), buf_cstr(&body),
                    buf_cstr(&data), now, err);
    if (rc == 0)
        rc = listeners(ids, &n, db, tenant_id, ev, err);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = insert(db, tenant_id, ids[i], integration_id, ev, buf_cstr(&title), buf_cstr(&body),
                    buf_cstr(&data), now, err);
    buf_dispose(&title);
    buf_dispose(&body);
    buf_dispose(&data);
    xfree(ids);
    return rc;
}

int notify_record(enum notify_event *emitted, struct db *db, const char *tenant_id,
                  const char *integration_id, enum notify_outcome outcome, const char *detail,
                  int64_t now, struct err *err)
{
    struct step s = step_of(outcome);
    bool pg = strcmp(db_engine(db), "postgres") == 0;
    struct db_rows *r = NULL;
    char *name = NULL, *connector = NULL, from[16];
    int rc;

    if (emitted)
        *emitted = NOTIFY_NONE;
    rc = db_query_row(&r, db,
                      "SELECT name, connector_id FROM integrations WHERE tenant_id = $1 AND id = $2"
                      " AND deleted_at IS NULL",
                      DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(integration_id)), err);
    if (rc == ERR_NOTFOUND)
        return err_set(err, ERR_NOTFOUND, "no integration %s", integration_id);
    if (rc < 0)
        return rc;
    name = xstrdup(db_rows_text(r, 0));
    connector = xstrdup(db_rows_text(r, 1));
    db_rows_free(r);
    r = NULL;

    /* A missing row is "ok"; making it first gives the lock below a row
     * to hold, also the first time. */
    rc =
        db_exec(db,
                "INSERT INTO notification_state (tenant_id, integration_id, topic, state,"
                " changed_at) VALUES ($1, $2, $3, 'ok', $4)"
                " ON CONFLICT (tenant_id, integration_id, topic) DO NOTHING",
                DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(integration_id), DB_TEXT(s.topic), DB_INT(now)),
                NULL, err);
    if (rc < 0)
        goto done;
    rc = db_query_row(&r, db,
                      pg ? "SELECT state FROM notification_state WHERE tenant_id = $1 AND"
                           " integration_id = $2 AND topic = $3 FOR UPDATE"
                         : "SELECT state FROM notification_state WHERE tenant_id = $1 AND"
                           " integration_id = $2 AND topic = $3",
                      DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(integration_id), DB_TEXT(s.topic)), err);
    if (rc < 0)
        goto done;
    snprintf(from, sizeof(from), "%s", db_rows_text(r, 0));
    db_rows_free(r);
    r = NULL;
    /* A refresh failing while the integration waits for its user changes
     * nothing: the needs_reauth notice already said what to do. */
    if (strcmp(from, s.to) == 0 ||
        (outcome == NOTIFY_OUTCOME_TOKEN_FAILURE && strcmp(from, "reauth") == 0))
        goto done;
    rc = db_exec(db,
                 "UPDATE notification_state SET state = $4, changed_at = $5 WHERE tenant_id = $1"
                 " AND integration_id = $2 AND topic = $3",
                 DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(integration_id), DB_TEXT(s.topic),
                         DB_TEXT(s.to), DB_INT(now)),
                 NULL, err);
    if (rc < 0)
        goto done;
    rc = emit(db, tenant_id, integration_id, s.ev, name, connector, detail, from, now, err);
    if (rc == 0 && emitted)
        *emitted = s.ev;
done:
    db_rows_free(r);
    xfree(name);
    xfree(connector);
    return rc;
}
