/* tests/unit/map/test_map.c - field mappings (map/): every transform and
 * coercion from tests/data/mapping/values.txt, whole mappings, overrides,
 * validation and the connectors' default mappings from the *.case files
 * there, the Salesforce defaults over every record the sandbox generates,
 * the connector check's messages, and the small API around a row. */
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connectors/registry.h"
#include "core/alloc.h"
#include "core/jsonx.h"
#include "map/mapping.h"
#include "sandbox/sfdata.h"
#include "test.h"

#define DATA      "tests/data/mapping"
#define JSON_MAX  (1u << 20)
#define NOW_MS    1764547200000LL /* 2025-12-01T00:00:00Z, as the sandbox suites use */
#define SF_RECORD 300

static struct json_object *parse_or_fail(const char *where, const char *s)
{
    struct json_object *v = NULL;
    struct err e;
    if (jsonx_parse(&v, s, strlen(s), JSON_MAX, &e) != 0)
        fail_msg("%s: bad JSON in the case: %s (%s)", where, e.msg, s);
    return v;
}

/* JSON text re-written compactly, so that cases may use spaces. */
static void normalize(struct buf *out, const char *where, const char *s)
{
    struct json_object *v = parse_or_fail(where, s);
    jsonx_format(out, v);
    json_object_put(v);
}

/* ---- values.txt: one field, its transforms, one input ---- */

static void value_case(struct buf *got, const char *where, const char *field, const char *steps,
                       const char *input)
{
    char model[32], target[128];
    const char *dot = strchr(field, '.');
    struct buf spec, row;
    struct map *m = NULL;
    struct map_row r;
    struct jsonx_ptr at;
    struct err e;

    if (!dot || (size_t)(dot - field) >= sizeof(model))
        fail_msg("%s: FIELD is MODEL.FIELD", where);
    snprintf(model, sizeof(model), "%.*s", (int)(dot - field), field);
    snprintf(target, sizeof(target), "%s", dot + 1);
    buf_init(&spec, 0);
    buf_printf(&spec, "{\"stream\":\"s\",\"model\":\"%s\",\"fields\":{\"external_id\":\"id\",",
               model);
    buf_put_json_str(&spec, target);
    buf_printf(&spec, ":{\"from\":\"v\"%s%s}},\"properties\":\"none\"}",
               strcmp(steps, "-") ? ",\"transforms\":" : "", strcmp(steps, "-") ? steps : "");
    struct json_object *sp = parse_or_fail(where, buf_cstr(&spec));
    jsonx_ptr_init(&at);
    if (map_parse(&m, sp, &at, &e) < 0) {
        buf_printf(got, "error: %s", e.msg);
        goto done;
    }
    buf_reset(&spec);
    buf_printf(&spec, "{\"id\":\"1\"%s%s}", strcmp(input, "<absent>") ? ",\"v\":" : "",
               strcmp(input, "<absent>") ? input : "");
    struct json_object *rec = parse_or_fail(where, buf_cstr(&spec));
    if (map_apply(m, rec, &r, &e) < 0) {
        buf_printf(got, "error: %s", e.msg);
        map_row_dispose(&r); /* a no-op, by contract */
    } else {
        buf_init(&row, 0);
        map_row_format(&row, &r);
        struct json_object *back = parse_or_fail(where, buf_cstr(&row)), *v = NULL;
        if (strcmp(target, "deleted") == 0)
            v = jsonx_get(back, "deleted");
        else if (strncmp(target, "properties.", 11) == 0)
            v = jsonx_get(jsonx_get(back, "properties"), target + 11);
        else
            v = jsonx_get(jsonx_get(back, "fields"), target);
        jsonx_format(got, v);
        /* The typed value agrees with its text. */
        const struct model_value *mv = map_row_get(&r, target);
        if (mv && !mv->set && v && strcmp(target, "deleted") != 0)
            fail_msg("%s: a null value formatted as %s", where, buf_cstr(got));
        json_object_put(back);
        buf_dispose(&row);
        map_row_dispose(&r);
    }
    json_object_put(rec);
done:
    json_object_put(sp);
    map_free(m);
    buf_dispose(&spec);
}

