/* store/records.c - see records.h. A record costs a few statements: the
 * synced_records lookup (and one UPDATE, nothing more, when its hash
 * matches), a lookup per reference, the upsert, and the synced_records
 * write. Rows waiting for others are linked once per batch
 * (records_link), a statement per reference field rather than a scan per
 * record, which would grow with the square of the sync's size. Table
 * and column names come from the static model tables (map/model.c) only,
 * never from input; every value is a bound parameter. */
#include "store/records.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json_object.h>
#include <json-c/linkhash.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/id.h"
#include "core/jsonx.h"
#include "crypto/hash.h"

/* Sorted (strcmp) for bsearch. */
static const char *const free_mail[] = {
    "163.com",     "aol.com",        "gmail.com", "gmx.com",  "gmx.de",    "googlemail.com",
    "hotmail.com", "icloud.com",     "live.com",  "mail.com", "me.com",    "outlook.com",
    "proton.me",   "protonmail.com", "qq.com",    "web.de",   "yahoo.com", "yandex.ru",
};

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

bool records_free_mail(const char *domain)
{
    return bsearch(&domain, free_mail, sizeof(free_mail) / sizeof(free_mail[0]),
                   sizeof(free_mail[0]), cmp_str) != NULL;
}

/* The column of a field: its name, refs with "_id". */
static void put_column(struct buf *b, const struct model_field *f)
{
    buf_puts(b, f->name);
    if (f->type == MODEL_REF)
        buf_puts(b, "_id");
}

/* The id prefix of a table's rows, as the Data API's tests make them. */
static const char *id_prefix(const struct model *m)
{
    static const char *const names[][2] = {
        {"accounts", "acc"}, {"contacts", "con"}, {"tickets", "tik"}, {"deals", "dea"}};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(m->name, names[i][0]) == 0)
            return names[i][1];
    return "rec";
}

/* Column 0 of the first row of sql into out (ID_MAX bytes), "" when there
 * is none. Not db_query_row: no error state for a plain miss. */
static int query_id(char out[ID_MAX], struct db *db, const char *sql, const struct db_val *args,
                    size_t n, struct err *err)
{
    struct db_rows *r = NULL;
    int rc = db_query(&r, db, sql, args, n, err);
    out[0] = '\0';
    if (rc == 0 && (rc = db_rows_next(r, err)) == 1) {
        const char *id = db_rows_text(r, 0);
        snprintf(out, ID_MAX, "%s", id ? id : "");
        rc = 0;
    }
    db_rows_free(r);
    return rc;
}

/* The internal id of model's record ext of the same integration, or "". */
static int ref_find(char out[ID_MAX], struct db *db, const char *tenant, const char *integration,
                    const char *model, const char *ext, struct err *err)
{
    struct buf sql;
    buf_init(&sql, 0);
    buf_printf(&sql,
               "SELECT id FROM %s WHERE tenant_id = $1 AND integration_id = $2 AND"
               " external_id = $3",
               model);
    int rc = query_id(out, db, buf_cstr(&sql),
                      DB_ARGS(DB_TEXT(tenant), DB_TEXT(integration), DB_TEXT(ext)), err);
    buf_dispose(&sql);
    return rc;
}

/* A contact without an account link: the tenant's oldest live account
 * whose domain is the email's, any integration; none for free mail. */
static int domain_find(char out[ID_MAX], struct db *db, const char *tenant, const char *email,
                       struct err *err)
{
    const char *at = email ? strrchr(email, '@') : NULL;
    out[0] = '\0';
    if (!at || !at[1] || records_free_mail(at + 1))
        return 0;
    return query_id(out, db,
                    "SELECT id FROM accounts WHERE tenant_id = $1 AND domain = $2 AND"
                    " deleted_at IS NULL ORDER BY created_at, id LIMIT 1",
                    DB_ARGS(DB_TEXT(tenant), DB_TEXT(at + 1)), err);
}

/* What the table's columns get, and the refs that must wait. */
struct bound {
    struct db_val vals[MODEL_FIELDS_MAX];
    char ids[MODEL_FIELDS_MAX][ID_MAX];
    struct json_object *refs; /* owned; NULL when nothing waits */
};

