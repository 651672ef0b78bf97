/* store/integration.c - integrations and their sealed credentials, as
 * store/integration.h promises. The credentials row of an integration keeps
 * its id for as long as the integration has secrets: the seal's associated
 * data names that id (store/sealed.h), and `inlet keys rotate` re-seals
 * each row under its own id, so replacing the secrets updates the row in
 * place rather than inserting a new one. Lists read their page into memory
 * before calling back, so a callback may use the connection. An
 * integration's tags are rows of integration_tags, read with it as one
 * space-separated string (a tag holds no space) that row_copy turns into a
 * sorted JSON array: the engines aggregate with functions of different
 * names and order text by their own collations, so the sorting is ours. */
#include "store/integration.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/jsonx.h"
#include "core/str.h"
#include "core/time.h"
#include "store/credential.h"
#include "store/sealed.h"

/* The columns row_copy() reads, in its order: the integration, the names
 * of its secrets (NULL when it has none), its end user and its tags joined
 * by spaces (NULL when none), aggregated by AGG: PostgreSQL's string_agg,
 * SQLite's group_concat. */
#define SELECT_INTEGRATION_BY(AGG)                                                                 \
    "SELECT i.id, i.tenant_id, i.connector_id, i.name, i.config, i.status, i.status_reason,"       \
    " i.schedule, i.next_run_at, c.secret_names, i.created_at, i.updated_at, i.connection,"        \
    " i.end_user_id, i.end_user_email, i.end_user_name,"                                           \
    " (SELECT " AGG "(t.tag, ' ') FROM integration_tags t"                                         \
    "  WHERE t.tenant_id = i.tenant_id AND t.integration_id = i.id)"                               \
    " FROM integrations i LEFT JOIN credentials c"                                                 \
    " ON c.tenant_id = i.tenant_id AND c.integration_id = i.id"
#define SELECT_INTEGRATION_PG     SELECT_INTEGRATION_BY("string_agg")
#define SELECT_INTEGRATION_SQLITE SELECT_INTEGRATION_BY("group_concat")

/* The characters of a tag besides letters and digits. */
#define TAG_PUNCT "_.:/-"

static const char *const statuses[] = {
    "draft", "active", "paused", "error", "needs_reauth", "disconnected", NULL,
};

static const char *const kinds[] = {"oauth2", "api_key", "basic", NULL};

static bool one_of(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(s, *list) == 0)
            return true;
    return false;
}

/* The registry entry of credentials.sealed, whose associated data
 * sealed_rotate rebuilds from the row's id. */
static const struct sealed_column *cred_column(void)
{
    for (size_t i = 0; i < sealed_columns_count; i++)
        if (strcmp(sealed_columns[i].table, "credentials") == 0)
            return &sealed_columns[i];
    assert(!"store/sealed.c lists no credentials column");
    return NULL;
}

static int not_found(struct err *err, const char *id)
{
    /* Quote only what is known to be an id: the text comes from a URL. */
    if (!id_valid(id, "int"))
        return err_set(err, ERR_NOTFOUND, "no such integration");
    return err_set(err, ERR_NOTFOUND, "no integration %s", id);
}

/* Whether s[i] starts a control character: C0, DEL, or C1 (U+0080..U+009F,
 * which UTF-8 spells C2 80..C2 9F); s is valid UTF-8, so a C2 has a byte
 * after it. */
static bool control_at(const char *s, size_t i)
{
    unsigned char c = (unsigned char)s[i];
    return c < 0x20 || c == 0x7f || (c == 0xc2 && (unsigned char)s[i + 1] < 0xa0);
}

/* s must be 1..max bytes of UTF-8 without control characters; messages
 * are led by what ("name: "), which may be "". */
static int text_check(const char *s, size_t max, const char *what, struct err *err)
{
    size_t n = strlen(s), bad;
    if (n == 0)
        return err_set(err, ERR_INVALID, "%smust not be empty", what);
    if (n > max)
        return err_set(err, ERR_INVALID, "%s%zu bytes, at most %zu", what, n, max);
    if (!str_utf8_valid(s, n, &bad))
        return err_set(err, ERR_INVALID, "%sinvalid UTF-8 at byte %zu", what, bad);
    for (size_t i = 0; i < n; i++)
        if (control_at(s, i))
            return err_set(err, ERR_INVALID, "%scontrol character at byte %zu", what, i);
    return 0;
}

int integration_name_check(const char *name, struct err *err)
{
    return text_check(name, INTEGRATION_NAME_MAX, "name: ", err);
}

int integration_end_user_id_check(const char *id, struct err *err)
{
    return text_check(id, INTEGRATION_END_USER_ID_MAX, "", err);
}

int integration_display_name_check(const char *name, struct err *err)
{
    return text_check(name, INTEGRATION_END_USER_NAME_MAX, "", err);
}

