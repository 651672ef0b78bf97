/* tests/unit/core/test_str.c - slices, integer parsing, UTF-8 validation,
 * constant-time compare. */
#include <stdint.h>
#include <string.h>

#include "core/alloc.h"
#include "core/str.h"
#include "test.h"

static void split_and_trim(void **state)
{
    (void)state;
    struct str head, tail;
    assert_true(str_split(str_from("k1:c2VjcmV0"), ':', &head, &tail));
    assert_true(str_eq_cstr(head, "k1"));
    assert_true(str_eq_cstr(tail, "c2VjcmV0"));
    assert_false(str_split(str_from("nocolon"), ':', &head, &tail));
    assert_true(str_eq_cstr(head, "nocolon"));
    assert_int_equal(tail.n, 0);
    assert_true(str_eq_cstr(str_trim(str_from(" \t x y \n")), "x y"));
    assert_true(str_eq_cstr(str_trim(str_from("   ")), ""));
    assert_true(str_starts_with(str_from("postgres://x"), "postgres://"));
    assert_false(str_starts_with(str_from("post"), "postgres://"));
    char *d = str_dup(STR_LIT("abc"));
    assert_string_equal(d, "abc");
    xfree(d);
}

static void i64_bounds_and_garbage(void **state)
{
    (void)state;
    struct err e;
    int64_t v;
    assert_int_equal(str_to_i64(&v, str_from("9223372036854775807"), "n", &e), 0);
    assert_true(v == INT64_MAX);
    assert_int_equal(str_to_i64(&v, str_from("-9223372036854775808"), "n", &e), 0);
    assert_true(v == INT64_MIN);
    assert_int_equal(str_to_i64(&v, str_from("9223372036854775808"), "n", &e), ERR_INVALID);
    assert_string_equal(e.msg, "n: integer out of range");
    assert_int_equal(str_to_i64(&v, str_from("12a"), "port", &e), ERR_INVALID);
    assert_string_equal(e.msg, "port: expected an integer, found 'a' at byte 2");
    assert_int_equal(str_to_i64(&v, str_from("-"), "n", &e), ERR_INVALID);
    assert_int_equal(str_to_i64(&v, str_from(""), "n", &e), ERR_INVALID);
    /* A byte that is not printable ASCII is named, never copied: an ESC
     * would reach the terminal, a space or a UTF-8 fragment would mislead. */
    assert_int_equal(str_to_i64(&v, str_from("1\x1b[2J"), "n", &e), ERR_INVALID);
    assert_string_equal(e.msg, "n: expected an integer, found byte 0x1B at byte 1");
    assert_int_equal(str_to_i64(&v, str_from("12 "), "n", &e), ERR_INVALID);
    assert_string_equal(e.msg, "n: expected an integer, found byte 0x20 at byte 2");
    assert_int_equal(str_to_i64(&v, str_from("\xc3\xa9"), "n", &e), ERR_INVALID);
    assert_string_equal(e.msg, "n: expected an integer, found byte 0xC3 at byte 0");
    assert_int_equal(str_to_i64(&v, str_from("7\x7f"), "n", &e), ERR_INVALID);
    assert_string_equal(e.msg, "n: expected an integer, found byte 0x7F at byte 1");
    assert_int_equal(str_to_i64(&v, (struct str){"4\0", 2}, "n", &e), ERR_INVALID);
    assert_string_equal(e.msg, "n: expected an integer, found byte 0x00 at byte 1");
}

/* RFC 3629's table, its edges, and the offset of the first bad sequence. */
static void utf8_validation(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        size_t n;   /* 0: strlen(s) */
        size_t bad; /* SIZE_MAX: valid */
    } cases[] = {
        {"", 0, SIZE_MAX},
        {"plain ASCII, longer than eight bytes", 0, SIZE_MAX},
        {"a\0b", 3, SIZE_MAX}, /* NUL is valid UTF-8; callers refuse it themselves */
        {"\xc2\x80 \xdf\xbf \xe0\xa0\x80 \xed\x9f\xbf \xee\x80\x80 \xef\xbf\xbf", 0, SIZE_MAX},
        {"\xf0\x90\x80\x80 \xf4\x8f\xbf\xbf h\xc3\xa9llo \xf0\x9f\x9a\x80", 0, SIZE_MAX},
        {"bad\xff", 0, 3},
        {"0123456789\x80", 0, 10},  /* a lone continuation byte after the fast path */
        {"\xc0\xaf", 0, 0},         /* overlong '/' */
        {"\xc1\xbf", 0, 0},         /* overlong */
        {"\xe0\x9f\xbf", 0, 0},     /* overlong 3-byte */
        {"\xf0\x8f\xbf\xbf", 0, 0}, /* overlong 4-byte */
        {"ok\xed\xa0\x80", 0, 2},   /* a surrogate, U+D800 */
        {"\xf4\x90\x80\x80", 0, 0}, /* past U+10FFFF */
        {"\xf5\x80\x80\x80", 0, 0}, /* no such lead byte */
        {"ab\xe2\x9c", 0, 2},       /* truncated at the end */
        {"\xe2\x28\xa1", 0, 0},     /* bad continuation */
        {"\xc3\xa9\xc3", 0, 2},     /* truncated after a good one */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t n = cases[i].n ? cases[i].n : strlen(cases[i].s), bad = 12345;
        bool ok = str_utf8_valid(cases[i].s, n, &bad);
        if (ok != (cases[i].bad == SIZE_MAX) || (!ok && bad != cases[i].bad))
            fail_msg("case %zu: valid %d, bad %zu; want bad %zu", i, ok, bad, cases[i].bad);
    }
    assert_false(str_utf8_valid("\xff", 1, NULL)); /* bad may be NULL */
    assert_int_equal(str_utf8_seq("\xf0\x9f\x9a\x80", 4), 4);
    assert_int_equal(str_utf8_seq("\xf0\x9f\x9a\x80", 3), 0); /* cut short */
    assert_int_equal(str_utf8_seq("\xe2\x9c\x93", 3), 3);
    assert_int_equal(str_utf8_seq("\xc3\xa9", 2), 2);
    assert_int_equal(str_utf8_seq("a", 1), 1);
    assert_int_equal(str_utf8_seq("", 0), 0);
    assert_int_equal(str_utf8_seq("\x80", 1), 0);
}

static void constant_time_compare(void **state)
{
    (void)state;
    assert_true(str_ct_eq("abcd", "abcd", 4));
    assert_false(str_ct_eq("abcd", "abce", 4));
    assert_true(str_ct_eq("", "x", 0));
}

static void like_patterns(void **state)
{
    static const struct {
        const char *q;
        bool contains;
        const char *want;
    } cases[] = {
        {"", false, "%"},     {"", true, "%%"},          {"ab", false, "ab%"},
        {"ab", true, "%ab%"}, {"100%", true, "%100!%%"}, {"a_b", false, "a!_b%"},
        {"!", true, "%!!%"},  {"%_!", false, "!%!_!!%"},
    };
    char out[32];
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        str_like_pattern(out, cases[i].q, cases[i].contains);
        assert_string_equal(out, cases[i].want);
        assert_true(strlen(out) <= 2 * strlen(cases[i].q) + 1 + cases[i].contains);
    }
}

int test_str(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(split_and_trim),  cmocka_unit_test(i64_bounds_and_garbage),
        cmocka_unit_test(utf8_validation), cmocka_unit_test(constant_time_compare),
        cmocka_unit_test(like_patterns),
    };
    return test_group("str", tests, NULL, NULL);
}
