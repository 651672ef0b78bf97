/* store/stats.h - a tenant's figures for GET /api/stats (integrations,
 * records by model, syncs over the last day, week and month) and the
 * analytics across connectors: the deal pipeline by stage and currency,
 * and contacts by lead source and status. Reads only, in the caller's
 * tenant transaction (db_begin_tenant_read). Used by api/stats.c; the
 * figures' definitions are in docs/data.md. */
#ifndef INLET_STORE_STATS_H
#define INLET_STORE_STATS_H
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "db/db.h"

#define STATS_DAYS 30 /* days of records processed per day */

struct stats_summary {
    int64_t integrations, active;               /* live ones; active: status "active" */
    int64_t accounts, contacts, tickets, deals; /* rows not deleted */
    int64_t syncs_24h;                          /* runs started in the 24 h before now */
    /* Runs started in the 7 days before now: failed ones, and those that
     * ended success, partial or failed (the success rate's base; cancelled
     * and unfinished runs are left out), of which succeeded. */
    int64_t failed_7d, ended_7d, succeeded_7d;
    int64_t first_day; /* processed[0]'s UTC day, in days since 1970-01-01 */
    int64_t
        processed[STATS_DAYS]; /* records processed by runs started that day; the last is today */
};

/* The tenant's summary at now (unix seconds) into *out. */
MUST_CHECK int stats_summary_get(struct stats_summary *out, struct db *db, const char *tenant_id,
                                 int64_t now, struct err *err);

/* The analytics' filters; NULL members filter nothing. The caller checks
 * their shapes (an integration id; an ISO 4217 code, upper case). */
struct stats_filter {
    const char *integration_id;
    const char *currency;
};

/* Append to b the pipeline of the tenant's deals not deleted, as
 *   {"stages":[{"stage","currency","count","amount","weighted_amount"}],
 *    "totals":[{"currency","count","amount","weighted_amount"}]}
 * with one entry per (stage, currency) and per currency: amounts of
 * different currencies are never added together. amount is the sum of the
 * amounts, weighted_amount that of amount * probability / 100 rounded to 4
 * decimals, both decimal strings (null when no deal of the group has
 * them). Ordered by stage, then currency, missing ones last. */
MUST_CHECK int stats_pipeline(struct buf *b, struct db *db, const char *tenant_id,
                              const struct stats_filter *f, struct err *err);

/* Append to b the tenant's contacts not deleted that have a lead source
 * or a lead status, as
 *   {"total":n,"by_source":[{"source","count"}],"by_status":[{"status","count"}]}
 * (a contact with a status but no source counts under source null, and the
 * other way round), most first, then by name. f->currency is ignored. */
MUST_CHECK int stats_leads(struct buf *b, struct db *db, const char *tenant_id,
                           const struct stats_filter *f, struct err *err);

#endif
