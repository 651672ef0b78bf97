/* connectors/registry.c - the connector catalogue. Loads the connector files
 * compiled into the binary (scripts/embed: connectors/NAME.json, their logos
 * and connectors/connector.schema.json), then those of the connectors folder,
 * checks each against the built-in schema and then by the rules a schema
 * cannot state (registry.h lists them), and keeps what passes, read-only.
 * The catalogue JSON is formatted once here, at load, because json-c's
 * serialiser writes a cache into the values it prints: API threads must
 * never call it on shared documents. */
#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/linkhash.h>

#include "connectors/engine.h"
#include "connectors/registry.h"
#include "connectors/singer_spec.h"
#include "connectors/urls.h"
#include "core/alloc.h"
#include "core/embed.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "core/secret.h"
#include "core/str.h"

/* scripts/embed connector_builtin_files connectors/... (Makefile). */
extern const struct embed_file connector_builtin_files[];
extern const size_t connector_builtin_files_count;

#define BUILTIN_DIR    "connectors/"
#define SCHEMA_FILE    "connector.schema.json"
#define EMPTY_CONFIG   "{\"type\":\"object\",\"properties\":{},\"additionalProperties\":false}"
#define CONNECTORS_MAX 4096 /* files read from one folder */

/* One loaded connector and what it owns. `c` comes first: registry_format
 * gets back to the entry from the struct connector it is given. */
struct entry {
    struct connector c;
    char *source;                    /* xmalloc: "builtin" or the file's path */
    char *logo;                      /* xmalloc: the SVG text, or NULL */
    struct jsonschema *config;       /* owned */
    struct jsonschema *secrets;      /* owned, NULL for oauth2 and none */
    struct json_object *config_doc;  /* a reference: the file's "config" or EMPTY_CONFIG */
    struct json_object *secrets_doc; /* owned: derived from auth, or NULL */
    const char **names;              /* xmalloc, NULL-terminated; strings borrowed */
    char *list_json, *detail_json;   /* xmalloc: registry_format's two forms */
    char *origin;                    /* xmalloc: c.origin, or NULL */
    char *client_id, *client_secret; /* xmalloc: c.default_client_*, or NULL */
    char *signing_secret;            /* xmalloc: c.default_signing_secret, or NULL */
    char *singer_exe;                /* xmalloc: c.singer_executable, or NULL */
    bool builtin;
};

struct registry {
    struct entry **v; /* xmalloc; sorted by name once loaded */
    size_t n, cap;
};

/* How one file is being checked, and its first problem. */
struct check {
    const char *path;                /* for messages; NULL in registry_check_text */
    const char *want_name;           /* the file's base name, which must be the connector's */
    const char *dir;                 /* folder the logo is read from; NULL: built-in or none */
    bool builtin;                    /* the logo is among the embedded files */
    bool no_logo_file;               /* registry_check_text: there is no folder to look in */
    const struct jsonschema *schema; /* connector.schema.json, compiled */
    struct err *err;
    char pointer[JSONX_PTR_MAX + 4]; /* where the problem is, for the log */
    char problem[ERR_MSG_MAX];       /* what it is */
};

static const char *const no_names[] = {NULL};

/* ---- problems ---- */

/* "path: /pointer: what" into ck->err (the path and pointer when there are
 * some); keeps pointer and what apart for the log line. */
static int reject(struct check *ck, const char *pointer, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int reject(struct check *ck, const char *pointer, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ck->problem, sizeof(ck->problem), fmt, ap);
    va_end(ap);
    snprintf(ck->pointer, sizeof(ck->pointer), "%s", pointer);
    err_set(ck->err, ERR_INVALID, "%s%s%s%s%s", ck->path ? ck->path : "", ck->path ? ": " : "",
            pointer, *pointer ? ": " : "", ck->problem);
    return ERR_INVALID;
}

/* A jsonschema_new failure on a schema found at `at` in the file: its
 * "schema /x: what" becomes "at/x: what". */
static int reject_schema(struct check *ck, const char *at, const struct err *e)
{
    const char *m = e->msg, *colon;
    char pointer[JSONX_PTR_MAX + 4];
    if (strncmp(m, "schema", 6) == 0)
        m += 6;
    if (*m == ' ')
        m++;
    colon = *m == '/' ? strstr(m, ": ") : NULL;
    if (colon) {
        snprintf(pointer, sizeof(pointer), "%s%.*s", at, (int)(colon - m), m);
        return reject(ck, pointer, "%s", colon + 2);
    }
    return reject(ck, at, "%s", *m == ':' ? m + 2 : m);
}

static struct json_object *must(struct json_object *v)
{
    if (!v)
        abort(); /* json-c's out of memory; ours aborts as well (core/alloc.h) */
    return v;
}

/* ---- the checks a schema cannot state ---- */

/* Connector files hold no secrets; a client secret anywhere (the schema
 * already refuses one in auth) is refused with its pointer. */
