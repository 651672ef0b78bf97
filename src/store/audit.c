/* store/audit.c - the audit log of store/audit.h. Pages go newest first by
 * id: ids are time-ordered (core/id), so "id < cursor ORDER BY id DESC" on
 * the (tenant_id, id) index is the whole of the pagination, and entries
 * written in the same millisecond still get a stable order. A page is read
 * into memory before the callbacks run, so they may use the connection. */
#include "store/audit.h"

#include <assert.h>
#include <string.h>

#include "core/alloc.h"
#include "core/id.h"
#include "core/time.h"

#define AUDIT_COLUMNS                                                                              \
    "SELECT id, tenant_id, actor, action, target_type, target_id, data, ip, created_at"            \
    " FROM audit_log"
/* The platform log has no tenant column; NULL stands in for it. */
#define PLATFORM_COLUMNS                                                                           \
    "SELECT id, NULL, actor, action, target_type, target_id, data, ip, created_at"                 \
    " FROM platform_audit"

int audit_record(struct db *db, const struct audit_entry *e, int64_t now, struct err *err)
{
    char id[ID_MAX];
    const char *data = e->data ? e->data : "{}";

    assert(e->actor && e->action);
    if (strlen(data) > AUDIT_DATA_MAX)
        return err_set(err, ERR_TOOBIG, "audit data: %zu bytes, at most %d", strlen(data),
                       AUDIT_DATA_MAX);
    id_new(id, "aud");
    if (!e->tenant_id)
        return db_exec(db,
                       "INSERT INTO platform_audit (id, actor, action, target_type, target_id,"
                       " data, ip, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                       DB_ARGS(DB_TEXT(id), DB_TEXT(e->actor), DB_TEXT(e->action),
                               DB_TEXT(e->target_type), DB_TEXT(e->target_id), DB_TEXT(data),
                               DB_TEXT(e->ip), DB_INT(now)),
                       NULL, err);
    return db_exec(db,
                   "INSERT INTO audit_log (id, tenant_id, actor, action, target_type, target_id,"
                   " data, ip, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                   DB_ARGS(DB_TEXT(id), DB_TEXT(e->tenant_id), DB_TEXT(e->actor),
                           DB_TEXT(e->action), DB_TEXT(e->target_type), DB_TEXT(e->target_id),
                           DB_TEXT(data), DB_TEXT(e->ip), DB_INT(now)),
                   NULL, err);
}

/* One entry copied out of its row. */
struct row {
    char *text[8]; /* the columns before created_at, in AUDIT_COLUMNS order; from xstrdup() */
    int64_t created_at;
};

int audit_list(bool *more, struct db *db, const char *tenant_id, const char *before, int limit,
               audit_list_fn fn, void *ctx, struct err *err)
{
    struct db_rows *rows = NULL;
    struct row *page;
    size_t n = 0;
    int rc;

    *more = false;
    if (limit < 1 || limit > AUDIT_LIST_MAX)
        return err_set(err, ERR_INVALID, "limit: must be 1..%d", AUDIT_LIST_MAX);
    /* One row past the page says whether there is another page. Two
     * statements rather than "$2 IS NULL OR id < $2", so that the cursor
     * is an index range on PostgreSQL's generic plans too. */
    if (!tenant_id && before)
        rc = db_query(&rows, db, PLATFORM_COLUMNS " WHERE id < $1 ORDER BY id DESC LIMIT $2",
                      DB_ARGS(DB_TEXT(before), DB_INT(limit + 1)), err);
    else if (!tenant_id)
        rc = db_query(&rows, db, PLATFORM_COLUMNS " ORDER BY id DESC LIMIT $1",
                      DB_ARGS(DB_INT(limit + 1)), err);
    else if (before)
        rc = db_query(&rows, db,
                      AUDIT_COLUMNS " WHERE tenant_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3",
                      DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(before), DB_INT(limit + 1)), err);
    else
        rc = db_query(&rows, db, AUDIT_COLUMNS " WHERE tenant_id = $1 ORDER BY id DESC LIMIT $2",
                      DB_ARGS(DB_TEXT(tenant_id), DB_INT(limit + 1)), err);
    if (rc < 0)
        return rc;
    page = xcalloc((size_t)limit, sizeof(*page));
    while ((rc = db_rows_next(rows, err)) == 1) {
        if (n == (size_t)limit) {
            *more = true;
            break;
        }
        for (int c = 0; c < 8; c++) {
            const char *s = db_rows_text(rows, c);
            page[n].text[c] = s ? xstrdup(s) : NULL;
        }
        page[n++].created_at = db_rows_int(rows, 8);
    }
    db_rows_free(rows);
    if (rc == 1) /* stopped at the extra row */
        rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char *const *t = page[i].text;
        const struct audit_entry e = {
            .id = t[0],
            .tenant_id = t[1],
            .actor = t[2],
            .action = t[3],
            .target_type = t[4],
            .target_id = t[5],
            .data = t[6],
            .ip = t[7],
            .created_at = page[i].created_at,
        };
        rc = fn(ctx, &e);
    }
    for (size_t i = 0; i < n; i++)
        for (int c = 0; c < 8; c++)
            xfree(page[i].text[c]);
    xfree(page);
    return rc;
}

void audit_format(const struct audit_entry *e, struct buf *b)
{
    char t[TIME_RFC3339_MAX];

    buf_puts(b, "{\"id\":");
    buf_put_json_str(b, e->id);
    buf_puts(b, ",\"actor\":");
    buf_put_json_str(b, e->actor);
    buf_puts(b, ",\"action\":");
    buf_put_json_str(b, e->action);
    buf_puts(b, ",\"target_type\":");
    buf_put_json_str(b, e->target_type);
    buf_puts(b, ",\"target_id\":");
    buf_put_json_str(b, e->target_id);
    /* Written by audit_record from JSON text inlet made: embedded as it is. */
    buf_puts(b, ",\"data\":");
    buf_puts(b, e->data && *e->data ? e->data : "{}");
    buf_puts(b, ",\"ip\":");
    buf_put_json_str(b, e->ip);
    buf_puts(b, ",\"created_at\":");
    if (e->created_at >= TIME_MIN_MS / 1000 && e->created_at <= TIME_MAX_MS / 1000) {
        time_format_rfc3339_sec(t, e->created_at * 1000);
        buf_put_json_str(b, t);
    } else {
        buf_puts(b, "null");
    }
    buf_putc(b, '}');
}
