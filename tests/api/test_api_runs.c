/* tests/api/test_api_runs.c - discovery, the catalog and sync runs through
 * the API, on both engines, with tests/fixtures/taps/tap-counter behind the
 * connector testtap: discovery stores the catalog; a sync answers 202 and a
 * worker runs it; a second sync meanwhile is 409 naming the first; cancel
 * stops it; a full sync ignores the stored state; runs list newest first
 * with a cursor; requests that cannot run are refused up front; another
 * tenant sees none of it; sync modes are chosen, shown and honoured (an
 * appended stream keeps every row; switching it back needs a reset). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api_test.h"
#include "core/alloc.h"
#include "core/jsonx.h"
#include "core/time.h"
#include "sched/scheduler.h"
#include "singer/catalog.h"
#include "store/integration.h"
#include "test.h"

static struct json_object *call(struct api_test *t, const char *method, const char *path,
                                const char *body, long status)
{
    return api_test_expect(t, method, path, body, status);
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

/* GET the run until it has ended and its worker has written the log (180
 * s at most: a bound on a loaded machine, not a measure); its JSON. */
static struct json_object *wait_run(struct api_test *t, const char *run)
{
    char path[96];
    snprintf(path, sizeof(path), "/api/runs/%s", run);
    for (int i = 0; i < 1800; i++) {
        struct json_object *v = call(t, NULL, path, NULL, 200);
        if (strcmp(str(v, "status"), "running") != 0 && jsonx_len(jsonx_get(v, "log")) > 0)
            return v;
        json_object_put(v);
        struct timespec ts = {0, 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    fail_msg("run %s not ended, or its log not written, after 180 s", run);
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

    /* Cancel: the worker stops the tap and records how far it got. The
     * cancel writes, so on SQLite it waits for the sync's batch to commit;
     * on a loaded machine that can pass the lock timeout, and the server
     * answers 503 "retry in a moment": a client retries, and so does this. */
    for (int i = 0;; i++) {
        api_test_call(t, &r, "POST", path, t->a.key, NULL, NULL);
        if (r.status != 503 || i == 30)
            break;
        client_reply_dispose(&r);
        struct timespec pause = {0, 500000000};
        nanosleep(&pause, NULL);
    }
    if (r.status != 202)
        fail_msg("cancel: %ld %s", r.status, buf_cstr(&r.body));
    v = api_test_json(&r);
    client_reply_dispose(&r);
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
    /* Nor does it test a connection, and the refusal names it. */
    struct client_reply r;
    snprintf(path, sizeof(path), "/api/integrations/%s/test", other);
    api_test_call(t, &r, "POST", path, t->a.key, NULL, NULL);
    api_test_expect_error(&r, 422, "validation_failed");
    if (!strstr(buf_cstr(&r.body), "connector testnone declares no test request"))
        fail_msg("test refusal: %s", buf_cstr(&r.body));
    client_reply_dispose(&r);
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

/* The first stream of catalog v whose tap_stream_id is id; fails if none. */
static struct json_object *stream_of(struct json_object *v, const char *id)
{
    struct json_object *s = catalog_stream_by_id(v, id);
    if (!s)
        fail_msg("no stream %s in %s", id, json_object_to_json_string(v));
    return s;
}

/* supported_sync_modes of stream s, comma-separated, into b. */
static const char *supported_of(struct buf *b, struct json_object *s)
{
    struct json_object *list = jsonx_get(s, "supported_sync_modes");
    buf_reset(b);
    assert_true(json_object_is_type(list, json_type_array));
    for (size_t i = 0; i < jsonx_len(list); i++)
        buf_printf(b, "%s%s", i ? "," : "", jsonx_str(jsonx_at(list, i)));
    return buf_cstr(b);
}

/* PUT body to path; 422 with one detail at pointer saying message. */
static void put_refused(struct api_test *t, const char *path, const char *body, const char *pointer,
                        const char *message)
{
    struct client_reply r;
    api_test_call(t, &r, "PUT", path, t->a.key, body, NULL);
    api_test_expect_error(&r, 422, "validation_failed");
    struct json_object *v = api_test_json(&r);
    struct json_object *d = jsonx_at(jsonx_get(jsonx_get(v, "error"), "details"), 0);
    assert_string_equal(str(d, "pointer"), pointer);
    assert_string_equal(str(d, "message"), message);
    json_object_put(v);
    client_reply_dispose(&r);
}

/* Sync with body and wait: the ended run (json_object_put). */
static struct json_object *sync_and_wait(struct api_test *t, const char *path, const char *body)
{
    struct json_object *v = call(t, "POST", path, body, 202);
    char run[ID_MAX];
    snprintf(run, sizeof(run), "%s", str(v, "id"));
    json_object_put(v);
    return wait_run(t, run);
}

#define ALL_MODES                                                                                  \
    "full_refresh_overwrite,full_refresh_append,incremental_append,incremental_append_deduped"

/* Sync modes through the API: shown per stream, chosen by name or label,
 * refused with a pointer when unknown or unsupported, kept out of the
 * stored Singer catalog, and honoured by a sync: an appended stream keeps
 * every row, and switching its table back to upserts fails the run
 * naming the reset, which works. */
static void sync_modes(void **state)
{
    struct api_test *t = *state;
    char id[ID_MAX], path[128], sync[128], sql[160];
    struct buf b;
    struct err e;
    static const struct {
        const char *given, *mode, *method, *dest;
    } modes[] = {
        {"full_refresh_overwrite", "full_refresh_overwrite", "FULL_TABLE", "overwrite"},
        {"full_refresh_append", "full_refresh_append", "FULL_TABLE", "append"},
        {"incremental_append", "incremental_append", "INCREMENTAL", "append"},
        {"incremental_append_deduped", "incremental_append_deduped", "INCREMENTAL", "append_dedup"},
        {"Full refresh | Append", "full_refresh_append", "FULL_TABLE", "append"},
        {"Incremental | Append + Deduped", "incremental_append_deduped", "INCREMENTAL",
         "append_dedup"},
    };

    buf_init(&b, 0);
    api_test_create(t, t->a.key,
                    "{\"connector\":\"testtap\",\"name\":\"Modes\",\"config\":{\"count\":3}}", id);
    snprintf(path, sizeof(path), "/api/integrations/%s/discover", id);
    json_object_put(call(t, "POST", path, NULL, 200));
    snprintf(path, sizeof(path), "/api/integrations/%s/catalog", id);
    snprintf(sync, sizeof(sync), "/api/integrations/%s/sync", id);

    /* Discovered: the default, and all four (items has a key and a
     * replication key). */
    struct json_object *v = call(t, NULL, path, NULL, 200);
    struct json_object *items = stream_of(v, "items");
    assert_string_equal(str(items, "sync_mode"), "incremental_append_deduped");
    assert_string_equal(supported_of(&b, items), ALL_MODES);
    json_object_put(v);

    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
        char body[200];
        snprintf(body, sizeof(body),
                 "{\"streams\":[{\"tap_stream_id\":\"items\",\"sync_mode\":\"%s\"}]}",
                 modes[i].given);
        v = call(t, "PUT", path, body, 200);
        assert_string_equal(str(stream_of(v, "items"), "sync_mode"), modes[i].mode);
        json_object_put(v);
        v = call(t, NULL, path, NULL, 200);
        items = stream_of(v, "items");
        assert_string_equal(str(items, "sync_mode"), modes[i].mode);
        assert_string_equal(supported_of(&b, items), ALL_MODES);
        struct json_object *meta = catalog_stream_meta(items);
        assert_string_equal(str(meta, "replication-method"), modes[i].method);
        assert_string_equal(str(meta, "inlet-destination-mode"), modes[i].dest);
        json_object_put(v);
    }

    /* Refused, nothing changed. */
    put_refused(t, path,
                "{\"streams\":[{\"tap_stream_id\":\"items\",\"sync_mode\":\"sometimes\"}]}",
                "/streams/0/sync_mode",
                "\"sometimes\" is not a sync mode: expected full_refresh_overwrite, "
                "full_refresh_append, incremental_append or incremental_append_deduped");
    put_refused(t, path, "{\"streams\":[{\"tap_stream_id\":\"items\",\"sync_mode\":true}]}",
                "/streams/0/sync_mode", "expected a string, got boolean");
    put_refused(t, path, "{\"streams\":[{\"tap_stream_id\":\"items\",\"mode\":\"full\"}]}",
                "/streams/0/mode",
                "unknown member (tap_stream_id, fields and sync_mode are known)");
    v = call(t, NULL, path, NULL, 200);
    assert_string_equal(str(stream_of(v, "items"), "sync_mode"), "incremental_append_deduped");
    json_object_put(v);

    /* The stored catalog, which the tap reads, is Singer's: no view members. */
    char *text = NULL;
    assert_db_ok(db_begin_tenant_read(t->tdb->db, t->a.id, &e), &e);
    int rc = integration_catalog_get(&text, t->tdb->db, t->a.id, id, &e);
    db_rollback(t->tdb->db);
    assert_db_ok(rc, &e);
    assert_db_ok(catalog_parse(&v, text, strlen(text), &e), &e);
    xfree(text);
    assert_false(jsonx_has(stream_of(v, "items"), "sync_mode"));
    assert_false(jsonx_has(stream_of(v, "items"), "supported_sync_modes"));
    json_object_put(v);

    /* Appended: two full syncs of ids 1..3 leave six rows. */
    v = call(t, "PUT", path,
             "{\"streams\":[{\"tap_stream_id\":\"items\",\"sync_mode\":\"incremental_append\"}]}",
             200);
    json_object_put(v);
    for (int i = 0; i < 2; i++) {
        v = sync_and_wait(t, sync, "{\"mode\":\"full\"}");
        assert_string_equal(str(v, "status"), "success");
        json_object_put(v);
    }
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM \"%s_items\"", id);
    assert_int_equal(test_db_int(t->tdb->db, sql), 6);
    snprintf(sql, sizeof(sql), "SELECT count(DISTINCT id) FROM \"%s_items\"", id);
    assert_int_equal(test_db_int(t->tdb->db, sql), 3);

    /* Back to deduped: the table has no key to upsert by; the run says how
     * to reset it, and the reset works. */
    v = call(t, "PUT", path, "{\"streams\":[{\"tap_stream_id\":\"items\"}]}", 200);
    json_object_put(v);
    v = sync_and_wait(t, sync, "{\"mode\":\"full\"}");
    assert_string_equal(str(v, "status"), "failed");
    char want[300];
    snprintf(want, sizeof(want),
             "line 1: stream items: its table %s_items was created without a key (appended); "
             "upserting "
             "by [\"id\"] needs a reset: DROP TABLE \"%s_items\", then run a full sync",
             id, id);
    assert_string_equal(str(v, "error"), want);
    json_object_put(v);
    snprintf(sql, sizeof(sql), "DROP TABLE \"%s_items\"", id);
    assert_db_ok(db_exec(t->tdb->db, sql, NULL, 0, NULL, &e), &e);
    v = sync_and_wait(t, sync, "{\"mode\":\"full\"}");
    assert_string_equal(str(v, "status"), "success");
    json_object_put(v);
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM \"%s_items\"", id);
    assert_int_equal(test_db_int(t->tdb->db, sql), 3);

