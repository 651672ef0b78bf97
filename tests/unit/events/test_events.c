/* tests/unit/events/test_events.c - events to the host on both engines:
 * the checks on a subscription's events and URL (a "did you mean" for a
 * typo); events stored in the caller's transaction only for the enabled
 * subscriptions of the tenant that listen to them, one event id for all
 * (nothing for a tenant nobody listens for, nor for another tenant); a
 * run's events with their counts and one records.changed per stream that
 * changed; and deliveries to receivers the tests start on loopback:
 * every one signed with the subscription's secret (whsig_verify), the
 * same webhook-id on a retry after a 500 and on a redelivery, a 404
 * retried until the attempts run out, 410 Gone disabling the
 * subscription and failing its other pending deliveries, a disabled
 * subscription's pending ones failed, the ping test, a rolled back
 * transaction leaving nothing, and secrets re-sealed by a key rotation. The Standard Webhooks test
 * vector itself is checked in tests/unit/notify/test_whsig.c. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/jsonx.h"
#include "events/deliver.h"
#include "events/events.h"
#include "notify/hook_sink.h"
#include "notify/notify_fx.h"
#include "notify/whsig.h"
#include "store/event_delivery.h"
#include "store/sealed.h"
#include "store/webhook_subscription.h"
#include "test.h"
#include "test_db.h"

/* A subscription of f's tenant to url with events (JSON array text); its
 * id into id and its secret into secret (secret_dispose). */
static void subscribe(struct notify_fx *f, const char *url, const char *events, bool enabled,
                      char id[ID_MAX], struct secret *secret)
{
    struct webhook_subscription s;
    struct err e;
    struct webhook_subscription_in in = {
        .url = url, .events = events, .description = "", .enabled = enabled};
    assert_db_ok(db_begin_tenant(f->t->db, f->tenant, &e), &e);
    assert_db_ok(
        webhook_subscription_create(&s, secret, f->t->db, f->v, f->tenant, &in, FX_NOW, &e), &e);
    assert_db_ok(db_commit(f->t->db, &e), &e);
    memcpy(id, s.id, ID_MAX);
    assert_true(strncmp((const char *)secret->p, "whsec_", 6) == 0);
    webhook_subscription_dispose(&s);
}

/* events_integration of type in a transaction of its own, committed. */
static void emit_integration(struct notify_fx *f, const char *type, const char *extra, int64_t now)
{
    struct err e;
    assert_db_ok(db_begin_tenant(f->t->db, f->tenant, &e), &e);
    assert_db_ok(events_integration(f->t->db, f->tenant, f->integration, type, extra, now, &e), &e);
    assert_db_ok(db_commit(f->t->db, &e), &e);
}

static int64_t deliveries(struct notify_fx *f, const char *where)
{
    char sql[300];
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM event_deliveries WHERE tenant_id = $1%s%s",
             where ? " AND " : "", where ? where : "");
    return notify_fx_int(f, sql);
}

/* The tenant's subscriptions go, and their deliveries with them: the
 * group's database is shared, and a claim takes every tenant's due rows. */
static void unsubscribe_all(struct notify_fx *f)
{
    struct err e;
    assert_db_ok(db_exec(f->t->db, "DELETE FROM webhook_subscriptions WHERE tenant_id = $1",
                         DB_ARGS(DB_TEXT(f->tenant)), NULL, &e),
                 &e);
}

static struct events_env env_of(struct notify_fx *f)
{
    return (struct events_env){.db = f->t->db, .vault = f->v};
}

static struct events_deliver_stats deliver(const struct events_env *env, int64_t now)
{
    struct events_deliver_stats st;
    struct err e;
    assert_db_ok(events_deliver_due(&st, env, now, 20, &e), &e);
    return st;
}

static void expect_stats(struct events_deliver_stats st, int sent, int retried, int failed)
{
    if (st.sent != sent || st.retried != retried || st.failed != failed)
        fail_msg("delivered %d/%d/%d, expected %d/%d/%d (sent/retried/failed)", st.sent, st.retried,
                 st.failed, sent, retried, failed);
}

