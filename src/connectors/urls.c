/* connectors/urls.c - see urls.h: template expansion of a connector's URLs,
 * the origin overrides of --demo and INLET_<NAME>_BASE_URL, and next-page
 * URLs made relative to the base URL. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connectors/urls.h"
#include "core/alloc.h"
#include "core/jsonx.h"

#define ORIGIN_MAX 2048

size_t connector_url_origin_len(const char *url)
{
    const char *p = strstr(url, "://");
    if (!p || p == url)
        return 0;
    p += 3;
    return (size_t)(p - url) + strcspn(p, "/?#");
}

bool connector_host_is_loopback(const char *host, size_t n)
{
    return (n == 9 && strncmp(host, "localhost", 9) == 0) ||
           (n == 9 && strncmp(host, "127.0.0.1", 9) == 0) ||
           (n == 5 && strncmp(host, "[::1]", 5) == 0);
}

/* Host characters: a name, an IPv4 address, or a bracketed IPv6 one. */
static bool host_ok(const char *h, size_t n)
{
    if (n == 0)
        return false;
    if (h[0] == '[')
        return n > 2 && h[n - 1] == ']' && strspn(h + 1, "0123456789abcdefABCDEF:.") == n - 2;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)h[i]) && h[i] != '-' && h[i] != '.')
            return false;
    return true;
}

int connector_origin_check(const char *origin, bool allow_prefix, struct err *err)
{
    size_t n = strlen(origin), scheme;

    if (n == 0 || n > ORIGIN_MAX)
        return err_set(err, ERR_INVALID, "expected http(s)://host[:port], got %s",
                       n ? "a value too long" : "nothing");
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)origin[i] <= ' ' || origin[i] == 0x7f)
            return err_set(err, ERR_INVALID, "a URL holds no spaces or control characters");
    if (strncmp(origin, "https://", 8) == 0)
        scheme = 8;
    else if (strncmp(origin, "http://", 7) == 0)
        scheme = 7;
    else
        return err_set(err, ERR_INVALID, "expected http(s)://host[:port], got \"%.64s\"", origin);
    const char *auth = origin + scheme;
    size_t an = strcspn(auth, "/?#");
    if (auth[an] == '?' || auth[an] == '#' || strpbrk(auth + an, "?#"))
        return err_set(err, ERR_INVALID, "no query or fragment in an origin: \"%.64s\"", origin);
    if (memchr(auth, '@', an))
        return err_set(err, ERR_INVALID, "no user name or password in an origin");
    if (!allow_prefix && auth[an] == '/' && auth[an + strspn(auth + an, "/")] != '\0')
        return err_set(err, ERR_INVALID, "expected an origin without a path, got \"%.64s\"",
                       origin);
    /* host, then :port; a v6 literal holds colons of its own. */
    size_t hn = auth[0] == '[' ? (size_t)(strchr(auth, ']') ? strchr(auth, ']') - auth + 1 : 0)
                               : strcspn(auth, ":/");
    if (hn == 0 || hn > an || !host_ok(auth, hn))
        return err_set(err, ERR_INVALID, "no host name in \"%.64s\"", origin);
    if (hn < an) {
        const char *port = auth + hn;
        size_t pn = an - hn;
        long v = pn >= 2 && pn <= 6 && strspn(port + 1, "0123456789") == pn - 1
                     ? strtol(port + 1, NULL, 10)
                     : 0;
        if (port[0] != ':' || v < 1 || v > 65535)
            return err_set(err, ERR_INVALID, "bad port in \"%.64s\"", origin);
    }
    if (scheme == 7 && !connector_host_is_loopback(auth, hn))
        return err_set(err, ERR_INVALID,
                       "http is only for localhost, 127.0.0.1 and [::1] (tokens are sent there): "
                       "use https");
    return 0;
}

