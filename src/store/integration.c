/* store/integration.c - integrations and their sealed credentials, as
 * store/integration.h promises. The credentials row of an integration keeps
 * its id for as long as the integration has secrets: the seal's associated
 * data names that id (store/sealed.h), and `inlet keys rotate` re-seals
 * each row under its own id, so replacing the secrets updates the row in
 * place rather than inserting a new one. Lists read their page into memory
 * before calling back, so a callback may use the connection. */
#include "store/integration.h"

#include <assert.h>
#include <string.h>

#include "core/alloc.h"
#include "core/jsonx.h"
#include "core/str.h"
#include "core/time.h"
#include "store/credential.h"
#include "store/sealed.h"

/* The columns load() reads, in its order: the integration and the names of
 * its secrets (NULL when it has none). */
#define SELECT_INTEGRATION                                                                         \
    "SELECT i.id, i.tenant_id, i.connector_id, i.name, i.config, i.status, i.status_reason,"       \
    " i.schedule, i.next_run_at, c.secret_names, i.created_at, i.updated_at, i.connection"         \
    " FROM integrations i LEFT JOIN credentials c"                                                 \
    " ON c.tenant_id = i.tenant_id AND c.integration_id = i.id"

static const char *const statuses[] = {
    "draft", "active", "paused", "error", "needs_reauth", "disconnected", NULL,
};

static const char *const kinds[] = {"oauth2", "api_key", "basic", NULL};

static bool one_of(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(s, *list) == 0)
            return true;
    return false;
}

/* The registry entry of credentials.sealed, whose associated data
 * sealed_rotate rebuilds from the row's id. */
static const struct sealed_column *cred_column(void)
{
    for (size_t i = 0; i < sealed_columns_count; i++)
        if (strcmp(sealed_columns[i].table, "credentials") == 0)
            return &sealed_columns[i];
    assert(!"store/sealed.c lists no credentials column");
    return NULL;
}

static int not_found(struct err *err, const char *id)
{
    /* Quote only what is known to be an id: the text comes from a URL. */
    if (!id_valid(id, "int"))
        return err_set(err, ERR_NOTFOUND, "no such integration");
    return err_set(err, ERR_NOTFOUND, "no integration %s", id);
}

int integration_name_check(const char *name, struct err *err)
{
    size_t n = strlen(name), bad;
    if (n == 0)
        return err_set(err, ERR_INVALID, "name: must not be empty");
    if (n > INTEGRATION_NAME_MAX)
        return err_set(err, ERR_INVALID, "name: %zu bytes, at most %d", n, INTEGRATION_NAME_MAX);
    if (!str_utf8_valid(name, n, &bad))
        return err_set(err, ERR_INVALID, "name: invalid UTF-8 at byte %zu", bad);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        /* C0, DEL, and C1 (U+0080..U+009F, which UTF-8 spells C2 80..C2 9F). */
        if (c < 0x20 || c == 0x7f || (c == 0xc2 && (unsigned char)name[i + 1] < 0xa0))
            return err_set(err, ERR_INVALID, "name: control character at byte %zu", i);
    }
    return 0;
}

static int name_taken(struct err *err, const char *name)
{
    return err_set(err, ERR_CONFLICT, "name: an integration named \"%s\" exists already", name);
}

static int config_check(const char *config, struct err *err)
{
    size_t n = strlen(config);
    if (n > INTEGRATION_CONFIG_MAX)
        return err_set(err, ERR_TOOBIG, "config: %zu bytes, at most %d", n, INTEGRATION_CONFIG_MAX);
    return 0;
}

static int status_check(const char *status, struct err *err)
{
    if (!one_of(status, statuses))
        return err_set(err, ERR_INVALID,
                       "status: expected draft, active, paused, error, "
                       "needs_reauth or disconnected");
    return 0;
}

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

/* Copy an id column; ids are ours (core/id), so they always fit. */
static void id_copy(char out[ID_MAX], const char *s)
{
    size_t n = s ? strlen(s) : 0;
    assert(n < ID_MAX);
    memcpy(out, s ? s : "", n + 1);
}

