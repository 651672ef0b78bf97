/* tests/api/test_api_actions.c - connector actions on both engines against
 * the sandbox. The catalogue of each connector's actions with their input
 * schemas; Salesforce: every object's create, get, update and delete in
 * turn (Contact, Account, Opportunity, Lead, Case), input refused field by
 * field before any request, the provider's refusals translated into field
 * errors (an unknown column, a required field emptied, a record not
 * found), a SOQL query that follows its pages up to the limit, an expired
 * token refreshed once; HubSpot: contact, company and deal created and
 * updated, a 429 passed back with its Retry-After; Slack: a message posted,
 * a channel that is not there refused though Slack answers 200, channels
 * listed. Every request counted in api_usage as the sandbox counted it. */
#include <stdio.h>
#include <string.h>

#include "api_test.h"
#include "core/alloc.h"
#include "core/jsonx.h"
#include "oauth_fx.h"
#include "sync/columns.h"
#include "test.h"

/* Run action name of integration id with input (JSON text); r is the
 * caller's. */
static void act(struct ofx *f, struct client_reply *r, const char *id, const char *name,
                const char *input)
{
    char path[200], body[4000];
    snprintf(path, sizeof(path), "/api/integrations/%s/actions/%s", id, name);
    snprintf(body, sizeof(body), "{\"input\":%s}", input);
    api_test_call(f->t, r, "POST", path, f->t->a.key, body, NULL);
}

/* The same, expecting ok; the answer's data (json_object_put the whole,
 * returned; *data borrowed from it). */
static struct json_object *act_ok(struct ofx *f, const char *id, const char *name,
                                  const char *input, long status, struct json_object **data)
{
    struct client_reply r;
    act(f, &r, id, name, input);
    if (r.status != 200)
        fail_msg("%s %s: %ld %s", name, input, r.status, buf_cstr(&r.body));
    struct json_object *v = api_test_json(&r);
    client_reply_dispose(&r);
    assert_true(json_object_get_boolean(jsonx_get(v, "ok")));
    if (json_object_get_int(jsonx_get(v, "status")) != status)
        fail_msg("%s: status %d, want %ld", name, json_object_get_int(jsonx_get(v, "status")),
                 status);
    *data = jsonx_get(v, "data");
    return v;
}

/* Expect status and code, and has in the body. */
static void act_refused(struct ofx *f, const char *id, const char *name, const char *input,
                        long status, const char *code, const char *has)
{
    struct client_reply r;
    act(f, &r, id, name, input);
    api_test_expect_error(&r, status, code);
    if (has && !strstr(buf_cstr(&r.body), has))
        fail_msg("%s %s: no %s in %s", name, input, has, buf_cstr(&r.body));
    client_reply_dispose(&r);
}

static void catalogue(void **state)
{
    struct api_test *t = *state;
    static const struct {
        const char *connector;
        size_t n;
        const char *one;
    } want[] = {{"salesforce", 21, "create_opportunity"},
                {"hubspot", 6, "update_deal"},
                {"slack", 2, "post_message"}};
    for (size_t i = 0; i < 3; i++) {
        char path[100];
        snprintf(path, sizeof(path), "/api/connectors/%s/actions", want[i].connector);
        struct json_object *v = api_test_expect(t, "GET", path, NULL, 200);
        struct json_object *data = jsonx_get(v, "data");
        assert_int_equal(jsonx_len(data), want[i].n);
        bool found = false;
        for (size_t k = 0; k < jsonx_len(data); k++) {
            struct json_object *a = jsonx_at(data, k);
            assert_string_equal(jsonx_str(jsonx_get(jsonx_get(a, "input"), "type")), "object");
            assert_non_null(jsonx_str(jsonx_get(a, "title")));
            found |= strcmp(jsonx_str(jsonx_get(a, "name")), want[i].one) == 0;
        }
        assert_true(found);
        json_object_put(v);
    }
    struct client_reply r;
    api_test_call(t, &r, "GET", "/api/connectors/nope/actions", t->a.key, NULL, NULL);
    api_test_expect_error(&r, 404, "not_found");
    client_reply_dispose(&r);
}

