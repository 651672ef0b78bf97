/* tests/api/test_api_mappings.c - /api/mappings over real HTTP on both
 * engines, against the Salesforce (and HubSpot) sandbox: a row is refused
 * with a precise pointer and message when it names an unknown stream,
 * model, target field, source field or transform, or a transform that does
 * not fit its field; 409 before a discovery and for a second row of the
 * same field; a stream without a default takes external_id first; rows
 * are read, listed beside the connector's defaults, replaced, deleted and
 * audited; another tenant's rows and integrations are not found; and a row
 * made here changes what the next sync writes into contacts. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "api_test.h"
#include "core/alloc.h"
#include "core/jsonx.h"
#include "oauth_fx.h"
#include "sync/columns.h"
#include "test.h"

/* A request by tenant a; its status must be status; its body (xfree). */
static char *call(struct api_test *t, const char *method, const char *path, const char *body,
                  long status)
{
    struct client_reply r;
    api_test_call(t, &r, method, path, t->a.key, body, NULL);
    if (r.status != status)
        fail_msg("%s %s %s: expected %ld, got %ld: %s", method ? method : "GET", path,
                 body ? body : "", status, r.status, buf_cstr(&r.body));
    char *s = buf_take(&r.body);
    client_reply_dispose(&r);
    return s ? s : xstrdup("");
}

static struct json_object *json(const char *s)
{
    struct json_object *v = NULL;
    struct err e;
    if (jsonx_parse(&v, s, strlen(s), strlen(s) + 1, &e) != 0)
        fail_msg("not JSON (%s): %s", e.msg, s);
    return v;
}

/* The same, parsed (json_object_put). */
static struct json_object *call_json(struct api_test *t, const char *method, const char *path,
                                     const char *body, long status)
{
    char *s = call(t, method, path, body, status);
    struct json_object *v = json(s);
    xfree(s);
    return v;
}

/* A refused request: status and code, and when pointer is not NULL, the
 * first detail's pointer and message (exactly, or containing has when
 * message starts with '~'). Returns the body (xfree). */
static char *refused(struct api_test *t, const char *method, const char *path, const char *body,
                     long status, const char *code, const char *pointer, const char *message)
{
    struct client_reply r;
    api_test_call(t, &r, method, path, t->a.key, body, NULL);
    if (r.status != status)
        fail_msg("%s %s %s: expected %ld, got %ld: %s", method, path, body ? body : "", status,
                 r.status, buf_cstr(&r.body));
    api_test_expect_error(&r, status, code);
    struct json_object *v = api_test_json(&r);
    struct json_object *err = jsonx_get(v, "error");
    struct json_object *d = jsonx_at(jsonx_get(err, "details"), 0);
    const char *got_ptr = jsonx_str(jsonx_get(d, "pointer"));
    const char *got =
        pointer ? jsonx_str(jsonx_get(d, "message")) : jsonx_str(jsonx_get(err, "message"));
    if (pointer && (!got_ptr || strcmp(got_ptr, pointer) != 0))
        fail_msg("%s: expected pointer %s: %s", body ? body : path, pointer, buf_cstr(&r.body));
    if (message &&
        (!got || (message[0] == '~' ? !strstr(got, message + 1) : strcmp(got, message) != 0)))
        fail_msg("%s: expected message \"%s\": %s", body ? body : path, message, buf_cstr(&r.body));
    json_object_put(v);
    char *s = buf_take(&r.body);
    client_reply_dispose(&r);
    return s ? s : xstrdup("");
}

/* SQL as trusted system code (PostgreSQL's RLS off), $1 bound to arg. */
static void sql_exec(struct api_test *t, const char *sql, const char *arg)
{
    struct err e;
    if (strcmp(t->tdb->engine, "postgres") == 0)
        assert_db_ok(db_exec(t->tdb->db, "SET inlet.system = on", DB_ARGS(), NULL, &e), &e);
    assert_db_ok(db_exec(t->tdb->db, sql, DB_ARGS(DB_TEXT(arg)), NULL, &e), &e);
}

