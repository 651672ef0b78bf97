/* store/connect_session.h - connect sessions (docs/embedding.md): a host
 * product asks for one on behalf of one of its users, and hands the token
 * to inlet's connect page, which connects one account with it and nothing
 * else. The token is shown once and stored as its SHA-256; it lives
 * CONNECT_SESSION_TTL seconds and is spent when the connection completes.
 * Every function but connect_session_verify runs in the caller's tenant
 * transaction. */
#ifndef INLET_STORE_CONNECT_SESSION_H
#define INLET_STORE_CONNECT_SESSION_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/id.h"
#include "core/secret.h"
#include "db/db.h"

#define CONNECT_SESSION_TTL    1800 /* seconds: 30 minutes */
#define CONNECT_TOKEN_PREFIX   "inlet_cs_"
#define CONNECT_TOKEN_RANDOM   32  /* random bytes: 256 bits */
#define CONNECT_TOKEN_TEXT_MAX 128 /* bytes of a token as a client may send it */

/* One session as stored. Strings are owned; connect_session_dispose. */
struct connect_session {
    char id[ID_MAX];
    char tenant_id[ID_MAX];
    char integration_id[ID_MAX]; /* "" while none */
    bool reconnect;              /* integration_id was given at creation */
    char *end_user;              /* JSON object text */
    char *allowed;               /* JSON array text of connector names; NULL: every one */
    char *return_url;
    char *created_by;
    int64_t created_at, expires_at, completed_at; /* unix seconds; completed_at 0: not yet */
    char outcome[16];      /* with completed_at: "connected" or "cancelled"; else "" */
    bool tenant_suspended; /* as read: its tenant was suspended */
};

void connect_session_dispose(struct connect_session *s);

/* What a session is made from; JSON texts the caller has checked. */
struct connect_session_in {
    const char *end_user;       /* JSON object text */
    const char *allowed;        /* JSON array text, or NULL */
    const char *integration_id; /* to reconnect, or NULL */
    const char *return_url;
    const char *created_by; /* the actor */
};

/* Make a session of tenant_id at now, valid CONNECT_SESSION_TTL seconds:
 * *out (OUT, connect_session_dispose) gets it, *token (OUT,
 * secret_dispose) its token, stored nowhere. */
MUST_CHECK int connect_session_create(struct connect_session *out, struct secret *token,
                                      struct db *db, const char *tenant_id,
                                      const struct connect_session_in *in, int64_t now,
                                      struct err *err);

/* The session of a token, outside any transaction (the tenant is not known
 * yet): *out (OUT, connect_session_dispose). ERR_NOTFOUND, with a message
 * that says which, for a token that is malformed or unknown, expired at
 * now, or spent (completed); the message never repeats the token. */
MUST_CHECK int connect_session_verify(struct connect_session *out, struct db *db, const char *token,
                                      size_t n, int64_t now, struct err *err);

/* True when text (n bytes) has the connect token prefix. */
bool connect_token_looks(const char *text, size_t n);

/* Session id of tenant_id into *out. ERR_NOTFOUND ("no connect session
 * <id>"). */
MUST_CHECK int connect_session_get(struct connect_session *out, struct db *db,
                                   const char *tenant_id, const char *id, struct err *err);

/* Record integration_id (NULL: none again) as the one the session made.
 * ERR_CONFLICT when it has one already. */
MUST_CHECK int connect_session_bind(struct db *db, const char *tenant_id, const char *id,
                                    const char *integration_id, struct err *err);

/* Spend the session at now with outcome ("connected" or "cancelled").
 * ERR_CONFLICT when it was spent already. */
MUST_CHECK int connect_session_complete(struct db *db, const char *tenant_id, const char *id,
                                        const char *outcome, int64_t now, struct err *err);

/* Whether the session lets its page connect connector. */
bool connect_session_allows(const struct connect_session *s, const char *connector);

/* "pending", "completed", "cancelled" or "expired", at now. */
const char *connect_session_status(const struct connect_session *s, int64_t now);

#endif
