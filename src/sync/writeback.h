/* sync/writeback.h - a record an action changed at the provider, stored at
 * once as the next sync would store it: shaped by the connector's stream
 * (connectors/engine.h), upserted into the integration's raw table for
 * the stream and mapped into the normalized tables (sync/normalize.h), in
 * one transaction, so that the host product sees it without waiting for
 * the sync. Only for a stream the integration's catalog selects (others
 * have no table to keep in step); no run is recorded and no bookmark
 * moves: the next sync reads the record again and finds it unchanged.
 * docs/actions.md, "Write-back". */
#ifndef INLET_SYNC_WRITEBACK_H
#define INLET_SYNC_WRITEBACK_H
#include <stdbool.h>

#include <json-c/json_object.h>

#include "connectors/registry.h"
#include "core/err.h"
#include "oauth/flow.h"
#include "store/integration.h"

/* Store records (an array of the provider's records of stream, changed in
 * place) for integration it of connector c. *stored (OUT) says whether
 * the stream is synced, so that they were. Errors: the database's, the
 * loader's (a record its schema refuses: ERR_INVALID), the catalog's. */
MUST_CHECK int writeback(bool *stored, const struct oauth_env *env, const struct integration *it,
                         const struct connector *c, const char *stream, struct json_object *records,
                         struct err *err);

#endif
