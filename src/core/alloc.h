/* core/alloc.h - allocation that never returns NULL. Out of memory aborts
 * (as Redis's zmalloc does), which removes a class of error paths; in
 * exchange every size that comes from outside is capped before it gets here.
 * Only core/ may call malloc, free and friends directly (`make lint`). */
#ifndef INLET_CORE_ALLOC_H
#define INLET_CORE_ALLOC_H
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n); /* copies at most n bytes, adds a NUL */
void xfree(void *p);                     /* NULL is a no-op */

#endif