static void values(void **state)
{
    char *text = test_read_file(DATA "/values.txt", NULL);
    int bad = 0, n = 0, line = 0;
    (void)state;

    assert_non_null(text);
    for (char *p = text, *next; *p; p = next) {
        char *nl = strchr(p, '\n'), where[64];
        next = nl ? nl + 1 : p + strlen(p);
        if (nl)
            *nl = '\0';
        line++;
        if (*p == '#' || *p == '\0')
            continue;
        char *t[3] = {strchr(p, '\t'), NULL, NULL};
        for (int i = 1; i < 3 && t[i - 1]; i++)
            t[i] = strchr(t[i - 1] + 1, '\t');
        snprintf(where, sizeof(where), DATA "/values.txt:%d", line);
        if (!t[2])
            fail_msg("%s: expected FIELD<TAB>TRANSFORMS<TAB>INPUT<TAB>EXPECTED", where);
        for (int i = 0; i < 3; i++)
            *t[i] = '\0';
        struct buf got;
        buf_init(&got, 0);
        value_case(&got, where, p, t[0] + 1, t[1] + 1);
        n++;
        if (strcmp(buf_cstr(&got), t[2] + 1) != 0) {
            print_error("%s:\n  got      %s\n  expected %s\n", where, buf_cstr(&got), t[2] + 1);
            bad++;
        }
        buf_dispose(&got);
    }
    xfree(text);
    assert_true(n > 150);
    assert_int_equal(bad, 0);
}

/* ---- *.case: blocks of mapping, rows, schema, record, expect ---- */

struct block {
    int line;              /* where it starts */
    const char *mapping;   /* "mapping:" JSON */
    const char *connector; /* "connector:" FILE STREAM [MODEL] */
    const char *rows[16];  /* "row:" TARGET<TAB>SOURCE<TAB>TRANSFORMS */
    size_t n_rows;
    const char *schema, *record, *expect;
};

/* The default mapping of a connector file: "FILE STREAM [MODEL]". */
static int load_default(struct map **out, const char *where, const char *spec, struct err *e)
{
    char file[256], stream[128], model[64] = "";
    struct json_object *doc = NULL;
    struct jsonx_ptr at;
    int rc = ERR_NOTFOUND;
    if (sscanf(spec, "%255s %127s %63s", file, stream, model) < 2)
        fail_msg("%s: connector: FILE STREAM [MODEL]", where);
    if (jsonx_read_file(&doc, file, JSON_MAX, e) < 0)
        fail_msg("%s: %s", where, e->msg);
    struct json_object *maps = jsonx_get(doc, "mappings");
    for (size_t i = 0; i < jsonx_len(maps); i++) {
        struct json_object *m = jsonx_at(maps, i);
        if (strcmp(jsonx_str(jsonx_get(m, "stream")), stream) != 0 ||
            (*model && strcmp(jsonx_str(jsonx_get(m, "model")), model) != 0))
            continue;
        jsonx_ptr_init(&at);
        jsonx_ptr_push(&at, "mappings");
        jsonx_ptr_push_index(&at, i);
        rc = map_parse(out, m, &at, e);
        break;
    }
    json_object_put(doc);
    if (rc == ERR_NOTFOUND)
        fail_msg("%s: no mapping of %s in %s", where, stream, file);
    return rc;
}

static char *null_or(char *s)
{
    return strcmp(s, "null") == 0 ? NULL : s;
}

