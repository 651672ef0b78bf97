/* sync/action_run.h - one run of a connector's action (connectors/
 * action.h) for an integration, whoever asks: the API and `inlet action`.
 * The input is checked against the action's schema (nothing is sent when
 * it fails), the request goes out with the integration's credentials
 * (sync/call.h), a paged action's pages are followed up to its limit, a
 * provider's refusal is read into per-field errors, and a record the
 * action changed is stored at once where its stream is synced
 * (sync/writeback.h). docs/actions.md. */
#ifndef INLET_SYNC_ACTION_RUN_H
#define INLET_SYNC_ACTION_RUN_H
#include <json-c/json_object.h>

#include "connectors/registry.h"
#include "core/buf.h"
#include "core/err.h"
#include "oauth/flow.h"
#include "store/integration.h"

/* What came of it, in the API's terms. */
struct action_outcome {
    int status;           /* 200 done; else the refusal's HTTP status */
    char code[32];        /* "" when done; else the error code (validation_failed,
                             action_failed, rate_limited, bad_gateway, needs_reauth,
                             not_found) */
    char message[512];    /* the refusal, one line */
    struct buf details;   /* the refusal's details as JSON, or empty */
    struct buf body;      /* done: {"ok": true, "action", "status", "data", "stored"?} */
    char retry_after[32]; /* a 429's Retry-After, or "" */
};

void action_outcome_init(struct action_outcome *o);
void action_outcome_dispose(struct action_outcome *o);

/* Run action name of connector conn for integration it with input (an
 * object; NULL for {}) into *o (initialised by the caller). Returns 0
 * whenever *o says what came of it, refusals included; an error only for
 * inlet's own failures (the database's, a schema of the file that does
 * not compile). No transaction may be open on env->db. */
MUST_CHECK int action_run(struct action_outcome *o, const struct oauth_env *env,
                          const struct integration *it, const struct connector *conn,
                          const char *name, struct json_object *input, struct err *err);

#endif
