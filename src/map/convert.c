/* map/convert.c - numbers, dates and domains out of the text providers
 * send (convert.h). Each reader walks the bytes once, by hand, so that a
 * refusal can name the byte it stopped at; nothing here depends on the
 * locale, the TZ variable or libc's strtod/strptime. */
#include "map/convert.h"

#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/str.h"
#include "core/time.h"

#define MS_PER_DAY 86400000LL

/* ---- messages ---- */

void convert_quote(char out[CONVERT_QUOTE_MAX], const char *s, size_t n)
{
    size_t o = 0, i = 0;
    out[o++] = '"';
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        size_t len = c >= 0x80 ? str_utf8_seq(s + i, n - i) : 1;
        bool hex = c < 0x20 || c == 0x7f || len == 0, esc = c == '"' || c == '\\';
        size_t need = hex ? 4 : esc ? 2 : len;
        if (o + need > 41) { /* 40 bytes of text after the opening quote */
            memcpy(out + o, "...", 3);
            o += 3;
            break;
        }
        if (hex) {
            snprintf(out + o, 5, "\\x%02X", c);
            len = 1;
        } else if (esc) {
            out[o] = '\\';
            out[o + 1] = (char)c;
        } else {
            memcpy(out + o, s + i, len);
        }
        o += need;
        i += len;
    }
    out[o++] = '"';
    out[o] = '\0';
}

