/* tests/unit/db/test_isolation.c - one tenant cannot reach another's rows,
 * on both engines. Composite foreign keys (tenant_id, parent_id) refuse a
 * row that points at another tenant's parent: PostgreSQL's row-level
 * security does not cover foreign key and unique checks, and SQLite has no
 * RLS at all. Deleting a parent touches only its own tenant; unique keys are
 * per tenant unless deliberately global; and on PostgreSQL a tenant
 * transaction reads and changes only its own rows in every tenant-owned
 * table, whose list here must match the schema's. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "test_db.h"

/* Every tenant-owned table: `tenants` itself and each table with a
 * tenant_id column. tenant_tables_are_all_listed fails when the schema has
 * one more, so a new table gets its rows below and the checks of
 * tenant_sees_only_its_rows. */
static const char *const tenant_tables[] = {
    "tenants",
    "api_keys",
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
    "accounts",
    "contacts",
    "tickets",
    "deals",
    "webhook_endpoints",
    "webhook_deliveries",
    "notification_channels",
    "notifications",
    "notification_state",
    "audit_log",
    "api_usage",
    "sessions",
    "connect_sessions",
    "integration_tags",
    "webhook_subscriptions",
    "event_deliveries",
};
#define NTABLES (sizeof(tenant_tables) / sizeof(tenant_tables[0]))

/* Ids are made from the tenant's id: OWN("int") is the row tenant's ($1)
 * integration, PARENT("int") that of the tenant whose parent the row names
 * ($2). SQL NULL for $2 makes the parent id NULL. */
#define OWN(suffix)    "CAST($1 AS TEXT) || '_" suffix "'"
#define PARENT(suffix) "CAST($2 AS TEXT) || '_" suffix "'"

/* The parents a tenant's children name, in order; $1 is the tenant. */
static const char *const parent_rows[] = {
    "INSERT INTO tenants (id, name, created_at) VALUES ($1, $1, 0)",
    "INSERT INTO integrations (id, tenant_id, connector_id, name, created_at, updated_at)"
    " VALUES (" OWN("int") ", $1, 'salesforce', 'n', 0, 0)",
    "INSERT INTO accounts (id, tenant_id, integration_id, external_id, created_at,"
    " last_synced_at)"
    " VALUES (" OWN("acc") ", $1, " OWN("int") ", 'acc', 0, 0)",
    "INSERT INTO contacts (id, tenant_id, integration_id, external_id, account_id, created_at,"
    " last_synced_at)"
    " VALUES (" OWN("con") ", $1, " OWN("int") ", 'con', " OWN("acc") ", 0, 0)",
    "INSERT INTO webhook_endpoints (id, tenant_id, integration_id, kind, inbound_key, created_at,"
    " updated_at)"
    " VALUES (" OWN("whe") ", $1, " OWN("int") ", 'provider', " OWN("whe") ", 0, 0)",
    "INSERT INTO notification_channels (id, tenant_id, kind, name, created_at, updated_at)"
    " VALUES (" OWN("nch") ", $1, 'inapp', 'n', 0, 0)",
    "INSERT INTO api_keys (id, tenant_id, key_hash, created_at)"
    " VALUES (" OWN("key") ", $1, " OWN("key") ", 0)",
    "INSERT INTO webhook_subscriptions (id, tenant_id, url, secret_sealed, secret_key_id,"
    " created_at, updated_at)"
    " VALUES (" OWN("whs") ", $1, 'https://h.example', 'x', 'k', 0, 0)",
};

/* One row for each foreign key from a tenant-owned table to another (the
 * key to tenants aside): the row belongs to $1 and names $2's parent
 * (`parent` is the id's suffix). nullable: the column may be NULL. */
