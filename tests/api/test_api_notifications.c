/* tests/api/test_api_notifications.c - /api/notification-channels and
 * /api/notifications over real HTTP, on both engines: channels created,
 * listed, read, replaced (secrets left out are kept), deleted and audited,
 * their secrets never in an answer, the audit log or the server log;
 * checks with a pointer per problem; the test send against receivers the
 * test starts (a Slack-style webhook that fails first, an SMTP server, a
 * port nobody listens on); in-app notifications listed newest first with
 * a cursor and an unread filter, marked read one by one and all at once;
 * and another tenant seeing and changing none of it. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "api_test.h"
#include "core/alloc.h"
#include "core/jsonx.h"
#include "notify/hook_sink.h"
#include "notify/notify.h"
#include "notify/smtp_sink.h"
#include "store/integration.h"
#include "test.h"

#define SLACKPATH "/services/T1/B2/s3cr3tpath"
#define WHSEC     "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#define PASSWORD  "hunter2-smtp-password"

static const char *const secrets[] = {"s3cr3tpath", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", PASSWORD,
                                      NULL};

/* Fail when text holds a secret. */
static void no_secrets(const char *text, const char *what)
{
    for (size_t i = 0; secrets[i]; i++)
        if (text && strstr(text, secrets[i]))
            fail_msg("%s mentions \"%s\":\n%s", what, secrets[i], text);
}

/* A request by key; its status must be status; the body (xfree). */
static char *call(struct api_test *t, const char *key, const char *method, const char *path,
                  const char *body, long status)
{
    struct client_reply r;
    api_test_call(t, &r, method, path, key, body, NULL);
    if (r.status != status)
        fail_msg("%s %s: expected %ld, got %ld: %s", method ? method : "GET", path, status,
                 r.status, buf_cstr(&r.body));
    no_secrets(buf_cstr(&r.body), path);
    no_secrets(buf_cstr(&r.head), path);
    char *s = buf_take(&r.body);
    client_reply_dispose(&r);
    return s ? s : xstrdup("");
}

static struct json_object *json(const char *s)
{
    struct json_object *v = NULL;
    struct err e;
    if (jsonx_parse(&v, s, strlen(s), strlen(s) + 1, &e) != 0)
        fail_msg("not JSON (%s): %s", e.msg, s);
    return v;
}

/* The error of a refused request: its status, code and first pointer. */
static void refused(struct api_test *t, const char *method, const char *path, const char *body,
                    long status, const char *code, const char *pointer)
{
    struct client_reply r;
    api_test_call(t, &r, method, path, t->a.key, body, NULL);
    api_test_expect_error(&r, status, code);
    no_secrets(buf_cstr(&r.body), path);
    if (pointer) {
        struct json_object *v = api_test_json(&r);
        struct json_object *d = jsonx_at(jsonx_get(jsonx_get(v, "error"), "details"), 0);
        const char *got = jsonx_str(jsonx_get(d, "pointer"));
        if (!got || strcmp(got, pointer) != 0)
            fail_msg("%s %s: expected pointer %s: %s", method, path, pointer, buf_cstr(&r.body));
        json_object_put(v);
    }
    client_reply_dispose(&r);
}

/* Create a channel from body; its id into id. */
static void create(struct api_test *t, const char *body, char id[ID_MAX])
{
    char *s = call(t, t->a.key, "POST", "/api/notification-channels", body, 201);
    struct json_object *v = json(s);
    snprintf(id, ID_MAX, "%s", jsonx_str(jsonx_get(v, "id")));
    json_object_put(v);
    xfree(s);
}

