/* tests/api/test_api_end_users.c - end users and tags on integrations end
 * to end (docs/embedding.md): create, PUT and PATCH with them and the
 * answers that show them, every refusal at its pointer, the list filters
 * by end user and by one or more tags through cursor pages, a cached list
 * that follows a change of tags, and DELETE
 * /api/end-users/{end_user_id}/integrations: only that end user's, only
 * this tenant's, repeatable, audited per integration, purge included.
 * Both engines. */
#include <stdio.h>
#include <string.h>

#include "api_test.h"
#include "core/jsonx.h"

/* An end user id with a space, a non-ASCII letter and an '@', and its
 * spelling in a URL. */
#define ODD_USER     "user 7 \xc3\xbc@acme"
#define ODD_USER_URL "user%207%20%C3%BC%40acme"

#define NOAUTH(name)     "{\"connector\":\"testnone\",\"name\":\"" name "\""
#define WITH(name, more) NOAUTH(name) "," more "}"
#define USER(id)         "\"end_user\":{\"id\":\"" id "\"}"

/* Dispose of r, then fail showing its status and body (a failed test that
 * leaks buries its reason under LeakSanitizer's report). */
static void fail_reply(struct client_reply *r, const char *what)
{
    char body[1024];
    long status = r->status;
    snprintf(body, sizeof(body), "%s", buf_cstr(&r->body));
    client_reply_dispose(r);
    fail_msg("%s: got %ld: %s", what, status, body);
}

/* A request by key that must answer status; its JSON body (the caller's to
 * json_object_put). */
static struct json_object *call_as(struct api_test *t, const char *key, const char *method,
                                   const char *path, const char *body, long status)
{
    struct client_reply r;
    api_test_call(t, &r, method, path, key, body, NULL);
    if (r.status != status) {
        char what[512];
        snprintf(what, sizeof(what), "%s %s %.200s: expected %ld", method ? method : "GET", path,
                 body ? body : "", status);
        fail_reply(&r, what);
    }
    struct json_object *v = api_test_json(&r);
    client_reply_dispose(&r);
    return v;
}

static struct json_object *call(struct api_test *t, const char *method, const char *path,
                                const char *body, long status)
{
    return call_as(t, t->a.key, method, path, body, status);
}

/* A request by tenant a that must fail with status and code; returns the
 * error's message (into msg, n bytes). */
static void call_error(struct api_test *t, const char *method, const char *path, const char *body,
                       long status, const char *code, char *msg, size_t n)
{
    struct client_reply r;
    api_test_call(t, &r, method, path, t->a.key, body, NULL);
    api_test_expect_error(&r, status, code);
    if (msg) {
        struct json_object *v = api_test_json(&r);
        snprintf(msg, n, "%s", jsonx_str(jsonx_get(jsonx_get(v, "error"), "message")));
        json_object_put(v);
    }
    client_reply_dispose(&r);
}

/* Fail unless v is the JSON value spelled by text. */
static void expect_json(struct json_object *v, const char *text)
{
    struct json_object *want = NULL;
    struct err e;
    if (jsonx_parse(&want, text, strlen(text), strlen(text) + 1, &e) != 0)
        fail_msg("bad expectation %s: %s", text, e.msg);
    if (!json_object_equal(v, want))
        fail_msg("expected %s, got %s", text, json_object_to_json_string(v));
    json_object_put(want);
}

/* A request by tenant a that must fail 422 validation_failed with, among
 * its details, one at pointer whose message holds msg (NULL: any). */
static void expect_invalid(struct api_test *t, const char *method, const char *path,
                           const char *body, const char *pointer, const char *msg)
{
    struct client_reply r;
    char what[600];
    snprintf(what, sizeof(what), "%s %.400s: expected 422 at %s", method, body, pointer);
    api_test_call(t, &r, method, path, t->a.key, body, NULL);
    if (r.status != 422)
        fail_reply(&r, what);
    api_test_expect_error(&r, 422, "validation_failed");
    struct json_object *v = api_test_json(&r);
    struct json_object *d = jsonx_get(jsonx_get(v, "error"), "details");
    bool found = false;
    for (size_t i = 0; i < jsonx_len(d) && !found; i++) {
        const char *p = jsonx_str(jsonx_get(jsonx_at(d, i), "pointer"));
        const char *m = jsonx_str(jsonx_get(jsonx_at(d, i), "message"));
        found = p && m && strcmp(p, pointer) == 0 && (!msg || strstr(m, msg));
    }
    json_object_put(v);
    if (!found)
        fail_reply(&r, what);
    client_reply_dispose(&r);
}

/* Create as tenant key from body; its id into id. */
static void create_as(struct api_test *t, const char *key, const char *body, char id[ID_MAX])
{
    api_test_create(t, key, body, id);
}

static void int_path(char out[96], const char *id)
{
    snprintf(out, 96, "/api/integrations/%s", id);
}

/* Whether the JSON array arr holds exactly the n ids, in that order. */
static void expect_ids(struct json_object *arr, const char *const *ids, size_t n, const char *what)
{
    bool ok = json_object_is_type(arr, json_type_array) && jsonx_len(arr) == n;
    for (size_t i = 0; ok && i < n; i++)
        ok = jsonx_str(jsonx_at(arr, i)) && strcmp(jsonx_str(jsonx_at(arr, i)), ids[i]) == 0;
    if (!ok)
        fail_msg("%s: got %s", what, json_object_to_json_string(arr));
}