static const struct fk_case {
    const char *table, *column, *parent;
    bool nullable;
    const char *sql;
} fk_cases[] = {
    {"credentials", "integration_id", "int", false,
     "INSERT INTO credentials (id, tenant_id, integration_id, kind, sealed, key_id, created_at,"
     " updated_at)"
     " VALUES (" OWN("cred") ", $1, " PARENT("int") ", 'oauth2', 'x', 'k', 0, 0)"},
    {"oauth_states", "integration_id", "int", true,
     "INSERT INTO oauth_states (id, tenant_id, integration_id, connector_id, verifier_sealed,"
     " verifier_key_id, redirect_uri, created_at, expires_at)"
     " VALUES (" OWN("ost") ", $1, " PARENT("int") ", 'salesforce', 'x', 'k', 'https://r', 0, 0)"},
    {"consents", "integration_id", "int", true,
     "INSERT INTO consents (id, tenant_id, integration_id, connector_id, granted_by, created_at)"
     " VALUES (" OWN("cns") ", $1, " PARENT("int") ", 'salesforce', 'cli', 0)"},
    {"sync_runs", "integration_id", "int", false,
     "INSERT INTO sync_runs (id, tenant_id, integration_id, triggered_by, mode, created_at)"
     " VALUES (" OWN("run") ", $1, " PARENT("int") ", 'manual', 'full', 0)"},
    {"stream_state", "integration_id", "int", false,
     "INSERT INTO stream_state (tenant_id, integration_id, stream, bookmark, updated_at)"
     " VALUES ($1, " PARENT("int") ", 's', '{}', 0)"},
    {"field_mappings", "integration_id", "int", false,
     "INSERT INTO field_mappings (id, tenant_id, integration_id, stream, target, target_field,"
     " created_at, updated_at)"
     " VALUES (" OWN("fm") ", $1, " PARENT("int") ", 's', 'contacts', 'email', 0, 0)"},
    {"synced_records", "integration_id", "int", false,
     "INSERT INTO synced_records (tenant_id, integration_id, stream, external_id, target,"
     " record_id, first_synced_at, last_synced_at)"
     " VALUES ($1, " PARENT("int") ", 's', 'e', 'contacts', 'r', 0, 0)"},
    {"accounts", "integration_id", "int", false,
     "INSERT INTO accounts (id, tenant_id, integration_id, external_id, created_at,"
     " last_synced_at)"
     " VALUES (" OWN("acc2") ", $1, " PARENT("int") ", 'e', 0, 0)"},
    {"contacts", "integration_id", "int", false,
     "INSERT INTO contacts (id, tenant_id, integration_id, external_id, created_at,"
     " last_synced_at)"
     " VALUES (" OWN("con2") ", $1, " PARENT("int") ", 'e2', 0, 0)"},
    {"contacts", "account_id", "acc", true,
     "INSERT INTO contacts (id, tenant_id, integration_id, external_id, account_id, created_at,"
     " last_synced_at)"
     " VALUES (" OWN("con3") ", $1, " OWN("int") ", 'e3', " PARENT("acc") ", 0, 0)"},
    {"tickets", "integration_id", "int", false,
     "INSERT INTO tickets (id, tenant_id, integration_id, external_id, created_at,"
     " last_synced_at)"
     " VALUES (" OWN("tik1") ", $1, " PARENT("int") ", 'e1', 0, 0)"},
    {"tickets", "contact_id", "con", true,
     "INSERT INTO tickets (id, tenant_id, integration_id, external_id, contact_id, created_at,"
     " last_synced_at)"
     " VALUES (" OWN("tik2") ", $1, " OWN("int") ", 'e2', " PARENT("con") ", 0, 0)"},
    {"tickets", "account_id", "acc", true,
     "INSERT INTO tickets (id, tenant_id, integration_id, external_id, account_id, created_at,"
     " last_synced_at)"
     " VALUES (" OWN("tik3") ", $1, " OWN("int") ", 'e3', " PARENT("acc") ", 0, 0)"},
    {"deals", "integration_id", "int", false,
     "INSERT INTO deals (id, tenant_id, integration_id, external_id, created_at,"
     " last_synced_at)"
     " VALUES (" OWN("dea1") ", $1, " PARENT("int") ", 'e1', 0, 0)"},
    {"deals", "account_id", "acc", true,
     "INSERT INTO deals (id, tenant_id, integration_id, external_id, account_id, created_at,"
     " last_synced_at)"
     " VALUES (" OWN("dea2") ", $1, " OWN("int") ", 'e2', " PARENT("acc") ", 0, 0)"},
    {"deals", "contact_id", "con", true,
     "INSERT INTO deals (id, tenant_id, integration_id, external_id, contact_id, created_at,"
     " last_synced_at)"
     " VALUES (" OWN("dea3") ", $1, " OWN("int") ", 'e3', " PARENT("con") ", 0, 0)"},
    {"webhook_endpoints", "integration_id", "int", true,
     "INSERT INTO webhook_endpoints (id, inbound_key, tenant_id, integration_id, kind,"
     " created_at, updated_at)"
     " VALUES (" OWN("whe2") ", " OWN("whe2") ", $1, " PARENT("int") ", 'provider', 0, 0)"},
    {"webhook_deliveries", "endpoint_id", "whe", false,
     "INSERT INTO webhook_deliveries (id, tenant_id, endpoint_id, delivery_id, received_at)"
     " VALUES (" OWN("whd") ", $1, " PARENT("whe") ", 'd', 0)"},
    {"notifications", "channel_id", "nch", true,
     "INSERT INTO notifications (id, tenant_id, channel_id, event, title, created_at)"
     " VALUES (" OWN("ntf1") ", $1, " PARENT("nch") ", 'sync.failed', 't', 0)"},
    {"notifications", "integration_id", "int", true,
     "INSERT INTO notifications (id, tenant_id, integration_id, event, title, created_at)"
     " VALUES (" OWN("ntf2") ", $1, " PARENT("int") ", 'sync.failed', 't', 0)"},
    {"notification_state", "integration_id", "int", false,
     "INSERT INTO notification_state (tenant_id, integration_id, topic, state, changed_at)"
     " VALUES ($1, " PARENT("int") ", 'sync', 'failed', 0)"},
    {"api_usage", "integration_id", "int", false,
     "INSERT INTO api_usage (tenant_id, integration_id, day)"
     " VALUES ($1, " PARENT("int") ", '2024-01-01')"},
    {"event_deliveries", "subscription_id", "whs", false,
     "INSERT INTO event_deliveries (id, tenant_id, subscription_id, event_id, type, payload,"
     " created_at)"
     " VALUES (" OWN("evd") ", $1, " PARENT("whs") ", 'evt', 'sync.failed', '{}', 0)"},
    {"sessions", "api_key_id", "key", false,
     "INSERT INTO sessions (id, tenant_id, api_key_id, created_at, expires_at)"
     " VALUES (" OWN("ses") ", $1, " PARENT("key") ", 0, 0)"},
    {"integration_tags", "integration_id", "int", false,
     "INSERT INTO integration_tags (tenant_id, integration_id, tag)"
     " VALUES ($1, " PARENT("int") ", 'plan:pro')"},
};
#define NCASES (sizeof(fk_cases) / sizeof(fk_cases[0]))

