/* api/integrations.c - /api/integrations: create, list, read, replace,
 * patch and delete a tenant's integrations. Config is checked against the
 * connector's config schema and secrets against what its auth takes, with
 * one error per field; secrets are sealed at once and never returned (a
 * response lists only the names set). Every change and its audit entry
 * commit in one transaction. */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include <json-c/linkhash.h>

#include "api/api_int.h"
#include "connectors/registry.h"
#include "core/alloc.h"
#include "core/jsonschema.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "core/secret.h"
#include "events/events.h"
#include "store/connect_session.h"
#include "store/integration.h"
#include "store/sync_run.h"
#include "store/tenant.h"

/* Failures of one request's checks, gathered as the "details" array. */
struct problems {
    struct buf details;
    size_t n;
    char first[512]; /* "pointer: message" of the first, for the error message */
};

static void problem(struct problems *p, const char *ptr, const char *msg)
{
    buf_puts(&p->details, p->n ? ",{\"pointer\":" : "[{\"pointer\":");
    buf_put_json_str(&p->details, ptr);
    buf_puts(&p->details, ",\"message\":");
    buf_put_json_str(&p->details, msg);
    buf_putc(&p->details, '}');
    if (p->n++ == 0)
        snprintf(p->first, sizeof(p->first), "%s: %s", ptr, msg);
}

/* Check v against s; failures are reported under prefix ("/config"). */
static void check_schema(struct problems *p, const struct jsonschema *s, struct json_object *v,
                         const char *prefix)
{
    struct jsonschema_result res;
    char ptr[300];

    if (jsonschema_validate(s, v, &res))
        return;
    for (size_t i = 0; i < res.count; i++) {
        snprintf(ptr, sizeof(ptr), "%s%s", prefix, res.errors[i].pointer);
        problem(p, ptr, res.errors[i].message);
    }
    if (res.truncated)
        problem(p, prefix, "has more failures than are listed; fix these and send it again");
}

/* Answer 422 with every problem; true when there were none. */
static bool no_problems(struct api_ctx *c, struct problems *p)
{
    if (p->n == 0) {
        buf_dispose(&p->details);
        return true;
    }
    buf_putc(&p->details, ']');
    if (p->n == 1)
        api_error(c, 422, "validation_failed", buf_cstr(&p->details), "%s", p->first);
    else
        api_error(c, 422, "validation_failed", buf_cstr(&p->details), "%s (and %zu more)", p->first,
                  p->n - 1);
    buf_dispose(&p->details);
    return false;
}

static const char *auth_kind_name(const struct connector *k)
{
    switch (k->auth_kind) {
    case CONNECTOR_AUTH_API_KEY:
        return "api_key";
    case CONNECTOR_AUTH_BASIC:
        return "basic";
    case CONNECTOR_AUTH_OAUTH2:
        return "oauth2";
    case CONNECTOR_AUTH_NONE:
        break;
    }
    return "none";
}

/* config must be an object (NULL: absent, checked as {}). */
static void check_config(struct problems *p, const struct connector *k, struct json_object *config,
                         bool given)
{
    if (given && !json_object_is_type(config, json_type_object)) {
        char m[64];
        snprintf(m, sizeof(m), "expected an object, got %s", jsonx_type_name(config));
        problem(p, "/config", m);
        return;
    }
    struct json_object *empty = config ? NULL : json_object_new_object();
    check_schema(p, k->config_schema, config ? config : empty, "/config");
    json_object_put(empty);
    if (config) {
        struct buf b;
        buf_init(&b, INTEGRATION_CONFIG_MAX);
        jsonx_format(&b, config);
        if (buf_failed(&b)) {
            char m[64];
            snprintf(m, sizeof(m), "must be at most %d bytes as JSON", INTEGRATION_CONFIG_MAX);
            problem(p, "/config", m);
        }
        buf_dispose(&b);
    }
}

/* Secrets are only for connectors whose auth takes them; OAuth tokens come
 * from the connect flow, never from a client. */
static void check_secrets(struct problems *p, const struct connector *k, struct json_object *s)
{
    if (!json_object_is_type(s, json_type_object)) {
        char m[64];
        snprintf(m, sizeof(m), "expected an object, got %s", jsonx_type_name(s));
        problem(p, "/secrets", m);
        return;
    }
    if (!k->secrets_schema) {
        if (json_object_object_length(s) > 0)
            problem(p, "/secrets",
                    k->auth_kind == CONNECTOR_AUTH_OAUTH2
                        ? "this connector signs in with OAuth; its tokens come from connecting"
                        : "this connector takes no secrets");
        return;
    }
    check_schema(p, k->secrets_schema, s, "/secrets");
}

/* The connector's secret names that s holds, as a JSON array. */
static void secret_names(struct buf *b, const struct connector *k, struct json_object *s)
{
    size_t n = 0;
    buf_putc(b, '[');
    for (const char *const *nm = k->secret_names; *nm; nm++) {
        if (!jsonx_has(s, *nm))
            continue;
        buf_puts(b, n++ ? "," : "");
        buf_put_json_str(b, *nm);
    }
    buf_putc(b, ']');
}

