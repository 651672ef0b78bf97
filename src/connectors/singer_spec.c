/* connectors/singer_spec.c - see singer_spec.h. Templates fill whole
 * values only, never part of a string: a setting keeps its JSON type (a
 * number stays a number in the tap's config), and no value can be spliced
 * into a string the connector author wrote. */
#include "connectors/singer_spec.h"

#include <stdbool.h>
#include <string.h>

#include <json-c/linkhash.h>

#include "core/alloc.h"

enum tpl { TPL_NONE, TPL_CONFIG, TPL_SECRETS, TPL_OAUTH, TPL_CONNECTION, TPL_BAD };

static const struct {
    const char *prefix;
    enum tpl kind;
} kinds[] = {
    {"{config.", TPL_CONFIG},
    {"{secrets.", TPL_SECRETS},
    {"{oauth.", TPL_OAUTH},
    {"{connection.", TPL_CONNECTION},
};

#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

/* What string s is: a whole template (its name into name, NUL-terminated),
 * plain text, or text that holds a template among other things (TPL_BAD). */
static enum tpl template_of(const char *s, char name[72])
{
    size_t n = strlen(s);
    for (size_t k = 0; k < NKINDS; k++) {
        size_t pn = strlen(kinds[k].prefix);
        if (strncmp(s, kinds[k].prefix, pn) != 0)
            continue;
        size_t nn = n - pn - 1; /* without the prefix and the '}' */
        if (n <= pn + 1 || s[n - 1] != '}' || nn > 64)
            return TPL_BAD;
        for (size_t i = 0; i < nn; i++) {
            char c = s[pn + i];
            if (!((c >= 'a' && c <= 'z') || c == '_' || (i > 0 && c >= '0' && c <= '9')))
                return TPL_BAD;
        }
        memcpy(name, s + pn, nn);
        name[nn] = '\0';
        return kinds[k].kind;
    }
    for (size_t k = 0; k < NKINDS; k++)
        if (strstr(s, kinds[k].prefix))
            return TPL_BAD;
    return TPL_NONE;
}

/* ---- checking a connector file ---- */

static bool listed(struct json_object *arr, const char *s)
{
    for (size_t i = 0; i < jsonx_len(arr); i++)
        if (jsonx_str(jsonx_at(arr, i)) && strcmp(jsonx_str(jsonx_at(arr, i)), s) == 0)
            return true;
    return false;
}

/* One template, found at *at. */
static int check_template(struct jsonx_ptr *at, struct json_object *doc, enum tpl kind,
                          const char *name, struct err *err)
{
    struct json_object *auth = jsonx_get(doc, "auth");
    const char *type = jsonx_str(jsonx_get(auth, "type"));
    switch (kind) {
    case TPL_CONFIG:
        if (!jsonx_has(jsonx_get(jsonx_get(doc, "config"), "properties"), name))
            return err_set(err, ERR_INVALID, "{config.%s} names no property of config", name);
        return 0;
    case TPL_SECRETS:
        if (type && strcmp(type, "api_key") == 0 &&
            jsonx_has(jsonx_get(jsonx_get(auth, "secrets"), "properties"), name))
            return 0;
        if (type && strcmp(type, "basic") == 0 &&
            (strcmp(name, "username") == 0 || strcmp(name, "password") == 0))
            return 0;
        return err_set(err, ERR_INVALID,
                       "{secrets.%s} names no secret: declare it in auth.secrets (api_key), or "
                       "use username or password (basic)",
                       name);
    case TPL_OAUTH:
        if (strcmp(name, "access_token") != 0)
            return err_set(err, ERR_INVALID,
                           "{oauth.%s}: only {oauth.access_token} is given to a tap (inlet "
                           "keeps the refresh token, so that a tap never rotates it away)",
                           name);
        if (!type || strcmp(type, "oauth2") != 0)
            return err_set(err, ERR_INVALID, "{oauth.access_token} needs auth of type oauth2");
        return 0;
    case TPL_CONNECTION:
        if (!listed(jsonx_get(jsonx_get(auth, "token_response"), "metadata"), name))
            return err_set(err, ERR_INVALID,
                           "{connection.%s} is not kept from the token response: add it to "
                           "auth.token_response.metadata",
                           name);
        return 0;
    case TPL_BAD:
        return err_set(err, ERR_INVALID,
                       "a template fills a whole string (\"{config.NAME}\"), never part of one");
    case TPL_NONE:
        break;
    }
    (void)at;
    return 0;
}

