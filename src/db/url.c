/* db/url.c - checking a database URL before anything connects with it:
 * "sqlite:PATH" or a libpq URL "postgres://...". The grammar is core's
 * (config_db_url_check), the one INLET_DB is held to, so a URL the
 * configuration accepts is one db_open accepts; libpq then checks the
 * parameter names it knows. A URL holds a password, so no message here ever
 * quotes the URL: they give byte offsets instead. The fuzz harness
 * fuzz/fuzz_db_url.c holds this file to that. Used by db_open. */
#include <libpq-fe.h>
#include <string.h>

#include "core/config.h"
#include "db/db.h"
#include "db/db_int.h"

/* What only libpq knows: the parameter names (and, for a few, values) of
 * its version. Its messages quote the one parameter at fault, or the whole
 * URL: the last kind is withheld; what would have quoted a password (bad
 * escapes, a second '=') was refused by the grammar first. */
static int check_libpq(const char *url, struct err *err)
{
    char *msg = NULL;
    PQconninfoOption *opts = PQconninfoParse(url, &msg);
    if (!opts) {
        bool quotes_url = !msg || strstr(msg, "://");
        int rc =
            db__engine_err(err, ERR_INVALID, "db url", quotes_url ? "not accepted by libpq" : msg);
        PQfreemem(msg);
        return rc;
    }
    PQconninfoFree(opts);
    return 0;
}

int db_url_check(const char **engine, const char *url, struct err *err)
{
    const char *name = NULL;
    int rc = config_db_url_check(&name, url, "db url", err);
    if (rc == 0 && strcmp(name, "postgres") == 0)
        rc = check_libpq(url, err);
    if (rc == 0 && engine)
        *engine = name;
    return rc;
}
