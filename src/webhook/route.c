/* webhook/route.c - see route.h. */
#include "webhook/route.h"

#include <string.h>

#include <json-c/linkhash.h>

#include "core/alloc.h"
#include "core/jsonx.h"

void webhook_route_dispose(struct webhook_route *r)
{
    xfree(r->challenge);
    for (size_t i = 0; i < r->nstreams; i++)
        xfree(r->streams[i]);
    xfree(r->streams);
    memset(r, 0, sizeof(*r));
}

/* Whether doc is the handshake: every pointer of "when" holds its text. */
static bool is_handshake(const struct json_object *when, const struct json_object *doc)
{
    bool any = false;
    json_object_object_foreach(jsonx_members(when), ptr, want)
    {
        struct json_object *got = NULL;
        struct err e;
        if (jsonx_ptr_get(&got, doc, ptr, &e) < 0 || !json_object_is_type(got, json_type_string) ||
            strcmp(jsonx_str(got), jsonx_str(want)) != 0)
            return false;
        any = true;
    }
    return any;
}

static void add_stream(struct webhook_route *r, const char *name)
{
    for (size_t i = 0; i < r->nstreams; i++)
        if (strcmp(r->streams[i], name) == 0)
            return;
    if (r->nstreams >= WEBHOOK_ROUTE_STREAMS_MAX)
        return; /* checked at load: a file names at most this many */
    r->streams = xrealloc(r->streams, (r->nstreams + 1) * sizeof(*r->streams));
    r->streams[r->nstreams++] = xstrdup(name);
}

/* The streams of one event: those of the longest prefix of its type. */
static int route_event(struct webhook_route *r, const struct json_object *spec,
                       const struct json_object *event, size_t i, struct err *err)
{
    const char *ptr = jsonx_str(jsonx_get(spec, "event"));
    struct json_object *type = NULL, *best = NULL;
    size_t best_n = 0;
    struct err e;

    r->events++;
    if (ptr && (jsonx_ptr_get(&type, event, ptr, &e) < 0 || !type))
        return 0; /* no type: nothing to route by */
    if (type && !json_object_is_type(type, json_type_string))
        return err_set(err, ERR_INVALID, "event %zu: %s: expected the event type as text, got %s",
                       i, ptr, jsonx_type_name(type));
    const char *t = type ? jsonx_str(type) : "";
    json_object_object_foreach(jsonx_members(jsonx_get(spec, "streams")), prefix, names)
    {
        size_t k = strlen(prefix);
        if (strncmp(t, prefix, k) == 0 && (!best || k > best_n)) {
            best = names;
            best_n = k;
        }
    }
    if (!best)
        return 0;
    r->matched++;
    for (size_t j = 0; j < jsonx_len(best); j++)
        add_stream(r, jsonx_str(jsonx_at(best, j)));
    return 0;
}

static int route(struct webhook_route *r, const struct json_object *spec,
                 const struct json_object *doc, struct err *err)
{
    const struct json_object *hs = jsonx_get(spec, "handshake");
    if (hs && is_handshake(jsonx_get(hs, "when"), doc)) {
        struct json_object *v = NULL;
        const char *ptr = jsonx_str(jsonx_get(hs, "echo"));
        if (jsonx_ptr_get(&v, doc, ptr, err) < 0 || !json_object_is_type(v, json_type_string) ||
            jsonx_str_len(v) == 0 || jsonx_str_len(v) > WEBHOOK_CHALLENGE_MAX ||
            strlen(jsonx_str(v)) != jsonx_str_len(v))
            return err_set(err, ERR_INVALID, "the handshake's %s: expected 1 to %d bytes of text",
                           ptr, WEBHOOK_CHALLENGE_MAX);
        r->challenge = xstrdup(jsonx_str(v));
        return 0;
    }
    if (!json_object_is_type(doc, json_type_array))
        return route_event(r, spec, doc, 0, err);
    if (jsonx_len(doc) > WEBHOOK_ROUTE_EVENTS_MAX)
        return err_set(err, ERR_INVALID, "%zu events in one delivery, over the %d inlet takes",
                       jsonx_len(doc), WEBHOOK_ROUTE_EVENTS_MAX);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < jsonx_len(doc); i++)
        rc = route_event(r, spec, jsonx_at(doc, i), i, err);
    return rc;
}

int webhook_route(struct webhook_route *out, const struct json_object *spec, const char *body,
                  size_t n, struct err *err)
{
    struct json_object *doc = NULL;
    struct err e;
    memset(out, 0, sizeof(*out));
    if (jsonx_parse(&doc, body, n, n + 1, &e) < 0)
        return err_set(err, ERR_INVALID, "the body is not JSON: %s", e.msg);
    int rc = route(out, spec, doc, err);
    json_object_put(doc);
    if (rc < 0)
        webhook_route_dispose(out);
    return rc;
}
