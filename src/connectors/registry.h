/* connectors/registry.h - the connector catalogue: every connector file
 * (connectors/NAME.json) loaded and checked against the built-in
 * connectors/connector.schema.json at start, then kept read-only in memory
 * for the life of the process. Built-in connectors are compiled into the
 * binary; files in the connectors folder (INLET_CONNECTORS_DIR) add to them
 * or replace one of the same name. A file that fails the checks is reported
 * (path + JSON Pointer + message), skipped, and the rest still load. The
 * file format and every check: docs/connectors.md.
 * Used by api/connectors.c, api/integrations.c and, later, oauth/ and sync/. */
#ifndef INLET_CONNECTORS_REGISTRY_H
#define INLET_CONNECTORS_REGISTRY_H
#include <stdbool.h>
#include <stddef.h>

#include <json-c/json_object.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/jsonschema.h"

#define CONNECTOR_NAME_MAX 64      /* bytes of a name: [a-z0-9_-], starting with a letter */
#define CONNECTOR_FILE_MAX 1048576 /* bytes of a connector file */
#define CONNECTOR_LOGO_MAX 65536   /* bytes of a logo SVG */

enum connector_auth {
    CONNECTOR_AUTH_OAUTH2,
    CONNECTOR_AUTH_API_KEY,
    CONNECTOR_AUTH_BASIC,
    CONNECTOR_AUTH_NONE,
};

/* One connector; everything borrowed from the registry, read-only, valid
 * until registry_free, and shared by every thread. Read doc and auth with
 * the jsonx accessors only: never serialise them (json-c writes a cache
 * into a value it prints; use registry_format) and never take or drop
 * references (json-c's count is not atomic). */
struct connector {
    const char *name;     /* "salesforce" */
    const char *title;    /* "Salesforce" */
    const char *category; /* "crm", "support", "chat", ... */
    const char *description;
    const char *kind; /* "declarative" or "singer" */
    enum connector_auth auth_kind;
    const char *logo_svg;     /* the SVG text (checked: a plain drawing), NULL when none */
    size_t logo_len;          /* bytes, at most CONNECTOR_LOGO_MAX */
    const char *source;       /* "builtin" or the file's path, for messages */
    struct json_object *doc;  /* the whole parsed file */
    struct json_object *auth; /* the "auth" object */
    const struct jsonschema *config_schema;  /* the "config" section compiled; never NULL
                                                (no section: an object with no fields) */
    const struct jsonschema *secrets_schema; /* what the user supplies as secrets
                                                (api_key, basic: derived from auth);
                                                NULL when it takes none */
    const char *const *secret_names;         /* NULL-terminated, never NULL: the secret
                                                names it accepts, in file order; empty for
                                                oauth2 and none */
    /* Where its URLs go instead of the origin they name (connectors/urls.h):
     * "http://127.0.0.1:8900" under `inlet serve --demo` or
     * INLET_<NAME>_BASE_URL; NULL for the file's own. */
    const char *origin;
    /* The OAuth client used when neither the tenant nor the environment
     * names one (the sandbox's, under --demo); NULL for none. */
    const char *default_client_id, *default_client_secret;
    /* The signing secret of its webhooks when "webhooks" says
     * "signing_secret" and <NAME>_SIGNING_SECRET is not set (the
     * sandbox's, under --demo); NULL for none. */
    const char *default_signing_secret;
    /* Kind singer: the file's "singer" section (connectors/singer_spec.h)
     * and the executable to run, a relative path already joined to the
     * file's folder; NULL for other kinds. */
    struct json_object *singer;
    const char *singer_executable;
};

struct registry;

/* Called once per rejected file; the registry logs it too. */
typedef void (*registry_reject_fn)(void *ctx, const char *path, const struct err *why);

/* Load the built-in connectors, then every NAME.json in dir, in name order
 * (NULL, "" or a missing folder: built-ins only; hidden files and
 * connector.schema.json are skipped; the logo a file names is read relative
 * to its folder). A file's name field must be its NAME; one that is a
 * built-in's replaces the built-in. *out (OUT) is the caller's
 * (registry_free). Rejected files are logged (log_warn: path, pointer,
 * problem), reported through on_reject (may be NULL) with messages such as
 *   connectors/x.json: /auth/type: must be one of "oauth2", "api_key", "basic", "none"
 * and skipped. ERR_IO only when dir exists and cannot be read; ERR_INVALID
 * only if the built-in schema itself does not compile (a broken build). */
MUST_CHECK int registry_load(struct registry **out, const char *dir, registry_reject_fn on_reject,
                             void *ctx, struct err *err);
void registry_free(struct registry *r);

/* Parse and check one connector file's text, as registry_load does for each
 * file, except what needs its folder or name (the logo file, name = file
 * name); for `inlet connectors check FILE` and the fuzz harness. ERR_INVALID
 * ("POINTER: PROBLEM", or the parser's message) or ERR_TOOBIG past
 * CONNECTOR_FILE_MAX. Nothing is kept. */
MUST_CHECK int registry_check_text(const char *text, size_t n, struct err *err);

/* Send every URL of connector name to origin instead of the one the file
 * names (http(s)://host[:port][/prefix], checked by connector_origin_check;
 * copied). For start-up only, before the registry is shared between
 * threads. ERR_NOTFOUND when there is no such connector, ERR_INVALID for a
 * bad origin. */
MUST_CHECK int registry_set_origin(struct registry *r, const char *name, const char *origin,
                                   struct err *err);

/* Give connector name a default OAuth client (both strings copied; secret
 * NULL for a public client). Start-up only, as registry_set_origin.
 * ERR_NOTFOUND when there is no such connector. */
MUST_CHECK int registry_set_client(struct registry *r, const char *name, const char *client_id,
                                   const char *client_secret, struct err *err);

/* Give connector name a default webhook signing secret (copied).
 * Start-up only, as registry_set_origin. ERR_NOTFOUND. */
MUST_CHECK int registry_set_signing_secret(struct registry *r, const char *name, const char *secret,
                                           struct err *err);

/* The connector called name, or NULL. */
const struct connector *registry_get(const struct registry *r, const char *name);

/* Connectors sorted by name. */
size_t registry_count(const struct registry *r);
const struct connector *registry_at(const struct registry *r, size_t i);

/* Whether c matches a catalogue search: q (NULL or "": anything) as a
 * substring of name, title, description or category, ignoring ASCII case;
 * category (NULL or "": any) exactly. */
bool registry_match(const struct connector *c, const char *q, const char *category);

/* Append c as the catalogue's JSON object: name, title, category,
 * description, kind, auth (as written: files hold no client secrets),
 * secret_names, logo_url ("/api/connectors/NAME/logo.svg" or null),
 * docs_url; with detail also config_schema, secrets_schema, base_url, and
 * the streams, actions and webhooks sections as written. The text is made
 * once at load, so this is a copy: thread-safe. */
void registry_format(const struct connector *c, bool detail, struct buf *b);

#endif
