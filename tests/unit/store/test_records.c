/* tests/unit/store/test_records.c - the normalized tables written from
 * mapped records (store/records.h), on both engines, inside tenant
 * transactions as a sync makes them: created, updated and unchanged (the
 * content hash; updated_at moves only on a change), typed columns,
 * references resolved whichever record comes first (waiting in
 * properties._refs meanwhile), contacts matched to accounts by email
 * domain across the tenant's integrations (free mail never, the oldest
 * account when several), and soft delete then undelete; and
 * sync/normalize.c's overrides from field_mappings rows over the store. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/id.h"
#include "core/jsonx.h"
#include "map/mapping.h"
#include "store/integration.h"
#include "store/records.h"
#include "store/tenant.h"
#include "sync/normalize.h"
#include "test.h"
#include "test_db.h"

#define NOW 1700000000

static const char *const ACCOUNTS =
    "{\"stream\":\"Account\",\"model\":\"accounts\",\"fields\":{\"external_id\":\"Id\","
    "\"deleted\":\"IsDeleted\",\"name\":\"Name\",\"domain\":{\"from\":\"Website\","
    "\"transforms\":[\"url_domain\"]},\"employees\":\"Employees\",\"annual_revenue\":"
    "\"Revenue\",\"remote_updated_at\":\"Modified\"}}";
static const char *const CONTACTS =
    "{\"stream\":\"Contact\",\"model\":\"contacts\",\"fields\":{\"external_id\":\"Id\","
    "\"deleted\":\"IsDeleted\",\"first_name\":\"FirstName\",\"email\":\"Email\","
    "\"account\":\"AccountId\"}}";
static const char *const DEALS =
    "{\"stream\":\"Opportunity\",\"model\":\"deals\",\"fields\":{\"external_id\":\"Id\","
    "\"name\":\"Name\",\"amount\":\"Amount\",\"account\":\"AccountId\","
    "\"contact\":\"ContactId\"}}";

struct fx {
    struct test_db *t;
    char tenant[ID_MAX];
    char integ[ID_MAX];
};

static void make_integration(struct fx *f, const char *name, char id[ID_MAX])
{
    struct integration it = {0};
    struct err e;
    assert_db_ok(db_begin_tenant(f->t->db, f->tenant, &e), &e);
    assert_db_ok(integration_create(&it, f->t->db, f->tenant, "salesforce", name, NULL, NOW, &e),
                 &e);
    assert_db_ok(db_commit(f->t->db, &e), &e);
    memcpy(id, it.id, ID_MAX);
    integration_dispose(&it);
}

static void fx_init(struct fx *f, void **state, const char *name)
{
    struct secret key = {0};
    struct err e;
    f->t = *state;
    assert_db_ok(tenant_create(f->tenant, &key, f->t->db, name, &e), &e);
    secret_dispose(&key);
    make_integration(f, "Org", f->integ);
}

/* Map record (JSON text) through spec and upsert it into integration
 * integ at now; the outcome. */
static enum records_outcome put_in(struct fx *f, const char *integ, const char *spec_text,
                                   const char *record_text, int64_t now)
{
    struct json_object *spec = NULL, *rec = NULL;
    struct map *m = NULL;
    struct map_row row;
    struct jsonx_ptr at;
    enum records_outcome o = RECORDS_UNCHANGED;
    struct err e;

    assert_db_ok(jsonx_parse(&spec, spec_text, strlen(spec_text), 1 << 20, &e), &e);
    assert_db_ok(jsonx_parse(&rec, record_text, strlen(record_text), 1 << 20, &e), &e);
    jsonx_ptr_init(&at);
    assert_db_ok(map_parse(&m, spec, &at, &e), &e);
    assert_db_ok(map_apply(m, rec, &row, &e), &e);
    assert_db_ok(db_begin_tenant(f->t->db, f->tenant, &e), &e);
    assert_db_ok(
        records_upsert(f->t->db, f->tenant, integ, "salesforce", map_stream(m), &row, now, &o, &e),
        &e);
    /* A batch of one: what waits is linked before the commit. */
    assert_db_ok(records_link(f->t->db, f->tenant, integ, true, true, now, &e), &e);
    assert_db_ok(db_commit(f->t->db, &e), &e);
    map_row_dispose(&row);
    map_free(m);
    json_object_put(spec);
    json_object_put(rec);
    return o;
}

