/* tests/unit/connectors/test_urls.c - a connector's URLs built from its
 * templates (config values, schema defaults, connection values), the values
 * refused because they would move the URL elsewhere, and the origin
 * overrides of --demo and INLET_<NAME>_BASE_URL, on the built-in
 * Salesforce connector. */
#include <string.h>

#include <json-c/json_object.h>
#include <json-c/json_tokener.h>

#include "connectors/registry.h"
#include "connectors/urls.h"
#include "core/buf.h"
#include "test.h"

/* The URL at pointer for config and connection (JSON texts, NULL for
 * none) into out; returns the error code (0 on success). */
static int url(struct buf *out, const struct connector *c, const char *pointer, const char *config,
               const char *connection, struct err *e)
{
    struct json_object *cfg = config ? json_tokener_parse(config) : NULL;
    struct json_object *conn = connection ? json_tokener_parse(connection) : NULL;
    buf_reset(out);
    int rc = connector_url(out, c, pointer, cfg, conn, e);
    json_object_put(cfg);
    json_object_put(conn);
    return rc < 0 ? e->code : 0;
}

static struct registry *load(void)
{
    struct registry *r = NULL;
    struct err e;
    if (registry_load(&r, NULL, NULL, NULL, &e) < 0)
        fail_msg("registry_load: %s", e.msg);
    return r;
}

static void templates(void **state)
{
    struct registry *r = load();
    const struct connector *sf = registry_get(r, "salesforce");
    struct buf b;
    struct err e;
    (void)state;

    assert_non_null(sf);
    assert_null(sf->origin);
    buf_init(&b, 0);
    /* The schema's default fills an absent config value. */
    assert_int_equal(url(&b, sf, "/auth/token_url", NULL, NULL, &e), 0);
    assert_string_equal(buf_cstr(&b), "https://login.salesforce.com/services/oauth2/token");
    assert_int_equal(
        url(&b, sf, "/auth/authorize_url", "{\"login_host\":\"test.salesforce.com\"}", NULL, &e),
        0);
    assert_string_equal(buf_cstr(&b), "https://test.salesforce.com/services/oauth2/authorize");
    /* The instance comes from the token response; a trailing '/' is dropped. */
    assert_int_equal(url(&b, sf, "/base_url", "{\"api_version\":\"v62.0\"}",
                         "{\"instance_url\":\"https://acme.my.salesforce.com/\"}", &e),
                     0);
    assert_string_equal(buf_cstr(&b), "https://acme.my.salesforce.com/services/data/v62.0");
    assert_int_equal(url(&b, sf, "/base_url", NULL, NULL, &e), ERR_INVALID);
    assert_string_equal(e.msg, "{connection.instance_url} has no value yet: connect first");
    assert_int_equal(url(&b, sf, "/nope", NULL, NULL, &e), ERR_NOTFOUND);
    buf_dispose(&b);
    registry_free(r);
}

static void values_cannot_move_the_url(void **state)
{
    struct registry *r = load();
    const struct connector *sf = registry_get(r, "salesforce");
    struct buf b;
    struct err e;
    (void)state;

    buf_init(&b, 0);
    static const char *const bad_instances[] = {
        "{\"instance_url\":\"http://evil.example.com\"}",     /* http off loopback */
        "{\"instance_url\":\"https://x.example.com?a=1\"}",   /* a query */
        "{\"instance_url\":\"https://user@x.example.com\"}",  /* a user */
        "{\"instance_url\":\"javascript:alert(1)\"}",         /* not http(s) */
        "{\"instance_url\":\"https://x.example.com:99999\"}", /* a bad port */
        "{\"instance_url\":\"https://x.exa mple.com\"}",      /* a space */
        "{\"instance_url\":\"https://\"}",                    /* no host */
        "{\"instance_url\":\"https://x.example.com/evil\"}",  /* a path */
    };
    for (size_t i = 0; i < sizeof(bad_instances) / sizeof(bad_instances[0]); i++)
        assert_int_equal(url(&b, sf, "/base_url", NULL, bad_instances[i], &e), ERR_INVALID);
    /* A config value inside the URL may not add a path, a query or a host. */
    assert_int_equal(url(&b, sf, "/base_url", "{\"api_version\":\"v1/../../x\"}",
                         "{\"instance_url\":\"https://acme.my.salesforce.com\"}", &e),
                     ERR_INVALID);
    assert_int_equal(url(&b, sf, "/auth/token_url", "{\"login_host\":\"evil.com/x?\"}", NULL, &e),
                     ERR_INVALID);
    assert_int_equal(url(&b, sf, "/auth/token_url", "{\"login_host\":\"a@evil.com\"}", NULL, &e),
                     ERR_INVALID);
    buf_dispose(&b);
    registry_free(r);
}

static void origin_overrides(void **state)
{
    struct registry *r = load();
    struct buf b;
    struct err e;
    (void)state;

    buf_init(&b, 0);
    assert_int_equal(registry_set_origin(r, "nope", "http://127.0.0.1:1", &e), ERR_NOTFOUND);
    assert_int_equal(registry_set_origin(r, "salesforce", "http://example.com", &e), ERR_INVALID);
    assert_int_equal(registry_set_origin(r, "salesforce", "ftp://127.0.0.1", &e), ERR_INVALID);
    assert_null(registry_get(r, "salesforce")->origin);

    assert_int_equal(registry_set_origin(r, "salesforce", "http://127.0.0.1:8900/", &e), 0);
    const struct connector *sf = registry_get(r, "salesforce");
    assert_string_equal(sf->origin, "http://127.0.0.1:8900");
    assert_int_equal(url(&b, sf, "/auth/revoke_url", NULL, NULL, &e), 0);
    assert_string_equal(buf_cstr(&b), "http://127.0.0.1:8900/services/oauth2/revoke");
    assert_int_equal(
        url(&b, sf, "/base_url", NULL, "{\"instance_url\":\"https://acme.my.salesforce.com\"}", &e),
        0);
    assert_string_equal(buf_cstr(&b), "http://127.0.0.1:8900/services/data/v61.0");

    /* The environment: a path prefix (a proxy) is kept; the first of two wins. */
    const char *const env[] = {"PATH=/bin", "INLET_SALESFORCE_BASE_URL=https://proxy.example/sf",
                               "INLET_SALESFORCE_BASE_URL=https://other.example", NULL};
    assert_int_equal(connector_origins_from_env(r, env, &e), 0);
    assert_int_equal(url(&b, sf, "/auth/token_url", NULL, NULL, &e), 0);
    assert_string_equal(buf_cstr(&b), "https://proxy.example/sf/services/oauth2/token");
    const char *const bad[] = {"INLET_SALESFORCE_BASE_URL=http://proxy.example", NULL};
    assert_int_equal(connector_origins_from_env(r, bad, &e), ERR_INVALID);
    assert_non_null(strstr(e.msg, "INLET_SALESFORCE_BASE_URL: http is only for localhost"));
    buf_dispose(&b);
    registry_free(r);
}

int test_urls(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(templates),
        cmocka_unit_test(values_cannot_move_the_url),
        cmocka_unit_test(origin_overrides),
    };
    return test_group("urls", tests, NULL, NULL);
}
