/* tests/api/test_api_openapi.c - docs/openapi.yaml against the route table:
 * every route of api_routes is documented and every documented operation
 * is a route, each operation lists its answers, public routes are the ones
 * the document exempts from security, and every path parameter is
 * declared. The document is read with plain line matching, which is all
 * its fixed layout needs: a path is "  /...:" under "paths:", an operation
 * "    get:" under it. That the server serves this very file is checked in
 * test_api_basics. No database. */
#include <stdio.h>
#include <string.h>

#include "api/api_int.h"
#include "api_test.h"
#include "core/alloc.h"
#include "core/buf.h"

#define DOC_PATH "docs/openapi.yaml"
#define OPS_MAX  128

/* One documented operation. */
struct op {
    char method[8]; /* upper case */
    char path[256];
    int line;         /* of the method's line, 1-based */
    size_t block;     /* offset in the document of its path's line */
    size_t block_end; /* offset just past its path's last line */
    int statuses;     /* status keys under its responses: */
    bool public_op;   /* it has "security: []" */
    bool has_401, has_429;
};

struct doc {
    char *text; /* the whole document; from test_read_file */
    size_t len;
    struct op ops[OPS_MAX];
    size_t n;
};

/* Whether the line [p, p+n) is exactly indent spaces and then s. */
static bool line_is(const char *p, size_t n, int indent, const char *s)
{
    size_t k = strlen(s);
    if (n != (size_t)indent + k)
        return false;
    for (int i = 0; i < indent; i++)
        if (p[i] != ' ')
            return false;
    return memcmp(p + indent, s, k) == 0;
}

/* Spaces before the first other character of the line. */
static int indent_of(const char *p, size_t n)
{
    int i = 0;
    while ((size_t)i < n && p[i] == ' ')
        i++;
    return i;
}

/* /^  (\/[^:]*):$/ : the path into out. */
static bool path_line(const char *p, size_t n, char *out, size_t outn)
{
    if (n < 4 || p[0] != ' ' || p[1] != ' ' || p[2] != '/' || p[n - 1] != ':')
        return false;
    if (memchr(p + 2, ':', n - 3))
        return false;
    if (n - 3 >= outn)
        fail_msg("%s: path too long: %.*s", DOC_PATH, (int)n, p);
    memcpy(out, p + 2, n - 3);
    out[n - 3] = '\0';
    return true;
}

/* /^    (get|post|put|patch|delete):$/ : the method, upper case, into out. */
static bool method_line(const char *p, size_t n, char out[8])
{
    static const char *const methods[] = {"get", "post", "put", "patch", "delete", NULL};
    for (size_t i = 0; methods[i]; i++) {
        char want[16];
        snprintf(want, sizeof(want), "%s:", methods[i]);
        if (line_is(p, n, 4, want)) {
            size_t k = 0;
            for (; methods[i][k]; k++)
                out[k] = (char)(methods[i][k] - 'a' + 'A');
            out[k] = '\0';
            return true;
        }
    }
    return false;
}

/* A response key at 8 spaces: "200":, '404':, 201: or default:. Returns the
 * status (0 for default), or -1. */
static int status_line(const char *p, size_t n)
{
    if (indent_of(p, n) != 8)
        return -1;
    p += 8;
    n -= 8;
    if (n >= 8 && memcmp(p, "default:", 8) == 0)
        return 0;
    size_t q = (n > 0 && (p[0] == '"' || p[0] == '\'')) ? 1 : 0;
    if (n < q + 3 + q + 1)
        return -1;
    for (size_t i = q; i < q + 3; i++)
        if (p[i] < '0' || p[i] > '9')
            return -1;
    if ((q && p[q + 3] != p[0]) || p[q + 3 + q] != ':')
        return -1;
    return (p[q] - '0') * 100 + (p[q + 1] - '0') * 10 + (p[q + 2] - '0');
}