/* Sort the n ids (each ID_MAX bytes) ascending, as lists order them. */
static void sort_ids(char (*ids)[ID_MAX], size_t n)
{
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && strcmp(ids[j - 1], ids[j]) > 0; j--) {
            char tmp[ID_MAX];
            memcpy(tmp, ids[j], ID_MAX);
            memcpy(ids[j], ids[j - 1], ID_MAX);
            memcpy(ids[j - 1], tmp, ID_MAX);
        }
}

/* Every page of tenant a's list at query (without limit and cursor) one row
 * at a time, following next_cursor; the ids, comma-separated, into out. */
static void walk(struct api_test *t, const char *query, char *out, size_t n)
{
    char path[512], cursor[ID_MAX] = "";
    size_t used = 0;
    out[0] = '\0';
    for (int page = 0;; page++) {
        assert_true(page < 20);
        snprintf(path, sizeof(path), "/api/integrations?limit=1%s%s%s%s", *query ? "&" : "", query,
                 *cursor ? "&cursor=" : "", cursor);
        struct json_object *v = call(t, NULL, path, NULL, 200), *data = jsonx_get(v, "data");
        assert_true(jsonx_len(data) <= 1);
        if (jsonx_len(data) == 1) {
            used += (size_t)snprintf(out + used, n - used, "%s%s", used ? "," : "",
                                     jsonx_str(jsonx_get(jsonx_at(data, 0), "id")));
            assert_true(used < n);
        }
        const char *next = jsonx_str(jsonx_get(v, "next_cursor"));
        if (!next) {
            json_object_put(v);
            return;
        }
        assert_int_equal(jsonx_len(data), 1);
        snprintf(cursor, sizeof(cursor), "%s", next);
        json_object_put(v);
    }
}

/* ---- create, read, change ---- */

static void test_create_shows_end_user_and_tags(void **state)
{
    struct api_test *t = *state;
    char id[ID_MAX], plain[ID_MAX], bare[ID_MAX], path[96];
    struct json_object *v;

    v = call(t, "POST", "/api/integrations",
             WITH("Labelled", "\"end_user\":{\"id\":\"" ODD_USER "\",\"email\":\"ada@example.com\","
                              "\"display_name\":\"Ada \\u2603\"},"
                              "\"tags\":[\"region/eu\",\"plan:pro\",\"region/eu\",\"Beta\"]"),
             201);
    snprintf(id, sizeof(id), "%s", jsonx_str(jsonx_get(v, "id")));
    expect_json(jsonx_get(v, "end_user"), "{\"id\":\"" ODD_USER "\",\"email\":\"ada@example.com\","
                                          "\"display_name\":\"Ada \\u2603\"}");
    expect_json(jsonx_get(v, "tags"), "[\"Beta\",\"plan:pro\",\"region/eu\"]");
    json_object_put(v);

    /* Read back the same, alone and in the list. */
    int_path(path, id);
    v = call(t, NULL, path, NULL, 200);
    expect_json(jsonx_get(v, "end_user"), "{\"id\":\"" ODD_USER "\",\"email\":\"ada@example.com\","
                                          "\"display_name\":\"Ada \\u2603\"}");
    expect_json(jsonx_get(v, "tags"), "[\"Beta\",\"plan:pro\",\"region/eu\"]");
    json_object_put(v);
    v = call(t, NULL, "/api/integrations", NULL, 200);
    expect_json(jsonx_get(jsonx_at(jsonx_get(v, "data"), 0), "tags"),
                "[\"Beta\",\"plan:pro\",\"region/eu\"]");
    json_object_put(v);

    /* Neither: null and []. Only an id: email and display_name null.
     * null for either on create: none. */
    create_as(t, t->a.key, NOAUTH("Plain") "}", plain);
    int_path(path, plain);
    v = call(t, NULL, path, NULL, 200);
    assert_true(jsonx_has(v, "end_user") && !jsonx_get(v, "end_user"));
    expect_json(jsonx_get(v, "tags"), "[]");
    json_object_put(v);
    v = call(t, "POST", "/api/integrations", WITH("Bare", USER("u1") ",\"tags\":null"), 201);
    snprintf(bare, sizeof(bare), "%s", jsonx_str(jsonx_get(v, "id")));
    expect_json(jsonx_get(v, "end_user"), "{\"id\":\"u1\",\"email\":null,\"display_name\":null}");
    expect_json(jsonx_get(v, "tags"), "[]");
    json_object_put(v);
    v = call(t, "POST", "/api/integrations", WITH("Nobody", "\"end_user\":null,\"tags\":[]"), 201);
    assert_true(jsonx_has(v, "end_user") && !jsonx_get(v, "end_user"));
    json_object_put(v);

    /* The audit entry of a create names the end user. */
    v = call(t, NULL, "/api/audit?limit=10", NULL, 200);
    struct json_object *data = jsonx_get(v, "data");
    bool seen = false;
    for (size_t i = 0; i < jsonx_len(data); i++) {
        struct json_object *en = jsonx_at(data, i);
        if (strcmp(jsonx_str(jsonx_get(en, "target_id")), bare) == 0) {
            expect_json(jsonx_get(en, "data"),
                        "{\"connector\":\"testnone\",\"name\":\"Bare\",\"end_user_id\":\"u1\"}");
            seen = true;
        }
    }
    assert_true(seen);
    json_object_put(v);
}

