/* api/cache.h - answers kept in memory by exact key, for lists that are
 * read far more often than they change (the UI polls them). A key always
 * holds the tenant's data_version (store/tenant.h), which a database
 * trigger moves on every change to what those lists show: an entry is
 * never stale, it only stops being asked for, and ages out. Bounded: a
 * fixed number of slots, entries over API_CACHE_ENTRY_MAX bytes are not
 * kept, so at most API_CACHE_SLOTS * API_CACHE_ENTRY_MAX bytes. Thread-safe.
 * With several processes each keeps its own; correctness needs nothing
 * shared but the database. Only answers built from tables whose triggers
 * move data_version (migration 0003: integrations, credentials; 0013:
 * integration_tags) may be kept: a list that starts to read another table
 * needs its trigger too. */
#ifndef INLET_API_CACHE_H
#define INLET_API_CACHE_H
#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

#define API_CACHE_SLOTS     128
#define API_CACHE_ENTRY_MAX 131072 /* bytes of one answer */

struct api_cache;

struct api_cache *api_cache_new(void);    /* never NULL; api_cache_free */
void api_cache_free(struct api_cache *c); /* NULL is a no-op */

/* Append the answer kept under key to b: true on a hit. */
bool api_cache_get(struct api_cache *c, const char *key, struct buf *b);

/* Keep n bytes at body under key (both copied), replacing what the key or,
 * when its set of slots is full, the least recently used entry held. */
void api_cache_put(struct api_cache *c, const char *key, const char *body, size_t n);

#endif
