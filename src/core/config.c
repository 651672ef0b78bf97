/* core/config.c - environment and flags to a checked struct config. Values
 * are only recorded by config_from_env and config_set_flag; config_finish
 * checks the value that won, so an overridden variable cannot stop a start,
 * and each message names where the bad value came from. URLs are checked by
 * hand against the grammar we accept rather than handed to a library, so
 * that no message ever has to quote a database URL (it may hold a password):
 * positions are given as byte offsets instead. The database URL grammar is
 * also db_url_check's (db/url.c), through config_db_url_check. */
#include "core/config.h"

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/encode.h"

#define DB_EXPECTED "expected sqlite:PATH or postgres://USER@HOST[:PORT]/DB"

/* ---- small helpers ---- */

/* Replace *dst with a copy of the n bytes at v, wiping the old value (it may
 * be a database URL with a password). */
static void replace(char **dst, const char *v, size_t n)
{
    if (*dst) {
        secret_wipe(*dst, strlen(*dst));
        xfree(*dst);
    }
    *dst = v ? xstrndup(v, n) : NULL;
}

/* v quoted for a message: at most 40 bytes, non-printable bytes as '?'. */
static const char *quote(char out[56], const char *v)
{
    size_t n = strlen(v), k = 0;
    out[k++] = '"';
    for (size_t i = 0; i < n && i < 40; i++) {
        unsigned char c = (unsigned char)v[i];
        out[k++] = (char)(c >= 0x20 && c < 0x7f ? c : '?');
    }
    if (n > 40) {
        memcpy(out + k, "...", 3);
        k += 3;
    }
    out[k++] = '"';
    out[k] = '\0';
    return out;
}

/* v quoted as quote() does, unless it may hold a secret: a value with '@'
 * may have a "user:password@" part (wherever a stray '/' or ':' put it), so
 * it is not quoted at all, and a query or fragment is cut after its '?' or
 * '#'. For the values that are URLs or addresses (INLET_LISTEN,
 * INLET_PUBLIC_URL). */
static const char *quote_url(char out[56], const char *v)
{
    if (strchr(v, '@'))
        return "a value with '@'";
    size_t n = strcspn(v, "?#");
    if (!v[n] || n >= 40)
        return quote(out, v);
    char head[48];
    snprintf(head, sizeof(head), "%.*s", (int)n + 1, v);
    quote(out, head);
    memcpy(out + strlen(out) - 1, "...\"", 5); /* the closing quote moves out */
    return out;
}

static bool is_alnum(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool is_unreserved(unsigned char c)
{
    return is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

/* The byte a well-formed %XX at s[0..n) stands for, or -1. */
static int pct_byte(const char *s, size_t n)
{
    if (n < 3 || s[0] != '%')
        return -1;
    int hi = encode_hex_digit((unsigned char)s[1]), lo = encode_hex_digit((unsigned char)s[2]);
    return hi < 0 || lo < 0 ? -1 : hi << 4 | lo;
}

/* Offset in s[0..n) of the first byte that is neither unreserved, nor in
 * extra, nor part of a well-formed %XX other than %00 (libpq refuses a NUL,
 * and quotes the value as it does); n when all are fine. */
static size_t bad_char(const char *s, size_t n, const char *extra)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '%') {
            if (pct_byte(s + i, n - i) <= 0)
                return i;
            i += 2;
        } else if (!is_unreserved(c) && !(c && strchr(extra, c))) {
            return i;
        }
    }
    return n;
}

/* Parse all of s[0..n) as a port, 1..65535; -1 otherwise. */
static int parse_port(const char *s, size_t n)
{
    long port = 0;
    if (n == 0 || n > 5)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        port = port * 10 + (s[i] - '0');
    }
    return port >= 1 && port <= 65535 ? (int)port : -1;
}

/* True when s[0..n) is an IPv6 literal (the inside of [...]). */
static bool is_ipv6(const char *s, size_t n)
{
    char tmp[64];
    unsigned char addr[16];
    if (n == 0 || n >= sizeof(tmp))
        return false;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    return inet_pton(AF_INET6, tmp, addr) == 1;
}

/* A host name or IPv4 address: letters, digits, '.', '-', '_'; all-numeric
 * dotted forms must be a real IPv4 address. */
static bool is_hostname(const char *s, size_t n)
{
    bool numeric = true;
    if (n == 0 || n > 253)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!is_alnum(c) && c != '.' && c != '-' && c != '_')
            return false;
        if (!(c >= '0' && c <= '9') && c != '.')
            numeric = false;
    }
    if (numeric) {
        char tmp[16];
        unsigned char addr[4];
        if (n >= sizeof(tmp))
            return false;
        memcpy(tmp, s, n);
        tmp[n] = '\0';
        return inet_pton(AF_INET, tmp, addr) == 1;
    }
    return true;
}

static size_t find_ctl(const char *s)
{
    size_t i = 0;
    while (s[i] && (unsigned char)s[i] > 0x20 && (unsigned char)s[i] != 0x7f)
        i++;
    return s[i] ? i : SIZE_MAX;
}