/* Light on purpose: what makes an address deliverable is for the host to
 * know; this only keeps out what cannot be one (no '@', two, spaces). */
int integration_email_check(const char *email, struct err *err)
{
    int rc = text_check(email, INTEGRATION_END_USER_EMAIL_MAX, "", err);
    if (rc < 0)
        return rc;
    const char *at = strchr(email, '@');
    for (size_t i = 0; email[i]; i++)
        if (email[i] == ' ')
            return err_set(err, ERR_INVALID, "space at byte %zu; expected an email address", i);
    if (!at || at == email || !at[1] || strchr(at + 1, '@'))
        return err_set(err, ERR_INVALID, "expected an email address (one '@' between two parts)");
    return 0;
}

int integration_tag_check(const char *tag, struct err *err)
{
    size_t n = strlen(tag);
    if (n == 0)
        return err_set(err, ERR_INVALID, "must not be empty");
    if (n > INTEGRATION_TAG_MAX)
        return err_set(err, ERR_INVALID, "%zu bytes, at most %d", n, INTEGRATION_TAG_MAX);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)tag[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  (c && strchr(TAG_PUNCT, c));
        if (!ok)
            return err_set(err, ERR_INVALID,
                           "byte %zu is not allowed; a tag is letters, digits and " TAG_PUNCT, i);
    }
    return 0;
}

