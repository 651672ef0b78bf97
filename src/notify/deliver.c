/* notify/deliver.c - see deliver.h. A claim (notify/outbox.h) reads its
 * batch whole, the sealed settings included, before leasing it. Each
 * outcome commits on its own, right after its send, so a slow receiver
 * late in a batch cannot outlive the claims of the others. */
#include "notify/deliver.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/id.h"
#include "core/log.h"
#include "notify/notify.h"
#include "notify/notify_int.h"
#include "notify/outbox.h"
#include "store/notify_channel.h"

const struct notify_sender *notify__sender(enum notify_kind kind)
{
    switch (kind) {
    case NOTIFY_KIND_SLACK:
        return &notify__slack;
    case NOTIFY_KIND_WEBHOOK:
        return &notify__webhook;
    case NOTIFY_KIND_EMAIL:
        return &notify__email;
    }
    assert(!"unknown kind");
    return NULL;
}

/* One claimed delivery, copied out of the claim's result. */
struct job {
    char id[ID_MAX], tenant_id[ID_MAX], channel_id[ID_MAX];
    char *integration_id;                      /* from xstrdup; NULL when none */
    char *event, *level, *title, *body, *data; /* from xstrdup */
    int64_t created_at;
    int attempt; /* this one's number, 1 for the first */
    char kind[16];
    bool enabled;
    unsigned char *blob; /* from xmalloc: the channel's sealed settings */
    size_t blob_n;
};

static void job_dispose(struct job *j)
{
    xfree(j->integration_id);
    xfree(j->event);
    xfree(j->level);
    xfree(j->title);
    xfree(j->body);
    xfree(j->data);
    xfree(j->blob);
    memset(j, 0, sizeof(*j));
}

static char *dup_or_empty(const char *s)
{
    return xstrdup(s ? s : "");
}

#define CLAIM_SQL                                                                                  \
    "SELECT n.id, n.tenant_id, n.channel_id, n.integration_id, n.event, n.level, n.title,"         \
    " n.body, n.data, n.created_at, n.attempts, c.kind, c.enabled, c.config_sealed"                \
    " FROM notifications n JOIN notification_channels c"                                           \
    " ON c.tenant_id = n.tenant_id AND c.id = n.channel_id"                                        \
    " WHERE n.status = 'pending' AND n.channel_id IS NOT NULL AND n.next_attempt_at <= $1"         \
    " ORDER BY n.next_attempt_at, n.id LIMIT $2"
#define LEASE_SQL                                                                                  \
    "UPDATE notifications SET attempts = attempts + 1, next_attempt_at = $2 WHERE id = $1"

/* outbox_row_fn: one claimed row into jobs[i]. */
static void copy_job(void *ctx, size_t i, struct db_rows *r)
{
    struct job *j = &((struct job *)ctx)[i];
    size_t bn = 0;
    const void *blob = db_rows_blob(r, 13, &bn);
    snprintf(j->id, sizeof(j->id), "%s", db_rows_text(r, 0));
    snprintf(j->tenant_id, sizeof(j->tenant_id), "%s", db_rows_text(r, 1));
    snprintf(j->channel_id, sizeof(j->channel_id), "%s", db_rows_text(r, 2));
    j->integration_id = db_rows_is_null(r, 3) ? NULL : xstrdup(db_rows_text(r, 3));
    j->event = dup_or_empty(db_rows_text(r, 4));
    j->level = dup_or_empty(db_rows_text(r, 5));
    j->title = dup_or_empty(db_rows_text(r, 6));
    j->body = dup_or_empty(db_rows_text(r, 7));
    j->data = dup_or_empty(db_rows_text(r, 8));
    j->created_at = db_rows_int(r, 9);
    j->attempt = (int)db_rows_int(r, 10) + 1;
    snprintf(j->kind, sizeof(j->kind), "%s", db_rows_text(r, 11));
    j->enabled = db_rows_int(r, 12) != 0;
    j->blob = xmalloc(bn ? bn : 1);
    if (blob)
        memcpy(j->blob, blob, bn);
    j->blob_n = bn;
}

/* Claim up to max deliveries due at now into jobs (*n of them), leased
 * until now + lease. */
static int claim(struct job *jobs, size_t *n, struct db *db, int64_t now, int max, int64_t lease,
                 struct err *err)
{
    int rc =
        outbox_claim(n, db, CLAIM_SQL, "n", LEASE_SQL, now, max, now + lease, copy_job, jobs, err);
    if (rc < 0) {
        for (size_t i = 0; i < *n; i++)
            job_dispose(&jobs[i]);
        *n = 0;
    }
    return rc;
}

