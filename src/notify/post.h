/* notify/post.h - one JSON POST to a receiver's URL, what its answer came
 * to, and the same POST signed per Standard Webhooks (webhook-id,
 * webhook-timestamp, webhook-signature over the body). What the
 * notification senders (Slack, signed webhook: notify/) and the events
 * to the host (events/deliver.c) send through, so that both time out,
 * read Retry-After and keep URLs out of their messages the same way. */
#ifndef INLET_NOTIFY_POST_H
#define INLET_NOTIFY_POST_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/secret.h"

/* What one attempt came to. */
struct notify_result {
    long status;        /* the HTTP status or the last SMTP reply code; 0: no answer */
    bool retry;         /* a failure that may go away: send again later */
    int64_t wait_s;     /* the least wait the answer asked for (Retry-After); 0: none */
    int64_t elapsed_ms; /* of the exchange */
};

#define NOTIFY_POST_HEADERS_MAX 8 /* extra header lines a caller may add */

/* POST body (n bytes, JSON) to url with the extra header lines
 * (NULL-terminated, at most NOTIFY_POST_HEADERS_MAX; may be NULL), and
 * classify the answer into res (always filled): 2xx is success (0); no
 * answer, 408, 429 and 5xx are retried (res->retry; Retry-After and the
 * rate-limit headers read into res->wait_s); anything else fails for good.
 * Errors: ERR_INVALID for a URL that is not http or https and for a
 * refusal; ERR_AGAIN for a retried status; ERR_IO for no answer. Messages
 * start with what ("slack", "webhook") and hold the status and a short
 * printable piece of the receiver's answer, never the URL. */
MUST_CHECK int notify_post(struct notify_result *res, const char *what, const char *url,
                           const char *const *headers, const char *body, size_t n, long timeout_ms,
                           int64_t now, struct err *err);

/* notify_post with the Standard Webhooks headers: webhook-id id (no '.',
 * at most WHSIG_ID_MAX bytes: asserted), webhook-timestamp now, and
 * webhook-signature v1 over "{id}.{now}.{body}" under secret, the
 * "whsec_..." text (n bytes). ERR_INVALID when the secret is not one (the
 * message never quotes it); otherwise as notify_post. */
MUST_CHECK int notify_post_signed(struct notify_result *res, const char *what, const char *url,
                                  const char *secret, size_t secret_n, const char *id,
                                  const char *body, size_t n, long timeout_ms, int64_t now,
                                  struct err *err);

#endif
