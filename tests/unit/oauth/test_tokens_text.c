/* tests/unit/oauth/test_tokens_text.c - what inlet seals of a token answer:
 * the four members kept, a refresh answer without refresh_token keeping
 * the old one, nothing else; and an answer too large refused, never
 * stored cut. */
#include <string.h>

#include "core/alloc.h"
#include "core/jsonx.h"
#include "core/secret.h"
#include "oauth/exchange.h"
#include "test.h"

static struct json_object *parse(const char *text)
{
    struct json_object *o = NULL;
    struct err e;
    assert_int_equal(jsonx_parse(&o, text, strlen(text), strlen(text) + 1, &e), 0);
    return o;
}

static void kept_and_merged(void **state)
{
    (void)state;
    struct secret out = {0};
    struct err e;
    struct json_object *old = parse("{\"access_token\":\"a1\",\"refresh_token\":\"r1\"}");
    struct json_object *fresh =
        parse("{\"access_token\":\"a2\",\"token_type\":\"Bearer\",\"id_token\":\"x\"}");
    assert_int_equal(oauth_tokens_text(&out, fresh, old, &e), 0);
    char *text = xstrndup((const char *)out.p, out.n);
    assert_string_equal(text, "{\"access_token\":\"a2\",\"refresh_token\":\"r1\","
                              "\"token_type\":\"Bearer\"}");
    xfree(text);
    secret_dispose(&out);
    json_object_put(old);
    json_object_put(fresh);
}

static void too_large(void **state)
{
    (void)state;
    struct secret out = {0};
    struct err e;
    size_t n = OAUTH_TOKENS_MAX;
    char *big = xmalloc(n + 32);
    memcpy(big, "{\"access_token\":\"", 17);
    memset(big + 17, 'a', n);
    memcpy(big + 17 + n, "\"}", 3);
    struct json_object *fresh = parse(big);
    assert_int_equal(oauth_tokens_text(&out, fresh, NULL, &e), ERR_TOOBIG);
    assert_string_equal(e.msg, "the provider's tokens are over 65536 bytes: not stored");
    assert_null(out.p);
    json_object_put(fresh);
    xfree(big);
}

int test_tokens_text(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(kept_and_merged),
        cmocka_unit_test(too_large),
    };
    return test_group("tokens_text", tests, NULL, NULL);
}
