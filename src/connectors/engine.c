/* connectors/engine.c - one stream's sync through the declarative engine
 * (engine.h): choose the request (full, or incremental from the bookmark
 * less the lookback), then page by page shape the records (members
 * dropped, a nested object flattened, string numbers and booleans typed,
 * deletes marked), emit them with a STATE and let the caller commit.
 *
 * The bookmark only moves past what is safely stored: a stream read in
 * cursor order ("sorted") emits the largest cursor seen after every page,
 * since everything below it has been read; any other stream only at its
 * end. Values from after the query began (less a minute for the provider's
 * clock) never count: a record changed while a query pages shows its new
 * value at its old place in the order, ahead of records not read yet. The
 * request uses ">=" on the bookmark, so records at the boundary are read
 * again and the upsert absorbs them. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/linkhash.h>

#include "connectors/engine_int.h"
#include "connectors/urls.h"
#include "core/alloc.h"
#include "core/jsonx.h"
#include "core/str.h"
#include "core/time.h"
#include "http/retry.h"
#include "singer/catalog.h"

#define PAGE_BODY_MAX (64u << 20) /* bytes of one answer parsed as JSON */
/* How far a provider's clock may be behind ours: cursor values within this
 * of a query's start are read but do not move the bookmark. */
#define ENGINE_CLOCK_SKEW_MS 60000

enum coerce { CO_NONE, CO_NUMBER, CO_INTEGER, CO_BOOLEAN };

struct srun {
    const struct engine_env *env;
    const struct engine_io *io;
    struct engine_outcome *out;
    struct json_object *spec;   /* the file's stream description */
    struct json_object *inc;    /* its "incremental", or NULL */
    const char *name;           /* the stream's name in messages */
    struct json_object *schema; /* the selected fields' schema (owned) */
    struct json_object *keys;   /* key properties (owned), NULL for append modes */
    struct json_object *coerce; /* field -> enum coerce (owned) */
    struct buf fields;          /* {fields} */
    struct json_object *list;   /* {fields} as an array (owned) */
    const char *cursor;         /* the cursor field, NULL for full refresh */
    const char *flatten, *deleted_field;
    struct json_object *drop;
    bool sorted, overwrite;
    int64_t version;
    /* the bookmark: where this window started, and the largest cursor read */
    char *start_raw;
    int64_t start_ms;
    char *max_raw;
    int64_t max_ms;
    int64_t cap_ms; /* cursor values past this are not trusted for the bookmark */
};

static void srun_dispose(struct srun *r)
{
    json_object_put(r->schema);
    json_object_put(r->keys);
    json_object_put(r->coerce);
    json_object_put(r->list);
    buf_dispose(&r->fields);
    xfree(r->start_raw);
    xfree(r->max_raw);
}

