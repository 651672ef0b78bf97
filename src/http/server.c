/* http/server.c - the HTTP server on libmicrohttpd: the daemon and its
 * thread pool, the per-request exchange (route, body, handler, response),
 * the error answers the server gives by itself, the access log, and the
 * graceful stop. Routing lives in router.c and the counters in metrics.c;
 * docs/internals/http.md tells the whole story. Used by api/ and main.c. */
#include "http/server.h"

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/log.h"
#include "core/secret.h"
#include "core/str.h"
#include "http/server_int.h"

#define EXCHANGE_MAGIC 0x68747470u /* "http": catches a struct http_req not made here */
#define DRAIN_MAX      1048576     /* bytes read and dropped past body_max to answer 413 */
#define IP_MAX         46          /* INET6_ADDRSTRLEN */
#define METHOD_LOG_MAX 24          /* bytes of the method kept for the access log */

struct http_server {
    struct MHD_Daemon *d;
    struct http_router *router;      /* owned */
    struct http_metrics *metrics;    /* owned */
    const struct http_route *routes; /* borrowed from the opts */
    size_t body_max;                 /* bytes */
    void *app;
    bool access_log;
    int port;
    atomic_bool stopping;
    pthread_mutex_t mu;
    pthread_cond_t idle;         /* signalled when inflight drops to 0 (CLOCK_MONOTONIC) */
    long inflight;               /* requests between first callback and completion; under mu */
    bool started;                /* under mu */
    char start_err[ERR_MSG_MAX]; /* last libmicrohttpd message while starting; under mu */
};

/* One request. req comes first, so a struct http_req * is also a pointer to
 * its exchange (C11 6.7.2.1p15); the http_req_* lookups rely on it. */
struct exchange {
    struct http_req req;
    unsigned magic;
    struct http_server *s;
    int64_t t0_ns;   /* monotonic, when the headers were in */
    unsigned method; /* http_router_method_index */
    size_t pattern;  /* for the metrics; SIZE_MAX when unmatched */
    int status;      /* the status queued; 0 until then */
    bool too_big;    /* the body passed body_max: answer 413, do not run the handler */
    size_t received; /* body bytes seen, kept or dropped */
    struct buf body; /* capped at body_max */
    char *query;     /* decoded query names and values, NUL-separated; from xmalloc */
    size_t nargs;
    size_t *args; /* offsets into query: name, value, name, ...; from xmalloc */
    char method_text[METHOD_LOG_MAX];
    char raw_path[HTTP_PATH_MAX + 1]; /* as sent, cut at HTTP_PATH_MAX; for the log */
    char ip[IP_MAX];
    struct http_router_match match;
};

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Queue resp on the connection; resp is disposed. A status or body the
 * handler got wrong becomes a 500 "internal" answer here, so a bug never
 * reaches the client as a success. */
