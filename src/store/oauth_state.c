/* store/oauth_state.c - see oauth_state.h. The verifier is sealed bound to
 * its row (store/sealed.h), so `inlet keys rotate` re-seals flows in
 * progress like any other secret. */
#include "store/oauth_state.h"

#include <string.h>

#include "core/alloc.h"
#include "crypto/random.h"
#include "store/sealed.h"

static const struct sealed_column verifier_col = {"oauth_states", "verifier_sealed",
                                                  "verifier_key_id"};

void oauth_state_dispose(struct oauth_state *s)
{
    char **strs[] = {&s->tenant_id,        &s->connector,     &s->integration_id,
                     &s->integration_name, &s->redirect_uri,  &s->return_url,
                     &s->scopes,           &s->authorize_url, &s->actor};
    for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
        xfree(*strs[i]);
        *strs[i] = NULL;
    }
}

void oauth_state_new_id(char out[OAUTH_STATE_MAX])
{
    struct secret t = {0};
    random_token(&t, OAUTH_STATE_RANDOM);
    memcpy(out, t.p, t.n + 1);
    secret_dispose(&t);
}

int oauth_state_create(struct db *db, const struct vault *v, const char *state,
                       const struct oauth_state_new *in, int64_t now, struct err *err)
{
    unsigned char *blob = NULL;
    size_t blob_n = 0;
    int rc = sealed_seal(&blob, &blob_n, v, &verifier_col, in->tenant_id, state, in->verifier->p,
                         in->verifier->n, err);
    if (rc < 0)
        return rc;
    rc = db_exec(db,
                 "INSERT INTO oauth_states (id, tenant_id, connector_id, integration_id,"
                 " integration_name, verifier_sealed, verifier_key_id, redirect_uri, return_url,"
                 " scopes, authorize_url, actor, binding_hash, created_at, expires_at)"
                 " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
                 DB_ARGS(DB_TEXT(state), DB_TEXT(in->tenant_id), DB_TEXT(in->connector),
                         DB_TEXT(in->integration_id), DB_TEXT(in->integration_name),
                         DB_BLOB(blob, blob_n), DB_TEXT(vault_active_id(v)),
                         DB_TEXT(in->redirect_uri), DB_TEXT(in->return_url),
                         DB_TEXT(in->scopes ? in->scopes : ""), DB_TEXT(in->authorize_url),
                         DB_TEXT(in->actor ? in->actor : ""), DB_TEXT(in->binding_hash),
                         DB_INT(now), DB_INT(now + OAUTH_STATE_TTL_S)),
                 NULL, err);
    xfree(blob);
    return rc;
}

#define COLUMNS                                                                                    \
    "tenant_id, connector_id, integration_id, integration_name, redirect_uri, return_url,"         \
    " scopes, authorize_url, actor, created_at, expires_at, binding_hash, verifier_sealed"

static char *dup_col(struct db_rows *r, int col)
{
    const char *s = db_rows_text(r, col);
    return s ? xstrdup(s) : NULL;
}

static void read_row(struct oauth_state *out, struct db_rows *r)
{
    out->tenant_id = dup_col(r, 0);
    out->connector = dup_col(r, 1);
    out->integration_id = dup_col(r, 2);
    out->integration_name = dup_col(r, 3);
    out->redirect_uri = dup_col(r, 4);
    out->return_url = dup_col(r, 5);
    out->scopes = dup_col(r, 6);
    out->authorize_url = dup_col(r, 7);
    out->actor = dup_col(r, 8);
    out->created_at = db_rows_int(r, 9);
    out->expires_at = db_rows_int(r, 10);
}

int oauth_state_bind(struct oauth_state *out, struct db *db, const char *state,
                     const char *binding_hash, int64_t now, struct err *err)
{
    struct db_rows *r = NULL;
    int64_t changes = 0;

    memset(out, 0, sizeof(*out));
    int rc = db_exec(db,
                     "UPDATE oauth_states SET binding_hash = $2"
                     " WHERE id = $1 AND binding_hash IS NULL AND expires_at > $3",
                     DB_ARGS(DB_TEXT(state), DB_TEXT(binding_hash), DB_INT(now)), &changes, err);
    if (rc < 0)
        return rc;
    rc = db_query_row(&r, db,
                      "SELECT " COLUMNS " FROM oauth_states WHERE id = $1 AND expires_at > $2",
                      DB_ARGS(DB_TEXT(state), DB_INT(now)), err);
    if (rc == ERR_NOTFOUND)
        return err_set(err, ERR_NOTFOUND, "this sign-in link is unknown, used or expired");
    if (rc < 0)
        return rc;
    if (changes == 0) {
        db_rows_free(r);
        return err_set(err, ERR_CONFLICT, "this sign-in link was opened in another browser");
    }
    read_row(out, r);
    db_rows_free(r);
    return 0;
}

int oauth_state_take(struct oauth_state *out, struct secret *verifier, struct db *db,
                     const struct vault *v, const char *state, const char *binding_hash,
                     int64_t now, struct err *err)
{
    struct db_rows *r = NULL;
    struct oauth_state s = {0};
    char stored[HASH_SHA256_HEX_LEN + 1] = "";
    size_t n = 0;

    memset(out, 0, sizeof(*out));
    memset(verifier, 0, sizeof(*verifier));
    /* Deleted by the read itself: two callbacks racing with one state
     * cannot both get it. */
    int rc = db_query_row(&r, db, "DELETE FROM oauth_states WHERE id = $1 RETURNING " COLUMNS,
                          DB_ARGS(DB_TEXT(state)), err);
    if (rc == ERR_NOTFOUND)
        return err_set(err, ERR_NOTFOUND, "unknown or already used sign-in state");
    if (rc < 0)
        return rc;
    read_row(&s, r);
    if (db_rows_text(r, 11) && strlen(db_rows_text(r, 11)) == HASH_SHA256_HEX_LEN)
        memcpy(stored, db_rows_text(r, 11), sizeof(stored));
    const void *blob = db_rows_blob(r, 12, &n);
    if (s.expires_at <= now)
        rc = err_set(err, ERR_INVALID, "the sign-in took longer than %d minutes: start again",
                     OAUTH_STATE_TTL_S / 60);
    else if (!stored[0] || !binding_hash || strlen(binding_hash) != HASH_SHA256_HEX_LEN ||
             !hash_equal(stored, binding_hash, HASH_SHA256_HEX_LEN))
        rc = err_set(err, ERR_CONFLICT,
                     "this sign-in was started in another browser or session: start again here");
    else
        rc = sealed_open(verifier, v, &verifier_col, s.tenant_id, state, blob, n, err);
    db_rows_free(r);
    if (rc < 0) {
        oauth_state_dispose(&s);
        return rc;
    }
    *out = s;
    return 0;
}

int oauth_state_purge(int64_t *n, struct db *db, int64_t now, struct err *err)
{
    return db_exec(db, "DELETE FROM oauth_states WHERE expires_at <= $1", DB_ARGS(DB_INT(now)), n,
                   err);
}
