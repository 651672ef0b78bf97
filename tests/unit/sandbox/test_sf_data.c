/* tests/unit/sandbox/test_sf_data.c - the Salesforce emulator's REST data
 * API over real HTTP: versions, describe shapes, every error shape, query
 * pagination returning every record exactly once, SystemModstamp filters
 * after mutations, query vs queryAll, the sobject round trip, the bearer
 * check, the Sforce-Limit-Info header, and fields hidden through
 * /_sandbox/schema. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json_object.h>
#include <json-c/linkhash.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/jsonx.h"
#include "core/time.h"
#include "sandbox/sandbox_int.h"
#include "sb_test.h"
#include "test.h"

#define V "/services/data/v62.0"

struct fx {
    struct sb_test t;
    struct sb_provider *p;
    char auth[SB_TOKEN_MAX + 32]; /* "Authorization: Bearer ..." */
};

static void fx_start(struct fx *f, size_t records)
{
    char token[SB_TOKEN_MAX];
    sb_test_start(&f->t, records, 0);
    f->p = f->t.sb->p[SANDBOX_SALESFORCE];
    pthread_mutex_lock(&f->p->mu);
    sb_tokens_issue(f->p, f->p->client.id, "api refresh_token", sb_now_ms(), token, NULL);
    pthread_mutex_unlock(&f->p->mu);
    snprintf(f->auth, sizeof(f->auth), "Authorization: Bearer %s", token);
}

static void fx_stop(struct fx *f)
{
    sb_test_stop(&f->t);
}

/* One call with the fixture's token (auth NULL) or the header line given
 * ("" for none), and one more header line or NULL. */
static long call(struct client_reply *r, struct fx *f, const char *method, const char *path,
                 const char *body, const char *auth, const char *extra)
{
    struct client_call c = {
        .method = method, .path = path, .body = body, .body_len = body ? strlen(body) : 0};
    size_t h = 0;
    if (!auth)
        c.headers[h++] = f->auth;
    else if (*auth)
        c.headers[h++] = auth;
    if (body)
        c.headers[h++] = "Content-Type: application/json";
    if (extra)
        c.headers[h++] = extra;
    client_call(r, f->t.base, &c);
    return r->status;
}

static struct json_object *parse(const struct client_reply *r)
{
    struct json_object *o = NULL;
    struct err e;
    if (jsonx_parse(&o, buf_cstr(&r->body), r->body.n, r->body.n + 1, &e) < 0)
        fail_msg("bad JSON (%s): %.200s", e.msg, buf_cstr(&r->body));
    return o;
}

/* GET path expecting status; the body parsed (caller puts it). */
static struct json_object *get_json(struct fx *f, const char *path, long status)
{
    struct client_reply r;
    call(&r, f, "GET", path, NULL, NULL, NULL);
    if (r.status != status)
        fail_msg("GET %.200s: %ld, expected %ld: %.300s", path, r.status, status,
                 buf_cstr(&r.body));
    struct json_object *o = parse(&r);
    client_reply_dispose(&r);
    return o;
}

/* The one error of a Salesforce error array. */
static void assert_error(const struct client_reply *r, long status, const char *code,
                         const char *message_start)
{
    if (r->status != status)
        fail_msg("%ld, expected %ld: %.300s", r->status, status, buf_cstr(&r->body));
    struct json_object *o = parse(r);
    assert_true(json_object_is_type(o, json_type_array));
    assert_int_equal(jsonx_len(o), 1);
    assert_string_equal(jsonx_str(jsonx_get(jsonx_at(o, 0), "errorCode")), code);
    const char *msg = jsonx_str(jsonx_get(jsonx_at(o, 0), "message"));
    assert_non_null(msg);
    if (strncmp(msg, message_start, strlen(message_start)) != 0)
        fail_msg("message %s, expected %s...", msg, message_start);
    json_object_put(o);
}

static void query_path(char *out, size_t cap, const char *endpoint, const char *soql)
{
    struct buf b;
    buf_init(&b, 0);
    buf_printf(&b, V "/%s?q=", endpoint);
    buf_put_urlenc(&b, soql, strlen(soql));
    snprintf(out, cap, "%s", buf_cstr(&b));
    buf_dispose(&b);
}

static int id_cmp(const void *a, const void *b)
{
    return strcmp(a, b);
}

struct ids {
    char (*v)[SFDATA_ID_LEN + 1]; /* from xrealloc */
    size_t n;
};

/* Run soql through endpoint, following nextRecordsUrl until done; collect
 * the record ids (from attributes.url) and check totalSize, done and that
 * no page holds more than page_max records. Returns the number of pages. */
static size_t paginate(struct ids *out, struct fx *f, const char *endpoint, const char *soql,
                       const char *opts, size_t page_max)
{
    char path[2048];
    size_t pages = 0;
    int64_t total = -1;
    memset(out, 0, sizeof(*out));
    query_path(path, sizeof(path), endpoint, soql);
    for (;;) {
        struct client_reply r;
        call(&r, f, "GET", path, NULL, NULL, opts);
        if (r.status != 200)
            fail_msg("%s: %ld %.300s", path, r.status, buf_cstr(&r.body));
        struct json_object *o = parse(&r);
        client_reply_dispose(&r);
        int64_t t = json_object_get_int64(jsonx_get(o, "totalSize"));
        if (total < 0)
            total = t;
        assert_int_equal(t, total);
        struct json_object *recs = jsonx_get(o, "records");
        size_t n = jsonx_len(recs);
        assert_true(n <= page_max);
        out->v = xrealloc(out->v, (out->n + n + 1) * sizeof(*out->v));
        for (size_t i = 0; i < n; i++) {
            const char *url =
                jsonx_str(jsonx_get(jsonx_get(jsonx_at(recs, i), "attributes"), "url"));
            assert_non_null(url);
            const char *slash = strrchr(url, '/');
            assert_int_equal(strlen(slash + 1), SFDATA_ID_LEN);
            memcpy(out->v[out->n++], slash + 1, SFDATA_ID_LEN + 1);
        }
        pages++;
        bool done = json_object_get_boolean(jsonx_get(o, "done"));
        const char *next = jsonx_str(jsonx_get(o, "nextRecordsUrl"));
        assert_true(done == (next == NULL));
        if (done) {
            json_object_put(o);
            break;
        }
        assert_int_equal(n, page_max);
        assert_true(strncmp(next, V "/query/01g", strlen(V "/query/01g")) == 0);
        snprintf(path, sizeof(path), "%s", next);
        json_object_put(o);
    }
    assert_int_equal((size_t)total, out->n);
    return pages;
}

/* The ids of the records of object that pass keep, straight from sfdata. */
static void expected_ids(struct ids *out, struct fx *f, const char *object, bool all,
                         int64_t modstamp_min)
{
    pthread_mutex_lock(&f->p->mu);
    size_t n = sfdata_count(f->p->sf, object);
    out->v = xmalloc((n + 1) * sizeof(*out->v));
    out->n = 0;
    for (size_t i = 0; i < n; i++) {
        struct sfdata_meta m;
        sfdata_meta_get(&m, f->p->sf, object, i);
        if ((m.deleted && !all) || m.modstamp_ms < modstamp_min)
            continue;
        memcpy(out->v[out->n++], m.id, SFDATA_ID_LEN + 1);
    }
    pthread_mutex_unlock(&f->p->mu);
}

/* Both sets equal, and got holds no id twice. */
static void assert_same_ids(struct ids *got, struct ids *want)
{
    qsort(got->v, got->n, sizeof(*got->v), id_cmp);
    qsort(want->v, want->n, sizeof(*want->v), id_cmp);
    assert_int_equal(got->n, want->n);
    for (size_t i = 0; i < got->n; i++) {
        assert_string_equal(got->v[i], want->v[i]);
        if (i > 0)
            assert_true(strcmp(got->v[i - 1], got->v[i]) != 0);
    }
    xfree(got->v);
    xfree(want->v);
}

/* ---- tests ---- */

static void versions_and_bad_versions(void **state)
{
    (void)state;
    struct fx f;
    struct client_reply r;
    fx_start(&f, 1);
    struct json_object *o = get_json(&f, "/services/data", 200);
    bool seen = false;
    assert_true(jsonx_len(o) >= 8);
    for (size_t i = 0; i < jsonx_len(o); i++) {
        struct json_object *v = jsonx_at(o, i);
        if (strcmp(jsonx_str(jsonx_get(v, "version")), "62.0") == 0) {
            assert_string_equal(jsonx_str(jsonx_get(v, "label")), "Winter '25");
            assert_string_equal(jsonx_str(jsonx_get(v, "url")), "/services/data/v62.0");
            seen = true;
        }
        if (strcmp(jsonx_str(jsonx_get(v, "version")), "61.0") == 0)
            assert_string_equal(jsonx_str(jsonx_get(v, "label")), "Summer '24");
        if (strcmp(jsonx_str(jsonx_get(v, "version")), "55.0") == 0)
            assert_string_equal(jsonx_str(jsonx_get(v, "label")), "Summer '22");
    }
    assert_true(seen);
    json_object_put(o);
    json_object_put(get_json(&f, "/services/data/v55.0/sobjects", 200));
    static const char *const bad[] = {"v63.0", "v62", "62.0", "v62.1", "v062.0", "v1.0", "vx.0"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char path[64];
        snprintf(path, sizeof(path), "/services/data/%s/sobjects", bad[i]);
        call(&r, &f, "GET", path, NULL, NULL, NULL);
        assert_error(&r, 404, "NOT_FOUND", "The requested resource does not exist");
        client_reply_dispose(&r);
    }
    fx_stop(&f);
}

