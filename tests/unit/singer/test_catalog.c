/* tests/unit/singer/test_catalog.c - Singer catalogs: the catalog
 * tap-counter discovers, a richer one with several streams and nested
 * fields, every refusal of catalog_parse with its exact message, merging a
 * new discovery into a stored catalog (choices kept, defaults for what is
 * new, automatic and unsupported fields, streams and fields dropped),
 * selecting by name, all and none, sync modes (names and labels, what each
 * stream supports and why not, defaults, choosing them, merging them), and
 * the round trip through catalog_format and catalog_parse. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json_object.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/jsonx.h"
#include "singer/catalog.h"
#include "test.h"

/* Four streams: nested fields, an unsupported one, a tap's own members
 * (kept), a stream without "stream" (filled in), one without metadata but
 * with the legacy top-level "selected", and an automatic stream. */
static const char rich[] =
    "{\"streams\":["
    "{\"tap_stream_id\":\"public-users\",\"stream\":\"users\",\"schema\":{\"type\":\"object\","
    "\"properties\":{\"id\":{\"type\":\"integer\"},\"email\":{\"type\":\"string\"},"
    "\"address\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"},"
    "\"zip\":{\"type\":\"string\"}}},\"blob\":{}}},\"key_properties\":[\"id\"],"
    "\"x-tap-own\":{\"keep\":[1,2.50]},\"metadata\":["
    "{\"breadcrumb\":[],\"metadata\":{\"inclusion\":\"available\",\"selected-by-default\":true,"
    "\"table-key-properties\":[\"id\"],\"valid-replication-keys\":[\"updated_at\",\"id\"],"
    "\"schema-name\":\"public\"}},"
    "{\"breadcrumb\":[\"properties\",\"id\"],\"metadata\":{\"inclusion\":\"automatic\"}},"
    "{\"breadcrumb\":[\"properties\",\"email\"],\"metadata\":{\"inclusion\":\"available\","
    "\"selected-by-default\":true}},"
    "{\"breadcrumb\":[\"properties\",\"address\"],\"metadata\":{\"inclusion\":\"available\"}},"
    "{\"breadcrumb\":[\"properties\",\"address\",\"properties\",\"city\"],\"metadata\":"
    "{\"inclusion\":\"available\",\"selected-by-default\":true}},"
    "{\"breadcrumb\":[\"properties\",\"address\",\"properties\",\"zip\"],\"metadata\":"
    "{\"inclusion\":\"available\"}},"
    "{\"breadcrumb\":[\"properties\",\"blob\"],\"metadata\":{\"inclusion\":\"unsupported\","
    "\"selected-by-default\":true}}]},"
    "{\"tap_stream_id\":\"orders\",\"schema\":{\"type\":\"object\",\"properties\":{\"id\":"
    "{\"type\":\"integer\"},\"total\":{\"type\":\"number\"}}},\"key_properties\":[],"
    "\"metadata\":[{\"breadcrumb\":[],\"metadata\":{\"inclusion\":\"available\","
    "\"forced-replication-method\":\"FULL_TABLE\"}},"
    "{\"breadcrumb\":[\"properties\",\"total\"],\"metadata\":{\"inclusion\":\"available\","
    "\"selected-by-default\":false}}]},"
    "{\"tap_stream_id\":\"events\",\"stream\":\"events\",\"schema\":{},\"selected\":true},"
    "{\"tap_stream_id\":\"audit\",\"stream\":\"audit\",\"schema\":{\"type\":\"object\"},"
    "\"metadata\":[{\"breadcrumb\":[],\"metadata\":{\"inclusion\":\"automatic\"}}]}]}";

static struct json_object *parse_ok(const char *text)
{
    struct json_object *cat = NULL;
    struct err e = {0};

    if (catalog_parse(&cat, text, strlen(text), &e) != 0)
        fail_msg("catalog_parse: %s", e.msg);
    assert_non_null(cat);
    return cat;
}

/* cat as compact JSON, xfree'd by the caller. */
static char *text_of(const struct json_object *cat)
{
    struct buf b;

    buf_init(&b, 0);
    catalog_format(&b, cat);
    assert_false(buf_failed(&b));
    return buf_take(&b);
}

static void put_flag(struct buf *b, const struct json_object *meta)
{
    const struct json_object *v = jsonx_get(meta, "selected");
    buf_puts(b, !json_object_is_type(v, json_type_boolean) ? "?"
                : json_object_get_boolean(v)               ? "1"
                                                           : "0");
}

/* Every selection in cat on one line: "id=S field=S a.b=S; id2=S", where S
 * is 1, 0 or ? (not written down), the stream's from catalog_stream_selected
 * plus its metadata's own flag, fields in metadata order by their dotted
 * names. */
static void summary(struct buf *b, const struct json_object *cat)
{
    buf_reset(b);
    for (size_t i = 0; i < catalog_count(cat); i++) {
        const struct json_object *s = catalog_stream(cat, i);
        const struct json_object *md = jsonx_get(s, "metadata");
        buf_printf(b, "%s%s=%d", i ? "; " : "", catalog_stream_id(s), catalog_stream_selected(s));
        put_flag(b, catalog_stream_meta(s));
        for (size_t j = 0; j < jsonx_len(md); j++) {
            const struct json_object *bc = jsonx_get(jsonx_at(md, j), "breadcrumb");
            if (jsonx_len(bc) == 0)
                continue;
            buf_putc(b, ' ');
            for (size_t k = 1; k < jsonx_len(bc); k += 2)
                buf_printf(b, "%s%s", k > 1 ? "." : "", jsonx_str(jsonx_at(bc, k)));
            buf_putc(b, '=');
            put_flag(b, jsonx_get(jsonx_at(md, j), "metadata"));
        }
    }
}

#define assert_summary(cat, want)                                                                  \
    do {                                                                                           \
        struct buf sb_;                                                                            \
        buf_init(&sb_, 0);                                                                         \
        summary(&sb_, (cat));                                                                      \
        assert_string_equal(buf_cstr(&sb_), (want));                                               \
        buf_dispose(&sb_);                                                                         \
    } while (0)

/* ---- the catalog a real tap prints ---- */

