/* sync/loader.c - see loader.h. SQLite: each record is upserted at once by
 * prepared statements inside the batch's transaction (INSERT ... ON
 * CONFLICT DO NOTHING, then, when it did nothing, an UPDATE that only
 * matches when a value differs: created, updated and unchanged fall out of
 * the change counts). PostgreSQL: a batch's records of a stream are kept
 * as COPY text and streamed, a chunk at a time while the batch builds, by
 * COPY into a temporary table of the stream; at the commit one INSERT ...
 * SELECT DISTINCT ON (keys) ... ON CONFLICT DO UPDATE ... WHERE (row) IS
 * DISTINCT FROM (new row) merges them into the table, and its RETURNING
 * (xmax = 0) tells inserts from updates. docs/internals/sync.md has the
 * table layout and the type rules (sync/columns.h). */
#include "sync/loader.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/jsonschema.h"
#include "core/jsonx.h"
#include "core/time.h"
#include "sync/columns.h"

#define STREAMS_MAX 1000 /* streams in one load */

/* PostgreSQL: COPY text a stream holds before sending it. The server
 * parses and stores a chunk while we build the next (the second core), and
 * memory stays this size whatever the batch size. 64 KiB is about 150 rows
 * of bench/load's stream; larger chunks measured no faster. */
#define STAGE_CHUNK ((size_t)64 * 1024)

/* Our own columns, after the stream's: in this order in every table. */
#define OWN_COLUMNS "_inlet_synced_at, _inlet_deleted_at, _inlet_version"

struct stream {
    char *name;
    char table[COL_NAME_MAX + 1];
    struct col_set cols;          /* the table's columns, as they are now */
    struct jsonschema *validator; /* of the latest SCHEMA */
    struct json_object *schema;   /* a reference, kept while the validator lives */
    bool keyed;
    bool appended; /* the caller's answer at the latest SCHEMA (loader_appended_fn) */
    /* SQLite: the two statements, rebuilt when the columns change. */
    char *sql_insert, *sql_update;
    /* PostgreSQL: the COPY text not sent yet (under STAGE_CHUNK plus a
     * row), the rows staged in this batch (sent or not; also their order),
     * and whether pg_temp._inlet_stage_<index> exists in the table's
     * current shape in this transaction. */
    struct buf copy;
    size_t staged;
    bool stage_made;
    size_t index;           /* in loader.streams */
    struct loader_counts n; /* this stream's part of loader.n */
};

struct loader {
    struct loader_opts o;
    bool pg;
    char schema_q[COL_NAME_MAX + 4]; /* "\"s\"." or "" */
    struct stream *streams[STREAMS_MAX];
    size_t nstreams;
    /* PostgreSQL: the stream whose COPY is open on the connection, NULL
     * when none. No other statement can run until it ends (copy_close),
     * so every path that runs one closes it first. */
    struct stream *copying;
    bool in_tx, failed, meta_ready;
    size_t in_batch;                   /* records in the open transaction */
    struct json_object *pending_state; /* NULL is JSON null when have_state */
    bool have_state;
    struct loader_counts n;
    struct buf errors;
    size_t nerrors;
    struct json_object **row; /* the record's value per column (borrowed) */
    size_t nrow;
    struct db_val *vals; /* SQLite binding scratch */
    size_t nvals;
    struct buf scratch; /* values formatted for binding (SQLite) */
};

/* ---- helpers ---- */

static void table_ref(struct buf *b, const struct loader *l, const char *table)
{
    buf_puts(b, l->schema_q);
    col_quote(b, table);
}

static int exec_sql(struct loader *l, const char *sql, int64_t *changes, struct err *err)
{
    return db_exec(l->o.db, sql, NULL, 0, changes, err);
}

static int tx_begin(struct loader *l, struct err *err)
{
    if (l->in_tx)
        return 0;
    /* A sync's batches write its tenant's rows (state, run counters): on
     * PostgreSQL row-level security only lets them through for it. */
    int rc =
        l->o.tenant_id ? db_begin_tenant(l->o.db, l->o.tenant_id, err) : db_begin(l->o.db, err);
    if (rc == 0)
        l->in_tx = true;
    return rc;
}

/* Roll back the open batch, ending its COPY first (the db layer rolls
 * back only an idle connection). */
static void tx_abort(struct loader *l)
{
    if (!l->in_tx)
        return;
    l->copying = NULL;
    db_copy_abort(l->o.db);
    db_rollback(l->o.db);
    l->in_tx = false;
}

/* The metadata table, and the schema on PostgreSQL, once per load. */
static int meta_ensure(struct loader *l, struct err *err)
{
    struct buf sql;
    int rc = 0;
    if (l->meta_ready)
        return 0;
    buf_init(&sql, 0);
    if (l->pg && l->o.pg_schema) {
        buf_puts(&sql, "CREATE SCHEMA IF NOT EXISTS ");
        col_quote(&sql, l->o.pg_schema);
        rc = exec_sql(l, buf_cstr(&sql), NULL, err);
    }
    if (rc == 0) {
        buf_reset(&sql);
        buf_printf(&sql,
                   "CREATE TABLE IF NOT EXISTS %s_inlet_columns (table_name TEXT NOT NULL,"
                   " column_name TEXT NOT NULL, property TEXT NOT NULL, type TEXT NOT NULL,"
                   " is_key INTEGER NOT NULL, position INTEGER NOT NULL,"
                   " PRIMARY KEY (table_name, column_name))",
                   l->schema_q);
        rc = exec_sql(l, buf_cstr(&sql), NULL, err);
    }
    if (rc == 0) {
        buf_reset(&sql);
        buf_printf(&sql,
                   "CREATE TABLE IF NOT EXISTS %s_inlet_tables (prefix TEXT NOT NULL,"
                   " stream TEXT NOT NULL, table_name TEXT NOT NULL UNIQUE,"
                   " PRIMARY KEY (prefix, stream))",
                   l->schema_q);
        rc = exec_sql(l, buf_cstr(&sql), NULL, err);
    }
    buf_dispose(&sql);
    if (rc == 0)
        l->meta_ready = true;
    return rc;
}

static struct stream *stream_find(struct loader *l, const char *name)
{
    for (size_t i = 0; i < l->nstreams; i++)
        if (strcmp(l->streams[i]->name, name) == 0)
            return l->streams[i];
    return NULL;
}

