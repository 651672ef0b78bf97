/* store/oauth_app.h - a tenant's own OAuth client per connector (table
 * oauth_apps): the client id in clear, the client secret sealed (never
 * returned by the API; NULL for a public client), and the scopes to ask
 * for instead of the connector's. oauth/client.c falls back to the
 * environment and to the connector's default client when a tenant has
 * none. Runs inside the caller's tenant transaction. */
#ifndef INLET_STORE_OAUTH_APP_H
#define INLET_STORE_OAUTH_APP_H
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "core/secret.h"
#include "crypto/vault.h"
#include "db/db.h"

#define OAUTH_CLIENT_ID_MAX 512 /* bytes of a client id */

/* A tenant's app; strings owned (oauth_app_dispose). */
struct oauth_app {
    char *client_id;
    char *scopes;         /* space-separated; "" takes the connector's */
    bool has_secret;      /* a confidential client */
    struct secret secret; /* opened by oauth_app_get when asked for */
    int64_t created_at, updated_at;
};

void oauth_app_dispose(struct oauth_app *a);

/* Create or replace the tenant's app for connector. secret NULL (or empty)
 * makes a public client. ERR_INVALID for an empty client id, one over
 * OAUTH_CLIENT_ID_MAX bytes or holding control characters or spaces. */
MUST_CHECK int oauth_app_put(struct db *db, const struct vault *v, const char *tenant_id,
                             const char *connector, const char *client_id,
                             const struct secret *secret, const char *scopes, int64_t now,
                             struct err *err);

/* Read the tenant's app for connector into *out (OUT, oauth_app_dispose);
 * with open_secret, its secret opened into out->secret. ERR_NOTFOUND when
 * there is none. */
MUST_CHECK int oauth_app_get(struct oauth_app *out, struct db *db, const struct vault *v,
                             const char *tenant_id, const char *connector, bool open_secret,
                             struct err *err);

/* Remove it. ERR_NOTFOUND when there is none. */
MUST_CHECK int oauth_app_delete(struct db *db, const char *tenant_id, const char *connector,
                                struct err *err);

#endif
