/* tests/unit/sandbox/test_sandbox.c - the emulators' frame: start and stop,
 * options refused before anything listens, and the /_sandbox/ control
 * API (counters, mutate) over real HTTP. */
#include <string.h>

#include "core/buf.h"
#include "sb_test.h"
#include "test.h"

static void call(struct sb_test *t, struct client_reply *r, const char *method, const char *path,
                 const char *body)
{
    struct client_call c = {.method = method,
                            .path = path,
                            .body = body,
                            .body_len = body ? strlen(body) : 0,
                            .headers = {"Content-Type: application/json", NULL}};
    client_call(r, t->base, &c);
    if (r->rc != CURLE_OK)
        fail_msg("%s: %s", path, curl_easy_strerror(r->rc));
}

static void options_are_checked(void **state)
{
    struct sandbox *sb = NULL;
    struct err e;
    (void)state;

    assert_int_equal(sandbox_start(&sb, &(struct sandbox_opts){.providers = 1u << 7}, &e),
                     ERR_INVALID);
    assert_non_null(strstr(e.msg, "unknown provider"));
    assert_int_equal(sandbox_start(&sb, &(struct sandbox_opts){.port = 65535}, &e), ERR_INVALID);
    assert_int_equal(sandbox_start(&sb, &(struct sandbox_opts){.token_ttl_s = -1}, &e),
                     ERR_INVALID);
    assert_null(sb);
    assert_string_equal(sandbox_provider_name(SANDBOX_SLACK), "slack");
}

static void starts_on_a_free_port(void **state)
{
    struct sb_test t;
    (void)state;
    sb_test_start(&t, 3, 0);
    assert_true(sandbox_port(t.sb, SANDBOX_SALESFORCE) > 0);
    assert_int_equal(sandbox_port(t.sb, SANDBOX_HUBSPOT), 0);
    sb_test_stop(&t);
    sandbox_stop(NULL);
}

static void mutate_then_counters(void **state)
{
    struct sb_test t;
    struct client_reply r;
    (void)state;

    sb_test_start(&t, 10, 0);
    call(&t, &r, "POST", "/_sandbox/mutate", "{\"object\":\"Account\",\"touch\":3,\"delete\":2}");
    assert_int_equal(r.status, 200);
    assert_string_equal(buf_cstr(&r.body), "{\"touched\":3,\"deleted\":2}");
    client_reply_dispose(&r);
    /* More than there are: as many as there are live. */
    call(&t, &r, "POST", "/_sandbox/mutate", "{\"object\":\"Account\",\"delete\":50}");
    assert_int_equal(r.status, 200);
    assert_string_equal(buf_cstr(&r.body), "{\"touched\":0,\"deleted\":8}");
    client_reply_dispose(&r);

    static const char *const bad[] = {
        "",
        "{",
        "{\"touch\":1}",
        "{\"object\":\"Account\",\"touch\":-1}",
        "{\"object\":\"Account\",\"touch\":\"x\"}",
        "{\"object\":7}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        call(&t, &r, "POST", "/_sandbox/mutate", bad[i]);
        assert_int_equal(r.status, 400);
        client_reply_dispose(&r);
    }
    call(&t, &r, "POST", "/_sandbox/mutate", "{\"object\":\"Nope\",\"touch\":1}");
    assert_int_equal(r.status, 404);
    client_reply_dispose(&r);

    call(&t, &r, NULL, "/_sandbox/counters", NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(buf_cstr(&r.body), "\"provider\":\"salesforce\""));
    assert_non_null(strstr(buf_cstr(&r.body), "\"token_refresh\":0"));
    client_reply_dispose(&r);
    sb_test_stop(&t);
}

int test_sandbox(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(options_are_checked),
        cmocka_unit_test(starts_on_a_free_port),
        cmocka_unit_test(mutate_then_counters),
    };
    return test_group("sandbox", tests, NULL, NULL);
}
