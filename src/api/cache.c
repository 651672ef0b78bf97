/* api/cache.c - the answer cache of api/cache.h: slots in sets of four
 * chosen by the key's hash, least recently used evicted within a set, one
 * read-write lock: hits (the common case) share it, each for one memcpy of
 * at most API_CACHE_ENTRY_MAX bytes, and mark their use atomically; puts
 * take it alone. Keys are compared whole, never by hash alone. */
#include "api/cache.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "core/alloc.h"

#define WAYS 4

struct entry {
    uint64_t hash;
    _Atomic uint64_t used; /* the cache's clock at the last get or put */
    char *key;             /* NULL: free */
    char *body;
    size_t n;
};

struct api_cache {
    pthread_rwlock_t lock;
    _Atomic uint64_t clock;
    struct entry slots[API_CACHE_SLOTS];
};

/* FNV-1a: keys are ours (tenant ids, versions, validated parameters), so
 * nobody chooses them to collide, and a collision only costs a miss. */
static uint64_t hash_of(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return h;
}

static struct entry *set_of(struct api_cache *c, uint64_t h)
{
    return &c->slots[(h % (API_CACHE_SLOTS / WAYS)) * WAYS];
}

struct api_cache *api_cache_new(void)
{
    struct api_cache *c = xcalloc(1, sizeof(*c));
    pthread_rwlock_init(&c->lock, NULL);
    return c;
}

void api_cache_free(struct api_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < API_CACHE_SLOTS; i++) {
        xfree(c->slots[i].key);
        xfree(c->slots[i].body);
    }
    pthread_rwlock_destroy(&c->lock);
    xfree(c);
}

bool api_cache_get(struct api_cache *c, const char *key, struct buf *b)
{
    uint64_t h = hash_of(key);
    bool hit = false;

    pthread_rwlock_rdlock(&c->lock);
    struct entry *set = set_of(c, h);
    for (int i = 0; i < WAYS; i++) {
        struct entry *e = &set[i];
        if (e->key && e->hash == h && strcmp(e->key, key) == 0) {
            atomic_store_explicit(&e->used, atomic_fetch_add(&c->clock, 1) + 1,
                                  memory_order_relaxed);
            buf_put(b, e->body, e->n);
            hit = true;
            break;
        }
    }
    pthread_rwlock_unlock(&c->lock);
    return hit;
}

void api_cache_put(struct api_cache *c, const char *key, const char *body, size_t n)
{
    if (n > API_CACHE_ENTRY_MAX)
        return;
    uint64_t h = hash_of(key);
    /* Copies made outside the lock; the old ones freed outside it too. */
    char *k = xstrdup(key), *v = xmalloc(n ? n : 1);
    memcpy(v, body, n);

    pthread_rwlock_wrlock(&c->lock);
    struct entry *set = set_of(c, h), *victim = &set[0];
    for (int i = 0; i < WAYS; i++) {
        struct entry *e = &set[i];
        if (e->key && e->hash == h && strcmp(e->key, key) == 0) {
            victim = e;
            break;
        }
        if (!e->key || (victim->key && atomic_load(&e->used) < atomic_load(&victim->used)))
            victim = e;
    }
    char *old_k = victim->key, *old_v = victim->body;
    victim->hash = h;
    victim->key = k;
    victim->body = v;
    victim->n = n;
    atomic_store(&victim->used, atomic_fetch_add(&c->clock, 1) + 1);
    pthread_rwlock_unlock(&c->lock);
    xfree(old_k);
    xfree(old_v);
}
