/* tests/unit/notify/test_notify.c - the emitter on both engines: one
 * notification per change of state, not one per retry (five failures, one
 * sync.failed; the success after, one sync.recovered; partial runs; the
 * token topic and needs_reauth), the words each says (what happened and
 * what to do), a delivery per enabled channel listening to the event, and
 * everything committing or rolling back with the caller's transaction. */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/jsonx.h"
#include "notify/notify.h"
#include "notify/notify_fx.h"
#include "store/integration.h"
#include "test.h"
#include "test_db.h"

#define INAPP "SELECT count(*) FROM notifications WHERE tenant_id = $1 AND channel_id IS NULL"
#define DELIVERIES                                                                                 \
    "SELECT count(*) FROM notifications WHERE tenant_id = $1 AND channel_id IS NOT NULL"

/* Title and body of the tenant's newest in-app notification, of event. */
static void newest(struct notify_fx *f, const char *event, char *title, size_t tn, char *body,
                   size_t bn)
{
    struct db_rows *r = NULL;
    struct err e;
    assert_db_ok(db_query_row(&r, f->t->db,
                              "SELECT title, body, event, level, data FROM notifications WHERE"
                              " tenant_id = $1 AND channel_id IS NULL ORDER BY created_at DESC,"
                              " id DESC LIMIT 1",
                              DB_ARGS(DB_TEXT(f->tenant)), &e),
                 &e);
    assert_string_equal(db_rows_text(r, 2), event);
    snprintf(title, tn, "%s", db_rows_text(r, 0));
    snprintf(body, bn, "%s", db_rows_text(r, 1));
    struct json_object *data = NULL;
    const char *d = db_rows_text(r, 4);
    assert_db_ok(jsonx_parse(&data, d, strlen(d), strlen(d) + 1, &e), &e);
    assert_string_equal(jsonx_str(jsonx_get(data, "integration_id")), f->integration);
    assert_string_equal(jsonx_str(jsonx_get(data, "integration_name")), "Sales EU");
    assert_string_equal(jsonx_str(jsonx_get(data, "connector")), "salesforce");
    json_object_put(data);
    db_rows_free(r);
}

static void sync_state_changes(void **state)
{
    struct notify_fx f;
    char title[256], body[2048];
    int64_t t = FX_NOW;

    notify_fx_start(&f, state, "sync");
    /* A first success is no news. */
    assert_int_equal(notify_fx_record(&f, NOTIFY_OUTCOME_SYNC_SUCCESS, NULL, t++), NOTIFY_NONE);
    /* Five failures (the scheduler's retries): one notification. */
    assert_int_equal(
        notify_fx_record(&f, NOTIFY_OUTCOME_SYNC_FAILURE, "HTTP 503 from Salesforce", t++),
        NOTIFY_SYNC_FAILED);
    for (int i = 0; i < 4; i++)
        assert_int_equal(notify_fx_record(&f, NOTIFY_OUTCOME_SYNC_FAILURE, "again", t++),
                         NOTIFY_NONE);
    assert_int_equal(notify_fx_int(&f, INAPP), 1);
    newest(&f, "sync.failed", title, sizeof(title), body, sizeof(body));
    assert_string_equal(title, "Sync failed: Sales EU");
    assert_string_equal(body, "The last sync of Sales EU (salesforce) failed: HTTP 503 from "
                              "Salesforce. Open the integration to read the run's log and fix "
                              "the cause; inlet keeps running it on schedule and tells you when "
                              "it recovers.");
    /* The success after: one recovery, and then quiet. */
    assert_int_equal(notify_fx_record(&f, NOTIFY_OUTCOME_SYNC_SUCCESS, NULL, t++),
                     NOTIFY_SYNC_RECOVERED);
    assert_int_equal(notify_fx_record(&f, NOTIFY_OUTCOME_SYNC_SUCCESS, NULL, t++), NOTIFY_NONE);
    newest(&f, "sync.recovered", title, sizeof(title), body, sizeof(body));
    assert_string_equal(title, "Sync recovered: Sales EU");
    assert_string_equal(body, "Sales EU (salesforce) synced successfully again. Nothing to do.");
    /* Partial runs: once; a failure after a partial is news; so is the
     * partial after a failure; success after a partial is a recovery. */
    assert_int_equal(notify_fx_record(&f, NOTIFY_OUTCOME_SYNC_PARTIAL, "3 records failed", t++),
                     NOTIFY_SYNC_PARTIAL);
    assert_int_equal(notify_fx_record(&f, NOTIFY_OUTCOME_SYNC_PARTIAL, "2 records failed", t++),
                     NOTIFY_NONE);
    newest(&f, "sync.partial", title, sizeof(title), body, sizeof(body));
    assert_non_null(strstr(body, "some records failed: 3 records failed."));
    assert_int_equal(notify_fx_record(&f, NOTIFY_OUTCOME_SYNC_FAILURE, "x", t++),
                     NOTIFY_SYNC_FAILED);
    assert_int_equal(notify_fx_record(&f, NOTIFY_OUTCOME_SYNC_PARTIAL, "y", t++),
                     NOTIFY_SYNC_PARTIAL);
    assert_int_equal(notify_fx_record(&f, NOTIFY_OUTCOME_SYNC_SUCCESS, NULL, t++),
                     NOTIFY_SYNC_RECOVERED);
    assert_int_equal(notify_fx_int(&f, INAPP), 6);
    assert_int_equal(notify_fx_int(&f, DELIVERIES), 0); /* no channels */
    assert_int_equal(notify_fx_int(&f,
                                   "SELECT count(*) FROM notifications WHERE tenant_id = $1 AND"
                                   " status = 'sent' AND read_at IS NULL AND sent_at IS NOT NULL"),
                     6);
    notify_fx_stop(&f);
}