static void stream_free(struct stream *s)
{
    if (!s)
        return;
    xfree(s->name);
    col_set_dispose(&s->cols);
    jsonschema_free(s->validator);
    json_object_put(s->schema);
    xfree(s->sql_insert);
    xfree(s->sql_update);
    buf_dispose(&s->copy);
    xfree(s);
}

/* ---- the table's layout ---- */

/* Set s->table: the one _inlet_tables gives the stream, or a new one,
 * recorded there. Streams whose names normalize alike ("Users", "users")
 * get "users", "users_2", ... in the order they first reach this schema,
 * and keep them. Keyed by prefix too: two integrations' "users" streams
 * are different streams. */
static int table_claim(struct loader *l, struct stream *s, struct err *err)
{
    char base[COL_NAME_MAX + 1];
    struct buf find, taken, claim;
    struct db_rows *r = NULL;
    const char *prefix = l->o.table_prefix ? l->o.table_prefix : "";
    int64_t n = 0;
    int rc;

    buf_init(&find, 0);
    buf_init(&taken, 0);
    buf_init(&claim, 0);
    buf_printf(&find, "SELECT table_name FROM %s_inlet_tables WHERE prefix = $1 AND stream = $2",
               l->schema_q);
    buf_printf(&taken, "SELECT count(*) FROM %s_inlet_tables WHERE table_name = $1", l->schema_q);
    buf_printf(&claim,
               "INSERT INTO %s_inlet_tables (prefix, stream, table_name) VALUES ($1, $2, $3)",
               l->schema_q);
    rc = db_query(&r, l->o.db, buf_cstr(&find), DB_ARGS(DB_TEXT(prefix), DB_TEXT(s->name)), err);
    if (rc == 0 && (rc = db_rows_next(r, err)) == 1) {
        snprintf(s->table, sizeof(s->table), "%s", db_rows_text(r, 0));
        rc = col_name_valid(s->table) ? 0
                                      : err_set(err, ERR_INVALID,
                                                "_inlet_tables names the table of stream %s "
                                                "\"%.64s\", which is not an inlet table name",
                                                s->name, s->table);
        goto out;
    }
    if (rc < 0)
        goto out;
    db_rows_free(r);
    r = NULL;
    col_table_name(base, sizeof(base), l->o.table_prefix, s->name);
    memcpy(s->table, base, sizeof(base));
    for (unsigned k = 2;; k++) {
        rc = db_query_int(&n, l->o.db, buf_cstr(&taken), DB_ARGS(DB_TEXT(s->table)), err);
        if (rc < 0 || n == 0)
            break;
        char suffix[16];
        int sn = snprintf(suffix, sizeof(suffix), "_%u", k);
        snprintf(s->table, sizeof(s->table), "%.*s%s", COL_NAME_MAX - sn, base, suffix);
    }
    if (rc == 0)
        rc = db_exec(l->o.db, buf_cstr(&claim),
                     DB_ARGS(DB_TEXT(prefix), DB_TEXT(s->name), DB_TEXT(s->table)), NULL, err);
out:
    db_rows_free(r);
    buf_dispose(&find);
    buf_dispose(&taken);
    buf_dispose(&claim);
    return rc;
}

/* Read the table's columns from _inlet_columns into s->cols (empty when the
 * table is new). */
static int layout_read(struct loader *l, struct stream *s, struct err *err)
{
    struct db_rows *r = NULL;
    struct buf sql;
    buf_init(&sql, 0);
    buf_printf(&sql,
               "SELECT column_name, property, type, is_key FROM %s_inlet_columns"
               " WHERE table_name = $1 ORDER BY position",
               l->schema_q);
    int rc = db_query(&r, l->o.db, buf_cstr(&sql), DB_ARGS(DB_TEXT(s->table)), err);
    buf_dispose(&sql);
    if (rc < 0)
        return rc;
    while ((rc = db_rows_next(r, err)) == 1) {
        s->cols.v = xrealloc(s->cols.v, (s->cols.n + 1) * sizeof(*s->cols.v));
        struct col *c = &s->cols.v[s->cols.n++];
        memset(c, 0, sizeof(*c));
        c->name = xstrdup(db_rows_text(r, 0));
        c->property = xstrdup(db_rows_text(r, 1));
        c->type = col_type_parse(db_rows_text(r, 2));
        c->key = db_rows_int(r, 3) != 0;
    }
    db_rows_free(r);
    return rc;
}

/* A table dropped by hand (the reset of a table, see keys_changed) leaves
 * its layout behind in _inlet_columns: forget it, so that the table is
 * made again as new. Once per stream and load, when the layout says the
 * table exists. */
static int layout_check(struct loader *l, struct stream *s, struct err *err)
{
    struct buf ref, sql;
    int64_t there = 0;
    int rc;

    if (s->cols.n == 0)
        return 0;
    buf_init(&ref, 0);
    buf_init(&sql, 0);
    table_ref(&ref, l, s->table);
    rc = l->pg ? db_query_int(&there, l->o.db, "SELECT count(to_regclass($1))",
                              DB_ARGS(DB_TEXT(buf_cstr(&ref))), err)
               : db_query_int(&there, l->o.db,
                              "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND"
                              " name = $1",
                              DB_ARGS(DB_TEXT(s->table)), err);
    if (rc == 0 && !there) {
        buf_printf(&sql, "DELETE FROM %s_inlet_columns WHERE table_name = $1", l->schema_q);
        rc = db_exec(l->o.db, buf_cstr(&sql), DB_ARGS(DB_TEXT(s->table)), NULL, err);
        col_set_dispose(&s->cols);
    }
    buf_dispose(&ref);
    buf_dispose(&sql);
    return rc;
}

static int layout_write_col(struct loader *l, const struct stream *s, size_t i, bool update,
                            struct err *err)
{
    const struct col *c = &s->cols.v[i];
    struct buf sql;
    buf_init(&sql, 0);
    if (update)
        buf_printf(&sql,
                   "UPDATE %s_inlet_columns SET type = $3 WHERE table_name = $1 AND"
                   " column_name = $2",
                   l->schema_q);
    else
        buf_printf(&sql,
                   "INSERT INTO %s_inlet_columns (table_name, column_name, type, property,"
                   " is_key, position) VALUES ($1, $2, $3, $4, $5, $6)",
                   l->schema_q);
    int rc =
        update
            ? db_exec(l->o.db, buf_cstr(&sql),
                      DB_ARGS(DB_TEXT(s->table), DB_TEXT(c->name), DB_TEXT(col_type_name(c->type))),
                      NULL, err)
            : db_exec(l->o.db, buf_cstr(&sql),
                      DB_ARGS(DB_TEXT(s->table), DB_TEXT(c->name), DB_TEXT(col_type_name(c->type)),
                              DB_TEXT(c->property), DB_INT(c->key ? 1 : 0), DB_INT((int64_t)i)),
                      NULL, err);
    buf_dispose(&sql);
    return rc;
}

