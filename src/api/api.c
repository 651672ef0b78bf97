/* api/api.c - start and stop the API: the route table handed to the HTTP
 * server, the rate limiter, and what the handlers share. */
#include <string.h>
#include <strings.h>

#include "api/api_int.h"
#include "core/alloc.h"
#include "sched/loop.h"
#include "sync/runner.h"

int api_start(struct api **out, const struct api_opts *o, struct err *err)
{
    struct api *a = xcalloc(1, sizeof(*a));

    *out = NULL;
    a->pool = o->pool;
    a->vault = o->vault;
    a->registry = o->registry;
    a->secure_cookie = o->public_url && strncasecmp(o->public_url, "https://", 8) == 0;
    if (o->rate_rps > 0)
        a->rl = ratelimit_new(o->rate_rps, o->rate_burst >= 1 ? o->rate_burst : 1);
    a->cache = api_cache_new();
    a->cron_secret = o->cron_secret;
    struct runner_opts ro = {.pool = o->pool,
                             .vault = o->vault,
                             .registry = o->registry,
                             .threads = o->sync_workers ? o->sync_workers : 2,
                             .lease_s = o->job_lease,
                             .per_tenant = o->jobs_per_tenant,
                             .per_connector = o->syncs_per_connector,
                             .name = "serve"};
    /* Eager: the queue is shared and durable, so there may be work at once. */
    int rc = o->no_workers ? 0 : runner_start(&a->runner, &ro, true, err);
    if (rc < 0) {
        api_cache_free(a->cache);
        ratelimit_free(a->rl);
        xfree(a);
        return rc;
    }
    a->routes = xcalloc(api_nroutes, sizeof(*a->routes));
    for (size_t i = 0; i < api_nroutes; i++)
        a->routes[i] = (struct http_route){
            .method = api_routes[i].method,
            .pattern = api_routes[i].pattern,
            .handler = api_dispatch,
            .ctx = (void *)&api_routes[i],
        };
    struct http_server_opts ho = {
        .host = o->host,
        .port = o->port,
        .threads = o->threads,
        .body_max = o->body_max,
        .timeout_s = o->timeout_s,
        .routes = a->routes,
        .nroutes = api_nroutes,
        .app = a,
        .access_log = o->access_log,
    };
    rc = http_server_start(&a->http, &ho, err);
    if (rc < 0) {
        runner_stop(a->runner);
        api_cache_free(a->cache);
        ratelimit_free(a->rl);
        xfree(a->routes);
        xfree(a);
        return rc;
    }
    if (o->public_url) {
        a->public_url = xstrdup(o->public_url);
    } else { /* tests: the address bound */
        struct buf b;
        buf_init(&b, 0);
        buf_printf(&b, "http://127.0.0.1:%d", http_server_port(a->http));
        a->public_url = buf_take(&b);
    }
    if (o->scheduler) {
        struct sched_loop_opts so = {
            .pool = o->pool, .vault = o->vault, .runner = a->runner, .public_url = a->public_url};
        if ((rc = sched_loop_start(&a->sched, &so, err)) < 0) {
            api_stop(a, 0);
            return rc;
        }
    }
    *out = a;
    return 0;
}

int api_port(const struct api *a)
{
    return http_server_port(a->http);
}

void api_stop(struct api *a, int grace_ms)
{
    if (!a)
        return;
    http_server_stop(a->http, grace_ms); /* no request submits a run after this */
    sched_loop_stop(a->sched);           /* nor the schedule */
    runner_stop(a->runner);
    api_cache_free(a->cache);
    ratelimit_free(a->rl);
    xfree(a->routes);
    xfree(a->public_url);
    xfree(a);
}
