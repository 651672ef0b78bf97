/* cli/call.c - see call.h. */
#include "cli/call.h"

#include <stdio.h>
#include <string.h>

#include "connectors/registry.h"
#include "core/jsonx.h"
#include "store/integration.h"
#include "sync/action_run.h"
#include "sync/call.h"

enum { OK = 0, FAIL = 1, USAGE = 2 };

#define PROXY_ANSWER_MAX (16u << 20)

static int fail(const struct err *e)
{
    fprintf(stderr, "inlet: %s\n", e->msg);
    return e->code == ERR_INVALID || e->code == ERR_NOTFOUND ? USAGE : FAIL;
}

/* The integration and its connector, in a read transaction of their own. */
static int open_integration(struct integration *it, const struct connector **conn,
                            const struct oauth_env *env, const char *tenant, const char *id,
                            struct err *err)
{
    int rc = db_begin_tenant_read(env->db, tenant, err);
    if (rc == 0) {
        rc = integration_get(it, env->db, tenant, id, err);
        db_rollback(env->db);
    }
    if (rc == 0 && !(*conn = registry_get(env->reg, it->connector)))
        rc = err_set(err, ERR_INVALID, "integration %s: no connector %s here", id, it->connector);
    return rc;
}

int cli_action(const struct cli_ctx *x, const char *tenant, const char *id, const char *name,
               const char *input)
{
    struct registry *reg = NULL;
    struct oauth_env env;
    struct integration it = {0};
    const struct connector *conn = NULL;
    struct json_object *in = NULL;
    struct action_outcome o;
    struct err e;

    action_outcome_init(&o);
    int rc = input ? jsonx_parse(&in, input, strlen(input), strlen(input) + 1, &e) : 0;
    if (rc < 0)
        err_set(&e, ERR_INVALID, "--input: %s", e.msg);
    if (rc == 0)
        rc = cli_env_open(&env, &reg, x, &e);
    if (rc == 0)
        rc = open_integration(&it, &conn, &env, tenant, id, &e);
    if (rc == 0)
        rc = action_run(&o, &env, &it, conn, name, in, &e);
    int status = OK;
    if (rc < 0) {
        status = fail(&e);
    } else if (o.code[0]) {
        fprintf(stderr, "inlet: %s: %s\n", o.code, o.message);
        if (o.details.n)
            printf("%s\n", buf_cstr(&o.details));
        status = o.status == 404 || strcmp(o.code, "validation_failed") == 0 ? USAGE : FAIL;
    } else {
        printf("%s\n", buf_cstr(&o.body));
    }
    action_outcome_dispose(&o);
    integration_dispose(&it);
    json_object_put(in);
    registry_free(reg);
    return status;
}

/* The path as the operator typed it, minus what could leave the base URL. */
static int path_check(const char *path, struct err *err)
{
    if (path[0] != '/')
        return err_set(err, ERR_INVALID, "PATH: starts with '/' (it is appended to the base URL)");
    size_t n = strcspn(path, "?#");
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)path[i];
        if (ch < 0x21 || ch == 0x7f || ch == '\\' || (ch == '/' && path[i + 1] == '/'))
            return err_set(err, ERR_INVALID,
                           "PATH: no spaces, control characters, backslashes or empty segments");
        if (ch == '.' && path[i - 1] == '/' &&
            (i + 1 == n || path[i + 1] == '/' ||
             (path[i + 1] == '.' && (i + 2 == n || path[i + 2] == '/'))))
            return err_set(err, ERR_INVALID, "PATH: no dot segments");
    }
    for (size_t i = n; path[i]; i++)
        if ((unsigned char)path[i] < 0x21 || path[i] == 0x7f)
            return err_set(err, ERR_INVALID, "PATH: the query must be encoded (no spaces)");
    return 0;
}

int cli_proxy(const struct cli_ctx *x, const char *tenant, const char *id, const char *method,
              const char *path, const char *data)
{
    static const char *const methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE", NULL};
    struct registry *reg = NULL;
    struct oauth_env env;
    struct integration it = {0};
    const struct connector *conn = NULL;
    struct fetch_resp r = {0};
    struct err e;
    size_t m = 0;

    while (methods[m] && strcmp(methods[m], method) != 0)
        m++;
    if (!methods[m]) {
        err_set(&e, ERR_INVALID, "METHOD: GET, POST, PUT, PATCH or DELETE");
        return fail(&e);
    }
    int rc = path_check(path, &e);
    if (rc == 0)
        rc = cli_env_open(&env, &reg, x, &e);
    if (rc == 0)
        rc = open_integration(&it, &conn, &env, tenant, id, &e);
    struct connector_req req = {.method = methods[m],
                                .path = path,
                                .body = data,
                                .body_len = data ? strlen(data) : 0,
                                .content_type = data ? "application/json" : NULL,
                                .body_max = PROXY_ANSWER_MAX,
                                .idempotent = m != 1 && m != 3,
                                .max_attempts = 1,
                                .wait_cap_ms = 10000};
    if (rc == 0)
        rc = connector_call(&r, &env, &it, conn, &req, &e);
    int status = rc < 0 ? fail(&e) : r.status >= 200 && r.status <= 299 ? OK : FAIL;
    if (rc == 0) {
        fprintf(stderr, "HTTP %ld\n", r.status);
        if (r.body.n && fwrite(r.body.p, 1, r.body.n, stdout) != r.body.n)
            status = FAIL;
    }
    fetch_resp_dispose(&r);
    integration_dispose(&it);
    registry_free(reg);
    return status;
}
