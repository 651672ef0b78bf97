/* sandbox/faults.c - what goes wrong on purpose: rate-limit and daily-limit
 * refusals in each provider's own shape, bursts of 5xx, added latency,
 * answers cut mid-body, tokens that expire early and refresh tokens
 * revoked. Every API route of a provider is served through sb_fault_gate;
 * the settings come from `inlet sandbox --faults` or /_sandbox/faults
 * (docs/sandbox.md lists them and the shapes). */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/linkhash.h>

#include "core/alloc.h"
#include "core/jsonx.h"
#include "core/str.h"
#include "sandbox/sandbox_int.h"

/* ---- the settings ---- */

/* One integer setting: its name, where it lives, its range, its default. */
struct setting {
    const char *name;
    size_t offset; /* into struct sb_faults */
    bool wide;     /* uint64_t rather than uint32_t */
    int64_t min, max, dflt;
};

#define U32(field, lo, hi, d)                                                                      \
    {                                                                                              \
#field, offsetof(struct sb_faults, field), false, lo, hi, d                                \
    }
#define U64(field, lo, hi, d)                                                                      \
    {                                                                                              \
#field, offsetof(struct sb_faults, field), true, lo, hi, d                                 \
    }

static const struct setting settings[] = {
    U32(rate_limit_every, 0, 1000000000, 0),
    U32(retry_after_s, 0, 86400, 1),
    U64(daily_limit, 0, INT64_C(1000000000000), 0),
    U32(error_every, 0, 1000000000, 0),
    U32(error_burst, 1, 1000000, 1),
    U32(error_status, 500, 599, 503),
    U32(latency_ms, 0, 60000, 0),
    U32(cut_every, 0, 1000000000, 0),
};
#define NSETTINGS (sizeof(settings) / sizeof(settings[0]))

/* The other fields: what tokens do from now on, and one-shot actions. */
static const char *const token_fields[] = {"token_ttl_s", "rotate_refresh", "expire_tokens",
                                           "revoke_refresh"};

static bool known_field(const char *key)
{
    for (size_t i = 0; i < NSETTINGS; i++)
        if (strcmp(key, settings[i].name) == 0)
            return true;
    for (size_t i = 0; i < sizeof(token_fields) / sizeof(token_fields[0]); i++)
        if (strcmp(key, token_fields[i]) == 0)
            return true;
    return false;
}

static void setting_put(struct sb_faults *f, const struct setting *s, int64_t v)
{
    char *at = (char *)f + s->offset;
    if (s->wide)
        *(uint64_t *)(void *)at = (uint64_t)v;
    else
        *(uint32_t *)(void *)at = (uint32_t)v;
}

static uint64_t setting_get(const struct sb_faults *f, const struct setting *s)
{
    const char *at = (const char *)f + s->offset;
    return s->wide ? *(const uint64_t *)(const void *)at : *(const uint32_t *)(const void *)at;
}

static int bool_field(bool *out, struct json_object *spec, const char *key, bool dflt,
                      struct err *err)
{
    *out = dflt;
    if (!jsonx_has(spec, key))
        return 0;
    return jsonx_as_bool(out, jsonx_get(spec, key), key, err);
}