static void unauthorized(void **state)
{
    (void)state;
    struct fx f;
    struct client_reply r;
    static const char *const paths[] = {V "/sobjects", V "/query?q=SELECT+Id+FROM+Account",
                                        V "/limits", V "/sobjects/Account/describe"};
    static const char *const auths[] = {"", "Authorization: Bearer nope",
                                        "Authorization: Basic dXNlcjpwdw=="};
    fx_start(&f, 1);
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
        for (size_t j = 0; j < sizeof(auths) / sizeof(auths[0]); j++) {
            call(&r, &f, "GET", paths[i], NULL, auths[j], NULL);
            assert_error(&r, 401, "INVALID_SESSION_ID", "Session expired or invalid");
            client_reply_dispose(&r);
        }
    call(&r, &f, "POST", V "/sobjects/Account", "{\"Name\":\"x\"}", "", NULL);
    assert_error(&r, 401, "INVALID_SESSION_ID", "Session expired or invalid");
    client_reply_dispose(&r);
    /* The token scheme "OAuth" works as Bearer does. */
    char oauth[SB_TOKEN_MAX + 32];
    snprintf(oauth, sizeof(oauth), "Authorization: OAuth %s",
             f.auth + strlen("Authorization: Bearer "));
    call(&r, &f, "GET", V "/limits", NULL, oauth, NULL);
    assert_int_equal(r.status, 200);
    client_reply_dispose(&r);
    fx_stop(&f);
}

static struct json_object *field_of(struct json_object *describe, const char *name)
{
    struct json_object *fields = jsonx_get(describe, "fields");
    for (size_t i = 0; i < jsonx_len(fields); i++)
        if (strcmp(jsonx_str(jsonx_get(jsonx_at(fields, i), "name")), name) == 0)
            return jsonx_at(fields, i);
    fail_msg("no field %s", name);
    return NULL;
}

static bool jbool_of(struct json_object *o, const char *key)
{
    assert_true(json_object_is_type(jsonx_get(o, key), json_type_boolean));
    return json_object_get_boolean(jsonx_get(o, key));
}

static void describe_shapes(void **state)
{
    (void)state;
    struct fx f;
    struct client_reply r;
    fx_start(&f, 3);

    struct json_object *g = get_json(&f, V "/sobjects", 200);
    assert_string_equal(jsonx_str(jsonx_get(g, "encoding")), "UTF-8");
    assert_int_equal(json_object_get_int(jsonx_get(g, "maxBatchSize")), 200);
    struct json_object *so = jsonx_get(g, "sobjects");
    assert_int_equal(jsonx_len(so), SFDATA_OBJECTS);
    struct json_object *acct = jsonx_at(so, 0);
    assert_string_equal(jsonx_str(jsonx_get(acct, "name")), "Account");
    assert_string_equal(jsonx_str(jsonx_get(acct, "keyPrefix")), "001");
    assert_string_equal(jsonx_str(jsonx_get(acct, "labelPlural")), "Accounts");
    assert_true(jbool_of(acct, "queryable") && jbool_of(acct, "replicateable") &&
                jbool_of(acct, "retrieveable") && !jbool_of(acct, "custom"));
    assert_string_equal(jsonx_str(jsonx_get(jsonx_get(acct, "urls"), "describe")),
                        V "/sobjects/Account/describe");
    assert_string_equal(jsonx_str(jsonx_get(jsonx_get(acct, "urls"), "rowTemplate")),
                        V "/sobjects/Account/{ID}");
    bool invoice = false, user = false;
    for (size_t i = 0; i < jsonx_len(so); i++) {
        const char *name = jsonx_str(jsonx_get(jsonx_at(so, i), "name"));
        if (strcmp(name, "Invoice__c") == 0)
            invoice = jbool_of(jsonx_at(so, i), "custom");
        if (strcmp(name, "User") == 0)
            user = !jbool_of(jsonx_at(so, i), "deletable");
    }
    assert_true(invoice && user);
    json_object_put(g);

    struct json_object *d = get_json(&f, V "/sobjects/account/describe", 200);
    assert_string_equal(jsonx_str(jsonx_get(d, "name")), "Account");
    assert_true(json_object_is_type(jsonx_get(d, "childRelationships"), json_type_array));
    assert_true(json_object_is_type(jsonx_get(d, "recordTypeInfos"), json_type_array));
    struct json_object *id = field_of(d, "Id");
    assert_string_equal(jsonx_str(jsonx_get(id, "type")), "id");
    assert_int_equal(json_object_get_int(jsonx_get(id, "length")), 18);
    assert_false(jbool_of(id, "nillable"));
    assert_false(jbool_of(id, "createable"));
    struct json_object *name = field_of(d, "Name");
    assert_string_equal(jsonx_str(jsonx_get(name, "type")), "string");
    assert_int_equal(json_object_get_int(jsonx_get(name, "length")), 255);
    assert_true(jbool_of(name, "createable") && jbool_of(name, "updateable"));
    assert_false(jbool_of(name, "nillable"));
    struct json_object *owner = field_of(d, "OwnerId");
    assert_string_equal(jsonx_str(jsonx_get(owner, "type")), "reference");
    assert_string_equal(jsonx_str(jsonx_at(jsonx_get(owner, "referenceTo"), 0)), "User");
    assert_string_equal(jsonx_str(jsonx_get(owner, "relationshipName")), "Owner");
    assert_string_equal(jsonx_str(jsonx_get(owner, "label")), "Owner ID");
    struct json_object *ms = field_of(d, "SystemModstamp");
    assert_string_equal(jsonx_str(jsonx_get(ms, "type")), "datetime");
    assert_string_equal(jsonx_str(jsonx_get(ms, "label")), "System Modstamp");
    assert_false(jbool_of(ms, "createable") || jbool_of(ms, "updateable"));
    assert_false(jbool_of(field_of(d, "Phone"), "custom"));
    assert_true(jsonx_has(field_of(d, "Phone"), "picklistValues"));
    assert_false(jbool_of(field_of(d, "Phone"), "calculated"));
    json_object_put(d);

    d = get_json(&f, V "/sobjects/Invoice__c/describe", 200);
    assert_true(jbool_of(d, "custom"));
    struct json_object *ref = field_of(d, "Account__c");
    assert_true(jbool_of(ref, "custom"));
    assert_string_equal(jsonx_str(jsonx_get(ref, "relationshipName")), "Account__r");
    struct json_object *amt = field_of(d, "Amount__c");
    assert_string_equal(jsonx_str(jsonx_get(amt, "type")), "currency");
    assert_int_equal(json_object_get_int(jsonx_get(amt, "precision")), 18);
    assert_int_equal(json_object_get_int(jsonx_get(amt, "scale")), 2);
    json_object_put(d);

    d = get_json(&f, V "/sobjects/Contact/describe", 200);
    assert_false(jbool_of(field_of(d, "Name"), "createable"));
    assert_string_equal(jsonx_str(jsonx_get(field_of(d, "AccountId"), "relationshipName")),
                        "Account");
    json_object_put(d);

    call(&r, &f, "GET", V "/sobjects/Nope/describe", NULL, NULL, NULL);
    assert_error(&r, 404, "NOT_FOUND", "The requested resource does not exist");
    client_reply_dispose(&r);
    fx_stop(&f);
}

static void query_errors(void **state)
{
    (void)state;
    static const struct {
        const char *soql;
        const char *code;
        const char *message;
    } cases[] = {
        {"SELECT Id FORM Account", "MALFORMED_QUERY", "expected FROM"},
        {"SELECT Id FROM Account WHERE Name = 'x' OR Name = 'y'", "MALFORMED_QUERY", ""},
        {"SELECT Id FROM Nope", "INVALID_TYPE", "sObject type 'Nope' is not supported."},
        {"SELECT Id, Bogus FROM Account", "INVALID_FIELD",
         "No such column 'Bogus' on entity 'Account'"},
        {"SELECT Id FROM Account WHERE Bogus = 1", "INVALID_FIELD",
         "No such column 'Bogus' on entity 'Account'"},
        {"SELECT Id FROM Account ORDER BY Bogus", "INVALID_FIELD",
         "No such column 'Bogus' on entity 'Account'"},
        {"SELECT Id FROM User WHERE IsDeleted = false", "INVALID_FIELD",
         "No such column 'IsDeleted' on entity 'User'"},
    };
    struct fx f;
    struct client_reply r;
    char path[1024];
    fx_start(&f, 2);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        query_path(path, sizeof(path), i % 2 ? "queryAll" : "query", cases[i].soql);
        call(&r, &f, "GET", path, NULL, NULL, NULL);
        assert_error(&r, 400, cases[i].code, cases[i].message);
        client_reply_dispose(&r);
    }
    call(&r, &f, "GET", V "/query", NULL, NULL, NULL);
    assert_error(&r, 400, "MALFORMED_QUERY", "");
    client_reply_dispose(&r);
    call(&r, &f, "GET", V "/query/01gRO0000016PIAYA2-2000", NULL, NULL, NULL);
    assert_error(&r, 400, "INVALID_QUERY_LOCATOR", "invalid query locator");
    client_reply_dispose(&r);
    call(&r, &f, "GET", V "/query/garbage", NULL, NULL, NULL);
    assert_error(&r, 400, "INVALID_QUERY_LOCATOR", "invalid query locator");
    client_reply_dispose(&r);
    fx_stop(&f);
}