static int by_bytes(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

size_t integration_tags_sort(const char **tags, size_t n)
{
    size_t k = 0;
    if (n == 0)
        return 0;
    qsort(tags, n, sizeof(*tags), by_bytes);
    for (size_t i = 1; i < n; i++)
        if (strcmp(tags[i], tags[k]) != 0)
            tags[++k] = tags[i];
    return k + 1;
}

/* Lead err's message with the pointer ptr. */
static int at_pointer(struct err *err, const char *ptr, int rc)
{
    char msg[sizeof(err->msg)];
    memcpy(msg, err->msg, sizeof(msg));
    return err_set(err, rc, "%s: %s", ptr, msg);
}

int integration_labels_check(const struct integration_end_user *u,
                             const struct integration_tags *tags, struct err *err)
{
    int rc;
    if (u) {
        if (!u->id)
            return err_set(err, ERR_INVALID, "/end_user/id: is required");
        if ((rc = integration_end_user_id_check(u->id, err)) < 0)
            return at_pointer(err, "/end_user/id", rc);
        if (u->email && (rc = integration_email_check(u->email, err)) < 0)
            return at_pointer(err, "/end_user/email", rc);
        if (u->display_name && (rc = integration_display_name_check(u->display_name, err)) < 0)
            return at_pointer(err, "/end_user/display_name", rc);
    }
    if (!tags || tags->n == 0)
        return 0;
    for (size_t i = 0; i < tags->n; i++) {
        if ((rc = integration_tag_check(tags->v[i], err)) < 0) {
            char ptr[32];
            snprintf(ptr, sizeof(ptr), "/tags/%zu", i);
            return at_pointer(err, ptr, rc);
        }
    }
    const char **set = xcalloc(tags->n, sizeof(*set));
    memcpy(set, tags->v, tags->n * sizeof(*set));
    size_t distinct = integration_tags_sort(set, tags->n);
    xfree(set);
    if (distinct > INTEGRATION_TAGS_MAX)
        return err_set(err, ERR_INVALID, "/tags: %zu distinct tags, at most %d", distinct,
                       INTEGRATION_TAGS_MAX);
    return 0;
}

static int name_taken(struct err *err, const char *name)
{
    return err_set(err, ERR_CONFLICT, "name: an integration named \"%s\" exists already", name);
}

static int config_check(const char *config, struct err *err)
{
    size_t n = strlen(config);
    if (n > INTEGRATION_CONFIG_MAX)
        return err_set(err, ERR_TOOBIG, "config: %zu bytes, at most %d", n, INTEGRATION_CONFIG_MAX);
    return 0;
}

static int status_check(const char *status, struct err *err)
{
    if (!one_of(status, statuses))
        return err_set(err, ERR_INVALID,
                       "status: expected draft, active, paused, error, "
                       "needs_reauth or disconnected");
    return 0;
}

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

/* Copy an id column; ids are ours (core/id), so they always fit. */
static void id_copy(char out[ID_MAX], const char *s)
{
    size_t n = s ? strlen(s) : 0;
    assert(n < ID_MAX);
    memcpy(out, s ? s : "", n + 1);
}

/* JSON text as jsonx writes it. PostgreSQL gives JSONB back spelled its
 * own way (spaces after ':' and ','), and answers must not differ by
 * engine; SQLite gives back what was stored, written by jsonx already. */
static char *json_dup(const char *s, bool respell)
{
    struct json_object *v = NULL;
    struct err e;
    size_t n = strlen(s);
    if (!respell || jsonx_parse(&v, s, n, n, &e) < 0)
        return xstrdup(s);
    struct buf b;
    buf_init(&b, 0);
    jsonx_format(&b, v);
    json_object_put(v);
    return buf_take(&b);
}

static bool is_pg(struct db *db)
{
    return strcmp(db_engine(db), "postgres") == 0;
}

/* The tags as the database joined them (space-separated, any order; NULL:
 * none) into a JSON array text sorted bytewise (xfree). */
static char *tags_json(const char *joined)
{
    struct buf b;
    buf_init(&b, 0);
    buf_putc(&b, '[');
    if (joined && *joined) {
        char *copy = xstrdup(joined);
        size_t n = 1;
        for (const char *p = copy; *p; p++)
            n += *p == ' ';
        const char **v = xcalloc(n, sizeof(*v));
        size_t k = 0;
        for (char *p = copy, *sp; p; p = sp ? sp + 1 : NULL) {
            if ((sp = strchr(p, ' ')))
                *sp = '\0';
            v[k++] = p;
        }
        k = integration_tags_sort(v, k);
        for (size_t i = 0; i < k; i++) {
            buf_puts(&b, i ? "," : "");
            buf_put_json_str(&b, v[i]);
        }
        xfree(v);
        xfree(copy);
    }
    buf_putc(&b, ']');
    return buf_take(&b);
}

/* Copy the current row of a SELECT_INTEGRATION_* query into *it. */
static void row_copy(struct integration *it, struct db_rows *rows, bool respell)
{
    const char *names = db_rows_text(rows, 9);
    memset(it, 0, sizeof(*it));
    id_copy(it->id, db_rows_text(rows, 0));
    id_copy(it->tenant_id, db_rows_text(rows, 1));
    it->connector = xstrdup(db_rows_text(rows, 2));
    it->name = xstrdup(db_rows_text(rows, 3));
    it->config = json_dup(db_rows_text(rows, 4), respell);
    it->status = xstrdup(db_rows_text(rows, 5));
    it->status_reason = dup_or_null(db_rows_text(rows, 6));
    it->schedule = dup_or_null(db_rows_text(rows, 7));
    it->next_run_at = db_rows_int(rows, 8);
    it->secret_names = json_dup(names ? names : "[]", respell);
    it->created_at = db_rows_int(rows, 10);
    it->updated_at = db_rows_int(rows, 11);
    it->connection = json_dup(db_rows_text(rows, 12) ? db_rows_text(rows, 12) : "{}", respell);
    it->end_user_id = dup_or_null(db_rows_text(rows, 13));
    it->end_user_email = dup_or_null(db_rows_text(rows, 14));
    it->end_user_name = dup_or_null(db_rows_text(rows, 15));
    it->tags = tags_json(db_rows_text(rows, 16));
}

/* Read the live integration id of tenant_id into *out. */
static int load(struct integration *out, struct db *db, const char *tenant_id, const char *id,
                struct err *err)
{
    struct db_rows *rows = NULL;
    if (!id_valid(id, "int"))
        return not_found(err, id);
#define LOAD_WHERE " WHERE i.tenant_id = $1 AND i.id = $2 AND i.deleted_at IS NULL"
    int rc = db_query_row(&rows, db,
                          is_pg(db) ? SELECT_INTEGRATION_PG LOAD_WHERE
                                    : SELECT_INTEGRATION_SQLITE LOAD_WHERE,
                          DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(id)), err);
#undef LOAD_WHERE
    if (rc == ERR_NOTFOUND)
        return not_found(err, id);
    if (rc < 0)
        return rc;
    row_copy(out, rows, is_pg(db));
    db_rows_free(rows);
    return 0;
}

void integration_dispose(struct integration *it)
{
    /* id and tenant_id are not heap memory and stay readable, so that a
     * caller may dispose a row and still pass its id on. */
    xfree(it->connector);
    xfree(it->name);
    xfree(it->config);
    xfree(it->status);
    xfree(it->status_reason);
    xfree(it->schedule);
    xfree(it->secret_names);
    xfree(it->connection);
    xfree(it->end_user_id);
    xfree(it->end_user_email);
    xfree(it->end_user_name);
    xfree(it->tags);
    it->connector = it->name = it->config = it->status = NULL;
    it->status_reason = it->schedule = it->secret_names = it->connection = NULL;
    it->end_user_id = it->end_user_email = it->end_user_name = it->tags = NULL;
}

