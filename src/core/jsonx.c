/* core/jsonx.c - strict, exact JSON over json-c. json-c does the parsing;
 * a second, string-aware pass over the same bytes refuses what json-c's
 * strict mode still lets through or silently changes: integers past 64 bits
 * (strtoull clamps them), NaN and Infinity, leading zeros and other non-JSON
 * number forms (whose text json-c would write back verbatim), control
 * characters and invalid UTF-8 in strings, lone surrogate escapes (replaced
 * by U+FFFD), "\u0000" in keys (cut at the NUL) and single-quoted keys.
 * The pass has a fast path, quick_check, for the common record (ASCII, no
 * escapes): SSE2 bit masks over 64-byte blocks find the bytes outside
 * strings without a branch per string, and only numbers are looked at. Any
 * other input, or any doubt, goes to check_text, byte by byte. Cost and
 * design: docs/internals/jsonx.md, bench/json. */
#include "core/jsonx.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json_tokener.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "core/alloc.h"
#include "core/encode.h"
#include "core/str.h"

#define FORMAT_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)
#define PARSE_MAX    ((size_t)INT32_MAX - 1) /* json-c takes an int length */
#define STR2_(x)     #x
#define STR_(x)      STR2_(x)
#define TOO_DEEP     "nesting deeper than " STR_(JSONX_MAX_DEPTH) " levels"

/* ---- the second pass ---- */

struct problem {
    size_t at;       /* byte offset */
    const char *why; /* static text */
};

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* What json-c reads as part of a number. */
static bool is_number_char(unsigned char c)
{
    return is_digit(c) || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-';
}

