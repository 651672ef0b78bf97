/* store/notify_channel.c - see notify_channel.h. The settings are sealed
 * bound to the row, whose id stays the same when the channel is replaced.
 * A list is read whole before its callbacks run (channels are few), so a
 * callback never meets a connection still streaming rows. */
#include "store/notify_channel.h"

#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/jsonx.h"
#include "core/time.h"
#include "store/sealed.h"

static const struct sealed_column config_col = {"notification_channels", "config_sealed",
                                                "config_key_id"};

#define COLUMNS "id, kind, name, events, summary, enabled, created_at, updated_at"

void notify_channel_dispose(struct notify_channel *c)
{
    xfree(c->name);
    xfree(c->events);
    xfree(c->summary);
    memset(c, 0, sizeof(*c));
}

static void row_copy(struct notify_channel *out, struct db_rows *r)
{
    memset(out, 0, sizeof(*out));
    snprintf(out->id, sizeof(out->id), "%s", db_rows_text(r, 0));
    snprintf(out->kind, sizeof(out->kind), "%s", db_rows_text(r, 1));
    out->name = xstrdup(db_rows_text(r, 2));
    out->events = xstrdup(db_rows_text(r, 3));
    out->summary = xstrdup(db_rows_text(r, 4));
    out->enabled = db_rows_int(r, 5) != 0;
    out->created_at = db_rows_int(r, 6);
    out->updated_at = db_rows_int(r, 7);
}

static int seal(unsigned char **blob, size_t *n, const struct vault *v, const char *tenant_id,
                const char *id, const struct notify_channel_in *in, struct err *err)
{
    return sealed_seal(blob, n, v, &config_col, tenant_id, id, in->config->p, in->config->n, err);
}

int notify_channel_create(char id[ID_MAX], struct db *db, const struct vault *v,
                          const char *tenant_id, const struct notify_channel_in *in, int64_t now,
                          struct err *err)
{
    unsigned char *blob = NULL;
    size_t n = 0;
    int64_t count = 0;

    int rc =
        db_query_int(&count, db, "SELECT count(*) FROM notification_channels WHERE tenant_id = $1",
                     DB_ARGS(DB_TEXT(tenant_id)), err);
    if (rc < 0)
        return rc;
    if (count >= NOTIFY_CHANNELS_MAX)
        return err_set(err, ERR_CONFLICT, "a tenant has at most %d notification channels",
                       NOTIFY_CHANNELS_MAX);
    id_new(id, "nch");
    if ((rc = seal(&blob, &n, v, tenant_id, id, in, err)) < 0)
        return rc;
    rc = db_exec(db,
                 "INSERT INTO notification_channels (id, tenant_id, kind, name, events,"
                 " config_sealed, config_key_id, summary, enabled, created_at, updated_at)"
                 " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
                 DB_ARGS(DB_TEXT(id), DB_TEXT(tenant_id), DB_TEXT(in->kind), DB_TEXT(in->name),
                         DB_TEXT(in->events), DB_BLOB(blob, n), DB_TEXT(vault_active_id(v)),
                         DB_TEXT(in->summary), DB_INT(in->enabled ? 1 : 0), DB_INT(now)),
                 NULL, err);
    xfree(blob);
    return rc;
}

int notify_channel_replace(struct db *db, const struct vault *v, const char *tenant_id,
                           const char *id, const struct notify_channel_in *in, int64_t now,
                           struct err *err)
{
    unsigned char *blob = NULL;
    size_t n = 0;
    int64_t changes = 0;

    int rc = seal(&blob, &n, v, tenant_id, id, in, err);
    if (rc < 0)
        return rc;
    rc = db_exec(db,
                 "UPDATE notification_channels SET kind = $3, name = $4, events = $5,"
                 " config_sealed = $6, config_key_id = $7, summary = $8, enabled = $9,"
                 " updated_at = $10 WHERE tenant_id = $1 AND id = $2",
                 DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(id), DB_TEXT(in->kind), DB_TEXT(in->name),
                         DB_TEXT(in->events), DB_BLOB(blob, n), DB_TEXT(vault_active_id(v)),
                         DB_TEXT(in->summary), DB_INT(in->enabled ? 1 : 0), DB_INT(now)),
                 &changes, err);
    xfree(blob);
    if (rc == 0 && changes == 0)
        rc = err_set(err, ERR_NOTFOUND, "no notification channel %s", id);
    return rc;
}

