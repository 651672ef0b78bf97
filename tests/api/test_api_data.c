/* tests/api/test_api_data.c - the Data API and data retention through the
 * real server, on both engines. Syncs do not fill the normalized tables
 * yet, so the rows are written here with SQL, for two tenants (a with two
 * integrations, b with one): every filter; every sort, paged with cursors
 * that see each row exactly once while rows arrive between the pages; each
 * refused parameter with its exact message; deleted rows; a record's
 * sources; tenant b seeing nothing of a's; and purges that remove exactly
 * the data they name, the loader's raw tables included. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_test.h"
#include "core/alloc.h"
#include "core/jsonx.h"
#include "core/time.h"
#include "singer/message.h"
#include "store/records_query.h"
#include "sync/columns.h"
#include "sync/loader.h"
#include "test.h"

/* ---- writing rows ---- */

static void exec_ok(struct api_test *t, const char *sql, const struct db_val *v, size_t n)
{
    struct err e;
    assert_db_ok(db_exec(t->tdb->db, sql, v, n, NULL, &e), &e);
}
#define EXEC(t, sql, ...) exec_ok((t), (sql), DB_ARGS(__VA_ARGS__))

static int64_t count_of(struct api_test *t, const char *sql, const char *arg)
{
    int64_t n = -1;
    struct err e;
    assert_db_ok(db_query_int(&n, t->tdb->db, sql, DB_ARGS(DB_TEXT(arg)), &e), &e);
    return n;
}

static int64_t base_time(void)
{
    return time_now_ms() / 1000 - 10 * 86400;
}

/* A testnone integration of the holder of key; its id into id. */
static void integration(struct api_test *t, const char *key, const char *name, char id[ID_MAX])
{
    char body[256];
    snprintf(body, sizeof(body), "{\"connector\":\"testnone\",\"name\":\"%s\"}", name);
    api_test_create(t, key, body, id);
}

struct contact {
    const char *first, *last, *email, *account, *source, *status;
    int64_t created, updated, deleted; /* deleted 0: live */
};

/* Insert c for (tenant, integ); id is used when set, else made. */
static void add_contact(struct api_test *t, const char *tenant, const char *integ,
                        const struct contact *c, char id[ID_MAX])
{
    char ext[ID_MAX + 8];
    if (!id[0])
        id_new(id, "con");
    snprintf(ext, sizeof(ext), "ext-%s", id);
    EXEC(t,
         "INSERT INTO contacts (id, tenant_id, integration_id, connector, external_id, account_id,"
         " first_name, last_name, email, lead_source, lead_status, properties, created_at,"
         " updated_at, last_synced_at, deleted_at)"
         " VALUES ($1, $2, $3, 'testnone', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $14)",
         DB_TEXT(id), DB_TEXT(tenant), DB_TEXT(integ), DB_TEXT(ext), DB_TEXT(c->account),
         DB_TEXT(c->first), DB_TEXT(c->last), DB_TEXT(c->email), DB_TEXT(c->source),
         DB_TEXT(c->status), DB_TEXT("{\"score\":7,\"tags\":[\"vip\"]}"),
         DB_INT(c->created ? c->created : c->updated), DB_INT(c->updated),
         c->deleted ? DB_INT(c->deleted) : DB_NULL);
}

static void add_account(struct api_test *t, const char *tenant, const char *integ, const char *name,
                        const char *domain, const char *revenue, int64_t updated, int64_t deleted,
                        char id[ID_MAX])
{
    id_new(id, "acc");
    EXEC(t,
         "INSERT INTO accounts (id, tenant_id, integration_id, connector, external_id, name,"
         " domain, employees, annual_revenue, created_at, updated_at, last_synced_at, deleted_at)"
         " VALUES ($1, $2, $3, 'testnone', $1, $4, $5, 42, $6, $7, $7, $7, $8)",
         DB_TEXT(id), DB_TEXT(tenant), DB_TEXT(integ), DB_TEXT(name), DB_TEXT(domain),
         DB_TEXT(revenue), DB_INT(updated), deleted ? DB_INT(deleted) : DB_NULL);
}

static void add_ticket(struct api_test *t, const char *tenant, const char *integ,
                       const char *subject, const char *account, const char *contact,
                       int64_t updated, char id[ID_MAX])
{
    id_new(id, "tik");
    EXEC(t,
         "INSERT INTO tickets (id, tenant_id, integration_id, connector, external_id, subject,"
         " status, account_id, contact_id, remote_closed_at, created_at, updated_at,"
         " last_synced_at) VALUES ($1, $2, $3, 'testnone', $1, $4, 'open', $5, $6, $7, $7, $7, $7)",
         DB_TEXT(id), DB_TEXT(tenant), DB_TEXT(integ), DB_TEXT(subject), DB_TEXT(account),
         DB_TEXT(contact), DB_INT(updated));
}

static void add_deal(struct api_test *t, const char *tenant, const char *integ, const char *name,
                     const char *amount, const char *currency, const char *probability,
                     const char *account, int64_t updated, char id[ID_MAX])
{
    id_new(id, "dea");
    EXEC(t,
         "INSERT INTO deals (id, tenant_id, integration_id, connector, external_id, name, amount,"
         " currency, stage, probability, account_id, close_date, created_at, updated_at,"
         " last_synced_at) VALUES ($1, $2, $3, 'testnone', $1, $4, $5, $6, 'Prospecting', $7, $8,"
         " '2027-03-31', $9, $9, $9)",
         DB_TEXT(id), DB_TEXT(tenant), DB_TEXT(integ), DB_TEXT(name), DB_TEXT(amount),
         DB_TEXT(currency), DB_TEXT(probability), DB_TEXT(account), DB_INT(updated));
}

static void add_source(struct api_test *t, const char *tenant, const char *integ,
                       const char *stream, const char *external_id, const char *target,
                       const char *record, int64_t synced)
{
    EXEC(t,
         "INSERT INTO synced_records (integration_id, stream, external_id, tenant_id, target,"
         " record_id, content_hash, first_synced_at, last_synced_at)"
         " VALUES ($1, $2, $3, $4, $5, $6, 'h', $7, $8)",
         DB_TEXT(integ), DB_TEXT(stream), DB_TEXT(external_id), DB_TEXT(tenant), DB_TEXT(target),
         DB_TEXT(record), DB_INT(synced - 50), DB_INT(synced));
}

/* ---- reading answers ---- */

/* The ids of v's "data", comma-separated, into out. */
static const char *ids_of(struct json_object *v, char *out, size_t n)
{
    struct json_object *data = jsonx_get(v, "data");
    size_t used = 0;
    out[0] = '\0';
    if (!json_object_is_type(data, json_type_array))
        fail_msg("no data array in %s", json_object_to_json_string(v));
    for (size_t i = 0; i < jsonx_len(data); i++) {
        int k = snprintf(out + used, n - used, "%s%s", i ? "," : "",
                         jsonx_str(jsonx_get(jsonx_at(data, i), "id")));
        assert_true(k > 0 && (size_t)k < n - used);
        used += (size_t)k;
    }
    return out;
}

/* GET path as the holder of key; expects 200 and a last page; the ids. */
static void expect_ids(struct api_test *t, const char *key, const char *path, const char *want)
{
    struct client_reply r;
    char got[4096];
    api_test_call(t, &r, NULL, path, key, NULL, NULL);
    if (r.status != 200)
        fail_msg("GET %s: %ld %s", path, r.status, buf_cstr(&r.body));
    struct json_object *v = api_test_json(&r);
    ids_of(v, got, sizeof(got));
    if (strcmp(got, want) != 0)
        fail_msg("GET %s:\n got  %s\n want %s", path, got, want);
    if (!jsonx_has(v, "next_cursor") || jsonx_get(v, "next_cursor"))
        fail_msg("GET %s: expected next_cursor null: %s", path, buf_cstr(&r.body));
    json_object_put(v);
    client_reply_dispose(&r);
}

/* Join up to six ids with commas (NULLs end the list). */
static const char *join(char *out, size_t n, const char *a, const char *b, const char *c,
                        const char *d, const char *e, const char *f)
{
    const char *v[] = {a, b, c, d, e, f};
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < 6 && v[i]; i++)
        used += (size_t)snprintf(out + used, n - used, "%s%s", i ? "," : "", v[i]);
    return out;
}

