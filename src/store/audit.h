/* store/audit.h - the audit log: one row per mutation, written in the same
 * transaction as the change it records, so that there is never a change
 * without its entry or an entry without its change. Entries name the actor
 * (an API key id, "ui:<key id>" for a session, "cli", "system"), the
 * action ("integration.create"), the target, and non-secret data.
 * Entries with no tenant go to the platform's log (table platform_audit):
 * what platform keys did to tenants (docs/embedding.md). */
#ifndef INLET_STORE_AUDIT_H
#define INLET_STORE_AUDIT_H
#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "db/db.h"

#define AUDIT_LIST_MAX 200   /* entries per page */
#define AUDIT_DATA_MAX 65536 /* bytes of an entry's data */

struct audit_entry {
    const char *id;        /* set by audit_list; ignored by audit_record */
    const char *tenant_id; /* NULL: the platform's log */
    const char *actor;
    const char *action;
    const char *target_type; /* may be NULL */
    const char *target_id;   /* may be NULL */
    const char *data;        /* JSON object text, never a secret; NULL: {} */
    const char *ip;          /* client address; may be NULL */
    int64_t created_at;      /* unix seconds; audit_record uses its now */
};

/* Insert e (id made here) at time now, inside the caller's transaction,
 * into the tenant's log, or the platform's when e->tenant_id is NULL.
 * actor and action are required (asserted). ERR_TOOBIG when data
 * is over AUDIT_DATA_MAX bytes; db errors as they come. */
MUST_CHECK int audit_record(struct db *db, const struct audit_entry *e, int64_t now,
                            struct err *err);

typedef int (*audit_list_fn)(void *ctx, const struct audit_entry *e);

/* The tenant's entries (tenant_id NULL: the platform's) newest first (by id, which is
 * time-ordered), limit (1..AUDIT_LIST_MAX, else ERR_INVALID) of them, starting after cursor
 * `before` (an entry id: the next page starts after the last id given;
 * NULL: from the newest). Entries are borrowed for the callback, which may
 * use db; a nonzero return stops and is returned. *more (OUT) says whether
 * older entries remain. */
MUST_CHECK int audit_list(bool *more, struct db *db, const char *tenant_id, const char *before,
                          int limit, audit_list_fn fn, void *ctx, struct err *err);

/* Append e as the API's JSON object: {"id","actor","action","target_type",
 * "target_id","data":{...},"ip","created_at"} (time as RFC 3339). */
void audit_format(const struct audit_entry *e, struct buf *b);

#endif
