/* http/response.c - what a handler fills and how it goes out: the header
 * and error-body helpers of http/server.h, and the conversion of a struct
 * http_resp into a libmicrohttpd response with inlet's default headers
 * (Content-Type, X-Content-Type-Options, Cache-Control on JSON). Used by
 * handlers and by http/server.c. */
#include <assert.h>
#include <microhttpd.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "core/str.h"
#include "http/server_int.h"

void http_resp_header(struct http_resp *resp, const char *name, const char *value)
{
    assert(resp->nheaders < HTTP_HEADERS_MAX);
    assert(name[0] != '\0' && strpbrk(name, " \t\r\n:") == NULL);
    assert(strpbrk(value, "\r\n") == NULL);
    /* libmicrohttpd computes these; Content-Type goes through content_type. */
    assert(strcasecmp(name, "Content-Type") != 0 && strcasecmp(name, "Content-Length") != 0 &&
           strcasecmp(name, "Transfer-Encoding") != 0);
    resp->headers[resp->nheaders].name = xstrdup(name);
    resp->headers[resp->nheaders].value = xstrdup(value);
    resp->nheaders++;
}

const char *http_resp_content_type(struct http_resp *resp, const char *type)
{
    size_t n = strlen(type);
    if (n == 0 || n > HTTP_CONTENT_TYPE_MAX)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)type[i] < 0x20 || type[i] == 0x7f)
            return NULL;
    memcpy(resp->content_type_buf, type, n + 1);
    resp->content_type = resp->content_type_buf;
    return resp->content_type;
}

/* A message may quote what a client sent (a path segment, a query value,
 * cut at a byte count): each byte that does not start a UTF-8 sequence
 * becomes U+FFFD, so that the answer is always valid JSON. */
static void put_message(struct buf *b, const char *s)
{
    size_t n = strlen(s), i = 0;
    while (i < n) {
        size_t end = i, k;
        while (end < n && (k = str_utf8_seq(s + end, n - end)) > 0)
            end += k;
        buf_put_jsonesc(b, s + i, end - i);
        if (end < n) {
            buf_puts(b, "\\ufffd");
            end++;
        }
        i = end;
    }
}

void http_resp_error(struct http_resp *resp, int status, const char *code, const char *message,
                     const char *details)
{
    resp->status = status;
    resp->content_type = "application/json";
    buf_reset(&resp->body);
    buf_puts(&resp->body, "{\"error\":{\"code\":\"");
    buf_put_jsonesc(&resp->body, code, strlen(code));
    buf_puts(&resp->body, "\",\"message\":\"");
    put_message(&resp->body, message);
    buf_puts(&resp->body, "\",\"details\":");
    buf_puts(&resp->body, details ? details : "null");
    buf_puts(&resp->body, "}}");
}

void http_response_init(struct http_resp *resp)
{
    memset(resp, 0, sizeof(*resp));
    resp->status = 500;
    buf_init(&resp->body, HTTP_RESP_MAX);
}

void http_response_dispose(struct http_resp *resp)
{
    for (size_t i = 0; i < resp->nheaders; i++) {
        xfree(resp->headers[i].name);
        xfree(resp->headers[i].value);
    }
    resp->nheaders = 0;
    buf_dispose(&resp->body);
}

static bool is_json(const char *type)
{
    size_t n = strcspn(type, ";");
    return (n == 16 && strncasecmp(type, "application/json", 16) == 0) ||
           (n > 5 && strncasecmp(type + n - 5, "+json", 5) == 0);
}

static bool has_header(const struct http_resp *resp, const char *name)
{
    for (size_t i = 0; i < resp->nheaders; i++)
        if (strcasecmp(resp->headers[i].name, name) == 0)
            return true;
    return false;
}

/* A body sent up to a cut (http_resp.cut_at): the reader hands out the
 * bytes before it, then reports an error, and libmicrohttpd closes the
 * connection with the announced length unmet. */
struct cut_body {
    char *bytes; /* from buf_take; owned */
    size_t cut;
};

static ssize_t cut_read(void *cls, uint64_t pos, char *out, size_t max)
{
    const struct cut_body *c = cls;
    if (pos >= c->cut)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    size_t n = c->cut - (size_t)pos < max ? c->cut - (size_t)pos : max;
    memcpy(out, c->bytes + pos, n);
    return (ssize_t)n;
}

static void cut_free(void *cls)
{
    struct cut_body *c = cls;
    xfree(c->bytes);
    xfree(c);
}

static struct MHD_Response *cut_response(struct http_resp *resp)
{
    struct cut_body *c = xmalloc(sizeof(*c));
    size_t n = resp->body.n;
    c->cut = resp->cut_at;
    c->bytes = buf_take(&resp->body);
    struct MHD_Response *r = MHD_create_response_from_callback(n, 4096, cut_read, c, cut_free);
    if (!r)
        cut_free(c);
    return r;
}

struct MHD_Response *http_response_mhd(struct http_resp *resp, bool closing)
{
    struct MHD_Response *r;
    size_t n = resp->body.n;
    if (n && resp->cut_at && resp->cut_at < n) {
        r = cut_response(resp);
    } else if (n) {
        /* Zero-copy: libmicrohttpd hands the body back to xfree when done. */
        char *body = buf_take(&resp->body);
        r = MHD_create_response_from_buffer_with_free_callback(n, body, xfree);
        if (!r)
            xfree(body);
    } else {
        r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    }
    if (!r)
        return NULL;
    const char *type = resp->content_type ? resp->content_type : "application/json";
    bool ok = true;
    if (n)
        ok &= MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type) == MHD_YES;
    ok &= MHD_add_response_header(r, "X-Content-Type-Options", "nosniff") == MHD_YES;
    if (is_json(type) && !has_header(resp, "Cache-Control"))
        ok &= MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store") == MHD_YES;
    for (size_t i = 0; i < resp->nheaders; i++)
        ok &= MHD_add_response_header(r, resp->headers[i].name, resp->headers[i].value) == MHD_YES;
    /* While stopping, tell keep-alive clients to go elsewhere. */
    if (closing)
        ok &= MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close") == MHD_YES;
    if (!ok) {
        MHD_destroy_response(r);
        return NULL;
    }
    return r;
}
