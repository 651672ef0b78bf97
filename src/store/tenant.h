/* store/tenant.h - tenants and their API keys. A key is shown once, when it
 * is made; the database keeps only its SHA-256, so a stolen database yields
 * no usable key. Used by the command line (`inlet tenant ...`) and, later,
 * by api/auth.c to authenticate requests. */
#ifndef INLET_STORE_TENANT_H
#define INLET_STORE_TENANT_H
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

/* Revoke every key of tenant_id and make a new one, in one transaction.
 * key (OUT, secret_dispose) gets it. ERR_NOTFOUND for an unknown tenant. */
MUST_CHECK int tenant_key_rotate(struct secret *key, struct db *db, const char *tenant_id,
                                 struct err *err);

/* Authenticate an API key: tenant_id and key_id (OUT) get its tenant and
 * its key id (the actor recorded in the audit log). ERR_NOTFOUND ("unknown
 * or revoked API key") for anything that is not a live key, malformed text
 * included; the message never repeats the key. */
MUST_CHECK int tenant_key_verify(char tenant_id[ID_MAX], char key_id[ID_MAX], struct db *db,
                                 const char *key, size_t n, struct err *err);

/* The tenant's data_version (OUT): a counter that every change to its
 * integrations or their credentials moves forward (database triggers, so
 * every process sees it), for caching answers built from them. Runs one
 * statement, in or out of a transaction. ERR_NOTFOUND for an unknown
 * tenant. */
MUST_CHECK int tenant_data_version(int64_t *out, struct db *db, const char *tenant_id,
                                   struct err *err);

struct tenant_info {
    const char *id;     /* borrowed, valid during the callback */
    const char *name;   /* borrowed, valid during the callback */
    int64_t created_at; /* unix seconds */
    int64_t live_keys;  /* keys not revoked */
};

/* Called once per tenant, oldest first; a nonzero return stops the listing
 * and is returned by tenant_list. */
typedef int (*tenant_list_fn)(void *ctx, const struct tenant_info *t);

/* List every tenant. Returns 0, the callback's nonzero value, or a db error. */
MUST_CHECK int tenant_list(struct db *db, tenant_list_fn fn, void *ctx, struct err *err);

#endif
