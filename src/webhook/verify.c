/* webhook/verify.c - see verify.h. Each scheme is a short function over
 * the same steps, in the same order: required headers present (else 401),
 * every header well formed (else 400), the timestamp inside the window,
 * then one digest computed here and compared with the received one in
 * constant time. The received signature is decoded to bytes first, so the
 * comparison has a fixed length and never depends on its spelling.
 * Standard Webhooks reuses notify/whsig.c, which signs inlet's own. */
#include "webhook/verify.h"

#include <assert.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/buf.h"
#include "core/encode.h"
#include "core/str.h"
#include "core/time.h"
#include "crypto/hash.h"
#include "notify/whsig.h"

#define SECRET_MAX   1024 /* bytes of a configured secret */
#define SHA1_LEN     20   /* bytes of an HMAC-SHA1 */
#define SECONDS_MAX  12   /* digits of a Unix-seconds timestamp (past year 33000) */
#define MILLIS_MAX   15   /* digits of a Unix-milliseconds one */
#define B64_SHA256_N ENCODE_B64_LEN((size_t)HASH_SHA256_LEN)

static const char *const names[WEBHOOK_SCHEME_COUNT] = {
    [WEBHOOK_SLACK_V0] = "slack_v0",
    [WEBHOOK_GITHUB_SHA256] = "github_sha256",
    [WEBHOOK_HUBSPOT_V3] = "hubspot_v3",
    [WEBHOOK_HUBSPOT_V1] = "hubspot_v1",
    [WEBHOOK_HUBSPOT_V2] = "hubspot_v2",
    [WEBHOOK_ZENDESK] = "zendesk",
    [WEBHOOK_INTERCOM_SHA1] = "intercom_sha1",
    [WEBHOOK_JIRA_SHA256] = "jira_sha256",
    [WEBHOOK_STANDARD_WEBHOOKS] = "standard_webhooks",
};

int webhook_scheme_parse(enum webhook_scheme *out, const char *name, struct err *err)
{
    size_t n = name ? strlen(name) : 0;
    for (int i = 0; i < WEBHOOK_SCHEME_COUNT; i++) {
        const char *want = names[i];
        if (strlen(want) != n)
            continue;
        size_t j = 0;
        while (j < n && (name[j] == want[j] || (name[j] == '-' && want[j] == '_')))
            j++;
        if (j == n) {
            *out = (enum webhook_scheme)i;
            return 0;
        }
    }
    return err_set(err, ERR_INVALID,
                   "webhook scheme: expected slack_v0, github_sha256, hubspot_v3, hubspot_v1, "
                   "hubspot_v2, zendesk, intercom_sha1, jira_sha256 or standard_webhooks");
}

const char *webhook_scheme_name(enum webhook_scheme scheme)
{
    assert(scheme >= 0 && scheme < WEBHOOK_SCHEME_COUNT);
    return names[scheme];
}

/* The checks both webhook_secret_check and webhook_verify make; code says
 * whose fault an unusable secret is at that point. key (OUT) receives the
 * decoded Standard Webhooks key when not NULL. */
static int secret_usable(struct secret *key, enum webhook_scheme scheme,
                         const struct secret *secret, enum err_code code, struct err *err)
{
    struct err e;

    if (!secret || secret->n == 0)
        return err_set(err, code, "webhook secret: empty");
    if (secret->n > SECRET_MAX)
        return err_set(err, code, "webhook secret: over %d bytes", SECRET_MAX);
    if (scheme != WEBHOOK_STANDARD_WEBHOOKS)
        return 0;
    struct secret k;
    if (whsig_key_parse(&k, (const char *)secret->p, secret->n, &e) < 0)
        return err_set(err, code, "webhook secret: %s", e.msg); /* never quotes it */
    if (key)
        *key = k;
    else
        secret_dispose(&k);
    return 0;
}

int webhook_secret_check(enum webhook_scheme scheme, const struct secret *secret, struct err *err)
{
    assert(scheme >= 0 && scheme < WEBHOOK_SCHEME_COUNT);
    return secret_usable(NULL, scheme, secret, ERR_INVALID, err);
}

/* ---- headers ---------------------------------------------------------- */