/* Replace the integration's tags with the set t. */
static int tags_write(struct db *db, const char *tenant_id, const char *id,
                      const struct integration_tags *t, struct err *err)
{
    int rc =
        db_exec(db, "DELETE FROM integration_tags WHERE tenant_id = $1 AND integration_id = $2",
                DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(id)), NULL, err);
    /* A repeat is the row there already: the set merges it. */
    for (size_t i = 0; rc == 0 && i < t->n; i++)
        rc = db_exec(db,
                     "INSERT INTO integration_tags (tenant_id, integration_id, tag)"
                     " VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                     DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(id), DB_TEXT(t->v[i])), NULL, err);
    return rc;
}

int integration_create(struct integration *out, struct db *db, const char *tenant_id,
                       const char *connector, const char *name, const char *config, int64_t now,
                       struct err *err)
{
    const struct integration_new nw = {.connector = connector, .name = name, .config = config};
    return integration_create_with(out, db, tenant_id, &nw, now, err);
}

int integration_create_with(struct integration *out, struct db *db, const char *tenant_id,
                            const struct integration_new *nw, int64_t now, struct err *err)
{
    const struct integration_end_user *u = nw->end_user;
    const char *config = nw->config ? nw->config : "{}";
    char id[ID_MAX];
    int rc;

    assert(tenant_id && nw->connector && nw->name);
    if (!*nw->connector)
        return err_set(err, ERR_INVALID, "connector: must not be empty");
    if ((rc = integration_name_check(nw->name, err)) < 0 || (rc = config_check(config, err)) < 0 ||
        (rc = integration_labels_check(u, nw->tags, err)) < 0)
        return rc;
    id_new(id, "int");
    rc = db_exec(db,
                 "INSERT INTO integrations (id, tenant_id, connector_id, name, config, status,"
                 " created_at, updated_at, end_user_id, end_user_email, end_user_name)"
                 " VALUES ($1, $2, $3, $4, $5, 'draft', $6, $6, $7, $8, $9)",
                 DB_ARGS(DB_TEXT(id), DB_TEXT(tenant_id), DB_TEXT(nw->connector), DB_TEXT(nw->name),
                         DB_TEXT(config), DB_INT(now), DB_TEXT(u ? u->id : NULL),
                         DB_TEXT(u ? u->email : NULL), DB_TEXT(u ? u->display_name : NULL)),
                 NULL, err);
    if (rc == ERR_CONFLICT)
        return name_taken(err, nw->name);
    if (rc == 0 && nw->tags && nw->tags->n)
        rc = tags_write(db, tenant_id, id, nw->tags, err);
    if (rc < 0)
        return rc;
    /* Read back what was stored (PostgreSQL normalizes the JSON). */
    return load(out, db, tenant_id, id, err);
}

int integration_get(struct integration *out, struct db *db, const char *tenant_id, const char *id,
                    struct err *err)
{
    return load(out, db, tenant_id, id, err);
}

int integration_catalog_get(char **json, struct db *db, const char *tenant_id, const char *id,
                            struct err *err)
{
    struct db_rows *r = NULL;
    *json = NULL;
    if (!id_valid(id, "int"))
        return not_found(err, id);
    int rc = db_query_row(&r, db,
                          "SELECT catalog FROM integrations WHERE tenant_id = $1 AND id = $2"
                          " AND deleted_at IS NULL",
                          DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(id)), err);
    if (rc == ERR_NOTFOUND)
        return not_found(err, id);
    if (rc < 0)
        return rc;
    *json = db_rows_text(r, 0) ? xstrdup(db_rows_text(r, 0)) : NULL;
    db_rows_free(r);
    return 0;
}

int integration_catalog_set(struct db *db, const char *tenant_id, const char *id, const char *json,
                            int64_t now, struct err *err)
{
    int64_t changes = 0;
    if (!id_valid(id, "int"))
        return not_found(err, id);
    int rc = db_exec(db,
                     "UPDATE integrations SET catalog = $3, updated_at = $4 WHERE tenant_id = $1"
                     " AND id = $2 AND deleted_at IS NULL",
                     DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(id), DB_TEXT(json), DB_INT(now)), &changes,
                     err);
    if (rc == 0 && changes == 0)
        rc = not_found(err, id);
    return rc;
}

int integration_update(struct integration *out, struct db *db, const char *tenant_id,
                       const char *id, const struct integration_change *ch, int64_t now,
                       struct err *err)
{
    struct integration cur = {0};
    char iid[ID_MAX];
    int rc;

