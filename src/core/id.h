/* core/id.h - row ids such as "int_01jd5x8k2v9q3m7r4t6w8y0z1a": a short
 * lower-case prefix naming the kind of row, "_", then 26 characters of
 * lower-case Crockford base32 holding 128 bits in the ULID layout: 48 bits of
 * Unix milliseconds, then 80 random bits from getrandom(2). Ids therefore
 * sort by creation time (good index locality, cursor pagination by id).
 * Used by db/ and api/ for every primary key exposed in URLs. */
#ifndef INLET_CORE_ID_H
#define INLET_CORE_ID_H
#include <stdbool.h>
#include <stdint.h>

#define ID_PREFIX_MAX 8 /* prefix letters, at least 1 */
#define ID_BODY_LEN   26
/* Bytes for the longest id and its NUL: prefix, '_', body. */
#define ID_MAX (ID_PREFIX_MAX + 1 + ID_BODY_LEN + 1)

/* Write a new id with the given prefix (1-8 letters a-z, asserted) into out.
 * The time part is the wall clock (time_now_ms); ids from different
 * milliseconds sort in time order. Within one millisecond the order is
 * random: ids are unique (80 random bits) but not monotonic, so a cursor over
 * ids must not assume that an id made later in the same millisecond sorts
 * later. Aborts if the kernel cannot supply random bytes, as running out of
 * memory does. Thread-safe. */
void id_new(char out[ID_MAX], const char *prefix);

/* True when s is exactly a well-formed id: `prefix` (or, when prefix is NULL,
 * any 1-8 letters a-z), '_', and 26 characters of the lower-case Crockford
 * alphabet 0-9 a-z without i, l, o, u, the first of them 0-7 (128 bits fill
 * 26 base32 digits with 2 to spare). Nothing else is accepted: no upper case,
 * no Crockford look-alike folding, no trailing bytes. For rejecting ids in
 * URLs before any database work. s may be NULL (false). */
bool id_valid(const char *s, const char *prefix);

/* The creation time of a well-formed id (any prefix) in Unix milliseconds,
 * or -1 when id_valid(id, NULL) is false. */
int64_t id_time_ms(const char *id);

#endif
