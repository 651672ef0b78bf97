/* tests/unit/singer/test_tap.c - tap_scrub, and tap_run with the test taps
 * of tests/fixtures/taps/ (run from the repository root): stdout lines and
 * their numbers, a partial last line, exit codes and signals, timeout,
 * cancel and a callback's stop (each killing the tap's whole process
 * group), the private folder (modes, argv, removal), the minimal
 * environment, scrubbing and cutting of stderr, executables that cannot
 * run, a stdout line over the cap, and a grandchild holding the pipes. The
 * suite runs with TMPDIR set to a folder of its own, which must be empty
 * after every run: the tap's folder goes on every path. No fuzz harness:
 * nothing here parses outside input beyond splitting lines. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "singer/message.h"
#include "singer/tap.h"
#include "test.h"

static char *tmp_base;     /* this suite's TMPDIR, where each run's folder goes */
static char *scratch;      /* files of the tests, outside TMPDIR */
static char *saved_tmpdir; /* the TMPDIR before the suite, or NULL */
static char taps_dir[1024];

/* What the callbacks saw. */
struct capture {
    struct buf out;      /* "LINENO:line\n", or "LINENO~line\n" for a partial one;
                            a line over 1000 bytes as "<N bytes>" */
    struct buf errs;     /* stderr lines, each with a '\n' */
    int64_t bytes;       /* stdout bytes passed, plus one per complete line */
    size_t stop_at;      /* on_stdout refuses this line (0: none) */
    bool cancel_on_pgid; /* cancelled() is true once a pgid was seen */
    bool unterminated;   /* a line came without its NUL */
    bool not_all_a;      /* a long line held something else than 'a' */
    long pgid;           /* from a "... pgid N" stderr line */
    size_t polls;        /* calls of cancelled() */
};

static int cap_stdout(void *ctx, const char *line, size_t n, size_t lineno, bool complete,
                      struct err *err)
{
    struct capture *c = ctx;

    c->unterminated |= line[n] != '\0';
    c->bytes += (int64_t)n + complete;
    buf_printf(&c->out, "%zu%c", lineno, complete ? ':' : '~');
    if (n > 1000) {
        buf_printf(&c->out, "<%zu bytes>\n", n);
        c->not_all_a |= line[0] != 'a' || line[n / 2] != 'a' || line[n - 1] != 'a';
    } else {
        buf_put(&c->out, line, n);
        buf_putc(&c->out, '\n');
    }
    if (lineno == c->stop_at)
        return err_set(err, ERR_INVALID, "refused line %zu", lineno);
    return 0;
}

static void cap_stderr(void *ctx, const char *line, size_t n)
{
    struct capture *c = ctx;
    const char *p = strstr(line, "pgid ");

    c->unterminated |= line[n] != '\0';
    buf_put(&c->errs, line, n);
    buf_putc(&c->errs, '\n');
    if (p)
        c->pgid = strtol(p + 5, NULL, 10);
}

static bool cap_cancelled(void *ctx)
{
    struct capture *c = ctx;

    c->polls++;
    return c->cancel_on_pgid && c->pgid > 0;
}

/* One run of a test tap, with config as its --config file. */
struct trun {
    char exe[1200];
    struct tap_file file;
    struct tap_spec spec;
    struct tap_io io;
    struct capture cap;
    struct tap_result res;
    struct err err;
};

static void trun_init(struct trun *t, const char *tap, const char *config)
{
    memset(t, 0, sizeof(*t));
    snprintf(t->exe, sizeof(t->exe), "%s/%s", taps_dir, tap);
    t->file.flag = "--config";
    t->file.name = "config.json";
    t->file.data = config;
    t->file.len = strlen(config);
    t->spec.executable = t->exe;
    t->spec.files = &t->file;
    t->spec.nfiles = 1;
    t->io.on_stdout = cap_stdout;
    t->io.on_stderr = cap_stderr;
    t->io.cancelled = cap_cancelled;
    t->io.ctx = &t->cap;
    buf_init(&t->cap.out, 0);
    buf_init(&t->cap.errs, 0);
}

static void trun_dispose(struct trun *t)
{
    buf_dispose(&t->cap.out);
    buf_dispose(&t->cap.errs);
}

/* Nothing left in TMPDIR, and no zombie of ours. */
static void assert_clean(void)
{
    DIR *d = opendir(tmp_base);
    struct dirent *e;

    assert_non_null(d);
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            fail_msg("left in TMPDIR: %s", e->d_name);
    closedir(d);
    assert_true(waitpid(-1, NULL, WNOHANG) <= 0);
}

