/* connectors/template.c - see template.h. */
#include "connectors/template.h"

#include <string.h>

#define NAME_MAX_BYTES 100

/* Walk tmpl: literal runs go to out (when out), each "{name}" to visit.
 * The one scanner behind expand, uses and check. */
static int walk(const char *tmpl, struct buf *out,
                int (*visit)(void *ctx, const char *name, size_t n, struct err *err), void *ctx,
                struct err *err)
{
    for (const char *p = tmpl; *p;) {
        if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
            if (out)
                buf_putc(out, p[0]);
            p += 2;
            continue;
        }
        if (*p != '{') {
            size_t run = strcspn(p, "{}");
            if (run == 0) /* a lone '}' is literal */
                run = 1;
            if (out)
                buf_put(out, p, run);
            p += run;
            continue;
        }
        const char *end = strchr(p + 1, '}');
        if (!end)
            return err_set(err, ERR_INVALID, "template \"%.60s\": \"{\" without \"}\"", tmpl);
        size_t n = (size_t)(end - p - 1);
        if (n == 0 || n > NAME_MAX_BYTES || memchr(p + 1, '{', n))
            return err_set(err, ERR_INVALID, "template \"%.60s\": bad variable \"%.*s\"", tmpl,
                           (int)(n < 60 ? n : 60), p + 1);
        int rc = visit(ctx, p + 1, n, err);
        if (rc < 0)
            return rc;
        p = end + 1;
    }
    return 0;
}

struct expand {
    const char *tmpl;
    struct buf *out;
    template_lookup_fn lookup;
    void *ctx;
};

static int expand_one(void *ctx, const char *name, size_t n, struct err *err)
{
    struct expand *x = ctx;
    if (x->lookup(x->ctx, name, n, x->out) == ERR_NOTFOUND)
        return err_set(err, ERR_INVALID, "template \"%.60s\": unknown variable {%.*s}", x->tmpl,
                       (int)n, name);
    return 0;
}

int template_expand(struct buf *out, const char *tmpl, template_lookup_fn lookup, void *ctx,
                    struct err *err)
{
    struct expand x = {tmpl, out, lookup, ctx};
    return walk(tmpl, out, expand_one, &x, err);
}

struct uses {
    const char *name;
    bool found;
};

static int uses_one(void *ctx, const char *name, size_t n, struct err *err)
{
    struct uses *u = ctx;
    (void)err;
    if (strlen(u->name) == n && memcmp(u->name, name, n) == 0)
        u->found = true;
    return 0;
}

bool template_uses(const char *tmpl, const char *name)
{
    struct uses u = {name, false};
    struct err e;
    return walk(tmpl, NULL, uses_one, &u, &e) == 0 && u.found;
}

struct check {
    const char *tmpl;
    bool (*is_known)(void *ctx, const char *name, size_t n);
    void *ctx;
};

static int check_one(void *ctx, const char *name, size_t n, struct err *err)
{
    struct check *c = ctx;
    if (c->is_known && !c->is_known(c->ctx, name, n))
        return err_set(err, ERR_INVALID, "template \"%.60s\": unknown variable {%.*s}", c->tmpl,
                       (int)n, name);
    return 0;
}

int template_check(const char *tmpl, bool (*is_known)(void *ctx, const char *name, size_t n),
                   void *ctx, struct err *err)
{
    struct check c = {tmpl, is_known, ctx};
    return walk(tmpl, NULL, check_one, &c, err);
}
