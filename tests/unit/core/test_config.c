/* tests/unit/core/test_config.c - configuration from environment and flags:
 * the cases in tests/data/config/ (*.txt) (run from the repository root), which
 * give env entries and flags and the resolved values or the exact error, plus
 * the data directory, precedence, disposal and messages that must not quote
 * a secret. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/config.h"
#include "test.h"

#define DATA_DIR "tests/data/config/"

/* Decode \t \n \\ \xHH in place; returns the new length. */
static size_t unescape(char *s)
{
    size_t k = 0;
    for (size_t i = 0; s[i]; i++) {
        if (s[i] != '\\' || !s[i + 1]) {
            s[k++] = s[i];
            continue;
        }
        char c = s[++i];
        if (c == 't') {
            s[k++] = '\t';
        } else if (c == 'n') {
            s[k++] = '\n';
        } else if (c == 'x' && s[i + 1] && s[i + 2]) {
            char hex[3] = {s[i + 1], s[i + 2], '\0'};
            s[k++] = (char)strtol(hex, NULL, 16);
            i += 2;
        } else {
            s[k++] = c;
        }
    }
    s[k] = '\0';
    return k;
}

/* The resolved value of a field, as the cases name it, into b. */
static bool field_value(struct buf *b, const struct config *cfg, const char *field)
{
    if (strcmp(field, "db_url") == 0)
        buf_puts(b, cfg->db_url);
    else if (strcmp(field, "db_url_redacted") == 0)
        config_db_url_redacted(cfg, b);
    else if (strcmp(field, "db_engine") == 0)
        buf_puts(b, config_db_engine(cfg));
    else if (strcmp(field, "data_dir") == 0)
        buf_puts(b, cfg->data_dir);
    else if (strcmp(field, "listen") == 0)
        buf_puts(b, cfg->listen);
    else if (strcmp(field, "listen_host") == 0)
        buf_puts(b, cfg->listen_host);
    else if (strcmp(field, "listen_port") == 0)
        buf_printf(b, "%d", cfg->listen_port);
    else if (strcmp(field, "public_url") == 0)
        buf_puts(b, cfg->public_url);
    else if (strcmp(field, "log_level") == 0)
        buf_puts(b, log_level_name(cfg->log_level));
    else if (strcmp(field, "keys") == 0)
        buf_put(b, cfg->keys.p ? (const char *)cfg->keys.p : "", cfg->keys.n);
    else if (strcmp(field, "single_key") == 0)
        buf_put(b, cfg->single_key.p ? (const char *)cfg->single_key.p : "", cfg->single_key.n);
    else if (strcmp(field, "connectors_dir") == 0)
        buf_puts(b, cfg->connectors_dir);
    else if (strcmp(field, "http_body_max") == 0)
        buf_printf(b, "%zu", cfg->http_body_max);
    else if (strcmp(field, "http_threads") == 0)
        buf_printf(b, "%u", cfg->http_threads);
    else if (strcmp(field, "http_timeout") == 0)
        buf_printf(b, "%u", cfg->http_timeout);
    else if (strcmp(field, "rate_limit_rps") == 0)
        buf_printf(b, "%g", cfg->rate_limit_rps);
    else if (strcmp(field, "rate_limit_burst") == 0)
        buf_printf(b, "%g", cfg->rate_limit_burst);
    else if (strcmp(field, "workers") == 0)
        buf_printf(b, "%u", cfg->workers);
    else if (strcmp(field, "job_lease") == 0)
        buf_printf(b, "%u", cfg->job_lease);
    else if (strcmp(field, "jobs_per_tenant") == 0)
        buf_printf(b, "%u", cfg->jobs_per_tenant);
    else if (strcmp(field, "syncs_per_connector") == 0)
        buf_printf(b, "%u", cfg->syncs_per_connector);
    else if (strcmp(field, "cron_secret") == 0)
        buf_put(b, cfg->cron_secret.p ? (const char *)cfg->cron_secret.p : "", cfg->cron_secret.n);
    else
        return false;
    return true;
}

/* The password in a postgres URL ("user:PASSWORD@" or "password=PASSWORD"),
 * if any, into pw; these must never appear in a message. */
static bool url_password(char *pw, size_t cap, const char *v)
{
    const char *s = strstr(v, "://"), *at, *colon;
    if (s && (at = strrchr(s, '@')) != NULL && (colon = memchr(s + 3, ':', (size_t)(at - s - 3)))) {
        snprintf(pw, cap, "%.*s", (int)(at - colon - 1), colon + 1);
        return strlen(pw) >= 4;
    }
    if ((s = strstr(v, "password=")) != NULL) {
        snprintf(pw, cap, "%.*s", (int)strcspn(s + 9, "&"), s + 9);
        return strlen(pw) >= 4;
    }
    return false;
}

