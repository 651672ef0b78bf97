/* oauth/token.h - the one way every caller (sync, proxy, actions, the
 * test request) gets an integration's access token. It refreshes ahead of
 * expiry and once after a 401, and a refresh is single-flight: callers
 * serialize on the credentials row (PostgreSQL: SELECT ... FOR UPDATE,
 * across every process sharing the database; SQLite: the write
 * transaction), and whoever comes second finds the new token and uses it,
 * so fifty callers at the expiry cause one refresh. The refreshed tokens
 * (a rotated refresh token included) are sealed in the same transaction
 * that held the lock. A provider that refuses the refresh token
 * (invalid_grant) moves the integration to needs_reauth. */
#ifndef INLET_OAUTH_TOKEN_H
#define INLET_OAUTH_TOKEN_H
#include <stdbool.h>

#include "core/err.h"
#include "core/secret.h"
#include "oauth/flow.h"

#define OAUTH_REFRESH_AHEAD_S 300 /* refresh when the token has less than this to live */

/* What a refresh did, for the API's answer and health. */
struct oauth_token_info {
    bool refreshed;     /* this call refreshed (false: the stored token was good) */
    int64_t expires_at; /* unix seconds; 0: unknown lifetime */
};

/* Put a live access token of integration id into *access (OUT,
 * secret_dispose): the stored one while it has more than
 * OAUTH_REFRESH_AHEAD_S to live (or no known lifetime, as Salesforce's),
 * else a refreshed one. stale: the token a provider just answered 401 to
 * (NULL if none): refreshed, unless another caller has replaced it
 * already. force: refresh in any case. info (may be NULL) says what
 * happened. Errors: ERR_NOTFOUND (no such integration, or not connected);
 * ERR_INVALID "needs_reauth: ..." when the integration must be connected
 * again (the provider refused the refresh token, or the token stopped
 * working and there is none to renew it); ERR_CONFLICT when force asks to
 * renew a token that works and cannot be renewed (Slack's bot tokens):
 * nothing changes; ERR_IO or ERR_AGAIN when the provider or the database
 * failed for now. */
MUST_CHECK int oauth_token_get(struct secret *access, struct oauth_token_info *info,
                               const struct oauth_env *env, const char *tenant_id, const char *id,
                               const char *stale, bool force, struct err *err);

#endif