/* Seal s (an object of strings, already checked) as the integration's secrets. */
static int store_secrets(struct api_ctx *c, const struct connector *k, const char *id,
                         struct json_object *s, struct err *e)
{
    struct buf text, names;
    struct secret plain = {0};

    buf_init(&text, 0);
    buf_init(&names, 0);
    /* The secrets came in the body, so their text fits in its length:
     * one allocation, no stale copies left by growing. */
    buf_reserve(&text, c->req->body_len + 2);
    jsonx_format(&text, s);
    secret_set(&plain, text.p ? text.p : "{}", text.p ? text.n : 2);
    if (text.p)
        secret_wipe(text.p, text.cap);
    buf_dispose(&text);
    secret_names(&names, k, s);
    int rc = integration_secrets_set(c->db, c->api->vault, c->tenant_id, id, auth_kind_name(k),
                                     &plain, buf_cstr(&names), 0, c->now, e);
    secret_dispose(&plain);
    buf_dispose(&names);
    return rc;
}

/* Whether new secrets bring it (back) to active: a key-based integration
 * waiting for them, or one whose old ones stopped working. */
static bool revived_by_secrets(const struct integration *it)
{
    return strcmp(it->status, "draft") == 0 || strcmp(it->status, "needs_reauth") == 0 ||
           strcmp(it->status, "error") == 0;
}

/* Whether an integration with these secrets can run without connecting. */
static bool ready_to_run(const struct connector *k, struct json_object *secrets)
{
    if (k->auth_kind == CONNECTOR_AUTH_NONE)
        return true;
    return k->auth_kind != CONNECTOR_AUTH_OAUTH2 && secrets &&
           json_object_object_length(secrets) > 0;
}

/* integration.connected to the host (events/), in the change's
 * transaction, when a change leaves integration id active with working
 * secrets: created or given them (a reconnect of a key-based one too),
 * or, for a connector that needs none, created. */
static int connected(struct api_ctx *c, const struct connector *k, const char *id,
                     struct json_object *secrets, const char *status_after, struct err *e)
{
    if (!ready_to_run(k, secrets) || strcmp(status_after, "active") != 0)
        return 0;
    return events_integration(c->db, c->tenant_id, id, EVENTS_INTEGRATION_CONNECTED, NULL, c->now,
                              e);
}

/* The store's own checks come back as ERR_INVALID "name: ..." or led by a
 * pointer ("/end_user/id: ..."). */
static void fail_store(struct api_ctx *c, const struct err *e)
{
    if (e->code == ERR_INVALID && strncmp(e->msg, "name: ", 6) == 0)
        api_invalid_field(c, "/name", "%s", e->msg + 6);
    else if (e->code == ERR_INVALID && e->msg[0] == '/')
        api_invalid_msg(c, e);
    else
        api_fail(c, e);
}

/* Finish a change: audit it, read the row back, commit, answer. */
static void finish(struct api_ctx *c, int status, const char *id, const char *action,
                   const char *data)
{
    struct integration it = {0};
    struct err e;

    if (api_audit(c, action, "integration", id, data, &e) < 0 ||
        integration_get(&it, c->db, c->tenant_id, id, &e) < 0 || db_commit(c->db, &e) < 0) {
        db_rollback(c->db);
        api_fail(c, &e);
        integration_dispose(&it);
        return;
    }
    struct buf *b = api_reply(c, status);
    integration_format(&it, b);
    if (status == 201) {
        char loc[64 + ID_MAX];
        snprintf(loc, sizeof(loc), "/api/integrations/%s", it.id);
        http_resp_header(c->resp, "Location", loc);
    }
    integration_dispose(&it);
}

/* The connector named by member "/connector" of body; answers 422. */
static const struct connector *body_connector(struct api_ctx *c, struct json_object *body)
{
    const char *name = jsonx_str(jsonx_get(body, "connector"));
    const struct connector *k = NULL;

    if (!jsonx_has(body, "connector")) {
        api_invalid_field(c, "/connector", "is required");
        return NULL;
    }
    if (!name) {
        api_invalid_field(c, "/connector", "expected a string, got %s",
                          jsonx_type_name(jsonx_get(body, "connector")));
        return NULL;
    }
    if (strlen(name) != jsonx_str_len(jsonx_get(body, "connector")) ||
        !(k = registry_get(c->api->registry, name)))
        api_invalid_field(c, "/connector", "unknown connector \"%.64s\" (GET /api/connectors)",
                          name);
    return k;
}

static void check_name(struct problems *p, struct json_object *body, bool required)
{
    if (!jsonx_has(body, "name")) {
        if (required)
            problem(p, "/name", "is required");
        return;
    }
    struct json_object *v = jsonx_get(body, "name");
    if (!json_object_is_type(v, json_type_string)) {
        char m[64];
        snprintf(m, sizeof(m), "expected a string, got %s", jsonx_type_name(v));
        problem(p, "/name", m);
    } else if (strlen(jsonx_str(v)) != jsonx_str_len(v)) {
        problem(p, "/name", "must not contain U+0000");
    } else {
        struct err e;
        if (integration_name_check(jsonx_str(v), &e) < 0)
            problem(p, "/name", strncmp(e.msg, "name: ", 6) == 0 ? e.msg + 6 : e.msg);
    }
}

