/* fuzz/fuzz_connector.c - arbitrary bytes as a connector file through
 * registry_check_text (parse, schema, the registry's own checks). Beyond
 * "no crash, no leak" it aborts when a refusal is not ERR_INVALID or
 * ERR_TOOBIG with a one-line message, or when an accepted file holds a
 * member named client_secret anywhere (connector files carry no secrets). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/linkhash.h>

#include "connectors/registry.h"
#include "core/jsonx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool has_client_secret(const struct json_object *v)
{
    if (json_object_is_type(v, json_type_array)) {
        for (size_t i = 0; i < jsonx_len(v); i++)
            if (has_client_secret(jsonx_at(v, i)))
                return true;
    } else if (json_object_is_type(v, json_type_object)) {
        for (struct lh_entry *e = lh_table_head(json_object_get_object(v)); e; e = lh_entry_next(e))
            if (strcasecmp((const char *)lh_entry_k(e), "client_secret") == 0 ||
                has_client_secret((const struct json_object *)lh_entry_v(e)))
                return true;
    }
    return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct err err = {0};
    int rc = registry_check_text((const char *)data, size, &err);
    if (rc != 0) {
        if ((rc != ERR_INVALID && rc != ERR_TOOBIG) || err.code != rc || !err.msg[0] ||
            strchr(err.msg, '\n'))
            abort();
        return 0;
    }
    struct json_object *doc = NULL;
    if (jsonx_parse(&doc, (const char *)data, size, CONNECTOR_FILE_MAX, &err) != 0 ||
        has_client_secret(doc))
        abort();
    json_object_put(doc);
    return 0;
}
