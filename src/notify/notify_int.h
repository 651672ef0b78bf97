/* notify/notify_int.h - what the files of notify/ share, and no other area
 * includes: one message as the senders see it, what a send came to, and
 * the senders (Slack, signed webhook, email) behind one ops table. */
#ifndef INLET_NOTIFY_NOTIFY_INT_H
#define INLET_NOTIFY_NOTIFY_INT_H
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "notify/config.h"

/* A notification on its way to one channel; all borrowed. */
struct notify_msg {
    const char *id;             /* "ntf_...": webhook-id and Message-ID, the same on every retry */
    const char *event;          /* "sync.failed", ... or "test" */
    const char *level;          /* info, warn, error */
    const char *title, *body;   /* one line; sentences */
    const char *integration_id; /* NULL for a test */
    const char *data;           /* JSON object text */
    const char *link;           /* the deep link, or NULL */
    int64_t created_at;         /* unix seconds */
};

/* What one attempt came to. */
struct notify_result {
    long status;        /* the HTTP status or the last SMTP reply code; 0: no answer */
    bool retry;         /* a failure that may go away: send again later */
    int64_t wait_s;     /* the least wait the answer asked for (Retry-After); 0: none */
    int64_t elapsed_ms; /* of the exchange */
};

/* Send m over channel settings c, giving up after timeout_ms; now (Unix
 * seconds) stamps a signature. 0 when the receiver took it; else an
 * err_code with a one-line message that names no URL and no secret, and
 * res->retry saying whether to try again. res is always filled. */
typedef int (*notify_send_fn)(struct notify_result *res, const struct notify_config *c,
                              const struct notify_msg *m, long timeout_ms, int64_t now,
                              struct err *err);

struct notify_sender {
    enum notify_kind kind;
    notify_send_fn send;
};

extern const struct notify_sender notify__slack;
extern const struct notify_sender notify__webhook;
extern const struct notify_sender notify__email;

/* The sender of kind (asserted to exist). */
const struct notify_sender *notify__sender(enum notify_kind kind);

/* post.c: POST body (n bytes, JSON) to url with the extra header lines
 * (NULL-terminated, at most 8), classify the answer into res: 2xx is
 * success; no answer, 408, 429 and 5xx are retried (Retry-After and the
 * rate-limit headers read into res->wait_s); anything else fails for
 * good. Messages start with what ("slack", "webhook") and hold the status
 * and a short printable piece of the receiver's answer, never the URL. */
int notify__post(struct notify_result *res, const char *what, const char *url,
                 const char *const *headers, const char *body, size_t n, long timeout_ms,
                 int64_t now, struct err *err);

#endif
