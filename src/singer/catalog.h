/* singer/catalog.h - Singer catalogs: what `tap --discover` prints, what
 * inlet stores per integration with the user's selection, and what goes
 * back to the tap with --catalog/--properties. The key idea: a catalog stays
 * a json-c tree (taps add members of their own, and those must reach the tap
 * again untouched); this module checks its shape once, then reads and
 * writes the few members inlet cares about in place: "selected",
 * "replication-method", "replication-key" and "inlet-destination-mode" in
 * the metadata entries found by breadcrumb. Used by discovery (merge a new
 * discovery into the stored catalog), the API's catalog selection (streams,
 * fields, sync modes), the Singer tap runner and the sync engine (a
 * stream's sync mode).
 *
 * Selection rules, as singer-python and Meltano's SDK apply them: a stream
 * is selected when its stream metadata (breadcrumb []) says "selected": true,
 * or, when that metadata has no "selected" at all, when the legacy top-level
 * "selected" is true. A field's metadata entry (breadcrumb ["properties",
 * NAME, ...]) with "inclusion": "automatic" is always selected, with
 * "unsupported" never; otherwise its "selected" decides. */
#ifndef INLET_SINGER_CATALOG_H
#define INLET_SINGER_CATALOG_H
#include <stdbool.h>
#include <stddef.h>

#include <json-c/json_object.h>

#include "core/buf.h"
#include "core/err.h"

/* Bytes of catalog text. Discovery of a large database or CRM prints a
 * schema per table, and schemas with thousands of properties exist
 * (Salesforce objects, wide warehouse tables): a few MiB per catalog is
 * common, so 64 MiB leaves headroom while keeping a runaway tap's output
 * from reaching the allocator whole. */
#define CATALOG_MAX (64u << 20)
/* Streams in one catalog (a database tap lists one per table). */
#define CATALOG_STREAMS_MAX 10000

/* Parse text[0..n) (jsonx's strict JSON, at most CATALOG_MAX bytes,
 * otherwise ERR_TOOBIG with jsonx's message) and check it as a catalog:
 * - an object with "streams", an array of at most CATALOG_STREAMS_MAX;
 * - each stream an object with "tap_stream_id" (a non-empty string without
 *   \u0000, unique in the catalog), "stream" (the same; absent or null, it
 *   is set to tap_stream_id in *out), "schema" (an object), "key_properties"
 *   (absent, null, or an array of non-empty strings without \u0000, as
 *   SCHEMA messages need), "metadata" (absent, null, or an array of
 *   {"breadcrumb": [...], "metadata": {...}}) and, if present and not null,
 *   a legacy top-level "selected" boolean;
 * - a breadcrumb is [] (the stream) or ["properties", NAME] with further
 *   ["properties", NAME] pairs for nested fields, and is unique per stream;
 * - in a metadata object, "selected" and "selected-by-default" are booleans,
 *   "inclusion" is "available", "automatic" or "unsupported", and
 *   "replication-method", "replication-key" and "inlet-destination-mode"
 *   are strings (each may be absent or null).
 * Anything else (unknown members, a tap's own metadata) is kept as it is.
 * On success *out (OUT) is the catalog; the caller releases it with
 * json_object_put. On failure *out is not touched and the error is
 * ERR_INVALID with jsonx's message for text that is not JSON, otherwise a
 * JSON Pointer and what was expected, for example:
 *   expected a JSON object, got array
 *   /streams: missing                 /streams: expected an array, got object
 *   /streams: more than 10000 streams
 *   /streams/3: expected an object, got string
 *   /streams/3/tap_stream_id: missing
 *   /streams/3/tap_stream_id: expected a non-empty string, got integer
 *   /streams/3/tap_stream_id: expected a non-empty string, got ""
 *   /streams/3/tap_stream_id: contains \u0000
 *   /streams/4/tap_stream_id: "items" appears twice (also /streams/1)
 *   /streams/3/schema: expected an object, got array
 *   /streams/3/key_properties/1: expected a non-empty string, got integer
 *   /streams/3/metadata/2/breadcrumb/0: expected "properties"
 *   /streams/3/metadata/2/breadcrumb: expected pairs of "properties" and a
 *       name, got 3 elements
 *   /streams/3/metadata/5/breadcrumb: ["properties","id"] appears twice
 *       (also /streams/3/metadata/1)
 *   /streams/3/metadata/2/metadata/inclusion: expected "available",
 *       "automatic" or "unsupported"
 * Quoted ids and breadcrumbs are JSON-escaped and cut to 64 bytes ("..."). */
