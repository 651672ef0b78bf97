/* api/catalog.c - an integration's streams: discover them (the connector's
 * discovery, stored as a Singer catalog merged with the user's selection)
 * and read the stored catalog. Discovery of a Singer tap runs the tap with
 * --discover in the request (docs/singer.md). */
#include <string.h>

#include "api/api_int.h"
#include "core/alloc.h"
#include "singer/catalog.h"
#include "store/integration.h"
#include "sync/tap_sync.h"

static const char *path_id(struct api_ctx *c)
{
    const char *id = http_req_param(c->req, "id");
    if (!id_valid(id, "int")) {
        api_error(c, 404, "not_found", NULL, "no integration %.64s", id);
        return NULL;
    }
    return id;
}

void api_integration_discover(struct api_ctx *c)
{
    static const char *const none[] = {NULL};
    const char *id = path_id(c);
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
    const char *id = path_id(c);
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
