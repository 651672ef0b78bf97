/* tests/unit/connectors/test_engine.c - the declarative engine's own rules,
 * with the provider played by a table of answers (the sandbox covers
 * Salesforce and HubSpot end to end in tests/api/test_api_sync_native.c;
 * these are the pagination kinds and edge cases no emulated provider
 * uses): offset, page number, Link header and body cursors; next-page URLs
 * that leave the base URL refused; the bookmark less the lookback, and a
 * STATE per page only for sorted streams; strings typed by the schema,
 * flatten, drop and deletes; a search window that cannot move; an errors
 * rule that stops a stream as "limited"; template syntax. */
#include <stdio.h>
#include <string.h>

#include <json-c/json_object.h>
#include <json-c/json_tokener.h>

#include "connectors/engine.h"
#include "connectors/template.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/jsonx.h"
#include "test.h"

#define BASE "https://api.example.com/v1"

/* One canned answer: for a request whose path starts with prefix (and
 * whose body contains has, when given). */
struct answer {
    const char *prefix, *has;
    long status;
    const char *head, *body;
};

struct fake {
    const struct answer *answers;
    struct buf requests;      /* "METHOD path [body]\n" per request */
    struct json_object *msgs; /* what was emitted, as Singer-ish JSON */
    int commits;
};

static int fake_call(void *ctx, const struct engine_req *req, struct fetch_resp *out,
                     struct err *err)
{
    struct fake *f = ctx;
    memset(out, 0, sizeof(*out));
    buf_init(&out->head, 0);
    buf_init(&out->body, 0);
    buf_printf(&f->requests, "%s %s%s%.*s\n", req->method, req->path, req->body ? " " : "",
               (int)req->body_len, req->body ? req->body : "");
    for (const struct answer *a = f->answers; a->prefix; a++) {
        if (strncmp(req->path, a->prefix, strlen(a->prefix)) != 0)
            continue;
        if (a->has && (!req->body || !strstr(req->body, a->has)))
            continue;
        out->status = a->status;
        buf_puts(&out->head, a->head ? a->head : "");
        buf_puts(&out->body, a->body);
        return 0;
    }
    return err_set(err, ERR_IO, "no canned answer for %s", req->path);
}

static int fake_emit(void *ctx, const struct singer_msg *m, struct err *err)
{
    struct fake *f = ctx;
    struct json_object *o = json_object_new_object();
    static const char *const types[] = {"SCHEMA", "RECORD", "STATE", "ACTIVATE_VERSION"};
    (void)err;
    json_object_object_add(o, "type", json_object_new_string(types[m->type]));
    if (m->record)
        json_object_object_add(o, "record", json_object_get(m->record));
    if (m->value)
        json_object_object_add(o, "value", json_object_get(m->value));
    if (m->key_properties)
        json_object_object_add(o, "key_properties", json_object_get(m->key_properties));
    json_object_array_add(f->msgs, o);
    return 0;
}

static int fake_commit(void *ctx, struct err *err)
{
    (void)err;
    ((struct fake *)ctx)->commits++;
    return 0;
}

static struct json_object *parse(const char *text)
{
    struct json_object *o = json_tokener_parse(text);
    if (!o)
        fail_msg("bad JSON in the test: %s", text);
    return o;
}

/* A connector made of file (JSON text), its stream catalog entry for name
 * made from the file's schema with metadata choosing mode. */
struct run {
    struct connector c;
    struct json_object *doc, *stream, *config;
    struct fake f;
    struct engine_outcome out;
    struct err e;
    int rc;
};

