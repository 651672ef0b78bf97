/* tests/unit/core/test_jsonschema.c - the JSON Schema validator. Most cases
 * are data, in the files of tests/data/jsonschema/ (run from the repository root):
 *   {"description": ..., "groups": [
 *      {"schema": S, "cases": [{"instance": I, "valid": B,
 *                               "pointer"?: P, "message"?: M, "errors"?: [...]}]},
 *      {"schema": S, "schema_error": "schema /type: ..."}]}
 * where pointer/message are those of the first failure, errors the whole
 * list, and "instance_json" (text) stands in for instance when it is too
 * deep to nest in the file. The C cases below cover what data cannot:
 * threads, values built in code, truncation, bounded messages. */
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json_object.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/jsonschema.h"
#include "core/jsonx.h"
#include "core/str.h"
#include "test.h"

#define DATA_DIR "tests/data/jsonschema/"

static struct json_object *parse(const char *text)
{
    struct json_object *v = NULL;
    struct err e = {0};
    if (jsonx_parse(&v, text, strlen(text), 1 << 20, &e) != 0)
        fail_msg("test JSON does not parse: %s\n  %s", e.msg, text);
    return v;
}

static struct jsonschema *compile(const char *text)
{
    struct json_object *doc = parse(text);
    struct jsonschema *s = NULL;
    struct err e = {0};
    if (jsonschema_new(&s, doc, &e) != 0)
        fail_msg("schema refused: %s\n  %s", e.msg, text);
    json_object_put(doc); /* the schema keeps its own reference */
    return s;
}

/* ---- the data files ---- */

struct tally {
    int cases, bad;
};

static void describe(const char *file, size_t g, size_t c, struct json_object *group,
                     struct json_object *kase)
{
    const char *d = jsonx_str(jsonx_get(kase, "description"));
    if (!d)
        d = jsonx_str(jsonx_get(group, "description"));
    print_error("%s: group %zu case %zu%s%s\n", file, g, c, d ? ": " : "", d ? d : "");
}

static void check_errors_list(const struct jsonschema_result *r, struct json_object *want,
                              bool *bad)
{
    if (jsonx_len(want) != r->count) {
        print_error("  expected %zu failures, got %zu\n", jsonx_len(want), r->count);
        *bad = true;
    }
    for (size_t i = 0; i < jsonx_len(want) && i < r->count; i++) {
        const char *p = jsonx_str(jsonx_get(jsonx_at(want, i), "pointer"));
        const char *m = jsonx_str(jsonx_get(jsonx_at(want, i), "message"));
        if (strcmp(p, r->errors[i].pointer) != 0 || strcmp(m, r->errors[i].message) != 0) {
            print_error("  failure %zu\n    got      %s: %s\n    expected %s: %s\n", i,
                        r->errors[i].pointer, r->errors[i].message, p, m);
            *bad = true;
        }
    }
}

