/* crypto/pkce.c - see pkce.h. */
#include "crypto/pkce.h"

#include "core/encode.h"
#include "crypto/hash.h"
#include "crypto/random.h"

_Static_assert(ENCODE_B64URL_LEN(HASH_SHA256_LEN) == PKCE_CHALLENGE_LEN, "one SHA-256");
_Static_assert(ENCODE_B64URL_LEN(PKCE_VERIFIER_RANDOM) >= 43 &&
                   ENCODE_B64URL_LEN(PKCE_VERIFIER_RANDOM) <= 128,
               "RFC 7636 section 4.1: 43 to 128 characters");

void pkce_verifier(struct secret *out)
{
    random_token(out, PKCE_VERIFIER_RANDOM);
}

void pkce_challenge(char out[PKCE_CHALLENGE_LEN + 1], const char *verifier, size_t n)
{
    unsigned char d[HASH_SHA256_LEN];
    hash_sha256(d, verifier, n);
    encode_b64url_format(out, d, sizeof(d));
}
