/* tests/unit/store/test_sealed.c - sealed columns on both engines: values
 * are bound to their row, `keys rotate` re-seals in resumable batches (cut
 * short, failed mid-batch, then resumed), and `keys check` finds what does
 * not open. */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/time.h"
#include "store/sealed.h"
#include "store/tenant.h"
#include "test.h"
#include "test_db.h"

#define CRED (&sealed_columns[0]) /* credentials.sealed */
#define APP  (&sealed_columns[1]) /* oauth_apps.client_secret_sealed */

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

/* A tenant with `count` integrations, each with sealed credentials
 * "secret-<i>", and one OAuth app secret; ids of the credentials in ids. */
static void populate(struct test_db *t, const struct vault *v, const char *name, int count,
                     char (*ids)[ID_MAX], char tenant[ID_MAX])
{
    struct secret key = {0};
    struct err e;
    int64_t now = time_now_ms() / 1000;

    assert_db_ok(tenant_create(tenant, &key, t->db, name, &e), &e);
    secret_dispose(&key);
    for (int i = 0; i < count; i++) {
        char integ[ID_MAX], plain[32];
        unsigned char *blob = NULL;
        size_t n;
        id_new(integ, "int");
        id_new(ids[i], "cred");
        snprintf(plain, sizeof(plain), "secret-%d", i);
        assert_db_ok(db_exec(t->db,
                             "INSERT INTO integrations (id, tenant_id, connector_id, name, "
                             "created_at, updated_at) VALUES ($1, $2, 'salesforce', $1, $3, $3)",
                             DB_ARGS(DB_TEXT(integ), DB_TEXT(tenant), DB_INT(now)), NULL, &e),
                     &e);
        assert_db_ok(sealed_seal(&blob, &n, v, CRED, tenant, ids[i], plain, strlen(plain), &e), &e);
        assert_db_ok(
            db_exec(t->db,
                    "INSERT INTO credentials (id, tenant_id, integration_id, kind, sealed, "
                    "key_id, created_at, updated_at) VALUES ($1, $2, $3, 'oauth2', $4, "
                    "$5, $6, $6)",
                    DB_ARGS(DB_TEXT(ids[i]), DB_TEXT(tenant), DB_TEXT(integ), DB_BLOB(blob, n),
                            DB_TEXT(vault_active_id(v)), DB_INT(now)),
                    NULL, &e),
            &e);
        xfree(blob);
    }
    char app[ID_MAX];
    unsigned char *blob = NULL;
    size_t n;
    id_new(app, "app");
    assert_db_ok(sealed_seal(&blob, &n, v, APP, tenant, app, "client-secret", 13, &e), &e);
    assert_db_ok(db_exec(t->db,
                         "INSERT INTO oauth_apps (id, tenant_id, connector_id, client_id, "
                         "client_secret_sealed, client_secret_key_id, created_at, updated_at) "
                         "VALUES ($1, $2, 'salesforce', 'cid', $3, $4, $5, $5)",
                         DB_ARGS(DB_TEXT(app), DB_TEXT(tenant), DB_BLOB(blob, n),
                                 DB_TEXT(vault_active_id(v)), DB_INT(now)),
                         NULL, &e),
                 &e);
    xfree(blob);
}

/* Rows of tenant's credentials still sealed by a key other than key_id. */
static int64_t not_under(struct test_db *t, const char *tenant, const char *key_id)
{
    int64_t n = -1;
    struct err e;
    assert_db_ok(db_query_int(&n, t->db,
                              "SELECT count(*) FROM credentials WHERE tenant_id = $1 AND "
                              "key_id <> $2",
                              DB_ARGS(DB_TEXT(tenant), DB_TEXT(key_id)), &e),
                 &e);
    return n;
}

