/* store/stats.c - see stats.h. Sums of money stay in SQL, where PostgreSQL
 * adds NUMERIC exactly (SQLite as doubles, 15 significant digits), and
 * come out as text through records_query_put_decimal; grouping by
 * currency keeps the engines from ever adding two currencies together. */
#include "store/stats.h"

#include <stdbool.h>
#include <string.h>

#include "store/records_query.h"

#define DAY_S ((int64_t)86400)

int stats_summary_get(struct stats_summary *out, struct db *db, const char *tenant_id, int64_t now,
                      struct err *err)
{
    struct db_rows *r = NULL;
    int rc;

    memset(out, 0, sizeof(*out));
    /* Days are UTC: Unix seconds / 86400, the same integer division on
     * both engines; today is the last of the STATS_DAYS. */
    out->first_day = now / DAY_S - (STATS_DAYS - 1);
    rc = db_query_row(&r, db,
                      "SELECT count(*), sum(CASE WHEN status = 'active' THEN 1 ELSE 0 END)"
                      " FROM integrations WHERE tenant_id = $1 AND deleted_at IS NULL",
                      DB_ARGS(DB_TEXT(tenant_id)), err);
    if (rc < 0)
        return rc;
    out->integrations = db_rows_int(r, 0);
    out->active = db_rows_int(r, 1);
    db_rows_free(r);

    rc = db_query_row(
        &r, db,
        "SELECT (SELECT count(*) FROM accounts WHERE tenant_id = $1 AND deleted_at IS NULL),"
        " (SELECT count(*) FROM contacts WHERE tenant_id = $1 AND deleted_at IS NULL),"
        " (SELECT count(*) FROM tickets WHERE tenant_id = $1 AND deleted_at IS NULL),"
        " (SELECT count(*) FROM deals WHERE tenant_id = $1 AND deleted_at IS NULL)",
        DB_ARGS(DB_TEXT(tenant_id)), err);
    if (rc < 0)
        return rc;
    out->accounts = db_rows_int(r, 0);
    out->contacts = db_rows_int(r, 1);
    out->tickets = db_rows_int(r, 2);
    out->deals = db_rows_int(r, 3);
    db_rows_free(r);

    rc = db_query_row(
        &r, db,
        "SELECT sum(CASE WHEN started_at >= $2 THEN 1 ELSE 0 END),"
        " sum(CASE WHEN status = 'failed' THEN 1 ELSE 0 END),"
        " sum(CASE WHEN status IN ('success', 'partial', 'failed') THEN 1 ELSE 0 END),"
        " sum(CASE WHEN status = 'success' THEN 1 ELSE 0 END)"
        " FROM sync_runs WHERE tenant_id = $1 AND started_at >= $3",
        DB_ARGS(DB_TEXT(tenant_id), DB_INT(now - DAY_S), DB_INT(now - 7 * DAY_S)), err);
    if (rc < 0)
        return rc;
    out->syncs_24h = db_rows_int(r, 0);
    out->failed_7d = db_rows_int(r, 1);
    out->ended_7d = db_rows_int(r, 2);
    out->succeeded_7d = db_rows_int(r, 3);
    db_rows_free(r);
    r = NULL;

    rc = db_query(&r, db,
                  "SELECT started_at / 86400, sum(records_processed) FROM sync_runs"
                  " WHERE tenant_id = $1 AND started_at >= $2 GROUP BY started_at / 86400",
                  DB_ARGS(DB_TEXT(tenant_id), DB_INT(out->first_day * DAY_S)), err);
    while (rc == 0 && (rc = db_rows_next(r, err)) == 1) {
        rc = 0;
        int64_t i = db_rows_int(r, 0) - out->first_day;
        if (i >= 0 && i < STATS_DAYS) /* a run stamped in the future is not today's */
            out->processed[i] = db_rows_int(r, 1);
    }
    db_rows_free(r);
    return rc < 0 ? rc : 0;
}

/* The WHERE of an analytics query over table, its filters bound after $1
 * (the tenant) in v; returns the count of values. */
static size_t where(struct buf *sql, struct db_val *v, const char *tenant_id,
                    const struct stats_filter *f, bool currency)
{
    size_t nv = 0;
    v[nv++] = DB_TEXT(tenant_id);
    buf_puts(sql, " WHERE tenant_id = $1 AND deleted_at IS NULL");
    if (f->integration_id) {
        v[nv++] = DB_TEXT(f->integration_id);
        buf_printf(sql, " AND integration_id = $%zu", nv);
    }
    if (currency && f->currency) {
        v[nv++] = DB_TEXT(f->currency);
        buf_printf(sql, " AND currency = $%zu", nv);
    }
    return nv;
}

/* Run the pipeline query grouped by stage (by_stage) or by currency alone,
 * appending one JSON object per group to b. */