static int bind_fields(struct bound *bd, struct db *db, const char *tenant, const char *integration,
                       const struct map_row *row, struct err *err)
{
    const struct model *m = row->model;
    int rc = 0;
    for (size_t i = MODEL_DELETED + 1; rc == 0 && i < m->n_fields; i++) {
        const struct model_field *f = &m->fields[i];
        const struct model_value *v = &row->values[i];
        struct db_val *out = &bd->vals[i];
        *out = DB_NULL;
        if (f->type == MODEL_REF) {
            bool account = strcmp(f->name, "account") == 0;
            if (v->set)
                rc = ref_find(bd->ids[i], db, tenant, integration, f->ref, v->s, err);
            else if (account && strcmp(m->name, "contacts") == 0)
                rc = domain_find(bd->ids[i], db, tenant,
                                 row->values[model_field_index(m, "email")].s, err);
            else
                bd->ids[i][0] = '\0';
            if (rc == 0 && bd->ids[i][0])
                *out = DB_TEXT(bd->ids[i]);
            else if (rc == 0 && v->set) {
                if (!bd->refs)
                    bd->refs = json_object_new_object();
                json_object_object_add(bd->refs, f->name, json_object_new_string(v->s));
            }
            continue;
        }
        if (!v->set)
            continue;
        switch (f->type) {
        case MODEL_INTEGER:
        case MODEL_TIMESTAMP:
        case MODEL_BOOLEAN:
            *out = DB_INT(v->i);
            break;
        default: /* text, email, domain, date, and decimals as text: exact */
            *out = DB_TEXT(v->s);
            break;
        }
    }
    return rc;
}

/* The properties column's text: the row's, plus "_refs" when refs wait. */
static void format_properties(struct buf *b, const struct map_row *row, struct json_object *refs)
{
    struct json_object *p = json_object_new_object();
    json_object_object_foreach(row->properties, k, v)
    {
        if (strcmp(k, "_refs") != 0)
            json_object_object_add(p, k, json_object_get(v));
    }
    if (refs)
        json_object_object_add(p, "_refs", json_object_get(refs));
    jsonx_format(b, p);
    json_object_put(p);
}

static int upsert_row(char id[ID_MAX], struct db *db, const char *tenant, const char *integration,
                      const char *connector, const struct map_row *row, const struct bound *bd,
                      const char *props, int64_t now, struct err *err)
{
    const struct model *m = row->model;
    struct db_val args[MODEL_FIELDS_MAX + 10];
    char fresh[ID_MAX];
    struct db_rows *r = NULL;
    struct buf sql;
    size_t n = 0;
    int rc;

    buf_init(&sql, 0);
    id_new(fresh, id_prefix(m));
    args[n++] = DB_TEXT(fresh);
    args[n++] = DB_TEXT(tenant);
    args[n++] = DB_TEXT(integration);
    args[n++] = DB_TEXT(connector);
    args[n++] = DB_TEXT(row->external_id);
    buf_printf(&sql, "INSERT INTO %s (id, tenant_id, integration_id, connector, external_id",
               m->name);
    for (size_t i = MODEL_DELETED + 1; i < m->n_fields; i++) {
        buf_puts(&sql, ", ");
        put_column(&sql, &m->fields[i]);
        args[n++] = bd->vals[i];
    }
    args[n++] = DB_TEXT(props);
    args[n++] = DB_INT(now);
    args[n++] = DB_INT(now);
    args[n++] = DB_INT(now);
    args[n++] = row->deleted ? DB_INT(now) : DB_NULL;
    buf_puts(&sql, ", properties, created_at, updated_at, last_synced_at, deleted_at) VALUES (");
    for (size_t i = 0; i < n; i++)
        buf_printf(&sql, "%s$%zu", i ? ", " : "", i + 1);
    buf_puts(&sql, ") ON CONFLICT (tenant_id, integration_id, external_id) DO UPDATE SET"
                   " connector = EXCLUDED.connector");
    for (size_t i = MODEL_DELETED + 1; i < m->n_fields; i++) {
        buf_puts(&sql, ", ");
        put_column(&sql, &m->fields[i]);
        buf_puts(&sql, " = EXCLUDED.");
        put_column(&sql, &m->fields[i]);
    }
    /* A row deleted before keeps the time it went. */
    buf_printf(&sql,
               ", properties = EXCLUDED.properties, updated_at = EXCLUDED.updated_at,"
               " last_synced_at = EXCLUDED.last_synced_at, deleted_at = CASE WHEN"
               " EXCLUDED.deleted_at IS NULL THEN NULL ELSE COALESCE(%s.deleted_at,"
               " EXCLUDED.deleted_at) END RETURNING id",
               m->name);
    rc = db_query_row(&r, db, buf_cstr(&sql), args, n, err);
    if (rc == 0)
        snprintf(id, ID_MAX, "%s", db_rows_text(r, 0));
    db_rows_free(r);
    buf_dispose(&sql);
    return rc;
}

