/* tests/api/oauth_fx.c - see oauth_fx.h. */
#include "oauth_fx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connectors/registry.h"
#include "core/jsonx.h"

void ofx_start(struct ofx *f, void **state, enum sandbox_provider p)
{
    ofx_start_n(f, state, p, 5);
}

void ofx_start_n(struct ofx *f, void **state, enum sandbox_provider p, size_t records)
{
    struct err e;
    char origin[64];
    f->t = *state;
    f->provider = p;
    f->connector = sandbox_provider_name(p);
    sb_test_start_provider(&f->sb, p, records, 0);
    snprintf(origin, sizeof(origin), "%s", f->sb.base);
    /* Before any request: the registry is read-only once serving. */
    assert_db_ok(registry_set_origin(f->t->reg, f->connector, origin, &e), &e);
    if (sandbox_signing_secret(p))
        assert_db_ok(
            registry_set_signing_secret(f->t->reg, f->connector, sandbox_signing_secret(p), &e),
            &e);
}

void ofx_stop(struct ofx *f)
{
    sb_test_stop(&f->sb);
}

/* Split an absolute URL into origin (out) and path; returns the path. */
const char *ofx_split(const char *url, char *origin, size_t n)
{
    const char *p = strchr(strstr(url, "://") + 3, '/');
    snprintf(origin, n, "%.*s", (int)(p - url), url);
    return p;
}

/* GET an absolute URL with the browser's cookies for it, as a browser
 * navigating there does (it asks for HTML). */
void ofx_browser_get(struct client_reply *r, const struct ofx_browser *b, const char *url)
{
    char origin[128], cookie[600];
    const char *path = ofx_split(url, origin, sizeof(origin));
    struct client_call c = {.path = path};
    size_t h = 0;
    c.headers[h++] = "Accept: text/html,application/xhtml+xml,*/*;q=0.8";
    if (b && (b->session[0] || b->flow_cookie[0])) {
        snprintf(cookie, sizeof(cookie), "Cookie: %s%s%s%s", b->session[0] ? "inlet_session=" : "",
                 b->session, b->session[0] && b->flow_cookie[0] ? "; " : "", b->flow_cookie);
        c.headers[h++] = cookie;
    }
    client_call(r, origin, &c);
    assert_int_equal(r->rc, CURLE_OK);
}

/* Keep the flow cookie an answer sets. */
void ofx_keep_flow_cookie(struct ofx_browser *b, const struct client_reply *r)
{
    char v[300];
    if (!client_header(r, "Set-Cookie", v, sizeof(v)))
        fail_msg("no Set-Cookie on %ld: %s", r->status, buf_cstr(&r->head));
    assert_true(strncmp(v, "inlet_oauth_", 12) == 0);
    assert_non_null(strstr(v, "HttpOnly; SameSite=Lax"));
    assert_non_null(strstr(v, "Path=/api/oauth/"));
    snprintf(b->flow_cookie, sizeof(b->flow_cookie), "%.*s", (int)strcspn(v, ";"), v);
}

void ofx_sign_in(struct ofx *f, struct ofx_browser *b, const char *key)
{
    struct client_reply r;
    char body[256], v[300];
    memset(b, 0, sizeof(*b));
    snprintf(body, sizeof(body), "{\"api_key\":\"%s\"}", key);
    api_test_call(f->t, &r, "POST", "/api/session", NULL, body, NULL);
    assert_int_equal(r.status, 201);
    assert_non_null(client_header(&r, "Set-Cookie", v, sizeof(v)));
    snprintf(b->session, sizeof(b->session), "%.*s", (int)strcspn(v + 14, ";"), v + 14);
    api_test_str(&r, "csrf_token", b->csrf, sizeof(b->csrf));
    client_reply_dispose(&r);
}

/* PUT the sandbox's client as the tenant's Salesforce app. */
void ofx_put_app(struct ofx *f, const char *key)
{
    struct client_reply r;
    char path[128], body[256];
    snprintf(path, sizeof(path), "/api/connectors/%s/app", f->connector);
    snprintf(body, sizeof(body), "{\"client_id\":\"%s\",\"client_secret\":\"%s\"}",
             sandbox_client_id(f->provider), sandbox_client_secret(f->provider));
    api_test_call(f->t, &r, "PUT", path, key, body, NULL);
    if (r.status != 200)
        fail_msg("PUT app: %ld %s", r.status, buf_cstr(&r.body));
    client_reply_dispose(&r);
}

