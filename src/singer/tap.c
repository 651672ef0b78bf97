/* singer/tap.c - run a Singer tap as a child process (see tap.h). Everything
 * the child needs (path, argv, envp, file descriptors, signal sets) is made
 * before fork, so that between fork and exec the child makes only
 * async-signal-safe calls. The parent then pumps: one poll() loop over the
 * two pipes that never blocks elsewhere, so that a timeout, a cancel or a
 * grandchild holding the pipes cannot hang a run. The tap is watched with
 * waitid(WNOWAIT) and reaped only after the last kill of its group: while it
 * is an unreaped zombie its pid, hence the group id, cannot be reused, so
 * kill(-pgid) can only reach what the tap started. */
#define _GNU_SOURCE /* pipe2, close_range */
#include "singer/tap.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/time.h"
#include "singer/message.h"

#define READ_BYTES    ((size_t)64 * 1024) /* one read() of either pipe */
#define TICK_MS       100                 /* longest poll(): cancel and exit checks */
#define TERM_GRACE_MS 2000                /* SIGTERM to SIGKILL */
#define PIPE_GRACE_MS 1000 /* pipes left open by a grandchild, after the tap exited */
#define PIECE_MIN     4    /* shortest line of a multi-line secret hidden on its own */
#define REDACTED      "[redacted]"
#define DEFAULT_PATH  "/usr/local/bin:/usr/bin:/bin"
#define FOLDER_PREFIX "/inlet-tap-" /* then the owner's pid, '-' and mkdtemp's six */

/* ---- scrubbing ---- */

struct secret {
    const char *p; /* borrowed from the caller's list */
    size_t n;
};

struct scrubber {
    struct secret *v; /* longest first; from xmalloc */
    size_t n;
    bool first[256]; /* some secret starts with this byte: the fast path skips the rest */
};

static int longest_first(const void *a, const void *b)
{
    size_t x = ((const struct secret *)a)->n, y = ((const struct secret *)b)->n;
    return (x < y) - (x > y);
}

static void scrubber_add(struct scrubber *sc, size_t *cap, const char *p, size_t n)
{
    if (sc->n == *cap) {
        *cap = *cap ? *cap * 2 : 8;
        sc->v = xrealloc(sc->v, *cap * sizeof(*sc->v));
    }
    sc->v[sc->n].p = p;
    sc->v[sc->n].n = n;
    sc->n++;
    sc->first[(unsigned char)p[0]] = true;
}

static void scrubber_init(struct scrubber *sc, const char *const *secrets)
{
    size_t cap = 0;

    memset(sc, 0, sizeof(*sc));
    for (size_t i = 0; secrets && secrets[i]; i++) {
        const char *s = secrets[i], *end = s + strlen(s);
        if (s == end)
            continue;
        scrubber_add(sc, &cap, s, (size_t)(end - s));
        if (!memchr(s, '\n', (size_t)(end - s)))
            continue;
        /* A multi-line secret (a PEM key) never matches within one line of
         * stderr: each of its lines is hidden instead. */
        for (const char *p = s;;) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t k = (size_t)((nl ? nl : end) - p);
            if (k && p[k - 1] == '\r')
                k--;
            if (k >= PIECE_MIN)
                scrubber_add(sc, &cap, p, k);
            if (!nl)
                break;
            p = nl + 1;
        }
    }
    if (sc->n > 1)
        qsort(sc->v, sc->n, sizeof(*sc->v), longest_first);
}

static void scrubber_dispose(struct scrubber *sc)
{
    xfree(sc->v);
    memset(sc, 0, sizeof(*sc));
}

/* The length of the secret at p (avail bytes known), 0 for none, or -1 when
 * a longer secret than any that matches might still match once more bytes
 * come (only when !final). */
static long match_at(const struct scrubber *sc, const char *p, size_t avail, bool final)
{
    for (size_t i = 0; i < sc->n; i++) {
        const struct secret *s = &sc->v[i];
        if (s->n <= avail) {
            if (memcmp(p, s->p, s->n) == 0)
                return (long)s->n;
        } else if (!final && memcmp(p, s->p, avail) == 0) {
            return -1;
        }
    }
    return 0;
}

/* Append s[0..n) scrubbed to out and return how many bytes of s were used.
 * Not final: bytes that may start a secret are held back (the caller keeps
 * them for the next call); whole-text and piecewise scrubbing then give the
 * same result. Stops early once out would pass limit. */
