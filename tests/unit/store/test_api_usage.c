/* tests/unit/store/test_api_usage.c - provider call counts per integration
 * and day on both engines: adds make the row then sum into it (also from
 * two connections at once), a day range reads back in order for one
 * integration or all, other tenants' rows stay invisible, and bad days,
 * negative counts and unknown integrations are refused. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "store/api_usage.h"
#include "store/integration.h"
#include "store/tenant.h"
#include "test.h"
#include "test_db.h"

static void make_tenant(struct test_db *t, const char *name, char id[ID_MAX])
{
    struct secret key = {0};
    struct err e;
    assert_db_ok(tenant_create(id, &key, t->db, name, &e), &e);
    secret_dispose(&key);
}

static void make_integration(struct test_db *t, const char *tenant, const char *name,
                             char id[ID_MAX])
{
    struct integration it = {0};
    struct err e;
    assert_db_ok(db_begin_tenant(t->db, tenant, &e), &e);
    assert_db_ok(integration_create(&it, t->db, tenant, "slack", name, NULL, 1, &e), &e);
    assert_db_ok(db_commit(t->db, &e), &e);
    memcpy(id, it.id, ID_MAX);
    integration_dispose(&it);
}

/* One add in a transaction of its own. */
static int add(struct db *db, const char *tenant, const char *id, const char *day, int64_t calls,
               int64_t errors, int64_t limited, struct err *e)
{
    int rc = db_begin_tenant(db, tenant, e);
    if (rc < 0)
        return rc;
    rc = api_usage_add(db, tenant, id, day, calls, errors, limited, e);
    if (rc == 0)
        return db_commit(db, e);
    db_rollback(db);
    return rc;
}

/* The rows read, as "integration-suffix day calls/errors/limited;..." */
struct seen {
    char text[1024];
    size_t n;
};

static int collect(void *ctx, const struct api_usage *u)
{
    struct seen *s = ctx;
    s->n += (size_t)snprintf(s->text + s->n, sizeof(s->text) - s->n, "%s %s %lld/%lld/%lld;",
                             u->integration_id + strlen(u->integration_id) - 4, u->day,
                             (long long)u->calls, (long long)u->errors, (long long)u->rate_limited);
    return 0;
}

static const char *list(struct test_db *t, const char *tenant, const char *id, const char *from,
                        const char *to, struct seen *s)
{
    struct err e;
    memset(s, 0, sizeof(*s));
    assert_db_ok(db_begin_tenant_read(t->db, tenant, &e), &e);
    assert_db_ok(api_usage_list(t->db, tenant, id, from, to, collect, s, &e), &e);
    db_rollback(t->db);
    return s->text;
}

static void adds_sum_and_list(void **state)
{
    struct test_db *t = *state;
    char tenant[ID_MAX], a[ID_MAX], b[ID_MAX], line[128];
    struct seen s;
    struct err e;

    make_tenant(t, "usage-sum", tenant);
    make_integration(t, tenant, "a", a);
    make_integration(t, tenant, "b", b);
    assert_db_ok(add(t->db, tenant, a, "2025-12-01", 3, 1, 1, &e), &e);
    assert_db_ok(add(t->db, tenant, a, "2025-12-01", 2, 2, 0, &e), &e);
    assert_db_ok(add(t->db, tenant, a, "2025-12-02", 1, 0, 0, &e), &e);
    assert_db_ok(add(t->db, tenant, b, "2025-12-01", 7, 0, 0, &e), &e);
    assert_db_ok(add(t->db, tenant, b, "2025-11-30", 9, 9, 9, &e), &e);

    /* By day, then integration; the range is inclusive. */
    const char *first = strcmp(a, b) < 0 ? a : b, *second = first == a ? b : a;
    char want[512];
    snprintf(want, sizeof(want), "%s 2025-12-01 %s;%s 2025-12-01 %s;%s 2025-12-02 1/0/0;",
             first + strlen(first) - 4, first == a ? "5/3/1" : "7/0/0", second + strlen(second) - 4,
             first == a ? "7/0/0" : "5/3/1", a + strlen(a) - 4);
    assert_string_equal(list(t, tenant, NULL, "2025-12-01", "2025-12-31", &s), want);
    snprintf(line, sizeof(line), "%s 2025-12-01 5/3/1;", a + strlen(a) - 4);
    assert_string_equal(list(t, tenant, a, "2025-12-01", "2025-12-01", &s), line);
    assert_string_equal(list(t, tenant, a, "2025-12-03", "2026-01-01", &s), "");

    /* Zero counts make the row without changing anything. */
    assert_db_ok(add(t->db, tenant, b, "2025-11-30", 0, 0, 0, &e), &e);
    snprintf(line, sizeof(line), "%s 2025-11-30 9/9/9;", b + strlen(b) - 4);
    assert_string_equal(list(t, tenant, b, "2025-11-30", "2025-11-30", &s), line);
}

