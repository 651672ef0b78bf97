/* notify/config.c - see config.h. Every check names its member by JSON
 * Pointer and never quotes a value that may be secret (URLs included:
 * a Slack webhook URL is a credential). */
#include "notify/config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <json-c/linkhash.h>

#include "core/alloc.h"
#include "core/jsonx.h"
#include "core/str.h"
#include "notify/notify.h"
#include "notify/whsig.h"

const char *notify_kind_name(enum notify_kind k)
{
    switch (k) {
    case NOTIFY_KIND_SLACK:
        return "slack";
    case NOTIFY_KIND_WEBHOOK:
        return "webhook";
    case NOTIFY_KIND_EMAIL:
        return "email";
    }
    return "";
}

enum notify_kind notify_kind_parse(const char *s)
{
    if (!s)
        return 0;
    if (strcmp(s, "slack") == 0)
        return NOTIFY_KIND_SLACK;
    if (strcmp(s, "webhook") == 0)
        return NOTIFY_KIND_WEBHOOK;
    if (strcmp(s, "email") == 0)
        return NOTIFY_KIND_EMAIL;
    return 0;
}

void notify_config_dispose(struct notify_config *c)
{
    secret_dispose(&c->url);
    secret_dispose(&c->secret);
    secret_dispose(&c->password);
    xfree(c->username);
    xfree(c->from);
    for (size_t i = 0; i < c->nto; i++)
        xfree(c->to[i]);
    xfree(c->to);
    memset(c, 0, sizeof(*c));
}

/* The string member key of cfg: *out NULL when absent (or null and
 * nullable). ERR_INVALID when required and absent, or not a string, or
 * holding U+0000. */
static int member(const char **out, size_t *len, const struct json_object *cfg, const char *key,
                  bool required, bool nullable, struct err *err)
{
    struct json_object *v = jsonx_get(cfg, key);
    *out = NULL;
    *len = 0;
    if (!jsonx_has(cfg, key) || (!v && nullable)) {
        if (required)
            return err_set(err, ERR_INVALID, "/config/%s: is required", key);
        return 0;
    }
    if (!json_object_is_type(v, json_type_string))
        return err_set(err, ERR_INVALID, "/config/%s: expected a string, got %s", key,
                       jsonx_type_name(v));
    *out = jsonx_str(v);
    *len = jsonx_str_len(v);
    if (strlen(*out) != *len)
        return err_set(err, ERR_INVALID, "/config/%s: must not contain U+0000", key);
    return 0;
}

bool notify_url_ok(const char *s, size_t n, const char *a, const char *b, unsigned flags)
{
    bool no_user = flags & NOTIFY_URL_NO_USER, no_query = flags & NOTIFY_URL_NO_QUERY;

    if (n == 0 || n > NOTIFY_URL_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
            return false;
    const char *sep = strstr(s, "://");
    if (!sep)
        return false;
    size_t sl = (size_t)(sep - s);
    if (!((sl == strlen(a) && strncasecmp(s, a, sl) == 0) ||
          (sl == strlen(b) && strncasecmp(s, b, sl) == 0)))
        return false;
    const char *auth = sep + 3;
    size_t an = strcspn(auth, "/?#");
    if (memchr(s, '#', n) || (no_user && memchr(auth, '@', an)) || (no_query && memchr(s, '?', n)))
        return false;
    const char *at = memchr(auth, '@', an);
    const char *host = at ? at + 1 : auth;
    size_t hn = an - (size_t)(host - auth);
    if (hn == 0 || host[0] == ':')
        return false;
    if (host[0] == '[') /* an IPv6 literal */
        return memchr(host, ']', hn) != NULL;
    const char *colon = memchr(host, ':', hn);
    if (colon) {
        size_t pn = hn - (size_t)(colon + 1 - host);
        if (pn == 0 || pn > 5 || strspn(colon + 1, "0123456789") < pn)
            return false;
        long port = 0;
        for (size_t i = 0; i < pn; i++)
            port = port * 10 + (colon[1 + i] - '0');
        if (port < 1 || port > 65535)
            return false;
    }
    return true;
}

/* A plain address local@domain: printable ASCII, no spaces, none of the
 * characters that would need quoting in a header or an SMTP command. */
static bool addr_ok(const char *s, size_t n)
{
    const char *at = memchr(s, '@', n);
    if (n < 3 || n > NOTIFY_ADDR_MAX || !at || at == s || at == s + n - 1 ||
        memchr(at + 1, '@', n - (size_t)(at + 1 - s)))
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c >= 0x7f || strchr("<>()[],;:\\\"", c))
            return false;
    }
    return true;
}

