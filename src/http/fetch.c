/* http/fetch.c - see fetch.h. One libcurl easy handle per thread, reset
 * between requests, so that consecutive calls to one provider reuse the
 * connection (a sync walks thousands of pages). */
#include <curl/curl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/time.h"
#include "http/fetch.h"

#define USER_AGENT "inlet/0.1 (+https://github.com/inlet)"

static pthread_key_t handle_key;
static pthread_once_t handle_once = PTHREAD_ONCE_INIT;

static void handle_free(void *h)
{
    curl_easy_cleanup(h);
}

static void handle_key_make(void)
{
    /* Cannot fail short of exhausting keys at start-up. */
    if (pthread_key_create(&handle_key, handle_free) != 0)
        handle_key = 0;
}

/* This thread's handle, made on first use; NULL when libcurl cannot. */
static CURL *handle(void)
{
    pthread_once(&handle_once, handle_key_make);
    CURL *h = pthread_getspecific(handle_key);
    if (h) {
        curl_easy_reset(h);
        return h;
    }
    h = curl_easy_init();
    if (h && pthread_setspecific(handle_key, h) != 0) {
        curl_easy_cleanup(h);
        return NULL;
    }
    return h;
}

struct sink {
    struct buf *b;
    size_t max;
    bool over;
};

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    struct sink *s = ud;
    if (s->b->n + size * n > s->max) {
        s->over = true;
        return 0; /* stops the transfer */
    }
    buf_put(s->b, p, size * n);
    return size * n;
}

static size_t on_head(char *p, size_t size, size_t n, void *ud)
{
    struct buf *b = ud;
    if (b->n + size * n <= 65536) /* more header bytes than this are not kept */
        buf_put(b, p, size * n);
    return size * n;
}

/* The URL as messages may show it: no user, no query, no fragment. */
static void url_for_message(char *out, size_t n, const char *url)
{
    const char *host = strstr(url, "://");
    const char *at;
    size_t len = strcspn(url, "?#");
    host = host ? host + 3 : url;
    at = memchr(host, '@', strcspn(host, "/?#"));
    if (at) {
        snprintf(out, n, "%.*s%.*s", (int)(host - url), url, (int)(len - (size_t)(at + 1 - url)),
                 at + 1);
        return;
    }
    snprintf(out, n, "%.*s", (int)len, url);
}

int fetch(struct fetch_resp *out, const struct fetch_req *r, struct err *err)
{
    struct curl_slist *hl = NULL;
    struct sink sink;
    char shown[256];
    CURLcode rc;
    int64_t t0 = time_mono_ms();

    memset(out, 0, sizeof(*out));
    buf_init(&out->head, 0);
    buf_init(&out->body, 0);
    url_for_message(shown, sizeof(shown), r->url);
    if (strncasecmp(r->url, "https://", 8) != 0 && strncasecmp(r->url, "http://", 7) != 0)
        return err_set(err, ERR_INVALID, "%s: only http and https URLs are fetched", shown);
    CURL *h = handle();
    if (!h)
        return err_set(err, ERR_IO, "%s: libcurl could not start a transfer", shown);
    sink = (struct sink){&out->body, r->body_max ? r->body_max : FETCH_BODY_MAX_DEFAULT, false};
    for (size_t i = 0; i < FETCH_HEADERS_MAX && r->headers[i]; i++) {
        struct curl_slist *next = curl_slist_append(hl, r->headers[i]);
        if (!next) {
            curl_slist_free_all(hl);
            return err_set(err, ERR_IO, "%s: out of memory for headers", shown);
        }
        hl = next;
    }
    curl_easy_setopt(h, CURLOPT_URL, r->url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS,
                     r->timeout_ms ? r->timeout_ms : FETCH_TIMEOUT_MS_DEFAULT);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
    curl_easy_setopt(h, CURLOPT_USERAGENT, USER_AGENT);
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, ""); /* whatever libcurl decodes */
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_head);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &out->head);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    if (r->body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, r->body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body_len);
    }
    if (r->method)
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, r->method);
    rc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(hl);
    out->elapsed_ms = time_mono_ms() - t0;
    if (sink.over)
        return err_set(err, ERR_TOOBIG, "%s: the answer is over %zu bytes", shown, sink.max);
    if (rc != CURLE_OK)
        return err_set(err, ERR_IO, "%s: %s", shown, curl_easy_strerror(rc));
    return 0;
}

const char *fetch_header(const struct fetch_resp *r, const char *name, char *out, size_t n)
{
    const char *p = buf_cstr(&r->head);
    size_t k = strlen(name);

    while (*p) {
        size_t line = strcspn(p, "\n");
        if (line > k && strncasecmp(p, name, k) == 0 && p[k] == ':') {
            const char *v = p + k + 1;
            size_t vn = line - k - 1;
            while (vn && (*v == ' ' || *v == '\t'))
                v++, vn--;
            while (vn && (v[vn - 1] == '\r' || v[vn - 1] == ' '))
                vn--;
            snprintf(out, n, "%.*s", (int)vn, v);
            return out;
        }
        p += line + (p[line] == '\n');
    }
    return NULL;
}

void fetch_resp_dispose(struct fetch_resp *r)
{
    buf_dispose(&r->head);
    buf_dispose(&r->body);
}
