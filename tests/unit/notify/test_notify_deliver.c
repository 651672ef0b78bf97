/* tests/unit/notify/test_notify_deliver.c - deliveries on both engines,
 * to receivers the tests start on loopback: a Slack-style webhook receiver
 * that answers 500 first (the retry, with backoff, then success), a
 * generic webhook receiver that checks the Standard Webhooks signature
 * (the same webhook-id on every attempt), an SMTP server (AUTH PLAIN, a
 * 451 retried, a refused login not), receivers that refuse for good,
 * never answer or are not there, a disabled channel, the attempt limit,
 * and two connections delivering at once without sending anything twice.
 * Every attempt is logged with the channel's id and never the URL. */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "notify/deliver.h"
#include "notify/hook_sink.h"
#include "notify/notify_fx.h"
#include "notify/smtp_sink.h"
#include "notify/whsig.h"
#include "store/sealed.h"
#include "test.h"
#include "test_db.h"

#define PUBLIC    "http://inlet.test"
#define WHSEC     "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#define SLACKPATH "/services/T1/B2/s3cr3tpath"

/* The log captured to a file while a test runs. */
struct logcap {
    char *dir;
    char path[512];
    int fd, old;
};

static void logcap_start(struct logcap *l)
{
    l->dir = test_tmpdir();
    snprintf(l->path, sizeof(l->path), "%s/log", l->dir);
    l->fd = open(l->path, O_WRONLY | O_CREAT | O_APPEND, 0600);
    assert_true(l->fd >= 0);
    l->old = log_set_fd(l->fd);
}

/* Stop capturing; the log (xfree). */
static char *logcap_stop(struct logcap *l)
{
    log_set_fd(l->old);
    close(l->fd);
    char *text = test_read_file(l->path, NULL);
    assert_non_null(text);
    test_tmpdir_remove(l->dir);
    xfree(l->dir);
    return text;
}

static struct notify_env env_of(struct notify_fx *f)
{
    return (struct notify_env){.db = f->t->db, .vault = f->v, .public_url = PUBLIC};
}

static struct notify_deliver_stats deliver(const struct notify_env *env, int64_t now)
{
    struct notify_deliver_stats st;
    struct err e;
    assert_db_ok(notify_deliver_due(&st, env, now, 10, &e), &e);
    return st;
}

static void expect_stats(struct notify_deliver_stats st, int sent, int retried, int failed)
{
    if (st.sent != sent || st.retried != retried || st.failed != failed)
        fail_msg("delivered %d/%d/%d, expected %d/%d/%d (sent/retried/failed)", st.sent, st.retried,
                 st.failed, sent, retried, failed);
}

/* The one delivery of channel: status, attempts, next_attempt_at, last_error. */
struct row {
    char status[16];
    int attempts;
    int64_t next;
    char error[ERR_MSG_MAX];
};

static struct row delivery(struct notify_fx *f, const char *channel)
{
    struct db_rows *r = NULL;
    struct row out = {0};
    struct err e;
    assert_db_ok(db_query_row(&r, f->t->db,
                              "SELECT status, attempts, next_attempt_at, last_error FROM"
                              " notifications WHERE tenant_id = $1 AND channel_id = $2 ORDER BY"
                              " id DESC LIMIT 1",
                              DB_ARGS(DB_TEXT(f->tenant), DB_TEXT(channel)), &e),
                 &e);
    snprintf(out.status, sizeof(out.status), "%s", db_rows_text(r, 0));
    out.attempts = (int)db_rows_int(r, 1);
    out.next = db_rows_int(r, 2);
    snprintf(out.error, sizeof(out.error), "%s", db_rows_text(r, 3) ? db_rows_text(r, 3) : "");
    db_rows_free(r);
    return out;
}

