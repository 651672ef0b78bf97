/* store/keyring.h - where the vault's keys come from, decided once at start:
 * INLET_KEYS, else INTEGRATION_ENCRYPTION_KEY, else (embedded default only)
 * a key file in the data folder, generated on first use. PostgreSQL has no
 * fallback: many processes share it, so they must share a configured key. */
#ifndef INLET_STORE_KEYRING_H
#define INLET_STORE_KEYRING_H
#include <stdbool.h>

#include "core/buf.h"
#include "core/config.h"
#include "core/err.h"
#include "crypto/vault.h"

#define KEYRING_FILE "inlet.key" /* in the data folder */

/* Load the keyring that cfg (after config_finish) describes into *out
 * (vault_free). On SQLite with no key configured, the data folder must exist
 * (config_prepare_data_dir); the key file there is loaded or created, and
 * *created (OUT) says it was made now, so the caller warns that it must be
 * backed up. path (OUT, may be NULL) gets the key file's path when one is
 * used. ERR_INVALID naming the variable for malformed keys, or for no key
 * with PostgreSQL; errors of vault_load_or_create_file otherwise. */
MUST_CHECK int keyring_load(struct vault **out, bool *created, struct buf *path,
                            const struct config *cfg, struct err *err);

#endif
