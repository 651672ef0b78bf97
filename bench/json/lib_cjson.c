/* bench/json/lib_cjson.c - the cJSON side of bench_json. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench_json.h"

int bench_cjson_parse(const char *line, size_t len, uint64_t *sink)
{
    cJSON *doc = cJSON_ParseWithLength(line, len);
    if (!doc)
        return -1;
    const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc, "Id"));
    double amount = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(doc, "Amount__c"));
    *sink += (id ? (uint64_t)id[5] : 0) + (uint64_t)amount;
    cJSON_Delete(doc);
    return 0;
}

void bench_cjson_roundtrip(const char *in, char *out, size_t cap)
{
    cJSON *doc = cJSON_Parse(in);
    out[0] = '\0';
    if (!doc)
        return;
    char *s = cJSON_PrintUnformatted(doc);
    snprintf(out, cap, "%s", s ? s : "");
    free(s);
    cJSON_Delete(doc);
}