static void slack_retried_then_sent(void **state)
{
    struct notify_fx f;
    struct hook_sink sink;
    struct logcap lc;
    char ch[ID_MAX], cfg[256];

    notify_fx_start(&f, state, "slack");
    hook_sink_start(&sink);
    sink.fail_first = 1;
    snprintf(cfg, sizeof(cfg), "{\"url\":\"%s" SLACKPATH "\"}", sink.base);
    notify_fx_channel(&f, "slack", "[\"sync.failed\"]", cfg, true, ch);
    struct notify_env env = env_of(&f);
    logcap_start(&lc);

    assert_int_equal(notify_fx_record(&f, NOTIFY_OUTCOME_SYNC_FAILURE, "HTTP 503 <&>", FX_NOW),
                     NOTIFY_SYNC_FAILED);
    expect_stats(deliver(&env, FX_NOW), 0, 1, 0);
    struct row r = delivery(&f, ch);
    assert_string_equal(r.status, "pending");
    assert_int_equal(r.attempts, 1);
    assert_true(r.next >= FX_NOW + NOTIFY_BACKOFF_S_DEFAULT / 2 &&
                r.next <= FX_NOW + NOTIFY_BACKOFF_S_DEFAULT);
    assert_string_equal(r.error, "slack: HTTP 500: no_service");
    /* Not due yet: nothing is claimed. */
    expect_stats(deliver(&env, FX_NOW + 1), 0, 0, 0);
    expect_stats(deliver(&env, r.next), 1, 0, 0);
    r = delivery(&f, ch);
    assert_string_equal(r.status, "sent");
    assert_int_equal(r.attempts, 2);
    assert_string_equal(r.error, "");
    expect_stats(deliver(&env, FX_NOW + 86400), 0, 0, 0);

    assert_int_equal(hook_sink_count(&sink), 2);
    assert_string_equal(sink.reqs[0].path, SLACKPATH);
    assert_string_equal(sink.reqs[0].body, sink.reqs[1].body);
    struct json_object *v = NULL;
    struct err e;
    assert_db_ok(jsonx_parse(&v, sink.reqs[1].body, sink.reqs[1].n, 65536, &e), &e);
    char want[512];
    snprintf(want, sizeof(want),
             "*Sync failed: Sales EU*\nThe last sync of Sales EU (salesforce) failed: HTTP 503 "
             "&lt;&amp;&gt;. Open the integration to read the run's log and fix the cause; inlet "
             "keeps running it on schedule and tells you when it recovers.\n<" PUBLIC
             "/ui/integrations/%s|Open in inlet>",
             f.integration);
    assert_string_equal(jsonx_str(jsonx_get(v, "text")), want);
    json_object_put(v);

    /* Each attempt is logged by channel, never with the webhook URL. */
    char *log = logcap_stop(&lc);
    assert_non_null(strstr(log, "\"msg\":\"notify: delivery failed\""));
    assert_non_null(strstr(log, "\"msg\":\"notify: delivered\""));
    assert_non_null(strstr(log, ch));
    assert_null(strstr(log, "s3cr3t"));
    xfree(log);
    hook_sink_stop(&sink);
    notify_fx_stop(&f);
}

