/* oauth/flow.c - see flow.h. The start reads the integration and stores
 * the flow in one tenant transaction; the callback spends the state in a
 * system transaction of its own (it does not know the tenant before), calls
 * the provider with no transaction open, then writes the tokens, the
 * connection, the consent and the status in one tenant transaction. */
#include "oauth/flow.h"

#include <stdio.h>
#include <string.h>

#include <json-c/linkhash.h>

#include "connectors/urls.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "core/time.h"
#include "crypto/hash.h"
#include "crypto/pkce.h"
#include "crypto/random.h"
#include "events/events.h"
#include "http/fetch.h"
#include "notify/notify.h"
#include "oauth/client.h"
#include "oauth/exchange.h"
#include "store/audit.h"
#include "store/consent.h"
#include "store/integration.h"

#define IDENTITY_MAX 65536 /* bytes of an identity answer kept */

void oauth_started_dispose(struct oauth_started *s)
{
    xfree(s->location);
    secret_wipe(s->nonce, sizeof(s->nonce));
    memset(s, 0, sizeof(*s));
}

void oauth_outcome_dispose(struct oauth_outcome *o)
{
    xfree(o->redirect);
    memset(o, 0, sizeof(*o));
}

void oauth_cookie_name(char out[40], const char *state)
{
    char h[HASH_SHA256_HEX_LEN + 1];
    hash_sha256_hex(h, state, strlen(state));
    snprintf(out, 40, "inlet_oauth_%.16s", h);
}

static int64_t now_s(void)
{
    return time_now_ms() / 1000;
}

/* A new binding nonce, and the hash the flow keeps. */
static void nonce_new(char nonce[OAUTH_NONCE_MAX], char hash[HASH_SHA256_HEX_LEN + 1])
{
    struct secret t = {0};
    random_token(&t, 32);
    memcpy(nonce, t.p, t.n + 1);
    secret_dispose(&t);
    hash_sha256_hex(hash, nonce, strlen(nonce));
}

/* ---- the start ---- */

/* return_to must stay on inlet's origin: a path ("/ui/..."), or an absolute
 * URL under the public URL. *out (OUT, xmalloc) gets it absolute. */
static int return_to_check(char **out, const char *public_url, const char *r, struct err *err)
{
    size_t n = strlen(r);
    *out = NULL;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)r[i] <= ' ' || r[i] == 0x7f || r[i] == '\\')
            return err_set(err, ERR_INVALID, "return_to: no spaces, backslashes or controls");
    if (r[0] == '/' && r[1] != '/') {
        struct buf b;
        buf_init(&b, 0);
        buf_printf(&b, "%s%s", public_url, r);
        *out = buf_take(&b);
        return 0;
    }
    /* The origin must match exactly, then a path, a query or nothing:
     * "https://inlet.example.com.evil.net" must not pass. */
    size_t origin = connector_url_origin_len(public_url);
    if (n >= origin && strncmp(r, public_url, origin) == 0 &&
        (r[origin] == '\0' || r[origin] == '/' || r[origin] == '?')) {
        *out = xstrdup(r);
        return 0;
    }
    return err_set(err, ERR_INVALID, "return_to: must be a path or a URL on %.*s", (int)origin,
                   public_url);
}

/* The authorize URL: the file's (config filled in), then the request. */
static int authorize_url(struct buf *out, const struct connector *c, struct json_object *cfg,
                         const struct oauth_client *cl, const char *redirect_uri, const char *state,
                         const char *challenge, struct err *err)
{
    struct json_object *extra = jsonx_get(c->auth, "extra_authorize_params");
    int rc = connector_url(out, c, "/auth/authorize_url", cfg, NULL, err);
    if (rc < 0)
        return rc;
    const char *kv[] = {"response_type",
                        "code",
                        "client_id",
                        cl->client_id,
                        "redirect_uri",
                        redirect_uri,
                        "scope",
                        cl->scopes[0] ? cl->scopes : NULL,
                        "state",
                        state,
                        "code_challenge",
                        challenge,
                        "code_challenge_method",
                        challenge ? "S256" : NULL};
    char sep = strchr(buf_cstr(out), '?') ? '&' : '?';
    for (size_t i = 0; i + 1 < sizeof(kv) / sizeof(kv[0]); i += 2) {
        if (!kv[i + 1])
            continue;
        buf_printf(out, "%c%s=", sep, kv[i]);
        buf_put_urlenc(out, kv[i + 1], strlen(kv[i + 1]));
        sep = '&';
    }
    if (json_object_is_type(extra, json_type_object)) {
        json_object_object_foreach(extra, name, val)
        {
            buf_printf(out, "&%s=", name);
            buf_put_urlenc(out, jsonx_str(val), jsonx_str_len(val));
        }
    }
    return buf_failed(out) ? err_set(err, ERR_TOOBIG, "authorize URL too long") : 0;
}