int notify_channel_get(struct notify_channel *out, struct db *db, const char *tenant_id,
                       const char *id, struct err *err)
{
    struct db_rows *r = NULL;
    memset(out, 0, sizeof(*out));
    int rc = db_query_row(&r, db,
                          "SELECT " COLUMNS " FROM notification_channels WHERE tenant_id = $1 AND"
                          " id = $2",
                          DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(id)), err);
    if (rc == ERR_NOTFOUND)
        return err_set(err, ERR_NOTFOUND, "no notification channel %s", id);
    if (rc < 0)
        return rc;
    row_copy(out, r);
    db_rows_free(r);
    return 0;
}

int notify_channel_open(struct secret *config, struct db *db, const struct vault *v,
                        const char *tenant_id, const char *id, struct err *err)
{
    struct db_rows *r = NULL;
    size_t n = 0;
    memset(config, 0, sizeof(*config));
    int rc = db_query_row(&r, db,
                          "SELECT config_sealed FROM notification_channels WHERE tenant_id = $1"
                          " AND id = $2",
                          DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(id)), err);
    if (rc == ERR_NOTFOUND)
        return err_set(err, ERR_NOTFOUND, "no notification channel %s", id);
    if (rc < 0)
        return rc;
    const void *blob = db_rows_blob(r, 0, &n);
    rc = sealed_open(config, v, &config_col, tenant_id, id, blob, n, err);
    db_rows_free(r);
    return rc;
}

int notify_channel_unseal(struct secret *config, const struct vault *v, const char *tenant_id,
                          const char *id, const void *blob, size_t n, struct err *err)
{
    return sealed_open(config, v, &config_col, tenant_id, id, blob, n, err);
}

int notify_channel_list(struct db *db, const char *tenant_id, notify_channel_fn fn, void *ctx,
                        struct err *err)
{
    struct notify_channel *all = xcalloc(NOTIFY_CHANNELS_MAX + 1, sizeof(*all));
    struct db_rows *r = NULL;
    size_t n = 0;

    /* More rows than the cap can exist only through a race of creates;
     * the list shows the first ones. */
    int rc = db_query(&r, db,
                      "SELECT " COLUMNS " FROM notification_channels WHERE tenant_id = $1"
                      " ORDER BY id LIMIT $2",
                      DB_ARGS(DB_TEXT(tenant_id), DB_INT(NOTIFY_CHANNELS_MAX)), err);
    while (rc == 0 && (rc = db_rows_next(r, err)) == 1) {
        row_copy(&all[n++], r);
        rc = 0;
    }
    db_rows_free(r);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = fn(ctx, &all[i]);
    for (size_t i = 0; i < n; i++)
        notify_channel_dispose(&all[i]);
    xfree(all);
    return rc;
}

int notify_channel_delete(struct db *db, const char *tenant_id, const char *id, struct err *err)
{
    int64_t changes = 0;
    int rc = db_exec(db, "DELETE FROM notification_channels WHERE tenant_id = $1 AND id = $2",
                     DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(id)), &changes, err);
    if (rc == 0 && changes == 0)
        rc = err_set(err, ERR_NOTFOUND, "no notification channel %s", id);
    return rc;
}

/* Append stored JSON text in the compact form (PostgreSQL's JSONB adds
 * spaces); fallback when it somehow is not JSON. */
static void put_json(struct buf *b, const char *text, const char *fallback)
{
    struct json_object *v = NULL;
    struct err e;
    if (text && jsonx_parse(&v, text, strlen(text), strlen(text) + 1, &e) == 0 && v) {
        jsonx_format(b, v);
        json_object_put(v);
        return;
    }
    buf_puts(b, fallback);
}

static void put_time(struct buf *b, int64_t unix_s)
{
    char t[TIME_RFC3339_MAX];
    if (unix_s < TIME_MIN_MS / 1000 || unix_s > TIME_MAX_MS / 1000) {
        buf_puts(b, "null");
        return;
    }
    time_format_rfc3339_sec(t, unix_s * 1000);
    buf_put_json_str(b, t);
}

void notify_channel_format(const struct notify_channel *c, struct buf *b)
{
    buf_puts(b, "{\"id\":");
    buf_put_json_str(b, c->id);
    buf_puts(b, ",\"kind\":");
    buf_put_json_str(b, c->kind);
    buf_puts(b, ",\"name\":");
    buf_put_json_str(b, c->name);
    buf_puts(b, ",\"events\":");
    put_json(b, c->events, "[]");
    buf_printf(b, ",\"enabled\":%s,\"config\":", c->enabled ? "true" : "false");
    put_json(b, c->summary, "{}");
    buf_puts(b, ",\"created_at\":");
    put_time(b, c->created_at);
    buf_puts(b, ",\"updated_at\":");
    put_time(b, c->updated_at);
    buf_putc(b, '}');
}
