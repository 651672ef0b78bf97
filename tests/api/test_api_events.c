/* tests/api/test_api_events.c - events to the host over real HTTP, on both
 * engines: /api/webhook-subscriptions created (the secret answered once),
 * listed with a cursor, read, changed, rotated, deleted and audited, the
 * secret never in another answer, the audit log or the server log; a
 * pointer per refused member (an unknown event with a "did you mean");
 * events from what really happens, through the Salesforce sandbox: an
 * OAuth connect, a sync whose sync.succeeded carries the run's counts
 * and whose records.changed come one per stream, a sync that fails when
 * the user revoked the app (integration.needs_reauth and sync.failed),
 * and a disconnect; key-based connects and a delete. Deliveries go to
 * receivers the test starts, each checked with whsig_verify and the
 * subscription's secret: a 500 retried with the same webhook-id, the
 * delivery log, a redelivery with the same webhook-id, 410 disabling the
 * subscription, the ping test; and another tenant's subscription
 * receiving none of it and reaching none of the first one's. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api_test.h"
#include "core/alloc.h"
#include "core/jsonx.h"
#include "events/deliver.h"
#include "notify/hook_sink.h"
#include "notify/whsig.h"
#include "oauth_fx.h"
#include "test.h"

/* A subscription made through the API: its id and its secret. */
struct sub {
    char id[ID_MAX];
    char secret[WHSIG_SECRET_TEXT_MAX];
};

static struct json_object *json(const char *s)
{
    struct json_object *v = NULL;
    struct err e;
    if (jsonx_parse(&v, s, strlen(s), strlen(s) + 1, &e) != 0)
        fail_msg("not JSON (%s): %s", e.msg, s);
    return v;
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
    char *s = buf_take(&r.body);
    client_reply_dispose(&r);
    return s ? s : xstrdup("");
}

/* Create a subscription of key's tenant from body into *s. */
static void subscribe(struct api_test *t, const char *key, const char *body, struct sub *s)
{
    char *text = call(t, key, "POST", "/api/webhook-subscriptions", body, 201);
    struct json_object *v = json(text);
    snprintf(s->id, sizeof(s->id), "%s", jsonx_str(jsonx_get(v, "id")));
    snprintf(s->secret, sizeof(s->secret), "%s", jsonx_str(jsonx_get(v, "secret")));
    assert_true(id_valid(s->id, "whs"));
    assert_true(strncmp(s->secret, "whsec_", 6) == 0);
    json_object_put(v);
    xfree(text);
}

/* The error of a refused request: its status, code and first pointer
 * (NULL: not checked); and the start of its message (NULL: not checked). */
static void refused(struct api_test *t, const char *method, const char *path, const char *body,
                    long status, const char *code, const char *pointer, const char *msg)
{
    struct client_reply r;
    api_test_call(t, &r, method, path, t->a.key, body, NULL);
    api_test_expect_error(&r, status, code);
    struct json_object *v = api_test_json(&r);
    struct json_object *err = jsonx_get(v, "error");
    struct json_object *d = jsonx_at(jsonx_get(err, "details"), 0);
    if (pointer && (!jsonx_str(jsonx_get(d, "pointer")) ||
                    strcmp(jsonx_str(jsonx_get(d, "pointer")), pointer) != 0))
        fail_msg("%s %s: expected pointer %s: %s", method, path, pointer, buf_cstr(&r.body));
    const char *m = d ? jsonx_str(jsonx_get(d, "message")) : jsonx_str(jsonx_get(err, "message"));
    if (msg && (!m || strstr(m, msg) == NULL))
        fail_msg("%s %s: expected a message with \"%s\": %s", method, path, msg, buf_cstr(&r.body));
    json_object_put(v);
    client_reply_dispose(&r);
}

/* Send what is due now on the test's own connection, as the scheduling
 * loop of a serve or worker process would. */
static struct events_deliver_stats deliver(struct api_test *t, int64_t now)
{
    struct events_deliver_stats st = {0}, one;
    struct events_env env = {.db = t->tdb->db, .vault = t->vault};
    struct err e;
    do {
        assert_db_ok(events_deliver_due(&one, &env, now, 50, &e), &e);
        st.sent += one.sent, st.retried += one.retried, st.failed += one.failed;
    } while (one.sent + one.retried + one.failed > 0);
    return st;
}

