/* store/sealed.c - the registry of sealed columns, and rotate / check over
 * them. Both walk each table by primary key (keyset pagination), reading a
 * batch into memory before writing, because a connection cannot run an
 * UPDATE while a PostgreSQL result is still streaming on it. */
#include "store/sealed.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"

const struct sealed_column sealed_columns[] = {
    {"credentials", "sealed", "key_id"},
    {"oauth_apps", "client_secret_sealed", "client_secret_key_id"},
    {"oauth_states", "verifier_sealed", "verifier_key_id"},
    {"webhook_endpoints", "secret_sealed", "secret_key_id"},
    {"notification_channels", "config_sealed", "config_key_id"},
};
const size_t sealed_columns_count = sizeof(sealed_columns) / sizeof(sealed_columns[0]);

#define SQL_MAX 512

static void aad_format(struct buf *aad, const struct sealed_column *col, const char *tenant_id,
                       const char *row_id)
{
    buf_init(aad, VAULT_AAD_MAX);
    buf_printf(aad, "%s/%s/%s/%s", col->table, tenant_id, row_id, col->blob);
}

int sealed_seal(unsigned char **out, size_t *outlen, const struct vault *v,
                const struct sealed_column *col, const char *tenant_id, const char *row_id,
                const void *plaintext, size_t n, struct err *err)
{
    struct buf aad;
    aad_format(&aad, col, tenant_id, row_id);
    int rc = buf_failed(&aad)
                 ? err_set(err, ERR_TOOBIG, "%s: row id or tenant id too long", col->table)
                 : vault_seal(out, outlen, v, plaintext, n, aad.p, aad.n, err);
    buf_dispose(&aad);
    return rc;
}

int sealed_open(struct secret *out, const struct vault *v, const struct sealed_column *col,
                const char *tenant_id, const char *row_id, const void *blob, size_t n,
                struct err *err)
{
    struct buf aad;
    aad_format(&aad, col, tenant_id, row_id);
    int rc = buf_failed(&aad)
                 ? err_set(err, ERR_TOOBIG, "%s: row id or tenant id too long", col->table)
                 : vault_open(out, v, blob, n, aad.p, aad.n, err);
    buf_dispose(&aad);
    return rc;
}

/* One row of a batch, copied out of the result. */
struct row {
    char *id, *tenant_id, *key_id; /* from xstrdup() */
    unsigned char *blob;           /* from xmalloc() */
    size_t n;
};

struct batch {
    struct row *rows; /* from xmalloc() */
    size_t n;
};

static void batch_clear(struct batch *b)
{
    for (size_t i = 0; i < b->n; i++) {
        xfree(b->rows[i].id);
        xfree(b->rows[i].tenant_id);
        xfree(b->rows[i].key_id);
        xfree(b->rows[i].blob);
    }
    b->n = 0;
}

/* Read up to limit rows of col with id > after (and, when not_key is set,
 * a key other than not_key) into b, in id order. */
static int batch_read(struct batch *b, struct db *db, const struct sealed_column *col,
                      const char *after, const char *not_key, int limit, struct err *err)
{
    struct db_rows *rows = NULL;
    struct buf sql;
    int rc;

    /* Table and column names come from sealed_columns[], never from input. */
    buf_init(&sql, SQL_MAX);
    buf_printf(&sql, "SELECT id, tenant_id, %s, %s FROM %s WHERE %s IS NOT NULL AND id > $1",
               col->key, col->blob, col->table, col->blob);
    if (not_key)
        buf_printf(&sql, " AND (%s IS NULL OR %s <> $3)", col->key, col->key);
    buf_puts(&sql, " ORDER BY id LIMIT $2");
    assert(!buf_failed(&sql));
    if (not_key)
        rc = db_query(&rows, db, sql.p, DB_ARGS(DB_TEXT(after), DB_INT(limit), DB_TEXT(not_key)),
                      err);
    else
        rc = db_query(&rows, db, sql.p, DB_ARGS(DB_TEXT(after), DB_INT(limit)), err);
    buf_dispose(&sql);
    if (rc < 0)
        return rc;
    batch_clear(b);
    while ((rc = db_rows_next(rows, err)) == 1) {
        struct row *r = &b->rows[b->n++];
        size_t n;
        const void *blob = db_rows_blob(rows, 3, &n);
        const char *key = db_rows_text(rows, 2);
        r->id = xstrdup(db_rows_text(rows, 0));
        r->tenant_id = xstrdup(db_rows_text(rows, 1));
        r->key_id = key ? xstrdup(key) : NULL;
        r->blob = xmalloc(n ? n : 1);
        memcpy(r->blob, blob, n);
        r->n = n;
    }
    db_rows_free(rows);
    return rc;
}