static void run_case(const char *file, size_t g, size_t c, struct json_object *group,
                     const struct jsonschema *s, struct json_object *kase, struct tally *t)
{
    struct json_object *owned = NULL, *inst = jsonx_get(kase, "instance");
    struct jsonschema_result r;
    struct buf out;
    bool bad = false, want = json_object_get_boolean(jsonx_get(kase, "valid"));

    if (jsonx_str(jsonx_get(kase, "instance_json")))
        inst = owned = parse(jsonx_str(jsonx_get(kase, "instance_json")));
    else if (!jsonx_has(kase, "instance"))
        fail_msg("%s: group %zu case %zu has no instance", file, g, c);
    t->cases++;

    bool got = jsonschema_validate(s, inst, &r);
    if (got != want) {
        describe(file, g, c, group, kase);
        print_error("  expected %s, got %s%s%s\n", want ? "valid" : "invalid",
                    got ? "valid" : "invalid", r.count ? ": " : "",
                    r.count ? r.errors[0].message : "");
        bad = true;
    } else if (got != (r.count == 0)) {
        describe(file, g, c, group, kase);
        print_error("  %zu failures for a %s result\n", r.count, got ? "valid" : "invalid");
        bad = true;
    } else if (!got) {
        bool b2 = false;
        const char *p = jsonx_str(jsonx_get(kase, "pointer"));
        const char *m = jsonx_str(jsonx_get(kase, "message"));
        if ((p && strcmp(p, r.errors[0].pointer) != 0) ||
            (m && strcmp(m, r.errors[0].message) != 0)) {
            describe(file, g, c, group, kase);
            print_error("  got      %s: %s\n  expected %s: %s\n", r.errors[0].pointer,
                        r.errors[0].message, p ? p : "(any)", m ? m : "(any)");
            bad = true;
        }
        if (jsonx_has(kase, "errors")) {
            check_errors_list(&r, jsonx_get(kase, "errors"), &b2);
            if (b2)
                describe(file, g, c, group, kase);
            bad = bad || b2;
        }
    }
    /* Without a result the walk only probes; the answer must be the same. */
    if (jsonschema_validate(s, inst, NULL) != got) {
        describe(file, g, c, group, kase);
        print_error("  validate without a result disagrees\n");
        bad = true;
    }
    /* The API's "details": a JSON array with one object per failure. */
    buf_init(&out, 1 << 16);
    jsonschema_result_format(&r, &out);
    struct json_object *arr = NULL;
    struct err e = {0};
    if (buf_failed(&out) || jsonx_parse(&arr, out.p, out.n, 1 << 16, &e) != 0 ||
        jsonx_len(arr) != r.count) {
        describe(file, g, c, group, kase);
        print_error("  result_format: %s\n", e.msg);
        bad = true;
    }
    json_object_put(arr);
    buf_dispose(&out);
    json_object_put(owned);
    t->bad += bad;
}

static void run_file(const char *name, struct tally *t)
{
    char path[512];
    struct json_object *doc = NULL;
    struct err e = {0};
    snprintf(path, sizeof(path), DATA_DIR "%s", name);
    if (jsonx_read_file(&doc, path, 1 << 20, &e) != 0)
        fail_msg("%s", e.msg);
    struct json_object *groups = jsonx_get(doc, "groups");
    if (jsonx_len(groups) == 0)
        fail_msg("%s: no groups", path);
    for (size_t g = 0; g < jsonx_len(groups); g++) {
        struct json_object *group = jsonx_at(groups, g);
        struct jsonschema *s = NULL;
        const char *want_err = jsonx_str(jsonx_get(group, "schema_error"));
        int rc = jsonschema_new(&s, jsonx_get(group, "schema"), &e);
        if (want_err) {
            t->cases++;
            if (rc == 0 || strcmp(e.msg, want_err) != 0 || e.code != ERR_INVALID || s) {
                describe(name, g, 0, group, NULL);
                print_error("  got      %s\n  expected %s\n", rc ? e.msg : "(accepted)", want_err);
                t->bad++;
            }
            jsonschema_free(s);
            continue;
        }
        if (rc != 0) {
            describe(name, g, 0, group, NULL);
            print_error("  schema refused: %s\n", e.msg);
            t->bad++;
            continue;
        }
        struct json_object *cases = jsonx_get(group, "cases");
        for (size_t c = 0; c < jsonx_len(cases); c++)
            run_case(name, g, c, group, s, jsonx_at(cases, c), t);
        jsonschema_free(s);
    }
    json_object_put(doc);
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
    struct tally t = {0, 0};
    int n = scandir(DATA_DIR, &list, json_only, alphasort);
    if (n <= 0)
        fail_msg("no cases in %s (run from the repository root)", DATA_DIR);
    for (int i = 0; i < n; i++) {
        run_file(list[i]->d_name, &t);
        free(list[i]); /* scandir's memory */
    }
    free(list);
    print_message("jsonschema: %d data cases in %d files\n", t.cases, n);
    if (t.bad)
        fail_msg("%d of %d jsonschema data cases failed", t.bad, t.cases);
    assert_true(t.cases >= 400); /* the whole folder was read */
}

/* ---- values built in code ---- */

/* Nested arrays deeper than the parser allows, against a recursive schema:
 * the $ref depth cap ends the walk, with a failure that says so. */
