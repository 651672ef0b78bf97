/* store/connect_settings.c - a tenant's connect page settings and their
 * checks (store/connect_settings.h). They live on the tenants row, read
 * and written as JSON text. */
#include "store/connect_settings.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <json-c/linkhash.h>

#include "core/alloc.h"
#include "core/jsonx.h"

void connect_settings_dispose(struct connect_settings *s)
{
    xfree(s->origins);
    xfree(s->branding);
    xfree(s->tenant_name);
    s->origins = s->branding = s->tenant_name = NULL;
}

int connect_settings_get(struct connect_settings *out, struct db *db, const char *tenant_id,
                         struct err *err)
{
    struct db_rows *r = NULL;
    int rc =
        db_query_row(&r, db, "SELECT connect_origins, branding, name FROM tenants WHERE id = $1",
                     DB_ARGS(DB_TEXT(tenant_id)), err);
    if (rc == ERR_NOTFOUND)
        return err_set(err, ERR_NOTFOUND, "no such tenant");
    if (rc < 0)
        return rc;
    out->origins = xstrdup(db_rows_text(r, 0));
    out->branding = xstrdup(db_rows_text(r, 1));
    out->tenant_name = xstrdup(db_rows_text(r, 2));
    db_rows_free(r);
    return 0;
}

int connect_settings_put(struct db *db, const char *tenant_id, const char *origins,
                         const char *branding, struct err *err)
{
    return db_exec(db,
                   "UPDATE tenants SET connect_origins = COALESCE($2, connect_origins),"
                   " branding = COALESCE($3, branding) WHERE id = $1",
                   DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(origins), DB_TEXT(branding)), NULL, err);
}

int connect_origin_of(char out[CONNECT_ORIGIN_MAX], const char *url, bool origin_only,
                      struct err *err)
{
    size_t n = strlen(url), scheme;

    if (n > CONNECT_URL_MAX)
        return err_set(err, ERR_INVALID, "%zu bytes, at most %d", n, CONNECT_URL_MAX);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)url[i] <= 0x20 || url[i] == 0x7f)
            return err_set(err, ERR_INVALID, "a space or control character at byte %zu", i);
    if (strncasecmp(url, "https://", 8) == 0)
        scheme = 8;
    else if (strncasecmp(url, "http://", 7) == 0)
        scheme = 7;
    else
        return err_set(err, ERR_INVALID, "expected an absolute http:// or https:// URL");
    const char *host = url + scheme;
    size_t hn = strcspn(host, "/?#");
    if (hn == 0)
        return err_set(err, ERR_INVALID, "no host");
    if (memchr(host, '@', hn))
        return err_set(err, ERR_INVALID, "user information (user@host) is not allowed");
    if (origin_only && host[hn] && strcmp(host + hn, "/") != 0)
        return err_set(err, ERR_INVALID,
                       "an origin is a scheme and a host (and a port): nothing after it");
    if (scheme + hn >= CONNECT_ORIGIN_MAX)
        return err_set(err, ERR_INVALID, "the host is too long");
    for (size_t i = 0; i < scheme + hn; i++)
        out[i] = (char)tolower((unsigned char)url[i]);
    out[scheme + hn] = '\0';
    return 0;
}

bool connect_origin_listed(const char *origins, const char *origin)
{
    struct json_object *arr = NULL;
    struct err e;
    bool found = false;

    if (jsonx_parse(&arr, origins, strlen(origins), strlen(origins) + 1, &e) < 0)
        return false;
    for (size_t i = 0; !found && i < jsonx_len(arr); i++) {
        const char *o = jsonx_str(jsonx_at(arr, i));
        found = o && strcmp(o, origin) == 0;
    }
    json_object_put(arr);
    return found;
}

int connect_origins_check(struct buf *out, const struct json_object *arr, struct err *err)
{
    char o[CONNECT_ORIGINS_MAX][CONNECT_ORIGIN_MAX];
    size_t k = 0;
    struct err why;

    if (!json_object_is_type(arr, json_type_array))
        return err_set(err, ERR_INVALID, "/allowed_origins: expected an array of origins");
    if (jsonx_len(arr) > CONNECT_ORIGINS_MAX)
        return err_set(err, ERR_INVALID, "/allowed_origins: %zu origins, at most %d",
                       jsonx_len(arr), CONNECT_ORIGINS_MAX);
    for (size_t i = 0; i < jsonx_len(arr); i++) {
        const char *s = jsonx_str(jsonx_at(arr, i));
        if (!s || strlen(s) != jsonx_str_len(jsonx_at(arr, i)))
            return err_set(err, ERR_INVALID, "/allowed_origins/%zu: expected a string", i);
        if (connect_origin_of(o[k], s, true, &why) < 0)
            return err_set(err, ERR_INVALID, "/allowed_origins/%zu: %s", i, why.msg);
        bool dup = false;
        for (size_t j = 0; j < k && !dup; j++)
            dup = strcmp(o[j], o[k]) == 0;
        k += !dup;
    }
    buf_putc(out, '[');
    for (size_t i = 0; i < k; i++) {
        buf_puts(out, i ? "," : "");
        buf_put_json_str(out, o[i]);
    }
    buf_putc(out, ']');
    return 0;
}

