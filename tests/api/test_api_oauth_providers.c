/* tests/api/test_api_oauth_providers.c - the HubSpot and Slack connectors
 * connected end to end on both engines, each against its emulator, from a
 * browser session: the authorize URL its file makes (scope separator, PKCE
 * or not), the consent, what is stored (secrets, metadata, identity), the
 * test request, HubSpot's 30-minute tokens and non-rotating refresh token,
 * disconnecting with and without a revocation endpoint, Slack's errors as
 * 200 {"ok":false}, and a refusal at the provider. Expected values are
 * read from the connector files, the emulators or the flow. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connectors/registry.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/jsonx.h"
#include "core/time.h"
#include "oauth/token.h"
#include "oauth_fx.h"
#include "sandbox/sandbox.h"
#include "sandbox/sb_test.h"
#include "store/integration.h"

/* ---- helpers ---- */

/* The connector file's scopes joined with its own separator: what the
 * authorize URL must ask for. sep (OUT) gets the separator. */
static void file_scopes(const struct ofx *f, char *out, size_t n, char sep[2])
{
    const struct connector *c = registry_get(f->t->reg, f->connector);
    assert_non_null(c);
    struct json_object *scopes = jsonx_get(c->auth, "scopes");
    const char *s = jsonx_str(jsonx_get(c->auth, "scope_separator"));
    size_t used = 0;
    assert_non_null(s);
    snprintf(sep, 2, "%s", s);
    assert_true(jsonx_len(scopes) > 1);
    out[0] = '\0';
    for (size_t i = 0; i < jsonx_len(scopes); i++)
        used += (size_t)snprintf(out + used, n - used, "%s%s", i ? sep : "",
                                 jsonx_str(jsonx_at(scopes, i)));
    assert_true(used < n);
}

/* Check the URL inlet sent the browser to: the file's authorize path on
 * the emulator, the app's client, inlet's callback, the file's scopes in
 * its separator, a state, and a code challenge only when pkce. */
static void check_authorize_url(const struct ofx *f, const char *provider, bool pkce)
{
    const struct connector *c = registry_get(f->t->reg, f->connector);
    char origin[128], file_origin[128], v[512], want[512], sep[2];
    const char *path = ofx_split(provider, origin, sizeof(origin));
    const char *file_path =
        ofx_split(jsonx_str(jsonx_get(c->auth, "authorize_url")), file_origin, sizeof(file_origin));

    assert_string_equal(origin, f->sb.base);
    assert_int_equal(strncmp(path, file_path, strlen(file_path)), 0);
    assert_int_equal(path[strlen(file_path)], '?');
    assert_string_equal(ofx_query_of(provider, "response_type", v, sizeof(v)), "code");
    assert_string_equal(ofx_query_of(provider, "client_id", v, sizeof(v)),
                        sandbox_client_id(f->provider));
    snprintf(want, sizeof(want), "%s/api/oauth/callback", f->t->base);
    assert_string_equal(ofx_query_of(provider, "redirect_uri", v, sizeof(v)), want);
    assert_int_equal(strlen(ofx_query_of(provider, "state", v, sizeof(v))), 43);
    file_scopes(f, want, sizeof(want), sep);
    assert_string_equal(ofx_query_of(provider, "scope", v, sizeof(v)), want);
    /* Only the file's separator between scopes. */
    assert_null(strchr(v, sep[0] == ' ' ? ',' : ' '));
    if (pkce) {
        assert_string_equal(ofx_query_of(provider, "code_challenge_method", v, sizeof(v)), "S256");
        assert_int_equal(strlen(ofx_query_of(provider, "code_challenge", v, sizeof(v))), 43);
    } else {
        assert_null(ofx_query_of(provider, "code_challenge", v, sizeof(v)));
        assert_null(ofx_query_of(provider, "code_challenge_method", v, sizeof(v)));
    }
}

