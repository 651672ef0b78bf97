/* api/notifications.c - /api/notification-channels (a tenant's Slack,
 * signed webhook and email channels: create, list, read, replace, delete,
 * and a test send) and /api/notifications (the in-app ones: list, mark
 * read). Channel settings are sealed at once; answers show them with
 * every secret as "set", and a replace that leaves a secret out keeps the
 * stored one. Every channel change and its audit entry commit together.
 * What a notification says and when: docs/notifications.md. */
#include <stdio.h>
#include <string.h>

#include "api/api_int.h"
#include "core/jsonx.h"
#include "notify/config.h"
#include "notify/deliver.h"
#include "notify/inbox.h"
#include "store/notify_channel.h"

/* A channel body checked up to its config, which needs the kind (and,
 * for a replace, the stored config). */
struct body {
    struct json_object *doc; /* owned */
    enum notify_kind kind;
    const char *name;
    struct buf events; /* canonical JSON array */
    bool enabled;
};

static void body_dispose(struct body *b)
{
    json_object_put(b->doc);
    buf_dispose(&b->events);
}

/* Read and check the body; answers and returns -1 on failure. */
static int body_read(struct api_ctx *c, struct body *b)
{
    static const char *const fields[] = {"kind", "name", "events", "enabled", "config", NULL};
    struct err e;

    memset(b, 0, sizeof(*b));
    buf_init(&b->events, 0);
    if (api_body_object(c, &b->doc, fields) < 0)
        return -1;
    struct json_object *kind = jsonx_get(b->doc, "kind"), *name = jsonx_get(b->doc, "name");
    if (!jsonx_has(b->doc, "kind")) {
        api_invalid_field(c, "/kind", "is required");
        return -1;
    }
    if (!(b->kind = notify_kind_parse(jsonx_str(kind))) ||
        strlen(jsonx_str(kind)) != jsonx_str_len(kind)) {
        api_invalid_field(c, "/kind",
                          "expected slack, webhook or email (in-app notifications "
                          "need no channel)");
        return -1;
    }
    if (!jsonx_has(b->doc, "name")) {
        api_invalid_field(c, "/name", "is required");
        return -1;
    }
    if (!json_object_is_type(name, json_type_string)) {
        api_invalid_field(c, "/name", "expected a string, got %s", jsonx_type_name(name));
        return -1;
    }
    b->name = jsonx_str(name);
    b->enabled = true;
    if (notify_name_check(b->name, jsonx_str_len(name), &e) < 0 ||
        notify_events_check(&b->events, jsonx_get(b->doc, "events"), &e) < 0 ||
        (jsonx_has(b->doc, "enabled") &&
         jsonx_as_bool(&b->enabled, jsonx_get(b->doc, "enabled"), "/enabled", &e) < 0)) {
        api_invalid_msg(c, &e);
        return -1;
    }
    if (!jsonx_has(b->doc, "config")) {
        api_invalid_field(c, "/config", "is required");
        return -1;
    }
    return 0;
}

/* The audit entry's data: what changed, never the settings. */
static void audit_data(struct buf *d, const struct body *b)
{
    buf_puts(d, "{\"kind\":");
    buf_put_json_str(d, notify_kind_name(b->kind));
    buf_puts(d, ",\"name\":");
    buf_put_json_str(d, b->name);
    buf_printf(d, ",\"events\":%s,\"enabled\":%s}", buf_cstr(&b->events),
               b->enabled ? "true" : "false");
}

/* Store body b with checked config cfg: create (id NULL; the new id into
 * made) or replace id, audit it, read it back, commit and answer. The
 * caller has begun the tenant transaction; it is over on return. */
