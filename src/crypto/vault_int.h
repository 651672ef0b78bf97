/* crypto/vault_int.h - what vault.c (sealing) and vault_keys.c (key sources)
 * share. Nothing outside src/crypto/vault*.c may include it. */
#ifndef INLET_CRYPTO_VAULT_INT_H
#define INLET_CRYPTO_VAULT_INT_H
#include <stdbool.h>
#include <stddef.h>

#include <openssl/evp.h>

#include "crypto/vault.h"

struct vault_key {
    char id[VAULT_ID_MAX + 1];        /* NUL-terminated, valid per vault__id_bad */
    unsigned char key[VAULT_KEY_LEN]; /* wiped by vault_free */
};

struct vault {
    struct vault_key *keys; /* from xcalloc; keys[0] seals; wiped by vault_free */
    size_t n;               /* 1..VAULT_MAX_KEYS */
    EVP_CIPHER *cipher;     /* AES-256-GCM, fetched once; EVP_CIPHER_free */
};

/* Make a ring of the n keys at keys (from xcalloc, keys[0] active), taking
 * them in all cases: on failure they are wiped and freed. ERR_CRYPTO when
 * OpenSSL has no AES-256-GCM. */
MUST_CHECK int vault__new(struct vault **out, struct vault_key *keys, size_t n, struct err *err);

/* Offset of the first byte of id[0..n) that may not appear in a key id, or
 * n when all may (the length is not checked). */
size_t vault__id_bad(const char *id, size_t n);

#endif
