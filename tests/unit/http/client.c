/* tests/unit/http/client.c - the server suite's libcurl client (client.h).
 * Every call is a fresh easy handle, so a fresh connection: the tests of
 * graceful shutdown depend on that. */
#include "client.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "test.h"

struct upload {
    const char *p;
    size_t n, off;
};

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
    buf_put(ud, p, size * n);
    return size * n;
}

/* Hands the body over in pieces of at most 1000 bytes, so a chunked body
 * really arrives as many chunks. */
static size_t on_read(char *dst, size_t size, size_t n, void *ud)
{
    struct upload *u = ud;
    size_t k = size * n;
    if (k > 1000)
        k = 1000;
    if (k > u->n - u->off)
        k = u->n - u->off;
    memcpy(dst, u->p + u->off, k);
    u->off += k;
    return k;
}

void client_call(struct client_reply *r, const char *base, const struct client_call *c)
{
    char url[4096];
    struct curl_slist *hl = NULL;
    struct upload up = {c->body, c->body_len, 0};
    CURL *h = curl_easy_init();
    assert_non_null(h);

    memset(r, 0, sizeof(*r));
    buf_init(&r->head, 1 << 16);
    buf_init(&r->body, 1 << 22);
    snprintf(url, sizeof(url), "%s%s", base, c->path);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->timeout_ms ? c->timeout_ms : 10000L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &r->body);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &r->head);
    for (size_t i = 0; i < sizeof(c->headers) / sizeof(c->headers[0]) && c->headers[i]; i++)
        hl = curl_slist_append(hl, c->headers[i]);
    if (c->body && c->chunked) {
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
        curl_easy_setopt(h, CURLOPT_READDATA, &up);
        hl = curl_slist_append(hl, "Transfer-Encoding: chunked");
        hl = curl_slist_append(hl, "Expect:"); /* stream at once, no 100-continue wait */
    } else if (c->body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, c->body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)c->body_len);
    }
    if (c->method)
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, c->method);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    r->rc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
    curl_easy_cleanup(h);
    curl_slist_free_all(hl);
}

void client_reply_dispose(struct client_reply *r)
{
    buf_dispose(&r->head);
    buf_dispose(&r->body);
}

const char *client_header(const struct client_reply *r, const char *name, char *out, size_t n)
{
    size_t len = strlen(name);
    for (const char *line = buf_cstr(&r->head); *line;) {
        const char *end = strstr(line, "\r\n");
        if (!end)
            break;
        if (strncasecmp(line, name, len) == 0 && line[len] == ':') {
            const char *v = line + len + 1;
            while (*v == ' ')
                v++;
            snprintf(out, n, "%.*s", (int)(end - v), v);
            return out;
        }
        line = end + 2;
    }
    return NULL;
}
