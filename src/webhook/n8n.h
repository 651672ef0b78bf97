/* webhook/n8n.h - the body of a push to POST /api/webhooks/n8n, checked:
 *   {"integration_id": ID, "sync_log_id": RUN_ID?, "data_type": MODEL,
 *    "records": [...], "source_type": TEXT?, "api_key": KEY?}
 * MODEL is contacts, accounts, tickets or deals. A record is checked
 * later, one by one (a bad one fails alone); here only the shape of the
 * whole. Pure: no I/O. Used by api/webhooks.c; docs/webhooks.md, "n8n". */
#ifndef INLET_WEBHOOK_N8N_H
#define INLET_WEBHOOK_N8N_H
#include <stddef.h>

#include <json-c/json_object.h>

#include "core/err.h"

#define N8N_RECORDS_MAX     10000 /* records of one delivery */
#define N8N_SOURCE_TYPE_MAX 100   /* bytes of source_type */

struct n8n_push {
    struct json_object *doc;     /* owned: the parsed body */
    const char *integration_id;  /* borrowed from doc, as are the others */
    const char *sync_log_id;     /* NULL when absent or null */
    const char *data_type;       /* the model */
    const char *source_type;     /* NULL when absent or null */
    const char *api_key;         /* NULL when absent: the key in the body, for old senders */
    struct json_object *records; /* an array of at most N8N_RECORDS_MAX */
};

/* Parse body[0..n) into *out (n8n_push_dispose, on failure too). Errors:
 * ERR_INVALID "POINTER: problem" (the pointer alone naming the member:
 * "/data_type: expected contacts, accounts, tickets or deals, got
 * \"leads\""), or "invalid JSON at ..." for a body that is not JSON;
 * ERR_TOOBIG when records holds more than N8N_RECORDS_MAX. */
MUST_CHECK int n8n_parse(struct n8n_push *out, const char *body, size_t n, struct err *err);

void n8n_push_dispose(struct n8n_push *p);

#endif
