/* api/connection.c - an integration's connection beyond its settings:
 * force a token refresh, disconnect (revoking at the provider), test the
 * connection, its health, and the tenant's health summary. The work is in
 * oauth/ (tokens, revocation), sync/probe.c (the test) and store/health.c. */
#include <stdio.h>
#include <string.h>

#include "api/api_int.h"
#include "core/time.h"
#include "oauth/revoke.h"
#include "oauth/token.h"
#include "store/credential.h"
#include "store/health.h"
#include "store/integration.h"
#include "sync/probe.h"

static struct oauth_env env_of(struct api_ctx *c)
{
    return (struct oauth_env){.db = c->db,
                              .vault = c->api->vault,
                              .reg = c->api->registry,
                              .public_url = c->api->public_url};
}

/* An error of the token layer: needs_reauth is a state the caller can act
 * on (connect again), so it has its own code. */
static void token_fail(struct api_ctx *c, const struct err *e)
{
    if (e->code == ERR_INVALID && strncmp(e->msg, "needs_reauth", 12) == 0)
        api_error(c, 409, "needs_reauth", NULL, "%s", e->msg);
    else if (e->code == ERR_IO)
        api_error(c, 502, "provider_error", NULL, "%s", e->msg);
    else
        api_fail(c, e);
}

void api_integration_refresh(struct api_ctx *c)
{
    struct oauth_env env = env_of(c);
    struct secret tok = {0};
    struct oauth_token_info info = {0};
    struct err e;
    const char *id = api_path_id(c, "int", "integration");

    if (!id)
        return;
    if (oauth_token_get(&tok, &info, &env, c->tenant_id, id, NULL, true, &e) < 0) {
        token_fail(c, &e);
        return;
    }
    secret_dispose(&tok); /* never shown */
    struct buf *b = api_reply(c, 200);
    buf_printf(b, "{\"refreshed\":%s,\"expires_at\":", info.refreshed ? "true" : "false");
    api_put_time(b, info.expires_at);
    buf_putc(b, '}');
}

void api_integration_disconnect(struct api_ctx *c)
{
    struct oauth_env env = env_of(c);
    struct oauth_disconnected out;
    struct err e;
    const char *id = api_path_id(c, "int", "integration");

    if (!id)
        return;
    if (oauth_disconnect(&out, &env, c->tenant_id, id, c->actor, c->req->client_ip, &e) < 0) {
        api_fail(c, &e);
        return;
    }
    struct buf *b = api_reply(c, 200);
    buf_printf(b,
               "{\"status\":\"disconnected\",\"had_credentials\":%s,\"revoked\":%s,"
               "\"revoke_error\":",
               out.had_credentials ? "true" : "false", out.revoked ? "true" : "false");
    buf_put_json_str(b, out.revoke_error[0] ? out.revoke_error : NULL);
    buf_putc(b, '}');
}

void api_integration_test(struct api_ctx *c)
{
    struct oauth_env env = env_of(c);
    struct probe_result r;
    struct err e;
    const char *id = api_path_id(c, "int", "integration");

    if (!id)
        return;
    if (probe_integration(&r, &env, c->tenant_id, id, &e) < 0) {
        api_fail(c, &e);
        return;
    }
    struct buf *b = api_reply(c, 200);
    buf_printf(b, "{\"ok\":%s,\"latency_ms\":%lld,\"status\":", r.ok ? "true" : "false",
               (long long)r.latency_ms);
    if (r.status)
        buf_printf(b, "%ld", r.status);
    else
        buf_puts(b, "null");
    buf_puts(b, ",\"error\":");
    buf_put_json_str(b, r.ok ? NULL : r.error);
    buf_putc(b, '}');
}

void api_integration_health(struct api_ctx *c)
{
    struct integration it = {0};
    struct credential_meta m = {0};
    struct conn_test t = {0};
    struct err e;
    const char *id = api_path_id(c, "int", "integration");

    if (!id)
        return;
    if (db_begin_tenant_read(c->db, c->tenant_id, &e) < 0) {
        api_fail(c, &e);
        return;
    }
    int rc = integration_get(&it, c->db, c->tenant_id, id, &e);
    int has = rc == 0 ? credential_meta_get(&m, c->db, c->tenant_id, id, false, &e) : rc;
    if (rc == 0 && has < 0 && has != ERR_NOTFOUND)
        rc = has;
    if (rc == 0)
        rc = health_test_get(&t, c->db, c->tenant_id, id, &e);
    db_rollback(c->db);
    if (rc < 0) {
        integration_dispose(&it);
        api_fail(c, &e);
        return;
    }
    struct buf *b = api_reply(c, 200);
    buf_puts(b, "{\"integration_id\":");
    buf_put_json_str(b, it.id);
    buf_puts(b, ",\"status\":");
    buf_put_json_str(b, it.status);
    buf_puts(b, ",\"status_reason\":");
    buf_put_json_str(b, it.status_reason);
    if (has == 0) {
        buf_puts(b, ",\"credentials\":{\"present\":true,\"kind\":");
        buf_put_json_str(b, m.kind);
        buf_puts(b, ",\"expires_at\":");
        api_put_time(b, m.expires_at);
        buf_puts(b, ",\"last_refresh\":");
        api_put_time(b, m.refreshed_at);
        buf_puts(b, ",\"last_refresh_failure\":");
        api_put_time(b, m.refresh_failed_at);
        buf_printf(b, ",\"expiring\":%s}",
                   m.expires_at && m.expires_at - c->now <= OAUTH_REFRESH_AHEAD_S ? "true"
                                                                                  : "false");
    } else {
        buf_puts(b, ",\"credentials\":{\"present\":false}");
    }
    buf_puts(b, ",\"last_test\":");
    if (t.at) {
        buf_puts(b, "{\"at\":");
        api_put_time(b, t.at);
        buf_printf(b, ",\"ok\":%s,\"latency_ms\":%lld,\"error\":", t.ok ? "true" : "false",
                   (long long)t.latency_ms);
        buf_put_json_str(b, t.ok ? NULL : t.error);
        buf_putc(b, '}');
    } else {
        buf_puts(b, "null");
    }
    /* Syncs arrive with the sync engine. */
    buf_puts(b, ",\"last_sync\":null}");
    integration_dispose(&it);
}

void api_health_summary(struct api_ctx *c)
{
    static const char *const none[] = {NULL};
    struct health_summary s = {0};
    struct err e;

    if (api_query_only(c, none) < 0)
        return;
    int rc = db_begin_tenant_read(c->db, c->tenant_id, &e);
    if (rc == 0) {
        rc = health_summary_get(&s, c->db, c->tenant_id, c->now, &e);
        db_rollback(c->db);
    }
    if (rc < 0) {
        api_fail(c, &e);
        return;
    }
    struct buf *b = api_reply(c, 200);
    buf_printf(b,
               "{\"integrations\":{\"total\":%lld,\"by_status\":{\"draft\":%lld,\"active\":%lld,"
               "\"paused\":%lld,\"error\":%lld,\"needs_reauth\":%lld,\"disconnected\":%lld}},"
               "\"credentials\":{\"expiring_within_24h\":%lld,\"refresh_failing\":%lld},"
               "\"tests_failing\":%lld}",
               (long long)s.total, (long long)s.draft, (long long)s.active, (long long)s.paused,
               (long long)s.error, (long long)s.needs_reauth, (long long)s.disconnected,
               (long long)s.expiring_soon, (long long)s.refresh_failing,
               (long long)s.tests_failing);
}
