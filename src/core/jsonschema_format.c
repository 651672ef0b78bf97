/* core/jsonschema_format.c - the value-level helpers of the JSON Schema
 * validator: exact number comparison (int64, uint64 and doubles against each
 * other), JSON equality for enum/const/uniqueItems, bounded value text for
 * messages, the asserted "format" names, and the pre-check that keeps a
 * "pattern" to POSIX regex meaning what its author meant. Everything here
 * only reads the json-c values it is given (json-c's own serialiser writes
 * a cache into the value, so it is not used), which keeps validation
 * thread-safe. */
#include <inttypes.h>
#include <math.h> /* isfinite, isnan: macros, no libm */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/linkhash.h>

#include "core/jsonschema_int.h"
#include "core/jsonx.h"
#include "core/time.h"

/* ---- numbers ---- */

bool jsonschema__num(struct js_num *out, const struct json_object *v)
{
    if (json_object_is_type(v, json_type_int)) {
        int64_t i = json_object_get_int64(v);
        /* json-c keeps integers above INT64_MAX as uint64 and clamps int64 reads. */
        if (i == INT64_MAX && json_object_get_uint64(v) > (uint64_t)INT64_MAX) {
            *out = (struct js_num){.kind = JS_NUM_U64, .u = json_object_get_uint64(v)};
            return true;
        }
        *out = (struct js_num){.kind = JS_NUM_I64, .i = i};
        return true;
    }
    if (json_object_is_type(v, json_type_double)) {
        *out = (struct js_num){.kind = JS_NUM_DBL, .d = json_object_get_double(v)};
        return true;
    }
    return false;
}

/* The build links no libm (floor, fabs ... are not in libc), so the few
 * roundings needed are done by conversion, which is exact in these ranges. */
#define TWO_53 9007199254740992.0
#define TWO_63 9223372036854775808.0
#define TWO_64 18446744073709551616.0

static double abs_d(double d)
{
    return d < 0 ? -d : d;
}

bool jsonschema__whole(double d)
{
    if (!isfinite(d))
        return false;
    if (abs_d(d) >= TWO_53) /* no double this large has a fraction */
        return true;
    return d == (double)(int64_t)d;
}

static int cmp_i64_dbl(int64_t x, double d)
{
    if (d >= TWO_63)
        return -1;
    if (d < -TWO_63)
        return 1;
    /* floor(d), which lies in [-2^63, 2^63) and so converts exactly. */
    int64_t t = (int64_t)d;
    if ((double)t > d)
        t--;
    if (x != t)
        return x < t ? -1 : 1;
    return d > (double)t ? -1 : 0;
}

static int cmp_u64_dbl(uint64_t x, double d)
{
    if (d >= TWO_64)
        return -1;
    if (d < 0)
        return 1;
    uint64_t t = (uint64_t)d; /* floor: d is not negative */
    if (x != t)
        return x < t ? -1 : 1;
    return d > (double)t ? -1 : 0;
}

int jsonschema__num_cmp(const struct js_num *a, const struct js_num *b)
{
    if ((a->kind == JS_NUM_DBL && isnan(a->d)) || (b->kind == JS_NUM_DBL && isnan(b->d)))
        return 2;
    if (a->kind == JS_NUM_DBL && b->kind == JS_NUM_DBL)
        return a->d < b->d ? -1 : a->d > b->d ? 1 : 0;
    if (b->kind == JS_NUM_DBL)
        return a->kind == JS_NUM_I64 ? cmp_i64_dbl(a->i, b->d) : cmp_u64_dbl(a->u, b->d);
    if (a->kind == JS_NUM_DBL)
        return -(b->kind == JS_NUM_I64 ? cmp_i64_dbl(b->i, a->d) : cmp_u64_dbl(b->u, a->d));
    /* Two integers: a uint64 here is always above INT64_MAX. */
    if (a->kind == JS_NUM_U64 || b->kind == JS_NUM_U64) {
        if (a->kind != b->kind)
            return a->kind == JS_NUM_U64 ? 1 : -1;
        return a->u < b->u ? -1 : a->u > b->u ? 1 : 0;
    }
    return a->i < b->i ? -1 : a->i > b->i ? 1 : 0;
}

static double num_double(const struct js_num *n)
{
    return n->kind == JS_NUM_DBL ? n->d : n->kind == JS_NUM_U64 ? (double)n->u : (double)n->i;
}

