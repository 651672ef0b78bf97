/* tests/unit/sync/test_tap_sync.c - Singer taps as connectors, on both
 * engines, with the test taps of tests/fixtures/taps behind the connector
 * files of tests/fixtures/connectors: discovery stores the catalog and
 * keeps selections; a sync loads the tap's records into the integration's
 * tables with the run's counters and the tap's state; a tap that crashes
 * fails the run with what it committed kept, and the next sync resumes
 * from the stored state with nothing lost or doubled; the tap's stderr
 * reaches the run log with secrets scrubbed; cancel and timeout stop it;
 * and the errors a sync can meet before it starts. */
#include <stdio.h>
#include <string.h>

#include "connectors/registry.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/secret.h"
#include "crypto/vault.h"
#include "store/integration.h"
#include "store/tenant.h"
#include "sync/tap_sync.h"
#include "test.h"
#include "test_db.h"

#define CONNECTORS "tests/fixtures/connectors"
#define SECRET     "sk_live_7f3a9c_do_not_leak"

struct fx {
    struct test_db *t;
    struct registry *reg;
    struct vault *vault;
    struct oauth_env env;
    char tenant[ID_MAX];
};

static void fx_open(struct fx *f, void **state)
{
    struct secret key = {0}, keys = {0};
    struct err e;
    static int n;
    char name[32];

    memset(f, 0, sizeof(*f));
    f->t = *state;
    assert_db_ok(registry_load(&f->reg, CONNECTORS, NULL, NULL, &e), &e);
    vault_key_generate(&keys);
    assert_db_ok(vault_parse_keys(&f->vault, &keys, "INLET_KEYS", &e), &e);
    secret_dispose(&keys);
    snprintf(name, sizeof(name), "taps %d", n++);
    assert_db_ok(tenant_create(f->tenant, &key, f->t->db, name, &e), &e);
    secret_dispose(&key);
    f->env = (struct oauth_env){.db = f->t->db, .vault = f->vault, .reg = f->reg};
}

static void fx_close(struct fx *f)
{
    registry_free(f->reg);
    vault_free(f->vault);
}

/* A new integration of connector with config (JSON) and, when given, the
 * secrets (JSON); its id into id. */
static void make(struct fx *f, const char *connector, const char *config, const char *secrets,
                 char id[ID_MAX])
{
    struct integration it = {0};
    struct err e;
    static int n;
    char name[32];
    snprintf(name, sizeof(name), "tap %d", n++);
    assert_db_ok(db_begin_tenant(f->t->db, f->tenant, &e), &e);
    assert_db_ok(integration_create(&it, f->t->db, f->tenant, connector, name, config, 1, &e), &e);
    if (secrets) {
        struct secret s = {0};
        secret_set(&s, secrets, strlen(secrets));
        assert_db_ok(integration_secrets_set(f->t->db, f->vault, f->tenant, it.id, "api_key", &s,
                                             "[\"api_key\"]", 0, 1, &e),
                     &e);
        secret_dispose(&s);
    }
    assert_db_ok(db_commit(f->t->db, &e), &e);
    memcpy(id, it.id, ID_MAX);
    integration_dispose(&it);
}

/* Set the integration's config (JSON). */
static void reconfigure(struct fx *f, const char *id, const char *config)
{
    struct integration it = {0};
    struct integration_change ch = {.config = config};
    struct err e;
    assert_db_ok(db_begin_tenant(f->t->db, f->tenant, &e), &e);
    assert_db_ok(integration_update(&it, f->t->db, f->tenant, id, &ch, 2, &e), &e);
    assert_db_ok(db_commit(f->t->db, &e), &e);
    integration_dispose(&it);
}

/* sql's single int, with $1 the integration's id. */
static int64_t count_sql(struct fx *f, const char *sql, const char *id)
{
    struct err e;
    int64_t n = -1;
    struct db_val params[] = {DB_TEXT(id)};
    assert_db_ok(db_begin_tenant_read(f->t->db, f->tenant, &e), &e);
    assert_db_ok(db_query_int(&n, f->t->db, sql, params, 1, &e), &e);
    db_rollback(f->t->db);
    return n;
}

