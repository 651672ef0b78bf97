/* sandbox/demo.c - see demo.h. */
#include <stdio.h>

#include "core/log.h"
#include "sandbox/demo.h"

int sandbox_demo_start(struct sandbox **out, struct registry *reg, const char *host, int port,
                       struct err *err)
{
    struct sandbox_opts o = {.host = host, .port = port, .records = SANDBOX_DEFAULT_RECORDS};
    struct sandbox *sb = NULL;

    *out = NULL;
    if (sandbox_start(&sb, &o, err) < 0)
        return -1;
    for (int i = 0; i < SANDBOX_PROVIDERS; i++) {
        enum sandbox_provider p = (enum sandbox_provider)i;
        const char *name = sandbox_provider_name(p);
        char origin[96];
        if (!sandbox_port(sb, p) || !registry_get(reg, name))
            continue; /* no connector file for it yet */
        snprintf(origin, sizeof(origin), "http://%s:%d", host, sandbox_port(sb, p));
        if (registry_set_origin(reg, name, origin, err) < 0 ||
            registry_set_client(reg, name, sandbox_client_id(p), sandbox_client_secret(p), err) <
                0 ||
            (sandbox_signing_secret(p) &&
             registry_set_signing_secret(reg, name, sandbox_signing_secret(p), err) < 0)) {
            sandbox_stop(sb);
            return -1;
        }
        log_info("demo: connector sent to the sandbox", LOG_STR("connector", name),
                 LOG_STR("origin", origin));
    }
    *out = sb;
    return 0;
}