/* ---- the database URL ----
 * One grammar, held here because core/ cannot call db/: config_finish
 * applies it to INLET_DB and db_url_check (db/url.c) to whatever db_open is
 * given, so the two cannot disagree. */

/* True when the n bytes at k, percent-decoded, spell name (lower-case
 * letters) in any case: libpq decodes parameter names, so "pass%77ord" is
 * "password"; and over-matching only redacts more. */
static bool key_is(const char *k, size_t n, const char *name)
{
    size_t j = 0;
    for (size_t i = 0; i < n; i++, j++) {
        int c = (unsigned char)k[i];
        if (c == '%') {
            c = pct_byte(k + i, n - i);
            i += 2;
        }
        if (c >= 'A' && c <= 'Z')
            c += 'a' - 'A';
        if (!name[j] || c != name[j])
            return false;
    }
    return name[j] == '\0';
}

/* True when the query parameter at p ("KEY=VALUE", up to '&' or the end)
 * holds a password. */
static bool is_password_param(const char *p)
{
    size_t kn = strcspn(p, "=&");
    return key_is(p, kn, "password") || key_is(p, kn, "sslpassword");
}

/* True when the query q (the text after '?') has a parameter whose name
 * key_is name, or (name NULL) one that holds a password. */
static bool query_has(const char *q, const char *name)
{
    for (const char *p = q;;) {
        size_t n = strcspn(p, "&");
        if (name ? key_is(p, strcspn(p, "=&"), name) : is_password_param(p))
            return true;
        if (!p[n])
            return false;
        p += n + 1;
    }
}

/* Where the user info of a URL ends: its last '@' before any '?', NULL when
 * there is none. A password with a stray '/' or ':' is still found. */
static const char *user_info_end(const char *auth)
{
    const char *at = NULL;
    for (const char *p = auth; *p && *p != '?'; p++)
        if (*p == '@')
            at = p;
    return at;
}

/* True when url has a password: "user:PASSWORD@" or a password or
 * sslpassword query parameter. Any text will do: this runs before the URL
 * is checked, to keep passwords off the command line. */
static bool db_url_has_password(const char *url)
{
    const char *auth = strstr(url, "://");
    if (!auth)
        return false;
    auth += 3;
    const char *at = user_info_end(auth), *q = strchr(auth, '?');
    return (at && memchr(auth, ':', (size_t)(at - auth))) || (q && query_has(q + 1, NULL));
}

