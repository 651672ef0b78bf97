/* tests/api/test_api_cron.c - POST /api/cron on both engines: off (404)
 * without INLET_CRON_SECRET; 401 with a challenge for a missing, wrong,
 * longer or shorter secret, or another scheme, and the secret in no log
 * line; with it, one pass queues each due schedule of every tenant once,
 * moves next_run_at on, and a second call finds nothing due. */
#include <stdio.h>
#include <string.h>

#include "api_test.h"
#include "core/alloc.h"
#include "core/jsonx.h"
#include "core/time.h"
#include "sched/scheduler.h"
#include "store/integration.h"
#include "test.h"

#define HOURLY "{\"kind\":\"hourly\"}"

static void cron(struct api_test *t, struct client_reply *r, const char *auth)
{
    const char *headers[] = {auth, NULL};
    api_test_call(t, r, "POST", "/api/cron", NULL, NULL, auth ? headers : NULL);
}

static void test_off(void **state)
{
    struct api_test *t = *state;
    struct client_reply r;
    cron(t, &r, "Authorization: Bearer " API_TEST_CRON_SECRET);
    api_test_expect_error(&r, 404, "not_found");
    assert_non_null(strstr(buf_cstr(&r.body), "INLET_CRON_SECRET"));
    client_reply_dispose(&r);
}

static void test_refused(void **state)
{
    struct api_test *t = *state;
    static const char *const bad[] = {
        NULL,
        "Authorization: Bearer wrong",
        "Authorization: Bearer " API_TEST_CRON_SECRET "x",
        "Authorization: Bearer cron-secret-for-the-api-tests-012345678",
        "Authorization: Basic " API_TEST_CRON_SECRET,
        "Authorization: " API_TEST_CRON_SECRET,
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct client_reply r;
        cron(t, &r, bad[i]);
        api_test_expect_error(&r, 401, "unauthorized");
        char h[128];
        assert_non_null(client_header(&r, "WWW-Authenticate", h, sizeof(h)));
        client_reply_dispose(&r);
    }
    /* A tenant's API key is not the cron secret either. */
    struct client_reply r;
    api_test_call(t, &r, "POST", "/api/cron", t->a.key, NULL, NULL);
    api_test_expect_error(&r, 401, "unauthorized");
    client_reply_dispose(&r);
    char *log = api_test_stop(t);
    assert_null(strstr(log, API_TEST_CRON_SECRET));
    assert_null(strstr(log, "cron-secret-for-the-api-tests"));
    xfree(log);
}

/* An active integration of tenant on schedule HOURLY, due at due. */
static void due_at(struct api_test *t, const char *tenant, const char *name, int64_t due,
                   char id[ID_MAX])
{
    struct integration it = {0};
    struct integration_change ch = {.status = "active"};
    struct db *db = t->tdb->db;
    struct err e;
    char sql[160];
    assert_db_ok(db_begin_tenant(db, tenant, &e), &e);
    assert_db_ok(integration_create(&it, db, tenant, "slack", name, NULL, due, &e), &e);
    assert_db_ok(integration_update(NULL, db, tenant, it.id, &ch, due, &e), &e);
    assert_db_ok(sched_set(NULL, db, tenant, it.id, HOURLY, due, &e), &e);
    assert_db_ok(db_commit(db, &e), &e);
    snprintf(sql, sizeof(sql), "UPDATE integrations SET next_run_at = %lld WHERE id = '%s'",
             (long long)due, it.id);
    assert_db_ok(db_begin(db, &e), &e);
    assert_db_ok(db_exec(db, sql, DB_ARGS(), NULL, &e), &e);
    assert_db_ok(db_commit(db, &e), &e);
    memcpy(id, it.id, ID_MAX);
    integration_dispose(&it);
}

static int64_t member(struct json_object *v, const char *group, const char *name)
{
    struct json_object *g = jsonx_get(v, group);
    assert_non_null(g);
    assert_true(jsonx_has(g, name));
    return json_object_get_int64(jsonx_get(g, name));
}

static void test_pass(void **state)
{
    struct api_test *t = *state;
    struct db *db = t->tdb->db;
    char a1[ID_MAX], a2[ID_MAX], b1[ID_MAX], later[ID_MAX], sql[200];
    int64_t now = time_now_ms() / 1000;
    due_at(t, t->a.id, "a1", now - 7200, a1); /* missed two periods: one run */
    due_at(t, t->a.id, "a2", now - 1, a2);
    due_at(t, t->b.id, "b1", now - 60, b1);
    due_at(t, t->b.id, "later", now + 3600, later);

    struct client_reply r;
    cron(t, &r, "Authorization: Bearer " API_TEST_CRON_SECRET);
    assert_int_equal(r.status, 200);
    struct json_object *v = api_test_json(&r);
    assert_int_equal(member(v, "syncs", "due"), 3);
    assert_int_equal(member(v, "syncs", "enqueued"), 3);
    assert_int_equal(member(v, "syncs", "skipped"), 0);
    assert_int_equal(member(v, "tokens", "enqueued"), 0);
    json_object_put(v);
    client_reply_dispose(&r);
    assert_int_equal(
        test_db_int(db, "SELECT count(*) FROM jobs WHERE kind = 'sync' AND CAST(payload AS TEXT)"
                        " LIKE '%schedule%'"),
        3);
    const char *ids[] = {a1, a2, b1};
    for (size_t i = 0; i < 3; i++) {
        snprintf(sql, sizeof(sql),
                 "SELECT count(*) FROM integrations WHERE id = '%s' AND next_run_at > %lld", ids[i],
                 (long long)now);
        assert_int_equal(test_db_int(db, sql), 1);
    }
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM jobs WHERE CAST(payload AS TEXT) LIKE '%%%s%%'", later);
    assert_int_equal(test_db_int(db, sql), 0);

    /* Nothing is due twice. */
    cron(t, &r, "authorization: bearer  " API_TEST_CRON_SECRET " ");
    assert_int_equal(r.status, 200);
    v = api_test_json(&r);
    assert_int_equal(member(v, "syncs", "due"), 0);
    json_object_put(v);
    client_reply_dispose(&r);
}

int test_api_cron(void)
{
    const struct CMUnitTest off[] = {
        cmocka_unit_test_setup_teardown(test_off, api_test_setup_no_cron, api_test_teardown),
    };
    const struct CMUnitTest on[] = {
        cmocka_unit_test_setup_teardown(test_refused, api_test_setup, api_test_teardown),
        cmocka_unit_test_setup_teardown(test_pass, api_test_setup, api_test_teardown),
    };
    return test_group_db("api_cron_off", off) + test_group_db("api_cron", on);
}