static void save(struct api_ctx *c, const struct body *b, const struct notify_config *cfg,
                 const char *id)
{
    struct secret sealed = {0};
    struct buf summary, data;
    struct notify_channel ch = {0};
    char made[ID_MAX];
    struct err e;

    buf_init(&summary, 0);
    buf_init(&data, 0);
    notify_config_summary(&summary, cfg);
    notify_config_seal_text(&sealed, cfg);
    audit_data(&data, b);
    struct notify_channel_in in = {
        .kind = notify_kind_name(b->kind),
        .name = b->name,
        .events = buf_cstr(&b->events),
        .summary = buf_cstr(&summary),
        .config = &sealed,
        .enabled = b->enabled,
    };
    int rc = id ? notify_channel_replace(c->db, c->api->vault, c->tenant_id, id, &in, c->now, &e)
                : notify_channel_create(made, c->db, c->api->vault, c->tenant_id, &in, c->now, &e);
    if (!id)
        id = made;
    if (rc == 0)
        rc =
            api_audit(c, id == made ? "notification_channel.create" : "notification_channel.update",
                      "notification_channel", id, buf_cstr(&data), &e);
    if (rc == 0)
        rc = notify_channel_get(&ch, c->db, c->tenant_id, id, &e);
    if (rc == 0)
        rc = db_commit(c->db, &e);
    else
        db_rollback(c->db);
    secret_dispose(&sealed);
    buf_dispose(&summary);
    buf_dispose(&data);
    if (rc < 0) {
        api_fail(c, &e);
        notify_channel_dispose(&ch);
        return;
    }
    struct buf *out = api_reply(c, id == made ? 201 : 200);
    notify_channel_format(&ch, out);
    if (id == made) {
        char loc[64 + ID_MAX];
        snprintf(loc, sizeof(loc), "/api/notification-channels/%s", id);
        http_resp_header(c->resp, "Location", loc);
    }
    notify_channel_dispose(&ch);
}

void api_notification_channels_create(struct api_ctx *c)
{
    struct notify_config cfg = {0};
    struct body b;
    struct err e;

    if (body_read(c, &b) < 0)
        goto out;
    if (notify_config_parse(&cfg, b.kind, jsonx_get(b.doc, "config"), NULL, &e) < 0) {
        api_invalid_msg(c, &e);
        goto out;
    }
    if (db_begin_tenant(c->db, c->tenant_id, &e) < 0) {
        api_fail(c, &e);
        goto out;
    }
    save(c, &b, &cfg, NULL);
out:
    notify_config_dispose(&cfg);
    body_dispose(&b);
}

static const char *channel_id(struct api_ctx *c)
{
    return api_path_id(c, "nch", "notification channel");
}

void api_notification_channel_put(struct api_ctx *c)
{
    struct notify_config cfg = {0}, old = {0};
    struct notify_channel ch = {0};
    struct secret plain = {0};
    struct body b;
    struct err e;
    const char *id;

    memset(&b, 0, sizeof(b));
    if (!(id = channel_id(c)) || body_read(c, &b) < 0)
        goto out;
    int rc = db_begin_tenant(c->db, c->tenant_id, &e);
    if (rc == 0)
        rc = notify_channel_get(&ch, c->db, c->tenant_id, id, &e);
    if (rc == 0)
        rc = notify_channel_open(&plain, c->db, c->api->vault, c->tenant_id, id, &e);
    if (rc == 0)
        rc = notify_config_load(&old, notify_kind_parse(ch.kind), plain.p, plain.n, &e);
    secret_dispose(&plain);
    if (rc < 0) {
        db_rollback(c->db);
        api_fail(c, &e);
        goto out;
    }
    if (notify_config_parse(&cfg, b.kind, jsonx_get(b.doc, "config"), &old, &e) < 0) {
        db_rollback(c->db);
        api_invalid_msg(c, &e);
        goto out;
    }
    save(c, &b, &cfg, id);
out:
    notify_config_dispose(&cfg);
    notify_config_dispose(&old);
    notify_channel_dispose(&ch);
    body_dispose(&b);
}

struct page {
    struct buf *b;
    size_t n;
    const char *public_url;
    char last[ID_MAX];
};

static int put_channel(void *ctx, const struct notify_channel *ch)
{
    struct page *p = ctx;
    buf_puts(p->b, p->n++ ? "," : "");
    notify_channel_format(ch, p->b);
    return 0;
}

void api_notification_channels_list(struct api_ctx *c)
{
    static const char *const none[] = {NULL};
    struct err e;

    if (api_query_only(c, none) < 0)
        return;
    if (db_begin_tenant_read(c->db, c->tenant_id, &e) < 0) {
        api_fail(c, &e);
        return;
    }
    struct buf *b = api_reply(c, 200);
    struct page p = {.b = b};
    buf_puts(b, "{\"data\":[");
    int rc = notify_channel_list(c->db, c->tenant_id, put_channel, &p, &e);
    db_rollback(c->db); /* read only */
    if (rc < 0) {
        api_fail(c, &e);
        return;
    }
    buf_puts(b, "],\"next_cursor\":null}");
}

