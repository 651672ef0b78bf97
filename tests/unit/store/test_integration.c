/* tests/unit/store/test_integration.c - integrations and their sealed
 * credentials on both engines, each call inside a tenant transaction as
 * api/ makes it: create, read, change and list (pages and filters), names
 * checked and unique among live integrations, other tenants' rows never
 * found, secrets sealed (never stored in clear), opened, replaced in place
 * and still rotatable by `inlet keys rotate`, and soft delete (synced data
 * kept) versus purge (synced data gone); end users and tags: checked,
 * stored, replaced, filtered by, and the ids of an end user's
 * integrations. */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/jsonx.h"
#include "store/integration.h"
#include "store/sealed.h"
#include "store/tenant.h"
#include "test.h"
#include "test_db.h"

#define NOW 1700000000

static void make_tenant(struct test_db *t, const char *name, char id[ID_MAX])
{
    struct secret key = {0};
    struct err e;
    assert_db_ok(tenant_create(id, &key, t->db, name, &e), &e);
    secret_dispose(&key);
}

static void begin(struct test_db *t, const char *tenant)
{
    struct err e;
    assert_db_ok(db_begin_tenant(t->db, tenant, &e), &e);
}

static void commit(struct test_db *t)
{
    struct err e;
    assert_db_ok(db_commit(t->db, &e), &e);
}

/* A new integration of tenant, committed; its id into id. */
static void make_one(struct test_db *t, const char *tenant, const char *connector, const char *name,
                     char id[ID_MAX])
{
    struct integration it = {0};
    struct err e;
    begin(t, tenant);
    assert_db_ok(integration_create(&it, t->db, tenant, connector, name, NULL, NOW, &e), &e);
    commit(t);
    memcpy(id, it.id, ID_MAX);
    integration_dispose(&it);
}

static struct vault *ring(const struct secret *const *keys, size_t n)
{
    struct buf text;
    struct secret s = {0};
    struct vault *v = NULL;
    struct err e;

    buf_init(&text, 0);
    for (size_t i = 0; i < n; i++)
        buf_printf(&text, "%s%s", i ? "," : "", (const char *)keys[i]->p);
    secret_set(&s, text.p, text.n);
    buf_dispose(&text);
    if (vault_parse_keys(&v, &s, "INLET_KEYS", &e) != 0)
        fail_msg("%s", e.msg);
    secret_dispose(&s);
    return v;
}

/* Fail unless the JSON texts a and b are the same value (PostgreSQL's
 * JSONB spells objects its own way). */
static void assert_json_equal(const char *a, const char *b)
{
    struct json_object *x = NULL, *y = NULL;
    struct err e;
    assert_db_ok(jsonx_parse(&x, a, strlen(a), 1 << 20, &e), &e);
    assert_db_ok(jsonx_parse(&y, b, strlen(b), 1 << 20, &e), &e);
    if (!json_object_equal(x, y))
        fail_msg("JSON differs:\n  %s\n  %s", a, b);
    json_object_put(x);
    json_object_put(y);
}

/* True when the n bytes at p hold needle. */
static bool contains(const void *p, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp((const char *)p + i, needle, k) == 0)
            return true;
    return false;
}

#define SECRET_SET(s, text) secret_set(&(s), (text), strlen(text))

static int64_t count(struct test_db *t, const char *sql, const char *arg)
{
    int64_t n = -1;
    struct err e;
    assert_db_ok(db_query_int(&n, t->db, sql, DB_ARGS(DB_TEXT(arg)), &e), &e);
    return n;
}

static void create_get_update(void **state)
{
    struct test_db *t = *state;
    struct integration it = {0}, got = {0};
    char tenant[ID_MAX];
    struct err e;

    make_tenant(t, "int-crud", tenant);
    begin(t, tenant);
    assert_db_ok(integration_create(&it, t->db, tenant, "salesforce", "Salesforce EU",
                                    "{\"region\":\"eu\",\"n\":1,\"x\":[1.50,null]}", NOW, &e),
                 &e);
    commit(t);
    assert_true(id_valid(it.id, "int"));
    assert_string_equal(it.tenant_id, tenant);
    assert_string_equal(it.connector, "salesforce");
    assert_string_equal(it.name, "Salesforce EU");
    assert_string_equal(it.status, "draft");
    assert_null(it.status_reason);
    assert_null(it.schedule);
    assert_int_equal(it.next_run_at, 0);
    assert_string_equal(it.secret_names, "[]");
    assert_int_equal(it.created_at, NOW);
    assert_int_equal(it.updated_at, NOW);
    assert_json_equal(it.config, "{\"n\":1,\"region\":\"eu\",\"x\":[1.50,null]}");

    begin(t, tenant);
    assert_db_ok(integration_get(&got, t->db, tenant, it.id, &e), &e);
    commit(t);
    assert_string_equal(got.id, it.id);
    assert_string_equal(got.config, it.config);
    integration_dispose(&got);

    /* A status with its reason; NULL fields stay as they were. */
    struct integration_change ch = {.status = "error", .status_reason = "token expired"};
    begin(t, tenant);
    assert_db_ok(integration_update(&got, t->db, tenant, it.id, &ch, NOW + 5, &e), &e);
    commit(t);
    assert_string_equal(got.status, "error");
    assert_string_equal(got.status_reason, "token expired");
    assert_string_equal(got.name, "Salesforce EU");
    assert_int_equal(got.updated_at, NOW + 5);
    assert_int_equal(got.created_at, NOW);
    integration_dispose(&got);

    ch = (struct integration_change){.name = "Renamed", .config = "{}"};
    begin(t, tenant);
    assert_db_ok(integration_update(&got, t->db, tenant, it.id, &ch, NOW + 6, &e), &e);
    commit(t);
    assert_string_equal(got.name, "Renamed");
    assert_string_equal(got.config, "{}");
    assert_string_equal(got.status_reason, "token expired"); /* no status given: kept */

    /* A status without a reason clears it; the row may be updated through
     * its own id after being disposed, as api/ does. */
    ch = (struct integration_change){.status = "active"};
    integration_dispose(&got);
    begin(t, tenant);
    assert_db_ok(integration_update(&got, t->db, tenant, got.id, &ch, NOW + 7, &e), &e);
    assert_db_ok(integration_update(NULL, t->db, tenant, got.id, &ch, NOW + 8, &e), &e);
    commit(t);
    assert_string_equal(got.status, "active");
    assert_null(got.status_reason);

    ch = (struct integration_change){.status = "running"};
    begin(t, tenant);
    assert_int_equal(integration_update(NULL, t->db, tenant, it.id, &ch, NOW, &e), ERR_INVALID);
    assert_string_equal(e.msg, "status: expected draft, active, paused, error, needs_reauth or "
                               "disconnected");
    db_rollback(t->db);
    integration_dispose(&got);
    integration_dispose(&it);
    integration_dispose(&it); /* twice is harmless */
}

