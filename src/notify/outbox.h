/* notify/outbox.h - what the two senders of stored messages share: the
 * notification deliveries (notify/deliver.h) and the events to the host
 * (events/deliver.h). Both keep pending rows with a next_attempt_at; a
 * sender claims a batch of due rows in one transaction (PostgreSQL with
 * FOR UPDATE SKIP LOCKED, SQLite under its write lock), counts an
 * attempt on each and leases them by moving next_attempt_at ahead, then
 * sends with no transaction open, and on a retryable failure waits
 * longer each time. Here: the defaults, the claim, the lease and the
 * wait. */
#ifndef INLET_NOTIFY_OUTBOX_H
#define INLET_NOTIFY_OUTBOX_H
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/id.h"
#include "db/db.h"

#define OUTBOX_TIMEOUT_MS_DEFAULT 10000 /* one attempt, connecting included */
#define OUTBOX_ATTEMPTS_DEFAULT   8     /* then the delivery is failed */
#define OUTBOX_BACKOFF_S_DEFAULT  60    /* the wait before the first retry, doubled each time */
#define OUTBOX_BACKOFF_MAX_S      21600 /* the longest wait between attempts: 6 hours */
#define OUTBOX_BATCH_MAX          100   /* rows one claim takes at most */

/* Copy claimed row r (its columns as the claim's query selects them) into
 * the caller's i-th slot of ctx. */
typedef void (*outbox_row_fn)(void *ctx, size_t i, struct db_rows *r);

/* In one transaction of its own (db has none open): run select with $1
 * now and $2 max (it picks the due rows, column 0 their id, ordered and
 * limited), adding " FOR UPDATE OF <lock> SKIP LOCKED" on PostgreSQL so
 * that a second claimer skips the rows instead of waiting; copy each row
 * out with fn; then run lease for each row's id with $1 the id and $2
 * lease_until (it counts the attempt and moves next_attempt_at). The
 * batch is read whole before any UPDATE: a connection cannot run one
 * while PostgreSQL still streams a result on it. *n (OUT) rows were
 * copied and leased; on an error (returned; the transaction rolled back)
 * *n still says how many fn copied, for the caller to release. */
MUST_CHECK int outbox_claim(size_t *n, struct db *db, const char *select, const char *lock,
                            const char *lease, int64_t now, int max, int64_t lease_until,
                            outbox_row_fn fn, void *ctx, struct err *err);

/* How long a claim of max rows leases them: past the time a whole batch
 * of sends that all time out after timeout_ms takes. */
int64_t outbox_lease_s(int max, long timeout_ms);

/* The wait in seconds before the attempt after attempt number attempt
 * (1 for the first) failed: half of base_s * 2^(attempt - 1) (the doubled
 * wait at most OUTBOX_BACKOFF_MAX_S) plus a random part of the other
 * half, and at least asked_s (what a Retry-After asked for). base_s <= 0
 * means OUTBOX_BACKOFF_S_DEFAULT. */
int64_t outbox_backoff_s(int64_t base_s, int attempt, int64_t asked_s);

#endif
