/* store/field_mapping.h - a tenant's overrides of an integration's field
 * mappings (table field_mappings): one row per stream, model and target
 * field, holding the source and the transforms as text that map_set_row
 * reads (docs/mappings.md, "Overrides"). The sync reads the rows itself
 * (sync/normalize.c); api/mappings.c manages them through this module,
 * having checked them with map/ first. Every function runs inside the
 * caller's tenant transaction and sees only rows of live (not deleted)
 * integrations. */
#ifndef INLET_STORE_FIELD_MAPPING_H
#define INLET_STORE_FIELD_MAPPING_H
#include <stdint.h>

#include "core/err.h"
#include "core/id.h"
#include "db/db.h"

#define FIELD_MAPPINGS_MAX 1000 /* rows per integration */

/* One row as stored; strings owned (field_mapping_dispose). */
struct field_mapping {
    char id[ID_MAX]; /* "fmap_..." */
    char integration_id[ID_MAX];
    char *stream;
    char *model; /* the column "target": accounts, contacts, tickets, deals */
    char *target_field;
    char *source_field;             /* a dotted path, or JSON text ('{' a source object, '[' a
                                       properties list); NULL: none */
    char *transforms;               /* JSON array text, as the engine stores it */
    int64_t created_at, updated_at; /* unix seconds */
};

/* What create stores; all borrowed. stream, model and target_field are
 * required; the caller has checked them (map_set_row). */
struct field_mapping_in {
    const char *integration_id, *stream, *model, *target_field;
    const char *source_field; /* NULL: none */
    const char *transforms;   /* JSON array text; NULL: [] */
};

void field_mapping_dispose(struct field_mapping *m);

/* Create a row of tenant_id; its new id into id (OUT). ERR_CONFLICT when
 * the integration has a row for the same stream, model and target field
 * ("stream S of integration I has a mapping into M.T already") or
 * FIELD_MAPPINGS_MAX rows already. The integration must be the tenant's
 * (the caller read it); otherwise the foreign key refuses (ERR_INVALID). */
MUST_CHECK int field_mapping_create(char id[ID_MAX], struct db *db, const char *tenant_id,
                                    const struct field_mapping_in *in, int64_t now,
                                    struct err *err);

/* Read row id into *out (OUT, field_mapping_dispose). ERR_NOTFOUND ("no
 * mapping <id>"), for another tenant's row too. */
MUST_CHECK int field_mapping_get(struct field_mapping *out, struct db *db, const char *tenant_id,
                                 const char *id, struct err *err);

/* Replace row id's source_field (NULL: none) and transforms (JSON array
 * text; NULL: []); updated_at becomes now. ERR_NOTFOUND as get. */
MUST_CHECK int field_mapping_update(struct db *db, const char *tenant_id, const char *id,
                                    const char *source_field, const char *transforms, int64_t now,
                                    struct err *err);

/* Delete row id. ERR_NOTFOUND as get. */
MUST_CHECK int field_mapping_delete(struct db *db, const char *tenant_id, const char *id,
                                    struct err *err);

/* Called per row; the row is borrowed for the call, and the callback must
 * not use db (rows are streamed on PostgreSQL). A nonzero return stops and
 * is returned. */
typedef int (*field_mapping_fn)(void *ctx, const struct field_mapping *m);

/* Call fn for the rows of integration_id, optionally only those of stream
 * and of model (NULL: any), ordered by stream, model and target field: the
 * order in which the sync applies them. */
MUST_CHECK int field_mapping_list(struct db *db, const char *tenant_id, const char *integration_id,
                                  const char *stream, const char *model, field_mapping_fn fn,
                                  void *ctx, struct err *err);

#endif
