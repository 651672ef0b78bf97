/* events/emit.c - see events.h: the event types, the checks on what a
 * subscription names, and the events stored in the caller's transaction.
 * The tenant's enabled subscriptions are read once per call (one query on
 * the tenant's key); the integration is read only when somebody listens.
 * put_integration is the one place that says what an event tells about
 * its integration. */
#include "events/events.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/id.h"
#include "core/jsonx.h"
#include "core/str.h"
#include "core/time.h"
#include "map/model.h"
#include "notify/config.h"
#include "store/event_delivery.h"
#include "store/integration.h"
#include "store/webhook_subscription.h"

const char *const events_types[] = {
    EVENTS_INTEGRATION_CONNECTED,
    EVENTS_INTEGRATION_DISCONNECTED,
    EVENTS_INTEGRATION_NEEDS_REAUTH,
    EVENTS_SYNC_SUCCEEDED,
    EVENTS_SYNC_FAILED,
    EVENTS_RECORDS_CHANGED,
    NULL,
};
const size_t events_types_count = sizeof(events_types) / sizeof(events_types[0]) - 1;

/* The index of type s (n bytes) in events_types, or -1. */
static int type_index(const char *s, size_t n)
{
    for (size_t i = 0; i < events_types_count; i++)
        if (strlen(events_types[i]) == n && memcmp(events_types[i], s, n) == 0)
            return (int)i;
    return -1;
}

/* Whether s (n bytes) can be quoted back in a message as it is. */
static bool quotable(const char *s, size_t n)
{
    if (n == 0 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < 0x20 || s[i] >= 0x7f || s[i] == '"' || s[i] == '\\')
            return false;
    return true;
}

int events_types_check(struct buf *b, const struct json_object *events, struct err *err)
{
    bool seen[16] = {0};

    assert(events_types_count < sizeof(seen));
    if (!events) {
        buf_puts(b, "[\"*\"]");
        return 0;
    }
    if (!json_object_is_type(events, json_type_array) || jsonx_len(events) == 0 ||
        jsonx_len(events) > events_types_count)
        return err_set(err, ERR_INVALID,
                       "/events: expected [\"*\"] or an array of 1 to %zu event types",
                       events_types_count);
    buf_putc(b, '[');
    for (size_t i = 0; i < jsonx_len(events); i++) {
        struct json_object *v = jsonx_at(events, i);
        const char *s = jsonx_str(v);
        size_t n = jsonx_str_len(v);
        if (!s)
            return err_set(err, ERR_INVALID, "/events/%zu: expected a string, got %s", i,
                           jsonx_type_name(v));
        if (n == 1 && s[0] == '*') {
            if (jsonx_len(events) != 1)
                return err_set(err, ERR_INVALID,
                               "/events/%zu: \"*\" means every event and stands alone", i);
            buf_puts(b, "\"*\"");
            continue;
        }
        int k = strlen(s) == n ? type_index(s, n) : -1;
        if (k < 0) {
            const char *near =
                quotable(s, n) ? model_suggest(s, events_types, events_types_count) : NULL;
            if (near)
                return err_set(err, ERR_INVALID,
                               "/events/%zu: unknown event \"%s\"; did you mean %s?", i, s, near);
            return err_set(err, ERR_INVALID,
                           "/events/%zu: unknown event%s%.64s%s (expected \"*\" or one of "
                           "integration.connected, integration.disconnected, "
                           "integration.needs_reauth, sync.succeeded, sync.failed, "
                           "records.changed)",
                           i, quotable(s, n) ? " \"" : "", quotable(s, n) ? s : "",
                           quotable(s, n) ? "\"" : "");
        }
        if (seen[k])
            return err_set(err, ERR_INVALID, "/events/%zu: listed twice", i);
        seen[k] = true;
        buf_puts(b, i ? "," : "");
        buf_put_json_str(b, events_types[k]);
    }
    buf_putc(b, ']');
    return 0;
}

int events_url_check(const char *url, size_t n, struct err *err)
{
    if (!notify_url_ok(url, n, "https", "http", NOTIFY_URL_NO_USER))
        return err_set(err, ERR_INVALID,
                       "/url: expected an https or http URL with a host, without a user part or "
                       "a fragment (at most %d bytes, no spaces)",
                       NOTIFY_URL_MAX);
    return 0;
}

void events_payload(struct buf *b, const char *type, const char *data, int64_t now)
{
    char when[TIME_RFC3339_MAX];
    time_format_rfc3339(when, now * 1000);
    buf_puts(b, "{\"type\":");
    buf_put_json_str(b, type);
    buf_puts(b, ",\"timestamp\":");
    buf_put_json_str(b, when);
    buf_puts(b, ",\"data\":");
    buf_puts(b, data);
    buf_putc(b, '}');
}

