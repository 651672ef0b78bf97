/* oauth/revoke.h - disconnecting an integration: the tokens revoked at the
 * provider (RFC 7009 at the connector's revoke_url: the refresh token,
 * which takes its access tokens along, else the access token), then, in
 * one tenant transaction, the credentials deleted, the consent marked
 * revoked, the status set to disconnected and the audit entry written.
 * The integration, its settings and its synced data stay: connecting again
 * (oauth_start with its id) brings it back. A provider that cannot be
 * reached does not stop the disconnect; the answer says so. */
#ifndef INLET_OAUTH_REVOKE_H
#define INLET_OAUTH_REVOKE_H
#include <stdbool.h>

#include "core/err.h"
#include "oauth/flow.h"

struct oauth_disconnected {
    bool revoked;                   /* the provider confirmed the revocation */
    char revoke_error[ERR_MSG_MAX]; /* why not, when it was tried; "" otherwise */
    bool had_credentials;
};

/* Disconnect integration id of tenant_id on behalf of actor (audit), from
 * address ip (may be NULL). ERR_NOTFOUND for no such integration; errors
 * of the database. */
MUST_CHECK int oauth_disconnect(struct oauth_disconnected *out, const struct oauth_env *env,
                                const char *tenant_id, const char *id, const char *actor,
                                const char *ip, struct err *err);

#endif