static int trun_go(struct trun *t)
{
    int rc = tap_run(&t->spec, &t->io, &t->res, &t->err);

    assert_false(t->cap.unterminated);
    assert_clean();
    if (rc != 0)
        assert_int_equal(rc, t->err.code);
    return rc;
}

/* Some process of group pgid that is not a zombie (a killed grandchild
 * waits for init to reap it, which is no concern of ours). */
static bool group_has_live(long pgid)
{
    DIR *d = opendir("/proc");
    struct dirent *e;
    bool live = false;

    assert_non_null(d);
    while (!live && (e = readdir(d)) != NULL) {
        char path[300], text[512], state;
        long ppid, pgrp;
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        size_t n = fread(text, 1, sizeof(text) - 1, f);
        fclose(f);
        text[n] = '\0';
        const char *p = strrchr(text, ')');
        if (p && sscanf(p + 1, " %c %ld %ld", &state, &ppid, &pgrp) == 3 && pgrp == pgid &&
            state != 'Z' && state != 'X')
            live = true;
    }
    closedir(d);
    return live;
}

/* No live process left in the group. SIGKILL lands asynchronously, so
 * this waits for it a while (never asserting how long it took). */
static void assert_group_gone(long pgid)
{
    struct timespec tick = {0, 10L * 1000 * 1000};

    assert_true(pgid > 1);
    for (int i = 0; i < 500; i++) {
        if (kill((pid_t)-pgid, 0) != 0 && errno == ESRCH)
            return;
        if (!group_has_live(pgid))
            return;
        nanosleep(&tick, NULL);
    }
    fail_msg("process group %ld still has live members", pgid);
}

/* lines holds "\n" + line + "\n" (a line of text is within it). */
static bool has_line(const struct buf *lines, const char *line)
{
    const char *s = buf_cstr(lines);
    size_t n = strlen(line);

    for (const char *p = s; (p = strstr(p, line)) != NULL; p++)
        if ((p == s || p[-1] == '\n') && p[n] == '\n')
            return true;
    return false;
}

static void assert_line(const struct buf *lines, const char *line)
{
    if (!has_line(lines, line))
        fail_msg("no line \"%s\" in:\n%s", line, buf_cstr(lines));
}

/* The rest of the line that starts with prefix, copied into out. */
static void line_after(char *out, size_t size, const struct buf *lines, const char *prefix)
{
    const char *s = buf_cstr(lines), *p = s;
    size_t n = strlen(prefix);

    while ((p = strstr(p, prefix)) != NULL && p != s && p[-1] != '\n')
        p++;
    if (!p) {
        fail_msg("no line starting \"%s\" in:\n%s", prefix, s);
        return;
    }
    p += n;
    snprintf(out, size, "%.*s", (int)strcspn(p, "\n"), p);
}

static void write_scratch(const char *name, const char *text, mode_t mode)
{
    char path[1200];

    snprintf(path, sizeof(path), "%s/%s", scratch, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(path, mode), 0);
}

/* ---- tap_scrub ---- */

static void expect_scrub(const char *in, size_t n, const char *const *secrets, const char *want,
                         size_t want_n)
{
    struct buf b;

    buf_init(&b, 0);
    buf_puts(&b, ">"); /* appended to what is there */
    tap_scrub(&b, in, n, secrets);
    if (b.n != want_n + 1 || memcmp(b.p + 1, want, want_n) != 0)
        fail_msg("scrub \"%.*s\": got \"%s\", want \"%.*s\"", (int)n, in, buf_cstr(&b) + 1,
                 (int)want_n, want);
    assert_int_equal(b.p[0], '>');
    buf_dispose(&b);
}

#define SCRUB(in, secrets, want) expect_scrub(in, strlen(in), secrets, want, strlen(want))

static void scrub_basics(void **state)
{
    (void)state;
    const char *none[] = {NULL};
    const char *one[] = {"s3cret", NULL};
    const char *with_empty[] = {"", "s3cret", "", NULL};

    SCRUB("plain text", NULL, "plain text");
    SCRUB("plain text", none, "plain text");
    SCRUB("", one, "");
    SCRUB("s3cret", one, "[redacted]");
    SCRUB("x s3cret y s3cret", one, "x [redacted] y [redacted]");
    SCRUB("s3crets3cret", one, "[redacted][redacted]");
    SCRUB("s3cre", one, "s3cre"); /* a prefix is not the secret */
    SCRUB("ss3cret3cret", one, "s[redacted]3cret");
    SCRUB("token=s3cret&x=1", with_empty, "token=[redacted]&x=1"); /* "" is skipped */
    /* n counts, not the NUL. */
    expect_scrub("a\0s3cret\0", 9, one, "a\0[redacted]\0", 13);
    expect_scrub("s3cret", 3, one, "s3c", 3);
}

