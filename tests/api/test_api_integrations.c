/* tests/api/test_api_integrations.c - /api/integrations end to end: create
 * (the starting status by kind of auth, every validation problem in one
 * answer, names unique per tenant), read, list pages and filters, PUT and
 * PATCH (secrets kept, replaced or merged, checked in the database), soft
 * delete and purge, and the audit entries that every change leaves. Both
 * engines. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api_test.h"
#include "core/jsonx.h"
#include "core/secret.h"
#include "store/integration.h"

/* Secret values that must never come back in any answer. */
#define KEY1 "sk-live-0123456789"
#define KEY2 "sk-live-9876543210"
#define ACC1 "acct-7731"
/* JSON text of the value q"b\s/ü☃-0123456789, which needs escaping. */
#define ODD_KEY "q\\\"b\\\\s/\\u00fc\\u2603-0123456789"

#define ACME_CONFIG "{\"subdomain\":\"acme\",\"page_size\":50}"

/* A testkey integration named name with ACME_CONFIG and KEY1. */
#define KEYED(name)                                                                                \
    "{\"connector\":\"testkey\",\"name\":\"" name "\",\"config\":" ACME_CONFIG                     \
    ",\"secrets\":{\"api_key\":\"" KEY1 "\"}}"
/* The same without secrets: a draft. */
#define DRAFT(name)  "{\"connector\":\"testkey\",\"name\":\"" name "\",\"config\":" ACME_CONFIG "}"
#define NOAUTH(name) "{\"connector\":\"testnone\",\"name\":\"" name "\"}"

/* Ids made in the same millisecond sort at random (core/id.h), and lists
 * are ordered by id; tests that check creation order space their writes
 * past the millisecond. */
static void next_ms(void)
{
    struct timespec ts = {0, 2 * 1000 * 1000};
    nanosleep(&ts, NULL);
}

static void int_path(char out[96], const char *id)
{
    snprintf(out, 96, "/api/integrations/%s", id);
}

/* The string member key of v; fails the test when there is none. */
static const char *member(struct json_object *v, const char *key)
{
    const char *s = jsonx_str(jsonx_get(v, key));
    if (!s)
        fail_msg("no string \"%s\" in %s", key, json_object_to_json_string(v));
    return s;
}

/* Fail unless v is the JSON value spelled by text (objects in any order). */
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

/* Dispose of r, then fail the test showing its status and body: a failed
 * test that leaks buries its reason under LeakSanitizer's report. */
static void fail_reply(struct client_reply *r, const char *what)
{
    char body[1024];
    long status = r->status;
    snprintf(body, sizeof(body), "%s", buf_cstr(&r->body));
    client_reply_dispose(r);
    fail_msg("%s: got %ld: %s", what, status, body);
}

/* A request by tenant a that must answer status; its JSON body (NULL for
 * 204), the caller's to json_object_put. */
static struct json_object *call(struct api_test *t, const char *method, const char *path,
                                const char *body, long status)
{
    struct client_reply r;
    api_test_call(t, &r, method, path, t->a.key, body, NULL);
    if (r.status != status) {
        char what[256];
        snprintf(what, sizeof(what), "%s %s: expected %ld", method ? method : "GET", path, status);
        fail_reply(&r, what);
    }
    struct json_object *v = status == 204 ? NULL : api_test_json(&r);
    if (status == 204)
        assert_int_equal(r.body.n, 0);
    client_reply_dispose(&r);
    return v;
}

/* A request by tenant a that must fail with status and code. */
static void call_error(struct api_test *t, const char *method, const char *path, const char *body,
                       long status, const char *code)
{
    struct client_reply r;
    api_test_call(t, &r, method, path, t->a.key, body, NULL);
    api_test_expect_error(&r, status, code);
    client_reply_dispose(&r);
}

/* The message of the detail at pointer in an error body; NULL if none. */
static const char *detail(struct json_object *v, const char *pointer)
{
    struct json_object *d = jsonx_get(jsonx_get(v, "error"), "details");
    for (size_t i = 0; i < jsonx_len(d); i++)
        if (strcmp(member(jsonx_at(d, i), "pointer"), pointer) == 0)
            return member(jsonx_at(d, i), "message");
    return NULL;
}

/* A request by tenant a that must fail 422 validation_failed with a detail
 * at pointer; returns the body (json_object_put) for further checks. */
static struct json_object *call_invalid(struct api_test *t, const char *method, const char *path,
                                        const char *body, const char *pointer)
{
    struct client_reply r;
    api_test_call(t, &r, method, path, t->a.key, body, NULL);
    if (r.status != 422) {
        char what[256];
        snprintf(what, sizeof(what), "%.180s: expected 422 at %s", body, pointer);
        fail_reply(&r, what);
    }
    api_test_expect_error(&r, 422, "validation_failed");
    struct json_object *v = api_test_json(&r);
    if (!detail(v, pointer)) {
        char what[256];
        snprintf(what, sizeof(what), "%.180s: no detail at %s", body, pointer);
        json_object_put(v);
        fail_reply(&r, what);
    }
    client_reply_dispose(&r);
    return v;
}

static void expect_invalid(struct api_test *t, const char *method, const char *path,
                           const char *body, const char *pointer)
{
    json_object_put(call_invalid(t, method, path, body, pointer));
}

/* The integration's secrets as stored, opened under tenant a: 0 and *out
 * (json_object_put), or the store's error code. */
static int open_secrets(struct api_test *t, const char *id, struct json_object **out)
{
    struct db *db = t->tdb->db;
    struct secret s = {0};
    struct err e;

    *out = NULL;
    assert_db_ok(db_begin_tenant(db, t->a.id, &e), &e);
    int rc = integration_secrets_open(&s, db, t->vault, t->a.id, id, &e);
    db_rollback(db);
    if (rc == 0 && jsonx_parse(out, (const char *)s.p, s.n, s.n + 1, &e) != 0)
        fail_msg("stored secrets are not JSON: %s", e.msg);
    secret_dispose(&s);
    return rc;
}

/* Fail unless the stored secrets of id are the JSON object text want. */
static void expect_secrets(struct api_test *t, const char *id, const char *want)
{
    struct json_object *got = NULL;
    assert_int_equal(open_secrets(t, id, &got), 0);
    expect_json(got, want);
    json_object_put(got);
}

/* The count that sql (INTEGRATION_ROWS or CREDENTIAL_ROWS) gives for id
 * under tenant a; soft-deleted rows count. */
static int64_t rows_of(struct api_test *t, const char *sql, const char *id)
{
    struct db *db = t->tdb->db;
    int64_t n = -1;
    struct err e;

    assert_db_ok(db_begin_tenant(db, t->a.id, &e), &e);
    int rc = db_query_int(&n, db, sql, DB_ARGS(DB_TEXT(t->a.id), DB_TEXT(id)), &e);
    db_rollback(db);
    assert_db_ok(rc, &e);
    return n;
}