static enum records_outcome put(struct fx *f, const char *spec, const char *record, int64_t now)
{
    return put_in(f, f->integ, spec, record, now);
}

/* Column 0 of sql's first row (one text parameter) in the tenant's
 * transaction, as text (xfree), or NULL for SQL NULL; fails without a row. */
static char *col(struct fx *f, const char *sql, const char *arg)
{
    struct db_rows *r = NULL;
    struct err e;
    char *out = NULL;
    assert_db_ok(db_begin_tenant_read(f->t->db, f->tenant, &e), &e);
    assert_db_ok(db_query_row(&r, f->t->db, sql, DB_ARGS(DB_TEXT(arg)), &e), &e);
    if (!db_rows_is_null(r, 0))
        out = xstrdup(db_rows_text(r, 0));
    db_rows_free(r);
    db_rollback(f->t->db);
    return out;
}

static int64_t num(struct fx *f, const char *sql, const char *arg)
{
    char *s = col(f, sql, arg);
    int64_t v = s ? strtoll(s, NULL, 10) : -1;
    xfree(s);
    return v;
}

static void assert_col(struct fx *f, const char *sql, const char *arg, const char *want)
{
    char *s = col(f, sql, arg);
    if (!want)
        assert_null(s);
    else {
        assert_non_null(s);
        assert_string_equal(s, want);
    }
    xfree(s);
}

static void created_updated_unchanged(void **state)
{
    struct fx f;
    fx_init(&f, state, "records-a");
    const char *rec = "{\"Id\":\"001A\",\"Name\":\"Acme\",\"Website\":\"https://www.Acme.com/x\","
                      "\"Employees\":12,\"Revenue\":1234.5,\"Modified\":"
                      "\"2024-03-01T10:00:00Z\",\"Type\":\"Customer\"}";
    assert_int_equal(put(&f, ACCOUNTS, rec, NOW), RECORDS_CREATED);
    assert_col(&f, "SELECT name FROM accounts WHERE external_id = $1", "001A", "Acme");
    assert_col(&f, "SELECT domain FROM accounts WHERE external_id = $1", "001A", "acme.com");
    assert_col(&f, "SELECT connector FROM accounts WHERE external_id = $1", "001A", "salesforce");
    assert_int_equal(num(&f, "SELECT employees FROM accounts WHERE external_id = $1", "001A"), 12);
    assert_int_equal(num(&f,
                         "SELECT CAST(annual_revenue * 10 AS INTEGER) FROM accounts"
                         " WHERE external_id = $1",
                         "001A"),
                     12345);
    assert_int_equal(
        num(&f, "SELECT remote_updated_at FROM accounts WHERE external_id = $1", "001A"),
        1709287200);
    assert_int_equal(num(&f, "SELECT updated_at FROM accounts WHERE external_id = $1", "001A"),
                     NOW);
    assert_int_equal(num(&f, "SELECT created_at FROM accounts WHERE external_id = $1", "001A"),
                     NOW);
    char *props = col(&f, "SELECT properties FROM accounts WHERE external_id = $1", "001A");
    assert_non_null(strstr(props, "\"Type\""));
    xfree(props);
    assert_col(&f,
               "SELECT target FROM synced_records WHERE external_id = $1 AND stream = 'Account'",
               "001A", "accounts");
    char *id = col(&f, "SELECT id FROM accounts WHERE external_id = $1", "001A");
    assert_col(&f, "SELECT record_id FROM synced_records WHERE external_id = $1", "001A", id);

    /* The same record again: nothing moves but last_synced_at. */
    assert_int_equal(put(&f, ACCOUNTS, rec, NOW + 10), RECORDS_UNCHANGED);
    assert_int_equal(num(&f, "SELECT updated_at FROM accounts WHERE external_id = $1", "001A"),
                     NOW);
    assert_int_equal(
        num(&f, "SELECT last_synced_at FROM synced_records WHERE external_id = $1", "001A"),
        NOW + 10);

    /* A change: the same row, updated. */
    const char *changed = "{\"Id\":\"001A\",\"Name\":\"Acme Inc\",\"Website\":\"acme.com\"}";
    assert_int_equal(put(&f, ACCOUNTS, changed, NOW + 20), RECORDS_UPDATED);
    assert_col(&f, "SELECT id FROM accounts WHERE external_id = $1", "001A", id);
    assert_col(&f, "SELECT name FROM accounts WHERE external_id = $1", "001A", "Acme Inc");
    assert_col(&f, "SELECT employees FROM accounts WHERE external_id = $1", "001A", NULL);
    assert_int_equal(num(&f, "SELECT updated_at FROM accounts WHERE external_id = $1", "001A"),
                     NOW + 20);
    assert_int_equal(num(&f, "SELECT created_at FROM accounts WHERE external_id = $1", "001A"),
                     NOW);
    assert_int_equal(num(&f, "SELECT count(*) FROM accounts WHERE external_id = $1", "001A"), 1);
    xfree(id);
}

