/* store/integration.h - integrations and their sealed credentials. An
 * integration is one tenant's connection to one connector: its name, its
 * non-secret config (JSON), its status, and, in credentials, the secrets
 * (API keys, passwords, tokens) as one sealed JSON object whose plaintext
 * never leaves this module except through integration_secrets_open.
 *
 * Every function runs inside the caller's transaction (db_begin_tenant), so
 * that a change and its audit_log entry commit together; none begins or
 * commits. Every query is confined to tenant_id as well as to the row-level
 * security of PostgreSQL. Deleted integrations (soft, see
 * integration_delete) are invisible to every function here but
 * integration_end_user_ids.
 *
 * An integration may belong to an end user (the host product's user it was
 * made for: id, email, display name) and carry tags, the host's free-form
 * labels (docs/embedding.md); lists filter by both. */
#ifndef INLET_STORE_INTEGRATION_H
#define INLET_STORE_INTEGRATION_H
#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/id.h"
#include "core/secret.h"
#include "crypto/vault.h"
#include "db/db.h"

#define INTEGRATION_NAME_MAX   200   /* bytes */
#define INTEGRATION_CONFIG_MAX 65536 /* bytes of the config JSON */
#define INTEGRATION_LIST_MAX   200   /* rows per page */

#define INTEGRATION_END_USER_ID_MAX    255 /* bytes */
#define INTEGRATION_END_USER_EMAIL_MAX 320 /* bytes */
#define INTEGRATION_END_USER_NAME_MAX  200 /* bytes of a display name */
#define INTEGRATION_TAGS_MAX           20  /* distinct tags on one integration */
#define INTEGRATION_TAG_MAX            64  /* bytes of one tag */
#define INTEGRATION_FILTER_TAGS_MAX    10  /* tags one list may require */

/* One integration as stored. Strings are owned (xmalloc) and freed by
 * integration_dispose. */
struct integration {
    char id[ID_MAX];
    char tenant_id[ID_MAX];
    char *connector; /* connector name */
    char *name;
    char *config;        /* JSON object text */
    char *status;        /* draft, active, paused, error, needs_reauth, disconnected */
    char *status_reason; /* NULL unless error / needs_reauth */
    char *schedule;      /* NULL: manual */
    int64_t next_run_at; /* unix seconds; 0: none */
    char *secret_names;  /* JSON array text of the secret names set, "[]" when none */
    char *connection;    /* JSON object text: who it is connected as, token metadata; "{}" */
    int64_t created_at, updated_at; /* unix seconds */
    char *end_user_id;              /* NULL: it belongs to no end user */
    char *end_user_email;           /* NULL: none (always NULL without end_user_id) */
    char *end_user_name;            /* display name; NULL: none (as email) */
    char *tags; /* JSON array text of its tags, sorted bytewise; "[]" when none */
};

/* The host product's user an integration belongs to. Strings borrowed. */
struct integration_end_user {
    const char *id;           /* 1..INTEGRATION_END_USER_ID_MAX bytes */
    const char *email;        /* NULL: none */
    const char *display_name; /* NULL: none */
};

/* A set of tags: n strings at v, repeats allowed (they merge). Borrowed. */
struct integration_tags {
    const char *const *v;
    size_t n;
};

/* Free the strings (NULL after). id and tenant_id are left as they were,
 * so a disposed row's id can still be passed on. A zeroed struct is fine. */
void integration_dispose(struct integration *it);

/* Insert a new integration (status "draft", id made here) and return it in
 * *out (OUT, integration_dispose). config is JSON object text the caller has
 * validated (NULL: {}). ERR_CONFLICT ("name: an integration named "x"
 * exists already") when the tenant has a live integration with that name;
 * ERR_INVALID for an empty name, one over INTEGRATION_NAME_MAX bytes, one
 * that is not UTF-8 or holds control characters (messages start "name: "),
 * or an empty connector; ERR_TOOBIG for a config over
 * INTEGRATION_CONFIG_MAX bytes. */
MUST_CHECK int integration_create(struct integration *out, struct db *db, const char *tenant_id,
                                  const char *connector, const char *name, const char *config,
                                  int64_t now, struct err *err);

/* What integration_create_with makes; strings and structs borrowed. */
struct integration_new {
    const char *connector;
    const char *name;
    const char *config;                          /* NULL: {} */
    const struct integration_end_user *end_user; /* NULL: none */
    const struct integration_tags *tags;         /* NULL: none */
};

/* integration_create with an end user and tags as well (integration_create
 * is this with neither). Besides its errors, ERR_INVALID as
 * integration_labels_check for a bad end user or tags. */