/* What an event says of its integration. The one place to change it. */
static void put_integration(struct buf *b, const struct integration *it)
{
    buf_puts(b, "\"integration\":{\"id\":");
    buf_put_json_str(b, it->id);
    buf_puts(b, ",\"connector\":");
    buf_put_json_str(b, it->connector);
    buf_puts(b, ",\"name\":");
    buf_put_json_str(b, it->name);
    /* The host product's own user and labels: what it files the event
     * under (docs/embedding.md). */
    buf_puts(b, ",\"end_user\":");
    if (it->end_user_id) {
        buf_puts(b, "{\"id\":");
        buf_put_json_str(b, it->end_user_id);
        buf_puts(b, ",\"email\":");
        buf_put_json_str(b, it->end_user_email);
        buf_puts(b, ",\"display_name\":");
        buf_put_json_str(b, it->end_user_name);
        buf_putc(b, '}');
    } else {
        buf_puts(b, "null");
    }
    buf_printf(b, ",\"tags\":%s}", it->tags ? it->tags : "[]");
}

void events_put_text(struct buf *b, const char *s)
{
    struct buf t;
    size_t n = strlen(s);
    buf_init(&t, 0);
    for (size_t i = 0; i < n;) {
        size_t k = str_utf8_seq(s + i, n - i);
        if (t.n + (k ? k : 1) > EVENTS_TEXT_MAX) {
            buf_puts(&t, "...");
            break;
        }
        if (k == 0)
            buf_putc(&t, '?');
        else if (k == 1 && ((unsigned char)s[i] < 0x20 || s[i] == 0x7f))
            buf_putc(&t, ' ');
        else
            buf_put(&t, s + i, k);
        i += k ? k : 1;
    }
    buf_put_json_str(b, buf_cstr(&t));
    buf_dispose(&t);
}

/* The tenant's enabled subscriptions, read once per call. */
struct subs {
    struct webhook_subscription_ref *v; /* from xcalloc */
    size_t n;
};

static int subs_load(struct subs *s, struct db *db, const char *tenant_id, struct err *err)
{
    s->v = xcalloc(WEBHOOK_SUBSCRIPTIONS_MAX, sizeof(*s->v));
    return webhook_subscription_enabled(s->v, &s->n, db, tenant_id, err);
}

static bool subs_listen(const struct subs *s, const char *type)
{
    for (size_t i = 0; i < s->n; i++)
        if (webhook_subscription_listens(s->v[i].events, type))
            return true;
    return false;
}

/* One event: its payload to every subscription of s listening to type. */
static int emit_to(const struct subs *s, struct db *db, const char *tenant_id, const char *type,
                   const char *data, int64_t now, struct err *err)
{
    char event_id[ID_MAX];
    struct buf body;
    int rc = 0;

    if (!subs_listen(s, type))
        return 0;
    id_new(event_id, "evt");
    buf_init(&body, 0);
    events_payload(&body, type, data, now);
    for (size_t i = 0; rc == 0 && i < s->n; i++)
        if (webhook_subscription_listens(s->v[i].events, type))
            rc = event_delivery_add(NULL, db, tenant_id, s->v[i].id, event_id, type,
                                    buf_cstr(&body), now, err);
    buf_dispose(&body);
    return rc;
}

int events_emit(struct db *db, const char *tenant_id, const char *type, const char *data,
                int64_t now, struct err *err)
{
    struct subs s = {0};
    int rc = subs_load(&s, db, tenant_id, err);
    if (rc == 0)
        rc = emit_to(&s, db, tenant_id, type, data, now, err);
    xfree(s.v);
    return rc;
}

/* Start the data of an event of it: "{" and its integration. */
static void data_begin(struct buf *d, const struct integration *it)
{
    buf_putc(d, '{');
    put_integration(d, it);
}

int events_integration(struct db *db, const char *tenant_id, const char *integration_id,
                       const char *type, const char *extra, int64_t now, struct err *err)
{
    struct subs s = {0};
    struct integration it = {0};
    struct buf d;

    buf_init(&d, 0);
    int rc = subs_load(&s, db, tenant_id, err);
    if (rc < 0 || !subs_listen(&s, type))
        goto done;
    if ((rc = integration_get(&it, db, tenant_id, integration_id, err)) < 0)
        goto done;
    data_begin(&d, &it);
    if (extra) { /* its members after the integration's */
        size_t n = strlen(extra);
        assert(n >= 2 && extra[0] == '{' && extra[n - 1] == '}');
        if (n > 2) {
            buf_putc(&d, ',');
            buf_put(&d, extra + 1, n - 2);
        }
    }
    buf_putc(&d, '}');
    rc = emit_to(&s, db, tenant_id, type, buf_cstr(&d), now, err);
done:
    integration_dispose(&it);
    buf_dispose(&d);
    xfree(s.v);
    return rc;
}