static void run_stream(struct run *r, const char *file, const char *catalog_stream,
                       const struct answer *answers, const char *bookmark, bool full)
{
    memset(r, 0, sizeof(*r));
    r->doc = parse(file);
    r->stream = parse(catalog_stream);
    r->config = parse("{\"region\":\"eu\"}");
    r->c.name = "test";
    r->c.doc = r->doc;
    r->f.answers = answers;
    buf_init(&r->f.requests, 0);
    r->f.msgs = json_object_new_array();
    struct engine_env env = {.c = &r->c, .config = r->config, .base_url = BASE};
    struct engine_io io = {
        .call = fake_call, .emit = fake_emit, .commit = fake_commit, .ctx = &r->f};
    r->rc = engine_sync_stream(&r->out, &env, r->stream, bookmark, full, &io, &r->e);
}

static void run_dispose(struct run *r)
{
    json_object_put(r->doc);
    json_object_put(r->stream);
    json_object_put(r->config);
    json_object_put(r->f.msgs);
    buf_dispose(&r->f.requests);
}

static size_t count_type(const struct run *r, const char *type)
{
    size_t n = 0;
    for (size_t i = 0; i < jsonx_len(r->f.msgs); i++)
        n += strcmp(jsonx_str(jsonx_get(jsonx_at(r->f.msgs, i), "type")), type) == 0;
    return n;
}

static struct json_object *record_at(const struct run *r, size_t k)
{
    for (size_t i = 0; i < jsonx_len(r->f.msgs); i++) {
        struct json_object *m = jsonx_at(r->f.msgs, i);
        if (strcmp(jsonx_str(jsonx_get(m, "type")), "RECORD") == 0 && k-- == 0)
            return jsonx_get(m, "record");
    }
    fail_msg("no record %zu", k);
    return NULL;
}

/* A full-refresh stream "items" with pagination (JSON text) and schema. */
static char *items_file(const char *pagination, const char *extra)
{
    struct buf b;
    buf_init(&b, 0);
    buf_printf(&b,
               "{\"name\":\"test\",\"base_url\":\"" BASE "\",\"streams\":[{\"name\":\"items\","
               "\"primary_key\":[\"id\"],\"request\":{\"path\":\"/items\",\"query\":{\"region\":"
               "\"{config.region}\",\"empty\":\"{bookmark}\"}},\"records\":\"data\","
               "\"pagination\":%s%s}]}",
               pagination, extra ? extra : "");
    return buf_take(&b);
}

static const char items_catalog[] =
    "{\"tap_stream_id\":\"items\",\"schema\":{\"type\":\"object\",\"properties\":{\"id\":{"
    "\"type\":\"string\"},\"n\":{\"type\":[\"number\",\"null\"]},\"ok\":{\"type\":[\"boolean\","
    "\"null\"]},\"updated\":{\"type\":\"string\",\"format\":\"date-time\"}}},\"key_properties\":"
    "[\"id\"],\"metadata\":[{\"breadcrumb\":[],\"metadata\":{\"selected\":true,\"replication-"
    "method\":\"FULL_TABLE\",\"inlet-destination-mode\":\"overwrite\"}}]}";

