/* sync/loader.h - the one path by which records reach the database: Singer
 * messages (from `inlet load`, a Singer tap, and later native connectors
 * and webhooks) into one table per stream, on SQLite and PostgreSQL.
 *
 * A SCHEMA creates the stream's table from its JSON Schema (sync/columns.h:
 * typed columns, objects and arrays as JSON, plus _inlet_synced_at,
 * _inlet_deleted_at and _inlet_version) or brings an existing one up to
 * date: new properties add columns, a conflicting type widens its column.
 * A RECORD is validated against its schema (a bad one is counted as failed,
 * with its error kept, unless strict), then upserted by the key properties
 * (appended when there are none, or when the caller says the stream is
 * appended); _sdc_deleted_at marks a soft delete. A
 * STATE is held until the records before it are committed. Everything of a
 * batch - records, DDL, the latest STATE (through the caller's save_state)
 * and the counters - commits in ONE transaction, so a crash at any point
 * resumes from the last committed STATE with nothing lost or doubled.
 *
 * The table layout is kept in the destination itself, in _inlet_columns
 * (table, column, property, type, key), written in the same transactions. */
#ifndef INLET_SYNC_LOADER_H
#define INLET_SYNC_LOADER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json_object.h>

#include "core/err.h"
#include "db/db.h"
#include "singer/message.h"

#define LOADER_BATCH_DEFAULT 10000 /* records per transaction */
#define LOADER_BATCH_MAX     1000000
#define LOADER_ERRORS_KEPT   20 /* failed records whose error is kept */

struct loader_counts {
    int64_t processed; /* records seen */
    int64_t created, updated, unchanged, deleted, failed;
};

/* Called inside the batch's transaction with the latest STATE value of the
 * batch (borrowed), to store it beside the records (a native sync's
 * stream_state). NULL: not stored. */
typedef int (*loader_save_fn)(void *ctx, struct db *db, struct json_object *state, struct err *err);
/* Called inside every batch's transaction, after its records and its
 * STATE, just before the commit: a sync writes the run's counters
 * (loader_counts) there, so that they move with the rows they count. */
typedef int (*loader_batch_fn)(void *ctx, struct db *db, struct err *err);
/* Called after a commit with the STATE that commit made safe (borrowed):
 * `inlet load` writes it to stdout, as Singer targets do. */
typedef void (*loader_committed_fn)(void *ctx, struct json_object *state);
/* Whether stream's records are appended (a sync mode that appends,
 * singer/catalog.h), asked at each of its SCHEMAs. When true the SCHEMA's
 * key properties are ignored: a new table gets no key, every record
 * becomes a row of its own (duplicates of a key included), and
 * ACTIVATE_VERSION leaves earlier rows alone (they are history, not
 * deletions). A table made with a key is not changed behind the user's
 * back: its SCHEMA fails with ERR_INVALID, "stream s: its table t was
 * created with key ["id"]; switching it to an append mode needs a reset:
 * DROP TABLE t, then run a full sync" (and the other way round for a
 * table made without one). */
typedef bool (*loader_appended_fn)(void *ctx, const char *stream);

/* Called inside the batch's transaction right after a record was written
 * (on PostgreSQL: staged) for its raw table, not for one that failed
 * validation, with the record (borrowed, not to be kept) and whether it
 * is a soft delete (_sdc_deleted_at): the sync writes the normalized
 * rows there, so that they commit with the raw ones. An error fails the
 * batch as a database error does. */
typedef int (*loader_record_fn)(void *ctx, struct db *db, const char *stream,
                                struct json_object *record, bool deleted, struct err *err);

struct loader_opts {
    struct db *db;            /* the destination; no transaction open */
    const char *tenant_id;    /* batches run as this tenant (db_begin_tenant); NULL: none */
    const char *pg_schema;    /* PostgreSQL schema of the tables (created if missing); NULL:
                                 the search path's first */
    const char *table_prefix; /* put before every table name; NULL: none */
    size_t batch_size;        /* records per transaction; 0: LOADER_BATCH_DEFAULT */
    bool strict;              /* a record that fails validation fails the load */
    loader_save_fn save_state;
    loader_batch_fn before_commit; /* NULL: none */
    loader_committed_fn committed;
    loader_appended_fn appended; /* NULL: no stream is */
    loader_record_fn on_record;  /* NULL: none */
    void *ctx;                   /* for the callbacks */
};

struct loader;

/* *out (OUT) is the caller's (loader_free). ERR_INVALID for options out of
 * range (a schema name that is not a valid identifier, a batch size past
 * LOADER_BATCH_MAX). */
MUST_CHECK int loader_new(struct loader **out, const struct loader_opts *o, struct err *err);

/* Take one message. A record's own problems are counted, not returned
 * (unless strict); returned errors are the stream's (a RECORD before its
 * SCHEMA: ERR_INVALID; a SCHEMA that is not a JSON Schema inlet can
 * validate with, or that changes the key properties, appended included:
 * ERR_INVALID, naming the DROP TABLE that resets the table) and the
 * database's. A table dropped by hand is made again by the next load, as
 * if new. After an error the loader is spent: the open batch is rolled
 * back, what was committed stays. */
MUST_CHECK int loader_message(struct loader *l, const struct singer_msg *m, struct err *err);

/* Commit what is pending (the end of the stream). */
MUST_CHECK int loader_finish(struct loader *l, struct err *err);

/* Whether a batch's transaction is open on the loader's database. While it
 * is, no other statement may run on that connection: on PostgreSQL a COPY
 * into the batch's staging table may be in progress. */
bool loader_in_batch(const struct loader *l);

/* The counters so far (committed or not). */
void loader_counts(const struct loader *l, struct loader_counts *out);

typedef void (*loader_stream_fn)(void *ctx, const char *stream, const struct loader_counts *n);

/* Call fn for each stream the loader has had a SCHEMA of, in that order,
 * with its part of the counters so far; name and counters are borrowed
 * for the call. */
void loader_stream_counts(const struct loader *l, loader_stream_fn fn, void *ctx);

/* The kept record errors, one per line ("stream: record 12: /email: is not
 * a valid email"), "" when none; borrowed. */
const char *loader_errors(const struct loader *l);

/* Roll back anything uncommitted and free. NULL is a no-op. */
void loader_free(struct loader *l);

#endif
