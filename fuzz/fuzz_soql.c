/* fuzz/fuzz_soql.c - arbitrary bytes into the sandbox's SOQL parser. Besides
 * memory errors it checks properties: a refusal is ERR_INVALID with a
 * non-empty one-line message and no query; an accepted query has an object,
 * at least one non-empty field, its caps respected, and evaluates against a
 * few fixed records (nulls, nesting, every value type) without crashing,
 * with soql_compare antisymmetric on every pair. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json_object.h>

#include "core/jsonx.h"
#include "sandbox/soql.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const records[] = {
    ("{\"Id\":\"001\",\"Name\":\"Acme\",\"N\":42,\"D\":2.5,\"B\":true,\"Z\":null,"
     "\"Close\":\"2024-03-05\",\"SystemModstamp\":\"2024-01-01T00:00:00.000+0000\","
     "\"Account\":{\"Name\":\"Parent\"},\"A\":[1,2]}"),
    ("{\"Id\":\"002\",\"name\":\"\xc3\xa9t\xc3\xa9%_\",\"N\":-1,\"D\":1e300,\"B\":false,"
     "\"SystemModstamp\":\"2023-12-31T19:00:00-05:00\",\"Account\":null}"),
    "{}",
    "[\"not an object\"]",
};
#define NRECORDS (sizeof(records) / sizeof(records[0]))

static void check_query(const struct soql *q)
{
    static struct json_object *recs[NRECORDS];
    static int loaded;
    if (!loaded) {
        for (size_t i = 0; i < NRECORDS; i++) {
            struct err err;
            if (jsonx_parse(&recs[i], records[i], strlen(records[i]), 1 << 16, &err) != 0)
                abort();
        }
        loaded = 1;
    }
    if (!soql_object(q) || !soql_object(q)[0] || soql_nfields(q) < 1 ||
        soql_nfields(q) > SOQL_MAX_FIELDS || soql_nwhere(q) > SOQL_MAX_CONDS ||
        soql_norder(q) > SOQL_MAX_ORDER || soql_limit(q) < -1 || soql_limit(q) > SOQL_MAX_LIMIT ||
        soql_offset(q) < -1 || soql_offset(q) > SOQL_MAX_OFFSET)
        abort();
    for (size_t i = 0; i < soql_nfields(q); i++)
        if (!soql_field(q, i)[0])
            abort();
    for (size_t i = 0; i < soql_nwhere(q); i++)
        if (!soql_where_field(q, i)[0])
            abort();
    for (size_t i = 0; i < soql_norder(q); i++)
        if (!soql_order_field(q, i)[0])
            abort();
    for (size_t i = 0; i < NRECORDS; i++) {
        if (soql_match(q, recs[i]) != soql_match(q, recs[i]))
            abort();
        for (size_t j = 0; j < NRECORDS; j++) {
            int a = soql_compare(q, recs[i], recs[j]), b = soql_compare(q, recs[j], recs[i]);
            if ((a > 0) != (b < 0) || (a == 0) != (b == 0) || (i == j && a != 0))
                abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct soql *q = NULL;
    struct err err;
    if (soql_parse(&q, (const char *)data, size, &err) != 0) {
        if (q || err.code != ERR_INVALID || !err.msg[0] || strchr(err.msg, '\n'))
            abort();
        return 0;
    }
    check_query(q);
    soql_free(q);
    return 0;
}
