/* tests/unit/store/test_audit.c - the audit log on both engines: entries
 * are recorded inside the caller's transaction (a rollback takes them
 * back), listed newest first in pages that together hold each entry once,
 * confined to their tenant, and formatted as the API shows them. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/jsonx.h"
#include "store/audit.h"
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

static void record(struct test_db *t, const char *tenant, const char *action, int64_t now)
{
    struct err e;
    const struct audit_entry a = {
        .tenant_id = tenant,
        .actor = "key_x",
        .action = action,
        .target_type = "integration",
        .target_id = "int_x",
        .data = "{\"n\":1}",
        .ip = "127.0.0.1",
    };
    assert_db_ok(db_begin_tenant(t->db, tenant, &e), &e);
    assert_db_ok(audit_record(t->db, &a, now, &e), &e);
    assert_db_ok(db_commit(t->db, &e), &e);
}

struct seen {
    char ids[64][ID_MAX];
    char actions[64][32];
    int n, stop_after;
    const char *tenant;
};

static int collect(void *ctx, const struct audit_entry *a)
{
    struct seen *s = ctx;
    assert_true(id_valid(a->id, "aud"));
    if (s->tenant)
        assert_string_equal(a->tenant_id, s->tenant);
    if (s->n < 64) {
        snprintf(s->ids[s->n], ID_MAX, "%s", a->id);
        snprintf(s->actions[s->n], sizeof(s->actions[0]), "%s", a->action);
    }
    s->n++;
    return s->stop_after && s->n == s->stop_after ? 9 : 0;
}

/* Every page of tenant's entries, limit at a time, into all; the number of
 * pages. */
static int list_all(struct test_db *t, const char *tenant, int limit, struct seen *all)
{
    char before[ID_MAX] = "";
    bool more = true;
    int pages = 0;
    struct err e;

    memset(all, 0, sizeof(*all));
    all->tenant = tenant;
    while (more) {
        struct seen page = {.tenant = tenant};
        assert_db_ok(db_begin_tenant(t->db, tenant, &e), &e);
        assert_db_ok(
            audit_list(&more, t->db, tenant, pages ? before : NULL, limit, collect, &page, &e), &e);
        assert_db_ok(db_commit(t->db, &e), &e);
        assert_true(page.n <= limit && (page.n == limit || !more));
        for (int i = 0; i < page.n; i++) {
            memcpy(all->ids[all->n], page.ids[i], ID_MAX);
            memcpy(all->actions[all->n++], page.actions[i], sizeof(page.actions[0]));
        }
        if (page.n)
            memcpy(before, page.ids[page.n - 1], ID_MAX);
        assert_true(++pages < 30);
    }
    return pages;
}

static void newest_first_in_pages(void **state)
{
    struct test_db *t = *state;
    char a[ID_MAX], b[ID_MAX];
    struct seen all;

    make_tenant(t, "audit-a", a);
    make_tenant(t, "audit-b", b);
    for (int i = 0; i < 11; i++) {
        /* Ids order by millisecond; within one their order is random. */
        struct timespec ms = {0, 2000000};
        nanosleep(&ms, NULL);
        char action[32];
        snprintf(action, sizeof(action), "thing.%02d", i);
        record(t, a, action, 1700000000 + i);
        if (i % 3 == 0)
            record(t, b, "other.tenant", 1700000000 + i);
    }

    assert_int_equal(list_all(t, a, 4, &all), 3);
    assert_int_equal(all.n, 11);
    for (int i = 0; i < 11; i++) {
        char want[32];
        snprintf(want, sizeof(want), "thing.%02d", 10 - i);
        assert_string_equal(all.actions[i], want); /* newest first */
        if (i)
            assert_true(strcmp(all.ids[i - 1], all.ids[i]) > 0);
    }
    /* A page ending exactly at the oldest entry says nothing remains. */
    assert_int_equal(list_all(t, a, 11, &all), 1);
    assert_int_equal(list_all(t, a, 200, &all), 1);
    assert_int_equal(all.n, 11);
    assert_int_equal(list_all(t, b, 1, &all), 4);
    assert_int_equal(all.n, 4);
    for (int i = 0; i < all.n; i++)
        assert_string_equal(all.actions[i], "other.tenant");
}

