/* oauth/token.c - see token.h. */
#include "oauth/token.h"

#include <stdio.h>
#include <string.h>

#include "connectors/urls.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "core/time.h"
#include "crypto/hash.h"
#include "events/events.h"
#include "notify/notify.h"
#include "oauth/client.h"
#include "oauth/exchange.h"
#include "store/audit.h"
#include "store/credential.h"
#include "store/integration.h"

/* What is stored about one integration's tokens. */
struct stored {
    struct integration it;
    struct credential_meta meta;
    struct json_object *tokens; /* the opened secrets: holds tokens, dropped quickly */
};

static void stored_dispose(struct stored *s)
{
    integration_dispose(&s->it);
    json_object_put(s->tokens);
    memset(s, 0, sizeof(*s));
}

/* Whether the integration can use tokens at all. */
static int check_status(const struct stored *s, struct err *err)
{
    if (strcmp(s->it.status, "needs_reauth") == 0 || strcmp(s->it.status, "disconnected") == 0)
        return err_set(err, ERR_INVALID, "needs_reauth: integration %s is %s: connect it again",
                       s->it.id, s->it.status);
    return 0;
}

static int read_stored(struct stored *s, const struct oauth_env *env, const char *tenant_id,
                       const char *id, bool lock, struct err *err)
{
    struct secret plain = {0};
    memset(s, 0, sizeof(*s));
    int rc = integration_get(&s->it, env->db, tenant_id, id, err);
    if (rc == 0) /* before the credentials: a disconnected one has none */
        rc = check_status(s, err);
    if (rc == 0)
        rc = credential_meta_get(&s->meta, env->db, tenant_id, id, lock, err);
    if (rc == 0 && strcmp(s->meta.kind, "oauth2") != 0)
        rc = err_set(err, ERR_INVALID, "integration %s does not connect with OAuth", id);
    if (rc == 0)
        rc = integration_secrets_open(&plain, env->db, env->vault, tenant_id, id, err);
    if (rc == 0)
        rc = jsonx_parse(&s->tokens, (const char *)plain.p, plain.n, plain.n + 1, err);
    secret_dispose(&plain);
    if (rc < 0)
        stored_dispose(s);
    return rc;
}

static const char *access_of(const struct stored *s)
{
    return jsonx_str(jsonx_get(s->tokens, "access_token"));
}

/* Whether the stored token serves this caller as it is. */
static bool usable(const struct stored *s, const char *stale, bool force, int64_t now)
{
    const char *a = access_of(s);
    if (!a || force)
        return false;
    if (stale) /* replaced since the caller got it: the new one is good */
        return strlen(a) != strlen(stale) || !hash_equal(a, stale, strlen(a));
    return s->meta.expires_at == 0 || s->meta.expires_at - now > OAUTH_REFRESH_AHEAD_S;
}

static int give(struct secret *access, struct oauth_token_info *info, const struct stored *s,
                bool refreshed)
{
    secret_set(access, access_of(s), strlen(access_of(s)));
    if (info) {
        info->refreshed = refreshed;
        info->expires_at = s->meta.expires_at;
    }
    return 0;
}

/* The token's state to notify/, in the refresh's transaction: the tenant
 * hears when refreshing starts or stops working, once per change. */
static int tell(const struct oauth_env *env, const struct stored *s, enum notify_outcome o,
                const char *detail, int64_t now, struct err *err)
{
    int rc = notify_record(NULL, env->db, s->it.tenant_id, s->it.id, o, detail, now, err);
    return rc == ERR_NOTFOUND ? 0 : rc; /* deleted meanwhile: nobody to tell */
}

/* integration.needs_reauth to the host (events/), in the refresh's
 * transaction, with the provider's reason (one line, never a secret: the
 * same text goes to the integration's status_reason). */