MUST_CHECK int integration_create_with(struct integration *out, struct db *db,
                                       const char *tenant_id, const struct integration_new *nw,
                                       int64_t now, struct err *err);

/* Check name as integration_create and integration_update do: ERR_INVALID
 * with a message starting "name: " for an empty name, one over
 * INTEGRATION_NAME_MAX bytes, one that is not UTF-8 or holds control
 * characters. */
MUST_CHECK int integration_name_check(const char *name, struct err *err);

/* Checks of one value each, as every function here makes them; ERR_INVALID
 * with a message that names no field ("must not be empty", "300 bytes, at
 * most 255"), for the caller to put its own pointer or name before.
 *   end user id:  1..INTEGRATION_END_USER_ID_MAX bytes of UTF-8 without
 *                 control characters;
 *   email:        1..INTEGRATION_END_USER_EMAIL_MAX bytes of UTF-8, one '@'
 *                 with something either side, no space or control character;
 *   display name: as an end user id, at most INTEGRATION_END_USER_NAME_MAX;
 *   tag:          1..INTEGRATION_TAG_MAX bytes of [A-Za-z0-9_.:/-]. */
MUST_CHECK int integration_end_user_id_check(const char *id, struct err *err);
MUST_CHECK int integration_email_check(const char *email, struct err *err);
MUST_CHECK int integration_display_name_check(const char *name, struct err *err);
MUST_CHECK int integration_tag_check(const char *tag, struct err *err);

/* Sort tags[0..n) bytewise and drop repeats, in place; returns how many
 * remain (the set's size, which INTEGRATION_TAGS_MAX bounds). */
size_t integration_tags_sort(const char **tags, size_t n);

/* Check an end user (NULL: none) and tags (NULL: none) as create and
 * update do: ERR_INVALID with a message led by the JSON pointer of the
 * first bad member, "/end_user/id: ", "/end_user/email: ",
 * "/end_user/display_name: ", "/tags/3: ", or "/tags: " for more than
 * INTEGRATION_TAGS_MAX distinct tags (api/ answers it with
 * api_invalid_msg). */
MUST_CHECK int integration_labels_check(const struct integration_end_user *u,
                                        const struct integration_tags *tags, struct err *err);

/* Read one. ERR_NOTFOUND ("no integration <id>") when it does not exist, is
 * deleted or belongs to another tenant. */
MUST_CHECK int integration_get(struct integration *out, struct db *db, const char *tenant_id,
                               const char *id, struct err *err);

/* What may change; NULL fields stay as they are. */
struct integration_change {
    const char *name;
    const char *config; /* JSON object text, validated by the caller */
    const char *status;
    const char *status_reason; /* with status; NULL clears it */
    const char *connection;    /* JSON object text (oauth/): identity and token metadata */
    const struct integration_end_user *end_user; /* the new end user, all three members */
    bool end_user_clear;                         /* remove the end user (end_user NULL) */
    const struct integration_tags *tags;         /* the new set, replacing the old one */
};

/* Apply ch and set updated_at = now; *out (OUT, may be NULL) gets the row
 * after the change (id may point into *out). ERR_NOTFOUND as
 * integration_get; ERR_CONFLICT for a name taken by another live
 * integration; ERR_INVALID for a bad name or an unknown status ("status: "),
 * or an end user or tags as integration_labels_check; ERR_TOOBIG for a
 * config as integration_create. */
MUST_CHECK int integration_update(struct integration *out, struct db *db, const char *tenant_id,
                                  const char *id, const struct integration_change *ch, int64_t now,
                                  struct err *err);

/* Ask for integration id's next run at unix second at (a sync stopped by
 * the provider's quota resumes once it resets): next_run_at becomes at
 * unless an earlier run is due already. ERR_NOTFOUND. */
MUST_CHECK int integration_run_by(struct db *db, const char *tenant_id, const char *id, int64_t at,
                                  struct err *err);

struct integration_filter {
    const char *status;      /* NULL: any */
    const char *connector;   /* NULL: any */
    const char *q;           /* NULL: any; else names holding it, any case (ASCII on SQLite) */
    const char *after;       /* cursor: ids greater than this one; NULL from the start */
    int limit;               /* 1..INTEGRATION_LIST_MAX */
    const char *end_user_id; /* NULL: any; else only that end user's */
    const char *const *tags; /* with ntags: only integrations carrying every one */
    size_t ntags;            /* 0..INTEGRATION_FILTER_TAGS_MAX */
    const char *id;          /* NULL: any; else that integration only */
};

