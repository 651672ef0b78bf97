/* bench/json/lib_jsonc.c - the json-c side of bench_json. One tokener is
 * reused across records, as a stream parser would. */
#include <json-c/json.h>
#include <stdio.h>

#include "bench_json.h"

int bench_jsonc_parse(const char *line, size_t len, uint64_t *sink)
{
    static struct json_tokener *tok;
    if (!tok)
        tok = json_tokener_new();
    json_tokener_reset(tok);
    struct json_object *doc = json_tokener_parse_ex(tok, line, (int)len);
    if (!doc)
        return -1;
    struct json_object *v;
    const char *id = json_object_object_get_ex(doc, "Id", &v) ? json_object_get_string(v) : NULL;
    double amount = json_object_object_get_ex(doc, "Amount__c", &v) ? json_object_get_double(v) : 0;
    *sink += (id ? (uint64_t)id[5] : 0) + (uint64_t)amount;
    json_object_put(doc);
    return 0;
}

void bench_jsonc_roundtrip(const char *in, char *out, size_t cap)
{
    struct json_object *doc = json_tokener_parse(in);
    out[0] = '\0';
    if (!doc)
        return;
    snprintf(out, cap, "%s", json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN));
    json_object_put(doc);
}