static void offset_and_page(void **state)
{
    (void)state;
    struct run r;
    const struct answer offsets[] = {
        {"/items?region=eu&offset=0&limit=2", NULL, 200, NULL,
         "{\"data\":[{\"id\":\"a\",\"n\":\"1.5\",\"ok\":\"true\"},{\"id\":\"b\",\"n\":\"\"}]}"},
        {"/items?region=eu&offset=2&limit=2", NULL, 200, NULL,
         "{\"data\":[{\"id\":\"c\"},{\"id\":\"d\"}]}"},
        {"/items?region=eu&offset=4&limit=2", NULL, 200, NULL, "{\"data\":[{\"id\":\"e\"}]}"},
        {0}};
    char *file = items_file("{\"type\":\"offset\",\"param\":\"offset\",\"limit_param\":\"limit\","
                            "\"limit\":2}",
                            NULL);
    run_stream(&r, file, items_catalog, offsets, NULL, false);
    if (r.rc < 0)
        fail_msg("%s", r.e.msg);
    assert_int_equal(r.out.records, 5);
    assert_int_equal(r.out.pages, 3);
    assert_int_equal(count_type(&r, "ACTIVATE_VERSION"), 1); /* overwrite */
    assert_int_equal(count_type(&r, "STATE"), 0);            /* no cursor */
    /* Strings typed by the schema; "" is null. */
    struct json_object *a = record_at(&r, 0), *b = record_at(&r, 1);
    assert_true(json_object_is_type(jsonx_get(a, "n"), json_type_double));
    assert_true(json_object_get_boolean(jsonx_get(a, "ok")));
    assert_true(jsonx_has(b, "n") && jsonx_get(b, "n") == NULL);
    xfree(file);
    run_dispose(&r);

    const struct answer pages[] = {
        {"/items?region=eu&page=1", NULL, 200, NULL, "{\"data\":[{\"id\":\"a\"},{\"id\":\"b\"}]}"},
        {"/items?region=eu&page=2", NULL, 200, NULL, "{\"data\":[{\"id\":\"c\"}]}"},
        {0}};
    file = items_file("{\"type\":\"page\",\"param\":\"page\",\"page_size\":2}", NULL);
    run_stream(&r, file, items_catalog, pages, NULL, false);
    if (r.rc < 0)
        fail_msg("%s", r.e.msg);
    assert_int_equal(r.out.records, 3);
    assert_int_equal(r.out.pages, 2);
    xfree(file);
    run_dispose(&r);
}

static void links_stay_home(void **state)
{
    (void)state;
    struct run r;
    const struct answer home[] = {
        {"/items?region=eu&after=x", NULL, 200, NULL, "{\"data\":[{\"id\":\"b\"}]}"},
        {"/items?region=eu", NULL, 200,
         "Link: <" BASE "/items?region=eu&after=x>; rel=\"next\"\r\n",
         "{\"data\":[{\"id\":\"a\"}]}"},
        {0}};
    char *file = items_file("{\"type\":\"link_header\"}", NULL);
    run_stream(&r, file, items_catalog, home, NULL, false);
    if (r.rc < 0)
        fail_msg("%s", r.e.msg);
    assert_int_equal(r.out.records, 2);
    run_dispose(&r);

    /* Elsewhere: another host, a look-alike host, another path, a scheme-
     * relative URL. None is requested. */
    static const char *const away[] = {
        "Link: <https://evil.example/v1/items?after=x>; rel=\"next\"\r\n",
        "Link: <https://api.example.com.evil.example/v1/items>; rel=\"next\"\r\n",
        "Link: <https://api.example.com/v2/items>; rel=\"next\"\r\n",
        "Link: <//evil.example/v1/items>; rel=\"next\"\r\n",
    };
    for (size_t i = 0; i < sizeof(away) / sizeof(away[0]); i++) {
        const struct answer bad[] = {{"/items", NULL, 200, away[i], "{\"data\":[{\"id\":\"a\"}]}"},
                                     {0}};
        run_stream(&r, file, items_catalog, bad, NULL, false);
        assert_int_equal(r.rc, ERR_INVALID);
        assert_non_null(strstr(r.e.msg, "outside the connector's base URL"));
        assert_int_equal(r.out.pages, 1);
        run_dispose(&r);
    }
    xfree(file);
}

static const char events_file[] =
    "{\"name\":\"test\",\"base_url\":\"" BASE "\",\"streams\":[{\"name\":\"events\","
    "\"primary_key\":[\"id\"],\"request\":{\"path\":\"/events\"},\"records\":\"results\","
    "\"flatten\":\"properties\",\"drop\":[\"junk\"],\"deleted\":{\"field\":\"gone\"},"
    "\"pagination\":{\"type\":\"cursor\",\"path\":\"next\",\"param\":\"after\",\"in\":\"body\","
    "\"max_results\":4},\"incremental\":{\"cursor_field\":[\"missing\",\"updated\"],"
    "\"lookback_seconds\":5,\"sorted\":true,\"request\":{\"method\":\"POST\",\"path\":"
    "\"/search\",\"body\":{\"since\":\"{bookmark}\",\"fields\":\"{fields}\",\"by\":"
    "\"{cursor_field}\"}}}}]}";