static void token_state_changes(void **state)
{
    struct notify_fx f;
    char title[256], body[2048];
    int64_t t = FX_NOW;

    notify_fx_start(&f, state, "token");
    assert_int_equal(notify_fx_record(&f, NOTIFY_OUTCOME_TOKEN_OK, NULL, t++), NOTIFY_NONE);
    assert_int_equal(notify_fx_record(&f, NOTIFY_OUTCOME_TOKEN_FAILURE, "no answer", t++),
                     NOTIFY_TOKEN_REFRESH_FAILED);
    assert_int_equal(notify_fx_record(&f, NOTIFY_OUTCOME_TOKEN_FAILURE, "no answer", t++),
                     NOTIFY_NONE);
    newest(&f, "token.refresh_failed", title, sizeof(title), body, sizeof(body));
    assert_string_equal(title, "Token refresh failing: Sales EU");
    assert_non_null(strstr(body, "if this lasts, open the link and press Reconnect."));
    assert_int_equal(notify_fx_record(&f, NOTIFY_OUTCOME_TOKEN_OK, NULL, t++),
                     NOTIFY_TOKEN_REFRESH_RECOVERED);
    newest(&f, "token.refresh_recovered", title, sizeof(title), body, sizeof(body));
    assert_string_equal(title, "Token refresh recovered: Sales EU");

    /* The provider refuses the refresh token: reconnect, once. */
    assert_int_equal(notify_fx_record(&f, NOTIFY_OUTCOME_NEEDS_REAUTH, "invalid_grant", t++),
                     NOTIFY_NEEDS_REAUTH);
    assert_int_equal(notify_fx_record(&f, NOTIFY_OUTCOME_NEEDS_REAUTH, "invalid_grant", t++),
                     NOTIFY_NONE);
    newest(&f, "integration.needs_reauth", title, sizeof(title), body, sizeof(body));
    assert_string_equal(title, "Reconnect Sales EU");
    assert_string_equal(
        body, "Sales EU (salesforce) lost access to its account: invalid_grant. "
              "Its syncs are stopped until it is reconnected. Reconnect it: open the link and "
              "press Reconnect.");
    /* Failures while it waits for its user say nothing new. */
    assert_int_equal(notify_fx_record(&f, NOTIFY_OUTCOME_TOKEN_FAILURE, "x", t++), NOTIFY_NONE);
    assert_int_equal(notify_fx_record(&f, NOTIFY_OUTCOME_NEEDS_REAUTH, "x", t++), NOTIFY_NONE);
    /* Reconnected. */
    assert_int_equal(notify_fx_record(&f, NOTIFY_OUTCOME_TOKEN_OK, NULL, t++),
                     NOTIFY_TOKEN_REFRESH_RECOVERED);
    newest(&f, "token.refresh_recovered", title, sizeof(title), body, sizeof(body));
    assert_string_equal(title, "Connected again: Sales EU");
    assert_string_equal(body, "Sales EU (salesforce) is connected again. Nothing to do.");
    /* The sync topic is apart. */
    assert_int_equal(notify_fx_record(&f, NOTIFY_OUTCOME_SYNC_SUCCESS, NULL, t++), NOTIFY_NONE);
    assert_int_equal(notify_fx_int(&f, INAPP), 4);
    assert_int_equal(notify_fx_int(&f, "SELECT count(*) FROM notifications WHERE tenant_id = $1"
                                       " AND channel_id IS NULL AND level = 'error'"),
                     1);
    notify_fx_stop(&f);
}