static size_t scrub_some(struct buf *out, const struct scrubber *sc, const char *s, size_t n,
                         bool final, size_t limit)
{
    size_t i = 0, plain = 0;

    while (i < n) {
        if (out->n + (i - plain) > limit)
            break;
        if (sc->first[(unsigned char)s[i]]) {
            long m = match_at(sc, s + i, n - i, final);
            if (m < 0)
                break;
            if (m > 0) {
                buf_put(out, s + plain, i - plain);
                buf_puts(out, REDACTED);
                i += (size_t)m;
                plain = i;
                continue;
            }
        }
        i++;
    }
    buf_put(out, s + plain, i - plain);
    return i;
}

void tap_scrub(struct buf *out, const char *s, size_t n, const char *const *secrets)
{
    struct scrubber sc;

    scrubber_init(&sc, secrets);
    (void)scrub_some(out, &sc, s, n, true, SIZE_MAX);
    scrubber_dispose(&sc);
}

/* ---- the run ---- */

struct run {
    const struct tap_spec *spec;
    const struct tap_io *io;
    struct tap_result *res;
    struct err *err;
    int rc;          /* first error; 0 while none */
    pid_t pid;       /* the tap, leader of its own process group */
    int fd[2];       /* read ends: [0] stdout, [1] stderr; -1 once closed */
    char *rbuf;      /* READ_BYTES, from xmalloc */
    struct buf line; /* stdout: the start of a line cut by a read */
    size_t lineno;   /* stdout lines passed on */
    struct scrubber sc;
    struct buf eraw;   /* stderr: raw bytes held back (may start a secret) */
    struct buf eout;   /* stderr: the current line, scrubbed */
    bool ebegun;       /* some byte of the current stderr line came */
    bool ecut;         /* it passed TAP_STDERR_LINE_MAX: the rest is dropped */
    bool stopping;     /* res->end is decided: we are killing it */
    bool killed;       /* SIGKILL sent */
    bool exited;       /* it ended (not reaped yet) */
    bool lost;         /* someone else reaped it */
    int64_t term_at;   /* when SIGTERM went, time_mono_ms */
    int64_t exited_at; /* when it was seen ended, plus the time spent in callbacks since */
};

/* The first error wins: its message stays in r->err (the callback's
 * included), later ones are dropped. */
__attribute__((format(printf, 3, 4))) static void fail(struct run *r, int code, const char *fmt,
                                                       ...)
{
    char msg[ERR_MSG_MAX];
    va_list ap;

    if (r->rc != 0)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    r->rc = err_set(r->err, code, "%s", msg);
}

/* The tap's group: assert that it is one, since kill(-1) or kill(0) would
 * reach far more. ESRCH (nobody left) and EPERM (a member changed its
 * credentials) leave nothing for us to do. */
static void group_kill(const struct run *r, int sig)
{
    assert(r->pid > 1);
    (void)kill(-r->pid, sig);
}

static void stop(struct run *r, enum tap_end end, int64_t now)
{
    if (r->stopping)
        return;
    r->stopping = true;
    r->res->end = end;
    if (!r->exited) {
        group_kill(r, SIGTERM);
        r->term_at = now;
    }
}

static void out_line(struct run *r, const char *p, size_t n, bool complete)
{
    int rc;

    r->lineno++;
    r->res->stdout_lines++;
    rc = r->io->on_stdout(r->io->ctx, p, n, r->lineno, complete, r->err);
    if (rc < 0) {
        if (r->rc == 0)
            r->rc = rc; /* the callback has set r->err */
        stop(r, TAP_STOPPED, time_mono_ms());
    }
}

/* Lines wholly inside p go to the callback from there (their '\n' turned
 * into a NUL); only a line cut by a read is copied, into r->line. */
static void out_feed(struct run *r, char *p, size_t n)
{
    if (r->stopping)
        return;
    r->res->stdout_bytes += (int64_t)n;
    while (n > 0 && !r->stopping) {
        char *nl = memchr(p, '\n', n);
        size_t k = nl ? (size_t)(nl - p) : n;
        if (k > SINGER_LINE_MAX - r->line.n) {
            fail(r, ERR_TOOBIG, "stdout line %zu: longer than %u bytes", r->lineno + 1,
                 SINGER_LINE_MAX);
            stop(r, TAP_STOPPED, time_mono_ms());
            return;
        }
        if (r->line.n + k + 1 > r->line.cap && r->line.n + k > SINGER_LINE_MAX / 2)
            buf_reserve(&r->line, SINGER_LINE_MAX); /* one block, not a doubling past it */
        if (!nl) {
            buf_put(&r->line, p, k);
            return;
        }
        if (r->line.n == 0) {
            *nl = '\0';
            out_line(r, p, k, true);
        } else {
            buf_put(&r->line, p, k);
            out_line(r, r->line.p, r->line.n, true);
            buf_reset(&r->line);
        }
        p = nl + 1;
        n -= k + 1;
    }
}

