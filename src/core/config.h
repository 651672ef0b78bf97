/* core/config.h - inlet's process configuration, from environment variables
 * and command-line flags, resolved once at start-up by main.c:
 *   config_init -> config_from_env -> config_set_flag (each) -> config_finish
 * A flag overrides its variable; config_finish fills in defaults, derives
 * what follows from the rest, and checks every value, naming the variable or
 * flag that supplied it. The reference for operators is docs/configuration.md.
 *
 * Secrets (INLET_KEYS, INTEGRATION_ENCRYPTION_KEY, INLET_CRON_SECRET) come
 * from the environment only: there are no flags for them, because a command
 * line is visible to every user of the machine (ps, /proc/PID/cmdline). The database URL may
 * hold a password too: log it with config_db_url_redacted, and messages
 * about it never quote it. */
#ifndef INLET_CORE_CONFIG_H
#define INLET_CORE_CONFIG_H
#include <stdbool.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/log.h"
#include "core/secret.h"

#define CONFIG_VALUE_MAX 8192 /* bytes of one variable or flag value */

#define CONFIG_DEFAULT_DATA_DIR       "./data"
#define CONFIG_DEFAULT_LISTEN         "127.0.0.1:8080"
#define CONFIG_DB_FILE                "inlet.db" /* under data_dir when INLET_DB is unset */
#define CONFIG_DEFAULT_CONNECTORS_DIR "connectors"
#define CONFIG_DEFAULT_HTTP_BODY_MAX  1048576 /* bytes: 1 MiB */
#define CONFIG_HTTP_BODY_MIN          1024
#define CONFIG_HTTP_BODY_MAX          67108864 /* bytes: 64 MiB */
#define CONFIG_HTTP_THREADS_MAX       256
#define CONFIG_DEFAULT_HTTP_TIMEOUT   30 /* seconds */
#define CONFIG_HTTP_TIMEOUT_MAX       3600
#define CONFIG_DEFAULT_RATE_LIMIT     "20/s,100"
#define CONFIG_RATE_LIMIT_MAX         1000000 /* requests per second, and burst */
#define CONFIG_DEFAULT_WORKERS        2       /* job worker threads of a process */
#define CONFIG_WORKERS_MAX            256
#define CONFIG_DEFAULT_JOB_LEASE      60 /* seconds */
#define CONFIG_JOB_LEASE_MIN          5
#define CONFIG_JOB_LEASE_MAX          3600
#define CONFIG_JOBS_LIMIT_MAX         100000
#define CONFIG_CRON_SECRET_MIN        16 /* bytes */

struct config {
    char *db_url;             /* from xmalloc; "sqlite:PATH", "sqlite::memory:" or
                                 "postgres://..."; may hold a password, wiped by _dispose */
    char *data_dir;           /* from xmalloc; no trailing '/' (unless it is "/") */
    char *listen;             /* from xmalloc; "HOST:PORT" or "[V6]:PORT" as given */
    char *listen_host;        /* from xmalloc; the host without brackets: "::1" */
    int listen_port;          /* 1..65535 */
    char *public_url;         /* from xmalloc; "http[s]://host[:port][/path]", no trailing '/' */
    enum log_level log_level; /* log_level_name() gives "debug", "info", "warn" or "error" */
    struct secret keys;       /* INLET_KEYS text as given (empty when unset) */
    struct secret single_key; /* INTEGRATION_ENCRYPTION_KEY text as given (empty when unset) */
    char *connectors_dir;     /* from xmalloc; no trailing '/' (unless it is "/") */
    size_t http_body_max;     /* bytes of a request body, CONFIG_HTTP_BODY_MIN..MAX */
    unsigned http_threads;    /* HTTP worker threads, 0..256; 0: one per online core */
    unsigned http_timeout;    /* seconds a connection may sit idle, 1..3600 */
    double rate_limit_rps;    /* requests per second per API key and per address; 0: off */
    double rate_limit_burst;  /* requests at once (the bucket); 0 when off */
    unsigned workers;         /* job worker threads, 0..256 (0: this process runs no jobs) */
    unsigned job_lease;       /* seconds a claimed job is held without renewal, 5..3600 */
    unsigned jobs_per_tenant; /* jobs running at once per tenant, all processes; 0: no limit */
    unsigned syncs_per_connector; /* syncs running at once per connector; 0: no limit */
    struct secret cron_secret;    /* INLET_CRON_SECRET as given (empty: POST /api/cron is off) */

    /* Where each value came from, for messages: the variable or flag name
     * (static strings), NULL while it holds its default. */
    const char *db_from, *data_dir_from, *listen_from, *public_url_from, *log_level_from;
    const char *connectors_dir_from, *http_body_max_from, *http_threads_from, *http_timeout_from,
        *rate_limit_from, *workers_from, *job_lease_from, *jobs_per_tenant_from,
        *syncs_per_connector_from;
    /* The values as given, from xmalloc, read by config_finish. */
    char *log_level_raw, *http_body_max_raw, *http_threads_raw, *http_timeout_raw, *rate_limit_raw,
        *workers_raw, *job_lease_raw, *jobs_per_tenant_raw, *syncs_per_connector_raw;
    bool finished; /* config_finish succeeded */
};

/* Set every field to "not given"; nothing is allocated yet. */
void config_init(struct config *cfg);

/* Wipe the secrets and the database URL, free everything; cfg can be
 * initialised again. A zeroed struct is fine. */
void config_dispose(struct config *cfg);

