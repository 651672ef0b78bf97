/* api/webhook_subscriptions.c - /api/webhook-subscriptions: where a
 * tenant's host product receives inlet's events (events/events.h):
 * create, list, read, change, delete, rotate the signing secret, send a
 * test ping; and each subscription's delivery log with manual
 * redelivery. The secret is answered once, at create and at rotation;
 * no other answer, log line or audit entry holds it. Every change and its
 * audit entry commit together. docs/events.md. */
#include <stdio.h>
#include <string.h>

#include "api/api_int.h"
#include "core/jsonx.h"
#include "core/str.h"
#include "events/deliver.h"
#include "events/events.h"
#include "store/event_delivery.h"
#include "store/webhook_subscription.h"

static const char *sub_id(struct api_ctx *c)
{
    return api_path_id(c, "whs", "webhook subscription");
}

/* Stored JSON text as it is when it parses (the payload: the bytes that
 * were sent), reformatted when asked (the events: PostgreSQL's JSONB
 * spaces them); fallback when it somehow does not parse. */
static void put_json(struct buf *b, const char *text, bool reformat, const char *fallback)
{
    struct json_object *v = NULL;
    struct err e;
    if (text && jsonx_parse(&v, text, strlen(text), strlen(text) + 1, &e) == 0 && v) {
        if (reformat)
            jsonx_format(b, v);
        else
            buf_puts(b, text);
        json_object_put(v);
        return;
    }
    buf_puts(b, fallback);
}

static void put_subscription(struct buf *b, const struct webhook_subscription *s,
                             const struct secret *secret)
{
    buf_puts(b, "{\"id\":");
    buf_put_json_str(b, s->id);
    buf_puts(b, ",\"url\":");
    buf_put_json_str(b, s->url);
    buf_puts(b, ",\"events\":");
    put_json(b, s->events, true, "[]");
    buf_puts(b, ",\"description\":");
    buf_put_json_str(b, s->description);
    buf_printf(b, ",\"enabled\":%s", s->enabled ? "true" : "false");
    if (secret) { /* shown this once */
        buf_puts(b, ",\"secret\":");
        buf_put_json_str(b, (const char *)secret->p);
    }
    buf_puts(b, ",\"created_at\":");
    api_put_time(b, s->created_at);
    buf_puts(b, ",\"updated_at\":");
    api_put_time(b, s->updated_at);
    buf_putc(b, '}');
}

static void put_delivery(struct buf *b, const struct event_delivery *d)
{
    buf_puts(b, "{\"id\":");
    buf_put_json_str(b, d->id);
    buf_puts(b, ",\"subscription_id\":");
    buf_put_json_str(b, d->subscription_id);
    buf_puts(b, ",\"event_id\":");
    buf_put_json_str(b, d->event_id);
    buf_puts(b, ",\"type\":");
    buf_put_json_str(b, d->type);
    buf_puts(b, ",\"status\":");
    buf_put_json_str(b, d->status);
    buf_printf(b, ",\"attempts\":%d,\"last_status\":", d->attempts);
    if (d->last_status)
        buf_printf(b, "%ld", d->last_status);
    else
        buf_puts(b, "null");
    buf_puts(b, ",\"last_error\":");
    buf_put_json_str(b, d->last_error);
    buf_puts(b, ",\"duration_ms\":");
    if (d->duration_ms >= 0)
        buf_printf(b, "%lld", (long long)d->duration_ms);
    else
        buf_puts(b, "null");
    buf_puts(b, ",\"created_at\":");
    api_put_time(b, d->created_at);
    buf_puts(b, ",\"delivered_at\":");
    api_put_time(b, d->delivered_at);
    buf_puts(b, ",\"next_attempt_at\":");
    api_put_time(b, strcmp(d->status, "pending") == 0 ? d->next_attempt_at : 0);
    buf_puts(b, ",\"payload\":");
    put_json(b, d->payload, false, "null");
    buf_putc(b, '}');
}

/* A subscription body, checked: what is present, canonical. */
struct body {
    struct json_object *doc; /* owned */
    const char *url;         /* NULL when absent */
    const char *description; /* NULL when absent */
    struct buf events;       /* canonical array; empty when absent (PATCH) */
    int enabled;             /* -1 when absent */
};

static void body_dispose(struct body *b)
{
    json_object_put(b->doc);
    buf_dispose(&b->events);
}

/* The description: at most WEBHOOK_SUBSCRIPTION_DESC bytes of UTF-8
 * without control characters (line breaks allowed). */