    assert(!(ch->end_user && ch->end_user_clear));
    if ((ch->name && (rc = integration_name_check(ch->name, err)) < 0) ||
        (ch->config && (rc = config_check(ch->config, err)) < 0) ||
        (ch->connection && (rc = config_check(ch->connection, err)) < 0) ||
        (ch->status && (rc = status_check(ch->status, err)) < 0) ||
        (rc = integration_labels_check(ch->end_user, ch->tags, err)) < 0)
        return rc;
    if (!id_valid(id, "int"))
        return not_found(err, id);
    memcpy(iid, id, strlen(id) + 1); /* id may point into *out, which is rewritten below */
    if ((rc = load(&cur, db, tenant_id, iid, err)) < 0)
        return rc;
    const char *name = ch->name ? ch->name : cur.name;
    /* The end user changes as a whole: the three members of the new one,
     * none when cleared, else the stored ones. */
    struct integration_end_user keep = {cur.end_user_id, cur.end_user_email, cur.end_user_name};
    const struct integration_end_user none = {0};
    const struct integration_end_user *u = ch->end_user_clear ? &none
                                           : ch->end_user     ? ch->end_user
                                                              : &keep;
    rc = db_exec(db,
                 "UPDATE integrations SET name = $3, config = $4, status = $5, status_reason = $6,"
                 " updated_at = $7, connection = $8, end_user_id = $9, end_user_email = $10,"
                 " end_user_name = $11"
                 " WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL",
                 DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(iid), DB_TEXT(name),
                         DB_TEXT(ch->config ? ch->config : cur.config),
                         DB_TEXT(ch->status ? ch->status : cur.status),
                         DB_TEXT(ch->status ? ch->status_reason : cur.status_reason), DB_INT(now),
                         DB_TEXT(ch->connection ? ch->connection : cur.connection), DB_TEXT(u->id),
                         DB_TEXT(u->email), DB_TEXT(u->display_name)),
                 NULL, err);
    if (rc == ERR_CONFLICT)
        rc = name_taken(err, name);
    if (rc == 0 && ch->tags)
        rc = tags_write(db, tenant_id, iid, ch->tags, err);
    integration_dispose(&cur);
    if (rc == 0 && out)
        rc = load(out, db, tenant_id, iid, err);
    return rc;
}

/* Check the filter's end user and tags; messages as integration_list's. */
static int filter_labels_check(const struct integration_filter *f, struct err *err)
{
    int rc;
    if (f->end_user_id && (rc = integration_end_user_id_check(f->end_user_id, err)) < 0)
        return at_pointer(err, "end_user_id", rc);
    if (f->ntags > INTEGRATION_FILTER_TAGS_MAX)
        return err_set(err, ERR_INVALID, "tag: at most %d", INTEGRATION_FILTER_TAGS_MAX);
    for (size_t i = 0; i < f->ntags; i++)
        if ((rc = integration_tag_check(f->tags[i], err)) < 0)
            return at_pointer(err, "tag", rc);
    return 0;
}

int integration_list(bool *more, struct db *db, const char *tenant_id,
                     const struct integration_filter *f, integration_list_fn fn, void *ctx,
                     struct err *err)
{
    struct db_rows *rows = NULL;
    struct integration *page;
    struct db_val args[8 + INTEGRATION_FILTER_TAGS_MAX]; /* six, end user, id, tags */
    struct buf sql;
    size_t n = 0, nargs = 6;
    int rc;

    *more = false;
    if (f->limit < 1 || f->limit > INTEGRATION_LIST_MAX)
        return err_set(err, ERR_INVALID, "limit: must be 1..%d", INTEGRATION_LIST_MAX);
    if (f->status && (rc = status_check(f->status, err)) < 0)
        return rc;
    if (f->q && strlen(f->q) > INTEGRATION_NAME_MAX)
        return err_set(err, ERR_INVALID, "q: at most %d bytes", INTEGRATION_NAME_MAX);
    if ((rc = filter_labels_check(f, err)) < 0)
        return rc;
    char pattern[2 * INTEGRATION_NAME_MAX + 3];
    if (f->q && *f->q)
        str_like_pattern(pattern, f->q, true);
    /* One row past the page says whether there is another page. lower()
     * on both sides: each engine folds case its own way, but the same way
     * for the pattern as for the name. The end user and each tag add a
     * condition only when asked for, each an index probe
     * (integrations_end_user_idx, integration_tags_tag_idx). */
    buf_init(&sql, 0);
    buf_puts(&sql, is_pg(db) ? SELECT_INTEGRATION_PG : SELECT_INTEGRATION_SQLITE);
    buf_puts(&sql, " WHERE i.tenant_id = $1 AND i.deleted_at IS NULL"
                   " AND i.id > $2"
                   " AND (CAST($3 AS TEXT) IS NULL OR i.status = $3)"
                   " AND (CAST($4 AS TEXT) IS NULL OR i.connector_id = $4)"
                   " AND (CAST($6 AS TEXT) IS NULL OR"
                   " lower(i.name) LIKE lower($6) ESCAPE '!')");
    args[0] = DB_TEXT(tenant_id);
    args[1] = DB_TEXT(f->after ? f->after : "");
    args[2] = DB_TEXT(f->status);
    args[3] = DB_TEXT(f->connector);
    args[4] = DB_INT(f->limit + 1);
    args[5] = DB_TEXT(f->q && *f->q ? pattern : NULL);
    if (f->end_user_id) {
        args[nargs++] = DB_TEXT(f->end_user_id);
        buf_printf(&sql, " AND i.end_user_id = $%zu", nargs);
    }
    for (size_t i = 0; i < f->ntags; i++) {
        args[nargs++] = DB_TEXT(f->tags[i]);
        buf_printf(&sql,
                   " AND i.id IN (SELECT t.integration_id FROM integration_tags t"
                   " WHERE t.tenant_id = $1 AND t.tag = $%zu)",
                   nargs);
    }
    if (f->id) {
        args[nargs++] = DB_TEXT(f->id);
        buf_printf(&sql, " AND i.id = $%zu", nargs);
    }
    buf_puts(&sql, " ORDER BY i.id LIMIT $5");
    rc = db_query(&rows, db, buf_cstr(&sql), args, nargs, err);
    buf_dispose(&sql);
    if (rc < 0)
        return rc;
    page = xcalloc((size_t)f->limit, sizeof(*page));
    while ((rc = db_rows_next(rows, err)) == 1) {
        if (n == (size_t)f->limit) {
            *more = true;
            break;
        }
        row_copy(&page[n++], rows, is_pg(db));
    }
    db_rows_free(rows);
    if (rc == 1) /* stopped at the extra row */
        rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = fn(ctx, &page[i]);
    for (size_t i = 0; i < n; i++)
        integration_dispose(&page[i]);
    xfree(page);
    return rc;
}

