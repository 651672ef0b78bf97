/* bench/db/bench_db.c - what inlet's db layer (src/db/) costs over the raw
 * engine APIs, measured in the same run: N rows (default 100,000; argv[1])
 * of an 8-column record inserted into a fresh table in one transaction, then
 * read back with one SELECT that sums a column. SQLite: a hand-written
 * prepare/bind/step/reset loop vs db_exec/db_query, same file settings.
 * PostgreSQL: PQexecPrepared per row vs db_exec, with COPY as the bulk
 * ceiling, and that raw COPY vs db_copy_*; single-row-mode reads vs
 * db_query. Best of 3, reported as ratios
 * of rows/s and of client CPU time (steadier on a busy machine); peak RSS
 * shows that reads stream. Run by `make bench` under scripts/with-pg. */
#include <inttypes.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "db/db.h"

#define POOL 64 /* distinct payloads and names; ids are all distinct */

/* $N is inlet's placeholder and PostgreSQL's; SQLite's raw loop uses ?N. */
#define CREATE_SQL                                                                                 \
    "DROP TABLE IF EXISTS bench_rows; CREATE TABLE bench_rows (id TEXT PRIMARY KEY,"               \
    " tenant_id TEXT NOT NULL, name TEXT, status TEXT, amount BIGINT, score DOUBLE PRECISION,"     \
    " payload TEXT, updated_at BIGINT)"
#define COLS        "id, tenant_id, name, status, amount, score, payload, updated_at"
#define INSERT_SQL  "INSERT INTO bench_rows (" COLS ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
#define INSERT_LITE "INSERT INTO bench_rows (" COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
#define SELECT_SQL  "SELECT " COLS " FROM bench_rows"
#define LITE_PRAGMAS                                                                               \
    "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON"

struct rec {
    char id[48]; /* "003" + 15 digits + "-" + 12 hex digits: 31 characters */
    const char *tenant, *name, *status, *payload; /* from the pools below */
    int64_t amount;
    double score;
    int64_t updated_at; /* Unix ms */
};

struct bench {
    struct rec *recs; /* n of them; from xcalloc */
    size_t n;
    int64_t want;  /* sum of amount over recs */
    size_t bytes;  /* of values over recs, 8 for a number */
    sqlite3 *lite; /* raw SQLite, on raw.db */
    PGconn *pg;    /* raw libpq, on the bench database */
    struct db *db; /* inlet on the engine measured: inlet.db, or the same database */
};

static const char *const tenants[] = {"ten_acme", "ten_globex", "ten_initech", "ten_umbrella"};
static const char *const statuses[] = {"active", "pending", "closed"};
static char names[POOL][24], payloads[POOL][256];

static void die(const char *what, const char *msg)
{
    fprintf(stderr, "bench_db: %s: %s\n", what, msg);
    exit(1);
}

static void make_recs(struct bench *b)
{
    for (size_t i = 0; i < POOL; i++) {
        snprintf(names[i], sizeof(names[i]), "Ada Lovelace %zu", i);
        snprintf(payloads[i], sizeof(payloads[i]),
                 "{\"email\":\"ada%zu@example.com\",\"phone\":\"+1 415 555 %04zu\",\"title\":"
                 "\"VP Engineering\",\"city\":\"San Francisco\",\"country\":\"United States\","
                 "\"tags\":[\"crm\",\"web\",\"q%zu\"],\"owner\":\"005%015zu\",\"opted_out\":false}",
                 i, i * 37 % 10000, i % 4 + 1, i);
    }
    b->recs = xcalloc(b->n, sizeof(*b->recs));
    b->want = 0;
    for (size_t i = 0; i < b->n; i++) {
        struct rec *r = &b->recs[i];
        snprintf(r->id, sizeof(r->id), "003%015zu-%012zx", i, i * 2654435761u % 0xffffffffffu);
        r->tenant = tenants[i % 4];
        r->name = names[i % POOL];
        r->status = statuses[i % 3];
        r->payload = payloads[i % POOL];
        r->amount = (int64_t)(i * 7919 % 1000000);
        r->score = (double)(i % 1000) / 7.0;
        r->updated_at = 1717230600000 + (int64_t)i * 1000;
        b->want += r->amount;
        b->bytes += strlen(r->id) + strlen(r->tenant) + strlen(r->name) + strlen(r->status) +
                    strlen(r->payload) + 3 * 8;
    }
}

