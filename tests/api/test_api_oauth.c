/* tests/api/test_api_oauth.c - connecting a Salesforce account end to end,
 * on both engines: inlet's API, the Salesforce emulator's consent page
 * (fetched, its form read and submitted as a person would), the callback,
 * and what ends up stored. Started from a browser session and from an API
 * key (the link); tenants' OAuth apps; replayed, expired and foreign
 * states; the provider's refusal; a verifier that does not match; a
 * reconnect that keeps the integration; and no token in any answer or log
 * line. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connectors/registry.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/jsonx.h"
#include "oauth/token.h"
#include "oauth_fx.h"
#include "sandbox/sandbox.h"
#include "sandbox/sandbox_int.h"
#include "sandbox/sb_test.h"

/* Refused starts from the web UI (a session navigating, asking for HTML)
 * are pages a person reads, with the reason; from an API key, or a script
 * of the session's (no HTML asked), they stay the API's JSON. */
static void refused_start_from_a_browser_is_a_page(void **state)
{
    struct ofx f;
    struct ofx_browser b;
    struct client_reply r;
    char url[512];
    ofx_start(&f, state, SANDBOX_SALESFORCE);
    ofx_put_app(&f, f.t->a.key);
    ofx_sign_in(&f, &b, f.t->a.key);
    static const struct {
        const char *query;
        long status;
        const char *says;
    } cases[] = {
        {"integration_id=int_00000000000000000000000000", 404, "int_00000000000000000000000000"},
        {"name=Sales&return_to=https%3A%2F%2Fevil.example%2F", 422, "return_to"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(url, sizeof(url), "%s/api/oauth/salesforce/start?%s", f.t->base, cases[i].query);
        ofx_browser_get(&r, &b, url);
        assert_int_equal(r.status, cases[i].status);
        char type[64];
        assert_non_null(client_header(&r, "Content-Type", type, sizeof(type)));
        assert_string_equal(type, "text/html; charset=utf-8");
        if (!strstr(buf_cstr(&r.body), "The connection did not complete") ||
            !strstr(buf_cstr(&r.body), cases[i].says))
            fail_msg("start %s: %s", cases[i].query, buf_cstr(&r.body));
        client_reply_dispose(&r);
        snprintf(url, sizeof(url), "/api/oauth/salesforce/start?%s", cases[i].query);
        api_test_call(f.t, &r, "GET", url, f.t->a.key, NULL, NULL);
        assert_int_equal(r.status, cases[i].status);
        assert_non_null(strstr(buf_cstr(&r.body), "{\"error\":"));
        client_reply_dispose(&r);
    }
    ofx_stop(&f);
}

static void connect_from_a_browser(void **state)
{
    struct ofx f;
    struct ofx_browser b;
    char provider[2048], back[2048], landing[2048], id[ID_MAX];
    ofx_start(&f, state, SANDBOX_SALESFORCE);

    ofx_put_app(&f, f.t->a.key);
    ofx_sign_in(&f, &b, f.t->a.key);
    ofx_start_ui(&f, &b, "name=Sales&return_to=%2Fui%2Fdone", provider, sizeof(provider));
    char v[256];
    assert_string_equal(ofx_query_of(provider, "response_type", v, sizeof(v)), "code");
    assert_string_equal(ofx_query_of(provider, "client_id", v, sizeof(v)),
                        "sandbox-salesforce-client");
    assert_string_equal(ofx_query_of(provider, "code_challenge_method", v, sizeof(v)), "S256");
    assert_int_equal(strlen(ofx_query_of(provider, "code_challenge", v, sizeof(v))), 43);
    assert_int_equal(strlen(ofx_query_of(provider, "state", v, sizeof(v))), 43);
    assert_string_equal(ofx_query_of(provider, "scope", v, sizeof(v)), "api refresh_token");
    char want[256];
    snprintf(want, sizeof(want), "%s/api/oauth/callback", f.t->base);
    assert_string_equal(ofx_query_of(provider, "redirect_uri", v, sizeof(v)), want);

    ofx_consent(provider, "allow", back, sizeof(back));
    assert_int_equal(ofx_callback(&f, &b, back, landing, sizeof(landing)), 302);
    snprintf(want, sizeof(want), "%s/ui/done?inlet_oauth=connected&integration_id=", f.t->base);
    assert_true(strncmp(landing, want, strlen(want)) == 0);
    ofx_query_of(landing, "integration_id", id, sizeof(id));

    struct json_object *it = ofx_integration(&f, id);
    assert_string_equal(jsonx_str(jsonx_get(it, "status")), "active");
    assert_string_equal(jsonx_str(jsonx_get(it, "name")), "Sales");
    struct json_object *conn = jsonx_get(it, "connection");
    assert_string_equal(jsonx_str(jsonx_get(jsonx_get(conn, "metadata"), "instance_url")),
                        f.sb.base);
    assert_string_equal(jsonx_str(jsonx_get(jsonx_get(conn, "identity"), "preferred_username")),
                        "user@sandbox.inlet.test");
    assert_string_equal(jsonx_str(jsonx_get(conn, "scopes")), "api refresh_token");
    assert_int_equal(jsonx_len(jsonx_get(it, "secrets_set")), 2);
    json_object_put(it);
    assert_int_equal(ofx_sb_counter(&f, "token_code"), 1);
    /* The consent and the audit entry name who did it. */
    char sql[256];
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM consents WHERE integration_id = '%s' AND granted_by LIKE 'ui:%%'"
             " AND account = 'user@sandbox.inlet.test'",
             id);
    assert_int_equal(test_db_int(f.t->tdb->db, sql), 1);
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM audit_log WHERE target_id = '%s' AND action = "
             "'integration.connect'",
             id);
    assert_int_equal(test_db_int(f.t->tdb->db, sql), 1);

    /* The state worked once: the same callback again is refused. */
    assert_int_equal(ofx_callback(&f, &b, back, landing, sizeof(landing)), 400);
    assert_non_null(strstr(landing, "unknown or already used"));
    /* No token in any log line (answers are checked in no_token_anywhere). */
    char *log = api_test_stop(f.t);
    assert_null(strstr(log, "00DSB0000000001!"));
    assert_null(strstr(log, "5Aep"));
    assert_null(strstr(log, "sandbox-salesforce-secret"));
    xfree(log);
    ofx_stop(&f);
}

