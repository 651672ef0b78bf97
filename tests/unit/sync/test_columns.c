/* tests/unit/sync/test_columns.c - sync/columns: the SQL types, the widening
 * lattice's laws, property schemas to types, names (normal form, reserved
 * names, cuts with their pinned hashes, collisions independent of property
 * order), table names, merges, which values fit which type, the errors and
 * caps. Then, on both engines, that the facts behind those rules hold:
 * edge values read back exactly from a table made from a column set, every
 * widening keeps values, a value that fits is accepted and the ones we
 * gate are refused by PostgreSQL, and the widest table and key work. */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/jsonx.h"
#include "core/time.h"
#include "sync/columns.h"
#include "test.h"
#include "test_db.h"

#define NTYPES 7

static struct json_object *parse(const char *text)
{
    struct json_object *v = NULL;
    struct err e;
    if (jsonx_parse(&v, text, strlen(text), 1 << 24, &e) < 0)
        fail_msg("bad test JSON: %s: %s", e.msg, text);
    return v;
}

/* Map schema (JSON text) with keys (JSON text or NULL) into *s; fails the
 * test on an error. */
static void set_from(struct col_set *s, const char *schema, const char *keys)
{
    struct json_object *sc = parse(schema), *k = keys ? parse(keys) : NULL;
    struct err e;
    assert_db_ok(col_set_from_schema(s, sc, k, &e), &e);
    json_object_put(sc);
    json_object_put(k);
}

static const char *name_of(const struct col_set *s, const char *property)
{
    const struct col *c = col_set_find(s, property);
    if (!c)
        fail_msg("no column for property '%s'", property);
    return c->name;
}

/* ---- types and the lattice ---- */

static void sql_types(void **state)
{
    static const char *const pg[] = {"BOOLEAN", "BIGINT", "NUMERIC", "TIMESTAMPTZ",
                                     "DATE",    "TEXT",   "JSONB"};
    static const char *const lite[] = {"", "", "", "TEXT", "TEXT", "TEXT", "TEXT"};
    static const char *const names[] = {"boolean", "integer", "number", "timestamp",
                                        "date",    "text",    "json"};
    (void)state;
    for (int t = 0; t < NTYPES; t++) {
        assert_string_equal(col_sql_type((enum col_type)t, true), pg[t]);
        assert_string_equal(col_sql_type((enum col_type)t, false), lite[t]);
        assert_string_equal(col_type_name((enum col_type)t), names[t]);
        assert_int_equal(col_type_parse(names[t]), t);
    }
    assert_int_equal(col_type_parse("bogus"), COL_TEXT);
    assert_int_equal(col_type_parse(NULL), COL_TEXT);
}

/* a <= b in the lattice: INTEGER < NUMBER < TEXT, all others < TEXT. */
static bool le(int a, int b)
{
    return a == b || b == COL_TEXT || (a == COL_INTEGER && b == COL_NUMBER);
}

static void lattice(void **state)
{
    (void)state;
    for (int a = 0; a < NTYPES; a++) {
        assert_int_equal(col_widen((enum col_type)a, (enum col_type)a), a);
        for (int b = 0; b < NTYPES; b++) {
            int w = (int)col_widen((enum col_type)a, (enum col_type)b);
            assert_int_equal(w, col_widen((enum col_type)b, (enum col_type)a));
            /* An upper bound, and the least one. */
            assert_true(le(a, w) && le(b, w));
            for (int c = 0; c < NTYPES; c++) {
                if (le(a, c) && le(b, c))
                    assert_true(le(w, c));
                assert_int_equal(
                    col_widen((enum col_type)w, (enum col_type)c),
                    col_widen((enum col_type)a, col_widen((enum col_type)b, (enum col_type)c)));
            }
        }
    }
    assert_int_equal(col_widen(COL_INTEGER, COL_NUMBER), COL_NUMBER);
    assert_int_equal(col_widen(COL_BOOLEAN, COL_INTEGER), COL_TEXT);
    assert_int_equal(col_widen(COL_TIMESTAMP, COL_DATE), COL_TEXT);
    assert_int_equal(col_widen(COL_JSON, COL_INTEGER), COL_TEXT);
}

/* ---- property schemas to types ---- */

static const struct {
    const char *schema;
    enum col_type want;
} prop_cases[] = {
    {"{\"type\":\"integer\"}", COL_INTEGER},
    {"{\"type\":\"number\"}", COL_NUMBER},
    {"{\"type\":\"boolean\"}", COL_BOOLEAN},
    {"{\"type\":\"string\"}", COL_TEXT},
    {"{\"type\":\"string\",\"format\":\"date-time\"}", COL_TIMESTAMP},
    {"{\"type\":\"string\",\"format\":\"date\"}", COL_DATE},
    {"{\"type\":\"string\",\"format\":\"email\"}", COL_TEXT},
    {"{\"type\":\"integer\",\"format\":\"date\"}", COL_INTEGER},
    {"{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"}}}", COL_JSON},
    {"{\"type\":\"array\",\"items\":{}}", COL_JSON},
    {"{\"type\":[\"null\",\"string\"]}", COL_TEXT},
    {"{\"type\":[\"null\",\"string\"],\"format\":\"date-time\"}", COL_TIMESTAMP},
    {"{\"type\":[\"string\",\"null\"],\"format\":\"date\"}", COL_DATE},
    {"{\"type\":[\"null\",\"integer\",\"number\"]}", COL_NUMBER},
    {"{\"type\":[\"integer\",\"boolean\"]}", COL_TEXT},
    {"{\"type\":[\"object\",\"string\"]}", COL_TEXT},
    {"{\"type\":[\"object\",\"array\",\"null\"]}", COL_JSON},
    {"{\"type\":\"null\"}", COL_JSON},
    {"{\"type\":[\"null\"]}", COL_JSON},
    {"{\"type\":[]}", COL_JSON},
    {"{}", COL_JSON},
    {"true", COL_JSON},
    {"false", COL_JSON},
    {"{\"description\":\"free-form\"}", COL_JSON},
    {"{\"$ref\":\"#/definitions/address\"}", COL_JSON},
    {"{\"type\":\"frobnicate\"}", COL_JSON},
    {"{\"type\":[\"integer\",\"frobnicate\"]}", COL_JSON},
    {"{\"type\":5}", COL_JSON},
    {"{\"anyOf\":[{\"type\":\"integer\"},{\"type\":\"number\"}]}", COL_NUMBER},
    {"{\"anyOf\":[{\"type\":\"string\",\"format\":\"date-time\"},{\"type\":\"null\"}]}",
     COL_TIMESTAMP},
    {"{\"anyOf\":[{\"type\":\"integer\"},{\"type\":[\"null\"]}]}", COL_INTEGER},
    {"{\"oneOf\":[{\"type\":\"string\",\"format\":\"date\"},{\"type\":\"string\",\"format\":"
     "\"date-time\"}]}",
     COL_TEXT},
    /* The pipelinewise pattern: a date-time, or any string. */
    {"{\"anyOf\":[{\"type\":[\"null\",\"string\"],\"format\":\"date-time\"},{\"type\":[\"null\","
     "\"string\"]}]}",
     COL_TEXT},
    {"{\"anyOf\":[{\"type\":\"integer\"},{}]}", COL_JSON},
    {"{\"anyOf\":[]}", COL_JSON},
    {"{\"anyOf\":[{\"type\":\"integer\"},{\"anyOf\":[{\"type\":\"number\"},{\"type\":\"null\"}]}]}",
     COL_NUMBER},
    /* "type" beside combinators, and allOf: what all of them allow. */
    {"{\"type\":[\"null\",\"string\"],\"anyOf\":[{\"type\":\"string\",\"format\":\"date-time\"},"
     "{\"type\":\"null\"}]}",
     COL_TIMESTAMP},
    {"{\"type\":\"number\",\"allOf\":[{\"type\":\"integer\"}]}", COL_INTEGER},
    {"{\"allOf\":[{\"type\":[\"null\",\"string\"]},{\"type\":\"string\",\"format\":\"date\"}]}",
     COL_DATE},
    /* Contradictions: the narrower when the lattice orders them, else
     * nothing but null, which is JSON. */
    {"{\"type\":\"integer\",\"allOf\":[{\"type\":\"string\"}]}", COL_INTEGER},
    {"{\"type\":\"integer\",\"allOf\":[{\"type\":\"boolean\"}]}", COL_JSON},
    {"{\"enum\":[\"open\",\"closed\",null]}", COL_TEXT},
    {"{\"enum\":[1,2,3]}", COL_INTEGER},
    {"{\"enum\":[1,2.5]}", COL_NUMBER},
    {"{\"enum\":[true,\"x\"]}", COL_TEXT},
    {"{\"enum\":[null]}", COL_JSON},
    {"{\"const\":true}", COL_BOOLEAN},
    {"{\"const\":null}", COL_JSON},
    {"{\"const\":{\"a\":1}}", COL_JSON},
    {"{\"type\":\"integer\",\"enum\":[1,\"a\"]}", COL_INTEGER},
};

