/* store/credential.h - the bookkeeping of an integration's OAuth tokens
 * beside their sealed value (store/integration.h seals and opens them):
 * when the access token expires, when it was last refreshed, when a
 * refresh last failed, when the token upkeep (sched/tokens.h) should next
 * refresh it; and the lock that makes a refresh single-flight. Runs inside
 * the caller's transaction (the tenant's, or a system one for the upkeep). */
#ifndef INLET_STORE_CREDENTIAL_H
#define INLET_STORE_CREDENTIAL_H
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "db/db.h"

/* The token upkeep's rule (credentials.refresh_due_at, migration 0007): an
 * oauth2 credential that holds a refresh token is due for a refresh
 * CREDENTIAL_REFRESH_AHEAD_S before its access token expires, and at the
 * latest CREDENTIAL_REFRESH_EVERY_S after it was last written or
 * refreshed, so that a token with no known lifetime (Salesforce's) and a
 * refresh token that lapses when unused both stay alive while the
 * integration is idle. After a failed refresh it is due again
 * CREDENTIAL_REFRESH_COOLDOWN_S later, not at once; and never sooner than
 * CREDENTIAL_REFRESH_GAP_S after a refresh, for tokens that live less than
 * CREDENTIAL_REFRESH_AHEAD_S (use refreshes them as needed). Credentials without
 * a refresh token (API keys, Slack's bot tokens) have no due time: there
 * is nothing to renew them with. Keep in step with 0007_workers.sql. */
#define CREDENTIAL_REFRESH_AHEAD_S    900   /* before expiry; OAUTH_REFRESH_AHEAD_S is less */
#define CREDENTIAL_REFRESH_EVERY_S    86400 /* at most this long after the last refresh */
#define CREDENTIAL_REFRESH_COOLDOWN_S 600   /* after a failure, and while a refresh job runs */
#define CREDENTIAL_REFRESH_GAP_S      300   /* at least this long after a refresh */

struct credential_meta {
    char kind[16];             /* oauth2, api_key, basic */
    int64_t expires_at;        /* unix seconds; 0: the provider gave no lifetime */
    int64_t refreshed_at;      /* 0: never */
    int64_t refresh_failed_at; /* 0: no failure since the last success */
    int64_t updated_at;
};

/* Read the integration's credentials bookkeeping into *out. With lock,
 * hold the row until the transaction ends (PostgreSQL: SELECT ... FOR
 * UPDATE, so that processes sharing the database refresh one at a time;
 * SQLite's BEGIN IMMEDIATE already holds the database). ERR_NOTFOUND
 * when the integration has no credentials. */
MUST_CHECK int credential_meta_get(struct credential_meta *out, struct db *db,
                                   const char *tenant_id, const char *integration_id, bool lock,
                                   struct err *err);

/* Record a refresh at now: a success sets refreshed_at, clears the
 * failure and sets the next due time by the rule above (from the
 * expires_at stored now); a failure sets refresh_failed_at and makes it
 * due again at now + CREDENTIAL_REFRESH_COOLDOWN_S. */
MUST_CHECK int credential_refresh_mark(struct db *db, const char *tenant_id,
                                       const char *integration_id, bool ok, int64_t now,
                                       struct err *err);

/* Set the integration's next due time by the rule above from the row as
 * stored (kind, secret_names, expires_at), counting the day from now: call
 * it right after writing the tokens (integration_secrets_set does). No
 * row: nothing happens. */
MUST_CHECK int credential_refresh_plan(struct db *db, const char *tenant_id,
                                       const char *integration_id, int64_t now, struct err *err);

/* Set the integration's next due time to until (unix seconds), or to none
 * (NULL) when until is 0: the upkeep's pass holds a credential back while
 * its refresh job runs, and drops one that must be connected again. No
 * row: nothing happens. */
MUST_CHECK int credential_refresh_defer(struct db *db, const char *tenant_id,
                                        const char *integration_id, int64_t until, struct err *err);

/* Delete the integration's credentials (disconnect); *n (OUT, may be
 * NULL) gets how many rows went (0 or 1). */
MUST_CHECK int credential_delete(int64_t *n, struct db *db, const char *tenant_id,
                                 const char *integration_id, struct err *err);

#endif