/* JSON text as jsonx writes it. PostgreSQL gives JSONB back spelled its
 * own way (spaces after ':' and ','), and answers must not differ by
 * engine; SQLite gives back what was stored, written by jsonx already. */
static char *json_dup(const char *s, bool respell)
{
    struct json_object *v = NULL;
    struct err e;
    size_t n = strlen(s);
    if (!respell || jsonx_parse(&v, s, n, n, &e) < 0)
        return xstrdup(s);
    struct buf b;
    buf_init(&b, 0);
    jsonx_format(&b, v);
    json_object_put(v);
    return buf_take(&b);
}

/* Copy the current row of a SELECT_INTEGRATION query into *it. */
static void row_copy(struct integration *it, struct db_rows *rows, bool respell)
{
    const char *names = db_rows_text(rows, 9);
    memset(it, 0, sizeof(*it));
    id_copy(it->id, db_rows_text(rows, 0));
    id_copy(it->tenant_id, db_rows_text(rows, 1));
    it->connector = xstrdup(db_rows_text(rows, 2));
    it->name = xstrdup(db_rows_text(rows, 3));
    it->config = json_dup(db_rows_text(rows, 4), respell);
    it->status = xstrdup(db_rows_text(rows, 5));
    it->status_reason = dup_or_null(db_rows_text(rows, 6));
    it->schedule = dup_or_null(db_rows_text(rows, 7));
    it->next_run_at = db_rows_int(rows, 8);
    it->secret_names = json_dup(names ? names : "[]", respell);
    it->created_at = db_rows_int(rows, 10);
    it->updated_at = db_rows_int(rows, 11);
    it->connection = json_dup(db_rows_text(rows, 12) ? db_rows_text(rows, 12) : "{}", respell);
}

/* Read the live integration id of tenant_id into *out. */
static int load(struct integration *out, struct db *db, const char *tenant_id, const char *id,
                struct err *err)
{
    struct db_rows *rows = NULL;
    if (!id_valid(id, "int"))
        return not_found(err, id);
    int rc = db_query_row(&rows, db,
                          SELECT_INTEGRATION
                          " WHERE i.tenant_id = $1 AND i.id = $2 AND i.deleted_at IS NULL",
                          DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(id)), err);
    if (rc == ERR_NOTFOUND)
        return not_found(err, id);
    if (rc < 0)
        return rc;
    row_copy(out, rows, strcmp(db_engine(db), "postgres") == 0);
    db_rows_free(rows);
    return 0;
}

void integration_dispose(struct integration *it)
{
    /* id and tenant_id are not heap memory and stay readable, so that a
     * caller may dispose a row and still pass its id on. */
    xfree(it->connector);
    xfree(it->name);
    xfree(it->config);
    xfree(it->status);
    xfree(it->status_reason);
    xfree(it->schedule);
    xfree(it->secret_names);
    xfree(it->connection);
    it->connector = it->name = it->config = it->status = NULL;
    it->status_reason = it->schedule = it->secret_names = it->connection = NULL;
}

int integration_create(struct integration *out, struct db *db, const char *tenant_id,
                       const char *connector, const char *name, const char *config, int64_t now,
                       struct err *err)
{
    char id[ID_MAX];
    int rc;

    assert(tenant_id && connector && name);
    if (!config)
        config = "{}";
    if (!*connector)
        return err_set(err, ERR_INVALID, "connector: must not be empty");
    if ((rc = integration_name_check(name, err)) < 0 || (rc = config_check(config, err)) < 0)
        return rc;
    id_new(id, "int");
    rc = db_exec(db,
                 "INSERT INTO integrations (id, tenant_id, connector_id, name, config, status,"
                 " created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'draft', $6, $6)",
                 DB_ARGS(DB_TEXT(id), DB_TEXT(tenant_id), DB_TEXT(connector), DB_TEXT(name),
                         DB_TEXT(config), DB_INT(now)),
                 NULL, err);
    if (rc == ERR_CONFLICT)
        return name_taken(err, name);
    if (rc < 0)
        return rc;
    /* Read back what was stored (PostgreSQL normalizes the JSON). */
    return load(out, db, tenant_id, id, err);
}

int integration_get(struct integration *out, struct db *db, const char *tenant_id, const char *id,
                    struct err *err)
{
    return load(out, db, tenant_id, id, err);
}

