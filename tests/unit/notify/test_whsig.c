/* tests/unit/notify/test_whsig.c - Standard Webhooks signatures against
 * the reference test vector (../shared/providers.md section 9), the
 * receiver's check (several signatures, a changed byte, the timestamp
 * window), and key parsing whose messages never quote the secret. */
#include <string.h>

#include "core/alloc.h"
#include "notify/whsig.h"
#include "test.h"

#define VEC_SECRET "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#define VEC_ID     "msg_p5jXN8AQM9LWM0D4loKWxJek"
#define VEC_TS     1614265330
#define VEC_BODY   "{\"test\": 2432232314}"
#define VEC_SIG    "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

static void key_of(struct secret *k, const char *s)
{
    struct err e;
    if (whsig_key_parse(k, s, strlen(s), &e) != 0)
        fail_msg("key: %s", e.msg);
}

static void vector(void **state)
{
    struct secret k;
    char sig[WHSIG_SIG_LEN];
    struct err e;
    (void)state;

    key_of(&k, VEC_SECRET);
    assert_int_equal(k.n, 24);
    whsig_sign(sig, &k, VEC_ID, VEC_TS, VEC_BODY, strlen(VEC_BODY));
    assert_string_equal(sig, VEC_SIG);
    assert_int_equal(whsig_verify(&k, VEC_ID, "1614265330", VEC_SIG, VEC_BODY, strlen(VEC_BODY),
                                  VEC_TS + 10, 300, &e),
                     0);
    secret_dispose(&k);
}

static void verify(void **state)
{
    struct secret k, other;
    struct err e;
    const char *body = VEC_BODY;
    size_t n = strlen(body);
    (void)state;

    key_of(&k, VEC_SECRET);
    key_of(&other, "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    /* One of several (key rotation), in any position, v1a and junk ignored. */
    assert_int_equal(
        whsig_verify(&k, VEC_ID, "1614265330",
                     "v1a,xyz v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= " VEC_SIG, body, n, 0,
                     0, &e),
        0);
    /* A changed byte anywhere: body, id, timestamp, signature, key. */
    assert_int_equal(
        whsig_verify(&k, VEC_ID, "1614265330", VEC_SIG, "{\"test\": 2432232315}", n, 0, 0, &e),
        ERR_INVALID);
    assert_non_null(strstr(e.msg, "no v1 signature matches"));
    assert_int_equal(
        whsig_verify(&k, "msg_p5jXN8AQM9LWM0D4loKWxJeK", "1614265330", VEC_SIG, body, n, 0, 0, &e),
        ERR_INVALID);
    assert_int_equal(whsig_verify(&k, VEC_ID, "1614265331", VEC_SIG, body, n, 0, 0, &e),
                     ERR_INVALID);
    assert_int_equal(whsig_verify(&k, VEC_ID, "1614265330",
                                  "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OF=", body, n, 0, 0,
                                  &e),
                     ERR_INVALID);
    assert_int_equal(whsig_verify(&other, VEC_ID, "1614265330", VEC_SIG, body, n, 0, 0, &e),
                     ERR_INVALID);
    /* The window: five minutes either way. */
    assert_int_equal(
        whsig_verify(&k, VEC_ID, "1614265330", VEC_SIG, body, n, VEC_TS + 301, 300, &e),
        ERR_INVALID);
    assert_non_null(strstr(e.msg, "too old"));
    assert_int_equal(
        whsig_verify(&k, VEC_ID, "1614265330", VEC_SIG, body, n, VEC_TS - 301, 300, &e),
        ERR_INVALID);
    assert_non_null(strstr(e.msg, "future"));
    /* Malformed headers. */
    assert_int_equal(whsig_verify(&k, VEC_ID, "16142653x0", VEC_SIG, body, n, 0, 0, &e),
                     ERR_INVALID);
    assert_int_equal(whsig_verify(&k, VEC_ID, "", VEC_SIG, body, n, 0, 0, &e), ERR_INVALID);
    assert_int_equal(whsig_verify(&k, "a.b", "1614265330", VEC_SIG, body, n, 0, 0, &e),
                     ERR_INVALID);
    assert_int_equal(whsig_verify(&k, VEC_ID, "1614265330", NULL, body, n, 0, 0, &e), ERR_INVALID);
    assert_int_equal(whsig_verify(&k, VEC_ID, "1614265330", "", body, n, 0, 0, &e), ERR_INVALID);

    /* What we sign, we verify; the id is the same on a retry, the time not. */
    char s1[WHSIG_SIG_LEN], s2[WHSIG_SIG_LEN];
    whsig_sign(s1, &k, "ntf_01", 1700000000, body, n);
    whsig_sign(s2, &k, "ntf_01", 1700000060, body, n);
    assert_string_not_equal(s1, s2);
    assert_int_equal(whsig_verify(&k, "ntf_01", "1700000060", s2, body, n, 1700000061, 300, &e), 0);
    secret_dispose(&k);
    secret_dispose(&other);
}

static void keys(void **state)
{
    struct secret k;
    struct err e;
    static const char *const bad[] = {
        "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",        /* no prefix */
        "whsec_",                                  /* empty */
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS",   /* not padded base64 */
        "whsec_MfKQ 9r8GKYqrTwjUPD8ILPZIo2LaLaSw", /* a space */
        "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAA",      /* 21 bytes: too short */
        NULL,
    };
    (void)state;
    for (size_t i = 0; bad[i]; i++) {
        assert_int_equal(whsig_key_parse(&k, bad[i], strlen(bad[i]), &e), ERR_INVALID);
        assert_null(k.p);
        if (strlen(bad[i]) > 12)
            assert_null(strstr(e.msg, bad[i] + 6));
    }
    /* 64 bytes is the most. */
    char big[128] = "whsec_";
    memset(big + 6, 'A', 84);
    memcpy(big + 90, "AA==", 5);
    assert_int_equal(whsig_key_parse(&k, big, strlen(big), &e), 0);
    assert_int_equal(k.n, 64);
    secret_dispose(&k);
    memset(big + 6, 'A', 88); /* 66 bytes */
    big[94] = '\0';
    assert_int_equal(whsig_key_parse(&k, big, strlen(big), &e), ERR_INVALID);
    memset(big + 6, 'A', 92);
    big[98] = '\0';
    assert_int_equal(whsig_key_parse(&k, big, strlen(big), &e), ERR_INVALID);
}

int test_whsig(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(vector),
        cmocka_unit_test(verify),
        cmocka_unit_test(keys),
    };
    return test_group("whsig", tests, NULL, NULL);
}
