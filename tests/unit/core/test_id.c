/* tests/unit/core/test_id.c - row ids: shape, the strict validity check,
 * uniqueness over 100,000 ids, order across milliseconds, and the time
 * encoded in them. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "core/id.h"
#include "core/time.h"
#include "test.h"

#define ALPHABET "0123456789abcdefghjkmnpqrstvwxyz"

static void shape(void **state)
{
    (void)state;
    char id[ID_MAX];
    id_new(id, "int");
    assert_int_equal(strlen(id), 3 + 1 + ID_BODY_LEN);
    assert_memory_equal(id, "int_", 4);
    assert_int_equal(strspn(id + 4, ALPHABET), ID_BODY_LEN);
    assert_true(id[4] >= '0' && id[4] <= '7');
    assert_true(id_valid(id, "int"));
    assert_true(id_valid(id, NULL));
    assert_false(id_valid(id, "in"));
    assert_false(id_valid(id, "intx"));
    assert_false(id_valid(id, "run"));

    id_new(id, "abcdefgh"); /* the longest prefix */
    assert_int_equal(strlen(id), ID_MAX - 1);
    assert_true(id_valid(id, "abcdefgh"));
    assert_true(id_valid(id, NULL));
    id_new(id, "x");
    assert_true(id_valid(id, "x"));
}

static void validity_is_strict(void **state)
{
    (void)state;
    const char *good = "run_01m81bd0m304hmasw9nf6yy093";
    assert_true(id_valid(good, "run"));
    assert_true(id_valid(good, NULL));
    assert_true(id_valid("run_7zzzzzzzzzzzzzzzzzzzzzzzzz", "run")); /* 2^128 - 1 */
    assert_true(id_valid("run_00000000000000000000000000", "run"));

    static const char *const bad[] = {
        "",
        "run",
        "run_",
        "run_01m81bd0m304hmasw9nf6yy09",   /* 25 characters */
        "run_01m81bd0m304hmasw9nf6yy0933", /* 27 */
        "run_01m81bd0m304hmasw9nf6yy093\n",
        "run_01m81bd0m304hmasw9nf6yy093 ",
        " run_01m81bd0m304hmasw9nf6yy093",
        "run_01M81BD0M304HMASW9NF6YY093", /* upper case */
        "RUN_01m81bd0m304hmasw9nf6yy093",
        "run-01m81bd0m304hmasw9nf6yy093",
        "run__1m81bd0m304hmasw9nf6yy093",
        "run_01m81bd0m304hmasw9nf6yy09i", /* i, l, o, u are not Crockford digits */
        "run_01m81bd0m304hmasw9nf6yy09l",
        "run_01m81bd0m304hmasw9nf6yy09o",
        "run_01m81bd0m304hmasw9nf6yy09u",
        "run_81m81bd0m304hmasw9nf6yy093", /* over 128 bits */
        "run_zzzzzzzzzzzzzzzzzzzzzzzzzz",
        "run_01m81bd0m304hmasw9nf6yy0%3",
        "_01m81bd0m304hmasw9nf6yy093",
        "r1n_01m81bd0m304hmasw9nf6yy093",
        "abcdefghi_01m81bd0m304hmasw9nf6yy093", /* 9-letter prefix */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (id_valid(bad[i], NULL) || id_valid(bad[i], "run"))
            fail_msg("accepted \"%s\"", bad[i]);
        assert_int_equal(id_time_ms(bad[i]), -1);
    }
    assert_false(id_valid(NULL, "run"));
    assert_false(id_valid(NULL, NULL));
    assert_int_equal(id_time_ms(NULL), -1);
    /* The NUL ends the id, whatever follows it in memory. */
    const char embedded[] = "run_01m81bd0m304hmasw9nf6yy093\0junk";
    assert_true(id_valid(embedded, "run"));
}

static void time_is_encoded(void **state)
{
    (void)state;
    /* Encoded by hand: 1795341845123 ms (2026-11-22T10:04:05.123Z) and 80
     * bits 0x0123456789abcdef0123. */
    assert_int_equal(id_time_ms("run_01m81bd0m304hmasw9nf6yy093"), 1795341845123);
    assert_int_equal(id_time_ms("x_00000000000000000000000000"), 0);
    assert_int_equal(id_time_ms("x_7zzzzzzzzzzzzzzzzzzzzzzzzz"), 281474976710655); /* 2^48 - 1 */

    int64_t before = time_now_ms();
    char id[ID_MAX];
    id_new(id, "ten");
    int64_t after = time_now_ms();
    int64_t t = id_time_ms(id);
    assert_true(t >= before && t <= after);
}

static int cmp_ids(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

static void unique_over_100k(void **state)
{
    (void)state;
    enum { N = 100000 };
    char(*ids)[ID_MAX] = xmalloc(sizeof(*ids) * N);
    unsigned seen_last[32] = {0}; /* the last digit is purely random */
    for (int i = 0; i < N; i++) {
        id_new(ids[i], "int");
        assert_true(id_valid(ids[i], "int"));
        seen_last[strchr(ALPHABET, ids[i][4 + ID_BODY_LEN - 1]) - ALPHABET]++;
    }
    qsort(ids, N, sizeof(*ids), cmp_ids);
    for (int i = 1; i < N; i++)
        if (strcmp(ids[i - 1], ids[i]) == 0)
            fail_msg("duplicate id %s", ids[i]);
    /* Each of the 32 digits should come up about 3125 times. */
    for (int d = 0; d < 32; d++)
        assert_true(seen_last[d] > 2500 && seen_last[d] < 3750);
    xfree(ids);
}

static void sorted_across_milliseconds(void **state)
{
    (void)state;
    char prev[ID_MAX], next[ID_MAX];
    id_new(prev, "run");
    for (int i = 0; i < 20; i++) {
        struct timespec nap = {0, 2 * 1000000};
        nanosleep(&nap, NULL);
        id_new(next, "run");
        assert_true(strcmp(prev, next) < 0);
        assert_true(id_time_ms(prev) < id_time_ms(next));
        memcpy(prev, next, sizeof(prev));
    }
}

int test_id(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shape),
        cmocka_unit_test(validity_is_strict),
        cmocka_unit_test(time_is_encoded),
        cmocka_unit_test(unique_over_100k),
        cmocka_unit_test(sorted_across_milliseconds),
    };
    return test_group("id", tests, NULL, NULL);
}