/* Expect path to be refused with status, code and exactly message. */
static void expect_refusal(struct api_test *t, const char *path, long status, const char *code,
                           const char *message)
{
    struct client_reply r;
    api_test_call(t, &r, NULL, path, t->a.key, NULL, NULL);
    api_test_expect_error(&r, status, code);
    struct json_object *v = api_test_json(&r);
    const char *got = jsonx_str(jsonx_get(jsonx_get(v, "error"), "message"));
    if (!got || strcmp(got, message) != 0)
        fail_msg("GET %s:\n got  %s\n want %s", path, got ? got : "(none)", message);
    json_object_put(v);
    client_reply_dispose(&r);
}

static void time_text(char out[TIME_RFC3339_MAX], int64_t sec)
{
    time_format_rfc3339_sec(out, sec * 1000);
}

static void expect_member(struct json_object *o, const char *name, const char *want)
{
    const char *got = jsonx_str(jsonx_get(o, name));
    if (want ? !got || strcmp(got, want) != 0 : jsonx_get(o, name) != NULL)
        fail_msg("%s: got %s, want %s", name, json_object_to_json_string(jsonx_get(o, name)),
                 want ? want : "null");
}

static void expect_json_text(struct json_object *v, const char *want);

/* ---- lists and filters ---- */

/* The data set of the filter tests: a's ids and b's. */
struct fixture {
    char a1[ID_MAX], a2[ID_MAX], b1[ID_MAX];
    char acc1[ID_MAX], acc2[ID_MAX], acc3[ID_MAX], bacc[ID_MAX];
    char c1[ID_MAX], c2[ID_MAX], c3[ID_MAX], c4[ID_MAX], c5[ID_MAX], bc[ID_MAX];
    char t1[ID_MAX], t2[ID_MAX], bt[ID_MAX];
    char d1[ID_MAX], d2[ID_MAX], bd[ID_MAX];
    int64_t t0;
};

static void fixture_make(struct api_test *t, struct fixture *f)
{
    const char *a = t->a.id, *b = t->b.id;
    memset(f, 0, sizeof(*f));
    f->t0 = base_time();
    integration(t, t->a.key, "A-One", f->a1);
    integration(t, t->a.key, "A-Two", f->a2);
    integration(t, t->b.key, "B-One", f->b1);
    add_account(t, a, f->a1, "Acme Corp", "acme.com", "1250000.50", f->t0 + 10, 0, f->acc1);
    add_account(t, a, f->a2, "globex", "globex.com", "7", f->t0 + 20, 0, f->acc2);
    add_account(t, a, f->a1, "Acme Deleted", "gone.com", NULL, f->t0 + 30, f->t0 + 31, f->acc3);
    add_account(t, b, f->b1, "Acme B-Secret", "b-secret.com", "99", f->t0 + 10, 0, f->bacc);
    add_contact(
        t, a, f->a1,
        &(struct contact){"Ann", "Lee", "ann@acme.com", f->acc1, "Web", "New", 0, f->t0 + 5, 0},
        f->c1);
    add_contact(
        t, a, f->a1,
        &(struct contact){"bob", "Stone", "bob@acme.com", f->acc1, NULL, NULL, 0, f->t0 + 15, 0},
        f->c2);
    add_contact(t, a, f->a2,
                &(struct contact){"Carla", "50%_Off", "carla@globex.com", f->acc2, NULL, NULL, 0,
                                  f->t0 + 25, 0},
                f->c3);
    add_contact(t, a, f->a2,
                &(struct contact){NULL, "Zed", "zed@x.io", NULL, NULL, NULL, 0, f->t0 + 35, 0},
                f->c4);
    add_contact(t, a, f->a1,
                &(struct contact){"Dan", "Deleted", "dan@acme.com", f->acc1, NULL, NULL, 0,
                                  f->t0 + 45, f->t0 + 46},
                f->c5);
    add_contact(t, b, f->b1,
                &(struct contact){"Ann", "B-Secret", "ann@b-secret.com", f->bacc, "Web", NULL, 0,
                                  f->t0 + 5, 0},
                f->bc);
    add_ticket(t, a, f->a1, "Refund request", f->acc1, f->c1, f->t0 + 7, f->t1);
    add_ticket(t, a, f->a2, "login broken", f->acc2, NULL, f->t0 + 8, f->t2);
    add_ticket(t, b, f->b1, "Refund B-Secret", f->bacc, f->bc, f->t0 + 7, f->bt);
    add_deal(t, a, f->a1, "Big deal", "1000.50", "USD", "25", f->acc1, f->t0 + 3, f->d1);
    add_deal(t, a, f->a2, "Small", "20", "EUR", "33.3", f->acc2, f->t0 + 4, f->d2);
    add_deal(t, b, f->b1, "B-Secret deal", "5", "USD", "50", f->bacc, f->t0 + 3, f->bd);
}

static void test_filters(void **state)
{
    struct api_test *t = *state;
    struct fixture f;
    char path[512], want[512], ts[TIME_RFC3339_MAX];
    const char *k = t->a.key;

    fixture_make(t, &f);
    expect_ids(t, k, "/api/data/contacts", join(want, sizeof(want), f.c1, f.c2, f.c3, f.c4, 0, 0));
    expect_ids(t, k, "/api/data/contacts?include_deleted=true",
               join(want, sizeof(want), f.c1, f.c2, f.c3, f.c4, f.c5, 0));
    expect_ids(t, k, "/api/data/contacts?include_deleted=false",
               join(want, sizeof(want), f.c1, f.c2, f.c3, f.c4, 0, 0));

    snprintf(path, sizeof(path), "/api/data/contacts?integration_id=%s", f.a1);
    expect_ids(t, k, path, join(want, sizeof(want), f.c1, f.c2, 0, 0, 0, 0));
    snprintf(path, sizeof(path), "/api/data/contacts?integration_id=%s", f.a2);
    expect_ids(t, k, path, join(want, sizeof(want), f.c3, f.c4, 0, 0, 0, 0));
    snprintf(path, sizeof(path), "/api/data/contacts?integration_id=%s", f.b1);
    expect_ids(t, k, path, ""); /* b's integration: nothing, as for one that never existed */
    snprintf(path, sizeof(path), "/api/data/contacts?account_id=%s", f.acc1);
    expect_ids(t, k, path, join(want, sizeof(want), f.c1, f.c2, 0, 0, 0, 0));
    snprintf(path, sizeof(path), "/api/data/contacts?account_id=%s&include_deleted=1", f.acc1);
    expect_ids(t, k, path, join(want, sizeof(want), f.c1, f.c2, f.c5, 0, 0, 0));

    /* updated_since is inclusive, and a fraction of a second rounds down:
     * a row of that second is never skipped. */
    time_text(ts, f.t0 + 15);
    snprintf(path, sizeof(path), "/api/data/contacts?updated_since=%s", ts);
    expect_ids(t, k, path, join(want, sizeof(want), f.c2, f.c3, f.c4, 0, 0, 0));
    ts[19] = '\0';
    snprintf(path, sizeof(path), "/api/data/contacts?updated_since=%s.999Z", ts);
    expect_ids(t, k, path, join(want, sizeof(want), f.c2, f.c3, f.c4, 0, 0, 0));
    time_text(ts, f.t0 + 16 + 7200);
    ts[19] = '\0';
    snprintf(path, sizeof(path), "/api/data/contacts?updated_since=%s%%2B02:00", ts);
    expect_ids(t, k, path, join(want, sizeof(want), f.c3, f.c4, 0, 0, 0, 0));

    /* q: a case-insensitive prefix of the name, the last name or the
     * email; LIKE's wildcards in it are plain characters. */
    expect_ids(t, k, "/api/data/contacts?q=ann", f.c1);
    expect_ids(t, k, "/api/data/contacts?q=ANN", f.c1);
    expect_ids(t, k, "/api/data/contacts?q=ann%20lee", f.c1);
    expect_ids(t, k, "/api/data/contacts?q=Lee", f.c1);
    expect_ids(t, k, "/api/data/contacts?q=bob%40", f.c2);
    expect_ids(t, k, "/api/data/contacts?q=zed", f.c4);
    expect_ids(t, k, "/api/data/contacts?q=50%25_", f.c3);
    expect_ids(t, k, "/api/data/contacts?q=5%25", "");
    expect_ids(t, k, "/api/data/contacts?q=_0", "");
    expect_ids(t, k, "/api/data/contacts?q=nn", ""); /* a prefix, not a substring */
    expect_ids(t, k, "/api/data/contacts?q=dan", "");
    expect_ids(t, k, "/api/data/contacts?q=dan&include_deleted=true", f.c5);
    expect_ids(t, k,
               "/api/data/contacts?q=", join(want, sizeof(want), f.c1, f.c2, f.c3, f.c4, 0, 0));
    snprintf(path, sizeof(path), "/api/data/contacts?integration_id=%s&q=B&sort=-updated_at", f.a1);
    expect_ids(t, k, path, f.c2);

    expect_ids(t, k, "/api/data/accounts", join(want, sizeof(want), f.acc1, f.acc2, 0, 0, 0, 0));
    expect_ids(t, k, "/api/data/accounts?q=acme", f.acc1);
    expect_ids(t, k, "/api/data/accounts?q=globex.c", f.acc2); /* the domain */
    expect_ids(t, k, "/api/data/accounts?q=ACME%20D&include_deleted=true", f.acc3);
    expect_ids(t, k, "/api/data/tickets?q=refund", f.t1);
    snprintf(path, sizeof(path), "/api/data/tickets?account_id=%s", f.acc2);
    expect_ids(t, k, path, f.t2);
    expect_ids(t, k, "/api/data/deals", join(want, sizeof(want), f.d1, f.d2, 0, 0, 0, 0));
    expect_ids(t, k, "/api/data/deals?q=big", f.d1);

    /* b sees only its own rows. */
    expect_ids(t, t->b.key, "/api/data/contacts?include_deleted=true", f.bc);
    expect_ids(t, t->b.key, "/api/data/accounts?include_deleted=true", f.bacc);
    expect_ids(t, t->b.key, "/api/data/tickets", f.bt);
    expect_ids(t, t->b.key, "/api/data/deals", f.bd);
}