static enum MHD_Result queue(struct exchange *ex, struct MHD_Connection *conn,
                             struct http_resp *resp)
{
    const char *route = ex->req.route ? ex->req.route : "unmatched";
    if (resp->status < 100 || resp->status > 599 || buf_failed(&resp->body)) {
        log_error("http: handler gave a bad status or an oversized body", LOG_STR("route", route),
                  LOG_INT("status", resp->status),
                  LOG_BOOL("body_over_cap", buf_failed(&resp->body)));
        http_resp_error(resp, 500, "internal", "The server failed to answer the request.", NULL);
    } else if (resp->status == 500 && resp->body.n == 0) {
        log_error("http: handler left no answer", LOG_STR("route", route));
        http_resp_error(resp, 500, "internal", "The server failed to answer the request.", NULL);
    }
    struct MHD_Response *r = http_response_mhd(resp, atomic_load(&ex->s->stopping));
    if (!r) {
        log_error("http: libmicrohttpd refused the response", LOG_STR("route", route));
        http_response_dispose(resp);
        http_response_init(resp);
        http_resp_error(resp, 500, "internal", "The server failed to answer the request.", NULL);
        r = http_response_mhd(resp, true);
    }
    ex->status = resp->status;
    http_response_dispose(resp);
    if (!r)
        return MHD_NO; /* closes the connection: nothing better is left */
    enum MHD_Result ok = MHD_queue_response(conn, (unsigned)ex->status, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result answer_error(struct exchange *ex, struct MHD_Connection *conn, int status,
                                    const char *code, const char *message, const char *details)
{
    struct http_resp resp;
    http_response_init(&resp);
    http_resp_error(&resp, status, code, message, details);
    if (status == 405)
        http_resp_header(&resp, "Allow", ex->match.allow);
    return queue(ex, conn, &resp);
}

/* ---- requests ---- */

/* Keep the path as sent: libmicrohttpd's default would percent-decode it
 * whole, before we can split it on '/'. Query arguments come through here
 * too, and are decoded by decode_query instead. */
static size_t unescape_none(void *cls, struct MHD_Connection *conn, char *s)
{
    (void)cls;
    (void)conn;
    return strlen(s);
}

struct query_scan {
    size_t bytes; /* pass 1: room needed */
    char *out;    /* pass 2: where to write */
    size_t *args; /* pass 2: offsets */
    size_t n, o;  /* pass 2: arguments and bytes written */
    bool bad;
};

static enum MHD_Result query_size(void *cls, enum MHD_ValueKind kind, const char *key,
                                  const char *value)
{
    struct query_scan *q = cls;
    (void)kind;
    q->bytes += strlen(key ? key : "") + strlen(value ? value : "") + 2;
    return MHD_YES;
}

static enum MHD_Result query_copy(void *cls, enum MHD_ValueKind kind, const char *key,
                                  const char *value)
{
    struct query_scan *q = cls;
    (void)kind;
    const char *parts[2] = {key ? key : "", value ? value : ""};
    for (int i = 0; i < 2; i++) {
        long n = http_router_pct_decode(q->out + q->o, parts[i], strlen(parts[i]));
        if (n < 0) {
            q->bad = true;
            return MHD_NO;
        }
        q->args[q->n * 2 + (size_t)i] = q->o;
        q->o += (size_t)n;
        q->out[q->o++] = '\0';
    }
    q->n++;
    return MHD_YES;
}

/* Decode every query argument once, up front, so a malformed one is a 400
 * before the handler runs and lookups are plain string compares. */
static bool decode_query(struct exchange *ex, struct MHD_Connection *conn)
{
    struct query_scan q = {0};
    int n = MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, query_size, &q);
    if (n <= 0)
        return true;
    q.out = ex->query = xmalloc(q.bytes);
    q.args = ex->args = xmalloc((size_t)n * 2 * sizeof(*ex->args));
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, query_copy, &q);
    ex->nargs = q.n;
    return !q.bad;
}

static void client_ip(char out[IP_MAX], struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;
    const void *addr = NULL;
    if (sa && sa->sa_family == AF_INET)
        addr = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
    else if (sa && sa->sa_family == AF_INET6)
        addr = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
    if (!addr || !inet_ntop(sa->sa_family, addr, out, IP_MAX))
        snprintf(out, IP_MAX, "unknown");
}

/* 405, with the methods in Allow and as details: {"allow":["GET","POST"]}. */
static enum MHD_Result not_allowed(struct exchange *ex, struct MHD_Connection *conn)
{
    struct buf details;
    struct str rest = str_from(ex->match.allow), head;
    bool more = true;
    buf_init(&details, (size_t)4 * HTTP_ALLOW_MAX);
    buf_puts(&details, "{\"allow\":[");
    for (bool first = true; more; first = false) {
        more = str_split(rest, ',', &head, &rest);
        head = str_trim(head);
        buf_printf(&details, "%s\"%.*s\"", first ? "" : ",", (int)head.n, head.p);
    }
    buf_puts(&details, "]}");
    enum MHD_Result r =
        answer_error(ex, conn, 405, "method_not_allowed",
                     "This path does not accept this method; see Allow.", buf_cstr(&details));
    buf_dispose(&details);
    return r;
}

static enum MHD_Result too_large(struct exchange *ex, struct MHD_Connection *conn)
{
    char details[64];
    snprintf(details, sizeof(details), "{\"max_bytes\":%zu}", ex->s->body_max);
    return answer_error(ex, conn, 413, "payload_too_large", "The request body is too large.",
                        details);
}

/* The first call for a request: its headers are in, its body is not. Every
 * answer that needs no handler is given here, before any body is read. */