/* tap-counter --discover's output, its newline removed (xfree). */
static char *discover_counter(void)
{
    char *dir = test_tmpdir(), path[512], cmd[1200], *out;
    struct buf b;
    char chunk[4096];
    size_t r;

    assert_non_null(dir);
    snprintf(path, sizeof(path), "%s/config.json", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("{}", f);
    fclose(f);
    snprintf(cmd, sizeof(cmd), "tests/fixtures/taps/tap-counter --config %s --discover", path);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    buf_init(&b, 0);
    while ((r = fread(chunk, 1, sizeof(chunk), p)) > 0)
        buf_put(&b, chunk, r);
    assert_int_equal(pclose(p), 0);
    test_tmpdir_remove(dir);
    xfree(dir);
    out = buf_take(&b);
    assert_non_null(out);
    assert_true(strlen(out) > 0 && out[strlen(out) - 1] == '\n');
    out[strlen(out) - 1] = '\0';
    return out;
}

static void tap_counter(void **state)
{
    (void)state;
    char *text = discover_counter(), *again;
    struct json_object *cat = parse_ok(text), *s, *meta;

    assert_int_equal(catalog_count(cat), 1);
    s = catalog_stream(cat, 0);
    assert_string_equal(catalog_stream_id(s), "items");
    assert_string_equal(catalog_stream_name(s), "items");
    assert_ptr_equal(catalog_stream_by_id(cat, "items"), s);
    assert_null(catalog_stream_by_id(cat, "item"));
    assert_null(catalog_stream(cat, 1));
    meta = catalog_stream_meta(s);
    assert_string_equal(jsonx_str(jsonx_get(meta, "forced-replication-method")), "INCREMENTAL");
    assert_false(catalog_stream_selected(s)); /* discovery selects nothing */

    /* Written back unchanged: nothing added, members in their order. */
    again = text_of(cat);
    assert_string_equal(again, text);
    xfree(again);

    /* First discovery: the defaults. The stream is selected by default, id
     * is automatic, the other two fields are merely available. */
    assert_int_equal(catalog_merge(cat, NULL), 1);
    assert_summary(cat, "items=11 id=1 name=0 amount=0");
    assert_true(catalog_stream_selected(s));
    /* The user picks every field; a rediscovery keeps that. */
    assert_int_equal(catalog_select(cat, (const char *const[]){"items"}, 1, false, NULL), 0);
    assert_summary(cat, "items=11 id=1 name=1 amount=1");
    struct json_object *fresh = parse_ok(text);
    assert_int_equal(catalog_merge(fresh, cat), 1);
    assert_summary(fresh, "items=11 id=1 name=1 amount=1");
    json_object_put(fresh);
    json_object_put(cat);
    xfree(text);
}

/* ---- parsing ---- */

static void rich_catalog(void **state)
{
    (void)state;
    struct json_object *cat = parse_ok(rich), *s;
    char *text;

    assert_int_equal(catalog_count(cat), 4);
    s = catalog_stream(cat, 0);
    assert_string_equal(catalog_stream_id(s), "public-users");
    assert_string_equal(catalog_stream_name(s), "users");
    assert_string_equal(jsonx_str(jsonx_get(catalog_stream_meta(s), "schema-name")), "public");
    /* "stream" was absent: it is tap_stream_id now, and written out. */
    s = catalog_stream_by_id(cat, "orders");
    assert_ptr_equal(s, catalog_stream(cat, 1));
    assert_string_equal(jsonx_str(jsonx_get(s, "stream")), "orders");
    /* No metadata: the legacy flag decides. */
    s = catalog_stream(cat, 2);
    assert_null(catalog_stream_meta(s));
    assert_true(catalog_stream_selected(s));
    assert_false(catalog_stream_selected(catalog_stream(cat, 3)));
    assert_summary(cat, "public-users=0? id=? email=? address=? address.city=? address.zip=? "
                        "blob=?; orders=0? total=?; events=1?; audit=0?");

    /* The tap's own members, and decimals as written. */
    text = text_of(cat);
    assert_non_null(strstr(text, "\"x-tap-own\":{\"keep\":[1,2.50]}"));
    assert_non_null(strstr(text, "\"tap_stream_id\":\"orders\",\"schema\""));
    assert_non_null(strstr(text, "\"key_properties\":[],\"metadata\""));
    assert_non_null(strstr(text, "\"stream\":\"orders\"}"));
    xfree(text);
    json_object_put(cat);

    /* Nulls stand for absent members. */
    cat = parse_ok("{\"streams\":[{\"tap_stream_id\":\"a\",\"stream\":null,\"schema\":{},"
                   "\"key_properties\":null,\"metadata\":null,\"selected\":null}],\"x\":1}");
    assert_string_equal(catalog_stream_name(catalog_stream(cat, 0)), "a");
    assert_false(catalog_stream_selected(catalog_stream(cat, 0)));
    json_object_put(cat);
    cat = parse_ok("{\"streams\":[{\"tap_stream_id\":\"a\",\"schema\":{},\"metadata\":[{"
                   "\"breadcrumb\":[],\"metadata\":{\"selected\":null,\"inclusion\":null,"
                   "\"replication-key\":null,\"x\":[]}}]}]}");
    assert_summary(cat, "a=0?");
    json_object_put(cat);
    cat = parse_ok("{\"streams\":[]}");
    assert_int_equal(catalog_count(cat), 0);
    assert_null(catalog_stream(cat, 0));
    json_object_put(cat);
}

/* Metadata comes before the legacy flag, as in singer-python. */
static void legacy_selected(void **state)
{
    (void)state;
    struct json_object *cat =
        parse_ok("{\"streams\":[{\"tap_stream_id\":\"a\",\"schema\":{},\"selected\":true,"
                 "\"metadata\":[{\"breadcrumb\":[],\"metadata\":{\"selected\":false}}]},"
                 "{\"tap_stream_id\":\"b\",\"schema\":{},\"selected\":true,"
                 "\"metadata\":[{\"breadcrumb\":[],\"metadata\":{}}]},"
                 "{\"tap_stream_id\":\"c\",\"schema\":{},\"selected\":false,"
                 "\"metadata\":[{\"breadcrumb\":[],\"metadata\":{\"selected\":true}}]}]}");

    assert_false(catalog_stream_selected(catalog_stream(cat, 0)));
    assert_true(catalog_stream_selected(catalog_stream(cat, 1)));
    assert_true(catalog_stream_selected(catalog_stream(cat, 2)));
    /* Selecting writes both, so that old taps agree. */
    assert_int_equal(catalog_select(cat, (const char *const[]){"a"}, 1, false, NULL), 0);
    for (size_t i = 0; i < 3; i++) {
        const struct json_object *s = catalog_stream(cat, i);
        bool want = i == 0;
        assert_int_equal(catalog_stream_selected(s), want);
        assert_int_equal(json_object_get_boolean(jsonx_get(s, "selected")), want);
        assert_int_equal(json_object_get_boolean(jsonx_get(catalog_stream_meta(s), "selected")),
                         want);
    }
    json_object_put(cat);
}

#define ONE(body)   "{\"streams\":[{\"tap_stream_id\":\"a\",\"schema\":{}" body "}]}"
#define MD(entries) ONE(",\"metadata\":[" entries "]")

static const struct {
    const char *text;
    const char *msg;
} refusals[] = {
    {"[]", "expected a JSON object, got array"},
    {"null", "expected a JSON object, got null"},
    {"{}", "/streams: missing"},
    {"{\"streams\":{}}", "/streams: expected an array, got object"},
    {"{\"streams\":null}", "/streams: expected an array, got null"},
    {"{\"streams\":[{\"tap_stream_id\":\"a\",\"schema\":{}},1]}",
     "/streams/1: expected an object, got integer"},
    {"{\"streams\":[{\"schema\":{}}]}", "/streams/0/tap_stream_id: missing"},
    {"{\"streams\":[{\"tap_stream_id\":5,\"schema\":{}}]}",
     "/streams/0/tap_stream_id: expected a non-empty string, got integer"},
    {"{\"streams\":[{\"tap_stream_id\":1.5,\"schema\":{}}]}",
     "/streams/0/tap_stream_id: expected a non-empty string, got number"},
    {"{\"streams\":[{\"tap_stream_id\":null,\"schema\":{}}]}",
     "/streams/0/tap_stream_id: expected a non-empty string, got null"},
    {"{\"streams\":[{\"tap_stream_id\":\"\",\"schema\":{}}]}",
     "/streams/0/tap_stream_id: expected a non-empty string, got \"\""},
    {"{\"streams\":[{\"tap_stream_id\":\"a\\u0000b\",\"schema\":{}}]}",
     "/streams/0/tap_stream_id: contains \\u0000"},
    {"{\"streams\":[{\"tap_stream_id\":\"a\",\"schema\":{}},{\"tap_stream_id\":\"items\","
     "\"schema\":{}},{\"tap_stream_id\":\"c\",\"schema\":{}},{\"tap_stream_id\":\"d\","
     "\"schema\":{}},{\"tap_stream_id\":\"items\",\"schema\":{}}]}",
     "/streams/4/tap_stream_id: \"items\" appears twice (also /streams/1)"},
    {"{\"streams\":[{\"tap_stream_id\":\"\\\"q\\\"\\n\",\"schema\":{}},"
     "{\"tap_stream_id\":\"\\\"q\\\"\\n\",\"schema\":{}}]}",
     "/streams/1/tap_stream_id: \"\\\"q\\\"\\n\" appears twice (also /streams/0)"},
    {"{\"streams\":[{\"tap_stream_id\":\"" /* 70 bytes: the message shows 64 */
     "0123456789012345678901234567890123456789012345678901234567890123456789\",\"schema\":{}},"
     "{\"tap_stream_id\":\""
     "0123456789012345678901234567890123456789012345678901234567890123456789\",\"schema\":{}}]}",
     "/streams/1/tap_stream_id: "
     "\"0123456789012345678901234567890123456789012345678901234567890123\"... appears twice "
     "(also /streams/0)"},
    {ONE(",\"stream\":3"), "/streams/0/stream: expected a non-empty string, got integer"},
    {ONE(",\"stream\":\"\""), "/streams/0/stream: expected a non-empty string, got \"\""},
    {"{\"streams\":[{\"tap_stream_id\":\"a\"}]}", "/streams/0/schema: missing"},
    {"{\"streams\":[{\"tap_stream_id\":\"a\",\"schema\":[]}]}",
     "/streams/0/schema: expected an object, got array"},
    {"{\"streams\":[{\"tap_stream_id\":\"a\",\"schema\":null}]}",
     "/streams/0/schema: expected an object, got null"},
    {"{\"streams\":[{\"tap_stream_id\":\"a\",\"schema\":true}]}",
     "/streams/0/schema: expected an object, got boolean"},
    {ONE(",\"key_properties\":\"id\""),
     "/streams/0/key_properties: expected an array of strings, got string"},
    {ONE(",\"key_properties\":[\"id\",1]"),
     "/streams/0/key_properties/1: expected a non-empty string, got integer"},
    {ONE(",\"key_properties\":[\"\"]"),
     "/streams/0/key_properties/0: expected a non-empty string, got \"\""},
    {ONE(",\"selected\":\"yes\""), "/streams/0/selected: expected a boolean, got string"},
    {ONE(",\"metadata\":{}"), "/streams/0/metadata: expected an array, got object"},
    {MD("1"), "/streams/0/metadata/0: expected an object, got integer"},
    {MD("{\"metadata\":{}}"), "/streams/0/metadata/0/breadcrumb: missing"},
    {MD("{\"breadcrumb\":\"x\",\"metadata\":{}}"),
     "/streams/0/metadata/0/breadcrumb: expected an array, got string"},
    {MD("{\"breadcrumb\":null,\"metadata\":{}}"),
     "/streams/0/metadata/0/breadcrumb: expected an array, got null"},
    {MD("{\"breadcrumb\":[\"properties\",1],\"metadata\":{}}"),
     "/streams/0/metadata/0/breadcrumb/1: expected a string, got integer"},
    {MD("{\"breadcrumb\":[\"items\",\"a\"],\"metadata\":{}}"),
     "/streams/0/metadata/0/breadcrumb/0: expected \"properties\""},
    {MD("{\"breadcrumb\":[\"properties\",\"a\",\"items\",\"b\"],\"metadata\":{}}"),
     "/streams/0/metadata/0/breadcrumb/2: expected \"properties\""},
    {MD("{\"breadcrumb\":[\"properties\"],\"metadata\":{}}"),
     "/streams/0/metadata/0/breadcrumb: expected pairs of \"properties\" and a name, got 1 "
     "element"},
    {MD("{\"breadcrumb\":[\"properties\",\"a\",\"properties\"],\"metadata\":{}}"),
     "/streams/0/metadata/0/breadcrumb: expected pairs of \"properties\" and a name, got 3 "
     "elements"},
    {MD("{\"breadcrumb\":[\"properties\",\"id\"],\"metadata\":{}},"
        "{\"breadcrumb\":[],\"metadata\":{}},"
        "{\"breadcrumb\":[\"properties\",\"id\"],\"metadata\":{}}"),
     "/streams/0/metadata/2/breadcrumb: [\"properties\",\"id\"] appears twice "
     "(also /streams/0/metadata/0)"},
    {MD("{\"breadcrumb\":[],\"metadata\":{}},{\"breadcrumb\":[],\"metadata\":{}}"),
     "/streams/0/metadata/1/breadcrumb: [] appears twice (also /streams/0/metadata/0)"},
    {MD("{\"breadcrumb\":[\"properties\",\"a/b\\n\"],\"metadata\":{}},"
        "{\"breadcrumb\":[\"properties\",\"a/b\\n\"],\"metadata\":{}}"),
     "/streams/0/metadata/1/breadcrumb: [\"properties\",\"a/b\\n\"] appears twice "
     "(also /streams/0/metadata/0)"},
    {MD("{\"breadcrumb\":[\"properties\",\"" /* the key is 80 bytes; 64 are shown */
        "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij\"],\"metadata\":{}},"
        "{\"breadcrumb\":[\"properties\",\""
        "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij\"],\"metadata\":{}}"),
     "/streams/0/metadata/1/breadcrumb: [\"properties\",\""
     "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghi... appears twice "
     "(also /streams/0/metadata/0)"},
    {MD("{\"breadcrumb\":[]}"), "/streams/0/metadata/0/metadata: missing"},
    {MD("{\"breadcrumb\":[],\"metadata\":[]}"),
     "/streams/0/metadata/0/metadata: expected an object, got array"},
    {MD("{\"breadcrumb\":[],\"metadata\":{\"selected\":\"true\"}}"),
     "/streams/0/metadata/0/metadata/selected: expected a boolean, got string"},
    {MD("{\"breadcrumb\":[],\"metadata\":{\"selected-by-default\":1}}"),
     "/streams/0/metadata/0/metadata/selected-by-default: expected a boolean, got integer"},
    {MD("{\"breadcrumb\":[],\"metadata\":{}},"
        "{\"breadcrumb\":[\"properties\",\"a\"],\"metadata\":{\"inclusion\":\"maybe\"}}"),
     "/streams/0/metadata/1/metadata/inclusion: expected \"available\", \"automatic\" or "
     "\"unsupported\""},
    {MD("{\"breadcrumb\":[],\"metadata\":{\"inclusion\":true}}"),
     "/streams/0/metadata/0/metadata/inclusion: expected \"available\", \"automatic\" or "
     "\"unsupported\""},
    {MD("{\"breadcrumb\":[],\"metadata\":{\"replication-method\":[]}}"),
     "/streams/0/metadata/0/metadata/replication-method: expected a string, got array"},
    {MD("{\"breadcrumb\":[],\"metadata\":{\"replication-key\":5}}"),
     "/streams/0/metadata/0/metadata/replication-key: expected a string, got integer"},
    {MD("{\"breadcrumb\":[],\"metadata\":{\"inlet-destination-mode\":{}}}"),
     "/streams/0/metadata/0/metadata/inlet-destination-mode: expected a string, got object"},
    {"{\"streams\":[}", "invalid JSON at line 1, column 13 (byte 12): unexpected character '}'"},
    {"{\"streams\":[]} x",
     "invalid JSON at line 1, column 16 (byte 15): unexpected data after the JSON value"},
};

static void parse_refusals(void **state)
{
    (void)state;
    int bad = 0;

    for (size_t i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
        struct json_object *cat = (struct json_object *)&bad; /* untouched on failure */
        struct err e = {0};
        size_t n = strlen(refusals[i].text);
        char *text = xmalloc(n); /* exactly n bytes: ASan sees any overread */
        memcpy(text, refusals[i].text, n);
        int rc = catalog_parse(&cat, text, n, &e);
        xfree(text);
        if (rc != ERR_INVALID || e.code != ERR_INVALID || strcmp(e.msg, refusals[i].msg) != 0) {
            print_error("case %zu: %s\n  got      %d %s\n  expected %s\n", i, refusals[i].text, rc,
                        e.msg, refusals[i].msg);
            bad++;
        }
        assert_ptr_equal(cat, (struct json_object *)&bad);
    }
    if (bad)
        fail_msg("%d of %zu refusals wrong", bad, sizeof(refusals) / sizeof(refusals[0]));
    /* err may be NULL: the code alone. */
    struct json_object *cat = NULL;
    assert_int_equal(catalog_parse(&cat, "{}", 2, NULL), ERR_INVALID);
    assert_null(cat);
}

static void caps(void **state)
{
    (void)state;
    struct json_object *cat = NULL;
    struct err e;
    struct buf b;

    /* Only n is looked at before the size is refused. */
    assert_int_equal(catalog_parse(&cat, "{", (size_t)CATALOG_MAX + 1, &e), ERR_TOOBIG);
    assert_string_equal(e.msg, "JSON document of 67108865 bytes is over the 67108864-byte limit");

    /* 10000 streams with distinct ids pass; one more does not. */
    buf_init(&b, 0);
    buf_puts(&b, "{\"streams\":[");
    for (int i = 0; i < CATALOG_STREAMS_MAX; i++)
        buf_printf(&b, "%s{\"tap_stream_id\":\"s%d\",\"schema\":{}}", i ? "," : "", i);
    buf_puts(&b, "]}");
    assert_int_equal(catalog_parse(&cat, b.p, b.n, &e), 0);
    assert_int_equal(catalog_count(cat), CATALOG_STREAMS_MAX);
    assert_int_equal(catalog_merge(cat, cat), 0);
    assert_int_equal(catalog_select(cat, NULL, 0, true, &e), 0);
    assert_int_equal(catalog_merge(cat, cat), CATALOG_STREAMS_MAX);
    json_object_put(cat);
    b.n -= 2;
    buf_puts(&b, ",{\"tap_stream_id\":\"s0\",\"schema\":{}}]}");
    cat = NULL;
    assert_int_equal(catalog_parse(&cat, b.p, b.n, &e), ERR_INVALID);
    assert_string_equal(e.msg, "/streams: more than 10000 streams");
    assert_null(cat);
    buf_dispose(&b);
}

/* ---- merging ---- */

static void merge_defaults(void **state)
{
    (void)state;
    struct json_object *cat = parse_ok(rich), *empty = parse_ok("{\"streams\":[]}");
    char *a, *b;

    /* Nothing stored: defaults everywhere. selected-by-default or automatic
     * selects; an unsupported field never is, whatever its default says;
     * the legacy flag of a new discovery is not a choice anybody made. */
    assert_int_equal(catalog_merge(cat, NULL), 2);
    assert_summary(cat, "public-users=11 id=1 email=1 address=0 address.city=1 "
                        "address.zip=0 blob=0; orders=00 total=0; events=00; audit=11");
    /* Stream metadata was made where there was none. */
    assert_non_null(catalog_stream_meta(catalog_stream(cat, 2)));
    assert_false(json_object_get_boolean(jsonx_get(catalog_stream(cat, 2), "selected")));

    /* An empty stored catalog is the same as none. */
    a = text_of(cat);
    json_object_put(cat);
    cat = parse_ok(rich);
    assert_int_equal(catalog_merge(cat, empty), 2);
    b = text_of(cat);
    assert_string_equal(a, b);
    xfree(b);

    /* Merging a catalog with itself (or a copy) changes nothing more. */
    assert_int_equal(catalog_merge(cat, cat), 2);
    b = text_of(cat);
    assert_string_equal(a, b);
    xfree(b);
    struct json_object *copy = parse_ok(a);
    assert_int_equal(catalog_merge(copy, cat), 2);
    b = text_of(copy);
    assert_string_equal(a, b);
    xfree(b);
    xfree(a);
    json_object_put(copy);
    json_object_put(cat);
    json_object_put(empty);
}

/* The stored catalog: the user turned public-users off (and its email and
 * address.city), chose an incremental key on it that the next discovery no
 * longer offers, turned orders on with an incremental method and key, and
 * left events and audit as they were. The new discovery adds a field
 * (phone) and a stream (invoices), drops address.zip and events. */
static const char stored[] =
    "{\"streams\":["
    "{\"tap_stream_id\":\"public-users\",\"stream\":\"users\",\"schema\":{},\"metadata\":["
    "{\"breadcrumb\":[],\"metadata\":{\"selected\":false,\"replication-method\":\"INCREMENTAL\","
    "\"replication-key\":\"updated_at\"}},"
    "{\"breadcrumb\":[\"properties\",\"id\"],\"metadata\":{\"inclusion\":\"automatic\","
    "\"selected\":false}},"
    "{\"breadcrumb\":[\"properties\",\"email\"],\"metadata\":{\"selected\":false}},"
    "{\"breadcrumb\":[\"properties\",\"address\"],\"metadata\":{\"selected\":true}},"
    "{\"breadcrumb\":[\"properties\",\"address\",\"properties\",\"city\"],\"metadata\":"
    "{\"selected\":false}},"
    "{\"breadcrumb\":[\"properties\",\"address\",\"properties\",\"zip\"],\"metadata\":"
    "{\"selected\":true}},"
    "{\"breadcrumb\":[\"properties\",\"blob\"],\"metadata\":{\"inclusion\":\"available\","
    "\"selected\":true}}]},"
    "{\"tap_stream_id\":\"orders\",\"schema\":{},\"metadata\":["
    "{\"breadcrumb\":[],\"metadata\":{\"selected\":true,\"replication-method\":\"INCREMENTAL\","
    "\"replication-key\":\"id\"}},"
    "{\"breadcrumb\":[\"properties\",\"total\"],\"metadata\":{\"selected\":true}}]},"
    "{\"tap_stream_id\":\"events\",\"schema\":{},\"selected\":true},"
    "{\"tap_stream_id\":\"audit\",\"schema\":{},\"metadata\":[{\"breadcrumb\":[],\"metadata\":"
    "{\"selected\":false}}]}]}";

static const char rediscovered[] =
    "{\"streams\":["
    "{\"tap_stream_id\":\"invoices\",\"schema\":{},\"metadata\":["
    "{\"breadcrumb\":[],\"metadata\":{\"selected-by-default\":true}},"
    "{\"breadcrumb\":[\"properties\",\"n\"],\"metadata\":{\"inclusion\":\"available\"}}]},"
    "{\"tap_stream_id\":\"orders\",\"schema\":{},\"metadata\":["
    "{\"breadcrumb\":[],\"metadata\":{\"inclusion\":\"available\"}},"
    "{\"breadcrumb\":[\"properties\",\"total\"],\"metadata\":{\"inclusion\":\"available\"}},"
    "{\"breadcrumb\":[\"properties\",\"tax\"],\"metadata\":{\"inclusion\":\"available\","
    "\"selected-by-default\":true}}]},"
    "{\"tap_stream_id\":\"public-users\",\"stream\":\"users\",\"schema\":{},\"metadata\":["
    "{\"breadcrumb\":[],\"metadata\":{\"inclusion\":\"available\",\"selected-by-default\":true,"
    "\"replication-key\":\"id\",\"valid-replication-keys\":[\"id\"]}},"
    "{\"breadcrumb\":[\"properties\",\"id\"],\"metadata\":{\"inclusion\":\"automatic\"}},"
    "{\"breadcrumb\":[\"properties\",\"email\"],\"metadata\":{\"inclusion\":\"available\","
    "\"selected-by-default\":true}},"
    "{\"breadcrumb\":[\"properties\",\"phone\"],\"metadata\":{\"inclusion\":\"available\","
    "\"selected-by-default\":true}},"
    "{\"breadcrumb\":[\"properties\",\"address\"],\"metadata\":{\"inclusion\":\"available\"}},"
    "{\"breadcrumb\":[\"properties\",\"address\",\"properties\",\"city\"],\"metadata\":"
    "{\"inclusion\":\"available\",\"selected-by-default\":true}},"
    "{\"breadcrumb\":[\"properties\",\"blob\"],\"metadata\":{\"inclusion\":\"unsupported\"}}]},"
    "{\"tap_stream_id\":\"audit\",\"schema\":{},\"metadata\":[{\"breadcrumb\":[],\"metadata\":"
    "{\"inclusion\":\"automatic\"}}]}]}";

static void merge_choices(void **state)
{
    (void)state;
    struct json_object *old = parse_ok(stored), *fresh = parse_ok(rediscovered);
    char *before = text_of(old), *after;
    const struct json_object *m;

    assert_int_equal(catalog_merge(fresh, old), 2);
    /* Order is fresh's; events is gone; invoices and tax and phone take
     * their defaults; id is automatic and blob unsupported whatever was
     * stored; every other choice is the user's. */
    assert_summary(fresh, "invoices=11 n=0; orders=11 total=1 tax=1; "
                          "public-users=00 id=1 email=0 phone=1 address=1 address.city=0 blob=0; "
                          "audit=00");
    /* Replication choices come along, except a key the tap no longer
     * offers: fresh's own key stays then. */
    m = catalog_stream_meta(catalog_stream_by_id(fresh, "orders"));
    assert_string_equal(jsonx_str(jsonx_get(m, "replication-method")), "INCREMENTAL");
    assert_string_equal(jsonx_str(jsonx_get(m, "replication-key")), "id");
    m = catalog_stream_meta(catalog_stream_by_id(fresh, "public-users"));
    assert_string_equal(jsonx_str(jsonx_get(m, "replication-method")), "INCREMENTAL");
    assert_string_equal(jsonx_str(jsonx_get(m, "replication-key")), "id");
    assert_true(json_object_get_boolean(jsonx_get(m, "selected-by-default"))); /* fresh's facts */
    assert_null(catalog_stream_by_id(fresh, "events"));
    m = catalog_stream_meta(catalog_stream_by_id(fresh, "invoices"));
    assert_false(jsonx_has(m, "replication-method")); /* new: nothing to carry */

    /* old is only read. */
    after = text_of(old);
    assert_string_equal(before, after);
    xfree(after);

    /* The merged catalog checks, and a rediscovery keeps it as it is. */
    after = text_of(fresh);
    struct json_object *again = parse_ok(rediscovered), *stored2 = parse_ok(after);
    assert_int_equal(catalog_merge(again, stored2), 2);
    xfree(after);
    after = text_of(again);
    char *first = text_of(fresh);
    assert_string_equal(after, first);
    xfree(first);
    xfree(after);
    xfree(before);
    json_object_put(again);
    json_object_put(stored2);
    json_object_put(old);
    json_object_put(fresh);
}

/* A stream the user never decided on (no "selected" stored) gets the
 * default, as a new one does; a stored key with no list to check it
 * against is kept. */
static void merge_undecided(void **state)
{
    (void)state;
    struct json_object *old =
        parse_ok("{\"streams\":[{\"tap_stream_id\":\"a\",\"schema\":{},\"metadata\":["
                 "{\"breadcrumb\":[],\"metadata\":{\"replication-key\":\"k\"}},"
                 "{\"breadcrumb\":[\"properties\",\"f\"],\"metadata\":{}}]}]}");
    struct json_object *fresh =
        parse_ok("{\"streams\":[{\"tap_stream_id\":\"a\",\"schema\":{},\"metadata\":["
                 "{\"breadcrumb\":[\"properties\",\"f\"],\"metadata\":"
                 "{\"selected-by-default\":true}},"
                 "{\"breadcrumb\":[],\"metadata\":{\"selected-by-default\":true}}]}]}");

    assert_int_equal(catalog_merge(fresh, old), 1);
    assert_summary(fresh, "a=11 f=1");
    assert_string_equal(
        jsonx_str(jsonx_get(catalog_stream_meta(catalog_stream(fresh, 0)), "replication-key")),
        "k");
    json_object_put(old);
    json_object_put(fresh);
}

/* ---- selecting ---- */

static void select_streams(void **state)
{
    (void)state;
    struct json_object *cat = parse_ok(rich);
    struct err e;
    char *before, *after;

    /* By name: the others off, fields of the chosen one on unless
     * unsupported; fields of streams left off are left alone. */
    assert_int_equal(catalog_merge(cat, NULL), 2);
    assert_int_equal(
        catalog_select(cat, (const char *const[]){"orders", "events", "orders"}, 3, false, &e), 0);
    assert_summary(cat, "public-users=00 id=1 email=1 address=0 address.city=1 address.zip=0 "
                        "blob=0; orders=11 total=1; events=11; audit=00");
    assert_true(json_object_get_boolean(jsonx_get(catalog_stream(cat, 2), "selected")));

    /* All. */
    assert_int_equal(catalog_select(cat, NULL, 0, true, &e), 0);
    assert_summary(cat, "public-users=11 id=1 email=1 address=1 address.city=1 address.zip=1 "
                        "blob=0; orders=11 total=1; events=11; audit=11");
    /* names are not looked at with all. */
    assert_int_equal(catalog_select(cat, (const char *const[]){"nope"}, 1, true, &e), 0);

    /* None. */
    assert_int_equal(catalog_select(cat, NULL, 0, false, &e), 0);
    assert_summary(cat, "public-users=00 id=1 email=1 address=1 address.city=1 address.zip=1 "
                        "blob=0; orders=00 total=1; events=00; audit=00");

    /* An unknown name: refused, nothing changed. */
    assert_int_equal(catalog_select(cat, (const char *const[]){"orders"}, 1, false, &e), 0);
    before = text_of(cat);
    assert_int_equal(
        catalog_select(cat, (const char *const[]){"audit", "users", "x"}, 3, false, &e),
        ERR_NOTFOUND);
    assert_int_equal(e.code, ERR_NOTFOUND);
    assert_string_equal(e.msg,
                        "stream \"users\" is not in the catalog"); /* the name is not an id */
    after = text_of(cat);
    assert_string_equal(before, after);
    xfree(after);
    assert_int_equal(catalog_select(cat, (const char *const[]){"a\"\n"}, 1, false, &e),
                     ERR_NOTFOUND);
    assert_string_equal(e.msg, "stream \"a\\\"\\n\" is not in the catalog");
    assert_int_equal(catalog_select(cat, (const char *const[]){""}, 1, false, NULL), ERR_NOTFOUND);
    after = text_of(cat);
    assert_string_equal(before, after);
    xfree(after);
    xfree(before);

    /* Whatever was selected, the catalog still checks. */
    before = text_of(cat);
    struct json_object *again = parse_ok(before);
    json_object_put(again);
    xfree(before);
    json_object_put(cat);
}

/* For one run: only the named selected streams, fields left as they are. */
static void only_some(void **state)
{
    (void)state;
    struct json_object *cat = parse_ok(rich);
    struct err e;
    char *before, *after;

    assert_int_equal(catalog_select(cat, (const char *const[]){"orders", "events"}, 2, false, &e),
                     0);
    before = text_of(cat);
    assert_int_equal(catalog_only(cat, (const char *const[]){"audit"}, 1, &e), ERR_INVALID);
    assert_string_equal(e.msg, "stream \"audit\" is not selected");
    assert_int_equal(catalog_only(cat, (const char *const[]){"events", "a\"\n"}, 2, &e),
                     ERR_NOTFOUND);
    assert_string_equal(e.msg, "stream \"a\\\"\\n\" is not in the catalog");
    after = text_of(cat);
    assert_string_equal(before, after); /* unchanged on error */
    xfree(after);
    xfree(before);
    assert_int_equal(catalog_only(cat, (const char *const[]){"events"}, 1, &e), 0);
    /* orders off for this run, its field left selected; users' fields untouched. */
    assert_summary(cat, "public-users=00 id=? email=? address=? address.city=? address.zip=? "
                        "blob=?; orders=00 total=1; events=11; audit=00");
    json_object_put(cat);
}

static struct json_object *choice_of(const char *text)
{
    struct json_object *v = NULL;
    struct err e;
    assert_int_equal(jsonx_parse(&v, text, strlen(text), strlen(text) + 1, &e), 0);
    return v;
}

/* The user's choice of streams and fields, checked whole first. */
static void choose(void **state)
{
    (void)state;
    struct json_object *cat = parse_ok(rich), *ch;
    struct err e;
    char *before, *after;
    static const struct {
        const char *choice, *msg;
    } bad[] = {
        {"{}", "/streams: expected an array"},
        {"[1]", "/streams/0: expected an object"},
        {"[{\"tap_stream_id\":\"orders\",\"mode\":1}]",
         "/streams/0/mode: unknown member (tap_stream_id, fields and sync_mode are known)"},
        {"[{\"fields\":[]}]", "/streams/0/tap_stream_id: expected a stream id"},
        {"[{\"tap_stream_id\":\"users\"}]",
         "/streams/0/tap_stream_id: stream \"users\" is not in the catalog"},
        {"[{\"tap_stream_id\":\"orders\"},{\"tap_stream_id\":\"orders\"}]",
         "/streams/1/tap_stream_id: stream \"orders\" appears twice (also /streams/0)"},
        {"[{\"tap_stream_id\":\"orders\",\"fields\":\"total\"}]",
         "/streams/0/fields: expected an array of field names"},
        {"[{\"tap_stream_id\":\"orders\",\"fields\":[\"total\",\"x\"]}]",
         "/streams/0/fields/1: stream \"orders\" has no field \"x\""},
        {"[{\"tap_stream_id\":\"public-users\",\"fields\":[\"blob\"]}]",
         "/streams/0/fields/0: field \"blob\" of stream \"public-users\" cannot be synced (its "
         "inclusion is unsupported)"},
    };

    before = text_of(cat);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ch = choice_of(bad[i].choice);
        assert_int_equal(catalog_choose(cat, ch, &e), ERR_INVALID);
        assert_string_equal(e.msg, bad[i].msg);
        json_object_put(ch);
    }
    after = text_of(cat);
    assert_string_equal(before, after); /* nothing written */
    xfree(after);
    xfree(before);

    ch = choice_of("[{\"tap_stream_id\":\"public-users\",\"fields\":[\"email\"]},"
                   "{\"tap_stream_id\":\"orders\"}]");
    assert_int_equal(catalog_choose(cat, ch, &e), 0);
    json_object_put(ch);
    /* users: id automatic, email chosen, address not, blob never; nested
     * entries untouched. orders: every field, id's entry made. */
    assert_summary(cat, "public-users=11 id=1 email=1 address=0 address.city=? address.zip=? "
                        "blob=0; orders=11 total=1 id=1; events=00; audit=00");
    /* Still a catalog. */
    before = text_of(cat);
    struct json_object *again = parse_ok(before);
    json_object_put(again);
    xfree(before);
    json_object_put(cat);
}