static const char events_catalog[] =
    "{\"tap_stream_id\":\"events\",\"schema\":{\"type\":\"object\",\"properties\":{\"id\":{"
    "\"type\":\"string\"},\"updated\":{\"type\":\"string\"},\"gone\":{\"type\":\"boolean\"},"
    "\"size\":{\"type\":\"integer\"},\"hidden\":{\"type\":\"string\"}}},\"key_properties\":"
    "[\"id\"],\"metadata\":[{\"breadcrumb\":[],\"metadata\":{\"selected\":true,\"valid-"
    "replication-keys\":[\"updated\"]}},{\"breadcrumb\":[\"properties\",\"hidden\"],"
    "\"metadata\":{\"selected\":false}}]}";

static void incremental_window(void **state)
{
    (void)state;
    struct run r;
    /* The bookmark less 5 s; pages by a body cursor; the search stops at
     * 4 results, so the window moves on from the largest cursor read. */
    const struct answer ok[] = {
        {"/search", "\"after\":\"p2\"", 200, NULL,
         "{\"results\":[{\"id\":\"c\",\"properties\":{\"updated\":\"2024-01-01T00:00:30Z\"}},"
         "{\"id\":\"d\",\"properties\":{\"updated\":\"2024-01-01T00:00:40Z\",\"size\":\"7\"},"
         "\"gone\":true}]}"},
        {"/search", "\"since\":\"2024-01-01T00:00:05Z\"", 200, NULL,
         "{\"results\":[{\"id\":\"a\",\"junk\":1,\"properties\":{\"updated\":"
         "\"2024-01-01T00:00:10Z\"}},{\"id\":\"b\",\"properties\":{\"updated\":"
         "\"2024-01-01T00:00:20Z\"}}],\"next\":\"p2\"}"},
        {"/search", "\"since\":\"2024-01-01T00:00:40Z\"", 200, NULL,
         "{\"results\":[{\"id\":\"d\",\"properties\":{\"updated\":\"2024-01-01T00:00:40Z\"}}]}"},
        {0}};
    run_stream(
        &r, events_file, events_catalog, ok,
        "{\"replication_key\":\"updated\",\"replication_key_value\":\"2024-01-01T00:00:10Z\"}",
        false);
    if (r.rc < 0)
        fail_msg("%s", r.e.msg);
    assert_true(r.out.incremental);
    assert_int_equal(r.out.records, 5);
    assert_int_equal(r.out.pages, 3);
    assert_int_equal(count_type(&r, "STATE"), 3); /* one per page of a sorted stream */
    assert_int_equal(count_type(&r, "ACTIVATE_VERSION"), 0);
    const char *req = buf_cstr(&r.f.requests);
    assert_non_null(strstr(req, "\"fields\":[\"id\",\"updated\",\"gone\",\"size\"]"));
    assert_non_null(strstr(req, "\"by\":\"updated\""));
    assert_null(strstr(req, "hidden"));
    struct json_object *a = record_at(&r, 0), *d = record_at(&r, 3);
    assert_false(jsonx_has(a, "junk"));
    assert_false(jsonx_has(a, "properties"));
    assert_string_equal(jsonx_str(jsonx_get(a, "updated")), "2024-01-01T00:00:10Z");
    assert_int_equal(json_object_get_int64(jsonx_get(d, "size")), 7);
    assert_string_equal(jsonx_str(jsonx_get(d, "_sdc_deleted_at")), "2024-01-01T00:00:40.000Z");
    run_dispose(&r);

    /* Every result at one instant: the window cannot move. */
    const struct answer stuck[] = {
        {"/search", NULL, 200, NULL,
         "{\"results\":[{\"id\":\"a\",\"updated\":\"2024-01-01T00:00:10Z\"},{\"id\":\"b\","
         "\"updated\":\"2024-01-01T00:00:10Z\"},{\"id\":\"c\",\"updated\":"
         "\"2024-01-01T00:00:10Z\"},{\"id\":\"d\",\"updated\":\"2024-01-01T00:00:10Z\"}]}"},
        {0}};
    run_stream(
        &r, events_file, events_catalog, stuck,
        "{\"replication_key\":\"updated\",\"replication_key_value\":\"2024-01-01T00:00:00Z\"}",
        false);
    assert_int_equal(r.rc, ERR_INVALID);
    assert_non_null(strstr(r.e.msg, "cannot page past"));
    run_dispose(&r);
}

