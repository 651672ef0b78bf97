/* notify/inbox.h - a tenant's in-app notifications (the rows of
 * notifications without a channel): listed newest first with a cursor,
 * marked read one by one or all at once. Runs inside the caller's tenant
 * transaction. Used by api/notifications.c. */
#ifndef INLET_NOTIFY_INBOX_H
#define INLET_NOTIFY_INBOX_H
#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "db/db.h"

#define NOTIFY_LIST_MAX 200 /* notifications per page */

/* One in-app notification; strings borrowed for the callback. */
struct notify_item {
    const char *id, *event, *level, *title, *body;
    const char *integration_id; /* NULL when none (or the integration was deleted for good) */
    const char *data;           /* JSON object text */
    int64_t created_at;         /* unix seconds */
    int64_t read_at;            /* unix seconds; 0: unread */
};

typedef int (*notify_item_fn)(void *ctx, const struct notify_item *n);

/* The tenant's notifications newest first (by id), only the unread ones
 * when unread_only, limit (1..NOTIFY_LIST_MAX, else ERR_INVALID) of them
 * after cursor `before` (a notification id; NULL: from the newest). The
 * page is read whole before fn runs, so fn may use db; a nonzero return
 * stops and is returned. *more (OUT) says whether older ones remain. */
MUST_CHECK int notify_inbox_list(bool *more, struct db *db, const char *tenant_id, bool unread_only,
                                 const char *before, int limit, notify_item_fn fn, void *ctx,
                                 struct err *err);

/* How many of the tenant's notifications are unread, into *n (OUT). */
MUST_CHECK int notify_inbox_unread(int64_t *n, struct db *db, const char *tenant_id,
                                   struct err *err);

/* Mark notification id read at now (unix seconds); one read already keeps
 * its time. ERR_NOTFOUND ("no notification <id>"). */
MUST_CHECK int notify_inbox_read(struct db *db, const char *tenant_id, const char *id, int64_t now,
                                 struct err *err);

/* Mark every unread one read at now; *n (OUT, may be NULL) gets how many. */
MUST_CHECK int notify_inbox_read_all(int64_t *n, struct db *db, const char *tenant_id, int64_t now,
                                     struct err *err);

/* Delete at most limit notifications of every tenant created before
 * before that wait for nothing (in-app ones, and deliveries sent or given
 * up), in the caller's system transaction (db_begin); *n (OUT, may be
 * NULL) gets how many. A pending delivery is never deleted. */
MUST_CHECK int notify_purge(int64_t *n, struct db *db, int64_t before, int limit, struct err *err);

/* Append n as the API's JSON object: {"id","event","level","title","body",
 * "integration_id","link","data":{...},"read","read_at","created_at"};
 * the link is public_url's deep link to the integration, or null. */
void notify_item_format(const struct notify_item *n, const char *public_url, struct buf *b);

#endif
