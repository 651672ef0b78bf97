/* tests/unit/http/test_server.c - the HTTP server over real loopback HTTP,
 * libcurl as the client (client.h), no mocks: routing and parameters, the
 * error answers (400, 404, 405, 413, 500) and their JSON shape, bodies,
 * request lookups, response headers, the access log, the metrics, the idle
 * timeout, graceful shutdown with a request in flight, and IPv6. Each test
 * gets a fresh server on 127.0.0.1 and an ephemeral port. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json_object.h>

#include "client.h"
#include "core/alloc.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "http/server.h"
#include "test.h"

#define BODY_MAX 64

static atomic_int echo_calls, lookup_calls, slow_started, slow_done;
static char hello_ctx[] = "hello-ctx";
static int app_marker;

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

static void put_json_str(struct buf *b, const char *s)
{
    if (!s) {
        buf_puts(b, "null");
        return;
    }
    buf_putc(b, '"');
    buf_put_jsonesc(b, s, strlen(s));
    buf_putc(b, '"');
}

/* ---- handlers ---- */

static void h_hello(struct http_req *req, struct http_resp *resp)
{
    resp->status = 200;
    buf_puts(&resp->body, "{\"name\":");
    put_json_str(&resp->body, http_req_param(req, "name"));
    buf_puts(&resp->body, ",\"ip\":");
    put_json_str(&resp->body, req->client_ip);
    buf_puts(&resp->body, ",\"route\":");
    put_json_str(&resp->body, req->route);
    buf_puts(&resp->body, ",\"path\":");
    put_json_str(&resp->body, req->path);
    buf_puts(&resp->body, ",\"method\":");
    put_json_str(&resp->body, req->method);
    buf_puts(&resp->body, ",\"ctx\":");
    put_json_str(&resp->body, req->route_ctx);
    buf_printf(&resp->body, ",\"app\":%s}", req->app == &app_marker ? "true" : "false");
}

static void h_no_content(struct http_req *req, struct http_resp *resp)
{
    (void)req;
    resp->status = 204;
}

static void h_echo(struct http_req *req, struct http_resp *resp)
{
    char n[32];
    atomic_fetch_add(&echo_calls, 1);
    resp->status = 200;
    resp->content_type = "application/octet-stream";
    buf_put(&resp->body, req->body, req->body_len);
    snprintf(n, sizeof(n), "%zu", req->body_len);
    http_resp_header(resp, "X-Body-Len", n);
    http_resp_header(resp, "X-Body-Terminated", req->body[req->body_len] == '\0' ? "yes" : "no");
}

static int count_arg(void *ctx, const char *name, const char *value)
{
    (void)name;
    (void)value;
    ++*(int *)ctx;
    return 0;
}

static int stop_at_second(void *ctx, const char *name, const char *value)
{
    (void)name;
    (void)value;
    return ++*(int *)ctx == 2 ? 7 : 0;
}

static void h_lookup(struct http_req *req, struct http_resp *resp)
{
    static const char *const queries[] = {"q", "k", "flag", "empty", "name", "missing"};
    struct buf *b = &resp->body;
    int count = 0, seen = 0;
    atomic_fetch_add(&lookup_calls, 1);
    resp->status = 200;
    buf_putc(b, '{');
    for (size_t i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
        buf_printf(b, "\"%s\":", queries[i]);
        put_json_str(b, http_req_query(req, queries[i]));
        buf_putc(b, ',');
    }
    buf_puts(b, "\"h\":");
    put_json_str(b, http_req_header(req, "X-Custom"));
    buf_puts(b, ",\"hcase\":");
    put_json_str(b, http_req_header(req, "x-cUSTOM"));
    buf_puts(b, ",\"hmissing\":");
    put_json_str(b, http_req_header(req, "X-Missing"));
    buf_puts(b, ",\"session\":");
    put_json_str(b, http_req_cookie(req, "session"));
    buf_puts(b, ",\"other\":");
    put_json_str(b, http_req_cookie(req, "other"));
    buf_puts(b, ",\"nocookie\":");
    put_json_str(b, http_req_cookie(req, "nope"));
    int rc = http_req_query_each(req, count_arg, &count);
    int stopped = http_req_query_each(req, stop_at_second, &seen);
    buf_printf(b, ",\"count\":%d,\"each_rc\":%d,\"stopped\":%d,\"seen\":%d}", count, rc, stopped,
               seen);
}

static void h_forgot(struct http_req *req, struct http_resp *resp)
{
    (void)req;
    (void)resp;
}

