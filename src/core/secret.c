/* core/secret.c - owning and wiping secret bytes. */
#include "core/secret.h"

#include <string.h>

#include "core/alloc.h"

void secret_set(struct secret *s, const void *data, size_t n)
{
    unsigned char *p = xmalloc(n + 1);
    if (n)
        memcpy(p, data, n);
    p[n] = '\0';
    secret_take(s, p, n);
}

void secret_take(struct secret *s, unsigned char *p, size_t n)
{
    s->p = p;
    s->n = n;
}

void secret_dispose(struct secret *s)
{
    if (s->p) {
        secret_wipe(s->p, s->n);
        xfree(s->p);
    }
    s->p = NULL;
    s->n = 0;
}

void secret_wipe(void *p, size_t n)
{
    if (p) /* an empty buffer may have no memory at all */
        explicit_bzero(p, n);
}