static int check_sqlite(const char *url, const char *what, struct err *err)
{
    const char *path = url + strlen("sqlite:");
    if (!*path)
        return err_set(err, ERR_INVALID,
                       "%s: sqlite: needs a file path, e.g. sqlite:./data/inlet.db", what);
    if (strncmp(path, "//", 2) == 0)
        return err_set(err, ERR_INVALID,
                       "%s: write sqlite:PATH, e.g. sqlite:/var/lib/inlet/inlet.db, not sqlite://",
                       what);
    for (const char *p = path; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return err_set(err, ERR_INVALID, "%s: control character in the sqlite path at byte %zu",
                           what, (size_t)(p - url));
    return 0;
}

/* One "host[:port]" or "[v6][:port]" of the host list, url[off..off+n). */
static int check_pg_host(const char *url, size_t off, size_t n, const char *what, struct err *err)
{
    const char *h = url + off;
    size_t hn;
    if (n == 0)
        return err_set(err, ERR_INVALID, "%s: empty host at byte %zu of the URL", what, off);
    if (h[0] == '[') {
        const char *close = memchr(h, ']', n);
        if (!close || !is_ipv6(h + 1, (size_t)(close - h) - 1))
            return err_set(err, ERR_INVALID, "%s: invalid IPv6 address at byte %zu of the URL",
                           what, off);
        hn = (size_t)(close - h) + 1;
    } else {
        hn = 0;
        while (hn < n && h[hn] != ':')
            hn++;
        size_t bad = bad_char(h, hn, "");
        if (bad < hn || !hn)
            return err_set(err, ERR_INVALID,
                           "%s: unexpected character in the host at byte %zu of the URL", what,
                           off + bad);
    }
    if (hn == n)
        return 0;
    if (h[hn] != ':' || parse_port(h + hn + 1, n - hn - 1) < 0)
        return err_set(err, ERR_INVALID,
                       "%s: port at byte %zu of the URL is not a number in 1..65535", what,
                       off + hn + 1);
    return 0;
}

/* postgres[ql]://[user[:password]@]host[:port][,host[:port]...]/db[?k=v&...],
 * described in messages by byte offsets only. */
static int check_postgres(const char *url, const char *what, struct err *err)
{
    size_t off = (size_t)(strstr(url, "://") - url) + 3, len = strlen(url);
    size_t at = find_ctl(url);
    if (at != SIZE_MAX)
        return err_set(err, ERR_INVALID, "%s: space or control character at byte %zu of the URL",
                       what, at);
    if (strchr(url, '#'))
        return err_set(err, ERR_INVALID,
                       "%s: '#' at byte %zu of the URL (write %%23 in a password)", what,
                       (size_t)(strchr(url, '#') - url));
    size_t auth_end = off + strcspn(url + off, "/?");
    const char *user_at = memchr(url + off, '@', auth_end - off);
    if (user_at) {
        size_t un = (size_t)(user_at - url) - off;
        if (memchr(user_at + 1, '@', auth_end - (size_t)(user_at - url) - 1))
            return err_set(err, ERR_INVALID,
                           "%s: more than one '@' before the host (write %%40 for '@' in a "
                           "password)",
                           what);
        if (un == 0 || url[off] == ':')
            return err_set(err, ERR_INVALID, "%s: empty user name before '@'", what);
        size_t bad = bad_char(url + off, un, "!$&'()*+,;=:");
        if (bad < un)
            return err_set(err, ERR_INVALID,
                           "%s: bad character or percent-escape in the user or password at byte "
                           "%zu of the URL",
                           what, off + bad);
        off += un + 1;
    }
    if (off == auth_end) {
        /* No host: libpq's default (a local socket), allowed when the query
         * names the socket directory, so that a typo cannot mean it. */
        const char *q = strchr(url + auth_end, '?');
        if (!q || !query_has(q + 1, "host"))
            return err_set(err, ERR_INVALID, "%s: " DB_EXPECTED "; no host after %s", what,
                           user_at ? "'@'" : "'//'");
    }
    while (off < auth_end) {
        size_t n = strcspn(url + off, ",/?");
        if (off + n > auth_end)
            n = auth_end - off;
        int rc = check_pg_host(url, off, n, what, err);
        if (rc < 0)
            return rc;
        off += n;
        if (url[off] == ',') {
            off++;
            if (off == auth_end)
                return err_set(err, ERR_INVALID, "%s: empty host at byte %zu of the URL", what,
                               off);
        }
    }
    if (url[off] != '/' || url[off + 1] == '?' || url[off + 1] == '\0')
        return err_set(err, ERR_INVALID, "%s: " DB_EXPECTED "; no /DB at byte %zu of the URL", what,
                       off);
    off++;
    size_t dn = strcspn(url + off, "?"), bad = bad_char(url + off, dn, "!$&'()*+,;=:");
    if (bad < dn)
        return err_set(err, ERR_INVALID,
                       "%s: bad character or percent-escape in the database name at byte %zu of "
                       "the URL",
                       what, off + bad);
    off += dn;
    if (url[off] == '?') {
        off++;
        for (;;) {
            size_t n = strcspn(url + off, "&"), eq = strcspn(url + off, "=&");
            if (eq == 0 || eq == n || memchr(url + off + eq + 1, '=', n - eq - 1) ||
                bad_char(url + off, n, "!$'()*+,;=:@/?") < n)
                return err_set(err, ERR_INVALID,
                               "%s: query parameter at byte %zu of the URL is not KEY=VALUE "
                               "(percent-encode '=', '&' and '%%')",
                               what, off);
            off += n;
            if (off >= len)
                break;
            off++; /* the '&' */
        }
    }
    return 0;
}

int config_db_url_check(const char **engine, const char *url, const char *what, struct err *err)
{
    int rc;
    const char *name;
    if (strncmp(url, "sqlite:", 7) == 0) {
        name = "sqlite";
        rc = check_sqlite(url, what, err);
    } else if (strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0) {
        name = "postgres";
        rc = check_postgres(url, what, err);
    } else {
        /* Say what was there by its scheme only: the rest may be a password. */
        size_t k = 0;
        while (k < 16 &&
               (is_alnum((unsigned char)url[k]) || (k && url[k] && strchr("+.-", url[k]))))
            k++;
        if (k && url[k] == ':')
            return err_set(err, ERR_INVALID, "%s: " DB_EXPECTED ", got \"%.*s%s...\"", what, (int)k,
                           url, strncmp(url + k, "://", 3) == 0 ? "://" : ":");
        return err_set(err, ERR_INVALID, "%s: " DB_EXPECTED ", got a value without a scheme", what);
    }
    if (rc == 0 && engine)
        *engine = name;
    return rc;
}

/* ---- recording values ---- */

enum field {
    F_DB,
    F_DATA_DIR,
    F_LISTEN,
    F_PUBLIC_URL,
    F_LOG_LEVEL,
    F_CONNECTORS_DIR,
    F_HTTP_BODY_MAX,
    F_HTTP_THREADS,
    F_HTTP_TIMEOUT,
    F_RATE_LIMIT,
    F_WORKERS,
    F_JOB_LEASE,
    F_JOBS_PER_TENANT,
    F_SYNCS_PER_CONNECTOR,
    F_KEYS,
    F_SINGLE_KEY,
    F_CRON_SECRET
};

static const struct {
    const char *var;  /* environment variable */
    const char *flag; /* command-line flag, NULL for secrets */
    enum field field;
} sources[] = {
    {"INLET_DB", "--db", F_DB},
    {"INLET_DATA_DIR", "--data-dir", F_DATA_DIR},
    {"INLET_LISTEN", "--listen", F_LISTEN},
    {"INLET_PUBLIC_URL", "--public-url", F_PUBLIC_URL},
    {"INLET_LOG_LEVEL", "--log-level", F_LOG_LEVEL},
    {"INLET_CONNECTORS_DIR", "--connectors-dir", F_CONNECTORS_DIR},
    {"INLET_HTTP_BODY_MAX", "--http-body-max", F_HTTP_BODY_MAX},
    {"INLET_HTTP_THREADS", "--http-threads", F_HTTP_THREADS},
    {"INLET_HTTP_TIMEOUT", "--http-timeout", F_HTTP_TIMEOUT},
    {"INLET_RATE_LIMIT", "--rate-limit", F_RATE_LIMIT},
    {"INLET_WORKERS", "--workers", F_WORKERS},
    {"INLET_JOB_LEASE", "--job-lease", F_JOB_LEASE},
    {"INLET_JOBS_PER_TENANT", "--jobs-per-tenant", F_JOBS_PER_TENANT},
    {"INLET_SYNCS_PER_CONNECTOR", "--syncs-per-connector", F_SYNCS_PER_CONNECTOR},
    {"INLET_KEYS", NULL, F_KEYS},
    {"INTEGRATION_ENCRYPTION_KEY", NULL, F_SINGLE_KEY},
    {"INLET_CRON_SECRET", NULL, F_CRON_SECRET},
};

/* Flags that someone might try for a secret; refused with directions. */
static const char *const secret_flags[] = {
    "--keys",
    "--inlet-keys",
    "--key",
    "--encryption-key",
    "--integration-encryption-key",
    "--cron-secret",
    "--inlet-cron-secret",
};

static void field_slot(struct config *cfg, enum field f, char ***str, const char ***from)
{
    switch (f) {
    case F_DB:
        *str = &cfg->db_url, *from = &cfg->db_from;
        break;
    case F_DATA_DIR:
        *str = &cfg->data_dir, *from = &cfg->data_dir_from;
        break;
    case F_LISTEN:
        *str = &cfg->listen, *from = &cfg->listen_from;
        break;
    case F_PUBLIC_URL:
        *str = &cfg->public_url, *from = &cfg->public_url_from;
        break;
    case F_LOG_LEVEL:
        *str = &cfg->log_level_raw, *from = &cfg->log_level_from;
        break;
    case F_CONNECTORS_DIR:
        *str = &cfg->connectors_dir, *from = &cfg->connectors_dir_from;
        break;
    case F_HTTP_BODY_MAX:
        *str = &cfg->http_body_max_raw, *from = &cfg->http_body_max_from;
        break;
    case F_HTTP_THREADS:
        *str = &cfg->http_threads_raw, *from = &cfg->http_threads_from;
        break;
    case F_HTTP_TIMEOUT:
        *str = &cfg->http_timeout_raw, *from = &cfg->http_timeout_from;
        break;
    case F_RATE_LIMIT:
        *str = &cfg->rate_limit_raw, *from = &cfg->rate_limit_from;
        break;
    case F_WORKERS:
        *str = &cfg->workers_raw, *from = &cfg->workers_from;
        break;
    case F_JOB_LEASE:
        *str = &cfg->job_lease_raw, *from = &cfg->job_lease_from;
        break;
    case F_JOBS_PER_TENANT:
        *str = &cfg->jobs_per_tenant_raw, *from = &cfg->jobs_per_tenant_from;
        break;
    case F_SYNCS_PER_CONNECTOR:
        *str = &cfg->syncs_per_connector_raw, *from = &cfg->syncs_per_connector_from;
        break;
    default:
        *str = NULL, *from = NULL;
    }
}

void config_init(struct config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->log_level = LOG_LEVEL_INFO;
}

void config_dispose(struct config *cfg)
{
    replace(&cfg->db_url, NULL, 0);
    replace(&cfg->data_dir, NULL, 0);
    replace(&cfg->listen, NULL, 0);
    replace(&cfg->listen_host, NULL, 0);
    replace(&cfg->public_url, NULL, 0);
    replace(&cfg->log_level_raw, NULL, 0);
    replace(&cfg->connectors_dir, NULL, 0);
    replace(&cfg->http_body_max_raw, NULL, 0);
    replace(&cfg->http_threads_raw, NULL, 0);
    replace(&cfg->http_timeout_raw, NULL, 0);
    replace(&cfg->rate_limit_raw, NULL, 0);
    replace(&cfg->workers_raw, NULL, 0);
    replace(&cfg->job_lease_raw, NULL, 0);
    replace(&cfg->jobs_per_tenant_raw, NULL, 0);
    replace(&cfg->syncs_per_connector_raw, NULL, 0);
    secret_dispose(&cfg->keys);
    secret_dispose(&cfg->single_key);
    secret_dispose(&cfg->cron_secret);
    config_init(cfg);
}

int config_from_env(struct config *cfg, const char *const *envp, struct err *err)
{
    bool seen[sizeof(sources) / sizeof(sources[0])] = {false};

    assert(!cfg->finished);
    for (const char *const *e = envp; e && *e; e++) {
        const char *eq = strchr(*e, '=');
        if (!eq)
            continue;
        size_t namelen = (size_t)(eq - *e);
        for (size_t i = 0; i < sizeof(sources) / sizeof(sources[0]); i++) {
            if (strlen(sources[i].var) != namelen || memcmp(*e, sources[i].var, namelen) != 0)
                continue;
            const char *v = eq + 1;
            size_t n = strlen(v);
            if (seen[i]) /* the first one wins, as with getenv */
                break;
            seen[i] = true;
            if (n > CONFIG_VALUE_MAX)
                return err_set(err, ERR_TOOBIG, "%s: value over %d bytes", sources[i].var,
                               CONFIG_VALUE_MAX);
            if (n == 0) /* empty is unset */
                break;
            if (sources[i].field == F_KEYS) {
                secret_dispose(&cfg->keys);
                secret_set(&cfg->keys, v, n);
                break;
            }
            if (sources[i].field == F_SINGLE_KEY) {
                secret_dispose(&cfg->single_key);
                secret_set(&cfg->single_key, v, n);
                break;
            }
            if (sources[i].field == F_CRON_SECRET) {
                secret_dispose(&cfg->cron_secret);
                secret_set(&cfg->cron_secret, v, n);
                break;
            }
            char **str;
            const char **from;
            field_slot(cfg, sources[i].field, &str, &from);
            assert(str && from);
            if (*from && (*from)[0] == '-') /* a flag already overrides it */
                break;
            replace(str, v, n);
            *from = sources[i].var;
            break;
        }
    }
    return 0;
}

int config_set_flag(struct config *cfg, const char *name, const char *value, struct err *err)
{
    assert(!cfg->finished);
    assert(value);
    for (size_t i = 0; i < sizeof(secret_flags) / sizeof(secret_flags[0]); i++)
        if (strcmp(name, secret_flags[i]) == 0)
            return err_set(err, ERR_INVALID,
                           "%s: secrets are not taken from the command line, which other users "
                           "can read; set %s in the environment",
                           name, strstr(name, "cron") ? "INLET_CRON_SECRET" : "INLET_KEYS");
    for (size_t i = 0; i < sizeof(sources) / sizeof(sources[0]); i++) {
        if (!sources[i].flag || strcmp(name, sources[i].flag) != 0)
            continue;
        size_t n = strlen(value);
        if (n == 0)
            return err_set(err, ERR_INVALID, "%s: needs a value", name);
        if (n > CONFIG_VALUE_MAX)
            return err_set(err, ERR_TOOBIG, "%s: value over %d bytes", name, CONFIG_VALUE_MAX);
        if (sources[i].field == F_DB && db_url_has_password(value))
            return err_set(err, ERR_INVALID,
                           "%s: the URL holds a password, and other users can read a command "
                           "line; set INLET_DB in the environment instead",
                           name);
        char **str;
        const char **from;
        field_slot(cfg, sources[i].field, &str, &from);
        assert(str && from);
        replace(str, value, n);
        *from = sources[i].flag;
        return 0;
    }
    return err_set(err, ERR_NOTFOUND, "unknown option %.64s", name);
}

/* ---- checking ---- */

/* A directory path: dflt when unset, no control characters, no trailing
 * '/' (unless it is "/"). */
static int check_dir(char **dir, const char *src, const char *dflt, struct err *err)
{
    char q[56];
    if (!*dir)
        replace(dir, dflt, strlen(dflt));
    size_t n = strlen(*dir);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)(*dir)[i] < 0x20 || (*dir)[i] == 0x7f)
            return err_set(err, ERR_INVALID, "%s: control character at byte %zu of %s", src, i,
                           quote(q, *dir));
    while (n > 1 && (*dir)[n - 1] == '/')
        (*dir)[--n] = '\0';
    return 0;
}

