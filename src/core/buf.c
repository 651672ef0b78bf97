/* core/buf.c - bounded growable buffer. Growth doubles capacity; an append
 * that would pass max sets the sticky failed flag and appends nothing, so a
 * half-built URL or statement can never escape. */
#include "core/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"

void buf_init(struct buf *b, size_t max)
{
    memset(b, 0, sizeof(*b));
    b->max = max ? max : SIZE_MAX - 1;
}

void buf_dispose(struct buf *b)
{
    xfree(b->p);
    size_t max = b->max;
    memset(b, 0, sizeof(*b));
    b->max = max;
}

void buf_reset(struct buf *b)
{
    b->n = 0;
    b->failed = false;
    if (b->p)
        b->p[0] = '\0';
}

/* Make room for `more` bytes plus the NUL; false (and failed set) past max. */
static bool grow(struct buf *b, size_t more)
{
    if (b->failed)
        return false;
    size_t max = b->max ? b->max : SIZE_MAX - 1;
    if (more > max - b->n) {
        b->failed = true;
        return false;
    }
    size_t need = b->n + more + 1;
    if (need <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    b->p = xrealloc(b->p, cap);
    b->cap = cap;
    return true;
}

void buf_reserve(struct buf *b, size_t n)
{
    size_t max = b->max ? b->max : SIZE_MAX - 1;
    if (b->failed || n > max || n + 1 <= b->cap)
        return;
    b->p = xrealloc(b->p, n + 1);
    b->cap = n + 1;
    if (b->n == 0)
        b->p[0] = '\0';
}

void buf_put(struct buf *b, const void *data, size_t n)
{
    if (!grow(b, n))
        return;
    if (n)
        memcpy(b->p + b->n, data, n);
    b->n += n;
    b->p[b->n] = '\0';
}

void buf_puts(struct buf *b, const char *s)
{
    buf_put(b, s, strlen(s));
}

void buf_putc(struct buf *b, char c)
{
    buf_put(b, &c, 1);
}

void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int len = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (len < 0 || !grow(b, (size_t)len)) {
        b->failed = true;
        return;
    }
    vsnprintf(b->p + b->n, (size_t)len + 1, fmt, ap);
    b->n += (size_t)len;
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(b, fmt, ap);
    va_end(ap);
}

static const char hexdig[] = "0123456789ABCDEF";

void buf_put_urlenc(struct buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            buf_putc(b, (char)c);
        } else {
            char esc[3] = {'%', hexdig[c >> 4], hexdig[c & 15]};
            buf_put(b, esc, 3);
        }
    }
}

void buf_put_jsonesc(struct buf *b, const char *s, size_t n)
{
    size_t run = 0; /* start of the pending run of bytes that need no escape */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        buf_put(b, s + run, i - run);
        run = i + 1;
        switch (c) {
        case '"':
            buf_puts(b, "\\\"");
            break;
        case '\\':
            buf_puts(b, "\\\\");
            break;
        case '\n':
            buf_puts(b, "\\n");
            break;
        case '\r':
            buf_puts(b, "\\r");
            break;
        case '\t':
            buf_puts(b, "\\t");
            break;
        default: {
            char esc[6] = {'\\', 'u', '0', '0', hexdig[c >> 4], hexdig[c & 15]};
            buf_put(b, esc, 6);
        }
        }
    }
    buf_put(b, s + run, n - run);
}

bool buf_failed(const struct buf *b)
{
    return b->failed;
}

const char *buf_cstr(const struct buf *b)
{
    return b->p ? b->p : "";
}

char *buf_take(struct buf *b)
{
    char *p = b->p ? b->p : xstrdup("");
    size_t max = b->max;
    memset(b, 0, sizeof(*b));
    b->max = max;
    return p;
}

void buf_put_json_str(struct buf *b, const char *s)
{
    if (!s) {
        buf_puts(b, "null");
        return;
    }
    buf_putc(b, '"');
    buf_put_jsonesc(b, s, strlen(s));
    buf_putc(b, '"');
}

void buf_put_html(struct buf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&':
            buf_puts(b, "&amp;");
            break;
        case '<':
            buf_puts(b, "&lt;");
            break;
        case '>':
            buf_puts(b, "&gt;");
            break;
        case '"':
            buf_puts(b, "&quot;");
            break;
        case '\'':
            buf_puts(b, "&#39;");
            break;
        default:
            buf_putc(b, *s);
        }
    }
}
