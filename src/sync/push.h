/* sync/push.h - records pushed to inlet (by n8n and the like) applied as
 * one unit: each record goes into the integration's raw table for the
 * pushed stream ("n8n_contacts": an append-only log of what was received)
 * and through the mapping into the normalized table, and the run that
 * counts them and the delivery that brought them are written in the same
 * transaction. A delivery id seen before is not applied again: the first
 * answer is given back. The mapping of a pushed stream is the model's own
 * field names, or a connector's default mapping when source_type names
 * one, under the integration's field_mappings rows for the stream.
 * docs/webhooks.md, "n8n". */
#ifndef INLET_SYNC_PUSH_H
#define INLET_SYNC_PUSH_H
#include <stdbool.h>
#include <stdint.h>

#include <json-c/json_object.h>

#include "connectors/registry.h"
#include "core/buf.h"
#include "core/err.h"
#include "db/db.h"

#define PUSH_ERRORS_MAX 100 /* per-record errors in an answer */
#define PUSH_STREAM_MAX 40  /* bytes of a pushed stream's name and its NUL */

struct push_in {
    struct db *db; /* no transaction open */
    const struct registry *reg;
    const char *tenant_id, *integration_id;
    const char *endpoint_id;     /* the webhook endpoint it came through */
    const char *delivery_id;     /* the sender's id of the delivery: a retry has the same */
    const char *model;           /* contacts, accounts, tickets or deals */
    const char *source_type;     /* NULL, a label, or CONNECTOR or CONNECTOR/STREAM */
    const char *run_id;          /* a pushed run to add to (sync_log_id); NULL: a new one */
    struct json_object *records; /* an array; an element that is not an object fails alone */
    int64_t now;                 /* unix seconds */
};

struct push_result {
    bool duplicate; /* the delivery had been applied: answer is the first one's */
    /* {"success":B,"stats":{"processed","created","updated","unchanged",
     * "failed"},"sync_log_id":RUN,"errors":[{"index":I,"message":M}...]} */
    struct buf answer;
};

void push_result_dispose(struct push_result *r);

/* The pushed stream of model ("n8n_contacts"): its name into out; NULL
 * for an unknown model. */
const char *push_stream(char out[PUSH_STREAM_MAX], const char *model);

/* Whether stream is a pushed one ("n8n_" and a model's name); *model
 * (OUT, may be NULL) gets the model's name, static. */
bool push_stream_model(const char *stream, const char **model);

/* The mapping a pushed stream starts from when source_type names no
 * connector: the model's own field names (external_id from "external_id"
 * or "id"), everything else into properties. A new mapping spec (caller
 * json_object_put) in map_parse's form; NULL for an unknown model. */
struct json_object *push_identity_spec(const char *stream, const char *model);

/* Apply in into *out (push_result_dispose, on failure too). Errors:
 * ERR_NOTFOUND for an integration the tenant does not have (or deleted),
 * or a run_id that is not a pushed run of it; the database's. Records
 * that fail are not errors: they are counted and listed in the answer. */
MUST_CHECK int push_apply(struct push_result *out, const struct push_in *in, struct err *err);

#endif