/* *out = the header's value; absent or empty is ERR_CRYPTO when required
 * (an unsigned request is unauthenticated, not malformed), else NULL. */
static int header_get(const char **out, const struct webhook_request *req, const char *name,
                      bool required, struct err *err)
{
    const char *v = req->header(req->header_ctx, name);

    /* The codes are returned as constants, not err_set's result, so that
     * the analyser sees *out set whenever 0 comes back for a required one. */
    *out = NULL;
    if (!v || !*v) {
        if (!required)
            return 0;
        err_set(err, ERR_CRYPTO, "%s: missing", name);
        return ERR_CRYPTO;
    }
    if (strnlen(v, WEBHOOK_HEADER_MAX + 1) > WEBHOOK_HEADER_MAX) {
        err_set(err, ERR_INVALID, "%s: over %d bytes", name, WEBHOOK_HEADER_MAX);
        return ERR_INVALID;
    }
    *out = v;
    return 0;
}

/* All of s as 1 to max decimal digits: no sign, no space. */
static bool digits_parse(int64_t *out, const char *s, size_t max)
{
    size_t n = strspn(s, "0123456789");
    if (n == 0 || n > max || s[n] != '\0')
        return false;
    *out = 0;
    for (size_t i = 0; i < n; i++)
        *out = *out * 10 + (s[i] - '0');
    return true;
}

/* A delivery id we will store and compare: 1 to WEBHOOK_ID_MAX printable
 * ASCII characters, no space (and no '.' where Standard Webhooks forbids
 * it), copied into out. */
static int id_take(char out[WEBHOOK_ID_MAX + 1], const char *v, const char *name, bool no_dot,
                   struct err *err)
{
    size_t n = 0;
    while (v[n] >= 0x21 && v[n] <= 0x7e && !(no_dot && v[n] == '.'))
        n++;
    if (n == 0 || n > WEBHOOK_ID_MAX || v[n] != '\0')
        return err_set(err, ERR_INVALID, "%s: not 1 to %d printable ASCII characters%s", name,
                       WEBHOOK_ID_MAX, no_dot ? " without '.'" : "");
    memcpy(out, v, n + 1);
    return 0;
}

/* The hex digest after prefix, exactly 2 * len digits (either case). */
static int sig_hex(unsigned char *out, size_t len, const char *v, const char *prefix,
                   const char *name, struct err *err)
{
    size_t plen = strlen(prefix), got = 0;
    struct err e;

    if (strncmp(v, prefix, plen) != 0 || strlen(v + plen) != ENCODE_HEX_LEN(len) ||
        encode_hex_parse(out, &got, v + plen, ENCODE_HEX_LEN(len), NULL, &e) < 0 || got != len)
        return err_set(err, ERR_INVALID, "%s: not %s<%zu hex>", name, prefix, ENCODE_HEX_LEN(len));
    return 0;
}

/* Padded base64 of exactly one SHA-256 digest. */
static int sig_b64(unsigned char out[HASH_SHA256_LEN], const char *v, const char *name,
                   struct err *err)
{
    unsigned char raw[ENCODE_B64_DECODED_MAX(B64_SHA256_N)];
    size_t got = 0;
    struct err e;

    if (strlen(v) != B64_SHA256_N || encode_b64_parse(raw, &got, v, B64_SHA256_N, NULL, &e) < 0 ||
        got != HASH_SHA256_LEN)
        return err_set(err, ERR_INVALID, "%s: not base64 of %d bytes", name, HASH_SHA256_LEN);
    memcpy(out, raw, HASH_SHA256_LEN);
    return 0;
}

/* ts_ms against now (seconds) and window_s, both ways. The age is shown
 * in seconds when it is whole seconds, else in milliseconds, so that it can
 * be checked against the header. */
static int window_check(int64_t ts_ms, int64_t now, int64_t window_s, const char *name,
                        struct err *err)
{
    int64_t age = now * 1000 - ts_ms, off = age < 0 ? -age : age;
    bool whole = off % 1000 == 0;

    if (off <= window_s * 1000)
        return 0;
    return err_set(err, ERR_CRYPTO, "%s: %" PRId64 " %s %s, over the %" PRId64 " s window", name,
                   whole ? off / 1000 : off, whole ? "s" : "ms", age > 0 ? "old" : "in the future",
                   window_s);
}

