/* sync/tap_sync.c - see tap_sync.h. Secrets live in this process only as
 * long as a run needs them: the tap's config text is wiped after the tap
 * has read it, and what the tap prints on stderr is scrubbed of every
 * secret value before it is kept. */
#include "sync/tap_sync.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <json-c/linkhash.h>

#include "connectors/singer_spec.h"
#include "core/alloc.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "core/secret.h"
#include "core/time.h"
#include "oauth/token.h"
#include "singer/catalog.h"
#include "singer/message.h"
#include "singer/tap.h"
#include "store/integration.h"
#include "sync/loader.h"
#include "sync/run_log.h"
#include "sync/session.h"

#define STDERR_KEPT 3 /* last stderr lines quoted in an error */

/* ---- one integration, ready to run its tap ---- */

struct tap_ctx {
    const struct oauth_env *env;
    const char *tenant_id;
    struct integration it;
    const struct connector *c;
    struct json_object *config, *connection, *secrets;
    struct secret token;
    struct buf tap_config; /* secret: wiped in tap_ctx_dispose */
    const char **scrub;    /* secret values, borrowed from the above */
    const char **args;     /* xmalloc'd, NULL-terminated; strings borrowed from the connector */
    char **envv;           /* xmalloc'd "NAME=value", NULL-terminated */
};

static void tap_ctx_dispose(struct tap_ctx *t)
{
    if (t->tap_config.p)
        secret_wipe(t->tap_config.p, t->tap_config.n);
    buf_dispose(&t->tap_config);
    secret_dispose(&t->token);
    json_object_put(t->config);
    json_object_put(t->connection);
    json_object_put(t->secrets);
    integration_dispose(&t->it);
    xfree(t->scrub);
    xfree(t->args);
    for (size_t i = 0; t->envv && t->envv[i]; i++)
        xfree(t->envv[i]);
    xfree(t->envv);
}

static int open_secrets(struct tap_ctx *t, struct err *err)
{
    struct secret s = {0};
    int rc = db_begin_tenant_read(t->env->db, t->tenant_id, err);
    if (rc < 0)
        return rc;
    rc = integration_secrets_open(&s, t->env->db, t->env->vault, t->tenant_id, t->it.id, err);
    db_rollback(t->env->db);
    if (rc == ERR_NOTFOUND)
        return err_set(err, ERR_INVALID, "integration %s has no secrets yet: set them first",
                       t->it.id);
    if (rc < 0)
        return rc;
    rc = jsonx_parse(&t->secrets, (const char *)s.p, s.n, s.n + 1, err);
    secret_dispose(&s);
    return rc;
}

/* The connector's constant arguments and environment, as tap_spec wants. */
static void tap_argv(struct tap_ctx *t)
{
    struct json_object *args = jsonx_get(t->c->singer, "args");
    struct json_object *env = jsonx_get(t->c->singer, "env");
    size_t n = 0;

    t->args = xcalloc(jsonx_len(args) + 1, sizeof(*t->args));
    for (size_t i = 0; i < jsonx_len(args); i++)
        t->args[i] = jsonx_str(jsonx_at(args, i));
    n = json_object_is_type(env, json_type_object) ? (size_t)json_object_object_length(env) : 0;
    t->envv = xcalloc(n + 1, sizeof(*t->envv));
    n = 0;
    if (json_object_is_type(env, json_type_object)) {
        json_object_object_foreach(env, name, value)
        {
            struct buf b;
            buf_init(&b, 0);
            buf_printf(&b, "%s=%s", name, jsonx_str(value) ? jsonx_str(value) : "");
            t->envv[n++] = buf_take(&b);
            buf_dispose(&b);
        }
    }
}