/* Four hex digits at s[i..i+4), or -1 (also when they run past n). */
static long hex4(const unsigned char *s, size_t n, size_t i)
{
    if (n - i < 4)
        return -1;
    long v = 0;
    for (int k = 0; k < 4; k++) {
        int h = encode_hex_digit(s[i + (size_t)k]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

/* Offset of the first byte in the 8 at p that the string loop must look at
 * (a quote, a backslash, a control character or a non-ASCII byte), or 8.
 * The classic "has zero byte" bit trick: exact for the lowest match, which is
 * all we ask of it. Byte order matters only for which end is "first". */
static unsigned first_special(const unsigned char *p)
{
    const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
    uint64_t x, q, b, m;
    memcpy(&x, p, 8);
    q = x ^ (ones * '"');
    b = x ^ (ones * '\\');
    m = (x | ((x - ones * 0x20) & ~x) | ((q - ones) & ~q) | ((b - ones) & ~b)) & high;
    if (!m)
        return 8;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return (unsigned)__builtin_ctzll(m) / 8;
#else
    for (unsigned k = 0; k < 8; k++)
        if (p[k] == '"' || p[k] == '\\' || p[k] < 0x20 || p[k] >= 0x80)
            return k;
    return 8;
#endif
}

/* The string whose opening quote is at s[*i]. Leaves *i after the closing
 * quote (or at n when the input stops inside the string). */
static bool check_string(const unsigned char *s, size_t n, size_t *i, struct problem *pr)
{
    size_t j = *i + 1, nul_at = SIZE_MAX;
    for (;;) {
        while (n - j >= 8) {
            unsigned k = first_special(s + j);
            j += k;
            if (k < 8)
                break;
        }
        if (j >= n)
            break;
        unsigned char c = s[j];
        if (c == '"') {
            j++;
            break;
        }
        if (c == '\\') {
            if (n - j < 2)
                break;
            if (s[j + 1] != 'u') {
                j += 2;
                continue;
            }
            long u = hex4(s, n, j + 2);
            if (u < 0) { /* json-c has refused it, or the input stops here */
                j = n;
                break;
            }
            if (u >= 0xD800 && u <= 0xDBFF) {
                long lo =
                    n - j >= 12 && s[j + 6] == '\\' && s[j + 7] == 'u' ? hex4(s, n, j + 8) : -1;
                if (lo < 0xDC00 || lo > 0xDFFF) {
                    *pr = (struct problem){j, "high surrogate escape without its low half"};
                    return false;
                }
                j += 12;
                continue;
            }
            if (u >= 0xDC00 && u <= 0xDFFF) {
                *pr = (struct problem){j, "low surrogate escape without its high half"};
                return false;
            }
            if (u == 0 && nul_at == SIZE_MAX)
                nul_at = j;
            j += 6;
            continue;
        }
        if (c < 0x20) {
            *pr = (struct problem){j, "unescaped control character in string"};
            return false;
        }
        if (c >= 0x80) {
            size_t len = str_utf8_seq(s + j, n - j);
            if (!len) {
                *pr = (struct problem){j, "invalid UTF-8 in string"};
                return false;
            }
            j += len;
            continue;
        }
        j++;
    }
    *i = j;
    if (nul_at != SIZE_MAX) { /* json-c keeps keys as C strings: it would cut this one */
        while (j < n && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n' || s[j] == '\r'))
            j++;
        if (j < n && s[j] == ':') {
            *pr = (struct problem){nul_at, "\\u0000 in an object key is not supported"};
            return false;
        }
    }
    return true;
}

/* The number starting at s[*i] ('-' or a digit): RFC 8259's grammar exactly,
 * and integers within int64 or uint64. Leaves *i after it. */
static bool check_number(const unsigned char *s, size_t n, size_t *i, struct problem *pr)
{
    static const char umax[] = "18446744073709551615", nmax[] = "9223372036854775808";
    size_t start = *i, j = *i, digits;
    bool neg = false, integer = true;

    if (s[j] == '-') {
        neg = true;
        j++;
        if (j < n && (s[j] == 'I' || s[j] == 'i')) {
            *pr = (struct problem){start, "NaN and Infinity are not JSON"};
            return false;
        }
    }
    digits = j;
    if (j >= n || !is_digit(s[j]))
        goto bad;
    if (s[j] == '0') {
        j++;
        if (j < n && is_digit(s[j])) {
            *pr = (struct problem){start, "leading zeros are not allowed in numbers"};
            return false;
        }
    } else {
        while (j < n && is_digit(s[j]))
            j++;
    }
    size_t ndig = j - digits;
    if (j < n && s[j] == '.') {
        integer = false;
        if (++j >= n || !is_digit(s[j]))
            goto bad;
        while (j < n && is_digit(s[j]))
            j++;
    }
    if (j < n && (s[j] == 'e' || s[j] == 'E')) {
        integer = false;
        j++;
        if (j < n && (s[j] == '+' || s[j] == '-'))
            j++;
        if (j >= n || !is_digit(s[j]))
            goto bad;
        while (j < n && is_digit(s[j]))
            j++;
    }
    /* json-c read its numbers as any run of these; if the run goes on, it
     * accepted something that is not a JSON number. */
    if (j < n && is_number_char(s[j]))
        goto bad;
    if (integer && ndig >= 19) {
        const char *max = neg ? nmax : umax;
        size_t maxlen = strlen(max);
        if (ndig > maxlen || (ndig == maxlen && memcmp(s + digits, max, maxlen) > 0)) {
            *pr = (struct problem){start, "integer out of 64-bit range"};
            return false;
        }
    }
    *i = j;
    return true;
bad:
    *pr = (struct problem){start, "invalid number"};
    return false;
}

/* Scan s[0..n), which json-c has parsed without complaint at least that far,
 * for what json-c accepts but JSON or exactness forbids. The first problem in
 * document order goes into *pr. */
static bool check_text(const unsigned char *s, size_t n, struct problem *pr)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        switch (c) {
        case '"':
            if (!check_string(s, n, &i, pr))
                return false;
            break;
        case '-':
        case '0':
        case '1':
        case '2':
        case '3':
        case '4':
        case '5':
        case '6':
        case '7':
        case '8':
        case '9':
            if (!check_number(s, n, &i, pr))
                return false;
            break;
        case 'N':
        case 'I':
            *pr = (struct problem){i, "NaN and Infinity are not JSON"};
            return false;
        case '\'':
            *pr = (struct problem){i, "single quotes are not JSON"};
            return false;
        case ' ':
        case '\t':
        case '\n':
        case '\r':
            i++;
            break;
        default:
            if (c < 0x20) { /* json-c refuses these too; never trust one layer */
                *pr = (struct problem){i, "unexpected control character"};
                return false;
            }
            i++;
        }
    }
    return true;
}

#ifdef __SSE2__
/* What quick_check needs to know about 64 bytes, one bit per byte. */
struct block {
    uint64_t quote; /* '"' */
    uint64_t start; /* a digit, '-', 'N' or 'I': where a number (or NaN, Infinity) may begin */
    bool bad;       /* a backslash, a single quote, a control or non-ASCII byte */
};

static uint64_t bits16(__m128i m, int k)
{
    return (uint64_t)(uint16_t)_mm_movemask_epi8(m) << (16 * k);
}

static void classify(const unsigned char *p, struct block *bl)
{
    __m128i bad = _mm_setzero_si128();
    bl->quote = bl->start = 0;
    for (int k = 0; k < 4; k++) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + (size_t)16 * (size_t)k));
        __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8('0' - 1)),
                                      _mm_cmplt_epi8(x, _mm_set1_epi8('9' + 1)));
        __m128i start = _mm_or_si128(_mm_or_si128(digit, _mm_cmpeq_epi8(x, _mm_set1_epi8('-'))),
                                     _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('N')),
                                                  _mm_cmpeq_epi8(x, _mm_set1_epi8('I'))));
        /* A signed compare with 0x20 catches control bytes and, being
         * negative, every byte from 0x80 up. */
        bad = _mm_or_si128(bad, _mm_or_si128(_mm_cmplt_epi8(x, _mm_set1_epi8(0x20)),
                                             _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('\\')),
                                                          _mm_cmpeq_epi8(x, _mm_set1_epi8('\'')))));
        bl->quote |= bits16(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')), k);
        bl->start |= bits16(start, k);
    }
    bl->bad = _mm_movemask_epi8(bad) != 0;
}