/* Whether the tenant has a live integration named name. */
static int name_free(struct db *db, const char *tenant_id, const char *name, struct err *err)
{
    int64_t n = 0;
    int rc = db_query_int(&n, db,
                          "SELECT count(*) FROM integrations"
                          " WHERE tenant_id = $1 AND name = $2 AND deleted_at IS NULL",
                          DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(name)), err);
    if (rc == 0 && n > 0)
        rc = err_set(err, ERR_CONFLICT, "name: an integration named \"%s\" exists already", name);
    return rc;
}

/* The integration's config (or, for a new one, none), parsed; *out OUT. */
static int start_config(struct json_object **out, const struct oauth_env *env,
                        const struct oauth_start_req *in, const struct connector *c,
                        struct err *err)
{
    struct integration it = {0};
    const char *text = "{}";
    int rc;

    *out = NULL;
    if (in->integration_id) {
        if ((rc = integration_get(&it, env->db, in->tenant_id, in->integration_id, err)) < 0)
            return rc;
        if (strcmp(it.connector, c->name) != 0) {
            integration_dispose(&it);
            return err_set(err, ERR_INVALID, "integration_id: it is a %s integration, not %s",
                           it.connector, c->name);
        }
        text = it.config;
    } else if ((rc = integration_name_check(in->name, err)) < 0 ||
               (rc = name_free(env->db, in->tenant_id, in->name, err)) < 0) {
        return rc;
    }
    rc = jsonx_parse(out, text, strlen(text), strlen(text) + 1, err);
    integration_dispose(&it);
    return rc;
}

static const struct connector *oauth_connector(const struct oauth_env *env, const char *name,
                                               struct err *err)
{
    const struct connector *c = name ? registry_get(env->reg, name) : NULL;
    if (!c)
        err_set(err, ERR_NOTFOUND, "no connector named %s", name ? name : "(none)");
    else if (c->auth_kind != CONNECTOR_AUTH_OAUTH2)
        err_set(err, ERR_INVALID,
                "connector: %s does not connect with OAuth: give its secrets "
                "when creating the integration",
                name);
    else
        return c;
    return NULL;
}

