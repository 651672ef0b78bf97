/* api/connectors.c - the connector catalogue: the list (search by q,
 * filter by category, each with the tenant's count of integrations of it),
 * one connector in full, and its logo. */
#include <assert.h>
#include <string.h>

#include "api/api_int.h"
#include "connectors/registry.h"
#include "core/alloc.h"
#include "store/connect_session.h"
#include "store/integration.h"

struct counts {
    const struct registry *reg;
    int64_t *n; /* per registry index */
};

static int count_one(void *ctx, const char *connector, int64_t n)
{
    struct counts *k = ctx;
    for (size_t i = 0; i < registry_count(k->reg); i++)
        if (strcmp(registry_at(k->reg, i)->name, connector) == 0)
            k->n[i] = n;
    return 0;
}

/* Each connector with "integrations": how many the tenant has of it (the
 * marketplace marks the ones connected). */
void api_connectors_list(struct api_ctx *c)
{
    static const char *const params[] = {"q", "category", NULL};
    const char *q = http_req_query(c->req, "q"), *cat = http_req_query(c->req, "category");
    size_t n = registry_count(c->api->registry), shown = 0;
    struct counts k = {.reg = c->api->registry};
    struct err e;

    if (api_query_only(c, params) < 0)
        return;
    k.n = xcalloc(n ? n : 1, sizeof(*k.n));
    int rc = db_begin_tenant_read(c->db, c->tenant_id, &e);
    if (rc == 0) {
        rc = integration_count_by_connector(c->db, c->tenant_id, count_one, &k, &e);
        db_rollback(c->db);
    }
    if (rc < 0) {
        xfree(k.n);
        api_fail(c, &e);
        return;
    }
    struct buf *b = api_reply(c, 200);
    buf_puts(b, "{\"data\":[");
    for (size_t i = 0; i < n; i++) {
        const struct connector *it = registry_at(c->api->registry, i);
        if (!registry_match(it, q, cat) ||
            (c->connect && !connect_session_allows(c->connect, it->name)))
            continue;
        if (shown++)
            buf_putc(b, ',');
        /* registry_format closes the object; it is opened again for the count. */
        registry_format(it, false, b);
        assert(b->n > 0 && b->p[b->n - 1] == '}');
        b->n--;
        /* A connect page's user is not told what the tenant has. */
        buf_printf(b, ",\"integrations\":%lld}", c->connect ? 0LL : (long long)k.n[i]);
    }
    buf_puts(b, "]}");
    xfree(k.n);
}

static const struct connector *find(struct api_ctx *c)
{
    const char *name = http_req_param(c->req, "name");
    const struct connector *k = registry_get(c->api->registry, name);
    if (!k)
        api_error(c, 404, "not_found", NULL,
                  "no connector \"%.64s\" (GET /api/connectors lists them)", name);
    return k;
}

void api_connector_get(struct api_ctx *c)
{
    static const char *const none[] = {NULL};
    const struct connector *k;

    if (api_query_only(c, none) < 0 || !(k = find(c)))
        return;
    registry_format(k, true, api_reply(c, 200));
}

/* Public, so that an <img> can show it before sign-in; the registry only
 * keeps SVGs that are plain drawings (no script, no external reference),
 * and the CSP below stops one from running anything if opened directly. */
void api_connector_logo(struct api_ctx *c)
{
    const struct connector *k = find(c);

    if (!k)
        return;
    if (!k->logo_svg) {
        api_error(c, 404, "not_found", NULL, "connector \"%s\" has no logo", k->name);
        return;
    }
    struct buf *b = api_reply(c, 200);
    c->resp->content_type = "image/svg+xml";
    http_resp_header(c->resp, "Cache-Control", "public, max-age=3600");
    http_resp_header(c->resp, "Content-Security-Policy",
                     "default-src 'none'; style-src 'unsafe-inline'");
    buf_put(b, k->logo_svg, k->logo_len);
}