/* What a rediscovery changed, by stream and by top-level field. */
static void changes(void **state)
{
    (void)state;
    struct json_object *old = parse_ok(
        "{\"streams\":[{\"tap_stream_id\":\"a\",\"schema\":{\"properties\":{\"x\":{},\"y\":{}}}},"
        "{\"tap_stream_id\":\"b\",\"schema\":{}}]}");
    struct json_object *fresh = parse_ok(
        "{\"streams\":[{\"tap_stream_id\":\"c\",\"schema\":{\"properties\":{\"q\":{}}}},"
        "{\"tap_stream_id\":\"a\",\"schema\":{\"properties\":{\"z\":{},\"x\":{},\"w\":{}}}}]}");
    struct buf b;
    buf_init(&b, 0);
    catalog_changes(&b, old, fresh);
    assert_string_equal(buf_cstr(&b), "{\"streams_added\":[\"c\"],\"streams_removed\":[\"b\"],"
                                      "\"fields_added\":{\"a\":[\"z\",\"w\"]},"
                                      "\"fields_removed\":{\"a\":[\"y\"]}}");
    buf_reset(&b);
    catalog_changes(&b, NULL, fresh); /* the first discovery */
    assert_string_equal(buf_cstr(&b), "{\"streams_added\":[\"c\",\"a\"],\"streams_removed\":[],"
                                      "\"fields_added\":{},\"fields_removed\":{}}");
    buf_reset(&b);
    catalog_changes(&b, fresh, fresh);
    assert_string_equal(buf_cstr(&b), "{\"streams_added\":[],\"streams_removed\":[],"
                                      "\"fields_added\":{},\"fields_removed\":{}}");
    buf_dispose(&b);
    json_object_put(old);
    json_object_put(fresh);
}

