/* bench/json/lib_jansson.c - the jansson side of bench_json. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "bench_json.h"

int bench_jansson_parse(const char *line, size_t len, uint64_t *sink)
{
    json_t *doc = json_loadb(line, len, 0, NULL);
    if (!doc)
        return -1;
    const char *id = json_string_value(json_object_get(doc, "Id"));
    double amount = json_number_value(json_object_get(doc, "Amount__c"));
    *sink += (id ? (uint64_t)id[5] : 0) + (uint64_t)amount;
    json_decref(doc);
    return 0;
}

void bench_jansson_roundtrip(const char *in, char *out, size_t cap)
{
    json_t *doc = json_loads(in, JSON_DECODE_ANY, NULL);
    out[0] = '\0';
    if (!doc)
        return;
    char *s = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
    snprintf(out, cap, "%s", s ? s : "");
    free(s);
    json_decref(doc);
}