static enum MHD_Result begin(struct exchange *ex, struct MHD_Connection *conn, const char *url,
                             const char *method)
{
    struct http_server *s = ex->s;
    size_t n = strlen(url);
    memcpy(ex->raw_path, url, n < HTTP_PATH_MAX ? n : HTTP_PATH_MAX);
    snprintf(ex->method_text, sizeof(ex->method_text), "%s", method);
    ex->method = http_router_method_index(method);
    client_ip(ex->ip, conn);

    switch (http_router_match(&ex->match, s->router, method, url, n)) {
    case HTTP_ROUTER_BAD_PATH:
        return answer_error(ex, conn, 400, "bad_request", ex->match.error, NULL);
    case HTTP_ROUTER_NOT_FOUND:
        return answer_error(ex, conn, 404, "not_found", "No route matches this path.", NULL);
    case HTTP_ROUTER_NOT_ALLOWED:
        ex->pattern = ex->match.pattern;
        ex->req.route = http_router_pattern(s->router, ex->pattern);
        return not_allowed(ex, conn);
    case HTTP_ROUTER_FOUND:
        break;
    }
    ex->pattern = ex->match.pattern;
    ex->req.route = http_router_pattern(s->router, ex->pattern);
    if (atomic_load(&s->stopping))
        return answer_error(ex, conn, 503, "unavailable", "The server is shutting down.", NULL);
    if (!decode_query(ex, conn))
        return answer_error(ex, conn, 400, "bad_request", "query: malformed percent-escape or %00",
                            NULL);

    const char *cl =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    int64_t len = 0;
    if (cl) {
        if (str_to_i64(&len, str_from(cl), "Content-Length", NULL) < 0 || len < 0)
            return answer_error(ex, conn, 400, "bad_request", "Content-Length is malformed.", NULL);
        if ((uint64_t)len > s->body_max)
            return too_large(ex, conn);
    }
    buf_init(&ex->body, s->body_max);
    /* Bodies carry secrets: read into one allocation, wiped when freed. */
    if (len > 0)
        buf_reserve(&ex->body, (size_t)len);
    return MHD_YES;
}

/* The last call: the whole body is in. */
static enum MHD_Result run(struct exchange *ex, struct MHD_Connection *conn, const char *method)
{
    struct http_server *s = ex->s;
    if (ex->too_big)
        return too_large(ex, conn);
    const struct http_route *rt = &s->routes[ex->match.route];
    struct http_req *req = &ex->req;
    req->method = method;
    req->path = ex->match.path;
    req->body = buf_cstr(&ex->body);
    req->body_len = ex->body.n;
    req->client_ip = ex->ip;
    req->nparams = ex->match.nparams;
    memcpy(req->params, ex->match.params, sizeof(req->params));
    req->conn = conn;
    req->route_ctx = rt->ctx;
    req->app = s->app;
    req->server = s;

    struct http_resp resp;
    http_response_init(&resp);
    rt->handler(req, &resp);
    req->tenant_id[sizeof(req->tenant_id) - 1] = '\0';
    return queue(ex, conn, &resp);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
    struct http_server *s = cls;
    struct exchange *ex = *con_cls;
    (void)version;

    if (!ex) {
        ex = xcalloc(1, sizeof(*ex));
        ex->magic = EXCHANGE_MAGIC;
        ex->s = s;
        ex->t0_ns = mono_ns();
        ex->pattern = SIZE_MAX;
        *con_cls = ex;
        pthread_mutex_lock(&s->mu);
        s->inflight++;
        pthread_mutex_unlock(&s->mu);
        return begin(ex, conn, url, method);
    }
    if (ex->status) {
        *upload_size = 0; /* answered already: drop anything still coming */
        return MHD_YES;
    }
    if (*upload_size) {
        size_t n = *upload_size;
        *upload_size = 0;
        ex->received = n > SIZE_MAX - ex->received ? SIZE_MAX : ex->received + n;
        if (!ex->too_big) {
            buf_put(&ex->body, upload_data, n);
            if (buf_failed(&ex->body)) {
                ex->too_big = true;
                buf_dispose(&ex->body);
            }
        }
        /* libmicrohttpd cannot answer in the middle of a body, so a chunked
         * body over the cap is read and dropped to its end, for a 413. A
         * client that keeps sending past DRAIN_MAX more is cut off. */
        if (ex->too_big && ex->received - s->body_max > DRAIN_MAX) {
            ex->status = 413;
            return MHD_NO;
        }
        return MHD_YES;
    }
    return run(ex, conn, method);
}

