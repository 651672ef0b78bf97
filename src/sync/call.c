/* sync/call.c - see call.h. */
#include "sync/call.h"

#include <stdio.h>
#include <string.h>

#include "connectors/urls.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/encode.h"
#include "core/jsonx.h"
#include "core/secret.h"
#include "oauth/token.h"

#define AUTH_MAX 8192 /* bytes of an authentication header or query part */

/* The request's credentials, made once and wiped after. */
struct creds {
    struct buf header;    /* "Name: value", or empty */
    struct buf query;     /* "&name=value" for api_key in the query, or empty */
    struct secret access; /* oauth2: the token sent */
};

static void creds_init(struct creds *k)
{
    memset(k, 0, sizeof(*k));
    buf_init(&k->header, AUTH_MAX);
    buf_reserve(&k->header, AUTH_MAX);
    buf_init(&k->query, AUTH_MAX);
    buf_reserve(&k->query, AUTH_MAX);
}

static void creds_dispose(struct creds *k)
{
    secret_wipe(k->header.p, k->header.cap);
    secret_wipe(k->query.p, k->query.cap);
    buf_dispose(&k->header);
    buf_dispose(&k->query);
    secret_dispose(&k->access);
}

/* The integration's opened secrets (api_key, basic), parsed. */
static int secrets_of(struct json_object **out, const struct oauth_env *env,
                      const struct integration *it, struct err *err)
{
    struct secret plain = {0};
    int rc = db_begin_tenant_read(env->db, it->tenant_id, err);
    if (rc < 0)
        return rc;
    rc = integration_secrets_open(&plain, env->db, env->vault, it->tenant_id, it->id, err);
    db_rollback(env->db);
    if (rc == 0)
        rc = jsonx_parse(out, (const char *)plain.p, plain.n, plain.n + 1, err);
    secret_dispose(&plain);
    return rc;
}

/* Fill k for c's auth; stale: the OAuth token a 401 just refused. */
static int creds_make(struct creds *k, const struct oauth_env *env, const struct integration *it,
                      const struct connector *c, const char *stale, struct err *err)
{
    struct json_object *sec = NULL;
    int rc = 0;

    buf_reset(&k->header);
    buf_reset(&k->query);
    switch (c->auth_kind) {
    case CONNECTOR_AUTH_NONE:
        return 0;
    case CONNECTOR_AUTH_OAUTH2:
        secret_dispose(&k->access);
        rc = oauth_token_get(&k->access, NULL, env, it->tenant_id, it->id, stale, false, err);
        if (rc == 0)
            buf_printf(&k->header, "Authorization: Bearer %s", (const char *)k->access.p);
        return rc;
    case CONNECTOR_AUTH_BASIC: {
        if ((rc = secrets_of(&sec, env, it, err)) < 0)
            return rc;
        struct buf pair;
        buf_init(&pair, AUTH_MAX);
        buf_reserve(&pair, AUTH_MAX);
        buf_printf(&pair, "%s:%s", jsonx_str(jsonx_get(sec, "username")),
                   jsonx_str(jsonx_get(sec, "password")));
        char *b64 = xmalloc(ENCODE_B64_LEN(pair.n) + 1);
        encode_b64_format(b64, pair.p, pair.n);
        buf_printf(&k->header, "Authorization: Basic %s", b64);
        secret_wipe(b64, strlen(b64));
        xfree(b64);
        secret_wipe(pair.p, pair.cap);
        buf_dispose(&pair);
        break;
    }
    case CONNECTOR_AUTH_API_KEY: {
        if ((rc = secrets_of(&sec, env, it, err)) < 0)
            return rc;
        const char *field = jsonx_str(jsonx_get(c->auth, "secret"));
        field = field ? field : c->secret_names[0];
        const char *value = jsonx_str(jsonx_get(sec, field));
        const char *prefix = jsonx_str(jsonx_get(c->auth, "prefix"));
        const char *name = jsonx_str(jsonx_get(c->auth, "name"));
        const char *in = jsonx_str(jsonx_get(c->auth, "in"));
        if (!value) {
            rc = err_set(err, ERR_NOTFOUND, "integration %s has no %s: set its secrets", it->id,
                         field);
        } else if (in && strcmp(in, "query") == 0) {
            buf_printf(&k->query, "%s=", name);
            buf_put_urlenc(&k->query, value, strlen(value));
        } else {
            buf_printf(&k->header, "%s: %s%s", name, prefix ? prefix : "", value);
        }
        break;
    }
    }
    json_object_put(sec);
    if (rc == 0 && (buf_failed(&k->header) || buf_failed(&k->query)))
        rc = err_set(err, ERR_TOOBIG, "credentials too long for a request");
    return rc;
}

/* base_url + path, with the api_key query part; into url (wiped by the
 * caller when it holds a key). */