/* The hidden inputs of a consent page, as a form body with the test user
 * and action appended. */
void ofx_form_of(struct buf *out, const char *html, const char *action)
{
    buf_reset(out);
    for (const char *p = strstr(html, "type=\"hidden\""); p; p = strstr(p + 1, "type=\"hidden\"")) {
        const char *n = strstr(p, "name=\""), *v = strstr(p, "value=\"");
        assert_non_null(n);
        assert_non_null(v);
        n += 6, v += 7;
        buf_printf(out, "%.*s=", (int)strcspn(n, "\""), n);
        /* Undo the page's HTML escaping, then percent-encode. */
        struct buf raw;
        buf_init(&raw, 0);
        for (const char *q = v; *q && *q != '"'; q++) {
            static const struct {
                const char *ent;
                char c;
            } ents[] = {
                {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''}};
            bool done = false;
            for (size_t i = 0; i < sizeof(ents) / sizeof(ents[0]) && !done; i++)
                if (strncmp(q, ents[i].ent, strlen(ents[i].ent)) == 0) {
                    buf_putc(&raw, ents[i].c);
                    q += strlen(ents[i].ent) - 1;
                    done = true;
                }
            if (!done)
                buf_putc(&raw, *q);
        }
        buf_put_urlenc(out, raw.p ? raw.p : "", raw.n);
        buf_dispose(&raw);
        buf_putc(out, '&');
    }
    buf_printf(out, "username=user%%40sandbox.inlet.test&password=sandbox&action=%s", action);
}

/* At the provider: open the consent page, submit its form with action
 * ("allow" or "deny"), and return where the provider sends the browser
 * back to (into back). */
void ofx_consent(const char *authorize_url, const char *action, char *back, size_t n)
{
    struct client_reply r;
    char origin[128], path[256], loc[2048];
    struct buf form;

    ofx_browser_get(&r, NULL, authorize_url);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(buf_cstr(&r.body), "<form"));
    buf_init(&form, 0);
    ofx_form_of(&form, buf_cstr(&r.body), action);
    client_reply_dispose(&r);
    const char *p = ofx_split(authorize_url, origin, sizeof(origin));
    snprintf(path, sizeof(path), "%.*s", (int)strcspn(p, "?"), p);
    client_call(
        &r, origin,
        &(struct client_call){.method = "POST",
                              .path = path,
                              .body = form.p,
                              .body_len = form.n,
                              .headers = {"Content-Type: application/x-www-form-urlencoded"}});
    buf_dispose(&form);
    if (r.status != 302 || !client_header(&r, "Location", loc, sizeof(loc)))
        fail_msg("consent %s: %ld %s", action, r.status, buf_cstr(&r.body));
    snprintf(back, n, "%s", loc);
    client_reply_dispose(&r);
}

/* The query value name of url, percent-decoded well enough for ids and
 * codes ([A-Za-z0-9_-] and %XX), into out. NULL when absent. */
const char *ofx_query_of(const char *url, const char *name, char *out, size_t n)
{
    char key[64];
    snprintf(key, sizeof(key), "%s=", name);
    for (const char *p = strchr(url, '?'); p; p = strchr(p + 1, '&')) {
        if (strncmp(p + 1, key, strlen(key)) != 0)
            continue;
        const char *v = p + 1 + strlen(key);
        size_t k = 0;
        for (; *v && *v != '&' && k + 1 < n; v++) {
            if (*v == '%' && v[1] && v[2]) {
                char hex[3] = {v[1], v[2], 0};
                out[k++] = (char)strtol(hex, NULL, 16);
                v += 2;
            } else {
                out[k++] = *v == '+' ? ' ' : *v;
            }
        }
        out[k] = '\0';
        return out;
    }
    return NULL;
}

