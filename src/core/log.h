/* core/log.h - structured logging: one JSON object per line on stderr,
 *   {"ts":"2026-11-22T10:04:05.123Z","level":"info","msg":"...","key":value,...}
 * with typed fields given inline:
 *   log_info("migration applied", LOG_STR("name", n), LOG_INT("version", v));
 *   log_warn("refresh failed", LOG_SECRET("token", &tok), LOG_ERROR(&err));
 * A line is built whole in a bounded buffer and written with one write(2),
 * so lines never interleave. Secrets have their own field kind, which always
 * prints "***". See docs/internals/log.md. Used by everything. */
#ifndef INLET_CORE_LOG_H
#define INLET_CORE_LOG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/secret.h"

/* Not LOG_DEBUG/LOG_INFO/LOG_ERR: <syslog.h> defines those as macros. */
enum log_level {
    LOG_LEVEL_DEBUG = 0,
    LOG_LEVEL_INFO = 1,
    LOG_LEVEL_WARN = 2,
    LOG_LEVEL_ERROR = 3,
};

#define LOG_LINE_MAX   16384 /* bytes per line, the '\n' included */
#define LOG_FIELDS_MAX 32    /* fields per line (asserted) */
#define LOG_KEY_MAX    32    /* bytes per key (asserted) */

enum log_field_kind {
    LOG_FIELD_STR,    /* v.s, n bytes; NULL prints null */
    LOG_FIELD_INT,    /* v.i */
    LOG_FIELD_DOUBLE, /* v.d; NaN and infinities print null */
    LOG_FIELD_BOOL,   /* v.b */
    LOG_FIELD_SECRET, /* v.secret; prints "***", whatever it holds */
    LOG_FIELD_ERR,    /* v.err; prints "<key>":"<msg>","<key>_code":"<code name>" */
};

/* One key and typed value. Build them with the LOG_* macros below rather than
 * by hand: the macros are what keep secrets out of string fields. */
struct log_field {
    const char *key; /* borrowed; a fixed string from code, see log_write */
    enum log_field_kind kind;
    size_t n; /* LOG_FIELD_STR: bytes at v.s, or SIZE_MAX when NUL-terminated */
    union {
        const char *s; /* borrowed */
        int64_t i;
        double d;
        bool b;
        const struct secret *secret; /* borrowed; never read */
        const struct err *err;       /* borrowed */
    } v;
};

/* LOG__CSTR and LOG__SECRETP accept exactly the listed pointer types; any
 * other type is a compile error (not a warning). So a struct secret, a
 * pointer to one, and its bytes (unsigned char *) cannot become a string
 * field or a message: the only way to log a secret is LOG_SECRET, which
 * prints "***". */
#define LOG__CSTR(s_)    _Generic((s_), char * : (s_), const char * : (s_))
#define LOG__SECRETP(p_) _Generic((p_), struct secret * : (p_), const struct secret * : (p_))
#define LOG__ERRP(e_)    _Generic((e_), struct err * : (e_), const struct err * : (e_))

/* The macro parameters end in '_' so that none can match a member name. */

/* A NUL-terminated string (char * or const char *). A NULL pointer prints
 * null; a bare NULL constant is a void * and does not compile. */
#define LOG_STR(k_, s_)                                                                            \
    ((struct log_field){.key = (k_), .kind = LOG_FIELD_STR, .n = SIZE_MAX, .v.s = LOG__CSTR(s_)})
/* len_ bytes at s_, e.g. a struct str slice: LOG_STRN("field", sl.p, sl.n). */
#define LOG_STRN(k_, s_, len_)                                                                     \
    ((struct log_field){.key = (k_), .kind = LOG_FIELD_STR, .n = (len_), .v.s = LOG__CSTR(s_)})
#define LOG_INT(k_, x_)    ((struct log_field){.key = (k_), .kind = LOG_FIELD_INT, .v.i = (x_)})
#define LOG_DOUBLE(k_, x_) ((struct log_field){.key = (k_), .kind = LOG_FIELD_DOUBLE, .v.d = (x_)})
#define LOG_BOOL(k_, x_)   ((struct log_field){.key = (k_), .kind = LOG_FIELD_BOOL, .v.b = (x_)})
/* A const struct secret *; always printed as "***". */
#define LOG_SECRET(k_, p_)                                                                         \
    ((struct log_field){.key = (k_), .kind = LOG_FIELD_SECRET, .v.secret = LOG__SECRETP(p_)})
