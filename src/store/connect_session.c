/* store/connect_session.c - connect sessions of store/connect_session.h.
 * Tokens are "inlet_cs_" and 43 base64url characters; token_hash is the
 * hex SHA-256 of the whole text, looked up by its unique index. */
#include "store/connect_session.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json_object.h>

#include "core/alloc.h"
#include "core/jsonx.h"
#include "crypto/hash.h"
#include "crypto/random.h"

/* With the tenant's suspension, which auth.c refuses without another read. */
#define COLUMNS                                                                                    \
    "SELECT s.id, s.tenant_id, s.integration_id, s.reconnect, s.end_user, s.allowed,"              \
    " s.return_url, s.created_by, s.created_at, s.expires_at, s.completed_at, s.token_hash,"       \
    " s.outcome, t.suspended_at FROM connect_sessions s JOIN tenants t ON t.id = s.tenant_id"

void connect_session_dispose(struct connect_session *s)
{
    xfree(s->end_user);
    xfree(s->allowed);
    xfree(s->return_url);
    xfree(s->created_by);
    s->end_user = s->allowed = s->return_url = s->created_by = NULL;
}

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

static void read_row(struct connect_session *s, struct db_rows *r)
{
    memset(s, 0, sizeof(*s));
    snprintf(s->id, sizeof(s->id), "%s", db_rows_text(r, 0));
    snprintf(s->tenant_id, sizeof(s->tenant_id), "%s", db_rows_text(r, 1));
    snprintf(s->integration_id, sizeof(s->integration_id), "%s",
             db_rows_text(r, 2) ? db_rows_text(r, 2) : "");
    s->reconnect = db_rows_int(r, 3) != 0;
    s->end_user = xstrdup(db_rows_text(r, 4));
    s->allowed = dup_or_null(db_rows_text(r, 5));
    s->return_url = xstrdup(db_rows_text(r, 6));
    s->created_by = xstrdup(db_rows_text(r, 7));
    s->created_at = db_rows_int(r, 8);
    s->expires_at = db_rows_int(r, 9);
    s->completed_at = db_rows_int(r, 10);
    snprintf(s->outcome, sizeof(s->outcome), "%s", db_rows_text(r, 12) ? db_rows_text(r, 12) : "");
    s->tenant_suspended = db_rows_int(r, 13) != 0;
}

int connect_session_create(struct connect_session *out, struct secret *token, struct db *db,
                           const char *tenant_id, const struct connect_session_in *in, int64_t now,
                           struct err *err)
{
    char id[ID_MAX], hash[HASH_SHA256_HEX_LEN + 1];

    random_prefixed_token(token, CONNECT_TOKEN_PREFIX, CONNECT_TOKEN_RANDOM);
    hash_sha256_hex(hash, token->p, token->n);
    id_new(id, "cs");
    int rc =
        db_exec(db,
                "INSERT INTO connect_sessions (id, tenant_id, token_hash, end_user, allowed,"
                " integration_id, reconnect, return_url, created_by, created_at, expires_at)"
                " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                DB_ARGS(DB_TEXT(id), DB_TEXT(tenant_id), DB_TEXT(hash), DB_TEXT(in->end_user),
                        DB_TEXT(in->allowed), DB_TEXT(in->integration_id),
                        DB_INT(in->integration_id != NULL), DB_TEXT(in->return_url),
                        DB_TEXT(in->created_by), DB_INT(now), DB_INT(now + CONNECT_SESSION_TTL)),
                NULL, err);
    if (rc < 0) {
        secret_dispose(token);
        return rc;
    }
    memset(out, 0, sizeof(*out));
    memcpy(out->id, id, ID_MAX);
    snprintf(out->tenant_id, sizeof(out->tenant_id), "%s", tenant_id);
    snprintf(out->integration_id, sizeof(out->integration_id), "%s",
             in->integration_id ? in->integration_id : "");
    out->reconnect = in->integration_id != NULL;
    out->end_user = xstrdup(in->end_user);
    out->allowed = dup_or_null(in->allowed);
    out->return_url = xstrdup(in->return_url);
    out->created_by = xstrdup(in->created_by);
    out->created_at = now;
    out->expires_at = now + CONNECT_SESSION_TTL;
    return 0;
}

bool connect_token_looks(const char *text, size_t n)
{
    size_t plen = strlen(CONNECT_TOKEN_PREFIX);
    return n >= plen && memcmp(text, CONNECT_TOKEN_PREFIX, plen) == 0;
}