/* "VALUE is not WHAT: DETAIL" */
static int refuse(struct err *err, const char *s, size_t n, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int refuse(struct err *err, const char *s, size_t n, const char *what, const char *fmt, ...)
{
    char q[CONVERT_QUOTE_MAX], detail[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    convert_quote(q, s, n);
    err_set(err, ERR_INVALID, "%s is not %s%s%s", q, what, *detail ? ": " : "", detail);
    return ERR_INVALID;
}

/* "x" for a byte in a detail; a control or non-ASCII byte as 0xHH. */
static const char *show(char out[8], unsigned char c)
{
    if (c >= 0x20 && c < 0x7f)
        snprintf(out, 8, "\"%c\"", c);
    else
        snprintf(out, 8, "0x%02X", c);
    return out;
}

/* ---- white space ---- */

/* Bytes of the white space character at p[0..n): ASCII, U+00A0, U+2007,
 * U+2009 and U+202F (the spaces number formats use); 0 for none. */
static size_t ws_at(const char *p, size_t n)
{
    const unsigned char *u = (const unsigned char *)p;
    if (n >= 1 && (u[0] == ' ' || (u[0] >= '\t' && u[0] <= '\r')))
        return 1;
    if (n >= 2 && u[0] == 0xC2 && u[1] == 0xA0)
        return 2;
    if (n >= 3 && u[0] == 0xE2 && u[1] == 0x80 && (u[2] == 0x87 || u[2] == 0x89 || u[2] == 0xAF))
        return 3;
    return 0;
}

/* Length of the white space ending at p + n (one character of it). */
static size_t ws_before(const char *p, size_t n)
{
    for (size_t k = 1; k <= 3 && k <= n; k++)
        if (ws_at(p + n - k, k) == k)
            return k;
    return 0;
}

static void trim(const char **p, const char **e)
{
    size_t k;
    while (*p < *e && (k = ws_at(*p, (size_t)(*e - *p))) > 0)
        *p += k;
    while (*e > *p && (k = ws_before(*p, (size_t)(*e - *p))) > 0)
        *e -= k;
}

/* ---- decimals ---- */

static const char *const currency_symbols[] = {"$",
                                               "\xE2\x82\xAC",
                                               "\xC2\xA3",
                                               "\xC2\xA5",
                                               "\xE2\x82\xB9",
                                               "\xE2\x82\xA9",
                                               "\xE2\x82\xBD",
                                               "\xE2\x82\xBA",
                                               "\xE2\x82\xAA",
                                               "\xE2\x82\xAB",
                                               "\xC2\xA2",
                                               "\xE2\x82\xB1",
                                               "\xE2\x82\xB4",
                                               "\xE2\x82\xA6",
                                               "\xE0\xB8\xBF"};

static size_t symbol_at(const char *p, size_t n)
{
    for (size_t i = 0; i < sizeof(currency_symbols) / sizeof(currency_symbols[0]); i++) {
        size_t k = strlen(currency_symbols[i]);
        if (k <= n && memcmp(p, currency_symbols[i], k) == 0)
            return k;
    }
    return 0;
}

static bool is_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Bytes of a currency symbol ending at e (one of them), 0 for none. */
static size_t symbol_before(const char *p, const char *e)
{
    for (size_t i = 0; i < sizeof(currency_symbols) / sizeof(currency_symbols[0]); i++) {
        size_t k = strlen(currency_symbols[i]);
        if ((size_t)(e - p) >= k && memcmp(e - k, currency_symbols[i], k) == 0)
            return k;
    }
    return 0;
}

/* Drop a currency marker at the start of [*p, e): a symbol ("$"), a
 * three-letter code ("EUR"), or up to three capitals and a symbol ("US$",
 * "R$"). Other capitals stay, to be refused. */
static void skip_currency_prefix(const char **p, const char *e)
{
    const char *q = *p;
    while (q < e && q - *p < 3 && is_upper(*q))
        q++;
    size_t sym = symbol_at(q, (size_t)(e - q));
    if ((q < e && is_upper(*q)) || (q - *p < 3 && q > *p && sym == 0))
        return;
    *p = q + sym;
}

/* The same at the end: "12 $", "12 EUR", "12 US$". */
static void skip_currency_suffix(const char *p, const char **e)
{
    size_t sym = symbol_before(p, *e);
    const char *q = *e - sym, *r = q;
    while (r > p && q - r < 3 && is_upper(r[-1]))
        r--;
    if ((r > p && is_upper(r[-1])) || (q - r < 3 && r < q && sym == 0))
        return;
    *e = r;
}

/* The canonical form of sign, integer digits and fraction digits. */
static int canon(char **out, bool neg, const char *ip, size_t in, const char *fp, size_t fn,
                 const char *s, size_t n, struct err *err)
{
    while (in > 0 && *ip == '0') {
        ip++;
        in--;
    }
    if (in + fn > CONVERT_DIGITS_MAX)
        return refuse(err, s, n, "a number", "over %d digits", CONVERT_DIGITS_MAX);
    bool zero = in == 0;
    for (size_t i = 0; zero && i < fn; i++)
        zero = fp[i] == '0';
    char *r = xmalloc(in + fn + 4), *o = r;
    if (neg && !zero)
        *o++ = '-';
    if (in == 0)
        *o++ = '0';
    memcpy(o, ip, in);
    o += in;
    if (fn > 0) {
        *o++ = '.';
        memcpy(o, fp, fn);
        o += fn;
    }
    *o = '\0';
    *out = r;
    return 0;
}

int convert_number(char **out, const char *s, size_t n, char dec, char group, struct err *err)
{
    const char *p = s, *e = s + n;
    bool neg = false, signed_ = false;
    char ch[8];

    trim(&p, &e);
    if (p == e)
        return refuse(err, s, n, "a number", "empty");
    if (*p == '(' && e[-1] == ')' && e - p >= 2) {
        neg = signed_ = true;
        p++;
        e--;
        trim(&p, &e);
    }
    for (int pass = 0; pass < 2; pass++) {
        /* A sign before or after the currency: "-$12", "$-12". */
        if (p < e && (*p == '-' || *p == '+') && !signed_) {
            neg = *p == '-';
            signed_ = true;
            p++;
            trim(&p, &e);
        }
        if (pass == 0) {
            skip_currency_prefix(&p, e);
            trim(&p, &e);
        }
    }
    skip_currency_suffix(p, &e);
    trim(&p, &e);

    /* Digits are copied out without separators: at most n of them. The
     * groups: the first of one to three digits, then two or three (the
     * Indian 1,23,456 too), the last of exactly three. */
    char *digits = xmalloc(e - p > 0 ? (size_t)(e - p) : 1);
    size_t nd = 0, frac_at = SIZE_MAX, groups = 0, run = 0;
    int rc = 0;
    for (const char *q = p; q < e;) {
        size_t at = (size_t)(q - s), k = 0;
        if (is_digit(*q)) {
            digits[nd++] = *q++;
            run++;
            continue;
        }
        if (group && frac_at == SIZE_MAX)
            k = group == ' ' ? ws_at(q, (size_t)(e - q)) : *q == group;
        if (k > 0) {
            if (run == 0 || q + k >= e || !is_digit(q[k])) {
                rc = refuse(err, s, n, "a number", "misplaced group separator %s at byte %zu",
                            show(ch, (unsigned char)*q), at);
                goto done;
            }
            if (run > 3 || (groups > 0 && run < 2))
                goto bad_group;
            groups++;
            run = 0;
            q += k;
            continue;
        }
        if (*q == dec) {
            if (frac_at != SIZE_MAX) {
                rc = refuse(err, s, n, "a number", "a second decimal separator at byte %zu", at);
                goto done;
            }
            if (groups > 0 && run != 3)
                goto bad_group;
            frac_at = nd;
            run = 0;
            q++;
            continue;
        }
        rc = refuse(err, s, n, "a number", "unexpected %s at byte %zu", show(ch, (unsigned char)*q),
                    at);
        goto done;
    }
    if (groups > 0 && frac_at == SIZE_MAX && run != 3)
        goto bad_group;
    if (nd == 0) {
        rc = refuse(err, s, n, "a number", "no digits");
        goto done;
    }
    if (frac_at == SIZE_MAX)
        frac_at = nd;
    rc = canon(out, neg, digits, frac_at, digits + frac_at, nd - frac_at, s, n, err);
    goto done;
bad_group:
    rc = refuse(err, s, n, "a number", "digits grouped unevenly (expected groups of three)");
done:
    xfree(digits);
    return rc;
}

int convert_json_number(char **out, const char *s, struct err *err)
{
    size_t n = strlen(s), i = 0, is, in, fs = 0, fn = 0;
    bool neg = false;
    long exp = 0;
    char ch[8];

    if (i < n && s[i] == '-') {
        neg = true;
        i++;
    }
    is = i;
    while (i < n && is_digit(s[i]))
        i++;
    in = i - is;
    if (i < n && s[i] == '.') {
        fs = ++i;
        while (i < n && is_digit(s[i]))
            i++;
        fn = i - fs;
    }
    if (in + fn == 0)
        return refuse(err, s, n, "a number", "no digits");
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        bool eneg = false;
        size_t es;
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            eneg = s[i++] == '-';
        es = i;
        while (i < n && is_digit(s[i])) {
            if (exp < 100000)
                exp = exp * 10 + (s[i] - '0');
            i++;
        }
        if (i == es)
            return refuse(err, s, n, "a number", "no digits in the exponent");
        if (eneg)
            exp = -exp;
    }
    if (i < n)
        return refuse(err, s, n, "a number", "unexpected %s at byte %zu",
                      show(ch, (unsigned char)s[i]), i);
    if (exp == 0)
        return canon(out, neg, s + is, in, s + fs, fn, s, n, err);
    if (exp > CONVERT_DIGITS_MAX + (long)fn || exp < -(long)(CONVERT_DIGITS_MAX + in))
        return refuse(err, s, n, "a number", "over %d digits", CONVERT_DIGITS_MAX);
    /* Lay the digits out with the point moved: int part then fraction. */
    size_t total = in + fn, cap = total + (size_t)(exp < 0 ? -exp : exp) + 2;
    char *d = xmalloc(cap);
    size_t nd = 0, point;
    memcpy(d, s + is, in);
    memcpy(d + in, s + fs, fn);
    nd = total;
    if (exp > 0) {
        point = in + (size_t)exp;
        while (nd < point)
            d[nd++] = '0';
    } else if ((size_t)-exp <= in) {
        point = in - (size_t)-exp;
    } else {
        size_t pad = (size_t)-exp - in;
        memmove(d + pad, d, nd);
        memset(d, '0', pad);
        nd += pad;
        point = 0;
    }
    int rc = canon(out, neg, d, point, d + point, nd - point, s, n, err);
    xfree(d);
    return rc;
}

int convert_decimal_shift(char **out, const char *d, int k, struct err *err)
{
    char *t;
    struct buf b;
    int rc;
    assert(k >= -18 && k <= 18);
    buf_init(&b, 0);
    buf_printf(&b, "%se%d", d, k);
    t = buf_take(&b);
    rc = convert_json_number(out, t, err);
    xfree(t);
    return rc;
}

/* ---- dates and times ---- */

struct when {
    int year, mon, day, hour, min, sec, ms;
    int pm;         /* -1: no %p; 0 AM; 1 PM */
    int off_min;    /* zone offset, minutes east of UTC */
    bool has_epoch; /* %s: epoch_ms holds the instant */
    int64_t epoch_ms;
};

/* Days and time of day to Unix ms; ERR_INVALID when a part is out of range. */
static int when_ms(int64_t *ms, struct when *w, const char *s, size_t n, const char *what,
                   struct err *err)
{
    if (w->has_epoch) {
        *ms = w->epoch_ms;
        return 0;
    }
    if (w->year < 1 || w->year > 9999)
        return refuse(err, s, n, what, "year %d out of range", w->year);
    if (w->mon < 1 || w->mon > 12)
        return refuse(err, s, n, what, "month %d out of range", w->mon);
    if (w->day < 1 || w->day > time_days_in_month(w->year, w->mon))
        return refuse(err, s, n, what, "day %d out of range for %04d-%02d", w->day, w->year,
                      w->mon);
    if (w->pm >= 0) {
        if (w->hour < 1 || w->hour > 12)
            return refuse(err, s, n, what, "hour %d out of range for AM/PM", w->hour);
        w->hour = w->hour % 12 + (w->pm ? 12 : 0);
    }
    if (w->hour > 23)
        return refuse(err, s, n, what, "hour %d out of range", w->hour);
    if (w->min > 59)
        return refuse(err, s, n, what, "minute %d out of range", w->min);
    if (w->sec > 60)
        return refuse(err, s, n, what, "second %d out of range", w->sec);
    if (w->sec == 60) { /* a leap second: the last instant of its minute, as core/time.c does */
        w->sec = 59;
        w->ms = 999;
    }
    int64_t t = time_days_from_civil(w->year, w->mon, w->day) * MS_PER_DAY +
                ((int64_t)w->hour * 3600 + (int64_t)w->min * 60 + w->sec) * 1000 + w->ms -
                (int64_t)w->off_min * 60000;
    if (t < TIME_MIN_MS || t > TIME_MAX_MS)
        return refuse(err, s, n, what, "outside years 0001 to 9999 once the offset is applied");
    *ms = t;
    return 0;
}

/* Up to max digits at *q into *v; false when there is none. */
static bool read_int(const char **q, const char *e, int max, int *v)
{
    int r = 0, k = 0;
    while (*q < e && k < max && is_digit(**q)) {
        r = r * 10 + (**q - '0');
        (*q)++;
        k++;
    }
    *v = r;
    return k > 0;
}

/* A fraction of a second, any number of digits, truncated to ms. */
static bool read_fraction(const char **q, const char *e, int *ms)
{
    int r = 0, k = 0;
    while (*q < e && is_digit(**q)) {
        if (k < 3)
            r = r * 10 + (**q - '0');
        (*q)++;
        k++;
    }
    for (int j = k; j < 3; j++)
        r *= 10;
    *ms = r;
    return k > 0;
}

/* Z, +hh, +hhmm, +hh:mm into minutes east of UTC. */
static bool read_zone(const char **q, const char *e, int *off)
{
    const char *p = *q;
    int h, m = 0;
    if (p < e && (*p == 'Z' || *p == 'z')) {
        *q = p + 1;
        *off = 0;
        return true;
    }
    if (p >= e || (*p != '+' && *p != '-'))
        return false;
    int sign = *p++ == '-' ? -1 : 1;
    const char *d = p;
    if (!read_int(&p, e, 2, &h) || p - d != 2 || h > 23)
        return false;
    if (p < e && *p == ':')
        p++;
    if (p < e && is_digit(*p)) {
        d = p;
        if (!read_int(&p, e, 2, &m) || p - d != 2 || m > 59)
            return false;
    } else if (p[-1] == ':') {
        return false;
    }
    *off = sign * (h * 60 + m);
    *q = p;
    return true;
}

static const char *const month_names[] = {"january",   "february", "march",    "april",
                                          "may",       "june",     "july",     "august",
                                          "september", "october",  "november", "december"};
static const char *const day_names[] = {"monday", "tuesday",  "wednesday", "thursday",
                                        "friday", "saturday", "sunday"};

static char lower(char c)
{
    return (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
}

static bool prefix_ci(const char *q, const char *e, const char *word, size_t k)
{
    if ((size_t)(e - q) < k)
        return false;
    for (size_t i = 0; i < k; i++)
        if (lower(q[i]) != word[i])
            return false;
    return true;
}

/* One of names (full, else its first three letters); index or -1. */
static int read_name(const char **q, const char *e, const char *const *names, int count)
{
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < count; i++) {
            size_t k = pass == 0 ? strlen(names[i]) : 3;
            if (prefix_ci(*q, e, names[i], k)) {
                *q += k;
                return i;
            }
        }
    return -1;
}

/* The directives of a format, with their expansion when they are shorthands. */
static const char *expand(char d)
{
    switch (d) {
    case 'F':
        return "%Y-%m-%d";
    case 'T':
        return "%H:%M:%S";
    case 'D':
        return "%m/%d/%y";
    case 'R':
        return "%H:%M";
    default:
        return NULL;
    }
}

int convert_format_check(const char *fmt, struct err *err)
{
    bool year = false, h12 = false, pm = false;
    size_t n = strlen(fmt);
    if (n == 0 || n > CONVERT_FORMAT_MAX)
        return err_set(err, ERR_INVALID, "a date format has 1 to %d bytes", CONVERT_FORMAT_MAX);
    for (size_t i = 0; i < n; i++) {
        if (fmt[i] != '%')
            continue;
        char d = fmt[++i];
        if (d && strchr("YysFD", d))
            year = true;
        h12 |= d == 'I';
        pm |= d == 'p';
        if (!d || !strchr("YymdeHIMSfbBhaApzsFTDRnt%", d)) {
            char ch[8] = "";
            if (d >= 0x20 && d < 0x7f)
                ch[0] = d;
            else if (d)
                snprintf(ch, sizeof(ch), "\\x%02X", (unsigned char)d);
            return err_set(err, ERR_INVALID, "unknown directive %%%s in date format at byte %zu",
                           ch, i - 1);
        }
    }
    if (!year)
        return err_set(err, ERR_INVALID, "a date format needs a year (%%Y, %%y, %%F, %%D or %%s)");
    if (h12 && !pm)
        return err_set(err, ERR_INVALID, "a date format with %%I needs %%p (AM or PM)");
    return 0;
}

/* Read [*q, e) by fmt into w; false with *bad (the byte of s where it
 * stopped) and *why set. */
static bool scan_format(const char **q, const char *e, const char *fmt, struct when *w,
                        const char **why)
{
    for (const char *f = fmt; *f; f++) {
        if (*f == ' ' || (*f >= '\t' && *f <= '\r')) {
            size_t k;
            while (*q < e && (k = ws_at(*q, (size_t)(e - *q))) > 0)
                *q += k;
            continue;
        }
        if (*f != '%') {
            if (*q >= e || lower(**q) != lower(*f)) {
                *why = "does not match the format";
                return false;
            }
            (*q)++;
            continue;
        }
        char d = *++f;
        const char *sub = expand(d);
        if (sub) {
            if (!scan_format(q, e, sub, w, why))
                return false;
            continue;
        }
        bool ok = true;
        int v = 0;
        const char *start = *q;
        switch (d) {
        case 'Y':
            ok = read_int(q, e, 4, &w->year);
            break;
        case 'y':
            ok = read_int(q, e, 2, &v) && *q - start == 2;
            w->year = v < 69 ? 2000 + v : 1900 + v;
            break;
        case 'm':
            ok = read_int(q, e, 2, &w->mon);
            break;
        case 'e':
            while (*q < e && **q == ' ')
                (*q)++;
            ok = read_int(q, e, 2, &w->day);
            break;
        case 'd':
            ok = read_int(q, e, 2, &w->day);
            break;
        case 'H':
        case 'I':
            ok = read_int(q, e, 2, &w->hour);
            break;
        case 'M':
            ok = read_int(q, e, 2, &w->min);
            break;
        case 'S':
            ok = read_int(q, e, 2, &w->sec);
            break;
        case 'f':
            ok = read_fraction(q, e, &w->ms);
            break;
        case 'b':
        case 'B':
        case 'h':
            v = read_name(q, e, month_names, 12);
            ok = v >= 0;
            w->mon = v + 1;
            break;
        case 'a':
        case 'A':
            ok = read_name(q, e, day_names, 7) >= 0;
            break;
        case 'p':
            ok = prefix_ci(*q, e, "am", 2) || prefix_ci(*q, e, "pm", 2);
            if (ok) {
                w->pm = lower(**q) == 'p';
                *q += 2;
            }
            break;
        case 'z':
            ok = read_zone(q, e, &w->off_min);
            break;
        case 's': {
            bool neg = *q < e && **q == '-';
            int64_t t = 0;
            if (neg)
                (*q)++;
            const char *ds = *q;
            while (*q < e && is_digit(**q) && *q - ds < 15)
                t = t * 10 + (*(*q)++ - '0');
            ok = *q > ds && (*q >= e || !is_digit(**q));
            t = (neg ? -t : t) * 1000;
            ok = ok && t >= TIME_MIN_MS && t <= TIME_MAX_MS;
            w->has_epoch = true;
            w->epoch_ms = t;
            break;
        }
        case 'n':
        case 't': {
            size_t k;
            while (*q < e && (k = ws_at(*q, (size_t)(e - *q))) > 0)
                *q += k;
            break;
        }
        case '%':
            ok = *q < e && **q == '%';
            if (ok)
                (*q)++;
            break;
        default:
            ok = false;
        }
        if (!ok) {
            *q = start;
            *why = "does not match the format";
            return false;
        }
    }
    return true;
}

int convert_time_format(int64_t *ms, const char *fmt, const char *s, size_t n, struct err *err)
{
    const char *p = s, *e = s + n, *why = NULL;
    struct when w = {.mon = 1, .day = 1, .pm = -1};
    char what[CONVERT_FORMAT_MAX + 24];

    assert(convert_format_check(fmt, NULL) == 0);
    snprintf(what, sizeof(what), "a date in the format %s", fmt);
    trim(&p, &e);
    if (!scan_format(&p, e, fmt, &w, &why))
        return refuse(err, s, n, what, "%s at byte %zu", why, (size_t)(p - s));
    if (p < e)
        return refuse(err, s, n, what, "unexpected text at byte %zu", (size_t)(p - s));
    return when_ms(ms, &w, s, n, what, err);
}

int convert_epoch(int64_t *ms, const char *s, size_t n, int64_t unit, struct err *err)
{
    const char *p = s, *e = s + n;
    int64_t v = 0;
    int64_t limit = (unit == 1 ? TIME_MAX_MS : TIME_MAX_MS / 1000) + 1;
    bool neg;

    trim(&p, &e);
    neg = p < e && *p == '-';
    if (neg)
        p++;
    if (p == e)
        return refuse(err, s, n, "Unix time", "no digits");
    for (const char *q = p; q < e; q++) {
        char ch[8];
        if (!is_digit(*q))
            return refuse(err, s, n, "Unix time", "unexpected %s at byte %zu",
                          show(ch, (unsigned char)*q), (size_t)(q - s));
        if (v <= limit)
            v = v * 10 + (*q - '0');
    }
    if (v > limit)
        return refuse(err, s, n, "Unix time", "outside years 0001 to 9999");
    v = (neg ? -v : v) * unit;
    if (v < TIME_MIN_MS || v > TIME_MAX_MS)
        return refuse(err, s, n, "Unix time", "outside years 0001 to 9999");
    *ms = v;
    return 0;
}

int convert_iso8601(int64_t *ms, const char *s, size_t n, struct err *err)
{
    static const char what[] = "a date or time (ISO 8601 or Unix time)";
    const char *p = s, *e = s + n, *q, *d;
    struct when w = {.pm = -1};

    trim(&p, &e);
    if (p == e)
        return refuse(err, s, n, what, "empty");
    q = p + (*p == '-');
    while (q < e && is_digit(*q))
        q++;
    if (q == e && q > p + (*p == '-')) {
        /* An integer: seconds, or milliseconds from 10^11 on (1973 in ms,
         * year 5138 in seconds, so real values cannot be confused). */
        size_t digits = (size_t)(e - p) - (*p == '-');
        return convert_epoch(ms, p, (size_t)(e - p), digits >= 12 ? 1 : 1000, err);
    }
    q = p;
#define PART(field, width, name)                                                                   \
    do {                                                                                           \
        d = q;                                                                                     \
        if (!read_int(&q, e, width, &w.field) || q - d != (width))                                 \
            return refuse(err, s, n, what, "expected the " name " at byte %zu", (size_t)(d - s));  \
    } while (0)
#define SEP(c, name)                                                                               \
    do {                                                                                           \
        if (q >= e || *q != (c))                                                                   \
            return refuse(err, s, n, what, "expected '%c' before the " name " at byte %zu", c,     \
                          (size_t)(q - s));                                                        \
        q++;                                                                                       \
    } while (0)
    PART(year, 4, "year");
    SEP('-', "month");
    PART(mon, 2, "month");
    SEP('-', "day");
    PART(day, 2, "day");
    if (q < e) {
        if (*q != 'T' && *q != 't' && *q != ' ')
            return refuse(err, s, n, what, "expected 'T' or a space at byte %zu", (size_t)(q - s));
        q++;
        PART(hour, 2, "hour");
        SEP(':', "minute");
        PART(min, 2, "minute");
        if (q < e && *q == ':') {
            q++;
            PART(sec, 2, "second");
            if (q < e && (*q == '.' || *q == ',')) {
                q++;
                if (!read_fraction(&q, e, &w.ms))
                    return refuse(err, s, n, what, "expected digits after the point at byte %zu",
                                  (size_t)(q - s));
            }
        }
        if (q < e && !read_zone(&q, e, &w.off_min))
            return refuse(err, s, n, what, "expected Z or an offset such as +01:00 at byte %zu",
                          (size_t)(q - s));
        if (q < e)
            return refuse(err, s, n, what, "unexpected text at byte %zu", (size_t)(q - s));
    }
#undef PART
#undef SEP
    return when_ms(ms, &w, s, n, what, err);
}

/* ---- domains ---- */

static bool host_ok(const char *h, size_t n)
{
    if (n == 0 || n > 253 || h[0] == '.' || h[0] == '-' || h[n - 1] == '-')
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)h[i];
        if (!(c >= 0x80 || is_digit((char)c) || (c >= 'a' && c <= 'z') || c == '-' || c == '.' ||
              c == '_'))
            return false;
        if (c == '.' && i + 1 < n && h[i + 1] == '.')
            return false;
    }
    return str_utf8_valid(h, n, NULL);
}