MUST_CHECK int catalog_parse(struct json_object **out, /* OUT: owned; json_object_put */
                             const char *text, size_t n, struct err *err);

/* Carry the user's choices from old (a stored catalog, checked by
 * catalog_parse; NULL for none) into fresh (a new discovery, checked too),
 * matching streams by tap_stream_id and fields by breadcrumb:
 * - a stream of fresh also in old keeps old's selection (its metadata
 *   "selected", or the legacy top-level one) and old's "replication-method",
 *   "replication-key" and "inlet-destination-mode" (the key is dropped when
 *   fresh's metadata lists "valid-replication-keys" without it: the field
 *   is gone); a sync mode old chose that fresh no longer supports (or no
 *   valid one) is replaced by fresh's default, written down, so that what
 *   is stored is always a mode the stream supports;
 * - a stream new in fresh, or one old left undecided, gets its default:
 *   selected when its stream metadata says "selected-by-default": true or
 *   "inclusion": "automatic";
 * - a field entry with "inclusion": "automatic" is selected, "unsupported"
 *   never; any other keeps old's "selected" for the same breadcrumb, or
 *   gets the same default as a stream;
 * - streams and fields gone from fresh are simply not there any more.
 * Every stream of fresh ends with an explicit stream-level "selected" (a
 * metadata entry with breadcrumb [] is added where there was none; a legacy
 * top-level "selected" is set to the same value) and every field entry of
 * fresh with an explicit "selected". old is only read; it may be fresh
 * itself. Returns how many streams of fresh are selected. */
size_t catalog_merge(struct json_object *fresh, const struct json_object *old);

/* Select exactly the streams named by names[0..n) (all of them when all is
 * true, and then names is not looked at; none when n is 0), unselecting the
 * others, and in each selected stream set every field entry's "selected" to
 * whether its inclusion is not "unsupported" (fields of unselected streams
 * are left as they were). A name may appear more than once. ERR_NOTFOUND,
 * `stream "x" is not in the catalog`, for the first name that matches no
 * tap_stream_id; cat is then unchanged. */
MUST_CHECK int catalog_select(struct json_object *cat, const char *const *names, size_t n, bool all,
                              struct err *err);

/* The user's choice, as the API takes it: choice is a JSON array of
 * {"tap_stream_id": ID, "fields": [NAME, ...], "sync_mode": MODE} naming
 * the streams to select; every other stream is unselected (and keeps the
 * sync mode it had). With "fields", exactly those top-level fields of the
 * stream's schema are selected (and the automatic ones, always); without,
 * every field but the unsupported ones. A field without a metadata entry
 * gets one. "sync_mode" is a name or label catalog_sync_mode_parse takes,
 * which the stream must support; without it, the stream's default. The
 * mode is written down for every chosen stream ("replication-method" and
 * "inlet-destination-mode"). Everything is checked before anything
 * changes; ERR_INVALID with a message that starts with the JSON Pointer of
 * the problem in choice's document under "/streams" ("/streams/1/fields/0:
 * stream \"items\" has no field \"x\"", "/streams/0/sync_mode: stream
 * \"orders\" cannot sync incrementally (its forced-replication-method is
 * FULL_TABLE); it supports full_refresh_overwrite and
 * full_refresh_append"). */
MUST_CHECK int catalog_choose(struct json_object *cat, const struct json_object *choice,
                              struct err *err);

/* What fresh (a new discovery) changes from old (the stored catalog; NULL:
 * none), appended to b as a JSON object:
 *   {"streams_added":["b"],"streams_removed":["c"],
 *    "fields_added":{"a":["x"]},"fields_removed":{"a":["y"]}}
 * streams by tap_stream_id, fields by the top-level properties of the
 * schemas of streams in both, each list in catalog order. Both must have
 * passed catalog_parse. */
void catalog_changes(struct buf *b, const struct json_object *old, const struct json_object *fresh);

/* For one run: keep selected only the streams named by names[0..n) (n >
 * 0), leaving their fields' selection as it is, and unselect the others.
 * ERR_NOTFOUND, `stream "x" is not in the catalog`, for a name that matches
 * no tap_stream_id; ERR_INVALID, `stream "x" is not selected`, for one the
 * user has not selected. cat is unchanged on error. */
MUST_CHECK int catalog_only(struct json_object *cat, const char *const *names, size_t n,
                            struct err *err);

/* ---- walking a checked catalog; all results are borrowed from cat ---- */

