/* events/deliver.c - see deliver.h. A claim (notify/outbox.h) reads its
 * batch whole, the subscription's URL and sealed secret included, before
 * leasing it; each outcome commits on its own, right after its send. A
 * 410 ends the subscription at once, so the rest of the batch skips its
 * deliveries instead of posting to a receiver that said it is gone. */
#include "events/deliver.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/id.h"
#include "core/log.h"
#include "events/events.h"
#include "notify/post.h"
#include "store/audit.h"
#include "store/event_delivery.h"
#include "store/webhook_subscription.h"

#define GONE_ERROR "the subscription was disabled: its receiver answered 410 Gone"

/* One claimed delivery, copied out of the claim's result. */
struct job {
    char id[ID_MAX], tenant_id[ID_MAX], subscription_id[ID_MAX], event_id[ID_MAX];
    char type[EVENT_DELIVERY_TYPE_MAX];
    char *payload;       /* from xstrdup */
    char *url;           /* from xstrdup */
    unsigned char *blob; /* from xmalloc: the subscription's sealed secret */
    size_t blob_n;
    int attempt; /* this one's number, 1 for the first */
    bool enabled;
};

static void job_dispose(struct job *j)
{
    xfree(j->payload);
    xfree(j->url);
    xfree(j->blob);
    memset(j, 0, sizeof(*j));
}

#define CLAIM_SQL                                                                                  \
    "SELECT d.id, d.tenant_id, d.subscription_id, d.event_id, d.type, d.payload, d.attempts,"      \
    " s.url, s.enabled, s.secret_sealed FROM event_deliveries d JOIN webhook_subscriptions s"      \
    " ON s.tenant_id = d.tenant_id AND s.id = d.subscription_id"                                   \
    " WHERE d.status = 'pending' AND d.next_attempt_at <= $1"                                      \
    " ORDER BY d.next_attempt_at, d.id LIMIT $2"
#define LEASE_SQL                                                                                  \
    "UPDATE event_deliveries SET attempts = attempts + 1, next_attempt_at = $2 WHERE id = $1"

/* outbox_row_fn: one claimed row into jobs[i]. */
static void copy_job(void *ctx, size_t i, struct db_rows *r)
{
    struct job *j = &((struct job *)ctx)[i];
    size_t bn = 0;
    const void *blob = db_rows_blob(r, 9, &bn);
    snprintf(j->id, sizeof(j->id), "%s", db_rows_text(r, 0));
    snprintf(j->tenant_id, sizeof(j->tenant_id), "%s", db_rows_text(r, 1));
    snprintf(j->subscription_id, sizeof(j->subscription_id), "%s", db_rows_text(r, 2));
    snprintf(j->event_id, sizeof(j->event_id), "%s", db_rows_text(r, 3));
    snprintf(j->type, sizeof(j->type), "%s", db_rows_text(r, 4));
    j->payload = xstrdup(db_rows_text(r, 5) ? db_rows_text(r, 5) : "{}");
    j->attempt = (int)db_rows_int(r, 6) + 1;
    j->url = xstrdup(db_rows_text(r, 7) ? db_rows_text(r, 7) : "");
    j->enabled = db_rows_int(r, 8) != 0;
    j->blob = xmalloc(bn ? bn : 1);
    if (blob)
        memcpy(j->blob, blob, bn);
    j->blob_n = bn;
}

static long timeout_of(const struct events_env *e)
{
    return e->timeout_ms > 0 ? e->timeout_ms : OUTBOX_TIMEOUT_MS_DEFAULT;
}

/* Open the subscription's secret and post body as event id to url. */
static int send_signed(struct notify_result *res, const struct events_env *e, const char *tenant_id,
                       const char *subscription_id, const void *blob, size_t blob_n,
                       const char *url, const char *id, const char *body, int64_t now,
                       struct err *err)
{
    struct secret secret = {0};

    memset(res, 0, sizeof(*res));
    int rc = webhook_subscription_unseal(&secret, e->vault, tenant_id, subscription_id, blob,
                                         blob_n, err);
    if (rc < 0) {
        res->retry = rc == ERR_CRYPTO; /* a key may come back into the ring */
        return rc;
    }
    rc = notify_post_signed(res, "webhook", url, (const char *)secret.p, secret.n, id, body,
                            strlen(body), timeout_of(e), now, err);
    secret_dispose(&secret);
    return rc;
}