static void test_patch_and_put_replace_them(void **state)
{
    struct api_test *t = *state;
    char id[ID_MAX], path[96];
    struct json_object *v;

    create_as(t, t->a.key,
              WITH("Changing", "\"end_user\":{\"id\":\"u1\",\"email\":\"a@b.c\",\"display_name\":"
                               "\"A\"},\"tags\":[\"one\",\"two\"]"),
              id);
    int_path(path, id);

    /* A change that names neither keeps both. */
    v = call(t, "PATCH", path, "{\"name\":\"Renamed\"}", 200);
    expect_json(jsonx_get(v, "end_user"),
                "{\"id\":\"u1\",\"email\":\"a@b.c\",\"display_name\":\"A\"}");
    expect_json(jsonx_get(v, "tags"), "[\"one\",\"two\"]");
    json_object_put(v);

    /* tags replaces the set; end_user replaces the whole end user. */
    v = call(t, "PATCH", path, "{\"tags\":[\"three\",\"one\"],\"end_user\":{\"id\":\"u2\"}}", 200);
    expect_json(jsonx_get(v, "tags"), "[\"one\",\"three\"]");
    expect_json(jsonx_get(v, "end_user"), "{\"id\":\"u2\",\"email\":null,\"display_name\":null}");
    json_object_put(v);

    /* null clears the end user; [] and null clear the tags. */
    v = call(t, "PATCH", path, "{\"end_user\":null,\"tags\":[]}", 200);
    assert_true(jsonx_has(v, "end_user") && !jsonx_get(v, "end_user"));
    expect_json(jsonx_get(v, "tags"), "[]");
    json_object_put(v);
    json_object_put(call(t, "PATCH", path, "{\"tags\":[\"x\"]}", 200));
    v = call(t, "PATCH", path, "{\"tags\":null}", 200);
    expect_json(jsonx_get(v, "tags"), "[]");
    json_object_put(v);

    /* PUT: given, replaced; left out, kept. */
    v = call(t, "PUT", path,
             "{\"name\":\"Put\",\"end_user\":{\"id\":\"u3\",\"display_name\":\"Three\"},"
             "\"tags\":[\"p\"]}",
             200);
    expect_json(jsonx_get(v, "end_user"),
                "{\"id\":\"u3\",\"email\":null,\"display_name\":\"Three\"}");
    expect_json(jsonx_get(v, "tags"), "[\"p\"]");
    json_object_put(v);
    v = call(t, "PUT", path, "{\"name\":\"Put again\"}", 200);
    expect_json(jsonx_get(v, "end_user"),
                "{\"id\":\"u3\",\"email\":null,\"display_name\":\"Three\"}");
    expect_json(jsonx_get(v, "tags"), "[\"p\"]");
    json_object_put(v);

    /* The patch's audit entry lists the members it set. */
    v = call(t, NULL, "/api/audit?limit=1", NULL, 200);
    struct json_object *en = jsonx_at(jsonx_get(v, "data"), 0);
    assert_string_equal(jsonx_str(jsonx_get(en, "action")), "integration.update");
    json_object_put(v);
    json_object_put(call(t, "PATCH", path, "{\"tags\":[\"q\"],\"end_user\":null}", 200));
    v = call(t, NULL, "/api/audit?limit=1", NULL, 200);
    en = jsonx_at(jsonx_get(v, "data"), 0);
    assert_string_equal(jsonx_str(jsonx_get(en, "action")), "integration.patch");
    expect_json(jsonx_get(en, "data"), "{\"fields\":[\"tags\",\"end_user\"]}");
    json_object_put(v);

    /* Another tenant cannot label it. */
    struct client_reply r;
    api_test_call(t, &r, "PATCH", path, t->b.key, "{\"tags\":[\"theirs\"]}", NULL);
    api_test_expect_error(&r, 404, "not_found");
    client_reply_dispose(&r);
    v = call(t, NULL, path, NULL, 200);
    expect_json(jsonx_get(v, "tags"), "[\"q\"]");
    json_object_put(v);
}

/* Every refusal, at its pointer, on create and on patch; nothing is
 * written. */