static void channels_crud(void **state)
{
    struct api_test *t = *state;
    struct hook_sink sink;
    char slack[ID_MAX], hook[ID_MAX], mail[ID_MAX], body[1024], path[128];

    hook_sink_start(&sink);
    snprintf(body, sizeof(body),
             "{\"kind\":\"slack\",\"name\":\"#ops\",\"config\":{\"url\":\"%s" SLACKPATH "\"}}",
             sink.base);
    create(t, body, slack);
    assert_true(id_valid(slack, "nch"));
    snprintf(path, sizeof(path), "/api/notification-channels/%s", slack);
    char *s = call(t, t->a.key, NULL, path, NULL, 200);
    struct json_object *v = json(s);
    assert_string_equal(jsonx_str(jsonx_get(v, "kind")), "slack");
    assert_string_equal(jsonx_str(jsonx_get(v, "name")), "#ops");
    assert_string_equal(json_object_to_json_string(jsonx_get(v, "events")), "[ \"*\" ]");
    assert_true(json_object_get_boolean(jsonx_get(v, "enabled")));
    assert_string_equal(jsonx_str(jsonx_get(jsonx_get(v, "config"), "url")), "set");
    assert_non_null(jsonx_str(jsonx_get(v, "created_at")));
    json_object_put(v);
    xfree(s);

    snprintf(body, sizeof(body),
             "{\"kind\":\"webhook\",\"name\":\"Pager\",\"events\":[\"sync.failed\","
             "\"integration.needs_reauth\"],\"config\":{\"url\":\"%s/hook\",\"secret\":\"" WHSEC
             "\"}}",
             sink.base);
    create(t, body, hook);
    create(t,
           "{\"kind\":\"email\",\"name\":\"Ops mail\",\"enabled\":false,\"config\":{\"url\":"
           "\"smtps://smtp.example.com:465\",\"from\":\"inlet@example.com\",\"to\":["
           "\"ops@example.com\"],\"username\":\"inlet\",\"password\":\"" PASSWORD "\"}}",
           mail);

    /* The list shows every channel, secrets as "set", the SMTP server and
     * user as they are. */
    s = call(t, t->a.key, NULL, "/api/notification-channels", NULL, 200);
    v = json(s);
    assert_int_equal(jsonx_len(jsonx_get(v, "data")), 3);
    /* By id: channels made in the same millisecond have no order. */
    struct json_object *m = NULL, *h = NULL;
    for (size_t i = 0; i < 3; i++) {
        struct json_object *c = jsonx_at(jsonx_get(v, "data"), i);
        if (strcmp(jsonx_str(jsonx_get(c, "id")), mail) == 0)
            m = c;
        if (strcmp(jsonx_str(jsonx_get(c, "id")), hook) == 0)
            h = c;
    }
    assert_non_null(m);
    assert_non_null(h);
    assert_false(json_object_get_boolean(jsonx_get(m, "enabled")));
    struct json_object *cfg = jsonx_get(m, "config");
    assert_string_equal(jsonx_str(jsonx_get(cfg, "url")), "smtps://smtp.example.com:465");
    assert_string_equal(jsonx_str(jsonx_get(cfg, "username")), "inlet");
    assert_string_equal(jsonx_str(jsonx_get(cfg, "password")), "set");
    cfg = jsonx_get(h, "config");
    assert_string_equal(jsonx_str(jsonx_get(cfg, "secret")), "set");
    json_object_put(v);
    xfree(s);

    /* Replace: new name, events, off; the URL left out is kept (the test
     * send still reaches the receiver). */
    s = call(t, t->a.key, "PUT", path,
             "{\"kind\":\"slack\",\"name\":\"#ops-2\",\"events\":[\"sync.recovered\"],"
             "\"enabled\":false,\"config\":{}}",
             200);
    v = json(s);
    assert_string_equal(jsonx_str(jsonx_get(v, "name")), "#ops-2");
    assert_false(json_object_get_boolean(jsonx_get(v, "enabled")));
    assert_string_equal(jsonx_str(jsonx_get(jsonx_get(v, "config"), "url")), "set");
    json_object_put(v);
    xfree(s);
    char tp[160];
    snprintf(tp, sizeof(tp), "%s/test", path);
    s = call(t, t->a.key, "POST", tp, NULL, 200);
    assert_non_null(strstr(s, "\"ok\":true"));
    xfree(s);
    assert_int_equal(hook_sink_count(&sink), 1);
    assert_string_equal(sink.reqs[0].path, SLACKPATH);
    /* Another kind needs its settings whole. */
    refused(t, "PUT", path, "{\"kind\":\"webhook\",\"name\":\"x\",\"config\":{}}", 422,
            "validation_failed", "/config/url");

    /* Checks, one pointer each; a URL is never quoted back. */
    refused(t, "POST", "/api/notification-channels",
            "{\"kind\":\"inapp\",\"name\":\"x\",\"config\":{}}", 422, "validation_failed", "/kind");
    refused(t, "POST", "/api/notification-channels", "{\"name\":\"x\",\"config\":{}}", 422,
            "validation_failed", "/kind");
    refused(t, "POST", "/api/notification-channels", "{\"kind\":\"slack\",\"config\":{}}", 422,
            "validation_failed", "/name");
    refused(t, "POST", "/api/notification-channels", "{\"kind\":\"slack\",\"name\":\"x\"}", 422,
            "validation_failed", "/config");
    refused(t, "POST", "/api/notification-channels",
            "{\"kind\":\"slack\",\"name\":\"x\",\"events\":[\"sync.failed\",\"nope\"],"
            "\"config\":{\"url\":\"https://a.example\"}}",
            422, "validation_failed", "/events/1");
    refused(t, "POST", "/api/notification-channels",
            "{\"kind\":\"slack\",\"name\":\"x\",\"config\":{\"url\":\"ftp://s3cr3tpath\"}}", 422,
            "validation_failed", "/config/url");
    refused(t, "POST", "/api/notification-channels",
            "{\"kind\":\"slack\",\"name\":\"x\",\"enabled\":1,\"config\":{\"url\":"
            "\"https://a.example\"}}",
            422, "validation_failed", "/enabled");
    refused(t, "POST", "/api/notification-channels",
            "{\"kind\":\"slack\",\"name\":\"x\",\"colour\":\"red\",\"config\":{}}", 400,
            "unknown_field", NULL);
    refused(t, "GET", "/api/notification-channels/nope", NULL, 404, "not_found", NULL);
    refused(t, "GET", "/api/notification-channels?x=1", NULL, 400, "unknown_parameter", NULL);

    /* Delete: gone, and so are its deliveries. */
    xfree(call(t, t->a.key, "DELETE", path, NULL, 204));
    refused(t, "GET", path, NULL, 404, "not_found", NULL);
    refused(t, "DELETE", path, NULL, 404, "not_found", NULL);
    refused(t, "POST", tp, NULL, 404, "not_found", NULL);

    /* Audited, without secrets. */
    s = call(t, t->a.key, NULL, "/api/audit?limit=200", NULL, 200);
    assert_non_null(strstr(s, "\"action\":\"notification_channel.create\""));
    assert_non_null(strstr(s, "\"action\":\"notification_channel.update\""));
    assert_non_null(strstr(s, "\"action\":\"notification_channel.delete\""));
    assert_non_null(strstr(s, "\"action\":\"notification_channel.test\""));
    xfree(s);
    char *log = api_test_stop(t);
    no_secrets(log, "the server log");
    xfree(log);
    hook_sink_stop(&sink);
}