/* ---- digests ------------------------------------------------------------ */

/* The concatenation of parts into b, in one allocation so that a part
 * holding a secret leaves no copy behind when b is wiped. */
static void concat(struct buf *b, const struct str *parts, size_t n)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += parts[i].n;
    buf_init(b, 0);
    buf_reserve(b, total);
    for (size_t i = 0; i < n; i++)
        buf_put(b, parts[i].p, parts[i].n);
}

static void hmac_sha256(unsigned char out[HASH_SHA256_LEN], const struct secret *key,
                        const struct str *parts, size_t n)
{
    struct buf b;
    concat(&b, parts, n);
    hash_hmac_sha256(out, key->p, key->n, b.p, b.n);
    buf_dispose(&b);
}

/* crypto/hash.h has no SHA-1: Intercom is its only user, so it stays here. */
static void hmac_sha1(unsigned char out[SHA1_LEN], const struct secret *key, const void *data,
                      size_t n)
{
    unsigned int len = 0;
    if (key->n > INT_MAX ||
        !HMAC(EVP_sha1(), key->p, (int)key->n, (const unsigned char *)(n ? data : ""), n, out,
              &len) ||
        len != SHA1_LEN)
        abort(); /* out of memory inside OpenSSL: the house policy */
}

/* HubSpot v1 and v2: a plain SHA-256 whose input starts with the secret, so
 * the buffer is wiped before it is freed. */
static void sha256_secret(unsigned char out[HASH_SHA256_LEN], const struct str *parts, size_t n)
{
    struct buf b;
    concat(&b, parts, n);
    hash_sha256(out, b.p, b.n);
    if (b.p)
        secret_wipe(b.p, b.cap);
    buf_dispose(&b);
}

static int compare(const unsigned char *want, const unsigned char *got, size_t n, const char *name,
                   struct err *err)
{
    if (!hash_equal(want, got, n))
        return err_set(err, ERR_CRYPTO, "%s: signature mismatch", name);
    return 0;
}

static struct str body_of(const struct webhook_request *req)
{
    return (struct str){req->body_n ? (const char *)req->body : "", req->body_n};
}

/* ---- one function per scheme --------------------------------------------- */

#define SLACK_SIG "X-Slack-Signature"
#define SLACK_TS  "X-Slack-Request-Timestamp"

static int verify_slack(const struct webhook_request *req, const struct secret *secret, int64_t now,
                        int64_t window_s, struct webhook_verified *out, struct err *err)
{
    const char *sig, *ts_text;
    unsigned char got[HASH_SHA256_LEN], want[HASH_SHA256_LEN];
    int64_t ts;
    int rc;

    if ((rc = header_get(&sig, req, SLACK_SIG, true, err)) < 0 ||
        (rc = header_get(&ts_text, req, SLACK_TS, true, err)) < 0)
        return rc;
    if (!digits_parse(&ts, ts_text, SECONDS_MAX))
        return err_set(err, ERR_INVALID, "%s: not Unix seconds", SLACK_TS);
    if ((rc = sig_hex(got, sizeof(got), sig, "v0=", SLACK_SIG, err)) < 0 ||
        (rc = window_check(ts * 1000, now, window_s, SLACK_TS, err)) < 0)
        return rc;
    const struct str parts[] = {STR_LIT("v0:"), str_from(ts_text), STR_LIT(":"), body_of(req)};
    hmac_sha256(want, secret, parts, 4);
    out->ts_ms = ts * 1000;
    return compare(want, got, sizeof(want), SLACK_SIG, err);
}

/* GitHub and Jira: "sha256=" and the hex HMAC of the body; an optional,
 * unsigned delivery id. */
static int verify_hub_sha256(const struct webhook_request *req, const struct secret *secret,
                             const char *sig_name, const char *id_name,
                             struct webhook_verified *out, struct err *err)
{
    const char *sig, *id;
    unsigned char got[HASH_SHA256_LEN], want[HASH_SHA256_LEN];
    int rc;

