/* core/str.c - slices and small string helpers. */
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
        if (d > 9)
            return err_set(err, ERR_INVALID, "%s: expected an integer, found '%c' at byte %zu",
                           what, s.p[i], i);
        if (v > (limit - d) / 10)
            return err_set(err, ERR_INVALID, "%s: integer out of range", what);
        v = v * 10 + d;
    }
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return 0;
}

bool str_ct_eq(const void *a, const void *b, size_t n)
{
    const volatile unsigned char *x = a, *y = b;
    unsigned char diff = 0;
    for (size_t i = 0; i < n; i++)
        diff |= (unsigned char)(x[i] ^ y[i]);
    return diff == 0;
}
