/* sched/tokens.h - the token upkeep: OAuth tokens are refreshed ahead of
 * their expiry and at least once a day even when nothing uses them, so
 * that an idle integration stays connected (a refresh token that is never
 * used can lapse, and a Salesforce session has no known end). The due
 * time of each token is stored with it (credentials.refresh_due_at, kept
 * by store/credential.h at every write); a pass, run by the scheduling
 * loop (sched/loop.h), queues a "refresh" job per due token, and the job
 * runner calls sched_tokens_refresh for it. Any number of processes may
 * pass at once, as with sched/scheduler.h: PostgreSQL's FOR UPDATE SKIP
 * LOCKED, SQLite's one writer, and the job's dedupe key. */
#ifndef INLET_SCHED_TOKENS_H
#define INLET_SCHED_TOKENS_H
#include <stdint.h>

#include "core/err.h"
#include "db/db.h"
#include "oauth/flow.h"

#define SCHED_TOKENS_PASS_MAX 1000 /* tokens one pass takes; the next pass takes the rest */

struct sched_tokens_result {
    int64_t due;      /* tokens found due */
    int64_t enqueued; /* refresh jobs queued */
    int64_t skipped;  /* a refresh job was queued or running already */
    int64_t parked;   /* the integration must be connected again: no upkeep until it is */
};

/* Run one pass at now (unix seconds) in a system transaction of its own on
 * db (none may be open), taking at most limit (1..SCHED_TOKENS_PASS_MAX)
 * due tokens, those due first. A token of an active, error or paused
 * integration gets a "refresh" job (payload {"integration_id":"..."},
 * dedupe key "refresh:<integration id>", one attempt, due now) and is held
 * back for CREDENTIAL_REFRESH_COOLDOWN_S, so that no pass takes it again
 * while its job waits or runs; the job's outcome sets the real next time.
 * Any other status (needs_reauth, disconnected, draft) parks it: no due
 * time until the tokens are written again. *out (OUT) says what it did.
 * ERR_INVALID for a limit out of range; the database's errors (then
 * nothing of the pass is kept). */
MUST_CHECK int sched_tokens_pass(struct sched_tokens_result *out, struct db *db, int64_t now,
                                 int limit, struct err *err);

/* The refresh job's body: refresh integration_id's token now, through
 * oauth_token_get (force), which stores the new tokens and their next due
 * time, or records the failure (a cooldown; needs_reauth when the provider
 * refused the refresh token) and tells the tenant. A token that cannot be
 * renewed after all (ERR_CONFLICT: no refresh token) is taken off the
 * upkeep and 0 returned. No transaction may be open on env->db. Errors of
 * oauth_token_get otherwise: ERR_INVALID "needs_reauth: ...", ERR_NOTFOUND,
 * ERR_IO, ERR_AGAIN. */
MUST_CHECK int sched_tokens_refresh(const struct oauth_env *env, const char *tenant_id,
                                    const char *integration_id, struct err *err);

#endif