static int no_client_secret(struct check *ck, struct json_object *v, struct jsonx_ptr *at)
{
    int rc = 0;
    if (json_object_is_type(v, json_type_object)) {
        for (struct lh_entry *e = lh_table_head(json_object_get_object(v)); e && rc == 0;
             e = lh_entry_next(e)) {
            const char *k = (const char *)lh_entry_k(e);
            size_t mark = jsonx_ptr_push(at, k);
            if (strcasecmp(k, "client_secret") == 0)
                rc = reject(ck, jsonx_ptr_cstr(at),
                            "connector files must not hold a client secret: set it per tenant "
                            "(oauth_apps) or in NAME_CLIENT_SECRET");
            else
                rc = no_client_secret(ck, (struct json_object *)lh_entry_v(e), at);
            jsonx_ptr_pop(at, mark);
        }
    } else if (json_object_is_type(v, json_type_array)) {
        for (size_t i = 0; i < jsonx_len(v) && rc == 0; i++) {
            size_t mark = jsonx_ptr_push_index(at, i);
            rc = no_client_secret(ck, jsonx_at(v, i), at);
            jsonx_ptr_pop(at, mark);
        }
    }
    return rc;
}

/* Stream and action names are keys elsewhere (tables, URLs): one each. */
static int unique_names(struct check *ck, struct json_object *doc, const char *section)
{
    struct json_object *list = jsonx_get(doc, section);
    for (size_t i = 1; i < jsonx_len(list); i++) {
        const char *name = jsonx_str(jsonx_get(jsonx_at(list, i), "name"));
        for (size_t j = 0; j < i; j++)
            if (strcmp(name, jsonx_str(jsonx_get(jsonx_at(list, j), "name"))) == 0) {
                char pointer[64];
                snprintf(pointer, sizeof(pointer), "/%s/%zu/name", section, i);
                return reject(ck, pointer, "\"%.64s\" is already the name of /%s/%zu", name,
                              section, j);
            }
    }
    return 0;
}

/* A URL field: every {template} names a declared field that always has a
 * value (required or with a default), and values put into a URL are
 * restricted (enum or pattern in the config schema) so that a user cannot
 * point token requests elsewhere; https, except on loopback (the sandbox). A {connection.x} origin
 * comes from the provider's token response and is checked when it is filled in. */
static int check_url(struct check *ck, struct json_object *doc, const char *pointer)
{
    struct json_object *v = NULL;
    struct err ignore;
    if (jsonx_ptr_get(&v, doc, pointer, &ignore) != 0 || !jsonx_str(v))
        return 0;
    const char *url = jsonx_str(v);
    struct json_object *props = jsonx_get(jsonx_get(doc, "config"), "properties");
    struct json_object *req = jsonx_get(jsonx_get(doc, "config"), "required");
    struct json_object *meta =
        jsonx_get(jsonx_get(jsonx_get(doc, "auth"), "token_response"), "metadata");

    for (const char *p = strchr(url, '{'); p; p = strchr(p + 1, '{')) {
        const char *end = strchr(p, '}');
        if (!end)
            return reject(ck, pointer, "\"{\" without its \"}\"");
        int n = (int)(end - p - 1);
        const char *name = memchr(p, '.', (size_t)(end - p));
        name = name ? name + 1 : NULL;
        int nn = name ? (int)(end - name) : 0;
        bool is_config = strncmp(p + 1, "config.", 7) == 0;
        bool is_connection = strncmp(p + 1, "connection.", 11) == 0;
        if (!name || nn == 0 || (!is_config && !is_connection))
            return reject(ck, pointer,
                          "unknown template {%.*s}: use {config.NAME} or {connection.NAME}", n,
                          p + 1);
        char key[72];
        snprintf(key, sizeof(key), "%.*s", nn > 64 ? 64 : nn, name);
        if (is_config) {
            struct json_object *field = jsonx_get(props, key);
            if (!field)
                return reject(ck, pointer, "{config.%s} names no property of config", key);
            if (!jsonx_has(field, "enum") && !jsonx_has(field, "pattern"))
                return reject(ck, pointer,
                              "{config.%s} is put into a URL, so config property %s needs an "
                              "\"enum\" or a \"pattern\"",
                              key, key);
            bool required = false;
            for (size_t i = 0; i < jsonx_len(req) && !required; i++)
                required = strcmp(jsonx_str(jsonx_at(req, i)), key) == 0;
            if (!required && !jsonx_has(field, "default"))
                return reject(ck, pointer,
                              "{config.%s} is put into a URL, so config property %s needs a "
                              "\"default\" or to be \"required\"",
                              key, key);
        } else {
            bool listed = false;
            for (size_t i = 0; i < jsonx_len(meta) && !listed; i++)
                listed = strcmp(jsonx_str(jsonx_at(meta, i)), key) == 0;
            if (!listed)
                return reject(ck, pointer,
                              "{connection.%s} is not kept from the token response: add it to "
                              "auth.token_response.metadata",
                              key);
        }
    }
    if (strncmp(url, "http://", 7) == 0) {
        const char *host = url + 7;
        size_t n = host[0] == '[' ? strcspn(host, "]") + 1 : strcspn(host, ":/");
        if (!connector_host_is_loopback(host, n))
            return reject(ck, pointer,
                          "must use https (http only for localhost, 127.0.0.1 and [::1])");
    }
    return 0;
}