    /* A stream whose tap forces FULL_TABLE (stored as a discovery would):
     * incremental refused, saying why and what it supports. */
    assert_db_ok(db_begin_tenant(t->tdb->db, t->a.id, &e), &e);
    rc = integration_catalog_set(
        t->tdb->db, t->a.id, id,
        "{\"streams\":[{\"tap_stream_id\":\"shapes\",\"stream\":\"shapes\",\"schema\":{},"
        "\"key_properties\":[\"id\"],\"metadata\":[{\"breadcrumb\":[],\"metadata\":"
        "{\"selected\":true,\"forced-replication-method\":\"FULL_TABLE\"}}]}]}",
        time_now_ms() / 1000, &e);
    if (rc == 0)
        rc = db_commit(t->tdb->db, &e);
    else
        db_rollback(t->tdb->db);
    assert_db_ok(rc, &e);
    v = call(t, NULL, path, NULL, 200);
    assert_string_equal(str(stream_of(v, "shapes"), "sync_mode"), "full_refresh_overwrite");
    assert_string_equal(supported_of(&b, stream_of(v, "shapes")),
                        "full_refresh_overwrite,full_refresh_append");
    json_object_put(v);
    put_refused(t, path,
                "{\"streams\":[{\"tap_stream_id\":\"shapes\",\"sync_mode\":\"Incremental | "
                "Append\"}]}",
                "/streams/0/sync_mode",
                "stream \"shapes\" cannot use incremental_append: its forced-replication-method "
                "is FULL_TABLE; it supports full_refresh_overwrite and full_refresh_append");
    buf_dispose(&b);
}