static void connect_with_an_api_key_link(void **state)
{
    struct ofx f;
    struct ofx_browser b = {0}, other = {0};
    struct client_reply r;
    char link[1024], provider[2048], back[2048], landing[2048];
    ofx_start(&f, state, SANDBOX_SALESFORCE);
    ofx_put_app(&f, f.t->a.key);

    /* A backend starts it: the answer is inlet's link, no cookie. */
    api_test_call(f.t, &r, "GET", "/api/oauth/salesforce/start?name=Linked", f.t->a.key, NULL,
                  NULL);
    assert_int_equal(r.status, 302);
    assert_non_null(client_header(&r, "Location", link, sizeof(link)));
    char want[256];
    snprintf(want, sizeof(want), "%s/api/oauth/go?state=", f.t->base);
    assert_true(strncmp(link, want, strlen(want)) == 0);
    char v[64];
    assert_null(client_header(&r, "Set-Cookie", v, sizeof(v)));
    client_reply_dispose(&r);

    /* The first browser to open it takes the flow... */
    ofx_browser_get(&r, &b, link);
    assert_int_equal(r.status, 302);
    ofx_keep_flow_cookie(&b, &r);
    assert_non_null(client_header(&r, "Location", provider, sizeof(provider)));
    assert_true(strncmp(provider, f.sb.base, strlen(f.sb.base)) == 0);
    client_reply_dispose(&r);
    /* ...and no other. */
    ofx_browser_get(&r, &other, link);
    assert_int_equal(r.status, 409);
    assert_non_null(strstr(buf_cstr(&r.body), "another browser"));
    client_reply_dispose(&r);

    ofx_consent(provider, "allow", back, sizeof(back));
    /* The other browser cannot finish it either; that spends the state. */
    assert_int_equal(ofx_callback(&f, &other, back, landing, sizeof(landing)), 400);
    assert_non_null(strstr(landing, "another browser or session"));
    assert_int_equal(ofx_callback(&f, &b, back, landing, sizeof(landing)), 400);

    /* Again, finished by the right browser. */
    api_test_call(f.t, &r, "GET", "/api/oauth/salesforce/start?name=Linked", f.t->a.key, NULL,
                  NULL);
    assert_non_null(client_header(&r, "Location", link, sizeof(link)));
    client_reply_dispose(&r);
    memset(&b, 0, sizeof(b));
    ofx_browser_get(&r, &b, link);
    ofx_keep_flow_cookie(&b, &r);
    assert_non_null(client_header(&r, "Location", provider, sizeof(provider)));
    client_reply_dispose(&r);
    ofx_consent(provider, "allow", back, sizeof(back));
    assert_int_equal(ofx_callback(&f, &b, back, landing, sizeof(landing)), 302);
    assert_non_null(strstr(landing, "inlet_oauth=connected"));
    /* Without return_to, the UI. */
    snprintf(want, sizeof(want), "%s/?inlet_oauth=connected", f.t->base);
    assert_true(strncmp(landing, want, strlen(want)) == 0);
    ofx_stop(&f);
}

