/* tests/unit/api/test_cache.c - the API's answer cache: hits give back
 * exactly what was put, a key is replaced in place, the number of entries
 * and their size stay bounded, the most recent entry survives a flood, and
 * threads reading and writing at once never see a torn or foreign body. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "api/cache.h"
#include "core/alloc.h"
#include "test.h"

static bool get(struct api_cache *c, const char *key, char *out, size_t n)
{
    struct buf b;
    buf_init(&b, 0);
    bool hit = api_cache_get(c, key, &b);
    snprintf(out, n, "%s", buf_cstr(&b));
    buf_dispose(&b);
    return hit;
}

static void hit_miss_replace(void **state)
{
    struct api_cache *c = api_cache_new();
    char v[64];
    (void)state;

    assert_false(get(c, "a", v, sizeof(v)));
    api_cache_put(c, "a", "one", 3);
    assert_true(get(c, "a", v, sizeof(v)));
    assert_string_equal(v, "one");
    assert_false(get(c, "b", v, sizeof(v)));
    api_cache_put(c, "a", "two!", 4);
    assert_true(get(c, "a", v, sizeof(v)));
    assert_string_equal(v, "two!");
    api_cache_put(c, "empty", "", 0);
    assert_true(get(c, "empty", v, sizeof(v)));
    assert_string_equal(v, "");
    api_cache_free(c);
}

static void too_big_is_not_kept(void **state)
{
    struct api_cache *c = api_cache_new();
    char *big = xcalloc(1, API_CACHE_ENTRY_MAX + 1);
    char v[8];
    (void)state;

    memset(big, 'x', API_CACHE_ENTRY_MAX + 1);
    api_cache_put(c, "big", big, API_CACHE_ENTRY_MAX + 1);
    assert_false(get(c, "big", v, sizeof(v)));
    api_cache_put(c, "big", big, API_CACHE_ENTRY_MAX);
    assert_true(get(c, "big", v, sizeof(v)));
    xfree(big);
    api_cache_free(c);
}

/* A flood of keys keeps at most API_CACHE_SLOTS of them, the last put
 * always among them, each with its own body. */
static void bounded_and_recent_survives(void **state)
{
    struct api_cache *c = api_cache_new();
    char key[32], want[32], v[32];
    int kept = 0;
    (void)state;

    for (int i = 0; i < 10 * API_CACHE_SLOTS; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        snprintf(want, sizeof(want), "v%d", i);
        api_cache_put(c, key, want, strlen(want));
        assert_true(get(c, key, v, sizeof(v)));
        assert_string_equal(v, want);
    }
    for (int i = 0; i < 10 * API_CACHE_SLOTS; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        snprintf(want, sizeof(want), "v%d", i);
        if (get(c, key, v, sizeof(v))) {
            assert_string_equal(v, want);
            kept++;
        }
    }
    assert_true(kept > 0 && kept <= API_CACHE_SLOTS);
    api_cache_free(c);
}

/* Within a set the least recently used goes: a key read after every put
 * stays while others come and go. */
static void used_entries_stay(void **state)
{
    struct api_cache *c = api_cache_new();
    char key[32], v[32];
    (void)state;

    api_cache_put(c, "hot", "h", 1);
    for (int i = 0; i < 20 * API_CACHE_SLOTS; i++) {
        snprintf(key, sizeof(key), "cold%d", i);
        api_cache_put(c, key, "c", 1);
        assert_true(get(c, "hot", v, sizeof(v)));
        assert_string_equal(v, "h");
    }
    api_cache_free(c);
}

struct worker {
    struct api_cache *c;
    int id;
    int bad;
};

/* Bodies are their key repeated, so a torn or foreign one shows. */
static void *hammer(void *arg)
{
    struct worker *w = arg;
    char key[32], body[512];
    struct buf b;
    buf_init(&b, 0);
    for (int i = 0; i < 20000; i++) {
        int k = (i * 7 + w->id) % 300;
        snprintf(key, sizeof(key), "key-%d", k);
        size_t n = 0;
        while (n + strlen(key) < sizeof(body))
            n += (size_t)snprintf(body + n, sizeof(body) - n, "%s", key);
        if (i % 3 == 0) {
            api_cache_put(w->c, key, body, n);
            continue;
        }
        buf_reset(&b);
        if (api_cache_get(w->c, key, &b) && (b.n != n || memcmp(b.p, body, n) != 0))
            w->bad++;
    }
    buf_dispose(&b);
    return NULL;
}

static void threads_see_whole_bodies(void **state)
{
    struct api_cache *c = api_cache_new();
    pthread_t t[4];
    struct worker w[4];
    (void)state;

    for (int i = 0; i < 4; i++) {
        w[i] = (struct worker){.c = c, .id = i};
        assert_int_equal(pthread_create(&t[i], NULL, hammer, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        assert_int_equal(w[i].bad, 0);
    }
    api_cache_free(c);
}

int test_api_cache(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hit_miss_replace),
        cmocka_unit_test(too_big_is_not_kept),
        cmocka_unit_test(bounded_and_recent_survives),
        cmocka_unit_test(used_entries_stay),
        cmocka_unit_test(threads_see_whole_bodies),
    };
    return test_group("api_cache", tests, NULL, NULL);
}
