/* fuzz/fuzz_vault_open.c - arbitrary bytes as a sealed blob into vault_open
 * and vault_blob_key_id, under a fixed test keyring ("fuzz" = bytes 0..31,
 * "old" = bytes 100..131). Each input is tried twice: whole, with the AAD
 * FUZZ_AAD; then with its first byte saying how many of the next bytes are
 * the AAD and the rest the blob. The corpus holds blobs sealed both ways. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "crypto/vault.h"

#define FUZZ_AAD "credentials/fuzz/1/token"

static const char ring_text[] = "fuzz:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=,"
                                "old:ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH1+f4CBgoM=";

static const struct vault *ring(void)
{
    static struct vault *v;
    if (!v) {
        struct secret s = {0};
        secret_set(&s, ring_text, sizeof(ring_text) - 1);
        if (vault_parse_keys(&v, &s, "ring", NULL) != 0)
            abort();
        secret_dispose(&s);
    }
    return v;
}

static void try_open(const struct vault *v, const uint8_t *blob, size_t n, const void *aad,
                     size_t aadlen)
{
    struct secret out = {0};
    struct err e = {0};
    char id[VAULT_ID_MAX + 1];

    int rc = vault_open(&out, v, blob, n, aad, aadlen, &e);
    if (rc == 0) {
        /* Only a blob we sealed opens, and it re-seals to the same text. */
        unsigned char *again = NULL;
        size_t againlen = 0;
        struct secret back = {0};
        if (out.p[out.n] != '\0' || vault_blob_key_id(id, blob, n, NULL) != 0 ||
            !vault_has_key(v, id))
            abort();
        if (vault_seal(&again, &againlen, v, out.p, out.n, aad, aadlen, NULL) != 0 ||
            vault_open(&back, v, again, againlen, aad, aadlen, NULL) != 0 || back.n != out.n ||
            (out.n && memcmp(back.p, out.p, out.n) != 0))
            abort();
        secret_dispose(&back);
        xfree(again);
        secret_dispose(&out);
        return;
    }
    /* A failure yields nothing and says why on one line. */
    if (out.p || out.n || e.code != rc || !e.msg[0] || strchr(e.msg, '\n'))
        abort();
    if (vault_blob_key_id(id, blob, n, NULL) == 0 && (!id[0] || strlen(id) > VAULT_ID_MAX))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    try_open(ring(), data, size, FUZZ_AAD, strlen(FUZZ_AAD));
    if (size) {
        size_t aadlen = data[0] < size - 1 ? data[0] : size - 1;
        try_open(ring(), data + 1 + aadlen, size - 1 - aadlen, data + 1, aadlen);
    }
    return 0;
}
