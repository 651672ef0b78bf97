/* tests/api/test_api_tokens.c - the token upkeep end to end on both
 * engines, against the provider emulators: integrations connected through
 * the whole OAuth flow (oauth_fx.h), an upkeep pass at the time their
 * tokens come due, and the refresh job's body (sched_tokens_refresh) run
 * as the job runner runs it. HubSpot's token with ten minutes left is
 * refreshed and its next time moves; a refresh token the provider revoked
 * moves the integration to needs_reauth, and the next pass parks it;
 * Salesforce's token, which has no lifetime, is refreshed once a day; a
 * Slack bot token, which cannot be renewed, is never due, and taken off
 * the upkeep if it ever is. No token reaches the log. The bookkeeping on
 * its own is tests/unit/sched/test_tokens.c. */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/jsonx.h"
#include "core/time.h"
#include "oauth/token.h"
#include "oauth_fx.h"
#include "sched/tokens.h"
#include "store/credential.h"
#include "store/integration.h"

/* The credentials row of integration id; 0 for NULL. */
struct cred {
    int64_t expires_at, refreshed_at, refresh_failed_at, refresh_due_at;
    bool due_null;
};

static struct cred cred_of(struct ofx *f, const char *id)
{
    struct db_rows *r = NULL;
    struct err e;
    struct cred c;
    assert_db_ok(db_query_row(&r, f->t->tdb->db,
                              "SELECT expires_at, refreshed_at, refresh_failed_at, refresh_due_at"
                              " FROM credentials WHERE integration_id = $1",
                              DB_ARGS(DB_TEXT(id)), &e),
                 &e);
    c = (struct cred){.expires_at = db_rows_int(r, 0),
                      .refreshed_at = db_rows_int(r, 1),
                      .refresh_failed_at = db_rows_int(r, 2),
                      .refresh_due_at = db_rows_int(r, 3),
                      .due_null = db_rows_is_null(r, 3)};
    db_rows_free(r);
    return c;
}

/* The group's database keeps the integrations of the tests before: only
 * this test's tokens are to be due, and no refresh job is queued. */
static void quiet(struct ofx *f)
{
    struct err e;
    assert_db_ok(
        db_exec(f->t->tdb->db, "UPDATE credentials SET refresh_due_at = NULL", NULL, 0, NULL, &e),
        &e);
    assert_db_ok(
        db_exec(f->t->tdb->db, "DELETE FROM jobs WHERE kind = 'refresh'", NULL, 0, NULL, &e), &e);
}

static int64_t now_s(void)
{
    return time_now_ms() / 1000;
}

/* A pass at now on a connection of its own; *r (OUT) what it did. */
static void pass(struct ofx *f, struct sched_tokens_result *r, int64_t now)
{
    struct db *db = test_db_connect(f->t->tdb);
    struct err e;
    assert_db_ok(sched_tokens_pass(r, db, now, SCHED_TOKENS_PASS_MAX, &e), &e);
    db_close(db);
}

/* Check that the pass queued one refresh job for id, then take it off the
 * queue: this test runs the job's body itself. (Passes run at times ahead
 * of the clock, so that the server's own workers, which claim the jobs
 * that are due, leave it alone meanwhile.) */
static void take_job(struct ofx *f, const char *id)
{
    char key[ID_MAX + 8];
    int64_t n = 0;
    struct err e;
    snprintf(key, sizeof(key), "refresh:%s", id);
    assert_db_ok(db_exec(f->t->tdb->db,
                         "DELETE FROM jobs WHERE kind = 'refresh' AND dedupe_key = $1 AND"
                         " status = 'queued'",
                         DB_ARGS(DB_TEXT(key)), &n, &e),
                 &e);
    assert_int_equal(n, 1);
}

/* sched_tokens_refresh for integration id of tenant a, as the job runner
 * calls it, on a connection of its own; its result, e filled. */
static int refresh(struct ofx *f, const char *id, struct err *e)
{
    struct db *db = test_db_connect(f->t->tdb);
    struct oauth_env env = {
        .db = db, .vault = f->t->vault, .reg = f->t->reg, .public_url = "http://127.0.0.1"};
    int rc = sched_tokens_refresh(&env, f->t->a.id, id, e);
    db_close(db);
    return rc;
}