static void confined_to_the_tenant(void **state)
{
    struct test_db *t = *state;
    char a[ID_MAX], b[ID_MAX], c[ID_MAX];
    struct seen all, page = {0};
    struct err e;
    bool more;

    make_tenant(t, "audit-conf-a", a);
    make_tenant(t, "audit-conf-b", b);
    make_tenant(t, "audit-conf-c", c);
    record(t, a, "a.one", 1);
    record(t, a, "a.two", 2);
    record(t, b, "b.one", 3);

    /* B's cursor on A's entries (or any id at all) still yields B's only. */
    list_all(t, a, 10, &all);
    assert_int_equal(all.n, 2);
    page.tenant = b;
    assert_db_ok(db_begin_tenant(t->db, b, &e), &e);
    assert_db_ok(
        audit_list(&more, t->db, b, "aud_zzzzzzzzzzzzzzzzzzzzzzzzzz", 10, collect, &page, &e), &e);
    assert_int_equal(page.n, 1);
    assert_string_equal(page.actions[0], "b.one");
    assert_false(more);
    assert_db_ok(db_commit(t->db, &e), &e);
    list_all(t, c, 10, &all);
    assert_int_equal(all.n, 0);

    /* Written in the caller's transaction: a rollback takes it back. */
    const struct audit_entry x = {.tenant_id = c, .actor = "cli", .action = "gone"};
    assert_db_ok(db_begin_tenant(t->db, c, &e), &e);
    assert_db_ok(audit_record(t->db, &x, 5, &e), &e);
    db_rollback(t->db);
    list_all(t, c, 10, &all);
    assert_int_equal(all.n, 0);

    /* Optional fields may be NULL; data defaults to {}. */
    assert_db_ok(db_begin_tenant(t->db, c, &e), &e);
    assert_db_ok(audit_record(t->db, &x, 6, &e), &e);
    assert_db_ok(db_commit(t->db, &e), &e);
    int64_t n = -1;
    assert_db_ok(db_query_int(&n, t->db,
                              "SELECT count(*) FROM audit_log WHERE tenant_id = $1 AND"
                              " target_type IS NULL AND ip IS NULL AND created_at = 6",
                              DB_ARGS(DB_TEXT(c)), &e),
                 &e);
    assert_int_equal(n, 1);

    /* A callback's nonzero return stops the listing; limits are checked. */
    struct seen stop = {.stop_after = 1};
    assert_db_ok(db_begin_tenant(t->db, a, &e), &e);
    assert_int_equal(audit_list(&more, t->db, a, NULL, 10, collect, &stop, &e), 9);
    assert_int_equal(stop.n, 1);
    assert_int_equal(audit_list(&more, t->db, a, NULL, 0, collect, &stop, &e), ERR_INVALID);
    assert_string_equal(e.msg, "limit: must be 1..200");
    assert_int_equal(audit_list(&more, t->db, a, NULL, AUDIT_LIST_MAX + 1, collect, &stop, &e),
                     ERR_INVALID);
    db_rollback(t->db);

    char *big = xmalloc(AUDIT_DATA_MAX + 8);
    memset(big, ' ', AUDIT_DATA_MAX + 7);
    big[0] = '{';
    big[AUDIT_DATA_MAX + 6] = '}';
    big[AUDIT_DATA_MAX + 7] = '\0';
    const struct audit_entry huge = {.tenant_id = c, .actor = "cli", .action = "big", .data = big};
    assert_int_equal(audit_record(t->db, &huge, 7, &e), ERR_TOOBIG);
    xfree(big);
}

/* Each entry comes back as recorded, data embedded as JSON. */
static int format_one(void *ctx, const struct audit_entry *a)
{
    struct buf *b = ctx;
    audit_format(a, b);
    return 0;
}

static void formatted_for_the_api(void **state)
{
    struct test_db *t = *state;
    char a[ID_MAX];
    struct err e;
    bool more;
    struct buf b;

    make_tenant(t, "audit-format", a);
    const struct audit_entry x = {
        .tenant_id = a,
        .actor = "ui:key_1",
        .action = "integration.update",
        .target_type = "integration",
        .target_id = "int_1",
        .data = "{\"fields\":[\"name\"],\"why\":\"a \\\"quote\\\"\"}",
        .ip = "::1",
    };
    assert_db_ok(db_begin_tenant(t->db, a, &e), &e);
    assert_db_ok(audit_record(t->db, &x, 1700000000, &e), &e);
    buf_init(&b, 0);
    assert_db_ok(audit_list(&more, t->db, a, NULL, 1, format_one, &b, &e), &e);
    assert_db_ok(db_commit(t->db, &e), &e);

    struct json_object *doc = NULL;
    assert_db_ok(jsonx_parse(&doc, b.p, b.n, 1 << 20, &e), &e);
    assert_true(id_valid(jsonx_str(jsonx_get(doc, "id")), "aud"));
    assert_string_equal(jsonx_str(jsonx_get(doc, "actor")), "ui:key_1");
    assert_string_equal(jsonx_str(jsonx_get(doc, "action")), "integration.update");
    assert_string_equal(jsonx_str(jsonx_get(doc, "target_type")), "integration");
    assert_string_equal(jsonx_str(jsonx_get(doc, "target_id")), "int_1");
    assert_string_equal(jsonx_str(jsonx_get(doc, "ip")), "::1");
    assert_string_equal(jsonx_str(jsonx_get(doc, "created_at")), "2023-11-14T22:13:20Z");
    struct json_object *data = jsonx_get(doc, "data");
    assert_string_equal(jsonx_str(jsonx_get(data, "why")), "a \"quote\"");
    assert_string_equal(jsonx_str(jsonx_at(jsonx_get(data, "fields"), 0)), "name");
    assert_false(jsonx_has(doc, "tenant_id"));
    json_object_put(doc);
    buf_dispose(&b);

    /* NULLs are JSON null; the exact text of a hand-made entry. */
    const struct audit_entry y = {.id = "aud_1", .actor = "cli", .action = "tenant.create"};
    buf_init(&b, 0);
    audit_format(&y, &b);
    assert_string_equal(buf_cstr(&b), "{\"id\":\"aud_1\",\"actor\":\"cli\",\"action\":\"tenant."
                                      "create\",\"target_type\":null,\"target_id\":null,\"data\":{}"
                                      ",\"ip\":null,\"created_at\":\"1970-01-01T00:00:00Z\"}");
    buf_dispose(&b);
}

int test_audit(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(newest_first_in_pages),
        cmocka_unit_test(confined_to_the_tenant),
        cmocka_unit_test(formatted_for_the_api),
    };
    return test_group_db("audit", tests);
}