static void names_are_checked(void **state)
{
    struct test_db *t = *state;
    struct integration it = {0};
    char tenant[ID_MAX], longname[INTEGRATION_NAME_MAX + 2];
    struct err e;
    static const struct {
        const char *name, *msg;
    } bad[] = {
        {"", "name: must not be empty"},
        {"a\tb", "name: control character at byte 1"},
        {"nl\n", "name: control character at byte 2"},
        {"del\x7f", "name: control character at byte 3"},
        {"c1 \xc2\x85", "name: control character at byte 3"},
        {"bad \xff utf8", "name: invalid UTF-8 at byte 4"},
        {"overlong \xc0\xaf", "name: invalid UTF-8 at byte 9"},
        {"cut \xe2\x82", "name: invalid UTF-8 at byte 4"},
    };

    make_tenant(t, "int-names", tenant);
    begin(t, tenant);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(integration_create(&it, t->db, tenant, "jira", bad[i].name, NULL, NOW, &e),
                         ERR_INVALID);
        assert_string_equal(e.msg, bad[i].msg);
    }
    memset(longname, 'n', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    assert_int_equal(integration_create(&it, t->db, tenant, "jira", longname, NULL, NOW, &e),
                     ERR_INVALID);
    assert_string_equal(e.msg, "name: 201 bytes, at most 200");
    assert_int_equal(integration_create(&it, t->db, tenant, "", "x", NULL, NOW, &e), ERR_INVALID);
    char *big = xmalloc(INTEGRATION_CONFIG_MAX + 2);
    memset(big, ' ', INTEGRATION_CONFIG_MAX + 1);
    big[0] = '{';
    big[INTEGRATION_CONFIG_MAX] = '}';
    big[INTEGRATION_CONFIG_MAX + 1] = '\0';
    assert_int_equal(integration_create(&it, t->db, tenant, "jira", "big", big, NOW, &e),
                     ERR_TOOBIG);
    xfree(big);

    /* Exactly the cap, and any UTF-8 without control characters, are fine. */
    longname[INTEGRATION_NAME_MAX] = '\0';
    assert_db_ok(integration_create(&it, t->db, tenant, "jira", longname, NULL, NOW, &e), &e);
    integration_dispose(&it);
    assert_db_ok(
        integration_create(&it, t->db, tenant, "jira", "Zoë — CRM \xf0\x9f\x93\x88", NULL, NOW, &e),
        &e);
    assert_string_equal(it.name, "Zoë — CRM \xf0\x9f\x93\x88");
    struct integration_change ch = {.name = "x\r"};
    assert_int_equal(integration_update(NULL, t->db, tenant, it.id, &ch, NOW, &e), ERR_INVALID);
    assert_string_equal(e.msg, "name: control character at byte 1");
    integration_dispose(&it);
    commit(t);
}

static void names_unique_among_live(void **state)
{
    struct test_db *t = *state;
    struct integration it = {0};
    char a[ID_MAX], b[ID_MAX], first[ID_MAX], other[ID_MAX];
    struct err e;

    make_tenant(t, "int-uniq-a", a);
    make_tenant(t, "int-uniq-b", b);
    make_one(t, a, "hubspot", "dup", first);
    make_one(t, a, "hubspot", "other", other);

    begin(t, a);
    assert_int_equal(integration_create(&it, t->db, a, "jira", "dup", NULL, NOW, &e), ERR_CONFLICT);
    assert_string_equal(e.msg, "name: an integration named \"dup\" exists already");
    db_rollback(t->db);

    struct integration_change ch = {.name = "dup"};
    begin(t, a);
    assert_int_equal(integration_update(NULL, t->db, a, other, &ch, NOW, &e), ERR_CONFLICT);
    assert_string_equal(e.msg, "name: an integration named \"dup\" exists already");
    db_rollback(t->db);

    /* Keeping one's own name is no conflict. */
    begin(t, a);
    assert_db_ok(integration_update(NULL, t->db, a, first, &ch, NOW, &e), &e);
    commit(t);

    /* Another tenant may use the name: uniqueness is per tenant. */
    begin(t, b);
    assert_db_ok(integration_create(&it, t->db, b, "hubspot", "dup", NULL, NOW, &e), &e);
    commit(t);
    integration_dispose(&it);

    /* Once deleted, the name is free again, and the old row stays. */
    begin(t, a);
    assert_db_ok(integration_delete(t->db, a, first, false, NOW, &e), &e);
    assert_db_ok(integration_create(&it, t->db, a, "hubspot", "dup", NULL, NOW, &e), &e);
    commit(t);
    assert_string_not_equal(it.id, first);
    assert_int_equal(count(t,
                           "SELECT count(*) FROM integrations WHERE tenant_id = $1 AND"
                           " name = 'dup'",
                           a),
                     2);
    integration_dispose(&it);
}

struct collected {
    char ids[32][ID_MAX];
    int n, stop_after;
};

static int collect(void *ctx, const struct integration *it)
{
    struct collected *c = ctx;
    if (c->n < 32)
        memcpy(c->ids[c->n], it->id, ID_MAX);
    c->n++;
    return c->stop_after && c->n == c->stop_after ? 42 : 0;
}

/* Every page of tenant's list under f, concatenated into all; the number
 * of pages. */
static int list_all(struct test_db *t, const char *tenant, struct integration_filter f,
                    struct collected *all)
{
    char after[ID_MAX] = "";
    bool more = true;
    int pages = 0;
    struct err e;

    memset(all, 0, sizeof(*all));
    while (more) {
        struct collected page = {0};
        f.after = pages ? after : NULL;
        begin(t, tenant);
        assert_db_ok(integration_list(&more, t->db, tenant, &f, collect, &page, &e), &e);
        commit(t);
        assert_true(page.n <= f.limit);
        assert_true(page.n == f.limit || !more);
        for (int i = 0; i < page.n; i++)
            memcpy(all->ids[all->n++], page.ids[i], ID_MAX);
        if (page.n)
            memcpy(after, page.ids[page.n - 1], ID_MAX);
        pages++;
        assert_true(pages < 20);
    }
    for (int i = 1; i < all->n; i++)
        assert_true(strcmp(all->ids[i - 1], all->ids[i]) < 0); /* oldest id first */
    return pages;
}

static void list_pages_and_filters(void **state)
{
    struct test_db *t = *state;
    char a[ID_MAX], b[ID_MAX], ids[7][ID_MAX], x[ID_MAX];
    struct collected all;
    struct err e;
    bool more;

    make_tenant(t, "int-list-a", a);
    make_tenant(t, "int-list-b", b);
    for (int i = 0; i < 7; i++) {
        char name[16];
        snprintf(name, sizeof(name), "n%d", i);
        make_one(t, a, i % 2 ? "jira" : "hubspot", name, ids[i]);
    }
    make_one(t, b, "jira", "theirs-1", x);
    make_one(t, b, "hubspot", "theirs-2", x);
    struct integration_change active = {.status = "active"};
    begin(t, a);
    for (int i = 0; i < 3; i++) /* n0, n1, n2 */
        assert_db_ok(integration_update(NULL, t->db, a, ids[i], &active, NOW, &e), &e);
    commit(t);

    assert_int_equal(list_all(t, a, (struct integration_filter){.limit = 3}, &all), 3);
    assert_int_equal(all.n, 7);
    for (int i = 0; i < 7; i++) {
        int k = 0;
        while (k < all.n && strcmp(all.ids[k], ids[i]) != 0)
            k++;
        assert_true(k < all.n);
    }
    /* A page that ends exactly at the last row says there is no more. */
    assert_int_equal(list_all(t, a, (struct integration_filter){.limit = 7}, &all), 1);
    assert_int_equal(all.n, 7);
    assert_int_equal(list_all(t, a, (struct integration_filter){.limit = 200}, &all), 1);

    assert_int_equal(
        list_all(t, a, (struct integration_filter){.status = "active", .limit = 2}, &all), 2);
    assert_int_equal(all.n, 3);
    list_all(t, a, (struct integration_filter){.connector = "jira", .limit = 2}, &all);
    assert_int_equal(all.n, 3); /* n1, n3, n5 */
    list_all(t, a, (struct integration_filter){.connector = "jira", .status = "active", .limit = 5},
             &all);
    assert_int_equal(all.n, 1); /* n1 */
    assert_string_equal(all.ids[0], ids[1]);
    list_all(t, a, (struct integration_filter){.status = "paused", .limit = 5}, &all);
    assert_int_equal(all.n, 0);
    list_all(t, b, (struct integration_filter){.limit = 50}, &all);
    assert_int_equal(all.n, 2);

    /* Deleted integrations are not listed. */
    begin(t, a);
    assert_db_ok(integration_delete(t->db, a, ids[0], false, NOW, &e), &e);
    commit(t);
    list_all(t, a, (struct integration_filter){.limit = 4}, &all);
    assert_int_equal(all.n, 6);

    /* A callback's nonzero return stops the listing and is returned. */
    struct collected c = {.stop_after = 2};
    begin(t, a);
    assert_int_equal(integration_list(&more, t->db, a, &(struct integration_filter){.limit = 5},
                                      collect, &c, &e),
                     42);
    assert_int_equal(c.n, 2);
    assert_int_equal(integration_list(&more, t->db, a, &(struct integration_filter){.limit = 0},
                                      collect, &c, &e),
                     ERR_INVALID);
    assert_string_equal(e.msg, "limit: must be 1..200");
    assert_int_equal(integration_list(&more, t->db, a, &(struct integration_filter){.limit = 201},
                                      collect, &c, &e),
                     ERR_INVALID);
    assert_int_equal(integration_list(&more, t->db, a,
                                      &(struct integration_filter){.status = "nope", .limit = 1},
                                      collect, &c, &e),
                     ERR_INVALID);
    db_rollback(t->db);
}

