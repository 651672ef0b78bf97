/* tests/unit/notify/hook_sink.h - an HTTP receiver for notification tests,
 * on a free loopback port (the real http/server.h): it records every POST
 * (path, body, the Standard Webhooks headers) and answers 200, or a
 * status of the test's choosing for the first requests, so that retries
 * can be exercised. Also a "listener that never answers" for timeouts.
 * Used by the notify suites and tests/api/test_api_notifications.c. */
#ifndef INLET_TESTS_HOOK_SINK_H
#define INLET_TESTS_HOOK_SINK_H
#include <pthread.h>
#include <stddef.h>

#include "http/server.h"

#define HOOK_SINK_MAX 512 /* requests recorded */

struct hook_req {
    char path[256];
    char *body; /* from xstrndup */
    size_t n;
    char id[160], ts[32], sig[1100]; /* webhook-id, -timestamp, -signature; "" when absent */
};

struct hook_sink {
    struct http_server *srv;
    char base[64]; /* "http://127.0.0.1:PORT" */
    pthread_mutex_t mu;
    struct hook_req reqs[HOOK_SINK_MAX];
    size_t n;
    int fail_first;  /* answer fail_status to the first fail_first requests */
    int fail_status; /* 0: 500 */
};

/* Start s (fails the test on error). */
void hook_sink_start(struct hook_sink *s);
void hook_sink_stop(struct hook_sink *s);
/* Requests recorded so far. */
size_t hook_sink_count(struct hook_sink *s);

/* A TCP port on 127.0.0.1 that accepts connections (the kernel's backlog)
 * but never reads or answers: any request to it times out. *port (OUT);
 * returns the listening socket, to close. */
int hook_sink_silent(int *port);

#endif
