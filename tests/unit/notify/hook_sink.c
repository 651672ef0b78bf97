/* tests/unit/notify/hook_sink.c - see hook_sink.h. */
#include "notify/hook_sink.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/alloc.h"
#include "test.h"

static void copy_header(char *out, size_t n, const struct http_req *req, const char *name)
{
    const char *v = http_req_header(req, name);
    snprintf(out, n, "%s", v ? v : "");
}

static void on_post(struct http_req *req, struct http_resp *resp)
{
    struct hook_sink *s = req->app;
    int status = 200;

    pthread_mutex_lock(&s->mu);
    if (s->n < HOOK_SINK_MAX) {
        struct hook_req *r = &s->reqs[s->n];
        snprintf(r->path, sizeof(r->path), "%s", req->path);
        r->body = xstrndup(req->body, req->body_len);
        r->n = req->body_len;
        copy_header(r->id, sizeof(r->id), req, "webhook-id");
        copy_header(r->ts, sizeof(r->ts), req, "webhook-timestamp");
        copy_header(r->sig, sizeof(r->sig), req, "webhook-signature");
    }
    if ((int)s->n < s->fail_first)
        status = s->fail_status ? s->fail_status : 500;
    s->n++;
    pthread_mutex_unlock(&s->mu);
    resp->status = status;
    resp->content_type = "text/plain";
    buf_puts(&resp->body, status == 200 ? "ok" : "no_service");
}

static const struct http_route routes[] = {
    {"POST", "/{path...}", on_post, NULL},
};

void hook_sink_start(struct hook_sink *s)
{
    struct err e;
    memset(s, 0, sizeof(*s));
    pthread_mutex_init(&s->mu, NULL);
    struct http_server_opts o = {
        .host = "127.0.0.1", .threads = 4, .routes = routes, .nroutes = 1, .app = s};
    if (http_server_start(&s->srv, &o, &e) != 0)
        fail_msg("hook sink: %s", e.msg);
    snprintf(s->base, sizeof(s->base), "http://127.0.0.1:%d", http_server_port(s->srv));
}

void hook_sink_stop(struct hook_sink *s)
{
    http_server_stop(s->srv, 2000);
    for (size_t i = 0; i < s->n && i < HOOK_SINK_MAX; i++)
        xfree(s->reqs[i].body);
    pthread_mutex_destroy(&s->mu);
}

size_t hook_sink_count(struct hook_sink *s)
{
    pthread_mutex_lock(&s->mu);
    size_t n = s->n;
    pthread_mutex_unlock(&s->mu);
    return n;
}

int hook_sink_silent(int *port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(fd, 16), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    *port = ntohs(a.sin_port);
    return fd;
}