static void other_tenants_rows_are_not_found(void **state)
{
    struct test_db *t = *state;
    struct integration it = {0};
    struct secret plain = {0}, k1 = {0};
    char a[ID_MAX], b[ID_MAX], mine[ID_MAX], want[64];
    struct err e;
    bool more;

    vault_key_generate(&k1);
    const struct secret *keys[] = {&k1};
    struct vault *v = ring(keys, 1);
    make_tenant(t, "int-cross-a", a);
    make_tenant(t, "int-cross-b", b);
    make_one(t, a, "hubspot", "a's", mine);
    SECRET_SET(plain, "{\"k\":\"v\"}");
    begin(t, a);
    assert_db_ok(
        integration_secrets_set(t->db, v, a, mine, "api_key", &plain, "[\"k\"]", 0, NOW, &e), &e);
    commit(t);
    snprintf(want, sizeof(want), "no integration %s", mine);

    /* B asks for A's row by its id: not found, whatever the call. */
    struct integration_change ch = {.name = "stolen"};
    begin(t, b);
    assert_int_equal(integration_get(&it, t->db, b, mine, &e), ERR_NOTFOUND);
    assert_string_equal(e.msg, want);
    assert_int_equal(integration_update(&it, t->db, b, mine, &ch, NOW, &e), ERR_NOTFOUND);
    assert_int_equal(
        integration_secrets_set(t->db, v, b, mine, "api_key", &plain, "[]", 0, NOW, &e),
        ERR_NOTFOUND);
    struct secret out = {0};
    assert_int_equal(integration_secrets_open(&out, t->db, v, b, mine, &e), ERR_NOTFOUND);
    assert_null(out.p);
    assert_int_equal(integration_delete(t->db, b, mine, false, NOW, &e), ERR_NOTFOUND);
    assert_int_equal(integration_delete(t->db, b, mine, true, NOW, &e), ERR_NOTFOUND);
    struct collected c = {0};
    assert_db_ok(integration_list(&more, t->db, b, &(struct integration_filter){.limit = 10},
                                  collect, &c, &e),
                 &e);
    assert_int_equal(c.n, 0);
    /* Text that is no id at all is not quoted back. */
    assert_int_equal(integration_get(&it, t->db, b, "'; DROP TABLE integrations; --", &e),
                     ERR_NOTFOUND);
    assert_string_equal(e.msg, "no such integration");
    assert_int_equal(integration_get(&it, t->db, b, "", &e), ERR_NOTFOUND);
    commit(t);

    /* A's row is untouched, secrets included. */
    begin(t, a);
    assert_db_ok(integration_get(&it, t->db, a, mine, &e), &e);
    assert_string_equal(it.name, "a's");
    assert_db_ok(integration_secrets_open(&out, t->db, v, a, mine, &e), &e);
    assert_string_equal((const char *)out.p, "{\"k\":\"v\"}");
    commit(t);
    integration_dispose(&it);
    secret_dispose(&out);
    secret_dispose(&plain);
    secret_dispose(&k1);
    vault_free(v);
}

/* The credentials row of id: its id, key id and whether the sealed bytes
 * contain needle. */
static void cred_row(struct test_db *t, const char *integ, char cid[ID_MAX], char key[64],
                     const char *needle, bool *has)
{
    struct db_rows *rows = NULL;
    struct err e;
    size_t n;
    assert_db_ok(
        db_query_row(&rows, t->db,
                     "SELECT id, key_id, sealed FROM credentials WHERE integration_id = $1",
                     DB_ARGS(DB_TEXT(integ)), &e),
        &e);
    snprintf(cid, ID_MAX, "%s", db_rows_text(rows, 0));
    snprintf(key, 64, "%s", db_rows_text(rows, 1));
    const void *blob = db_rows_blob(rows, 2, &n);
    *has = contains(blob, n, needle);
    db_rows_free(rows);
}

static void secrets_sealed_opened_replaced(void **state)
{
    struct test_db *t = *state;
    struct secret k1 = {0}, plain = {0}, out = {0};
    struct integration it = {0};
    char a[ID_MAX], id[ID_MAX], other[ID_MAX], cid[ID_MAX], cid2[ID_MAX], key[64];
    struct err e;
    bool has;

    vault_key_generate(&k1);
    const struct secret *keys[] = {&k1};
    struct vault *v = ring(keys, 1);
    make_tenant(t, "int-secrets", a);
    make_one(t, a, "zendesk", "desk", id);
    make_one(t, a, "zendesk", "desk 2", other);

    begin(t, a);
    assert_int_equal(integration_secrets_open(&out, t->db, v, a, id, &e), ERR_NOTFOUND);
    char want[80];
    snprintf(want, sizeof(want), "integration %s has no secrets", id);
    assert_string_equal(e.msg, want);
    SECRET_SET(plain, "{\"api_token\":\"zd_supersecret_token_1\",\"email\":\"a@b.c\"}");
    assert_db_ok(integration_secrets_set(t->db, v, a, id, "api_key", &plain,
                                         "[\"api_token\",\"email\"]", NOW + 3600, NOW + 1, &e),
                 &e);
    commit(t);

    /* Sealed: the column holds no trace of the secret. */
    cred_row(t, id, cid, key, "supersecret", &has);
    assert_false(has);
    assert_true(id_valid(cid, "cred"));
    assert_string_equal(key, vault_active_id(v));
    assert_int_equal(count(t, "SELECT expires_at FROM credentials WHERE integration_id = $1", id),
                     NOW + 3600);

    begin(t, a);
    assert_db_ok(integration_secrets_open(&out, t->db, v, a, id, &e), &e);
    assert_int_equal(out.n, plain.n);
    assert_memory_equal(out.p, plain.p, plain.n);
    secret_dispose(&out);
    assert_db_ok(integration_get(&it, t->db, a, id, &e), &e);
    commit(t);
    assert_json_equal(it.secret_names, "[\"api_token\",\"email\"]");
    assert_int_equal(it.updated_at, NOW + 1);
    struct buf b;
    buf_init(&b, 0);
    integration_format(&it, &b);
    assert_non_null(strstr(buf_cstr(&b), "\"secrets_set\":[\"api_token\","));
    assert_null(strstr(buf_cstr(&b), "supersecret"));
    buf_dispose(&b);
    integration_dispose(&it);

    /* Replaced: same row (the seal is bound to its id), new value. */
    secret_dispose(&plain);
    SECRET_SET(plain, "{\"api_token\":\"zd_second\"}");
    begin(t, a);
    assert_db_ok(
        integration_secrets_set(t->db, v, a, id, "api_key", &plain, "[\"api_token\"]", 0, NOW, &e),
        &e);
    assert_db_ok(integration_secrets_open(&out, t->db, v, a, id, &e), &e);
    commit(t);
    assert_string_equal((const char *)out.p, "{\"api_token\":\"zd_second\"}");
    secret_dispose(&out);
    cred_row(t, id, cid2, key, "zd_second", &has);
    assert_string_equal(cid2, cid);
    assert_false(has);
    assert_int_equal(count(t,
                           "SELECT count(*) FROM credentials WHERE integration_id = $1"
                           " AND expires_at IS NULL",
                           id),
                     1);

    /* A seal copied into another integration's row does not open there. */
    begin(t, a);
    assert_db_ok(
        integration_secrets_set(t->db, v, a, other, "basic", &plain, "[\"api_token\"]", 0, NOW, &e),
        &e);
    assert_db_ok(db_exec(t->db,
                         "UPDATE credentials SET sealed = (SELECT sealed FROM credentials"
                         " WHERE integration_id = $1) WHERE integration_id = $2",
                         DB_ARGS(DB_TEXT(id), DB_TEXT(other)), NULL, &e),
                 &e);
    assert_int_equal(integration_secrets_open(&out, t->db, v, a, other, &e), ERR_CRYPTO);
    assert_null(out.p);

    /* What is not one of the kinds, or not names, is refused. */
    assert_int_equal(integration_secrets_set(t->db, v, a, id, "password", &plain, "[]", 0, NOW, &e),
                     ERR_INVALID);
    assert_string_equal(e.msg, "kind: expected oauth2, api_key or basic");
    static const char *const bad_names[] = {"{}", "[1]", "[\"a\",", "\"a\"", ""};
    for (size_t i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++) {
        assert_int_equal(
            integration_secrets_set(t->db, v, a, id, "api_key", &plain, bad_names[i], 0, NOW, &e),
            ERR_INVALID);
        assert_string_equal(e.msg, "secret names: expected a JSON array of strings");
    }
    db_rollback(t->db);
    secret_dispose(&plain);
    secret_dispose(&k1);
    vault_free(v);
}