static void channels_get_deliveries(void **state)
{
    struct notify_fx f;
    char slack[ID_MAX], hook[ID_MAX], mail[ID_MAX];

    notify_fx_start(&f, state, "channels");
    notify_fx_channel(&f, "slack", "[\"*\"]", "{\"url\":\"http://127.0.0.1:1/services/x\"}", true,
                      slack);
    notify_fx_channel(&f, "webhook", "[\"sync.recovered\"]",
                      "{\"url\":\"http://127.0.0.1:1/h\",\"secret\":"
                      "\"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\"}",
                      true, hook);
    notify_fx_channel(&f, "email", "[\"*\"]",
                      "{\"url\":\"smtp://127.0.0.1:1\",\"from\":\"a@b.c\",\"to\":[\"x@y.z\"]}",
                      false, mail);
    assert_int_equal(notify_fx_record(&f, NOTIFY_OUTCOME_SYNC_FAILURE, "boom", FX_NOW),
                     NOTIFY_SYNC_FAILED);
    assert_int_equal(notify_fx_int(&f, INAPP), 1);
    assert_int_equal(notify_fx_int(&f, DELIVERIES), 1); /* slack only */
    char sql[256];
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM notifications WHERE tenant_id = $1 AND channel_id = '%s' AND"
             " status = 'pending' AND attempts = 0 AND next_attempt_at = %d AND title = "
             "'Sync failed: Sales EU'",
             slack, FX_NOW);
    assert_int_equal(notify_fx_int(&f, sql), 1);
    assert_int_equal(notify_fx_record(&f, NOTIFY_OUTCOME_SYNC_SUCCESS, NULL, FX_NOW + 1),
                     NOTIFY_SYNC_RECOVERED);
    assert_int_equal(notify_fx_int(&f, DELIVERIES), 3); /* slack twice, webhook once */
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM notifications WHERE tenant_id = $1 AND channel_id = '%s'", hook);
    assert_int_equal(notify_fx_int(&f, sql), 1);
    notify_fx_stop(&f);
}