static bool changed(const struct events_stream *st)
{
    return st->created > 0 || st->updated > 0 || st->deleted > 0;
}

/* records.changed of one stream, with the integration read. */
static int emit_changed(const struct subs *s, struct db *db, const struct integration *it,
                        const char *run_id, const struct events_stream *st, int64_t now,
                        struct err *err)
{
    struct buf d;
    buf_init(&d, 0);
    data_begin(&d, it);
    buf_puts(&d, ",\"run_id\":");
    buf_put_json_str(&d, run_id);
    buf_puts(&d, ",\"stream\":");
    buf_put_json_str(&d, st->name);
    buf_printf(&d, ",\"created\":%lld,\"updated\":%lld,\"deleted\":%lld}", (long long)st->created,
               (long long)st->updated, (long long)st->deleted);
    int rc = emit_to(s, db, it->tenant_id, EVENTS_RECORDS_CHANGED, buf_cstr(&d), now, err);
    buf_dispose(&d);
    return rc;
}

/* The sync.* event of r, or NULL for none (a cancelled run). */
static const char *run_type(const struct events_run *r)
{
    if (strcmp(r->status, "success") == 0 || strcmp(r->status, "partial") == 0)
        return EVENTS_SYNC_SUCCEEDED;
    if (strcmp(r->status, "failed") == 0)
        return EVENTS_SYNC_FAILED;
    return NULL;
}

int events_run_ended(struct db *db, const char *tenant_id, const struct events_run *r, int64_t now,
                     struct err *err)
{
    const char *type = run_type(r);
    struct subs s = {0};
    struct integration it = {0};
    struct buf d;
    bool any = false;

    buf_init(&d, 0);
    int rc = subs_load(&s, db, tenant_id, err);
    if (rc < 0)
        goto done;
    for (size_t i = 0; i < r->nstreams && !any; i++)
        any = changed(&r->streams[i]) && subs_listen(&s, EVENTS_RECORDS_CHANGED);
    if (!any && !(type && subs_listen(&s, type)))
        goto done; /* nobody to tell */
    if ((rc = integration_get(&it, db, tenant_id, r->integration_id, err)) < 0)
        goto done;
    if (type) {
        data_begin(&d, &it);
        buf_puts(&d, ",\"run_id\":");
        buf_put_json_str(&d, r->run_id);
        if (strcmp(type, EVENTS_SYNC_SUCCEEDED) == 0) {
            buf_puts(&d, ",\"status\":");
            buf_put_json_str(&d, r->status);
            buf_printf(&d,
                       ",\"processed\":%lld,\"created\":%lld,\"updated\":%lld,\"unchanged\":%lld,"
                       "\"deleted\":%lld,\"failed\":%lld,\"duration_ms\":%lld",
                       (long long)r->processed, (long long)r->created, (long long)r->updated,
                       (long long)r->unchanged, (long long)r->deleted, (long long)r->failed,
                       (long long)r->duration_ms);
        } else {
            buf_puts(&d, ",\"error\":");
            events_put_text(&d, r->error ? r->error : "the run failed");
        }
        buf_putc(&d, '}');
        rc = emit_to(&s, db, tenant_id, type, buf_cstr(&d), now, err);
    }
    for (size_t i = 0; rc == 0 && i < r->nstreams; i++)
        if (changed(&r->streams[i]))
            rc = emit_changed(&s, db, &it, r->run_id, &r->streams[i], now, err);
done:
    integration_dispose(&it);
    buf_dispose(&d);
    xfree(s.v);
    return rc;
}

int events_records_changed(struct db *db, const char *tenant_id, const char *integration_id,
                           const char *run_id, const struct events_stream *stream, int64_t now,
                           struct err *err)
{
    struct subs s = {0};
    struct integration it = {0};

    if (!changed(stream))
        return 0;
    int rc = subs_load(&s, db, tenant_id, err);
    if (rc == 0 && subs_listen(&s, EVENTS_RECORDS_CHANGED)) {
        rc = integration_get(&it, db, tenant_id, integration_id, err);
        if (rc == 0)
            rc = emit_changed(&s, db, &it, run_id, stream, now, err);
    }
    integration_dispose(&it);
    xfree(s.v);
    return rc;
}