static void property_types(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(prop_cases) / sizeof(prop_cases[0]); i++) {
        struct buf b;
        struct col_set s;
        buf_init(&b, 0);
        buf_printf(&b, "{\"type\":\"object\",\"properties\":{\"p\":%s}}", prop_cases[i].schema);
        set_from(&s, buf_cstr(&b), NULL);
        assert_int_equal(s.n, 1);
        if (s.v[0].type != prop_cases[i].want)
            fail_msg("case %zu %s: got %s, want %s", i, prop_cases[i].schema,
                     col_type_name(s.v[0].type), col_type_name(prop_cases[i].want));
        col_set_dispose(&s);
        buf_dispose(&b);
    }
}

/* Combinators nested past what is read say "anything": JSON, no crash.
 * jsonx parses 64 levels at most, so the schema is built in code. */
static void deep_schema(void **state)
{
    struct json_object *p = json_object_new_object(), *sc = json_object_new_object();
    struct col_set s;
    struct err e;
    (void)state;
    json_object_object_add(p, "type", json_object_new_string("integer"));
    for (int i = 0; i < 1000; i++) {
        struct json_object *outer = json_object_new_object(), *arr = json_object_new_array();
        json_object_array_add(arr, p);
        json_object_object_add(outer, "anyOf", arr);
        p = outer;
    }
    json_object_object_add(sc, "properties", json_object_new_object());
    json_object_object_add(json_object_object_get(sc, "properties"), "p", p);
    assert_db_ok(col_set_from_schema(&s, sc, NULL, &e), &e);
    assert_int_equal(s.v[0].type, COL_JSON);
    col_set_dispose(&s);
    json_object_put(sc);
}

/* ---- names ---- */

