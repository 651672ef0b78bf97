/* tests/api/test_api_tenants.c - a platform key through the real server,
 * on both engines: provisioning tenants (create, list with paging, get,
 * replace keys, delete with everything that was theirs), acting on behalf
 * of one with Inlet-Tenant and being audited under the key's id,
 * suspension (the tenant's keys, sessions, pushes and schedules stop; the
 * platform still reaches it), and what a tenant's key may not do. */
#include <stdio.h>
#include <string.h>

#include <json-c/json_pointer.h>

#include "api_test.h"
#include "core/alloc.h"
#include "core/jsonx.h"
#include "core/time.h"
#include "sched/scheduler.h"
#include "store/platform_key.h"
#include "test.h"

/* The member at JSON pointer ptr, or NULL. */
static struct json_object *at(struct json_object *v, const char *ptr)
{
    struct json_object *out = NULL;
    return json_pointer_get(v, ptr, &out) == 0 ? out : NULL;
}

struct platform {
    char id[ID_MAX];
    char key[128];
};

static void platform_key(struct api_test *t, struct platform *p)
{
    struct secret key = {0};
    struct err e;
    assert_db_ok(platform_key_create(p->id, &key, t->tdb->db, "host", time_now_ms() / 1000, &e),
                 &e);
    assert_true(key.n < sizeof(p->key));
    memcpy(p->key, key.p, key.n + 1);
    secret_dispose(&key);
}

/* A call with key and, when tenant is not NULL, Inlet-Tenant: tenant;
 * fails unless status; the JSON body (json_object_put). */
static struct json_object *call(struct api_test *t, const char *method, const char *path,
                                const char *key, const char *tenant, const char *body, long status)
{
    struct client_reply r;
    char h[64];
    const char *hdr[] = {h, NULL};
    snprintf(h, sizeof(h), "Inlet-Tenant: %s", tenant ? tenant : "");
    api_test_call(t, &r, method, path, key, body, tenant ? hdr : NULL);
    if (r.status != status)
        fail_msg("%s %s: expected %ld, got %ld: %s", method ? method : "GET", path, status,
                 r.status, buf_cstr(&r.body));
    struct json_object *v = api_test_json(&r);
    client_reply_dispose(&r);
    return v;
}

/* Fail unless the call answers status with error code. */
static void refused(struct api_test *t, const char *method, const char *path, const char *key,
                    const char *tenant, const char *body, long status, const char *code)
{
    struct json_object *v = call(t, method, path, key, tenant, body, status);
    const char *got = jsonx_str(at(v, "/error/code"));
    if (!got || strcmp(got, code) != 0)
        fail_msg("%s %s: expected %s, got %s", method ? method : "GET", path, code,
                 json_object_to_json_string(v));
    json_object_put(v);
}

static const char *str(struct json_object *v, const char *ptr)
{
    const char *s = jsonx_str(at(v, ptr));
    if (!s)
        fail_msg("no string at %s in %s", ptr, json_object_to_json_string(v));
    return s;
}

/* Create tenant name; id and key (OUT) get its id and first key. */
static void provision(struct api_test *t, const struct platform *p, const char *name,
                      char id[ID_MAX], char key[128])
{
    char body[160];
    snprintf(body, sizeof(body), "{\"name\":\"%s\"}", name);
    struct json_object *v = call(t, "POST", "/api/tenants", p->key, NULL, body, 201);
    snprintf(id, ID_MAX, "%s", str(v, "/id"));
    snprintf(key, 128, "%s", str(v, "/api_key"));
    assert_string_equal(str(v, "/name"), name);
    assert_string_equal(str(v, "/status"), "active");
    assert_int_equal(json_object_get_int(at(v, "/api_keys")), 1);
    assert_true(strncmp(key, "inlet_sk_", 9) == 0);
    json_object_put(v);
}

/* The actions of the platform's audit log, newest first, joined by ' '
 * (xfree), with each entry's actor checked to be actor. */
static char *platform_actions(struct api_test *t, const struct platform *p, const char *actor)
{
    struct json_object *v = call(t, NULL, "/api/platform/audit?limit=200", p->key, NULL, NULL, 200);
    struct json_object *data = jsonx_get(v, "data");
    struct buf b;
    buf_init(&b, 0);
    for (size_t i = 0; i < json_object_array_length(data); i++) {
        struct json_object *en = json_object_array_get_idx(data, i);
        if (actor && strcmp(str(en, "/actor"), actor) != 0)
            continue;
        buf_printf(&b, "%s%s:%s", b.n ? " " : "", str(en, "/action"), str(en, "/target_id"));
    }
    json_object_put(v);
    char *out = buf_take(&b);
    return out ? out : xstrdup("");
}

