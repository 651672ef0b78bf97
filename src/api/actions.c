/* api/actions.c - a connector's named actions (connectors/action.h):
 * GET /api/connectors/{name}/actions lists them with their input schemas;
 * POST /api/integrations/{id}/actions/{name} {"input": {...}} runs one
 * (sync/action_run.h) and answers what came of it: {"ok": true, "status",
 * "data"}, or the refusal in the API's error shape (422 validation_failed
 * or action_failed with per-field details, 429 with its Retry-After, 502,
 * 409 needs_reauth). docs/actions.md. */
#include <stdio.h>
#include <string.h>

#include "api/api_int.h"
#include "connectors/action.h"
#include "connectors/registry.h"
#include "core/jsonx.h"
#include "store/integration.h"
#include "sync/action_run.h"

void api_connector_actions(struct api_ctx *c)
{
    static const char *const none[] = {NULL};
    const char *name = http_req_param(c->req, "name");
    const struct connector *conn = registry_get(c->api->registry, name);
    if (api_query_only(c, none) < 0)
        return;
    if (!conn) {
        api_error(c, 404, "not_found", NULL, "no connector %.64s", name);
        return;
    }
    struct json_object *all = jsonx_get(conn->doc, "actions");
    struct buf *b = api_reply(c, 200);
    buf_puts(b, "{\"data\":[");
    for (size_t i = 0; i < jsonx_len(all); i++) {
        struct json_object *a = jsonx_at(all, i), *input = action_input_copy(a);
        buf_puts(b, i ? ",{\"name\":" : "{\"name\":");
        buf_put_json_str(b, jsonx_str(jsonx_get(a, "name")));
        buf_puts(b, ",\"title\":");
        buf_put_json_str(b, jsonx_str(jsonx_get(a, "title")));
        buf_puts(b, ",\"description\":");
        if (jsonx_str(jsonx_get(a, "description")))
            buf_put_json_str(b, jsonx_str(jsonx_get(a, "description")));
        else
            buf_puts(b, "null");
        buf_printf(b, ",\"method\":\"%s\",\"paged\":%s,\"input\":",
                   jsonx_str(jsonx_get(jsonx_get(a, "request"), "method")),
                   jsonx_has(a, "pages") ? "true" : "false");
        jsonx_format(b, input);
        buf_putc(b, '}');
        json_object_put(input);
    }
    buf_puts(b, "]}");
}

void api_integration_action(struct api_ctx *c)
{
    static const char *const allowed[] = {"input", NULL};
    const char *id = api_path_id(c, "int", "integration");
    const char *name = http_req_param(c->req, "name");
    struct json_object *body = NULL;
    struct integration it = {0};
    struct action_outcome o;
    struct err e;

    if (!id || api_body_object(c, &body, allowed) < 0)
        return;
    action_outcome_init(&o);
    int rc = db_begin_tenant_read(c->db, c->tenant_id, &e);
    if (rc == 0) {
        rc = integration_get(&it, c->db, c->tenant_id, id, &e);
        db_rollback(c->db);
    }
    struct oauth_env env = {.db = c->db,
                            .vault = c->api->vault,
                            .reg = c->api->registry,
                            .public_url = c->api->public_url};
    if (rc == 0)
        rc = action_run(&o, &env, &it, registry_get(c->api->registry, it.connector), name,
                        jsonx_get(body, "input"), &e);
    if (rc < 0) {
        api_fail(c, &e);
    } else if (o.code[0]) {
        if (o.retry_after[0])
            http_resp_header(c->resp, "Retry-After", o.retry_after);
        api_error(c, o.status, o.code, o.details.n ? buf_cstr(&o.details) : NULL, "%s", o.message);
    } else {
        buf_puts(api_reply(c, o.status), buf_cstr(&o.body));
    }
    action_outcome_dispose(&o);
    integration_dispose(&it);
    json_object_put(body);
}
