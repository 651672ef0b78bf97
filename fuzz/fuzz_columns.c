/* fuzz/fuzz_columns.c - arbitrary bytes as a stream's schema (its
 * "key_properties" member, when there is one, as the keys) mapped to
 * columns. Properties: mapping is deterministic (same result, same error);
 * a refusal is one line naming a JSON Pointer and leaves the set empty; an
 * accepted set has one column per property, in the schema's order, with
 * valid, unique names of at most COL_NAME_MAX bytes that are never ours
 * ("_inlet_") nor a PostgreSQL system column, and key flags matching the
 * keys; merging a set with itself changes nothing, and merging it into an
 * empty table names it alike. Every value in the document (members of the
 * root and of "record") fits the type a column of any type widens to for
 * it, and fitting is monotone along the lattice. The same bytes as a
 * stream name give a valid, stable table name. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/linkhash.h>

#include "core/alloc.h"
#include "core/jsonx.h"
#include "sync/columns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NTYPES 7

static bool reserved(const char *name)
{
    static const char *const sys[] = {"ctid", "xmin", "xmax", "cmin", "cmax", "tableoid"};
    if (strncmp(name, "_inlet_", 7) == 0)
        return true;
    for (size_t i = 0; i < sizeof(sys) / sizeof(sys[0]); i++)
        if (strcmp(name, sys[i]) == 0)
            return true;
    return false;
}

static bool listed(struct json_object *keys, const char *property)
{
    for (size_t i = 0; i < jsonx_len(keys); i++)
        if (jsonx_str(jsonx_at(keys, i)) && strcmp(jsonx_str(jsonx_at(keys, i)), property) == 0)
            return true;
    return false;
}

static void check_value(struct json_object *v)
{
    if (!v)
        return;
    enum col_type vt = col_value_type(v);
    for (int t = 0; t < NTYPES; t++) {
        if (!col_value_fits(col_widen((enum col_type)t, vt), v))
            abort();
        if (!col_value_fits((enum col_type)t, v))
            continue;
        for (int u = 0; u < NTYPES; u++)
            if (!col_value_fits(col_widen((enum col_type)t, (enum col_type)u), v))
                abort();
    }
}

static void check_set(const struct col_set *a, const struct col_set *b, struct json_object *doc,
                      struct json_object *keys)
{
    struct json_object *props = jsonx_get(doc, "properties");
    size_t i = 0;

    if (a->n != b->n || a->n != (props ? (size_t)json_object_object_length(props) : 0))
        abort();
    if (props) {
        json_object_object_foreach(props, name, prop)
        {
            (void)prop;
            if (strcmp(a->v[i].property, name) != 0 || a->v[i].key != listed(keys, name))
                abort();
            i++;
        }
    }
    for (i = 0; i < a->n; i++) {
        if (!col_name_valid(a->v[i].name) || reserved(a->v[i].name) ||
            strcmp(a->v[i].name, b->v[i].name) != 0 || a->v[i].type != b->v[i].type ||
            (unsigned)a->v[i].type >= NTYPES)
            abort();
        for (size_t j = 0; j < i; j++)
            if (strcmp(a->v[i].name, a->v[j].name) == 0)
                abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct json_object *doc = NULL;
    struct err e, e2;
    struct col_set a, b, empty = {0};
    struct col_change *ch = NULL;
    size_t nch = 0;

    if (jsonx_parse(&doc, (const char *)data, size, 1 << 16, &e) == 0) {
        struct json_object *keys = jsonx_get(doc, "key_properties");
        int rc = col_set_from_schema(&a, doc, keys, &e);
        int rc2 = col_set_from_schema(&b, doc, keys, &e2);
        if (rc != rc2)
            abort();
        if (rc < 0) {
            if (a.n || a.v || e.msg[0] != '/' || strchr(e.msg, '\n') || strcmp(e.msg, e2.msg) != 0)
                abort();
        } else {
            check_set(&a, &b, doc, keys);
            if (col_set_merge(&a, &b, &ch, &nch, &e) < 0 || nch != 0 || ch)
                abort();
            if (col_set_merge(&empty, &a, &ch, &nch, &e) < 0 || nch != a.n || empty.n != a.n)
                abort();
            for (size_t i = 0; i < a.n; i++)
                if (strcmp(empty.v[i].name, a.v[i].name) != 0 || ch[i].kind != COL_ADD ||
                    ch[i].index != i)
                    abort();
            xfree(ch);
        }
        col_set_dispose(&a);
        col_set_dispose(&b);
        col_set_dispose(&empty);
        if (json_object_is_type(doc, json_type_object)) {
            json_object_object_foreach(doc, k, v)
            {
                (void)k;
                check_value(v);
            }
            struct json_object *rec = jsonx_get(doc, "record");
            if (json_object_is_type(rec, json_type_object)) {
                json_object_object_foreach(rec, rk, rv)
                {
                    (void)rk;
                    check_value(rv);
                }
            }
        } else {
            check_value(doc);
        }
        json_object_put(doc);
    }

    /* The same bytes as a stream name (up to a NUL). */
    char *s = xmalloc(size + 1);
    char t1[COL_NAME_MAX + 1], t2[COL_NAME_MAX + 1];
    memcpy(s, data, size);
    s[size] = '\0';
    col_table_name(t1, sizeof(t1), "raw_", s);
    col_table_name(t2, sizeof(t2), "raw_", s);
    if (!col_name_valid(t1) || strcmp(t1, t2) != 0)
        abort();
    col_table_name(t1, sizeof(t1), NULL, s);
    if (!col_name_valid(t1) || strncmp(t1, "_inlet_", 7) == 0)
        abort();
    xfree(s);
    return 0;
}
