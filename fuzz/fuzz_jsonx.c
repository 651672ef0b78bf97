/* fuzz/fuzz_jsonx.c - arbitrary bytes into jsonx_parse. Two checks beyond
 * "no crash, no leak": a document that parses must serialise, parse again and
 * serialise to the same bytes; and jsonx must accept exactly what a small,
 * independent, strict RFC 8259 checker below accepts (with inlet's extra
 * rules: integers within 64 bits, at most JSONX_MAX_DEPTH levels, valid UTF-8,
 * paired surrogate escapes, no "\u0000" in a key). Either failing aborts. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json_object.h>

#include "core/buf.h"
#include "core/jsonx.h"

#define FUZZ_MAX (1 << 20)

/* ---- the reference checker: recursive descent, no json-c ---- */

struct ref {
    const unsigned char *s;
    size_t n, i;
};

static void ref_ws(struct ref *r)
{
    while (r->i < r->n &&
           (r->s[r->i] == ' ' || r->s[r->i] == '\t' || r->s[r->i] == '\n' || r->s[r->i] == '\r'))
        r->i++;
}

static bool ref_lit(struct ref *r, const char *lit)
{
    size_t k = strlen(lit);
    if (r->n - r->i < k || memcmp(r->s + r->i, lit, k) != 0)
        return false;
    r->i += k;
    return true;
}

static long ref_hex4(struct ref *r)
{
    long v = 0;
    if (r->n - r->i < 4)
        return -1;
    for (int k = 0; k < 4; k++) {
        unsigned char c = r->s[r->i++];
        int h = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

/* One UTF-8 character at r->i, strictly (RFC 3629). */
static bool ref_utf8(struct ref *r)
{
    unsigned char c = r->s[r->i];
    uint32_t cp;
    size_t len;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4, cp = c & 0x07;
    else
        return false;
    if (r->n - r->i < len)
        return false;
    for (size_t k = 1; k < len; k++) {
        if ((r->s[r->i + k] & 0xC0) != 0x80)
            return false;
        cp = cp << 6 | (r->s[r->i + k] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return false;
    r->i += len;
    return true;
}

static bool ref_string(struct ref *r, bool key)
{
    r->i++; /* the opening quote */
    while (r->i < r->n) {
        unsigned char c = r->s[r->i];
        if (c == '"') {
            r->i++;
            return true;
        }
        if (c < 0x20)
            return false;
        if (c >= 0x80) {
            if (!ref_utf8(r))
                return false;
            continue;
        }
        r->i++;
        if (c != '\\')
            continue;
        if (r->i >= r->n)
            return false;
        c = r->s[r->i++];
        if (c != 'u') {
            if (!strchr("\"\\/bfnrt", c) || c == 0)
                return false;
            continue;
        }
        long u = ref_hex4(r);
        if (u < 0 || (u >= 0xDC00 && u <= 0xDFFF) || (key && u == 0))
            return false;
        if (u >= 0xD800 && u <= 0xDBFF) {
            if (!ref_lit(r, "\\u"))
                return false;
            long lo = ref_hex4(r);
            if (lo < 0xDC00 || lo > 0xDFFF)
                return false;
        }
    }
    return false;
}

static bool ref_digits(struct ref *r)
{
    size_t start = r->i;
    while (r->i < r->n && r->s[r->i] >= '0' && r->s[r->i] <= '9')
        r->i++;
    return r->i > start;
}

static bool ref_number(struct ref *r)
{
    bool neg = false, integer = true;
    if (r->s[r->i] == '-') {
        neg = true;
        r->i++;
    }
    size_t d = r->i;
    if (r->i < r->n && r->s[r->i] == '0')
        r->i++;
    else if (!ref_digits(r))
        return false;
    size_t nd = r->i - d;
    if (r->i < r->n && r->s[r->i] == '.') {
        r->i++;
        integer = false;
        if (!ref_digits(r))
            return false;
    }
    if (r->i < r->n && (r->s[r->i] == 'e' || r->s[r->i] == 'E')) {
        r->i++;
        integer = false;
        if (r->i < r->n && (r->s[r->i] == '+' || r->s[r->i] == '-'))
            r->i++;
        if (!ref_digits(r))
            return false;
    }
    if (integer) {
        const char *max = neg ? "9223372036854775808" : "18446744073709551615";
        size_t ml = strlen(max);
        if (nd > ml || (nd == ml && memcmp(r->s + d, max, ml) > 0))
            return false;
    }
    return true;
}

static bool ref_value(struct ref *r, int level)
{
    if (level > JSONX_MAX_DEPTH)
        return false;
    ref_ws(r);
    if (r->i >= r->n)
        return false;
    unsigned char c = r->s[r->i];
    if (c == '"')
        return ref_string(r, false);
    if (c == '-' || (c >= '0' && c <= '9'))
        return ref_number(r);
    if (c == 't')
        return ref_lit(r, "true");
    if (c == 'f')
        return ref_lit(r, "false");
    if (c == 'n')
        return ref_lit(r, "null");
    if (c != '[' && c != '{')
        return false;
    unsigned char close = c == '[' ? ']' : '}';
    r->i++;
    ref_ws(r);
    if (r->i < r->n && r->s[r->i] == close) {
        r->i++;
        return true;
    }
    for (;;) {
        if (c == '{') {
            ref_ws(r);
            if (r->i >= r->n || r->s[r->i] != '"' || !ref_string(r, true))
                return false;
            ref_ws(r);
            if (!ref_lit(r, ":"))
                return false;
        }
        if (!ref_value(r, level + 1))
            return false;
        ref_ws(r);
        if (r->i >= r->n)
            return false;
        if (r->s[r->i] == close) {
            r->i++;
            return true;
        }
        if (r->s[r->i++] != ',')
            return false;
    }
}

static bool ref_accepts(const uint8_t *data, size_t size)
{
    struct ref r = {data, size, 0};
    if (!ref_value(&r, 1))
        return false;
    ref_ws(&r);
    return r.i == r.n;
}

/* ---- the harness ---- */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size); /* libFuzzer's entry point */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct json_object *v = NULL, *again = NULL;
    struct err err;
    struct buf a, b;

    if (size > FUZZ_MAX)
        return 0;
    int rc = jsonx_parse(&v, (const char *)data, size, FUZZ_MAX, &err);
    if ((rc == 0) != ref_accepts(data, size))
        abort(); /* jsonx and the reference disagree */
    if (rc != 0)
        return 0;
    buf_init(&a, 0);
    buf_init(&b, 0);
    jsonx_format(&a, v);
    if (jsonx_parse(&again, buf_cstr(&a), a.n, FUZZ_MAX, &err) != 0)
        abort(); /* our own output does not parse */
    jsonx_format(&b, again);
    if (a.n != b.n || memcmp(buf_cstr(&a), buf_cstr(&b), a.n) != 0)
        abort(); /* the second round trip changed something */
    buf_dispose(&a);
    buf_dispose(&b);
    json_object_put(v);
    json_object_put(again);
    return 0;
}
