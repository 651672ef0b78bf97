/* api/catalog.c - an integration's streams: discover them (the connector's
 * discovery, stored as a Singer catalog merged with the user's selection)
 * and read the stored catalog. Discovery of a Singer tap runs the tap with
 * --discover in the request (docs/singer.md). */
#include <stdio.h>
#include <string.h>

#include "api/api_int.h"
#include "core/alloc.h"
#include "core/jsonx.h"
#include "singer/catalog.h"
#include "store/integration.h"
#include "sync/tap_sync.h"

void api_integration_discover(struct api_ctx *c)
{
    static const char *const none[] = {NULL};
    const char *id = api_path_id(c, "int", "integration");
    struct oauth_env env = {.db = c->db,
                            .vault = c->api->vault,
                            .reg = c->api->registry,
                            .public_url = c->api->public_url};
    struct tap_discovery d;
    struct err e;

    if (!id || api_query_only(c, none) < 0)
        return;
    if (tap_discover(&d, &env, c->tenant_id, id, NULL, 0, false, &e) < 0)
        api_fail(c, &e);
    else
        buf_printf(api_reply(c, 200), "{\"streams\":%zu,\"selected\":%zu,\"changes\":%s}",
                   d.streams, d.selected, buf_cstr(&d.changes));
    tap_discovery_dispose(&d);
}

void api_integration_catalog(struct api_ctx *c)
{
    static const char *const none[] = {NULL};
    const char *id = api_path_id(c, "int", "integration");
    struct integration it = {0};
    char *text = NULL;
    struct err e;

    if (!id || api_query_only(c, none) < 0)
        return;
    int rc = db_begin_tenant_read(c->db, c->tenant_id, &e);
    if (rc == 0) {
        rc = integration_get(&it, c->db, c->tenant_id, id, &e);
        if (rc == 0)
            rc = integration_catalog_get(&text, c->db, c->tenant_id, id, &e);
        db_rollback(c->db);
    }
    integration_dispose(&it);
    if (rc < 0)
        api_fail(c, &e);
    else if (!text)
        api_error(c, 404, "not_found", NULL,
                  "integration %s has no catalog yet: POST .../discover first", id);
    else
        buf_puts(api_reply(c, 200), text);
    xfree(text);
}

/* A catalog_choose error: its message starts with the JSON Pointer. */
static void choice_invalid(struct api_ctx *c, const struct err *e)
{
    const char *sep = strstr(e->msg, ": ");
    char ptr[128];
    if (e->msg[0] != '/' || !sep || (size_t)(sep - e->msg) >= sizeof(ptr)) {
        api_fail(c, e);
        return;
    }
    snprintf(ptr, sizeof(ptr), "%.*s", (int)(sep - e->msg), e->msg);
    api_invalid_field(c, ptr, "%s", sep + 2);
}

void api_integration_catalog_put(struct api_ctx *c)
{
    static const char *const allowed[] = {"streams", NULL};
    const char *id = api_path_id(c, "int", "integration");
    struct json_object *body = NULL, *cat = NULL;
    struct integration it = {0};
    char *text = NULL;
    struct buf out;
    struct err e;

    if (!id || api_body_object(c, &body, allowed) < 0)
        return;
    buf_init(&out, 0);
    int rc = db_begin_tenant(c->db, c->tenant_id, &e);
    if (rc == 0)
        rc = integration_get(&it, c->db, c->tenant_id, id, &e);
    if (rc == 0)
        rc = integration_catalog_get(&text, c->db, c->tenant_id, id, &e);
    if (rc == 0 && !text)
        rc = err_set(&e, ERR_NOTFOUND, "integration %s has no catalog yet: POST .../discover first",
                     id);
    if (rc == 0 && text)
        rc = catalog_parse(&cat, text, strlen(text), &e);
    if (rc == 0 && (rc = catalog_choose(cat, jsonx_get(body, "streams"), &e)) < 0) {
        db_rollback(c->db);
        choice_invalid(c, &e);
        goto done;
    }
    if (rc == 0) {
        catalog_format(&out, cat);
        rc = integration_catalog_set(c->db, c->tenant_id, id, buf_cstr(&out), c->now, &e);
    }
    if (rc == 0)
        rc = api_audit(c, "integration.catalog", "integration", id, NULL, &e);
    if (rc == 0)
        rc = db_commit(c->db, &e);
    if (rc < 0) {
        db_rollback(c->db);
        api_fail(c, &e);
    } else {
        buf_put(api_reply(c, 200), out.p, out.n);
    }
done:
    buf_dispose(&out);
    json_object_put(cat);
    json_object_put(body);
    integration_dispose(&it);
    xfree(text);
}