static bool starts_with_ci(const char *s, const char *prefix)
{
    return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

/* Why p[0..n) is not an SVG logo inlet will serve, or NULL. The API serves
 * logos from its own origin, so anything that runs or fetches is refused:
 * scripts, event handlers, foreign objects, entities, links and url()s that
 * leave the document. */
static const char *svg_problem(const char *p, size_t n)
{
    static const char *const banned[] = {
        "<script",  "<foreignobject", "<iframe", "<embed",   "<object",  "<!doctype",
        "<!entity", "javascript:",    "<set",    "<animate", "<handler", "<listener"};
    if (n == 0)
        return "the file is empty";
    if (memchr(p, '\0', n) || !str_utf8_valid(p, n, NULL))
        return "it is not UTF-8 text";
    struct str s = str_trim((struct str){p, n});
    for (;;) { /* an XML declaration and comments may come first */
        const char *close = NULL;
        if (str_starts_with(s, "<?xml"))
            close = "?>";
        else if (str_starts_with(s, "<!--"))
            close = "-->";
        if (!close)
            break;
        const char *end = NULL;
        for (size_t i = 0; i + strlen(close) <= s.n && !end; i++)
            if (memcmp(s.p + i, close, strlen(close)) == 0)
                end = s.p + i + strlen(close);
        if (!end)
            return "it has an unclosed XML declaration or comment";
        s = str_trim((struct str){end, s.n - (size_t)(end - s.p)});
    }
    if (!str_starts_with(s, "<svg") || s.n < 5 || !strchr(" \t\r\n>", s.p[4]) || s.p[4] == '\0')
        return "it does not start with an <svg> element";
    if (s.n < 6 || memcmp(s.p + s.n - 6, "</svg>", 6) != 0)
        return "it does not end with </svg>";
    for (size_t i = 0; i < n; i++) {
        const char *q = p + i;
        for (size_t k = 0; k < sizeof(banned) / sizeof(banned[0]); k++)
            if (n - i >= strlen(banned[k]) && starts_with_ci(q, banned[k]))
                return "it contains a script, an embedded document or an entity";
        /* An attribute named on...= is an event handler. */
        if ((*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r') && n - i > 3 &&
            (q[1] == 'o' || q[1] == 'O') && (q[2] == 'n' || q[2] == 'N')) {
            size_t j = i + 3;
            while (j < n && ((p[j] >= 'a' && p[j] <= 'z') || (p[j] >= 'A' && p[j] <= 'Z')))
                j++;
            while (j < n && (p[j] == ' ' || p[j] == '\t' || p[j] == '\n' || p[j] == '\r'))
                j++;
            if (j > i + 3 && j < n && p[j] == '=')
                return "it has an event handler attribute (on...=)";
        }
        /* href="..." and url(...) may only point inside the document. */
        bool href = n - i >= 4 && starts_with_ci(q, "href");
        bool url = n - i >= 4 && starts_with_ci(q, "url(");
        if (href || url) {
            size_t j = i + 4;
            while (j < n && (p[j] == ' ' || p[j] == '=' || p[j] == '"' || p[j] == '\''))
                j++;
            if ((href && (j == i + 4 || p[i + 4] == ' ' || p[i + 4] == '=')) || url)
                if (j < n && p[j] != '#')
                    return "it refers to something outside the file (href or url() not "
                           "starting with #)";
        }
    }
    return NULL;
}

/* Read at most max bytes of path into *out (xmalloc, NUL-terminated).
 * ERR_NOTFOUND, ERR_TOOBIG (over max), ERR_IO; no message. */
static int read_capped(char **out, size_t *len, const char *path, size_t max)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT || errno == ENOTDIR ? ERR_NOTFOUND : ERR_IO;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return ERR_IO;
    }
    char *data = xmalloc(max + 2);
    size_t n = 0;
    int rc = 0;
    while (n <= max) {
        ssize_t r = read(fd, data + n, max + 1 - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            rc = r < 0 ? ERR_IO : 0;
            break;
        }
        n += (size_t)r;
    }
    close(fd);
    if (rc == 0 && n > max)
        rc = ERR_TOOBIG;
    if (rc < 0) {
        xfree(data);
        return rc;
    }
    data[n] = '\0';
    *out = data;
    *len = n;
    return 0;
}

static const struct embed_file *builtin_file(const char *path)
{
    for (size_t i = 0; i < connector_builtin_files_count; i++)
        if (connector_builtin_files[i].path && strcmp(connector_builtin_files[i].path, path) == 0)
            return &connector_builtin_files[i];
    return NULL;
}

/* The logo the file names: found, small enough, a plain SVG. *svg (OUT,
 * xmalloc) is NULL when the file names none or there is no folder to look
 * in. */
