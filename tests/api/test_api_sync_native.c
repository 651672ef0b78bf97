/* tests/api/test_api_sync_native.c - declarative connectors end to end
 * through the API, on both engines, against the sandbox: Salesforce
 * discovery (standard and custom objects, types, replication keys), a
 * first sync that reads every selected object page by page, an incremental
 * run after the sandbox changes and deletes K records that touches those
 * (soft deletes from queryAll's IsDeleted), the daily limit ending a run
 * partial with its bookmark kept and the next run finishing the job; and
 * HubSpot's search window moving past its 10,000-result ceiling. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api_test.h"
#include "core/alloc.h"
#include "core/jsonx.h"
#include "oauth_fx.h"
#include "singer/catalog.h"
#include "sync/columns.h"
#include "test.h"

static struct json_object *call(struct api_test *t, const char *method, const char *path,
                                const char *body, long status)
{
    return api_test_expect(t, method, path, body, status);
}

static int64_t count(struct json_object *run, const char *name)
{
    struct json_object *v = jsonx_get(jsonx_get(run, "counts"), name);
    if (!v)
        v = jsonx_get(run, name);
    return v ? json_object_get_int64(v) : -1;
}

static void sb_post(struct ofx *f, const char *path, const char *body)
{
    struct client_reply r;
    client_call(&r, f->sb.base,
                &(struct client_call){.method = "POST",
                                      .path = path,
                                      .body = body,
                                      .body_len = strlen(body),
                                      .headers = {"Content-Type: application/json"}});
    if (r.status != 200)
        fail_msg("POST %s: %ld %s", path, r.status, buf_cstr(&r.body));
    client_reply_dispose(&r);
}

/* Rows of the integration's table for stream, and of those soft-deleted. */
static void rows(struct api_test *t, const char *id, const char *stream, int64_t *all,
                 int64_t *deleted)
{
    char sql[300], prefix[ID_MAX + 1], table[COL_NAME_MAX + 1];
    struct err e;
    struct db *db = t->tdb->db;
    bool pg = strcmp(t->tdb->engine, "postgres") == 0;
    snprintf(prefix, sizeof(prefix), "%s_", id);
    col_table_name(table, sizeof(table), prefix, stream);
    snprintf(sql, sizeof(sql), "SELECT count(*), count(_inlet_deleted_at) FROM %s", table);
    if (pg)
        assert_db_ok(db_exec(db, "SET inlet.system = on", DB_ARGS(), NULL, &e), &e);
    struct db_rows *r = NULL;
    assert_db_ok(db_query(&r, db, sql, DB_ARGS(), &e), &e);
    assert_true(db_rows_next(r, &e) == 1);
    *all = db_rows_int(r, 0);
    *deleted = db_rows_int(r, 1);
    db_rows_free(r);
}

static struct json_object *stream_of(struct json_object *cat, const char *id)
{
    struct json_object *streams = jsonx_get(cat, "streams");
    for (size_t i = 0; i < jsonx_len(streams); i++)
        if (strcmp(jsonx_str(jsonx_get(jsonx_at(streams, i), "tap_stream_id")), id) == 0)
            return jsonx_at(streams, i);
    return NULL;
}

