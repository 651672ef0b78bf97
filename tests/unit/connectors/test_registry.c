/* tests/unit/connectors/test_registry.c - the connector catalogue: the
 * built-in connectors, a folder of good and bad files (tests/data/connectors:
 * each bad NAME.json has NAME.err, the exact message it must be rejected
 * with), overriding a built-in, search, the catalogue JSON, one file's text
 * checked alone, and logos. Run from the repository root. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "connectors/registry.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "test.h"

#define DATA_DIR "tests/data/connectors"

/* Files whose only problem needs their folder or file name, which
 * registry_check_text does not have. */
static const char *const needs_folder[] = {"name_mismatch", "missing_logo", "svg_script"};

struct rejects {
    size_t n;
    char path[64][256];
    char msg[64][ERR_MSG_MAX];
};

static void on_reject(void *ctx, const char *path, const struct err *why)
{
    struct rejects *r = ctx;
    assert_int_equal(why->code, ERR_INVALID);
    if (r->n < 64) {
        snprintf(r->path[r->n], sizeof(r->path[0]), "%s", path);
        snprintf(r->msg[r->n], sizeof(r->msg[0]), "%s", why->msg);
    }
    r->n++;
}

/* Log lines go to a file for the duration, so that tests can read them and
 * the run's output stays clean. */
static int log_to(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    return log_set_fd(fd);
}

static void log_back(int old)
{
    close(log_set_fd(old));
}

static struct json_object *parse(const char *text)
{
    struct json_object *v = NULL;
    struct err e = {0};
    if (jsonx_parse(&v, text, strlen(text), 1 << 20, &e) != 0)
        fail_msg("does not parse: %s\n  %s", e.msg, text);
    return v;
}

/* Validate text against schema; NULL when valid, else "pointer: message". */
static const char *check(const struct jsonschema *s, const char *text)
{
    static char out[512];
    struct jsonschema_result r;
    struct json_object *v = parse(text);
    bool ok = jsonschema_validate(s, v, &r);
    json_object_put(v);
    if (ok)
        return NULL;
    snprintf(out, sizeof(out), "%s: %s", r.errors[0].pointer, r.errors[0].message);
    return out;
}

static char *format(const struct connector *c, bool detail)
{
    struct buf b;
    buf_init(&b, 1 << 20);
    registry_format(c, detail, &b);
    assert_false(buf_failed(&b));
    return buf_take(&b);
}

static void builtins_load(void **state)
{
    (void)state;
    struct registry *r = NULL;
    struct rejects rej = {0};
    struct err e = {0};
    int old = log_to("/dev/null");
    assert_int_equal(registry_load(&r, NULL, on_reject, &rej, &e), 0);
    log_back(old);
    for (size_t i = 0; i < rej.n && i < 64; i++)
        print_error("%s\n", rej.msg[i]);
    assert_int_equal(rej.n, 0);
    assert_true(registry_count(r) >= 1);

    const struct connector *sf = registry_get(r, "salesforce");
    assert_non_null(sf);
    assert_string_equal(sf->title, "Salesforce");
    assert_string_equal(sf->category, "crm");
    assert_string_equal(sf->kind, "declarative");
    assert_string_equal(sf->source, "builtin");
    assert_int_equal(sf->auth_kind, CONNECTOR_AUTH_OAUTH2);
    assert_non_null(sf->logo_svg);
    assert_int_equal(strncmp(sf->logo_svg, "<svg", 4), 0);
    assert_int_equal(sf->logo_len, strlen(sf->logo_svg));
    assert_null(sf->secrets_schema);
    assert_null(sf->secret_names[0]);
    assert_string_equal(jsonx_str(jsonx_get(sf->auth, "token_url")),
                        "https://{config.login_host}/services/oauth2/token");

    /* The config schema is what the UI form and the API check against. */
    const struct jsonschema *cfg = sf->config_schema;
    assert_null(check(cfg, "{}"));
    assert_null(check(cfg, "{\"login_host\":\"test.salesforce.com\",\"api_version\":\"v61.0\","
                           "\"start_date\":\"2024-01-01T00:00:00Z\"}"));
    assert_string_equal(check(cfg, "{\"login_host\":\"evil.example.com\"}"),
                        "/login_host: must be one of \"login.salesforce.com\", "
                        "\"test.salesforce.com\"");
    assert_string_equal(check(cfg, "{\"start_date\":\"yesterday\"}"),
                        "/start_date: is not a valid date-time (RFC 3339)");
    assert_string_equal(check(cfg, "{\"api_version\":\"61\"}"),
                        "/api_version: must match the pattern ^v[0-9]+\\.0$");
    assert_string_equal(check(cfg, "{\"environment\":\"sandbox\"}"),
                        "/environment: unknown field; allowed: login_host, api_version, "
                        "start_date");

    assert_null(registry_get(r, "nope"));
    assert_null(registry_at(r, registry_count(r)));
    for (size_t i = 1; i < registry_count(r); i++)
        assert_true(strcmp(registry_at(r, i - 1)->name, registry_at(r, i)->name) < 0);
    registry_free(r);
    registry_free(NULL);
}

