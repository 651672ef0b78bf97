/* sandbox/demo.h - `inlet serve --demo`: the provider emulators started in
 * the server's process, and every connector named after an emulated
 * provider (salesforce, hubspot, slack) sent to its emulator's origin, so
 * that the whole product runs on a machine that reaches no SaaS. */
#ifndef INLET_SANDBOX_DEMO_H
#define INLET_SANDBOX_DEMO_H
#include "connectors/registry.h"
#include "core/err.h"
#include "sandbox/sandbox.h"

/* Start every emulator on host from base port port (0: free ports) with
 * the default data set, and point reg's matching connectors at them, with
 * the emulator's client as their default OAuth client (registry_set_origin
 * and registry_set_client: before reg is shared). *out (OUT) is the caller's
 * (sandbox_stop, after the API has stopped). Errors of sandbox_start. */
MUST_CHECK int sandbox_demo_start(struct sandbox **out, struct registry *reg, const char *host,
                                  int port, struct err *err);

#endif
