/* store/platform_key.h - platform API keys: the keys of the host product
 * that embeds inlet, which create, suspend and delete tenants and act on
 * behalf of any one of them (docs/embedding.md). Like tenant keys they are
 * shown once and stored only as their SHA-256. Made and revoked with the
 * command line (`inlet platform ...`), checked by api/auth.c. */
#ifndef INLET_STORE_PLATFORM_KEY_H
#define INLET_STORE_PLATFORM_KEY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/id.h"
#include "core/secret.h"
#include "db/db.h"

#define PLATFORM_KEY_PREFIX "inlet_pk_"
#define PLATFORM_KEY_RANDOM 32  /* random bytes in a key: 256 bits */
#define PLATFORM_NAME_MAX   100 /* bytes of a key's name */

/* Make a platform key called name (may be "", at most PLATFORM_NAME_MAX
 * bytes, no control characters, else ERR_INVALID). id (OUT) gets its id,
 * key (OUT, secret_dispose) its text, which is stored nowhere. */
MUST_CHECK int platform_key_create(char id[ID_MAX], struct secret *key, struct db *db,
                                   const char *name, int64_t now, struct err *err);

/* Revoke key id at now. ERR_NOTFOUND for no such live key. */
MUST_CHECK int platform_key_revoke(struct db *db, const char *id, int64_t now, struct err *err);

/* Authenticate a platform key: key_id (OUT) gets its id. ERR_NOTFOUND
 * ("unknown or revoked API key") for anything that is not a live platform
 * key, malformed text included; the message never repeats the key. */
MUST_CHECK int platform_key_verify(char key_id[ID_MAX], struct db *db, const char *key, size_t n,
                                   struct err *err);

/* True when text (n bytes) has the platform key prefix: a request with it
 * is a platform's, whatever else it holds. */
bool platform_key_looks(const char *text, size_t n);

struct platform_key_info {
    const char *id, *name, *prefix; /* borrowed for the callback */
    int64_t created_at, revoked_at; /* unix seconds; revoked_at 0 while live */
};

/* Every platform key, oldest first; a nonzero return of fn stops and is
 * returned. */
typedef int (*platform_key_list_fn)(void *ctx, const struct platform_key_info *k);
MUST_CHECK int platform_key_list(struct db *db, platform_key_list_fn fn, void *ctx,
                                 struct err *err);

#endif