/* The tables no case above fills: they name no parent but the tenant. */
static const char *const other_rows[] = {
    "INSERT INTO oauth_apps (id, tenant_id, connector_id, client_id, created_at, updated_at)"
    " VALUES (" OWN("app") ", $1, 'salesforce', 'cid', 0, 0)",
    "INSERT INTO jobs (id, tenant_id, kind, dedupe_key, run_at, created_at, updated_at)"
    " VALUES (" OWN("job") ", $1, 'sync', 'sync:x', 0, 0, 0)",
    "INSERT INTO audit_log (id, tenant_id, actor, action, created_at)"
    " VALUES (" OWN("aud") ", $1, 'cli', 'integration.create', 0)",
    "INSERT INTO connect_sessions (id, tenant_id, token_hash, end_user, return_url, created_by,"
    " created_at, expires_at)"
    " VALUES (" OWN("cs") ", $1, " OWN("cs") ", '{}', 'https://r', 'cli', 0, 0)",
};

static const char *tenant_column(const char *table)
{
    return strcmp(table, "tenants") == 0 ? "id" : "tenant_id";
}

/* Run sql with $1 = tenant and, when sql has it, $2 = parent_tenant. */
static int run(struct db *db, const char *sql, const char *tenant, const char *parent_tenant,
               int64_t *changes, struct err *err)
{
    const struct db_val v[] = {DB_TEXT(tenant), DB_TEXT(parent_tenant)};
    return db_exec(db, sql, v, strstr(sql, "$2") ? 2 : 1, changes, err);
}

/* Fail unless rc and err say a foreign key refused the statement. */
static void assert_fk_refused(int rc, const struct err *err, const char *what)
{
    char msg[sizeof(err->msg)];
    size_t i;
    for (i = 0; err->msg[i] && i < sizeof(msg) - 1; i++)
        msg[i] = (char)tolower((unsigned char)err->msg[i]);
    msg[i] = '\0';
    if (rc != ERR_INVALID || !strstr(msg, "foreign key"))
        fail_msg("%s: want a foreign key error, got %d: %s", what, rc, err->msg);
}