/* Open the job's settings and send it. */
static int send_job(struct notify_result *res, const struct notify_env *e, const struct job *j,
                    int64_t now, struct err *err)
{
    struct notify_config cfg = {0};
    struct secret plain = {0};
    struct buf link;
    enum notify_kind kind = notify_kind_parse(j->kind);

    memset(res, 0, sizeof(*res));
    if (!kind)
        return err_set(err, ERR_INVALID, "unknown channel kind");
    int rc = notify_channel_unseal(&plain, e->vault, j->tenant_id, j->channel_id, j->blob,
                                   j->blob_n, err);
    if (rc == 0)
        rc = notify_config_load(&cfg, kind, plain.p, plain.n, err);
    secret_dispose(&plain);
    if (rc < 0) {
        res->retry = rc == ERR_CRYPTO; /* a key may come back into the ring */
        return rc;
    }
    buf_init(&link, 0);
    if (j->integration_id)
        notify_link(&link, e->public_url, j->integration_id);
    struct notify_msg m = {
        .id = j->id,
        .event = j->event,
        .level = j->level,
        .title = j->title,
        .body = j->body,
        .integration_id = j->integration_id,
        .data = j->data,
        .link = j->integration_id ? buf_cstr(&link) : NULL,
        .created_at = j->created_at,
    };
    rc = notify__sender(kind)->send(
        res, &cfg, &m, e->timeout_ms > 0 ? e->timeout_ms : NOTIFY_TIMEOUT_MS_DEFAULT, now, err);
    buf_dispose(&link);
    notify_config_dispose(&cfg);
    return rc;
}

enum outcome { SENT, RETRY, FAILED };

static int record(struct db *db, const struct job *j, enum outcome o, const char *error,
                  int64_t now, int64_t next, struct err *err)
{
    int rc = db_begin(db, err);
    if (rc < 0)
        return rc;
    switch (o) {
    case SENT:
        rc = db_exec(db,
                     "UPDATE notifications SET status = 'sent', sent_at = $2, last_error = NULL,"
                     " next_attempt_at = NULL WHERE id = $1 AND status = 'pending'",
                     DB_ARGS(DB_TEXT(j->id), DB_INT(now)), NULL, err);
        break;
    case RETRY:
        rc = db_exec(db,
                     "UPDATE notifications SET last_error = $2, next_attempt_at = $3 WHERE id = $1"
                     " AND status = 'pending'",
                     DB_ARGS(DB_TEXT(j->id), DB_TEXT(error), DB_INT(next)), NULL, err);
        break;
    case FAILED:
        rc = db_exec(db,
                     "UPDATE notifications SET status = 'failed', last_error = $2,"
                     " next_attempt_at = NULL WHERE id = $1 AND status = 'pending'",
                     DB_ARGS(DB_TEXT(j->id), DB_TEXT(error)), NULL, err);
        break;
    }
    if (rc == 0)
        return db_commit(db, err);
    db_rollback(db);
    return rc;
}

