/* store/records_query.c - see records_query.h. A list is one keyset query:
 * WHERE (key, id) > (cursor's key, cursor's id) ORDER BY key, id LIMIT n+1,
 * so a page never skips or repeats a row that existed when the first page
 * was read, whatever is inserted meanwhile. Its SQL is put together from the
 * fixed fragments of the tables below; only bound values come from the
 * request. */
#include "store/records_query.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/encode.h"
#include "core/str.h"
#include "core/time.h"
#include "sync/columns.h"

enum field_kind {
    FIELD_TEXT,
    FIELD_TIME,   /* unix seconds, out as RFC 3339; 0 and NULL as null */
    FIELD_INT,    /* a JSON number */
    FIELD_MONEY,  /* NUMERIC, out as a decimal string */
    FIELD_NUMBER, /* NUMERIC, out as a JSON number (a percentage) */
    FIELD_JSON,   /* a JSON object stored as text, embedded */
};

/* A column, named alike in the table and in the JSON. */
struct field {
    const char *name;
    enum field_kind kind;
};

struct records_model {
    const char *name, *noun, *table;
    /* The name sort key: exactly the expression of migration 0008's
     * <table>_name_key_idx, or that index serves neither sort nor search. */
    const char *name_key;
    const char *const *search; /* expressions q is a prefix of (any one) */
    bool has_account;
    const struct field *fields; /* "id" first */
    size_t nfields;
};

#define FIELDS(a) (a), (sizeof(a) / sizeof((a)[0]))

/* What every model has, in front and at the end of its own columns. */
#define HEAD_FIELDS                                                                                \
    {"id", FIELD_TEXT}, {"integration_id", FIELD_TEXT}, {"connector", FIELD_TEXT},                 \
    {                                                                                              \
        "external_id", FIELD_TEXT                                                                  \
    }
#define TAIL_FIELDS                                                                                \
    {"properties", FIELD_JSON}, {"remote_created_at", FIELD_TIME},                                 \
        {"remote_updated_at", FIELD_TIME}, {"created_at", FIELD_TIME}, {"updated_at", FIELD_TIME}, \
        {"last_synced_at", FIELD_TIME},                                                            \
    {                                                                                              \
        "deleted_at", FIELD_TIME                                                                   \
    }

static const struct field account_fields[] = {
    HEAD_FIELDS,
    {"name", FIELD_TEXT},
    {"domain", FIELD_TEXT},
    {"website", FIELD_TEXT},
    {"industry", FIELD_TEXT},
    {"phone", FIELD_TEXT},
    {"employees", FIELD_INT},
    {"annual_revenue", FIELD_MONEY},
    TAIL_FIELDS,
};

static const struct field contact_fields[] = {
    HEAD_FIELDS,
    {"account_id", FIELD_TEXT},
    {"first_name", FIELD_TEXT},
    {"last_name", FIELD_TEXT},
    {"email", FIELD_TEXT},
    {"phone", FIELD_TEXT},
    {"title", FIELD_TEXT},
    {"company", FIELD_TEXT},
    {"lead_source", FIELD_TEXT},
    {"lead_status", FIELD_TEXT},
    TAIL_FIELDS,
};

/* tickets have one more source time than the others: listed by hand. */
static const struct field ticket_fields[] = {
    HEAD_FIELDS,
    {"contact_id", FIELD_TEXT},
    {"account_id", FIELD_TEXT},
    {"subject", FIELD_TEXT},
    {"description", FIELD_TEXT},
    {"status", FIELD_TEXT},
    {"priority", FIELD_TEXT},
    {"requester_email", FIELD_TEXT},
    {"assignee", FIELD_TEXT},
    {"properties", FIELD_JSON},
    {"remote_created_at", FIELD_TIME},
    {"remote_updated_at", FIELD_TIME},
    {"remote_closed_at", FIELD_TIME},
    {"created_at", FIELD_TIME},
    {"updated_at", FIELD_TIME},
    {"last_synced_at", FIELD_TIME},
    {"deleted_at", FIELD_TIME},
};

