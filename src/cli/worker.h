/* cli/worker.h - `inlet worker`: a process that runs jobs and scheduling
 * passes and serves no API, so that the work scales out on its own:
 * any number of workers on any number of machines share one PostgreSQL
 * (docs/operations.md). And `inlet jobs`: what the queue holds, and probe
 * jobs that check the workers and measure the queue. */
#ifndef INLET_CLI_WORKER_H
#define INLET_CLI_WORKER_H
#include <stdint.h>

#include "cli/connect.h"

/* inlet worker: until SIGINT or SIGTERM. x->db is closed and NULLed (the
 * workers use a pool of their own). Exit code as main.c's. */
int cli_worker(struct cli_ctx *x, struct db **db);

/* inlet jobs: counts by kind and status. */
int cli_jobs(const struct cli_ctx *x);

/* inlet jobs probe N [--ms M]: queue n probe jobs, each busy for ms. */
int cli_jobs_probe(const struct cli_ctx *x, const char *n, int64_t ms);

#endif
