/* store/notify_channel.h - a tenant's notification channels (table
 * notification_channels): kind, name, the events it listens to, whether
 * it is on, its settings sealed whole (they hold the secrets), and beside
 * them the summary the API shows (notify/config.h makes both). Runs inside
 * the caller's tenant transaction. */
#ifndef INLET_STORE_NOTIFY_CHANNEL_H
#define INLET_STORE_NOTIFY_CHANNEL_H
#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/id.h"
#include "core/secret.h"
#include "crypto/vault.h"
#include "db/db.h"

#define NOTIFY_CHANNELS_MAX 50 /* channels per tenant */

/* One channel as stored; strings owned (notify_channel_dispose). */
struct notify_channel {
    char id[ID_MAX]; /* "nch_..." */
    char kind[16];   /* slack, webhook, email */
    char *name;
    char *events;  /* JSON array text */
    char *summary; /* JSON object text: the config with secrets as "set" */
    bool enabled;
    int64_t created_at, updated_at; /* unix seconds */
};

/* What create and replace store; all borrowed, all required. */
struct notify_channel_in {
    const char *kind, *name;
    const char *events;          /* checked JSON array text (notify_events_check) */
    const char *summary;         /* notify_config_summary */
    const struct secret *config; /* notify_config_seal_text: sealed here */
    bool enabled;
};

void notify_channel_dispose(struct notify_channel *c);

/* Create a channel of tenant_id; its id into id (OUT). ERR_CONFLICT when
 * the tenant has NOTIFY_CHANNELS_MAX already. */
MUST_CHECK int notify_channel_create(char id[ID_MAX], struct db *db, const struct vault *v,
                                     const char *tenant_id, const struct notify_channel_in *in,
                                     int64_t now, struct err *err);

/* Replace everything of channel id (its id and created_at stay).
 * ERR_NOTFOUND when the tenant has no such channel. */
MUST_CHECK int notify_channel_replace(struct db *db, const struct vault *v, const char *tenant_id,
                                      const char *id, const struct notify_channel_in *in,
                                      int64_t now, struct err *err);

/* Read one into *out (OUT, notify_channel_dispose). ERR_NOTFOUND ("no
 * notification channel <id>"). */
MUST_CHECK int notify_channel_get(struct notify_channel *out, struct db *db, const char *tenant_id,
                                  const char *id, struct err *err);

/* Open channel id's sealed settings into *config (OUT, secret_dispose).
 * ERR_NOTFOUND; ERR_CRYPTO when the seal does not open. */
MUST_CHECK int notify_channel_open(struct secret *config, struct db *db, const struct vault *v,
                                   const char *tenant_id, const char *id, struct err *err);

/* Open a sealed settings blob read from channel id's row (the claim of
 * deliveries reads it in a join) into *config (OUT, secret_dispose).
 * Errors as sealed_open. */
MUST_CHECK int notify_channel_unseal(struct secret *config, const struct vault *v,
                                     const char *tenant_id, const char *id, const void *blob,
                                     size_t n, struct err *err);

typedef int (*notify_channel_fn)(void *ctx, const struct notify_channel *c);

/* Call fn for each of the tenant's channels in id order (creation order
 * to the millisecond); the channel is borrowed for the call, and the callback must not
 * use db. A nonzero return stops and is returned. */
MUST_CHECK int notify_channel_list(struct db *db, const char *tenant_id, notify_channel_fn fn,
                                   void *ctx, struct err *err);

/* Delete channel id and, with it, its deliveries. ERR_NOTFOUND. */
MUST_CHECK int notify_channel_delete(struct db *db, const char *tenant_id, const char *id,
                                     struct err *err);

/* Append c as the API's JSON object: {"id","kind","name","events":[...],
 * "enabled","config":{...},"created_at","updated_at"}. */
void notify_channel_format(const struct notify_channel *c, struct buf *b);

#endif