/* Lower-case [p, e) into a new string without a trailing dot; checked. */
static int host_take(char **out, const char *p, const char *e, bool strip_www, const char *s,
                     size_t n, const char *what, struct err *err)
{
    while (e > p && e[-1] == '.')
        e--;
    if (strip_www && e - p > 4 && prefix_ci(p, e, "www.", 4) && memchr(p + 4, '.', e - p - 4))
        p += 4;
    char *h = xstrndup(p, (size_t)(e - p));
    for (char *c = h; *c; c++)
        *c = lower(*c);
    if (!host_ok(h, strlen(h))) {
        xfree(h);
        return refuse(err, s, n, what, "%s", "");
    }
    *out = h;
    return 0;
}

int convert_url_domain(char **out, const char *s, size_t n, struct err *err)
{
    static const char what[] = "a URL or domain";
    const char *p = s, *e = s + n, *q;

    trim(&p, &e);
    for (q = p; q < e && *q != '/' && *q != ':'; q++)
        ;
    if (e - q >= 3 && memcmp(q, "://", 3) == 0)
        p = q + 3;
    else if (e - p >= 2 && p[0] == '/' && p[1] == '/')
        p += 2;
    /* The authority ends at the path, query or fragment. */
    for (q = p; q < e && *q != '/' && *q != '?' && *q != '#'; q++)
        ;
    e = q;
    const char *at = NULL;
    for (q = p; q < e; q++)
        if (*q == '@')
            at = q;
    if (at)
        p = at + 1;
    for (q = p; q < e && *q != ':'; q++)
        ;
    if (q < e) { /* a port: digits only */
        for (const char *r = q + 1; r < e; r++)
            if (!is_digit(*r))
                return refuse(err, s, n, what, "%s", "");
        e = q;
    }
    return host_take(out, p, e, true, s, n, what, err);
}