static int tap_ctx_open(struct tap_ctx *t, const struct oauth_env *env, const char *tenant_id,
                        const char *id, struct err *err)
{
    memset(t, 0, sizeof(*t));
    t->env = env;
    t->tenant_id = tenant_id;
    buf_init(&t->tap_config, 0);
    int rc =
        session_integration(&t->it, &t->c, &t->config, &t->connection, env, tenant_id, id, err);
    if (rc < 0)
        return rc;
    if (!t->c || !t->c->singer)
        return err_set(err, ERR_INVALID, "integration %s: connector %s is not a Singer tap", id,
                       t->it.connector);
    if (t->c->auth_kind == CONNECTOR_AUTH_API_KEY || t->c->auth_kind == CONNECTOR_AUTH_BASIC)
        rc = open_secrets(t, err);
    else if (t->c->auth_kind == CONNECTOR_AUTH_OAUTH2)
        rc = oauth_token_get(&t->token, NULL, env, tenant_id, id, NULL, false, err);
    if (rc < 0)
        return rc;
    struct singer_values v = {.config = t->config,
                              .secrets = t->secrets,
                              .connection = jsonx_get(t->connection, "metadata"),
                              .access_token = t->token.p ? (const char *)t->token.p : NULL};
    singer_spec_config(&t->tap_config, &t->scrub, t->c->singer, &v);
    tap_argv(t);
    return 0;
}

static int64_t timeout_of(const struct tap_ctx *t, const char *member, int64_t dflt_s)
{
    struct json_object *v = jsonx_get(t->c->singer, member);
    return (v ? json_object_get_int64(v) : dflt_s) * 1000;
}

/* The last few stderr lines, for an error message. */
struct tail {
    char line[STDERR_KEPT][200];
    size_t n;
};

static void tail_add(struct tail *tl, const char *s, size_t n)
{
    if (n == 0)
        return;
    if (tl->n == STDERR_KEPT) {
        memmove(tl->line[0], tl->line[1], sizeof(tl->line[0]) * (STDERR_KEPT - 1));
        tl->n--;
    }
    snprintf(tl->line[tl->n++], sizeof(tl->line[0]), "%.*s", (int)(n < 199 ? n : 199), s);
}

/* ms as "N s", or "N ms" when it is not whole seconds; in d. */
static const char *duration(char d[32], int64_t ms)
{
    if (ms % 1000)
        snprintf(d, 32, "%lld ms", (long long)ms);
    else
        snprintf(d, 32, "%lld s", (long long)(ms / 1000));
    return d;
}

/* "the tap exited with status 1" and its last stderr line, into out. */
static void describe_end(char *out, size_t size, const struct tap_result *res,
                         const struct tail *tl, int64_t timeout_ms)
{
    const char *last = tl->n ? tl->line[tl->n - 1] : NULL;
    char d[32];
    switch (res->end) {
    case TAP_EXITED:
        snprintf(out, size, "the tap exited with status %d%s%s", res->code, last ? ": " : "",
                 last ? last : "");
        break;
    case TAP_SIGNALED:
        snprintf(out, size, "the tap was killed by signal %d (%s)%s%s", res->code,
                 strsignal(res->code), last ? ": " : "", last ? last : "");
        break;
    case TAP_TIMED_OUT:
        snprintf(out, size, "the tap ran for more than %s and was stopped",
                 duration(d, timeout_ms));
        break;
    case TAP_CANCELLED:
        snprintf(out, size, "cancelled");
        break;
    case TAP_STOPPED:
        snprintf(out, size, "stopped");
        break;
    }
}

/* ---- discovery ---- */

struct disc {
    struct buf out;
    struct tail tail;
};

static int disc_stdout(void *ctx, const char *line, size_t n, size_t lineno, bool complete,
                       struct err *err)
{
    struct disc *d = ctx;
    (void)complete;
    buf_put(&d->out, line, n);
    buf_putc(&d->out, '\n');
    if (buf_failed(&d->out))
        return err_set(err, ERR_TOOBIG, "the tap's catalog is over %u bytes (line %zu)",
                       (unsigned)CATALOG_MAX, lineno);
    return 0;
}

static void disc_stderr(void *ctx, const char *line, size_t n)
{
    tail_add(&((struct disc *)ctx)->tail, line, n);
}