/* Rows of a one-column text query, one per line (xfree). */
static char *lines(struct db *db, const char *sql)
{
    struct db_rows *rows = NULL;
    struct err err = {0};
    struct buf b;
    int rc;

    buf_init(&b, 0);
    assert_db_ok(db_query(&rows, db, sql, NULL, 0, &err), &err);
    while ((rc = db_rows_next(rows, &err)) == 1)
        buf_printf(&b, "%s\n", db_rows_text(rows, 0));
    db_rows_free(rows);
    assert_db_ok(rc, &err);
    return buf_take(&b);
}

/* Rows of table: all of them (tenant NULL) or tenant's. */
static int64_t count_rows(struct db *db, const char *table, const char *tenant)
{
    struct err err = {0};
    struct buf sql;
    int64_t n = -1;

    buf_init(&sql, 0);
    buf_printf(&sql, "SELECT count(*) FROM %s", table);
    if (tenant)
        buf_printf(&sql, " WHERE %s = $1", tenant_column(table));
    const struct db_val v = DB_TEXT(tenant);
    assert_db_ok(db_query_int(&n, db, buf_cstr(&sql), &v, tenant ? 1 : 0, &err), &err);
    buf_dispose(&sql);
    return n;
}

/* Statements that must succeed, each with $1 = tenant (and $2 = tenant). */
static void run_all(struct db *db, const char *const *sql, size_t n, const char *tenant)
{
    struct err err = {0};
    for (size_t i = 0; i < n; i++)
        if (run(db, sql[i], tenant, tenant, NULL, &err) != 0)
            fail_msg("%s: %s", sql[i], err.msg);
}

static void add_parents(struct db *db, const char *tenant)
{
    run_all(db, parent_rows, sizeof(parent_rows) / sizeof(parent_rows[0]), tenant);
}

/* A row of tenant's own in every tenant-owned table, written inside its
 * tenant transaction (so row-level security lets a tenant fill its own). */
static void populate(struct db *db, const char *tenant)
{
    struct err err = {0};
    assert_db_ok(db_begin_tenant(db, tenant, &err), &err);
    add_parents(db, tenant);
    for (size_t i = 0; i < NCASES; i++)
        run_all(db, &fk_cases[i].sql, 1, tenant);
    run_all(db, other_rows, sizeof(other_rows) / sizeof(other_rows[0]), tenant);
    assert_db_ok(db_commit(db, &err), &err);
}

/* The reviewer's case: inside A's transaction, a credential for B's
 * integration. It used to pass (the foreign key and unique checks do not go
 * through RLS), taking B's one credentials slot, and B deleting the
 * integration then deleted A's row. Now the key refuses it, on both engines. */
static void credentials_slot_cannot_be_squatted(void **state)
{
    struct test_db *t = *state;
    struct db *db = t->db;
    struct err err = {0};
    const char *a = "ten_sq_a", *b = "ten_sq_b";

    add_parents(db, a);
    add_parents(db, b);
    assert_db_ok(db_begin_tenant(db, a, &err), &err);
    assert_fk_refused(run(db, fk_cases[0].sql, a, b, NULL, &err), &err, "A's credential for B");
    db_rollback(db);

    assert_db_ok(db_begin_tenant(db, b, &err), &err);
    assert_db_ok(run(db, fk_cases[0].sql, b, b, NULL, &err), &err);
    assert_db_ok(db_commit(db, &err), &err);
    assert_db_ok(db_begin_tenant(db, a, &err), &err);
    assert_db_ok(run(db, fk_cases[0].sql, a, a, NULL, &err), &err);
    assert_db_ok(db_commit(db, &err), &err);

    assert_db_ok(db_begin_tenant(db, b, &err), &err);
    assert_db_ok(
        db_exec(db, "DELETE FROM integrations WHERE id = 'ten_sq_b_int'", NULL, 0, NULL, &err),
        &err);
    assert_db_ok(db_commit(db, &err), &err);
    assert_int_equal(count_rows(db, "credentials", a), 1);
    assert_int_equal(count_rows(db, "credentials", b), 0);
}

/* Every foreign key between tenant-owned tables, one at a time: inside A's
 * transaction a row naming B's parent is refused (insert and update), a
 * NULL parent is fine where the column allows it (MATCH SIMPLE skips the
 * check), and naming A's own parent works. B has every row the cases make,
 * so A's attempt would meet B's row in any unique key not led by
 * tenant_id: the unique check comes before the foreign key's, and its
 * ERR_CONFLICT would tell A what B has. The cases must cover every
 * foreign key of the schema. */