static int check_data_dir(struct config *cfg, struct err *err)
{
    return check_dir(&cfg->data_dir, cfg->data_dir_from ? cfg->data_dir_from : "INLET_DATA_DIR",
                     CONFIG_DEFAULT_DATA_DIR, err);
}

static int check_connectors_dir(struct config *cfg, struct err *err)
{
    return check_dir(&cfg->connectors_dir,
                     cfg->connectors_dir_from ? cfg->connectors_dir_from : "INLET_CONNECTORS_DIR",
                     CONFIG_DEFAULT_CONNECTORS_DIR, err);
}

/* Parse all of s as digits (no sign, no space, no suffix) into *out; false
 * for anything else or past 10 digits, which no limit here needs. */
static bool parse_digits(long long *out, const char *s)
{
    size_t n = strlen(s);
    long long v = 0;
    if (n == 0 || n > 10 || strspn(s, "0123456789") != n)
        return false;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    *out = v;
    return true;
}

/* A plain whole number in min..max from raw (dflt when unset), into *out. */
static int check_number(long long *out, const char *raw, const char *src, long long min,
                        long long max, long long dflt, const char *what, struct err *err)
{
    char q[56];
    long long v = dflt;
    if (raw && (!parse_digits(&v, raw) || v < min || v > max))
        return err_set(err, ERR_INVALID, "%s: expected %s in %lld..%lld, got %s", src, what, min,
                       max, quote(q, raw));
    *out = v;
    return 0;
}

