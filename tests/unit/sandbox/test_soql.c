/* tests/unit/sandbox/test_soql.c - the sandbox's SOQL subset: the query
 * shapes connectors send, every literal kind, every refusal with its exact
 * message, WHERE evaluation and ORDER BY against json-c records, and the caps.
 * The cases are tables of data: a query and the expected message, or a
 * query, a record and whether it matches. */
#include <stdio.h>
#include <string.h>

#include <json-c/json_object.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/jsonx.h"
#include "sandbox/soql.h"
#include "test.h"

static struct soql *parse_ok(const char *text)
{
    struct soql *q = NULL;
    struct err e = {0};
    if (soql_parse(&q, text, strlen(text), &e) != 0)
        fail_msg("refused: %s\n  %s", e.msg, text);
    return q;
}

static struct json_object *json(const char *text)
{
    struct json_object *v = NULL;
    struct err e = {0};
    if (jsonx_parse(&v, text, strlen(text), 1 << 20, &e) != 0)
        fail_msg("test JSON does not parse: %s\n  %s", e.msg, text);
    return v;
}

/* ---- parsing ---- */

static void test_tap_salesforce_query(void **state)
{
    (void)state;
    struct soql *q = parse_ok("SELECT Id,Name,SystemModstamp FROM Account WHERE SystemModstamp >= "
                              "2024-01-01T00:00:00Z AND SystemModstamp < 2024-02-01T00:00:00Z "
                              "ORDER BY SystemModstamp ASC");
    assert_string_equal(soql_object(q), "Account");
    assert_int_equal(soql_nfields(q), 3);
    assert_string_equal(soql_field(q, 0), "Id");
    assert_string_equal(soql_field(q, 1), "Name");
    assert_string_equal(soql_field(q, 2), "SystemModstamp");
    assert_int_equal(soql_nwhere(q), 2);
    assert_string_equal(soql_where_field(q, 0), "SystemModstamp");
    assert_string_equal(soql_where_field(q, 1), "SystemModstamp");
    assert_int_equal(soql_norder(q), 1);
    assert_string_equal(soql_order_field(q, 0), "SystemModstamp");
    assert_int_equal(soql_limit(q), -1);
    assert_int_equal(soql_offset(q), -1);
    soql_free(q);

    /* The first page of a full sync: no WHERE; and a custom object. */
    q = parse_ok("SELECT Id, Amount__c, Account__r.Name FROM Invoice__c ORDER BY Id");
    assert_string_equal(soql_object(q), "Invoice__c");
    assert_int_equal(soql_nfields(q), 3);
    assert_string_equal(soql_field(q, 2), "Account__r.Name");
    assert_int_equal(soql_nwhere(q), 0);
    soql_free(q);
}