/* ---- sync modes ---- */

/* One stream per rule, each with the fields id and u. */
#define MODAL(id, meta, more)                                                                      \
    "{\"tap_stream_id\":\"" id "\",\"schema\":{\"type\":\"object\",\"properties\":{\"id\":{},"     \
    "\"u\":{}}},\"metadata\":[{\"breadcrumb\":[],\"metadata\":{" meta "}}]" more "}"
#define MODAL_BOTH                                                                                 \
    MODAL("both", "\"valid-replication-keys\":[\"u\"],\"table-key-properties\":[\"id\"]", "")
#define MODAL_NOKEY MODAL("nokey", "\"valid-replication-keys\":[\"u\"]", "")
#define MODAL_FULL                                                                                 \
    MODAL("full",                                                                                  \
          "\"forced-replication-method\":\"FULL_TABLE\",\"valid-replication-keys\":[\"u\"]",       \
          ",\"key_properties\":[\"id\"]")
#define MODAL_FORCED                                                                               \
    MODAL("forced", "\"forced-replication-method\":\"INCREMENTAL\"", ",\"key_properties\":[\"id\"]")
#define MODAL_RKEY                                                                                 \
    MODAL("rkey",                                                                                  \
          "\"replication-key\":\"u\",\"valid-replication-keys\":[],\"table-key-properties\":[]",   \
          ",\"key_properties\":[]")
