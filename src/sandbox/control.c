/* sandbox/control.c - the /_sandbox/ control API, which no real provider
 * has: tests and benchmarks read what the emulator was asked (token
 * grants, refreshes, data calls) and change its records between syncs, or
 * its schema: Salesforce fields hidden as if an admin deleted them. */
#include <stdio.h>
#include <string.h>

#include <json-c/linkhash.h>

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

/* ---- /_sandbox/schema (Salesforce) ---- */

/* Names in "hide" or "show": more than any object has fields, so a longer
 * list can only repeat itself. */
#define SCHEMA_NAMES_MAX 64

/* The fields one list names, as indexes in the object's fields. */
struct schema_names {
    size_t f[SCHEMA_NAMES_MAX];
    size_t n;
};

/* Answer 200 with the fields p hides: {"hidden":{"Contact":["Title"]}},
 * objects without any left out. Takes p->mu. */
static void schema_show(struct sb_provider *p, struct http_resp *resp)
{
    struct buf *b = &resp->body;
    bool any = false;

    resp->status = 200;
    resp->content_type = NULL;
    buf_reset(b);
    buf_puts(b, "{\"hidden\":{");
    pthread_mutex_lock(&p->mu);
    for (size_t k = 0; k < SFDATA_OBJECTS; k++) {
        const struct sfdata_object *obj = sfdata_object_at(k);
        bool first = true;
        for (size_t f = 0; f < obj->n_fields; f++) {
            if (!sfdata_field_hidden(p->sf, obj, f))
                continue;
            if (first) {
                buf_puts(b, any ? "," : "");
                buf_put_json_str(b, obj->name);
                buf_puts(b, ":[");
            } else {
                buf_putc(b, ',');
            }
            buf_put_json_str(b, obj->fields[f].name);
            first = false;
            any = true;
        }
        if (!first)
            buf_putc(b, ']');
    }
    pthread_mutex_unlock(&p->mu);
    buf_puts(b, "}}");
}

void sb_control_schema_show(struct http_req *req, struct http_resp *resp)
{
    schema_show(sb_of(req), resp);
}

/* Resolve body's member key (absent: none) into out: an array of names of
 * obj's fields that may be hidden. Returns 0, or the HTTP status of the
 * refusal with its message in msg. */
static int schema_names(struct schema_names *out, const struct sfdata_object *obj,
                        const struct json_object *body, const char *key, char *msg, size_t cap)
{
    const struct json_object *list = jsonx_get(body, key);
    struct err e;

    out->n = 0;
    if (!list)
        return 0;
    if (!json_object_is_type(list, json_type_array) || jsonx_len(list) > SCHEMA_NAMES_MAX) {
        snprintf(msg, cap, "schema: \"%s\" must be an array of at most %d field names", key,
                 SCHEMA_NAMES_MAX);
        return 400;
    }
    for (size_t i = 0; i < jsonx_len(list); i++) {
        const char *name = jsonx_str(jsonx_at(list, i));
        if (!name) {
            snprintf(msg, cap, "schema: %s[%zu]: expected a field name, got %s", key, i,
                     jsonx_type_name(jsonx_at(list, i)));
            return 400;
        }
        int rc = sfdata_field_hideable(&out->f[out->n], obj, name, &e);
        if (rc < 0) {
            snprintf(msg, cap, "schema: %s", e.msg);
            return rc == ERR_NOTFOUND ? 404 : 400;
        }
        out->n++;
    }
    return 0;
}

/* Check a POST /_sandbox/schema body: {"reset":true} (*obj NULL), or
 * {"object":NAME,"hide":[...],"show":[...]} with at least one of the two
 * lists, no field in both. Returns 0, or the HTTP status of the refusal
 * with its message in msg. Reads only static data. */
static int schema_parse(const struct sfdata_object **obj, struct schema_names *hide,
                        struct schema_names *show, const struct json_object *body, char *msg,
                        size_t cap)
{
    static const char usage[] =
        "schema: expected {\"object\":NAME,\"hide\":[FIELD...]} (or \"show\"), or "
        "{\"reset\":true}";
    const char *name;
    int status;

    *obj = NULL;
    if (!json_object_is_type(body, json_type_object)) {
        snprintf(msg, cap, "%s", usage);
        return 400;
    }
    json_object_object_foreach(jsonx_members(body), key, v)
    {
        (void)v;
        if (strcmp(key, "object") != 0 && strcmp(key, "hide") != 0 && strcmp(key, "show") != 0 &&
            strcmp(key, "reset") != 0) {
            snprintf(msg, cap,
                     "schema: unknown member \"%.64s\" (expected object, hide, show or reset)",
                     key);
            return 400;
        }
    }
    if (jsonx_has(body, "reset")) {
        bool on = json_object_is_type(jsonx_get(body, "reset"), json_type_boolean) &&
                  json_object_get_boolean(jsonx_get(body, "reset"));
        if (!on || json_object_object_length(jsonx_members(body)) != 1) {
            snprintf(msg, cap, "schema: \"reset\" must be true, and alone");
            return 400;
        }
        return 0;
    }
    if (!(name = jsonx_str(jsonx_get(body, "object"))) ||
        (!jsonx_get(body, "hide") && !jsonx_get(body, "show"))) {
        snprintf(msg, cap, "%s", usage);
        return 400;
    }
    if (!(*obj = sfdata_object_find(name))) {
        snprintf(msg, cap, "schema: no sobject \"%.64s\"", name);
        return 404;
    }
    if ((status = schema_names(hide, *obj, body, "hide", msg, cap)) != 0 ||
        (status = schema_names(show, *obj, body, "show", msg, cap)) != 0)
        return status;
    for (size_t i = 0; i < hide->n; i++)
        for (size_t j = 0; j < show->n; j++)
            if (hide->f[i] == show->f[j]) {
                snprintf(msg, cap, "schema: %s.%s is in both \"hide\" and \"show\"", (*obj)->name,
                         (*obj)->fields[hide->f[i]].name);
                return 400;
            }
    return 0;
}

/* Everything is checked before anything changes, so that a refused
 * request leaves the schema as it was. */
void sb_control_schema_set(struct http_req *req, struct http_resp *resp)
{
    struct sb_provider *p = sb_of(req);
    struct json_object *body = NULL;
    const struct sfdata_object *obj = NULL;
    struct schema_names hide, show;
    struct err e;
    char msg[400];
    int status;

    if (jsonx_parse(&body, req->body, req->body_len, req->body_len + 1, &e) < 0) {
        snprintf(msg, sizeof(msg), "schema: %s", e.msg);
        status = 400;
    } else {
        status = schema_parse(&obj, &hide, &show, body, msg, sizeof(msg));
    }
    json_object_put(body);
    if (status != 0) {
        http_resp_error(resp, status, status == 404 ? "not_found" : "invalid_request", msg, NULL);
        return;
    }
    pthread_mutex_lock(&p->mu);
    if (!obj) {
        sfdata_fields_show_all(p->sf);
    } else {
        for (size_t i = 0; i < hide.n; i++)
            sfdata_field_set_hidden(p->sf, obj, hide.f[i], true);
        for (size_t i = 0; i < show.n; i++)
            sfdata_field_set_hidden(p->sf, obj, show.f[i], false);
    }
    pthread_mutex_unlock(&p->mu);
    schema_show(p, resp);
}