static void test_clauses_and_case(void **state)
{
    (void)state;
    struct soql *q = parse_ok("select id , NAME\n\tfrom contact where name like 'A%' And "
                              "isdeleted = FALSE order by LastName desc nulls first, Id "
                              "limit 10 offset 20");
    assert_string_equal(soql_object(q), "contact");
    assert_string_equal(soql_field(q, 0), "id");
    assert_string_equal(soql_field(q, 1), "NAME");
    assert_int_equal(soql_nwhere(q), 2);
    assert_int_equal(soql_norder(q), 2);
    assert_string_equal(soql_order_field(q, 1), "Id");
    assert_int_equal(soql_limit(q), 10);
    assert_int_equal(soql_offset(q), 20);
    soql_free(q);

    /* Every literal kind and operator parses. */
    static const char *const ok[] = {
        "SELECT Id FROM A WHERE S = 'it\\'s \\\"q\\\" \\\\ \\n\\r\\t\\b\\f\\N\\R\\T\\B\\F'",
        "SELECT Id FROM A WHERE S = ''",
        "SELECT Id FROM A WHERE N = 42 AND N != -7 AND N <> 0 AND N < 1.5 AND N <= -0.25",
        "SELECT Id FROM A WHERE N > 9223372036854775807 AND N >= -9223372036854775808",
        "SELECT Id FROM A WHERE B = true AND B != False AND B = TRUE",
        "SELECT Id FROM A WHERE X = null AND X != NULL",
        "SELECT Id FROM A WHERE D = 2024-03-05 AND D > 0001-01-01 AND D < 9999-12-31",
        "SELECT Id FROM A WHERE T = 2024-01-01T00:00:00Z",
        "SELECT Id FROM A WHERE T = 2024-01-01T00:00:00.000+0000",
        "SELECT Id FROM A WHERE T = 2024-01-01T05:30:00+05:30",
        "SELECT Id FROM A WHERE T = 2024-01-01T00:00:00.123-08:00",
        "SELECT Id FROM A WHERE S IN ('a', 'b') AND S NOT IN ('c') AND N in (1, 2.5, null)",
        "SELECT Id FROM A WHERE T IN (2024-01-01T00:00:00Z,2024-01-02T00:00:00Z)",
        "SELECT Id FROM A WHERE S LIKE 'a\\%b\\_c\\\\%'",
        "SELECT Id FROM A WHERE Account.Name = 'x' ORDER BY Account.Name",
        "SELECT Id FROM Order ORDER BY Id", /* Order is an object, not a keyword */
        "SELECT Id FROM A LIMIT 0",
        "SELECT Id FROM A OFFSET 2000",
        "SELECT Id FROM A WHERE N>=1AND N<=2",
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        soql_free(parse_ok(ok[i]));
}

static void test_limits(void **state)
{
    (void)state;
    struct soql *q = parse_ok("SELECT Id FROM A LIMIT 50000");
    assert_int_equal(soql_limit(q), 50000);
    soql_free(q);
    q = parse_ok("SELECT Id FROM A LIMIT 99999999999999999999999");
    assert_int_equal(soql_limit(q), SOQL_MAX_LIMIT);
    soql_free(q);
    q = parse_ok("SELECT Id FROM A LIMIT 50001 OFFSET 0");
    assert_int_equal(soql_limit(q), SOQL_MAX_LIMIT);
    assert_int_equal(soql_offset(q), 0);
    soql_free(q);
}

struct bad {
    const char *query;
    const char *message;
};

static const struct bad bad[] = {
    {"", "expected SELECT, got end of query at column 1"},
    {"   ", "expected SELECT, got end of query at column 4"},
    {"SELEC Id FROM A", "expected SELECT, got 'SELEC' at column 1"},
    {"SELECT FROM A", "expected a field name, got 'FROM' at column 8"},
    {"SELECT Id, FROM A", "expected a field name, got 'FROM' at column 12"},
    {"SELECT Id,, Name FROM A", "expected a field name, got ',' at column 11"},
    {"SELECT Id, Name FORM Account", "expected FROM after the field list, got 'FORM' at column 17"},
    {"SELECT Id Name FROM A", "expected FROM after the field list, got 'Name' at column 11"},
    {"SELECT Id", "expected FROM after the field list, got end of query at column 10"},
    {"SELECT Id FROM", "expected an object name after FROM, got end of query at column 15"},
    {"SELECT Id FROM 'A'", "expected an object name after FROM, got a string literal at column 16"},
    {"SELECT Id FROM A.B", "expected an object name after FROM, got 'A.B' at column 16"},
    {"SELECT Id FROM Where", "expected an object name after FROM, got 'Where' at column 16"},
    {"SELECT Id, id FROM A", "duplicate field selected: id at column 12"},
    {"SELECT COUNT() FROM A",
     "functions such as COUNT() are not supported by the sandbox's SOQL at column 8"},
    {"SELECT A.B.C FROM X",
     "only one level of relationship (Parent.Field) is supported at column 8"},
    {"SELECT A. FROM X", "expected a name after '.' at column 10"},
    {"SELECT _x FROM X", "unexpected character '_' at column 8"},
    {"SELECT Id FROM A WHERE", "expected a field name in WHERE, got end of query at column 23"},
    {"SELECT Id FROM A WHERE 1 = 1", "expected a field name in WHERE, got '1' at column 24"},
    {"SELECT Id FROM A WHERE (X = 1)",
     "parentheses in WHERE are not supported by the sandbox's SOQL at column 24"},
    {"SELECT Id FROM A WHERE X", "expected a comparison operator, got end of query at column 25"},
    {"SELECT Id FROM A WHERE X == 1", "expected a literal value, got '=' at column 27"},
    {"SELECT Id FROM A WHERE X ! 1", "unexpected character '!' at column 26"},
    {"SELECT Id FROM A WHERE X = ", "expected a literal value, got end of query at column 28"},
    {"SELECT Id FROM A WHERE X = Y", "expected a literal value, got 'Y' at column 28"},
    {"SELECT Id FROM A WHERE X = TODAY", "expected a literal value, got 'TODAY' at column 28"},
    {"SELECT Id FROM A WHERE X = \"a\"", "unexpected character '\"' at column 28"},
    {"SELECT Id FROM A WHERE Name = 'abc", "unterminated string literal starting at column 31"},
    {"SELECT Id FROM A WHERE Name = 'abc\\'", "unterminated string literal starting at column 31"},
    {"SELECT Id FROM A WHERE Name = 'ab\\qc'",
     "invalid escape sequence: backslash before 'q' at column 34"},
    {"SELECT Id FROM A WHERE Name = 'a\\%'",
     "escape sequence \\% is only valid in LIKE at column 33"},
    {"SELECT Id FROM A WHERE Name = 'a\\_'",
     "escape sequence \\_ is only valid in LIKE at column 33"},
    {"SELECT Id FROM A WHERE N = 99999999999999999999",
     "integer out of range '99999999999999999999' at column 28"},
    {"SELECT Id FROM A WHERE N = 1.00000000000000000000000000000000000000000000000000000000000000",
     "decimal longer than 63 bytes at column 28"},
    {"SELECT Id FROM A WHERE N > null", "null can only be compared with = or != at column 28"},
    {"SELECT Id FROM A WHERE N LIKE 5",
     "expected a string pattern after LIKE, got '5' at column 31"},
    {"SELECT Id FROM A WHERE N IN 'a'", "expected ( after IN, got a string literal at column 29"},
    {"SELECT Id FROM A WHERE N NOT 'a'",
     "expected IN after NOT, got a string literal at column 30"},
    {"SELECT Id FROM A WHERE N NOT IN 1", "expected ( after NOT IN, got '1' at column 33"},
    {"SELECT Id FROM A WHERE N IN ('a' 'b')",
     "expected , or ) in the IN list, got a string literal at column 34"},
    {"SELECT Id FROM A WHERE N IN ()", "expected a literal value, got ')' at column 30"},
    {"SELECT Id FROM A WHERE N IN ('a',",
     "expected a literal value, got end of query at column 34"},
    {"SELECT Id FROM A WHERE D = 2024-13-01", "invalid date literal '2024-13-01' at column 28"},
    {"SELECT Id FROM A WHERE D = 2024-02-30", "invalid date literal '2024-02-30' at column 28"},
    {"SELECT Id FROM A WHERE D = 2024-1-01", "invalid date literal at column 28"},
    {"SELECT Id FROM A WHERE T = 2024-01-01T25:00:00Z",
     "invalid datetime literal '2024-01-01T25:00:00Z' at column 28"},
    {"SELECT Id FROM A WHERE T = 2024-01-01T00:00:00",
     "invalid datetime literal '2024-01-01T00:00:00' at column 28"},
    {"SELECT Id FROM A WHERE A = 1 OR B = 2",
     "OR is not supported by the sandbox's SOQL at column 30"},
    {"SELECT Id FROM A GROUP BY Id", "GROUP is not supported by the sandbox's SOQL at column 18"},
    {"SELECT Id FROM A ORDER Id", "expected BY after ORDER, got 'Id' at column 24"},
    {"SELECT Id FROM A ORDER BY",
     "expected a field name in ORDER BY, got end of query at column 26"},
    {"SELECT Id FROM A ORDER BY Id NULLS", "expected FIRST or LAST after NULLS, got end of query "
                                           "at column 35"},
    {"SELECT Id FROM A ORDER BY Id DESC ASC", "unexpected token: 'ASC' at column 35"},
    {"SELECT Id FROM A LIMIT", "expected a non-negative integer after LIMIT, got end of query at "
                               "column 23"},
    {"SELECT Id FROM A LIMIT -1", "expected a non-negative integer after LIMIT, got '-1' at "
                                  "column 24"},
    {"SELECT Id FROM A LIMIT 1.5", "expected a non-negative integer after LIMIT, got '1.5' at "
                                   "column 24"},
    {"SELECT Id FROM A OFFSET x", "expected a non-negative integer after OFFSET, got 'x' at "
                                  "column 25"},
    {"SELECT Id FROM A OFFSET 2001", "maximum SOQL offset allowed is 2000 at column 25"},
    {"SELECT Id FROM A OFFSET 5 LIMIT 1", "unexpected token: 'LIMIT' at column 27"},
    {"SELECT Id FROM A LIMIT 1 LIMIT 2", "unexpected token: 'LIMIT' at column 26"},
    {"SELECT Id FROM A WHERE X = 1 ORDER BY Id WHERE Y = 2",
     "unexpected token: 'WHERE' at column 42"},
    {"SELECT Id FROM A junk", "unexpected token: 'junk' at column 18"},
    {"SELECT Id FROM A;", "unexpected character ';' at column 17"},
    {"SELECT Id FROM A WHERE N IN ('a'#", "unexpected character '#' at column 33"},
    {"SELECT Id FROM A WHERE N = 'a'#", "unexpected character '#' at column 31"},
    {"SELECT Id FROM A WHERE N LIKE 'a'#", "unexpected character '#' at column 34"},
    {"SELECT Id FROM A WHERE Name = 'x' \xc3\xa9", "unexpected character 0xC3 at column 35"},
    {"SELECT Id FROM A WHERE X = 1.", "unexpected character '.' at column 29"},
    {"SELECT Id FROM A WHERE X = -", "unexpected character '-' at column 28"},
    {"SELECT Id FROM A WHERE X = 1 AND", "expected a field name in WHERE, got end of query at "
                                         "column 33"},
};

static void test_errors(void **state)
{
    (void)state;
    int failed = 0;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct soql *q = NULL;
        struct err e = {0};
        int rc = soql_parse(&q, bad[i].query, strlen(bad[i].query), &e);
        if (rc != ERR_INVALID || e.code != ERR_INVALID || q || strcmp(e.msg, bad[i].message)) {
            print_error("%s\n  got      %d %s\n  expected %s\n", bad[i].query, rc, e.msg,
                        bad[i].message);
            failed++;
        }
        soql_free(q);
    }
    assert_int_equal(failed, 0);

    /* A NUL byte inside the text is a character like any other bad one. */
    struct soql *q = NULL;
    struct err e = {0};
    assert_int_equal(soql_parse(&q, "SELECT Id\0 FROM A", 17, &e), ERR_INVALID);
    assert_string_equal(e.msg, "unexpected character 0x00 at column 10");
    assert_int_equal(soql_parse(&q, "SELECT Id FROM A WHERE N = 'a\0b", 31, &e), ERR_INVALID);
    assert_string_equal(e.msg, "unterminated string literal starting at column 28");
    assert_int_equal(soql_parse(&q, "SELECT Id FROM A WHERE N = 'a\\\0'", 32, &e), ERR_INVALID);
    assert_string_equal(e.msg, "invalid escape sequence: backslash before 0x00 at column 30");
    /* A long name is cut in the message. */
    assert_int_equal(soql_parse(&q,
                                "SELECT Id FROM A x123456789x123456789x123456789x123456789"
                                "x123456789",
                                67, &e),
                     ERR_INVALID);
    assert_string_equal(e.msg, "unexpected token: 'x123456789x123456789x123456789x123456789...' at "
                               "column 18");
    assert_null(q);
}

