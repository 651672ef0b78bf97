/* tests/api/api_test.c - the API suites' fixture: see api_test.h. */
#include "api_test.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "connectors/registry.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "core/secret.h"
#include "crypto/vault.h"
#include "db/pool.h"

static struct vault *new_vault(void)
{
    struct secret k = {0};
    struct vault *v = NULL;
    struct err e;

    vault_key_generate(&k);
    if (vault_parse_keys(&v, &k, "INLET_KEYS", &e) != 0)
        fail_msg("vault: %s", e.msg);
    secret_dispose(&k);
    return v;
}

static void new_tenant(struct api_test *t, struct api_test_tenant *out, const char *who)
{
    static int serial;
    char name[96];
    struct secret key = {0};
    struct err e;

    snprintf(name, sizeof(name), "api-%s-%d-%d-%lld", who, (int)getpid(), ++serial,
             (long long)time(NULL));
    assert_db_ok(tenant_create(out->id, &key, t->tdb->db, name, &e), &e);
    assert_true(key.n < sizeof(out->key));
    memcpy(out->key, key.p, key.n);
    out->key[key.n] = '\0';
    secret_dispose(&key);
}

static char cron_text[] = API_TEST_CRON_SECRET; /* borrowed by every server, never written */
static struct secret cron_secret = {(unsigned char *)cron_text, sizeof(cron_text) - 1};

static int setup_with(void **state, double rps, double burst, bool cron)
{
    struct api_test *t = xcalloc(1, sizeof(*t));
    struct err e;

    t->tdb = *state;
    t->logdir = test_tmpdir();
    assert_non_null(t->logdir);
    snprintf(t->logpath, sizeof(t->logpath), "%s/log", t->logdir);
    t->logfd = open(t->logpath, O_WRONLY | O_CREAT | O_APPEND, 0600);
    assert_true(t->logfd >= 0);
    t->oldfd = log_set_fd(t->logfd);
    t->vault = new_vault();
    assert_db_ok(registry_load(&t->reg, API_TEST_CONNECTORS, NULL, NULL, &e), &e);
    assert_db_ok(db_pool_new(&t->pool, t->tdb->url, 5, &e), &e);
    new_tenant(t, &t->a, "a");
    new_tenant(t, &t->b, "b");
    struct api_opts o = {
        .host = "127.0.0.1",
        .port = 0,
        .threads = 3,
        .body_max = 65536,
        .timeout_s = 5,
        .public_url = NULL, /* the address bound: the OAuth callback must reach us */
        .rate_rps = rps,
        .rate_burst = burst,
        .access_log = true,
        .sync_workers = 1,
        .cron_secret = cron ? &cron_secret : NULL,
        .pool = t->pool,
        .vault = t->vault,
        .registry = t->reg,
    };
    assert_db_ok(api_start(&t->api, &o, &e), &e);
    snprintf(t->base, sizeof(t->base), "http://127.0.0.1:%d", api_port(t->api));
    *state = t;
    return 0;
}

int api_test_setup(void **state)
{
    return setup_with(state, 0, 0, true);
}

int api_test_setup_no_cron(void **state)
{
    return setup_with(state, 0, 0, false);
}

int api_test_setup_limited(void **state)
{
    return setup_with(state, 1, 3, true);
}

char *api_test_stop(struct api_test *t)
{
    if (t->api) {
        api_stop(t->api, 5000);
        t->api = NULL;
    }
    char *log = test_read_file(t->logpath, NULL);
    assert_non_null(log);
    return log;
}

int api_test_teardown(void **state)
{
    struct api_test *t = *state;

    xfree(api_test_stop(t));
    db_pool_free(t->pool);
    registry_free(t->reg);
    vault_free(t->vault);
    log_set_fd(t->oldfd);
    close(t->logfd);
    test_tmpdir_remove(t->logdir);
    xfree(t->logdir);
    *state = t->tdb;
    xfree(t);
    return 0;
}

void api_test_call(struct api_test *t, struct client_reply *r, const char *method, const char *path,
                   const char *key, const char *body, const char *const *headers)
{
    char auth[TENANT_KEY_TEXT_MAX + 32];
    struct client_call c = {
        .method = method, .path = path, .body = body, .body_len = body ? strlen(body) : 0};
    size_t h = 0;

    if (key) {
        snprintf(auth, sizeof(auth), "Authorization: Bearer %s", key);
        c.headers[h++] = auth;
    }
    if (body)
        c.headers[h++] = "Content-Type: application/json";
    for (size_t i = 0; headers && headers[i]; i++) {
        assert_true(h + 1 < sizeof(c.headers) / sizeof(c.headers[0]));
        c.headers[h++] = headers[i];
    }
    client_call(r, t->base, &c);
    if (r->rc != CURLE_OK)
        fail_msg("%s %s: %s", method ? method : "GET", path, curl_easy_strerror(r->rc));
}