static void scrub_overlaps(void **state)
{
    (void)state;
    const char *short_first[] = {"abc", "abcdef", NULL};
    const char *long_first[] = {"abcdef", "abc", NULL};
    const char *inside[] = {"pass", "mypassword", NULL};
    const char *twice[] = {"aa", NULL};
    const char *chained[] = {"bcd", "abc", NULL};
    const char *pem[] = {"-----BEGIN KEY-----\nMIIBOgIBAAJBAK\r\nab\n-----END KEY-----", NULL};

    /* The longest secret at a position wins, whatever the list's order. */
    SCRUB("xabcdefy abc", short_first, "x[redacted]y [redacted]");
    SCRUB("xabcdefy abc", long_first, "x[redacted]y [redacted]");
    SCRUB("mypassword pass", inside, "[redacted] [redacted]");
    SCRUB("aaa", twice, "[redacted]a");
    SCRUB("aaaa", twice, "[redacted][redacted]");
    /* Leftmost first: at 0 only "abc" starts. */
    SCRUB("abcd", chained, "[redacted]d");
    SCRUB("xbcd", chained, "x[redacted]");
    /* A multi-line secret: whole, and each line of 4 bytes or more. */
    SCRUB("-----BEGIN KEY-----\nMIIBOgIBAAJBAK\r\nab\n-----END KEY-----", pem, "[redacted]");
    SCRUB("MIIBOgIBAAJBAK", pem, "[redacted]");
    SCRUB("k: MIIBOgIBAAJBAK\r", pem, "k: [redacted]\r");
    SCRUB("-----END KEY----- ab", pem, "[redacted] ab");
}

/* ---- tap_run ---- */

static void stdout_lines(void **state)
{
    (void)state;
    struct trun t;

    trun_init(&t, "tap-counter", "{\"count\": 3}");
    assert_int_equal(trun_go(&t), 0);
    assert_int_equal(t.res.end, TAP_EXITED);
    assert_int_equal(t.res.code, 0);
    assert_int_equal(t.res.stdout_lines, 5);
    assert_int_equal(t.res.stdout_bytes, t.cap.bytes);
    const char *out = buf_cstr(&t.cap.out);
    assert_true(strncmp(out, "1:{\"type\":\"SCHEMA\",\"stream\":\"items\",", 36) == 0);
    assert_non_null(strstr(out,
                           "}\n2:{\"type\":\"RECORD\",\"stream\":\"items\",\"record\":{\"id\":1,"
                           "\"name\":\"item 1\",\"amount\":0.01}}\n"
                           "3:{\"type\":\"RECORD\",\"stream\":\"items\",\"record\":{\"id\":2,"
                           "\"name\":\"item 2\",\"amount\":0.02}}\n"
                           "4:{\"type\":\"RECORD\",\"stream\":\"items\",\"record\":{\"id\":3,"
                           "\"name\":\"item 3\",\"amount\":0.03}}\n"
                           "5:{\"type\":\"STATE\",\"value\":{\"bookmarks\":{\"items\":"
                           "{\"id\":3}}}}\n"));
    assert_string_equal(buf_cstr(&t.cap.errs), "tap-counter: 3 records\n");
    assert_true(t.cap.polls > 0);
    trun_dispose(&t);
}

static void partial_line_and_exit_codes(void **state)
{
    (void)state;
    struct trun t;

    /* A tap that dies mid-line: the start of the line is passed, flagged. */
    trun_init(&t, "tap-counter", "{\"count\": 5, \"crash_at\": 3}");
    assert_int_equal(trun_go(&t), 0);
    assert_int_equal(t.res.end, TAP_EXITED);
    assert_int_equal(t.res.code, 1);
    assert_int_equal(t.res.stdout_lines, 4);
    assert_non_null(
        strstr(buf_cstr(&t.cap.out), "}\n4~{\"type\":\"RECORD\",\"stream\":\"items\",\"record\n"));
    assert_string_equal(buf_cstr(&t.cap.errs), "tap-counter: crashing at id 3, as configured\n");
    assert_int_equal(t.res.stdout_bytes, t.cap.bytes);
    trun_dispose(&t);

    trun_init(&t, "tap-exit", "{\"lines\": 3, \"exit\": 3}");
    assert_int_equal(trun_go(&t), 0);
    assert_int_equal(t.res.end, TAP_EXITED);
    assert_int_equal(t.res.code, 3);
    assert_string_equal(buf_cstr(&t.cap.out), "1:{\"type\":\"STATE\",\"value\":1}\n"
                                              "2:{\"type\":\"STATE\",\"value\":2}\n"
                                              "3:{\"type\":\"STATE\",\"value\":3}\n");
    trun_dispose(&t);

    trun_init(&t, "tap-exit", "{\"lines\": 1, \"partial\": 1}");
    assert_int_equal(trun_go(&t), 0);
    assert_int_equal(t.res.end, TAP_EXITED);
    assert_int_equal(t.res.code, 0);
    assert_string_equal(buf_cstr(&t.cap.out),
                        "1:{\"type\":\"STATE\",\"value\":1}\n2~partial line\n");
    assert_int_equal(t.res.stdout_bytes, 27 + 12);
    trun_dispose(&t);

    trun_init(&t, "tap-exit", "{\"exit\": 255}");
    assert_int_equal(trun_go(&t), 0);
    assert_int_equal(t.res.end, TAP_EXITED);
    assert_int_equal(t.res.code, 255);
    assert_int_equal(t.res.stdout_lines, 0);
    assert_int_equal(t.res.stdout_bytes, 0);
    trun_dispose(&t);
}