static int unknown_members(const struct json_object *cfg, const char *const *known, struct err *err)
{
    for (struct lh_entry *en = lh_table_head(json_object_get_object((struct json_object *)cfg)); en;
         en = lh_entry_next(en)) {
        const char *k = (const char *)lh_entry_k(en);
        size_t i = 0;
        while (known[i] && strcmp(known[i], k) != 0)
            i++;
        if (known[i])
            continue;
        bool printable = strlen(k) <= 64;
        for (const char *p = k; printable && *p; p++)
            printable = *p > 0x20 && *p < 0x7f && *p != '"';
        if (!printable)
            return err_set(err, ERR_INVALID, "/config: unknown member");
        char list[128] = "";
        for (size_t j = 0; known[j]; j++) {
            size_t used = strlen(list);
            snprintf(list + used, sizeof(list) - used, "%s%s", j ? ", " : "", known[j]);
        }
        return err_set(err, ERR_INVALID, "/config/%s: unknown member (expected %s)", k, list);
    }
    return 0;
}

/* url (secret for Slack and webhooks), from cfg or keep. */
static int parse_url(struct notify_config *c, const struct json_object *cfg,
                     const struct notify_config *keep, struct err *err)
{
    const char *s = NULL;
    size_t n = 0;
    bool mail = c->kind == NOTIFY_KIND_EMAIL;
    int rc = member(&s, &n, cfg, "url", !keep || mail, false, err);
    if (rc < 0)
        return rc;
    if (!s) { /* absent: only allowed with keep (member() said so) */
        if (!keep)
            return err_set(err, ERR_INVALID, "/config/url: is required");
        secret_set(&c->url, keep->url.p, keep->url.n);
        return 0;
    }
    if (mail ? !notify_url_ok(s, n, "smtp", "smtps", NOTIFY_URL_NO_USER | NOTIFY_URL_NO_QUERY)
             : !notify_url_ok(s, n, "https", "http", 0))
        return err_set(err, ERR_INVALID,
                       mail ? "/config/url: expected smtp://HOST[:PORT] or smtps://HOST[:PORT] "
                              "(no user part: use username and password)"
                            : "/config/url: expected an https or http URL (at most %d bytes, no "
                              "spaces, no fragment)",
                       NOTIFY_URL_MAX);
    secret_set(&c->url, s, n);
    return 0;
}

static int parse_webhook(struct notify_config *c, const struct json_object *cfg,
                         const struct notify_config *keep, struct err *err)
{
    static const char *const known[] = {"url", "secret", NULL};
    const char *s = NULL;
    size_t n = 0;
    struct secret key = {0};
    int rc = unknown_members(cfg, known, err);
    if (rc == 0)
        rc = parse_url(c, cfg, keep, err);
    if (rc == 0)
        rc = member(&s, &n, cfg, "secret", !keep, false, err);
    if (rc < 0)
        return rc;
    if (!s) {
        if (!keep)
            return err_set(err, ERR_INVALID, "/config/secret: is required");
        secret_set(&c->secret, keep->secret.p, keep->secret.n);
        return 0;
    }
    struct err e;
    if (whsig_key_parse(&key, s, n, &e) < 0)
        return err_set(err, ERR_INVALID, "/config/secret: %s", e.msg);
    secret_dispose(&key);
    secret_set(&c->secret, s, n);
    return 0;
}

