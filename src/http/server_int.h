/* http/server_int.h - the internals server.c shares with router.c and
 * metrics.c: the compiled route table and its matcher, percent-decoding, and
 * the Prometheus counters. Private to http/ (and its unit tests): everything
 * else goes through http/server.h. See docs/internals/http.md. */
#ifndef INLET_HTTP_SERVER_INT_H
#define INLET_HTTP_SERVER_INT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "http/server.h"

#define HTTP_PATH_MAX 2048 /* bytes of a request path as sent, query excluded */

/* The methods a route may declare, in the order an Allow header lists them.
 * The metrics label any other method "other", so label sets stay bounded. */
#define HTTP_METHODS       7
#define HTTP_METHOD_OTHER  HTTP_METHODS /* index of "other" */
#define HTTP_ALLOW_MAX     64           /* bytes for "GET, HEAD, POST, ..." and the NUL */
#define HTTP_ROUTER_ERRMAX 96           /* bytes of a bad-path message */

/* ---- router.c ---- */

struct http_router;

enum http_router_result {
    HTTP_ROUTER_FOUND = 0,   /* m->route, m->pattern, params, path set */
    HTTP_ROUTER_BAD_PATH,    /* 400: m->error says what and at which byte */
    HTTP_ROUTER_NOT_FOUND,   /* 404: no pattern matches the path */
    HTTP_ROUTER_NOT_ALLOWED, /* 405: m->pattern and m->allow set */
};

/* What http_router_match found. Large (about 4.5 KiB): the server keeps one in
 * each request's context; the strings point into the struct itself or into
 * the router, so they live as long as both. */
struct http_router_match {
    size_t route;   /* FOUND: index into the table given to http_router_new */
    size_t pattern; /* FOUND, NOT_ALLOWED: index of the pattern (http_router_pattern) */
    size_t nparams;
    struct http_param params[HTTP_PARAMS_MAX];    /* FOUND: values point into values[] */
    char allow[HTTP_ALLOW_MAX];                   /* NOT_ALLOWED: "GET, POST" */
    char error[HTTP_ROUTER_ERRMAX];               /* BAD_PATH: one line, never quotes the path */
    char path[HTTP_PATH_MAX + 1];                 /* decoded path (not BAD_PATH); "/" at least */
    char values[HTTP_PATH_MAX + HTTP_PARAMS_MAX]; /* parameter values, each NUL-terminated */
};

/* Compile a route table (borrowed: the router keeps pointers to it, so it
 * must outlive the router). ERR_INVALID, naming the route and the pattern,
 * for a malformed pattern, a method outside the HTTP_METHODS list, or two
 * routes with the same method and the same pattern shape ("/a/{x}" and
 * "/a/{y}" are the same shape). *out (OUT) is the caller's: http_router_free. */
MUST_CHECK int http_router_new(struct http_router **out, const struct http_route *routes, size_t n,
                               struct err *err);
void http_router_free(struct http_router *r); /* NULL is a no-op */

/* Match the n bytes of path (no query; no NUL needed) and method against the
 * table, filling *m (OUT). The path is split on '/' first and each segment
 * is then percent-decoded, so an encoded "%2F" can never create a segment.
 * BAD_PATH for: no leading '/', over HTTP_PATH_MAX bytes, a NUL byte, a
 * malformed escape, an escape decoding to NUL or '/', an empty segment
 * before the last ("//"), or a segment that is "." or ".." once decoded. A
 * trailing '/' leaves an empty last segment, which no pattern matches (404).
 * Of the patterns that match the path and declare the method, the most
 * specific wins: comparing segment by segment, a literal beats a parameter,
 * which beats a rest parameter. When patterns match but none declares the
 * method, NOT_ALLOWED lists, in m->allow, every method they declare. */
enum http_router_result http_router_match(struct http_router_match *m, const struct http_router *r,
                                          const char *method, const char *path, size_t n);

size_t http_router_npatterns(const struct http_router *r);
/* Pattern i's text, borrowed from the route table. */
const char *http_router_pattern(const struct http_router *r, size_t i);

/* Index of method in the HTTP_METHODS list (exact, case-sensitive), or
 * HTTP_METHOD_OTHER. */
unsigned http_router_method_index(const char *method);
/* The name for such an index ("other" for HTTP_METHOD_OTHER). */
const char *http_router_method_name(unsigned index);

/* Percent-decode the n bytes at s into out (room for n bytes; decoding never
 * grows), returning the decoded length, or -1 for a '%' not followed by two
 * hex digits or an escape decoding to NUL. out may be s. No '+' handling:
 * libmicrohttpd turns '+' into a space in query arguments before we see them. */
MUST_CHECK long http_router_pct_decode(char *out, const char *s, size_t n);

/* ---- response.c ---- */

struct MHD_Response;

/* A fresh response: status 500, empty body capped at HTTP_RESP_MAX. */
void http_response_init(struct http_resp *resp);
/* Free the headers and the body; resp can be initialised again. */
void http_response_dispose(struct http_resp *resp);
/* A libmicrohttpd response for resp, taking its body (zero-copy). Adds
 * Content-Type (when there is a body; content_type, or "application/json"
 * when NULL), X-Content-Type-Options: nosniff, Cache-Control: no-store on
 * JSON unless the handler set Cache-Control, the handler's headers, and
 * Connection: close when closing. NULL when libmicrohttpd refuses a header
 * or runs out of memory. The caller destroys it. */
struct MHD_Response *http_response_mhd(struct http_resp *resp, bool closing);

/* ---- metrics.c ---- */

struct http_metrics;

/* Counters for the patterns of router r (borrowed for the metrics' life). */
struct http_metrics *http_metrics_new(const struct http_router *r);
void http_metrics_free(struct http_metrics *m); /* NULL is a no-op */

/* Count one finished request. pattern is an index from http_router_match or
 * SIZE_MAX for "unmatched"; method an index from http_router_method_index; status
 * 100..599; duration in nanoseconds. Thread-safe. */
void http_metrics_request(struct http_metrics *m, size_t pattern, unsigned method, int status,
                          int64_t duration_ns);
/* A connection opened (+1) or closed (-1). Thread-safe. */
void http_metrics_connection(struct http_metrics *m, int delta);
/* Append every counter to b in Prometheus text format 0.0.4. Thread-safe. */
void http_metrics_format(struct http_metrics *m, struct buf *b);

#endif
