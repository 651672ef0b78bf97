/* singer/reader.h - a Singer stream read from a file descriptor and parsed
 * on a thread of its own, handed over in order. The key idea: parsing a
 * line (json-c's tokener and the allocation of its tree) is a third of what
 * `inlet load` spends per record, and it needs nothing from the database,
 * so one core parses ahead while the other validates and writes; at most
 * READER_SLOTS messages and READER_BYTES bytes of their lines wait between
 * the two, so memory stays bounded. The order of messages, their line
 * numbers and the point where a bad line stops the stream are exactly
 * those of parsing in place. */
#ifndef INLET_SINGER_READER_H
#define INLET_SINGER_READER_H
#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "singer/message.h"

/* Messages parsed ahead, at most, and bytes of their lines (one line always
 * fits; a parsed tree is several times its text). bench/load, 1,000,000
 * records into SQLite: 64 slots ran at 0.84 of the reference, 256 at 0.90,
 * 1024 at 0.98 with 21 MB peak RSS, 4096 at 0.92 with 41 MB: the consumer
 * wakes once per READER_SLOTS / 4, and fewer wakes pay until the trees
 * fall out of the cache. */
#define READER_SLOTS 1024
#define READER_BYTES (1u << 20)

struct singer_reader;

/* Start reading fd (borrowed; left open). threaded: on a new thread, the
 * point of this module; otherwise each singer_reader_next reads and
 * parses in place (for when the second core is busy anyway: PostgreSQL's
 * server takes it during a load). *out (OUT) is released with
 * singer_reader_free. ERR_IO when the thread cannot start. */
MUST_CHECK int singer_reader_start(struct singer_reader **out, int fd, bool threaded,
                                   struct err *err);

/* The next message: *m (OUT) points to it, borrowed until the next call
 * or singer_reader_free (the reader releases it, on its own thread: keep a
 * deep copy of anything needed longer, never a reference), and *lineno is
 * its line number. Returns 1 for a message; 0 at the end of the input
 * (*lineno is then the number of lines read, blank ones included); or the
 * error of the first line that is not a Singer message (singer_parse_line's
 * "line N: ..."; *lineno is N) or of reading ("reading input: ..."), after
 * which it keeps returning that error. Blank lines are skipped. */
MUST_CHECK int singer_reader_next(struct singer_reader *r, const struct singer_msg **m,
                                  size_t *lineno, struct err *err);

/* Stop the thread (within 200 ms, even when the writer keeps the input
 * open and silent), release what it parsed ahead, free r. NULL is fine. */
void singer_reader_free(struct singer_reader *r);

#endif
