/* singer/reader.c - see reader.h. One producer (the thread: read, split
 * into lines, parse) and one consumer (singer_reader_next) share a ring of
 * parsed messages under one mutex. Two things keep the second core from
 * costing more than it gives (measured: the first version was three times
 * slower than parsing in place):
 * - A message is released by the producer, when it reuses the slot, not by
 *   the consumer: glibc's malloc is slow and contended when one thread
 *   frees what another allocated (arena locks, consolidation).
 * - Each side wakes the other only after a run of slots (WAKE), or when it
 *   is about to wait itself, instead of once a message. The thread reads with poll() and read()
 * rather than stdio, so that it can see a stop request while the writer is silent, and so that a
 * line longer than SINGER_LINE_MAX is refused without being buffered whole. */
#include "singer/reader.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/alloc.h"

#define READ_CHUNK ((size_t)256 * 1024)
#define POLL_MS    200 /* how often a silent input checks for a stop */
#define WAKE       (READER_SLOTS / 4)

struct item {
    struct singer_msg m; /* when rc == 0; kept after use until the slot is reused */
    size_t lineno;
    size_t bytes; /* of its line */
    int rc;       /* 0, or the error that ends the stream */
    char msg[ERR_MSG_MAX];
};

struct singer_reader {
    int fd;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t can_put, can_get;
    struct item ring[READER_SLOTS];
    size_t head, count, bytes; /* the waiting items: ring[head], ... */
    bool held;                 /* the consumer holds ring[head - 1] */
    bool done;                 /* nothing more will be put */
    bool stop;                 /* the consumer has gone */
    bool put_waits, get_waits;
    size_t lines; /* read so far (set before done) */
    /* Producer's own. */
    struct jsonx_parser parser;
    char *in; /* bytes read, not yet lines: in[start..n) of cap */
    size_t start, n, cap;
    size_t scan;   /* in[start..scan) holds no '\n' */
    size_t lineno; /* lines read */
    bool threaded;
    /* Consumer's own: the error that ended the stream, repeated. */
    int end_rc;
    char end_msg[ERR_MSG_MAX];
};

/* Hand it over, waiting for room. False when the consumer has gone (it
 * is then disposed here). */
static bool put(struct singer_reader *r, struct item *it)
{
    pthread_mutex_lock(&r->mu);
    while (!r->stop && (r->count + r->held == READER_SLOTS ||
                        (r->count > 0 && r->bytes + it->bytes > READER_BYTES))) {
        if (r->get_waits)
            pthread_cond_signal(&r->can_get);
        r->put_waits = true;
        pthread_cond_wait(&r->can_put, &r->mu);
        r->put_waits = false;
    }
    bool ok = !r->stop;
    size_t at = (r->head + r->count) % READER_SLOTS;
    pthread_mutex_unlock(&r->mu);
    if (!ok) {
        singer_msg_dispose(&it->m);
        return false;
    }
    /* The slot is outside the consumer's range until count grows: release
     * what it held and fill it without the lock. */
    singer_msg_dispose(&r->ring[at].m);
    r->ring[at] = *it;
    pthread_mutex_lock(&r->mu);
    r->count++;
    r->bytes += it->bytes;
    if (r->get_waits && (r->count >= WAKE || r->bytes >= READER_BYTES / 2))
        pthread_cond_signal(&r->can_get);
    pthread_mutex_unlock(&r->mu);
    return true;
}

/* Wake a waiting consumer for what is there, before waiting on input. */
static void flush(struct singer_reader *r)
{
    pthread_mutex_lock(&r->mu);
    if (r->get_waits && r->count > 0)
        pthread_cond_signal(&r->can_get);
    pthread_mutex_unlock(&r->mu);
}

/* The end of the stream: after the items put so far, none. */
static void finish(struct singer_reader *r, size_t lines)
{
    pthread_mutex_lock(&r->mu);
    r->lines = lines;
    r->done = true;
    pthread_cond_signal(&r->can_get);
    pthread_mutex_unlock(&r->mu);
}

static bool stopping(struct singer_reader *r)
{
    pthread_mutex_lock(&r->mu);
    bool stop = r->stop;
    pthread_mutex_unlock(&r->mu);
    return stop;
}

enum { LINE_BLANK, LINE_PUT, LINE_END };

/* Parse one line and put it: LINE_PUT, LINE_BLANK (nothing to put), or
 * LINE_END when the stream ends here (a bad line, put as the last item, or
 * the consumer gone). A line over SINGER_LINE_MAX is passed with n =
 * SINGER_LINE_MAX + 1, which the parser refuses by its length alone (even
 * one of white space). */
static int line_put(struct singer_reader *r, const char *line, size_t n)
{
    struct item it = {.lineno = ++r->lineno, .bytes = n};
    struct err e;
    if (n <= SINGER_LINE_MAX && singer_line_blank(line, n))
        return LINE_BLANK;
    it.rc = singer_parse_line(&it.m, &r->parser, line, n, it.lineno, &e);
    if (it.rc < 0)
        memcpy(it.msg, e.msg, sizeof(it.msg));
    return put(r, &it) && it.rc == 0 ? LINE_PUT : LINE_END;
}

/* An error of reading, as the last item. */
static void fail_put(struct singer_reader *r, int rc, const char *msg)
{
    struct item it = {.lineno = r->lineno, .rc = rc};
    snprintf(it.msg, sizeof(it.msg), "reading input: %s", msg);
    (void)put(r, &it);
}

