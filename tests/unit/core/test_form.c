/* tests/unit/core/test_form.c - form_parse: a table of accepted texts with
 * their pairs, a table of refused ones with their exact messages, the caps,
 * and duplicates keeping the first value. */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/form.h"
#include "test.h"

/* Each accepted text and its pairs as "name=value;" after decoding. */
static const struct {
    const char *in, *want;
} good[] = {
    {"", ""},
    {"a=1", "a=1;"},
    {"a=1&b=2", "a=1;b=2;"},
    {"a", "a=;"},
    {"a=", "a=;"},
    {"=x", "=x;"},
    {"&&a=1&&", "a=1;"},
    {"a=b=c", "a=b=c;"},
    {"q=hello+world%21", "q=hello world!;"},
    {"%61%62=%2b%2B", "ab=++;"},
    {"u=%C3%A9t%C3%A9", "u=été;"},
    {"raw=\xc3\xa9", "raw=\xc3\xa9;"},
    {"a=1&a=2&b=3&a=4", "a=1;b=3;"},
    {"redirect_uri=http%3A%2F%2Flocalhost%3A9%2Fcb%3Fx%3D1",
     "redirect_uri=http://localhost:9/cb?x=1;"},
};

static void accepted(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        struct form f;
        struct err e;
        struct buf got;
        buf_init(&got, 0);
        assert_int_equal(form_parse(&f, good[i].in, strlen(good[i].in), &e), 0);
        for (size_t k = 0; k < f.n; k++)
            buf_printf(&got, "%s=%s;", f.pairs[k].name, f.pairs[k].value);
        if (strcmp(buf_cstr(&got), good[i].want) != 0)
            fail_msg("case %zu '%s': got '%s', want '%s'", i, good[i].in, buf_cstr(&got),
                     good[i].want);
        buf_dispose(&got);
        form_dispose(&f);
    }
}

static const struct {
    const char *in;
    size_t n; /* 0: strlen(in) */
    const char *msg;
} bad[] = {
    {"a=%", 0, "form: bad percent-escape at byte 2"},
    {"a=%4", 0, "form: bad percent-escape at byte 2"},
    {"a=%4g", 0, "form: bad percent-escape at byte 2"},
    {"abc=1&state=x%zz", 0, "form: bad percent-escape at byte 13"},
    {"a%=1", 0, "form: bad percent-escape at byte 1"},
    {"a=1&b=%00", 0, "form: %00 at byte 6"},
    {"a=1\0b", 5, "form: NUL at byte 3"},
    {"a=%C3", 0, "form: invalid UTF-8 at byte 2"},
    {"a=x%C3%28", 0, "form: invalid UTF-8 at byte 3"},
    {"ok=1&n\xff=1", 0, "form: invalid UTF-8 at byte 6"},
    {"a=%ED%A0%80", 0, "form: invalid UTF-8 at byte 2"},
};

static void refused(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct form f;
        struct err e;
        size_t n = bad[i].n ? bad[i].n : strlen(bad[i].in);
        assert_int_equal(form_parse(&f, bad[i].in, n, &e), ERR_INVALID);
        if (strcmp(e.msg, bad[i].msg) != 0)
            fail_msg("case %zu: got '%s', want '%s'", i, e.msg, bad[i].msg);
        assert_int_equal(f.n, 0);
        form_dispose(&f);
    }
}

static void caps(void **state)
{
    (void)state;
    struct form f;
    struct err e;
    struct buf b;

    buf_init(&b, 0);
    for (int i = 0; i < FORM_MAX_PAIRS; i++)
        buf_printf(&b, "k%d=v&", i);
    assert_int_equal(form_parse(&f, b.p, b.n, &e), 0);
    assert_int_equal(f.n, FORM_MAX_PAIRS);
    assert_string_equal(form_get(&f, "k255"), "v");
    assert_null(form_get(&f, "k256"));
    form_dispose(&f);
    /* Duplicates do not count against the cap. */
    buf_puts(&b, "k0=again&");
    assert_int_equal(form_parse(&f, b.p, b.n, &e), 0);
    assert_string_equal(form_get(&f, "k0"), "v");
    form_dispose(&f);
    buf_puts(&b, "one=more");
    assert_int_equal(form_parse(&f, b.p, b.n, &e), ERR_TOOBIG);
    assert_string_equal(e.msg, "form: over 256 pairs");
    form_dispose(&f);

    char *big = xmalloc(FORM_MAX_BYTES + 1);
    memset(big, 'a', FORM_MAX_BYTES + 1);
    assert_int_equal(form_parse(&f, big, FORM_MAX_BYTES, &e), 0);
    assert_int_equal(f.n, 1);
    form_dispose(&f);
    assert_int_equal(form_parse(&f, big, FORM_MAX_BYTES + 1, &e), ERR_TOOBIG);
    assert_string_equal(e.msg, "form: over 65536 bytes");
    form_dispose(&f);
    xfree(big);
    buf_dispose(&b);
}

static void lookup(void **state)
{
    (void)state;
    struct form f;
    struct err e;
    const char text[] = "grant_type=authorization_code&code=aPrx1&code_verifier=";

    assert_int_equal(form_parse(&f, text, strlen(text), &e), 0);
    assert_string_equal(form_get(&f, "grant_type"), "authorization_code");
    assert_string_equal(form_get(&f, "code_verifier"), "");
    assert_null(form_get(&f, "Code"));
    form_dispose(&f);
    form_dispose(&f); /* disposing twice is harmless */
}

int test_form(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(accepted),
        cmocka_unit_test(refused),
        cmocka_unit_test(caps),
        cmocka_unit_test(lookup),
    };
    return test_group("form", tests, NULL, NULL);
}
