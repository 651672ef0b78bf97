/* db/migrate.h - numbered schema migrations, compiled into the binary from
 * src/db/migrations/<engine>/NNNN_name.sql. Each runs once, in order, in its
 * own transaction that also records its version, so a failed migration
 * leaves the schema as it was and a crash never half-applies one. Processes
 * migrating at once take turns (PostgreSQL: an advisory lock; SQLite: the
 * write lock). Used by `inlet migrate`, start-up, /readyz and the tests.
 * How to write one: docs/internals/db.md. */
#ifndef INLET_DB_MIGRATE_H
#define INLET_DB_MIGRATE_H
#include <stddef.h>

#include "core/embed.h"
#include "core/err.h"
#include "db/db.h"

/* Apply every pending migration of db's engine, in version order, recording
 * each in schema_migrations(version, name, applied_at). Running it again is a
 * no-op. *applied (OUT, may be NULL) gets how many this call applied. Stops
 * at the first failure, which is rolled back whole; the message names the
 * file, e.g. "migration 0002_jobs.sql: sqlite: near "TABEL": syntax error".
 * Must be called outside a transaction. ERR_INVALID, touching nothing, when
 * the database has a migration newer than any this binary has (a newer
 * inlet migrated it). Errors as db_exec otherwise. */
MUST_CHECK int db_migrate(struct db *db, int *applied, struct err *err);

/* *n (OUT) gets the number of db's engine's migrations not applied yet
 * (all of them on an empty database). Reads only. */
MUST_CHECK int db_migrations_pending(struct db *db, int *n, struct err *err);

/* db_migrate over nfiles given files instead of the embedded ones (tests).
 * Only files in a folder named after db's engine count ("x/sqlite/0001_a.sql"
 * for SQLite). ERR_INVALID when one of those is not named NNNN_name.sql
 * (digits, '_', then a-z 0-9 _) or two share a version. */
MUST_CHECK int db_migrate_files(struct db *db, const struct embed_file *files, size_t nfiles,
                                int *applied, struct err *err);

#endif