struct json_object *api_test_json(const struct client_reply *r)
{
    struct json_object *v = NULL;
    struct err e;
    if (jsonx_parse(&v, r->body.p ? r->body.p : "", r->body.n, r->body.n + 1, &e) != 0)
        fail_msg("status %ld, body is not JSON (%s): %s", r->status, e.msg, buf_cstr(&r->body));
    return v;
}

void api_test_expect_error(const struct client_reply *r, long status, const char *code)
{
    if (r->status != status)
        fail_msg("expected %ld %s, got %ld: %s", status, code, r->status, buf_cstr(&r->body));
    struct json_object *v = api_test_json(r), *err = jsonx_get(v, "error");
    const char *got = jsonx_str(jsonx_get(err, "code"));
    const char *msg = jsonx_str(jsonx_get(err, "message"));
    if (!got || strcmp(got, code) != 0 || !msg || !*msg || !jsonx_has(err, "details"))
        fail_msg("expected error code %s: %s", code, buf_cstr(&r->body));
    json_object_put(v);
}

void api_test_create(struct api_test *t, const char *key, const char *body, char id[ID_MAX])
{
    struct client_reply r;
    api_test_call(t, &r, "POST", "/api/integrations", key, body, NULL);
    if (r.status != 201)
        fail_msg("create: %ld %s", r.status, buf_cstr(&r.body));
    api_test_str(&r, "id", id, ID_MAX);
    client_reply_dispose(&r);
}

const char *api_test_str(const struct client_reply *r, const char *name, char *out, size_t n)
{
    struct json_object *v = api_test_json(r);
    const char *s = jsonx_str(jsonx_get(v, name));
    if (!s)
        fail_msg("no string \"%s\" in %s", name, buf_cstr(&r->body));
    snprintf(out, n, "%s", s);
    json_object_put(v);
    return out;
}

struct json_object *api_test_expect(struct api_test *t, const char *method, const char *path,
                                    const char *body, long status)
{
    struct client_reply r;
    api_test_call(t, &r, method, path, t->a.key, body, NULL);
    if (r.status != status) {
        char got[1024];
        long s = r.status;
        snprintf(got, sizeof(got), "%s", buf_cstr(&r.body));
        client_reply_dispose(&r);
        fail_msg("%s %s: expected %ld, got %ld: %s", method ? method : "GET", path, status, s, got);
    }
    struct json_object *v = api_test_json(&r);
    client_reply_dispose(&r);
    return v;
}

struct json_object *api_test_sync_wait(struct api_test *t, const char *id, const char *body)
{
    char path[128];
    snprintf(path, sizeof(path), "/api/integrations/%s/sync", id);
    struct json_object *started = api_test_expect(t, "POST", path, body, 202);
    snprintf(path, sizeof(path), "/api/runs/%s", jsonx_str(jsonx_get(started, "id")));
    json_object_put(started);
    for (int i = 0; i < 1200; i++) {
        struct json_object *run = api_test_expect(t, NULL, path, NULL, 200);
        const char *st = jsonx_str(jsonx_get(run, "status"));
        if (st && strcmp(st, "running") != 0 && strcmp(st, "queued") != 0)
            return run;
        json_object_put(run);
        nanosleep(&(struct timespec){0, 100 * 1000 * 1000}, NULL);
    }
    fail_msg("run %s did not end", path);
    return NULL;
}

int64_t api_test_sql_int(struct api_test *t, const char *arg, const char *fmt, ...)
{
    char sql[2000];
    va_list ap;
    struct err e;
    int64_t v = -1;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof(sql), fmt, ap);
    va_end(ap);
    if (strcmp(t->tdb->engine, "postgres") == 0)
        assert_db_ok(db_exec(t->tdb->db, "SET inlet.system = on", DB_ARGS(), NULL, &e), &e);
    /* The statement must use exactly the parameters given. */
    int rc = arg && strstr(sql, "$1") ? db_query_int(&v, t->tdb->db, sql, DB_ARGS(DB_TEXT(arg)), &e)
                                      : db_query_int(&v, t->tdb->db, sql, NULL, 0, &e);
    if (rc != 0)
        fail_msg("%s: %s", sql, e.msg);
    return v;
}