static void note(const struct srun *r, const char *level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void note(const struct srun *r, const char *level, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    if (!r->io->note)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    r->io->note(r->io->ctx, level, msg);
}

/* ---- the catalog stream: fields, mode, schema ---- */

/* Field name's metadata in the stream's metadata array, or NULL. */
static struct json_object *field_meta(struct json_object *stream, const char *name)
{
    struct json_object *md = jsonx_get(stream, "metadata");
    for (size_t i = 0; i < jsonx_len(md); i++) {
        struct json_object *e = jsonx_at(md, i), *bc = jsonx_get(e, "breadcrumb");
        const char *field = jsonx_len(bc) == 2 ? jsonx_str(jsonx_at(bc, 1)) : NULL;
        if (field && strcmp(field, name) == 0)
            return jsonx_get(e, "metadata");
    }
    return NULL;
}

static bool field_selected(struct json_object *stream, const char *name)
{
    struct json_object *m = field_meta(stream, name);
    const char *inc = jsonx_str(jsonx_get(m, "inclusion"));
    if (inc && strcmp(inc, "automatic") == 0)
        return true;
    if (inc && strcmp(inc, "unsupported") == 0)
        return false;
    struct json_object *sel = jsonx_get(m, "selected");
    return !sel || json_object_get_boolean(sel);
}

static enum coerce coerce_of(struct json_object *prop)
{
    struct json_object *t = jsonx_get(prop, "type");
    bool str = false, num = false, integer = false, boolean = false;
    for (size_t i = 0; i < (json_object_is_type(t, json_type_array) ? jsonx_len(t) : 1); i++) {
        const char *s =
            json_object_is_type(t, json_type_array) ? jsonx_str(jsonx_at(t, i)) : jsonx_str(t);
        str |= s && strcmp(s, "string") == 0;
        num |= s && strcmp(s, "number") == 0;
        integer |= s && strcmp(s, "integer") == 0;
        boolean |= s && strcmp(s, "boolean") == 0;
    }
    if (str)
        return CO_NONE;
    return num ? CO_NUMBER : integer ? CO_INTEGER : boolean ? CO_BOOLEAN : CO_NONE;
}

/* The stream's sync mode (singer/catalog.h keeps the user's choice). */
static void mode_of(struct json_object *stream, bool *incremental, bool *overwrite, bool *append)
{
    enum catalog_sync_mode m = catalog_stream_sync_mode(stream);
    *incremental =
        m == CATALOG_SYNC_INCREMENTAL_APPEND || m == CATALOG_SYNC_INCREMENTAL_APPEND_DEDUPED;
    *append = catalog_sync_mode_appends(m);
    *overwrite = m == CATALOG_SYNC_FULL_REFRESH_OVERWRITE;
}

/* Schema, key properties, {fields} and the coercions from the catalog
 * stream; fields of the file's static schema are not asked for by name
 * (the provider always sends them: HubSpot's id, createdAt, ...). */
static int plan(struct srun *r, struct json_object *stream, bool full, struct err *err)
{
    struct json_object *all = jsonx_get(jsonx_get(stream, "schema"), "properties");
    struct json_object *fixed = jsonx_get(jsonx_get(r->spec, "schema"), "properties");
    struct json_object *props = json_object_new_object();
    bool incremental, overwrite, append;

    r->schema = json_object_new_object();
    json_object_object_add(r->schema, "type", json_object_new_string("object"));
    json_object_object_add(r->schema, "properties", props);
    r->coerce = json_object_new_object();
    r->list = json_object_new_array();
    buf_init(&r->fields, 0);
    if (!json_object_is_type(all, json_type_object))
        return err_set(err, ERR_INVALID, "stream %s: its catalog schema has no properties",
                       r->name);
    json_object_object_foreach(all, name, prop)
    {
        if (!field_selected(stream, name))
            continue;
        json_object_object_add(props, name, json_object_get(prop));
        enum coerce co = coerce_of(prop);
        if (co != CO_NONE)
            json_object_object_add(r->coerce, name, json_object_new_int(co));
        if (jsonx_has(fixed, name))
            continue;
        buf_puts(&r->fields, r->fields.n ? "," : "");
        buf_puts(&r->fields, name);
        json_object_array_add(r->list, json_object_new_string(name));
    }
    mode_of(stream, &incremental, &overwrite, &append);
    /* --full reads everything again but keeps the cursor, so that the run
     * leaves a bookmark for the next one. */
    r->cursor = incremental ? eng_cursor_field(r->spec, r->schema) : NULL;
    if (incremental && !r->cursor)
        overwrite = !append; /* nothing to be incremental on: a full refresh */
    r->overwrite = overwrite || (full && !append);
    struct json_object *keys = jsonx_get(stream, "key_properties");
    if (!append && jsonx_len(keys))
        r->keys = json_object_get(keys);
    if (r->overwrite)
        r->version = time_now_ms();
    return 0;
}

/* ---- the bookmark ---- */

/* A cursor value as milliseconds: an RFC 3339 text (Salesforce's +0000
 * too), or epoch milliseconds as a number or digits. */
static bool cursor_ms(int64_t *ms, struct json_object *v)
{
    if (json_object_is_type(v, json_type_int)) {
        *ms = json_object_get_int64(v);
        return true;
    }
    const char *s = jsonx_str(v);
    if (!s || !*s)
        return false;
    if (strspn(s, "0123456789") == strlen(s) && strlen(s) < 16) {
        *ms = strtoll(s, NULL, 10);
        return true;
    }
    return time_parse_rfc3339(ms, s, strlen(s), NULL) == 0;
}

/* The stored bookmark, if it is for this cursor field. */
static void bookmark_read(struct srun *r, const char *json)
{
    struct json_object *b = NULL;
    struct err e;
    if (!json || jsonx_parse(&b, json, strlen(json), strlen(json) + 1, &e) < 0)
        return;
    const char *key = jsonx_str(jsonx_get(b, "replication_key"));
    struct json_object *val = jsonx_get(b, "replication_key_value");
    int64_t ms;
    if (key && strcmp(key, r->cursor) == 0 && cursor_ms(&ms, val)) {
        r->start_raw = xstrdup(json_object_get_string(val));
        r->start_ms = ms;
    } else if (key) {
        note(r, "warn", "stream %s: the bookmark is on %s, now %s: reading everything", r->name,
             key, r->cursor);
    }
    json_object_put(b);
}

/* No bookmark yet: the file's start values, the first that is set. */
static int bookmark_start(struct srun *r, const struct eng_vars *v, struct err *err)
{
    struct json_object *start = jsonx_get(r->inc, "start");
    size_t n = json_object_is_type(start, json_type_array) ? jsonx_len(start) : start ? 1 : 0;
    struct buf b;
    buf_init(&b, 0);
    for (size_t i = 0; i < n && !r->start_raw; i++) {
        struct json_object *t =
            json_object_is_type(start, json_type_array) ? jsonx_at(start, i) : start;
        struct eng_vars only = *v;
        int64_t ms;
        buf_reset(&b);
        int rc = eng_expand(&b, jsonx_str(t), &only, err);
        if (rc < 0) {
            buf_dispose(&b);
            return rc;
        }
        struct json_object *s = json_object_new_string(buf_cstr(&b));
        if (b.n && cursor_ms(&ms, s)) {
            r->start_raw = xstrdup(buf_cstr(&b));
            r->start_ms = ms;
        } else if (b.n) {
            json_object_put(s);
            buf_dispose(&b);
            return err_set(err, ERR_INVALID, "stream %s: start \"%.40s\" is not a date-time",
                           r->name, buf_cstr(&b));
        }
        json_object_put(s);
    }
    buf_dispose(&b);
    return 0;
}

/* The bookmark as the request wants it, less the lookback. */
static void bookmark_format(char *out, size_t n, const struct srun *r, bool lookback)
{
    int64_t ms = r->start_ms;
    const char *fmt = jsonx_str(jsonx_get(r->inc, "format"));
    if (lookback)
        ms -= json_object_get_int64(jsonx_get(r->inc, "lookback_seconds")) * 1000;
    if (ms < TIME_MIN_MS)
        ms = TIME_MIN_MS;
    if (ms > TIME_MAX_MS)
        ms = TIME_MAX_MS;
    char t[TIME_RFC3339_MAX];
    if (fmt && strcmp(fmt, "epoch_ms") == 0) {
        snprintf(out, n, "%lld", (long long)ms);
    } else if (fmt && strcmp(fmt, "epoch_s") == 0) {
        snprintf(out, n, "%lld", (long long)(ms / 1000));
    } else if (fmt && strcmp(fmt, "rfc3339_ms") == 0) {
        time_format_rfc3339(t, ms);
        snprintf(out, n, "%s", t);
    } else {
        time_format_rfc3339_sec(t, ms);
        snprintf(out, n, "%s", t);
    }
}

static int emit_state(struct srun *r, struct err *err)
{
    if (!r->cursor || !r->max_raw)
        return 0;
    struct json_object *bm = json_object_new_object(), *all = json_object_new_object();
    struct json_object *value = json_object_new_object();
    json_object_object_add(bm, "replication_key", json_object_new_string(r->cursor));
    json_object_object_add(bm, "replication_key_value", json_object_new_string(r->max_raw));
    json_object_object_add(all, r->name, bm);
    json_object_object_add(value, "bookmarks", all);
    struct singer_msg m = {.type = SINGER_STATE, .value = value};
    int rc = r->io->emit(r->io->ctx, &m, err);
    json_object_put(value);
    return rc;
}

/* ---- records ---- */

static void coerce_value(struct json_object *rec, const char *name, struct json_object *v,
                         enum coerce co)
{
    const char *s = json_object_get_string(v);
    char *end;
    if (!*s) {
        json_object_object_add(rec, name, NULL);
        return;
    }
    if (co == CO_BOOLEAN && (strcmp(s, "true") == 0 || strcmp(s, "false") == 0)) {
        json_object_object_add(rec, name, json_object_new_boolean(s[0] == 't'));
    } else if (co == CO_INTEGER) {
        long long i = strtoll(s, &end, 10);
        if (*end == '\0' && end != s)
            json_object_object_add(rec, name, json_object_new_int64(i));
    } else if (co == CO_NUMBER) {
        double d = strtod(s, &end);
        if (*end == '\0' && end != s && strspn(s, "+-0123456789.eE") == strlen(s))
            json_object_object_add(rec, name, json_object_new_double_s(d, s));
    }
}

/* Shape one record in place; its cursor value into the bookmark. */
static void shape(struct srun *r, struct json_object *rec)
{
    for (size_t i = 0; i < jsonx_len(r->drop); i++)
        json_object_object_del(rec, jsonx_str(jsonx_at(r->drop, i)));
    struct json_object *nested = r->flatten ? jsonx_get(rec, r->flatten) : NULL;
    if (json_object_is_type(nested, json_type_object)) {
        json_object_get(nested);
        json_object_object_del(rec, r->flatten);
        json_object_object_foreach(nested, k, v)
        {
            if (!jsonx_has(rec, k))
                json_object_object_add(rec, k, json_object_get(v));
        }
        json_object_put(nested);
    }
    json_object_object_foreach(rec, name, v)
    {
        if (json_object_is_type(v, json_type_string)) {
            struct json_object *co = jsonx_get(r->coerce, name);
            if (co)
                coerce_value(rec, name, v, (enum coerce)json_object_get_int(co));
        }
    }
    int64_t ms;
    struct json_object *cv = r->cursor ? jsonx_get(rec, r->cursor) : NULL;
    /* A value past the cap is a record changed after this window's query
     * began: it may show up anywhere in the order, ahead of records not
     * read yet, so it must not move the bookmark. The next run reads it
     * again, from a bookmark below it. */
    if (cv && cursor_ms(&ms, cv) && ms <= r->cap_ms && (!r->max_raw || ms > r->max_ms)) {
        xfree(r->max_raw);
        r->max_raw = xstrdup(json_object_get_string(cv));
        r->max_ms = ms;
    }
    struct json_object *del = r->deleted_field ? jsonx_get(rec, r->deleted_field) : NULL;
    if (json_object_is_type(del, json_type_boolean) && json_object_get_boolean(del)) {
        char t[TIME_RFC3339_MAX];
        if (!cv || !cursor_ms(&ms, cv))
            ms = time_now_ms();
        time_format_rfc3339(t, ms);
        json_object_object_add(rec, "_sdc_deleted_at", json_object_new_string(t));
    }
}

/* ---- pages ---- */

struct pager {
    struct json_object *spec; /* the "pagination" object, NULL: one page */
    const char *type;
    char *next_path; /* next_url, link_header: the next request's path */
    char *cursor;    /* cursor: the value to send */
    int64_t offset, page, window_count;
    bool done;
};

static void pager_reset(struct pager *p)
{
    xfree(p->next_path);
    xfree(p->cursor);
    p->next_path = p->cursor = NULL;
    p->offset = 0;
    p->page = json_object_get_int64(jsonx_get(p->spec, "start"));
    if (!jsonx_has(p->spec, "start"))
        p->page = 1;
    p->window_count = 0;
    p->done = false;
}

/* The "next" URL of a Link header (RFC 8288), or NULL. */
static char *link_next(const struct fetch_resp *resp)
{
    char v[4096];
    if (!fetch_header(resp, "Link", v, sizeof(v)))
        return NULL;
    for (char *p = v; (p = strchr(p, '<'));) {
        char *end = strchr(p, '>');
        if (!end)
            return NULL;
        char *params = end + 1, *stop = strchr(params, '<');
        size_t plen = stop ? (size_t)(stop - params) : strlen(params);
        char *rel = strstr(params, "rel=");
        if (rel && (size_t)(rel - params) < plen &&
            (strncmp(rel, "rel=\"next\"", 10) == 0 || strncmp(rel, "rel=next", 8) == 0))
            return xstrndup(p + 1, (size_t)(end - p - 1));
        p = end;
    }
    return NULL;
}

/* Move p past a page of n records answered by resp (body parsed). */
static int pager_advance(struct pager *p, const struct srun *r, struct json_object *body,
                         const struct fetch_resp *resp, size_t n, struct err *err)
{
    const char *type = p->type;
    xfree(p->next_path);
    p->next_path = NULL;
    p->window_count += (int64_t)n;
    if (!type || strcmp(type, "none") == 0) {
        p->done = true;
    } else if (strcmp(type, "next_url") == 0 || strcmp(type, "link_header") == 0) {
        char *url = NULL;
        if (strcmp(type, "next_url") == 0) {
            const char *s = jsonx_str(eng_at(body, jsonx_str(jsonx_get(p->spec, "path"))));
            url = s && *s ? xstrdup(s) : NULL;
        } else {
            url = link_next(resp);
        }
        p->done = !url;
        int rc = url ? connector_relative(&p->next_path, r->env->base_url, url, err) : 0;
        xfree(url);
        return rc;
    } else if (strcmp(type, "cursor") == 0) {
        struct json_object *c = eng_at(body, jsonx_str(jsonx_get(p->spec, "path")));
        const char *s = c ? json_object_get_string(c) : NULL;
        p->done = !s || !*s || n == 0;
        xfree(p->cursor);
        p->cursor = p->done ? NULL : xstrdup(s);
    } else if (strcmp(type, "offset") == 0) {
        int64_t limit = json_object_get_int64(jsonx_get(p->spec, "limit"));
        p->offset += (int64_t)n;
        p->done = n == 0 || (int64_t)n < limit;
    } else if (strcmp(type, "page") == 0) {
        int64_t size = json_object_get_int64(jsonx_get(p->spec, "page_size"));
        p->page++;
        p->done = n == 0 || (size > 0 && (int64_t)n < size);
    }
    return 0;
}

/* The extra parameters this page's request carries. */
static size_t pager_params(const struct pager *p, struct eng_param out[2], char num[2][24])
{
    const char *type = p->type, *param = jsonx_str(jsonx_get(p->spec, "param"));
    const char *in = jsonx_str(jsonx_get(p->spec, "in"));
    bool body = in && strcmp(in, "body") == 0;
    size_t n = 0;
    if (!type)
        return 0;
    if (strcmp(type, "cursor") == 0 && p->cursor) {
        out[n++] = (struct eng_param){param, p->cursor, body, false};
    } else if (strcmp(type, "offset") == 0) {
        snprintf(num[0], sizeof(num[0]), "%lld", (long long)p->offset);
        out[n++] = (struct eng_param){param, num[0], body, true};
        const char *lp = jsonx_str(jsonx_get(p->spec, "limit_param"));
        if (lp) {
            snprintf(num[1], sizeof(num[1]), "%lld",
                     (long long)json_object_get_int64(jsonx_get(p->spec, "limit")));
            out[n++] = (struct eng_param){lp, num[1], body, true};
        }
    } else if (strcmp(type, "page") == 0) {
        snprintf(num[0], sizeof(num[0]), "%lld", (long long)p->page);
        out[n++] = (struct eng_param){param, num[0], body, true};
    }
    return n;
}

/* An answer the file's "errors" rules know: 0 when none matches (a 429
 * the caller could not wait out counts as the provider's limit). */
static bool limited(struct srun *r, const struct fetch_resp *resp)
{
    struct json_object *rules = jsonx_get(r->env->c->doc, "errors");
    const char *body = buf_cstr(&resp->body);
    for (size_t i = 0; i < jsonx_len(rules); i++) {
        struct json_object *rule = jsonx_at(rules, i);
        const char *has = jsonx_str(jsonx_get(rule, "contains"));
        const char *action = jsonx_str(jsonx_get(rule, "action"));
        if (json_object_get_int64(jsonx_get(rule, "status")) != resp->status ||
            (has && !strstr(body, has)))
            continue;
        const char *msg = jsonx_str(jsonx_get(rule, "message"));
        int64_t after = json_object_get_int64(jsonx_get(rule, "resume_after_seconds"));
        r->out->end = action && strcmp(action, "skip") == 0 ? ENGINE_SKIPPED : ENGINE_LIMITED;
        r->out->resume_at_ms = after ? time_now_ms() + after * 1000 : 0;
        snprintf(r->out->message, sizeof(r->out->message), "%s", msg ? msg : "");
        return true;
    }
    if (resp->status == 429) {
        int64_t now = time_now_ms(), wait = retry_wait_ms(resp, now);
        r->out->end = ENGINE_LIMITED;
        r->out->resume_at_ms = now + (wait > 0 ? wait : 60000);
        snprintf(r->out->message, sizeof(r->out->message),
                 "the provider kept answering 429 Too Many Requests");
        return true;
    }
    return false;
}

static int emit_records(struct srun *r, struct json_object *records, struct err *err)
{
    for (size_t i = 0; i < jsonx_len(records); i++) {
        struct json_object *rec = jsonx_at(records, i);
        if (!json_object_is_type(rec, json_type_object))
            return err_set(err, ERR_INVALID,
                           "stream %s: record %zu of a page is a %s, not an object", r->name, i,
                           jsonx_type_name(rec));
        shape(r, rec);
        struct singer_msg m = {.type = SINGER_RECORD,
                               .stream = r->name,
                               .record = rec,
                               .version = r->version,
                               .has_version = r->overwrite};
        int rc = r->io->emit(r->io->ctx, &m, err);
        if (rc < 0)
            return rc;
    }
    r->out->records += (int64_t)jsonx_len(records);
    return 0;
}

static int commit(struct srun *r, struct err *err)
{
    return r->io->commit ? r->io->commit(r->io->ctx, err) : 0;
}

/* Read every page of the chosen request. */
static int pages(struct srun *r, struct json_object *request, struct json_object *pagination,
                 struct eng_vars *v, struct err *err)
{
    struct pager p = {.spec = pagination, .type = jsonx_str(jsonx_get(pagination, "type"))};
    const char *records_at = jsonx_str(jsonx_get(r->spec, "records"));
    int64_t window_max = json_object_get_int64(jsonx_get(pagination, "max_results"));
    struct buf path, body;
    char bm[64];
    bool first_window = true;
    int rc = 0;

    pager_reset(&p);
    buf_init(&path, 0);
    buf_init(&body, 0);
    while (rc == 0 && !p.done) {
        struct fetch_resp resp = {0};
        struct json_object *doc = NULL;
        const char *method = "GET";
        buf_reset(&path);
        buf_reset(&body);
        /* The bookmark stays the same through a window's pages: a search
         * pages by offset within one filter. The lookback applies once. */
        if (p.window_count == 0 && !p.cursor && !p.next_path)
            r->cap_ms = time_now_ms() - ENGINE_CLOCK_SKEW_MS;
        if (r->start_raw && p.window_count == 0 && !p.cursor && !p.next_path) {
            bookmark_format(bm, sizeof(bm), r, first_window);
            v->bookmark = bm;
        }
        if (p.next_path) {
            buf_puts(&path, p.next_path);
        } else {
            struct eng_param extra[2];
            char num[2][24];
            size_t ne = pager_params(&p, extra, num);
            rc = eng_build(&method, &path, &body, request, v, extra, ne, err);
        }
        if (rc == 0) {
            rc = eng_send(&resp, r->io, method, &path, &body, err);
            r->out->bytes += (int64_t)resp.body.n;
            if (rc == ERR_INVALID && limited(r, &resp)) {
                note(r, "warn", "stream %s: %s", r->name, err->msg);
                rc = 0;
                p.done = true;
                fetch_resp_dispose(&resp);
                break;
            }
        }
        if (rc == 0)
            rc = jsonx_parse(&doc, resp.body.p ? resp.body.p : "", resp.body.n, PAGE_BODY_MAX, err);
        struct json_object *records = rc == 0 ? eng_at(doc, records_at ? records_at : "") : NULL;
        if (rc == 0 && !json_object_is_type(records, json_type_array))
            rc = err_set(err, ERR_INVALID, "stream %s: the answer has no array at \"%s\"", r->name,
                         records_at ? records_at : "");
        if (rc == 0)
            rc = emit_records(r, records, err);
        if (rc == 0)
            rc = pager_advance(&p, r, doc, &resp, jsonx_len(records), err);
        r->out->pages++;
        if (rc == 0 && r->sorted)
            rc = emit_state(r, err);
        if (rc == 0)
            rc = commit(r, err);
        json_object_put(doc);
        fetch_resp_dispose(&resp);
        if (rc == 0 && r->io->cancelled && r->io->cancelled(r->io->ctx)) {
            r->out->end = ENGINE_CANCELLED;
            break;
        }
        /* A search that stops paging at its ceiling: start again from the
         * largest cursor read, which ">=" makes safe. */
        if (rc == 0 && p.done && window_max && r->sorted && p.window_count >= window_max &&
            r->max_raw) {
            if (r->start_raw && r->max_ms <= r->start_ms) {
                rc = err_set(err, ERR_INVALID,
                             "stream %s: more than %lld records have %s = %s, which a search "
                             "window cannot page past",
                             r->name, (long long)window_max, r->cursor, r->max_raw);
                break;
            }
            xfree(r->start_raw);
            r->start_raw = xstrdup(r->max_raw);
            r->start_ms = r->max_ms;
            first_window = false;
            note(r, "info", "stream %s: the search stopped at %lld results; moving on from %s",
                 r->name, (long long)window_max, r->start_raw);
            pager_reset(&p);
        }
        if (r->out->pages > ENGINE_PAGES_MAX)
            rc = err_set(err, ERR_INVALID, "stream %s: more than %d pages", r->name,
                         ENGINE_PAGES_MAX);
    }
    v->bookmark = NULL; /* bm is this function's */
    xfree(p.next_path);
    xfree(p.cursor);
    buf_dispose(&path);
    buf_dispose(&body);
    return rc;
}

int engine_sync_stream(struct engine_outcome *out, const struct engine_env *env,
                       struct json_object *stream, const char *bookmark_json, bool full,
                       const struct engine_io *io, struct err *err)
{
    struct srun r = {.env = env, .io = io, .out = out};
    int rc;

    memset(out, 0, sizeof(*out));
    r.name = catalog_stream_name(stream);
    r.spec = eng_stream_spec(env->c, catalog_stream_id(stream));
    if (!r.spec)
        return err_set(err, ERR_INVALID, "stream %s: connector %s does not describe it", r.name,
                       env->c->name);
    r.inc = jsonx_get(r.spec, "incremental");
    r.flatten = jsonx_str(jsonx_get(r.spec, "flatten"));
    r.drop = jsonx_get(r.spec, "drop");
    r.deleted_field = jsonx_str(jsonx_get(jsonx_get(r.spec, "deleted"), "field"));
    rc = plan(&r, stream, full, err);

    struct eng_vars v = {.env = env,
                         .stream = catalog_stream_id(stream),
                         .fields = buf_cstr(&r.fields),
                         .list = r.list,
                         .cursor_field = r.cursor};
    if (rc == 0 && r.cursor && !full)
        bookmark_read(&r, bookmark_json);
    else if (rc == 0 && r.cursor && bookmark_json)
        note(&r, "info", "stream %s: a full run: the bookmark is not used", r.name);
    if (rc == 0 && r.cursor && !r.start_raw)
        rc = bookmark_start(&r, &v, err);
    struct json_object *request = jsonx_get(r.spec, "request");
    struct json_object *pagination = jsonx_get(r.spec, "pagination");
    if (rc == 0 && r.cursor && r.start_raw) {
        out->incremental = true;
        if (jsonx_has(r.inc, "request"))
            request = jsonx_get(r.inc, "request");
        if (jsonx_has(r.inc, "pagination"))
            pagination = jsonx_get(r.inc, "pagination");
        r.sorted = json_object_get_boolean(jsonx_get(r.inc, "sorted"));
    }
    if (rc == 0) {
        struct singer_msg m = {
            .type = SINGER_SCHEMA, .stream = r.name, .schema = r.schema, .key_properties = r.keys};
        rc = io->emit(io->ctx, &m, err);
    }
    if (rc == 0)
        note(&r, "info", "stream %s: %s%s%s", r.name,
             r.start_raw   ? "incremental from "
             : r.overwrite ? "full refresh"
                           : "reading everything",
             r.start_raw ? r.cursor : "", r.start_raw ? " >= bookmark" : "");
    if (rc == 0)
        rc = pages(&r, request, pagination, &v, err);
    /* The end: the bookmark of an unordered stream, the overwrite. */
    if (rc == 0 && out->end == ENGINE_DONE && !r.sorted)
        rc = emit_state(&r, err);
    if (rc == 0 && out->end == ENGINE_DONE && r.overwrite) {
        struct singer_msg m = {
            .type = SINGER_ACTIVATE_VERSION, .stream = r.name, .version = r.version};
        rc = io->emit(io->ctx, &m, err);
    }
    if (rc == 0)
        rc = commit(&r, err);
    srun_dispose(&r);
    return rc;
}

int engine_emit_records(const struct engine_env *env, struct json_object *stream,
                        struct json_object *records, const struct engine_io *io, struct err *err)
{
    struct engine_outcome out;
    struct srun r = {.env = env, .io = io, .out = &out};
    int rc;

    memset(&out, 0, sizeof(out));
    r.name = catalog_stream_name(stream);
    r.spec = eng_stream_spec(env->c, catalog_stream_id(stream));
    if (!r.spec)
        return err_set(err, ERR_INVALID, "stream %s: connector %s does not describe it", r.name,
                       env->c->name);
    r.flatten = jsonx_str(jsonx_get(r.spec, "flatten"));
    r.drop = jsonx_get(r.spec, "drop");
    r.deleted_field = jsonx_str(jsonx_get(jsonx_get(r.spec, "deleted"), "field"));
    rc = plan(&r, stream, true, err);
    if (rc == 0) {
        struct singer_msg m = {
            .type = SINGER_SCHEMA, .stream = r.name, .schema = r.schema, .key_properties = r.keys};
        rc = io->emit(io->ctx, &m, err);
    }
    for (size_t i = 0; rc == 0 && i < jsonx_len(records); i++) {
        struct json_object *rec = jsonx_at(records, i);
        if (!json_object_is_type(rec, json_type_object))
            continue;
        shape(&r, rec);
        struct singer_msg m = {.type = SINGER_RECORD, .stream = r.name, .record = rec};
        rc = io->emit(io->ctx, &m, err);
    }
    srun_dispose(&r);
    return rc;
}

bool engine_supports(const struct connector *c)
{
    return c && !c->singer &&
           (jsonx_len(jsonx_get(c->doc, "streams")) > 0 || jsonx_has(c->doc, "discover"));
}