int sb_faults_apply(struct sb_provider *p, struct json_object *spec, struct err *err)
{
    struct sb_faults f = {0};
    int64_t ttl = p->token_ttl_start_s;
    bool rotate, expire, revoke;

    if (!json_object_is_type(spec, json_type_object))
        return err_set(err, ERR_INVALID, "faults: expected a JSON object");
    json_object_object_foreach(spec, key, val)
    {
        (void)val;
        if (!known_field(key))
            return err_set(err, ERR_INVALID, "faults: unknown field \"%.64s\" (docs/sandbox.md)",
                           key);
    }
    for (size_t i = 0; i < NSETTINGS; i++) {
        const struct setting *s = &settings[i];
        int64_t v = s->dflt;
        if (jsonx_has(spec, s->name)) {
            if (jsonx_as_i64(&v, jsonx_get(spec, s->name), s->name, err) < 0)
                return -1;
            if (v < s->min || v > s->max)
                return err_set(err, ERR_INVALID, "faults: %s must be from %" PRId64 " to %" PRId64,
                               s->name, s->min, s->max);
        }
        setting_put(&f, s, v);
    }
    if (f.error_every && f.error_burst > f.error_every)
        return err_set(err, ERR_INVALID,
                       "faults: error_burst must not exceed error_every (a burst would never end)");
    if (jsonx_has(spec, "token_ttl_s")) {
        if (jsonx_as_i64(&ttl, jsonx_get(spec, "token_ttl_s"), "token_ttl_s", err) < 0)
            return -1;
        if (ttl < 1 || ttl > 31536000)
            return err_set(err, ERR_INVALID, "faults: token_ttl_s must be from 1 to 31536000");
    }
    if (bool_field(&rotate, spec, "rotate_refresh", p->rotate_start, err) < 0 ||
        bool_field(&expire, spec, "expire_tokens", false, err) < 0 ||
        bool_field(&revoke, spec, "revoke_refresh", false, err) < 0)
        return -1;
    p->faults = f;
    p->token_ttl_s = (int)ttl;
    p->rotate_refresh = rotate;
    if (expire)
        sb_expire_access(p);
    if (revoke)
        sb_revoke_all_refresh(p);
    return 0;
}

int sb_faults_parse_flag(struct json_object **out, const char *text, struct err *err)
{
    struct json_object *spec = json_object_new_object();
    struct str rest = str_from(text), item, name, value;

    *out = NULL;
    while (rest.n) {
        str_split(rest, ',', &item, &rest);
        if (!str_split(item, '=', &name, &value) || name.n == 0 || name.n > 63) {
            json_object_put(spec);
            return err_set(err, ERR_INVALID, "--faults: expected name=value[,name=value...]");
        }
        char key[64];
        int64_t i;
        struct json_object *val;
        snprintf(key, sizeof(key), "%.*s", (int)name.n, name.p);
        if (str_eq_cstr(value, "true") || str_eq_cstr(value, "false")) {
            val = json_object_new_boolean(str_eq_cstr(value, "true"));
        } else if (str_to_i64(&i, value, key, err) == 0) {
            val = json_object_new_int64(i);
        } else {
            json_object_put(spec);
            return err_set(err, ERR_INVALID, "--faults: %s: expected a number, true or false", key);
        }
        json_object_object_add(spec, key, val);
    }
    *out = spec;
    return 0;
}

uint64_t sb_daily_max(const struct sb_provider *p, uint64_t dflt)
{
    return p->faults.daily_limit ? p->faults.daily_limit : dflt;
}

uint64_t sb_daily_used(const struct sb_provider *p, uint64_t own)
{
    return p->faults.daily_limit ? p->faults.calls : own;
}

/* ---- the control routes ---- */

static void show(struct sb_provider *p, struct http_resp *resp)
{
    struct buf *b = &resp->body;

    resp->status = 200;
    resp->content_type = "application/json";
    buf_reset(b);
    buf_printf(b, "{\"provider\":\"%s\"", sandbox_provider_name(p->which));
    pthread_mutex_lock(&p->mu);
    for (size_t i = 0; i < NSETTINGS; i++)
        buf_printf(b, ",\"%s\":%" PRIu64, settings[i].name, setting_get(&p->faults, &settings[i]));
    buf_printf(b, ",\"token_ttl_s\":%d,\"rotate_refresh\":%s,\"calls\":%" PRIu64 "}",
               p->token_ttl_s, p->rotate_refresh ? "true" : "false", p->faults.calls);
    pthread_mutex_unlock(&p->mu);
}

void sb_faults_show(struct http_req *req, struct http_resp *resp)
{
    show(sb_of(req), resp);
}

void sb_faults_set(struct http_req *req, struct http_resp *resp)
{
    struct sb_provider *p = sb_of(req);
    struct json_object *spec = NULL;
    struct err e;
    int rc = jsonx_parse(&spec, req->body, req->body_len, req->body_len + 1, &e);

    if (rc == 0) {
        pthread_mutex_lock(&p->mu);
        rc = sb_faults_apply(p, spec, &e);
        pthread_mutex_unlock(&p->mu);
    }
    json_object_put(spec);
    if (rc < 0) {
        http_resp_error(resp, 400, "invalid_request", e.msg, NULL);
        return;
    }
    show(p, resp);
}

