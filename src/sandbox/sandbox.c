/* sandbox/sandbox.c - start and stop the emulators: the data set, one
 * HTTP server per provider on consecutive ports from the base port (or
 * free ports), each with its registered client and its grant store. */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/log.h"
#include "core/time.h"
#include "sandbox/sandbox_int.h"

/* The clients each emulator knows: documented in docs/sandbox.md, public
 * by design (a sandbox holds nothing worth protecting). */
static const struct sb_client clients[SANDBOX_PROVIDERS] = {
    {"sandbox-salesforce-client", "sandbox-salesforce-secret"},
    {"sandbox-hubspot-client", "sandbox-hubspot-secret"},
    {"sandbox-slack-client", "sandbox-slack-secret"},
};

/* Each provider's routes, set-up, and the prefixes that make its codes and
 * tokens look like the real ones (a Salesforce access token starts with
 * the org id, a Slack one with xoxb-). */
static const struct provider_kind {
    const struct http_route *routes;
    const size_t *nroutes;
    int (*init)(struct sb_provider *p, struct err *err);
    const char *code_prefix, *access_prefix, *refresh_prefix;
    int ttl_s;  /* default access token lifetime: the provider's own */
    bool built; /* false while its emulator is still a placeholder */
    /* Path prefixes of its OAuth server, which faults leave alone. */
    const char *const oauth[4];
} kinds[SANDBOX_PROVIDERS] = {
    {sb_salesforce_routes,
     &sb_salesforce_nroutes,
     NULL,
     "aPrx",
     "00DSB0000000001!",
     "5Aep",
     7200,
     true,
     {"/services/oauth2/", "/id/", NULL}},
    {sb_hubspot_routes,
     &sb_hubspot_nroutes,
     sb_hubspot_init,
     "na1-code-",
     "CNa1",
     "na1-",
     1800,
     true,
     {"/oauth/", NULL}},
    {sb_slack_routes,
     &sb_slack_nroutes,
     sb_slack_init,
     "sbx-code-",
     "xoxb-",
     "xoxe-1-",
     43200,
     true,
     {"/oauth/", "/api/oauth.", "/api/auth.revoke", NULL}},
};

/* The control routes every provider serves besides its own. */
static const struct http_route common_routes[] = {
    {"GET", "/_sandbox/faults", sb_faults_show, NULL},
    {"POST", "/_sandbox/faults", sb_faults_set, NULL},
    {"POST", "/_sandbox/reset", sb_control_reset, NULL},
};
#define NCOMMON (sizeof(common_routes) / sizeof(common_routes[0]))

/* Whether a route is the provider's API, which faults apply to. */
static bool is_api_route(const struct provider_kind *k, const char *pattern)
{
    if (strncmp(pattern, "/_sandbox/", 10) == 0)
        return false;
    for (const char *const *o = k->oauth; *o; o++)
        if (strncmp(pattern, *o, strlen(*o)) == 0)
            return false;
    return true;
}

/* p->routes: k's routes, the API ones through the fault gate (which finds
 * the real route in its ctx), then the common ones. */
static void routes_build(struct sb_provider *p, const struct provider_kind *k)
{
    size_t n = *k->nroutes;

    p->routes = xcalloc(n + NCOMMON, sizeof(*p->routes));
    for (size_t i = 0; i < n; i++) {
        p->routes[i] = k->routes[i];
        if (is_api_route(k, k->routes[i].pattern)) {
            p->routes[i].handler = sb_fault_gate;
            p->routes[i].ctx = (void *)&k->routes[i];
        }
    }
    memcpy(p->routes + n, common_routes, sizeof(common_routes));
    p->nroutes = n + NCOMMON;
}

/* Generate p's records (the Salesforce set, or the provider's state);
 * called at start and by a reset, with p->mu held at a reset. */
static int data_new(struct sb_provider *p, struct err *err)
{
    if (p->which == SANDBOX_SALESFORCE)
        return sfdata_new(&p->sf, p->sb->seed, p->sb->records, p->sb->now_ms, err);
    return kinds[p->which].init(p, err);
}

int sb_provider_reset(struct sb_provider *p, struct err *err)
{
    struct sfdata *old_sf = p->sf;
    void *old_state = p->state;
    void (*old_free)(void *) = p->state_free;
    struct json_object *none = json_object_new_object();
    int rc;

    pthread_mutex_lock(&p->mu);
    p->sf = NULL;
    rc = data_new(p, err);
    if (rc < 0) {
        p->sf = old_sf;
        p->state = old_state;
        p->state_free = old_free;
    } else {
        sfdata_free(old_sf);
        if (old_free)
            old_free(old_state);
        p->counters = (struct sb_counters){0};
        rc = sb_faults_apply(p, none, err); /* cannot fail: all defaults */
    }
    pthread_mutex_unlock(&p->mu);
    json_object_put(none);
    if (rc == 0 && p->which == SANDBOX_SALESFORCE)
        sf_data_forget(p); /* cursors index the old records */
    return rc;
}

const char *sandbox_client_id(enum sandbox_provider p)
{
    return p < SANDBOX_PROVIDERS ? clients[p].id : NULL;
}

