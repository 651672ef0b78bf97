/* api/tenants.c - /api/tenants and /api/platform/audit: a platform key
 * (store/platform_key.h) provisions the tenants of the host product that
 * embeds inlet - creates them (their first API key shown once), lists,
 * suspends, resumes and deletes them, replaces their keys - and reads
 * what it did. Each change commits with its entry in the platform's audit
 * log, under the key's id. docs/embedding.md. */
#include <stdio.h>
#include <string.h>

#include "api/api_int.h"
#include "core/jsonx.h"
#include "store/audit.h"
#include "store/records_query.h"
#include "store/tenant.h"

#define TENANT_LIST_MAX 200 /* tenants per page */

static void put_tenant(struct buf *b, const struct tenant_info *t)
{
    buf_puts(b, "{\"id\":");
    buf_put_json_str(b, t->id);
    buf_puts(b, ",\"name\":");
    buf_put_json_str(b, t->name);
    buf_printf(b, ",\"status\":\"%s\",\"api_keys\":%lld,\"created_at\":",
               t->suspended_at ? "suspended" : "active", (long long)t->live_keys);
    api_put_time(b, t->created_at);
    buf_puts(b, ",\"suspended_at\":");
    api_put_time(b, t->suspended_at);
}

/* Record action on tenant id in the platform's log, in the open
 * transaction, under the platform key. */
static int platform_audit(struct api_ctx *c, const char *action, const char *id, const char *data,
                          struct err *e)
{
    struct audit_entry en = {
        .actor = c->actor,
        .action = action,
        .target_type = "tenant",
        .target_id = id,
        .data = data,
        .ip = c->req->client_ip,
    };
    return audit_record(c->db, &en, c->now, e);
}

/* The path's tenant id, or NULL after answering 404. */
static const char *path_tenant(struct api_ctx *c)
{
    return api_path_id(c, "ten", "tenant");
}

/* Answer a tenant with its (new) API key, shown this once: 201 for a
 * creation, 200 for a replacement. */
static void reply_with_key(struct api_ctx *c, int status, const struct tenant_info *t,
                           const struct secret *key)
{
    struct buf *b = api_reply(c, status);
    put_tenant(b, t);
    buf_puts(b, ",\"api_key\":");
    buf_put_json_str(b, (const char *)key->p);
    buf_putc(b, '}');
}

void api_tenants_create(struct api_ctx *c)
{
    static const char *const fields[] = {"name", NULL};
    struct json_object *doc;
    struct secret key = {0};
    struct tenant_info t = {0};
    char id[ID_MAX];
    const char *name;
    size_t n;
    struct err e;

    if (api_body_object(c, &doc, fields) < 0)
        return;
    if (!jsonx_has(doc, "name") ||
        jsonx_as_str(&name, &n, jsonx_get(doc, "name"), "/name", &e) < 0 || strlen(name) != n) {
        api_invalid_field(c, "/name", "is required: text of 1 to %d bytes", TENANT_NAME_MAX);
        goto out;
    }
    if (tenant_name_check(name, &e) < 0) {
        api_invalid_field(c, "/name", "%s", e.msg + strlen("tenant name: "));
        goto out;
    }
    int rc = db_begin(c->db, &e);
    if (rc == 0 && (rc = tenant_insert(id, &key, c->db, name, c->now, &e)) == 0 &&
        (rc = platform_audit(c, "tenant.create", id, NULL, &e)) == 0 &&
        (rc = tenant_get(&t, c->db, id, &e)) == 0)
        rc = db_commit(c->db, &e);
    if (rc < 0) {
        db_rollback(c->db);
        if (rc == ERR_CONFLICT)
            api_error(c, 409, "conflict", NULL, "a tenant named \"%s\" exists already", name);
        else
            api_fail(c, &e);
        goto out;
    }
    char loc[32 + ID_MAX];
    snprintf(loc, sizeof(loc), "/api/tenants/%s", id);
    http_resp_header(c->resp, "Location", loc);
    reply_with_key(c, 201, &t, &key);
out:
    secret_dispose(&key);
    json_object_put(doc);
}

struct page {
    struct buf *b;
    size_t n;
    char last[ID_MAX];
};

static int put_one(void *ctx, const struct tenant_info *t)
{
    struct page *p = ctx;
    buf_puts(p->b, p->n++ ? "," : "");
    put_tenant(p->b, t);
    buf_putc(p->b, '}');
    snprintf(p->last, sizeof(p->last), "%s", t->id);
    return 0;
}