static void salesforce(void **state)
{
    struct ofx f;
    char id[ID_MAX], path[160];
    int64_t all, deleted;

    ofx_start_n(&f, state, SANDBOX_SALESFORCE, 2500);
    ofx_connect_new(&f, "Org", id);

    snprintf(path, sizeof(path), "/api/integrations/%s/discover", id);
    json_object_put(call(f.t, "POST", path, NULL, 200));
    snprintf(path, sizeof(path), "/api/integrations/%s/catalog", id);
    struct json_object *cat = call(f.t, NULL, path, NULL, 200);
    struct json_object *contact = stream_of(cat, "Contact"), *inv = stream_of(cat, "Invoice__c");
    assert_non_null(contact);
    assert_non_null(inv); /* custom objects are discovered */
    struct json_object *props = jsonx_get(jsonx_get(contact, "schema"), "properties");
    assert_non_null(jsonx_get(props, "SystemModstamp"));
    assert_string_equal(jsonx_str(jsonx_get(jsonx_get(props, "SystemModstamp"), "format")),
                        "date-time");
    assert_string_equal(
        jsonx_str(jsonx_at(jsonx_get(catalog_stream_meta(contact), "valid-replication-keys"), 0)),
        "SystemModstamp");
    json_object_put(cat);

    /* Contact with a few fields (Id and SystemModstamp come anyway), and
     * every field of Account. */
    json_object_put(call(f.t, "PUT", path,
                         "{\"streams\":[{\"tap_stream_id\":\"Contact\",\"fields\":[\"FirstName\","
                         "\"Email\",\"AccountId\"]},{\"tap_stream_id\":\"Account\"}]}",
                         200));
    struct json_object *run = api_test_sync_wait(f.t, id, "{}");
    assert_string_equal(jsonx_str(jsonx_get(run, "status")), "success");
    assert_int_equal(count(run, "processed"), 5000);
    assert_int_equal(count(run, "created"), 5000);
    struct json_object *per = jsonx_get(run, "streams");
    assert_int_equal(json_object_get_int64(jsonx_get(jsonx_get(per, "Contact"), "created")), 2500);
    assert_int_equal(json_object_get_int64(jsonx_get(jsonx_get(per, "Account"), "processed")),
                     2500);
    json_object_put(run);
    rows(f.t, id, "Contact", &all, &deleted);
    assert_int_equal(all, 2500);
    assert_int_equal(deleted, 0);

    /* K changed and D deleted: the next run reads those (and the records
     * at the bookmark's second again, which change nothing). */
    sb_post(&f, "/_sandbox/mutate", "{\"object\":\"Contact\",\"touch\":7,\"delete\":3}");
    run = api_test_sync_wait(f.t, id, "{}");
    assert_string_equal(jsonx_str(jsonx_get(run, "status")), "success");
    assert_int_equal(count(run, "updated"), 10);
    assert_int_equal(count(run, "created"), 0);
    assert_true(count(run, "processed") < 100);
    json_object_put(run);
    rows(f.t, id, "Contact", &all, &deleted);
    assert_int_equal(all, 2500);
    assert_int_equal(deleted, 3);

    /* The daily limit: the run ends partial, its bookmark kept; the next
     * run, once the limit is lifted, finishes the job. */
    sb_post(&f, "/_sandbox/mutate", "{\"object\":\"Account\",\"touch\":2500}");
    sb_post(&f, "/_sandbox/faults", "{\"daily_limit\":1}");
    run = api_test_sync_wait(f.t, id, "{}");
    assert_string_equal(jsonx_str(jsonx_get(run, "status")), "partial");
    assert_non_null(strstr(jsonx_str(jsonx_get(run, "error")), "REQUEST_LIMIT_EXCEEDED"));
    json_object_put(run);
    /* The tenant is told, in the app: the state changed to partial. */
    struct json_object *inbox = call(f.t, NULL, "/api/notifications", NULL, 200);
    assert_non_null(strstr(json_object_to_json_string(inbox), "sync.partial"));
    json_object_put(inbox);
    /* The resume is scheduled for when the limit resets. */
    struct json_object *it = ofx_integration(&f, id);
    assert_non_null(jsonx_str(jsonx_get(it, "next_run_at")));
    json_object_put(it);
    sb_post(&f, "/_sandbox/faults", "{}");
    run = api_test_sync_wait(f.t, id, "{}");
    assert_string_equal(jsonx_str(jsonx_get(run, "status")), "success");
    json_object_put(run);
    run = api_test_sync_wait(f.t, id, "{\"mode\":\"full\"}");
    assert_string_equal(jsonx_str(jsonx_get(run, "status")), "success");
    assert_int_equal(count(run, "processed"), 5000);
    assert_int_equal(count(run, "created"), 0);
    json_object_put(run);
    rows(f.t, id, "Account", &all, &deleted);
    assert_int_equal(all, 2500);
    ofx_stop(&f);
}

static void hubspot_window(void **state)
{
    struct ofx f;
    char id[ID_MAX], path[160];
    int64_t all, deleted;

    ofx_start_n(&f, state, SANDBOX_HUBSPOT, 10250);
    ofx_connect_new(&f, "Portal", id);
    snprintf(path, sizeof(path), "/api/integrations/%s", id);
    json_object_put(
        call(f.t, "PATCH", path, "{\"config\":{\"start_date\":\"2000-01-01T00:00:00Z\"}}", 200));
    snprintf(path, sizeof(path), "/api/integrations/%s/discover", id);
    json_object_put(call(f.t, "POST", path, NULL, 200));
    snprintf(path, sizeof(path), "/api/integrations/%s/catalog", id);
    json_object_put(call(f.t, "PUT", path,
                         "{\"streams\":[{\"tap_stream_id\":\"contacts\",\"fields\":[\"email\","
                         "\"firstname\"]},{\"tap_stream_id\":\"owners\"}]}",
                         200));
    struct json_object *run = api_test_sync_wait(f.t, id, "{}");
    if (strcmp(jsonx_str(jsonx_get(run, "status")), "success") != 0)
        fail_msg("%s", json_object_to_json_string(run));
    assert_int_equal(count(run, "created"), 10250 + 5);
    assert_non_null(strstr(json_object_to_json_string(jsonx_get(run, "log")), "moving on from"));
    json_object_put(run);
    rows(f.t, id, "contacts", &all, &deleted);
    assert_int_equal(all, 10250);
    ofx_stop(&f);
}

int test_api_sync_native(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(salesforce, api_test_setup, api_test_teardown),
        cmocka_unit_test_setup_teardown(hubspot_window, api_test_setup, api_test_teardown),
    };
    return test_group_db("api_sync_native", tests);
}
