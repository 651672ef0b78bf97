/* tests/unit/notify/test_notify_config.c - channel settings: every case
 * of tests/data/notify_config/cases.txt (the checks, the summary the API
 * shows, the events list), the sealed text read back as it was written,
 * a replace keeping the secrets it leaves out, and no summary or message
 * holding a secret. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/jsonx.h"
#include "notify/config.h"
#include "test.h"

#define CASES "tests/data/notify_config/cases.txt"

static struct json_object *parse(const char *s)
{
    struct json_object *v = NULL;
    struct err e;
    if (jsonx_parse(&v, s, strlen(s), strlen(s) + 1, &e) != 0)
        fail_msg("bad JSON in the case: %s (%s)", e.msg, s);
    return v;
}

/* Run one case; got (OUT) holds the outcome as the file spells it. */
static void run_case(struct buf *got, const char *kind, const char *json)
{
    struct json_object *v = strcmp(json, "<absent>") == 0 ? NULL : parse(json);
    struct err e;

    if (strcmp(kind, "events") == 0) {
        struct buf b;
        buf_init(&b, 0);
        if (notify_events_check(&b, v, &e) == 0)
            buf_puts(got, buf_cstr(&b));
        else
            buf_printf(got, "error: %s", e.msg);
        buf_dispose(&b);
    } else {
        struct notify_config c;
        enum notify_kind k = notify_kind_parse(kind);
        if (!k)
            fail_msg("unknown kind %s", kind);
        if (notify_config_parse(&c, k, v, NULL, &e) == 0) {
            notify_config_summary(got, &c);
            /* What is sealed reads back to the same settings. */
            struct secret text = {0};
            struct notify_config back;
            struct buf again;
            notify_config_seal_text(&text, &c);
            assert_int_equal(notify_config_load(&back, k, text.p, text.n, &e), 0);
            buf_init(&again, 0);
            notify_config_summary(&again, &back);
            assert_string_equal(buf_cstr(&again), buf_cstr(got));
            assert_int_equal(back.url.n, c.url.n);
            assert_memory_equal(back.url.p, c.url.p, c.url.n);
            assert_int_equal(back.secret.n, c.secret.n);
            assert_int_equal(back.password.n, c.password.n);
            buf_dispose(&again);
            secret_dispose(&text);
            notify_config_dispose(&back);
            notify_config_dispose(&c);
        } else {
            buf_printf(got, "error: %s", e.msg);
        }
    }
    json_object_put(v);
}