int tap_discover(struct sync_discovery *out, const struct oauth_env *env, const char *tenant_id,
                 const char *integration_id, const char *const *names, size_t n, bool select_all,
                 struct err *err)
{
    struct tap_ctx t;
    struct disc d = {0};
    struct tap_result res = {0};
    struct json_object *fresh = NULL;
    char why[600];

    if (out) {
        memset(out, 0, sizeof(*out));
        buf_init(&out->changes, 0);
    }
    int rc = tap_ctx_open(&t, env, tenant_id, integration_id, err);
    buf_init(&d.out, CATALOG_MAX);
    if (rc == 0) {
        const char *const tail_args[] = {"--discover", NULL};
        struct tap_file files[] = {
            {"--config", "config.json", t.tap_config.p ? t.tap_config.p : "{}", t.tap_config.n}};
        int64_t timeout =
            timeout_of(&t, "discover_timeout_seconds", SINGER_DISCOVER_TIMEOUT_DEFAULT_S);
        struct tap_spec spec = {.executable = t.c->singer_executable,
                                .args = t.args,
                                .files = files,
                                .nfiles = 1,
                                .tail_args = tail_args,
                                .env = (const char *const *)t.envv,
                                .timeout_ms = timeout,
                                .secrets = t.scrub};
        struct tap_io io = {.on_stdout = disc_stdout, .on_stderr = disc_stderr, .ctx = &d};
        rc = tap_run(&spec, &io, &res, err);
        if (rc == 0 && !(res.end == TAP_EXITED && res.code == 0)) {
            describe_end(why, sizeof(why), &res, &d.tail, timeout);
            rc = err_set(err, ERR_INVALID, "discovery failed: %s", why);
        }
    }
    if (rc == 0 && catalog_parse(&fresh, d.out.p ? d.out.p : "", d.out.n, err) < 0) {
        snprintf(why, sizeof(why), "%s", err->msg);
        rc = err_set(err, ERR_INVALID, "the tap's --discover output is not a catalog: %s", why);
    }
    if (rc == 0)
        rc = session_catalog_store(out, t.env, t.tenant_id, t.it.id, fresh, names, n, select_all,
                                   err);
    json_object_put(fresh);
    buf_dispose(&d.out);
    tap_ctx_dispose(&t);
    return rc;
}

/* ---- a sync ---- */

struct syncx {
    const struct sync_opts *o;
    struct tap_ctx *t;
    struct session s; /* the run, its log, the loader */
    struct jsonx_parser p;
    struct tail tail;
    char *cut; /* a last line without its newline, until the exit says what it is */
    size_t cut_n, cut_lineno;
    int64_t stall_ms, last_out_ms; /* the watchdog */
    bool stalled;
};

static int save_state(void *ctx, struct db *db, struct json_object *state, struct err *err)
{
    struct syncx *x = ctx;
    struct buf b;
    buf_init(&b, 0);
    jsonx_format(&b, state);
    int rc = stream_state_put(db, x->t->tenant_id, x->t->it.id, TAP_STATE_STREAM, buf_cstr(&b),
                              time_now_ms() / 1000, err);
    buf_dispose(&b);
    return rc;
}

static int before_commit(void *ctx, struct db *db, struct err *err)
{
    return session_before_commit(&((struct syncx *)ctx)->s, db, err);
}

static int on_record(void *ctx, struct db *db, const char *stream, struct json_object *record,
                     bool deleted, struct err *err)
{
    return session_on_record(&((struct syncx *)ctx)->s, db, stream, record, deleted, err);
}

static bool appended(void *ctx, const char *stream)
{
    return session_appended(&((struct syncx *)ctx)->s, stream);
}