static int description_check(const char *s, size_t n, struct err *e)
{
    if (n > WEBHOOK_SUBSCRIPTION_DESC)
        return err_set(e, ERR_INVALID, "/description: at most %d bytes", WEBHOOK_SUBSCRIPTION_DESC);
    if (strlen(s) != n || !str_utf8_valid(s, n, NULL))
        return err_set(e, ERR_INVALID, "/description: expected UTF-8 text");
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] < 0x20 && s[i] != '\n' && s[i] != '\t') || s[i] == 0x7f)
            return err_set(e, ERR_INVALID, "/description: no control characters");
    return 0;
}

/* Read and check the body (create: url required, events default
 * ["*"]); answers and returns -1 on failure. */
static int body_read(struct api_ctx *c, struct body *b, bool create)
{
    static const char *const fields[] = {"url", "events", "description", "enabled", NULL};
    struct err e;
    size_t n = 0;

    memset(b, 0, sizeof(*b));
    buf_init(&b->events, 0);
    b->enabled = -1;
    if (api_body_object(c, &b->doc, fields) < 0)
        return -1;
    if (create && !jsonx_has(b->doc, "url")) {
        api_invalid_field(c, "/url", "is required");
        return -1;
    }
    if (jsonx_has(b->doc, "url")) {
        int rc = jsonx_as_str(&b->url, &n, jsonx_get(b->doc, "url"), "/url", &e);
        if (rc == 0 && strlen(b->url) != n)
            rc = err_set(&e, ERR_INVALID, "/url: must not contain U+0000");
        if (rc == 0)
            rc = events_url_check(b->url, n, &e);
        if (rc < 0) {
            api_invalid_msg(c, &e);
            return -1;
        }
    }
    if ((create || jsonx_has(b->doc, "events")) &&
        events_types_check(&b->events, jsonx_get(b->doc, "events"), &e) < 0) {
        api_invalid_msg(c, &e);
        return -1;
    }
    if (jsonx_has(b->doc, "description")) {
        if (jsonx_as_str(&b->description, &n, jsonx_get(b->doc, "description"), "/description",
                         &e) < 0 ||
            description_check(b->description, n, &e) < 0) {
            api_invalid_msg(c, &e);
            return -1;
        }
    }
    if (jsonx_has(b->doc, "enabled")) {
        bool on = true;
        if (jsonx_as_bool(&on, jsonx_get(b->doc, "enabled"), "/enabled", &e) < 0) {
            api_invalid_msg(c, &e);
            return -1;
        }
        b->enabled = on;
    }
    return 0;
}

/* Commit with the audit entry and answer status with subscription id
 * (and secret, when given); the caller began the tenant transaction. */
static void finish(struct api_ctx *c, int status, const char *id, const char *action,
                   const char *data, const struct secret *secret)
{
    struct webhook_subscription s = {0};
    struct err e;
    int rc = api_audit(c, action, "webhook_subscription", id, data, &e);
    if (rc == 0)
        rc = webhook_subscription_get(&s, c->db, c->tenant_id, id, &e);
    rc = rc == 0 ? db_commit(c->db, &e) : (db_rollback(c->db), rc);
    if (rc < 0) {
        api_fail(c, &e);
    } else {
        put_subscription(api_reply(c, status), &s, secret);
        if (status == 201) {
            char loc[64 + ID_MAX];
            snprintf(loc, sizeof(loc), "/api/webhook-subscriptions/%s", id);
            http_resp_header(c->resp, "Location", loc);
        }
    }
    webhook_subscription_dispose(&s);
}

void api_webhook_subscriptions_create(struct api_ctx *c)
{
    struct webhook_subscription s = {0};
    struct secret secret = {0};
    struct buf data;
    struct body b;
    struct err e;

    buf_init(&data, 0);
    if (body_read(c, &b, true) < 0)
        goto out;
    struct webhook_subscription_in in = {.url = b.url,
                                         .events = buf_cstr(&b.events),
                                         .description = b.description ? b.description : "",
                                         .enabled = b.enabled != 0};
    buf_printf(&data, "{\"events\":%s,\"enabled\":%s}", buf_cstr(&b.events),
               in.enabled ? "true" : "false");
    int rc = db_begin_tenant(c->db, c->tenant_id, &e);
    if (rc == 0)
        rc = webhook_subscription_create(&s, &secret, c->db, c->api->vault, c->tenant_id, &in,
                                         c->now, &e);
    if (rc < 0) {
        db_rollback(c->db);
        api_fail(c, &e);
        goto out;
    }
    finish(c, 201, s.id, "webhook_subscription.create", buf_cstr(&data), &secret);
out:
    secret_dispose(&secret);
    webhook_subscription_dispose(&s);
    buf_dispose(&data);
    body_dispose(&b);
}

struct page {
    struct buf *b;
    size_t n;
    char last[ID_MAX];
};

static int put_sub_row(void *ctx, const struct webhook_subscription *s)
{
    struct page *p = ctx;
    buf_puts(p->b, p->n++ ? "," : "");
    put_subscription(p->b, s, NULL);
    snprintf(p->last, sizeof(p->last), "%s", s->id);
    return 0;
}

