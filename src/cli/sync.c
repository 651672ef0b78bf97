/* cli/sync.c - see sync.h. Exit codes as main.c's: 0 done, 1 a failure
 * (the message on stderr), 2 bad usage or configuration. */
#include "cli/sync.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "connectors/registry.h"
#include "core/alloc.h"
#include "core/time.h"
#include "singer/catalog.h"
#include "store/integration.h"
#include "sync/sync.h"

enum { OK = 0, FAIL = 1, USAGE = 2 };

#define SELECT_MAX 1000 /* streams named in one --select */

static int fail(const struct err *e)
{
    fprintf(stderr, "inlet: %s\n", e->msg);
    return e->code == ERR_INVALID || e->code == ERR_NOTFOUND ? USAGE : FAIL;
}

/* Print the stored catalog's streams, "* " before the selected ones. */
static int print_catalog(const struct oauth_env *env, const char *tenant, const char *id,
                         struct err *err)
{
    struct json_object *cat = NULL;
    char *text = NULL;
    int rc = db_begin_tenant_read(env->db, tenant, err);
    if (rc < 0)
        return rc;
    rc = integration_catalog_get(&text, env->db, tenant, id, err);
    db_rollback(env->db);
    if (rc == 0 && text)
        rc = catalog_parse(&cat, text, strlen(text), err);
    for (size_t i = 0; rc == 0 && i < catalog_count(cat); i++) {
        struct json_object *s = catalog_stream(cat, i);
        printf("%s %s\n", catalog_stream_selected(s) ? "*" : " ", catalog_stream_id(s));
    }
    json_object_put(cat);
    xfree(text);
    return rc;
}

/* Split list ("a,b", for flag; NULL: none) into *names (OUT, xfree;
 * borrowed from *copy, OUT, xfree) and *n. */
static int split_names(const char ***names, size_t *n, char **copy, const char *list,
                       const char *flag, struct err *err)
{
    int rc = 0;
    *names = NULL;
    *n = 0;
    *copy = NULL;
    if (!list)
        return 0;
    *copy = xstrdup(list);
    *names = xcalloc(SELECT_MAX, sizeof(**names));
    for (char *save = NULL, *tok = strtok_r(*copy, ",", &save); tok && rc == 0;
         tok = strtok_r(NULL, ",", &save)) {
        if (*n == SELECT_MAX)
            rc = err_set(err, ERR_INVALID, "%s: more than %d streams", flag, SELECT_MAX);
        else
            (*names)[(*n)++] = tok;
    }
    if (rc == 0 && *n == 0)
        rc = err_set(err, ERR_INVALID, "%s: name at least one stream", flag);
    return rc;
}

int cli_discover(const struct cli_ctx *x, const char *tenant, const char *id, const char *select,
                 bool select_all)
{
    struct registry *reg = NULL;
    struct oauth_env env;
    struct err e;
    const char **names = NULL;
    char *list = NULL;
    size_t n = 0;
    struct sync_discovery d = {0};

    int rc = split_names(&names, &n, &list, select, "--select", &e);
    if (rc == 0)
        rc = cli_env_open(&env, &reg, x, &e);
    if (rc == 0)
        rc = sync_discover(&d, &env, tenant, id, names, n, select_all, &e);
    if (rc == 0)
        rc = print_catalog(&env, tenant, id, &e);
    registry_free(reg);
    xfree(names);
    xfree(list);
    if (rc == 0)
        fprintf(stderr, "inlet: %zu streams, %zu selected; changes: %s\n", d.streams, d.selected,
                buf_cstr(&d.changes));
    sync_discovery_dispose(&d);
    return rc < 0 ? fail(&e) : OK;
}

static volatile sig_atomic_t stop_asked;

static void on_stop(int sig)
{
    (void)sig;
    stop_asked = 1;
}

static bool stopped(void *ctx)
{
    (void)ctx;
    return stop_asked != 0;
}

/* On a terminal: one line, rewritten at each committed batch. */
struct progress {
    bool tty, shown;
    int64_t t0;
};

static void show_progress(void *ctx, const char *stream, const struct loader_counts *n)
{
    struct progress *p = ctx;
    if (!p->tty)
        return;
    double s = (double)(time_mono_ms() - p->t0) / 1000.0;
    char name[64] = "";
    /* The name comes from the provider: nothing of it may steer the terminal. */
    for (size_t i = 0; stream && stream[i] && i < sizeof(name) - 1; i++)
        name[i] = (char)((unsigned char)stream[i] < ' ' || stream[i] == 0x7f ? '?' : stream[i]);
    fprintf(stderr, "\rinlet sync: %lld records (%lld failed), %.0f records/s%s%s\033[K",
            (long long)n->processed, (long long)n->failed, s > 0 ? (double)n->processed / s : 0.0,
            name[0] ? ", stream " : "", name);
    p->shown = true;
}

int cli_sync(const struct cli_ctx *x, const char *tenant, const char *id, int64_t timeout_s,
             bool full, const char *streams)
{
    struct registry *reg = NULL;
    struct oauth_env env;
    struct sync_run run = {0};
    struct sigaction sa = {0}, old_int, old_term;
    struct progress pr = {.tty = isatty(STDERR_FILENO) != 0, .t0 = time_mono_ms()};
    const char **names = NULL;
    char *list = NULL;
    size_t n = 0;
    struct err e;

    if (split_names(&names, &n, &list, streams, "--stream", &e) < 0) {
        xfree(names);
        xfree(list);
        return fail(&e);
    }

    /* No SA_RESTART: the tap runner's poll() wakes up and sees the flag. */
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    int rc = cli_env_open(&env, &reg, x, &e);
    if (rc == 0) {
        struct sync_opts o = {.env = &env,
                              .tenant_id = tenant,
                              .integration_id = id,
                              .triggered_by = "manual",
                              .timeout_ms = timeout_s * 1000,
                              .full = full,
                              .streams = names,
                              .nstreams = n,
                              .progress = show_progress,
                              .cancelled = stopped,
                              .ctx = &pr};
        rc = sync_integration(&run, &o, &e);
    }
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    registry_free(reg);
    xfree(names);
    xfree(list);
    if (pr.shown)
        fputc('\n', stderr);
    if (rc < 0)
        return fail(&e);
    printf("%s %s: %lld records (created %lld, updated %lld, unchanged %lld, deleted %lld, "
           "failed %lld)\n",
           run.id, run.status, (long long)run.n.processed, (long long)run.n.created,
           (long long)run.n.updated, (long long)run.n.unchanged, (long long)run.n.deleted,
           (long long)run.n.failed);
    if (run.error)
        fprintf(stderr, "inlet: %s: %s\n", run.status, run.error);
    int status = strcmp(run.status, "success") == 0 ? OK : FAIL;
    sync_run_dispose(&run);
    return status;
}