/* Connect a new integration named name from a browser session, landing on
 * /ui/done; the authorize URL into provider, the new id into id. */
static void connect_ui(struct ofx *f, const char *name, char *provider, size_t n, char id[ID_MAX])
{
    struct ofx_browser b;
    char q[128], back[2048], landing[2048], want[256];

    ofx_put_app(f, f->t->a.key);
    ofx_sign_in(f, &b, f->t->a.key);
    snprintf(q, sizeof(q), "name=%s&return_to=%%2Fui%%2Fdone", name);
    ofx_start_ui(f, &b, q, provider, n);
    ofx_consent(provider, "allow", back, sizeof(back));
    assert_int_equal(ofx_callback(f, &b, back, landing, sizeof(landing)), 302);
    snprintf(want, sizeof(want), "%s/ui/done?inlet_oauth=connected&integration_id=", f->t->base);
    if (strncmp(landing, want, strlen(want)) != 0)
        fail_msg("landed on %s", landing);
    assert_non_null(ofx_query_of(landing, "integration_id", id, ID_MAX));
}

/* The integration's stored tokens, opened from the vault (json_object_put). */
static struct json_object *stored_tokens(struct ofx *f, const char *id)
{
    struct db *db = test_db_connect(f->t->tdb);
    struct secret plain = {0};
    struct json_object *o = NULL;
    struct err e;

    assert_db_ok(db_begin_tenant_read(db, f->t->a.id, &e), &e);
    assert_db_ok(integration_secrets_open(&plain, db, f->t->vault, f->t->a.id, id, &e), &e);
    db_rollback(db);
    db_close(db);
    assert_db_ok(jsonx_parse(&o, (const char *)plain.p, plain.n, plain.n + 1, &e), &e);
    secret_dispose(&plain);
    return o;
}

/* The stored token name of integration id, copied into out. */
static const char *stored(struct ofx *f, const char *id, const char *name, char *out, size_t n)
{
    struct json_object *o = stored_tokens(f, id);
    const char *v = jsonx_str(jsonx_get(o, name));
    if (!v)
        fail_msg("no %s stored", name);
    snprintf(out, n, "%s", v);
    json_object_put(o);
    return out;
}

/* GET path at the emulator, with a Bearer token when bearer is not NULL;
 * the status, and the answer into *out when it is JSON (else NULL). */
static long sb_get(struct ofx *f, const char *path, const char *bearer, struct json_object **out)
{
    struct client_reply r;
    char auth[1024];
    struct err e;

    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", bearer ? bearer : "");
    client_call(&r, f->sb.base,
                &(struct client_call){.path = path, .headers = {bearer ? auth : NULL}});
    assert_int_equal(r.rc, CURLE_OK);
    *out = NULL;
    if (r.body.n && jsonx_parse(out, r.body.p, r.body.n, r.body.n + 1, &e) < 0)
        *out = NULL;
    long status = r.status;
    client_reply_dispose(&r);
    return status;
}

/* The emulator's access-token lifetime now (GET /_sandbox/faults). */
static int64_t sb_token_ttl(struct ofx *f)
{
    struct json_object *o = NULL;
    assert_int_equal(sb_get(f, "/_sandbox/faults", NULL, &o), 200);
    int64_t ttl = json_object_get_int64(jsonx_get(o, "token_ttl_s"));
    json_object_put(o);
    assert_true(ttl > 0);
    return ttl;
}

/* An RFC 3339 time of the API as unix seconds. */
static int64_t seconds_of(struct json_object *v)
{
    int64_t ms;
    struct err e;
    const char *s = jsonx_str(v);
    if (!s)
        fail_msg("expected a time, got %s", jsonx_type_name(v));
    assert_db_ok(time_parse_rfc3339(&ms, s, strlen(s), &e), &e);
    return ms / 1000;
}