int oauth_start(struct oauth_started *out, const struct oauth_env *env,
                const struct oauth_start_req *in, struct err *err)
{
    struct json_object *cfg = NULL;
    struct oauth_client cl = {0};
    struct secret verifier = {0};
    struct buf url, redirect;
    char challenge[PKCE_CHALLENGE_LEN + 1], bind[HASH_SHA256_HEX_LEN + 1];
    char *return_url = NULL;
    const struct connector *c;
    int rc;

    memset(out, 0, sizeof(*out));
    if (!(c = oauth_connector(env, in->connector, err)))
        return err->code;
    if (!in->integration_id == !in->name)
        return err_set(err, ERR_INVALID,
                       "integration_id: give integration_id (connect one) or name (create one)");
    if (in->return_to &&
        (rc = return_to_check(&return_url, env->public_url, in->return_to, err)) < 0)
        return rc;
    buf_init(&url, 16384);
    buf_init(&redirect, 0);
    buf_printf(&redirect, "%s%s", env->public_url, OAUTH_CALLBACK_PATH);
    if ((rc = db_begin_tenant(env->db, in->tenant_id, err)) < 0)
        goto done;
    rc = start_config(&cfg, env, in, c, err);
    if (rc == 0)
        rc = oauth_client_resolve(&cl, env->db, env->vault, c, in->tenant_id, err);
    if (rc == 0) {
        bool pkce =
            !jsonx_has(c->auth, "pkce") || json_object_get_boolean(jsonx_get(c->auth, "pkce"));
        pkce_verifier(&verifier);
        pkce_challenge(challenge, (const char *)verifier.p, verifier.n);
        oauth_state_new_id(out->state);
        rc = authorize_url(&url, c, cfg, &cl, buf_cstr(&redirect), out->state,
                           pkce ? challenge : NULL, err);
    }
    if (rc == 0) {
        if (in->browser)
            nonce_new(out->nonce, bind);
        struct oauth_state_new st = {
            .tenant_id = in->tenant_id,
            .connector = c->name,
            .integration_id = in->integration_id,
            .integration_name = in->name,
            .redirect_uri = buf_cstr(&redirect),
            .return_url = return_url,
            .scopes = cl.scopes,
            .authorize_url = buf_cstr(&url),
            .actor = in->actor,
            .binding_hash = in->browser ? bind : NULL,
            .verifier = &verifier,
        };
        rc = oauth_state_create(env->db, env->vault, out->state, &st, now_s(), err);
    }
    if (rc == 0)
        rc = db_commit(env->db, err);
    else
        db_rollback(env->db);
    if (rc == 0) {
        if (in->browser) {
            out->location = buf_take(&url);
        } else {
            struct buf link;
            buf_init(&link, 0);
            buf_printf(&link, "%s%s?state=%s", env->public_url, OAUTH_LINK_PATH, out->state);
            out->location = buf_take(&link);
        }
    }
done:
    if (rc < 0)
        oauth_started_dispose(out);
    json_object_put(cfg);
    oauth_client_dispose(&cl);
    secret_dispose(&verifier);
    xfree(return_url);
    buf_dispose(&url);
    buf_dispose(&redirect);
    return rc;
}

int oauth_take_link(struct oauth_started *out, const struct oauth_env *env, const char *state,
                    struct err *err)
{
    struct oauth_state st = {0};
    char bind[HASH_SHA256_HEX_LEN + 1];

    memset(out, 0, sizeof(*out));
    if (!state || strlen(state) >= OAUTH_STATE_MAX)
        return err_set(err, ERR_NOTFOUND, "this sign-in link is unknown, used or expired");
    nonce_new(out->nonce, bind);
    int rc = db_begin(env->db, err);
    if (rc == 0)
        rc = oauth_state_bind(&st, env->db, state, bind, now_s(), err);
    if (rc == 0)
        rc = db_commit(env->db, err);
    else
        db_rollback(env->db);
    if (rc < 0) {
        oauth_started_dispose(out);
        return rc;
    }
    snprintf(out->state, sizeof(out->state), "%s", state);
    out->location = st.authorize_url;
    st.authorize_url = NULL;
    oauth_state_dispose(&st);
    return 0;
}

/* ---- the callback ---- */

/* Record why the flow failed, for the redirect or the error page. */
static void fail(struct oauth_outcome *out, const char *code, const char *message)
{
    out->ok = false;
    snprintf(out->error, sizeof(out->error), "%s", code);
    snprintf(out->message, sizeof(out->message), "%s", message);
}

/* The token response's metadata the file asks to keep (strings only). */
static struct json_object *metadata_of(const struct connector *c, struct json_object *tokens)
{
    struct json_object *keep = jsonx_get(jsonx_get(c->auth, "token_response"), "metadata");
    struct json_object *m = json_object_new_object();
    for (size_t i = 0; i < jsonx_len(keep); i++) {
        const char *name = jsonx_str(jsonx_at(keep, i));
        const char *v = jsonx_str(jsonx_get(tokens, name));
        if (name && v)
            json_object_object_add(m, name, json_object_new_string(v));
    }
    return m;
}

/* Who the token belongs to: GET the identity URL with it. NULL when the
 * connector has none or the provider did not say; a failure here does not
 * undo the connection. */
static struct json_object *identity_of(const struct connector *c, struct json_object *cfg,
                                       struct json_object *metadata, const char *access)
{
    struct json_object *id = NULL;
    struct fetch_resp r;
    struct buf url, auth;
    struct err e;