#define INTEGRATION_ROWS "SELECT count(*) FROM integrations WHERE tenant_id = $1 AND id = $2"
#define CREDENTIAL_ROWS                                                                            \
    "SELECT count(*) FROM credentials WHERE tenant_id = $1 AND integration_id = $2"

/* GET path (a list) with key: member field of each row of data,
 * comma-separated, into out; next_cursor into next ("" for null). */
static void list_of(struct api_test *t, const char *key, const char *path, const char *field,
                    char *out, size_t n, char next[ID_MAX])
{
    struct client_reply r;
    api_test_call(t, &r, NULL, path, key, NULL, NULL);
    if (r.status != 200)
        fail_reply(&r, path);
    struct json_object *v = api_test_json(&r), *data = jsonx_get(v, "data");
    size_t used = 0;

    assert_true(json_object_is_type(data, json_type_array));
    out[0] = '\0';
    for (size_t i = 0; i < jsonx_len(data); i++) {
        used += (size_t)snprintf(out + used, n - used, "%s%s", i ? "," : "",
                                 member(jsonx_at(data, i), field));
        assert_true(used < n);
    }
    assert_true(jsonx_has(v, "next_cursor"));
    const char *c = jsonx_str(jsonx_get(v, "next_cursor"));
    snprintf(next, ID_MAX, "%s", c ? c : "");
    json_object_put(v);
    client_reply_dispose(&r);
}

/* The ids of tenant a's list at path, as list_of. */
static void ids_of(struct api_test *t, const char *path, char *out, size_t n)
{
    char next[ID_MAX];
    list_of(t, t->a.key, path, "id", out, n, next);
    assert_string_equal(next, "");
}

/* Tenant a has no integrations and no audit entries. */
static void expect_nothing_written(struct api_test *t)
{
    char got[256], next[ID_MAX];
    list_of(t, t->a.key, "/api/integrations", "id", got, sizeof(got), next);
    assert_string_equal(got, "");
    list_of(t, t->a.key, "/api/audit", "id", got, sizeof(got), next);
    assert_string_equal(got, "");
}

static void create_a(struct api_test *t, const char *body, char id[ID_MAX])
{
    api_test_create(t, t->a.key, body, id);
}

/* ---- create ---- */

