/* sched/tokens.c - see tokens.h. The pass mirrors sched/scheduler.c: the
 * due rows are read whole first (the pass writes on the same connection),
 * then each gets its job and its new due time in the same transaction, so
 * a pass that fails leaves every token due as it was. */
#include "sched/tokens.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/id.h"
#include "core/log.h"
#include "core/secret.h"
#include "oauth/token.h"
#include "store/credential.h"
#include "store/jobs.h"

struct due {
    char tenant_id[ID_MAX], integration_id[ID_MAX];
    char status[16]; /* of the integration */
};

/* The due tokens, those due first, through credentials_refresh_due_idx.
 * Only the credentials row is locked on PostgreSQL: a pass must not skip a
 * token because something else is writing its integration. A row locked
 * by a refresh in progress (oauth/token.c) is skipped, and that refresh
 * sets its next time anyway. */
#define DUE_SELECT                                                                                 \
    "SELECT c.tenant_id, c.integration_id, i.status FROM credentials c JOIN integrations i"        \
    " ON i.tenant_id = c.tenant_id AND i.id = c.integration_id WHERE c.refresh_due_at IS NOT"      \
    " NULL AND c.refresh_due_at <= $1 AND i.deleted_at IS NULL"                                    \
    " ORDER BY c.refresh_due_at, c.integration_id LIMIT $2"

/* The due rows, read whole: the pass writes on the same connection. */
static int read_due(struct due **out, size_t *n, struct db *db, int64_t now, int limit,
                    struct err *err)
{
    static const char base[] = DUE_SELECT;
    static const char pg[] = DUE_SELECT " FOR UPDATE OF c SKIP LOCKED";
    struct db_rows *rows = NULL;
    *out = xcalloc((size_t)limit, sizeof(**out));
    *n = 0;
    int rc = db_query(&rows, db, strcmp(db_engine(db), "postgres") == 0 ? pg : base,
                      DB_ARGS(DB_INT(now), DB_INT(limit)), err);
    if (rc < 0)
        return rc;
    while ((rc = db_rows_next(rows, err)) == 1 && *n < (size_t)limit) {
        struct due *d = &(*out)[(*n)++];
        snprintf(d->tenant_id, sizeof(d->tenant_id), "%s", db_rows_text(rows, 0));
        snprintf(d->integration_id, sizeof(d->integration_id), "%s", db_rows_text(rows, 1));
        snprintf(d->status, sizeof(d->status), "%s", db_rows_text(rows, 2));
    }
    db_rows_free(rows);
    return rc < 0 ? rc : 0;
}

/* Whether an integration in status is kept connected. A paused one too:
 * it is to resume without its user; one that needs its user (or is gone)
 * has nothing a refresh could do. */
static bool kept_up(const char *status)
{
    return strcmp(status, "active") == 0 || strcmp(status, "error") == 0 ||
           strcmp(status, "paused") == 0;
}

/* One due token: its job and its hold, or parked. */
static int take(struct sched_tokens_result *out, struct db *db, const struct due *d, int64_t now,
                struct err *err)
{
    char job[ID_MAX], key[ID_MAX + 8];
    struct buf payload;

    if (!kept_up(d->status)) {
        out->parked++;
        return credential_refresh_defer(db, d->tenant_id, d->integration_id, 0, err);
    }
    buf_init(&payload, 0);
    buf_puts(&payload, "{\"integration_id\":");
    buf_put_json_str(&payload, d->integration_id);
    buf_putc(&payload, '}');
    snprintf(key, sizeof(key), "refresh:%s", d->integration_id);
    /* One attempt: a failed refresh is retried by a later pass, after the
     * cooldown its failure set, not by the queue at once. */
    int rc =
        jobs_enqueue(job, db, d->tenant_id, "refresh", buf_cstr(&payload), key, now, 1, now, err);
    buf_dispose(&payload);
    if (rc == ERR_CONFLICT) { /* its refresh is queued or running already */
        out->skipped++;
        rc = 0;
    } else if (rc == 0) {
        out->enqueued++;
    }
    /* Held back while the job waits and runs; its outcome sets the real
     * next time (credential_refresh_mark), and a job that never reports
     * (its process died) leaves the token due again after the hold. */
    return rc < 0 ? rc
                  : credential_refresh_defer(db, d->tenant_id, d->integration_id,
                                             now + CREDENTIAL_REFRESH_COOLDOWN_S, err);
}

int sched_tokens_pass(struct sched_tokens_result *out, struct db *db, int64_t now, int limit,
                      struct err *err)
{
    struct due *due = NULL;
    size_t n = 0;
    memset(out, 0, sizeof(*out));
    if (limit < 1 || limit > SCHED_TOKENS_PASS_MAX)
        return err_set(err, ERR_INVALID, "limit: must be 1..%d", SCHED_TOKENS_PASS_MAX);
    int rc = db_begin(db, err);
    if (rc < 0)
        return rc;
    rc = read_due(&due, &n, db, now, limit, err);
    out->due = (int64_t)n;
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = take(out, db, &due[i], now, err);
    if (rc == 0)
        rc = db_commit(db, err);
    else
        db_rollback(db);
    xfree(due);
    if (rc < 0)
        memset(out, 0, sizeof(*out));
    return rc;
}

int sched_tokens_refresh(const struct oauth_env *env, const char *tenant_id,
                         const char *integration_id, struct err *err)
{
    struct secret access = {0};
    int rc = oauth_token_get(&access, NULL, env, tenant_id, integration_id, NULL, true, err);
    secret_dispose(&access); /* renewed and stored: the upkeep has no use for it */
    if (rc != ERR_CONFLICT)
        return rc;
    /* Nothing to renew it with after all (the stored tokens hold no refresh
     * token): off the upkeep, or every pass would queue this again. */
    log_info("tokens: a token that cannot be renewed is taken off the upkeep",
             LOG_STR("tenant", tenant_id), LOG_STR("integration", integration_id));
    if ((rc = db_begin_tenant(env->db, tenant_id, err)) < 0)
        return rc;
    rc = credential_refresh_defer(env->db, tenant_id, integration_id, 0, err);
    if (rc == 0)
        return db_commit(env->db, err);
    db_rollback(env->db);
    return rc;
}
