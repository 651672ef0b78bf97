/* store/api_usage.c - see api_usage.h. The add is one upsert, so two
 * callers adding to the same day at once both count, on SQLite and on
 * PostgreSQL alike. */
#include "store/api_usage.h"

#include <stdio.h>
#include <string.h>

#include "core/time.h"

void api_usage_day(char out[API_USAGE_DAY_MAX], int64_t unix_ms)
{
    char t[TIME_RFC3339_MAX];
    time_format_rfc3339(t, unix_ms);
    snprintf(out, API_USAGE_DAY_MAX, "%.10s", t);
}

static int day_check(const char *day, const char *what, struct err *err)
{
    int64_t ms;
    struct err e;
    if (!day || strlen(day) != API_USAGE_DAY_MAX - 1 ||
        time_parse_date(&ms, day, strlen(day), &e) < 0)
        return err_set(err, ERR_INVALID, "%s: expected a date YYYY-MM-DD", what);
    return 0;
}

int api_usage_add(struct db *db, const char *tenant_id, const char *integration_id, const char *day,
                  int64_t calls, int64_t errors, int64_t rate_limited, struct err *err)
{
    int rc = day_check(day, "day", err);
    if (rc < 0)
        return rc;
    if (calls < 0 || errors < 0 || rate_limited < 0)
        return err_set(err, ERR_INVALID, "api usage: counts must not be negative");
    return db_exec(db,
                   "INSERT INTO api_usage (tenant_id, integration_id, day, calls, errors,"
                   " rate_limited) VALUES ($1, $2, $3, $4, $5, $6)"
                   " ON CONFLICT (tenant_id, integration_id, day) DO UPDATE SET"
                   " calls = api_usage.calls + excluded.calls,"
                   " errors = api_usage.errors + excluded.errors,"
                   " rate_limited = api_usage.rate_limited + excluded.rate_limited",
                   DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(integration_id), DB_TEXT(day), DB_INT(calls),
                           DB_INT(errors), DB_INT(rate_limited)),
                   NULL, err);
}

int api_usage_quota(struct db *db, const char *tenant_id, const char *integration_id,
                    const char *day, int64_t limit, int64_t remaining, int64_t at, struct err *err)
{
    int rc = day_check(day, "day", err);
    if (rc < 0)
        return rc;
    if (limit < 0 || remaining < 0 || remaining > limit)
        return err_set(err, ERR_INVALID, "api usage: a quota needs 0 <= remaining <= limit");
    /* The latest report wins: one from an earlier answer, committed after
     * a later one, must not bring an older count back. */
    return db_exec(db,
                   "INSERT INTO api_usage (tenant_id, integration_id, day, quota_limit,"
                   " quota_remaining, quota_at) VALUES ($1, $2, $3, $4, $5, $6)"
                   " ON CONFLICT (tenant_id, integration_id, day) DO UPDATE SET"
                   " quota_limit = excluded.quota_limit,"
                   " quota_remaining = excluded.quota_remaining, quota_at = excluded.quota_at"
                   " WHERE api_usage.quota_at IS NULL OR api_usage.quota_at <= excluded.quota_at",
                   DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(integration_id), DB_TEXT(day), DB_INT(limit),
                           DB_INT(remaining), DB_INT(at)),
                   NULL, err);
}

int api_usage_list(struct db *db, const char *tenant_id, const char *integration_id,
                   const char *from, const char *to, api_usage_fn fn, void *ctx, struct err *err)
{
    struct db_rows *rows = NULL;
    int rc;

    if ((rc = day_check(from, "from", err)) < 0 || (rc = day_check(to, "to", err)) < 0)
        return rc;
    rc = db_query(&rows, db,
                  "SELECT integration_id, day, calls, errors, rate_limited, quota_limit,"
                  " quota_remaining, COALESCE(quota_at, 0) FROM api_usage"
                  " WHERE tenant_id = $1 AND (CAST($2 AS TEXT) IS NULL OR integration_id = $2)"
                  " AND day >= $3 AND day <= $4 ORDER BY day, integration_id",
                  DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(integration_id), DB_TEXT(from), DB_TEXT(to)),
                  err);
    if (rc < 0)
        return rc;
    while ((rc = db_rows_next(rows, err)) == 1) {
        struct api_usage u = {.calls = db_rows_int(rows, 2),
                              .errors = db_rows_int(rows, 3),
                              .rate_limited = db_rows_int(rows, 4),
                              .quota_limit = db_rows_int(rows, 5),
                              .quota_remaining = db_rows_int(rows, 6),
                              .quota_at = db_rows_int(rows, 7)};
        snprintf(u.integration_id, sizeof(u.integration_id), "%s", db_rows_text(rows, 0));
        snprintf(u.day, sizeof(u.day), "%s", db_rows_text(rows, 1));
        if ((rc = fn(ctx, &u)) != 0)
            break;
    }
    db_rows_free(rows);
    return rc;
}