static void salesforce(void **state)
{
    struct ofx f;
    char id[ID_MAX], input[600];
    struct json_object *data;
    static const struct {
        const char *object, *create, *change;
    } objects[] = {
        {"contact", "{\"LastName\":\"Lovelace\",\"Email\":\"ada@example.com\"}",
         "\"Title\":\"Countess\""},
        {"account", "{\"Name\":\"Analytical Engines\",\"NumberOfEmployees\":3}",
         "\"Industry\":\"Technology\""},
        {"opportunity",
         "{\"Name\":\"Engine No. 2\",\"StageName\":\"Prospecting\",\"CloseDate\":\"2027-01-31\","
         "\"Amount\":1200.5}",
         "\"StageName\":\"Closed Won\""},
        {"lead", "{\"LastName\":\"Babbage\",\"Company\":\"Difference Ltd\"}",
         "\"Status\":\"Working - Contacted\""},
        {"case", "{\"Subject\":\"The engine jams\",\"Priority\":\"High\"}",
         "\"Status\":\"Closed\""},
    };

    ofx_start_n(&f, state, SANDBOX_SALESFORCE, 2100);
    ofx_connect_new(&f, "Org", id);
    /* Contact is synced: what an action changes there is stored at once. */
    char path[200];
    snprintf(path, sizeof(path), "/api/integrations/%s/discover", id);
    json_object_put(api_test_expect(f.t, "POST", path, NULL, 200));
    snprintf(path, sizeof(path), "/api/integrations/%s/catalog", id);
    json_object_put(
        api_test_expect(f.t, "PUT", path, "{\"streams\":[{\"tap_stream_id\":\"Contact\"}]}", 200));
    int64_t data0 = ofx_sb_counter(&f, "data");
    int64_t used0 = api_test_sql_int(f.t, id,
                                     "SELECT COALESCE(SUM(calls), 0) FROM api_usage WHERE"
                                     " integration_id = $1");

    for (size_t i = 0; i < sizeof(objects) / sizeof(objects[0]); i++) {
        char name[40], rec[40];
        snprintf(name, sizeof(name), "create_%s", objects[i].object);
        struct json_object *v = act_ok(&f, id, name, objects[i].create, 201, &data);
        snprintf(rec, sizeof(rec), "%s", jsonx_str(jsonx_get(data, "id")));
        /* Stored at once where the stream is synced, and only there. */
        bool synced = i == 0;
        assert_int_equal(json_object_get_boolean(jsonx_get(v, "stored")), synced);
        assert_false(jsonx_has(v, "store_error"));
        json_object_put(v);
        if (synced) {
            assert_int_equal(api_test_sql_int(f.t, rec,
                                              "SELECT count(*) FROM contacts WHERE external_id ="
                                              " $1 AND last_name = 'Lovelace' AND email ="
                                              " 'ada@example.com'"),
                             1);
            char prefix[ID_MAX + 1], table[COL_NAME_MAX + 1];
            snprintf(prefix, sizeof(prefix), "%s_", id);
            col_table_name(table, sizeof(table), prefix, "Contact");
            assert_int_equal(
                api_test_sql_int(f.t, rec, "SELECT count(*) FROM %s WHERE id = $1", table), 1);
        }
        snprintf(name, sizeof(name), "update_%s", objects[i].object);
        snprintf(input, sizeof(input), "{\"id\":\"%s\",%s}", rec, objects[i].change);
        v = act_ok(&f, id, name, input, 204, &data);
        assert_null(data);
        assert_int_equal(json_object_get_boolean(jsonx_get(v, "stored")), synced);
        json_object_put(v);
        if (synced)
            assert_int_equal(api_test_sql_int(f.t, rec,
                                              "SELECT count(*) FROM contacts WHERE external_id ="
                                              " $1 AND title = 'Countess'"),
                             1);
        snprintf(name, sizeof(name), "get_%s", objects[i].object);
        snprintf(input, sizeof(input), "{\"id\":\"%s\"}", rec);
        v = act_ok(&f, id, name, input, 200, &data);
        const char *colon = strchr(objects[i].change, ':');
        char field[40];
        snprintf(field, sizeof(field), "%.*s", (int)(colon - objects[i].change - 2),
                 objects[i].change + 1);
        struct buf got;
        buf_init(&got, 0);
        jsonx_format(&got, jsonx_get(data, field));
        assert_string_equal(buf_cstr(&got), colon + 1);
        buf_dispose(&got);
        json_object_put(v);
        snprintf(name, sizeof(name), "delete_%s", objects[i].object);
        json_object_put(act_ok(&f, id, name, input, 204, &data));
        snprintf(name, sizeof(name), "get_%s", objects[i].object);
        act_refused(&f, id, name, input, 422, "action_failed", "NOT_FOUND");
    }

    /* Every action's failure path: the provider's refusal read into the
     * fields it names, or its code. */
    for (size_t i = 0; i < sizeof(objects) / sizeof(objects[0]); i++) {
        char name[40], bad[600], gone[200];
        size_t n = strlen(objects[i].create);
        snprintf(name, sizeof(name), "create_%s", objects[i].object);
        snprintf(bad, sizeof(bad), "%.*s,\"Nope__c\":\"x\"}", (int)(n - 1), objects[i].create);
        act_refused(&f, id, name, bad, 422, "action_failed",
                    "\"field\":\"Nope__c\",\"code\":\"INVALID_FIELD\"");
        static const char *const verbs[] = {"get", "update", "delete"};
        for (size_t v = 0; v < 3; v++) {
            snprintf(name, sizeof(name), "%s_%s", verbs[v], objects[i].object);
            snprintf(gone, sizeof(gone), "{\"id\":\"000000000000000AAA\"%s%s}", v == 1 ? "," : "",
                     v == 1 ? objects[i].change : "");
            act_refused(&f, id, name, gone, 422, "action_failed", "NOT_FOUND");
        }
    }
    act_refused(&f, id, "query", "{\"soql\":\"SELECT FROM WHERE\"}", 422, "action_failed",
                "MALFORMED_QUERY");

    /* Refused before any request: the input's own faults, each named. */
    int64_t before = ofx_sb_counter(&f, "data");
    act_refused(&f, id, "create_contact", "{\"Email\":\"x@example.com\"}", 422, "validation_failed",
                "\"pointer\":\"/input/LastName\"");
    act_refused(&f, id, "create_contact", "{\"LastName\":\"X\",\"Email\":\"not an email\"}", 422,
                "validation_failed", "/input/Email");
    act_refused(&f, id, "update_account", "{\"id\":\"short\",\"Name\":\"X\"}", 422,
                "validation_failed", "/input/id");
    act_refused(&f, id, "get_case", "{\"id\":\"500000000000001AAA\",\"extra\":1}", 422,
                "validation_failed", "/input/extra");
    act_refused(&f, id, "create_opportunity", "[1]", 422, "validation_failed", "/input");
    act_refused(&f, id, "delete_everything", "{}", 404, "not_found", "delete_everything");
    assert_int_equal(ofx_sb_counter(&f, "data"), before);

    /* The provider's refusals, field by field. */
    act_refused(&f, id, "create_contact", "{\"LastName\":\"X\",\"Nonexistent__c\":\"y\"}", 422,
                "action_failed", "\"field\":\"Nonexistent__c\",\"code\":\"INVALID_FIELD\"");
    struct json_object *v = act_ok(&f, id, "create_lead",
                                   "{\"LastName\":\"Menabrea\",\"Company\":\"Turin\"}", 201, &data);
    snprintf(input, sizeof(input), "{\"id\":\"%s\",\"LastName\":null}",
             jsonx_str(jsonx_get(data, "id")));
    json_object_put(v);
    act_refused(&f, id, "update_lead", input, 422, "action_failed",
                "\"field\":\"LastName\",\"code\":\"REQUIRED_FIELD_MISSING\"");

    /* A query follows its pages up to the limit. */
    v = act_ok(&f, id, "query", "{\"soql\":\"SELECT Id, Name FROM Account\",\"limit\":2050}", 200,
               &data);
    assert_int_equal(json_object_get_int(jsonx_get(data, "count")), 2050);
    assert_false(json_object_get_boolean(jsonx_get(data, "done")));
    assert_int_equal(jsonx_len(jsonx_get(data, "records")), 2050);
    json_object_put(v);
    v = act_ok(&f, id, "query", "{\"soql\":\"SELECT Id FROM Account\",\"limit\":10000}", 200,
               &data);
    assert_int_equal(json_object_get_int(jsonx_get(data, "count")),
                     2100); /* the one made is deleted */
    assert_true(json_object_get_boolean(jsonx_get(data, "done")));
    json_object_put(v);

    /* An expired token: refreshed once, the action sent again. */
    int64_t refreshes = ofx_sb_counter(&f, "token_refresh");
    ofx_sb_faults(&f, "{\"expire_tokens\":true}");
    json_object_put(
        act_ok(&f, id, "create_account", "{\"Name\":\"After the refresh\"}", 201, &data));
    assert_int_equal(ofx_sb_counter(&f, "token_refresh"), refreshes + 1);

    /* Every request the sandbox received, counted: those it served (the
     * 401 included) and those a fault refused (none here). */
    assert_int_equal(api_test_sql_int(f.t, id,
                                      "SELECT COALESCE(SUM(calls), 0) FROM api_usage WHERE"
                                      " integration_id = $1") -
                         used0,
                     ofx_sb_counter(&f, "data") - data0);
    ofx_stop(&f);
}

