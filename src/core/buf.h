/* core/buf.h - a growable byte buffer with a hard size cap that fails sticky
 * (like libgit2's git_str and curl's dynbuf): append freely, check
 * buf_failed() once at the end. The contents are always NUL-terminated, so
 * buf_cstr() can be handed to C string functions. Used everywhere text is
 * built: SQL identifiers, URLs, JSON, log lines. */
#ifndef INLET_CORE_BUF_H
#define INLET_CORE_BUF_H
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct buf {
    char *p;     /* contents, NUL-terminated; from xmalloc(), NULL until first append */
    size_t n;    /* bytes used, not counting the NUL */
    size_t cap;  /* bytes allocated */
    size_t max;  /* hard cap on n; 0 means SIZE_MAX */
    bool failed; /* an append would have gone past max; sticky until buf_reset */
};

/* Set up an empty buffer that will refuse to grow past max bytes. */
void buf_init(struct buf *b, size_t max);
/* Free the contents; b can be initialised again. A zeroed struct is fine. */
void buf_dispose(struct buf *b);
/* Empty the buffer, keep its memory, clear the failed flag. */
void buf_reset(struct buf *b);

/* Make room for n bytes in all (a NUL after them included) in one
 * allocation, so that appends up to n never move the contents: a buffer
 * that will hold a secret leaves no copies behind in freed memory. Nothing
 * happens past max, or when the room is there. */
void buf_reserve(struct buf *b, size_t n);
void buf_put(struct buf *b, const void *data, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Append s percent-encoded for a URL query component (RFC 3986 unreserved kept). */
void buf_put_urlenc(struct buf *b, const char *s, size_t n);
/* Append s as the inside of a JSON string (quotes not added), escaping as JSON
 * requires; invalid UTF-8 is passed through byte for byte. */
void buf_put_jsonesc(struct buf *b, const char *s, size_t n);
/* Append the NUL-terminated s as a JSON string, quotes included, or null
 * when s is NULL. */
void buf_put_json_str(struct buf *b, const char *s);
/* Append s escaped for HTML text and attribute values (& < > " '). */
void buf_put_html(struct buf *b, const char *s);

/* True once any append went past max. Nothing was appended by that call. */
bool buf_failed(const struct buf *b);
/* The contents, borrowed; "" for an empty buffer, never NULL. */
const char *buf_cstr(const struct buf *b);
/* Hand the contents to the caller (free with xfree) and leave b empty. */
char *buf_take(struct buf *b);

#endif
