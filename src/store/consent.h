/* store/consent.h - who connected what, with which scopes, when (table
 * consents): one row per successful OAuth connection, marked revoked when
 * the integration is disconnected. Kept when the integration is deleted,
 * as the record of what a tenant's users granted. Runs inside the
 * caller's tenant transaction. */
#ifndef INLET_STORE_CONSENT_H
#define INLET_STORE_CONSENT_H
#include <stdint.h>

#include "core/err.h"
#include "db/db.h"

/* Record a consent: granted_by the actor (API key id or 'ui:<key id>'),
 * account the provider identity that consented (NULL when unknown),
 * scopes as granted. */
MUST_CHECK int consent_add(struct db *db, const char *tenant_id, const char *integration_id,
                           const char *connector, const char *granted_by, const char *account,
                           const char *scopes, int64_t now, struct err *err);

/* Mark the integration's live consents revoked at now; *n (OUT, may be
 * NULL) gets how many. */
MUST_CHECK int consent_revoke(int64_t *n, struct db *db, const char *tenant_id,
                              const char *integration_id, int64_t now, struct err *err);

#endif
