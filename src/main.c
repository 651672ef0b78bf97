/* main.c - the inlet command line. Parses the configuration (environment,
 * then flags anywhere on the line), opens what a command needs (database,
 * keyring) and runs it. Human output goes to stdout, JSON log lines to
 * stderr. Exit status: 0 done, 1 the operation failed, 2 bad usage or bad
 * configuration (nothing was written). Secrets are read from the
 * environment or stdin, never from the command line. */
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api.h"
#include "cli/call.h"
#include "cli/connect.h"
#include "cli/load.h"
#include "cli/sync.h"
#include "cli/worker.h"
#include "connectors/registry.h"
#include "connectors/urls.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "core/str.h"
#include "core/time.h"
#include "crypto/vault.h"
#include "db/db.h"
#include "db/migrate.h"
#include "db/pool.h"
#include "sandbox/demo.h"
#include "sandbox/sandbox.h"
#include "store/audit.h"
#include "store/keyring.h"
#include "store/platform_key.h"
#include "store/sealed.h"
#include "store/tenant.h"

#define INLET_VERSION  "0.1.0"
#define SERVE_GRACE_MS 10000 /* how long requests in flight may take to finish at a stop */

extern char **environ;

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

enum { NEED_DB = 1, NEED_VAULT = 2 };

/* What a command runs with; main owns every member. */
struct app {
    struct config cfg;
    struct db *db;       /* when the command needs it */
    struct vault *vault; /* when the command needs it */
    int argc;            /* positional arguments after the command words */
    char **argv;
    int64_t batch;       /* keys rotate --batch */
    int64_t max_batches; /* keys rotate --max-batches */
    bool rotate_flags;   /* either was given */
    /* sandbox --providers, --records, --seed, --faults */
    const char *providers;
    const char *faults;
    int64_t records;
    int64_t seed;
    bool sandbox_flags; /* any of them was given */
    /* serve --demo[=PORT]: the sandbox in-process, from base port PORT */
    bool demo;
    int64_t demo_port;
    /* load --schema S --batch-size N --strict --config FILE */
    const char *load_schema;
    const char *load_config;
    int64_t load_batch;
    bool load_strict;
    bool load_flags; /* any of them was given */
    /* discover --select S1,S2 --select-all; sync --timeout S --full --stream S1,S2 */
    const char *select;
    const char *sync_streams;
    const char *input, *data; /* action --input JSON; proxy --data BODY */
    int64_t timeout_s;
    int64_t probe_ms;
    bool sync_full;
    bool select_all;
    bool discover_flags;
    bool sync_flags;
    bool probe_flags; /* jobs probe --ms M, below */
};

static int fail(const struct err *e)
{
    fprintf(stderr, "inlet: %s\n", e->msg);
    return e->code == ERR_INVALID || e->code == ERR_TOOBIG ? EXIT_USAGE : EXIT_FAIL;
}

/* Write "label value\n" to stdout with write(2): the value is a secret, so
 * it must not linger in a stdio buffer, and a failed write must be known. */
static int write_secret_line(const char *label, const struct secret *value)
{
    struct {
        const void *p;
        size_t n;
    } parts[] = {{label, strlen(label)}, {value->p, value->n}, {"\n", 1}};
    if (fflush(stdout) != 0)
        return -1;
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        const char *p = parts[i].p;
        size_t left = parts[i].n;
        while (left > 0) {
            ssize_t w = write(STDOUT_FILENO, p, left);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                return -1;
            p += w;
            left -= (size_t)w;
        }
    }
    return 0;
}

static int cmd_version(struct app *a)
{
    (void)a;
    printf("inlet %s\n", INLET_VERSION);
    return EXIT_OK;
}

static int cmd_migrate(struct app *a)
{
    struct err e;
    struct buf url;
    int pending = 0;

    /* open_needs has migrated already; say where things stand. */
    if (db_migrations_pending(a->db, &pending, &e) < 0)
        return fail(&e);
    buf_init(&url, 0);
    config_db_url_redacted(&a->cfg, &url);
    printf("database   %s (%s)\n", buf_cstr(&url), db_engine(a->db));
    printf("migrations %d pending\n", pending);
    if (strcmp(db_engine(a->db), "sqlite") == 0)
        printf("data       %s\n", a->cfg.data_dir);
    buf_dispose(&url);
    return EXIT_OK;
}

static int cmd_tenant_create(struct app *a)
{
    char id[ID_MAX];
    struct secret key = {0};
    struct err e;

    if (tenant_create(id, &key, a->db, a->argv[0], &e) < 0)
        return fail(&e);
    printf("tenant  %s\n", id);
    int wrote = write_secret_line("api_key ", &key);
    secret_dispose(&key);
    if (wrote < 0) {
        fprintf(stderr,
                "inlet: tenant %s was created but its API key could not be written (%s); "
                "`inlet tenant key-rotate %s` makes a new one\n",
                id, strerror(errno), id);
        return EXIT_FAIL;
    }
    fprintf(stderr,
            "inlet: keep the API key now; only its hash is stored, it cannot be shown "
            "again (`inlet tenant key-rotate %s` makes a new one)\n",
            id);
    log_info("tenant created", LOG_STR("tenant", id));
    return EXIT_OK;
}

static int print_tenant(void *ctx, const struct tenant_info *t)
{
    char when[TIME_RFC3339_MAX];
    (void)ctx;
    if (t->created_at >= 0 && t->created_at <= TIME_MAX_MS / 1000)
        time_format_rfc3339_sec(when, t->created_at * 1000);
    else
        snprintf(when, sizeof(when), "?");
    printf("%s  %s  %lld key%s  %s\n", t->id, when, (long long)t->live_keys,
           t->live_keys == 1 ? " " : "s", t->name);
    return 0;
}