static bool hex_colour(const char *s)
{
    if (strlen(s) != 7 || s[0] != '#')
        return false;
    for (int i = 1; i < 7; i++)
        if (!isxdigit((unsigned char)s[i]))
            return false;
    return true;
}

/* An https URL, or a data: URL of an image in base64. */
static int logo_check(const char *s, size_t n, struct err *err)
{
    static const char *const types[] = {"png", "jpeg", "gif", "webp", "svg+xml"};
    char origin[CONNECT_ORIGIN_MAX];

    if (strncmp(s, "data:image/", 11) == 0) {
        if (n > CONNECT_LOGO_MAX)
            return err_set(err, ERR_INVALID, "/branding/logo_url: %zu bytes, at most %d", n,
                           CONNECT_LOGO_MAX);
        for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
            size_t t = strlen(types[i]);
            if (strncmp(s + 11, types[i], t) == 0 && strncmp(s + 11 + t, ";base64,", 8) == 0) {
                for (const char *p = s + 11 + t + 8; *p; p++)
                    if (!isalnum((unsigned char)*p) && *p != '+' && *p != '/' && *p != '=')
                        return err_set(err, ERR_INVALID,
                                       "/branding/logo_url: the data is not base64");
                return 0;
            }
        }
        return err_set(err, ERR_INVALID,
                       "/branding/logo_url: expected data:image/TYPE;base64,... with TYPE one of "
                       "png, jpeg, gif, webp, svg+xml");
    }
    struct err why;
    if (strncmp(s, "https://", 8) != 0 || connect_origin_of(origin, s, false, &why) < 0)
        return err_set(err, ERR_INVALID,
                       "/branding/logo_url: expected an https:// URL or a data:image/ URL");
    return 0;
}

int connect_branding_check(struct buf *out, const struct json_object *obj, struct err *err)
{
    struct json_object *v;
    size_t n = 0;

    if (!json_object_is_type(obj, json_type_object))
        return err_set(err, ERR_INVALID, "/branding: expected an object");
    json_object_object_foreach((struct json_object *)obj, key, val)
    {
        (void)val;
        if (strcmp(key, "name") != 0 && strcmp(key, "logo_url") != 0 &&
            strcmp(key, "accent_color") != 0)
            return err_set(err, ERR_INVALID,
                           "/branding/%.64s: unknown member; expected name, logo_url, accent_color",
                           key);
    }
    buf_putc(out, '{');
    if ((v = jsonx_get(obj, "name")) && !json_object_is_type(v, json_type_null)) {
        const char *s = jsonx_str(v);
        if (!s || jsonx_str_len(v) > 100 || jsonx_str_len(v) == 0 || strlen(s) != jsonx_str_len(v))
            return err_set(err, ERR_INVALID, "/branding/name: expected text of 1 to 100 bytes");
        for (const char *p = s; *p; p++)
            if ((unsigned char)*p < 0x20 || *p == 0x7f)
                return err_set(err, ERR_INVALID, "/branding/name: a control character");
        buf_puts(out, "\"name\":");
        buf_put_json_str(out, s);
        n++;
    }
    if ((v = jsonx_get(obj, "logo_url")) && !json_object_is_type(v, json_type_null)) {
        const char *s = jsonx_str(v);
        if (!s || strlen(s) != jsonx_str_len(v))
            return err_set(err, ERR_INVALID, "/branding/logo_url: expected a string");
        if (logo_check(s, strlen(s), err) < 0)
            return ERR_INVALID;
        buf_puts(out, n++ ? ",\"logo_url\":" : "\"logo_url\":");
        buf_put_json_str(out, s);
    }
    if ((v = jsonx_get(obj, "accent_color")) && !json_object_is_type(v, json_type_null)) {
        const char *s = jsonx_str(v);
        if (!s || !hex_colour(s))
            return err_set(err, ERR_INVALID,
                           "/branding/accent_color: expected a colour as #rrggbb");
        char low[8];
        for (int i = 0; i < 8; i++)
            low[i] = (char)tolower((unsigned char)s[i]);
        buf_puts(out, n++ ? ",\"accent_color\":" : "\"accent_color\":");
        buf_put_json_str(out, low);
    }
    buf_putc(out, '}');
    return 0;
}
