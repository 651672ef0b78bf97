/* store/records_query.h - reading the normalized layer (accounts, contacts,
 * tickets, deals) for the Data API, and erasing synced data for the
 * retention routes. One table-driven description per model, so the four
 * share their filters, sorts and keyset cursors; every filter is a bound
 * value and every sort a fixed SQL fragment. Reads run in the caller's
 * tenant transaction (db_begin_tenant_read), purges in a writing one
 * (db_begin_tenant); none begins or commits. Used by api/data.c and
 * api/purge.c, and store/stats.c for its decimals. Rules and shapes:
 * docs/data.md. */
#ifndef INLET_STORE_RECORDS_QUERY_H
#define INLET_STORE_RECORDS_QUERY_H
#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/id.h"
#include "db/db.h"

#define RECORDS_LIST_MAX    200  /* rows per page */
#define RECORDS_Q_MAX       100  /* bytes of a search text (the name keys hold 100 characters) */
#define RECORDS_CURSOR_MAX  1024 /* bytes of a cursor and its NUL; ours stay under 600 */
#define RECORDS_SOURCES_MAX 100  /* sources listed with one record */

/* One of the four models; static, never freed. */
struct records_model;

/* The model named name ("contacts", "accounts", "tickets", "deals"), or
 * NULL. */
const struct records_model *records_query_model(const char *name);
/* Whether its rows belong to an account (the account_id filter). */
bool records_query_has_account(const struct records_model *m);

enum records_sort {
    RECORDS_SORT_UPDATED,      /* updated_at, then id; the default */
    RECORDS_SORT_UPDATED_DESC, /* -updated_at */
    RECORDS_SORT_NAME,         /* the model's name key (docs/data.md) */
    RECORDS_SORT_NAME_DESC,
    RECORDS_SORT_CREATED,
    RECORDS_SORT_CREATED_DESC,
};

/* The sort spelled s ("updated_at", "-name", ...) into *out; false when s
 * is none of them. */
bool records_query_sort_parse(enum records_sort *out, const char *s);
/* Its spelling ("-updated_at"). */
const char *records_query_sort_name(enum records_sort s);

/* Where a page starts: just after the row with this sort key and id. */
struct records_cursor {
    enum records_sort sort;
    int64_t key_int;                   /* the time sorts' key, unix seconds */
    char key_text[RECORDS_CURSOR_MAX]; /* the name sorts' key */
    char id[ID_MAX];
};

/* Read the opaque cursor text s, made for a page sorted by sort, into *out.
 * ERR_INVALID "cursor: ..." when s is not one of ours, or when it was made
 * for another sort (a cursor is only good with the sort of its first page;
 * the filters may change). */
MUST_CHECK int records_query_cursor_parse(struct records_cursor *out, const char *s,
                                          enum records_sort sort, struct err *err);

struct records_filter {
    const char *integration_id; /* NULL: any; checked by the caller */
    const char *account_id;     /* NULL: any; only for models with accounts */
    bool has_since;
    int64_t updated_since; /* unix seconds: updated_at >= this, with has_since */
    const char *q;         /* NULL or "": none; a case-insensitive prefix, <= RECORDS_Q_MAX bytes */
    bool include_deleted;  /* soft-deleted rows too */
    enum records_sort sort;
    const struct records_cursor *after; /* NULL: the first page */
    int limit;                          /* 1..RECORDS_LIST_MAX */
};

/* Append to b the JSON objects (comma-separated, no brackets) of the
 * tenant's rows of model m that match f, at most f->limit, in f->sort
 * order. next (OUT) gets the cursor of the following page, "" when this
 * is the last. ERR_INVALID for a limit out of range, a q too long, or an
 * account filter on a model without accounts; db errors as they come. */
MUST_CHECK int records_query_list(struct buf *b, char next[RECORDS_CURSOR_MAX], struct db *db,
                                  const char *tenant_id, const struct records_model *m,
                                  const struct records_filter *f, struct err *err);

/* Append to b the JSON object of the tenant's row id of model m, deleted
 * or not, with "sources": where it came from (synced_records: integration,
 * connector, stream, external id, first and last synced, deleted), most
 * recently synced first, at most RECORDS_SOURCES_MAX. ERR_NOTFOUND ("no
 * contact <id>") when there is no such row for the tenant. */
MUST_CHECK int records_query_get(struct buf *b, struct db *db, const char *tenant_id,
                                 const struct records_model *m, const char *id, struct err *err);

/* What a purge removed. */
struct records_purge {
    int64_t raw_tables; /* the loader's tables, one per stream, dropped */
    int64_t accounts, contacts, tickets, deals;
    int64_t synced_records;
    int64_t stream_state;   /* bookmarks: the next sync starts over */
    int64_t runs;           /* an integration's sync runs (its purge only) */
    int64_t webhook_bodies; /* received webhook payloads erased (the rows stay, for dedupe) */
};

/* Erase what integration id has synced: its raw tables (the loader names
 * them "<integration id>_<stream>" in _inlet_tables), its normalized rows
 * and synced_records, its stream_state and runs, and the bodies of the
 * webhooks its endpoints received; *out (OUT) counts them. The
 * integration itself is left to integration_delete. Reaches an
 * integration deleted earlier without purge. ERR_NOTFOUND ("no integration
 * <id>") when the tenant has no such integration, deleted or not;
 * ERR_CONFLICT naming the run when one of its syncs is queued or running
 * (cancel it or let it end, then purge). */
MUST_CHECK int records_query_purge_integration(struct records_purge *out, struct db *db,
                                               const char *tenant_id, const char *id,
                                               struct err *err);

/* Erase all the tenant has synced: the raw tables of every integration of
 * it (deleted ones too), every normalized row, synced_records, every
 * stream_state (so each next sync starts over) and every received webhook
 * body; integrations, credentials, mappings and runs stay. *out (OUT)
 * counts them. ERR_CONFLICT as records_query_purge_integration when any
 * of its syncs is queued or running. */
MUST_CHECK int records_query_purge_tenant(struct records_purge *out, struct db *db,
                                          const char *tenant_id, struct err *err);

/* Append p as the API's JSON object: {"raw_tables":n,"accounts":n,...}. */
void records_query_purge_format(const struct records_purge *p, struct buf *b);

/* Append the decimal text s (a NUMERIC as an engine spells it: "1250.50",
 * "1250.5", "1.5e+15") to b as a plain decimal without trailing zeros
 * ("1250.5", "1500000000000000"): a JSON string when quoted, else a JSON
 * number; null when s is NULL or not a finite number. For money, which a
 * JSON number would hand to most clients as a binary double. */
void records_query_put_decimal(struct buf *b, const char *s, bool quoted);

#endif
