/* notify/whsig.c - see whsig.h. Verification parses nothing it does not
 * need: the timestamp as digits, each candidate as "v1," and base64 of
 * exactly one digest, compared with hash_equal. */
#include "notify/whsig.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "crypto/random.h"

void whsig_secret_new(struct secret *out)
{
    unsigned char raw[WHSIG_SECRET_RANDOM];
    char text[WHSIG_SECRET_TEXT_MAX] = WHSIG_PREFIX;
    size_t plen = strlen(WHSIG_PREFIX);
    random_bytes(raw, sizeof(raw));
    size_t n = plen + encode_b64_format(text + plen, raw, sizeof(raw));
    secret_set(out, text, n);
    secret_wipe(raw, sizeof(raw));
    secret_wipe(text, sizeof(text));
}

int whsig_key_parse(struct secret *key, const char *secret, size_t n, struct err *err)
{
    size_t plen = strlen(WHSIG_PREFIX);
    unsigned char raw[ENCODE_B64_DECODED_MAX(ENCODE_B64_LEN(WHSIG_KEY_MAX))];
    size_t len = 0;

    memset(key, 0, sizeof(*key));
    if (n < plen || memcmp(secret, WHSIG_PREFIX, plen) != 0)
        return err_set(err, ERR_INVALID, "expected \"%s\" and base64 of %d to %d bytes",
                       WHSIG_PREFIX, WHSIG_KEY_MIN, WHSIG_KEY_MAX);
    if (n - plen > ENCODE_B64_LEN((size_t)WHSIG_KEY_MAX))
        return err_set(err, ERR_INVALID, "key is over %d bytes", WHSIG_KEY_MAX);
    struct err e;
    if (encode_b64_parse(raw, &len, secret + plen, n - plen, NULL, &e) < 0)
        return err_set(err, ERR_INVALID, "the part after \"%s\" is not padded base64",
                       WHSIG_PREFIX);
    if (len < WHSIG_KEY_MIN || len > WHSIG_KEY_MAX) {
        secret_wipe(raw, sizeof(raw));
        return err_set(err, ERR_INVALID, "key is %zu bytes, expected %d to %d", len, WHSIG_KEY_MIN,
                       WHSIG_KEY_MAX);
    }
    secret_set(key, raw, len);
    secret_wipe(raw, sizeof(raw));
    return 0;
}

static void digest(unsigned char out[HASH_SHA256_LEN], const struct secret *key, const char *id,
                   const char *ts, const void *body, size_t n)
{
    struct buf msg;
    buf_init(&msg, 0);
    buf_reserve(&msg, strlen(id) + strlen(ts) + n + 3);
    buf_printf(&msg, "%s.%s.", id, ts);
    buf_put(&msg, body, n);
    hash_hmac_sha256(out, key->p, key->n, msg.p, msg.n);
    buf_dispose(&msg);
}

void whsig_sign(char out[WHSIG_SIG_LEN], const struct secret *key, const char *id, int64_t ts,
                const void *body, size_t n)
{
    unsigned char mac[HASH_SHA256_LEN];
    char ts_text[24];

    assert(!strchr(id, '.') && strlen(id) <= WHSIG_ID_MAX);
    snprintf(ts_text, sizeof(ts_text), "%" PRId64, ts);
    digest(mac, key, id, ts_text, body, n);
    out[0] = 'v';
    out[1] = '1';
    out[2] = ',';
    encode_b64_format(out + 3, mac, sizeof(mac));
}

/* The timestamp header: 1 to 18 digits, nothing else. */
static int ts_parse(int64_t *out, const char *s)
{
    size_t n = s ? strspn(s, "0123456789") : 0;
    if (n == 0 || n > 18 || s[n] != '\0')
        return -1;
    *out = 0;
    for (size_t i = 0; i < n; i++)
        *out = *out * 10 + (s[i] - '0');
    return 0;
}

bool whsig_match(const struct secret *key, const char *id, const char *ts_text, const char *header,
                 const void *body, size_t n)
{
    unsigned char want[HASH_SHA256_LEN];

    digest(want, key, id, ts_text, body, n);
    for (const char *p = header; *p;) {
        p += strspn(p, " ");
        size_t len = strcspn(p, " ");
        unsigned char got[HASH_SHA256_LEN + 2];
        size_t glen = 0;
        struct err e;
        if (len == 3 + ENCODE_B64_LEN(HASH_SHA256_LEN) && memcmp(p, "v1,", 3) == 0 &&
            encode_b64_parse(got, &glen, p + 3, len - 3, NULL, &e) == 0 &&
            glen == HASH_SHA256_LEN && hash_equal(got, want, HASH_SHA256_LEN))
            return true;
        p += len;
    }
    return false;
}

int whsig_verify(const struct secret *key, const char *id, const char *ts_text, const char *header,
                 const void *body, size_t n, int64_t now, int64_t tolerance_s, struct err *err)
{
    int64_t ts;

    if (!id || !*id || strlen(id) > WHSIG_ID_MAX || strchr(id, '.'))
        return err_set(err, ERR_INVALID, "webhook-id: missing or malformed");
    if (ts_parse(&ts, ts_text) < 0)
        return err_set(err, ERR_INVALID, "webhook-timestamp: expected Unix seconds");
    if (tolerance_s > 0 && (ts < now - tolerance_s || ts > now + tolerance_s))
        return err_set(err, ERR_INVALID, "webhook-timestamp: %s by more than %" PRId64 " s",
                       ts < now ? "too old" : "in the future", tolerance_s);
    if (!header || strlen(header) > WHSIG_HEADER_MAX)
        return err_set(err, ERR_INVALID, "webhook-signature: missing or too long");
    if (whsig_match(key, id, ts_text, header, body, n))
        return 0;
    return err_set(err, ERR_INVALID, "webhook-signature: no v1 signature matches");
}
