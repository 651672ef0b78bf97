/* tests/api/test_api_normalize.c - the normalized tables filled by a sync,
 * end to end through the API on both engines against the Salesforce
 * sandbox: after a sync of Account, Contact, Lead, Opportunity and Case,
 * exactly one row per raw record with the fields the default mappings
 * give (compared with the raw tables in SQL), references resolved, a
 * field_mappings row overriding a default; a full sync again changes no
 * row (updated_at stays), a changed record updates its row, a deleted one
 * is soft-deleted; and HubSpot's four mapped streams, one row per record.
 * The fine cases are tests/unit/store/test_records.c's. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api_test.h"
#include "core/alloc.h"
#include "core/jsonx.h"
#include "oauth_fx.h"
#include "sync/columns.h"
#include "test.h"

#define RECORDS 150 /* per sandbox object */

static struct json_object *call(struct api_test *t, const char *method, const char *path,
                                const char *body, long status)
{
    return api_test_expect(t, method, path, body, status);
}

static void sync_ok(struct api_test *t, const char *id, const char *body, const char *log_has)
{
    struct json_object *run = api_test_sync_wait(t, id, body);
    const char *text = json_object_to_json_string(run);
    if (strcmp(jsonx_str(jsonx_get(run, "status")), "success") != 0)
        fail_msg("%s", text);
    if (log_has && !strstr(text, log_has))
        fail_msg("no \"%s\" in %s", log_has, text);
    json_object_put(run);
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

/* The raw tables of integration id: A (Account), C (Contact), L (Lead),
 * O (Opportunity), K (Case). */
struct raw {
    char A[COL_NAME_MAX + 1], C[COL_NAME_MAX + 1], L[COL_NAME_MAX + 1], O[COL_NAME_MAX + 1],
        K[COL_NAME_MAX + 1];
};

static void raw_init(struct raw *r, const char *id)
{
    char prefix[ID_MAX + 1];
    snprintf(prefix, sizeof(prefix), "%s_", id);
    col_table_name(r->A, sizeof(r->A), prefix, "Account");
    col_table_name(r->C, sizeof(r->C), prefix, "Contact");
    col_table_name(r->L, sizeof(r->L), prefix, "Lead");
    col_table_name(r->O, sizeof(r->O), prefix, "Opportunity");
    col_table_name(r->K, sizeof(r->K), prefix, "Case");
}

static void x(struct api_test *t, const char *id, const char *sql)
{
    struct err e;
    if (strcmp(t->tdb->engine, "postgres") == 0)
        assert_db_ok(db_exec(t->tdb->db, "SET inlet.system = on", DB_ARGS(), NULL, &e), &e);
    assert_db_ok(db_exec(t->tdb->db, sql, DB_ARGS(DB_TEXT(id)), NULL, &e), &e);
}

/* Exactly one row of model per record of raw table. */
static void one_each(struct api_test *t, const char *id, const char *raw, const char *model)
{
    int64_t n = api_test_sql_int(t, id, "SELECT count(*) FROM %s", raw);
    assert_true(n > 0);
    assert_int_equal(
        api_test_sql_int(t, id,
                         "SELECT count(*) FROM %s r WHERE (SELECT count(*) FROM %s m WHERE"
                         " m.integration_id = $1 AND m.external_id = r.id) <> 1",
                         raw, model),
        0);
}

static void all_rows_at(struct api_test *t, const char *id, int64_t want_changed)
{
    int64_t changed = 0;
    const char *models[] = {"accounts", "contacts", "deals", "tickets"};
    for (size_t i = 0; i < 4; i++)
        changed += api_test_sql_int(
            t, id, "SELECT count(*) FROM %s WHERE integration_id = $1 AND updated_at <> 1",
            models[i]);
    assert_int_equal(changed, want_changed);
}

static void reset_updated_at(struct api_test *t, const char *id)
{
    x(t, id, "UPDATE accounts SET updated_at = 1 WHERE integration_id = $1");
    x(t, id, "UPDATE contacts SET updated_at = 1 WHERE integration_id = $1");
    x(t, id, "UPDATE deals SET updated_at = 1 WHERE integration_id = $1");
    x(t, id, "UPDATE tickets SET updated_at = 1 WHERE integration_id = $1");
}

static void salesforce(void **state)
{
    struct ofx f;
    struct raw r;
    char id[ID_MAX], path[160], sql[600];

    ofx_start_n(&f, state, SANDBOX_SALESFORCE, RECORDS);
    ofx_connect_new(&f, "Org", id);
    raw_init(&r, id);
    snprintf(path, sizeof(path), "/api/integrations/%s/discover", id);
    json_object_put(call(f.t, "POST", path, NULL, 200));
    snprintf(path, sizeof(path), "/api/integrations/%s/catalog", id);
    json_object_put(call(f.t, "PUT", path,
                         "{\"streams\":[{\"tap_stream_id\":\"Account\"},{\"tap_stream_id\":"
                         "\"Contact\"},{\"tap_stream_id\":\"Lead\"},{\"tap_stream_id\":"
                         "\"Opportunity\"},{\"tap_stream_id\":\"Case\"}]}",
                         200));
    /* The tenant's override: a contact's title is its last name in capitals. */
    snprintf(sql, sizeof(sql),
             "INSERT INTO field_mappings (id, tenant_id, integration_id, stream, target,"
             " target_field, source_field, transforms, created_at, updated_at) VALUES"
             " ('fmap_1', '%s', $1, 'Contact', 'contacts', 'title', 'LastName', '[\"upper\"]',"
             " 1, 1)",
             f.t->a.id);
    x(f.t, id, sql);

    sync_ok(f.t, id, "{}", "normalized: ");
    one_each(f.t, id, r.A, "accounts");
    one_each(f.t, id, r.C, "contacts");
    one_each(f.t, id, r.L, "contacts");
    one_each(f.t, id, r.O, "deals");
    one_each(f.t, id, r.K, "tickets");
    assert_int_equal(
        api_test_sql_int(f.t, id, "SELECT count(*) FROM contacts WHERE integration_id = $1"),
        api_test_sql_int(f.t, id, "SELECT (SELECT count(*) FROM %s) + (SELECT count(*) FROM %s)",
                         r.C, r.L));
    assert_int_equal(
        api_test_sql_int(f.t, id,
                         "SELECT count(*) FROM accounts WHERE integration_id = $1 AND connector <> "
                         "'salesforce'"),
        0);

    /* The fields, against the raw records. */
    assert_int_equal(
        api_test_sql_int(f.t, id,
                         "SELECT count(*) FROM %s r JOIN accounts a ON a.integration_id = $1 AND"
                         " a.external_id = r.id WHERE a.name IS DISTINCT FROM NULLIF(r.name, '')"
                         " OR a.industry IS DISTINCT FROM NULLIF(r.industry, '')"
                         " OR a.employees IS DISTINCT FROM r.numberofemployees",
                         r.A),
        0);
    assert_int_equal(
        api_test_sql_int(f.t, id,
                         "SELECT count(*) FROM %s r JOIN contacts c ON c.integration_id = $1 AND"
                         " c.external_id = r.id WHERE c.first_name IS DISTINCT FROM"
                         " NULLIF(r.firstname, '') OR c.email IS DISTINCT FROM"
                         " lower(NULLIF(r.email, '')) OR c.title IS DISTINCT FROM"
                         " upper(NULLIF(r.lastname, ''))",
                         r.C),
        0);
    assert_true(api_test_sql_int(f.t, id,
                                 "SELECT count(*) FROM contacts WHERE integration_id = $1 AND"
                                 " title IS NOT NULL") > 0);
    assert_int_equal(
        api_test_sql_int(f.t, id,
                         "SELECT count(*) FROM %s r JOIN contacts c ON c.integration_id = $1 AND"
                         " c.external_id = r.id WHERE c.company IS DISTINCT FROM"
                         " NULLIF(r.company, '') OR c.lead_source IS DISTINCT FROM"
                         " NULLIF(r.leadsource, '') OR c.lead_status IS DISTINCT FROM"
                         " NULLIF(r.status, '')",
                         r.L),
        0);
    assert_int_equal(
        api_test_sql_int(f.t, id,
                         "SELECT count(*) FROM %s r JOIN deals d ON d.integration_id = $1 AND"
                         " d.external_id = r.id WHERE d.name IS DISTINCT FROM NULLIF(r.name, '')"
                         " OR d.stage IS DISTINCT FROM NULLIF(r.stagename, '')"
                         " OR abs(d.amount - r.amount) > 0.001 OR (d.amount IS NULL) <>"
                         " (r.amount IS NULL) OR d.status NOT IN ('open', 'won', 'lost')"
                         " OR (r.stagename = 'Closed Won') <> (d.status = 'won')",
                         r.O),
        0);
    assert_int_equal(
        api_test_sql_int(f.t, id,
                         "SELECT count(*) FROM %s r JOIN tickets k ON k.integration_id = $1 AND"
                         " k.external_id = r.id WHERE k.subject IS DISTINCT FROM"
                         " NULLIF(r.subject, '') OR k.status IS DISTINCT FROM NULLIF(r.status, '')",
                         r.K),
        0);
    /* References: every raw AccountId resolved to that account's row. */
    const char *const refs[][2] = {{r.C, "contacts"}, {r.O, "deals"}, {r.K, "tickets"}};
    for (size_t i = 0; i < 3; i++) {
        assert_true(api_test_sql_int(f.t, id, "SELECT count(*) FROM %s WHERE accountid IS NOT NULL",
                                     refs[i][0]) > 0);
        assert_int_equal(
            api_test_sql_int(f.t, id,
                             "SELECT count(*) FROM %s r JOIN %s m ON m.integration_id = $1 AND"
                             " m.external_id = r.id WHERE r.accountid IS NOT NULL AND"
                             " (SELECT a.external_id FROM accounts a WHERE a.id = m.account_id)"
                             " IS DISTINCT FROM r.accountid",
                             refs[i][0], refs[i][1]),
            0);
    }

    /* A full sync again: every record read, no row written. */
    reset_updated_at(f.t, id);
    sync_ok(f.t, id, "{\"mode\":\"full\"}", "normalized: 0 created, 0 updated, ");
    all_rows_at(f.t, id, 0);

    /* Changed records update their rows, and only those. */
    sb_post(&f, "/_sandbox/mutate", "{\"object\":\"Contact\",\"touch\":5}");
    sync_ok(f.t, id, "{}", NULL);
    all_rows_at(f.t, id, 5);
    assert_int_equal(
        api_test_sql_int(f.t, id,
                         "SELECT count(*) FROM %s r JOIN contacts c ON c.integration_id = $1 AND"
                         " c.external_id = r.id WHERE c.updated_at <> 1 AND"
                         " c.phone IS DISTINCT FROM NULLIF(r.phone, '')",
                         r.C),
        0);

    /* Deleted records are soft-deleted. */
    reset_updated_at(f.t, id);
    sb_post(&f, "/_sandbox/mutate", "{\"object\":\"Contact\",\"delete\":3}");
    sync_ok(f.t, id, "{}", NULL);
    assert_int_equal(api_test_sql_int(f.t, id,
                                      "SELECT count(*) FROM contacts WHERE integration_id = $1 AND"
                                      " deleted_at IS NOT NULL"),
                     3);
    assert_int_equal(
        api_test_sql_int(f.t, id,
                         "SELECT count(*) FROM %s r JOIN contacts c ON c.integration_id = $1 AND"
                         " c.external_id = r.id WHERE (c.deleted_at IS NULL) <>"
                         " (r._inlet_deleted_at IS NULL)",
                         r.C),
        0);
    all_rows_at(f.t, id, 3);
    one_each(f.t, id, r.C, "contacts");
    ofx_stop(&f);
}

/* HubSpot's default mappings: one row per record of each mapped stream. */
static void hubspot(void **state)
{
    struct ofx f;
    char id[ID_MAX], path[160], prefix[ID_MAX + 1], table[COL_NAME_MAX + 1];
    const char *const streams[][2] = {{"companies", "accounts"},
                                      {"contacts", "contacts"},
                                      {"deals", "deals"},
                                      {"tickets", "tickets"}};

    ofx_start_n(&f, state, SANDBOX_HUBSPOT, RECORDS);
    ofx_connect_new(&f, "Portal", id);
    snprintf(path, sizeof(path), "/api/integrations/%s", id);
    json_object_put(
        call(f.t, "PATCH", path, "{\"config\":{\"start_date\":\"2000-01-01T00:00:00Z\"}}", 200));
    snprintf(path, sizeof(path), "/api/integrations/%s/discover", id);
    json_object_put(call(f.t, "POST", path, NULL, 200));
    snprintf(path, sizeof(path), "/api/integrations/%s/catalog", id);
    json_object_put(call(f.t, "PUT", path,
                         "{\"streams\":[{\"tap_stream_id\":\"companies\"},{\"tap_stream_id\":"
                         "\"contacts\"},{\"tap_stream_id\":\"deals\"},{\"tap_stream_id\":"
                         "\"tickets\"}]}",
                         200));
    sync_ok(f.t, id, "{}", " 0 failed");
    snprintf(prefix, sizeof(prefix), "%s_", id);
    for (size_t i = 0; i < 4; i++) {
        col_table_name(table, sizeof(table), prefix, streams[i][0]);
        one_each(f.t, id, table, streams[i][1]);
        assert_int_equal(api_test_sql_int(f.t, id,
                                          "SELECT count(*) FROM %s WHERE integration_id = $1",
                                          streams[i][1]),
                         api_test_sql_int(f.t, id, "SELECT count(*) FROM %s", table));
    }
    ofx_stop(&f);
}

int test_api_normalize(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(salesforce, api_test_setup, api_test_teardown),
        cmocka_unit_test_setup_teardown(hubspot, api_test_setup, api_test_teardown),
    };
    return test_group_db("api_normalize", tests);
}