/* A const struct err *, as "error":"<msg>","error_code":"<err_code_name>". */
#define LOG_ERROR(e_)                                                                              \
    ((struct log_field){.key = "error", .kind = LOG_FIELD_ERR, .v.err = LOG__ERRP(e_)})

/* log_debug/info/warn/error(msg, field...): write one line if the level is
 * enabled. msg is a char * or const char *; zero or more LOG_* fields follow.
 * When the level is disabled nothing after the level check is evaluated, so
 * arguments must not have side effects the caller relies on. These are
 * statements, not expressions. (", ##__VA_ARGS__" is a GNU extension that gcc
 * and clang accept under -std=c11; it lets a call have no fields.) */
#define log_debug(msg_, ...) LOG__EMIT(LOG_LEVEL_DEBUG, msg_, ##__VA_ARGS__)
#define log_info(msg_, ...)  LOG__EMIT(LOG_LEVEL_INFO, msg_, ##__VA_ARGS__)
#define log_warn(msg_, ...)  LOG__EMIT(LOG_LEVEL_WARN, msg_, ##__VA_ARGS__)
#define log_error(msg_, ...) LOG__EMIT(LOG_LEVEL_ERROR, msg_, ##__VA_ARGS__)

/* The array's first element is a placeholder that lets it be non-empty when
 * there are no fields; log_write is given the rest. */
#define LOG__EMIT(level_, msg_, ...)                                                               \
    do {                                                                                           \
        if (log_enabled(level_)) {                                                                 \
            const struct log_field log__fields_[] = {{.key = NULL}, ##__VA_ARGS__};                \
            log_write((level_), LOG__CSTR(msg_), log__fields_ + 1,                                 \
                      sizeof(log__fields_) / sizeof(log__fields_[0]) - 1);                         \
        }                                                                                          \
    } while (0)

/* Lines below `level` are dropped. The default is LOG_LEVEL_INFO. Safe to
 * call at any time from any thread (the level is an atomic). */
void log_set_level(enum log_level level);

/* True when a line at `level` would be written. */
bool log_enabled(enum log_level level);

/* Parse a level name, case-insensitive: "debug", "info", "warn" or "error"
 * (the values INLET_LOG_LEVEL accepts). ERR_INVALID, naming the accepted
 * values, for anything else. */
MUST_CHECK int log_level_parse(enum log_level *out, const char *s, struct err *err);

/* "debug", "info", "warn" or "error". */
const char *log_level_name(enum log_level level);

/* Send lines to fd instead of 2 (stderr); returns the previous fd. The
 * logger never closes it. Meant for tests and for start-up. */
int log_set_fd(int fd);

/* Write one line to the log fd, with the current time, if the level is
 * enabled. The log_* macros call this; call it directly only with a field
 * array built elsewhere. Keys must be fixed strings from code: 1 to
 * LOG_KEY_MAX bytes of A-Z a-z 0-9 _ . - (they are not escaped), and not
 * "ts", "level" or "msg" (all asserted), with at most LOG_FIELDS_MAX fields.
 * msg and string values are escaped. When a line would pass LOG_LINE_MAX,
 * the longest string values (msg included) are cut, each at a UTF-8
 * boundary and followed by "...(truncated, N bytes)", until it fits; no
 * field is dropped. The line is written with one write(2) under a mutex, so
 * lines never interleave, even past PIPE_BUF on a pipe. Write errors are
 * ignored: there is nowhere left to report them. Thread-safe. */
void log_write(enum log_level level, const char *msg, const struct log_field *fields, size_t n);

/* Append to out exactly the line log_write would write for these arguments
 * at instant ts_ms (Unix ms), '\n' included, whatever the level setting.
 * For tests, and for bounded per-run logs kept in the database. */
void log_format(struct buf *out, int64_t ts_ms, enum log_level level, const char *msg,
                const struct log_field *fields, size_t n);

#endif