static void exchange_free(struct exchange *ex)
{
    if (ex->body.p)
        secret_wipe(ex->body.p, ex->body.cap);
    buf_dispose(&ex->body);
    xfree(ex->query);
    xfree(ex->args);
    xfree(ex);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct http_server *s = cls;
    struct exchange *ex = *con_cls;
    (void)conn;
    (void)toe;
    if (!ex)
        return;
    *con_cls = NULL;
    /* No answer was queued: the client left first (nginx's 499). */
    int status = ex->status ? ex->status : 499;
    int64_t ns = mono_ns() - ex->t0_ns;
    int64_t us = ns / 1000; /* whole microseconds: the log needs no more */
    http_metrics_request(s->metrics, ex->pattern, ex->method, status, ns);
    if (s->access_log) {
        const char *tenant = ex->req.tenant_id[0] ? ex->req.tenant_id : NULL;
        log_info("http request", LOG_STR("method", ex->method_text), LOG_STR("path", ex->raw_path),
                 LOG_STR("route", ex->req.route), LOG_INT("status", status),
                 LOG_DOUBLE("duration_ms", (double)us / 1000), LOG_STR("tenant", tenant),
                 LOG_STR("ip", ex->ip));
    }
    exchange_free(ex);
    pthread_mutex_lock(&s->mu);
    if (--s->inflight == 0)
        pthread_cond_broadcast(&s->idle);
    pthread_mutex_unlock(&s->mu);
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_ctx,
                          enum MHD_ConnectionNotificationCode toe)
{
    struct http_server *s = cls;
    (void)conn;
    (void)socket_ctx;
    http_metrics_connection(s->metrics, toe == MHD_CONNECTION_NOTIFY_STARTED ? 1 : -1);
}

/* libmicrohttpd's own messages: kept for the error while starting (it knows
 * why a bind failed), logged afterwards. Some name the request path, as the
 * access log does; none a header or the query (it splits that off first). */
__attribute__((format(printf, 2, 0))) static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    struct http_server *s = cls;
    char line[ERR_MSG_MAX];
    vsnprintf(line, sizeof(line), fmt, ap);
    line[strcspn(line, "\r\n")] = '\0';
    pthread_mutex_lock(&s->mu);
    bool started = s->started;
    if (!started)
        snprintf(s->start_err, sizeof(s->start_err), "%s", line);
    pthread_mutex_unlock(&s->mu);
    if (started)
        log_warn("http: libmicrohttpd", LOG_STR("detail", line));
}

/* ---- request lookups ---- */

static const struct exchange *exchange_of(const struct http_req *req)
{
    const struct exchange *ex = (const struct exchange *)(const void *)req;
    assert(ex->magic == EXCHANGE_MAGIC);
    return ex;
}

const char *http_req_header(const struct http_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *http_req_cookie(const struct http_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, name);
}

const char *http_req_query(const struct http_req *req, const char *name)
{
    const struct exchange *ex = exchange_of(req);
    for (size_t i = 0; i < ex->nargs; i++)
        if (strcmp(ex->query + ex->args[2 * i], name) == 0)
            return ex->query + ex->args[2 * i + 1];
    return NULL;
}

int http_req_query_each(const struct http_req *req, http_query_fn fn, void *ctx)
{
    const struct exchange *ex = exchange_of(req);
    for (size_t i = 0; i < ex->nargs; i++) {
        int rc = fn(ctx, ex->query + ex->args[2 * i], ex->query + ex->args[2 * i + 1]);
        if (rc)
            return rc;
    }
    return 0;
}

const char *http_req_param(const struct http_req *req, const char *name)
{
    for (size_t i = 0; i < req->nparams; i++)
        if (strcmp(req->params[i].name, name) == 0)
            return req->params[i].value;
    assert(!"http_req_param: the route has no such parameter");
    return NULL;
}

/* ---- the server ---- */

static unsigned online_cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
}

int http_server_start(struct http_server **out, const struct http_server_opts *opts,
                      struct err *err)
{
    struct http_server *s = xcalloc(1, sizeof(*s));
    struct addrinfo *ai = NULL;
    pthread_condattr_t ca;
    int rc;

