/* tests/api/test_api_basics.c - health, readiness, metrics, the OpenAPI
 * document, the connector catalogue, and the error shape for requests that
 * are wrong before any resource is involved (route, method, media type,
 * JSON syntax, unknown members, size). Both engines. */
#include <string.h>
#include <time.h>

#include "api_test.h"
#include "core/alloc.h"
#include "core/jsonx.h"

static void test_health(void **state)
{
    struct api_test *t = *state;
    struct client_reply r;
    char v[32];

    api_test_call(t, &r, NULL, "/healthz", NULL, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(api_test_str(&r, "status", v, sizeof(v)), "ok");
    client_reply_dispose(&r);
    api_test_call(t, &r, NULL, "/readyz", NULL, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(api_test_str(&r, "status", v, sizeof(v)), "ready");
    client_reply_dispose(&r);
}

static void test_metrics_count_routes(void **state)
{
    struct api_test *t = *state;
    struct client_reply r;
    char type[128];

    for (int i = 0; i < 3; i++) {
        api_test_call(t, &r, NULL, "/api/connectors", t->a.key, NULL, NULL);
        assert_int_equal(r.status, 200);
        client_reply_dispose(&r);
    }
    /* A request is counted when it completes, which is after its client has
     * the answer: the third one may land a moment after /metrics is asked. */
    const char *three = "inlet_http_requests_total{route=\"/api/connectors\","
                        "method=\"GET\",status=\"200\"} 3";
    for (int i = 0;; i++) {
        api_test_call(t, &r, NULL, "/metrics", NULL, NULL, NULL);
        if (strstr(buf_cstr(&r.body), three) || i == 100)
            break;
        client_reply_dispose(&r);
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    assert_int_equal(r.status, 200);
    assert_non_null(client_header(&r, "Content-Type", type, sizeof(type)));
    assert_non_null(strstr(type, "text/plain"));
    assert_non_null(strstr(buf_cstr(&r.body), three));
    assert_non_null(strstr(buf_cstr(&r.body), "inlet_http_request_duration_seconds_bucket"));
    assert_non_null(strstr(buf_cstr(&r.body), "inlet_http_open_connections"));
    client_reply_dispose(&r);
}

static void test_openapi_served(void **state)
{
    struct api_test *t = *state;
    struct client_reply r;
    char type[64];
    size_t n = 0;
    char *doc = test_read_file("docs/openapi.yaml", &n);

    assert_non_null(doc);
    api_test_call(t, &r, NULL, "/api/openapi.yaml", NULL, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(client_header(&r, "Content-Type", type, sizeof(type)), "application/yaml");
    assert_int_equal(r.body.n, n);
    assert_memory_equal(r.body.p, doc, n);
    client_reply_dispose(&r);
    xfree(doc);
}

static void test_unknown_route_and_method(void **state)
{
    struct api_test *t = *state;
    struct client_reply r;
    char allow[64];

    api_test_call(t, &r, NULL, "/api/nothing-here", t->a.key, NULL, NULL);
    api_test_expect_error(&r, 404, "not_found");
    client_reply_dispose(&r);
    api_test_call(t, &r, "DELETE", "/api/connectors", t->a.key, NULL, NULL);
    api_test_expect_error(&r, 405, "method_not_allowed");
    assert_string_equal(client_header(&r, "Allow", allow, sizeof(allow)), "GET");
    client_reply_dispose(&r);
}

static void test_body_must_be_json(void **state)
{
    struct api_test *t = *state;
    struct client_reply r;
    struct client_call c = {.method = "POST",
                            .path = "/api/integrations",
                            .body = "connector=testkey&name=x",
                            .body_len = 24,
                            .headers = {NULL, "Content-Type: application/x-www-form-urlencoded"}};
    char auth[200];

    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", t->a.key);
    c.headers[0] = auth;
    client_call(&r, t->base, &c);
    api_test_expect_error(&r, 415, "unsupported_media_type");
    client_reply_dispose(&r);

    static const char *const bad[] = {
        "",
        "{",
        "[1,2]",
        "{\"name\":\"x\",}",
        "{\"a\":1} x",
        "\"s\"",
        "{'name':1}",
        "{\"name\":\"\\ud800\"}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        api_test_call(t, &r, "POST", "/api/integrations", t->a.key, bad[i], NULL);
        api_test_expect_error(&r, 400, "invalid_json");
        client_reply_dispose(&r);
    }
    api_test_call(t, &r, "POST", "/api/integrations", t->a.key,
                  "{\"connector\":\"testkey\",\"name\":\"x\",\"colour\":\"red\"}", NULL);
    api_test_expect_error(&r, 400, "unknown_field");
    assert_non_null(strstr(buf_cstr(&r.body), "/colour"));
    client_reply_dispose(&r);
}

static void test_body_too_large(void **state)
{
    struct api_test *t = *state;
    struct client_reply r;
    size_t n = 70000; /* over the fixture's 64 KiB */
    char *big = xmalloc(n + 1);

    memset(big, ' ', n);
    big[0] = '{';
    big[n - 1] = '}';
    big[n] = '\0';
    api_test_call(t, &r, "POST", "/api/integrations", t->a.key, big, NULL);
    api_test_expect_error(&r, 413, "payload_too_large");
    client_reply_dispose(&r);
    xfree(big);
}

static void test_unknown_query_parameter(void **state)
{
    struct api_test *t = *state;
    struct client_reply r;

    api_test_call(t, &r, NULL, "/api/integrations?colour=red", t->a.key, NULL, NULL);
    api_test_expect_error(&r, 400, "unknown_parameter");
    client_reply_dispose(&r);
    api_test_call(t, &r, NULL, "/api/integrations?limit=0", t->a.key, NULL, NULL);
    api_test_expect_error(&r, 400, "invalid_parameter");
    client_reply_dispose(&r);
    api_test_call(t, &r, NULL, "/api/integrations?limit=201", t->a.key, NULL, NULL);
    api_test_expect_error(&r, 400, "invalid_parameter");
    client_reply_dispose(&r);
    api_test_call(t, &r, NULL, "/api/integrations?cursor=zzz", t->a.key, NULL, NULL);
    api_test_expect_error(&r, 400, "invalid_parameter");
    client_reply_dispose(&r);
    api_test_call(t, &r, NULL, "/api/integrations?status=sleeping", t->a.key, NULL, NULL);
    api_test_expect_error(&r, 400, "invalid_parameter");
    client_reply_dispose(&r);
    /* Bytes no engine would take are refused before any query, alike on both. */
    api_test_call(t, &r, NULL, "/api/integrations?connector=%FF", t->a.key, NULL, NULL);
    api_test_expect_error(&r, 400, "invalid_parameter");
    client_reply_dispose(&r);
}

/* An error that quotes what the client sent stays valid JSON (strict
 * UTF-8) when that was not UTF-8: api_test_expect_error parses it. */
static void test_errors_quoting_bad_bytes_are_json(void **state)
{
    struct api_test *t = *state;
    struct client_reply r;

    api_test_call(t, &r, NULL, "/api/connectors/ab%FF%C3cd", t->a.key, NULL, NULL);
    api_test_expect_error(&r, 404, "not_found");
    assert_non_null(strstr(buf_cstr(&r.body), "ab\\ufffd\\ufffdcd"));
    client_reply_dispose(&r);
    api_test_call(t, &r, NULL, "/api/integrations?%E2%82=1", t->a.key, NULL, NULL);
    api_test_expect_error(&r, 400, "unknown_parameter");
    client_reply_dispose(&r);
}

/* Names of the catalogue's data array, in order, comma-separated. */
static void names_of(const struct client_reply *r, char *out, size_t n)
{
    struct json_object *v = api_test_json(r), *data = jsonx_get(v, "data");
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < jsonx_len(data); i++)
        used += (size_t)snprintf(out + used, n - used, "%s%s", i ? "," : "",
                                 jsonx_str(jsonx_get(jsonx_at(data, i), "name")));
    json_object_put(v);
}

static void test_connector_catalogue(void **state)
{
    struct api_test *t = *state;
    struct client_reply r;
    char names[256];

    api_test_call(t, &r, NULL, "/api/connectors", t->a.key, NULL, NULL);
    assert_int_equal(r.status, 200);
    names_of(&r, names, sizeof(names));
    assert_string_equal(
        names, "custom-oauth2,hubspot,salesforce,slack,testbasic,testkey,testnone,testtap");
    client_reply_dispose(&r);

    api_test_call(t, &r, NULL, "/api/connectors?q=HELP%20DESK", t->a.key, NULL, NULL);
    names_of(&r, names, sizeof(names));
    assert_string_equal(names, "testkey");
    client_reply_dispose(&r);

    api_test_call(t, &r, NULL, "/api/connectors?category=crm", t->a.key, NULL, NULL);
    names_of(&r, names, sizeof(names));
    assert_string_equal(names, "hubspot,salesforce");
    client_reply_dispose(&r);

    api_test_call(t, &r, NULL, "/api/connectors?category=crm&q=zendesk", t->a.key, NULL, NULL);
    names_of(&r, names, sizeof(names));
    assert_string_equal(names, "");
    client_reply_dispose(&r);

    api_test_call(t, &r, NULL, "/api/connectors/salesforce", t->a.key, NULL, NULL);
    assert_int_equal(r.status, 200);
    struct json_object *v = api_test_json(&r);
    assert_string_equal(jsonx_str(jsonx_get(jsonx_get(v, "auth"), "type")), "oauth2");
    assert_non_null(
        jsonx_get(jsonx_get(jsonx_get(v, "config_schema"), "properties"), "login_host"));
    json_object_put(v);
    client_reply_dispose(&r);

    api_test_call(t, &r, NULL, "/api/connectors/nope", t->a.key, NULL, NULL);
    api_test_expect_error(&r, 404, "not_found");
    client_reply_dispose(&r);
}

static void test_connector_logo(void **state)
{
    struct api_test *t = *state;
    struct client_reply r;
    char h[128];

    api_test_call(t, &r, NULL, "/api/connectors/testkey/logo.svg", NULL, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(client_header(&r, "Content-Type", h, sizeof(h)), "image/svg+xml");
    assert_non_null(client_header(&r, "Content-Security-Policy", h, sizeof(h)));
    assert_non_null(strstr(buf_cstr(&r.body), "<svg"));
    client_reply_dispose(&r);
    api_test_call(t, &r, NULL, "/api/connectors/testnone/logo.svg", NULL, NULL, NULL);
    api_test_expect_error(&r, 404, "not_found");
    client_reply_dispose(&r);
}

int test_api_basics(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, api_test_setup, api_test_teardown)
    const struct CMUnitTest tests[] = {
        T(test_health),
        T(test_metrics_count_routes),
        T(test_openapi_served),
        T(test_unknown_route_and_method),
        T(test_body_must_be_json),
        T(test_body_too_large),
        T(test_unknown_query_parameter),
        T(test_errors_quoting_bad_bytes_are_json),
        T(test_connector_catalogue),
        T(test_connector_logo),
    };
#undef T
    return test_group_db("api_basics", tests);
}