/* Bit k of the result is the XOR of bits 0..k of x: with x the quotes, the
 * bytes inside strings (opening quote included, closing quote not). */
static uint64_t prefix_xor(uint64_t x)
{
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    return x;
}

/* The common case without a branch per string: true only when check_text
 * would find nothing, false when it must look (the input may still be fine).
 * It handles inputs without backslashes, control or non-ASCII bytes, where
 * every '"' opens or closes a string, so bit tricks on 64-byte blocks find
 * the bytes outside strings; there each number goes to check_number, which
 * also refuses NaN and Infinity (they do not start with a digit). */
static bool quick_check(const unsigned char *s, size_t n)
{
    uint64_t in_str = 0; /* all ones when the previous block ended inside a string */
    size_t num_end = 0;  /* end of the last number checked; digits before it are done */
    unsigned char tail[64];
    struct block bl;
    struct problem pr;

    for (size_t base = 0; base < n; base += 64) {
        const unsigned char *p = s + base;
        if (n - base < 64) {
            memset(tail, ' ', sizeof(tail));
            memcpy(tail, p, n - base);
            p = tail;
        }
        classify(p, &bl);
        if (bl.bad)
            return false;
        uint64_t str = prefix_xor(bl.quote) ^ in_str;
        in_str = (uint64_t)0 - (str >> 63);
        uint64_t starts = bl.start & ~str;
        if (num_end > base)
            starts &= num_end - base >= 64 ? 0 : ~(uint64_t)0 << (num_end - base);
        while (starts) {
            size_t i = base + (size_t)__builtin_ctzll(starts);
            if (!check_number(s, n, &i, &pr))
                return false;
            num_end = i;
            starts &= i - base >= 64 ? 0 : ~(uint64_t)0 << (i - base);
        }
    }
    return true;
}
#else
static bool quick_check(const unsigned char *s, size_t n)
{
    (void)s, (void)n;
    return false;
}
#endif

/* ---- error messages ---- */

__attribute__((format(printf, 5, 6))) static int fail_at(struct err *err, const char *s, size_t n,
                                                         size_t at, const char *fmt, ...)
{
    size_t line = 1, col = 1;
    if (at > n)
        at = n;
    for (size_t i = 0; i < at; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\n') {
            line++;
            col = 1;
        } else if ((c & 0xC0) != 0x80) {
            col++;
        }
    }
    char what[96];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    return err_set(err, ERR_INVALID, "invalid JSON at line %zu, column %zu (byte %zu): %s", line,
                   col, at, what);
}