static void limited_by_rule(void **state)
{
    (void)state;
    struct run r;
    const struct answer quota[] = {
        {"/items", NULL, 403, NULL,
         "[{\"errorCode\":\"REQUEST_LIMIT_EXCEEDED\",\"message\":\"x\"}]"},
        {0}};
    char *file = items_file("{\"type\":\"none\"}", NULL);
    struct buf b;
    buf_init(&b, 0);
    /* The same file with an errors rule at its end. */
    buf_printf(&b,
               "%.*s,\"errors\":[{\"status\":403,\"contains\":\"REQUEST_LIMIT\","
               "\"action\":\"limit\",\"resume_after_seconds\":60,\"message\":"
               "\"daily limit\"}]}",
               (int)strlen(file) - 1, file);
    char *fixed = buf_take(&b);
    buf_dispose(&b);
    run_stream(&r, fixed, items_catalog, quota, NULL, false);
    if (r.rc < 0)
        fail_msg("%s", r.e.msg);
    assert_int_equal(r.out.end, ENGINE_LIMITED);
    assert_string_equal(r.out.message, "daily limit");
    assert_true(r.out.resume_at_ms > 0);
    assert_int_equal(count_type(&r, "ACTIVATE_VERSION"), 0); /* an overwrite cut short is not one */
    run_dispose(&r);

    /* Without a rule the answer is the provider's error. */
    run_stream(&r, file, items_catalog, quota, NULL, false);
    assert_int_equal(r.rc, ERR_INVALID);
    assert_non_null(strstr(r.e.msg, "403 REQUEST_LIMIT_EXCEEDED: x"));
    xfree(file);
    xfree(fixed);
    run_dispose(&r);
}

static int lookup(void *ctx, const char *name, size_t n, struct buf *out)
{
    (void)ctx;
    if (n == 1 && name[0] == 'x') {
        buf_puts(out, "X");
        return 0;
    }
    return ERR_NOTFOUND;
}

static void templates(void **state)
{
    (void)state;
    struct buf b;
    struct err e;
    buf_init(&b, 0);
    assert_int_equal(template_expand(&b, "a{x}b{{c}}d}", lookup, NULL, &e), 0);
    assert_string_equal(buf_cstr(&b), "aXb{c}d}");
    buf_reset(&b);
    assert_int_equal(template_expand(&b, "a{y}", lookup, NULL, &e), ERR_INVALID);
    assert_non_null(strstr(e.msg, "unknown variable {y}"));
    assert_int_equal(template_expand(&b, "a{x", lookup, NULL, &e), ERR_INVALID);
    assert_int_equal(template_expand(&b, "a{}", lookup, NULL, &e), ERR_INVALID);
    assert_true(template_uses("q={bookmark}&x", "bookmark"));
    assert_false(template_uses("q={{bookmark}}", "bookmark"));
    buf_dispose(&b);
}

int test_engine(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(offset_and_page),    cmocka_unit_test(links_stay_home),
        cmocka_unit_test(incremental_window), cmocka_unit_test(limited_by_rule),
        cmocka_unit_test(templates),
    };
    return cmocka_run_group_tests_name("engine", tests, NULL, NULL);
}