static void signal_death(void **state)
{
    (void)state;
    struct trun t;

    trun_init(&t, "tap-exit", "{\"signal\": 9}");
    assert_int_equal(trun_go(&t), 0);
    assert_int_equal(t.res.end, TAP_SIGNALED);
    assert_int_equal(t.res.code, SIGKILL);
    trun_dispose(&t);

    trun_init(&t, "tap-exit", "{\"lines\": 1, \"signal\": 15}");
    assert_int_equal(trun_go(&t), 0);
    assert_int_equal(t.res.end, TAP_SIGNALED);
    assert_int_equal(t.res.code, SIGTERM);
    assert_int_equal(t.res.stdout_lines, 1);
    trun_dispose(&t);
}

/* tap-stubborn ignores SIGTERM: the timeout ends in SIGKILL to the group,
 * its background sleep included. The timeout must let the tap start and
 * say its group first; on a machine too slow for that, a longer one is
 * tried (only "it returned" is asserted, never how long it took). */
static void timeout_kills_group(void **state)
{
    (void)state;
    struct trun t;

    for (int64_t ms = 500;; ms *= 4) {
        trun_init(&t, "tap-stubborn", "{}");
        t.spec.timeout_ms = ms;
        assert_int_equal(trun_go(&t), 0);
        assert_int_equal(t.res.end, TAP_TIMED_OUT);
        assert_int_equal(t.res.code, 0);
        if (t.cap.pgid > 0 || ms > 10000)
            break;
        trun_dispose(&t);
    }
    assert_group_gone(t.cap.pgid);
    assert_string_equal(buf_cstr(&t.cap.out), "1:{\"type\":\"STATE\",\"value\":{}}\n");
    trun_dispose(&t);
}

static void cancel_kills_group(void **state)
{
    (void)state;
    struct trun t;

    trun_init(&t, "tap-stubborn", "{\"polite\":1}");
    t.cap.cancel_on_pgid = true;
    assert_int_equal(trun_go(&t), 0);
    assert_int_equal(t.res.end, TAP_CANCELLED);
    assert_int_equal(t.res.code, 0);
    assert_true(t.cap.polls > 0);
    assert_group_gone(t.cap.pgid);
    trun_dispose(&t);

    /* Stubborn too: SIGKILL after the SIGTERM grace. */
    trun_init(&t, "tap-stubborn", "{}");
    t.cap.cancel_on_pgid = true;
    assert_int_equal(trun_go(&t), 0);
    assert_int_equal(t.res.end, TAP_CANCELLED);
    assert_group_gone(t.cap.pgid);
    trun_dispose(&t);
}

static void callback_stops(void **state)
{
    (void)state;
    struct trun t;

    trun_init(&t, "tap-counter", "{\"count\": 1000000}");
    t.cap.stop_at = 5;
    assert_int_equal(trun_go(&t), ERR_INVALID);
    assert_string_equal(t.err.msg, "refused line 5");
    assert_int_equal(t.res.end, TAP_STOPPED);
    assert_int_equal(t.res.code, 0);
    assert_int_equal(t.res.stdout_lines, 5);
    /* Nothing after the refused line. */
    const char *out = buf_cstr(&t.cap.out);
    assert_non_null(strstr(out, "\n5:{"));
    assert_null(strstr(out, "\n6:"));
    trun_dispose(&t);
}

