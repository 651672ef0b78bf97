/* store/api_usage.h - calls to providers counted per integration and UTC
 * day (the api_usage table): requests sent, the ones that failed (no
 * answer, or an answer other than 2xx and 3xx), and the ones refused for
 * the provider's rate limits. sync/call.c adds what each call did, or
 * leaves it to a sync to add inside its own transaction; stats and health
 * read it. Runs inside the caller's tenant transaction. */
#ifndef INLET_STORE_API_USAGE_H
#define INLET_STORE_API_USAGE_H
#include <stdint.h>

#include "core/err.h"
#include "core/id.h"
#include "db/db.h"

#define API_USAGE_DAY_MAX 11 /* bytes of "YYYY-MM-DD" and its NUL */

struct api_usage {
    char integration_id[ID_MAX];
    char day[API_USAGE_DAY_MAX]; /* "YYYY-MM-DD", UTC */
    int64_t calls;               /* requests sent */
    int64_t errors;              /* of those: no answer, or not 2xx / 3xx */
    int64_t rate_limited;        /* of those: refused for a rate limit or quota */
    /* The provider's own count, as its last answer of the day said
     * (sync/quota.h); quota_at (unix seconds) 0 when none did. */
    int64_t quota_limit, quota_remaining, quota_at;
};

/* The UTC day of unix_ms (within core/time.h's range) as "YYYY-MM-DD". */
void api_usage_day(char out[API_USAGE_DAY_MAX], int64_t unix_ms);

/* Add calls, errors and rate_limited to integration_id's row for day,
 * making the row when there is none: one statement, safe against a
 * concurrent add on both engines. ERR_INVALID for a day that is not a
 * "YYYY-MM-DD" date or a negative count, or from the engine for an
 * integration that does not exist (foreign key). */
MUST_CHECK int api_usage_add(struct db *db, const char *tenant_id, const char *integration_id,
                             const char *day, int64_t calls, int64_t errors, int64_t rate_limited,
                             struct err *err);

/* Keep the provider's report of the quota (limit, remaining, at: unix
 * seconds of the answer) on integration_id's row for day, making the row
 * when there is none; an older report than the one kept changes nothing.
 * ERR_INVALID for a bad day or counts. */
MUST_CHECK int api_usage_quota(struct db *db, const char *tenant_id, const char *integration_id,
                               const char *day, int64_t limit, int64_t remaining, int64_t at,
                               struct err *err);

/* Called per row; the row is borrowed for the call. The rows are still
 * being read from db, so fn must not use it. A nonzero return stops and
 * is returned. */
typedef int (*api_usage_fn)(void *ctx, const struct api_usage *u);

/* The tenant's rows with from <= day <= to (both "YYYY-MM-DD"), of
 * integration_id or, when NULL, of every integration; by day, then
 * integration. ERR_INVALID for a day that is not a date. */
MUST_CHECK int api_usage_list(struct db *db, const char *tenant_id, const char *integration_id,
                              const char *from, const char *to, api_usage_fn fn, void *ctx,
                              struct err *err);

#endif
