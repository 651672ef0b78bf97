/* oauth/flow.h - connecting an account with the authorization code flow
 * and PKCE (RFC 6749 section 4.1, RFC 7636), from the start request to
 * the callback. Every flow is bound to one browser: a start from a
 * browser session binds it at once (a cookie holds a nonce whose hash the
 * flow keeps); a start with an API key (a backend, the CLI) hands out an
 * inlet link instead, and the first browser that opens it takes the flow.
 * A callback from any other browser is refused, so nobody can slip their
 * own provider account into someone else's integration. Routes:
 * api/oauth.c; the decisions: docs/oauth.md. */
#ifndef INLET_OAUTH_FLOW_H
#define INLET_OAUTH_FLOW_H
#include <stdbool.h>

#include "connectors/registry.h"
#include "core/err.h"
#include "core/id.h"
#include "crypto/vault.h"
#include "db/db.h"
#include "store/oauth_state.h"

#define OAUTH_NONCE_MAX 64 /* bytes of a binding nonce (43 characters) and its NUL */

/* What a flow runs with. db is one connection without a transaction. */
struct oauth_env {
    struct db *db;
    const struct vault *vault;
    const struct registry *reg;
    const char *public_url; /* "https://inlet.example.com": the callback's origin */
};

struct oauth_start_req {
    const char *tenant_id;
    const char *actor; /* who asks: an API key id, or 'ui:<key id>' */
    const char *connector;
    const char *integration_id; /* connect or reconnect this one, or */
    const char *name;           /* create one of this name when the flow succeeds */
    const char *return_to;      /* where to land afterwards (same origin); NULL: the UI */
    bool browser;               /* asked from a browser session: bind the flow to it now */
};

struct oauth_started {
    char state[OAUTH_STATE_MAX];
    char *location;              /* xmalloc: the provider (browser) or inlet's link */
    char nonce[OAUTH_NONCE_MAX]; /* browser: the binding cookie's value; "" otherwise */
};

void oauth_started_dispose(struct oauth_started *s);

/* The callback's path, under the public URL. */
#define OAUTH_CALLBACK_PATH "/api/oauth/callback"
/* The link a flow started with an API key hands out: PATH?state=... */
#define OAUTH_LINK_PATH "/api/oauth/go"

/* Start a flow: check the connector (oauth2), the integration (the
 * tenant's, of that connector) or the name (free), the client
 * (oauth/client.h) and return_to; make the verifier, the state and the
 * authorize URL; store the flow. ERR_INVALID with "field: problem" for a
 * bad request, ERR_NOTFOUND for an unknown connector or integration or a
 * missing OAuth app, ERR_CONFLICT for a name taken. */
MUST_CHECK int oauth_start(struct oauth_started *out, const struct oauth_env *env,
                           const struct oauth_start_req *in, struct err *err);

/* GET OAUTH_LINK_PATH: give a flow started with an API key to the browser
 * opening the link: *out gets a new nonce (its cookie) and the provider's
 * authorize URL. ERR_NOTFOUND for an unknown, used or expired link,
 * ERR_CONFLICT when another browser took it. */
MUST_CHECK int oauth_take_link(struct oauth_started *out, const struct oauth_env *env,
                               const char *state, struct err *err);

/* The name of the cookie binding flow state to the browser: one per flow,
 * so that two flows in two tabs do not overwrite each other. */
void oauth_cookie_name(char out[40], const char *state);

struct oauth_callback_req {
    const char *state;
    const char *code;
    const char *error; /* the provider's refusal (access_denied, ...), or NULL */
    const char *error_description;
    const char *nonce; /* the binding cookie's value, or NULL */
};

/* The outcome of a callback. When the state was good (known), the browser
 * goes to redirect (return_to or the UI, with the outcome in its query);
 * otherwise the caller shows message on an error page of its own. */
struct oauth_outcome {
    bool known;
    bool ok;
    char integration_id[ID_MAX];
    char *redirect; /* xmalloc, when known */
    char message[ERR_MSG_MAX];
    char error[64]; /* a short code: access_denied, invalid_state, exchange_failed, ... */
};

void oauth_outcome_dispose(struct oauth_outcome *o);

/* Finish a flow: take the state (single use, bound to this browser), and
 * unless the provider refused, exchange the code with the verifier and the
 * client's credentials, seal the tokens, keep the connection (identity,
 * token metadata), record the consent, create or activate the integration.
 * A failure leaves the integration as it was. Never fails as a function:
 * everything is in *out (OUT, oauth_outcome_dispose). */
void oauth_callback(struct oauth_outcome *out, const struct oauth_env *env,
                    const struct oauth_callback_req *in);

#endif