static int cmd_tenant_list(struct app *a)
{
    struct err e;
    if (tenant_list(NULL, a->db, NULL, 0, print_tenant, NULL, &e) < 0)
        return fail(&e);
    return EXIT_OK;
}

static int cmd_tenant_key_rotate(struct app *a)
{
    struct secret key = {0};
    struct err e;

    if (tenant_key_rotate(&key, a->db, a->argv[0], &e) < 0)
        return fail(&e);
    int wrote = write_secret_line("api_key ", &key);
    secret_dispose(&key);
    if (wrote < 0) {
        fprintf(stderr,
                "inlet: the old keys are revoked but the new key could not be written (%s); "
                "run key-rotate again\n",
                strerror(errno));
        return EXIT_FAIL;
    }
    fprintf(stderr, "inlet: the tenant's previous keys no longer work\n");
    log_info("tenant key rotated", LOG_STR("tenant", a->argv[0]));
    return EXIT_OK;
}

/* A platform key and its entry in the platform's audit log commit
 * together; the key goes to stdout once, the way tenant keys do. */
static int cmd_platform_key(struct app *a)
{
    char id[ID_MAX];
    struct secret key = {0};
    struct err e;
    int64_t now = time_now_ms() / 1000;
    struct audit_entry en = {.actor = "cli", .action = "platform_key.create"};

    int rc = db_begin(a->db, &e);
    if (rc == 0 && (rc = platform_key_create(id, &key, a->db, a->argv[0], now, &e)) == 0) {
        en.target_type = "platform_key";
        en.target_id = id;
        rc = audit_record(a->db, &en, now, &e);
    }
    if (rc == 0 && (rc = db_commit(a->db, &e)) < 0)
        secret_dispose(&key);
    if (rc < 0) {
        db_rollback(a->db);
        secret_dispose(&key);
        return fail(&e);
    }
    printf("platform_key_id %s\n", id);
    int wrote = write_secret_line("platform_key    ", &key);
    secret_dispose(&key);
    if (wrote < 0) {
        fprintf(stderr, "inlet: the key could not be written (%s); revoke %s and make another\n",
                strerror(errno), id);
        return EXIT_FAIL;
    }
    fprintf(stderr, "inlet: keep the platform key now; only its hash is stored, it cannot be "
                    "shown again. It acts on every tenant: keep it on the host product's "
                    "servers only.\n");
    log_info("platform key created", LOG_STR("key", id));
    return EXIT_OK;
}

static int print_platform_key(void *ctx, const struct platform_key_info *k)
{
    char when[TIME_RFC3339_MAX];
    (void)ctx;
    time_format_rfc3339_sec(when, k->created_at * 1000);
    printf("%s  %s  %s...  %s  %s\n", k->id, when, k->prefix, k->revoked_at ? "revoked" : "live",
           k->name);
    return 0;
}

static int cmd_platform_keys(struct app *a)
{
    struct err e;
    if (platform_key_list(a->db, print_platform_key, NULL, &e) < 0)
        return fail(&e);
    return EXIT_OK;
}

static int cmd_platform_revoke(struct app *a)
{
    struct err e;
    int64_t now = time_now_ms() / 1000;
    struct audit_entry en = {.actor = "cli",
                             .action = "platform_key.revoke",
                             .target_type = "platform_key",
                             .target_id = a->argv[0]};

    int rc = db_begin(a->db, &e);
    if (rc == 0 && (rc = platform_key_revoke(a->db, a->argv[0], now, &e)) == 0 &&
        (rc = audit_record(a->db, &en, now, &e)) == 0)
        rc = db_commit(a->db, &e);
    if (rc < 0) {
        db_rollback(a->db);
        return fail(&e);
    }
    fprintf(stderr, "inlet: platform key %s no longer works\n", a->argv[0]);
    log_info("platform key revoked", LOG_STR("key", a->argv[0]));
    return EXIT_OK;
}

/* The key comes on stdin, one line, so it never shows in `ps` or history. */
static int cmd_tenant_verify(struct app *a)
{
    char line[TENANT_KEY_TEXT_MAX + 2], tid[ID_MAX], kid[ID_MAX];
    struct err e;
    int rc;

    if (!fgets(line, sizeof(line), stdin)) {
        fprintf(stderr, "inlet: tenant verify: expected an API key on stdin\n");
        return EXIT_USAGE;
    }
    struct str key = str_trim(str_from(line));
    rc = tenant_key_verify(tid, kid, NULL, a->db, key.p, key.n, &e);
    secret_wipe(line, sizeof(line));
    if (rc < 0)
        return fail(&e);
    printf("tenant %s\nkey    %s\n", tid, kid);
    return EXIT_OK;
}

static int cmd_keys_generate(struct app *a)
{
    struct secret line = {0};
    (void)a;
    vault_key_generate(&line);
    int wrote = write_secret_line("", &line);
    secret_dispose(&line);
    if (wrote < 0) {
        fprintf(stderr, "inlet: could not write the key: %s\n", strerror(errno));
        return EXIT_FAIL;
    }
    fprintf(stderr, "inlet: put it first in INLET_KEYS to seal with it, keep the old keys after "
                    "it, then run `inlet keys rotate`\n");
    return EXIT_OK;
}

static void report_failure(void *ctx, const struct sealed_column *col, const char *row_id,
                           const struct err *why)
{
    (void)ctx;
    fprintf(stderr, "inlet: %s.%s row %s: %s\n", col->table, col->blob, row_id, why->msg);
}