struct cfg_case {
    const char *file;
    int line;      /* where the case starts */
    char *env[16]; /* NAME=VALUE, unescaped */
    int nenv;
    char *flags[16]; /* --name=VALUE, unescaped */
    int nflags;
    char *wants[16]; /* FIELD=VALUE */
    int nwants;
    char *error; /* "CODE: MESSAGE" or NULL */
};

/* Run one case; print what differs and return 1 when it fails. */
static int run_case(const struct cfg_case *c)
{
    struct config cfg;
    struct err e = {0};
    const char *env[17];
    int rc = 0, bad = 0;
    char secrets[32][256];
    int nsecrets = 0;

    for (int i = 0; i < c->nenv; i++) {
        env[i] = c->env[i];
        if (strncmp(c->env[i], "INLET_KEYS=", 11) == 0 ||
            strncmp(c->env[i], "INTEGRATION_ENCRYPTION_KEY=", 27) == 0) {
            const char *v = strchr(c->env[i], '=') + 1;
            if (strlen(v) >= 8)
                snprintf(secrets[nsecrets++], sizeof(secrets[0]), "%s", v);
        } else if (url_password(secrets[nsecrets], sizeof(secrets[0]), c->env[i])) {
            nsecrets++;
        }
    }
    env[c->nenv] = NULL;
    for (int i = 0; i < c->nflags; i++)
        if (url_password(secrets[nsecrets], sizeof(secrets[0]), c->flags[i]))
            nsecrets++;

    config_init(&cfg);
    rc = config_from_env(&cfg, env, &e);
    for (int i = 0; rc == 0 && i < c->nflags; i++) {
        char *eq = strchr(c->flags[i], '=');
        char name[64];
        snprintf(name, sizeof(name), "%.*s", eq ? (int)(eq - c->flags[i]) : 63, c->flags[i]);
        rc = config_set_flag(&cfg, name, eq ? eq + 1 : "", &e);
    }
    if (rc == 0)
        rc = config_finish(&cfg, &e);

    if (c->error) {
        char got[ERR_MSG_MAX + 32];
        snprintf(got, sizeof(got), "%s: %s", err_code_name(e.code), e.msg);
        if (rc == 0) {
            print_error("%s:%d: succeeded, expected error %s\n", c->file, c->line, c->error);
            bad = 1;
        } else if (strcmp(got, c->error) != 0) {
            print_error("%s:%d:\n  got      %s\n  expected %s\n", c->file, c->line, got, c->error);
            bad = 1;
        }
    } else if (rc != 0) {
        print_error("%s:%d: failed: %s: %s\n", c->file, c->line, err_code_name(e.code), e.msg);
        bad = 1;
    } else {
        for (int i = 0; i < c->nwants; i++) {
            char *eq = strchr(c->wants[i], '=');
            char field[64];
            struct buf b;
            snprintf(field, sizeof(field), "%.*s", (int)(eq - c->wants[i]), c->wants[i]);
            buf_init(&b, 0);
            if (!field_value(&b, &cfg, field)) {
                print_error("%s:%d: unknown field %s\n", c->file, c->line, field);
                bad = 1;
            } else if (strcmp(buf_cstr(&b), eq + 1) != 0) {
                print_error("%s:%d: %s\n  got      %s\n  expected %s\n", c->file, c->line, field,
                            buf_cstr(&b), eq + 1);
                bad = 1;
            }
            buf_dispose(&b);
        }
    }
    for (int i = 0; rc != 0 && i < nsecrets; i++) {
        if (strstr(e.msg, secrets[i])) {
            print_error("%s:%d: message quotes a secret: %s\n", c->file, c->line, e.msg);
            bad = 1;
        }
    }
    if (rc != 0 && strstr(e.msg, "hunter2")) { /* the cases' password, wherever it hides */
        print_error("%s:%d: message quotes the password: %s\n", c->file, c->line, e.msg);
        bad = 1;
    }
    config_dispose(&cfg);
    return bad;
}