void api_webhook_subscriptions_list(struct api_ctx *c)
{
    static const char *const params[] = {"limit", "cursor", NULL};
    const char *cursor;
    bool more = false;
    int limit;
    struct err e;

    if (api_query_only(c, params) < 0 ||
        api_query_int(c, "limit", API_LIST_DEFAULT, 1, WEBHOOK_SUBSCRIPTION_LIST, &limit) < 0 ||
        api_query_id(c, "cursor", "whs", &cursor) < 0)
        return;
    if (db_begin_tenant_read(c->db, c->tenant_id, &e) < 0) {
        api_fail(c, &e);
        return;
    }
    struct buf *b = api_reply(c, 200);
    struct page p = {.b = b};
    buf_puts(b, "{\"data\":[");
    int rc =
        webhook_subscription_list(&more, c->db, c->tenant_id, cursor, limit, put_sub_row, &p, &e);
    db_rollback(c->db); /* read only */
    if (rc < 0) {
        api_fail(c, &e);
        return;
    }
    buf_puts(b, "],\"next_cursor\":");
    buf_put_json_str(b, more ? p.last : NULL);
    buf_putc(b, '}');
}

void api_webhook_subscription_get(struct api_ctx *c)
{
    static const char *const none[] = {NULL};
    struct webhook_subscription s = {0};
    const char *id;
    struct err e;

    if (api_query_only(c, none) < 0 || !(id = sub_id(c)))
        return;
    int rc = db_begin_tenant_read(c->db, c->tenant_id, &e);
    if (rc == 0)
        rc = webhook_subscription_get(&s, c->db, c->tenant_id, id, &e);
    db_rollback(c->db);
    if (rc < 0)
        api_fail(c, &e);
    else
        put_subscription(api_reply(c, 200), &s, NULL);
    webhook_subscription_dispose(&s);
}

void api_webhook_subscription_patch(struct api_ctx *c)
{
    struct buf data;
    struct body b;
    const char *id;
    struct err e;

    memset(&b, 0, sizeof(b));
    buf_init(&data, 0);
    if (!(id = sub_id(c)) || body_read(c, &b, false) < 0)
        goto out;
    struct webhook_subscription_change ch = {.url = b.url,
                                             .events = b.events.n ? buf_cstr(&b.events) : NULL,
                                             .description = b.description,
                                             .enabled = b.enabled};
    /* What changed, by name: never the URL itself. */
    buf_puts(&data, "{\"changed\":[");
    const char *names[] = {ch.url ? "url" : NULL, ch.events ? "events" : NULL,
                           ch.description ? "description" : NULL,
                           ch.enabled >= 0 ? "enabled" : NULL};
    size_t k = 0;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (names[i])
            buf_printf(&data, "%s\"%s\"", k++ ? "," : "", names[i]);
    buf_putc(&data, ']');
    if (ch.events)
        buf_printf(&data, ",\"events\":%s", ch.events);
    if (ch.enabled >= 0)
        buf_printf(&data, ",\"enabled\":%s", ch.enabled ? "true" : "false");
    buf_putc(&data, '}');
    int rc = db_begin_tenant(c->db, c->tenant_id, &e);
    if (rc == 0)
        rc = webhook_subscription_update(c->db, c->tenant_id, id, &ch, c->now, &e);
    if (rc < 0) {
        db_rollback(c->db);
        api_fail(c, &e);
        goto out;
    }
    finish(c, 200, id, "webhook_subscription.update", buf_cstr(&data), NULL);
out:
    buf_dispose(&data);
    body_dispose(&b);
}

void api_webhook_subscription_delete(struct api_ctx *c)
{
    const char *id;
    struct err e;

    if (!(id = sub_id(c)))
        return;
    int rc = db_begin_tenant(c->db, c->tenant_id, &e);
    if (rc == 0)
        rc = webhook_subscription_delete(c->db, c->tenant_id, id, &e);
    if (rc == 0)
        rc = api_audit(c, "webhook_subscription.delete", "webhook_subscription", id, NULL, &e);
    rc = rc == 0 ? db_commit(c->db, &e) : (db_rollback(c->db), rc);
    if (rc < 0)
        api_fail(c, &e);
    else
        api_reply(c, 204);
}

void api_webhook_subscription_rotate(struct api_ctx *c)
{
    struct secret secret = {0};
    const char *id;
    struct err e;

    if (!(id = sub_id(c)))
        return;
    int rc = db_begin_tenant(c->db, c->tenant_id, &e);
    if (rc == 0)
        rc = webhook_subscription_rotate(&secret, c->db, c->api->vault, c->tenant_id, id, c->now,
                                         &e);
    if (rc < 0) {
        db_rollback(c->db);
        api_fail(c, &e);
        return;
    }
    finish(c, 200, id, "webhook_subscription.rotate_secret", NULL, &secret);
    secret_dispose(&secret);
}

