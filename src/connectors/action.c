/* connectors/action.c - see action.h. */
#include "connectors/action.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/linkhash.h>

#include "connectors/template.h"
#include "core/str.h"

static const char *const methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE", NULL};

const struct json_object *action_find(const struct json_object *doc, const char *name)
{
    struct json_object *all = jsonx_get(doc, "actions");
    for (size_t i = 0; name && i < jsonx_len(all); i++) {
        const char *n = jsonx_str(jsonx_get(jsonx_at(all, i), "name"));
        if (n && strcmp(n, name) == 0)
            return jsonx_at(all, i);
    }
    return NULL;
}

struct json_object *action_input_copy(const struct json_object *action)
{
    struct json_object *v = jsonx_get(action, "input"), *out = NULL;
    if (v && json_object_deep_copy(v, &out, NULL) != 0)
        abort(); /* json-c fails only on out of memory */
    return out;
}

/* ---- the checks at load ---- */

struct known {
    const struct json_object *props; /* the input schema's "properties" */
};

static bool input_known(void *ctx, const char *name, size_t n)
{
    const struct known *k = ctx;
    char member[128];
    if (n <= 6 || memcmp(name, "input.", 6) != 0 || n - 6 >= sizeof(member))
        return false;
    memcpy(member, name + 6, n - 6);
    member[n - 6] = '\0';
    return jsonx_has(k->props, member);
}

static int check_one(struct jsonx_ptr *at, const struct json_object *a, struct err *err)
{
    const struct json_object *req = jsonx_get(a, "request");
    struct known k = {jsonx_get(jsonx_get(a, "input"), "properties")};
    const char *method = jsonx_str(jsonx_get(req, "method"));
    size_t i = 0;
    while (methods[i] && (!method || strcmp(methods[i], method) != 0))
        i++;
    size_t mark = jsonx_ptr_push(at, "request");
    if (!methods[i]) {
        jsonx_ptr_push(at, "method");
        return err_set(err, ERR_INVALID, "expected GET, POST, PUT, PATCH or DELETE");
    }
    jsonx_ptr_push(at, "path");
    int rc = template_check(jsonx_str(jsonx_get(req, "path")), input_known, &k, err);
    if (rc < 0)
        return rc; /* at names the path */
    jsonx_ptr_pop(at, mark);
    json_object_object_foreach(jsonx_members(jsonx_get(req, "query")), name, tmpl)
    {
        mark = jsonx_ptr_push(at, "request");
        jsonx_ptr_push(at, "query");
        jsonx_ptr_push(at, name);
        rc = template_check(jsonx_str(tmpl), input_known, &k, err);
        if (rc < 0)
            return rc;
        jsonx_ptr_pop(at, mark);
    }
    const char *limit = jsonx_str(jsonx_get(jsonx_get(a, "pages"), "limit"));
    if (limit && !jsonx_has(k.props, limit)) {
        jsonx_ptr_push(at, "pages");
        jsonx_ptr_push(at, "limit");
        return err_set(err, ERR_INVALID, "no input property \"%s\"", limit);
    }
    return 0;
}

int action_check(struct jsonx_ptr *at, const struct json_object *doc, struct err *err)
{
    struct json_object *all = jsonx_get(doc, "actions");
    if (jsonx_len(all) > ACTIONS_MAX) {
        jsonx_ptr_init(at);
        jsonx_ptr_push(at, "actions");
        return err_set(err, ERR_INVALID, "%zu actions, over the %d a connector may have",
                       jsonx_len(all), ACTIONS_MAX);
    }
    for (size_t i = 0; i < jsonx_len(all); i++) {
        jsonx_ptr_init(at);
        jsonx_ptr_push(at, "actions");
        jsonx_ptr_push_index(at, i);
        int rc = check_one(at, jsonx_at(all, i), err);
        if (rc < 0)
            return rc;
    }
    jsonx_ptr_init(at);
    return 0;
}

struct fill {
    const struct json_object *input;
    struct json_object *used; /* members a path took: left out of the body */
    bool query;
    char missing[128]; /* the first input member asked for and absent, or "" */
};