static const struct {
    const char *property, *name;
} name_cases[] = {
    {"id", "id"},
    {"Email", "email"},
    {"First Name", "first_name"},
    {"first  -- name", "first_name"},
    {"a.b-c", "a_b_c"},
    {"a_ b", "a__b"},
    {"\xc3\xa9t\xc3\xa9", "_t_"},      /* été: one '_' per character */
    {"\xe5\x90\x8d\xe5\x89\x8d", "_"}, /* 名前 */
    {"", "_"},
    {"9lives", "_9lives"},
    {"_inlet_synced_at", "__inlet_synced_at"},
    {"_INLET_x", "__inlet_x"},
    {"_inlet", "_inlet"},
    {"__inlet_x", "__inlet_x"},
    {"xmin", "_xmin"},
    {"XMax", "_xmax"},
    {"tableoid", "_tableoid"},
    {"ctid", "_ctid"},
    {"cmin", "_cmin"},
    {"oid", "oid"},
    {"xmin2", "xmin2"},
    {"a\"b", "a_b"},
    {"Robert'); DROP TABLE students;--", "robert_drop_table_students_"},
    {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", /* 63 */
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},
    /* Cut names: the hash is pinned, because table names are recomputed
     * from stream names on every load and must never change. */
    {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", /* 64 */
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa_7849f35ebbe5"},
    {"9aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", /* 63, then '_' */
     "_9aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa_529c246ae92e"},
};

static void names(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(name_cases) / sizeof(name_cases[0]); i++) {
        struct col_set s;
        struct buf b;
        struct json_object *sc = json_object_new_object(), *props = json_object_new_object();
        struct err e;
        json_object_object_add(props, name_cases[i].property, json_object_new_object());
        json_object_object_add(sc, "properties", props);
        assert_db_ok(col_set_from_schema(&s, sc, NULL, &e), &e);
        if (strcmp(s.v[0].name, name_cases[i].name) != 0)
            fail_msg("case %zu '%s': got '%s', want '%s'", i, name_cases[i].property, s.v[0].name,
                     name_cases[i].name);
        assert_true(col_name_valid(s.v[0].name));
        buf_init(&b, 0);
        col_quote(&b, s.v[0].name);
        assert_int_equal(b.n, strlen(s.v[0].name) + 2);
        assert_true(b.p[0] == '"' && b.p[b.n - 1] == '"');
        buf_dispose(&b);
        col_set_dispose(&s);
        json_object_put(sc);
    }
    assert_false(col_name_valid(""));
    assert_false(col_name_valid(NULL));
    assert_false(col_name_valid("9a"));
    assert_false(col_name_valid("A"));
    assert_false(col_name_valid("a-b"));
    assert_false(
        col_name_valid("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
    assert_true(col_name_valid("_"));
}

/* Collisions: a property in normal form keeps its name; the others follow
 * in byte order of the property, whatever the schema's order. */
static void collisions(void **state)
{
    static const char *const orders[] = {
        "{\"properties\":{\"First Name\":{},\"first_name\":{},\"FIRST-NAME\":{},\"first "
        "name\":{}}}",
        "{\"properties\":{\"first name\":{},\"FIRST-NAME\":{},\"first_name\":{},\"First "
        "Name\":{}}}",
        "{\"properties\":{\"FIRST-NAME\":{},\"first name\":{},\"First "
        "Name\":{},\"first_name\":{}}}",
    };
    struct col_set s;
    (void)state;
    for (size_t i = 0; i < 3; i++) {
        set_from(&s, orders[i], NULL);
        assert_string_equal(name_of(&s, "first_name"), "first_name");
        assert_string_equal(name_of(&s, "FIRST-NAME"), "first_name_2");
        assert_string_equal(name_of(&s, "First Name"), "first_name_3");
        assert_string_equal(name_of(&s, "first name"), "first_name_4");
        col_set_dispose(&s);
    }
    /* A property named like a suffixed name claims it first. */
    set_from(&s, "{\"properties\":{\"First Name\":{},\"first_name\":{},\"first_name_2\":{}}}",
             NULL);
    assert_string_equal(name_of(&s, "first_name"), "first_name");
    assert_string_equal(name_of(&s, "first_name_2"), "first_name_2");
    assert_string_equal(name_of(&s, "First Name"), "first_name_3");
    col_set_dispose(&s);
    /* Long names: cut ones differ by their hash; full-length ones by a
     * suffix that still fits in 63 bytes. */
    set_from(&s,
             "{\"properties\":{"
             "\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx1\":{},"
             "\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx2\":{},"
             "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\":{},"
             "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\":{}}}",
             NULL);
    assert_string_not_equal(s.v[0].name, s.v[1].name);
    assert_int_equal(strlen(s.v[0].name), 63);
    assert_memory_equal(s.v[0].name, s.v[1].name, 50);
    assert_string_equal(s.v[2].name,
                        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    assert_string_equal(s.v[3].name,
                        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa_2");
    col_set_dispose(&s);
    /* Columns stay in the schema's order. */
    set_from(&s, "{\"properties\":{\"b\":{},\"B\":{},\"a\":{}}}", NULL);
    assert_string_equal(s.v[0].property, "b");
    assert_string_equal(s.v[1].name, "b_2");
    assert_string_equal(s.v[2].name, "a");
    col_set_dispose(&s);
}

/* COLS_MAX properties that all normalize to "y_": unique, quickly. */
static void many_collisions(void **state)
{
    struct buf b;
    struct col_set s;
    (void)state;
    buf_init(&b, 0);
    buf_puts(&b, "{\"properties\":{");
    for (int i = 0; i < COLS_MAX; i++) {
        buf_printf(&b, "%s\"y", i ? "," : "");
        for (int k = 0; k <= i; k++)
            buf_putc(&b, '!');
        buf_puts(&b, "\":{}");
    }
    buf_puts(&b, "}}");
    int64_t t0 = time_mono_ms();
    set_from(&s, buf_cstr(&b), NULL);
    assert_true(time_mono_ms() - t0 < 5000);
    assert_int_equal(s.n, COLS_MAX);
    assert_string_equal(s.v[0].name, "y_");
    assert_string_equal(s.v[1].name, "y__2");
    assert_string_equal(s.v[COLS_MAX - 1].name, "y__1500");
    col_set_dispose(&s);
    buf_dispose(&b);
}

static void table_names(void **state)
{
    char t[COL_NAME_MAX + 1], u[COL_NAME_MAX + 1];
    (void)state;
    col_table_name(t, sizeof(t), "raw_hubspot_", "contacts");
    assert_string_equal(t, "raw_hubspot_contacts");
    col_table_name(t, sizeof(t), NULL, "Account");
    assert_string_equal(t, "account");
    col_table_name(t, sizeof(t), "", "Users");
    col_table_name(u, sizeof(u), "", "users");
    assert_string_equal(t, u); /* documented: case and punctuation only make one table */
    col_table_name(t, sizeof(t), "Raw-Acme ", "deals");
    assert_string_equal(t, "raw_acme_deals");
    col_table_name(t, sizeof(t), NULL, "_inlet_columns");
    assert_string_equal(t, "__inlet_columns"); /* never the loader's own tables */
    col_table_name(t, sizeof(t), NULL, "2024 orders");
    assert_string_equal(t, "_2024_orders");
    col_table_name(t, sizeof(t), NULL, "xmin");
    assert_string_equal(t, "xmin"); /* a table may be called that */
    col_table_name(t, sizeof(t), NULL, "");
    assert_string_equal(t, "_");
    /* Cut, with the hash of the whole name, pinned. */
    col_table_name(t, sizeof(t), "raw_salesforce_",
                   "OpportunityContactRoleHistoryWithAVeryLongCustomSuffix__c");
    assert_string_equal(t, "raw_salesforce_opportunitycontactrolehistorywithav_f341ca9e5fe5");
    col_table_name(u, sizeof(u), "raw_salesforce_",
                   "OpportunityContactRoleHistoryWithAVeryLongCustomSuffix__d");
    assert_string_not_equal(t, u);
    assert_memory_equal(t, u, 50);
    assert_true(col_name_valid(t) && col_name_valid(u));
    col_table_name(u, sizeof(u), "raw_salesforce_",
                   "OpportunityContactRoleHistoryWithAVeryLongCustomSuffix__c");
    assert_string_equal(t, u);
}

/* ---- merge ---- */

static void merge(void **state)
{
    struct col_set table, in;
    struct col_change *ch;
    size_t n;
    struct err e;
    (void)state;

    set_from(&table,
             "{\"properties\":{\"id\":{\"type\":\"integer\"},\"n\":{\"type\":\"integer\"},"
             "\"Name\":{\"type\":\"string\"},\"when\":{\"type\":\"string\",\"format\":\"date-"
             "time\"}}}",
             "[\"id\"]");
    set_from(&in,
             "{\"properties\":{\"when\":{\"type\":\"string\"},\"id\":{\"type\":\"integer\"},"
             "\"n\":{\"type\":\"number\"},\"name\":{\"type\":\"string\"},\"extra\":{\"type\":"
             "\"object\"},\"NAME\":{\"type\":\"boolean\"}}}",
             "[\"id\"]");
    assert_db_ok(col_set_merge(&table, &in, &ch, &n, &e), &e);
    assert_int_equal(n, 5);
    assert_int_equal(ch[0].kind, COL_ALTER); /* "when", first in incoming */
    assert_int_equal(ch[0].index, 3);
    assert_int_equal(ch[0].from, COL_TIMESTAMP);
    assert_int_equal(ch[1].kind, COL_ALTER);
    assert_int_equal(ch[1].index, 1);
    assert_int_equal(ch[1].from, COL_INTEGER);
    for (size_t i = 2; i < 5; i++) {
        assert_int_equal(ch[i].kind, COL_ADD);
        assert_int_equal(ch[i].index, i + 2);
    }
    xfree(ch);
    assert_int_equal(table.n, 7);
    static const char *const want[] = {"id", "n", "name", "when", "name_3", "extra", "name_2"};
    static const enum col_type types[] = {COL_INTEGER, COL_NUMBER, COL_TEXT,   COL_TEXT,
                                          COL_TEXT,    COL_JSON,   COL_BOOLEAN};
    for (size_t i = 0; i < 7; i++) {
        assert_string_equal(table.v[i].name, want[i]);
        assert_int_equal(table.v[i].type, types[i]);
        assert_int_equal(table.v[i].key, i == 0);
    }
    /* Again, and with the older, narrower schema: nothing to do. */
    assert_db_ok(col_set_merge(&table, &in, &ch, &n, &e), &e);
    assert_int_equal(n, 0);
    assert_null(ch);
    assert_db_ok(col_set_merge(&table, &table, &ch, &n, &e), &e); /* the very same set */
    assert_int_equal(n, 0);
    assert_int_equal(table.n, 7);
    col_set_dispose(&in);
    set_from(&in, "{\"properties\":{\"n\":{\"type\":\"integer\"},\"id\":{\"type\":\"integer\"}}}",
             "[\"id\"]");
    assert_db_ok(col_set_merge(&table, &in, &ch, &n, &e), &e);
    assert_int_equal(n, 0);
    assert_int_equal(table.n, 7);
    col_set_dispose(&in);
    /* An empty table takes a set as col_set_from_schema made it. */
    struct col_set empty = {0};
    set_from(&in, "{\"properties\":{\"B\":{},\"b\":{},\"a b\":{},\"A_B\":{}}}", NULL);
    assert_db_ok(col_set_merge(&empty, &in, &ch, &n, &e), &e);
    assert_int_equal(n, 4);
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(empty.v[i].name, in.v[i].name);
    xfree(ch);
    col_set_dispose(&empty);
    col_set_dispose(&in);
    col_set_dispose(&table);
    col_set_dispose(&table); /* twice is harmless */
}

static void merge_cap(void **state)
{
    struct buf b;
    struct col_set table, in;
    struct col_change *ch = (struct col_change *)&ch;
    size_t n = 99;
    struct err e;
    (void)state;
    buf_init(&b, 0);
    buf_puts(&b, "{\"properties\":{");
    for (int i = 0; i < COLS_MAX; i++)
        buf_printf(&b, "%s\"p%d\":{\"type\":\"integer\"}", i ? "," : "", i);
    buf_puts(&b, "}}");
    set_from(&table, buf_cstr(&b), NULL);
    set_from(&in, "{\"properties\":{\"p0\":{\"type\":\"string\"},\"new\":{}}}", NULL);
    assert_int_equal(col_set_merge(&table, &in, &ch, &n, &e), ERR_INVALID);
    assert_string_equal(e.msg,
                        "/schema/properties: the table would have 1501 columns, at most 1500");
    assert_null(ch);
    assert_int_equal(n, 0);
    assert_int_equal(table.n, COLS_MAX);
    assert_int_equal(table.v[0].type, COL_INTEGER); /* untouched */
    col_set_dispose(&in);
    col_set_dispose(&table);
    buf_dispose(&b);
}

/* ---- values ---- */

enum {
    B = 1 << COL_BOOLEAN,
    I = 1 << COL_INTEGER,
    N = 1 << COL_NUMBER,
    T = 1 << COL_TIMESTAMP,
    D = 1 << COL_DATE,
    X = 1 << COL_TEXT,
    J = 1 << COL_JSON
};

static const struct {
    const char *json;
    int fits;           /* the types it fits */
    enum col_type type; /* col_value_type */
    int pg_refuses;     /* a type whose PostgreSQL column refuses it (the gates) */
} values[] = {
    {"true", B | X, COL_BOOLEAN, 0},
    {"0", I | N | X, COL_INTEGER, 0},
    {"9223372036854775807", I | N | X, COL_INTEGER, 0},
    {"-9223372036854775808", I | N | X, COL_INTEGER, 0},
    {"18446744073709551615", N | X, COL_NUMBER, I},
    {"19.99", N | X, COL_NUMBER, 0},
    {"3.0", N | X, COL_NUMBER, I},
    {"-0.0", N | X, COL_NUMBER, 0},
    {"0.100000000000000000000000000001", N | X, COL_NUMBER, 0},
    {"1e131071", N | X, COL_NUMBER, 0},
    {"1E+131072", X, COL_TEXT, N},
    {"1e400", N | X, COL_NUMBER, 0},
    {"1.5e-16382", N | X, COL_NUMBER, 0},
    {"1.5e-16383", X, COL_TEXT, N},
    {"1e-16384", X, COL_TEXT, N},
    {"0e-16384", X, COL_TEXT, N},
    {"\"abc\"", X, COL_TEXT, 0},
    {"\"007\"", X, COL_TEXT, 0},
    {"\"2024-01-15T10:00:00Z\"", T | X, COL_TEXT, 0},
    {"\"2024-01-15t10:00:00.123456789+05:30\"", T | X, COL_TEXT, 0},
    {"\"2024-01-15 10:00:00.5-1530\"", T | X, COL_TEXT, 0},
    {"\"2024-01-15T10:00:00+00\"", T | X, COL_TEXT, 0},
    {"\"2024-01-15T10:00:00+15:59\"", T | X, COL_TEXT, 0},
    {"\"2024-01-15T10:00:00-15:59\"", T | X, COL_TEXT, 0},
    {"\"2024-01-15T10:00:00-16:00\"", X, COL_TEXT, T},
    {"\"2024-01-15T10:00:00+2300\"", X, COL_TEXT, T},
    {"\"2016-12-31T23:59:60Z\"", T | X, COL_TEXT, 0},
    {"\"2024-01-15T10:00:00\"", X, COL_TEXT, 0},
    {"\"2024-01-15\"", D | X, COL_TEXT, 0},
    {"\"2024-02-29\"", D | X, COL_TEXT, 0},
    {"\"2023-02-29\"", X, COL_TEXT, D},
    {"\"0000-01-01\"", X, COL_TEXT, D},
    {"\"9999-12-31\"", D | X, COL_TEXT, 0},
    {"{}", J | X, COL_JSON, 0},
    {"[1,\"a\",{\"b\":null,\"c\":[0.100000000000000000000000000001]}]", J | X, COL_JSON, 0},
    {"{\"a\":\"x\\u0000y\"}", X, COL_TEXT, J},
    {"[[1e131072]]", X, COL_TEXT, J},
    {"\"a\\u0000b\"", X, COL_TEXT, 0},
};

#define NVALUES (sizeof(values) / sizeof(values[0]))

static void value_fits(void **state)
{
    (void)state;
    for (size_t i = 0; i < NVALUES; i++) {
        struct json_object *v = parse(values[i].json);
        int got = 0;
        for (int t = 0; t < NTYPES; t++)
            got |= col_value_fits((enum col_type)t, v) ? 1 << t : 0;
        if (got != values[i].fits)
            fail_msg("case %zu %s: fits %#x, want %#x", i, values[i].json, (unsigned)got,
                     (unsigned)values[i].fits);
        assert_int_equal(col_value_type(v), values[i].type);
        /* The type a column widens to for v holds v; so does anything wider. */
        for (int t = 0; t < NTYPES; t++) {
            enum col_type w = col_widen((enum col_type)t, col_value_type(v));
            assert_true(col_value_fits(w, v));
            for (int u = 0; u < NTYPES; u++)
                if (col_value_fits((enum col_type)t, v))
                    assert_true(col_value_fits(col_widen((enum col_type)t, (enum col_type)u), v));
        }
        json_object_put(v);
    }
    for (int t = 0; t < NTYPES; t++)
        assert_true(col_value_fits((enum col_type)t, NULL));
}

/* ---- errors ---- */

static const struct {
    const char *schema, *keys, *msg;
} bad[] = {
    {"[]", NULL, "/schema: expected an object, got array"},
    {"null", NULL, "/schema: expected an object, got null"},
    {"{\"type\":\"string\"}", NULL,
     "/schema/type: a stream's records are objects; expected \"object\""},
    {"{\"type\":[\"null\",\"array\"]}", NULL,
     "/schema/type: a stream's records are objects; expected \"object\""},
    {"{\"properties\":[]}", NULL, "/schema/properties: expected an object, got array"},
    {"{\"properties\":{\"a\":{}}}", "{\"a\":1}", "/key_properties: expected an array, got object"},
    {"{\"properties\":{\"a\":{}}}", "[\"a\",1]",
     "/key_properties/1: expected a string, got integer"},
    {"{\"properties\":{\"a\":{}}}", "[\"a\",\"b\"]",
     "/key_properties/1: \"b\" is not a property of the schema"},
    {"{\"properties\":{\"a\":{}}}", "[\"say \\\"hi\\\"\\n\"]",
     "/key_properties/0: \"say \\\"hi\\\"?\" is not a property of the schema"},
    {"{\"properties\":{\"a\":{}}}",
     "[\"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
     "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
     "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\"]",
     "/key_properties/0: \"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3"
     "\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
     "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9...\" is not a property of the schema"},
    {"{}", "[\"id\"]", "/key_properties/0: \"id\" is not a property of the schema"},
};

static void errors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct json_object *sc = parse(bad[i].schema), *k = bad[i].keys ? parse(bad[i].keys) : NULL;
        struct col_set s = {(struct col *)&s, 99}; /* overwritten */
        struct err e;
        assert_int_equal(col_set_from_schema(&s, sc, k, &e), ERR_INVALID);
        if (strcmp(e.msg, bad[i].msg) != 0)
            fail_msg("case %zu: got '%s', want '%s'", i, e.msg, bad[i].msg);
        assert_int_equal(s.n, 0);
        assert_null(s.v);
        json_object_put(sc);
        json_object_put(k);
    }
}

static void caps(void **state)
{
    struct buf b;
    struct col_set s;
    struct err e;
    (void)state;
    buf_init(&b, 0);
    buf_puts(&b, "{\"properties\":{");
    for (int i = 0; i <= COLS_MAX; i++)
        buf_printf(&b, "%s\"p%d\":{}", i ? "," : "", i);
    buf_puts(&b, "}}");
    struct json_object *sc = parse(buf_cstr(&b));
    assert_int_equal(col_set_from_schema(&s, sc, NULL, &e), ERR_INVALID);
    assert_string_equal(e.msg, "/schema/properties: 1501 properties, at most 1500");
    json_object_object_del(sc, "properties");
    json_object_put(sc);
    /* 32 keys are a primary key PostgreSQL takes (see db_limits); 33 not. */
    buf_reset(&b);
    buf_puts(&b, "[");
    for (int i = 0; i <= COLS_KEYS_MAX; i++)
        buf_printf(&b, "%s\"p%d\"", i ? "," : "", i);
    buf_puts(&b, "]");
    struct json_object *keys = parse(buf_cstr(&b));
    sc = parse("{\"properties\":{\"p0\":{}}}");
    assert_int_equal(col_set_from_schema(&s, sc, keys, &e), ERR_INVALID);
    assert_string_equal(e.msg, "/key_properties: 33 key properties, at most 32 (PostgreSQL's "
                               "limit for a primary key)");
    json_object_put(sc);
    json_object_put(keys);
    /* Keys listed twice are one key. */
    set_from(&s, "{\"properties\":{\"a\":{},\"b\":{}}}", "[\"b\",\"b\"]");
    assert_false(s.v[0].key);
    assert_true(s.v[1].key);
    col_set_dispose(&s);
    buf_dispose(&b);
}

/* ---- on both engines ---- */

/* CREATE TABLE for s, with the loader's own columns and s's keys. */
static void create_sql(struct buf *b, const char *table, const struct col_set *s, bool pg)
{
    bool first = true;
    buf_puts(b, "CREATE TABLE ");
    col_quote(b, table);
    buf_puts(b, " (");
    for (size_t i = 0; i < s->n; i++) {
        col_quote(b, s->v[i].name);
        buf_printf(b, " %s%s, ", col_sql_type(s->v[i].type, pg), s->v[i].key ? " NOT NULL" : "");
    }
    buf_printf(b, "_inlet_synced_at %s, _inlet_deleted_at %s, _inlet_version BIGINT",
               col_sql_type(COL_TIMESTAMP, pg), col_sql_type(COL_TIMESTAMP, pg));
    for (size_t i = 0; i < s->n; i++) {
        if (!s->v[i].key)
            continue;
        buf_puts(b, first ? ", PRIMARY KEY (" : ", ");
        col_quote(b, s->v[i].name);
        first = false;
    }
    buf_puts(b, first ? ")" : "))");
}

static void exec_ok(struct db *db, const char *sql)
{
    struct err e;
    assert_db_ok(db_exec(db, sql, NULL, 0, NULL, &e), &e);
}

/* The table's column names, from the engine's catalog, one per line. */
static void catalog_names(struct buf *out, struct db *db, bool pg, const char *table)
{
    struct db_rows *r = NULL;
    struct err e;
    int rc;
    assert_db_ok(db_query(&r, db,
                          pg ? "SELECT column_name FROM information_schema.columns WHERE "
                               "table_schema = current_schema() AND table_name = $1 ORDER BY "
                               "ordinal_position"
                             : "SELECT name FROM pragma_table_info($1) ORDER BY cid",
                          DB_ARGS(DB_TEXT(table)), &e),
                 &e);
    while ((rc = db_rows_next(r, &e)) == 1)
        buf_printf(out, "%s\n", db_rows_text(r, 0));
    assert_int_equal(rc, 0);
    db_rows_free(r);
}

/* Column 0 of the one row of sql (with params), as text, into out. */
static const char *text_of(struct db *db, const char *sql, const struct db_val *p, size_t np,
                           char *out, size_t n)
{
    struct db_rows *r = NULL;
    struct err e;
    assert_db_ok(db_query_row(&r, db, sql, p, np, &e), &e);
    snprintf(out, n, "%s", db_rows_text(r, 0) ? db_rows_text(r, 0) : "(null)");
    db_rows_free(r);
    return out;
}

#define LONG70 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"

/* A table made from a column set: names land unchanged (no truncation,
 * no case folding, no clash with system columns or ours), and edge values
 * read back exactly. Values are bound as the loader sends them: integers
 * as integers, decimals as text on PostgreSQL and, on SQLite, as a REAL
 * when 15 digits hold them and as text otherwise. */
static void db_roundtrip(void **state)
{
    struct test_db *t = *state;
    bool pg = test_db_is_pg(t);
    struct col_set s;
    struct buf sql, names;
    char table[COL_NAME_MAX + 1], v[512];
    struct err e;

    set_from(&s,
             "{\"type\":\"object\",\"properties\":{"
             "\"id\":{\"type\":\"integer\"},\"big\":{\"type\":[\"null\",\"integer\"]},"
             "\"neg\":{\"type\":\"integer\"},\"price\":{\"type\":\"number\"},"
             "\"tiny\":{\"type\":\"number\"},\"u64\":{\"type\":\"number\"},"
             "\"flag\":{\"type\":\"boolean\"},"
             "\"at\":{\"type\":\"string\",\"format\":\"date-time\"},"
             "\"day\":{\"type\":\"string\",\"format\":\"date\"},"
             "\"Name\":{\"type\":\"string\"},\"name\":{\"type\":\"string\"},"
             "\"\xe5\x90\x8d\xe5\x89\x8d\":{\"type\":\"string\"},"
             "\"\xe5\x90\x8d\xe5\xad\x97\":{\"type\":\"string\"},"
             "\"" LONG70 "1\":{\"type\":\"string\"},\"" LONG70 "2\":{\"type\":\"string\"},"
             "\"xmin\":{\"type\":\"string\"},\"_inlet_synced_at\":{\"type\":\"string\"},"
             "\"9lives\":{\"type\":\"string\"},\"obj\":{\"type\":\"object\"},"
             "\"arr\":{\"type\":\"array\"}}}",
             "[\"id\"]");
    col_table_name(table, sizeof(table), "raw_test_",
                   "Edge Cases \xe2\x80\x94 \xc3\x9cnicode stream with a name longer than "
                   "sixty-three bytes");
    assert_string_equal(table, "raw_test_edge_cases_nicode_stream_with_a_name_long_4bb2a622f303");
    buf_init(&sql, 0);
    create_sql(&sql, table, &s, pg);
    exec_ok(t->db, buf_cstr(&sql));

    /* The catalog has exactly our names. */
    buf_init(&names, 0);
    catalog_names(&names, t->db, pg, table);
    assert_string_equal(buf_cstr(&names),
                        "id\nbig\nneg\nprice\ntiny\nu64\nflag\nat\nday\nname_2\nname\n_\n__2\n"
                        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx_4f45dcc40904\n"
                        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx_5245dcc40e1d\n"
                        "_xmin\n__inlet_synced_at\n_9lives\nobj\narr\n_inlet_synced_at\n"
                        "_inlet_deleted_at\n_inlet_version\n");

    buf_reset(&sql);
    buf_puts(&sql, "INSERT INTO ");
    col_quote(&sql, table);
    buf_puts(&sql, " (");
    for (size_t i = 0; i < s.n; i++) {
        col_quote(&sql, s.v[i].name);
        buf_puts(&sql, ", ");
    }
    buf_puts(&sql, "_inlet_synced_at) VALUES (");
    for (size_t i = 0; i <= s.n; i++)
        buf_printf(&sql, "%s$%zu", i ? ", " : "", i + 1);
    buf_puts(&sql, ")");
    const char *obj = "{\"b\":[9223372036854775807],\"a\":0.100000000000000000000000000001}";
    struct db_val p[] = {
        DB_INT(1),
        DB_INT(INT64_MAX),
        DB_INT(INT64_MIN),
        pg ? DB_TEXT("19.99") : DB_DOUBLE(19.99),
        DB_TEXT("0.100000000000000000000000000001"),
        DB_TEXT("18446744073709551615"),
        pg ? DB_TEXT("true") : DB_INT(1),
        DB_TEXT("2024-01-15T10:00:00.123456+05:30"),
        DB_TEXT("2024-02-29"),
        DB_TEXT("\xc3\x9cnic\xc3\xb8"
                "de \xe2\x9c\x93"),
        DB_TEXT("name"),
        DB_TEXT("n1"),
        DB_TEXT("n2"),
        DB_TEXT("l1"),
        DB_TEXT("l2"),
        DB_TEXT("xm"),
        DB_TEXT("ours?"),
        DB_TEXT("cat"),
        DB_TEXT(obj),
        DB_TEXT("[]"),
        DB_TEXT("2024-01-15T10:00:00Z"),
    };
    assert_int_equal(sizeof(p) / sizeof(p[0]), s.n + 1);
    assert_db_ok(db_exec(t->db, buf_cstr(&sql), p, s.n + 1, NULL, &e), &e);

    static const struct {
        const char *col, *want;
    } back[] = {
        {"big", "9223372036854775807"},
        {"neg", "-9223372036854775808"},
        {"price", "19.99"},
        {"tiny", "0.100000000000000000000000000001"},
        {"u64", "18446744073709551615"},
        {"day", "2024-02-29"},
        {"name_2", "\xc3\x9cnic\xc3\xb8"
                   "de \xe2\x9c\x93"},
        {"__2", "n2"},
        {"_xmin", "xm"},
        {"__inlet_synced_at", "ours?"},
    };
    for (size_t i = 0; i < sizeof(back) / sizeof(back[0]); i++) {
        buf_reset(&sql);
        buf_puts(&sql, "SELECT ");
        col_quote(&sql, back[i].col);
        buf_puts(&sql, " FROM ");
        col_quote(&sql, table);
        assert_string_equal(text_of(t->db, buf_cstr(&sql), NULL, 0, v, sizeof(v)), back[i].want);
    }
    buf_reset(&sql);
    buf_puts(&sql, "SELECT \"flag\" FROM ");
    col_quote(&sql, table);
    assert_int_equal(test_db_int(t->db, buf_cstr(&sql)), 1);
    /* The instant: PostgreSQL keeps microseconds; SQLite keeps the text. */
    buf_reset(&sql);
    buf_puts(&sql, pg ? "SELECT CAST(EXTRACT(EPOCH FROM \"at\") * 1000000 AS BIGINT) FROM "
                      : "SELECT \"at\" FROM ");
    col_quote(&sql, table);
    if (pg) {
        int64_t ms;
        assert_int_equal(time_parse_rfc3339(&ms, "2024-01-15T04:30:00.123Z", 24, &e), 0);
        assert_true(test_db_int(t->db, buf_cstr(&sql)) == ms * 1000 + 456);
    } else {
        assert_string_equal(text_of(t->db, buf_cstr(&sql), NULL, 0, v, sizeof(v)),
                            "2024-01-15T10:00:00.123456+05:30");
    }
    buf_reset(&sql);
    buf_puts(&sql, "SELECT \"obj\" FROM ");
    col_quote(&sql, table);
    assert_string_equal(text_of(t->db, buf_cstr(&sql), NULL, 0, v, sizeof(v)),
                        pg ? "{\"a\": 0.100000000000000000000000000001, \"b\": "
                             "[9223372036854775807]}"
                           : obj);

    /* A newer schema: its new properties become columns the engine takes. */
    struct col_set in;
    struct col_change *ch;
    size_t nch;
    set_from(&in, "{\"properties\":{\"id\":{\"type\":\"integer\"},\"NAME\":{},\"Xmin\":{}}}",
             "[\"id\"]");
    assert_db_ok(col_set_merge(&s, &in, &ch, &nch, &e), &e);
    assert_int_equal(nch, 2);
    for (size_t i = 0; i < nch; i++) {
        buf_reset(&sql);
        buf_puts(&sql, "ALTER TABLE ");
        col_quote(&sql, table);
        buf_puts(&sql, " ADD COLUMN ");
        col_quote(&sql, s.v[ch[i].index].name);
        buf_printf(&sql, " %s", col_sql_type(s.v[ch[i].index].type, pg));
        exec_ok(t->db, buf_cstr(&sql));
    }
    xfree(ch);
    buf_reset(&names);
    catalog_names(&names, t->db, pg, table);
    assert_non_null(strstr(buf_cstr(&names), "_inlet_version\nname_3\n_xmin_2\n"));
    col_set_dispose(&in);
    col_set_dispose(&s);
    buf_dispose(&names);
    buf_dispose(&sql);
}

/* Every widening keeps what the column held and takes what the wider type
 * holds. PostgreSQL: ALTER COLUMN ... TYPE wider USING c::wider. SQLite
 * cannot change a column's type, so the declared type must already take the
 * wider values unchanged: "007" and a 30-digit decimal stay text. */
static void db_widen(void **state)
{
    struct test_db *t = *state;
    bool pg = test_db_is_pg(t);
    static const struct {
        enum col_type from;
        const char *sample; /* what a column of that type holds, as bound */
        const char *after;  /* the sample read back after widening to TEXT (PostgreSQL) */
    } cases[] = {
        {COL_BOOLEAN, "true", "true"},
        {COL_INTEGER, "9223372036854775807", "9223372036854775807"},
        {COL_NUMBER, "0.100000000000000000000000000001", "0.100000000000000000000000000001"},
        {COL_TIMESTAMP, "2024-01-15T10:00:00+05:30", NULL},
        {COL_DATE, "2024-02-29", "2024-02-29"},
        {COL_JSON, "{\"a\":1.50}", "{\"a\": 1.50}"},
    };
    struct buf sql;
    char v[128];
    buf_init(&sql, 0);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        enum col_type wider[2] = {COL_TEXT, COL_NUMBER};
        for (size_t w = 0; w < (cases[i].from == COL_INTEGER ? 2u : 1u); w++) {
            enum col_type to = col_widen(cases[i].from, wider[w]);
            const char *value = to == COL_NUMBER ? "0.100000000000000000000000000001" : "007";
            char table[32];
            struct err e;
            snprintf(table, sizeof(table), "colw_%s_%s", col_type_name(cases[i].from),
                     col_type_name(to));
            buf_reset(&sql);
            buf_printf(&sql, "CREATE TABLE %s (k INTEGER PRIMARY KEY, c %s)", table,
                       col_sql_type(cases[i].from, pg));
            exec_ok(t->db, buf_cstr(&sql));
            buf_reset(&sql);
            buf_printf(&sql, "INSERT INTO %s (k, c) VALUES ($1, $2)", table);
            struct db_val one[] = {DB_INT(1), cases[i].from == COL_BOOLEAN && !pg ? DB_INT(1)
                                              : cases[i].from == COL_INTEGER
                                                  ? DB_INT(INT64_MAX)
                                                  : DB_TEXT(cases[i].sample)};
            assert_db_ok(db_exec(t->db, buf_cstr(&sql), one, 2, NULL, &e), &e);
            if (pg) {
                char alter[160];
                snprintf(alter, sizeof(alter), "ALTER TABLE %s ALTER COLUMN c TYPE %s USING c::%s",
                         table, col_sql_type(to, true), col_sql_type(to, true));
                exec_ok(t->db, alter);
            }
            /* Another statement text: the db layer's cached INSERT was
             * prepared with $2 typed as the old column type, which an
             * ALTER does not change on PostgreSQL. */
            buf_reset(&sql);
            buf_printf(&sql, "INSERT INTO %s (c, k) VALUES ($1, $2)", table);
            assert_db_ok(
                db_exec(t->db, buf_cstr(&sql), DB_ARGS(DB_TEXT(value), DB_INT(2)), NULL, &e), &e);
            char sel[96];
            snprintf(sel, sizeof(sel), "SELECT c FROM %s WHERE k = $1", table);
            assert_string_equal(text_of(t->db, sel, DB_ARGS(DB_INT(2)), v, sizeof(v)), value);
            text_of(t->db, sel, DB_ARGS(DB_INT(1)), v, sizeof(v));
            if (pg && to == COL_TEXT && cases[i].after)
                assert_string_equal(v, cases[i].after);
            else if (pg && to == COL_NUMBER)
                assert_string_equal(v, "9223372036854775807");
            else
                assert_string_not_equal(v, "(null)");
            if (!pg) { /* as bound: text stays text */
                snprintf(sel, sizeof(sel), "SELECT typeof(c) FROM %s WHERE k = 2", table);
                assert_string_equal(text_of(t->db, sel, NULL, 0, v, sizeof(v)), "text");
            }
        }
    }
    buf_dispose(&sql);
}

/* A value col_value_fits lets into a column is taken there; the values we
 * keep out are the ones PostgreSQL would refuse (on SQLite, which takes
 * anything in a column without affinity or with TEXT, they would go in). */
static void db_fits_agree(void **state)
{
    struct test_db *t = *state;
    bool pg = test_db_is_pg(t);
    struct buf sql, text;
    buf_init(&sql, 0);
    buf_init(&text, 0);
    for (int ty = 0; ty < NTYPES; ty++) {
        buf_reset(&sql);
        buf_printf(&sql, "CREATE TABLE colfit_%s (c %s)", col_type_name((enum col_type)ty),
                   col_sql_type((enum col_type)ty, pg));
        exec_ok(t->db, buf_cstr(&sql));
    }
    for (size_t i = 0; i < NVALUES; i++) {
        struct json_object *v = parse(values[i].json);
        for (int ty = 0; ty < NTYPES; ty++) {
            bool fits = values[i].fits & (1 << ty);
            bool refused = values[i].pg_refuses & (1 << ty);
            struct db_val val;
            struct err e;
            if (!fits && !(pg && refused))
                continue;
            buf_reset(&text);
            if (json_object_is_type(v, json_type_string))
                buf_put(&text, json_object_get_string(v), (size_t)json_object_get_string_len(v));
            else
                jsonx_format(&text, v);
            if (memchr(buf_cstr(&text), '\0', text.n))
                continue; /* a NUL cannot be bound as text (the loader's to solve) */
            if (ty == COL_BOOLEAN)
                val = pg ? DB_TEXT(json_object_get_boolean(v) ? "true" : "false")
                         : DB_INT(json_object_get_boolean(v));
            else if (ty == COL_INTEGER && fits)
                val = DB_INT(json_object_get_int64(v));
            else
                val = DB_TEXTN(buf_cstr(&text), text.n);
            buf_reset(&sql);
            buf_printf(&sql, "INSERT INTO colfit_%s (c) VALUES ($1)",
                       col_type_name((enum col_type)ty));
            int rc = db_exec(t->db, buf_cstr(&sql), &val, 1, NULL, &e);
            if (fits && rc != 0)
                fail_msg("%s into %s: %s", values[i].json, col_type_name((enum col_type)ty), e.msg);
            if (!fits && rc == 0)
                fail_msg("%s into %s: PostgreSQL took it", values[i].json,
                         col_type_name((enum col_type)ty));
        }
        json_object_put(v);
    }
    buf_dispose(&text);
    buf_dispose(&sql);
}

/* The limits behind COLS_MAX and COLS_KEYS_MAX: a table of COLS_MAX
 * columns and ours, keyed by COLS_KEYS_MAX of them, works on both
 * engines; PostgreSQL refuses one key more. */
static void db_limits(void **state)
{
    struct test_db *t = *state;
    bool pg = test_db_is_pg(t);
    struct buf b, sql;
    struct col_set s;
    struct err e;
    buf_init(&b, 0);
    buf_init(&sql, 0);
    buf_puts(&b, "{\"properties\":{");
    for (int i = 0; i < COLS_MAX; i++)
        buf_printf(&b, "%s\"Property number %d\":{\"type\":\"integer\"}", i ? "," : "", i);
    buf_puts(&b, "}}");
    char keys[1024];
    size_t kn = 0;
    kn += (size_t)snprintf(keys + kn, sizeof(keys) - kn, "[");
    for (int i = 0; i < COLS_KEYS_MAX; i++)
        kn += (size_t)snprintf(keys + kn, sizeof(keys) - kn, "%s\"Property number %d\"",
                               i ? "," : "", i);
    snprintf(keys + kn, sizeof(keys) - kn, "]");
    set_from(&s, buf_cstr(&b), keys);
    create_sql(&sql, "colwide", &s, pg);
    exec_ok(t->db, buf_cstr(&sql));
    buf_reset(&sql);
    buf_puts(&sql, "INSERT INTO colwide (");
    for (int i = 0; i < COLS_KEYS_MAX; i++) {
        col_quote(&sql, s.v[i].name);
        buf_puts(&sql, ", ");
    }
    buf_puts(&sql, "_inlet_synced_at) VALUES (");
    for (int i = 0; i < COLS_KEYS_MAX; i++)
        buf_printf(&sql, "%d, ", i);
    buf_puts(&sql, "'2024-01-01T00:00:00Z')");
    exec_ok(t->db, buf_cstr(&sql));
    assert_int_equal(test_db_int(t->db, "SELECT count(*) FROM colwide"), 1);
    if (pg) {
        s.v[COLS_KEYS_MAX].key = true;
        buf_reset(&sql);
        create_sql(&sql, "colwide33", &s, pg);
        assert_true(db_exec(t->db, buf_cstr(&sql), NULL, 0, NULL, &e) < 0);
        assert_non_null(strstr(e.msg, "more than 32 columns in an index"));
    }
    col_set_dispose(&s);
    buf_dispose(&sql);
    buf_dispose(&b);
}

int test_columns(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sql_types),
        cmocka_unit_test(lattice),
        cmocka_unit_test(property_types),
        cmocka_unit_test(deep_schema),
        cmocka_unit_test(names),
        cmocka_unit_test(collisions),
        cmocka_unit_test(many_collisions),
        cmocka_unit_test(table_names),
        cmocka_unit_test(merge),
        cmocka_unit_test(merge_cap),
        cmocka_unit_test(value_fits),
        cmocka_unit_test(errors),
        cmocka_unit_test(caps),
    };
    const struct CMUnitTest db_tests[] = {
        cmocka_unit_test(db_roundtrip),
        cmocka_unit_test(db_widen),
        cmocka_unit_test(db_fits_agree),
        cmocka_unit_test(db_limits),
    };
    return test_group("columns", tests, NULL, NULL) + test_group_db("columns", db_tests);
}
