/* store/consent.c - see consent.h. */
#include "store/consent.h"

#include "core/id.h"

int consent_add(struct db *db, const char *tenant_id, const char *integration_id,
                const char *connector, const char *granted_by, const char *account,
                const char *scopes, int64_t now, struct err *err)
{
    char id[ID_MAX];
    id_new(id, "cns");
    return db_exec(db,
                   "INSERT INTO consents (id, tenant_id, integration_id, connector_id, granted_by,"
                   " account, scopes, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                   DB_ARGS(DB_TEXT(id), DB_TEXT(tenant_id), DB_TEXT(integration_id),
                           DB_TEXT(connector), DB_TEXT(granted_by), DB_TEXT(account),
                           DB_TEXT(scopes ? scopes : ""), DB_INT(now)),
                   NULL, err);
}

int consent_revoke(int64_t *n, struct db *db, const char *tenant_id, const char *integration_id,
                   int64_t now, struct err *err)
{
    return db_exec(db,
                   "UPDATE consents SET revoked_at = $3"
                   " WHERE tenant_id = $1 AND integration_id = $2 AND revoked_at IS NULL",
                   DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(integration_id), DB_INT(now)), n, err);
}
