/* fuzz/fuzz_cron.c - arbitrary bytes into cron_parse. Besides memory errors
 * it checks properties: a rejected input leaves ERR_INVALID, a one-line
 * message starting "cron: " and *out untouched; an accepted one always
 * fires again within 40 years (parse refuses what never fires), and each
 * cron_next result is a matching minute strictly after its `after`, the
 * first one (every minute in between checked when the gap is under a day)
 * and found again from just before it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sched/cron.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define YEAR_S        (366LL * 86400)
#define SINCE_1970(y) (((y)-1970LL) * 31556952LL) /* about 1 January of year y */

static void check_next(const struct cron *c, int64_t after)
{
    int64_t next = cron_next(c, after);
    if (next == CRON_NEVER) {
        if (after < SINCE_1970(9950)) /* a match comes within 40 years */
            abort();
        return;
    }
    if (next <= after || next % 60 != 0 || next > CRON_MAX_S || !cron_matches(c, next) ||
        next - after > 41 * YEAR_S || cron_next(c, next - 1) != next)
        abort();
    if (next - after <= 86400) {
        int64_t t = after - (after % 60 + 60) % 60 + 60;
        for (; t < next; t += 60)
            if (cron_matches(c, t))
                abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cron c, before;
    struct err err;

    memset(&c, 0xa5, sizeof(c));
    before = c;
    int rc = cron_parse(&c, (const char *)data, size, &err);
    if (rc != 0) {
        if (rc != ERR_INVALID || err.code != ERR_INVALID || strncmp(err.msg, "cron: ", 6) != 0 ||
            strchr(err.msg, '\n') || memcmp(&c, &before, sizeof(c)) != 0)
            abort();
        return 0;
    }
    /* Fixed instants around month, year and range edges, then a few drawn
     * from the input's own bytes. */
    static const int64_t fixed[] = {0,          -1,           951782399,    1709164800,
                                    4107542399, -62135596801, 253402300740, 253402300799};
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
        check_next(&c, fixed[i]);
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < size; i++)
        h = (h ^ data[i]) * 1099511628211ULL;
    for (int k = 0; k < 4; k++) {
        int64_t after = SINCE_1970(1) + (int64_t)(h % (uint64_t)(SINCE_1970(9999) - SINCE_1970(1)));
        check_next(&c, after);
        h = h * 6364136223846793005ULL + 1442695040888963407ULL;
    }
    return 0;
}
