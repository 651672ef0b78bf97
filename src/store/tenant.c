/* store/tenant.c - tenants and hashed API keys. Keys are "inlet_sk_" and 43
 * base64url characters (256 random bits); api_keys.key_hash holds the hex
 * SHA-256 of the whole text, so lookup is an index probe on the hash and
 * the key itself is never stored or logged. */
#include "store/tenant.h"

#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/time.h"
#include "crypto/hash.h"
#include "crypto/random.h"

int tenant_name_check(const char *name, struct err *err)
{
    size_t n = strlen(name);
    if (n == 0)
        return err_set(err, ERR_INVALID, "tenant name: must not be empty");
    if (n > TENANT_NAME_MAX)
        return err_set(err, ERR_INVALID, "tenant name: %zu bytes, at most %d", n, TENANT_NAME_MAX);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
            return err_set(err, ERR_INVALID, "tenant name: control character at byte %zu", i);
    return 0;
}

/* Make a key, store its hash for tenant_id; the caller holds a transaction. */
static int key_insert(struct secret *key, struct db *db, const char *tenant_id, int64_t now,
                      struct err *err)
{
    char key_id[ID_MAX], hash[HASH_SHA256_HEX_LEN + 1];
    size_t plen = strlen(TENANT_KEY_PREFIX);

    random_prefixed_token(key, TENANT_KEY_PREFIX, TENANT_KEY_RANDOM);
    hash_sha256_hex(hash, key->p, key->n);
    id_new(key_id, "key");
    int rc = db_exec(db,
                     "INSERT INTO api_keys (id, tenant_id, key_hash, prefix, created_at) "
                     "VALUES ($1, $2, $3, $4, $5)",
                     DB_ARGS(DB_TEXT(key_id), DB_TEXT(tenant_id), DB_TEXT(hash),
                             DB_TEXTN((const char *)key->p, plen + 4), DB_INT(now)),
                     NULL, err);
    if (rc < 0)
        secret_dispose(key);
    return rc;
}

int tenant_insert(char id[ID_MAX], struct secret *key, struct db *db, const char *name, int64_t now,
                  struct err *err)
{
    char tid[ID_MAX];
    int rc = tenant_name_check(name, err);
    if (rc < 0)
        return rc;

    id_new(tid, "ten");
    rc = db_exec(db, "INSERT INTO tenants (id, name, created_at) VALUES ($1, $2, $3)",
                 DB_ARGS(DB_TEXT(tid), DB_TEXT(name), DB_INT(now)), NULL, err);
    if (rc == ERR_CONFLICT)
        return err_set(err, ERR_CONFLICT, "tenant name: '%s' exists already", name);
    if (rc < 0 || (rc = key_insert(key, db, tid, now, err)) < 0)
        return rc;
    memcpy(id, tid, ID_MAX);
    return 0;
}

int tenant_create(char id[ID_MAX], struct secret *key, struct db *db, const char *name,
                  struct err *err)
{
    int rc = db_begin(db, err);
    if (rc < 0)
        return rc;
    if ((rc = tenant_insert(id, key, db, name, time_now_ms() / 1000, err)) < 0) {
        db_rollback(db);
        return rc;
    }
    if ((rc = db_commit(db, err)) < 0)
        secret_dispose(key);
    return rc;
}

int tenant_key_replace(struct secret *key, struct db *db, const char *tenant_id, int64_t now,
                       struct err *err)
{
    int64_t n;
    int rc;

    if (!id_valid(tenant_id, "ten"))
        return err_set(err, ERR_NOTFOUND, "tenant: no tenant with that id");
    rc = db_query_int(&n, db, "SELECT count(*) FROM tenants WHERE id = $1",
                      DB_ARGS(DB_TEXT(tenant_id)), err);
    if (rc == 0 && n == 0)
        rc = err_set(err, ERR_NOTFOUND, "tenant: no tenant with id %s", tenant_id);
    if (rc < 0)
        return rc;
    rc = db_exec(db,
                 "UPDATE api_keys SET revoked_at = $2 WHERE tenant_id = $1 AND revoked_at IS NULL",
                 DB_ARGS(DB_TEXT(tenant_id), DB_INT(now)), NULL, err);
    if (rc < 0)
        return rc;
    return key_insert(key, db, tenant_id, now, err);
}

int tenant_key_rotate(struct secret *key, struct db *db, const char *tenant_id, struct err *err)
{
    int rc = db_begin(db, err);
    if (rc < 0)
        return rc;
    if ((rc = tenant_key_replace(key, db, tenant_id, time_now_ms() / 1000, err)) < 0) {
        db_rollback(db);
        return rc;
    }
    if ((rc = db_commit(db, err)) < 0)
        secret_dispose(key);
    return rc;
}

int tenant_key_verify(char tenant_id[ID_MAX], char key_id[ID_MAX], int64_t *suspended_at,
                      struct db *db, const char *key, size_t n, struct err *err)
{
    char hash[HASH_SHA256_HEX_LEN + 1];
    struct db_rows *rows = NULL;
    size_t plen = strlen(TENANT_KEY_PREFIX);
    int rc;