/* The receiver of j said it is gone: the delivery fails with its answer,
 * the subscription is disabled and its other pending deliveries fail,
 * all in one transaction, with an audit entry saying why. */
static int gone(struct db *db, const struct job *j, const struct event_delivery_attempt *a,
                struct err *err)
{
    struct webhook_subscription_change ch = {.enabled = 0};
    struct audit_entry au = {.tenant_id = j->tenant_id,
                             .actor = "system",
                             .action = "webhook_subscription.disable",
                             .target_type = "webhook_subscription",
                             .target_id = j->subscription_id,
                             .data = "{\"reason\":\"the receiver answered 410 Gone\"}"};
    int rc = db_begin(db, err);
    if (rc < 0)
        return rc;
    rc = event_delivery_record(db, j->id, a, err);
    if (rc == 0)
        rc = webhook_subscription_update(db, j->tenant_id, j->subscription_id, &ch, a->now, err);
    if (rc == 0)
        rc = event_delivery_fail_pending(NULL, db, j->tenant_id, j->subscription_id, GONE_ERROR,
                                         err);
    if (rc == 0)
        rc = audit_record(db, &au, a->now, err);
    if (rc == 0)
        return db_commit(db, err);
    db_rollback(db);
    return rc;
}

static int record(struct db *db, const struct job *j, const struct event_delivery_attempt *a,
                  struct err *err)
{
    int rc = db_begin(db, err);
    if (rc < 0)
        return rc;
    rc = event_delivery_record(db, j->id, a, err);
    if (rc == 0)
        return db_commit(db, err);
    db_rollback(db);
    return rc;
}

/* Whether subscription id is among the n ended in this batch. */
static bool ended(char (*ids)[ID_MAX], size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(ids[i], id) == 0)
            return true;
    return false;
}

int events_deliver_due(struct events_deliver_stats *stats, const struct events_env *e, int64_t now,
                       int max, struct err *err)
{
    struct events_deliver_stats st = {0};
    int max_attempts = e->max_attempts > 0 ? e->max_attempts : OUTBOX_ATTEMPTS_DEFAULT;
    size_t n = 0, ngone = 0;
    int rc = 0;

    assert(e->db && e->vault);
    if (stats)
        *stats = st;
    if (max < 1 || max > OUTBOX_BATCH_MAX)
        return err_set(err, ERR_INVALID, "deliveries per call: expected 1 to %d", OUTBOX_BATCH_MAX);
    struct job *jobs = xcalloc((size_t)max, sizeof(*jobs));
    char(*gone_ids)[ID_MAX] = xcalloc((size_t)max, ID_MAX);
    rc = outbox_claim(&n, e->db, CLAIM_SQL, "d", LEASE_SQL, now, max,
                      now + outbox_lease_s(max, timeout_of(e)), copy_job, jobs, err);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const struct job *j = &jobs[i];
        struct notify_result res = {0};
        struct err why = {0};
        struct event_delivery_attempt a = {.now = now};

        if (ended(gone_ids, ngone, j->subscription_id))
            continue; /* failed with the others of its subscription */
        int sr = j->enabled ? send_signed(&res, e, j->tenant_id, j->subscription_id, j->blob,
                                          j->blob_n, j->url, j->event_id, j->payload, now, &why)
                            : err_set(&why, ERR_INVALID, "the subscription is disabled");
        a.status = res.status;
        a.duration_ms = res.elapsed_ms;
        a.error = why.msg;
        /* Any answer but 2xx and 410 Gone may be passing (a deploy, a
         * bug being fixed); no answer too. A URL or secret that cannot
         * work, or a disabled subscription, will not get better. */
        bool again = (res.status != 0 || res.retry) && res.status != 410;
        if (sr == 0) {
            a.outcome = EVENT_DELIVERY_SUCCEEDED;
            a.error = NULL;
            st.sent++;
        } else if (again && j->attempt < max_attempts) {
            a.outcome = EVENT_DELIVERY_RETRY;
            a.next = now + outbox_backoff_s(e->backoff_s, j->attempt, res.wait_s);
            st.retried++;
        } else {
            a.outcome = EVENT_DELIVERY_FAILED;
            st.failed++;
        }
        if (sr == 0)
            log_info("events: delivered", LOG_STR("delivery", j->id), LOG_STR("event", j->event_id),
                     LOG_STR("type", j->type), LOG_STR("subscription", j->subscription_id),
                     LOG_STR("tenant", j->tenant_id), LOG_INT("attempt", j->attempt),
                     LOG_INT("status", res.status), LOG_INT("ms", res.elapsed_ms));
        else
            log_warn("events: delivery failed", LOG_STR("delivery", j->id),
                     LOG_STR("event", j->event_id), LOG_STR("type", j->type),
                     LOG_STR("subscription", j->subscription_id), LOG_STR("tenant", j->tenant_id),
                     LOG_INT("attempt", j->attempt), LOG_INT("status", res.status),
                     LOG_INT("ms", res.elapsed_ms),
                     LOG_BOOL("final", a.outcome == EVENT_DELIVERY_FAILED),
                     LOG_INT("next_attempt_at", a.next), LOG_ERROR(&why));
        if (res.status == 410 && sr != 0) {
            rc = gone(e->db, j, &a, err);
            snprintf(gone_ids[ngone++], ID_MAX, "%s", j->subscription_id);
            if (rc == 0)
                log_warn("events: subscription disabled: its receiver answered 410 Gone",
                         LOG_STR("subscription", j->subscription_id),
                         LOG_STR("tenant", j->tenant_id));
        } else {
            rc = record(e->db, j, &a, err);
        }
    }
    for (size_t i = 0; i < n; i++)
        job_dispose(&jobs[i]);
    xfree(jobs);
    xfree(gone_ids);
    if (stats)
        *stats = st;
    return rc;
}

