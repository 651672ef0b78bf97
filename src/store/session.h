/* store/session.h - the web UI's sign-in sessions. POST /api/session trades
 * a tenant API key for a session token (the HttpOnly cookie) and a CSRF
 * token (for the X-CSRF-Token header). The database keeps only the token's
 * SHA-256; the CSRF token is an HMAC of the session token, so it needs no
 * storage and cannot be derived without the cookie. A session lives
 * SESSION_TTL seconds and dies with the API key that opened it. */
#ifndef INLET_STORE_SESSION_H
#define INLET_STORE_SESSION_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/id.h"
#include "core/secret.h"
#include "db/db.h"

#define SESSION_TTL       (12 * 3600) /* seconds */
#define SESSION_TOKEN_MAX 128         /* bytes of a token as a client may send it */
#define SESSION_CSRF_LEN  43          /* base64url characters of a CSRF token */

/* Open a session for API key key_id of tenant_id, until now + SESSION_TTL:
 * *token (OUT, secret_dispose) gets the cookie value ("inlet_ss_" and 43
 * base64url characters), csrf (OUT) the CSRF token. Runs one statement (no
 * transaction needed). ERR_NOTFOUND ("unknown or revoked API key") when
 * key_id is not a live key of tenant_id; *token is then empty. */
MUST_CHECK int session_create(struct secret *token, char csrf[SESSION_CSRF_LEN + 1], struct db *db,
                              const char *tenant_id, const char *key_id, int64_t now,
                              struct err *err);

/* Look a token up: tenant_id and key_id (OUT) get who it is for,
 * *suspended_at (OUT, may be NULL) when its tenant was suspended (0 while
 * active) - the caller refuses it, saying why. ERR_NOTFOUND ("session expired or unknown") when the
 * token is malformed, unknown, expired, or its API key has been revoked. */
MUST_CHECK int session_verify(char tenant_id[ID_MAX], char key_id[ID_MAX], int64_t *suspended_at,
                              struct db *db, const char *token, size_t n, int64_t now,
                              struct err *err);

/* End the session of token (no error when it does not exist). Expired
 * sessions are swept at the same time. */
MUST_CHECK int session_delete(struct db *db, const char *token, size_t n, int64_t now,
                              struct err *err);

/* The CSRF token of a session token, base64url(HMAC-SHA256(key = token,
 * "inlet-csrf-v1")) without padding, and the constant-time check of one a
 * client sent (given may be NULL: false). */
void session_csrf(char csrf[SESSION_CSRF_LEN + 1], const char *token, size_t n);
bool session_csrf_ok(const char *token, size_t n, const char *given);

#endif
