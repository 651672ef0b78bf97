/* tests/unit/db/test_migrate.c - migrations on both engines: from empty,
 * twice, pending counts, a failing migration and injected faults leave the
 * schema as it was, concurrent migrators, and the schema's own rules
 * (sealed columns, row-level security, tenant keys, both engines in step). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "db/migrate.h"
#include "test_db.h"

/* Generated from src/db/migrations/ by scripts/embed. */
extern const struct embed_file db_migration_files[];
extern const size_t db_migration_files_count;

/* How many embedded migrations engine has. */
static int embedded(const char *engine)
{
    char dir[32];
    int n = 0;
    snprintf(dir, sizeof(dir), "/%s/", engine);
    for (size_t i = 0; i < db_migration_files_count; i++)
        n += strstr(db_migration_files[i].path, dir) != NULL;
    return n;
}

/* Rows of a text query (no parameters), one per line, into a string (xfree). */
static char *lines(struct db *db, const char *sql)
{
    struct db_rows *rows = NULL;
    struct err err = {0};
    struct buf b;
    int rc;

    buf_init(&b, 0);
    assert_db_ok(db_query(&rows, db, sql, NULL, 0, &err), &err);
    while ((rc = db_rows_next(rows, &err)) == 1) {
        const char *s = db_rows_text(rows, 0);
        buf_printf(&b, "%s\n", s ? s : "NULL");
    }
    db_rows_free(rows);
    assert_db_ok(rc, &err);
    return buf_take(&b);
}

/* Everything a migration can change, as text: tables, columns, indexes,
 * policies. Two equal fingerprints are the same schema. */
static char *fingerprint(const struct test_db *t)
{
    if (!test_db_is_pg(t))
        return lines(t->db, "SELECT type || ' ' || name || ' ' || coalesce(sql, '')"
                            " FROM sqlite_master ORDER BY type, name");
    return lines(t->db,
                 "SELECT x FROM ("
                 " SELECT 'col ' || table_name || '.' || column_name || ' ' || data_type || ' '"
                 "  || is_nullable || ' ' || coalesce(column_default, '') AS x"
                 "  FROM information_schema.columns WHERE table_schema = current_schema()"
                 " UNION ALL SELECT 'idx ' || indexdef FROM pg_indexes"
                 "  WHERE schemaname = current_schema()"
                 " UNION ALL SELECT 'pol ' || tablename || '.' || policyname || ' ' || qual"
                 "  FROM pg_policies WHERE schemaname = current_schema()"
                 " UNION ALL SELECT 'rls ' || relname || ' ' || relrowsecurity || ' '"
                 "  || relforcerowsecurity FROM pg_class"
                 "  WHERE relnamespace = current_schema()::regnamespace AND relkind = 'r'"
                 ") s ORDER BY x");
}

/* Table and column names only, comparable across engines. */
static char *columns(const struct test_db *t)
{
    if (!test_db_is_pg(t))
        return lines(t->db, "SELECT m.name || '.' || p.name FROM sqlite_master m,"
                            " pragma_table_info(m.name) p WHERE m.type = 'table'"
                            " ORDER BY 1");
    return lines(t->db, "SELECT table_name || '.' || column_name"
                        " FROM information_schema.columns"
                        " WHERE table_schema = current_schema() ORDER BY 1");
}

/* A growing list of lines (xfree each, then the array). */
struct line_list {
    char **v;
    size_t n;
};

static void line_list_add(struct line_list *l, struct buf *b)
{
    l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
    l->v[l->n++] = buf_take(b);
}

static int line_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The lines sorted bytewise (not by a database collation), one per line,
 * as one string (xfree); frees l's lines. */
static char *line_list_join(struct line_list *l)
{
    struct buf b;
    buf_init(&b, 0);
    qsort(l->v, l->n, sizeof(*l->v), line_cmp);
    for (size_t i = 0; i < l->n; i++) {
        buf_printf(&b, "%s\n", l->v[i]);
        xfree(l->v[i]);
    }
    xfree(l->v);
    *l = (struct line_list){0};
    return buf_take(&b);
}

