/* sandbox/hs_webhooks.c - HubSpot's webhook deliveries, as its app
 * subscriptions send them: a JSON array of events, signed with version 3
 * of HubSpot's scheme (base64 HMAC-SHA256 under the app's client secret of
 * method + URI + body + timestamp, the timestamp in milliseconds). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/encode.h"
#include "core/jsonx.h"
#include "crypto/hash.h"
#include "sandbox/hs_int.h"

#define EVENTS_MAX 100 /* HubSpot batches up to 100 events a request */
#define BODY_MAX   65536

static uint64_t next_event_id = 1000; /* guarded by events_mu */
static pthread_mutex_t events_mu = PTHREAD_MUTEX_INITIALIZER;

/* The events asked for ({"subscriptionType","objectId"} each) as HubSpot
 * sends them, into b; -1 when one is not such an object. */
static int events_write(struct buf *b, const struct json_object *events, int64_t now_ms)
{
    buf_putc(b, '[');
    for (size_t i = 0; i < jsonx_len(events); i++) {
        struct json_object *ev = jsonx_at(events, i);
        const char *type = jsonx_str(jsonx_get(ev, "subscriptionType"));
        int64_t object_id = json_object_get_int64(jsonx_get(ev, "objectId"));
        if (!type || !json_object_is_type(jsonx_get(ev, "objectId"), json_type_int))
            return -1;
        pthread_mutex_lock(&events_mu);
        uint64_t id = ++next_event_id;
        pthread_mutex_unlock(&events_mu);
        buf_printf(b,
                   "%s{\"eventId\":%" PRIu64 ",\"subscriptionId\":12345,\"portalId\":" HS_HUB_ID_S
                   ",\"appId\":" HS_APP_ID_S ",\"occurredAt\":%" PRId64 ",\"subscriptionType\":",
                   i ? "," : "", id, now_ms);
        buf_put_json_str(b, type);
        buf_printf(b, ",\"attemptNumber\":0,\"objectId\":%" PRId64 ",\"changeSource\":\"CRM\"",
                   object_id);
        if (jsonx_str(jsonx_get(ev, "propertyName"))) {
            buf_puts(b, ",\"propertyName\":");
            buf_put_json_str(b, jsonx_str(jsonx_get(ev, "propertyName")));
            buf_puts(b, ",\"propertyValue\":");
            buf_put_json_str(b, jsonx_str(jsonx_get(ev, "propertyValue")));
        }
        buf_putc(b, '}');
    }
    buf_putc(b, ']');
    return 0;
}

/* POST /_sandbox/hubspot/webhooks {"url":"http://...","events":[...]}:
 * send the events to url signed as HubSpot does; the answer carries the
 * receiver's status and body, the timestamp and the signature. For tests
 * of the receiver's refusals: "secret" signs with another secret, "age_s"
 * dates the delivery that many seconds back. */
void hs_webhooks_deliver(struct http_req *req, struct http_resp *resp)
{
    struct json_object *in = NULL, *events;
    struct err e;
    const char *url, *secret = sandbox_client_secret(SANDBOX_HUBSPOT);
    struct buf body, base, answer;
    int64_t age = 0;
    long status = 0;

    buf_init(&body, BODY_MAX);
    buf_init(&base, BODY_MAX + 4096);
    buf_init(&answer, 0);
    if (jsonx_parse(&in, req->body, req->body_len, BODY_MAX, &e) < 0 ||
        !(url = jsonx_str(jsonx_get(in, "url"))) ||
        (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) ||
        !json_object_is_type(events = jsonx_get(in, "events"), json_type_array) ||
        jsonx_len(events) == 0 || jsonx_len(events) > EVENTS_MAX ||
        (jsonx_has(in, "age_s") && jsonx_as_i64(&age, jsonx_get(in, "age_s"), "age_s", &e) < 0)) {
        http_resp_error(resp, 400, "invalid_request",
                        "expected {\"url\":\"http(s)://...\",\"events\":[{\"subscriptionType\":"
                        "\"contact.creation\",\"objectId\":123}, ...]} (1 to 100 events)",
                        NULL);
        goto done;
    }
    if (jsonx_str(jsonx_get(in, "secret")))
        secret = jsonx_str(jsonx_get(in, "secret"));
    int64_t ts = sb_now_ms() - age * 1000;
    if (events_write(&body, events, ts) < 0) {
        http_resp_error(resp, 400, "invalid_request",
                        "each event needs subscriptionType (text) and objectId (an integer)", NULL);
        goto done;
    }
    /* v3 signs the URI as the sender called it. */
    buf_printf(&base, "POST%s%s%" PRId64, url, buf_cstr(&body), ts);
    unsigned char mac[HASH_SHA256_LEN];
    char sig[ENCODE_B64_LEN(HASH_SHA256_LEN) + 1], h_sig[128], h_ts[64];
    hash_hmac_sha256(mac, secret, strlen(secret), base.p, base.n);
    encode_b64_format(sig, mac, sizeof(mac));
    snprintf(h_sig, sizeof(h_sig), "X-HubSpot-Signature-v3: %s", sig);
    snprintf(h_ts, sizeof(h_ts), "X-HubSpot-Request-Timestamp: %" PRId64, ts);
    const char *headers[] = {h_sig, h_ts,
                             "User-Agent: HubSpot Connect 2.0 (http://dev.hubspot.com/)", NULL};
    if (sb_deliver(&status, &answer, url, headers, buf_cstr(&body), &e) < 0) {
        http_resp_error(resp, 502, "delivery_failed", e.msg, NULL);
        goto done;
    }
    struct buf out;
    buf_init(&out, 0);
    buf_printf(&out, "{\"ok\":true,\"status\":%ld,\"timestamp\":%" PRId64 ",\"signature\":\"%s\",",
               status, ts, sig);
    buf_puts(&out, "\"sent\":");
    buf_put_json_str(&out, buf_cstr(&body));
    buf_puts(&out, ",\"answer\":");
    buf_put_json_str(&out, buf_cstr(&answer));
    buf_putc(&out, '}');
    sb_json(resp, 200, buf_cstr(&out));
    buf_dispose(&out);
done:
    buf_dispose(&body);
    buf_dispose(&base);
    buf_dispose(&answer);
    json_object_put(in);
}