/* Start a flow from browser b's session: returns the provider URL. */
void ofx_start_ui(struct ofx *f, struct ofx_browser *b, const char *query, char *provider, size_t n)
{
    struct client_reply r;
    char url[512];
    snprintf(url, sizeof(url), "%s/api/oauth/%s/start?%s", f->t->base, f->connector, query);
    ofx_browser_get(&r, b, url);
    if (r.status != 302 || !client_header(&r, "Location", provider, n))
        fail_msg("start: %ld %s", r.status, buf_cstr(&r.body));
    ofx_keep_flow_cookie(b, &r);
    assert_true(strncmp(provider, f->sb.base, strlen(f->sb.base)) == 0);
    client_reply_dispose(&r);
}

/* Come back from the provider to back with browser b; returns the status
 * and, on 302, where inlet sends the browser (into landing). */
long ofx_callback(struct ofx *f, const struct ofx_browser *b, const char *back, char *landing,
                  size_t n)
{
    struct client_reply r;
    char url[2048];
    /* The provider sends the browser to inlet's public URL: this server. */
    snprintf(url, sizeof(url), "%s%s", f->t->base, strstr(back, "/api/oauth/callback"));
    ofx_browser_get(&r, b, url);
    long status = r.status;
    if (status == 302)
        assert_non_null(client_header(&r, "Location", landing, n));
    else
        snprintf(landing, n, "%s", buf_cstr(&r.body));
    client_reply_dispose(&r);
    return status;
}

/* The integration as the API shows it. */
struct json_object *ofx_integration(struct ofx *f, const char *id)
{
    struct client_reply r;
    char path[128];
    snprintf(path, sizeof(path), "/api/integrations/%s", id);
    api_test_call(f->t, &r, "GET", path, f->t->a.key, NULL, NULL);
    assert_int_equal(r.status, 200);
    struct json_object *o = api_test_json(&r);
    client_reply_dispose(&r);
    return o;
}

int64_t ofx_sb_counter(struct ofx *f, const char *name)
{
    struct client_reply r;
    client_call(&r, f->sb.base, &(struct client_call){.path = "/_sandbox/counters"});
    struct json_object *o = api_test_json(&r);
    int64_t v = json_object_get_int64(jsonx_get(o, name));
    json_object_put(o);
    client_reply_dispose(&r);
    return v;
}

/* ---- tests ---- */

/* Connect a new integration of f's connector through the whole flow; its id
 * into id. */
void ofx_connect_new(struct ofx *f, const char *name, char id[ID_MAX])
{
    struct ofx_browser b;
    char q[128], provider[2048], back[2048], landing[2048];
    ofx_put_app(f, f->t->a.key);
    ofx_sign_in(f, &b, f->t->a.key);
    snprintf(q, sizeof(q), "name=%s", name);
    ofx_start_ui(f, &b, q, provider, sizeof(provider));
    ofx_consent(provider, "allow", back, sizeof(back));
    assert_int_equal(ofx_callback(f, &b, back, landing, sizeof(landing)), 302);
    assert_non_null(ofx_query_of(landing, "integration_id", id, ID_MAX));
}

void ofx_sb_faults(struct ofx *f, const char *spec)
{
    struct client_reply r;
    client_call(&r, f->sb.base,
                &(struct client_call){.method = "POST",
                                      .path = "/_sandbox/faults",
                                      .body = spec,
                                      .body_len = strlen(spec),
                                      .headers = {"Content-Type: application/json"}});
    assert_int_equal(r.status, 200);
    client_reply_dispose(&r);
}

/* POST /api/integrations/{id}/<what>; the answer into r. */
void ofx_post_op(struct ofx *f, struct client_reply *r, const char *id, const char *what)
{
    char path[160];
    snprintf(path, sizeof(path), "/api/integrations/%s/%s", id, what);
    api_test_call(f->t, r, "POST", path, f->t->a.key, NULL, NULL);
}

struct json_object *ofx_get_json(struct ofx *f, const char *path)
{
    struct client_reply r;
    api_test_call(f->t, &r, "GET", path, f->t->a.key, NULL, NULL);
    if (r.status != 200)
        fail_msg("GET %s: %ld %s", path, r.status, buf_cstr(&r.body));
    struct json_object *o = api_test_json(&r);
    client_reply_dispose(&r);
    return o;
}