static void foreign_keys_stay_in_the_tenant(void **state)
{
    struct test_db *t = *state;
    struct db *db = t->db;
    struct err err = {0};
    const char *a = "ten_fk_a", *b = "ten_fk_b";

    char *keys =
        lines(db, test_db_is_pg(t) ? "SELECT c.conrelid::regclass::text || '.' || a.attname"
                                     " FROM pg_constraint c JOIN pg_attribute a"
                                     " ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)"
                                     " WHERE c.contype = 'f'"
                                     " AND c.connamespace = current_schema()::regnamespace"
                                     " AND c.confrelid <> 'tenants'::regclass"
                                     " AND a.attname <> 'tenant_id' ORDER BY 1"
                                   : "SELECT m.name || '.' || f.\"from\" FROM sqlite_master m,"
                                     " pragma_foreign_key_list(m.name) f WHERE m.type = 'table'"
                                     " AND f.\"table\" <> 'tenants' AND f.\"from\" <> 'tenant_id'"
                                     " ORDER BY 1");
    size_t nkeys = 0;
    for (const char *p = keys; (p = strchr(p, '\n')) != NULL; p++)
        nkeys++;
    for (size_t i = 0; i < NCASES; i++) {
        char want[128];
        snprintf(want, sizeof(want), "%s.%s\n", fk_cases[i].table, fk_cases[i].column);
        if (!strstr(keys, want))
            fail_msg("no foreign key %s", want);
    }
    if (nkeys != NCASES)
        fail_msg("the schema has foreign keys no case covers:\n%s", keys);
    xfree(keys);

    add_parents(db, a);
    populate(db, b);
    for (size_t i = 0; i < NCASES; i++) {
        const struct fk_case *c = &fk_cases[i];
        char what[128];
        int64_t changes = -1;
        snprintf(what, sizeof(what), "%s.%s", c->table, c->column);

        assert_db_ok(db_begin_tenant(db, a, &err), &err);
        assert_fk_refused(run(db, c->sql, a, b, NULL, &err), &err, what);
        db_rollback(db);

        assert_db_ok(db_begin_tenant(db, a, &err), &err);
        int rc = run(db, c->sql, a, NULL, NULL, &err);
        if (c->nullable && rc != 0)
            fail_msg("%s = NULL: %s", what, err.msg);
        if (!c->nullable && rc != ERR_INVALID)
            fail_msg("%s = NULL: want ERR_INVALID, got %d: %s", what, rc, err.msg);
        db_rollback(db);

        assert_db_ok(db_begin_tenant(db, a, &err), &err);
        assert_db_ok(run(db, c->sql, a, a, &changes, &err), &err);
        assert_int_equal(changes, 1);
        assert_db_ok(db_commit(db, &err), &err);

        /* Moving A's rows onto B's parent is refused as well. */
        struct buf up;
        buf_init(&up, 0);
        buf_printf(&up, "UPDATE %s SET %s = CAST($2 AS TEXT) || '_%s' WHERE tenant_id = $1",
                   c->table, c->column, c->parent);
        assert_db_ok(db_begin_tenant(db, a, &err), &err);
        assert_fk_refused(run(db, buf_cstr(&up), a, b, NULL, &err), &err, what);
        db_rollback(db);
        buf_dispose(&up);
    }
}

/* B deletes its parents one kind at a time, in its own transaction: its
 * children go (CASCADE) or lose the link (SET NULL, tenant_id kept), and
 * nothing of A's changes. Deleting tenant B then leaves A whole. */
