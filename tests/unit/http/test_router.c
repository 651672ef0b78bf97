/* tests/unit/http/test_router.c - the route table through its internal API
 * (http/server_int.h): pattern compile errors, matching and precedence,
 * rest parameters, per-segment percent-decoding, the paths refused with
 * 400, and the methods a 405 lists. Cases are tables; a new bug gets a row. */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "http/server_int.h"
#include "test.h"

static void nop(struct http_req *req, struct http_resp *resp)
{
    (void)req;
    (void)resp;
}

static const struct http_route table[] = {
    {"GET", "/", nop, NULL},                                 /* 0 */
    {"GET", "/api/integrations", nop, NULL},                 /* 1 */
    {"POST", "/api/integrations", nop, NULL},                /* 2 */
    {"GET", "/api/integrations/{id}", nop, NULL},            /* 3 */
    {"DELETE", "/api/integrations/{id}", nop, NULL},         /* 4 */
    {"GET", "/api/integrations/new", nop, NULL},             /* 5 */
    {"GET", "/api/integrations/{id}/runs/{run}", nop, NULL}, /* 6 */
    {"GET", "/files/{path...}", nop, NULL},                  /* 7 */
    {"GET", "/files/special/{name}", nop, NULL},             /* 8 */
    {"PUT", "/a/{x}/c", nop, NULL},                          /* 9 */
    {"PUT", "/a/b/{y}", nop, NULL},                          /* 10 */
    {"PATCH", "/m", nop, NULL},                              /* 11 */
    {"DELETE", "/m", nop, NULL},                             /* 12 */
    {"GET", "/m", nop, NULL},                                /* 13 */
    {"OPTIONS", "/m", nop, NULL},                            /* 14 */
    {"GET", "/x:y/@home/~a!$&'()*+,;=", nop, NULL},          /* 15 */
    {"POST", "/hooks/{token}/{rest...}", nop, NULL},         /* 16 */
};
#define NTABLE (sizeof(table) / sizeof(table[0]))

static struct http_router *router_of_table(void)
{
    struct http_router *r = NULL;
    struct err err;
    int rc = http_router_new(&r, table, NTABLE, &err);
    if (rc != 0)
        fail_msg("compile: %s", err.msg);
    return r;
}