static void test_provision(void **state)
{
    struct api_test *t = *state;
    struct platform p;
    char id1[ID_MAX], id2[ID_MAX], key1[128], key2[128], path[128];

    platform_key(t, &p);
    provision(t, &p, "acme", id1, key1);
    provision(t, &p, "globex", id2, key2);

    /* The new key is the tenant's own. */
    struct json_object *v = call(t, NULL, "/api/integrations", key1, NULL, NULL, 200);
    json_object_put(v);
    snprintf(path, sizeof(path), "/api/tenants/%s", id1);
    v = call(t, NULL, path, p.key, NULL, NULL, 200);
    assert_string_equal(str(v, "/name"), "acme");
    assert_null(jsonx_get(v, "api_key")); /* shown once */
    assert_true(json_object_is_type(jsonx_get(v, "suspended_at"), json_type_null));
    json_object_put(v);

    /* Refusals name the member. */
    refused(t, "POST", "/api/tenants", p.key, NULL, "{\"name\":\"acme\"}", 409, "conflict");
    refused(t, "POST", "/api/tenants", p.key, NULL, "{}", 422, "validation_failed");
    refused(t, "POST", "/api/tenants", p.key, NULL, "{\"name\":\"\"}", 422, "validation_failed");
    refused(t, "POST", "/api/tenants", p.key, NULL, "{\"name\":\"x\",\"plan\":1}", 400,
            "unknown_field");
    refused(t, NULL, "/api/tenants/ten_nope", p.key, NULL, NULL, 404, "not_found");
    refused(t, NULL, "/api/tenants?cursor=int_x", p.key, NULL, NULL, 400, "invalid_parameter");

    /* Paging one at a time walks every tenant once, the fixture's two and
     * the two made here, oldest first. */
    char cursor[ID_MAX] = "", seen[1024] = "";
    int pages = 0;
    for (;;) {
        snprintf(path, sizeof(path), "/api/tenants?limit=1%s%s", cursor[0] ? "&cursor=" : "",
                 cursor);
        v = call(t, NULL, path, p.key, NULL, NULL, 200);
        struct json_object *data = jsonx_get(v, "data");
        assert_int_equal(json_object_array_length(data), 1);
        strncat(seen, str(json_object_array_get_idx(data, 0), "/id"),
                sizeof(seen) - strlen(seen) - 2);
        strcat(seen, " ");
        pages++;
        const char *next = jsonx_str(jsonx_get(v, "next_cursor"));
        if (!next) {
            json_object_put(v);
            break;
        }
        snprintf(cursor, sizeof(cursor), "%s", next);
        json_object_put(v);
    }
    assert_true(pages >= 4);
    assert_non_null(strstr(seen, t->a.id));
    assert_non_null(strstr(seen, t->b.id));
    assert_true(strstr(seen, id1) < strstr(seen, id2));

    /* A replaced key: the new one works, the old one no longer. */
    snprintf(path, sizeof(path), "/api/tenants/%s/keys", id1);
    v = call(t, "POST", path, p.key, NULL, NULL, 200);
    char fresh[128];
    snprintf(fresh, sizeof(fresh), "%s", str(v, "/api_key"));
    json_object_put(v);
    refused(t, NULL, "/api/integrations", key1, NULL, NULL, 401, "unauthorized");
    json_object_put(call(t, NULL, "/api/integrations", fresh, NULL, NULL, 200));

    /* Everything above is in the platform's log under the key's id. */
    char *log = platform_actions(t, &p, p.id);
    char want[512];
    snprintf(want, sizeof(want), "tenant.key_replace:%s tenant.create:%s tenant.create:%s", id1,
             id2, id1);
    assert_string_equal(log, want);
    xfree(log);
}

