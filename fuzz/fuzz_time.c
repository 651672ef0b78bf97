/* fuzz/fuzz_time.c - arbitrary bytes into time_parse_rfc3339 and
 * time_parse_date. Besides memory errors it checks a property: an accepted
 * input is an instant in range, whose canonical text (and seconds-only text)
 * parses back to the same instant (floored to the second), and a rejected
 * input leaves ERR_INVALID with a one-line message and *out untouched. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/time.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_rejected(int rc, const struct err *err, int64_t out)
{
    if (rc != ERR_INVALID || err->code != ERR_INVALID || out != INT64_MIN ||
        strncmp(err->msg, "time: ", 6) != 0 || strchr(err->msg, '\n'))
        abort();
}

static void check_instant(int64_t ms)
{
    char text[TIME_RFC3339_MAX];
    struct err err;
    int64_t back = INT64_MIN;
    if (ms < TIME_MIN_MS || ms > TIME_MAX_MS)
        abort();
    size_t n = time_format_rfc3339(text, ms);
    if (n != 24 || strlen(text) != n)
        abort();
    if (time_parse_rfc3339(&back, text, n, &err) != 0 || back != ms)
        abort();
    n = time_format_rfc3339_sec(text, ms);
    if (n != 20 || time_parse_rfc3339(&back, text, n, &err) != 0 || back > ms ||
        ms - back >= 1000 || back % 1000 != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    struct err err;
    int64_t ms = INT64_MIN;
    int rc = time_parse_rfc3339(&ms, s, size, &err);
    if (rc == 0)
        check_instant(ms);
    else
        check_rejected(rc, &err, ms);

    ms = INT64_MIN;
    rc = time_parse_date(&ms, s, size, &err);
    if (rc == 0) {
        check_instant(ms);
        if (size != 10 || ((ms % 86400000) + 86400000) % 86400000 != 0)
            abort();
    } else {
        check_rejected(rc, &err, ms);
    }
    return 0;
}
