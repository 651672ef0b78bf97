/* tests/api/test_api_webhooks.c - webhook endpoints and POST
 * /api/webhooks/n8n on both engines: an endpoint's key shown once and
 * never again; a push applied (normalized rows, the raw log table, a run
 * with the counts, the answer's stats); the key in each of its three
 * places; refusals: no key, a wrong key, another kind's, a deleted
 * endpoint's, a bad or stale signature, a missing one, malformed bodies
 * (422 naming the member, 400 for bad JSON), too many records (413) and
 * an oversized body (413); a replayed delivery acknowledged with the first
 * answer and applied once; per-record failures listed by index beside the
 * records that went in; a run added to through sync_log_id; an endpoint
 * bound to one integration; another tenant's integration and endpoints
 * out of reach; no key or secret in any log line. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "api_test.h"
#include "core/alloc.h"
#include "core/jsonx.h"
#include "core/time.h"
#include "http/server.h"
#include "notify/whsig.h"
#include "test.h"
#include "webhook/n8n.h"

struct ep {
    char id[ID_MAX];
    char key[160];
    char secret[160]; /* "" unless signed */
};

static void integration(struct api_test *t, const char *key, char id[ID_MAX])
{
    static int n;
    char body[100];
    snprintf(body, sizeof(body), "{\"connector\":\"testnone\",\"name\":\"pushed to %d\"}", ++n);
    api_test_create(t, key, body, id);
}

static void endpoint(struct api_test *t, const char *key, const char *body, struct ep *out)
{
    struct client_reply r;
    api_test_call(t, &r, "POST", "/api/webhook-endpoints", key, body, NULL);
    if (r.status != 201)
        fail_msg("create endpoint: %ld %s", r.status, buf_cstr(&r.body));
    struct json_object *v = api_test_json(&r);
    memset(out, 0, sizeof(*out));
    snprintf(out->id, sizeof(out->id), "%s", jsonx_str(jsonx_get(v, "id")));
    snprintf(out->key, sizeof(out->key), "%s", jsonx_str(jsonx_get(v, "api_key")));
    const char *s = jsonx_str(jsonx_get(v, "signing_secret"));
    snprintf(out->secret, sizeof(out->secret), "%s", s ? s : "");
    assert_true(strncmp(out->key, "inlet_whk_", 10) == 0);
    assert_non_null(strstr(jsonx_str(jsonx_get(v, "url")), "/api/webhooks/n8n"));
    json_object_put(v);
    client_reply_dispose(&r);
}

/* POST body to the n8n route with up to three header lines. */
static void push(struct api_test *t, struct client_reply *r, const char *body, const char *h1,
                 const char *h2, const char *h3)
{
    const char *headers[] = {h1, h2, h3, NULL};
    api_test_call(t, r, "POST", "/api/webhooks/n8n", NULL, body, h1 ? headers : NULL);
}

static struct json_object *push_ok(struct api_test *t, const char *body, const char *h1,
                                   const char *h2, const char *h3)
{
    struct client_reply r;
    push(t, &r, body, h1, h2, h3);
    if (r.status != 200)
        fail_msg("push: %ld %s", r.status, buf_cstr(&r.body));
    struct json_object *v = api_test_json(&r);
    client_reply_dispose(&r);
    return v;
}

static void auth_header(char *out, size_t cap, const struct ep *ep)
{
    snprintf(out, cap, "Authorization: Bearer %s", ep->key);
}

static void stats_are(struct json_object *v, const char *want)
{
    struct buf b;
    buf_init(&b, 0);
    jsonx_format(&b, jsonx_get(v, "stats"));
    if (strcmp(buf_cstr(&b), want) != 0)
        fail_msg("stats %s, want %s (answer %s)", buf_cstr(&b), want,
                 json_object_to_json_string(v));
    buf_dispose(&b);
}