/* A connected Salesforce integration of tenant a, discovered unless not. */
static void salesforce(struct ofx *f, void **state, char id[ID_MAX], bool discover)
{
    char path[128];
    ofx_start(f, state, SANDBOX_SALESFORCE);
    ofx_connect_new(f, "Org", id);
    if (!discover)
        return;
    snprintf(path, sizeof(path), "/api/integrations/%s/discover", id);
    xfree(call(f->t, "POST", path, NULL, 200));
}

/* The body of a row: ROW("Contact", "contacts", "title",
 * ",\"source_field\":\"x\"") with %s for the integration's id. */
#define ROW(stream, model, field, rest)                                                            \
    "{\"integration_id\":\"%s\",\"stream\":\"" stream "\",\"model\":\"" model                      \
    "\",\"target_field\":\"" field "\"" rest "}"

/* tmpl with its "%s" (if any) replaced by id, into out. */
static void with_id(char *out, size_t n, const char *tmpl, const char *id)
{
    const char *at = strstr(tmpl, "%s");
    int k = at ? snprintf(out, n, "%.*s%s%s", (int)(at - tmpl), tmpl, id, at + 2)
               : snprintf(out, n, "%s", tmpl);
    assert_true(k > 0 && (size_t)k < n);
}

struct row_case {
    const char *label;
    const char *body; /* ROW(...), %s the integration id */
    long status;
    const char *pointer; /* of a 422 */
    const char *message; /* the detail's exactly, or "~" and a part of the error's */
};

static const struct row_case create_cases[] = {
    {"rename", ROW("Contact", "contacts", "title", ",\"source_field\":\"LastName\""), 201, NULL,
     NULL},
    {"transforms",
     ROW("Contact", "contacts", "first_name",
         ",\"source_field\":\"FirstName\",\"transforms\":[\"trim\",\"upper\"]"),
     201, NULL, NULL},
    {"source object",
     ROW("Contact", "contacts", "phone", ",\"source_field\":{\"first_of\":[\"Phone\",\"Nope\"]}"),
     201, NULL, NULL},
    {"properties key",
     ROW("Contact", "contacts", "properties.nick",
         ",\"source_field\":\"Name\",\"transforms\":[\"lower\"]"),
     201, NULL, NULL},
    {"constant", ROW("Contact", "contacts", "lead_source", ",\"transforms\":[{\"const\":\"web\"}]"),
     201, NULL, NULL},
    {"properties list", ROW("Contact", "contacts", "properties", ",\"source_field\":[\"Name\"]"),
     201, NULL, NULL},
    {"unknown source field",
     ROW("Contact", "contacts", "last_name", ",\"source_field\":\"LastNmae\""), 422,
     "/source_field", "no field \"LastNmae\" in stream Contact"},
    {"no source of a first_of",
     ROW("Contact", "contacts", "last_name", ",\"source_field\":{\"first_of\":[\"A\",\"B\"]}"), 422,
     "/source_field", "none of these fields is in stream Contact"},
    {"unknown name in properties",
     ROW("Lead", "contacts", "properties", ",\"source_field\":[\"Name\",\"Nope\"]"), 422,
     "/source_field/1", "no field \"Nope\" in stream Lead"},
    {"unknown transform",
     ROW("Contact", "contacts", "email", ",\"source_field\":\"Email\",\"transforms\":[\"lowr\"]"),
     422, "/transforms/0", "unknown transform \"lowr\"; did you mean lower?"},
    {"transform unfit for the field",
     ROW("Contact", "contacts", "email",
         ",\"source_field\":\"Email\",\"transforms\":[{\"date\":\"iso8601\"}]"),
     422, "/transforms/0", "~does not fit"},
    {"unknown model", ROW("Contact", "contact", "title", ",\"source_field\":\"Title\""), 422,
     "/model", "unknown model \"contact\"; did you mean contacts?"},
    {"unknown stream", ROW("Contct", "contacts", "title", ",\"source_field\":\"Title\""), 422,
     "/stream", "no stream \"Contct\" in this integration's catalog; did you mean Contact?"},
    {"unknown target field", ROW("Contact", "contacts", "titel", ",\"source_field\":\"Title\""),
     422, "/target_field", "no field \"titel\" in contacts; did you mean title?"},
    {"external_id kept", ROW("Contact", "contacts", "external_id", ""), 422, "/source_field",
     "external_id cannot be removed: it identifies the record"},
    {"a list for a field", ROW("Contact", "contacts", "title", ",\"source_field\":[\"Title\"]"),
     422, "/source_field", "a list of names is for target_field properties only"},
    {"transforms not a list",
     ROW("Contact", "contacts", "email", ",\"source_field\":\"Email\",\"transforms\":\"lower\""),
     422, "/transforms", "expected an array, got string"},
    {"a number for a source", ROW("Contact", "contacts", "email", ",\"source_field\":7"), 422,
     "/source_field", "expected a field name, a source object or null, got integer"},
    {"no default: external_id first",
     ROW("User", "contacts", "email", ",\"source_field\":\"Email\""), 422, "/target_field",
     "stream User has no default mapping into contacts, so its first row must map external_id "
     "(what identifies a record)"},
    {"no default: external_id", ROW("User", "contacts", "external_id", ",\"source_field\":\"Id\""),
     201, NULL, NULL},
    {"no default: then others", ROW("User", "contacts", "email", ",\"source_field\":\"Email\""),
     201, NULL, NULL},
    {"a second row of a field", ROW("Contact", "contacts", "title", ",\"source_field\":\"Name\""),
     409, NULL, "~use PUT /api/mappings/fmap_"},
    {"missing stream", "{\"integration_id\":\"%s\",\"model\":\"contacts\"}", 422, "/stream",
     "is required"},
    {"missing integration", "{\"stream\":\"Contact\"}", 422, "/integration_id", "is required"},
};