static void test_refusals_point_at_the_member(void **state)
{
    struct api_test *t = *state;
    char id[ID_MAX], path[96], big[1200], body[1400];

    create_as(t, t->a.key, WITH("Target", USER("keep") ",\"tags\":[\"keep\"]"), id);
    int_path(path, id);

    static const struct {
        const char *member, *pointer, *msg;
    } cases[] = {
        {"\"end_user\":\"u1\"", "/end_user", "expected an object"},
        {"\"end_user\":[]", "/end_user", "expected an object"},
        {"\"end_user\":{}", "/end_user/id", "is required"},
        {"\"end_user\":{\"email\":\"a@b\"}", "/end_user/id", "is required"},
        {"\"end_user\":{\"id\":null}", "/end_user/id", "must not be null"},
        {"\"end_user\":{\"id\":\"\"}", "/end_user/id", "must not be empty"},
        {"\"end_user\":{\"id\":7}", "/end_user/id", "expected a string, got"},
        {"\"end_user\":{\"id\":\"a\\u0007b\"}", "/end_user/id", "control character at byte 1"},
        {"\"end_user\":{\"id\":\"a\\u0085b\"}", "/end_user/id", "control character at byte 1"},
        {"\"end_user\":{\"id\":\"a\\u0000b\"}", "/end_user/id", "U+0000"},
        {"\"end_user\":{\"id\":\"u\",\"email\":\"nope\"}", "/end_user/email", "one '@'"},
        {"\"end_user\":{\"id\":\"u\",\"email\":\"a@b@c\"}", "/end_user/email", "one '@'"},
        {"\"end_user\":{\"id\":\"u\",\"email\":\"a d@b\"}", "/end_user/email", "space at byte 1"},
        {"\"end_user\":{\"id\":\"u\",\"email\":\"\"}", "/end_user/email", "must not be empty"},
        {"\"end_user\":{\"id\":\"u\",\"email\":true}", "/end_user/email", "expected a string"},
        {"\"end_user\":{\"id\":\"u\",\"display_name\":\"\"}", "/end_user/display_name",
         "must not be empty"},
        {"\"end_user\":{\"id\":\"u\",\"display_name\":{}}", "/end_user/display_name",
         "expected a string"},
        {"\"end_user\":{\"id\":\"u\",\"name\":\"x\"}", "/end_user/name", "unknown member"},
        {"\"end_user\":{\"id\":\"u\",\"a/b\":1}", "/end_user/a~1b", "unknown member"},
        {"\"tags\":\"plan:pro\"", "/tags", "expected an array of strings"},
        {"\"tags\":{}", "/tags", "expected an array of strings"},
        {"\"tags\":[\"ok\",\"ok2\",\"fine\",\"not ok\"]", "/tags/3", "byte 3 is not allowed"},
        {"\"tags\":[7]", "/tags/0", "expected a string, got"},
        {"\"tags\":[\"a\",\"\"]", "/tags/1", "must not be empty"},
        {"\"tags\":[\"a\",\"b\",\"\\u00e9\"]", "/tags/2", "byte 0 is not allowed"},
        {"\"tags\":[\"a,b\"]", "/tags/0", "byte 1 is not allowed"},
        {"\"tags\":[\"a\\u0000\"]", "/tags/0", "U+0000"},
        {"\"tags\":[null]", "/tags/0", "expected a string, got null"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(body, sizeof(body), WITH("Refused", "%s"), cases[i].member);
        expect_invalid(t, "POST", "/api/integrations", body, cases[i].pointer, cases[i].msg);
        snprintf(body, sizeof(body), "{%s}", cases[i].member);
        expect_invalid(t, "PATCH", path, body, cases[i].pointer, cases[i].msg);
        snprintf(body, sizeof(body), "{\"name\":\"Target\",%s}", cases[i].member);
        expect_invalid(t, "PUT", path, body, cases[i].pointer, cases[i].msg);
    }

    /* Lengths: one byte past each limit is refused, the limit is not. */
    memset(big, 'u', 256);
    big[256] = '\0';
    snprintf(body, sizeof(body), "{\"end_user\":{\"id\":\"%s\"}}", big);
    expect_invalid(t, "PATCH", path, body, "/end_user/id", "256 bytes, at most 255");
    big[255] = '\0';
    snprintf(body, sizeof(body), "{\"end_user\":{\"id\":\"%s\"}}", big);
    json_object_put(call(t, "PATCH", path, body, 200));
    memset(big, 'e', 321);
    big[1] = '@';
    big[321] = '\0';
    snprintf(body, sizeof(body), "{\"end_user\":{\"id\":\"u\",\"email\":\"%s\"}}", big);
    expect_invalid(t, "PATCH", path, body, "/end_user/email", "321 bytes, at most 320");
    memset(big, 'n', 201);
    big[201] = '\0';
    snprintf(body, sizeof(body), "{\"end_user\":{\"id\":\"u\",\"display_name\":\"%s\"}}", big);
    expect_invalid(t, "PATCH", path, body, "/end_user/display_name", "201 bytes, at most 200");
    memset(big, 't', 65);
    big[65] = '\0';
    snprintf(body, sizeof(body), "{\"tags\":[\"a\",\"%s\"]}", big);
    expect_invalid(t, "PATCH", path, body, "/tags/1", "65 bytes, at most 64");

    /* 21 distinct tags are too many; 20 with repeats are not. */
    size_t used = (size_t)snprintf(body, sizeof(body), "{\"tags\":[");
    for (int i = 0; i < 21; i++)
        used += (size_t)snprintf(body + used, sizeof(body) - used, "%s\"t%d\"", i ? "," : "", i);
    snprintf(body + used, sizeof(body) - used, "]}");
    expect_invalid(t, "PATCH", path, body, "/tags", "21 distinct tags, at most 20");
    used = (size_t)snprintf(body, sizeof(body), "{\"tags\":[");
    for (int i = 0; i < 30; i++)
        used +=
            (size_t)snprintf(body + used, sizeof(body) - used, "%s\"t%d\"", i ? "," : "", i % 20);
    snprintf(body + used, sizeof(body) - used, "]}");
    struct json_object *v = call(t, "PATCH", path, body, 200);
    assert_int_equal(jsonx_len(jsonx_get(v, "tags")), 20);
    json_object_put(v);

    /* Every problem in one answer. */
    expect_invalid(t, "POST", "/api/integrations",
                   "{\"connector\":\"testnone\",\"name\":\"\",\"end_user\":{\"id\":\"u\","
                   "\"email\":\"x\"},\"tags\":[\"a b\"]}",
                   "/tags/0", NULL);
    struct client_reply r;
    api_test_call(t, &r, "POST", "/api/integrations", t->a.key,
                  "{\"connector\":\"testnone\",\"name\":\"\",\"end_user\":{\"id\":\"u\","
                  "\"email\":\"x\"},\"tags\":[\"a b\"]}",
                  NULL);
    v = api_test_json(&r);
    assert_int_equal(jsonx_len(jsonx_get(jsonx_get(v, "error"), "details")), 3);
    json_object_put(v);
    client_reply_dispose(&r);

    /* Many bad tags: ten listed, then one line for the rest. */
    used = (size_t)snprintf(body, sizeof(body), "{\"tags\":[");
    for (int i = 0; i < 12; i++)
        used += (size_t)snprintf(body + used, sizeof(body) - used, "%s\"bad %d\"", i ? "," : "", i);
    snprintf(body + used, sizeof(body) - used, "]}");
    api_test_call(t, &r, "PATCH", path, t->a.key, body, NULL);
    v = api_test_json(&r);
    assert_int_equal(r.status, 422);
    assert_int_equal(jsonx_len(jsonx_get(jsonx_get(v, "error"), "details")), 11);
    json_object_put(v);
    client_reply_dispose(&r);

    /* Nothing of the refused requests was written. */
    assert_int_equal(api_test_sql_int(t, t->a.id, "%s",
                                      "SELECT count(*) FROM integrations WHERE tenant_id = $1"),
                     1);
    v = call(t, NULL, path, NULL, 200);
    assert_int_equal(jsonx_len(jsonx_get(v, "tags")), 20);
    json_object_put(v);
}

/* ---- lists ---- */

static void test_list_filters_and_pages(void **state)
{
    struct api_test *t = *state;
    char ids[5][ID_MAX], theirs[ID_MAX], got[512], want[512], msg[256];

    /* 0: u1 pro eu   1: u1 pro   2: u2 pro eu beta   3: none eu   4: odd user pro */
    create_as(t, t->a.key, WITH("i0", USER("u1") ",\"tags\":[\"plan:pro\",\"region/eu\"]"), ids[0]);
    create_as(t, t->a.key, WITH("i1", USER("u1") ",\"tags\":[\"plan:pro\"]"), ids[1]);
    create_as(t, t->a.key, WITH("i2", USER("u2") ",\"tags\":[\"plan:pro\",\"region/eu\",\"beta\"]"),
              ids[2]);
    create_as(t, t->a.key, WITH("i3", "\"tags\":[\"region/eu\"]"), ids[3]);
    create_as(t, t->a.key, WITH("i4", USER(ODD_USER) ",\"tags\":[\"plan:pro\"]"), ids[4]);
    create_as(t, t->b.key, WITH("theirs", USER("u1") ",\"tags\":[\"plan:pro\",\"region/eu\"]"),
              theirs);

    static const struct {
        const char *query;
        int picks; /* bits of ids */
    } cases[] = {
        {"end_user_id=u1", 0x03},
        {"end_user_id=u2", 0x04},
        {"end_user_id=" ODD_USER_URL, 0x10},
        {"end_user_id=nobody", 0x00},
        {"tag=plan:pro", 0x17},
        {"tag=plan%3Apro", 0x17},
        {"tag=region/eu", 0x0d},
        {"tag=plan:pro&tag=region/eu", 0x05},
        {"tag=region/eu&tag=plan:pro", 0x05},
        {"tag=plan:pro&tag=plan:pro", 0x17},
        {"tag=plan:pro&tag=region/eu&tag=beta", 0x04},
        {"tag=nothing", 0x00},
        {"end_user_id=u1&tag=region/eu", 0x01},
        {"end_user_id=u1&tag=plan:pro&status=active", 0x03},
        {"end_user_id=u1&tag=plan:pro&status=paused", 0x00},
        {"tag=plan:pro&connector=testnone&q=i", 0x17},
        {"tag=plan:pro&connector=testkey", 0x00},
    };
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        char sorted[5][ID_MAX];
        size_t n = 0, used = 0;
        for (int i = 0; i < 5; i++)
            if (cases[c].picks & (1 << i))
                memcpy(sorted[n++], ids[i], ID_MAX);
        sort_ids(sorted, n);
        want[0] = '\0';
        for (size_t i = 0; i < n; i++)
            used +=
                (size_t)snprintf(want + used, sizeof(want) - used, "%s%s", i ? "," : "", sorted[i]);
        walk(t, cases[c].query, got, sizeof(got));
        if (strcmp(got, want) != 0)
            fail_msg("?%s: expected [%s], got [%s]", cases[c].query, want, got);
    }

    /* b sees its own only. */
    struct json_object *v =
        call_as(t, t->b.key, NULL, "/api/integrations?end_user_id=u1&tag=plan:pro", NULL, 200);
    assert_int_equal(jsonx_len(jsonx_get(v, "data")), 1);
    assert_string_equal(jsonx_str(jsonx_get(jsonx_at(jsonx_get(v, "data"), 0), "id")), theirs);
    json_object_put(v);

    /* Bad filters are 400, each saying what is wrong. */
    call_error(t, NULL, "/api/integrations?tag=a%20b", NULL, 400, "invalid_parameter", msg,
               sizeof(msg));
    assert_string_equal(msg, "tag: byte 1 is not allowed; a tag is letters, digits and _.:/-");
    call_error(t, NULL, "/api/integrations?tag=", NULL, 400, "invalid_parameter", msg, sizeof(msg));
    assert_string_equal(msg, "tag: must not be empty");
    call_error(t, NULL,
               "/api/integrations?tag=a&tag=b&tag=c&tag=d&tag=e&tag=f&tag=g&tag=h&tag=i&tag=j"
               "&tag=k",
               NULL, 400, "invalid_parameter", msg, sizeof(msg));
    assert_string_equal(msg, "tag: at most 10 different tags");
    call_error(t, NULL, "/api/integrations?end_user_id=", NULL, 400, "invalid_parameter", msg,
               sizeof(msg));
    assert_string_equal(msg, "end_user_id: must not be empty");
    call_error(t, NULL, "/api/integrations?end_user_id=a%01b", NULL, 400, "invalid_parameter", msg,
               sizeof(msg));
    assert_string_equal(msg, "end_user_id: control character at byte 1");
    call_error(t, NULL, "/api/integrations?tags=x", NULL, 400, "unknown_parameter", NULL, 0);
    /* Ten, and one repeated, are fine. */
    v = call(t, NULL,
             "/api/integrations?tag=a&tag=b&tag=c&tag=d&tag=e&tag=f&tag=g&tag=h&tag=i&tag=j"
             "&tag=a",
             NULL, 200);
    assert_int_equal(jsonx_len(jsonx_get(v, "data")), 0);
    json_object_put(v);
}

