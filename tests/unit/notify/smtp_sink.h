/* tests/unit/notify/smtp_sink.h - a tiny SMTP server for the email
 * channel's tests, on a free loopback port, speaking what libcurl needs
 * of RFC 5321 in clear: EHLO (HELO), AUTH PLAIN (with or without an
 * initial response), MAIL FROM, RCPT TO, DATA, RSET, NOOP, QUIT. It
 * records each message (envelope, credentials used, data as received)
 * and can refuse the first DATA commands with a 4xx or 5xx reply. One
 * connection at a time, on a thread of its own. */
#ifndef INLET_TESTS_SMTP_SINK_H
#define INLET_TESTS_SMTP_SINK_H
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#define SMTP_SINK_MAX  32 /* messages recorded */
#define SMTP_SINK_RCPT 8  /* recipients recorded per message */

struct smtp_msg {
    char from[256];
    char rcpt[SMTP_SINK_RCPT][256];
    int nrcpt;
    char user[128], pass[128]; /* what AUTH PLAIN carried; "" without AUTH */
    char *data;                /* from xmalloc: the DATA lines, dot-unstuffed, CRLF kept */
};

struct smtp_sink {
    int port;
    char url[64]; /* "smtp://127.0.0.1:PORT" */
    /* Settings, before smtp_sink_start. */
    const char *user, *pass; /* when set, AUTH is required and checked (535 otherwise) */
    int refuse_data;         /* refuse this many DATA commands first ... */
    int refuse_code;         /* ... with this reply (0: 451) */
    /* Recorded, under mu. */
    pthread_mutex_t mu;
    struct smtp_msg msgs[SMTP_SINK_MAX];
    size_t n;
    int auth_failures;
    /* Internal. */
    int fd, stop[2];
    pthread_t thread;
    bool running;
};

/* Start s with its settings filled in (the rest zeroed); fails the test
 * on error. */
void smtp_sink_start(struct smtp_sink *s);
void smtp_sink_stop(struct smtp_sink *s);
size_t smtp_sink_count(struct smtp_sink *s);

#endif
