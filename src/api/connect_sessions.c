/* api/connect_sessions.c - the host product's side of connect sessions
 * (docs/embedding.md): POST /api/connect-sessions makes one for one of its
 * users and answers, once, the token and the connect page's URL; GET
 * /api/connect-sessions/{id} tells how it went; GET and PUT
 * /api/connect-settings hold the origins a session's return_url may name
 * and the page's branding. Called with a tenant's key or a platform key on
 * a tenant's behalf; each change commits with its audit entry. */
#include <stdio.h>
#include <string.h>

#include <json-c/linkhash.h>

#include "api/api_int.h"
#include "connectors/registry.h"
#include "core/jsonx.h"
#include "store/connect_session.h"
#include "store/connect_settings.h"
#include "store/integration.h"

#define ALLOWED_MAX 50 /* connectors a session may name */

/* The session as JSON, without its token; open: the caller closes it. */
static void put_session(struct buf *b, const struct connect_session *s, int64_t now)
{
    buf_puts(b, "{\"id\":");
    buf_put_json_str(b, s->id);
    buf_printf(b, ",\"status\":\"%s\",\"end_user\":%s,\"allowed_connectors\":%s",
               connect_session_status(s, now), s->end_user, s->allowed ? s->allowed : "null");
    buf_puts(b, ",\"integration_id\":");
    buf_put_json_str(b, s->integration_id[0] ? s->integration_id : NULL);
    buf_printf(b, ",\"reconnect\":%s,\"return_url\":", s->reconnect ? "true" : "false");
    buf_put_json_str(b, s->return_url);
    buf_puts(b, ",\"created_at\":");
    api_put_time(b, s->created_at);
    buf_puts(b, ",\"expires_at\":");
    api_put_time(b, s->expires_at);
    buf_puts(b, ",\"completed_at\":");
    api_put_time(b, s->completed_at);
}

/* end_user as stored: {"id","email","display_name"}, checked; -1 after
 * answering. */
static int end_user_of(struct api_ctx *c, struct buf *out, const struct json_object *v)
{
    /* The rules an integration's end user is held to (store/integration.h),
     * since the session's becomes its integration's. */
    static const struct {
        const char *name;
        int (*check)(const char *, struct err *);
    } members[] = {{"id", integration_end_user_id_check},
                   {"email", integration_email_check},
                   {"display_name", integration_display_name_check}};
    struct err e;

    if (!v || !json_object_is_type(v, json_type_object)) {
        api_invalid_field(c, "/end_user", "is required: {\"id\", \"email\", \"display_name\"}");
        return -1;
    }
    json_object_object_foreach((struct json_object *)v, key, val)
    {
        (void)val;
        if (strcmp(key, "id") != 0 && strcmp(key, "email") != 0 &&
            strcmp(key, "display_name") != 0) {
            api_invalid_field(c, "/end_user", "unknown member \"%.64s\"", key);
            return -1;
        }
    }
    buf_putc(out, '{');
    for (size_t i = 0; i < sizeof(members) / sizeof(members[0]); i++) {
        struct json_object *m = jsonx_get(v, members[i].name);
        const char *s = jsonx_str(m);
        char ptr[32];
        snprintf(ptr, sizeof(ptr), "/end_user/%s", members[i].name);
        if ((!m || json_object_is_type(m, json_type_null)) && i > 0)
            continue;
        if (!m || json_object_is_type(m, json_type_null)) {
            api_invalid_field(c, ptr, "is required: the host product's user id");
            return -1;
        }
        if (!s || strlen(s) != jsonx_str_len(m)) {
            api_invalid_field(c, ptr, "expected a string");
            return -1;
        }
        if (members[i].check(s, &e) < 0) {
            api_invalid_field(c, ptr, "%s", e.msg);
            return -1;
        }
        buf_printf(out, "%s\"%s\":", i ? "," : "", members[i].name);
        buf_put_json_str(out, s);
    }
    buf_putc(out, '}');
    return 0;
}

