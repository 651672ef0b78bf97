/* sync/session.h - what every kind of sync shares, whatever produces its
 * records (a Singer tap, sync/tap_sync.h; the declarative engine,
 * sync/native_sync.h): the run's row (started here or by the API, ended
 * with its counters, error and log), the catalog a run reads (checked and
 * restricted to the streams asked for), a discovered catalog merged into
 * the stored one, and a cancel seen through the run's row. */
#ifndef INLET_SYNC_SESSION_H
#define INLET_SYNC_SESSION_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json_object.h>

#include "core/err.h"
#include "oauth/flow.h"
#include "store/integration.h"
#include "store/sync_run.h"
#include "sync/loader.h"
#include "sync/normalize.h"
#include "sync/run_log.h"
#include "sync/tap_sync.h"

#define SESSION_POLL_CANCEL_MS 1000 /* how often a run's row is read for a cancel */

/* One run of one integration. */
struct session {
    const struct sync_opts *o;
    struct run_log log;
    struct sync_run run;
    struct loader *l;        /* the caller's (loader_free): its counters and errors end the run */
    struct json_object *cat; /* the run's catalog (owned): its streams' sync modes */
    int64_t bytes;
    int64_t polled_ms;
    bool cancel_seen;
    /* Counters per stream, for a producer that reads one stream after
     * another (the engine): stream -> {processed, ...} (owned). */
    struct json_object *streams;
    char *current;               /* the stream being read (owned), or NULL */
    struct loader_counts before; /* the loader's counters when it began */
    struct loader_counts base;   /* a run taken up again: what it had counted */
    struct normalize *norm;      /* the integration's mappings (owned), NULL before
                                    session_normalize_begin */
    int64_t began_ms;            /* Unix ms when session_start ran: the run's duration in events */
};

/* The run's counters: what it had counted before it was taken up again,
 * plus the loader's. */
void session_counts(const struct session *s, struct loader_counts *n);

void session_init(struct session *s, const struct sync_opts *o);
void session_dispose(struct session *s);

/* Start the run (or read the one o->run_id names) into s->run. */
MUST_CHECK int session_start(struct session *s, const char *integration_id, struct err *err);

/* End the run with status and error (NULL: none): the loader's kept record
 * errors and a summary go to the log, everything is stored, and s->run is
 * read back as stored. */
MUST_CHECK int session_finish(struct session *s, const char *status, const char *error,
                              struct err *err);

/* Whether the run should stop: the caller's cancelled() says so, or the
 * run's row says "cancelled" (read at most every SESSION_POLL_CANCEL_MS,
 * and only between batches). */
bool session_cancelled(struct session *s);

/* Stream name begins / the one begun ends: its counters are the loader's
 * difference between the two, stored with the run (sync_run_stream_counts)
 * at every commit and at the end. */
void session_stream_begin(struct session *s, const char *name);
void session_stream_end(struct session *s);

/* The loader's before_commit for a session (ctx: the struct session):
 * the normalized rows waiting for others are linked (normalize_flush) and
 * the counters go into the run's row with the batch. */
int session_before_commit(void *ctx, struct db *db, struct err *err);

/* The loader's appended for a session: whether stream (by the name SCHEMA
 * messages carry) syncs in an append mode; a stream the catalog lacks is
 * upserted as its keys say. */
bool session_appended(struct session *s, const char *stream);

/* Build the integration's effective mappings (sync/normalize.h) for the
 * run: connector c's defaults (c may be NULL) and integration_id's
 * field_mappings rows. No transaction may be open on the run's db.
 * Errors: normalize_new's. */
MUST_CHECK int session_normalize_begin(struct session *s, const struct connector *c,
                                       const char *integration_id, struct err *err);

/* The loader's on_record for a session (ctx: the struct session): the
 * record's normalized rows, in the batch's transaction. Nothing when the
 * integration has no mappings. */
int session_on_record(void *ctx, struct db *db, const char *stream, struct json_object *record,
                      bool deleted, struct err *err);

/* The caller's run (o->run_id) could not go ahead: it ends failed with why,
 * the tenant hears of it (sync.failed, once per change of state) and so
 * does the host (a sync.failed event, every time). */
void session_fail_given(const struct sync_opts *o, const struct err *why);

/* Integration id, ready to sync: *it (OUT, integration_dispose) read in a
 * transaction of its own, its connector (*c, NULL when the registry has
 * none), its config and connection parsed (*config, *connection: OUT,
 * json_object_put; {} when empty). ERR_NOTFOUND; ERR_INVALID when it is
 * paused or disconnected. The outputs are set as far as it got. */
MUST_CHECK int session_integration(struct integration *it, const struct connector **c,
                                   struct json_object **config, struct json_object **connection,
                                   const struct oauth_env *env, const char *tenant_id,
                                   const char *id, struct err *err);

/* Check catalog text (the stored one; NULL when there is none) for a run
 * of integration id, restricted to streams[0..n) when n > 0; the catalog
 * for the run into *out (OUT, xfree; may be NULL) as text. */
MUST_CHECK int session_catalog_for_run(char **out, const char *text, const char *id,
                                       const char *const *streams, size_t n, struct err *err);

/* The stored catalog of integration id for this run (as above). */
MUST_CHECK int session_read_catalog(char **json, const struct sync_opts *o, const char *id,
                                    struct err *err);

/* Merge fresh (a discovery) into the stored catalog of integration id and
 * store it; then select every stream (select_all) or exactly names[0..n).
 * *out (may be NULL) says what changed. */
MUST_CHECK int session_catalog_store(struct sync_discovery *out, const struct oauth_env *env,
                                     const char *tenant_id, const char *id,
                                     struct json_object *fresh, const char *const *names, size_t n,
                                     bool select_all, struct err *err);

#endif
