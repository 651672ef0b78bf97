/* connectors/engine.h - the declarative engine: a connector file's
 * "streams" (and "discover") sections turned into requests, pages and
 * Singer messages. It knows nothing of credentials, databases or runs: the
 * caller gives it a way to send one request (sync/call.h behind it) and a
 * way to take messages (the loader behind it), and the engine does the
 * rest - request templates over config, connection, the stream, its
 * selected fields and its bookmark; where the records are in an answer;
 * pagination by next URL, cursor, offset, page number or Link header;
 * incremental replication with a lookback window and ">=" on the bookmark;
 * a window that moves when a search API stops paging (HubSpot's 10,000);
 * soft deletes; discovery through describe requests and a type mapping.
 * The file format: docs/connectors.md, "Streams". */
#ifndef INLET_CONNECTORS_ENGINE_H
#define INLET_CONNECTORS_ENGINE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json_object.h>

#include "connectors/registry.h"
#include "core/err.h"
#include "core/jsonx.h"
#include "http/fetch.h"
#include "singer/message.h"

#define ENGINE_WINDOW_MOVES_MAX 100000 /* restarts of one stream's window */
#define ENGINE_PAGES_MAX        10000000

/* One request, relative to the connector's base URL. */
struct engine_req {
    const char *method; /* "GET", "POST" */
    const char *path;   /* path and query: "/query?q=SELECT..." */
    const char *body;   /* JSON text, or NULL */
    size_t body_len;
};

/* What the engine needs from its caller. */
struct engine_io {
    /* Send req; *out (OUT) is the answer whatever its status (the caller
     * has retried what can be retried). Errors end the stream. */
    int (*call)(void *ctx, const struct engine_req *req, struct fetch_resp *out, struct err *err);
    /* Take one message (borrowed for the call). NULL for discovery. */
    int (*emit)(void *ctx, const struct singer_msg *m, struct err *err);
    /* A page is done and its STATE emitted: what came before may commit.
     * No request is sent between emit and commit, so the caller may keep a
     * transaction open across them. NULL: none. */
    int (*commit)(void *ctx, struct err *err);
    bool (*cancelled)(void *ctx); /* polled between pages; NULL: never */
    void (*note)(void *ctx, const char *level, const char *msg); /* the run's log; NULL */
    void *ctx;
};

/* The integration's side: borrowed for the calls. */
struct engine_env {
    const struct connector *c;
    struct json_object *config;     /* the integration's config (defaults applied or not) */
    struct json_object *connection; /* what the token response kept; may be NULL */
    const char *base_url;           /* the connector's base URL, filled in */
};

enum engine_end {
    ENGINE_DONE,      /* everything read */
    ENGINE_CANCELLED, /* io.cancelled said so */
    ENGINE_LIMITED,   /* the provider's limit: stopped with the bookmark kept (errors, "partial") */
    ENGINE_SKIPPED,   /* the provider refused this stream (errors, "skip") */
};

struct engine_outcome {
    enum engine_end end;
    int64_t resume_at_ms; /* ENGINE_LIMITED: when to try again (0: unknown) */
    char message[300];    /* ENGINE_LIMITED, ENGINE_SKIPPED: why, for the run's log */
    int64_t pages, records, bytes;
    bool incremental; /* the run read from a bookmark rather than everything */
};

/* The STATE the engine emits is {"bookmarks": {STREAM: BOOKMARK}} for the
 * one stream a page belongs to; BOOKMARK is what bookmark_json takes back. */

/* Sync one stream of the catalog (a stream object as singer/catalog.h
 * reads it, selected, its fields' selection and sync mode applied):
 * SCHEMA, then RECORDs page by page, each page followed by a STATE (for
 * streams read in cursor order, or at the end for the others) and a commit;
 * an ACTIVATE_VERSION at the end of a full refresh that overwrites.
 * bookmark_json is the stream's stored bookmark (NULL: none); full ignores
 * it. Errors: the io's, ERR_INVALID for an answer that is not what the
 * file says (the pointer and the request's path without its query), or
 * the provider's error answer summarised. */
MUST_CHECK int engine_sync_stream(struct engine_outcome *out, const struct engine_env *env,
                                  struct json_object *stream, const char *bookmark_json, bool full,
                                  const struct engine_io *io, struct err *err);

/* Records of stream (a catalog stream, as for engine_sync_stream) that
 * came another way than its pages (an action's answer, read back), emitted
 * as a sync would: the SCHEMA, then each record of the array records
 * shaped as the stream's pages are (members dropped, the nested object
 * flattened, string numbers and booleans typed, deletes marked; records
 * changed in place). No STATE: no bookmark moves. Errors: the io's, and
 * ERR_INVALID for a stream the connector does not describe. */
MUST_CHECK int engine_emit_records(const struct engine_env *env, struct json_object *stream,
                                   struct json_object *records, const struct engine_io *io,
                                   struct err *err);

/* Discover the connector's streams for the integration: the static ones of
 * "streams" (their "describe" requests sent) and those "discover" lists.
 * *out (OUT, json_object_put) is a Singer catalog with the metadata
 * inlet's selection and sync modes read. */
MUST_CHECK int engine_discover(struct json_object **out, const struct engine_env *env,
                               const struct engine_io *io, struct err *err);

/* What the connector schema cannot check in doc's "streams" and "discover"
 * sections: templates name known variables, a stream names its records,
 * pagination has what its type needs, incremental cursors, describe type
 * maps. ERR_INVALID with *at (OUT) the JSON Pointer of the problem. */
MUST_CHECK int engine_spec_check(struct jsonx_ptr *at, struct json_object *doc, struct err *err);

/* A one-line summary of a provider's error answer, for users: the first of
 * Salesforce's [{"message"}], "message", "error_description", "error" (or
 * Slack's "error"), with the code (Salesforce's errorCode, HubSpot's
 * category) when there is one, else the status; control characters
 * blanked, at most n
 * - 1 bytes. Never the request, so never a credential. */
void connector_error_summary(char *out, size_t n, const struct fetch_resp *r);

/* Whether connector c syncs through this engine (kind declarative, with
 * streams or a discover section). */
bool engine_supports(const struct connector *c);

#endif