/* Rows (distinct ids when distinct) of the integration's table "<id>_items". */
static int64_t count_items(struct fx *f, const char *id, bool distinct)
{
    char sql[200];
    struct err e;
    int64_t n = -1;
    snprintf(sql, sizeof(sql), "SELECT count(%s) FROM \"%s_items\"", distinct ? "DISTINCT id" : "*",
             id);
    assert_db_ok(db_begin_tenant_read(f->t->db, f->tenant, &e), &e);
    assert_db_ok(db_query_int(&n, f->t->db, sql, NULL, 0, &e), &e);
    db_rollback(f->t->db);
    return n;
}

/* Store catalog (JSON) as the integration's, as discovery would. */
static void set_catalog(struct fx *f, const char *id, const char *catalog)
{
    struct err e;
    assert_db_ok(db_begin_tenant(f->t->db, f->tenant, &e), &e);
    assert_db_ok(integration_catalog_set(f->t->db, f->tenant, id, catalog, 3, &e), &e);
    assert_db_ok(db_commit(f->t->db, &e), &e);
}

#define ONE_STREAM                                                                                 \
    "{\"streams\":[{\"tap_stream_id\":\"x\",\"schema\":{},\"metadata\":[{\"breadcrumb\":[],"       \
    "\"metadata\":{\"selected\":true}}]}]}"

static int sync(struct fx *f, const char *id, struct sync_run *run, struct err *e)
{
    struct sync_opts o = {
        .env = &f->env, .tenant_id = f->tenant, .integration_id = id, .batch_size = 7};
    return tap_sync(run, &o, e);
}

static void counts(const struct sync_run *r, int64_t processed, int64_t created, int64_t unchanged)
{
    if (r->n.processed != processed || r->n.created != created || r->n.unchanged != unchanged)
        fail_msg("run %s: processed %lld created %lld unchanged %lld", r->status,
                 (long long)r->n.processed, (long long)r->n.created, (long long)r->n.unchanged);
}

static void discover_and_sync(void **state)
{
    struct fx f;
    struct err e;
    struct sync_run run;
    char id[ID_MAX];

    fx_open(&f, state);
    make(&f, "tap-counter", "{\"count\":25,\"state_every\":10}", "{\"api_key\":\"" SECRET "\"}",
         id);
    /* Before discovery: nothing to sync. */
    assert_int_equal(sync(&f, id, &run, &e), ERR_INVALID);
    assert_non_null(strstr(e.msg, "discover its streams first"));

    /* The tap marks "items" selected by default. */
    struct sync_discovery d;
    assert_db_ok(tap_discover(&d, &f.env, f.tenant, id, NULL, 0, false, &e), &e);
    assert_int_equal(d.streams, 1);
    assert_int_equal(d.selected, 1);
    assert_string_equal(buf_cstr(&d.changes),
                        "{\"streams_added\":[\"items\"],\"streams_removed\":[],"
                        "\"fields_added\":{},\"fields_removed\":{}}");
    sync_discovery_dispose(&d);
    /* Deselect it (select none by name list is "exactly these"): nothing to run. */
    const char *none[] = {"nope"};
    assert_int_equal(tap_discover(NULL, &f.env, f.tenant, id, none, 1, false, &e), ERR_NOTFOUND);
    assert_db_ok(tap_discover(&d, &f.env, f.tenant, id, NULL, 0, true, &e), &e);
    assert_int_equal(d.selected, 1);
    assert_string_equal(buf_cstr(&d.changes), "{\"streams_added\":[],\"streams_removed\":[],"
                                              "\"fields_added\":{},\"fields_removed\":{}}");
    sync_discovery_dispose(&d);

    assert_db_ok(sync(&f, id, &run, &e), &e);
    assert_string_equal(run.status, "success");
    counts(&run, 25, 25, 0);
    assert_null(run.error);
    assert_non_null(strstr(run.log, "tap-counter: 25 records"));
    assert_null(strstr(run.log, SECRET));
    sync_run_dispose(&run);
    assert_int_equal(count_items(&f, id, false), 25);
    assert_int_equal(count_sql(&f,
                               "SELECT count(*) FROM stream_state WHERE integration_id = $1"
                               " AND stream = '" TAP_STATE_STREAM "'",
                               id),
                     1);

    /* Again: the tap resumes after its bookmark, so there is nothing new. */
    assert_db_ok(sync(&f, id, &run, &e), &e);
    assert_string_equal(run.status, "success");
    counts(&run, 0, 0, 0);
    sync_run_dispose(&run);
    assert_int_equal(count_sql(&f,
                               "SELECT count(*) FROM sync_runs WHERE integration_id = $1"
                               " AND status = 'success'",
                               id),
                     2);
    fx_close(&f);
}

