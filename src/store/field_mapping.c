/* store/field_mapping.c - see field_mapping.h. Rows of a deleted
 * integration stay in the table (its data may still be purged) but are
 * invisible here: every statement joins the live integration. */
#include "store/field_mapping.h"

#include <stdio.h>
#include <string.h>

#include "core/alloc.h"

#define COLUMNS                                                                                    \
    "id, integration_id, stream, target, target_field, source_field, transforms, created_at,"      \
    " updated_at"

/* The row's integration is live; for statements on field_mappings itself. */
#define LIVE                                                                                       \
    " AND EXISTS (SELECT 1 FROM integrations i WHERE i.tenant_id = field_mappings.tenant_id"       \
    " AND i.id = field_mappings.integration_id AND i.deleted_at IS NULL)"

void field_mapping_dispose(struct field_mapping *m)
{
    xfree(m->stream);
    xfree(m->model);
    xfree(m->target_field);
    xfree(m->source_field);
    xfree(m->transforms);
    memset(m, 0, sizeof(*m));
}

static void row_copy(struct field_mapping *out, struct db_rows *r)
{
    const char *source = db_rows_text(r, 5), *transforms = db_rows_text(r, 6);
    memset(out, 0, sizeof(*out));
    snprintf(out->id, sizeof(out->id), "%s", db_rows_text(r, 0));
    snprintf(out->integration_id, sizeof(out->integration_id), "%s", db_rows_text(r, 1));
    out->stream = xstrdup(db_rows_text(r, 2));
    out->model = xstrdup(db_rows_text(r, 3));
    out->target_field = xstrdup(db_rows_text(r, 4));
    out->source_field = source ? xstrdup(source) : NULL;
    out->transforms = xstrdup(transforms ? transforms : "[]");
    out->created_at = db_rows_int(r, 7);
    out->updated_at = db_rows_int(r, 8);
}

static int not_found(struct err *err, const char *id)
{
    return err_set(err, ERR_NOTFOUND, "no mapping %.64s", id);
}

int field_mapping_create(char id[ID_MAX], struct db *db, const char *tenant_id,
                         const struct field_mapping_in *in, int64_t now, struct err *err)
{
    int64_t count = 0;
    int rc = db_query_int(&count, db,
                          "SELECT count(*) FROM field_mappings WHERE tenant_id = $1 AND"
                          " integration_id = $2",
                          DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(in->integration_id)), err);
    if (rc < 0)
        return rc;
    if (count >= FIELD_MAPPINGS_MAX)
        return err_set(err, ERR_CONFLICT, "an integration has at most %d field mappings",
                       FIELD_MAPPINGS_MAX);
    id_new(id, "fmap");
    rc = db_exec(db,
                 "INSERT INTO field_mappings (id, tenant_id, integration_id, stream, target,"
                 " target_field, source_field, transforms, created_at, updated_at)"
                 " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
                 DB_ARGS(DB_TEXT(id), DB_TEXT(tenant_id), DB_TEXT(in->integration_id),
                         DB_TEXT(in->stream), DB_TEXT(in->model), DB_TEXT(in->target_field),
                         DB_TEXT(in->source_field), DB_TEXT(in->transforms ? in->transforms : "[]"),
                         DB_INT(now)),
                 NULL, err);
    /* The unique key, hit by a create racing ours: say which row. */
    if (rc == ERR_CONFLICT)
        return err_set(err, ERR_CONFLICT,
                       "stream %.64s of integration %s has a mapping into %s.%.64s already",
                       in->stream, in->integration_id, in->model, in->target_field);
    return rc;
}

int field_mapping_get(struct field_mapping *out, struct db *db, const char *tenant_id,
                      const char *id, struct err *err)
{
    struct db_rows *r = NULL;
    memset(out, 0, sizeof(*out));
    int rc = db_query_row(&r, db,
                          "SELECT " COLUMNS " FROM field_mappings WHERE tenant_id = $1 AND"
                          " id = $2" LIVE,
                          DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(id)), err);
    if (rc == ERR_NOTFOUND)
        return not_found(err, id);
    if (rc < 0)
        return rc;
    row_copy(out, r);
    db_rows_free(r);
    return 0;
}

int field_mapping_update(struct db *db, const char *tenant_id, const char *id,
                         const char *source_field, const char *transforms, int64_t now,
                         struct err *err)
{
    int64_t changes = 0;
    int rc = db_exec(db,
                     "UPDATE field_mappings SET source_field = $3, transforms = $4,"
                     " updated_at = $5 WHERE tenant_id = $1 AND id = $2" LIVE,
                     DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(id), DB_TEXT(source_field),
                             DB_TEXT(transforms ? transforms : "[]"), DB_INT(now)),
                     &changes, err);
    if (rc == 0 && changes == 0)
        rc = not_found(err, id);
    return rc;
}

int field_mapping_delete(struct db *db, const char *tenant_id, const char *id, struct err *err)
{
    int64_t changes = 0;
    int rc = db_exec(db, "DELETE FROM field_mappings WHERE tenant_id = $1 AND id = $2" LIVE,
                     DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(id)), &changes, err);
    if (rc == 0 && changes == 0)
        rc = not_found(err, id);
    return rc;
}

int field_mapping_list(struct db *db, const char *tenant_id, const char *integration_id,
                       const char *stream, const char *model, field_mapping_fn fn, void *ctx,
                       struct err *err)
{
    struct db_rows *r = NULL;
    int rc = db_query(
        &r, db,
        "SELECT " COLUMNS " FROM field_mappings WHERE tenant_id = $1 AND"
        " integration_id = $2 AND (CAST($3 AS TEXT) IS NULL OR stream = $3)"
        " AND (CAST($4 AS TEXT) IS NULL OR target = $4)" LIVE
        " ORDER BY stream, target, target_field",
        DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(integration_id), DB_TEXT(stream), DB_TEXT(model)), err);
    while (rc == 0 && (rc = db_rows_next(r, err)) == 1) {
        struct field_mapping m;
        row_copy(&m, r);
        rc = fn(ctx, &m);
        field_mapping_dispose(&m);
    }
    db_rows_free(r);
    return rc;
}
