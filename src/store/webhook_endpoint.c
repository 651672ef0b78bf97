/* store/webhook_endpoint.c - see webhook_endpoint.h. The key is random
 * (256 bits) and kept as its hex SHA-256, as API keys are; the signing
 * secret is sealed bound to the row. */
#include "store/webhook_endpoint.h"

#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "notify/whsig.h"
#include "store/sealed.h"

#define KEY_RANDOM 32 /* bytes of a key: 256 bits */

static const struct sealed_column secret_col = {"webhook_endpoints", "secret_sealed",
                                                "secret_key_id"};

#define COLUMNS                                                                                    \
    "id, tenant_id, COALESCE(integration_id, ''), kind, name, secret_sealed IS NOT NULL,"          \
    " window_s, enabled, created_at, updated_at"

static void row_copy(struct webhook_endpoint *out, struct db_rows *r)
{
    memset(out, 0, sizeof(*out));
    snprintf(out->id, sizeof(out->id), "%s", db_rows_text(r, 0));
    snprintf(out->tenant_id, sizeof(out->tenant_id), "%s", db_rows_text(r, 1));
    snprintf(out->integration_id, sizeof(out->integration_id), "%s", db_rows_text(r, 2));
    snprintf(out->kind, sizeof(out->kind), "%s", db_rows_text(r, 3));
    snprintf(out->name, sizeof(out->name), "%s", db_rows_text(r, 4));
    out->signed_ = db_rows_int(r, 5) != 0;
    out->window_s = db_rows_int(r, 6);
    out->enabled = db_rows_int(r, 7) != 0;
    out->created_at = db_rows_int(r, 8);
    out->updated_at = db_rows_int(r, 9);
}

/* "inlet_whk_" and 43 base64url characters into *key; its hash into hex. */
static void key_new(struct secret *key, char hex[HASH_SHA256_HEX_LEN + 1])
{
    random_prefixed_token(key, WEBHOOK_KEY_PREFIX, KEY_RANDOM);
    hash_sha256_hex(hex, key->p, key->n);
}

int webhook_endpoint_create(struct webhook_endpoint *out, struct secret *key, struct secret *secret,
                            struct db *db, const struct vault *v, const char *tenant_id,
                            const struct webhook_endpoint_in *in, int64_t now, struct err *err)
{
    char id[ID_MAX], hex[HASH_SHA256_HEX_LEN + 1];
    unsigned char *blob = NULL;
    size_t n = 0;
    int64_t count = 0;

    memset(key, 0, sizeof(*key));
    memset(secret, 0, sizeof(*secret));
    int rc = db_query_int(&count, db, "SELECT count(*) FROM webhook_endpoints WHERE tenant_id = $1",
                          DB_ARGS(DB_TEXT(tenant_id)), err);
    if (rc == 0 && count >= WEBHOOK_ENDPOINTS_MAX)
        rc = err_set(err, ERR_CONFLICT, "a tenant has at most %d webhook endpoints",
                     WEBHOOK_ENDPOINTS_MAX);
    if (rc == 0 && in->integration_id) {
        rc = db_query_int(&count, db,
                          "SELECT count(*) FROM integrations WHERE tenant_id = $1 AND id = $2"
                          " AND deleted_at IS NULL",
                          DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(in->integration_id)), err);
        if (rc == 0 && count == 0)
            rc = err_set(err, ERR_NOTFOUND, "no integration %s", in->integration_id);
    }
    if (rc < 0)
        return rc;
    id_new(id, "whe");
    key_new(key, hex);
    if (in->sign) {
        whsig_secret_new(secret);
        rc = sealed_seal(&blob, &n, v, &secret_col, tenant_id, id, secret->p, secret->n, err);
    }
    if (rc == 0)
        rc = db_exec(db,
                     "INSERT INTO webhook_endpoints (id, tenant_id, integration_id, kind,"
                     " inbound_key, secret_sealed, secret_key_id, enabled, name, window_s,"
                     " created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $9,"
                     " $10, $10)",
                     DB_ARGS(DB_TEXT(id), DB_TEXT(tenant_id), DB_TEXT(in->integration_id),
                             DB_TEXT(in->kind), DB_TEXT(hex), blob ? DB_BLOB(blob, n) : DB_NULL,
                             DB_TEXT(blob ? vault_active_id(v) : NULL), DB_TEXT(in->name),
                             DB_INT(in->window_s), DB_INT(now)),
                     NULL, err);
    xfree(blob);
    if (rc == 0)
        rc = webhook_endpoint_get(out, db, tenant_id, id, err);
    if (rc < 0) {
        secret_dispose(key);
        secret_dispose(secret);
    }
    return rc;
}