int integration_catalog_get(char **json, struct db *db, const char *tenant_id, const char *id,
                            struct err *err)
{
    struct db_rows *r = NULL;
    *json = NULL;
    if (!id_valid(id, "int"))
        return not_found(err, id);
    int rc = db_query_row(&r, db,
                          "SELECT catalog FROM integrations WHERE tenant_id = $1 AND id = $2"
                          " AND deleted_at IS NULL",
                          DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(id)), err);
    if (rc == ERR_NOTFOUND)
        return not_found(err, id);
    if (rc < 0)
        return rc;
    *json = db_rows_text(r, 0) ? xstrdup(db_rows_text(r, 0)) : NULL;
    db_rows_free(r);
    return 0;
}

int integration_catalog_set(struct db *db, const char *tenant_id, const char *id, const char *json,
                            int64_t now, struct err *err)
{
    int64_t changes = 0;
    if (!id_valid(id, "int"))
        return not_found(err, id);
    int rc = db_exec(db,
                     "UPDATE integrations SET catalog = $3, updated_at = $4 WHERE tenant_id = $1"
                     " AND id = $2 AND deleted_at IS NULL",
                     DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(id), DB_TEXT(json), DB_INT(now)), &changes,
                     err);
    if (rc == 0 && changes == 0)
        rc = not_found(err, id);
    return rc;
}

int integration_update(struct integration *out, struct db *db, const char *tenant_id,
                       const char *id, const struct integration_change *ch, int64_t now,
                       struct err *err)
{
    struct integration cur = {0};
    char iid[ID_MAX];
    int rc;

    if ((ch->name && (rc = integration_name_check(ch->name, err)) < 0) ||
        (ch->config && (rc = config_check(ch->config, err)) < 0) ||
        (ch->connection && (rc = config_check(ch->connection, err)) < 0) ||
        (ch->status && (rc = status_check(ch->status, err)) < 0))
        return rc;
    if (!id_valid(id, "int"))
        return not_found(err, id);
    memcpy(iid, id, strlen(id) + 1); /* id may point into *out, which is rewritten below */
    if ((rc = load(&cur, db, tenant_id, iid, err)) < 0)
        return rc;
    const char *name = ch->name ? ch->name : cur.name;
    rc = db_exec(db,
                 "UPDATE integrations SET name = $3, config = $4, status = $5, status_reason = $6,"
                 " updated_at = $7, connection = $8"
                 " WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL",
                 DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(iid), DB_TEXT(name),
                         DB_TEXT(ch->config ? ch->config : cur.config),
                         DB_TEXT(ch->status ? ch->status : cur.status),
                         DB_TEXT(ch->status ? ch->status_reason : cur.status_reason), DB_INT(now),
                         DB_TEXT(ch->connection ? ch->connection : cur.connection)),
                 NULL, err);
    if (rc == ERR_CONFLICT)
        rc = name_taken(err, name);
    integration_dispose(&cur);
    if (rc == 0 && out)
        rc = load(out, db, tenant_id, iid, err);
    return rc;
}

int integration_list(bool *more, struct db *db, const char *tenant_id,
                     const struct integration_filter *f, integration_list_fn fn, void *ctx,
                     struct err *err)
{
    struct db_rows *rows = NULL;
    struct integration *page;
    size_t n = 0;
    int rc;

