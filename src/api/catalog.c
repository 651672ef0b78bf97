/* api/catalog.c - an integration's streams: discover them (the connector's
 * discovery, stored as a Singer catalog merged with the user's selection),
 * read the stored catalog, and choose streams, fields and sync modes.
 * Discovery of a Singer tap runs the tap with --discover in the request
 * (docs/singer.md). The answers show the catalog as stored plus, per
 * stream, its sync mode and the ones it supports (put_view). */
#include <string.h>

#include "api/api_int.h"
#include "core/alloc.h"
#include "core/jsonx.h"
#include "singer/catalog.h"
#include "store/integration.h"
#include "sync/sync.h"

void api_integration_discover(struct api_ctx *c)
{
    static const char *const none[] = {NULL};
    const char *id = api_path_id(c, "int", "integration");
    struct oauth_env env = {.db = c->db,
                            .vault = c->api->vault,
                            .reg = c->api->registry,
                            .public_url = c->api->public_url};
    struct sync_discovery d;
    struct err e;

    if (!id || api_query_only(c, none) < 0)
        return;
    if (sync_discover(&d, &env, c->tenant_id, id, NULL, 0, false, &e) < 0)
        api_fail(c, &e);
    else
        buf_printf(api_reply(c, 200), "{\"streams\":%zu,\"selected\":%zu,\"changes\":%s}",
                   d.streams, d.selected, buf_cstr(&d.changes));
    sync_discovery_dispose(&d);
}

/* The API's view of cat (changed in place): each stream with "sync_mode"
 * and "supported_sync_modes" beside its Singer members. Only answers have
 * them; the stored catalog, the one the tap reads, stays Singer's. */
static void put_view(struct buf *b, struct json_object *cat)
{
    for (size_t i = 0; i < catalog_count(cat); i++) {
        struct json_object *s = catalog_stream(cat, i), *list = json_object_new_array();
        for (unsigned m = 0; m < CATALOG_SYNC_MODES; m++)
            if (catalog_stream_supports(s, (enum catalog_sync_mode)m))
                json_object_array_add(list, json_object_new_string(
                                                catalog_sync_mode_name((enum catalog_sync_mode)m)));
        json_object_object_add(
            s, "sync_mode",
            json_object_new_string(catalog_sync_mode_name(catalog_stream_sync_mode(s))));
        json_object_object_add(s, "supported_sync_modes", list);
    }
    catalog_format(b, cat);
}

void api_integration_catalog(struct api_ctx *c)
{
    static const char *const none[] = {NULL};
    const char *id = api_path_id(c, "int", "integration");
    struct integration it = {0};
    struct json_object *cat = NULL;
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
    /* Stored by catalog_format after catalog_parse: it parses, unless the
     * database was edited by hand, which is inlet's problem, not the
     * request's (ERR_IO: a 500, logged). */
    struct err why;
    if (rc == 0 && text && catalog_parse(&cat, text, strlen(text), &why) < 0)
        rc = err_set(&e, ERR_IO, "the stored catalog of integration %s does not parse: %s", id,
                     why.msg);
    if (rc < 0)
        api_fail(c, &e);
    else if (!text)
        api_error(c, 404, "not_found", NULL,
                  "integration %s has no catalog yet: POST .../discover first", id);
    else
        put_view(api_reply(c, 200), cat);
    json_object_put(cat);
    xfree(text);
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
        api_invalid_msg(c, &e); /* catalog_choose: "POINTER: problem" */
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
        put_view(api_reply(c, 200), cat);
    }
done:
    buf_dispose(&out);
    json_object_put(cat);
    json_object_put(body);
    integration_dispose(&it);
    xfree(text);
}