/* Every string under v, with *at following along. */
static int check_values(struct jsonx_ptr *at, struct json_object *doc, struct json_object *v,
                        struct err *err)
{
    char name[72];
    int rc = 0;
    if (json_object_is_type(v, json_type_string))
        return check_template(at, doc, template_of(json_object_get_string(v), name), name, err);
    if (json_object_is_type(v, json_type_array)) {
        for (size_t i = 0; i < jsonx_len(v) && rc == 0; i++) {
            size_t mark = jsonx_ptr_push_index(at, i);
            rc = check_values(at, doc, jsonx_at(v, i), err);
            if (rc == 0)
                jsonx_ptr_pop(at, mark);
        }
    } else if (json_object_is_type(v, json_type_object)) {
        json_object_object_foreach(v, key, member)
        {
            size_t mark = jsonx_ptr_push(at, key);
            if ((rc = check_values(at, doc, member, err)) < 0)
                break;
            jsonx_ptr_pop(at, mark);
        }
    }
    return rc;
}

/* An argument or environment value: no template (at gets its pointer). */
static int constant_only(struct jsonx_ptr *at, const char *section, const char *s, const char *key,
                         size_t i, struct err *err)
{
    char name[72];
    if (!s || template_of(s, name) == TPL_NONE)
        return 0;
    jsonx_ptr_push(at, section);
    if (key)
        jsonx_ptr_push(at, key);
    else
        jsonx_ptr_push_index(at, i);
    return err_set(err, ERR_INVALID,
                   "holds a template: an integration's values never go on a command line or "
                   "into the environment; put them in singer.config");
}

int singer_spec_check(struct jsonx_ptr *at, struct json_object *doc, struct err *err)
{
    const char *kind = jsonx_str(jsonx_get(doc, "kind"));
    bool singer = kind && strcmp(kind, "singer") == 0;
    struct json_object *spec = jsonx_get(doc, "singer");
    struct json_object *auth = jsonx_get(doc, "auth");
    const char *type = jsonx_str(jsonx_get(auth, "type"));

    jsonx_ptr_init(at);
    if (singer && !spec) {
        jsonx_ptr_push(at, "singer");
        return err_set(err, ERR_INVALID, "is required for a connector of kind singer");
    }
    if (!singer && spec) {
        jsonx_ptr_push(at, "singer");
        return err_set(err, ERR_INVALID, "belongs to connectors of kind singer only");
    }
    if (!singer && type && strcmp(type, "api_key") == 0 &&
        (!jsonx_has(auth, "in") || !jsonx_has(auth, "name"))) {
        jsonx_ptr_push(at, "auth");
        return err_set(err, ERR_INVALID,
                       "an api_key connector says where the key goes: \"in\" and \"name\"");
    }
    if (!singer)
        return 0;
    /* Arguments and the environment are visible to every local user (ps,
     * /proc): constants only. */
    struct json_object *args = jsonx_get(spec, "args"), *env = jsonx_get(spec, "env");
    jsonx_ptr_push(at, "singer");
    for (size_t i = 0; i < jsonx_len(args); i++)
        if (constant_only(at, "args", jsonx_str(jsonx_at(args, i)), NULL, i, err) < 0)
            return ERR_INVALID;
    if (json_object_is_type(env, json_type_object)) {
        json_object_object_foreach(env, key, value)
        {
            if (constant_only(at, "env", jsonx_str(value), key, 0, err) < 0)
                return ERR_INVALID;
        }
    }
    jsonx_ptr_init(at);
    if (!jsonx_has(spec, "config"))
        return 0;
    jsonx_ptr_push(at, "singer");
    jsonx_ptr_push(at, "config");
    return check_values(at, doc, jsonx_get(spec, "config"), err);
}

/* ---- filling a config in ---- */

struct fill {
    const struct singer_values *v;
    const char **secrets; /* xrealloc'd, NULL-terminated */
    size_t nsecrets;
};

static void secret_add(struct fill *f, const char *s)
{
    if (!s || !*s)
        return;
    f->secrets = xrealloc(f->secrets, (f->nsecrets + 2) * sizeof(*f->secrets));
    f->secrets[f->nsecrets++] = s;
    f->secrets[f->nsecrets] = NULL;
}