static void hubspot(void **state)
{
    struct ofx f;
    char id[ID_MAX], input[300], rec[40], h[40];
    struct json_object *data;

    ofx_start(&f, state, SANDBOX_HUBSPOT);
    ofx_connect_new(&f, "Portal", id);
    char path[200];
    snprintf(path, sizeof(path), "/api/integrations/%s/discover", id);
    json_object_put(api_test_expect(f.t, "POST", path, NULL, 200));
    snprintf(path, sizeof(path), "/api/integrations/%s/catalog", id);
    json_object_put(
        api_test_expect(f.t, "PUT", path, "{\"streams\":[{\"tap_stream_id\":\"contacts\"}]}", 200));
    static const char *const kinds[][3] = {
        {"contact", "{\"email\":\"grace@example.com\",\"firstname\":\"Grace\"}",
         "\"lastname\":\"Hopper\""},
        {"company", "{\"name\":\"Navy\",\"domain\":\"navy.example\"}", "\"industry\":\"Defense\""},
        {"deal", "{\"dealname\":\"COBOL\",\"amount\":\"1959\"}", "\"dealstage\":\"closedwon\""},
    };
    for (size_t i = 0; i < 3; i++) {
        char name[40];
        snprintf(name, sizeof(name), "create_%s", kinds[i][0]);
        struct json_object *v = act_ok(&f, id, name, kinds[i][1], 201, &data);
        snprintf(rec, sizeof(rec), "%s", jsonx_str(jsonx_get(data, "id")));
        assert_non_null(jsonx_get(jsonx_get(data, "properties"), "hs_object_id"));
        assert_int_equal(json_object_get_boolean(jsonx_get(v, "stored")), i == 0);
        json_object_put(v);
        if (i == 0)
            assert_int_equal(api_test_sql_int(f.t, rec,
                                              "SELECT count(*) FROM contacts WHERE external_id ="
                                              " $1 AND email = 'grace@example.com'"),
                             1);
        snprintf(name, sizeof(name), "update_%s", kinds[i][0]);
        snprintf(input, sizeof(input), "{\"id\":\"%s\",%s}", rec, kinds[i][2]);
        v = act_ok(&f, id, name, input, 200, &data);
        assert_string_equal(jsonx_str(jsonx_get(data, "id")), rec);
        json_object_put(v);
    }
    /* Every action's failure path: a property HubSpot does not have, a
     * record that is not there. */
    for (size_t i = 0; i < 3; i++) {
        char name[40], bad[300];
        size_t n = strlen(kinds[i][1]);
        snprintf(name, sizeof(name), "create_%s", kinds[i][0]);
        snprintf(bad, sizeof(bad), "%.*s,\"nope_prop\":\"x\"}", (int)(n - 1), kinds[i][1]);
        act_refused(&f, id, name, bad, 422, "action_failed",
                    "\"field\":\"nope_prop\",\"code\":\"PROPERTY_DOESNT_EXIST\"");
        snprintf(name, sizeof(name), "update_%s", kinds[i][0]);
        snprintf(bad, sizeof(bad), "{\"id\":\"999999999\",%s}", kinds[i][2]);
        act_refused(&f, id, name, bad, 422, "action_failed", "OBJECT_NOT_FOUND");
    }

    ofx_sb_faults(&f, "{\"rate_limit_every\":1,\"retry_after_s\":9}");
    struct client_reply r;
    act(&f, &r, id, "create_contact", "{\"email\":\"late@example.com\"}");
    api_test_expect_error(&r, 429, "rate_limited");
    assert_string_equal(client_header(&r, "Retry-After", h, sizeof(h)), "9");
    client_reply_dispose(&r);
    ofx_sb_faults(&f, "{}");
    ofx_stop(&f);
}