static int json_only(const struct dirent *d)
{
    size_t n = strlen(d->d_name);
    return n > 5 && strcmp(d->d_name + n - 5, ".json") == 0;
}

/* The .err file of name, without its newline, or NULL when it has none. */
static char *expected_error(const char *name)
{
    char path[512];
    snprintf(path, sizeof(path), DATA_DIR "/%.*s.err", (int)(strlen(name) - 5), name);
    char *want = test_read_file(path, NULL);
    if (want && *want && want[strlen(want) - 1] == '\n')
        want[strlen(want) - 1] = '\0';
    return want;
}

static void folder_of_good_and_bad(void **state)
{
    (void)state;
    struct registry *r = NULL;
    struct rejects rej = {0};
    struct err e = {0};
    struct dirent **list;
    char *tmp = test_tmpdir(), logpath[600];
    snprintf(logpath, sizeof(logpath), "%s/log", tmp);
    int old = log_to(logpath);
    int rc = registry_load(&r, DATA_DIR, on_reject, &rej, &e);
    log_back(old);
    assert_int_equal(rc, 0);

    /* Every bad file is reported once, with the path and the exact message. */
    int n = scandir(DATA_DIR, &list, json_only, alphasort), bad = 0;
    size_t expected = 0;
    assert_true(n > 20);
    for (int i = 0; i < n; i++) {
        char *want = expected_error(list[i]->d_name);
        char path[512];
        snprintf(path, sizeof(path), DATA_DIR "/%s", list[i]->d_name);
        size_t hits = 0;
        for (size_t k = 0; k < rej.n && k < 64; k++) {
            if (strcmp(rej.path[k], path) != 0)
                continue;
            hits++;
            if (!want || strcmp(rej.msg[k], want) != 0) {
                print_error("%s\n  got      %s\n  expected %s\n", path, rej.msg[k],
                            want ? want : "(accepted)");
                bad++;
            }
        }
        if (want && hits != 1) {
            print_error("%s: reported %zu times, expected once:\n  %s\n", path, hits, want);
            bad++;
        }
        expected += want != NULL;
        xfree(want);
        free(list[i]); /* scandir's memory */
    }
    free(list);
    assert_int_equal(bad, 0);
    assert_int_equal(rej.n, expected);

    /* One warning line per rejected file, with its path and pointer. */
    char *log = test_read_file(logpath, NULL);
    size_t lines = 0;
    for (const char *p = log; (p = strstr(p, "\"connector file rejected\"")) != NULL; p++)
        lines++;
    assert_int_equal(lines, expected);
    assert_non_null(strstr(log, "\"path\":\"tests/data/connectors/unknown_auth.json\","
                                "\"pointer\":\"/auth/type\",\"problem\":\"must be one of"));
    assert_non_null(strstr(log, "\"connector file replaces the built-in\""));
    xfree(log);
    test_tmpdir_remove(tmp);
    xfree(tmp);

    /* The good ones, the override among them. */
    const struct connector *sf = registry_get(r, "salesforce");
    assert_non_null(sf);
    assert_string_equal(sf->title, "Salesforce (test override)");
    assert_string_equal(sf->source, DATA_DIR "/salesforce.json");
    assert_null(sf->logo_svg);

    const struct connector *ak = registry_get(r, "example_api_key");
    assert_non_null(ak);
    assert_int_equal(ak->auth_kind, CONNECTOR_AUTH_API_KEY);
    assert_string_equal(ak->secret_names[0], "api_key");
    assert_string_equal(ak->secret_names[1], "account_id");
    assert_null(ak->secret_names[2]);
    assert_non_null(ak->logo_svg);
    assert_null(check(ak->secrets_schema, "{\"api_key\":\"0123456789\"}"));
    assert_string_equal(check(ak->secrets_schema, "{\"account_id\":\"7\"}"),
                        "/api_key: is required");
    assert_string_equal(check(ak->secrets_schema, "{\"api_key\":\"0123456789\",\"pw\":\"x\"}"),
                        "/pw: unknown field; allowed: api_key, account_id");
    assert_string_equal(check(ak->config_schema, "{\"subdomain\":\"Acme Corp\"}"),
                        "/subdomain: must match the pattern ^[a-z0-9][a-z0-9-]{0,62}$");

    const struct connector *ba = registry_get(r, "example_basic");
    assert_non_null(ba);
    assert_int_equal(ba->auth_kind, CONNECTOR_AUTH_BASIC);
    assert_string_equal(ba->secret_names[0], "username");
    assert_string_equal(ba->secret_names[1], "password");
    assert_null(ba->secret_names[2]);
    assert_string_equal(check(ba->secrets_schema, "{\"username\":\"a@b.c\"}"),
                        "/password: is required");
    assert_string_equal(check(ba->secrets_schema, "{\"username\":\"\",\"password\":\"p\"}"),
                        "/username: must not be empty");
    assert_null(check(ba->config_schema, "{}"));
    assert_string_equal(check(ba->config_schema, "{\"x\":1}"),
                        "/x: unknown field; no fields allowed");

    const struct connector *oa = registry_get(r, "example_oauth");
    assert_non_null(oa);
    assert_null(oa->secrets_schema);

    /* A Singer tap: its executable joined to the folder, its section kept. */
    const struct connector *tap = registry_get(r, "example_singer");
    assert_non_null(tap);
    assert_string_equal(tap->kind, "singer");
    assert_string_equal(tap->singer_executable, DATA_DIR "/taps/tap-example");
    assert_string_equal(jsonx_str(jsonx_get(tap->singer, "catalog_flag")), "--properties");
    assert_null(ak->singer);
    assert_null(ak->singer_executable);

    /* The built-ins, one of them overridden by a file, and 4 new files. */
    struct registry *builtins = NULL;
    old = log_to("/dev/null");
    assert_int_equal(registry_load(&builtins, NULL, NULL, NULL, &e), 0);
    log_back(old);
    assert_int_equal(registry_count(r), registry_count(builtins) + 4);
    registry_free(builtins);
    for (size_t i = 1; i < registry_count(r); i++)
        assert_true(strcmp(registry_at(r, i - 1)->name, registry_at(r, i)->name) < 0);
    registry_free(r);
}