/* Every row case, in order; the ids of the ones created into ids. */
static void create_all(struct api_test *t, const char *id, char ids[][ID_MAX])
{
    char body[1024];
    for (size_t i = 0; i < sizeof(create_cases) / sizeof(create_cases[0]); i++) {
        const struct row_case *k = &create_cases[i];
        with_id(body, sizeof(body), k->body, id);
        ids[i][0] = '\0';
        if (k->status != 201) {
            xfree(refused(t, "POST", "/api/mappings", body, k->status,
                          k->status == 422 ? "validation_failed" : "conflict", k->pointer,
                          k->message));
            continue;
        }
        struct json_object *v = call_json(t, "POST", "/api/mappings", body, 201);
        snprintf(ids[i], ID_MAX, "%s", jsonx_str(jsonx_get(v, "id")));
        assert_true(id_valid(ids[i], "fmap"));
        assert_string_equal(jsonx_str(jsonx_get(v, "integration_id")), id);
        json_object_put(v);
    }
}

static void test_rows(void **state)
{
    struct ofx f;
    char id[ID_MAX], path[256], ghost[ID_MAX];
    char ids[sizeof(create_cases) / sizeof(create_cases[0])][ID_MAX];

    salesforce(&f, state, id, false);
    struct api_test *t = f.t;

    /* Before a discovery nothing can be checked: said so, with the way out. */
    char body[512];
    with_id(body, sizeof(body), create_cases[0].body, id);
    xfree(refused(t, "POST", "/api/mappings", body, 409, "conflict", NULL,
                  "~has no catalog yet: POST /api/integrations/"));
    snprintf(path, sizeof(path), "/api/integrations/%s/discover", id);
    xfree(call(t, "POST", path, NULL, 200));
    create_all(t, id, ids);

    /* One row as created: a string source, an object source. */
    snprintf(path, sizeof(path), "/api/mappings/%s", ids[0]);
    struct json_object *v = call_json(t, NULL, path, NULL, 200);
    assert_string_equal(jsonx_str(jsonx_get(v, "stream")), "Contact");
    assert_string_equal(jsonx_str(jsonx_get(v, "model")), "contacts");
    assert_string_equal(jsonx_str(jsonx_get(v, "target_field")), "title");
    assert_string_equal(jsonx_str(jsonx_get(v, "source_field")), "LastName");
    assert_int_equal(jsonx_len(jsonx_get(v, "transforms")), 0);
    assert_true(json_object_is_type(jsonx_get(v, "transforms"), json_type_array));
    assert_non_null(strstr(jsonx_str(jsonx_get(v, "created_at")), "T"));
    assert_non_null(jsonx_str(jsonx_get(v, "updated_at")));
    json_object_put(v);
    snprintf(path, sizeof(path), "/api/mappings/%s", ids[2]);
    v = call_json(t, NULL, path, NULL, 200);
    assert_string_equal(jsonx_str(jsonx_at(jsonx_get(jsonx_get(v, "source_field"), "first_of"), 1)),
                        "Nope");
    json_object_put(v);
    snprintf(path, sizeof(path), "/api/mappings/%s", ids[1]);
    v = call_json(t, NULL, path, NULL, 200);
    assert_string_equal(jsonx_str(jsonx_at(jsonx_get(v, "transforms"), 1)), "upper");
    json_object_put(v);
    snprintf(path, sizeof(path), "/api/mappings/%s", ids[5]);
    v = call_json(t, NULL, path, NULL, 200);
    assert_string_equal(jsonx_str(jsonx_at(jsonx_get(v, "source_field"), 0)), "Name");
    json_object_put(v);

    /* Replace: both members, checked as on create. */
    snprintf(path, sizeof(path), "/api/mappings/%s", ids[0]);
    v = call_json(t, "PUT", path, "{\"source_field\":\"Title\",\"transforms\":[\"upper\"]}", 200);
    assert_string_equal(jsonx_str(jsonx_get(v, "source_field")), "Title");
    assert_string_equal(jsonx_str(jsonx_at(jsonx_get(v, "transforms"), 0)), "upper");
    json_object_put(v);
    xfree(refused(t, "PUT", path, "{\"source_field\":\"Title\",\"transforms\":[\"uper\"]}", 422,
                  "validation_failed", "/transforms/0",
                  "unknown transform \"uper\"; did you mean upper?"));
    xfree(refused(t, "PUT", path, "{\"source_field\":\"Titl\"}", 422, "validation_failed",
                  "/source_field", "no field \"Titl\" in stream Contact"));
    xfree(refused(t, "PUT", path, "{\"stream\":\"Lead\"}", 400, "unknown_field", NULL, NULL));
    v = call_json(t, "PUT", path, "{}", 200); /* removes the field */
    assert_null(jsonx_get(v, "source_field"));
    assert_int_equal(jsonx_len(jsonx_get(v, "transforms")), 0);
    json_object_put(v);
    v = call_json(t, "PUT", path, "{\"source_field\":\"LastName\",\"transforms\":null}", 200);
    json_object_put(v);
    /* The User mapping cannot lose what keys it. */
    snprintf(path, sizeof(path), "/api/mappings/%s", ids[19]);
    xfree(refused(t, "PUT", path, "{}", 422, "validation_failed", "/source_field",
                  "external_id cannot be removed: it identifies the record"));
    id_new(ghost, "fmap");
    snprintf(path, sizeof(path), "/api/mappings/%s", ghost);
    xfree(refused(t, "PUT", path, "{}", 404, "not_found", NULL, NULL));
    xfree(refused(t, "PUT", "/api/mappings/nope", "{}", 404, "not_found", NULL, NULL));

    /* The list, whole and by stream, with the connector's defaults. */
    snprintf(path, sizeof(path), "/api/mappings?integration_id=%s", id);
    v = call_json(t, NULL, path, NULL, 200);
    assert_int_equal(jsonx_len(jsonx_get(v, "data")), 8);
    assert_int_equal(jsonx_len(jsonx_get(v, "defaults")), 5);
    assert_string_equal(jsonx_str(jsonx_get(jsonx_at(jsonx_get(v, "defaults"), 0), "stream")),
                        "Account");
    assert_string_equal(jsonx_str(jsonx_get(jsonx_at(jsonx_get(v, "data"), 0), "stream")),
                        "Contact");
    json_object_put(v);
    snprintf(path, sizeof(path), "/api/mappings?integration_id=%s&stream=User", id);
    v = call_json(t, NULL, path, NULL, 200);
    assert_int_equal(jsonx_len(jsonx_get(v, "data")), 2);
    assert_int_equal(jsonx_len(jsonx_get(v, "defaults")), 0);
    assert_string_equal(jsonx_str(jsonx_get(jsonx_at(jsonx_get(v, "data"), 0), "target_field")),
                        "email");
    json_object_put(v);
    snprintf(path, sizeof(path), "/api/mappings?integration_id=%s&stream=Contact", id);
    v = call_json(t, NULL, path, NULL, 200);
    assert_int_equal(jsonx_len(jsonx_get(v, "data")), 6);
    struct json_object *def = jsonx_at(jsonx_get(v, "defaults"), 0);
    assert_int_equal(jsonx_len(jsonx_get(v, "defaults")), 1);
    assert_string_equal(jsonx_str(jsonx_get(def, "model")), "contacts");
    assert_string_equal(jsonx_str(jsonx_get(jsonx_get(def, "fields"), "title")), "Title");
    json_object_put(v);
    xfree(refused(t, "GET", "/api/mappings", NULL, 400, "invalid_parameter", NULL,
                  "~integration_id: required"));
    xfree(refused(t, "GET", "/api/mappings?integration_id=x", NULL, 400, "invalid_parameter", NULL,
                  "~integration_id: expected an integration id"));
    xfree(refused(t, "GET", "/api/mappings?integration_id=int_1&sort=x", NULL, 400,
                  "unknown_parameter", NULL, NULL));
    id_new(ghost, "int");
    snprintf(path, sizeof(path), "/api/mappings?integration_id=%s", ghost);
    xfree(refused(t, "GET", path, NULL, 404, "not_found", NULL, NULL));
    with_id(body, sizeof(body), create_cases[0].body, ghost);
    xfree(refused(t, "POST", "/api/mappings", body, 404, "not_found", NULL, NULL));

    /* Delete: the default applies again; gone is gone. */
    snprintf(path, sizeof(path), "/api/mappings/%s", ids[0]);
    xfree(call(t, "DELETE", path, NULL, 204));
    xfree(refused(t, "GET", path, NULL, 404, "not_found", NULL, NULL));
    xfree(refused(t, "DELETE", path, NULL, 404, "not_found", NULL, NULL));
    with_id(body, sizeof(body), create_cases[0].body, id);
    v = call_json(t, "POST", "/api/mappings", body, 201);
    json_object_put(v);

    /* Each change is audited, with the row's identity. */
    char *audit = call(t, NULL, "/api/audit?limit=200", NULL, 200);
    assert_non_null(strstr(audit, "\"mapping.create\""));
    assert_non_null(strstr(audit, "\"mapping.update\""));
    assert_non_null(strstr(audit, "\"mapping.delete\""));
    assert_non_null(strstr(audit, ids[0]));
    xfree(audit);

    /* A deleted integration's rows are gone with it. */
    snprintf(path, sizeof(path), "/api/integrations/%s", id);
    xfree(call(t, "DELETE", path, NULL, 204));
    snprintf(path, sizeof(path), "/api/mappings/%s", ids[1]);
    xfree(refused(t, "GET", path, NULL, 404, "not_found", NULL, NULL));
    snprintf(path, sizeof(path), "/api/mappings?integration_id=%s", id);
    xfree(refused(t, "GET", path, NULL, 404, "not_found", NULL, NULL));
    ofx_stop(&f);
}

