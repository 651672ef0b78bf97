/* crypto/pkce.h - Proof Key for Code Exchange (RFC 7636), S256 only: the
 * verifier a flow keeps and the challenge it sends. The sandbox's
 * authorization servers check challenges with the same function. */
#ifndef INLET_CRYPTO_PKCE_H
#define INLET_CRYPTO_PKCE_H
#include <stddef.h>

#include "core/secret.h"

#define PKCE_VERIFIER_RANDOM 48 /* random bytes: 64 base64url characters (43..128 allowed) */
#define PKCE_CHALLENGE_LEN   43 /* base64url of a SHA-256, without '=' */

/* A new verifier: PKCE_VERIFIER_RANDOM bytes from the CSPRNG as base64url
 * (the unreserved characters RFC 7636 allows). *out (OUT, secret_dispose). */
void pkce_verifier(struct secret *out);

/* The S256 challenge of verifier[0..n): base64url(SHA-256(verifier)). */
void pkce_challenge(char out[PKCE_CHALLENGE_LEN + 1], const char *verifier, size_t n);

#endif
