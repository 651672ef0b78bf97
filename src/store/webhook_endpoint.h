/* store/webhook_endpoint.h - where pushed data comes in (table
 * webhook_endpoints): an endpoint has a kind ("n8n": records pushed by a
 * workflow tool), a name, an optional integration it is bound to, an API
 * key that authenticates its deliveries and, optionally, a Standard
 * Webhooks signing secret (sealed) with its timestamp window. The key is
 * stored only as its SHA-256 (inbound_key), so a delivery is resolved to
 * its endpoint, and so to its tenant, before the tenant is known; the key
 * and the secret are shown once, when made. Runs in the caller's
 * transaction: a tenant one, except webhook_endpoint_find (system). */
#ifndef INLET_STORE_WEBHOOK_ENDPOINT_H
#define INLET_STORE_WEBHOOK_ENDPOINT_H
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "core/id.h"
#include "core/secret.h"
#include "crypto/vault.h"
#include "db/db.h"

#define WEBHOOK_KEY_PREFIX    "inlet_whk_"
#define WEBHOOK_KEY_TEXT_MAX  128 /* bytes of a key as a sender may send it */
#define WEBHOOK_NAME_MAX      200 /* bytes of an endpoint's name */
#define WEBHOOK_ENDPOINTS_MAX 100 /* endpoints per tenant */

struct webhook_endpoint {
    char id[ID_MAX]; /* "whe_..." */
    char tenant_id[ID_MAX];
    char integration_id[ID_MAX]; /* "" when tenant-wide */
    char kind[16];               /* n8n */
    char name[WEBHOOK_NAME_MAX + 1];
    bool signed_; /* has a signing secret: deliveries must carry a valid signature */
    int64_t window_s;
    bool enabled;
    int64_t created_at, updated_at; /* unix seconds */
};

/* What create stores; borrowed. */
struct webhook_endpoint_in {
    const char *kind, *name;
    const char *integration_id; /* NULL: tenant-wide */
    bool sign;                  /* make a signing secret */
    int64_t window_s;           /* 1..WEBHOOK_WINDOW_MAX (webhook/verify.h) */
};

/* Create an endpoint of tenant_id into *out (OUT). *key (OUT,
 * secret_dispose) gets its API key and, when in->sign, *secret (OUT,
 * secret_dispose; empty otherwise) its "whsec_..." signing secret: both
 * are stored nowhere in the clear. ERR_NOTFOUND for an integration the
 * tenant does not have; ERR_CONFLICT past WEBHOOK_ENDPOINTS_MAX. */
MUST_CHECK int webhook_endpoint_create(struct webhook_endpoint *out, struct secret *key,
                                       struct secret *secret, struct db *db, const struct vault *v,
                                       const char *tenant_id, const struct webhook_endpoint_in *in,
                                       int64_t now, struct err *err);

/* Read endpoint id of tenant_id. ERR_NOTFOUND ("no webhook endpoint ID"). */
MUST_CHECK int webhook_endpoint_get(struct webhook_endpoint *out, struct db *db,
                                    const char *tenant_id, const char *id, struct err *err);

typedef int (*webhook_endpoint_fn)(void *ctx, const struct webhook_endpoint *e);

/* Call fn for each of the tenant's endpoints, oldest first; a nonzero
 * return stops and is returned. */
MUST_CHECK int webhook_endpoint_list(struct db *db, const char *tenant_id, webhook_endpoint_fn fn,
                                     void *ctx, struct err *err);

/* Delete endpoint id and its deliveries. ERR_NOTFOUND. */
MUST_CHECK int webhook_endpoint_delete(struct db *db, const char *tenant_id, const char *id,
                                       struct err *err);

/* The enabled endpoint of kind whose API key is key (n bytes), across
 * tenants: system code, outside any tenant transaction. ERR_NOTFOUND
 * ("unknown or revoked webhook key") for anything else, malformed text
 * included; the message never repeats the key. */
MUST_CHECK int webhook_endpoint_find(struct webhook_endpoint *out, struct db *db, const char *kind,
                                     const char *key, size_t n, struct err *err);

/* Open e's signing secret into *secret (OUT, secret_dispose), the
 * "whsec_..." text. ERR_NOTFOUND when e has none; ERR_CRYPTO when the seal
 * does not open. */
MUST_CHECK int webhook_endpoint_secret(struct secret *secret, struct db *db, const struct vault *v,
                                       const struct webhook_endpoint *e, struct err *err);

#endif
