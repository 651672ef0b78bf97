/* fuzz/fuzz_keyring.c - arbitrary bytes as INLET_KEYS text into
 * vault_parse_keys, and as INTEGRATION_ENCRYPTION_KEY text into
 * vault_parse_single_key. Besides memory errors it checks that a message
 * never carries key material: no run of more than VAULT_ID_MAX base64 or
 * hex characters (a key id is the longest such run a message may hold). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "crypto/vault.h"

static int keyish(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/' || c == '=' || c == '-' || c == '_';
}

static void check_message(const struct err *e, int rc)
{
    size_t run = 0;
    if (e->code != rc || !e->msg[0])
        abort();
    for (const char *p = e->msg; *p; p++) {
        if (*p == '\n')
            abort();
        run = keyish(*p) ? run + 1 : 0;
        if (run > VAULT_ID_MAX)
            abort();
    }
}

static void check_ring(struct vault *v)
{
    unsigned char *blob = NULL;
    size_t n = 0;
    struct secret out = {0};

    if (vault_key_count(v) < 1 || vault_key_count(v) > VAULT_MAX_KEYS ||
        strcmp(vault_active_id(v), vault_key_id(v, 0)) != 0)
        abort();
    for (size_t i = 0; i < vault_key_count(v); i++)
        if (!vault_has_key(v, vault_key_id(v, i)))
            abort();
    if (vault_seal(&blob, &n, v, "x", 1, "a", 1, NULL) != 0 ||
        vault_open(&out, v, blob, n, "a", 1, NULL) != 0 || out.n != 1 || out.p[0] != 'x')
        abort();
    secret_dispose(&out);
    xfree(blob);
    vault_free(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct secret text = {0};
    struct vault *v = NULL;
    struct err e = {0};
    int rc;

    secret_set(&text, data, size);
    rc = vault_parse_keys(&v, &text, "INLET_KEYS", &e);
    if (rc == 0)
        check_ring(v);
    else if (v)
        abort();
    else
        check_message(&e, rc);

    v = NULL;
    rc = vault_parse_single_key(&v, &text, "INTEGRATION_ENCRYPTION_KEY", &e);
    if (rc == 0)
        check_ring(v);
    else if (v)
        abort();
    else
        check_message(&e, rc);
    secret_dispose(&text);
    return 0;
}
