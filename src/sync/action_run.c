/* sync/action_run.c - see action_run.h. */
#include "sync/action_run.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connectors/action.h"
#include "connectors/urls.h"
#include "core/alloc.h"
#include "core/jsonschema.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "sync/call.h"
#include "sync/writeback.h"

#define ACTION_ANSWER_MAX (16u << 20) /* bytes of one provider answer */

void action_outcome_init(struct action_outcome *o)
{
    memset(o, 0, sizeof(*o));
    buf_init(&o->details, 0);
    buf_init(&o->body, 0);
}

void action_outcome_dispose(struct action_outcome *o)
{
    buf_dispose(&o->details);
    buf_dispose(&o->body);
}

static void refuse(struct action_outcome *o, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void refuse(struct action_outcome *o, int status, const char *code, const char *fmt, ...)
{
    va_list ap;
    o->status = status;
    snprintf(o->code, sizeof(o->code), "%s", code);
    va_start(ap, fmt);
    vsnprintf(o->message, sizeof(o->message), fmt, ap);
    va_end(ap);
}

/* A 422 validation_failed naming one member of the request body. */
static void field(struct action_outcome *o, const char *ptr, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void field(struct action_outcome *o, const char *ptr, const char *fmt, ...)
{
    char msg[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    buf_reset(&o->details);
    buf_puts(&o->details, "[{\"pointer\":");
    buf_put_json_str(&o->details, ptr);
    buf_puts(&o->details, ",\"message\":");
    buf_put_json_str(&o->details, msg);
    buf_puts(&o->details, "}]");
    refuse(o, 422, "validation_failed", "%s: %s", ptr, msg);
}

/* Check input against action's schema: a refusal (422, the failures
 * under "/input") into o when it fails. Errors: a schema inlet cannot
 * compile, its own fault. */
static int input_check(struct action_outcome *o, const struct json_object *action,
                       const struct json_object *input, struct err *err)
{
    struct json_object *schema = action_input_copy(action);
    struct jsonschema *js = NULL;
    struct jsonschema_result res;
    int rc = jsonschema_new(&js, schema, err);
    json_object_put(schema);
    if (rc < 0) /* checked at load: ours to fix */
        return rc;
    bool ok = jsonschema_validate(js, input, &res);
    jsonschema_free(js);
    if (ok)
        return 0;
    struct buf *d = &o->details;
    buf_putc(d, '[');
    for (size_t i = 0; i < res.count; i++) {
        buf_puts(d, i ? ",{\"pointer\":" : "{\"pointer\":");
        char ptr[300];
        snprintf(ptr, sizeof(ptr), "/input%s", res.errors[i].pointer);
        buf_put_json_str(d, ptr);
        buf_puts(d, ",\"message\":");
        buf_put_json_str(d, res.errors[i].message);
        buf_putc(d, '}');
    }
    buf_putc(d, ']');
    refuse(o, 422, "validation_failed", "/input%s: %s", res.errors[0].pointer,
           res.errors[0].message);
    return 0;
}

/* The records of a paged action: the first answer's, then each next
 * page's, up to limit; into out as {"records": [...], "count": N, "done":
 * B}. A page that fails ends the walk with what was read, "done": false,
 * and its status in "stopped". */
static int gather(struct buf *out, const struct oauth_env *env, const struct integration *it,
                  const struct connector *conn, const struct json_object *pages,
                  struct fetch_resp *first, int64_t limit, struct err *err)
{
    struct json_object *all = json_object_new_array();
    struct buf base;
    char *next = NULL;
    long stopped = 0;
    bool done = false;
    int rc = 0;
    buf_init(&base, 0);
    struct fetch_resp r = *first;
    memset(first, 0, sizeof(*first));
    for (int page = 0; rc == 0 && page < ACTION_PAGES_MAX; page++) {
        struct json_object *doc = NULL, *recs = NULL, *nv = NULL;
        struct err pe;
        if (jsonx_parse(&doc, r.body.p ? r.body.p : "", r.body.n, r.body.n + 1, &pe) < 0 ||
            jsonx_ptr_get(&recs, doc, jsonx_str(jsonx_get(pages, "records")), &pe) < 0 ||
            !json_object_is_type(recs, json_type_array)) {
            json_object_put(doc);
            rc = err_set(err, ERR_IO, "page %d of the answer has no records where the action says",
                         page + 1);
            break;
        }
        size_t taken = 0;
        for (; taken < jsonx_len(recs) && (int64_t)jsonx_len(all) < limit; taken++)
            json_object_array_add(all, json_object_get(jsonx_at(recs, taken)));
        bool dropped = taken < jsonx_len(recs);
        const char *nu = jsonx_ptr_get(&nv, doc, jsonx_str(jsonx_get(pages, "next")), &pe) == 0
                             ? jsonx_str(nv)
                             : NULL;
        xfree(next);
        next = NULL;
        if (!nu || !*nu) {
            done = !dropped; /* "done": every record of the query is in the answer */
        } else if ((int64_t)jsonx_len(all) < limit) {
            if (!base.n)
                rc = connector_base_url(&base, it, conn, err);
            if (rc == 0)
                rc = connector_relative(&next, buf_cstr(&base), nu, err);
        }
        json_object_put(doc);
        fetch_resp_dispose(&r);
        if (rc < 0 || !next)
            break;
        struct connector_req req = {
            .path = next, .body_max = ACTION_ANSWER_MAX, .idempotent = true, .wait_cap_ms = 10000};
        rc = connector_call(&r, env, it, conn, &req, err);
        if (rc == 0 && (r.status < 200 || r.status > 299)) {
            stopped = r.status;
            fetch_resp_dispose(&r);
            break;
        }
    }
    if (rc == 0) {
        buf_printf(out, "{\"count\":%zu,\"done\":%s,", jsonx_len(all), done ? "true" : "false");
        if (stopped)
            buf_printf(out, "\"stopped\":%ld,", stopped);
        buf_puts(out, "\"records\":");
        jsonx_format(out, all);
        buf_putc(out, '}');
    }
    fetch_resp_dispose(&r);
    json_object_put(all);
    buf_dispose(&base);
    xfree(next);
    return rc;
}

/* Whether a 2xx answer is a success for the action: a body member "ok"
 * that is false (Slack answers its errors with 200) says not. */
static bool succeeded(const struct fetch_resp *r)
{
    struct json_object *doc = NULL;
    struct err e;
    if (r->status < 200 || r->status > 299)
        return false;
    if (jsonx_parse(&doc, r->body.p ? r->body.p : "", r->body.n, r->body.n + 1, &e) < 0)
        return true;
    struct json_object *ok = jsonx_get(doc, "ok");
    bool yes = !json_object_is_type(ok, json_type_boolean) || json_object_get_boolean(ok);
    json_object_put(doc);
    return yes;
}

/* The record the action changed, stored at once (sync/writeback.h): read
 * back by writes.read when there is one (its {id} the answer's pointer, or
 * the input member writes.id names), else the answer itself. Appends
 * ",\"stored\":true" or false with why to out; a failure here is the
 * store's, never the action's: the provider has done it. */
static void write_back(struct buf *out, const struct oauth_env *env, const struct integration *it,
                       const struct connector *conn, const struct json_object *writes,
                       const struct json_object *input, const struct buf *data)
{
    const char *how = jsonx_str(jsonx_get(writes, "id"));
    const char *read = jsonx_str(jsonx_get(writes, "read"));
    struct json_object *answer = NULL, *records = json_object_new_array(), *idv = NULL;
    struct fetch_resp r = {0};
    struct buf path;
    struct err e;
    bool stored = false;
    int rc = jsonx_parse(&answer, data->p, data->n, data->n + 1, &e);
    buf_init(&path, 0);
    if (rc == 0 && read) {
        if (strncmp(how, "input.", 6) == 0)
            idv = jsonx_get(input, how + 6);
        else if (jsonx_ptr_get(&idv, answer, how, &e) < 0)
            idv = NULL;
        const char *rid = json_object_is_type(idv, json_type_string) ? jsonx_str(idv) : NULL;
        if (!rid ||
            strspn(rid, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") !=
                strlen(rid))
            rc = err_set(&e, ERR_INVALID, "the changed record's id is not in the answer");
        for (const char *p = read; rc == 0 && *p; p++) {
            if (strncmp(p, "{id}", 4) == 0) {
                buf_puts(&path, rid);
                p += 3;
            } else {
                buf_putc(&path, *p);
            }
        }
        struct connector_req req = {.path = buf_cstr(&path),
                                    .body_max = ACTION_ANSWER_MAX,
                                    .idempotent = true,
                                    .max_attempts = 2,
                                    .wait_cap_ms = 10000};
        if (rc == 0)
            rc = connector_call(&r, env, it, conn, &req, &e);
        if (rc == 0 && r.status != 200)
            rc = err_set(&e, ERR_INVALID, "reading the changed record back got %ld", r.status);
        json_object_put(answer);
        answer = NULL;
        if (rc == 0)
            rc = jsonx_parse(&answer, r.body.p ? r.body.p : "", r.body.n, r.body.n + 1, &e);
    }
    if (rc == 0) {
        json_object_array_add(records, answer);
        answer = NULL;
        rc = writeback(&stored, env, it, conn, jsonx_str(jsonx_get(writes, "stream")), records, &e);
    }
    if (rc < 0) {
        log_warn("action: the changed record is not stored until the next sync",
                 LOG_STR("integration", it->id), LOG_ERROR(&e));
        buf_puts(out, ",\"stored\":false,\"store_error\":");
        buf_put_json_str(out, e.msg);
    } else {
        buf_printf(out, ",\"stored\":%s", stored ? "true" : "false");
    }
    json_object_put(answer);
    json_object_put(records);
    fetch_resp_dispose(&r);
    buf_dispose(&path);
}

static void refused(struct action_outcome *o, const struct fetch_resp *r, const char *connector)
{
    char msg[200];
    struct buf *d = &o->details;
    buf_printf(d, "{\"status\":%ld,\"provider\":", r->status);
    action_error_format(d, msg, r->body.p ? r->body.p : "", r->body.n);
    buf_putc(d, '}');
    if (r->status == 429) {
        fetch_header(r, "Retry-After", o->retry_after, sizeof(o->retry_after));
        refuse(o, 429, "rate_limited", "%s refuses more requests for now: %s", connector, msg);
    } else if (r->status >= 500) {
        refuse(o, 502, "bad_gateway", "%s failed (%ld): %s", connector, r->status, msg);
    } else {
        refuse(o, 422, "action_failed", "%s refused (%ld): %s", connector, r->status, msg);
    }
}

int action_run(struct action_outcome *o, const struct oauth_env *env, const struct integration *it,
               const struct connector *conn, const char *name, struct json_object *input,
               struct err *err)
{
    struct fetch_resp r = {0};
    struct buf path, payload, data;
    const char *method = NULL;
    struct json_object *none = NULL;
    struct err e;
    int rc = 0;

    buf_init(&path, 0);
    buf_init(&payload, 0);
    buf_init(&data, 0);
    const struct json_object *action = conn ? action_find(conn->doc, name) : NULL;
    if (!action) {
        refuse(o, 404, "not_found", "connector %s has no action %.64s", it->connector, name);
        goto out;
    }
    if (!input)
        input = none = json_object_new_object();
    if (!json_object_is_type(input, json_type_object)) {
        field(o, "/input", "expected an object, got %s", jsonx_type_name(input));
        goto out;
    }
    if ((rc = input_check(o, action, input, err)) < 0 || o->code[0])
        goto out;
    if (action_request(&method, &path, &payload, action, input, &e) < 0) {
        /* "/id: ..." into the body's place */
        const char *sep = strstr(e.msg, ": ");
        char ptr[160];
        snprintf(ptr, sizeof(ptr), "/input%.*s", sep ? (int)(sep - e.msg) : 0, e.msg);
        field(o, ptr, "%s", sep ? sep + 2 : e.msg);
        goto out;
    }
    struct connector_req req = {
        .method = method,
        .path = buf_cstr(&path),
        .body = payload.n ? buf_cstr(&payload) : NULL,
        .body_len = payload.n,
        .content_type = payload.n ? "application/json" : NULL,
        .body_max = ACTION_ANSWER_MAX,
        .idempotent = strcmp(method, "POST") != 0,
        .max_attempts = 1, /* a refusal goes back with its Retry-After: the caller decides */
        .wait_cap_ms = 10000,
    };
    rc = connector_call(&r, env, it, conn, &req, &e);
    if (rc == ERR_INVALID && strncmp(e.msg, "needs_reauth", 12) == 0) {
        rc = 0;
        refuse(o, 409, "needs_reauth", "%s", e.msg);
        goto out;
    }
    if (rc == ERR_IO || rc == ERR_TOOBIG) {
        rc = 0;
        refuse(o, 502, "bad_gateway", "%s", e.msg);
        goto out;
    }
    if (rc < 0) {
        *err = e;
        goto out;
    }
    if (!succeeded(&r)) {
        refused(o, &r, conn->title);
        goto out;
    }
    long status = r.status;
    const struct json_object *pages = jsonx_get(action, "pages");
    if (pages) {
        const char *lname = jsonx_str(jsonx_get(pages, "limit"));
        int64_t limit = lname && jsonx_has(input, lname)
                            ? json_object_get_int64(jsonx_get(input, lname))
                            : ACTION_LIMIT_MAX;
        if (limit < 1 || limit > ACTION_LIMIT_MAX)
            limit = ACTION_LIMIT_MAX;
        if (gather(&data, env, it, conn, pages, &r, limit, &e) < 0) {
            refuse(o, 502, "bad_gateway", "%s", e.msg);
            goto out;
        }
    } else if (r.body.n) {
        struct json_object *doc = NULL;
        if (jsonx_parse(&doc, r.body.p, r.body.n, r.body.n + 1, &e) < 0) {
            refuse(o, 502, "bad_gateway", "%s answered what is not JSON", conn->title);
            goto out;
        }
        jsonx_format(&data, doc);
        json_object_put(doc);
    } else {
        buf_puts(&data, "null");
    }
    struct buf stored;
    buf_init(&stored, 0);
    if (jsonx_has(action, "writes"))
        write_back(&stored, env, it, conn, jsonx_get(action, "writes"), input, &data);
    log_info("action: done", LOG_STR("integration", it->id), LOG_STR("action", name),
             LOG_INT("status", status));
    o->status = 200;
    buf_printf(&o->body, "{\"ok\":true,\"action\":\"%s\",\"status\":%ld,\"data\":%s%s}", name,
               status, buf_cstr(&data), buf_cstr(&stored));
    buf_dispose(&stored);
out:
    fetch_resp_dispose(&r);
    json_object_put(none);
    buf_dispose(&path);
    buf_dispose(&payload);
    buf_dispose(&data);
    return rc;
}
