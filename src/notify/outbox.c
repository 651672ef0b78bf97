/* notify/outbox.c - see outbox.h. */
#include "notify/outbox.h"

#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "crypto/random.h"

int outbox_claim(size_t *n, struct db *db, const char *select, const char *lock, const char *lease,
                 int64_t now, int max, int64_t lease_until, outbox_row_fn fn, void *ctx,
                 struct err *err)
{
    bool pg = strcmp(db_engine(db), "postgres") == 0;
    char(*ids)[ID_MAX] = xcalloc((size_t)(max > 0 ? max : 1), ID_MAX);
    struct db_rows *r = NULL;
    struct buf sql;

    *n = 0;
    buf_init(&sql, 0);
    buf_puts(&sql, select);
    if (pg)
        buf_printf(&sql, " FOR UPDATE OF %s SKIP LOCKED", lock);
    int rc = db_begin(db, err);
    if (rc < 0)
        goto done;
    rc = db_query(&r, db, buf_cstr(&sql), DB_ARGS(DB_INT(now), DB_INT(max)), err);
    while (rc == 0 && *n < (size_t)max && (rc = db_rows_next(r, err)) == 1) {
        rc = 0;
        snprintf(ids[*n], ID_MAX, "%s", db_rows_text(r, 0));
        fn(ctx, *n, r);
        (*n)++;
    }
    db_rows_free(r);
    for (size_t i = 0; rc == 0 && i < *n; i++)
        rc = db_exec(db, lease, DB_ARGS(DB_TEXT(ids[i]), DB_INT(lease_until)), NULL, err);
    if (rc == 0)
        rc = db_commit(db, err);
    else
        db_rollback(db);
done:
    buf_dispose(&sql);
    xfree(ids);
    return rc;
}

int64_t outbox_lease_s(int max, long timeout_ms)
{
    return 60 + (int64_t)max * (timeout_ms / 1000 + 1);
}

int64_t outbox_backoff_s(int64_t base_s, int attempt, int64_t asked_s)
{
    int64_t cap = base_s > 0 ? base_s : OUTBOX_BACKOFF_S_DEFAULT;
    for (int i = 1; i < attempt && cap < OUTBOX_BACKOFF_MAX_S; i++)
        cap *= 2;
    if (cap > OUTBOX_BACKOFF_MAX_S)
        cap = OUTBOX_BACKOFF_MAX_S;
    uint64_t rnd;
    random_bytes(&rnd, sizeof(rnd));
    int64_t wait = cap / 2 + (int64_t)(rnd % (uint64_t)(cap - cap / 2 + 1));
    return wait > asked_s ? wait : asked_s;
}