static void problems_init(struct problems *p)
{
    buf_init(&p->details, 0);
    p->n = 0;
    p->first[0] = '\0';
}

/* ---- end user and tags (docs/embedding.md) ---- */

/* An end user and tags as a body gives them. */
struct labels {
    struct integration_end_user user; /* strings borrowed from the body */
    bool has_user;                    /* end_user given as an object */
    bool clear_user;                  /* end_user given as null */
    const char **tags;                /* xcalloc: the body's strings, sorted, repeats merged */
    struct integration_tags set;      /* over tags */
    bool has_tags;                    /* tags given (null counts as []) */
};

static void labels_dispose(struct labels *l)
{
    xfree(l->tags);
    l->tags = NULL;
}

/* The tag problems listed one by one before the rest are summed up. */
#define TAG_PROBLEMS_MAX 10

/* A string member of the end user (*out borrowed, NULL when absent or
 * null unless required), checked by check; problems under ptr. */
static void end_user_member(struct problems *p, struct json_object *u, const char *name,
                            bool required, int (*check)(const char *, struct err *),
                            const char **out)
{
    char ptr[48];
    struct err e;
    struct json_object *v = jsonx_get(u, name);

    snprintf(ptr, sizeof(ptr), "/end_user/%s", name);
    *out = NULL;
    if (!v) {
        if (required)
            problem(p, ptr, jsonx_has(u, name) ? "must not be null" : "is required");
        return;
    }
    if (!json_object_is_type(v, json_type_string)) {
        char m[64];
        snprintf(m, sizeof(m), "expected a string, got %s", jsonx_type_name(v));
        problem(p, ptr, m);
    } else if (strlen(jsonx_str(v)) != jsonx_str_len(v)) {
        problem(p, ptr, "must not contain U+0000");
    } else if (check(jsonx_str(v), &e) < 0) {
        problem(p, ptr, e.msg);
    } else {
        *out = jsonx_str(v);
    }
}

/* end_user: an object {id, email?, display_name?}, or null for none. */
static void check_end_user(struct problems *p, struct json_object *u, struct labels *l)
{
    static const char *const known[] = {"id", "email", "display_name", NULL};

    if (!u) {
        l->clear_user = true;
        return;
    }
    if (!json_object_is_type(u, json_type_object)) {
        char m[96];
        snprintf(m, sizeof(m), "expected an object {id, email, display_name} or null, got %s",
                 jsonx_type_name(u));
        problem(p, "/end_user", m);
        return;
    }
    for (struct lh_entry *en = lh_table_head(json_object_get_object(u)); en;
         en = lh_entry_next(en)) {
        const char *k = (const char *)lh_entry_k(en);
        size_t i = 0;
        while (known[i] && strcmp(known[i], k) != 0)
            i++;
        if (known[i])
            continue;
        struct jsonx_ptr ptr;
        jsonx_ptr_init(&ptr);
        jsonx_ptr_push(&ptr, "end_user");
        jsonx_ptr_push(&ptr, k);
        problem(p, jsonx_ptr_cstr(&ptr), "unknown member; expected id, email or display_name");
    }
    end_user_member(p, u, "id", true, integration_end_user_id_check, &l->user.id);
    end_user_member(p, u, "email", false, integration_email_check, &l->user.email);
    end_user_member(p, u, "display_name", false, integration_display_name_check,
                    &l->user.display_name);
    l->has_user = true;
}

/* tags: an array of tags (null: none); repeats merge. */
static void check_tags(struct problems *p, struct json_object *v, struct labels *l)
{
    size_t n = jsonx_len(v), k = 0, bad = 0;
    char ptr[32], m[64];

    l->has_tags = true;
    if (!v)
        return;
    if (!json_object_is_type(v, json_type_array)) {
        snprintf(m, sizeof(m), "expected an array of strings, got %s", jsonx_type_name(v));
        problem(p, "/tags", m);
        return;
    }
    l->tags = xcalloc(n ? n : 1, sizeof(*l->tags));
    for (size_t i = 0; i < n; i++) {
        struct json_object *t = jsonx_at(v, i);
        const char *why = NULL;
        struct err e;
        if (!json_object_is_type(t, json_type_string)) {
            snprintf(m, sizeof(m), "expected a string, got %s", jsonx_type_name(t));
            why = m;
        } else if (strlen(jsonx_str(t)) != jsonx_str_len(t)) {
            why = "must not contain U+0000";
        } else if (integration_tag_check(jsonx_str(t), &e) < 0) {
            why = e.msg;
        } else {
            l->tags[k++] = jsonx_str(t);
            continue;
        }
        if (bad++ < TAG_PROBLEMS_MAX) {
            snprintf(ptr, sizeof(ptr), "/tags/%zu", i);
            problem(p, ptr, why);
        }
    }
    if (bad > TAG_PROBLEMS_MAX)
        problem(p, "/tags", "has more bad tags than are listed; fix these and send it again");
    l->set.v = l->tags;
    l->set.n = integration_tags_sort(l->tags, k);
    if (l->set.n > INTEGRATION_TAGS_MAX) {
        snprintf(m, sizeof(m), "%zu distinct tags, at most %d", l->set.n, INTEGRATION_TAGS_MAX);
        problem(p, "/tags", m);
    }
}

