/* webhook/verify.h - is this inbound webhook delivery authentic? One check
 * per provider signing scheme (Slack, GitHub, HubSpot, Zendesk, Intercom,
 * Jira, Standard Webhooks): the headers' presence and shape, the timestamp
 * window both ways, then the signature in constant time. Pure: no I/O and
 * no clock (the caller passes now). Used by api/ for the inbound webhook
 * routes; docs/webhooks.md describes each scheme for connector authors. */
#ifndef INLET_WEBHOOK_VERIFY_H
#define INLET_WEBHOOK_VERIFY_H
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/secret.h"

enum webhook_scheme {
    WEBHOOK_SLACK_V0,          /* X-Slack-Signature, v0=hex HMAC-SHA256 */
    WEBHOOK_GITHUB_SHA256,     /* X-Hub-Signature-256, sha256=hex HMAC-SHA256 */
    WEBHOOK_HUBSPOT_V3,        /* X-HubSpot-Signature-v3, base64 HMAC-SHA256 */
    WEBHOOK_HUBSPOT_V1,        /* X-HubSpot-Signature, hex SHA-256 of secret + body */
    WEBHOOK_HUBSPOT_V2,        /* the same over secret + method + URI + body */
    WEBHOOK_ZENDESK,           /* X-Zendesk-Webhook-Signature, base64 HMAC-SHA256 */
    WEBHOOK_INTERCOM_SHA1,     /* X-Hub-Signature, sha1=hex HMAC-SHA1 */
    WEBHOOK_JIRA_SHA256,       /* X-Hub-Signature, sha256=hex HMAC-SHA256 */
    WEBHOOK_STANDARD_WEBHOOKS, /* webhook-signature, v1,base64 HMAC-SHA256 */
};
#define WEBHOOK_SCHEME_COUNT 9

#define WEBHOOK_WINDOW_DEFAULT 300   /* seconds: the 5 minutes every provider documents */
#define WEBHOOK_WINDOW_MAX     86400 /* seconds: the most a caller may allow */
#define WEBHOOK_HEADER_MAX     1024  /* bytes of a header value we read */
#define WEBHOOK_URI_MAX        8192  /* bytes of the request URI (HubSpot v2 and v3 sign it) */
#define WEBHOOK_ID_MAX         128   /* bytes of a delivery id */

/* The names connector files use: "slack_v0", "github_sha256",
 * "hubspot_v3", "hubspot_v1", "hubspot_v2", "zendesk", "intercom_sha1",
 * "jira_sha256", "standard_webhooks". A '-' may stand for any '_'
 * ("standard-webhooks" is the spec's own spelling); nothing else varies
 * (lower case only, no other aliases). ERR_INVALID naming the accepted
 * names otherwise. */
MUST_CHECK int webhook_scheme_parse(enum webhook_scheme *out, const char *name, struct err *err);

/* The canonical name of scheme (the first spelling above), static. */
const char *webhook_scheme_name(enum webhook_scheme scheme);

/* Whether secret is usable for scheme, for when it is saved: not empty, at
 * most 1024 bytes, and for Standard Webhooks "whsec_" and the padded base64
 * of 24 to 64 bytes. ERR_INVALID saying what is wrong, never quoting it. */
MUST_CHECK int webhook_secret_check(enum webhook_scheme scheme, const struct secret *secret,
                                    struct err *err);

/* The value of the request header called name (ASCII, any case: the
 * function must match without regard to case), NUL-terminated and as
 * received, or NULL when the request has none. The pointer need only live
 * until webhook_verify returns. */
typedef const char *(*webhook_header_fn)(void *ctx, const char *name);

struct webhook_request {
    const char *method;       /* "POST", as received; HubSpot v2 and v3 sign it */
    const char *uri;          /* the full URI the provider called (scheme, host, path, query)
                                 as it sent it: HubSpot v2 and v3 sign it; may be NULL for
                                 the other schemes */
    webhook_header_fn header; /* looks up a header; never NULL */
    void *header_ctx;         /* passed to header */
    const void *body;         /* the raw body, byte for byte as received (never re-encoded);
                                 may be NULL when body_n is 0 */
    size_t body_n;            /* bytes; the caller has capped it */
};

struct webhook_verified {
    char id[WEBHOOK_ID_MAX + 1]; /* the provider's delivery id, "" when the scheme sends none
                                    (Slack, HubSpot, Intercom: the caller hashes the body) */
    int64_t ts_ms;               /* the signed timestamp, Unix ms; 0 when the scheme has none */
};

/* Check that req is a delivery signed under scheme with secret, at most
 * window_s seconds (1..WEBHOOK_WINDOW_MAX, asserted) before or after now
 * (Unix seconds) for the schemes that sign a timestamp (Slack, HubSpot v3,
 * Zendesk, Standard Webhooks). A timestamp exactly window_s away passes.
 * Schemes without one (GitHub, HubSpot v1/v2, Intercom, Jira) cannot tell
 * a replay: the delivery id, where there is one, is the only defence.
 *
 * On 0, *out (OUT) holds the delivery id and timestamp; an id that the
 * signature does not cover (GitHub, Zendesk, Jira) can be trusted only to
 * dedupe honest retries. The codes, for api/ to map:
 *   ERR_CRYPTO   the delivery is not authentic (401): a signature,
 *                timestamp or (Standard Webhooks) id header missing, the
 *                timestamp outside the window, or no signature that matches;
 *   ERR_INVALID  a header or the URI is malformed or over its cap (400);
 *   ERR_IO       the configured secret is unusable (500; webhook_secret_check
 *                finds this when the secret is saved).
 * The message names the header and what is wrong, e.g. "X-Slack-Request-
 * Timestamp: 601 s old, over the 300 s window"; it never holds the secret,
 * a computed signature or a received header value. */
MUST_CHECK int webhook_verify(enum webhook_scheme scheme, const struct webhook_request *req,
                              const struct secret *secret, int64_t now, int64_t window_s,
                              struct webhook_verified *out, struct err *err);

#endif
