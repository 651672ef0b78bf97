/* fuzz/fuzz_schedule.c - arbitrary bytes into schedule_parse (JSON or a bare
 * cron expression). Properties: a rejected input leaves a negative code, a
 * one-line message and *out untouched; an accepted one formats to canonical
 * text that parses back to the same text, and its next run, for two ids,
 * is strictly after `after` (or never, for manual only) and stable. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sched/schedule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_next(const struct schedule *s, const char *id, int64_t after)
{
    int64_t next = schedule_next(s, id, after);
    if (next == SCHEDULE_NEVER) {
        if (s->kind != SCHEDULE_MANUAL && after < 250000000000LL)
            abort();
        return;
    }
    if (next <= after || schedule_next(s, id, next - 1) != next)
        abort();
    struct schedule r;
    schedule_resolve(&r, s, id);
    if (schedule_next(&r, "other", after) != next)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct schedule s, back, before;
    struct err err;
    struct buf one, two;

    memset(&s, 0xa5, sizeof(s));
    before = s;
    int rc = schedule_parse(&s, (const char *)data, size, &err);
    if (rc != 0) {
        if (rc >= 0 || err.code != rc || strchr(err.msg, '\n') ||
            memcmp(&s, &before, sizeof(s)) != 0)
            abort();
        return 0;
    }
    buf_init(&one, SCHEDULE_TEXT_MAX);
    buf_init(&two, SCHEDULE_TEXT_MAX);
    schedule_format(&one, &s);
    if (buf_failed(&one) || schedule_parse(&back, buf_cstr(&one), one.n, &err) != 0)
        abort();
    schedule_format(&two, &back);
    if (strcmp(buf_cstr(&one), buf_cstr(&two)) != 0)
        abort();
    buf_dispose(&one);
    buf_dispose(&two);

    static const int64_t afters[] = {0, -1, 1709164799, 4107542399, -62135596801};
    for (size_t i = 0; i < sizeof(afters) / sizeof(afters[0]); i++) {
        check_next(&s, "int_01jd5x8k2v9q3m7r4t6w8y0z1a", afters[i]);
        check_next(&s, "", afters[i]);
    }
    return 0;
}
