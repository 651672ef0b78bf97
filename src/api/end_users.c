/* api/end_users.c - the host product's end users (docs/embedding.md, "End
 * users and tags"): DELETE /api/end-users/{end_user_id}/integrations
 * deletes every integration of one end user in one call, each exactly as
 * DELETE /api/integrations/{id} would (api_integration_remove, one audit
 * entry per integration), all in one transaction: either every one goes or
 * none does. An end user is no row of its own, only the id its
 * integrations carry, so one with none is simply done already: 200 with
 * nothing deleted, never 404, which also answers another tenant's end
 * users exactly as unknown ones. */
#include <string.h>

#include "api/api_int.h"
#include "core/alloc.h"
#include "store/integration.h"
#include "store/records_query.h"

/* Add what one purge removed to the sum. */
static void add_removed(struct records_purge *sum, const struct records_purge *p)
{
    sum->raw_tables += p->raw_tables;
    sum->accounts += p->accounts;
    sum->contacts += p->contacts;
    sum->tickets += p->tickets;
    sum->deals += p->deals;
    sum->synced_records += p->synced_records;
    sum->stream_state += p->stream_state;
    sum->runs += p->runs;
    sum->webhook_bodies += p->webhook_bodies;
}

void api_end_user_integrations_delete(struct api_ctx *c)
{
    static const char *const params[] = {"purge", NULL};
    const char *end_user_id = http_req_param(c->req, "end_user_id");
    struct records_purge sum = {0};
    char(*ids)[ID_MAX] = NULL;
    size_t n = 0, done = 0;
    bool purge;
    struct err e;
    int rc;

    if (api_query_only(c, params) < 0 || api_query_bool(c, "purge", false, &purge) < 0)
        return;
    /* The router has decoded the segment; an id with '/' never gets here
     * (http/router.c refuses an encoded '/' in a segment with 400). */
    if (integration_end_user_id_check(end_user_id, &e) < 0) {
        api_error(c, 400, "invalid_parameter", NULL, "end_user_id: %s", e.msg);
        return;
    }
    /* A purge also reaches the end user's integrations deleted earlier
     * without one, as DELETE /api/integrations/{id}?purge=true does. */
    rc = db_begin_tenant(c->db, c->tenant_id, &e);
    if (rc == 0)
        rc = integration_end_user_ids(&ids, &n, c->db, c->tenant_id, end_user_id, purge, &e);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        struct records_purge p = {0};
        rc = api_integration_remove(c, ids[i], purge, end_user_id, &p, &e);
        /* Deleted meanwhile by another request (PostgreSQL reads the rows
         * committed since the list): gone already, which is the goal. */
        if (rc == ERR_NOTFOUND) {
            rc = 0;
            continue;
        }
        add_removed(&sum, &p);
        if (done != i)
            memcpy(ids[done], ids[i], ID_MAX);
        done++;
    }
    if (rc == 0)
        rc = db_commit(c->db, &e);
    if (rc < 0) {
        db_rollback(c->db);
        xfree(ids);
        api_fail(c, &e);
        return;
    }
    struct buf *b = api_reply(c, 200);
    buf_printf(b, "{\"deleted\":%zu,\"integrations\":[", done);
    for (size_t i = 0; i < done; i++) {
        buf_puts(b, i ? "," : "");
        buf_put_json_str(b, ids[i]);
    }
    buf_putc(b, ']');
    if (purge) {
        buf_puts(b, ",\"removed\":");
        records_query_purge_format(&sum, b);
    }
    buf_putc(b, '}');
    xfree(ids);
}
