/* tests/unit/test.h - what every unit suite includes: cmocka, and
 * test_group(), which runs a cmocka group and adds its counts to the totals
 * that tests/unit/main.c prints as the closing "N passed, N failed" line. */
#ifndef INLET_TESTS_TEST_H
#define INLET_TESTS_TEST_H
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
// cmocka needs the three headers above first.
#include <cmocka.h>

/* Run the tests array as one cmocka group; returns the number that failed. */
#define test_group(name, tests, setup, teardown)                                                   \
    test_count_((int)(sizeof(tests) / sizeof((tests)[0])),                                         \
                _cmocka_run_group_tests((name), (tests), sizeof(tests) / sizeof((tests)[0]),       \
                                        (setup), (teardown)))

int test_count_(int total, int failed);

/* One declaration per suite listed in suites.h. */
#define SUITE(name) int test_##name(void);
#include "suites.h"
#undef SUITE

/* A fresh empty directory under TMPDIR, removed (with its contents) by
 * test_tmpdir_remove. The returned path is malloc'd; free it with xfree. */
char *test_tmpdir(void);
void test_tmpdir_remove(const char *dir);

/* Read a whole file into a NUL-terminated malloc'd string (xfree), or NULL. */
char *test_read_file(const char *path, size_t *len);

#endif