static int check_http(struct config *cfg, struct err *err)
{
    long long body = 0, threads = 0, timeout = 0;
    int rc;
    if ((rc = check_number(&body, cfg->http_body_max_raw, cfg->http_body_max_from,
                           CONFIG_HTTP_BODY_MIN, CONFIG_HTTP_BODY_MAX, CONFIG_DEFAULT_HTTP_BODY_MAX,
                           "a number of bytes", err)) < 0 ||
        (rc = check_number(&threads, cfg->http_threads_raw, cfg->http_threads_from, 0,
                           CONFIG_HTTP_THREADS_MAX, 0, "a number of threads (0: one per core)",
                           err)) < 0 ||
        (rc = check_number(&timeout, cfg->http_timeout_raw, cfg->http_timeout_from, 1,
                           CONFIG_HTTP_TIMEOUT_MAX, CONFIG_DEFAULT_HTTP_TIMEOUT,
                           "a number of seconds", err)) < 0)
        return rc;
    cfg->http_body_max = (size_t)body;
    cfg->http_threads = (unsigned)threads;
    cfg->http_timeout = (unsigned)timeout;
    return 0;
}

static int check_jobs(struct config *cfg, struct err *err)
{
    long long workers = 0, lease = 0, tenant = 0, connector = 0;
    int rc;
    if ((rc = check_number(&workers, cfg->workers_raw, cfg->workers_from, 0, CONFIG_WORKERS_MAX,
                           CONFIG_DEFAULT_WORKERS, "a number of worker threads", err)) < 0 ||
        (rc = check_number(&lease, cfg->job_lease_raw, cfg->job_lease_from, CONFIG_JOB_LEASE_MIN,
                           CONFIG_JOB_LEASE_MAX, CONFIG_DEFAULT_JOB_LEASE, "a number of seconds",
                           err)) < 0 ||
        (rc = check_number(&tenant, cfg->jobs_per_tenant_raw, cfg->jobs_per_tenant_from, 0,
                           CONFIG_JOBS_LIMIT_MAX, 0, "a number of jobs (0: no limit)", err)) < 0 ||
        (rc = check_number(&connector, cfg->syncs_per_connector_raw, cfg->syncs_per_connector_from,
                           0, CONFIG_JOBS_LIMIT_MAX, 0, "a number of syncs (0: no limit)", err)) <
            0)
        return rc;
    cfg->workers = (unsigned)workers;
    cfg->job_lease = (unsigned)lease;
    cfg->jobs_per_tenant = (unsigned)tenant;
    cfg->syncs_per_connector = (unsigned)connector;
    /* A guessable secret would let anyone run scheduling passes. */
    if (cfg->cron_secret.n && cfg->cron_secret.n < CONFIG_CRON_SECRET_MIN)
        return err_set(err, ERR_INVALID,
                       "INLET_CRON_SECRET: too short to be a secret: use at least %d characters "
                       "(e.g. the output of `openssl rand -hex 32`)",
                       CONFIG_CRON_SECRET_MIN);
    return 0;
}

