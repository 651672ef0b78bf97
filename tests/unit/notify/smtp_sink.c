/* tests/unit/notify/smtp_sink.c - see smtp_sink.h. Lines are read with a
 * small buffer per connection and a poll timeout, so that a client that
 * stops talking cannot hang the test. */
#include "notify/smtp_sink.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/encode.h"
#include "test.h"

#define IDLE_MS 10000

struct conn {
    int fd;
    char in[8192];
    size_t n;
};

static void say(struct conn *c, const char *line)
{
    size_t n = strlen(line);
    while (n > 0) {
        ssize_t w = write(c->fd, line, n);
        if (w <= 0)
            return;
        line += w;
        n -= (size_t)w;
    }
}

/* The next line without its CRLF into out; -1 when the client went. */
static int line(struct conn *c, char *out, size_t max)
{
    for (;;) {
        char *nl = memchr(c->in, '\n', c->n);
        if (nl) {
            size_t len = (size_t)(nl - c->in) + 1, k = len - 1;
            if (k && c->in[k - 1] == '\r')
                k--;
            snprintf(out, max, "%.*s", (int)k, c->in);
            memmove(c->in, c->in + len, c->n - len);
            c->n -= len;
            return 0;
        }
        if (c->n == sizeof(c->in))
            return -1;
        struct pollfd p = {c->fd, POLLIN, 0};
        if (poll(&p, 1, IDLE_MS) <= 0)
            return -1;
        ssize_t r = read(c->fd, c->in + c->n, sizeof(c->in) - c->n);
        if (r <= 0)
            return -1;
        c->n += (size_t)r;
    }
}

/* The address between '<' and '>' of an SMTP argument. */
static void address(char *out, size_t n, const char *arg)
{
    const char *a = strchr(arg, '<'), *b = a ? strchr(a, '>') : NULL;
    if (!a || !b)
        snprintf(out, n, "%s", arg);
    else
        snprintf(out, n, "%.*s", (int)(b - a - 1), a + 1);
}

/* Check AUTH PLAIN's base64 "\0user\0pass"; records what it carried. */
static bool plain_ok(struct smtp_sink *s, const char *b64, char *user, char *pass)
{
    unsigned char raw[512];
    size_t len = 0;
    struct err e;
    if (strlen(b64) > 600 || encode_b64_parse(raw, &len, b64, strlen(b64), NULL, &e) != 0)
        return false;
    const unsigned char *z1 = memchr(raw, 0, len);
    const unsigned char *z2 = z1 ? memchr(z1 + 1, 0, len - (size_t)(z1 + 1 - raw)) : NULL;
    if (!z2)
        return false;
    snprintf(user, 128, "%.*s", (int)(z2 - z1 - 1), (const char *)z1 + 1);
    snprintf(pass, 128, "%.*s", (int)(len - (size_t)(z2 + 1 - raw)), (const char *)z2 + 1);
    return (!s->user || strcmp(user, s->user) == 0) && (!s->pass || strcmp(pass, s->pass) == 0);
}