    if (!jsonx_has(c->auth, "identity_url"))
        return NULL;
    buf_init(&url, 0);
    buf_init(&auth, 4096);
    buf_reserve(&auth, 4096);
    buf_printf(&auth, "Authorization: Bearer %s", access);
    int rc = buf_failed(&auth)
                 ? err_set(&e, ERR_TOOBIG, "the access token is too long for a header")
                 : connector_url(&url, c, "/auth/identity_url", cfg, metadata, &e);
    if (rc == 0) {
        struct fetch_req req = {.url = buf_cstr(&url),
                                .headers = {buf_cstr(&auth), "Accept: application/json"},
                                .body_max = IDENTITY_MAX};
        rc = fetch(&r, &req, &e);
        /* Not an object, or Slack's {"ok":false,...}: not an identity. */
        if (rc == 0 && r.status == 200 &&
            jsonx_parse(&id, r.body.p, r.body.n, r.body.n + 1, &e) == 0 &&
            (!json_object_is_type(id, json_type_object) ||
             (jsonx_has(id, "ok") && !json_object_get_boolean(jsonx_get(id, "ok"))))) {
            json_object_put(id);
            id = NULL;
        }
        if (rc == 0 && !id)
            log_warn("oauth: identity not read", LOG_STR("connector", c->name),
                     LOG_INT("status", r.status));
        fetch_resp_dispose(&r);
    }
    if (rc < 0 && rc != ERR_NOTFOUND) /* not found: an optional URL left empty */
        log_warn("oauth: identity not read", LOG_STR("connector", c->name), LOG_ERROR(&e));
    secret_wipe(auth.p, auth.cap);
    buf_dispose(&auth);
    buf_dispose(&url);
    return id;
}

/* The name to record as who consented: the first the identity gives. */
static const char *account_of(struct json_object *identity)
{
    static const char *const names[] = {
        "preferred_username", "email", "user", "username", "name", "sub", "user_id"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        const char *v = jsonx_str(jsonx_get(identity, names[i]));
        if (v && *v)
            return v;
    }
    return NULL;
}

/* The secret names a token answer holds, for responses. */
static const char *token_names(struct json_object *tokens)
{
    return jsonx_str(jsonx_get(tokens, "refresh_token")) ? "[\"access_token\",\"refresh_token\"]"
                                                         : "[\"access_token\"]";
}

/* {"identity":...,"metadata":...,"scopes":...,"connected_at":...}; owned. */
static char *connection_text(struct json_object *identity, struct json_object *metadata,
                             const char *scopes, int64_t now)
{
    char when[TIME_RFC3339_MAX];
    struct buf b;
    buf_init(&b, 0);
    time_format_rfc3339_sec(when, now * 1000);
    buf_puts(&b, "{\"identity\":");
    if (identity)
        jsonx_format(&b, identity);
    else
        buf_puts(&b, "null");
    buf_puts(&b, ",\"metadata\":");
    jsonx_format(&b, metadata);
    buf_puts(&b, ",\"scopes\":");
    buf_put_json_str(&b, scopes);
    buf_printf(&b, ",\"connected_at\":\"%s\"}", when);
    return buf_take(&b);
}

/* Everything the callback writes, in one tenant transaction. */
struct connect_write {
    const struct oauth_state *st;
    const struct connector *c;
    struct json_object *tokens, *identity, *metadata;
    const char *ip;
};