static void h_bad_status(struct http_req *req, struct http_resp *resp)
{
    (void)req;
    resp->status = 42;
    buf_puts(&resp->body, "{}");
}

static void h_headers(struct http_req *req, struct http_resp *resp)
{
    (void)req;
    resp->status = 200;
    buf_puts(&resp->body, "{}");
    http_resp_header(resp, "X-One", "1");
    http_resp_header(resp, "Cache-Control", "max-age=60");
}

static void h_text(struct http_req *req, struct http_resp *resp)
{
    (void)req;
    resp->status = 200;
    resp->content_type = "text/plain; charset=utf-8";
    buf_puts(&resp->body, "hi");
}

static void h_error(struct http_req *req, struct http_resp *resp)
{
    (void)req;
    buf_puts(&resp->body, "partial output that must go");
    http_resp_error(resp, 422, "invalid", "bad \"thing\"\n\\", "[{\"pointer\":\"/name\"}]");
}

static void h_slow(struct http_req *req, struct http_resp *resp)
{
    (void)req;
    atomic_store(&slow_started, 1);
    sleep_ms(400);
    atomic_store(&slow_done, 1);
    resp->status = 200;
    buf_puts(&resp->body, "{\"slow\":true}");
}

static void h_tenant(struct http_req *req, struct http_resp *resp)
{
    snprintf(req->tenant_id, sizeof(req->tenant_id), "%s", http_req_param(req, "t"));
    resp->status = 200;
    buf_puts(&resp->body, "{}");
}

static const struct http_route routes[] = {
    {"GET", "/hello/{name}", h_hello, hello_ctx},
    {"DELETE", "/hello/{name}", h_no_content, NULL},
    {"POST", "/echo", h_echo, NULL},
    {"GET", "/lookup", h_lookup, NULL},
    {"GET", "/forgot", h_forgot, NULL},
    {"GET", "/bad-status", h_bad_status, NULL},
    {"GET", "/headers", h_headers, NULL},
    {"GET", "/text", h_text, NULL},
    {"GET", "/err", h_error, NULL},
    {"GET", "/slow", h_slow, NULL},
    {"GET", "/tenant/{t}", h_tenant, NULL},
};
#define NROUTES (sizeof(routes) / sizeof(routes[0]))

/* ---- fixture ---- */

struct fixture {
    struct http_server *s; /* NULL once a test stopped it */
    char base[64];
    char *logdir; /* set while the log is captured */
    char logpath[512];
    int logfd, oldfd;
};

static int start(struct fixture *f, const char *host, bool access_log)
{
    struct http_server_opts o = {
        .host = host,
        .port = 0,
        .threads = 2,
        .body_max = BODY_MAX,
        .timeout_s = 5,
        .routes = routes,
        .nroutes = NROUTES,
        .app = &app_marker,
        .access_log = access_log,
    };
    struct err err;
    int rc = http_server_start(&f->s, &o, &err);
    if (rc < 0)
        return rc;
    assert_true(http_server_port(f->s) > 0);
    if (strchr(host, ':'))
        snprintf(f->base, sizeof(f->base), "http://[%s]:%d", host, http_server_port(f->s));
    else
        snprintf(f->base, sizeof(f->base), "http://%s:%d", host, http_server_port(f->s));
    return 0;
}

static void log_capture(struct fixture *f)
{
    f->logdir = test_tmpdir();
    assert_non_null(f->logdir);
    snprintf(f->logpath, sizeof(f->logpath), "%s/log", f->logdir);
    f->logfd = open(f->logpath, O_WRONLY | O_CREAT | O_APPEND, 0600);
    assert_true(f->logfd >= 0);
    f->oldfd = log_set_fd(f->logfd);
}

/* The captured log once it holds needle (the server logs a request after
 * its response is out, so the client can be a little ahead). xfree it. */
static char *log_wait(struct fixture *f, const char *needle)
{
    for (int i = 0; i < 500; i++) {
        char *text = test_read_file(f->logpath, NULL);
        if (text && strstr(text, needle))
            return text;
        xfree(text);
        sleep_ms(10);
    }
    fail_msg("log never showed %s", needle);
    return NULL;
}

static int setup_common(void **state, bool access_log)
{
    struct fixture *f = xcalloc(1, sizeof(*f));
    f->logfd = f->oldfd = -1;
    atomic_store(&echo_calls, 0);
    atomic_store(&lookup_calls, 0);
    if (start(f, "127.0.0.1", access_log) < 0) {
        xfree(f);
        return -1;
    }
    *state = f;
    return 0;
}