static void session(struct smtp_sink *s, int fd)
{
    struct conn c = {.fd = fd};
    struct smtp_msg m;
    char l[1024], user[128] = "", pass[128] = "";
    bool authed = !s->user;

    memset(&m, 0, sizeof(m));
    say(&c, "220 sink ESMTP ready\r\n");
    while (line(&c, l, sizeof(l)) == 0) {
        if (strncasecmp(l, "EHLO", 4) == 0) {
            say(&c, "250-sink\r\n250-AUTH PLAIN\r\n250 8BITMIME\r\n");
        } else if (strncasecmp(l, "HELO", 4) == 0) {
            say(&c, "250 sink\r\n");
        } else if (strncasecmp(l, "AUTH PLAIN", 10) == 0) {
            char arg[1024];
            if (l[10] == ' ' && l[11]) {
                snprintf(arg, sizeof(arg), "%s", l + 11);
            } else {
                say(&c, "334 \r\n");
                if (line(&c, arg, sizeof(arg)) != 0)
                    break;
            }
            if (plain_ok(s, arg, user, pass)) {
                authed = true;
                say(&c, "235 2.7.0 Authentication successful\r\n");
            } else {
                pthread_mutex_lock(&s->mu);
                s->auth_failures++;
                pthread_mutex_unlock(&s->mu);
                say(&c, "535 5.7.8 Authentication credentials invalid\r\n");
            }
        } else if (strncasecmp(l, "MAIL FROM:", 10) == 0) {
            if (!authed) {
                say(&c, "530 5.7.0 Authentication required\r\n");
                continue;
            }
            memset(&m, 0, sizeof(m));
            address(m.from, sizeof(m.from), l + 10);
            say(&c, "250 OK\r\n");
        } else if (strncasecmp(l, "RCPT TO:", 8) == 0) {
            if (m.nrcpt < SMTP_SINK_RCPT)
                address(m.rcpt[m.nrcpt++], sizeof(m.rcpt[0]), l + 8);
            say(&c, "250 OK\r\n");
        } else if (strncasecmp(l, "DATA", 4) == 0) {
            bool refuse;
            pthread_mutex_lock(&s->mu);
            refuse = s->refuse_data > 0;
            if (refuse)
                s->refuse_data--;
            pthread_mutex_unlock(&s->mu);
            if (refuse) {
                char r[64];
                snprintf(r, sizeof(r), "%d Try again later\r\n",
                         s->refuse_code ? s->refuse_code : 451);
                say(&c, r);
                continue;
            }
            say(&c, "354 End data with <CR><LF>.<CR><LF>\r\n");
            struct buf data;
            buf_init(&data, 1 << 20);
            bool done = false;
            while (line(&c, l, sizeof(l)) == 0) {
                if (strcmp(l, ".") == 0) {
                    done = true;
                    break;
                }
                buf_puts(&data, l[0] == '.' ? l + 1 : l);
                buf_puts(&data, "\r\n");
            }
            if (!done) {
                buf_dispose(&data);
                break;
            }
            snprintf(m.user, sizeof(m.user), "%s", user);
            snprintf(m.pass, sizeof(m.pass), "%s", pass);
            m.data = buf_take(&data);
            pthread_mutex_lock(&s->mu);
            if (s->n < SMTP_SINK_MAX)
                s->msgs[s->n++] = m;
            else
                xfree(m.data);
            pthread_mutex_unlock(&s->mu);
            memset(&m, 0, sizeof(m));
            say(&c, "250 OK queued\r\n");
        } else if (strncasecmp(l, "RSET", 4) == 0 || strncasecmp(l, "NOOP", 4) == 0) {
            say(&c, "250 OK\r\n");
        } else if (strncasecmp(l, "QUIT", 4) == 0) {
            say(&c, "221 Bye\r\n");
            break;
        } else {
            say(&c, "502 Command not implemented\r\n");
        }
    }
    close(fd);
}

static void *serve(void *arg)
{
    struct smtp_sink *s = arg;
    for (;;) {
        struct pollfd p[2] = {{s->fd, POLLIN, 0}, {s->stop[0], POLLIN, 0}};
        if (poll(p, 2, -1) < 0 || p[1].revents)
            break;
        int fd = accept(s->fd, NULL, NULL);
        if (fd >= 0)
            session(s, fd);
    }
    return NULL;
}

void smtp_sink_start(struct smtp_sink *s)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);

    pthread_mutex_init(&s->mu, NULL);
    s->fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(s->fd >= 0);
    assert_int_equal(bind(s->fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(s->fd, 16), 0);
    assert_int_equal(getsockname(s->fd, (struct sockaddr *)&a, &len), 0);
    s->port = ntohs(a.sin_port);
    snprintf(s->url, sizeof(s->url), "smtp://127.0.0.1:%d", s->port);
    assert_int_equal(pipe(s->stop), 0);
    assert_int_equal(pthread_create(&s->thread, NULL, serve, s), 0);
    s->running = true;
}

void smtp_sink_stop(struct smtp_sink *s)
{
    if (s->running) {
        assert_int_equal(write(s->stop[1], "x", 1), 1);
        pthread_join(s->thread, NULL);
        s->running = false;
    }
    close(s->fd);
    close(s->stop[0]);
    close(s->stop[1]);
    for (size_t i = 0; i < s->n; i++)
        xfree(s->msgs[i].data);
    pthread_mutex_destroy(&s->mu);
}

size_t smtp_sink_count(struct smtp_sink *s)
{
    pthread_mutex_lock(&s->mu);
    size_t n = s->n;
    pthread_mutex_unlock(&s->mu);
    return n;
}
