/* http/router.c - the route table: patterns compiled once at start, then
 * matched against every request path. A path is split on '/' before its
 * segments are percent-decoded, so encoded bytes never change its shape.
 * Matching is a linear scan that keeps the most specific pattern: route
 * tables are a few dozen entries, and a scan is easy to get right. Used by
 * http/server.c. */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "http/server_int.h"

#define PARAM_NAME_MAX 32

/* The order is the precedence: at the first position where two matching
 * patterns differ, the lower kind wins. */
enum seg_kind { SEG_LIT = 0, SEG_PARAM = 1, SEG_REST = 2 };

struct seg {
    enum seg_kind kind;
    const char *p; /* literal text or parameter name; borrowed from the route table */
    size_t n;
    char *name; /* parameters: the name NUL-terminated, from xstrndup */
};

struct pattern {
    const char *text; /* borrowed from the route table */
    size_t nseg;
    struct seg *segs;           /* from xmalloc */
    unsigned methods;           /* bit i set: HTTP_METHODS[i] declared */
    size_t route[HTTP_METHODS]; /* route index per declared method */
};

struct http_router {
    struct pattern *pats; /* from xcalloc */
    size_t npats;
};

static const char *const method_names[HTTP_METHODS + 1] = {
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other",
};

unsigned http_router_method_index(const char *method)
{
    for (unsigned i = 0; method && i < HTTP_METHODS; i++)
        if (strcmp(method, method_names[i]) == 0)
            return i;
    return HTTP_METHOD_OTHER;
}

const char *http_router_method_name(unsigned index)
{
    assert(index <= HTTP_METHOD_OTHER);
    return method_names[index];
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

long http_router_pct_decode(char *out, const char *s, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '%') {
            if (n - i < 3)
                return -1;
            int hi = hexval(s[i + 1]), lo = hexval(s[i + 2]);
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
                return -1;
            c = (char)(hi << 4 | lo);
            i += 2;
        }
        out[o++] = c;
    }
    return (long)o;
}

/* ---- compiling ---- */

static bool is_name_char(char c, bool first)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           (!first && c >= '0' && c <= '9');
}

/* RFC 3986 pchar without pct-encoded: what a literal segment may hold. */
static bool is_literal_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != '\0' && strchr("-._~!$&'()*+,;=:@", c) != NULL);
}

/* Parse one segment s[0..n) of pattern into *sg. Returns a static message
 * saying what is wrong, or NULL. */
static const char *seg_parse(struct seg *sg, const char *s, size_t n)
{
    if (n == 0)
        return "empty segment";
    if (s[0] == '{') {
        if (s[n - 1] != '}')
            return "a parameter must be a whole segment, \"{name}\"";
        sg->kind = SEG_PARAM;
        sg->p = s + 1;
        sg->n = n - 2;
        if (sg->n >= 3 && memcmp(sg->p + sg->n - 3, "...", 3) == 0) {
            sg->kind = SEG_REST;
            sg->n -= 3;
        }
        if (sg->n == 0 || sg->n > PARAM_NAME_MAX)
            return "parameter names are 1 to 32 characters";
        for (size_t i = 0; i < sg->n; i++)
            if (!is_name_char(sg->p[i], i == 0))
                return "parameter names are [A-Za-z_][A-Za-z0-9_]*";
        sg->name = xstrndup(sg->p, sg->n);
        return NULL;
    }
    sg->kind = SEG_LIT;
    sg->p = s;
    sg->n = n;
    for (size_t i = 0; i < n; i++)
        if (!is_literal_char(s[i]))
            return "a literal segment holds a character outside RFC 3986 pchar, or '%'";
    if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
        return "\".\" and \"..\" segments never match";
    return NULL;
}

static void segs_free(struct seg *sv, size_t n)
{
    for (size_t k = 0; sv && k < n; k++)
        xfree(sv[k].name);
    xfree(sv);
}

/* Split pattern text into *segs (OUT, from xmalloc) and *nseg. */
static int pattern_parse(struct seg **segs, size_t *nseg, const char *text, size_t idx,
                         struct err *err)
{
    size_t n = strlen(text), count = 0, nparams = 0;
    const char *why = NULL;
    struct seg *sv = NULL;
    int rc = 0;