static int load_logo(struct check *ck, struct json_object *doc, char **svg, size_t *len)
{
    const char *logo = jsonx_str(jsonx_get(doc, "logo"));
    struct buf path;
    int rc = 0;
    *svg = NULL;
    *len = 0;
    if (!logo || ck->no_logo_file)
        return 0;
    buf_init(&path, 4096);
    buf_printf(&path, "%s/%s", ck->builtin ? "connectors" : ck->dir, logo);
    if (buf_failed(&path)) {
        rc = reject(ck, "/logo", "the path of %s is too long", logo);
    } else if (ck->builtin) {
        const struct embed_file *f = builtin_file(buf_cstr(&path));
        if (!f)
            rc = reject(ck, "/logo", "%s: no such file beside the connector file", logo);
        else if (f->len > CONNECTOR_LOGO_MAX)
            rc = reject(ck, "/logo", "%s is over the %d-byte limit", logo, CONNECTOR_LOGO_MAX);
        else {
            *svg = xstrndup(f->data, f->len);
            *len = f->len;
        }
    } else {
        int r = read_capped(svg, len, buf_cstr(&path), CONNECTOR_LOGO_MAX);
        if (r == ERR_NOTFOUND)
            rc = reject(ck, "/logo", "%s: no such file beside the connector file", logo);
        else if (r == ERR_TOOBIG)
            rc = reject(ck, "/logo", "%s is over the %d-byte limit", logo, CONNECTOR_LOGO_MAX);
        else if (r < 0)
            rc = reject(ck, "/logo", "%s cannot be read (not a regular file?)", logo);
    }
    const char *why = rc == 0 && *svg ? svg_problem(*svg, *len) : NULL;
    if (why)
        rc = reject(ck, "/logo", "%s is not a plain SVG image: %s", logo, why);
    if (rc < 0) {
        xfree(*svg);
        *svg = NULL;
    }
    buf_dispose(&path);
    return rc;
}

/* A Singer tap's executable as it will be run: an absolute path or a name
 * for PATH as written, a relative path joined to the file's folder (so
 * that a connector and its tap can be kept side by side). *out (OUT,
 * xfree) is NULL for other kinds. */
static int singer_executable(struct check *ck, struct json_object *doc, char **out)
{
    const char *exe = jsonx_str(jsonx_get(jsonx_get(doc, "singer"), "executable"));
    *out = NULL;
    if (!exe)
        return 0;
    if (exe[0] == '/' || !strchr(exe, '/')) {
        *out = xstrdup(exe);
        return 0;
    }
    if (!ck->dir && ck->no_logo_file) {
        *out = xstrdup(exe); /* registry_check_text: no folder to join to */
        return 0;
    }
    if (!ck->dir)
        return reject(ck, "/singer/executable",
                      "a relative path needs the connector file's folder: give an absolute "
                      "path or a name found in PATH");
    struct buf b;
    buf_init(&b, 4096);
    buf_printf(&b, "%s/%s", ck->dir, exe);
    if (buf_failed(&b)) {
        buf_dispose(&b);
        return reject(ck, "/singer/executable", "the path is too long");
    }
    *out = buf_take(&b);
    return 0;
}

/* What the user gives as secrets, as a schema: the api_key "secrets"
 * declared in the file (closed, every field write-only, all required unless
 * it lists them), or username and password for basic. NULL for oauth2 and
 * none, whose tokens come from the OAuth flow. Owned by the caller. */
static struct json_object *secrets_schema_of(struct json_object *auth)
{
    const char *type = jsonx_str(jsonx_get(auth, "type"));
    struct json_object *s = NULL;
    if (type && strcmp(type, "api_key") == 0) {
        if (json_object_deep_copy(jsonx_get(auth, "secrets"), &s, NULL) != 0)
            abort();
        struct json_object *props = jsonx_get(s, "properties");
        if (!jsonx_has(s, "required")) {
            struct json_object *req = must(json_object_new_array());
            for (struct lh_entry *e = lh_table_head(json_object_get_object(props)); e;
                 e = lh_entry_next(e))
                json_object_array_add(req, must(json_object_new_string(lh_entry_k(e))));
            json_object_object_add(s, "required", req);
        }
        json_object_object_add(s, "additionalProperties", must(json_object_new_boolean(0)));
        for (struct lh_entry *e = lh_table_head(json_object_get_object(props)); e;
             e = lh_entry_next(e))
            json_object_object_add((struct json_object *)lh_entry_v(e), "writeOnly",
                                   must(json_object_new_boolean(1)));
    } else if (type && strcmp(type, "basic") == 0) {
        static const char *const fields[] = {"username", "password"};
        static const char *const titles[] = {"Username", "Password"};
        struct json_object *props = must(json_object_new_object());
        s = must(json_object_new_object());
        json_object_object_add(s, "type", must(json_object_new_string("object")));
        json_object_object_add(s, "required", must(json_object_new_array()));
        for (int i = 0; i < 2; i++) {
            struct json_object *label = jsonx_get(auth, fields[i]);
            struct json_object *f = must(json_object_new_object());
            const char *title = jsonx_str(jsonx_get(label, "title"));
            const char *desc = jsonx_str(jsonx_get(label, "description"));
            json_object_object_add(f, "type", must(json_object_new_string("string")));
            json_object_object_add(f, "minLength", must(json_object_new_int(1)));
            json_object_object_add(f, "title",
                                   must(json_object_new_string(title ? title : titles[i])));
            if (desc)
                json_object_object_add(f, "description", must(json_object_new_string(desc)));
            json_object_object_add(f, "writeOnly", must(json_object_new_boolean(1)));
            json_object_object_add(props, fields[i], f);
            json_object_array_add(jsonx_get(s, "required"),
                                  must(json_object_new_string(fields[i])));
        }
        json_object_object_add(s, "properties", props);
        json_object_object_add(s, "additionalProperties", must(json_object_new_boolean(0)));
    }
    return s;
}

