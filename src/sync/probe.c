/* sync/probe.c - see probe.h. */
#include "sync/probe.h"

#include <stdio.h>
#include <string.h>

#include <json-c/linkhash.h>

#include "connectors/engine.h"
#include "core/jsonx.h"
#include "core/time.h"
#include "store/health.h"
#include "store/integration.h"
#include "sync/call.h"

/* Whether answer has every member of expect with the same value. */
static bool expected(const struct fetch_resp *r, struct json_object *expect, char *why, size_t n)
{
    struct json_object *o = NULL;
    struct err e;
    bool ok = true;

    if (!expect)
        return true;
    if (jsonx_parse(&o, r->body.p ? r->body.p : "", r->body.n, r->body.n + 1, &e) < 0) {
        snprintf(why, n, "the answer is not JSON");
        return false;
    }
    json_object_object_foreach(expect, name, want)
    {
        if (!json_object_equal(jsonx_get(o, name), want)) {
            connector_error_summary(why, n, r);
            ok = false;
            break;
        }
    }
    json_object_put(o);
    return ok;
}

int probe_integration(struct probe_result *out, const struct oauth_env *env, const char *tenant_id,
                      const char *id, struct err *err)
{
    struct integration it = {0};
    struct fetch_resp r = {0};
    struct err ce;

    memset(out, 0, sizeof(*out));
    int rc = db_begin_tenant_read(env->db, tenant_id, err);
    if (rc < 0)
        return rc;
    rc = integration_get(&it, env->db, tenant_id, id, err);
    db_rollback(env->db);
    if (rc < 0)
        return rc;
    const struct connector *c = registry_get(env->reg, it.connector);
    struct json_object *test = c ? jsonx_get(c->doc, "test") : NULL;
    if (!test) {
        rc = err_set(err, ERR_INVALID, "connector %s declares no test request", it.connector);
        integration_dispose(&it);
        return rc;
    }
    /* Someone waits for this answer: a few tries and short waits; a limit
     * that asks for longer is reported as the provider gave it. */
    struct connector_req req = {.method = jsonx_str(jsonx_get(test, "method")),
                                .path = jsonx_str(jsonx_get(test, "path")),
                                .timeout_ms = 15000,
                                .body_max = 1 << 20,
                                .max_attempts = 3,
                                .wait_cap_ms = 5000};
    int64_t t0 = time_mono_ms();
    if (connector_call(&r, env, &it, c, &req, &ce) < 0) {
        snprintf(out->error, sizeof(out->error), "%s", ce.msg);
    } else {
        out->status = r.status;
        if (r.status < 200 || r.status > 299)
            connector_error_summary(out->error, sizeof(out->error), &r);
        else
            out->ok = expected(&r, jsonx_get(test, "expect"), out->error, sizeof(out->error));
    }
    out->latency_ms = time_mono_ms() - t0;
    fetch_resp_dispose(&r);
    rc = db_begin_tenant(env->db, tenant_id, err);
    if (rc == 0) {
        rc = health_test_record(env->db, tenant_id, id, out->ok, out->latency_ms, out->error,
                                time_now_ms() / 1000, err);
        if (rc == 0)
            rc = db_commit(env->db, err);
        else
            db_rollback(env->db);
    }
    integration_dispose(&it);
    return rc;
}