/* "RATE/s", "RATE/s,BURST" or "off". RATE has at most 7 whole and 3
 * decimal digits, read by hand so that no locale decides the decimal
 * point. */
static int check_rate_limit(struct config *cfg, struct err *err)
{
    const char *src = cfg->rate_limit_from ? cfg->rate_limit_from : "INLET_RATE_LIMIT";
    const char *v = cfg->rate_limit_raw ? cfg->rate_limit_raw : CONFIG_DEFAULT_RATE_LIMIT;
    char q[56];
    if (strcasecmp(v, "off") == 0) {
        cfg->rate_limit_rps = cfg->rate_limit_burst = 0;
        return 0;
    }
    size_t whole = strspn(v, "0123456789"), frac = 0;
    const char *p = v + whole;
    if (*p == '.') {
        frac = strspn(p + 1, "0123456789");
        p += 1 + frac;
    }
    if (whole == 0 || whole > 7 || (p > v + whole && (frac == 0 || frac > 3)) ||
        strncmp(p, "/s", 2) != 0 || (p[2] && p[2] != ','))
        return err_set(err, ERR_INVALID,
                       "%s: expected RATE/s or RATE/s,BURST (e.g. 20/s,100) or off, got %s", src,
                       quote(q, v));
    double rate = 0, scale = 1;
    for (size_t i = 0; i < whole; i++)
        rate = rate * 10 + (v[i] - '0');
    for (size_t i = 0; i < frac; i++)
        rate += (v[whole + 1 + i] - '0') * (scale /= 10);
    if (rate <= 0 || rate > CONFIG_RATE_LIMIT_MAX)
        return err_set(err, ERR_INVALID,
                       "%s: the rate must be over 0 and at most %d per second (or off), got %s",
                       src, CONFIG_RATE_LIMIT_MAX, quote(q, v));
    long long burst = (long long)rate + ((double)(long long)rate < rate);
    if (p[2] == ',' && (!parse_digits(&burst, p + 3) || burst < 1 || burst > CONFIG_RATE_LIMIT_MAX))
        return err_set(err, ERR_INVALID, "%s: the burst must be a whole number in 1..%d, got %s",
                       src, CONFIG_RATE_LIMIT_MAX, quote(q, v));
    cfg->rate_limit_rps = rate;
    cfg->rate_limit_burst = (double)burst;
    return 0;
}

