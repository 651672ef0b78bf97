/* crypto/random.h - unpredictable bytes from OpenSSL's CSPRNG, and tokens made
 * of them. Used for vault nonces and keys, API keys, OAuth states and PKCE
 * verifiers. A CSPRNG that fails cannot be worked around, so like running out
 * of memory it aborts instead of returning an error. */
#ifndef INLET_CRYPTO_RANDOM_H
#define INLET_CRYPTO_RANDOM_H
#include <stddef.h>

#include "core/secret.h"

/* Most bytes random_token takes: tokens are short by nature. */
#define RANDOM_TOKEN_MAX_BYTES 1024

/* Fill buf with n bytes from RAND_bytes. Aborts, after a fatal log line on
 * stderr, if OpenSSL cannot provide them. Safe from any thread. */
void random_bytes(void *buf, size_t n);

/* A new token of nbytes random bytes (1..RANDOM_TOKEN_MAX_BYTES), as
 * base64url without padding (ENCODE_B64URL_LEN(nbytes) characters of
 * A-Z a-z 0-9 - _), NUL-terminated, into *out, which the caller disposes with
 * secret_dispose. 32 bytes gives 43 characters and 256 bits. */
void random_token(struct secret *out, size_t nbytes);

/* prefix (such as "inlet_sk_") followed by random_token(nbytes), into *out
 * (secret_dispose), built in one fixed allocation so that no copy of the
 * token is left behind in freed memory. For API keys and other bearer
 * tokens whose prefix tells their kind at a glance. */
void random_prefixed_token(struct secret *out, const char *prefix, size_t nbytes);

#endif