/* Every member of each model, as stored; money as decimal strings. */
static void test_shapes(void **state)
{
    struct api_test *t = *state;
    struct fixture f;
    char path[256], ts[TIME_RFC3339_MAX];

    fixture_make(t, &f);
    snprintf(path, sizeof(path), "/api/data/contacts?integration_id=%s&limit=1", f.a1);
    struct json_object *v = api_test_expect(t, NULL, path, NULL, 200);
    struct json_object *c = jsonx_at(jsonx_get(v, "data"), 0);
    static const char *const contact_members[] = {
        "id",           "integration_id", "connector",         "external_id",
        "account_id",   "first_name",     "last_name",         "email",
        "phone",        "title",          "company",           "lead_source",
        "lead_status",  "properties",     "remote_created_at", "remote_updated_at",
        "created_at",   "updated_at",     "last_synced_at",    "deleted_at",
        "account_name",
    };
    assert_int_equal(json_object_object_length(c),
                     sizeof(contact_members) / sizeof(contact_members[0]));
    for (size_t i = 0; i < sizeof(contact_members) / sizeof(contact_members[0]); i++)
        if (!jsonx_has(c, contact_members[i]))
            fail_msg("contact without %s: %s", contact_members[i], json_object_to_json_string(c));
    expect_member(c, "id", f.c1);
    expect_member(c, "integration_id", f.a1);
    expect_member(c, "connector", "testnone");
    expect_member(c, "account_id", f.acc1);
    expect_member(c, "account_name", "Acme Corp");
    expect_member(c, "first_name", "Ann");
    expect_member(c, "email", "ann@acme.com");
    expect_member(c, "lead_source", "Web");
    expect_member(c, "lead_status", "New");
    expect_member(c, "phone", NULL);
    expect_member(c, "remote_created_at", NULL);
    expect_member(c, "deleted_at", NULL);
    time_text(ts, f.t0 + 5);
    expect_member(c, "updated_at", ts);
    expect_member(c, "created_at", ts);
    expect_json_text(jsonx_get(c, "properties"), "{\"score\":7,\"tags\":[\"vip\"]}");
    assert_non_null(jsonx_str(jsonx_get(v, "next_cursor"))); /* c2 is next */
    json_object_put(v);

    /* Money as text, a percentage as a number: the raw bytes. */
    struct client_reply r;
    api_test_call(t, &r, NULL, "/api/data/deals", t->a.key, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(buf_cstr(&r.body), "\"amount\":\"1000.5\",\"currency\":\"USD\""));
    assert_non_null(strstr(buf_cstr(&r.body), "\"probability\":25,"));
    assert_non_null(strstr(buf_cstr(&r.body), "\"amount\":\"20\",\"currency\":\"EUR\""));
    assert_non_null(strstr(buf_cstr(&r.body), "\"probability\":33.3,"));
    assert_non_null(strstr(buf_cstr(&r.body), "\"close_date\":\"2027-03-31\""));
    client_reply_dispose(&r);
    api_test_call(t, &r, NULL, "/api/data/accounts", t->a.key, NULL, NULL);
    assert_non_null(strstr(buf_cstr(&r.body), "\"employees\":42,\"annual_revenue\":\"1250000.5\""));
    assert_non_null(strstr(buf_cstr(&r.body), "\"annual_revenue\":\"7\""));
    client_reply_dispose(&r);
    snprintf(path, sizeof(path), "/api/data/tickets/%s", f.t1);
    v = api_test_expect(t, NULL, path, NULL, 200);
    expect_member(v, "subject", "Refund request");
    expect_member(v, "contact_id", f.c1);
    expect_member(v, "account_name", "Acme Corp");
    time_text(ts, f.t0 + 7);
    expect_member(v, "remote_closed_at", ts);
    json_object_put(v);
    /* No account: null; accounts have no account_name. */
    snprintf(path, sizeof(path), "/api/data/contacts/%s", f.c4);
    v = api_test_expect(t, NULL, path, NULL, 200);
    expect_member(v, "account_name", NULL);
    json_object_put(v);
    snprintf(path, sizeof(path), "/api/data/accounts/%s", f.acc1);
    v = api_test_expect(t, NULL, path, NULL, 200);
    assert_false(jsonx_has(v, "account_name"));
    json_object_put(v);
}

/* ---- sorts and cursors ---- */

struct row {
    char id[ID_MAX];
    char key[128]; /* the name key, as the SQL computes it */
    int64_t updated, created;
};

static enum { BY_UPDATED, BY_NAME, BY_CREATED } sort_field;
static int sort_dir;

static int row_cmp(const void *x, const void *y)
{
    const struct row *a = x, *b = y;
    int c = 0;
    if (sort_field == BY_NAME)
        c = strcmp(a->key, b->key);
    else if (sort_field == BY_UPDATED)
        c = (a->updated > b->updated) - (a->updated < b->updated);
    else
        c = (a->created > b->created) - (a->created < b->created);
    if (c == 0)
        c = strcmp(a->id, b->id);
    return sort_dir * c;
}

/* The name key of a contact: lower(trim(first || ' ' || last)). */
static void name_key(char *out, size_t n, const char *first, const char *last)
{
    char s[128];
    snprintf(s, sizeof(s), "%s %s", first ? first : "", last ? last : "");
    const char *p = s;
    while (*p == ' ')
        p++;
    size_t len = strlen(p);
    while (len > 0 && p[len - 1] == ' ')
        len--;
    snprintf(out, n, "%.*s", (int)len, p);
    for (char *q = out; *q; q++)
        *q = (char)tolower((unsigned char)*q);
}

/* The live contacts of integ as they are now, in the order of the sort. */
static size_t read_rows(struct api_test *t, const char *integ, struct row *rows, size_t max)
{
    struct db_rows *r = NULL;
    struct err e;
    size_t n = 0;
    int rc;
    assert_db_ok(db_query(&r, t->tdb->db,
                          "SELECT id, first_name, last_name, updated_at, created_at FROM contacts"
                          " WHERE tenant_id = $1 AND integration_id = $2 AND deleted_at IS NULL",
                          DB_ARGS(DB_TEXT(t->a.id), DB_TEXT(integ)), &e),
                 &e);
    while ((rc = db_rows_next(r, &e)) == 1) {
        assert_true(n < max);
        snprintf(rows[n].id, sizeof(rows[n].id), "%s", db_rows_text(r, 0));
        name_key(rows[n].key, sizeof(rows[n].key), db_rows_text(r, 1), db_rows_text(r, 2));
        rows[n].updated = db_rows_int(r, 3);
        rows[n].created = db_rows_int(r, 4);
        n++;
    }
    db_rows_free(r);
    assert_int_equal(rc, 0);
    qsort(rows, n, sizeof(*rows), row_cmp);
    return n;
}

/* An id of the contact shape that sorts before (low) or after every id
 * inlet makes. */