static int parse_email(struct notify_config *c, const struct json_object *cfg,
                       const struct notify_config *keep, struct err *err)
{
    static const char *const known[] = {"url",      "from",     "to", "username",
                                        "password", "starttls", NULL};
    const char *s = NULL, *user = NULL;
    size_t n = 0, un = 0;
    int rc = unknown_members(cfg, known, err);
    if (rc == 0)
        rc = parse_url(c, cfg, NULL, err);
    if (rc == 0)
        rc = member(&s, &n, cfg, "from", true, false, err);
    if (rc < 0)
        return rc;
    if (!s || !addr_ok(s, n))
        return err_set(err, ERR_INVALID,
                       "/config/from: expected an address such as "
                       "inlet@example.com");
    c->from = xstrndup(s, n);

    struct json_object *to = jsonx_get(cfg, "to");
    if (!jsonx_has(cfg, "to"))
        return err_set(err, ERR_INVALID, "/config/to: is required");
    if (!json_object_is_type(to, json_type_array) || jsonx_len(to) == 0 ||
        jsonx_len(to) > NOTIFY_TO_MAX)
        return err_set(err, ERR_INVALID, "/config/to: expected an array of 1 to %d addresses",
                       NOTIFY_TO_MAX);
    c->to = xcalloc(jsonx_len(to), sizeof(*c->to));
    for (size_t i = 0; i < jsonx_len(to); i++) {
        struct json_object *a = jsonx_at(to, i);
        if (!json_object_is_type(a, json_type_string) || strlen(jsonx_str(a)) != jsonx_str_len(a) ||
            !addr_ok(jsonx_str(a), jsonx_str_len(a)))
            return err_set(err, ERR_INVALID,
                           "/config/to/%zu: expected an address such as "
                           "ops@example.com",
                           i);
        c->to[c->nto++] = xstrdup(jsonx_str(a));
    }

    if ((rc = member(&user, &un, cfg, "username", false, true, err)) < 0 ||
        (rc = member(&s, &n, cfg, "password", false, true, err)) < 0)
        return rc;
    if (user) {
        if (un == 0 || un > NOTIFY_USER_MAX || !str_utf8_valid(user, un, NULL))
            return err_set(err, ERR_INVALID, "/config/username: expected 1 to %d bytes of UTF-8",
                           NOTIFY_USER_MAX);
        for (size_t i = 0; i < un; i++)
            if ((unsigned char)user[i] < 0x20 || user[i] == 0x7f)
                return err_set(err, ERR_INVALID, "/config/username: no control characters");
        c->username = xstrndup(user, un);
    }
    if (s) {
        if (n == 0 || n > NOTIFY_USER_MAX)
            return err_set(err, ERR_INVALID, "/config/password: expected 1 to %d bytes",
                           NOTIFY_USER_MAX);
        secret_set(&c->password, s, n);
    } else if (!jsonx_has(cfg, "password") && keep && keep->password.n && user) {
        secret_set(&c->password, keep->password.p, keep->password.n);
    }
    if (!!c->username != (c->password.n > 0))
        return err_set(err, ERR_INVALID, "/config/%s: username and password go together",
                       c->username ? "password" : "username");

    c->starttls = true;
    if (jsonx_has(cfg, "starttls") &&
        jsonx_as_bool(&c->starttls, jsonx_get(cfg, "starttls"), "/config/starttls", err) < 0)
        return ERR_INVALID;
    return 0;
}

int notify_config_parse(struct notify_config *out, enum notify_kind kind,
                        const struct json_object *cfg, const struct notify_config *keep,
                        struct err *err)
{
    static const char *const slack[] = {"url", NULL};
    int rc;

    memset(out, 0, sizeof(*out));
    out->kind = kind;
    if (keep && keep->kind != kind)
        keep = NULL;
    if (!json_object_is_type(cfg, json_type_object))
        return err_set(err, ERR_INVALID, "/config: expected an object, got %s",
                       jsonx_type_name(cfg));
    switch (kind) {
    case NOTIFY_KIND_SLACK:
        rc = unknown_members(cfg, slack, err);
        if (rc == 0)
            rc = parse_url(out, cfg, keep, err);
        break;
    case NOTIFY_KIND_WEBHOOK:
        rc = parse_webhook(out, cfg, keep, err);
        break;
    case NOTIFY_KIND_EMAIL:
        rc = parse_email(out, cfg, keep, err);
        break;
    default:
        rc = err_set(err, ERR_INVALID, "/kind: expected slack, webhook or email");
    }
    if (rc < 0)
        notify_config_dispose(out);
    return rc;
}

/* Room for the JSON text of c: escaping at most doubles printable text,
 * and every control character was refused. */
static size_t text_room(const struct notify_config *c)
{
    size_t n = 256 + 2 * (c->url.n + c->secret.n + c->password.n);
    n += 2 * ((c->username ? strlen(c->username) : 0) + (c->from ? strlen(c->from) : 0));
    for (size_t i = 0; i < c->nto; i++)
        n += 2 * strlen(c->to[i]) + 4;
    return n;
}

static void put_json_n(struct buf *b, const void *p, size_t n)
{
    buf_putc(b, '"');
    buf_put_jsonesc(b, p, n);
    buf_putc(b, '"');
}