/* --- SQLite --------------------------------------------------------------- */

static void lite_ok(struct bench *b, int rc, const char *what)
{
    if (rc != SQLITE_OK && rc != SQLITE_DONE)
        die(what, sqlite3_errmsg(b->lite));
}

static void lite_fresh_raw(struct bench *b)
{
    lite_ok(b, sqlite3_exec(b->lite, CREATE_SQL, NULL, NULL, NULL), "create");
}

static int64_t lite_insert_raw(struct bench *b)
{
    sqlite3_stmt *st = NULL;
    lite_ok(b, sqlite3_prepare_v2(b->lite, INSERT_LITE, -1, &st, NULL), "prepare");
    lite_ok(b, sqlite3_exec(b->lite, "BEGIN IMMEDIATE", NULL, NULL, NULL), "begin");
    for (size_t i = 0; i < b->n; i++) {
        const struct rec *r = &b->recs[i];
        sqlite3_bind_text(st, 1, r->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, r->tenant, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, r->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, r->status, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 5, r->amount);
        sqlite3_bind_double(st, 6, r->score);
        sqlite3_bind_text(st, 7, r->payload, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 8, r->updated_at);
        lite_ok(b, sqlite3_step(st), "insert");
        sqlite3_reset(st);
    }
    lite_ok(b, sqlite3_exec(b->lite, "COMMIT", NULL, NULL, NULL), "commit");
    sqlite3_finalize(st);
    return b->want;
}

static int64_t lite_select_raw(struct bench *b)
{
    sqlite3_stmt *st = NULL;
    int64_t sum = 0;
    int rc;
    lite_ok(b, sqlite3_prepare_v2(b->lite, SELECT_SQL, -1, &st, NULL), "prepare");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        sum += sqlite3_column_int64(st, 4);
    lite_ok(b, rc, "select");
    sqlite3_finalize(st);
    return sum;
}

/* --- PostgreSQL ------------------------------------------------------------ */

/* Check a libpq result and free it. */
static void pg_ok(struct bench *b, PGresult *res, const char *what)
{
    ExecStatusType s = PQresultStatus(res);
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK && s != PGRES_COPY_IN)
        die(what, PQerrorMessage(b->pg));
    PQclear(res);
}

static void pg_fresh_raw(struct bench *b)
{
    pg_ok(b, PQexec(b->pg, CREATE_SQL), "create");
}

/* The 8 values of r as libpq text, which a hand-written loop formats per
 * row too; the numbers go into num. */
static void rec_text(const char *vals[8], char num[3][32], const struct rec *r)
{
    snprintf(num[0], 32, "%" PRId64, r->amount);
    snprintf(num[1], 32, "%.17g", r->score); /* as db/pg.c: reads back the same */
    snprintf(num[2], 32, "%" PRId64, r->updated_at);
    const char *v[8] = {r->id, r->tenant, r->name, r->status, num[0], num[1], r->payload, num[2]};
    memcpy(vals, v, sizeof(v));
}

static int64_t pg_insert_raw(struct bench *b)
{
    const char *vals[8];
    char num[3][32];
    pg_ok(b, PQprepare(b->pg, "ins", INSERT_SQL, 8, NULL), "prepare");
    pg_ok(b, PQexec(b->pg, "BEGIN"), "begin");
    for (size_t i = 0; i < b->n; i++) {
        rec_text(vals, num, &b->recs[i]);
        pg_ok(b, PQexecPrepared(b->pg, "ins", 8, vals, NULL, NULL, 0), "insert");
    }
    pg_ok(b, PQexec(b->pg, "COMMIT"), "commit");
    pg_ok(b, PQexec(b->pg, "DEALLOCATE ins"), "deallocate");
    return b->want;
}

/* Append s in COPY's text format: backslash, tab, newline and CR escaped. */
static void copy_text(struct buf *out, const char *s)
{
    for (;;) {
        size_t plain = strcspn(s, "\\\t\n\r");
        buf_put(out, s, plain);
        s += plain;
        if (!*s)
            return;
        buf_putc(out, '\\');
        buf_putc(out, *s == '\t' ? 't' : *s == '\n' ? 'n' : *s == '\r' ? 'r' : '\\');
        s++;
    }
}

