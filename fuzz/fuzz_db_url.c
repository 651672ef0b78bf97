/* fuzz/fuzz_db_url.c - arbitrary bytes into db_url_check, which stands
 * between a configured database URL and the engines. It must not crash;
 * a rejection is ERR_INVALID with a one-line message; and the message never
 * quotes the user-info part ("user:password") of a URL. */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "core/alloc.h"
#include "core/err.h"
#include "db/db.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *url = xstrndup((const char *)data, size); /* up to a NUL, as from a C string */
    struct err err = {0};
    const char *engine = NULL;

    if (db_url_check(&engine, url, &err) == 0) {
        assert(strcmp(engine, "sqlite") == 0 || strcmp(engine, "postgres") == 0);
    } else {
        assert(err.code == ERR_INVALID && err.msg[0] && !strchr(err.msg, '\n'));
        /* In a postgres URL without a query part (whose values libpq may
         * quote), no 8 bytes of the user info (before an '@' that comes
         * before any '/' or '?') that look like a secret (a letter, a
         * digit, no space) may appear in the message. */
        size_t skip = strncmp(url, "postgres://", 11) == 0     ? 11
                      : strncmp(url, "postgresql://", 13) == 0 ? 13
                                                               : 0;
        size_t auth = skip ? strcspn(url + skip, "/?") : 0; /* the user info ends at '@' in it */
        const char *at = skip ? memchr(url + skip, '@', auth) : NULL;
        if (at && !strchr(url, '?')) {
            for (const char *p = url + skip; p + 8 <= at; p++) {
                char w[9];
                memcpy(w, p, 8);
                w[8] = '\0';
                if (strcspn(w, "0123456789") < 8 && strcspn(w, " ") == 8 &&
                    strpbrk(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"))
                    assert(!strstr(err.msg, w));
            }
        }
    }
    xfree(url);
    return 0;
}
