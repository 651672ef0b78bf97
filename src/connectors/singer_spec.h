/* connectors/singer_spec.h - the "singer" section of a connector file of
 * kind "singer": which executable runs the tap, and how an integration's
 * settings, secrets and OAuth token become the tap's config file. The
 * registry checks the section when it loads the file (singer_spec_check);
 * a sync fills the config in for one integration (singer_spec_config).
 * The format: docs/connectors.md, "Singer taps". */
#ifndef INLET_CONNECTORS_SINGER_SPEC_H
#define INLET_CONNECTORS_SINGER_SPEC_H
#include <stddef.h>

#include <json-c/json_object.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/jsonx.h"

#define SINGER_TIMEOUT_DEFAULT_S          86400 /* a sync */
#define SINGER_DISCOVER_TIMEOUT_DEFAULT_S 600   /* a discovery */
#define SINGER_STALL_DEFAULT_S            1800  /* a sync's longest silence on stdout */

/* What the connector schema cannot say about doc (a whole connector file
 * that passed it): kind "singer" comes with a "singer" section and only it
 * has one; every template in singer.config names something the connector
 * declares - {config.NAME} a config property, {secrets.NAME} a field of
 * auth.secrets (api_key) or username / password (basic), {oauth.access_token}
 * needs oauth2 auth, {connection.NAME} a member of
 * auth.token_response.metadata - and fills a whole string; an api_key auth
 * of a declarative connector says where the key goes ("in", "name").
 * ERR_INVALID with *at (OUT) the JSON Pointer of the problem. */
MUST_CHECK int singer_spec_check(struct jsonx_ptr *at, struct json_object *doc, struct err *err);

/* One integration's values, all borrowed; any may be NULL. */
struct singer_values {
    struct json_object *config;     /* its settings (an object) */
    struct json_object *secrets;    /* its secrets, opened (an object of strings) */
    struct json_object *connection; /* the token response's kept metadata (an object) */
    const char *access_token;       /* a live OAuth access token */
};

/* Append the tap's config, a JSON object, to out. With a singer.config
 * mapping: the mapping, where each string that is a whole template
 * ("{config.start_date}") becomes the value it names, of any JSON type, and
 * a member whose value is absent is left out. Without one: the settings'
 * members, then the secrets', then "access_token" when there is one.
 * *secrets (OUT, xfree; NULL-terminated, the strings borrowed from v) lists
 * every secret value that went in, so that the tap's output can be
 * scrubbed of them. */
void singer_spec_config(struct buf *out, const char ***secrets, struct json_object *singer,
                        const struct singer_values *v);

#endif
