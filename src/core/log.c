/* core/log.c - JSON-lines logger. A line is measured before it is built:
 * everything but the string values has a fixed size, and when the strings do
 * not fit in what is left of LOG_LINE_MAX, the room is shared out max-min
 * fairly (short values keep all their bytes, the longest ones share the
 * rest), so a huge value cannot push the others out of the line. */
#include "core/log.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/time.h"

static atomic_int log_level_min = LOG_LEVEL_INFO;
static atomic_int log_fd = 2;
/* One write(2) is atomic on a pipe only up to PIPE_BUF (4096) bytes and may
 * be short; the lock keeps longer lines whole within this process. */
static pthread_mutex_t log_write_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

#define NUM_MAX    32 /* a formatted int64 or double, with room */
#define MARKER_FMT "...(truncated, %zu bytes)"

void log_set_level(enum log_level level)
{
    assert(level >= LOG_LEVEL_DEBUG && level <= LOG_LEVEL_ERROR);
    atomic_store(&log_level_min, (int)level);
}

bool log_enabled(enum log_level level)
{
    return (int)level >= atomic_load_explicit(&log_level_min, memory_order_relaxed);
}

const char *log_level_name(enum log_level level)
{
    assert(level >= LOG_LEVEL_DEBUG && level <= LOG_LEVEL_ERROR);
    return level_names[level];
}

int log_level_parse(enum log_level *out, const char *s, struct err *err)
{
    for (int i = LOG_LEVEL_DEBUG; i <= LOG_LEVEL_ERROR; i++) {
        if (strcasecmp(s, level_names[i]) == 0) {
            *out = (enum log_level)i;
            return 0;
        }
    }
    return err_set(err, ERR_INVALID,
                   "INLET_LOG_LEVEL: unknown level \"%.32s\"; use debug, info, warn or error", s);
}

int log_set_fd(int fd)
{
    return atomic_exchange(&log_fd, fd);
}

