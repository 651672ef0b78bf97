/* tests/unit/main.c - the one unit test runner: `test-unit [suite]` runs every
 * suite, or the one named. Suites live in tests/unit/<area>/test_<module>.c and
 * export int test_<module>(void), returning the number of failures. Storage
 * suites run once per engine (tests/unit/test_db.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"

static const struct {
    const char *name;
    int (*run)(void);
} suites[] = {
#define SUITE(name) {#name, test_##name},
#include "suites.h"
#undef SUITE
};

static int total_tests, total_failed;

int test_count_(int total, int failed)
{
    total_tests += total;
    total_failed += failed;
    return failed;
}

int main(int argc, char **argv)
{
    int ran = 0;
    for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++) {
        if (argc > 1 && strcmp(argv[1], suites[i].name) != 0)
            continue;
        suites[i].run();
        ran++;
    }
    if (!ran) {
        fprintf(stderr, "test-unit: no suite named '%s'\n", argc > 1 ? argv[1] : "");
        return 2;
    }
    printf("unit: %d passed, %d failed\n", total_tests - total_failed, total_failed);
    return total_failed ? 1 : 0;
}
