/* tests/unit/core/test_err.c - messages are one line and codes are kept. */
#include <string.h>

#include "core/err.h"
#include "test.h"

static void set_returns_code_and_flattens_lines(void **state)
{
    (void)state;
    struct err e;
    assert_int_equal(err_set(&e, ERR_INVALID, "line %d\nnext\r", 3), ERR_INVALID);
    assert_int_equal(e.code, ERR_INVALID);
    assert_string_equal(e.msg, "line 3 next ");
    assert_int_equal(err_set(NULL, ERR_IO, "ignored"), ERR_IO);
    err_clear(&e);
    assert_int_equal(e.code, ERR_OK);
    assert_string_equal(e.msg, "");
}

static void long_messages_are_cut(void **state)
{
    (void)state;
    struct err e;
    char big[1000];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    err_set(&e, ERR_TOOBIG, "%s", big);
    assert_int_equal(strlen(e.msg), ERR_MSG_MAX - 1);
}

static void names_are_stable(void **state)
{
    (void)state;
    assert_string_equal(err_code_name(ERR_NOTFOUND), "not_found");
    assert_string_equal(err_code_name(ERR_CRYPTO), "crypto_error");
    assert_string_equal(err_code_name((enum err_code)42), "unknown");
}

int test_err(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(set_returns_code_and_flattens_lines),
        cmocka_unit_test(long_messages_are_cut),
        cmocka_unit_test(names_are_stable),
    };
    return test_group("err", tests, NULL, NULL);
}
