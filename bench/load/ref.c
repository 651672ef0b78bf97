/* bench/load/ref.c - the reference `inlet load` is measured against: the
 * least a program must do to land bench/load/gen.c's stream, written by
 * hand for this one schema. It reads the same lines, parses them with the
 * same JSON library (json-c), and upserts the contacts by id in
 * transactions of 10,000 records: SQLite with one prepared INSERT ... ON
 * CONFLICT DO UPDATE (typed columns, arrays and objects as JSON text);
 * PostgreSQL with COPY into a temporary table, then INSERT ... SELECT
 * DISTINCT ON (id) ... ON CONFLICT DO UPDATE. No validation, no schema
 * handling, no counters. On PostgreSQL it sends a batch's COPY text at its
 * commit, where inlet streams it while the batch builds, so there it is no
 * longer an upper bound (docs/internals/sync.md, "Figures"). Usage: ref
 * sqlite:PATH | ref postgres://... (stdin: the stream). */
#include <json-c/json.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH 10000

static const char *const cols[] = {"id",     "first_name", "last_name",  "email", "phone",
                                   "title",  "company",    "stage",      "score", "amount",
                                   "active", "created_at", "updated_at", "tags",  "address"};
#define NCOLS 15

static void die(const char *what, const char *why)
{
    fprintf(stderr, "ref: %s: %s\n", what, why);
    exit(1);
}

/* A value as text for binding or COPY; NULL for JSON null. */
static const char *text_of(struct json_object *v)
{
    if (!v)
        return NULL;
    if (json_object_is_type(v, json_type_string))
        return json_object_get_string(v);
    return json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
}

static void run_sqlite(const char *path)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    char *line = NULL;
    size_t cap = 0;
    long n = 0;
    if (sqlite3_open(path, &db) != SQLITE_OK)
        die("sqlite", sqlite3_errmsg(db));
    sqlite3_exec(db,
                 "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                 "DROP TABLE IF EXISTS contacts; CREATE TABLE contacts (id INTEGER PRIMARY KEY,"
                 " first_name TEXT, last_name TEXT, email TEXT, phone TEXT, title TEXT,"
                 " company TEXT, stage TEXT, score INTEGER, amount NUMERIC, active INTEGER,"
                 " created_at TEXT, updated_at TEXT, tags TEXT, address TEXT, synced_at TEXT)",
                 NULL, NULL, NULL);
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO contacts VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,"
                           "?13,?14,?15,datetime('now')) ON CONFLICT (id) DO UPDATE SET"
                           " first_name=?2, last_name=?3, email=?4, phone=?5, title=?6,"
                           " company=?7, stage=?8, score=?9, amount=?10, active=?11,"
                           " created_at=?12, updated_at=?13, tags=?14, address=?15,"
                           " synced_at=datetime('now')",
                           -1, &st, NULL) != SQLITE_OK)
        die("sqlite prepare", sqlite3_errmsg(db));
    struct json_tokener *tok = json_tokener_new();
    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    ssize_t len;
    while ((len = getline(&line, &cap, stdin)) > 0) {
        json_tokener_reset(tok);
        struct json_object *m = json_tokener_parse_ex(tok, line, (int)len);
        struct json_object *type, *rec;
        if (!m || !json_object_object_get_ex(m, "type", &type) ||
            strcmp(json_object_get_string(type), "RECORD") != 0 ||
            !json_object_object_get_ex(m, "record", &rec)) {
            json_object_put(m);
            continue;
        }
        for (int i = 0; i < NCOLS; i++) {
            struct json_object *v = json_object_object_get(rec, cols[i]);
            if (!v)
                sqlite3_bind_null(st, i + 1);
            else if (json_object_is_type(v, json_type_int))
                sqlite3_bind_int64(st, i + 1, json_object_get_int64(v));
            else if (json_object_is_type(v, json_type_boolean))
                sqlite3_bind_int(st, i + 1, json_object_get_boolean(v));
            else
                sqlite3_bind_text(st, i + 1, text_of(v), -1, SQLITE_TRANSIENT);
        }
        if (sqlite3_step(st) != SQLITE_DONE)
            die("sqlite step", sqlite3_errmsg(db));
        sqlite3_reset(st);
        json_object_put(m);
        if (++n % BATCH == 0)
            sqlite3_exec(db, "COMMIT; BEGIN", NULL, NULL, NULL);
    }
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    sqlite3_finalize(st);
    json_tokener_free(tok);
    sqlite3_close(db);
    free(line);
    fprintf(stderr, "ref: %ld records\n", n);
}

static void pg_ok(PGconn *pg, PGresult *r, const char *what)
{
    ExecStatusType s = PQresultStatus(r);
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK && s != PGRES_COPY_IN)
        die(what, PQerrorMessage(pg));
    PQclear(r);
}

/* COPY's text format: backslash, tab, newline, CR escaped. */
static void copy_put(char **b, size_t *n, size_t *cap, const char *s)
{
    size_t need = *n + 2 * strlen(s) + 8;
    if (need > *cap) {
        *cap = need * 2;
        *b = realloc(*b, *cap);
        if (!*b)
            die("copy", "out of memory");
    }
    for (; *s; s++) {
        char c = *s;
        if (c == '\\' || c == '\t' || c == '\n' || c == '\r') {
            (*b)[(*n)++] = '\\';
            c = c == '\t' ? 't' : c == '\n' ? 'n' : c == '\r' ? 'r' : '\\';
        }
        (*b)[(*n)++] = c;
    }
}