/* CREATE TABLE for s->cols. */
static int table_create(struct loader *l, struct stream *s, struct err *err)
{
    struct buf sql;
    bool first_key = true;
    buf_init(&sql, 0);
    buf_puts(&sql, "CREATE TABLE IF NOT EXISTS ");
    table_ref(&sql, l, s->table);
    buf_puts(&sql, " (");
    for (size_t i = 0; i < s->cols.n; i++) {
        col_quote(&sql, s->cols.v[i].name);
        buf_printf(&sql, " %s%s, ", col_sql_type(s->cols.v[i].type, l->pg),
                   s->cols.v[i].key ? " NOT NULL" : "");
    }
    buf_printf(&sql, "_inlet_synced_at %s NOT NULL, _inlet_deleted_at %s, _inlet_version BIGINT",
               l->pg ? "TIMESTAMPTZ" : "TEXT", l->pg ? "TIMESTAMPTZ" : "TEXT");
    for (size_t i = 0; i < s->cols.n; i++) {
        if (!s->cols.v[i].key)
            continue;
        buf_puts(&sql, first_key ? ", PRIMARY KEY (" : ", ");
        col_quote(&sql, s->cols.v[i].name);
        first_key = false;
    }
    buf_puts(&sql, first_key ? ")" : "))");
    if (!first_key && !l->pg)
        buf_puts(&sql, " WITHOUT ROWID");
    int rc = exec_sql(l, buf_cstr(&sql), NULL, err);
    for (size_t i = 0; rc == 0 && i < s->cols.n; i++)
        rc = layout_write_col(l, s, i, false, err);
    buf_dispose(&sql);
    return rc;
}

/* Apply a merge's changes: columns added, columns widened (a DDL change on
 * PostgreSQL; SQLite stores any value in any column, so only the recorded
 * type moves there). */
static int table_alter(struct loader *l, struct stream *s, const struct col_change *ch, size_t n,
                       struct err *err)
{
    struct buf sql;
    int rc = 0;
    buf_init(&sql, 0);
    for (size_t i = 0; i < n && rc == 0; i++) {
        const struct col *c = &s->cols.v[ch[i].index];
        buf_reset(&sql);
        if (ch[i].kind == COL_ADD) {
            buf_puts(&sql, "ALTER TABLE ");
            table_ref(&sql, l, s->table);
            buf_puts(&sql, " ADD COLUMN ");
            col_quote(&sql, c->name);
            buf_printf(&sql, " %s", col_sql_type(c->type, l->pg));
            rc = exec_sql(l, buf_cstr(&sql), NULL, err);
            if (rc == 0)
                rc = layout_write_col(l, s, ch[i].index, false, err);
        } else {
            if (l->pg) {
                buf_puts(&sql, "ALTER TABLE ");
                table_ref(&sql, l, s->table);
                buf_puts(&sql, " ALTER COLUMN ");
                col_quote(&sql, c->name);
                buf_printf(&sql, " TYPE %s USING ", col_sql_type(c->type, true));
                col_quote(&sql, c->name);
                buf_printf(&sql, "::%s", col_sql_type(c->type, true));
                rc = exec_sql(l, buf_cstr(&sql), NULL, err);
            }
            if (rc == 0)
                rc = layout_write_col(l, s, ch[i].index, true, err);
        }
    }
    buf_dispose(&sql);
    return rc;
}

/* PostgreSQL: merge a stream's staged rows into its table, and end the
 * COPY in progress (below). */
static int stage_flush(struct loader *l, struct stream *s, struct err *err);
static int copy_close(struct loader *l, struct err *err);

/* ---- SQLite: the two statements of a stream ---- */

/* INSERT ... ON CONFLICT (keys) DO NOTHING, and the UPDATE that only
 * matches a row whose values differ. Parameters: $1..$n the columns, then
 * synced_at, deleted_at, version. */
static void sqlite_statements(struct loader *l, struct stream *s)
{
    struct buf ins, upd, same;
    size_t n = s->cols.n;
    bool first_key = true;

    buf_init(&ins, 0);
    buf_init(&upd, 0);
    buf_init(&same, 0);
    buf_puts(&ins, "INSERT INTO ");
    table_ref(&ins, l, s->table);
    buf_puts(&ins, " (");
    buf_puts(&upd, "UPDATE ");
    table_ref(&upd, l, s->table);
    buf_puts(&upd, " SET ");
    for (size_t i = 0; i < n; i++) {
        col_quote(&ins, s->cols.v[i].name);
        buf_puts(&ins, ", ");
        col_quote(&upd, s->cols.v[i].name);
        buf_printf(&upd, " = $%zu, ", i + 1);
        col_quote(&same, s->cols.v[i].name);
        buf_puts(&same, ", ");
    }
    buf_printf(&ins, OWN_COLUMNS ") VALUES (");
    for (size_t i = 0; i < n + 3; i++)
        buf_printf(&ins, "%s$%zu", i ? ", " : "", i + 1);
    buf_puts(&ins, ")");
    buf_printf(&upd, "_inlet_synced_at = $%zu, _inlet_deleted_at = $%zu, _inlet_version = $%zu",
               n + 1, n + 2, n + 3);
    /* One row-value comparison, not a chain of ANDs: SQLite parses a chain
     * as a tree as deep as the table is wide, and refuses one deeper than
     * 1000 ("Expression tree is too large"). */
    buf_puts(&same, "_inlet_deleted_at, _inlet_version) IS NOT (");
    for (size_t i = 0; i < n; i++)
        buf_printf(&same, "$%zu, ", i + 1);
    buf_printf(&same, "$%zu, $%zu)", n + 2, n + 3);
    if (s->keyed) {
        buf_puts(&ins, " ON CONFLICT (");
        buf_puts(&upd, " WHERE ");
        for (size_t i = 0; i < n; i++) {
            if (!s->cols.v[i].key)
                continue;
            buf_puts(&ins, first_key ? "" : ", ");
            col_quote(&ins, s->cols.v[i].name);
            buf_puts(&upd, first_key ? "" : " AND ");
            col_quote(&upd, s->cols.v[i].name);
            buf_printf(&upd, " = $%zu", i + 1);
            first_key = false;
        }
        buf_printf(&ins, ") DO NOTHING");
        buf_printf(&upd, " AND (%s", buf_cstr(&same));
    }
    xfree(s->sql_insert);
    xfree(s->sql_update);
    s->sql_insert = buf_take(&ins);
    s->sql_update = s->keyed ? buf_take(&upd) : NULL;
    buf_dispose(&upd);
    buf_dispose(&same);
}