/* Read one file of cases; returns the number run, adds failures to *bad. */
static int run_file(const char *path, int *bad)
{
    char *text = test_read_file(path, NULL);
    struct cfg_case c;
    int lineno = 0, cases = 0;
    bool open = false;

    if (!text)
        fail_msg("cannot read %s (run from the repository root)", path);
    memset(&c, 0, sizeof(c));
    for (char *line = text, *next; line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        lineno++;
        if (line[0] == '#')
            continue;
        if (line[0] == '\0') {
            if (open) {
                if (!c.error && !c.nwants)
                    fail_msg("%s:%d: case without want or error", path, c.line);
                *bad += run_case(&c);
                cases++;
                memset(&c, 0, sizeof(c));
                open = false;
            }
            if (!next)
                break;
            continue;
        }
        if (!open) {
            c.file = path;
            c.line = lineno;
            open = true;
        }
        if (strncmp(line, "env ", 4) == 0 && c.nenv < 16) {
            unescape(line + 4);
            c.env[c.nenv++] = line + 4;
        } else if (strncmp(line, "flag ", 5) == 0 && c.nflags < 16) {
            unescape(line + 5);
            c.flags[c.nflags++] = line + 5;
        } else if (strncmp(line, "want ", 5) == 0 && strchr(line, '=') && c.nwants < 16) {
            unescape(line + 5);
            c.wants[c.nwants++] = line + 5;
        } else if (strncmp(line, "error ", 6) == 0) {
            c.error = line + 6;
        } else {
            fail_msg("%s:%d: cannot read this line", path, lineno);
        }
        if (!next && open) { /* a last case without a blank line after it */
            *bad += run_case(&c);
            cases++;
            open = false;
        }
    }
    xfree(text);
    return cases;
}

static int txt_only(const struct dirent *d)
{
    size_t n = strlen(d->d_name);
    return n > 4 && strcmp(d->d_name + n - 4, ".txt") == 0;
}

static void cases_from_data(void **state)
{
    (void)state;
    struct dirent **list;
    int n = scandir(DATA_DIR, &list, txt_only, alphasort), cases = 0, bad = 0;
    if (n <= 0)
        fail_msg("no cases in %s (run from the repository root)", DATA_DIR);
    for (int i = 0; i < n; i++) {
        char path[512];
        snprintf(path, sizeof(path), DATA_DIR "%s", list[i]->d_name);
        cases += run_file(path, &bad);
        free(list[i]); /* scandir's memory */
    }
    free(list);
    if (bad)
        fail_msg("%d of %d config cases failed", bad, cases);
    assert_true(cases >= 80); /* every file was read */
}

/* A flag wins over its variable whichever is applied first; the first of
 * two equal names in envp wins; an empty value is unset. */
static void precedence(void **state)
{
    (void)state;
    struct config cfg;
    struct err e;
    const char *env[] = {"INLET_LISTEN=127.0.0.1:1",
                         "INLET_LISTEN=127.0.0.1:2",
                         "INLET_LOG_LEVEL=",
                         "PATH=/usr/bin",
                         "INLET_DBX=sqlite:x",
                         "NOEQUALS",
                         NULL};

    config_init(&cfg);
    assert_int_equal(config_set_flag(&cfg, "--listen", "127.0.0.1:3", &e), 0);
    assert_int_equal(config_from_env(&cfg, env, &e), 0);
    assert_int_equal(config_finish(&cfg, &e), 0);
    assert_int_equal(cfg.listen_port, 3);
    assert_int_equal(cfg.log_level, LOG_LEVEL_INFO);
    assert_string_equal(cfg.db_url, "sqlite:./data/inlet.db");
    config_dispose(&cfg);

    config_init(&cfg);
    assert_int_equal(config_from_env(&cfg, env, &e), 0);
    assert_int_equal(config_finish(&cfg, &e), 0);
    assert_int_equal(cfg.listen_port, 1);
    config_dispose(&cfg);

    config_init(&cfg);
    assert_int_equal(config_from_env(&cfg, NULL, &e), 0); /* no environment at all */
    assert_int_equal(config_finish(&cfg, &e), 0);
    assert_string_equal(cfg.public_url, "http://127.0.0.1:8080");
    config_dispose(&cfg);
    config_dispose(&cfg); /* twice is harmless */
}

static void flags_not_ours_and_caps(void **state)
{
    (void)state;
    struct config cfg;
    struct err e;
    char *big = xmalloc(CONFIG_VALUE_MAX + 2);
    memset(big, 'a', CONFIG_VALUE_MAX + 1);
    big[CONFIG_VALUE_MAX + 1] = '\0';

    config_init(&cfg);
    assert_int_equal(config_set_flag(&cfg, "--demo", "1", &e), ERR_NOTFOUND);
    assert_int_equal(config_set_flag(&cfg, "db", "sqlite:x", &e), ERR_NOTFOUND);
    assert_int_equal(config_set_flag(&cfg, "--db", big, &e), ERR_TOOBIG);
    assert_string_equal(e.msg, "--db: value over 8192 bytes");
    big[CONFIG_VALUE_MAX] = '\0'; /* exactly the cap is fine */
    assert_int_equal(config_set_flag(&cfg, "--data-dir", big, &e), 0);
    config_dispose(&cfg);

    struct buf b;
    buf_init(&b, 0);
    buf_puts(&b, "INLET_KEYS=");
    buf_put(&b, big, CONFIG_VALUE_MAX);
    buf_putc(&b, 'x');
    const char *env[] = {buf_cstr(&b), NULL};
    config_init(&cfg);
    assert_int_equal(config_from_env(&cfg, env, &e), ERR_TOOBIG);
    assert_string_equal(e.msg, "INLET_KEYS: value over 8192 bytes");
    config_dispose(&cfg);
    buf_dispose(&b);
    xfree(big);
}