    *more = false;
    if (f->limit < 1 || f->limit > INTEGRATION_LIST_MAX)
        return err_set(err, ERR_INVALID, "limit: must be 1..%d", INTEGRATION_LIST_MAX);
    if (f->status && (rc = status_check(f->status, err)) < 0)
        return rc;
    if (f->q && strlen(f->q) > INTEGRATION_NAME_MAX)
        return err_set(err, ERR_INVALID, "q: at most %d bytes", INTEGRATION_NAME_MAX);
    char pattern[2 * INTEGRATION_NAME_MAX + 3];
    if (f->q && *f->q)
        str_like_pattern(pattern, f->q, true);
    /* One row past the page says whether there is another page. lower()
     * on both sides: each engine folds case its own way, but the same way
     * for the pattern as for the name. */
    rc = db_query(&rows, db,
                  SELECT_INTEGRATION " WHERE i.tenant_id = $1 AND i.deleted_at IS NULL"
                                     " AND i.id > $2"
                                     " AND (CAST($3 AS TEXT) IS NULL OR i.status = $3)"
                                     " AND (CAST($4 AS TEXT) IS NULL OR i.connector_id = $4)"
                                     " AND (CAST($6 AS TEXT) IS NULL OR"
                                     " lower(i.name) LIKE lower($6) ESCAPE '!')"
                                     " AND (CAST($7 AS TEXT) IS NULL OR i.id = $7)"
                                     " ORDER BY i.id LIMIT $5",
                  DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(f->after ? f->after : ""), DB_TEXT(f->status),
                          DB_TEXT(f->connector), DB_INT(f->limit + 1),
                          DB_TEXT(f->q && *f->q ? pattern : NULL), DB_TEXT(f->id)),
                  err);
    if (rc < 0)
        return rc;
    page = xcalloc((size_t)f->limit, sizeof(*page));
    while ((rc = db_rows_next(rows, err)) == 1) {
        if (n == (size_t)f->limit) {
            *more = true;
            break;
        }
        row_copy(&page[n++], rows, strcmp(db_engine(db), "postgres") == 0);
    }
    db_rows_free(rows);
    if (rc == 1) /* stopped at the extra row */
        rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = fn(ctx, &page[i]);
    for (size_t i = 0; i < n; i++)
        integration_dispose(&page[i]);
    xfree(page);
    return rc;
}

int integration_count_by_connector(struct db *db, const char *tenant_id, integration_count_fn fn,
                                   void *ctx, struct err *err)
{
    struct db_rows *rows = NULL;
    int rc = db_query(&rows, db,
                      "SELECT connector_id, count(*) FROM integrations WHERE tenant_id = $1"
                      " AND deleted_at IS NULL GROUP BY connector_id ORDER BY connector_id",
                      DB_ARGS(DB_TEXT(tenant_id)), err);
    if (rc < 0)
        return rc;
    /* A handful of rows (one per connector): fn runs with them open, and
     * must not use the connection. */
    while ((rc = db_rows_next(rows, err)) == 1)
        if ((rc = fn(ctx, db_rows_text(rows, 0), db_rows_int(rows, 1))) != 0)
            break;
    db_rows_free(rows);
    return rc;
}

/* names must be a JSON array of strings. */
static int names_check(const char *names, struct err *err)
{
    struct json_object *doc = NULL;
    struct err why;
    bool ok = jsonx_parse(&doc, names, strlen(names), INTEGRATION_CONFIG_MAX, &why) == 0 &&
              json_object_is_type(doc, json_type_array);
    for (size_t i = 0; ok && i < jsonx_len(doc); i++)
        ok = json_object_is_type(jsonx_at(doc, i), json_type_string);
    json_object_put(doc);
    return ok ? 0 : err_set(err, ERR_INVALID, "secret names: expected a JSON array of strings");
}

/* Write one sealed value into the integration's credentials row: update the
 * row it has, keeping its id, or insert one. *changes (OUT) is 0 when
 * another writer added or removed the row meanwhile. */
