/* fuzz/fuzz_config.c - arbitrary bytes as the values of INLET_DB,
 * INLET_LISTEN and INLET_PUBLIC_URL (the input split at its first two
 * newlines) through config_from_env and config_finish. Beyond "no crash, no
 * leak", it aborts when a resolved value breaks its contract, and when the
 * outcome depends on the letters of a database password: the run is repeated
 * with every letter of the password swapped for another of the same kind
 * (a hex letter for a hex letter), which must give the same message and the
 * same redacted URL, so no message can be quoting the password. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/config.h"

struct outcome {
    int rc;
    char msg[ERR_MSG_MAX];
    struct buf redacted;
};

static void run(struct outcome *o, const char *db, const char *listen, const char *public_url)
{
    struct config cfg;
    struct err err = {0};
    struct buf env[3];
    const char *envp[4];

    buf_init(&env[0], 0);
    buf_init(&env[1], 0);
    buf_init(&env[2], 0);
    buf_printf(&env[0], "INLET_DB=%s", db);
    buf_printf(&env[1], "INLET_LISTEN=%s", listen);
    buf_printf(&env[2], "INLET_PUBLIC_URL=%s", public_url);
    for (int i = 0; i < 3; i++)
        envp[i] = buf_cstr(&env[i]);
    envp[3] = NULL;

    config_init(&cfg);
    buf_init(&o->redacted, 0);
    o->rc = config_from_env(&cfg, envp, &err);
    if (o->rc == 0)
        o->rc = config_finish(&cfg, &err);
    memcpy(o->msg, err.msg, sizeof(o->msg));
    if (o->rc == 0) {
        const char *engine = config_db_engine(&cfg), *u = cfg.public_url;
        size_t n = strlen(u), host = strncmp(u, "https://", 8) == 0 ? 8 : 7;
        if (cfg.listen_port < 1 || cfg.listen_port > 65535 || !cfg.listen_host ||
            (strcmp(engine, "sqlite") != 0 && strcmp(engine, "postgres") != 0) ||
            (strncmp(u, "http://", 7) != 0 && host == 7) || u[n - 1] == '/' || strpbrk(u, "?# ") ||
            memchr(u + host, '@', strcspn(u + host, "/")))
            abort(); /* a resolved value breaks its contract */
        config_db_url_redacted(&cfg, &o->redacted);
    }
    config_dispose(&cfg);
    for (int i = 0; i < 3; i++)
        buf_dispose(&env[i]);
}

/* Another letter of the same kind: a-f and A-F stay hex digits. */
static char shift_letter(char c)
{
    if ((c >= 'a' && c <= 'e') || (c >= 'A' && c <= 'E') || (c >= 'g' && c <= 'y') ||
        (c >= 'G' && c <= 'Y'))
        return (char)(c + 1);
    if (c == 'f' || c == 'F')
        return (char)(c - 5);
    if (c == 'z' || c == 'Z')
        return (char)(c - 19);
    return c;
}

/* Swap each letter of the password in a postgres URL (after the first ':'
 * of the user part, up to the '@') for another of its kind. False when the
 * URL has no such part. */
static bool shift_password(char *db)
{
    char *s = strstr(db, "://");
    if (strncmp(db, "postgres://", 11) != 0 && strncmp(db, "postgresql://", 13) != 0)
        return false;
    if (strstr(db, "host=")) /* the one place where letters carry meaning */
        return false;
    s += 3;
    size_t auth = strcspn(s, "/?");
    char *at = memchr(s, '@', auth), *colon = memchr(s, ':', auth);
    if (!at || !colon || colon > at || memchr(at + 1, '@', auth - (size_t)(at - s) - 1))
        return false;
    bool changed = false;
    for (char *p = colon + 1; p < at; p++) {
        char c = shift_letter(*p);
        changed |= c != *p;
        *p = c;
    }
    return changed;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size); /* libFuzzer's entry point */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = xmalloc(size + 1), *parts[3];
    memcpy(in, data, size);
    in[size] = '\0'; /* an environment value ends at its first NUL anyway */
    parts[0] = in;
    for (int i = 1; i < 3; i++) {
        char *nl = parts[i - 1] ? strchr(parts[i - 1], '\n') : NULL;
        if (nl)
            *nl++ = '\0';
        parts[i] = nl ? nl : (char *)"";
    }

    struct outcome a, b;
    run(&a, parts[0], parts[1], parts[2]);
    if (shift_password(parts[0])) {
        run(&b, parts[0], parts[1], parts[2]);
        if (a.rc != b.rc || strcmp(a.msg, b.msg) != 0 ||
            strcmp(buf_cstr(&a.redacted), buf_cstr(&b.redacted)) != 0)
            abort(); /* the outcome depends on the password's letters */
        buf_dispose(&b.redacted);
    }
    buf_dispose(&a.redacted);
    xfree(in);
    return 0;
}
