/* store/jobs.h - the queue every inlet process shares: the jobs table. A
 * job is due at run_at; a worker claims it with a lease (owner and expiry)
 * that it renews while it works, and ends it done, queued again (a retry
 * later), or failed. A job whose lease expires - its worker crashed or
 * lost the database - is claimed again by anyone. PostgreSQL claims with
 * FOR UPDATE SKIP LOCKED, so any number of processes on any number of
 * machines drain one queue without ever handing a job to two workers at
 * once; SQLite claims inside its single writer's transaction. A dedupe key
 * keeps at most one queued or running job per (tenant, key): one sync per
 * integration. Every call is system code (no tenant transaction): the
 * queue crosses tenants. Times are unix seconds. */
#ifndef INLET_STORE_JOBS_H
#define INLET_STORE_JOBS_H
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "core/id.h"
#include "db/db.h"

#define JOBS_OWNER_MAX    80 /* bytes of a lease owner, "host:pid:thread" */
#define JOBS_ATTEMPTS_MAX 5  /* the default max_attempts */

struct job {
    char id[ID_MAX];
    char tenant_id[ID_MAX]; /* "" for a system job */
    char kind[16];          /* sync, refresh, notify, ... */
    char *payload;          /* owned: JSON object text */
    char *dedupe_key;       /* owned, NULL when none */
    int attempts;           /* claims so far, this one included */
    int max_attempts;
    int64_t run_at;
    int64_t lease_expires_at;
};

void job_dispose(struct job *j);

/* Queue a job: tenant_id NULL for a system job, dedupe_key NULL for none.
 * The job's id into id (ID_MAX). ERR_CONFLICT when a queued or running job
 * of the tenant has dedupe_key already: its id is then in id. In the
 * caller's transaction (a system one, or the tenant's own for tenant_id). */
MUST_CHECK int jobs_enqueue(char id[ID_MAX], struct db *db, const char *tenant_id, const char *kind,
                            const char *payload, const char *dedupe_key, int64_t run_at,
                            int max_attempts, int64_t now, struct err *err);

/* Mark job id (queued in this transaction) as working for the connector
 * of tenant_id's integration_id, so that per_connector limits count it. */
MUST_CHECK int jobs_set_connector(struct db *db, const char *id, const char *tenant_id,
                                  const char *integration_id, struct err *err);

/* Limits a claim respects, counting jobs running (live leases) across
 * every process: a tenant with per_tenant of them gets no more until one
 * ends, nor does a connector with per_connector (a provider's limit on
 * concurrent API use, or a fair share between connectors); 0 for none.
 * Soft limits on PostgreSQL: two workers claiming at the same instant may
 * pass one by one. */
struct jobs_limits {
    int per_tenant;
    int per_connector;
};

/* Claim the job due first (queued with run_at <= now, or running with a
 * lease expired before now) for owner until now + lease_s, in a
 * transaction of its own (no transaction may be open on db). *got says
 * whether there was one; then *out (OUT, job_dispose) is it, its attempts
 * counted. */
MUST_CHECK int jobs_claim(struct job *out, bool *got, struct db *db, const char *owner,
                          int64_t lease_s, int64_t now, const struct jobs_limits *lim,
                          struct err *err);

/* Extend owner's lease of job id to until. ERR_CONFLICT when owner holds it
 * no more (it expired and another worker claimed it): stop working on it. */
MUST_CHECK int jobs_renew(struct db *db, const char *id, const char *owner, int64_t until,
                          struct err *err);

/* End owner's job id: done (ok), or with error (one line, kept): queued
 * again at retry_at when it has attempts left and retry_at > 0, else failed.
 * An ended job keeps owner, to say who ran it last.
 * *requeued (OUT, may be NULL) says which. ERR_CONFLICT when owner holds it
 * no more. Each in a transaction of its own. */
MUST_CHECK int jobs_finish(bool *requeued, struct db *db, const char *id, const char *owner,
                           bool ok, const char *error, int64_t retry_at, int64_t now,
                           struct err *err);

/* Each running job's id and lease owner, to fn (a nonzero return stops and
 * is returned); rows are read whole first, so fn may use db. */
typedef int (*jobs_owner_fn)(void *ctx, const char *id, const char *owner);
MUST_CHECK int jobs_each_running(struct db *db, jobs_owner_fn fn, void *ctx, struct err *err);

/* End owner's lease of job id now (its process is known dead), so that
 * the next claim takes it without waiting for the lease to run out. */
MUST_CHECK int jobs_expire(struct db *db, const char *id, const char *owner, struct err *err);

/* Each (kind, status) with its number of jobs, to fn in order (a nonzero
 * return stops with ERR_IO): `inlet jobs`. */
typedef int (*jobs_stats_fn)(void *ctx, const char *kind, const char *status, int64_t n);
MUST_CHECK int jobs_stats(struct db *db, jobs_stats_fn fn, void *ctx, struct err *err);

/* Delete at most limit ended jobs (done, failed, cancelled) that finished
 * before before; *n (OUT, may be NULL) gets how many. The queue keeps a
 * week of history for `inlet jobs` and post-mortems, not more. */
MUST_CHECK int jobs_purge(int64_t *n, struct db *db, int64_t before, int limit, struct err *err);

/* Queued and running jobs, for metrics and tests. */
MUST_CHECK int jobs_count(int64_t *queued, int64_t *running, struct db *db, struct err *err);

#endif
