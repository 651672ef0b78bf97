/* tests/unit/core/test_encode.c - hex and base64: the RFC 4648 section 10
 * vectors, round trips at every length, the size macros, and a table of
 * rejected spellings with their exact messages. */
#include <string.h>

#include "core/alloc.h"
#include "core/encode.h"
#include "test.h"

/* RFC 4648 section 10; base64url is the same without padding. */
static const struct {
    const char *in, *b64, *b64url, *hex;
} rfc[] = {
    {"", "", "", ""},
    {"f", "Zg==", "Zg", "66"},
    {"fo", "Zm8=", "Zm8", "666f"},
    {"foo", "Zm9v", "Zm9v", "666f6f"},
    {"foob", "Zm9vYg==", "Zm9vYg", "666f6f62"},
    {"fooba", "Zm9vYmE=", "Zm9vYmE", "666f6f6261"},
    {"foobar", "Zm9vYmFy", "Zm9vYmFy", "666f6f626172"},
};

static void rfc4648_vectors(void **state)
{
    (void)state;
    char text[64];
    unsigned char bytes[64];
    size_t len;
    struct err e;

    for (size_t i = 0; i < sizeof(rfc) / sizeof(rfc[0]); i++) {
        size_t n = strlen(rfc[i].in);
        assert_int_equal(encode_b64_format(text, rfc[i].in, n), strlen(rfc[i].b64));
        assert_string_equal(text, rfc[i].b64);
        assert_int_equal(encode_b64url_format(text, rfc[i].in, n), strlen(rfc[i].b64url));
        assert_string_equal(text, rfc[i].b64url);
        assert_int_equal(encode_hex_format(text, rfc[i].in, n), 2 * n);
        assert_string_equal(text, rfc[i].hex);

        assert_int_equal(encode_b64_parse(bytes, &len, rfc[i].b64, strlen(rfc[i].b64), "x", &e), 0);
        assert_int_equal(len, n);
        assert_memory_equal(bytes, rfc[i].in, n);
        assert_int_equal(
            encode_b64url_parse(bytes, &len, rfc[i].b64url, strlen(rfc[i].b64url), "x", &e), 0);
        assert_int_equal(len, n);
        assert_memory_equal(bytes, rfc[i].in, n);
        assert_int_equal(encode_hex_parse(bytes, &len, rfc[i].hex, strlen(rfc[i].hex), "x", &e), 0);
        assert_int_equal(len, n);
        assert_memory_equal(bytes, rfc[i].in, n);
    }
    /* RFC 4648's BASE16 is upper-case: accepted, though we write lower. */
    assert_int_equal(encode_hex_parse(bytes, &len, "666F6F626172", 12, NULL, &e), 0);
    assert_memory_equal(bytes, "foobar", 6);
}

/* The two characters where the alphabets differ, and the top of the range. */
static void alphabets_differ_only_in_62_and_63(void **state)
{
    (void)state;
    const unsigned char in[] = {0xfb, 0xff, 0xbf, 0x00, 0x10, 0x83};
    char text[16];
    unsigned char out[16];
    size_t len;

    encode_b64_format(text, in, sizeof(in));
    assert_string_equal(text, "+/+/ABCD");
    encode_b64url_format(text, in, sizeof(in));
    assert_string_equal(text, "-_-_ABCD");
    encode_hex_format(text, in, sizeof(in));
    assert_string_equal(text, "fbffbf001083");
    assert_int_equal(encode_b64url_parse(out, &len, "-_-_ABCD", 8, NULL, NULL), 0);
    assert_memory_equal(out, in, sizeof(in));
    assert_int_equal(encode_b64_parse(out, &len, "-_-_ABCD", 8, NULL, NULL), ERR_INVALID);
    assert_int_equal(encode_b64url_parse(out, &len, "+/+/ABCD", 8, NULL, NULL), ERR_INVALID);
}