/* True when json-c, given only s[0..n), parses one whole value there. */
static bool value_ends_before(const char *s, size_t n)
{
    struct json_tokener *tok = json_tokener_new_ex(JSONX_MAX_DEPTH);
    if (!tok)
        abort();
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    struct json_object *v = json_tokener_parse_ex(tok, s, (int)n);
    enum json_tokener_error e = json_tokener_get_error(tok);
    if (e == json_tokener_continue) {
        v = json_tokener_parse_ex(tok, " ", 1);
        e = json_tokener_get_error(tok);
    }
    json_object_put(v);
    json_tokener_free(tok);
    return e == json_tokener_success;
}

/* Turn json-c's error code at byte `at` into our message. eof: the error
 * came from the extra blank that tells json-c the input has ended. */
static int fail_jsonc(struct err *err, const char *s, size_t n, size_t at,
                      enum json_tokener_error e, bool eof)
{
    struct problem pr;
    char ch[16];

    if (at > n)
        at = n;
    /* Report the first problem in document order, even if it is ours. */
    if (!check_text((const unsigned char *)s, at, &pr))
        return fail_at(err, s, n, pr.at, "%s", pr.why);
    if (e == json_tokener_error_parse_number) {
        while (at > 0 && is_number_char((unsigned char)s[at - 1]))
            at--;
        return fail_at(err, s, n, at, "%s", "invalid number");
    }
    if (eof || e == json_tokener_continue || at >= n)
        return fail_at(err, s, n, n, "%s", "unexpected end of input");
    unsigned char c = (unsigned char)s[at];
    if (c == '\0')
        return fail_at(err, s, n, at, "%s", "unexpected NUL byte");
    switch (e) {
    case json_tokener_error_depth:
        return fail_at(err, s, n, at, "%s", TOO_DEEP);
    case json_tokener_error_parse_null:
    case json_tokener_error_parse_boolean:
        return fail_at(err, s, n, at, "%s", "invalid literal (expected true, false or null)");
    case json_tokener_error_parse_array:
        return fail_at(err, s, n, at, "%s", "expected ',' or ']' after an array element");
    case json_tokener_error_parse_object_key_name:
        return fail_at(err, s, n, at, "%s", "expected a double-quoted property name");
    case json_tokener_error_parse_object_key_sep:
        return fail_at(err, s, n, at, "%s", "expected ':' after a property name");
    case json_tokener_error_parse_object_value_sep:
        return fail_at(err, s, n, at, "%s", "expected ',' or '}' after an object member");
    case json_tokener_error_parse_string:
        return fail_at(err, s, n, at, "%s", "invalid escape sequence in string");
    default:
        break;
    }
    if (c == ']' || c == '}') {
        size_t k = at;
        while (k > 0 && strchr(" \t\n\r", s[k - 1]))
            k--;
        if (k > 0 && s[k - 1] == ',')
            return fail_at(err, s, n, k - 1, "%s", "trailing comma");
    }
    if (c == '/')
        return fail_at(err, s, n, at, "%s", "unexpected '/' (comments are not JSON)");
    if (c == '\'')
        return fail_at(err, s, n, at, "%s", "single quotes are not JSON");
    if (at == 0 && n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
        return fail_at(err, s, n, at, "%s", "byte order mark (U+FEFF) before the value");
    if (at > 0 && value_ends_before(s, at))
        return fail_at(err, s, n, at, "%s", "unexpected data after the JSON value");
    if (c > 0x20 && c < 0x7f)
        snprintf(ch, sizeof(ch), "'%c'", c);
    else
        snprintf(ch, sizeof(ch), "byte 0x%02X", c);
    return fail_at(err, s, n, at, "unexpected character %s", ch);
}

/* ---- parsing ---- */

void jsonx_parser_init(struct jsonx_parser *p, size_t max_bytes)
{
    assert(max_bytes > 0);
    p->tok = json_tokener_new_ex(JSONX_MAX_DEPTH);
    if (!p->tok)
        abort();
    json_tokener_set_flags(p->tok, JSON_TOKENER_STRICT);
    p->max_bytes = max_bytes < PARSE_MAX ? max_bytes : PARSE_MAX;
}

void jsonx_parser_dispose(struct jsonx_parser *p)
{
    if (p->tok)
        json_tokener_free(p->tok);
    p->tok = NULL;
    p->max_bytes = 0;
}

static int parse_with(struct json_object **out, struct jsonx_parser *p, const char *s, size_t n,
                      struct err *err)
{
    struct json_tokener *tok = p->tok;
    struct json_object *v;
    enum json_tokener_error e;
    struct problem pr;