/* What a bulk loader could reach: the same rows through COPY FROM STDIN,
 * sent in 64 KiB chunks. */
static int64_t pg_copy_raw(struct bench *b)
{
    const char *vals[8];
    char num[3][32];
    struct buf chunk;
    buf_init(&chunk, 0);
    pg_ok(b, PQexec(b->pg, "BEGIN"), "begin");
    pg_ok(b, PQexec(b->pg, "COPY bench_rows (" COLS ") FROM STDIN"), "copy");
    for (size_t i = 0; i < b->n; i++) {
        rec_text(vals, num, &b->recs[i]);
        for (int k = 0; k < 8; k++) {
            copy_text(&chunk, vals[k]);
            buf_putc(&chunk, k < 7 ? '\t' : '\n');
        }
        if (chunk.n >= 65536 || i + 1 == b->n) {
            if (PQputCopyData(b->pg, buf_cstr(&chunk), (int)chunk.n) != 1)
                die("copy", PQerrorMessage(b->pg));
            buf_reset(&chunk);
        }
    }
    if (PQputCopyEnd(b->pg, NULL) != 1)
        die("copy", PQerrorMessage(b->pg));
    pg_ok(b, PQgetResult(b->pg), "copy");
    PQclear(PQgetResult(b->pg)); /* the NULL that ends the command */
    pg_ok(b, PQexec(b->pg, "COMMIT"), "commit");
    buf_dispose(&chunk);
    return b->want;
}

static int64_t pg_select_raw(struct bench *b)
{
    PGresult *res;
    int64_t sum = 0;
    if (!PQsendQuery(b->pg, SELECT_SQL) || !PQsetSingleRowMode(b->pg))
        die("select", PQerrorMessage(b->pg));
    while ((res = PQgetResult(b->pg)) != NULL) {
        if (PQresultStatus(res) == PGRES_SINGLE_TUPLE)
            sum += strtoll(PQgetvalue(res, 0, 4), NULL, 10);
        else if (PQresultStatus(res) != PGRES_TUPLES_OK)
            die("select", PQerrorMessage(b->pg));
        PQclear(res);
    }
    return sum;
}

/* --- inlet, the same code for both engines ----------------------------------- */

static void db_ok(int rc, const struct err *err, const char *what)
{
    if (rc < 0)
        die(what, err->msg);
}

static void inlet_fresh(struct bench *b)
{
    struct err err = {0};
    db_ok(db_exec_script(b->db, CREATE_SQL, &err), &err, "create");
}

static int64_t inlet_insert(struct bench *b)
{
    struct err err = {0};
    db_ok(db_begin(b->db, &err), &err, "begin");
    for (size_t i = 0; i < b->n; i++) {
        const struct rec *r = &b->recs[i];
        int rc = db_exec(b->db, INSERT_SQL,
                         DB_ARGS(DB_TEXT(r->id), DB_TEXT(r->tenant), DB_TEXT(r->name),
                                 DB_TEXT(r->status), DB_INT(r->amount), DB_DOUBLE(r->score),
                                 DB_TEXT(r->payload), DB_INT(r->updated_at)),
                         NULL, &err);
        db_ok(rc, &err, "insert");
    }
    db_ok(db_commit(b->db, &err), &err, "commit");
    return b->want;
}

/* pg_copy_raw through db_copy_*: the values escaped by db_copy_escape, the
 * same 64 KiB pieces, the count checked. */
static int64_t inlet_copy(struct bench *b)
{
    const char *vals[8];
    char num[3][32];
    struct buf chunk;
    struct err err = {0};
    int64_t rows = 0;
    buf_init(&chunk, 0);
    db_ok(db_begin(b->db, &err), &err, "begin");
    db_ok(db_copy_begin(b->db, "COPY bench_rows (" COLS ") FROM STDIN", &err), &err, "copy");
    for (size_t i = 0; i < b->n; i++) {
        rec_text(vals, num, &b->recs[i]);
        for (int k = 0; k < 8; k++) {
            db_copy_escape(&chunk, vals[k], strlen(vals[k]));
            buf_putc(&chunk, k < 7 ? '\t' : '\n');
        }
        if (chunk.n >= 65536 || i + 1 == b->n) {
            db_ok(db_copy_put(b->db, buf_cstr(&chunk), chunk.n, &err), &err, "copy");
            buf_reset(&chunk);
        }
    }
    db_ok(db_copy_end(b->db, &rows, &err), &err, "copy");
    if (rows != (int64_t)b->n)
        die("copy", "the row count loaded differs from the rows sent");
    db_ok(db_commit(b->db, &err), &err, "commit");
    buf_dispose(&chunk);
    return b->want;
}