/* Fail the 1st statement of a secrets replacement, then the 2nd, ...:
 * after each failure (rolled back by the caller) the old secrets are
 * there whole, and the run that gets through leaves the new ones. */
static void faults_leave_old_secrets(void **state)
{
    struct test_db *t = *state;
    struct secret k1 = {0}, plain = {0}, out = {0};
    char a[ID_MAX], id[ID_MAX];
    struct err e;
    int rc = -1, n;

    vault_key_generate(&k1);
    const struct secret *keys[] = {&k1};
    struct vault *v = ring(keys, 1);
    make_tenant(t, "int-faults", a);
    make_one(t, a, "jira", "faulty", id);
    SECRET_SET(plain, "{\"v\":\"old\"}");
    begin(t, a);
    assert_db_ok(integration_secrets_set(t->db, v, a, id, "basic", &plain, "[\"v\"]", 0, NOW, &e),
                 &e);
    commit(t);
    secret_dispose(&plain);
    SECRET_SET(plain, "{\"v\":\"new\"}");
    for (n = 0; n < 50 && rc != 0; n++) {
        db_fail_after(t->db, n);
        rc = db_begin_tenant(t->db, a, &e);
        if (rc == 0)
            rc = integration_secrets_set(t->db, v, a, id, "basic", &plain, "[\"v\"]", 0, NOW, &e);
        if (rc == 0)
            rc = db_commit(t->db, &e);
        else
            db_rollback(t->db);
        db_fail_after(t->db, -1);
        if (rc != 0)
            assert_int_equal(rc, ERR_IO);
        begin(t, a);
        assert_db_ok(integration_secrets_open(&out, t->db, v, a, id, &e), &e);
        commit(t);
        assert_string_equal((const char *)out.p, rc == 0 ? "{\"v\":\"new\"}" : "{\"v\":\"old\"}");
        secret_dispose(&out);
    }
    assert_int_equal(rc, 0);
    assert_true(n > 3);
    assert_int_equal(count(t, "SELECT count(*) FROM credentials WHERE integration_id = $1", id), 1);
    secret_dispose(&plain);
    secret_dispose(&k1);
    vault_free(v);
}

static void failure(void *ctx, const struct sealed_column *col, const char *row_id,
                    const struct err *why)
{
    (void)col;
    (void)row_id;
    (void)why;
    (*(int *)ctx)++;
}

/* Credentials written here stay within what `inlet keys rotate` knows: it
 * re-seals them under the new key, and they open with it alone. */
static void rotate_reseals_them(void **state)
{
    struct test_db *t = *state;
    struct secret k1 = {0}, k2 = {0}, plain = {0}, out = {0};
    char a[ID_MAX], ids[3][ID_MAX], cid[ID_MAX], key[64];
    struct sealed_stats st;
    struct err e;
    int failed = 0;
    bool has;

    vault_key_generate(&k1);
    vault_key_generate(&k2);
    const struct secret *old[] = {&k1}, *both[] = {&k2, &k1}, *only_new[] = {&k2};
    struct vault *v1 = ring(old, 1), *v2 = ring(both, 2), *vnew = ring(only_new, 1);
    make_tenant(t, "int-rotate", a);
    for (int i = 0; i < 3; i++) {
        char name[16], text[64];
        snprintf(name, sizeof(name), "r%d", i);
        make_one(t, a, "jira", name, ids[i]);
        snprintf(text, sizeof(text), "{\"token\":\"rotate-me-%d\"}", i);
        SECRET_SET(plain, text);
        begin(t, a);
        assert_db_ok(integration_secrets_set(t->db, v1, a, ids[i], "oauth2", &plain, "[\"token\"]",
                                             0, NOW, &e),
                     &e);
        commit(t);
        secret_dispose(&plain);
    }

    assert_db_ok(sealed_rotate(&st, t->db, v2, 2, 0, failure, &failed, &e), &e);
    assert_int_equal(failed, 0);
    assert_true(st.resealed >= 3);
    for (int i = 0; i < 3; i++) {
        char want[64];
        cred_row(t, ids[i], cid, key, "rotate-me", &has);
        assert_string_equal(key, vault_active_id(vnew));
        assert_false(has);
        begin(t, a);
        assert_db_ok(integration_secrets_open(&out, t->db, vnew, a, ids[i], &e), &e);
        commit(t);
        snprintf(want, sizeof(want), "{\"token\":\"rotate-me-%d\"}", i);
        assert_string_equal((const char *)out.p, want);
        secret_dispose(&out);
    }
    vault_free(v1);
    vault_free(v2);
    vault_free(vnew);
    secret_dispose(&k1);
    secret_dispose(&k2);
}

/* Rows of table for integration id. */
static int64_t rows_of(struct test_db *t, const char *table, const char *id)
{
    char sql[128];
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s WHERE integration_id = $1", table);
    return count(t, sql, id);
}

/* Synced data and a consent for integration id of tenant. */
static void add_synced(struct test_db *t, const char *tenant, const char *id)
{
    struct err e;
    char run[ID_MAX], cns[ID_MAX];
    id_new(run, "run");
    id_new(cns, "cns");
    begin(t, tenant);
    assert_db_ok(db_exec(t->db,
                         "INSERT INTO sync_runs (id, tenant_id, integration_id, triggered_by, mode,"
                         " created_at) VALUES ($1, $2, $3, 'manual', 'full', 0)",
                         DB_ARGS(DB_TEXT(run), DB_TEXT(tenant), DB_TEXT(id)), NULL, &e),
                 &e);
    assert_db_ok(db_exec(t->db,
                         "INSERT INTO stream_state (tenant_id, integration_id, stream, bookmark,"
                         " updated_at) VALUES ($1, $2, 'contacts', '{\"since\":1}', 0)",
                         DB_ARGS(DB_TEXT(tenant), DB_TEXT(id)), NULL, &e),
                 &e);
    assert_db_ok(db_exec(t->db,
                         "INSERT INTO consents (id, tenant_id, integration_id, connector_id,"
                         " granted_by, created_at) VALUES ($1, $2, $3, 'hubspot', 'cli', 0)",
                         DB_ARGS(DB_TEXT(cns), DB_TEXT(tenant), DB_TEXT(id)), NULL, &e),
                 &e);
    commit(t);
}