static void webhook_signed(void **state)
{
    struct notify_fx f;
    struct hook_sink sink;
    struct secret key;
    struct err e;
    char ch[ID_MAX], cfg[256];

    notify_fx_start(&f, state, "webhook");
    hook_sink_start(&sink);
    sink.fail_first = 1;
    sink.fail_status = 503;
    snprintf(cfg, sizeof(cfg), "{\"url\":\"%s/hooks/inlet\",\"secret\":\"" WHSEC "\"}", sink.base);
    notify_fx_channel(&f, "webhook", "[\"*\"]", cfg, true, ch);
    struct notify_env env = env_of(&f);

    assert_int_equal(notify_fx_record(&f, NOTIFY_OUTCOME_NEEDS_REAUTH, "invalid_grant", FX_NOW),
                     NOTIFY_NEEDS_REAUTH);
    expect_stats(deliver(&env, FX_NOW), 0, 1, 0);
    assert_string_equal(delivery(&f, ch).error, "webhook: HTTP 503: no_service");
    expect_stats(deliver(&env, FX_NOW + 3600), 1, 0, 0);
    assert_int_equal(hook_sink_count(&sink), 2);

    /* The receiver's check passes on both attempts; the id is the same,
     * the timestamp is each attempt's. */
    assert_db_ok(whsig_key_parse(&key, WHSEC, strlen(WHSEC), &e), &e);
    for (int i = 0; i < 2; i++) {
        struct hook_req *q = &sink.reqs[i];
        assert_db_ok(whsig_verify(&key, q->id, q->ts, q->sig, q->body, q->n,
                                  i ? FX_NOW + 3600 : FX_NOW, 300, &e),
                     &e);
    }
    assert_string_equal(sink.reqs[0].id, sink.reqs[1].id);
    assert_true(strncmp(sink.reqs[0].id, "ntf_", 4) == 0);
    assert_string_equal(sink.reqs[0].ts, "1700000000");
    assert_string_equal(sink.reqs[1].ts, "1700003600");
    /* A changed body does not pass. */
    sink.reqs[1].body[10] ^= 1;
    assert_int_equal(whsig_verify(&key, sink.reqs[1].id, sink.reqs[1].ts, sink.reqs[1].sig,
                                  sink.reqs[1].body, sink.reqs[1].n, FX_NOW + 3600, 300, &e),
                     ERR_INVALID);
    secret_dispose(&key);

    struct json_object *v = NULL;
    assert_db_ok(jsonx_parse(&v, sink.reqs[0].body, sink.reqs[0].n, 65536, &e), &e);
    struct json_object *d = jsonx_get(v, "data");
    char link[128];
    snprintf(link, sizeof(link), PUBLIC "/ui/integrations/%s", f.integration);
    assert_string_equal(jsonx_str(jsonx_get(v, "type")), "integration.needs_reauth");
    assert_string_equal(jsonx_str(jsonx_get(v, "timestamp")), "2023-11-14T22:13:20.000Z");
    assert_string_equal(jsonx_str(jsonx_get(d, "notification_id")), sink.reqs[0].id);
    assert_string_equal(jsonx_str(jsonx_get(d, "integration_id")), f.integration);
    assert_string_equal(jsonx_str(jsonx_get(d, "integration_name")), "Sales EU");
    assert_string_equal(jsonx_str(jsonx_get(d, "level")), "error");
    assert_string_equal(jsonx_str(jsonx_get(d, "title")), "Reconnect Sales EU");
    assert_string_equal(jsonx_str(jsonx_get(d, "link")), link);
    assert_string_equal(jsonx_str(jsonx_get(d, "detail")), "invalid_grant");
    assert_non_null(strstr(jsonx_str(jsonx_get(d, "body")), "open the link and press Reconnect"));
    json_object_put(v);
    hook_sink_stop(&sink);
    notify_fx_stop(&f);
}

static void email_over_smtp(void **state)
{
    struct notify_fx f;
    struct smtp_sink smtp = {.user = "inlet", .pass = "hunter2"};
    char ch[ID_MAX], bad[ID_MAX], cfg[512];

    notify_fx_start(&f, state, "email");
    smtp_sink_start(&smtp);
    snprintf(cfg, sizeof(cfg),
             "{\"url\":\"%s\",\"from\":\"inlet@example.com\",\"to\":[\"ops@example.com\","
             "\"oncall@example.com\"],\"username\":\"inlet\",\"password\":\"hunter2\","
             "\"starttls\":false}",
             smtp.url);
    notify_fx_channel(&f, "email", "[\"sync.failed\",\"sync.recovered\"]", cfg, true, ch);
    struct notify_env env = env_of(&f);

    assert_int_equal(notify_fx_record(&f, NOTIFY_OUTCOME_SYNC_FAILURE, "quota spent", FX_NOW),
                     NOTIFY_SYNC_FAILED);
    expect_stats(deliver(&env, FX_NOW), 1, 0, 0);
    assert_int_equal(smtp_sink_count(&smtp), 1);
    struct smtp_msg *m = &smtp.msgs[0];
    assert_string_equal(m->from, "inlet@example.com");
    assert_int_equal(m->nrcpt, 2);
    assert_string_equal(m->rcpt[0], "ops@example.com");
    assert_string_equal(m->rcpt[1], "oncall@example.com");
    assert_string_equal(m->user, "inlet");
    assert_string_equal(m->pass, "hunter2");
    assert_non_null(strstr(m->data, "\r\nSubject: [inlet] Sync failed: Sales EU\r\n"));
    assert_non_null(strstr(m->data, "From: inlet <inlet@example.com>\r\n"));
    assert_non_null(strstr(m->data, "To: ops@example.com, oncall@example.com\r\n"));
    assert_non_null(strstr(m->data, "Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"));
    assert_non_null(strstr(m->data, "Content-Type: text/plain; charset=utf-8\r\n"));
    assert_non_null(strstr(m->data, "Message-ID: <ntf_"));
    assert_non_null(strstr(m->data, "failed: quota spent."));
    char link[160];
    snprintf(link, sizeof(link), "Open it: " PUBLIC "/ui/integrations/%s\r\n", f.integration);
    assert_non_null(strstr(m->data, link));
    /* Body lines are wrapped. */
    for (const char *p = strstr(m->data, "\r\n\r\n"); p && *p;) {
        size_t len = strcspn(p, "\r");
        assert_true(len <= 78);
        p += len;
        p += strspn(p, "\r\n");
    }

    /* A 451 is retried, and the message goes the next time. */
    smtp.refuse_data = 1;
    assert_int_equal(notify_fx_record(&f, NOTIFY_OUTCOME_SYNC_SUCCESS, NULL, FX_NOW + 10),
                     NOTIFY_SYNC_RECOVERED);
    expect_stats(deliver(&env, FX_NOW + 10), 0, 1, 0);
    assert_non_null(strstr(delivery(&f, ch).error, "451"));
    expect_stats(deliver(&env, FX_NOW + 7200), 1, 0, 0);
    assert_int_equal(smtp_sink_count(&smtp), 2);
    assert_non_null(strstr(smtp.msgs[1].data, "Subject: [inlet] Sync recovered: Sales EU"));

    /* A refused login does not get better by waiting. */
    snprintf(cfg, sizeof(cfg),
             "{\"url\":\"%s\",\"from\":\"inlet@example.com\",\"to\":[\"ops@example.com\"],"
             "\"username\":\"inlet\",\"password\":\"wrong\",\"starttls\":false}",
             smtp.url);
    notify_fx_channel(&f, "email", "[\"*\"]", cfg, true, bad);
    assert_int_equal(notify_fx_record(&f, NOTIFY_OUTCOME_SYNC_FAILURE, "x", FX_NOW + 20),
                     NOTIFY_SYNC_FAILED);
    expect_stats(deliver(&env, FX_NOW + 20), 1, 0, 1);
    struct row r = delivery(&f, bad);
    assert_string_equal(r.status, "failed");
    assert_non_null(strstr(r.error, "email: "));
    assert_null(strstr(r.error, "wrong"));
    assert_int_equal(smtp.auth_failures, 1);

    smtp_sink_stop(&smtp);
    notify_fx_stop(&f);
}

