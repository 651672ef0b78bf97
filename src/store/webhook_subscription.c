/* store/webhook_subscription.c - see webhook_subscription.h. The secret is
 * sealed bound to the row (its id never changes), so a rotation re-seals
 * in place. A stored events array holds only names inlet knows (checked
 * before they are stored), none with a quote, so a name is found in it as
 * the quoted string, whatever spacing the engine gave the array. */
#include "store/webhook_subscription.h"

#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "notify/whsig.h"
#include "store/sealed.h"

static const struct sealed_column secret_col = {"webhook_subscriptions", "secret_sealed",
                                                "secret_key_id"};

#define COLUMNS "id, url, events, description, enabled, created_at, updated_at"

void webhook_subscription_dispose(struct webhook_subscription *s)
{
    xfree(s->url);
    xfree(s->events);
    xfree(s->description);
    memset(s, 0, sizeof(*s));
}

static void row_copy(struct webhook_subscription *out, struct db_rows *r)
{
    memset(out, 0, sizeof(*out));
    snprintf(out->id, sizeof(out->id), "%s", db_rows_text(r, 0));
    out->url = xstrdup(db_rows_text(r, 1));
    out->events = xstrdup(db_rows_text(r, 2));
    out->description = xstrdup(db_rows_text(r, 3) ? db_rows_text(r, 3) : "");
    out->enabled = db_rows_int(r, 4) != 0;
    out->created_at = db_rows_int(r, 5);
    out->updated_at = db_rows_int(r, 6);
}

static int not_found(struct err *err, const char *id)
{
    return err_set(err, ERR_NOTFOUND, "no webhook subscription %s", id);
}

int webhook_subscription_create(struct webhook_subscription *out, struct secret *secret,
                                struct db *db, const struct vault *v, const char *tenant_id,
                                const struct webhook_subscription_in *in, int64_t now,
                                struct err *err)
{
    unsigned char *blob = NULL;
    size_t n = 0;
    int64_t count = 0;
    char id[ID_MAX];

    memset(out, 0, sizeof(*out));
    memset(secret, 0, sizeof(*secret));
    int rc =
        db_query_int(&count, db, "SELECT count(*) FROM webhook_subscriptions WHERE tenant_id = $1",
                     DB_ARGS(DB_TEXT(tenant_id)), err);
    if (rc < 0)
        return rc;
    if (count >= WEBHOOK_SUBSCRIPTIONS_MAX)
        return err_set(err, ERR_CONFLICT, "a tenant has at most %d webhook subscriptions",
                       WEBHOOK_SUBSCRIPTIONS_MAX);
    id_new(id, "whs");
    whsig_secret_new(secret);
    rc = sealed_seal(&blob, &n, v, &secret_col, tenant_id, id, secret->p, secret->n, err);
    if (rc == 0)
        rc = db_exec(db,
                     "INSERT INTO webhook_subscriptions (id, tenant_id, url, events, description,"
                     " secret_sealed, secret_key_id, enabled, created_at, updated_at)"
                     " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
                     DB_ARGS(DB_TEXT(id), DB_TEXT(tenant_id), DB_TEXT(in->url), DB_TEXT(in->events),
                             DB_TEXT(in->description), DB_BLOB(blob, n),
                             DB_TEXT(vault_active_id(v)), DB_INT(in->enabled ? 1 : 0), DB_INT(now)),
                     NULL, err);
    xfree(blob);
    if (rc == 0)
        rc = webhook_subscription_get(out, db, tenant_id, id, err);
    if (rc < 0)
        secret_dispose(secret);
    return rc;
}

int webhook_subscription_get(struct webhook_subscription *out, struct db *db, const char *tenant_id,
                             const char *id, struct err *err)
{
    struct db_rows *r = NULL;
    memset(out, 0, sizeof(*out));
    int rc = db_query_row(&r, db,
                          "SELECT " COLUMNS " FROM webhook_subscriptions WHERE tenant_id = $1"
                          " AND id = $2",
                          DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(id)), err);
    if (rc == ERR_NOTFOUND)
        return not_found(err, id);
    if (rc < 0)
        return rc;
    row_copy(out, r);
    db_rows_free(r);
    return 0;
}

int webhook_subscription_update(struct db *db, const char *tenant_id, const char *id,
                                const struct webhook_subscription_change *ch, int64_t now,
                                struct err *err)
{
    int64_t changes = 0;
    /* One statement whatever changes: a NULL parameter keeps the column. */
    int rc = db_exec(db,
                     "UPDATE webhook_subscriptions SET url = COALESCE($3, url),"
                     " events = COALESCE($4, events), description = COALESCE($5, description),"
                     " enabled = COALESCE($6, enabled), updated_at = $7"
                     " WHERE tenant_id = $1 AND id = $2",
                     DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(id), DB_TEXT(ch->url), DB_TEXT(ch->events),
                             DB_TEXT(ch->description),
                             ch->enabled < 0 ? DB_NULL : DB_INT(ch->enabled ? 1 : 0), DB_INT(now)),
                     &changes, err);
    if (rc == 0 && changes == 0)
        rc = not_found(err, id);
    return rc;
}