static const struct field deal_fields[] = {
    HEAD_FIELDS,
    {"account_id", FIELD_TEXT},
    {"contact_id", FIELD_TEXT},
    {"name", FIELD_TEXT},
    {"amount", FIELD_MONEY},
    {"currency", FIELD_TEXT},
    {"stage", FIELD_TEXT},
    {"status", FIELD_TEXT},
    {"probability", FIELD_NUMBER},
    {"close_date", FIELD_TEXT},
    {"owner", FIELD_TEXT},
    TAIL_FIELDS,
};

/* email and domain are stored lower case (0001), so their own indexes
 * (tenant_id, email) and (tenant_id, domain) serve a prefix as they are. */
#define ACCOUNT_KEY "substr(lower(COALESCE(name, '')), 1, 100)"
#define CONTACT_KEY                                                                                \
    "substr(lower(trim(COALESCE(first_name, '') || ' ' || COALESCE(last_name, ''))), 1, 100)"
#define TICKET_KEY "substr(lower(COALESCE(subject, '')), 1, 100)"
#define DEAL_KEY   "substr(lower(COALESCE(name, '')), 1, 100)"

static const char *const account_search[] = {ACCOUNT_KEY, "domain", NULL};
static const char *const contact_search[] = {CONTACT_KEY, "lower(last_name)", "email", NULL};
static const char *const ticket_search[] = {TICKET_KEY, NULL};
static const char *const deal_search[] = {DEAL_KEY, NULL};

static const struct records_model models[] = {
    {"accounts", "account", "accounts", ACCOUNT_KEY, account_search, false, FIELDS(account_fields)},
    {"contacts", "contact", "contacts", CONTACT_KEY, contact_search, true, FIELDS(contact_fields)},
    {"tickets", "ticket", "tickets", TICKET_KEY, ticket_search, true, FIELDS(ticket_fields)},
    {"deals", "deal", "deals", DEAL_KEY, deal_search, true, FIELDS(deal_fields)},
};

const struct records_model *records_query_model(const char *name)
{
    for (size_t i = 0; name && i < sizeof(models) / sizeof(models[0]); i++)
        if (strcmp(models[i].name, name) == 0)
            return &models[i];
    return NULL;
}

bool records_query_has_account(const struct records_model *m)
{
    return m->has_account;
}

/* ---- sorts and cursors ---- */

static const struct {
    const char *name;
    char code; /* in the cursor */
} sorts[] = {
    [RECORDS_SORT_UPDATED] = {"updated_at", 'u'},
    [RECORDS_SORT_UPDATED_DESC] = {"-updated_at", 'U'},
    [RECORDS_SORT_NAME] = {"name", 'n'},
    [RECORDS_SORT_NAME_DESC] = {"-name", 'N'},
    [RECORDS_SORT_CREATED] = {"created_at", 'c'},
    [RECORDS_SORT_CREATED_DESC] = {"-created_at", 'C'},
};
#define NSORTS (sizeof(sorts) / sizeof(sorts[0]))

bool records_query_sort_parse(enum records_sort *out, const char *s)
{
    for (size_t i = 0; s && i < NSORTS; i++)
        if (strcmp(sorts[i].name, s) == 0) {
            *out = (enum records_sort)i;
            return true;
        }
    return false;
}

const char *records_query_sort_name(enum records_sort s)
{
    return sorts[s].name;
}

static bool sort_desc(enum records_sort s)
{
    return s == RECORDS_SORT_UPDATED_DESC || s == RECORDS_SORT_NAME_DESC ||
           s == RECORDS_SORT_CREATED_DESC;
}

static bool sort_by_name(enum records_sort s)
{
    return s == RECORDS_SORT_NAME || s == RECORDS_SORT_NAME_DESC;
}

static const char *sort_key(const struct records_model *m, enum records_sort s)
{
    if (sort_by_name(s))
        return m->name_key;
    return s == RECORDS_SORT_CREATED || s == RECORDS_SORT_CREATED_DESC ? "created_at"
                                                                       : "updated_at";
}

/* The cursor's bytes: "1", the sort's code, the id, ':' and the key (an
 * integer in decimal, or the name key's text), base64url-encoded so that
 * it is one opaque query value. The id has no ':', so the first one ends it. */
#define CURSOR_RAW_MAX (ENCODE_B64_DECODED_MAX(RECORDS_CURSOR_MAX - 1))

