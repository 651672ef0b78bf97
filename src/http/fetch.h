/* http/fetch.h - inlet's outbound HTTP: one request to a provider, one
 * answer, through libcurl. Used by oauth/ (token exchange, refresh,
 * revoke, identity) and later by sync/ and the proxy. What it does for
 * every caller: http and https only, redirects never followed (a 3xx is
 * an answer like any other, so a provider cannot steer a token elsewhere),
 * TLS verified, a timeout on every request, the response body capped, and
 * connections kept alive per thread. Request headers may hold secrets
 * (Authorization), so neither they nor the URL's query ever reach an error
 * message or a log line. */
#ifndef INLET_HTTP_FETCH_H
#define INLET_HTTP_FETCH_H
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

#define FETCH_BODY_MAX_DEFAULT   (16u << 20) /* bytes of a response body */
#define FETCH_TIMEOUT_MS_DEFAULT 30000       /* the whole exchange */
#define FETCH_HEADERS_MAX        12          /* request header lines */

struct fetch_req {
    const char *method; /* NULL: GET, or POST when there is a body */
    const char *url;    /* absolute http(s) URL */
    /* "Name: value" lines, up to FETCH_HEADERS_MAX, ending at the first NULL. */
    const char *headers[FETCH_HEADERS_MAX];
    const char *body; /* NULL: none; not copied */
    size_t body_len;
    long timeout_ms; /* 0: FETCH_TIMEOUT_MS_DEFAULT */
    size_t body_max; /* 0: FETCH_BODY_MAX_DEFAULT */
};

struct fetch_resp {
    long status;     /* the HTTP status */
    struct buf head; /* the response's header lines as received */
    struct buf body; /* NUL-terminated (buf_cstr) */
    int64_t elapsed_ms;
};

/* Send r and read the answer into *out (OUT; dispose with
 * fetch_resp_dispose, also after an error). Any HTTP status is a success
 * here: the caller reads out->status. ERR_INVALID for a URL that is not
 * http(s); ERR_IO when no answer came (refused, reset, timed out, TLS),
 * with libcurl's reason and the URL without its query; ERR_TOOBIG when the
 * body passed r->body_max. */
MUST_CHECK int fetch(struct fetch_resp *out, const struct fetch_req *r, struct err *err);

/* The value of response header name (case-insensitive, the first if
 * repeated), copied into out (n bytes, cut); NULL when absent. */
const char *fetch_header(const struct fetch_resp *r, const char *name, char *out, size_t n);

void fetch_resp_dispose(struct fetch_resp *r);

#endif