int connect_session_verify(struct connect_session *out, struct db *db, const char *token, size_t n,
                           int64_t now, struct err *err)
{
    char hash[HASH_SHA256_HEX_LEN + 1];
    struct db_rows *r = NULL;

    if (n <= strlen(CONNECT_TOKEN_PREFIX) || n > CONNECT_TOKEN_TEXT_MAX ||
        !connect_token_looks(token, n))
        return err_set(err, ERR_NOTFOUND, "unknown connect session token");
    hash_sha256_hex(hash, token, n);
    int rc = db_query_row(&r, db, COLUMNS " WHERE s.token_hash = $1", DB_ARGS(DB_TEXT(hash)), err);
    if (rc == ERR_NOTFOUND)
        return err_set(err, ERR_NOTFOUND, "unknown connect session token");
    if (rc < 0)
        return rc;
    /* Found by the index; compared again in constant time. */
    const char *stored = db_rows_text(r, 11);
    if (!stored || strlen(stored) != HASH_SHA256_HEX_LEN ||
        !hash_equal(stored, hash, HASH_SHA256_HEX_LEN)) {
        db_rows_free(r);
        return err_set(err, ERR_NOTFOUND, "unknown connect session token");
    }
    read_row(out, r);
    db_rows_free(r);
    if (out->completed_at)
        rc = err_set(err, ERR_NOTFOUND,
                     "this connect session has ended (%s); a token connects one account once",
                     out->outcome[0] ? out->outcome : "completed");
    else if (now >= out->expires_at)
        rc = err_set(err, ERR_NOTFOUND, "this connect session has expired (they last %d minutes)",
                     CONNECT_SESSION_TTL / 60);
    if (rc < 0)
        connect_session_dispose(out);
    return rc;
}

int connect_session_get(struct connect_session *out, struct db *db, const char *tenant_id,
                        const char *id, struct err *err)
{
    struct db_rows *r = NULL;
    if (!id_valid(id, "cs"))
        return err_set(err, ERR_NOTFOUND, "no connect session with that id");
    int rc = db_query_row(&r, db, COLUMNS " WHERE s.tenant_id = $1 AND s.id = $2",
                          DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(id)), err);
    if (rc == ERR_NOTFOUND)
        return err_set(err, ERR_NOTFOUND, "no connect session %s", id);
    if (rc < 0)
        return rc;
    read_row(out, r);
    db_rows_free(r);
    return 0;
}

int connect_session_bind(struct db *db, const char *tenant_id, const char *id,
                         const char *integration_id, struct err *err)
{
    int64_t n = 0;
    /* A session makes one integration: of two racing creates, one binds. */
    int rc = db_exec(db,
                     "UPDATE connect_sessions SET integration_id = $3 WHERE tenant_id = $1 AND"
                     " id = $2 AND (CAST($3 AS TEXT) IS NULL OR integration_id IS NULL)",
                     DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(id), DB_TEXT(integration_id)), &n, err);
    if (rc == 0 && n == 0)
        return err_set(err, ERR_CONFLICT, "this connect session has made its integration already");
    return rc;
}

int connect_session_complete(struct db *db, const char *tenant_id, const char *id,
                             const char *outcome, int64_t now, struct err *err)
{
    int64_t n = 0;
    int rc =
        db_exec(db,
                "UPDATE connect_sessions SET completed_at = $3, outcome = $4"
                " WHERE tenant_id = $1 AND id = $2 AND completed_at IS NULL",
                DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(id), DB_INT(now), DB_TEXT(outcome)), &n, err);
    if (rc == 0 && n == 0)
        return err_set(err, ERR_CONFLICT, "this connect session is complete already");
    return rc;
}

bool connect_session_allows(const struct connect_session *s, const char *connector)
{
    struct json_object *arr = NULL;
    struct err e;
    bool ok = false;

    if (!s->allowed)
        return true;
    if (jsonx_parse(&arr, s->allowed, strlen(s->allowed), strlen(s->allowed) + 1, &e) < 0)
        return false;
    for (size_t i = 0; !ok && i < json_object_array_length(arr); i++) {
        const char *name = jsonx_str(json_object_array_get_idx(arr, i));
        ok = name && strcmp(name, connector) == 0;
    }
    json_object_put(arr);
    return ok;
}

const char *connect_session_status(const struct connect_session *s, int64_t now)
{
    if (s->completed_at)
        return strcmp(s->outcome, "cancelled") == 0 ? "cancelled" : "completed";
    return now >= s->expires_at ? "expired" : "pending";
}
