/* store/keyring.c - choosing the vault's key source from configuration. */
#include "store/keyring.h"

#include <string.h>

int keyring_load(struct vault **out, bool *created, struct buf *path, const struct config *cfg,
                 struct err *err)
{
    *created = false;
    if (cfg->keys.n)
        return vault_parse_keys(out, &cfg->keys, "INLET_KEYS", err);
    if (cfg->single_key.n)
        return vault_parse_single_key(out, &cfg->single_key, "INTEGRATION_ENCRYPTION_KEY", err);
    if (strcmp(config_db_engine(cfg), "sqlite") != 0)
        return err_set(err, ERR_INVALID,
                       "INLET_KEYS: required with PostgreSQL (every inlet process must seal with "
                       "the same key); `inlet keys generate` makes one");

    struct buf file;
    buf_init(&file, 4096);
    buf_printf(&file, "%s/%s", cfg->data_dir, KEYRING_FILE);
    if (buf_failed(&file)) {
        buf_dispose(&file);
        return err_set(err, ERR_INVALID, "INLET_DATA_DIR: path too long");
    }
    int rc = vault_load_or_create_file(out, file.p, created, err);
    if (rc == 0 && path)
        buf_puts(path, file.p);
    buf_dispose(&file);
    return rc;
}