static void test_send(void **state)
{
    struct api_test *t = *state;
    struct hook_sink sink;
    struct smtp_sink smtp = {0};
    char slack[ID_MAX], mail[ID_MAX], gone[ID_MAX], body[1024], path[160];

    hook_sink_start(&sink);
    sink.fail_first = 1;
    smtp_sink_start(&smtp);
    snprintf(body, sizeof(body),
             "{\"kind\":\"slack\",\"name\":\"#ops\",\"config\":{\"url\":\"%s" SLACKPATH "\"}}",
             sink.base);
    create(t, body, slack);
    snprintf(body, sizeof(body),
             "{\"kind\":\"email\",\"name\":\"Mail\",\"config\":{\"url\":\"%s\",\"from\":"
             "\"inlet@example.com\",\"to\":[\"ops@example.com\"],\"starttls\":false}}",
             smtp.url);
    create(t, body, mail);
    int port, fd = hook_sink_silent(&port);
    close(fd); /* nobody listens there now */
    snprintf(body, sizeof(body),
             "{\"kind\":\"webhook\",\"name\":\"Gone\",\"config\":{\"url\":"
             "\"http://127.0.0.1:%d/h\",\"secret\":\"" WHSEC "\"}}",
             port);
    create(t, body, gone);

    snprintf(path, sizeof(path), "/api/notification-channels/%s/test", slack);
    char *s = call(t, t->a.key, "POST", path, NULL, 200);
    struct json_object *v = json(s);
    assert_false(json_object_get_boolean(jsonx_get(v, "ok")));
    assert_int_equal(json_object_get_int(jsonx_get(v, "status")), 500);
    assert_string_equal(jsonx_str(jsonx_get(v, "error")), "slack: HTTP 500: no_service");
    json_object_put(v);
    xfree(s);
    s = call(t, t->a.key, "POST", path, NULL, 200);
    v = json(s);
    assert_true(json_object_get_boolean(jsonx_get(v, "ok")));
    assert_int_equal(json_object_get_int(jsonx_get(v, "status")), 200);
    assert_null(jsonx_get(v, "error"));
    json_object_put(v);
    xfree(s);
    assert_non_null(strstr(sink.reqs[1].body, "Test notification from inlet"));

    snprintf(path, sizeof(path), "/api/notification-channels/%s/test", mail);
    s = call(t, t->a.key, "POST", path, NULL, 200);
    assert_non_null(strstr(s, "\"ok\":true"));
    xfree(s);
    assert_int_equal(smtp_sink_count(&smtp), 1);
    assert_non_null(strstr(smtp.msgs[0].data, "Subject: [inlet] Test notification from inlet"));

    snprintf(path, sizeof(path), "/api/notification-channels/%s/test", gone);
    s = call(t, t->a.key, "POST", path, NULL, 200);
    v = json(s);
    assert_false(json_object_get_boolean(jsonx_get(v, "ok")));
    assert_null(jsonx_get(v, "status"));
    assert_true(strncmp(jsonx_str(jsonx_get(v, "error")), "webhook: no answer: ", 20) == 0);
    json_object_put(v);
    xfree(s);
    smtp_sink_stop(&smtp);
    hook_sink_stop(&sink);
}