static void err_part(struct run *r, const char *p, size_t n)
{
    size_t used;

    r->ebegun = true;
    if (r->ecut || n == 0)
        return;
    buf_put(&r->eraw, p, n);
    used = scrub_some(&r->eout, &r->sc, r->eraw.p, r->eraw.n, false, TAP_STDERR_LINE_MAX);
    /* Keep what is held back (shorter than the longest secret) at the front. */
    memmove(r->eraw.p, r->eraw.p + used, r->eraw.n - used);
    r->eraw.n -= used;
    r->eraw.p[r->eraw.n] = '\0';
    if (r->eout.n > TAP_STDERR_LINE_MAX) {
        r->ecut = true;
        buf_reset(&r->eraw);
    }
}

static void err_line_end(struct run *r)
{
    struct buf *o = &r->eout;

    if (!r->ecut && r->eraw.n)
        (void)scrub_some(o, &r->sc, r->eraw.p, r->eraw.n, true, TAP_STDERR_LINE_MAX);
    if (o->n > TAP_STDERR_LINE_MAX) {
        size_t cut = TAP_STDERR_LINE_MAX - 3;
        while (cut > 0 && ((unsigned char)o->p[cut] & 0xC0) == 0x80)
            cut--;
        o->n = cut;
        buf_puts(o, "...");
    }
    r->io->on_stderr(r->io->ctx, buf_cstr(o), o->n);
    buf_reset(o);
    buf_reset(&r->eraw);
    r->ebegun = r->ecut = false;
}

static void err_feed(struct run *r, const char *p, size_t n)
{
    if (!r->io->on_stderr)
        return;
    while (n > 0) {
        const char *nl = memchr(p, '\n', n);
        size_t k = nl ? (size_t)(nl - p) : n;
        err_part(r, p, k);
        if (!nl)
            return;
        err_line_end(r);
        p = nl + 1;
        n -= k + 1;
    }
}

/* End of one pipe (EOF, or the run is over): its last line goes on. */
static void pipe_close(struct run *r, int i)
{
    if (r->fd[i] < 0)
        return;
    if (i == 0 && !r->stopping && r->line.n > 0) {
        out_line(r, r->line.p, r->line.n, false);
        buf_reset(&r->line);
    }
    if (i == 1 && r->ebegun && r->io->on_stderr)
        err_line_end(r);
    (void)close(r->fd[i]); /* a read end: nothing was written that close could lose */
    r->fd[i] = -1;
}