#define MODAL_PLAIN MODAL("plain", "", "")
#define MODAL_LOG                                                                                  \
    MODAL("log", "\"forced-replication-method\":\"LOG_BASED\",\"table-key-properties\":[\"id\"]",  \
          "")
static const char modal[] = "{\"streams\":[" MODAL_BOTH "," MODAL_NOKEY "," MODAL_FULL
                            "," MODAL_FORCED "," MODAL_RKEY "," MODAL_PLAIN "," MODAL_LOG "]}";

/* The modes stream supports, by name, comma-separated. */
static void put_supported(struct buf *b, const struct json_object *stream)
{
    buf_reset(b);
    for (unsigned m = 0; m < CATALOG_SYNC_MODES; m++)
        if (catalog_stream_supports(stream, (enum catalog_sync_mode)m))
            buf_printf(b, "%s%s", b->n ? "," : "",
                       catalog_sync_mode_name((enum catalog_sync_mode)m));
}

static const char *meta_str(const struct json_object *stream, const char *key)
{
    return jsonx_str(jsonx_get(catalog_stream_meta(stream), key));
}

static void sync_mode_names(void **state)
{
    (void)state;
    static const char *const names[] = {"full_refresh_overwrite", "full_refresh_append",
                                        "incremental_append", "incremental_append_deduped"};
    static const char *const labels[] = {"Full refresh | Overwrite", "Full refresh | Append",
                                         "Incremental | Append", "Incremental | Append + Deduped"};
    enum catalog_sync_mode m;
    struct err e;

    for (unsigned i = 0; i < CATALOG_SYNC_MODES; i++) {
        assert_string_equal(catalog_sync_mode_name((enum catalog_sync_mode)i), names[i]);
        assert_string_equal(catalog_sync_mode_label((enum catalog_sync_mode)i), labels[i]);
        m = (enum catalog_sync_mode)99;
        assert_int_equal(catalog_sync_mode_parse(&m, names[i], &e), 0);
        assert_int_equal(m, i);
        m = (enum catalog_sync_mode)99;
        assert_int_equal(catalog_sync_mode_parse(&m, labels[i], &e), 0);
        assert_int_equal(m, i);
    }
    assert_false(catalog_sync_mode_appends(CATALOG_SYNC_FULL_REFRESH_OVERWRITE));
    assert_true(catalog_sync_mode_appends(CATALOG_SYNC_FULL_REFRESH_APPEND));
    assert_true(catalog_sync_mode_appends(CATALOG_SYNC_INCREMENTAL_APPEND));
    assert_false(catalog_sync_mode_appends(CATALOG_SYNC_INCREMENTAL_APPEND_DEDUPED));

    /* Labels exactly as written; nothing else. */
    static const char *const wrong[] = {"full refresh | overwrite",
                                        "Full refresh|Overwrite",
                                        "incremental",
                                        "",
                                        "FULL_TABLE",
                                        "append"};
    for (size_t i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
        m = (enum catalog_sync_mode)99;
        assert_int_equal(catalog_sync_mode_parse(&m, wrong[i], &e), ERR_INVALID);
        assert_int_equal(m, 99); /* untouched */
    }
    assert_int_equal(catalog_sync_mode_parse(&m, "sometimes", &e), ERR_INVALID);
    assert_string_equal(e.msg, "\"sometimes\" is not a sync mode: expected full_refresh_overwrite, "
                               "full_refresh_append, incremental_append or "
                               "incremental_append_deduped");
    assert_int_equal(catalog_sync_mode_parse(&m, "x", NULL), ERR_INVALID);
}