static int64_t now_s(void)
{
    return (int64_t)time(NULL);
}

/* Fail unless request q is signed with the secret of s at about now. */
static void verify(const struct hook_req *q, const struct sub *s, int64_t now)
{
    struct secret key;
    struct err e;
    assert_db_ok(whsig_key_parse(&key, s->secret, strlen(s->secret), &e), &e);
    assert_db_ok(whsig_verify(&key, q->id, q->ts, q->sig, q->body, q->n, now, 300, &e), &e);
    secret_dispose(&key);
}

/* The bodies the sink got, checked, as JSON: every one signed for s and
 * a well-formed event; n (OUT) of them. Release with free_events. */
static struct json_object **events_of(struct hook_sink *sink, const struct sub *s, size_t *n)
{
    *n = hook_sink_count(sink);
    struct json_object **v = xcalloc(*n + 1, sizeof(struct json_object *));
    for (size_t i = 0; i < *n; i++) {
        verify(&sink->reqs[i], s, now_s());
        assert_true(id_valid(sink->reqs[i].id, "evt"));
        v[i] = json(sink->reqs[i].body);
        assert_non_null(jsonx_str(jsonx_get(v[i], "type")));
        assert_non_null(jsonx_str(jsonx_get(v[i], "timestamp")));
        assert_true(json_object_is_type(jsonx_get(v[i], "data"), json_type_object));
    }
    return v;
}

static void free_events(struct json_object **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        json_object_put(v[i]);
    xfree(v);
}

/* The data of the only event of type among v (fails unless exactly one). */
static struct json_object *only(struct json_object **v, size_t n, const char *type)
{
    struct json_object *found = NULL;
    for (size_t i = 0; i < n; i++)
        if (strcmp(jsonx_str(jsonx_get(v[i], "type")), type) == 0) {
            if (found)
                fail_msg("two %s events", type);
            found = jsonx_get(v[i], "data");
        }
    if (!found)
        fail_msg("no %s event", type);
    return found;
}

static int64_t num(struct json_object *o, const char *name)
{
    struct json_object *v = jsonx_get(o, name);
    if (!v)
        fail_msg("no %s in %s", name, json_object_to_json_string(o));
    return json_object_get_int64(v);
}

