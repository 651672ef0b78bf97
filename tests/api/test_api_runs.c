/* tests/api/test_api_runs.c - discovery, the catalog and sync runs through
 * the API, on both engines, with tests/fixtures/taps/tap-counter behind the
 * connector testtap: discovery stores the catalog; a sync answers 202 and a
 * worker runs it; a second sync meanwhile is 409 naming the first; cancel
 * stops it; a full sync ignores the stored state; runs list newest first
 * with a cursor; requests that cannot run are refused up front; another
 * tenant sees none of it. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api_test.h"
#include "core/jsonx.h"
#include "singer/catalog.h"
#include "test.h"

static struct json_object *call(struct api_test *t, const char *method, const char *path,
                                const char *body, long status)
{
    struct client_reply r;
    api_test_call(t, &r, method, path, t->a.key, body, NULL);
    if (r.status != status) {
        char got[1024];
        long s = r.status;
        snprintf(got, sizeof(got), "%s", buf_cstr(&r.body));
        client_reply_dispose(&r);
        fail_msg("%s %s: expected %ld, got %ld: %s", method ? method : "GET", path, status, s, got);
    }
    struct json_object *v = api_test_json(&r);
    client_reply_dispose(&r);
    return v;
}

static void call_error(struct api_test *t, const char *key, const char *method, const char *path,
                       const char *body, long status, const char *code)
{
    struct client_reply r;
    api_test_call(t, &r, method, path, key, body, NULL);
    api_test_expect_error(&r, status, code);
    client_reply_dispose(&r);
}

static const char *str(struct json_object *v, const char *name)
{
    const char *s = jsonx_str(jsonx_get(v, name));
    if (!s)
        fail_msg("no \"%s\" in %s", name, json_object_to_json_string(v));
    return s;
}

/* GET the run until it has ended (60 s at most); its JSON. */
static struct json_object *wait_run(struct api_test *t, const char *run)
{
    char path[96];
    snprintf(path, sizeof(path), "/api/runs/%s", run);
    for (int i = 0; i < 600; i++) {
        struct json_object *v = call(t, NULL, path, NULL, 200);
        if (strcmp(str(v, "status"), "running") != 0 && jsonx_len(jsonx_get(v, "log")) > 0)
            return v;
        json_object_put(v);
        struct timespec ts = {0, 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    fail_msg("run %s still running after 60 s", run);
    return NULL;
}

static int64_t count(struct json_object *run, const char *name)
{
    return json_object_get_int64(jsonx_get(jsonx_get(run, "counts"), name));
}

static void discover_sync_cancel_list(void **state)
{
    struct api_test *t = *state;
    char id[ID_MAX], path[128], run1[ID_MAX], run2[ID_MAX];

    api_test_create(t, t->a.key,
                    "{\"connector\":\"testtap\",\"name\":\"Counter\","
                    "\"config\":{\"count\":2000000,\"state_every\":1000}}",
                    id);
    snprintf(path, sizeof(path), "/api/integrations/%s/sync", id);
    call_error(t, t->a.key, "POST", path, NULL, 422, "validation_failed"); /* no catalog */
    snprintf(path, sizeof(path), "/api/integrations/%s/catalog", id);
    call_error(t, t->a.key, NULL, path, NULL, 404, "not_found");

    /* Discovery: the tap's one stream, selected by default. */
    snprintf(path, sizeof(path), "/api/integrations/%s/discover", id);
    struct json_object *v = call(t, "POST", path, NULL, 200);
    assert_int_equal(json_object_get_int(jsonx_get(v, "streams")), 1);
    assert_int_equal(json_object_get_int(jsonx_get(v, "selected")), 1);
    const char *added = jsonx_str(jsonx_at(jsonx_get(jsonx_get(v, "changes"), "streams_added"), 0));
    assert_non_null(added);
    assert_string_equal(added, "items");
    json_object_put(v);
    snprintf(path, sizeof(path), "/api/integrations/%s/catalog", id);
    v = call(t, NULL, path, NULL, 200);
    assert_string_equal(str(jsonx_at(jsonx_get(v, "streams"), 0), "tap_stream_id"), "items");
    json_object_put(v);

    /* A long sync: 202 at once; a second one is refused, naming it. */
    snprintf(path, sizeof(path), "/api/integrations/%s/sync", id);
    v = call(t, "POST", path, "{}", 202);
    snprintf(run1, sizeof(run1), "%s", str(v, "id"));
    assert_string_equal(str(v, "status"), "running");
    assert_string_equal(str(v, "mode"), "incremental");
    json_object_put(v);
    struct client_reply r;
    api_test_call(t, &r, "POST", path, t->a.key, NULL, NULL);
    api_test_expect_error(&r, 409, "sync_running");
    assert_non_null(strstr(buf_cstr(&r.body), run1));
    client_reply_dispose(&r);

    /* Another tenant sees nothing of it. */
    snprintf(path, sizeof(path), "/api/runs/%s", run1);
    call_error(t, t->b.key, NULL, path, NULL, 404, "not_found");
    snprintf(path, sizeof(path), "/api/runs/%s/cancel", run1);
    call_error(t, t->b.key, "POST", path, NULL, 404, "not_found");

    /* Cancel: the worker stops the tap and records how far it got. */
    v = call(t, "POST", path, NULL, 202);
    assert_string_equal(str(v, "status"), "cancelled");
    json_object_put(v);
    v = wait_run(t, run1);
    assert_string_equal(str(v, "status"), "cancelled");
    assert_true(count(v, "processed") < 2000000);
    json_object_put(v);
    call_error(t, t->a.key, "POST", path, NULL, 409, "conflict"); /* ended */

    /* A full sync of a smaller count: from the start, whatever the state. */
    snprintf(path, sizeof(path), "/api/integrations/%s", id);
    v = call(t, "PATCH", path, "{\"config\":{\"count\":30}}", 200);
    json_object_put(v);
    snprintf(path, sizeof(path), "/api/integrations/%s/sync", id);
    v = call(t, "POST", path, "{\"mode\":\"full\",\"streams\":[\"items\"]}", 202);
    snprintf(run2, sizeof(run2), "%s", str(v, "id"));
    assert_string_equal(str(v, "mode"), "full");
    json_object_put(v);
    v = wait_run(t, run2);
    assert_string_equal(str(v, "status"), "success");
    assert_int_equal(count(v, "processed"), 30);
    struct json_object *error = v;
    assert_true(json_object_object_get_ex(v, "error", &error) && error == NULL); /* null */
    assert_non_null(strstr(json_object_to_json_string(jsonx_get(v, "log")), "tap-counter: 30"));
    json_object_put(v);

    /* Newest first, a page at a time. */
    snprintf(path, sizeof(path), "/api/integrations/%s/runs?limit=1", id);
    v = call(t, NULL, path, NULL, 200);
    assert_int_equal(jsonx_len(jsonx_get(v, "data")), 1);
    assert_string_equal(str(jsonx_at(jsonx_get(v, "data"), 0), "id"), run2);
    assert_null(jsonx_get(jsonx_at(jsonx_get(v, "data"), 0), "log"));
    snprintf(path, sizeof(path), "/api/integrations/%s/runs?limit=1&cursor=%s", id,
             str(v, "next_cursor"));
    json_object_put(v);
    v = call(t, NULL, path, NULL, 200);
    assert_string_equal(str(jsonx_at(jsonx_get(v, "data"), 0), "id"), run1);
    assert_true(json_object_is_type(jsonx_get(v, "next_cursor"), json_type_null));
    json_object_put(v);
}

static void refusals(void **state)
{
    struct api_test *t = *state;
    char id[ID_MAX], other[ID_MAX], path[128];

    api_test_create(t, t->a.key, "{\"connector\":\"testtap\",\"name\":\"Refused\"}", id);
    snprintf(path, sizeof(path), "/api/integrations/%s/discover", id);
    struct json_object *v = call(t, "POST", path, NULL, 200);
    json_object_put(v);
    snprintf(path, sizeof(path), "/api/integrations/%s/sync", id);
    call_error(t, t->a.key, "POST", path, "{\"mode\":\"sometimes\"}", 422, "validation_failed");
    call_error(t, t->a.key, "POST", path, "{\"streams\":[]}", 422, "validation_failed");
    call_error(t, t->a.key, "POST", path, "{\"streams\":[\"nope\"]}", 422, "validation_failed");
    call_error(t, t->a.key, "POST", path, "{\"when\":1}", 400, "unknown_field");
    /* Another tenant's integration, and one that does not exist. */
    call_error(t, t->b.key, "POST", path, NULL, 404, "not_found");
    call_error(t, t->a.key, "POST", "/api/integrations/int_00000000000000000000000000/sync", NULL,
               404, "not_found");
    call_error(t, t->a.key, NULL, "/api/runs/run_00000000000000000000000000", NULL, 404,
               "not_found");
    call_error(t, t->a.key, NULL, "/api/runs/nope", NULL, 404, "not_found");
    /* A connector that does not sync yet says so. */
    api_test_create(t, t->a.key, "{\"connector\":\"testnone\",\"name\":\"Not a tap\"}", other);
    snprintf(path, sizeof(path), "/api/integrations/%s/sync", other);
    call_error(t, t->a.key, "POST", path, NULL, 422, "validation_failed");
    snprintf(path, sizeof(path), "/api/integrations/%s/discover", other);
    call_error(t, t->a.key, "POST", path, NULL, 422, "validation_failed");
}

/* The "selected" of top-level field name of the catalog's first stream:
 * 1, 0, or -1 when it has no entry or no flag. */
static int field_selected(struct json_object *cat, const char *name)
{
    struct json_object *md = jsonx_get(catalog_stream(cat, 0), "metadata");
    for (size_t j = 0; j < jsonx_len(md); j++) {
        struct json_object *e = jsonx_at(md, j), *bc = jsonx_get(e, "breadcrumb");
        const char *f = jsonx_str(jsonx_at(bc, 1));
        struct json_object *sel = jsonx_get(jsonx_get(e, "metadata"), "selected");
        if (jsonx_len(bc) == 2 && f && strcmp(f, name) == 0 && sel)
            return json_object_get_boolean(sel);
    }
    return -1;
}

/* Choosing streams and fields: checked with a pointer, then stored. */
static void choose_streams(void **state)
{
    struct api_test *t = *state;
    char id[ID_MAX], path[128], sync[128];
    struct client_reply r;

    api_test_create(t, t->a.key, "{\"connector\":\"testtap\",\"name\":\"Chosen\"}", id);
    snprintf(path, sizeof(path), "/api/integrations/%s/catalog", id);
    snprintf(sync, sizeof(sync), "/api/integrations/%s/sync", id);
    call_error(t, t->a.key, "PUT", path, "{\"streams\":[]}", 404, "not_found"); /* no discovery */
    snprintf(path, sizeof(path), "/api/integrations/%s/discover", id);
    json_object_put(call(t, "POST", path, NULL, 200));
    snprintf(path, sizeof(path), "/api/integrations/%s/catalog", id);

    api_test_call(t, &r, "PUT", path, t->a.key,
                  "{\"streams\":[{\"tap_stream_id\":\"items\",\"fields\":[\"nope\"]}]}", NULL);
    api_test_expect_error(&r, 422, "validation_failed");
    assert_non_null(strstr(buf_cstr(&r.body), "\"pointer\":\"/streams/0/fields/0\""));
    assert_non_null(strstr(buf_cstr(&r.body), "stream \\\"items\\\" has no field \\\"nope\\\""));
    client_reply_dispose(&r);
    call_error(t, t->a.key, "PUT", path, "{\"streams\":[],\"x\":1}", 400, "unknown_field");
    call_error(t, t->b.key, "PUT", path, "{\"streams\":[]}", 404, "not_found");

    /* Nothing selected: nothing to sync. */
    struct json_object *v = call(t, "PUT", path, "{\"streams\":[]}", 200);
    json_object_put(v);
    call_error(t, t->a.key, "POST", sync, NULL, 422, "validation_failed");

    /* items with name only (id is automatic): stored, and a sync runs. */
    v = call(t, "PUT", path, "{\"streams\":[{\"tap_stream_id\":\"items\",\"fields\":[\"name\"]}]}",
             200);
    json_object_put(v);
    v = call(t, NULL, path, NULL, 200);
    assert_true(catalog_stream_selected(catalog_stream(v, 0)));
    assert_int_equal(field_selected(v, "id"), 1); /* automatic */
    assert_int_equal(field_selected(v, "name"), 1);
    assert_int_equal(field_selected(v, "amount"), 0);
    json_object_put(v);
    v = call(t, "POST", sync, NULL, 202);
    char run[ID_MAX];
    snprintf(run, sizeof(run), "%s", str(v, "id"));
    json_object_put(v);
    v = wait_run(t, run);
    assert_string_equal(str(v, "status"), "success");
    json_object_put(v);
}

int test_api_runs(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, api_test_setup, api_test_teardown)
    const struct CMUnitTest tests[] = {
        T(discover_sync_cancel_list),
        T(refusals),
        T(choose_streams),
    };
#undef T
    return test_group_db("api_runs", tests);
}