static void refusals_and_expiry(void **state)
{
    struct ofx f;
    struct ofx_browser b;
    struct client_reply r;
    char provider[2048], back[2048], landing[2048], id[ID_MAX];
    ofx_start(&f, state, SANDBOX_SALESFORCE);

    /* No OAuth app anywhere: say how to provide one. */
    ofx_sign_in(&f, &b, f.t->a.key);
    api_test_call(f.t, &r, "GET", "/api/oauth/salesforce/start?name=x", f.t->a.key, NULL, NULL);
    api_test_expect_error(&r, 404, "not_found");
    assert_non_null(strstr(buf_cstr(&r.body), "PUT /api/connectors/salesforce/app"));
    client_reply_dispose(&r);
    ofx_put_app(&f, f.t->a.key);
    /* Bad requests. */
    api_test_call(f.t, &r, "GET", "/api/oauth/salesforce/start", f.t->a.key, NULL, NULL);
    api_test_expect_error(&r, 422, "validation_failed");
    client_reply_dispose(&r);
    api_test_call(f.t, &r, "GET", "/api/oauth/testkey/start?name=x", f.t->a.key, NULL, NULL);
    api_test_expect_error(&r, 422, "validation_failed");
    client_reply_dispose(&r);
    api_test_call(f.t, &r, "GET",
                  "/api/oauth/salesforce/start?name=x&return_to=https%3A%2F%2Fevil.example%2F",
                  f.t->a.key, NULL, NULL);
    api_test_expect_error(&r, 422, "validation_failed");
    client_reply_dispose(&r);
    api_test_call(f.t, &r, "GET", "/api/oauth/salesforce/start?name=x&return_to=%2F%2Fevil.example",
                  f.t->a.key, NULL, NULL);
    api_test_expect_error(&r, 422, "validation_failed");
    client_reply_dispose(&r);

    /* The user says no: back to the UI with the reason; the draft stays. */
    api_test_create(f.t, f.t->a.key, "{\"connector\":\"salesforce\",\"name\":\"Draft\"}", id);
    char q[128];
    snprintf(q, sizeof(q), "integration_id=%s", id);
    ofx_start_ui(&f, &b, q, provider, sizeof(provider));
    ofx_consent(provider, "deny", back, sizeof(back));
    assert_non_null(strstr(back, "error=access_denied"));
    assert_int_equal(ofx_callback(&f, &b, back, landing, sizeof(landing)), 302);
    assert_non_null(strstr(landing, "inlet_oauth=error&error=access_denied"));
    struct json_object *it = ofx_integration(&f, id);
    assert_string_equal(jsonx_str(jsonx_get(it, "status")), "draft");
    assert_int_equal(jsonx_len(jsonx_get(it, "secrets_set")), 0);
    json_object_put(it);

    /* Too slow: the state expired. */
    ofx_start_ui(&f, &b, q, provider, sizeof(provider));
    ofx_consent(provider, "allow", back, sizeof(back));
    assert_int_equal(test_db_int(f.t->tdb->db, "SELECT count(*) FROM oauth_states"), 1);
    struct err e;
    assert_db_ok(db_exec(f.t->tdb->db, "UPDATE oauth_states SET expires_at = 1", NULL, 0, NULL, &e),
                 &e);
    assert_int_equal(ofx_callback(&f, &b, back, landing, sizeof(landing)), 400);
    assert_non_null(strstr(landing, "start again"));
    assert_int_equal(test_db_int(f.t->tdb->db, "SELECT count(*) FROM oauth_states"), 0);
    assert_int_equal(ofx_sb_counter(&f, "token_code"), 0);

    /* A code meant for one flow, brought back with another's state: the
     * verifier does not match and the provider refuses. */
    char provider2[2048], back2[2048], st2[64], code1[128];
    ofx_start_ui(&f, &b, q, provider, sizeof(provider));
    ofx_consent(provider, "allow", back, sizeof(back));
    ofx_start_ui(&f, &b, q, provider2, sizeof(provider2));
    ofx_consent(provider2, "allow", back2, sizeof(back2));
    ofx_query_of(back, "code", code1, sizeof(code1));
    ofx_query_of(back2, "state", st2, sizeof(st2));
    char mixed[1024];
    snprintf(mixed, sizeof(mixed), "http://x/api/oauth/callback?code=%s&state=%s", code1, st2);
    assert_int_equal(ofx_callback(&f, &b, mixed, landing, sizeof(landing)), 302);
    assert_non_null(strstr(landing, "error=invalid_grant"));
    it = ofx_integration(&f, id);
    assert_string_equal(jsonx_str(jsonx_get(it, "status")), "draft");
    json_object_put(it);
    ofx_stop(&f);
}

