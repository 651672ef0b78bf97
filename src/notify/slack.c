/* notify/slack.c - the Slack sender: an incoming webhook takes a POST of
 * {"text": ...} in Slack's mrkdwn, where &, < and > must be escaped and a
 * link is written <url|label>. The webhook URL is the channel's secret. */
#include <string.h>

#include "core/buf.h"
#include "notify/notify_int.h"

/* Append s with mrkdwn's three control characters escaped. */
static void put_mrkdwn(struct buf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '&')
            buf_puts(b, "&amp;");
        else if (*s == '<')
            buf_puts(b, "&lt;");
        else if (*s == '>')
            buf_puts(b, "&gt;");
        else
            buf_putc(b, *s);
    }
}

static int slack_send(struct notify_result *res, const struct notify_config *c,
                      const struct notify_msg *m, long timeout_ms, int64_t now, struct err *err)
{
    struct buf text, body;
    buf_init(&text, 0);
    buf_init(&body, 0);
    buf_putc(&text, '*');
    put_mrkdwn(&text, m->title);
    buf_puts(&text, "*\n");
    put_mrkdwn(&text, m->body);
    if (m->link) {
        buf_puts(&text, "\n<");
        buf_puts(&text, m->link); /* an http(s) URL of ours: no '|' or '>' */
        buf_puts(&text, "|Open in inlet>");
    }
    buf_puts(&body, "{\"text\":");
    buf_put_json_str(&body, buf_cstr(&text));
    buf_putc(&body, '}');
    int rc = notify_post(res, "slack", (const char *)c->url.p, NULL, body.p, body.n, timeout_ms,
                         now, err);
    buf_dispose(&text);
    buf_dispose(&body);
    return rc;
}

const struct notify_sender notify__slack = {NOTIFY_KIND_SLACK, slack_send};