/* The reply's JSON; fails unless the status is 200. */
static struct json_object *ok_json(const struct client_reply *r)
{
    if (r->status != 200)
        fail_msg("%ld: %s", r->status, buf_cstr(&r->body));
    return api_test_json(r);
}

/* The provider refuses: inlet sends the browser back with the reason and
 * creates nothing. */
static void refusal(void **state, enum sandbox_provider p)
{
    struct ofx f;
    struct ofx_browser b;
    char provider[2048], back[2048], landing[2048], want[256];

    ofx_start(&f, state, p);
    ofx_put_app(&f, f.t->a.key);
    ofx_sign_in(&f, &b, f.t->a.key);
    ofx_start_ui(&f, &b, "name=Refused&return_to=%2Fui%2Fdone", provider, sizeof(provider));
    ofx_consent(provider, "deny", back, sizeof(back));
    assert_non_null(strstr(back, "error=access_denied"));
    assert_int_equal(ofx_callback(&f, &b, back, landing, sizeof(landing)), 302);
    snprintf(want, sizeof(want), "%s/ui/done?inlet_oauth=error&error=access_denied&", f.t->base);
    if (strncmp(landing, want, strlen(want)) != 0)
        fail_msg("landed on %s", landing);
    assert_int_equal(ofx_sb_counter(&f, "token_code"), 0);
    assert_int_equal(
        test_db_int(f.t->tdb->db, "SELECT count(*) FROM integrations WHERE name = 'Refused'"), 0);
    ofx_stop(&f);
}

/* ---- HubSpot ---- */

