/* tests/api/test_api_connect.c - connect sessions through the real server,
 * on both engines: the registered origins and branding and every refusal
 * of them; making a session and every refusal (no open redirect: the
 * return_url's origin must be registered); what its token reaches (the
 * connect page's routes, its one integration, the connectors it allows)
 * and what it does not; the end user it gives the integration; finish,
 * which spends it; expiry; reconnect sessions; a suspended tenant; a
 * platform key making sessions on a tenant's behalf. The page itself:
 * tests/e2e/connect.test.mjs. */
#include <stdio.h>
#include <string.h>

#include <json-c/json_pointer.h>

#include "api_test.h"
#include "core/alloc.h"
#include "core/jsonx.h"
#include "core/time.h"
#include "store/platform_key.h"
#include "test.h"

#define HOST   "https://app.example.com"
#define KEYCFG "\"config\":{\"subdomain\":\"acme\"}"

static struct json_object *at(struct json_object *v, const char *ptr)
{
    struct json_object *out = NULL;
    return json_pointer_get(v, ptr, &out) == 0 ? out : NULL;
}

static const char *str(struct json_object *v, const char *ptr)
{
    const char *s = jsonx_str(at(v, ptr));
    if (!s)
        fail_msg("no string at %s in %s", ptr, json_object_to_json_string(v));
    return s;
}

/* A call by key (a tenant key, a connect token, a platform key with
 * tenant); fails unless status; the JSON body (json_object_put), or NULL
 * for an empty one. */
static struct json_object *call(struct api_test *t, const char *method, const char *path,
                                const char *key, const char *body, long status)
{
    struct client_reply r;
    api_test_call(t, &r, method, path, key, body, NULL);
    if (r.status != status)
        fail_msg("%s %s: expected %ld, got %ld: %s", method ? method : "GET", path, status,
                 r.status, buf_cstr(&r.body));
    struct json_object *v = r.body.n ? api_test_json(&r) : NULL;
    client_reply_dispose(&r);
    return v;
}

/* Fail unless the call answers status with code and, when ptr is not
 * NULL, a detail at that pointer. */
static void refused(struct api_test *t, const char *method, const char *path, const char *key,
                    const char *body, long status, const char *code, const char *ptr)
{
    struct json_object *v = call(t, method, path, key, body, status);
    const char *got = jsonx_str(at(v, "/error/code"));
    if (!got || strcmp(got, code) != 0)
        fail_msg("%s %s: expected %s, got %s", method ? method : "GET", path, code,
                 json_object_to_json_string(v));
    if (ptr) {
        const char *p = jsonx_str(at(v, "/error/details/0/pointer"));
        if (!p || strcmp(p, ptr) != 0)
            fail_msg("%s %s: expected a detail at %s, got %s", method ? method : "GET", path, ptr,
                     json_object_to_json_string(v));
    }
    json_object_put(v);
}

/* An RFC 3339 time in Unix seconds. */
static int64_t secs(const char *s)
{
    int64_t ms = 0;
    struct err e;
    assert_db_ok(time_parse_rfc3339(&ms, s, strlen(s), &e), &e);
    return ms / 1000;
}

static void register_host(struct api_test *t, const char *key)
{
    json_object_put(
        call(t, "PUT", "/api/connect-settings", key, "{\"allowed_origins\":[\"" HOST "\"]}", 200));
}

struct session {
    char id[ID_MAX];
    char token[128];
};

/* A session of the tenant of key made from body; fails unless 201. */
static void session(struct api_test *t, const char *key, const char *body, struct session *s)
{
    struct json_object *v = call(t, "POST", "/api/connect-sessions", key, body, 201);
    snprintf(s->id, sizeof(s->id), "%s", str(v, "/id"));
    snprintf(s->token, sizeof(s->token), "%s", str(v, "/token"));
    json_object_put(v);
}