static void test_push(void **state)
{
    struct api_test *t = *state;
    char integ[ID_MAX], auth[256], body[2000];
    struct ep ep;

    integration(t, t->a.key, integ);
    endpoint(t, t->a.key, "{\"name\":\"n8n main\"}", &ep);
    assert_string_equal(ep.secret, "");
    auth_header(auth, sizeof(auth), &ep);
    snprintf(body, sizeof(body),
             "{\"integration_id\":\"%s\",\"data_type\":\"contacts\",\"source_type\":\"n8n-crm\","
             "\"records\":[{\"id\":\"c1\",\"first_name\":\"Ada\",\"last_name\":\"Lovelace\","
             "\"email\":\"ADA@Example.com\",\"title\":\"Countess\",\"shoe\":42},"
             "{\"external_id\":\"c2\",\"first_name\":\"Alan\",\"email\":\"alan@example.org\"}]}",
             integ);
    struct json_object *v = push_ok(t, body, auth, NULL, NULL);
    assert_true(json_object_get_boolean(jsonx_get(v, "success")));
    stats_are(v, "{\"processed\":2,\"created\":2,\"updated\":0,\"unchanged\":0,\"failed\":0}");
    const char *run = jsonx_str(jsonx_get(v, "sync_log_id"));
    assert_non_null(run);
    assert_int_equal(
        api_test_sql_int(
            t, NULL,
            "SELECT count(*) FROM contacts WHERE integration_id = '%s' AND"
            " ((external_id = 'c1' AND email = 'ada@example.com' AND title = 'Countess'"
            " AND first_name = 'Ada') OR (external_id = 'c2' AND first_name = 'Alan'))",
            integ),
        2);
    assert_int_equal(
        api_test_sql_int(
            t, NULL,
            "SELECT count(*) FROM sync_runs WHERE id = '%s' AND status = 'success' AND"
            " triggered_by = 'webhook' AND records_processed = 2 AND records_created = 2",
            run),
        1);
    json_object_put(v);

    /* The same records again, another delivery: nothing changes. The
     * key in the other header, then in the body. */
    snprintf(auth, sizeof(auth), "X-Inlet-Webhook-Key: %s", ep.key);
    v = push_ok(t, body, auth, "webhook-id: second", NULL);
    stats_are(v, "{\"processed\":2,\"created\":0,\"updated\":0,\"unchanged\":2,\"failed\":0}");
    json_object_put(v);
    snprintf(body, sizeof(body),
             "{\"api_key\":\"%s\",\"integration_id\":\"%s\",\"data_type\":\"contacts\","
             "\"records\":[{\"id\":\"c1\",\"first_name\":\"Ada\",\"email\":\"ada@example.com\","
             "\"title\":\"Analyst\"}]}",
             ep.key, integ);
    v = push_ok(t, body, NULL, NULL, NULL);
    stats_are(v, "{\"processed\":1,\"created\":0,\"updated\":1,\"unchanged\":0,\"failed\":0}");
    json_object_put(v);
    assert_int_equal(api_test_sql_int(t, NULL,
                                      "SELECT count(*) FROM contacts WHERE external_id = 'c1' AND"
                                      " title = 'Analyst'"),
                     1);
    /* An override of the pushed stream, through the mappings API. */
    char mbody[300];
    snprintf(mbody, sizeof(mbody),
             "{\"integration_id\":\"%s\",\"stream\":\"n8n_contacts\",\"model\":\"contacts\","
             "\"target_field\":\"title\",\"source_field\":\"job\",\"transforms\":[\"upper\"]}",
             integ);
    json_object_put(api_test_expect(t, "POST", "/api/mappings", mbody, 201));
    snprintf(mbody, sizeof(mbody),
             "{\"integration_id\":\"%s\",\"stream\":\"n8n_contacts\",\"model\":\"deals\","
             "\"target_field\":\"name\",\"source_field\":\"job\"}",
             integ);
    json_object_put(api_test_expect(t, "POST", "/api/mappings", mbody, 422));
    snprintf(body, sizeof(body),
             "{\"api_key\":\"%s\",\"integration_id\":\"%s\",\"data_type\":\"contacts\","
             "\"records\":[{\"id\":\"c2\",\"first_name\":\"Alan\",\"job\":\"logician\"}]}",
             ep.key, integ);
    v = push_ok(t, body, NULL, NULL, NULL);
    stats_are(v, "{\"processed\":1,\"created\":0,\"updated\":1,\"unchanged\":0,\"failed\":0}");
    json_object_put(v);
    assert_int_equal(api_test_sql_int(t, NULL,
                                      "SELECT count(*) FROM contacts WHERE external_id = 'c2' AND"
                                      " title = 'LOGICIAN'"),
                     1);
    /* The raw table logs every record received: 2 + 2 + 1 + 1. */
    char table[200];
    snprintf(table, sizeof(table), "%s_n8n_contacts", integ);
    assert_int_equal(api_test_sql_int(t, NULL, "SELECT count(*) FROM \"%s\"", table), 6);

    /* The endpoint as listed holds no key. */
    struct client_reply r;
    api_test_call(t, &r, "GET", "/api/webhook-endpoints", t->a.key, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_null(strstr(buf_cstr(&r.body), ep.key));
    assert_null(strstr(buf_cstr(&r.body), "api_key"));
    assert_non_null(strstr(buf_cstr(&r.body), ep.id));
    client_reply_dispose(&r);

    char *log = api_test_stop(t);
    assert_null(strstr(log, ep.key));
    assert_null(strstr(log, ep.key + 10));
    xfree(log);
}

static void test_refusals(void **state)
{
    struct api_test *t = *state;
    char integ[ID_MAX], auth[256], body[1000], other[256];
    struct ep ep, gone;
    struct client_reply r;

    integration(t, t->a.key, integ);
    endpoint(t, t->a.key, "{}", &ep);
    endpoint(t, t->a.key, "{}", &gone);
    char path[100];
    snprintf(path, sizeof(path), "/api/webhook-endpoints/%s", gone.id);
    api_test_call(t, &r, "DELETE", path, t->a.key, NULL, NULL);
    assert_int_equal(r.status, 204);
    client_reply_dispose(&r);
    auth_header(auth, sizeof(auth), &ep);
    snprintf(body, sizeof(body),
             "{\"integration_id\":\"%s\",\"data_type\":\"contacts\",\"records\":[{\"id\":\"x\"}]}",
             integ);

    /* No key, a wrong one, a tenant key, a deleted endpoint's. */
    char tenant_auth[200], gone_auth[256];
    snprintf(tenant_auth, sizeof(tenant_auth), "Authorization: Bearer %s", t->a.key);
    auth_header(gone_auth, sizeof(gone_auth), &gone);
    const char *bad[] = {NULL, "Authorization: Bearer inlet_whk_nope", tenant_auth, gone_auth,
                         "X-Inlet-Webhook-Key: "};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        push(t, &r, body, bad[i], NULL, NULL);
        api_test_expect_error(&r, 401, "unauthorized");
        client_reply_dispose(&r);
    }

    /* Malformed bodies: the member named. */
    static const struct {
        const char *pre, *post, *has; /* the body: pre, the integration id, post */
        long status;
    } cases[] = {
        {"{\"integration_id\":\"", "\",\"data_type\":\"leads\",\"records\":[]}",
         "/data_type: expected contacts, accounts, tickets or deals, got \\\"leads\\\"", 422},
        {"{\"integration_id\":\"", "\",\"data_type\":\"contacts\"}", "/records: is required", 422},
        {"{\"integration_id\":\"", "\",\"data_type\":\"contacts\",\"records\":{}}",
         "/records: expected an array, got object", 422},
        {"{\"integration_id\":\"", "\",\"data-type\":\"contacts\",\"records\":[]}",
         "/data-type: unknown member; did you mean data_type?", 422},
        {"{\"integration_id\":\"nope", "\",\"data_type\":\"contacts\",\"records\":[]}",
         "is not an integration id", 422},
        {"{\"integration_id\":\"", "\",\"data_type\":\"contacts\",\"records\":[}",
         "invalid JSON at line 1", 400},
        {"[\"", "\"]", "expected a JSON object, got array", 400},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char b[400];
        snprintf(b, sizeof(b), "%s%s%s", cases[i].pre, integ, cases[i].post);
        push(t, &r, b, auth, NULL, NULL);
        if (r.status != cases[i].status || !strstr(buf_cstr(&r.body), cases[i].has))
            fail_msg("case %zu: %ld %s", i, r.status, buf_cstr(&r.body));
        client_reply_dispose(&r);
    }
    /* Another tenant's integration is not there. */
    char theirs[ID_MAX], b2[400];
    integration(t, t->b.key, theirs);
    snprintf(b2, sizeof(b2),
             "{\"integration_id\":\"%s\",\"data_type\":\"contacts\",\"records\":[{\"id\":\"x\"}]}",
             theirs);
    push(t, &r, b2, auth, NULL, NULL);
    api_test_expect_error(&r, 422, "validation_failed");
    assert_non_null(strstr(buf_cstr(&r.body), "/integration_id"));
    client_reply_dispose(&r);
    assert_int_equal(api_test_sql_int(t, NULL,
                                      "SELECT count(*) FROM contacts WHERE integration_id = '%s'",
                                      theirs),
                     0);

    /* Too many records; a body over the server's limit. */
    struct buf big;
    buf_init(&big, 0);
    buf_printf(&big, "{\"integration_id\":\"%s\",\"data_type\":\"contacts\",\"records\":[", integ);
    for (int i = 0; i <= N8N_RECORDS_MAX; i++)
        buf_puts(&big, i ? ",{}" : "{}");
    buf_puts(&big, "]}");
    push(t, &r, buf_cstr(&big), auth, NULL, NULL);
    api_test_expect_error(&r, 413, "payload_too_large");
    client_reply_dispose(&r);
    buf_reset(&big);
    buf_printf(&big, "{\"integration_id\":\"%s\",\"data_type\":\"contacts\",\"records\":[{\"p\":\"",
               integ);
    for (int i = 0; i < HTTP_BODY_MAX_DEFAULT / 64 + 1; i++)
        buf_puts(&big, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    buf_puts(&big, "\"}]}");
    push(t, &r, buf_cstr(&big), auth, NULL, NULL);
    assert_int_equal(r.status, 413);
    client_reply_dispose(&r);
    buf_dispose(&big);
    assert_int_equal(api_test_sql_int(t, NULL,
                                      "SELECT count(*) FROM sync_runs WHERE integration_id = '%s'",
                                      integ),
                     0);

    /* An endpoint bound to one integration takes no other's records. */
    char second[ID_MAX], bound_body[200];
    struct ep bound;
    integration(t, t->a.key, second);
    snprintf(bound_body, sizeof(bound_body), "{\"integration_id\":\"%s\"}", second);
    endpoint(t, t->a.key, bound_body, &bound);
    auth_header(other, sizeof(other), &bound);
    push(t, &r, body, other, NULL, NULL);
    api_test_expect_error(&r, 422, "validation_failed");
    assert_non_null(strstr(buf_cstr(&r.body), second));
    client_reply_dispose(&r);

    /* Tenant b sees none of a's endpoints. */
    api_test_call(t, &r, "GET", path, t->b.key, NULL, NULL);
    api_test_expect_error(&r, 404, "not_found");
    client_reply_dispose(&r);
    snprintf(path, sizeof(path), "/api/webhook-endpoints/%s", ep.id);
    api_test_call(t, &r, "DELETE", path, t->b.key, NULL, NULL);
    api_test_expect_error(&r, 404, "not_found");
    client_reply_dispose(&r);
    api_test_call(t, &r, "GET", "/api/webhook-endpoints", t->b.key, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_null(strstr(buf_cstr(&r.body), ep.id));
    client_reply_dispose(&r);
    /* A's endpoint cannot write into b's integration even when b's id is
     * known (above), and b creating an endpoint bound to a's integration
     * is refused. */
    snprintf(bound_body, sizeof(bound_body), "{\"integration_id\":\"%s\"}", integ);
    api_test_call(t, &r, "POST", "/api/webhook-endpoints", t->b.key, bound_body, NULL);
    api_test_expect_error(&r, 422, "validation_failed");
    client_reply_dispose(&r);
}

static void test_signed_and_replay(void **state)
{
    struct api_test *t = *state;
    char integ[ID_MAX], auth[256], body[1000], hid[200], hts[100], hsig[300];
    struct ep ep;
    struct secret key = {0};
    struct err e;
    char sig[WHSIG_SIG_LEN];
    struct client_reply r;

    integration(t, t->a.key, integ);
    endpoint(t, t->a.key, "{\"signed\":true,\"window_seconds\":60}", &ep);
    assert_true(strncmp(ep.secret, "whsec_", 6) == 0);
    assert_int_equal(whsig_key_parse(&key, ep.secret, strlen(ep.secret), &e), 0);
    auth_header(auth, sizeof(auth), &ep);
    snprintf(body, sizeof(body),
             "{\"integration_id\":\"%s\",\"data_type\":\"deals\",\"records\":["
             "{\"id\":\"d1\",\"name\":\"Big\",\"amount\":\"1200.50\",\"currency\":\"usd\","
             "\"status\":\"open\"},"
             "{\"id\":\"d2\",\"name\":\"Bad\",\"amount\":\"12x\"},"
             "\"not a record\","
             "{\"name\":\"no id\"}]}",
             integ);
    int64_t now = time_now_ms() / 1000;

    /* Unsigned, then signed wrong, then stale: refused, nothing applied. */
    push(t, &r, body, auth, NULL, NULL);
    api_test_expect_error(&r, 401, "invalid_signature");
    client_reply_dispose(&r);
    whsig_sign(sig, &key, "msg_1", now, body, strlen(body) - 1);
    snprintf(hid, sizeof(hid), "webhook-id: msg_1");
    snprintf(hts, sizeof(hts), "webhook-timestamp: %lld", (long long)now);
    snprintf(hsig, sizeof(hsig), "webhook-signature: %s", sig);
    push(t, &r, body, auth, hid, hts);
    api_test_expect_error(&r, 401, "invalid_signature");
    client_reply_dispose(&r);
    whsig_sign(sig, &key, "msg_1", now - 120, body, strlen(body));
    snprintf(hts, sizeof(hts), "webhook-timestamp: %lld", (long long)(now - 120));
    snprintf(hsig, sizeof(hsig), "webhook-signature: %s", sig);
    api_test_call(t, &r, "POST", "/api/webhooks/n8n", NULL, body,
                  (const char *[]){auth, hid, hts, hsig, NULL});
    api_test_expect_error(&r, 401, "invalid_signature");
    assert_non_null(strstr(buf_cstr(&r.body), "window"));
    client_reply_dispose(&r);
    assert_int_equal(
        api_test_sql_int(t, NULL, "SELECT count(*) FROM deals WHERE integration_id = '%s'", integ),
        0);

    /* Signed now: applied, with the failures listed by index. */
    whsig_sign(sig, &key, "msg_1", now, body, strlen(body));
    snprintf(hts, sizeof(hts), "webhook-timestamp: %lld", (long long)now);
    snprintf(hsig, sizeof(hsig), "webhook-signature: %s", sig);
    api_test_call(t, &r, "POST", "/api/webhooks/n8n", NULL, body,
                  (const char *[]){auth, hid, hts, hsig, NULL});
    if (r.status != 200)
        fail_msg("%ld %s", r.status, buf_cstr(&r.body));
    struct json_object *v = api_test_json(&r);
    char *first = xstrdup(buf_cstr(&r.body));
    client_reply_dispose(&r);
    assert_false(json_object_get_boolean(jsonx_get(v, "success")));
    stats_are(v, "{\"processed\":4,\"created\":1,\"updated\":0,\"unchanged\":0,\"failed\":3}");
    struct json_object *errs = jsonx_get(v, "errors");
    assert_int_equal(jsonx_len(errs), 3);
    assert_int_equal(json_object_get_int(jsonx_get(jsonx_at(errs, 0), "index")), 1);
    assert_non_null(strstr(jsonx_str(jsonx_get(jsonx_at(errs, 0), "message")), "12x"));
    assert_int_equal(json_object_get_int(jsonx_get(jsonx_at(errs, 1), "index")), 2);
    assert_string_equal(jsonx_str(jsonx_get(jsonx_at(errs, 1), "message")),
                        "expected an object, got string");
    assert_int_equal(json_object_get_int(jsonx_get(jsonx_at(errs, 2), "index")), 3);
    assert_non_null(strstr(jsonx_str(jsonx_get(jsonx_at(errs, 2), "message")), "external_id"));
    const char *run = jsonx_str(jsonx_get(v, "sync_log_id"));
    assert_int_equal(
        api_test_sql_int(t, NULL,
                         "SELECT count(*) FROM sync_runs WHERE id = '%s' AND status = 'partial' AND"
                         " records_failed = 3 AND records_created = 1",
                         run),
        1);
    assert_int_equal(api_test_sql_int(t, NULL,
                                      "SELECT count(*) FROM deals WHERE integration_id = '%s' AND"
                                      " external_id = 'd1' AND currency = 'USD' AND"
                                      " abs(amount - 1200.5) < 0.001",
                                      integ),
                     1);

    /* The same delivery again: the same answer, applied once. */
    api_test_call(t, &r, "POST", "/api/webhooks/n8n", NULL, body,
                  (const char *[]){auth, hid, hts, hsig, NULL});
    assert_int_equal(r.status, 200);
    assert_string_equal(buf_cstr(&r.body), first);
    client_reply_dispose(&r);
    assert_int_equal(api_test_sql_int(t, NULL,
                                      "SELECT count(*) FROM sync_runs WHERE integration_id = '%s'",
                                      integ),
                     1);
    char table[200];
    snprintf(table, sizeof(table), "%s_n8n_deals", integ);
    assert_int_equal(api_test_sql_int(t, NULL, "SELECT count(*) FROM \"%s\"", table), 3);

    /* A second page of the same sync: added to the run through
     * sync_log_id. */
    char body2[600];
    snprintf(body2, sizeof(body2),
             "{\"integration_id\":\"%s\",\"data_type\":\"deals\",\"sync_log_id\":\"%s\","
             "\"records\":[{\"id\":\"d3\",\"name\":\"Third\",\"status\":\"won\"}]}",
             integ, run);
    whsig_sign(sig, &key, "msg_2", now, body2, strlen(body2));
    snprintf(hid, sizeof(hid), "webhook-id: msg_2");
    snprintf(hsig, sizeof(hsig), "webhook-signature: %s", sig);
    api_test_call(t, &r, "POST", "/api/webhooks/n8n", NULL, body2,
                  (const char *[]){auth, hid, hts, hsig, NULL});
    assert_int_equal(r.status, 200);
    client_reply_dispose(&r);
    assert_int_equal(
        api_test_sql_int(t, NULL,
                         "SELECT count(*) FROM sync_runs WHERE id = '%s' AND status = 'partial' AND"
                         " records_processed = 5 AND records_created = 2 AND records_failed = 3",
                         run),
        1);
    /* A run that is not a pushed one of this integration. */
    snprintf(body2, sizeof(body2),
             "{\"integration_id\":\"%s\",\"data_type\":\"deals\",\"sync_log_id\":"
             "\"run_01jd5x8k2v9q3m7r4t6w8y0z1a\",\"records\":[{\"id\":\"d4\"}]}",
             integ);
    whsig_sign(sig, &key, "msg_3", now, body2, strlen(body2));
    snprintf(hid, sizeof(hid), "webhook-id: msg_3");
    snprintf(hsig, sizeof(hsig), "webhook-signature: %s", sig);
    api_test_call(t, &r, "POST", "/api/webhooks/n8n", NULL, body2,
                  (const char *[]){auth, hid, hts, hsig, NULL});
    api_test_expect_error(&r, 422, "validation_failed");
    assert_non_null(strstr(buf_cstr(&r.body), "/sync_log_id"));
    client_reply_dispose(&r);
    assert_int_equal(
        api_test_sql_int(t, NULL, "SELECT count(*) FROM deals WHERE external_id = 'd4'"), 0);

    json_object_put(v);
    xfree(first);
    secret_dispose(&key);
    char *log = api_test_stop(t);
    assert_null(strstr(log, ep.secret + 6));
    assert_null(strstr(log, ep.key + 10));
    xfree(log);
}

/* source_type naming a connector: its default mapping reads the records. */
static void test_source_connector(void **state)
{
    struct api_test *t = *state;
    char integ[ID_MAX], auth[256], body[1000];
    struct ep ep;

    integration(t, t->a.key, integ);
    endpoint(t, t->a.key, "{}", &ep);
    auth_header(auth, sizeof(auth), &ep);
    snprintf(body, sizeof(body),
             "{\"integration_id\":\"%s\",\"data_type\":\"contacts\","
             "\"source_type\":\"salesforce/Contact\",\"records\":[{\"Id\":\"003A\","
             "\"FirstName\":\"Grace\",\"LastName\":\"Hopper\",\"Email\":\"grace@navy.mil\","
             "\"IsDeleted\":false}]}",
             integ);
    struct json_object *v = push_ok(t, body, auth, NULL, NULL);
    stats_are(v, "{\"processed\":1,\"created\":1,\"updated\":0,\"unchanged\":0,\"failed\":0}");
    json_object_put(v);
    assert_int_equal(
        api_test_sql_int(
            t, NULL,
            "SELECT count(*) FROM contacts WHERE integration_id = '%s' AND"
            " external_id = '003A' AND first_name = 'Grace' AND email = 'grace@navy.mil'",
            integ),
        1);
}

int test_api_webhooks(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, api_test_setup, api_test_teardown)
    const struct CMUnitTest tests[] = {
        T(test_push),
        T(test_refusals),
        T(test_signed_and_replay),
        T(test_source_connector),
    };
#undef T
    return test_group_db("api_webhooks", tests);
}
