/* tests/unit/store/test_tenant.c - tenants and API keys on both engines:
 * a key works once made, stops working once rotated, is stored only as a
 * hash, and names are checked. */
#include <string.h>

#include "core/alloc.h"
#include "crypto/hash.h"
#include "store/tenant.h"
#include "test.h"
#include "test_db.h"

static void create_then_verify(void **state)
{
    struct test_db *t = *state;
    char id[ID_MAX], tid[ID_MAX], kid[ID_MAX];
    struct secret key = {0};
    struct err e;

    assert_int_equal(tenant_create(id, &key, t->db, "acme", &e), 0);
    assert_true(id_valid(id, "ten"));
    assert_int_equal(strncmp((char *)key.p, TENANT_KEY_PREFIX, strlen(TENANT_KEY_PREFIX)), 0);
    assert_int_equal(key.n, strlen(TENANT_KEY_PREFIX) + 43);

    assert_int_equal(tenant_key_verify(tid, kid, NULL, t->db, (char *)key.p, key.n, &e), 0);
    assert_string_equal(tid, id);
    assert_true(id_valid(kid, "key"));

    /* Only the hash is stored: no column of api_keys holds the key text. */
    char hash[HASH_SHA256_HEX_LEN + 1];
    hash_sha256_hex(hash, key.p, key.n);
    int64_t n = -1;
    assert_int_equal(db_query_int(&n, t->db,
                                  "SELECT count(*) FROM api_keys WHERE key_hash = $1 AND "
                                  "tenant_id = $2",
                                  DB_ARGS(DB_TEXT(hash), DB_TEXT(id)), &e),
                     0);
    assert_int_equal(n, 1);
    assert_int_equal(db_query_int(&n, t->db,
                                  "SELECT count(*) FROM api_keys WHERE key_hash = $1 OR "
                                  "prefix = $1 OR id = $1",
                                  DB_ARGS(DB_TEXT((char *)key.p)), &e),
                     0);
    assert_int_equal(n, 0);
    secret_dispose(&key);
}

static void wrong_and_malformed_keys_fail(void **state)
{
    struct test_db *t = *state;
    char id[ID_MAX], tid[ID_MAX], kid[ID_MAX];
    struct secret key = {0};
    struct err e;

    assert_int_equal(tenant_create(id, &key, t->db, "wrongkeys", &e), 0);
    char *bad = xstrdup((char *)key.p);
    bad[key.n - 1] = bad[key.n - 1] == 'A' ? 'B' : 'A';
    assert_int_equal(tenant_key_verify(tid, kid, NULL, t->db, bad, key.n, &e), ERR_NOTFOUND);
    assert_string_equal(e.msg, "unknown or revoked API key");
    assert_null(strstr(e.msg, bad));
    const char *junk[] = {"", "inlet_sk_", "Bearer x", "inlet_sk_\x01\x02"};
    for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
        assert_int_equal(tenant_key_verify(tid, kid, NULL, t->db, junk[i], strlen(junk[i]), &e),
                         ERR_NOTFOUND);
    char huge[300];
    memset(huge, 'a', sizeof(huge));
    memcpy(huge, TENANT_KEY_PREFIX, strlen(TENANT_KEY_PREFIX));
    assert_int_equal(tenant_key_verify(tid, kid, NULL, t->db, huge, sizeof(huge), &e),
                     ERR_NOTFOUND);
    xfree(bad);
    secret_dispose(&key);
}

static void rotate_revokes_the_old_key(void **state)
{
    struct test_db *t = *state;
    char id[ID_MAX], tid[ID_MAX], kid[ID_MAX], kid1[ID_MAX];
    struct secret key1 = {0}, key2 = {0};
    struct err e;

    assert_int_equal(tenant_create(id, &key1, t->db, "rotating", &e), 0);
    assert_int_equal(tenant_key_verify(tid, kid1, NULL, t->db, (char *)key1.p, key1.n, &e), 0);
    assert_int_equal(tenant_key_rotate(&key2, t->db, id, &e), 0);
    assert_int_equal(tenant_key_verify(tid, kid, NULL, t->db, (char *)key1.p, key1.n, &e),
                     ERR_NOTFOUND);
    assert_int_equal(tenant_key_verify(tid, kid, NULL, t->db, (char *)key2.p, key2.n, &e), 0);
    assert_string_equal(tid, id);
    assert_string_not_equal(kid, kid1);
    secret_dispose(&key1);
    assert_int_equal(tenant_key_rotate(&key1, t->db, "ten_nosuchtenant", &e), ERR_NOTFOUND);
    assert_null(key1.p);
    char other[ID_MAX];
    id_new(other, "ten");
    assert_int_equal(tenant_key_rotate(&key1, t->db, other, &e), ERR_NOTFOUND);
    secret_dispose(&key2);
}