    assert(tok);
    *out = NULL;
    if (n > p->max_bytes)
        return err_set(err, ERR_TOOBIG, "JSON document of %zu bytes is over the %zu-byte limit", n,
                       p->max_bytes);
    json_tokener_reset(tok);
    v = json_tokener_parse_ex(tok, s, (int)n);
    e = json_tokener_get_error(tok);
    if (e == json_tokener_continue) {
        /* A top-level number (or an unfinished document): json-c cannot know
         * it has ended until it sees a byte that is not part of it. */
        v = json_tokener_parse_ex(tok, " ", 1);
        e = json_tokener_get_error(tok);
        if (e != json_tokener_success)
            return fail_jsonc(err, s, n, n, e, true);
    } else if (e != json_tokener_success) {
        return fail_jsonc(err, s, n, json_tokener_get_parse_end(tok), e, false);
    } else if (json_tokener_get_parse_end(tok) < n) {
        /* json-c stops at a NUL byte as if the input ended there. */
        json_object_put(v);
        size_t at = json_tokener_get_parse_end(tok);
        return fail_at(err, s, n, at, "%s",
                       s[at] == '\0' ? "unexpected NUL byte"
                                     : "unexpected data after the JSON value");
    }
    if (!quick_check((const unsigned char *)s, n) &&
        !check_text((const unsigned char *)s, n, &pr)) {
        json_object_put(v);
        return fail_at(err, s, n, pr.at, "%s", pr.why);
    }
    *out = v;
    return 0;
}

int jsonx_parser_parse(struct json_object **out, struct jsonx_parser *p, const char *s, size_t n,
                       struct err *err)
{
    int rc = parse_with(out, p, s, n, err);
    if (rc < 0 && rc != ERR_TOOBIG) {
        /* json_tokener_reset (json-c 0.16) keeps a pending high surrogate
         * of a failed document, which then corrupts the next one's first
         * \u escape: a failed tokener is replaced, not reused. */
        size_t max = p->max_bytes;
        jsonx_parser_dispose(p);
        jsonx_parser_init(p, max);
    }
    return rc;
}

int jsonx_parse(struct json_object **out, const char *s, size_t n, size_t max_bytes,
                struct err *err)
{
    struct jsonx_parser p;
    jsonx_parser_init(&p, max_bytes);
    int rc = jsonx_parser_parse(out, &p, s, n, err);
    jsonx_parser_dispose(&p);
    return rc;
}

int jsonx_read_file(struct json_object **out, const char *path, size_t max, struct err *err)
{
    struct err perr;
    char *data = NULL;
    size_t n = 0, cap = 0;
    int fd, rc = 0;

    *out = NULL;
    assert(max > 0);
    if (max > PARSE_MAX)
        max = PARSE_MAX;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return err_set(err, errno == ENOENT ? ERR_NOTFOUND : ERR_IO, "%s: %s", path,
                       strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        rc = err_set(err, ERR_IO, "%s: %s", path, strerror(errno));
        goto done;
    }
    if (S_ISDIR(st.st_mode)) {
        rc = err_set(err, ERR_IO, "%s: %s", path, strerror(EISDIR));
        goto done;
    }
    /* Read to the end rather than trusting st_size: pipes have none. */
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 4096;
            if (cap > max + 1)
                cap = max + 1;
            data = xrealloc(data, cap);
        }
        ssize_t r = read(fd, data + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            rc = err_set(err, ERR_IO, "%s: %s", path, strerror(errno));
            goto done;
        }
        if (r == 0)
            break;
        n += (size_t)r;
        if (n > max) {
            rc = err_set(err, ERR_TOOBIG, "%s: over the %zu-byte limit", path, max);
            goto done;
        }
    }
    rc = jsonx_parse(out, data ? data : "", n, max, &perr);
    if (rc < 0)
        err_set(err, perr.code, "%s: %s", path, perr.msg);
done:
    close(fd);
    xfree(data);
    return rc;
}

/* ---- reading values ---- */

const char *jsonx_type_name(const struct json_object *v)
{
    switch (json_object_get_type(v)) {
    case json_type_null:
        return "null";
    case json_type_boolean:
        return "boolean";
    case json_type_int:
        return "integer";
    case json_type_double:
        return "number";
    case json_type_string:
        return "string";
    case json_type_array:
        return "array";
    case json_type_object:
        return "object";
    }
    return "unknown";
}