/* ---- SCHEMA ---- */

/* The key properties of cols as a JSON array, shortened past 64 bytes. */
static void put_keys(struct buf *b, const struct col_set *cols)
{
    size_t start = b->n;
    bool first = true;

    buf_putc(b, '[');
    for (size_t i = 0; i < cols->n; i++) {
        if (!cols->v[i].key)
            continue;
        if (!first)
            buf_putc(b, ',');
        buf_put_json_str(b, cols->v[i].property);
        first = false;
        if (b->n - start > 64) {
            buf_puts(b, "...");
            break;
        }
    }
    buf_putc(b, ']');
}

/* The error for a SCHEMA whose keys differ from those s's table was made
 * with. Its primary key is not changed behind the user's back (dropping
 * it keeps duplicates forever; adding one fails on those already there):
 * the message names the reset instead. DROP TABLE is enough, since a
 * dropped table is made again (layout_check); a full sync then fills it,
 * as an incremental one would start from the bookmark. */
static int keys_changed(struct loader *l, const struct stream *s, const struct col_set *incoming,
                        struct err *err)
{
    struct buf was, now, ref;
    bool keyed = false;
    int rc;

    buf_init(&was, 0);
    buf_init(&now, 0);
    buf_init(&ref, 0);
    for (size_t i = 0; i < s->cols.n; i++)
        keyed |= s->cols.v[i].key;
    put_keys(&was, &s->cols);
    put_keys(&now, incoming);
    table_ref(&ref, l, s->table);
    if (s->appended && keyed)
        rc = err_set(err, ERR_INVALID,
                     "stream %.64s: its table %s was created with key %s; switching it to an "
                     "append mode needs a reset: DROP TABLE %s, then run a full sync",
                     s->name, s->table, buf_cstr(&was), buf_cstr(&ref));
    else if (!keyed)
        rc = err_set(err, ERR_INVALID,
                     "stream %.64s: its table %s was created without a key (appended); upserting "
                     "by %s needs a reset: DROP TABLE %s, then run a full sync",
                     s->name, s->table, buf_cstr(&now), buf_cstr(&ref));
    else
        rc = err_set(err, ERR_INVALID,
                     "stream %.64s: key_properties changed from %s to %s; its table %s keeps the "
                     "ones it was made with until a reset: DROP TABLE %s, then run a full sync",
                     s->name, buf_cstr(&was), buf_cstr(&now), s->table, buf_cstr(&ref));
    buf_dispose(&was);
    buf_dispose(&now);
    buf_dispose(&ref);
    return rc;
}

static int on_schema(struct loader *l, const struct singer_msg *m, struct err *err)
{
    struct col_set incoming = {0};
    struct col_change *changes = NULL;
    size_t nchanges = 0;
    struct jsonschema *validator = NULL;
    struct stream *s = stream_find(l, m->stream);
    bool fresh = !s;
    int rc;

    /* The loader keeps no reference into a message (which another thread
     * may release, singer/reader.h): the schema it keeps is its own copy. */
    struct json_object *schema = NULL;
    if (json_object_deep_copy(m->schema, &schema, NULL) != 0)
        return err_set(err, ERR_IO, "stream %s: copying its schema failed", m->stream);
    if (jsonschema_new(&validator, schema, err) < 0) {
        json_object_put(schema);
        return err_set(err, ERR_INVALID, "stream %s: its schema is not one inlet can check: %s",
                       m->stream, err->msg);
    }
    bool appended = l->o.appended && l->o.appended(l->o.ctx, m->stream);
    rc = col_set_from_schema(&incoming, schema, appended ? NULL : m->key_properties, err);
    if (rc == 0 && fresh && l->nstreams == STREAMS_MAX)
        rc = err_set(err, ERR_TOOBIG, "more than %d streams in one load", STREAMS_MAX);
    if (rc == 0 && l->pg) /* the statements below cannot run during a COPY */
        rc = copy_close(l, err);
    if (rc == 0 && (rc = tx_begin(l, err)) == 0)
        rc = meta_ensure(l, err);
    /* Rows staged in the old shape go in before the shape changes. */
    if (rc == 0 && !fresh && l->pg)
        rc = stage_flush(l, s, err);
    if (rc == 0 && fresh) {
        s = xcalloc(1, sizeof(*s));
        s->name = xstrdup(m->stream);
        buf_init(&s->copy, 0);
        s->index = l->nstreams;
        l->streams[l->nstreams++] = s;
        rc = table_claim(l, s, err);
        if (rc == 0)
            rc = layout_read(l, s, err);
        if (rc == 0)
            rc = layout_check(l, s, err);
    }
    if (rc == 0)
        s->appended = appended;
    if (rc == 0 && s->cols.n == 0) {
        col_set_dispose(&s->cols);
        s->cols = incoming;
        incoming = (struct col_set){0};
        rc = table_create(l, s, err);
    } else if (rc == 0) {
        /* The keys a table was made with are its primary key: they stay. */
        for (size_t i = 0; rc == 0 && i < incoming.n; i++) {
            const struct col *t = NULL;
            for (size_t j = 0; j < s->cols.n && !t; j++)
                if (strcmp(s->cols.v[j].property, incoming.v[i].property) == 0)
                    t = &s->cols.v[j];
            if ((t && t->key != incoming.v[i].key) || (!t && incoming.v[i].key))
                rc = keys_changed(l, s, &incoming, err);
        }
        if (rc == 0)
            rc = col_set_merge(&s->cols, &incoming, &changes, &nchanges, err);
        if (rc == 0 && nchanges)
            rc = table_alter(l, s, changes, nchanges, err);
    }
    if (rc == 0) {
        s->keyed = false;
        for (size_t i = 0; i < s->cols.n; i++)
            s->keyed |= s->cols.v[i].key;
        jsonschema_free(s->validator);
        json_object_put(s->schema);
        s->validator = validator;
        s->schema = json_object_get(schema);
        validator = NULL;
        if (!l->pg)
            sqlite_statements(l, s);
    }
    jsonschema_free(validator);
    json_object_put(schema);
    col_set_dispose(&incoming);
    xfree(changes);
    return rc;
}