/* ---- one file ---- */

static void entry_free(struct entry *e)
{
    if (!e)
        return;
    json_object_put(e->c.doc);
    json_object_put(e->config_doc);
    json_object_put(e->secrets_doc);
    jsonschema_free(e->config);
    jsonschema_free(e->secrets);
    xfree(e->names);
    xfree(e->source);
    xfree(e->logo);
    xfree(e->list_json);
    xfree(e->detail_json);
    xfree(e->origin);
    xfree(e->client_id);
    if (e->client_secret)
        secret_wipe(e->client_secret, strlen(e->client_secret));
    xfree(e->client_secret);
    if (e->signing_secret)
        secret_wipe(e->signing_secret, strlen(e->signing_secret));
    xfree(e->signing_secret);
    xfree(e->singer_exe);
    xfree(e);
}

/* Both forms of registry_format, once: the listing, and the detail that
 * adds the schemas and sections. */
static void format_entry(struct entry *e)
{
    static const char *const sections[] = {"streams", "actions", "webhooks"};
    const struct connector *c = &e->c;
    struct buf b;
    buf_init(&b, 0);
    buf_puts(&b, "{\"name\":");
    buf_put_json_str(&b, c->name);
    buf_puts(&b, ",\"title\":");
    buf_put_json_str(&b, c->title);
    buf_puts(&b, ",\"category\":");
    buf_put_json_str(&b, c->category);
    buf_puts(&b, ",\"description\":");
    buf_put_json_str(&b, c->description);
    buf_puts(&b, ",\"kind\":");
    buf_put_json_str(&b, c->kind);
    buf_puts(&b, ",\"auth\":");
    jsonx_format(&b, c->auth);
    buf_puts(&b, ",\"secret_names\":[");
    for (size_t i = 0; c->secret_names[i]; i++) {
        buf_puts(&b, i ? "," : "");
        buf_put_json_str(&b, c->secret_names[i]);
    }
    buf_puts(&b, "],\"logo_url\":");
    if (c->logo_svg)
        buf_printf(&b, "\"/api/connectors/%s/logo.svg\"", c->name); /* names need no escaping */
    else
        buf_puts(&b, "null");
    buf_puts(&b, ",\"docs_url\":");
    buf_put_json_str(&b, jsonx_str(jsonx_get(c->doc, "docs_url")));
    size_t head = b.n;

    buf_puts(&b, ",\"config_schema\":");
    jsonx_format(&b, e->config_doc);
    buf_puts(&b, ",\"secrets_schema\":");
    jsonx_format(&b, e->secrets_doc);
    buf_puts(&b, ",\"base_url\":");
    buf_put_json_str(&b, jsonx_str(jsonx_get(c->doc, "base_url")));
    buf_puts(&b, ",\"test\":");
    if (jsonx_get(c->doc, "test"))
        jsonx_format(&b, jsonx_get(c->doc, "test"));
    else
        buf_puts(&b, "null");
    for (int i = 0; i < 3; i++) {
        struct json_object *v = jsonx_get(c->doc, sections[i]);
        buf_printf(&b, ",\"%s\":", sections[i]);
        if (v)
            jsonx_format(&b, v);
        else
            buf_puts(&b, i < 2 ? "[]" : "null");
    }
    buf_putc(&b, '}');
    e->list_json = xmalloc(head + 2);
    memcpy(e->list_json, b.p, head);
    memcpy(e->list_json + head, "}", 2);
    e->detail_json = buf_take(&b);
}

/* Check the parsed file doc (taken: freed here unless it ends in *out).
 * *out (OUT, may be NULL for a check only) gets the connector. */
