/* api/dispatch.c - what runs before every handler: the rate limit by client
 * address, a database connection from the pool, authentication and the
 * CSRF check (auth.c), the rate limit by API key, and what a connect
 * session's token may reach; then the handler, then the connection back.
 * A request that fails a check is answered here and never reaches its
 * handler. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "api/api_int.h"
#include "core/alloc.h"
#include "core/log.h"
#include "core/time.h"
#include "db/pool.h"
#include "store/connect_session.h"

/* 429 when key's bucket is empty; true when the request may go on. */
static bool within_limit(struct api_ctx *c, const char *kind, const char *who)
{
    char key[128];
    int retry = 1;

    if (!c->api->rl)
        return true;
    snprintf(key, sizeof(key), "%s:%s", kind, who);
    if (ratelimit_take(c->api->rl, key, time_mono_ms(), &retry))
        return true;
    char secs[16];
    snprintf(secs, sizeof(secs), "%d", retry);
    http_resp_header(c->resp, "Retry-After", secs);
    api_error(c, 429, "rate_limited", NULL, "too many requests; retry in %d second%s", retry,
              retry == 1 ? "" : "s");
    return false;
}

/* The bucket of a client address: an IPv6 client usually holds a whole
 * /64 and could walk through it, so the /64 shares one bucket. */
static void address_bucket(char *out, size_t n, const char *ip)
{
    struct in6_addr a;
    char s[INET6_ADDRSTRLEN];
    if (strchr(ip, ':') && inet_pton(AF_INET6, ip, &a) == 1 && !IN6_IS_ADDR_V4MAPPED(&a)) {
        memset(a.s6_addr + 8, 0, 8);
        if (inet_ntop(AF_INET6, &a, s, sizeof(s))) {
            snprintf(out, n, "%s/64", s);
            return;
        }
    }
    snprintf(out, n, "%s", ip);
}

/* A connect token reaches one integration - the one its session made or
 * reconnects - and only the connectors it allows. Anything else is
 * answered as the handler answers what does not exist, so that a token
 * learns nothing of the tenant's other rows; a reconnect's integration is
 * the host's, which the page may not delete. */
static bool connect_scope(struct api_ctx *c, const struct api_route *r)
{
    const struct connect_session *s = c->connect;
    const char *id = strstr(r->pattern, "{id}") ? http_req_param(c->req, "id") : NULL;
    const char *name = strstr(r->pattern, "{name}") ? http_req_param(c->req, "name") : NULL;

    if (id && id_valid(id, "int") && strncmp(r->pattern, "/api/integrations/{id}", 22) == 0 &&
        strcmp(id, s->integration_id) != 0) {
        api_error(c, 404, "not_found", NULL, "no integration %.64s", id);
        return false;
    }
    if (name && strncmp(r->pattern, "/api/connectors/{name}", 22) == 0 &&
        !connect_session_allows(s, name)) {
        api_error(c, 404, "not_found", NULL,
                  "no connector \"%.64s\" (GET /api/connectors lists them)", name);
        return false;
    }
    if (s->reconnect && (strcmp(r->method, "DELETE") == 0 || strstr(r->pattern, "/disconnect"))) {
        api_error(c, 403, "connect_scope", NULL,
                  "a reconnect session cannot delete or disconnect the integration");
        return false;
    }
    return true;
}

void api_dispatch(struct http_req *req, struct http_resp *resp)
{
    const struct api_route *r = req->route_ctx;
    struct api_ctx c = {.api = req->app, .req = req, .resp = resp};
    struct err e;

    c.now = time_now_ms() / 1000;
    if (r->flags & (API_LIMITED | API_AUTH)) {
        char who[INET6_ADDRSTRLEN + 4];
        address_bucket(who, sizeof(who), req->client_ip);
        if (!within_limit(&c, "ip", who))
            return;
    }
    if (r->flags & (API_DB | API_AUTH)) {
        if (db_pool_take(&c.db, c.api->pool, API_POOL_WAIT_MS, &e) < 0) {
            api_fail(&c, &e);
            return;
        }
    }
    if (r->flags & API_AUTH) {
        if (api_authenticate(&c, r->flags) < 0)
            goto done;
        /* A platform key's bucket is per tenant it acts for: one busy end
         * customer must not throttle the host product's others. */
        char who[2 * ID_MAX];
        snprintf(who, sizeof(who), "%s/%s", c.key_id, c.platform ? c.tenant_id : "");
        if (!within_limit(&c, "key", who) || (c.connect && !connect_scope(&c, r)))
            goto done;
        snprintf(req->tenant_id, sizeof(req->tenant_id), "%s", c.tenant_id);
    }
    r->fn(&c);
done:
    if (c.connect) {
        connect_session_dispose(c.connect);
        xfree(c.connect);
    }
    if (c.db)
        db_pool_give(c.api->pool, c.db);
}
