/* tests/unit/core/test_jsonx.c - the JSON layer: the cases in
 * tests/data/jsonx/ (run from the repository root: NAME.json is the input,
 * NAME.out the compact JSON it must serialise to, or NAME.err the exact
 * "code: message"), every byte alignment of the 64-byte fast path, parser
 * reuse, accessors, JSON Pointers, files and serialisation into a capped
 * buffer. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <json-c/json_object.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/jsonx.h"
#include "test.h"

#define DATA_DIR "tests/data/jsonx/"
#define CASE_MAX 4096 /* the size cap the data cases run under */

static void chomp(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
}

/* Parse, serialise; then the output must parse again and serialise the same. */
static int run_case(const char *name)
{
    char path[512];
    size_t n;
    struct json_object *v = NULL, *again = NULL;
    struct err e = {0};
    struct buf out, out2;
    int bad = 0;

    snprintf(path, sizeof(path), DATA_DIR "%s.json", name);
    char *raw = test_read_file(path, &n);
    assert_non_null(raw);
    char *in = xmalloc(n ? n : 1); /* exactly n bytes, so ASan sees any overread */
    memcpy(in, raw, n);
    xfree(raw);
    snprintf(path, sizeof(path), DATA_DIR "%s.out", name);
    char *want_out = test_read_file(path, NULL);
    snprintf(path, sizeof(path), DATA_DIR "%s.err", name);
    char *want_err = test_read_file(path, NULL);
    if (!want_out == !want_err)
        fail_msg("%s: needs exactly one of %s.out and %s.err", name, name, name);

    buf_init(&out, 0);
    buf_init(&out2, 0);
    int rc = jsonx_parse(&v, in, n, CASE_MAX, &e);
    if (want_err) {
        char got[ERR_MSG_MAX + 32];
        chomp(want_err);
        snprintf(got, sizeof(got), "%s: %s", err_code_name(e.code), e.msg);
        if (rc == 0) {
            jsonx_format(&out, v);
            print_error("%s: parsed as %s, expected error\n  %s\n", name, buf_cstr(&out), want_err);
            bad = 1;
        } else if (strcmp(got, want_err) != 0) {
            print_error("%s:\n  got      %s\n  expected %s\n", name, got, want_err);
            bad = 1;
        }
        if (rc != 0 && v) {
            print_error("%s: *out set on failure\n", name);
            bad = 1;
        }
    } else if (rc != 0) {
        print_error("%s: %s\n", name, e.msg);
        bad = 1;
    } else if (want_out) {
        chomp(want_out);
        jsonx_format(&out, v);
        if (strcmp(buf_cstr(&out), want_out) != 0) {
            print_error("%s:\n  got      %s\n  expected %s\n", name, buf_cstr(&out), want_out);
            bad = 1;
        }
        if (jsonx_parse(&again, out.p ? out.p : "null", out.n ? out.n : 4, CASE_MAX, &e) != 0) {
            print_error("%s: output does not parse again: %s\n", name, e.msg);
            bad = 1;
        } else {
            jsonx_format(&out2, again);
            if (strcmp(buf_cstr(&out), buf_cstr(&out2)) != 0) {
                print_error("%s: second round trip differs: %s\n", name, buf_cstr(&out2));
                bad = 1;
            }
        }
    }
    json_object_put(v);
    json_object_put(again);
    buf_dispose(&out);
    buf_dispose(&out2);
    xfree(in);
    xfree(want_out);
    xfree(want_err);
    return bad;
}

static int json_only(const struct dirent *d)
{
    size_t n = strlen(d->d_name);
    return n > 5 && strcmp(d->d_name + n - 5, ".json") == 0;
}

static void cases_from_data(void **state)
{
    (void)state;
    struct dirent **list;
    int n = scandir(DATA_DIR, &list, json_only, alphasort), bad = 0;
    if (n <= 0)
        fail_msg("no cases in %s (run from the repository root)", DATA_DIR);
    for (int i = 0; i < n; i++) {
        list[i]->d_name[strlen(list[i]->d_name) - 5] = '\0';
        bad += run_case(list[i]->d_name);
        free(list[i]); /* scandir's memory */
    }
    free(list);
    if (bad)
        fail_msg("%d of %d jsonx cases failed", bad, n);
    assert_true(n >= 60); /* the whole folder was read */
}

