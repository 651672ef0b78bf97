/* tests/unit/sandbox/sb_test.c - see sb_test.h. */
#include "sb_test.h"

#include <stdio.h>

#include "test.h"

void sb_test_start(struct sb_test *t, size_t records, int token_ttl_s)
{
    sb_test_start_provider(t, SANDBOX_SALESFORCE, records, token_ttl_s);
}

void sb_test_start_provider(struct sb_test *t, enum sandbox_provider p, size_t records,
                            int token_ttl_s)
{
    struct sandbox_opts o = {
        .host = "127.0.0.1",
        .port = 0,
        .providers = 1u << p,
        .records = records,
        .seed = SB_TEST_SEED,
        .token_ttl_s = token_ttl_s,
        .now_ms = SB_TEST_NOW_MS,
    };
    struct err e;
    if (sandbox_start(&t->sb, &o, &e) != 0)
        fail_msg("sandbox_start: %s", e.msg);
    snprintf(t->base, sizeof(t->base), "http://127.0.0.1:%d", sandbox_port(t->sb, p));
}

void sb_test_stop(struct sb_test *t)
{
    sandbox_stop(t->sb);
    t->sb = NULL;
}
