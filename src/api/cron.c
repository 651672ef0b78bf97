/* api/cron.c - POST /api/cron: one scheduling pass on demand, for
 * deployments that drive inlet from an external scheduler (a Kubernetes
 * CronJob, a platform's cron, plain cron with curl). It queues the syncs
 * and token refreshes that are due now, as the serve and worker loops do
 * every few seconds anyway, and answers what it queued. The caller proves
 * itself with INLET_CRON_SECRET as a bearer token, not a tenant key: the
 * pass crosses tenants. Without the secret configured the route does not
 * exist (404), so nothing can probe it. */
#include <string.h>
#include <strings.h>

#include "api/api_int.h"
#include "core/log.h"
#include "core/secret.h"
#include "crypto/hash.h"
#include "sched/scheduler.h"
#include "sched/tokens.h"
#include "sync/runner.h"

#define CRON_PASSES_MAX 100 /* passes of SCHED_PASS_MAX one call runs at most */

/* Whether the Authorization header is "Bearer <secret>", compared in time
 * that does not depend on the secret: both sides are hashed first. */
static bool authorized(const struct api_ctx *c, const struct secret *secret)
{
    const char *h = http_req_header(c->req, "Authorization");
    unsigned char want[HASH_SHA256_LEN], got[HASH_SHA256_LEN];
    if (!h || strncasecmp(h, "Bearer ", 7) != 0)
        return false;
    h += 7;
    while (*h == ' ')
        h++;
    size_t n = strlen(h);
    while (n > 0 && h[n - 1] == ' ')
        n--;
    hash_sha256(want, secret->p, secret->n);
    hash_sha256(got, h, n);
    return hash_equal(want, got, sizeof(want));
}

void api_cron(struct api_ctx *c)
{
    const struct secret *secret = c->api->cron_secret;
    struct sched_result total = {0}, r;
    struct sched_tokens_result tokens = {0}, t;
    struct err e;
    int rc = 0;

    if (!secret || secret->n == 0) {
        api_error(c, 404, "not_found", NULL,
                  "POST /api/cron is off: set INLET_CRON_SECRET on the server to use it");
        return;
    }
    if (!authorized(c, secret)) {
        http_resp_header(c->resp, "WWW-Authenticate", "Bearer realm=\"inlet-cron\"");
        api_error(c, 401, "unauthorized", NULL,
                  "send \"Authorization: Bearer <INLET_CRON_SECRET>\"");
        return;
    }
    for (int i = 0; rc == 0 && i < CRON_PASSES_MAX; i++) {
        if ((rc = sched_pass(&r, c->db, c->now, SCHED_PASS_MAX, &e)) < 0)
            break;
        total.due += r.due, total.enqueued += r.enqueued, total.skipped += r.skipped;
        if (r.due < SCHED_PASS_MAX)
            break;
    }
    for (int i = 0; rc == 0 && i < CRON_PASSES_MAX; i++) {
        if ((rc = sched_tokens_pass(&t, c->db, c->now, SCHED_TOKENS_PASS_MAX, &e)) < 0)
            break;
        tokens.due += t.due, tokens.enqueued += t.enqueued, tokens.skipped += t.skipped;
        tokens.parked += t.parked;
        if (t.due < SCHED_TOKENS_PASS_MAX)
            break;
    }
    if (rc < 0) {
        api_fail(c, &e);
        return;
    }
    if ((total.enqueued || tokens.enqueued) && runner_kick(c->api->runner, &e) < 0)
        log_warn("cron: no worker to wake here", LOG_ERROR(&e));
    log_info("cron: pass", LOG_INT("syncs", total.enqueued), LOG_INT("refreshes", tokens.enqueued));
    struct buf *b = api_reply(c, 200);
    buf_printf(b,
               "{\"syncs\":{\"due\":%lld,\"enqueued\":%lld,\"skipped\":%lld},"
               "\"tokens\":{\"due\":%lld,\"enqueued\":%lld,\"skipped\":%lld,\"parked\":%lld}}",
               (long long)total.due, (long long)total.enqueued, (long long)total.skipped,
               (long long)tokens.due, (long long)tokens.enqueued, (long long)tokens.skipped,
               (long long)tokens.parked);
}