static void reconnect_keeps_the_integration(void **state)
{
    struct ofx f;
    struct ofx_browser b;
    char provider[2048], back[2048], landing[2048], id[ID_MAX], got[ID_MAX], q[128];
    ofx_start(&f, state, SANDBOX_SALESFORCE);
    ofx_put_app(&f, f.t->a.key);
    ofx_sign_in(&f, &b, f.t->a.key);
    api_test_create(f.t, f.t->a.key,
                    "{\"connector\":\"salesforce\",\"name\":\"Org\",\"config\":{\"api_version\":"
                    "\"v60.0\"}}",
                    id);
    snprintf(q, sizeof(q), "integration_id=%s", id);
    for (int round = 0; round < 2; round++) {
        ofx_start_ui(&f, &b, q, provider, sizeof(provider));
        ofx_consent(provider, "allow", back, sizeof(back));
        assert_int_equal(ofx_callback(&f, &b, back, landing, sizeof(landing)), 302);
        ofx_query_of(landing, "integration_id", got, sizeof(got));
        assert_string_equal(got, id);
    }
    struct json_object *it = ofx_integration(&f, id);
    assert_string_equal(jsonx_str(jsonx_get(jsonx_get(it, "config"), "api_version")), "v60.0");
    assert_string_equal(jsonx_str(jsonx_get(it, "status")), "active");
    json_object_put(it);
    char sql[160];
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM consents WHERE integration_id = '%s'", id);
    assert_int_equal(test_db_int(f.t->tdb->db, sql), 2);
    /* Another tenant cannot connect it. */
    struct client_reply r;
    char path[160];
    snprintf(path, sizeof(path), "/api/oauth/salesforce/start?%s", q);
    ofx_put_app(&f, f.t->b.key);
    api_test_call(f.t, &r, "GET", path, f.t->b.key, NULL, NULL);
    api_test_expect_error(&r, 404, "not_found");
    client_reply_dispose(&r);
    ofx_stop(&f);
}

static void apps_never_show_secrets(void **state)
{
    struct ofx f;
    struct client_reply r;
    ofx_start(&f, state, SANDBOX_SALESFORCE);
    api_test_call(f.t, &r, "GET", "/api/connectors/salesforce/app", f.t->a.key, NULL, NULL);
    api_test_expect_error(&r, 404, "not_found");
    client_reply_dispose(&r);
    ofx_put_app(&f, f.t->a.key);
    api_test_call(f.t, &r, "GET", "/api/connectors/salesforce/app", f.t->a.key, NULL, NULL);
    assert_int_equal(r.status, 200);
    struct json_object *o = api_test_json(&r);
    assert_string_equal(jsonx_str(jsonx_get(o, "client_id")), "sandbox-salesforce-client");
    assert_true(json_object_get_boolean(jsonx_get(o, "has_secret")));
    assert_string_equal(jsonx_str(jsonx_get(o, "source")), "app");
    assert_null(strstr(buf_cstr(&r.body), "sandbox-salesforce-secret"));
    json_object_put(o);
    client_reply_dispose(&r);
    /* Tenant b has none; a connector without OAuth has no app. */
    api_test_call(f.t, &r, "GET", "/api/connectors/salesforce/app", f.t->b.key, NULL, NULL);
    api_test_expect_error(&r, 404, "not_found");
    client_reply_dispose(&r);
    api_test_call(f.t, &r, "PUT", "/api/connectors/testkey/app", f.t->a.key, SF_APP, NULL);
    api_test_expect_error(&r, 422, "validation_failed");
    client_reply_dispose(&r);
    api_test_call(f.t, &r, "PUT", "/api/connectors/salesforce/app", f.t->a.key,
                  "{\"client_id\":\"has space\"}", NULL);
    api_test_expect_error(&r, 422, "validation_failed");
    client_reply_dispose(&r);
    /* A public client. */
    api_test_call(f.t, &r, "PUT", "/api/connectors/salesforce/app", f.t->a.key,
                  "{\"client_id\":\"public-one\",\"scopes\":\"api\"}", NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(buf_cstr(&r.body), "\"has_secret\":false"));
    assert_non_null(strstr(buf_cstr(&r.body), "\"scopes\":\"api\""));
    client_reply_dispose(&r);
    api_test_call(f.t, &r, "DELETE", "/api/connectors/salesforce/app", f.t->a.key, NULL, NULL);
    assert_int_equal(r.status, 204);
    client_reply_dispose(&r);
    api_test_call(f.t, &r, "DELETE", "/api/connectors/salesforce/app", f.t->a.key, NULL, NULL);
    api_test_expect_error(&r, 404, "not_found");
    client_reply_dispose(&r);
    char *log = api_test_stop(f.t);
    assert_null(strstr(log, "sandbox-salesforce-secret"));
    xfree(log);
    ofx_stop(&f);
}