static void refs_in_either_order(void **state)
{
    struct fx f;
    fx_init(&f, state, "records-b");

    /* The contact first: its account waits in _refs. */
    assert_int_equal(put(&f, CONTACTS,
                         "{\"Id\":\"003A\",\"FirstName\":\"Ada\",\"Email\":\"ada@gmail.com\","
                         "\"AccountId\":\"001B\"}",
                         NOW),
                     RECORDS_CREATED);
    assert_col(&f, "SELECT account_id FROM contacts WHERE external_id = $1", "003A", NULL);
    char *props = col(&f, "SELECT properties FROM contacts WHERE external_id = $1", "003A");
    assert_non_null(strstr(props, "_refs"));
    assert_non_null(strstr(props, "001B"));
    xfree(props);
    /* A deal waiting for both its account and its contact's account. */
    assert_int_equal(put(&f, DEALS,
                         "{\"Id\":\"006A\",\"Name\":\"Big\",\"Amount\":\"10.50\","
                         "\"AccountId\":\"001B\",\"ContactId\":\"003A\"}",
                         NOW),
                     RECORDS_CREATED);
    char *contact = col(&f, "SELECT id FROM contacts WHERE external_id = $1", "003A");
    assert_col(&f, "SELECT contact_id FROM deals WHERE external_id = $1", "006A", contact);
    assert_col(&f, "SELECT account_id FROM deals WHERE external_id = $1", "006A", NULL);

    /* The account arrives: both rows waiting for it are linked. */
    assert_int_equal(put(&f, ACCOUNTS, "{\"Id\":\"001B\",\"Name\":\"B\"}", NOW + 5),
                     RECORDS_CREATED);
    char *account = col(&f, "SELECT id FROM accounts WHERE external_id = $1", "001B");
    assert_col(&f, "SELECT account_id FROM contacts WHERE external_id = $1", "003A", account);
    assert_col(&f, "SELECT account_id FROM deals WHERE external_id = $1", "006A", account);
    assert_int_equal(num(&f, "SELECT updated_at FROM contacts WHERE external_id = $1", "003A"),
                     NOW + 5);

    /* The account first: a new contact links at once. */
    assert_int_equal(put(&f, CONTACTS, "{\"Id\":\"003B\",\"AccountId\":\"001B\"}", NOW + 6),
                     RECORDS_CREATED);
    assert_col(&f, "SELECT account_id FROM contacts WHERE external_id = $1", "003B", account);
    props = col(&f, "SELECT properties FROM contacts WHERE external_id = $1", "003B");
    assert_null(strstr(props, "_refs"));
    xfree(props);
    xfree(account);
    xfree(contact);
}

