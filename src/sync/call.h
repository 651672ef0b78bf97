/* sync/call.h - one authenticated request to an integration's API:
 * the connector's base URL (config and connection filled in, origin
 * override applied) plus a path, with the integration's credentials put
 * where the connector file says (an OAuth access token, an API key in a
 * header or the query, HTTP Basic). An OAuth request answered 401 is
 * retried once with a refreshed token (oauth/token.h). The test request,
 * and later the proxy, actions and syncs, go through here. */
#ifndef INLET_SYNC_CALL_H
#define INLET_SYNC_CALL_H
#include <stddef.h>

#include "connectors/registry.h"
#include "core/err.h"
#include "http/fetch.h"
#include "oauth/flow.h"
#include "store/integration.h"

struct connector_req {
    const char *method; /* NULL: GET */
    const char *path;   /* appended to base_url, query included: "/limits" */
    const char *body;   /* NULL: none */
    size_t body_len;
    const char *content_type; /* of body */
    long timeout_ms;          /* 0: fetch's default */
    size_t body_max;          /* 0: fetch's default */
};

/* Send req for integration it (of connector c) and read the answer into
 * *out (OUT, fetch_resp_dispose; also after an error). Any HTTP status is
 * an answer. ERR_NOTFOUND when it has no credentials though its connector
 * needs some; ERR_INVALID "needs_reauth: ..." as oauth_token_get, or when
 * the base URL cannot be built (the message says which value); errors of
 * fetch. No transaction may be open on env->db. */
MUST_CHECK int connector_call(struct fetch_resp *out, const struct oauth_env *env,
                              const struct integration *it, const struct connector *c,
                              const struct connector_req *req, struct err *err);

/* A one-line summary of a provider's error answer, for users: the first of
 * Salesforce's [{"message"}], "message", "error_description", "error" (or
 * Slack's "error"), else the status; control characters blanked, at most n
 * - 1 bytes. Never the request, so never a credential. */
void connector_error_summary(char *out, size_t n, const struct fetch_resp *r);

#endif