/* The list is answered from memory while nothing changed (api/cache.h);
 * a change of tags, through the API or straight into integration_tags,
 * shows in the very next list: both move the tenant's data_version. */
static void test_cached_list_follows_tags(void **state)
{
    struct api_test *t = *state;
    char id[ID_MAX], path[96];
    struct json_object *first, *again, *v;
    struct err e;

    create_as(t, t->a.key, WITH("Cached", "\"tags\":[\"old\"]"), id);
    int_path(path, id);
    first = call(t, NULL, "/api/integrations", NULL, 200);
    again = call(t, NULL, "/api/integrations", NULL, 200);
    assert_true(json_object_equal(first, again));
    json_object_put(again);
    json_object_put(first);
    v = call(t, NULL, "/api/integrations?tag=new", NULL, 200);
    assert_int_equal(jsonx_len(jsonx_get(v, "data")), 0);
    json_object_put(v);

    json_object_put(call(t, "PATCH", path, "{\"tags\":[\"new\"]}", 200));
    v = call(t, NULL, "/api/integrations", NULL, 200);
    expect_json(jsonx_get(jsonx_at(jsonx_get(v, "data"), 0), "tags"), "[\"new\"]");
    json_object_put(v);
    v = call(t, NULL, "/api/integrations?tag=new", NULL, 200);
    assert_int_equal(jsonx_len(jsonx_get(v, "data")), 1);
    json_object_put(v);
    v = call(t, NULL, "/api/integrations?tag=old", NULL, 200);
    assert_int_equal(jsonx_len(jsonx_get(v, "data")), 0);
    json_object_put(v);

    /* Behind the API's back, only integration_tags written: the
     * integration's row does not change, so only the tags' own triggers
     * can tell the cache. */
    struct db *db = t->tdb->db;
    assert_db_ok(db_begin_tenant(db, t->a.id, &e), &e);
    assert_db_ok(db_exec(db,
                         "INSERT INTO integration_tags (tenant_id, integration_id, tag)"
                         " VALUES ($1, $2, 'sideways')",
                         DB_ARGS(DB_TEXT(t->a.id), DB_TEXT(id)), NULL, &e),
                 &e);
    assert_db_ok(db_commit(db, &e), &e);
    v = call(t, NULL, "/api/integrations", NULL, 200);
    expect_json(jsonx_get(jsonx_at(jsonx_get(v, "data"), 0), "tags"), "[\"new\",\"sideways\"]");
    json_object_put(v);
    v = call(t, NULL, "/api/integrations?tag=new", NULL, 200);
    expect_json(jsonx_get(jsonx_at(jsonx_get(v, "data"), 0), "tags"), "[\"new\",\"sideways\"]");
    json_object_put(v);
    /* And an end user's filter is keyed apart from another's. */
    json_object_put(call(t, "PATCH", path, "{\"end_user\":{\"id\":\"a|b\"}}", 200));
    v = call(t, NULL, "/api/integrations?end_user_id=a%7Cb", NULL, 200);
    assert_int_equal(jsonx_len(jsonx_get(v, "data")), 1);
    json_object_put(v);
    v = call(t, NULL, "/api/integrations?end_user_id=a", NULL, 200);
    assert_int_equal(jsonx_len(jsonx_get(v, "data")), 0);
    json_object_put(v);
}