static int cursor_format(char out[RECORDS_CURSOR_MAX], enum records_sort sort, const char *id,
                         int64_t key_int, const char *key_text, struct err *err)
{
    char raw[CURSOR_RAW_MAX + 1];
    int n =
        sort_by_name(sort)
            ? snprintf(raw, sizeof(raw), "1%c%s:%s", sorts[sort].code, id, key_text)
            : snprintf(raw, sizeof(raw), "1%c%s:%lld", sorts[sort].code, id, (long long)key_int);
    if (n < 0 || (size_t)n >= sizeof(raw) || ENCODE_B64URL_LEN((size_t)n) >= RECORDS_CURSOR_MAX)
        return err_set(err, ERR_IO, "cursor: the sort key of row %s is too long for a cursor", id);
    encode_b64url_format(out, raw, (size_t)n);
    return 0;
}

int records_query_cursor_parse(struct records_cursor *out, const char *s, enum records_sort sort,
                               struct err *err)
{
    static const char bad[] = "cursor: not a cursor of this list (use the next_cursor of the "
                              "previous page)";
    unsigned char raw[CURSOR_RAW_MAX + 1];
    size_t n = s ? strlen(s) : 0, len = 0;
    struct err ignored;

    memset(out, 0, sizeof(*out));
    if (n == 0 || n >= RECORDS_CURSOR_MAX ||
        encode_b64url_parse(raw, &len, s, n, "cursor", &ignored) < 0 || len < 4 || raw[0] != '1')
        return err_set(err, ERR_INVALID, "%s", bad);
    raw[len] = '\0';
    size_t i = 0;
    while (i < NSORTS && sorts[i].code != (char)raw[1])
        i++;
    const char *colon = memchr(raw + 2, ':', len - 2);
    if (i == NSORTS || !colon || (size_t)((const unsigned char *)colon - raw) - 2 >= ID_MAX)
        return err_set(err, ERR_INVALID, "%s", bad);
    if ((enum records_sort)i != sort)
        return err_set(err, ERR_INVALID,
                       "cursor: it was made for sort=%s; a cursor goes with the sort of its first "
                       "page",
                       sorts[i].name);
    size_t idn = (size_t)((const unsigned char *)colon - raw) - 2;
    memcpy(out->id, raw + 2, idn);
    out->id[idn] = '\0';
    const char *key = colon + 1;
    size_t keyn = len - (size_t)((const unsigned char *)key - raw);
    if (!id_valid(out->id, NULL) || memchr(key, '\0', keyn) || !str_utf8_valid(key, keyn, NULL))
        return err_set(err, ERR_INVALID, "%s", bad);
    if (sort_by_name(sort)) {
        memcpy(out->key_text, key, keyn + 1);
    } else if (str_to_i64(&out->key_int, (struct str){key, keyn}, "cursor", &ignored) < 0) {
        return err_set(err, ERR_INVALID, "%s", bad);
    }
    out->sort = sort;
    return 0;
}

/* ---- values out ---- */

static void put_time(struct buf *b, struct db_rows *r, int col)
{
    char t[TIME_RFC3339_MAX];
    int64_t sec = db_rows_int(r, col);
    if (db_rows_is_null(r, col) || sec == 0 || sec < TIME_MIN_MS / 1000 ||
        sec > TIME_MAX_MS / 1000) {
        buf_puts(b, "null");
        return;
    }
    time_format_rfc3339_sec(t, sec * 1000);
    buf_put_json_str(b, t);
}

void records_query_put_decimal(struct buf *b, const char *s, bool quoted)
{
    char tmp[400]; /* "%.10f" of the largest double: 309 digits and 11 more */

    if (s && strpbrk(s, "eE")) {
        /* SQLite spells a REAL past 15 digits with an exponent. */
        char *end;
        errno = 0;
        double d = strtod(s, &end);
        if (*end || errno || !isfinite(d)) {
            buf_puts(b, "null");
            return;
        }
        snprintf(tmp, sizeof(tmp), "%.10f", d);
        s = tmp;
    }
    /* [-]digits[.digits], nothing else ("NaN" and "Infinity" are not money). */
    size_t neg = s && s[0] == '-', ip = s ? strspn(s + neg, "0123456789") : 0;
    size_t fp = ip && s[neg + ip] == '.' ? strspn(s + neg + ip + 1, "0123456789") : 0;
    size_t n = neg + ip + (fp ? 1 + fp : 0);
    if (!s || ip == 0 || s[n] != '\0') {
        buf_puts(b, "null");
        return;
    }
    while (fp > 0 && s[neg + ip + fp] == '0') /* the zeros an engine's scale adds */
        fp--;
    n = neg + ip + (fp ? 1 + fp : 0);
    bool zero = strspn(s + neg, "0") == ip && fp == 0;
    if (quoted)
        buf_putc(b, '"');
    if (zero) /* "-0.00" is 0 */
        buf_putc(b, '0');
    else
        buf_put(b, s, n);
    if (quoted)
        buf_putc(b, '"');
}

