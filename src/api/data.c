/* api/data.c - the Data API: GET /api/data/{accounts,contacts,tickets,deals}
 * lists a tenant's normalized rows whatever connector they came from, with
 * filters, a whitelisted sort and keyset cursors; GET /api/data/<model>/{id}
 * reads one row with its sources. Every query parameter is checked here and
 * refused with a message saying what to send; the SQL is
 * store/records_query.c's. Shapes and rules: docs/data.md. */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "api/api_int.h"
#include "core/str.h"
#include "core/time.h"
#include "store/records_query.h"

static int bad_parameter(struct api_ctx *c, const char *msg)
{
    api_error(c, 400, "invalid_parameter", NULL, "%s", msg);
    return -1;
}

/* updated_since as unix seconds, rounded toward the past: a row changed
 * within the second asked for is included, never skipped. */
static int since_param(struct api_ctx *c, const char *s, int64_t *out)
{
    int64_t ms;
    struct err e;
    char msg[400];

    if (time_parse_rfc3339(&ms, s, strlen(s), &e) < 0) {
        snprintf(msg, sizeof(msg),
                 "updated_since: expected an RFC 3339 date-time such as 2024-01-15T10:00:00Z (%s)",
                 e.msg);
        return bad_parameter(c, msg);
    }
    *out = ms / 1000 - (ms % 1000 < 0);
    return 0;
}

/* Fill f (and *cur, which f->after may point at) from the query string;
 * answers 400 and returns -1 for anything it cannot use. */
static int read_filter(struct api_ctx *c, const struct records_model *m, struct records_filter *f,
                       struct records_cursor *cur)
{
    static const char *const with_account[] = {
        "integration_id", "account_id", "updated_since", "q",  "include_deleted",
        "sort",           "limit",      "cursor",        NULL,
    };
    static const char *const without_account[] = {
        "integration_id", "updated_since", "q", "include_deleted", "sort", "limit", "cursor", NULL,
    };
    const char *s;
    struct err e;

    memset(f, 0, sizeof(*f));
    if (api_query_only(c, records_query_has_account(m) ? with_account : without_account) < 0 ||
        api_query_int(c, "limit", API_LIST_DEFAULT, 1, RECORDS_LIST_MAX, &f->limit) < 0 ||
        api_query_bool(c, "include_deleted", false, &f->include_deleted) < 0)
        return -1;
    if ((s = http_req_query(c->req, "sort")) && !records_query_sort_parse(&f->sort, s))
        return bad_parameter(c, "sort: expected one of updated_at, -updated_at, name, -name, "
                                "created_at, -created_at");
    if ((f->integration_id = http_req_query(c->req, "integration_id")) &&
        !id_valid(f->integration_id, "int"))
        return bad_parameter(c, "integration_id: expected an integration id (int_ and 26 "
                                "characters)");
    if ((f->account_id = http_req_query(c->req, "account_id")) && !id_valid(f->account_id, NULL))
        return bad_parameter(c, "account_id: expected an account id (the id of GET "
                                "/api/data/accounts)");
    if ((s = http_req_query(c->req, "updated_since"))) {
        if (since_param(c, s, &f->updated_since) < 0)
            return -1;
        f->has_since = true;
    }
    if ((f->q = http_req_query(c->req, "q"))) {
        size_t bad;
        char msg[64];
        if (strlen(f->q) > RECORDS_Q_MAX) {
            snprintf(msg, sizeof(msg), "q: at most %d bytes", RECORDS_Q_MAX);
            return bad_parameter(c, msg);
        }
        if (!str_utf8_valid(f->q, strlen(f->q), &bad)) {
            snprintf(msg, sizeof(msg), "q: not UTF-8 at byte %zu", bad);
            return bad_parameter(c, msg);
        }
    }
    if ((s = http_req_query(c->req, "cursor"))) {
        if (records_query_cursor_parse(cur, s, f->sort, &e) < 0)
            return bad_parameter(c, e.msg);
        f->after = cur;
    }
    return 0;
}

static void data_list(struct api_ctx *c, const char *model)
{
    const struct records_model *m = records_query_model(model);
    struct records_filter f;
    struct records_cursor cur;
    char next[RECORDS_CURSOR_MAX];
    struct err e;

    assert(m);
    if (read_filter(c, m, &f, &cur) < 0)
        return;
    if (db_begin_tenant_read(c->db, c->tenant_id, &e) < 0) {
        api_fail(c, &e);
        return;
    }
    struct buf *b = api_reply(c, 200);
    buf_puts(b, "{\"data\":[");
    int rc = records_query_list(b, next, c->db, c->tenant_id, m, &f, &e);
    db_rollback(c->db); /* read only */
    if (rc < 0) {
        api_fail(c, &e);
        return;
    }
    buf_puts(b, "],\"next_cursor\":");
    buf_put_json_str(b, next[0] ? next : NULL);
    buf_putc(b, '}');
}

static void data_get(struct api_ctx *c, const char *model)
{
    static const char *const none[] = {NULL};
    const struct records_model *m = records_query_model(model);
    struct err e;

    assert(m);
    if (api_query_only(c, none) < 0)
        return;
    if (db_begin_tenant_read(c->db, c->tenant_id, &e) < 0) {
        api_fail(c, &e);
        return;
    }
    /* Another tenant's id reads exactly as one that never existed: row
     * security and the tenant_id in every WHERE both see to it. */
    int rc = records_query_get(api_reply(c, 200), c->db, c->tenant_id, m,
                               http_req_param(c->req, "id"), &e);
    db_rollback(c->db);
    if (rc < 0)
        api_fail(c, &e);
}

void api_data_accounts_list(struct api_ctx *c)
{
    data_list(c, "accounts");
}

void api_data_account_get(struct api_ctx *c)
{
    data_get(c, "accounts");
}

void api_data_contacts_list(struct api_ctx *c)
{
    data_list(c, "contacts");
}

void api_data_contact_get(struct api_ctx *c)
{
    data_get(c, "contacts");
}

void api_data_tickets_list(struct api_ctx *c)
{
    data_list(c, "tickets");
}

void api_data_ticket_get(struct api_ctx *c)
{
    data_get(c, "tickets");
}

void api_data_deals_list(struct api_ctx *c)
{
    data_list(c, "deals");
}

void api_data_deal_get(struct api_ctx *c)
{
    data_get(c, "deals");
}
