/* tests/unit/crypto/test_hash.c - SHA-256 against the NIST FIPS 180 examples,
 * HMAC-SHA256 against RFC 4231 test cases 1-7, and the constant-time
 * comparison. */
#include <string.h>

#include "core/alloc.h"
#include "core/encode.h"
#include "crypto/hash.h"
#include "test.h"

static void sha256_nist_vectors(void **state)
{
    (void)state;
    char hex[HASH_SHA256_HEX_LEN + 1];
    unsigned char md[HASH_SHA256_LEN];

    hash_sha256_hex(hex, "abc", 3);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    hash_sha256_hex(hex, NULL, 0);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    hash_sha256_hex(hex, two, strlen(two));
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    const char *four = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnop"
                       "jklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    hash_sha256_hex(hex, four, strlen(four));
    assert_string_equal(hex, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");

    char *million = xmalloc(1000000);
    memset(million, 'a', 1000000);
    hash_sha256(md, million, 1000000);
    encode_hex_format(hex, md, sizeof(md));
    assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    xfree(million);
}

static void hmac_rfc4231(void **state)
{
    (void)state;
    unsigned char k1[20], k3[20], k4[25], k5[20], k6[131], d3[50], d4[50];
    memset(k1, 0x0b, sizeof(k1));
    memset(k3, 0xaa, sizeof(k3));
    for (size_t i = 0; i < sizeof(k4); i++)
        k4[i] = (unsigned char)(i + 1);
    memset(k5, 0x0c, sizeof(k5));
    memset(k6, 0xaa, sizeof(k6));
    memset(d3, 0xdd, sizeof(d3));
    memset(d4, 0xcd, sizeof(d4));
    const struct {
        const void *key;
        size_t keylen;
        const void *data;
        size_t n;
        const char *mac; /* case 5 lists only the first 128 bits */
    } cases[] = {
        {k1, sizeof(k1), "Hi There", 8,
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
        {"Jefe", 4, "what do ya want for nothing?", 28,
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
        {k3, sizeof(k3), d3, sizeof(d3),
         "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
        {k4, sizeof(k4), d4, sizeof(d4),
         "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
        {k5, sizeof(k5), "Test With Truncation", 20, "a3b6167473100ee06e0c796c2955552b"},
        {k6, sizeof(k6), "Test Using Larger Than Block-Size Key - Hash Key First", 54,
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
        {k6, sizeof(k6),
         "This is a test using a larger than block-size key and a larger than block-size data. "
         "The key needs to be hashed before being used by the HMAC algorithm.",
         152, "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
    };
    char hex[HASH_SHA256_HEX_LEN + 1];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        hash_hmac_sha256_hex(hex, cases[i].key, cases[i].keylen, cases[i].data, cases[i].n);
        size_t want = strlen(cases[i].mac);
        if (memcmp(hex, cases[i].mac, want) != 0)
            fail_msg("RFC 4231 case %zu: got %s", i + 1, hex);
    }
    /* Empty key and empty data are valid (and distinct from a NULL key). */
    hash_hmac_sha256_hex(hex, NULL, 0, NULL, 0);
    assert_string_equal(hex, "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
    unsigned char raw[HASH_SHA256_LEN], again[HASH_SHA256_LEN];
    hash_hmac_sha256(raw, "Jefe", 4, "what do ya want for nothing?", 28);
    hash_hmac_sha256(again, "Jefe", 4, "what do ya want for nothing?", 28);
    assert_true(hash_equal(raw, again, sizeof(raw)));
}

static void equal_is_exact(void **state)
{
    (void)state;
    unsigned char a[64], b[64];
    for (size_t i = 0; i < sizeof(a); i++)
        a[i] = b[i] = (unsigned char)i;
    assert_true(hash_equal(a, b, sizeof(a)));
    assert_true(hash_equal(NULL, NULL, 0));
    for (size_t i = 0; i < sizeof(a); i++) {
        for (int bit = 0; bit < 8; bit++) {
            b[i] ^= (unsigned char)(1u << bit);
            assert_false(hash_equal(a, b, sizeof(a)));
            b[i] ^= (unsigned char)(1u << bit);
        }
    }
}

int test_hash(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sha256_nist_vectors),
        cmocka_unit_test(hmac_rfc4231),
        cmocka_unit_test(equal_is_exact),
    };
    return test_group("hash", tests, NULL, NULL);
}