/* Check the end user and tags of body, when given, into *l. */
static void check_labels(struct problems *p, struct json_object *body, struct labels *l)
{
    if (jsonx_has(body, "end_user"))
        check_end_user(p, jsonx_get(body, "end_user"), l);
    if (jsonx_has(body, "tags"))
        check_tags(p, jsonx_get(body, "tags"), l);
}

/* The change l makes to a stored integration. */
static void labels_change(struct integration_change *ch, const struct labels *l)
{
    ch->end_user = l->has_user ? &l->user : NULL;
    ch->end_user_clear = l->clear_user;
    ch->tags = l->has_tags ? &l->set : NULL;
}

/* Check a whole create or PUT body (name required, config absent = {},
 * secrets, end user and tags when given) against connector k, the end
 * user and tags into *l; answers 422 listing every problem. */
static bool body_ok(struct api_ctx *c, const struct connector *k, struct json_object *body,
                    struct labels *l)
{
    struct problems p;
    problems_init(&p);
    check_name(&p, body, true);
    check_config(&p, k, jsonx_get(body, "config"), jsonx_has(body, "config"));
    if (jsonx_has(body, "secrets"))
        check_secrets(&p, k, jsonx_get(body, "secrets"));
    check_labels(&p, body, l);
    return no_problems(c, &p);
}

static void format_config(struct buf *b, struct json_object *config)
{
    if (config)
        jsonx_format(b, config);
    else
        buf_puts(b, "{}");
}

void api_integrations_create(struct api_ctx *c)
{
    static const char *const fields[] = {"connector", "name", "config", "secrets",
                                         "end_user",  "tags", NULL};
    struct json_object *body, *config, *secrets;
    const struct connector *k;
    struct integration it = {0};
    struct labels l = {0};
    struct buf cfg, data;
    struct err e;

    if (api_body_object(c, &body, fields) < 0)
        return;
    if (!(k = body_connector(c, body)) ||
        (c->connect && api_connect_may_create(c, k->name, body) < 0)) {
        json_object_put(body);
        return;
    }
    config = jsonx_get(body, "config");
    secrets = jsonx_get(body, "secrets");
    struct json_object *session_user = NULL; /* holds l.user's strings for a connect page */
    if (!body_ok(c, k, body, &l) ||
        (c->connect && api_connect_end_user(c, &l.user, &session_user) < 0)) {
        json_object_put(session_user);
        labels_dispose(&l);
        json_object_put(body);
        return;
    }
    l.has_user |= c->connect != NULL;
    buf_init(&cfg, 0);
    buf_init(&data, 0);
    format_config(&cfg, config);
    buf_puts(&data, "{\"connector\":");
    buf_put_json_str(&data, k->name);
    buf_puts(&data, ",\"name\":");
    buf_put_json_str(&data, jsonx_str(jsonx_get(body, "name")));
    if (l.has_user) {
        buf_puts(&data, ",\"end_user_id\":");
        buf_put_json_str(&data, l.user.id);
    }
    buf_putc(&data, '}');
    const struct integration_new nw = {
        .connector = k->name,
        .name = jsonx_str(jsonx_get(body, "name")),
        .config = buf_cstr(&cfg),
        .end_user = l.has_user ? &l.user : NULL,
        .tags = l.has_tags ? &l.set : NULL,
    };
    int rc = db_begin_tenant(c->db, c->tenant_id, &e);
    if (rc == 0)
        rc = integration_create_with(&it, c->db, c->tenant_id, &nw, c->now, &e);
    if (rc == 0 && c->connect)
        rc = connect_session_bind(c->db, c->tenant_id, c->connect->id, it.id, &e);
    if (rc == 0 && secrets && json_object_object_length(secrets) > 0)
        rc = store_secrets(c, k, it.id, secrets, &e);
    if (rc == 0 && ready_to_run(k, secrets))
        rc = integration_update(NULL, c->db, c->tenant_id, it.id,
                                &(struct integration_change){.status = "active"}, c->now, &e);
    if (rc == 0)
        rc = connected(c, k, it.id, secrets, "active", &e);
    if (rc < 0) {
        db_rollback(c->db);
        fail_store(c, &e);
    } else {
        finish(c, 201, it.id, "integration.create", buf_cstr(&data));
    }
    integration_dispose(&it);
    labels_dispose(&l);
    json_object_put(session_user);
    buf_dispose(&cfg);
    buf_dispose(&data);
    json_object_put(body);
}

