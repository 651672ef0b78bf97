/* cli/connect.h - the command line's side of connecting accounts (main.c
 * wires them): `inlet connect` prints the link that runs the OAuth flow in
 * a browser, `inlet integration test|refresh|disconnect` act on one
 * integration as the API does. They open what they need themselves: the
 * database, the keyring and the connector registry. */
#ifndef INLET_CLI_CONNECT_H
#define INLET_CLI_CONNECT_H
#include "core/config.h"
#include "crypto/vault.h"
#include "db/db.h"
#include "oauth/flow.h"

/* What the commands run with; all borrowed from main. */
struct cli_ctx {
    const struct config *cfg;
    struct db *db; /* no transaction open */
    const struct vault *vault;
};

/* The registry as `inlet serve` loads it (origin overrides included) into
 * *reg (OUT, registry_free, also after an error), and env over it. */
int cli_env_open(struct oauth_env *env, struct registry **reg, const struct cli_ctx *x,
                 struct err *err);

/* inlet connect TENANT CONNECTOR NAME|INTEGRATION_ID */
int cli_connect(const struct cli_ctx *x, const char *tenant, const char *connector,
                const char *target);
/* inlet integration test|refresh|disconnect TENANT INTEGRATION_ID */
int cli_integration_test(const struct cli_ctx *x, const char *tenant, const char *id);
int cli_integration_refresh(const struct cli_ctx *x, const char *tenant, const char *id);
int cli_integration_disconnect(const struct cli_ctx *x, const char *tenant, const char *id);

#endif