/* A stream the connector file describes itself (HubSpot's owners) is
 * checked against the file's schema before any discovery. */
static void test_file_schema(void **state)
{
    struct ofx f;
    char id[ID_MAX], body[512];

    ofx_start(&f, state, SANDBOX_HUBSPOT);
    ofx_connect_new(&f, "Portal", id);
    snprintf(body, sizeof(body),
             ROW("owners", "contacts", "external_id", ",\"source_field\":\"id\""), id);
    xfree(call(f.t, "POST", "/api/mappings", body, 201));
    snprintf(body, sizeof(body), ROW("owners", "contacts", "email", ",\"source_field\":\"mail\""),
             id);
    xfree(refused(f.t, "POST", "/api/mappings", body, 422, "validation_failed", "/source_field",
                  "no field \"mail\" in stream owners"));
    snprintf(body, sizeof(body), ROW("owner", "contacts", "email", ",\"source_field\":\"email\""),
             id);
    xfree(refused(f.t, "POST", "/api/mappings", body, 422, "validation_failed", "/stream",
                  "no stream \"owner\" in connector hubspot; did you mean owners?"));
    /* contacts' fields come from the provider: a discovery first. */
    snprintf(body, sizeof(body), ROW("contacts", "contacts", "title", ",\"source_field\":\"x\""),
             id);
    xfree(
        refused(f.t, "POST", "/api/mappings", body, 409, "conflict", NULL, "~has no catalog yet"));
    ofx_stop(&f);
}