int integration_end_user_ids(char (**ids)[ID_MAX], size_t *n, struct db *db, const char *tenant_id,
                             const char *end_user_id, bool deleted_too, struct err *err)
{
    struct db_rows *rows = NULL;
    char(*v)[ID_MAX] = NULL;
    size_t k = 0, cap = 0;
    struct err why;

    *ids = NULL;
    *n = 0;
    if (integration_end_user_id_check(end_user_id, &why) < 0)
        return 0; /* no integration has such an end user */
    int rc = db_query(&rows, db,
                      "SELECT id FROM integrations WHERE tenant_id = $1 AND end_user_id = $2"
                      " AND ($3 = 1 OR deleted_at IS NULL) ORDER BY id",
                      DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(end_user_id), DB_INT(deleted_too)), err);
    if (rc < 0)
        return rc;
    while ((rc = db_rows_next(rows, err)) == 1) {
        if (k == cap) {
            cap = cap ? 2 * cap : 8;
            v = xrealloc(v, cap * sizeof(*v));
        }
        id_copy(v[k++], db_rows_text(rows, 0));
    }
    db_rows_free(rows);
    if (rc < 0) {
        xfree(v);
        return rc;
    }
    *ids = v;
    *n = k;
    return 0;
}

int integration_count_by_connector(struct db *db, const char *tenant_id, integration_count_fn fn,
                                   void *ctx, struct err *err)
{
    struct db_rows *rows = NULL;
    int rc = db_query(&rows, db,
                      "SELECT connector_id, count(*) FROM integrations WHERE tenant_id = $1"
                      " AND deleted_at IS NULL GROUP BY connector_id ORDER BY connector_id",
                      DB_ARGS(DB_TEXT(tenant_id)), err);
    if (rc < 0)
        return rc;
    /* A handful of rows (one per connector): fn runs with them open, and
     * must not use the connection. */
    while ((rc = db_rows_next(rows, err)) == 1)
        if ((rc = fn(ctx, db_rows_text(rows, 0), db_rows_int(rows, 1))) != 0)
            break;
    db_rows_free(rows);
    return rc;
}

/* names must be a JSON array of strings. */
static int names_check(const char *names, struct err *err)
{
    struct json_object *doc = NULL;
    struct err why;
    bool ok = jsonx_parse(&doc, names, strlen(names), INTEGRATION_CONFIG_MAX, &why) == 0 &&
              json_object_is_type(doc, json_type_array);
    for (size_t i = 0; ok && i < jsonx_len(doc); i++)
        ok = json_object_is_type(jsonx_at(doc, i), json_type_string);
    json_object_put(doc);
    return ok ? 0 : err_set(err, ERR_INVALID, "secret names: expected a JSON array of strings");
}

/* Write one sealed value into the integration's credentials row: update the
 * row it has, keeping its id, or insert one. *changes (OUT) is 0 when
 * another writer added or removed the row meanwhile. */