void api_webhook_subscription_test(struct api_ctx *c)
{
    struct events_test_result res;
    struct events_env env = {.db = c->db, .vault = c->api->vault};
    const char *id;
    struct err e;

    if (!(id = sub_id(c)))
        return;
    /* Nothing is open on c->db while the ping is on the network. */
    if (events_deliver_test(&res, &env, c->tenant_id, id, c->now, &e) < 0) {
        api_fail(c, &e);
        return;
    }
    api_send_test_reply(c, "webhook_subscription.test", "webhook_subscription", id, res.ok,
                        res.status, res.elapsed_ms, res.error);
}

static int put_delivery_row(void *ctx, const struct event_delivery *d)
{
    struct page *p = ctx;
    buf_puts(p->b, p->n++ ? "," : "");
    put_delivery(p->b, d);
    snprintf(p->last, sizeof(p->last), "%s", d->id);
    return 0;
}

void api_webhook_subscription_deliveries(struct api_ctx *c)
{
    static const char *const params[] = {"status", "limit", "cursor", NULL};
    struct webhook_subscription s = {0};
    const char *id, *cursor, *status;
    bool more = false;
    int limit;
    struct err e;

    if (api_query_only(c, params) < 0 || !(id = sub_id(c)) ||
        api_query_int(c, "limit", API_LIST_DEFAULT, 1, EVENT_DELIVERY_LIST_MAX, &limit) < 0 ||
        api_query_id(c, "cursor", "evd", &cursor) < 0)
        return;
    status = http_req_query(c->req, "status");
    if (status && strcmp(status, "pending") != 0 && strcmp(status, "succeeded") != 0 &&
        strcmp(status, "failed") != 0) {
        api_error(c, 400, "invalid_parameter", NULL,
                  "status: expected pending, succeeded or failed");
        return;
    }
    int rc = db_begin_tenant_read(c->db, c->tenant_id, &e);
    if (rc < 0) {
        api_fail(c, &e);
        return;
    }
    /* An unknown subscription is a 404, not an empty log. */
    rc = webhook_subscription_get(&s, c->db, c->tenant_id, id, &e);
    webhook_subscription_dispose(&s);
    if (rc < 0) {
        db_rollback(c->db);
        api_fail(c, &e);
        return;
    }
    struct buf *b = api_reply(c, 200);
    struct page p = {.b = b};
    buf_puts(b, "{\"data\":[");
    rc = event_delivery_list(&more, c->db, c->tenant_id, id, status, cursor, limit,
                             put_delivery_row, &p, &e);
    db_rollback(c->db); /* read only */
    if (rc < 0) {
        api_fail(c, &e);
        return;
    }
    buf_puts(b, "],\"next_cursor\":");
    buf_put_json_str(b, more ? p.last : NULL);
    buf_putc(b, '}');
}

void api_webhook_subscription_redeliver(struct api_ctx *c)
{
    struct webhook_subscription s = {0};
    struct event_delivery d = {0};
    const char *id, *did;
    struct buf data;
    struct err e;

    if (!(id = sub_id(c)))
        return;
    did = http_req_param(c->req, "delivery_id");
    if (!id_valid(did, "evd")) {
        api_error(c, 404, "not_found", NULL, "no delivery %.64s", did ? did : "");
        return;
    }
    buf_init(&data, 0);
    int rc = db_begin_tenant(c->db, c->tenant_id, &e);
    if (rc == 0)
        rc = webhook_subscription_get(&s, c->db, c->tenant_id, id, &e);
    if (rc == 0 && !s.enabled)
        rc = err_set(&e, ERR_CONFLICT,
                     "the subscription is disabled: enable it (PATCH enabled: true) first");
    if (rc == 0)
        rc = event_delivery_redeliver(&d, c->db, c->tenant_id, id, did, c->now, &e);
    if (rc == 0) {
        buf_puts(&data, "{\"delivery_id\":");
        buf_put_json_str(&data, did);
        buf_puts(&data, ",\"new_delivery_id\":");
        buf_put_json_str(&data, d.id);
        buf_puts(&data, ",\"event_id\":");
        buf_put_json_str(&data, d.event_id);
        buf_putc(&data, '}');
        rc = api_audit(c, "webhook_subscription.redeliver", "webhook_subscription", id,
                       buf_cstr(&data), &e);
    }
    rc = rc == 0 ? db_commit(c->db, &e) : (db_rollback(c->db), rc);
    if (rc < 0)
        api_fail(c, &e);
    else
        put_delivery(api_reply(c, 202), &d);
    buf_dispose(&data);
    event_delivery_dispose(&d);
    webhook_subscription_dispose(&s);
}