/* Another tenant's row and integration are answered as ones that never
 * existed, and stay as they were. */
static void test_other_tenant(void **state)
{
    struct api_test *t = *state;
    struct client_reply r, g;
    char bid[ID_MAX], fid[ID_MAX], ghost[ID_MAX], path[128], gpath[128], sql[512];

    api_test_create(t, t->b.key,
                    "{\"connector\":\"testkey\",\"name\":\"b-crm\",\"config\":{\"subdomain\":"
                    "\"bcorp\"},\"secrets\":{\"api_key\":\"sk-b-0123456789\"}}",
                    bid);
    id_new(fid, "fmap");
    snprintf(sql, sizeof(sql),
             "INSERT INTO field_mappings (id, tenant_id, integration_id, stream, target,"
             " target_field, source_field, transforms, created_at, updated_at) VALUES"
             " ('%s', '%s', $1, 'tickets', 'tickets', 'subject', 'title', '[]', 1, 1)",
             fid, t->b.id);
    sql_exec(t, sql, bid);
    id_new(ghost, "fmap");

    const char *const methods[] = {"GET", "PUT", "DELETE"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof(path), "/api/mappings/%s", fid);
        snprintf(gpath, sizeof(gpath), "/api/mappings/%s", ghost);
        const char *body = strcmp(methods[i], "PUT") == 0 ? "{\"source_field\":\"x\"}" : NULL;
        api_test_call(t, &r, methods[i], path, t->a.key, body, NULL);
        api_test_call(t, &g, methods[i], gpath, t->a.key, body, NULL);
        api_test_expect_error(&r, 404, "not_found");
        char *s = xstrdup(buf_cstr(&r.body));
        char *p = strstr(s, fid);
        assert_non_null(p);
        memcpy(p, ghost, strlen(ghost));
        assert_string_equal(s, buf_cstr(&g.body));
        xfree(s);
        client_reply_dispose(&r);
        client_reply_dispose(&g);
    }
    snprintf(path, sizeof(path), "/api/mappings?integration_id=%s", bid);
    xfree(refused(t, "GET", path, NULL, 404, "not_found", NULL, NULL));
    char body[512];
    snprintf(body, sizeof(body),
             ROW("tickets", "tickets", "external_id", ",\"source_field\":\"id\""), bid);
    xfree(refused(t, "POST", "/api/mappings", body, 404, "not_found", NULL, NULL));
    assert_int_equal(api_test_sql_int(t, fid,
                                      "SELECT count(*) FROM field_mappings WHERE id = $1 AND"
                                      " source_field = 'title' AND updated_at = 1"),
                     1);
    assert_int_equal(
        api_test_sql_int(t, bid, "SELECT count(*) FROM field_mappings WHERE integration_id = $1"),
        1);

    /* b sees its own. */
    api_test_call(t, &r, NULL, path, t->b.key, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(buf_cstr(&r.body), fid));
    client_reply_dispose(&r);
}