    if ((rc = header_get(&sig, req, sig_name, true, err)) < 0 ||
        (rc = header_get(&id, req, id_name, false, err)) < 0)
        return rc;
    if ((rc = sig_hex(got, sizeof(got), sig, "sha256=", sig_name, err)) < 0 ||
        (id && (rc = id_take(out->id, id, id_name, false, err)) < 0))
        return rc;
    const struct str parts[] = {body_of(req)};
    hmac_sha256(want, secret, parts, 1);
    return compare(want, got, sizeof(want), sig_name, err);
}

#define INTERCOM_SIG "X-Hub-Signature"

static int verify_intercom(const struct webhook_request *req, const struct secret *secret,
                           struct err *err)
{
    const char *sig;
    unsigned char got[SHA1_LEN], want[SHA1_LEN];
    int rc;

    if ((rc = header_get(&sig, req, INTERCOM_SIG, true, err)) < 0 ||
        (rc = sig_hex(got, sizeof(got), sig, "sha1=", INTERCOM_SIG, err)) < 0)
        return rc;
    hmac_sha1(want, secret, req->body, req->body_n);
    return compare(want, got, sizeof(want), INTERCOM_SIG, err);
}

/* HubSpot v3 signs the URI after decoding these twelve escapes, and only
 * these (HubSpot's request-validation page; its SDKs sign the URI they are
 * given, so a caller passing the decoded form also passes). */
static void hubspot_uri(struct buf *b, const char *uri)
{
    static const char keep[] = ":/?@!$'()*,;";
    buf_init(b, 0);
    buf_reserve(b, strlen(uri));
    for (const char *p = uri; *p; p++) {
        int hi = *p == '%' ? encode_hex_digit((unsigned char)p[1]) : -1;
        int lo = hi >= 0 ? encode_hex_digit((unsigned char)p[2]) : -1;
        char c = (char)(lo >= 0 ? hi * 16 + lo : 0);
        if (c && strchr(keep, c)) {
            buf_putc(b, c);
            p += 2;
        } else {
            buf_putc(b, *p);
        }
    }
}

static int uri_check(const struct webhook_request *req, struct err *err)
{
    assert(req->uri);
    if (strnlen(req->uri, WEBHOOK_URI_MAX + 1) > WEBHOOK_URI_MAX)
        return err_set(err, ERR_INVALID, "request URI: over %d bytes", WEBHOOK_URI_MAX);
    return 0;
}

#define HUBSPOT_V3_SIG "X-HubSpot-Signature-v3"
#define HUBSPOT_TS     "X-HubSpot-Request-Timestamp"

static int verify_hubspot_v3(const struct webhook_request *req, const struct secret *secret,
                             int64_t now, int64_t window_s, struct webhook_verified *out,
                             struct err *err)
{
    const char *sig, *ts_text;
    unsigned char got[HASH_SHA256_LEN], want[HASH_SHA256_LEN];
    int64_t ts;
    int rc;

    if ((rc = header_get(&sig, req, HUBSPOT_V3_SIG, true, err)) < 0 ||
        (rc = header_get(&ts_text, req, HUBSPOT_TS, true, err)) < 0)
        return rc;
    if (!digits_parse(&ts, ts_text, MILLIS_MAX))
        return err_set(err, ERR_INVALID, "%s: not Unix milliseconds", HUBSPOT_TS);
    if ((rc = sig_b64(got, sig, HUBSPOT_V3_SIG, err)) < 0 || (rc = uri_check(req, err)) < 0 ||
        (rc = window_check(ts, now, window_s, HUBSPOT_TS, err)) < 0)
        return rc;
    struct buf uri;
    hubspot_uri(&uri, req->uri);
    const struct str parts[] = {
        str_from(req->method), {uri.p ? uri.p : "", uri.n}, body_of(req), str_from(ts_text)};
    hmac_sha256(want, secret, parts, 4);
    buf_dispose(&uri);
    out->ts_ms = ts;
    return compare(want, got, sizeof(want), HUBSPOT_V3_SIG, err);
}

#define HUBSPOT_SIG     "X-HubSpot-Signature"
#define HUBSPOT_VERSION "X-HubSpot-Signature-Version"

/* v1: SHA-256 of secret + body; v2: of secret + method + URI (as sent) +
 * body. The version header, when present, must name the scheme chosen:
 * the two hashes cannot be told apart otherwise. */