/* Take the variables inlet reads from envp, a NULL-terminated array of
 * "NAME=VALUE" strings: (const char *const *)environ, or the tests' own.
 * The variables: INLET_DB, INLET_DATA_DIR, INLET_LISTEN, INLET_PUBLIC_URL,
 * INLET_LOG_LEVEL, INLET_CONNECTORS_DIR, INLET_HTTP_BODY_MAX,
 * INLET_HTTP_THREADS, INLET_HTTP_TIMEOUT, INLET_RATE_LIMIT, INLET_WORKERS,
 * INLET_JOB_LEASE, INLET_JOBS_PER_TENANT, INLET_SYNCS_PER_CONNECTOR,
 * INLET_KEYS, INTEGRATION_ENCRYPTION_KEY, INLET_CRON_SECRET. An empty value
 * counts as unset; when a name appears twice the first wins, as with getenv.
 * A variable does not replace a flag already applied. Values are checked by
 * config_finish. ERR_TOOBIG, naming the variable, for a value over
 * CONFIG_VALUE_MAX bytes. */
MUST_CHECK int config_from_env(struct config *cfg, const char *const *envp, struct err *err);

/* Apply one command-line flag, name as written ("--db"), value its argument
 * (the caller splits "--db=URL" and "--db URL"). Flags: --db, --data-dir,
 * --listen, --public-url, --log-level, --connectors-dir, --http-body-max,
 * --http-threads, --http-timeout, --rate-limit, --workers, --job-lease,
 * --jobs-per-tenant, --syncs-per-connector; each overrides its variable, and a
 * later one overrides an earlier one. ERR_NOTFOUND (with a message) when
 * name is not one of these, so the caller can try its own flags next.
 * ERR_INVALID for an empty value; for --keys and similar names; and for a
 * --db URL that holds a password ("user:PASSWORD@", or a password or
 * sslpassword query parameter, its name percent-decoded as libpq does):
 * these are refused with a pointer to the variable (secrets never go on a
 * command line). ERR_TOOBIG past CONFIG_VALUE_MAX bytes. */
MUST_CHECK int config_set_flag(struct config *cfg, const char *name, const char *value,
                               struct err *err);

/* Fill in defaults, derive values and check everything, once, after the
 * environment and the flags:
 *   data_dir    default ./data; trailing '/' removed
 *   db_url      default sqlite:<data_dir>/inlet.db; sqlite:PATH, sqlite::memory:
 *               or postgres[ql]://[USER[:PASSWORD]@]HOST[:PORT][,HOST[:PORT]...]/DB[?K=V&...]
 *               (HOST may be a [V6] literal; it may be left out only with a
 *               host=/socket/dir query parameter)
 *   listen      default 127.0.0.1:8080; HOST:PORT or [V6]:PORT, port 1..65535
 *   public_url  default http://<listen> (a wildcard address 0.0.0.0 or [::] becomes
 *               127.0.0.1 or [::1]); an absolute http or https URL without user,
 *               query or fragment; trailing '/' removed, scheme lower-cased
 *   log_level   default info; debug, info, warn or error (any case)
 *   connectors_dir  default connectors; no control characters; trailing '/' removed
 *   http_body_max   default 1048576; a plain number of bytes, 1024..67108864
 *   http_threads    default 0 (one per core); a plain number, 0..256
 *   http_timeout    default 30; a plain number of seconds, 1..3600
 *   rate_limit      default 20/s,100; "RATE/s" or "RATE/s,BURST" (RATE a number
 *               with up to 3 decimals, 0 < RATE <= 1000000; BURST a whole number
 *               1..1000000, default RATE rounded up) or "off" (any case), giving
 *               rate_limit_rps and rate_limit_burst (both 0 when off)
 *   workers     default 2; a plain number of threads, 0..256
 *   job_lease   default 60; a plain number of seconds, 5..3600
 *   jobs_per_tenant, syncs_per_connector  default 0 (no limit); 0..100000
 *   keys        INLET_KEYS and INTEGRATION_ENCRYPTION_KEY may not both be set
 *   cron_secret at least 16 bytes when set
 * ERR_INVALID with a one-line message that names the variable or flag and
 * says what is expected, for example
 *   INLET_DB: expected sqlite:PATH or postgres://USER@HOST[:PORT]/DB, got "mysql://..."
 * Messages quote a value only when it cannot hold a secret: a database URL
 * is described by byte offsets, never quoted, and a listen address or public
 * URL is not quoted when it has an '@' (a user:password part), nor past a
 * '?' or '#'. The secrets are not checked here (crypto/vault parses them). */
MUST_CHECK int config_finish(struct config *cfg, struct err *err);

/* Create data_dir (mode 0700, parents too) if it is missing, then check that
 * it is a directory this process can read, write and enter. ERR_IO naming
 * INLET_DATA_DIR (or --data-dir), the path and the OS reason:
 *   INLET_DATA_DIR: cannot create /srv/inlet: Permission denied
 * Call after config_finish. */
MUST_CHECK int config_prepare_data_dir(const struct config *cfg, struct err *err);

/* Check url against the database URL grammar above (config_finish's for
 * INLET_DB; db_url_check applies the same one, so the two agree), without
 * libpq's own checks of parameter names. *engine (OUT, may be NULL) gets
 * "sqlite" or "postgres". ERR_INVALID with a message that starts
 * "<what>: " and gives byte offsets; it quotes at most the scheme. A
 * percent-escape must be %XX and not %00 (libpq refuses a NUL). */
MUST_CHECK int config_db_url_check(const char **engine, const char *url, const char *what,
                                   struct err *err);

/* "sqlite" or "postgres" (the names db_engine() uses). After config_finish. */
const char *config_db_engine(const struct config *cfg);

/* Append db_url to b with every password replaced by "***": the one in the
 * user part, and the values of the password and sslpassword query
 * parameters, their names percent-decoded and in any case ("pass%77ord=",
 * which libpq reads as password=). For logs and `inlet version -v`. After
 * config_finish. */
void config_db_url_redacted(const struct config *cfg, struct buf *b);

#endif
