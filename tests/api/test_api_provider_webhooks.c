/* tests/api/test_api_provider_webhooks.c - POST /api/webhooks/{connector}/{id}
 * on both engines with deliveries the sandbox signs as the providers do.
 * HubSpot (v3, the OAuth client's secret): events on a selected stream
 * queue one debounced sync of it, later ones join it (widened to every
 * stream when they touch another), events on unselected streams or of
 * unknown types are acknowledged and ignored, and the queued job runs a
 * webhook-triggered sync to success; a wrong secret, a stale timestamp,
 * a body changed after signing, another connector's URL, an unknown or
 * another tenant's deleted integration are refused. Slack (v0, the app's
 * signing secret): the url_verification handshake is answered with its
 * challenge, events are acknowledged, wrong and stale signatures refused.
 * No secret in any log line. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api_test.h"
#include "core/alloc.h"
#include "core/jsonx.h"
#include "core/time.h"
#include "oauth_fx.h"
#include "test.h"

/* Ask the emulator to deliver spec (its control route's body, without
 * "url") to inlet's path; the emulator's answer (json_object_put): the
 * receiver's status and body. */
static struct json_object *deliver(struct ofx *f, const char *route, const char *path,
                                   const char *spec)
{
    char body[2000];
    struct client_reply r;
    snprintf(body, sizeof(body), "{\"url\":\"%s%s\",%s}", f->t->base, path, spec);
    client_call(&r, f->sb.base,
                &(struct client_call){.method = "POST",
                                      .path = route,
                                      .body = body,
                                      .body_len = strlen(body),
                                      .headers = {"Content-Type: application/json"}});
    if (r.status != 200)
        fail_msg("%s: %ld %s", route, r.status, buf_cstr(&r.body));
    struct json_object *v = api_test_json(&r);
    client_reply_dispose(&r);
    return v;
}

/* The receiver's status and its answer's member name (text). */
static void expect(struct json_object *v, long status, const char *name, const char *want)
{
    struct json_object *a = NULL;
    struct err e;
    const char *text = jsonx_str(jsonx_get(v, "answer"));
    if (!text || json_object_get_int(jsonx_get(v, "status")) != status)
        fail_msg("status %d, want %ld: %s", json_object_get_int(jsonx_get(v, "status")), status,
                 json_object_to_json_string(v));
    if (!name)
        return;
    if (jsonx_parse(&a, text, strlen(text), strlen(text) + 1, &e) < 0)
        fail_msg("not JSON: %s", text);
    struct buf b;
    buf_init(&b, 0);
    jsonx_format(&b, jsonx_get(a, name));
    if (strcmp(buf_cstr(&b), want) != 0)
        fail_msg("%s: %s, want %s (answer %s)", name, buf_cstr(&b), want, text);
    buf_dispose(&b);
    json_object_put(a);
}

