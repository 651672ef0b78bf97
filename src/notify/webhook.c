/* notify/webhook.c - the signed webhook sender (Standard Webhooks): the
 * body is {"type","timestamp","data"}, signed over
 * "{webhook-id}.{webhook-timestamp}.{body}" with the channel's key. The
 * webhook-id is the delivery's id, the same on every retry, so that a
 * receiver can drop a repeat; the timestamp is the attempt's. */
#include <string.h>

#include "core/buf.h"
#include "core/jsonx.h"
#include "core/time.h"
#include "notify/notify_int.h"
#include "notify/post.h"

/* The payload: the stored data with the message's words added. */
static void payload(struct buf *b, const struct notify_msg *m)
{
    struct json_object *data = NULL;
    struct err e;
    char when[TIME_RFC3339_MAX];

    if (jsonx_parse(&data, m->data, strlen(m->data), strlen(m->data) + 1, &e) < 0 ||
        !json_object_is_type(data, json_type_object)) {
        json_object_put(data);
        data = json_object_new_object();
    }
    json_object_object_add(data, "notification_id", json_object_new_string(m->id));
    json_object_object_add(data, "level", json_object_new_string(m->level));
    json_object_object_add(data, "title", json_object_new_string(m->title));
    json_object_object_add(data, "body", json_object_new_string(m->body));
    json_object_object_add(data, "link", m->link ? json_object_new_string(m->link) : NULL);
    time_format_rfc3339(when, m->created_at * 1000);
    buf_puts(b, "{\"type\":");
    buf_put_json_str(b, m->event);
    buf_puts(b, ",\"timestamp\":");
    buf_put_json_str(b, when);
    buf_puts(b, ",\"data\":");
    jsonx_format(b, data);
    buf_putc(b, '}');
    json_object_put(data);
}

static int webhook_send(struct notify_result *res, const struct notify_config *c,
                        const struct notify_msg *m, long timeout_ms, int64_t now, struct err *err)
{
    struct buf body;

    buf_init(&body, 0);
    payload(&body, m);
    int rc = notify_post_signed(res, "webhook", (const char *)c->url.p, (const char *)c->secret.p,
                                c->secret.n, m->id, body.p, body.n, timeout_ms, now, err);
    buf_dispose(&body);
    return rc;
}

const struct notify_sender notify__webhook = {NOTIFY_KIND_WEBHOOK, webhook_send};