static void deleting_a_parent_spares_other_tenants(void **state)
{
    struct test_db *t = *state;
    struct db *db = t->db;
    struct err err = {0};
    const char *a = "ten_del_a", *b = "ten_del_b";
    int64_t before[NTABLES], b_contacts, b_tickets, b_deals, b_notes;

    populate(db, a);
    populate(db, b);
    for (size_t i = 0; i < NTABLES; i++)
        before[i] = count_rows(db, tenant_tables[i], a);
    b_contacts = count_rows(db, "contacts", b);
    b_tickets = count_rows(db, "tickets", b);
    b_deals = count_rows(db, "deals", b);
    b_notes = count_rows(db, "notifications", b);

    assert_db_ok(db_begin_tenant(db, b, &err), &err);
    /* SET NULL: the contacts, tickets and deals stay, unlinked. */
    assert_db_ok(
        db_exec(db, "DELETE FROM accounts WHERE id = 'ten_del_b_acc'", NULL, 0, NULL, &err), &err);
    assert_db_ok(
        db_exec(db, "DELETE FROM contacts WHERE id = 'ten_del_b_con'", NULL, 0, NULL, &err), &err);
    assert_int_equal(test_db_int(db, "SELECT count(*) FROM contacts WHERE tenant_id ="
                                     " 'ten_del_b' AND account_id IS NULL"),
                     b_contacts - 1);
    assert_int_equal(test_db_int(db, "SELECT count(*) FROM tickets WHERE tenant_id ="
                                     " 'ten_del_b' AND account_id IS NULL AND contact_id IS NULL"),
                     b_tickets);
    assert_int_equal(test_db_int(db, "SELECT count(*) FROM deals WHERE tenant_id ="
                                     " 'ten_del_b' AND account_id IS NULL AND contact_id IS NULL"),
                     b_deals);
    /* CASCADE through a channel and an endpoint. */
    assert_db_ok(db_exec(db, "DELETE FROM notification_channels WHERE id = 'ten_del_b_nch'", NULL,
                         0, NULL, &err),
                 &err);
    assert_int_equal(count_rows(db, "notifications", b), b_notes - 1);
    assert_db_ok(db_exec(db, "DELETE FROM webhook_endpoints WHERE id = 'ten_del_b_whe'", NULL, 0,
                         NULL, &err),
                 &err);
    assert_int_equal(count_rows(db, "webhook_deliveries", b), 0);
    /* The integration: everything under it goes but consents and
     * notifications, which are kept without it. */
    assert_db_ok(
        db_exec(db, "DELETE FROM integrations WHERE id = 'ten_del_b_int'", NULL, 0, NULL, &err),
        &err);
    /* An API key: its sessions go with it. */
    assert_db_ok(
        db_exec(db, "DELETE FROM api_keys WHERE id = 'ten_del_b_key'", NULL, 0, NULL, &err), &err);
    assert_db_ok(db_commit(db, &err), &err);

    static const char *const gone[] = {
        "integrations",   "credentials",       "oauth_states",       "sync_runs", "stream_state",
        "field_mappings", "synced_records",    "accounts",           "contacts",  "tickets",
        "deals",          "webhook_endpoints", "webhook_deliveries", "api_usage", "api_keys",
        "sessions",       "integration_tags",
    };
    for (size_t i = 0; i < sizeof(gone) / sizeof(gone[0]); i++)
        if (count_rows(db, gone[i], b) != 0)
            fail_msg("%s: B's rows outlived B's integration", gone[i]);
    assert_int_equal(test_db_int(db, "SELECT count(*) FROM consents WHERE tenant_id ="
                                     " 'ten_del_b' AND integration_id IS NULL"),
                     1);
    assert_int_equal(test_db_int(db, "SELECT count(*) FROM notifications WHERE tenant_id ="
                                     " 'ten_del_b' AND integration_id IS NULL"),
                     1);
    for (size_t i = 0; i < NTABLES; i++)
        if (count_rows(db, tenant_tables[i], a) != before[i])
            fail_msg("%s: deleting B's parents changed A's rows", tenant_tables[i]);

    assert_db_ok(db_exec(db, "DELETE FROM tenants WHERE id = 'ten_del_b'", NULL, 0, NULL, &err),
                 &err);
    for (size_t i = 0; i < NTABLES; i++) {
        if (count_rows(db, tenant_tables[i], b) != 0)
            fail_msg("%s: rows outlived their tenant", tenant_tables[i]);
        if (count_rows(db, tenant_tables[i], a) != before[i])
            fail_msg("%s: deleting tenant B changed A's rows", tenant_tables[i]);
    }
}

/* The list above is the schema's: every table with a tenant_id column,
 * and tenants. */
static void tenant_tables_are_all_listed(void **state)
{
    struct test_db *t = *state;
    char *have = lines(t->db, test_db_is_pg(t)
                                  ? "SELECT table_name FROM information_schema.columns"
                                    " WHERE table_schema = current_schema()"
                                    " AND column_name = 'tenant_id'"
                                    " UNION SELECT 'tenants' ORDER BY 1"
                                  : "SELECT m.name FROM sqlite_master m,"
                                    " pragma_table_info(m.name) p WHERE m.type = 'table'"
                                    " AND p.name = 'tenant_id' UNION SELECT 'tenants' ORDER BY 1");
    size_t n = 0;
    for (char *line = have, *nl; (nl = strchr(line, '\n')) != NULL; line = nl + 1, n++) {
        *nl = '\0';
        size_t i = 0;
        while (i < NTABLES && strcmp(tenant_tables[i], line) != 0)
            i++;
        if (i == NTABLES)
            fail_msg("table %s has a tenant_id column but is not in tenant_tables", line);
    }
    assert_int_equal(n, NTABLES);
    xfree(have);
}