static void deep_instance_built_in_code(void **state)
{
    (void)state;
    struct jsonschema *s = compile("{\"type\":\"array\",\"items\":{\"$ref\":\"#\"}}");
    struct json_object *root = json_object_new_array(), *cur = root;
    for (int i = 0; i < 200; i++) {
        struct json_object *next = json_object_new_array();
        json_object_array_add(cur, next);
        cur = next;
    }
    struct jsonschema_result r;
    assert_false(jsonschema_validate(s, root, &r));
    assert_int_equal(r.count, 1);
    assert_string_equal(r.errors[0].message, "is nested too deeply to check (over 64 $refs)");
    assert_int_equal(strlen(r.errors[0].pointer), 65 * 2); /* the 65th $ref is refused */
    assert_false(jsonschema_validate(s, root, NULL));

    /* uniqueItems compares deep values without running out of stack. */
    struct jsonschema *u = compile("{\"uniqueItems\":true}");
    struct json_object *pair = json_object_new_array();
    json_object_array_add(pair, json_object_get(root));
    json_object_array_add(pair, json_object_get(root));
    assert_false(jsonschema_validate(u, pair, &r));
    assert_int_equal(r.count, 1);
    json_object_put(pair);
    jsonschema_free(u);
    json_object_put(root);
    jsonschema_free(s);
}

/* More failures than are kept: the first JSONSCHEMA_ERRORS_MAX in document
 * order survive, even when a later keyword finds an earlier one. */
static void truncation_keeps_document_order(void **state)
{
    (void)state;
    struct jsonschema *s = compile("{\"allOf\":[{\"items\":{\"type\":\"string\"}},"
                                   "{\"prefixItems\":[{\"type\":\"integer\"}]}]}");
    struct buf text;
    buf_init(&text, 0);
    buf_putc(&text, '[');
    for (int i = 0; i < 40; i++)
        buf_puts(&text, i ? ",true" : "true");
    buf_putc(&text, ']');
    struct json_object *inst = parse(buf_cstr(&text));
    struct jsonschema_result r;
    assert_false(jsonschema_validate(s, inst, &r));
    assert_int_equal(r.count, JSONSCHEMA_ERRORS_MAX);
    assert_true(r.truncated);
    assert_string_equal(r.errors[0].pointer, "/0");
    assert_string_equal(r.errors[0].message, "expected a string, got a boolean");
    assert_string_equal(r.errors[1].pointer, "/0");
    assert_string_equal(r.errors[1].message, "expected an integer, got a boolean");
    assert_string_equal(r.errors[2].pointer, "/1");
    assert_string_equal(r.errors[31].pointer, "/30");
    json_object_put(inst);
    buf_dispose(&text);
    jsonschema_free(s);
}

/* Messages and pointers stay within their fields, whatever the input. */
static void messages_are_bounded(void **state)
{
    (void)state;
    struct buf text;
    buf_init(&text, 0);
    buf_puts(&text, "{\"properties\":{\"");
    for (int i = 0; i < 300; i++)
        buf_putc(&text, 'k');
    buf_puts(&text, "\":{\"enum\":[\"");
    for (int i = 0; i < 5000; i++)
        buf_puts(&text, "\xc3\xa9"); /* é: a cut must not split it */
    buf_puts(&text, "\"]}}}");
    struct jsonschema *s = compile(buf_cstr(&text));
    buf_reset(&text);
    buf_puts(&text, "{\"");
    for (int i = 0; i < 300; i++)
        buf_putc(&text, 'k');
    buf_puts(&text, "\":1}");
    struct json_object *inst = parse(buf_cstr(&text));
    struct jsonschema_result r;
    assert_false(jsonschema_validate(s, inst, &r));
    assert_int_equal(r.count, 1);
    size_t pn = strlen(r.errors[0].pointer), mn = strlen(r.errors[0].message);
    assert_true(pn < sizeof(r.errors[0].pointer) && pn > 200);
    assert_string_equal(r.errors[0].pointer + pn - 3, "...");
    assert_true(mn < sizeof(r.errors[0].message));
    assert_memory_equal(r.errors[0].message, "must be \"\xc3\xa9", 11);
    assert_true(str_utf8_valid(r.errors[0].message, mn, NULL));
    json_object_put(inst);
    buf_dispose(&text);
    jsonschema_free(s);
}