static void hubspot_connect_test_refresh_disconnect(void **state)
{
    struct ofx f;
    struct client_reply r;
    char provider[2048], id[ID_MAX], path[1024], sql[256], v[512], sep[2];
    char access[512], refresh[512], access2[512], refresh2[512];
    struct json_object *o, *it, *conn;

    ofx_start(&f, state, SANDBOX_HUBSPOT);
    int64_t t0 = time_now_ms() / 1000;
    connect_ui(&f, "CRM", provider, sizeof(provider), id);
    check_authorize_url(&f, provider, true);
    file_scopes(&f, v, sizeof(v), sep);
    assert_string_equal(sep, " ");
    assert_int_equal(ofx_sb_counter(&f, "token_code"), 1);

    /* Active, with both tokens HubSpot gave; no identity URL, so no
     * identity, and nothing kept from the token response. */
    it = ofx_integration(&f, id);
    assert_string_equal(jsonx_str(jsonx_get(it, "status")), "active");
    assert_string_equal(jsonx_str(jsonx_get(it, "connector")), "hubspot");
    assert_int_equal(jsonx_len(jsonx_get(it, "secrets_set")), 2);
    assert_string_equal(jsonx_str(jsonx_at(jsonx_get(it, "secrets_set"), 0)), "access_token");
    assert_string_equal(jsonx_str(jsonx_at(jsonx_get(it, "secrets_set"), 1)), "refresh_token");
    conn = jsonx_get(it, "connection");
    assert_true(jsonx_has(conn, "identity"));
    assert_null(jsonx_get(conn, "identity"));
    assert_int_equal(json_object_object_length(jsonx_get(conn, "metadata")), 0);
    /* HubSpot's answer names no scope: the ones asked for are recorded. */
    ofx_query_of(provider, "scope", v, sizeof(v));
    assert_string_equal(jsonx_str(jsonx_get(conn, "scopes")), v);
    json_object_put(it);
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM consents WHERE integration_id = '%s' AND account IS NULL", id);
    assert_int_equal(test_db_int(f.t->tdb->db, sql), 1);

    /* What is stored is what HubSpot issued: both tokens are live there,
     * with the scopes asked for. */
    stored(&f, id, "access_token", access, sizeof(access));
    stored(&f, id, "refresh_token", refresh, sizeof(refresh));
    snprintf(path, sizeof(path), "/oauth/v1/access-tokens/%s", access);
    assert_int_equal(sb_get(&f, path, NULL, &o), 200);
    assert_string_equal(jsonx_str(jsonx_get(o, "token")), access);
    char granted[512];
    size_t used = 0;
    granted[0] = '\0';
    for (size_t i = 0; i < jsonx_len(jsonx_get(o, "scopes")); i++)
        used += (size_t)snprintf(granted + used, sizeof(granted) - used, "%s%s", i ? " " : "",
                                 jsonx_str(jsonx_at(jsonx_get(o, "scopes"), i)));
    assert_string_equal(granted, v);
    json_object_put(o);
    snprintf(path, sizeof(path), "/oauth/v1/refresh-tokens/%s", refresh);
    assert_int_equal(sb_get(&f, path, NULL, &o), 200);
    json_object_put(o);

    /* The test request reaches HubSpot's owners with the token. */
    int64_t data = ofx_sb_counter(&f, "data");
    ofx_post_op(&f, &r, id, "test");
    o = ok_json(&r);
    assert_true(json_object_get_boolean(jsonx_get(o, "ok")));
    assert_int_equal(json_object_get_int(jsonx_get(o, "status")), 200);
    json_object_put(o);
    client_reply_dispose(&r);
    assert_int_equal(ofx_sb_counter(&f, "data"), data + 1);

    /* Tokens for 30 minutes: expires_in, as HubSpot gives it. */
    int64_t ttl = sb_token_ttl(&f);
    assert_int_equal(ttl, 1800);
    snprintf(path, sizeof(path), "/api/integrations/%s/health", id);
    o = ofx_get_json(&f, path);
    int64_t t1 = time_now_ms() / 1000;
    struct json_object *cred = jsonx_get(o, "credentials");
    assert_true(json_object_get_boolean(jsonx_get(cred, "present")));
    assert_string_equal(jsonx_str(jsonx_get(cred, "kind")), "oauth2");
    int64_t exp = seconds_of(jsonx_get(cred, "expires_at"));
    assert_in_range(exp, t0 + ttl, t1 + ttl);
    assert_false(json_object_get_boolean(jsonx_get(cred, "expiring")));
    assert_true(json_object_get_boolean(jsonx_get(jsonx_get(o, "last_test"), "ok")));
    json_object_put(o);

    /* A forced refresh: a new access token, the same refresh token back
     * (HubSpot does not rotate it), another 30 minutes. */
    t0 = time_now_ms() / 1000;
    ofx_post_op(&f, &r, id, "refresh");
    o = ok_json(&r);
    t1 = time_now_ms() / 1000;
    assert_true(json_object_get_boolean(jsonx_get(o, "refreshed")));
    assert_in_range(seconds_of(jsonx_get(o, "expires_at")), t0 + ttl, t1 + ttl);
    json_object_put(o);
    client_reply_dispose(&r);
    assert_int_equal(ofx_sb_counter(&f, "token_refresh"), 1);
    stored(&f, id, "access_token", access2, sizeof(access2));
    stored(&f, id, "refresh_token", refresh2, sizeof(refresh2));
    assert_string_not_equal(access2, access);
    assert_string_equal(refresh2, refresh);
    snprintf(path, sizeof(path), "/oauth/v1/access-tokens/%s", access2);
    assert_int_equal(sb_get(&f, path, NULL, &o), 200);
    json_object_put(o);

    /* The stored refresh token still works: a second refresh succeeds. */
    ofx_post_op(&f, &r, id, "refresh");
    o = ok_json(&r);
    assert_true(json_object_get_boolean(jsonx_get(o, "refreshed")));
    json_object_put(o);
    client_reply_dispose(&r);
    assert_int_equal(ofx_sb_counter(&f, "token_refresh"), 2);
    ofx_post_op(&f, &r, id, "test");
    assert_non_null(strstr(buf_cstr(&r.body), "\"ok\":true"));
    client_reply_dispose(&r);

    /* Disconnect: no revocation endpoint, so nothing is called and there is
     * no error; inlet forgets the tokens. */
    ofx_post_op(&f, &r, id, "disconnect");
    o = ok_json(&r);
    assert_string_equal(jsonx_str(jsonx_get(o, "status")), "disconnected");
    assert_true(json_object_get_boolean(jsonx_get(o, "had_credentials")));
    assert_false(json_object_get_boolean(jsonx_get(o, "revoked")));
    assert_true(jsonx_has(o, "revoke_error"));
    assert_null(jsonx_get(o, "revoke_error"));
    json_object_put(o);
    client_reply_dispose(&r);
    assert_int_equal(ofx_sb_counter(&f, "revoke"), 0);
    it = ofx_integration(&f, id);
    assert_string_equal(jsonx_str(jsonx_get(it, "status")), "disconnected");
    assert_int_equal(jsonx_len(jsonx_get(it, "secrets_set")), 0);
    json_object_put(it);
    /* What that leaves at HubSpot (the connector's description says so):
     * the refresh token lives on until the app is uninstalled. */
    snprintf(path, sizeof(path), "/oauth/v1/refresh-tokens/%s", refresh);
    assert_int_equal(sb_get(&f, path, NULL, &o), 200);
    json_object_put(o);

    /* No token or client secret in any log line. */
    char *log = api_test_stop(f.t);
    assert_null(strstr(log, access));
    assert_null(strstr(log, access2));
    assert_null(strstr(log, refresh));
    assert_null(strstr(log, sandbox_client_secret(SANDBOX_HUBSPOT)));
    xfree(log);
    ofx_stop(&f);
}