/* Rows of (key, table, column, parent table, parent column), ordered by
 * key and then by position in the key, become one line per key in out:
 * "fk table (a, b) -> parent (c, d)". A unique key's rows have a NULL
 * parent column and a suffix (such as " partial") for the parent table:
 * "uk table (a, b) partial". */
static void key_lines(struct line_list *out, struct db *db, const char *sql)
{
    struct db_rows *rows = NULL;
    struct err err = {0};
    struct buf key, table, cols, parent, pcols, line;
    bool fk = false;
    int rc;

    buf_init(&key, 0);
    buf_init(&table, 0);
    buf_init(&cols, 0);
    buf_init(&parent, 0);
    buf_init(&pcols, 0);
    buf_init(&line, 0);
    assert_db_ok(db_query(&rows, db, sql, NULL, 0, &err), &err);
    for (;;) {
        rc = db_rows_next(rows, &err);
        const char *k = rc == 1 ? db_rows_text(rows, 0) : NULL;
        if (key.n > 0 && (!k || strcmp(k, buf_cstr(&key)) != 0)) {
            if (fk)
                buf_printf(&line, "fk %s (%s) -> %s (%s)", buf_cstr(&table), buf_cstr(&cols),
                           buf_cstr(&parent), buf_cstr(&pcols));
            else
                buf_printf(&line, "uk %s (%s)%s", buf_cstr(&table), buf_cstr(&cols),
                           buf_cstr(&parent));
            line_list_add(out, &line);
            buf_reset(&key);
            buf_reset(&cols);
            buf_reset(&pcols);
        }
        if (!k)
            break;
        if (key.n == 0) {
            buf_puts(&key, k);
            buf_reset(&table);
            buf_puts(&table, db_rows_text(rows, 1));
            buf_reset(&parent);
            buf_puts(&parent, db_rows_text(rows, 3));
            fk = !db_rows_is_null(rows, 4);
        } else {
            buf_puts(&cols, ", ");
            buf_puts(&pcols, ", ");
        }
        buf_puts(&cols, db_rows_text(rows, 2));
        if (fk)
            buf_puts(&pcols, db_rows_text(rows, 4));
    }
    db_rows_free(rows);
    assert_db_ok(rc, &err);
    buf_dispose(&key);
    buf_dispose(&table);
    buf_dispose(&cols);
    buf_dispose(&parent);
    buf_dispose(&pcols);
    buf_dispose(&line);
}

/* The schema's keys, comparable across engines, one per line, sorted:
 * "fk child (a, b) -> parent (c, d)" for each foreign key and
 * "uk table (a, b)" for each primary key, unique constraint and unique
 * index, with " partial" after a partial index. */
static char *keys(const struct test_db *t)
{
    struct line_list l = {0};
    if (test_db_is_pg(t)) {
        key_lines(&l, t->db,
                  "SELECT c.oid::text, c.conrelid::regclass::text, a.attname,"
                  "  c.confrelid::regclass::text, p.attname"
                  " FROM pg_constraint c,"
                  "  unnest(c.conkey, c.confkey) WITH ORDINALITY k(n, pn, o),"
                  "  pg_attribute a, pg_attribute p"
                  " WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace"
                  "  AND a.attrelid = c.conrelid AND a.attnum = k.n"
                  "  AND p.attrelid = c.confrelid AND p.attnum = k.pn"
                  " ORDER BY c.oid, k.o");
        key_lines(&l, t->db,
                  "SELECT i.indexrelid::text, r.relname, a.attname,"
                  "  CASE WHEN i.indpred IS NULL THEN '' ELSE ' partial' END, NULL"
                  " FROM pg_index i JOIN pg_class r ON r.oid = i.indrelid,"
                  "  unnest(i.indkey::int2[]) WITH ORDINALITY k(n, o), pg_attribute a"
                  " WHERE i.indisunique AND r.relnamespace = current_schema()::regnamespace"
                  "  AND a.attrelid = i.indrelid AND a.attnum = k.n"
                  " ORDER BY i.indexrelid, k.o");
    } else {
        key_lines(&l, t->db,
                  "SELECT m.name || '/' || f.id, m.name, f.\"from\", f.\"table\", f.\"to\""
                  " FROM sqlite_master m, pragma_foreign_key_list(m.name) f"
                  " WHERE m.type = 'table' ORDER BY m.name, f.id, f.seq");
        /* The primary key from the table (an INTEGER PRIMARY KEY is the
         * rowid, with no index), the other unique keys from their indexes. */
        key_lines(&l, t->db,
                  "SELECT m.name, m.name, p.name, '', NULL"
                  " FROM sqlite_master m, pragma_table_info(m.name) p"
                  " WHERE m.type = 'table' AND p.pk > 0 ORDER BY m.name, p.pk");
        key_lines(&l, t->db,
                  "SELECT l.name, m.name, i.name,"
                  "  CASE WHEN l.partial THEN ' partial' ELSE '' END, NULL"
                  " FROM sqlite_master m, pragma_index_list(m.name) l,"
                  "  pragma_index_info(l.name) i"
                  " WHERE m.type = 'table' AND l.\"unique\" AND l.origin <> 'pk'"
                  " ORDER BY l.name, i.seqno");
    }
    return line_list_join(&l);
}