static void query_record_shape(void **state)
{
    (void)state;
    struct fx f;
    char path[1024];
    fx_start(&f, 5);
    query_path(path, sizeof(path), "query",
               "select name, ID, systemmodstamp from ACCOUNT order by Name desc limit 3");
    struct json_object *o = get_json(&f, path, 200);
    assert_int_equal(json_object_get_int(jsonx_get(o, "totalSize")), 3);
    assert_true(jbool_of(o, "done"));
    assert_false(jsonx_has(o, "nextRecordsUrl"));
    struct json_object *recs = jsonx_get(o, "records");
    assert_int_equal(jsonx_len(recs), 3);
    const char *prev = NULL;
    for (size_t i = 0; i < 3; i++) {
        struct json_object *rec = jsonx_at(recs, i);
        static const char *const keys[] = {"attributes", "Name", "Id", "SystemModstamp"};
        size_t k = 0;
        json_object_object_foreach(rec, key, v)
        {
            (void)v;
            assert_true(k < 4);
            assert_string_equal(key, keys[k++]);
        }
        assert_int_equal(k, 4);
        struct json_object *attr = jsonx_get(rec, "attributes");
        assert_string_equal(jsonx_str(jsonx_get(attr, "type")), "Account");
        char url[128];
        snprintf(url, sizeof(url), V "/sobjects/Account/%s", jsonx_str(jsonx_get(rec, "Id")));
        assert_string_equal(jsonx_str(jsonx_get(attr, "url")), url);
        const char *name = jsonx_str(jsonx_get(rec, "Name"));
        if (prev)
            assert_true(strcasecmp(prev, name) >= 0);
        prev = name;
        assert_int_equal(strlen(jsonx_str(jsonx_get(rec, "SystemModstamp"))), 28);
    }
    json_object_put(o);
    fx_stop(&f);
}

static void paginate_n(size_t n, const char *opts, size_t page, size_t want_pages)
{
    struct fx f;
    struct ids got, want;
    fx_start(&f, n);
    size_t pages = paginate(&got, &f, "query", "SELECT Id, Name FROM Account", opts, page);
    assert_int_equal(pages, want_pages);
    expected_ids(&want, &f, "Account", false, 0);
    assert_int_equal(want.n, n);
    assert_same_ids(&got, &want);
    fx_stop(&f);
}

static void pagination_exactly_once(void **state)
{
    (void)state;
    paginate_n(0, NULL, 2000, 1);
    paginate_n(1, NULL, 2000, 1);
    paginate_n(1999, NULL, 2000, 1);
    paginate_n(2000, NULL, 2000, 1);
    paginate_n(2001, NULL, 2000, 2);
    paginate_n(5000, "Sforce-Query-Options: batchSize=500", 500, 10);
    paginate_n(100000, NULL, 2000, 50);
}

/* The records of ids have SystemModstamps in order dir (1 or -1). */
static void assert_modstamp_order(struct fx *f, const struct ids *ids, int dir)
{
    pthread_mutex_lock(&f->p->mu);
    int64_t last = dir > 0 ? INT64_MIN : INT64_MAX;
    for (size_t i = 0; i < ids->n; i++) {
        size_t k;
        struct sfdata_meta m;
        assert_true(sfdata_find(&k, f->p->sf, "Contact", ids->v[i]));
        sfdata_meta_get(&m, f->p->sf, "Contact", k);
        assert_true(dir > 0 ? m.modstamp_ms >= last : m.modstamp_ms <= last);
        last = m.modstamp_ms;
    }
    pthread_mutex_unlock(&f->p->mu);
}

/* An ordered query across pages keeps its order, and LIMIT/OFFSET hold. */
static void pagination_ordered(void **state)
{
    (void)state;
    struct fx f;
    struct ids got, want;
    fx_start(&f, 1000);
    size_t pages = paginate(&got, &f, "queryAll",
                            "SELECT Id, SystemModstamp FROM Contact ORDER BY SystemModstamp ASC",
                            "Sforce-Query-Options: batchSize=200", 200);
    assert_int_equal(pages, 5);
    assert_modstamp_order(&f, &got, 1);
    expected_ids(&want, &f, "Contact", true, 0);
    assert_same_ids(&got, &want);
    paginate(&got, &f, "query", "SELECT Id FROM Contact ORDER BY systemmodstamp DESC", NULL, 2000);
    assert_modstamp_order(&f, &got, -1);
    xfree(got.v);
    /* Two keys take soql_compare's path; the order must agree. */
    paginate(&got, &f, "query", "SELECT Id FROM Contact ORDER BY SystemModstamp, Title DESC",
             "Sforce-Query-Options: batchSize=300", 300);
    assert_int_equal(got.n, 1000);
    assert_modstamp_order(&f, &got, 1);
    xfree(got.v);

    /* batchSize below 200 is raised to 200; LIMIT and OFFSET shape totalSize. */
    pages = paginate(&got, &f, "query", "SELECT Id FROM Contact LIMIT 450 OFFSET 7",
                     "Sforce-Query-Options: batchSize=10", 200);
    assert_int_equal(pages, 3);
    assert_int_equal(got.n, 450);
    xfree(got.v);
    fx_stop(&f);
}

static void mutate(struct fx *f, const char *body)
{
    struct client_reply r;
    call(&r, f, "POST", "/_sandbox/mutate", body, NULL, NULL);
    if (r.status != 200)
        fail_msg("mutate: %ld %.200s", r.status, buf_cstr(&r.body));
    client_reply_dispose(&r);
}

static void modstamp_after_touch(void **state)
{
    (void)state;
    struct fx f;
    struct ids got, want;
    char soql[256], t[TIME_RFC3339_MAX];
    fx_start(&f, 300);
    time_format_rfc3339(t, SB_TEST_NOW_MS + 1000);
    snprintf(soql, sizeof(soql),
             "SELECT Id, Phone, SystemModstamp FROM Account WHERE SystemModstamp >= %s "
             "ORDER BY SystemModstamp ASC",
             t);
    paginate(&got, &f, "query", soql, NULL, 2000);
    assert_int_equal(got.n, 0);
    xfree(got.v);
    mutate(&f, "{\"object\":\"Account\",\"touch\":7}");
    paginate(&got, &f, "query", soql, NULL, 2000);
    assert_int_equal(got.n, 7);
    expected_ids(&want, &f, "Account", false, SB_TEST_NOW_MS + 1000);
    assert_same_ids(&got, &want);
    /* A WHERE on a field that is not a system field takes the slow path. */
    paginate(&got, &f, "query", "SELECT Id FROM Account WHERE Phone LIKE '(%'", NULL, 2000);
    assert_int_equal(got.n, 300);
    xfree(got.v);
    fx_stop(&f);
}

static void query_all_sees_deleted(void **state)
{
    (void)state;
    struct fx f;
    struct ids got, want;
    fx_start(&f, 120);
    mutate(&f, "{\"object\":\"Opportunity\",\"delete\":5}");
    paginate(&got, &f, "query", "SELECT Id FROM Opportunity", NULL, 2000);
    expected_ids(&want, &f, "Opportunity", false, 0);
    assert_int_equal(want.n, 115);
    assert_same_ids(&got, &want);
    paginate(&got, &f, "queryAll", "SELECT Id FROM Opportunity", NULL, 2000);
    expected_ids(&want, &f, "Opportunity", true, 0);
    assert_int_equal(want.n, 120);
    assert_same_ids(&got, &want);
    paginate(&got, &f, "queryAll", "SELECT Id, IsDeleted FROM Opportunity WHERE IsDeleted = true",
             NULL, 2000);
    assert_int_equal(got.n, 5);
    xfree(got.v);
    paginate(&got, &f, "query", "SELECT Id FROM Opportunity WHERE IsDeleted = true", NULL, 2000);
    assert_int_equal(got.n, 0);
    xfree(got.v);
    fx_stop(&f);
}