/* The characters a connector name may have; checked before it reaches a
 * query, so that no engine gets to complain about its bytes. */
static bool connector_name_ok(const char *s)
{
    size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-");
    return n > 0 && n <= CONNECTOR_NAME_MAX && s[n] == '\0';
}

struct page {
    struct buf *b;
    size_t n;
    char last[ID_MAX];
    struct db *db;         /* set: each row gets its last_run */
    const char *tenant_id; /* with db */
    struct err *err;       /* with db */
    int64_t now;           /* with db: a running run's duration so far */
};

static int put_last_run(void *ctx, const struct sync_run *r)
{
    const struct page *p = ctx;
    api_put_run(p->b, r, false, p->now);
    return 0;
}

static int put_row(void *ctx, const struct integration *it)
{
    struct page *p = ctx;
    if (p->n++)
        buf_putc(p->b, ',');
    integration_format(it, p->b);
    snprintf(p->last, sizeof(p->last), "%s", it->id);
    if (!p->db)
        return 0;
    /* One indexed lookup per row of the page (at most INTEGRATION_LIST_MAX):
     * the object integration_format closed is opened again for it. */
    bool more;
    assert(p->b->n > 0 && p->b->p[p->b->n - 1] == '}');
    p->b->n--;
    buf_puts(p->b, ",\"last_run\":");
    size_t before = p->b->n;
    int rc = sync_run_list(&more, p->db, p->tenant_id, it->id, 1, NULL, put_last_run, p, p->err);
    if (rc < 0)
        return rc;
    if (p->b->n == before)
        buf_puts(p->b, "null");
    buf_putc(p->b, '}');
    return 0;
}

static const char *const statuses[] = {
    "draft", "active", "paused", "error", "needs_reauth", "disconnected", NULL,
};

/* The tags a list asks for (each tag=T of the query), checked, without
 * repeats. */
struct tag_filter {
    struct api_ctx *c;
    const char *v[INTEGRATION_FILTER_TAGS_MAX]; /* borrowed from the request */
    size_t n;
};

static int add_tag(void *ctx, const char *name, const char *value)
{
    struct tag_filter *tf = ctx;
    struct err e;

    if (strcmp(name, "tag") != 0)
        return 0;
    if (integration_tag_check(value, &e) < 0) {
        api_error(tf->c, 400, "invalid_parameter", NULL, "tag: %s", e.msg);
        return -1;
    }
    for (size_t i = 0; i < tf->n; i++)
        if (strcmp(tf->v[i], value) == 0)
            return 0;
    if (tf->n == INTEGRATION_FILTER_TAGS_MAX) {
        api_error(tf->c, 400, "invalid_parameter", NULL, "tag: at most %d different tags",
                  INTEGRATION_FILTER_TAGS_MAX);
        return -1;
    }
    tf->v[tf->n++] = value;
    return 0;
}

