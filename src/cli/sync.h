/* cli/sync.h - `inlet discover` and `inlet sync` (main.c wires them): a
 * Singer tap integration's discovery and sync, run in this process to the
 * end (sync/tap_sync.h). SIGINT and SIGTERM cancel a sync: the tap is
 * stopped, what committed stays, and the run ends "cancelled". */
#ifndef INLET_CLI_SYNC_H
#define INLET_CLI_SYNC_H
#include <stdbool.h>
#include <stdint.h>

#include "cli/connect.h"

/* inlet discover TENANT ID [--select S1,S2 | --select-all]: prints each
 * stream of the stored catalog, selected ones marked. */
int cli_discover(const struct cli_ctx *x, const char *tenant, const char *id, const char *select,
                 bool select_all);

/* inlet sync TENANT ID [--full] [--stream S1,S2] [--timeout S]: prints the
 * run's id, status and counts (and, on a terminal, a progress line on
 * stderr at each committed batch); exit 0 for success, 1 otherwise (the
 * error on stderr). streams: NULL or a comma-separated list. */
int cli_sync(const struct cli_ctx *x, const char *tenant, const char *id, int64_t timeout_s,
             bool full, const char *streams);

#endif