static void sobject_round_trip(void **state)
{
    (void)state;
    struct fx f;
    struct client_reply r;
    char path[256], id[SFDATA_ID_LEN + 1];
    fx_start(&f, 4);

    call(&r, &f, "POST", V "/sobjects/Account",
         "{\"name\":\"Acme Rockets\",\"Phone\":\"(415) 555-0100\",\"NumberOfEmployees\":12}", NULL,
         NULL);
    assert_int_equal(r.status, 201);
    struct json_object *o = parse(&r);
    client_reply_dispose(&r);
    assert_true(jbool_of(o, "success"));
    assert_int_equal(jsonx_len(jsonx_get(o, "errors")), 0);
    assert_int_equal(strlen(jsonx_str(jsonx_get(o, "id"))), SFDATA_ID_LEN);
    memcpy(id, jsonx_str(jsonx_get(o, "id")), sizeof(id));
    assert_memory_equal(id, "001", 3);
    json_object_put(o);

    snprintf(path, sizeof(path), V "/sobjects/Account/%s", id);
    o = get_json(&f, path, 200);
    assert_string_equal(jsonx_str(jsonx_get(o, "Name")), "Acme Rockets");
    assert_string_equal(jsonx_str(jsonx_get(o, "Id")), id);
    assert_int_equal(json_object_get_int(jsonx_get(o, "NumberOfEmployees")), 12);
    assert_string_equal(jsonx_str(jsonx_get(jsonx_get(o, "attributes"), "type")), "Account");
    assert_false(jbool_of(o, "IsDeleted"));
    json_object_put(o);

    call(&r, &f, "PATCH", path, "{\"Phone\":\"(415) 555-0199\",\"Industry\":null}", NULL, NULL);
    assert_int_equal(r.status, 204);
    assert_int_equal(r.body.n, 0);
    client_reply_dispose(&r);
    o = get_json(&f, path, 200);
    assert_string_equal(jsonx_str(jsonx_get(o, "Phone")), "(415) 555-0199");
    assert_string_equal(jsonx_str(jsonx_get(o, "Name")), "Acme Rockets");
    json_object_put(o);

    char soql[128], qp[512];
    snprintf(soql, sizeof(soql), "SELECT Id, Phone FROM Account WHERE Id = '%s'", id);
    query_path(qp, sizeof(qp), "query", soql);
    o = get_json(&f, qp, 200);
    assert_int_equal(json_object_get_int(jsonx_get(o, "totalSize")), 1);
    json_object_put(o);

    call(&r, &f, "DELETE", path, NULL, NULL, NULL);
    assert_int_equal(r.status, 204);
    client_reply_dispose(&r);
    call(&r, &f, "GET", path, NULL, NULL, NULL);
    assert_error(&r, 404, "NOT_FOUND", "The requested resource does not exist");
    client_reply_dispose(&r);
    call(&r, &f, "DELETE", path, NULL, NULL, NULL);
    assert_error(&r, 404, "NOT_FOUND", "The requested resource does not exist");
    client_reply_dispose(&r);
    call(&r, &f, "PATCH", path, "{\"Phone\":\"1\"}", NULL, NULL);
    assert_error(&r, 404, "NOT_FOUND", "The requested resource does not exist");
    client_reply_dispose(&r);
    o = get_json(&f, qp, 200);
    assert_int_equal(json_object_get_int(jsonx_get(o, "totalSize")), 0);
    json_object_put(o);
    query_path(qp, sizeof(qp), "queryAll", soql);
    o = get_json(&f, qp, 200);
    assert_int_equal(json_object_get_int(jsonx_get(o, "totalSize")), 1);
    json_object_put(o);
    snprintf(soql, sizeof(soql), "SELECT IsDeleted FROM Account WHERE Id = '%s'", id);
    query_path(qp, sizeof(qp), "queryAll", soql);
    o = get_json(&f, qp, 200);
    assert_true(jbool_of(jsonx_at(jsonx_get(o, "records"), 0), "IsDeleted"));
    json_object_put(o);
    fx_stop(&f);
}

static void sobject_errors(void **state)
{
    (void)state;
    static const struct {
        const char *method, *path, *body;
        const char *code, *message, *fields;
    } cases[] = {
        {"POST", V "/sobjects/Account", "{\"Id\":\"001000000000000AAA\",\"Name\":\"x\"}",
         "INVALID_FIELD", "The Id field should not be specified in the sobject data.", NULL},
        {"POST", V "/sobjects/Account", "{\"Name\":\"x\",\"Bogus\":1}", "INVALID_FIELD",
         "No such column 'Bogus' on sobject of type Account", "[\"Bogus\"]"},
        {"POST", V "/sobjects/Opportunity", "{\"Amount\":5}", "REQUIRED_FIELD_MISSING",
         "Required fields are missing: [Name, StageName, CloseDate]",
         "[\"Name\",\"StageName\",\"CloseDate\"]"},
        {"POST", V "/sobjects/Lead", "{\"LastName\":\"Lee\",\"Company\":null}",
         "REQUIRED_FIELD_MISSING", "Required fields are missing: [Company]", "[\"Company\"]"},
        {"POST", V "/sobjects/Contact", "{}", "REQUIRED_FIELD_MISSING",
         "Required fields are missing: [LastName]", "[\"LastName\"]"},
        {"POST", V "/sobjects/Contact",
         "{\"LastName\":\"Lee\",\"Name\":\"x\",\"CreatedDate\":\"x\"}",
         "INVALID_FIELD_FOR_INSERT_UPDATE", "Unable to create/update fields: Name, CreatedDate.",
         "[\"Name\",\"CreatedDate\"]"},
        {"POST", V "/sobjects/Account", "{\"Name\":", "JSON_PARSER_ERROR", "", NULL},
        {"POST", V "/sobjects/Account", "[1]", "JSON_PARSER_ERROR", "", NULL},
        {"POST", V "/sobjects/Account", "{\"Name\":\"x\",\"NumberOfEmployees\":\"many\"}",
         "JSON_PARSER_ERROR", "", NULL},
        {"POST", V "/sobjects/Opportunity",
         "{\"Name\":\"x\",\"StageName\":\"Prospecting\",\"CloseDate\":\"soon\"}",
         "JSON_PARSER_ERROR", "", NULL},
        {"PATCH", V "/sobjects/Account/ID", "{\"Name\":null}", "REQUIRED_FIELD_MISSING",
         "Required fields are missing: [Name]", "[\"Name\"]"},
        {"PATCH", V "/sobjects/Account/ID", "{\"Id\":\"x\"}", "INVALID_FIELD",
         "The Id field should not be specified in the sobject data.", NULL},
        {"DELETE", V "/sobjects/User/USER", NULL, "INVALID_TYPE_FOR_OPERATION", "", NULL},
        {"GET", V "/sobjects/Account/001000000000000AAA", NULL, "NOT_FOUND",
         "The requested resource does not exist", NULL},
        {"GET", V "/sobjects/Nope/001000000000000AAA", NULL, "NOT_FOUND",
         "The requested resource does not exist", NULL},
        {"POST", V "/sobjects/Nope", "{}", "NOT_FOUND", "The requested resource does not exist",
         NULL},
    };
    struct fx f;
    struct client_reply r;
    struct sfdata_meta acct, user;
    fx_start(&f, 2);
    pthread_mutex_lock(&f.p->mu);
    sfdata_meta_get(&acct, f.p->sf, "Account", 0);
    sfdata_meta_get(&user, f.p->sf, "User", 0);
    pthread_mutex_unlock(&f.p->mu);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char path[256];
        const char *at = strstr(cases[i].path, "/ID"), *at_user = strstr(cases[i].path, "/USER");
        if (at)
            snprintf(path, sizeof(path), "%.*s/%s", (int)(at - cases[i].path), cases[i].path,
                     acct.id);
        else if (at_user)
            snprintf(path, sizeof(path), "%.*s/%s", (int)(at_user - cases[i].path), cases[i].path,
                     user.id);
        else
            snprintf(path, sizeof(path), "%s", cases[i].path);
        call(&r, &f, cases[i].method, path, cases[i].body, NULL, NULL);
        long want = strcmp(cases[i].code, "NOT_FOUND") == 0 ? 404 : 400;
        assert_error(&r, want, cases[i].code, cases[i].message);
        struct json_object *o = parse(&r);
        struct json_object *fields = jsonx_get(jsonx_at(o, 0), "fields");
        if (cases[i].fields) {
            struct buf b;
            buf_init(&b, 0);
            jsonx_format(&b, fields);
            assert_string_equal(buf_cstr(&b), cases[i].fields);
            buf_dispose(&b);
        }
        json_object_put(o);
        client_reply_dispose(&r);
    }
    /* Nothing was created by the refused calls. */
    pthread_mutex_lock(&f.p->mu);
    assert_int_equal(sfdata_count(f.p->sf, "Account"), 2);
    assert_int_equal(sfdata_count(f.p->sf, "Opportunity"), 2);
    pthread_mutex_unlock(&f.p->mu);
    fx_stop(&f);
}

static unsigned long long usage_of(const struct client_reply *r)
{
    char v[64];
    unsigned long long used = 0, max = 0;
    assert_non_null(client_header(r, "Sforce-Limit-Info", v, sizeof(v)));
    assert_int_equal(sscanf(v, "api-usage=%llu/%llu", &used, &max), 2);
    assert_int_equal(max, 15000);
    return used;
}