static void contacts_by_email_domain(void **state)
{
    struct fx f;
    char other[ID_MAX];
    fx_init(&f, state, "records-c");
    make_integration(&f, "Other", other);

    /* Two accounts of acme.com, in another integration: the older wins. */
    assert_int_equal(
        put_in(&f, other, ACCOUNTS, "{\"Id\":\"001O\",\"Website\":\"acme.com\"}", NOW - 100),
        RECORDS_CREATED);
    assert_int_equal(
        put_in(&f, other, ACCOUNTS, "{\"Id\":\"001P\",\"Website\":\"acme.com\"}", NOW - 50),
        RECORDS_CREATED);
    char *oldest = col(&f, "SELECT id FROM accounts WHERE external_id = $1", "001O");
    assert_int_equal(put(&f, CONTACTS, "{\"Id\":\"003C\",\"Email\":\"Bo@ACME.com\"}", NOW),
                     RECORDS_CREATED);
    assert_col(&f, "SELECT account_id FROM contacts WHERE external_id = $1", "003C", oldest);

    /* Free mail is never matched, even with such an account. */
    assert_int_equal(
        put_in(&f, other, ACCOUNTS, "{\"Id\":\"001G\",\"Website\":\"gmail.com\"}", NOW),
        RECORDS_CREATED);
    assert_int_equal(put(&f, CONTACTS, "{\"Id\":\"003D\",\"Email\":\"cy@gmail.com\"}", NOW),
                     RECORDS_CREATED);
    assert_col(&f, "SELECT account_id FROM contacts WHERE external_id = $1", "003D", NULL);

    /* A contact before its domain's account: linked when it arrives. */
    assert_int_equal(put(&f, CONTACTS, "{\"Id\":\"003E\",\"Email\":\"di@example.org\"}", NOW),
                     RECORDS_CREATED);
    assert_col(&f, "SELECT account_id FROM contacts WHERE external_id = $1", "003E", NULL);
    assert_int_equal(
        put(&f, ACCOUNTS, "{\"Id\":\"001E\",\"Website\":\"http://www.example.org\"}", NOW + 1),
        RECORDS_CREATED);
    char *ex = col(&f, "SELECT id FROM accounts WHERE external_id = $1", "001E");
    assert_col(&f, "SELECT account_id FROM contacts WHERE external_id = $1", "003E", ex);
    /* A look-alike domain is not a match. */
    assert_int_equal(put(&f, CONTACTS, "{\"Id\":\"003F\",\"Email\":\"ed@notexample.org\"}", NOW),
                     RECORDS_CREATED);
    assert_col(&f, "SELECT account_id FROM contacts WHERE external_id = $1", "003F", NULL);
    /* An account's domain changes: the contacts at the new one link. */
    assert_int_equal(put(&f, CONTACTS, "{\"Id\":\"003G\",\"Email\":\"fa@newco.io\"}", NOW),
                     RECORDS_CREATED);
    assert_col(&f, "SELECT account_id FROM contacts WHERE external_id = $1", "003G", NULL);
    assert_int_equal(put(&f, ACCOUNTS, "{\"Id\":\"001E\",\"Website\":\"newco.io\"}", NOW + 2),
                     RECORDS_UPDATED);
    assert_col(&f, "SELECT account_id FROM contacts WHERE external_id = $1", "003G", ex);
    xfree(ex);
    xfree(oldest);
}

/* sync/normalize.c over the store: overrides from field_mappings rows (a
 * stream without a default starts empty), bad rows skipped and said, and
 * a record that fails to map counted, not returned. */
static void normalize_with_overrides(void **state)
{
    struct fx f;
    struct normalize *n = NULL;
    struct normalize_counts c = {0};
    struct json_object *rec = NULL;
    struct err e;
    fx_init(&f, state, "records-e");

    const char *rows[][4] = {
        {"external_id", "id", "[]"},
        {"email", "mail", "[\"trim\"]"},
        {"title", "role", "[\"lowr\"]"}, /* unknown transform: skipped */
        {"first_name", "name", NULL},
    };
    assert_db_ok(db_begin_tenant(f.t->db, f.tenant, &e), &e);
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        char id[ID_MAX];
        id_new(id, "fmap");
        assert_db_ok(
            db_exec(f.t->db,
                    "INSERT INTO field_mappings (id, tenant_id, integration_id, stream,"
                    " target, target_field, source_field, transforms, created_at,"
                    " updated_at) VALUES ($1, $2, $3, 'people', 'contacts', $4, $5,"
                    " $6, 1, 1)",
                    DB_ARGS(DB_TEXT(id), DB_TEXT(f.tenant), DB_TEXT(f.integ), DB_TEXT(rows[i][0]),
                            DB_TEXT(rows[i][1]), DB_TEXT(rows[i][2] ? rows[i][2] : "[]")),
                    NULL, &e),
            &e);
    }
    /* A mapping with no external_id: dropped. */
    assert_db_ok(db_exec(f.t->db,
                         "INSERT INTO field_mappings (id, tenant_id, integration_id, stream,"
                         " target, target_field, source_field, created_at, updated_at) VALUES"
                         " ('fmap_x', $1, $2, 'orgs', 'accounts', 'name', 'n', 1, 1)",
                         DB_ARGS(DB_TEXT(f.tenant), DB_TEXT(f.integ)), NULL, &e),
                 &e);
    assert_db_ok(db_commit(f.t->db, &e), &e);

    assert_db_ok(normalize_new(&n, f.t->db, f.tenant, f.integ, NULL, NULL, &e), &e);
    assert_true(normalize_active(n));
    assert_non_null(strstr(normalize_errors(n), "lowr"));
    assert_non_null(strstr(normalize_errors(n), "orgs -> accounts"));

    const char *good = "{\"id\":\"p1\",\"mail\":\" P1@Acme.com \",\"name\":\"Pat\","
                       "\"role\":\"CEO\"}";
    const char *bad = "{\"id\":\"p2\",\"mail\":\"not an email\"}";
    assert_db_ok(db_begin_tenant(f.t->db, f.tenant, &e), &e);
    assert_db_ok(jsonx_parse(&rec, good, strlen(good), 1 << 20, &e), &e);
    assert_db_ok(normalize_record(n, f.t->db, "people", rec, NOW, &c, &e), &e);
    json_object_put(rec);
    assert_db_ok(jsonx_parse(&rec, bad, strlen(bad), 1 << 20, &e), &e);
    assert_db_ok(normalize_record(n, f.t->db, "people", rec, NOW, &c, &e), &e);
    assert_db_ok(normalize_record(n, f.t->db, "other", rec, NOW, &c, &e), &e);
    assert_db_ok(normalize_flush(n, f.t->db, NOW, &e), &e);
    json_object_put(rec);
    assert_db_ok(db_commit(f.t->db, &e), &e);
    assert_int_equal(c.created, 1);
    assert_int_equal(c.failed, 1);
    assert_non_null(strstr(normalize_errors(n), "people p2 -> contacts: email:"));
    assert_col(&f, "SELECT email FROM contacts WHERE external_id = $1", "p1", "p1@acme.com");
    assert_col(&f, "SELECT first_name FROM contacts WHERE external_id = $1", "p1", "Pat");
    assert_col(&f, "SELECT title FROM contacts WHERE external_id = $1", "p1", NULL);
    normalize_free(n);
}