static void compile_errors(void **state)
{
    (void)state;
    static const struct {
        const char *method, *pattern, *msg;
    } cases[] = {
        {"GET", "", "must start with '/'"},
        {"GET", "api", "must start with '/'"},
        {"GET", "/a/", "empty segment"},
        {"GET", "/a//b", "empty segment"},
        {"GET", "//", "empty segment"},
        {"GET", "/{id", "whole segment"},
        {"GET", "/{id}x", "whole segment"},
        {"GET", "/x{id}", "outside RFC 3986 pchar"},
        {"GET", "/a%20b", "outside RFC 3986 pchar"},
        {"GET", "/a b", "outside RFC 3986 pchar"},
        {"GET", "/{}", "1 to 32"},
        {"GET", "/{...}", "1 to 32"},
        {"GET", "/{abcdefghijabcdefghijabcdefghijabc}", "1 to 32"},
        {"GET", "/{1a}", "[A-Za-z_]"},
        {"GET", "/{a-b}", "[A-Za-z_]"},
        {"GET", "/{a...}/b", "must be the last segment"},
        {"GET", "/{a}/{a}", "used twice"},
        {"GET", "/{a}/{a...}", "used twice"},
        {"GET", "/.", "never match"},
        {"GET", "/a/..", "never match"},
        {"GET", "/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}/{i}", "HTTP_PARAMS_MAX"},
        {"get", "/a", "method must be one of"},
        {"TRACE", "/a", "method must be one of"},
        {NULL, "/a", "method must be one of"},
        {"GET", NULL, "pattern and handler are required"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct http_route rt = {cases[i].method, cases[i].pattern, nop, NULL};
        struct http_router *r = NULL;
        struct err err;
        int rc = http_router_new(&r, &rt, 1, &err);
        if (rc != ERR_INVALID || !strstr(err.msg, cases[i].msg) || !strstr(err.msg, "route 0"))
            fail_msg("pattern \"%s\": rc %d, message \"%s\"",
                     cases[i].pattern ? cases[i].pattern : "(null)", rc, err.msg);
        assert_null(r);
    }

    /* No handler. */
    struct http_route nohandler = {"GET", "/a", NULL, NULL};
    struct http_router *r = NULL;
    struct err err;
    assert_int_equal(http_router_new(&r, &nohandler, 1, &err), ERR_INVALID);

    /* The message names the pattern. */
    struct http_route bad = {"GET", "/v1/{a...}/z", nop, NULL};
    assert_int_equal(http_router_new(&r, &bad, 1, &err), ERR_INVALID);
    assert_non_null(strstr(err.msg, "\"/v1/{a...}/z\""));
}

static void duplicates(void **state)
{
    (void)state;
    struct http_router *r = NULL;
    struct err err;
    const struct http_route same[] = {
        {"GET", "/a/{x}", nop, NULL},
        {"GET", "/a/{x}", nop, NULL},
    };
    assert_int_equal(http_router_new(&r, same, 2, &err), ERR_INVALID);
    assert_non_null(strstr(err.msg, "route 1: GET \"/a/{x}\" duplicates route 0"));

    /* Same shape, other parameter names: as ambiguous as the same text. */
    const struct http_route shape[] = {
        {"GET", "/a/{x}/{rest...}", nop, NULL},
        {"POST", "/a/{y}/{more...}", nop, NULL},
        {"GET", "/a/{y}/{more...}", nop, NULL},
    };
    assert_int_equal(http_router_new(&r, shape, 3, &err), ERR_INVALID);
    assert_non_null(strstr(err.msg, "route 2"));
    assert_non_null(strstr(err.msg, "duplicates route 0"));

    /* The same pattern under several methods is one pattern. */
    const struct http_route ok[] = {
        {"GET", "/a/{x}", nop, NULL},
        {"POST", "/a/{x}", nop, NULL},
        {"PUT", "/a/{y}", nop, NULL},
    };
    assert_int_equal(http_router_new(&r, ok, 3, &err), 0);
    assert_int_equal(http_router_npatterns(r), 2);
    assert_string_equal(http_router_pattern(r, 0), "/a/{x}");
    assert_string_equal(http_router_pattern(r, 1), "/a/{y}");
    http_router_free(r);

    /* An empty table matches nothing. */
    assert_int_equal(http_router_new(&r, NULL, 0, &err), 0);
    struct http_router_match *m = xmalloc(sizeof(*m));
    assert_int_equal(http_router_match(m, r, "GET", "/", 1), HTTP_ROUTER_NOT_FOUND);
    xfree(m);
    http_router_free(r);
    http_router_free(NULL);
}

struct match_case {
    const char *method, *path;
    enum http_router_result res;
    int route;          /* FOUND */
    const char *params; /* FOUND: "name=value|name=value" */
    const char *extra;  /* FOUND: the decoded path; NOT_ALLOWED: the Allow list */
};

static const struct match_case match_cases[] = {
    {"GET", "/", HTTP_ROUTER_FOUND, 0, "", "/"},
    {"GET", "/api/integrations", HTTP_ROUTER_FOUND, 1, "", "/api/integrations"},
    {"POST", "/api/integrations", HTTP_ROUTER_FOUND, 2, "", NULL},
    {"PATCH", "/api/integrations", HTTP_ROUTER_NOT_ALLOWED, 0, NULL, "GET, POST"},
    {"HEAD", "/api/integrations", HTTP_ROUTER_NOT_ALLOWED, 0, NULL, "GET, POST"},
    {"get", "/api/integrations", HTTP_ROUTER_NOT_ALLOWED, 0, NULL, "GET, POST"},
    {"BREW", "/api/integrations", HTTP_ROUTER_NOT_ALLOWED, 0, NULL, "GET, POST"},
    {"GET", "/api/integrations/int_1", HTTP_ROUTER_FOUND, 3, "id=int_1", NULL},
    /* A literal beats a parameter... */
    {"GET", "/api/integrations/new", HTTP_ROUTER_FOUND, 5, "", NULL},
    /* ...but only among patterns that take the method. */
    {"DELETE", "/api/integrations/new", HTTP_ROUTER_FOUND, 4, "id=new", NULL},
    {"PUT", "/api/integrations/new", HTTP_ROUTER_NOT_ALLOWED, 0, NULL, "GET, DELETE"},
    {"PUT", "/api/integrations/x", HTTP_ROUTER_NOT_ALLOWED, 0, NULL, "GET, DELETE"},
    /* Decoding happens per segment, before comparing. */
    {"GET", "/api/integrations/a%20b", HTTP_ROUTER_FOUND, 3, "id=a b", "/api/integrations/a b"},
    {"GET", "/api/integrations/%6e%65%77", HTTP_ROUTER_FOUND, 5, "", "/api/integrations/new"},
    {"GET", "/api/%69ntegrations", HTTP_ROUTER_FOUND, 1, "", "/api/integrations"},
    {"GET", "/api/integrations/caf%C3%A9", HTTP_ROUTER_FOUND, 3, "id=caf\xc3\xa9",
     "/api/integrations/caf\xc3\xa9"},
    {"GET", "/api/integrations/%2e%2e.", HTTP_ROUTER_FOUND, 3, "id=...", "/api/integrations/..."},
    {"GET", "/api/integrations/x/runs/r1", HTTP_ROUTER_FOUND, 6, "id=x|run=r1", NULL},
    {"GET", "/api/integrations/x/runs", HTTP_ROUTER_NOT_FOUND, 0, NULL, NULL},
    {"GET", "/api/integrations/x/runs/", HTTP_ROUTER_NOT_FOUND, 0, NULL, NULL},
    {"GET", "/api/integrations/", HTTP_ROUTER_NOT_FOUND, 0, NULL, NULL},
    {"GET", "/api", HTTP_ROUTER_NOT_FOUND, 0, NULL, NULL},
    {"GET", "/nope", HTTP_ROUTER_NOT_FOUND, 0, NULL, NULL},
    /* Rest parameters: one or more non-empty segments, '/' kept. */
    {"GET", "/files/a", HTTP_ROUTER_FOUND, 7, "path=a", NULL},
    {"GET", "/files/a/b/c.txt", HTTP_ROUTER_FOUND, 7, "path=a/b/c.txt", NULL},
    {"GET", "/files/a%20b/c%3Fd", HTTP_ROUTER_FOUND, 7, "path=a b/c?d", "/files/a b/c?d"},
    {"GET", "/files/special/x", HTTP_ROUTER_FOUND, 8, "name=x", NULL},
    {"GET", "/files/special/x/y", HTTP_ROUTER_FOUND, 7, "path=special/x/y", NULL},
    {"GET", "/files/special", HTTP_ROUTER_FOUND, 7, "path=special", NULL},
    {"GET", "/files", HTTP_ROUTER_NOT_FOUND, 0, NULL, NULL},
    {"GET", "/files/", HTTP_ROUTER_NOT_FOUND, 0, NULL, NULL},
    {"GET", "/files/a/", HTTP_ROUTER_NOT_FOUND, 0, NULL, NULL},
    {"POST", "/hooks/t0k/a/b", HTTP_ROUTER_FOUND, 16, "token=t0k|rest=a/b", NULL},
    {"POST", "/hooks/t0k", HTTP_ROUTER_NOT_FOUND, 0, NULL, NULL},
    /* The first position that differs decides. */
    {"PUT", "/a/b/c", HTTP_ROUTER_FOUND, 10, "y=c", NULL},
    {"PUT", "/a/z/c", HTTP_ROUTER_FOUND, 9, "x=z", NULL},
    {"PUT", "/a/b/z", HTTP_ROUTER_FOUND, 10, "y=z", NULL},
    {"PUT", "/a/z/z", HTTP_ROUTER_NOT_FOUND, 0, NULL, NULL},
    /* Allow lists every declared method, in a fixed order. */
    {"POST", "/m", HTTP_ROUTER_NOT_ALLOWED, 0, NULL, "GET, PATCH, DELETE, OPTIONS"},
    {"OPTIONS", "/m", HTTP_ROUTER_FOUND, 14, "", NULL},
    {"GET", "/x:y/@home/~a!$&'()*+,;=", HTTP_ROUTER_FOUND, 15, "", NULL},
    /* Refused with 400. */
    {"GET", "", HTTP_ROUTER_BAD_PATH, 0, NULL, "does not start with '/'"},
    {"GET", "api/integrations", HTTP_ROUTER_BAD_PATH, 0, NULL, "does not start with '/'"},
    {"GET", "*", HTTP_ROUTER_BAD_PATH, 0, NULL, "does not start with '/'"},
    {"GET", "http://h/api", HTTP_ROUTER_BAD_PATH, 0, NULL, "does not start with '/'"},
    {"GET", "//", HTTP_ROUTER_BAD_PATH, 0, NULL, "empty segment at byte 1"},
    {"GET", "/api//integrations", HTTP_ROUTER_BAD_PATH, 0, NULL, "empty segment at byte 5"},
    {"GET", "/api/./integrations", HTTP_ROUTER_BAD_PATH, 0, NULL, "dot segment at byte 5"},
    {"GET", "/api/integrations/..", HTTP_ROUTER_BAD_PATH, 0, NULL, "dot segment"},
    {"GET", "/files/a/../../etc", HTTP_ROUTER_BAD_PATH, 0, NULL, "dot segment"},
    {"GET", "/files/%2e%2E/etc", HTTP_ROUTER_BAD_PATH, 0, NULL, "dot segment at byte 7"},
    {"GET", "/files/%2E", HTTP_ROUTER_BAD_PATH, 0, NULL, "dot segment"},
    {"GET", "/.", HTTP_ROUTER_BAD_PATH, 0, NULL, "dot segment"},
    /* %2F never makes a segment, and is refused rather than handed on. */
    {"GET", "/api/integrations/a%2Fruns%2Fb", HTTP_ROUTER_BAD_PATH, 0, NULL, "encoded '/'"},
    {"GET", "/files/a%2fb", HTTP_ROUTER_BAD_PATH, 0, NULL, "encoded '/' in a segment at byte 7"},
    {"GET", "/files/..%2F..%2Fetc", HTTP_ROUTER_BAD_PATH, 0, NULL, "encoded '/'"},
    {"GET", "/files/a%00b", HTTP_ROUTER_BAD_PATH, 0, NULL, "malformed percent-escape or %00"},
    {"GET", "/files/a%", HTTP_ROUTER_BAD_PATH, 0, NULL, "malformed"},
    {"GET", "/files/a%4", HTTP_ROUTER_BAD_PATH, 0, NULL, "malformed"},
    {"GET", "/files/a%zz", HTTP_ROUTER_BAD_PATH, 0, NULL, "malformed"},
    {"GET", "/files/a%g0", HTTP_ROUTER_BAD_PATH, 0, NULL, "malformed"},
};

/* Check the "name=value|name=value" list against m. */
static void check_params(const struct http_router_match *m, const char *want, const char *path)
{
    char copy[256];
    size_t n = 0;
    snprintf(copy, sizeof(copy), "%s", want);
    for (char *item = copy, *next; *item; item = next) {
        next = item + strcspn(item, "|");
        if (*next)
            *next++ = '\0';
        char *eq = strchr(item, '=');
        assert_non_null(eq);
        *eq = '\0';
        if (n >= m->nparams)
            fail_msg("%s: missing parameter %s", path, item);
        assert_string_equal(m->params[n].name, item);
        assert_string_equal(m->params[n].value, eq + 1);
        n++;
    }
    assert_int_equal(m->nparams, n);
}

static void matching(void **state)
{
    (void)state;
    struct http_router *r = router_of_table();
    struct http_router_match *m = xmalloc(sizeof(*m));
    for (size_t i = 0; i < sizeof(match_cases) / sizeof(match_cases[0]); i++) {
        const struct match_case *c = &match_cases[i];
        enum http_router_result res = http_router_match(m, r, c->method, c->path, strlen(c->path));
        if (res != c->res)
            fail_msg("%s %s: result %d, want %d (%s)", c->method, c->path, res, c->res, m->error);
        switch (res) {
        case HTTP_ROUTER_FOUND:
            if ((int)m->route != c->route)
                fail_msg("%s %s: route %zu, want %d", c->method, c->path, m->route, c->route);
            assert_string_equal(http_router_pattern(r, m->pattern), table[c->route].pattern);
            check_params(m, c->params, c->path);
            assert_string_equal(m->path, c->extra ? c->extra : c->path);
            break;
        case HTTP_ROUTER_NOT_ALLOWED:
            assert_string_equal(m->allow, c->extra);
            assert_true(m->pattern < http_router_npatterns(r));
            break;
        case HTTP_ROUTER_BAD_PATH:
            if (!strstr(m->error, c->extra))
                fail_msg("%s: message \"%s\", want \"%s\"", c->path, m->error, c->extra);
            assert_non_null(strstr(m->error, "path: "));
            break;
        case HTTP_ROUTER_NOT_FOUND:
            break;
        }
    }
    xfree(m);
    http_router_free(r);
}

/* The 405's pattern is the most specific that matched (the metrics label). */
static void not_allowed_pattern(void **state)
{
    (void)state;
    struct http_router *r = router_of_table();
    struct http_router_match *m = xmalloc(sizeof(*m));
    assert_int_equal(http_router_match(m, r, "PUT", "/api/integrations/new", 21),
                     HTTP_ROUTER_NOT_ALLOWED);
    assert_string_equal(http_router_pattern(r, m->pattern), "/api/integrations/new");
    assert_int_equal(http_router_match(m, r, "PUT", "/api/integrations/zz", 20),
                     HTTP_ROUTER_NOT_ALLOWED);
    assert_string_equal(http_router_pattern(r, m->pattern), "/api/integrations/{id}");
    xfree(m);
    http_router_free(r);
}

static void limits(void **state)
{
    (void)state;
    struct http_router *r = router_of_table();
    struct http_router_match *m = xmalloc(sizeof(*m));
    char *path = xmalloc(HTTP_PATH_MAX + 2);

    /* Exactly HTTP_PATH_MAX bytes is fine, one more is not. */
    memcpy(path, "/files/", 7);
    memset(path + 7, 'a', HTTP_PATH_MAX - 7);
    assert_int_equal(http_router_match(m, r, "GET", path, HTTP_PATH_MAX), HTTP_ROUTER_FOUND);
    assert_int_equal(strlen(m->params[0].value), HTTP_PATH_MAX - 7);
    path[HTTP_PATH_MAX] = 'a';
    assert_int_equal(http_router_match(m, r, "GET", path, HTTP_PATH_MAX + 1), HTTP_ROUTER_BAD_PATH);
    assert_non_null(strstr(m->error, "longer than 2048 bytes"));

    /* The most segments a path can have. */
    for (size_t i = 0; i < HTTP_PATH_MAX; i += 2)
        memcpy(path + i, "/a", 2);
    assert_int_equal(http_router_match(m, r, "GET", path, HTTP_PATH_MAX), HTTP_ROUTER_NOT_FOUND);
    memcpy(path, "/files", 6);
    assert_int_equal(http_router_match(m, r, "GET", path, HTTP_PATH_MAX), HTTP_ROUTER_FOUND);
    assert_int_equal(strlen(m->params[0].value), HTTP_PATH_MAX - 7);
    path[HTTP_PATH_MAX] = '/';
    assert_int_equal(http_router_match(m, r, "GET", path, HTTP_PATH_MAX + 1), HTTP_ROUTER_BAD_PATH);

    /* A NUL byte inside the given length. */
    assert_int_equal(http_router_match(m, r, "GET", "/files/a\0b", 10), HTTP_ROUTER_BAD_PATH);
    assert_non_null(strstr(m->error, "NUL byte at byte 8"));
    /* The length rules, not the NUL: a prefix of a longer string. */
    assert_int_equal(http_router_match(m, r, "GET", "/files/abc", 8), HTTP_ROUTER_FOUND);
    assert_string_equal(m->params[0].value, "a");

    xfree(path);
    xfree(m);
    http_router_free(r);
}

static void pct_decode(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        const char *out; /* NULL: refused */
    } cases[] = {
        {"", ""},
        {"abc", "abc"},
        {"a%41", "aA"},
        {"%2f%2F", "//"},
        {"%e2%82%ac", "\xe2\x82\xac"},
        {"+", "+"},
        {"%25", "%"},
        {"%", NULL},
        {"%4", NULL},
        {"a%4g", NULL},
        {"%00", NULL},
        {"%x0", NULL},
        {"%%41", NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char buf[32];
        size_t n = strlen(cases[i].in);
        memcpy(buf, cases[i].in, n);
        /* In place, as the server and the router use it. */
        long got = http_router_pct_decode(buf, buf, n);
        if (!cases[i].out) {
            assert_int_equal(got, -1);
            continue;
        }
        assert_int_equal(got, (long)strlen(cases[i].out));
        assert_memory_equal(buf, cases[i].out, (size_t)got);
    }
}

static void methods(void **state)
{
    (void)state;
    static const char *const names[] = {"GET",   "HEAD",   "POST",    "PUT",
                                        "PATCH", "DELETE", "OPTIONS", "other"};
    for (unsigned i = 0; i <= HTTP_METHOD_OTHER; i++) {
        assert_string_equal(http_router_method_name(i), names[i]);
        if (i < HTTP_METHODS)
            assert_int_equal(http_router_method_index(names[i]), i);
    }
    assert_int_equal(http_router_method_index("other"), HTTP_METHOD_OTHER);
    assert_int_equal(http_router_method_index("get"), HTTP_METHOD_OTHER);
    assert_int_equal(http_router_method_index(""), HTTP_METHOD_OTHER);
    assert_int_equal(http_router_method_index(NULL), HTTP_METHOD_OTHER);
}

int test_router(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(compile_errors), cmocka_unit_test(duplicates),
        cmocka_unit_test(matching),       cmocka_unit_test(not_allowed_pattern),
        cmocka_unit_test(limits),         cmocka_unit_test(pct_decode),
        cmocka_unit_test(methods),
    };
    return test_group("router", tests, NULL, NULL);
}