static void subscriptions_crud(void **state)
{
    struct api_test *t = *state;
    struct sub a1, a2;
    char path[160], *s;

    subscribe(t, t->a.key,
              "{\"url\":\"https://app.example.com/hooks/inlet\",\"events\":[\"sync.failed\","
              "\"records.changed\"],\"description\":\"Prod\"}",
              &a1);
    subscribe(t, t->a.key, "{\"url\":\"http://127.0.0.1:9/h\",\"enabled\":false}", &a2);
    assert_string_not_equal(a1.secret, a2.secret);

    snprintf(path, sizeof(path), "/api/webhook-subscriptions/%s", a1.id);
    s = call(t, t->a.key, NULL, path, NULL, 200);
    struct json_object *v = json(s);
    assert_string_equal(jsonx_str(jsonx_get(v, "url")), "https://app.example.com/hooks/inlet");
    assert_string_equal(json_object_to_json_string(jsonx_get(v, "events")),
                        "[ \"sync.failed\", \"records.changed\" ]");
    assert_string_equal(jsonx_str(jsonx_get(v, "description")), "Prod");
    assert_true(json_object_get_boolean(jsonx_get(v, "enabled")));
    assert_false(jsonx_has(v, "secret"));
    assert_non_null(jsonx_str(jsonx_get(v, "created_at")));
    json_object_put(v);
    xfree(s);

    /* A page at a time, oldest first; the default events are ["*"]. */
    s = call(t, t->a.key, NULL, "/api/webhook-subscriptions?limit=1", NULL, 200);
    v = json(s);
    assert_int_equal(jsonx_len(jsonx_get(v, "data")), 1);
    char first[ID_MAX];
    snprintf(first, sizeof(first), "%s",
             jsonx_str(jsonx_get(jsonx_at(jsonx_get(v, "data"), 0), "id")));
    assert_string_equal(jsonx_str(jsonx_get(v, "next_cursor")), first);
    char more[200];
    snprintf(more, sizeof(more), "/api/webhook-subscriptions?limit=1&cursor=%s", first);
    json_object_put(v);
    xfree(s);
    s = call(t, t->a.key, NULL, more, NULL, 200);
    v = json(s);
    assert_int_equal(jsonx_len(jsonx_get(v, "data")), 1);
    assert_string_not_equal(jsonx_str(jsonx_get(jsonx_at(jsonx_get(v, "data"), 0), "id")), first);
    assert_null(jsonx_get(v, "next_cursor"));
    json_object_put(v);
    xfree(s);
    s = call(t, t->a.key, NULL, "/api/webhook-subscriptions", NULL, 200);
    assert_null(strstr(s, "whsec_"));
    assert_non_null(strstr(s, "\"events\":[\"*\"],\"description\":\"\",\"enabled\":false"));
    xfree(s);

    /* Changed: what is given, nothing else. */
    s = call(t, t->a.key, "PATCH", path,
             "{\"events\":[\"*\"],\"enabled\":false,\"url\":\"https://app.example.com/v2\"}", 200);
    v = json(s);
    assert_string_equal(jsonx_str(jsonx_get(v, "url")), "https://app.example.com/v2");
    assert_string_equal(json_object_to_json_string(jsonx_get(v, "events")), "[ \"*\" ]");
    assert_false(json_object_get_boolean(jsonx_get(v, "enabled")));
    assert_string_equal(jsonx_str(jsonx_get(v, "description")), "Prod");
    assert_false(jsonx_has(v, "secret"));
    json_object_put(v);
    xfree(s);

    /* A new secret, once. */
    char rot[240];
    snprintf(rot, sizeof(rot), "%s/rotate-secret", path);
    s = call(t, t->a.key, "POST", rot, NULL, 200);
    v = json(s);
    const char *fresh = jsonx_str(jsonx_get(v, "secret"));
    assert_non_null(fresh);
    assert_true(strncmp(fresh, "whsec_", 6) == 0);
    assert_string_not_equal(fresh, a1.secret);
    char rotated[WHSIG_SECRET_TEXT_MAX];
    snprintf(rotated, sizeof(rotated), "%s", fresh);
    json_object_put(v);
    xfree(s);

    /* Refusals, each at its member. */
    const char *base = "/api/webhook-subscriptions";
    refused(t, "POST", base, "{\"events\":[\"*\"]}", 422, "validation_failed", "/url",
            "is required");
    refused(t, "POST", base, "{\"url\":\"ftp://app.example.com/h\"}", 422, "validation_failed",
            "/url", NULL);
    refused(t, "POST", base, "{\"url\":\"https://u:p@app.example.com/h\"}", 422,
            "validation_failed", "/url", NULL);
    refused(t, "POST", base,
            "{\"url\":\"https://a.example/h\",\"events\":[\"sync.failed\",\"sync.suceeded\"]}", 422,
            "validation_failed", "/events/1", "did you mean sync.succeeded?");
    refused(t, "POST", base, "{\"url\":\"https://a.example/h\",\"events\":[\"*\",\"sync.failed\"]}",
            422, "validation_failed", "/events/0", NULL);
    refused(t, "POST", base, "{\"url\":\"https://a.example/h\",\"events\":[]}", 422,
            "validation_failed", "/events", NULL);
    refused(t, "POST", base, "{\"url\":\"https://a.example/h\",\"enabled\":\"yes\"}", 422,
            "validation_failed", "/enabled", NULL);
    refused(t, "POST", base, "{\"url\":\"https://a.example/h\",\"description\":7}", 422,
            "validation_failed", "/description", NULL);
    refused(t, "POST", base, "{\"url\":\"https://a.example/h\",\"secret\":\"whsec_x\"}", 400,
            "unknown_field", NULL, NULL);
    refused(t, "PATCH", path, "{\"events\":[\"records.change\"]}", 422, "validation_failed",
            "/events/0", "did you mean records.changed?");
    refused(t, "GET", "/api/webhook-subscriptions/whs_00000000000000000000000000", NULL, 404,
            "not_found", NULL, NULL);
    refused(t, "GET", "/api/webhook-subscriptions/nope", NULL, 404, "not_found", NULL, NULL);
    refused(t, "GET", "/api/webhook-subscriptions?cursor=int_x", NULL, 400, "invalid_parameter",
            NULL, NULL);
    char dl[320];
    snprintf(dl, sizeof(dl), "%s/deliveries?status=lost", path);
    refused(t, "GET", dl, NULL, 400, "invalid_parameter", NULL, NULL);
    snprintf(dl, sizeof(dl), "%s/deliveries/evd_00000000000000000000000000/redeliver", path);
    refused(t, "POST", dl, NULL, 409, "conflict", NULL, "disabled"); /* a1 is off now */

    /* Deleted: gone with its log. */
    xfree(call(t, t->a.key, "DELETE", path, NULL, 204));
    refused(t, "GET", path, NULL, 404, "not_found", NULL, NULL);
    refused(t, "DELETE", path, NULL, 404, "not_found", NULL, NULL);
    refused(t, "POST", rot, NULL, 404, "not_found", NULL, NULL);

    /* Audited, without the secrets; and never in the server log. */
    s = call(t, t->a.key, NULL, "/api/audit?limit=200", NULL, 200);
    assert_non_null(strstr(s, "\"action\":\"webhook_subscription.create\""));
    assert_non_null(strstr(s, "\"action\":\"webhook_subscription.update\""));
    assert_non_null(strstr(s, "\"action\":\"webhook_subscription.rotate_secret\""));
    assert_non_null(strstr(s, "\"action\":\"webhook_subscription.delete\""));
    assert_null(strstr(s, "whsec_"));
    assert_null(strstr(s, "app.example.com"));
    xfree(s);
    char *log = api_test_stop(t);
    assert_null(strstr(log, a1.secret + 6));
    assert_null(strstr(log, a2.secret + 6));
    assert_null(strstr(log, rotated + 6));
    xfree(log);
}