static int store_connection(char id[ID_MAX], const struct oauth_env *env,
                            const struct connect_write *w, struct err *err)
{
    struct integration it = {0};
    struct secret plain = {0};
    int64_t now = now_s(), expires_in = 0;
    const char *granted = jsonx_str(jsonx_get(w->tokens, "scope"));
    char *conn = NULL;
    int rc;

    if (jsonx_has(w->tokens, "expires_in") &&
        jsonx_as_i64(&expires_in, jsonx_get(w->tokens, "expires_in"), "expires_in", err) < 0)
        expires_in = 0;
    granted = granted ? granted : w->st->scopes;
    if ((rc = db_begin_tenant(env->db, w->st->tenant_id, err)) < 0)
        return rc;
    if (w->st->integration_id)
        rc = integration_get(&it, env->db, w->st->tenant_id, w->st->integration_id, err);
    else
        rc = integration_create(&it, env->db, w->st->tenant_id, w->c->name, w->st->integration_name,
                                NULL, now, err);
    if (rc == 0) {
        snprintf(id, ID_MAX, "%s", it.id);
        rc = oauth_tokens_text(&plain, w->tokens, NULL, err);
        if (rc == 0)
            rc = integration_secrets_set(env->db, env->vault, w->st->tenant_id, id, "oauth2",
                                         &plain, token_names(w->tokens),
                                         expires_in > 0 ? now + expires_in : 0, now, err);
        secret_dispose(&plain);
    }
    if (rc == 0) {
        conn = connection_text(w->identity, w->metadata, granted, now);
        struct integration_change ch = {.status = "active", .connection = conn};
        rc = integration_update(NULL, env->db, w->st->tenant_id, id, &ch, now, err);
    }
    /* Connected (again): a tenant told it needed its user hears it is back. */
    if (rc == 0 && (rc = notify_record(NULL, env->db, w->st->tenant_id, id, NOTIFY_OUTCOME_TOKEN_OK,
                                       NULL, now, err)) == ERR_NOTFOUND)
        rc = 0;
    if (rc == 0) /* the host hears of it too, on every connect */
        rc = events_integration(env->db, w->st->tenant_id, id, EVENTS_INTEGRATION_CONNECTED, NULL,
                                now, err);
    if (rc == 0)
        rc = consent_add(env->db, w->st->tenant_id, id, w->c->name,
                         w->st->actor[0] ? w->st->actor : "unknown", account_of(w->identity),
                         granted, now, err);
    if (rc == 0) {
        struct audit_entry a = {.tenant_id = w->st->tenant_id,
                                .actor = w->st->actor[0] ? w->st->actor : "unknown",
                                .action = "integration.connect",
                                .target_type = "integration",
                                .target_id = id,
                                .ip = w->ip};
        rc = audit_record(env->db, &a, now, err);
    }
    if (rc == 0)
        rc = db_commit(env->db, err);
    else
        db_rollback(env->db);
    xfree(conn);
    integration_dispose(&it);
    return rc;
}

/* Exchange the code and store the connection; the outcome into out. */
static void finish(struct oauth_outcome *out, const struct oauth_env *env,
                   const struct oauth_state *st, const struct secret *verifier, const char *code)
{
    struct err e;
    struct oauth_client cl = {0};
    struct integration it = {0};
    struct json_object *cfg = NULL, *tokens = NULL, *metadata = NULL, *identity = NULL;
    struct buf token_url;
    char ecode[OAUTH_ERROR_CODE_MAX];
    const struct connector *c = oauth_connector(env, st->connector, &e);

    buf_init(&token_url, 0);
    if (!c) {
        fail(out, "connector_gone", e.msg);
        return;
    }
    /* Read what the exchange needs, then call the provider with no
     * transaction open. */
    int rc = db_begin_tenant_read(env->db, st->tenant_id, &e);
    if (rc == 0)
        rc = oauth_client_resolve(&cl, env->db, env->vault, c, st->tenant_id, &e);
    if (rc == 0 && st->integration_id)
        rc = integration_get(&it, env->db, st->tenant_id, st->integration_id, &e);
    if (rc == 0) {
        const char *text = it.config ? it.config : "{}";
        rc = jsonx_parse(&cfg, text, strlen(text), strlen(text) + 1, &e);
    }
    db_rollback(env->db);
    if (rc == 0)
        rc = connector_url(&token_url, c, "/auth/token_url", cfg, NULL, &e);
    if (rc < 0) {
        fail(out, "connect_failed", e.msg);
    } else {
        /* The verifier only when a challenge went out (the file's pkce):
         * a server may refuse one for a code issued without. A NULL name
         * ends the list. */
        bool pkce =
            !jsonx_has(c->auth, "pkce") || json_object_get_boolean(jsonx_get(c->auth, "pkce"));
        const char *fields[] = {"grant_type",
                                "authorization_code",
                                "code",
                                code,
                                "redirect_uri",
                                st->redirect_uri,
                                pkce ? "code_verifier" : NULL,
                                (const char *)verifier->p,
                                NULL};
        rc = oauth_exchange(&tokens, ecode, c, buf_cstr(&token_url), &cl, fields, &e);
        if (rc < 0)
            fail(out, ecode[0] ? ecode : "exchange_failed", e.msg);
    }
    if (rc == 0) {
        metadata = metadata_of(c, tokens);
        identity = identity_of(c, cfg, metadata, jsonx_str(jsonx_get(tokens, "access_token")));
        struct connect_write w = {
            .st = st, .c = c, .tokens = tokens, .identity = identity, .metadata = metadata};
        rc = store_connection(out->integration_id, env, &w, &e);
        if (rc < 0)
            fail(out, rc == ERR_CONFLICT ? "name_taken" : "store_failed", e.msg);
        else
            out->ok = true;
    }
    json_object_put(tokens);
    json_object_put(metadata);
    json_object_put(identity);
    json_object_put(cfg);
    oauth_client_dispose(&cl);
    integration_dispose(&it);
    buf_dispose(&token_url);
}

