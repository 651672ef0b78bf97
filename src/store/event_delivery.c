/* store/event_delivery.c - see event_delivery.h. Every read names the
 * subscription as well as the tenant, so a delivery id of another
 * subscription is as unknown as one that never existed. */
#include "store/event_delivery.h"

#include <stdio.h>
#include <string.h>

#include "core/alloc.h"

#define COLUMNS                                                                                    \
    "id, subscription_id, event_id, type, status, attempts, last_status, last_error,"              \
    " duration_ms, created_at, delivered_at, next_attempt_at, payload"

void event_delivery_dispose(struct event_delivery *d)
{
    xfree(d->last_error);
    xfree(d->payload);
    memset(d, 0, sizeof(*d));
}

static void row_copy(struct event_delivery *out, struct db_rows *r)
{
    memset(out, 0, sizeof(*out));
    snprintf(out->id, sizeof(out->id), "%s", db_rows_text(r, 0));
    snprintf(out->subscription_id, sizeof(out->subscription_id), "%s", db_rows_text(r, 1));
    snprintf(out->event_id, sizeof(out->event_id), "%s", db_rows_text(r, 2));
    snprintf(out->type, sizeof(out->type), "%s", db_rows_text(r, 3));
    snprintf(out->status, sizeof(out->status), "%s", db_rows_text(r, 4));
    out->attempts = (int)db_rows_int(r, 5);
    out->last_status = db_rows_is_null(r, 6) ? 0 : (long)db_rows_int(r, 6);
    out->last_error = db_rows_is_null(r, 7) ? NULL : xstrdup(db_rows_text(r, 7));
    out->duration_ms = db_rows_is_null(r, 8) ? -1 : db_rows_int(r, 8);
    out->created_at = db_rows_int(r, 9);
    out->delivered_at = db_rows_is_null(r, 10) ? 0 : db_rows_int(r, 10);
    out->next_attempt_at = db_rows_is_null(r, 11) ? 0 : db_rows_int(r, 11);
    out->payload = xstrdup(db_rows_text(r, 12) ? db_rows_text(r, 12) : "{}");
}

int event_delivery_add(char id[ID_MAX], struct db *db, const char *tenant_id,
                       const char *subscription_id, const char *event_id, const char *type,
                       const char *payload, int64_t now, struct err *err)
{
    char made[ID_MAX];
    id_new(made, "evd");
    int rc = db_exec(db,
                     "INSERT INTO event_deliveries (id, tenant_id, subscription_id, event_id, type,"
                     " payload, status, attempts, next_attempt_at, created_at)"
                     " VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $7, $7)",
                     DB_ARGS(DB_TEXT(made), DB_TEXT(tenant_id), DB_TEXT(subscription_id),
                             DB_TEXT(event_id), DB_TEXT(type), DB_TEXT(payload), DB_INT(now)),
                     NULL, err);
    if (rc == 0 && id)
        memcpy(id, made, ID_MAX);
    return rc;
}

int event_delivery_get(struct event_delivery *out, struct db *db, const char *tenant_id,
                       const char *subscription_id, const char *id, struct err *err)
{
    struct db_rows *r = NULL;
    memset(out, 0, sizeof(*out));
    int rc = db_query_row(&r, db,
                          "SELECT " COLUMNS " FROM event_deliveries WHERE tenant_id = $1"
                          " AND subscription_id = $2 AND id = $3",
                          DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(subscription_id), DB_TEXT(id)), err);
    if (rc == ERR_NOTFOUND)
        return err_set(err, ERR_NOTFOUND, "no delivery %s", id);
    if (rc < 0)
        return rc;
    row_copy(out, r);
    db_rows_free(r);
    return 0;
}

