/* api/input.c - reading what a client sent: the JSON body (media type,
 * syntax, shape, known members only) and query parameters (known names,
 * typed values). Every refusal answers at once with a message saying what
 * to fix, so a handler only checks the return value. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/linkhash.h>

#include "api/api_int.h"
#include "core/id.h"
#include "core/jsonx.h"

static bool listed(const char *const *names, const char *name)
{
    for (; *names; names++)
        if (strcmp(*names, name) == 0)
            return true;
    return false;
}

static void put_list(struct buf *b, const char *const *names)
{
    for (size_t i = 0; names[i]; i++)
        buf_printf(b, "%s%s", i ? ", " : "", names[i]);
}

/* application/json, optionally with parameters (charset=utf-8). */
static bool is_json_type(const char *type)
{
    static const char want[] = "application/json";
    if (!type || strncasecmp(type, want, sizeof(want) - 1) != 0)
        return false;
    char next = type[sizeof(want) - 1];
    return next == '\0' || next == ';' || next == ' ' || next == '\t';
}

int api_body_object(struct api_ctx *c, struct json_object **out, const char *const *allowed)
{
    struct json_object *v = NULL;
    struct err e;

    *out = NULL;
    if (!is_json_type(http_req_header(c->req, "Content-Type"))) {
        api_error(c, 415, "unsupported_media_type", NULL,
                  "send the body as JSON with Content-Type: application/json");
        return -1;
    }
    if (c->req->body_len == 0) {
        api_error(c, 400, "invalid_json", NULL, "the request needs a JSON object body");
        return -1;
    }
    if (jsonx_parse(&v, c->req->body, c->req->body_len, c->req->body_len, &e) < 0) {
        api_error(c, 400, "invalid_json", NULL, "%s", e.msg);
        return -1;
    }
    if (!json_object_is_type(v, json_type_object)) {
        api_error(c, 400, "invalid_json", NULL, "expected a JSON object, got %s",
                  jsonx_type_name(v));
        json_object_put(v);
        return -1;
    }
    for (struct lh_entry *en = lh_table_head(json_object_get_object(v)); en;
         en = lh_entry_next(en)) {
        const char *k = (const char *)lh_entry_k(en);
        if (listed(allowed, k))
            continue;
        struct buf m;
        struct jsonx_ptr p;
        buf_init(&m, 0);
        put_list(&m, allowed);
        jsonx_ptr_init(&p);
        jsonx_ptr_push(&p, k);
        api_error(c, 400, "unknown_field", NULL, "%s: unknown field; allowed: %s",
                  jsonx_ptr_cstr(&p), buf_cstr(&m));
        buf_dispose(&m);
        json_object_put(v);
        return -1;
    }
    *out = v;
    return 0;
}

struct only {
    struct api_ctx *c;
    const char *const *allowed;
};

static int check_name(void *ctx, const char *name, const char *value)
{
    struct only *o = ctx;
    (void)value;
    if (listed(o->allowed, name))
        return 0;
    struct buf m;
    buf_init(&m, 0);
    if (*o->allowed)
        put_list(&m, o->allowed);
    else
        buf_puts(&m, "none");
    api_error(o->c, 400, "unknown_parameter", NULL,
              "unknown query parameter \"%.64s\"; allowed: %s", name, buf_cstr(&m));
    buf_dispose(&m);
    return -1;
}

int api_query_only(struct api_ctx *c, const char *const *allowed)
{
    struct only o = {c, allowed};
    return http_req_query_each(c->req, check_name, &o) ? -1 : 0;
}

int api_query_int(struct api_ctx *c, const char *name, int def, int min, int max, int *out)
{
    const char *s = http_req_query(c->req, name);
    char *end;

    *out = def;
    if (!s)
        return 0;
    errno = 0;
    long v = *s >= '0' && *s <= '9' ? strtol(s, &end, 10) : 0;
    if (!(*s >= '0' && *s <= '9') || *end || errno || v < min || v > max) {
        api_error(c, 400, "invalid_parameter", NULL, "%s: expected an integer from %d to %d", name,
                  min, max);
        return -1;
    }
    *out = (int)v;
    return 0;
}

int api_query_bool(struct api_ctx *c, const char *name, bool def, bool *out)
{
    const char *s = http_req_query(c->req, name);

    *out = def;
    if (!s)
        return 0;
    if (strcmp(s, "true") == 0 || strcmp(s, "1") == 0) {
        *out = true;
        return 0;
    }
    if (strcmp(s, "false") == 0 || strcmp(s, "0") == 0) {
        *out = false;
        return 0;
    }
    api_error(c, 400, "invalid_parameter", NULL, "%s: expected true or false", name);
    return -1;
}

int api_query_id(struct api_ctx *c, const char *name, const char *prefix, const char **out)
{
    const char *s = http_req_query(c->req, name);

    *out = NULL;
    if (!s)
        return 0;
    if (!id_valid(s, prefix)) {
        api_error(c, 400, "invalid_parameter", NULL,
                  "%s: not a valid value (use the next_cursor of the previous page)", name);
        return -1;
    }
    *out = s;
    return 0;
}

const char *api_path_id(struct api_ctx *c, const char *prefix, const char *what)
{
    const char *id = http_req_param(c->req, "id");
    if (!id_valid(id, prefix)) {
        api_error(c, 404, "not_found", NULL, "no %s %.64s", what, id);
        return NULL;
    }
    return id;
}