void api_integrations_list(struct api_ctx *c)
{
    static const char *const params[] = {"status", "connector",   "q",   "include", "limit",
                                         "cursor", "end_user_id", "tag", NULL};
    struct integration_filter f = {0};
    struct tag_filter tf = {.c = c};
    bool more = false;
    struct err e;

    if (api_query_only(c, params) < 0 ||
        api_query_int(c, "limit", API_LIST_DEFAULT, 1, INTEGRATION_LIST_MAX, &f.limit) < 0 ||
        api_query_id(c, "cursor", "int", &f.after) < 0 || http_req_query_each(c->req, add_tag, &tf))
        return;
    f.status = http_req_query(c->req, "status");
    f.connector = http_req_query(c->req, "connector");
    f.q = http_req_query(c->req, "q");
    f.end_user_id = http_req_query(c->req, "end_user_id");
    /* Sorted, so that the same set in another order is the same cache key. */
    f.ntags = integration_tags_sort(tf.v, tf.n);
    f.tags = tf.v;
    const char *include = http_req_query(c->req, "include");
    if (include && strcmp(include, "last_run") != 0) {
        api_error(c, 400, "invalid_parameter", NULL, "include: expected last_run");
        return;
    }
    if (f.q && strlen(f.q) > INTEGRATION_NAME_MAX) {
        api_error(c, 400, "invalid_parameter", NULL, "q: at most %d bytes", INTEGRATION_NAME_MAX);
        return;
    }
    if (f.end_user_id && integration_end_user_id_check(f.end_user_id, &e) < 0) {
        api_error(c, 400, "invalid_parameter", NULL, "end_user_id: %s", e.msg);
        return;
    }
    if (f.connector && !connector_name_ok(f.connector)) {
        api_error(c, 400, "invalid_parameter", NULL,
                  "connector: expected a connector name ([a-z0-9_-], at most %d bytes)",
                  CONNECTOR_NAME_MAX);
        return;
    }
    if (f.status) {
        size_t i = 0;
        while (statuses[i] && strcmp(statuses[i], f.status) != 0)
            i++;
        if (!statuses[i]) {
            api_error(c, 400, "invalid_parameter", NULL,
                      "status: expected draft, active, paused, error, needs_reauth or "
                      "disconnected");
            return;
        }
    }
    /* The version is read before the rows: an answer is then never older
     * than the version it is kept under (api/cache.h). Every part of the
     * key is checked above, so none holds a '|' of its own, but for the
     * end user's id, free text, which goes last and with its length. Tags
     * hold no ','. A search (q is free text) and last runs (runs move on
     * without a version change) are not cached. Tags are shown from their
     * own table, whose triggers move the version as well (migration 0013). */
    bool cached = !include && !f.q && !c->connect;
    if (c->connect) /* its one integration; "" matches none */
        f.id = c->connect->integration_id;
    int64_t version;
    struct buf key;
    if (cached && tenant_data_version(&version, c->db, c->tenant_id, &e) < 0) {
        api_fail(c, &e);
        return;
    }
    buf_init(&key, 0);
    if (cached) {
        buf_printf(&key, "integrations|%s|%lld|%s|%s|%d|%s|", c->tenant_id, (long long)version,
                   f.status ? f.status : "", f.connector ? f.connector : "", f.limit,
                   f.after ? f.after : "");
        for (size_t i = 0; i < f.ntags; i++)
            buf_printf(&key, "%s%s", i ? "," : "", f.tags[i]);
        if (f.end_user_id)
            buf_printf(&key, "|%zu:%s", strlen(f.end_user_id), f.end_user_id);
    }
    struct buf *b = api_reply(c, 200);
    if (cached && api_cache_get(c->api->cache, buf_cstr(&key), b)) {
        buf_dispose(&key);
        return;
    }
    if (db_begin_tenant_read(c->db, c->tenant_id, &e) < 0) {
        buf_dispose(&key);
        api_fail(c, &e);
        return;
    }
    struct page pg = {.b = b};
    if (include) {
        pg.db = c->db;
        pg.tenant_id = c->tenant_id;
        pg.err = &e;
        pg.now = c->now;
    }
    buf_puts(b, "{\"data\":[");
    int rc = integration_list(&more, c->db, c->tenant_id, &f, put_row, &pg, &e);
    db_rollback(c->db); /* read only */
    if (rc < 0) {
        buf_dispose(&key);
        api_fail(c, &e);
        return;
    }
    buf_puts(b, "],\"next_cursor\":");
    buf_put_json_str(b, more ? pg.last : NULL);
    buf_putc(b, '}');
    if (cached && !buf_failed(b) && !buf_failed(&key))
        api_cache_put(c->api->cache, buf_cstr(&key), b->p, b->n);
    buf_dispose(&key);
}

/* The {id} of the path, checked; answers 404 when malformed. */
static const char *path_id(struct api_ctx *c)
{
    const char *id = http_req_param(c->req, "id");
    if (!id_valid(id, "int")) {
        api_error(c, 404, "not_found", NULL,
                  "no such integration (ids look like int_ and 26 characters)");
        return NULL;
    }
    return id;
}

/* Begin the tenant's transaction (read_only: for a request that only
 * reads) and read the integration; answers on failure. */
static int load(struct api_ctx *c, struct integration *it, const char *id, bool read_only)
{
    struct err e;
    int rc = read_only ? db_begin_tenant_read(c->db, c->tenant_id, &e)
                       : db_begin_tenant(c->db, c->tenant_id, &e);
    if (rc < 0 || integration_get(it, c->db, c->tenant_id, id, &e) < 0) {
        db_rollback(c->db);
        api_fail(c, &e);
        return -1;
    }
    return 0;
}

void api_integration_get(struct api_ctx *c)
{
    static const char *const none[] = {NULL};
    struct integration it = {0};
    const char *id;

    if (api_query_only(c, none) < 0 || !(id = path_id(c)) || load(c, &it, id, true) < 0)
        return;
    db_rollback(c->db);
    integration_format(&it, api_reply(c, 200));
    integration_dispose(&it);
}

/* The registry entry of a stored integration's connector; answers 409
 * when the connector is no longer installed. */
static const struct connector *stored_connector(struct api_ctx *c, const struct integration *it)
{
    const struct connector *k = registry_get(c->api->registry, it->connector);
    if (!k)
        api_error(c, 409, "conflict", NULL,
                  "connector \"%s\" is not installed on this server; only delete is possible",
                  it->connector);
    return k;
}

/* "fields" of an update's audit entry: the members the body set. */
static void changed_fields(struct buf *b, struct json_object *body)
{
    size_t n = 0;
    buf_puts(b, "{\"fields\":[");
    for (struct lh_entry *en = lh_table_head(json_object_get_object(body)); en;
         en = lh_entry_next(en)) {
        buf_puts(b, n++ ? "," : "");
        buf_put_json_str(b, (const char *)lh_entry_k(en));
    }
    buf_puts(b, "]}");
}