static int pipeline_groups(struct buf *b, struct db *db, const char *tenant_id,
                           const struct stats_filter *f, bool by_stage, struct err *err)
{
    struct db_val v[3];
    struct db_rows *r = NULL;
    struct buf sql;

    buf_init(&sql, 0);
    /* 100.0, not 100: SQLite divides two integers as integers. */
    buf_printf(&sql,
               "SELECT %s, count(*), sum(amount), round(sum(amount * probability) / 100.0, 4)"
               " FROM deals",
               by_stage ? "stage, currency" : "NULL, currency");
    size_t nv = where(&sql, v, tenant_id, f, true);
    buf_puts(&sql, by_stage ? " GROUP BY stage, currency"
                              " ORDER BY stage IS NULL, stage, currency IS NULL, currency"
                            : " GROUP BY currency ORDER BY currency IS NULL, currency");
    int rc = db_query(&r, db, buf_cstr(&sql), v, nv, err);
    for (int n = 0; rc == 0 && (rc = db_rows_next(r, err)) == 1; n++) {
        rc = 0;
        buf_puts(b, n ? ",{" : "{");
        if (by_stage) {
            buf_puts(b, "\"stage\":");
            buf_put_json_str(b, db_rows_text(r, 0));
            buf_putc(b, ',');
        }
        buf_puts(b, "\"currency\":");
        buf_put_json_str(b, db_rows_text(r, 1));
        buf_printf(b, ",\"count\":%lld,\"amount\":", (long long)db_rows_int(r, 2));
        records_query_put_decimal(b, db_rows_text(r, 3), true);
        buf_puts(b, ",\"weighted_amount\":");
        records_query_put_decimal(b, db_rows_text(r, 4), true);
        buf_putc(b, '}');
    }
    db_rows_free(r);
    buf_dispose(&sql);
    return rc < 0 ? rc : 0;
}

int stats_pipeline(struct buf *b, struct db *db, const char *tenant_id,
                   const struct stats_filter *f, struct err *err)
{
    buf_puts(b, "{\"stages\":[");
    int rc = pipeline_groups(b, db, tenant_id, f, true, err);
    buf_puts(b, "],\"totals\":[");
    if (rc == 0)
        rc = pipeline_groups(b, db, tenant_id, f, false, err);
    buf_puts(b, "]}");
    return rc;
}

/* Contacts grouped by column (lead_source or lead_status), as the array
 * of {"<name>":value,"count":n}. */
static int leads_by(struct buf *b, struct db *db, const char *tenant_id,
                    const struct stats_filter *f, const char *column, const char *name,
                    struct err *err)
{
    struct db_val v[2];
    struct db_rows *r = NULL;
    struct buf sql;

    buf_init(&sql, 0);
    buf_printf(&sql, "SELECT %s, count(*) FROM contacts", column);
    size_t nv = where(&sql, v, tenant_id, f, false);
    buf_printf(&sql,
               " AND (lead_source IS NOT NULL OR lead_status IS NOT NULL)"
               " GROUP BY %s ORDER BY count(*) DESC, %s IS NULL, %s",
               column, column, column);
    int rc = db_query(&r, db, buf_cstr(&sql), v, nv, err);
    buf_putc(b, '[');
    for (int n = 0; rc == 0 && (rc = db_rows_next(r, err)) == 1; n++) {
        rc = 0;
        buf_printf(b, "%s{\"%s\":", n ? "," : "", name);
        buf_put_json_str(b, db_rows_text(r, 0));
        buf_printf(b, ",\"count\":%lld}", (long long)db_rows_int(r, 1));
    }
    buf_putc(b, ']');
    db_rows_free(r);
    buf_dispose(&sql);
    return rc < 0 ? rc : 0;
}

int stats_leads(struct buf *b, struct db *db, const char *tenant_id, const struct stats_filter *f,
                struct err *err)
{
    struct db_val v[2];
    struct buf sql;
    int64_t total = 0;

    buf_init(&sql, 0);
    buf_puts(&sql, "SELECT count(*) FROM contacts");
    size_t nv = where(&sql, v, tenant_id, f, false);
    buf_puts(&sql, " AND (lead_source IS NOT NULL OR lead_status IS NOT NULL)");
    int rc = db_query_int(&total, db, buf_cstr(&sql), v, nv, err);
    buf_dispose(&sql);
    if (rc < 0)
        return rc;
    buf_printf(b, "{\"total\":%lld,\"by_source\":", (long long)total);
    rc = leads_by(b, db, tenant_id, f, "lead_source", "source", err);
    buf_puts(b, ",\"by_status\":");
    if (rc == 0)
        rc = leads_by(b, db, tenant_id, f, "lead_status", "status", err);
    buf_putc(b, '}');
    return rc;
}