int convert_email_domain(char **out, const char *s, size_t n, struct err *err)
{
    const char *p = s, *e = s + n, *at = NULL;
    trim(&p, &e);
    for (const char *q = p; q < e; q++)
        if (*q == '@')
            at = q;
    if (!at || at == p)
        return refuse(err, s, n, "an e-mail address", "%s", "");
    return host_take(out, at + 1, e, false, s, n, "an e-mail address", err);
}

int convert_email(char **out, const char *s, size_t n, struct err *err)
{
    const char *p = s, *e = s + n, *at = NULL;
    char *domain = NULL;
    trim(&p, &e);
    for (const char *q = p; q < e; q++) {
        if (*q == '@')
            at = q;
        if (ws_at(q, (size_t)(e - q)) || (unsigned char)*q < 0x20 || *q == '<' || *q == '>')
            return refuse(err, s, n, "an e-mail address", "%s", "");
    }
    if (!at || at == p)
        return refuse(err, s, n, "an e-mail address", "%s", "");
    int rc = host_take(&domain, at + 1, e, false, s, n, "an e-mail address", err);
    if (rc < 0)
        return rc;
    struct buf b;
    buf_init(&b, 0);
    for (const char *q = p; q < at; q++)
        buf_putc(&b, lower(*q));
    buf_putc(&b, '@');
    buf_puts(&b, domain);
    xfree(domain);
    *out = buf_take(&b);
    return 0;
}