static int cmd_keys_rotate(struct app *a)
{
    struct sealed_stats st;
    struct err e;

    int rc = sealed_rotate(&st, a->db, a->vault, (int)a->batch, a->max_batches, report_failure,
                           NULL, &e);
    printf("keys rotate: %lld resealed under %s, %lld failed, %lld sealed by keys not in "
           "INLET_KEYS\n",
           (long long)st.resealed, vault_active_id(a->vault), (long long)st.failed,
           (long long)st.unknown_key);
    if (rc < 0)
        return fail(&e); /* the batches before the error are committed; run again */
    log_info("keys rotated", LOG_STR("active_key", vault_active_id(a->vault)),
             LOG_INT("resealed", st.resealed), LOG_INT("failed", st.failed));
    return st.failed || st.unknown_key ? EXIT_FAIL : EXIT_OK;
}

static int cmd_keys_check(struct app *a)
{
    struct sealed_stats st;
    struct err e;

    if (sealed_check(&st, a->db, a->vault, report_failure, NULL, &e) < 0)
        return fail(&e);
    printf("keys check: %lld sealed values, %lld opened, %lld failed, %lld still under older "
           "keys\n",
           (long long)st.seen, (long long)(st.seen - st.failed), (long long)st.failed,
           (long long)st.stale);
    if (st.stale)
        fprintf(stderr, "inlet: run `inlet keys rotate` before removing any key from "
                        "INLET_KEYS\n");
    return st.failed ? EXIT_FAIL : EXIT_OK;
}

/* Serve the API until SIGINT or SIGTERM, then stop gracefully: new
 * requests get 503, those in flight finish (up to SERVE_GRACE_MS). */
static int cmd_serve(struct app *a)
{
    struct registry *reg = NULL;
    struct sandbox *sb = NULL;
    struct db_pool *pool = NULL;
    struct api *api = NULL;
    struct err e;
    sigset_t stop;
    int sig = 0;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned threads =
        a->cfg.http_threads ? a->cfg.http_threads : (unsigned)(cores > 0 ? cores : 1);

    /* Blocked before any thread starts, so every thread inherits the mask
     * and only sigwait below receives the two signals. */
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    int mask_rc = pthread_sigmask(SIG_BLOCK, &stop, NULL);
    if (mask_rc != 0) {
        fprintf(stderr, "inlet: cannot block SIGINT and SIGTERM: %s\n", strerror(mask_rc));
        return EXIT_FAIL;
    }
    db_close(a->db); /* open_needs migrated through it; requests use the pool */
    a->db = NULL;
    int rc = registry_load(&reg, a->cfg.connectors_dir, NULL, NULL, &e);
    if (rc == 0)
        rc = connector_origins_from_env(reg, (const char *const *)environ, &e);
    if (rc == 0 && a->demo)
        rc = sandbox_demo_start(&sb, reg, "127.0.0.1", (int)a->demo_port, &e);
    if (rc == 0)
        /* A connection per HTTP thread, per worker, the keeper and the loop. */
        rc = db_pool_new(&pool, a->cfg.db_url, threads + a->cfg.workers + 2, &e);
    if (rc == 0) {
        struct api_opts o = {
            .host = a->cfg.listen_host,
            .port = a->cfg.listen_port,
            .threads = threads,
            .body_max = a->cfg.http_body_max,
            .timeout_s = a->cfg.http_timeout,
            .public_url = a->cfg.public_url,
            .rate_rps = a->cfg.rate_limit_rps,
            .rate_burst = a->cfg.rate_limit_burst,
            .access_log = true,
            .sync_workers = a->cfg.workers,
            .no_workers = a->cfg.workers == 0,
            .job_lease = a->cfg.job_lease,
            .jobs_per_tenant = (int)a->cfg.jobs_per_tenant,
            .syncs_per_connector = (int)a->cfg.syncs_per_connector,
            .cron_secret = &a->cfg.cron_secret,
            .scheduler = true,
            .pool = pool,
            .vault = a->vault,
            .registry = reg,
        };
        rc = api_start(&api, &o, &e);
    }
    if (rc < 0) {
        db_pool_free(pool);
        sandbox_stop(sb);
        registry_free(reg);
        return fail(&e);
    }
    log_info("serving", LOG_STR("listen", a->cfg.listen), LOG_STR("public_url", a->cfg.public_url),
             LOG_STR("engine", config_db_engine(&a->cfg)), LOG_INT("threads", threads),
             LOG_INT("workers", a->cfg.workers),
             LOG_INT("connectors", (int64_t)registry_count(reg)));
    /* A closed stdout must not stop the server: the log has the same line. */
    if (printf("inlet %s listening on %s (public URL %s)\n", INLET_VERSION, a->cfg.listen,
               a->cfg.public_url) < 0)
        clearerr(stdout);
    for (int i = 0; sb && i < SANDBOX_PROVIDERS; i++) {
        int port = sandbox_port(sb, (enum sandbox_provider)i);
        if (port && printf("sandbox %-10s http://127.0.0.1:%d\n",
                           sandbox_provider_name((enum sandbox_provider)i), port) < 0)
            clearerr(stdout);
    }
    if (fflush(stdout) != 0)
        clearerr(stdout);
    while (sigwait(&stop, &sig) != 0)
        ;
    log_info("stopping", LOG_STR("signal", sig == SIGINT ? "SIGINT" : "SIGTERM"),
             LOG_INT("grace_ms", SERVE_GRACE_MS));
    api_stop(api, SERVE_GRACE_MS);
    sandbox_stop(sb);
    db_pool_free(pool);
    registry_free(reg);
    log_info("stopped");
    return EXIT_OK;
}