static void cases(void **state)
{
    char *text = test_read_file(CASES, NULL);
    int bad = 0, n = 0, line = 0;
    (void)state;

    assert_non_null(text);
    for (char *p = text, *next; *p; p = next) {
        char *nl = strchr(p, '\n');
        next = nl ? nl + 1 : p + strlen(p);
        if (nl)
            *nl = '\0';
        line++;
        if (*p == '#' || *p == '\0')
            continue;
        char *t1 = strchr(p, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
        if (!t2)
            fail_msg(CASES ":%d: expected KIND<TAB>JSON<TAB>EXPECTED", line);
        *t1 = *t2 = '\0';
        struct buf got;
        buf_init(&got, 0);
        run_case(&got, p, t1 + 1);
        n++;
        if (strcmp(buf_cstr(&got), t2 + 1) != 0) {
            printf(CASES ":%d:\n  got      %s\n  expected %s\n", line, buf_cstr(&got), t2 + 1);
            bad++;
        }
        buf_dispose(&got);
    }
    xfree(text);
    assert_true(n > 50);
    assert_int_equal(bad, 0);
}

static void parse_ok(struct notify_config *c, enum notify_kind k, const char *json,
                     const struct notify_config *keep)
{
    struct json_object *v = parse(json);
    struct err e;
    if (notify_config_parse(c, k, v, keep, &e) != 0)
        fail_msg("%s: %s", json, e.msg);
    json_object_put(v);
}

static void keep_secrets(void **state)
{
    struct notify_config old, c;
    struct buf b;
    struct err e;
    (void)state;

    /* A webhook replaced without its secret keeps it; a new URL replaces. */
    parse_ok(
        &old, NOTIFY_KIND_WEBHOOK,
        "{\"url\":\"https://a.example/h\",\"secret\":\"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\"}",
        NULL);
    parse_ok(&c, NOTIFY_KIND_WEBHOOK, "{\"url\":\"https://b.example/h\"}", &old);
    assert_string_equal((const char *)c.url.p, "https://b.example/h");
    assert_string_equal((const char *)c.secret.p, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    notify_config_dispose(&c);
    parse_ok(&c, NOTIFY_KIND_WEBHOOK, "{}", &old);
    assert_string_equal((const char *)c.url.p, "https://a.example/h");
    notify_config_dispose(&c);
    /* Not across kinds. */
    struct json_object *v = parse("{}");
    assert_int_equal(notify_config_parse(&c, NOTIFY_KIND_SLACK, v, &old, &e), ERR_INVALID);
    assert_string_equal(e.msg, "/config/url: is required");
    json_object_put(v);
    notify_config_dispose(&old);

    /* Email: the password stays with a user; null removes it. */
    parse_ok(&old, NOTIFY_KIND_EMAIL,
             "{\"url\":\"smtps://m.example\",\"from\":\"a@b.c\",\"to\":[\"x@y.z\"],"
             "\"username\":\"u\",\"password\":\"hunter2\"}",
             NULL);
    parse_ok(&c, NOTIFY_KIND_EMAIL,
             "{\"url\":\"smtps://m.example\",\"from\":\"a@b.c\",\"to\":[\"q@y.z\"],"
             "\"username\":\"u2\"}",
             &old);
    assert_string_equal((const char *)c.password.p, "hunter2");
    assert_string_equal(c.username, "u2");
    notify_config_dispose(&c);
    parse_ok(&c, NOTIFY_KIND_EMAIL,
             "{\"url\":\"smtps://m.example\",\"from\":\"a@b.c\",\"to\":[\"q@y.z\"],"
             "\"username\":null,\"password\":null}",
             &old);
    assert_null(c.username);
    assert_int_equal(c.password.n, 0);
    buf_init(&b, 0);
    notify_config_summary(&b, &c);
    assert_null(strstr(buf_cstr(&b), "hunter2"));
    buf_dispose(&b);
    notify_config_dispose(&c);
    notify_config_dispose(&old);
}

static void no_secret_shown(void **state)
{
    struct notify_config c;
    struct buf b;
    struct secret sealed = {0};
    (void)state;

    parse_ok(&c, NOTIFY_KIND_SLACK,
             "{\"url\":\"https://hooks.slack.com/services/T1/B2/s3cr3tpath\"}", NULL);
    buf_init(&b, 0);
    notify_config_summary(&b, &c);
    assert_null(strstr(buf_cstr(&b), "s3cr3t"));
    assert_null(strstr(buf_cstr(&b), "hooks.slack.com"));
    notify_config_seal_text(&sealed, &c);
    assert_non_null(strstr((const char *)sealed.p, "s3cr3tpath"));
    secret_dispose(&sealed);
    buf_dispose(&b);
    notify_config_dispose(&c);

    /* Stored text that is not what we wrote is refused without quoting it. */
    struct err e;
    const char *junk = "{\"url\":\"https://hooks.slack.com/services/s3cr3t\"";
    assert_int_equal(notify_config_load(&c, NOTIFY_KIND_SLACK, junk, strlen(junk), &e),
                     ERR_INVALID);
    assert_null(strstr(e.msg, "s3cr3t"));
    const char *wrong = "{\"url\":\"ftp://s3cr3t\"}";
    assert_int_equal(notify_config_load(&c, NOTIFY_KIND_SLACK, wrong, strlen(wrong), &e),
                     ERR_INVALID);
    assert_null(strstr(e.msg, "s3cr3t"));

    /* Names. */
    assert_int_equal(notify_name_check("Ops", 3, &e), 0);
    assert_int_equal(notify_name_check("", 0, &e), ERR_INVALID);
    assert_int_equal(notify_name_check("a\tb", 3, &e), ERR_INVALID);
    assert_int_equal(notify_name_check("\xff", 1, &e), ERR_INVALID);
    assert_int_equal(notify_kind_parse("inapp"), 0);
    assert_string_equal(notify_kind_name(NOTIFY_KIND_EMAIL), "email");
}

int test_notify_config(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cases),
        cmocka_unit_test(keep_secrets),
        cmocka_unit_test(no_secret_shown),
    };
    return test_group("notify_config", tests, NULL, NULL);
}