static void limit_info_counts(void **state)
{
    (void)state;
    struct fx f;
    struct client_reply r;
    fx_start(&f, 1);
    call(&r, &f, "GET", V "/sobjects", NULL, NULL, NULL);
    unsigned long long first = usage_of(&r);
    client_reply_dispose(&r);
    assert_int_equal(first, 1);
    call(&r, &f, "GET", V "/query?q=SELECT+Id+FROM+Account", NULL, NULL, NULL);
    assert_int_equal(usage_of(&r), 2);
    client_reply_dispose(&r);
    call(&r, &f, "GET", V "/sobjects/Account/describe", NULL, "", NULL); /* 401 counts too */
    assert_int_equal(r.status, 401);
    assert_int_equal(usage_of(&r), 3);
    client_reply_dispose(&r);
    call(&r, &f, "GET", "/services/data", NULL, "", NULL); /* not counted */
    assert_int_equal(r.status, 200);
    client_reply_dispose(&r);
    call(&r, &f, "GET", V "/limits", NULL, NULL, NULL);
    assert_int_equal(usage_of(&r), 4);
    struct json_object *o = parse(&r);
    client_reply_dispose(&r);
    struct json_object *daily = jsonx_get(o, "DailyApiRequests");
    assert_int_equal(json_object_get_int(jsonx_get(daily, "Max")), 15000);
    assert_int_equal(json_object_get_int(jsonx_get(daily, "Remaining")), 15000 - 4);
    assert_true(jsonx_has(o, "DataStorageMB"));
    json_object_put(o);
    pthread_mutex_lock(&f.p->mu);
    assert_int_equal(f.p->counters.data, 4);
    pthread_mutex_unlock(&f.p->mu);
    fx_stop(&f);
}

/* More open cursors than the table holds: the oldest locator stops working,
 * the newest still works. */
static void locators_evicted(void **state)
{
    (void)state;
    struct fx f;
    char first[256] = "", last[256] = "";
    fx_start(&f, 201);
    for (int i = 0; i < 65; i++) {
        struct json_object *o = NULL;
        struct client_reply r;
        call(&r, &f, "GET", V "/query?q=SELECT+Id+FROM+Lead", NULL, NULL,
             "Sforce-Query-Options: batchSize=200");
        assert_int_equal(r.status, 200);
        o = parse(&r);
        client_reply_dispose(&r);
        snprintf(i == 0 ? first : last, sizeof(first), "%s",
                 jsonx_str(jsonx_get(o, "nextRecordsUrl")));
        json_object_put(o);
    }
    assert_true(strcmp(first, last) != 0);
    struct client_reply r;
    call(&r, &f, "GET", first, NULL, NULL, NULL);
    assert_error(&r, 400, "INVALID_QUERY_LOCATOR", "invalid query locator");
    client_reply_dispose(&r);
    struct json_object *o = get_json(&f, last, 200);
    assert_int_equal(jsonx_len(jsonx_get(o, "records")), 1);
    assert_true(jbool_of(o, "done"));
    json_object_put(o);
    fx_stop(&f);
}

/* ---- parent relationships (Account.Name) ---- */

/* The record of object with id, fetched with GET sobjects (caller puts). */
static struct json_object *sobject_get(struct fx *f, const char *object, const char *id)
{
    char path[256];
    assert_non_null(id);
    snprintf(path, sizeof(path), V "/sobjects/%s/%s", object, id);
    return get_json(f, path, 200);
}

/* o's member names are exactly keys (space-separated), in that order. */
static void assert_keys(struct json_object *o, const char *keys)
{
    struct buf got;
    buf_init(&got, 0);
    assert_true(json_object_is_type(o, json_type_object));
    json_object_object_foreach(o, key, v)
    {
        (void)v;
        buf_printf(&got, "%s%s", got.n ? " " : "", key);
    }
    if (strcmp(buf_cstr(&got), keys) != 0)
        fail_msg("members %s, expected %s", buf_cstr(&got), keys);
    buf_dispose(&got);
}

/* nested is the parent record object/id as a query nests it: attributes
 * naming that record, then exactly fields (space-separated, in order),
 * each equal to what GET sobjects/{object}/{id} answers. */
static void assert_parent(struct fx *f, struct json_object *nested, const char *object,
                          const char *id, const char *fields)
{
    char url[256], keys[256];
    assert_non_null(id);
    snprintf(keys, sizeof(keys), "attributes %s", fields);
    assert_keys(nested, keys);
    struct json_object *attr = jsonx_get(nested, "attributes");
    assert_string_equal(jsonx_str(jsonx_get(attr, "type")), object);
    snprintf(url, sizeof(url), V "/sobjects/%s/%s", object, id);
    assert_string_equal(jsonx_str(jsonx_get(attr, "url")), url);
    struct json_object *rec = sobject_get(f, object, id);
    json_object_object_foreach(nested, key, v)
    {
        if (strcmp(key, "attributes") == 0)
            continue;
        assert_true(jsonx_has(rec, key));
        if (!json_object_equal(v, jsonx_get(rec, key)))
            fail_msg("%s %s: %s is %s, GET says %s", object, id, key, json_object_to_json_string(v),
                     json_object_to_json_string(jsonx_get(rec, key)));
    }
    json_object_put(rec);
}

/* Every record soql answers through query, following nextRecordsUrl, in
 * answer order (caller puts), checked against totalSize; *pages counts the
 * pages. */
static struct json_object *fetch_all(struct fx *f, const char *soql, const char *opts,
                                     size_t *pages)
{
    char path[2048];
    struct json_object *all = json_object_new_array();
    int64_t total = -1;
    *pages = 0;
    query_path(path, sizeof(path), "query", soql);
    for (;;) {
        struct client_reply r;
        call(&r, f, "GET", path, NULL, NULL, opts);
        if (r.status != 200)
            fail_msg("%.200s: %ld %.300s", path, r.status, buf_cstr(&r.body));
        struct json_object *o = parse(&r);
        client_reply_dispose(&r);
        struct json_object *recs = jsonx_get(o, "records");
        for (size_t i = 0; i < jsonx_len(recs); i++)
            json_object_array_add(all, json_object_get(jsonx_at(recs, i)));
        if (total < 0)
            total = json_object_get_int64(jsonx_get(o, "totalSize"));
        ++*pages;
        const char *next = jsonx_str(jsonx_get(o, "nextRecordsUrl"));
        if (next)
            snprintf(path, sizeof(path), "%s", next);
        json_object_put(o);
        if (!next)
            break;
    }
    assert_int_equal(jsonx_len(all), (size_t)total);
    return all;
}

/* The record of recs (an array) whose Id is id; NULL when none. */
static struct json_object *record_with_id(struct json_object *recs, const char *id)
{
    for (size_t i = 0; id && i < jsonx_len(recs); i++) {
        const char *rid = jsonx_str(jsonx_get(jsonx_at(recs, i), "Id"));
        if (rid && strcmp(rid, id) == 0)
            return jsonx_at(recs, i);
    }
    return NULL;
}

/* A contact's parents nest in SELECT order, under the describe's names
 * whatever the query's case, equal to the parents fetched on their own. */
static void relationship_select(void **state)
{
    (void)state;
    struct fx f;
    char path[1024];
    fx_start(&f, 40);
    query_path(path, sizeof(path), "query",
               "SELECT Id, account.name, Email, Owner.Email, ACCOUNT.Website, AccountId FROM "
               "Contact");
    struct json_object *o = get_json(&f, path, 200);
    struct json_object *recs = jsonx_get(o, "records");
    assert_int_equal(jsonx_len(recs), 40);
    for (size_t i = 0; i < jsonx_len(recs); i++) {
        struct json_object *rec = jsonx_at(recs, i);
        assert_keys(rec, "attributes Id Account Email Owner AccountId");
        struct json_object *contact = sobject_get(&f, "Contact", jsonx_str(jsonx_get(rec, "Id")));
        const char *account = jsonx_str(jsonx_get(contact, "AccountId"));
        assert_string_equal(jsonx_str(jsonx_get(rec, "AccountId")), account);
        assert_parent(&f, jsonx_get(rec, "Account"), "Account", account, "Name Website");
        assert_parent(&f, jsonx_get(rec, "Owner"), "User", jsonx_str(jsonx_get(contact, "OwnerId")),
                      "Email");
        json_object_put(contact);
    }
    json_object_put(o);

    /* Accounts have one relationship, Owner, to User. */
    query_path(path, sizeof(path), "query", "SELECT Owner.Name, Name FROM Account LIMIT 5");
    o = get_json(&f, path, 200);
    recs = jsonx_get(o, "records");
    assert_int_equal(jsonx_len(recs), 5);
    for (size_t i = 0; i < jsonx_len(recs); i++) {
        struct json_object *rec = jsonx_at(recs, i);
        const char *url = jsonx_str(jsonx_get(jsonx_get(rec, "attributes"), "url"));
        assert_keys(rec, "attributes Owner Name");
        struct json_object *account = sobject_get(&f, "Account", strrchr(url, '/') + 1);
        assert_parent(&f, jsonx_get(rec, "Owner"), "User", jsonx_str(jsonx_get(account, "OwnerId")),
                      "Name");
        json_object_put(account);
    }
    json_object_put(o);
    fx_stop(&f);
}

