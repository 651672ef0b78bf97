/* core/form.c - application/x-www-form-urlencoded parsing (see form.h). Each
 * field is decoded into its own allocation and then checked as UTF-8; an
 * error found in decoded bytes is mapped back to the offset in the input,
 * so every message points at the text the sender wrote. */
#include "core/form.h"

#include <string.h>

#include "core/alloc.h"
#include "core/encode.h"
#include "core/str.h"

/* The input offset of decoded byte k of the field starting at text[start]. */
static size_t input_offset(const char *text, size_t start, size_t k)
{
    size_t i = start;
    for (; k > 0; k--)
        i += text[i] == '%' ? 3 : 1;
    return i;
}

/* Decode text[start, end) into *out (xmalloc'd, NUL-terminated). */
static int field_decode(char **out, const char *text, size_t start, size_t end, struct err *err)
{
    char *d = xmalloc(end - start + 1);
    size_t k = 0;
    size_t bad;

    *out = NULL;
    for (size_t i = start; i < end; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '+') {
            d[k++] = ' ';
        } else if (c == '%') {
            int hi = i + 2 < end ? encode_hex_digit((unsigned char)text[i + 1]) : -1;
            int lo = hi >= 0 ? encode_hex_digit((unsigned char)text[i + 2]) : -1;
            if (lo < 0) {
                xfree(d);
                return err_set(err, ERR_INVALID, "form: bad percent-escape at byte %zu", i);
            }
            if (hi == 0 && lo == 0) {
                xfree(d);
                return err_set(err, ERR_INVALID, "form: %%00 at byte %zu", i);
            }
            d[k++] = (char)(hi << 4 | lo);
            i += 2;
        } else if (c == '\0') {
            xfree(d);
            return err_set(err, ERR_INVALID, "form: NUL at byte %zu", i);
        } else {
            d[k++] = (char)c;
        }
    }
    d[k] = '\0';
    if (!str_utf8_valid(d, k, &bad)) {
        xfree(d);
        return err_set(err, ERR_INVALID, "form: invalid UTF-8 at byte %zu",
                       input_offset(text, start, bad));
    }
    *out = d;
    return 0;
}

int form_parse(struct form *out, const char *text, size_t n, struct err *err)
{
    size_t cap = 0;

    memset(out, 0, sizeof(*out));
    if (n > FORM_MAX_BYTES)
        return err_set(err, ERR_TOOBIG, "form: over %d bytes", FORM_MAX_BYTES);
    for (size_t s = 0; s < n;) {
        const char *amp = memchr(text + s, '&', n - s);
        size_t e = amp ? (size_t)(amp - text) : n;
        const char *eq = memchr(text + s, '=', e - s);
        size_t mid = eq ? (size_t)(eq - text) : e;
        char *name = NULL, *value = NULL;
        int rc;

        if (e == s) {
            s = e + 1;
            continue;
        }
        rc = field_decode(&name, text, s, mid, err);
        if (rc == 0 && eq)
            rc = field_decode(&value, text, mid + 1, e, err);
        else if (rc == 0)
            value = xstrdup("");
        if (rc == 0 && name && !form_get(out, name) && out->n == FORM_MAX_PAIRS)
            rc = err_set(err, ERR_TOOBIG, "form: over %d pairs", FORM_MAX_PAIRS);
        if (rc != 0 || !name || !value) {
            xfree(name);
            xfree(value);
            form_dispose(out); /* nothing half-parsed escapes */
            return rc;
        }
        if (form_get(out, name)) {
            xfree(name);
            xfree(value);
        } else {
            if (out->n == cap) {
                cap = cap ? 2 * cap : 8;
                out->pairs = xrealloc(out->pairs, cap * sizeof(*out->pairs));
            }
            out->pairs[out->n].name = name;
            out->pairs[out->n].value = value;
            out->n++;
        }
        s = e + 1;
    }
    return 0;
}

const char *form_get(const struct form *f, const char *name)
{
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->pairs[i].name, name) == 0)
            return f->pairs[i].value;
    return NULL;
}

void form_dispose(struct form *f)
{
    for (size_t i = 0; i < f->n; i++) {
        xfree(f->pairs[i].name);
        xfree(f->pairs[i].value);
    }
    xfree(f->pairs);
    f->pairs = NULL;
    f->n = 0;
}