static int check_db(struct config *cfg, struct err *err)
{
    const char *src = cfg->db_from ? cfg->db_from : "INLET_DB";
    if (!cfg->db_url) {
        /* The default derives from data_dir, which was checked first. */
        struct buf b;
        buf_init(&b, 0);
        buf_printf(&b, "sqlite:%s%s" CONFIG_DB_FILE, cfg->data_dir,
                   strcmp(cfg->data_dir, "/") == 0 ? "" : "/");
        cfg->db_url = buf_take(&b);
    }
    return config_db_url_check(NULL, cfg->db_url, src, err);
}

static int check_listen(struct config *cfg, struct err *err)
{
    const char *src = cfg->listen_from ? cfg->listen_from : "INLET_LISTEN";
    char q[56];
    if (!cfg->listen)
        replace(&cfg->listen, CONFIG_DEFAULT_LISTEN, strlen(CONFIG_DEFAULT_LISTEN));
    const char *l = cfg->listen, *colon;
    size_t hoff = 0, hn;
    if (l[0] == '[') {
        const char *close = strchr(l, ']');
        if (!close || !is_ipv6(l + 1, (size_t)(close - l) - 1))
            return err_set(err, ERR_INVALID, "%s: invalid IPv6 address in %s", src,
                           quote_url(q, l));
        hoff = 1;
        hn = (size_t)(close - l) - 1;
        colon = close + 1;
        if (*colon != ':')
            return err_set(err, ERR_INVALID, "%s: expected [ADDRESS]:PORT, e.g. [::1]:8080, got %s",
                           src, quote_url(q, l));
    } else {
        colon = strrchr(l, ':');
        if (!colon || colon == l)
            return err_set(err, ERR_INVALID, "%s: expected HOST:PORT, e.g. 127.0.0.1:8080, got %s",
                           src, quote_url(q, l));
        hn = (size_t)(colon - l);
        if (strstr(l, "://"))
            return err_set(err, ERR_INVALID,
                           "%s: expected HOST:PORT, e.g. 127.0.0.1:8080, not a "
                           "URL, got %s",
                           src, quote_url(q, l));
        if (memchr(l, ':', hn))
            return err_set(err, ERR_INVALID,
                           "%s: write an IPv6 address in brackets, e.g. "
                           "[::1]:8080, got %s",
                           src, quote_url(q, l));
        if (!is_hostname(l, hn))
            return err_set(err, ERR_INVALID, "%s: invalid host name or IPv4 address in %s", src,
                           quote_url(q, l));
    }
    int port = parse_port(colon + 1, strlen(colon + 1));
    if (port < 0)
        return err_set(err, ERR_INVALID, "%s: port must be a number in 1..65535, got %s", src,
                       quote_url(q, colon + 1));
    replace(&cfg->listen_host, l + hoff, hn);
    cfg->listen_port = port;
    return 0;
}

static int check_public_url(struct config *cfg, struct err *err)
{
    const char *src = cfg->public_url_from ? cfg->public_url_from : "INLET_PUBLIC_URL";
    char q[56];
    if (!cfg->public_url) {
        /* http://<listen>, but a browser cannot reach a wildcard address. */
        struct buf b;
        buf_init(&b, 0);
        if (strcmp(cfg->listen_host, "0.0.0.0") == 0)
            buf_printf(&b, "http://127.0.0.1:%d", cfg->listen_port);
        else if (strcmp(cfg->listen_host, "::") == 0)
            buf_printf(&b, "http://[::1]:%d", cfg->listen_port);
        else
            buf_printf(&b, "http://%s", cfg->listen);
        cfg->public_url = buf_take(&b);
    }
    char *u = cfg->public_url;
    size_t off;
    if (strncasecmp(u, "http://", 7) == 0)
        off = 7;
    else if (strncasecmp(u, "https://", 8) == 0)
        off = 8;
    else
        return err_set(err, ERR_INVALID, "%s: expected an absolute http:// or https:// URL, got %s",
                       src, quote_url(q, u));
    size_t auth_end = off + strcspn(u + off, "/?#");
    if (memchr(u + off, '@', auth_end - off))
        return err_set(err, ERR_INVALID, "%s: must not hold a user or password", src);
    if (strpbrk(u, "?#"))
        return err_set(err, ERR_INVALID,
                       "%s: must not have a query or fragment ('?' or '#'), got %s", src,
                       quote_url(q, u));
    size_t hend = off;
    if (u[off] == '[') {
        const char *close = memchr(u + off, ']', auth_end - off);
        if (!close || !is_ipv6(u + off + 1, (size_t)(close - u) - off - 1))
            return err_set(err, ERR_INVALID, "%s: invalid IPv6 address in %s", src,
                           quote_url(q, u));
        hend = (size_t)(close - u) + 1;
    } else {
        while (hend < auth_end && u[hend] != ':')
            hend++;
        if (hend == off || !is_hostname(u + off, hend - off))
            return err_set(err, ERR_INVALID,
                           "%s: expected a host name or address after %.*s, got %s", src, (int)off,
                           u, quote_url(q, u));
    }
    if (hend < auth_end && (u[hend] != ':' || parse_port(u + hend + 1, auth_end - hend - 1) < 0))
        return err_set(err, ERR_INVALID, "%s: port must be a number in 1..65535, got %s", src,
                       quote_url(q, u));
    size_t plen = strlen(u + auth_end), bad = bad_char(u + auth_end, plen, "!$&'()*+,;=:@/");
    if (bad < plen)
        return err_set(err, ERR_INVALID, "%s: unexpected character at byte %zu of %s", src,
                       auth_end + bad, quote_url(q, u));
    for (size_t i = 0; i < off - 3; i++) /* "HTTPS" -> "https" */
        u[i] = (char)(u[i] | 0x20);
    size_t n = strlen(u);
    while (n > auth_end && u[n - 1] == '/')
        u[--n] = '\0';
    return 0;
}

