/* fuzz/fuzz_mapping.c - arbitrary bytes through map/: the first line is a
 * mapping (map_parse), each later line either a field_mappings row
 * ("row<TAB>TARGET<TAB>SOURCE<TAB>TRANSFORMS", "-" for a NULL column;
 * map_set_row) or a record (map_apply). The first record also serves as a
 * schema for map_check. Beyond "no crash, no leak" it aborts when a refusal
 * is not ERR_INVALID with a one-line message, when a refused row changes
 * what the mapping makes of a record, and when a mapped row breaks its
 * contract: external_id set, properties an object, canonical JSON that
 * parses, and each value in its type's shape (lower-case e-mail, three
 * capitals of a currency, a deal status, a percentage, a YYYY-MM-DD date). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/jsonx.h"
#include "map/mapping.h"

#define LINE_MAX_BYTES 65536

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void refusal_ok(int rc, const struct err *e)
{
    if (rc != ERR_INVALID || e->code != ERR_INVALID || !e->msg[0] || strchr(e->msg, '\n'))
        abort();
}

/* The canonical decimal: an optional '-', digits without a leading zero,
 * and '.' with digits after it when there is a fraction. */
static bool is_decimal(const char *s)
{
    size_t i = s[0] == '-', n;
    n = strspn(s + i, "0123456789");
    if (n == 0 || (n > 1 && s[i] == '0'))
        return false;
    i += n;
    if (s[i] == '.') {
        n = strspn(s + i + 1, "0123456789");
        if (n == 0)
            return false;
        i += n + 1;
    }
    return s[i] == '\0' && strcmp(s, "-0") != 0;
}

static void value_ok(const struct model_field *f, const struct model_value *v)
{
    if (!v->set) {
        if (v->s)
            abort();
        return;
    }
    switch (f->type) {
    case MODEL_INTEGER:
    case MODEL_TIMESTAMP:
        return;
    case MODEL_BOOLEAN:
        if (v->i != 0 && v->i != 1)
            abort();
        return;
    default:
        break;
    }
    if (!v->s)
        abort();
    if (f->type == MODEL_EMAIL &&
        (!strchr(v->s, '@') || strpbrk(v->s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ ")))
        abort();
    if (f->type == MODEL_DECIMAL && !is_decimal(v->s))
        abort();
    if (f->type == MODEL_DATE && (strlen(v->s) != 10 || v->s[4] != '-' || v->s[7] != '-'))
        abort();
    if (f->rule == MODEL_RULE_CURRENCY &&
        (strlen(v->s) != 3 || strspn(v->s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 3))
        abort();
    if (f->rule == MODEL_RULE_DEAL_STATUS && strcmp(v->s, "open") && strcmp(v->s, "won") &&
        strcmp(v->s, "lost"))
        abort();
    if (f->rule == MODEL_RULE_PERCENT && (v->s[0] == '-' || strtod(v->s, NULL) > 100.0))
        abort();
}

/* Map rec; *text (OUT, xmalloc, NULL on refusal) is the canonical row. */
static void apply(const struct map *m, const struct json_object *rec, char **text)
{
    struct map_row r;
    struct err e = {0};
    struct buf b;
    int rc = map_apply(m, rec, &r, &e);

    *text = NULL;
    if (rc != 0) {
        refusal_ok(rc, &e);
        if (r.properties || r.external_id)
            abort(); /* a failed apply leaves nothing to dispose of */
        return;
    }
    if (!r.external_id || r.external_id != r.values[MODEL_EXTERNAL_ID].s ||
        !json_object_is_type(r.properties, json_type_object) || r.model != map_model(m))
        abort();
    for (size_t i = 0; i < r.model->n_fields; i++)
        value_ok(&r.model->fields[i], &r.values[i]);
    buf_init(&b, 0);
    map_row_format(&b, &r);
    /* JSON that inlet reads back, but for a decimal written as an integer
     * past 64 bits, which jsonx refuses rather than round. */
    struct json_object *back = NULL;
    if (jsonx_parse(&back, b.p, b.n, b.n + 1, &e) == 0
            ? !json_object_is_type(back, json_type_object)
            : !strstr(e.msg, "out of 64-bit range"))
        abort();
    json_object_put(back);
    *text = buf_take(&b);
    map_row_dispose(&r);
}

/* The next line of [*p, end), NUL-terminated in a copy (xfree). */
static char *next_line(const char **p, const char *end)
{
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));
    size_t n = nl ? (size_t)(nl - *p) : (size_t)(end - *p);
    char *s = xstrndup(*p, n);
    *p += n + (nl != NULL);
    return s;
}

static const char *col(char *s)
{
    return strcmp(s, "-") == 0 ? NULL : s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data, *end = p + size;
    struct json_object *spec = NULL, *schema = NULL, *last = NULL;
    struct map *m = NULL;
    struct jsonx_ptr at;
    struct err e = {0};
    char *line = next_line(&p, end);
    int rc;

    if (jsonx_parse(&spec, line, strlen(line), LINE_MAX_BYTES, &e) != 0)
        goto done;
    jsonx_ptr_init(&at);
    rc = map_parse(&m, spec, &at, &e);
    if (rc != 0) {
        refusal_ok(rc, &e);
        if (m)
            abort();
        goto done;
    }
    if ((rc = map_check(m, NULL, &e)) != 0)
        abort(); /* map_parse requires external_id */
    while (p < end) {
        xfree(line);
        line = next_line(&p, end);
        if (strncmp(line, "row\t", 4) == 0) {
            char *t[4] = {line + 4, NULL, NULL, NULL};
            for (int i = 1; i < 4; i++) {
                t[i] = t[i - 1] ? strchr(t[i - 1], '\t') : NULL;
                if (t[i])
                    *t[i]++ = '\0';
            }
            if (!t[3])
                continue;
            char *before = NULL, *after = NULL;
            if (last)
                apply(m, last, &before);
            rc = map_set_row(m, t[0], col(t[1]), col(t[2]), &e);
            if (rc != 0) {
                refusal_ok(rc, &e);
                if (last) {
                    apply(m, last, &after);
                    if ((before == NULL) != (after == NULL) ||
                        (before && strcmp(before, after) != 0))
                        abort();
                }
            }
            xfree(before);
            xfree(after);
            continue;
        }
        struct json_object *rec = NULL;
        if (jsonx_parse(&rec, line, strlen(line), LINE_MAX_BYTES, &e) != 0)
            continue;
        if (!schema) {
            schema = json_object_get(rec);
            rc = map_check(m, schema, &e);
            if (rc != 0)
                refusal_ok(rc, &e);
        }
        char *text = NULL;
        apply(m, rec, &text);
        xfree(text);
        json_object_put(last);
        last = rec;
    }
done:
    xfree(line);
    map_free(m);
    json_object_put(spec);
    json_object_put(schema);
    json_object_put(last);
    return 0;
}
