/* connectors/urls.h - the URLs a connector calls, built from its file's
 * templates ("https://{config.login_host}/services/oauth2/token",
 * "{connection.instance_url}/services/data/{config.api_version}") and
 * sent to another origin when one is set: the sandbox under `inlet serve
 * --demo`, or INLET_<NAME>_BASE_URL (a proxy, a regional host, a test
 * server). Real and sandbox endpoints go through the same code; only the
 * origin differs. docs/connectors.md describes the templates. */
#ifndef INLET_CONNECTORS_URLS_H
#define INLET_CONNECTORS_URLS_H
#include <stdbool.h>
#include <stddef.h>

#include <json-c/json_object.h>

#include "connectors/registry.h"
#include "core/buf.h"
#include "core/err.h"

/* Whether host[0..n) is localhost, 127.0.0.1 or [::1]: the only hosts
 * plain http may reach. */
bool connector_host_is_loopback(const char *host, size_t n);

/* Length of url's scheme://authority part ("https://a.example:8443" of
 * "https://a.example:8443/x?y"); 0 when it has no "://". */
size_t connector_url_origin_len(const char *url);

/* Check an origin: http(s)://host[:port] and trailing '/'s, with a path
 * prefix after it only when allow_prefix (an operator's override may put
 * a proxy path in front; a provider's instance_url may not); no user,
 * query or fragment; http only on loopback (localhost, 127.0.0.1, [::1]),
 * since tokens travel to it. ERR_INVALID saying what is wrong. */
MUST_CHECK int connector_origin_check(const char *origin, bool allow_prefix, struct err *err);

/* A connector's environment variable into out (n bytes, cut): prefix, its
 * name upper-cased with '-' as '_', suffix: ("INLET_", "salesforce",
 * "_BASE_URL") gives INLET_SALESFORCE_BASE_URL. */
void connector_env_name(char *out, size_t n, const char *prefix, const char *name,
                        const char *suffix);

/* Apply INLET_<NAME>_BASE_URL (NAME upper-cased, '-' as '_') from envp (a
 * NULL-terminated "NAME=value" array, such as environ) to every connector
 * of r. ERR_INVALID naming the variable for a bad origin. Start-up only,
 * as registry_set_origin. */
MUST_CHECK int connector_origins_from_env(struct registry *r, const char *const *envp,
                                          struct err *err);

/* Build c's URL at pointer ("/auth/token_url", "/base_url") into out
 * (appended): {config.X} from config, or the config schema's default;
 * {connection.X} from connection (what the token response kept); then the
 * origin replaced when c->origin is set. config and connection may be
 * NULL. A connection value that starts the URL must be an origin as
 * above, a config value that starts it a whole URL passing the same check
 * with its path (the user names their own server: custom-oauth2); a value
 * inside the URL may hold only letters, digits and "-._~:", so that no
 * value can change where the URL points. ERR_NOTFOUND when c has no such
 * URL or the config value that makes it is empty (an optional endpoint);
 * ERR_INVALID naming the template for a missing or refused value. */
MUST_CHECK int connector_url(struct buf *out, const struct connector *c, const char *pointer,
                             const struct json_object *config, const struct json_object *connection,
                             struct err *err);

/* A next-page URL an answer gave, made relative to base (a connector's
 * base URL) into *out (OUT, xfree): an absolute one must start with base
 * (origin and path), a rooted one with base's path; anything else is
 * refused (ERR_INVALID), so that an answer cannot steer the credentials to
 * another host. Used by the engine's next_url pages and paged actions. */
MUST_CHECK int connector_relative(char **out, const char *base, const char *url, struct err *err);

#endif