/* Number of streams (0 when cat has no "streams" array). */
size_t catalog_count(const struct json_object *cat);
/* Stream i (< catalog_count), or NULL when out of range. */
struct json_object *catalog_stream(const struct json_object *cat, size_t i);
/* The stream whose tap_stream_id is id, or NULL. Looks at each in turn. */
struct json_object *catalog_stream_by_id(const struct json_object *cat, const char *id);
/* tap_stream_id, or NULL when stream has none. */
const char *catalog_stream_id(const struct json_object *stream);
/* "stream" (the name SCHEMA and RECORD messages carry), or tap_stream_id
 * when it is absent. */
const char *catalog_stream_name(const struct json_object *stream);
/* Selected, by the rules at the top of this file. */
bool catalog_stream_selected(const struct json_object *stream);
/* The stream-level metadata object (the entry with breadcrumb []), or NULL. */
struct json_object *catalog_stream_meta(const struct json_object *stream);

/* ---- sync modes ----
 *
 * How a stream syncs, as Airbyte names the four modes users know: how
 * records are read (full refresh: all of them each time; incremental: those
 * past the bookmark) and how they land (overwrite: the table ends as the
 * source is; append: every record is a new row; append + deduped: one row
 * per key, upserted). Stored in the stream metadata (breadcrumb []) as
 * Singer's own "replication-method" (FULL_TABLE or INCREMENTAL, which taps
 * read; LOG_BASED is kept where the tap uses it and counts as incremental)
 * and inlet's "inlet-destination-mode" ("overwrite", "append",
 * "append_dedup"), which the loader reads through catalog_stream_sync_mode.
 *
 * What a stream supports, from its metadata (breadcrumb []):
 * - full refresh, both modes: always (a tap's forced method wins at the tap);
 * - incremental: unless "forced-replication-method" is FULL_TABLE, when
 *   "valid-replication-keys" is a non-empty array, "replication-key" a
 *   non-empty string, or "forced-replication-method" INCREMENTAL (or
 *   LOG_BASED);
 * - append + deduped: incremental, and key properties to dedupe by
 *   ("table-key-properties" in the metadata, or "key_properties").
 * The default, when nothing valid is stored: incremental_append_deduped
 * when the stream supports it, else full_refresh_overwrite. */
enum catalog_sync_mode {
    CATALOG_SYNC_FULL_REFRESH_OVERWRITE,
    CATALOG_SYNC_FULL_REFRESH_APPEND,
    CATALOG_SYNC_INCREMENTAL_APPEND,
    CATALOG_SYNC_INCREMENTAL_APPEND_DEDUPED,
};
#define CATALOG_SYNC_MODES 4 /* how many there are: 0 .. CATALOG_SYNC_MODES - 1 */

/* "full_refresh_overwrite", "full_refresh_append", "incremental_append",
 * "incremental_append_deduped": what the API writes. Static strings. */
const char *catalog_sync_mode_name(enum catalog_sync_mode m);
/* "Full refresh | Overwrite", "Full refresh | Append", "Incremental |
 * Append", "Incremental | Append + Deduped": Airbyte's labels. Static. */
const char *catalog_sync_mode_label(enum catalog_sync_mode m);
/* Whether records of mode m are appended (no key, every record a row):
 * full_refresh_append and incremental_append. */
bool catalog_sync_mode_appends(enum catalog_sync_mode m);

/* The mode s names (a name or, exactly, a label) into *out (OUT).
 * ERR_INVALID, `"x" is not a sync mode (full_refresh_overwrite, ...)`
 * with the name quoted as catalog_parse quotes ids; *out is then not
 * touched. */
MUST_CHECK int catalog_sync_mode_parse(enum catalog_sync_mode *out, const char *s, struct err *err);

/* Whether stream supports m, by the rules above. */
bool catalog_stream_supports(const struct json_object *stream, enum catalog_sync_mode m);

/* The mode stream syncs with: the one its metadata stores when that is a
 * valid pair the stream supports ("replication-method" alone counts: an
 * incremental one is deduped when the stream has key properties), else the
 * default. What the loader and the sync engine go by. */
enum catalog_sync_mode catalog_stream_sync_mode(const struct json_object *stream);

/* Append cat as compact JSON to b: what is stored and passed to the tap.
 * Going past b's cap shows in buf_failed(b). As with jsonx_format, json-c
 * keeps a copy of the text inside cat until cat is released. */
void catalog_format(struct buf *b, const struct json_object *cat);

#endif