static int verify_hubspot_v12(const struct webhook_request *req, const struct secret *secret,
                              bool v2, struct err *err)
{
    const char *sig, *version;
    unsigned char got[HASH_SHA256_LEN], want[HASH_SHA256_LEN];
    int rc;

    if ((rc = header_get(&sig, req, HUBSPOT_SIG, true, err)) < 0 ||
        (rc = header_get(&version, req, HUBSPOT_VERSION, false, err)) < 0)
        return rc;
    if (version && strcmp(version, v2 ? "v2" : "v1") != 0)
        return err_set(err, ERR_INVALID, "%s: expected %s", HUBSPOT_VERSION, v2 ? "v2" : "v1");
    if ((rc = sig_hex(got, sizeof(got), sig, "", HUBSPOT_SIG, err)) < 0 ||
        (v2 && (rc = uri_check(req, err)) < 0))
        return rc;
    struct str key = {(const char *)secret->p, secret->n};
    if (v2) {
        const struct str parts[] = {key, str_from(req->method), str_from(req->uri), body_of(req)};
        sha256_secret(want, parts, 4);
    } else {
        const struct str parts[] = {key, body_of(req)};
        sha256_secret(want, parts, 2);
    }
    return compare(want, got, sizeof(want), HUBSPOT_SIG, err);
}

#define ZENDESK_SIG "X-Zendesk-Webhook-Signature"
#define ZENDESK_TS  "X-Zendesk-Webhook-Signature-Timestamp"
#define ZENDESK_ID  "X-Zendesk-Webhook-Invocation-Id"

/* The timestamp is RFC 3339 in Zendesk's deliveries ("2021-03-25T05:09:27Z");
 * Unix seconds are accepted too. Either way the text as received is signed. */
static int verify_zendesk(const struct webhook_request *req, const struct secret *secret,
                          int64_t now, int64_t window_s, struct webhook_verified *out,
                          struct err *err)
{
    const char *sig, *ts_text, *id;
    unsigned char got[HASH_SHA256_LEN], want[HASH_SHA256_LEN];
    int64_t ts, ts_ms;
    struct err e;
    int rc;

    if ((rc = header_get(&sig, req, ZENDESK_SIG, true, err)) < 0 ||
        (rc = header_get(&ts_text, req, ZENDESK_TS, true, err)) < 0 ||
        (rc = header_get(&id, req, ZENDESK_ID, false, err)) < 0)
        return rc;
    if (digits_parse(&ts, ts_text, SECONDS_MAX))
        ts_ms = ts * 1000;
    else if (time_parse_rfc3339(&ts_ms, ts_text, strlen(ts_text), &e) < 0)
        return err_set(err, ERR_INVALID, "%s: not an RFC 3339 time or Unix seconds", ZENDESK_TS);
    if ((rc = sig_b64(got, sig, ZENDESK_SIG, err)) < 0 ||
        (id && (rc = id_take(out->id, id, ZENDESK_ID, false, err)) < 0) ||
        (rc = window_check(ts_ms, now, window_s, ZENDESK_TS, err)) < 0)
        return rc;
    const struct str parts[] = {str_from(ts_text), body_of(req)};
    hmac_sha256(want, secret, parts, 2);
    out->ts_ms = ts_ms;
    return compare(want, got, sizeof(want), ZENDESK_SIG, err);
}

#define SW_ID  "webhook-id"
#define SW_TS  "webhook-timestamp"
#define SW_SIG "webhook-signature"

/* Each space-separated entry is "<version>,<signature>". Other versions
 * (v1a, ed25519) are skipped, but a v1 entry must be base64 of one digest
 * and at least one must be present: a header we cannot read is malformed,
 * one with nothing we can check is unauthenticated. */
