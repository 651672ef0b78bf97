/* notify/notify_int.h - what the files of notify/ share, and no other area
 * includes: one message as the senders see it and the senders (Slack,
 * signed webhook, email) behind one ops table. What a send came to and
 * the POST itself are in notify/post.h, which events/ shares. */
#ifndef INLET_NOTIFY_NOTIFY_INT_H
#define INLET_NOTIFY_NOTIFY_INT_H
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "notify/config.h"
#include "notify/post.h"

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

#endif