/* Append c as JSON; secrets in clear when clear, else "set". */
static void format(struct buf *b, const struct notify_config *c, bool clear)
{
    buf_puts(b, "{\"url\":");
    if (clear || c->kind == NOTIFY_KIND_EMAIL)
        put_json_n(b, c->url.p, c->url.n);
    else
        buf_puts(b, "\"set\"");
    if (c->kind == NOTIFY_KIND_WEBHOOK) {
        buf_puts(b, ",\"secret\":");
        if (clear)
            put_json_n(b, c->secret.p, c->secret.n);
        else
            buf_puts(b, "\"set\"");
    }
    if (c->kind != NOTIFY_KIND_EMAIL) {
        buf_putc(b, '}');
        return;
    }
    buf_puts(b, ",\"from\":");
    buf_put_json_str(b, c->from);
    buf_puts(b, ",\"to\":[");
    for (size_t i = 0; i < c->nto; i++) {
        buf_puts(b, i ? "," : "");
        buf_put_json_str(b, c->to[i]);
    }
    buf_puts(b, "],\"username\":");
    buf_put_json_str(b, c->username);
    buf_puts(b, ",\"password\":");
    if (!c->password.n)
        buf_puts(b, "null");
    else if (clear)
        put_json_n(b, c->password.p, c->password.n);
    else
        buf_puts(b, "\"set\"");
    buf_printf(b, ",\"starttls\":%s}", c->starttls ? "true" : "false");
}

void notify_config_seal_text(struct secret *out, const struct notify_config *c)
{
    struct buf b;
    buf_init(&b, 0);
    /* One allocation, so that growing leaves no copy of a secret behind. */
    buf_reserve(&b, text_room(c));
    format(&b, c, true);
    secret_set(out, b.p, b.n);
    secret_wipe(b.p, b.cap);
    buf_dispose(&b);
}

int notify_config_load(struct notify_config *out, enum notify_kind kind, const void *text, size_t n,
                       struct err *err)
{
    struct json_object *v = NULL;
    struct err e;
    memset(out, 0, sizeof(*out));
    if (n > NOTIFY_CONFIG_MAX || jsonx_parse(&v, text, n, NOTIFY_CONFIG_MAX, &e) < 0)
        return err_set(err, ERR_INVALID, "stored %s channel config is not JSON",
                       notify_kind_name(kind));
    int rc = notify_config_parse(out, kind, v, NULL, &e);
    json_object_put(v);
    if (rc < 0)
        return err_set(err, ERR_INVALID, "stored %s channel config: %s", notify_kind_name(kind),
                       e.msg);
    return 0;
}

void notify_config_summary(struct buf *b, const struct notify_config *c)
{
    format(b, c, false);
}

int notify_events_check(struct buf *b, const struct json_object *events, struct err *err)
{
    bool seen[NOTIFY_EVENT_LAST + 1] = {0}, all = false;

    if (!events) {
        buf_puts(b, "[\"*\"]");
        return 0;
    }
    if (!json_object_is_type(events, json_type_array) || jsonx_len(events) == 0 ||
        jsonx_len(events) > NOTIFY_EVENT_LAST + 1)
        return err_set(err, ERR_INVALID, "/events: expected an array of 1 to %d event names",
                       NOTIFY_EVENT_LAST + 1);
    buf_putc(b, '[');
    for (size_t i = 0; i < jsonx_len(events); i++) {
        struct json_object *v = jsonx_at(events, i);
        const char *s = jsonx_str(v);
        enum notify_event ev = s ? notify_event_parse(s, jsonx_str_len(v)) : NOTIFY_NONE;
        bool star = s && jsonx_str_len(v) == 1 && s[0] == '*';
        if (!star && ev == NOTIFY_NONE)
            return err_set(err, ERR_INVALID,
                           "/events/%zu: expected \"*\" or one of sync.failed, sync.partial, "
                           "sync.recovered, integration.needs_reauth, token.refresh_failed, "
                           "token.refresh_recovered",
                           i);
        if ((star && all) || (!star && seen[ev]))
            return err_set(err, ERR_INVALID, "/events/%zu: listed twice", i);
        all |= star;
        if (!star)
            seen[ev] = true;
        buf_puts(b, i ? "," : "");
        buf_put_json_str(b, star ? "*" : notify_event_name(ev));
    }
    buf_putc(b, ']');
    return 0;
}

int notify_name_check(const char *name, size_t n, struct err *err)
{
    if (!name || n == 0 || n > NOTIFY_NAME_MAX)
        return err_set(err, ERR_INVALID, "/name: expected 1 to %d bytes", NOTIFY_NAME_MAX);
    if (strlen(name) != n || !str_utf8_valid(name, n, NULL))
        return err_set(err, ERR_INVALID, "/name: expected UTF-8 text");
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
            return err_set(err, ERR_INVALID, "/name: no control characters");
    return 0;
}