static void search(void **state)
{
    (void)state;
    struct registry *r = NULL;
    struct err e = {0};
    int old = log_to("/dev/null");
    assert_int_equal(registry_load(&r, DATA_DIR, NULL, NULL, &e), 0);
    log_back(old);
    const struct connector *sf = registry_get(r, "salesforce");
    const struct connector *ak = registry_get(r, "example_api_key");
    assert_true(registry_match(sf, NULL, NULL));
    assert_true(registry_match(sf, "", ""));
    assert_true(registry_match(sf, "SALES", NULL));     /* name, any case */
    assert_true(registry_match(sf, "override", NULL));  /* title */
    assert_true(registry_match(ak, "HELP desk", NULL)); /* description */
    assert_true(registry_match(ak, "support", NULL));   /* category */
    assert_false(registry_match(ak, "salesforce", NULL));
    assert_true(registry_match(sf, NULL, "crm"));
    assert_false(registry_match(ak, NULL, "crm"));
    assert_false(registry_match(sf, "sales", "support"));
    assert_false(registry_match(sf, NULL, "cr")); /* category is exact */
    size_t crm = 0;
    for (size_t i = 0; i < registry_count(r); i++)
        crm += registry_match(registry_at(r, i), NULL, "crm");
    assert_int_equal(crm, 2); /* salesforce (the file's) and the built-in hubspot */
    registry_free(r);
}

