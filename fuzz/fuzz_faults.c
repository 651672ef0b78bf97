/* fuzz/fuzz_faults.c - arbitrary bytes as `inlet sandbox --faults` text
 * and as a /_sandbox/faults JSON body, applied to a provider that is not
 * serving. Properties: parsing the flag is stable; whatever is accepted
 * leaves every setting in its documented range (an error burst never
 * longer than its period); a refusal has a one-line message and leaves
 * the faults as they were. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonx.h"
#include "sandbox/sandbox_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct sb_provider *p)
{
    const struct sb_faults *f = &p->faults;
    if (f->error_status < 500 || f->error_status > 599 || f->error_burst < 1 ||
        (f->error_every && f->error_burst > f->error_every) || f->latency_ms > 60000 ||
        f->retry_after_s > 86400 || p->token_ttl_s < 1)
        abort();
}

/* Apply spec; on a refusal nothing may have changed. */
static void apply(struct sb_provider *p, struct json_object *spec)
{
    struct sb_provider before = *p;
    struct err e;
    if (sb_faults_apply(p, spec, &e) < 0) {
        if (e.code != ERR_INVALID || strchr(e.msg, '\n') ||
            memcmp(&before.faults, &p->faults, sizeof(p->faults)) != 0 ||
            before.token_ttl_s != p->token_ttl_s || before.rotate_refresh != p->rotate_refresh)
            abort();
    }
    check(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sb_provider p = {.token_ttl_s = 7200, .token_ttl_start_s = 7200};
    struct json_object *spec = NULL, *again = NULL, *none = json_object_new_object();
    struct err e, e2;
    char *s = malloc(size + 1);

    if (!s)
        abort();
    memcpy(s, data, size);
    s[size] = '\0';
    if (sb_faults_apply(&p, none, &e) < 0) /* the defaults */
        abort();
    int rc = sb_faults_parse_flag(&spec, s, &e);
    int rc2 = sb_faults_parse_flag(&again, s, &e2);
    if (rc != rc2)
        abort();
    if (rc == 0)
        apply(&p, spec);
    else if (spec || strchr(e.msg, '\n') || strcmp(e.msg, e2.msg) != 0)
        abort();
    json_object_put(spec);
    json_object_put(again);
    spec = NULL;
    if (jsonx_parse(&spec, (const char *)data, size, size + 1, &e) == 0)
        apply(&p, spec);
    json_object_put(spec);
    json_object_put(none);
    free(s);
    return 0;
}
