/* http/metrics.c - the server's Prometheus counters: requests by route
 * pattern, method and status; one latency histogram; open connections.
 * Label values come from fixed sets (the route table's patterns, seven
 * methods and "other", statuses 100-599), so memory stays bounded whatever
 * clients send. One mutex guards the counters: a request holds it for a few
 * additions. Used by http/server.c. */
#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "core/alloc.h"
#include "http/server_int.h"

/* Upper bounds of the histogram buckets, in seconds; +Inf is implied. */
static const double bucket_le[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                   0.25,  0.5,    1,     2.5,  5,     10};
#define NBUCKETS (sizeof(bucket_le) / sizeof(bucket_le[0]))

/* The statuses seen for one (pattern, method) pair, in the order first seen. */
struct cell {
    size_t n, cap;
    struct {
        int status;
        uint64_t count;
    } * v; /* from xrealloc */
};

struct http_metrics {
    const struct http_router *router; /* borrowed */
    size_t npat;                      /* patterns + 1: the last slot is "unmatched" */
    pthread_mutex_t mu;
    struct cell *cells;             /* npat * (HTTP_METHODS + 1), from xcalloc; under mu */
    uint64_t buckets[NBUCKETS + 1]; /* not cumulative; the last is +Inf; under mu */
    uint64_t sum_ns;                /* under mu */
    uint64_t count;                 /* under mu */
    atomic_long open_connections;
};

struct http_metrics *http_metrics_new(const struct http_router *r)
{
    struct http_metrics *m = xcalloc(1, sizeof(*m));
    m->router = r;
    m->npat = http_router_npatterns(r) + 1;
    m->cells = xcalloc(m->npat * (HTTP_METHODS + 1), sizeof(*m->cells));
    if (pthread_mutex_init(&m->mu, NULL) != 0)
        abort(); /* only for lack of memory, which aborts everywhere else too */
    atomic_init(&m->open_connections, 0);
    return m;
}

void http_metrics_free(struct http_metrics *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->npat * (HTTP_METHODS + 1); i++)
        xfree(m->cells[i].v);
    xfree(m->cells);
    pthread_mutex_destroy(&m->mu);
    xfree(m);
}

void http_metrics_request(struct http_metrics *m, size_t pattern, unsigned method, int status,
                          int64_t duration_ns)
{
    assert(method <= HTTP_METHOD_OTHER);
    assert(status >= 100 && status <= 599);
    if (pattern >= m->npat - 1)
        pattern = m->npat - 1;
    if (duration_ns < 0)
        duration_ns = 0;
    double secs = (double)duration_ns / 1e9;
    size_t b = 0;
    while (b < NBUCKETS && secs > bucket_le[b])
        b++;

    pthread_mutex_lock(&m->mu);
    struct cell *c = &m->cells[pattern * (HTTP_METHODS + 1) + method];
    size_t i = 0;
    while (i < c->n && c->v[i].status != status)
        i++;
    if (i == c->n) {
        if (c->n == c->cap) {
            c->cap = c->cap ? c->cap * 2 : 4;
            c->v = xrealloc(c->v, c->cap * sizeof(*c->v));
        }
        c->v[c->n].status = status;
        c->v[c->n].count = 0;
        c->n++;
    }
    c->v[i].count++;
    m->buckets[b]++;
    m->sum_ns += (uint64_t)duration_ns;
    m->count++;
    pthread_mutex_unlock(&m->mu);
}

void http_metrics_connection(struct http_metrics *m, int delta)
{
    atomic_fetch_add(&m->open_connections, delta);
}

/* A label value as Prometheus wants it: backslash, quote and newline escaped.
 * Patterns cannot hold them today; this keeps the output valid if they ever
 * do. */
static void put_label(struct buf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\' || *s == '"')
            buf_putc(b, '\\');
        if (*s == '\n')
            buf_puts(b, "\\n");
        else
            buf_putc(b, *s);
    }
}

void http_metrics_format(struct http_metrics *m, struct buf *b)
{
    buf_puts(b, "# HELP inlet_http_requests_total HTTP requests answered, by route pattern, "
                "method and status.\n"
                "# TYPE inlet_http_requests_total counter\n");
    pthread_mutex_lock(&m->mu);
    for (size_t p = 0; p < m->npat; p++) {
        const char *route = p + 1 < m->npat ? http_router_pattern(m->router, p) : "unmatched";
        for (unsigned meth = 0; meth <= HTTP_METHOD_OTHER; meth++) {
            const struct cell *c = &m->cells[p * (HTTP_METHODS + 1) + meth];
            for (size_t i = 0; i < c->n; i++) {
                buf_puts(b, "inlet_http_requests_total{route=\"");
                put_label(b, route);
                buf_printf(b, "\",method=\"%s\",status=\"%d\"} %llu\n",
                           http_router_method_name(meth), c->v[i].status,
                           (unsigned long long)c->v[i].count);
            }
        }
    }
    buf_puts(b, "# HELP inlet_http_request_duration_seconds Time from a request's headers to "
                "the end of its response.\n"
                "# TYPE inlet_http_request_duration_seconds histogram\n");
    uint64_t cumulative = 0;
    for (size_t i = 0; i <= NBUCKETS; i++) {
        cumulative += m->buckets[i];
        if (i < NBUCKETS)
            buf_printf(b, "inlet_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
                       bucket_le[i], (unsigned long long)cumulative);
        else
            buf_printf(b, "inlet_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
                       (unsigned long long)cumulative);
    }
    buf_printf(b, "inlet_http_request_duration_seconds_sum %.9f\n", (double)m->sum_ns / 1e9);
    buf_printf(b, "inlet_http_request_duration_seconds_count %llu\n", (unsigned long long)m->count);
    pthread_mutex_unlock(&m->mu);
    buf_printf(b,
               "# HELP inlet_http_open_connections Client connections open now.\n"
               "# TYPE inlet_http_open_connections gauge\n"
               "inlet_http_open_connections %ld\n",
               atomic_load(&m->open_connections));
}