static void catalogue_json(void **state)
{
    (void)state;
    struct registry *r = NULL;
    struct err e = {0};
    int old = log_to("/dev/null");
    assert_int_equal(registry_load(&r, NULL, NULL, NULL, &e), 0);
    log_back(old);
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < registry_count(r); i++) {
            const struct connector *c = registry_at(r, i);
            for (int detail = 0; detail < 2; detail++) {
                char *text = format(c, detail);
                struct json_object *v = parse(text);
                assert_null(strstr(text, "client_secret"));
                assert_string_equal(jsonx_str(jsonx_get(v, "name")), c->name);
                assert_true(jsonx_has(v, "secret_names"));
                assert_true(jsonx_has(v, "auth"));
                assert_int_equal(jsonx_has(v, "config_schema"), detail);
                assert_int_equal(jsonx_has(v, "streams"), detail);
                json_object_put(v);
                xfree(text);
            }
        }
        registry_free(r);
        old = log_to("/dev/null");
        assert_int_equal(registry_load(&r, DATA_DIR, NULL, NULL, &e), 0);
        log_back(old);
    }

    char *text = format(registry_get(r, "example_api_key"), true);
    struct json_object *v = parse(text);
    assert_string_equal(jsonx_str(jsonx_get(v, "logo_url")),
                        "/api/connectors/example_api_key/logo.svg");
    assert_string_equal(jsonx_str(jsonx_at(jsonx_get(v, "secret_names"), 1)), "account_id");
    struct json_object *key = NULL;
    assert_int_equal(jsonx_ptr_get(&key, v, "/secrets_schema/properties/api_key/writeOnly", &e), 0);
    assert_true(json_object_get_boolean(key));
    assert_int_equal(jsonx_len(jsonx_get(v, "streams")), 2);
    assert_string_equal(jsonx_str(jsonx_get(jsonx_get(v, "webhooks"), "scheme")), "zendesk");
    json_object_put(v);
    xfree(text);

    text = format(registry_get(r, "example_basic"), false);
    assert_string_equal(text,
                        "{\"name\":\"example_basic\",\"title\":\"Example (basic)\","
                        "\"category\":\"project\",\"description\":\"A project tracker with a user "
                        "name and password, served on loopback.\",\"kind\":\"declarative\","
                        "\"auth\":{\"type\":\"basic\",\"username\":{\"title\":\"Email\"},"
                        "\"password\":{\"title\":\"API token\",\"description\":\"Create one under "
                        "Settings, API.\"}},\"secret_names\":[\"username\",\"password\"],"
                        "\"logo_url\":null,\"docs_url\":null}");
    xfree(text);
    registry_free(r);
}

static void check_text_alone(void **state)
{
    (void)state;
    struct dirent **list;
    struct err e = {0};
    int n = scandir(DATA_DIR, &list, json_only, alphasort), bad = 0;
    assert_true(n > 20);
    for (int i = 0; i < n; i++) {
        char path[512];
        size_t len;
        snprintf(path, sizeof(path), DATA_DIR "/%s", list[i]->d_name);
        char *text = test_read_file(path, &len), *want = expected_error(list[i]->d_name);
        bool folder = false;
        for (size_t k = 0; k < sizeof(needs_folder) / sizeof(needs_folder[0]); k++)
            folder |= strncmp(list[i]->d_name, needs_folder[k], strlen(needs_folder[k])) == 0;
        int rc = registry_check_text(text, len, &e);
        /* The same message as in the folder, without the path. */
        const char *msg = want && !folder ? want + strlen(path) + 2 : NULL;
        if (msg ? rc == 0 || strcmp(e.msg, msg) != 0 : rc != 0) {
            print_error("%s\n  got      %s\n  expected %s\n", path, rc ? e.msg : "(accepted)",
                        msg ? msg : "(accepted)");
            bad++;
        }
        xfree(text);
        xfree(want);
        free(list[i]);
    }
    free(list);
    assert_int_equal(bad, 0);

    size_t len;
    char *sf = test_read_file("connectors/salesforce.json", &len);
    assert_non_null(sf);
    assert_int_equal(registry_check_text(sf, len, &e), 0);
    xfree(sf);
    assert_int_equal(registry_check_text("{", 1, &e), ERR_INVALID);
    assert_string_equal(e.msg,
                        "invalid JSON at line 1, column 2 (byte 1): unexpected end of input");
}

