/* store/records.h - the normalized tables (accounts, contacts, tickets,
 * deals) written from mapped records (map/mapping.h): one upsert per
 * record, keyed by its external id, with synced_records saying which row
 * a stream's record became and a content hash that makes an unchanged
 * record a no-op. References to other records resolve to internal ids,
 * or wait in properties._refs until the other record arrives; contacts
 * without an account link get one by email domain. Used by
 * sync/normalize.c inside the sync's batch transaction. docs/mappings.md,
 * "During a sync". */
#ifndef INLET_STORE_RECORDS_H
#define INLET_STORE_RECORDS_H
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "db/db.h"
#include "map/mapping.h"

enum records_outcome {
    RECORDS_CREATED,   /* a new row */
    RECORDS_UPDATED,   /* the row changed */
    RECORDS_UNCHANGED, /* the same content as last time: only last_synced_at moved */
    RECORDS_DELETED,   /* the row is soft-deleted (deleted_at set) */
};

/* Upsert row, a record of stream from integration_id (of connector, e.g.
 * "salesforce"), into its model's table, inside the caller's open
 * transaction (db_begin_tenant for tenant_id). now is Unix seconds.
 * *out (OUT) says what happened. A row whose content hash matches the
 * last one stored for (integration, stream, external id) touches only
 * synced_records.last_synced_at. Otherwise the row is inserted or
 * updated (updated_at = last_synced_at = now; deleted_at = now when
 * row->deleted, NULL when it came back) and synced_records is written.
 * Its references resolve to the rows there now; one whose record has not
 * arrived waits in properties "_refs" ({"account": "001..."}) for
 * records_link. A contact with no account reference gets the tenant's
 * oldest live account whose domain is its email's (free mail never).
 * Errors are the database's. */
MUST_CHECK int records_upsert(struct db *db, const char *tenant_id, const char *integration_id,
                              const char *connector, const char *stream, const struct map_row *row,
                              int64_t now, enum records_outcome *out, /* OUT */
                              struct err *err);

/* Link what waits, inside the caller's transaction; call it before the
 * commit of a batch of records_upsert calls. With refs: the rows of
 * integration_id whose references wait in "_refs" for a row that is there
 * now. With domains: the tenant's live contacts with no account link and
 * none waiting, to the oldest live account of their email's domain (any
 * integration; free mail never). Linked rows get updated_at = now.
 * Errors are the database's. */
MUST_CHECK int records_link(struct db *db, const char *tenant_id, const char *integration_id,
                            bool refs, bool domains, int64_t now, struct err *err);

/* Whether domain (lower case) is a free-mail provider's, such as
 * gmail.com, whose addresses say nothing about the company. */
bool records_free_mail(const char *domain);

#endif