int webhook_endpoint_get(struct webhook_endpoint *out, struct db *db, const char *tenant_id,
                         const char *id, struct err *err)
{
    struct db_rows *r = NULL;
    memset(out, 0, sizeof(*out));
    int rc = db_query_row(&r, db,
                          "SELECT " COLUMNS " FROM webhook_endpoints WHERE tenant_id = $1"
                          " AND id = $2",
                          DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(id)), err);
    if (rc == ERR_NOTFOUND)
        return err_set(err, ERR_NOTFOUND, "no webhook endpoint %s", id);
    if (rc < 0)
        return rc;
    row_copy(out, r);
    db_rows_free(r);
    return 0;
}

int webhook_endpoint_list(struct db *db, const char *tenant_id, webhook_endpoint_fn fn, void *ctx,
                          struct err *err)
{
    struct webhook_endpoint *all = xcalloc(WEBHOOK_ENDPOINTS_MAX + 1, sizeof(*all));
    struct db_rows *r = NULL;
    size_t n = 0;

    /* Read whole before the callbacks run (endpoints are few). */
    int rc = db_query(&r, db,
                      "SELECT " COLUMNS " FROM webhook_endpoints WHERE tenant_id = $1"
                      " ORDER BY id LIMIT $2",
                      DB_ARGS(DB_TEXT(tenant_id), DB_INT(WEBHOOK_ENDPOINTS_MAX)), err);
    while (rc == 0 && (rc = db_rows_next(r, err)) == 1) {
        row_copy(&all[n++], r);
        rc = 0;
    }
    db_rows_free(r);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = fn(ctx, &all[i]);
    xfree(all);
    return rc;
}

int webhook_endpoint_delete(struct db *db, const char *tenant_id, const char *id, struct err *err)
{
    int64_t changes = 0;
    int rc = db_exec(db, "DELETE FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2",
                     DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(id)), &changes, err);
    if (rc == 0 && changes == 0)
        rc = err_set(err, ERR_NOTFOUND, "no webhook endpoint %s", id);
    return rc;
}

int webhook_endpoint_find(struct webhook_endpoint *out, struct db *db, const char *kind,
                          const char *key, size_t n, struct err *err)
{
    char hex[HASH_SHA256_HEX_LEN + 1];
    struct db_rows *r = NULL;
    size_t plen = strlen(WEBHOOK_KEY_PREFIX);

    memset(out, 0, sizeof(*out));
    if (n <= plen || n > WEBHOOK_KEY_TEXT_MAX || memcmp(key, WEBHOOK_KEY_PREFIX, plen) != 0)
        return err_set(err, ERR_NOTFOUND, "unknown or revoked webhook key");
    hash_sha256_hex(hex, key, n);
    int rc = db_query_row(&r, db,
                          "SELECT " COLUMNS ", inbound_key FROM webhook_endpoints"
                          " WHERE inbound_key = $1 AND kind = $2 AND enabled = 1",
                          DB_ARGS(DB_TEXT(hex), DB_TEXT(kind)), err);
    if (rc == ERR_NOTFOUND)
        return err_set(err, ERR_NOTFOUND, "unknown or revoked webhook key");
    if (rc < 0)
        return rc;
    /* Found through the index; compared again in constant time so that no
     * engine's comparison decides authentication. */
    const char *stored = db_rows_text(r, 10);
    if (!stored || strlen(stored) != HASH_SHA256_HEX_LEN ||
        !hash_equal(stored, hex, HASH_SHA256_HEX_LEN))
        rc = err_set(err, ERR_NOTFOUND, "unknown or revoked webhook key");
    else
        row_copy(out, r);
    db_rows_free(r);
    return rc;
}

int webhook_endpoint_secret(struct secret *secret, struct db *db, const struct vault *v,
                            const struct webhook_endpoint *e, struct err *err)
{
    struct db_rows *r = NULL;
    size_t n = 0;
    memset(secret, 0, sizeof(*secret));
    int rc = db_query_row(&r, db,
                          "SELECT secret_sealed FROM webhook_endpoints WHERE tenant_id = $1"
                          " AND id = $2 AND secret_sealed IS NOT NULL",
                          DB_ARGS(DB_TEXT(e->tenant_id), DB_TEXT(e->id)), err);
    if (rc == ERR_NOTFOUND)
        return err_set(err, ERR_NOTFOUND, "webhook endpoint %s has no signing secret", e->id);
    if (rc < 0)
        return rc;
    const void *blob = db_rows_blob(r, 0, &n);
    rc = sealed_open(secret, v, &secret_col, e->tenant_id, e->id, blob, n, err);
    db_rows_free(r);
    return rc;
}