static void hubspot_refusal(void **state)
{
    refusal(state, SANDBOX_HUBSPOT);
}

/* ---- Slack ---- */

/* Install the app at the emulator directly, as a reference: its
 * oauth.v2.access answer (json_object_put). */
static struct json_object *slack_install_direct(struct ofx *f)
{
    struct client_reply r;
    struct json_object *o;
    char url[512], back[2048], code[256], body[1024];

    snprintf(url, sizeof(url),
             "%s/oauth/v2/authorize?client_id=%s&scope=chat%%3Awrite"
             "&redirect_uri=http%%3A%%2F%%2F127.0.0.1%%3A9%%2Fcb&state=direct",
             f->sb.base, sandbox_client_id(SANDBOX_SLACK));
    ofx_consent(url, "allow", back, sizeof(back));
    assert_non_null(ofx_query_of(back, "code", code, sizeof(code)));
    snprintf(body, sizeof(body),
             "code=%s&redirect_uri=http%%3A%%2F%%2F127.0.0.1%%3A9%%2Fcb&client_id=%s"
             "&client_secret=%s",
             code, sandbox_client_id(SANDBOX_SLACK), sandbox_client_secret(SANDBOX_SLACK));
    client_call(
        &r, f->sb.base,
        &(struct client_call){.path = "/api/oauth.v2.access",
                              .body = body,
                              .body_len = strlen(body),
                              .headers = {"Content-Type: application/x-www-form-urlencoded"}});
    assert_int_equal(r.status, 200);
    o = api_test_json(&r);
    client_reply_dispose(&r);
    assert_true(json_object_get_boolean(jsonx_get(o, "ok")));
    return o;
}

