/* crypto/vault.c - the keyring and AES-256-GCM sealing. A blob is
 * version | id length | id | nonce | ciphertext | tag; the header bytes go
 * into GCM's associated data ahead of the caller's, so neither the version
 * nor the key id can be changed without the tag failing. Key sources (the
 * environment, the key file) are in vault_keys.c. */
#include "crypto/vault.h"

#include <assert.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "core/alloc.h"
#include "crypto/random.h"
#include "crypto/vault_int.h"

/* Where the parts of a blob sit, once its header has been checked. */
struct blob {
    const unsigned char *p;
    size_t n;
    size_t idlen;  /* key id at p + 2 */
    size_t header; /* 2 + idlen: the bytes authenticated ahead of the AAD */
};

int vault__new(struct vault **out, struct vault_key *keys, size_t n, struct err *err)
{
    assert(n > 0 && n <= VAULT_MAX_KEYS);
    EVP_CIPHER *cipher = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
    if (!cipher) {
        OPENSSL_cleanse(keys, n * sizeof(*keys));
        xfree(keys);
        ERR_clear_error();
        return err_set(err, ERR_CRYPTO, "AES-256-GCM is not available from OpenSSL");
    }
    struct vault *v = xcalloc(1, sizeof(*v));
    v->keys = keys;
    v->n = n;
    v->cipher = cipher;
    *out = v;
    return 0;
}

void vault_free(struct vault *v)
{
    if (!v)
        return;
    OPENSSL_cleanse(v->keys, v->n * sizeof(*v->keys));
    xfree(v->keys);
    EVP_CIPHER_free(v->cipher);
    xfree(v);
}

size_t vault__id_bad(const char *id, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = id[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-'))
            return i;
    }
    return n;
}

const char *vault_active_id(const struct vault *v)
{
    return v->keys[0].id;
}

size_t vault_key_count(const struct vault *v)
{
    return v->n;
}

const char *vault_key_id(const struct vault *v, size_t i)
{
    assert(i < v->n);
    return v->keys[i].id;
}

static const struct vault_key *find_key(const struct vault *v, const char *id, size_t idlen)
{
    for (size_t i = 0; i < v->n; i++)
        if (strlen(v->keys[i].id) == idlen && memcmp(v->keys[i].id, id, idlen) == 0)
            return &v->keys[i];
    return NULL;
}

bool vault_has_key(const struct vault *v, const char *id)
{
    return find_key(v, id, strlen(id)) != NULL;
}

/* The error paths below return ERR_CRYPTO themselves rather than err_set's
 * result, which clang's analyzer cannot see through. */
static int truncated(size_t n, size_t need, struct err *err)
{
    err_set(err, ERR_CRYPTO,
            "sealed value is truncated: %zu bytes, a version %d value is at least %zu", n,
            VAULT_VERSION, need);
    return ERR_CRYPTO;
}

/* Check everything up to the nonce; the key id is then safe to print. */
static int parse_header(struct blob *b, const void *p, size_t n, struct err *err)
{
    const unsigned char *u = p;

    if (n < 1)
        return truncated(n, VAULT_OVERHEAD(1), err);
    if (u[0] != VAULT_VERSION) {
        err_set(err, ERR_CRYPTO,
                "sealed value has unknown format version %u (this build reads version %d)", u[0],
                VAULT_VERSION);
        return ERR_CRYPTO;
    }
    if (n < 2)
        return truncated(n, VAULT_OVERHEAD(1), err);
    size_t idlen = u[1];
    if (idlen == 0 || idlen > VAULT_ID_MAX) {
        err_set(err, ERR_CRYPTO,
                "sealed value is malformed: key id length %zu at byte 1 (expected 1..%d)", idlen,
                VAULT_ID_MAX);
        return ERR_CRYPTO;
    }
    if (n < 2 + idlen)
        return truncated(n, VAULT_OVERHEAD(idlen), err);
    size_t bad = vault__id_bad((const char *)u + 2, idlen);
    if (bad < idlen) {
        err_set(err, ERR_CRYPTO,
                "sealed value is malformed: key id has a byte other than A-Z a-z 0-9 _ - at "
                "byte %zu",
                2 + bad);
        return ERR_CRYPTO;
    }
    b->p = u;
    b->n = n;
    b->idlen = idlen;
    b->header = 2 + idlen;
    return 0;
}

int vault_blob_key_id(char id[VAULT_ID_MAX + 1], const void *blob, size_t n, struct err *err)
{
    struct blob b = {0}; /* set by parse_header on success */
    int rc = parse_header(&b, blob, n, err);
    if (rc < 0)
        return rc;
    memcpy(id, b.p + 2, b.idlen);
    id[b.idlen] = '\0';
    return 0;
}

static int openssl_failed(const char *what, struct err *err)
{
    char reason[128];
    ERR_error_string_n(ERR_peek_last_error(), reason, sizeof(reason));
    ERR_clear_error();
    return err_set(err, ERR_CRYPTO, "AES-256-GCM %s failed in OpenSSL: %s", what, reason);
}

