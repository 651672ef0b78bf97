/* store/credential.h - the bookkeeping of an integration's OAuth tokens
 * beside their sealed value (store/integration.h seals and opens them):
 * when the access token expires, when it was last refreshed, when a
 * refresh last failed; and the lock that makes a refresh single-flight.
 * Runs inside the caller's tenant transaction. */
#ifndef INLET_STORE_CREDENTIAL_H
#define INLET_STORE_CREDENTIAL_H
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "db/db.h"

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

/* Record a refresh at now: a success sets refreshed_at and clears the
 * failure, a failure sets refresh_failed_at. */
MUST_CHECK int credential_refresh_mark(struct db *db, const char *tenant_id,
                                       const char *integration_id, bool ok, int64_t now,
                                       struct err *err);

/* Delete the integration's credentials (disconnect); *n (OUT, may be
 * NULL) gets how many rows went (0 or 1). */
MUST_CHECK int credential_delete(int64_t *n, struct db *db, const char *tenant_id,
                                 const char *integration_id, struct err *err);

#endif