static void run_block(struct buf *got, const struct block *b, const char *where)
{
    struct map *m = NULL;
    struct jsonx_ptr at;
    struct err e;
    int rc = 0;

    if (b->connector) {
        rc = load_default(&m, where, b->connector, &e);
    } else if (b->mapping) {
        struct json_object *spec = parse_or_fail(where, b->mapping);
        jsonx_ptr_init(&at);
        rc = map_parse(&m, spec, &at, &e);
        json_object_put(spec);
    } else {
        fail_msg("%s: a block needs mapping: or connector:", where);
        return;
    }
    for (size_t i = 0; rc == 0 && i < b->n_rows; i++) {
        char *row = xstrdup(b->rows[i]);
        char *t1 = strchr(row, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
        if (!t2)
            fail_msg("%s: row: TARGET<TAB>SOURCE<TAB>TRANSFORMS", where);
        *t1 = *t2 = '\0';
        rc = map_set_row(m, row, null_or(t1 + 1), null_or(t2 + 1), &e);
        xfree(row);
    }
    if (rc == 0) {
        struct json_object *schema = b->schema ? parse_or_fail(where, b->schema) : NULL;
        if (b->schema || !b->record)
            rc = map_check(m, schema, &e);
        json_object_put(schema);
    }
    if (rc == 0 && b->record) {
        struct json_object *rec = parse_or_fail(where, b->record);
        struct map_row r;
        rc = map_apply(m, rec, &r, &e);
        if (rc == 0) {
            struct buf text;
            buf_init(&text, 0);
            map_row_format(&text, &r);
            normalize(got, where, buf_cstr(&text));
            buf_dispose(&text);
        }
        map_row_dispose(&r);
        json_object_put(rec);
    } else if (rc == 0) {
        buf_puts(got, "ok");
    }
    if (rc < 0) {
        assert_int_equal(rc, ERR_INVALID);
        assert_null(strchr(e.msg, '\n'));
        buf_printf(got, "error: %s", e.msg);
    }
    map_free(m);
}

static int check_file(const char *path, int *count)
{
    char *text = test_read_file(path, NULL);
    struct block b = {0}, prev = {0};
    int line = 0, bad = 0;
    bool open = false;

    assert_non_null(text);
    for (char *p = text, *next;; p = next) {
        bool end = *p == '\0';
        char *nl = end ? NULL : strchr(p, '\n');
        next = nl ? nl + 1 : p + strlen(p);
        if (nl)
            *nl = '\0';
        line++;
        if (end || *p == '\0') {
            if (open) {
                char where[340];
                struct buf got, want;
                snprintf(where, sizeof(where), "%s:%d", path, b.line);
                if (!b.mapping && !b.connector) { /* the previous block's mapping */
                    b.mapping = prev.mapping;
                    b.connector = prev.connector;
                    memcpy(b.rows, prev.rows, sizeof(b.rows));
                    b.n_rows = prev.n_rows;
                }
                if (!b.expect)
                    fail_msg("%s: a block needs expect:", where);
                buf_init(&got, 0);
                buf_init(&want, 0);
                run_block(&got, &b, where);
                if (strncmp(b.expect, "error: ", 7) == 0 || strcmp(b.expect, "ok") == 0)
                    buf_puts(&want, b.expect);
                else
                    normalize(&want, where, b.expect);
                (*count)++;
                if (strcmp(buf_cstr(&got), buf_cstr(&want)) != 0) {
                    print_error("%s:\n  got      %s\n  expected %s\n", where, buf_cstr(&got),
                                buf_cstr(&want));
                    bad++;
                }
                buf_dispose(&got);
                buf_dispose(&want);
                prev = b;
            }
            memset(&b, 0, sizeof(b));
            open = false;
            if (end)
                break;
            continue;
        }
        if (*p == '#')
            continue;
        if (!open)
            b.line = line;
        open = true;
        char *colon = strstr(p, ": ");
        if (!colon)
            fail_msg("%s:%d: expected KEY: VALUE", path, line);
        *colon = '\0';
        char *v = colon + 2;
        if (strcmp(p, "mapping") == 0)
            b.mapping = v;
        else if (strcmp(p, "connector") == 0)
            b.connector = v;
        else if (strcmp(p, "row") == 0 && b.n_rows < 16)
            b.rows[b.n_rows++] = v;
        else if (strcmp(p, "schema") == 0)
            b.schema = v;
        else if (strcmp(p, "record") == 0)
            b.record = v;
        else if (strcmp(p, "expect") == 0)
            b.expect = v;
        else
            fail_msg("%s:%d: unknown key %s", path, line, p);
    }
    xfree(text);
    return bad;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static void cases(void **state)
{
    struct dirent **list = NULL;
    int n = scandir(DATA, &list, NULL, by_name), bad = 0, count = 0, files = 0;
    (void)state;

    assert_true(n > 0);
    for (int i = 0; i < n; i++) {
        size_t len = strlen(list[i]->d_name);
        char path[300];
        if (len > 5 && strcmp(list[i]->d_name + len - 5, ".case") == 0) {
            snprintf(path, sizeof(path), DATA "/%s", list[i]->d_name);
            bad += check_file(path, &count);
            files++;
        }
        free(list[i]);
    }
    free(list);
    assert_true(files >= 5);
    assert_true(count > 60);
    assert_int_equal(bad, 0);
}

/* ---- the Salesforce defaults over the sandbox's records ---- */

/* A stream schema as discovery would make it from the sandbox's describe. */
static struct json_object *sf_schema(const char *object)
{
    const struct sfdata_object *o = sfdata_object_find(object);
    struct json_object *s = json_object_new_object(), *props = json_object_new_object();
    assert_non_null(o);
    for (size_t i = 0; i < o->n_fields; i++)
        json_object_object_add(props, o->fields[i].name, json_object_new_object());
    json_object_object_add(s, "properties", props);
    return s;
}

static const char *text_of(const struct json_object *rec, const char *key)
{
    return jsonx_str(jsonx_get(rec, key));
}

/* Check one mapped Salesforce record against its source. */
static void sf_expect(const char *object, const struct json_object *rec, const struct map_row *r)
{
    char lower[256];
    assert_string_equal(r->external_id, text_of(rec, "Id"));
    assert_int_equal(r->deleted, json_object_get_boolean(jsonx_get(rec, "IsDeleted")));
    assert_true(map_row_get(r, "remote_created_at")->set);
    assert_true(map_row_get(r, "remote_updated_at")->i >= map_row_get(r, "remote_created_at")->i);
    assert_false(jsonx_has(r->properties, "Id"));
    assert_false(jsonx_has(r->properties, "CreatedDate"));
    assert_true(jsonx_has(r->properties, "SystemModstamp"));
    if (strcmp(object, "Account") == 0) {
        const char *web = text_of(rec, "Website");
        assert_string_equal(map_row_get(r, "domain")->s, web + 4); /* "www." */
        assert_int_equal(map_row_get(r, "employees")->i,
                         json_object_get_int64(jsonx_get(rec, "NumberOfEmployees")));
        assert_string_equal(map_row_get(r, "name")->s, text_of(rec, "Name"));
        assert_true(jsonx_has(r->properties, "Type"));
    } else if (strcmp(object, "Contact") == 0 || strcmp(object, "Lead") == 0) {
        const char *email = text_of(rec, "Email");
        const struct model_value *v = map_row_get(r, "email");
        if (email) {
            size_t i = 0;
            for (; email[i] && i + 1 < sizeof(lower); i++)
                lower[i] = (char)(email[i] >= 'A' && email[i] <= 'Z' ? email[i] + 32 : email[i]);
            lower[i] = '\0';
            assert_string_equal(v->s, lower);
        } else {
            assert_false(v->set);
        }
        assert_string_equal(map_row_get(r, "last_name")->s, text_of(rec, "LastName"));
        if (object[0] == 'L') {
            assert_string_equal(map_row_get(r, "lead_status")->s, text_of(rec, "Status"));
            assert_string_equal(map_row_get(r, "lead_source")->s, text_of(rec, "LeadSource"));
            assert_string_equal(map_row_get(r, "company")->s, text_of(rec, "Company"));
        } else if (text_of(rec, "AccountId")) {
            assert_string_equal(map_row_get(r, "account")->s, text_of(rec, "AccountId"));
        }
    } else if (strcmp(object, "Opportunity") == 0) {
        const char *stage = text_of(rec, "StageName");
        const char *want = strcmp(stage, "Closed Won") == 0    ? "won"
                           : strcmp(stage, "Closed Lost") == 0 ? "lost"
                                                               : "open";
        assert_string_equal(map_row_get(r, "status")->s, want);
        assert_string_equal(map_row_get(r, "stage")->s, stage);
        assert_string_equal(map_row_get(r, "currency")->s, "USD");
        /* Money keeps its digits: 50000.0 stays 50000.0. */
        assert_string_equal(map_row_get(r, "amount")->s,
                            json_object_get_string(jsonx_get(rec, "Amount")));
        assert_string_equal(map_row_get(r, "probability")->s,
                            json_object_get_string(jsonx_get(rec, "Probability")));
        assert_string_equal(map_row_get(r, "close_date")->s, text_of(rec, "CloseDate"));
    } else if (strcmp(object, "Case") == 0) {
        const char *p = text_of(rec, "Priority");
        assert_true(strcmp(map_row_get(r, "priority")->s, p[0] == 'H'   ? "high"
                                                          : p[0] == 'M' ? "medium"
                                                                        : "low") == 0);
        assert_string_equal(map_row_get(r, "subject")->s, text_of(rec, "Subject"));
        assert_true(jsonx_has(r->properties, "CaseNumber"));
    }
}

static void sandbox_salesforce(void **state)
{
    static const char *const objects[] = {"Account", "Contact", "Lead", "Opportunity", "Case"};
    struct json_object *doc = NULL;
    struct sfdata *d = NULL;
    struct err e;
    size_t mapped = 0, deleted = 0;
    (void)state;

    assert_int_equal(jsonx_read_file(&doc, "connectors/salesforce.json", JSON_MAX, &e), 0);
    assert_int_equal(sfdata_new(&d, 42, SF_RECORD, NOW_MS, &e), 0);
    struct json_object *maps = jsonx_get(doc, "mappings");
    for (size_t k = 0; k < sizeof(objects) / sizeof(objects[0]); k++) {
        struct map *m = NULL;
        struct jsonx_ptr at;
        assert_true(sfdata_delete(d, objects[k], 7, NOW_MS) == 7);
        for (size_t i = 0; i < jsonx_len(maps); i++)
            if (strcmp(jsonx_str(jsonx_get(jsonx_at(maps, i), "stream")), objects[k]) == 0) {
                jsonx_ptr_init(&at);
                assert_int_equal(map_parse(&m, jsonx_at(maps, i), &at, &e), 0);
            }
        assert_non_null(m);
        struct json_object *schema = sf_schema(objects[k]);
        if (map_check(m, schema, &e) != 0)
            fail_msg("%s: %s", objects[k], e.msg);
        json_object_put(schema);
        for (size_t i = 0; i < sfdata_count(d, objects[k]); i++) {
            struct json_object *rec = NULL;
            struct map_row r;
            sfdata_record_load(&rec, d, objects[k], i);
            if (map_apply(m, rec, &r, &e) != 0)
                fail_msg("%s %zu: %s", objects[k], i, e.msg);
            sf_expect(objects[k], rec, &r);
            deleted += r.deleted;
            mapped++;
            map_row_dispose(&r);
            json_object_put(rec);
        }
        map_free(m);
    }
    assert_int_equal(mapped, 5 * SF_RECORD);
    assert_int_equal(deleted, 5 * 7);
    sfdata_free(d);
    json_object_put(doc);
}

/* ---- the connector check ---- */

/* connectors/NAME.json with text `from` replaced by `to` (once), checked. */
static void check_edited(const char *file, const char *from, const char *to, const char *want)
{
    size_t n;
    char *text = test_read_file(file, &n);
    struct buf b;
    struct err e = {0};
    assert_non_null(text);
    char *at = strstr(text, from);
    if (!at)
        fail_msg("%s does not contain %s", file, from);
    buf_init(&b, 0);
    buf_put(&b, text, (size_t)(at - text));
    buf_puts(&b, to);
    buf_puts(&b, at + strlen(from));
    int rc = registry_check_text(buf_cstr(&b), b.n, &e);
    if (want) {
        assert_int_equal(rc, ERR_INVALID);
        assert_string_equal(e.msg, want);
    } else if (rc != 0) {
        fail_msg("%s: %s", file, e.msg);
    }
    buf_dispose(&b);
    xfree(text);
}

static void connector_check(void **state)
{
    (void)state;
    check_edited("connectors/salesforce.json", "\"mappings\"", "\"mappings\"", NULL);
    check_edited("connectors/hubspot.json", "\"mappings\"", "\"mappings\"", NULL);
    check_edited("connectors/hubspot.json", "\"first_name\": \"firstname\"",
                 "\"frist_name\": \"firstname\"",
                 "/mappings/0/fields/frist_name: no field \"frist_name\" in contacts; did you mean "
                 "first_name?");
    check_edited("connectors/hubspot.json", "\"lower\"", "\"lowr\"",
                 "/mappings/3/fields/priority/transforms/0: unknown transform \"lowr\"; did you "
                 "mean lower?");
    check_edited("connectors/hubspot.json", "\"stream\": \"companies\"", "\"stream\": \"company\"",
                 "/mappings/1/stream: no stream \"company\" in this file");
    check_edited("connectors/hubspot.json", "\"model\": \"accounts\"", "\"model\": \"account\"",
                 "/mappings/1/model: unknown model \"account\"; did you mean accounts?");
    check_edited("connectors/hubspot.json", "\"mappings\": [",
                 "\"mappings\": [{\"stream\": \"contacts\", \"model\": \"contacts\", \"fields\": "
                 "{\"external_id\": \"id\"}},",
                 "/mappings/1: a second mapping of stream contacts into contacts");
    check_edited("connectors/hubspot.json", "\"external_id\": \"id\"", "\"id\": \"id\"",
                 "/mappings/0/fields/id: no field \"id\" in contacts (a core field, or "
                 "properties.KEY)");
    check_edited("connectors/salesforce.json", "\"external_id\": \"Id\",", "",
                 "/mappings/0/fields: external_id must be mapped: it identifies the record");
    check_edited("connectors/salesforce.json", "\"close_date\": \"CloseDate\"",
                 "\"close_date\": {\"from\": \"CloseDate\", \"transforms\": [\"number\"]}",
                 "/mappings/3/fields/close_date/transforms/0: number does not fit a date field");
    check_edited("connectors/salesforce.json", "\"mappings\": [", "\"mappings\": [7,",
                 "/mappings/0: expected an object, got a number");
    /* A stream with its whole schema in the file: sources are checked. */
    check_edited("connectors/hubspot.json", "\"mappings\": [",
                 "\"mappings\": [{\"stream\": \"owners\", \"model\": \"contacts\", \"fields\": "
                 "{\"external_id\": \"id\", \"email\": \"mail\"}},",
                 "/mappings/0/fields/email: no field \"mail\" in stream owners");
    check_edited("connectors/hubspot.json", "\"mappings\": [",
                 "\"mappings\": [{\"stream\": \"owners\", \"model\": \"contacts\", \"fields\": "
                 "{\"external_id\": \"id\", \"email\": \"email\", \"first_name\": "
                 "\"firstName\", \"remote_created_at\": \"createdAt\"}},",
                 NULL);
}

/* ---- the API around a row ---- */

static void api(void **state)
{
    struct map *m = NULL;
    struct map_row r;
    struct err e;
    (void)state;

    /* Built from rows alone: incomplete until external_id is mapped. */
    assert_int_equal(map_new(&m, "people", "contatcs", &e), ERR_INVALID);
    assert_string_equal(e.msg, "/model: unknown model \"contatcs\"; did you mean contacts?");
    assert_null(m);
    assert_int_equal(map_new(&m, "", "contacts", &e), ERR_INVALID);
    assert_string_equal(e.msg, "/stream: expected a stream name of 1 to 256 bytes");
    assert_int_equal(map_new(&m, "people", "contacts", &e), 0);
    assert_string_equal(map_stream(m), "people");
    assert_string_equal(map_model(m)->name, "contacts");
    assert_int_equal(map_check(m, NULL, &e), ERR_INVALID);
    assert_string_equal(e.msg, "/fields: external_id must be mapped: it identifies the record");
    struct json_object *rec = parse_or_fail("api", "{\"key\":\"k1\",\"mail\":\"A@B.C\"}");
    assert_int_equal(map_apply(m, rec, &r, &e), ERR_INVALID);
    assert_string_equal(e.msg, "external_id: is not mapped");
    assert_null(r.properties); /* disposed of on failure */
    assert_int_equal(map_set_row(m, "external_id", "key", NULL, &e), 0);
    assert_int_equal(map_set_row(m, "email", "mail", "", &e), 0);
    assert_int_equal(map_check(m, NULL, &e), 0);
    assert_int_equal(map_apply(m, rec, &r, &e), 0);
    assert_string_equal(r.external_id, "k1");
    assert_false(r.deleted);
    assert_string_equal(map_row_get(&r, "email")->s, "a@b.c");
    assert_false(map_row_get(&r, "phone")->set);
    assert_null(map_row_get(&r, "amount"));
    assert_int_equal(json_object_object_length(r.properties), 0);
    assert_string_equal(map_model(m)->fields[MODEL_EXTERNAL_ID].name, "external_id");
    map_row_dispose(&r);
    map_row_dispose(&r); /* twice is fine */
    json_object_put(rec);

    /* A refused row leaves the mapping as it was. */
    rec = parse_or_fail("api", "{\"key\":\"k1\",\"mail\":\"A@B.C\",\"t\":\"x\"}");
    struct buf before, after;
    buf_init(&before, 0);
    buf_init(&after, 0);
    assert_int_equal(map_apply(m, rec, &r, &e), 0);
    map_row_format(&before, &r);
    map_row_dispose(&r);
    assert_int_equal(map_set_row(m, "email", "t", "[\"lower\", {\"date\": \"%Q\"}]", &e),
                     ERR_INVALID);
    assert_string_equal(e.msg, "/transforms/1/date: unknown directive %Q in date format at byte 0");
    assert_int_equal(map_set_row(m, "properties", "[\"a\", 1]", NULL, &e), ERR_INVALID);
    assert_int_equal(map_set_row(m, "title", "{\"first_of\": [\"a\", \"\"]}", NULL, &e),
                     ERR_INVALID);
    assert_string_equal(e.msg, "/source_field/first_of/1: expected a field name of 1 to 256 bytes");
    /* A row's own sources against a schema; [] is no transforms for
     * properties (the column's default). */
    struct json_object *schema =
        parse_or_fail("api", "{\"properties\":{\"key\":{},\"mail\":{},\"t\":{}}}");
    assert_int_equal(map_set_row(m, "title", "{\"first_of\": [\"x\", \"y\"]}", "[]", &e), 0);
    assert_int_equal(map_check_row(m, "title", schema, &e), ERR_INVALID);
    assert_string_equal(e.msg, "/source_field: none of these fields is in stream people");
    assert_int_equal(map_set_row(m, "title", "ttl", NULL, &e), 0);
    assert_int_equal(map_check_row(m, "title", schema, &e), ERR_INVALID);
    assert_string_equal(e.msg, "/source_field: no field \"ttl\" in stream people");
    assert_int_equal(map_check_row(m, "email", schema, &e), 0);
    assert_int_equal(map_check_row(m, "phone", schema, &e), 0); /* not mapped */
    assert_int_equal(map_check_row(m, "title", NULL, &e), 0);
    assert_int_equal(map_set_row(m, "title", NULL, "[]", &e), 0);
    assert_int_equal(map_set_row(m, "properties", "[\"t\", \"u\"]", " [ ] ", &e), 0);
    assert_int_equal(map_check_row(m, "properties", schema, &e), ERR_INVALID);
    assert_string_equal(e.msg, "/source_field/1: no field \"u\" in stream people");
    assert_int_equal(map_set_row(m, "properties", "rest", "[\"lower\"]", &e), ERR_INVALID);
    assert_string_equal(e.msg, "/source_field: properties takes no transforms");
    assert_int_equal(map_set_row(m, "properties", "rest", "[]", &e), 0);
    assert_int_equal(map_check_row(m, "properties", schema, &e), 0);
    json_object_put(schema);
    assert_int_equal(map_apply(m, rec, &r, &e), 0);
    map_row_format(&after, &r);
    map_row_dispose(&r);
    assert_string_equal(buf_cstr(&before), buf_cstr(&after));
    buf_dispose(&before);
    buf_dispose(&after);
    json_object_put(rec);

    /* Not an object. */
    rec = parse_or_fail("api", "[1]");
    assert_int_equal(map_apply(m, rec, &r, &e), ERR_INVALID);
    assert_string_equal(e.msg, "record: expected an object, got array");
    json_object_put(rec);
    map_free(m);
    map_free(NULL);

    /* The models. */
    assert_int_equal(model_count(), 4);
    for (size_t i = 0; i < model_count(); i++) {
        const struct model *mo = model_at(i);
        assert_ptr_equal(model_find(mo->name), mo);
        assert_true(mo->n_fields <= MODEL_FIELDS_MAX);
        assert_int_equal(model_field_index(mo, "external_id"), MODEL_EXTERNAL_ID);
        assert_int_equal(model_field_index(mo, "deleted"), MODEL_DELETED);
    }
    assert_null(model_at(4));
    assert_null(model_find("leads"));
    const struct model *deals = model_find("deals");
    const struct model_field *acc = &deals->fields[model_field_index(deals, "account")];
    assert_int_equal(acc->type, MODEL_REF);
    assert_string_equal(acc->ref, "accounts");
    assert_string_equal(model_type_name(MODEL_DECIMAL), "decimal");
    static const char *const names[] = {"email", "first_name", "phone"};
    assert_string_equal(model_suggest("emial", names, 3), "email");
    assert_string_equal(model_suggest("frist_name", names, 3), "first_name");
    assert_null(model_suggest("x", names, 3));
    assert_null(model_suggest("company", names, 3));
}

/* ---- one mapping, many threads ---- */

#define THREADS 4
#define ROUNDS  200

struct worker {
    const struct map *m;
    struct json_object *recs[3]; /* the worker's own copies */
    const char *want[3];
    int bad;
};

static void *work(void *arg)
{
    struct worker *w = arg;
    for (int k = 0; k < ROUNDS; k++) {
        struct map_row r;
        struct buf b;
        struct err e;
        int i = k % 3;
        buf_init(&b, 0);
        if (map_apply(w->m, w->recs[i], &r, &e) != 0)
            buf_printf(&b, "error: %s", e.msg);
        else
            map_row_format(&b, &r);
        map_row_dispose(&r);
        w->bad += strcmp(buf_cstr(&b), w->want[i]) != 0;
        buf_dispose(&b);
    }
    return NULL;
}

/* map_apply only reads the map: constants, enum maps and defaults that
 * many workers share (run under SAN=thread to see races). */
static void threads(void **state)
{
    static const char *const recs[3] = {
        ("{\"id\":\"1\",\"dealstage\":\"closedwon\",\"amount\":1.50,"
         "\"hs_deal_stage_probability\":0.25,\"closedate\":\"1709287200000\"}"),
        "{\"id\":\"2\",\"dealstage\":\"x\",\"amount\":\"12x\"}",
        "{\"id\":\"3\",\"deal_currency_code\":\"eur\",\"extra\":{\"a\":[1,2.5]}}",
    };
    char *want[3];
    struct json_object *doc = NULL;
    struct map *m = NULL;
    struct jsonx_ptr at;
    struct err e;
    struct worker w[THREADS];
    pthread_t tid[THREADS];
    (void)state;

    assert_int_equal(jsonx_read_file(&doc, "connectors/hubspot.json", JSON_MAX, &e), 0);
    jsonx_ptr_init(&at);
    assert_int_equal(map_parse(&m, jsonx_at(jsonx_get(doc, "mappings"), 2), &at, &e), 0);
    assert_string_equal(map_stream(m), "deals");
    for (int i = 0; i < 3; i++) {
        struct json_object *rec = parse_or_fail("threads", recs[i]);
        struct map_row r;
        struct buf b;
        buf_init(&b, 0);
        if (map_apply(m, rec, &r, &e) != 0)
            buf_printf(&b, "error: %s", e.msg);
        else
            map_row_format(&b, &r);
        map_row_dispose(&r);
        want[i] = buf_take(&b);
        json_object_put(rec);
    }
    assert_string_equal(want[1],
                        "error: amount: \"12x\" is not a number: unexpected \"x\" at byte 2");
    for (int t = 0; t < THREADS; t++) {
        w[t].m = m;
        w[t].bad = 0;
        for (int i = 0; i < 3; i++) {
            w[t].recs[i] = parse_or_fail("threads", recs[i]);
            w[t].want[i] = want[i];
        }
        assert_int_equal(pthread_create(&tid[t], NULL, work, &w[t]), 0);
    }
    for (int t = 0; t < THREADS; t++) {
        assert_int_equal(pthread_join(tid[t], NULL), 0);
        assert_int_equal(w[t].bad, 0);
        for (int i = 0; i < 3; i++)
            json_object_put(w[t].recs[i]);
    }
    for (int i = 0; i < 3; i++)
        xfree(want[i]);
    map_free(m);
    json_object_put(doc);
}

int test_map(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(values),
        cmocka_unit_test(cases),
        cmocka_unit_test(sandbox_salesforce),
        cmocka_unit_test(connector_check),
        cmocka_unit_test(api),
        cmocka_unit_test(threads),
    };
    return test_group("map", tests, NULL, NULL);
}