/* head, then n items "<name><i><suffix>" joined by sep, then tail: a SELECT
 * list of n fields, a WHERE of n conditions or an ORDER BY of n keys. */
static char *build(const char *head, const char *name, const char *suffix, const char *sep,
                   size_t n, const char *tail)
{
    struct buf b;
    buf_init(&b, 1 << 20);
    buf_puts(&b, head);
    for (size_t i = 0; i < n; i++)
        buf_printf(&b, "%s%s%zu%s", i ? sep : "", name, i, suffix);
    buf_puts(&b, tail);
    assert_false(buf_failed(&b));
    return buf_take(&b);
}

static void expect_cap(const char *text, bool ok, const char *message)
{
    struct soql *q = NULL;
    struct err e = {0};
    int rc = soql_parse(&q, text, strlen(text), &e);
    if (ok) {
        if (rc != 0)
            fail_msg("refused: %s", e.msg);
        soql_free(q);
        return;
    }
    assert_int_equal(rc, ERR_INVALID);
    assert_string_equal(e.msg, message);
}

static void test_caps(void **state)
{
    (void)state;
    char *s = build("SELECT ", "F", "", ",", SOQL_MAX_FIELDS, " FROM A");
    expect_cap(s, true, NULL);
    xfree(s);
    s = build("SELECT ", "F", "", ",", SOQL_MAX_FIELDS + 1, " FROM A");
    expect_cap(s, false, "more than 500 fields in SELECT at column 2398");
    xfree(s);

    s = build("SELECT Id FROM A WHERE ", "F", " = 1", " AND ", SOQL_MAX_CONDS, "");
    expect_cap(s, true, NULL);
    xfree(s);
    s = build("SELECT Id FROM A WHERE ", "F", " = 1", " AND ", SOQL_MAX_CONDS + 1, "");
    expect_cap(s, false, "more than 50 conditions in WHERE at column 614");
    xfree(s);

    s = build("SELECT Id FROM A ORDER BY ", "F", "", ", ", SOQL_MAX_ORDER, "");
    expect_cap(s, true, NULL);
    xfree(s);
    s = build("SELECT Id FROM A ORDER BY ", "F", "", ", ", SOQL_MAX_ORDER + 1, "");
    expect_cap(s, false, "more than 32 fields in ORDER BY at column 177");
    xfree(s);

    /* Names up to 255 bytes. */
    char name[300];
    memset(name, 'a', sizeof(name));
    name[SOQL_MAX_NAME - 1] = '\0'; /* and the digit 0 makes 255 */
    s = build("SELECT ", name, "", "", 1, " FROM A");
    expect_cap(s, true, NULL);
    xfree(s);
    name[SOQL_MAX_NAME - 1] = 'a';
    name[SOQL_MAX_NAME] = '\0';
    s = build("SELECT ", name, "", "", 1, " FROM A");
    expect_cap(s, false, "name longer than 255 bytes at column 8");
    xfree(s);

    /* The text: 100000 bytes is fine, one more is not. */
    char *text = xmalloc(SOQL_MAX_BYTES + 1);
    memset(text, ' ', SOQL_MAX_BYTES + 1);
    memcpy(text, "SELECT Id FROM A", 16);
    struct soql *q = NULL;
    struct err e = {0};
    assert_int_equal(soql_parse(&q, text, SOQL_MAX_BYTES, &e), 0);
    soql_free(q);
    q = NULL;
    assert_int_equal(soql_parse(&q, text, SOQL_MAX_BYTES + 1, &e), ERR_INVALID);
    assert_string_equal(e.msg, "SOQL statements cannot be longer than 100000 characters");
    assert_null(q);
    xfree(text);
}