    if (n == 0 || text[0] != '/') {
        why = "must start with '/'";
        goto done;
    }
    if (n > HTTP_PATH_MAX) {
        why = "longer than a request path may be";
        goto done;
    }
    for (size_t i = 1; i < n; i++)
        count += text[i] == '/';
    if (n > 1)
        count++;
    sv = xcalloc(count ? count : 1, sizeof(*sv));
    for (size_t k = 0, i = 1; k < count; k++) {
        const char *slash = memchr(text + i, '/', n - i);
        size_t len = slash ? (size_t)(slash - (text + i)) : n - i;
        why = seg_parse(&sv[k], text + i, len);
        if (why)
            goto done;
        if (sv[k].kind == SEG_REST && k + 1 != count) {
            why = "a rest parameter \"{name...}\" must be the last segment";
            goto done;
        }
        if (sv[k].kind != SEG_LIT) {
            if (++nparams > HTTP_PARAMS_MAX) {
                why = "more parameters than HTTP_PARAMS_MAX";
                goto done;
            }
            for (size_t j = 0; j < k; j++)
                if (sv[j].kind != SEG_LIT && sv[j].n == sv[k].n &&
                    memcmp(sv[j].p, sv[k].p, sv[k].n) == 0) {
                    why = "a parameter name is used twice";
                    goto done;
                }
        }
        i += len + 1;
    }
    *segs = sv;
    *nseg = count;
    sv = NULL;
done:
    if (why)
        rc = err_set(err, ERR_INVALID, "route %zu: pattern \"%s\": %s", idx, text, why);
    segs_free(sv, count);
    return rc;
}

/* Same shape: the same segments, parameter names aside. */
static bool same_shape(const struct seg *a, size_t na, const struct seg *b, size_t nb)
{
    if (na != nb)
        return false;
    for (size_t k = 0; k < na; k++) {
        if (a[k].kind != b[k].kind)
            return false;
        if (a[k].kind == SEG_LIT && (a[k].n != b[k].n || memcmp(a[k].p, b[k].p, a[k].n) != 0))
            return false;
    }
    return true;
}

int http_router_new(struct http_router **out, const struct http_route *routes, size_t n,
                    struct err *err)
{
    struct http_router *r = xcalloc(1, sizeof(*r));
    struct seg *segs = NULL;
    size_t nseg = 0;
    int rc = 0;

    r->pats = xcalloc(n ? n : 1, sizeof(*r->pats));
    for (size_t i = 0; i < n; i++) {
        const struct http_route *rt = &routes[i];
        unsigned mi = http_router_method_index(rt->method);
        if (mi == HTTP_METHOD_OTHER) {
            rc = err_set(err, ERR_INVALID,
                         "route %zu: method must be one of GET HEAD POST PUT PATCH DELETE OPTIONS",
                         i);
            goto done;
        }
        if (!rt->pattern || !rt->handler) {
            rc = err_set(err, ERR_INVALID, "route %zu: pattern and handler are required", i);
            goto done;
        }
        rc = pattern_parse(&segs, &nseg, rt->pattern, i, err);
        if (rc < 0)
            goto done;
        struct pattern *same = NULL;
        for (size_t j = 0; j < r->npats; j++) {
            struct pattern *p = &r->pats[j];
            if (!same_shape(p->segs, p->nseg, segs, nseg))
                continue;
            if (p->methods & (1u << mi)) {
                rc = err_set(err, ERR_INVALID, "route %zu: %s \"%s\" duplicates route %zu (\"%s\")",
                             i, rt->method, rt->pattern, p->route[mi], p->text);
                goto done;
            }
            if (strcmp(p->text, rt->pattern) == 0)
                same = p;
        }
        if (!same) {
            same = &r->pats[r->npats++];
            same->text = rt->pattern;
            same->segs = segs;
            same->nseg = nseg;
            segs = NULL;
        }
        same->methods |= 1u << mi;
        same->route[mi] = i;
        segs_free(segs, nseg);
        segs = NULL;
    }
    *out = r;
    r = NULL;
done:
    segs_free(segs, nseg);
    http_router_free(r);
    return rc;
}

void http_router_free(struct http_router *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->npats; i++)
        segs_free(r->pats[i].segs, r->pats[i].nseg);
    xfree(r->pats);
    xfree(r);
}

size_t http_router_npatterns(const struct http_router *r)
{
    return r->npats;
}

const char *http_router_pattern(const struct http_router *r, size_t i)
{
    assert(i < r->npats);
    return r->pats[i].text;
}

/* ---- matching ---- */

/* The decoded path as segments: segment k is dec[off[k]..off[k]+len[k]). A
 * path of HTTP_PATH_MAX bytes has at most HTTP_PATH_MAX / 2 + 1 segments. */
struct split {
    size_t nseg;
    uint16_t off[HTTP_PATH_MAX / 2 + 2];
    uint16_t len[HTTP_PATH_MAX / 2 + 2];
};

static enum http_router_result bad(struct http_router_match *m, const char *what, size_t at)
{
    snprintf(m->error, sizeof(m->error), "path: %s at byte %zu", what, at);
    m->path[0] = '\0';
    return HTTP_ROUTER_BAD_PATH;
}

