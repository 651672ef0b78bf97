/* api/purge.c - data retention (GDPR erasure): DELETE
 * /api/integrations/{id}?purge=true (integrations.c hands it here) removes
 * an integration with everything it synced, and POST
 * /api/tenants/current/purge everything the tenant synced while keeping
 * its integrations and credentials. Each purge, its audit entry and the
 * counts it answers with commit in one transaction, so the log never
 * claims an erasure that did not happen. api_integration_remove is every
 * deletion of an integration, soft or purged, one at a time or all of an
 * end user's (end_users.c). */
#include <assert.h>

#include "api/api_int.h"
#include "events/events.h"
#include "store/integration.h"
#include "store/records_query.h"

/* Answer 200 {"removed":{...}}. */
static void reply_removed(struct api_ctx *c, const struct records_purge *p)
{
    struct buf *b = api_reply(c, 200);
    buf_puts(b, "{\"removed\":");
    records_query_purge_format(p, b);
    buf_putc(b, '}');
}

/* Audit action (with the counts under "removed") on target, commit, and
 * answer; on failure roll back and answer the error. */
static void finish(struct api_ctx *c, const char *action, const char *target_type,
                   const char *target_id, const struct records_purge *p)
{
    struct buf data;
    struct err e;

    buf_init(&data, 0);
    buf_puts(&data, "{\"removed\":");
    records_query_purge_format(p, &data);
    buf_putc(&data, '}');
    if (api_audit(c, action, target_type, target_id, buf_cstr(&data), &e) < 0 ||
        db_commit(c->db, &e) < 0) {
        db_rollback(c->db);
        api_fail(c, &e);
    } else {
        reply_removed(c, p);
    }
    buf_dispose(&data);
}

int api_integration_remove(struct api_ctx *c, const char *id, bool purge, const char *end_user_id,
                           struct records_purge *removed, struct err *e)
{
    struct buf data;
    int rc;

    assert(removed || !purge);
    /* With purge, the data first, counted, then the row: integration_delete's
     * cascade would take the rows but not the raw tables, nor count anything. */
    if (purge && (rc = records_query_purge_integration(removed, c->db, c->tenant_id, id, e)) < 0)
        return rc;
    /* Told while the integration is there to be read; one deleted earlier
     * (a purge reaches those too) was told then. */
    rc = events_integration(c->db, c->tenant_id, id, EVENTS_INTEGRATION_DISCONNECTED,
                            "{\"reason\":\"deleted\"}", c->now, e);
    if (rc < 0 && rc != ERR_NOTFOUND)
        return rc;
    if ((rc = integration_delete(c->db, c->tenant_id, id, purge, c->now, e)) < 0)
        return rc;
    buf_init(&data, 0);
    buf_puts(&data, purge ? "{\"purge\":true,\"removed\":" : "{\"purge\":false");
    if (purge)
        records_query_purge_format(removed, &data);
    if (end_user_id) {
        buf_puts(&data, ",\"end_user_id\":");
        buf_put_json_str(&data, end_user_id);
    }
    buf_putc(&data, '}');
    rc = api_audit(c, "integration.delete", "integration", id, buf_cstr(&data), e);
    buf_dispose(&data);
    return rc;
}

void api_integration_purge(struct api_ctx *c, const char *id)
{
    struct records_purge p;
    struct err e;

    if (db_begin_tenant(c->db, c->tenant_id, &e) < 0 ||
        api_integration_remove(c, id, true, NULL, &p, &e) < 0 || db_commit(c->db, &e) < 0) {
        db_rollback(c->db);
        api_fail(c, &e);
        return;
    }
    reply_removed(c, &p);
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
    finish(c, "tenant.purge", "tenant", c->tenant_id, &p);
}