void api_integration_put(struct api_ctx *c)
{
    static const char *const fields[] = {"connector", "name", "config", "secrets",
                                         "end_user",  "tags", NULL};
    struct json_object *body = NULL, *config, *secrets;
    struct integration it = {0};
    struct labels l = {0};
    const struct connector *k;
    struct buf cfg, data;
    struct err e;
    const char *id;
    int rc;

    if (!(id = path_id(c)) || api_body_object(c, &body, fields) < 0)
        return;
    if (c->connect && api_connect_labels_refused(c, body))
        goto out;
    if (load(c, &it, id, false) < 0 || !(k = stored_connector(c, &it)))
        goto out;
    if (jsonx_has(body, "connector") &&
        (!jsonx_str(jsonx_get(body, "connector")) ||
         jsonx_str_len(jsonx_get(body, "connector")) != strlen(it.connector) ||
         strcmp(jsonx_str(jsonx_get(body, "connector")), it.connector) != 0)) {
        api_invalid_field(c, "/connector", "cannot change (it is \"%s\"); create a new integration",
                          it.connector);
        goto out;
    }
    config = jsonx_get(body, "config");
    secrets = jsonx_get(body, "secrets");
    if (!body_ok(c, k, body, &l))
        goto out;
    buf_init(&cfg, 0);
    buf_init(&data, 0);
    format_config(&cfg, config);
    changed_fields(&data, body);
    struct integration_change ch = {.name = jsonx_str(jsonx_get(body, "name")),
                                    .config = buf_cstr(&cfg)};
    labels_change(&ch, &l); /* given: replaced; absent: kept, as secrets */
    /* Given secrets replace the stored ones, {} included (checked above). */
    bool has_secrets = jsonx_has(body, "secrets") && k->secrets_schema;
    if (jsonx_has(body, "secrets") && revived_by_secrets(&it) && ready_to_run(k, secrets))
        ch.status = "active";
    rc = integration_update(NULL, c->db, c->tenant_id, id, &ch, c->now, &e);
    if (rc == 0 && has_secrets)
        rc = store_secrets(c, k, id, secrets, &e);
    if (rc == 0 && has_secrets)
        rc = connected(c, k, id, secrets, ch.status ? ch.status : it.status, &e);
    if (rc < 0) {
        db_rollback(c->db);
        fail_store(c, &e);
    } else {
        finish(c, 200, id, "integration.update", buf_cstr(&data));
    }
    buf_dispose(&cfg);
    buf_dispose(&data);
out:
    db_rollback(c->db);
    integration_dispose(&it);
    labels_dispose(&l);
    json_object_put(body);
}

/* RFC 7396: apply patch to target. target is owned and consumed (it may be
 * changed in place and returned), patch is borrowed (its members are
 * shared by reference, so it must outlive the result only as json-c
 * counts go); the result is owned. */
static struct json_object *merge_patch(struct json_object *target, struct json_object *patch)
{
    if (!json_object_is_type(patch, json_type_object)) {
        json_object_put(target);
        return json_object_get(patch);
    }
    if (!json_object_is_type(target, json_type_object)) {
        json_object_put(target);
        target = json_object_new_object();
    }
    for (struct lh_entry *en = lh_table_head(json_object_get_object(patch)); en;
         en = lh_entry_next(en)) {
        const char *key = (const char *)lh_entry_k(en);
        struct json_object *v = (struct json_object *)lh_entry_v(en);
        if (!v) {
            json_object_object_del(target, key);
            continue;
        }
        struct json_object *cur = json_object_get(json_object_object_get(target, key));
        json_object_object_add(target, key, merge_patch(cur, v));
    }
    return target;
}

/* Parse stored JSON object text; NULL (after answering) on failure. */
/* Parse stored JSON object text (config, or opened secrets); NULL after
 * answering 500 when it is not one. The parser's message may quote the
 * text, which can be a secret: it is neither logged nor answered. */
static struct json_object *parse_stored(struct api_ctx *c, const char *what, const char *text,
                                        size_t n)
{
    struct json_object *v = NULL;
    struct err e;
    if (jsonx_parse(&v, text, n, n, &e) < 0 || !json_object_is_type(v, json_type_object)) {
        json_object_put(v);
        log_error("stored JSON is not an object", LOG_STR("what", what),
                  LOG_STR("tenant", c->tenant_id));
        api_error(c, 500, "internal", NULL, "internal error; the server log has the details");
        return NULL;
    }
    return v;
}

/* What a client may do with status: pause what runs or failed, resume
 * what it paused. Everything else is inlet's to set: a draft or an
 * integration that needs re-authorising is fixed by connecting it (or, for
 * key-based ones, by sending its secrets), never by flipping its status. */
static bool status_change_ok(struct api_ctx *c, const struct integration *it, const char *to)
{
    const char *from = it->status;
    if (strcmp(to, "paused") == 0) {
        if (strcmp(from, "active") == 0 || strcmp(from, "error") == 0 ||
            strcmp(from, "paused") == 0)
            return true;
        api_error(c, 409, "conflict", NULL, "a %s integration cannot be paused; %s", from,
                  strcmp(from, "draft") == 0 ? "connect it first" : "reconnect it first");
        return false;
    }
    if (strcmp(from, "paused") == 0 || strcmp(from, "active") == 0)
        return true;
    api_error(c, 409, "conflict", NULL, "only a paused integration can be resumed; this one is %s",
              from);
    return false;
}

