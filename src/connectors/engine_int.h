/* connectors/engine_int.h - what the engine's files share: the variables
 * of a request template, building a request from a file's "request"
 * object, reading a dotted path in an answer, and finding a stream's
 * description in the connector file. */
#ifndef INLET_CONNECTORS_ENGINE_INT_H
#define INLET_CONNECTORS_ENGINE_INT_H
#include <stdbool.h>
#include <stddef.h>

#include <json-c/json_object.h>

#include "connectors/engine.h"
#include "core/buf.h"
#include "core/err.h"

/* The values a template may name. */
struct eng_vars {
    const struct engine_env *env;
    const char *stream;       /* {stream} */
    const char *fields;       /* {fields}: selected fields, comma-separated */
    struct json_object *list; /* the same as a JSON array, for body templates */
    const char *bookmark;     /* {bookmark}, formatted for the request; NULL: none */
    const char *cursor_field; /* {cursor_field}; NULL: none */
};

/* A name a template may hold (for the checks): stream, fields, bookmark,
 * cursor_field, config.X, connection.X. */
bool eng_var_known(const char *name, size_t n);

/* Append tmpl filled in from v. ERR_INVALID as template_expand. */
MUST_CHECK int eng_expand(struct buf *out, const char *tmpl, const struct eng_vars *v,
                          struct err *err);

/* One extra parameter a pagination adds (to the query, or the body). */
struct eng_param {
    const char *name, *value; /* NULL name: none */
    bool in_body;
    bool numeric; /* in a body: a JSON number rather than a string */
};

/* Build request (a file's {"method","path","query","body"}) into *path
 * (path + query, URL-encoded; query values that expand to "" are left out)
 * and *body (JSON text; empty when none), with up to two extra parameters.
 * Returns the method. ERR_INVALID for a template that does not expand. */
MUST_CHECK int eng_build(const char **method, struct buf *path, struct buf *body,
                         const struct json_object *request, const struct eng_vars *v,
                         const struct eng_param *extra, size_t nextra, struct err *err);

/* Send one request through io; a non-2xx answer becomes the provider's
 * error (connector_error_summary's shape) unless the caller handles it:
 * *out is left with the answer either way (fetch_resp_dispose). */
MUST_CHECK int eng_send(struct fetch_resp *out, const struct engine_io *io, const char *method,
                        const struct buf *path, const struct buf *body, struct err *err);

/* The member at a dotted path ("paging.next.after"; "" is obj itself);
 * NULL when any step is missing. Borrowed. */
struct json_object *eng_at(struct json_object *obj, const char *path);

/* The file's description of stream name: a "streams" entry, or the
 * "discover" section's "stream" template; NULL when neither. */
struct json_object *eng_stream_spec(const struct connector *c, const char *name);

/* The first candidate of spec's incremental cursor_field (a string or an
 * array) that schema (a JSON Schema object) has as a property; NULL. */
const char *eng_cursor_field(const struct json_object *spec, const struct json_object *schema);

#endif
