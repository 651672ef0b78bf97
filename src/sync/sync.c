/* sync/sync.c - see sync.h: the integration's connector picks the way. */
#include "sync/sync.h"

#include <string.h>

#include "connectors/engine.h"
#include "core/alloc.h"
#include "store/integration.h"
#include "sync/native_sync.h"
#include "sync/session.h"
#include "sync/tap_sync.h"

void sync_discovery_dispose(struct sync_discovery *d)
{
    buf_dispose(&d->changes);
}

/* Whether integration id's connector is declarative (else a Singer tap, or
 * a connector that cannot sync, which tap_sync refuses with its reason). */
static int declarative(bool *yes, const struct oauth_env *env, const char *tenant_id,
                       const char *id, struct err *err)
{
    struct integration it = {0};
    int rc = db_begin_tenant_read(env->db, tenant_id, err);
    if (rc < 0)
        return rc;
    rc = integration_get(&it, env->db, tenant_id, id, err);
    db_rollback(env->db);
    if (rc == 0)
        *yes = engine_supports(registry_get(env->reg, it.connector));
    integration_dispose(&it);
    return rc;
}

int sync_integration(struct sync_run *run, const struct sync_opts *o, struct err *err)
{
    bool native = false;
    int rc = declarative(&native, o->env, o->tenant_id, o->integration_id, err);
    if (rc < 0) {
        memset(run, 0, sizeof(*run));
        if (o->run_id)
            session_fail_given(o, err);
        return rc;
    }
    return native ? native_sync(run, o, err) : tap_sync(run, o, err);
}

int sync_discover(struct sync_discovery *out, const struct oauth_env *env, const char *tenant_id,
                  const char *integration_id, const char *const *names, size_t n, bool select_all,
                  struct err *err)
{
    bool native = false;
    int rc = declarative(&native, env, tenant_id, integration_id, err);
    if (rc < 0) {
        if (out) {
            memset(out, 0, sizeof(*out));
            buf_init(&out->changes, 0);
        }
        return rc;
    }
    return native ? native_discover(out, env, tenant_id, integration_id, names, n, select_all, err)
                  : tap_discover(out, env, tenant_id, integration_id, names, n, select_all, err);
}

int sync_check(struct db *db, const struct registry *reg, const char *tenant_id,
               const char *integration_id, const char *const *streams, size_t n, struct err *err)
{
    struct integration it = {0};
    char *stored = NULL;
    int rc = db_begin_tenant_read(db, tenant_id, err);
    if (rc < 0)
        return rc;
    rc = integration_get(&it, db, tenant_id, integration_id, err);
    if (rc == 0)
        rc = integration_catalog_get(&stored, db, tenant_id, integration_id, err);
    db_rollback(db);
    if (rc == 0) {
        const struct connector *c = registry_get(reg, it.connector);
        if (!c || (!c->singer && !engine_supports(c)))
            rc = err_set(err, ERR_INVALID, "connector %s has no streams to sync", it.connector);
        else if (strcmp(it.status, "disconnected") == 0 || strcmp(it.status, "paused") == 0)
            rc = err_set(err, ERR_INVALID, "integration %s is %s", integration_id, it.status);
    }
    /* A stream the catalog lacks is a bad request, not a missing integration. */
    if (rc == 0) {
        struct err e;
        rc = session_catalog_for_run(NULL, stored, integration_id, streams, n, &e);
        if (rc < 0)
            rc = err_set(err, rc == ERR_NOTFOUND ? ERR_INVALID : rc, "%s", e.msg);
    }
    xfree(stored);
    integration_dispose(&it);
    return rc;
}