/* An integration of tenant, made in the store. */
static void make_integration(struct api_test *t, const char *tenant, const char *name,
                             char id[ID_MAX])
{
    struct integration it = {0};
    struct err e;
    assert_db_ok(db_begin_tenant(t->tdb->db, tenant, &e), &e);
    assert_db_ok(integration_create(&it, t->tdb->db, tenant, "testkey", name, NULL, 1, &e), &e);
    assert_db_ok(db_commit(t->tdb->db, &e), &e);
    memcpy(id, it.id, ID_MAX);
    integration_dispose(&it);
}

static void record(struct api_test *t, const char *tenant, const char *id, enum notify_outcome o,
                   int64_t now)
{
    enum notify_event ev;
    struct err e;
    assert_db_ok(db_begin_tenant(t->tdb->db, tenant, &e), &e);
    assert_db_ok(notify_record(&ev, t->tdb->db, tenant, id, o, "detail", now, &e), &e);
    assert_db_ok(db_commit(t->tdb->db, &e), &e);
    assert_int_not_equal(ev, NOTIFY_NONE);
}

static void notifications_list_and_read(void **state)
{
    struct api_test *t = *state;
    char it[ID_MAX], ids[3][ID_MAX], path[200], link[160];

    make_integration(t, t->a.id, "Sales", it);
    record(t, t->a.id, it, NOTIFY_OUTCOME_SYNC_FAILURE, 1700000000);
    record(t, t->a.id, it, NOTIFY_OUTCOME_SYNC_SUCCESS, 1700000100);
    record(t, t->a.id, it, NOTIFY_OUTCOME_NEEDS_REAUTH, 1700000200);

    char *s = call(t, t->a.key, NULL, "/api/notifications", NULL, 200);
    struct json_object *v = json(s);
    struct json_object *data = jsonx_get(v, "data");
    assert_int_equal(jsonx_len(data), 3);
    assert_int_equal(json_object_get_int(jsonx_get(v, "unread")), 3);
    assert_null(jsonx_get(v, "next_cursor"));
    /* Newest first by id (ids made in the same millisecond have no
     * order among them, so the events are found by name). */
    struct json_object *n0 = NULL;
    for (size_t i = 0; i < 3; i++) {
        struct json_object *n = jsonx_at(data, i);
        snprintf(ids[i], ID_MAX, "%s", jsonx_str(jsonx_get(n, "id")));
        assert_true(i == 0 || strcmp(ids[i - 1], ids[i]) > 0);
        if (strcmp(jsonx_str(jsonx_get(n, "event")), "integration.needs_reauth") == 0)
            n0 = n;
    }
    assert_non_null(n0);
    assert_string_equal(jsonx_str(jsonx_get(n0, "event")), "integration.needs_reauth");
    assert_string_equal(jsonx_str(jsonx_get(n0, "level")), "error");
    assert_string_equal(jsonx_str(jsonx_get(n0, "title")), "Reconnect Sales");
    assert_string_equal(jsonx_str(jsonx_get(n0, "integration_id")), it);
    snprintf(link, sizeof(link), "%s/ui/integrations/%s", t->base, it);
    assert_string_equal(jsonx_str(jsonx_get(n0, "link")), link);
    assert_string_equal(jsonx_str(jsonx_get(jsonx_get(n0, "data"), "connector")), "testkey");
    assert_false(json_object_get_boolean(jsonx_get(n0, "read")));
    assert_null(jsonx_get(n0, "read_at"));
    assert_string_equal(jsonx_str(jsonx_get(n0, "created_at")), "2023-11-14T22:16:40Z");
    json_object_put(v);
    xfree(s);

    /* Pages. */
    s = call(t, t->a.key, NULL, "/api/notifications?limit=2", NULL, 200);
    v = json(s);
    assert_int_equal(jsonx_len(jsonx_get(v, "data")), 2);
    assert_string_equal(jsonx_str(jsonx_get(v, "next_cursor")), ids[1]);
    json_object_put(v);
    xfree(s);
    snprintf(path, sizeof(path), "/api/notifications?limit=2&cursor=%s", ids[1]);
    s = call(t, t->a.key, NULL, path, NULL, 200);
    v = json(s);
    assert_int_equal(jsonx_len(jsonx_get(v, "data")), 1);
    assert_string_equal(jsonx_str(jsonx_get(jsonx_at(jsonx_get(v, "data"), 0), "id")), ids[2]);
    assert_null(jsonx_get(v, "next_cursor"));
    json_object_put(v);
    xfree(s);

    /* Read one, twice (the first time stays), then the unread ones. */
    snprintf(path, sizeof(path), "/api/notifications/%s/read", ids[0]);
    xfree(call(t, t->a.key, "POST", path, NULL, 204));
    xfree(call(t, t->a.key, "POST", path, NULL, 204));
    s = call(t, t->a.key, NULL, "/api/notifications?unread=true", NULL, 200);
    v = json(s);
    assert_int_equal(jsonx_len(jsonx_get(v, "data")), 2);
    assert_int_equal(json_object_get_int(jsonx_get(v, "unread")), 2);
    json_object_put(v);
    xfree(s);
    s = call(t, t->a.key, NULL, "/api/notifications?limit=1", NULL, 200);
    v = json(s);
    n0 = jsonx_at(jsonx_get(v, "data"), 0);
    assert_string_equal(jsonx_str(jsonx_get(n0, "id")), ids[0]);
    assert_true(json_object_get_boolean(jsonx_get(n0, "read")));
    assert_non_null(jsonx_str(jsonx_get(n0, "read_at")));
    json_object_put(v);
    xfree(s);
    s = call(t, t->a.key, "POST", "/api/notifications/read-all", NULL, 200);
    assert_string_equal(s, "{\"marked\":2}");
    xfree(s);
    s = call(t, t->a.key, NULL, "/api/notifications?unread=1", NULL, 200);
    assert_string_equal(s, "{\"data\":[],\"next_cursor\":null,\"unread\":0}");
    xfree(s);

    refused(t, "POST", "/api/notifications/ntf_00000000000000000000000000/read", NULL, 404,
            "not_found", NULL);
    refused(t, "POST", "/api/notifications/nope/read", NULL, 404, "not_found", NULL);
    refused(t, "GET", "/api/notifications?unread=maybe", NULL, 400, "invalid_parameter", NULL);
    refused(t, "GET", "/api/notifications?cursor=int_x", NULL, 400, "invalid_parameter", NULL);
    refused(t, "GET", "/api/notifications?limit=201", NULL, 400, "invalid_parameter", NULL);
}