static void starttls_required(void **state)
{
    struct notify_fx f;
    struct smtp_sink smtp = {0};
    char ch[ID_MAX], cfg[512];

    notify_fx_start(&f, state, "starttls");
    smtp_sink_start(&smtp);
    snprintf(cfg, sizeof(cfg),
             "{\"url\":\"%s\",\"from\":\"a@example.com\",\"to\":[\"b@example.com\"],"
             "\"username\":\"u\",\"password\":\"never-in-clear\"}",
             smtp.url);
    notify_fx_channel(&f, "email", "[\"*\"]", cfg, true, ch);
    struct notify_env env = env_of(&f);
    assert_int_equal(notify_fx_record(&f, NOTIFY_OUTCOME_SYNC_FAILURE, "x", FX_NOW),
                     NOTIFY_SYNC_FAILED);
    expect_stats(deliver(&env, FX_NOW), 0, 0, 1);
    assert_int_equal(smtp_sink_count(&smtp), 0);
    assert_int_equal(smtp.auth_failures, 0); /* the password never went */
    smtp_sink_stop(&smtp);
    notify_fx_stop(&f);
}

static void failures(void **state)
{
    struct notify_fx f;
    struct hook_sink sink;
    char gone[ID_MAX], silent[ID_MAX], closed[ID_MAX], off[ID_MAX], cfg[256];
    int port, fd;

    notify_fx_start(&f, state, "failures");
    hook_sink_start(&sink);
    sink.fail_first = 1000;
    sink.fail_status = 404;
    snprintf(cfg, sizeof(cfg), "{\"url\":\"%s/services/gone\"}", sink.base);
    notify_fx_channel(&f, "slack", "[\"*\"]", cfg, true, gone);
    fd = hook_sink_silent(&port);
    snprintf(cfg, sizeof(cfg), "{\"url\":\"http://127.0.0.1:%d/x\"}", port);
    notify_fx_channel(&f, "slack", "[\"*\"]", cfg, true, silent);
    /* A port nobody listens on: the silent one's neighbour is not ours,
     * so take one, close it, and use it. */
    int cport, cfd = hook_sink_silent(&cport);
    close(cfd);
    snprintf(cfg, sizeof(cfg), "{\"url\":\"http://127.0.0.1:%d/x\"}", cport);
    notify_fx_channel(&f, "slack", "[\"*\"]", cfg, true, closed);
    notify_fx_channel(&f, "slack", "[\"*\"]", "{\"url\":\"http://127.0.0.1:1/x\"}", true, off);

    struct notify_env env = env_of(&f);
    env.timeout_ms = 300;
    env.max_attempts = 2;
    assert_int_equal(notify_fx_record(&f, NOTIFY_OUTCOME_SYNC_FAILURE, "x", FX_NOW),
                     NOTIFY_SYNC_FAILED);
    struct err e;
    assert_db_ok(db_exec(f.t->db, "UPDATE notification_channels SET enabled = 0 WHERE id = $1",
                         DB_ARGS(DB_TEXT(off)), NULL, &e),
                 &e);
    /* 404 and disabled: failed at once; silence and a refused connection:
     * again later, until the second attempt. */
    expect_stats(deliver(&env, FX_NOW), 0, 2, 2);
    struct row r = delivery(&f, gone);
    assert_string_equal(r.status, "failed");
    assert_string_equal(r.error, "slack: HTTP 404: no_service");
    r = delivery(&f, off);
    assert_string_equal(r.status, "failed");
    assert_string_equal(r.error, "the channel is disabled");
    r = delivery(&f, silent);
    assert_string_equal(r.status, "pending");
    assert_string_equal(r.error, "slack: no answer: Timeout was reached");
    r = delivery(&f, closed);
    assert_string_equal(r.status, "pending");
    assert_true(strncmp(r.error, "slack: no answer: ", 18) == 0);
    assert_null(strstr(r.error, "127.0.0.1"));
    expect_stats(deliver(&env, FX_NOW + 86400), 0, 0, 2);
    r = delivery(&f, silent);
    assert_string_equal(r.status, "failed");
    assert_int_equal(r.attempts, 2);
    assert_int_equal(r.next, 0);
    expect_stats(deliver(&env, FX_NOW + 86400 * 2), 0, 0, 0);

    struct notify_deliver_stats st;
    assert_int_equal(notify_deliver_due(&st, &env, FX_NOW, 0, &e), ERR_INVALID);
    close(fd);
    hook_sink_stop(&sink);
    notify_fx_stop(&f);
}