/* Row r's columns as the model's JSON object, without its closing brace. */
static void put_row(struct buf *b, const struct records_model *m, struct db_rows *r)
{
    for (size_t i = 0; i < m->nfields; i++) {
        const struct field *f = &m->fields[i];
        const char *s = db_rows_text(r, (int)i);
        buf_putc(b, i ? ',' : '{');
        buf_put_json_str(b, f->name);
        buf_putc(b, ':');
        switch (f->kind) {
        case FIELD_TEXT:
            buf_put_json_str(b, s);
            break;
        case FIELD_TIME:
            put_time(b, r, (int)i);
            break;
        case FIELD_INT:
            if (s)
                buf_printf(b, "%lld", (long long)db_rows_int(r, (int)i));
            else
                buf_puts(b, "null");
            break;
        case FIELD_MONEY:
        case FIELD_NUMBER:
            records_query_put_decimal(b, s, f->kind == FIELD_MONEY);
            break;
        case FIELD_JSON:
            /* Written by inlet's mapping as a JSON object (JSONB text on
             * PostgreSQL): embedded as it is. */
            buf_puts(b, s && s[0] == '{' ? s : "{}");
            break;
        }
    }
}

static void put_columns(struct buf *sql, const struct records_model *m)
{
    buf_puts(sql, "SELECT ");
    for (size_t i = 0; i < m->nfields; i++)
        buf_printf(sql, "%s%s", i ? ", " : "", m->fields[i].name);
}

/* The name of the row's account, read by its key beside the row, so that
 * a page of contacts needs no read per account to show them. */
static void put_account_name_column(struct buf *sql, const struct records_model *m)
{
    if (m->has_account)
        buf_printf(sql,
                   ", (SELECT a.name FROM accounts a WHERE a.tenant_id = %s.tenant_id"
                   " AND a.id = %s.account_id)",
                   m->table, m->table);
}

/* ,"account_name":... from column col, for a model with accounts. */
static void put_account_name(struct buf *b, const struct records_model *m, struct db_rows *r,
                             int col)
{
    if (!m->has_account)
        return;
    buf_puts(b, ",\"account_name\":");
    buf_put_json_str(b, db_rows_text(r, col));
}

/* ---- lists ---- */

