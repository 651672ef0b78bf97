/* cli/connect.c - see connect.h. Exit codes as main.c's: 0 done, 1 a
 * failure (the message on stderr), 2 bad usage or configuration. */
#include "cli/connect.h"

#include <stdio.h>
#include <string.h>

#include "connectors/registry.h"
#include "connectors/urls.h"
#include "core/id.h"
#include "oauth/flow.h"
#include "oauth/revoke.h"
#include "oauth/token.h"
#include "sync/probe.h"

extern char **environ;

enum { OK = 0, FAIL = 1, USAGE = 2 };

static int fail(const struct err *e)
{
    fprintf(stderr, "inlet: %s\n", e->msg);
    return e->code == ERR_INVALID || e->code == ERR_NOTFOUND ? USAGE : FAIL;
}

int cli_env_open(struct oauth_env *env, struct registry **reg, const struct cli_ctx *x,
                 struct err *err)
{
    int rc = registry_load(reg, x->cfg->connectors_dir, NULL, NULL, err);
    if (rc == 0)
        rc = connector_origins_from_env(*reg, (const char *const *)environ, err);
    *env = (struct oauth_env){
        .db = x->db, .vault = x->vault, .reg = *reg, .public_url = x->cfg->public_url};
    return rc;
}

int cli_connect(const struct cli_ctx *x, const char *tenant, const char *connector,
                const char *target)
{
    struct registry *reg = NULL;
    struct oauth_env env;
    struct oauth_started out = {0};
    struct err e;
    bool reconnect = id_valid(target, "int");

    int rc = cli_env_open(&env, &reg, x, &e);
    if (rc == 0) {
        struct oauth_start_req in = {.tenant_id = tenant,
                                     .actor = "cli",
                                     .connector = connector,
                                     .integration_id = reconnect ? target : NULL,
                                     .name = reconnect ? NULL : target};
        rc = oauth_start(&out, &env, &in, &e);
    }
    registry_free(reg);
    if (rc < 0)
        return fail(&e);
    printf("%s\n", out.location);
    fprintf(stderr,
            "inlet: open this link in a browser within %d minutes, while inlet serve answers at "
            "%s; it works once, in one browser\n",
            OAUTH_STATE_TTL_S / 60, x->cfg->public_url);
    oauth_started_dispose(&out);
    return OK;
}

int cli_integration_test(const struct cli_ctx *x, const char *tenant, const char *id)
{
    struct registry *reg = NULL;
    struct oauth_env env;
    struct probe_result r = {0};
    struct err e;

    int rc = cli_env_open(&env, &reg, x, &e);
    if (rc == 0)
        rc = probe_integration(&r, &env, tenant, id, &e);
    registry_free(reg);
    if (rc < 0)
        return fail(&e);
    if (r.ok)
        printf("ok  %lld ms\n", (long long)r.latency_ms);
    else
        printf("failed  %lld ms  %s\n", (long long)r.latency_ms, r.error);
    return r.ok ? OK : FAIL;
}

int cli_integration_refresh(const struct cli_ctx *x, const char *tenant, const char *id)
{
    struct registry *reg = NULL;
    struct oauth_env env;
    struct secret tok = {0};
    struct oauth_token_info info = {0};
    struct err e;

    int rc = cli_env_open(&env, &reg, x, &e);
    if (rc == 0)
        rc = oauth_token_get(&tok, &info, &env, tenant, id, NULL, true, &e);
    secret_dispose(&tok); /* never printed */
    registry_free(reg);
    if (rc < 0)
        return fail(&e);
    printf("refreshed\n");
    return OK;
}

int cli_integration_disconnect(const struct cli_ctx *x, const char *tenant, const char *id)
{
    struct registry *reg = NULL;
    struct oauth_env env;
    struct oauth_disconnected out = {0};
    struct err e;

    int rc = cli_env_open(&env, &reg, x, &e);
    if (rc == 0)
        rc = oauth_disconnect(&out, &env, tenant, id, "cli", NULL, &e);
    registry_free(reg);
    if (rc < 0)
        return fail(&e);
    if (out.revoked)
        printf("disconnected, tokens revoked at the provider\n");
    else if (out.revoke_error[0])
        printf("disconnected; not revoked at the provider: %s\n", out.revoke_error);
    else
        printf("disconnected\n");
    return OK;
}