static void test_on_behalf(void **state)
{
    struct api_test *t = *state;
    struct platform p;
    char id[ID_MAX], path[128];

    platform_key(t, &p);
    /* An integration made for a is a's, seen by a's own key. */
    struct json_object *v =
        call(t, "POST", "/api/integrations", p.key, t->a.id,
             "{\"connector\":\"testnone\",\"name\":\"for-a\",\"config\":{\"region\":\"eu\"}}", 201);
    snprintf(id, sizeof(id), "%s", str(v, "/id"));
    json_object_put(v);
    snprintf(path, sizeof(path), "/api/integrations/%s", id);
    json_object_put(call(t, NULL, path, t->a.key, NULL, NULL, 200));
    /* On behalf of b it does not exist. */
    refused(t, NULL, path, p.key, t->b.id, NULL, 404, "not_found");

    /* a's audit log names the platform key as the actor. */
    v = call(t, NULL, "/api/audit?limit=1", t->a.key, NULL, NULL, 200);
    struct json_object *en = json_object_array_get_idx(jsonx_get(v, "data"), 0);
    assert_string_equal(str(en, "/action"), "integration.create");
    assert_string_equal(str(en, "/actor"), p.id);
    assert_string_equal(str(en, "/target_id"), id);
    json_object_put(v);

    /* Without a tenant, or with one that does not exist. */
    refused(t, NULL, "/api/integrations", p.key, NULL, NULL, 400, "tenant_required");
    refused(t, NULL, "/api/integrations", p.key, "ten_00000000000000000000000000", NULL, 404,
            "not_found");
    refused(t, NULL, "/api/integrations", p.key, "../../etc", NULL, 404, "not_found");

    /* A revoked platform key opens nothing. */
    struct err e;
    assert_db_ok(platform_key_revoke(t->tdb->db, p.id, time_now_ms() / 1000, &e), &e);
    refused(t, NULL, "/api/integrations", p.key, t->a.id, NULL, 401, "unauthorized");
    refused(t, NULL, "/api/tenants", p.key, NULL, NULL, 401, "unauthorized");
}

static void test_tenant_key_limits(void **state)
{
    struct api_test *t = *state;

    refused(t, NULL, "/api/tenants", t->a.key, NULL, NULL, 403, "platform_key_required");
    refused(t, "POST", "/api/tenants", t->a.key, NULL, "{\"name\":\"mine\"}", 403,
            "platform_key_required");
    refused(t, NULL, "/api/platform/audit", t->a.key, NULL, NULL, 403, "platform_key_required");
    refused(t, NULL, "/api/integrations", t->a.key, t->b.id, NULL, 403, "forbidden");
    /* Naming itself is harmless. */
    json_object_put(call(t, NULL, "/api/integrations", t->a.key, t->a.id, NULL, 200));
    /* A platform key does not open the web UI. */
    struct platform p;
    char body[200];
    platform_key(t, &p);
    snprintf(body, sizeof(body), "{\"api_key\":\"%s\"}", p.key);
    refused(t, "POST", "/api/session", NULL, NULL, body, 403, "forbidden");
}

static void test_suspend(void **state)
{
    struct api_test *t = *state;
    struct platform p;
    struct client_reply r;
    char path[128], body[200], id[ID_MAX];
    struct err e;

    platform_key(t, &p);
    api_test_create(t, t->b.key,
                    "{\"connector\":\"testnone\",\"name\":\"b-hourly\",\"config\":{\"region\":"
                    "\"eu\"}}",
                    id);
    /* A session opened before the suspension. */
    snprintf(body, sizeof(body), "{\"api_key\":\"%s\"}", t->b.key);
    api_test_call(t, &r, "POST", "/api/session", NULL, body, NULL);
    assert_int_equal(r.status, 201);
    char cookie[256], hc[300];
    assert_non_null(client_header(&r, "Set-Cookie", cookie, sizeof(cookie)));
    *strchr(cookie, ';') = '\0';
    snprintf(hc, sizeof(hc), "Cookie: %s", cookie);
    client_reply_dispose(&r);

    /* b's n8n endpoint, made while it is active. */
    struct json_object *v = call(t, "POST", "/api/webhook-endpoints", t->b.key, NULL, "{}", 201);
    char push_key[128];
    snprintf(push_key, sizeof(push_key), "%s", str(v, "/api_key"));
    json_object_put(v);

    snprintf(path, sizeof(path), "/api/tenants/%s/suspend", t->b.id);
    v = call(t, "POST", path, p.key, NULL, NULL, 200);
    assert_string_equal(str(v, "/status"), "suspended");
    char when[40];
    snprintf(when, sizeof(when), "%s", str(v, "/suspended_at"));
    json_object_put(v);
    /* Suspending again keeps the first time. */
    v = call(t, "POST", path, p.key, NULL, NULL, 200);
    assert_string_equal(str(v, "/suspended_at"), when);
    json_object_put(v);

    refused(t, NULL, "/api/integrations", t->b.key, NULL, NULL, 403, "tenant_suspended");
    refused(t, "POST", "/api/session", NULL, NULL, body, 403, "tenant_suspended");
    /* Its pushes too, before their body is even read. */
    refused(t, "POST", "/api/webhooks/n8n", push_key, NULL, "{}", 403, "tenant_suspended");
    const char *hdr[] = {hc, NULL};
    api_test_call(t, &r, NULL, "/api/integrations", NULL, NULL, hdr);
    api_test_expect_error(&r, 403, "tenant_suspended");
    client_reply_dispose(&r);
    /* a is not affected; the platform still reaches b. */
    json_object_put(call(t, NULL, "/api/integrations", t->a.key, NULL, NULL, 200));
    json_object_put(call(t, NULL, "/api/integrations", p.key, t->b.id, NULL, 200));

    /* b's due schedule passes without a job, and moves on. */
    int64_t now = time_now_ms() / 1000;
    assert_db_ok(db_begin(t->tdb->db, &e), &e);
    assert_db_ok(db_exec(t->tdb->db,
                         "UPDATE integrations SET status = 'active', schedule = $2,"
                         " next_run_at = $3 WHERE id = $1",
                         DB_ARGS(DB_TEXT(id), DB_TEXT("{\"kind\":\"hourly\"}"), DB_INT(now - 60)),
                         NULL, &e),
                 &e);
    assert_db_ok(db_commit(t->tdb->db, &e), &e);
    struct sched_result sr;
    assert_db_ok(sched_pass(&sr, t->tdb->db, now, 100, &e), &e);
    assert_int_equal(sr.enqueued, 0);
    assert_int_equal(api_test_sql_int(t, id,
                                      "SELECT count(*) FROM jobs WHERE CAST(payload AS TEXT) LIKE"
                                      " '%%' || $1 || '%%'"),
                     0);
    assert_true(api_test_sql_int(t, id, "SELECT next_run_at FROM integrations WHERE id = $1") >
                now);

    snprintf(path, sizeof(path), "/api/tenants/%s/resume", t->b.id);
    v = call(t, "POST", path, p.key, NULL, NULL, 200);
    assert_string_equal(str(v, "/status"), "active");
    assert_true(json_object_is_type(jsonx_get(v, "suspended_at"), json_type_null));
    json_object_put(v);
    json_object_put(call(t, NULL, "/api/integrations", t->b.key, NULL, NULL, 200));

    char *log = platform_actions(t, &p, p.id);
    char want[256];
    snprintf(want, sizeof(want), "tenant.resume:%s tenant.suspend:%s tenant.suspend:%s", t->b.id,
             t->b.id, t->b.id);
    assert_string_equal(log, want);
    xfree(log);
}