static void other_tenants_rows_are_invisible(void **state)
{
    struct test_db *t = *state;
    char one[ID_MAX], two[ID_MAX], a[ID_MAX];
    struct seen s;
    struct err e;

    make_tenant(t, "usage-one", one);
    make_tenant(t, "usage-two", two);
    make_integration(t, one, "a", a);
    assert_db_ok(add(t->db, one, a, "2025-12-01", 1, 0, 0, &e), &e);
    assert_string_equal(list(t, two, NULL, "0001-01-01", "9999-12-31", &s), "");
    assert_string_equal(list(t, two, a, "0001-01-01", "9999-12-31", &s), "");
    /* Nor can another tenant add to it: the integration is not its own. */
    assert_int_not_equal(add(t->db, two, a, "2025-12-01", 1, 0, 0, &e), 0);
}

static void refused(void **state)
{
    struct test_db *t = *state;
    char tenant[ID_MAX], a[ID_MAX];
    struct err e;
    struct seen s;

    make_tenant(t, "usage-bad", tenant);
    make_integration(t, tenant, "a", a);
    static const char *const days[] = {"",           "2025-12-1", "2025-13-01",
                                       "2025-02-30", "20251201",  "2025-12-01T00:00:00Z"};
    for (size_t i = 0; i < sizeof(days) / sizeof(days[0]); i++) {
        assert_int_equal(add(t->db, tenant, a, days[i], 1, 0, 0, &e), ERR_INVALID);
        assert_string_equal(e.msg, "day: expected a date YYYY-MM-DD");
    }
    assert_int_equal(add(t->db, tenant, a, "2025-12-01", -1, 0, 0, &e), ERR_INVALID);
    assert_int_equal(add(t->db, tenant, "int_nosuch", "2025-12-01", 1, 0, 0, &e), ERR_INVALID);
    assert_int_equal(
        api_usage_list(t->db, tenant, NULL, "yesterday", "2025-12-01", collect, &s, &e),
        ERR_INVALID);
    assert_string_equal(e.msg, "from: expected a date YYYY-MM-DD");
}

struct adder {
    struct db *db;
    const char *tenant, *id;
    int rc;
    struct err e;
};

static void *add_many(void *arg)
{
    struct adder *a = arg;
    for (int i = 0; i < 20 && a->rc == 0; i++)
        a->rc = add(a->db, a->tenant, a->id, "2025-12-01", 1, 1, 0, &a->e);
    return NULL;
}

static void concurrent_adds_all_count(void **state)
{
    struct test_db *t = *state;
    char tenant[ID_MAX], a[ID_MAX], line[128];
    struct seen s;
    pthread_t th;

    make_tenant(t, "usage-race", tenant);
    make_integration(t, tenant, "a", a);
    struct adder x = {.db = t->db, .tenant = tenant, .id = a};
    struct adder y = {.db = test_db_connect(t), .tenant = tenant, .id = a};
    assert_int_equal(pthread_create(&th, NULL, add_many, &y), 0);
    add_many(&x);
    pthread_join(th, NULL);
    db_close(y.db);
    assert_db_ok(x.rc, &x.e);
    assert_db_ok(y.rc, &y.e);
    snprintf(line, sizeof(line), "%s 2025-12-01 40/40/0;", a + strlen(a) - 4);
    assert_string_equal(list(t, tenant, a, "2025-12-01", "2025-12-01", &s), line);
}

static void day_of(void **state)
{
    char day[API_USAGE_DAY_MAX];
    (void)state;
    api_usage_day(day, 0);
    assert_string_equal(day, "1970-01-01");
    api_usage_day(day, 1764633599999LL);
    assert_string_equal(day, "2025-12-01");
    api_usage_day(day, 1764633600000LL);
    assert_string_equal(day, "2025-12-02");
}

int test_api_usage(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(adds_sum_and_list),
        cmocka_unit_test(other_tenants_rows_are_invisible),
        cmocka_unit_test(refused),
        cmocka_unit_test(concurrent_adds_all_count),
        cmocka_unit_test(day_of),
    };
    return test_group_db("api_usage", tests);
}