static void soft_delete_and_back(void **state)
{
    struct fx f;
    fx_init(&f, state, "records-d");
    assert_int_equal(put(&f, CONTACTS, "{\"Id\":\"003X\",\"FirstName\":\"Xi\"}", NOW),
                     RECORDS_CREATED);
    const char *gone = "{\"Id\":\"003X\",\"FirstName\":\"Xi\",\"IsDeleted\":true}";
    assert_int_equal(put(&f, CONTACTS, gone, NOW + 1), RECORDS_DELETED);
    assert_int_equal(num(&f, "SELECT deleted_at FROM contacts WHERE external_id = $1", "003X"),
                     NOW + 1);
    assert_int_equal(
        num(&f, "SELECT deleted_at FROM synced_records WHERE external_id = $1", "003X"), NOW + 1);
    assert_int_equal(put(&f, CONTACTS, gone, NOW + 2), RECORDS_UNCHANGED);
    /* Still gone, with a change: it keeps the time it went. */
    assert_int_equal(
        put(&f, CONTACTS, "{\"Id\":\"003X\",\"FirstName\":\"Xu\",\"IsDeleted\":true}", NOW + 3),
        RECORDS_DELETED);
    assert_int_equal(num(&f, "SELECT deleted_at FROM contacts WHERE external_id = $1", "003X"),
                     NOW + 1);
    /* Back. */
    assert_int_equal(put(&f, CONTACTS, "{\"Id\":\"003X\",\"FirstName\":\"Xi\"}", NOW + 4),
                     RECORDS_UPDATED);
    assert_col(&f, "SELECT deleted_at FROM contacts WHERE external_id = $1", "003X", NULL);
    assert_col(&f, "SELECT deleted_at FROM synced_records WHERE external_id = $1", "003X", NULL);
    assert_int_equal(num(&f, "SELECT count(*) FROM contacts WHERE external_id = $1", "003X"), 1);
}

static void free_mail_list(void **state)
{
    (void)state;
    const char *yes[] = {"gmail.com",      "163.com", "yandex.ru", "proton.me",
                         "protonmail.com", "gmx.de",  "me.com",    "mail.com"};
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
        assert_true(records_free_mail(yes[i]));
    assert_false(records_free_mail("acme.com"));
    assert_false(records_free_mail("gmail.co"));
    assert_false(records_free_mail(""));
}

int test_records(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(created_updated_unchanged), cmocka_unit_test(refs_in_either_order),
        cmocka_unit_test(contacts_by_email_domain),  cmocka_unit_test(soft_delete_and_back),
        cmocka_unit_test(normalize_with_overrides),  cmocka_unit_test(free_mail_list),
    };
    return test_group_db("records", tests);
}