int vault_seal(unsigned char **out, size_t *outlen, const struct vault *v, const void *plaintext,
               size_t n, const void *aad, size_t aadlen, struct err *err)
{
    const struct vault_key *k = &v->keys[0];
    size_t idlen = strlen(k->id), total;
    unsigned char *b = NULL;
    EVP_CIPHER_CTX *ctx = NULL;
    int len, rc = 0;

    if (n > VAULT_PLAINTEXT_MAX)
        return err_set(err, ERR_TOOBIG, "value to seal is %zu bytes, at most %u", n,
                       VAULT_PLAINTEXT_MAX);
    if (aadlen > VAULT_AAD_MAX)
        return err_set(err, ERR_TOOBIG, "associated data is %zu bytes, at most %d", aadlen,
                       VAULT_AAD_MAX);

    total = n + VAULT_OVERHEAD(idlen);
    b = xmalloc(total);
    b[0] = VAULT_VERSION;
    b[1] = (unsigned char)idlen;
    memcpy(b + 2, k->id, idlen);
    unsigned char *nonce = b + 2 + idlen;
    unsigned char *ct = nonce + VAULT_NONCE_LEN;
    random_bytes(nonce, VAULT_NONCE_LEN);

    ctx = EVP_CIPHER_CTX_new();
    if (!ctx || !EVP_EncryptInit_ex2(ctx, v->cipher, k->key, nonce, NULL) ||
        !EVP_EncryptUpdate(ctx, NULL, &len, b, (int)(2 + idlen)) ||
        (aadlen && !EVP_EncryptUpdate(ctx, NULL, &len, aad, (int)aadlen)) ||
        (n && !EVP_EncryptUpdate(ctx, ct, &len, plaintext, (int)n)) ||
        !EVP_EncryptFinal_ex(ctx, ct + n, &len) ||
        !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, VAULT_TAG_LEN, ct + n)) {
        rc = openssl_failed("seal", err);
        goto done;
    }
    *out = b;
    *outlen = total;
    b = NULL;
done:
    EVP_CIPHER_CTX_free(ctx);
    xfree(b);
    return rc;
}

int vault_open(struct secret *out, const struct vault *v, const void *blob, size_t n,
               const void *aad, size_t aadlen, struct err *err)
{
    struct blob b = {0}; /* set by parse_header on success */
    unsigned char *pt = NULL;
    unsigned char tag[VAULT_TAG_LEN];
    EVP_CIPHER_CTX *ctx = NULL;
    int len, rc;

    if (n > VAULT_PLAINTEXT_MAX + VAULT_OVERHEAD(VAULT_ID_MAX))
        return err_set(err, ERR_TOOBIG, "sealed value is %zu bytes, at most %u", n,
                       VAULT_PLAINTEXT_MAX + VAULT_OVERHEAD(VAULT_ID_MAX));
    if (aadlen > VAULT_AAD_MAX)
        return err_set(err, ERR_TOOBIG, "associated data is %zu bytes, at most %d", aadlen,
                       VAULT_AAD_MAX);
    rc = parse_header(&b, blob, n, err);
    if (rc < 0)
        return rc;
    if (n < VAULT_OVERHEAD(b.idlen))
        return truncated(n, VAULT_OVERHEAD(b.idlen), err);
    const char *id = (const char *)b.p + 2;
    const struct vault_key *k = find_key(v, id, b.idlen);
    if (!k)
        return err_set(err, ERR_CRYPTO, "sealed with key '%.*s', which is not in the keyring",
                       (int)b.idlen, id);

    const unsigned char *nonce = b.p + b.header;
    const unsigned char *ct = nonce + VAULT_NONCE_LEN;
    size_t ctlen = n - VAULT_OVERHEAD(b.idlen);
    memcpy(tag, ct + ctlen, VAULT_TAG_LEN);
    pt = xmalloc(ctlen + 1);

    ctx = EVP_CIPHER_CTX_new();
    if (!ctx || !EVP_DecryptInit_ex2(ctx, v->cipher, k->key, nonce, NULL) ||
        !EVP_DecryptUpdate(ctx, NULL, &len, b.p, (int)b.header) ||
        (aadlen && !EVP_DecryptUpdate(ctx, NULL, &len, aad, (int)aadlen)) ||
        (ctlen && !EVP_DecryptUpdate(ctx, pt, &len, ct, (int)ctlen)) ||
        !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, VAULT_TAG_LEN, tag)) {
        rc = openssl_failed("open", err);
        goto done;
    }
    /* Only here is anything known about the plaintext: until the tag
     * checks, pt holds bytes nobody may see. */
    if (EVP_DecryptFinal_ex(ctx, pt + ctlen, &len) <= 0) {
        ERR_clear_error();
        rc = err_set(err, ERR_CRYPTO,
                     "sealed value failed to authenticate under key '%s': "
                     "it was changed, or sealed with other associated data or another key "
                     "of that id",
                     k->id);
        goto done;
    }
    pt[ctlen] = '\0';
    secret_take(out, pt, ctlen);
    pt = NULL;
done:
    EVP_CIPHER_CTX_free(ctx);
    if (pt) {
        OPENSSL_cleanse(pt, ctlen);
        xfree(pt);
    }
    return rc;
}