/* One record by id through query, with the SELECT list fields (caller
 * puts). */
static struct json_object *query_one(struct fx *f, const char *fields, const char *object,
                                     const char *id)
{
    char soql[512], path[1024];
    snprintf(soql, sizeof(soql), "SELECT %s FROM %s WHERE Id = '%s'", fields, object, id);
    query_path(path, sizeof(path), "query", soql);
    struct json_object *o = get_json(f, path, 200);
    assert_int_equal(jsonx_len(jsonx_get(o, "records")), 1);
    struct json_object *rec = json_object_get(jsonx_at(jsonx_get(o, "records"), 0));
    json_object_put(o);
    return rec;
}

static void create(char id[SFDATA_ID_LEN + 1], struct fx *f, const char *object, const char *body)
{
    char path[128];
    struct client_reply r;
    snprintf(path, sizeof(path), V "/sobjects/%s", object);
    call(&r, f, "POST", path, body, NULL, NULL);
    if (r.status != 201)
        fail_msg("create %s: %ld %.300s", object, r.status, buf_cstr(&r.body));
    struct json_object *o = parse(&r);
    client_reply_dispose(&r);
    snprintf(id, SFDATA_ID_LEN + 1, "%s", jsonx_str(jsonx_get(o, "id")));
    json_object_put(o);
}

/* An empty reference, or one naming no record, nests as null; WHERE sees
 * the parent's fields as null then. A soft-deleted parent still shows. */
static void relationship_null_parent(void **state)
{
    (void)state;
    struct fx f;
    struct ids got;
    char orphan[SFDATA_ID_LEN + 1], dangling[SFDATA_ID_LEN + 1], soql[256], path[1024];
    fx_start(&f, 20);
    create(orphan, &f, "Contact", "{\"LastName\":\"Orphan\"}");
    create(dangling, &f, "Contact",
           "{\"LastName\":\"Dangling\",\"AccountId\":\"001000000000000AAA\"}");
    struct json_object *rec = query_one(&f, "Id, Account.Name, Owner.Name", "Contact", orphan);
    assert_keys(rec, "attributes Id Account Owner");
    assert_true(jsonx_has(rec, "Account") && !jsonx_get(rec, "Account"));
    struct json_object *contact = sobject_get(&f, "Contact", orphan);
    assert_null(jsonx_get(contact, "AccountId"));
    assert_parent(&f, jsonx_get(rec, "Owner"), "User", jsonx_str(jsonx_get(contact, "OwnerId")),
                  "Name");
    json_object_put(contact);
    json_object_put(rec);
    rec = query_one(&f, "Account.Name, AccountId", "Contact", dangling);
    assert_keys(rec, "attributes Account AccountId");
    assert_true(jsonx_has(rec, "Account") && !jsonx_get(rec, "Account"));
    json_object_put(rec);

    /* Only the two new contacts have no account name; every other one has. */
    paginate(&got, &f, "query", "SELECT Id FROM Contact WHERE Account.Name = null", NULL, 2000);
    assert_int_equal(got.n, 2);
    assert_true((strcmp(got.v[0], orphan) == 0 && strcmp(got.v[1], dangling) == 0) ||
                (strcmp(got.v[1], orphan) == 0 && strcmp(got.v[0], dangling) == 0));
    xfree(got.v);
    paginate(&got, &f, "query", "SELECT Id FROM Contact WHERE Account.Name != null", NULL, 2000);
    assert_int_equal(got.n, 20);
    xfree(got.v);

    /* Soft-delete every account: a contact's AccountId still names its
     * account, and Account still shows it, as queryAll reads it. */
    mutate(&f, "{\"object\":\"Account\",\"delete\":20}");
    paginate(&got, &f, "query", "SELECT Id FROM Account", NULL, 2000);
    assert_int_equal(got.n, 0);
    xfree(got.v);
    struct sfdata_meta m;
    pthread_mutex_lock(&f.p->mu);
    sfdata_meta_get(&m, f.p->sf, "Contact", 0);
    pthread_mutex_unlock(&f.p->mu);
    rec = query_one(&f, "AccountId, Account.Name", "Contact", m.id);
    snprintf(soql, sizeof(soql), "SELECT Name FROM Account WHERE Id = '%s'",
             jsonx_str(jsonx_get(rec, "AccountId")));
    query_path(path, sizeof(path), "queryAll", soql);
    struct json_object *o = get_json(&f, path, 200);
    struct json_object *acct = jsonx_at(jsonx_get(o, "records"), 0);
    assert_non_null(acct);
    assert_non_null(jsonx_str(jsonx_get(acct, "Name")));
    assert_string_equal(jsonx_str(jsonx_get(jsonx_get(rec, "Account"), "Name")),
                        jsonx_str(jsonx_get(acct, "Name")));
    json_object_put(o);
    json_object_put(rec);
    fx_stop(&f);
}

/* Invoice__c's custom lookup Account__c is the relationship Account__r. */
static void relationship_custom_object(void **state)
{
    (void)state;
    struct fx f;
    struct client_reply r;
    char path[1024];
    fx_start(&f, 15);
    query_path(path, sizeof(path), "query",
               "SELECT Name, Account__r.Name, account__R.Industry, Account__c FROM Invoice__c");
    struct json_object *o = get_json(&f, path, 200);
    struct json_object *recs = jsonx_get(o, "records");
    assert_int_equal(jsonx_len(recs), 15);
    for (size_t i = 0; i < jsonx_len(recs); i++) {
        struct json_object *rec = jsonx_at(recs, i);
        const char *url = jsonx_str(jsonx_get(jsonx_get(rec, "attributes"), "url"));
        assert_keys(rec, "attributes Name Account__r Account__c");
        struct json_object *inv = sobject_get(&f, "Invoice__c", strrchr(url, '/') + 1);
        const char *account = jsonx_str(jsonx_get(inv, "Account__c"));
        assert_string_equal(jsonx_str(jsonx_get(rec, "Account__c")), account);
        assert_parent(&f, jsonx_get(rec, "Account__r"), "Account", account, "Name Industry");
        json_object_put(inv);
    }
    json_object_put(o);

    /* The field's own name, or a standard-looking one, is no relationship. */
    static const char *const bad[] = {"Account__c", "Account"};
    for (size_t i = 0; i < 2; i++) {
        char soql[128], msg[128];
        snprintf(soql, sizeof(soql), "SELECT Id, %s.Name FROM Invoice__c", bad[i]);
        snprintf(msg, sizeof(msg), "Didn't understand relationship '%s' in field path.", bad[i]);
        query_path(path, sizeof(path), "query", soql);
        call(&r, &f, "GET", path, NULL, NULL, NULL);
        assert_error(&r, 400, "INVALID_FIELD", msg);
        client_reply_dispose(&r);
    }
    fx_stop(&f);
}

/* Unknown relationships and unknown parent fields, wherever they are named,
 * get Salesforce's INVALID_FIELD; two levels stay a MALFORMED_QUERY. */
static void relationship_errors(void **state)
{
    (void)state;
    static const struct {
        const char *soql, *code, *message;
    } cases[] = {
        {"SELECT Id, Acount.Name FROM Contact", "INVALID_FIELD",
         "Didn't understand relationship 'Acount' in field path. If you are attempting to use a "
         "custom relationship, be sure to append the '__r' after the custom relationship name. "
         "Please reference your WSDL or the describe call for the appropriate names."},
        {"SELECT Id FROM Contact WHERE AccountId.Name = 'x'", "INVALID_FIELD",
         "Didn't understand relationship 'AccountId' in field path."},
        {"SELECT Id FROM Contact ORDER BY Owners.Name", "INVALID_FIELD",
         "Didn't understand relationship 'Owners' in field path."},
        {"SELECT Id, Account.Nmae FROM Contact", "INVALID_FIELD",
         "No such column 'Nmae' on entity 'Account'. If you are attempting to use a custom "
         "field, be sure to append the '__c' after the custom field name. Please reference your "
         "WSDL or the describe call for the appropriate names."},
        {"SELECT Id FROM Contact WHERE Owner.IsDeleted = false", "INVALID_FIELD",
         "No such column 'IsDeleted' on entity 'User'."},
        {"SELECT Id FROM Lead ORDER BY Account.Name", "INVALID_FIELD",
         "Didn't understand relationship 'Account' in field path."},
        {"SELECT Id, Account FROM Contact", "INVALID_FIELD",
         "No such column 'Account' on entity 'Contact'."},
        {"SELECT Id, Account.Owner.Name FROM Contact", "MALFORMED_QUERY",
         "only one level of relationship"},
    };
    struct fx f;
    struct client_reply r;
    char path[1024];
    fx_start(&f, 2);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        query_path(path, sizeof(path), i % 2 ? "queryAll" : "query", cases[i].soql);
        call(&r, &f, "GET", path, NULL, NULL, NULL);
        assert_error(&r, 400, cases[i].code, cases[i].message);
        struct json_object *o = parse(&r);
        assert_false(jsonx_has(jsonx_at(o, 0), "fields"));
        json_object_put(o);
        client_reply_dispose(&r);
    }
    fx_stop(&f);
}

