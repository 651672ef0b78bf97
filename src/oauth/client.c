/* oauth/client.c - see client.h. */
#include "oauth/client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connectors/urls.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/jsonx.h"
#include "store/oauth_app.h"

void oauth_client_dispose(struct oauth_client *c)
{
    xfree(c->client_id);
    xfree(c->scopes);
    secret_dispose(&c->secret);
    memset(c, 0, sizeof(*c));
}

/* The connector's scopes joined with its separator; "" when none. */
static char *connector_scopes(const struct connector *c)
{
    struct json_object *scopes = jsonx_get(c->auth, "scopes");
    const char *sep = jsonx_str(jsonx_get(c->auth, "scope_separator"));
    struct buf b;
    buf_init(&b, 0);
    for (size_t i = 0; i < jsonx_len(scopes); i++)
        buf_printf(&b, "%s%s", i ? (sep ? sep : " ") : "", jsonx_str(jsonx_at(scopes, i)));
    return buf_take(&b);
}

/* Space-separated tenant scopes in the connector's separator. */
static char *with_separator(const struct connector *c, const char *scopes)
{
    const char *sep = jsonx_str(jsonx_get(c->auth, "scope_separator"));
    char *s = xstrdup(scopes);
    if (sep && sep[0] == ',')
        for (char *p = s; *p; p++)
            if (*p == ' ')
                *p = ',';
    return s;
}

int oauth_client_resolve(struct oauth_client *out, struct db *db, const struct vault *v,
                         const struct connector *c, const char *tenant_id, struct err *err)
{
    struct oauth_app app;
    char id_var[128], secret_var[128];

    memset(out, 0, sizeof(*out));
    int rc = oauth_app_get(&app, db, v, tenant_id, c->name, true, err);
    if (rc == 0) {
        out->client_id = app.client_id;
        app.client_id = NULL;
        out->secret = app.secret;
        app.secret = (struct secret){0};
        out->scopes = app.scopes[0] ? with_separator(c, app.scopes) : connector_scopes(c);
        out->source = "app";
        oauth_app_dispose(&app);
        return 0;
    }
    if (rc != ERR_NOTFOUND)
        return rc;
    connector_env_name(id_var, sizeof(id_var), "", c->name, "_CLIENT_ID");
    connector_env_name(secret_var, sizeof(secret_var), "", c->name, "_CLIENT_SECRET");
    const char *id = getenv(id_var);
    if (id && *id) {
        const char *sec = getenv(secret_var);
        out->client_id = xstrdup(id);
        if (sec && *sec)
            secret_set(&out->secret, sec, strlen(sec));
        out->source = "env";
    } else if (c->default_client_id) {
        out->client_id = xstrdup(c->default_client_id);
        if (c->default_client_secret)
            secret_set(&out->secret, c->default_client_secret, strlen(c->default_client_secret));
        out->source = "default";
    } else {
        return err_set(err, ERR_NOTFOUND,
                       "no OAuth app for %s: PUT /api/connectors/%s/app {client_id, "
                       "client_secret}, or set %s and %s",
                       c->name, c->name, id_var, secret_var);
    }
    out->scopes = connector_scopes(c);
    return 0;
}
