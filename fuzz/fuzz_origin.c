/* fuzz/fuzz_origin.c - arbitrary bytes as an origin to send a connector to
 * (connector_origin_check), as the instance_url a token response brings,
 * and as a config value inside a URL (connector_url, built-in Salesforce
 * connector). Properties: an accepted origin is http(s)://, holds no
 * space, control character, '?', '#' or '@', and uses http only on
 * loopback; a built URL keeps the value where the template put it and the
 * path the file gives, so no value can move the URL to another host or
 * path; a refusal has a one-line message. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json_object.h>

#include "connectors/registry.h"
#include "connectors/urls.h"
#include "core/buf.h"
#include "core/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct connector *salesforce(void)
{
    static struct registry *r; /* loaded once, kept for the process */
    struct err e;
    if (!r) {
        log_set_level(LOG_LEVEL_ERROR);
        if (registry_load(&r, NULL, NULL, NULL, &e) < 0)
            abort();
    }
    return registry_get(r, "salesforce");
}

static void check_refusal(const struct err *e)
{
    if (e->code != ERR_INVALID || strchr(e->msg, '\n'))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct connector *sf = salesforce();
    char *s = malloc(size + 1);
    struct err e;
    struct buf b;

    if (!s)
        abort();
    memcpy(s, data, size);
    s[size] = '\0';
    size_t n = strlen(s);

    if (connector_origin_check(s, true, &e) == 0) {
        bool https = strncmp(s, "https://", 8) == 0;
        const char *host = s + (https ? 8 : 7);
        if ((!https && strncmp(s, "http://", 7) != 0) || strpbrk(s, "?# \t\r\n") ||
            memchr(host, '@', strcspn(host, "/")))
            abort();
        if (!https && strncmp(host, "localhost", 9) != 0 && strncmp(host, "127.0.0.1", 9) != 0 &&
            strncmp(host, "[::1]", 5) != 0)
            abort();
    } else {
        check_refusal(&e);
    }

    /* As the instance_url: the result is the origin (its trailing '/'
     * dropped) then the file's path. */
    struct json_object *conn = json_object_new_object();
    json_object_object_add(conn, "instance_url", json_object_new_string_len(s, (int)n));
    buf_init(&b, 0);
    if (connector_url(&b, sf, "/base_url", NULL, conn, &e) == 0) {
        size_t keep = n;
        while (keep > 0 && s[keep - 1] == '/')
            keep--;
        const char *host = strstr(s, "://");
        /* No path: nothing but the host (and port) after the scheme. */
        if (connector_origin_check(s, false, &e) != 0 || !host ||
            strcspn(host + 3, "/") != (size_t)(s + keep - host - 3) ||
            strncmp(buf_cstr(&b), s, keep) != 0 ||
            strcmp(buf_cstr(&b) + keep, "/services/data/v61.0") != 0)
            abort();
    } else {
        check_refusal(&e);
    }
    json_object_put(conn);

    /* As the login host inside https://{config.login_host}/...: the value
     * lands whole between the scheme and the path. */
    struct json_object *cfg = json_object_new_object();
    json_object_object_add(cfg, "login_host", json_object_new_string_len(s, (int)n));
    buf_reset(&b);
    if (connector_url(&b, sf, "/auth/token_url", cfg, NULL, &e) == 0) {
        if (n == 0 ||
            strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:") != n ||
            strncmp(buf_cstr(&b), "https://", 8) != 0 || strncmp(buf_cstr(&b) + 8, s, n) != 0 ||
            strcmp(buf_cstr(&b) + 8 + n, "/services/oauth2/token") != 0)
            abort();
    } else {
        check_refusal(&e);
    }
    json_object_put(cfg);
    buf_dispose(&b);
    free(s);
    return 0;
}
