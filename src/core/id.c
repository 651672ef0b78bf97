/* core/id.c - ULID-layout ids behind a type prefix. The 16 bytes (6 of time,
 * big-endian, then 10 random) are written as 26 base32 digits, most
 * significant first, the first digit carrying only the top 3 bits; that is
 * why the text sorts like the bytes. */
#include "core/id.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "core/time.h"

static const char alphabet[32] = "0123456789abcdefghjkmnpqrstvwxyz";

/* The value of a lower-case Crockford digit, or -1. */
static int digit_value(char c)
{
    const char *p = c ? memchr(alphabet, c, sizeof(alphabet)) : NULL;
    return p ? (int)(p - alphabet) : -1;
}

/* Fill p with n random bytes, or abort: there is no sensible way to go on
 * without them, as there is none without memory. */
static void random_bytes(unsigned char *p, size_t n)
{
    while (n > 0) {
        ssize_t got = getrandom(p, n, 0);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "{\"level\":\"fatal\",\"msg\":\"getrandom failed\",\"errno\":%d}\n",
                    errno);
            abort();
        }
        p += got;
        n -= (size_t)got;
    }
}

/* Length of the prefix of s made of a-z, up to ID_PREFIX_MAX + 1. */
static size_t letters(const char *s)
{
    size_t k = 0;
    while (k <= ID_PREFIX_MAX && s[k] >= 'a' && s[k] <= 'z')
        k++;
    return k;
}

void id_new(char out[ID_MAX], const char *prefix)
{
    size_t plen = letters(prefix);
    assert(plen >= 1 && plen <= ID_PREFIX_MAX && prefix[plen] == '\0');

    unsigned char bytes[16];
    int64_t now = time_now_ms();
    uint64_t ms = now > 0 ? (uint64_t)now : 0;
    for (int i = 5; i >= 0; i--, ms >>= 8)
        bytes[i] = (unsigned char)(ms & 0xff);
    random_bytes(bytes + 6, 10);

    memcpy(out, prefix, plen);
    char *body = out + plen;
    *body++ = '_';
    /* Digit k holds bits [128 - 5 * (26 - k), ...) of the 130-bit field whose
     * top two bits are zero; walk the bytes as a bit stream. */
    unsigned acc = 0; /* pending bits, at most 12 */
    int bits = 2;     /* the two zero bits in front of the 128 */
    size_t next = 0;
    for (int k = 0; k < ID_BODY_LEN; k++) {
        while (bits < 5) {
            acc = (acc << 8) | bytes[next++];
            bits += 8;
        }
        bits -= 5;
        body[k] = alphabet[(acc >> bits) & 31];
        acc &= (1u << bits) - 1;
    }
    body[ID_BODY_LEN] = '\0';
}

bool id_valid(const char *s, const char *prefix)
{
    if (!s)
        return false;
    size_t plen;
    if (prefix) {
        plen = strlen(prefix);
        assert(plen >= 1 && plen <= ID_PREFIX_MAX && letters(prefix) == plen);
        if (strncmp(s, prefix, plen) != 0)
            return false;
    } else {
        plen = letters(s);
        if (plen < 1 || plen > ID_PREFIX_MAX)
            return false;
    }
    s += plen;
    if (*s++ != '_')
        return false;
    for (int k = 0; k < ID_BODY_LEN; k++) {
        int v = digit_value(s[k]);
        if (v < 0 || (k == 0 && v > 7))
            return false;
    }
    return s[ID_BODY_LEN] == '\0';
}

int64_t id_time_ms(const char *id)
{
    if (!id_valid(id, NULL))
        return -1;
    const char *body = strchr(id, '_') + 1;
    /* The first 10 digits hold 50 bits: 2 zero bits and the 48-bit time. */
    uint64_t ms = 0;
    for (int k = 0; k < 10; k++)
        ms = ms << 5 | (uint64_t)digit_value(body[k]); /* valid digits: 0..31 */
    return (int64_t)ms;
}