static int setup(void **state)
{
    return setup_common(state, false);
}

static int setup_logged(void **state)
{
    return setup_common(state, true);
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    http_server_stop(f->s, 1000);
    if (f->logdir) {
        log_set_fd(f->oldfd);
        close(f->logfd);
        test_tmpdir_remove(f->logdir);
        xfree(f->logdir);
    }
    xfree(f);
    return 0;
}

/* ---- helpers ---- */

static struct json_object *parse_body(const struct client_reply *r)
{
    struct json_object *doc = NULL;
    struct err err;
    if (jsonx_parse(&doc, buf_cstr(&r->body), r->body.n, 1 << 20, &err) != 0)
        fail_msg("body is not JSON (%s): %s", err.msg, buf_cstr(&r->body));
    return doc;
}

static void assert_header(const struct client_reply *r, const char *name, const char *want)
{
    char v[256];
    const char *got = client_header(r, name, v, sizeof(v));
    if (!want) {
        if (got)
            fail_msg("header %s: unexpected \"%s\"", name, got);
        return;
    }
    if (!got || strcmp(got, want) != 0)
        fail_msg("header %s: \"%s\", want \"%s\"", name, got ? got : "(absent)", want);
}

/* The shape every error shares; returns the parsed document (put it). */
static struct json_object *assert_error(const struct client_reply *r, long status, const char *code)
{
    assert_int_equal(r->rc, CURLE_OK);
    if (r->status != status)
        fail_msg("status %ld, want %ld: %s", r->status, status, buf_cstr(&r->body));
    assert_header(r, "Content-Type", "application/json");
    assert_header(r, "X-Content-Type-Options", "nosniff");
    assert_header(r, "Cache-Control", "no-store");
    struct json_object *doc = parse_body(r);
    assert_int_equal(json_object_object_length(doc), 1);
    struct json_object *e = jsonx_get(doc, "error");
    assert_int_equal(json_object_object_length(e), 3);
    assert_string_equal(jsonx_str(jsonx_get(e, "code")), code);
    assert_non_null(jsonx_str(jsonx_get(e, "message")));
    assert_true(jsonx_has(e, "details"));
    return doc;
}

static void get(struct client_reply *r, struct fixture *f, const char *path)
{
    client_call(r, f->base, &(struct client_call){.path = path});
}

/* ---- tests ---- */

static void routes_params_and_defaults(void **state)
{
    struct fixture *f = *state;
    struct client_reply r;
    get(&r, f, "/hello/w%C3%B6rld");
    assert_int_equal(r.rc, CURLE_OK);
    assert_int_equal(r.status, 200);
    assert_header(&r, "Content-Type", "application/json");
    assert_header(&r, "Cache-Control", "no-store");
    assert_header(&r, "X-Content-Type-Options", "nosniff");
    struct json_object *doc = parse_body(&r);
    assert_string_equal(jsonx_str(jsonx_get(doc, "name")), "w\xc3\xb6rld");
    assert_string_equal(jsonx_str(jsonx_get(doc, "ip")), "127.0.0.1");
    assert_string_equal(jsonx_str(jsonx_get(doc, "route")), "/hello/{name}");
    assert_string_equal(jsonx_str(jsonx_get(doc, "path")), "/hello/w\xc3\xb6rld");
    assert_string_equal(jsonx_str(jsonx_get(doc, "method")), "GET");
    assert_string_equal(jsonx_str(jsonx_get(doc, "ctx")), "hello-ctx");
    assert_true(json_object_get_boolean(jsonx_get(doc, "app")));
    json_object_put(doc);
    client_reply_dispose(&r);

    /* The query never reaches the path. */
    get(&r, f, "/hello/x?name=y");
    assert_int_equal(r.status, 200);
    doc = parse_body(&r);
    assert_string_equal(jsonx_str(jsonx_get(doc, "path")), "/hello/x");
    assert_string_equal(jsonx_str(jsonx_get(doc, "name")), "x");
    json_object_put(doc);
    client_reply_dispose(&r);

    /* No body: no Content-Type, still nosniff. */
    client_call(&r, f->base, &(struct client_call){.method = "DELETE", .path = "/hello/x"});
    assert_int_equal(r.status, 204);
    assert_int_equal(r.body.n, 0);
    assert_header(&r, "Content-Type", NULL);
    assert_header(&r, "X-Content-Type-Options", "nosniff");
    client_reply_dispose(&r);
}