struct json_object *jsonx_get(const struct json_object *obj, const char *key)
{
    struct json_object *v = NULL;
    if (!json_object_object_get_ex(obj, key, &v))
        return NULL;
    return v;
}

bool jsonx_has(const struct json_object *obj, const char *key)
{
    return json_object_object_get_ex(obj, key, NULL);
}

const char *jsonx_str(const struct json_object *v)
{
    if (!json_object_is_type(v, json_type_string))
        return NULL;
    /* json-c only writes to v here for non-string types. */
    return json_object_get_string((struct json_object *)v);
}

size_t jsonx_str_len(const struct json_object *v)
{
    if (!json_object_is_type(v, json_type_string))
        return 0;
    return (size_t)json_object_get_string_len(v);
}

size_t jsonx_len(const struct json_object *arr)
{
    if (!json_object_is_type(arr, json_type_array))
        return 0;
    return json_object_array_length(arr);
}

struct json_object *jsonx_at(const struct json_object *arr, size_t i)
{
    if (i >= jsonx_len(arr))
        return NULL;
    return json_object_array_get_idx(arr, i);
}

static const char *what_or_value(const char *what)
{
    return what && *what ? what : "value";
}

int jsonx_as_i64(int64_t *out, const struct json_object *v, const char *what, struct err *err)
{
    if (json_object_is_type(v, json_type_int)) {
        int64_t i = json_object_get_int64(v);
        /* json-c keeps big positive integers as uint64 and clamps reads. */
        if (i == INT64_MAX && json_object_get_uint64(v) > (uint64_t)INT64_MAX)
            return err_set(err, ERR_INVALID, "%s: integer out of int64 range", what_or_value(what));
        *out = i;
        return 0;
    }
    if (json_object_is_type(v, json_type_double)) {
        double d = json_object_get_double(v);
        if (d >= -9223372036854775808.0 && d < 9223372036854775808.0 && (double)(int64_t)d == d) {
            *out = (int64_t)d;
            return 0;
        }
        return err_set(err, ERR_INVALID, "%s: expected an integer, got %s", what_or_value(what),
                       isfinite(d) ? "a fraction or an out-of-range number"
                                   : "a non-finite number");
    }
    return err_set(err, ERR_INVALID, "%s: expected an integer, got %s", what_or_value(what),
                   jsonx_type_name(v));
}

int jsonx_as_bool(bool *out, const struct json_object *v, const char *what, struct err *err)
{
    if (!json_object_is_type(v, json_type_boolean))
        return err_set(err, ERR_INVALID, "%s: expected a boolean, got %s", what_or_value(what),
                       jsonx_type_name(v));
    *out = json_object_get_boolean(v);
    return 0;
}

int jsonx_as_str(const char **out, size_t *len, const struct json_object *v, const char *what,
                 struct err *err)
{
    if (!json_object_is_type(v, json_type_string))
        return err_set(err, ERR_INVALID, "%s: expected a string, got %s", what_or_value(what),
                       jsonx_type_name(v));
    *out = jsonx_str(v);
    if (len)
        *len = jsonx_str_len(v);
    return 0;
}

/* ---- JSON Pointers ---- */

static void ptr_terminate(struct jsonx_ptr *p)
{
    if (p->n > p->kept)
        memcpy(p->s + p->kept, "...", 4);
    else
        p->s[p->kept] = '\0';
}

static void ptr_putc(struct jsonx_ptr *p, char c)
{
    if (p->kept == p->n && p->kept < JSONX_PTR_MAX)
        p->s[p->kept++] = c;
    p->n++;
}

void jsonx_ptr_init(struct jsonx_ptr *p)
{
    p->n = p->kept = 0;
    p->s[0] = '\0';
}

size_t jsonx_ptr_push(struct jsonx_ptr *p, const char *key)
{
    size_t mark = p->n;
    ptr_putc(p, '/');
    for (const char *k = key; *k; k++) {
        if (*k == '~' || *k == '/') {
            ptr_putc(p, '~');
            ptr_putc(p, *k == '~' ? '0' : '1');
        } else {
            ptr_putc(p, *k);
        }
    }
    ptr_terminate(p);
    return mark;
}

size_t jsonx_ptr_push_index(struct jsonx_ptr *p, size_t i)
{
    char num[24];
    snprintf(num, sizeof(num), "%zu", i);
    return jsonx_ptr_push(p, num);
}