/* A schedule: set, shown with its next run, refused when wrong; a
 * scheduling pass at that time queues the sync, a worker runs it as
 * "schedule", and the next run moves past it; manual takes it off. */
static void scheduled_sync(void **state)
{
    struct api_test *t = *state;
    char id[ID_MAX], path[128];
    struct err e;

    api_test_create(t, t->a.key,
                    "{\"connector\":\"testtap\",\"name\":\"Scheduled\",\"config\":{\"count\":50}}",
                    id);
    snprintf(path, sizeof(path), "/api/integrations/%s/discover", id);
    json_object_put(call(t, "POST", path, NULL, 200));
    snprintf(path, sizeof(path), "/api/integrations/%s/schedule", id);
    /* A refusal points at its member, for the UI to show it there. */
    struct client_reply refused;
    api_test_call(t, &refused, "PUT", path, t->a.key, "{\"kind\":\"daily\",\"time\":\"25:00\"}",
                  NULL);
    api_test_expect_error(&refused, 422, "validation_failed");
    struct json_object *d = api_test_json(&refused);
    assert_string_equal(str(jsonx_at(jsonx_get(jsonx_get(d, "error"), "details"), 0), "pointer"),
                        "/time");
    json_object_put(d);
    client_reply_dispose(&refused);
    call_error(t, t->a.key, "PUT", path, "{\"kind\":\"yearly\"}", 422, "validation_failed");
    call_error(t, t->b.key, "PUT", path, "{\"kind\":\"hourly\"}", 404, "not_found");
    struct json_object *v = call(t, "PUT", path, "{\"kind\":\"hourly\",\"minute\":15}", 200);
    assert_string_equal(str(jsonx_get(v, "schedule"), "kind"), "hourly");
    const char *next = str(v, "next_run_at");
    int64_t at = 0;
    assert_int_equal(time_parse_rfc3339(&at, next, strlen(next), &e), 0);
    assert_int_equal((at / 1000) % 3600, 15 * 60);
    json_object_put(v);

    /* Activate it (a tap integration is active once it has its secrets;
     * this one needs none), then pass at its time. */
    int64_t now = time_now_ms() / 1000;
    assert_db_ok(db_begin(t->tdb->db, &e), &e);
    assert_db_ok(
        db_exec(t->tdb->db,
                "UPDATE integrations SET status = 'active', next_run_at = $2 WHERE id = $1",
                DB_ARGS(DB_TEXT(id), DB_INT(now)), NULL, &e),
        &e);
    assert_db_ok(db_commit(t->tdb->db, &e), &e);
    struct sched_result r;
    assert_db_ok(sched_pass(&r, t->tdb->db, now, 100, &e), &e);
    assert_int_equal(r.enqueued, 1);
    snprintf(path, sizeof(path), "/api/integrations/%s/runs", id);
    const char *status = NULL;
    for (int i = 0; i < 600; i++) {
        v = call(t, NULL, path, NULL, 200);
        struct json_object *run = jsonx_at(jsonx_get(v, "data"), 0);
        status = run ? jsonx_str(jsonx_get(run, "status")) : NULL;
        if (status && strcmp(status, "running") != 0 && strcmp(status, "queued") != 0) {
            assert_string_equal(status, "success");
            assert_string_equal(str(run, "triggered_by"), "schedule");
            json_object_put(v);
            break;
        }
        json_object_put(v);
        status = NULL;
        nanosleep(&(struct timespec){0, 100 * 1000 * 1000}, NULL);
    }
    assert_non_null(status);
    snprintf(path, sizeof(path), "/api/integrations/%s", id);
    v = call(t, NULL, path, NULL, 200);
    next = str(v, "next_run_at");
    int64_t again = 0;
    assert_int_equal(time_parse_rfc3339(&again, next, strlen(next), &e), 0);
    /* The next quarter past an hour after the pass. */
    int64_t want = now - now % 3600 + 900;
    if (want <= now)
        want += 3600;
    assert_int_equal(again / 1000, want);
    json_object_put(v);

    snprintf(path, sizeof(path), "/api/integrations/%s/schedule", id);
    v = call(t, "PUT", path, "{\"kind\":\"manual\"}", 200);
    assert_null(jsonx_get(v, "schedule"));
    assert_null(jsonx_get(v, "next_run_at"));
    json_object_put(v);
}

int test_api_runs(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, api_test_setup, api_test_teardown)
    const struct CMUnitTest tests[] = {
        T(discover_sync_cancel_list),
        T(refusals),
        T(choose_streams),
        T(sync_modes),
        T(scheduled_sync),
    };
#undef T
    return test_group_db("api_runs", tests);
}