static void not_found(void **state)
{
    struct fixture *f = *state;
    struct client_reply r;
    get(&r, f, "/nope");
    struct json_object *doc = assert_error(&r, 404, "not_found");
    assert_null(jsonx_get(jsonx_get(doc, "error"), "details"));
    json_object_put(doc);
    client_reply_dispose(&r);

    get(&r, f, "/hello/x/");
    json_object_put(assert_error(&r, 404, "not_found"));
    client_reply_dispose(&r);

    /* With a body: answered without reading it. */
    client_call(&r, f->base, &(struct client_call){.path = "/nope", .body = "x", .body_len = 1});
    json_object_put(assert_error(&r, 404, "not_found"));
    client_reply_dispose(&r);
}

static void method_not_allowed(void **state)
{
    struct fixture *f = *state;
    struct client_reply r;
    client_call(&r, f->base, &(struct client_call){.method = "PATCH", .path = "/hello/x"});
    struct json_object *doc = assert_error(&r, 405, "method_not_allowed");
    assert_header(&r, "Allow", "GET, DELETE");
    struct json_object *allow = jsonx_get(jsonx_get(jsonx_get(doc, "error"), "details"), "allow");
    assert_int_equal(jsonx_len(allow), 2);
    assert_string_equal(jsonx_str(jsonx_at(allow, 0)), "GET");
    assert_string_equal(jsonx_str(jsonx_at(allow, 1)), "DELETE");
    json_object_put(doc);
    client_reply_dispose(&r);

    client_call(
        &r, f->base,
        &(struct client_call){.path = "/echo", .method = "PUT", .body = "{}", .body_len = 2});
    json_object_put(assert_error(&r, 405, "method_not_allowed"));
    assert_header(&r, "Allow", "POST");
    assert_int_equal(atomic_load(&echo_calls), 0);
    client_reply_dispose(&r);
}

static void bad_requests(void **state)
{
    struct fixture *f = *state;
    static const char *const paths[] = {
        "/hello/..",   "/hello/.",   "/hello//x",     "/hello/a%2Fb",   "/hello/%2e%2e",
        "/hello/a%00", "/hello/%zz", "/lookup?q=%zz", "/lookup?a%00=1",
    };
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        struct client_reply r;
        get(&r, f, paths[i]);
        if (r.status != 400)
            fail_msg("%s: status %ld", paths[i], r.status);
        json_object_put(assert_error(&r, 400, "bad_request"));
        client_reply_dispose(&r);
    }
    assert_int_equal(atomic_load(&lookup_calls), 0);

    /* Over HTTP_PATH_MAX bytes of path. */
    char *path = xmalloc(2100);
    memcpy(path, "/hello/", 7);
    memset(path + 7, 'a', 2092);
    path[2099] = '\0';
    struct client_reply r;
    get(&r, f, path);
    struct json_object *doc = assert_error(&r, 400, "bad_request");
    assert_non_null(strstr(jsonx_str(jsonx_get(jsonx_get(doc, "error"), "message")), "2048"));
    json_object_put(doc);
    client_reply_dispose(&r);
    xfree(path);
}

static void body_limits(void **state)
{
    struct fixture *f = *state;
    struct client_reply r;
    char *big = xmalloc(2 << 20);
    memset(big, 'b', 2 << 20);

    /* At the cap: fine. */
    client_call(&r, f->base, &(struct client_call){.path = "/echo", .body = big, .body_len = 64});
    assert_int_equal(r.status, 200);
    assert_header(&r, "X-Body-Len", "64");
    client_reply_dispose(&r);
    assert_int_equal(atomic_load(&echo_calls), 1);

    /* Content-Length over the cap: 413 before any body is read. */
    const size_t sizes[] = {65, 5000, 1 << 20};
    for (size_t i = 0; i < 3; i++) {
        client_call(&r, f->base,
                    &(struct client_call){.path = "/echo", .body = big, .body_len = sizes[i]});
        struct json_object *doc = assert_error(&r, 413, "payload_too_large");
        struct json_object *d = jsonx_get(jsonx_get(doc, "error"), "details");
        assert_int_equal(json_object_get_int64(jsonx_get(d, "max_bytes")), BODY_MAX);
        json_object_put(doc);
        client_reply_dispose(&r);
    }
    assert_int_equal(atomic_load(&echo_calls), 1);

    /* Chunked: counted while it streams. */
    client_call(
        &r, f->base,
        &(struct client_call){.path = "/echo", .body = big, .body_len = 30, .chunked = true});
    assert_int_equal(r.status, 200);
    assert_header(&r, "X-Body-Len", "30");
    client_reply_dispose(&r);
    assert_int_equal(atomic_load(&echo_calls), 2);
    client_call(
        &r, f->base,
        &(struct client_call){.path = "/echo", .body = big, .body_len = 64, .chunked = true});
    assert_int_equal(r.status, 200);
    client_reply_dispose(&r);
    assert_int_equal(atomic_load(&echo_calls), 3);
    client_call(
        &r, f->base,
        &(struct client_call){.path = "/echo", .body = big, .body_len = 65, .chunked = true});
    json_object_put(assert_error(&r, 413, "payload_too_large"));
    client_reply_dispose(&r);
    client_call(
        &r, f->base,
        &(struct client_call){.path = "/echo", .body = big, .body_len = 50000, .chunked = true});
    json_object_put(assert_error(&r, 413, "payload_too_large"));
    client_reply_dispose(&r);
    assert_int_equal(atomic_load(&echo_calls), 3);

    /* A chunked body that never stops is cut off: no 200 and no handler. */
    client_call(
        &r, f->base,
        &(struct client_call){.path = "/echo", .body = big, .body_len = 2 << 20, .chunked = true});
    assert_true(r.rc != CURLE_OK || r.status == 413);
    client_reply_dispose(&r);
    assert_int_equal(atomic_load(&echo_calls), 3);
    xfree(big);
}