/* ---- RECORD ---- */

static void record_error(struct loader *l, const struct stream *s, const char *what)
{
    if (l->nerrors++ >= LOADER_ERRORS_KEPT)
        return;
    buf_printf(&l->errors, "%s: record %" PRId64 ": %s\n", s->name, l->n.processed, what);
}

/* Widen the columns the record's values do not fit; on PostgreSQL the rows
 * staged so far are merged first (their COPY text has the old shape). */

static int fit_record(struct loader *l, struct stream *s, struct err *err)
{
    struct col_change *ch = NULL;
    size_t nch = 0;
    int rc = 0;
    for (size_t i = 0; i < s->cols.n && rc == 0; i++) {
        struct col *c = &s->cols.v[i];
        struct json_object *v = l->row[i];
        if (!v || col_value_fits(c->type, v))
            continue;
        enum col_type to = col_widen(c->type, col_value_type(v));
        if (to == c->type)
            continue;
        if (l->pg && s->staged && (rc = stage_flush(l, s, err)) < 0)
            break;
        ch = xrealloc(ch, (nch + 1) * sizeof(*ch));
        ch[nch++] = (struct col_change){.kind = COL_ALTER, .index = i, .from = c->type};
        c->type = to;
    }
    if (rc == 0 && nch && l->pg) /* another stream's COPY may be open */
        rc = copy_close(l, err);
    if (rc == 0 && nch)
        rc = table_alter(l, s, ch, nch, err);
    xfree(ch);
    return rc;
}

/* v in decimal: a tenth of buf_printf's cost, and a record has several
 * (bench/load: 5% of inlet's instructions went to vsnprintf). */
static void put_int64(struct buf *b, int64_t v)
{
    char t[24], *p = t + sizeof(t);
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--p = '-';
    buf_put(b, p, (size_t)(t + sizeof(t) - p));
}

/* One value in COPY text; scratch is reused for the JSON text of numbers,
 * objects and arrays (no allocation per value). */
static void copy_value(struct buf *b, struct buf *scratch, struct json_object *v, enum col_type t)
{
    if (!v) {
        buf_puts(b, "\\N");
        return;
    }
    switch (json_object_get_type(v)) {
    case json_type_boolean:
        buf_puts(b, t == COL_BOOLEAN ? (json_object_get_boolean(v) ? "t" : "f")
                                     : (json_object_get_boolean(v) ? "true" : "false"));
        return;
    case json_type_string:
        db_copy_escape(b, json_object_get_string(v), (size_t)json_object_get_string_len(v));
        return;
    case json_type_int:
        if (col_value_type(v) == COL_INTEGER) {
            put_int64(b, json_object_get_int64(v));
            return;
        }
        __attribute__((fallthrough)); /* a uint64 past INT64_MAX, as written */
    default:
        /* Decimals as written, objects and arrays as compact JSON. */
        buf_reset(scratch);
        jsonx_format(scratch, v);
        db_copy_escape(b, scratch->p ? scratch->p : "", scratch->n);
    }
}

/* Whether decimal v (as written) has at most 15 significant digits, so
 * that a double holds it and SQLite gives it back as written (it prints
 * REALs with 15 digits). */
static bool exact_in_double(struct json_object *v)
{
    struct buf t;
    int digits = 0;
    bool lead = true, ok;
    buf_init(&t, 0);
    jsonx_format(&t, v);
    for (const char *p = buf_cstr(&t); *p && *p != 'e' && *p != 'E'; p++) {
        if (*p < '0' || *p > '9')
            continue;
        if (lead && *p == '0')
            continue;
        lead = false;
        digits++;
    }
    ok = digits <= 15 && !strpbrk(buf_cstr(&t), "eE");
    buf_dispose(&t);
    return ok;
}

/* One value for a SQLite parameter; text values are formatted into
 * scratch at offset *at (pointers are fixed up once scratch stops
 * growing, see bind_all). */
static struct db_val sqlite_value(struct buf *scratch, size_t *offs, size_t i,
                                  struct json_object *v)
{
    switch (json_object_get_type(v)) {
    case json_type_null:
        return DB_NULL;
    case json_type_boolean:
        return DB_INT(json_object_get_boolean(v) ? 1 : 0);
    case json_type_int:
        if (col_value_type(v) == COL_INTEGER)
            return DB_INT(json_object_get_int64(v));
        break; /* a uint64 past INT64_MAX goes as its text, below */
    case json_type_double:
        if (exact_in_double(v))
            return DB_DOUBLE(json_object_get_double(v));
        break; /* more digits than a double keeps: its text */
    default:
        break;
    }
    offs[i] = scratch->n;
    if (json_object_is_type(v, json_type_string))
        buf_put(scratch, json_object_get_string(v), (size_t)json_object_get_string_len(v));
    else
        jsonx_format(scratch, v);
    buf_putc(scratch, '\0');
    return (struct db_val){.type = DB_VAL_TEXT, .n = scratch->n - offs[i] - 1};
}

static int record_sqlite(struct loader *l, struct stream *s, const struct singer_msg *m,
                         bool deleted, const char *now, struct err *err)
{
    size_t n = s->cols.n, np = n + 3;
    size_t *offs = xcalloc(np, sizeof(*offs));
    int64_t changes = 0;
    int rc;

    if (l->nvals < np) {
        l->vals = xrealloc(l->vals, np * sizeof(*l->vals));
        l->nvals = np;
    }
    buf_reset(&l->scratch);
    for (size_t i = 0; i < n; i++) {
        offs[i] = SIZE_MAX;
        l->vals[i] = sqlite_value(&l->scratch, offs, i, l->row[i]);
    }
    for (size_t i = 0; i < n; i++) /* scratch no longer moves */
        if (l->vals[i].type == DB_VAL_TEXT)
            l->vals[i].v.p = l->scratch.p + offs[i];
    l->vals[n] = DB_TEXT(now);
    l->vals[n + 1] = deleted ? DB_TEXT(now) : DB_NULL;
    l->vals[n + 2] = m->has_version ? DB_INT(m->version) : DB_NULL;
    rc = db_exec(l->o.db, s->sql_insert, l->vals, np, &changes, err);
    if (rc == 0 && changes == 1) {
        l->n.created++;
        s->n.created++;
    } else if (rc == 0 && s->keyed) {
        rc = db_exec(l->o.db, s->sql_update, l->vals, np, &changes, err);
        if (rc == 0 && changes == 1) {
            l->n.updated++;
            s->n.updated++;
        } else if (rc == 0) {
            l->n.unchanged++;
            s->n.unchanged++;
        }
    }
    xfree(offs);
    return rc;
}