static void edge_id(char out[ID_MAX], bool low, int serial)
{
    snprintf(out, ID_MAX, "con_%s%02d",
             low ? "000000000000000000000000" : "7zzzzzzzzzzzzzzzzzzzzzzz", serial);
}

/* A new integration of a with 16 contacts (one deleted) whose names,
 * updated_at and created_at tie in places; its id into integ. */
static void sort_fixture(struct api_test *t, char integ[ID_MAX])
{
    static const char *const firsts[] = {"Ann", "ann", "Bob", NULL, "Cy", "dee", "Eve", "Ann",
                                         "Zoe", "al",  NULL,  "Mo", "Bo", "Flo", "Gus", "Hal"};
    static const char *const lasts[] = {"Lee", "Lee", "Ray", "Solo", NULL, "Dee", "Eve", "Lee",
                                        "Ark", "Al",  "Al",  NULL,   "Bo", "Rio", "Gus", "Oak"};
    char name[32], id[ID_MAX];
    static int made;
    int64_t t0 = base_time();

    snprintf(name, sizeof(name), "Paged-%d", ++made);
    integration(t, t->a.key, name, integ);
    for (int i = 0; i < 16; i++) {
        id[0] = '\0';
        add_contact(t, t->a.id, integ,
                    &(struct contact){firsts[i], lasts[i], NULL, NULL, NULL, NULL,
                                      t0 + 100 - (i / 2), t0 + (i / 3), i == 6 ? t0 : 0},
                    id);
    }
}

/* Page through a fresh integration's contacts sorted by sort, limit per
 * page. After each page, insert: a row that sorts before all (it must
 * never be listed), one that sorts after all (listed once, at the end),
 * and two ties of the page's last row, one with a smaller id and one with
 * a larger (only the one past the cursor is listed). Every row there was
 * at the start must come exactly once, in the order computed here. */
static void page_through(struct api_test *t, const char *sort, int field, int dir, int limit,
                         int *serial)
{
    struct row before[64], *seen = xcalloc(256, sizeof(*seen));
    char integ[ID_MAX], path[1400], cursor[RECORDS_CURSOR_MAX] = "";
    char never[64][ID_MAX], once[64][ID_MAX];
    size_t nnever = 0, nonce = 0, nseen = 0;
    int64_t t0 = base_time();
    int edge = 0; /* how far the before-all and after-all rows have gone */

    sort_fixture(t, integ);
    sort_field = field;
    sort_dir = dir;
    size_t n = read_rows(t, integ, before, 64);
    assert_int_equal(n, 15);
    for (;;) {
        int k =
            snprintf(path, sizeof(path), "/api/data/contacts?integration_id=%s&sort=%s&limit=%d",
                     integ, sort, limit);
        if (cursor[0])
            snprintf(path + k, sizeof(path) - (size_t)k, "&cursor=%s", cursor);
        struct json_object *v = api_test_expect(t, NULL, path, NULL, 200);
        struct json_object *data = jsonx_get(v, "data");
        assert_true(jsonx_len(data) <= (size_t)limit);
        for (size_t i = 0; i < jsonx_len(data); i++) {
            assert_true(nseen < 256);
            snprintf(seen[nseen++].id, ID_MAX, "%s", jsonx_str(jsonx_get(jsonx_at(data, i), "id")));
        }
        const char *next = jsonx_str(jsonx_get(v, "next_cursor"));
        if (!next) {
            json_object_put(v);
            break;
        }
        assert_int_equal(jsonx_len(data), limit);
        assert_true(strlen(next) < sizeof(cursor));
        snprintf(cursor, sizeof(cursor), "%s", next);
        json_object_put(v);
        struct row *lr = NULL; /* the page's last row, if it was there at the start */
        for (size_t i = 0; i < n; i++)
            if (strcmp(before[i].id, seen[nseen - 1].id) == 0)
                lr = &before[i];
        if (!lr)
            continue;
        /* Keys past either end: further out each time, so that each new
         * one is beyond the ones before it too. */
        edge++;
        char low[16], high[16];
        snprintf(low, sizeof(low), "0%02d", 99 - edge); /* digits sort before letters */
        snprintf(high, sizeof(high), "~%02d", edge);    /* '~' after them */
        int64_t early = t0 - 100000 - edge, late = t0 + 100000 + edge;
        bool asc = dir > 0;
        struct add {
            const char *first;
            int64_t updated, created;
            const char *id_edge; /* "low", "high" or NULL: made */
            bool listed;
        } adds[4] = {
            {asc ? low : high, asc ? early : late, asc ? early : late, NULL, false},
            {asc ? high : low, asc ? late : early, asc ? late : early, NULL, true},
            {lr->key, lr->updated, lr->created, "low", !asc},
            {lr->key, lr->updated, lr->created, "high", asc},
        };
        for (int j = 0; j < 4; j++) {
            char id[ID_MAX] = "";
            if (adds[j].id_edge)
                edge_id(id, strcmp(adds[j].id_edge, "low") == 0, (*serial)++);
            /* Only the sort's own field is moved; the others stay mid-range. */
            add_contact(t, t->a.id, integ,
                        &(struct contact){field == BY_NAME ? adds[j].first : "mid", NULL, NULL,
                                          NULL, NULL, NULL,
                                          field == BY_CREATED ? adds[j].created : t0 + 50,
                                          field == BY_UPDATED ? adds[j].updated : t0 + 2, 0},
                        id);
            assert_true(nonce < 64 && nnever < 64);
            snprintf(adds[j].listed ? once[nonce++] : never[nnever++], ID_MAX, "%s", id);
        }
    }
    /* What was there at the start: exactly once each, in order. */
    size_t k = 0;
    for (size_t i = 0; i < nseen; i++) {
        bool added = false;
        for (size_t j = 0; j < nnever; j++)
            if (strcmp(seen[i].id, never[j]) == 0)
                fail_msg("sort=%s: %s was inserted behind the cursor but was listed", sort,
                         never[j]);
        for (size_t j = 0; j < nonce; j++)
            added |= strcmp(seen[i].id, once[j]) == 0;
        if (added)
            continue;
        if (k >= n || strcmp(seen[i].id, before[k].id) != 0)
            fail_msg("sort=%s: listed %s where %s was due (row %zu of %zu)", sort, seen[i].id,
                     k < n ? before[k].id : "the end", k, n);
        k++;
    }
    if (k != n)
        fail_msg("sort=%s: listed %zu of the %zu rows there were", sort, k, n);
    for (size_t j = 0; j < nonce; j++) {
        size_t times = 0;
        for (size_t i = 0; i < nseen; i++)
            times += strcmp(seen[i].id, once[j]) == 0;
        if (times != 1)
            fail_msg("sort=%s: %s, inserted ahead of the cursor, was listed %zu times", sort,
                     once[j], times);
    }
    assert_true(nnever > 0 || limit >= 15);
    xfree(seen);
}

static void test_sorts_and_cursors(void **state)
{
    struct api_test *t = *state;
    int serial = 0;

    page_through(t, "updated_at", BY_UPDATED, 1, 4, &serial);
    page_through(t, "-updated_at", BY_UPDATED, -1, 3, &serial);
    page_through(t, "name", BY_NAME, 1, 5, &serial);
    page_through(t, "-name", BY_NAME, -1, 4, &serial);
    page_through(t, "created_at", BY_CREATED, 1, 6, &serial);
    page_through(t, "-created_at", BY_CREATED, -1, 7, &serial);
    page_through(t, "updated_at", BY_UPDATED, 1, 200, &serial); /* all on one page */
    page_through(t, "name", BY_NAME, 1, 15, &serial);           /* exactly one page */

    /* Without a limit, 50 a page. */
    char integ[ID_MAX], path[256], id[ID_MAX];
    integration(t, t->a.key, "Fifty", integ);
    for (int i = 0; i < 51; i++) {
        id[0] = '\0';
        add_contact(t, t->a.id, integ,
                    &(struct contact){"P", NULL, NULL, NULL, NULL, NULL, 0, base_time(), 0}, id);
    }
    snprintf(path, sizeof(path), "/api/data/contacts?integration_id=%s", integ);
    struct json_object *v = api_test_expect(t, NULL, path, NULL, 200);
    assert_int_equal(jsonx_len(jsonx_get(v, "data")), 50);
    assert_non_null(jsonx_str(jsonx_get(v, "next_cursor")));
    json_object_put(v);
}