    /* Reject what cannot be a key before touching the database. */
    if (n <= plen || n > TENANT_KEY_TEXT_MAX || memcmp(key, TENANT_KEY_PREFIX, plen) != 0)
        return err_set(err, ERR_NOTFOUND, "unknown or revoked API key");
    hash_sha256_hex(hash, key, n);
    rc = db_query_row(&rows, db,
                      "SELECT k.id, k.tenant_id, k.key_hash, t.suspended_at FROM api_keys k "
                      "JOIN tenants t ON t.id = k.tenant_id "
                      "WHERE k.key_hash = $1 AND k.revoked_at IS NULL",
                      DB_ARGS(DB_TEXT(hash)), err);
    if (rc == ERR_NOTFOUND)
        return err_set(err, ERR_NOTFOUND, "unknown or revoked API key");
    if (rc < 0)
        return rc;
    const char *kid = db_rows_text(rows, 0), *tid = db_rows_text(rows, 1);
    const char *stored = db_rows_text(rows, 2);
    /* The index found it by hash; compare again in constant time so that no
     * engine-specific comparison decides authentication. */
    if (!stored || strlen(stored) != HASH_SHA256_HEX_LEN ||
        !hash_equal(stored, hash, HASH_SHA256_HEX_LEN) || strlen(kid) >= ID_MAX ||
        strlen(tid) >= ID_MAX) {
        rc = err_set(err, ERR_NOTFOUND, "unknown or revoked API key");
        goto done;
    }
    memcpy(key_id, kid, strlen(kid) + 1);
    memcpy(tenant_id, tid, strlen(tid) + 1);
    if (suspended_at)
        *suspended_at = db_rows_int(rows, 3);
done:
    db_rows_free(rows);
    return rc;
}

int tenant_data_version(int64_t *out, struct db *db, const char *tenant_id, struct err *err)
{
    int rc = db_query_int(out, db, "SELECT data_version FROM tenants WHERE id = $1",
                          DB_ARGS(DB_TEXT(tenant_id)), err);
    if (rc == ERR_NOTFOUND)
        return err_set(err, ERR_NOTFOUND, "no such tenant");
    return rc;
}

#define TENANT_COLUMNS                                                                             \
    "SELECT t.id, t.name, t.created_at, t.suspended_at, (SELECT count(*) FROM api_keys k"          \
    " WHERE k.tenant_id = t.id AND k.revoked_at IS NULL) FROM tenants t"

static void tenant_read(struct tenant_info *t, struct db_rows *rows)
{
    snprintf(t->id, sizeof(t->id), "%s", db_rows_text(rows, 0));
    snprintf(t->name, sizeof(t->name), "%s", db_rows_text(rows, 1));
    t->created_at = db_rows_int(rows, 2);
    t->suspended_at = db_rows_int(rows, 3);
    t->live_keys = db_rows_int(rows, 4);
}

int tenant_get(struct tenant_info *out, struct db *db, const char *id, struct err *err)
{
    struct db_rows *rows = NULL;

    if (!id_valid(id, "ten"))
        return err_set(err, ERR_NOTFOUND, "no tenant with that id");
    int rc = db_query_row(&rows, db, TENANT_COLUMNS " WHERE t.id = $1", DB_ARGS(DB_TEXT(id)), err);
    if (rc == ERR_NOTFOUND)
        return err_set(err, ERR_NOTFOUND, "no tenant %s", id);
    if (rc < 0)
        return rc;
    tenant_read(out, rows);
    db_rows_free(rows);
    return 0;
}

int tenant_list(bool *more, struct db *db, const char *after, int limit, tenant_list_fn fn,
                void *ctx, struct err *err)
{
    struct db_rows *rows = NULL;
    /* Ids sort by creation time (core/id), so the id is the cursor. One row
     * past the page says whether another follows. */
    int64_t lim = limit > 0 ? (int64_t)limit + 1 : INT64_MAX;
    int rc = db_query(&rows, db, TENANT_COLUMNS " WHERE t.id > $1 ORDER BY t.id LIMIT $2",
                      DB_ARGS(DB_TEXT(after ? after : ""), DB_INT(lim)), err);
    int n = 0;

    if (more)
        *more = false;
    if (rc < 0)
        return rc;
    while ((rc = db_rows_next(rows, err)) == 1) {
        struct tenant_info t = {0};
        if (limit > 0 && n++ == limit) {
            if (more)
                *more = true;
            rc = 0;
            break;
        }
        tenant_read(&t, rows);
        if ((rc = fn(ctx, &t)) != 0)
            break;
    }
    db_rows_free(rows);
    return rc;
}

int tenant_suspend(struct tenant_info *out, struct db *db, const char *id, bool suspend,
                   int64_t now, struct err *err)
{
    struct tenant_info t = {0};
    int64_t changed = 0;
    int rc = tenant_get(&t, db, id, err);

    if (rc < 0)
        return rc;
    if (suspend)
        rc = db_exec(db,
                     "UPDATE tenants SET suspended_at = $2 WHERE id = $1 AND suspended_at IS NULL",
                     DB_ARGS(DB_TEXT(id), DB_INT(now)), &changed, err);
    else
        rc = db_exec(db, "UPDATE tenants SET suspended_at = NULL WHERE id = $1",
                     DB_ARGS(DB_TEXT(id)), &changed, err);
    if (rc < 0)
        return rc;
    if (suspend && changed)
        t.suspended_at = now;
    else if (!suspend)
        t.suspended_at = 0;
    if (out)
        *out = t;
    return 0;
}

int tenant_delete(struct db *db, const char *id, struct err *err)
{
    int64_t n = 0;
    if (!id_valid(id, "ten"))
        return err_set(err, ERR_NOTFOUND, "no tenant with that id");
    int rc = db_exec(db, "DELETE FROM tenants WHERE id = $1", DB_ARGS(DB_TEXT(id)), &n, err);
    if (rc == 0 && n == 0)
        return err_set(err, ERR_NOTFOUND, "no tenant %s", id);
    return rc;
}