static int reauth_event(const struct oauth_env *env, const struct stored *s, const char *why,
                        int64_t now, struct err *err)
{
    struct buf extra;
    buf_init(&extra, 0);
    buf_puts(&extra, "{\"reason\":");
    events_put_text(&extra, why ? why : "");
    buf_putc(&extra, '}');
    int rc = events_integration(env->db, s->it.tenant_id, s->it.id, EVENTS_INTEGRATION_NEEDS_REAUTH,
                                buf_cstr(&extra), now, err);
    buf_dispose(&extra);
    return rc == ERR_NOTFOUND ? 0 : rc; /* deleted meanwhile: nobody to tell */
}

/* The provider refused the refresh token: the integration needs its user. */
static int mark_reauth(const struct oauth_env *env, const struct stored *s, const char *why,
                       int64_t now, struct err *err)
{
    struct integration_change ch = {.status = "needs_reauth", .status_reason = why};
    struct audit_entry a = {.tenant_id = s->it.tenant_id,
                            .actor = "system",
                            .action = "integration.needs_reauth",
                            .target_type = "integration",
                            .target_id = s->it.id};
    int rc = integration_update(NULL, env->db, s->it.tenant_id, s->it.id, &ch, now, err);
    if (rc == 0)
        rc = credential_refresh_mark(env->db, s->it.tenant_id, s->it.id, false, now, err);
    if (rc == 0)
        rc = audit_record(env->db, &a, now, err);
    if (rc == 0)
        rc = tell(env, s, NOTIFY_OUTCOME_NEEDS_REAUTH, why, now, err);
    if (rc == 0)
        rc = reauth_event(env, s, why, now, err);
    return rc;
}

/* Refresh with the row locked (the caller's transaction); s is updated
 * with the new tokens on success. */
static int refresh_locked(struct stored *s, const struct oauth_env *env, bool unusable, int64_t now,
                          struct err *err)
{
    const struct connector *c = registry_get(env->reg, s->it.connector);
    const char *refresh = jsonx_str(jsonx_get(s->tokens, "refresh_token"));
    struct oauth_client cl = {0};
    struct json_object *cfg = NULL, *conn = NULL, *fresh = NULL;
    struct buf url;
    char code[OAUTH_ERROR_CODE_MAX] = "";
    struct secret plain = {0};
    int64_t expires_in = 0;
    int rc;

    if (!c)
        return err_set(err, ERR_NOTFOUND, "no connector named %s", s->it.connector);
    if (!refresh && !unusable) /* forced, but the token is fine and cannot be renewed */
        return err_set(err, ERR_CONFLICT,
                       "nothing to refresh: %s gave no refresh token, and its token has not "
                       "expired",
                       c->title);
    if (!refresh) {
        rc = mark_reauth(env, s,
                         "the token stopped working and the provider gave no refresh "
                         "token: connect again",
                         now, err);
        return rc < 0 ? rc : err_set(err, ERR_INVALID, "needs_reauth: no refresh token");
    }
    buf_init(&url, 0);
    rc = oauth_client_resolve(&cl, env->db, env->vault, c, s->it.tenant_id, err);
    if (rc == 0)
        rc = jsonx_parse(&cfg, s->it.config, strlen(s->it.config), strlen(s->it.config) + 1, err);
    if (rc == 0 && jsonx_parse(&conn, s->it.connection, strlen(s->it.connection),
                               strlen(s->it.connection) + 1, err) == 0)
        rc = connector_url(&url, c, "/auth/token_url", cfg, jsonx_get(conn, "metadata"), err);
    if (rc == 0) {
        const char *fields[] = {"grant_type", "refresh_token", "refresh_token", refresh, NULL};
        rc = oauth_exchange(&fresh, code, c, buf_cstr(&url), &cl, fields, err);
    }
    if (rc == ERR_INVALID &&
        (strcmp(code, "invalid_grant") == 0 || strcmp(code, "invalid_token") == 0 ||
         strcmp(code, "invalid_refresh_token") == 0)) {
        char why[ERR_MSG_MAX];
        snprintf(why, sizeof(why), "%s", err->msg);
        log_warn("oauth: refresh token refused", LOG_STR("tenant", s->it.tenant_id),
                 LOG_STR("integration", s->it.id), LOG_STR("error", code));
        struct err me;
        if (mark_reauth(env, s, why, now, &me) < 0)
            *err = me;
        else
            err_set(err, ERR_INVALID, "needs_reauth: %s", why);
    } else if (rc < 0) {
        struct err me; /* keep the first error; the mark is best effort */
        if (credential_refresh_mark(env->db, s->it.tenant_id, s->it.id, false, now, &me) < 0 ||
            tell(env, s, NOTIFY_OUTCOME_TOKEN_FAILURE, err->msg, now, &me) < 0)
            log_warn("oauth: refresh failure not recorded", LOG_ERROR(&me));
    } else {
        if (jsonx_has(fresh, "expires_in") &&
            jsonx_as_i64(&expires_in, jsonx_get(fresh, "expires_in"), "expires_in", err) < 0)
            expires_in = 0;
        rc = oauth_tokens_text(&plain, fresh, s->tokens, err);
        const char *names = jsonx_str(jsonx_get(fresh, "refresh_token")) ||
                                    jsonx_str(jsonx_get(s->tokens, "refresh_token"))
                                ? "[\"access_token\",\"refresh_token\"]"
                                : "[\"access_token\"]";
        s->meta.expires_at = expires_in > 0 ? now + expires_in : 0;
        if (rc == 0)
            rc = integration_secrets_set(env->db, env->vault, s->it.tenant_id, s->it.id, "oauth2",
                                         &plain, names, s->meta.expires_at, now, err);
        if (rc == 0)
            rc = credential_refresh_mark(env->db, s->it.tenant_id, s->it.id, true, now, err);
        if (rc == 0)
            rc = tell(env, s, NOTIFY_OUTCOME_TOKEN_OK, NULL, now, err);
        if (rc == 0) {
            json_object_put(s->tokens);
            s->tokens = NULL;
            rc = jsonx_parse(&s->tokens, (const char *)plain.p, plain.n, plain.n + 1, err);
        }
        secret_dispose(&plain);
    }
    json_object_put(fresh);
    json_object_put(cfg);
    json_object_put(conn);
    oauth_client_dispose(&cl);
    buf_dispose(&url);
    return rc;
}