/* ---- refusals ---- */

static void test_bad_parameters(void **state)
{
    struct api_test *t = *state;
    char path[400], q[128], want[400];
    struct err e;
    int64_t ms;

    static const char ip[] = "invalid_parameter";
    expect_refusal(t, "/api/data/contacts?limit=0", 400, ip,
                   "limit: expected an integer from 1 to 200");
    expect_refusal(t, "/api/data/deals?limit=201", 400, ip,
                   "limit: expected an integer from 1 to 200");
    expect_refusal(t, "/api/data/contacts?sort=email", 400, ip,
                   "sort: expected one of updated_at, -updated_at, name, -name, created_at, "
                   "-created_at");
    expect_refusal(t, "/api/data/tickets?integration_id=int_nope", 400, ip,
                   "integration_id: expected an integration id (int_ and 26 characters)");
    expect_refusal(t, "/api/data/contacts?account_id=acme", 400, ip,
                   "account_id: expected an account id (the id of GET /api/data/accounts)");
    assert_int_equal(time_parse_rfc3339(&ms, "2024-13-01T00:00:00Z", 20, &e), ERR_INVALID);
    snprintf(want, sizeof(want),
             "updated_since: expected an RFC 3339 date-time such as 2024-01-15T10:00:00Z (%s)",
             e.msg);
    expect_refusal(t, "/api/data/contacts?updated_since=2024-13-01T00:00:00Z", 400, ip, want);
    assert_int_equal(time_parse_rfc3339(&ms, "yesterday", 9, &e), ERR_INVALID);
    snprintf(want, sizeof(want),
             "updated_since: expected an RFC 3339 date-time such as 2024-01-15T10:00:00Z (%s)",
             e.msg);
    expect_refusal(t, "/api/data/accounts?updated_since=yesterday", 400, ip, want);
    memset(q, 'a', 101);
    q[101] = '\0';
    snprintf(path, sizeof(path), "/api/data/contacts?q=%s", q);
    expect_refusal(t, path, 400, ip, "q: at most 100 bytes");
    q[100] = '\0';
    snprintf(path, sizeof(path), "/api/data/contacts?q=%s", q);
    expect_ids(t, t->a.key, path, "");
    expect_refusal(t, "/api/data/contacts?q=ab%FF", 400, ip, "q: not UTF-8 at byte 2");
    expect_refusal(t, "/api/data/contacts?include_deleted=yes", 400, ip,
                   "include_deleted: expected true or false");
    expect_refusal(t, "/api/data/contacts?cursor=zzz", 400, ip,
                   "cursor: not a cursor of this list (use the next_cursor of the previous page)");
    expect_refusal(t, "/api/data/contacts?cursor=", 400, ip,
                   "cursor: not a cursor of this list (use the next_cursor of the previous page)");
    expect_refusal(t, "/api/data/contacts?cursor=MXU6MTI", 400, ip,
                   "cursor: not a cursor of this list (use the next_cursor of the previous page)");
    expect_refusal(t, "/api/data/contacts?foo=1", 400, "unknown_parameter",
                   "unknown query parameter \"foo\"; allowed: integration_id, account_id, "
                   "updated_since, q, include_deleted, sort, limit, cursor");
    expect_refusal(t, "/api/data/accounts?account_id=x", 400, "unknown_parameter",
                   "unknown query parameter \"account_id\"; allowed: integration_id, "
                   "updated_since, q, include_deleted, sort, limit, cursor");
    expect_refusal(t, "/api/data/accounts/acc_01jd5x8k2v9q3m7r4t6w8y0z1a?q=1", 400,
                   "unknown_parameter", "unknown query parameter \"q\"; allowed: none");

    /* A cursor goes with the sort of its first page. */
    char a1[ID_MAX], id[ID_MAX];
    integration(t, t->a.key, "Cursors", a1);
    for (int i = 0; i < 3; i++) {
        id[0] = '\0';
        add_contact(t, t->a.id, a1,
                    &(struct contact){"N", "M", NULL, NULL, NULL, NULL, 0, base_time() + i, 0}, id);
    }
    struct json_object *v =
        api_test_expect(t, NULL, "/api/data/contacts?sort=name&limit=1", NULL, 200);
    const char *next = jsonx_str(jsonx_get(v, "next_cursor"));
    assert_non_null(next);
    snprintf(path, sizeof(path), "/api/data/contacts?limit=1&cursor=%s", next);
    expect_refusal(t, path, 400, ip,
                   "cursor: it was made for sort=name; a cursor goes with the sort of its first "
                   "page");
    snprintf(path, sizeof(path), "/api/data/contacts?limit=1&sort=-name&cursor=%s", next);
    expect_refusal(t, path, 400, ip,
                   "cursor: it was made for sort=name; a cursor goes with the sort of its first "
                   "page");
    /* The same cursor under another model's list is still a cursor (of
     * name keys): it pages that list from the key on. */
    snprintf(path, sizeof(path), "/api/data/accounts?limit=1&sort=name&cursor=%s", next);
    json_object_put(api_test_expect(t, NULL, path, NULL, 200));
    json_object_put(v);
}

/* ---- one record, and its sources ---- */

static void test_get_with_sources(void **state)
{
    struct api_test *t = *state;
    struct fixture f;
    char path[256], ghost[ID_MAX], gpath[256], ts[TIME_RFC3339_MAX];
    struct client_reply r, g;

    fixture_make(t, &f);
    add_source(t, t->a.id, f.a1, "Contact", "003A", "contacts", f.c1, f.t0 + 100);
    add_source(t, t->a.id, f.a2, "contacts", "hs-1", "contacts", f.c1, f.t0 + 200);
    add_source(t, t->a.id, f.a2, "companies", "hs-9", "accounts", f.c1,
               f.t0 + 300); /* another model */
    add_source(t, t->b.id, f.b1, "contacts", "b-1", "contacts", f.bc, f.t0 + 100);

    snprintf(path, sizeof(path), "/api/data/contacts/%s", f.c1);
    struct json_object *v = api_test_expect(t, NULL, path, NULL, 200);
    expect_member(v, "id", f.c1);
    expect_member(v, "first_name", "Ann");
    struct json_object *src = jsonx_get(v, "sources");
    assert_int_equal(jsonx_len(src), 2);
    struct json_object *s0 = jsonx_at(src, 0), *s1 = jsonx_at(src, 1);
    expect_member(s0, "integration_id", f.a2);
    expect_member(s0, "connector", "testnone");
    expect_member(s0, "stream", "contacts");
    expect_member(s0, "external_id", "hs-1");
    time_text(ts, f.t0 + 200);
    expect_member(s0, "last_synced_at", ts);
    time_text(ts, f.t0 + 150);
    expect_member(s0, "first_synced_at", ts);
    expect_member(s0, "deleted_at", NULL);
    expect_member(s1, "integration_id", f.a1);
    expect_member(s1, "stream", "Contact");
    expect_member(s1, "external_id", "003A");
    json_object_put(v);

    /* A row without sources, and a deleted row, are still readable. */
    snprintf(path, sizeof(path), "/api/data/contacts/%s", f.c5);
    v = api_test_expect(t, NULL, path, NULL, 200);
    time_text(ts, f.t0 + 46);
    expect_member(v, "deleted_at", ts);
    assert_int_equal(jsonx_len(jsonx_get(v, "sources")), 0);
    json_object_put(v);
    snprintf(path, sizeof(path), "/api/data/deals/%s", f.d2);
    v = api_test_expect(t, NULL, path, NULL, 200);
    expect_member(v, "amount", "20");
    expect_member(v, "currency", "EUR");
    json_object_put(v);

    /* Not found: an id of another model, a malformed one, another
     * tenant's, answered alike. */
    snprintf(path, sizeof(path), "/api/data/contacts/%s", f.acc1);
    snprintf(gpath, sizeof(gpath), "no contact %s", f.acc1);
    expect_refusal(t, path, 404, "not_found", gpath);
    expect_refusal(t, "/api/data/contacts/nope", 404, "not_found", "no such contact");
    expect_refusal(t, "/api/data/tickets/tik_8zzzzzzzzzzzzzzzzzzzzzzzzz", 404, "not_found",
                   "no such ticket");
    id_new(ghost, "con");
    snprintf(path, sizeof(path), "/api/data/contacts/%s", f.bc);
    snprintf(gpath, sizeof(gpath), "/api/data/contacts/%s", ghost);
    api_test_call(t, &r, NULL, path, t->a.key, NULL, NULL);
    api_test_call(t, &g, NULL, gpath, t->a.key, NULL, NULL);
    api_test_expect_error(&r, 404, "not_found");
    char *body = xstrdup(buf_cstr(&r.body));
    char *p = strstr(body, f.bc);
    assert_non_null(p);
    memcpy(p, ghost, strlen(ghost));
    assert_string_equal(body, buf_cstr(&g.body));
    xfree(body);
    client_reply_dispose(&r);
    client_reply_dispose(&g);
}