/* What each rule allows, the default, and what a stored mode means. */
static void sync_mode_support(void **state)
{
    (void)state;
    static const struct {
        const char *id, *supported, *mode;
    } want[] = {
        {"both",
         "full_refresh_overwrite,full_refresh_append,incremental_append,"
         "incremental_append_deduped",
         "incremental_append_deduped"},
        {"nokey", "full_refresh_overwrite,full_refresh_append,incremental_append",
         "full_refresh_overwrite"},
        {"full", "full_refresh_overwrite,full_refresh_append", "full_refresh_overwrite"},
        {"forced",
         "full_refresh_overwrite,full_refresh_append,incremental_append,"
         "incremental_append_deduped",
         "incremental_append_deduped"},
        {"rkey", "full_refresh_overwrite,full_refresh_append,incremental_append",
         "full_refresh_overwrite"},
        {"plain", "full_refresh_overwrite,full_refresh_append", "full_refresh_overwrite"},
        {"log",
         "full_refresh_overwrite,full_refresh_append,incremental_append,"
         "incremental_append_deduped",
         "incremental_append_deduped"},
    };
    struct json_object *cat = parse_ok(modal);
    struct buf b;

    buf_init(&b, 0);
    assert_int_equal(catalog_count(cat), sizeof(want) / sizeof(want[0]));
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        const struct json_object *st = catalog_stream(cat, i);
        assert_string_equal(catalog_stream_id(st), want[i].id);
        put_supported(&b, st);
        assert_string_equal(buf_cstr(&b), want[i].supported);
        assert_string_equal(catalog_sync_mode_name(catalog_stream_sync_mode(st)), want[i].mode);
    }
    buf_dispose(&b);
    json_object_put(cat);

    /* Stored members: a valid pair the stream supports counts; a method
     * alone is what older catalogs hold; anything else is the default. */
    static const struct {
        const char *meta, *mode;
    } stored_modes[] = {
        {"\"replication-method\":\"FULL_TABLE\"", "full_refresh_overwrite"},
        {"\"replication-method\":\"FULL_TABLE\",\"inlet-destination-mode\":\"overwrite\"",
         "full_refresh_overwrite"},
        {"\"replication-method\":\"FULL_TABLE\",\"inlet-destination-mode\":\"append\"",
         "full_refresh_append"},
        {"\"replication-method\":\"INCREMENTAL\",\"inlet-destination-mode\":\"append\"",
         "incremental_append"},
        {"\"replication-method\":\"INCREMENTAL\"", "incremental_append_deduped"},
        {"\"replication-method\":\"LOG_BASED\",\"inlet-destination-mode\":\"append\"",
         "incremental_append"},
        /* not pairs: the default */
        {"\"replication-method\":\"INCREMENTAL\",\"inlet-destination-mode\":\"overwrite\"",
         "incremental_append_deduped"},
        {"\"replication-method\":\"FULL_TABLE\",\"inlet-destination-mode\":\"append_dedup\"",
         "incremental_append_deduped"},
        {"\"inlet-destination-mode\":\"append\"", "incremental_append_deduped"},
        {"\"replication-method\":\"SOMETIMES\",\"inlet-destination-mode\":\"append\"",
         "incremental_append_deduped"},
        {"\"replication-method\":\"FULL_TABLE\",\"inlet-destination-mode\":\"sideways\"",
         "incremental_append_deduped"},
    };
    for (size_t i = 0; i < sizeof(stored_modes) / sizeof(stored_modes[0]); i++) {
        char text[512];
        snprintf(text, sizeof(text),
                 "{\"streams\":[{\"tap_stream_id\":\"s\",\"schema\":{},\"metadata\":["
                 "{\"breadcrumb\":[],\"metadata\":{\"valid-replication-keys\":[\"u\"],"
                 "\"table-key-properties\":[\"id\"],%s}}]}]}",
                 stored_modes[i].meta);
        cat = parse_ok(text);
        if (strcmp(catalog_sync_mode_name(catalog_stream_sync_mode(catalog_stream(cat, 0))),
                   stored_modes[i].mode) != 0)
            fail_msg("case %zu (%s): %s", i, stored_modes[i].meta,
                     catalog_sync_mode_name(catalog_stream_sync_mode(catalog_stream(cat, 0))));
        json_object_put(cat);
    }

    /* A method alone without keys appends; an incremental mode the stream
     * does not support (now forced FULL_TABLE) is the default. */
    cat = parse_ok("{\"streams\":["
                   "{\"tap_stream_id\":\"a\",\"schema\":{},\"metadata\":[{\"breadcrumb\":[],"
                   "\"metadata\":{\"replication-method\":\"INCREMENTAL\","
                   "\"valid-replication-keys\":[\"u\"]}}]},"
                   "{\"tap_stream_id\":\"b\",\"schema\":{},\"metadata\":[{\"breadcrumb\":[],"
                   "\"metadata\":{\"replication-method\":\"INCREMENTAL\","
                   "\"inlet-destination-mode\":\"append\","
                   "\"forced-replication-method\":\"FULL_TABLE\"}}]},"
                   "{\"tap_stream_id\":\"c\",\"schema\":{}}]}");
    assert_int_equal(catalog_stream_sync_mode(catalog_stream(cat, 0)),
                     CATALOG_SYNC_INCREMENTAL_APPEND);
    assert_int_equal(catalog_stream_sync_mode(catalog_stream(cat, 1)),
                     CATALOG_SYNC_FULL_REFRESH_OVERWRITE);
    /* No metadata at all: full refresh only. */
    assert_int_equal(catalog_stream_sync_mode(catalog_stream(cat, 2)),
                     CATALOG_SYNC_FULL_REFRESH_OVERWRITE);
    assert_false(catalog_stream_supports(catalog_stream(cat, 2), CATALOG_SYNC_INCREMENTAL_APPEND));
    json_object_put(cat);
}