static void result_format_escapes(void **state)
{
    (void)state;
    struct jsonschema_result r = {.count = 1};
    snprintf(r.errors[0].pointer, sizeof(r.errors[0].pointer), "/a\"b");
    snprintf(r.errors[0].message, sizeof(r.errors[0].message), "must be \"x\"\\");
    struct buf b;
    buf_init(&b, 0);
    jsonschema_result_format(&r, &b);
    assert_string_equal(buf_cstr(&b), "[{\"pointer\":\"/a\\\"b\",\"message\":\"must be "
                                      "\\\"x\\\"\\\\\"}]");
    buf_reset(&b);
    jsonschema_result_format(NULL, &b);
    assert_string_equal(buf_cstr(&b), "[]");
    buf_dispose(&b);
    jsonschema_free(NULL);
}

/* ---- threads: one schema, many validating at once ---- */

#define THREADS 4
#define ROUNDS  300

struct job {
    const struct jsonschema *s;
    struct json_object *good, *bad;
    int wrong;
};

static void *validate_many(void *arg)
{
    struct job *j = arg;
    for (int i = 0; i < ROUNDS; i++) {
        struct jsonschema_result r;
        if (!jsonschema_validate(j->s, j->good, &r))
            j->wrong++;
        if (jsonschema_validate(j->s, j->bad, &r) || r.count != 4 ||
            strcmp(r.errors[3].pointer, "/auth/client_secret") != 0)
            j->wrong++;
    }
    return NULL;
}

static void threads_share_a_schema(void **state)
{
    (void)state;
    struct jsonschema *s =
        compile("{\"type\":\"object\",\"required\":[\"name\",\"auth\"],\"properties\":{"
                "\"name\":{\"type\":\"string\",\"pattern\":\"^[a-z][a-z0-9_-]{0,63}$\"},"
                "\"start\":{\"type\":\"string\",\"format\":\"date-time\"},"
                "\"tags\":{\"type\":\"array\",\"uniqueItems\":true,\"items\":{\"enum\":[\"a\","
                "\"b\",\"c\"]}},"
                "\"auth\":{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{"
                "\"type\":{\"enum\":[\"oauth2\",\"none\"]},\"url\":{\"anyOf\":[{\"type\":\"null\"},"
                "{\"type\":\"string\",\"format\":\"uri\"}]}}}}}");
    struct job jobs[THREADS];
    pthread_t tid[THREADS];
    struct json_object *good = parse("{\"name\":\"sf\",\"start\":\"2024-01-01T00:00:00Z\","
                                     "\"tags\":[\"a\",\"b\"],\"auth\":{\"type\":\"oauth2\","
                                     "\"url\":\"https://x.example/a\"}}");
    struct json_object *bad = parse("{\"name\":\"Sf\",\"start\":\"soon\",\"tags\":[\"a\",\"a\"],"
                                    "\"auth\":{\"client_secret\":\"x\"}}");
    for (int i = 0; i < THREADS; i++) {
        jobs[i] = (struct job){s, good, bad, 0};
        assert_int_equal(pthread_create(&tid[i], NULL, validate_many, &jobs[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        assert_int_equal(pthread_join(tid[i], NULL), 0);
        assert_int_equal(jobs[i].wrong, 0);
    }
    struct jsonschema_result r;
    assert_false(jsonschema_validate(s, bad, &r));
    assert_string_equal(r.errors[0].pointer, "/name");
    assert_string_equal(r.errors[1].pointer, "/start");
    assert_string_equal(r.errors[1].message, "is not a valid date-time (RFC 3339)");
    assert_string_equal(r.errors[2].pointer, "/tags");
    assert_string_equal(r.errors[2].message, "must not contain duplicates (items 0 and 1 are "
                                             "equal)");
    assert_string_equal(r.errors[3].pointer, "/auth/client_secret");
    assert_string_equal(r.errors[3].message, "unknown field; allowed: type, url");
    json_object_put(good);
    json_object_put(bad);
    jsonschema_free(s);
}

int test_jsonschema(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cases_from_data),
        cmocka_unit_test(deep_instance_built_in_code),
        cmocka_unit_test(truncation_keeps_document_order),
        cmocka_unit_test(messages_are_bounded),
        cmocka_unit_test(result_format_escapes),
        cmocka_unit_test(threads_share_a_schema),
    };
    return test_group("jsonschema", tests, NULL, NULL);
}