/* The newest delivery of subscription sub. */
static void newest(struct notify_fx *f, const char *sub, struct event_delivery *d)
{
    struct err e;
    assert_db_ok(db_begin_tenant_read(f->t->db, f->tenant, &e), &e);
    struct db_rows *r = NULL;
    assert_db_ok(db_query_row(&r, f->t->db,
                              "SELECT id FROM event_deliveries WHERE tenant_id = $1 AND"
                              " subscription_id = $2 ORDER BY id DESC LIMIT 1",
                              DB_ARGS(DB_TEXT(f->tenant), DB_TEXT(sub)), &e),
                 &e);
    char id[ID_MAX];
    snprintf(id, sizeof(id), "%s", db_rows_text(r, 0));
    db_rows_free(r);
    assert_db_ok(event_delivery_get(d, f->t->db, f->tenant, sub, id, &e), &e);
    db_rollback(f->t->db);
}

/* Fail unless request q of the sink is signed with secret for time now. */
static void verify(const struct hook_req *q, const struct secret *secret, int64_t now)
{
    struct secret key;
    struct err e;
    assert_db_ok(whsig_key_parse(&key, (const char *)secret->p, secret->n, &e), &e);
    assert_db_ok(whsig_verify(&key, q->id, q->ts, q->sig, q->body, q->n, now, 300, &e), &e);
    secret_dispose(&key);
}

static struct json_object *json(const char *s)
{
    struct json_object *v = NULL;
    struct err e;
    assert_db_ok(jsonx_parse(&v, s, strlen(s), strlen(s) + 1, &e), &e);
    return v;
}