void api_tenants_list(struct api_ctx *c)
{
    static const char *const params[] = {"limit", "cursor", NULL};
    const char *cursor;
    int limit;
    bool more = false;
    struct err e;

    if (api_query_only(c, params) < 0 ||
        api_query_int(c, "limit", API_LIST_DEFAULT, 1, TENANT_LIST_MAX, &limit) < 0 ||
        api_query_id(c, "cursor", "ten", &cursor) < 0)
        return;
    struct buf *b = api_reply(c, 200);
    struct page p = {.b = b};
    buf_puts(b, "{\"data\":[");
    if (tenant_list(&more, c->db, cursor, limit, put_one, &p, &e) < 0) {
        api_fail(c, &e);
        return;
    }
    buf_puts(b, "],\"next_cursor\":");
    buf_put_json_str(b, more ? p.last : NULL);
    buf_putc(b, '}');
}

void api_tenant_get(struct api_ctx *c)
{
    static const char *const none[] = {NULL};
    struct tenant_info t = {0};
    const char *id;
    struct err e;

    if (api_query_only(c, none) < 0 || !(id = path_tenant(c)))
        return;
    if (tenant_get(&t, c->db, id, &e) < 0) {
        api_fail(c, &e);
        return;
    }
    struct buf *b = api_reply(c, 200);
    put_tenant(b, &t);
    buf_putc(b, '}');
}

static void suspend(struct api_ctx *c, bool on)
{
    struct tenant_info t = {0};
    const char *id;
    struct err e;

    if (!(id = path_tenant(c)))
        return;
    int rc = db_begin(c->db, &e);
    if (rc == 0 && (rc = tenant_suspend(&t, c->db, id, on, c->now, &e)) == 0 &&
        (rc = platform_audit(c, on ? "tenant.suspend" : "tenant.resume", id, NULL, &e)) == 0)
        rc = db_commit(c->db, &e);
    if (rc < 0) {
        db_rollback(c->db);
        api_fail(c, &e);
        return;
    }
    struct buf *b = api_reply(c, 200);
    put_tenant(b, &t);
    buf_putc(b, '}');
}

void api_tenant_suspend(struct api_ctx *c)
{
    suspend(c, true);
}

void api_tenant_resume(struct api_ctx *c)
{
    suspend(c, false);
}

void api_tenant_keys_replace(struct api_ctx *c)
{
    struct secret key = {0};
    struct tenant_info t = {0};
    const char *id;
    struct err e;

    if (!(id = path_tenant(c)))
        return;
    int rc = db_begin(c->db, &e);
    if (rc == 0 && (rc = tenant_key_replace(&key, c->db, id, c->now, &e)) == 0 &&
        (rc = platform_audit(c, "tenant.key_replace", id, NULL, &e)) == 0 &&
        (rc = tenant_get(&t, c->db, id, &e)) == 0)
        rc = db_commit(c->db, &e);
    if (rc < 0) {
        db_rollback(c->db);
        api_fail(c, &e);
    } else {
        reply_with_key(c, 200, &t, &key);
    }
    secret_dispose(&key);
}

/* Everything goes in one transaction: what the tenant synced (the raw
 * tables are not reached by the foreign keys' cascade), then the tenant
 * row, whose cascade takes every other table's rows, then the entry. */
void api_tenant_delete(struct api_ctx *c)
{
    struct records_purge p;
    struct tenant_info t = {0};
    struct buf data;
    const char *id;
    struct err e;

    if (!(id = path_tenant(c)))
        return;
    if (tenant_get(&t, c->db, id, &e) < 0) {
        api_fail(c, &e);
        return;
    }
    buf_init(&data, 0);
    int rc = db_begin_tenant(c->db, id, &e);
    if (rc == 0 && (rc = records_query_purge_tenant(&p, c->db, id, &e)) == 0 &&
        (rc = tenant_delete(c->db, id, &e)) == 0) {
        buf_puts(&data, "{\"name\":");
        buf_put_json_str(&data, t.name);
        buf_puts(&data, ",\"removed\":");
        records_query_purge_format(&p, &data);
        buf_putc(&data, '}');
        rc = platform_audit(c, "tenant.delete", id, buf_cstr(&data), &e);
    }
    if (rc == 0)
        rc = db_commit(c->db, &e);
    if (rc < 0) {
        db_rollback(c->db);
        api_fail(c, &e);
    } else {
        struct buf *b = api_reply(c, 200);
        buf_puts(b, "{\"id\":");
        buf_put_json_str(b, id);
        buf_puts(b, ",\"deleted\":true,\"removed\":");
        records_query_purge_format(&p, b);
        buf_putc(b, '}');
    }
    buf_dispose(&data);
}

void api_platform_audit_list(struct api_ctx *c)
{
    api_audit_page(c, true);
}
