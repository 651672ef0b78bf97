/* tests/unit/http/client.h - a small blocking HTTP client over libcurl for
 * the server suite: one call, one fresh connection, the status, the raw
 * response headers and the body in bounded buffers. */
#ifndef INLET_TESTS_HTTP_CLIENT_H
#define INLET_TESTS_HTTP_CLIENT_H
#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

struct client_call {
    const char *method;     /* NULL: GET, or POST when there is a body */
    const char *path;       /* appended to the base URL, sent as is (no dot folding) */
    const char *body;       /* NULL: no body */
    size_t body_len;        /* bytes at body */
    bool chunked;           /* send the body with Transfer-Encoding: chunked */
    const char *headers[6]; /* "Name: value" lines, NULL-terminated */
    long timeout_ms;        /* 0: 10 s */
};

struct client_reply {
    CURLcode rc;
    long status;     /* 0 when no response came */
    struct buf head; /* the response's header lines, as received */
    struct buf body;
};

/* Call base + c->path; fills *r (OUT; dispose with client_reply_dispose). */
void client_call(struct client_reply *r, const char *base, const struct client_call *c);
void client_reply_dispose(struct client_reply *r);

/* The value of response header name (case-insensitive), copied into out;
 * NULL when absent. */
const char *client_header(const struct client_reply *r, const char *name, char *out, size_t n);

#endif
