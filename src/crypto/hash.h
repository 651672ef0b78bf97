/* crypto/hash.h - SHA-256, HMAC-SHA256 and constant-time comparison, from
 * OpenSSL. Used for stored API key hashes, webhook signatures, vault key ids
 * and anything compared against a secret. These cannot fail on valid
 * arguments; an OpenSSL failure (out of memory inside it) aborts. */
#ifndef INLET_CRYPTO_HASH_H
#define INLET_CRYPTO_HASH_H
#include <stdbool.h>
#include <stddef.h>

#define HASH_SHA256_LEN     32 /* bytes of a SHA-256 or HMAC-SHA256 digest */
#define HASH_SHA256_HEX_LEN 64 /* characters of one in hex, without the NUL */

/* SHA-256 of n bytes at data (data may be NULL when n is 0). */
void hash_sha256(unsigned char out[HASH_SHA256_LEN], const void *data, size_t n);
/* The same as lower-case hex, NUL-terminated. */
void hash_sha256_hex(char out[HASH_SHA256_HEX_LEN + 1], const void *data, size_t n);

/* HMAC-SHA256 (RFC 2104) of data under key; either may be empty (NULL with a
 * length of 0). */
void hash_hmac_sha256(unsigned char out[HASH_SHA256_LEN], const void *key, size_t keylen,
                      const void *data, size_t n);
/* The same as lower-case hex, NUL-terminated (GitHub's and Slack's webhook
 * signatures are spelled this way). */
void hash_hmac_sha256_hex(char out[HASH_SHA256_HEX_LEN + 1], const void *key, size_t keylen,
                          const void *data, size_t n);

/* True when the n bytes at a and b are equal, in time that depends on n only
 * (CRYPTO_memcmp). Use it for every comparison against a secret or a MAC.
 * The lengths are not secret: compare them first, in the open. */
bool hash_equal(const void *a, const void *b, size_t n);

#endif
