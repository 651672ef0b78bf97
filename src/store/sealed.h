/* store/sealed.h - every database column that holds a secret sealed by the
 * vault, and the two operations that span them all: `inlet keys rotate`
 * (re-seal under the active key) and `inlet keys check` (open everything).
 * A sealed value is bound to its row: the associated data is
 * "<table>/<tenant id>/<row id>/<column>", so a ciphertext copied into
 * another row, tenant or column does not open. Code that stores a secret
 * seals and opens it through sealed_seal / sealed_open. */
#ifndef INLET_STORE_SEALED_H
#define INLET_STORE_SEALED_H
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/secret.h"
#include "crypto/vault.h"
#include "db/db.h"

/* A column holding sealed blobs, with the column naming the key that
 * sealed each one. Every such column is listed in sealed_columns[]. */
struct sealed_column {
    const char *table;
    const char *blob; /* BYTEA / BLOB column */
    const char *key;  /* TEXT column: the vault key id of the blob */
};

extern const struct sealed_column sealed_columns[];
extern const size_t sealed_columns_count;

/* Seal n bytes for column `blob` of row row_id (tenant tenant_id) of table.
 * *out (OUT, xfree) and *outlen get the blob; store vault_active_id(v) in
 * the key column beside it. Errors as vault_seal. */
MUST_CHECK int sealed_seal(unsigned char **out, size_t *outlen, const struct vault *v,
                           const struct sealed_column *col, const char *tenant_id,
                           const char *row_id, const void *plaintext, size_t n, struct err *err);

/* Open a blob read from the row it was sealed for. *out (OUT,
 * secret_dispose) gets the plaintext. Errors as vault_open. */
MUST_CHECK int sealed_open(struct secret *out, const struct vault *v,
                           const struct sealed_column *col, const char *tenant_id,
                           const char *row_id, const void *blob, size_t n, struct err *err);

#define SEALED_BATCH_MAX 10000 /* rows per rotation transaction */

/* What rotate and check did. */
struct sealed_stats {
    int64_t seen;        /* rows looked at */
    int64_t resealed;    /* rows re-sealed under the active key (rotate) */
    int64_t failed;      /* rows that did not open; reported through the callback */
    int64_t stale;       /* rows that opened but are sealed by an older key (check) */
    int64_t unknown_key; /* rows sealed by a key not in the ring, left alone (rotate) */
};

/* Called for each row that fails to open, with the failure; the message
 * never holds secret material. */
typedef void (*sealed_failure_fn)(void *ctx, const struct sealed_column *col, const char *row_id,
                                  const struct err *why);

/* Re-seal, under the active key, every sealed value whose key column names
 * one of the ring's older keys, batch (1..SEALED_BATCH_MAX) rows per
 * transaction. Resumable: every committed batch stays done, and a later run
 * finds only what is left; stop early by passing max_batches > 0 (0 means
 * until done). A value changed by another writer between our read and our
 * update is left as that writer made it. A row that does not open is
 * counted in failed, reported, and left as it was; rows under keys the ring
 * lacks are only counted (unknown_key). Returns 0 when every batch
 * committed (check stats->failed), else the db error, with the batches
 * before it kept. */
MUST_CHECK int sealed_rotate(struct sealed_stats *stats, struct db *db, const struct vault *v,
                             int batch, int64_t max_batches, sealed_failure_fn on_fail, void *ctx,
                             struct err *err);

/* Open every sealed value with the keyring and count what fails, and what
 * opens but still depends on an older key (stats->stale: while it is not 0,
 * no key can be dropped from the ring). Writes nothing. Returns 0 or a db
 * error; failures are in stats->failed. */
MUST_CHECK int sealed_check(struct sealed_stats *stats, struct db *db, const struct vault *v,
                            sealed_failure_fn on_fail, void *ctx, struct err *err);

#endif