/* allowed_connectors: null, or names of connectors of the registry. */
static int allowed_of(struct api_ctx *c, struct buf *out, const struct json_object *v)
{
    if (!v || json_object_is_type(v, json_type_null))
        return 0;
    if (!json_object_is_type(v, json_type_array) || jsonx_len(v) == 0 ||
        jsonx_len(v) > ALLOWED_MAX) {
        api_invalid_field(c, "/allowed_connectors",
                          "expected null or an array of 1 to %d connector names", ALLOWED_MAX);
        return -1;
    }
    buf_putc(out, '[');
    for (size_t i = 0; i < jsonx_len(v); i++) {
        const char *name = jsonx_str(jsonx_at(v, i));
        if (!name || !registry_get(c->api->registry, name)) {
            char ptr[64];
            snprintf(ptr, sizeof(ptr), "/allowed_connectors/%zu", i);
            api_invalid_field(c, ptr, "no connector \"%.64s\" (GET /api/connectors lists them)",
                              name ? name : "");
            return -1;
        }
        buf_puts(out, i ? "," : "");
        buf_put_json_str(out, name);
    }
    buf_putc(out, ']');
    return 0;
}

void api_connect_sessions_create(struct api_ctx *c)
{
    static const char *const fields[] = {"end_user", "allowed_connectors", "integration_id",
                                         "return_url", NULL};
    struct json_object *doc;
    struct buf user, allowed, url;
    struct connect_settings set = {0};
    struct connect_session s = {0};
    struct secret token = {0};
    char origin[CONNECT_ORIGIN_MAX];
    struct err e;

    if (api_body_object(c, &doc, fields) < 0)
        return;
    buf_init(&user, 0);
    buf_init(&allowed, 0);
    buf_init(&url, 0);
    const char *return_url = jsonx_str(jsonx_get(doc, "return_url"));
    const char *reconnect = jsonx_str(jsonx_get(doc, "integration_id"));
    if (end_user_of(c, &user, jsonx_get(doc, "end_user")) < 0 ||
        allowed_of(c, &allowed, jsonx_get(doc, "allowed_connectors")) < 0)
        goto out;
    if (jsonx_has(doc, "integration_id") &&
        !json_object_is_type(jsonx_get(doc, "integration_id"), json_type_null) &&
        !id_valid(reconnect, "int")) {
        api_invalid_field(c, "/integration_id", "expected an integration id (int_...) or null");
        goto out;
    }
    if (!return_url) {
        api_invalid_field(c, "/return_url",
                          "is required: where the page goes back to, on an origin registered "
                          "with PUT /api/connect-settings");
        goto out;
    }
    if (connect_origin_of(origin, return_url, false, &e) < 0) {
        api_invalid_field(c, "/return_url", "%s", e.msg);
        goto out;
    }
    int rc = db_begin_tenant(c->db, c->tenant_id, &e);
    if (rc == 0)
        rc = connect_settings_get(&set, c->db, c->tenant_id, &e);
    if (rc == 0 && !connect_origin_listed(set.origins, origin)) {
        db_rollback(c->db);
        api_invalid_field(c, "/return_url",
                          "origin %s is not registered for this tenant (PUT "
                          "/api/connect-settings {\"allowed_origins\": [...]})",
                          origin);
        goto out;
    }
    if (rc == 0 && reconnect) {
        struct integration it = {0};
        rc = integration_get(&it, c->db, c->tenant_id, reconnect, &e);
        if (rc == ERR_NOTFOUND) {
            db_rollback(c->db);
            api_invalid_field(c, "/integration_id", "no integration %s", reconnect);
            goto out;
        }
        /* The page must be able to show the connector it reconnects. */
        struct connect_session probe = {.allowed = allowed.n ? (char *)buf_cstr(&allowed) : NULL};
        if (rc == 0 && !connect_session_allows(&probe, it.connector)) {
            db_rollback(c->db);
            api_invalid_field(c, "/allowed_connectors",
                              "leaves out %s, the connector of the integration to reconnect",
                              it.connector);
            integration_dispose(&it);
            goto out;
        }
        integration_dispose(&it);
    }
    struct connect_session_in in = {
        .end_user = buf_cstr(&user),
        .allowed = allowed.n ? buf_cstr(&allowed) : NULL,
        .integration_id = reconnect,
        .return_url = return_url,
        .created_by = c->actor,
    };
    if (rc == 0)
        rc = connect_session_create(&s, &token, c->db, c->tenant_id, &in, c->now, &e);
    if (rc == 0)
        rc = api_audit(c, "connect_session.create", "connect_session", s.id, NULL, &e);
    rc = rc == 0 ? db_commit(c->db, &e) : (db_rollback(c->db), rc);
    if (rc < 0) {
        api_fail(c, &e);
        goto out;
    }
    struct buf *b = api_reply(c, 201);
    put_session(b, &s, c->now);
    /* Shown this once. The page's URL carries it in the fragment, which a
     * browser never sends to a server nor puts in a Referer. */
    buf_puts(b, ",\"token\":");
    buf_put_json_str(b, (const char *)token.p);
    buf_puts(&url, c->api->public_url);
    buf_puts(&url, "/connect#token=");
    buf_put(&url, token.p, token.n);
    buf_puts(b, ",\"url\":");
    buf_put_json_str(b, buf_cstr(&url));
    buf_putc(b, '}');
    secret_wipe(url.p, url.n);
out:
    secret_dispose(&token);
    connect_session_dispose(&s);
    connect_settings_dispose(&set);
    buf_dispose(&user);
    buf_dispose(&allowed);
    buf_dispose(&url);
    json_object_put(doc);
}