static void from_empty_then_again(void **state)
{
    struct test_db *group = *state, t;
    struct err err = {0};
    int n = -1, applied = -1;

    assert_int_equal(test_db_create(&t, group->engine, false), 0);
    assert_true(embedded(t.engine) >= 1);
    assert_db_ok(db_migrations_pending(t.db, &n, &err), &err);
    assert_int_equal(n, embedded(t.engine));

    assert_db_ok(db_migrate(t.db, &applied, &err), &err);
    assert_int_equal(applied, embedded(t.engine));
    assert_db_ok(db_migrations_pending(t.db, &n, &err), &err);
    assert_int_equal(n, 0);
    assert_int_equal(test_db_int(t.db, "SELECT count(*) FROM schema_migrations"), applied);
    assert_int_equal(test_db_int(t.db, "SELECT count(*) FROM schema_migrations"
                                       " WHERE version = 1 AND name = 'init' AND applied_at > 0"),
                     1);

    char *before = fingerprint(&t);
    assert_db_ok(db_migrate(t.db, &applied, &err), &err);
    assert_int_equal(applied, 0);
    char *after = fingerprint(&t);
    assert_string_equal(before, after);
    /* Every table of DESIGN.md's data model is there. */
    static const char *const tables[] = {
        "tenants",
        "api_keys",
        "connectors",
        "oauth_apps",
        "integrations",
        "credentials",
        "oauth_states",
        "consents",
        "sync_runs",
        "stream_state",
        "jobs",
        "field_mappings",
        "synced_records",
        "contacts",
        "accounts",
        "tickets",
        "deals",
        "webhook_endpoints",
        "webhook_deliveries",
        "notification_channels",
        "notifications",
        "audit_log",
        "api_usage",
        "sessions",
    };
    char *cols = columns(&t);
    for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
        char want[64];
        snprintf(want, sizeof(want), "%s.tenant_id\n", tables[i]);
        if (strcmp(tables[i], "tenants") == 0 || strcmp(tables[i], "connectors") == 0)
            snprintf(want, sizeof(want), "%s.id\n", tables[i]);
        if (!strstr(cols, want))
            fail_msg("no column %s", want);
    }
    xfree(cols);
    xfree(before);
    xfree(after);
    test_db_destroy(&t);
}

/* 9002 fails at its third statement: nothing of it remains, not the table
 * nor the index its first two made, nor its row in schema_migrations. */
