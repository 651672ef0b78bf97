/* tests/unit/singer/test_reader.c - the Singer stream reader, threaded and
 * in place: messages come in order with their line numbers, blank lines
 * skipped; the first bad line ends the stream with its number, after the
 * messages before it; a last line without a newline counts; an overlong
 * line is refused without being buffered whole; a read error is one; and
 * freeing a threaded reader whose writer is alive and silent returns. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "singer/reader.h"
#include "test.h"

#define SCHEMA_LINE                                                                                \
    "{\"type\":\"SCHEMA\",\"stream\":\"s\",\"schema\":{\"type\":\"object\"},\"key_properties\":[]" \
    "}"

/* A file holding text, opened for reading; the fd is returned. */
static int file_with(const char *text, size_t n)
{
    char path[] = "/tmp/inlet-reader-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    unlink(path);
    assert_int_equal(write(fd, text, n), (ssize_t)n);
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
    return fd;
}

/* SCHEMA, then records 1..n with a blank line after every 100th, a STATE
 * after every 1000th. */
static void stream_of(struct buf *b, int n)
{
    buf_puts(b, SCHEMA_LINE "\n");
    for (int i = 1; i <= n; i++) {
        buf_printf(b, "{\"type\":\"RECORD\",\"stream\":\"s\",\"record\":{\"id\":%d}}\n", i);
        if (i % 100 == 0)
            buf_puts(b, "  \n");
        if (i % 1000 == 0)
            buf_printf(b, "{\"type\":\"STATE\",\"value\":%d}\n", i);
    }
}

static void in_order(bool threaded)
{
    struct buf b;
    struct singer_reader *r = NULL;
    struct err e;
    const struct singer_msg *m;
    size_t lineno = 0, cur = 1;
    int64_t next_id = 1, states = 0;

    buf_init(&b, 0);
    stream_of(&b, 20000);
    int fd = file_with(b.p, b.n);
    assert_int_equal(singer_reader_start(&r, fd, threaded, &e), 0);
    assert_int_equal(singer_reader_next(r, &m, &lineno, &e), 1);
    assert_int_equal(m->type, SINGER_SCHEMA);
    assert_int_equal(lineno, 1);
    int rc;
    while ((rc = singer_reader_next(r, &m, &lineno, &e)) == 1) {
        /* A record follows the record before it, or a blank line after
         * every 100th; a STATE follows its record and the blank line. */
        size_t want = cur + 2;
        if (m->type == SINGER_RECORD)
            want = cur + 1 + (next_id > 1 && (next_id - 1) % 100 == 0 && (next_id - 1) % 1000 != 0);
        assert_int_equal(lineno, want);
        cur = lineno;
        if (m->type == SINGER_RECORD) {
            assert_int_equal(json_object_get_int64(json_object_object_get(m->record, "id")),
                             next_id);
            next_id++;
        } else {
            assert_int_equal(m->type, SINGER_STATE);
            assert_int_equal(json_object_get_int64(m->value), next_id - 1);
            states++;
        }
    }
    assert_int_equal(rc, 0);
    assert_int_equal(next_id, 20001);
    assert_int_equal(states, 20);
    assert_int_equal(lineno, 1 + 20000 + 200 + 20); /* every line, blank ones too */
    /* The end stays the end. */
    assert_int_equal(singer_reader_next(r, &m, &lineno, &e), 0);
    singer_reader_free(r);
    close(fd);
    buf_dispose(&b);
}

static void in_order_threaded(void **state)
{
    (void)state;
    in_order(true);
}

static void in_order_in_place(void **state)
{
    (void)state;
    in_order(false);
}

static void bad_line_ends_it(bool threaded)
{
    struct buf b;
    struct singer_reader *r = NULL;
    struct err e;
    const struct singer_msg *m;
    size_t lineno = 0;
    int got = 0, rc;

    buf_init(&b, 0);
    stream_of(&b, 500);                                      /* lines 1..506 */
    buf_puts(&b, "{\"type\":\"RECORD\",\"stream\":\"s\"\n"); /* line 507 */
    buf_puts(&b, "{\"type\":\"RECORD\",\"stream\":\"s\",\"record\":{\"id\":501}}\n");
    int fd = file_with(b.p, b.n);
    assert_int_equal(singer_reader_start(&r, fd, threaded, &e), 0);
    while ((rc = singer_reader_next(r, &m, &lineno, &e)) == 1)
        got++;
    assert_int_equal(got, 501); /* the schema and 500 records */
    assert_int_equal(rc, ERR_INVALID);
    assert_int_equal(lineno, 507);
    assert_true(strncmp(e.msg, "line 507: ", 10) == 0);
    /* Asked again, the same error. */
    assert_int_equal(singer_reader_next(r, &m, &lineno, &e), ERR_INVALID);
    assert_true(strncmp(e.msg, "line 507: ", 10) == 0);
    singer_reader_free(r);
    close(fd);
    buf_dispose(&b);
}