/* Re-seal one batch in one transaction. */
static int batch_reseal(struct sealed_stats *stats, struct db *db, const struct vault *v,
                        const struct sealed_column *col, const struct batch *b,
                        sealed_failure_fn on_fail, void *ctx, struct err *err)
{
    char sql[SQL_MAX];
    int64_t resealed = 0, failed = 0;
    int rc;

    snprintf(sql, sizeof(sql),
             "UPDATE %s SET %s = $1, %s = $2 WHERE id = $3 AND %s IS NOT DISTINCT FROM $4",
             col->table, col->blob, col->key, col->key);
    if ((rc = db_begin(db, err)) < 0)
        return rc;
    for (size_t i = 0; i < b->n; i++) {
        const struct row *r = &b->rows[i];
        struct secret plain = {0};
        struct err why;
        unsigned char *blob = NULL;
        size_t n = 0;

        if (sealed_open(&plain, v, col, r->tenant_id, r->id, r->blob, r->n, &why) < 0) {
            failed++;
            if (on_fail)
                on_fail(ctx, col, r->id, &why);
            continue;
        }
        rc = sealed_seal(&blob, &n, v, col, r->tenant_id, r->id, plain.p, plain.n, err);
        secret_dispose(&plain);
        if (rc < 0)
            goto fail;
        int64_t changes = 0;
        /* Matching the old key id means a row re-sealed meanwhile by another
         * writer is left alone rather than overwritten with stale content. */
        rc = db_exec(db, sql,
                     DB_ARGS(DB_BLOB(blob, n), DB_TEXT(vault_active_id(v)), DB_TEXT(r->id),
                             DB_TEXT(r->key_id)),
                     &changes, err);
        xfree(blob);
        if (rc < 0)
            goto fail;
        resealed += changes;
    }
    if ((rc = db_commit(db, err)) < 0)
        return rc;
    stats->resealed += resealed;
    stats->failed += failed;
    return 0;
fail:
    db_rollback(db);
    return rc;
}

/* Walk col in batches; rotate when reseal is set, else only open. */
static int walk(struct sealed_stats *stats, struct db *db, const struct vault *v,
                const struct sealed_column *col, int limit, int64_t *batches_left, bool reseal,
                sealed_failure_fn on_fail, void *ctx, struct err *err)
{
    struct batch b = {xcalloc((size_t)limit, sizeof(struct row)), 0};
    char *after = xstrdup("");
    int rc = 0;

    for (;;) {
        if (reseal && *batches_left == 0)
            break;
        rc = batch_read(&b, db, col, after, reseal ? vault_active_id(v) : NULL, limit, err);
        if (rc < 0 || b.n == 0)
            break;
        stats->seen += (int64_t)b.n;
        if (reseal) {
            if ((rc = batch_reseal(stats, db, v, col, &b, on_fail, ctx, err)) < 0)
                break;
            if (*batches_left > 0)
                (*batches_left)--;
        } else {
            for (size_t i = 0; i < b.n; i++) {
                struct secret plain = {0};
                struct err why;
                if (sealed_open(&plain, v, col, b.rows[i].tenant_id, b.rows[i].id, b.rows[i].blob,
                                b.rows[i].n, &why) < 0) {
                    stats->failed++;
                    if (on_fail)
                        on_fail(ctx, col, b.rows[i].id, &why);
                }
                secret_dispose(&plain);
            }
        }
        xfree(after);
        after = xstrdup(b.rows[b.n - 1].id);
        if (b.n < (size_t)limit)
            break;
    }
    batch_clear(&b);
    xfree(b.rows);
    xfree(after);
    return rc;
}

int sealed_rotate(struct sealed_stats *stats, struct db *db, const struct vault *v, int batch,
                  int64_t max_batches, sealed_failure_fn on_fail, void *ctx, struct err *err)
{
    int64_t left = max_batches > 0 ? max_batches : -1;
    memset(stats, 0, sizeof(*stats));
    if (batch <= 0)
        return err_set(err, ERR_INVALID, "keys rotate: batch size must be positive");
    for (size_t i = 0; i < sealed_columns_count; i++) {
        int rc = walk(stats, db, v, &sealed_columns[i], batch, &left, true, on_fail, ctx, err);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int sealed_check(struct sealed_stats *stats, struct db *db, const struct vault *v,
                 sealed_failure_fn on_fail, void *ctx, struct err *err)
{
    int64_t unused = -1;
    memset(stats, 0, sizeof(*stats));
    for (size_t i = 0; i < sealed_columns_count; i++) {
        int rc = walk(stats, db, v, &sealed_columns[i], 500, &unused, false, on_fail, ctx, err);
        if (rc < 0)
            return rc;
    }
    return 0;
}
