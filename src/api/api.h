/* api/api.h - inlet's REST API: the route table over the HTTP server, with
 * authentication (API keys, UI sessions with CSRF), rate limits, JSON input
 * checks, and the handlers for sessions, the connector catalogue,
 * integrations, the audit log, health and metrics. main.c starts it for
 * `inlet serve`; tests/api/ start it in-process. Every route is described
 * in docs/openapi.yaml. */
#ifndef INLET_API_API_H
#define INLET_API_API_H
#include <stdbool.h>
#include <stddef.h>

#include "connectors/registry.h"
#include "core/err.h"
#include "crypto/vault.h"
#include "db/pool.h"

struct api;

struct api_opts {
    const char *host;       /* address to bind */
    int port;               /* 0: a free port (tests) */
    unsigned threads;       /* 0: one per core */
    size_t body_max;        /* bytes; 0: HTTP_BODY_MAX_DEFAULT */
    unsigned timeout_s;     /* idle seconds; 0: HTTP_TIMEOUT_DEFAULT */
    const char *public_url; /* "https://..." makes the session cookie Secure; may be NULL */
    double rate_rps;        /* per API key and per client address; 0: no limit */
    double rate_burst;
    bool access_log;
    bool scheduler;        /* run the scheduling and delivery loop (sched/loop.h) */
    unsigned sync_workers; /* threads running jobs; 0: 2. Each holds a pool
                              connection while it runs. */
    bool no_workers;       /* run no jobs here (other processes do): enqueue only */
    int64_t job_lease;     /* seconds; 0: RUNNER_LEASE_S_DEFAULT */
    int jobs_per_tenant;   /* limits over every process; 0: none */
    int syncs_per_connector;
    /* INLET_CRON_SECRET, the bearer token of POST /api/cron; NULL or empty:
     * that route answers 404. Borrowed. */
    const struct secret *cron_secret;
    /* Borrowed for the API's life; the pool must hold at least one
     * connection per HTTP thread for requests never to wait on it. */
    struct db_pool *pool;
    const struct vault *vault;
    const struct registry *registry;
};

/* Start serving. *out (OUT) is the caller's (api_stop). Errors as
 * http_server_start. */
MUST_CHECK int api_start(struct api **out, const struct api_opts *o, struct err *err);

/* The port bound. */
int api_port(const struct api *a);

/* Stop as http_server_stop does (requests in flight finish, up to grace_ms)
 * and free a. NULL is a no-op. */
void api_stop(struct api *a, int grace_ms);

#endif