static void bad_line_threaded(void **state)
{
    (void)state;
    bad_line_ends_it(true);
}

static void bad_line_in_place(void **state)
{
    (void)state;
    bad_line_ends_it(false);
}

/* No newline at the end: the last line is a message all the same. */
static void last_line_without_newline(void **state)
{
    (void)state;
    const char text[] = SCHEMA_LINE "\n\n{\"type\":\"STATE\",\"value\":7}";
    for (int threaded = 0; threaded < 2; threaded++) {
        struct singer_reader *r = NULL;
        struct err e;
        const struct singer_msg *m;
        size_t lineno = 0;
        int fd = file_with(text, sizeof(text) - 1);
        assert_int_equal(singer_reader_start(&r, fd, threaded, &e), 0);
        assert_int_equal(singer_reader_next(r, &m, &lineno, &e), 1);
        assert_int_equal(singer_reader_next(r, &m, &lineno, &e), 1);
        assert_int_equal(m->type, SINGER_STATE);
        assert_int_equal(json_object_get_int(m->value), 7);
        assert_int_equal(lineno, 3);
        assert_int_equal(singer_reader_next(r, &m, &lineno, &e), 0);
        assert_int_equal(lineno, 3);
        singer_reader_free(r);
        close(fd);
    }
}

/* A line of white space one byte over the limit: refused by its length. */
static void overlong_line(void **state)
{
    (void)state;
    size_t n = SINGER_LINE_MAX + 1;
    char *text = malloc(n + 1);
    assert_non_null(text);
    memset(text, ' ', n);
    text[n] = '\n';
    for (int threaded = 0; threaded < 2; threaded++) {
        struct singer_reader *r = NULL;
        struct err e;
        const struct singer_msg *m;
        size_t lineno = 0;
        int fd = file_with(text, n + 1);
        assert_int_equal(singer_reader_start(&r, fd, threaded, &e), 0);
        assert_int_equal(singer_reader_next(r, &m, &lineno, &e), ERR_TOOBIG);
        assert_string_equal(e.msg, "line 1: longer than 16777216 bytes");
        singer_reader_free(r);
        close(fd);
    }
    free(text);
}

static void read_error(void **state)
{
    (void)state;
    struct singer_reader *r = NULL;
    struct err e;
    const struct singer_msg *m;
    size_t lineno = 0;
    int fd = open("/", O_RDONLY | O_DIRECTORY);
    assert_true(fd >= 0);
    assert_int_equal(singer_reader_start(&r, fd, true, &e), 0);
    assert_int_equal(singer_reader_next(r, &m, &lineno, &e), ERR_IO);
    assert_string_equal(e.msg, "reading input: Is a directory");
    singer_reader_free(r);
    close(fd);
}

/* The writer keeps the pipe open and says nothing more: free still returns
 * (the thread sees the stop between polls), with a message parsed ahead
 * released. */
static void free_while_writer_silent(void **state)
{
    (void)state;
    struct singer_reader *r = NULL;
    struct err e;
    const struct singer_msg *m;
    size_t lineno = 0;
    int p[2];
    const char text[] = SCHEMA_LINE "\n{\"type\":\"STATE\",\"value\":1}\n";
    assert_int_equal(pipe(p), 0);
    assert_int_equal(write(p[1], text, sizeof(text) - 1), (ssize_t)(sizeof(text) - 1));
    assert_int_equal(singer_reader_start(&r, p[0], true, &e), 0);
    assert_int_equal(singer_reader_next(r, &m, &lineno, &e), 1);
    assert_int_equal(m->type, SINGER_SCHEMA);
    singer_reader_free(r); /* the STATE is parsed ahead or being read */
    close(p[0]);
    close(p[1]);
}

int test_reader(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(in_order_threaded),
        cmocka_unit_test(in_order_in_place),
        cmocka_unit_test(bad_line_threaded),
        cmocka_unit_test(bad_line_in_place),
        cmocka_unit_test(last_line_without_newline),
        cmocka_unit_test(overlong_line),
        cmocka_unit_test(read_error),
        cmocka_unit_test(free_while_writer_silent),
    };
    return test_group("reader", tests, NULL, NULL);
}