static void failing_migration_changes_nothing(void **state)
{
    struct test_db *t = *state;
    struct err err = {0};
    int applied = -1;
    char ok_path[64], bad_path[64];

    snprintf(ok_path, sizeof(ok_path), "test/%s/9001_ok.sql", t->engine);
    snprintf(bad_path, sizeof(bad_path), "test/%s/9002_broken.sql", t->engine);
    const char ok_sql[] = "CREATE TABLE t_mig_ok (x BIGINT);";
    const char bad_sql[] = "CREATE TABLE t_mig_bad (x BIGINT);\n"
                           "CREATE INDEX t_mig_ok_x_idx ON t_mig_ok (x);\n"
                           "INSERT INTO no_such_table VALUES (1);\n";
    const struct embed_file files[] = {
        {bad_path, bad_sql, sizeof(bad_sql) - 1},
        {ok_path, ok_sql, sizeof(ok_sql) - 1},
        {"test/other/9003_elsewhere.sql", "not SQL", 7}, /* another engine's: ignored */
    };

    assert_db_ok(db_migrate_files(t->db, &files[1], 1, &applied, &err), &err);
    assert_int_equal(applied, 1);
    char *before = fingerprint(t);

    assert_int_equal(db_migrate_files(t->db, files, 3, &applied, &err), ERR_IO);
    assert_int_equal(applied, 0); /* 9001 is not run again */
    if (strncmp(err.msg, "migration 9002_broken.sql: ", 27) != 0 ||
        !strstr(err.msg, "no_such_table"))
        fail_msg("message: %s", err.msg);
    char *after = fingerprint(t);
    assert_string_equal(before, after);
    assert_int_equal(test_db_int(t->db, "SELECT count(*) FROM schema_migrations"
                                        " WHERE version >= 9001"),
                     1);
    xfree(before);
    xfree(after);

    static const struct embed_file badname[] = {{"test/sqlite/12_x.SQL", "", 0},
                                                {"test/postgres/12_x.SQL", "", 0}};
    assert_int_equal(db_migrate_files(t->db, badname, 2, NULL, &err), ERR_INVALID);
    assert_non_null(strstr(err.msg, "must look like NNNN_name.sql"));
    const struct embed_file twice[] = {{ok_path, ok_sql, sizeof(ok_sql) - 1},
                                       {"test/sqlite/9001_again.sql", "", 0},
                                       {"test/postgres/9001_again.sql", "", 0}};
    assert_int_equal(db_migrate_files(t->db, twice, 3, NULL, &err), ERR_INVALID);
    assert_non_null(strstr(err.msg, "version used twice"));
}

/* Fail the 1st statement of db_migrate, then the 2nd, ...: after each
 * failure the schema is what some number of whole migrations make, and the
 * last run completes. */
static void faults_leave_schema_as_it_was(void **state)
{
    struct test_db *group = *state, t, ref;
    struct err err = {0};
    struct embed_file mine[64];
    char *states[65]; /* states[k]: the schema after the first k migrations */
    char dir[32];
    size_t nmine = 0;
    int n, rc = -1;

    snprintf(dir, sizeof(dir), "/%s/", group->engine);
    for (size_t i = 0; i < db_migration_files_count && nmine < 64; i++)
        if (strstr(db_migration_files[i].path, dir))
            mine[nmine++] = db_migration_files[i]; /* sorted by path, so by version */
    assert_int_equal(test_db_create(&ref, group->engine, false), 0);
    states[0] = fingerprint(&ref);
    for (size_t k = 1; k <= nmine; k++) {
        assert_db_ok(db_migrate_files(ref.db, mine, k, NULL, &err), &err);
        states[k] = fingerprint(&ref);
    }
    test_db_destroy(&ref);

    assert_int_equal(test_db_create(&t, group->engine, false), 0);
    for (n = 0; n < 1000 && rc != 0; n++) {
        db_fail_after(t.db, n);
        rc = db_migrate(t.db, NULL, &err);
        db_fail_after(t.db, -1);
        if (rc != 0)
            assert_int_equal(rc, ERR_IO);
        char *now = fingerprint(&t);
        size_t k = 0;
        while (k <= nmine && strcmp(now, states[k]) != 0)
            k++;
        if (k > nmine)
            fail_msg("after fault %d the schema is not that of a whole number of migrations", n);
        if (rc == 0)
            assert_int_equal(k, nmine);
        xfree(now);
    }
    assert_int_equal(rc, 0);
    assert_true(n > 3);
    for (size_t k = 0; k <= nmine; k++)
        xfree(states[k]);
    test_db_destroy(&t);
}

struct migrator {
    const struct test_db *t;
    int applied, rc;
    char msg[ERR_MSG_MAX];
};

static void *migrate_thread(void *arg)
{
    struct migrator *m = arg;
    struct db *db = NULL;
    struct err err = {0};
    m->rc = db_open(&db, m->t->url, &err);
    if (m->rc == 0)
        m->rc = db_migrate(db, &m->applied, &err);
    memcpy(m->msg, err.msg, sizeof(m->msg));
    db_close(db);
    return NULL;
}