void api_integration_patch(struct api_ctx *c)
{
    static const char *const fields[] = {"name",     "config", "secrets", "status",
                                         "end_user", "tags",   NULL};
    struct json_object *body = NULL, *config = NULL, *secrets = NULL;
    struct integration it = {0};
    const struct connector *k;
    struct labels l = {0};
    struct problems p;
    struct buf cfg, data;
    struct secret old = {0};
    struct err e;
    const char *id, *status = NULL;
    int rc;

    buf_init(&cfg, 0);
    buf_init(&data, 0);
    if (!(id = path_id(c)) || api_body_object(c, &body, fields) < 0 ||
        (c->connect && api_connect_labels_refused(c, body)))
        goto out;
    if (load(c, &it, id, false) < 0 || !(k = stored_connector(c, &it)))
        goto out;
    problems_init(&p);
    check_name(&p, body, false);
    if (jsonx_has(body, "status")) {
        status = jsonx_str(jsonx_get(body, "status"));
        if (!status || (strcmp(status, "paused") != 0 && strcmp(status, "active") != 0))
            problem(&p, "/status", "must be one of \"active\", \"paused\"");
    }
    if (jsonx_has(body, "config")) {
        struct json_object *patch = jsonx_get(body, "config");
        if (!json_object_is_type(patch, json_type_object)) {
            problem(&p, "/config", "expected an object (a JSON merge patch)");
        } else if ((config = parse_stored(c, "config", it.config, strlen(it.config)))) {
            config = merge_patch(config, patch);
            check_config(&p, k, config, true);
        } else {
            buf_dispose(&p.details);
            goto out;
        }
    }
    if (jsonx_has(body, "secrets")) {
        struct json_object *patch = jsonx_get(body, "secrets");
        if (!json_object_is_type(patch, json_type_object)) {
            problem(&p, "/secrets", "expected an object (a JSON merge patch)");
        } else if (!k->secrets_schema) {
            check_secrets(&p, k, patch); /* only {} passes; nothing is stored */
        } else {
            rc = integration_secrets_open(&old, c->db, c->api->vault, c->tenant_id, id, &e);
            if (rc == ERR_NOTFOUND) {
                secrets = json_object_new_object();
            } else if (rc < 0 ||
                       !(secrets = parse_stored(c, "secrets", (const char *)old.p, old.n))) {
                if (rc < 0)
                    api_fail(c, &e);
                buf_dispose(&p.details);
                goto out;
            }
            secrets = merge_patch(secrets, patch);
            check_secrets(&p, k, secrets);
        }
    }
    check_labels(&p, body, &l);
    if (!no_problems(c, &p) || (status && !status_change_ok(c, &it, status)))
        goto out;
    changed_fields(&data, body);
    if (config)
        jsonx_format(&cfg, config);
    struct integration_change ch = {
        .name = jsonx_str(jsonx_get(body, "name")),
        .config = config ? buf_cstr(&cfg) : NULL,
        .status = status,
    };
    labels_change(&ch, &l);
    if (!status && secrets && revived_by_secrets(&it) && ready_to_run(k, secrets))
        ch.status = "active";
    rc = integration_update(NULL, c->db, c->tenant_id, id, &ch, c->now, &e);
    if (rc == 0 && secrets)
        rc = store_secrets(c, k, id, secrets, &e);
    if (rc == 0 && secrets)
        rc = connected(c, k, id, secrets, ch.status ? ch.status : it.status, &e);
    if (rc < 0) {
        db_rollback(c->db);
        fail_store(c, &e);
        goto out;
    }
    finish(c, 200, id, "integration.patch", buf_cstr(&data));
out:
    db_rollback(c->db);
    secret_dispose(&old);
    json_object_put(config);
    json_object_put(secrets);
    json_object_put(body);
    buf_dispose(&cfg);
    buf_dispose(&data);
    integration_dispose(&it);
    labels_dispose(&l);
}

void api_integration_delete(struct api_ctx *c)
{
    static const char *const params[] = {"purge", NULL};
    const char *id;
    bool purge;
    struct err e;

    if (api_query_only(c, params) < 0 || api_query_bool(c, "purge", false, &purge) < 0 ||
        !(id = path_id(c)))
        return;
    if (purge) { /* the synced data too: purge.c */
        api_integration_purge(c, id);
        return;
    }
    if (db_begin_tenant(c->db, c->tenant_id, &e) < 0 ||
        api_integration_remove(c, id, false, NULL, NULL, &e) < 0 ||
        (c->connect && connect_session_bind(c->db, c->tenant_id, c->connect->id, NULL, &e) < 0) ||
        db_commit(c->db, &e) < 0) {
        db_rollback(c->db);
        api_fail(c, &e);
        return;
    }
    api_reply(c, 204);
}