/* The stored token name of integration id, copied into out. */
static void stored(struct ofx *f, const char *id, const char *name, char *out, size_t n)
{
    struct db *db = test_db_connect(f->t->tdb);
    struct secret plain = {0};
    struct json_object *o = NULL;
    struct err e;
    assert_db_ok(db_begin_tenant_read(db, f->t->a.id, &e), &e);
    assert_db_ok(integration_secrets_open(&plain, db, f->t->vault, f->t->a.id, id, &e), &e);
    db_rollback(db);
    db_close(db);
    assert_db_ok(jsonx_parse(&o, (const char *)plain.p, plain.n, plain.n + 1, &e), &e);
    secret_dispose(&plain);
    assert_non_null(jsonx_str(jsonx_get(o, name)));
    snprintf(out, n, "%s", jsonx_str(jsonx_get(o, name)));
    json_object_put(o);
}

static void expiring_refreshed_then_refused_parked(void **state)
{
    struct ofx f;
    struct sched_tokens_result r;
    char id[ID_MAX], access[512], access2[512], refresh_tok[512];
    struct err e;

    ofx_start(&f, state, SANDBOX_HUBSPOT);
    quiet(&f);
    /* Tokens with ten minutes to live: 15 minutes ahead is already past,
     * so due after the shortest gap rather than at every pass. */
    ofx_sb_faults(&f, "{\"token_ttl_s\":600}");
    int64_t t0 = now_s();
    ofx_connect_new(&f, "IdleCRM", id);
    int64_t t1 = now_s();
    struct cred c = cred_of(&f, id);
    assert_in_range(c.expires_at, t0 + 600, t1 + 600);
    assert_in_range(c.refresh_due_at, t0 + CREDENTIAL_REFRESH_GAP_S, t1 + CREDENTIAL_REFRESH_GAP_S);
    assert_int_equal(c.refreshed_at, 0);
    stored(&f, id, "access_token", access, sizeof(access));
    stored(&f, id, "refresh_token", refresh_tok, sizeof(refresh_tok));
    ofx_sb_faults(&f, "{}"); /* HubSpot's own 30 minutes from now on */

    /* Not due before; then the pass queues its refresh and holds it back
     * meanwhile. */
    pass(&f, &r, c.refresh_due_at - 1);
    assert_int_equal(r.due, 0);
    int64_t at = c.refresh_due_at;
    pass(&f, &r, at);
    assert_int_equal(r.due, 1);
    assert_int_equal(r.enqueued, 1);
    assert_int_equal(cred_of(&f, id).refresh_due_at, at + CREDENTIAL_REFRESH_COOLDOWN_S);
    pass(&f, &r, at);
    assert_int_equal(r.due, 0);
    take_job(&f, id);

    /* The job: a new token for 30 minutes, due 15 minutes before its end. */
    t0 = now_s();
    assert_db_ok(refresh(&f, id, &e), &e);
    t1 = now_s();
    assert_int_equal(ofx_sb_counter(&f, "token_refresh"), 1);
    c = cred_of(&f, id);
    assert_in_range(c.expires_at, t0 + 1800, t1 + 1800);
    assert_in_range(c.refreshed_at, t0, t1);
    assert_int_equal(c.refresh_failed_at, 0);
    assert_int_equal(c.refresh_due_at, c.expires_at - CREDENTIAL_REFRESH_AHEAD_S);
    stored(&f, id, "access_token", access2, sizeof(access2));
    assert_string_not_equal(access2, access);
    struct json_object *it = ofx_integration(&f, id);
    assert_string_equal(jsonx_str(jsonx_get(it, "status")), "active");
    json_object_put(it);

    /* The user removed the app: at the next due time the refresh is
     * refused, the integration needs its user, the cooldown is set. */
    ofx_sb_faults(&f, "{\"revoke_refresh\":true}");
    at = c.refresh_due_at;
    pass(&f, &r, at);
    assert_int_equal(r.enqueued, 1);
    take_job(&f, id);
    t0 = now_s();
    assert_int_equal(refresh(&f, id, &e), ERR_INVALID);
    t1 = now_s();
    assert_non_null(strstr(e.msg, "needs_reauth"));
    assert_int_equal(ofx_sb_counter(&f, "token_refresh"), 2);
    it = ofx_integration(&f, id);
    assert_string_equal(jsonx_str(jsonx_get(it, "status")), "needs_reauth");
    json_object_put(it);
    c = cred_of(&f, id);
    assert_in_range(c.refresh_failed_at, t0, t1);
    assert_int_equal(c.refresh_due_at, c.refresh_failed_at + CREDENTIAL_REFRESH_COOLDOWN_S);

    /* After the cooldown the pass parks it: no job, no due time, and no
     * call to the provider until it is connected again. */
    pass(&f, &r, c.refresh_due_at);
    assert_int_equal(r.due, 1);
    assert_int_equal(r.enqueued, 0);
    assert_int_equal(r.parked, 1);
    assert_true(cred_of(&f, id).due_null);
    assert_int_equal(test_db_int(f.t->tdb->db, "SELECT count(*) FROM jobs WHERE kind = 'refresh'"),
                     0);
    assert_int_equal(ofx_sb_counter(&f, "token_refresh"), 2);

    char *log = api_test_stop(f.t);
    assert_null(strstr(log, access));
    assert_null(strstr(log, access2));
    assert_null(strstr(log, refresh_tok));
    xfree(log);
    ofx_stop(&f);
}

