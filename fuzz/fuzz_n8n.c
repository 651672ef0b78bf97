/* fuzz/fuzz_n8n.c - arbitrary bytes into n8n_parse, the body of a push to
 * POST /api/webhooks/n8n. Besides memory errors it checks properties: a
 * refusal is ERR_INVALID or ERR_TOOBIG with a non-empty one-line message
 * and leaves the push zeroed; an accepted body has a valid integration id,
 * a known model, an array of at most N8N_RECORDS_MAX records, and each
 * text member that is there is non-empty and NUL-free; and parsing the
 * same bytes twice gives the same answer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/id.h"
#include "core/jsonx.h"
#include "map/model.h"
#include "webhook/n8n.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int zeroed(const struct n8n_push *p)
{
    static const struct n8n_push zero;
    return memcmp(p, &zero, sizeof(zero)) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct n8n_push p, again;
    struct err err, err2;

    int rc = n8n_parse(&p, (const char *)data, size, &err);
    int rc2 = n8n_parse(&again, (const char *)data, size, &err2);
    if (rc != rc2)
        abort();
    if (rc != 0) {
        if ((rc != ERR_INVALID && rc != ERR_TOOBIG) || err.code != rc || !err.msg[0] ||
            strchr(err.msg, '\n') || strcmp(err.msg, err2.msg) != 0 || !zeroed(&p))
            abort();
        return 0;
    }
    if (!p.doc || !id_valid(p.integration_id, "int") || !model_find(p.data_type) ||
        !json_object_is_type(p.records, json_type_array) ||
        jsonx_len(p.records) > N8N_RECORDS_MAX ||
        (p.sync_log_id && !id_valid(p.sync_log_id, "run")) ||
        (p.source_type && (!p.source_type[0] || strlen(p.source_type) > N8N_SOURCE_TYPE_MAX)) ||
        (p.api_key && !p.api_key[0]) || jsonx_len(p.records) != jsonx_len(again.records) ||
        strcmp(p.integration_id, again.integration_id) != 0)
        abort();
    n8n_push_dispose(&p);
    n8n_push_dispose(&again);
    return 0;
}