static void doc_parse(struct doc *d)
{
    bool in_paths = false, in_responses = false;
    char path[256] = "";
    size_t block = 0;
    struct op *cur = NULL;
    int lineno = 0;

    for (size_t at = 0; at < d->len;) {
        const char *p = d->text + at;
        const char *nl = memchr(p, '\n', d->len - at);
        size_t n = nl ? (size_t)(nl - p) : d->len - at;
        size_t next = at + n + (nl ? 1 : 0);
        lineno++;
        if (n > 0 && p[n - 1] == '\r')
            n--;
        int ind = indent_of(p, n);
        bool blank = (size_t)ind == n || p[ind] == '#';

        if (!in_paths) {
            in_paths = line_is(p, n, 0, "paths:");
        } else if (!blank && ind == 0) {
            break; /* the next top-level key */
        } else if (!blank && path_line(p, n, path, sizeof(path))) {
            block = at;
            cur = NULL;
        } else if (!blank && ind == 4) {
            char m[8];
            cur = NULL;
            in_responses = false;
            if (method_line(p, n, m) && *path) {
                if (d->n == OPS_MAX)
                    fail_msg("%s: over %d operations", DOC_PATH, OPS_MAX);
                cur = &d->ops[d->n++];
                memset(cur, 0, sizeof(*cur));
                snprintf(cur->method, sizeof(cur->method), "%s", m);
                snprintf(cur->path, sizeof(cur->path), "%s", path);
                cur->line = lineno;
                cur->block = block;
            }
        } else if (!blank && cur && ind == 6) {
            in_responses = line_is(p, n, 6, "responses:");
            if (line_is(p, n, 6, "security: []"))
                cur->public_op = true;
        } else if (!blank && cur && in_responses && ind == 8) {
            int st = status_line(p, n);
            if (st >= 0) {
                cur->statuses++;
                cur->has_401 |= st == 401;
                cur->has_429 |= st == 429;
            }
        }
        /* Every operation of the current path ends where this line ends,
         * until a later line says otherwise. */
        for (size_t i = d->n; i > 0 && d->ops[i - 1].block == block && *path; i--)
            d->ops[i - 1].block_end = next;
        at = next;
    }
}

static int doc_load(void **state)
{
    struct doc *d = xcalloc(1, sizeof(*d));
    d->text = test_read_file(DOC_PATH, &d->len);
    if (!d->text) {
        fprintf(stderr, "api_openapi: cannot read %s (run from the repository root)\n", DOC_PATH);
        xfree(d);
        return -1;
    }
    doc_parse(d);
    *state = d;
    return 0;
}

static int doc_free(void **state)
{
    struct doc *d = *state;
    if (d)
        xfree(d->text);
    xfree(d);
    return 0;
}

static const struct op *doc_find(const struct doc *d, const char *method, const char *path)
{
    for (size_t i = 0; i < d->n; i++)
        if (strcmp(d->ops[i].method, method) == 0 && strcmp(d->ops[i].path, path) == 0)
            return &d->ops[i];
    return NULL;
}

static const struct api_route *route_find(const char *method, const char *path)
{
    for (size_t i = 0; i < api_nroutes; i++)
        if (strcmp(api_routes[i].method, method) == 0 && strcmp(api_routes[i].pattern, path) == 0)
            return &api_routes[i];
    return NULL;
}

/* Fail with every line of m, if it has any. */
static void fail_if_any(struct buf *m, const char *what)
{
    static char text[16384]; /* the buffer is freed before cmocka jumps away */

    snprintf(text, sizeof(text), "%s", buf_cstr(m));
    buf_dispose(m);
    if (*text)
        fail_msg("%s:\n%s", what, text);
}

/* Routes and documented operations are the same set, each listed once. */
static void test_routes_match_document(void **state)
{
    struct doc *d = *state;
    struct buf m;

    buf_init(&m, 0);
    if (d->n == 0)
        buf_printf(&m, "  %s documents no operation under \"paths:\"\n", DOC_PATH);
    for (size_t i = 0; i < api_nroutes; i++) {
        const struct api_route *r = &api_routes[i];
        if (!doc_find(d, r->method, r->pattern))
            buf_printf(&m, "  route %s %s is not in %s\n", r->method, r->pattern, DOC_PATH);
        for (size_t j = 0; j < i; j++)
            if (strcmp(api_routes[j].method, r->method) == 0 &&
                strcmp(api_routes[j].pattern, r->pattern) == 0)
                buf_printf(&m, "  route %s %s is in api_routes twice\n", r->method, r->pattern);
    }
    for (size_t i = 0; i < d->n; i++) {
        const struct op *o = &d->ops[i];
        if (!route_find(o->method, o->path))
            buf_printf(&m, "  %s:%d: %s %s is documented but is not a route\n", DOC_PATH, o->line,
                       o->method, o->path);
        const struct op *first = doc_find(d, o->method, o->path);
        if (first != o)
            buf_printf(&m, "  %s:%d: %s %s is documented twice (first at line %d)\n", DOC_PATH,
                       o->line, o->method, o->path, first->line);
    }
    fail_if_any(&m, "routes.c and docs/openapi.yaml disagree");
}