bool jsonschema__num_multiple(const struct js_num *a, const struct js_num *m)
{
    if (a->kind != JS_NUM_DBL && m->kind != JS_NUM_DBL) {
        /* The magnitude of an int64 as a uint64, INT64_MIN included. */
        uint64_t mag = a->kind == JS_NUM_U64 ? a->u
                       : a->i < 0            ? (uint64_t)(-(a->i + 1)) + 1
                                             : (uint64_t)a->i;
        uint64_t mm = m->kind == JS_NUM_U64 ? m->u : (uint64_t)m->i;
        return mm != 0 && mag % mm == 0;
    }
    double x = num_double(a), y = num_double(m);
    double q = x / y;
    if (!isfinite(q))
        return false;
    if (abs_d(q) >= TWO_53) /* every double there is whole */
        return true;
    /* x and y were decimals rounded to binary, so q is off by a few ulps:
     * 19.99 / 0.01 is 1998.9999999999998. */
    double nearest = (double)(int64_t)(q < 0 ? q - 0.5 : q + 0.5);
    double tolerance = abs_d(q) * 1e-14 > 1e-9 ? abs_d(q) * 1e-14 : 1e-9;
    return abs_d(q - nearest) <= tolerance;
}

void jsonschema__num_text(char out[32], const struct js_num *n)
{
    if (n->kind == JS_NUM_I64) {
        snprintf(out, 32, "%" PRId64, n->i);
        return;
    }
    if (n->kind == JS_NUM_U64) {
        snprintf(out, 32, "%" PRIu64, n->u);
        return;
    }
    if (!isfinite(n->d)) {
        snprintf(out, 32, "%s", isnan(n->d) ? "NaN" : n->d > 0 ? "1e999" : "-1e999");
        return;
    }
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(out, 32, "%.*g", prec, n->d);
        if (strtod(out, NULL) == n->d)
            return;
    }
}

/* ---- equality and value text ---- */

static bool equal(const struct json_object *a, const struct json_object *b, long *steps, int depth)
{
    /* Values built in code can nest without limit; the stack cannot. */
    if (depth > 2 * JSONX_MAX_DEPTH)
        *steps = -1;
    if (--*steps < 0)
        return false;
    struct js_num na, nb;
    bool a_num = jsonschema__num(&na, a), b_num = jsonschema__num(&nb, b);
    if (a_num || b_num)
        return a_num && b_num && jsonschema__num_cmp(&na, &nb) == 0;
    enum json_type t = json_object_get_type(a);
    if (t != json_object_get_type(b))
        return false;
    switch (t) {
    case json_type_null:
        return true;
    case json_type_boolean:
        return json_object_get_boolean(a) == json_object_get_boolean(b);
    case json_type_string: {
        size_t n = jsonx_str_len(a);
        return n == jsonx_str_len(b) && memcmp(jsonx_str(a), jsonx_str(b), n) == 0;
    }
    case json_type_array: {
        size_t n = jsonx_len(a);
        if (n != jsonx_len(b))
            return false;
        for (size_t i = 0; i < n; i++)
            if (!equal(jsonx_at(a, i), jsonx_at(b, i), steps, depth + 1))
                return false;
        return true;
    }
    case json_type_object: {
        if (json_object_object_length(a) != json_object_object_length(b))
            return false;
        for (struct lh_entry *e = lh_table_head(json_object_get_object(a)); e;
             e = lh_entry_next(e)) {
            struct json_object *bv;
            if (!json_object_object_get_ex(b, (const char *)lh_entry_k(e), &bv) ||
                !equal((const struct json_object *)lh_entry_v(e), bv, steps, depth + 1))
                return false;
        }
        return true;
    }
    default:
        return false;
    }
}

bool jsonschema__equal(const struct json_object *a, const struct json_object *b, long *steps)
{
    return equal(a, b, steps, 0);
}

/* Length of the longest prefix of s[0..n) that is at most max bytes and
 * does not end inside a UTF-8 sequence. */
static size_t utf8_cut(const char *s, size_t n, size_t max)
{
    if (n <= max)
        return n;
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    return max;
}