static void slack_connect_test_disconnect(void **state)
{
    struct ofx f;
    struct client_reply r;
    char provider[2048], id[ID_MAX], path[1024], sql[256], v[512], sep[2], access[512];
    struct json_object *o, *it, *conn, *who;

    ofx_start(&f, state, SANDBOX_SLACK);
    connect_ui(&f, "Chat", provider, sizeof(provider), id);
    check_authorize_url(&f, provider, false);
    file_scopes(&f, v, sizeof(v), sep);
    assert_string_equal(sep, ",");
    assert_int_equal(ofx_sb_counter(&f, "token_code"), 1);

    /* The bot token alone (no rotation: no refresh token, no expiry). */
    it = ofx_integration(&f, id);
    assert_string_equal(jsonx_str(jsonx_get(it, "status")), "active");
    assert_int_equal(jsonx_len(jsonx_get(it, "secrets_set")), 1);
    assert_string_equal(jsonx_str(jsonx_at(jsonx_get(it, "secrets_set"), 0)), "access_token");
    stored(&f, id, "access_token", access, sizeof(access));
    assert_int_equal(strncmp(access, "xoxb-", 5), 0);

    /* The identity is auth.test's answer for that token, as Slack gives it. */
    conn = jsonx_get(it, "connection");
    assert_int_equal(sb_get(&f, "/api/auth.test", access, &who), 200);
    assert_true(json_object_get_boolean(jsonx_get(who, "ok")));
    if (!json_object_equal(jsonx_get(conn, "identity"), who))
        fail_msg("identity %s, auth.test %s",
                 json_object_to_json_string(jsonx_get(conn, "identity")),
                 json_object_to_json_string(who));
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM consents WHERE integration_id = '%s' AND account = '%s'", id,
             jsonx_str(jsonx_get(who, "user")));
    assert_int_equal(test_db_int(f.t->tdb->db, sql), 1);
    /* Slack grants the scopes asked for, comma-separated, and says so. */
    ofx_query_of(provider, "scope", v, sizeof(v));
    assert_string_equal(jsonx_str(jsonx_get(conn, "scopes")), v);

    /* Metadata: bot_user_id and app_id as oauth.v2.access answers them. */
    struct json_object *ref = slack_install_direct(&f);
    struct json_object *meta = jsonx_get(conn, "metadata");
    assert_int_equal(json_object_object_length(meta), 2);
    assert_string_equal(jsonx_str(jsonx_get(meta, "bot_user_id")),
                        jsonx_str(jsonx_get(ref, "bot_user_id")));
    assert_string_equal(jsonx_str(jsonx_get(meta, "app_id")), jsonx_str(jsonx_get(ref, "app_id")));
    /* Without rotation the answer carries no lifetime: none is stored. */
    assert_false(jsonx_has(ref, "expires_in"));
    assert_false(jsonx_has(ref, "refresh_token"));
    json_object_put(ref);
    json_object_put(who);
    json_object_put(it);
    snprintf(path, sizeof(path), "/api/integrations/%s/health", id);
    o = ofx_get_json(&f, path);
    assert_true(json_object_get_boolean(jsonx_get(jsonx_get(o, "credentials"), "present")));
    assert_true(jsonx_has(jsonx_get(o, "credentials"), "expires_at"));
    assert_null(jsonx_get(jsonx_get(o, "credentials"), "expires_at"));
    json_object_put(o);

    /* The test request: auth.test, which must say ok. */
    int64_t data = ofx_sb_counter(&f, "data");
    ofx_post_op(&f, &r, id, "test");
    o = ok_json(&r);
    assert_true(json_object_get_boolean(jsonx_get(o, "ok")));
    assert_int_equal(json_object_get_int(jsonx_get(o, "status")), 200);
    json_object_put(o);
    client_reply_dispose(&r);
    assert_int_equal(ofx_sb_counter(&f, "data"), data + 1);

    /* A forced refresh of a bot token that works and cannot be renewed:
     * refused, and nothing changes. */
    ofx_post_op(&f, &r, id, "refresh");
    api_test_expect_error(&r, 409, "conflict");
    assert_non_null(strstr(buf_cstr(&r.body), "nothing to refresh"));
    client_reply_dispose(&r);
    o = ofx_integration(&f, id);
    assert_string_equal(jsonx_str(jsonx_get(o, "status")), "active");
    json_object_put(o);

    /* Disconnect: auth.revoke, and the token is dead at Slack. */
    ofx_post_op(&f, &r, id, "disconnect");
    o = ok_json(&r);
    assert_true(json_object_get_boolean(jsonx_get(o, "revoked")));
    assert_null(jsonx_get(o, "revoke_error"));
    json_object_put(o);
    client_reply_dispose(&r);
    assert_int_equal(ofx_sb_counter(&f, "revoke"), 1);
    assert_int_equal(sb_get(&f, "/api/auth.test", access, &who), 200);
    assert_false(json_object_get_boolean(jsonx_get(who, "ok")));
    assert_string_equal(jsonx_str(jsonx_get(who, "error")), "token_revoked");
    json_object_put(who);
    it = ofx_integration(&f, id);
    assert_string_equal(jsonx_str(jsonx_get(it, "status")), "disconnected");
    assert_int_equal(jsonx_len(jsonx_get(it, "secrets_set")), 0);
    json_object_put(it);

    char *log = api_test_stop(f.t);
    assert_null(strstr(log, access));
    assert_null(strstr(log, sandbox_client_secret(SANDBOX_SLACK)));
    xfree(log);
    ofx_stop(&f);
}