int oauth_token_get(struct secret *access, struct oauth_token_info *info,
                    const struct oauth_env *env, const char *tenant_id, const char *id,
                    const char *stale, bool force, struct err *err)
{
    struct stored s;
    int64_t now = time_now_ms() / 1000;

    memset(access, 0, sizeof(*access));
    /* The common case reads, and takes no lock. */
    int rc = db_begin_tenant_read(env->db, tenant_id, err);
    if (rc < 0)
        return rc;
    rc = read_stored(&s, env, tenant_id, id, false, err);
    db_rollback(env->db);
    if (rc < 0)
        return rc;
    if ((rc = check_status(&s, err)) < 0 || usable(&s, stale, force, now)) {
        if (rc == 0)
            give(access, info, &s, false);
        stored_dispose(&s);
        return rc;
    }
    stored_dispose(&s);

    /* Refresh, one caller at a time: whoever held the lock before us may
     * have refreshed already. */
    if ((rc = db_begin_tenant(env->db, tenant_id, err)) < 0)
        return rc;
    rc = read_stored(&s, env, tenant_id, id, true, err);
    if (rc == 0 && (rc = check_status(&s, err)) == 0 && usable(&s, stale, force, now)) {
        db_rollback(env->db);
        give(access, info, &s, false);
        stored_dispose(&s);
        return 0;
    }
    if (rc == 0) {
        /* A 401 was reported, or the token is past its end: it cannot be
         * used as it is, whether or not it can be renewed. */
        bool unusable = stale || (s.meta.expires_at && s.meta.expires_at <= now);
        rc = refresh_locked(&s, env, unusable, now, err);
    }
    /* A refusal marked the integration: that must be kept too. */
    struct err ce;
    if (rc == 0 || rc == ERR_INVALID || rc == ERR_IO) {
        if (db_commit(env->db, &ce) < 0 && rc == 0) {
            *err = ce;
            rc = ce.code;
        }
    } else {
        db_rollback(env->db);
    }
    if (rc == 0)
        give(access, info, &s, true);
    stored_dispose(&s);
    return rc;
}