/* ---- the refusals, in each provider's shape ---- */

enum refusal { RATE_LIMIT, DAILY_LIMIT, SERVER_ERROR };

/* Seconds to the next midnight UTC, when daily limits reset. */
static long to_midnight_s(void)
{
    time_t now = time(NULL);
    return 86400 - (long)(now % 86400);
}

static void retry_after(struct http_resp *resp, long s)
{
    char n[24];
    snprintf(n, sizeof(n), "%ld", s);
    http_resp_header(resp, "Retry-After", n);
}

/* A 502 or 504 comes from the provider's edge, not its API: HTML, as a
 * load balancer answers. Clients must not assume JSON on a 5xx. */
static bool edge_error(struct http_resp *resp, unsigned status)
{
    if (status != 502 && status != 504)
        return false;
    resp->status = (int)status;
    resp->content_type = "text/html; charset=utf-8";
    buf_reset(&resp->body);
    buf_printf(&resp->body,
               "<html><head><title>%u %s</title></head><body><h1>%u %s</h1></body></html>\n",
               status, status == 502 ? "Bad Gateway" : "Gateway Timeout", status,
               status == 502 ? "Bad Gateway" : "Gateway Timeout");
    return true;
}

/* Salesforce answers limits with 403 REQUEST_LIMIT_EXCEEDED, never 429,
 * and sends no Retry-After (providers.md 1.3). */
static void refuse_salesforce(struct http_resp *resp, enum refusal r, const struct sb_faults *f,
                              uint64_t calls)
{
    char usage[64];

    switch (r) {
    case RATE_LIMIT:
        sb_json(resp, 403,
                "[{\"message\":\"ConcurrentPerOrgLongTxn Limit exceeded.\","
                "\"errorCode\":\"REQUEST_LIMIT_EXCEEDED\"}]");
        break;
    case DAILY_LIMIT:
        snprintf(usage, sizeof(usage), "api-usage=%" PRIu64 "/%" PRIu64, calls, f->daily_limit);
        http_resp_header(resp, "Sforce-Limit-Info", usage);
        sb_json(resp, 403,
                "[{\"message\":\"TotalRequests Limit exceeded.\","
                "\"errorCode\":\"REQUEST_LIMIT_EXCEEDED\"}]");
        break;
    case SERVER_ERROR:
        if (edge_error(resp, f->error_status))
            break;
        sb_json(resp, (int)f->error_status,
                f->error_status == 503
                    ? "[{\"message\":\"Server is temporarily unavailable, try again later\","
                      "\"errorCode\":\"SERVER_UNAVAILABLE\"}]"
                    : "[{\"message\":\"An unexpected error occurred. Please include this ErrorId "
                      "if you contact support: 1207473385-88231 (-1463523478)\","
                      "\"errorCode\":\"UNKNOWN_EXCEPTION\"}]");
        break;
    }
}

/* HubSpot: 429 with policyName and Retry-After, its rate headers at 0. */
static void refuse_hubspot(struct http_resp *resp, enum refusal r, const struct sb_faults *f,
                           uint64_t calls)
{
    struct buf b;
    char corr[40], n[24];
    bool daily = r == DAILY_LIMIT;

    snprintf(corr, sizeof(corr), "5b1c0c3e-0000-4000-8000-%012" PRIx64, calls & 0xffffffffffffu);
    buf_init(&b, 4096);
    if (r == SERVER_ERROR) {
        if (!edge_error(resp, f->error_status)) {
            buf_printf(&b,
                       "{\"status\":\"error\",\"message\":\"internal error\",\"correlationId\":"
                       "\"%s\",\"category\":\"INTERNAL_ERROR\"}",
                       corr);
            sb_json(resp, (int)f->error_status, buf_cstr(&b));
        }
        buf_dispose(&b);
        return;
    }
    if (daily) {
        snprintf(n, sizeof(n), "%" PRIu64, f->daily_limit);
        http_resp_header(resp, "X-HubSpot-RateLimit-Daily", n);
        http_resp_header(resp, "X-HubSpot-RateLimit-Daily-Remaining", "0");
    } else {
        http_resp_header(resp, "X-HubSpot-RateLimit-Interval-Milliseconds", "10000");
        http_resp_header(resp, "X-HubSpot-RateLimit-Max", "100");
        http_resp_header(resp, "X-HubSpot-RateLimit-Remaining", "0");
    }
    retry_after(resp, daily ? to_midnight_s() : (long)f->retry_after_s);
    buf_printf(&b,
               "{\"status\":\"error\",\"message\":\"You have reached your %s limit.\","
               "\"errorType\":\"RATE_LIMIT\",\"correlationId\":\"%s\",\"policyName\":\"%s\","
               "\"groupName\":\"publicapi:oauth-app-api-calls-%s:sandbox\"}",
               daily ? "daily" : "ten_secondly_rolling", corr,
               daily ? "DAILY" : "TEN_SECONDLY_ROLLING", daily ? "daily" : "ten-secondly");
    sb_json(resp, 429, buf_cstr(&b));
    buf_dispose(&b);
}