static void round_trip_every_length(void **state)
{
    (void)state;
    unsigned char in[300], out[300];
    char text[ENCODE_HEX_LEN(300) + 1]; /* the longest of the three */
    size_t len;
    struct err e;

    for (size_t i = 0; i < sizeof(in); i++)
        in[i] = (unsigned char)(i * 167 + 13);
    for (size_t n = 0; n <= sizeof(in); n++) {
        size_t t = encode_b64_format(text, in, n);
        assert_int_equal(t, ENCODE_B64_LEN(n));
        assert_true(ENCODE_B64_DECODED_MAX(t) >= n);
        assert_int_equal(encode_b64_parse(out, &len, text, t, NULL, &e), 0);
        assert_int_equal(len, n);
        assert_memory_equal(out, in, n);

        t = encode_b64url_format(text, in, n);
        assert_int_equal(t, ENCODE_B64URL_LEN(n));
        assert_int_equal(ENCODE_B64_DECODED_MAX(t), n); /* exact without padding */
        assert_int_equal(encode_b64url_parse(out, &len, text, t, NULL, &e), 0);
        assert_int_equal(len, n);
        assert_memory_equal(out, in, n);

        t = encode_hex_format(text, in, n);
        assert_int_equal(t, ENCODE_HEX_LEN(n));
        assert_int_equal(ENCODE_HEX_DECODED_MAX(t), n);
        assert_int_equal(encode_hex_parse(out, &len, text, t, NULL, &e), 0);
        assert_int_equal(len, n);
        assert_memory_equal(out, in, n);
    }
}

enum kind { HEX, B64, B64URL };

/* Rejected spellings: input (all of the literal, NULs included), and the
 * exact message with what = "field". */
#define CASE(kind, in, msg)                                                                        \
    {                                                                                              \
        kind, in, sizeof(in) - 1, msg                                                              \
    }
static const struct {
    enum kind kind;
    const char *in;
    size_t n;
    const char *msg;
} bad[] = {
    CASE(HEX, "abc", "field: hex length 3 is odd"),
    CASE(HEX, "0g", "field: invalid hex character at byte 1"),
    CASE(HEX, "00 1", "field: invalid hex character at byte 2"),
    CASE(HEX, "x0", "field: invalid hex character at byte 0"),
    CASE(B64, "Zg=", "field: base64 length 3 is not a multiple of 4"),
    CASE(B64, "Zg", "field: base64 length 2 is not a multiple of 4"),
    CASE(B64, "Zm9vY", "field: base64 length 5 is not a multiple of 4"),
    CASE(B64, "Zm9v\nYmFy", "field: base64 length 9 is not a multiple of 4"),
    CASE(B64, "Zm9 ", "field: invalid base64 character at byte 3"),
    CASE(B64, "Zm9-", "field: invalid base64 character at byte 3"),
    CASE(B64, "Zm_v", "field: invalid base64 character at byte 2"),
    CASE(B64, "Z===", "field: base64 padding '=' at byte 1 is not at the end"),
    CASE(B64, "====", "field: base64 padding '=' at byte 0 is not at the end"),
    CASE(B64, "Zg==Zg==", "field: base64 padding '=' at byte 2 is not at the end"),
    CASE(B64, "Zm=v", "field: base64 padding '=' at byte 2 is not at the end"),
    CASE(B64, "Zh==", "field: base64 has non-zero trailing bits at byte 1"),
    CASE(B64, "Zm9=", "field: base64 has non-zero trailing bits at byte 2"),
    CASE(B64, "Zm9vYmF=", "field: base64 has non-zero trailing bits at byte 6"),
    CASE(B64, "Zm\x80v", "field: invalid base64 character at byte 2"),
    CASE(B64URL, "Zg==", "field: '=' at byte 2: base64url takes no padding"),
    CASE(B64URL, "Z", "field: base64url length 1 is impossible (4k+1 characters)"),
    CASE(B64URL, "Zm9vY", "field: base64url length 5 is impossible (4k+1 characters)"),
    CASE(B64URL, "Zh", "field: base64url has non-zero trailing bits at byte 1"),
    CASE(B64URL, "Zm9", "field: base64url has non-zero trailing bits at byte 2"),
    CASE(B64URL, "Zm+v", "field: invalid base64url character at byte 2"),
    CASE(B64URL, "Zm/v", "field: invalid base64url character at byte 2"),
    CASE(B64URL, "Zm9v\0", "field: base64url length 5 is impossible (4k+1 characters)"),
    CASE(B64URL, "Zm9vYg\0\0", "field: invalid base64url character at byte 6"),
    CASE(B64, "Zm9v\0\0\0\0", "field: invalid base64 character at byte 4"),
};

