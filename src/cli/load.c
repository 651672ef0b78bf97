/* cli/load.c - see load.h. */
#include "cli/load.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/jsonx.h"
#include "core/time.h"
#include "db/db.h"
#include "singer/message.h"
#include "singer/reader.h"
#include "sync/loader.h"

struct run {
    const struct load_opts *o;
    int64_t states; /* STATEs written */
    bool out_broken;
};

/* A committed STATE: one line on stdout, flushed at once, since the
 * process may be killed any moment after. */
static void emit_state(void *ctx, struct json_object *state)
{
    struct run *r = ctx;
    struct buf b;
    buf_init(&b, 0);
    buf_puts(&b, "{\"type\":\"STATE\",\"value\":");
    if (state)
        jsonx_format(&b, state);
    else
        buf_puts(&b, "null");
    buf_puts(&b, "}\n");
    if (fwrite(b.p, 1, b.n, r->o->out) != b.n || fflush(r->o->out) != 0)
        r->out_broken = true;
    buf_dispose(&b);
    r->states++;
}

static void summary(const struct load_opts *o, const struct loader *l, int64_t lines, int64_t ms,
                    const char *outcome)
{
    struct loader_counts n;
    loader_counts(l, &n);
    fprintf(o->diag,
            "inlet load: %s: %" PRId64 " lines, %" PRId64 " records (created %" PRId64
            ", updated %" PRId64 ", unchanged %" PRId64 ", deleted %" PRId64 ", failed %" PRId64
            ") in %.1f s\n",
            outcome, lines, n.processed, n.created, n.updated, n.unchanged, n.deleted, n.failed,
            (double)ms / 1000.0);
    if (n.failed)
        fprintf(o->diag, "%s", loader_errors(l));
}

int cli_load(const struct load_opts *o)
{
    struct db *db = NULL;
    struct loader *l = NULL;
    struct singer_reader *rd = NULL;
    struct run r = {.o = o};
    struct err e;
    size_t lineno = 0;
    int64_t t0 = time_mono_ms();
    int status = 0;

    if (db_open(&db, o->db_url, &e) < 0) {
        fprintf(o->diag, "inlet: %s\n", e.msg);
        return e.code == ERR_INVALID ? 2 : 1;
    }
    struct loader_opts lo = {.db = db,
                             .pg_schema = o->schema,
                             .batch_size = o->batch_size,
                             .strict = o->strict,
                             .committed = emit_state,
                             .ctx = &r};
    if (loader_new(&l, &lo, &e) < 0) {
        fprintf(o->diag, "inlet: %s\n", e.msg);
        db_close(db);
        return 2;
    }
    /* SQLite: lines are parsed ahead on a second thread (singer/reader.h).
     * PostgreSQL: the server's work takes the second core already (bench/
     * load measured 0.94 of the reference in place, 0.86 with the thread). */
    bool threaded = strcmp(db_engine(db), "sqlite") == 0;
    if (singer_reader_start(&rd, fileno(o->in), threaded, &e) < 0) {
        fprintf(o->diag, "inlet load: %s\n", e.msg);
        status = 1;
    }
    while (status == 0) {
        const struct singer_msg *m;
        int rc = singer_reader_next(rd, &m, &lineno, &e);
        if (rc == 0)
            break;
        if (rc > 0) {
            rc = loader_message(l, m, &e);
            if (rc < 0) /* the loader's messages do not know the line */
                fprintf(o->diag, "inlet load: line %zu: %s\n", lineno, e.msg);
        } else {
            fprintf(o->diag, "inlet load: %s\n", e.msg);
        }
        if (rc < 0)
            status = 1;
        else if (r.out_broken) {
            fprintf(o->diag, "inlet load: stdout closed: stopping\n");
            status = 1;
        }
    }
    if (status == 0 && loader_finish(l, &e) < 0) {
        fprintf(o->diag, "inlet load: %s\n", e.msg);
        status = 1;
    }
    struct loader_counts n;
    loader_counts(l, &n);
    if (status == 0 && n.failed)
        status = 1;
    summary(o, l, (int64_t)lineno, time_mono_ms() - t0,
            status == 0          ? "done"
            : n.failed && status ? "done with failed records"
                                 : "stopped");
    singer_reader_free(rd);
    loader_free(l);
    db_close(db);
    return status;
}
