/* http/server.h - inlet's HTTP/1.1 server: libmicrohttpd with an internal
 * thread pool, a route table with path parameters and method dispatch, bodies
 * read whole up to a cap, per-connection timeouts, graceful shutdown, one
 * JSON access-log line per request, and the counters /metrics reports.
 *
 * The server knows nothing about tenants, the database or JSON payloads: a
 * handler gets a struct http_req and fills a struct http_resp. api/ owns the
 * route table (api/routes.c) and everything behind it. The server itself
 * answers only what needs no handler: 404 (no route), 405 with Allow (route
 * without that method), 413 (body over the cap), 400 (malformed request
 * line or path), 503 while shutting down. Those answers use the same error
 * shape as api/: {"error":{"code":"...","message":"...","details":null}}. */
#ifndef INLET_HTTP_SERVER_H
#define INLET_HTTP_SERVER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/id.h"

#define HTTP_PARAMS_MAX       8        /* path parameters per route */
#define HTTP_HEADERS_MAX      16       /* response headers a handler may add */
#define HTTP_CONTENT_TYPE_MAX 255      /* bytes of a Content-Type a handler copies in */
#define HTTP_BODY_MAX_DEFAULT 1048576  /* bytes of a request body: 1 MiB */
#define HTTP_RESP_MAX         67108864 /* bytes of a response body: 64 MiB */
#define HTTP_TIMEOUT_DEFAULT  30       /* seconds a connection may sit idle */

struct http_server;

/* One request, valid for the duration of the handler call. Strings are
 * NUL-terminated and borrowed. */
struct http_req {
    const char *method;    /* "GET", "POST", ... as sent (upper case) */
    const char *path;      /* the decoded path, without the query: "/api/integrations/x" */
    const char *route;     /* the matched pattern: "/api/integrations/{id}" (metrics, logs) */
    const char *body;      /* NUL-terminated; "" when there is none */
    size_t body_len;       /* bytes at body, the NUL not counted */
    const char *client_ip; /* "127.0.0.1", "::1" */
    size_t nparams;
    struct http_param {
        const char *name; /* "id", from the pattern */
        /* The decoded segment: never empty, never holds '/' or NUL. A rest
         * parameter's value is its segments joined with '/'. */
        const char *value;
    } params[HTTP_PARAMS_MAX];
    void *conn;      /* the libmicrohttpd connection, for http_req_* lookups */
    void *route_ctx; /* the ctx given with the route in struct http_route */
    void *app;       /* the app pointer given to http_server_start */
    /* The server running the handler: requests can arrive before
     * http_server_start has returned it to its caller. */
    struct http_server *server;
    /* Set by the handler for the access log: who the request was for. */
    char tenant_id[ID_MAX];
};

/* Request lookups; the result is borrowed for the handler call, NULL when
 * absent. Header names are case-insensitive. Query names and values are
 * percent-decoded ('+' is a space); a name given twice yields the first
 * value, a name without '=' yields "". A query with a malformed escape or
 * %00 never reaches a handler (400). Header and cookie values are as sent:
 * cookies are not percent-decoded. */
const char *http_req_header(const struct http_req *req, const char *name);
const char *http_req_query(const struct http_req *req, const char *name);
const char *http_req_cookie(const struct http_req *req, const char *name);
/* The value of path parameter name ("id"); asserts that the route has it. */
const char *http_req_param(const struct http_req *req, const char *name);

/* Call fn for each query argument, in order; a nonzero return stops and is
 * returned. For handlers that reject unknown query parameters. */
typedef int (*http_query_fn)(void *ctx, const char *name, const char *value);
int http_req_query_each(const struct http_req *req, http_query_fn fn, void *ctx);

/* The response a handler fills. Starts as status 500 with an empty body:
 * a handler that forgets to answer shows up as an error, not as a 200. */
struct http_resp {
    int status;
    const char *content_type; /* static string, or content_type_buf; NULL: "application/json" */
    char content_type_buf[HTTP_CONTENT_TYPE_MAX + 1]; /* http_resp_content_type's copy */
    struct buf body; /* owned by the server; capped at HTTP_RESP_MAX */
    /* A fault for emulators (sandbox/): when nonzero and below body.n, the
     * answer announces the whole body's Content-Length, sends its first
     * cut_at bytes, then drops the connection, as a server that dies
     * mid-answer does. 0 for every normal answer. */
    size_t cut_at;
    size_t nheaders;
    struct http_header {
        char *name;  /* from xstrdup; owned by the response */
        char *value; /* from xstrdup; owned by the response */
    } headers[HTTP_HEADERS_MAX];
};