struct worker {
    struct notify_env env;
    int sent;
    int rc;
};

static void *work(void *arg)
{
    struct worker *w = arg;
    struct err e;
    for (;;) {
        struct notify_deliver_stats st;
        w->rc = notify_deliver_due(&st, &w->env, FX_NOW + 100, 3, &e);
        if (w->rc < 0 && w->rc != ERR_AGAIN)
            break;
        if (w->rc == 0 && st.sent + st.retried + st.failed == 0)
            break;
        w->sent += st.sent;
    }
    return NULL;
}

static void two_deliverers_send_once(void **state)
{
    struct notify_fx f;
    struct hook_sink sink;
    char ch[ID_MAX], cfg[256];
    struct worker w[2];
    pthread_t th[2];

    notify_fx_start(&f, state, "concurrent");
    hook_sink_start(&sink);
    snprintf(cfg, sizeof(cfg), "{\"url\":\"%s/hooks\",\"secret\":\"" WHSEC "\"}", sink.base);
    notify_fx_channel(&f, "webhook", "[\"*\"]", cfg, true, ch);
    for (int i = 0; i < 20; i++) {
        assert_int_equal(notify_fx_record(&f, NOTIFY_OUTCOME_SYNC_FAILURE, "x", FX_NOW + i),
                         NOTIFY_SYNC_FAILED);
        assert_int_equal(notify_fx_record(&f, NOTIFY_OUTCOME_SYNC_SUCCESS, NULL, FX_NOW + i),
                         NOTIFY_SYNC_RECOVERED);
    }
    for (int i = 0; i < 2; i++) {
        w[i] = (struct worker){.env = env_of(&f)};
        w[i].env.db = test_db_connect(f.t);
        assert_int_equal(pthread_create(&th[i], NULL, work, &w[i]), 0);
    }
    for (int i = 0; i < 2; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(w[i].rc, 0);
        db_close(w[i].env.db);
    }
    assert_int_equal(w[0].sent + w[1].sent, 40);
    assert_int_equal(hook_sink_count(&sink), 40);
    for (size_t i = 0; i < 40; i++)
        for (size_t j = i + 1; j < 40; j++)
            assert_string_not_equal(sink.reqs[i].id, sink.reqs[j].id);
    assert_int_equal(notify_fx_int(&f, "SELECT count(*) FROM notifications WHERE tenant_id = $1"
                                       " AND status = 'sent' AND attempts = 1 AND channel_id IS"
                                       " NOT NULL"),
                     40);
    hook_sink_stop(&sink);
    notify_fx_stop(&f);
}