static int url_make(struct buf *url, const struct integration *it, const struct connector *c,
                    const char *path, const struct creds *k, struct err *err)
{
    struct json_object *cfg = NULL, *conn = NULL;
    int rc = jsonx_parse(&cfg, it->config, strlen(it->config), strlen(it->config) + 1, err);
    if (rc == 0)
        rc = jsonx_parse(&conn, it->connection, strlen(it->connection), strlen(it->connection) + 1,
                         err);
    if (rc == 0)
        rc = connector_url(url, c, "/base_url", cfg, jsonx_get(conn, "metadata"), err);
    if (rc == 0) {
        buf_puts(url, path);
        if (k->query.n)
            buf_printf(url, "%c%s", strchr(path, '?') ? '&' : '?', buf_cstr(&k->query));
    }
    json_object_put(cfg);
    json_object_put(conn);
    return rc;
}

static int send_once(struct fetch_resp *out, const struct integration *it,
                     const struct connector *c, const struct connector_req *req,
                     const struct creds *k, struct err *err)
{
    struct buf url, ctype;
    buf_init(&url, 0);
    buf_reserve(&url, 4096);
    buf_init(&ctype, 0);
    int rc = url_make(&url, it, c, req->path, k, err);
    if (rc == 0) {
        struct fetch_req f = {.method = req->method,
                              .url = buf_cstr(&url),
                              .body = req->body,
                              .body_len = req->body_len,
                              .timeout_ms = req->timeout_ms,
                              .body_max = req->body_max,
                              .headers = {"Accept: application/json"}};
        size_t h = 1;
        if (k->header.n)
            f.headers[h++] = buf_cstr(&k->header);
        if (req->content_type) {
            buf_printf(&ctype, "Content-Type: %s", req->content_type);
            f.headers[h++] = buf_cstr(&ctype);
        }
        rc = fetch(out, &f, err);
    } else {
        memset(out, 0, sizeof(*out));
    }
    secret_wipe(url.p, url.cap);
    buf_dispose(&url);
    buf_dispose(&ctype);
    return rc;
}

/* Whether r says the token is no good: a 401, or for APIs that answer 200
 * with the error in the body (the file's auth_error), one of its values. */
static bool unauthorized(const struct connector *c, const struct fetch_resp *r)
{
    struct json_object *spec = jsonx_get(c->doc, "auth_error"), *o = NULL;
    struct err e;
    bool bad = false;

    if (r->status == 401)
        return true;
    if (!spec || r->status != 200 ||
        jsonx_parse(&o, r->body.p ? r->body.p : "", r->body.n, r->body.n + 1, &e) < 0)
        return false;
    const char *v = jsonx_str(jsonx_get(o, jsonx_str(jsonx_get(spec, "member"))));
    struct json_object *values = jsonx_get(spec, "values");
    for (size_t i = 0; v && i < jsonx_len(values) && !bad; i++)
        bad = strcmp(v, jsonx_str(jsonx_at(values, i))) == 0;
    json_object_put(o);
    return bad;
}

int connector_call(struct fetch_resp *out, const struct oauth_env *env,
                   const struct integration *it, const struct connector *c,
                   const struct connector_req *req, struct err *err)
{
    struct creds k;
    creds_init(&k);
    memset(out, 0, sizeof(*out));
    int rc = creds_make(&k, env, it, c, NULL, err);
    if (rc == 0)
        rc = send_once(out, it, c, req, &k, err);
    /* A 401 to an OAuth token: one refresh (unless another caller did it
     * already), one retry. */
    if (rc == 0 && c->auth_kind == CONNECTOR_AUTH_OAUTH2 && unauthorized(c, out)) {
        struct secret stale = k.access;
        k.access = (struct secret){0};
        rc = creds_make(&k, env, it, c, (const char *)stale.p, err);
        secret_dispose(&stale);
        if (rc == 0) {
            fetch_resp_dispose(out);
            rc = send_once(out, it, c, req, &k, err);
        }
    }
    creds_dispose(&k);
    return rc;
}

static void blank_controls(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < ' ' || *s == 0x7f)
            *s = ' ';
}

void connector_error_summary(char *out, size_t n, const struct fetch_resp *r)
{
    struct json_object *o = NULL;
    struct err e;
    const char *msg = NULL, *code = NULL;

    if (jsonx_parse(&o, r->body.p ? r->body.p : "", r->body.n, r->body.n + 1, &e) == 0) {
        struct json_object *first = json_object_is_type(o, json_type_array) ? jsonx_at(o, 0) : o;
        msg = jsonx_str(jsonx_get(first, "message"));
        code = jsonx_str(jsonx_get(first, "errorCode"));
        if (!msg)
            msg = jsonx_str(jsonx_get(first, "error_description"));
        if (!msg)
            msg = jsonx_str(jsonx_get(first, "error"));
    }
    if (msg)
        snprintf(out, n, "%ld %s%s%.200s", r->status, code ? code : "", code ? ": " : "", msg);
    else
        snprintf(out, n, "the provider answered %ld", r->status);
    blank_controls(out);
    json_object_put(o);
}