/* One caller of oauth_token_get on a connection of its own. */
struct caller {
    struct ofx *f;
    pthread_barrier_t *go;
    const char *id;
    struct db *db;
    struct secret token;
    int rc;
    char msg[ERR_MSG_MAX];
};

static struct oauth_env env_on(struct ofx *f, struct db *db)
{
    return (struct oauth_env){
        .db = db, .vault = f->t->vault, .reg = f->t->reg, .public_url = "http://127.0.0.1"};
}

static void *call_token(void *arg)
{
    struct caller *c = arg;
    struct oauth_env env = env_on(c->f, c->db);
    struct err e = {0};
    pthread_barrier_wait(c->go); /* all at once, as at an expiry */
    c->rc = oauth_token_get(&c->token, NULL, &env, c->f->t->a.id, c->id, NULL, false, &e);
    snprintf(c->msg, sizeof(c->msg), "%s", e.msg);
    return NULL;
}

/* Token of integration id as a caller gets it; rc returned, e filled. */
static int token(struct ofx *f, const char *id, const char *stale, bool force, struct secret *out,
                 struct oauth_token_info *info, struct err *e)
{
    struct db *db = test_db_connect(f->t->tdb);
    struct oauth_env env = env_on(f, db);
    int rc = oauth_token_get(out, info, &env, f->t->a.id, id, stale, force, e);
    db_close(db);
    return rc;
}

static void refresh_is_single_flight(void **state)
{
    enum { CALLERS = 50 };
    struct ofx f;
    char id[ID_MAX], sql[200];
    static struct caller callers[CALLERS];
    pthread_t th[CALLERS];
    struct err e;
    ofx_start(&f, state, SANDBOX_SALESFORCE);
    ofx_connect_new(&f, "Race", id);

    /* Fresh: no refresh at all. */
    struct secret first = {0};
    struct oauth_token_info info;
    assert_db_ok(token(&f, id, NULL, false, &first, &info, &e), &e);
    assert_false(info.refreshed);
    assert_int_equal(ofx_sb_counter(&f, "token_refresh"), 0);

    /* Expiring: fifty callers at once, one refresh, one token for all. */
    snprintf(sql, sizeof(sql), "UPDATE credentials SET expires_at = 1 WHERE integration_id = '%s'",
             id);
    assert_db_ok(db_exec(f.t->tdb->db, sql, NULL, 0, NULL, &e), &e);
    pthread_barrier_t go;
    assert_int_equal(pthread_barrier_init(&go, NULL, CALLERS), 0);
    for (int i = 0; i < CALLERS; i++) /* connected first: connecting is slow */
        callers[i] = (struct caller){.f = &f, .go = &go, .id = id, .db = test_db_connect(f.t->tdb)};
    for (int i = 0; i < CALLERS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, call_token, &callers[i]), 0);
    for (int i = 0; i < CALLERS; i++)
        assert_int_equal(pthread_join(th[i], NULL), 0);
    pthread_barrier_destroy(&go);
    assert_int_equal(ofx_sb_counter(&f, "token_refresh"), 1);
    for (int i = 0; i < CALLERS; i++) {
        if (callers[i].rc != 0)
            fail_msg("caller %d: %s", i, callers[i].msg);
        assert_int_equal(callers[i].token.n, callers[0].token.n);
        assert_memory_equal(callers[i].token.p, callers[0].token.p, callers[0].token.n);
        db_close(callers[i].db);
    }
    assert_false(first.n == callers[0].token.n &&
                 memcmp(first.p, callers[0].token.p, first.n) == 0);
    for (int i = 0; i < CALLERS; i++)
        secret_dispose(&callers[i].token);
    secret_dispose(&first);
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM credentials WHERE integration_id = '%s' AND refreshed_at > 0",
             id);
    assert_int_equal(test_db_int(f.t->tdb->db, sql), 1);
    ofx_stop(&f);
}