static void slack(void **state)
{
    struct ofx f;
    char id[ID_MAX], input[300];
    struct json_object *data;

    ofx_start(&f, state, SANDBOX_SLACK);
    ofx_connect_new(&f, "Workspace", id);
    struct json_object *v = act_ok(&f, id, "list_channels", "{\"limit\":2}", 200, &data);
    struct json_object *channels = jsonx_get(data, "channels");
    assert_int_equal(jsonx_len(channels), 2);
    snprintf(input, sizeof(input), "{\"channel\":\"%s\",\"text\":\"Deal closed: 1,200 USD\"}",
             jsonx_str(jsonx_get(jsonx_at(channels, 0), "id")));
    assert_non_null(jsonx_str(jsonx_get(jsonx_get(data, "response_metadata"), "next_cursor")));
    json_object_put(v);
    v = act_ok(&f, id, "post_message", input, 200, &data);
    assert_non_null(jsonx_str(jsonx_get(data, "ts")));
    json_object_put(v);
    /* Slack answers its errors with 200 and "ok": false. */
    act_refused(&f, id, "post_message", "{\"channel\":\"CNOTTHERE\",\"text\":\"hi\"}", 422,
                "action_failed", "channel_not_found");
    act_refused(&f, id, "post_message", "{\"channel\":\"C1\"}", 422, "validation_failed",
                "/input/text");
    act_refused(&f, id, "list_channels", "{\"cursor\":\"not-a-cursor\"}", 422, "action_failed",
                "invalid_cursor");
    ofx_stop(&f);
}

int test_api_actions(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, api_test_setup, api_test_teardown)
    const struct CMUnitTest tests[] = {
        T(catalogue),
        T(salesforce),
        T(hubspot),
        T(slack),
    };
#undef T
    return test_group_db("api_actions", tests);
}