static int lookup(void *ctx, const char *name, size_t n, struct buf *out)
{
    struct fill *f = ctx;
    char member[128];
    if (n <= 6 || memcmp(name, "input.", 6) != 0 || n - 6 >= sizeof(member))
        return ERR_NOTFOUND;
    memcpy(member, name + 6, n - 6);
    member[n - 6] = '\0';
    struct json_object *v = jsonx_get(f->input, member);
    const char *text =
        v && !json_object_is_type(v, json_type_object) && !json_object_is_type(v, json_type_array)
            ? json_object_get_string(v)
            : NULL;
    /* A path segment must have a value; a query parameter without one is
     * left out. */
    if (!text || (!f->query && text[0] == '\0')) {
        if (!f->query && !f->missing[0])
            snprintf(f->missing, sizeof(f->missing), "%s", member);
        return 0;
    }
    buf_put_urlenc(out, text, strlen(text));
    if (!f->query)
        json_object_object_add(f->used, member, json_object_new_boolean(1));
    return 0;
}

static int expand(struct buf *out, const char *tmpl, struct fill *f, struct err *err)
{
    int rc = template_expand(out, tmpl, lookup, f, err);
    if (rc == 0 && f->missing[0])
        rc = err_set(err, ERR_INVALID, "/%s: is required here (the request's %s uses it)",
                     f->missing, f->query ? "query" : "path");
    return rc;
}

int action_request(const char **method, struct buf *path, struct buf *body,
                   const struct json_object *action, const struct json_object *input,
                   struct err *err)
{
    const struct json_object *req = jsonx_get(action, "request");
    struct fill f = {.input = input, .used = json_object_new_object()};
    const char *m = jsonx_str(jsonx_get(req, "method"));
    int rc = 0;

    *method = "GET";
    for (size_t i = 0; m && methods[i]; i++)
        if (strcmp(methods[i], m) == 0)
            *method = methods[i];
    rc = expand(path, jsonx_str(jsonx_get(req, "path")), &f, err);
    bool first = true;
    json_object_object_foreach(jsonx_members(jsonx_get(req, "query")), name, tmpl)
    {
        if (rc < 0)
            break;
        struct buf value;
        buf_init(&value, 0);
        f.query = true;
        rc = expand(&value, jsonx_str(tmpl), &f, err);
        if (rc == 0 && value.n) {
            buf_putc(path, first ? '?' : '&');
            buf_put_urlenc(path, name, strlen(name));
            buf_putc(path, '=');
            buf_put(path, value.p, value.n);
            first = false;
        }
        buf_dispose(&value);
    }
    const struct json_object *how = jsonx_get(req, "body");
    if (rc == 0 && how) {
        struct json_object *rest = json_object_new_object();
        json_object_object_foreach(jsonx_members(input), k, v)
        {
            if (!jsonx_has(f.used, k))
                json_object_object_add(rest, k, json_object_get(v));
        }
        const char *wrap = jsonx_str(jsonx_get(how, "wrap"));
        if (wrap) {
            struct json_object *outer = json_object_new_object();
            json_object_object_add(outer, wrap, rest);
            rest = outer;
        }
        jsonx_format(body, rest);
        json_object_put(rest);
    }
    json_object_put(f.used);
    return rc;
}

/* ---- a provider's refusal ---- */

static void put_field(struct buf *b, size_t *n, const char *field, const char *code,
                      const char *message)
{
    buf_puts(b, (*n)++ ? ",{\"field\":" : "{\"field\":");
    buf_put_json_str(b, field);
    buf_puts(b, ",\"code\":");
    if (code)
        buf_put_json_str(b, code);
    else
        buf_puts(b, "null");
    buf_puts(b, ",\"message\":");
    buf_put_json_str(b, message ? message : "");
    buf_putc(b, '}');
}

/* The first bytes of a body that is not JSON as a message: whole UTF-8
 * characters, anything else '?', so that the answer stays valid JSON. */