static int load_line(struct syncx *x, const char *line, size_t n, size_t lineno, struct err *err)
{
    struct singer_msg m;
    char why[ERR_MSG_MAX];
    if (singer_line_blank(line, n))
        return 0;
    int rc = singer_parse_line(&m, &x->p, line, n, lineno, err);
    if (rc < 0)
        return rc;
    rc = loader_message(x->s.l, &m, err);
    singer_msg_dispose(&m);
    if (rc < 0) { /* the loader's messages do not know the line */
        snprintf(why, sizeof(why), "%s", err->msg);
        err_set(err, rc, "line %zu: %s", lineno, why);
    }
    return rc;
}

static int sync_stdout(void *ctx, const char *line, size_t n, size_t lineno, bool complete,
                       struct err *err)
{
    struct syncx *x = ctx;
    x->s.bytes += (int64_t)n + complete;
    x->last_out_ms = time_mono_ms();
    if (!complete) {
        x->cut = xstrndup(line, n);
        x->cut_n = n;
        x->cut_lineno = lineno;
        return 0;
    }
    return load_line(x, line, n, lineno, err);
}

static void sync_stderr(void *ctx, const char *line, size_t n)
{
    struct syncx *x = ctx;
    tail_add(&x->tail, line, n);
    run_log_add(&x->s.log, time_now_ms(), "info", "tap", line, n);
}

static bool sync_cancelled(void *ctx)
{
    struct syncx *x = ctx;
    if (x->s.cancel_seen)
        return true;
    /* A tap that says nothing for this long is taken as hung. */
    if (time_mono_ms() - x->last_out_ms > x->stall_ms)
        return x->stalled = x->s.cancel_seen = true;
    return session_cancelled(&x->s);
}

/* The tap's state file: the stored state, or none. */
static int read_state(char **json, struct tap_ctx *t, struct err *err)
{
    int rc = db_begin_tenant_read(t->env->db, t->tenant_id, err);
    if (rc < 0)
        return rc;
    rc = stream_state_get(json, t->env->db, t->tenant_id, t->it.id, TAP_STATE_STREAM, err);
    db_rollback(t->env->db);
    return rc;
}

/* Run the tap with the loader behind it; the run's status and error out. */
static void run_tap(struct syncx *x, const char *catalog, const char *state, const char **status,
                    char *error, size_t size)
{
    struct tap_result res = {0};
    struct err e;
    const char *flag = jsonx_str(jsonx_get(x->t->c->singer, "catalog_flag"));
    struct tap_file files[3] = {
        {"--config", "config.json", x->t->tap_config.p ? x->t->tap_config.p : "{}",
         x->t->tap_config.n},
        {flag ? flag : "--catalog", "catalog.json", catalog ? catalog : "{}",
         catalog ? strlen(catalog) : 2},
        {"--state", "state.json", state ? state : "", state ? strlen(state) : 0},
    };
    int64_t timeout = x->o->timeout_ms
                          ? x->o->timeout_ms
                          : timeout_of(x->t, "timeout_seconds", SINGER_TIMEOUT_DEFAULT_S);
    struct tap_spec spec = {.executable = x->t->c->singer_executable,
                            .args = x->t->args,
                            .files = files,
                            .nfiles = state ? 3 : 2,
                            .env = (const char *const *)x->t->envv,
                            .timeout_ms = timeout,
                            .secrets = x->t->scrub};
    x->stall_ms =
        x->o->stall_ms ? x->o->stall_ms : timeout_of(x->t, "stall_seconds", SINGER_STALL_DEFAULT_S);
    x->last_out_ms = time_mono_ms();
    struct tap_io io = {
        .on_stdout = sync_stdout, .on_stderr = sync_stderr, .cancelled = sync_cancelled, .ctx = x};

    *status = "failed";
    error[0] = '\0';
    int rc = tap_run(&spec, &io, &res, &e);
    /* The tap has read its config: no copy of the secrets stays. */
    if (x->t->tap_config.p)
        secret_wipe(x->t->tap_config.p, x->t->tap_config.n);
    if (rc < 0) {
        snprintf(error, size, "%s", e.msg);
        return; /* the loader is spent (or the tap never ran): nothing more commits */
    }
    bool clean = res.end == TAP_EXITED && res.code == 0;
    if (x->cut && clean) {
        rc = load_line(x, x->cut, x->cut_n, x->cut_lineno, &e);
    } else if (x->cut) {
        char note[120];
        snprintf(note, sizeof(note), "line %zu was cut off when the tap ended: not loaded",
                 x->cut_lineno);
        run_log_add(&x->s.log, time_now_ms(), "warn", "inlet", note, strlen(note));
    }
    /* What came before the end is sound: commit it with its state. */
    if (rc == 0)
        rc = loader_finish(x->s.l, &e);
    if (rc < 0) {
        snprintf(error, size, "%s", e.msg);
        return;
    }
    if (res.end == TAP_CANCELLED && x->stalled) {
        char d[32];
        snprintf(error, size,
                 "the tap printed nothing for %s and was stopped as hung (the connector's "
                 "singer.stall_seconds)",
                 duration(d, x->stall_ms));
        return;
    }
    if (res.end == TAP_CANCELLED) {
        *status = "cancelled";
        snprintf(error, size, "cancelled");
        return;
    }
    if (!clean) {
        describe_end(error, size, &res, &x->tail, timeout);
        return;
    }
    struct loader_counts n;
    loader_counts(x->s.l, &n);
    *status = n.failed ? "partial" : "success";
    if (n.failed)
        snprintf(error, size, "%lld records failed validation", (long long)n.failed);
}

