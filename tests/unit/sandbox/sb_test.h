/* tests/unit/sandbox/sb_test.h - the emulator suites' fixture: a sandbox
 * started in-process on a free loopback port with a fixed seed, record
 * count, token lifetime and "now", driven over real HTTP with the client of
 * tests/unit/http/client.h. */
#ifndef INLET_TESTS_SB_TEST_H
#define INLET_TESTS_SB_TEST_H
#include <stddef.h>

#include "http/client.h"
#include "sandbox/sandbox.h"

#define SB_TEST_SEED   42
#define SB_TEST_NOW_MS 1764547200000LL /* 2025-12-01T00:00:00Z */

struct sb_test {
    struct sandbox *sb;
    char base[64]; /* "http://127.0.0.1:PORT" of the provider started */
};

/* Start Salesforce with records per object and access tokens living
 * token_ttl_s seconds (0: the default). Fails the test on error. */
void sb_test_start(struct sb_test *t, size_t records, int token_ttl_s);
/* The same for another provider; t->base is then that provider's origin. */
void sb_test_start_provider(struct sb_test *t, enum sandbox_provider p, size_t records,
                            int token_ttl_s);
void sb_test_stop(struct sb_test *t);

#endif