/* Every documented operation lists at least one response status. */
static void test_operations_list_responses(void **state)
{
    struct doc *d = *state;
    struct buf m;

    buf_init(&m, 0);
    for (size_t i = 0; i < d->n; i++)
        if (d->ops[i].statuses == 0)
            buf_printf(&m, "  %s:%d: %s %s lists no response status\n", DOC_PATH, d->ops[i].line,
                       d->ops[i].method, d->ops[i].path);
    fail_if_any(&m, "operations without responses");
}

/* A route without API_AUTH is documented with "security: []" (the
 * document's default is a key or a session) and one with it is not and
 * lists its 401; a route limited by address lists its 429. */
static void test_security_matches_flags(void **state)
{
    struct doc *d = *state;
    struct buf m;

    buf_init(&m, 0);
    for (size_t i = 0; i < api_nroutes; i++) {
        const struct api_route *r = &api_routes[i];
        const struct op *o = doc_find(d, r->method, r->pattern);
        bool auth = r->flags & API_AUTH;
        if (!o)
            continue; /* test_routes_match_document says so */
        if (auth && o->public_op)
            buf_printf(&m, "  %s:%d: %s %s needs credentials but says \"security: []\"\n", DOC_PATH,
                       o->line, r->method, r->pattern);
        if (!auth && !o->public_op)
            buf_printf(&m, "  %s:%d: %s %s is public but lacks \"security: []\"\n", DOC_PATH,
                       o->line, r->method, r->pattern);
        if (auth && !o->has_401)
            buf_printf(&m, "  %s:%d: %s %s needs credentials but lists no 401\n", DOC_PATH, o->line,
                       r->method, r->pattern);
        if ((r->flags & API_LIMITED) && !o->has_429)
            buf_printf(&m, "  %s:%d: %s %s is rate limited but lists no 429\n", DOC_PATH, o->line,
                       r->method, r->pattern);
    }
    fail_if_any(&m, "security in docs/openapi.yaml disagrees with the route flags");
}

/* Whether the text [p, end) declares path parameter name, as
 * "- {name: x, in: path, ...}" or as "- name: x" with "in: path" on a
 * following line of the same item (indented as "name" is). */
static bool declares_param(const char *p, const char *end, const char *name)
{
    char want[96];
    int k = snprintf(want, sizeof(want), "name: %s", name);

    for (const char *s = p; s + k <= end; s++) {
        if (memcmp(s, want, (size_t)k) != 0)
            continue;
        char c = s + k < end ? s[k] : '\n';
        const char *eol = memchr(s, '\n', (size_t)(end - s));
        const char *stop = eol ? eol : end;
        if (c == ',' || c == '}' || c == ' ') {
            for (const char *q = s; q + 8 <= stop; q++)
                if (memcmp(q, "in: path", 8) == 0)
                    return true;
            continue;
        }
        if (c != '\n' && c != '\r')
            continue;
        const char *bol = s;
        while (bol > p && bol[-1] != '\n')
            bol--;
        size_t col = (size_t)(s - bol);
        for (const char *l = stop < end ? stop + 1 : end; l < end;) {
            const char *le = memchr(l, '\n', (size_t)(end - l));
            const char *lstop = le ? le : end;
            size_t ind = (size_t)indent_of(l, (size_t)(lstop - l));
            if (ind != col)
                break;
            if ((size_t)(lstop - l) >= col + 8 && memcmp(l + col, "in: path", 8) == 0)
                return true;
            l = le ? le + 1 : end;
        }
    }
    return false;
}