static void delete_soft_then_purge(void **state)
{
    struct test_db *t = *state;
    struct secret k1 = {0}, plain = {0}, out = {0};
    struct integration it = {0};
    char a[ID_MAX], b[ID_MAX], soft[ID_MAX], direct[ID_MAX], theirs[ID_MAX];
    struct err e;

    vault_key_generate(&k1);
    const struct secret *keys[] = {&k1};
    struct vault *v = ring(keys, 1);
    make_tenant(t, "int-delete-a", a);
    make_tenant(t, "int-delete-b", b);
    make_one(t, a, "hubspot", "soft", soft);
    make_one(t, a, "hubspot", "direct", direct);
    make_one(t, b, "hubspot", "soft", theirs);
    add_synced(t, a, soft);
    add_synced(t, a, direct);
    add_synced(t, b, theirs);
    SECRET_SET(plain, "{\"t\":\"x\"}");
    struct integration_change ch = {.status = "active"};
    begin(t, a);
    assert_db_ok(
        integration_secrets_set(t->db, v, a, soft, "oauth2", &plain, "[\"t\"]", 0, NOW, &e), &e);
    assert_db_ok(integration_update(NULL, t->db, a, soft, &ch, NOW, &e), &e);
    assert_db_ok(db_exec(t->db, "UPDATE integrations SET next_run_at = 1 WHERE id = $1",
                         DB_ARGS(DB_TEXT(soft)), NULL, &e),
                 &e);
    commit(t);

    /* Soft: invisible, credentials gone, synced data kept, off the schedule. */
    begin(t, a);
    assert_db_ok(integration_delete(t->db, a, soft, false, NOW + 9, &e), &e);
    commit(t);
    assert_int_equal(rows_of(t, "credentials", soft), 0);
    assert_int_equal(rows_of(t, "sync_runs", soft), 1);
    assert_int_equal(rows_of(t, "stream_state", soft), 1);
    assert_int_equal(rows_of(t, "consents", soft), 1);
    assert_int_equal(count(t,
                           "SELECT count(*) FROM integrations WHERE id = $1 AND deleted_at = "
                           "1700000009 AND status = 'disconnected' AND next_run_at IS NULL",
                           soft),
                     1);
    struct integration_change rename = {.name = "back"};
    begin(t, a);
    assert_int_equal(integration_get(&it, t->db, a, soft, &e), ERR_NOTFOUND);
    assert_int_equal(integration_update(NULL, t->db, a, soft, &rename, NOW, &e), ERR_NOTFOUND);
    assert_int_equal(integration_secrets_set(t->db, v, a, soft, "oauth2", &plain, "[]", 0, NOW, &e),
                     ERR_NOTFOUND);
    assert_int_equal(integration_secrets_open(&out, t->db, v, a, soft, &e), ERR_NOTFOUND);
    assert_int_equal(integration_delete(t->db, a, soft, false, NOW, &e), ERR_NOTFOUND);
    commit(t);

    /* Purge reaches it still: the row and its synced data go; the consent
     * stays, unlinked. */
    begin(t, a);
    assert_db_ok(integration_delete(t->db, a, soft, true, NOW, &e), &e);
    commit(t);
    assert_int_equal(count(t, "SELECT count(*) FROM integrations WHERE id = $1", soft), 0);
    assert_int_equal(rows_of(t, "sync_runs", soft), 0);
    assert_int_equal(rows_of(t, "stream_state", soft), 0);
    assert_int_equal(rows_of(t, "consents", soft), 0);
    assert_int_equal(count(t,
                           "SELECT count(*) FROM consents WHERE tenant_id = $1 AND"
                           " integration_id IS NULL",
                           a),
                     1);

    /* A live one purged at once. */
    begin(t, a);
    assert_db_ok(integration_delete(t->db, a, direct, true, NOW, &e), &e);
    assert_int_equal(integration_delete(t->db, a, direct, true, NOW, &e), ERR_NOTFOUND);
    commit(t);
    assert_int_equal(rows_of(t, "sync_runs", direct), 0);
    assert_int_equal(rows_of(t, "stream_state", direct), 0);

    /* B's integration of the same name, and its data, are as they were. */
    assert_int_equal(rows_of(t, "sync_runs", theirs), 1);
    assert_int_equal(rows_of(t, "stream_state", theirs), 1);
    begin(t, b);
    assert_db_ok(integration_get(&it, t->db, b, theirs, &e), &e);
    commit(t);
    assert_string_equal(it.name, "soft");
    integration_dispose(&it);
    secret_dispose(&plain);
    secret_dispose(&k1);
    vault_free(v);
}

static void format_is_the_api_shape(void **state)
{
    (void)state;
    struct integration it = {
        .id = "int_01hzzzzzzzzzzzzzzzzzzzzzzz",
        .tenant_id = "ten_x",
        .connector = "hubspot",
        .name = "Sales \"EU\"\n",
        .config = "{\"a\": [1, 2.50]}",
        .status = "error",
        .status_reason = "401 from provider",
        .schedule = NULL,
        .next_run_at = 0,
        .secret_names = "[\"api_key\"]",
        .connection = "{\"metadata\":{\"instance_url\":\"https://x.my.salesforce.com\"}}",
        .created_at = 1700000000,
        .updated_at = 1700000061,
    };
    struct buf b;
    buf_init(&b, 0);
    integration_format(&it, &b);
    assert_string_equal(buf_cstr(&b),
                        "{\"id\":\"int_01hzzzzzzzzzzzzzzzzzzzzzzz\",\"connector\":\"hubspot\","
                        "\"name\":\"Sales \\\"EU\\\"\\n\",\"config\":{\"a\": [1, 2.50]},"
                        "\"status\":\"error\",\"status_reason\":\"401 from provider\","
                        "\"schedule\":null,\"next_run_at\":null,"
                        "\"connection\":{\"metadata\":{\"instance_url\":"
                        "\"https://x.my.salesforce.com\"}},\"secrets_set\":[\"api_key\"],"
                        "\"end_user\":null,\"tags\":[],"
                        "\"created_at\":\"2023-11-14T22:13:20Z\","
                        "\"updated_at\":\"2023-11-14T22:14:21Z\"}");
    /* And it is JSON. */
    struct json_object *doc = NULL;
    struct err e;
    assert_db_ok(jsonx_parse(&doc, b.p, b.n, 1 << 20, &e), &e);
    json_object_put(doc);

    /* With an end user (without email) and tags. */
    it.end_user_id = "user \"42\"";
    it.end_user_name = "Ada L.";
    it.tags = "[\"plan:pro\",\"region/eu\"]";
    buf_dispose(&b);
    buf_init(&b, 0);
    integration_format(&it, &b);
    assert_non_null(strstr(buf_cstr(&b), "\"secrets_set\":[\"api_key\"],\"end_user\":{\"id\":"
                                         "\"user \\\"42\\\"\",\"email\":null,\"display_name\":"
                                         "\"Ada L.\"},\"tags\":[\"plan:pro\",\"region/eu\"],"
                                         "\"created_at\""));
    assert_db_ok(jsonx_parse(&doc, b.p, b.n, 1 << 20, &e), &e);
    json_object_put(doc);
    buf_dispose(&b);
}

/* ---- end users and tags ---- */

/* The message of check(s); "" when it passes. */
static const char *check_msg(int (*check)(const char *, struct err *), const char *s, struct err *e)
{
    e->msg[0] = '\0';
    if (check(s, e) == 0)
        return "";
    assert_int_equal(e->code, ERR_INVALID);
    return e->msg;
}

