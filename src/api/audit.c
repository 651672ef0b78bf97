/* api/audit.c - writing the audit log from handlers (actor and address
 * filled in from the request), GET /api/audit, and the page that GET
 * /api/platform/audit shares with it. */
#include <stdio.h>

#include "api/api_int.h"
#include "store/audit.h"

int api_audit(struct api_ctx *c, const char *action, const char *target_type, const char *target_id,
              const char *data, struct err *err)
{
    struct audit_entry en = {
        .tenant_id = c->tenant_id,
        .actor = c->actor,
        .action = action,
        .target_type = target_type,
        .target_id = target_id,
        .data = data,
        .ip = c->req->client_ip,
    };
    return audit_record(c->db, &en, c->now, err);
}

void api_send_test_reply(struct api_ctx *c, const char *action, const char *target_type,
                         const char *id, bool ok, long status, int64_t elapsed_ms,
                         const char *error)
{
    struct buf data;
    struct err e;

    buf_init(&data, 0);
    buf_printf(&data, "{\"ok\":%s,\"status\":%ld}", ok ? "true" : "false", status);
    int rc = db_begin_tenant(c->db, c->tenant_id, &e);
    if (rc == 0)
        rc = api_audit(c, action, target_type, id, buf_cstr(&data), &e);
    rc = rc == 0 ? db_commit(c->db, &e) : (db_rollback(c->db), rc);
    buf_dispose(&data);
    if (rc < 0) {
        api_fail(c, &e);
        return;
    }
    struct buf *b = api_reply(c, 200);
    buf_printf(b, "{\"ok\":%s,\"status\":", ok ? "true" : "false");
    if (status)
        buf_printf(b, "%ld", status);
    else
        buf_puts(b, "null");
    buf_printf(b, ",\"elapsed_ms\":%lld,\"error\":", (long long)elapsed_ms);
    buf_put_json_str(b, ok ? NULL : error);
    buf_putc(b, '}');
}

struct page {
    struct buf *b;
    size_t n;
    char last[ID_MAX];
};

static int put_entry(void *ctx, const struct audit_entry *en)
{
    struct page *p = ctx;
    if (p->n++)
        buf_putc(p->b, ',');
    audit_format(en, p->b);
    snprintf(p->last, sizeof(p->last), "%s", en->id);
    return 0;
}

void api_audit_page(struct api_ctx *c, bool platform)
{
    const char *tenant_id = platform ? NULL : c->tenant_id;
    static const char *const params[] = {"limit", "cursor", NULL};
    const char *cursor;
    int limit;
    bool more = false;
    struct err e;

    if (api_query_only(c, params) < 0 ||
        api_query_int(c, "limit", API_LIST_DEFAULT, 1, AUDIT_LIST_MAX, &limit) < 0 ||
        api_query_id(c, "cursor", "aud", &cursor) < 0)
        return;
    /* The platform's log is no tenant's: read outside any. */
    if (!platform && db_begin_tenant_read(c->db, tenant_id, &e) < 0) {
        api_fail(c, &e);
        return;
    }
    struct buf *b = api_reply(c, 200);
    struct page p = {.b = b};
    buf_puts(b, "{\"data\":[");
    int rc = audit_list(&more, c->db, tenant_id, cursor, limit, put_entry, &p, &e);
    if (!platform)
        db_rollback(c->db); /* read only */
    if (rc < 0) {
        api_fail(c, &e);
        return;
    }
    buf_puts(b, "],\"next_cursor\":");
    buf_put_json_str(b, more ? p.last : NULL);
    buf_putc(b, '}');
}

void api_audit_list(struct api_ctx *c)
{
    api_audit_page(c, false);
}