static void events_from_a_real_connection(void **state)
{
    struct ofx f;
    struct hook_sink sink, other;
    struct sub s, b;
    char id[ID_MAX], path[160], body[512], run_ok[ID_MAX], run_bad[ID_MAX];
    size_t n;

    ofx_start_n(&f, state, SANDBOX_SALESFORCE, 30);
    hook_sink_start(&sink);
    hook_sink_start(&other);
    snprintf(body, sizeof(body), "{\"url\":\"%s/hooks/inlet\"}", sink.base);
    subscribe(f.t, f.t->a.key, body, &s);
    snprintf(body, sizeof(body), "{\"url\":\"%s/b\"}", other.base);
    subscribe(f.t, f.t->b.key, body, &b);

    ofx_connect_new(&f, "Org", id);
    snprintf(path, sizeof(path), "/api/integrations/%s/discover", id);
    json_object_put(api_test_expect(f.t, "POST", path, NULL, 200));
    snprintf(path, sizeof(path), "/api/integrations/%s/catalog", id);
    json_object_put(api_test_expect(f.t, "PUT", path,
                                    "{\"streams\":[{\"tap_stream_id\":\"Contact\",\"fields\":["
                                    "\"FirstName\",\"Email\"]},{\"tap_stream_id\":\"Account\"}]}",
                                    200));
    struct json_object *run = api_test_sync_wait(f.t, id, "{}");
    assert_string_equal(jsonx_str(jsonx_get(run, "status")), "success");
    snprintf(run_ok, sizeof(run_ok), "%s", jsonx_str(jsonx_get(run, "id")));
    struct json_object *counts = jsonx_get(run, "counts");
    int64_t processed = num(counts, "processed"), created = num(counts, "created"),
            updated = num(counts, "updated"), failed = num(counts, "failed");
    assert_int_equal(processed, 60);
    assert_int_equal(created, 60);
    json_object_put(run);

    /* The user removes the app at Salesforce: the next sync fails, and
     * the integration needs its user. */
    ofx_sb_faults(&f, "{\"expire_tokens\":true,\"revoke_refresh\":true}");
    run = api_test_sync_wait(f.t, id, "{}");
    assert_string_equal(jsonx_str(jsonx_get(run, "status")), "failed");
    snprintf(run_bad, sizeof(run_bad), "%s", jsonx_str(jsonx_get(run, "id")));
    json_object_put(run);
    struct client_reply r;
    ofx_post_op(&f, &r, id, "disconnect");
    assert_int_equal(r.status, 200);
    client_reply_dispose(&r);

    struct events_deliver_stats st = deliver(f.t, now_s() + 1);
    assert_int_equal(st.retried + st.failed, 0);
    struct json_object **ev = events_of(&sink, &s, &n);
    assert_int_equal(n, 7);
    assert_int_equal(st.sent, 7);
    /* Every event names the integration the same way. */
    for (size_t i = 0; i < n; i++) {
        struct json_object *it = jsonx_get(jsonx_get(ev[i], "data"), "integration");
        assert_string_equal(jsonx_str(jsonx_get(it, "id")), id);
        assert_string_equal(jsonx_str(jsonx_get(it, "connector")), "salesforce");
        assert_string_equal(jsonx_str(jsonx_get(it, "name")), "Org");
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(sink.reqs[i].id, sink.reqs[j].id);
    }
    only(ev, n, "integration.connected");
    struct json_object *d = only(ev, n, "sync.succeeded");
    assert_string_equal(jsonx_str(jsonx_get(d, "run_id")), run_ok);
    assert_string_equal(jsonx_str(jsonx_get(d, "status")), "success");
    assert_int_equal(num(d, "processed"), processed);
    assert_int_equal(num(d, "created"), created);
    assert_int_equal(num(d, "updated"), updated);
    assert_int_equal(num(d, "failed"), failed);
    assert_true(num(d, "duration_ms") >= 0);
    /* One records.changed per stream, with that stream's counts. */
    int streams = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(jsonx_str(jsonx_get(ev[i], "type")), "records.changed") != 0)
            continue;
        d = jsonx_get(ev[i], "data");
        const char *stream = jsonx_str(jsonx_get(d, "stream"));
        assert_true(strcmp(stream, "Contact") == 0 || strcmp(stream, "Account") == 0);
        assert_string_equal(jsonx_str(jsonx_get(d, "run_id")), run_ok);
        assert_int_equal(num(d, "created"), 30);
        assert_int_equal(num(d, "updated"), 0);
        assert_int_equal(num(d, "deleted"), 0);
        streams++;
    }
    assert_int_equal(streams, 2);
    d = only(ev, n, "integration.needs_reauth");
    assert_non_null(strstr(jsonx_str(jsonx_get(d, "reason")), "invalid_grant"));
    d = only(ev, n, "sync.failed");
    assert_string_equal(jsonx_str(jsonx_get(d, "run_id")), run_bad);
    assert_non_null(strstr(jsonx_str(jsonx_get(d, "error")), "needs_reauth"));
    d = only(ev, n, "integration.disconnected");
    assert_string_equal(jsonx_str(jsonx_get(d, "reason")), "disconnected");
    assert_true(jsonx_has(d, "revoked"));
    free_events(ev, n);

    /* The delivery log says the same, newest first. */
    snprintf(path, sizeof(path), "/api/webhook-subscriptions/%s/deliveries?status=succeeded", s.id);
    struct json_object *log = api_test_expect(f.t, NULL, path, NULL, 200);
    struct json_object *data = jsonx_get(log, "data");
    assert_int_equal(jsonx_len(data), 7);
    for (size_t i = 0; i < 7; i++) {
        struct json_object *one = jsonx_at(data, i);
        assert_string_equal(jsonx_str(jsonx_get(one, "status")), "succeeded");
        assert_int_equal(num(one, "attempts"), 1);
        assert_int_equal(num(one, "last_status"), 200);
        assert_null(jsonx_get(one, "last_error"));
        assert_null(jsonx_get(one, "next_attempt_at"));
        assert_non_null(jsonx_str(jsonx_get(one, "delivered_at")));
        assert_true(i == 0 || strcmp(jsonx_str(jsonx_get(jsonx_at(data, i - 1), "id")),
                                     jsonx_str(jsonx_get(one, "id"))) > 0);
        assert_true(json_object_is_type(jsonx_get(one, "payload"), json_type_object));
    }
    json_object_put(log);

    /* The other tenant's subscription heard nothing, and its tenant sees
     * nothing of a's. */
    assert_int_equal(hook_sink_count(&other), 0);
    snprintf(path, sizeof(path), "/api/webhook-subscriptions/%s/deliveries", s.id);
    xfree(call(f.t, f.t->b.key, NULL, path, NULL, 404));
    snprintf(path, sizeof(path), "/api/webhook-subscriptions/%s", s.id);
    xfree(call(f.t, f.t->b.key, "PATCH", path, "{\"url\":\"https://evil.example/h\"}", 404));
    xfree(call(f.t, f.t->b.key, "DELETE", path, NULL, 404));
    char *list = call(f.t, f.t->b.key, NULL, "/api/webhook-subscriptions", NULL, 200);
    assert_null(strstr(list, s.id));
    xfree(list);
    hook_sink_stop(&other);
    hook_sink_stop(&sink);
    ofx_stop(&f);
}

