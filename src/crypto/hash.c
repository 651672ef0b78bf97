/* crypto/hash.c - thin wrappers over OpenSSL's one-shot digest and MAC. The
 * empty-input cases pass "" rather than NULL: some OpenSSL versions treat a
 * NULL HMAC key as "reuse the previous one". */
#include "crypto/hash.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/encode.h"

static void die(const char *what)
{
    fprintf(stderr, "{\"level\":\"fatal\",\"msg\":\"%s failed\",\"openssl\":\"%lx\"}\n", what,
            ERR_get_error());
    abort();
}

void hash_sha256(unsigned char out[HASH_SHA256_LEN], const void *data, size_t n)
{
    unsigned int len = 0;
    if (!EVP_Digest(n ? data : "", n, out, &len, EVP_sha256(), NULL) || len != HASH_SHA256_LEN)
        die("SHA-256");
}

void hash_sha256_hex(char out[HASH_SHA256_HEX_LEN + 1], const void *data, size_t n)
{
    unsigned char md[HASH_SHA256_LEN];
    hash_sha256(md, data, n);
    encode_hex_format(out, md, sizeof(md));
}

void hash_hmac_sha256(unsigned char out[HASH_SHA256_LEN], const void *key, size_t keylen,
                      const void *data, size_t n)
{
    unsigned int len = 0;
    if (keylen > INT_MAX)
        die("HMAC-SHA256 key length");
    if (!HMAC(EVP_sha256(), keylen ? key : "", (int)keylen, (const unsigned char *)(n ? data : ""),
              n, out, &len) ||
        len != HASH_SHA256_LEN)
        die("HMAC-SHA256");
}

void hash_hmac_sha256_hex(char out[HASH_SHA256_HEX_LEN + 1], const void *key, size_t keylen,
                          const void *data, size_t n)
{
    unsigned char md[HASH_SHA256_LEN];
    hash_hmac_sha256(md, key, keylen, data, n);
    encode_hex_format(out, md, sizeof(md));
}

bool hash_equal(const void *a, const void *b, size_t n)
{
    return n == 0 || CRYPTO_memcmp(a, b, n) == 0;
}