static void hubspot(void **state)
{
    struct ofx f;
    char id[ID_MAX], path[200], hook[200];

    ofx_start(&f, state, SANDBOX_HUBSPOT);
    ofx_connect_new(&f, "Hooked", id);
    snprintf(path, sizeof(path), "/api/integrations/%s/discover", id);
    json_object_put(api_test_expect(f.t, "POST", path, NULL, 200));
    snprintf(path, sizeof(path), "/api/integrations/%s/catalog", id);
    json_object_put(api_test_expect(
        f.t, "PUT", path,
        "{\"streams\":[{\"tap_stream_id\":\"contacts\"},{\"tap_stream_id\":\"companies\"}]}", 200));
    snprintf(hook, sizeof(hook), "/api/webhooks/hubspot/%s", id);
    int64_t t0 = time_now_ms() / 1000;

    /* Two contact events: one sync of contacts, ten seconds on. */
    struct json_object *v =
        deliver(&f, "/_sandbox/hubspot/webhooks", hook,
                "\"events\":[{\"subscriptionType\":\"contact.creation\",\"objectId\":1},"
                "{\"subscriptionType\":\"contact.propertyChange\",\"objectId\":2,\"propertyName\":"
                "\"email\",\"propertyValue\":\"a@b.co\"}]");
    expect(v, 200, "sync", "\"queued\"");
    expect(v, 200, "streams", "[\"contacts\"]");
    expect(v, 200, "events", "2");
    char h_sig[200], h_ts[100];
    snprintf(h_sig, sizeof(h_sig), "X-HubSpot-Signature-v3: %s",
             jsonx_str(jsonx_get(v, "signature")));
    snprintf(h_ts, sizeof(h_ts), "X-HubSpot-Request-Timestamp: %lld",
             (long long)json_object_get_int64(jsonx_get(v, "timestamp")));
    json_object_put(v);
    assert_int_equal(
        api_test_sql_int(f.t, NULL,
                         "SELECT count(*) FROM jobs WHERE kind = 'sync' AND status = 'queued' AND"
                         " dedupe_key = 'webhook:%s' AND run_at >= %lld",
                         id, (long long)(t0 + 9)),
        1);
    /* Deals are not selected, foo.bar names nothing: acknowledged only. */
    v = deliver(&f, "/_sandbox/hubspot/webhooks", hook,
                "\"events\":[{\"subscriptionType\":\"deal.creation\",\"objectId\":3},"
                "{\"subscriptionType\":\"foo.bar\",\"objectId\":4}]");
    expect(v, 200, "sync", "\"ignored\"");
    expect(v, 200, "streams", "[]");
    json_object_put(v);
    /* A company event joins the queued sync, which then reads everything. */
    v = deliver(&f, "/_sandbox/hubspot/webhooks", hook,
                "\"events\":[{\"subscriptionType\":\"company.creation\",\"objectId\":5}]");
    expect(v, 200, "sync", "\"joined\"");
    json_object_put(v);
    assert_int_equal(
        api_test_sql_int(f.t, NULL,
                         "SELECT count(*) FROM jobs WHERE kind = 'sync' AND status = 'queued'"),
        1);

    /* Refused: another secret, a stale delivery, another connector's
     * URL, an integration that is not there. */
    v = deliver(&f, "/_sandbox/hubspot/webhooks", hook,
                "\"secret\":\"not-the-client-secret\",\"events\":[{\"subscriptionType\":"
                "\"contact.creation\",\"objectId\":1}]");
    expect(v, 401, NULL, NULL);
    json_object_put(v);
    v = deliver(&f, "/_sandbox/hubspot/webhooks", hook,
                "\"age_s\":600,\"events\":[{\"subscriptionType\":\"contact.creation\","
                "\"objectId\":1}]");
    expect(v, 401, NULL, NULL);
    assert_non_null(strstr(jsonx_str(jsonx_get(v, "answer")), "window"));
    json_object_put(v);
    snprintf(path, sizeof(path), "/api/webhooks/salesforce/%s", id);
    v = deliver(&f, "/_sandbox/hubspot/webhooks", path,
                "\"events\":[{\"subscriptionType\":\"contact.creation\",\"objectId\":1}]");
    expect(v, 404, NULL, NULL);
    json_object_put(v);
    v = deliver(&f, "/_sandbox/hubspot/webhooks",
                "/api/webhooks/hubspot/int_01jd5x8k2v9q3m7r4t6w8y0z1a",
                "\"events\":[{\"subscriptionType\":\"contact.creation\",\"objectId\":1}]");
    expect(v, 404, NULL, NULL);
    json_object_put(v);
    /* A body changed on the way: the signature made for the first
     * delivery, inside its window, no longer matches. */
    struct client_reply r;
    const char *h2[] = {h_sig, h_ts, NULL};
    api_test_call(f.t, &r, "POST", hook, NULL,
                  "[{\"subscriptionType\":\"contact.deletion\",\"objectId\":1}]", h2);
    api_test_expect_error(&r, 401, "invalid_signature");
    client_reply_dispose(&r);

    /* The queued job runs, as a webhook-triggered sync, when it is due. */
    int64_t deadline = time_now_ms() + 90000;
    int64_t done = 0;
    while (time_now_ms() < deadline &&
           (done = api_test_sql_int(f.t, NULL,
                                    "SELECT count(*) FROM sync_runs WHERE integration_id = '%s' AND"
                                    " triggered_by = 'webhook' AND status = 'success'",
                                    id)) == 0) {
        struct timespec pause = {0, 200000000};
        nanosleep(&pause, NULL);
    }
    assert_int_equal(done, 1);
    assert_true(api_test_sql_int(f.t, NULL,
                                 "SELECT count(*) FROM contacts WHERE integration_id = '%s'",
                                 id) > 0);

    char *log = api_test_stop(f.t);
    assert_null(strstr(log, sandbox_client_secret(SANDBOX_HUBSPOT)));
    xfree(log);
    ofx_stop(&f);
}

static void slack(void **state)
{
    struct ofx f;
    char id[ID_MAX], hook[200];

    ofx_start(&f, state, SANDBOX_SLACK);
    ofx_connect_new(&f, "Workspace", id);
    snprintf(hook, sizeof(hook), "/api/webhooks/slack/%s", id);

    /* The handshake: the challenge comes back. */
    struct json_object *v =
        deliver(&f, "/_sandbox/slack/events", hook, "\"type\":\"url_verification\"");
    const char *sent = jsonx_str(jsonx_get(v, "sent"));
    struct json_object *doc = NULL;
    struct err e;
    assert_int_equal(jsonx_parse(&doc, sent, strlen(sent), strlen(sent) + 1, &e), 0);
    char want[200];
    snprintf(want, sizeof(want), "\"%s\"", jsonx_str(jsonx_get(doc, "challenge")));
    expect(v, 200, "challenge", want);
    json_object_put(doc);
    json_object_put(v);

    /* An event: acknowledged (the connector has no stream to sync). */
    v = deliver(&f, "/_sandbox/slack/events", hook,
                "\"event\":{\"type\":\"message\",\"channel\":\"C1\",\"text\":\"hi\"}");
    expect(v, 200, "sync", "\"ignored\"");
    expect(v, 200, "events", "1");
    json_object_put(v);

    /* Refused: another secret, five minutes and more old, a handshake
     * signed wrong. */
    v = deliver(&f, "/_sandbox/slack/events", hook,
                "\"secret\":\"nope\",\"event\":{\"type\":\"message\"}");
    expect(v, 401, NULL, NULL);
    json_object_put(v);
    v = deliver(&f, "/_sandbox/slack/events", hook,
                "\"age_s\":301,\"event\":{\"type\":\"message\"}");
    expect(v, 401, NULL, NULL);
    json_object_put(v);
    v = deliver(&f, "/_sandbox/slack/events", hook,
                "\"secret\":\"nope\",\"type\":\"url_verification\"");
    expect(v, 401, NULL, NULL);
    assert_null(strstr(jsonx_str(jsonx_get(v, "answer")), "chl"));
    json_object_put(v);

    char *log = api_test_stop(f.t);
    assert_null(strstr(log, sandbox_signing_secret(SANDBOX_SLACK)));
    xfree(log);
    ofx_stop(&f);
}

int test_api_provider_webhooks(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(hubspot, api_test_setup, api_test_teardown),
        cmocka_unit_test_setup_teardown(slack, api_test_setup, api_test_teardown),
    };
    return test_group_db("api_provider_webhooks", tests);
}
