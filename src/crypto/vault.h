/* crypto/vault.h - sealing secrets with AES-256-GCM under a keyring. Every
 * token, client secret and password is sealed before it reaches the database
 * and opened only when needed. A keyring holds (id, 32-byte key) pairs: the
 * first key seals, any key opens, which is what makes rotation possible.
 * Blob format, AAD convention and key sources: docs/internals/vault.md.
 *
 * A struct vault does not change after it is loaded, so any number of threads
 * may seal and open with it at once. */
#ifndef INLET_CRYPTO_VAULT_H
#define INLET_CRYPTO_VAULT_H
#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "core/secret.h"

#define VAULT_KEY_LEN       32   /* bytes of an AES-256 key */
#define VAULT_ID_MAX        32   /* characters of a key id: 1..32 of A-Z a-z 0-9 _ - */
#define VAULT_MAX_KEYS      64   /* entries a keyring may hold */
#define VAULT_KEYS_MAX_LEN  8192 /* bytes of INLET_KEYS text or of a key file */
#define VAULT_VERSION       1    /* first byte of every blob this build writes */
#define VAULT_NONCE_LEN     12
#define VAULT_TAG_LEN       16
#define VAULT_PLAINTEXT_MAX (16u << 20) /* bytes one seal may hold */
#define VAULT_AAD_MAX       4096        /* bytes of associated data */
/* Bytes a blob adds to its plaintext for a key id of idlen characters. */
#define VAULT_OVERHEAD(idlen) (2 + (idlen) + VAULT_NONCE_LEN + VAULT_TAG_LEN)

struct vault;

/* Load a keyring from INLET_KEYS syntax: "id:base64key[,id:base64key...]",
 * where ids are 1..VAULT_ID_MAX characters of A-Z a-z 0-9 _ -, unique, and
 * each key is padded base64 of exactly 32 bytes (`openssl rand -base64 32`).
 * The first entry is the active key. White space around the whole text and
 * around entries is ignored. var names the source in messages, for example
 * "INLET_KEYS". *out is the caller's (vault_free). ERR_INVALID says which
 * entry and what is wrong with it, for example
 *   INLET_KEYS: entry 2 ("k2"): key is 16 bytes, expected 32 (...)
 * and never includes key material; ERR_TOOBIG past VAULT_KEYS_MAX_LEN bytes
 * or VAULT_MAX_KEYS entries. ERR_CRYPTO if OpenSSL lacks AES-256-GCM. */
MUST_CHECK int vault_parse_keys(struct vault **out, const struct secret *text, const char *var,
                                struct err *err);

/* Load a one-key ring from INTEGRATION_ENCRYPTION_KEY syntax: 64 hex
 * characters or padded base64 of 32 bytes, white space around it ignored.
 * The key's id is derived from the key itself ("k" and 8 hex characters, see
 * vault.md), so the same key always has the same id. Errors as for
 * vault_parse_keys, for example
 *   INTEGRATION_ENCRYPTION_KEY: expected 64 hex characters or base64 of 32 bytes (...) */
MUST_CHECK int vault_parse_single_key(struct vault **out, const struct secret *text,
                                      const char *var, struct err *err);

/* The embedded default: load the keyring from the key file at path, or, when
 * there is no file, generate a key and create the file holding it. The file
 * is one line of INLET_KEYS syntax ("id:base64key\n"), so it can be moved
 * into INLET_KEYS as it is. A new file is written under a temporary name in
 * the same directory with mode 0600, synced, and linked into place only if
 * no file appeared meanwhile (then that one is loaded), so a reader never
 * sees half a file and two processes starting at once agree on one key.
 * *created (OUT) says whether this call made the file; the caller logs it.
 * ERR_INVALID when the file is not a regular file, when its mode gives group
 * or others any access (it must be 0600 or stricter), or when its content is
 * malformed (messages start "key file <path>: "); ERR_IO when it cannot be
 * read or created (a missing directory is not created). */
MUST_CHECK int vault_load_or_create_file(struct vault **out, const char *path, bool *created,
                                         struct err *err);

/* A new key from the CSPRNG as one INLET_KEYS entry, "id:base64key" with the
 * id derived as for vault_parse_single_key, into *out (secret_dispose). For
 * `inlet keys` and tests. */
void vault_key_generate(struct secret *out);

/* Wipe every key and free. NULL is a no-op. */
void vault_free(struct vault *v);

/* The id of the key that seals (the first). Borrowed from v. */
const char *vault_active_id(const struct vault *v);
/* True when a key with this id is in the ring. */
bool vault_has_key(const struct vault *v, const char *id);
/* Number of keys, and the id of key i (0 is active), borrowed from v. */
size_t vault_key_count(const struct vault *v);
const char *vault_key_id(const struct vault *v, size_t i);

/* Seal the n bytes at plaintext with the active key and a fresh random
 * 96-bit nonce. aad (aadlen bytes; NULL when 0) binds the blob to its owner:
 * it is not stored in the blob, and vault_open must be given the same bytes.
 * Pass "<table>/<tenant>/<row id>/<purpose>" (vault.md). The blob's header
 * (version, key id) is authenticated with it. *out (OUT, from xmalloc, xfree
 * it) gets the blob and *outlen (OUT) its length, n + VAULT_OVERHEAD(length
 * of the active id). ERR_TOOBIG past VAULT_PLAINTEXT_MAX or VAULT_AAD_MAX;
 * ERR_CRYPTO if OpenSSL fails. *out is untouched on failure. */
MUST_CHECK int vault_seal(unsigned char **out, size_t *outlen, const struct vault *v,
                          const void *plaintext, size_t n, const void *aad, size_t aadlen,
                          struct err *err);

/* Open a blob made by vault_seal with any key in the ring, checking that aad
 * is what it was sealed with. *out (OUT) gets the plaintext as a secret (NUL
 * after the last byte; secret_dispose it) and is set only on success: a
 * blob that fails to authenticate yields nothing, not even a prefix.
 * ERR_CRYPTO for a truncated or malformed blob, an unknown version, a key id
 * that is not in the ring ("sealed with key 'k9', which is not in the
 * keyring"), and for anything that fails authentication: a changed bit
 * anywhere, different aad, or a different key under the same id. ERR_TOOBIG
 * past the size caps. Messages name the key id, never key or plaintext. */
MUST_CHECK int vault_open(struct secret *out, const struct vault *v, const void *blob, size_t n,
                          const void *aad, size_t aadlen, struct err *err);

/* Read the id of the key that sealed blob, without opening it (rotation
 * finds what the active key has not sealed yet). id (OUT) gets it
 * NUL-terminated. ERR_CRYPTO when the header is truncated or malformed or of
 * an unknown version. The id is not authenticated until vault_open. */
MUST_CHECK int vault_blob_key_id(char id[VAULT_ID_MAX + 1], const void *blob, size_t n,
                                 struct err *err);

#endif