int notify_deliver_due(struct notify_deliver_stats *stats, const struct notify_env *e, int64_t now,
                       int max, struct err *err)
{
    struct notify_deliver_stats st = {0};
    long timeout_ms = e->timeout_ms > 0 ? e->timeout_ms : NOTIFY_TIMEOUT_MS_DEFAULT;
    int max_attempts = e->max_attempts > 0 ? e->max_attempts : NOTIFY_ATTEMPTS_DEFAULT;
    size_t n = 0;
    int rc = 0;

    assert(e->db && e->vault && e->public_url);
    if (stats)
        *stats = st;
    if (max < 1 || max > NOTIFY_BATCH_MAX)
        return err_set(err, ERR_INVALID, "deliveries per call: expected 1 to %d", NOTIFY_BATCH_MAX);
    /* The claim outlives a whole batch of sends that all time out. */
    int64_t lease = outbox_lease_s(max, timeout_ms);
    struct job *jobs = xcalloc((size_t)max, sizeof(*jobs));
    if ((rc = claim(jobs, &n, e->db, now, max, lease, err)) < 0)
        goto done;
    for (size_t i = 0; i < n; i++) {
        const struct job *j = &jobs[i];
        struct notify_result res = {0};
        struct err why = {0};
        enum outcome o;
        int64_t next = 0;

        int sr = j->enabled ? send_job(&res, e, j, now, &why)
                            : err_set(&why, ERR_INVALID, "the channel is disabled");
        if (sr == 0) {
            o = SENT;
            st.sent++;
            log_info("notify: delivered", LOG_STR("delivery", j->id),
                     LOG_STR("channel", j->channel_id), LOG_STR("tenant", j->tenant_id),
                     LOG_STR("kind", j->kind), LOG_STR("event", j->event),
                     LOG_INT("attempt", j->attempt), LOG_INT("status", res.status),
                     LOG_INT("ms", res.elapsed_ms));
        } else {
            o = res.retry && j->attempt < max_attempts ? RETRY : FAILED;
            if (o == RETRY) {
                next = now + outbox_backoff_s(e->backoff_s, j->attempt, res.wait_s);
                st.retried++;
            } else {
                st.failed++;
            }
            log_warn("notify: delivery failed", LOG_STR("delivery", j->id),
                     LOG_STR("channel", j->channel_id), LOG_STR("tenant", j->tenant_id),
                     LOG_STR("kind", j->kind), LOG_STR("event", j->event),
                     LOG_INT("attempt", j->attempt), LOG_INT("status", res.status),
                     LOG_INT("ms", res.elapsed_ms), LOG_BOOL("final", o == FAILED),
                     LOG_INT("next_attempt_at", next), LOG_ERROR(&why));
        }
        rc = record(e->db, j, o, why.msg, now, next, err);
        if (rc < 0)
            break;
    }
done:
    for (size_t i = 0; i < n; i++)
        job_dispose(&jobs[i]);
    xfree(jobs);
    if (stats)
        *stats = st;
    return rc;
}

int notify_deliver_test(struct notify_test_result *out, const struct notify_env *e,
                        const char *tenant_id, const char *channel_id, int64_t now, struct err *err)
{
    struct notify_channel ch = {0};
    struct notify_config cfg = {0};
    struct secret plain = {0};
    struct notify_result res = {0};
    struct buf body;
    struct err why = {0};
    char id[ID_MAX];

    assert(e->db && e->vault);
    memset(out, 0, sizeof(*out));
    int rc = db_begin_tenant_read(e->db, tenant_id, err);
    if (rc < 0)
        return rc;
    rc = notify_channel_get(&ch, e->db, tenant_id, channel_id, err);
    if (rc == 0)
        rc = notify_channel_open(&plain, e->db, e->vault, tenant_id, channel_id, err);
    db_rollback(e->db); /* read only; nothing is open while we send */
    if (rc == 0)
        rc = notify_config_load(&cfg, notify_kind_parse(ch.kind), plain.p, plain.n, err);
    secret_dispose(&plain);
    if (rc < 0) {
        notify_channel_dispose(&ch);
        return rc;
    }
    id_new(id, "ntf");
    buf_init(&body, 0);
    buf_puts(&body, "This is a test of the notification channel ");
    buf_puts(&body, ch.name);
    buf_puts(&body, ". If you can read it, the channel works. Nothing to do.");
    struct notify_msg m = {
        .id = id,
        .event = "test",
        .level = "info",
        .title = "Test notification from inlet",
        .body = buf_cstr(&body),
        .data = "{}",
        .created_at = now,
    };
    int sr = notify__sender(cfg.kind)->send(
        &res, &cfg, &m, e->timeout_ms > 0 ? e->timeout_ms : NOTIFY_TIMEOUT_MS_DEFAULT, now, &why);
    out->ok = sr == 0;
    out->status = res.status;
    out->elapsed_ms = res.elapsed_ms;
    snprintf(out->error, sizeof(out->error), "%s", sr == 0 ? "" : why.msg);
    if (sr == 0)
        log_info("notify: test delivered", LOG_STR("channel", channel_id),
                 LOG_STR("tenant", tenant_id), LOG_STR("kind", ch.kind),
                 LOG_INT("status", res.status), LOG_INT("ms", res.elapsed_ms));
    else
        log_warn("notify: test delivery failed", LOG_STR("channel", channel_id),
                 LOG_STR("tenant", tenant_id), LOG_STR("kind", ch.kind),
                 LOG_INT("status", res.status), LOG_INT("ms", res.elapsed_ms), LOG_ERROR(&why));
    buf_dispose(&body);
    notify_config_dispose(&cfg);
    notify_channel_dispose(&ch);
    return 0;
}