static struct cli_ctx cli_of(const struct app *a)
{
    return (struct cli_ctx){.cfg = &a->cfg, .db = a->db, .vault = a->vault};
}

static int cmd_connect(struct app *a)
{
    struct cli_ctx x = cli_of(a);
    return cli_connect(&x, a->argv[0], a->argv[1], a->argv[2]);
}

static int cmd_integration_test(struct app *a)
{
    struct cli_ctx x = cli_of(a);
    return cli_integration_test(&x, a->argv[0], a->argv[1]);
}

static int cmd_action(struct app *a)
{
    struct cli_ctx x = cli_of(a);
    return cli_action(&x, a->argv[0], a->argv[1], a->argv[2], a->input);
}

static int cmd_proxy(struct app *a)
{
    struct cli_ctx x = cli_of(a);
    return cli_proxy(&x, a->argv[0], a->argv[1], a->argv[2], a->argv[3], a->data);
}

static int cmd_integration_refresh(struct app *a)
{
    struct cli_ctx x = cli_of(a);
    return cli_integration_refresh(&x, a->argv[0], a->argv[1]);
}

static int cmd_integration_disconnect(struct app *a)
{
    struct cli_ctx x = cli_of(a);
    return cli_integration_disconnect(&x, a->argv[0], a->argv[1]);
}

static int cmd_worker(struct app *a)
{
    struct cli_ctx x = cli_of(a);
    return cli_worker(&x, &a->db);
}

static int cmd_jobs(struct app *a)
{
    struct cli_ctx x = cli_of(a);
    return cli_jobs(&x);
}

static int cmd_jobs_probe(struct app *a)
{
    struct cli_ctx x = cli_of(a);
    return cli_jobs_probe(&x, a->argv[0], a->probe_ms);
}

static int cmd_discover(struct app *a)
{
    struct cli_ctx x = cli_of(a);
    return cli_discover(&x, a->argv[0], a->argv[1], a->select, a->select_all);
}

static int cmd_sync(struct app *a)
{
    struct cli_ctx x = cli_of(a);
    return cli_sync(&x, a->argv[0], a->argv[1], a->timeout_s, a->sync_full, a->sync_streams);
}

/* --config FILE, as Meltano gives a loader: {"db", "schema", "batch_size",
 * "strict"}, each optional, over the flags and the environment. *cfg
 * (OUT, json_object_put) holds the strings o points to. */
static int load_config_read(struct json_object **cfg, struct load_opts *o, const char *path,
                            struct err *err)
{
    int64_t batch;
    bool strict;
    int rc = jsonx_read_file(cfg, path, 1 << 20, err);
    if (rc == 0 && !json_object_is_type(*cfg, json_type_object))
        rc = err_set(err, ERR_INVALID, "%s: expected a JSON object", path);
    if (rc == 0 && jsonx_str(jsonx_get(*cfg, "db")))
        o->db_url = jsonx_str(jsonx_get(*cfg, "db"));
    if (rc == 0 && jsonx_str(jsonx_get(*cfg, "schema")))
        o->schema = jsonx_str(jsonx_get(*cfg, "schema"));
    if (rc == 0 && jsonx_get(*cfg, "batch_size")) {
        rc = jsonx_as_i64(&batch, jsonx_get(*cfg, "batch_size"), "batch_size", err);
        if (rc == 0 && (batch < 1 || batch > 1000000))
            rc = err_set(err, ERR_INVALID, "%s: batch_size: from 1 to 1000000", path);
        if (rc == 0)
            o->batch_size = (size_t)batch;
    }
    if (rc == 0 && jsonx_get(*cfg, "strict")) {
        rc = jsonx_as_bool(&strict, jsonx_get(*cfg, "strict"), "strict", err);
        if (rc == 0)
            o->strict = strict;
    }
    return rc;
}

/* A Singer target on stdin (docs/singer.md). The destination is any
 * database --db names; inlet's own tables are not made there. */
static int cmd_load(struct app *a)
{
    struct err e;
    bool sqlite = strcmp(config_db_engine(&a->cfg), "sqlite") == 0;
    if (sqlite && strcmp(a->cfg.db_url, "sqlite::memory:") != 0 &&
        config_prepare_data_dir(&a->cfg, &e) < 0)
        return fail(&e);
    struct load_opts o = {.db_url = a->cfg.db_url,
                          .schema = a->load_schema,
                          .batch_size = (size_t)a->load_batch,
                          .strict = a->load_strict,
                          .in = stdin,
                          .out = stdout,
                          .diag = stderr};
    struct json_object *cfg = NULL;
    if (a->load_config && load_config_read(&cfg, &o, a->load_config, &e) < 0)
        return fail(&e);
    int status = cli_load(&o);
    json_object_put(cfg);
    return status;
}