static int stage_send(struct loader *l, struct stream *s, struct err *err);

static int record_pg(struct loader *l, struct stream *s, const struct singer_msg *m, bool deleted,
                     struct err *err)
{
    struct buf *b = &s->copy;
    for (size_t i = 0; i < s->cols.n; i++) {
        copy_value(b, &l->scratch, l->row[i], s->cols.v[i].type);
        buf_putc(b, '\t');
    }
    /* deleted_at, version, then the staging order */
    buf_puts(b, deleted ? "now\t" : "\\N\t");
    if (m->has_version)
        put_int64(b, m->version);
    else
        buf_puts(b, "\\N");
    buf_putc(b, '\t');
    put_int64(b, (int64_t)s->staged++);
    buf_putc(b, '\n');
    return b->n >= STAGE_CHUNK ? stage_send(l, s, err) : 0;
}

/* Point l->row[i] at the record's value for column i (NULL when absent). */
static void row_fill(struct loader *l, const struct stream *s, struct json_object *rec)
{
    if (l->nrow < s->cols.n) {
        l->row = xrealloc(l->row, s->cols.n * sizeof(struct json_object *));
        l->nrow = s->cols.n;
    }
    for (size_t i = 0; i < s->cols.n; i++)
        l->row[i] = json_object_object_get(rec, s->cols.v[i].property);
}

/* What the schema allows but no table can hold, said in why: a key
 * property without a value (the primary key is NOT NULL), and a string
 * holding "\u0000", which PostgreSQL's text cannot store; SQLite could,
 * but both engines refuse it so that they always hold the same rows. */
static bool row_refused(const struct loader *l, const struct stream *s, struct buf *why)
{
    struct jsonx_ptr p;
    for (size_t i = 0; i < s->cols.n; i++) {
        struct json_object *v = l->row[i];
        const char *what = NULL;
        if (s->cols.v[i].key && !v)
            what = "a key property, so it must have a value";
        else if (json_object_is_type(v, json_type_string) &&
                 memchr(json_object_get_string(v), '\0', (size_t)json_object_get_string_len(v)))
            what = "\"\\u0000\" in a string, which PostgreSQL cannot store";
        if (!what)
            continue;
        jsonx_ptr_init(&p);
        jsonx_ptr_push(&p, s->cols.v[i].property);
        buf_printf(why, "%s: %s", jsonx_ptr_cstr(&p), what);
        return true;
    }
    return false;
}

/* Count a record that cannot be loaded and keep why; fatal when strict. */
static int record_failed(struct loader *l, struct stream *s, const char *why, struct err *err)
{
    l->n.failed++;
    s->n.failed++;
    record_error(l, s, why);
    if (l->o.strict)
        return err_set(err, ERR_INVALID, "%s: record %" PRId64 " is invalid: %s", s->name,
                       l->n.processed, why);
    return 0;
}

static int on_record(struct loader *l, const struct singer_msg *m, const char *now, struct err *err)
{
    struct stream *s = stream_find(l, m->stream);
    struct jsonschema_result res;
    struct buf why;
    int rc;

    if (!s)
        return err_set(err, ERR_INVALID, "a RECORD of stream %s before its SCHEMA", m->stream);
    l->n.processed++;
    s->n.processed++;
    if (!jsonschema_validate(s->validator, m->record, NULL)) {
        jsonschema_validate(s->validator, m->record, &res);
        buf_init(&why, 0);
        for (size_t i = 0; i < res.count && i < 3; i++)
            buf_printf(&why, "%s%s: %s", i ? "; " : "",
                       res.errors[i].pointer[0] ? res.errors[i].pointer : "/",
                       res.errors[i].message);
        rc = record_failed(l, s, buf_cstr(&why), err);
        buf_dispose(&why);
        return rc;
    }
    row_fill(l, s, m->record);
    buf_init(&why, 0);
    if (row_refused(l, s, &why)) {
        rc = record_failed(l, s, buf_cstr(&why), err);
        buf_dispose(&why);
        return rc;
    }
    buf_dispose(&why);
    bool deleted = json_object_object_get(m->record, "_sdc_deleted_at") != NULL;
    rc = tx_begin(l, err);
    if (rc == 0)
        rc = fit_record(l, s, err);
    if (rc < 0)
        return rc;
    l->in_batch++;
    if (deleted) {
        l->n.deleted++;
        s->n.deleted++;
    }
    rc = l->pg ? record_pg(l, s, m, deleted, err) : record_sqlite(l, s, m, deleted, now, err);
    if (rc < 0 || !l->o.on_record)
        return rc;
    /* The hook runs statements of its own: a COPY open on the connection
     * must end first (the next chunk opens another). */
    rc = copy_close(l, err);
    return rc < 0 ? rc : l->o.on_record(l->o.ctx, l->o.db, m->stream, m->record, deleted, err);
}

/* ---- PostgreSQL: a stream's staged rows into its table ---- */

static void column_list(struct buf *b, const struct stream *s, const char *prefix)
{
    for (size_t i = 0; i < s->cols.n; i++) {
        buf_puts(b, prefix);
        col_quote(b, s->cols.v[i].name);
        buf_puts(b, ", ");
    }
}

/* The key columns, separated by ", " (the table's primary key). */
static void key_list(struct buf *b, const struct stream *s)
{
    bool first = true;
    for (size_t i = 0; i < s->cols.n; i++) {
        if (!s->cols.v[i].key)
            continue;
        buf_puts(b, first ? "" : ", ");
        col_quote(b, s->cols.v[i].name);
        first = false;
    }
}

