/* store/oauth_state.h - OAuth flows in progress (table oauth_states). A
 * row's id is the state parameter itself: random, single use, living
 * OAUTH_STATE_TTL_S. It keeps what the callback needs and nothing the
 * provider could forge: the tenant, the connector, the integration to
 * connect (or the name of one to create), the redirect URI sent, the PKCE
 * verifier (sealed), and the hash of the nonce the browser running the
 * flow holds in a cookie, so that a callback from another browser is
 * refused (login CSRF). The callback does not know the tenant until it has
 * read the row, so these run in system transactions (db_begin); the
 * caller begins and commits. */
#ifndef INLET_STORE_OAUTH_STATE_H
#define INLET_STORE_OAUTH_STATE_H
#include <stdint.h>

#include "core/err.h"
#include "core/secret.h"
#include "crypto/hash.h"
#include "crypto/vault.h"
#include "db/db.h"

#define OAUTH_STATE_TTL_S  600 /* seconds a flow may take */
#define OAUTH_STATE_RANDOM 32  /* random bytes in a state */
#define OAUTH_STATE_MAX    64  /* bytes of a state (43 characters) and its NUL */

/* A flow as started. Strings are borrowed for the call; NULL for the
 * optional ones. */
struct oauth_state_new {
    const char *tenant_id;
    const char *connector;
    const char *integration_id;   /* connect (or reconnect) this one, or */
    const char *integration_name; /* create one of this name on success */
    const char *redirect_uri;
    const char *return_url; /* where the browser goes afterwards; NULL: the UI */
    const char *scopes;     /* space-separated, as requested */
    const char *authorize_url;
    const char *actor; /* who started it: consents.granted_by */
    /* Hex SHA-256 of the browser's binding nonce; NULL when no browser has
     * taken the flow yet (started with an API key). */
    const char *binding_hash;
    const struct secret *verifier; /* the PKCE code_verifier, sealed here */
};

/* A flow as stored; strings owned, freed by oauth_state_dispose. */
struct oauth_state {
    char *tenant_id, *connector, *integration_id, *integration_name, *redirect_uri, *return_url,
        *scopes, *authorize_url, *actor;
    int64_t created_at, expires_at;
};

void oauth_state_dispose(struct oauth_state *s);

/* A new state value: OAUTH_STATE_RANDOM bytes from the CSPRNG, base64url. */
void oauth_state_new_id(char out[OAUTH_STATE_MAX]);

/* Store flow state (from oauth_state_new_id), expiring at now +
 * OAUTH_STATE_TTL_S. ERR_CONFLICT if the state exists (never, in practice);
 * errors of the vault and the database. */
MUST_CHECK int oauth_state_create(struct db *db, const struct vault *v, const char *state,
                                  const struct oauth_state_new *in, int64_t now, struct err *err);

/* Bind a flow no browser has taken yet to binding_hash, and return it in
 * *out (OUT, oauth_state_dispose) for its authorize_url: the link a flow
 * started with an API key hands out works in the first browser that opens
 * it, and only there. ERR_NOTFOUND when the state is unknown, used or
 * expired; ERR_CONFLICT when a browser has taken it already. */
MUST_CHECK int oauth_state_bind(struct oauth_state *out, struct db *db, const char *state,
                                const char *binding_hash, int64_t now, struct err *err);

/* Take a flow at its callback: the row is deleted whatever follows (a
 * state works once), then checked. *out (OUT, oauth_state_dispose) and
 * *verifier (OUT, secret_dispose) are filled on success only.
 * ERR_NOTFOUND when the state is unknown or was used; ERR_INVALID
 * ("expired") past its lifetime; ERR_CONFLICT when binding_hash (NULL: the
 * browser sent no cookie) is not the one the flow was bound to. */
MUST_CHECK int oauth_state_take(struct oauth_state *out, struct secret *verifier, struct db *db,
                                const struct vault *v, const char *state, const char *binding_hash,
                                int64_t now, struct err *err);

/* Delete the flows that expired before now; *n (OUT, may be NULL) gets how
 * many. Housekeeping. */
MUST_CHECK int oauth_state_purge(int64_t *n, struct db *db, int64_t now, struct err *err);

#endif