static void label_checks(void **state)
{
    (void)state;
    struct err e;
    char big[400];

    /* Tags: the characters a tag may hold, and its length. */
    assert_string_equal(check_msg(integration_tag_check, "plan:pro", &e), "");
    assert_string_equal(check_msg(integration_tag_check, "region/eu-west_1.a", &e), "");
    assert_string_equal(check_msg(integration_tag_check, "", &e), "must not be empty");
    assert_string_equal(check_msg(integration_tag_check, "a b", &e),
                        "byte 1 is not allowed; a tag is letters, digits and _.:/-");
    assert_string_equal(check_msg(integration_tag_check, "\xc3\xa9t\xc3\xa9", &e),
                        "byte 0 is not allowed; a tag is letters, digits and _.:/-");
    assert_string_equal(check_msg(integration_tag_check, "a,b", &e),
                        "byte 1 is not allowed; a tag is letters, digits and _.:/-");
    memset(big, 'x', 65);
    big[65] = '\0';
    assert_string_equal(check_msg(integration_tag_check, big, &e), "65 bytes, at most 64");
    big[64] = '\0';
    assert_string_equal(check_msg(integration_tag_check, big, &e), "");

    /* End user ids: any UTF-8 text without control characters. */
    assert_string_equal(check_msg(integration_end_user_id_check, "u/42 \xe2\x98\x83", &e), "");
    assert_string_equal(check_msg(integration_end_user_id_check, "", &e), "must not be empty");
    assert_string_equal(check_msg(integration_end_user_id_check, "a\tb", &e),
                        "control character at byte 1");
    assert_string_equal(check_msg(integration_end_user_id_check, "a\xc2\x85", &e),
                        "control character at byte 1");
    assert_string_equal(check_msg(integration_end_user_id_check, "a\xff", &e),
                        "invalid UTF-8 at byte 1");
    memset(big, 'u', 256);
    big[256] = '\0';
    assert_string_equal(check_msg(integration_end_user_id_check, big, &e),
                        "256 bytes, at most 255");
    big[255] = '\0';
    assert_string_equal(check_msg(integration_end_user_id_check, big, &e), "");

    /* Email: light, one '@' between two parts, no space. */
    assert_string_equal(check_msg(integration_email_check, "ada@example.com", &e), "");
    assert_string_equal(check_msg(integration_email_check, "ada", &e),
                        "expected an email address (one '@' between two parts)");
    assert_string_equal(check_msg(integration_email_check, "a@b@c", &e),
                        "expected an email address (one '@' between two parts)");
    assert_string_equal(check_msg(integration_email_check, "@b", &e),
                        "expected an email address (one '@' between two parts)");
    assert_string_equal(check_msg(integration_email_check, "a@", &e),
                        "expected an email address (one '@' between two parts)");
    assert_string_equal(check_msg(integration_email_check, "a d@b", &e),
                        "space at byte 1; expected an email address");
    memset(big, 'e', 321);
    big[1] = '@';
    big[321] = '\0';
    assert_string_equal(check_msg(integration_email_check, big, &e), "321 bytes, at most 320");
    big[320] = '\0';
    assert_string_equal(check_msg(integration_email_check, big, &e), "");

    /* Display names: up to 200 bytes. */
    memset(big, 'n', 201);
    big[201] = '\0';
    assert_string_equal(check_msg(integration_display_name_check, big, &e),
                        "201 bytes, at most 200");
    assert_string_equal(check_msg(integration_display_name_check, "Ada \"L\"", &e), "");

    /* The whole: the first problem, led by its pointer. */
    const char *tags[21];
    char names[21][16];
    for (int i = 0; i < 21; i++) {
        snprintf(names[i], sizeof(names[i]), "t%d", i);
        tags[i] = names[i];
    }
    struct integration_tags set = {tags, 20};
    assert_int_equal(integration_labels_check(NULL, &set, &e), 0);
    set.n = 21;
    assert_int_equal(integration_labels_check(NULL, &set, &e), ERR_INVALID);
    assert_string_equal(e.msg, "/tags: 21 distinct tags, at most 20");
    tags[20] = "t3"; /* a repeat merges: 20 distinct */
    assert_int_equal(integration_labels_check(NULL, &set, &e), 0);
    tags[3] = "bad tag";
    assert_int_equal(integration_labels_check(NULL, &set, &e), ERR_INVALID);
    assert_string_equal(e.msg,
                        "/tags/3: byte 3 is not allowed; a tag is letters, digits and _.:/-");
    struct integration_end_user u = {.id = "u1", .email = "nope"};
    assert_int_equal(integration_labels_check(&u, NULL, &e), ERR_INVALID);
    assert_string_equal(e.msg, "/end_user/email: expected an email address (one '@' between two "
                               "parts)");
    u = (struct integration_end_user){.email = "a@b"};
    assert_int_equal(integration_labels_check(&u, NULL, &e), ERR_INVALID);
    assert_string_equal(e.msg, "/end_user/id: is required");
    u = (struct integration_end_user){.id = "u1", .display_name = ""};
    assert_int_equal(integration_labels_check(&u, NULL, &e), ERR_INVALID);
    assert_string_equal(e.msg, "/end_user/display_name: must not be empty");

    /* Sorting merges repeats, bytewise. */
    const char *v[] = {"b", "B", "a", "b", "a:1", "a"};
    assert_int_equal(integration_tags_sort(v, 6), 4);
    assert_string_equal(v[0], "B");
    assert_string_equal(v[1], "a");
    assert_string_equal(v[2], "a:1");
    assert_string_equal(v[3], "b");
    assert_int_equal(integration_tags_sort(v, 0), 0);
}

/* Rows of integration_tags for integration id (as system code). */
static int64_t tag_rows(struct test_db *t, const char *id)
{
    return count(t, "SELECT count(*) FROM integration_tags WHERE integration_id = $1", id);
}

