/* sync/run_log.h - a run's log as it is stored in sync_runs.log: JSON
 * lines {"at":"...","level":"info","source":"tap","message":"..."},
 * bounded whatever the run writes. The first lines and the last ones are
 * what people read (how it started, how it ended), so past the bound the
 * log keeps its head, says how many lines it dropped, and keeps a tail. */
#ifndef INLET_SYNC_RUN_LOG_H
#define INLET_SYNC_RUN_LOG_H
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

#define RUN_LOG_HEAD_MAX 40960 /* bytes of the first lines kept */
#define RUN_LOG_TAIL_MAX 20480 /* bytes of the last lines kept */
#define RUN_LOG_LINE_MAX 2048  /* bytes of one message kept */

struct run_log {
    struct buf head; /* the first lines, up to RUN_LOG_HEAD_MAX */
    struct buf tail; /* the lines after, from tail_off: the last ones */
    size_t tail_off; /* where the kept tail starts in tail */
    int64_t dropped; /* lines dropped from the front of the tail */
    struct buf line; /* scratch for one line */
};

void run_log_init(struct run_log *g);
void run_log_dispose(struct run_log *g);

/* Add one entry at unix_ms. The message is cut to RUN_LOG_LINE_MAX bytes,
 * control characters become spaces and bytes that are not UTF-8 '?', so
 * that any text a tap prints can be stored. level: info, warn, error;
 * source: inlet, tap, loader. */
void run_log_add(struct run_log *g, int64_t unix_ms, const char *level, const char *source,
                 const char *msg, size_t n);

/* The whole log, at most RUN_LOG_HEAD_MAX + RUN_LOG_TAIL_MAX + 200 bytes,
 * into out (appended). */
void run_log_render(const struct run_log *g, struct buf *out);

#endif