/* A row made through the API changes what the next sync writes, and its
 * deletion brings the default back. */
static void test_sync(void **state)
{
    struct ofx f;
    char id[ID_MAX], path[128], body[512], table[COL_NAME_MAX + 1], prefix[ID_MAX + 1];

    salesforce(&f, state, id, true);
    snprintf(path, sizeof(path), "/api/integrations/%s/catalog", id);
    xfree(call(f.t, "PUT", path, "{\"streams\":[{\"tap_stream_id\":\"Contact\"}]}", 200));
    snprintf(body, sizeof(body),
             ROW("Contact", "contacts", "title",
                 ",\"source_field\":\"LastName\",\"transforms\":[\"upper\"]"),
             id);
    struct json_object *row = call_json(f.t, "POST", "/api/mappings", body, 201);

    struct json_object *run = api_test_sync_wait(f.t, id, "{}");
    assert_string_equal(jsonx_str(jsonx_get(run, "status")), "success");
    json_object_put(run);
    snprintf(prefix, sizeof(prefix), "%s_", id);
    col_table_name(table, sizeof(table), prefix, "Contact");
    assert_true(
        api_test_sql_int(f.t, id, "SELECT count(*) FROM contacts WHERE integration_id = $1") > 0);
    assert_int_equal(
        api_test_sql_int(f.t, id,
                         "SELECT count(*) FROM %s r JOIN contacts c ON c.integration_id = $1 AND"
                         " c.external_id = r.id WHERE c.title IS DISTINCT FROM"
                         " upper(NULLIF(r.lastname, ''))",
                         table),
        0);
    assert_true(
        api_test_sql_int(f.t, id,
                         "SELECT count(*) FROM contacts WHERE integration_id = $1 AND title IS NOT"
                         " NULL") > 0);

    /* Deleted: the default (Title as it is) again. */
    snprintf(path, sizeof(path), "/api/mappings/%s", jsonx_str(jsonx_get(row, "id")));
    xfree(call(f.t, "DELETE", path, NULL, 204));
    run = api_test_sync_wait(f.t, id, "{\"mode\":\"full\"}");
    assert_string_equal(jsonx_str(jsonx_get(run, "status")), "success");
    json_object_put(run);
    assert_int_equal(
        api_test_sql_int(f.t, id,
                         "SELECT count(*) FROM %s r JOIN contacts c ON c.integration_id = $1 AND"
                         " c.external_id = r.id WHERE c.title IS DISTINCT FROM"
                         " NULLIF(r.title, '')",
                         table),
        0);
    json_object_put(row);
    ofx_stop(&f);
}

int test_api_mappings(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rows, api_test_setup, api_test_teardown),
        cmocka_unit_test_setup_teardown(test_file_schema, api_test_setup, api_test_teardown),
        cmocka_unit_test_setup_teardown(test_other_tenant, api_test_setup, api_test_teardown),
        cmocka_unit_test_setup_teardown(test_sync, api_test_setup, api_test_teardown),
    };
    return test_group_db("api_mappings", tests);
}