static void stale_token_rotation_and_reauth(void **state)
{
    struct ofx f;
    char id[ID_MAX];
    struct secret a = {0}, b = {0}, c = {0};
    struct oauth_token_info info;
    struct err e;
    ofx_start(&f, state, SANDBOX_SALESFORCE);
    ofx_connect_new(&f, "Rotating", id);
    ofx_sb_faults(&f, "{\"rotate_refresh\":true}");

    /* The provider said 401 to a: one refresh, then a is known stale. */
    assert_db_ok(token(&f, id, NULL, false, &a, NULL, &e), &e);
    assert_db_ok(token(&f, id, (const char *)a.p, false, &b, &info, &e), &e);
    assert_true(info.refreshed);
    assert_false(a.n == b.n && memcmp(a.p, b.p, a.n) == 0);
    assert_db_ok(token(&f, id, (const char *)a.p, false, &c, &info, &e), &e);
    assert_false(info.refreshed);
    assert_memory_equal(b.p, c.p, b.n);
    assert_int_equal(ofx_sb_counter(&f, "token_refresh"), 1);
    secret_dispose(&c);
    /* Rotation revoked the first refresh token: a second refresh works
     * only because the rotated one was stored. */
    assert_db_ok(token(&f, id, NULL, true, &c, &info, &e), &e);
    assert_true(info.refreshed);
    assert_int_equal(ofx_sb_counter(&f, "token_refresh"), 2);
    secret_dispose(&c);

    /* The user removed the app: the refresh is refused, the integration
     * needs its user, and nobody calls the provider again for it. */
    ofx_sb_faults(&f, "{\"revoke_refresh\":true}");
    assert_int_equal(token(&f, id, NULL, true, &c, NULL, &e), ERR_INVALID);
    assert_non_null(strstr(e.msg, "needs_reauth"));
    assert_non_null(strstr(e.msg, "invalid_grant"));
    struct json_object *it = ofx_integration(&f, id);
    assert_string_equal(jsonx_str(jsonx_get(it, "status")), "needs_reauth");
    assert_non_null(strstr(jsonx_str(jsonx_get(it, "status_reason")), "invalid_grant"));
    json_object_put(it);
    int64_t before = ofx_sb_counter(&f, "token_refresh");
    assert_int_equal(token(&f, id, NULL, false, &c, NULL, &e), ERR_INVALID);
    assert_int_equal(ofx_sb_counter(&f, "token_refresh"), before);
    /* The tenant is told once, in the app, with what to do. */
    struct json_object *inbox = ofx_get_json(&f, "/api/notifications");
    const char *text = json_object_to_json_string(inbox);
    assert_non_null(strstr(text, "integration.needs_reauth"));
    assert_null(strstr(strstr(text, "integration.needs_reauth") + 1, "integration.needs_reauth"));
    json_object_put(inbox);
    /* Reconnecting brings it back. */
    struct ofx_browser br;
    char q[128], provider[2048], back[2048], landing[2048];
    ofx_sign_in(&f, &br, f.t->a.key);
    snprintf(q, sizeof(q), "integration_id=%s", id);
    ofx_start_ui(&f, &br, q, provider, sizeof(provider));
    ofx_consent(provider, "allow", back, sizeof(back));
    assert_int_equal(ofx_callback(&f, &br, back, landing, sizeof(landing)), 302);
    assert_db_ok(token(&f, id, NULL, false, &c, NULL, &e), &e);
    secret_dispose(&a);
    secret_dispose(&b);
    secret_dispose(&c);
    ofx_stop(&f);
}