int tap_sync(struct sync_run *run, const struct sync_opts *o, struct err *err)
{
    struct tap_ctx t;
    struct syncx x = {.o = o, .t = &t};
    char *catalog = NULL, *state = NULL;
    char error[SYNC_RUN_ERROR_MAX + 1];
    char prefix[ID_MAX + 1]; /* the loader borrows it */
    const char *status = "failed";

    memset(run, 0, sizeof(*run));
    session_init(&x.s, o);
    jsonx_parser_init(&x.p, SINGER_LINE_MAX);
    int rc = tap_ctx_open(&t, o->env, o->tenant_id, o->integration_id, err);
    if (rc == 0)
        rc = session_read_catalog(&catalog, o, t.it.id, err);
    if (rc == 0 && catalog) /* session_read_catalog gave one */
        rc = catalog_parse(&x.s.cat, catalog, strlen(catalog), err);
    if (rc == 0 && !o->full)
        rc = read_state(&state, &t, err);
    if (rc == 0) {
        snprintf(prefix, sizeof(prefix), "%s_", t.it.id);
        struct loader_opts lo = {.db = o->env->db,
                                 .tenant_id = o->tenant_id,
                                 .table_prefix = prefix,
                                 .batch_size = o->batch_size,
                                 .save_state = save_state,
                                 .before_commit = before_commit,
                                 .appended = appended,
                                 .on_record = on_record,
                                 .ctx = &x};
        rc = loader_new(&x.s.l, &lo, err);
    }
    if (rc == 0)
        rc = session_normalize_begin(&x.s, t.c, t.it.id, err);
    if (rc == 0)
        rc = session_start(&x.s, t.it.id, err);
    if (rc == 0) {
        char note[200];
        snprintf(note, sizeof(note), "%s: running %s%s", t.it.connector, t.c->singer_executable,
                 state ? ", resuming from the stored state" : "");
        run_log_add(&x.s.log, time_now_ms(), "info", "inlet", note, strlen(note));
        run_tap(&x, catalog, state, &status, error, sizeof(error));
        rc = session_finish(&x.s, status, error[0] ? error : NULL, err);
        if (rc == 0) {
            *run = x.s.run;
            memset(&x.s.run, 0, sizeof(x.s.run));
        }
    }
    if (rc < 0 && o->run_id && !run->id[0])
        session_fail_given(o, err);
    session_dispose(&x.s);
    loader_free(x.s.l);
    jsonx_parser_dispose(&x.p);
    xfree(x.cut);
    xfree(catalog);
    xfree(state);
    tap_ctx_dispose(&t);
    return rc;
}
