/* store/webhook_subscription.h - a tenant's webhook subscriptions (table
 * webhook_subscriptions): where inlet posts its events to the host
 * product, which events, a description, whether it is on, and the
 * Standard Webhooks signing secret, made here, sealed bound to the row and
 * shown once (at create and at a rotation). Runs inside the caller's
 * transaction (a tenant one; webhook_subscription_unseal needs none).
 * Used by api/webhook_subscriptions.c and events/. docs/events.md. */
#ifndef INLET_STORE_WEBHOOK_SUBSCRIPTION_H
#define INLET_STORE_WEBHOOK_SUBSCRIPTION_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/id.h"
#include "core/secret.h"
#include "crypto/vault.h"
#include "db/db.h"

#define WEBHOOK_SUBSCRIPTIONS_MAX 20  /* per tenant: every event is inserted once per each */
#define WEBHOOK_SUBSCRIPTION_DESC 500 /* bytes of a description */
#define WEBHOOK_SUBSCRIPTION_LIST 100 /* rows of one page at most */
#define WEBHOOK_SUBSCRIPTION_EVTS 512 /* bytes of a stored events array's text */

/* One subscription as stored; strings owned (webhook_subscription_dispose). */
struct webhook_subscription {
    char id[ID_MAX]; /* "whs_..." */
    char *url;
    char *events; /* JSON array text: event types, or ["*"] */
    char *description;
    bool enabled;
    int64_t created_at, updated_at; /* unix seconds */
};

/* What create stores; borrowed, all required. */
struct webhook_subscription_in {
    const char *url;         /* checked by the caller (events_url_check) */
    const char *events;      /* checked JSON array text (events_types_check) */
    const char *description; /* "" for none */
    bool enabled;
};

/* What an update changes; NULL (or enabled < 0) leaves it as it is. */
struct webhook_subscription_change {
    const char *url, *events, *description;
    int enabled; /* 0, 1, or -1: unchanged */
};

/* An enabled subscription as events_emit sees it. */
struct webhook_subscription_ref {
    char id[ID_MAX];
    char events[WEBHOOK_SUBSCRIPTION_EVTS]; /* as stored (cut: then it matches nothing) */
};

void webhook_subscription_dispose(struct webhook_subscription *s);

/* Create a subscription of tenant_id into *out (OUT,
 * webhook_subscription_dispose) with a new secret, "whsec_" and base64 of
 * 32 random bytes, into *secret (OUT, secret_dispose): stored sealed,
 * never in the clear. ERR_CONFLICT past WEBHOOK_SUBSCRIPTIONS_MAX. */
MUST_CHECK int webhook_subscription_create(struct webhook_subscription *out, struct secret *secret,
                                           struct db *db, const struct vault *v,
                                           const char *tenant_id,
                                           const struct webhook_subscription_in *in, int64_t now,
                                           struct err *err);

/* Read one. ERR_NOTFOUND ("no webhook subscription <id>"). */
MUST_CHECK int webhook_subscription_get(struct webhook_subscription *out, struct db *db,
                                        const char *tenant_id, const char *id, struct err *err);

/* Change subscription id as ch says, stamping updated_at. ERR_NOTFOUND. */
MUST_CHECK int webhook_subscription_update(struct db *db, const char *tenant_id, const char *id,
                                           const struct webhook_subscription_change *ch,
                                           int64_t now, struct err *err);

/* Replace the secret of subscription id by a new one, into *secret (OUT,
 * secret_dispose). ERR_NOTFOUND. */
MUST_CHECK int webhook_subscription_rotate(struct secret *secret, struct db *db,
                                           const struct vault *v, const char *tenant_id,
                                           const char *id, int64_t now, struct err *err);

/* Open subscription id's secret into *secret (OUT, secret_dispose).
 * ERR_NOTFOUND; ERR_CRYPTO when the seal does not open. */
MUST_CHECK int webhook_subscription_open(struct secret *secret, struct db *db,
                                         const struct vault *v, const char *tenant_id,
                                         const char *id, struct err *err);

/* Open a sealed secret read from subscription id's row (the senders read
 * it in their claim) into *secret (OUT, secret_dispose). Errors as
 * sealed_open. */
MUST_CHECK int webhook_subscription_unseal(struct secret *secret, const struct vault *v,
                                           const char *tenant_id, const char *id, const void *blob,
                                           size_t n, struct err *err);

typedef int (*webhook_subscription_fn)(void *ctx, const struct webhook_subscription *s);

/* Call fn for up to limit (1..WEBHOOK_SUBSCRIPTION_LIST) of the tenant's
 * subscriptions in id order (creation order), after id `after` when not
 * NULL; *more (OUT) says whether more follow. The page is read whole
 * before the callbacks run, which must not use db; the subscription is
 * borrowed for the call; a nonzero return stops and is returned. */
MUST_CHECK int webhook_subscription_list(bool *more, struct db *db, const char *tenant_id,
                                         const char *after, int limit, webhook_subscription_fn fn,
                                         void *ctx, struct err *err);

/* Delete subscription id and, with it, its deliveries. ERR_NOTFOUND. */
MUST_CHECK int webhook_subscription_delete(struct db *db, const char *tenant_id, const char *id,
                                           struct err *err);

/* The tenant's enabled subscriptions into out (room for
 * WEBHOOK_SUBSCRIPTIONS_MAX; *n of them, by id): one query on the
 * tenant's key, the whole cost of an event nobody listens to. */
MUST_CHECK int webhook_subscription_enabled(struct webhook_subscription_ref *out, size_t *n,
                                            struct db *db, const char *tenant_id, struct err *err);

/* Whether a stored events array (text) names type or "*". */
bool webhook_subscription_listens(const char *events, const char *type);

#endif
