/* api/stats.c - GET /api/stats (a tenant's integrations, records and syncs
 * at a glance) and the analytics across connectors: GET
 * /api/analytics/pipeline (deals by stage and currency) and GET
 * /api/analytics/leads (contacts by lead source and status). Read only,
 * in a tenant's read transaction; the SQL is store/stats.c's and the
 * definitions of the figures are in docs/data.md. */
#include <stdio.h>
#include <string.h>

#include "api/api_int.h"
#include "core/time.h"
#include "store/records_query.h"
#include "store/stats.h"

void api_stats(struct api_ctx *c)
{
    static const char *const none[] = {NULL};
    struct stats_summary s = {0};
    struct err e;

    if (api_query_only(c, none) < 0)
        return;
    int rc = db_begin_tenant_read(c->db, c->tenant_id, &e);
    if (rc == 0) {
        rc = stats_summary_get(&s, c->db, c->tenant_id, c->now, &e);
        db_rollback(c->db);
    }
    if (rc < 0) {
        api_fail(c, &e);
        return;
    }
    struct buf *b = api_reply(c, 200);
    buf_printf(b,
               "{\"integrations\":{\"total\":%lld,\"active\":%lld},"
               "\"records\":{\"accounts\":%lld,\"contacts\":%lld,\"tickets\":%lld,\"deals\":%lld},"
               "\"syncs\":{\"last_24h\":%lld,\"failed_7d\":%lld,\"ended_7d\":%lld,"
               "\"succeeded_7d\":%lld,\"success_rate_7d\":",
               (long long)s.integrations, (long long)s.active, (long long)s.accounts,
               (long long)s.contacts, (long long)s.tickets, (long long)s.deals,
               (long long)s.syncs_24h, (long long)s.failed_7d, (long long)s.ended_7d,
               (long long)s.succeeded_7d);
    if (s.ended_7d > 0) {
        char rate[32];
        snprintf(rate, sizeof(rate), "%.4f", (double)s.succeeded_7d / (double)s.ended_7d);
        records_query_put_decimal(b, rate, false);
    } else {
        buf_puts(b, "null"); /* no run ended: no rate, rather than 0 or 1 */
    }
    buf_puts(b, "},\"processed_per_day\":[");
    for (int i = 0; i < STATS_DAYS; i++) {
        int y, mo, d;
        time_civil_from_days(s.first_day + i, &y, &mo, &d);
        buf_printf(b, "%s{\"date\":\"%04d-%02d-%02d\",\"processed\":%lld}", i ? "," : "", y, mo, d,
                   (long long)s.processed[i]);
    }
    buf_puts(b, "]}");
}

/* The analytics' query parameters into f; answers 400 and returns -1 for
 * one it cannot use. */
static int read_filter(struct api_ctx *c, struct stats_filter *f, bool currency)
{
    static const char *const pipeline[] = {"integration_id", "currency", NULL};
    static const char *const leads[] = {"integration_id", NULL};

    memset(f, 0, sizeof(*f));
    if (api_query_only(c, currency ? pipeline : leads) < 0)
        return -1;
    if ((f->integration_id = http_req_query(c->req, "integration_id")) &&
        !id_valid(f->integration_id, "int")) {
        api_error(c, 400, "invalid_parameter", NULL,
                  "integration_id: expected an integration id (int_ and 26 characters)");
        return -1;
    }
    f->currency = currency ? http_req_query(c->req, "currency") : NULL;
    if (f->currency &&
        (strlen(f->currency) != 3 || strspn(f->currency, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 3)) {
        api_error(c, 400, "invalid_parameter", NULL,
                  "currency: expected an ISO 4217 code such as USD (three capital letters)");
        return -1;
    }
    return 0;
}

typedef int (*analytics_fn)(struct buf *b, struct db *db, const char *tenant_id,
                            const struct stats_filter *f, struct err *err);

static void analytics(struct api_ctx *c, bool currency, analytics_fn fn)
{
    struct stats_filter f;
    struct err e;

    if (read_filter(c, &f, currency) < 0)
        return;
    int rc = db_begin_tenant_read(c->db, c->tenant_id, &e);
    if (rc == 0) {
        rc = fn(api_reply(c, 200), c->db, c->tenant_id, &f, &e);
        db_rollback(c->db);
    }
    if (rc < 0)
        api_fail(c, &e);
}

void api_analytics_pipeline(struct api_ctx *c)
{
    analytics(c, true, stats_pipeline);
}

void api_analytics_leads(struct api_ctx *c)
{
    analytics(c, false, stats_leads);
}
