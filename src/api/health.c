/* api/health.c - what operators and orchestrators poll: /healthz (the
 * process answers), /readyz (the database answers and its schema is
 * current), /metrics (Prometheus text), and the OpenAPI document compiled
 * into the binary. */
#include <string.h>

#include "api/api_int.h"
#include "core/embed.h"
#include "core/log.h"
#include "db/migrate.h"
#include "db/pool.h"

#define READY_WAIT_MS 1000 /* a probe would rather hear "not ready" than wait */

extern const struct embed_file api_openapi_files[];
extern const size_t api_openapi_files_count;

void api_healthz(struct api_ctx *c)
{
    buf_puts(api_reply(c, 200), "{\"status\":\"ok\"}");
}

/* Takes its own connection so that every failure, an unreachable database
 * included, reads as 503 not_ready rather than as a server error. */
void api_readyz(struct api_ctx *c)
{
    struct db *db = NULL;
    struct err e;
    int pending = 0;
    int rc = db_pool_take(&db, c->api->pool, READY_WAIT_MS, &e);

    if (rc == 0) {
        rc = db_migrations_pending(db, &pending, &e);
        db_pool_give(c->api->pool, db);
    }
    if (rc < 0) {
        log_warn("not ready", LOG_ERROR(&e));
        http_resp_header(c->resp, "Retry-After", "1");
        api_error(c, 503, "not_ready", NULL, "the database does not answer");
        return;
    }
    if (pending) {
        http_resp_header(c->resp, "Retry-After", "5");
        api_error(c, 503, "not_ready", NULL, "%d migration%s pending; run `inlet migrate`", pending,
                  pending == 1 ? "" : "s");
        return;
    }
    buf_puts(api_reply(c, 200), "{\"status\":\"ready\"}");
}

void api_metrics(struct api_ctx *c)
{
    struct buf *b = api_reply(c, 200);
    c->resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
    http_server_metrics(c->req->server, b);
}

void api_openapi(struct api_ctx *c)
{
    struct buf *b = api_reply(c, 200);
    c->resp->content_type = "application/yaml";
    buf_put(b, api_openapi_files[0].data, api_openapi_files[0].len);
}