static void expect_error(const char *in, size_t n, const char *want)
{
    struct json_object *v = (struct json_object *)1;
    struct err e = {0};
    int rc = jsonx_parse(&v, in, n, 1 << 20, &e);
    if (rc == 0 || strcmp(e.msg, want) != 0)
        fail_msg("input %.*s\n  got      %s\n  expected %s", (int)n, in, rc ? e.msg : "success",
                 want);
    assert_null(v);
}

static void expect_same(const char *in, size_t n)
{
    struct json_object *v;
    struct err e = {0};
    struct buf b;
    if (jsonx_parse(&v, in, n, 1 << 20, &e) != 0)
        fail_msg("input %.*s: %s", (int)n, in, e.msg);
    buf_init(&b, 0);
    jsonx_format(&b, v);
    if (b.n != n || memcmp(b.p, in, n) != 0)
        fail_msg("input %.*s\n  serialised %s", (int)n, in, buf_cstr(&b));
    buf_dispose(&b);
    json_object_put(v);
}

/* The 64-byte blocks of the fast path must not change a verdict, wherever a
 * number, a string or a string full of digits falls: try every alignment. */
static void every_alignment(void **state)
{
    (void)state;
    struct buf b;
    char want[200];
    buf_init(&b, 0);
    for (size_t pad = 0; pad < 140; pad++) {
        char p[160];
        memset(p, 'x', pad);
        p[pad] = '\0';
        size_t at = 8 + pad + 6; /* where the number starts: {"pad":"<pad>","n": */

        buf_reset(&b);
        buf_printf(&b, "{\"pad\":\"%s\",\"n\":-0.5e+10,\"s\":\"00 -01 1. 123456789012345678901\"}",
                   p);
        expect_same(b.p, b.n);

        buf_reset(&b);
        buf_printf(&b, "{\"pad\":\"%s\",\"n\":18446744073709551615,\"m\":[1,-2,3.25,0]}", p);
        expect_same(b.p, b.n);

        buf_reset(&b);
        buf_printf(&b, "{\"pad\":\"%s\",\"n\":012}", p);
        snprintf(want, sizeof(want),
                 "invalid JSON at line 1, column %zu (byte %zu): leading zeros are not allowed in "
                 "numbers",
                 at + 1, at);
        expect_error(b.p, b.n, want);

        buf_reset(&b);
        buf_printf(&b, "{\"pad\":\"%s\",\"n\":18446744073709551616}", p);
        snprintf(want, sizeof(want),
                 "invalid JSON at line 1, column %zu (byte %zu): integer out of 64-bit range",
                 at + 1, at);
        expect_error(b.p, b.n, want);

        buf_reset(&b);
        buf_printf(&b, "{\"pad\":\"%s\",\"n\":-9223372036854775809}", p);
        snprintf(want, sizeof(want),
                 "invalid JSON at line 1, column %zu (byte %zu): integer out of 64-bit range",
                 at + 1, at);
        expect_error(b.p, b.n, want);

        buf_reset(&b);
        buf_printf(&b, "{\"pad\":\"%s\",\"n\":[1,2.]}", p);
        snprintf(want, sizeof(want),
                 "invalid JSON at line 1, column %zu (byte %zu): invalid number", at + 4, at + 3);
        expect_error(b.p, b.n, want);

        buf_reset(&b);
        buf_printf(&b, "{\"pad\":\"%s\",\"n\":NaN}", p);
        snprintf(want, sizeof(want),
                 "invalid JSON at line 1, column %zu (byte %zu): NaN and Infinity are not JSON",
                 at + 1, at);
        expect_error(b.p, b.n, want);

        buf_reset(&b);
        buf_printf(&b, "{\"pad\":\"%s\",\"n\":-Infinity}", p);
        expect_error(b.p, b.n, want);
    }
    buf_dispose(&b);
}