/* Add a response header (both strings copied). Asserts that name and value
 * hold no CR or LF and that there is room. Content-Type is set through
 * content_type, not here (asserted, as are Content-Length and
 * Transfer-Encoding, which libmicrohttpd computes). The server adds
 * X-Content-Type-Options: nosniff to every response, and Cache-Control:
 * no-store to JSON ones unless the handler set Cache-Control. */
void http_resp_header(struct http_resp *resp, const char *name, const char *value);

/* Set the Content-Type to a copy of type (a value passed on from
 * elsewhere, such as a proxied answer's): NULL when it holds CR, LF or
 * other control bytes or is longer than HTTP_CONTENT_TYPE_MAX, which
 * leaves the type as it was; else resp->content_type. */
const char *http_resp_content_type(struct http_resp *resp, const char *type);

/* Set status and write the error body
 *   {"error":{"code":code,"message":message,"details":details}}
 * details is raw JSON text (e.g. "[{\"pointer\":\"/name\",...}]") or NULL
 * for null. Replaces whatever body was there. */
void http_resp_error(struct http_resp *resp, int status, const char *code, const char *message,
                     const char *details);

/* A handler: read req, fill resp. It runs on one of the pool's threads; many
 * run at once. */
typedef void (*http_handler_fn)(struct http_req *req, struct http_resp *resp);

/* One route. pattern is an absolute path whose segments are literals or
 * "{name}" parameters matching one non-empty segment; a last segment
 * "{name...}" matches the rest of the path (one or more segments, '/'
 * kept). Among the routes declaring the request's method, literal segments
 * win over parameters at the first position where patterns differ. A path
 * that only routes of other methods match gets 405 with Allow listing them.
 * Several routes may share a pattern with different methods. The path is
 * split on '/' before it is percent-decoded; see docs/internals/http.md for
 * the paths refused with 400. */
struct http_route {
    const char *method;  /* "GET", "POST", "PUT", "PATCH", "DELETE" (or "HEAD", "OPTIONS") */
    const char *pattern; /* "/api/integrations/{id}" */
    http_handler_fn handler;
    void *ctx; /* handed to the handler as req->route_ctx */
};

struct http_server_opts {
    const char *host;                /* address to bind: "127.0.0.1", "::1", "0.0.0.0" (a
                                      * name binds its first getaddrinfo address) */
    int port;                        /* 0 picks a free port (tests); see http_server_port */
    unsigned threads;                /* pool size; 0 = the number of online cores */
    size_t body_max;                 /* bytes; 0 = HTTP_BODY_MAX_DEFAULT */
    unsigned timeout_s;              /* idle seconds per connection; 0 = HTTP_TIMEOUT_DEFAULT */
    const struct http_route *routes; /* borrowed for the server's life */
    size_t nroutes;
    void *app;       /* handed to every handler as req->app */
    bool access_log; /* one log_info line per request */
};

/* Check the route table and start listening. *out (OUT) is the caller's:
 * http_server_stop frees it. ERR_INVALID for a malformed pattern, a method
 * outside the list above, or two routes with the same method and pattern
 * ("/a/{x}" and "/a/{y}" count as the same) - a programming error caught at
 * start, with the pattern in the message - and for a host that does not
 * resolve or a port outside 0-65535; ERR_IO when the address cannot be
 * bound (the OS reason in the message). */
MUST_CHECK int http_server_start(struct http_server **out, const struct http_server_opts *opts,
                                 struct err *err);

/* The port actually bound (useful after port 0). */
int http_server_port(const struct http_server *s);

/* Graceful stop: refuse new connections at once, answer 503 (and
 * Connection: close) to new requests on open ones, let requests in flight
 * finish (waiting up to grace_ms), then close everything and free s. A
 * handler already running is never interrupted, so this returns only once
 * every handler has. NULL is a no-op. */
void http_server_stop(struct http_server *s, int grace_ms);

/* Append the server's counters to b in Prometheus text format (0.0.4):
 *   inlet_http_requests_total{route="/api/integrations/{id}",method="GET",status="200"} 3
 *   inlet_http_request_duration_seconds_bucket{le="0.005"} ...  (histogram)
 *   inlet_http_open_connections 2
 * Routes appear as patterns, never as concrete paths, so label sets stay
 * bounded; unmatched requests are counted under route="unmatched". */
void http_server_metrics(struct http_server *s, struct buf *b);

#endif