/* Split path on '/', then decode each segment into m->path, joined by '/'. */
static enum http_router_result split_path(struct http_router_match *m, struct split *sp,
                                          const char *path, size_t n)
{
    sp->nseg = 0;
    if (n == 0 || path[0] != '/')
        return bad(m, "does not start with '/'", 0);
    if (n > HTTP_PATH_MAX)
        return bad(m, "longer than 2048 bytes", HTTP_PATH_MAX);
    const char *nul = memchr(path, '\0', n);
    if (nul)
        return bad(m, "NUL byte", (size_t)(nul - path));
    size_t o = 0;
    for (size_t i = 1; n > 1;) {
        const char *slash = memchr(path + i, '/', n - i);
        size_t j = slash ? (size_t)(slash - path) : n;
        if (j == i && j < n)
            return bad(m, "empty segment", i);
        m->path[o++] = '/';
        long dl = http_router_pct_decode(m->path + o, path + i, j - i);
        if (dl < 0)
            return bad(m, "malformed percent-escape or %00", i);
        const char *d = m->path + o;
        if (memchr(d, '/', (size_t)dl))
            return bad(m, "encoded '/' in a segment", i);
        if ((dl == 1 && d[0] == '.') || (dl == 2 && d[0] == '.' && d[1] == '.'))
            return bad(m, "dot segment", i);
        sp->off[sp->nseg] = (uint16_t)o;
        sp->len[sp->nseg] = (uint16_t)dl;
        sp->nseg++;
        o += (size_t)dl;
        if (j == n)
            break;
        i = j + 1;
    }
    if (o == 0)
        m->path[o++] = '/';
    m->path[o] = '\0';
    return HTTP_ROUTER_FOUND;
}

static bool pattern_matches(const struct pattern *p, const struct http_router_match *m,
                            const struct split *sp)
{
    for (size_t k = 0; k < p->nseg; k++) {
        const struct seg *sg = &p->segs[k];
        if (k >= sp->nseg)
            return false;
        if (sg->kind == SEG_REST) {
            for (size_t j = k; j < sp->nseg; j++)
                if (sp->len[j] == 0)
                    return false;
            return true;
        }
        if (sp->len[k] == 0)
            return false;
        if (sg->kind == SEG_LIT &&
            (sg->n != sp->len[k] || memcmp(sg->p, m->path + sp->off[k], sg->n) != 0))
            return false;
    }
    return p->nseg == sp->nseg;
}

/* True when a is more specific than b (both match the same path). */
static bool more_specific(const struct pattern *a, const struct pattern *b)
{
    for (size_t k = 0; k < a->nseg && k < b->nseg; k++)
        if (a->segs[k].kind != b->segs[k].kind)
            return a->segs[k].kind < b->segs[k].kind;
    return false;
}

static void fill_params(struct http_router_match *m, const struct pattern *p,
                        const struct split *sp)
{
    size_t v = 0;
    for (size_t k = 0; k < p->nseg; k++) {
        const struct seg *sg = &p->segs[k];
        if (sg->kind == SEG_LIT)
            continue;
        /* A rest value is the decoded path from its first segment on. */
        size_t len = sg->kind == SEG_REST ? strlen(m->path + sp->off[k]) : sp->len[k];
        memcpy(m->values + v, m->path + sp->off[k], len);
        m->values[v + len] = '\0';
        m->params[m->nparams].name = sg->name;
        m->params[m->nparams].value = m->values + v;
        m->nparams++;
        v += len + 1;
    }
}

enum http_router_result http_router_match(struct http_router_match *m, const struct http_router *r,
                                          const char *method, const char *path, size_t n)
{
    struct split sp = {0}; /* 4 KiB zeroed: cheap, and no analyzer doubts */
    m->route = m->pattern = SIZE_MAX;
    m->nparams = 0;
    m->allow[0] = m->error[0] = '\0';
    enum http_router_result res = split_path(m, &sp, path, n);
    if (res != HTTP_ROUTER_FOUND)
        return res;

    unsigned mi = http_router_method_index(method);
    unsigned bit = mi < HTTP_METHODS ? 1u << mi : 0;
    unsigned allow = 0;
    const struct pattern *best = NULL, *any = NULL;
    for (size_t i = 0; i < r->npats; i++) {
        const struct pattern *p = &r->pats[i];
        if (!pattern_matches(p, m, &sp))
            continue;
        allow |= p->methods;
        if (!any || more_specific(p, any))
            any = p;
        if ((p->methods & bit) && (!best || more_specific(p, best)))
            best = p;
    }
    if (!any)
        return HTTP_ROUTER_NOT_FOUND;
    if (!best) {
        m->pattern = (size_t)(any - r->pats);
        size_t o = 0;
        for (unsigned i = 0; i < HTTP_METHODS; i++)
            if (allow & (1u << i))
                o += (size_t)snprintf(m->allow + o, sizeof(m->allow) - o, "%s%s", o ? ", " : "",
                                      method_names[i]);
        return HTTP_ROUTER_NOT_ALLOWED;
    }
    m->pattern = (size_t)(best - r->pats);
    m->route = best->route[mi];
    fill_params(m, best, &sp);
    return HTTP_ROUTER_FOUND;
}