/* One parser, many documents, failures in between. */
static void parser_reuse(void **state)
{
    (void)state;
    struct jsonx_parser p;
    struct json_object *v;
    struct err e;
    static const char *const docs[] = {
        "{\"a\":1}",      "[1,", "42", "{\"b\":", "\"s\"", "[1,]", "null",
        "{\"c\":[true]}", "1 2", "-7"};
    static const char *const want[] = {"{\"a\":1}",      NULL, "42", NULL, "\"s\"", NULL, "null",
                                       "{\"c\":[true]}", NULL, "-7"};
    jsonx_parser_init(&p, 64);
    for (int round = 0; round < 3; round++) {
        for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
            int rc = jsonx_parser_parse(&v, &p, docs[i], strlen(docs[i]), &e);
            if (!want[i]) {
                assert_int_equal(rc, ERR_INVALID);
                assert_null(v);
                continue;
            }
            assert_int_equal(rc, 0);
            struct buf b;
            buf_init(&b, 0);
            jsonx_format(&b, v);
            assert_string_equal(buf_cstr(&b), want[i]);
            buf_dispose(&b);
            json_object_put(v);
        }
    }
    char big[65];
    memset(big, ' ', sizeof(big));
    big[0] = '1';
    assert_int_equal(jsonx_parser_parse(&v, &p, big, sizeof(big), &e), ERR_TOOBIG);
    assert_string_equal(e.msg, "JSON document of 65 bytes is over the 64-byte limit");
    assert_int_equal(jsonx_parser_parse(&v, &p, big, 64, &e), 0); /* exactly the cap is fine */
    json_object_put(v);
    jsonx_parser_dispose(&p);
    jsonx_parser_dispose(&p); /* twice is harmless */
}

static struct json_object *parse_ok(const char *s)
{
    struct json_object *v;
    struct err e;
    if (jsonx_parse(&v, s, strlen(s), 1 << 20, &e) != 0)
        fail_msg("%s: %s", s, e.msg);
    return v;
}

static void accessors(void **state)
{
    (void)state;
    struct json_object *doc = parse_ok(
        "{\"s\":\"x\\u0000y\",\"i\":-5,\"u\":18446744073709551615,\"d\":2.5,\"w\":3.0,\"e\":1e3,"
        "\"t\":true,\"n\":null,\"a\":[10,null,\"z\"],\"o\":{},\"big\":1e300}");
    struct err e;
    int64_t i;
    bool b;
    const char *s;
    size_t len;

    assert_string_equal(jsonx_type_name(jsonx_get(doc, "s")), "string");
    assert_string_equal(jsonx_type_name(jsonx_get(doc, "i")), "integer");
    assert_string_equal(jsonx_type_name(jsonx_get(doc, "d")), "number");
    assert_string_equal(jsonx_type_name(jsonx_get(doc, "t")), "boolean");
    assert_string_equal(jsonx_type_name(jsonx_get(doc, "n")), "null");
    assert_string_equal(jsonx_type_name(jsonx_get(doc, "a")), "array");
    assert_string_equal(jsonx_type_name(doc), "object");

    /* Members: absent and null both read as NULL; jsonx_has tells them apart. */
    assert_null(jsonx_get(doc, "missing"));
    assert_null(jsonx_get(doc, "n"));
    assert_true(jsonx_has(doc, "n"));
    assert_false(jsonx_has(doc, "missing"));
    assert_null(jsonx_get(jsonx_get(doc, "a"), "x")); /* not an object */
    assert_null(jsonx_get(NULL, "x"));
    assert_false(jsonx_has(NULL, "x"));

    /* Strings keep an embedded NUL. */
    assert_string_equal(jsonx_str(jsonx_get(doc, "s")), "x");
    assert_int_equal(jsonx_str_len(jsonx_get(doc, "s")), 3);
    assert_memory_equal(jsonx_str(jsonx_get(doc, "s")), "x\0y", 3);
    assert_null(jsonx_str(jsonx_get(doc, "i")));
    assert_int_equal(jsonx_str_len(jsonx_get(doc, "i")), 0);
    assert_null(jsonx_str(NULL));

    /* Arrays. */
    struct json_object *a = jsonx_get(doc, "a");
    assert_int_equal(jsonx_len(a), 3);
    assert_int_equal(jsonx_len(doc), 0);
    assert_int_equal(jsonx_len(NULL), 0);
    assert_null(jsonx_at(a, 1));
    assert_string_equal(jsonx_str(jsonx_at(a, 2)), "z");
    assert_null(jsonx_at(a, 3));
    assert_null(jsonx_at(a, (size_t)-1));
    assert_null(jsonx_at(doc, 0));

    /* Typed reads. */
    assert_int_equal(jsonx_as_i64(&i, jsonx_get(doc, "i"), "/i", &e), 0);
    assert_int_equal(i, -5);
    assert_int_equal(jsonx_as_i64(&i, jsonx_get(doc, "w"), "/w", &e), 0);
    assert_int_equal(i, 3);
    assert_int_equal(jsonx_as_i64(&i, jsonx_get(doc, "e"), "/e", &e), 0);
    assert_int_equal(i, 1000);
    assert_int_equal(jsonx_as_i64(&i, jsonx_get(doc, "u"), "/u", &e), ERR_INVALID);
    assert_string_equal(e.msg, "/u: integer out of int64 range");
    assert_int_equal(jsonx_as_i64(&i, jsonx_get(doc, "d"), "/d", &e), ERR_INVALID);
    assert_string_equal(e.msg, "/d: expected an integer, got a fraction or an out-of-range number");
    assert_int_equal(jsonx_as_i64(&i, jsonx_get(doc, "big"), "/big", &e), ERR_INVALID);
    assert_int_equal(jsonx_as_i64(&i, jsonx_get(doc, "s"), "/config/page_size", &e), ERR_INVALID);
    assert_string_equal(e.msg, "/config/page_size: expected an integer, got string");
    assert_int_equal(jsonx_as_i64(&i, NULL, "", &e), ERR_INVALID);
    assert_string_equal(e.msg, "value: expected an integer, got null");

    assert_int_equal(jsonx_as_bool(&b, jsonx_get(doc, "t"), "/t", &e), 0);
    assert_true(b);
    assert_int_equal(jsonx_as_bool(&b, jsonx_get(doc, "i"), "/i", &e), ERR_INVALID);
    assert_string_equal(e.msg, "/i: expected a boolean, got integer");

    assert_int_equal(jsonx_as_str(&s, &len, jsonx_get(doc, "s"), "/s", &e), 0);
    assert_int_equal(len, 3);
    assert_int_equal(jsonx_as_str(&s, NULL, jsonx_at(a, 2), "/a/2", &e), 0);
    assert_string_equal(s, "z");
    assert_int_equal(jsonx_as_str(&s, NULL, jsonx_get(doc, "o"), "/o", &e), ERR_INVALID);
    assert_string_equal(e.msg, "/o: expected a string, got object");
    json_object_put(doc);
}