/* Called per row, oldest id first; the row is borrowed for the call, and
 * the callback may use the connection. A nonzero return stops and is
 * returned. */
typedef int (*integration_list_fn)(void *ctx, const struct integration *it);

/* List the tenant's live integrations matching f. *more (OUT) says whether
 * rows remain after the last one given (the caller's next cursor is that
 * row's id). ERR_INVALID for a limit out of range, an unknown status, a q
 * over INTEGRATION_NAME_MAX bytes, an end_user_id or a tag that
 * integration_end_user_id_check or integration_tag_check refuses
 * ("end_user_id: ", "tag: "), or more than INTEGRATION_FILTER_TAGS_MAX
 * tags. */
MUST_CHECK int integration_list(bool *more, struct db *db, const char *tenant_id,
                                const struct integration_filter *f, integration_list_fn fn,
                                void *ctx, struct err *err);

/* The ids of the tenant's integrations that belong to end user
 * end_user_id, in id order: the live ones and, with deleted_too, those
 * deleted earlier without a purge as well (a purge still reaches them).
 * *ids (OUT, xfree) holds *n of them; NULL when there are none. An id that
 * integration_end_user_id_check refuses has none. */
MUST_CHECK int integration_end_user_ids(char (**ids)[ID_MAX], size_t *n, struct db *db,
                                        const char *tenant_id, const char *end_user_id,
                                        bool deleted_too, struct err *err);

/* How many live integrations the tenant has of each connector: fn gets
 * each connector name that has any, with its count. A nonzero return from
 * fn stops and is returned. */
typedef int (*integration_count_fn)(void *ctx, const char *connector, int64_t n);
MUST_CHECK int integration_count_by_connector(struct db *db, const char *tenant_id,
                                              integration_count_fn fn, void *ctx, struct err *err);

/* Replace the integration's secrets with plaintext (a JSON object text of
 * secret name -> value), sealed by v under the active key, kind "oauth2",
 * "api_key" or "basic", expires_at 0 for none. names_json is the JSON array
 * of the names it holds (what responses show; NULL: []). The credentials
 * row keeps its id across replacements (the seal is bound to it, see
 * store/sealed.h), and the integration's updated_at becomes now.
 * ERR_NOTFOUND as integration_get; ERR_INVALID for another kind or
 * names_json that is not an array of strings; errors of vault_seal. */
MUST_CHECK int integration_secrets_set(struct db *db, const struct vault *v, const char *tenant_id,
                                       const char *id, const char *kind,
                                       const struct secret *plaintext, const char *names_json,
                                       int64_t expires_at, int64_t now, struct err *err);

/* Open the integration's secrets: *out (OUT, secret_dispose) gets the JSON
 * object text. ERR_NOTFOUND when it has none; ERR_CRYPTO as sealed_open. */
MUST_CHECK int integration_secrets_open(struct secret *out, struct db *db, const struct vault *v,
                                        const char *tenant_id, const char *id, struct err *err);

/* The integration's catalog (Singer catalog JSON with the user's
 * selection): *json (OUT, xfree) is NULL when it has none yet. ERR_NOTFOUND
 * as integration_get. */
MUST_CHECK int integration_catalog_get(char **json, struct db *db, const char *tenant_id,
                                       const char *id, struct err *err);

/* Store json (a catalog the caller has checked) as the integration's
 * catalog; updated_at becomes now. ERR_NOTFOUND as integration_get. */
MUST_CHECK int integration_catalog_set(struct db *db, const char *tenant_id, const char *id,
                                       const char *json, int64_t now, struct err *err);

/* Delete: remove the credentials and mark the integration deleted (status
 * "disconnected", next_run_at cleared, invisible from now on, its name free
 * for a new one); its synced data stays. With purge, remove the row itself
 * and, through the foreign keys, everything synced for it (runs, state,
 * normalized records, ...; consents and notifications stay, unlinked). Purge
 * also reaches an integration deleted earlier without it, so its data can
 * still be erased. ERR_NOTFOUND as integration_get. */
MUST_CHECK int integration_delete(struct db *db, const char *tenant_id, const char *id, bool purge,
                                  int64_t now, struct err *err);

/* Append it as the API's JSON object to b:
 *   {"id","connector","name","config":{...},"status","status_reason",
 *    "schedule","next_run_at","connection":{...},"secrets_set":[...],
 *    "end_user":{"id","email","display_name"} or null,"tags":[...],
 *    "created_at","updated_at"}
 * with times as RFC 3339 strings (null when 0). */
void integration_format(const struct integration *it, struct buf *b);

#endif
