/* notify/post.c - see post.h. Through http/fetch.h: no redirects, a
 * capped answer, a timeout. fetch's own messages name the URL (without
 * its query), and a Slack webhook URL holds its secret in the path, so
 * only libcurl's reason is kept from them. */
#include "notify/post.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "http/fetch.h"
#include "http/retry.h"
#include "notify/whsig.h"

#define ANSWER_MAX 65536 /* bytes of a receiver's answer read */
#define SNIPPET    80    /* bytes of it quoted in an error */

/* The reason at the end of a fetch message "<url>: <reason>", when it is
 * plainly one of libcurl's (no '/', '@' or '?'); else a generic one. */
static const char *reason_of(const struct err *e)
{
    const char *r = NULL;
    for (const char *p = strstr(e->msg, ": "); p; p = strstr(p + 1, ": "))
        r = p + 2;
    if (!r || !*r || strpbrk(r, "/@?"))
        return "network error";
    return r;
}

/* A printable one-line piece of the answer's body, into out. */
static void snippet(char *out, size_t n, const struct buf *body)
{
    size_t k = 0;
    for (size_t i = 0; i < body->n && k + 1 < n && i < SNIPPET; i++) {
        char c = body->p[i];
        if (c < 0x20 || c == 0x7f)
            c = ' ';
        out[k++] = c;
    }
    while (k && out[k - 1] == ' ')
        k--;
    out[k] = '\0';
}

int notify_post(struct notify_result *res, const char *what, const char *url,
                const char *const *headers, const char *body, size_t n, long timeout_ms,
                int64_t now, struct err *err)
{
    struct fetch_req r = {.method = "POST",
                          .url = url,
                          .body = body,
                          .body_len = n,
                          .timeout_ms = timeout_ms,
                          .body_max = ANSWER_MAX};
    struct fetch_resp resp;
    struct err e;
    size_t h = 0;
    char piece[SNIPPET + 1];

    memset(res, 0, sizeof(*res));
    r.headers[h++] = "Content-Type: application/json";
    for (size_t i = 0; headers && headers[i] && h + 1 < FETCH_HEADERS_MAX; i++)
        r.headers[h++] = headers[i];
    int rc = fetch(&resp, &r, &e);
    res->elapsed_ms = resp.elapsed_ms;
    res->status = resp.status;
    if (rc == ERR_INVALID) {
        fetch_resp_dispose(&resp);
        return err_set(err, ERR_INVALID, "%s: the URL is not http or https", what);
    }
    if (rc < 0 && !(rc == ERR_TOOBIG && resp.status)) {
        res->retry = true;
        res->status = 0;
        fetch_resp_dispose(&resp);
        return err_set(err, ERR_IO, "%s: no answer: %s", what, reason_of(&e));
    }
    long st = resp.status;
    if (st >= 200 && st < 300) {
        fetch_resp_dispose(&resp);
        return 0;
    }
    snippet(piece, sizeof(piece), &resp.body);
    if (st == 408 || st == 429 || st >= 500) {
        int64_t w = retry_wait_ms(&resp, now * 1000);
        res->retry = true;
        res->wait_s = w > 0 ? (w + 999) / 1000 : 0;
        rc = ERR_AGAIN;
    } else {
        rc = ERR_INVALID;
    }
    fetch_resp_dispose(&resp);
    if (piece[0])
        return err_set(err, rc, "%s: HTTP %ld: %s", what, st, piece);
    return err_set(err, rc, "%s: HTTP %ld", what, st);
}

int notify_post_signed(struct notify_result *res, const char *what, const char *url,
                       const char *secret, size_t secret_n, const char *id, const char *body,
                       size_t n, long timeout_ms, int64_t now, struct err *err)
{
    struct secret key = {0};
    char sig[WHSIG_SIG_LEN], h_id[32 + WHSIG_ID_MAX], h_ts[48], h_sig[32 + WHSIG_SIG_LEN];

    memset(res, 0, sizeof(*res));
    int rc = whsig_key_parse(&key, secret, secret_n, err);
    if (rc < 0)
        return rc;
    whsig_sign(sig, &key, id, now, body, n);
    secret_dispose(&key);
    snprintf(h_id, sizeof(h_id), "webhook-id: %s", id);
    snprintf(h_ts, sizeof(h_ts), "webhook-timestamp: %" PRId64, now);
    snprintf(h_sig, sizeof(h_sig), "webhook-signature: %s", sig);
    const char *headers[] = {h_id, h_ts, h_sig, NULL};
    return notify_post(res, what, url, headers, body, n, timeout_ms, now, err);
}