/* Tenant b, on every Data API route, with every filter that could reach
 * a's rows, sees none of them and none of a's names. */
static void test_data_isolation(void **state)
{
    struct api_test *t = *state;
    struct fixture f;
    char path[256];
    struct client_reply r;

    fixture_make(t, &f);
    add_source(t, t->a.id, f.a1, "Contact", "003A", "contacts", f.c1, f.t0 + 100);
    const char *const marks[] = {f.a1,
                                 f.a2,
                                 f.acc1,
                                 f.acc2,
                                 f.acc3,
                                 f.c1,
                                 f.c2,
                                 f.c3,
                                 f.c4,
                                 f.c5,
                                 f.t1,
                                 f.t2,
                                 f.d1,
                                 f.d2,
                                 "Acme Corp",
                                 "ann@acme.com",
                                 "Refund request",
                                 "Big deal",
                                 NULL};
    static const char *const models[] = {"accounts", "contacts", "tickets", "deals"};
    const char *queries[] = {"",           "?include_deleted=true",     "?q=a", "?q=ACME",
                             "?sort=name", "?sort=-updated_at&limit=1", NULL,   NULL};
    char qi[128], qa[128];
    snprintf(qi, sizeof(qi), "?integration_id=%s&include_deleted=1", f.a1);
    snprintf(qa, sizeof(qa), "?account_id=%s&include_deleted=1", f.acc1);
    queries[6] = qi;
    queries[7] = qa;
    for (size_t m = 0; m < 4; m++) {
        for (size_t q = 0; q < 8; q++) {
            if (q == 7 && m == 0)
                continue; /* accounts take no account_id */
            snprintf(path, sizeof(path), "/api/data/%s%s", models[m], queries[q]);
            api_test_call(t, &r, NULL, path, t->b.key, NULL, NULL);
            if (r.status != 200)
                fail_msg("b: GET %s: %ld %s", path, r.status, buf_cstr(&r.body));
            for (size_t i = 0; marks[i]; i++)
                if (strstr(buf_cstr(&r.body), marks[i]))
                    fail_msg("b: GET %s mentions a's %s: %s", path, marks[i], buf_cstr(&r.body));
            client_reply_dispose(&r);
        }
    }
    const char *rows[][2] = {{"accounts", f.acc1}, {"accounts", f.acc3}, {"contacts", f.c1},
                             {"contacts", f.c5},   {"tickets", f.t1},    {"deals", f.d1}};
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        snprintf(path, sizeof(path), "/api/data/%s/%s", rows[i][0], rows[i][1]);
        api_test_call(t, &r, NULL, path, t->b.key, NULL, NULL);
        api_test_expect_error(&r, 404, "not_found");
        client_reply_dispose(&r);
    }
}

/* ---- retention ---- */

/* Load records 1..n of stream into (tenant, integ)'s raw table, through
 * the loader as a sync does (its table prefix is "<integration id>_"). */
static void load_raw(struct api_test *t, const char *tenant, const char *integ, const char *stream,
                     int n)
{
    char prefix[ID_MAX + 1], line[512];
    struct loader *l = NULL;
    struct singer_msg m;
    struct err e;

    snprintf(prefix, sizeof(prefix), "%s_", integ);
    struct loader_opts o = {.db = t->tdb->db, .tenant_id = tenant, .table_prefix = prefix};
    assert_db_ok(loader_new(&l, &o, &e), &e);
    for (int i = 0; i <= n; i++) {
        if (i == 0)
            snprintf(line, sizeof(line),
                     "{\"type\":\"SCHEMA\",\"stream\":\"%s\",\"schema\":{\"type\":\"object\","
                     "\"properties\":{\"id\":{\"type\":\"integer\"},\"name\":{\"type\":"
                     "\"string\"}}},\"key_properties\":[\"id\"]}",
                     stream);
        else
            snprintf(line, sizeof(line),
                     "{\"type\":\"RECORD\",\"stream\":\"%s\",\"record\":{\"id\":%d,\"name\":"
                     "\"row %d\"}}",
                     stream, i, i);
        assert_db_ok(singer_parse_line(&m, NULL, line, strlen(line), (size_t)i + 1, &e), &e);
        int rc = loader_message(l, &m, &e);
        singer_msg_dispose(&m);
        assert_db_ok(rc, &e);
    }
    assert_db_ok(loader_finish(l, &e), &e);
    loader_free(l);
}

/* Rows in the raw table of (integ, stream); -1 when it does not exist. */
static int64_t raw_rows(struct api_test *t, const char *integ, const char *stream)
{
    char prefix[ID_MAX + 1], table[COL_NAME_MAX + 1], sql[128];
    snprintf(prefix, sizeof(prefix), "%s_", integ);
    col_table_name(table, sizeof(table), prefix, stream);
    int64_t exists =
        count_of(t,
                 test_db_is_pg(t->tdb) ? "SELECT count(*) FROM pg_tables WHERE tablename = $1"
                                       : "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
                                         " AND name = $1",
                 table);
    if (!exists)
        return -1;
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM \"%s\"", table);
    return test_db_int(t->tdb->db, sql);
}

static int64_t registered(struct api_test *t, const char *integ)
{
    char prefix[ID_MAX + 1];
    snprintf(prefix, sizeof(prefix), "%s_", integ);
    return count_of(t, "SELECT count(*) FROM _inlet_tables WHERE prefix = $1", prefix) +
           count_of(t, "SELECT count(*) FROM _inlet_columns WHERE substr(table_name, 1, 31) = $1",
                    prefix);
}

/* Rows of table belonging to integ (a normalized table, synced_records,
 * stream_state, sync_runs). */
static int64_t rows_of(struct api_test *t, const char *table, const char *integ)
{
    char sql[128];
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s WHERE integration_id = $1", table);
    return count_of(t, sql, integ);
}

static void add_state(struct api_test *t, const char *tenant, const char *integ, const char *stream)
{
    EXEC(t,
         "INSERT INTO stream_state (integration_id, stream, tenant_id, bookmark, updated_at)"
         " VALUES ($1, $2, $3, '{\"since\":\"2024-01-01\"}', 1)",
         DB_TEXT(integ), DB_TEXT(stream), DB_TEXT(tenant));
}

static void add_run(struct api_test *t, const char *tenant, const char *integ, const char *status,
                    char id[ID_MAX])
{
    int64_t now = time_now_ms() / 1000;
    id_new(id, "run");
    EXEC(t,
         "INSERT INTO sync_runs (id, tenant_id, integration_id, triggered_by, mode, status,"
         " created_at, started_at, finished_at, records_processed)"
         " VALUES ($1, $2, $3, 'manual', 'incremental', $4, $5, $5, $6, 3)",
         DB_TEXT(id), DB_TEXT(tenant), DB_TEXT(integ), DB_TEXT(status), DB_INT(now - 60),
         strcmp(status, "running") == 0 ? DB_NULL : DB_INT(now - 30));
}

/* A webhook endpoint of integ (NULL: tenant-wide) with n deliveries that
 * kept their bodies. */
static void add_deliveries(struct api_test *t, const char *tenant, const char *integ, int n)
{
    char ep[ID_MAX], key[ID_MAX + 4], id[ID_MAX];
    id_new(ep, "whe");
    snprintf(key, sizeof(key), "in_%s", ep);
    EXEC(t,
         "INSERT INTO webhook_endpoints (id, tenant_id, integration_id, kind, inbound_key,"
         " created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 1, 1)",
         DB_TEXT(ep), DB_TEXT(tenant), DB_TEXT(integ), DB_TEXT(integ ? "provider" : "n8n"),
         DB_TEXT(key));
    for (int i = 0; i < n; i++) {
        id_new(id, "whd");
        EXEC(t,
             "INSERT INTO webhook_deliveries (id, tenant_id, endpoint_id, delivery_id, body,"
             " received_at) VALUES ($1, $2, $3, $1, $4, 1)",
             DB_TEXT(id), DB_TEXT(tenant), DB_TEXT(ep), DB_BLOB("{\"email\":\"x@y.z\"}", 17));
    }
}

