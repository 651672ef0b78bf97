/* cli/call.h - `inlet action` and `inlet proxy` (main.c wires them): an
 * integration's connector action (sync/action_run.h) or a raw request to
 * its API (sync/call.h), with its credentials, from the command line, as
 * the API's routes do. The answer goes to stdout; what went wrong to
 * stderr. Exit codes as main.c's: 0 done, 1 refused or failed, 2 bad usage. */
#ifndef INLET_CLI_CALL_H
#define INLET_CLI_CALL_H
#include "cli/connect.h"

/* inlet action TENANT ID NAME [--input JSON]: prints the answer's JSON
 * ({"ok": true, ...}), or the refusal's message on stderr and its details
 * on stdout. input NULL: {}. */
int cli_action(const struct cli_ctx *x, const char *tenant, const char *id, const char *name,
               const char *input);

/* inlet proxy TENANT ID METHOD PATH [--data BODY]: PATH (and its query) is
 * appended to the connector's base URL; BODY is sent as JSON. Prints
 * "HTTP STATUS" on stderr and the answer's bytes on stdout; exit 0 for a
 * 2xx. */
int cli_proxy(const struct cli_ctx *x, const char *tenant, const char *id, const char *method,
              const char *path, const char *data);

#endif
