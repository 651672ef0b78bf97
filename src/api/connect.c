/* api/connect.c - the routes only a connect session's token calls, for
 * inlet's connect page (web/connect.html, docs/embedding.md): what the
 * session is and how the page looks (GET /api/connect/session), the start
 * of its integration's OAuth flow, which comes back to the page (POST
 * /api/connect/oauth), and the end, which spends the token (POST
 * /api/connect/finish, or POST /api/connect/cancel when the user gives
 * up). The page's other calls are the API's own
 * integration routes, which auth.c and dispatch.c narrow to the session's
 * one integration. */
#include <stdio.h>
#include <string.h>

#include "api/api_int.h"
#include "core/jsonx.h"
#include "oauth/flow.h"
#include "store/connect_session.h"
#include "store/connect_settings.h"
#include "store/integration.h"

#define CONNECT_PAGE "/connect"

/* The session's integration into *it, in a read transaction; -1 after
 * answering (409 when the page has not made it yet). */
static int session_integration(struct api_ctx *c, struct integration *it)
{
    struct err e;
    if (!c->connect->integration_id[0]) {
        api_error(c, 409, "conflict", NULL,
                  "this connect session has no integration yet: create it first "
                  "(POST /api/integrations)");
        return -1;
    }
    int rc = db_begin_tenant_read(c->db, c->tenant_id, &e);
    if (rc == 0)
        rc = integration_get(it, c->db, c->tenant_id, c->connect->integration_id, &e);
    db_rollback(c->db);
    if (rc < 0) {
        api_fail(c, &e);
        return -1;
    }
    return 0;
}

bool api_connect_labels_refused(struct api_ctx *c, const struct json_object *body)
{
    if (!jsonx_has(body, "end_user") && !jsonx_has(body, "tags"))
        return false;
    api_invalid_field(c, jsonx_has(body, "end_user") ? "/end_user" : "/tags",
                      "set by the host product that made the connect session");
    return true;
}

int api_connect_may_create(struct api_ctx *c, const char *connector, const struct json_object *body)
{
    if (api_connect_labels_refused(c, body))
        return -1;
    if (c->connect->integration_id[0]) {
        api_error(c, 409, "conflict", NULL,
                  "this connect session has made its integration already (%s); delete it to "
                  "choose another connector",
                  c->connect->integration_id);
        return -1;
    }
    if (!connect_session_allows(c->connect, connector)) {
        api_invalid_field(c, "/connector", "this connect session does not offer %s", connector);
        return -1;
    }
    return 0;
}

int api_connect_end_user(struct api_ctx *c, struct integration_end_user *u,
                         struct json_object **hold)
{
    const char *text = c->connect->end_user;
    struct err e;

    if (jsonx_parse(hold, text, strlen(text), strlen(text) + 1, &e) < 0) {
        api_fail(c, &e);
        return -1;
    }
    u->id = jsonx_str(jsonx_get(*hold, "id"));
    u->email = jsonx_str(jsonx_get(*hold, "email"));
    u->display_name = jsonx_str(jsonx_get(*hold, "display_name"));
    return 0;
}

void api_connect_session_info(struct api_ctx *c)
{
    static const char *const none[] = {NULL};
    const struct connect_session *s = c->connect;
    struct connect_settings set = {0};
    struct json_object *brand = NULL;
    char origin[CONNECT_ORIGIN_MAX] = "";
    struct err e;

    if (api_query_only(c, none) < 0)
        return;
    int rc = db_begin_tenant_read(c->db, c->tenant_id, &e);
    if (rc == 0)
        rc = connect_settings_get(&set, c->db, c->tenant_id, &e);
    db_rollback(c->db);
    if (rc == 0)
        rc = jsonx_parse(&brand, set.branding, strlen(set.branding), strlen(set.branding) + 1, &e);
    if (rc < 0) {
        api_fail(c, &e);
        connect_settings_dispose(&set);
        return;
    }
    /* Stored already checked; the origin is what postMessage targets. */
    if (connect_origin_of(origin, s->return_url, false, &e) < 0)
        origin[0] = '\0';
    struct buf *b = api_reply(c, 200);
    buf_puts(b, "{\"id\":");
    buf_put_json_str(b, s->id);
    buf_printf(b, ",\"end_user\":%s,\"allowed_connectors\":%s,\"integration_id\":", s->end_user,
               s->allowed ? s->allowed : "null");
    buf_put_json_str(b, s->integration_id[0] ? s->integration_id : NULL);
    buf_printf(b, ",\"reconnect\":%s,\"return_url\":", s->reconnect ? "true" : "false");
    buf_put_json_str(b, s->return_url);
    buf_puts(b, ",\"return_origin\":");
    buf_put_json_str(b, origin);
    buf_puts(b, ",\"expires_at\":");
    api_put_time(b, s->expires_at);
    buf_puts(b, ",\"branding\":{\"name\":");
    const char *name = jsonx_str(jsonx_get(brand, "name"));
    buf_put_json_str(b, name ? name : set.tenant_name);
    buf_puts(b, ",\"logo_url\":");
    buf_put_json_str(b, jsonx_str(jsonx_get(brand, "logo_url")));
    buf_puts(b, ",\"accent_color\":");
    buf_put_json_str(b, jsonx_str(jsonx_get(brand, "accent_color")));
    buf_puts(b, "}}");
    json_object_put(brand);
    connect_settings_dispose(&set);
}

