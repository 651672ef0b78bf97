/* fuzz/fuzz_columns.c - arbitrary bytes as a stream's schema (with, when it
 * is an object holding "key_properties", those as the keys) mapped to
 * columns. Properties: a refusal is one line; an accepted set has valid,
 * unique names of at most COL_NAME_MAX bytes, one per property; mapping is
 * deterministic; merging a set with itself changes nothing; table names
 * made from the same bytes are valid too. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonx.h"
#include "sync/columns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct json_object *doc = NULL;
    struct err e, e2;
    struct col_set a, b;
    struct col_change *ch = NULL;
    size_t nch = 0;

    if (jsonx_parse(&doc, (const char *)data, size, 1 << 16, &e) < 0)
        return 0;
    struct json_object *keys = jsonx_get(doc, "key_properties");
    int rc = col_set_from_schema(&a, doc, keys, &e);
    int rc2 = col_set_from_schema(&b, doc, keys, &e2);
    if (rc != rc2)
        abort();
    if (rc < 0) {
        if (strchr(e.msg, '\n') || strcmp(e.msg, e2.msg) != 0)
            abort();
    } else {
        if (a.n != b.n)
            abort();
        for (size_t i = 0; i < a.n; i++) {
            if (!col_name_valid(a.v[i].name) || strcmp(a.v[i].name, b.v[i].name) != 0 ||
                a.v[i].type != b.v[i].type)
                abort();
            for (size_t j = 0; j < i; j++)
                if (strcmp(a.v[i].name, a.v[j].name) == 0)
                    abort();
        }
        if (col_set_merge(&a, &b, &ch, &nch, &e) < 0 || nch != 0)
            abort();
        free(ch);
    }
    col_set_dispose(&a);
    col_set_dispose(&b);
    /* The same bytes as a stream name. */
    char *s = malloc(size + 1);
    if (!s)
        abort();
    memcpy(s, data, size);
    s[size] = '\0';
    char table[COL_NAME_MAX + 1];
    col_table_name(table, sizeof(table), "raw_", s);
    if (!col_name_valid(table))
        abort();
    free(s);
    json_object_put(doc);
    return 0;
}