/* Inside A's transaction, every tenant-owned table shows only A's rows;
 * B's can be neither counted, updated nor deleted, even by a statement
 * that asks for them by tenant_id. */
static void tenant_sees_only_its_rows(void **state)
{
    struct test_db *t = *state;
    struct db *db = t->db;
    struct err err = {0};
    const char *a = "ten_rls_a2", *b = "ten_rls_b2";
    int64_t own[NTABLES], theirs[NTABLES];

    populate(db, a);
    populate(db, b);
    for (size_t i = 0; i < NTABLES; i++) {
        own[i] = count_rows(db, tenant_tables[i], a);
        theirs[i] = count_rows(db, tenant_tables[i], b);
        if (own[i] < 1 || theirs[i] < 1)
            fail_msg("%s: populate wrote no row for it", tenant_tables[i]);
        assert_true(count_rows(db, tenant_tables[i], NULL) >= own[i] + theirs[i]);
    }

    assert_db_ok(db_begin_tenant(db, a, &err), &err);
    for (size_t i = 0; i < NTABLES; i++) {
        const char *table = tenant_tables[i], *col = tenant_column(table);
        assert_int_equal(count_rows(db, table, a), own[i]);
        /* SQLite has no row-level security: there a tenant's code is
         * confined by its own WHERE tenant_id = ..., as checked above, and
         * the unfiltered statements below would see B's rows. */
        if (!test_db_is_pg(t))
            continue;
        if (count_rows(db, table, NULL) != own[i])
            fail_msg("%s: A's transaction sees rows not A's", table);
        if (count_rows(db, table, b) != 0)
            fail_msg("%s: A's transaction sees B's rows", table);

        struct buf sql;
        int64_t changes = -1;
        buf_init(&sql, 0);
        buf_printf(&sql, "UPDATE %s SET %s = %s WHERE %s = $1", table, col, col, col);
        assert_db_ok(db_exec(db, buf_cstr(&sql), DB_ARGS(DB_TEXT(b)), &changes, &err), &err);
        if (changes != 0)
            fail_msg("%s: A's transaction updated B's rows", table);
        buf_reset(&sql);
        buf_printf(&sql, "DELETE FROM %s WHERE %s = $1", table, col);
        assert_db_ok(db_exec(db, buf_cstr(&sql), DB_ARGS(DB_TEXT(b)), &changes, &err), &err);
        if (changes != 0)
            fail_msg("%s: A's transaction deleted B's rows", table);
        buf_dispose(&sql);
    }
    assert_db_ok(db_commit(db, &err), &err);
    for (size_t i = 0; i < NTABLES; i++)
        assert_int_equal(count_rows(db, tenant_tables[i], b), theirs[i]);
}

/* jobs.dedupe_key is unique per tenant among queued and running jobs, and
 * separately among system jobs; the ON CONFLICT forms the migration
 * documents work on both engines. The deliberately global keys stay so. */