static int cred_write(int64_t *changes, struct db *db, const struct vault *v, const char *tenant_id,
                      const char *id, const char *kind, const struct secret *plaintext,
                      const char *names, int64_t expires_at, int64_t now, struct err *err)
{
    const struct sealed_column *col = cred_column();
    struct db_rows *rows = NULL;
    unsigned char *blob = NULL;
    char cid[ID_MAX];
    size_t n = 0;
    bool fresh = false;

    int rc = db_query_row(&rows, db,
                          "SELECT id FROM credentials WHERE tenant_id = $1 AND integration_id = $2",
                          DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(id)), err);
    if (rc == 0) {
        id_copy(cid, db_rows_text(rows, 0));
        db_rows_free(rows);
    } else if (rc == ERR_NOTFOUND) {
        id_new(cid, "cred");
        fresh = true;
    } else {
        return rc;
    }
    rc = sealed_seal(&blob, &n, v, col, tenant_id, cid, plaintext->p, plaintext->n, err);
    if (rc < 0)
        return rc;
    struct db_val exp = expires_at ? DB_INT(expires_at) : DB_NULL;
    if (fresh)
        rc = db_exec(db,
                     "INSERT INTO credentials (id, tenant_id, integration_id, kind, sealed, key_id,"
                     " expires_at, secret_names, created_at, updated_at)"
                     " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)"
                     " ON CONFLICT (tenant_id, integration_id) DO NOTHING",
                     DB_ARGS(DB_TEXT(cid), DB_TEXT(tenant_id), DB_TEXT(id), DB_TEXT(kind),
                             DB_BLOB(blob, n), DB_TEXT(vault_active_id(v)), exp, DB_TEXT(names),
                             DB_INT(now)),
                     changes, err);
    else
        rc = db_exec(db,
                     "UPDATE credentials SET kind = $4, sealed = $5, key_id = $6, expires_at = $7,"
                     " secret_names = $8, updated_at = $9"
                     " WHERE tenant_id = $2 AND id = $1 AND integration_id = $3",
                     DB_ARGS(DB_TEXT(cid), DB_TEXT(tenant_id), DB_TEXT(id), DB_TEXT(kind),
                             DB_BLOB(blob, n), DB_TEXT(vault_active_id(v)), exp, DB_TEXT(names),
                             DB_INT(now)),
                     changes, err);
    xfree(blob);
    return rc;
}

int integration_secrets_set(struct db *db, const struct vault *v, const char *tenant_id,
                            const char *id, const char *kind, const struct secret *plaintext,
                            const char *names_json, int64_t expires_at, int64_t now,
                            struct err *err)
{
    int64_t changes = 0;
    int rc;

    if (!one_of(kind, kinds))
        return err_set(err, ERR_INVALID, "kind: expected oauth2, api_key or basic");
    if (!names_json)
        names_json = "[]";
    if ((rc = names_check(names_json, err)) < 0)
        return rc;
    if (!id_valid(id, "int"))
        return not_found(err, id);
    /* Touching the integration first both checks that it is live and, on
     * PostgreSQL, locks its row, which serializes writers of its secrets. */
    rc = db_exec(db,
                 "UPDATE integrations SET updated_at = $3"
                 " WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL",
                 DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(id), DB_INT(now)), &changes, err);
    if (rc < 0)
        return rc;
    if (changes == 0)
        return not_found(err, id);
    /* With the row locked no other writer can get in between; the second
     * try is for a writer that does not lock it (direct SQL, an old build). */
    for (int attempt = 0; attempt < 2; attempt++) {
        rc = cred_write(&changes, db, v, tenant_id, id, kind, plaintext, names_json, expires_at,
                        now, err);
        if (rc < 0)
            return rc;
        /* New tokens: the upkeep's next time counts from them (or there is
         * none: no refresh token, or not OAuth). */
        if (changes == 1)
            return credential_refresh_plan(db, tenant_id, id, now, err);
    }
    return err_set(err, ERR_AGAIN, "credentials: changed by another writer meanwhile; try again");
}

int integration_secrets_open(struct secret *out, struct db *db, const struct vault *v,
                             const char *tenant_id, const char *id, struct err *err)
{
    struct db_rows *rows = NULL;
    size_t n = 0;

    if (!id_valid(id, "int"))
        return not_found(err, id);
    int rc = db_query_row(&rows, db,
                          "SELECT c.id, c.sealed FROM integrations i LEFT JOIN credentials c"
                          " ON c.tenant_id = i.tenant_id AND c.integration_id = i.id"
                          " WHERE i.tenant_id = $1 AND i.id = $2 AND i.deleted_at IS NULL",
                          DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(id)), err);
    if (rc == ERR_NOTFOUND)
        return not_found(err, id);
    if (rc < 0)
        return rc;
    const char *cid = db_rows_text(rows, 0);
    const void *blob = db_rows_blob(rows, 1, &n);
    if (!cid || !blob)
        rc = err_set(err, ERR_NOTFOUND, "integration %s has no secrets", id);
    else
        rc = sealed_open(out, v, cred_column(), tenant_id, cid, blob, n, err);
    db_rows_free(rows);
    return rc;
}