static void rejects_with_offsets(void **state)
{
    (void)state;
    unsigned char out[16];
    size_t len = 99;
    struct err e;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        size_t n = bad[i].n;
        memset(out, 0xaa, sizeof(out));
        int rc = bad[i].kind == HEX   ? encode_hex_parse(out, &len, bad[i].in, n, "field", &e)
                 : bad[i].kind == B64 ? encode_b64_parse(out, &len, bad[i].in, n, "field", &e)
                                      : encode_b64url_parse(out, &len, bad[i].in, n, "field", &e);
        if (rc != ERR_INVALID || strcmp(e.msg, bad[i].msg) != 0)
            fail_msg("case %zu (%s): rc %d, message '%s', expected '%s'", i, bad[i].in, rc, e.msg,
                     bad[i].msg);
        assert_int_equal(e.code, ERR_INVALID);
        assert_int_equal(len, 99); /* untouched */
    }
}

static void no_prefix_without_what_and_dst_wiped(void **state)
{
    (void)state;
    unsigned char out[8];
    size_t len;
    struct err e;

    memset(out, 0xaa, sizeof(out));
    /* Six good bytes are decoded before the bad character is reached. */
    assert_int_equal(encode_b64_parse(out, &len, "Zm9vYmFy!A==", 12, NULL, &e), ERR_INVALID);
    assert_string_equal(e.msg, "invalid base64 character at byte 8");
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(out[i], 0);
    assert_int_equal(encode_hex_parse(out, &len, "0102zz", 6, NULL, &e), ERR_INVALID);
    assert_int_equal(out[0], 0);
    assert_int_equal(out[1], 0);
    /* A NULL err is allowed. */
    assert_int_equal(encode_hex_parse(out, &len, "0", 1, NULL, NULL), ERR_INVALID);
}

/* The one hex-digit reader every module uses (encode, jsonx, config, pg). */
static void hex_digit(void **state)
{
    (void)state;
    for (int c = -1; c < 256; c++) {
        int want = -1;
        if (c >= '0' && c <= '9')
            want = c - '0';
        else if (c >= 'a' && c <= 'f')
            want = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            want = c - 'A' + 10;
        if (encode_hex_digit(c) != want)
            fail_msg("encode_hex_digit(%d) = %d, want %d", c, encode_hex_digit(c), want);
    }
    /* The neighbours of the ranges, spelled out. */
    assert_int_equal(encode_hex_digit('/'), -1);
    assert_int_equal(encode_hex_digit(':'), -1);
    assert_int_equal(encode_hex_digit('@'), -1);
    assert_int_equal(encode_hex_digit('G'), -1);
    assert_int_equal(encode_hex_digit('`'), -1);
    assert_int_equal(encode_hex_digit('g'), -1);
    assert_int_equal(encode_hex_digit('F'), 15);
    assert_int_equal(encode_hex_digit('0'), 0);
}

static void size_macros(void **state)
{
    (void)state;
    assert_int_equal(ENCODE_B64_LEN(0), 0);
    assert_int_equal(ENCODE_B64_LEN(1), 4);
    assert_int_equal(ENCODE_B64_LEN(32), 44);
    assert_int_equal(ENCODE_B64URL_LEN(1), 2);
    assert_int_equal(ENCODE_B64URL_LEN(2), 3);
    assert_int_equal(ENCODE_B64URL_LEN(3), 4);
    assert_int_equal(ENCODE_B64URL_LEN(32), 43);
    assert_int_equal(ENCODE_HEX_LEN(32), 64);
    assert_int_equal(ENCODE_B64_DECODED_MAX(44), 33);
    assert_int_equal(ENCODE_B64_DECODED_MAX(43), 32);
    assert_int_equal(ENCODE_HEX_DECODED_MAX(64), 32);
    /* Usable for array sizes. */
    char stack[ENCODE_B64_LEN(32) + 1];
    assert_int_equal(sizeof(stack), 45);
}

int test_encode(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rfc4648_vectors),
        cmocka_unit_test(alphabets_differ_only_in_62_and_63),
        cmocka_unit_test(round_trip_every_length),
        cmocka_unit_test(rejects_with_offsets),
        cmocka_unit_test(no_prefix_without_what_and_dst_wiped),
        cmocka_unit_test(hex_digit),
        cmocka_unit_test(size_macros),
    };
    return test_group("encode", tests, NULL, NULL);
}