/* Logos: each variant written beside a connector file in a fresh folder. */
static void logos(void **state)
{
    (void)state;
    static const struct {
        const char *svg;
        const char *problem; /* NULL: accepted */
    } cases[] = {
        {"<svg viewBox=\"0 0 1 1\"><path d=\"M0 0h1v1z\"/></svg>\n", NULL},
        {"\n<?xml version=\"1.0\"?>\n<!-- x -->\n<svg>\n</svg>", NULL},
        {"<svg><a href=\"#top\"/><rect fill=\"url(#g)\"/></svg>", NULL},
        {"", "the file is empty"},
        {"\x89PNG\r\n\x1a\n", "it is not UTF-8 text"},
        {"<html><svg></svg></html>", "it does not start with an <svg> element"},
        {"<svgfoo></svgfoo>", "it does not start with an <svg> element"},
        {"<svg><rect/>", "it does not end with </svg>"},
        {"<!-- <svg></svg>", "it has an unclosed XML declaration or comment"},
        {"<svg onload=\"alert(1)\"></svg>", "it has an event handler attribute (on...=)"},
        {"<svg><rect\nONclick = \"x\"/></svg>", "it has an event handler attribute (on...=)"},
        {"<svg><SCRIPT>x</SCRIPT></svg>",
         "it contains a script, an embedded document or an entity"},
        {"<svg><foreignObject/></svg>", "it contains a script, an embedded document or an entity"},
        {"<svg><rect style=\"x:javascript:alert(1)\"/></svg>",
         "it contains a script, an embedded document or an entity"},
        {"<svg><image href=\"https://tracker.example/p.png\"/></svg>",
         "it refers to something outside the file (href or url() not starting with #)"},
        {"<svg><image xlink:href = 'data:image/png;base64,AA'/></svg>",
         "it refers to something outside the file (href or url() not starting with #)"},
        {"<svg><rect style=\"fill:url(http://x/y)\"/></svg>",
         "it refers to something outside the file (href or url() not starting with #)"},
    };
    char *dir = test_tmpdir(), path[600];
    snprintf(path, sizeof(path), "%s/logos", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof(path), "%s/logo_test.json", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("{\"name\":\"logo_test\",\"title\":\"T\",\"category\":\"other\",\"description\":\"d\","
          "\"logo\":\"logos/l.svg\",\"auth\":{\"type\":\"none\"}}",
          f);
    fclose(f);
    snprintf(path, sizeof(path), "%s/logos/l.svg", dir);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]) + 1; i++) {
        f = fopen(path, "w");
        assert_non_null(f);
        if (i < sizeof(cases) / sizeof(cases[0]))
            fputs(cases[i].svg, f);
        else /* one byte over the cap */
            for (int k = 0; k < CONNECTOR_LOGO_MAX + 1; k++)
                fputc(k == 0 ? '<' : ' ', f);
        fclose(f);
        struct registry *r = NULL;
        struct rejects rej = {0};
        struct err e = {0};
        int old = log_to("/dev/null");
        assert_int_equal(registry_load(&r, dir, on_reject, &rej, &e), 0);
        log_back(old);
        const char *problem = i < sizeof(cases) / sizeof(cases[0]) ? cases[i].problem : NULL;
        char want[300];
        if (i == sizeof(cases) / sizeof(cases[0]))
            snprintf(want, sizeof(want),
                     "%s/logo_test.json: /logo: logos/l.svg is over the "
                     "65536-byte limit",
                     dir);
        else
            snprintf(want, sizeof(want),
                     "%s/logo_test.json: /logo: logos/l.svg is not a plain SVG image: %s", dir,
                     problem ? problem : "");
        if (problem || i == sizeof(cases) / sizeof(cases[0])) {
            if (rej.n != 1 || strcmp(rej.msg[0], want) != 0)
                fail_msg("logo case %zu\n  got      %s\n  expected %s", i,
                         rej.n ? rej.msg[0] : "(accepted)", want);
            assert_null(registry_get(r, "logo_test"));
        } else {
            if (rej.n != 0)
                fail_msg("logo case %zu: %s", i, rej.msg[0]);
            assert_non_null(registry_get(r, "logo_test"));
            assert_string_equal(registry_get(r, "logo_test")->logo_svg, cases[i].svg);
        }
        registry_free(r);
    }
    test_tmpdir_remove(dir);
    xfree(dir);
}

static void folder_errors(void **state)
{
    (void)state;
    struct registry *r = (struct registry *)1;
    struct err e = {0};
    int old = log_to("/dev/null");
    /* A folder that does not exist: the built-ins alone. */
    assert_int_equal(registry_load(&r, "tests/data/no-such-folder", NULL, NULL, &e), 0);
    assert_non_null(registry_get(r, "salesforce"));
    registry_free(r);
    /* A file where the folder should be cannot be read as one. */
    r = (struct registry *)1;
    assert_int_equal(registry_load(&r, "connectors/salesforce.json", NULL, NULL, &e), ERR_IO);
    assert_null(r);
    assert_string_equal(e.msg, "connectors folder connectors/salesforce.json: Not a directory");
    /* An empty name means none. */
    assert_int_equal(registry_load(&r, "", NULL, NULL, &e), 0);
    registry_free(r);
    log_back(old);
}

int test_registry(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(builtins_load),    cmocka_unit_test(folder_of_good_and_bad),
        cmocka_unit_test(search),           cmocka_unit_test(catalogue_json),
        cmocka_unit_test(check_text_alone), cmocka_unit_test(logos),
        cmocka_unit_test(folder_errors),
    };
    return test_group("registry", tests, NULL, NULL);
}
