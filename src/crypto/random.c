/* crypto/random.c - RAND_bytes behind an interface that cannot fail. OpenSSL
 * 3 reseeds from the OS and notices fork(), so no state is kept here. */
#include "crypto/random.h"

#include <assert.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/rand.h>

#include "core/alloc.h"
#include "core/encode.h"

void random_bytes(void *buf, size_t n)
{
    unsigned char *p = buf;
    while (n) {
        int chunk = n > INT_MAX ? INT_MAX : (int)n;
        if (RAND_bytes(p, chunk) != 1) {
            fprintf(stderr, "{\"level\":\"fatal\",\"msg\":\"CSPRNG failed\",\"openssl\":\"%lx\"}\n",
                    ERR_get_error());
            abort();
        }
        p += chunk;
        n -= (size_t)chunk;
    }
}

void random_token(struct secret *out, size_t nbytes)
{
    unsigned char raw[RANDOM_TOKEN_MAX_BYTES];
    assert(nbytes > 0 && nbytes <= RANDOM_TOKEN_MAX_BYTES);

    char *text = xmalloc(ENCODE_B64URL_LEN(nbytes) + 1);
    random_bytes(raw, nbytes);
    size_t n = encode_b64url_format(text, raw, nbytes);
    secret_wipe(raw, nbytes);
    secret_take(out, (unsigned char *)text, n);
}

void random_prefixed_token(struct secret *out, const char *prefix, size_t nbytes)
{
    struct secret rnd = {0};
    size_t plen = strlen(prefix);

    random_token(&rnd, nbytes);
    unsigned char *text = xmalloc(plen + rnd.n + 1);
    memcpy(text, prefix, plen); // NOLINT(bugprone-not-null-terminated-result)
    memcpy(text + plen, rnd.p, rnd.n + 1);
    secret_take(out, text, plen + rnd.n);
    secret_dispose(&rnd);
}