/* Every {parameter} of a documented path is declared "in: path" within
 * the path's entry, at path level or under the operation. */
static void test_path_parameters_declared(void **state)
{
    struct doc *d = *state;
    struct buf m;

    buf_init(&m, 0);
    for (size_t i = 0; i < d->n; i++) {
        const struct op *o = &d->ops[i];
        if (i > 0 && strcmp(d->ops[i - 1].path, o->path) == 0)
            continue; /* one report per path */
        for (const char *s = strchr(o->path, '{'); s; s = strchr(s + 1, '{')) {
            const char *e = strchr(s, '}');
            char name[64];
            if (!e || (size_t)(e - s) >= sizeof(name)) {
                buf_printf(&m, "  %s: malformed parameter in %s\n", DOC_PATH, o->path);
                break;
            }
            snprintf(name, sizeof(name), "%.*s", (int)(e - s - 1), s + 1);
            if (!declares_param(d->text + o->block, d->text + o->block_end, name))
                buf_printf(&m, "  %s:%d: %s does not declare path parameter \"%s\"\n", DOC_PATH,
                           o->line, o->path, name);
        }
    }
    fail_if_any(&m, "undeclared path parameters");
}

/* The line matching itself, on a small document that has each shape. */
static void test_parser(void **state)
{
    static const char text[] = "openapi: 3.0.3\n"
                               "info:\n"
                               "  title: x\n"
                               "  /not-a-path:\n"
                               "paths:\n"
                               "  # a comment\n"
                               "  /a:\n"
                               "    get:\n"
                               "      security: []\n"
                               "      responses:\n"
                               "        \"200\": {description: ok}\n"
                               "        '401': {description: no}\n"
                               "    parameters:\n"
                               "      - name: id\n"
                               "        in: path\n"
                               "  /a/{id}:\n"
                               "    parameters:\n"
                               "      - {name: id, in: path, required: true}\n"
                               "    post:\n"
                               "      responses:\n"
                               "        429:\n"
                               "          description: slow down\n"
                               "        default: {description: other}\n"
                               "    delete:\n"
                               "      responses: {}\n"
                               "  /b/{x}:\n"
                               "    put:\n"
                               "      parameters:\n"
                               "        - name: xy\n"
                               "          in: path\n"
                               "      responses: {}\n"
                               "    head:\n"
                               "components:\n"
                               "  /c:\n"
                               "    get:\n";
    struct doc d = {.text = xstrdup(text), .len = sizeof(text) - 1};
    (void)state;

    doc_parse(&d);
    assert_int_equal(d.n, 4);
    assert_string_equal(d.ops[0].method, "GET");
    assert_string_equal(d.ops[0].path, "/a");
    assert_int_equal(d.ops[0].line, 8);
    assert_int_equal(d.ops[0].statuses, 2);
    assert_true(d.ops[0].public_op && d.ops[0].has_401 && !d.ops[0].has_429);
    assert_string_equal(d.ops[1].method, "POST");
    assert_string_equal(d.ops[1].path, "/a/{id}");
    assert_int_equal(d.ops[1].statuses, 2);
    assert_true(!d.ops[1].public_op && d.ops[1].has_429 && !d.ops[1].has_401);
    assert_string_equal(d.ops[2].method, "DELETE");
    assert_int_equal(d.ops[2].statuses, 0);
    assert_string_equal(d.ops[3].method, "PUT");
    assert_string_equal(d.ops[3].path, "/b/{x}");
    assert_true(declares_param(d.text + d.ops[1].block, d.text + d.ops[1].block_end, "id"));
    assert_true(declares_param(d.text + d.ops[0].block, d.text + d.ops[0].block_end, "id"));
    assert_false(declares_param(d.text + d.ops[3].block, d.text + d.ops[3].block_end, "x"));
    assert_true(declares_param(d.text + d.ops[3].block, d.text + d.ops[3].block_end, "xy"));
    xfree(d.text);
}

int test_api_openapi(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parser),
        cmocka_unit_test(test_routes_match_document),
        cmocka_unit_test(test_operations_list_responses),
        cmocka_unit_test(test_security_matches_flags),
        cmocka_unit_test(test_path_parameters_declared),
    };
    return test_group("api_openapi", tests, doc_load, doc_free);
}