/* Four processes start at once on an empty database: each migration is
 * applied exactly once, and none of them fails. */
static void concurrent_migrators(void **state)
{
    struct test_db *group = *state, t;
    struct migrator m[4];
    pthread_t th[4];
    int total = 0;

    assert_int_equal(test_db_create(&t, group->engine, false), 0);
    for (int i = 0; i < 4; i++) {
        m[i] = (struct migrator){.t = &t};
        assert_int_equal(pthread_create(&th[i], NULL, migrate_thread, &m[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        if (m[i].rc != 0)
            fail_msg("migrator %d: %s", i, m[i].msg);
        total += m[i].applied;
    }
    assert_int_equal(total, embedded(t.engine));
    assert_int_equal(test_db_int(t.db, "SELECT count(*) FROM schema_migrations"), total);
    test_db_destroy(&t);
}

/* `inlet keys rotate` finds rows by the key that sealed them: every sealed
 * column (sealed or *_sealed, a blob) has its key id column (key_id or
 * *_key_id) beside it, and an index that starts with that column. */
static void sealed_columns_have_indexed_key_ids(void **state)
{
    struct test_db *t = *state;
    bool pg = test_db_is_pg(t);
    char *sealed = lines(t->db, pg ? "SELECT table_name || '.' || column_name || ' ' || data_type"
                                     " FROM information_schema.columns"
                                     " WHERE table_schema = current_schema()"
                                     " AND column_name LIKE '%sealed' ORDER BY 1"
                                   : "SELECT m.name || '.' || p.name || ' ' || p.type"
                                     " FROM sqlite_master m, pragma_table_info(m.name) p"
                                     " WHERE m.type = 'table' AND p.name LIKE '%sealed'"
                                     " ORDER BY 1");
    const char *blob = pg ? "bytea" : "BLOB";
    char want[512];
    snprintf(want, sizeof(want),
             "credentials.sealed %s\nnotification_channels.config_sealed %s\n"
             "oauth_apps.client_secret_sealed %s\noauth_states.verifier_sealed %s\n"
             "webhook_endpoints.secret_sealed %s\nwebhook_subscriptions.secret_sealed %s\n",
             blob, blob, blob, blob, blob, blob);
    assert_string_equal(sealed, want);

    for (char *line = sealed, *nl; (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
        *nl = '\0';
        char table[64], col[64], key[80];
        assert_int_equal(sscanf(line, "%63[^.].%63s", table, col), 2);
        snprintf(key, sizeof(key), "%.*skey_id", (int)(strlen(col) - strlen("sealed")), col);
        struct err err = {0};
        int64_t n = 0;
        assert_db_ok(db_query_int(&n, t->db,
                                  pg ? "SELECT count(*) FROM pg_index i"
                                       " JOIN pg_class c ON c.oid = i.indrelid"
                                       " JOIN pg_attribute a ON a.attrelid = c.oid"
                                       "  AND a.attnum = i.indkey[0]"
                                       " WHERE c.relname = $1 AND a.attname = $2"
                                     : "SELECT count(*) FROM pragma_index_list($1) l,"
                                       " pragma_index_info(l.name) i"
                                       " WHERE i.seqno = 0 AND i.name = $2",
                                  DB_ARGS(DB_TEXT(table), DB_TEXT(key)), &err),
                     &err);
        if (n < 1)
            fail_msg("%s.%s: no index on %s", table, col, key);
    }
    xfree(sealed);
}

/* Every table with a tenant_id column, and tenants itself, has row-level
 * security enabled, forced, and a policy (PostgreSQL). */
static void tenant_tables_have_rls(void **state)
{
    struct test_db *t = *state;
    if (!test_db_is_pg(t))
        skip();
    char *missing = lines(t->db, "SELECT c.relname FROM pg_class c"
                                 " WHERE c.relnamespace = current_schema()::regnamespace"
                                 " AND c.relkind = 'r' AND (c.relname = 'tenants' OR EXISTS ("
                                 "  SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid"
                                 "  AND a.attname = 'tenant_id'))"
                                 " AND NOT (c.relrowsecurity AND c.relforcerowsecurity AND EXISTS ("
                                 "  SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid))"
                                 " ORDER BY 1");
    assert_string_equal(missing, "");
    xfree(missing);
    assert_int_equal(test_db_int(t->db, "SELECT count(*) FROM pg_policy"), 28);
}

/* Tenant keys (docs/internals/db.md, "Row-level security"), the rules
 * that keep foreign key and unique checks, which row-level security does
 * not filter, within a tenant. In a table with a tenant_id column: a
 * foreign key to another tenant-owned table is (tenant_id, x) -> (tenant_id,
 * id), and to tenants it is (tenant_id) -> (id); a unique key is the id,
 * starts with tenant_id, or is one of the few global by design (the
 * migration says why). test_isolation shows what the rules buy. */
static void tenant_keys(void **state)
{
    struct test_db *t = *state;
    static const char *const global[] = {
        "uk api_keys (key_hash)",
        "uk jobs (dedupe_key) partial", /* system jobs, tenant_id IS NULL */
        "uk webhook_endpoints (inbound_key)",
        "uk connect_sessions (token_hash)", /* looked up before the tenant is known */
    };
    char *cols = columns(t), *all = keys(t);
    size_t nglobal = 0;

    for (char *line = all, *nl; (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
        char kind[3], table[64], rest[256], owned[80];
        *nl = '\0';
        assert_int_equal(sscanf(line, "%2s %63s %255[^\n]", kind, table, rest), 3);
        snprintf(owned, sizeof(owned), "%s.tenant_id\n", table);
        if (!strstr(cols, owned))
            continue;
        if (strcmp(kind, "fk") == 0) {
            char from[128], parent[64], to[128], powned[80];
            assert_int_equal(sscanf(rest, "(%127[^)]) -> %63s (%127[^)])", from, parent, to), 3);
            snprintf(powned, sizeof(powned), "%s.tenant_id\n", parent);
            if (strcmp(parent, "tenants") == 0) {
                if (strcmp(from, "tenant_id") != 0 || strcmp(to, "id") != 0)
                    fail_msg("%s: a key to tenants is (tenant_id) -> (id)", line);
            } else if (strstr(cols, powned)) {
                if (strncmp(from, "tenant_id, ", 11) != 0 || strchr(from + 11, ',') ||
                    strcmp(to, "tenant_id, id") != 0)
                    fail_msg("%s: want (tenant_id, x) -> %s (tenant_id, id)", line, parent);
            }
            continue;
        }
        if (strcmp(rest, "(id)") == 0 || strncmp(rest, "(tenant_id", 10) == 0)
            continue;
        size_t i = 0;
        while (i < sizeof(global) / sizeof(global[0]) && strcmp(global[i], line) != 0)
            i++;
        if (i == sizeof(global) / sizeof(global[0]))
            fail_msg("%s: a unique key of a tenant-owned table starts with tenant_id", line);
        nglobal++;
    }
    assert_int_equal(nglobal, sizeof(global) / sizeof(global[0]));
    xfree(cols);
    xfree(all);
}

/* The two engines' migrations make the same tables, columns and keys.
 * Runs in the PostgreSQL group, on fresh databases of both engines. */
static void engines_in_step(void **state)
{
    struct test_db *t = *state, lite, pg;
    if (!test_db_is_pg(t))
        skip();
    assert_int_equal(test_db_create(&lite, "sqlite", true), 0);
    assert_int_equal(test_db_create(&pg, "postgres", true), 0);
    char *a = columns(&lite), *b = columns(&pg);
    assert_string_equal(a, b);
    xfree(a);
    xfree(b);
    a = keys(&lite);
    b = keys(&pg);
    assert_string_equal(a, b);
    xfree(a);
    xfree(b);
    test_db_destroy(&lite);
    test_db_destroy(&pg);
    assert_int_equal(embedded("sqlite"), embedded("postgres"));
}

int test_migrate(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(from_empty_then_again),
        cmocka_unit_test(failing_migration_changes_nothing),
        cmocka_unit_test(faults_leave_schema_as_it_was),
        cmocka_unit_test(concurrent_migrators),
        cmocka_unit_test(sealed_columns_have_indexed_key_ids),
        cmocka_unit_test(tenant_tables_have_rls),
        cmocka_unit_test(tenant_keys),
        cmocka_unit_test(engines_in_step),
    };
    return test_group_db("migrate", tests);
}