int event_delivery_list(bool *more, struct db *db, const char *tenant_id,
                        const char *subscription_id, const char *status, const char *before,
                        int limit, event_delivery_fn fn, void *ctx, struct err *err)
{
    struct event_delivery *page;
    struct db_rows *r = NULL;
    size_t n = 0;

    *more = false;
    if (limit < 1 || limit > EVENT_DELIVERY_LIST_MAX)
        return err_set(err, ERR_INVALID, "limit: must be 1..%d", EVENT_DELIVERY_LIST_MAX);
    /* A NULL filter matches everything: one statement for all four cases. */
    int rc = db_query(&r, db,
                      "SELECT " COLUMNS " FROM event_deliveries WHERE tenant_id = $1"
                      " AND subscription_id = $2 AND (CAST($3 AS TEXT) IS NULL OR status = $3)"
                      " AND (CAST($4 AS TEXT) IS NULL OR id < $4) ORDER BY id DESC LIMIT $5",
                      DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(subscription_id), DB_TEXT(status),
                              DB_TEXT(before), DB_INT(limit + 1)),
                      err);
    if (rc < 0)
        return rc;
    page = xcalloc((size_t)limit, sizeof(*page));
    while ((rc = db_rows_next(r, err)) == 1) {
        if (n == (size_t)limit) {
            *more = true;
            break;
        }
        row_copy(&page[n++], r);
    }
    db_rows_free(r);
    if (rc == 1) /* stopped at the extra row */
        rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = fn(ctx, &page[i]);
    for (size_t i = 0; i < n; i++)
        event_delivery_dispose(&page[i]);
    xfree(page);
    return rc;
}

int event_delivery_redeliver(struct event_delivery *out, struct db *db, const char *tenant_id,
                             const char *subscription_id, const char *id, int64_t now,
                             struct err *err)
{
    struct event_delivery old;
    char made[ID_MAX];

    memset(out, 0, sizeof(*out));
    int rc = event_delivery_get(&old, db, tenant_id, subscription_id, id, err);
    if (rc == 0)
        rc = event_delivery_add(made, db, tenant_id, subscription_id, old.event_id, old.type,
                                old.payload, now, err);
    if (rc == 0)
        rc = event_delivery_get(out, db, tenant_id, subscription_id, made, err);
    event_delivery_dispose(&old);
    return rc;
}

int event_delivery_record(struct db *db, const char *id, const struct event_delivery_attempt *a,
                          struct err *err)
{
    const char *error = a->error && *a->error ? a->error : NULL;
    struct db_val status = a->status ? DB_INT(a->status) : DB_NULL;

    switch (a->outcome) {
    case EVENT_DELIVERY_SUCCEEDED:
        return db_exec(db,
                       "UPDATE event_deliveries SET status = 'succeeded', last_status = $2,"
                       " last_error = NULL, duration_ms = $3, delivered_at = $4,"
                       " next_attempt_at = NULL WHERE id = $1 AND status = 'pending'",
                       DB_ARGS(DB_TEXT(id), status, DB_INT(a->duration_ms), DB_INT(a->now)), NULL,
                       err);
    case EVENT_DELIVERY_RETRY:
        return db_exec(
            db,
            "UPDATE event_deliveries SET last_status = $2, last_error = $3,"
            " duration_ms = $4, next_attempt_at = $5 WHERE id = $1"
            " AND status = 'pending'",
            DB_ARGS(DB_TEXT(id), status, DB_TEXT(error), DB_INT(a->duration_ms), DB_INT(a->next)),
            NULL, err);
    case EVENT_DELIVERY_FAILED:
        break;
    }
    return db_exec(db,
                   "UPDATE event_deliveries SET status = 'failed', last_status = $2,"
                   " last_error = $3, duration_ms = $4, next_attempt_at = NULL WHERE id = $1"
                   " AND status = 'pending'",
                   DB_ARGS(DB_TEXT(id), status, DB_TEXT(error), DB_INT(a->duration_ms)), NULL, err);
}

int event_delivery_fail_pending(int64_t *n, struct db *db, const char *tenant_id,
                                const char *subscription_id, const char *why, struct err *err)
{
    int64_t changes = 0;
    int rc =
        db_exec(db,
                "UPDATE event_deliveries SET status = 'failed', last_error = $3,"
                " next_attempt_at = NULL WHERE tenant_id = $1 AND subscription_id = $2"
                " AND status = 'pending'",
                DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(subscription_id), DB_TEXT(why)), &changes, err);
    if (n)
        *n = changes;
    return rc;
}

int event_delivery_purge(int64_t *n, struct db *db, int64_t before, int limit, struct err *err)
{
    /* Bounded, as notify_purge: no huge delete after months. */
    return db_exec(db,
                   "DELETE FROM event_deliveries WHERE id IN (SELECT id FROM event_deliveries"
                   " WHERE status <> 'pending' AND created_at < $1 LIMIT $2)",
                   DB_ARGS(DB_INT(before), DB_INT(limit)), n, err);
}