static void private_folder(void **state)
{
    (void)state;
    struct trun t;
    struct tap_file files[2] = {
        {"--config", "config.json", "{\"token\":\"tok-SECRET-1\"}\n", 0},
        {"--state", "state.json", "{}", 2},
    };
    const char *args[] = {"--verbose", NULL};
    const char *tail[] = {"--discover", NULL};
    const char *secrets[] = {"tok-SECRET-1", NULL};
    char outside[1200], env_outside[1300], dir[1200], want[4000], got[1300];
    const char *env[] = {env_outside, NULL};
    struct stat st;

    files[0].len = strlen(files[0].data);
    snprintf(outside, sizeof(outside), "%s/outside", scratch);
    assert_int_equal(mkdir(outside, 0700), 0);
    write_scratch("outside/keep.txt", "keep me\n", 0600);
    snprintf(env_outside, sizeof(env_outside), "OUTSIDE=%s", outside);

    trun_init(&t, "tap-env", "");
    t.spec.files = files;
    t.spec.nfiles = 2;
    t.spec.args = args;
    t.spec.tail_args = tail;
    t.spec.env = env;
    t.spec.secrets = secrets;
    assert_int_equal(trun_go(&t), 0);
    assert_int_equal(t.res.end, TAP_EXITED);
    assert_int_equal(t.res.code, 0);
    assert_int_equal(t.res.stdout_lines, 2);

    /* A fresh folder under TMPDIR, 0700, the tap's cwd, HOME and TMPDIR. */
    line_after(dir, sizeof(dir), &t.cap.errs, "cwd: ");
    snprintf(want, sizeof(want), "%s/inlet-tap-%ld-", tmp_base, (long)getpid());
    assert_true(strncmp(dir, want, strlen(want)) == 0);
    assert_int_equal(strlen(dir), strlen(want) + 6);
    assert_line(&t.cap.errs, "cwd mode: 700");
    snprintf(want, sizeof(want), "env: HOME=%s", dir);
    assert_line(&t.cap.errs, want);
    snprintf(want, sizeof(want), "env: TMPDIR=%s", dir);
    assert_line(&t.cap.errs, want);
    /* argv: args, FLAG PATH in order, tail_args; files 0600. */
    snprintf(want, sizeof(want), "argv0: %s", t.exe);
    assert_line(&t.cap.errs, want);
    snprintf(want, sizeof(want),
             "argv: --verbose --config %s/config.json --state %s/state.json "
             "--discover",
             dir, dir);
    assert_line(&t.cap.errs, want);
    snprintf(want, sizeof(want), "file --config 600 %s/config.json", dir);
    assert_line(&t.cap.errs, want);
    snprintf(want, sizeof(want), "file --state 600 %s/state.json", dir);
    assert_line(&t.cap.errs, want);
    /* The file's contents reached the tap; its secret did not reach us. */
    assert_line(&t.cap.errs, "config: {\"token\":\"[redacted]\"}");
    assert_null(strstr(buf_cstr(&t.cap.errs), "tok-SECRET-1"));

    /* Removed, with what the tap left in it, but nothing through its symlink. */
    assert_int_equal(lstat(dir, &st), -1);
    assert_int_equal(errno, ENOENT);
    snprintf(got, sizeof(got), "%s/keep.txt", outside);
    char *kept = test_read_file(got, NULL);
    assert_non_null(kept);
    assert_string_equal(kept, "keep me\n");
    xfree(kept);
    trun_dispose(&t);
}

/* The names of the "env: NAME=value" lines, comma-separated. */
static void env_names(char *out, size_t size, const struct buf *errs)
{
    const char *p = buf_cstr(errs);
    size_t n = 0;

    out[0] = '\0';
    while ((p = strstr(p, "env: ")) != NULL) {
        size_t k = strcspn(p + 5, "=\n");
        if (p == buf_cstr(errs) || p[-1] == '\n')
            n += (size_t)snprintf(out + n, size - n, "%s%.*s", n ? "," : "", (int)k, p + 5);
        p += 5;
        assert_true(n < size);
    }
}

