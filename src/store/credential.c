/* store/credential.c - see credential.h. */
#include "store/credential.h"

#include <stdio.h>
#include <string.h>

int credential_meta_get(struct credential_meta *out, struct db *db, const char *tenant_id,
                        const char *integration_id, bool lock, struct err *err)
{
    struct db_rows *r = NULL;
    bool pg = strcmp(db_engine(db), "postgres") == 0;

    memset(out, 0, sizeof(*out));
    int rc = db_query_row(&r, db,
                          pg && lock ? "SELECT kind, expires_at, refreshed_at, refresh_failed_at,"
                                       " updated_at FROM credentials"
                                       " WHERE tenant_id = $1 AND integration_id = $2 FOR UPDATE"
                                     : "SELECT kind, expires_at, refreshed_at, refresh_failed_at,"
                                       " updated_at FROM credentials"
                                       " WHERE tenant_id = $1 AND integration_id = $2",
                          DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(integration_id)), err);
    if (rc == ERR_NOTFOUND)
        return err_set(err, ERR_NOTFOUND, "integration %s has no credentials: connect it",
                       integration_id);
    if (rc < 0)
        return rc;
    snprintf(out->kind, sizeof(out->kind), "%s", db_rows_text(r, 0));
    out->expires_at = db_rows_int(r, 1);
    out->refreshed_at = db_rows_int(r, 2);
    out->refresh_failed_at = db_rows_int(r, 3);
    out->updated_at = db_rows_int(r, 4);
    db_rows_free(r);
    return 0;
}

int credential_refresh_mark(struct db *db, const char *tenant_id, const char *integration_id,
                            bool ok, int64_t now, struct err *err)
{
    return db_exec(db,
                   ok ? "UPDATE credentials SET refreshed_at = $3, refresh_failed_at = NULL"
                        " WHERE tenant_id = $1 AND integration_id = $2"
                      : "UPDATE credentials SET refresh_failed_at = $3"
                        " WHERE tenant_id = $1 AND integration_id = $2",
                   DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(integration_id), DB_INT(now)), NULL, err);
}

int credential_delete(int64_t *n, struct db *db, const char *tenant_id, const char *integration_id,
                      struct err *err)
{
    return db_exec(db, "DELETE FROM credentials WHERE tenant_id = $1 AND integration_id = $2",
                   DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(integration_id)), n, err);
}
