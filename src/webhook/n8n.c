/* webhook/n8n.c - see n8n.h. Every member is checked for its type and
 * size, unknown members refused, so that a typo in a workflow ("data-type")
 * is an answer naming it rather than records silently going nowhere. */
#include "webhook/n8n.h"

#include <stdbool.h>
#include <string.h>

#include <json-c/linkhash.h>

#include "core/id.h"
#include "core/jsonx.h"
#include "map/model.h"

static const char *const members[] = {"integration_id", "sync_log_id", "data_type",
                                      "records",        "source_type", "api_key"};
#define NMEMBERS (sizeof(members) / sizeof(members[0]))

/* Member name of doc as a string, or NULL when absent or null (optional)
 * into *out. */
static int opt_str(const char **out, struct json_object *doc, const char *name, size_t max,
                   struct err *err)
{
    struct json_object *v = jsonx_get(doc, name);
    char what[40] = "/";
    size_t len = 0;
    *out = NULL;
    if (!v)
        return 0;
    strncat(what, name, sizeof(what) - 2);
    int rc = jsonx_as_str(out, &len, v, what, err);
    if (rc == 0 && (len == 0 || len > max || strlen(*out) != len))
        rc =
            err_set(err, ERR_INVALID, "%s: expected 1 to %zu bytes of text without NUL", what, max);
    return rc;
}

static int id_member(const char **out, struct json_object *doc, const char *name,
                     const char *prefix, const char *what, bool required, struct err *err)
{
    int rc = opt_str(out, doc, name, ID_MAX - 1, err);
    if (rc == 0 && !*out && required)
        return err_set(err, ERR_INVALID, "/%s: is required", name);
    if (rc == 0 && *out && !id_valid(*out, prefix))
        rc = err_set(err, ERR_INVALID, "/%s: \"%s\" is not %s id (%s_...)", name, *out, what,
                     prefix);
    return rc;
}

static int check(struct n8n_push *p, struct err *err)
{
    struct json_object *doc = p->doc;
    if (!json_object_is_type(doc, json_type_object))
        return err_set(err, ERR_INVALID, "expected a JSON object, got %s", jsonx_type_name(doc));
    json_object_object_foreach(doc, key, val)
    {
        (void)val;
        size_t i = 0;
        while (i < NMEMBERS && strcmp(members[i], key) != 0)
            i++;
        if (i == NMEMBERS) {
            const char *near = model_suggest(key, members, NMEMBERS);
            return err_set(err, ERR_INVALID, "/%.64s: unknown member%s%s%s", key,
                           near ? "; did you mean " : "", near ? near : "", near ? "?" : "");
        }
    }
    int rc =
        id_member(&p->integration_id, doc, "integration_id", "int", "an integration", true, err);
    if (rc == 0)
        rc = id_member(&p->sync_log_id, doc, "sync_log_id", "run", "a run", false, err);
    if (rc == 0)
        rc = opt_str(&p->data_type, doc, "data_type", 32, err);
    if (rc == 0 && !p->data_type)
        return err_set(err, ERR_INVALID, "/data_type: is required");
    if (rc == 0 && !model_find(p->data_type))
        return err_set(err, ERR_INVALID,
                       "/data_type: expected contacts, accounts, tickets or deals, got \"%s\"",
                       p->data_type);
    if (rc == 0)
        rc = opt_str(&p->source_type, doc, "source_type", N8N_SOURCE_TYPE_MAX, err);
    if (rc == 0)
        rc = opt_str(&p->api_key, doc, "api_key", 1024, err);
    if (rc < 0)
        return rc;
    p->records = jsonx_get(doc, "records");
    if (!jsonx_has(doc, "records"))
        return err_set(err, ERR_INVALID, "/records: is required");
    if (!json_object_is_type(p->records, json_type_array))
        return err_set(err, ERR_INVALID, "/records: expected an array, got %s",
                       jsonx_type_name(p->records));
    if (jsonx_len(p->records) > N8N_RECORDS_MAX)
        return err_set(err, ERR_TOOBIG, "/records: %zu records, over the %d one delivery may carry",
                       jsonx_len(p->records), N8N_RECORDS_MAX);
    return 0;
}

int n8n_parse(struct n8n_push *out, const char *body, size_t n, struct err *err)
{
    memset(out, 0, sizeof(*out));
    int rc = jsonx_parse(&out->doc, body, n, n + 1, err);
    if (rc == 0)
        rc = check(out, err);
    if (rc < 0) {
        n8n_push_dispose(out);
        return rc;
    }
    return 0;
}

void n8n_push_dispose(struct n8n_push *p)
{
    json_object_put(p->doc);
    memset(p, 0, sizeof(*p));
}
