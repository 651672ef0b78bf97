/* fuzz/fuzz_action_error.c - arbitrary provider answers into
 * action_error_format (the body of a refused action). Besides memory
 * errors it checks properties: the output is always valid JSON, one object with
 * "code", "message" (at most 199 bytes, also in *message) and a "fields"
 * array of objects with a text "field"; the same bytes give the same
 * output. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "connectors/action.h"
#include "core/jsonx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct buf a, b;
    char ma[200], mb[200];
    struct json_object *doc = NULL;
    struct err e;

    buf_init(&a, 0);
    buf_init(&b, 0);
    action_error_format(&a, ma, (const char *)data, size);
    action_error_format(&b, mb, (const char *)data, size);
    if (strcmp(buf_cstr(&a), buf_cstr(&b)) != 0 || strcmp(ma, mb) != 0 || strlen(ma) > 199)
        abort();
    /* Whatever the bytes, the output is JSON (it goes into an API error). */
    if (jsonx_parse(&doc, a.p, a.n, a.n + 1, &e) != 0)
        abort();
    {
        struct json_object *fields = jsonx_get(doc, "fields");
        if (!json_object_is_type(doc, json_type_object) ||
            !json_object_is_type(fields, json_type_array) || !jsonx_has(doc, "code") ||
            !json_object_is_type(jsonx_get(doc, "message"), json_type_string))
            abort();
        for (size_t i = 0; i < jsonx_len(fields); i++)
            if (!json_object_is_type(jsonx_get(jsonx_at(fields, i), "field"), json_type_string))
                abort();
        json_object_put(doc);
    }
    buf_dispose(&a);
    buf_dispose(&b);
    return 0;
}