void jsonx_ptr_pop(struct jsonx_ptr *p, size_t mark)
{
    assert(mark <= p->n);
    p->n = mark;
    if (p->kept > mark)
        p->kept = mark;
    ptr_terminate(p);
}

const char *jsonx_ptr_cstr(const struct jsonx_ptr *p)
{
    return p->s;
}

/* Unescape the reference token at t[0..n) into key (NUL-terminated). False
 * on a '~' not followed by 0 or 1. */
static bool ptr_token(char *key, const char *t, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (t[i] != '~') {
            key[k++] = t[i];
            continue;
        }
        if (i + 1 >= n || (t[i + 1] != '0' && t[i + 1] != '1'))
            return false;
        key[k++] = t[i + 1] == '0' ? '~' : '/';
        i++;
    }
    key[k] = '\0';
    return true;
}

int jsonx_ptr_get(struct json_object **out, const struct json_object *root, const char *ptr,
                  struct err *err)
{
    struct json_object *cur = (struct json_object *)root; /* json-c's getters want it so */
    const char *p = ptr;
    char *key = NULL;
    int rc = 0;

    *out = NULL;
    if (*ptr && *ptr != '/')
        return err_set(err, ERR_INVALID, "JSON pointer \"%s\": must be empty or start with '/'",
                       ptr);
    key = xmalloc(strlen(ptr) + 1);
    while (*p == '/') {
        const char *t = p + 1, *end = strchr(t, '/');
        size_t tn = end ? (size_t)(end - t) : strlen(t);
        /* Where we are, for messages: the part of ptr resolved so far. */
        int wn = p > ptr ? (int)(p - ptr) : 8;
        const char *where = p > ptr ? ptr : "the root";
        if (!ptr_token(key, t, tn)) {
            rc = err_set(err, ERR_INVALID, "JSON pointer %s: invalid '~' escape in \"%.*s\"", ptr,
                         (int)tn, t);
            goto done;
        }
        if (json_object_is_type(cur, json_type_object)) {
            if (!json_object_object_get_ex(cur, key, &cur)) {
                rc = err_set(err, ERR_NOTFOUND, "JSON pointer %s: no member \"%s\" in %.*s", ptr,
                             key, wn, where);
                goto done;
            }
        } else if (json_object_is_type(cur, json_type_array)) {
            size_t idx = 0, len = json_object_array_length(cur);
            bool ok = tn > 0 && tn <= 18 && (tn == 1 || key[0] != '0');
            for (size_t i = 0; ok && i < tn; i++) {
                ok = is_digit((unsigned char)key[i]);
                idx = idx * 10 + (size_t)(key[i] - '0');
            }
            if (!ok && strcmp(key, "-") != 0) {
                rc = err_set(err, ERR_INVALID, "JSON pointer %s: \"%s\" is not an array index", ptr,
                             key);
                goto done;
            }
            if (!ok || idx >= len) {
                rc = err_set(err, ERR_NOTFOUND,
                             "JSON pointer %s: index %s is past the end of %.*s (%zu elements)",
                             ptr, key, wn, where, len);
                goto done;
            }
            cur = json_object_array_get_idx(cur, idx);
        } else {
            rc = err_set(err, ERR_NOTFOUND, "JSON pointer %s: %.*s is %s, not an object or array",
                         ptr, wn, where, jsonx_type_name(cur));
            goto done;
        }
        p = t + tn;
    }
    *out = cur;
done:
    xfree(key);
    return rc;
}

/* ---- writing ---- */

void jsonx_format(struct buf *b, struct json_object *v)
{
    if (!v) {
        buf_puts(b, "null");
        return;
    }
    size_t len = 0;
    const char *s = json_object_to_json_string_length(v, FORMAT_FLAGS, &len);
    if (!s)
        abort(); /* json-c's out of memory */
    buf_put(b, s, len);
}

static struct json_object *empty_object;
static pthread_once_t empty_once = PTHREAD_ONCE_INIT;

static void empty_make(void)
{
    empty_object = json_object_new_object();
}

struct json_object *jsonx_members(const struct json_object *v)
{
    if (json_object_is_type(v, json_type_object))
        return (struct json_object *)v;
    pthread_once(&empty_once, empty_make);
    return empty_object;
}
