/* crypto/random.c - RAND_bytes behind an interface that cannot fail. OpenSSL
 * 3 reseeds from the OS and notices fork(), so no state is kept here. */
#include "crypto/random.h"

#include <assert.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

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
