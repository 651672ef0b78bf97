/* notify/deliver.h - sending what notify_record stored: the pending
 * deliveries whose time has come, each to its channel (Slack, signed
 * webhook, email), with a timeout on every attempt, retries with
 * exponential backoff and jitter up to a limit, and one log line per
 * attempt (the channel's id, never its URL). No transaction is open while
 * a message is on the network: a batch is claimed in one transaction
 * (its attempts counted, its rows leased to this process by moving
 * next_attempt_at ahead; PostgreSQL claims with FOR UPDATE SKIP LOCKED),
 * each message is sent with none, and each outcome is recorded in a
 * transaction of its own. So any number of processes sharing PostgreSQL
 * can deliver at once without sending a message twice; a process that
 * dies mid-send leaves its claims to run out, and the message goes again
 * with the same webhook-id (receivers drop repeats by it). Also the
 * channel test behind POST /api/notification-channels/{id}/test. */
#ifndef INLET_NOTIFY_DELIVER_H
#define INLET_NOTIFY_DELIVER_H
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "crypto/vault.h"
#include "db/db.h"
#include "notify/outbox.h"

/* The defaults, shared with the events to the host (notify/outbox.h). */
#define NOTIFY_TIMEOUT_MS_DEFAULT OUTBOX_TIMEOUT_MS_DEFAULT /* one attempt: 10 s */
#define NOTIFY_ATTEMPTS_DEFAULT   OUTBOX_ATTEMPTS_DEFAULT   /* then the delivery is failed: 8 */
#define NOTIFY_BACKOFF_S_DEFAULT  OUTBOX_BACKOFF_S_DEFAULT  /* before the first retry: 60 s */
#define NOTIFY_BACKOFF_MAX_S      OUTBOX_BACKOFF_MAX_S      /* the longest wait: 6 hours */
#define NOTIFY_BATCH_MAX          OUTBOX_BATCH_MAX          /* deliveries one call claims */

/* What deliveries run with. */
struct notify_env {
    struct db *db;             /* one connection with no transaction open */
    const struct vault *vault; /* opens the channels' settings */
    const char *public_url;    /* for the deep links: "https://inlet.example.com" */
    long timeout_ms;           /* per attempt; 0: NOTIFY_TIMEOUT_MS_DEFAULT */
    int max_attempts;          /* 0: NOTIFY_ATTEMPTS_DEFAULT */
    int64_t backoff_s;         /* 0: NOTIFY_BACKOFF_S_DEFAULT */
};

/* What one call did. */
struct notify_deliver_stats {
    int sent;    /* taken by their receivers */
    int retried; /* failed for now, due again later */
    int failed;  /* failed for good: refused, out of attempts, or channel disabled */
};

/* Claim up to max (1..NOTIFY_BATCH_MAX) deliveries due at now (Unix
 * seconds) across every tenant, send each, record each outcome: sent;
 * or, after a retryable failure with attempts left, due again at now +
 * a wait of half to all of backoff_s * 2^(attempts - 1) (at most
 * NOTIFY_BACKOFF_MAX_S, at least what a Retry-After asked); else failed,
 * with last_error. *stats (OUT, may be NULL) counts them. Returns 0 when
 * every claimed delivery was recorded; a db error otherwise (deliveries
 * not recorded run out their claim and go again). */
MUST_CHECK int notify_deliver_due(struct notify_deliver_stats *stats, const struct notify_env *e,
                                  int64_t now, int max, struct err *err);

/* What a test send came to. */
struct notify_test_result {
    bool ok;
    long status; /* the HTTP status or last SMTP reply code; 0: no answer */
    int64_t elapsed_ms;
    char error[ERR_MSG_MAX]; /* "" when ok; never a URL or a secret */
};

/* Send a test message to channel_id of tenant_id now, with no
 * transaction open during the send (the channel is read in a read-only
 * one first). A failed send is a result (out->ok false), not an error.
 * Errors: ERR_NOTFOUND for no such channel; db and vault errors. */
MUST_CHECK int notify_deliver_test(struct notify_test_result *out, const struct notify_env *e,
                                   const char *tenant_id, const char *channel_id, int64_t now,
                                   struct err *err);

#endif
