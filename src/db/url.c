/* db/url.c - checking a database URL before anything connects with it:
 * "sqlite:PATH" or a libpq URL "postgres://...". A URL holds a password, so
 * no message here ever quotes the URL: they give byte offsets instead. The
 * fuzz harness fuzz/fuzz_db_url.c holds this file to that. Used by db_open
 * and by configuration checks. */
#include <libpq-fe.h>
#include <string.h>

#include "db/db.h"
#include "db/db_int.h"

static int check_sqlite(const char *url, struct err *err)
{
    const char *path = url + strlen("sqlite:");
    if (!*path)
        return err_set(err, ERR_INVALID,
                       "db url: sqlite: needs a file path, e.g. sqlite:data/inlet.db");
    if (strncmp(path, "//", 2) == 0)
        return err_set(err, ERR_INVALID,
                       "db url: write sqlite:PATH (sqlite:/var/lib/inlet.db), not sqlite://");
    for (const char *p = path; *p; p++)
        if ((unsigned char)*p < 0x20)
            return err_set(err, ERR_INVALID, "db url: control character in the path at byte %zu",
                           (size_t)(p - url));
    return 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Offset of the first bad percent-escape in s[0..n) (not %XX, or %00), or n. */
static size_t pct_bad(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '%')
            continue;
        if (i + 2 >= n)
            return i;
        int hi = hexval(s[i + 1]), lo = hexval(s[i + 2]);
        if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
            return i;
        i += 2;
    }
    return n;
}

static bool host_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-' || c == '_' || c == '%';
}

/* One "host[:port]" or "[v6]:port" of the comma-separated host list, at
 * byte off of url. */
static int check_host(const char *url, size_t off, size_t n, struct err *err)
{
    const char *h = url + off;
    size_t i = 0;
    if (n && h[0] == '[') {
        const char *close = memchr(h, ']', n);
        if (!close)
            return err_set(err, ERR_INVALID, "db url: '[' without ']' in the host at byte %zu",
                           off);
        if (close == h + 1)
            return err_set(err, ERR_INVALID, "db url: empty IPv6 address at byte %zu", off);
        i = (size_t)(close - h) + 1;
        if (pct_bad(h, i) < i)
            return err_set(err, ERR_INVALID, "db url: bad percent-escape in the host at byte %zu",
                           off + pct_bad(h, i));
    } else {
        while (i < n && h[i] != ':') {
            if (h[i] == '@')
                return err_set(err, ERR_INVALID,
                               "db url: '@' in the host at byte %zu (write "
                               "an '@' in a password as %%40)",
                               off + i);
            if (!host_char(h[i]))
                return err_set(err, ERR_INVALID,
                               "db url: unexpected character in the host at byte %zu", off + i);
            i++;
        }
        if (pct_bad(h, i) < i)
            return err_set(err, ERR_INVALID, "db url: bad percent-escape in the host at byte %zu",
                           off + pct_bad(h, i));
    }
    if (i == n)
        return 0;
    if (h[i] != ':')
        return err_set(err, ERR_INVALID, "db url: expected ':' after the host at byte %zu",
                       off + i);
    long port = 0;
    size_t digits = 0;
    for (size_t j = i + 1; j < n; j++, digits++) {
        if (h[j] < '0' || h[j] > '9' || port > 65535) {
            port = 0;
            break;
        }
        port = port * 10 + (h[j] - '0');
    }
    if (digits == 0 || port < 1 || port > 65535)
        return err_set(err, ERR_INVALID, "db url: port at byte %zu is not a number in 1..65535",
                       off + i + 1);
    return 0;
}

/* postgres://[user[:password]@][host[:port][,...]][/dbname][?key=value&...]
 * Messages give byte offsets and never quote the URL: a password with an
 * unencoded '/', '?' or '@' lands in the other parts. libpq then checks
 * the parameter names and values it knows. Its messages quote those, the
 * one parameter at fault, or the whole URL: the last kind is withheld, and
 * what would have quoted a password (bad escapes, a second '=') is caught
 * here first. */
static int check_pg(const char *url, struct err *err)
{
    size_t off = (size_t)(strchr(url, ':') - url) + 3; /* after "://" */
    size_t auth = strcspn(url + off, "/?"), end = off + auth;
    const char *at = memchr(url + off, '@', auth);
    int rc;

    if (at) {
        if (pct_bad(url + off, (size_t)(at - url) - off) < (size_t)(at - url) - off)
            return err_set(err, ERR_INVALID, "db url: bad percent-escape in the user or password");
        off = (size_t)(at - url) + 1;
    }
    while (off <= end) {
        size_t n = strcspn(url + off, ",/?");
        if (off + n > end)
            n = end - off;
        rc = check_host(url, off, n, err);
        if (rc < 0)
            return rc;
        off += n + 1;
    }
    off = end;
    if (url[off] == '/') {
        size_t n = strcspn(url + off + 1, "?");
        if (pct_bad(url + off + 1, n) < n)
            return err_set(err, ERR_INVALID, "db url: bad percent-escape in the database name");
        off += 1 + n;
    }
    if (url[off] == '?') {
        for (off++; url[off]; off++) {
            size_t n = strcspn(url + off, "&"), eq = strcspn(url + off, "=&");
            if (eq == 0 || eq == n || memchr(url + off + eq + 1, '=', n - eq - 1) ||
                pct_bad(url + off, n) < n)
                return err_set(err, ERR_INVALID,
                               "db url: query parameter at byte %zu is not "
                               "key=value (percent-encode '=', '&' and '%%')",
                               off);
            off += n;
            if (!url[off])
                break;
        }
    }
    char *msg = NULL;
    PQconninfoOption *opts = PQconninfoParse(url, &msg);
    if (!opts) {
        /* Some of libpq's messages quote the whole URL, password and all. */
        bool quotes_url = !msg || strstr(msg, "://");
        rc = db__engine_err(err, ERR_INVALID, "db url", quotes_url ? "not accepted by libpq" : msg);
        PQfreemem(msg);
        return rc;
    }
    PQconninfoFree(opts);
    return 0;
}

int db_url_check(const char **engine, const char *url, struct err *err)
{
    int rc;
    const char *name;
    if (strncmp(url, "sqlite:", 7) == 0) {
        name = "sqlite";
        rc = check_sqlite(url, err);
    } else if (strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0) {
        name = "postgres";
        rc = check_pg(url, err);
    } else {
        /* Quote the scheme only when it looks like one: in "user:pass@host"
         * the part before ':' is a user name, and the rest must not leak. */
        size_t n = strspn(url, "abcdefghijklmnopqrstuvwxyz0123456789+.-");
        if (n > 0 && n <= 16 && url[n] == ':')
            return err_set(err, ERR_INVALID,
                           "db url: unknown scheme '%.*s' (expected sqlite:PATH or postgres://...)",
                           (int)n, url);
        return err_set(err, ERR_INVALID, "db url: expected sqlite:PATH or postgres://...");
    }
    if (rc == 0 && engine)
        *engine = name;
    return rc;
}