int webhook_subscription_rotate(struct secret *secret, struct db *db, const struct vault *v,
                                const char *tenant_id, const char *id, int64_t now, struct err *err)
{
    unsigned char *blob = NULL;
    size_t n = 0;
    int64_t changes = 0;

    memset(secret, 0, sizeof(*secret));
    whsig_secret_new(secret);
    int rc = sealed_seal(&blob, &n, v, &secret_col, tenant_id, id, secret->p, secret->n, err);
    if (rc == 0)
        rc = db_exec(db,
                     "UPDATE webhook_subscriptions SET secret_sealed = $3, secret_key_id = $4,"
                     " updated_at = $5 WHERE tenant_id = $1 AND id = $2",
                     DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(id), DB_BLOB(blob, n),
                             DB_TEXT(vault_active_id(v)), DB_INT(now)),
                     &changes, err);
    xfree(blob);
    if (rc == 0 && changes == 0)
        rc = not_found(err, id);
    if (rc < 0)
        secret_dispose(secret);
    return rc;
}

int webhook_subscription_open(struct secret *secret, struct db *db, const struct vault *v,
                              const char *tenant_id, const char *id, struct err *err)
{
    struct db_rows *r = NULL;
    size_t n = 0;
    memset(secret, 0, sizeof(*secret));
    int rc = db_query_row(&r, db,
                          "SELECT secret_sealed FROM webhook_subscriptions WHERE tenant_id = $1"
                          " AND id = $2",
                          DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(id)), err);
    if (rc == ERR_NOTFOUND)
        return not_found(err, id);
    if (rc < 0)
        return rc;
    const void *blob = db_rows_blob(r, 0, &n);
    rc = sealed_open(secret, v, &secret_col, tenant_id, id, blob, n, err);
    db_rows_free(r);
    return rc;
}

int webhook_subscription_unseal(struct secret *secret, const struct vault *v, const char *tenant_id,
                                const char *id, const void *blob, size_t n, struct err *err)
{
    return sealed_open(secret, v, &secret_col, tenant_id, id, blob, n, err);
}

int webhook_subscription_list(bool *more, struct db *db, const char *tenant_id, const char *after,
                              int limit, webhook_subscription_fn fn, void *ctx, struct err *err)
{
    struct webhook_subscription *page;
    struct db_rows *r = NULL;
    size_t n = 0;
    int rc;

    *more = false;
    if (limit < 1 || limit > WEBHOOK_SUBSCRIPTION_LIST)
        return err_set(err, ERR_INVALID, "limit: must be 1..%d", WEBHOOK_SUBSCRIPTION_LIST);
    if (after)
        rc = db_query(&r, db,
                      "SELECT " COLUMNS " FROM webhook_subscriptions WHERE tenant_id = $1"
                      " AND id > $2 ORDER BY id LIMIT $3",
                      DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(after), DB_INT(limit + 1)), err);
    else
        rc = db_query(&r, db,
                      "SELECT " COLUMNS " FROM webhook_subscriptions WHERE tenant_id = $1"
                      " ORDER BY id LIMIT $2",
                      DB_ARGS(DB_TEXT(tenant_id), DB_INT(limit + 1)), err);
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
        webhook_subscription_dispose(&page[i]);
    xfree(page);
    return rc;
}

int webhook_subscription_delete(struct db *db, const char *tenant_id, const char *id,
                                struct err *err)
{
    int64_t changes = 0;
    int rc = db_exec(db, "DELETE FROM webhook_subscriptions WHERE tenant_id = $1 AND id = $2",
                     DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(id)), &changes, err);
    if (rc == 0 && changes == 0)
        rc = not_found(err, id);
    return rc;
}

int webhook_subscription_enabled(struct webhook_subscription_ref *out, size_t *n, struct db *db,
                                 const char *tenant_id, struct err *err)
{
    struct db_rows *r = NULL;
    *n = 0;
    /* On the (tenant_id, id) key; more rows than the cap exist only
     * through a race of creates, and the first ones are taken. */
    int rc = db_query(&r, db,
                      "SELECT id, events FROM webhook_subscriptions WHERE tenant_id = $1"
                      " AND enabled = 1 ORDER BY id LIMIT $2",
                      DB_ARGS(DB_TEXT(tenant_id), DB_INT(WEBHOOK_SUBSCRIPTIONS_MAX)), err);
    if (rc < 0)
        return rc;
    while ((rc = db_rows_next(r, err)) == 1 && *n < WEBHOOK_SUBSCRIPTIONS_MAX) {
        struct webhook_subscription_ref *s = &out[(*n)++];
        const char *ev = db_rows_text(r, 1);
        snprintf(s->id, sizeof(s->id), "%s", db_rows_text(r, 0));
        if (!ev || strlen(ev) >= sizeof(s->events))
            ev = "[]";
        snprintf(s->events, sizeof(s->events), "%s", ev);
    }
    db_rows_free(r);
    return rc < 0 ? rc : 0;
}

bool webhook_subscription_listens(const char *events, const char *type)
{
    char quoted[64];
    if (strstr(events, "\"*\""))
        return true;
    int k = snprintf(quoted, sizeof(quoted), "\"%s\"", type);
    return k > 0 && (size_t)k < sizeof(quoted) && strstr(events, quoted) != NULL;
}
