/* core/form.h - application/x-www-form-urlencoded text (a POST body or a
 * query string) parsed into an owned list of name/value pairs. Strict where
 * browsers are lenient: a malformed escape, %00 or invalid UTF-8 after
 * decoding is refused with the byte offset, so a handler never sees a
 * half-decoded value. Used by the sandbox's OAuth endpoints. */
#ifndef INLET_CORE_FORM_H
#define INLET_CORE_FORM_H
#include <stddef.h>

#include "core/err.h"

#define FORM_MAX_BYTES 65536 /* bytes of form text */
#define FORM_MAX_PAIRS 256   /* pairs, duplicates and empty segments not counted */

struct form_pair {
    char *name;  /* decoded, NUL-terminated; from xmalloc(), owned by the form */
    char *value; /* the same; "" for a pair without '=' */
};

struct form {
    struct form_pair *pairs; /* from xmalloc(), in input order */
    size_t n;
};

/* Parse the n bytes at text (no NUL needed) into *out (OUT; the caller
 * disposes it with form_dispose; on failure it holds no pairs). Pairs are split on '&';
 * empty segments ("a=1&&b=2", a trailing '&') are skipped; a pair is split
 * at its first '='; '+' decodes to a space and %XX (either case) to its
 * byte. When a name comes twice the first pair is kept and the later ones
 * are dropped (Salesforce and http_req_query both take the first).
 *
 * ERR_INVALID, naming the 0-based byte offset into text:
 *   "form: bad percent-escape at byte 17"   (% not followed by two hex digits)
 *   "form: %00 at byte 17" / "form: NUL at byte 17"
 *   "form: invalid UTF-8 at byte 17"         (the offset of the bad sequence's
 *                                             first byte, or of its escape)
 * ERR_TOOBIG: "form: over 65536 bytes", "form: over 256 pairs". */
MUST_CHECK int form_parse(struct form *out, const char *text, size_t n, struct err *err);

/* The value of the first pair named name, borrowed from f; NULL when absent. */
const char *form_get(const struct form *f, const char *name);

/* Free the pairs; a zeroed struct is fine, and f can be parsed into again. */
void form_dispose(struct form *f);

#endif