int events_deliver_test(struct events_test_result *out, const struct events_env *e,
                        const char *tenant_id, const char *subscription_id, int64_t now,
                        struct err *err)
{
    struct webhook_subscription sub = {0};
    struct secret secret = {0};
    struct notify_result res = {0};
    struct buf data, body;
    struct err why = {0};
    char id[ID_MAX];

    assert(e->db && e->vault);
    memset(out, 0, sizeof(*out));
    int rc = db_begin_tenant_read(e->db, tenant_id, err);
    if (rc < 0)
        return rc;
    rc = webhook_subscription_get(&sub, e->db, tenant_id, subscription_id, err);
    if (rc == 0)
        rc = webhook_subscription_open(&secret, e->db, e->vault, tenant_id, subscription_id, err);
    db_rollback(e->db); /* read only; nothing is open while we send */
    if (rc < 0) {
        webhook_subscription_dispose(&sub);
        return rc;
    }
    id_new(id, "evt");
    buf_init(&data, 0);
    buf_init(&body, 0);
    buf_puts(&data, "{\"subscription_id\":");
    buf_put_json_str(&data, subscription_id);
    buf_putc(&data, '}');
    events_payload(&body, EVENTS_PING, buf_cstr(&data), now);
    int sr = notify_post_signed(&res, "webhook", sub.url, (const char *)secret.p, secret.n, id,
                                body.p, body.n, timeout_of(e), now, &why);
    secret_dispose(&secret);
    out->ok = sr == 0;
    out->status = res.status;
    out->elapsed_ms = res.elapsed_ms;
    snprintf(out->error, sizeof(out->error), "%s", sr == 0 ? "" : why.msg);
    if (sr == 0)
        log_info("events: test delivered", LOG_STR("subscription", subscription_id),
                 LOG_STR("tenant", tenant_id), LOG_INT("status", res.status),
                 LOG_INT("ms", res.elapsed_ms));
    else
        log_warn("events: test delivery failed", LOG_STR("subscription", subscription_id),
                 LOG_STR("tenant", tenant_id), LOG_INT("status", res.status),
                 LOG_INT("ms", res.elapsed_ms), LOG_ERROR(&why));
    buf_dispose(&data);
    buf_dispose(&body);
    webhook_subscription_dispose(&sub);
    return 0;
}
