/* oauth/exchange.h - one request to a provider's token endpoint (RFC 6749
 * section 4.1.3 code exchange, section 6 refresh) and its answer: the
 * client authenticated as the connector file says (form body or HTTP
 * Basic), the answer parsed, and the provider's error kept as its code
 * (invalid_grant decides needs_reauth) with a message fit to show. Slack
 * answers errors with 200 and {"ok":false,"error":...}: any answer with an
 * "error" member is an error, whatever its status. */
#ifndef INLET_OAUTH_EXCHANGE_H
#define INLET_OAUTH_EXCHANGE_H
#include <json-c/json_object.h>

#include "connectors/registry.h"
#include "core/err.h"
#include "core/secret.h"
#include "http/fetch.h"
#include "oauth/client.h"

#define OAUTH_ERROR_CODE_MAX 64

/* POST fields (name, value, ..., NULL; values may be secrets) as a form
 * to url, with client cl authenticated as c says, and read the answer into
 * *out (OUT, fetch_resp_dispose; also after an error). Errors of fetch. */
MUST_CHECK int oauth_post_form(struct fetch_resp *out, const struct connector *c, const char *url,
                               const struct oauth_client *cl, const char *const *fields,
                               struct err *err);

/* POST the grant to token_url for client cl of connector c. On success
 * *out (OUT, json_object_put) is the answer object, which holds secrets:
 * drop it as soon as they are sealed. On a provider refusal, ERR_INVALID
 * with code (OUT) set to its error ("invalid_grant", "invalid_client", ...;
 * "" when it gave none) and a one-line message that quotes at most its
 * error and description, never the request. ERR_IO when the provider
 * could not be reached or answered something that is not a JSON object. */
MUST_CHECK int oauth_exchange(struct json_object **out, char code[OAUTH_ERROR_CODE_MAX],
                              const struct connector *c, const char *token_url,
                              const struct oauth_client *cl, const char *const *fields,
                              struct err *err);

/* What inlet seals of a token answer: its access_token, refresh_token,
 * token_type and scope as a JSON object text in *out (OUT,
 * secret_dispose), each from fresh or, when fresh lacks it, from old
 * (NULL: none): a refresh answer without refresh_token keeps the old one.
 * Nothing else of the answer is kept. ERR_TOOBIG (*out untouched) when the
 * text would pass OAUTH_TOKENS_MAX: never stored cut. */
#define OAUTH_TOKENS_MAX 65536
MUST_CHECK int oauth_tokens_text(struct secret *out, struct json_object *fresh,
                                 struct json_object *old, struct err *err);

#endif
