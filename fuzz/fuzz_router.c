/* fuzz/fuzz_router.c - arbitrary methods and paths into http_router_match
 * ("METHOD\npath"; no newline means GET), and the same bytes compiled as a
 * pattern. Besides memory errors it checks properties: the result is stable
 * across two calls; a found route declares the method, fills one non-empty,
 * NUL-free value per parameter (no '/' outside a rest value) and a decoded
 * path no longer than the input; a refusal has a one-line message; a 405
 * lists methods; and any pattern that compiles matches itself as a path. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "http/server_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void nop(struct http_req *req, struct http_resp *resp)
{
    (void)req;
    (void)resp;
}

static const struct http_route table[] = {
    {"GET", "/", nop, NULL},
    {"GET", "/api/integrations", nop, NULL},
    {"POST", "/api/integrations", nop, NULL},
    {"GET", "/api/integrations/{id}", nop, NULL},
    {"DELETE", "/api/integrations/{id}", nop, NULL},
    {"GET", "/api/integrations/new", nop, NULL},
    {"GET", "/api/integrations/{id}/runs/{run}", nop, NULL},
    {"GET", "/files/{path...}", nop, NULL},
    {"GET", "/files/special/{name}", nop, NULL},
    {"PUT", "/a/{x}/c", nop, NULL},
    {"PUT", "/a/b/{y}", nop, NULL},
    {"POST", "/hooks/{token}/{rest...}", nop, NULL},
    {"OPTIONS", "/m", nop, NULL},
    {"PATCH", "/m", nop, NULL},
};
#define NTABLE (sizeof(table) / sizeof(table[0]))

static size_t count_params(const char *pattern)
{
    size_t n = 0;
    for (const char *p = pattern; *p; p++)
        n += *p == '{';
    return n;
}

static void check_found(const struct http_router_match *m, const char *method, size_t n)
{
    if (m->route >= NTABLE)
        abort();
    const struct http_route *rt = &table[m->route];
    if (strcmp(rt->method, method) != 0)
        abort();
    if (m->nparams != count_params(rt->pattern))
        abort();
    bool rest = strstr(rt->pattern, "...}") != NULL;
    for (size_t i = 0; i < m->nparams; i++) {
        const char *v = m->params[i].value;
        if (!m->params[i].name || !v[0] || strlen(v) > n)
            abort();
        if (strchr(v, '/') && !(rest && i + 1 == m->nparams))
            abort();
    }
    if (m->path[0] != '/' || strlen(m->path) > (n ? n : 1))
        abort();
}

static void check_match(const struct http_router *r, const char *method, const char *path, size_t n)
{
    struct http_router_match *m = xmalloc(sizeof(*m));
    struct http_router_match *again = xmalloc(sizeof(*again));
    enum http_router_result res = http_router_match(m, r, method, path, n);
    if (http_router_match(again, r, method, path, n) != res || again->route != m->route ||
        again->nparams != m->nparams)
        abort();
    switch (res) {
    case HTTP_ROUTER_FOUND:
        check_found(m, method, n);
        break;
    case HTTP_ROUTER_BAD_PATH:
        if (!m->error[0] || strchr(m->error, '\n'))
            abort();
        break;
    case HTTP_ROUTER_NOT_ALLOWED:
        if (!m->allow[0] || m->pattern >= http_router_npatterns(r))
            abort();
        break;
    case HTTP_ROUTER_NOT_FOUND:
        break;
    default:
        abort();
    }
    xfree(again);
    xfree(m);
}

/* A pattern that compiles is a path that finds it. */
static void check_pattern(const char *text)
{
    struct http_route rt = {"GET", text, nop, NULL};
    struct http_router *r = NULL;
    struct err err;
    if (http_router_new(&r, &rt, 1, &err) != 0) {
        if (err.code != ERR_INVALID || strchr(err.msg, '\n') || r)
            abort();
        return;
    }
    size_t n = strlen(text);
    struct http_router_match *m = xmalloc(sizeof(*m));
    if (n <= HTTP_PATH_MAX &&
        (http_router_match(m, r, "GET", text, n) != HTTP_ROUTER_FOUND || m->route != 0))
        abort();
    xfree(m);
    http_router_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct http_router *r;
    if (!r) {
        struct err err;
        if (http_router_new(&r, table, NTABLE, &err) != 0)
            abort();
    }
    const char *s = (const char *)data;
    const char *nl = memchr(s, '\n', size);
    char method[32] = "GET";
    const char *path = s;
    size_t n = size;
    if (nl) {
        size_t mlen = (size_t)(nl - s) < sizeof(method) - 1 ? (size_t)(nl - s) : sizeof(method) - 1;
        memcpy(method, s, mlen);
        method[mlen] = '\0';
        path = nl + 1;
        n = size - (size_t)(nl - s) - 1;
    }
    check_match(r, method, path, n);

    char *text = xstrndup(path, n); /* a pattern is a C string: stops at a NUL */
    check_pattern(text);
    xfree(text);
    return 0;
}
