/* sandbox/control.c - the /_sandbox/ control API, which no real provider
 * has: tests and benchmarks read what the emulator was asked (token
 * grants, refreshes, data calls) and change its records between syncs. */
#include <stdio.h>
#include <string.h>

#include "core/jsonx.h"
#include "sandbox/sandbox_int.h"

void sb_control_counters(struct http_req *req, struct http_resp *resp)
{
    struct sb_provider *p = sb_of(req);
    char text[512];

    pthread_mutex_lock(&p->mu);
    struct sb_counters c = p->counters;
    pthread_mutex_unlock(&p->mu);
    snprintf(text, sizeof(text),
             "{\"provider\":\"%s\",\"authorize\":%llu,\"codes\":%llu,\"token_code\":%llu,"
             "\"token_refresh\":%llu,\"revoke\":%llu,\"data\":%llu,\"faults\":%llu}",
             sandbox_provider_name(p->which), (unsigned long long)c.authorize,
             (unsigned long long)c.codes, (unsigned long long)c.token_code,
             (unsigned long long)c.token_refresh, (unsigned long long)c.revoke,
             (unsigned long long)c.data, (unsigned long long)c.faults);
    sb_json(resp, 200, text);
}

/* {"object":"Account","touch":K,"delete":K}: modify then soft-delete K
 * records each (data/sfdata.h picks which), answered with the counts. */
void sb_control_mutate(struct http_req *req, struct http_resp *resp)
{
    struct sb_provider *p = sb_of(req);
    struct json_object *body = NULL;
    struct err e;
    int64_t touch = 0, del = 0;
    const char *object;
    char text[256];

    if (!p->sf) {
        http_resp_error(resp, 404, "not_found", "this provider has no records to mutate", NULL);
        return;
    }
    if (jsonx_parse(&body, req->body, req->body_len, req->body_len + 1, &e) < 0 ||
        !(object = jsonx_str(jsonx_get(body, "object"))) ||
        (jsonx_has(body, "touch") &&
         jsonx_as_i64(&touch, jsonx_get(body, "touch"), "touch", &e) < 0) ||
        (jsonx_has(body, "delete") &&
         jsonx_as_i64(&del, jsonx_get(body, "delete"), "delete", &e) < 0) ||
        touch < 0 || del < 0) {
        http_resp_error(resp, 400, "invalid_request",
                        "expected {\"object\":NAME,\"touch\":K,\"delete\":K} with K >= 0", NULL);
        json_object_put(body);
        return;
    }
    int64_t now = sb_now_ms();
    pthread_mutex_lock(&p->mu);
    size_t touched = sfdata_touch(p->sf, object, (size_t)touch, now);
    size_t deleted = sfdata_delete(p->sf, object, (size_t)del, now);
    bool known = sfdata_object_find(object) != NULL;
    pthread_mutex_unlock(&p->mu);
    json_object_put(body);
    if (!known) {
        http_resp_error(resp, 404, "not_found", "no such object", NULL);
        return;
    }
    snprintf(text, sizeof(text), "{\"touched\":%zu,\"deleted\":%zu}", touched, deleted);
    sb_json(resp, 200, text);
}

/* Back to the state at start: records regenerated from the seed, counters
 * at zero, faults as none; tokens stay valid, so that a test can reset
 * the data under a connected integration. */
void sb_control_reset(struct http_req *req, struct http_resp *resp)
{
    struct err e;

    if (sb_provider_reset(sb_of(req), &e) < 0) {
        http_resp_error(resp, 500, "internal", e.msg, NULL);
        return;
    }
    sb_json(resp, 200, "{\"reset\":true}");
}