static void unique_keys_are_per_tenant(void **state)
{
    struct test_db *t = *state;
    struct db *db = t->db;
    struct err err = {0};
    int64_t changes = -1;
    const char *a = "ten_uq_a", *b = "ten_uq_b";
    const char *job = "INSERT INTO jobs (id, tenant_id, kind, dedupe_key, status, run_at,"
                      " created_at, updated_at) VALUES ($1, $2, 'sync', 'sync:same', $3, 0, 0, 0)";
    const char *tenant_upsert =
        "INSERT INTO jobs (id, tenant_id, kind, dedupe_key, run_at, created_at, updated_at)"
        " VALUES ($1, $2, 'sync', 'sync:same', 0, 0, 0) ON CONFLICT (tenant_id, dedupe_key)"
        " WHERE tenant_id IS NOT NULL AND dedupe_key IS NOT NULL"
        " AND status IN ('queued', 'running') DO NOTHING";
    const char *system_upsert =
        "INSERT INTO jobs (id, tenant_id, kind, dedupe_key, run_at, created_at, updated_at)"
        " VALUES ($1, NULL, 'sync', 'sync:same', 0, 0, 0) ON CONFLICT (dedupe_key)"
        " WHERE tenant_id IS NULL AND dedupe_key IS NOT NULL"
        " AND status IN ('queued', 'running') DO NOTHING";

    add_parents(db, a);
    add_parents(db, b);
    assert_db_ok(db_begin_tenant(db, a, &err), &err);
    assert_db_ok(
        db_exec(db, job, DB_ARGS(DB_TEXT("job_uq_a1"), DB_TEXT(a), DB_TEXT("queued")), NULL, &err),
        &err);
    assert_db_ok(db_commit(db, &err), &err);
    /* B's job with the same key is B's business. */
    assert_db_ok(db_begin_tenant(db, b, &err), &err);
    assert_db_ok(
        db_exec(db, job, DB_ARGS(DB_TEXT("job_uq_b1"), DB_TEXT(b), DB_TEXT("running")), NULL, &err),
        &err);
    assert_db_ok(db_commit(db, &err), &err);
    assert_int_equal(
        db_exec(db, job, DB_ARGS(DB_TEXT("job_uq_a2"), DB_TEXT(a), DB_TEXT("queued")), NULL, &err),
        ERR_CONFLICT);
    assert_db_ok(
        db_exec(db, job, DB_ARGS(DB_TEXT("job_uq_a3"), DB_TEXT(a), DB_TEXT("done")), NULL, &err),
        &err);
    assert_db_ok(
        db_exec(db, tenant_upsert, DB_ARGS(DB_TEXT("job_uq_a4"), DB_TEXT(a)), &changes, &err),
        &err);
    assert_int_equal(changes, 0);
    /* System jobs: one of their own per key, beside the tenants'. */
    assert_db_ok(
        db_exec(db, job, DB_ARGS(DB_TEXT("job_uq_s1"), DB_NULL, DB_TEXT("queued")), NULL, &err),
        &err);
    assert_int_equal(
        db_exec(db, job, DB_ARGS(DB_TEXT("job_uq_s2"), DB_NULL, DB_TEXT("queued")), NULL, &err),
        ERR_CONFLICT);
    assert_db_ok(db_exec(db, system_upsert, DB_ARGS(DB_TEXT("job_uq_s3")), &changes, &err), &err);
    assert_int_equal(changes, 0);
    assert_int_equal(test_db_int(db, "SELECT count(*) FROM jobs WHERE dedupe_key = 'sync:same'"
                                     " AND status IN ('queued', 'running')"),
                     3);

    /* Global by design (see the migration): API key hashes and inbound
     * webhook keys are looked up before the tenant is known; tenant names
     * are the operators' labels. */
    assert_int_equal(
        db_exec(db,
                "INSERT INTO api_keys (id, tenant_id, key_hash, created_at)"
                " VALUES ('key_uq_a', $1, 'hash_uq', 0), ('key_uq_b', $2, 'hash_uq', 0)",
                DB_ARGS(DB_TEXT(a), DB_TEXT(b)), NULL, &err),
        ERR_CONFLICT);
    assert_int_equal(db_exec(db,
                             "INSERT INTO webhook_endpoints (id, tenant_id, kind, inbound_key,"
                             " created_at, updated_at) VALUES ('whe_uq', $1, 'n8n',"
                             " 'ten_uq_a_whe', 0, 0)",
                             DB_ARGS(DB_TEXT(b)), NULL, &err),
                     ERR_CONFLICT);
    assert_int_equal(db_exec(db,
                             "INSERT INTO tenants (id, name, created_at) VALUES ('ten_uq_c',"
                             " 'ten_uq_a', 0)",
                             NULL, 0, NULL, &err),
                     ERR_CONFLICT);
}

/* A test that fails inside a transaction leaves it open: end it, so the
 * next test of the group starts clean. */
static int rollback(void **state)
{
    db_rollback(((struct test_db *)*state)->db);
    return 0;
}

int test_isolation(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(credentials_slot_cannot_be_squatted, rollback),
        cmocka_unit_test_teardown(foreign_keys_stay_in_the_tenant, rollback),
        cmocka_unit_test_teardown(deleting_a_parent_spares_other_tenants, rollback),
        cmocka_unit_test_teardown(tenant_tables_are_all_listed, rollback),
        cmocka_unit_test_teardown(tenant_sees_only_its_rows, rollback),
        cmocka_unit_test_teardown(unique_keys_are_per_tenant, rollback),
    };
    return test_group_db("isolation", tests);
}