static int64_t bodies_of(struct api_test *t, const char *tenant)
{
    return count_of(t,
                    "SELECT count(*) FROM webhook_deliveries WHERE tenant_id = $1"
                    " AND body IS NOT NULL",
                    tenant);
}

/* What each purge test starts from: a1 and a2 of a, b1 of b, each with
 * raw tables, normalized rows, sources, bookmarks and runs. */
struct world {
    char a1[ID_MAX], a2[ID_MAX], b1[ID_MAX];
    char a1acc[ID_MAX], a2con[ID_MAX], run[ID_MAX];
    int64_t b_registered; /* b1's rows in the loader's registry */
};

static void world_make(struct api_test *t, struct world *w)
{
    char id[ID_MAX], acc2[ID_MAX], con[ID_MAX];
    int64_t t0 = base_time();
    const char *a = t->a.id, *b = t->b.id;

    integration(t, t->a.key, "W-One", w->a1);
    integration(t, t->a.key, "W-Two", w->a2);
    integration(t, t->b.key, "W-B", w->b1);
    load_raw(t, a, w->a1, "people", 3);
    load_raw(t, a, w->a1, "Orders", 2);
    load_raw(t, a, w->a2, "people", 4);
    load_raw(t, b, w->b1, "people", 5);

    add_account(t, a, w->a1, "One", "one.com", "1", t0, 0, w->a1acc);
    add_account(t, a, w->a1, "One bis", "one.org", "2", t0, t0, id);
    con[0] = '\0';
    add_contact(t, a, w->a1, &(struct contact){"A", "One", .updated = t0}, con);
    add_source(t, a, w->a1, "people", "1", "contacts", con, t0);
    id[0] = '\0';
    add_contact(t, a, w->a1, &(struct contact){"B", "One", .account = w->a1acc, .updated = t0}, id);
    add_source(t, a, w->a1, "people", "2", "contacts", id, t0);
    id[0] = '\0';
    add_contact(t, a, w->a1, &(struct contact){"C", "One", .updated = t0, .deleted = t0}, id);
    add_source(t, a, w->a1, "people", "3", "contacts", id, t0);
    add_ticket(t, a, w->a1, "One's", w->a1acc, con, t0, id);
    add_deal(t, a, w->a1, "One's", "10", "USD", "10", w->a1acc, t0, id);
    add_deal(t, a, w->a1, "One's too", "10", "USD", "10", NULL, t0, id);
    add_state(t, a, w->a1, "people");
    add_state(t, a, w->a1, "Orders");
    add_run(t, a, w->a1, "success", id);
    add_run(t, a, w->a1, "failed", id);
    add_deliveries(t, a, w->a1, 2);

    /* a2's contact points at a1's account: the purge of a1 unlinks it. */
    add_account(t, a, w->a2, "Two", "two.com", "3", t0, 0, acc2);
    w->a2con[0] = '\0';
    add_contact(t, a, w->a2, &(struct contact){"A", "Two", .account = w->a1acc, .updated = t0},
                w->a2con);
    add_source(t, a, w->a2, "people", "1", "contacts", w->a2con, t0);
    add_ticket(t, a, w->a2, "Two's", acc2, w->a2con, t0, id);
    add_deal(t, a, w->a2, "Two's", "20", "EUR", "20", acc2, t0, id);
    add_state(t, a, w->a2, "people");
    add_run(t, a, w->a2, "success", w->run);
    add_deliveries(t, a, NULL, 1); /* tenant-wide (n8n) */

    add_account(t, b, w->b1, "B", "b.com", "4", t0, 0, id);
    id[0] = '\0';
    add_contact(t, b, w->b1, &(struct contact){"B", "B", .updated = t0}, id);
    add_source(t, b, w->b1, "people", "1", "contacts", id, t0);
    add_ticket(t, b, w->b1, "B's", NULL, NULL, t0, id);
    add_deal(t, b, w->b1, "B's", "30", "USD", "30", NULL, t0, id);
    add_state(t, b, w->b1, "people");
    add_run(t, b, w->b1, "success", id);
    add_deliveries(t, b, w->b1, 1);
    add_deliveries(t, b, NULL, 1);
    w->b_registered = registered(t, w->b1);
    assert_true(w->b_registered > 1); /* its table and its columns */
}

/* b's world is as world_make left it. */
static void expect_b_intact(struct api_test *t, const struct world *w)
{
    assert_int_equal(raw_rows(t, w->b1, "people"), 5);
    assert_int_equal(registered(t, w->b1), w->b_registered);
    static const char *const tables[] = {"accounts",       "contacts",     "tickets",  "deals",
                                         "synced_records", "stream_state", "sync_runs"};
    for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
        if (rows_of(t, tables[i], w->b1) != 1)
            fail_msg("b's %s: %lld rows, expected 1", tables[i],
                     (long long)rows_of(t, tables[i], w->b1));
    assert_int_equal(bodies_of(t, t->b.id), 2);
}

static struct json_object *last_audit(struct api_test *t)
{
    struct json_object *v = api_test_expect(t, NULL, "/api/audit?limit=1", NULL, 200);
    struct json_object *en = json_object_get(jsonx_at(jsonx_get(v, "data"), 0));
    json_object_put(v);
    return en;
}

/* v is the JSON text want, members in any order (PostgreSQL's JSONB keeps
 * its own order of an object's members). */
static void expect_json_text(struct json_object *v, const char *want)
{
    struct json_object *w = NULL;
    struct err e;
    assert_db_ok(jsonx_parse(&w, want, strlen(want), strlen(want) + 1, &e), &e);
    bool same = json_object_equal(v, w);
    json_object_put(w);
    if (!same)
        fail_msg("\n got  %s\n want %s", json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN),
                 want);
}

static void test_purge_integration(void **state)
{
    struct api_test *t = *state;
    struct world w;
    char path[160], run[ID_MAX], msg[256];
    struct client_reply r;

    world_make(t, &w);
    int64_t cols = registered(t, w.a1);
    assert_true(cols > 2); /* 2 tables and their columns */
    assert_int_equal(raw_rows(t, w.a1, "people"), 3);
    assert_int_equal(raw_rows(t, w.a1, "Orders"), 2);

    /* Not while one of its syncs runs; b cannot purge a's. */
    add_run(t, t->a.id, w.a1, "running", run);
    snprintf(path, sizeof(path), "/api/integrations/%s?purge=true", w.a1);
    snprintf(msg, sizeof(msg),
             "integration %s is syncing (run %s); cancel the run or let it end, then purge", w.a1,
             run);
    api_test_call(t, &r, "DELETE", path, t->a.key, NULL, NULL);
    api_test_expect_error(&r, 409, "conflict");
    assert_non_null(strstr(buf_cstr(&r.body), msg));
    client_reply_dispose(&r);
    api_test_call(t, &r, "DELETE", path, t->b.key, NULL, NULL);
    api_test_expect_error(&r, 404, "not_found");
    client_reply_dispose(&r);
    assert_int_equal(raw_rows(t, w.a1, "people"), 3);
    assert_int_equal(registered(t, w.a1), cols);
    EXEC(t, "UPDATE sync_runs SET status = 'cancelled' WHERE id = $1", DB_TEXT(run));

    struct json_object *v = api_test_expect(t, "DELETE", path, NULL, 200);
    expect_json_text(v, "{\"removed\":{\"raw_tables\":2,\"accounts\":2,\"contacts\":3,"
                        "\"tickets\":1,\"deals\":2,\"synced_records\":3,\"stream_state\":2,"
                        "\"runs\":3,\"webhook_bodies\":2}}");
    json_object_put(v);

    /* a1 and all it synced are gone, the raw tables and their registry
     * entries too; a2's contact is unlinked from a1's account. */
    assert_int_equal(raw_rows(t, w.a1, "people"), -1);
    assert_int_equal(raw_rows(t, w.a1, "Orders"), -1);
    assert_int_equal(registered(t, w.a1), 0);
    static const char *const tables[] = {"accounts",  "contacts",       "tickets",
                                         "deals",     "synced_records", "stream_state",
                                         "sync_runs", "integrations"};
    for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
        char sql[128];
        snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s WHERE %s = $1", tables[i],
                 strcmp(tables[i], "integrations") == 0 ? "id" : "integration_id");
        if (count_of(t, sql, w.a1) != 0)
            fail_msg("%s still has rows of the purged integration", tables[i]);
    }
    assert_int_equal(
        count_of(t, "SELECT count(*) FROM contacts WHERE id = $1 AND account_id IS NULL", w.a2con),
        1);
    /* a2's and b's data stay. */
    assert_int_equal(raw_rows(t, w.a2, "people"), 4);
    assert_true(registered(t, w.a2) > 1);
    assert_int_equal(rows_of(t, "contacts", w.a2), 1);
    assert_int_equal(rows_of(t, "synced_records", w.a2), 1);
    assert_int_equal(rows_of(t, "stream_state", w.a2), 1);
    assert_int_equal(bodies_of(t, t->a.id), 1); /* the tenant-wide endpoint's */
    expect_b_intact(t, &w);

    struct json_object *en = last_audit(t);
    assert_string_equal(jsonx_str(jsonx_get(en, "action")), "integration.delete");
    assert_string_equal(jsonx_str(jsonx_get(en, "target_id")), w.a1);
    expect_json_text(jsonx_get(en, "data"),
                     "{\"purge\":true,\"removed\":{\"raw_tables\":2,\"accounts\":2,\"contacts\":3,"
                     "\"tickets\":1,\"deals\":2,\"synced_records\":3,\"stream_state\":2,"
                     "\"runs\":3,\"webhook_bodies\":2}}");
    json_object_put(en);
    api_test_call(t, &r, "DELETE", path, t->a.key, NULL, NULL);
    api_test_expect_error(&r, 404, "not_found");
    client_reply_dispose(&r);

    /* A soft-deleted integration can be purged later, raw tables too. */
    snprintf(path, sizeof(path), "/api/integrations/%s", w.a2);
    api_test_call(t, &r, "DELETE", path, t->a.key, NULL, NULL);
    assert_int_equal(r.status, 204);
    client_reply_dispose(&r);
    assert_int_equal(raw_rows(t, w.a2, "people"), 4);
    snprintf(path, sizeof(path), "/api/integrations/%s?purge=1", w.a2);
    v = api_test_expect(t, "DELETE", path, NULL, 200);
    expect_json_text(v, "{\"removed\":{\"raw_tables\":1,\"accounts\":1,\"contacts\":1,"
                        "\"tickets\":1,\"deals\":1,\"synced_records\":1,\"stream_state\":1,"
                        "\"runs\":1,\"webhook_bodies\":0}}");
    json_object_put(v);
    assert_int_equal(raw_rows(t, w.a2, "people"), -1);
    expect_b_intact(t, &w);
}