static void follows_the_callers_transaction(void **state)
{
    struct notify_fx f;
    enum notify_event ev;
    struct err e;

    notify_fx_start(&f, state, "tx");
    /* Rolled back with the change it reported: nothing stays, not even
     * the state, so the next failure is still news. */
    assert_db_ok(db_begin_tenant(f.t->db, f.tenant, &e), &e);
    assert_db_ok(notify_record(&ev, f.t->db, f.tenant, f.integration, NOTIFY_OUTCOME_SYNC_FAILURE,
                               "x", FX_NOW, &e),
                 &e);
    assert_int_equal(ev, NOTIFY_SYNC_FAILED);
    db_rollback(f.t->db);
    assert_int_equal(notify_fx_int(&f, INAPP), 0);
    assert_int_equal(notify_fx_record(&f, NOTIFY_OUTCOME_SYNC_FAILURE, "x", FX_NOW),
                     NOTIFY_SYNC_FAILED);

    /* An unknown or deleted integration is ERR_NOTFOUND, and the caller's
     * transaction goes on. */
    assert_db_ok(db_begin_tenant(f.t->db, f.tenant, &e), &e);
    assert_int_equal(notify_record(&ev, f.t->db, f.tenant, "int_00000000000000000000000000",
                                   NOTIFY_OUTCOME_SYNC_FAILURE, "x", FX_NOW, &e),
                     ERR_NOTFOUND);
    assert_int_equal(ev, NOTIFY_NONE);
    assert_db_ok(integration_delete(f.t->db, f.tenant, f.integration, false, FX_NOW, &e), &e);
    assert_int_equal(notify_record(&ev, f.t->db, f.tenant, f.integration,
                                   NOTIFY_OUTCOME_SYNC_SUCCESS, NULL, FX_NOW, &e),
                     ERR_NOTFOUND);
    assert_db_ok(db_commit(f.t->db, &e), &e);
    notify_fx_stop(&f);
}

static void details_and_tenants(void **state)
{
    struct notify_fx a, b;
    char title[256], body[4096];
    enum notify_event ev;
    struct err e;

    notify_fx_start(&a, state, "detail-a");
    notify_fx_start(&b, state, "detail-b");
    /* A long detail with line breaks: one line, cut between characters. */
    char detail[2000];
    size_t n = 0;
    while (n + 4 < sizeof(detail) - 1) {
        memcpy(detail + n,
               n % 50 == 0 ? "\n\xc3\xa9x"
                           : "\xc3\xa9"
                             "ab",
               4);
        n += 4;
    }
    detail[n] = '\0';
    assert_int_equal(notify_fx_record(&a, NOTIFY_OUTCOME_SYNC_FAILURE, detail, FX_NOW),
                     NOTIFY_SYNC_FAILED);
    newest(&a, "sync.failed", title, sizeof(title), body, sizeof(body));
    assert_null(strchr(body, '\n'));
    assert_true(strlen(body) < NOTIFY_DETAIL_MAX + 300);
    assert_non_null(strstr(body, "...."));
    /* Another tenant's integration is not found from this one. */
    assert_db_ok(db_begin_tenant(a.t->db, a.tenant, &e), &e);
    assert_int_equal(notify_record(&ev, a.t->db, a.tenant, b.integration,
                                   NOTIFY_OUTCOME_SYNC_FAILURE, "x", FX_NOW, &e),
                     ERR_NOTFOUND);
    db_rollback(a.t->db);
    assert_int_equal(notify_fx_int(&b, INAPP), 0);
    assert_int_equal(notify_fx_record(&b, NOTIFY_OUTCOME_SYNC_FAILURE, "x", FX_NOW),
                     NOTIFY_SYNC_FAILED);
    assert_int_equal(notify_fx_int(&a, INAPP), 1);
    assert_int_equal(notify_fx_int(&b, INAPP), 1);

    /* Names and the link. */
    assert_string_equal(notify_event_name(NOTIFY_NEEDS_REAUTH), "integration.needs_reauth");
    assert_int_equal(notify_event_parse("sync.partial", 12), NOTIFY_SYNC_PARTIAL);
    assert_int_equal(notify_event_parse("sync.partia", 11), NOTIFY_NONE);
    struct buf link;
    buf_init(&link, 0);
    notify_link(&link, "https://inlet.example.com", "int_x");
    assert_string_equal(buf_cstr(&link), "https://inlet.example.com/ui/integrations/int_x");
    buf_dispose(&link);
    notify_fx_stop(&a);
    notify_fx_stop(&b);
}

int test_notify(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sync_state_changes),
        cmocka_unit_test(token_state_changes),
        cmocka_unit_test(channels_get_deliveries),
        cmocka_unit_test(follows_the_callers_transaction),
        cmocka_unit_test(details_and_tenants),
    };
    return test_group_db("notify", tests);
}