static int64_t inlet_select(struct bench *b)
{
    struct db_rows *rows = NULL;
    struct err err = {0};
    int64_t sum = 0;
    int rc;
    db_ok(db_query(&rows, b->db, SELECT_SQL, NULL, 0, &err), &err, "select");
    while ((rc = db_rows_next(rows, &err)) == 1)
        sum += db_rows_int(rows, 4);
    db_ok(rc, &err, "select");
    db_rows_free(rows);
    return sum;
}

/* --- Measuring --------------------------------------------------------------- */

struct job {
    void (*fresh)(struct bench *b);  /* makes the empty table, off the clock; NULL for reads */
    int64_t (*run)(struct bench *b); /* the sum read back, or b->want for a write */
    double rate;                     /* OUT: rows/s, best of 3 */
    double cpu;                      /* OUT: seconds of this process's CPU, best of 3 */
};

static double now(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The jobs take turns within a pass, so that drift (page cache, autovacuum,
 * CPU clock, other work on the machine) falls on all of them alike. The CPU
 * time is the client's only: what the db layer adds shows there without the
 * server's share and without the noise of waiting. */
static void measure(struct bench *b, struct job *jobs, size_t n)
{
    for (int pass = 0; pass < 3; pass++) {
        for (struct job *j = jobs; j < jobs + n; j++) {
            if (j->fresh)
                j->fresh(b);
            double t0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_PROCESS_CPUTIME_ID);
            int64_t sum = j->run(b);
            double rate = (double)b->n / (now(CLOCK_MONOTONIC) - t0);
            double cpu = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
            if (sum != b->want)
                die("select", "the sum read back differs from the sum written");
            if (rate > j->rate)
                j->rate = rate;
            if (pass == 0 || cpu < j->cpu)
                j->cpu = cpu;
        }
    }
}