static void put_value(struct buf *b, const struct json_object *v, size_t end, int depth)
{
    if (b->n >= end) {
        buf_puts(b, "...");
        return;
    }
    struct js_num n;
    if (jsonschema__num(&n, v)) {
        char text[32];
        jsonschema__num_text(text, &n);
        buf_puts(b, text);
        return;
    }
    switch (json_object_get_type(v)) {
    case json_type_null:
        buf_puts(b, "null");
        break;
    case json_type_boolean:
        buf_puts(b, json_object_get_boolean(v) ? "true" : "false");
        break;
    case json_type_string: {
        size_t len = jsonx_str_len(v), keep = utf8_cut(jsonx_str(v), len, end - b->n);
        buf_putc(b, '"');
        buf_put_jsonesc(b, jsonx_str(v), keep);
        buf_puts(b, keep < len ? "...\"" : "\"");
        break;
    }
    case json_type_array:
        buf_putc(b, '[');
        for (size_t i = 0; i < jsonx_len(v); i++) {
            if (i)
                buf_putc(b, ',');
            if (depth >= 4 || b->n >= end) {
                buf_puts(b, "...");
                break;
            }
            put_value(b, jsonx_at(v, i), end, depth + 1);
        }
        buf_putc(b, ']');
        break;
    case json_type_object: {
        bool first = true;
        buf_putc(b, '{');
        for (struct lh_entry *e = lh_table_head(json_object_get_object(v)); e;
             e = lh_entry_next(e)) {
            if (!first)
                buf_putc(b, ',');
            first = false;
            if (depth >= 4 || b->n >= end) {
                buf_puts(b, "...");
                break;
            }
            const char *k = (const char *)lh_entry_k(e);
            buf_putc(b, '"');
            buf_put_jsonesc(b, k, utf8_cut(k, strlen(k), end - b->n));
            buf_puts(b, "\":");
            put_value(b, (const struct json_object *)lh_entry_v(e), end, depth + 1);
        }
        buf_putc(b, '}');
        break;
    }
    default:
        break;
    }
}

void jsonschema__put_value(struct buf *b, const struct json_object *v, size_t room)
{
    put_value(b, v, b->n + room, 0);
}

/* ---- formats ---- */

static const struct {
    const char *name;
    enum js_format f;
    const char *msg;
} formats[] = {
    {"date-time", JS_FORMAT_DATE_TIME, "is not a valid date-time (RFC 3339)"},
    {"date", JS_FORMAT_DATE, "is not a valid date (YYYY-MM-DD)"},
    {"time", JS_FORMAT_TIME, "is not a valid time (hh:mm:ss with a time zone, RFC 3339)"},
    {"email", JS_FORMAT_EMAIL, "is not a valid email address"},
    {"uri", JS_FORMAT_URI, "is not a valid URI"},
    {"uuid", JS_FORMAT_UUID, "is not a valid UUID"},
    {"ipv4", JS_FORMAT_IPV4, "is not a valid IPv4 address"},
    {"hostname", JS_FORMAT_HOSTNAME, "is not a valid host name"},
};

enum js_format jsonschema__format_parse(const char *name)
{
    for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
        if (strcmp(name, formats[i].name) == 0)
            return formats[i].f;
    return JS_FORMAT_NONE;
}

const char *jsonschema__format_msg(enum js_format f)
{
    for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
        if (formats[i].f == f)
            return formats[i].msg;
    return "is not valid";
}

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_hex(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* strchr(set, c), except that NUL (which a JSON string may hold) is in no set. */
static bool in_set(char c, const char *set)
{
    return c != '\0' && strchr(set, c) != NULL;
}

/* RFC 1123 host name: dot-separated labels of letters, digits and '-',
 * 1-63 bytes each, not starting or ending with '-'; 253 bytes in all. */
static bool check_hostname(const char *s, size_t n)
{
    if (n == 0 || n > 253)
        return false;
    size_t label = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == '.') {
            if (label == 0 || label > 63 || s[i - 1] == '-' || s[i - label] == '-')
                return false;
            label = 0;
        } else if (is_alpha(s[i]) || is_digit(s[i]) || s[i] == '-') {
            label++;
        } else {
            return false;
        }
    }
    return true;
}

/* Dotted quad: four decimal numbers 0-255 without leading zeros. */
static bool check_ipv4(const char *s, size_t n)
{
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        if (part > 0) {
            if (i >= n || s[i] != '.')
                return false;
            i++;
        }
        size_t start = i;
        unsigned v = 0;
        while (i < n && is_digit(s[i]) && i - start < 3)
            v = v * 10 + (unsigned)(s[i++] - '0');
        if (i == start || v > 255 || (i - start > 1 && s[start] == '0'))
            return false;
    }
    return i == n;
}