static void pg_batch(PGconn *pg, const char *data, size_t n)
{
    pg_ok(pg, PQexec(pg, "TRUNCATE stage"), "truncate");
    pg_ok(pg, PQexec(pg, "COPY stage FROM STDIN"), "copy");
    if (PQputCopyData(pg, data, (int)n) != 1 || PQputCopyEnd(pg, NULL) != 1)
        die("copy data", PQerrorMessage(pg));
    PGresult *r;
    while ((r = PQgetResult(pg)) != NULL)
        pg_ok(pg, r, "copy end");
    pg_ok(pg,
          PQexec(pg, "INSERT INTO contacts SELECT DISTINCT ON (id) id, first_name, last_name,"
                     " email, phone, title, company, stage, score, amount, active, created_at,"
                     " updated_at, tags, address, now() FROM stage ORDER BY id, seq DESC"
                     " ON CONFLICT (id) DO UPDATE SET first_name = EXCLUDED.first_name,"
                     " last_name = EXCLUDED.last_name, email = EXCLUDED.email,"
                     " phone = EXCLUDED.phone, title = EXCLUDED.title,"
                     " company = EXCLUDED.company, stage = EXCLUDED.stage,"
                     " score = EXCLUDED.score, amount = EXCLUDED.amount,"
                     " active = EXCLUDED.active, created_at = EXCLUDED.created_at,"
                     " updated_at = EXCLUDED.updated_at, tags = EXCLUDED.tags,"
                     " address = EXCLUDED.address, synced_at = EXCLUDED.synced_at"),
          "merge");
    pg_ok(pg, PQexec(pg, "COMMIT"), "commit");
    pg_ok(pg, PQexec(pg, "BEGIN"), "begin");
}

static void run_pg(const char *url)
{
    PGconn *pg = PQconnectdb(url);
    char *line = NULL, *buf = NULL;
    size_t cap = 0, n = 0, bcap = 0;
    long count = 0;
    if (PQstatus(pg) != CONNECTION_OK)
        die("postgres", PQerrorMessage(pg));
    pg_ok(pg,
          PQexec(pg, "DROP TABLE IF EXISTS contacts; CREATE TABLE contacts (id BIGINT PRIMARY KEY,"
                     " first_name TEXT, last_name TEXT, email TEXT, phone TEXT, title TEXT,"
                     " company TEXT, stage TEXT, score BIGINT, amount NUMERIC, active BOOLEAN,"
                     " created_at TIMESTAMPTZ, updated_at TIMESTAMPTZ, tags JSONB,"
                     " address JSONB, synced_at TIMESTAMPTZ);"
                     " CREATE TEMP TABLE stage (id BIGINT, first_name TEXT, last_name TEXT,"
                     " email TEXT, phone TEXT, title TEXT, company TEXT, stage TEXT,"
                     " score BIGINT, amount NUMERIC, active BOOLEAN, created_at TIMESTAMPTZ,"
                     " updated_at TIMESTAMPTZ, tags JSONB, address JSONB, seq BIGINT)"),
          "create");
    pg_ok(pg, PQexec(pg, "BEGIN"), "begin");
    struct json_tokener *tok = json_tokener_new();
    ssize_t len;
    while ((len = getline(&line, &cap, stdin)) > 0) {
        json_tokener_reset(tok);
        struct json_object *m = json_tokener_parse_ex(tok, line, (int)len);
        struct json_object *type, *rec;
        if (!m || !json_object_object_get_ex(m, "type", &type) ||
            strcmp(json_object_get_string(type), "RECORD") != 0 ||
            !json_object_object_get_ex(m, "record", &rec)) {
            json_object_put(m);
            continue;
        }
        for (int i = 0; i < NCOLS; i++) {
            const char *t = text_of(json_object_object_get(rec, cols[i]));
            copy_put(&buf, &n, &bcap, t ? t : ""); /* also makes room for what follows */
            if (!t) {
                buf[n++] = '\\';
                buf[n++] = 'N';
            }
            buf[n++] = '\t';
        }
        n += (size_t)snprintf(buf + n, bcap - n, "%ld\n", count);
        json_object_put(m);
        if (++count % BATCH == 0) {
            pg_batch(pg, buf, n);
            n = 0;
        }
    }
    if (n)
        pg_batch(pg, buf, n);
    pg_ok(pg, PQexec(pg, "COMMIT"), "commit");
    json_tokener_free(tok);
    PQfinish(pg);
    free(line);
    free(buf);
    fprintf(stderr, "ref: %ld records\n", count);
}

int main(int argc, char **argv)
{
    if (argc != 2)
        die("usage", "ref sqlite:PATH | ref postgres://...");
    if (strncmp(argv[1], "sqlite:", 7) == 0)
        run_sqlite(argv[1] + 7);
    else
        run_pg(argv[1]);
    return 0;
}