/* v rounded, with thousands separators: "412,000". */
static const char *commas(char out[32], double v)
{
    char digits[24];
    int len = snprintf(digits, sizeof(digits), "%.0f", v), o = 0;
    for (int i = 0; i < len; i++) {
        if (i && (len - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = digits[i];
    }
    out[o] = '\0';
    return out;
}

/* jobs[0] is raw, jobs[1] inlet. */
static void report(const char *engine, const char *what, const struct job *jobs)
{
    char a[32], c[32];
    printf("db: %-8s %-6s raw %11s rows/s  inlet %11s rows/s  ratio %.2f  (cpu %.2f)\n", engine,
           what, commas(a, jobs[0].rate), commas(c, jobs[1].rate), jobs[1].rate / jobs[0].rate,
           jobs[0].cpu / jobs[1].cpu);
}

static double peak_rss_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0; /* KiB on Linux */
}

static void bench_sqlite(struct bench *b)
{
    struct job ins[] = {{.fresh = lite_fresh_raw, .run = lite_insert_raw},
                        {.fresh = inlet_fresh, .run = inlet_insert}};
    struct job sel[] = {{.run = lite_select_raw}, {.run = inlet_select}};
    const char *tmp = getenv("TMPDIR");
    char dir[256], path[300];
    struct err err = {0};

    snprintf(dir, sizeof(dir), "%s/inlet-bench-db.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir))
        die(dir, "cannot make a temporary folder");
    snprintf(path, sizeof(path), "%s/raw.db", dir); /* the settings db_open uses */
    if (sqlite3_open_v2(path, &b->lite,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL))
        die(path, sqlite3_errmsg(b->lite));
    lite_ok(b, sqlite3_exec(b->lite, LITE_PRAGMAS, NULL, NULL, NULL), "pragma");
    snprintf(path, sizeof(path), "sqlite:%s/inlet.db", dir);
    db_ok(db_open(&b->db, path, &err), &err, path);

    measure(b, ins, 2);
    report("sqlite", "insert", ins);
    double before = peak_rss_mb();
    measure(b, sel, 2);
    report("sqlite", "select", sel);
    printf("db: sqlite   peak rss %.1f MB after the inserts, %.1f MB after the reads\n", before,
           peak_rss_mb());

    sqlite3_close(b->lite);
    db_close(b->db);
    snprintf(path, sizeof(path), "%s/raw.db", dir); /* a clean close removes -wal and -shm */
    unlink(path);
    snprintf(path, sizeof(path), "%s/inlet.db", dir);
    unlink(path);
    rmdir(dir);
}

/* url with its database name replaced by name (after the hosts, up to '?'). */
static char *pg_url_with_db(const char *url, const char *name)
{
    const char *auth = strstr(url, "://");
    auth = auth ? auth + 3 : url;
    size_t host_n = strcspn(auth, "/?");
    const char *query = strchr(auth + host_n, '?');
    struct buf u;
    buf_init(&u, 0);
    buf_put(&u, url, (size_t)(auth - url) + host_n);
    buf_printf(&u, "/%s%s", name, query ? query : "");
    return buf_take(&u);
}

static void admin(const char *url, const char *sql)
{
    PGconn *c = PQconnectdb(url);
    if (PQstatus(c) != CONNECTION_OK)
        die("postgres", PQerrorMessage(c));
    PGresult *res = PQexec(c, sql);
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        die(sql, PQerrorMessage(c));
    PQclear(res);
    PQfinish(c);
}

static void bench_pg(struct bench *b, const char *admin_url)
{
    struct job ins[] = {{.fresh = pg_fresh_raw, .run = pg_insert_raw},
                        {.fresh = pg_fresh_raw, .run = inlet_insert},
                        {.fresh = pg_fresh_raw, .run = pg_copy_raw},
                        {.fresh = pg_fresh_raw, .run = inlet_copy}};
    struct job sel[] = {{.run = pg_select_raw}, {.run = inlet_select}};
    char name[64], sql[128], a[32];
    struct err err = {0};

    snprintf(name, sizeof(name), "inlet_bench_%ld", (long)getpid());
    snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
    admin(admin_url, sql);
    char *url = pg_url_with_db(admin_url, name);
    b->pg = PQconnectdb(url);
    if (PQstatus(b->pg) != CONNECTION_OK)
        die("postgres", PQerrorMessage(b->pg));
    pg_ok(b, PQexec(b->pg, "SET client_min_messages = warning"), "set"); /* no NOTICEs */
    db_ok(db_open(&b->db, url, &err), &err, "postgres");

    measure(b, ins, 4);
    report("postgres", "insert", ins);
    printf("db: postgres copy   raw %11s rows/s  (the bulk ceiling; inlet insert at %.2f of it)\n",
           commas(a, ins[2].rate), ins[1].rate / ins[2].rate);
    report("postgres", "copy", ins + 2); /* raw COPY vs db_copy_* */
    double before = peak_rss_mb();
    measure(b, sel, 2);
    report("postgres", "select", sel);
    printf("db: postgres peak rss %.1f MB after the inserts, %.1f MB after the reads\n", before,
           peak_rss_mb());

    PQfinish(b->pg);
    db_close(b->db);
    snprintf(sql, sizeof(sql), "DROP DATABASE %s WITH (FORCE)", name);
    admin(admin_url, sql);
    xfree(url);
}

int main(int argc, char **argv)
{
    struct bench b = {.n = 100000};
    const char *pg = getenv("INLET_TEST_PG");
    char a[32];

    if (argc > 1 && (b.n = strtoull(argv[1], NULL, 10)) == 0)
        die(argv[1], "the row count must be a positive number");
    make_recs(&b);
    printf("db: %s rows of 8 columns, %zu bytes of values a row; best of 3; ratio = inlet / raw"
           " rows/s, cpu = raw / inlet client CPU time\n",
           commas(a, (double)b.n), b.bytes / b.n);
    bench_sqlite(&b);
    if (pg && *pg)
        bench_pg(&b, pg);
    else
        printf("db: postgres skipped: INLET_TEST_PG is not set (run under scripts/with-pg)\n");
    xfree(b.recs);
    return 0;
}