/* End the COPY in progress, if any: the server has then stored its rows
 * (or says what it refused). */
static int copy_close(struct loader *l, struct err *err)
{
    if (!l->copying)
        return 0;
    l->copying = NULL;
    return db_copy_end(l->o.db, NULL, err);
}

/* The stream's staging table, pg_temp._inlet_stage_<index>: the table's
 * columns, ours, and the order. One per stream, so that a stream's COPY
 * can stop for another's and go on later in the batch; made again after
 * each merge (the table may have changed shape), and dropped at the
 * commit. Three statements a batch, under 1% of a flush (measured). */
static int stage_make(struct loader *l, struct stream *s, struct err *err)
{
    struct buf sql;
    buf_init(&sql, 0);
    buf_printf(&sql, "DROP TABLE IF EXISTS pg_temp._inlet_stage_%zu", s->index);
    int rc = exec_sql(l, buf_cstr(&sql), NULL, err);
    if (rc == 0) {
        buf_reset(&sql);
        buf_printf(&sql, "CREATE TEMP TABLE _inlet_stage_%zu (LIKE ", s->index);
        table_ref(&sql, l, s->table);
        buf_puts(&sql, ", _inlet_seq BIGINT) ON COMMIT DROP");
        rc = exec_sql(l, buf_cstr(&sql), NULL, err);
    }
    if (rc == 0) {
        buf_reset(&sql);
        buf_printf(&sql,
                   "ALTER TABLE pg_temp._inlet_stage_%zu ALTER COLUMN _inlet_synced_at"
                   " DROP NOT NULL",
                   s->index);
        rc = exec_sql(l, buf_cstr(&sql), NULL, err);
    }
    buf_dispose(&sql);
    if (rc == 0)
        s->stage_made = true;
    return rc;
}

/* Send s's pending COPY text, opening its COPY first when another stream's
 * (or none) is open. Streams that alternate switch at most once a chunk. */
static int stage_send(struct loader *l, struct stream *s, struct err *err)
{
    int rc = 0;
    if (l->copying != s) {
        struct buf sql;
        rc = copy_close(l, err);
        if (rc == 0 && !s->stage_made)
            rc = stage_make(l, s, err);
        if (rc < 0)
            return rc;
        buf_init(&sql, 0);
        buf_printf(&sql, "COPY pg_temp._inlet_stage_%zu (", s->index);
        column_list(&sql, s, "");
        buf_puts(&sql, "_inlet_deleted_at, _inlet_version, _inlet_seq) FROM STDIN");
        rc = db_copy_begin(l->o.db, buf_cstr(&sql), err);
        buf_dispose(&sql);
        if (rc < 0)
            return rc;
        l->copying = s;
    }
    rc = db_copy_put(l->o.db, s->copy.p, s->copy.n, err);
    if (rc < 0) /* a failed put has ended the COPY already */
        l->copying = NULL;
    buf_reset(&s->copy);
    return rc;
}

static int stage_flush(struct loader *l, struct stream *s, struct err *err)
{
    struct buf sql;
    struct db_rows *r = NULL;
    int rc = 0;

    if (!s->staged)
        return 0;
    if (s->copy.n)
        rc = stage_send(l, s, err);
    if (rc == 0)
        rc = copy_close(l, err);
    buf_init(&sql, 0);
    /* Into the table: the last row of each key wins; a row whose values did
     * not change is left alone. */
    if (rc == 0) {
        buf_reset(&sql);
        buf_puts(&sql, "WITH m AS (INSERT INTO ");
        table_ref(&sql, l, s->table);
        buf_puts(&sql, " AS d (");
        column_list(&sql, s, "");
        buf_puts(&sql, OWN_COLUMNS ") SELECT ");
        if (s->keyed) {
            buf_puts(&sql, "DISTINCT ON (");
            key_list(&sql, s);
            buf_puts(&sql, ") ");
        }
        column_list(&sql, s, "");
        buf_printf(&sql,
                   "now(), _inlet_deleted_at, _inlet_version FROM pg_temp._inlet_stage_%zu"
                   " ORDER BY ",
                   s->index);
        if (s->keyed) {
            key_list(&sql, s);
            buf_puts(&sql, ", ");
        }
        buf_puts(&sql, "_inlet_seq DESC");
        if (s->keyed) {
            buf_puts(&sql, " ON CONFLICT (");
            key_list(&sql, s);
            buf_puts(&sql, ") DO UPDATE SET ");
            for (size_t i = 0; i < s->cols.n; i++) {
                col_quote(&sql, s->cols.v[i].name);
                buf_puts(&sql, " = EXCLUDED.");
                col_quote(&sql, s->cols.v[i].name);
                buf_puts(&sql, ", ");
            }
            buf_puts(&sql, "_inlet_synced_at = EXCLUDED._inlet_synced_at,"
                           " _inlet_deleted_at = EXCLUDED._inlet_deleted_at,"
                           " _inlet_version = EXCLUDED._inlet_version WHERE (");
            column_list(&sql, s, "d.");
            buf_puts(&sql, "d._inlet_deleted_at, d._inlet_version) IS DISTINCT FROM (");
            column_list(&sql, s, "EXCLUDED.");
            buf_puts(&sql, "EXCLUDED._inlet_deleted_at, EXCLUDED._inlet_version)");
        }
        buf_puts(&sql, " RETURNING (xmax = 0) AS ins) SELECT count(*) FILTER (WHERE ins),"
                       " count(*) FILTER (WHERE NOT ins) FROM m");
        rc = db_query_row(&r, l->o.db, buf_cstr(&sql), NULL, 0, err);
    }
    if (rc == 0) {
        int64_t ins = db_rows_int(r, 0), upd = db_rows_int(r, 1);
        l->n.created += ins;
        l->n.updated += upd;
        l->n.unchanged += (int64_t)s->staged - ins - upd;
        s->n.created += ins;
        s->n.updated += upd;
        s->n.unchanged += (int64_t)s->staged - ins - upd;
        db_rows_free(r);
    }
    buf_dispose(&sql);
    buf_reset(&s->copy);
    s->staged = 0;
    s->stage_made = false; /* emptied and in the current shape: made again */
    return rc;
}

/* ---- the batch ---- */

/* Commit the open transaction with everything staged and the latest
 * STATE; then hand that STATE to committed. */