/* Check one connector file as the server would load it. */
static int cmd_connectors_check(struct app *a)
{
    struct err e;
    size_t n = 0;
    char *text = NULL;
    FILE *f = fopen(a->argv[0], "rb");

    if (!f) {
        fprintf(stderr, "inlet: %s: %s\n", a->argv[0], strerror(errno));
        return EXIT_FAIL;
    }
    struct buf b;
    char chunk[8192];
    buf_init(&b, CONNECTOR_FILE_MAX);
    while (!buf_failed(&b) && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        buf_put(&b, chunk, n);
    bool bad = ferror(f) != 0;
    fclose(f);
    if (bad || buf_failed(&b)) {
        fprintf(stderr, "inlet: %s: %s\n", a->argv[0],
                bad ? "cannot be read" : "over the 1 MiB a connector file may have");
        buf_dispose(&b);
        return EXIT_FAIL;
    }
    n = b.n;
    text = buf_take(&b);
    int rc = registry_check_text(text ? text : "", n, &e);
    xfree(text);
    if (rc < 0) {
        fprintf(stderr, "inlet: %s: %s\n", a->argv[0], e.msg);
        return EXIT_FAIL;
    }
    printf("%s: ok\n", a->argv[0]);
    return EXIT_OK;
}

/* The providers named in --providers (comma-separated), as a bit set. */
static int parse_providers(unsigned *out, const char *list, struct err *err)
{
    *out = 0;
    if (!list)
        return 0;
    const char *p = list;
    while (*p) {
        size_t n = strcspn(p, ",");
        bool found = false;
        for (int i = 0; i < SANDBOX_PROVIDERS; i++) {
            const char *name = sandbox_provider_name((enum sandbox_provider)i);
            if (strlen(name) == n && strncmp(p, name, n) == 0) {
                *out |= 1u << i;
                found = true;
            }
        }
        if (!found)
            return err_set(err, ERR_INVALID,
                           "--providers: expected a comma-separated list of salesforce, "
                           "hubspot, slack");
        p += n;
        if (*p == ',')
            p++;
    }
    return 0;
}

/* Run the provider emulators until SIGINT or SIGTERM (docs/sandbox.md). */
static int cmd_sandbox(struct app *a)
{
    struct sandbox *sb = NULL;
    struct err e;
    sigset_t stop;
    int sig = 0;
    /* Only the flag: INLET_LISTEN is the API's address, not the sandbox's. */
    bool flag = a->cfg.listen_from && strcmp(a->cfg.listen_from, "--listen") == 0;
    struct sandbox_opts o = {
        .host = flag ? a->cfg.listen_host : "127.0.0.1",
        .port = flag ? a->cfg.listen_port : SANDBOX_DEFAULT_PORT,
        .records = a->records >= 0 ? (size_t)a->records : SANDBOX_DEFAULT_RECORDS,
        .seed = (uint64_t)a->seed,
        .faults = a->faults,
    };

    if (parse_providers(&o.providers, a->providers, &e) < 0)
        return fail(&e);
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    int mask_rc = pthread_sigmask(SIG_BLOCK, &stop, NULL);
    if (mask_rc != 0) {
        fprintf(stderr, "inlet: cannot block SIGINT and SIGTERM: %s\n", strerror(mask_rc));
        return EXIT_FAIL;
    }
    if (sandbox_start(&sb, &o, &e) < 0)
        return fail(&e);
    for (int i = 0; i < SANDBOX_PROVIDERS; i++) {
        int port = sandbox_port(sb, (enum sandbox_provider)i);
        if (port && printf("%-10s http://%s:%d\n", sandbox_provider_name((enum sandbox_provider)i),
                           o.host, port) < 0)
            clearerr(stdout);
    }
    if (fflush(stdout) != 0)
        clearerr(stdout);
    while (sigwait(&stop, &sig) != 0)
        ;
    sandbox_stop(sb);
    return EXIT_OK;
}

/* Argument checks that run before anything is opened or written. */
static int check_tenant_name(const struct app *a, struct err *err)
{
    return tenant_name_check(a->argv[0], err);
}

static int check_tenant_id(const struct app *a, struct err *err)
{
    if (!id_valid(a->argv[0], "ten"))
        return err_set(err, ERR_INVALID, "tenant id: expected ten_ and 26 characters");
    return 0;
}

static const struct cmd {
    const char *name, *sub; /* sub NULL: a one-word command */
    int (*run)(struct app *a);
    unsigned needs;
    int nargs;                                          /* positional arguments it takes */
    int (*check)(const struct app *a, struct err *err); /* of its arguments; may be NULL */
    const char *help;
} cmds[] = {
    {"migrate", NULL, cmd_migrate, NEED_DB | NEED_VAULT, 0, NULL, "create or upgrade the schema"},
    {"tenant", "create", cmd_tenant_create, NEED_DB, 1, check_tenant_name,
     "NAME: new tenant; prints its API key once"},
    {"tenant", "list", cmd_tenant_list, NEED_DB, 0, NULL, "every tenant"},
    {"tenant", "key-rotate", cmd_tenant_key_rotate, NEED_DB, 1, check_tenant_id,
     "ID: new API key, revoking the old ones"},
    {"tenant", "verify", cmd_tenant_verify, NEED_DB, 0, NULL,
     "< KEY: which tenant an API key belongs to"},
    {"platform", "key", cmd_platform_key, NEED_DB, 1, NULL,
     "NAME: new platform key (provisions tenants, acts for any); prints it once"},
    {"platform", "keys", cmd_platform_keys, NEED_DB, 0, NULL, "every platform key"},
    {"platform", "revoke", cmd_platform_revoke, NEED_DB, 1, NULL, "ID: revoke a platform key"},
    {"keys", "generate", cmd_keys_generate, 0, 0, NULL, "print a new key for INLET_KEYS"},
    {"keys", "rotate", cmd_keys_rotate, NEED_DB | NEED_VAULT, 0, NULL,
     "[--batch N] [--max-batches N]: re-seal every secret under the active key"},
    {"keys", "check", cmd_keys_check, NEED_DB | NEED_VAULT, 0, NULL,
     "open every secret, report failures"},
    {"serve", NULL, cmd_serve, NEED_DB | NEED_VAULT, 0, NULL,
     "[--listen HOST:PORT] [--demo[=PORT]] [--workers N]: serve the API, run jobs on N "
     "threads (0: none) and scheduling passes, until SIGINT or SIGTERM; --demo runs the "
     "sandbox too"},
    {"worker", NULL, cmd_worker, NEED_DB | NEED_VAULT, 0, NULL,
     "[--workers N] [--job-lease S]: run jobs on N threads and scheduling passes, no API, "
     "until SIGINT or SIGTERM (scale out: any number on one PostgreSQL)"},
    {"jobs", "probe", cmd_jobs_probe, NEED_DB, 1, NULL,
     "N [--ms M]: queue N probe jobs, each busy M ms, to check and measure the workers"},
    {"jobs", NULL, cmd_jobs, NEED_DB, 0, NULL, "the job queue: jobs by kind and status"},
    {"sandbox", NULL, cmd_sandbox, 0, 0, NULL,
     "[--providers salesforce,hubspot,slack] [--listen HOST:PORT] [--records N] [--seed S] "
     "[--faults NAME=VALUE,...]: provider emulators"},
    {"connect", NULL, cmd_connect, NEED_DB | NEED_VAULT, 3, check_tenant_id,
     "TENANT CONNECTOR NAME|INTEGRATION_ID: print the link that connects an account "
     "(OAuth)"},
    {"integration", "test", cmd_integration_test, NEED_DB | NEED_VAULT, 2, check_tenant_id,
     "TENANT ID: send the connector's test request"},
    {"integration", "refresh", cmd_integration_refresh, NEED_DB | NEED_VAULT, 2, check_tenant_id,
     "TENANT ID: refresh the OAuth token now"},
    {"integration", "disconnect", cmd_integration_disconnect, NEED_DB | NEED_VAULT, 2,
     check_tenant_id, "TENANT ID: revoke at the provider and delete the credentials"},
    {"action", NULL, cmd_action, NEED_DB | NEED_VAULT, 3, check_tenant_id,
     "TENANT ID NAME [--input JSON]: run one of the connector's actions (docs/actions.md)"},
    {"proxy", NULL, cmd_proxy, NEED_DB | NEED_VAULT, 4, check_tenant_id,
     "TENANT ID METHOD PATH [--data JSON]: a request to the integration's API with its "
     "credentials; the answer on stdout (docs/proxy.md)"},
    {"discover", NULL, cmd_discover, NEED_DB | NEED_VAULT, 2, check_tenant_id,
     "TENANT ID [--select S1,S2 | --select-all]: discover an integration's streams (its "
     "Singer tap, or its connector's describe requests), store the catalog"},
    {"sync", NULL, cmd_sync, NEED_DB | NEED_VAULT, 2, check_tenant_id,
     "TENANT ID [--full] [--stream S1,S2] [--timeout S]: run an integration's sync now, in "
     "the foreground"},
    {"load", NULL, cmd_load, 0, 0, NULL,
     "[--schema S] [--batch-size N] [--strict] [--config FILE] < SINGER: a Singer target "
     "into --db"},
    {"connectors", "check", cmd_connectors_check, 0, 1, NULL,
     "FILE: check a connector file as the server would load it"},
    {"version", NULL, cmd_version, 0, 0, NULL, "print the version"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: inlet [--db URL] [--data-dir DIR] [--log-level LEVEL] COMMAND ...\n\n");
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
        fprintf(f, "  %-8s %-11s %s\n", cmds[i].name, cmds[i].sub ? cmds[i].sub : "", cmds[i].help);
    fprintf(f, "\nConfiguration: INLET_DB, INLET_DATA_DIR, INLET_KEYS, ... "
               "(docs/configuration.md)\n");
}

/* For "inlet tenant" alone: list the group's commands. False if no group. */
static bool group_usage(const char *name)
{
    bool found = false;
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        if (!cmds[i].sub || strcmp(cmds[i].name, name) != 0)
            continue;
        if (!found)
            fprintf(stderr, "usage:\n");
        fprintf(stderr, "  inlet %s %-11s %s\n", cmds[i].name, cmds[i].sub, cmds[i].help);
        found = true;
    }
    return found;
}

/* The sandbox command's flags; ERR_NOTFOUND for a name that is not one. */
static int sandbox_flag(struct app *a, const char *name, const char *value, struct err *err)
{
    int rc;
    if (strcmp(name, "--providers") == 0) {
        a->providers = value;
    } else if (strcmp(name, "--faults") == 0) {
        a->faults = value;
    } else if (strcmp(name, "--records") == 0) {
        rc = str_to_i64(&a->records, str_from(value), name, err);
        if (rc == 0 && (a->records < 0 || a->records > 1000000))
            rc = err_set(err, ERR_INVALID, "--records: must be an integer from 0 to 1000000");
        if (rc < 0)
            return rc;
    } else if (strcmp(name, "--seed") == 0) {
        rc = str_to_i64(&a->seed, str_from(value), name, err);
        if (rc == 0 && a->seed < 0)
            rc = err_set(err, ERR_INVALID, "--seed: must be a non-negative integer");
        if (rc < 0)
            return rc;
    } else {
        return err_set(err, ERR_NOTFOUND, "%s: unknown flag", name);
    }
    a->sandbox_flags = true;
    return 0;
}

/* serve --demo (value "") or --demo=PORT. */
static int demo_flag(struct app *a, const char *value, struct err *err)
{
    a->demo = true;
    a->demo_port = SANDBOX_DEFAULT_PORT;
    if (*value && (str_to_i64(&a->demo_port, str_from(value), "--demo", err) < 0 ||
                   a->demo_port < 0 || a->demo_port > 65535 - SANDBOX_PROVIDERS))
        return err_set(err, ERR_INVALID, "--demo=PORT: the sandbox's base port, 0 to %d",
                       65535 - SANDBOX_PROVIDERS);
    return 0;
}

/* A command's own flags; ERR_NOTFOUND for a name that is not one. */
static int command_flag(struct app *a, const char *name, const char *value, struct err *err)
{
    int src = sandbox_flag(a, name, value, err);
    if (src != ERR_NOTFOUND)
        return src;
    if (strcmp(name, "--demo") == 0)
        return demo_flag(a, value, err);
    if (strcmp(name, "--select") == 0 || strcmp(name, "--select-all") == 0) {
        if (name[8] == '-')
            a->select_all = true;
        else
            a->select = value;
        a->discover_flags = true;
        return 0;
    }
    if (strcmp(name, "--full") == 0 || strcmp(name, "--stream") == 0) {
        if (name[2] == 'f')
            a->sync_full = true;
        else
            a->sync_streams = value;
        a->sync_flags = true;
        return 0;
    }
    if (strcmp(name, "--timeout") == 0) {
        a->sync_flags = true;
        int rc = str_to_i64(&a->timeout_s, str_from(value), name, err);
        if (rc == 0 && (a->timeout_s < 1 || a->timeout_s > 604800))
            rc = err_set(err, ERR_INVALID, "--timeout: seconds, from 1 to 604800");
        return rc;
    }
    if (strcmp(name, "--input") == 0 || strcmp(name, "--data") == 0) {
        if (name[2] == 'i')
            a->input = value;
        else
            a->data = value;
        return 0;
    }
    if (strcmp(name, "--ms") == 0) {
        a->probe_flags = true;
        int rc = str_to_i64(&a->probe_ms, str_from(value), name, err);
        if (rc == 0 && (a->probe_ms < 0 || a->probe_ms > 10000))
            rc = err_set(err, ERR_INVALID, "--ms: milliseconds, from 0 to 10000");
        return rc;
    }
    if (strcmp(name, "--schema") == 0) {
        a->load_schema = value;
        a->load_flags = true;
        return 0;
    }
    if (strcmp(name, "--config") == 0) { /* what Meltano passes a loader */
        a->load_config = value;
        a->load_flags = true;
        return 0;
    }
    if (strcmp(name, "--strict") == 0) {
        a->load_strict = true;
        a->load_flags = true;
        return 0;
    }
    if (strcmp(name, "--batch-size") == 0) {
        a->load_flags = true;
        int rc = str_to_i64(&a->load_batch, str_from(value), name, err);
        if (rc == 0 && (a->load_batch < 1 || a->load_batch > 1000000))
            rc = err_set(err, ERR_INVALID, "--batch-size: must be an integer from 1 to 1000000");
        return rc;
    }
    bool batch = strcmp(name, "--batch") == 0;
    int64_t *dst = batch ? &a->batch : strcmp(name, "--max-batches") == 0 ? &a->max_batches : NULL;
    int64_t max = batch ? SEALED_BATCH_MAX : INT32_MAX;
    if (!dst)
        return err_set(err, ERR_NOTFOUND, "%s: unknown flag", name);
    int rc = str_to_i64(dst, str_from(value), name, err);
    if (rc == 0 && (*dst <= 0 || *dst > max))
        rc = err_set(err, ERR_INVALID, "%s: must be an integer from 1 to %lld", name,
                     (long long)max);
    a->rotate_flags = true;
    return rc;
}

/* Split argv into flags (applied to a) and positional words (kept in order
 * in words, which has room for argc entries). */
static int parse_args(struct app *a, int argc, char **argv, char **words, int *nwords,
                      struct err *err)
{
    *nwords = 0;
    for (int i = 1; i < argc; i++) {
        char *arg = argv[i];
        if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
            words[(*nwords)++] = arg;
            continue;
        }
        char name[64];
        const char *value;
        const char *eq = strchr(arg, '=');
        if (eq) {
            snprintf(name, sizeof(name), "%.*s", (int)(eq - arg), arg);
            value = eq + 1;
        } else {
            snprintf(name, sizeof(name), "%s", arg);
            if (strcmp(name, "--help") == 0) {
                words[(*nwords)++] = "help";
                continue;
            }
            if (strcmp(name, "--strict") == 0 || strcmp(name, "--select-all") == 0 ||
                strcmp(name, "--full") == 0) {
                int rc = command_flag(a, name, "", err);
                if (rc < 0)
                    return rc;
                continue;
            }
            if (strcmp(name, "--demo") == 0) {
                int rc = demo_flag(a, "", err);
                if (rc < 0)
                    return rc;
                continue;
            }
            if (i + 1 >= argc)
                return err_set(err, ERR_INVALID, "%s: expects a value", name);
            value = argv[++i];
        }
        int rc = config_set_flag(&a->cfg, name, value, err);
        if (rc == ERR_NOTFOUND)
            rc = command_flag(a, name, value, err);
        if (rc == ERR_NOTFOUND)
            rc = err_set(err, ERR_INVALID, "%s: unknown flag (see `inlet help`)", name);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static const struct cmd *find_command(char **words, int nwords, int *used)
{
    for (size_t i = 0; nwords > 0 && i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        if (strcmp(words[0], cmds[i].name) != 0)
            continue;
        if (!cmds[i].sub) {
            *used = 1;
            return &cmds[i];
        }
        if (nwords > 1 && strcmp(words[1], cmds[i].sub) == 0) {
            *used = 2;
            return &cmds[i];
        }
    }
    return NULL;
}

/* Open what cmd needs: the keyring first, because a bad key must stop us
 * before the data folder or database file is created. */
static int open_needs(struct app *a, const struct cmd *cmd, struct err *err)
{
    bool sqlite = strcmp(config_db_engine(&a->cfg), "sqlite") == 0;
    bool created = false;
    int rc;

    if (!(cmd->needs & (NEED_DB | NEED_VAULT)))
        return 0;
    /* Configured keys are checked by every command that opens the store, so
     * a typo in INLET_KEYS shows at once, not at the first secret. */
    if (a->cfg.keys.n || a->cfg.single_key.n || (!sqlite && (cmd->needs & NEED_VAULT))) {
        if ((rc = keyring_load(&a->vault, &created, NULL, &a->cfg, err)) < 0)
            return rc;
    }
    /* A data folder that cannot be made or used is bad configuration (exit
     * 2), whatever the OS said. */
    if (sqlite && strcmp(a->cfg.db_url, "sqlite::memory:") != 0 &&
        config_prepare_data_dir(&a->cfg, err) < 0)
        return err->code = ERR_INVALID;
    if ((cmd->needs & NEED_VAULT) && !a->vault) {
        struct buf path;
        buf_init(&path, 0);
        rc = keyring_load(&a->vault, &created, &path, &a->cfg, err);
        if (rc == 0 && created)
            log_warn("generated an encryption key; back it up with the database, or the "
                     "secrets stored with it cannot be opened",
                     LOG_STR("path", buf_cstr(&path)),
                     LOG_STR("key_id", vault_active_id(a->vault)));
        buf_dispose(&path);
        if (rc < 0)
            return rc;
    }
    if ((rc = db_open(&a->db, a->cfg.db_url, err)) < 0)
        return rc;
    /* Every command sees the current schema; concurrent processes migrate
     * once (db_migrate serialises them). */
    int applied = 0;
    if ((rc = db_migrate(a->db, &applied, err)) < 0)
        return rc;
    if (applied)
        log_info("schema migrated", LOG_INT("applied", applied));
    return 0;
}

/* The configuration holds its own copies now: wipe and remove the secret
 * variables, so no process inlet starts (Singer taps, later) inherits them. */
static void scrub_env(void)
{
    static const char *const names[] = {"INLET_KEYS", "INTEGRATION_ENCRYPTION_KEY", "INLET_DB",
                                        "INLET_CRON_SECRET"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        char *v = getenv(names[i]);
        if (v)
            secret_wipe(v, strlen(v));
        unsetenv(names[i]);
    }
}

int main(int argc, char **argv)
{
    struct app a = {.batch = 200, .records = -1};
    struct err e;
    char **words = xcalloc((size_t)argc + 1, sizeof(char *));
    int nwords = 0, used = 0, status = EXIT_USAGE;
    const struct cmd *cmd = NULL;

    signal(SIGPIPE, SIG_IGN); /* a closed pipe is an error to report, not a death */
    /* Before any thread: libcurl's global set-up is not thread-safe, and
     * handlers (the sandbox's event deliveries, later the OAuth client)
     * make requests from the server's threads. */
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "inlet: libcurl could not be initialised\n");
        return EXIT_FAIL;
    }
    config_init(&a.cfg);
    int env_rc = config_from_env(&a.cfg, (const char *const *)environ, &e);
    scrub_env();
    if (env_rc < 0 || parse_args(&a, argc, argv, words, &nwords, &e) < 0) {
        status = fail(&e);
        goto done;
    }
    if (nwords == 0 || strcmp(words[0], "help") == 0) {
        usage(nwords ? stdout : stderr);
        status = nwords ? EXIT_OK : EXIT_USAGE;
        goto done;
    }
    if (!(cmd = find_command(words, nwords, &used))) {
        if (group_usage(words[0]))
            goto done;
        fprintf(stderr, "inlet: unknown command '%s%s%s' (see `inlet help`)\n", words[0],
                nwords > 1 ? " " : "", nwords > 1 ? words[1] : "");
        goto done;
    }
    if (config_finish(&a.cfg, &e) < 0) {
        status = fail(&e);
        goto done;
    }
    log_set_level(a.cfg.log_level);
    a.argc = nwords - used;
    a.argv = words + used;
    if (a.argc != cmd->nargs || (a.rotate_flags && cmd->run != cmd_keys_rotate) ||
        (a.sandbox_flags && cmd->run != cmd_sandbox) || (a.demo && cmd->run != cmd_serve) ||
        (a.load_flags && cmd->run != cmd_load) || (a.discover_flags && cmd->run != cmd_discover) ||
        (a.sync_flags && cmd->run != cmd_sync) || (a.select && a.select_all) ||
        (a.input && cmd->run != cmd_action) || (a.data && cmd->run != cmd_proxy)) {
        fprintf(stderr, "usage: inlet %s%s%s %s\n", cmd->name, cmd->sub ? " " : "",
                cmd->sub ? cmd->sub : "", cmd->help);
        goto done;
    }
    if (cmd->check && cmd->check(&a, &e) < 0) {
        status = fail(&e);
        goto done;
    }
    if (open_needs(&a, cmd, &e) < 0) {
        status = fail(&e);
        goto done;
    }
    status = cmd->run(&a);
done:
    db_close(a.db);
    vault_free(a.vault);
    config_dispose(&a.cfg);
    xfree(words);
    curl_global_cleanup();
    return status;
}