static void test_delete(void **state)
{
    struct api_test *t = *state;
    struct platform p;
    char id[ID_MAX], key[128], iid[ID_MAX], path[128];

    platform_key(t, &p);
    provision(t, &p, "doomed", id, key);
    api_test_create(
        t, key, "{\"connector\":\"testnone\",\"name\":\"d\",\"config\":{\"region\":\"eu\"}}", iid);
    assert_int_equal(api_test_sql_int(t, id,
                                      "SELECT count(*) FROM integrations WHERE"
                                      " tenant_id = $1"),
                     1);
    assert_true(api_test_sql_int(t, id, "SELECT count(*) FROM audit_log WHERE tenant_id = $1") > 0);

    /* A tenant's key can't, and the path must name a tenant. */
    snprintf(path, sizeof(path), "/api/tenants/%s", id);
    refused(t, "DELETE", path, key, NULL, NULL, 403, "platform_key_required");
    refused(t, "DELETE", "/api/tenants/ten_00000000000000000000000000", p.key, NULL, NULL, 404,
            "not_found");

    struct json_object *v = call(t, "DELETE", path, p.key, NULL, NULL, 200);
    assert_true(json_object_get_boolean(jsonx_get(v, "deleted")));
    assert_non_null(at(v, "/removed/contacts"));
    json_object_put(v);

    refused(t, NULL, "/api/integrations", key, NULL, NULL, 401, "unauthorized");
    refused(t, NULL, path, p.key, NULL, NULL, 404, "not_found");
    refused(t, NULL, "/api/integrations", p.key, id, NULL, 404, "not_found");
    const char *tables[] = {"integrations", "api_keys", "audit_log", "tenants"};
    for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
        assert_int_equal(api_test_sql_int(t, id, "SELECT count(*) FROM %s WHERE %s = $1", tables[i],
                                          strcmp(tables[i], "tenants") ? "tenant_id" : "id"),
                         0);
    /* The others are untouched; the platform's log keeps the deletion. */
    json_object_put(call(t, NULL, "/api/integrations", t->a.key, NULL, NULL, 200));
    char *log = platform_actions(t, &p, p.id);
    char want[128];
    snprintf(want, sizeof(want), "tenant.delete:%s tenant.create:%s", id, id);
    assert_string_equal(log, want);
    xfree(log);
}

int test_api_tenants(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, api_test_setup, api_test_teardown)
    const struct CMUnitTest tests[] = {
        T(test_provision), T(test_on_behalf), T(test_tenant_key_limits),
        T(test_suspend),   T(test_delete),
    };
#undef T
    return test_group_db("api_tenants", tests);
}
