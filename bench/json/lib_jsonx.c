/* bench/json/lib_jsonx.c - inlet's own parse path, core/jsonx, on the same
 * workload: one reused parser (as the loader uses it), json-c underneath plus
 * jsonx's strictness and exactness pass. Built as one unit with the core
 * sources it needs, which takes -Isrc on the compile line; without it the row
 * reports itself as not built rather than breaking `make bench`. */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE
#include <stdio.h>

#include "bench_json.h"

#if __has_include("core/jsonx.h")
#include "core/alloc.c"
#include "core/buf.c"
#include "core/encode.c"
#include "core/err.c"
#include "core/jsonx.c"
#include "core/secret.c"
#include "core/str.c"

int bench_jsonx_available(void)
{
    return 1;
}

int bench_jsonx_parse(const char *line, size_t len, uint64_t *sink)
{
    static struct jsonx_parser p;
    if (!p.tok)
        jsonx_parser_init(&p, 1 << 20);
    struct json_object *doc;
    if (jsonx_parser_parse(&doc, &p, line, len, NULL) != 0)
        return -1;
    const char *id = jsonx_str(jsonx_get(doc, "Id"));
    double amount = json_object_get_double(jsonx_get(doc, "Amount__c"));
    *sink += (id ? (uint64_t)id[5] : 0) + (uint64_t)amount;
    json_object_put(doc);
    return 0;
}

void bench_jsonx_roundtrip(const char *in, char *out, size_t cap)
{
    struct json_object *doc;
    struct buf b;
    out[0] = '\0';
    if (jsonx_parse(&doc, in, strlen(in), 1 << 20, NULL) != 0)
        return;
    buf_init(&b, 0);
    jsonx_format(&b, doc);
    snprintf(out, cap, "%s", buf_cstr(&b));
    buf_dispose(&b);
    json_object_put(doc);
}

#else
int bench_jsonx_available(void)
{
    return 0;
}

int bench_jsonx_parse(const char *line, size_t len, uint64_t *sink)
{
    (void)line, (void)len, (void)sink;
    return -1;
}

void bench_jsonx_roundtrip(const char *in, char *out, size_t cap)
{
    (void)in, (void)cap;
    out[0] = '\0';
}
#endif
