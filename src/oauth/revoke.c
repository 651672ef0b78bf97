/* oauth/revoke.c - see revoke.h. */
#include "oauth/revoke.h"

#include <stdio.h>
#include <string.h>

#include "connectors/urls.h"
#include "core/buf.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "core/time.h"
#include "events/events.h"
#include "http/fetch.h"
#include "oauth/client.h"
#include "oauth/exchange.h"
#include "store/audit.h"
#include "store/consent.h"
#include "store/credential.h"
#include "store/integration.h"

/* A revocation endpoint that authenticates with the token itself (Slack's
 * auth.revoke): the token as Bearer, no client credentials. */
static int revoke_with_token(struct fetch_resp *r, const char *url, const char *token,
                             struct err *err)
{
    struct buf auth;
    buf_init(&auth, 4096);
    buf_reserve(&auth, 4096);
    buf_printf(&auth, "Authorization: Bearer %s", token);
    if (buf_failed(&auth)) {
        secret_wipe(auth.p, auth.cap);
        buf_dispose(&auth);
        return err_set(err, ERR_TOOBIG, "the token is too long to send in a header");
    }
    struct fetch_req req = {.method = "POST",
                            .url = url,
                            .body = "",
                            .body_len = 0,
                            .body_max = 1 << 16,
                            .headers = {buf_cstr(&auth), "Accept: application/json",
                                        "Content-Type: application/x-www-form-urlencoded"}};
    int rc = fetch(r, &req, err);
    secret_wipe(auth.p, auth.cap);
    buf_dispose(&auth);
    return rc;
}

/* Revoke at the provider; never fails the disconnect, out says how it went. */
static void revoke_remote(struct oauth_disconnected *out, const struct oauth_env *env,
                          const struct integration *it, const struct connector *c)
{
    struct secret plain = {0};
    struct oauth_client cl = {0};
    struct json_object *tokens = NULL, *cfg = NULL, *conn = NULL;
    struct fetch_resp r = {0};
    struct buf url;
    struct err e;

    buf_init(&url, 0);
    int rc = db_begin_tenant_read(env->db, it->tenant_id, &e);
    if (rc == 0) {
        rc = integration_secrets_open(&plain, env->db, env->vault, it->tenant_id, it->id, &e);
        if (rc == 0)
            rc = oauth_client_resolve(&cl, env->db, env->vault, c, it->tenant_id, &e);
        db_rollback(env->db);
    }
    if (rc == 0)
        rc = jsonx_parse(&tokens, (const char *)plain.p, plain.n, plain.n + 1, &e);
    secret_dispose(&plain);
    if (rc == 0 &&
        jsonx_parse(&cfg, it->config, strlen(it->config), strlen(it->config) + 1, &e) == 0 &&
        jsonx_parse(&conn, it->connection, strlen(it->connection), strlen(it->connection) + 1,
                    &e) == 0)
        rc = connector_url(&url, c, "/auth/revoke_url", cfg, jsonx_get(conn, "metadata"), &e);
    if (rc == 0) {
        const char *refresh = jsonx_str(jsonx_get(tokens, "refresh_token"));
        const char *token = refresh ? refresh : jsonx_str(jsonx_get(tokens, "access_token"));
        const char *fields[] = {"token", token ? token : "", "token_type_hint",
                                refresh ? "refresh_token" : "access_token", NULL};
        const char *how = jsonx_str(jsonx_get(c->auth, "revoke_auth"));
        if (how && strcmp(how, "token") == 0)
            rc = revoke_with_token(&r, buf_cstr(&url), token ? token : "", &e);
        else
            rc = oauth_post_form(&r, c, buf_cstr(&url), &cl, fields, &e);
    }
    if (rc == 0) {
        struct json_object *o = NULL;
        struct err pe;
        /* RFC 7009: 200 means revoked (or already invalid). Slack answers 200
         * with {"ok":false} when it did not. */
        bool slack_no =
            jsonx_parse(&o, r.body.p ? r.body.p : "", r.body.n, r.body.n + 1, &pe) == 0 &&
            jsonx_has(o, "ok") && !json_object_get_boolean(jsonx_get(o, "ok"));
        json_object_put(o);
        out->revoked = r.status == 200 && !slack_no;
        if (!out->revoked)
            snprintf(out->revoke_error, sizeof(out->revoke_error),
                     "%s answered %ld to the revocation", c->title, r.status);
    } else if (rc != ERR_NOTFOUND) { /* not found: no revoke URL to call */
        snprintf(out->revoke_error, sizeof(out->revoke_error), "%s", e.msg);
    }
    secret_wipe(r.body.p, r.body.n);
    fetch_resp_dispose(&r);
    json_object_put(tokens);
    json_object_put(cfg);
    json_object_put(conn);
    oauth_client_dispose(&cl);
    buf_dispose(&url);
}

int oauth_disconnect(struct oauth_disconnected *out, const struct oauth_env *env,
                     const char *tenant_id, const char *id, const char *actor, const char *ip,
                     struct err *err)
{
    struct integration it = {0};
    struct credential_meta meta;
    int64_t now = time_now_ms() / 1000, gone = 0;

    memset(out, 0, sizeof(*out));
    int rc = db_begin_tenant_read(env->db, tenant_id, err);
    if (rc < 0)
        return rc;
    rc = integration_get(&it, env->db, tenant_id, id, err);
    int has = rc == 0 ? credential_meta_get(&meta, env->db, tenant_id, id, false, err) : rc;
    db_rollback(env->db);
    if (rc < 0)
        return rc;
    out->had_credentials = has == 0;
    const struct connector *c = registry_get(env->reg, it.connector);
    if (out->had_credentials && c && strcmp(meta.kind, "oauth2") == 0 &&
        jsonx_has(c->auth, "revoke_url"))
        revoke_remote(out, env, &it, c);

    struct integration_change ch = {.status = "disconnected"};
    struct audit_entry a = {.tenant_id = tenant_id,
                            .actor = actor,
                            .action = "integration.disconnect",
                            .target_type = "integration",
                            .target_id = id,
                            .ip = ip};
    char data[96];
    snprintf(data, sizeof(data), "{\"revoked\":%s}", out->revoked ? "true" : "false");
    a.data = data;
    const char *event = out->revoked ? "{\"reason\":\"disconnected\",\"revoked\":true}"
                                     : "{\"reason\":\"disconnected\",\"revoked\":false}";
    if ((rc = db_begin_tenant(env->db, tenant_id, err)) == 0) {
        rc = credential_delete(&gone, env->db, tenant_id, id, err);
        if (rc == 0)
            rc = consent_revoke(NULL, env->db, tenant_id, id, now, err);
        if (rc == 0)
            rc = integration_update(NULL, env->db, tenant_id, id, &ch, now, err);
        if (rc == 0)
            rc = audit_record(env->db, &a, now, err);
        if (rc == 0) /* the host hears of it, with the change */
            rc = events_integration(env->db, tenant_id, id, EVENTS_INTEGRATION_DISCONNECTED, event,
                                    now, err);
        if (rc == 0)
            rc = db_commit(env->db, err);
        else
            db_rollback(env->db);
    }
    if (rc == 0 && out->revoke_error[0])
        log_warn("oauth: tokens not revoked at the provider", LOG_STR("tenant", tenant_id),
                 LOG_STR("integration", id), LOG_STR("reason", out->revoke_error));
    integration_dispose(&it);
    return rc;
}