static void body_is_nul_terminated(void **state)
{
    struct fixture *f = *state;
    struct client_reply r;
    client_call(&r, f->base,
                &(struct client_call){.path = "/echo", .body = "hello", .body_len = 5});
    assert_int_equal(r.status, 200);
    assert_header(&r, "X-Body-Len", "5");
    assert_header(&r, "X-Body-Terminated", "yes");
    assert_header(&r, "Content-Type", "application/octet-stream");
    assert_header(&r, "Cache-Control", NULL); /* not JSON */
    assert_int_equal(r.body.n, 5);
    assert_memory_equal(r.body.p, "hello", 5);
    client_reply_dispose(&r);

    /* An embedded NUL is data: body_len counts it. */
    client_call(&r, f->base, &(struct client_call){.path = "/echo", .body = "a\0b", .body_len = 3});
    assert_header(&r, "X-Body-Len", "3");
    assert_header(&r, "X-Body-Terminated", "yes");
    assert_int_equal(r.body.n, 3);
    assert_memory_equal(r.body.p, "a\0b", 3);
    client_reply_dispose(&r);

    /* No body at all: "" */
    client_call(&r, f->base, &(struct client_call){.path = "/echo", .body = "", .body_len = 0});
    assert_int_equal(r.status, 200);
    assert_header(&r, "X-Body-Len", "0");
    assert_header(&r, "X-Body-Terminated", "yes");
    client_reply_dispose(&r);
}

static void lookups(void **state)
{
    struct fixture *f = *state;
    struct client_reply r;
    client_call(&r, f->base,
                &(struct client_call){
                    .path = "/lookup?q=a%20b+c&k=%2B&flag&empty=&q=second&n%61me=v%3Dw",
                    .headers = {"X-Custom: v1", "Cookie: session=abc; other=x%20y"},
                });
    assert_int_equal(r.status, 200);
    struct json_object *doc = parse_body(&r);
    assert_string_equal(jsonx_str(jsonx_get(doc, "q")), "a b c"); /* first of two */
    assert_string_equal(jsonx_str(jsonx_get(doc, "k")), "+");
    assert_string_equal(jsonx_str(jsonx_get(doc, "flag")), "");
    assert_string_equal(jsonx_str(jsonx_get(doc, "empty")), "");
    assert_string_equal(jsonx_str(jsonx_get(doc, "name")), "v=w");
    assert_true(jsonx_has(doc, "missing"));
    assert_null(jsonx_get(doc, "missing"));
    assert_string_equal(jsonx_str(jsonx_get(doc, "h")), "v1");
    assert_string_equal(jsonx_str(jsonx_get(doc, "hcase")), "v1");
    assert_null(jsonx_get(doc, "hmissing"));
    assert_string_equal(jsonx_str(jsonx_get(doc, "session")), "abc");
    assert_string_equal(jsonx_str(jsonx_get(doc, "other")), "x%20y"); /* cookies are not decoded */
    assert_null(jsonx_get(doc, "nocookie"));
    assert_int_equal(json_object_get_int(jsonx_get(doc, "count")), 6);
    assert_int_equal(json_object_get_int(jsonx_get(doc, "each_rc")), 0);
    assert_int_equal(json_object_get_int(jsonx_get(doc, "stopped")), 7);
    assert_int_equal(json_object_get_int(jsonx_get(doc, "seen")), 2);
    json_object_put(doc);
    client_reply_dispose(&r);

    /* No query at all. */
    get(&r, f, "/lookup");
    doc = parse_body(&r);
    assert_null(jsonx_get(doc, "q"));
    assert_int_equal(json_object_get_int(jsonx_get(doc, "count")), 0);
    json_object_put(doc);
    client_reply_dispose(&r);
}