static void crash_then_resume(void **state)
{
    struct fx f;
    struct err e;
    struct sync_run run;
    char id[ID_MAX];

    fx_open(&f, state);
    make(&f, "tap-counter", "{\"count\":40,\"state_every\":10,\"crash_at\":27}",
         "{\"api_key\":\"" SECRET "\"}", id);
    assert_db_ok(tap_discover(NULL, &f.env, f.tenant, id, NULL, 0, true, &e), &e);
    assert_db_ok(sync(&f, id, &run, &e), &e);
    assert_string_equal(run.status, "failed");
    assert_string_equal(run.error, "the tap exited with status 1: tap-counter: crashing at id 27, "
                                   "as configured");
    /* Records 1-26 and the state after 20 committed; the cut line did not. */
    counts(&run, 26, 26, 0);
    assert_non_null(strstr(run.log, "was cut off when the tap ended: not loaded"));
    sync_run_dispose(&run);
    assert_int_equal(count_items(&f, id, false), 26);

    /* Fixed: the next sync starts after 20, upserts 21-26 again (unchanged)
     * and adds the rest: 40 rows, each once. */
    reconfigure(&f, id, "{\"count\":40,\"state_every\":10}");
    assert_db_ok(sync(&f, id, &run, &e), &e);
    assert_string_equal(run.status, "success");
    counts(&run, 20, 14, 6);
    sync_run_dispose(&run);
    assert_int_equal(count_items(&f, id, false), 40);
    assert_int_equal(count_items(&f, id, true), 40);
    fx_close(&f);
}

static void default_config(void **state)
{
    struct fx f;
    struct err e;
    struct sync_run run;
    char id[ID_MAX];

    /* No mapping: the settings go to the tap as they are. */
    fx_open(&f, state);
    make(&f, "tap-plain", "{\"count\":3}", NULL, id);
    assert_db_ok(tap_discover(NULL, &f.env, f.tenant, id, NULL, 0, true, &e), &e);
    assert_db_ok(sync(&f, id, &run, &e), &e);
    assert_string_equal(run.status, "success");
    counts(&run, 3, 3, 0);
    sync_run_dispose(&run);
    fx_close(&f);
}

/* The tap's stderr repeats the secret: the run log keeps every line,
 * scrubbed. */
static void stderr_scrubbed(void **state)
{
    struct fx f;
    struct err e;
    struct sync_run run;
    char id[ID_MAX];

    fx_open(&f, state);
    make(&f, "tap-stderr", "{}", "{\"api_key\":\"" SECRET "\"}", id);
    set_catalog(&f, id, ONE_STREAM);
    assert_db_ok(sync(&f, id, &run, &e), &e);
    assert_string_equal(run.status, "success");
    assert_null(strstr(run.log, SECRET));
    assert_null(strstr(run.log, "sk_live_7f3a9c")); /* not even half of it */
    assert_non_null(strstr(run.log, "whole: [redacted]."));
    assert_non_null(strstr(run.log, "split: [redacted]."));
    assert_non_null(strstr(run.log, "last words"));
    sync_run_dispose(&run);
    fx_close(&f);
}

/* How the tap ends decides the run's status and error. */
static void exits_and_signals(void **state)
{
    struct fx f;
    struct err e;
    struct sync_run run;
    char id[ID_MAX];

    fx_open(&f, state);
    make(&f, "tap-exit", "{\"lines\":2,\"exit\":3}", NULL, id);
    /* Its --discover prints STATE lines, not a catalog. */
    assert_int_equal(tap_discover(NULL, &f.env, f.tenant, id, NULL, 0, true, &e), ERR_INVALID);
    assert_non_null(strstr(e.msg, "discovery failed: the tap exited with status 3"));
    reconfigure(&f, id, "{\"lines\":2}");
    assert_int_equal(tap_discover(NULL, &f.env, f.tenant, id, NULL, 0, true, &e), ERR_INVALID);
    assert_non_null(strstr(e.msg, "the tap's --discover output is not a catalog: "));

    set_catalog(&f, id, ONE_STREAM);
    reconfigure(&f, id, "{\"lines\":2,\"exit\":3}");
    assert_db_ok(sync(&f, id, &run, &e), &e);
    assert_string_equal(run.status, "failed");
    assert_string_equal(run.error, "the tap exited with status 3");
    sync_run_dispose(&run);
    reconfigure(&f, id, "{\"lines\":1,\"signal\":9}");
    assert_db_ok(sync(&f, id, &run, &e), &e);
    assert_string_equal(run.status, "failed");
    assert_non_null(strstr(run.error, "the tap was killed by signal 9"));
    sync_run_dispose(&run);
    /* The states it printed before failing were committed all the same. */
    assert_int_equal(count_sql(&f,
                               "SELECT count(*) FROM stream_state WHERE integration_id = $1"
                               " AND stream = '" TAP_STATE_STREAM "' AND bookmark = '1'",
                               id),
                     1);
    fx_close(&f);
}