static void expect_plaintext(struct test_db *t, const struct vault *v, const char *tenant,
                             const char *id, int i)
{
    struct db_rows *rows = NULL;
    struct secret plain = {0};
    struct err e;
    char want[32];
    size_t n;

    assert_db_ok(db_query_row(&rows, t->db, "SELECT sealed FROM credentials WHERE id = $1",
                              DB_ARGS(DB_TEXT(id)), &e),
                 &e);
    const void *blob = db_rows_blob(rows, 0, &n);
    assert_db_ok(sealed_open(&plain, v, CRED, tenant, id, blob, n, &e), &e);
    snprintf(want, sizeof(want), "secret-%d", i);
    assert_string_equal((const char *)plain.p, want);
    secret_dispose(&plain);
    db_rows_free(rows);
}

struct failures {
    int count;
    char last[400];
};

static void on_fail(void *ctx, const struct sealed_column *col, const char *row_id,
                    const struct err *why)
{
    struct failures *f = ctx;
    f->count++;
    snprintf(f->last, sizeof(f->last), "%.64s %.40s: %s", col->table, row_id, why->msg);
}

static void rotate_interrupted_then_resumed(void **state)
{
    struct test_db *t = *state;
    struct secret k1 = {0}, k2 = {0};
    vault_key_generate(&k1);
    vault_key_generate(&k2);
    const struct secret *old_keys[] = {&k1}, *new_keys[] = {&k2, &k1}, *only_new[] = {&k2};
    struct vault *v1 = ring(old_keys, 1), *v2 = ring(new_keys, 2), *vnew = ring(only_new, 1);
    char ids[7][ID_MAX], tenant[ID_MAX];
    struct sealed_stats st;
    struct failures f = {0};
    struct err e;

    populate(t, v1, "rotating-tenant", 7, ids, tenant);
    assert_int_equal(not_under(t, tenant, vault_active_id(v2)), 7);

    /* check with the new ring: everything opens, all of it under the old key. */
    assert_db_ok(sealed_check(&st, t->db, v2, on_fail, &f, &e), &e);
    assert_int_equal(st.failed, 0);
    assert_int_equal(st.stale, 8);
    /* A ring without the old key rotates nothing and counts what it lacks. */
    assert_db_ok(sealed_rotate(&st, t->db, vnew, 100, 0, on_fail, &f, &e), &e);
    assert_int_equal(st.resealed, 0);
    assert_int_equal(st.unknown_key, 8);
    assert_int_equal(f.count, 0);

    /* Cut short after one batch of 3: exactly those are done. */
    assert_db_ok(sealed_rotate(&st, t->db, v2, 3, 1, on_fail, &f, &e), &e);
    assert_int_equal(st.resealed, 3);
    assert_int_equal(not_under(t, tenant, vault_active_id(v2)), 4);

    /* A batch that fails mid-way (its third UPDATE) commits nothing. */
    db_fail_after(t->db, 3);
    assert_int_equal(sealed_rotate(&st, t->db, v2, 3, 0, on_fail, &f, &e), ERR_IO);
    db_fail_after(t->db, -1);
    assert_int_equal(not_under(t, tenant, vault_active_id(v2)), 4);

    /* Resumed: the rest, and the OAuth app secret. */
    assert_db_ok(sealed_rotate(&st, t->db, v2, 3, 0, on_fail, &f, &e), &e);
    assert_int_equal(st.resealed, 5);
    assert_int_equal(st.failed, 0);
    assert_int_equal(f.count, 0);
    assert_int_equal(not_under(t, tenant, vault_active_id(v2)), 0);
    /* Nothing is left for a third run. */
    assert_db_ok(sealed_rotate(&st, t->db, v2, 3, 0, on_fail, &f, &e), &e);
    assert_int_equal(st.resealed, 0);

    /* The old key can now be dropped: everything opens with the new alone. */
    for (int i = 0; i < 7; i++)
        expect_plaintext(t, vnew, tenant, ids[i], i);
    assert_db_ok(sealed_check(&st, t->db, vnew, on_fail, &f, &e), &e);
    assert_int_equal(st.seen, 8);
    assert_int_equal(st.failed, 0);
    assert_int_equal(st.stale, 0);

    /* And the old ring alone opens none of it. */
    assert_db_ok(sealed_check(&st, t->db, v1, on_fail, &f, &e), &e);
    assert_int_equal(st.failed, st.seen);
    assert_non_null(strstr(f.last, "which is not in the keyring"));

    vault_free(v1);
    vault_free(v2);
    vault_free(vnew);
    secret_dispose(&k1);
    secret_dispose(&k2);
}

