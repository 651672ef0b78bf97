/* notify/inbox.c - see inbox.h. Two list statements rather than
 * "$2 IS NULL OR id < $2", so that the cursor stays an index range on
 * PostgreSQL's generic plans (store/audit.c does the same). */
#include "notify/inbox.h"

#include <string.h>

#include "core/alloc.h"
#include "core/jsonx.h"
#include "core/time.h"
#include "notify/notify.h"

#define ITEM_COLUMNS                                                                               \
    "SELECT id, event, level, title, body, integration_id, data, created_at, read_at"              \
    " FROM notifications WHERE tenant_id = $1 AND channel_id IS NULL AND ($2 = 0 OR read_at IS"    \
    " NULL)"

struct row {
    char *text[7]; /* id .. data, from xstrdup (integration_id may be NULL) */
    int64_t created_at, read_at;
};

int notify_inbox_list(bool *more, struct db *db, const char *tenant_id, bool unread_only,
                      const char *before, int limit, notify_item_fn fn, void *ctx, struct err *err)
{
    struct db_rows *rows = NULL;
    struct row *page;
    size_t n = 0;
    int rc;

    *more = false;
    if (limit < 1 || limit > NOTIFY_LIST_MAX)
        return err_set(err, ERR_INVALID, "limit: must be 1..%d", NOTIFY_LIST_MAX);
    if (before)
        rc = db_query(
            &rows, db, ITEM_COLUMNS " AND id < $3 ORDER BY id DESC LIMIT $4",
            DB_ARGS(DB_TEXT(tenant_id), DB_INT(unread_only), DB_TEXT(before), DB_INT(limit + 1)),
            err);
    else
        rc = db_query(&rows, db, ITEM_COLUMNS " ORDER BY id DESC LIMIT $3",
                      DB_ARGS(DB_TEXT(tenant_id), DB_INT(unread_only), DB_INT(limit + 1)), err);
    if (rc < 0)
        return rc;
    page = xcalloc((size_t)limit, sizeof(*page));
    while ((rc = db_rows_next(rows, err)) == 1) {
        if (n == (size_t)limit) {
            *more = true;
            break;
        }
        for (int c = 0; c < 7; c++) {
            const char *s = db_rows_text(rows, c);
            page[n].text[c] = s ? xstrdup(s) : NULL;
        }
        page[n].created_at = db_rows_int(rows, 7);
        page[n++].read_at = db_rows_int(rows, 8);
    }
    db_rows_free(rows);
    if (rc == 1) /* stopped at the extra row */
        rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char *const *t = page[i].text;
        const struct notify_item it = {
            .id = t[0],
            .event = t[1],
            .level = t[2],
            .title = t[3],
            .body = t[4],
            .integration_id = t[5],
            .data = t[6],
            .created_at = page[i].created_at,
            .read_at = page[i].read_at,
        };
        rc = fn(ctx, &it);
    }
    for (size_t i = 0; i < n; i++)
        for (int c = 0; c < 7; c++)
            xfree(page[i].text[c]);
    xfree(page);
    return rc;
}

int notify_inbox_unread(int64_t *n, struct db *db, const char *tenant_id, struct err *err)
{
    return db_query_int(n, db,
                        "SELECT count(*) FROM notifications WHERE tenant_id = $1 AND channel_id IS"
                        " NULL AND read_at IS NULL",
                        DB_ARGS(DB_TEXT(tenant_id)), err);
}

int notify_inbox_read(struct db *db, const char *tenant_id, const char *id, int64_t now,
                      struct err *err)
{
    int64_t found = 0;
    int rc = db_query_int(&found, db,
                          "SELECT count(*) FROM notifications WHERE tenant_id = $1 AND id = $2 AND"
                          " channel_id IS NULL",
                          DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(id)), err);
    if (rc < 0)
        return rc;
    if (!found)
        return err_set(err, ERR_NOTFOUND, "no notification %s", id);
    return db_exec(db,
                   "UPDATE notifications SET read_at = $3 WHERE tenant_id = $1 AND id = $2 AND"
                   " channel_id IS NULL AND read_at IS NULL",
                   DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(id), DB_INT(now)), NULL, err);
}

int notify_inbox_read_all(int64_t *n, struct db *db, const char *tenant_id, int64_t now,
                          struct err *err)
{
    return db_exec(db,
                   "UPDATE notifications SET read_at = $2 WHERE tenant_id = $1 AND channel_id IS"
                   " NULL AND read_at IS NULL",
                   DB_ARGS(DB_TEXT(tenant_id), DB_INT(now)), n, err);
}

static void put_time(struct buf *b, int64_t unix_s)
{
    char t[TIME_RFC3339_MAX];
    if (unix_s <= 0 || unix_s > TIME_MAX_MS / 1000) {
        buf_puts(b, "null");
        return;
    }
    time_format_rfc3339_sec(t, unix_s * 1000);
    buf_put_json_str(b, t);
}

void notify_item_format(const struct notify_item *n, const char *public_url, struct buf *b)
{
    struct json_object *data = NULL;
    struct err e;

    buf_puts(b, "{\"id\":");
    buf_put_json_str(b, n->id);
    buf_puts(b, ",\"event\":");
    buf_put_json_str(b, n->event);
    buf_puts(b, ",\"level\":");
    buf_put_json_str(b, n->level);
    buf_puts(b, ",\"title\":");
    buf_put_json_str(b, n->title);
    buf_puts(b, ",\"body\":");
    buf_put_json_str(b, n->body);
    buf_puts(b, ",\"integration_id\":");
    buf_put_json_str(b, n->integration_id);
    buf_puts(b, ",\"link\":");
    if (n->integration_id) {
        struct buf link;
        buf_init(&link, 0);
        notify_link(&link, public_url, n->integration_id);
        buf_put_json_str(b, buf_cstr(&link));
        buf_dispose(&link);
    } else {
        buf_puts(b, "null");
    }
    buf_puts(b, ",\"data\":");
    /* Compact, whatever spacing PostgreSQL's JSONB gave it. */
    if (n->data && jsonx_parse(&data, n->data, strlen(n->data), strlen(n->data) + 1, &e) == 0 &&
        json_object_is_type(data, json_type_object))
        jsonx_format(b, data);
    else
        buf_puts(b, "{}");
    json_object_put(data);
    buf_printf(b, ",\"read\":%s,\"read_at\":", n->read_at ? "true" : "false");
    put_time(b, n->read_at);
    buf_puts(b, ",\"created_at\":");
    put_time(b, n->created_at);
    buf_putc(b, '}');
}

int notify_purge(int64_t *n, struct db *db, int64_t before, int limit, struct err *err)
{
    /* Bounded by id, as jobs_purge: no huge delete after months. */
    return db_exec(db,
                   "DELETE FROM notifications WHERE id IN (SELECT id FROM notifications WHERE"
                   " status <> 'pending' AND created_at < $1 LIMIT $2)",
                   DB_ARGS(DB_INT(before), DB_INT(limit)), n, err);
}