static void other_tenants(void **state)
{
    struct api_test *t = *state;
    char it[ID_MAX], ch[ID_MAX], path[200], nid[ID_MAX];

    create(t,
           "{\"kind\":\"slack\",\"name\":\"a-only\",\"config\":{\"url\":\"https://hooks.example"
           "/services/s3cr3tpath\"}}",
           ch);
    make_integration(t, t->a.id, "A's", it);
    record(t, t->a.id, it, NOTIFY_OUTCOME_SYNC_FAILURE, 1700000000);
    char *s = call(t, t->a.key, NULL, "/api/notifications", NULL, 200);
    struct json_object *v = json(s);
    snprintf(nid, sizeof(nid), "%s", jsonx_str(jsonx_get(jsonx_at(jsonx_get(v, "data"), 0), "id")));
    json_object_put(v);
    xfree(s);

    s = call(t, t->b.key, NULL, "/api/notification-channels", NULL, 200);
    assert_string_equal(s, "{\"data\":[],\"next_cursor\":null}");
    xfree(s);
    s = call(t, t->b.key, NULL, "/api/notifications", NULL, 200);
    assert_string_equal(s, "{\"data\":[],\"next_cursor\":null,\"unread\":0}");
    xfree(s);
    snprintf(path, sizeof(path), "/api/notification-channels/%s", ch);
    xfree(call(t, t->b.key, NULL, path, NULL, 404));
    xfree(
        call(t, t->b.key, "PUT", path,
             "{\"kind\":\"slack\",\"name\":\"mine\",\"config\":{\"url\":\"https://evil.example\"}}",
             404));
    xfree(call(t, t->b.key, "DELETE", path, NULL, 404));
    snprintf(path, sizeof(path), "/api/notification-channels/%s/test", ch);
    xfree(call(t, t->b.key, "POST", path, NULL, 404));
    snprintf(path, sizeof(path), "/api/notifications/%s/read", nid);
    xfree(call(t, t->b.key, "POST", path, NULL, 404));
    s = call(t, t->b.key, "POST", "/api/notifications/read-all", NULL, 200);
    assert_string_equal(s, "{\"marked\":0}");
    xfree(s);

    /* a's things are as they were. */
    snprintf(path, sizeof(path), "/api/notification-channels/%s", ch);
    s = call(t, t->a.key, NULL, path, NULL, 200);
    assert_non_null(strstr(s, "\"name\":\"a-only\""));
    xfree(s);
    s = call(t, t->a.key, NULL, "/api/notifications?unread=true", NULL, 200);
    assert_non_null(strstr(s, "\"unread\":1"));
    xfree(s);
}

int test_api_notifications(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(channels_crud, api_test_setup, api_test_teardown),
        cmocka_unit_test_setup_teardown(test_send, api_test_setup, api_test_teardown),
        cmocka_unit_test_setup_teardown(notifications_list_and_read, api_test_setup,
                                        api_test_teardown),
        cmocka_unit_test_setup_teardown(other_tenants, api_test_setup, api_test_teardown),
    };
    return test_group_db("api_notifications", tests);
}