static void pointers(void **state)
{
    (void)state;
    struct jsonx_ptr p;
    jsonx_ptr_init(&p);
    assert_string_equal(jsonx_ptr_cstr(&p), "");
    size_t m0 = jsonx_ptr_push(&p, "config");
    size_t m1 = jsonx_ptr_push(&p, "start_date");
    assert_string_equal(jsonx_ptr_cstr(&p), "/config/start_date");
    jsonx_ptr_pop(&p, m1);
    jsonx_ptr_push(&p, "a/b~c");
    jsonx_ptr_push_index(&p, 12);
    jsonx_ptr_push(&p, "");
    assert_string_equal(jsonx_ptr_cstr(&p), "/config/a~1b~0c/12/");
    jsonx_ptr_pop(&p, m0);
    assert_string_equal(jsonx_ptr_cstr(&p), "");

    /* Past JSONX_PTR_MAX the text is cut and says so; popping back restores it. */
    size_t keep = jsonx_ptr_push(&p, "streams");
    char key[80];
    memset(key, 'k', sizeof(key) - 1);
    key[sizeof(key) - 1] = '\0';
    for (int i = 0; i < 5; i++)
        jsonx_ptr_push(&p, key);
    assert_int_equal(strlen(jsonx_ptr_cstr(&p)), JSONX_PTR_MAX + 3);
    assert_string_equal(jsonx_ptr_cstr(&p) + JSONX_PTR_MAX, "...");
    assert_int_equal(p.n, 8 + 5 * 80);
    jsonx_ptr_pop(&p, keep + 8);
    assert_string_equal(jsonx_ptr_cstr(&p), "/streams");
    jsonx_ptr_push_index(&p, 0);
    assert_string_equal(jsonx_ptr_cstr(&p), "/streams/0");

    struct json_object *doc = parse_ok("{\"config\":{\"start_date\":\"2024-01-01\",\"n\":null},"
                                       "\"a/b\":{\"m~n\":1},\"arr\":[[0,1],{\"k\":\"v\"}],\"\":2}");
    struct json_object *v;
    struct err e;
    assert_int_equal(jsonx_ptr_get(&v, doc, "", &e), 0);
    assert_ptr_equal(v, doc);
    assert_int_equal(jsonx_ptr_get(&v, doc, "/config/start_date", &e), 0);
    assert_string_equal(jsonx_str(v), "2024-01-01");
    assert_int_equal(jsonx_ptr_get(&v, doc, "/config/n", &e), 0);
    assert_null(v);
    assert_int_equal(jsonx_ptr_get(&v, doc, "/a~1b/m~0n", &e), 0);
    assert_int_equal(json_object_get_int64(v), 1);
    assert_int_equal(jsonx_ptr_get(&v, doc, "/arr/0/1", &e), 0);
    assert_int_equal(json_object_get_int64(v), 1);
    assert_int_equal(jsonx_ptr_get(&v, doc, "/arr/1/k", &e), 0);
    assert_string_equal(jsonx_str(v), "v");
    assert_int_equal(jsonx_ptr_get(&v, doc, "/", &e), 0);
    assert_int_equal(json_object_get_int64(v), 2);

    assert_int_equal(jsonx_ptr_get(&v, doc, "/config/end_date", &e), ERR_NOTFOUND);
    assert_string_equal(e.msg, "JSON pointer /config/end_date: no member \"end_date\" in /config");
    assert_int_equal(jsonx_ptr_get(&v, doc, "/nope/x", &e), ERR_NOTFOUND);
    assert_string_equal(e.msg, "JSON pointer /nope/x: no member \"nope\" in the root");
    assert_int_equal(jsonx_ptr_get(&v, doc, "/arr/2", &e), ERR_NOTFOUND);
    assert_string_equal(e.msg, "JSON pointer /arr/2: index 2 is past the end of /arr (2 elements)");
    assert_int_equal(jsonx_ptr_get(&v, doc, "/arr/-", &e), ERR_NOTFOUND);
    assert_int_equal(jsonx_ptr_get(&v, doc, "/arr/01", &e), ERR_INVALID);
    assert_string_equal(e.msg, "JSON pointer /arr/01: \"01\" is not an array index");
    assert_int_equal(jsonx_ptr_get(&v, doc, "/arr/x", &e), ERR_INVALID);
    assert_int_equal(jsonx_ptr_get(&v, doc, "/arr/", &e), ERR_INVALID);
    assert_int_equal(jsonx_ptr_get(&v, doc, "/arr/99999999999999999999", &e), ERR_INVALID);
    assert_int_equal(jsonx_ptr_get(&v, doc, "/config/start_date/x", &e), ERR_NOTFOUND);
    assert_string_equal(e.msg, "JSON pointer /config/start_date/x: /config/start_date is string, "
                               "not an object or array");
    assert_int_equal(jsonx_ptr_get(&v, doc, "config", &e), ERR_INVALID);
    assert_string_equal(e.msg, "JSON pointer \"config\": must be empty or start with '/'");
    assert_int_equal(jsonx_ptr_get(&v, doc, "/a~2b", &e), ERR_INVALID);
    assert_string_equal(e.msg, "JSON pointer /a~2b: invalid '~' escape in \"a~2b\"");
    assert_int_equal(jsonx_ptr_get(&v, doc, "/a~", &e), ERR_INVALID);
    assert_int_equal(jsonx_ptr_get(&v, NULL, "/x", &e), ERR_NOTFOUND);
    assert_string_equal(e.msg, "JSON pointer /x: the root is null, not an object or array");
    json_object_put(doc);
}

