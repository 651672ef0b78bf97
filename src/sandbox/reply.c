/* sandbox/reply.c - small helpers the emulators' handlers share: their
 * provider, the clock, JSON and HTML answers. */
#include <string.h>

#include "core/time.h"
#include "sandbox/sandbox_int.h"

struct sb_provider *sb_of(const struct http_req *req)
{
    return req->app;
}

int64_t sb_now_ms(void)
{
    return time_now_ms();
}

void sb_json(struct http_resp *resp, int status, const char *json)
{
    resp->status = status;
    resp->content_type = NULL;
    buf_reset(&resp->body);
    buf_puts(&resp->body, json);
}

void sb_html(struct http_resp *resp, int status, const char *html)
{
    resp->status = status;
    resp->content_type = "text/html; charset=utf-8";
    buf_reset(&resp->body);
    buf_puts(&resp->body, html);
}

void sb_hidden_input(struct buf *b, const char *name, const char *value)
{
    if (!value)
        return;
    buf_printf(b, "<input type=\"hidden\" name=\"%s\" value=\"", name);
    buf_put_html(b, value);
    buf_puts(b, "\">\n");
}

void sb_redirect(struct http_resp *resp, const char *uri, const char *const *kv, size_t n)
{
    struct buf b;
    char sep = strchr(uri, '?') ? '&' : '?';

    buf_init(&b, 8192);
    buf_puts(&b, uri);
    for (size_t i = 0; i + 1 < n; i += 2) {
        if (!kv[i + 1])
            continue;
        buf_putc(&b, sep);
        sep = '&';
        buf_puts(&b, kv[i]);
        buf_putc(&b, '=');
        buf_put_urlenc(&b, kv[i + 1], strlen(kv[i + 1]));
    }
    resp->status = 302;
    resp->content_type = "text/html; charset=utf-8";
    buf_reset(&resp->body);
    http_resp_header(resp, "Location", buf_cstr(&b));
    buf_dispose(&b);
}