int records_upsert(struct db *db, const char *tenant_id, const char *integration_id,
                   const char *connector, const char *stream, const struct map_row *row,
                   int64_t now, enum records_outcome *out, struct err *err)
{
    const struct model *m = row->model;
    char hash[HASH_SHA256_HEX_LEN + 1], existing[ID_MAX], id[ID_MAX];
    struct bound bd;
    struct db_rows *r = NULL;
    struct buf text, props;
    bool same = false;
    int rc;

    memset(&bd, 0, sizeof(bd));
    buf_init(&text, 0);
    buf_init(&props, 0);
    map_row_format(&text, row);
    hash_sha256_hex(hash, text.p, text.n);

    rc = db_query(&r, db,
                  "SELECT content_hash FROM synced_records WHERE tenant_id = $1 AND"
                  " integration_id = $2 AND stream = $3 AND external_id = $4",
                  DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(integration_id), DB_TEXT(stream),
                          DB_TEXT(row->external_id)),
                  err);
    if (rc == 0 && (rc = db_rows_next(r, err)) == 1) {
        const char *h = db_rows_text(r, 0);
        same = h && strcmp(h, hash) == 0;
        rc = 0;
    }
    db_rows_free(r);
    if (rc < 0)
        goto done;
    if (same) {
        *out = RECORDS_UNCHANGED;
        rc = db_exec(db,
                     "UPDATE synced_records SET last_synced_at = $1 WHERE tenant_id = $2 AND"
                     " integration_id = $3 AND stream = $4 AND external_id = $5",
                     DB_ARGS(DB_INT(now), DB_TEXT(tenant_id), DB_TEXT(integration_id),
                             DB_TEXT(stream), DB_TEXT(row->external_id)),
                     NULL, err);
        goto done;
    }

    /* Whether the row is there already: created or updated. */
    rc = ref_find(existing, db, tenant_id, integration_id, m->name, row->external_id, err);
    if (rc == 0)
        rc = bind_fields(&bd, db, tenant_id, integration_id, row, err);
    if (rc < 0)
        goto done;
    format_properties(&props, row, bd.refs);
    if (buf_failed(&props) || buf_failed(&text)) {
        rc = err_set(err, ERR_INVALID, "%s %s: record too large", stream, row->external_id);
        goto done;
    }
    rc = upsert_row(id, db, tenant_id, integration_id, connector, row, &bd, buf_cstr(&props), now,
                    err);
    if (rc == 0)
        rc = db_exec(db,
                     "INSERT INTO synced_records (integration_id, stream, external_id, tenant_id,"
                     " target, record_id, content_hash, first_synced_at, last_synced_at,"
                     " deleted_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9)"
                     " ON CONFLICT (tenant_id, integration_id, stream, external_id) DO UPDATE"
                     " SET target = EXCLUDED.target, record_id = EXCLUDED.record_id,"
                     " content_hash = EXCLUDED.content_hash,"
                     " last_synced_at = EXCLUDED.last_synced_at, deleted_at = EXCLUDED.deleted_at",
                     DB_ARGS(DB_TEXT(integration_id), DB_TEXT(stream), DB_TEXT(row->external_id),
                             DB_TEXT(tenant_id), DB_TEXT(m->name), DB_TEXT(id), DB_TEXT(hash),
                             DB_INT(now), row->deleted ? DB_INT(now) : DB_NULL),
                     NULL, err);
    if (rc == 0)
        *out = row->deleted ? RECORDS_DELETED : existing[0] ? RECORDS_UPDATED : RECORDS_CREATED;
done:
    json_object_put(bd.refs);
    buf_dispose(&text);
    buf_dispose(&props);
    return rc;
}

/* The SQL for TABLE.properties->_refs->FIELD, per engine. */
static void put_ref_extract(struct buf *b, bool pg, const char *table, const char *field)
{
    if (pg)
        buf_printf(b, "%s.properties->'_refs'->>'%s'", table, field);
    else
        buf_printf(b, "json_extract(%s.properties, '$._refs.%s')", table, field);
}