static int batch_commit(struct loader *l, struct err *err)
{
    int rc = 0;
    if (!l->in_tx && !l->have_state)
        return 0;
    if ((rc = tx_begin(l, err)) < 0)
        return rc;
    for (size_t i = 0; l->pg && i < l->nstreams && rc == 0; i++)
        rc = stage_flush(l, l->streams[i], err);
    assert(rc < 0 || !l->copying); /* the open COPY was a staged stream's */
    if (rc == 0 && l->have_state && l->o.save_state)
        rc = l->o.save_state(l->o.ctx, l->o.db, l->pending_state, err);
    if (rc == 0 && l->o.before_commit)
        rc = l->o.before_commit(l->o.ctx, l->o.db, err);
    if (rc == 0)
        rc = db_commit(l->o.db, err);
    l->in_tx = false;
    if (rc < 0)
        return rc;
    l->in_batch = 0;
    if (l->have_state && l->o.committed)
        l->o.committed(l->o.ctx, l->pending_state);
    json_object_put(l->pending_state);
    l->pending_state = NULL;
    l->have_state = false;
    return 0;
}

/* ACTIVATE_VERSION: rows of other versions are gone from the source. */
static int on_activate(struct loader *l, const struct singer_msg *m, const char *now,
                       struct err *err)
{
    struct stream *s = stream_find(l, m->stream);
    struct buf sql;
    int64_t gone = 0;
    if (!s)
        return err_set(err, ERR_INVALID, "ACTIVATE_VERSION of stream %s before its SCHEMA",
                       m->stream);
    if (s->appended) /* earlier rows are the stream's history: they stay */
        return 0;
    int rc = tx_begin(l, err);
    if (rc == 0 && l->pg)
        rc = stage_flush(l, s, err);
    if (rc == 0 && l->pg) /* another stream's */
        rc = copy_close(l, err);
    if (rc < 0)
        return rc;
    buf_init(&sql, 0);
    buf_puts(&sql, "UPDATE ");
    table_ref(&sql, l, s->table);
    buf_printf(&sql,
               " SET _inlet_deleted_at = %s WHERE _inlet_deleted_at IS NULL AND"
               " (_inlet_version IS NULL OR _inlet_version <> $1)",
               l->pg ? "now()" : "$2");
    rc = l->pg ? db_exec(l->o.db, buf_cstr(&sql), DB_ARGS(DB_INT(m->version)), &gone, err)
               : db_exec(l->o.db, buf_cstr(&sql), DB_ARGS(DB_INT(m->version), DB_TEXT(now)), &gone,
                         err);
    buf_dispose(&sql);
    if (rc == 0) {
        l->n.deleted += gone;
        s->n.deleted += gone;
    }
    return rc;
}

/* ---- the API ---- */

int loader_new(struct loader **out, const struct loader_opts *o, struct err *err)
{
    struct loader *l;
    *out = NULL;
    if (o->batch_size > LOADER_BATCH_MAX)
        return err_set(err, ERR_INVALID, "batch size: at most %d", LOADER_BATCH_MAX);
    if (o->pg_schema && !col_name_valid(o->pg_schema))
        return err_set(err, ERR_INVALID,
                       "schema: \"%.64s\" is not a valid name (lower-case letters, digits and _, "
                       "at most %d bytes, not starting with a digit)",
                       o->pg_schema, COL_NAME_MAX);
    l = xcalloc(1, sizeof(*l));
    l->o = *o;
    if (!l->o.batch_size)
        l->o.batch_size = LOADER_BATCH_DEFAULT;
    l->pg = strcmp(db_engine(o->db), "postgres") == 0;
    if (l->pg && o->pg_schema) {
        struct buf q;
        buf_init(&q, 0);
        col_quote(&q, o->pg_schema);
        snprintf(l->schema_q, sizeof(l->schema_q), "%s.", buf_cstr(&q));
        buf_dispose(&q);
    }
    buf_init(&l->errors, 0);
    buf_init(&l->scratch, 0);
    *out = l;
    return 0;
}

int loader_message(struct loader *l, const struct singer_msg *m, struct err *err)
{
    char now[TIME_RFC3339_MAX];
    int rc = 0;

    if (l->failed)
        return err_set(err, ERR_INVALID, "the load failed already");
    time_format_rfc3339(now, time_now_ms());
    switch (m->type) {
    case SINGER_SCHEMA:
        rc = on_schema(l, m, err);
        break;
    case SINGER_RECORD:
        rc = on_record(l, m, now, err);
        if (rc == 0 && l->in_batch >= l->o.batch_size)
            rc = batch_commit(l, err);
        break;
    case SINGER_STATE:
        json_object_put(l->pending_state);
        l->pending_state = NULL; /* NULL: a null STATE, a state too */
        if (m->value && json_object_deep_copy(m->value, &l->pending_state, NULL) != 0) {
            rc = err_set(err, ERR_IO, "copying a STATE failed");
            break;
        }
        l->have_state = true;
        /* Nothing pending: safe at once. */
        if (!l->in_tx)
            rc = batch_commit(l, err);
        break;
    case SINGER_ACTIVATE_VERSION:
        rc = on_activate(l, m, now, err);
        break;
    }
    if (rc < 0) {
        l->failed = true;
        tx_abort(l);
    }
    return rc;
}

int loader_finish(struct loader *l, struct err *err)
{
    if (l->failed)
        return err_set(err, ERR_INVALID, "the load failed already");
    int rc = batch_commit(l, err);
    if (rc < 0) {
        l->failed = true;
        tx_abort(l);
    }
    return rc;
}

void loader_stream_counts(const struct loader *l, loader_stream_fn fn, void *ctx)
{
    for (size_t i = 0; i < l->nstreams; i++)
        fn(ctx, l->streams[i]->name, &l->streams[i]->n);
}

void loader_counts(const struct loader *l, struct loader_counts *out)
{
    *out = l->n;
}

bool loader_in_batch(const struct loader *l)
{
    return l->in_tx;
}

const char *loader_errors(const struct loader *l)
{
    return buf_cstr(&l->errors);
}

void loader_free(struct loader *l)
{
    if (!l)
        return;
    tx_abort(l);
    for (size_t i = 0; i < l->nstreams; i++)
        stream_free(l->streams[i]);
    json_object_put(l->pending_state);
    buf_dispose(&l->errors);
    buf_dispose(&l->scratch);
    xfree(l->vals);
    xfree(l->row);
    xfree(l);
}