static int check_doc(struct entry **out, struct check *ck, struct json_object *doc)
{
    struct jsonschema_result *res = xmalloc(sizeof(*res));
    struct entry *e = xcalloc(1, sizeof(*e));
    struct jsonx_ptr at;
    struct err se = {0};
    int rc = 0;

    e->c.doc = doc;
    if (!jsonschema_validate(ck->schema, doc, res)) {
        const struct jsonschema_error *first = &res->errors[0];
        if (res->count > 1 || res->truncated)
            rc = reject(ck, first->pointer, "%s (and %s%zu more problem%s)", first->message,
                        res->truncated ? "over " : "", res->count - 1,
                        res->count == 2 && !res->truncated ? "" : "s");
        else
            rc = reject(ck, first->pointer, "%s", first->message);
        goto done;
    }
    const char *name = jsonx_str(jsonx_get(doc, "name"));
    if (ck->want_name && strcmp(name, ck->want_name) != 0) {
        rc = reject(ck, "/name", "\"%s\" must be the file's name (%s.json)", name, ck->want_name);
        goto done;
    }
    jsonx_ptr_init(&at);
    if ((rc = no_client_secret(ck, doc, &at)) < 0 || (rc = unique_names(ck, doc, "streams")) < 0 ||
        (rc = unique_names(ck, doc, "actions")) < 0)
        goto done;

    e->config_doc = json_object_get(jsonx_get(doc, "config"));
    if (!e->config_doc &&
        jsonx_parse(&e->config_doc, EMPTY_CONFIG, strlen(EMPTY_CONFIG), 256, &se) != 0)
        abort(); /* a constant that parses */
    if (jsonschema_new(&e->config, e->config_doc, &se) != 0) {
        rc = reject_schema(ck, "/config", &se);
        goto done;
    }
    struct json_object *auth = jsonx_get(doc, "auth");
    e->secrets_doc = secrets_schema_of(auth);
    if (e->secrets_doc && jsonschema_new(&e->secrets, e->secrets_doc, &se) != 0) {
        rc = reject_schema(ck, "/auth/secrets", &se);
        goto done;
    }
    struct json_object *sprops = jsonx_get(e->secrets_doc, "properties");
    const char *secret = jsonx_str(jsonx_get(auth, "secret"));
    if (secret && !jsonx_has(sprops, secret)) {
        rc = reject(ck, "/auth/secret", "\"%s\" is not one of the fields of auth.secrets", secret);
        goto done;
    }
    if (!secret && jsonx_has(auth, "secrets") && json_object_object_length(sprops) > 1) {
        rc = reject(ck, "/auth/secret",
                    "is required when auth.secrets has more than one field: name the one that "
                    "goes into the request");
        goto done;
    }
    static const char *const urls[] = {"/base_url", "/auth/authorize_url", "/auth/token_url",
                                       "/auth/revoke_url", "/auth/identity_url"};
    for (size_t i = 0; i < sizeof(urls) / sizeof(urls[0]); i++)
        if ((rc = check_url(ck, doc, urls[i])) < 0)
            goto done;
    if (jsonx_has(doc, "test") && !jsonx_has(doc, "base_url")) {
        rc = reject(ck, "/test", "needs base_url: its path is appended to it");
        goto done;
    }
    if (singer_spec_check(&at, doc, &se) < 0 || engine_spec_check(&at, doc, &se) < 0) {
        rc = reject(ck, jsonx_ptr_cstr(&at), "%s", se.msg);
        goto done;
    }
    if ((rc = singer_executable(ck, doc, &e->singer_exe)) < 0)
        goto done;
    if ((rc = load_logo(ck, doc, &e->logo, &e->c.logo_len)) < 0)
        goto done;

    if (out) {
        size_t nsecrets = sprops ? (size_t)json_object_object_length(sprops) : 0, i = 0;
        e->names = xcalloc(nsecrets + 1, sizeof(*e->names));
        for (struct lh_entry *le = sprops ? lh_table_head(json_object_get_object(sprops)) : NULL;
             le; le = lh_entry_next(le))
            e->names[i++] = (const char *)lh_entry_k(le);
        const char *type = jsonx_str(jsonx_get(auth, "type"));
        e->c.name = name;
        e->c.title = jsonx_str(jsonx_get(doc, "title"));
        e->c.category = jsonx_str(jsonx_get(doc, "category"));
        e->c.description = jsonx_str(jsonx_get(doc, "description"));
        e->c.kind =
            jsonx_str(jsonx_get(doc, "kind")) ? jsonx_str(jsonx_get(doc, "kind")) : "declarative";
        e->c.auth_kind = strcmp(type, "oauth2") == 0    ? CONNECTOR_AUTH_OAUTH2
                         : strcmp(type, "api_key") == 0 ? CONNECTOR_AUTH_API_KEY
                         : strcmp(type, "basic") == 0   ? CONNECTOR_AUTH_BASIC
                                                        : CONNECTOR_AUTH_NONE;
        e->c.logo_svg = e->logo;
        e->c.singer = jsonx_get(doc, "singer");
        e->c.singer_executable = e->singer_exe;
        e->source = xstrdup(ck->builtin ? "builtin" : ck->path);
        e->c.source = e->source;
        e->c.auth = auth;
        e->c.config_schema = e->config;
        e->c.secrets_schema = e->secrets;
        e->c.secret_names = nsecrets ? (const char *const *)e->names : no_names;
        e->builtin = ck->builtin;
        format_entry(e);
        *out = e;
        e = NULL;
    }
done:
    entry_free(e);
    xfree(res);
    assert(rc < 0 || !out || *out); /* for the analyser: reject() always fails */
    return rc;
}

/* ---- the catalogue ---- */

static int compile_schema(struct jsonschema **out, struct err *err)
{
    const struct embed_file *f = builtin_file(BUILTIN_DIR SCHEMA_FILE);
    struct json_object *doc = NULL;
    struct err e = {0};
    int rc;
    if (!f)
        return err_set(err, ERR_NOTFOUND, BUILTIN_DIR SCHEMA_FILE " is not built in");
    rc = jsonx_parse(&doc, f->data, f->len, CONNECTOR_FILE_MAX, &e);
    if (rc == 0)
        rc = jsonschema_new(out, doc, &e);
    json_object_put(doc);
    if (rc < 0)
        return err_set(err, rc, BUILTIN_DIR SCHEMA_FILE ": %s", e.msg);
    return 0;
}

