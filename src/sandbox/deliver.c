/* sandbox/deliver.c - POST a signed webhook delivery from an emulator to
 * a receiver (inlet, in tests and under --demo), as the provider would:
 * the emulator builds and signs the body, this sends it and reports what
 * the receiver answered. */
#include <curl/curl.h>
#include <string.h>

#include "sandbox/sandbox_int.h"

#define ANSWER_MAX 65536 /* bytes of the receiver's answer kept */

static size_t keep(char *ptr, size_t size, size_t n, void *ctx)
{
    struct buf *b = ctx;
    if (b->n + size * n <= ANSWER_MAX)
        buf_put(b, ptr, size * n);
    return size * n;
}

int sb_deliver(long *status, struct buf *answer, const char *url, const char *const *headers,
               const char *body, struct err *err)
{
    struct curl_slist *h = NULL;
    struct buf scratch;
    CURL *c = curl_easy_init();
    *status = 0;
    if (!c)
        return err_set(err, ERR_IO, "libcurl could not start a transfer");
    buf_init(&scratch, 0);
    h = curl_slist_append(h, "Content-Type: application/json");
    for (size_t i = 0; headers && headers[i]; i++)
        h = curl_slist_append(h, headers[i]);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, answer ? answer : &scratch);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    CURLcode rc = curl_easy_perform(c);
    if (rc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    curl_easy_cleanup(c);
    curl_slist_free_all(h);
    buf_dispose(&scratch);
    if (rc != CURLE_OK)
        return err_set(err, ERR_IO, "delivery: %s", curl_easy_strerror(rc));
    return 0;
}
