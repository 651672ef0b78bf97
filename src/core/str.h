/* core/str.h - {pointer, length} slices for zero-copy parsing (h2o's
 * h2o_iovec_t) and the few string helpers C lacks. A slice borrows the
 * memory it points into. */
#ifndef INLET_CORE_STR_H
#define INLET_CORE_STR_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct str {
    const char *p; /* borrowed; not NUL-terminated */
    size_t n;
};

#define STR_LIT(s) ((struct str){(s), sizeof(s) - 1})

struct str str_from(const char *s); /* s may be NULL: the empty slice */
bool str_eq(struct str a, struct str b);
bool str_eq_cstr(struct str a, const char *s);
bool str_starts_with(struct str s, const char *prefix);
/* Split s at the first c: *head gets what is before it, *tail what is after.
 * Returns false (head = s, tail empty) when c is absent. */
bool str_split(struct str s, char c, struct str *head, struct str *tail);
struct str str_trim(struct str s); /* ASCII white space at both ends */
/* A NUL-terminated copy; free with xfree. */
char *str_dup(struct str s);

/* Parse all of s as a base-10 int64 (optional leading '-'). ERR_INVALID for
 * anything else, including overflow, with `what` naming the field; a byte
 * that is not printable ASCII is shown as 0xHH, never copied. */
MUST_CHECK int str_to_i64(int64_t *out, struct str s, const char *what, struct err *err);

/* Length (1..4) of the well-formed UTF-8 sequence at the start of p[0..n)
 * (RFC 3629: shortest form, no surrogates, at most U+10FFFF); 0 when it is
 * not one or n is 0. An ASCII byte, NUL included, is a sequence of 1. */
size_t str_utf8_seq(const void *p, size_t n);

/* True when all n bytes at p are well-formed UTF-8 (NUL bytes are: reject
 * them separately where they matter). Otherwise false, with *bad (OUT, may
 * be NULL) set to the offset of the first byte of the first bad sequence. */
bool str_utf8_valid(const void *p, size_t n, size_t *bad);

/* Compare n bytes in time independent of their content (for secrets and
 * hashes). True when equal. */
bool str_ct_eq(const void *a, const void *b, size_t n);

/* q as a LIKE pattern with ESCAPE '!' into out, which has room for
 * 2 * strlen(q) + 2 bytes (+ 1 when contains): '!' escapes q's own '!', '%' and '_'; a '%'
 * ends it, and starts it too when contains is true (a substring match
 * rather than a prefix one). */
void str_like_pattern(char *out, const char *q, bool contains);

#endif