static void retries_redelivery_and_gone(void **state)
{
    struct api_test *t = *state;
    struct hook_sink sink, gone;
    struct sub s, g;
    char id[ID_MAX], path[200], body[512];

    hook_sink_start(&sink);
    sink.fail_first = 1;
    hook_sink_start(&gone);
    gone.fail_first = 1000;
    gone.fail_status = 410;
    snprintf(body, sizeof(body),
             "{\"url\":\"%s/hooks\",\"events\":[\"integration.connected\","
             "\"integration.disconnected\"]}",
             sink.base);
    subscribe(t, t->a.key, body, &s);
    snprintf(body, sizeof(body), "{\"url\":\"%s/gone\"}", gone.base);
    subscribe(t, t->a.key, body, &g);

    /* A key-based integration given its key is connected. */
    api_test_create(t, t->a.key,
                    "{\"connector\":\"testkey\",\"name\":\"Keyed\",\"config\":{\"subdomain\":"
                    "\"acme\"},\"secrets\":{\"api_key\":\"sk-events-0123456789\"}}",
                    id);
    int64_t now = now_s() + 1;
    struct events_deliver_stats st = deliver(t, now);
    assert_int_equal(st.sent, 0);
    assert_int_equal(st.retried, 1); /* the 500 */
    assert_int_equal(st.failed, 1);  /* the 410 */

    /* The log: pending after a 500, with when it goes again. */
    snprintf(path, sizeof(path), "/api/webhook-subscriptions/%s/deliveries", s.id);
    struct json_object *log = api_test_expect(t, NULL, path, NULL, 200);
    struct json_object *one = jsonx_at(jsonx_get(log, "data"), 0);
    assert_int_equal(jsonx_len(jsonx_get(log, "data")), 1);
    assert_string_equal(jsonx_str(jsonx_get(one, "type")), "integration.connected");
    assert_string_equal(jsonx_str(jsonx_get(one, "status")), "pending");
    assert_int_equal(num(one, "attempts"), 1);
    assert_int_equal(num(one, "last_status"), 500);
    assert_string_equal(jsonx_str(jsonx_get(one, "last_error")), "webhook: HTTP 500: no_service");
    assert_non_null(jsonx_str(jsonx_get(one, "next_attempt_at")));
    char delivery[ID_MAX], event[ID_MAX];
    snprintf(delivery, sizeof(delivery), "%s", jsonx_str(jsonx_get(one, "id")));
    snprintf(event, sizeof(event), "%s", jsonx_str(jsonx_get(one, "event_id")));
    json_object_put(log);

    /* An hour later the retry goes, with the same webhook-id. */
    st = deliver(t, now + 3600);
    assert_int_equal(st.sent, 1);
    assert_int_equal(hook_sink_count(&sink), 2);
    verify(&sink.reqs[0], &s, now);
    verify(&sink.reqs[1], &s, now + 3600);
    assert_string_equal(sink.reqs[0].id, event);
    assert_string_equal(sink.reqs[1].id, event);
    assert_string_equal(sink.reqs[0].body, sink.reqs[1].body);
    log = api_test_expect(t, NULL, path, NULL, 200);
    one = jsonx_at(jsonx_get(log, "data"), 0);
    assert_string_equal(jsonx_str(jsonx_get(one, "status")), "succeeded");
    assert_int_equal(num(one, "attempts"), 2);
    json_object_put(log);

    /* Redelivered on request: a new delivery of the same event. */
    snprintf(path, sizeof(path), "/api/webhook-subscriptions/%s/deliveries/%s/redeliver", s.id,
             delivery);
    struct json_object *again = api_test_expect(t, "POST", path, NULL, 202);
    assert_string_equal(jsonx_str(jsonx_get(again, "event_id")), event);
    assert_string_equal(jsonx_str(jsonx_get(again, "status")), "pending");
    assert_string_not_equal(jsonx_str(jsonx_get(again, "id")), delivery);
    json_object_put(again);
    st = deliver(t, now_s() + 1);
    assert_int_equal(st.sent, 1);
    assert_int_equal(hook_sink_count(&sink), 3);
    assert_string_equal(sink.reqs[2].id, event);
    verify(&sink.reqs[2], &s, now_s());
    snprintf(path, sizeof(path), "/api/webhook-subscriptions/%s/deliveries", s.id);
    log = api_test_expect(t, NULL, path, NULL, 200);
    assert_int_equal(jsonx_len(jsonx_get(log, "data")), 2);
    json_object_put(log);

    /* 410: the subscription is off, and it says so. */
    snprintf(path, sizeof(path), "/api/webhook-subscriptions/%s", g.id);
    struct json_object *v = api_test_expect(t, NULL, path, NULL, 200);
    assert_false(json_object_get_boolean(jsonx_get(v, "enabled")));
    json_object_put(v);
    snprintf(path, sizeof(path), "/api/webhook-subscriptions/%s/deliveries?status=failed", g.id);
    log = api_test_expect(t, NULL, path, NULL, 200);
    one = jsonx_at(jsonx_get(log, "data"), 0);
    assert_int_equal(num(one, "last_status"), 410);
    snprintf(path, sizeof(path), "/api/webhook-subscriptions/%s/deliveries/%s/redeliver", g.id,
             jsonx_str(jsonx_get(one, "id")));
    json_object_put(log);
    refused(t, "POST", path, NULL, 409, "conflict", NULL, "disabled");
    assert_int_equal(hook_sink_count(&gone), 1);

    /* Deleted: disconnected, with why. */
    snprintf(path, sizeof(path), "/api/integrations/%s", id);
    xfree(call(t, t->a.key, "DELETE", path, NULL, 204));
    st = deliver(t, now_s() + 1);
    assert_int_equal(st.sent, 1);
    assert_int_equal(hook_sink_count(&gone), 1);
    v = json(sink.reqs[3].body);
    assert_string_equal(jsonx_str(jsonx_get(v, "type")), "integration.disconnected");
    assert_string_equal(jsonx_str(jsonx_get(jsonx_get(v, "data"), "reason")), "deleted");
    json_object_put(v);
    verify(&sink.reqs[3], &s, now_s());

    /* The ping, signed like the rest; nothing stored. */
    snprintf(path, sizeof(path), "/api/webhook-subscriptions/%s/test", s.id);
    v = api_test_expect(t, "POST", path, NULL, 200);
    assert_true(json_object_get_boolean(jsonx_get(v, "ok")));
    assert_int_equal(num(v, "status"), 200);
    assert_null(jsonx_get(v, "error"));
    json_object_put(v);
    assert_int_equal(hook_sink_count(&sink), 5);
    verify(&sink.reqs[4], &s, now_s());
    v = json(sink.reqs[4].body);
    assert_string_equal(jsonx_str(jsonx_get(v, "type")), "ping");
    json_object_put(v);
    snprintf(path, sizeof(path), "/api/webhook-subscriptions/%s/test", g.id);
    v = api_test_expect(t, "POST", path, NULL, 200);
    assert_false(json_object_get_boolean(jsonx_get(v, "ok")));
    assert_int_equal(num(v, "status"), 410);
    json_object_put(v);
    char *audit = call(t, t->a.key, NULL, "/api/audit?limit=200", NULL, 200);
    assert_non_null(strstr(audit, "\"action\":\"webhook_subscription.redeliver\""));
    assert_non_null(strstr(audit, "\"action\":\"webhook_subscription.test\""));
    assert_non_null(strstr(audit, "\"action\":\"webhook_subscription.disable\""));
    xfree(audit);
    hook_sink_stop(&gone);
    hook_sink_stop(&sink);
}

int test_api_events(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(subscriptions_crud, api_test_setup, api_test_teardown),
        cmocka_unit_test_setup_teardown(events_from_a_real_connection, api_test_setup,
                                        api_test_teardown),
        cmocka_unit_test_setup_teardown(retries_redelivery_and_gone, api_test_setup,
                                        api_test_teardown),
    };
    return test_group_db("api_events", tests);
}