static bool cancel_now(void *ctx)
{
    int *polls = ctx;
    return ++*polls > 1;
}

/* A tap that never ends: the connector's timeout (1 s) stops it, SIGTERM
 * ignored and all; a cancel stops it too, and so does the watchdog. */
static void timeout_and_cancel(void **state)
{
    struct fx f;
    struct err e;
    struct sync_run run;
    char id[ID_MAX];
    int polls = 0;

    fx_open(&f, state);
    make(&f, "tap-stubborn", "{}", NULL, id);
    set_catalog(&f, id, ONE_STREAM);
    assert_db_ok(sync(&f, id, &run, &e), &e);
    assert_string_equal(run.status, "failed");
    assert_string_equal(run.error, "the tap ran for more than 1 s and was stopped");
    sync_run_dispose(&run);

    reconfigure(&f, id, "{\"polite\":1}");
    struct sync_opts o = {.env = &f.env,
                          .tenant_id = f.tenant,
                          .integration_id = id,
                          .timeout_ms = 60000,
                          .cancelled = cancel_now,
                          .ctx = &polls};
    assert_db_ok(tap_sync(&run, &o, &e), &e);
    assert_string_equal(run.status, "cancelled");
    assert_true(polls >= 2);
    sync_run_dispose(&run);

    /* The watchdog: a tap silent on stdout past stall_ms is taken as hung. */
    struct sync_opts w = {.env = &f.env,
                          .tenant_id = f.tenant,
                          .integration_id = id,
                          .timeout_ms = 60000,
                          .stall_ms = 700};
    assert_db_ok(tap_sync(&run, &w, &e), &e);
    assert_string_equal(run.status, "failed");
    assert_string_equal(run.error, "the tap printed nothing for 700 ms and was stopped as hung "
                                   "(the connector's singer.stall_seconds)");
    sync_run_dispose(&run);
    fx_close(&f);
}

/* What stops a sync before it starts, with what to do about it. */
static void refusals(void **state)
{
    struct fx f;
    struct err e;
    struct sync_run run, other;
    char id[ID_MAX];

    fx_open(&f, state);
    make(&f, "tap-counter", "{}", NULL, id);
    assert_int_equal(sync(&f, id, &run, &e), ERR_INVALID);
    assert_non_null(strstr(e.msg, "has no secrets yet: set them first"));
    assert_int_equal(tap_discover(NULL, &f.env, f.tenant, id, NULL, 0, true, &e), ERR_INVALID);

    make(&f, "tap-plain", "{\"count\":1}", NULL, id);
    set_catalog(&f, id, "{\"streams\":[{\"tap_stream_id\":\"x\",\"schema\":{}}]}");
    assert_int_equal(sync(&f, id, &run, &e), ERR_INVALID);
    assert_non_null(strstr(e.msg, "selects no stream: select some first"));

    /* One run at a time. */
    set_catalog(&f, id, ONE_STREAM);
    assert_db_ok(db_begin_tenant(f.t->db, f.tenant, &e), &e);
    assert_db_ok(sync_run_start(&other, f.t->db, f.tenant, id, "manual", "incremental", 5, &e), &e);
    assert_db_ok(db_commit(f.t->db, &e), &e);
    assert_int_equal(sync(&f, id, &run, &e), ERR_CONFLICT);
    assert_non_null(strstr(e.msg, other.id));
    sync_run_dispose(&other);

    assert_int_equal(sync(&f, "int_nope", &run, &e), ERR_NOTFOUND);
    fx_close(&f);
}

int test_tap_sync(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(discover_and_sync), cmocka_unit_test(crash_then_resume),
        cmocka_unit_test(default_config),    cmocka_unit_test(stderr_scrubbed),
        cmocka_unit_test(exits_and_signals), cmocka_unit_test(timeout_and_cancel),
        cmocka_unit_test(refusals),
    };
    return test_group_db("tap_sync", tests);
}