static void test_health_refresh_disconnect(void **state)
{
    struct ofx f;
    struct client_reply r;
    char id[ID_MAX], path[160];
    ofx_start(&f, state, SANDBOX_SALESFORCE);
    ofx_connect_new(&f, "Ops", id);
    snprintf(path, sizeof(path), "/api/integrations/%s/health", id);

    /* Never tested yet; the token present, no lifetime (Salesforce). */
    struct json_object *h = ofx_get_json(&f, path);
    assert_null(jsonx_get(h, "last_test"));
    assert_true(json_object_get_boolean(jsonx_get(jsonx_get(h, "credentials"), "present")));
    assert_null(jsonx_get(jsonx_get(h, "credentials"), "expires_at"));
    json_object_put(h);

    /* The test request works... */
    ofx_post_op(&f, &r, id, "test");
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(buf_cstr(&r.body), "\"ok\":true"));
    assert_non_null(strstr(buf_cstr(&r.body), "\"status\":200"));
    client_reply_dispose(&r);
    /* ...through a 401: the token expired early at the provider, one
     * refresh, one retry. */
    ofx_sb_faults(&f, "{\"expire_tokens\":true}");
    ofx_post_op(&f, &r, id, "test");
    assert_non_null(strstr(buf_cstr(&r.body), "\"ok\":true"));
    client_reply_dispose(&r);
    assert_int_equal(ofx_sb_counter(&f, "token_refresh"), 1);
    /* ...and says why when the provider fails. */
    ofx_sb_faults(&f, "{\"error_every\":1,\"error_status\":503}");
    ofx_post_op(&f, &r, id, "test");
    assert_int_equal(r.status, 200);
    struct json_object *o = api_test_json(&r);
    assert_false(json_object_get_boolean(jsonx_get(o, "ok")));
    assert_int_equal(json_object_get_int(jsonx_get(o, "status")), 503);
    assert_non_null(strstr(jsonx_str(jsonx_get(o, "error")), "SERVER_UNAVAILABLE"));
    json_object_put(o);
    client_reply_dispose(&r);
    ofx_sb_faults(&f, "{}");
    h = ofx_get_json(&f, path);
    assert_false(json_object_get_boolean(jsonx_get(jsonx_get(h, "last_test"), "ok")));
    assert_non_null(jsonx_get(jsonx_get(h, "credentials"), "last_refresh"));
    json_object_put(h);
    h = ofx_get_json(&f, "/api/health/summary");
    assert_int_equal(json_object_get_int(jsonx_get(h, "tests_failing")), 1);
    assert_int_equal(json_object_get_int(
                         jsonx_get(jsonx_get(jsonx_get(h, "integrations"), "by_status"), "active")),
                     1);
    json_object_put(h);

    /* A forced refresh. */
    ofx_post_op(&f, &r, id, "refresh");
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(buf_cstr(&r.body), "\"refreshed\":true"));
    client_reply_dispose(&r);
    assert_int_equal(ofx_sb_counter(&f, "token_refresh"), 2);

    /* Disconnect: revoked at the provider, then nothing to call with. */
    ofx_post_op(&f, &r, id, "disconnect");
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(buf_cstr(&r.body), "\"revoked\":true"));
    client_reply_dispose(&r);
    assert_int_equal(ofx_sb_counter(&f, "revoke"), 1);
    struct json_object *it = ofx_integration(&f, id);
    assert_string_equal(jsonx_str(jsonx_get(it, "status")), "disconnected");
    assert_int_equal(jsonx_len(jsonx_get(it, "secrets_set")), 0);
    json_object_put(it);
    ofx_post_op(&f, &r, id, "test");
    assert_non_null(strstr(buf_cstr(&r.body), "\"ok\":false"));
    client_reply_dispose(&r);
    ofx_post_op(&f, &r, id, "refresh");
    api_test_expect_error(&r, 409, "needs_reauth");
    client_reply_dispose(&r);
    char sql[200];
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM consents WHERE integration_id = '%s' AND revoked_at IS NOT NULL",
             id);
    assert_int_equal(test_db_int(f.t->tdb->db, sql), 1);
    /* Another tenant sees none of it. */
    api_test_call(f.t, &r, "GET", path, f.t->b.key, NULL, NULL);
    api_test_expect_error(&r, 404, "not_found");
    client_reply_dispose(&r);

    /* Connecting again brings the same integration back. */
    struct ofx_browser br;
    char q[128], provider[2048], back[2048], landing[2048];
    ofx_sign_in(&f, &br, f.t->a.key);
    snprintf(q, sizeof(q), "integration_id=%s", id);
    ofx_start_ui(&f, &br, q, provider, sizeof(provider));
    ofx_consent(provider, "allow", back, sizeof(back));
    assert_int_equal(ofx_callback(&f, &br, back, landing, sizeof(landing)), 302);
    ofx_post_op(&f, &r, id, "test");
    assert_non_null(strstr(buf_cstr(&r.body), "\"ok\":true"));
    client_reply_dispose(&r);
    /* Through all of it, no token or client secret in a log line. */
    char *log = api_test_stop(f.t);
    assert_null(strstr(log, "00DSB0000000001!"));
    assert_null(strstr(log, "5Aep"));
    assert_null(strstr(log, "sandbox-salesforce-secret"));
    xfree(log);
    ofx_stop(&f);
}

/* custom-oauth2 takes every endpoint from the integration's settings: here
 * the Salesforce emulator's, as any standards-compliant server's. */
