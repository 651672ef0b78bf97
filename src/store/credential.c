/* store/credential.c - see credential.h. The upkeep's rule is written
 * once, as the SQL below, and evaluated by the statement that writes the
 * row, so the due time is computed from exactly what is stored. It sticks
 * to what both engines share: CAST ... AS TEXT (PostgreSQL's secret_names
 * is JSONB, SQLite's is TEXT), CASE rather than LEAST / min(). */
#include "store/credential.h"

#include <stdio.h>
#include <string.h>

/* Whether the row is a credential the upkeep renews. */
#define RENEWABLE "kind = 'oauth2' AND CAST(secret_names AS TEXT) LIKE '%\"refresh_token\"%'"

/* The row's next due time with $3 as its last refresh, $4 the time ahead
 * of expiry, $5 the longest wait and $6 the shortest (a token that lives
 * less than $4 must not be renewed at every pass); NULL when it is not
 * renewable. */
#define DUE                                                                                        \
    "CASE WHEN " RENEWABLE " THEN CASE WHEN expires_at > 0 AND expires_at - $4 < $3 + $5"          \
    " THEN CASE WHEN expires_at - $4 > $3 + $6 THEN expires_at - $4 ELSE $3 + $6 END"              \
    " ELSE $3 + $5 END ELSE NULL END"

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
    if (ok)
        return db_exec(db,
                       "UPDATE credentials SET refreshed_at = $3, refresh_failed_at = NULL,"
                       " refresh_due_at = " DUE " WHERE tenant_id = $1 AND integration_id = $2",
                       DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(integration_id), DB_INT(now),
                               DB_INT(CREDENTIAL_REFRESH_AHEAD_S),
                               DB_INT(CREDENTIAL_REFRESH_EVERY_S),
                               DB_INT(CREDENTIAL_REFRESH_GAP_S)),
                       NULL, err);
    /* The cooldown only where there is something to renew: a token without
     * a refresh token that stopped working waits for its user instead. */
    return db_exec(db,
                   "UPDATE credentials SET refresh_failed_at = $3, refresh_due_at = CASE WHEN"
                   " " RENEWABLE " THEN $3 + $4 ELSE NULL END"
                   " WHERE tenant_id = $1 AND integration_id = $2",
                   DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(integration_id), DB_INT(now),
                           DB_INT(CREDENTIAL_REFRESH_COOLDOWN_S)),
                   NULL, err);
}

int credential_refresh_plan(struct db *db, const char *tenant_id, const char *integration_id,
                            int64_t now, struct err *err)
{
    return db_exec(db,
                   "UPDATE credentials SET refresh_due_at = " DUE
                   " WHERE tenant_id = $1 AND integration_id = $2",
                   DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(integration_id), DB_INT(now),
                           DB_INT(CREDENTIAL_REFRESH_AHEAD_S), DB_INT(CREDENTIAL_REFRESH_EVERY_S),
                           DB_INT(CREDENTIAL_REFRESH_GAP_S)),
                   NULL, err);
}

int credential_refresh_defer(struct db *db, const char *tenant_id, const char *integration_id,
                             int64_t until, struct err *err)
{
    return db_exec(
        db,
        "UPDATE credentials SET refresh_due_at = $3"
        " WHERE tenant_id = $1 AND integration_id = $2",
        DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(integration_id), until ? DB_INT(until) : DB_NULL), NULL,
        err);
}

int credential_delete(int64_t *n, struct db *db, const char *tenant_id, const char *integration_id,
                      struct err *err)
{
    return db_exec(db, "DELETE FROM credentials WHERE tenant_id = $1 AND integration_id = $2",
                   DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(integration_id)), n, err);
}