int records_query_list(struct buf *b, char next[RECORDS_CURSOR_MAX], struct db *db,
                       const char *tenant_id, const struct records_model *m,
                       const struct records_filter *f, struct err *err)
{
    char pattern[2 * RECORDS_Q_MAX + 2];
    char last_id[ID_MAX] = "";
    char *last_text = NULL;
    int64_t last_int = 0;
    struct db_val v[8];
    struct db_rows *r = NULL;
    struct buf sql;
    size_t nv = 0;
    int rc, rows = 0;

    next[0] = '\0';
    if (f->limit < 1 || f->limit > RECORDS_LIST_MAX)
        return err_set(err, ERR_INVALID, "limit: expected 1 to %d", RECORDS_LIST_MAX);
    if (f->account_id && !m->has_account)
        return err_set(err, ERR_INVALID, "account_id: %s belong to no account", m->name);
    if (f->q && strlen(f->q) > RECORDS_Q_MAX)
        return err_set(err, ERR_INVALID, "q: at most %d bytes", RECORDS_Q_MAX);
    if (f->after && f->after->sort != f->sort)
        return err_set(err, ERR_INVALID, "cursor: made for sort=%s",
                       records_query_sort_name(f->after->sort));

    const char *key = sort_key(m, f->sort), *dir = sort_desc(f->sort) ? "DESC" : "ASC";
    bool by_name = sort_by_name(f->sort);
    buf_init(&sql, 0);
    put_columns(&sql, m);
    buf_printf(&sql, ", %s", key);
    put_account_name_column(&sql, m);
    buf_printf(&sql, " FROM %s WHERE tenant_id = $1", m->table);
    v[nv++] = DB_TEXT(tenant_id);
    if (!f->include_deleted)
        buf_puts(&sql, " AND deleted_at IS NULL");
    if (f->integration_id) {
        v[nv++] = DB_TEXT(f->integration_id);
        buf_printf(&sql, " AND integration_id = $%zu", nv);
    }
    if (f->account_id) {
        v[nv++] = DB_TEXT(f->account_id);
        buf_printf(&sql, " AND account_id = $%zu", nv);
    }
    if (f->has_since) {
        v[nv++] = DB_INT(f->updated_since);
        buf_printf(&sql, " AND updated_at >= $%zu", nv);
    }
    if (f->q && *f->q) {
        /* lower() on both sides: each engine folds case its own way
         * (SQLite ASCII only, PostgreSQL by the locale) but the same way
         * for the pattern as for the key. */
        str_like_pattern(pattern, f->q, false);
        v[nv++] = DB_TEXT(pattern);
        buf_puts(&sql, " AND (");
        for (size_t i = 0; m->search[i]; i++)
            buf_printf(&sql, "%s%s LIKE lower($%zu) ESCAPE '!'", i ? " OR " : "", m->search[i], nv);
        buf_putc(&sql, ')');
    }
    if (f->after) {
        v[nv++] = by_name ? DB_TEXT(f->after->key_text) : DB_INT(f->after->key_int);
        v[nv++] = DB_TEXT(f->after->id);
        buf_printf(&sql, " AND (%s, id) %c ($%zu, $%zu)", key, sort_desc(f->sort) ? '<' : '>',
                   nv - 1, nv);
    }
    /* One more row than asked for says whether there is a next page. */
    v[nv++] = DB_INT(f->limit + 1);
    buf_printf(&sql, " ORDER BY %s %s, id %s LIMIT $%zu", key, dir, dir, nv);

    rc = db_query(&r, db, buf_cstr(&sql), v, nv, err);
    while (rc == 0 && (rc = db_rows_next(r, err)) == 1) {
        rc = 0;
        if (rows == f->limit) {
            rc = cursor_format(next, f->sort, last_id, last_int, last_text ? last_text : "", err);
            break;
        }
        if (rows++)
            buf_putc(b, ',');
        put_row(b, m, r);
        put_account_name(b, m, r, (int)m->nfields + 1);
        buf_putc(b, '}');
        snprintf(last_id, sizeof(last_id), "%s", db_rows_text(r, 0));
        xfree(last_text);
        last_text = NULL;
        if (by_name)
            last_text =
                xstrdup(db_rows_text(r, (int)m->nfields) ? db_rows_text(r, (int)m->nfields) : "");
        else
            last_int = db_rows_int(r, (int)m->nfields);
    }
    db_rows_free(r);
    xfree(last_text);
    buf_dispose(&sql);
    return rc < 0 ? rc : 0;
}

/* ---- one record ---- */

