/* api/purge.c - data retention (GDPR erasure): DELETE
 * /api/integrations/{id}?purge=true (integrations.c hands it here) removes
 * an integration with everything it synced, and POST
 * /api/tenants/current/purge everything the tenant synced while keeping
 * its integrations and credentials. Each purge, its audit entry and the
 * counts it answers with commit in one transaction, so the log never
 * claims an erasure that did not happen. */
#include "api/api_int.h"
#include "store/integration.h"
#include "store/records_query.h"

/* Audit action (with the counts under "removed", and "purge":true for an
 * integration) on target, commit, and answer 200 {"removed":{...}}; on
 * failure roll back and answer the error. */
static void finish(struct api_ctx *c, const char *action, const char *target_type,
                   const char *target_id, const struct records_purge *p, bool integration)
{
    struct buf data;
    struct err e;

    buf_init(&data, 0);
    buf_puts(&data, integration ? "{\"purge\":true,\"removed\":" : "{\"removed\":");
    records_query_purge_format(p, &data);
    buf_putc(&data, '}');
    if (api_audit(c, action, target_type, target_id, buf_cstr(&data), &e) < 0 ||
        db_commit(c->db, &e) < 0) {
        db_rollback(c->db);
        api_fail(c, &e);
    } else {
        struct buf *b = api_reply(c, 200);
        buf_puts(b, "{\"removed\":");
        records_query_purge_format(p, b);
        buf_putc(b, '}');
    }
    buf_dispose(&data);
}

void api_integration_purge(struct api_ctx *c, const char *id)
{
    struct records_purge p;
    struct err e;

    /* The data first, counted, then the row: integration_delete's cascade
     * would take the rows but not the raw tables, nor count anything. */
    if (db_begin_tenant(c->db, c->tenant_id, &e) < 0 ||
        records_query_purge_integration(&p, c->db, c->tenant_id, id, &e) < 0 ||
        integration_delete(c->db, c->tenant_id, id, true, c->now, &e) < 0) {
        db_rollback(c->db);
        api_fail(c, &e);
        return;
    }
    finish(c, "integration.delete", "integration", id, &p, true);
}

void api_tenant_purge(struct api_ctx *c)
{
    static const char *const none[] = {NULL};
    struct json_object *body = NULL;
    struct records_purge p;
    struct err e;

    /* No options: the body, when there is one, is {}. */
    if (api_query_only(c, none) < 0 ||
        (c->req->body_len > 0 && api_body_object(c, &body, none) < 0))
        return;
    json_object_put(body);
    if (db_begin_tenant(c->db, c->tenant_id, &e) < 0 ||
        records_query_purge_tenant(&p, c->db, c->tenant_id, &e) < 0) {
        db_rollback(c->db);
        api_fail(c, &e);
        return;
    }
    finish(c, "tenant.purge", "tenant", c->tenant_id, &p, false);
}
