/* core/embed.h - files compiled into the binary by scripts/embed (SQL
 * migrations, web assets), so that inlet runs without files beside it. */
#ifndef INLET_CORE_EMBED_H
#define INLET_CORE_EMBED_H
#include <stddef.h>

struct embed_file {
    const char *path; /* as given to scripts/embed, e.g. "src/db/migrations/sqlite/0001_init.sql" */
    const char *data; /* the bytes, NUL-terminated */
    size_t len;       /* bytes, not counting the NUL */
};

#endif