/* Name of the account with id among accounts (records with Id and Name). */
static const char *account_name(struct json_object *accounts, const char *id)
{
    struct json_object *a = record_with_id(accounts, id);
    if (!a)
        fail_msg("no account %s", id ? id : "(null)");
    return jsonx_str(jsonx_get(a, "Name"));
}

/* The nested parents keep coming on later pages (the cursor keeps the
 * SELECT list), each equal to its account as a plain query reads it. */
static void relationship_pagination(void **state)
{
    (void)state;
    struct fx f;
    size_t pages;
    fx_start(&f, 450);
    struct json_object *accounts = fetch_all(&f, "SELECT Id, Name FROM Account", NULL, &pages);
    assert_int_equal(jsonx_len(accounts), 450);
    struct json_object *recs = fetch_all(&f, "SELECT Id, Account.Name, AccountId FROM Contact",
                                         "Sforce-Query-Options: batchSize=200", &pages);
    assert_int_equal(pages, 3);
    assert_int_equal(jsonx_len(recs), 450);
    for (size_t i = 0; i < jsonx_len(recs); i++) {
        struct json_object *rec = jsonx_at(recs, i), *acct = jsonx_get(rec, "Account");
        const char *id = jsonx_str(jsonx_get(rec, "AccountId"));
        char url[128];
        assert_keys(rec, "attributes Id Account AccountId");
        assert_keys(acct, "attributes Name");
        snprintf(url, sizeof(url), V "/sobjects/Account/%s", id);
        assert_string_equal(jsonx_str(jsonx_get(jsonx_get(acct, "attributes"), "url")), url);
        assert_string_equal(jsonx_str(jsonx_get(acct, "Name")), account_name(accounts, id));
    }
    /* Spot checks against GET, on the last page too. */
    for (size_t i = 0; i < jsonx_len(recs); i += 149)
        assert_parent(&f, jsonx_get(jsonx_at(recs, i), "Account"), "Account",
                      jsonx_str(jsonx_get(jsonx_at(recs, i), "AccountId")), "Name");
    json_object_put(recs);
    json_object_put(accounts);
    fx_stop(&f);
}

/* WHERE and ORDER BY on a parent's field select and sort as the parents'
 * own values, read by plain queries, say they should. */
static void relationship_where_order(void **state)
{
    (void)state;
    struct fx f;
    size_t pages;
    char soql[256];
    fx_start(&f, 300);
    struct json_object *accounts = fetch_all(&f, "SELECT Id, Name FROM Account", NULL, &pages);
    struct json_object *contacts = fetch_all(&f, "SELECT Id, AccountId FROM Contact", NULL, &pages);
    const char *first =
        account_name(accounts, jsonx_str(jsonx_get(jsonx_at(contacts, 0), "AccountId")));
    char letter = first[0];
    size_t want = 0;
    for (size_t i = 0; i < jsonx_len(contacts); i++) {
        const char *name =
            account_name(accounts, jsonx_str(jsonx_get(jsonx_at(contacts, i), "AccountId")));
        want += strncasecmp(name, &letter, 1) == 0;
    }
    assert_true(want > 0 && want < 300);

    snprintf(soql, sizeof(soql),
             "SELECT Id, Account.Name FROM Contact WHERE account.name LIKE '%c%%' "
             "ORDER BY Account.Name DESC, Id",
             letter);
    struct json_object *recs = fetch_all(&f, soql, "Sforce-Query-Options: batchSize=200", &pages);
    assert_int_equal(jsonx_len(recs), want);
    const char *prev = NULL;
    for (size_t i = 0; i < jsonx_len(recs); i++) {
        struct json_object *rec = jsonx_at(recs, i);
        struct json_object *c = record_with_id(contacts, jsonx_str(jsonx_get(rec, "Id")));
        assert_non_null(c);
        const char *name = account_name(accounts, jsonx_str(jsonx_get(c, "AccountId")));
        assert_string_equal(jsonx_str(jsonx_get(jsonx_get(rec, "Account"), "Name")), name);
        assert_true(strncasecmp(name, &letter, 1) == 0);
        if (prev)
            assert_true(strcasecmp(prev, name) >= 0);
        prev = name;
    }
    json_object_put(recs);

    /* An exact name picks exactly the contacts of that account (names are
     * unique); ORDER BY alone, ascending, sorts every contact. */
    snprintf(soql, sizeof(soql), "SELECT Id FROM Contact WHERE Account.Name = '%s'", first);
    recs = fetch_all(&f, soql, NULL, &pages);
    want = 0;
    for (size_t i = 0; i < jsonx_len(contacts); i++)
        want +=
            strcmp(account_name(accounts, jsonx_str(jsonx_get(jsonx_at(contacts, i), "AccountId"))),
                   first) == 0;
    assert_int_equal(jsonx_len(recs), want);
    json_object_put(recs);
    recs =
        fetch_all(&f, "SELECT Id, Account.Name FROM Contact ORDER BY Account.Name", NULL, &pages);
    assert_int_equal(jsonx_len(recs), 300);
    prev = NULL;
    for (size_t i = 0; i < jsonx_len(recs); i++) {
        const char *name = jsonx_str(jsonx_get(jsonx_get(jsonx_at(recs, i), "Account"), "Name"));
        if (prev)
            assert_true(strcasecmp(prev, name) <= 0);
        prev = name;
    }
    json_object_put(recs);
    /* Two fields of one relationship: the WHERE's and the sort's. */
    recs = fetch_all(&f,
                     "SELECT Id, Account.Industry FROM Contact WHERE Account.Name != null ORDER "
                     "BY Account.Industry DESC, Id",
                     NULL, &pages);
    assert_int_equal(jsonx_len(recs), 300);
    prev = NULL;
    for (size_t i = 0; i < jsonx_len(recs); i++) {
        const char *ind = jsonx_str(jsonx_get(jsonx_get(jsonx_at(recs, i), "Account"), "Industry"));
        assert_non_null(ind);
        if (prev)
            assert_true(strcasecmp(prev, ind) >= 0);
        prev = ind;
    }
    assert_true(
        strcasecmp(jsonx_str(jsonx_get(jsonx_get(jsonx_at(recs, 0), "Account"), "Industry")),
                   prev) > 0);
    json_object_put(recs);
    json_object_put(contacts);
    json_object_put(accounts);
    fx_stop(&f);
}

/* ---- /_sandbox/schema ---- */

/* POST body to /_sandbox/schema expecting status; the answer parsed. */
static struct json_object *schema_post(struct fx *f, const char *body, long status)
{
    struct client_reply r;
    call(&r, f, "POST", "/_sandbox/schema", body, "", NULL);
    if (r.status != status)
        fail_msg("schema %s: %ld, expected %ld: %.300s", body, r.status, status, buf_cstr(&r.body));
    struct json_object *o = parse(&r);
    client_reply_dispose(&r);
    return o;
}