/* ---- WHERE ---- */

struct match_case {
    const char *where; /* after "SELECT Id FROM A WHERE " */
    const char *record;
    bool want;
};

#define REC                                                                                        \
    "{\"Id\":\"001\",\"Name\":\"Acme Corp\",\"N\":42,\"D\":2.5,\"B\":true,\"Z\":null,"             \
    "\"Close\":\"2024-03-05\",\"Mod\":\"2024-01-01T00:00:00.000+0000\","                           \
    "\"Account\":{\"Name\":\"Parent Inc\"},\"Big\":9007199254740993}"

static const struct match_case matches[] = {
    /* the incremental window: >= includes the same instant written differently */
    {"Mod >= 2024-01-01T00:00:00Z", REC, true},
    {"Mod > 2024-01-01T00:00:00Z", REC, false},
    {"Mod <= 2024-01-01T00:00:00Z", REC, true},
    {"Mod < 2024-01-01T00:00:00Z", REC, false},
    {"Mod = 2024-01-01T05:30:00+05:30", REC, true},
    {"Mod = 2023-12-31T16:00:00.000-0800", REC, true},
    {"Mod >= 2024-01-01T00:00:00.001Z", REC, false},
    {"Mod >= 2023-12-01T00:00:00Z AND Mod < 2024-02-01T00:00:00Z", REC, true},
    {"Mod >= 2024-01-01T00:00:00Z AND Mod < 2024-01-01T00:00:00Z", REC, false},
    {"Mod IN (2024-01-01T00:00:00Z)", REC, true},
    /* a date literal against a date field; against a datetime field it is a mismatch */
    {"Close = 2024-03-05", REC, true},
    {"Close > 2024-03-04 AND Close < 2024-03-06", REC, true},
    {"Close >= 2024-03-06", REC, false},
    {"Mod >= 2023-01-01", REC, false},
    {"Close >= 2024-03-05T00:00:00Z", REC, false},
    /* strings: = != IN LIKE without case; order by bytes */
    {"Name = 'acme corp'", REC, true},
    {"Name = 'ACME CORP'", REC, true},
    {"Name = 'Acme'", REC, false},
    {"Name != 'ACME corp'", REC, false},
    {"Name <> 'Other'", REC, true},
    {"Name > 'Acme'", REC, true},
    {"Name < 'B'", REC, true},
    {"Name < 'a'", REC, true}, /* 'A' (0x41) sorts before 'a' (0x61) */
    {"Name >= 'acme corp'", REC, false},
    {"Name IN ('x', 'ACME CORP')", REC, true},
    {"Name NOT IN ('x', 'ACME CORP')", REC, false},
    {"Name NOT IN ('x', 'y')", REC, true},
    {"Name LIKE 'acme%'", REC, true},
    {"Name LIKE '%CORP'", REC, true},
    {"Name LIKE '%e C%'", REC, true},
    {"Name LIKE 'Acme_Corp'", REC, true},
    {"Name LIKE 'Acme__Corp'", REC, false},
    {"Name LIKE 'Acme'", REC, false},
    {"Name LIKE '%'", REC, true},
    {"Name LIKE '%%%p'", REC, true},
    {"Name LIKE 'Acme\\_Corp'", REC, false},
    {"Name LIKE 'a\\%'", "{\"Name\":\"A%\"}", true},
    {"Name LIKE 'a\\%'", "{\"Name\":\"Ab\"}", false},
    {"Name LIKE 'a\\_b'", "{\"Name\":\"a_B\"}", true},
    {"Name LIKE 'a\\\\%'", "{\"Name\":\"a\\\\xyz\"}", true},
    {"Name LIKE '_'", "{\"Name\":\"\xc3\xa9\"}", true}, /* one character, two bytes */
    {"Name LIKE 'it\\'s'", "{\"Name\":\"IT'S\"}", true},
    {"Name = 'a\\nb'", "{\"Name\":\"a\\nb\"}", true},
    {"Name LIKE '%'", "{\"Name\":\"\"}", true},
    {"Name LIKE '%'", "{\"Name\":null}", false},
    /* numbers, integer or decimal on either side */
    {"N = 42", REC, true},
    {"N = 42.0", REC, true},
    {"N > 41.99 AND N < 42.01", REC, true},
    {"N >= -1", REC, true},
    {"N != 42", REC, false},
    {"D = 2.5", REC, true},
    {"D > 2", REC, true},
    {"D < 3", REC, true},
    {"D IN (1, 2.5)", REC, true},
    {"Big = 9007199254740993", REC, true}, /* exact as integers, not through double */
    {"Big != 9007199254740992", REC, true},
    /* booleans */
    {"B = true", REC, true},
    {"B = FALSE", REC, false},
    {"B != false", REC, true},
    {"B > false", REC, true},
    /* null, JSON null and missing alike */
    {"Z = null", REC, true},
    {"Missing = null", REC, true},
    {"Name = null", REC, false},
    {"Z != null", REC, false},
    {"Name != null", REC, true},
    {"Z = 'x'", REC, false},
    {"Z != 'x'", REC, true},
    {"Missing != 5", REC, true},
    {"Z < 5", REC, false},
    {"Z >= 2024-01-01T00:00:00Z", REC, false},
    {"Z IN ('a', null)", REC, true},
    {"Z IN ('a')", REC, false},
    {"Z NOT IN ('a')", REC, true},
    {"Z NOT IN ('a', null)", REC, false},
    /* type mismatches never match, whatever the operator */
    {"N = '42'", REC, false},
    {"N != '42'", REC, false},
    {"Name = 42", REC, false},
    {"Name != 42", REC, false},
    {"B = 'true'", REC, false},
    {"Name NOT IN (1)", REC, false},
    {"Name >= 2024-01-01T00:00:00Z", REC, false},
    {"N LIKE '4%'", REC, false},
    {"Account = 'x'", REC, false},
    {"Account != 'x'", REC, false},
    /* field names ignore case; relationships look into the parent */
    {"name = 'Acme Corp' AND n = 42 AND MOD >= 2024-01-01T00:00:00Z", REC, true},
    {"Account.Name = 'parent inc'", REC, true},
    {"account.NAME LIKE 'Parent%'", REC, true},
    {"Owner.Name = null", REC, true},
    {"Name.Length = null", REC, true},
    {"Id = '001' AND N = 43", REC, false},
    /* a record that is not an object: every field is null */
    {"Name = null", "[1]", true},
    {"Name = null", "\"x\"", true},
};

