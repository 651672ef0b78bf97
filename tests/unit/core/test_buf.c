/* tests/unit/core/test_buf.c - the bounded buffer: growth, the hard cap and
 * its sticky failure, and the escapers. */
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "test.h"

static void grows_and_terminates(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 0);
    assert_string_equal(buf_cstr(&b), "");
    for (int i = 0; i < 1000; i++)
        buf_printf(&b, "%d,", i);
    assert_false(buf_failed(&b));
    assert_int_equal(b.n, strlen(buf_cstr(&b)));
    assert_memory_equal(buf_cstr(&b), "0,1,2,", 6);
    assert_string_equal(buf_cstr(&b) + b.n - 4, "999,");
    buf_dispose(&b);
    buf_dispose(&b); /* twice is harmless */
}

static void cap_fails_sticky_and_appends_nothing(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 8);
    buf_puts(&b, "12345");
    buf_puts(&b, "6789"); /* would make 9 > 8 */
    assert_true(buf_failed(&b));
    assert_string_equal(buf_cstr(&b), "12345");
    buf_puts(&b, "x"); /* fits, but the failure is sticky */
    assert_string_equal(buf_cstr(&b), "12345");
    buf_printf(&b, "%d", 1);
    assert_string_equal(buf_cstr(&b), "12345");
    buf_reset(&b);
    assert_false(buf_failed(&b));
    buf_puts(&b, "12345678");
    assert_false(buf_failed(&b));
    assert_string_equal(buf_cstr(&b), "12345678");
    buf_dispose(&b);
}

static void take_hands_over(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 100);
    char *empty = buf_take(&b);
    assert_string_equal(empty, "");
    xfree(empty);
    buf_puts(&b, "abc");
    char *s = buf_take(&b);
    assert_string_equal(s, "abc");
    assert_int_equal(b.n, 0);
    assert_int_equal(b.max, 100);
    xfree(s);
    buf_dispose(&b);
}

static void url_encoding(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 0);
    const char *in = "SELECT Id FROM Contact WHERE Name = 'a&b' ~é";
    buf_put_urlenc(&b, in, strlen(in));
    assert_string_equal(
        buf_cstr(&b), "SELECT%20Id%20FROM%20Contact%20WHERE%20Name%20%3D%20%27a%26b%27%20~%C3%A9");
    buf_dispose(&b);
}

static void json_escaping(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 0);
    const char in[] = "a\"b\\c\nd\te\x01\x1f"
                      "é";
    buf_put_jsonesc(&b, in, sizeof(in) - 1);
    assert_string_equal(buf_cstr(&b), "a\\\"b\\\\c\\nd\\te\\u0001\\u001Fé");
    buf_dispose(&b);
}

static void json_strings(void **state)
{
    struct buf b;
    (void)state;
    buf_init(&b, 0);
    buf_put_json_str(&b, "say \"hi\"\n");
    buf_putc(&b, ',');
    buf_put_json_str(&b, NULL);
    buf_putc(&b, ',');
    buf_put_json_str(&b, "");
    assert_string_equal(buf_cstr(&b), "\"say \\\"hi\\\"\\n\",null,\"\"");
    buf_dispose(&b);
}

/* Reserved room is one allocation that appends within it never move. */
static void reserve_keeps_the_allocation(void **state)
{
    struct buf b;
    (void)state;
    buf_init(&b, 100);
    buf_reserve(&b, 50);
    assert_int_equal(b.cap, 51);
    assert_string_equal(buf_cstr(&b), "");
    const char *p = b.p;
    for (int i = 0; i < 50; i++)
        buf_putc(&b, 'x');
    assert_ptr_equal(b.p, p);
    assert_int_equal(b.n, 50);
    buf_reserve(&b, 10); /* already there: nothing happens */
    assert_ptr_equal(b.p, p);
    buf_reserve(&b, 101); /* past max: nothing happens */
    assert_int_equal(b.cap, 51);
    assert_false(buf_failed(&b));
    buf_dispose(&b);
}

static void html_escaping(void **state)
{
    struct buf b;
    (void)state;
    buf_init(&b, 0);
    buf_put_html(&b, "<a href=\"x\">Tom & Jerry's</a>");
    assert_string_equal(buf_cstr(&b),
                        "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;");
    buf_reset(&b);
    buf_put_html(&b, "");
    assert_string_equal(buf_cstr(&b), "");
    buf_dispose(&b);
}

int test_buf(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(grows_and_terminates),
        cmocka_unit_test(cap_fails_sticky_and_appends_nothing),
        cmocka_unit_test(take_hands_over),
        cmocka_unit_test(url_encoding),
        cmocka_unit_test(json_escaping),
        cmocka_unit_test(json_strings),
        cmocka_unit_test(reserve_keeps_the_allocation),
        cmocka_unit_test(html_escaping),
    };
    return test_group("buf", tests, NULL, NULL);
}