static void test_send(void **state)
{
    struct notify_fx f;
    struct hook_sink sink;
    struct notify_test_result res;
    struct err e;
    char ch[ID_MAX], cfg[256];

    notify_fx_start(&f, state, "test-send");
    hook_sink_start(&sink);
    sink.fail_first = 1;
    snprintf(cfg, sizeof(cfg), "{\"url\":\"%s" SLACKPATH "\"}", sink.base);
    notify_fx_channel(&f, "slack", "[\"*\"]", cfg, true, ch);
    struct notify_env env = env_of(&f);
    assert_db_ok(notify_deliver_test(&res, &env, f.tenant, ch, FX_NOW, &e), &e);
    assert_false(res.ok);
    assert_int_equal(res.status, 500);
    assert_string_equal(res.error, "slack: HTTP 500: no_service");
    assert_db_ok(notify_deliver_test(&res, &env, f.tenant, ch, FX_NOW, &e), &e);
    assert_true(res.ok);
    assert_int_equal(res.status, 200);
    assert_string_equal(res.error, "");
    assert_non_null(strstr(sink.reqs[1].body, "Test notification from inlet"));
    /* Nothing is stored for a test. */
    assert_int_equal(notify_fx_int(&f, "SELECT count(*) FROM notifications WHERE tenant_id = $1"),
                     0);
    assert_int_equal(
        notify_deliver_test(&res, &env, f.tenant, "nch_00000000000000000000000000", FX_NOW, &e),
        ERR_NOTFOUND);
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

/* `inlet keys rotate` re-seals channel settings; they open under the new
 * key alone afterwards, and deliveries go on. */
static void rotated_keys(void **state)
{
    struct notify_fx f;
    struct hook_sink sink;
    struct notify_test_result res;
    struct sealed_stats st;
    struct secret k1 = {0}, k2 = {0};
    struct err e;
    char ch[ID_MAX], cfg[256];

    notify_fx_start(&f, state, "rotate");
    hook_sink_start(&sink);
    vault_key_generate(&k1);
    vault_key_generate(&k2);
    vault_free(f.v);
    f.v = ring(&k1, NULL);
    snprintf(cfg, sizeof(cfg), "{\"url\":\"%s/hooks\",\"secret\":\"" WHSEC "\"}", sink.base);
    notify_fx_channel(&f, "webhook", "[\"*\"]", cfg, true, ch);
    assert_int_equal(notify_fx_record(&f, NOTIFY_OUTCOME_SYNC_FAILURE, "x", FX_NOW),
                     NOTIFY_SYNC_FAILED);

    struct vault *both = ring(&k2, &k1), *only = ring(&k2, NULL);
    assert_db_ok(sealed_rotate(&st, f.t->db, both, 100, 0, NULL, NULL, &e), &e);
    assert_true(st.resealed >= 1);
    assert_int_equal(st.failed, 0);
    struct notify_env env = env_of(&f);
    env.vault = only;
    assert_db_ok(notify_deliver_test(&res, &env, f.tenant, ch, FX_NOW, &e), &e);
    assert_true(res.ok);
    expect_stats(deliver(&env, FX_NOW), 1, 0, 0);
    assert_int_equal(hook_sink_count(&sink), 2);
    vault_free(both);
    vault_free(only);
    secret_dispose(&k1);
    secret_dispose(&k2);
    hook_sink_stop(&sink);
    notify_fx_stop(&f);
}

int test_notify_deliver(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(slack_retried_then_sent),
        cmocka_unit_test(webhook_signed),
        cmocka_unit_test(email_over_smtp),
        cmocka_unit_test(starttls_required),
        cmocka_unit_test(failures),
        cmocka_unit_test(two_deliverers_send_once),
        cmocka_unit_test(test_send),
        cmocka_unit_test(rotated_keys),
    };
    return test_group_db("notify_deliver", tests);
}
