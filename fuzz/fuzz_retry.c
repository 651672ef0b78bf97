/* fuzz/fuzz_retry.c - arbitrary bytes as a provider's answer to the retry
 * policy: the first line is the status (digits), the next lines up to an
 * empty one the headers, the rest the body. Besides memory errors it
 * checks that every wait is -1 or within [0, RETRY_WAIT_MAX_MS], whatever
 * the clock, and that the kind is one of the enum's. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "http/retry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_wait(int64_t w)
{
    if (w < -1 || w > RETRY_WAIT_MAX_MS)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int64_t clocks[] = {0, 784111777000LL, 1700000000000LL, 253402300799999LL};
    const char *s = (const char *)data, *end = s + size;
    struct fetch_resp r;

    memset(&r, 0, sizeof(r));
    buf_init(&r.head, 0);
    buf_init(&r.body, 0);
    const char *nl = memchr(s, '\n', size);
    for (const char *p = s; p < (nl ? nl : end); p++)
        if (*p >= '0' && *p <= '9' && r.status < 1000)
            r.status = r.status * 10 + (*p - '0');
    const char *head = nl ? nl + 1 : end;
    const char *blank = NULL;
    for (const char *p = head; p + 1 < end && !blank; p++)
        if (p[0] == '\n' && p[1] == '\n')
            blank = p + 1;
    buf_put(&r.head, head, (size_t)((blank ? blank : end) - head));
    if (blank)
        buf_put(&r.body, blank + 1, (size_t)(end - blank - 1));

    for (size_t i = 0; i < sizeof(clocks) / sizeof(clocks[0]); i++) {
        check_wait(retry_wait_ms(&r, clocks[i]));
        check_wait(retry_after_parse(buf_cstr(&r.head), clocks[i]));
    }
    enum retry_kind k = retry_classify(&r);
    if (k != RETRY_NONE && k != RETRY_RATE && k != RETRY_DAILY && k != RETRY_UNAVAILABLE &&
        k != RETRY_SERVER)
        abort();
    fetch_resp_dispose(&r);
    return 0;
}