static void environment_minimal(void **state)
{
    (void)state;
    struct trun t;
    const char *env[] = {"EXTRA_ONE=1", "LANG=C", NULL};
    char names[1000], want[4200];
    const char *path = getenv("PATH");
    char *saved_path = path ? xstrdup(path) : NULL;

    assert_int_equal(setenv("INLET_MASTER_KEY", "master-key-value", 1), 0);
    assert_int_equal(setenv("INLET_TEST_LEAK", "leak-value", 1), 0);
    assert_int_equal(setenv("PARENT_ONLY", "parent-value", 1), 0);

    trun_init(&t, "tap-env", "{}\n");
    t.spec.env = env;
    assert_int_equal(trun_go(&t), 0);
    assert_int_equal(t.res.end, TAP_EXITED);
    env_names(names, sizeof(names), &t.cap.errs);
    /* PWD is the shell's own. spec->env's LANG replaced the base one. */
    assert_string_equal(names, "EXTRA_ONE,HOME,LANG,PATH,PWD,TMPDIR");
    assert_line(&t.cap.errs, "env: LANG=C");
    if (saved_path) {
        snprintf(want, sizeof(want), "env: PATH=%s", saved_path);
        assert_line(&t.cap.errs, want);
    }
    assert_null(strstr(buf_cstr(&t.cap.errs), "INLET_"));
    assert_null(strstr(buf_cstr(&t.cap.errs), "master-key-value"));
    assert_null(strstr(buf_cstr(&t.cap.errs), "parent-value"));
    trun_dispose(&t);

    /* No PATH in the parent: the default one, and LANG=C.UTF-8. */
    assert_int_equal(unsetenv("PATH"), 0);
    trun_init(&t, "tap-env", "{}\n");
    int rc = tap_run(&t.spec, &t.io, &t.res, &t.err);
    if (saved_path)
        assert_int_equal(setenv("PATH", saved_path, 1), 0);
    assert_int_equal(rc, 0);
    assert_line(&t.cap.errs, "env: PATH=/usr/local/bin:/usr/bin:/bin");
    assert_line(&t.cap.errs, "env: LANG=C.UTF-8");
    env_names(names, sizeof(names), &t.cap.errs);
    assert_string_equal(names, "HOME,LANG,PATH,PWD,TMPDIR");
    assert_clean();
    trun_dispose(&t);

    unsetenv("INLET_MASTER_KEY");
    unsetenv("INLET_TEST_LEAK");
    unsetenv("PARENT_ONLY");
    xfree(saved_path);
}

static void stderr_scrubbed_and_cut(void **state)
{
    (void)state;
    static const char alphabet[] =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-";
    char secret[1001], config[1100];
    const char *secrets[] = {"", secret, "unused", NULL};
    struct buf want;
    struct trun t;

    /* 1000 bytes, so that the line of 100 of them crosses a 64 KiB read. */
    for (size_t i = 0; i < 1000; i++)
        secret[i] = alphabet[(i * 7) % (sizeof(alphabet) - 1)];
    secret[1000] = '\0';
    snprintf(config, sizeof(config), "{\"secret\": \"%s\"}", secret);

    buf_init(&want, 0);
    buf_printf(&want, "whole: [redacted].\nsplit: [redacted].\nprefix only: %.500s\n", secret);
    for (int i = 0; i < TAP_STDERR_LINE_MAX - 3; i++)
        buf_putc(&want, 'x');
    buf_puts(&want, "...\n");
    for (int i = 0; i < TAP_STDERR_LINE_MAX - 4; i++)
        buf_putc(&want, 'y');
    buf_puts(&want, "...\n");
    for (int i = 0; i < 100; i++)
        buf_puts(&want, "[redacted]");
    buf_puts(&want, "\nlast words\n");

    trun_init(&t, "tap-stderr", config);
    t.spec.secrets = secrets;
    assert_int_equal(trun_go(&t), 0);
    assert_int_equal(t.res.end, TAP_EXITED);
    assert_int_equal(t.res.code, 0);
    assert_string_equal(buf_cstr(&t.cap.errs), buf_cstr(&want));
    assert_string_equal(buf_cstr(&t.cap.out), "1:{\"type\":\"STATE\",\"value\":1}\n");
    trun_dispose(&t);

    /* Without on_stderr nor cancelled: stderr is drained all the same. */
    trun_init(&t, "tap-stderr", config);
    t.io.on_stderr = NULL;
    t.io.cancelled = NULL;
    assert_int_equal(trun_go(&t), 0);
    assert_int_equal(t.res.end, TAP_EXITED);
    assert_string_equal(buf_cstr(&t.cap.out), "1:{\"type\":\"STATE\",\"value\":1}\n");
    assert_int_equal(t.cap.errs.n, 0);
    trun_dispose(&t);
    buf_dispose(&want);
}

static void expect_not_found(const char *exe, const char *msg)
{
    struct trun t;

    trun_init(&t, "tap-exit", "{}");
    t.spec.executable = exe;
    assert_int_equal(trun_go(&t), ERR_NOTFOUND);
    assert_string_equal(t.err.msg, msg);
    assert_int_equal(t.cap.out.n, 0);
    trun_dispose(&t);
}