/* The value a template names (borrowed; NULL when absent), and whether it
 * is a secret. An access token is returned through *token. */
static struct json_object *lookup(const struct fill *f, enum tpl kind, const char *name,
                                  const char **token)
{
    *token = NULL;
    switch (kind) {
    case TPL_CONFIG:
        return jsonx_get(f->v->config, name);
    case TPL_SECRETS:
        return jsonx_get(f->v->secrets, name);
    case TPL_CONNECTION:
        return jsonx_get(f->v->connection, name);
    case TPL_OAUTH:
        *token = f->v->access_token;
        return NULL;
    default:
        return NULL;
    }
}

/* Whether v (a mapping value) has a value once filled in: a template whose
 * value is absent leaves its member out. */
static bool present(const struct fill *f, struct json_object *v)
{
    char name[72];
    const char *token;
    if (!json_object_is_type(v, json_type_string))
        return true;
    enum tpl kind = template_of(json_object_get_string(v), name);
    if (kind == TPL_NONE || kind == TPL_BAD)
        return true;
    return lookup(f, kind, name, &token) != NULL || token != NULL;
}

static void fill(struct buf *out, struct fill *f, struct json_object *v)
{
    char name[72];
    const char *token;
    bool first = true;

    if (json_object_is_type(v, json_type_string)) {
        enum tpl kind = template_of(json_object_get_string(v), name);
        if (kind == TPL_NONE || kind == TPL_BAD) {
            jsonx_format(out, v);
            return;
        }
        struct json_object *val = lookup(f, kind, name, &token);
        if (token) {
            buf_put_json_str(out, token);
            secret_add(f, token);
            return;
        }
        if (kind == TPL_SECRETS)
            secret_add(f, jsonx_str(val));
        jsonx_format(out, val);
    } else if (json_object_is_type(v, json_type_array)) {
        buf_putc(out, '[');
        for (size_t i = 0; i < jsonx_len(v); i++) {
            if (!present(f, jsonx_at(v, i)))
                continue;
            buf_puts(out, first ? "" : ",");
            fill(out, f, jsonx_at(v, i));
            first = false;
        }
        buf_putc(out, ']');
    } else if (json_object_is_type(v, json_type_object)) {
        buf_putc(out, '{');
        json_object_object_foreach(v, key, member)
        {
            if (!present(f, member))
                continue;
            buf_puts(out, first ? "" : ",");
            buf_put_json_str(out, key);
            buf_putc(out, ':');
            fill(out, f, member);
            first = false;
        }
        buf_putc(out, '}');
    } else {
        jsonx_format(out, v);
    }
}

/* Without a mapping: settings, secrets, access token, in that order; a
 * later one of the same name wins, as in a Meltano config. */
static void fill_default(struct buf *out, struct fill *f)
{
    struct json_object *parts[2] = {f->v->config, f->v->secrets};
    bool first = true;

    buf_putc(out, '{');
    for (int p = 0; p < 2; p++) {
        if (!json_object_is_type(parts[p], json_type_object))
            continue;
        json_object_object_foreach(parts[p], key, member)
        {
            if ((p == 0 && jsonx_has(f->v->secrets, key)) ||
                (f->v->access_token && strcmp(key, "access_token") == 0))
                continue; /* overridden below */
            buf_puts(out, first ? "" : ",");
            buf_put_json_str(out, key);
            buf_putc(out, ':');
            jsonx_format(out, member);
            if (p == 1)
                secret_add(f, jsonx_str(member));
            first = false;
        }
    }
    if (f->v->access_token) {
        buf_puts(out, first ? "" : ",");
        buf_puts(out, "\"access_token\":");
        buf_put_json_str(out, f->v->access_token);
        secret_add(f, f->v->access_token);
    }
    buf_putc(out, '}');
}

void singer_spec_config(struct buf *out, const char ***secrets, struct json_object *singer,
                        const struct singer_values *v)
{
    struct fill f = {.v = v};
    struct json_object *mapping = jsonx_get(singer, "config");
    if (mapping)
        fill(out, &f, mapping);
    else
        fill_default(out, &f);
    if (!f.secrets) {
        f.secrets = xcalloc(1, sizeof(*f.secrets));
    }
    *secrets = f.secrets;
}