static void names_are_checked_and_unique(void **state)
{
    struct test_db *t = *state;
    char id[ID_MAX];
    struct secret key = {0};
    struct err e;
    char longname[TENANT_NAME_MAX + 2];

    assert_int_equal(tenant_create(id, &key, t->db, "", &e), ERR_INVALID);
    assert_string_equal(e.msg, "tenant name: must not be empty");
    memset(longname, 'n', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    assert_int_equal(tenant_create(id, &key, t->db, longname, &e), ERR_INVALID);
    assert_int_equal(tenant_create(id, &key, t->db, "a\nb", &e), ERR_INVALID);
    assert_string_equal(e.msg, "tenant name: control character at byte 1");
    assert_null(key.p);

    assert_int_equal(tenant_create(id, &key, t->db, "twice", &e), 0);
    secret_dispose(&key);
    int64_t before = 0, after = 0;
    assert_int_equal(db_query_int(&before, t->db, "SELECT count(*) FROM api_keys", NULL, 0, &e), 0);
    assert_int_equal(tenant_create(id, &key, t->db, "twice", &e), ERR_CONFLICT);
    assert_string_equal(e.msg, "tenant name: 'twice' exists already");
    assert_null(key.p);
    /* Nothing half-written: no orphan key for the refused tenant. */
    assert_int_equal(db_query_int(&after, t->db, "SELECT count(*) FROM api_keys", NULL, 0, &e), 0);
    assert_int_equal(before, after);
}

static int count_cb(void *ctx, const struct tenant_info *ti)
{
    int *n = ctx;
    assert_true(id_valid(ti->id, "ten"));
    assert_non_null(ti->name);
    assert_true(ti->created_at > 1700000000);
    if (strcmp(ti->name, "listed") == 0)
        assert_int_equal(ti->live_keys, 1);
    (*n)++;
    return 0;
}

static int stop_cb(void *ctx, const struct tenant_info *ti)
{
    (void)ti;
    (*(int *)ctx)++;
    return 7;
}

static void list_reports_every_tenant(void **state)
{
    struct test_db *t = *state;
    char id[ID_MAX];
    struct secret key = {0};
    struct err e;
    int before = 0, after = 0;

    assert_int_equal(tenant_list(NULL, t->db, NULL, 0, count_cb, &before, &e), 0);
    assert_int_equal(tenant_create(id, &key, t->db, "listed", &e), 0);
    secret_dispose(&key);
    assert_int_equal(tenant_list(NULL, t->db, NULL, 0, count_cb, &after, &e), 0);
    assert_int_equal(after, before + 1);

    /* A nonzero return stops the listing and is what tenant_list returns;
     * the connection is usable afterwards (the rest of the rows drained). */
    int calls = 0;
    assert_int_equal(tenant_create(id, &key, t->db, "listed-too", &e), 0);
    secret_dispose(&key);
    assert_int_equal(tenant_list(NULL, t->db, NULL, 0, stop_cb, &calls, &e), 7);
    assert_int_equal(calls, 1);
    int64_t n = 0;
    assert_db_ok(db_query_int(&n, t->db, "SELECT count(*) FROM tenants", NULL, 0, &e), &e);
    assert_true(n >= 2);
}

static void a_failed_commit_leaves_nothing(void **state)
{
    struct test_db *t = *state;
    char id[ID_MAX];
    struct secret key = {0};
    struct err e;
    int64_t before, after;

    assert_int_equal(db_query_int(&before, t->db, "SELECT count(*) FROM tenants", NULL, 0, &e), 0);
    /* begin, insert tenant, insert key succeed; the commit fails. */
    db_fail_after(t->db, 3);
    assert_int_equal(tenant_create(id, &key, t->db, "doomed", &e), ERR_IO);
    assert_null(key.p);
    assert_int_equal(db_query_int(&after, t->db, "SELECT count(*) FROM tenants", NULL, 0, &e), 0);
    assert_int_equal(before, after);
}

int test_tenant(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(create_then_verify),
        cmocka_unit_test(wrong_and_malformed_keys_fail),
        cmocka_unit_test(rotate_revokes_the_old_key),
        cmocka_unit_test(names_are_checked_and_unique),
        cmocka_unit_test(list_reports_every_tenant),
        cmocka_unit_test(a_failed_commit_leaves_nothing),
    };
    return test_group_db("tenant", tests);
}