static void test_settings(void **state)
{
    struct api_test *t = *state;

    struct json_object *v = call(t, NULL, "/api/connect-settings", t->a.key, NULL, 200);
    assert_string_equal(
        json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
        "{\"allowed_origins\":[],\"branding\":{}}");
    json_object_put(v);

    v = call(t, "PUT", "/api/connect-settings", t->a.key,
             "{\"allowed_origins\":[\"HTTPS://App.Example.com\",\"https://app.example.com/\","
             "\"http://127.0.0.1:8080\"],\"branding\":{\"name\":\"Acme CRM\",\"accent_color\":"
             "\"#AA3300\",\"logo_url\":\"data:image/png;base64,iVBORw0KGgo=\"}}",
             200);
    assert_string_equal(
        json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
        "{\"allowed_origins\":[\"https://app.example.com\",\"http://127.0.0.1:"
        "8080\"],\"branding\":{\"name\":\"Acme CRM\",\"logo_url\":\"data:image/"
        "png;base64,iVBORw0KGgo=\",\"accent_color\":\"#aa3300\"}}");
    json_object_put(v);
    /* Branding alone leaves the origins as they were. */
    v = call(t, "PUT", "/api/connect-settings", t->a.key,
             "{\"branding\":{\"name\":\"Acme CRM\",\"accent_color\":\"#aa3300\"}}", 200);
    assert_null(at(v, "/branding/logo_url")); /* replaced whole */
    assert_int_equal(jsonx_len(at(v, "/allowed_origins")), 2);
    json_object_put(v);

    static const struct {
        const char *body, *ptr;
    } bad[] = {
        {"{\"allowed_origins\":[\"https://app.example.com/path\"]}", "/allowed_origins/0"},
        {"{\"allowed_origins\":[\"ftp://app.example.com\"]}", "/allowed_origins/0"},
        {"{\"allowed_origins\":[\"https://me@app.example.com\"]}", "/allowed_origins/0"},
        {"{\"allowed_origins\":[\"https://ok.example.com\",7]}", "/allowed_origins/1"},
        {"{\"allowed_origins\":\"https://app.example.com\"}", "/allowed_origins"},
        {"{\"branding\":{\"accent_color\":\"red\"}}", "/branding/accent_color"},
        {"{\"branding\":{\"logo_url\":\"http://cdn.example.com/l.png\"}}", "/branding/logo_url"},
        {"{\"branding\":{\"logo_url\":\"data:text/html;base64,PGI+\"}}", "/branding/logo_url"},
        {"{\"branding\":{\"name\":\"\"}}", "/branding/name"},
        {"{\"branding\":{\"font\":\"x\"}}", "/branding/font"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        refused(t, "PUT", "/api/connect-settings", t->a.key, bad[i].body, 422, "validation_failed",
                bad[i].ptr);
    refused(t, "PUT", "/api/connect-settings", t->a.key, "{\"origins\":[]}", 400, "unknown_field",
            NULL);
    /* Nothing refused was stored; b has its own (empty) settings. */
    v = call(t, NULL, "/api/connect-settings", t->a.key, NULL, 200);
    assert_string_equal(str(v, "/branding/accent_color"), "#aa3300");
    json_object_put(v);
    v = call(t, NULL, "/api/connect-settings", t->b.key, NULL, 200);
    assert_int_equal(jsonx_len(at(v, "/allowed_origins")), 0);
    json_object_put(v);
    assert_true(api_test_sql_int(t, t->a.id,
                                 "SELECT count(*) FROM audit_log WHERE tenant_id = $1 AND"
                                 " action = 'connect_settings.update'") == 2);
}

static void test_session_refusals(void **state)
{
    struct api_test *t = *state;
    static const struct {
        const char *body, *ptr;
    } bad[] = {
        /* No origin registered yet: no open redirect anywhere. */
        {"{\"end_user\":{\"id\":\"u1\"},\"return_url\":\"" HOST "/done\"}", "/return_url"},
    };
    refused(t, "POST", "/api/connect-sessions", t->a.key, bad[0].body, 422, "validation_failed",
            bad[0].ptr);
    register_host(t, t->a.key);
    static const struct {
        const char *body, *ptr;
    } more[] = {
        {"{\"end_user\":{\"id\":\"u1\"},\"return_url\":\"https://evil.example.com/\"}",
         "/return_url"},
        {"{\"end_user\":{\"id\":\"u1\"},\"return_url\":\"https://app.example.com.evil.com/\"}",
         "/return_url"},
        {"{\"end_user\":{\"id\":\"u1\"},\"return_url\":\"javascript:alert(1)\"}", "/return_url"},
        {"{\"end_user\":{\"id\":\"u1\"},\"return_url\":\"https://x@app.example.com/\"}",
         "/return_url"},
        {"{\"end_user\":{\"id\":\"u1\"}}", "/return_url"},
        {"{\"return_url\":\"" HOST "/\"}", "/end_user"},
        {"{\"end_user\":{\"email\":\"a@b.c\"},\"return_url\":\"" HOST "/\"}", "/end_user/id"},
        {"{\"end_user\":{\"id\":\"u1\",\"email\":\"nope\"},\"return_url\":\"" HOST "/\"}",
         "/end_user/email"},
        {"{\"end_user\":{\"id\":\"u1\",\"age\":3},\"return_url\":\"" HOST "/\"}", "/end_user"},
        {"{\"end_user\":{\"id\":\"u1\"},\"allowed_connectors\":[\"testkey\",\"nope\"],"
         "\"return_url\":\"" HOST "/\"}",
         "/allowed_connectors/1"},
        {"{\"end_user\":{\"id\":\"u1\"},\"allowed_connectors\":[],\"return_url\":\"" HOST "/\"}",
         "/allowed_connectors"},
        {"{\"end_user\":{\"id\":\"u1\"},\"integration_id\":\"int_00000000000000000000000000\","
         "\"return_url\":\"" HOST "/\"}",
         "/integration_id"},
    };
    for (size_t i = 0; i < sizeof(more) / sizeof(more[0]); i++)
        refused(t, "POST", "/api/connect-sessions", t->a.key, more[i].body, 422,
                "validation_failed", more[i].ptr);
    /* b's integration is not a's to reconnect. */
    char bid[ID_MAX], body[256];
    api_test_create(t, t->b.key,
                    "{\"connector\":\"testnone\",\"name\":\"b\",\"config\":{\"region\":\"eu\"}}",
                    bid);
    snprintf(body, sizeof(body),
             "{\"end_user\":{\"id\":\"u1\"},\"integration_id\":\"%s\",\"return_url\":\"" HOST
             "/\"}",
             bid);
    refused(t, "POST", "/api/connect-sessions", t->a.key, body, 422, "validation_failed",
            "/integration_id");
    assert_int_equal(api_test_sql_int(t, NULL, "SELECT count(*) FROM connect_sessions"), 0);
}

static void test_session_flow(void **state)
{
    struct api_test *t = *state;
    struct session s;
    char other[ID_MAX], path[128], id[ID_MAX];

    register_host(t, t->a.key);
    api_test_create(t, t->a.key,
                    "{\"connector\":\"testnone\",\"name\":\"a-own\",\"config\":{\"region\":"
                    "\"eu\"}}",
                    other);
    struct json_object *v =
        call(t, "POST", "/api/connect-sessions", t->a.key,
             "{\"end_user\":{\"id\":\"user-42\",\"email\":\"ann@example.com\",\"display_name\":"
             "\"Ann\"},\"allowed_connectors\":[\"testkey\",\"testnone\"],\"return_url\":\"" HOST
             "/settings?tab=crm\"}",
             201);
    snprintf(s.id, sizeof(s.id), "%s", str(v, "/id"));
    snprintf(s.token, sizeof(s.token), "%s", str(v, "/token"));
    assert_true(strncmp(s.token, "inlet_cs_", 9) == 0);
    char want[256];
    snprintf(want, sizeof(want), "%s/connect#token=%s", t->base, s.token);
    assert_string_equal(str(v, "/url"), want);
    assert_string_equal(str(v, "/status"), "pending");
    assert_int_equal(secs(str(v, "/expires_at")) - secs(str(v, "/created_at")), 1800);
    json_object_put(v);

    /* What the page reads first: the branding defaults to the tenant. */
    v = call(t, NULL, "/api/connect/session", s.token, NULL, 200);
    assert_true(strncmp(str(v, "/branding/name"), "api-a-", 6) == 0);
    assert_string_equal(str(v, "/return_origin"), HOST);
    assert_string_equal(str(v, "/end_user/id"), "user-42");
    assert_null(jsonx_get(v, "token"));
    json_object_put(v);
    v = call(t, NULL, "/api/connectors", s.token, NULL, 200);
    assert_int_equal(jsonx_len(jsonx_get(v, "data")), 2);
    json_object_put(v);
    json_object_put(call(t, NULL, "/api/connectors/testkey", s.token, NULL, 200));
    refused(t, NULL, "/api/connectors/testtap", s.token, NULL, 404, "not_found", NULL);

    /* Beyond the page's routes, nothing; the tenant's integration is not
     * there. */
    refused(t, NULL, "/api/audit", s.token, NULL, 403, "connect_scope", NULL);
    refused(t, "POST", "/api/connect-sessions", s.token, "{}", 403, "connect_scope", NULL);
    refused(t, NULL, "/api/connect-settings", s.token, NULL, 403, "connect_scope", NULL);
    snprintf(path, sizeof(path), "/api/integrations/%s", other);
    refused(t, NULL, path, s.token, NULL, 404, "not_found", NULL);
    refused(t, "DELETE", path, s.token, NULL, 404, "not_found", NULL);
    v = call(t, NULL, "/api/integrations", s.token, NULL, 200);
    assert_int_equal(jsonx_len(jsonx_get(v, "data")), 0);
    json_object_put(v);
    /* The page's routes take nothing else. */
    refused(t, NULL, "/api/connect/session", t->a.key, NULL, 401, "unauthorized", NULL);
    refused(t, "POST", "/api/connect/oauth", s.token, "{}", 409, "conflict", NULL);

    /* Its integration: a connector it offers, the session's end user. */
    refused(t, "POST", "/api/integrations", s.token, "{\"connector\":\"testtap\",\"name\":\"x\"}",
            422, "validation_failed", "/connector");
    refused(t, "POST", "/api/integrations", s.token,
            "{\"connector\":\"testkey\",\"name\":\"x\"," KEYCFG ",\"end_user\":{\"id\":\"me\"}}",
            422, "validation_failed", "/end_user");
    v = call(t, "POST", "/api/integrations", s.token,
             "{\"connector\":\"testkey\",\"name\":\"Help desk of Ann\"," KEYCFG "}", 201);
    snprintf(id, sizeof(id), "%s", str(v, "/id"));
    assert_string_equal(str(v, "/end_user/id"), "user-42");
    assert_string_equal(str(v, "/end_user/email"), "ann@example.com");
    assert_string_equal(str(v, "/status"), "draft");
    json_object_put(v);
    refused(t, "POST", "/api/integrations", s.token,
            "{\"connector\":\"testnone\",\"name\":\"y\",\"config\":{\"region\":\"eu\"}}", 409,
            "conflict", NULL);
    v = call(t, NULL, "/api/integrations", s.token, NULL, 200);
    assert_int_equal(jsonx_len(jsonx_get(v, "data")), 1);
    json_object_put(v);
    refused(t, "POST", "/api/connect/finish", s.token, NULL, 409, "not_connected", NULL);

    /* The key makes it active; PATCH may not touch the host's labels. */
    snprintf(path, sizeof(path), "/api/integrations/%s", id);
    refused(t, "PATCH", path, s.token, "{\"tags\":[\"vip\"]}", 422, "validation_failed", "/tags");
    v = call(t, "PATCH", path, s.token, "{\"secrets\":{\"api_key\":\"sk-connect-0123456789\"}}",
             200);
    assert_string_equal(str(v, "/status"), "active");
    json_object_put(v);
    v = call(t, "POST", "/api/connect/finish", s.token, NULL, 200);
    assert_string_equal(str(v, "/status"), "connected");
    assert_string_equal(str(v, "/integration_id"), id);
    assert_string_equal(str(v, "/return_url"), HOST "/settings?tab=crm");
    json_object_put(v);

    /* Spent: nothing opens with it any more. */
    refused(t, NULL, "/api/connect/session", s.token, NULL, 401, "connect_session_expired", NULL);
    refused(t, NULL, path, s.token, NULL, 401, "connect_session_expired", NULL);
    snprintf(path, sizeof(path), "/api/connect-sessions/%s", s.id);
    v = call(t, NULL, path, t->a.key, NULL, 200);
    assert_string_equal(str(v, "/status"), "completed");
    assert_string_equal(str(v, "/integration_id"), id);
    json_object_put(v);
    refused(t, NULL, path, t->b.key, NULL, 404, "not_found", NULL);

    /* The audit log says who did what. */
    char actor[64];
    snprintf(actor, sizeof(actor), "connect:%s", s.id);
    v = call(t, NULL, "/api/audit?limit=3", t->a.key, NULL, 200);
    assert_string_equal(str(v, "/data/0/action"), "connect_session.complete");
    assert_string_equal(str(v, "/data/0/actor"), actor);
    json_object_put(v);
}

static void test_draft_replaced(void **state)
{
    struct api_test *t = *state;
    struct session s;
    char path[128];

    register_host(t, t->a.key);
    session(t, t->a.key, "{\"end_user\":{\"id\":\"u7\"},\"return_url\":\"" HOST "/\"}", &s);
    struct json_object *v = call(t, "POST", "/api/integrations", s.token,
                                 "{\"connector\":\"testkey\",\"name\":\"first\"," KEYCFG "}", 201);
    snprintf(path, sizeof(path), "/api/integrations/%s", str(v, "/id"));
    json_object_put(v);
    /* Back to choosing: deleting its draft lets the page make another. */
    json_object_put(call(t, "DELETE", path, s.token, NULL, 204));
    json_object_put(call(t, "POST", "/api/integrations", s.token,
                         "{\"connector\":\"testnone\",\"name\":\"second\",\"config\":{\"region\":"
                         "\"eu\"}}",
                         201));
}

static void test_expired(void **state)
{
    struct api_test *t = *state;
    struct session s;
    char path[128];
    struct err e;

    register_host(t, t->a.key);
    session(t, t->a.key, "{\"end_user\":{\"id\":\"u1\"},\"return_url\":\"" HOST "/\"}", &s);
    assert_db_ok(db_exec(t->tdb->db, "UPDATE connect_sessions SET expires_at = $2 WHERE id = $1",
                         DB_ARGS(DB_TEXT(s.id), DB_INT(time_now_ms() / 1000 - 1)), NULL, &e),
                 &e);
    struct client_reply r;
    api_test_call(t, &r, NULL, "/api/connect/session", s.token, NULL, NULL);
    api_test_expect_error(&r, 401, "connect_session_expired");
    assert_non_null(strstr(buf_cstr(&r.body), "expired"));
    assert_null(strstr(buf_cstr(&r.body), s.token));
    client_reply_dispose(&r);
    snprintf(path, sizeof(path), "/api/connect-sessions/%s", s.id);
    struct json_object *v = call(t, NULL, path, t->a.key, NULL, 200);
    assert_string_equal(str(v, "/status"), "expired");
    json_object_put(v);
    /* A token of the right shape that was never made. */
    refused(t, NULL, "/api/connect/session", "inlet_cs_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            NULL, 401, "connect_session_expired", NULL);
}

static void test_reconnect(void **state)
{
    struct api_test *t = *state;
    struct session s;
    char id[ID_MAX], path[128], body[256];

    register_host(t, t->a.key);
    api_test_create(t, t->a.key, "{\"connector\":\"testkey\",\"name\":\"kept\"," KEYCFG "}", id);
    snprintf(body, sizeof(body),
             "{\"end_user\":{\"id\":\"u1\"},\"integration_id\":\"%s\",\"return_url\":\"" HOST
             "/\"}",
             id);
    session(t, t->a.key, body, &s);
    struct json_object *v = call(t, NULL, "/api/connect/session", s.token, NULL, 200);
    assert_true(json_object_get_boolean(jsonx_get(v, "reconnect")));
    assert_string_equal(str(v, "/integration_id"), id);
    json_object_put(v);
    snprintf(path, sizeof(path), "/api/integrations/%s", id);
    json_object_put(call(t, NULL, path, s.token, NULL, 200));
    refused(t, "DELETE", path, s.token, NULL, 403, "connect_scope", NULL);
    refused(t, "POST", "/api/integrations", s.token,
            "{\"connector\":\"testkey\",\"name\":\"other\"," KEYCFG "}", 409, "conflict", NULL);
    v = call(t, "PATCH", path, s.token, "{\"secrets\":{\"api_key\":\"sk-again-0123456789\"}}", 200);
    json_object_put(v);
    json_object_put(call(t, "POST", "/api/connect/finish", s.token, NULL, 200));
    json_object_put(call(t, NULL, path, t->a.key, NULL, 200)); /* still there */

    /* A reconnect whose allowed connectors leave its own out could not
     * show it: refused when made. */
    snprintf(body, sizeof(body),
             "{\"end_user\":{\"id\":\"u1\"},\"integration_id\":\"%s\",\"allowed_connectors\":"
             "[\"testnone\"],\"return_url\":\"" HOST "/\"}",
             id);
    refused(t, "POST", "/api/connect-sessions", t->a.key, body, 422, "validation_failed",
            "/allowed_connectors");
}

static void test_cancel(void **state)
{
    struct api_test *t = *state;
    struct session s;
    char path[128];

    register_host(t, t->a.key);
    session(t, t->a.key, "{\"end_user\":{\"id\":\"u1\"},\"return_url\":\"" HOST "/x\"}", &s);
    struct json_object *v = call(t, "POST", "/api/connect/cancel", s.token, "{}", 200);
    assert_string_equal(str(v, "/status"), "cancelled");
    assert_string_equal(str(v, "/return_url"), HOST "/x");
    json_object_put(v);
    refused(t, "POST", "/api/connect/cancel", s.token, NULL, 401, "connect_session_expired", NULL);
    refused(t, "POST", "/api/connect/finish", s.token, NULL, 401, "connect_session_expired", NULL);
    snprintf(path, sizeof(path), "/api/connect-sessions/%s", s.id);
    v = call(t, NULL, path, t->a.key, NULL, 200);
    assert_string_equal(str(v, "/status"), "cancelled");
    json_object_put(v);
    refused(t, "POST", "/api/connect/cancel", t->a.key, NULL, 401, "unauthorized", NULL);
}

static void test_suspended_and_platform(void **state)
{
    struct api_test *t = *state;
    struct session s;
    struct secret key = {0};
    char pid[ID_MAX], pkey[128], path[128];
    struct err e;

    register_host(t, t->b.key);
    assert_db_ok(platform_key_create(pid, &key, t->tdb->db, "host", 1, &e), &e);
    memcpy(pkey, key.p, key.n + 1);
    secret_dispose(&key);
    /* The host product makes the session on b's behalf. */
    char h[64];
    snprintf(h, sizeof(h), "Inlet-Tenant: %s", t->b.id);
    const char *hdr[] = {h, NULL};
    struct client_reply r;
    api_test_call(t, &r, "POST", "/api/connect-sessions", pkey,
                  "{\"end_user\":{\"id\":\"u1\"},\"return_url\":\"" HOST "/\"}", hdr);
    assert_int_equal(r.status, 201);
    api_test_str(&r, "token", s.token, sizeof(s.token));
    client_reply_dispose(&r);
    json_object_put(call(t, NULL, "/api/connect/session", s.token, NULL, 200));

    snprintf(path, sizeof(path), "/api/tenants/%s/suspend", t->b.id);
    json_object_put(call(t, "POST", path, pkey, NULL, 200));
    refused(t, NULL, "/api/connect/session", s.token, NULL, 403, "tenant_suspended", NULL);
}

int test_api_connect(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, api_test_setup, api_test_teardown)
    const struct CMUnitTest tests[] = {
        T(test_settings),
        T(test_session_refusals),
        T(test_session_flow),
        T(test_draft_replaced),
        T(test_expired),
        T(test_reconnect),
        T(test_suspended_and_platform),
        T(test_cancel),
    };
#undef T
    return test_group_db("api_connect", tests);
}