void api_connect_session_get(struct api_ctx *c)
{
    static const char *const none[] = {NULL};
    struct connect_session s = {0};
    const char *id;
    struct err e;

    if (api_query_only(c, none) < 0 || !(id = api_path_id(c, "cs", "connect session")))
        return;
    int rc = db_begin_tenant_read(c->db, c->tenant_id, &e);
    if (rc == 0)
        rc = connect_session_get(&s, c->db, c->tenant_id, id, &e);
    db_rollback(c->db);
    if (rc < 0) {
        api_fail(c, &e);
        return;
    }
    struct buf *b = api_reply(c, 200);
    put_session(b, &s, c->now);
    buf_putc(b, '}');
    connect_session_dispose(&s);
}

static void put_settings(struct buf *b, const struct connect_settings *set)
{
    buf_printf(b, "{\"allowed_origins\":%s,\"branding\":%s}", set->origins, set->branding);
}

void api_connect_settings_get(struct api_ctx *c)
{
    static const char *const none[] = {NULL};
    struct connect_settings set = {0};
    struct err e;

    if (api_query_only(c, none) < 0)
        return;
    int rc = db_begin_tenant_read(c->db, c->tenant_id, &e);
    if (rc == 0)
        rc = connect_settings_get(&set, c->db, c->tenant_id, &e);
    db_rollback(c->db);
    if (rc < 0)
        api_fail(c, &e);
    else
        put_settings(api_reply(c, 200), &set);
    connect_settings_dispose(&set);
}

void api_connect_settings_put(struct api_ctx *c)
{
    static const char *const fields[] = {"allowed_origins", "branding", NULL};
    struct connect_settings set = {0};
    struct json_object *doc;
    struct buf origins, branding;
    struct err e;

    if (api_body_object(c, &doc, fields) < 0)
        return;
    buf_init(&origins, 0);
    buf_init(&branding, 0);
    int rc = 0;
    if (jsonx_has(doc, "allowed_origins"))
        rc = connect_origins_check(&origins, jsonx_get(doc, "allowed_origins"), &e);
    if (rc == 0 && jsonx_has(doc, "branding"))
        rc = connect_branding_check(&branding, jsonx_get(doc, "branding"), &e);
    if (rc < 0) {
        api_invalid_msg(c, &e);
        goto out;
    }
    rc = db_begin_tenant(c->db, c->tenant_id, &e);
    if (rc == 0)
        rc = connect_settings_put(c->db, c->tenant_id, origins.n ? buf_cstr(&origins) : NULL,
                                  branding.n ? buf_cstr(&branding) : NULL, &e);
    if (rc == 0) {
        struct buf data;
        buf_init(&data, 0);
        buf_printf(&data, "{\"allowed_origins\":%s,\"branding\":%s}",
                   origins.n ? buf_cstr(&origins) : "\"unchanged\"",
                   branding.n ? "\"changed\"" : "\"unchanged\"");
        rc = api_audit(c, "connect_settings.update", "tenant", c->tenant_id, buf_cstr(&data), &e);
        buf_dispose(&data);
    }
    if (rc == 0)
        rc = connect_settings_get(&set, c->db, c->tenant_id, &e);
    rc = rc == 0 ? db_commit(c->db, &e) : (db_rollback(c->db), rc);
    if (rc < 0)
        api_fail(c, &e);
    else
        put_settings(api_reply(c, 200), &set);
out:
    connect_settings_dispose(&set);
    buf_dispose(&origins);
    buf_dispose(&branding);
    json_object_put(doc);
}