/* Where the browser lands: return_to or the UI, with the outcome. */
static char *redirect_of(const struct oauth_env *env, const struct oauth_state *st,
                         const struct oauth_outcome *o)
{
    struct buf b;
    buf_init(&b, 0);
    if (st->return_url)
        buf_puts(&b, st->return_url);
    else
        buf_printf(&b, "%s/", env->public_url);
    buf_putc(&b, strchr(buf_cstr(&b), '?') ? '&' : '?');
    if (o->ok) {
        buf_printf(&b, "inlet_oauth=connected&integration_id=%s", o->integration_id);
    } else {
        buf_puts(&b, "inlet_oauth=error&error=");
        buf_put_urlenc(&b, o->error, strlen(o->error));
        buf_puts(&b, "&message=");
        buf_put_urlenc(&b, o->message, strlen(o->message));
        if (st->integration_id)
            buf_printf(&b, "&integration_id=%s", st->integration_id);
    }
    return buf_take(&b);
}

void oauth_callback(struct oauth_outcome *out, const struct oauth_env *env,
                    const struct oauth_callback_req *in)
{
    struct oauth_state st = {0};
    struct secret verifier = {0};
    char bind[HASH_SHA256_HEX_LEN + 1];
    struct err e;

    memset(out, 0, sizeof(*out));
    if (!in->state || !*in->state || strlen(in->state) >= OAUTH_STATE_MAX) {
        fail(out, "invalid_state", "the sign-in came back without its state: start again");
        return;
    }
    if (in->nonce)
        hash_sha256_hex(bind, in->nonce, strlen(in->nonce));
    /* The state is spent here whatever follows: committed even when the
     * checks fail. */
    int rc = db_begin(env->db, &e);
    if (rc == 0) {
        rc = oauth_state_take(&st, &verifier, env->db, env->vault, in->state,
                              in->nonce ? bind : NULL, now_s(), &e);
        struct err ce;
        if (db_commit(env->db, &ce) < 0 && rc == 0)
            rc = ce.code, e = ce;
    }
    if (rc < 0) {
        fail(out, "invalid_state", e.msg);
        return;
    }
    out->known = true;
    if (in->error) {
        char msg[ERR_MSG_MAX], code[64];
        snprintf(code, sizeof(code), "%.40s", in->error);
        for (char *p = code; *p; p++)
            if (!((*p >= 'a' && *p <= 'z') || *p == '_'))
                *p = '_';
        snprintf(msg, sizeof(msg), "%s: %.160s", code,
                 in->error_description ? in->error_description : "the provider refused");
        for (char *p = msg; *p; p++)
            if ((unsigned char)*p < ' ')
                *p = ' ';
        fail(out, code, msg);
    } else if (!in->code || !*in->code) {
        fail(out, "invalid_request", "the provider sent neither a code nor an error");
    } else {
        finish(out, env, &st, &verifier, in->code);
    }
    if (!out->ok)
        log_info("oauth: connection failed", LOG_STR("tenant", st.tenant_id),
                 LOG_STR("connector", st.connector), LOG_STR("error", out->error));
    out->redirect = redirect_of(env, &st, out);
    oauth_state_dispose(&st);
    secret_dispose(&verifier);
}