static bool check_uuid(const char *s, size_t n)
{
    if (n != 36)
        return false;
    for (size_t i = 0; i < n; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !is_hex(s[i]))
            return false;
    }
    return true;
}

/* RFC 5321 mailbox, ASCII: a dot-atom or quoted local part of 1-64 bytes,
 * '@', then a host name or a bracketed IPv4 address. */
static bool check_email(const char *s, size_t n)
{
    const char *at = NULL;
    for (size_t i = n; i > 0; i--)
        if (s[i - 1] == '@') {
            at = s + i - 1;
            break;
        }
    if (!at)
        return false;
    size_t ln = (size_t)(at - s), dn = n - ln - 1;
    const char *d = at + 1;
    if (ln == 0 || ln > 64)
        return false;
    if (s[0] == '"') {
        if (ln < 2 || s[ln - 1] != '"')
            return false;
        for (size_t i = 1; i < ln - 1; i++) {
            unsigned char c = (unsigned char)s[i];
            if (c == '\\' && i + 1 < ln - 1) {
                i++;
                continue;
            }
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\')
                return false;
        }
    } else {
        for (size_t i = 0; i < ln; i++) {
            char c = s[i];
            if (c == '.') {
                if (i == 0 || i == ln - 1 || s[i - 1] == '.')
                    return false;
            } else if (!is_alpha(c) && !is_digit(c) && !in_set(c, "!#$%&'*+/=?^_`{|}~-")) {
                return false;
            }
        }
    }
    if (dn >= 2 && d[0] == '[' && d[dn - 1] == ']')
        return check_ipv4(d + 1, dn - 2);
    return check_hostname(d, dn);
}

/* RFC 3986 absolute URI, checked at the character level: a scheme, ':',
 * then only unreserved, reserved and %HH characters. */