/* Choosing modes: each rule's refusal, names, labels, defaults, and what
 * is written down. */
static void choose_modes(void **state)
{
    (void)state;
    struct json_object *cat = parse_ok(modal), *ch;
    struct err e;
    char *before, *after;
    static const struct {
        const char *choice, *msg;
    } bad[] = {
        {"[{\"tap_stream_id\":\"full\",\"sync_mode\":\"incremental_append\"}]",
         "/streams/0/sync_mode: stream \"full\" cannot use incremental_append: its "
         "forced-replication-method is FULL_TABLE; it supports full_refresh_overwrite and "
         "full_refresh_append"},
        {"[{\"tap_stream_id\":\"both\"},{\"tap_stream_id\":\"plain\",\"sync_mode\":"
         "\"Incremental | Append + Deduped\"}]",
         "/streams/1/sync_mode: stream \"plain\" cannot use incremental_append_deduped: it has no "
         "replication key (valid-replication-keys or replication-key); it supports "
         "full_refresh_overwrite and full_refresh_append"},
        {"[{\"tap_stream_id\":\"nokey\",\"sync_mode\":\"incremental_append_deduped\"}]",
         "/streams/0/sync_mode: stream \"nokey\" cannot use incremental_append_deduped: it has no "
         "key properties (table-key-properties or key_properties); it supports "
         "full_refresh_overwrite, full_refresh_append and incremental_append"},
        {"[{\"tap_stream_id\":\"rkey\",\"sync_mode\":\"incremental_append_deduped\"}]",
         "/streams/0/sync_mode: stream \"rkey\" cannot use incremental_append_deduped: it has no "
         "key properties (table-key-properties or key_properties); it supports "
         "full_refresh_overwrite, full_refresh_append and incremental_append"},
        {"[{\"tap_stream_id\":\"both\",\"sync_mode\":\"sometimes\"}]",
         "/streams/0/sync_mode: \"sometimes\" is not a sync mode: expected "
         "full_refresh_overwrite, full_refresh_append, incremental_append or "
         "incremental_append_deduped"},
        {"[{\"tap_stream_id\":\"both\",\"sync_mode\":\"full_refresh_append\\u0000\"}]",
         "/streams/0/sync_mode: \"full_refresh_append\\u0000\" is not a sync mode: expected "
         "full_refresh_overwrite, full_refresh_append, incremental_append or "
         "incremental_append_deduped"},
        {"[{\"tap_stream_id\":\"both\",\"sync_mode\":3}]",
         "/streams/0/sync_mode: expected a string, got integer"},
        {"[{\"tap_stream_id\":\"both\",\"sync_mode\":[\"incremental_append\"]}]",
         "/streams/0/sync_mode: expected a string, got array"},
    };

    before = text_of(cat);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ch = choice_of(bad[i].choice);
        assert_int_equal(catalog_choose(cat, ch, &e), ERR_INVALID);
        if (strcmp(e.msg, bad[i].msg) != 0)
            fail_msg("case %zu:\n  got      %s\n  expected %s", i, e.msg, bad[i].msg);
        json_object_put(ch);
    }
    after = text_of(cat);
    assert_string_equal(before, after); /* nothing written */
    xfree(after);
    xfree(before);

    ch = choice_of("[{\"tap_stream_id\":\"both\",\"sync_mode\":\"Incremental | Append\"},"
                   "{\"tap_stream_id\":\"nokey\"},"
                   "{\"tap_stream_id\":\"full\",\"sync_mode\":\"full_refresh_append\"},"
                   "{\"tap_stream_id\":\"plain\",\"sync_mode\":null},"
                   "{\"tap_stream_id\":\"log\",\"sync_mode\":\"incremental_append_deduped\"},"
                   "{\"tap_stream_id\":\"forced\",\"fields\":[\"u\"]}]");
    assert_int_equal(catalog_choose(cat, ch, &e), 0);
    json_object_put(ch);
    static const struct {
        const char *id, *method, *dest;
        enum catalog_sync_mode mode;
    } want[] = {
        {"both", "INCREMENTAL", "append", CATALOG_SYNC_INCREMENTAL_APPEND},
        {"nokey", "FULL_TABLE", "overwrite", CATALOG_SYNC_FULL_REFRESH_OVERWRITE},
        {"full", "FULL_TABLE", "append", CATALOG_SYNC_FULL_REFRESH_APPEND},
        {"forced", "INCREMENTAL", "append_dedup", CATALOG_SYNC_INCREMENTAL_APPEND_DEDUPED},
        {"plain", "FULL_TABLE", "overwrite", CATALOG_SYNC_FULL_REFRESH_OVERWRITE},
        {"log", "LOG_BASED", "append_dedup", CATALOG_SYNC_INCREMENTAL_APPEND_DEDUPED},
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        const struct json_object *st = catalog_stream_by_id(cat, want[i].id);
        assert_true(catalog_stream_selected(st));
        assert_string_equal(meta_str(st, "replication-method"), want[i].method);
        assert_string_equal(meta_str(st, "inlet-destination-mode"), want[i].dest);
        assert_int_equal(catalog_stream_sync_mode(st), want[i].mode);
    }
    /* A stream left out is unselected and keeps what it had: nothing. */
    const struct json_object *rkey = catalog_stream_by_id(cat, "rkey");
    assert_false(catalog_stream_selected(rkey));
    assert_null(meta_str(rkey, "replication-method"));
    assert_null(meta_str(rkey, "inlet-destination-mode"));

    /* Written down, it survives the round trip; choosing again without a
     * mode goes back to the default. */
    before = text_of(cat);
    struct json_object *again = parse_ok(before);
    assert_int_equal(catalog_stream_sync_mode(catalog_stream_by_id(again, "both")),
                     CATALOG_SYNC_INCREMENTAL_APPEND);
    ch = choice_of("[{\"tap_stream_id\":\"both\"}]");
    assert_int_equal(catalog_choose(again, ch, &e), 0);
    json_object_put(ch);
    assert_string_equal(meta_str(catalog_stream_by_id(again, "both"), "inlet-destination-mode"),
                        "append_dedup");
    assert_false(catalog_stream_selected(catalog_stream_by_id(again, "full")));
    assert_string_equal(meta_str(catalog_stream_by_id(again, "full"), "inlet-destination-mode"),
                        "append");
    json_object_put(again);
    xfree(before);
    json_object_put(cat);
}

