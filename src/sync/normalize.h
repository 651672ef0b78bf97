/* sync/normalize.h - the normalized half of a sync: an integration's
 * effective mappings (its connector's default "mappings", overridden by
 * the integration's field_mappings rows), and each raw record mapped
 * through every mapping of its stream and upserted into the normalized
 * tables (store/records.h), in the batch's transaction, the rows waiting
 * for others linked before its commit (normalize_flush). A record that
 * cannot be mapped is counted and its error kept; it fails neither the
 * raw record nor the run. Used by sync/session.c. docs/mappings.md,
 * "During a sync". */
#ifndef INLET_SYNC_NORMALIZE_H
#define INLET_SYNC_NORMALIZE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json_object.h>

#include "connectors/registry.h"
#include "core/err.h"
#include "db/db.h"

#define NORMALIZE_ERRORS_KEPT 20 /* mapping failures whose message is kept */

struct normalize_counts {
    int64_t created, updated, unchanged, deleted;
    int64_t failed; /* records (per mapping) that could not be mapped */
};

struct normalize;

/* The effective mappings of integration_id (of tenant_id) into *out
 * (OUT, normalize_free): c's "mappings" (c may be NULL: none) and extra
 * (an array of mapping specs in the same form, NULL: none; pushed records
 * bring theirs), then the integration's field_mappings rows, read from db in a read transaction
 * of their own (no transaction may be open). A row that does not apply
 * (map_set_row refuses it) or leaves a mapping without external_id is
 * skipped, and its message kept (normalize_errors). Errors: the
 * database's; ERR_INVALID for a connector file's mapping that no longer
 * parses. */
MUST_CHECK int normalize_new(struct normalize **out, struct db *db, const char *tenant_id,
                             const char *integration_id, const struct connector *c,
                             const struct json_object *extra, struct err *err);

void normalize_free(struct normalize *n); /* NULL is a no-op */

/* Whether any mapping is in force: when none, normalize_record does
 * nothing. */
bool normalize_active(const struct normalize *n);

/* Map record (a raw record of stream, borrowed, not kept) through every
 * mapping of stream and upsert the rows, inside the caller's open tenant
 * transaction on db; now is Unix seconds. Outcomes are added to *counts
 * (may be NULL) and to n's own counts. A record a mapping refuses is
 * counted as failed, its message kept; errors returned are the
 * database's (the batch must be rolled back). */
MUST_CHECK int normalize_record(struct normalize *n, struct db *db, const char *stream,
                                const struct json_object *record, int64_t now,
                                struct normalize_counts *counts, struct err *err);

/* Link the rows that wait for others (store/records.h, records_link),
 * when the records since the last flush created rows or wrote accounts;
 * inside the batch's transaction, just before its commit. Errors: the
 * database's. n may be NULL. */
MUST_CHECK int normalize_flush(struct normalize *n, struct db *db, int64_t now, struct err *err);

/* The counts so far. */
void normalize_counts(const struct normalize *n, struct normalize_counts *out);

/* The message of the last record a mapping refused ("email: ..."), ""
 * when none has been; borrowed, valid until the next normalize_record. */
const char *normalize_last_error(const struct normalize *n);

/* The kept messages, one per line ("Contact 003...: email: ..."), "" when
 * none; borrowed. */
const char *normalize_errors(const struct normalize *n);

#endif