static void values_are_bound_to_their_row(void **state)
{
    struct test_db *t = *state;
    struct secret k1 = {0}, k2 = {0};
    vault_key_generate(&k1);
    vault_key_generate(&k2);
    const struct secret *keys[] = {&k1}, *next[] = {&k2, &k1};
    struct vault *v = ring(keys, 1), *v2 = ring(next, 2);
    char ids[2][ID_MAX], tenant[ID_MAX];
    struct sealed_stats st;
    struct failures f = {0};
    struct err e;

    populate(t, v, "copy-tenant", 2, ids, tenant);
    /* Copy row 0's ciphertext over row 1's: it is valid, but not for row 1. */
    assert_db_ok(db_exec(t->db,
                         "UPDATE credentials SET sealed = (SELECT sealed FROM credentials WHERE "
                         "id = $1) WHERE id = $2",
                         DB_ARGS(DB_TEXT(ids[0]), DB_TEXT(ids[1])), NULL, &e),
                 &e);
    assert_db_ok(sealed_check(&st, t->db, v, on_fail, &f, &e), &e);
    assert_int_equal(st.failed, 1);
    assert_non_null(strstr(f.last, ids[1]));

    /* Rotation leaves the bad row exactly as it was and reports it. */
    f.count = 0;
    assert_db_ok(sealed_rotate(&st, t->db, v2, 100, 0, on_fail, &f, &e), &e);
    assert_int_equal(st.failed, 1);
    assert_int_equal(f.count, 1);
    assert_int_equal(not_under(t, tenant, vault_active_id(v2)), 1);
    expect_plaintext(t, v2, tenant, ids[0], 0);

    vault_free(v);
    vault_free(v2);
    secret_dispose(&k1);
    secret_dispose(&k2);
}

static void tampered_blob_fails_check(void **state)
{
    struct test_db *t = *state;
    struct secret k1 = {0};
    vault_key_generate(&k1);
    const struct secret *keys[] = {&k1};
    struct vault *v = ring(keys, 1);
    char ids[1][ID_MAX], tenant[ID_MAX];
    struct sealed_stats st;
    struct failures f = {0};
    struct db_rows *rows = NULL;
    struct err e;
    size_t n;

    populate(t, v, "tamper-tenant", 1, ids, tenant);
    assert_db_ok(db_query_row(&rows, t->db, "SELECT sealed FROM credentials WHERE id = $1",
                              DB_ARGS(DB_TEXT(ids[0])), &e),
                 &e);
    const unsigned char *blob = db_rows_blob(rows, 0, &n);
    unsigned char *copy = xmalloc(n);
    memcpy(copy, blob, n);
    db_rows_free(rows);
    copy[n - 1] ^= 0x01;
    assert_db_ok(db_exec(t->db, "UPDATE credentials SET sealed = $1 WHERE id = $2",
                         DB_ARGS(DB_BLOB(copy, n), DB_TEXT(ids[0])), NULL, &e),
                 &e);
    xfree(copy);
    assert_db_ok(sealed_check(&st, t->db, v, on_fail, &f, &e), &e);
    assert_int_equal(st.failed, 1);
    assert_non_null(strstr(f.last, "credentials"));
    assert_null(strstr(f.last, "secret-0"));
    vault_free(v);
    secret_dispose(&k1);
}

/* check and rotate span every table: start each test with no tenants, and
 * so (ON DELETE CASCADE) no sealed rows. */
static int no_tenants(void **state)
{
    struct test_db *t = *state;
    struct err e;
    return db_exec(t->db, "DELETE FROM tenants", NULL, 0, NULL, &e) == 0 ? 0 : -1;
}

int test_sealed(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(rotate_interrupted_then_resumed, no_tenants),
        cmocka_unit_test_setup(values_are_bound_to_their_row, no_tenants),
        cmocka_unit_test_setup(tampered_blob_fails_check, no_tenants),
    };
    return test_group_db("sealed", tests);
}
