/* sync/trigger.c - see trigger.h. Two dedupe keys take turns for the
 * webhook's jobs, "webhook:ID" and "webhook+:ID", so that one can wait
 * while the other runs: an event that comes while a sync reads may have
 * been missed by it, and the waiting job reads it after. */
#include "sync/trigger.h"

#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/id.h"
#include "core/jsonx.h"
#include "store/jobs.h"
#include "sync/runner.h"

#define KEY_MAX (ID_MAX + 16)

/* Whether the payload's streams are exactly streams[0..n), in any order. */
static bool same_streams(struct json_object *have, const char *const *streams, size_t n)
{
    if (jsonx_len(have) != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        bool found = false;
        for (size_t j = 0; !found && j < jsonx_len(have); j++)
            found = strcmp(streams[i], jsonx_str(jsonx_at(have, j))) == 0;
        if (!found)
            return false;
    }
    return true;
}

/* A queued sync job of the integration into id (OUT) and *payload (OUT,
 * json_object_put); ERR_NOTFOUND when none is queued. */
static int queued(char id[ID_MAX], struct json_object **payload, struct db *db,
                  const char *tenant_id, const char *integration_id, struct err *err)
{
    char k1[KEY_MAX], k2[KEY_MAX], k3[KEY_MAX];
    struct db_rows *r = NULL;
    snprintf(k1, sizeof(k1), "sync:%s", integration_id);
    snprintf(k2, sizeof(k2), "webhook:%s", integration_id);
    snprintf(k3, sizeof(k3), "webhook+:%s", integration_id);
    int rc = db_query_row(&r, db,
                          "SELECT id, payload FROM jobs WHERE tenant_id = $1 AND status = 'queued'"
                          " AND dedupe_key IN ($2, $3, $4) ORDER BY run_at LIMIT 1",
                          DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(k1), DB_TEXT(k2), DB_TEXT(k3)), err);
    if (rc < 0)
        return rc;
    snprintf(id, ID_MAX, "%s", db_rows_text(r, 0));
    const char *text = db_rows_text(r, 1);
    rc = jsonx_parse(payload, text, strlen(text), strlen(text) + 1, err);
    db_rows_free(r);
    return rc;
}

int trigger_sync(enum trigger_outcome *out, struct db *db, const char *tenant_id,
                 const char *integration_id, const char *const *streams, size_t n, int64_t run_at,
                 int64_t now, struct err *err)
{
    char id[ID_MAX], key[KEY_MAX];
    struct json_object *payload = NULL;
    struct buf b;

    int rc = queued(id, &payload, db, tenant_id, integration_id, err);
    if (rc == 0) {
        struct json_object *have = jsonx_get(payload, "streams");
        *out = TRIGGER_JOINED;
        /* [] is every selected stream already. */
        if (jsonx_len(have) > 0 && (n == 0 || !same_streams(have, streams, n))) {
            buf_init(&b, 0);
            runner_sync_payload(&b, integration_id, jsonx_str(jsonx_get(payload, "run_id")),
                                jsonx_str(jsonx_get(payload, "triggered_by")),
                                json_object_get_boolean(jsonx_get(payload, "full")), NULL, 0);
            rc = db_exec(
                db,
                "UPDATE jobs SET payload = $3, updated_at = $4 WHERE tenant_id = $1"
                " AND id = $2 AND status = 'queued'",
                DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(id), DB_TEXT(buf_cstr(&b)), DB_INT(now)), NULL,
                err);
            buf_dispose(&b);
        }
        json_object_put(payload);
        return rc;
    }
    if (rc != ERR_NOTFOUND)
        return rc;
    buf_init(&b, 0);
    runner_sync_payload(&b, integration_id, NULL, "webhook", false, streams, n);
    rc = ERR_CONFLICT;
    for (int turn = 0; rc == ERR_CONFLICT && turn < 2; turn++) {
        snprintf(key, sizeof(key), "%s:%s", turn ? "webhook+" : "webhook", integration_id);
        rc = jobs_enqueue(id, db, tenant_id, "sync", buf_cstr(&b), key, run_at, TRIGGER_ATTEMPTS,
                          now, err);
    }
    if (rc == 0)
        rc = jobs_set_connector(db, id, tenant_id, integration_id, err);
    if (rc == 0)
        *out = TRIGGER_QUEUED;
    buf_dispose(&b);
    return rc;
}
