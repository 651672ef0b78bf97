/* connectors/template.h - the "{name}" templates of a connector's stream
 * requests ("/sobjects/{stream}/describe", "SELECT {fields} FROM {stream}")
 * filled in from a lookup the caller gives: the engine's variables are the
 * stream, its selected fields, the bookmark, {config.X} and {connection.X}.
 * Values are inserted as they are; escaping for a URL or JSON is the
 * caller's, after expansion, because only it knows where the text goes. */
#ifndef INLET_CONNECTORS_TEMPLATE_H
#define INLET_CONNECTORS_TEMPLATE_H
#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

/* The value of variable name[0..n) appended to out; ERR_NOTFOUND when there
 * is no such variable (the expansion then fails naming it). A variable that
 * exists but has no value appends nothing. */
typedef int (*template_lookup_fn)(void *ctx, const char *name, size_t n, struct buf *out);

/* Append tmpl with every "{name}" replaced by its value. "{{" and "}}" stand
 * for literal braces. ERR_INVALID for an unclosed "{", an empty or over-long
 * name ("template \"...\": ..."), or a name lookup does not know. */
MUST_CHECK int template_expand(struct buf *out, const char *tmpl, template_lookup_fn lookup,
                               void *ctx, struct err *err);

/* Whether tmpl names variable name anywhere ("{bookmark}"). */
bool template_uses(const char *tmpl, const char *name);

/* Check tmpl's syntax and that every name it holds is known: is_known
 * says; NULL accepts any. ERR_INVALID as template_expand. */
MUST_CHECK int template_check(const char *tmpl,
                              bool (*is_known)(void *ctx, const char *name, size_t n), void *ctx,
                              struct err *err);

#endif
