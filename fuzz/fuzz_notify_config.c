/* fuzz/fuzz_notify_config.c - arbitrary bytes as a notification channel's
 * settings: the first byte picks what they are checked as (a channel's
 * events list, or the config of a Slack, webhook or email channel), the
 * rest is the JSON. Beyond "no crash, no leak", it aborts when settings
 * that pass do not read back the same from their sealed text, when a
 * replace that leaves every secret out does not keep them, and when the
 * summary the API shows or any error message quotes a secret (a URL, the
 * signing secret, a password). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/linkhash.h>

#include "core/jsonx.h"
#include "notify/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Abort when text holds the string member key of v, unless the same
 * string is also one of v's values that are not secret (a password may
 * well equal an address, which the summary shows), or shorter than 8
 * bytes (such strings occur in any text by chance). */
static void not_quoted(const char *text, const struct json_object *v, const char *key,
                       const char *open)
{
    /* The words of the messages and the summary: a secret that is one of
     * them proves nothing when it shows. */
    static const char known[] =
        "/config/url: is required: expected a string, got null boolean integer number string "
        "array object; must not contain U+0000; unknown member (expected url, secret, from, to, "
        "username, password, starttls); username and password go together; expected an address "
        "such as inlet@example.com ops@example.com; expected 1 to 256 bytes of UTF-8; no control "
        "characters; expected an array of 1 to 20 addresses; expected an https or http URL (at "
        "most 2048 bytes, no spaces, no fragment); expected smtp://HOST[:PORT] or "
        "smtps://HOST[:PORT] (no user part: use username and password); expected \"whsec_\" and "
        "base64 of 24 to 64 bytes; key is over 64 bytes; the part after \"whsec_\" is not padded "
        "base64; {\"url\":\"set\",\"secret\":\"set\",\"password\":null,\"starttls\":true,false}";
    const char *s = jsonx_str(jsonx_get(v, key));
    if (s && strlen(s) >= 8 && strstr(text, s) && !strstr(open, s) && !strstr(known, s))
        abort();
}

static void secrets_not_in(const char *text, const struct json_object *v, enum notify_kind k)
{
    static const char *const secret_keys[] = {"url", "secret", "password"};
    struct json_object *open = json_object_new_object();
    struct buf b;

    /* v's members that are not secret, as text. */
    if (json_object_is_type(v, json_type_object)) {
        json_object_object_foreach((struct json_object *)v, name, val)
        {
            bool secret = false;
            for (size_t i = 0; i < 3; i++)
                secret |= strcmp(name, secret_keys[i]) == 0 &&
                          !(k == NOTIFY_KIND_EMAIL && strcmp(name, "url") == 0);
            if (!secret)
                json_object_object_add(open, name, json_object_get(val));
        }
    }
    buf_init(&b, 0);
    jsonx_format(&b, open);
    if (k != NOTIFY_KIND_EMAIL)
        not_quoted(text, v, "url", buf_cstr(&b));
    not_quoted(text, v, "secret", buf_cstr(&b));
    not_quoted(text, v, "password", buf_cstr(&b));
    buf_dispose(&b);
    json_object_put(open);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct json_object *v = NULL;
    struct err e;

    if (size < 1 || jsonx_parse(&v, (const char *)data + 1, size - 1, NOTIFY_CONFIG_MAX, &e) < 0)
        return 0;
    enum notify_kind k = (enum notify_kind)(data[0] % 4);
    if (k == 0) {
        struct buf b;
        buf_init(&b, 0);
        if (notify_events_check(&b, v, &e) == 0) {
            struct json_object *back = NULL;
            if (jsonx_parse(&back, b.p, b.n, b.n + 1, &e) < 0 || jsonx_len(back) == 0)
                abort();
            json_object_put(back);
        }
        buf_dispose(&b);
        json_object_put(v);
        return 0;
    }
    struct notify_config c, back, kept;
    if (notify_config_parse(&c, k, v, NULL, &e) < 0) {
        secrets_not_in(e.msg, v, k);
        json_object_put(v);
        return 0;
    }
    struct buf s1, s2;
    struct secret text = {0};
    buf_init(&s1, 0);
    buf_init(&s2, 0);
    notify_config_summary(&s1, &c);
    secrets_not_in(buf_cstr(&s1), v, k);
    notify_config_seal_text(&text, &c);
    if (notify_config_load(&back, k, text.p, text.n, &e) < 0)
        abort();
    notify_config_summary(&s2, &back);
    if (strcmp(buf_cstr(&s1), buf_cstr(&s2)) != 0 || back.url.n != c.url.n ||
        memcmp(back.url.p, c.url.p, c.url.n) != 0 || back.secret.n != c.secret.n ||
        back.password.n != c.password.n)
        abort();
    /* A replace sending only what is not secret keeps the rest. */
    struct json_object *open = json_object_new_object();
    if (k == NOTIFY_KIND_EMAIL) {
        json_object_object_add(open, "url", json_object_get(jsonx_get(v, "url")));
        json_object_object_add(open, "from", json_object_get(jsonx_get(v, "from")));
        json_object_object_add(open, "to", json_object_get(jsonx_get(v, "to")));
        if (c.username)
            json_object_object_add(open, "username", json_object_new_string(c.username));
    }
    if (notify_config_parse(&kept, k, open, &c, &e) < 0 || kept.url.n != c.url.n ||
        kept.secret.n != c.secret.n || kept.password.n != c.password.n)
        abort();
    notify_config_dispose(&kept);
    json_object_put(open);
    secret_dispose(&text);
    buf_dispose(&s1);
    buf_dispose(&s2);
    notify_config_dispose(&back);
    notify_config_dispose(&c);
    json_object_put(v);
    return 0;
}