/* ---- deleting an end user's integrations ---- */

/* The audit entries of tenant a whose action is action, newest first:
 * target ids into ids (at most max), data of the first into data. */
static size_t audit_of(struct api_test *t, const char *action, char (*ids)[ID_MAX], size_t max,
                       char *data, size_t n)
{
    struct json_object *v = call(t, NULL, "/api/audit?limit=200", NULL, 200);
    struct json_object *list = jsonx_get(v, "data");
    size_t k = 0;
    for (size_t i = 0; i < jsonx_len(list); i++) {
        struct json_object *en = jsonx_at(list, i);
        if (strcmp(jsonx_str(jsonx_get(en, "action")), action) != 0)
            continue;
        if (k == 0 && data)
            snprintf(data, n, "%s", json_object_to_json_string(jsonx_get(en, "data")));
        if (k < max)
            snprintf(ids[k], ID_MAX, "%s", jsonx_str(jsonx_get(en, "target_id")));
        k++;
    }
    json_object_put(v);
    return k;
}

/* DELETE by tenant a that must answer 204. */
static void delete_one(struct api_test *t, const char *id)
{
    char path[96];
    struct client_reply r;
    int_path(path, id);
    api_test_call(t, &r, "DELETE", path, t->a.key, NULL, NULL);
    if (r.status != 204)
        fail_reply(&r, path);
    client_reply_dispose(&r);
}

