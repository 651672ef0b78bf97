/* core/encode.c - hex and base64 in both alphabets. One bit accumulator
 * serves both base64 decoders; the strictness (length, padding placement,
 * zero trailing bits) is what makes a spelling canonical, which matters when
 * the text is a key or a token compared byte for byte. */
#include "core/encode.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/secret.h"

static const char hex_digits[] = "0123456789abcdef";
static const char b64_std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64_url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Wipe what a failed parse wrote (it may be half a key) and set the message
 * with the caller's `what` in front. */
__attribute__((format(printf, 5, 6))) static int
fail(unsigned char *dst, size_t wrote, const char *what, struct err *err, const char *fmt, ...)
{
    char msg[ERR_MSG_MAX];
    va_list ap;

    if (wrote)
        secret_wipe(dst, wrote);
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return err_set(err, ERR_INVALID, "%s%s%s", what ? what : "", what ? ": " : "", msg);
}

size_t encode_hex_format(char *dst, const void *src, size_t n)
{
    const unsigned char *s = src;
    for (size_t i = 0; i < n; i++) {
        dst[2 * i] = hex_digits[s[i] >> 4];
        dst[2 * i + 1] = hex_digits[s[i] & 15];
    }
    dst[2 * n] = '\0';
    return 2 * n;
}

static size_t b64_format(char *dst, const unsigned char *s, size_t n, const char *alphabet,
                         bool pad)
{
    size_t o = 0, i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];
        dst[o++] = alphabet[v >> 18];
        dst[o++] = alphabet[(v >> 12) & 63];
        dst[o++] = alphabet[(v >> 6) & 63];
        dst[o++] = alphabet[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)s[i] << 16;
        dst[o++] = alphabet[v >> 18];
        dst[o++] = alphabet[(v >> 12) & 63];
        if (pad) {
            dst[o++] = '=';
            dst[o++] = '=';
        }
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8;
        dst[o++] = alphabet[v >> 18];
        dst[o++] = alphabet[(v >> 12) & 63];
        dst[o++] = alphabet[(v >> 6) & 63];
        if (pad)
            dst[o++] = '=';
    }
    dst[o] = '\0';
    return o;
}

size_t encode_b64_format(char *dst, const void *src, size_t n)
{
    return b64_format(dst, src, n, b64_std, true);
}

size_t encode_b64url_format(char *dst, const void *src, size_t n)
{
    return b64_format(dst, src, n, b64_url, false);
}

int encode_hex_digit(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int encode_hex_parse(void *dst, size_t *len, const char *src, size_t n, const char *what,
                     struct err *err)
{
    unsigned char *d = dst;

    if (n % 2)
        return fail(d, 0, what, err, "hex length %zu is odd", n);
    for (size_t i = 0; i < n; i += 2) {
        int hi = encode_hex_digit((unsigned char)src[i]),
            lo = encode_hex_digit((unsigned char)src[i + 1]);
        if (hi < 0 || lo < 0)
            return fail(d, i / 2, what, err, "invalid hex character at byte %zu",
                        hi < 0 ? i : i + 1);
        d[i / 2] = (unsigned char)(hi << 4 | lo);
    }
    *len = n / 2;
    return 0;
}

static int b64_value(unsigned char c, bool url)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == (url ? '-' : '+'))
        return 62;
    if (c == (url ? '_' : '/'))
        return 63;
    return -1;
}

static int b64_parse(unsigned char *d, size_t *len, const char *src, size_t n, bool url,
                     const char *what, struct err *err)
{
    const char *name = url ? "base64url" : "base64";
    size_t data = n; /* characters that carry bits, padding excluded */
    size_t o = 0;
    uint32_t acc = 0;
    unsigned bits = 0;

    if (!url && n % 4)
        return fail(d, 0, what, err, "base64 length %zu is not a multiple of 4", n);
    if (url && n % 4 == 1)
        return fail(d, 0, what, err, "base64url length %zu is impossible (4k+1 characters)", n);
    if (!url && n && src[n - 1] == '=')
        data -= src[n - 2] == '=' ? 2 : 1;

    for (size_t i = 0; i < data; i++) {
        int v = b64_value((unsigned char)src[i], url);
        if (v < 0) {
            if (src[i] == '=' && url)
                return fail(d, o, what, err, "'=' at byte %zu: base64url takes no padding", i);
            if (src[i] == '=')
                return fail(d, o, what, err, "base64 padding '=' at byte %zu is not at the end", i);
            return fail(d, o, what, err, "invalid %s character at byte %zu", name, i);
        }
        acc = (acc << 6 | (uint32_t)v) & 0xffffff;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            d[o++] = (unsigned char)(acc >> bits);
        }
    }
    /* 2 or 4 bits are left over when the last group is short; a canonical
     * encoder sets them to zero, and accepting anything else would give one
     * byte string several spellings. */
    if (acc & ((1u << bits) - 1))
        return fail(d, o, what, err, "%s has non-zero trailing bits at byte %zu", name, data - 1);
    *len = o;
    return 0;
}

int encode_b64_parse(void *dst, size_t *len, const char *src, size_t n, const char *what,
                     struct err *err)
{
    return b64_parse(dst, len, src, n, false, what, err);
}

int encode_b64url_parse(void *dst, size_t *len, const char *src, size_t n, const char *what,
                        struct err *err)
{
    return b64_parse(dst, len, src, n, true, what, err);
}
