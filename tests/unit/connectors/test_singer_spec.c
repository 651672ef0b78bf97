/* tests/unit/connectors/test_singer_spec.c - a Singer tap's config made
 * from an integration: a mapping's whole-string templates filled with
 * values of any JSON type, members whose value is absent left out, the
 * default merge of settings, secrets and access token, and the list of
 * secret values that went in (what the tap's stderr is scrubbed of). */
#include <string.h>

#include <json-c/json_object.h>
#include <json-c/json_tokener.h>

#include "connectors/singer_spec.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "test.h"

struct made {
    struct buf config;
    const char **secrets;
};

static void make(struct made *m, const char *singer, const char *config, const char *secrets,
                 const char *connection, const char *token)
{
    struct json_object *s = singer ? json_tokener_parse(singer) : NULL;
    struct json_object *c = config ? json_tokener_parse(config) : NULL;
    struct json_object *k = secrets ? json_tokener_parse(secrets) : NULL;
    struct json_object *n = connection ? json_tokener_parse(connection) : NULL;
    struct singer_values v = {.config = c, .secrets = k, .connection = n, .access_token = token};
    buf_init(&m->config, 0);
    singer_spec_config(&m->config, &m->secrets, s, &v);
    /* The secrets are borrowed from v: copy them before v goes. */
    size_t i = 0;
    for (; m->secrets[i]; i++)
        m->secrets[i] = xstrdup(m->secrets[i]);
    json_object_put(s);
    json_object_put(c);
    json_object_put(k);
    json_object_put(n);
}

static void unmake(struct made *m)
{
    for (size_t i = 0; m->secrets[i]; i++)
        xfree((char *)m->secrets[i]);
    xfree(m->secrets);
    buf_dispose(&m->config);
}

static void mapping(void **state)
{
    (void)state;
    struct made m;
    make(&m,
         "{\"config\":{\"start\":\"{config.start_date}\",\"n\":\"{config.count}\","
         "\"gone\":\"{config.missing}\",\"auth\":{\"key\":\"{secrets.api_key}\","
         "\"token\":\"{oauth.access_token}\"},\"url\":\"{connection.instance_url}\","
         "\"list\":[\"{config.count}\",\"{config.missing}\",\"x\"],\"fixed\":1.50,"
         "\"text\":\"not {a template}\"}}",
         "{\"start_date\":\"2024-01-01T00:00:00Z\",\"count\":12345678901234567890}",
         "{\"api_key\":\"k-123\"}", "{\"instance_url\":\"https://x.my.salesforce.com\"}",
         "tok\"en");
    assert_string_equal(buf_cstr(&m.config),
                        "{\"start\":\"2024-01-01T00:00:00Z\",\"n\":12345678901234567890,"
                        "\"auth\":{\"key\":\"k-123\",\"token\":\"tok\\\"en\"},"
                        "\"url\":\"https://x.my.salesforce.com\","
                        "\"list\":[12345678901234567890,\"x\"],\"fixed\":1.50,"
                        "\"text\":\"not {a template}\"}");
    assert_string_equal(m.secrets[0], "k-123");
    assert_string_equal(m.secrets[1], "tok\"en");
    assert_null(m.secrets[2]);
    unmake(&m);

    /* No token yet: the member is left out, no secret listed. */
    make(&m, "{\"config\":{\"t\":\"{oauth.access_token}\"}}", NULL, NULL, NULL, NULL);
    assert_string_equal(buf_cstr(&m.config), "{}");
    assert_null(m.secrets[0]);
    unmake(&m);
}

static void default_merge(void **state)
{
    (void)state;
    struct made m;
    /* Settings, then secrets (a secret of the same name wins), then the
     * access token. */
    make(&m, "{\"executable\":\"tap-x\"}", "{\"start_date\":\"2024-01-01\",\"api_key\":\"cfg\"}",
         "{\"api_key\":\"sec\",\"password\":\"pw\"}", NULL, "at");
    assert_string_equal(buf_cstr(&m.config), "{\"start_date\":\"2024-01-01\",\"api_key\":\"sec\","
                                             "\"password\":\"pw\",\"access_token\":\"at\"}");
    assert_string_equal(m.secrets[0], "sec");
    assert_string_equal(m.secrets[1], "pw");
    assert_string_equal(m.secrets[2], "at");
    assert_null(m.secrets[3]);
    unmake(&m);

    make(&m, NULL, NULL, NULL, NULL, NULL);
    assert_string_equal(buf_cstr(&m.config), "{}");
    unmake(&m);
}

int test_singer_spec(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mapping),
        cmocka_unit_test(default_merge),
    };
    return test_group("singer_spec", tests, NULL, NULL);
}