const char *sandbox_client_secret(enum sandbox_provider p)
{
    return p < SANDBOX_PROVIDERS ? clients[p].secret : NULL;
}

const char *sandbox_signing_secret(enum sandbox_provider p)
{
    return p == SANDBOX_SLACK ? "sandbox-slack-signing-secret" : NULL;
}

const char *sandbox_provider_name(enum sandbox_provider p)
{
    static const char *const names[SANDBOX_PROVIDERS] = {"salesforce", "hubspot", "slack"};
    return p < SANDBOX_PROVIDERS ? names[p] : "?";
}

static void provider_free(struct sb_provider *p)
{
    if (!p)
        return;
    http_server_stop(p->http, 2000);
    if (p->state_free)
        p->state_free(p->state);
    if (p->which == SANDBOX_SALESFORCE)
        sf_data_forget(p);
    sfdata_free(p->sf);
    sb_grants_free(&p->grants);
    pthread_mutex_destroy(&p->mu);
    xfree(p->routes);
    xfree(p);
}

static int provider_start(struct sandbox *sb, enum sandbox_provider which,
                          const struct sandbox_opts *o, struct json_object *faults, struct err *err)
{
    struct sb_provider *p = xcalloc(1, sizeof(*p));
    int rc;

    p->which = which;
    p->sb = sb;
    p->client = clients[which];
    p->code_prefix = kinds[which].code_prefix;
    p->access_prefix = kinds[which].access_prefix;
    p->refresh_prefix = kinds[which].refresh_prefix;
    p->token_ttl_s = o->token_ttl_s ? o->token_ttl_s : kinds[which].ttl_s;
    p->token_ttl_start_s = p->token_ttl_s;
    pthread_mutex_init(&p->mu, NULL);
    p->grants.g = xcalloc(SB_GRANTS_MAX, sizeof(*p->grants.g));
    routes_build(p, &kinds[which]);
    rc = data_new(p, err);
    p->rotate_start = p->rotate_refresh;
    if (rc == 0)
        rc = sb_faults_apply(p, faults, err);
    if (rc == 0) {
        struct http_server_opts ho = {
            .host = o->host ? o->host : "127.0.0.1",
            .port = o->port ? o->port + (int)which : 0,
            .threads = 2,
            .routes = p->routes,
            .nroutes = p->nroutes,
            .app = p,
        };
        rc = http_server_start(&p->http, &ho, err);
    }
    if (rc < 0) {
        provider_free(p);
        return rc;
    }
    snprintf(p->origin, sizeof(p->origin), "http://%s:%d", o->host ? o->host : "127.0.0.1",
             http_server_port(p->http));
    sb->p[which] = p;
    return 0;
}

int sandbox_start(struct sandbox **out, const struct sandbox_opts *o, struct err *err)
{
    unsigned want = o->providers ? o->providers : (1u << SANDBOX_PROVIDERS) - 1;
    struct json_object *faults = NULL;
    struct sandbox *sb;

    *out = NULL;
    if (want & ~((1u << SANDBOX_PROVIDERS) - 1))
        return err_set(err, ERR_INVALID, "--providers: unknown provider");
    for (int i = 0; i < SANDBOX_PROVIDERS; i++)
        if ((want & (1u << i)) && !kinds[i].built) {
            if (!o->providers) {
                want &= ~(1u << i); /* "all": all that are built */
                continue;
            }
            return err_set(err, ERR_INVALID, "--providers: %s is not emulated yet",
                           sandbox_provider_name((enum sandbox_provider)i));
        }
    if (o->port < 0 || o->port > 65535 - SANDBOX_PROVIDERS)
        return err_set(err, ERR_INVALID, "--listen: the base port must be from 1 to %d",
                       65535 - SANDBOX_PROVIDERS);
    if (o->token_ttl_s < 0)
        return err_set(err, ERR_INVALID, "token lifetime must be positive");
    if (sb_faults_parse_flag(&faults, o->faults ? o->faults : "", err) < 0)
        return -1;
    sb = xcalloc(1, sizeof(*sb));
    sb->now_ms = o->now_ms ? o->now_ms : time_now_ms();
    sb->seed = o->seed;
    sb->records = o->records;
    for (int i = 0; i < SANDBOX_PROVIDERS; i++) {
        if (!(want & (1u << i)))
            continue;
        int rc = provider_start(sb, (enum sandbox_provider)i, o, faults, err);
        if (rc < 0) {
            json_object_put(faults);
            sandbox_stop(sb);
            return rc;
        }
        log_info("sandbox provider up", LOG_STR("provider", sandbox_provider_name(i)),
                 LOG_STR("origin", sb->p[i]->origin));
    }
    json_object_put(faults);
    *out = sb;
    return 0;
}

int sandbox_port(const struct sandbox *s, enum sandbox_provider p)
{
    return p < SANDBOX_PROVIDERS && s->p[p] ? http_server_port(s->p[p]->http) : 0;
}

void sandbox_stop(struct sandbox *s)
{
    if (!s)
        return;
    for (int i = 0; i < SANDBOX_PROVIDERS; i++)
        provider_free(s->p[i]);
    xfree(s);
}