static void data_dir_created_and_checked(void **state)
{
    (void)state;
    char *tmp = test_tmpdir();
    char path[600], file[700];
    struct config cfg;
    struct err e;
    struct stat st;

    assert_non_null(tmp);
    snprintf(path, sizeof(path), "%s/a/b/data", tmp);
    config_init(&cfg);
    assert_int_equal(config_set_flag(&cfg, "--data-dir", path, &e), 0);
    assert_int_equal(config_finish(&cfg, &e), 0);
    assert_int_equal(config_prepare_data_dir(&cfg, &e), 0);
    assert_int_equal(stat(path, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0700);
    assert_int_equal(config_prepare_data_dir(&cfg, &e), 0); /* again: already there */
    config_dispose(&cfg);

    /* A file where the directory should be. */
    snprintf(file, sizeof(file), "%s/plain", tmp);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fclose(f);
    const char *env[] = {NULL, NULL};
    char var[800];
    snprintf(var, sizeof(var), "INLET_DATA_DIR=%s/", file);
    env[0] = var;
    config_init(&cfg);
    assert_int_equal(config_from_env(&cfg, env, &e), 0);
    assert_int_equal(config_finish(&cfg, &e), 0);
    assert_string_equal(cfg.data_dir, file); /* trailing '/' dropped */
    assert_int_equal(config_prepare_data_dir(&cfg, &e), ERR_IO);
    char want[900];
    snprintf(want, sizeof(want), "INLET_DATA_DIR: %s is not a directory", file);
    assert_string_equal(e.msg, want);
    config_dispose(&cfg);

    /* Below a file: cannot be created. */
    snprintf(path, sizeof(path), "%s/plain/sub", tmp);
    config_init(&cfg);
    assert_int_equal(config_set_flag(&cfg, "--data-dir", path, &e), 0);
    assert_int_equal(config_finish(&cfg, &e), 0);
    assert_int_equal(config_prepare_data_dir(&cfg, &e), ERR_IO);
    snprintf(want, sizeof(want), "--data-dir: cannot use %s: Not a directory", path);
    assert_string_equal(e.msg, want);
    config_dispose(&cfg);

    /* No permission (root may write anywhere, so only when not root). */
    if (geteuid() != 0) {
        snprintf(path, sizeof(path), "%s/locked", tmp);
        assert_int_equal(mkdir(path, 0500), 0);
        config_init(&cfg);
        assert_int_equal(config_set_flag(&cfg, "--data-dir", path, &e), 0);
        assert_int_equal(config_finish(&cfg, &e), 0);
        assert_int_equal(config_prepare_data_dir(&cfg, &e), ERR_IO);
        snprintf(want, sizeof(want), "--data-dir: cannot read and write in %s: Permission denied",
                 path);
        assert_string_equal(e.msg, want);
        config_dispose(&cfg);
        chmod(path, 0700);
    }
    test_tmpdir_remove(tmp);
    xfree(tmp);
}

/* config_dispose wipes: the secrets go through secret_dispose, and the URL
 * with its password is overwritten before it is freed. */
static void secrets_held_apart(void **state)
{
    (void)state;
    struct config cfg;
    struct err e;
    const char *env[] = {"INLET_KEYS=k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
                         "INLET_DB=postgres://inlet:hunter22@db.internal:5432/inlet", NULL};
    config_init(&cfg);
    assert_int_equal(config_from_env(&cfg, env, &e), 0);
    assert_int_equal(config_finish(&cfg, &e), 0);
    assert_int_equal(cfg.keys.n, strlen(env[0]) - 11);
    assert_memory_equal(cfg.keys.p, env[0] + 11, cfg.keys.n);
    assert_null(cfg.single_key.p);
    struct buf b;
    buf_init(&b, 0);
    config_db_url_redacted(&cfg, &b);
    assert_null(strstr(buf_cstr(&b), "hunter22"));
    assert_string_equal(buf_cstr(&b), "postgres://inlet:***@db.internal:5432/inlet");
    buf_dispose(&b);
    config_dispose(&cfg);
    assert_null(cfg.keys.p);
    assert_null(cfg.db_url);
    assert_false(cfg.finished);
}

int test_config(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cases_from_data),         cmocka_unit_test(precedence),
        cmocka_unit_test(flags_not_ours_and_caps), cmocka_unit_test(data_dir_created_and_checked),
        cmocka_unit_test(secrets_held_apart),
    };
    return test_group("config", tests, NULL, NULL);
}