/* Slack says no with 200 {"ok":false}: an auth error there needs the user
 * again, and a revocation Slack refuses is reported. */
static void slack_errors_come_as_200(void **state)
{
    struct ofx f;
    struct client_reply r;
    char provider[2048], id[ID_MAX], access[512], auth[600];
    struct json_object *o;

    ofx_start(&f, state, SANDBOX_SLACK);
    connect_ui(&f, "Revoked", provider, sizeof(provider), id);
    /* The workspace revokes the token behind inlet's back. */
    stored(&f, id, "access_token", access, sizeof(access));
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", access);
    client_call(
        &r, f.sb.base,
        &(struct client_call){.method = "POST", .path = "/api/auth.revoke", .headers = {auth}});
    assert_non_null(strstr(buf_cstr(&r.body), "\"revoked\":true"));
    client_reply_dispose(&r);

    /* Slack's token_revoked, in a 200, is a 401 in all but status: the bot
     * token cannot be renewed, so the integration needs its user. */
    ofx_post_op(&f, &r, id, "test");
    o = ok_json(&r);
    assert_false(json_object_get_boolean(jsonx_get(o, "ok")));
    assert_non_null(strstr(jsonx_str(jsonx_get(o, "error")), "needs_reauth"));
    json_object_put(o);
    client_reply_dispose(&r);
    o = ofx_integration(&f, id);
    assert_string_equal(jsonx_str(jsonx_get(o, "status")), "needs_reauth");
    json_object_put(o);
    ofx_post_op(&f, &r, id, "disconnect");
    o = ok_json(&r);
    assert_false(json_object_get_boolean(jsonx_get(o, "revoked")));
    assert_non_null(jsonx_str(jsonx_get(o, "revoke_error")));
    json_object_put(o);
    client_reply_dispose(&r);
    assert_int_equal(ofx_sb_counter(&f, "revoke"), 2);
    o = ofx_integration(&f, id);
    assert_string_equal(jsonx_str(jsonx_get(o, "status")), "disconnected");
    json_object_put(o);
    ofx_stop(&f);
}

static void slack_refusal(void **state)
{
    refusal(state, SANDBOX_SLACK);
}

int test_api_oauth_providers(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(hubspot_connect_test_refresh_disconnect, api_test_setup,
                                        api_test_teardown),
        cmocka_unit_test_setup_teardown(hubspot_refusal, api_test_setup, api_test_teardown),
        cmocka_unit_test_setup_teardown(slack_connect_test_disconnect, api_test_setup,
                                        api_test_teardown),
        cmocka_unit_test_setup_teardown(slack_errors_come_as_200, api_test_setup,
                                        api_test_teardown),
        cmocka_unit_test_setup_teardown(slack_refusal, api_test_setup, api_test_teardown),
    };
    return test_group_db("api_oauth_providers", tests);
}