    assert(opts->host && (opts->routes || opts->nroutes == 0));
    /* These fail only for lack of memory, which aborts everywhere else too. */
    if (pthread_mutex_init(&s->mu, NULL) != 0 || pthread_condattr_init(&ca) != 0 ||
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) != 0 ||
        pthread_cond_init(&s->idle, &ca) != 0)
        abort();
    pthread_condattr_destroy(&ca);
    atomic_init(&s->stopping, false);
    s->routes = opts->routes;
    s->app = opts->app;
    s->access_log = opts->access_log;
    s->body_max = opts->body_max ? opts->body_max : HTTP_BODY_MAX_DEFAULT;

    rc = http_router_new(&s->router, opts->routes, opts->nroutes, err);
    if (rc < 0)
        goto done;
    s->metrics = http_metrics_new(s->router);
    if (opts->port < 0 || opts->port > 65535) {
        rc = err_set(err, ERR_INVALID, "http: port %d out of range", opts->port);
        goto done;
    }
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE};
    int gai = getaddrinfo(opts->host, NULL, &hints, &ai);
    if (gai != 0) {
        rc = err_set(err, ERR_INVALID, "http: host \"%s\": %s", opts->host, gai_strerror(gai));
        goto done;
    }
    /* poll(), not epoll: libmicrohttpd 0.9.75 (Debian 12) takes the listening
     * socket out of each worker's epoll set both in MHD_quiesce_daemon and
     * in the worker itself when it sees the quiesce, and when both do it
     * aborts the process ("Failed to remove listen FD from epoll set"): a
     * few stops in a hundred in the API tests. With poll() quiescing only
     * flags the workers. A worker has few connections, where poll() costs
     * no more than epoll. */
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ITC |
                     MHD_USE_ERROR_LOG | (ai->ai_family == AF_INET6 ? MHD_USE_IPv6 : 0);
    if (ai->ai_family == AF_INET6)
        ((struct sockaddr_in6 *)(void *)ai->ai_addr)->sin6_port = htons((uint16_t)opts->port);
    else
        ((struct sockaddr_in *)(void *)ai->ai_addr)->sin_port = htons((uint16_t)opts->port);
    /* The logger goes first so that it hears every message; a pool of one
     * is asked for as none, which libmicrohttpd would otherwise warn about. */
    unsigned threads = opts->threads ? opts->threads : online_cores();
    s->d = MHD_start_daemon(
        flags, (uint16_t)opts->port, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER,
        on_mhd_log, s, MHD_OPTION_SOCK_ADDR, ai->ai_addr, MHD_OPTION_THREAD_POOL_SIZE,
        threads > 1 ? threads : 0, MHD_OPTION_CONNECTION_TIMEOUT,
        opts->timeout_s ? opts->timeout_s : HTTP_TIMEOUT_DEFAULT, MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, s, MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
        MHD_OPTION_UNESCAPE_CALLBACK, unescape_none, NULL, MHD_OPTION_END);
    if (!s->d) {
        int e = errno;
        pthread_mutex_lock(&s->mu);
        rc = err_set(err, ERR_IO, "http: cannot listen on %s port %d: %s", opts->host, opts->port,
                     s->start_err[0] ? s->start_err : strerror(e));
        pthread_mutex_unlock(&s->mu);
        goto done;
    }
    pthread_mutex_lock(&s->mu);
    s->started = true;
    pthread_mutex_unlock(&s->mu);
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info && info->port ? info->port : opts->port;
    *out = s;
    s = NULL;
done:
    if (ai)
        freeaddrinfo(ai);
    if (s) {
        http_metrics_free(s->metrics);
        http_router_free(s->router);
        pthread_cond_destroy(&s->idle);
        pthread_mutex_destroy(&s->mu);
        xfree(s);
    }
    return rc;
}

int http_server_port(const struct http_server *s)
{
    return s->port;
}

void http_server_stop(struct http_server *s, int grace_ms)
{
    if (!s)
        return;
    atomic_store(&s->stopping, true);
    /* Quiescing takes the listening socket out of the workers' epoll sets;
     * shutting it down makes the kernel refuse new connections (RST) at
     * once instead of queueing them. The fd itself must stay open until
     * MHD_stop_daemon: a worker may still be inside accept() on it. */
    MHD_socket fd = MHD_quiesce_daemon(s->d);
    if (fd != MHD_INVALID_SOCKET && shutdown(fd, SHUT_RDWR) != 0)
        log_warn("http: shutdown of the listening socket failed",
                 LOG_STR("detail", strerror(errno)));

    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    int64_t ns = deadline.tv_nsec + (int64_t)(grace_ms > 0 ? grace_ms : 0) % 1000 * 1000000;
    deadline.tv_sec += (grace_ms > 0 ? grace_ms : 0) / 1000 + ns / 1000000000;
    deadline.tv_nsec = ns % 1000000000;
    pthread_mutex_lock(&s->mu);
    while (s->inflight > 0)
        if (pthread_cond_timedwait(&s->idle, &s->mu, &deadline) == ETIMEDOUT)
            break;
    long left = s->inflight;
    pthread_mutex_unlock(&s->mu);
    if (left > 0)
        log_warn("http: grace period over, closing requests in flight", LOG_INT("requests", left),
                 LOG_INT("grace_ms", grace_ms));

    MHD_stop_daemon(s->d);
    if (fd != MHD_INVALID_SOCKET && close(fd) != 0)
        log_warn("http: close of the listening socket failed", LOG_STR("detail", strerror(errno)));
    http_metrics_free(s->metrics);
    http_router_free(s->router);
    pthread_cond_destroy(&s->idle);
    pthread_mutex_destroy(&s->mu);
    xfree(s);
}

void http_server_metrics(struct http_server *s, struct buf *b)
{
    http_metrics_format(s->metrics, b);
}