static void files(void **state)
{
    (void)state;
    char *dir = test_tmpdir();
    char path[600], want[800];
    struct json_object *v = (struct json_object *)1;
    struct err e;
    FILE *f;

    snprintf(path, sizeof(path), "%s/missing.json", dir);
    assert_int_equal(jsonx_read_file(&v, path, 100, &e), ERR_NOTFOUND);
    assert_null(v);
    snprintf(want, sizeof(want), "%s: No such file or directory", path);
    assert_string_equal(e.msg, want);

    assert_int_equal(jsonx_read_file(&v, dir, 100, &e), ERR_IO);
    snprintf(want, sizeof(want), "%s: Is a directory", dir);
    assert_string_equal(e.msg, want);

    snprintf(path, sizeof(path), "%s/bad.json", dir);
    f = fopen(path, "w");
    fputs("{\n  \"name\": \"x\",\n  \"streams\": [1,]\n}\n", f);
    fclose(f);
    assert_int_equal(jsonx_read_file(&v, path, 100, &e), ERR_INVALID);
    snprintf(want, sizeof(want), "%s: invalid JSON at line 3, column 16 (byte 32): trailing comma",
             path);
    assert_string_equal(e.msg, want);
    assert_int_equal(jsonx_read_file(&v, path, 10, &e), ERR_TOOBIG);
    snprintf(want, sizeof(want), "%s: over the 10-byte limit", path);
    assert_string_equal(e.msg, want);

    /* A file of 5000 bytes, read in several chunks, at and below its cap. */
    snprintf(path, sizeof(path), "%s/big.json", dir);
    f = fopen(path, "w");
    fputc('"', f);
    for (int i = 0; i < 4998; i++)
        fputc('a' + i % 26, f);
    fputc('"', f);
    fclose(f);
    assert_int_equal(jsonx_read_file(&v, path, 5000, &e), 0);
    assert_int_equal(jsonx_str_len(v), 4998);
    json_object_put(v);
    assert_int_equal(jsonx_read_file(&v, path, 4999, &e), ERR_TOOBIG);

    snprintf(path, sizeof(path), "%s/empty.json", dir);
    f = fopen(path, "w");
    fclose(f);
    assert_int_equal(jsonx_read_file(&v, path, 100, &e), ERR_INVALID);
    snprintf(want, sizeof(want),
             "%s: invalid JSON at line 1, column 1 (byte 0): unexpected end of input", path);
    assert_string_equal(e.msg, want);

    test_tmpdir_remove(dir);
    xfree(dir);
}