int records_query_get(struct buf *b, struct db *db, const char *tenant_id,
                      const struct records_model *m, const char *id, struct err *err)
{
    struct db_rows *r = NULL;
    struct buf sql;
    int rc;

    if (!id_valid(id, NULL))
        return err_set(err, ERR_NOTFOUND, "no such %s", m->noun);
    buf_init(&sql, 0);
    put_columns(&sql, m);
    put_account_name_column(&sql, m);
    buf_printf(&sql, " FROM %s WHERE tenant_id = $1 AND id = $2", m->table);
    rc = db_query_row(&r, db, buf_cstr(&sql), DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(id)), err);
    buf_dispose(&sql);
    if (rc == ERR_NOTFOUND)
        return err_set(err, ERR_NOTFOUND, "no %s %s", m->noun, id);
    if (rc < 0)
        return rc;
    put_row(b, m, r);
    put_account_name(b, m, r, (int)m->nfields);
    db_rows_free(r);
    r = NULL;

    /* The integration's own connector name, not the row's: a record can
     * come from more integrations than the one that made it. */
    rc = db_query(
        &r, db,
        "SELECT s.integration_id, i.connector_id, s.stream, s.external_id,"
        " s.first_synced_at, s.last_synced_at, s.deleted_at"
        " FROM synced_records s JOIN integrations i"
        " ON i.tenant_id = s.tenant_id AND i.id = s.integration_id"
        " WHERE s.tenant_id = $1 AND s.target = $2 AND s.record_id = $3"
        " ORDER BY s.last_synced_at DESC, s.integration_id, s.stream, s.external_id"
        " LIMIT $4",
        DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(m->table), DB_TEXT(id), DB_INT(RECORDS_SOURCES_MAX)),
        err);
    buf_puts(b, ",\"sources\":[");
    for (int n = 0; rc == 0 && (rc = db_rows_next(r, err)) == 1; n++) {
        rc = 0;
        buf_puts(b, n ? ",{\"integration_id\":" : "{\"integration_id\":");
        buf_put_json_str(b, db_rows_text(r, 0));
        buf_puts(b, ",\"connector\":");
        buf_put_json_str(b, db_rows_text(r, 1));
        buf_puts(b, ",\"stream\":");
        buf_put_json_str(b, db_rows_text(r, 2));
        buf_puts(b, ",\"external_id\":");
        buf_put_json_str(b, db_rows_text(r, 3));
        buf_puts(b, ",\"first_synced_at\":");
        put_time(b, r, 4);
        buf_puts(b, ",\"last_synced_at\":");
        put_time(b, r, 5);
        buf_puts(b, ",\"deleted_at\":");
        put_time(b, r, 6);
        buf_putc(b, '}');
    }
    db_rows_free(r);
    buf_puts(b, "]}");
    return rc < 0 ? rc : 0;
}

/* ---- purges ---- */

/* ERR_CONFLICT naming the first queued or running sync of the tenant (of
 * integration_id, when not NULL): purging under a sync would leave what it
 * writes next, and its open batch holds the raw tables' locks. */
static int refuse_if_syncing(struct db *db, const char *tenant_id, const char *integration_id,
                             struct err *err)
{
    struct db_rows *r = NULL;
    int rc = integration_id
                 ? db_query_row(&r, db,
                                "SELECT id, integration_id FROM sync_runs WHERE tenant_id = $1"
                                " AND integration_id = $2 AND status IN ('queued', 'running')"
                                " ORDER BY created_at, id LIMIT 1",
                                DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(integration_id)), err)
                 : db_query_row(&r, db,
                                "SELECT id, integration_id FROM sync_runs WHERE tenant_id = $1"
                                " AND status IN ('queued', 'running')"
                                " ORDER BY created_at, id LIMIT 1",
                                DB_ARGS(DB_TEXT(tenant_id)), err);
    if (rc == ERR_NOTFOUND)
        return 0;
    if (rc < 0)
        return rc;
    rc = err_set(err, ERR_CONFLICT,
                 "integration %s is syncing (run %s); cancel the run or let it end, then purge",
                 db_rows_text(r, 1), db_rows_text(r, 0));
    db_rows_free(r);
    return rc;
}

/* Whether the loader's registry of tables exists: it is made by the first
 * sync into this database, so a database that never synced has none. */
static int raw_registry_exists(bool *out, struct db *db, struct err *err)
{
    int64_t n = 0;
    bool pg = strcmp(db_engine(db), "postgres") == 0;
    /* Unqualified, as the loader names it: the first schema of the path. */
    int rc =
        db_query_int(&n, db,
                     pg ? "SELECT CASE WHEN to_regclass('_inlet_tables') IS NULL THEN 0 ELSE 1 END"
                        : "SELECT count(*) FROM sqlite_master"
                          " WHERE type = 'table' AND name = '_inlet_tables'",
                     NULL, 0, err);
    *out = n > 0;
    return rc;
}

struct names {
    char **v; /* from xmalloc, each from xstrdup */
    size_t n, cap;
};

static void names_push(struct names *ns, const char *s)
{
    if (ns->n == ns->cap) {
        ns->cap = ns->cap ? 2 * ns->cap : 8;
        ns->v = xrealloc(ns->v, ns->cap * sizeof(*ns->v));
    }
    ns->v[ns->n++] = xstrdup(s);
}