void api_connect_oauth(struct api_ctx *c)
{
    static const char *const none[] = {NULL};
    struct json_object *body = NULL;
    struct integration it = {0};
    struct oauth_started out = {0};
    struct err e;

    if (api_query_only(c, none) < 0 ||
        (c->req->body_len > 0 && api_body_object(c, &body, none) < 0))
        return;
    json_object_put(body);
    if (session_integration(c, &it) < 0)
        return;
    struct oauth_env env = {.db = c->db,
                            .vault = c->api->vault,
                            .reg = c->api->registry,
                            .public_url = c->api->public_url};
    /* Started as with an API key: the page opens inlet's link, which binds
     * the flow to the browser, and the provider sends it back here. */
    struct oauth_start_req in = {
        .tenant_id = c->tenant_id,
        .actor = c->actor,
        .connector = it.connector,
        .integration_id = it.id,
        .return_to = CONNECT_PAGE,
    };
    if (oauth_start(&out, &env, &in, &e) < 0) {
        api_fail(c, &e);
    } else {
        struct buf *b = api_reply(c, 200);
        buf_puts(b, "{\"url\":");
        buf_put_json_str(b, out.location);
        buf_putc(b, '}');
    }
    oauth_started_dispose(&out);
    integration_dispose(&it);
}

void api_connect_finish(struct api_ctx *c)
{
    static const char *const none[] = {NULL};
    struct json_object *body = NULL;
    struct integration it = {0};
    struct err e;

    if (api_query_only(c, none) < 0 ||
        (c->req->body_len > 0 && api_body_object(c, &body, none) < 0))
        return;
    json_object_put(body);
    if (session_integration(c, &it) < 0)
        return;
    if (!it.status || strcmp(it.status, "active") != 0) {
        api_error(c, 409, "not_connected", NULL,
                  "the integration is %s: connect the account (and test it) first",
                  it.status ? it.status : "not connected");
        integration_dispose(&it);
        return;
    }
    int rc = db_begin_tenant(c->db, c->tenant_id, &e);
    if (rc == 0)
        rc = connect_session_complete(c->db, c->tenant_id, c->connect->id, "connected", c->now, &e);
    if (rc == 0) {
        char data[64 + ID_MAX];
        snprintf(data, sizeof(data), "{\"integration_id\":\"%s\"}", it.id);
        rc = api_audit(c, "connect_session.complete", "connect_session", c->connect->id, data, &e);
    }
    rc = rc == 0 ? db_commit(c->db, &e) : (db_rollback(c->db), rc);
    if (rc < 0) {
        api_fail(c, &e);
    } else {
        struct buf *b = api_reply(c, 200);
        buf_puts(b, "{\"status\":\"connected\",\"integration_id\":");
        buf_put_json_str(b, it.id);
        buf_puts(b, ",\"connector\":");
        buf_put_json_str(b, it.connector);
        buf_puts(b, ",\"return_url\":");
        buf_put_json_str(b, c->connect->return_url);
        buf_putc(b, '}');
    }
    integration_dispose(&it);
}

void api_connect_cancel(struct api_ctx *c)
{
    static const char *const none[] = {NULL};
    struct json_object *body = NULL;
    struct err e;

    if (api_query_only(c, none) < 0 ||
        (c->req->body_len > 0 && api_body_object(c, &body, none) < 0))
        return;
    json_object_put(body);
    int rc = db_begin_tenant(c->db, c->tenant_id, &e);
    if (rc == 0)
        rc = connect_session_complete(c->db, c->tenant_id, c->connect->id, "cancelled", c->now, &e);
    if (rc == 0)
        rc = api_audit(c, "connect_session.cancel", "connect_session", c->connect->id, NULL, &e);
    rc = rc == 0 ? db_commit(c->db, &e) : (db_rollback(c->db), rc);
    if (rc < 0) {
        api_fail(c, &e);
        return;
    }
    struct buf *b = api_reply(c, 200);
    buf_puts(b, "{\"status\":\"cancelled\",\"return_url\":");
    buf_put_json_str(b, c->connect->return_url);
    buf_putc(b, '}');
}