static void response_headers(void **state)
{
    struct fixture *f = *state;
    struct client_reply r;
    get(&r, f, "/headers");
    assert_int_equal(r.status, 200);
    assert_header(&r, "X-One", "1");
    assert_header(&r, "Cache-Control", "max-age=60"); /* the handler's, not no-store */
    assert_header(&r, "X-Content-Type-Options", "nosniff");
    assert_header(&r, "Content-Type", "application/json");
    client_reply_dispose(&r);

    get(&r, f, "/text");
    assert_int_equal(r.status, 200);
    assert_header(&r, "Content-Type", "text/plain; charset=utf-8");
    assert_header(&r, "Cache-Control", NULL);
    assert_header(&r, "X-Content-Type-Options", "nosniff");
    assert_string_equal(buf_cstr(&r.body), "hi");
    client_reply_dispose(&r);

    /* http_resp_error replaces what was there and escapes. */
    get(&r, f, "/err");
    struct json_object *doc = assert_error(&r, 422, "invalid");
    struct json_object *e = jsonx_get(doc, "error");
    assert_string_equal(jsonx_str(jsonx_get(e, "message")), "bad \"thing\"\n\\");
    assert_string_equal(jsonx_str(jsonx_get(jsonx_at(jsonx_get(e, "details"), 0), "pointer")),
                        "/name");
    json_object_put(doc);
    client_reply_dispose(&r);
}

static void handler_mistakes_are_500(void **state)
{
    struct fixture *f = *state;
    struct client_reply r;
    log_capture(f);
    get(&r, f, "/forgot");
    json_object_put(assert_error(&r, 500, "internal"));
    client_reply_dispose(&r);
    get(&r, f, "/bad-status");
    json_object_put(assert_error(&r, 500, "internal"));
    client_reply_dispose(&r);
    char *log = log_wait(f, "\"status\":42");
    assert_non_null(strstr(log, "\"msg\":\"http: handler left no answer\",\"route\":\"/forgot\""));
    xfree(log);
}

static void access_log(void **state)
{
    struct fixture *f = *state;
    struct client_reply r;
    log_capture(f);
    client_call(&r, f->base,
                &(struct client_call){
                    .path = "/tenant/ten_1?secret=hunter2",
                    .headers = {"Authorization: Bearer tok123", "Cookie: sid=cookie456"},
                });
    assert_int_equal(r.status, 200);
    client_reply_dispose(&r);
    get(&r, f, "/nope?token=hunter3");
    assert_int_equal(r.status, 404);
    client_reply_dispose(&r);

    char *log = log_wait(f, "\"path\":\"/nope\"");
    assert_non_null(strstr(log, "\"msg\":\"http request\",\"method\":\"GET\","
                                "\"path\":\"/tenant/ten_1\",\"route\":\"/tenant/{t}\","
                                "\"status\":200,\"duration_ms\":"));
    assert_non_null(strstr(log, "\"tenant\":\"ten_1\",\"ip\":\"127.0.0.1\"}\n"));
    assert_non_null(strstr(log, "\"path\":\"/nope\",\"route\":null,\"status\":404,"));
    assert_non_null(strstr(log, "\"tenant\":null,\"ip\":\"127.0.0.1\"}\n"));
    static const char *const secrets[] = {"hunter", "secret",    "token",
                                          "tok123", "cookie456", "Bearer"};
    for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++)
        if (strstr(log, secrets[i]))
            fail_msg("the access log holds \"%s\": %s", secrets[i], log);
    xfree(log);
}

static bool has_line(const char *text, const char *line)
{
    size_t n = strlen(line);
    for (const char *p = text; (p = strstr(p, line)) != NULL; p += n)
        if ((p == text || p[-1] == '\n') && p[n] == '\n')
            return true;
    return false;
}