static void pipe_read(struct run *r, int i)
{
    ssize_t k = read(r->fd[i], r->rbuf, READ_BYTES);

    if (k > 0) {
        int64_t t0 = r->exited ? time_mono_ms() : 0;
        if (i == 0)
            out_feed(r, r->rbuf, (size_t)k);
        else
            err_feed(r, r->rbuf, (size_t)k);
        /* The grace for pipes left open counts our waiting only: a slow
         * callback draining what the tap wrote before it exited (its last
         * records, its last STATE) must not cut that short. */
        if (r->exited)
            r->exited_at += time_mono_ms() - t0;
        return;
    }
    if (k < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (k < 0) {
        fail(r, ERR_IO, "tap %s: read: %s", i == 0 ? "stdout" : "stderr", strerror(errno));
        stop(r, TAP_STOPPED, time_mono_ms());
    }
    pipe_close(r, i);
}

/* Has the tap ended? Looked at without reaping it (WNOWAIT). */
static bool tap_ended(struct run *r)
{
    siginfo_t si;

    memset(&si, 0, sizeof(si));
    if (waitid(P_PID, (id_t)r->pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0)
        return si.si_pid == r->pid;
    if (errno == ECHILD) { /* reaped behind our back: SIGCHLD ignored, or a waitpid(-1) */
        r->lost = true;
        return true;
    }
    return false; /* EINTR: next time */
}

static int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

static void pump(struct run *r)
{
    const struct tap_io *io = r->io;
    int64_t start = time_mono_ms(), next_cancel = start, idle = 1;
    int64_t deadline = r->spec->timeout_ms > 0 ? start + r->spec->timeout_ms : 0;

    for (;;) {
        int64_t now = time_mono_ms(), wait = TICK_MS;
        struct pollfd pf[2];
        int which[2];
        nfds_t nfds = 0;
        int k;

        if (!r->exited && tap_ended(r)) {
            r->exited = true;
            r->exited_at = now;
        }
        if (deadline && now >= deadline)
            stop(r, TAP_TIMED_OUT, now);
        if (io->cancelled && now >= next_cancel) {
            next_cancel = now + TICK_MS;
            if (io->cancelled(io->ctx))
                stop(r, TAP_CANCELLED, now);
        }
        if (r->stopping && !r->exited && !r->killed && now >= r->term_at + TERM_GRACE_MS) {
            group_kill(r, SIGKILL);
            r->killed = true;
        }
        if (r->exited &&
            (r->stopping || (r->fd[0] < 0 && r->fd[1] < 0) || now >= r->exited_at + PIPE_GRACE_MS))
            break;

        if (deadline && !r->stopping)
            wait = min64(wait, deadline - now);
        if (r->stopping && !r->killed && !r->exited)
            wait = min64(wait, r->term_at + TERM_GRACE_MS - now);
        if (r->exited)
            wait = min64(wait, r->exited_at + PIPE_GRACE_MS - now);
        for (int i = 0; i < 2; i++) {
            if (r->fd[i] < 0)
                continue;
            pf[nfds].fd = r->fd[i];
            pf[nfds].events = POLLIN;
            pf[nfds].revents = 0;
            which[nfds++] = i;
        }
        if (nfds == 0) { /* both pipes closed, the tap still running: wait for it */
            wait = min64(wait, idle);
            idle = min64(idle * 2, TICK_MS);
        }
        k = poll(pf, nfds, (int)(wait > 0 ? wait : 0));
        if (k < 0 && errno != EINTR) {
            fail(r, ERR_IO, "tap: poll: %s", strerror(errno));
            stop(r, TAP_STOPPED, now);
            pipe_close(r, 0);
            pipe_close(r, 1);
            continue;
        }
        for (nfds_t i = 0; k > 0 && i < nfds; i++)
            if (pf[i].revents)
                pipe_read(r, which[i]);
    }
}

/* The last kill, then reap: no grandchild and no zombie outlives the run. */
static void finish(struct run *r)
{
    int status = 0;

    group_kill(r, SIGKILL);
    pipe_close(r, 0);
    pipe_close(r, 1);
    while (!r->lost && waitpid(r->pid, &status, 0) < 0) {
        if (errno != EINTR)
            r->lost = true;
    }
    if (r->lost) {
        fail(r, ERR_IO, "tap: its exit status was taken by another waiter (is SIGCHLD ignored?)");
        return;
    }
    if (r->stopping)
        return;
    if (WIFEXITED(status)) {
        r->res->end = TAP_EXITED;
        r->res->code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        r->res->end = TAP_SIGNALED;
        r->res->code = WTERMSIG(status);
    }
}

/* ---- before the run: executable, folder, files, argv, envp ---- */

/* Regular and executable: 0; otherwise ERR_NOTFOUND naming what it is. */
static int check_executable(const char *path, const char *shown, struct err *err)
{
    struct stat st;

    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return err_set(err, ERR_NOTFOUND, "tap executable \"%s\": not found", shown);
    if (access(path, X_OK) != 0)
        return err_set(err, ERR_NOTFOUND, "tap executable \"%s\": not executable", shown);
    return 0;
}

/* Append the current directory and a '/' to out; -1 with errno on failure. */
static int put_cwd(struct buf *out)
{
    for (size_t size = 256; size <= (1u << 20); size *= 2) {
        char *p = xmalloc(size);
        if (getcwd(p, size)) {
            buf_puts(out, p);
            buf_putc(out, '/');
            xfree(p);
            return 0;
        }
        int e = errno;
        xfree(p);
        errno = e;
        if (e != ERANGE)
            return -1;
    }
    return -1;
}

/* The path to exec, absolute: the tap runs in its folder, not ours. */
static int find_executable(struct buf *out, const char *name, struct err *err)
{
    const char *path = getenv("PATH");
    bool denied = false;

    if (strchr(name, '/')) {
        if (name[0] != '/' && put_cwd(out) != 0)
            return err_set(err, ERR_IO, "tap executable \"%s\": current directory: %s", name,
                           strerror(errno));
        buf_puts(out, name);
        return check_executable(buf_cstr(out), name, err);
    }
    if (!path || !*path)
        path = DEFAULT_PATH;
    /* Like execvp, but only absolute entries: an empty or relative one would
     * make the tap depend on the directory inlet happens to run in. */
    for (const char *p = path; *p;) {
        const char *colon = strchr(p, ':');
        size_t k = colon ? (size_t)(colon - p) : strlen(p);
        struct stat st;
        if (k > 0 && p[0] == '/') {
            buf_reset(out);
            buf_put(out, p, k);
            buf_putc(out, '/');
            buf_puts(out, name);
            if (stat(buf_cstr(out), &st) == 0 && S_ISREG(st.st_mode)) {
                if (access(buf_cstr(out), X_OK) == 0)
                    return 0;
                denied = true;
            }
        }
        p += k;
        if (*p == ':')
            p++;
    }
    buf_reset(out);
    return err_set(err, ERR_NOTFOUND, "tap executable \"%s\": %s", name,
                   denied ? "not executable" : "not found");
}

/* Where private folders go: $TMPDIR when absolute, else /tmp; its length
 * without trailing '/' into *n. */
static const char *folder_base(size_t *n)
{
    const char *base = getenv("TMPDIR");
    if (!base || base[0] != '/')
        base = "/tmp";
    *n = strlen(base);
    while (*n > 0 && base[*n - 1] == '/')
        (*n)--;
    return base;
}

static int make_folder(struct buf *dir, struct err *err)
{
    size_t n;
    const char *base = folder_base(&n);
    int rc;

    buf_put(dir, base, n);
    /* The owner's pid in the name: a sweep leaves a live process's folders. */
    buf_printf(dir, FOLDER_PREFIX "%ld-XXXXXX", (long)getpid());
    if (!mkdtemp(dir->p)) {
        rc = err_set(err, ERR_IO, "tap folder in %.*s: %s", (int)n, base, strerror(errno));
        buf_reset(dir); /* nothing to remove */
        return rc;
    }
    /* mkdtemp's 0700 minus the umask, which could take our own rights away. */
    if (chmod(dir->p, 0700) != 0)
        return err_set(err, ERR_IO, "tap folder %s: %s", dir->p, strerror(errno));
    return 0;
}

static bool name_ok(const char *s)
{
    if (!*s || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
        return false;
    for (; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
              *s == '.' || *s == '_' || *s == '-'))
            return false;
    return true;
}

static int write_file(const char *path, const struct tap_file *f, struct err *err)
{
    const char *p = f->data;
    size_t left = f->len;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    int rc = 0;

    if (fd < 0)
        return err_set(err, ERR_IO, "tap file %s: %s", f->name, strerror(errno));
    if (fchmod(fd, 0600) != 0) /* the umask may have taken our own rights away */
        rc = err_set(err, ERR_IO, "tap file %s: %s", f->name, strerror(errno));
    while (rc == 0 && left > 0) {
        ssize_t k = write(fd, p, left);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            rc = err_set(err, ERR_IO, "tap file %s: %s", f->name,
                         k < 0 ? strerror(errno) : "nothing written");
            break;
        }
        p += k;
        left -= (size_t)k;
    }
    if (close(fd) != 0 && rc == 0)
        rc = err_set(err, ERR_IO, "tap file %s: %s", f->name, strerror(errno));
    return rc;
}

static char *file_path(const char *dir, const char *name)
{
    struct buf b;

    buf_init(&b, 0);
    buf_puts(&b, dir);
    buf_putc(&b, '/');
    buf_puts(&b, name);
    return buf_take(&b);
}

static int write_files(const char *dir, const struct tap_spec *spec, struct err *err)
{
    for (size_t i = 0; i < spec->nfiles; i++) {
        const struct tap_file *f = &spec->files[i];
        assert(f->flag && f->name && name_ok(f->name) && (f->data || f->len == 0));
        char *path = file_path(dir, f->name);
        int rc = write_file(path, f, err);
        xfree(path);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static size_t strv_len(const char *const *v)
{
    size_t n = 0;
    while (v && v[n])
        n++;
    return n;
}

static void strv_free(char **v)
{
    for (size_t i = 0; v && v[i]; i++)
        xfree(v[i]);
    xfree(v);
}

static char **make_argv(const char *exe, const char *dir, const struct tap_spec *spec)
{
    size_t n = 1 + strv_len(spec->args) + 2 * spec->nfiles + strv_len(spec->tail_args), i = 0;
    char **v = xcalloc(n + 1, sizeof(*v));

    v[i++] = xstrdup(exe);
    for (size_t j = 0; spec->args && spec->args[j]; j++)
        v[i++] = xstrdup(spec->args[j]);
    for (size_t j = 0; j < spec->nfiles; j++) {
        v[i++] = xstrdup(spec->files[j].flag);
        v[i++] = file_path(dir, spec->files[j].name);
    }
    for (size_t j = 0; spec->tail_args && spec->tail_args[j]; j++)
        v[i++] = xstrdup(spec->tail_args[j]);
    assert(i == n);
    return v;
}

static char *env_pair(const char *name, const char *value)
{
    struct buf b;

    buf_init(&b, 0);
    buf_puts(&b, name);
    buf_putc(&b, '=');
    buf_puts(&b, value);
    return buf_take(&b);
}

/* The base variables, then spec->env, a later one replacing an earlier one
 * of the same name (so that envp holds each name once). */
static char **make_envp(const char *dir, const struct tap_spec *spec)
{
    const char *path = getenv("PATH");
    size_t n = 0;
    char **v = xcalloc(4 + strv_len(spec->env) + 1, sizeof(*v));

    v[n++] = env_pair("PATH", path ? path : DEFAULT_PATH);
    v[n++] = env_pair("HOME", dir);
    v[n++] = env_pair("TMPDIR", dir);
    v[n++] = xstrdup("LANG=C.UTF-8");
    for (size_t j = 0; spec->env && spec->env[j]; j++) {
        const char *e = spec->env[j], *eq = strchr(e, '=');
        size_t k;
        assert(eq && eq > e);
        k = (size_t)(eq - e) + 1;
        size_t at = 0;
        while (at < n && strncmp(v[at], e, k) != 0)
            at++;
        if (at == n)
            n++;
        else
            xfree(v[at]);
        v[at] = xstrdup(e);
    }
    return v;
}

/* rm -r without following symlinks out of the folder (FTW_PHYS) nor
 * crossing into another file system (FTW_MOUNT). */
static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)type;
    (void)ftw;
    (void)remove(path); /* a failure shows as the folder still there */
    return 0;
}

/* A tap may leave a folder it cannot be emptied through (mode 0500 or 0):
 * give the owner its rights back, top down, before the next try. */
static int open_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (type == FTW_D || type == FTW_DNR)
        (void)chmod(path, 0700);
    return 0;
}