static void end_user_and_tags_stored(void **state)
{
    struct test_db *t = *state;
    struct integration it = {0}, got = {0};
    char a[ID_MAX], id[ID_MAX], plain[ID_MAX];
    struct err e;

    make_tenant(t, "eu-a", a);
    const char *tags[] = {"region/eu", "plan:pro", "region/eu", "Beta"};
    const struct integration_end_user u = {"user-42", "ada@example.com", "Ada Lovelace"};
    const struct integration_new nw = {
        .connector = "hubspot",
        .name = "labelled",
        .config = "{\"x\":1}",
        .end_user = &u,
        .tags = &(struct integration_tags){tags, 4},
    };
    begin(t, a);
    assert_db_ok(integration_create_with(&it, t->db, a, &nw, NOW, &e), &e);
    commit(t);
    memcpy(id, it.id, ID_MAX);
    assert_string_equal(it.end_user_id, "user-42");
    assert_string_equal(it.end_user_email, "ada@example.com");
    assert_string_equal(it.end_user_name, "Ada Lovelace");
    assert_string_equal(it.tags, "[\"Beta\",\"plan:pro\",\"region/eu\"]");
    assert_string_equal(it.status, "draft");
    assert_json_equal(it.config, "{\"x\":1}");
    integration_dispose(&it);
    assert_int_equal(tag_rows(t, id), 3);

    /* integration_create: neither. */
    make_one(t, a, "hubspot", "plain", plain);
    begin(t, a);
    assert_db_ok(integration_get(&got, t->db, a, plain, &e), &e);
    commit(t);
    assert_null(got.end_user_id);
    assert_null(got.end_user_email);
    assert_null(got.end_user_name);
    assert_string_equal(got.tags, "[]");
    integration_dispose(&got);

    /* A change that names neither keeps both. */
    begin(t, a);
    assert_db_ok(integration_update(&got, t->db, a, id,
                                    &(struct integration_change){.name = "renamed"}, NOW + 1, &e),
                 &e);
    commit(t);
    assert_string_equal(got.end_user_id, "user-42");
    assert_string_equal(got.end_user_email, "ada@example.com");
    assert_string_equal(got.tags, "[\"Beta\",\"plan:pro\",\"region/eu\"]");
    integration_dispose(&got);

    /* A new end user replaces all three members; tags replace the set. */
    const char *fewer[] = {"plan:free"};
    const struct integration_end_user u2 = {.id = "user-43"};
    begin(t, a);
    assert_db_ok(integration_update(&got, t->db, a, id,
                                    &(struct integration_change){
                                        .end_user = &u2,
                                        .tags = &(struct integration_tags){fewer, 1},
                                    },
                                    NOW + 2, &e),
                 &e);
    commit(t);
    assert_string_equal(got.end_user_id, "user-43");
    assert_null(got.end_user_email);
    assert_null(got.end_user_name);
    assert_string_equal(got.tags, "[\"plan:free\"]");
    assert_int_equal(got.updated_at, NOW + 2);
    integration_dispose(&got);
    assert_int_equal(tag_rows(t, id), 1);

    /* Cleared: no end user, no tags. */
    begin(t, a);
    assert_db_ok(integration_update(&got, t->db, a, id,
                                    &(struct integration_change){
                                        .end_user_clear = true,
                                        .tags = &(struct integration_tags){NULL, 0},
                                    },
                                    NOW + 3, &e),
                 &e);
    commit(t);
    assert_null(got.end_user_id);
    assert_string_equal(got.tags, "[]");
    integration_dispose(&got);
    assert_int_equal(tag_rows(t, id), 0);

    /* Refused, nothing written: bad tags or end user, on create and update. */
    const char *bad[] = {"ok", "not ok"};
    begin(t, a);
    assert_int_equal(integration_update(NULL, t->db, a, id,
                                        &(struct integration_change){
                                            .tags = &(struct integration_tags){bad, 2},
                                        },
                                        NOW, &e),
                     ERR_INVALID);
    assert_string_equal(e.msg, "/tags/1: byte 3 is not allowed; a tag is letters, digits and "
                               "_.:/-");
    const struct integration_end_user nobody = {.id = ""};
    const struct integration_new bad_new = {
        .connector = "hubspot", .name = "x", .end_user = &nobody};
    assert_int_equal(integration_create_with(&it, t->db, a, &bad_new, NOW, &e), ERR_INVALID);
    assert_string_equal(e.msg, "/end_user/id: must not be empty");
    db_rollback(t->db);
    assert_int_equal(count(t, "SELECT count(*) FROM integrations WHERE tenant_id = $1", a), 2);

    /* Tags stay with a soft-deleted integration and go with its purge. */
    begin(t, a);
    assert_db_ok(integration_update(NULL, t->db, a, id,
                                    &(struct integration_change){
                                        .tags = &(struct integration_tags){tags, 2},
                                    },
                                    NOW, &e),
                 &e);
    assert_db_ok(integration_delete(t->db, a, id, false, NOW, &e), &e);
    commit(t);
    assert_int_equal(tag_rows(t, id), 2);
    begin(t, a);
    assert_db_ok(integration_delete(t->db, a, id, true, NOW, &e), &e);
    commit(t);
    assert_int_equal(tag_rows(t, id), 0);
}

/* Which of ids[0..4) all holds, as a bit set. */
static int picked(const struct collected *all, char (*ids)[ID_MAX])
{
    int m = 0;
    for (int i = 0; i < 4; i++)
        for (int k = 0; k < all->n; k++)
            if (strcmp(all->ids[k], ids[i]) == 0)
                m |= 1 << i;
    return m;
}

/* Four integrations of tenant a labelled so that each filter picks a
 * different subset, and one of b with the same end user and tags. */
static void list_by_end_user_and_tags(void **state)
{
    struct test_db *t = *state;
    char a[ID_MAX], b[ID_MAX], ids[4][ID_MAX], theirs[ID_MAX];
    struct collected all;
    struct err e;
    bool more;

    make_tenant(t, "eu-list-a", a);
    make_tenant(t, "eu-list-b", b);
    static const struct {
        const char *user;
        const char *tags[3];
        size_t ntags;
    } rows[] = {
        {"u1", {"plan:pro", "region/eu"}, 2},
        {"u1", {"plan:pro"}, 1},
        {"u2", {"plan:pro", "region/eu", "beta"}, 3},
        {NULL, {"region/eu"}, 1},
    };
    for (int i = 0; i < 4; i++) {
        struct integration it = {0};
        char name[16];
        snprintf(name, sizeof(name), "n%d", i);
        const struct integration_end_user u = {.id = rows[i].user};
        const struct integration_new nw = {
            .connector = "hubspot",
            .name = name,
            .end_user = rows[i].user ? &u : NULL,
            .tags = &(struct integration_tags){rows[i].tags, rows[i].ntags},
        };
        begin(t, a);
        assert_db_ok(integration_create_with(&it, t->db, a, &nw, NOW, &e), &e);
        commit(t);
        memcpy(ids[i], it.id, ID_MAX);
        integration_dispose(&it);
    }
    {
        struct integration it = {0};
        const char *tags[] = {"plan:pro", "region/eu"};
        const struct integration_new nw = {
            .connector = "hubspot",
            .name = "theirs",
            .end_user = &(struct integration_end_user){.id = "u1"},
            .tags = &(struct integration_tags){tags, 2},
        };
        begin(t, b);
        assert_db_ok(integration_create_with(&it, t->db, b, &nw, NOW, &e), &e);
        commit(t);
        memcpy(theirs, it.id, ID_MAX);
        integration_dispose(&it);
    }
    const char *pro[] = {"plan:pro"}, *pro_eu[] = {"region/eu", "plan:pro"}, *none[] = {"nobody"};
    list_all(t, a, (struct integration_filter){.end_user_id = "u1", .limit = 1}, &all);
    assert_int_equal(all.n, 2);
    assert_int_equal(picked(&all, ids), 0x3);
    list_all(t, a, (struct integration_filter){.tags = pro, .ntags = 1, .limit = 1}, &all);
    assert_int_equal(all.n, 3);
    assert_int_equal(picked(&all, ids), 0x7);
    list_all(t, a, (struct integration_filter){.tags = pro_eu, .ntags = 2, .limit = 1}, &all);
    assert_int_equal(all.n, 2);
    assert_int_equal(picked(&all, ids), 0x5);
    list_all(
        t, a,
        (struct integration_filter){.end_user_id = "u1", .tags = pro_eu, .ntags = 2, .limit = 5},
        &all);
    assert_int_equal(all.n, 1);
    assert_int_equal(picked(&all, ids), 0x1);
    list_all(t, a, (struct integration_filter){.tags = none, .ntags = 1, .limit = 5}, &all);
    assert_int_equal(all.n, 0);
    list_all(t, a, (struct integration_filter){.end_user_id = "u3", .limit = 5}, &all);
    assert_int_equal(all.n, 0);
    /* b sees its own only. */
    list_all(t, b,
             (struct integration_filter){.end_user_id = "u1", .tags = pro, .ntags = 1, .limit = 5},
             &all);
    assert_int_equal(all.n, 1);
    assert_string_equal(all.ids[0], theirs);

    /* Filters are checked. */
    const char *eleven[11] = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"};
    const char *bad[] = {"no space"};
    struct collected c = {0};
    begin(t, a);
    assert_int_equal(
        integration_list(&more, t->db, a,
                         &(struct integration_filter){.tags = eleven, .ntags = 11, .limit = 5},
                         collect, &c, &e),
        ERR_INVALID);
    assert_string_equal(e.msg, "tag: at most 10");
    assert_int_equal(
        integration_list(&more, t->db, a,
                         &(struct integration_filter){.tags = bad, .ntags = 1, .limit = 5}, collect,
                         &c, &e),
        ERR_INVALID);
    assert_string_equal(e.msg, "tag: byte 2 is not allowed; a tag is letters, digits and _.:/-");
    assert_int_equal(integration_list(&more, t->db, a,
                                      &(struct integration_filter){.end_user_id = "", .limit = 5},
                                      collect, &c, &e),
                     ERR_INVALID);
    assert_string_equal(e.msg, "end_user_id: must not be empty");
    assert_db_ok(
        integration_list(&more, t->db, a,
                         &(struct integration_filter){.tags = eleven, .ntags = 10, .limit = 5},
                         collect, &c, &e),
        &e);
    assert_int_equal(c.n, 0);
    db_rollback(t->db);
}

