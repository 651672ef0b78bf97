/* store/session.c - the web UI's sessions of store/session.h. A token is
 * "inlet_ss_" and 43 base64url characters (256 random bits); sessions.id is
 * the hex SHA-256 of the whole token, so lookup is an index probe on the
 * hash and the token itself is never stored. The CSRF token is
 * base64url(HMAC-SHA256(key = session token, "inlet-csrf-v1")): tied to the
 * session, stateless, and not computable from anything a page can read. */
#include "store/session.h"

#include <string.h>

#include "core/alloc.h"
#include "core/encode.h"
#include "crypto/hash.h"
#include "crypto/random.h"

#define SESSION_PREFIX   "inlet_ss_"
#define SESSION_RANDOM   32 /* random bytes in a token */
#define SESSION_CSRF_TAG "inlet-csrf-v1"

/* The length of every token session_create makes. */
#define SESSION_TOKEN_LEN (sizeof(SESSION_PREFIX) - 1 + ENCODE_B64URL_LEN(SESSION_RANDOM))

_Static_assert(ENCODE_B64URL_LEN(HASH_SHA256_LEN) == SESSION_CSRF_LEN, "a CSRF token is one MAC");
_Static_assert(SESSION_TOKEN_LEN <= SESSION_TOKEN_MAX, "tokens fit what clients may send");

static int unknown(struct err *err)
{
    return err_set(err, ERR_NOTFOUND, "session expired or unknown");
}

/* Whether token can be one of ours, judged without the database. */
static bool well_formed(const char *token, size_t n)
{
    size_t plen = sizeof(SESSION_PREFIX) - 1;
    return token && n == SESSION_TOKEN_LEN && memcmp(token, SESSION_PREFIX, plen) == 0;
}

int session_create(struct secret *token, char csrf[SESSION_CSRF_LEN + 1], struct db *db,
                   const char *tenant_id, const char *key_id, int64_t now, struct err *err)
{
    char hash[HASH_SHA256_HEX_LEN + 1];
    int64_t changes = 0;

    random_prefixed_token(token, SESSION_PREFIX, SESSION_RANDOM);
    hash_sha256_hex(hash, token->p, token->n);
    /* Only for a live key of that tenant: a key revoked since it was
     * verified opens nothing. */
    int rc = db_exec(db,
                     "INSERT INTO sessions (id, tenant_id, api_key_id, created_at, expires_at)"
                     " SELECT $1, tenant_id, id, $4, $5 FROM api_keys"
                     " WHERE tenant_id = $2 AND id = $3 AND revoked_at IS NULL",
                     DB_ARGS(DB_TEXT(hash), DB_TEXT(tenant_id), DB_TEXT(key_id), DB_INT(now),
                             DB_INT(now + (int64_t)SESSION_TTL)),
                     &changes, err);
    if (rc == 0 && changes == 0)
        rc = err_set(err, ERR_NOTFOUND, "unknown or revoked API key");
    if (rc < 0) {
        secret_dispose(token);
        return rc;
    }
    session_csrf(csrf, (const char *)token->p, token->n);
    return 0;
}

int session_verify(char tenant_id[ID_MAX], char key_id[ID_MAX], int64_t *suspended_at,
                   struct db *db, const char *token, size_t n, int64_t now, struct err *err)
{
    char hash[HASH_SHA256_HEX_LEN + 1];
    struct db_rows *rows = NULL;

    if (!well_formed(token, n))
        return unknown(err);
    hash_sha256_hex(hash, token, n);
    int rc = db_query_row(&rows, db,
                          "SELECT s.id, s.tenant_id, s.api_key_id, t.suspended_at FROM sessions s"
                          " JOIN api_keys k ON k.tenant_id = s.tenant_id AND k.id = s.api_key_id"
                          " JOIN tenants t ON t.id = s.tenant_id"
                          " WHERE s.id = $1 AND s.expires_at > $2 AND k.revoked_at IS NULL",
                          DB_ARGS(DB_TEXT(hash), DB_INT(now)), err);
    if (rc == ERR_NOTFOUND)
        return unknown(err);
    if (rc < 0)
        return rc;
    const char *stored = db_rows_text(rows, 0), *tid = db_rows_text(rows, 1);
    const char *kid = db_rows_text(rows, 2);
    /* The index found it by hash; compare again in constant time so that
     * no engine-specific comparison decides authentication. */
    if (!stored || strlen(stored) != HASH_SHA256_HEX_LEN ||
        !hash_equal(stored, hash, HASH_SHA256_HEX_LEN) || !tid || strlen(tid) >= ID_MAX || !kid ||
        strlen(kid) >= ID_MAX) {
        rc = unknown(err);
    } else {
        memcpy(tenant_id, tid, strlen(tid) + 1);
        memcpy(key_id, kid, strlen(kid) + 1);
        if (suspended_at)
            *suspended_at = db_rows_int(rows, 3);
    }
    db_rows_free(rows);
    return rc;
}

int session_delete(struct db *db, const char *token, size_t n, int64_t now, struct err *err)
{
    char hash[HASH_SHA256_HEX_LEN + 1];

    if (!well_formed(token, n))
        return db_exec(db, "DELETE FROM sessions WHERE expires_at <= $1", DB_ARGS(DB_INT(now)),
                       NULL, err);
    hash_sha256_hex(hash, token, n);
    return db_exec(db, "DELETE FROM sessions WHERE id = $1 OR expires_at <= $2",
                   DB_ARGS(DB_TEXT(hash), DB_INT(now)), NULL, err);
}

void session_csrf(char csrf[SESSION_CSRF_LEN + 1], const char *token, size_t n)
{
    unsigned char mac[HASH_SHA256_LEN];
    hash_hmac_sha256(mac, token, n, SESSION_CSRF_TAG, sizeof(SESSION_CSRF_TAG) - 1);
    encode_b64url_format(csrf, mac, sizeof(mac));
    secret_wipe(mac, sizeof(mac));
}

bool session_csrf_ok(const char *token, size_t n, const char *given)
{
    char want[SESSION_CSRF_LEN + 1];
    if (!token || !given || strnlen(given, SESSION_CSRF_LEN + 1) != SESSION_CSRF_LEN)
        return false;
    session_csrf(want, token, n);
    bool ok = hash_equal(want, given, SESSION_CSRF_LEN);
    secret_wipe(want, sizeof(want));
    return ok;
}
