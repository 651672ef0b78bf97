/* singer/tap.h - run a Singer tap (any executable) as a child process and
 * pump its output: stdout line by line to a callback, stderr line by line,
 * scrubbed of secrets, to another. The key idea: secrets travel only in
 * files of a private folder (0700, files 0600, removed after the run), never
 * on the command line or in the environment, and the tap runs in a process
 * group of its own, which is what a timeout, a cancel or a refusal kills,
 * grandchildren included. Used by the Singer connectors' discovery and sync. */
#ifndef INLET_SINGER_TAP_H
#define INLET_SINGER_TAP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

#define TAP_STDERR_LINE_MAX                                                                        \
    4096 /* bytes of a stderr line passed on; longer ones are cut, ending "..." */

struct tap_file {     /* a file the tap reads, passed as FLAG PATH */
    const char *flag; /* "--config", "--catalog", "--properties", "--state" */
    const char *name; /* file name inside the private folder: "config.json" ([A-Za-z0-9._-],
                         asserted; not "." or "..", unique within a run) */
    const char *data; /* contents (may hold secrets); borrowed */
    size_t len;       /* bytes of data */
};

struct tap_spec {
    const char *executable;  /* an absolute path, or a name without '/' looked up in PATH
                                (its absolute entries only); a relative path holding '/' is
                                taken from the current directory */
    const char *const *args; /* NULL-terminated or NULL: arguments right after the executable */
    const struct tap_file *files; /* written mode 0600 into a fresh private 0700 folder, then
                                     passed as FLAG PATH, in order */
    size_t nfiles;
    const char *const *tail_args; /* NULL-terminated or NULL: after the files ("--discover") */
    const char *const *env;       /* NULL-terminated "NAME=value" or NULL: added to the minimal
                                     environment (one with the name of a base variable replaces
                                     it) */
    int64_t timeout_ms;           /* 0: none. Whole run. */
    const char *const *secrets;   /* NULL-terminated or NULL: values replaced by "[redacted]" in
                                     stderr lines (see tap_scrub) */
};

struct tap_io {
    /* One line of stdout without its '\n' (a last line without '\n' is passed
     * too, flagged by complete=false), numbered from 1. line is borrowed for
     * the call and NUL-terminated (line[n] == '\0'; the line itself may hold
     * NULs); n <= SINGER_LINE_MAX (singer/message.h). A negative return stops
     * the run: the tap is killed and tap_run returns that code with err set
     * by the callback. */
    int (*on_stdout)(void *ctx, const char *line, size_t n, size_t lineno, bool complete,
                     struct err *err);
    /* One line of stderr, secrets already scrubbed, cut to TAP_STDERR_LINE_MAX
     * (on a UTF-8 character boundary, then "..."): borrowed, NUL-terminated.
     * A last line without '\n' is passed too. Lines keep coming while a
     * stopped tap is being killed. May be NULL (stderr is then discarded). */
    void (*on_stderr)(void *ctx, const char *line, size_t n);
    /* Polled at least every 250 ms (between reads: a slow callback delays
     * it); true cancels the run. May be NULL. */
    bool (*cancelled)(void *ctx);
    void *ctx;
};

enum tap_end {
    TAP_EXITED,    /* it exited on its own: code is its exit status */
    TAP_SIGNALED,  /* a signal ended it (not one of ours): code is the signal */
    TAP_TIMED_OUT, /* past spec->timeout_ms; killed */
    TAP_CANCELLED, /* io->cancelled said so; killed */
    TAP_STOPPED    /* on_stdout said stop, or a stdout line was too long; killed */
};

struct tap_result {
    enum tap_end end;
    int code;            /* exit status (TAP_EXITED) or signal number (TAP_SIGNALED); 0 otherwise */
    size_t stdout_lines; /* lines passed to on_stdout */
    int64_t stdout_bytes; /* bytes of stdout read until the run stopped, newlines included */
};

/* Run it to the end. Returns 0 when the tap ran (whatever its exit status:
 * see *res), or an error: ERR_NOTFOUND the executable is not found / not
 * executable, or its #! interpreter is missing ("tap executable \"x\": not
 * found"; the message names it, never a file's contents), ERR_IO for
 * folder/file/pipe/fork failures (a folder that cannot be removed after a
 * run included), ERR_TOOBIG for a stdout line longer than SINGER_LINE_MAX
 * ("stdout line N: longer than 16777216 bytes"; res->end = TAP_STOPPED), or
 * the on_stdout callback's negative code (res->end = TAP_STOPPED). *res is
 * zeroed first and filled when the tap was started.
 *
 * The tap gets: argv = executable, args, FLAG PATH per file, tail_args; an
 * environment of PATH (the parent's, or "/usr/local/bin:/usr/bin:/bin"),
 * HOME and TMPDIR (the private folder), LANG=C.UTF-8 and spec->env, nothing
 * else; cwd = the private folder, made by mkdtemp under $TMPDIR (when it is
 * an absolute path; /tmp otherwise) as "inlet-tap-XXXXXX"; stdin from
 * /dev/null; default signal dispositions and an empty signal mask; no other
 * file descriptor.
 *
 * Stopping (timeout, cancel, on_stdout, too long a line): SIGTERM to the
 * tap's process group, SIGKILL 2 s later (the pipes are drained meanwhile).
 * After any end, SIGKILL to the group, so nothing the tap started survives
 * (short of leaving the group); a grandchild holding the pipes open gets 1 s
 * after the tap exits. The folder is then removed whatever happened. No
 * process-wide signal handler is installed; the tap is reaped by pid (a
 * program that ignores SIGCHLD loses exit statuses: ERR_IO). Thread-safe. */
MUST_CHECK int tap_run(const struct tap_spec *spec, const struct tap_io *io,
                       struct tap_result *res, /* OUT */
                       struct err *err);

/* Remove the private folders (ours, named as tap_run names them, under
 * the same $TMPDIR) that a process killed during a run left behind, with
 * the config files, secrets included, in them. A folder's name holds its
 * owner's pid, and only folders whose owner is gone are removed, so any
 * number of inlet processes may share a $TMPDIR (inlet serve calls it at
 * start). *removed (OUT) counts them; ERR_IO when the base cannot be read
 * or a folder cannot be removed (the others still are). */
MUST_CHECK int tap_sweep(size_t *removed, struct err *err);

/* Scrub secrets out of s: appends s[0..n) to out with each secret replaced by
 * "[redacted]". At each position the longest secret that matches there wins,
 * so that one secret containing another is fully hidden; empty strings are
 * skipped; a secret holding '\n' also hides each of its lines of 4 bytes or
 * more, so that it stays hidden in text cut into lines. secrets is
 * NULL-terminated or NULL. Exposed for tests and for callers that scrub other
 * text. */
void tap_scrub(struct buf *out, const char *s, size_t n, const char *const *secrets);

#endif