static int remove_folder(const char *dir, struct err *err)
{
    struct stat st;

    for (int tries = 0; tries < 8; tries++) {
        (void)nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
        if (lstat(dir, &st) != 0 && errno == ENOENT)
            return 0;
        (void)nftw(dir, open_entry, 16, FTW_PHYS | FTW_MOUNT);
    }
    return err_set(err, ERR_IO, "tap folder %s: cannot be removed", dir);
}

/* Whether name is a tap folder a dead process left: "inlet-tap-" then
 * either the owner's pid, '-' and six characters, with no such process
 * alive, or (as inlet named them before the pid) six characters alone. */
static bool leftover(const char *name)
{
    size_t prefix = strlen(FOLDER_PREFIX) - 1, digits;
    if (strncmp(name, &FOLDER_PREFIX[1], prefix) != 0)
        return false;
    name += prefix;
    if (strlen(name) == 6 && !strchr(name, '-'))
        return true;
    digits = strspn(name, "0123456789");
    if (digits == 0 || digits > 10 || name[digits] != '-' || strlen(name + digits + 1) != 6)
        return false;
    long long pid = strtoll(name, NULL, 10);
    if (pid <= 0 || pid > INT32_MAX || pid == (long long)getpid())
        return false;
    return kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

int tap_sweep(size_t *removed, struct err *err)
{
    size_t n;
    const char *base = folder_base(&n);
    struct buf dir, path;
    struct dirent *de;
    int rc = 0;

    *removed = 0;
    buf_init(&dir, 0);
    buf_put(&dir, base, n);
    DIR *d = opendir(n ? buf_cstr(&dir) : "/");
    if (!d) {
        rc = err_set(err, ERR_IO, "tap folders in %s: %s", buf_cstr(&dir), strerror(errno));
        buf_dispose(&dir);
        return rc;
    }
    buf_init(&path, 0);
    while ((de = readdir(d)) != NULL) {
        struct stat st;
        if (!leftover(de->d_name))
            continue;
        buf_reset(&path);
        buf_printf(&path, "%s/%s", buf_cstr(&dir), de->d_name);
        /* Ours only, and never through a symlink. */
        if (lstat(buf_cstr(&path), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid())
            continue;
        if (remove_folder(buf_cstr(&path), err) < 0)
            rc = ERR_IO;
        else
            (*removed)++;
    }
    closedir(d);
    buf_dispose(&path);
    buf_dispose(&dir);
    return rc;
}

/* ---- fork and exec ---- */

struct child {           /* everything the child needs, made before fork */
    const char *path;    /* to execve */
    char **argv, **envp; /* from make_argv, make_envp */
    const char *dir;     /* its cwd */
    int in, out, errfd;  /* become 0, 1, 2: /dev/null and the pipes' write ends (all >= 3) */
    int report;          /* becomes 3 until exec: the report pipe's write end (>= 3) */
    int maxfd;           /* for closing one by one when close_range fails */
    struct sigaction dfl;
    sigset_t none;
};

struct report { /* what the child writes when it cannot exec */
    int stage;  /* STAGE_* */
    int errnum;
};

enum { STAGE_SETUP = 1, STAGE_CHDIR, STAGE_EXEC };

/* Async-signal-safe calls only: the parent may have threads, and one of
 * them may hold the allocator's lock at the fork. */
static _Noreturn void child_run(const struct child *c)
{
    struct report rep = {STAGE_SETUP, 0};
    int rfd = c->report;

    (void)setpgid(0, 0);
    /* Ignored signals stay ignored across exec (SIGPIPE, in a server). The
     * mask, blocked whole by the parent around fork, is cleared last. */
    for (int s = 1; s < NSIG; s++)
        if (s != SIGKILL && s != SIGSTOP)
            (void)sigaction(s, &c->dfl, NULL);
    if (dup2(c->in, 0) < 0 || dup2(c->out, 1) < 0 || dup2(c->errfd, 2) < 0)
        goto fail;
    if (dup2(c->report, 3) < 0 || fcntl(3, F_SETFD, FD_CLOEXEC) < 0)
        goto fail;
    rfd = 3;
    if (close_range(4, ~0U, 0) != 0)
        for (int fd = 4; fd < c->maxfd; fd++)
            (void)close(fd);
    rep.stage = STAGE_CHDIR;
    if (chdir(c->dir) != 0)
        goto fail;
    rep.stage = STAGE_EXEC;
    (void)sigprocmask(SIG_SETMASK, &c->none, NULL);
    execve(c->path, c->argv, c->envp);
fail:
    rep.errnum = errno;
    ssize_t w = write(rfd, &rep, sizeof(rep)); /* nothing to do if it fails: 127 says enough */
    (void)w;
    _exit(127);
}

/* Move fd above 0, 1 and 2, so that the child's dup2 onto them cannot
 * clobber another of its descriptors. */
static int fd_high(int *fd)
{
    int n;

    if (*fd >= 3)
        return 0;
    n = fcntl(*fd, F_DUPFD_CLOEXEC, 3);
    if (n < 0)
        return -1;
    (void)close(*fd);
    *fd = n;
    return 0;
}

static void close_fd(int *fd)
{
    if (*fd >= 0)
        (void)close(*fd);
    *fd = -1;
}

static int exec_error(const struct report *rep, const char *path, const char *dir,
                      const char *shown, struct err *err)
{
    struct stat st;
    int e = rep->errnum;

    if (rep->stage == STAGE_CHDIR)
        return err_set(err, ERR_IO, "tap folder %s: %s", dir, strerror(e));
    if (rep->stage != STAGE_EXEC)
        return err_set(err, ERR_IO, "tap executable \"%s\": setting up the child: %s", shown,
                       strerror(e));
    if (e == ENOENT || e == ENOTDIR) /* it was there: its #! interpreter is not */
        return err_set(err, ERR_NOTFOUND, "tap executable \"%s\": %s", shown,
                       stat(path, &st) == 0 ? "its interpreter is not found" : "not found");
    if (e == EACCES || e == EPERM || e == ENOEXEC || e == ELOOP || e == ETXTBSY ||
        e == ENAMETOOLONG)
        return err_set(err, ERR_NOTFOUND, "tap executable \"%s\": not executable: %s", shown,
                       strerror(e));
    return err_set(err, ERR_IO, "tap executable \"%s\": cannot run: %s", shown, strerror(e));
}

/* Start the tap; on success r->pid and r->fd are set. */
static int start(struct run *r, const char *path, char **argv, char **envp, const char *dir)
{
    int outp[2] = {-1, -1}, errp[2] = {-1, -1}, repp[2] = {-1, -1}, devnull = -1;
    struct child c;
    struct report rep;
    sigset_t all, old;
    size_t got = 0;
    pid_t pid;
    int rc = 0;
    long maxfd = sysconf(_SC_OPEN_MAX);

    if (pipe2(outp, O_CLOEXEC) != 0 || pipe2(errp, O_CLOEXEC) != 0 || pipe2(repp, O_CLOEXEC) != 0) {
        rc = err_set(r->err, ERR_IO, "tap: pipe: %s", strerror(errno));
        goto done;
    }
    devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (devnull < 0) {
        rc = err_set(r->err, ERR_IO, "tap: /dev/null: %s", strerror(errno));
        goto done;
    }
    if (fd_high(&outp[1]) || fd_high(&errp[1]) || fd_high(&repp[1]) || fd_high(&devnull) ||
        fcntl(outp[0], F_SETFL, O_NONBLOCK) != 0 || fcntl(errp[0], F_SETFL, O_NONBLOCK) != 0) {
        rc = err_set(r->err, ERR_IO, "tap: pipe: %s", strerror(errno));
        goto done;
    }

    memset(&c, 0, sizeof(c));
    c.path = path;
    c.argv = argv;
    c.envp = envp;
    c.dir = dir;
    c.in = devnull;
    c.out = outp[1];
    c.errfd = errp[1];
    c.report = repp[1];
    c.maxfd = maxfd > 0 && maxfd < INT_MAX ? (int)maxfd : 65536;
    c.dfl.sa_handler = SIG_DFL;
    sigemptyset(&c.dfl.sa_mask);
    sigemptyset(&c.none);

    /* Blocked across fork so that no handler of ours runs in the child
     * before it has reset them. */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pid = fork();
    if (pid == 0)
        child_run(&c);
    int fork_errno = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (pid < 0) {
        rc = err_set(r->err, ERR_IO, "tap: fork: %s", strerror(fork_errno));
        goto done;
    }
    /* Both sides set the group, so that it exists before our first kill. */
    (void)setpgid(pid, pid);
    r->pid = pid;
    close_fd(&outp[1]);
    close_fd(&errp[1]);
    close_fd(&repp[1]);
    close_fd(&devnull);

    /* EOF: exec worked (the pipe is close-on-exec); a report: it did not. */
    while (got < sizeof(rep)) {
        ssize_t k = read(repp[0], (char *)&rep + got, sizeof(rep) - got);
        if (k > 0)
            got += (size_t)k;
        else if (k == 0 || errno != EINTR)
            break;
    }
    if (got > 0) {
        if (got == sizeof(rep))
            rc = exec_error(&rep, path, dir, r->spec->executable, r->err);
        else
            rc = err_set(r->err, ERR_IO, "tap executable \"%s\": a garbled start report",
                         r->spec->executable);
        group_kill(r, SIGKILL);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
            ;
        r->pid = 0;
        goto done;
    }
    r->fd[0] = outp[0];
    r->fd[1] = errp[0];
    outp[0] = errp[0] = -1;
done:
    close_fd(&outp[0]);
    close_fd(&outp[1]);
    close_fd(&errp[0]);
    close_fd(&errp[1]);
    close_fd(&repp[0]);
    close_fd(&repp[1]);
    close_fd(&devnull);
    return rc;
}

int tap_run(const struct tap_spec *spec, const struct tap_io *io, struct tap_result *res,
            struct err *err)
{
    struct run r;
    struct buf exe, dir;
    char **argv = NULL, **envp = NULL;
    int rc;

    assert(spec && io && res && spec->executable && spec->executable[0] && io->on_stdout);
    assert(spec->timeout_ms >= 0 && (spec->files || spec->nfiles == 0));
    memset(res, 0, sizeof(*res));
    memset(&r, 0, sizeof(r));
    r.spec = spec;
    r.io = io;
    r.res = res;
    r.err = err;
    r.fd[0] = r.fd[1] = -1;
    buf_init(&r.line, SINGER_LINE_MAX);
    buf_init(&r.eraw, 0);
    buf_init(&r.eout, 0);
    buf_init(&exe, 0);
    buf_init(&dir, 0);

    rc = find_executable(&exe, spec->executable, err);
    if (rc < 0)
        goto done;
    rc = make_folder(&dir, err);
    if (rc < 0)
        goto done;
    rc = write_files(buf_cstr(&dir), spec, err);
    if (rc < 0)
        goto done;
    argv = make_argv(buf_cstr(&exe), buf_cstr(&dir), spec);
    envp = make_envp(buf_cstr(&dir), spec);
    scrubber_init(&r.sc, spec->secrets);
    r.rbuf = xmalloc(READ_BYTES);
    rc = start(&r, buf_cstr(&exe), argv, envp, buf_cstr(&dir));
    if (rc < 0)
        goto done;
    pump(&r);
    finish(&r);
    rc = r.rc;
done:
    if (dir.n) {
        int rm = remove_folder(buf_cstr(&dir), rc < 0 ? NULL : err);
        if (rc == 0)
            rc = rm;
    }
    strv_free(argv);
    strv_free(envp);
    scrubber_dispose(&r.sc);
    xfree(r.rbuf);
    buf_dispose(&r.line);
    buf_dispose(&r.eraw);
    buf_dispose(&r.eout);
    buf_dispose(&exe);
    buf_dispose(&dir);
    return rc;
}
