/* sync/call.h - a request to an integration's API, sent the way every
 * caller (the test request, sync pages, the proxy, actions) needs it: the
 * connector's base URL (config and connection filled in, origin override
 * applied) plus a path, with the integration's credentials put where the
 * connector file says (an OAuth access token, an API key in a header or
 * the query, HTTP Basic), within the connector's rate budget
 * (sync/budget.h), and sent again when that can help (http/retry.h):
 *   - 401 to an OAuth token: one refresh (oauth/token.h), one resend;
 *   - 429, 503 and the providers' other rate-limit refusals: after the
 *     wait their headers ask for (the longest), else after a backoff;
 *   - other 5xx and network errors: after exponential backoff with full
 *     jitter, for idempotent requests only;
 * up to max_attempts. A wait longer than the cap is not slept: the
 * refusal comes back, with when to resume, so that a sync can end its run
 * partial and carry on later. Waits are cut short by req->cancelled. Every
 * request sent is counted in api_usage (store/api_usage.h). */
#ifndef INLET_SYNC_CALL_H
#define INLET_SYNC_CALL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "connectors/registry.h"
#include "core/err.h"
#include "db/db.h"
#include "http/fetch.h"
#include "oauth/flow.h"
#include "store/integration.h"

#define CALL_ATTEMPTS_DEFAULT    5      /* requests sent, the 401 resend aside */
#define CALL_BACKOFF_BASE_MS     500    /* the first backoff's ceiling */
#define CALL_BACKOFF_MAX_MS      30000  /* no backoff's ceiling grows past this */
#define CALL_WAIT_CAP_MS_DEFAULT 300000 /* the longest wait slept between attempts */
#define CALL_CANCEL_POLL_MS      100    /* how often a wait asks req->cancelled */
#define CALL_HEADERS_MAX         8      /* the caller's own request header lines */

/* What requests did, for api_usage. */
struct call_usage {
    int64_t calls;        /* requests sent */
    int64_t errors;       /* of those: no answer, or an answer other than 2xx / 3xx */
    int64_t rate_limited; /* of those: refused for a rate limit or a quota */
    /* The provider's own count of the quota (sync/quota.h), from the last
     * answer that reported one: quota_at_ms 0 when none did. */
    int64_t quota_limit, quota_remaining, quota_at_ms;
};

/* Why connector_call stopped. */
enum call_end {
    CALL_ANSWERED = 0, /* an answer to act on, or an error resending would not cure */
    CALL_EXHAUSTED,    /* still refused or failing after max_attempts: the last outcome */
    CALL_DEFERRED,     /* the provider asks for a wait over the cap, or its daily quota is
                          spent: the refusal is the answer; resume_after_ms says when */
    CALL_CANCELLED,    /* req->cancelled said so during a wait: the last outcome */
};

/* What a call did, for a caller that decides what comes next. */
struct call_report {
    enum call_end end;
    int attempts;            /* requests sent, the 401 resend included */
    int64_t waited_ms;       /* the waits between attempts, as decided (not measured) */
    int64_t resume_after_ms; /* CALL_DEFERRED: the wait asked for; 0 when none was named
                                (Salesforce's daily limit) */
};

struct connector_req {
    const char *method; /* NULL: GET */
    const char *path;   /* appended to base_url, query included: "/limits" */
    const char *body;   /* NULL: none */
    size_t body_len;
    const char *content_type; /* of body */
    /* More "Name: value" lines (NULL-terminated, at most CALL_HEADERS_MAX;
     * NULL: none), as the caller vetted them: never credentials, which
     * connector_call puts in. An "Accept" here replaces the JSON default. */
    const char *const *headers;
    long timeout_ms; /* of each request; 0: fetch's default */
    size_t body_max; /* 0: fetch's default */
    /* A POST or PATCH that is safe to send twice (a search sent as POST):
     * resent after a 5xx or a network error like GET, HEAD, PUT, DELETE
     * and OPTIONS are. Other POSTs and PATCHes are resent only after a
     * rate-limit refusal, which the provider did not act on. */
    bool idempotent;
    /* The retry policy; 0 for any: its default above. */
    int max_attempts;        /* requests sent at most, the 401 resend aside */
    int64_t backoff_base_ms; /* the first backoff is uniform in [0, base] */
    int64_t backoff_max_ms;  /* ... and each doubles, up to this */
    int64_t wait_cap_ms;     /* a longer wait is not slept: CALL_DEFERRED */
    /* Asked at least every CALL_CANCEL_POLL_MS while waiting (for a retry
     * or the rate budget); true ends the call. NULL: never. */
    bool (*cancelled)(void *ctx);
    void *cancel_ctx;
    /* NULL: connector_call records its requests in api_usage itself, in a
     * short transaction of its own at the end. Otherwise it only adds them
     * here (the caller's) and the caller records them
     * (connector_usage_flush), as a sync does inside its own transaction. */
    struct call_usage *usage;
    struct call_report *report; /* OUT, may be NULL */
};

/* Send req for integration it (of connector c) and read the answer into
 * *out (OUT, fetch_resp_dispose; also after an error). Any HTTP status is
 * an answer, returned with 0: the last one received when the call gave up
 * (req->report says why). ERR_NOTFOUND when it has no credentials though
 * its connector needs some; ERR_INVALID "needs_reauth: ..." as
 * oauth_token_get, or when the base URL cannot be built (the message says
 * which value); errors of fetch (ERR_IO when the last attempt got no
 * answer); ERR_AGAIN when cancelled before any request was sent. No
 * transaction may be open on env->db. When connector_call records usage
 * itself and that fails, the failure is logged, not returned: the
 * provider has answered, and a caller must not send an action twice for
 * want of a counter. */
MUST_CHECK int connector_call(struct fetch_resp *out, const struct oauth_env *env,
                              const struct integration *it, const struct connector *c,
                              const struct connector_req *req, struct err *err);

/* Integration it's base URL (connector c's base_url filled in from its
 * config and connection), appended to out: for making a next-page URL an
 * answer gave relative to it (connectors/urls.h, connector_relative).
 * ERR_INVALID as connector_call for a URL that cannot be built. */
MUST_CHECK int connector_base_url(struct buf *out, const struct integration *it,
                                  const struct connector *c, struct err *err);

/* Add *u to integration_id's api_usage for the UTC day of now_ms and, on
 * success, zero *u; nothing when it is all zero. Inside the caller's tenant
 * transaction. Errors of api_usage_add. */
MUST_CHECK int connector_usage_flush(struct db *db, const char *tenant_id,
                                     const char *integration_id, struct call_usage *u,
                                     int64_t now_ms, struct err *err);

#endif
