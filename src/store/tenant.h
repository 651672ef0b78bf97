/* store/tenant.h - tenants and their API keys. A key is shown once, when it
 * is made; the database keeps only its SHA-256, so a stolen database yields
 * no usable key. Used by the command line (`inlet tenant ...`), by
 * api/auth.c to authenticate requests and by api/tenants.c, where platform
 * keys provision tenants (docs/embedding.md). */
#ifndef INLET_STORE_TENANT_H
#define INLET_STORE_TENANT_H
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "core/id.h"
#include "core/secret.h"
#include "db/db.h"

#define TENANT_KEY_PREFIX   "inlet_sk_"
#define TENANT_KEY_RANDOM   32  /* random bytes in a key: 256 bits */
#define TENANT_NAME_MAX     100 /* bytes of a tenant name */
#define TENANT_KEY_TEXT_MAX 128 /* bytes of a key as a client may send it */

/* Check a tenant name as tenant_create would, touching nothing: ERR_INVALID
 * for an empty name, one over TENANT_NAME_MAX bytes, or one holding control
 * characters. */
MUST_CHECK int tenant_name_check(const char *name, struct err *err);

/* Create a tenant called name and its first API key, in one transaction.
 * id (OUT) gets the tenant id, key (OUT, secret_dispose) the key text, which
 * is stored nowhere. ERR_INVALID for an empty name, one over TENANT_NAME_MAX
 * bytes or one with control characters; ERR_CONFLICT when a tenant has that
 * name already; db errors as they come. */
MUST_CHECK int tenant_create(char id[ID_MAX], struct secret *key, struct db *db, const char *name,
                             struct err *err);

/* tenant_create's work inside the caller's transaction (db_begin), at
 * now, so that the caller's audit entry commits with it. */
MUST_CHECK int tenant_insert(char id[ID_MAX], struct secret *key, struct db *db, const char *name,
                             int64_t now, struct err *err);

/* tenant_key_rotate's work inside the caller's transaction, at now. */
MUST_CHECK int tenant_key_replace(struct secret *key, struct db *db, const char *tenant_id,
                                  int64_t now, struct err *err);

/* Revoke every key of tenant_id and make a new one, in one transaction.
 * key (OUT, secret_dispose) gets it. ERR_NOTFOUND for an unknown tenant. */
MUST_CHECK int tenant_key_rotate(struct secret *key, struct db *db, const char *tenant_id,
                                 struct err *err);

/* Authenticate an API key: tenant_id and key_id (OUT) get its tenant and
 * its key id (the actor recorded in the audit log), *suspended_at (OUT,
 * may be NULL) when the tenant was suspended, 0 while it is active (a
 * suspended tenant's key is still its key: the caller refuses it, saying
 * why). ERR_NOTFOUND ("unknown or revoked API key") for anything that is
 * not a live key, malformed text included; the message never repeats the
 * key. */
MUST_CHECK int tenant_key_verify(char tenant_id[ID_MAX], char key_id[ID_MAX], int64_t *suspended_at,
                                 struct db *db, const char *key, size_t n, struct err *err);

/* The tenant's data_version (OUT): a counter that every change to its
 * integrations or their credentials moves forward (database triggers, so
 * every process sees it), for caching answers built from them. Runs one
 * statement, in or out of a transaction. ERR_NOTFOUND for an unknown
 * tenant. */
MUST_CHECK int tenant_data_version(int64_t *out, struct db *db, const char *tenant_id,
                                   struct err *err);

struct tenant_info {
    char id[ID_MAX];
    char name[TENANT_NAME_MAX + 1];
    int64_t created_at;   /* unix seconds */
    int64_t suspended_at; /* unix seconds; 0 while active */
    int64_t live_keys;    /* keys not revoked */
};

/* Read tenant id into *out. ERR_NOTFOUND ("no tenant <id>"). Runs outside
 * any tenant's transaction (db_begin, or none). */
MUST_CHECK int tenant_get(struct tenant_info *out, struct db *db, const char *id, struct err *err);

/* Called once per tenant, oldest first; t is borrowed for the call; a
 * nonzero return stops the listing and is returned by tenant_list. */
typedef int (*tenant_list_fn)(void *ctx, const struct tenant_info *t);

/* List the tenants after id `after` (NULL: from the first), at most limit
 * of them (0: all), oldest first. *more (OUT, may be NULL) says whether
 * others follow the last one given. Returns 0, the callback's nonzero
 * value, or a db error. */
MUST_CHECK int tenant_list(bool *more, struct db *db, const char *after, int limit,
                           tenant_list_fn fn, void *ctx, struct err *err);

/* Suspend tenant id at now (suspend true; a suspended tenant keeps the
 * time it was first suspended) or make it active again (false). *out
 * (OUT, may be NULL) gets the tenant after the change. ERR_NOTFOUND. */
MUST_CHECK int tenant_suspend(struct tenant_info *out, struct db *db, const char *id, bool suspend,
                              int64_t now, struct err *err);

/* Delete tenant id and everything that is its (every table's foreign key
 * cascades from tenants), inside the caller's transaction: the caller has
 * purged what the cascade does not reach (the raw tables, see
 * records_query_purge_tenant). ERR_NOTFOUND. */
MUST_CHECK int tenant_delete(struct db *db, const char *id, struct err *err);

#endif
