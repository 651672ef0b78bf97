/* tests/unit/core/test_str.c - slices, integer parsing, constant-time compare. */
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
}

static void constant_time_compare(void **state)
{
    (void)state;
    assert_true(str_ct_eq("abcd", "abcd", 4));
    assert_false(str_ct_eq("abcd", "abce", 4));
    assert_true(str_ct_eq("", "x", 0));
}

int test_str(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(split_and_trim),
        cmocka_unit_test(i64_bounds_and_garbage),
        cmocka_unit_test(constant_time_compare),
    };
    return test_group("str", tests, NULL, NULL);
}