static void names_dispose(struct names *ns)
{
    for (size_t i = 0; i < ns->n; i++)
        xfree(ns->v[i]);
    xfree(ns->v);
    memset(ns, 0, sizeof(*ns));
}

/* Read every row of a one-column query into ns (the connection is free
 * again when it returns, for the statements that use them). */
static int read_names(struct names *ns, struct db *db, const char *sql, const struct db_val *v,
                      size_t nv, struct err *err)
{
    struct db_rows *r = NULL;
    int rc = db_query(&r, db, sql, v, nv, err);
    while (rc == 0 && (rc = db_rows_next(r, err)) == 1) {
        rc = 0;
        names_push(ns, db_rows_text(r, 0) ? db_rows_text(r, 0) : "");
    }
    db_rows_free(r);
    return rc < 0 ? rc : 0;
}

/* Drop the raw tables of integration id and forget them in the loader's
 * registry (_inlet_tables, _inlet_columns), as if it had never synced. */
static int drop_raw(struct records_purge *out, struct db *db, const char *id, struct err *err)
{
    struct names tables = {0};
    char prefix[ID_MAX + 1];
    struct buf sql;
    int rc;

    /* The loader's prefix (sync/native_sync.c, sync/tap_sync.c). */
    snprintf(prefix, sizeof(prefix), "%s_", id);
    buf_init(&sql, 0);
    rc = read_names(&tables, db,
                    "SELECT table_name FROM _inlet_tables WHERE prefix = $1 ORDER BY table_name",
                    DB_ARGS(DB_TEXT(prefix)), err);
    for (size_t i = 0; rc == 0 && i < tables.n; i++) {
        const char *t = tables.v[i];
        /* The registry is not tenant-owned: check that the name is one the
         * loader makes for this integration before dropping anything. */
        if (!col_name_valid(t) || strncmp(t, prefix, strlen(prefix)) != 0) {
            rc = err_set(err, ERR_IO,
                         "_inlet_tables gives integration %s the table \"%.64s\", which is not "
                         "one of its raw tables; nothing was purged",
                         id, t);
            break;
        }
        buf_reset(&sql);
        buf_puts(&sql, "DROP TABLE IF EXISTS ");
        col_quote(&sql, t);
        rc = db_exec(db, buf_cstr(&sql), NULL, 0, NULL, err);
        if (rc == 0)
            rc = db_exec(db, "DELETE FROM _inlet_columns WHERE table_name = $1",
                         DB_ARGS(DB_TEXT(t)), NULL, err);
        if (rc == 0)
            out->raw_tables++;
    }
    if (rc == 0)
        rc = db_exec(db, "DELETE FROM _inlet_tables WHERE prefix = $1", DB_ARGS(DB_TEXT(prefix)),
                     NULL, err);
    names_dispose(&tables);
    buf_dispose(&sql);
    return rc;
}

/* One statement of a purge and the counter of the rows it changes. */
struct purge_step {
    const char *sql;
    int64_t *count;
};

/* Run sql with tenant_id ($1) and id ($2, when not NULL), adding the rows
 * it changed to *count. */
static int purge_exec(int64_t *count, struct db *db, const char *sql, const char *tenant_id,
                      const char *id, struct err *err)
{
    int64_t n = 0;
    int rc = id ? db_exec(db, sql, DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(id)), &n, err)
                : db_exec(db, sql, DB_ARGS(DB_TEXT(tenant_id)), &n, err);
    *count += n;
    return rc;
}