static void metrics(void **state)
{
    struct fixture *f = *state;
    struct client_reply r;
    const char *calls[][2] = {
        {"GET", "/hello/a"},   {"GET", "/hello/b"},  {"GET", "/nope"},
        {"PATCH", "/hello/a"}, {"BREW", "/hello/a"}, {"GET", "/hello/%zz"},
    };
    for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
        client_call(&r, f->base, &(struct client_call){.method = calls[i][0], .path = calls[i][1]});
        assert_int_equal(r.rc, CURLE_OK);
        client_reply_dispose(&r);
    }
    struct buf b;
    buf_init(&b, 0);
    for (int i = 0; i < 500; i++) {
        buf_reset(&b);
        http_server_metrics(f->s, &b);
        if (has_line(buf_cstr(&b), "inlet_http_request_duration_seconds_count 6"))
            break;
        sleep_ms(10);
    }
    const char *text = buf_cstr(&b);
    static const char *const lines[] = {
        /* Parenthesised: one element written on two lines. */
        ("# HELP inlet_http_requests_total HTTP requests answered, by route pattern, method and "
         "status."),
        "# TYPE inlet_http_requests_total counter",
        "inlet_http_requests_total{route=\"/hello/{name}\",method=\"GET\",status=\"200\"} 2",
        "inlet_http_requests_total{route=\"/hello/{name}\",method=\"PATCH\",status=\"405\"} 1",
        "inlet_http_requests_total{route=\"/hello/{name}\",method=\"other\",status=\"405\"} 1",
        "inlet_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"} 1",
        "inlet_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"400\"} 1",
        "# TYPE inlet_http_request_duration_seconds histogram",
        "inlet_http_request_duration_seconds_bucket{le=\"+Inf\"} 6",
        "inlet_http_request_duration_seconds_count 6",
        "# TYPE inlet_http_open_connections gauge",
    };
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
        if (!has_line(text, lines[i]))
            fail_msg("metrics lack\n%s\nin\n%s", lines[i], text);
    static const char *const les[] = {"0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1",
                                      "0.25",  "0.5",    "1",     "2.5",  "5",     "10"};
    unsigned long long prev = 0, v;
    for (size_t i = 0; i < sizeof(les) / sizeof(les[0]); i++) {
        char want[96];
        snprintf(want, sizeof(want), "inlet_http_request_duration_seconds_bucket{le=\"%s\"} ",
                 les[i]);
        const char *at = strstr(text, want);
        assert_non_null(at);
        assert_int_equal(sscanf(at + strlen(want), "%llu", &v), 1);
        assert_true(v >= prev && v <= 6); /* cumulative */
        prev = v;
    }
    assert_non_null(strstr(text, "\ninlet_http_request_duration_seconds_sum 0."));
    assert_non_null(strstr(text, "\ninlet_http_open_connections "));
    /* The concrete paths never become labels. */
    assert_null(strstr(text, "/hello/a"));
    assert_null(strstr(text, "BREW"));
    buf_dispose(&b);
}

static void idle_timeout(void **state)
{
    (void)state;
    struct http_server_opts o = {
        .host = "127.0.0.1", .threads = 1, .timeout_s = 1, .routes = routes, .nroutes = NROUTES};
    struct http_server *s = NULL;
    struct err err;
    assert_int_equal(http_server_start(&s, &o, &err), 0);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(http_server_port(s))};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    struct timeval tv = {10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    char c;
    assert_int_equal(recv(fd, &c, 1, 0), 0); /* closed by the server, not timed out here */
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    assert_true(secs > 0.5 && secs < 5);
    close(fd);
    http_server_stop(s, 0);
}

struct slow_call {
    const char *base;
    struct client_reply r;
};

static void *slow_thread(void *arg)
{
    struct slow_call *sc = arg;
    client_call(&sc->r, sc->base, &(struct client_call){.path = "/slow"});
    return NULL;
}

static void *stop_thread(void *arg)
{
    http_server_stop(arg, 5000);
    return NULL;
}