static void executables(void **state)
{
    (void)state;
    char path[1200], msg[1400];
    struct trun t;

    expect_not_found("inlet-no-such-tap", "tap executable \"inlet-no-such-tap\": not found");
    expect_not_found("/nonexistent/tap-x", "tap executable \"/nonexistent/tap-x\": not found");
    snprintf(msg, sizeof(msg), "tap executable \"%s\": not found", scratch);
    expect_not_found(scratch, msg); /* a directory */
    write_scratch("plain.txt", "#!/bin/sh\necho hi\n", 0644);
    snprintf(path, sizeof(path), "%s/plain.txt", scratch);
    snprintf(msg, sizeof(msg), "tap executable \"%s\": not executable", path);
    expect_not_found(path, msg);
    /* These pass the lookup and fail in the child's execve. */
    write_scratch("bad-interpreter", "#!/nonexistent/interpreter\n", 0755);
    snprintf(path, sizeof(path), "%s/bad-interpreter", scratch);
    snprintf(msg, sizeof(msg), "tap executable \"%s\": its interpreter is not found", path);
    expect_not_found(path, msg);
    write_scratch("bad-format", "not a program\n", 0755);
    snprintf(path, sizeof(path), "%s/bad-format", scratch);
    snprintf(msg, sizeof(msg), "tap executable \"%s\": not executable: Exec format error", path);
    expect_not_found(path, msg);

    /* A bare name from PATH, no files. */
    const char *args[] = {"-c", "echo hi; echo oops >&2; exit 4", NULL};
    trun_init(&t, "tap-exit", "{}");
    t.spec.executable = "sh";
    t.spec.args = args;
    t.spec.files = NULL;
    t.spec.nfiles = 0;
    assert_int_equal(trun_go(&t), 0);
    assert_int_equal(t.res.end, TAP_EXITED);
    assert_int_equal(t.res.code, 4);
    assert_string_equal(buf_cstr(&t.cap.out), "1:hi\n");
    assert_string_equal(buf_cstr(&t.cap.errs), "oops\n");
    trun_dispose(&t);

    /* A relative path holding '/': from our directory, not the tap's. */
    trun_init(&t, "tap-exit", "{\"lines\": 1}");
    t.spec.executable = "tests/fixtures/taps/tap-exit";
    assert_int_equal(trun_go(&t), 0);
    assert_int_equal(t.res.end, TAP_EXITED);
    assert_string_equal(buf_cstr(&t.cap.out), "1:{\"type\":\"STATE\",\"value\":1}\n");
    trun_dispose(&t);
}

static void stdout_line_cap(void **state)
{
    (void)state;
    struct trun t;

    trun_init(&t, "tap-exit", "{\"lines\": 1, \"huge\": 16777217}");
    assert_int_equal(trun_go(&t), ERR_TOOBIG);
    assert_string_equal(t.err.msg, "stdout line 2: longer than 16777216 bytes");
    assert_int_equal(t.res.end, TAP_STOPPED);
    assert_int_equal(t.res.stdout_lines, 1);
    assert_string_equal(buf_cstr(&t.cap.out), "1:{\"type\":\"STATE\",\"value\":1}\n");
    trun_dispose(&t);

    /* Exactly the cap is a line. */
    trun_init(&t, "tap-exit", "{\"lines\": 1, \"huge\": 16777216, \"newline\": 1}");
    assert_int_equal(trun_go(&t), 0);
    assert_int_equal(t.res.end, TAP_EXITED);
    assert_string_equal(buf_cstr(&t.cap.out),
                        "1:{\"type\":\"STATE\",\"value\":1}\n2:<16777216 bytes>\n");
    assert_false(t.cap.not_all_a);
    assert_int_equal(t.res.stdout_bytes, 27 + SINGER_LINE_MAX + 1);
    trun_dispose(&t);
}

/* The tap exits, its background sleep keeps stdout and stderr open: the
 * run ends all the same, and the sleep is killed. */
static void grandchild_holds_pipes(void **state)
{
    (void)state;
    struct trun t;

    trun_init(&t, "tap-exit", "{\"lines\": 1, \"grandchild\": 1}");
    assert_int_equal(trun_go(&t), 0);
    assert_int_equal(t.res.end, TAP_EXITED);
    assert_int_equal(t.res.code, 0);
    assert_string_equal(buf_cstr(&t.cap.out), "1:{\"type\":\"STATE\",\"value\":1}\n");
    assert_group_gone(t.cap.pgid);
    trun_dispose(&t);
}

/* What a killed process left in $TMPDIR: its folders go, with a folder
 * inside it cannot write to; a live process's folders and anything else
 * named alike stay. */