int registry_check_text(const char *text, size_t n, struct err *err)
{
    struct jsonschema *schema = NULL;
    struct json_object *doc = NULL;
    struct check ck = {.no_logo_file = true, .err = err};
    int rc = compile_schema(&schema, err);
    if (rc == 0)
        rc = jsonx_parse(&doc, text, n, CONNECTOR_FILE_MAX, err);
    if (rc == 0) {
        ck.schema = schema;
        rc = check_doc(NULL, &ck, doc);
        doc = NULL; /* check_doc took it */
    }
    json_object_put(doc);
    jsonschema_free(schema);
    return rc;
}

static void report(const struct check *ck, const char *path, const struct err *why,
                   registry_reject_fn on_reject, void *ctx)
{
    log_warn("connector file rejected", LOG_STR("path", path), LOG_STR("pointer", ck->pointer),
             LOG_STR("problem", ck->problem), LOG_ERROR(why));
    if (on_reject)
        on_reject(ctx, path, why);
}

static struct entry **find(struct registry *r, const char *name)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->v[i]->c.name, name) == 0)
            return &r->v[i];
    return NULL;
}

/* Add e, or refuse it when its name is taken. A folder's file replaces a
 * built-in; two files of one name are a mistake, and the second is refused. */
static int add(struct registry *r, struct check *ck, struct entry *e)
{
    struct entry **old = find(r, e->c.name);
    if (old && (*old)->builtin && !e->builtin) {
        log_info("connector file replaces the built-in", LOG_STR("name", e->c.name),
                 LOG_STR("path", e->source));
        entry_free(*old);
        *old = e;
        return 0;
    }
    if (old) {
        int rc = reject(ck, "/name", "\"%s\" is already the name of %s", e->c.name, (*old)->source);
        entry_free(e);
        return rc;
    }
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 16;
        r->v =
            xrealloc(r->v, r->cap * sizeof(*r->v)); // NOLINT(bugprone-sizeof-expression): pointers
    }
    r->v[r->n++] = e;
    return 0;
}

/* The file's base name without ".json", into out. */
static void base_name(char *out, size_t size, const char *path)
{
    const char *slash = strrchr(path, '/'), *b = slash ? slash + 1 : path;
    size_t n = strlen(b) > 5 ? strlen(b) - 5 : 0;
    snprintf(out, size, "%.*s", (int)n, b);
}

static bool is_connector_file(const char *name)
{
    size_t n = strlen(name);
    return n > 5 && name[0] != '.' && strcmp(name + n - 5, ".json") == 0 &&
           strcmp(name, SCHEMA_FILE) != 0;
}

static void load_builtins(struct registry *r, struct check *ck, registry_reject_fn on_reject,
                          void *ctx)
{
    for (size_t i = 0; i < connector_builtin_files_count; i++) {
        const struct embed_file *f = &connector_builtin_files[i];
        const char *rest = f->path ? f->path + strlen(BUILTIN_DIR) : NULL;
        if (!f->path || strncmp(f->path, BUILTIN_DIR, strlen(BUILTIN_DIR)) != 0 ||
            strchr(rest, '/') || !is_connector_file(rest))
            continue;
        char want[CONNECTOR_NAME_MAX + 8];
        struct json_object *doc = NULL;
        struct entry *e = NULL;
        struct err pe = {0};
        base_name(want, sizeof(want), f->path);
        ck->path = f->path;
        ck->want_name = want;
        ck->pointer[0] = '\0';
        int rc = jsonx_parse(&doc, f->data, f->len, CONNECTOR_FILE_MAX, &pe);
        if (rc < 0)
            rc = reject(ck, "", "%s", pe.msg);
        else if ((rc = check_doc(&e, ck, doc)) == 0)
            rc = add(r, ck, e);
        if (rc < 0)
            report(ck, f->path, ck->err, on_reject, ctx);
    }
}

