/* fuzz/fuzz_connect_settings.c - arbitrary bytes as what a tenant registers
 * for its connect page: a return_url or an origin (connect_origin_of), and,
 * parsed as JSON, allowed_origins and branding (connect_origins_check,
 * connect_branding_check). Properties: an accepted origin is a lower-case
 * http(s):// scheme and host with no user information, path, query or
 * fragment, and is where the URL starts (ignoring case), so a return_url
 * can never be taken for another origin; what the checks accept is JSON
 * again; a refusal has a one-line message starting with its pointer. */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json_object.h>

#include "core/buf.h"
#include "core/jsonx.h"
#include "store/connect_settings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_origin(const char *s, bool origin_only)
{
    char o[CONNECT_ORIGIN_MAX];
    struct err e;

    if (connect_origin_of(o, s, origin_only, &e) < 0) {
        if (e.code != ERR_INVALID || strchr(e.msg, '\n'))
            abort();
        return;
    }
    size_t n = strlen(o), scheme = strncmp(o, "https://", 8) == 0 ? 8 : 7;
    if ((scheme == 7 && strncmp(o, "http://", 7) != 0) || n <= scheme ||
        strpbrk(o + scheme, "@/?# ") || strncasecmp(s, o, n) != 0)
        abort();
    for (size_t i = 0; i < n; i++)
        if (isupper((unsigned char)o[i]))
            abort();
    /* What follows the origin starts a path, a query or a fragment. */
    if (s[n] && !strchr("/?#", s[n]))
        abort();
}

static void check_json(const char *s, size_t n)
{
    struct json_object *v = NULL, *again = NULL;
    struct err e;
    struct buf b;

    if (jsonx_parse(&v, s, n, n + 1, &e) < 0)
        return;
    buf_init(&b, 0);
    for (int which = 0; which < 2; which++) {
        buf_reset(&b);
        int rc = which ? connect_branding_check(&b, v, &e) : connect_origins_check(&b, v, &e);
        if (rc == 0) {
            if (jsonx_parse(&again, b.p, b.n, b.n + 1, &e) < 0)
                abort();
            json_object_put(again);
        } else if (e.code != ERR_INVALID || e.msg[0] != '/' || strchr(e.msg, '\n')) {
            abort();
        }
    }
    buf_dispose(&b);
    json_object_put(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    memcpy(s, data, size);
    s[size] = '\0';
    check_origin(s, true);
    check_origin(s, false);
    check_json(s, strlen(s));
    free(s);
    return 0;
}
