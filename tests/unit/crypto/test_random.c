/* tests/unit/crypto/test_random.c - the CSPRNG wrapper and tokens: lengths,
 * alphabet, and that draws differ (a stuck generator is the failure that
 * matters; statistical quality is OpenSSL's to prove). */
#include <string.h>

#include "core/encode.h"
#include "crypto/random.h"
#include "test.h"

static void bytes_fill_and_differ(void **state)
{
    (void)state;
    unsigned char a[64], b[64], zero[64] = {0};
    memset(a, 0, sizeof(a));
    memset(b, 0, sizeof(b));
    random_bytes(a, sizeof(a));
    random_bytes(b, sizeof(b));
    assert_memory_not_equal(a, zero, sizeof(a));
    assert_memory_not_equal(a, b, sizeof(a));
    random_bytes(NULL, 0); /* nothing asked, nothing done */

    /* Every byte position gets written: over 64 draws, none stays 0. */
    unsigned char seen[1000] = {0}, buf[1000];
    for (int i = 0; i < 64; i++) {
        random_bytes(buf, sizeof(buf));
        for (size_t j = 0; j < sizeof(buf); j++)
            seen[j] |= buf[j];
    }
    for (size_t j = 0; j < sizeof(seen); j++)
        assert_int_not_equal(seen[j], 0);
}

static void tokens_are_base64url_of_the_asked_size(void **state)
{
    (void)state;
    for (size_t n = 1; n <= 64; n++) {
        struct secret t = {0};
        random_token(&t, n);
        assert_int_equal(t.n, ENCODE_B64URL_LEN(n));
        assert_int_equal(strlen((const char *)t.p), t.n);
        assert_int_equal(strspn((const char *)t.p, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                   "abcdefghijklmnopqrstuvwxyz0123456789-_"),
                         t.n);
        unsigned char raw[64];
        size_t len;
        assert_int_equal(encode_b64url_parse(raw, &len, (const char *)t.p, t.n, NULL, NULL), 0);
        assert_int_equal(len, n);
        secret_dispose(&t);
    }
    struct secret a = {0}, b = {0};
    random_token(&a, 32);
    random_token(&b, 32);
    assert_int_equal(a.n, 43);
    assert_string_not_equal((const char *)a.p, (const char *)b.p);
    secret_dispose(&a);
    secret_dispose(&b);
    random_token(&a, RANDOM_TOKEN_MAX_BYTES);
    assert_int_equal(a.n, ENCODE_B64URL_LEN(RANDOM_TOKEN_MAX_BYTES));
    secret_dispose(&a);
}

int test_random(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bytes_fill_and_differ),
        cmocka_unit_test(tokens_are_base64url_of_the_asked_size),
    };
    return test_group("random", tests, NULL, NULL);
}