void api_notification_channel_get(struct api_ctx *c)
{
    static const char *const none[] = {NULL};
    struct notify_channel ch = {0};
    const char *id;
    struct err e;

    if (api_query_only(c, none) < 0 || !(id = channel_id(c)))
        return;
    int rc = db_begin_tenant_read(c->db, c->tenant_id, &e);
    if (rc == 0)
        rc = notify_channel_get(&ch, c->db, c->tenant_id, id, &e);
    db_rollback(c->db);
    if (rc < 0)
        api_fail(c, &e);
    else
        notify_channel_format(&ch, api_reply(c, 200));
    notify_channel_dispose(&ch);
}

void api_notification_channel_delete(struct api_ctx *c)
{
    const char *id;
    struct err e;

    if (!(id = channel_id(c)))
        return;
    int rc = db_begin_tenant(c->db, c->tenant_id, &e);
    if (rc == 0)
        rc = notify_channel_delete(c->db, c->tenant_id, id, &e);
    if (rc == 0)
        rc = api_audit(c, "notification_channel.delete", "notification_channel", id, NULL, &e);
    rc = rc == 0 ? db_commit(c->db, &e) : (db_rollback(c->db), rc);
    if (rc < 0)
        api_fail(c, &e);
    else
        api_reply(c, 204);
}

void api_notification_channel_test(struct api_ctx *c)
{
    struct notify_test_result res;
    struct notify_env env = {.db = c->db, .vault = c->api->vault, .public_url = c->api->public_url};
    const char *id;
    struct err e;

    if (!(id = channel_id(c)))
        return;
    /* Nothing is open on c->db while the message is on the network. */
    if (notify_deliver_test(&res, &env, c->tenant_id, id, c->now, &e) < 0) {
        api_fail(c, &e);
        return;
    }
    api_send_test_reply(c, "notification_channel.test", "notification_channel", id, res.ok,
                        res.status, res.elapsed_ms, res.error);
}

static int put_item(void *ctx, const struct notify_item *n)
{
    struct page *p = ctx;
    buf_puts(p->b, p->n++ ? "," : "");
    notify_item_format(n, p->public_url, p->b);
    snprintf(p->last, sizeof(p->last), "%s", n->id);
    return 0;
}

void api_notifications_list(struct api_ctx *c)
{
    static const char *const params[] = {"unread", "limit", "cursor", NULL};
    const char *cursor;
    bool unread, more = false;
    int64_t count = 0;
    int limit;
    struct err e;

    if (api_query_only(c, params) < 0 || api_query_bool(c, "unread", false, &unread) < 0 ||
        api_query_int(c, "limit", API_LIST_DEFAULT, 1, NOTIFY_LIST_MAX, &limit) < 0 ||
        api_query_id(c, "cursor", "ntf", &cursor) < 0)
        return;
    if (db_begin_tenant_read(c->db, c->tenant_id, &e) < 0) {
        api_fail(c, &e);
        return;
    }
    struct buf *b = api_reply(c, 200);
    struct page p = {.b = b, .public_url = c->api->public_url};
    buf_puts(b, "{\"data\":[");
    int rc = notify_inbox_list(&more, c->db, c->tenant_id, unread, cursor, limit, put_item, &p, &e);
    if (rc == 0)
        rc = notify_inbox_unread(&count, c->db, c->tenant_id, &e);
    db_rollback(c->db); /* read only */
    if (rc < 0) {
        api_fail(c, &e);
        return;
    }
    buf_puts(b, "],\"next_cursor\":");
    buf_put_json_str(b, more ? p.last : NULL);
    buf_printf(b, ",\"unread\":%lld}", (long long)count);
}

void api_notification_read(struct api_ctx *c)
{
    const char *id;
    struct err e;

    if (!(id = api_path_id(c, "ntf", "notification")))
        return;
    int rc = db_begin_tenant(c->db, c->tenant_id, &e);
    if (rc == 0)
        rc = notify_inbox_read(c->db, c->tenant_id, id, c->now, &e);
    rc = rc == 0 ? db_commit(c->db, &e) : (db_rollback(c->db), rc);
    if (rc < 0)
        api_fail(c, &e);
    else
        api_reply(c, 204);
}

void api_notifications_read_all(struct api_ctx *c)
{
    int64_t n = 0;
    struct err e;

    int rc = db_begin_tenant(c->db, c->tenant_id, &e);
    if (rc == 0)
        rc = notify_inbox_read_all(&n, c->db, c->tenant_id, c->now, &e);
    rc = rc == 0 ? db_commit(c->db, &e) : (db_rollback(c->db), rc);
    if (rc < 0)
        api_fail(c, &e);
    else
        buf_printf(api_reply(c, 200), "{\"marked\":%lld}", (long long)n);
}