static int check_log_level(struct config *cfg, struct err *err)
{
    char q[56];
    if (!cfg->log_level_raw) {
        cfg->log_level = LOG_LEVEL_INFO;
        return 0;
    }
    if (log_level_parse(&cfg->log_level, cfg->log_level_raw, NULL) < 0)
        return err_set(err, ERR_INVALID, "%s: expected debug, info, warn or error, got %s",
                       cfg->log_level_from, quote(q, cfg->log_level_raw));
    return 0;
}

int config_finish(struct config *cfg, struct err *err)
{
    int rc;
    assert(!cfg->finished);
    if ((rc = check_data_dir(cfg, err)) < 0 || (rc = check_db(cfg, err)) < 0 ||
        (rc = check_listen(cfg, err)) < 0 || (rc = check_public_url(cfg, err)) < 0 ||
        (rc = check_log_level(cfg, err)) < 0 || (rc = check_connectors_dir(cfg, err)) < 0 ||
        (rc = check_http(cfg, err)) < 0 || (rc = check_rate_limit(cfg, err)) < 0 ||
        (rc = check_jobs(cfg, err)) < 0)
        return rc;
    if (cfg->keys.n && cfg->single_key.n)
        return err_set(err, ERR_INVALID,
                       "INLET_KEYS and INTEGRATION_ENCRYPTION_KEY are both set; set only "
                       "INLET_KEYS (the single key can be one of its entries)");
    cfg->finished = true;
    return 0;
}

/* ---- using the result ---- */

/* mkdir -p with mode 0700 for what it creates. */
static int make_dirs(const char *path)
{
    char *p = xstrdup(path);
    int rc = 0;
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0700) != 0 && errno != EEXIST) {
            rc = -1;
            break;
        }
        *s = '/';
    }
    if (rc == 0 && mkdir(p, 0700) != 0 && errno != EEXIST)
        rc = -1;
    int saved = errno;
    xfree(p);
    errno = saved;
    return rc;
}

int config_prepare_data_dir(const struct config *cfg, struct err *err)
{
    const char *src = cfg->data_dir_from ? cfg->data_dir_from : "INLET_DATA_DIR";
    const char *dir = cfg->data_dir;
    struct stat st;

    assert(cfg->finished);
    if (stat(dir, &st) != 0) {
        if (errno != ENOENT)
            return err_set(err, ERR_IO, "%s: cannot use %s: %s", src, dir, strerror(errno));
        if (make_dirs(dir) != 0)
            return err_set(err, ERR_IO, "%s: cannot create %s: %s", src, dir, strerror(errno));
        if (stat(dir, &st) != 0)
            return err_set(err, ERR_IO, "%s: cannot use %s: %s", src, dir, strerror(errno));
    }
    if (!S_ISDIR(st.st_mode))
        return err_set(err, ERR_IO, "%s: %s is not a directory", src, dir);
    if (access(dir, R_OK | W_OK | X_OK) != 0)
        return err_set(err, ERR_IO, "%s: cannot read and write in %s: %s", src, dir,
                       strerror(errno));
    return 0;
}

const char *config_db_engine(const struct config *cfg)
{
    assert(cfg->finished);
    return strncmp(cfg->db_url, "sqlite:", 7) == 0 ? "sqlite" : "postgres";
}

void config_db_url_redacted(const struct config *cfg, struct buf *b)
{
    const char *url = cfg->db_url;
    assert(cfg->finished);
    if (strncmp(url, "sqlite:", 7) == 0) {
        buf_puts(b, url);
        return;
    }
    /* The URL passed check_postgres: at most one '@', before the host. */
    size_t off = (size_t)(strstr(url, "://") - url) + 3;
    size_t auth_end = off + strcspn(url + off, "/?");
    const char *at = memchr(url + off, '@', auth_end - off);
    if (at) {
        size_t un = strcspn(url + off, ":@");
        buf_put(b, url, off + un);
        if (url[off + un] == ':')
            buf_puts(b, ":***");
        off = (size_t)(at - url); /* copy from the '@' on */
    }
    const char *q = strchr(url + off, '?');
    if (!q) {
        buf_puts(b, url + off);
        return;
    }
    buf_put(b, url + off, (size_t)(q - url) - off + 1);
    for (const char *p = q + 1; *p;) {
        size_t n = strcspn(p, "&");
        if (is_password_param(p)) {
            buf_put(b, p, strcspn(p, "=") + 1); /* the name as written */
            buf_puts(b, "***");
        } else {
            buf_put(b, p, n);
        }
        p += n;
        if (*p == '&')
            buf_putc(b, *p++);
    }
}
