/* store/platform_key.c - platform keys of store/platform_key.h: "inlet_pk_"
 * and 43 base64url characters; platform_keys.key_hash is the hex SHA-256 of
 * the whole text, so lookup is an index probe on the hash. */
#include "store/platform_key.h"

#include <string.h>

#include "crypto/hash.h"
#include "crypto/random.h"

#define KEY_TEXT_MAX 128 /* bytes of a key as a client may send it */

static int name_check(const char *name, struct err *err)
{
    size_t n = strlen(name);
    if (n > PLATFORM_NAME_MAX)
        return err_set(err, ERR_INVALID, "name: %zu bytes, at most %d", n, PLATFORM_NAME_MAX);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
            return err_set(err, ERR_INVALID, "name: control character at byte %zu", i);
    return 0;
}

int platform_key_create(char id[ID_MAX], struct secret *key, struct db *db, const char *name,
                        int64_t now, struct err *err)
{
    char kid[ID_MAX], hash[HASH_SHA256_HEX_LEN + 1];
    size_t plen = strlen(PLATFORM_KEY_PREFIX);
    int rc = name_check(name, err);

    if (rc < 0)
        return rc;
    random_prefixed_token(key, PLATFORM_KEY_PREFIX, PLATFORM_KEY_RANDOM);
    hash_sha256_hex(hash, key->p, key->n);
    id_new(kid, "pkey");
    rc = db_exec(db,
                 "INSERT INTO platform_keys (id, name, prefix, key_hash, created_at)"
                 " VALUES ($1, $2, $3, $4, $5)",
                 DB_ARGS(DB_TEXT(kid), DB_TEXT(name), DB_TEXTN((const char *)key->p, plen + 4),
                         DB_TEXT(hash), DB_INT(now)),
                 NULL, err);
    if (rc < 0) {
        secret_dispose(key);
        return rc;
    }
    memcpy(id, kid, ID_MAX);
    return 0;
}

int platform_key_revoke(struct db *db, const char *id, int64_t now, struct err *err)
{
    int64_t n = 0;
    if (!id_valid(id, "pkey"))
        return err_set(err, ERR_NOTFOUND, "no live platform key with that id");
    int rc =
        db_exec(db, "UPDATE platform_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
                DB_ARGS(DB_TEXT(id), DB_INT(now)), &n, err);
    if (rc == 0 && n == 0)
        return err_set(err, ERR_NOTFOUND, "no live platform key %s", id);
    return rc;
}

bool platform_key_looks(const char *text, size_t n)
{
    size_t plen = strlen(PLATFORM_KEY_PREFIX);
    return n >= plen && memcmp(text, PLATFORM_KEY_PREFIX, plen) == 0;
}

int platform_key_verify(char key_id[ID_MAX], struct db *db, const char *key, size_t n,
                        struct err *err)
{
    char hash[HASH_SHA256_HEX_LEN + 1];
    struct db_rows *rows = NULL;

    if (n <= strlen(PLATFORM_KEY_PREFIX) || n > KEY_TEXT_MAX || !platform_key_looks(key, n))
        return err_set(err, ERR_NOTFOUND, "unknown or revoked API key");
    hash_sha256_hex(hash, key, n);
    int rc = db_query_row(&rows, db,
                          "SELECT id, key_hash FROM platform_keys"
                          " WHERE key_hash = $1 AND revoked_at IS NULL",
                          DB_ARGS(DB_TEXT(hash)), err);
    if (rc == ERR_NOTFOUND)
        return err_set(err, ERR_NOTFOUND, "unknown or revoked API key");
    if (rc < 0)
        return rc;
    const char *kid = db_rows_text(rows, 0), *stored = db_rows_text(rows, 1);
    /* Found by the index; compared again in constant time, so that no
     * engine's comparison decides authentication. */
    if (!stored || strlen(stored) != HASH_SHA256_HEX_LEN ||
        !hash_equal(stored, hash, HASH_SHA256_HEX_LEN) || !kid || strlen(kid) >= ID_MAX)
        rc = err_set(err, ERR_NOTFOUND, "unknown or revoked API key");
    else
        memcpy(key_id, kid, strlen(kid) + 1);
    db_rows_free(rows);
    return rc;
}

int platform_key_list(struct db *db, platform_key_list_fn fn, void *ctx, struct err *err)
{
    struct db_rows *rows = NULL;
    int rc = db_query(&rows, db,
                      "SELECT id, name, prefix, created_at, revoked_at FROM platform_keys"
                      " ORDER BY id",
                      NULL, 0, err);
    if (rc < 0)
        return rc;
    while ((rc = db_rows_next(rows, err)) == 1) {
        struct platform_key_info k = {
            .id = db_rows_text(rows, 0),
            .name = db_rows_text(rows, 1),
            .prefix = db_rows_text(rows, 2),
            .created_at = db_rows_int(rows, 3),
            .revoked_at = db_rows_int(rows, 4),
        };
        if ((rc = fn(ctx, &k)) != 0)
            break;
    }
    db_rows_free(rows);
    return rc;
}
