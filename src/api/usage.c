/* api/usage.c - GET /api/integrations/{id}/usage: what inlet sent to the
 * provider for the integration, per UTC day (calls, errors, rate-limit
 * refusals: syncs, tests, the proxy and actions alike), and the
 * provider's own count of its quota as its last answer reported it
 * (store/api_usage.h, sync/quota.h). */
#include <stdio.h>
#include <string.h>

#include "api/api_int.h"
#include "core/time.h"
#include "store/api_usage.h"
#include "store/integration.h"

#define USAGE_DAYS_DEFAULT 30
#define USAGE_DAYS_MAX     90

struct page {
    struct buf *b;
    size_t n;
    struct api_usage total, quota; /* quota: the latest report */
};

static int put_day(void *ctx, const struct api_usage *u)
{
    struct page *p = ctx;
    buf_printf(p->b, "%s{\"day\":\"%s\",\"calls\":%lld,\"errors\":%lld,\"rate_limited\":%lld}",
               p->n++ ? "," : "", u->day, (long long)u->calls, (long long)u->errors,
               (long long)u->rate_limited);
    p->total.calls += u->calls;
    p->total.errors += u->errors;
    p->total.rate_limited += u->rate_limited;
    if (u->quota_at && u->quota_at >= p->quota.quota_at)
        p->quota = *u;
    return 0;
}

void api_integration_usage(struct api_ctx *c)
{
    static const char *const allowed[] = {"days", NULL};
    const char *id = api_path_id(c, "int", "integration");
    char from[API_USAGE_DAY_MAX], to[API_USAGE_DAY_MAX];
    struct integration it = {0};
    int days = 0;
    struct err e;

    if (!id || api_query_only(c, allowed) < 0 ||
        api_query_int(c, "days", USAGE_DAYS_DEFAULT, 1, USAGE_DAYS_MAX, &days) < 0)
        return;
    int64_t now_ms = c->now * 1000;
    api_usage_day(to, now_ms);
    api_usage_day(from, now_ms - (int64_t)(days - 1) * 86400 * 1000);
    int rc = db_begin_tenant_read(c->db, c->tenant_id, &e);
    if (rc < 0) {
        api_fail(c, &e);
        return;
    }
    rc = integration_get(&it, c->db, c->tenant_id, id, &e);
    integration_dispose(&it);
    if (rc < 0) {
        db_rollback(c->db);
        api_fail(c, &e);
        return;
    }
    struct buf *b = api_reply(c, 200);
    struct page p = {.b = b};
    buf_printf(b, "{\"integration_id\":\"%s\",\"from\":\"%s\",\"to\":\"%s\",\"days\":[", id, from,
               to);
    rc = api_usage_list(c->db, c->tenant_id, id, from, to, put_day, &p, &e);
    db_rollback(c->db);
    if (rc < 0) {
        api_fail(c, &e);
        return;
    }
    buf_printf(b, "],\"totals\":{\"calls\":%lld,\"errors\":%lld,\"rate_limited\":%lld},\"quota\":",
               (long long)p.total.calls, (long long)p.total.errors,
               (long long)p.total.rate_limited);
    if (!p.quota.quota_at) {
        buf_puts(b, "null}");
        return;
    }
    buf_printf(b, "{\"limit\":%lld,\"remaining\":%lld,\"reported_at\":",
               (long long)p.quota.quota_limit, (long long)p.quota.quota_remaining);
    api_put_time(b, p.quota.quota_at);
    buf_puts(b, "}}");
}
