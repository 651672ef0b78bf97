/* notify/whsig.h - Standard Webhooks signatures (v1, HMAC-SHA256): what
 * inlet's signed webhook channel puts in webhook-signature, and the check
 * a receiver makes, which tests and docs/notifications.md use. The signed
 * content is "{webhook-id}.{webhook-timestamp}.{body}"; the key is the
 * base64 after "whsec_" of the channel's secret. */
#ifndef INLET_NOTIFY_WHSIG_H
#define INLET_NOTIFY_WHSIG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/encode.h"
#include "core/err.h"
#include "core/secret.h"
#include "crypto/hash.h"

#define WHSIG_PREFIX     "whsec_"
#define WHSIG_KEY_MIN    24 /* bytes of a key (the spec's range) */
#define WHSIG_KEY_MAX    64
#define WHSIG_ID_MAX     128  /* bytes of a webhook-id */
#define WHSIG_HEADER_MAX 1024 /* bytes of a webhook-signature value we read */
/* "v1," and the base64 of one HMAC-SHA256, and a NUL. */
#define WHSIG_SIG_LEN (3 + ENCODE_B64_LEN(HASH_SHA256_LEN) + 1)

#define WHSIG_SECRET_RANDOM 32 /* bytes of a secret inlet makes */
/* Bytes of such a secret as text: "whsec_", the base64, and a NUL. */
#define WHSIG_SECRET_TEXT_MAX (6 + ENCODE_B64_LEN(WHSIG_SECRET_RANDOM) + 1)

/* A new secret: "whsec_" and the padded base64 of WHSIG_SECRET_RANDOM
 * random bytes, into *out (OUT, secret_dispose). For the secrets inlet
 * makes and shows once (inbound webhook endpoints, the host's event
 * subscriptions). */
void whsig_secret_new(struct secret *out);

/* Decode secret ("whsec_" and padded base64 of WHSIG_KEY_MIN..MAX bytes)
 * into *key (OUT, secret_dispose). ERR_INVALID naming what is wrong,
 * never quoting the secret. */
MUST_CHECK int whsig_key_parse(struct secret *key, const char *secret, size_t n, struct err *err);

/* The webhook-signature value "v1,<base64>" for message id at timestamp
 * ts (Unix seconds) over the body's n bytes, into out. id must not hold
 * '.' nor be longer than WHSIG_ID_MAX (asserted: inlet makes the ids). */
void whsig_sign(char out[WHSIG_SIG_LEN], const struct secret *key, const char *id, int64_t ts,
                const void *body, size_t n);

/* True when one of the space-separated signatures in header is a v1
 * signature of (id, ts_text, body) under key, each compared in constant
 * time. Entries that are not "v1," and the base64 of one digest (other
 * versions, junk) are skipped. Checks nothing else: whsig_verify and
 * webhook/verify.c validate the headers and the window first. */
bool whsig_match(const struct secret *key, const char *id, const char *ts_text, const char *header,
                 const void *body, size_t n);

/* A receiver's check: 0 when one of the space-separated signatures in
 * header (as received) is a v1 signature of (id, ts, body) under key, in
 * constant time per candidate, and ts is within tolerance_s seconds of
 * now (Unix seconds; tolerance 0: not checked). ERR_INVALID otherwise,
 * saying which (no matching signature, timestamp too old or too new). */
MUST_CHECK int whsig_verify(const struct secret *key, const char *id, const char *ts_text,
                            const char *header, const void *body, size_t n, int64_t now,
                            int64_t tolerance_s, struct err *err);

#endif