/* Slack: 429 ratelimited with Retry-After (it has no daily limit; the
 * setting is answered the same way, until midnight). */
static void refuse_slack(struct http_resp *resp, enum refusal r, const struct sb_faults *f)
{
    if (r == SERVER_ERROR) {
        if (!edge_error(resp, f->error_status))
            sb_json(resp, (int)f->error_status,
                    f->error_status == 503 ? "{\"ok\":false,\"error\":\"service_unavailable\"}"
                                           : "{\"ok\":false,\"error\":\"internal_error\"}");
        return;
    }
    retry_after(resp, r == DAILY_LIMIT ? to_midnight_s() : (long)f->retry_after_s);
    sb_json(resp, 429, "{\"ok\":false,\"error\":\"ratelimited\"}");
}

static void refuse(struct sb_provider *p, struct http_resp *resp, enum refusal r,
                   const struct sb_faults *f, uint64_t calls)
{
    switch (p->which) {
    case SANDBOX_SALESFORCE:
        refuse_salesforce(resp, r, f, calls);
        break;
    case SANDBOX_HUBSPOT:
        refuse_hubspot(resp, r, f, calls);
        break;
    default:
        refuse_slack(resp, r, f);
        break;
    }
}

/* ---- the gate ---- */

struct verdict {
    bool refused;
    enum refusal why;
    bool cut;
    struct sb_faults f; /* the settings it was decided under */
    uint64_t calls;
};

/* Count the call and decide its fate; p->mu held. The daily limit goes
 * first (nothing gets through it), then a burst under way, then the
 * periodic faults. */
static struct verdict decide(struct sb_faults *f)
{
    struct verdict v = {.calls = ++f->calls};

    if (f->daily_limit && v.calls > f->daily_limit) {
        v.refused = true;
        v.why = DAILY_LIMIT;
    } else if (f->burst_left > 0) {
        f->burst_left--;
        v.refused = true;
        v.why = SERVER_ERROR;
    } else if (f->error_every && v.calls % f->error_every == 0) {
        f->burst_left = f->error_burst - 1;
        v.refused = true;
        v.why = SERVER_ERROR;
    } else if (f->rate_limit_every && v.calls % f->rate_limit_every == 0) {
        v.refused = true;
        v.why = RATE_LIMIT;
    } else {
        v.cut = f->cut_every && v.calls % f->cut_every == 0;
    }
    v.f = *f;
    return v;
}

static void sleep_ms(uint32_t ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

void sb_fault_gate(struct http_req *req, struct http_resp *resp)
{
    const struct http_route *route = req->route_ctx;
    struct sb_provider *p = sb_of(req);

    req->route_ctx = route->ctx;
    pthread_mutex_lock(&p->mu);
    struct verdict v = decide(&p->faults);
    if (v.refused || v.cut || v.f.latency_ms)
        p->counters.faults++;
    pthread_mutex_unlock(&p->mu);
    if (v.f.latency_ms)
        sleep_ms(v.f.latency_ms);
    if (v.refused) {
        refuse(p, resp, v.why, &v.f, v.calls);
        return;
    }
    route->handler(req, resp);
    if (v.cut && resp->body.n > 1)
        resp->cut_at = resp->body.n / 2;
}