static int cred_write(int64_t *changes, struct db *db, const struct vault *v, const char *tenant_id,
                      const char *id, const char *kind, const struct secret *plaintext,
                      const char *names, int64_t expires_at, int64_t now, struct err *err)
{
    const struct sealed_column *col = cred_column();
    struct db_rows *rows = NULL;
    unsigned char *blob = NULL;
    char cid[ID_MAX];
    size_t n = 0;
    bool fresh = false;

    int rc = db_query_row(&rows, db,
                          "SELECT id FROM credentials WHERE tenant_id = $1 AND integration_id = $2",
                          DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(id)), err);
    if (rc == 0) {
        id_copy(cid, db_rows_text(rows, 0));
        db_rows_free(rows);
    } else if (rc == ERR_NOTFOUND) {
        id_new(cid, "cred");
        fresh = true;
    } else {
        return rc;
    }
    rc = sealed_seal(&blob, &n, v, col, tenant_id, cid, plaintext->p, plaintext->n, err);
    if (rc < 0)
        return rc;
    struct db_val exp = expires_at ? DB_INT(expires_at) : DB_NULL;
    if (fresh)
        rc = db_exec(db,
                     "INSERT INTO credentials (id, tenant_id, integration_id, kind, sealed, key_id,"
                     " expires_at, secret_names, created_at, updated_at)"
                     " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)"
                     " ON CONFLICT (tenant_id, integration_id) DO NOTHING",
                     DB_ARGS(DB_TEXT(cid), DB_TEXT(tenant_id), DB_TEXT(id), DB_TEXT(kind),
                             DB_BLOB(blob, n), DB_TEXT(vault_active_id(v)), exp, DB_TEXT(names),
                             DB_INT(now)),
                     changes, err);
    else
        rc = db_exec(db,
                     "UPDATE credentials SET kind = $4, sealed = $5, key_id = $6, expires_at = $7,"
                     " secret_names = $8, updated_at = $9"
                     " WHERE tenant_id = $2 AND id = $1 AND integration_id = $3",
                     DB_ARGS(DB_TEXT(cid), DB_TEXT(tenant_id), DB_TEXT(id), DB_TEXT(kind),
                             DB_BLOB(blob, n), DB_TEXT(vault_active_id(v)), exp, DB_TEXT(names),
                             DB_INT(now)),
                     changes, err);
    xfree(blob);
    return rc;
}

int integration_secrets_set(struct db *db, const struct vault *v, const char *tenant_id,
                            const char *id, const char *kind, const struct secret *plaintext,
                            const char *names_json, int64_t expires_at, int64_t now,
                            struct err *err)
{
    int64_t changes = 0;
    int rc;

    if (!one_of(kind, kinds))
        return err_set(err, ERR_INVALID, "kind: expected oauth2, api_key or basic");
    if (!names_json)
        names_json = "[]";
    if ((rc = names_check(names_json, err)) < 0)
        return rc;
    if (!id_valid(id, "int"))
        return not_found(err, id);
    /* Touching the integration first both checks that it is live and, on
     * PostgreSQL, locks its row, which serializes writers of its secrets. */
    rc = db_exec(db,
                 "UPDATE integrations SET updated_at = $3"
                 " WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL",
                 DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(id), DB_INT(now)), &changes, err);
    if (rc < 0)
        return rc;
    if (changes == 0)
        return not_found(err, id);
    /* With the row locked no other writer can get in between; the second
     * try is for a writer that does not lock it (direct SQL, an old build). */
    for (int attempt = 0; attempt < 2; attempt++) {
        rc = cred_write(&changes, db, v, tenant_id, id, kind, plaintext, names_json, expires_at,
                        now, err);
        if (rc < 0)
            return rc;
        /* New tokens: the upkeep's next time counts from them (or there is
         * none: no refresh token, or not OAuth). */
        if (changes == 1)
            return credential_refresh_plan(db, tenant_id, id, now, err);
    }
    return err_set(err, ERR_AGAIN, "credentials: changed by another writer meanwhile; try again");
}

int integration_secrets_open(struct secret *out, struct db *db, const struct vault *v,
                             const char *tenant_id, const char *id, struct err *err)
{
    struct db_rows *rows = NULL;
    size_t n = 0;

    if (!id_valid(id, "int"))
        return not_found(err, id);
    int rc = db_query_row(&rows, db,
                          "SELECT c.id, c.sealed FROM integrations i LEFT JOIN credentials c"
                          " ON c.tenant_id = i.tenant_id AND c.integration_id = i.id"
                          " WHERE i.tenant_id = $1 AND i.id = $2 AND i.deleted_at IS NULL",
                          DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(id)), err);
    if (rc == ERR_NOTFOUND)
        return not_found(err, id);
    if (rc < 0)
        return rc;
    const char *cid = db_rows_text(rows, 0);
    const void *blob = db_rows_blob(rows, 1, &n);
    if (!cid || !blob)
        rc = err_set(err, ERR_NOTFOUND, "integration %s has no secrets", id);
    else
        rc = sealed_open(out, v, cred_column(), tenant_id, cid, blob, n, err);
    db_rows_free(rows);
    return rc;
}