static int sw_entries(const char *sig, struct err *err)
{
    int entry = 0, v1 = 0;

    for (const char *p = sig + strspn(sig, " "); *p; p += strspn(p, " ")) {
        size_t len = strcspn(p, " ");
        const char *comma = memchr(p, ',', len);
        unsigned char raw[ENCODE_B64_DECODED_MAX(B64_SHA256_N)];
        size_t got = 0;
        struct err e;

        entry++;
        if (!comma || comma == p || comma == p + len - 1)
            return err_set(err, ERR_INVALID, "%s: entry %d is not <version>,<signature>", SW_SIG,
                           entry);
        if (comma - p == 2 && memcmp(p, "v1", 2) == 0) {
            if (len - 3 != B64_SHA256_N ||
                encode_b64_parse(raw, &got, p + 3, len - 3, NULL, &e) < 0 || got != HASH_SHA256_LEN)
                return err_set(err, ERR_INVALID, "%s: entry %d is not v1,<base64 of %d bytes>",
                               SW_SIG, entry, HASH_SHA256_LEN);
            v1++;
        }
        p += len;
    }
    if (entry == 0)
        return err_set(err, ERR_CRYPTO, "%s: missing", SW_SIG);
    if (v1 == 0)
        return err_set(err, ERR_CRYPTO, "%s: no v1 signature to check", SW_SIG);
    return 0;
}

static int verify_standard(const struct webhook_request *req, const struct secret *key, int64_t now,
                           int64_t window_s, struct webhook_verified *out, struct err *err)
{
    const char *id, *ts_text, *sig;
    int64_t ts;
    int rc;

    if ((rc = header_get(&sig, req, SW_SIG, true, err)) < 0 ||
        (rc = header_get(&id, req, SW_ID, true, err)) < 0 ||
        (rc = header_get(&ts_text, req, SW_TS, true, err)) < 0)
        return rc;
    if ((rc = id_take(out->id, id, SW_ID, true, err)) < 0)
        return rc;
    if (!digits_parse(&ts, ts_text, SECONDS_MAX))
        return err_set(err, ERR_INVALID, "%s: not Unix seconds", SW_TS);
    if ((rc = sw_entries(sig, err)) < 0 ||
        (rc = window_check(ts * 1000, now, window_s, SW_TS, err)) < 0)
        return rc;
    out->ts_ms = ts * 1000;
    if (!whsig_match(key, id, ts_text, sig, req->body, req->body_n))
        return err_set(err, ERR_CRYPTO, "%s: signature mismatch", SW_SIG);
    return 0;
}

int webhook_verify(enum webhook_scheme scheme, const struct webhook_request *req,
                   const struct secret *secret, int64_t now, int64_t window_s,
                   struct webhook_verified *out, struct err *err)
{
    struct webhook_verified v = {{0}, 0};
    struct secret key = {NULL, 0};
    int rc;

    assert(scheme >= 0 && scheme < WEBHOOK_SCHEME_COUNT);
    assert(req && req->header && req->method && (req->body || req->body_n == 0));
    assert(window_s > 0 && window_s <= WEBHOOK_WINDOW_MAX);
    assert(now >= 0 && now <= TIME_MAX_MS / 1000);
    memset(out, 0, sizeof(*out));

    if ((rc = secret_usable(&key, scheme, secret, ERR_IO, err)) < 0)
        return rc;
    switch (scheme) {
    case WEBHOOK_SLACK_V0:
        rc = verify_slack(req, secret, now, window_s, &v, err);
        break;
    case WEBHOOK_GITHUB_SHA256:
        rc = verify_hub_sha256(req, secret, "X-Hub-Signature-256", "X-GitHub-Delivery", &v, err);
        break;
    case WEBHOOK_JIRA_SHA256:
        rc = verify_hub_sha256(req, secret, "X-Hub-Signature", "X-Atlassian-Webhook-Identifier", &v,
                               err);
        break;
    case WEBHOOK_INTERCOM_SHA1:
        rc = verify_intercom(req, secret, err);
        break;
    case WEBHOOK_HUBSPOT_V3:
        rc = verify_hubspot_v3(req, secret, now, window_s, &v, err);
        break;
    case WEBHOOK_HUBSPOT_V1:
    case WEBHOOK_HUBSPOT_V2:
        rc = verify_hubspot_v12(req, secret, scheme == WEBHOOK_HUBSPOT_V2, err);
        break;
    case WEBHOOK_ZENDESK:
        rc = verify_zendesk(req, secret, now, window_s, &v, err);
        break;
    case WEBHOOK_STANDARD_WEBHOOKS:
        rc = verify_standard(req, &key, now, window_s, &v, err);
        break;
    }
    secret_dispose(&key);
    if (rc == 0)
        *out = v;
    return rc;
}
