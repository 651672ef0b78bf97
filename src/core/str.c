/* core/str.c - slices and small string helpers, and the one UTF-8 validator
 * (core/jsonx for JSON strings, db/ for TEXT parameters). */
#include "core/str.h"

#include <string.h>

#include "core/alloc.h"

struct str str_from(const char *s)
{
    return (struct str){s ? s : "", s ? strlen(s) : 0};
}

bool str_eq(struct str a, struct str b)
{
    return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

bool str_eq_cstr(struct str a, const char *s)
{
    return str_eq(a, str_from(s));
}

bool str_starts_with(struct str s, const char *prefix)
{
    size_t n = strlen(prefix);
    return s.n >= n && memcmp(s.p, prefix, n) == 0;
}

bool str_split(struct str s, char c, struct str *head, struct str *tail)
{
    const char *at = s.n ? memchr(s.p, c, s.n) : NULL;
    if (!at) {
        *head = s;
        *tail = (struct str){s.p + s.n, 0};
        return false;
    }
    *head = (struct str){s.p, (size_t)(at - s.p)};
    *tail = (struct str){at + 1, s.n - (size_t)(at - s.p) - 1};
    return true;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

struct str str_trim(struct str s)
{
    while (s.n && is_space(s.p[0])) {
        s.p++;
        s.n--;
    }
    while (s.n && is_space(s.p[s.n - 1]))
        s.n--;
    return s;
}

char *str_dup(struct str s)
{
    char *p = xmalloc(s.n + 1);
    if (s.n)
        memcpy(p, s.p, s.n);
    p[s.n] = '\0';
    return p;
}

int str_to_i64(int64_t *out, struct str s, const char *what, struct err *err)
{
    size_t i = 0;
    bool neg = false;
    uint64_t v = 0, limit = (uint64_t)INT64_MAX;

    if (s.n && s.p[0] == '-') {
        neg = true;
        limit += 1;
        i = 1;
    }
    if (i == s.n)
        return err_set(err, ERR_INVALID, "%s: expected an integer", what);
    for (; i < s.n; i++) {
        unsigned d = (unsigned)(s.p[i] - '0');
        if (d > 9) {
            unsigned char c = (unsigned char)s.p[i];
            if (c > 0x20 && c < 0x7f) /* a value's bytes may be anything, ESC included */
                return err_set(err, ERR_INVALID, "%s: expected an integer, found '%c' at byte %zu",
                               what, c, i);
            return err_set(err, ERR_INVALID,
                           "%s: expected an integer, found byte 0x%02X at byte %zu", what, c, i);
        }
        if (v > (limit - d) / 10)
            return err_set(err, ERR_INVALID, "%s: integer out of range", what);
        v = v * 10 + d;
    }
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return 0;
}

size_t str_utf8_seq(const void *p, size_t n)
{
    const unsigned char *s = p;
    unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    size_t len;

    if (n == 0)
        return 0;
    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xC2 && s[0] <= 0xDF) {
        len = 2;
    } else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        len = 3;
        if (s[0] == 0xE0)
            lo = 0xA0; /* overlong */
        else if (s[0] == 0xED)
            hi = 0x9F; /* surrogates */
    } else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        len = 4;
        if (s[0] == 0xF0)
            lo = 0x90; /* overlong */
        else if (s[0] == 0xF4)
            hi = 0x8F; /* past U+10FFFF */
    } else {
        return 0; /* a continuation byte, an overlong lead (C0, C1) or past F4 */
    }
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t k = 2; k < len; k++)
        if ((s[k] & 0xC0) != 0x80)
            return 0;
    return len;
}

bool str_utf8_valid(const void *p, size_t n, size_t *bad)
{
    const unsigned char *s = p;
    size_t i = 0;
    while (i < n) {
        if (n - i >= 8) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if ((w & 0x8080808080808080u) == 0) { /* eight ASCII bytes */
                i += 8;
                continue;
            }
        }
        size_t len = str_utf8_seq(s + i, n - i);
        if (!len) {
            if (bad)
                *bad = i;
            return false;
        }
        i += len;
    }
    return true;
}

bool str_ct_eq(const void *a, const void *b, size_t n)
{
    const volatile unsigned char *x = a, *y = b;
    unsigned char diff = 0;
    for (size_t i = 0; i < n; i++)
        diff |= (unsigned char)(x[i] ^ y[i]);
    return diff == 0;
}

void str_like_pattern(char *out, const char *q, bool contains)
{
    size_t k = 0;
    if (contains)
        out[k++] = '%';
    for (; *q; q++) {
        if (*q == '!' || *q == '%' || *q == '_')
            out[k++] = '!';
        out[k++] = *q;
    }
    out[k++] = '%';
    out[k] = '\0';
}