static void sweep_leftovers(void **state)
{
    (void)state;
    char p[512], q[600];
    size_t removed = 9;
    struct err e;

    snprintf(p, sizeof(p), "%s/inlet-tap-Ab12Cd", tmp_base);
    assert_int_equal(mkdir(p, 0700), 0);
    snprintf(q, sizeof(q), "%s/config.json", p);
    FILE *f = fopen(q, "w");
    assert_non_null(f);
    fputs("{\"api_key\":\"secret\"}", f);
    fclose(f);
    snprintf(q, sizeof(q), "%s/locked", p);
    assert_int_equal(mkdir(q, 0700), 0);
    snprintf(q, sizeof(q), "%s/locked/x", p);
    f = fopen(q, "w");
    assert_non_null(f);
    fclose(f);
    snprintf(q, sizeof(q), "%s/locked", p);
    assert_int_equal(chmod(q, 0500), 0);
    /* A folder of a process that is gone goes too; a live one's stays. */
    char dead[512], live[512];
    snprintf(dead, sizeof(dead), "%s/inlet-tap-2147483000-Xy12Zq", tmp_base);
    assert_int_equal(mkdir(dead, 0700), 0);
    snprintf(live, sizeof(live), "%s/inlet-tap-%ld-Xy12Zq", tmp_base, (long)getppid());
    assert_int_equal(mkdir(live, 0700), 0);
    /* Not ours to remove: a longer name, a file, a symlink to a folder. */
    snprintf(q, sizeof(q), "%s/inlet-tap-Ab12Cd7", tmp_base);
    assert_int_equal(mkdir(q, 0700), 0);
    snprintf(q, sizeof(q), "%s/inlet-tap-file01", tmp_base);
    f = fopen(q, "w");
    assert_non_null(f);
    fclose(f);
    snprintf(q, sizeof(q), "%s/inlet-tap-link01", tmp_base);
    assert_int_equal(symlink(scratch, q), 0);

    assert_int_equal(tap_sweep(&removed, &e), 0);
    assert_int_equal(removed, 2);
    assert_int_equal(access(p, F_OK), -1);
    assert_int_equal(access(dead, F_OK), -1);
    assert_int_equal(access(live, F_OK), 0);
    assert_int_equal(rmdir(live), 0);
    snprintf(q, sizeof(q), "%s/inlet-tap-Ab12Cd7", tmp_base);
    assert_int_equal(access(q, F_OK), 0);
    assert_int_equal(rmdir(q), 0);
    snprintf(q, sizeof(q), "%s/inlet-tap-file01", tmp_base);
    assert_int_equal(unlink(q), 0);
    snprintf(q, sizeof(q), "%s/inlet-tap-link01", tmp_base);
    assert_int_equal(unlink(q), 0);
    assert_int_equal(access(scratch, F_OK), 0);
}

static int group_setup(void **state)
{
    (void)state;
    const char *t = getenv("TMPDIR");
    size_t n;

    saved_tmpdir = t ? xstrdup(t) : NULL;
    tmp_base = test_tmpdir();
    scratch = test_tmpdir();
    if (!tmp_base || !scratch || !getcwd(taps_dir, sizeof(taps_dir) - 32))
        return -1;
    n = strlen(taps_dir);
    snprintf(taps_dir + n, sizeof(taps_dir) - n, "/tests/fixtures/taps");
    return setenv("TMPDIR", tmp_base, 1);
}

static int group_teardown(void **state)
{
    (void)state;
    if (saved_tmpdir)
        setenv("TMPDIR", saved_tmpdir, 1);
    else
        unsetenv("TMPDIR");
    test_tmpdir_remove(tmp_base);
    test_tmpdir_remove(scratch);
    xfree(tmp_base);
    xfree(scratch);
    xfree(saved_tmpdir);
    return 0;
}

int test_tap(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scrub_basics),
        cmocka_unit_test(scrub_overlaps),
        cmocka_unit_test(stdout_lines),
        cmocka_unit_test(partial_line_and_exit_codes),
        cmocka_unit_test(signal_death),
        cmocka_unit_test(timeout_kills_group),
        cmocka_unit_test(cancel_kills_group),
        cmocka_unit_test(callback_stops),
        cmocka_unit_test(private_folder),
        cmocka_unit_test(environment_minimal),
        cmocka_unit_test(stderr_scrubbed_and_cut),
        cmocka_unit_test(executables),
        cmocka_unit_test(stdout_line_cap),
        cmocka_unit_test(grandchild_holds_pipes),
        cmocka_unit_test(sweep_leftovers),
    };
    return test_group("tap", tests, group_setup, group_teardown);
}
