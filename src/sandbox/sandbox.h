/* sandbox/sandbox.h - `inlet sandbox`: local emulators of the providers
 * (Salesforce first; HubSpot and Slack follow), each on its own loopback
 * port with the real provider's paths, so that a connector only swaps the
 * origin of its URLs: Salesforce on the base port, HubSpot on the next,
 * Slack on the one after (docs/sandbox.md). Each serves its OAuth 2.0
 * authorization server, its data API and the /_sandbox/ control API. */
#ifndef INLET_SANDBOX_SANDBOX_H
#define INLET_SANDBOX_SANDBOX_H
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

enum sandbox_provider {
    SANDBOX_SALESFORCE = 0,
    SANDBOX_HUBSPOT = 1,
    SANDBOX_SLACK = 2,
    SANDBOX_PROVIDERS = 3,
};

#define SANDBOX_DEFAULT_PORT    8900
#define SANDBOX_DEFAULT_RECORDS 200

struct sandbox_opts {
    const char *host;   /* "127.0.0.1" */
    int port;           /* the base port; 0: free ports (tests) */
    unsigned providers; /* bit (1u << enum sandbox_provider) per provider; 0: all built */
    size_t records;     /* per object */
    uint64_t seed;      /* of the data set */
    int token_ttl_s;    /* access token lifetime; 0: the provider's own (Salesforce 2 h, HubSpot 30
                           min, Slack 12 h) */
    int64_t now_ms;     /* the data set's "now"; 0: the clock */
    const char *faults; /* faults every provider starts with: "name=value,..." as
                           /_sandbox/faults takes them (docs/sandbox.md); NULL: none */
};

struct sandbox;

/* Generate the data and start one server per provider. *out (OUT) is the
 * caller's (sandbox_stop). ERR_INVALID for options out of range, a
 * provider not built yet, or faults that do not parse; errors of http_server_start. */
MUST_CHECK int sandbox_start(struct sandbox **out, const struct sandbox_opts *o, struct err *err);

/* The port provider p listens on; 0 when it is not running. */
int sandbox_port(const struct sandbox *s, enum sandbox_provider p);

/* Stop every server and free s. NULL is a no-op. */
void sandbox_stop(struct sandbox *s);

/* The OAuth client each emulator registers (public by design: a sandbox
 * holds nothing worth protecting; docs/sandbox.md). */
const char *sandbox_client_id(enum sandbox_provider p);
const char *sandbox_client_secret(enum sandbox_provider p);
/* The secret p's emulator signs webhook deliveries with when its provider
 * has one apart from the client secret (Slack's signing secret); NULL for
 * the others. Public by design, as the clients are. */
const char *sandbox_signing_secret(enum sandbox_provider p);

/* "salesforce", "hubspot", "slack". */
const char *sandbox_provider_name(enum sandbox_provider p);

#endif