int integration_delete(struct db *db, const char *tenant_id, const char *id, bool purge,
                       int64_t now, struct err *err)
{
    int64_t changes = 0;
    int rc;

    if (!id_valid(id, "int"))
        return not_found(err, id);
    if (purge) {
        /* The foreign keys cascade to credentials, runs, state, mappings and
         * normalized rows; consents and notifications keep their rows with
         * integration_id cleared (PostgreSQL: ON DELETE SET NULL (col);
         * SQLite: the integrations_unlink trigger). */
        rc = db_exec(db, "DELETE FROM integrations WHERE tenant_id = $1 AND id = $2",
                     DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(id)), &changes, err);
        if (rc == 0 && changes == 0)
            rc = not_found(err, id);
        return rc;
    }
    /* Off the schedule (status and next_run_at) and out of every query of
     * this module; the name is free again (the unique index is partial). */
    rc = db_exec(db,
                 "UPDATE integrations SET deleted_at = $3, status = 'disconnected',"
                 " status_reason = NULL, next_run_at = NULL, updated_at = $3"
                 " WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL",
                 DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(id), DB_INT(now)), &changes, err);
    if (rc == 0 && changes == 0)
        rc = not_found(err, id);
    if (rc == 0)
        rc = db_exec(db, "DELETE FROM credentials WHERE tenant_id = $1 AND integration_id = $2",
                     DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(id)), NULL, err);
    return rc;
}

/* Unix seconds as an RFC 3339 string; null for 0 (never set) and for what
 * no RFC 3339 text can spell. */
static void put_time(struct buf *b, int64_t sec)
{
    char t[TIME_RFC3339_MAX];
    if (sec == 0 || sec < TIME_MIN_MS / 1000 || sec > TIME_MAX_MS / 1000) {
        buf_puts(b, "null");
        return;
    }
    time_format_rfc3339_sec(t, sec * 1000);
    buf_put_json_str(b, t);
}

void integration_format(const struct integration *it, struct buf *b)
{
    buf_puts(b, "{\"id\":");
    buf_put_json_str(b, it->id);
    buf_puts(b, ",\"connector\":");
    buf_put_json_str(b, it->connector);
    buf_puts(b, ",\"name\":");
    buf_put_json_str(b, it->name);
    /* Stored as validated JSON text: embedded as it is. */
    buf_puts(b, ",\"config\":");
    buf_puts(b, it->config && *it->config ? it->config : "{}");
    buf_puts(b, ",\"status\":");
    buf_put_json_str(b, it->status);
    buf_puts(b, ",\"status_reason\":");
    buf_put_json_str(b, it->status_reason);
    /* Stored canonical by sched/schedule.c: a JSON object, embedded. */
    buf_puts(b, ",\"schedule\":");
    if (it->schedule && it->schedule[0] == '{')
        buf_puts(b, it->schedule);
    else
        buf_put_json_str(b, it->schedule);
    buf_puts(b, ",\"next_run_at\":");
    put_time(b, it->next_run_at);
    buf_puts(b, ",\"connection\":");
    buf_puts(b, it->connection && *it->connection ? it->connection : "{}");
    buf_puts(b, ",\"secrets_set\":");
    buf_puts(b, it->secret_names && *it->secret_names ? it->secret_names : "[]");
    buf_puts(b, ",\"created_at\":");
    put_time(b, it->created_at);
    buf_puts(b, ",\"updated_at\":");
    put_time(b, it->updated_at);
    buf_putc(b, '}');
}

int integration_run_by(struct db *db, const char *tenant_id, const char *id, int64_t at,
                       struct err *err)
{
    int64_t n = 0;
    int rc = db_exec(db,
                     "UPDATE integrations SET next_run_at = $3 WHERE tenant_id = $1 AND id = $2"
                     " AND deleted_at IS NULL AND (next_run_at IS NULL OR next_run_at > $3)",
                     DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(id), DB_INT(at)), &n, err);
    if (rc < 0)
        return rc;
    if (n == 0) { /* an earlier run is due already, or there is no such integration */
        struct integration it = {0};
        rc = integration_get(&it, db, tenant_id, id, err);
        integration_dispose(&it);
    }
    return rc;
}