static void test_purge_tenant(void **state)
{
    struct api_test *t = *state;
    struct world w;
    char path[160], run[ID_MAX], keyed[ID_MAX];
    struct client_reply r;

    world_make(t, &w);
    api_test_create(t, t->a.key,
                    "{\"connector\":\"testkey\",\"name\":\"Keyed\",\"config\":{\"subdomain\":"
                    "\"acme\"},\"secrets\":{\"api_key\":\"sk-purge-0123456789\"}}",
                    keyed);
    snprintf(path, sizeof(path), "/api/integrations/%s", w.a1);
    api_test_call(t, &r, "DELETE", path, t->a.key, NULL, NULL); /* soft: its data stays */
    assert_int_equal(r.status, 204);
    client_reply_dispose(&r);
    int64_t creds = count_of(t, "SELECT count(*) FROM credentials WHERE tenant_id = $1", t->a.id);
    int64_t runs = count_of(t, "SELECT count(*) FROM sync_runs WHERE tenant_id = $1", t->a.id);
    assert_int_equal(creds, 1);

    add_run(t, t->a.id, w.a2, "queued", run);
    api_test_call(t, &r, "POST", "/api/tenants/current/purge", t->a.key, NULL, NULL);
    api_test_expect_error(&r, 409, "conflict");
    assert_non_null(strstr(buf_cstr(&r.body), run));
    client_reply_dispose(&r);
    assert_int_equal(raw_rows(t, w.a2, "people"), 4);
    EXEC(t, "UPDATE sync_runs SET status = 'failed' WHERE id = $1", DB_TEXT(run));
    runs++;

    api_test_call(t, &r, "POST", "/api/tenants/current/purge", t->a.key, "{\"all\":true}", NULL);
    api_test_expect_error(&r, 400, "unknown_field");
    client_reply_dispose(&r);
    struct json_object *v = api_test_expect(t, "POST", "/api/tenants/current/purge", NULL, 200);
    expect_json_text(v, "{\"removed\":{\"raw_tables\":3,\"accounts\":3,\"contacts\":4,"
                        "\"tickets\":2,\"deals\":3,\"synced_records\":4,\"stream_state\":3,"
                        "\"runs\":0,\"webhook_bodies\":3}}");
    json_object_put(v);

    /* a's synced data is gone, the deleted integration's included... */
    assert_int_equal(raw_rows(t, w.a1, "people"), -1);
    assert_int_equal(raw_rows(t, w.a1, "Orders"), -1);
    assert_int_equal(raw_rows(t, w.a2, "people"), -1);
    assert_int_equal(registered(t, w.a1) + registered(t, w.a2), 0);
    static const char *const tables[] = {"accounts", "contacts",       "tickets",
                                         "deals",    "synced_records", "stream_state"};
    for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
        char sql[128];
        snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s WHERE tenant_id = $1", tables[i]);
        if (count_of(t, sql, t->a.id) != 0)
            fail_msg("%s still has a's rows", tables[i]);
    }
    assert_int_equal(bodies_of(t, t->a.id), 0);
    assert_int_equal(
        count_of(t, "SELECT count(*) FROM webhook_deliveries WHERE tenant_id = $1", t->a.id),
        3); /* kept, without bodies, so a replay is still known */
    /* ...its integrations, credentials and runs stay... */
    assert_int_equal(count_of(t, "SELECT count(*) FROM integrations WHERE tenant_id = $1", t->a.id),
                     3);
    assert_int_equal(count_of(t, "SELECT count(*) FROM credentials WHERE tenant_id = $1", t->a.id),
                     creds);
    assert_int_equal(count_of(t, "SELECT count(*) FROM sync_runs WHERE tenant_id = $1", t->a.id),
                     runs);
    snprintf(path, sizeof(path), "/api/integrations/%s", w.a2);
    json_object_put(api_test_expect(t, NULL, path, NULL, 200));
    expect_ids(t, t->a.key, "/api/data/contacts?include_deleted=true", "");
    /* ...and b's is untouched. */
    expect_b_intact(t, &w);

    struct json_object *en = last_audit(t);
    assert_string_equal(jsonx_str(jsonx_get(en, "action")), "tenant.purge");
    assert_string_equal(jsonx_str(jsonx_get(en, "target_type")), "tenant");
    assert_string_equal(jsonx_str(jsonx_get(en, "target_id")), t->a.id);
    expect_json_text(jsonx_get(en, "data"),
                     "{\"removed\":{\"raw_tables\":3,\"accounts\":3,\"contacts\":4,"
                     "\"tickets\":2,\"deals\":3,\"synced_records\":4,\"stream_state\":3,"
                     "\"runs\":0,\"webhook_bodies\":3}}");
    json_object_put(en);

    /* Again, with {}: nothing left. b's purge leaves a alone. */
    v = api_test_expect(t, "POST", "/api/tenants/current/purge", "{}", 200);
    expect_json_text(v, "{\"removed\":{\"raw_tables\":0,\"accounts\":0,\"contacts\":0,"
                        "\"tickets\":0,\"deals\":0,\"synced_records\":0,\"stream_state\":0,"
                        "\"runs\":0,\"webhook_bodies\":0}}");
    json_object_put(v);
    api_test_call(t, &r, "POST", "/api/tenants/current/purge", t->b.key, NULL, NULL);
    assert_int_equal(r.status, 200);
    client_reply_dispose(&r);
    assert_int_equal(raw_rows(t, w.b1, "people"), -1);
    assert_int_equal(count_of(t, "SELECT count(*) FROM integrations WHERE tenant_id = $1", t->a.id),
                     3);
}

int test_api_data(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, api_test_setup, api_test_teardown)
    const struct CMUnitTest tests[] = {
        T(test_filters),           T(test_shapes),           T(test_sorts_and_cursors),
        T(test_bad_parameters),    T(test_get_with_sources), T(test_data_isolation),
        T(test_purge_integration), T(test_purge_tenant),
    };
#undef T
    return test_group_db("api_data", tests);
}