static void graceful_stop(void **state)
{
    struct fixture *f = *state;
    struct slow_call sc = {.base = f->base};
    pthread_t a, b;
    atomic_store(&slow_started, 0);
    atomic_store(&slow_done, 0);
    assert_int_equal(pthread_create(&a, NULL, slow_thread, &sc), 0);
    for (int i = 0; i < 5000 && !atomic_load(&slow_started); i++)
        sleep_ms(1);
    assert_true(atomic_load(&slow_started));

    assert_int_equal(pthread_create(&b, NULL, stop_thread, f->s), 0);
    f->s = NULL;
    sleep_ms(100);
    /* Stopping has begun and the slow request is still running: a new
     * connection is refused. */
    struct client_reply probe;
    client_call(&probe, f->base, &(struct client_call){.path = "/hello/x", .timeout_ms = 1000});
    assert_int_equal(probe.rc, CURLE_COULDNT_CONNECT);
    assert_false(atomic_load(&slow_done));
    client_reply_dispose(&probe);

    pthread_join(b, NULL);
    pthread_join(a, NULL);
    assert_true(atomic_load(&slow_done));
    assert_int_equal(sc.r.rc, CURLE_OK);
    assert_int_equal(sc.r.status, 200);
    assert_string_equal(buf_cstr(&sc.r.body), "{\"slow\":true}");
    assert_header(&sc.r, "Connection", "close");
    client_reply_dispose(&sc.r);
    http_server_stop(NULL, 0); /* a no-op */
}

struct hammer {
    const char *base;
    int ok;
};

static void *hammer_thread(void *arg)
{
    struct hammer *h = arg;
    for (int i = 0; i < 25; i++) {
        struct client_reply r;
        client_call(&r, h->base, &(struct client_call){.path = i % 5 ? "/hello/z" : "/nope"});
        h->ok += r.rc == CURLE_OK && r.status == (i % 5 ? 200 : 404);
        client_reply_dispose(&r);
    }
    return NULL;
}

static void concurrent_clients(void **state)
{
    struct fixture *f = *state;
    pthread_t t[4];
    struct hammer h[4];
    for (int i = 0; i < 4; i++) {
        h[i] = (struct hammer){.base = f->base};
        assert_int_equal(pthread_create(&t[i], NULL, hammer_thread, &h[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(h[i].ok, 25);
    }
}

static void ipv6(void **state)
{
    (void)state;
    struct fixture f = {0};
    if (start(&f, "::1", false) == ERR_IO)
        skip(); /* no IPv6 on this machine */
    struct client_reply r;
    get(&r, &f, "/hello/six");
    assert_int_equal(r.rc, CURLE_OK);
    assert_int_equal(r.status, 200);
    struct json_object *doc = parse_body(&r);
    assert_string_equal(jsonx_str(jsonx_get(doc, "ip")), "::1");
    json_object_put(doc);
    client_reply_dispose(&r);
    http_server_stop(f.s, 1000);
}

static void start_errors(void **state)
{
    struct fixture *f = *state;
    struct http_server *s = NULL;
    struct err err;
    const struct http_route bad[] = {{"GET", "/a/{x", h_text, NULL}};
    struct http_server_opts o = {.host = "127.0.0.1", .routes = bad, .nroutes = 1};
    assert_int_equal(http_server_start(&s, &o, &err), ERR_INVALID);
    assert_non_null(strstr(err.msg, "\"/a/{x\""));
    assert_null(s);

    /* The port is taken by the fixture's server. */
    o.routes = routes;
    o.nroutes = NROUTES;
    o.port = http_server_port(f->s);
    assert_int_equal(http_server_start(&s, &o, &err), ERR_IO);
    assert_non_null(strstr(err.msg, "cannot listen on 127.0.0.1 port"));
    if (!strstr(err.msg, "in use"))
        fail_msg("%s", err.msg);
    assert_null(s);

    o.port = 70000;
    assert_int_equal(http_server_start(&s, &o, &err), ERR_INVALID);
}

static int suite_setup(void **state)
{
    (void)state;
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

static int suite_teardown(void **state)
{
    (void)state;
    curl_global_cleanup();
    return 0;
}

int test_server(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(routes_params_and_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(not_found, setup, teardown),
        cmocka_unit_test_setup_teardown(method_not_allowed, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_requests, setup, teardown),
        cmocka_unit_test_setup_teardown(body_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(body_is_nul_terminated, setup, teardown),
        cmocka_unit_test_setup_teardown(lookups, setup, teardown),
        cmocka_unit_test_setup_teardown(response_headers, setup, teardown),
        cmocka_unit_test_setup_teardown(handler_mistakes_are_500, setup, teardown),
        cmocka_unit_test_setup_teardown(access_log, setup_logged, teardown),
        cmocka_unit_test_setup_teardown(metrics, setup, teardown),
        cmocka_unit_test(idle_timeout),
        cmocka_unit_test_setup_teardown(graceful_stop, setup, teardown),
        cmocka_unit_test_setup_teardown(concurrent_clients, setup, teardown),
        cmocka_unit_test(ipv6),
        cmocka_unit_test_setup_teardown(start_errors, setup, teardown),
    };
    return test_group("server", tests, suite_setup, suite_teardown);
}