static void test_create_with_secrets_is_active(void **state)
{
    struct api_test *t = *state;
    struct client_reply r;
    char loc[128], want[128], id[ID_MAX], path[96];

    /* The secrets in another order than the connector lists them. */
    api_test_call(t, &r, "POST", "/api/integrations", t->a.key,
                  "{\"connector\":\"testkey\",\"name\":\"Help desk\",\"config\":" ACME_CONFIG
                  ",\"secrets\":{\"account_id\":\"" ACC1 "\",\"api_key\":\"" KEY1 "\"}}",
                  NULL);
    assert_int_equal(r.status, 201);
    struct json_object *v = api_test_json(&r);
    snprintf(id, sizeof(id), "%s", member(v, "id"));
    assert_true(id_valid(id, "int"));
    snprintf(want, sizeof(want), "/api/integrations/%s", id);
    assert_non_null(client_header(&r, "Location", loc, sizeof(loc)));
    assert_string_equal(loc, want);
    assert_string_equal(member(v, "connector"), "testkey");
    assert_string_equal(member(v, "name"), "Help desk");
    assert_string_equal(member(v, "status"), "active");
    assert_true(jsonx_has(v, "status_reason") && !jsonx_get(v, "status_reason"));
    expect_json(jsonx_get(v, "config"), ACME_CONFIG);
    expect_json(jsonx_get(v, "secrets_set"), "[\"api_key\",\"account_id\"]");
    member(v, "created_at");
    member(v, "updated_at");
    assert_false(jsonx_has(v, "secrets"));
    assert_null(strstr(buf_cstr(&r.body), KEY1));
    assert_null(strstr(buf_cstr(&r.body), ACC1));
    json_object_put(v);
    client_reply_dispose(&r);

    int_path(path, id);
    api_test_call(t, &r, NULL, path, t->a.key, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_null(strstr(buf_cstr(&r.body), KEY1));
    assert_null(strstr(buf_cstr(&r.body), ACC1));
    client_reply_dispose(&r);
    expect_secrets(t, id, "{\"api_key\":\"" KEY1 "\",\"account_id\":\"" ACC1 "\"}");

    v = call(t, "POST", "/api/integrations", KEYED("Only the key"), 201);
    assert_string_equal(member(v, "status"), "active");
    expect_json(jsonx_get(v, "secrets_set"), "[\"api_key\"]");
    json_object_put(v);
}

static void test_create_status_by_auth(void **state)
{
    struct api_test *t = *state;
    struct json_object *v;

    v = call(t, "POST", "/api/integrations", DRAFT("No secrets yet"), 201);
    assert_string_equal(member(v, "status"), "draft");
    expect_json(jsonx_get(v, "secrets_set"), "[]");
    json_object_put(v);

    v = call(t, "POST", "/api/integrations", "{\"connector\":\"salesforce\",\"name\":\"CRM\"}",
             201);
    assert_string_equal(member(v, "status"), "draft");
    expect_json(jsonx_get(v, "config"), "{}");
    json_object_put(v);
    v = call_invalid(t, "POST", "/api/integrations",
                     "{\"connector\":\"salesforce\",\"name\":\"CRM 2\",\"secrets\":{\"x\":\"y\"}}",
                     "/secrets");
    assert_null(strstr(json_object_to_json_string(v), "\"y\""));
    json_object_put(v);

    v = call(t, "POST", "/api/integrations",
             "{\"connector\":\"testnone\",\"name\":\"Open data\",\"config\":{\"region\":\"eu\"}}",
             201);
    assert_string_equal(member(v, "status"), "active");
    expect_json(jsonx_get(v, "config"), "{\"region\":\"eu\"}");
    json_object_put(v);

    v = call(t, "POST", "/api/integrations",
             "{\"connector\":\"testbasic\",\"name\":\"Tracker\","
             "\"secrets\":{\"password\":\"" KEY2 "\",\"username\":\"me@example.com\"}}",
             201);
    assert_string_equal(member(v, "status"), "active");
    expect_json(jsonx_get(v, "secrets_set"), "[\"username\",\"password\"]");
    assert_null(strstr(json_object_to_json_string(v), KEY2));
    json_object_put(v);
}

static void test_create_reports_every_problem(void **state)
{
    struct api_test *t = *state;
    static const char *const pointers[] = {"/config/subdomain", "/config/page_size",
                                           "/config/extra", "/secrets/api_key"};
    struct json_object *v =
        call_invalid(t, "POST", "/api/integrations",
                     "{\"connector\":\"testkey\",\"name\":\"Bad one\","
                     "\"config\":{\"subdomain\":\"Bad Domain!\",\"page_size\":0,\"extra\":1},"
                     "\"secrets\":{\"api_key\":\"short\"}}",
                     "/config/subdomain");
    struct json_object *err = jsonx_get(v, "error"), *details = jsonx_get(err, "details");
    char first[512];

    for (size_t i = 0; i < sizeof(pointers) / sizeof(pointers[0]); i++)
        if (!detail(v, pointers[i]))
            fail_msg("no detail at %s: %s", pointers[i], json_object_to_json_string(v));
    assert_int_equal(jsonx_len(details), 4);
    snprintf(first, sizeof(first), "%s: %s", member(jsonx_at(details, 0), "pointer"),
             member(jsonx_at(details, 0), "message"));
    if (strncmp(member(err, "message"), first, strlen(first)) != 0)
        fail_msg("the message does not begin with the first detail \"%s\": %s", first,
                 member(err, "message"));
    assert_null(strstr(json_object_to_json_string(v), "short"));
    json_object_put(v);
    expect_nothing_written(t);
}

static void test_create_checks_each_field(void **state)
{
    struct api_test *t = *state;
    static const struct {
        const char *body, *pointer;
    } cases[] = {
        {"{\"connector\":\"testnone\"}", "/name"},
        {"{\"connector\":\"testnone\",\"name\":\"\"}", "/name"},
        {"{\"connector\":\"testnone\",\"name\":7}", "/name"},
        {"{\"connector\":\"testnone\",\"name\":null}", "/name"},
        {"{\"connector\":\"testnone\",\"name\":\"tab\\there\"}", "/name"},
        {"{\"name\":\"x\"}", "/connector"},
        {"{\"connector\":\"nope\",\"name\":\"x\"}", "/connector"},
        {"{\"connector\":3,\"name\":\"x\"}", "/connector"},
        {"{\"connector\":\"testnone\",\"name\":\"x\",\"config\":[]}", "/config"},
        {"{\"connector\":\"testnone\",\"name\":\"x\",\"config\":\"eu\"}", "/config"},
        {"{\"connector\":\"testnone\",\"name\":\"x\",\"config\":{\"region\":\"asia\"}}",
         "/config/region"},
        {"{\"connector\":\"testkey\",\"name\":\"x\"}", "/config/subdomain"},
        {"{\"connector\":\"testkey\",\"name\":\"x\",\"config\":{\"subdomain\":\"a\"},"
         "\"secrets\":{\"api_key\":12345678901}}",
         "/secrets/api_key"},
        {"{\"connector\":\"testkey\",\"name\":\"x\",\"config\":{\"subdomain\":\"a\"},"
         "\"secrets\":{\"account_id\":\"a\"}}",
         "/secrets/api_key"},
        {"{\"connector\":\"testkey\",\"name\":\"x\",\"config\":{\"subdomain\":\"a\"},"
         "\"secrets\":{\"api_key\":\"" KEY1 "\",\"token\":\"t\"}}",
         "/secrets/token"},
        {"{\"connector\":\"testkey\",\"name\":\"x\",\"config\":{\"subdomain\":\"a\"},"
         "\"secrets\":\"" KEY1 "\"}",
         "/secrets"},
        {"{\"connector\":\"testbasic\",\"name\":\"x\","
         "\"secrets\":{\"username\":\"u\",\"password\":5}}",
         "/secrets/password"},
        {"{\"connector\":\"testnone\",\"name\":\"x\",\"secrets\":{\"a\":\"b\"}}", "/secrets"},
    };
    struct json_object *v;
    char body[512], name[202];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        expect_invalid(t, "POST", "/api/integrations", cases[i].body, cases[i].pointer);
    v = call_invalid(t, "POST", "/api/integrations", cases[0].body, "/name");
    assert_string_equal(detail(v, "/name"), "is required");
    json_object_put(v);

    memset(name, 'n', 201);
    name[201] = '\0';
    snprintf(body, sizeof(body), "{\"connector\":\"testnone\",\"name\":\"%s\"}", name);
    expect_invalid(t, "POST", "/api/integrations", body, "/name");
    expect_nothing_written(t);

    name[200] = '\0'; /* exactly the limit */
    snprintf(body, sizeof(body), "{\"connector\":\"testnone\",\"name\":\"%s\"}", name);
    json_object_put(call(t, "POST", "/api/integrations", body, 201));
}

/* The name's checks (length, characters) belong with the others: one answer
 * lists every problem of the request. */
static void test_create_lists_long_name_with_other_problems(void **state)
{
    struct api_test *t = *state;
    char body[512], name[202];

    memset(name, 'n', 201);
    name[201] = '\0';
    snprintf(body, sizeof(body),
             "{\"connector\":\"testkey\",\"name\":\"%s\",\"config\":{\"subdomain\":\"Bad!\"}}",
             name);
    struct json_object *v = call_invalid(t, "POST", "/api/integrations", body, "/config/subdomain");
    bool listed = detail(v, "/name") != NULL;
    json_object_put(v);
    if (!listed)
        fail_msg("a 201-byte name is not reported with the config problem");
}

/* JSON strings may hold U+0000; a C string stops there, so such a name or
 * connector must be refused rather than cut short. */
static void test_create_refuses_nul_in_name(void **state)
{
    struct api_test *t = *state;

    expect_invalid(t, "POST", "/api/integrations",
                   "{\"connector\":\"testnone\",\"name\":\"ab\\u0000cd\"}", "/name");
    expect_nothing_written(t);
}

static void test_create_refuses_nul_in_connector(void **state)
{
    struct api_test *t = *state;

    expect_invalid(t, "POST", "/api/integrations",
                   "{\"connector\":\"testnone\\u0000x\",\"name\":\"x\"}", "/connector");
    expect_nothing_written(t);
}

static void test_duplicate_name_conflicts_within_tenant(void **state)
{
    struct api_test *t = *state;
    char first[ID_MAX], other[ID_MAX], b_id[ID_MAX], path[96];

    create_a(t, NOAUTH("Shared name"), first);
    call_error(t, "POST", "/api/integrations", KEYED("Shared name"), 409, "conflict");
    api_test_create(t, t->b.key, NOAUTH("Shared name"), b_id);

    create_a(t, NOAUTH("Other"), other);
    int_path(path, other);
    call_error(t, "PUT", path, "{\"name\":\"Shared name\"}", 409, "conflict");
    call_error(t, "PATCH", path, "{\"name\":\"Shared name\"}", 409, "conflict");

    int_path(path, first);
    call(t, "DELETE", path, NULL, 204);
    create_a(t, NOAUTH("Shared name"), first);
    int_path(path, other);
    json_object_put(call(t, "PATCH", path, "{\"name\":\"Other again\"}", 200));
}

/* ---- read and list ---- */

static void test_get_one_and_unknown_ids(void **state)
{
    struct api_test *t = *state;
    static const char *const malformed[] = {
        "int_123",
        "INT_01JD5X8K2V9Q3M7R4T6W8Y0Z1A",
        "int_01jd5x8k2v9q3m7r4t6w8y0z1u", /* u is not Crockford */
        "aud_01jd5x8k2v9q3m7r4t6w8y0z1a",
        "int_81jd5x8k2v9q3m7r4t6w8y0z1a", /* over 128 bits */
        "int_01jd5x8k2v9q3m7r4t6w8y0z1ab",
    };
    struct client_reply r;
    char id[ID_MAX], unknown[ID_MAX], path[96];

    api_test_call(t, &r, "POST", "/api/integrations", t->a.key, KEYED("Read me"), NULL);
    assert_int_equal(r.status, 201);
    struct json_object *created = api_test_json(&r);
    snprintf(id, sizeof(id), "%s", member(created, "id"));
    client_reply_dispose(&r);

    int_path(path, id);
    struct json_object *got = call(t, NULL, path, NULL, 200);
    if (!json_object_equal(got, created))
        fail_msg("GET %s differs from the create: %s", json_object_to_json_string(got),
                 json_object_to_json_string(created));
    json_object_put(got);
    json_object_put(created);

    api_test_call(t, &r, NULL, path, t->b.key, NULL, NULL);
    api_test_expect_error(&r, 404, "not_found");
    client_reply_dispose(&r);

    id_new(unknown, "int");
    int_path(path, unknown);
    call_error(t, NULL, path, NULL, 404, "not_found");
    for (size_t i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
        int_path(path, malformed[i]);
        call_error(t, NULL, path, NULL, 404, "not_found");
    }
}

static void test_list_pages_oldest_first(void **state)
{
    struct api_test *t = *state;
    char ids[7][ID_MAX], all[512], want[512], got[512], next[ID_MAX], path[160];
    size_t used = 0;

    for (int i = 0; i < 7; i++) {
        char body[256];
        next_ms();
        if (i % 3 == 0)
            snprintf(body, sizeof(body), NOAUTH("list %d"), i);
        else if (i % 3 == 1)
            snprintf(body, sizeof(body), DRAFT("list %d"), i);
        else
            snprintf(body, sizeof(body), KEYED("list %d"), i);
        create_a(t, body, ids[i]);
        used += (size_t)snprintf(all + used, sizeof(all) - used, "%s%s", i ? "," : "", ids[i]);
    }

    /* Pages of three: 3, 3, 1, following next_cursor until it is null. */
    char pages[3][128];
    snprintf(pages[0], sizeof(pages[0]), "%s,%s,%s", ids[0], ids[1], ids[2]);
    snprintf(pages[1], sizeof(pages[1]), "%s,%s,%s", ids[3], ids[4], ids[5]);
    snprintf(pages[2], sizeof(pages[2]), "%s", ids[6]);
    snprintf(path, sizeof(path), "%s", "/api/integrations?limit=3");
    for (int page = 0; page < 3; page++) {
        list_of(t, t->a.key, path, "id", got, sizeof(got), next);
        assert_string_equal(got, pages[page]);
        assert_string_equal(next, page < 2 ? ids[page * 3 + 2] : "");
        snprintf(path, sizeof(path), "/api/integrations?limit=3&cursor=%s", next);
    }

    /* A page that holds exactly the rest says there is no more. */
    list_of(t, t->a.key, "/api/integrations?limit=7", "id", got, sizeof(got), next);
    assert_string_equal(got, all);
    assert_string_equal(next, "");

    ids_of(t, "/api/integrations?status=active", got, sizeof(got));
    snprintf(want, sizeof(want), "%s,%s,%s,%s,%s", ids[0], ids[2], ids[3], ids[5], ids[6]);
    assert_string_equal(got, want);
    ids_of(t, "/api/integrations?status=draft", got, sizeof(got));
    snprintf(want, sizeof(want), "%s,%s", ids[1], ids[4]);
    assert_string_equal(got, want);
    ids_of(t, "/api/integrations?connector=testnone", got, sizeof(got));
    snprintf(want, sizeof(want), "%s,%s,%s", ids[0], ids[3], ids[6]);
    assert_string_equal(got, want);
    ids_of(t, "/api/integrations?status=paused", got, sizeof(got));
    assert_string_equal(got, "");

    /* A filter and a cursor together. */
    list_of(t, t->a.key, "/api/integrations?status=active&limit=3", "id", got, sizeof(got), next);
    snprintf(want, sizeof(want), "%s,%s,%s", ids[0], ids[2], ids[3]);
    assert_string_equal(got, want);
    assert_string_equal(next, ids[3]);
    snprintf(path, sizeof(path), "/api/integrations?status=active&limit=3&cursor=%s", next);
    list_of(t, t->a.key, path, "id", got, sizeof(got), next);
    snprintf(want, sizeof(want), "%s,%s", ids[5], ids[6]);
    assert_string_equal(got, want);
    assert_string_equal(next, "");

    list_of(t, t->b.key, "/api/integrations", "id", got, sizeof(got), next);
    assert_string_equal(got, "");

    call_error(t, NULL, "/api/integrations?cursor=garbage", NULL, 400, "invalid_parameter");
    call_error(t, NULL, "/api/integrations?cursor=aud_01jd5x8k2v9q3m7r4t6w8y0z1a", NULL, 400,
               "invalid_parameter");
}

/* The connectors list counts the tenant's integrations of each. */
static int64_t connector_count(struct api_test *t, const char *key, const char *name)
{
    struct client_reply r;
    api_test_call(t, &r, NULL, "/api/connectors", key, NULL, NULL);
    if (r.status != 200)
        fail_reply(&r, "/api/connectors");
    struct json_object *v = api_test_json(&r), *data = jsonx_get(v, "data");
    int64_t n = -1;
    for (size_t i = 0; i < jsonx_len(data); i++)
        if (strcmp(member(jsonx_at(data, i), "name"), name) == 0)
            n = json_object_get_int64(jsonx_get(jsonx_at(data, i), "integrations"));
    json_object_put(v);
    client_reply_dispose(&r);
    return n;
}

/* q finds names holding it in any case, its wildcards taken literally;
 * include=last_run adds each one's newest run; the connectors list counts
 * them per connector, per tenant. */
static void test_list_search_last_run_and_counts(void **state)
{
    struct api_test *t = *state;
    char eu[ID_MAX], us[ID_MAX], odd[ID_MAX], tap[ID_MAX], got[512], want[512], next[ID_MAX];
    char path[160];

    next_ms();
    create_a(t, NOAUTH("Sales EU"), eu);
    next_ms();
    create_a(t, NOAUTH("sales us"), us);
    next_ms();
    create_a(t, NOAUTH("Support 100%_x"), odd);
    next_ms();
    api_test_create(t, t->a.key,
                    "{\"connector\":\"testtap\",\"name\":\"Counter\",\"config\":{\"count\":3}}",
                    tap);

    ids_of(t, "/api/integrations?q=SALES", got, sizeof(got));
    snprintf(want, sizeof(want), "%s,%s", eu, us);
    assert_string_equal(got, want);
    ids_of(t, "/api/integrations?q=%25", got, sizeof(got)); /* "%" is a character */
    assert_string_equal(got, odd);
    ids_of(t, "/api/integrations?q=0%25_", got, sizeof(got));
    assert_string_equal(got, odd);
    ids_of(t, "/api/integrations?q=s_", got, sizeof(got)); /* "_" is not "any one" */
    assert_string_equal(got, "");
    ids_of(t, "/api/integrations?q=s&status=active&connector=testnone", got, sizeof(got));
    snprintf(want, sizeof(want), "%s,%s,%s", eu, us, odd);
    assert_string_equal(got, want);
    list_of(t, t->a.key, "/api/integrations?q=s&limit=2", "id", got, sizeof(got), next);
    snprintf(want, sizeof(want), "%s,%s", eu, us);
    assert_string_equal(got, want);
    snprintf(path, sizeof(path), "/api/integrations?q=s&limit=2&cursor=%s", next);
    list_of(t, t->a.key, path, "id", got, sizeof(got), next);
    snprintf(want, sizeof(want), "%s", odd);
    assert_string_equal(got, want);
    list_of(t, t->b.key, "/api/integrations?q=sales", "id", got, sizeof(got), next);
    assert_string_equal(got, "");
    char longq[INTEGRATION_NAME_MAX + 40];
    snprintf(longq, sizeof(longq), "/api/integrations?q=%0*d", INTEGRATION_NAME_MAX + 1, 0);
    call_error(t, NULL, longq, NULL, 400, "invalid_parameter");
    call_error(t, NULL, "/api/integrations?include=runs", NULL, 400, "invalid_parameter");

    /* No run yet: null. Then the newest of two. */
    struct json_object *v =
        api_test_expect(t, "GET", "/api/integrations?include=last_run", NULL, 200);
    struct json_object *data = jsonx_get(v, "data");
    assert_int_equal(jsonx_len(data), 4);
    for (size_t i = 0; i < 4; i++) {
        struct json_object *lr = (struct json_object *)1;
        assert_true(json_object_object_get_ex(jsonx_at(data, i), "last_run", &lr));
        assert_null(lr);
    }
    json_object_put(v);
    snprintf(path, sizeof(path), "/api/integrations/%s/discover", tap);
    json_object_put(api_test_expect(t, "POST", path, NULL, 200));
    json_object_put(api_test_sync_wait(t, tap, "{}"));
    struct json_object *run = api_test_sync_wait(t, tap, "{\"mode\":\"full\"}");
    v = api_test_expect(t, "GET", "/api/integrations?include=last_run&q=counter", NULL, 200);
    struct json_object *lr = jsonx_get(jsonx_at(jsonx_get(v, "data"), 0), "last_run");
    assert_string_equal(member(lr, "id"), member(run, "id"));
    assert_string_equal(member(lr, "status"), "success");
    assert_string_equal(member(lr, "triggered_by"), "manual");
    assert_string_equal(member(lr, "finished_at"), member(run, "finished_at"));
    assert_true(json_object_is_type(jsonx_get(lr, "error"), json_type_null));
    json_object_put(v);
    json_object_put(run);

    assert_int_equal(connector_count(t, t->a.key, "testnone"), 3);
    assert_int_equal(connector_count(t, t->a.key, "testtap"), 1);
    assert_int_equal(connector_count(t, t->a.key, "testkey"), 0);
    assert_int_equal(connector_count(t, t->b.key, "testnone"), 0);
    char del[96];
    struct client_reply r;
    int_path(del, us);
    api_test_call(t, &r, "DELETE", del, t->a.key, NULL, NULL);
    assert_int_equal(r.status, 204);
    client_reply_dispose(&r);
    assert_int_equal(connector_count(t, t->a.key, "testnone"), 2);
}

/* ---- PUT ---- */

static void test_put_replaces_name_and_config(void **state)
{
    struct api_test *t = *state;
    char id[ID_MAX], path[96], unknown[ID_MAX];
    struct json_object *v;

    create_a(t,
             "{\"connector\":\"testkey\",\"name\":\"Before\",\"config\":" ACME_CONFIG
             ",\"secrets\":{\"api_key\":\"" KEY1 "\",\"account_id\":\"" ACC1 "\"}}",
             id);
    int_path(path, id);

    /* Without secrets: name and config replaced, secrets kept. */
    v = call(t, "PUT", path, "{\"name\":\"After\",\"config\":{\"subdomain\":\"other\"}}", 200);
    assert_string_equal(member(v, "id"), id);
    assert_string_equal(member(v, "name"), "After");
    assert_string_equal(member(v, "status"), "active");
    expect_json(jsonx_get(v, "config"), "{\"subdomain\":\"other\"}");
    expect_json(jsonx_get(v, "secrets_set"), "[\"api_key\",\"account_id\"]");
    json_object_put(v);
    expect_secrets(t, id, "{\"api_key\":\"" KEY1 "\",\"account_id\":\"" ACC1 "\"}");

    /* With secrets: all of them replaced. The connector may be restated. */
    v = call(t, "PUT", path,
             "{\"connector\":\"testkey\",\"name\":\"After\",\"config\":{\"subdomain\":\"other\"},"
             "\"secrets\":{\"api_key\":\"" KEY2 "\"}}",
             200);
    expect_json(jsonx_get(v, "secrets_set"), "[\"api_key\"]");
    assert_null(strstr(json_object_to_json_string(v), KEY2));
    json_object_put(v);
    expect_secrets(t, id, "{\"api_key\":\"" KEY2 "\"}");

    /* A value that needs escaping is stored byte for byte. */
    json_object_put(call(t, "PUT", path,
                         "{\"name\":\"After\",\"config\":{\"subdomain\":\"other\"},"
                         "\"secrets\":{\"api_key\":\"" ODD_KEY "\"}}",
                         200));
    expect_secrets(t, id, "{\"api_key\":\"" ODD_KEY "\"}");
    json_object_put(call(t, "PUT", path,
                         "{\"name\":\"After\",\"config\":{\"subdomain\":\"other\"},"
                         "\"secrets\":{\"api_key\":\"" KEY2 "\"}}",
                         200));

    expect_invalid(
        t, "PUT", path,
        "{\"connector\":\"testnone\",\"name\":\"After\",\"config\":{\"subdomain\":\"o\"}}",
        "/connector");
    expect_invalid(t, "PUT", path, "{\"config\":{\"subdomain\":\"other\"}}", "/name");
    expect_invalid(t, "PUT", path, "{\"name\":\"After\"}", "/config/subdomain"); /* config {} */
    v = call_invalid(t, "PUT", path,
                     "{\"name\":\"\",\"config\":{\"subdomain\":\"Bad!\"},"
                     "\"secrets\":{\"api_key\":\"short\"}}",
                     "/name");
    assert_non_null(detail(v, "/config/subdomain"));
    assert_non_null(detail(v, "/secrets/api_key"));
    json_object_put(v);

    /* None of the refusals changed anything. */
    v = call(t, NULL, path, NULL, 200);
    assert_string_equal(member(v, "name"), "After");
    expect_json(jsonx_get(v, "config"), "{\"subdomain\":\"other\"}");
    json_object_put(v);
    expect_secrets(t, id, "{\"api_key\":\"" KEY2 "\"}");

    id_new(unknown, "int");
    int_path(path, unknown);
    call_error(t, "PUT", path, "{\"name\":\"x\",\"config\":{\"subdomain\":\"o\"}}", 404,
               "not_found");
}

static void test_put_with_secrets_activates_draft(void **state)
{
    struct api_test *t = *state;
    char id[ID_MAX], path[96];

    create_a(t, DRAFT("Draft"), id);
    int_path(path, id);
    struct json_object *v = call(t, "PUT", path,
                                 "{\"name\":\"Draft\",\"config\":" ACME_CONFIG
                                 ",\"secrets\":{\"api_key\":\"" KEY1 "\"}}",
                                 200);
    assert_string_equal(member(v, "status"), "active");
    expect_json(jsonx_get(v, "secrets_set"), "[\"api_key\"]");
    json_object_put(v);
    expect_secrets(t, id, "{\"api_key\":\"" KEY1 "\"}");
}

/* ---- PATCH ---- */

static void test_patch_merges_config(void **state)
{
    struct api_test *t = *state;
    char id[ID_MAX], path[96];
    struct json_object *v;

    create_a(t, KEYED("Merge"), id);
    int_path(path, id);

    v = call(t, "PATCH", path, "{\"config\":{\"page_size\":5}}", 200);
    expect_json(jsonx_get(v, "config"), "{\"subdomain\":\"acme\",\"page_size\":5}");
    json_object_put(v);
    v = call(t, "PATCH", path, "{\"config\":{\"page_size\":null}}", 200);
    expect_json(jsonx_get(v, "config"), "{\"subdomain\":\"acme\"}");
    json_object_put(v);

    expect_invalid(t, "PATCH", path, "{\"config\":{\"subdomain\":null}}", "/config/subdomain");
    v = call_invalid(t, "PATCH", path, "{\"config\":{\"page_size\":0,\"extra\":true}}",
                     "/config/page_size");
    assert_non_null(detail(v, "/config/extra"));
    json_object_put(v);
    expect_invalid(t, "PATCH", path, "{\"config\":[1]}", "/config");
    expect_invalid(t, "PATCH", path, "{\"name\":\"Renamed\",\"config\":{\"subdomain\":\"B A D\"}}",
                   "/config/subdomain");
    call_error(t, "PATCH", path, "{\"connector\":\"testnone\"}", 400, "unknown_field");

    v = call(t, NULL, path, NULL, 200);
    assert_string_equal(member(v, "name"), "Merge");
    expect_json(jsonx_get(v, "config"), "{\"subdomain\":\"acme\"}");
    json_object_put(v);

    v = call(t, "PATCH", path, "{\"name\":\"Renamed\"}", 200);
    assert_string_equal(member(v, "name"), "Renamed");
    expect_json(jsonx_get(v, "config"), "{\"subdomain\":\"acme\"}");
    json_object_put(v);
    expect_invalid(t, "PATCH", path, "{\"name\":\"\"}", "/name");
}

static void test_patch_merges_secrets(void **state)
{
    struct api_test *t = *state;
    char id[ID_MAX], draft[ID_MAX], basic[ID_MAX], path[96];
    struct json_object *v;

    create_a(t, KEYED("Keys"), id);
    int_path(path, id);

    v = call(t, "PATCH", path, "{\"secrets\":{\"account_id\":\"acc1\"}}", 200);
    expect_json(jsonx_get(v, "secrets_set"), "[\"api_key\",\"account_id\"]");
    assert_null(strstr(json_object_to_json_string(v), "acc1"));
    json_object_put(v);
    expect_secrets(t, id, "{\"api_key\":\"" KEY1 "\",\"account_id\":\"acc1\"}");

    v = call(t, "PATCH", path, "{\"secrets\":{\"account_id\":null}}", 200);
    expect_json(jsonx_get(v, "secrets_set"), "[\"api_key\"]");
    json_object_put(v);
    expect_secrets(t, id, "{\"api_key\":\"" KEY1 "\"}");

    expect_invalid(t, "PATCH", path, "{\"secrets\":{\"api_key\":null}}", "/secrets/api_key");
    expect_invalid(t, "PATCH", path, "{\"secrets\":{\"api_key\":\"short\"}}", "/secrets/api_key");
    expect_invalid(t, "PATCH", path, "{\"secrets\":{\"api_key\":5}}", "/secrets/api_key");
    expect_invalid(t, "PATCH", path, "{\"secrets\":\"" KEY2 "\"}", "/secrets");
    expect_secrets(t, id, "{\"api_key\":\"" KEY1 "\"}");

    /* Basic auth: a new password keeps the user name. */
    create_a(t,
             "{\"connector\":\"testbasic\",\"name\":\"Tracker\","
             "\"secrets\":{\"username\":\"me\",\"password\":\"old\"}}",
             basic);
    int_path(path, basic);
    json_object_put(call(t, "PATCH", path, "{\"secrets\":{\"password\":\"new\"}}", 200));
    expect_secrets(t, basic, "{\"username\":\"me\",\"password\":\"new\"}");
    expect_invalid(t, "PATCH", path, "{\"secrets\":{\"password\":\"\"}}", "/secrets/password");

    create_a(t, DRAFT("Draft keys"), draft);
    int_path(path, draft);
    v = call(t, "PATCH", path, "{\"secrets\":{\"api_key\":\"" KEY2 "\"}}", 200);
    assert_string_equal(member(v, "status"), "active");
    json_object_put(v);
    expect_secrets(t, draft, "{\"api_key\":\"" KEY2 "\"}");
}

static void test_patch_status_pause_and_resume(void **state)
{
    struct api_test *t = *state;
    char id[ID_MAX], draft[ID_MAX], path[96], got[256];
    struct json_object *v, *before;

    create_a(t, KEYED("Runs"), id);
    int_path(path, id);

    v = call(t, "PATCH", path, "{\"status\":\"paused\"}", 200);
    assert_string_equal(member(v, "status"), "paused");
    json_object_put(v);
    ids_of(t, "/api/integrations?status=paused", got, sizeof(got));
    assert_string_equal(got, id);
    v = call(t, "PATCH", path, "{\"status\":\"active\"}", 200);
    assert_string_equal(member(v, "status"), "active");
    json_object_put(v);

    expect_invalid(t, "PATCH", path, "{\"status\":\"error\"}", "/status");
    expect_invalid(t, "PATCH", path, "{\"status\":\"draft\"}", "/status");
    expect_invalid(t, "PATCH", path, "{\"status\":1}", "/status");

    /* An empty patch changes nothing. */
    before = call(t, NULL, path, NULL, 200);
    v = call(t, "PATCH", path, "{}", 200);
    static const char *const kept[] = {"id", "name", "config", "status", "secrets_set"};
    for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
        if (!json_object_equal(jsonx_get(v, kept[i]), jsonx_get(before, kept[i])))
            fail_msg("%s changed: %s -> %s", kept[i], json_object_to_json_string(before),
                     json_object_to_json_string(v));
    json_object_put(v);
    json_object_put(before);
    expect_secrets(t, id, "{\"api_key\":\"" KEY1 "\"}");

    create_a(t, DRAFT("Not connected"), draft);
    int_path(path, draft);
    call_error(t, "PATCH", path, "{\"status\":\"paused\"}", 409, "conflict");
    call_error(t, "PATCH", path, "{\"status\":\"active\"}", 409, "conflict");
    v = call(t, NULL, path, NULL, 200);
    assert_string_equal(member(v, "status"), "draft");
    json_object_put(v);
}

/* Set an integration's status as inlet itself would (a failed refresh,
 * a sync that gave up), through the store. */
static void set_status(struct api_test *t, const char *id, const char *status)
{
    struct err e;
    assert_db_ok(db_begin_tenant(t->tdb->db, t->a.id, &e), &e);
    assert_db_ok(integration_update(NULL, t->tdb->db, t->a.id, id,
                                    &(struct integration_change){.status = status}, 0, &e),
                 &e);
    assert_db_ok(db_commit(t->tdb->db, &e), &e);
}

/* needs_reauth is fixed by new credentials, never by pausing and resuming;
 * an integration in error may be paused (to stop retries) but only a
 * paused one resumes. New secrets bring either back to active. */
static void test_status_needs_credentials_not_a_flip(void **state)
{
    struct api_test *t = *state;
    char id[ID_MAX], path[96];
    struct json_object *v;

    create_a(t, KEYED("Expired"), id);
    int_path(path, id);
    set_status(t, id, "needs_reauth");
    call_error(t, "PATCH", path, "{\"status\":\"paused\"}", 409, "conflict");
    call_error(t, "PATCH", path, "{\"status\":\"active\"}", 409, "conflict");
    v = call(t, "PATCH", path, "{\"secrets\":{\"api_key\":\"" KEY2 "\"}}", 200);
    assert_string_equal(member(v, "status"), "active");
    json_object_put(v);

    set_status(t, id, "error");
    call_error(t, "PATCH", path, "{\"status\":\"active\"}", 409, "conflict");
    v = call(t, "PATCH", path, "{\"status\":\"paused\"}", 200);
    assert_string_equal(member(v, "status"), "paused");
    json_object_put(v);
    v = call(t, "PATCH", path, "{\"status\":\"active\"}", 200);
    assert_string_equal(member(v, "status"), "active");
    json_object_put(v);
}

/* Lists are answered from memory while nothing changed (api/cache.h), and
 * a change made behind the API's back (another process sharing the
 * database: here the store called directly) shows in the very next list. */
static void test_list_sees_changes_from_elsewhere(void **state)
{
    struct api_test *t = *state;
    char id[ID_MAX];
    struct json_object *first, *again, *v;

    create_a(t, KEYED("Cached"), id);
    first = call(t, NULL, "/api/integrations", NULL, 200);
    again = call(t, NULL, "/api/integrations", NULL, 200);
    assert_true(json_object_equal(first, again));
    json_object_put(again);

    set_status(t, id, "paused");
    v = call(t, NULL, "/api/integrations", NULL, 200);
    assert_string_equal(member(jsonx_at(jsonx_get(v, "data"), 0), "status"), "paused");
    json_object_put(v);
    v = call(t, NULL, "/api/integrations?status=active", NULL, 200);
    assert_int_equal(jsonx_len(jsonx_get(v, "data")), 0);
    json_object_put(v);
    json_object_put(first);
}

/* A connector without secrets accepts an empty secrets object (as create
 * and PUT do) and stores nothing for it. */
static void test_patch_empty_secrets_without_auth(void **state)
{
    struct api_test *t = *state;
    char id[ID_MAX], path[96];
    struct json_object *v, *none;

    create_a(t, NOAUTH("Public"), id);
    int_path(path, id);
    v = call(t, "PATCH", path, "{\"secrets\":{}}", 200);
    assert_string_equal(member(v, "status"), "active");
    expect_json(jsonx_get(v, "secrets_set"), "[]");
    json_object_put(v);
    assert_int_equal(open_secrets(t, id, &none), ERR_NOTFOUND);

    create_a(t, "{\"connector\":\"salesforce\",\"name\":\"CRM\"}", id);
    int_path(path, id);
    v = call(t, "PATCH", path, "{\"secrets\":{}}", 200);
    assert_string_equal(member(v, "status"), "draft");
    json_object_put(v);
    assert_int_equal(open_secrets(t, id, &none), ERR_NOTFOUND);
    assert_int_equal(rows_of(t, CREDENTIAL_ROWS, id), 0);
}

/* ---- DELETE ---- */

static void test_delete_then_purge(void **state)
{
    struct api_test *t = *state;
    char id[ID_MAX], other[ID_MAX], path[96], purge[128], got[256];
    struct json_object *none;
    struct client_reply r;

    create_a(t, KEYED("Doomed"), id);
    create_a(t, NOAUTH("Survivor"), other);
    int_path(path, id);
    assert_int_equal(rows_of(t, CREDENTIAL_ROWS, id), 1);

    /* Another tenant can neither delete nor purge it. */
    api_test_call(t, &r, "DELETE", path, t->b.key, NULL, NULL);
    api_test_expect_error(&r, 404, "not_found");
    client_reply_dispose(&r);
    snprintf(purge, sizeof(purge), "%s?purge=true", path);
    api_test_call(t, &r, "DELETE", purge, t->b.key, NULL, NULL);
    api_test_expect_error(&r, 404, "not_found");
    client_reply_dispose(&r);
    assert_int_equal(rows_of(t, INTEGRATION_ROWS, id), 1);
    assert_int_equal(rows_of(t, CREDENTIAL_ROWS, id), 1);

    call(t, "DELETE", path, NULL, 204);
    call_error(t, NULL, path, NULL, 404, "not_found");
    ids_of(t, "/api/integrations", got, sizeof(got));
    assert_string_equal(got, other);
    ids_of(t, "/api/integrations?status=disconnected", got, sizeof(got));
    assert_string_equal(got, "");
    assert_int_equal(open_secrets(t, id, &none), ERR_NOTFOUND);
    assert_int_equal(rows_of(t, CREDENTIAL_ROWS, id), 0);
    assert_int_equal(rows_of(t, INTEGRATION_ROWS, id), 1); /* soft: the row stays */
    call_error(t, "PATCH", path, "{\"name\":\"Back\"}", 404, "not_found");
    call_error(t, "PUT", path, NOAUTH("Back"), 404, "not_found");
    call_error(t, "DELETE", path, NULL, 404, "not_found");

    snprintf(purge, sizeof(purge), "%s?purge=maybe", path);
    call_error(t, "DELETE", purge, NULL, 400, "invalid_parameter");
    snprintf(purge, sizeof(purge), "%s?force=true", path);
    call_error(t, "DELETE", purge, NULL, 400, "unknown_parameter");
    assert_int_equal(rows_of(t, INTEGRATION_ROWS, id), 1);

    /* Purge reaches the soft-deleted row. */
    snprintf(purge, sizeof(purge), "%s?purge=true", path);
    json_object_put(call(t, "DELETE", purge, NULL, 200));
    assert_int_equal(rows_of(t, INTEGRATION_ROWS, id), 0);
    call_error(t, "DELETE", purge, NULL, 404, "not_found");
    call_error(t, "DELETE", path, NULL, 404, "not_found");

    /* A live one purged at once. */
    int_path(path, other);
    snprintf(purge, sizeof(purge), "%s?purge=1", path);
    json_object_put(call(t, "DELETE", purge, NULL, 200));
    assert_int_equal(rows_of(t, INTEGRATION_ROWS, other), 0);
    call_error(t, "DELETE", "/api/integrations/int_123", NULL, 404, "not_found");
}

/* ---- audit ---- */

static void test_audit_records_each_change(void **state)
{
    struct api_test *t = *state;
    static const char *const actions[] = {"integration.delete", "integration.patch",
                                          "integration.update", "integration.create"};
    char id[ID_MAX], key_id[ID_MAX], path[96];
    struct client_reply r;

    api_test_call(t, &r, NULL, "/api/session", t->a.key, NULL, NULL);
    assert_int_equal(r.status, 200);
    api_test_str(&r, "key_id", key_id, sizeof(key_id));
    client_reply_dispose(&r);

    create_a(t, KEYED("Audited"), id);
    int_path(path, id);
    next_ms();
    json_object_put(call(t, "PUT", path,
                         "{\"name\":\"Audited\",\"config\":" ACME_CONFIG
                         ",\"secrets\":{\"api_key\":\"" KEY2 "\"}}",
                         200));
    next_ms();
    json_object_put(call(t, "PATCH", path, "{\"secrets\":{\"account_id\":\"" ACC1 "\"}}", 200));
    next_ms();
    call(t, "DELETE", path, NULL, 204);

    api_test_call(t, &r, NULL, "/api/audit", t->a.key, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_null(strstr(buf_cstr(&r.body), KEY1));
    assert_null(strstr(buf_cstr(&r.body), KEY2));
    assert_null(strstr(buf_cstr(&r.body), ACC1));
    struct json_object *v = api_test_json(&r), *data = jsonx_get(v, "data");
    assert_int_equal(jsonx_len(data), 4);
    assert_true(jsonx_has(v, "next_cursor") && !jsonx_get(v, "next_cursor"));
    for (size_t i = 0; i < 4; i++) {
        struct json_object *en = jsonx_at(data, i);
        assert_true(id_valid(member(en, "id"), "aud"));
        assert_string_equal(member(en, "action"), actions[i]);
        assert_string_equal(member(en, "actor"), key_id);
        assert_string_equal(member(en, "target_type"), "integration");
        assert_string_equal(member(en, "target_id"), id);
        assert_string_equal(member(en, "ip"), "127.0.0.1");
        assert_true(json_object_is_type(jsonx_get(en, "data"), json_type_object));
        member(en, "created_at");
    }
    expect_json(jsonx_get(jsonx_at(data, 0), "data"), "{\"purge\":false}");
    expect_json(jsonx_get(jsonx_at(data, 1), "data"), "{\"fields\":[\"secrets\"]}");
    expect_json(jsonx_get(jsonx_at(data, 2), "data"),
                "{\"fields\":[\"name\",\"config\",\"secrets\"]}");
    expect_json(jsonx_get(jsonx_at(data, 3), "data"),
                "{\"connector\":\"testkey\",\"name\":\"Audited\"}");
    json_object_put(v);
    client_reply_dispose(&r);

    char got[256], next[ID_MAX];
    list_of(t, t->b.key, "/api/audit", "id", got, sizeof(got), next);
    assert_string_equal(got, "");
}

static void test_audit_pages_newest_first(void **state)
{
    struct api_test *t = *state;
    char ids[5][ID_MAX], all[512], want[512], got[512], next[ID_MAX], path[160];
    size_t used = 0;

    for (int i = 0; i < 5; i++) {
        char body[128];
        next_ms();
        snprintf(body, sizeof(body), NOAUTH("audit %d"), i);
        create_a(t, body, ids[i]);
    }
    /* Newest first: the targets in the reverse order of creation. */
    list_of(t, t->a.key, "/api/audit", "target_id", got, sizeof(got), next);
    snprintf(want, sizeof(want), "%s,%s,%s,%s,%s", ids[4], ids[3], ids[2], ids[1], ids[0]);
    assert_string_equal(got, want);
    assert_string_equal(next, "");
    list_of(t, t->a.key, "/api/audit", "id", all, sizeof(all), next);

    snprintf(path, sizeof(path), "%s", "/api/audit?limit=2");
    got[0] = '\0';
    for (int page = 0;; page++) {
        char one[256];
        assert_true(page < 3);
        list_of(t, t->a.key, path, "id", one, sizeof(one), next);
        assert_int_equal(strlen(one), page < 2 ? 2 * strlen(ids[0]) + 1 : strlen(ids[0]));
        used += (size_t)snprintf(got + used, sizeof(got) - used, "%s%s", page ? "," : "", one);
        if (!*next)
            break;
        assert_non_null(strstr(one, next));
        snprintf(path, sizeof(path), "/api/audit?limit=2&cursor=%s", next);
    }
    assert_string_equal(got, all);

    call_error(t, NULL, "/api/audit?limit=0", NULL, 400, "invalid_parameter");
    call_error(t, NULL, "/api/audit?limit=201", NULL, 400, "invalid_parameter");
    call_error(t, NULL, "/api/audit?limit=two", NULL, 400, "invalid_parameter");
    call_error(t, NULL, "/api/audit?cursor=garbage", NULL, 400, "invalid_parameter");
    snprintf(path, sizeof(path), "/api/audit?cursor=%s", ids[0]); /* an int_ id */
    call_error(t, NULL, path, NULL, 400, "invalid_parameter");
    call_error(t, NULL, "/api/audit?since=yesterday", NULL, 400, "unknown_parameter");
}

int test_api_integrations(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, api_test_setup, api_test_teardown)
    const struct CMUnitTest tests[] = {
        T(test_create_with_secrets_is_active),
        T(test_create_status_by_auth),
        T(test_create_reports_every_problem),
        T(test_create_checks_each_field),
        T(test_create_lists_long_name_with_other_problems),
        T(test_create_refuses_nul_in_name),
        T(test_create_refuses_nul_in_connector),
        T(test_duplicate_name_conflicts_within_tenant),
        T(test_get_one_and_unknown_ids),
        T(test_list_pages_oldest_first),
        T(test_list_search_last_run_and_counts),
        T(test_put_replaces_name_and_config),
        T(test_put_with_secrets_activates_draft),
        T(test_patch_merges_config),
        T(test_patch_merges_secrets),
        T(test_patch_status_pause_and_resume),
        T(test_status_needs_credentials_not_a_flip),
        T(test_list_sees_changes_from_elsewhere),
        T(test_patch_empty_secrets_without_auth),
        T(test_delete_then_purge),
        T(test_audit_records_each_change),
        T(test_audit_pages_newest_first),
    };
#undef T
    return test_group_db("api_integrations", tests);
}