static void check_types(void **state)
{
    struct buf b;
    struct err e;
    struct json_object *v;
    (void)state;

    static const struct {
        const char *in, *out, *msg;
    } cases[] = {
        {"[\"sync.failed\",\"records.changed\"]", "[\"sync.failed\",\"records.changed\"]", NULL},
        {"[\"*\"]", "[\"*\"]", NULL},
        {"[\"sync.failed\",\"sync.succeded\"]", NULL,
         "/events/1: unknown event \"sync.succeded\"; did you mean sync.succeeded?"},
        {"[\"integration.conected\"]", NULL,
         "/events/0: unknown event \"integration.conected\"; did you mean integration.connected?"},
        {"[\"nope\"]", NULL,
         "/events/0: unknown event \"nope\" (expected \"*\" or one of integration.connected, "
         "integration.disconnected, integration.needs_reauth, sync.succeeded, sync.failed, "
         "records.changed)"},
        {"[\"ping\"]", NULL, NULL},
        {"[\"sync.failed\",\"sync.failed\"]", NULL, "/events/1: listed twice"},
        {"[\"*\",\"sync.failed\"]", NULL, "/events/0: \"*\" means every event and stands alone"},
        {"[1]", NULL, "/events/0: expected a string, got integer"},
        {"[]", NULL, "/events: expected [\"*\"] or an array of 1 to 6 event types"},
        {"\"*\"", NULL, "/events: expected [\"*\"] or an array of 1 to 6 event types"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        buf_init(&b, 0);
        v = json(cases[i].in);
        int rc = events_types_check(&b, v, &e);
        if (cases[i].out) {
            assert_db_ok(rc, &e);
            assert_string_equal(buf_cstr(&b), cases[i].out);
        } else {
            assert_int_equal(rc, ERR_INVALID);
            if (cases[i].msg)
                assert_string_equal(e.msg, cases[i].msg);
        }
        json_object_put(v);
        buf_dispose(&b);
    }
    buf_init(&b, 0);
    assert_db_ok(events_types_check(&b, NULL, &e), &e);
    assert_string_equal(buf_cstr(&b), "[\"*\"]");
    buf_dispose(&b);

    static const struct {
        const char *url;
        bool ok;
    } urls[] = {
        {"https://app.example.com/hooks/inlet?k=1", true},
        {"http://127.0.0.1:9999/h", true},
        {"http://[::1]:8080/h", true},
        {"http://10.0.0.7/h", true},
        {"ftp://app.example.com/h", false},
        {"https://user:pass@app.example.com/h", false},
        {"https://app.example.com/h#frag", false},
        {"https:///h", false},
        {"https://app.example.com/a b", false},
        {"app.example.com/h", false},
    };
    for (size_t i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
        int rc = events_url_check(urls[i].url, strlen(urls[i].url), &e);
        if (urls[i].ok != (rc == 0))
            fail_msg("%s: expected %s", urls[i].url, urls[i].ok ? "ok" : "refused");
        if (rc < 0) {
            assert_true(strncmp(e.msg, "/url: ", 6) == 0);
            assert_null(strstr(e.msg, "example")); /* never quoted back */
        }
    }
}

static void emit_to_listeners_only(void **state)
{
    struct notify_fx f, g;
    struct secret s1 = {0}, s2 = {0}, s3 = {0}, s4 = {0};
    char all[ID_MAX], failed_only[ID_MAX], off[ID_MAX], other[ID_MAX];
    struct err e;

    notify_fx_start(&f, state, "emit");
    notify_fx_start(&g, state, "emit-other");
    /* Nobody listens: nothing is stored. */
    emit_integration(&f, EVENTS_INTEGRATION_CONNECTED, NULL, FX_NOW);
    assert_int_equal(deliveries(&f, NULL), 0);

    subscribe(&f, "http://127.0.0.1:1/all", "[\"*\"]", true, all, &s1);
    subscribe(&f, "http://127.0.0.1:1/failed", "[\"sync.failed\"]", true, failed_only, &s2);
    subscribe(&f, "http://127.0.0.1:1/off", "[\"*\"]", false, off, &s3);
    subscribe(&g, "http://127.0.0.1:1/other", "[\"*\"]", true, other, &s4);
    /* The host's user and labels ride along (docs/embedding.md). */
    assert_db_ok(db_exec(f.t->db,
                         "UPDATE integrations SET end_user_id = 'user-42', end_user_email ="
                         " 'ann@example.com' WHERE id = $1",
                         DB_ARGS(DB_TEXT(f.integration)), NULL, &e),
                 &e);
    assert_db_ok(db_exec(f.t->db,
                         "INSERT INTO integration_tags (tenant_id, integration_id, tag)"
                         " VALUES ($1, $2, 'plan:pro')",
                         DB_ARGS(DB_TEXT(f.tenant), DB_TEXT(f.integration)), NULL, &e),
                 &e);

    emit_integration(&f, EVENTS_INTEGRATION_CONNECTED, NULL, FX_NOW);
    assert_int_equal(deliveries(&f, NULL), 1);
    struct event_delivery d;
    newest(&f, all, &d);
    assert_string_equal(d.type, "integration.connected");
    assert_string_equal(d.status, "pending");
    assert_int_equal(d.next_attempt_at, FX_NOW);
    assert_true(id_valid(d.event_id, "evt"));
    struct json_object *p = json(d.payload);
    assert_string_equal(jsonx_str(jsonx_get(p, "type")), "integration.connected");
    assert_string_equal(jsonx_str(jsonx_get(p, "timestamp")), "2023-11-14T22:13:20.000Z");
    struct json_object *it = jsonx_get(jsonx_get(p, "data"), "integration");
    assert_string_equal(jsonx_str(jsonx_get(it, "id")), f.integration);
    assert_string_equal(jsonx_str(jsonx_get(it, "connector")), "salesforce");
    assert_string_equal(jsonx_str(jsonx_get(it, "name")), "Sales EU");
    assert_string_equal(jsonx_str(jsonx_get(jsonx_get(it, "end_user"), "id")), "user-42");
    assert_string_equal(jsonx_str(jsonx_get(jsonx_get(it, "end_user"), "email")),
                        "ann@example.com");
    assert_true(
        json_object_is_type(jsonx_get(jsonx_get(it, "end_user"), "display_name"), json_type_null));
    assert_string_equal(jsonx_str(jsonx_at(jsonx_get(it, "tags"), 0)), "plan:pro");
    json_object_put(p);
    event_delivery_dispose(&d);

    /* A run that failed: both listeners, one event id. */
    struct events_run run = {.run_id = "run_0000000000000000000000000a",
                             .integration_id = f.integration,
                             .status = "failed",
                             .error = "HTTP 503\nfrom the provider"};
    assert_db_ok(db_begin_tenant(f.t->db, f.tenant, &e), &e);
    assert_db_ok(events_run_ended(f.t->db, f.tenant, &run, FX_NOW + 1, &e), &e);
    assert_db_ok(db_commit(f.t->db, &e), &e);
    assert_int_equal(deliveries(&f, "type = 'sync.failed'"), 2);
    assert_int_equal(
        notify_fx_int(&f, "SELECT count(DISTINCT event_id) FROM event_deliveries WHERE tenant_id ="
                          " $1 AND type = 'sync.failed'"),
        1);
    newest(&f, failed_only, &d);
    p = json(d.payload);
    assert_string_equal(jsonx_str(jsonx_get(jsonx_get(p, "data"), "error")),
                        "HTTP 503 from the provider");
    assert_string_equal(jsonx_str(jsonx_get(jsonx_get(p, "data"), "run_id")), run.run_id);
    json_object_put(p);
    event_delivery_dispose(&d);

    /* A run that succeeded: its counts, and one records.changed per
     * stream that changed something. */
    struct events_stream streams[] = {
        {"Contact", 5, 2, 1}, {"Account", 0, 0, 0}, {"Lead", 0, 3, 0}};
    run = (struct events_run){.run_id = "run_0000000000000000000000000b",
                              .integration_id = f.integration,
                              .status = "partial",
                              .processed = 12,
                              .created = 5,
                              .updated = 5,
                              .unchanged = 1,
                              .deleted = 1,
                              .failed = 1,
                              .duration_ms = 1234,
                              .streams = streams,
                              .nstreams = 3};
    assert_db_ok(db_begin_tenant(f.t->db, f.tenant, &e), &e);
    assert_db_ok(events_run_ended(f.t->db, f.tenant, &run, FX_NOW + 2, &e), &e);
    assert_db_ok(db_commit(f.t->db, &e), &e);
    assert_int_equal(deliveries(&f, "subscription_id <> '' AND type = 'sync.succeeded'"), 1);
    assert_int_equal(deliveries(&f, "type = 'records.changed'"), 2);
    assert_int_equal(
        deliveries(&f, "type = 'records.changed' AND payload LIKE '%\"stream\":\"Account\"%'"), 0);
    assert_int_equal(deliveries(&f, "type = 'records.changed' AND payload LIKE "
                                    "'%\"stream\":\"Contact\",\"created\":5,\"updated\":2,"
                                    "\"deleted\":1}%'"),
                     1);
    assert_int_equal(
        deliveries(&f, "type = 'sync.succeeded' AND payload LIKE '%\"status\":\"partial\","
                       "\"processed\":12,\"created\":5,\"updated\":5,\"unchanged\":1,\"deleted\":1,"
                       "\"failed\":1,\"duration_ms\":1234}}'"),
        1);
    /* A cancelled run with nothing changed says nothing. */
    run = (struct events_run){.run_id = "run_0000000000000000000000000c",
                              .integration_id = f.integration,
                              .status = "cancelled"};
    int64_t before = deliveries(&f, NULL);
    assert_db_ok(db_begin_tenant(f.t->db, f.tenant, &e), &e);
    assert_db_ok(events_run_ended(f.t->db, f.tenant, &run, FX_NOW + 3, &e), &e);
    /* Rolled back with its transaction: nothing stays. */
    assert_db_ok(events_integration(f.t->db, f.tenant, f.integration,
                                    EVENTS_INTEGRATION_DISCONNECTED, "{\"reason\":\"deleted\"}",
                                    FX_NOW + 3, &e),
                 &e);
    db_rollback(f.t->db);
    assert_int_equal(deliveries(&f, NULL), before);

    /* None of it reached the disabled subscription or the other tenant. */
    assert_int_equal(deliveries(&f, "subscription_id = (SELECT id FROM webhook_subscriptions"
                                    " WHERE url LIKE '%/off')"),
                     0);
    assert_int_equal(deliveries(&g, NULL), 0);
    /* An integration that is not there, when somebody listens. */
    assert_db_ok(db_begin_tenant(f.t->db, f.tenant, &e), &e);
    assert_int_equal(events_integration(f.t->db, f.tenant, "int_00000000000000000000000000",
                                        EVENTS_INTEGRATION_CONNECTED, NULL, FX_NOW, &e),
                     ERR_NOTFOUND);
    db_rollback(f.t->db);

    secret_dispose(&s1);
    secret_dispose(&s2);
    secret_dispose(&s3);
    secret_dispose(&s4);
    unsubscribe_all(&g);
    unsubscribe_all(&f);
    notify_fx_stop(&g);
    notify_fx_stop(&f);
}

static void retried_then_redelivered(void **state)
{
    struct notify_fx f;
    struct hook_sink sink;
    struct secret secret = {0};
    struct event_delivery d, again;
    char sub[ID_MAX], url[128];
    struct err e;

    notify_fx_start(&f, state, "retry");
    hook_sink_start(&sink);
    sink.fail_first = 1;
    snprintf(url, sizeof(url), "%s/hooks/inlet", sink.base);
    subscribe(&f, url, "[\"integration.connected\"]", true, sub, &secret);
    struct events_env env = env_of(&f);

    emit_integration(&f, EVENTS_INTEGRATION_CONNECTED, NULL, FX_NOW);
    expect_stats(deliver(&env, FX_NOW), 0, 1, 0);
    newest(&f, sub, &d);
    assert_string_equal(d.status, "pending");
    assert_int_equal(d.attempts, 1);
    assert_int_equal(d.last_status, 500);
    assert_string_equal(d.last_error, "webhook: HTTP 500: no_service");
    assert_true(d.duration_ms >= 0);
    assert_true(d.next_attempt_at >= FX_NOW + OUTBOX_BACKOFF_S_DEFAULT / 2 &&
                d.next_attempt_at <= FX_NOW + OUTBOX_BACKOFF_S_DEFAULT);
    int64_t next = d.next_attempt_at;
    event_delivery_dispose(&d);
    /* Not due yet; then due: the receiver takes it. */
    expect_stats(deliver(&env, FX_NOW + 1), 0, 0, 0);
    expect_stats(deliver(&env, next), 1, 0, 0);
    newest(&f, sub, &d);
    assert_string_equal(d.status, "succeeded");
    assert_int_equal(d.attempts, 2);
    assert_int_equal(d.last_status, 200);
    assert_null(d.last_error);
    assert_int_equal(d.delivered_at, next);
    assert_int_equal(d.next_attempt_at, 0);

    /* Both attempts signed with the subscription's secret, the same
     * webhook-id (the event's), each its own timestamp. */
    assert_int_equal(hook_sink_count(&sink), 2);
    verify(&sink.reqs[0], &secret, FX_NOW);
    verify(&sink.reqs[1], &secret, next);
    assert_string_equal(sink.reqs[0].id, d.event_id);
    assert_string_equal(sink.reqs[1].id, d.event_id);
    assert_string_equal(sink.reqs[0].body, sink.reqs[1].body);
    assert_string_equal(sink.reqs[0].body, d.payload);
    assert_string_equal(sink.reqs[0].path, "/hooks/inlet");

    /* Redelivered: a new row, the same event id and payload; the old row
     * keeps its history. */
    assert_db_ok(db_begin_tenant(f.t->db, f.tenant, &e), &e);
    assert_db_ok(event_delivery_redeliver(&again, f.t->db, f.tenant, sub, d.id, next + 10, &e), &e);
    assert_db_ok(db_commit(f.t->db, &e), &e);
    assert_string_not_equal(again.id, d.id);
    assert_string_equal(again.event_id, d.event_id);
    assert_string_equal(again.payload, d.payload);
    assert_string_equal(again.status, "pending");
    assert_int_equal(again.attempts, 0);
    expect_stats(deliver(&env, next + 10), 1, 0, 0);
    assert_int_equal(hook_sink_count(&sink), 3);
    assert_string_equal(sink.reqs[2].id, d.event_id);
    verify(&sink.reqs[2], &secret, next + 10);
    struct event_delivery old;
    assert_db_ok(db_begin_tenant_read(f.t->db, f.tenant, &e), &e);
    assert_db_ok(event_delivery_get(&old, f.t->db, f.tenant, sub, d.id, &e), &e);
    db_rollback(f.t->db);
    assert_string_equal(old.status, "succeeded");
    assert_int_equal(old.attempts, 2);
    event_delivery_dispose(&old);
    /* Another subscription's id does not find it. */
    assert_db_ok(db_begin_tenant(f.t->db, f.tenant, &e), &e);
    assert_int_equal(event_delivery_redeliver(&old, f.t->db, f.tenant,
                                              "whs_00000000000000000000000000", d.id, next, &e),
                     ERR_NOTFOUND);
    db_rollback(f.t->db);

    event_delivery_dispose(&again);
    event_delivery_dispose(&d);
    secret_dispose(&secret);
    unsubscribe_all(&f);
    hook_sink_stop(&sink);
    notify_fx_stop(&f);
}

static void refusals_and_gone(void **state)
{
    struct notify_fx f;
    struct hook_sink missing, gone;
    struct secret s1 = {0}, s2 = {0}, s3 = {0};
    struct event_delivery d;
    char sub404[ID_MAX], sub410[ID_MAX], subnope[ID_MAX], url[128];

    notify_fx_start(&f, state, "gone");
    hook_sink_start(&missing);
    missing.fail_first = 1000;
    missing.fail_status = 404;
    hook_sink_start(&gone);
    gone.fail_first = 1000;
    gone.fail_status = 410;
    snprintf(url, sizeof(url), "%s/h", missing.base);
    subscribe(&f, url, "[\"*\"]", true, sub404, &s1);
    snprintf(url, sizeof(url), "%s/h", gone.base);
    subscribe(&f, url, "[\"*\"]", true, sub410, &s2);
    int port, fd = hook_sink_silent(&port);
    close(fd); /* nobody listens there now */
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/h", port);
    subscribe(&f, url, "[\"*\"]", true, subnope, &s3);

    struct events_env env = env_of(&f);
    env.max_attempts = 2;
    emit_integration(&f, EVENTS_INTEGRATION_CONNECTED, NULL, FX_NOW);
    emit_integration(&f, EVENTS_INTEGRATION_NEEDS_REAUTH, "{\"reason\":\"invalid_grant\"}", FX_NOW);
    assert_int_equal(deliveries(&f, NULL), 6);
    /* A 404 and no answer are tried again (a receiver being deployed);
     * the 410 ends the subscription and its other delivery with it. */
    expect_stats(deliver(&env, FX_NOW), 0, 4, 1);
    assert_int_equal(hook_sink_count(&gone), 1);
    newest(&f, sub410, &d);
    assert_string_equal(d.status, "failed");
    event_delivery_dispose(&d);
    assert_int_equal(deliveries(&f, "status = 'failed' AND last_status = 410"), 1);
    assert_int_equal(deliveries(&f,
                                "status = 'failed' AND last_status IS NULL AND last_error = 'the "
                                "subscription was disabled: its receiver answered 410 Gone'"),
                     1);
    assert_int_equal(notify_fx_int(&f,
                                   "SELECT count(*) FROM webhook_subscriptions WHERE tenant_id = $1"
                                   " AND enabled = 0"),
                     1);
    assert_int_equal(notify_fx_int(&f, "SELECT count(*) FROM audit_log WHERE tenant_id = $1 AND"
                                       " action = 'webhook_subscription.disable' AND actor ="
                                       " 'system'"),
                     1);
    newest(&f, sub404, &d);
    assert_string_equal(d.status, "pending");
    assert_int_equal(d.last_status, 404);
    assert_string_equal(d.last_error, "webhook: HTTP 404: no_service");
    event_delivery_dispose(&d);
    newest(&f, subnope, &d);
    assert_string_equal(d.status, "pending");
    assert_int_equal(d.last_status, 0);
    assert_true(strncmp(d.last_error, "webhook: no answer: ", 20) == 0);
    assert_null(strstr(d.last_error, "127.0.0.1"));
    event_delivery_dispose(&d);
    /* The second attempt is the last. The disabled subscription gets
     * nothing new. */
    expect_stats(deliver(&env, FX_NOW + 86400), 0, 0, 4);
    assert_int_equal(deliveries(&f, "status = 'failed'"), 6);
    assert_int_equal(hook_sink_count(&gone), 1);
    assert_int_equal(hook_sink_count(&missing), 4);
    emit_integration(&f, EVENTS_INTEGRATION_CONNECTED, NULL, FX_NOW + 86400);
    assert_int_equal(deliveries(&f, "subscription_id = (SELECT id FROM webhook_subscriptions"
                                    " WHERE enabled = 0)"),
                     2);

    /* Pending for a subscription turned off meanwhile: failed, not sent. */
    struct webhook_subscription_change off = {.enabled = 0};
    struct err e;
    assert_db_ok(db_begin_tenant(f.t->db, f.tenant, &e), &e);
    assert_db_ok(webhook_subscription_update(f.t->db, f.tenant, sub404, &off, FX_NOW, &e), &e);
    assert_db_ok(db_commit(f.t->db, &e), &e);
    expect_stats(deliver(&env, FX_NOW + 86400), 0, 1, 1);
    newest(&f, sub404, &d);
    assert_string_equal(d.status, "failed");
    assert_string_equal(d.last_error, "the subscription is disabled");
    event_delivery_dispose(&d);
    assert_int_equal(hook_sink_count(&missing), 4);

    struct events_deliver_stats st;
    assert_int_equal(events_deliver_due(&st, &env, FX_NOW, 0, &e), ERR_INVALID);
    secret_dispose(&s1);
    secret_dispose(&s2);
    secret_dispose(&s3);
    hook_sink_stop(&gone);
    unsubscribe_all(&f);
    hook_sink_stop(&missing);
    notify_fx_stop(&f);
}

static void ping(void **state)
{
    struct notify_fx f;
    struct hook_sink sink;
    struct secret secret = {0};
    struct events_test_result res;
    char sub[ID_MAX], url[128];
    struct err e;

    notify_fx_start(&f, state, "ping");
    hook_sink_start(&sink);
    sink.fail_first = 1;
    snprintf(url, sizeof(url), "%s/h", sink.base);
    subscribe(&f, url, "[\"sync.failed\"]", false, sub, &secret);
    struct events_env env = env_of(&f);
    assert_db_ok(events_deliver_test(&res, &env, f.tenant, sub, FX_NOW, &e), &e);
    assert_false(res.ok);
    assert_int_equal(res.status, 500);
    assert_string_equal(res.error, "webhook: HTTP 500: no_service");
    assert_db_ok(events_deliver_test(&res, &env, f.tenant, sub, FX_NOW, &e), &e);
    assert_true(res.ok);
    assert_int_equal(res.status, 200);
    verify(&sink.reqs[1], &secret, FX_NOW);
    struct json_object *p = json(sink.reqs[1].body);
    assert_string_equal(jsonx_str(jsonx_get(p, "type")), "ping");
    assert_string_equal(jsonx_str(jsonx_get(jsonx_get(p, "data"), "subscription_id")), sub);
    json_object_put(p);
    assert_int_equal(deliveries(&f, NULL), 0); /* nothing stored */
    assert_int_equal(
        events_deliver_test(&res, &env, f.tenant, "whs_00000000000000000000000000", FX_NOW, &e),
        ERR_NOTFOUND);
    /* A rotated secret signs from then on. */
    struct secret fresh = {0};
    assert_db_ok(db_begin_tenant(f.t->db, f.tenant, &e), &e);
    assert_db_ok(webhook_subscription_rotate(&fresh, f.t->db, f.v, f.tenant, sub, FX_NOW, &e), &e);
    assert_db_ok(db_commit(f.t->db, &e), &e);
    assert_true(fresh.n == secret.n && memcmp(fresh.p, secret.p, secret.n) != 0);
    assert_db_ok(events_deliver_test(&res, &env, f.tenant, sub, FX_NOW, &e), &e);
    assert_true(res.ok);
    verify(&sink.reqs[2], &fresh, FX_NOW);
    struct secret key;
    assert_db_ok(whsig_key_parse(&key, (const char *)secret.p, secret.n, &e), &e);
    assert_int_equal(whsig_verify(&key, sink.reqs[2].id, sink.reqs[2].ts, sink.reqs[2].sig,
                                  sink.reqs[2].body, sink.reqs[2].n, FX_NOW, 300, &e),
                     ERR_INVALID);
    secret_dispose(&key);
    secret_dispose(&fresh);
    secret_dispose(&secret);
    unsubscribe_all(&f);
    hook_sink_stop(&sink);
    notify_fx_stop(&f);
}

/* A vault of the keys' INLET_KEYS texts, the first active. */
static struct vault *ring(const struct secret *a, const struct secret *b)
{
    struct buf text;
    struct secret s = {0};
    struct vault *v = NULL;
    struct err e;
    buf_init(&text, 0);
    buf_printf(&text, "%s%s%s", (const char *)a->p, b ? "," : "", b ? (const char *)b->p : "");
    secret_set(&s, text.p, text.n);
    buf_dispose(&text);
    assert_db_ok(vault_parse_keys(&v, &s, "INLET_KEYS", &e), &e);
    secret_dispose(&s);
    return v;
}

/* `inlet keys rotate` re-seals the subscriptions' secrets with the rest:
 * deliveries are signed with the same secret under the new key alone. */
static void rotated_keys(void **state)
{
    struct notify_fx f;
    struct hook_sink sink;
    struct secret k1 = {0}, k2 = {0}, secret = {0};
    struct sealed_stats st;
    char sub[ID_MAX], url[128];
    struct err e;

    notify_fx_start(&f, state, "keys");
    hook_sink_start(&sink);
    vault_key_generate(&k1);
    vault_key_generate(&k2);
    vault_free(f.v);
    f.v = ring(&k1, NULL);
    snprintf(url, sizeof(url), "%s/h", sink.base);
    subscribe(&f, url, "[\"*\"]", true, sub, &secret);
    emit_integration(&f, EVENTS_INTEGRATION_CONNECTED, NULL, FX_NOW);

    struct vault *both = ring(&k2, &k1), *only = ring(&k2, NULL);
    assert_db_ok(sealed_rotate(&st, f.t->db, both, 100, 0, NULL, NULL, &e), &e);
    assert_true(st.resealed >= 1);
    assert_int_equal(st.failed, 0);
    int64_t resealed = 0;
    assert_db_ok(db_query_int(&resealed, f.t->db,
                              "SELECT count(*) FROM webhook_subscriptions WHERE tenant_id = $1"
                              " AND secret_key_id = $2",
                              DB_ARGS(DB_TEXT(f.tenant), DB_TEXT(vault_active_id(only))), &e),
                 &e);
    assert_int_equal(resealed, 1);
    struct events_env env = {.db = f.t->db, .vault = only};
    expect_stats(deliver(&env, FX_NOW), 1, 0, 0);
    verify(&sink.reqs[0], &secret, FX_NOW);
    vault_free(both);
    vault_free(only);
    secret_dispose(&k1);
    secret_dispose(&k2);
    secret_dispose(&secret);
    unsubscribe_all(&f);
    hook_sink_stop(&sink);
    notify_fx_stop(&f);
}

int test_events(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(check_types),
        cmocka_unit_test(emit_to_listeners_only),
        cmocka_unit_test(retried_then_redelivered),
        cmocka_unit_test(refusals_and_gone),
        cmocka_unit_test(ping),
        cmocka_unit_test(rotated_keys),
    };
    return test_group_db("events", tests);
}
