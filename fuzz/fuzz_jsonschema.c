/* fuzz/fuzz_jsonschema.c - a schema and an instance, separated by the first
 * NUL byte (JSON text never holds one), through jsonschema_new and
 * jsonschema_validate. Without a NUL the input is both: a schema validating
 * itself. Beyond "no crash, no leak, no hang" it aborts when a contract
 * breaks: a refused schema without a one-line "schema..." message; a result
 * that disagrees with the probe-only walk, with its own validity, or with a
 * second run; a failure whose pointer does not lead into the instance (a
 * missing required member's parent must exist instead); or a result whose
 * JSON does not parse. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/jsonschema.h"
#include "core/jsonx.h"

#define FUZZ_MAX (1 << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The failure's pointer names a value in the instance; for "is required"
 * the member is missing, so its parent must exist. A pointer cut short
 * ("...") cannot be resolved and is skipped. */
static void check_pointer(const struct json_object *inst, const struct jsonschema_error *e)
{
    struct json_object *v;
    struct err err;
    char ptr[sizeof(e->pointer)];
    size_t n = strlen(e->pointer);
    if (n >= 3 && strcmp(e->pointer + n - 3, "...") == 0)
        return;
    if (n && e->pointer[0] != '/')
        abort();
    memcpy(ptr, e->pointer, n + 1);
    if (strcmp(e->message, "is required") == 0) {
        char *slash = strrchr(ptr, '/');
        if (!slash)
            abort();
        *slash = '\0';
    }
    if (jsonx_ptr_get(&v, inst, ptr, &err) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    const char *nul = memchr(text, '\0', size);
    size_t schema_len = nul ? (size_t)(nul - text) : size;
    struct json_object *schema_doc = NULL, *inst = NULL;
    struct jsonschema *s = NULL;
    struct err err = {0};

    if (jsonx_parse(&schema_doc, text, schema_len, FUZZ_MAX, &err) != 0)
        return 0;
    if (jsonschema_new(&s, schema_doc, &err) != 0) {
        if (err.code != ERR_INVALID || s || strncmp(err.msg, "schema", 6) != 0 ||
            strchr(err.msg, '\n'))
            abort();
        json_object_put(schema_doc);
        return 0;
    }
    if (!nul || jsonx_parse(&inst, nul + 1, size - schema_len - 1, FUZZ_MAX, &err) != 0)
        inst = json_object_get(schema_doc);

    struct jsonschema_result *r1 = calloc(1, sizeof(*r1)), *r2 = calloc(1, sizeof(*r2));
    if (!r1 || !r2)
        abort();
    bool ok = jsonschema_validate(s, inst, r1);
    if (jsonschema_validate(s, inst, NULL) != ok || ok != (r1->count == 0) ||
        r1->count > JSONSCHEMA_ERRORS_MAX || (r1->truncated && r1->count != JSONSCHEMA_ERRORS_MAX))
        abort();
    if (jsonschema_validate(s, inst, r2) != ok || r2->count != r1->count ||
        memcmp(r1->errors, r2->errors, r1->count * sizeof(r1->errors[0])) != 0)
        abort();
    for (size_t i = 0; i < r1->count; i++) {
        const struct jsonschema_error *e = &r1->errors[i];
        if (!memchr(e->pointer, '\0', sizeof(e->pointer)) || !e->message[0] ||
            strchr(e->message, '\n'))
            abort();
        check_pointer(inst, e);
    }
    struct buf b;
    struct json_object *details = NULL;
    buf_init(&b, 0);
    jsonschema_result_format(r1, &b);
    if (jsonx_parse(&details, buf_cstr(&b), b.n, FUZZ_MAX, &err) != 0 ||
        jsonx_len(details) != r1->count)
        abort();
    json_object_put(details);
    buf_dispose(&b);
    free(r1);
    free(r2);
    jsonschema_free(s);
    json_object_put(inst);
    json_object_put(schema_doc);
    return 0;
}
