/* sync/run_log.c - see run_log.h. The tail drops its oldest lines by
 * moving an offset, and is compacted only once the dead part is as big as
 * the live one, so a tap that prints a million lines costs no more than
 * copying them once or twice. */
#include "sync/run_log.h"

#include <string.h>

#include "core/str.h"
#include "core/time.h"

void run_log_init(struct run_log *g)
{
    memset(g, 0, sizeof(*g));
    buf_init(&g->head, 0);
    buf_init(&g->tail, 0);
    buf_init(&g->line, 0);
}

void run_log_dispose(struct run_log *g)
{
    buf_dispose(&g->head);
    buf_dispose(&g->tail);
    buf_dispose(&g->line);
}

/* msg made storable: cut on a character boundary, controls as spaces,
 * bytes that are not UTF-8 as '?'. */
static void clean(struct buf *out, const char *msg, size_t n)
{
    size_t i = 0, kept = 0;
    while (i < n && kept < RUN_LOG_LINE_MAX) {
        unsigned char c = (unsigned char)msg[i];
        size_t k = str_utf8_seq(msg + i, n - i);
        if (k == 0) {
            buf_putc(out, '?');
            i++;
            kept++;
            continue;
        }
        if (kept + k > RUN_LOG_LINE_MAX)
            break;
        if (k == 1 && (c < 0x20 || c == 0x7f))
            buf_putc(out, ' ');
        else
            buf_put(out, msg + i, k);
        i += k;
        kept += k;
    }
    if (i < n)
        buf_puts(out, "...");
}

void run_log_add(struct run_log *g, int64_t unix_ms, const char *level, const char *source,
                 const char *msg, size_t n)
{
    char at[TIME_RFC3339_MAX];
    struct buf text;

    time_format_rfc3339(at, unix_ms);
    buf_init(&text, 0);
    clean(&text, msg, n);
    buf_reset(&g->line);
    buf_puts(&g->line, "{\"at\":\"");
    buf_puts(&g->line, at);
    buf_puts(&g->line, "\",\"level\":");
    buf_put_json_str(&g->line, level);
    buf_puts(&g->line, ",\"source\":");
    buf_put_json_str(&g->line, source);
    buf_puts(&g->line, ",\"message\":");
    buf_put_json_str(&g->line, buf_cstr(&text));
    buf_puts(&g->line, "}\n");
    buf_dispose(&text);

    if (g->tail.n == 0 && g->head.n + g->line.n <= RUN_LOG_HEAD_MAX) {
        buf_put(&g->head, g->line.p, g->line.n);
        return;
    }
    buf_put(&g->tail, g->line.p, g->line.n);
    /* Drop whole lines from the front until the tail fits. */
    while (g->tail.n - g->tail_off > RUN_LOG_TAIL_MAX) {
        const char *nl = memchr(g->tail.p + g->tail_off, '\n', g->tail.n - g->tail_off);
        g->tail_off = (size_t)(nl - g->tail.p) + 1;
        g->dropped++;
    }
    if (g->tail_off > RUN_LOG_TAIL_MAX) {
        memmove(g->tail.p, g->tail.p + g->tail_off, g->tail.n - g->tail_off);
        g->tail.n -= g->tail_off;
        g->tail_off = 0;
    }
}

void run_log_render(const struct run_log *g, struct buf *out)
{
    buf_put(out, g->head.p ? g->head.p : "", g->head.n);
    if (g->dropped)
        buf_printf(out,
                   "{\"level\":\"warn\",\"source\":\"inlet\",\"message\":\"%lld lines left out "
                   "here: a run log keeps its first and last lines\"}\n",
                   (long long)g->dropped);
    if (g->tail.n > g->tail_off)
        buf_put(out, g->tail.p + g->tail_off, g->tail.n - g->tail_off);
}