static void test_match(void **state)
{
    (void)state;
    int failed = 0;
    for (size_t i = 0; i < sizeof(matches) / sizeof(matches[0]); i++) {
        char text[512];
        snprintf(text, sizeof(text), "SELECT Id FROM A WHERE %s", matches[i].where);
        struct soql *q = parse_ok(text);
        struct json_object *rec = json(matches[i].record);
        if (soql_match(q, rec) != matches[i].want) {
            print_error("%s\n  on %s\n  expected %s\n", text, matches[i].record,
                        matches[i].want ? "a match" : "no match");
            failed++;
        }
        json_object_put(rec);
        soql_free(q);
    }
    assert_int_equal(failed, 0);

    /* No WHERE: everything matches, even NULL (JSON null). */
    struct soql *q = parse_ok("SELECT Id FROM A");
    assert_true(soql_match(q, NULL));
    soql_free(q);
}

/* ---- ORDER BY ---- */

/* Stable insertion sort of recs by q; returns the Ids joined with spaces. */
static void sort_ids(char *out, size_t cap, const char *query, const char *records)
{
    struct soql *q = parse_ok(query);
    struct json_object *arr = json(records);
    size_t n = jsonx_len(arr);
    struct json_object *v[16];
    assert_true(n <= 16);
    for (size_t i = 0; i < n; i++) {
        struct json_object *x = jsonx_at(arr, i);
        size_t j = i;
        for (; j > 0 && soql_compare(q, v[j - 1], x) > 0; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(out);
        snprintf(out + len, cap - len, "%s%s", i ? " " : "", jsonx_str(jsonx_get(v[i], "Id")));
    }
    /* antisymmetry on every pair */
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            int a = soql_compare(q, v[i], v[j]), b = soql_compare(q, v[j], v[i]);
            assert_true((a > 0) == (b < 0) && (a == 0) == (b == 0));
        }
    json_object_put(arr);
    soql_free(q);
}