/* Wait until fd is readable (true) or a stop is asked (false). */
static bool wait_input(struct singer_reader *r)
{
    struct pollfd pfd = {.fd = r->fd, .events = POLLIN};
    if (poll(&pfd, 1, 0) > 0)
        return true;
    flush(r);
    for (;;) {
        if (stopping(r))
            return false;
        int k = poll(&pfd, 1, POLL_MS);
        if (k > 0 || (k < 0 && errno != EINTR))
            return true; /* read() says what it is */
    }
}

/* Read and parse until one message is put (true) or the stream ends
 * (false: its last item, if any, is put). */
static bool produce(struct singer_reader *r)
{
    for (;;) {
        char *nl;
        while (r->n > r->scan && (nl = memchr(r->in + r->scan, '\n', r->n - r->scan)) != NULL) {
            size_t start = r->start, end = (size_t)(nl - r->in);
            r->start = r->scan = end + 1;
            int k = line_put(r, r->in + start, end - start);
            if (k != LINE_BLANK)
                return k == LINE_PUT;
        }
        if (r->start > 0)
            memmove(r->in, r->in + r->start, r->n - r->start);
        r->n -= r->start;
        r->start = 0;
        r->scan = r->n;
        if (r->n > SINGER_LINE_MAX) {
            (void)line_put(r, r->in, SINGER_LINE_MAX + 1);
            return false;
        }
        if (!wait_input(r))
            return false;
        if (r->cap - r->n < READ_CHUNK) {
            r->cap = r->n + READ_CHUNK;
            r->in = xrealloc(r->in, r->cap);
        }
        ssize_t k = read(r->fd, r->in + r->n, READ_CHUNK);
        if (k < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (k < 0) {
            fail_put(r, ERR_IO, strerror(errno));
            return false;
        }
        if (k == 0) { /* the end: a last line without its newline counts */
            size_t n = r->n;
            r->n = 0;
            if (n > 0)
                (void)line_put(r, r->in, n);
            return false;
        }
        r->n += (size_t)k;
    }
}

static void *run(void *arg)
{
    struct singer_reader *r = arg;
    while (produce(r))
        ;
    finish(r, r->lineno);
    return NULL;
}

int singer_reader_start(struct singer_reader **out, int fd, bool threaded, struct err *err)
{
    struct singer_reader *r = xcalloc(1, sizeof(*r));
    r->fd = fd;
    r->threaded = threaded;
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->can_put, NULL);
    pthread_cond_init(&r->can_get, NULL);
    jsonx_parser_init(&r->parser, SINGER_LINE_MAX);
    int rc = threaded ? pthread_create(&r->thread, NULL, run, r) : 0;
    if (rc != 0) {
        jsonx_parser_dispose(&r->parser);
        pthread_cond_destroy(&r->can_get);
        pthread_cond_destroy(&r->can_put);
        pthread_mutex_destroy(&r->mu);
        xfree(r);
        return err_set(err, ERR_IO, "starting the reader thread: %s", strerror(rc));
    }
    *out = r;
    return 0;
}

int singer_reader_next(struct singer_reader *r, const struct singer_msg **m, size_t *lineno,
                       struct err *err)
{
    *m = NULL;
    if (r->end_rc < 0) {
        *lineno = 0;
        return err_set(err, r->end_rc, "%s", r->end_msg);
    }
    /* Without a thread, the message is parsed here, now, and the one before
     * released at once: its memory is the next one's, still in cache
     * (keeping READER_SLOTS of them alive cost PostgreSQL loads 10%). */
    if (!r->threaded) {
        if (r->held)
            singer_msg_dispose(&r->ring[(r->head + READER_SLOTS - 1) % READER_SLOTS].m);
        if (r->count == 0 && !r->done && !produce(r))
            finish(r, r->lineno);
    }
    pthread_mutex_lock(&r->mu);
    r->held = false; /* the previous message: the producer may reuse its slot */
    if (r->put_waits && r->count <= READER_SLOTS - WAKE)
        pthread_cond_signal(&r->can_put);
    while (r->count == 0 && !r->done) {
        if (r->put_waits)
            pthread_cond_signal(&r->can_put);
        r->get_waits = true;
        pthread_cond_wait(&r->can_get, &r->mu);
        r->get_waits = false;
    }
    if (r->count == 0) {
        *lineno = r->lines;
        pthread_mutex_unlock(&r->mu);
        return 0;
    }
    const struct item *it = &r->ring[r->head];
    r->head = (r->head + 1) % READER_SLOTS;
    r->count--;
    r->bytes -= it->bytes;
    r->held = true;
    pthread_mutex_unlock(&r->mu);
    *lineno = it->lineno;
    if (it->rc < 0) {
        r->end_rc = it->rc;
        memcpy(r->end_msg, it->msg, sizeof(r->end_msg));
        return err_set(err, it->rc, "%s", it->msg);
    }
    *m = &it->m;
    return 1;
}

void singer_reader_free(struct singer_reader *r)
{
    if (!r)
        return;
    pthread_mutex_lock(&r->mu);
    r->stop = true;
    pthread_cond_signal(&r->can_put);
    pthread_mutex_unlock(&r->mu);
    if (r->threaded)
        pthread_join(r->thread, NULL);
    for (size_t i = 0; i < READER_SLOTS; i++)
        singer_msg_dispose(&r->ring[i].m);
    jsonx_parser_dispose(&r->parser);
    xfree(r->in);
    pthread_cond_destroy(&r->can_get);
    pthread_cond_destroy(&r->can_put);
    pthread_mutex_destroy(&r->mu);
    xfree(r);
}