static void end_user_ids_live_and_deleted(void **state)
{
    struct test_db *t = *state;
    char a[ID_MAX], b[ID_MAX], ids[3][ID_MAX], theirs[ID_MAX];
    char(*got)[ID_MAX] = NULL;
    size_t n = 99;
    struct err e;

    make_tenant(t, "eu-ids-a", a);
    make_tenant(t, "eu-ids-b", b);
    const struct integration_end_user u = {.id = "user/7"};
    for (int i = 0; i < 3; i++) {
        struct integration it = {0};
        char name[16];
        snprintf(name, sizeof(name), "n%d", i);
        const struct integration_new nw = {
            .connector = "jira", .name = name, .end_user = i < 2 ? &u : NULL};
        begin(t, a);
        assert_db_ok(integration_create_with(&it, t->db, a, &nw, NOW, &e), &e);
        commit(t);
        memcpy(ids[i], it.id, ID_MAX);
        integration_dispose(&it);
    }
    {
        struct integration it = {0};
        const struct integration_new nw = {.connector = "jira", .name = "theirs", .end_user = &u};
        begin(t, b);
        assert_db_ok(integration_create_with(&it, t->db, b, &nw, NOW, &e), &e);
        commit(t);
        memcpy(theirs, it.id, ID_MAX);
        integration_dispose(&it);
    }
    const char *first = strcmp(ids[0], ids[1]) < 0 ? ids[0] : ids[1];
    const char *second = first == ids[0] ? ids[1] : ids[0];

    begin(t, a);
    assert_db_ok(integration_end_user_ids(&got, &n, t->db, a, "user/7", false, &e), &e);
    assert_int_equal(n, 2);
    assert_string_equal(got[0], first);
    assert_string_equal(got[1], second);
    xfree(got);
    /* One deleted: only with deleted_too. */
    assert_db_ok(integration_delete(t->db, a, ids[0], false, NOW, &e), &e);
    assert_db_ok(integration_end_user_ids(&got, &n, t->db, a, "user/7", false, &e), &e);
    assert_int_equal(n, 1);
    assert_string_equal(got[0], ids[1]);
    xfree(got);
    assert_db_ok(integration_end_user_ids(&got, &n, t->db, a, "user/7", true, &e), &e);
    assert_int_equal(n, 2);
    xfree(got);
    /* Nobody's, and an id no end user can have. */
    assert_db_ok(integration_end_user_ids(&got, &n, t->db, a, "user/8", true, &e), &e);
    assert_int_equal(n, 0);
    assert_null(got);
    assert_db_ok(integration_end_user_ids(&got, &n, t->db, a, "", true, &e), &e);
    assert_int_equal(n, 0);
    assert_null(got);
    commit(t);

    begin(t, b);
    assert_db_ok(integration_end_user_ids(&got, &n, t->db, b, "user/7", true, &e), &e);
    assert_int_equal(n, 1);
    assert_string_equal(got[0], theirs);
    xfree(got);
    commit(t);
}

static int64_t version_of(struct test_db *t, const char *tenant)
{
    int64_t v = -1;
    struct err e;
    assert_db_ok(tenant_data_version(&v, t->db, tenant, &e), &e);
    return v;
}

/* Every change to a tenant's integrations or their credentials moves its
 * data_version forward, whichever function made it (the database does
 * it), and another tenant's changes do not: the API's list cache relies
 * on both. A failed transaction moves nothing. */
static void data_version_follows_every_change(void **state)
{
    struct test_db *t = *state;
    struct secret plain = {0}, k1 = {0};
    char a[ID_MAX], b[ID_MAX], id[ID_MAX], other[ID_MAX];
    struct err e;
    int64_t v;

    vault_key_generate(&k1);
    const struct secret *keys[] = {&k1};
    struct vault *vlt = ring(keys, 1);
    make_tenant(t, "ver-a", a);
    make_tenant(t, "ver-b", b);
    v = version_of(t, a);

    make_one(t, a, "hubspot", "one", id);
    assert_true(version_of(t, a) > v);
    v = version_of(t, a);

    begin(t, a);
    assert_db_ok(integration_update(NULL, t->db, a, id,
                                    &(struct integration_change){.status = "paused"}, NOW, &e),
                 &e);
    commit(t);
    assert_true(version_of(t, a) > v);
    v = version_of(t, a);

    SECRET_SET(plain, "{\"k\":\"v\"}");
    begin(t, a);
    assert_db_ok(
        integration_secrets_set(t->db, vlt, a, id, "api_key", &plain, "[\"k\"]", 0, NOW, &e), &e);
    commit(t);
    assert_true(version_of(t, a) > v);
    v = version_of(t, a);

    /* A tag row written, changed or removed by itself (the API always
     * touches the integration too, but the list shows the tags from their
     * own table, so their own triggers keep the cache honest). */
    static const char *const tag_sql[] = {
        "INSERT INTO integration_tags (tenant_id, integration_id, tag) VALUES ($1, $2, 'x')",
        "UPDATE integration_tags SET tag = 'y' WHERE tenant_id = $1 AND integration_id = $2",
        "DELETE FROM integration_tags WHERE tenant_id = $1 AND integration_id = $2",
    };
    for (size_t i = 0; i < 3; i++) {
        begin(t, a);
        assert_db_ok(db_exec(t->db, tag_sql[i], DB_ARGS(DB_TEXT(a), DB_TEXT(id)), NULL, &e), &e);
        commit(t);
        assert_true(version_of(t, a) > v);
        v = version_of(t, a);
    }

    /* Another tenant's change leaves a's version alone. */
    make_one(t, b, "hubspot", "theirs", other);
    assert_int_equal(version_of(t, a), v);

    /* Rolled back: nothing moves. */
    begin(t, a);
    assert_db_ok(integration_update(NULL, t->db, a, id,
                                    &(struct integration_change){.name = "renamed"}, NOW, &e),
                 &e);
    db_rollback(t->db);
    assert_int_equal(version_of(t, a), v);

    begin(t, a);
    assert_db_ok(integration_delete(t->db, a, id, false, NOW, &e), &e);
    commit(t);
    assert_true(version_of(t, a) > v);
    v = version_of(t, a);
    begin(t, a);
    assert_db_ok(integration_delete(t->db, a, id, true, NOW, &e), &e);
    commit(t);
    assert_true(version_of(t, a) > v);

    assert_int_equal(tenant_data_version(&v, t->db, "ten_00000000000000000000000000", &e),
                     ERR_NOTFOUND);
    secret_dispose(&plain);
    secret_dispose(&k1);
    vault_free(vlt);
}

int test_integration(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(create_get_update),
        cmocka_unit_test(names_are_checked),
        cmocka_unit_test(names_unique_among_live),
        cmocka_unit_test(list_pages_and_filters),
        cmocka_unit_test(other_tenants_rows_are_not_found),
        cmocka_unit_test(secrets_sealed_opened_replaced),
        cmocka_unit_test(faults_leave_old_secrets),
        cmocka_unit_test(rotate_reseals_them),
        cmocka_unit_test(delete_soft_then_purge),
        cmocka_unit_test(format_is_the_api_shape),
        cmocka_unit_test(label_checks),
        cmocka_unit_test(end_user_and_tags_stored),
        cmocka_unit_test(list_by_end_user_and_tags),
        cmocka_unit_test(end_user_ids_live_and_deleted),
        cmocka_unit_test(data_version_follows_every_change),
    };
    return test_group_db("integration", tests);
}
