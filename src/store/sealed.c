/* store/sealed.c - the registry of sealed columns, and rotate / check over
 * them. Both walk each table by primary key (keyset pagination), reading a
 * batch into memory before writing, because a connection cannot run an
 * UPDATE while a PostgreSQL result is still streaming on it. */
#include "store/sealed.h"

#include <assert.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"

const struct sealed_column sealed_columns[] = {
    {"credentials", "sealed", "key_id"},
    {"oauth_apps", "client_secret_sealed", "client_secret_key_id"},
    {"oauth_states", "verifier_sealed", "verifier_key_id"},
    {"webhook_endpoints", "secret_sealed", "secret_key_id"},
    {"notification_channels", "config_sealed", "config_key_id"},
    {"webhook_subscriptions", "secret_sealed", "secret_key_id"},
};
const size_t sealed_columns_count = sizeof(sealed_columns) / sizeof(sealed_columns[0]);

#define SQL_MAX 512

static void aad_format(struct buf *aad, const struct sealed_column *col, const char *tenant_id,
                       const char *row_id)
{
    /* Ids never hold '/', so the parts cannot be confused with each other. */
    assert(!strchr(tenant_id, '/') && !strchr(row_id, '/'));
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

/* Read up to limit rows of col with id > after into b, in id order. With
 * older set, only rows sealed by one of its keys other than the active one:
 * the rows rotation can and must re-seal. Rows under keys the ring lacks
 * are not read, so they cannot stall a run cut short by max_batches. */
static int batch_read(struct batch *b, struct db *db, const struct sealed_column *col,
                      const char *after, const struct vault *older, int limit, struct err *err)
{
    size_t nkeys = older ? vault_key_count(older) : 0, np = 2;
    struct db_val *params = xcalloc(2 + nkeys, sizeof(*params));
    struct db_rows *rows = NULL;
    struct buf sql;
    int rc;

    params[0] = DB_TEXT(after);
    params[1] = DB_INT(limit);
    /* Table and column names come from sealed_columns[], never from input. */
    buf_init(&sql, SQL_MAX);
    buf_printf(&sql, "SELECT id, tenant_id, %s, %s FROM %s WHERE %s IS NOT NULL AND id > $1",
               col->key, col->blob, col->table, col->blob);
    if (older) {
        buf_printf(&sql, " AND %s IN (", col->key);
        for (size_t i = 1; i < nkeys; i++) { /* 0 is the active key */
            params[np] = DB_TEXT(vault_key_id(older, i));
            buf_printf(&sql, "%s$%zu", i > 1 ? ", " : "", ++np);
        }
        buf_puts(&sql, ")");
    }
    buf_puts(&sql, " ORDER BY id LIMIT $2");
    assert(!buf_failed(&sql));
    rc = db_query(&rows, db, sql.p, params, np, err);
    buf_dispose(&sql);
    xfree(params);
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
    int64_t resealed = 0, failed = 0;
    struct buf sql;
    int rc;

    /* Matching the old key id and the old ciphertext means a value written
     * meanwhile by another process (even one still sealing with an old key)
     * is left alone, never overwritten with the stale one read earlier. */
    buf_init(&sql, SQL_MAX);
    buf_printf(&sql, "UPDATE %s SET %s = $1, %s = $2 WHERE id = $3 AND %s = $4 AND %s = $5",
               col->table, col->blob, col->key, col->key, col->blob);
    assert(!buf_failed(&sql));
    if ((rc = db_begin(db, err)) < 0)
        goto done;
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
        rc = db_exec(db, sql.p,
                     DB_ARGS(DB_BLOB(blob, n), DB_TEXT(vault_active_id(v)), DB_TEXT(r->id),
                             DB_TEXT(r->key_id), DB_BLOB(r->blob, r->n)),
                     &changes, err);
        xfree(blob);
        if (rc < 0)
            goto fail;
        resealed += changes;
    }
    if ((rc = db_commit(db, err)) < 0)
        goto done;
    stats->resealed += resealed;
    stats->failed += failed;
    goto done;
fail:
    db_rollback(db);
done:
    buf_dispose(&sql);
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
        rc = batch_read(&b, db, col, after, reseal ? v : NULL, limit, err);
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
                } else if (!b.rows[i].key_id || strcmp(b.rows[i].key_id, vault_active_id(v)) != 0) {
                    stats->stale++;
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

/* Add to *n the values of col sealed by a key that is not in v. */
static int count_unknown(int64_t *n, struct db *db, const struct vault *v,
                         const struct sealed_column *col, struct err *err)
{
    size_t nkeys = vault_key_count(v);
    struct db_val *params = xcalloc(nkeys, sizeof(*params));
    struct buf sql;
    int64_t count = 0;

    buf_init(&sql, SQL_MAX);
    buf_printf(&sql, "SELECT count(*) FROM %s WHERE %s IS NOT NULL AND %s NOT IN (", col->table,
               col->blob, col->key);
    for (size_t i = 0; i < nkeys; i++) {
        params[i] = DB_TEXT(vault_key_id(v, i));
        buf_printf(&sql, "%s$%zu", i ? ", " : "", i + 1);
    }
    buf_puts(&sql, ")");
    assert(!buf_failed(&sql));
    int rc = db_query_int(&count, db, sql.p, params, nkeys, err);
    buf_dispose(&sql);
    xfree(params);
    *n += count;
    return rc;
}

int sealed_rotate(struct sealed_stats *stats, struct db *db, const struct vault *v, int batch,
                  int64_t max_batches, sealed_failure_fn on_fail, void *ctx, struct err *err)
{
    int64_t left = max_batches > 0 ? max_batches : -1;
    memset(stats, 0, sizeof(*stats));
    if (batch <= 0 || batch > SEALED_BATCH_MAX)
        return err_set(err, ERR_INVALID, "keys rotate: batch size must be 1..%d", SEALED_BATCH_MAX);
    for (size_t i = 0; i < sealed_columns_count; i++) {
        int rc = count_unknown(&stats->unknown_key, db, v, &sealed_columns[i], err);
        /* A one-key ring has no older key to re-seal from (and "IN ()" is
         * not SQL on PostgreSQL). */
        if (rc == 0 && vault_key_count(v) > 1)
            rc = walk(stats, db, v, &sealed_columns[i], batch, &left, true, on_fail, ctx, err);
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