/* Rows of model t whose reference f waits in "_refs": linked, in one
 * statement, to the rows now there (the unique index finds each). */
static int link_waiting(struct db *db, bool pg, const struct model *t, const struct model_field *f,
                        const char *tenant, const char *integration, int64_t now, struct err *err)
{
    struct buf sql, match;
    buf_init(&sql, 0);
    buf_init(&match, 0);
    buf_printf(&match,
               "FROM %s r WHERE r.tenant_id = %s.tenant_id AND r.integration_id ="
               " %s.integration_id AND r.external_id = ",
               f->ref, t->name, t->name);
    put_ref_extract(&match, pg, t->name, f->name);
    buf_printf(&sql, "UPDATE %s SET ", t->name);
    put_column(&sql, f);
    buf_printf(&sql,
               " = (SELECT r.id %s), updated_at = $1 WHERE tenant_id = $2 AND"
               " integration_id = $3 AND ",
               buf_cstr(&match));
    put_column(&sql, f);
    buf_puts(&sql, " IS NULL AND ");
    put_ref_extract(&sql, pg, t->name, f->name);
    buf_printf(&sql, " IS NOT NULL AND EXISTS (SELECT 1 %s)", buf_cstr(&match));
    int rc = db_exec(db, buf_cstr(&sql),
                     DB_ARGS(DB_INT(now), DB_TEXT(tenant), DB_TEXT(integration)), NULL, err);
    buf_dispose(&sql);
    buf_dispose(&match);
    return rc;
}

/* The tenant's live contacts with no account link, none waiting either,
 * linked to the oldest live account whose domain is their email's. */
static int link_by_domain(struct db *db, bool pg, const char *tenant, int64_t now, struct err *err)
{
    const size_t nfree = sizeof(free_mail) / sizeof(free_mail[0]);
    struct db_val args[2 + sizeof(free_mail) / sizeof(free_mail[0])];
    const char *domain = pg ? "split_part(contacts.email, '@', 2)"
                            : "substr(contacts.email, instr(contacts.email, '@') + 1)";
    struct buf sql, match;
    size_t n = 0;

    args[n++] = DB_INT(now);
    args[n++] = DB_TEXT(tenant);
    buf_init(&sql, 0);
    buf_init(&match, 0);
    buf_printf(&match,
               "FROM accounts a WHERE a.tenant_id = contacts.tenant_id AND a.domain = %s AND"
               " a.deleted_at IS NULL",
               domain);
    buf_printf(&sql,
               "UPDATE contacts SET account_id = (SELECT a.id %s ORDER BY a.created_at, a.id"
               " LIMIT 1), updated_at = $1 WHERE tenant_id = $2 AND account_id IS NULL AND"
               " deleted_at IS NULL AND email LIKE '%%@%%' AND ",
               buf_cstr(&match));
    put_ref_extract(&sql, pg, "contacts", "account");
    buf_printf(&sql, " IS NULL AND %s NOT IN (", domain);
    for (size_t i = 0; i < nfree; i++) {
        buf_printf(&sql, "%s$%zu", i ? ", " : "", n + 1);
        args[n++] = DB_TEXT(free_mail[i]);
    }
    buf_printf(&sql, ") AND EXISTS (SELECT 1 %s)", buf_cstr(&match));
    int rc = db_exec(db, buf_cstr(&sql), args, n, NULL, err);
    buf_dispose(&sql);
    buf_dispose(&match);
    return rc;
}

int records_link(struct db *db, const char *tenant_id, const char *integration_id, bool refs,
                 bool domains, int64_t now, struct err *err)
{
    bool pg = strcmp(db_engine(db), "postgres") == 0;
    int rc = 0;
    for (size_t i = 0; refs && rc == 0 && i < model_count(); i++) {
        const struct model *t = model_at(i);
        for (size_t j = 0; rc == 0 && j < t->n_fields; j++)
            if (t->fields[j].type == MODEL_REF)
                rc = link_waiting(db, pg, t, &t->fields[j], tenant_id, integration_id, now, err);
    }
    if (rc == 0 && domains)
        rc = link_by_domain(db, pg, tenant_id, now, err);
    return rc;
}
