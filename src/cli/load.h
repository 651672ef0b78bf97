/* cli/load.h - `inlet load`: a Singer target on stdin (docs/singer.md).
 * Reads SCHEMA, RECORD, STATE and ACTIVATE_VERSION lines, loads them with
 * sync/loader.h into the database --db names, writes every STATE to stdout
 * once the records before it are committed (as Singer targets do, so that
 * Meltano or a script keeps the last one), and a summary to stderr. */
#ifndef INLET_CLI_LOAD_H
#define INLET_CLI_LOAD_H
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct load_opts {
    const char *db_url;
    const char *schema; /* PostgreSQL schema; NULL: the search path's */
    size_t batch_size;  /* 0: the loader's default */
    bool strict;
    FILE *in, *out, *diag; /* stdin, stdout, stderr */
};

/* Run it. Exit status: 0 when every message was loaded and committed; 1
 * when the input broke off (a bad line: its number and why on diag;
 * everything up to the last commit stays), the database failed, or records
 * failed validation (counted, skipped, listed on diag); 2 for bad options. */
int cli_load(const struct load_opts *o);

#endif