/* A rediscovery carries the modes chosen and replaces the ones the stream
 * no longer supports by its default. */
static void merge_modes(void **state)
{
    (void)state;
    /* Stored: every stream selected with a mode and replication key u,
     * but f, which has a method alone. */
    struct json_object *old = parse_ok(
        "{\"streams\":["
        "{\"tap_stream_id\":\"a\",\"schema\":{},\"metadata\":[{\"breadcrumb\":[],\"metadata\":"
        "{\"selected\":true,\"replication-method\":\"INCREMENTAL\","
        "\"inlet-destination-mode\":\"append\",\"replication-key\":\"u\"}}]},"
        "{\"tap_stream_id\":\"b\",\"schema\":{},\"metadata\":[{\"breadcrumb\":[],\"metadata\":"
        "{\"selected\":true,\"replication-method\":\"FULL_TABLE\","
        "\"inlet-destination-mode\":\"append\",\"replication-key\":\"u\"}}]},"
        "{\"tap_stream_id\":\"c\",\"schema\":{},\"metadata\":[{\"breadcrumb\":[],\"metadata\":"
        "{\"selected\":true,\"replication-method\":\"INCREMENTAL\","
        "\"inlet-destination-mode\":\"append_dedup\",\"replication-key\":\"u\"}}]},"
        "{\"tap_stream_id\":\"d\",\"schema\":{},\"metadata\":[{\"breadcrumb\":[],\"metadata\":"
        "{\"selected\":true,\"replication-method\":\"INCREMENTAL\","
        "\"inlet-destination-mode\":\"append_dedup\",\"replication-key\":\"u\"}}]},"
        "{\"tap_stream_id\":\"e\",\"schema\":{},\"metadata\":[{\"breadcrumb\":[],\"metadata\":"
        "{\"selected\":true,\"replication-method\":\"INCREMENTAL\","
        "\"inlet-destination-mode\":\"append\",\"replication-key\":\"u\"}}]},"
        "{\"tap_stream_id\":\"f\",\"schema\":{},\"metadata\":[{\"breadcrumb\":[],\"metadata\":"
        "{\"selected\":true,\"replication-method\":\"INCREMENTAL\"}}]}]}");
    /* a: as before. b: full refresh is always there. c: the tap now forces
     * FULL_TABLE. d: its key properties are gone. e: its replication key is
     * gone (an empty list of valid ones). f: a method alone, kept as it
     * is. g: new. */
    struct json_object *fresh = parse_ok(
        "{\"streams\":["
        "{\"tap_stream_id\":\"a\",\"schema\":{},\"metadata\":[{\"breadcrumb\":[],\"metadata\":"
        "{\"valid-replication-keys\":[\"u\"]}}]},"
        "{\"tap_stream_id\":\"b\",\"schema\":{}},"
        "{\"tap_stream_id\":\"c\",\"schema\":{},\"metadata\":[{\"breadcrumb\":[],\"metadata\":"
        "{\"forced-replication-method\":\"FULL_TABLE\",\"table-key-properties\":[\"id\"]}}]},"
        "{\"tap_stream_id\":\"d\",\"schema\":{},\"metadata\":[{\"breadcrumb\":[],\"metadata\":"
        "{\"valid-replication-keys\":[\"u\"],\"table-key-properties\":[]}}]},"
        "{\"tap_stream_id\":\"e\",\"schema\":{},\"metadata\":[{\"breadcrumb\":[],\"metadata\":"
        "{\"valid-replication-keys\":[]}}]},"
        "{\"tap_stream_id\":\"f\",\"schema\":{},\"key_properties\":[\"id\"],\"metadata\":["
        "{\"breadcrumb\":[],\"metadata\":{\"valid-replication-keys\":[\"u\"]}}]},"
        "{\"tap_stream_id\":\"g\",\"schema\":{},\"key_properties\":[\"id\"],\"metadata\":["
        "{\"breadcrumb\":[],\"metadata\":{\"valid-replication-keys\":[\"u\"]}}]}]}");
    static const struct {
        const char *id, *method, *dest;
        enum catalog_sync_mode mode;
    } want[] = {
        {"a", "INCREMENTAL", "append", CATALOG_SYNC_INCREMENTAL_APPEND},
        {"b", "FULL_TABLE", "append", CATALOG_SYNC_FULL_REFRESH_APPEND},
        {"c", "FULL_TABLE", "overwrite", CATALOG_SYNC_FULL_REFRESH_OVERWRITE},
        {"d", "FULL_TABLE", "overwrite", CATALOG_SYNC_FULL_REFRESH_OVERWRITE},
        {"e", "FULL_TABLE", "overwrite", CATALOG_SYNC_FULL_REFRESH_OVERWRITE},
        {"f", "INCREMENTAL", NULL, CATALOG_SYNC_INCREMENTAL_APPEND_DEDUPED},
        {"g", NULL, NULL, CATALOG_SYNC_INCREMENTAL_APPEND_DEDUPED},
    };

    assert_int_equal(catalog_merge(fresh, old), 6); /* g is new and off by default */
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        const struct json_object *st = catalog_stream_by_id(fresh, want[i].id);
        const char *method = meta_str(st, "replication-method");
        const char *dest = meta_str(st, "inlet-destination-mode");
        if ((want[i].method ? !method || strcmp(method, want[i].method) : method != NULL) ||
            (want[i].dest ? !dest || strcmp(dest, want[i].dest) : dest != NULL) ||
            catalog_stream_sync_mode(st) != want[i].mode)
            fail_msg("%s: %s/%s, %s", want[i].id, method ? method : "-", dest ? dest : "-",
                     catalog_sync_mode_name(catalog_stream_sync_mode(st)));
    }
    /* e's key went with its list; a's stayed. */
    assert_null(meta_str(catalog_stream_by_id(fresh, "e"), "replication-key"));
    assert_string_equal(meta_str(catalog_stream_by_id(fresh, "a"), "replication-key"), "u");

    /* Merged again, nothing moves. */
    char *a = text_of(fresh);
    struct json_object *stored2 = parse_ok(a);
    assert_int_equal(catalog_merge(fresh, stored2), 6);
    char *b = text_of(fresh);
    assert_string_equal(a, b);
    xfree(a);
    xfree(b);
    json_object_put(stored2);
    json_object_put(old);
    json_object_put(fresh);
}

/* ---- writing ---- */

static void round_trip(void **state)
{
    (void)state;
    struct json_object *cat = parse_ok(rich), *again;
    char *a, *b;
    struct buf small;

    assert_int_equal(catalog_merge(cat, NULL), 2);
    a = text_of(cat);
    again = parse_ok(a);
    b = text_of(again);
    assert_string_equal(a, b);
    assert_true(json_object_equal(cat, again));
    assert_summary(again, "public-users=11 id=1 email=1 address=0 address.city=1 "
                          "address.zip=0 blob=0; orders=00 total=0; events=00; audit=11");
    xfree(b);

    /* Appended to what b holds, and bounded by its cap. */
    buf_init(&small, 16);
    buf_puts(&small, "x");
    catalog_format(&small, cat);
    assert_true(buf_failed(&small));
    buf_dispose(&small);
    buf_init(&small, 0);
    buf_puts(&small, "x");
    catalog_format(&small, cat);
    assert_string_equal(buf_cstr(&small) + 1, a);
    buf_dispose(&small);
    xfree(a);
    json_object_put(again);
    json_object_put(cat);
}

int test_catalog(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tap_counter),
        cmocka_unit_test(rich_catalog),
        cmocka_unit_test(legacy_selected),
        cmocka_unit_test(parse_refusals),
        cmocka_unit_test(caps),
        cmocka_unit_test(merge_defaults),
        cmocka_unit_test(merge_choices),
        cmocka_unit_test(merge_undecided),
        cmocka_unit_test(select_streams),
        cmocka_unit_test(only_some),
        cmocka_unit_test(changes),
        cmocka_unit_test(choose),
        cmocka_unit_test(sync_mode_names),
        cmocka_unit_test(sync_mode_support),
        cmocka_unit_test(choose_modes),
        cmocka_unit_test(merge_modes),
        cmocka_unit_test(round_trip),
    };
    return test_group("catalog", tests, NULL, NULL);
}