static void no_lifetime_refreshed_daily(void **state)
{
    struct ofx f;
    struct sched_tokens_result r;
    char id[ID_MAX];
    struct err e;

    ofx_start(&f, state, SANDBOX_SALESFORCE);
    quiet(&f);
    int64_t t0 = now_s();
    ofx_connect_new(&f, "Daily", id);
    int64_t t1 = now_s();
    /* Salesforce gives no lifetime: a day after the connection. */
    struct cred c = cred_of(&f, id);
    assert_int_equal(c.expires_at, 0);
    assert_in_range(c.refresh_due_at, t0 + CREDENTIAL_REFRESH_EVERY_S,
                    t1 + CREDENTIAL_REFRESH_EVERY_S);
    pass(&f, &r, c.refresh_due_at - 1);
    assert_int_equal(r.due, 0);
    pass(&f, &r, c.refresh_due_at);
    assert_int_equal(r.enqueued, 1);
    take_job(&f, id);
    t0 = now_s();
    assert_db_ok(refresh(&f, id, &e), &e);
    t1 = now_s();
    assert_int_equal(ofx_sb_counter(&f, "token_refresh"), 1);
    c = cred_of(&f, id);
    assert_int_equal(c.expires_at, 0);
    assert_in_range(c.refreshed_at, t0, t1);
    assert_int_equal(c.refresh_due_at, c.refreshed_at + CREDENTIAL_REFRESH_EVERY_S);
    ofx_stop(&f);
}

static void bot_token_left_alone(void **state)
{
    struct ofx f;
    struct sched_tokens_result r;
    char id[ID_MAX], sql[200];
    struct err e;

    ofx_start(&f, state, SANDBOX_SLACK);
    quiet(&f);
    ofx_connect_new(&f, "Bot", id);
    assert_true(cred_of(&f, id).due_null);
    pass(&f, &r, now_s() + 30 * CREDENTIAL_REFRESH_EVERY_S);
    assert_int_equal(r.due, 0);
    /* Due by some other writer: the job finds nothing to renew it with and
     * takes it off the upkeep, without an error or a call to Slack. */
    snprintf(sql, sizeof(sql),
             "UPDATE credentials SET refresh_due_at = 1 WHERE integration_id = '%s'", id);
    assert_db_ok(db_exec(f.t->tdb->db, sql, NULL, 0, NULL, &e), &e);
    assert_db_ok(refresh(&f, id, &e), &e);
    assert_true(cred_of(&f, id).due_null);
    assert_int_equal(ofx_sb_counter(&f, "token_refresh"), 0);
    struct json_object *it = ofx_integration(&f, id);
    assert_string_equal(jsonx_str(jsonx_get(it, "status")), "active");
    json_object_put(it);
    ofx_stop(&f);
}

int test_api_tokens(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(expiring_refreshed_then_refused_parked, api_test_setup,
                                        api_test_teardown),
        cmocka_unit_test_setup_teardown(no_lifetime_refreshed_daily, api_test_setup,
                                        api_test_teardown),
        cmocka_unit_test_setup_teardown(bot_token_left_alone, api_test_setup, api_test_teardown),
    };
    return test_group_db("api_tokens", tests);
}
