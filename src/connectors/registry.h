/* connectors/registry.h - the connector catalogue: every connectors/*.json
 * loaded and checked against connectors/connector.schema.json at start,
 * then kept read-only in memory for the life of the process. Built-in
 * connectors are compiled into the binary; files in the connectors folder
 * (INLET_CONNECTORS_DIR) add to them or replace one of the same name. A file
 * that fails the checks is reported (path + JSON Pointer + message), skipped,
 * and the rest still load. The file format: docs/connectors.md.
 * Used by api/connectors.c, api/integrations.c and, later, oauth/ and sync/. */
#ifndef INLET_CONNECTORS_REGISTRY_H
#define INLET_CONNECTORS_REGISTRY_H
#include <stdbool.h>
#include <stddef.h>

#include <json-c/json_object.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/jsonschema.h"

#define CONNECTOR_NAME_MAX 64    /* bytes of a name: [a-z0-9_-], starting with a letter */
#define CONNECTOR_FILE_MAX 1048576 /* bytes of a connector file */
#define CONNECTOR_LOGO_MAX 65536 /* bytes of a logo SVG */

enum connector_auth {
    CONNECTOR_AUTH_OAUTH2,
    CONNECTOR_AUTH_API_KEY,
    CONNECTOR_AUTH_BASIC,
    CONNECTOR_AUTH_NONE,
};

/* One connector; everything borrowed from the registry, read-only, valid
 * until registry_free. */
struct connector {
    const char *name;        /* "salesforce" */
    const char *title;       /* "Salesforce" */
    const char *category;    /* "crm", "support", "chat", ... */
    const char *description;
    const char *kind;        /* "declarative" or "singer" */
    enum connector_auth auth_kind;
    const char *logo_svg;    /* the SVG text, NULL when the file has none */
    size_t logo_len;
    const char *source;      /* "builtin" or the file's path, for messages */
    struct json_object *doc; /* the whole parsed file */
    struct json_object *auth; /* the "auth" object */
    const struct jsonschema *config_schema;  /* "config" section, checked */
    const struct jsonschema *secrets_schema; /* what the user supplies as secrets
                                                (api_key, basic: derived from auth);
                                                NULL when it takes none */
    const char *const *secret_names; /* NULL-terminated: the secret names it accepts */
};

struct registry;

/* Called once per rejected file; the registry logs it too. */
typedef void (*registry_reject_fn)(void *ctx, const char *path, const struct err *why);

/* Load the built-in connectors, then every *.json in dir (NULL or a missing
 * folder: built-ins only; the logo a file names is read relative to its
 * folder). *out (OUT) is the caller's (registry_free). Rejected files are
 * reported through on_reject (may be NULL) with messages such as
 *   connectors/x.json: /auth/type: expected one of "oauth2", "api_key", "basic", "none"
 * and skipped. ERR_IO only when dir exists and cannot be read. */
MUST_CHECK int registry_load(struct registry **out, const char *dir, registry_reject_fn on_reject,
                             void *ctx, struct err *err);
void registry_free(struct registry *r);

/* Parse and check one connector file's text, as registry_load does for each
 * file; for `inlet connectors check FILE` and the fuzz harness. ERR_INVALID
 * with the pointer and message. Nothing is kept. */
MUST_CHECK int registry_check_text(const char *text, size_t n, struct err *err);

/* The connector called name, or NULL. */
const struct connector *registry_get(const struct registry *r, const char *name);

/* Connectors sorted by name. */
size_t registry_count(const struct registry *r);
const struct connector *registry_at(const struct registry *r, size_t i);

/* Whether c matches a catalogue search: q (may be NULL) as a case-insensitive
 * substring of name, title, description or category; category (may be NULL)
 * exactly. */
bool registry_match(const struct connector *c, const char *q, const char *category);

/* Append c as the catalogue's JSON object (name, title, category,
 * description, kind, auth without client secrets, config schema, secret
 * names, logo URL "/api/connectors/NAME/logo.svg" or null, and the streams,
 * actions and webhooks sections as written). detail false leaves out the
 * schemas and sections, for listings. */
void registry_format(const struct connector *c, bool detail, struct buf *b);

#endif
