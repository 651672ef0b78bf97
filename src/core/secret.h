/* core/secret.h - a distinct type for secret bytes (tokens, keys, passwords).
 * Because a struct secret is not a char *, it cannot be passed to a log field
 * or a format string by mistake: the logger's LOG_SECRET prints it as "***".
 * The bytes are wiped when disposed. */
#ifndef INLET_CORE_SECRET_H
#define INLET_CORE_SECRET_H
#include <stddef.h>

struct secret {
    unsigned char *p; /* from xmalloc(), NUL-terminated for convenience; NULL when empty */
    size_t n;         /* bytes, not counting the NUL */
};

/* Copy n bytes into a new secret owned by *s (dispose with secret_dispose). */
void secret_set(struct secret *s, const void *data, size_t n);
/* Take ownership of p (n bytes, from xmalloc, NUL at p[n]). */
void secret_take(struct secret *s, unsigned char *p, size_t n);
/* Wipe and free; leaves *s empty. A zeroed struct is fine. */
void secret_dispose(struct secret *s);
/* Overwrite n bytes so the compiler cannot drop it (explicit_bzero). */
void secret_wipe(void *p, size_t n);

#endif