static int by_strcmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int load_dir(struct registry *r, struct check *ck, const char *dir,
                    registry_reject_fn on_reject, void *ctx, struct err *err)
{
    DIR *d = opendir(dir);
    char **names = NULL;
    size_t n = 0, cap = 0;
    if (!d) {
        if (errno == ENOENT) {
            log_info("no connectors folder; built-in connectors only", LOG_STR("dir", dir));
            return 0;
        }
        return err_set(err, ERR_IO, "connectors folder %s: %s", dir, strerror(errno));
    }
    struct dirent *de;
    errno = 0;
    while ((de = readdir(d)) != NULL && n < CONNECTORS_MAX) {
        if (!is_connector_file(de->d_name))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            names = xrealloc(names, cap * sizeof(*names));
        }
        names[n++] = xstrdup(de->d_name);
    }
    if (n == CONNECTORS_MAX)
        log_warn("connectors folder holds too many files; the rest are ignored",
                 LOG_STR("dir", dir), LOG_INT("max", CONNECTORS_MAX));
    closedir(d);
    if (n > 1)
        qsort(names, n, sizeof(*names), by_strcmp); /* the same order on every machine */
    ck->dir = dir;
    ck->builtin = false;
    for (size_t i = 0; i < n; i++) {
        char want[CONNECTOR_NAME_MAX + 8];
        struct json_object *doc = NULL;
        struct entry *e = NULL;
        struct buf path;
        buf_init(&path, 4096);
        buf_printf(&path, "%s/%s", dir, names[i]);
        base_name(want, sizeof(want), names[i]);
        ck->path = buf_cstr(&path);
        ck->want_name = want;
        ck->pointer[0] = '\0';
        int rc = buf_failed(&path)
                     ? err_set(ck->err, ERR_TOOBIG, "%s/%s: path too long", dir, names[i])
                     : jsonx_read_file(&doc, ck->path, CONNECTOR_FILE_MAX, ck->err);
        if (rc < 0)
            snprintf(ck->problem, sizeof(ck->problem), "%s", ck->err->msg);
        else if ((rc = check_doc(&e, ck, doc)) == 0)
            rc = add(r, ck, e);
        if (rc < 0)
            report(ck, ck->path, ck->err, on_reject, ctx);
        buf_dispose(&path);
        xfree(names[i]);
    }
    xfree(names);
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp((*(struct entry *const *)a)->c.name, (*(struct entry *const *)b)->c.name);
}

int registry_load(struct registry **out, const char *dir, registry_reject_fn on_reject, void *ctx,
                  struct err *err)
{
    struct registry *r = xcalloc(1, sizeof(*r));
    struct jsonschema *schema = NULL;
    struct err why = {0};
    struct check ck = {.builtin = true, .err = &why};
    int rc;

    *out = NULL;
    rc = compile_schema(&schema, err);
    if (rc < 0)
        goto done;
    ck.schema = schema;
    load_builtins(r, &ck, on_reject, ctx);
    if (dir && *dir && (rc = load_dir(r, &ck, dir, on_reject, ctx, err)) < 0)
        goto done;
    if (r->n > 1)
        qsort(r->v, r->n, sizeof(*r->v), by_name); // NOLINT(bugprone-sizeof-expression)
    log_info("connectors loaded", LOG_INT("count", (int64_t)r->n),
             LOG_STR("dir", dir && *dir ? dir : "(built-in only)"));
    *out = r;
    r = NULL;
done:
    registry_free(r);
    jsonschema_free(schema);
    return rc;
}

void registry_free(struct registry *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++)
        entry_free(r->v[i]);
    xfree(r->v);
    xfree(r);
}

int registry_set_origin(struct registry *r, const char *name, const char *origin, struct err *err)
{
    struct entry **e = find(r, name);
    if (!e)
        return err_set(err, ERR_NOTFOUND, "no connector named %s", name);
    if (connector_origin_check(origin, true, err) < 0)
        return -1;
    size_t n = strlen(origin);
    while (n > 0 && origin[n - 1] == '/')
        n--; /* the paths it is joined with start with '/' */
    xfree((*e)->origin);
    (*e)->origin = str_dup((struct str){origin, n});
    (*e)->c.origin = (*e)->origin;
    return 0;
}

int registry_set_client(struct registry *r, const char *name, const char *client_id,
                        const char *client_secret, struct err *err)
{
    struct entry **e = find(r, name);
    if (!e)
        return err_set(err, ERR_NOTFOUND, "no connector named %s", name);
    xfree((*e)->client_id);
    xfree((*e)->client_secret);
    (*e)->client_id = xstrdup(client_id);
    (*e)->client_secret = client_secret ? xstrdup(client_secret) : NULL;
    (*e)->c.default_client_id = (*e)->client_id;
    (*e)->c.default_client_secret = (*e)->client_secret;
    return 0;
}

int registry_set_signing_secret(struct registry *r, const char *name, const char *secret,
                                struct err *err)
{
    struct entry **e = find(r, name);
    if (!e)
        return err_set(err, ERR_NOTFOUND, "no connector named %s", name);
    xfree((*e)->signing_secret);
    (*e)->signing_secret = xstrdup(secret);
    (*e)->c.default_signing_secret = (*e)->signing_secret;
    return 0;
}

/* ---- reading ---- */

const struct connector *registry_get(const struct registry *r, const char *name)
{
    size_t lo = 0, hi = r->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(name, r->v[mid]->c.name);
        if (c == 0)
            return &r->v[mid]->c;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

size_t registry_count(const struct registry *r)
{
    return r->n;
}

const struct connector *registry_at(const struct registry *r, size_t i)
{
    return i < r->n ? &r->v[i]->c : NULL;
}

/* Whether needle occurs in hay, ignoring ASCII case. */
static bool contains_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; hay && *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return true;
    return n == 0;
}

bool registry_match(const struct connector *c, const char *q, const char *category)
{
    if (category && *category && strcmp(c->category, category) != 0)
        return false;
    if (!q || !*q)
        return true;
    return contains_ci(c->name, q) || contains_ci(c->title, q) || contains_ci(c->description, q) ||
           contains_ci(c->category, q);
}

void registry_format(const struct connector *c, bool detail, struct buf *b)
{
    const struct entry *e = (const struct entry *)c;
    buf_puts(b, detail ? e->detail_json : e->list_json);
}