static void format_into_capped_buf(void **state)
{
    (void)state;
    struct json_object *doc = parse_ok("{\"url\":\"https://x/y\",\"d\":1.50,\"u\":\"\\u00e9\"}");
    struct buf b;
    buf_init(&b, 0);
    jsonx_format(&b, doc);
    jsonx_format(&b, NULL);
    assert_string_equal(buf_cstr(&b), "{\"url\":\"https://x/y\",\"d\":1.50,\"u\":\"é\"}null");
    buf_dispose(&b);

    buf_init(&b, 10);
    jsonx_format(&b, doc);
    assert_true(buf_failed(&b));
    assert_string_equal(buf_cstr(&b), "");
    buf_dispose(&b);

    /* Values built in code serialise too. */
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "n", json_object_new_int64(INT64_MIN));
    json_object_object_add(o, "s", json_object_new_string("a\"b/\n"));
    buf_init(&b, 0);
    jsonx_format(&b, o);
    assert_string_equal(buf_cstr(&b), "{\"n\":-9223372036854775808,\"s\":\"a\\\"b/\\n\"}");
    buf_dispose(&b);
    json_object_put(o);
    json_object_put(doc);
}

/* A document that fails with a pending high surrogate must not reach the
 * next one through the reused parser (json-c keeps it across a reset). */
static void reuse_after_a_surrogate_error(void **state)
{
    struct jsonx_parser p;
    struct json_object *v = NULL;
    struct err e;
    (void)state;
    jsonx_parser_init(&p, 1024);
    const char *bad = "[\"\\ud83d\\u12\"]", *good = "[\"\\u00e9\"]";
    assert_int_equal(jsonx_parser_parse(&v, &p, bad, strlen(bad), &e), ERR_INVALID);
    assert_int_equal(jsonx_parser_parse(&v, &p, good, strlen(good), &e), 0);
    assert_string_equal(jsonx_str(jsonx_at(v, 0)), "\xc3\xa9");
    json_object_put(v);
    jsonx_parser_dispose(&p);
}

int test_jsonx(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cases_from_data), cmocka_unit_test(every_alignment),
        cmocka_unit_test(parser_reuse),    cmocka_unit_test(reuse_after_a_surrogate_error),
        cmocka_unit_test(accessors),       cmocka_unit_test(pointers),
        cmocka_unit_test(files),           cmocka_unit_test(format_into_capped_buf),
    };
    return test_group("jsonx", tests, NULL, NULL);
}