static void custom_oauth2_any_server(void **state)
{
    struct ofx f;
    struct ofx_browser b;
    struct client_reply r;
    char body[1024], id[ID_MAX], q[128], provider[2048], back[2048], landing[2048];
    ofx_start(&f, state, SANDBOX_SALESFORCE);
    f.connector = "custom-oauth2";
    ofx_put_app(&f, f.t->a.key);
    snprintf(body, sizeof(body),
             "{\"connector\":\"custom-oauth2\",\"name\":\"Mine\",\"config\":{"
             "\"authorize_url\":\"%s/services/oauth2/authorize\","
             "\"token_url\":\"%s/services/oauth2/token\","
             "\"revoke_url\":\"%s/services/oauth2/revoke\","
             "\"userinfo_url\":\"%s/services/oauth2/userinfo\","
             "\"base_url\":\"%s/services/data/v60.0\"}}",
             f.sb.base, f.sb.base, f.sb.base, f.sb.base, f.sb.base);
    api_test_create(f.t, f.t->a.key, body, id);
    ofx_sign_in(&f, &b, f.t->a.key);
    snprintf(q, sizeof(q), "integration_id=%s", id);
    ofx_start_ui(&f, &b, q, provider, sizeof(provider));
    ofx_consent(provider, "allow", back, sizeof(back));
    assert_int_equal(ofx_callback(&f, &b, back, landing, sizeof(landing)), 302);
    assert_non_null(strstr(landing, "inlet_oauth=connected"));
    struct json_object *it = ofx_integration(&f, id);
    assert_string_equal(jsonx_str(jsonx_get(it, "status")), "active");
    assert_string_equal(jsonx_str(jsonx_get(jsonx_get(jsonx_get(it, "connection"), "identity"),
                                            "preferred_username")),
                        "user@sandbox.inlet.test");
    json_object_put(it);
    ofx_post_op(&f, &r, id, "refresh");
    assert_int_equal(r.status, 200);
    client_reply_dispose(&r);
    assert_int_equal(ofx_sb_counter(&f, "token_refresh"), 1);
    ofx_post_op(&f, &r, id, "disconnect");
    assert_non_null(strstr(buf_cstr(&r.body), "\"revoked\":true"));
    client_reply_dispose(&r);

    /* Without the optional endpoints: no identity, nothing to revoke. */
    snprintf(body, sizeof(body),
             "{\"connector\":\"custom-oauth2\",\"name\":\"Bare\",\"config\":{"
             "\"authorize_url\":\"%s/services/oauth2/authorize\","
             "\"token_url\":\"%s/services/oauth2/token\","
             "\"base_url\":\"%s/services/data/v60.0\"}}",
             f.sb.base, f.sb.base, f.sb.base);
    api_test_create(f.t, f.t->a.key, body, id);
    snprintf(q, sizeof(q), "integration_id=%s", id);
    ofx_start_ui(&f, &b, q, provider, sizeof(provider));
    ofx_consent(provider, "allow", back, sizeof(back));
    assert_int_equal(ofx_callback(&f, &b, back, landing, sizeof(landing)), 302);
    it = ofx_integration(&f, id);
    assert_string_equal(jsonx_str(jsonx_get(it, "status")), "active");
    assert_null(jsonx_get(jsonx_get(it, "connection"), "identity"));
    json_object_put(it);
    ofx_post_op(&f, &r, id, "disconnect");
    assert_non_null(strstr(buf_cstr(&r.body), "\"revoked\":false,\"revoke_error\":null"));
    client_reply_dispose(&r);

    /* Tokens never go to a plain-http server off loopback. */
    api_test_create(f.t, f.t->a.key,
                    "{\"connector\":\"custom-oauth2\",\"name\":\"Plain\",\"config\":{"
                    "\"authorize_url\":\"http://auth.example.com/authorize\","
                    "\"token_url\":\"http://auth.example.com/token\","
                    "\"base_url\":\"https://api.example.com\"}}",
                    id);
    char path[160];
    snprintf(path, sizeof(path), "/api/oauth/custom-oauth2/start?integration_id=%s", id);
    api_test_call(f.t, &r, "GET", path, f.t->a.key, NULL, NULL);
    api_test_expect_error(&r, 422, "validation_failed");
    assert_non_null(strstr(buf_cstr(&r.body), "http is only for localhost"));
    client_reply_dispose(&r);
    ofx_stop(&f);
}

int test_api_oauth(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(connect_from_a_browser, api_test_setup, api_test_teardown),
        cmocka_unit_test_setup_teardown(refused_start_from_a_browser_is_a_page, api_test_setup,
                                        api_test_teardown),
        cmocka_unit_test_setup_teardown(connect_with_an_api_key_link, api_test_setup,
                                        api_test_teardown),
        cmocka_unit_test_setup_teardown(refusals_and_expiry, api_test_setup, api_test_teardown),
        cmocka_unit_test_setup_teardown(reconnect_keeps_the_integration, api_test_setup,
                                        api_test_teardown),
        cmocka_unit_test_setup_teardown(apps_never_show_secrets, api_test_setup, api_test_teardown),
        cmocka_unit_test_setup_teardown(refresh_is_single_flight, api_test_setup,
                                        api_test_teardown),
        cmocka_unit_test_setup_teardown(stale_token_rotation_and_reauth, api_test_setup,
                                        api_test_teardown),
        cmocka_unit_test_setup_teardown(test_health_refresh_disconnect, api_test_setup,
                                        api_test_teardown),
        cmocka_unit_test_setup_teardown(custom_oauth2_any_server, api_test_setup,
                                        api_test_teardown),
    };
    return test_group_db("api_oauth", tests);
}
