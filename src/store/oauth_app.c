/* store/oauth_app.c - see oauth_app.h. The secret is sealed bound to the
 * row, whose id stays the same when the app is replaced. */
#include "store/oauth_app.h"

#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/id.h"
#include "store/sealed.h"

static const struct sealed_column secret_col = {"oauth_apps", "client_secret_sealed",
                                                "client_secret_key_id"};

void oauth_app_dispose(struct oauth_app *a)
{
    xfree(a->client_id);
    xfree(a->scopes);
    secret_dispose(&a->secret);
    memset(a, 0, sizeof(*a));
}

static int client_id_check(const char *id, struct err *err)
{
    size_t n = id ? strlen(id) : 0;
    if (n == 0 || n > OAUTH_CLIENT_ID_MAX)
        return err_set(err, ERR_INVALID, "client_id: expected 1 to %d bytes", OAUTH_CLIENT_ID_MAX);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)id[i] <= ' ' || id[i] == 0x7f)
            return err_set(err, ERR_INVALID, "client_id: no spaces or control characters");
    return 0;
}

int oauth_app_put(struct db *db, const struct vault *v, const char *tenant_id,
                  const char *connector, const char *client_id, const struct secret *secret,
                  const char *scopes, int64_t now, struct err *err)
{
    struct db_rows *r = NULL;
    char id[ID_MAX];
    unsigned char *blob = NULL;
    size_t blob_n = 0;
    bool has_secret = secret && secret->n > 0;

    int rc = client_id_check(client_id, err);
    if (rc < 0)
        return rc;
    /* Keep the row's id: a replaced secret is sealed for the same row. */
    rc =
        db_query_row(&r, db, "SELECT id FROM oauth_apps WHERE tenant_id = $1 AND connector_id = $2",
                     DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(connector)), err);
    if (rc == 0)
        snprintf(id, sizeof(id), "%s", db_rows_text(r, 0));
    db_rows_free(r);
    if (rc == ERR_NOTFOUND)
        id_new(id, "app");
    else if (rc < 0)
        return rc;
    if (has_secret && (rc = sealed_seal(&blob, &blob_n, v, &secret_col, tenant_id, id, secret->p,
                                        secret->n, err)) < 0)
        return rc;
    rc = db_exec(db,
                 "INSERT INTO oauth_apps (id, tenant_id, connector_id, client_id,"
                 " client_secret_sealed, client_secret_key_id, scopes, created_at, updated_at)"
                 " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)"
                 " ON CONFLICT (tenant_id, connector_id) DO UPDATE SET client_id = $4,"
                 " client_secret_sealed = $5, client_secret_key_id = $6, scopes = $7,"
                 " updated_at = $8",
                 DB_ARGS(DB_TEXT(id), DB_TEXT(tenant_id), DB_TEXT(connector), DB_TEXT(client_id),
                         has_secret ? DB_BLOB(blob, blob_n) : DB_NULL,
                         has_secret ? DB_TEXT(vault_active_id(v)) : DB_NULL,
                         DB_TEXT(scopes ? scopes : ""), DB_INT(now)),
                 NULL, err);
    xfree(blob);
    return rc;
}

int oauth_app_get(struct oauth_app *out, struct db *db, const struct vault *v,
                  const char *tenant_id, const char *connector, bool open_secret, struct err *err)
{
    struct db_rows *r = NULL;
    size_t n = 0;

    memset(out, 0, sizeof(*out));
    int rc = db_query_row(&r, db,
                          "SELECT id, client_id, scopes, client_secret_sealed, created_at,"
                          " updated_at FROM oauth_apps WHERE tenant_id = $1 AND connector_id = $2",
                          DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(connector)), err);
    if (rc == ERR_NOTFOUND)
        return err_set(err, ERR_NOTFOUND, "no OAuth app for %s", connector);
    if (rc < 0)
        return rc;
    out->client_id = xstrdup(db_rows_text(r, 1));
    out->scopes = xstrdup(db_rows_text(r, 2) ? db_rows_text(r, 2) : "");
    out->has_secret = !db_rows_is_null(r, 3);
    out->created_at = db_rows_int(r, 4);
    out->updated_at = db_rows_int(r, 5);
    if (out->has_secret && open_secret) {
        const void *blob = db_rows_blob(r, 3, &n);
        rc = sealed_open(&out->secret, v, &secret_col, tenant_id, db_rows_text(r, 0), blob, n, err);
    }
    db_rows_free(r);
    if (rc < 0)
        oauth_app_dispose(out);
    return rc;
}

int oauth_app_delete(struct db *db, const char *tenant_id, const char *connector, struct err *err)
{
    int64_t changes = 0;
    int rc = db_exec(db, "DELETE FROM oauth_apps WHERE tenant_id = $1 AND connector_id = $2",
                     DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(connector)), &changes, err);
    if (rc == 0 && changes == 0)
        rc = err_set(err, ERR_NOTFOUND, "no OAuth app for %s", connector);
    return rc;
}