void connector_env_name(char *out, size_t n, const char *prefix, const char *name,
                        const char *suffix)
{
    static const char upper[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    size_t k = (size_t)snprintf(out, n, "%s", prefix);
    for (const char *p = name; *p && k + 1 < n; p++) {
        char c = *p;
        if (c >= 'a' && c <= 'z')
            c = upper[c - 'a'];
        else if (c == '-')
            c = '_';
        out[k++] = c;
    }
    if (k < n)
        snprintf(out + k, n - k, "%s", suffix);
}

int connector_origins_from_env(struct registry *r, const char *const *envp, struct err *err)
{
    for (size_t i = 0; i < registry_count(r); i++) {
        const char *name = registry_at(r, i)->name;
        char var[CONNECTOR_NAME_MAX + 32];
        connector_env_name(var, sizeof(var), "INLET_", name, "_BASE_URL=");
        size_t vn = strlen(var);
        for (const char *const *e = envp; e && *e; e++) {
            if (strncmp(*e, var, vn) != 0 || !(*e)[vn])
                continue;
            struct err why;
            if (registry_set_origin(r, name, *e + vn, &why) < 0)
                return err_set(err, ERR_INVALID, "%.*s: %s", (int)vn - 1, var, why.msg);
            break; /* the first wins, as with getenv */
        }
    }
    return 0;
}

/* The value of {scope.name}: config (or the schema's default) or connection. */
static const struct json_object *template_value(const struct connector *c, bool is_config,
                                                const char *name, const struct json_object *config,
                                                const struct json_object *connection)
{
    if (!is_config)
        return jsonx_get(connection, name);
    const struct json_object *v = jsonx_get(config, name);
    if (v)
        return v;
    struct json_object *props = jsonx_get(jsonx_get(c->doc, "config"), "properties");
    return jsonx_get(jsonx_get(props, name), "default");
}

/* Append one template's value. At the start of the URL a connection value
 * must be an origin, a config value a whole URL (the user's own server:
 * custom-oauth2), empty meaning "no such URL" (ERR_NOTFOUND); elsewhere a
 * value is a plain segment. */
static int put_value(struct buf *out, const char *tmpl, const struct json_object *v, bool first,
                     struct err *err)
{
    bool is_config = strncmp(tmpl, "config.", 7) == 0;
    char num[32];
    const char *s = jsonx_str(v);
    if (!s && json_object_is_type(v, json_type_int)) {
        snprintf(num, sizeof(num), "%lld", (long long)json_object_get_int64(v));
        s = num;
    }
    if (first && is_config && (!v || (s && !*s)))
        return err_set(err, ERR_NOTFOUND, "{%s} is not set", tmpl);
    if (!s || !*s)
        return err_set(err, ERR_INVALID, "{%s} has no value%s", tmpl,
                       strncmp(tmpl, "connection.", 11) == 0 ? " yet: connect first" : "");
    if (first) {
        struct err why;
        if (connector_origin_check(s, is_config, &why) < 0)
            return err_set(err, ERR_INVALID, "{%s}: %s", tmpl, why.msg);
        size_t n = strlen(s);
        while (n > 0 && s[n - 1] == '/')
            n--;
        buf_put(out, s, n);
        return 0;
    }
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && !strchr("-._~:", s[i]))
            return err_set(err, ERR_INVALID, "{%s}: \"%.64s\" cannot go into a URL", tmpl, s);
    buf_put(out, s, n);
    return 0;
}

int connector_url(struct buf *out, const struct connector *c, const char *pointer,
                  const struct json_object *config, const struct json_object *connection,
                  struct err *err)
{
    struct json_object *at = NULL;
    struct err ignore;
    struct buf url;
    int rc = 0;

    if (jsonx_ptr_get(&at, c->doc, pointer, &ignore) != 0 || !jsonx_str(at))
        return err_set(err, ERR_NOTFOUND, "connector %s has no %s", c->name, pointer);
    buf_init(&url, 0);
    for (const char *p = jsonx_str(at); *p && rc == 0;) {
        if (*p != '{') {
            size_t n = strcspn(p, "{");
            buf_put(&url, p, n);
            p += n;
            continue;
        }
        /* Checked at load: closed, and {config.X} or {connection.X}. */
        const char *end = strchr(p, '}');
        char tmpl[CONNECTOR_NAME_MAX + 80];
        snprintf(tmpl, sizeof(tmpl), "%.*s", end ? (int)(end - p - 1) : 0, p + 1);
        const char *dot = strchr(tmpl, '.');
        if (!end || !dot) {
            rc = err_set(err, ERR_INVALID, "%s: malformed template", pointer);
            break;
        }
        bool is_config = strncmp(tmpl, "config.", 7) == 0;
        rc = put_value(&url, tmpl, template_value(c, is_config, dot + 1, config, connection),
                       p == jsonx_str(at), err);
        p = end + 1;
    }
    if (rc == 0) {
        size_t keep = connector_url_origin_len(buf_cstr(&url));
        if (c->origin && keep) {
            buf_puts(out, c->origin);
            buf_puts(out, buf_cstr(&url) + keep);
        } else {
            buf_puts(out, buf_cstr(&url));
        }
    }
    buf_dispose(&url);
    return rc;
}

/* A next-page URL made relative to the base URL: an absolute one must
 * start with the base URL (the origin and path), a rooted one with the
 * base URL's path; anything else is refused, so that an answer cannot
 * steer the token to another host. */
int connector_relative(char **out, const char *base, const char *url, struct err *err)
{
    size_t olen = 0;
    const char *sep = strstr(base, "://");
    if (sep)
        olen = (size_t)(strchr(sep + 3, '/') ? strchr(sep + 3, '/') - base : (long)strlen(base));
    const char *bpath = base + olen;
    size_t blen = strlen(bpath);
    while (blen && bpath[blen - 1] == '/')
        blen--;
    const char *rest = NULL;
    if (strncmp(url, base, olen) == 0 && strncmp(url + olen, bpath, blen) == 0 && olen)
        rest = url + olen + blen;
    else if (url[0] == '/' && url[1] != '/' && strncmp(url, bpath, blen) == 0)
        rest = url + blen;
    if (!rest || (*rest && *rest != '/' && *rest != '?'))
        return err_set(err, ERR_INVALID,
                       "the next page's URL is outside the connector's base URL: not followed");
    *out = xstrdup(rest);
    return 0;
}