/* Bytes buf_put_jsonesc writes for c; must stay in step with core/buf.c. */
static size_t esc_size(unsigned char c)
{
    if (c >= 0x20 && c != '"' && c != '\\')
        return 1;
    if (c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t')
        return 2;
    return 6;
}

/* Escaped size of s[0..n), counting no further than `limit`. */
static size_t esc_len(const char *s, size_t n, size_t limit)
{
    size_t total = 0;
    for (size_t i = 0; i < n && total <= limit; i++)
        total += esc_size((unsigned char)s[i]);
    return total;
}

/* The longest prefix of s whose escaped form fits in room bytes, shortened
 * so as not to split a UTF-8 sequence. */
static size_t cut_point(const char *s, size_t n, size_t room)
{
    size_t i = 0, used = 0;
    while (i < n && used + esc_size((unsigned char)s[i]) <= room)
        used += esc_size((unsigned char)s[i++]);
    for (int back = 0; back < 3 && i > 0 && i < n && ((unsigned char)s[i] & 0xC0) == 0x80; back++)
        i--;
    return i;
}

static bool key_ok(const char *k)
{
    size_t n = strlen(k);
    if (n < 1 || n > LOG_KEY_MAX || strcmp(k, "ts") == 0 || strcmp(k, "level") == 0 ||
        strcmp(k, "msg") == 0)
        return false;
    return strspn(k, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") == n;
}

static void format_double(char out[NUM_MAX], double d)
{
    if (!isfinite(d)) {
        memcpy(out, "null", sizeof("null"));
        return;
    }
    /* The shortest of %.15g..%.17g that reads back as d: 0.1, not
     * 0.10000000000000001. */
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(out, NUM_MAX, "%.*g", prec, d);
        if (strtod(out, NULL) == d)
            break;
    }
    for (char *p = out; *p; p++)
        if (*p == ',') /* a decimal comma from someone's setlocale(LC_NUMERIC) */
            *p = '.';
}

/* A string value: where its bytes are and how much of the line it gets. */
struct piece {
    const char *s; /* borrowed; NULL when the slot holds no string */
    size_t n;      /* bytes */
    size_t esc;    /* escaped size, or more than LOG_LINE_MAX when huge */
    size_t room;   /* escaped bytes it may use, marker included */
    bool cut;      /* over its room: truncated and marked */
};

/* Share `avail` bytes among the pieces: any piece no longer than an equal
 * share keeps its size, the rest split what remains equally. */
static void share_room(struct piece *pc, size_t count, size_t avail)
{
    size_t need = 0, open = 0;
    for (size_t i = 0; i < count; i++) {
        if (!pc[i].s)
            continue;
        pc[i].room = pc[i].esc;
        need += pc[i].esc;
        open++;
    }
    if (need <= avail)
        return;
    bool kept[LOG_FIELDS_MAX + 1] = {false}; /* keeps its full size */
    size_t share = 0;
    for (bool progress = true; progress && open > 0;) {
        progress = false;
        share = avail / open;
        for (size_t i = 0; i < count; i++) {
            if (!pc[i].s || kept[i] || pc[i].esc > share)
                continue;
            kept[i] = true;
            avail -= pc[i].esc;
            open--;
            progress = true;
        }
    }
    for (size_t i = 0; i < count; i++) {
        if (pc[i].s && !kept[i]) {
            pc[i].room = share;
            pc[i].cut = true;
        }
    }
}

static void put_piece(struct buf *b, const struct piece *pc)
{
    buf_putc(b, '"');
    if (!pc->cut) {
        buf_put_jsonesc(b, pc->s, pc->n);
    } else {
        char marker[64];
        int mlen = snprintf(marker, sizeof(marker), MARKER_FMT, pc->n);
        size_t room = pc->room > (size_t)mlen ? pc->room - (size_t)mlen : 0;
        buf_put_jsonesc(b, pc->s, cut_point(pc->s, pc->n, room));
        buf_put(b, marker, (size_t)mlen);
    }
    buf_putc(b, '"');
}

void log_format(struct buf *out, int64_t ts_ms, enum log_level level, const char *msg,
                const struct log_field *fields, size_t n)
{
    assert(msg && n <= LOG_FIELDS_MAX && (n == 0 || fields));
    const char *lname = log_level_name(level);
    char ts[TIME_RFC3339_MAX];
    size_t ts_len = time_format_rfc3339(ts, ts_ms);
    char nums[LOG_FIELDS_MAX][NUM_MAX];
    struct piece pc[LOG_FIELDS_MAX + 1] = {{0}}; /* [0] is msg, [1 + i] field i */

    /* Measure: fixed bytes here, string values in pc[]. */
    size_t fixed = strlen("{\"ts\":\"\",\"level\":\"\",\"msg\":\"\"}\n") + ts_len + strlen(lname);
    pc[0].s = msg;
    pc[0].n = strlen(msg);
    for (size_t i = 0; i < n; i++) {
        const struct log_field *f = &fields[i];
        assert(f->key && key_ok(f->key));
        fixed += strlen(",\"\":") + strlen(f->key);
        switch (f->kind) {
        case LOG_FIELD_STR:
            if (!f->v.s) {
                fixed += 4;
                break;
            }
            pc[1 + i].s = f->v.s;
            pc[1 + i].n = f->n == SIZE_MAX ? strlen(f->v.s) : f->n;
            fixed += 2;
            break;
        case LOG_FIELD_INT:
            snprintf(nums[i], NUM_MAX, "%" PRId64, f->v.i);
            fixed += strlen(nums[i]);
            break;
        case LOG_FIELD_DOUBLE:
            format_double(nums[i], f->v.d);
            fixed += strlen(nums[i]);
            break;
        case LOG_FIELD_BOOL:
            fixed += f->v.b ? 4 : 5;
            break;
        case LOG_FIELD_SECRET:
            fixed += strlen("\"***\"");
            break;
        case LOG_FIELD_ERR:
            assert(f->v.err);
            pc[1 + i].s = f->v.err->msg;
            pc[1 + i].n = strlen(f->v.err->msg);
            fixed += strlen("\"\",\"_code\":\"\"") + strlen(f->key) +
                     strlen(err_code_name(f->v.err->code));
            break;
        }
    }
    for (size_t i = 0; i <= n; i++)
        if (pc[i].s)
            pc[i].esc = esc_len(pc[i].s, pc[i].n, LOG_LINE_MAX);
    /* The asserted limits on keys and fields keep `fixed` near 4 KiB at
     * worst, which leaves every string room for its marker. */
    assert(fixed < LOG_LINE_MAX / 2);
    share_room(pc, n + 1, LOG_LINE_MAX - fixed);

    /* Build. */
    buf_puts(out, "{\"ts\":\"");
    buf_put(out, ts, ts_len);
    buf_puts(out, "\",\"level\":\"");
    buf_puts(out, lname);
    buf_puts(out, "\",\"msg\":");
    put_piece(out, &pc[0]);
    for (size_t i = 0; i < n; i++) {
        const struct log_field *f = &fields[i];
        buf_puts(out, ",\"");
        buf_puts(out, f->key);
        buf_puts(out, "\":");
        switch (f->kind) {
        case LOG_FIELD_STR:
            if (f->v.s)
                put_piece(out, &pc[1 + i]);
            else
                buf_puts(out, "null");
            break;
        case LOG_FIELD_INT:
        case LOG_FIELD_DOUBLE:
            buf_puts(out, nums[i]);
            break;
        case LOG_FIELD_BOOL:
            buf_puts(out, f->v.b ? "true" : "false");
            break;
        case LOG_FIELD_SECRET:
            buf_puts(out, "\"***\"");
            break;
        case LOG_FIELD_ERR:
            put_piece(out, &pc[1 + i]);
            buf_puts(out, ",\"");
            buf_puts(out, f->key);
            buf_puts(out, "_code\":\"");
            buf_puts(out, err_code_name(f->v.err->code));
            buf_putc(out, '"');
            break;
        }
    }
    buf_puts(out, "}\n");
}

void log_write(enum log_level level, const char *msg, const struct log_field *fields, size_t n)
{
    if (!log_enabled(level))
        return;
    int saved_errno = errno; /* callers may log and then look at errno */
    int64_t now = time_now_ms();
    struct buf line;
    buf_init(&line, LOG_LINE_MAX);
    log_format(&line, now, level, msg, fields, n);
    if (buf_failed(&line)) {
        /* Only if the measuring above and core/buf.c's escaping disagree. */
        buf_reset(&line);
        log_format(&line, now, level, "log: line over LOG_LINE_MAX; fields dropped", NULL, 0);
    }

    const char *p = buf_cstr(&line);
    size_t left = line.n;
    int fd = atomic_load(&log_fd);
    pthread_mutex_lock(&log_write_lock);
    while (left > 0) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        p += w;
        left -= (size_t)w;
    }
    pthread_mutex_unlock(&log_write_lock);
    buf_dispose(&line);
    errno = saved_errno;
}
