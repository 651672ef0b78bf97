/* oauth/client.h - which OAuth client a tenant connects a connector with:
 * the tenant's own app (PUT /api/connectors/{name}/app), else the
 * environment (SALESFORCE_CLIENT_ID and SALESFORCE_CLIENT_SECRET: the
 * connector's name upper-cased, '-' as '_'), else the connector's default
 * client (the sandbox's, under --demo). A client without a secret is a
 * public client: it relies on PKCE alone. */
#ifndef INLET_OAUTH_CLIENT_H
#define INLET_OAUTH_CLIENT_H
#include <stdbool.h>

#include "connectors/registry.h"
#include "core/err.h"
#include "core/secret.h"
#include "crypto/vault.h"
#include "db/db.h"

struct oauth_client {
    char *client_id;      /* xmalloc */
    struct secret secret; /* empty for a public client */
    char *scopes;         /* xmalloc: what to ask for, joined with the connector's separator */
    const char *source;   /* "app", "env" or "default", for health and logs */
};

void oauth_client_dispose(struct oauth_client *c);

/* Resolve the client of tenant_id for connector c into *out (OUT,
 * oauth_client_dispose), inside the caller's tenant transaction.
 * ERR_NOTFOUND, saying how to provide one, when there is none. */
MUST_CHECK int oauth_client_resolve(struct oauth_client *out, struct db *db, const struct vault *v,
                                    const struct connector *c, const char *tenant_id,
                                    struct err *err);

#endif
