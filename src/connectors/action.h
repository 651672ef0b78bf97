/* connectors/action.h - a connector file's "actions": named operations on
 * the provider ("create_contact", "post_message") with an input JSON
 * Schema and a request template:
 *   {"name": "update_contact", "title": "...", "description": "...",
 *    "input": {JSON Schema of an object},
 *    "request": {"method": "PATCH", "path": "/sobjects/Contact/{input.id}",
 *                "query": {"q": "{input.soql}"},
 *                "body": "input" | {"wrap": "properties"}},
 *    "pages": {"next": "/nextRecordsUrl", "records": "/records",
 *              "limit": "limit"}}
 * A path template's values are put in as one encoded segment each, a
 * query's as form values; the body is the input without the members the
 * path used, alone or wrapped in one member. "pages" follows a next-page
 * pointer of the answer, gathering the records, up to the input's limit.
 * Pure: the checks at load (action_check) and the request an input makes
 * (action_request); api/actions.c sends it. docs/actions.md. */
#ifndef INLET_CONNECTORS_ACTION_H
#define INLET_CONNECTORS_ACTION_H
#include <json-c/json_object.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/jsonx.h"

#define ACTIONS_MAX      200   /* actions of one connector */
#define ACTION_PAGES_MAX 100   /* pages one paged action reads at most */
#define ACTION_LIMIT_MAX 10000 /* records one paged action returns at most */

/* The action called name in doc's "actions", or NULL. */
const struct json_object *action_find(const struct json_object *doc, const char *name);

/* A copy of action's input schema (caller json_object_put): the shared
 * connector document itself must never be printed or compiled in place
 * (connectors/registry.h). */
struct json_object *action_input_copy(const struct json_object *action);

/* Check doc's "actions" beyond the schema: each request's templates name
 * only {input.X} where X is a property of its input schema, the method is
 * one inlet sends, pages names pointers. ERR_INVALID with `at` left at the
 * problem. */
MUST_CHECK int action_check(struct jsonx_ptr *at, const struct json_object *doc, struct err *err);

/* The request action makes of input (an object the input schema has
 * accepted): method (static), path and query into path (appended), the
 * body into body (appended; nothing when the action sends none).
 * ERR_INVALID naming the input member a path needs and lacks. */
MUST_CHECK int action_request(const char **method, struct buf *path, struct buf *body,
                              const struct json_object *action, const struct json_object *input,
                              struct err *err);

/* What a provider's refusal (body[0..n), any bytes) says, as JSON
 * appended to out: {"code": C, "message": M, "fields": [{"field", "code",
 * "message"}...]}, read from the shapes providers use: Salesforce's array
 * of {message, errorCode, fields}, HubSpot's {message, category, errors:
 * [{message, code, context: {propertyName: [...]}}]}, Slack's {ok: false,
 * error}, and a plain {"message"} or {"error": text}. Unknown shapes give
 * the body's first 200 bytes as the message when it is text. *message
 * (200 bytes) gets the message alone, for the answer's headline. */
void action_error_format(struct buf *out, char message[200], const char *body, size_t n);

#endif