static const char *const people =
    "[{\"Id\":\"1\",\"Name\":\"bob\",\"N\":3,\"T\":\"2024-01-01T01:00:00.000+0000\"},"
    "{\"Id\":\"2\",\"Name\":null,\"N\":1.5,\"T\":\"2024-01-01T00:30:00.000+0000\"},"
    "{\"Id\":\"3\",\"Name\":\"Alice\",\"N\":-2,\"T\":\"2024-01-01T05:00:00.000+0500\"},"
    "{\"Id\":\"4\",\"N\":3,\"T\":\"2024-01-01T00:00:00.000+0000\"},"
    "{\"Id\":\"5\",\"Name\":\"ALICE\",\"N\":10,\"T\":\"2024-01-01T00:00:00Z\"}]";

static void test_compare(void **state)
{
    (void)state;
    static const struct {
        const char *order;
        const char *ids;
    } cases[] = {
        /* nulls (and missing) first for ASC, last for DESC; ties keep input order */
        {"Name", "2 4 3 5 1"},
        {"Name ASC", "2 4 3 5 1"},
        {"Name DESC", "1 3 5 2 4"},
        {"Name ASC NULLS LAST", "3 5 1 2 4"},
        {"Name DESC NULLS FIRST", "2 4 1 3 5"},
        {"name desc, Id desc", "1 5 3 4 2"},
        /* numbers numerically, integer and decimal mixed */
        {"N", "3 2 1 4 5"},
        {"N DESC, Id", "5 1 4 2 3"},
        /* instants, whatever their offsets */
        {"T", "3 4 5 2 1"},
        {"T DESC", "1 2 3 4 5"},
        {"T, Id DESC", "5 4 3 2 1"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char query[128], ids[64];
        snprintf(query, sizeof(query), "SELECT Id FROM A ORDER BY %s", cases[i].order);
        sort_ids(ids, sizeof(ids), query, people);
        if (strcmp(ids, cases[i].ids) != 0)
            fail_msg("%s: got %s, expected %s", query, ids, cases[i].ids);
    }

    /* Mixed types keep a total order: boolean, number, instant, string, array, object. */
    char ids[64];
    sort_ids(ids, sizeof(ids), "SELECT Id FROM A ORDER BY V",
             "[{\"Id\":\"o\",\"V\":{}},{\"Id\":\"s\",\"V\":\"x\"},{\"Id\":\"a\",\"V\":[1]},"
             "{\"Id\":\"t\",\"V\":\"2024-01-01T00:00:00Z\"},{\"Id\":\"n\",\"V\":1},"
             "{\"Id\":\"b\",\"V\":true},{\"Id\":\"f\",\"V\":false},{\"Id\":\"z\"}]");
    assert_string_equal(ids, "z f b n t s a o");
    /* Relationship fields. */
    sort_ids(ids, sizeof(ids), "SELECT Id FROM A ORDER BY Account.Name DESC",
             "[{\"Id\":\"1\",\"Account\":{\"Name\":\"a\"}},{\"Id\":\"2\",\"Account\":null},"
             "{\"Id\":\"3\",\"Account\":{\"Name\":\"b\"}}]");
    assert_string_equal(ids, "3 1 2");

    /* No ORDER BY: all equal. */
    struct soql *q = parse_ok("SELECT Id FROM A");
    struct json_object *a = json("{\"Id\":\"1\"}"), *b = json("{\"Id\":\"2\"}");
    assert_int_equal(soql_compare(q, a, b), 0);
    json_object_put(a);
    json_object_put(b);
    soql_free(q);
}

int test_soql(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tap_salesforce_query),
        cmocka_unit_test(test_clauses_and_case),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_caps),
        cmocka_unit_test(test_match),
        cmocka_unit_test(test_compare),
    };
    return test_group("soql", tests, NULL, NULL);
}