static void text_of(char message[200], const char *body, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o < 199;) {
        size_t k = str_utf8_seq(body + i, n - i);
        if (k == 0 || body[i] == '\0') {
            message[o++] = '?';
            i++;
        } else if (o + k <= 199) {
            memcpy(message + o, body + i, k);
            o += k;
            i += k;
        } else {
            break;
        }
    }
    message[o] = '\0';
}

void action_error_format(struct buf *out, char message[200], const char *body, size_t n)
{
    struct json_object *doc = NULL;
    struct buf fields;
    struct err e;
    const char *code = NULL, *msg = NULL;
    size_t nf = 0;

    buf_init(&fields, 0);
    if (jsonx_parse(&doc, body, n, n + 1, &e) < 0)
        doc = NULL;
    if (json_object_is_type(doc, json_type_array)) { /* Salesforce */
        for (size_t i = 0; i < jsonx_len(doc) && i < 50; i++) {
            struct json_object *one = jsonx_at(doc, i), *fs = jsonx_get(one, "fields");
            const char *c = jsonx_str(jsonx_get(one, "errorCode"));
            const char *m = jsonx_str(jsonx_get(one, "message"));
            if (i == 0) {
                code = c;
                msg = m;
            }
            for (size_t k = 0; k < jsonx_len(fs) && k < 50; k++)
                if (jsonx_str(jsonx_at(fs, k)))
                    put_field(&fields, &nf, jsonx_str(jsonx_at(fs, k)), c, m);
        }
    } else if (json_object_is_type(doc, json_type_object)) {
        struct json_object *errs = jsonx_get(doc, "errors");
        msg = jsonx_str(jsonx_get(doc, "message"));
        code = jsonx_str(jsonx_get(doc, "category"));
        if (!code && json_object_is_type(jsonx_get(doc, "error"), json_type_string))
            code = jsonx_str(jsonx_get(doc, "error")); /* Slack */
        if (!msg)
            msg = code;
        /* HubSpot puts a property check's failures in its message:
         * "Property values were not valid: [{"name": ..., "error": ...}]". */
        static const char pv[] = "Property values were not valid: ";
        struct json_object *inner = NULL;
        if (msg && strncmp(msg, pv, sizeof(pv) - 1) == 0 &&
            jsonx_parse(&inner, msg + sizeof(pv) - 1, strlen(msg + sizeof(pv) - 1), strlen(msg) + 1,
                        &e) == 0) {
            for (size_t i = 0; i < jsonx_len(inner) && i < 50; i++) {
                struct json_object *one = jsonx_at(inner, i);
                if (jsonx_str(jsonx_get(one, "name")))
                    put_field(&fields, &nf, jsonx_str(jsonx_get(one, "name")),
                              jsonx_str(jsonx_get(one, "error")),
                              jsonx_str(jsonx_get(one, "message")));
            }
            json_object_put(inner);
        }
        for (size_t i = 0; i < jsonx_len(errs) && i < 50; i++) { /* HubSpot */
            struct json_object *one = jsonx_at(errs, i);
            struct json_object *names = jsonx_get(jsonx_get(one, "context"), "propertyName");
            for (size_t k = 0; k < jsonx_len(names) && k < 50; k++)
                if (jsonx_str(jsonx_at(names, k)))
                    put_field(&fields, &nf, jsonx_str(jsonx_at(names, k)),
                              jsonx_str(jsonx_get(one, "code")),
                              jsonx_str(jsonx_get(one, "message")));
        }
    }
    message[0] = '\0';
    if (msg)
        snprintf(message, 200, "%s", msg);
    else
        text_of(message, body, n);
    buf_puts(out, "{\"code\":");
    if (code)
        buf_put_json_str(out, code);
    else
        buf_puts(out, "null");
    buf_puts(out, ",\"message\":");
    buf_put_json_str(out, message);
    buf_printf(out, ",\"fields\":[%s]}", buf_cstr(&fields));
    buf_dispose(&fields);
    json_object_put(doc);
}