static bool check_uri(const char *s, size_t n)
{
    size_t i = 0;
    if (n == 0 || !is_alpha(s[0]))
        return false;
    while (i < n && (is_alpha(s[i]) || is_digit(s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.'))
        i++;
    if (i == n || s[i] != ':')
        return false;
    size_t colon = i;
    for (i++; i < n; i++) {
        char c = s[i];
        if (c == '%') {
            if (i + 2 >= n || !is_hex(s[i + 1]) || !is_hex(s[i + 2]))
                return false;
            i += 2;
        } else if (!is_alpha(c) && !is_digit(c) && !in_set(c, "-._~:/?#[]@!$&'()*+,;=")) {
            return false;
        }
    }
    /* An authority ("//") must name a host, except in file: URIs. */
    size_t after = colon + 3;
    if (after <= n && s[colon + 1] == '/' && s[colon + 2] == '/') {
        bool is_file = colon == 4 && strncmp(s, "file", 4) == 0;
        if (!is_file && (after == n || s[after] == '/' || s[after] == '?' || s[after] == '#'))
            return false;
    }
    return true;
}

/* An RFC 3339 full-time, by putting a date in front of it. */
static bool check_time(const char *s, size_t n)
{
    char dt[64];
    int64_t ms;
    if (n > sizeof(dt) - 12 || n < 9 || s[2] != ':')
        return false;
    memcpy(dt, "1970-01-01T", 11);
    memcpy(dt + 11, s, n);
    return time_parse_rfc3339(&ms, dt, n + 11, NULL) == 0;
}

bool jsonschema__format_check(enum js_format f, const char *s, size_t n)
{
    int64_t ms;
    switch (f) {
    case JS_FORMAT_NONE:
        return true;
    case JS_FORMAT_DATE_TIME:
        /* The same reader as every timestamp inlet stores: RFC 3339 plus
         * the offset forms providers send (see core/time.h). */
        return time_parse_rfc3339(&ms, s, n, NULL) == 0;
    case JS_FORMAT_DATE:
        return time_parse_date(&ms, s, n, NULL) == 0;
    case JS_FORMAT_TIME:
        return check_time(s, n);
    case JS_FORMAT_EMAIL:
        return check_email(s, n);
    case JS_FORMAT_URI:
        return check_uri(s, n);
    case JS_FORMAT_UUID:
        return check_uuid(s, n);
    case JS_FORMAT_IPV4:
        return check_ipv4(s, n);
    case JS_FORMAT_HOSTNAME:
        return check_hostname(s, n);
    }
    return true;
}

/* ---- patterns ---- */

#define PATTERN_BYTES_MAX  1024  /* bytes of a pattern */
#define PATTERN_GROUPS_MAX 32    /* nested parentheses */
#define PATTERN_STATES_MAX 10000 /* atoms once {n,m} repetitions are expanded */

static bool why_set(char *why, size_t size, const char *msg)
{
    snprintf(why, size, "%s", msg);
    return false;
}

/* Parse "{n}", "{n,}" or "{n,m}" at p; the larger bound (n + 1 for "{n,}"),
 * or -1 when it is not an interval (regcomp then judges it). */
static long interval(const char *p, const char **end)
{
    long lo = 0, hi = -1;
    const char *q = p + 1;
    if (!is_digit(*q))
        return -1;
    while (is_digit(*q) && lo <= PATTERN_STATES_MAX)
        lo = lo * 10 + (*q++ - '0');
    if (*q == ',') {
        q++;
        if (is_digit(*q)) {
            hi = 0;
            while (is_digit(*q) && hi <= PATTERN_STATES_MAX)
                hi = hi * 10 + (*q++ - '0');
        } else {
            hi = lo + 1;
        }
    }
    while (is_digit(*q))
        q++;
    if (*q != '}')
        return -1;
    *end = q + 1;
    return hi > lo ? hi : lo;
}

bool jsonschema__pattern_ok(const char *pattern, char *why, size_t why_size)
{
    long acc[PATTERN_GROUPS_MAX + 1]; /* atoms so far in each open group */
    int depth = 0;
    long last = 0; /* size of the last atom, which a repetition applies to */
    const char *p = pattern;

    if (strlen(pattern) > PATTERN_BYTES_MAX)
        return why_set(why, why_size, "is longer than 1024 bytes");
    acc[0] = 0;
    while (*p) {
        char c = *p;
        if (c == '\\') {
            char e = p[1];
            if (e >= '1' && e <= '9')
                return why_set(why, why_size, "uses a backreference (\\1), which is not supported");
            if (e == 'd' || e == 'D')
                return why_set(
                    why, why_size,
                    "uses \\d, which POSIX regex does not have: write [0-9] (or [^0-9] for \\D)");
            p += e ? 2 : 1;
            last = 1;
            acc[depth] += 1;
        } else if (c == '[') {
            const char *q = p + 1;
            if (*q == '^')
                q++;
            if (*q == ']')
                q++;
            while (*q && *q != ']') {
                if (*q == '\\')
                    return why_set(why, why_size,
                                   "has a backslash inside [...], which POSIX regex reads as a "
                                   "backslash: write the class without it, e.g. [a-z0-9_.-]");
                if (*q == '[' && (q[1] == ':' || q[1] == '=' || q[1] == '.')) {
                    char close = q[1];
                    q += 2;
                    while (*q && !(q[0] == close && q[1] == ']'))
                        q++;
                    if (*q)
                        q += 2;
                    continue;
                }
                q++;
            }
            p = *q ? q + 1 : q;
            last = 1;
            acc[depth] += 1;
        } else if (c == '(') {
            if (depth == PATTERN_GROUPS_MAX)
                return why_set(why, why_size, "has parentheses nested more than 32 deep");
            acc[++depth] = 0;
            last = 0;
            p++;
        } else if (c == ')' && depth > 0) {
            last = acc[depth--];
            acc[depth] += last;
            p++;
        } else if (c == '{' || c == '+') {
            const char *end = p + 1;
            long times = c == '+' ? 2 : interval(p, &end);
            if (times < 0) {
                last = 1;
                acc[depth] += 1;
                p++;
                continue;
            }
            if (times > PATTERN_STATES_MAX || (last > 0 && times > PATTERN_STATES_MAX / last))
                return why_set(why, why_size, "has repetitions that expand past 10000 states");
            acc[depth] += last * (times > 0 ? times - 1 : 0);
            last *= times;
            p = end;
        } else {
            last = c == '*' || c == '?' || c == '|' ? last : 1;
            if (c != '*' && c != '?' && c != '|')
                acc[depth] += 1;
            p++;
        }
        if (acc[depth] > PATTERN_STATES_MAX)
            return why_set(why, why_size, "has repetitions that expand past 10000 states");
    }
    return true;
}