int integration_delete(struct db *db, const char *tenant_id, const char *id, bool purge,
                       int64_t now, struct err *err)
{
    int64_t changes = 0;
    int rc;

    if (!id_valid(id, "int"))
        return not_found(err, id);
    if (purge) {
        /* The foreign keys cascade to credentials, runs, state, mappings and
         * normalized rows; consents and notifications keep their rows with
         * integration_id cleared (PostgreSQL: ON DELETE SET NULL (col);
         * SQLite: the integrations_unlink trigger). */
        rc = db_exec(db, "DELETE FROM integrations WHERE tenant_id = $1 AND id = $2",
                     DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(id)), &changes, err);
        if (rc == 0 && changes == 0)
            rc = not_found(err, id);
        return rc;
    }
    /* Off the schedule (status and next_run_at) and out of every query of
     * this module; the name is free again (the unique index is partial). */
    rc = db_exec(db,
                 "UPDATE integrations SET deleted_at = $3, status = 'disconnected',"
                 " status_reason = NULL, next_run_at = NULL, updated_at = $3"
                 " WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL",
                 DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(id), DB_INT(now)), &changes, err);
    if (rc == 0 && changes == 0)
        rc = not_found(err, id);
    if (rc == 0)
        rc = db_exec(db, "DELETE FROM credentials WHERE tenant_id = $1 AND integration_id = $2",
                     DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(id)), NULL, err);
    return rc;
}

/* Unix seconds as an RFC 3339 string; null for 0 (never set) and for what
 * no RFC 3339 text can spell. */
static void put_time(struct buf *b, int64_t sec)
{
    char t[TIME_RFC3339_MAX];
    if (sec == 0 || sec < TIME_MIN_MS / 1000 || sec > TIME_MAX_MS / 1000) {
        buf_puts(b, "null");
        return;
    }
    time_format_rfc3339_sec(t, sec * 1000);
    buf_put_json_str(b, t);
}

void integration_format(const struct integration *it, struct buf *b)
{
    buf_puts(b, "{\"id\":");
    buf_put_json_str(b, it->id);
    buf_puts(b, ",\"connector\":");
    buf_put_json_str(b, it->connector);
    buf_puts(b, ",\"name\":");
    buf_put_json_str(b, it->name);
    /* Stored as validated JSON text: embedded as it is. */
    buf_puts(b, ",\"config\":");
    buf_puts(b, it->config && *it->config ? it->config : "{}");
    buf_puts(b, ",\"status\":");
    buf_put_json_str(b, it->status);
    buf_puts(b, ",\"status_reason\":");
    buf_put_json_str(b, it->status_reason);
    /* Stored canonical by sched/schedule.c: a JSON object, embedded. */
    buf_puts(b, ",\"schedule\":");
    if (it->schedule && it->schedule[0] == '{')
        buf_puts(b, it->schedule);
    else
        buf_put_json_str(b, it->schedule);
    buf_puts(b, ",\"next_run_at\":");
    put_time(b, it->next_run_at);
    buf_puts(b, ",\"connection\":");
    buf_puts(b, it->connection && *it->connection ? it->connection : "{}");
    buf_puts(b, ",\"secrets_set\":");
    buf_puts(b, it->secret_names && *it->secret_names ? it->secret_names : "[]");
    buf_puts(b, ",\"end_user\":");
    if (it->end_user_id) {
        buf_puts(b, "{\"id\":");
        buf_put_json_str(b, it->end_user_id);
        buf_puts(b, ",\"email\":");
        buf_put_json_str(b, it->end_user_email);
        buf_puts(b, ",\"display_name\":");
        buf_put_json_str(b, it->end_user_name);
        buf_putc(b, '}');
    } else {
        buf_puts(b, "null");
    }
    /* Built by tags_json: a JSON array of checked tags, embedded. */
    buf_puts(b, ",\"tags\":");
    buf_puts(b, it->tags && *it->tags ? it->tags : "[]");
    buf_puts(b, ",\"created_at\":");
    put_time(b, it->created_at);
    buf_puts(b, ",\"updated_at\":");
    put_time(b, it->updated_at);
    buf_putc(b, '}');
}

int integration_run_by(struct db *db, const char *tenant_id, const char *id, int64_t at,
                       struct err *err)
{
    int64_t n = 0;
    int rc = db_exec(db,
                     "UPDATE integrations SET next_run_at = $3 WHERE tenant_id = $1 AND id = $2"
                     " AND deleted_at IS NULL AND (next_run_at IS NULL OR next_run_at > $3)",
                     DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(id), DB_INT(at)), &n, err);
    if (rc < 0)
        return rc;
    if (n == 0) { /* an earlier run is due already, or there is no such integration */
        struct integration it = {0};
        rc = integration_get(&it, db, tenant_id, id, err);
        integration_dispose(&it);
    }
    return rc;
}