int records_query_purge_integration(struct records_purge *out, struct db *db, const char *tenant_id,
                                    const char *id, struct err *err)
{
    int64_t n = 0;
    bool registry = false;

    memset(out, 0, sizeof(*out));
    if (!id_valid(id, "int"))
        return err_set(err, ERR_NOTFOUND, "no such integration");
    /* Deleted ones too: their data is what a later purge is for. */
    int rc =
        db_query_int(&n, db, "SELECT count(*) FROM integrations WHERE tenant_id = $1 AND id = $2",
                     DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(id)), err);
    if (rc == 0 && n == 0)
        rc = err_set(err, ERR_NOTFOUND, "no integration %s", id);
    if (rc == 0)
        rc = refuse_if_syncing(db, tenant_id, id, err);
    if (rc == 0)
        rc = raw_registry_exists(&registry, db, err);
    if (rc == 0 && registry)
        rc = drop_raw(out, db, id, err);
    /* Children before parents, so that no row is first unlinked from a
     * parent about to go; another integration's rows that pointed at
     * these are unlinked by the foreign keys (0001). */
    const struct purge_step steps[] = {
        {"DELETE FROM tickets WHERE tenant_id = $1 AND integration_id = $2", &out->tickets},
        {"DELETE FROM deals WHERE tenant_id = $1 AND integration_id = $2", &out->deals},
        {"DELETE FROM contacts WHERE tenant_id = $1 AND integration_id = $2", &out->contacts},
        {"DELETE FROM accounts WHERE tenant_id = $1 AND integration_id = $2", &out->accounts},
        {"DELETE FROM synced_records WHERE tenant_id = $1 AND integration_id = $2",
         &out->synced_records},
        {"DELETE FROM stream_state WHERE tenant_id = $1 AND integration_id = $2",
         &out->stream_state},
        /* A delivery's answer may quote a record's values (a refused
         * amount): it goes with the body. Before the runs that find them. */
        {"UPDATE webhook_deliveries SET body = NULL, result = NULL WHERE tenant_id = $1"
         " AND (body IS NOT NULL OR result IS NOT NULL) AND (endpoint_id IN (SELECT id FROM"
         " webhook_endpoints WHERE tenant_id = $1 AND integration_id = $2) OR run_id IN"
         " (SELECT id FROM sync_runs WHERE tenant_id = $1 AND integration_id = $2))",
         &out->webhook_bodies},
        {"DELETE FROM sync_runs WHERE tenant_id = $1 AND integration_id = $2", &out->runs},
    };
    for (size_t i = 0; rc == 0 && i < sizeof(steps) / sizeof(steps[0]); i++)
        rc = purge_exec(steps[i].count, db, steps[i].sql, tenant_id, id, err);
    return rc;
}

int records_query_purge_tenant(struct records_purge *out, struct db *db, const char *tenant_id,
                               struct err *err)
{
    struct names ids = {0};
    bool registry = false;

    memset(out, 0, sizeof(*out));
    int rc = refuse_if_syncing(db, tenant_id, NULL, err);
    if (rc == 0)
        rc = raw_registry_exists(&registry, db, err);
    if (rc == 0 && registry)
        rc = read_names(&ids, db, "SELECT id FROM integrations WHERE tenant_id = $1 ORDER BY id",
                        DB_ARGS(DB_TEXT(tenant_id)), err);
    for (size_t i = 0; rc == 0 && i < ids.n; i++)
        rc = drop_raw(out, db, ids.v[i], err);
    names_dispose(&ids);
    const struct purge_step steps[] = {
        {"DELETE FROM tickets WHERE tenant_id = $1", &out->tickets},
        {"DELETE FROM deals WHERE tenant_id = $1", &out->deals},
        {"DELETE FROM contacts WHERE tenant_id = $1", &out->contacts},
        {"DELETE FROM accounts WHERE tenant_id = $1", &out->accounts},
        {"DELETE FROM synced_records WHERE tenant_id = $1", &out->synced_records},
        {"DELETE FROM stream_state WHERE tenant_id = $1", &out->stream_state},
        {"UPDATE webhook_deliveries SET body = NULL, result = NULL WHERE tenant_id = $1"
         " AND (body IS NOT NULL OR result IS NOT NULL)",
         &out->webhook_bodies},
    };
    for (size_t i = 0; rc == 0 && i < sizeof(steps) / sizeof(steps[0]); i++)
        rc = purge_exec(steps[i].count, db, steps[i].sql, tenant_id, NULL, err);
    return rc;
}

void records_query_purge_format(const struct records_purge *p, struct buf *b)
{
    buf_printf(b,
               "{\"raw_tables\":%lld,\"accounts\":%lld,\"contacts\":%lld,\"tickets\":%lld,"
               "\"deals\":%lld,\"synced_records\":%lld,\"stream_state\":%lld,\"runs\":%lld,"
               "\"webhook_bodies\":%lld}",
               (long long)p->raw_tables, (long long)p->accounts, (long long)p->contacts,
               (long long)p->tickets, (long long)p->deals, (long long)p->synced_records,
               (long long)p->stream_state, (long long)p->runs, (long long)p->webhook_bodies);
}