/* The JSON text of GET /_sandbox/schema. */
static void assert_hidden(struct fx *f, const char *want)
{
    struct client_reply r;
    call(&r, f, "GET", "/_sandbox/schema", NULL, "", NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(buf_cstr(&r.body), want);
    client_reply_dispose(&r);
}

/* Whether object's describe lists field. */
static bool described(struct fx *f, const char *object, const char *field)
{
    char path[128];
    bool found = false;
    snprintf(path, sizeof(path), V "/sobjects/%s/describe", object);
    struct json_object *d = get_json(f, path, 200), *fields = jsonx_get(d, "fields");
    for (size_t i = 0; i < jsonx_len(fields); i++)
        found |= strcmp(jsonx_str(jsonx_get(jsonx_at(fields, i), "name")), field) == 0;
    json_object_put(d);
    return found;
}

static void assert_query_error(struct fx *f, const char *soql, const char *message_start)
{
    struct client_reply r;
    char path[1024];
    query_path(path, sizeof(path), "query", soql);
    call(&r, f, "GET", path, NULL, NULL, NULL);
    assert_error(&r, 400, "INVALID_FIELD", message_start);
    client_reply_dispose(&r);
}

/* A hidden field is gone from describe, unknown to SOQL (as Salesforce
 * answers for a deleted field) and to writes, and absent from records;
 * showing it, or a reset, brings it back with its values. */
static void schema_hide_show(void **state)
{
    (void)state;
    struct fx f;
    struct client_reply r;
    char path[1024], id[SFDATA_ID_LEN + 1];
    fx_start(&f, 5);
    assert_hidden(&f, "{\"hidden\":{}}");
    json_object_put(schema_post(&f, "{\"object\":\"contact\",\"hide\":[\"title\"]}", 200));
    assert_hidden(&f, "{\"hidden\":{\"Contact\":[\"Title\"]}}");
    assert_false(described(&f, "Contact", "Title"));
    assert_true(described(&f, "Contact", "Email") && described(&f, "Lead", "Title"));

    static const char *const bad[] = {
        "SELECT Id, Title FROM Contact",
        "SELECT Id FROM Contact WHERE Title = 'CEO'",
        "SELECT Id FROM Contact ORDER BY Title",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_query_error(&f, bad[i], "No such column 'Title' on entity 'Contact'");
    query_path(path, sizeof(path), "queryAll", "SELECT Id, Title FROM Contact");
    call(&r, &f, "GET", path, NULL, NULL, NULL);
    assert_error(&r, 400, "INVALID_FIELD", "No such column 'Title' on entity 'Contact'");
    client_reply_dispose(&r);
    /* Other fields work as before; a whole record has no Title. */
    query_path(path, sizeof(path), "query", "SELECT Id, Email FROM Contact ORDER BY Email");
    struct json_object *o = get_json(&f, path, 200);
    assert_int_equal(json_object_get_int(jsonx_get(o, "totalSize")), 5);
    snprintf(id, sizeof(id), "%s",
             jsonx_str(jsonx_get(jsonx_at(jsonx_get(o, "records"), 0), "Id")));
    json_object_put(o);
    snprintf(path, sizeof(path), V "/sobjects/Contact/%s", id);
    o = get_json(&f, path, 200);
    assert_false(jsonx_has(o, "Title"));
    assert_true(jsonx_has(o, "Email"));
    json_object_put(o);
    call(&r, &f, "PATCH", path, "{\"Title\":\"CTO\"}", NULL, NULL);
    assert_error(&r, 400, "INVALID_FIELD", "No such column 'Title' on sobject of type Contact");
    client_reply_dispose(&r);

    /* A hidden reference takes its relationship along; a hidden parent
     * field is unknown through the relationship too. A hidden required
     * field is no longer required. */
    json_object_put(schema_post(&f, "{\"object\":\"Contact\",\"hide\":[\"AccountId\"]}", 200));
    assert_query_error(&f, "SELECT Id, Account.Name FROM Contact",
                       "Didn't understand relationship 'Account'");
    json_object_put(schema_post(&f, "{\"object\":\"Account\",\"hide\":[\"Phone\"]}", 200));
    assert_query_error(&f, "SELECT Id, Owner.Name FROM Account WHERE Phone != null",
                       "No such column 'Phone' on entity 'Account'");
    json_object_put(schema_post(&f, "{\"object\":\"Lead\",\"hide\":[\"LastName\"]}", 200));
    create(id, &f, "Lead", "{\"Company\":\"Acme\"}");
    assert_hidden(&f, "{\"hidden\":{\"Account\":[\"Phone\"],\"Contact\":[\"AccountId\",\"Title\"],"
                      "\"Lead\":[\"LastName\"]}}");

    /* Shown again: described, selectable, with its values. */
    o = schema_post(&f, "{\"object\":\"Contact\",\"show\":[\"Title\",\"AccountId\"]}", 200);
    assert_false(jsonx_has(jsonx_get(o, "hidden"), "Contact"));
    json_object_put(o);
    assert_true(described(&f, "Contact", "Title"));
    query_path(path, sizeof(path), "query", "SELECT Id, Title, Account.Name FROM Contact");
    o = get_json(&f, path, 200);
    assert_non_null(jsonx_str(jsonx_get(jsonx_at(jsonx_get(o, "records"), 0), "Title")));
    json_object_put(o);

    /* {"reset":true} shows every field; so does /_sandbox/reset. */
    json_object_put(schema_post(&f, "{\"reset\":true}", 200));
    assert_hidden(&f, "{\"hidden\":{}}");
    assert_true(described(&f, "Account", "Phone") && described(&f, "Lead", "LastName"));
    json_object_put(schema_post(&f, "{\"object\":\"Contact\",\"hide\":[\"Title\"]}", 200));
    call(&r, &f, "POST", "/_sandbox/reset", "", "", NULL);
    assert_int_equal(r.status, 200);
    client_reply_dispose(&r);
    assert_hidden(&f, "{\"hidden\":{}}");
    assert_true(described(&f, "Contact", "Title"));
    fx_stop(&f);
}

/* Bad requests are refused with what was wrong, and change nothing. */
static void schema_refused(void **state)
{
    (void)state;
    static const struct {
        const char *body;
        long status;
        const char *message; /* the start of it */
    } cases[] = {
        {"", 400, "schema: "},
        {"{\"object\":", 400, "schema: "},
        {"[]", 400, "schema: expected {\"object\":NAME,\"hide\":[FIELD...]}"},
        {"{\"object\":\"Contact\"}", 400, "schema: expected {\"object\":NAME"},
        {"{\"hide\":[\"Title\"]}", 400, "schema: expected {\"object\":NAME"},
        {"{\"object\":7,\"hide\":[]}", 400, "schema: expected {\"object\":NAME"},
        {"{\"object\":\"Contact\",\"hide\":[\"Title\"],\"colour\":1}", 400,
         "schema: unknown member \"colour\" (expected object, hide, show or reset)"},
        {"{\"object\":\"Contact\",\"hide\":\"Title\"}", 400,
         "schema: \"hide\" must be an array of at most 64 field names"},
        {"{\"object\":\"Contact\",\"show\":[7]}", 400,
         "schema: show[0]: expected a field name, got integer"},
        {"{\"object\":\"Contact\",\"hide\":[\"Title\"],\"show\":[\"title\"]}", 400,
         "schema: Contact.Title is in both \"hide\" and \"show\""},
        {"{\"reset\":false}", 400, "schema: \"reset\" must be true, and alone"},
        {"{\"reset\":true,\"object\":\"Contact\"}", 400,
         "schema: \"reset\" must be true, and alone"},
        {"{\"object\":\"Contact\",\"hide\":[\"Title\",\"id\"]}", 400,
         "schema: Contact.Id cannot be hidden: a system field, which no admin can delete (the "
         "primary key)"},
        {"{\"object\":\"Contact\",\"hide\":[\"SystemModstamp\"]}", 400,
         "schema: Contact.SystemModstamp cannot be hidden: a system field, which no admin can "
         "delete (the incremental sync's cursor)"},
        {"{\"object\":\"Contact\",\"hide\":[\"LastModifiedDate\"]}", 400,
         "schema: Contact.LastModifiedDate cannot be hidden"},
        {"{\"object\":\"Invoice__c\",\"hide\":[\"CreatedDate\"]}", 400,
         "schema: Invoice__c.CreatedDate cannot be hidden"},
        {"{\"object\":\"Account\",\"show\":[\"IsDeleted\"]}", 400,
         "schema: Account.IsDeleted cannot be hidden: a system field, which no admin can delete "
         "(the mark of deleted records)"},
        {"{\"object\":\"Nope\",\"hide\":[\"Title\"]}", 404, "schema: no sobject \"Nope\""},
        {"{\"object\":\"Contact\",\"hide\":[\"Title\",\"Bogus\"]}", 404,
         "schema: Contact has no field \"Bogus\""},
        {"{\"object\":\"User\",\"hide\":[\"IsDeleted\"]}", 404,
         "schema: User has no field \"IsDeleted\""},
    };
    struct fx f;
    struct buf many;
    fx_start(&f, 2);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct json_object *o = schema_post(&f, cases[i].body, cases[i].status);
        struct json_object *e = jsonx_get(o, "error");
        assert_string_equal(jsonx_str(jsonx_get(e, "code")),
                            cases[i].status == 404 ? "not_found" : "invalid_request");
        const char *msg = jsonx_str(jsonx_get(e, "message"));
        if (!msg || strncmp(msg, cases[i].message, strlen(cases[i].message)) != 0)
            fail_msg("%s: message %s, expected %s...", cases[i].body, msg, cases[i].message);
        json_object_put(o);
    }
    buf_init(&many, 0);
    buf_puts(&many, "{\"object\":\"Contact\",\"hide\":[");
    for (int i = 0; i < 65; i++)
        buf_puts(&many, i ? ",\"Title\"" : "\"Title\"");
    buf_puts(&many, "]}");
    json_object_put(schema_post(&f, buf_cstr(&many), 400));
    buf_dispose(&many);
    /* Nothing was hidden, not even Title before Bogus or Id. */
    assert_hidden(&f, "{\"hidden\":{}}");
    assert_true(described(&f, "Contact", "Title"));
    fx_stop(&f);
}

int test_sf_data(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(versions_and_bad_versions),
        cmocka_unit_test(unauthorized),
        cmocka_unit_test(describe_shapes),
        cmocka_unit_test(query_errors),
        cmocka_unit_test(query_record_shape),
        cmocka_unit_test(pagination_exactly_once),
        cmocka_unit_test(pagination_ordered),
        cmocka_unit_test(modstamp_after_touch),
        cmocka_unit_test(query_all_sees_deleted),
        cmocka_unit_test(sobject_round_trip),
        cmocka_unit_test(sobject_errors),
        cmocka_unit_test(limit_info_counts),
        cmocka_unit_test(locators_evicted),
        cmocka_unit_test(relationship_select),
        cmocka_unit_test(relationship_null_parent),
        cmocka_unit_test(relationship_custom_object),
        cmocka_unit_test(relationship_errors),
        cmocka_unit_test(relationship_pagination),
        cmocka_unit_test(relationship_where_order),
        cmocka_unit_test(schema_hide_show),
        cmocka_unit_test(schema_refused),
    };
    return test_group("sf_data", tests, NULL, NULL);
}