static int64_t rows_of(struct api_test *t, const char *tenant, const char *id, const char *table)
{
    char sql[160];
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s WHERE tenant_id = '%s' AND %s = $1", table,
             tenant, strcmp(table, "integrations") == 0 ? "id" : "integration_id");
    return api_test_sql_int(t, id, "%s", sql);
}

static void test_delete_end_user_integrations(void **state)
{
    struct api_test *t = *state;
    char mine[3][ID_MAX], other[ID_MAX], theirs[ID_MAX], path[128], audited[8][ID_MAX];
    char data[1024], msg[256];
    struct json_object *v;
    const char *const url = "/api/end-users/" ODD_USER_URL "/integrations";

    create_as(t, t->a.key, WITH("m0", USER(ODD_USER) ",\"tags\":[\"x\"]"), mine[0]);
    create_as(t, t->a.key,
              "{\"connector\":\"testkey\",\"name\":\"m1\",\"config\":{\"subdomain\":\"acme\"},"
              "\"secrets\":{\"api_key\":\"sk-live-0123456789\"}," USER(ODD_USER) "}",
              mine[1]);
    create_as(t, t->a.key, WITH("m2", USER(ODD_USER)), mine[2]);
    create_as(t, t->a.key, WITH("other", USER("someone else")), other);
    create_as(t, t->b.key, WITH("theirs", USER(ODD_USER) ",\"tags\":[\"x\"]"), theirs);
    assert_int_equal(rows_of(t, t->a.id, mine[1], "credentials"), 1);
    /* One deleted before, on its own: no longer live. */
    delete_one(t, mine[2]);

    /* The live two go, as DELETE /api/integrations/{id} takes them. */
    char live[2][ID_MAX];
    memcpy(live[0], mine[0], ID_MAX);
    memcpy(live[1], mine[1], ID_MAX);
    sort_ids(live, 2);
    const char *const want[] = {live[0], live[1]};
    v = call(t, "DELETE", url, NULL, 200);
    assert_int_equal(json_object_get_int64(jsonx_get(v, "deleted")), 2);
    expect_ids(jsonx_get(v, "integrations"), want, 2, "deleted");
    assert_false(jsonx_has(v, "removed"));
    json_object_put(v);
    for (int i = 0; i < 2; i++) {
        int_path(path, mine[i]);
        call_error(t, NULL, path, NULL, 404, "not_found", NULL, 0);
        assert_int_equal(rows_of(t, t->a.id, mine[i], "integrations"), 1); /* soft */
    }
    assert_int_equal(rows_of(t, t->a.id, mine[1], "credentials"), 0);
    v = call(t, NULL, "/api/integrations", NULL, 200);
    assert_int_equal(jsonx_len(jsonx_get(v, "data")), 1);
    assert_string_equal(jsonx_str(jsonx_get(jsonx_at(jsonx_get(v, "data"), 0), "id")), other);
    json_object_put(v);

    /* b's integration of an end user with the same id is untouched. */
    snprintf(path, sizeof(path), "/api/integrations/%s", theirs);
    v = call_as(t, t->b.key, NULL, path, NULL, 200);
    assert_string_equal(jsonx_str(jsonx_get(v, "status")), "active");
    expect_json(jsonx_get(v, "tags"), "[\"x\"]");
    json_object_put(v);

    /* One audit entry each, the single delete's action and data, with the
     * end user. */
    assert_int_equal(audit_of(t, "integration.delete", audited, 8, data, sizeof(data)), 3);
    {
        struct json_object *d = NULL;
        struct err e;
        assert_db_ok(jsonx_parse(&d, data, strlen(data), sizeof(data), &e), &e);
        expect_json(d, "{\"purge\":false,\"end_user_id\":\"" ODD_USER "\"}");
        json_object_put(d);
    }
    sort_ids(audited, 2);
    assert_string_equal(audited[0], live[0]);
    assert_string_equal(audited[1], live[1]);
    assert_string_equal(audited[2], mine[2]);

    /* Again: nothing left, still 200, nothing audited. */
    v = call(t, "DELETE", url, NULL, 200);
    expect_json(v, "{\"deleted\":0,\"integrations\":[]}");
    json_object_put(v);
    assert_int_equal(audit_of(t, "integration.delete", audited, 8, NULL, 0), 3);
    /* An end user nobody has: the same. */
    v = call(t, "DELETE", "/api/end-users/nobody/integrations", NULL, 200);
    expect_json(v, "{\"deleted\":0,\"integrations\":[]}");
    json_object_put(v);

    /* A purge reaches all three, deleted earlier as they are. */
    char all[3][ID_MAX];
    memcpy(all, mine, sizeof(all));
    sort_ids(all, 3);
    const char *const every[] = {all[0], all[1], all[2]};
    char purge_url[160];
    snprintf(purge_url, sizeof(purge_url), "%s?purge=true", url);
    v = call(t, "DELETE", purge_url, NULL, 200);
    assert_int_equal(json_object_get_int64(jsonx_get(v, "deleted")), 3);
    expect_ids(jsonx_get(v, "integrations"), every, 3, "purged");
    assert_true(json_object_is_type(jsonx_get(v, "removed"), json_type_object));
    assert_true(jsonx_has(jsonx_get(v, "removed"), "raw_tables"));
    json_object_put(v);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(rows_of(t, t->a.id, mine[i], "integrations"), 0);
        assert_int_equal(rows_of(t, t->a.id, mine[i], "integration_tags"), 0);
    }
    assert_int_equal(audit_of(t, "integration.delete", audited, 8, data, sizeof(data)), 6);
    {
        struct json_object *d = NULL;
        struct err e;
        assert_db_ok(jsonx_parse(&d, data, strlen(data), sizeof(data), &e), &e);
        expect_json(jsonx_get(d, "purge"), "true");
        assert_true(json_object_is_type(jsonx_get(d, "removed"), json_type_object));
        expect_json(jsonx_get(d, "end_user_id"), "\"" ODD_USER "\"");
        json_object_put(d);
    }
    v = call(t, "DELETE", purge_url, NULL, 200);
    assert_int_equal(json_object_get_int64(jsonx_get(v, "deleted")), 0);
    json_object_put(v);

    /* Still there: a's other end user's, and b's. */
    int_path(path, other);
    json_object_put(call(t, NULL, path, NULL, 200));
    assert_int_equal(rows_of(t, t->b.id, theirs, "integrations"), 1);
    assert_int_equal(rows_of(t, t->b.id, theirs, "integration_tags"), 1);

    /* Refusals. An id holding '/' cannot be named in a path. */
    call_error(t, "DELETE", "/api/end-users/a%2Fb/integrations", NULL, 400, "bad_request", msg,
               sizeof(msg));
    assert_non_null(strstr(msg, "encoded '/' in a segment"));
    char big[300], long_path[400];
    memset(big, 'u', 256);
    big[256] = '\0';
    snprintf(long_path, sizeof(long_path), "/api/end-users/%s/integrations", big);
    call_error(t, "DELETE", long_path, NULL, 400, "invalid_parameter", msg, sizeof(msg));
    assert_string_equal(msg, "end_user_id: 256 bytes, at most 255");
    call_error(t, "DELETE", "/api/end-users/a%01b/integrations", NULL, 400, "invalid_parameter",
               msg, sizeof(msg));
    assert_string_equal(msg, "end_user_id: control character at byte 1");
    snprintf(path, sizeof(path), "%s?purge=maybe", url);
    call_error(t, "DELETE", path, NULL, 400, "invalid_parameter", NULL, 0);
    snprintf(path, sizeof(path), "%s?force=true", url);
    call_error(t, "DELETE", path, NULL, 400, "unknown_parameter", NULL, 0);
    call_error(t, NULL, url, NULL, 405, "method_not_allowed", NULL, 0);
}

int test_api_end_users(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, api_test_setup, api_test_teardown)
    const struct CMUnitTest tests[] = {
        T(test_create_shows_end_user_and_tags), T(test_patch_and_put_replace_them),
        T(test_refusals_point_at_the_member),   T(test_list_filters_and_pages),
        T(test_cached_list_follows_tags),       T(test_delete_end_user_integrations),
    };
#undef T
    return test_group_db("api_end_users", tests);
}
