/* singer/catalog.c - Singer catalogs (see catalog.h): one check pass over
 * the parsed tree, then merge and select, which edit metadata in place, and
 * the sync modes, read from and written to the stream metadata.
 * Lookups by tap_stream_id and by breadcrumb go through json-c objects used
 * as hash tables (name -> position), so a catalog of 10000 streams or a
 * stream of thousands of fields costs one pass, not a pass per entry.
 * Positions rather than references are kept, so that a const catalog is
 * never written to, not even its reference counts. */
#include "singer/catalog.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <json-c/linkhash.h>

#include "core/jsonx.h"

#define QUOTE_MAX 64 /* bytes of an id or breadcrumb quoted in a message */

/* ---- small helpers ---- */

/* Compared with its length: json-c strings may hold "\u0000". */
static bool str_is(const struct json_object *v, const char *s)
{
    size_t n = strlen(s);
    return jsonx_str_len(v) == n && memcmp(jsonx_str(v), s, n) == 0;
}

static bool is(const struct json_object *v, enum json_type t)
{
    return v && json_object_is_type(v, t);
}

/* 1 or 0 for a boolean member, -1 when it is absent, null or not a
 * boolean: "no choice made". */
static int flag(const struct json_object *obj, const char *key)
{
    const struct json_object *v = jsonx_get(obj, key);
    return is(v, json_type_boolean) ? json_object_get_boolean(v) != 0 : -1;
}

static void set_flag(struct json_object *obj, const char *key, bool on)
{
    json_object_object_add(obj, key, json_object_new_boolean(on));
}

/* A json-c object as a hash table from strings to positions. */
static void index_put(struct json_object *ix, const char *key, size_t pos)
{
    json_object_object_add_ex(ix, key, json_object_new_int64((int64_t)pos),
                              JSON_C_OBJECT_ADD_KEY_IS_NEW);
}

static bool index_get(const struct json_object *ix, const char *key, size_t *pos)
{
    struct json_object *v;

    if (!ix || !json_object_object_get_ex(ix, key, &v))
        return false;
    *pos = (size_t)json_object_get_int64(v);
    return true;
}

/* A breadcrumb as the key of an index: its compact JSON text, which is
 * unambiguous and free of NUL bytes ("\u0000" stays escaped). */
static void crumb_key(struct buf *b, const struct json_object *bc)
{
    buf_reset(b);
    buf_putc(b, '[');
    for (size_t i = 0; i < jsonx_len(bc); i++) {
        const struct json_object *e = jsonx_at(bc, i);
        if (i)
            buf_putc(b, ',');
        if (!is(e, json_type_string)) {
            buf_puts(b, "null"); /* only in a catalog that was never checked */
            continue;
        }
        buf_putc(b, '"');
        buf_put_jsonesc(b, jsonx_str(e), jsonx_str_len(e));
        buf_putc(b, '"');
    }
    buf_putc(b, ']');
}

/* The "metadata" object of an entry, or NULL. */
static struct json_object *entry_meta(const struct json_object *entry)
{
    struct json_object *m = jsonx_get(entry, "metadata");
    return is(m, json_type_object) ? m : NULL;
}

static bool is_stream_entry(const struct json_object *entry)
{
    const struct json_object *bc = jsonx_get(entry, "breadcrumb");
    return is(bc, json_type_array) && jsonx_len(bc) == 0;
}

static bool is_field_entry(const struct json_object *entry)
{
    const struct json_object *bc = jsonx_get(entry, "breadcrumb");
    return is(bc, json_type_array) && jsonx_len(bc) > 0 && entry_meta(entry);
}

/* Selected by default: what the tap says when nobody has chosen. */
static bool default_on(const struct json_object *meta)
{
    return str_is(jsonx_get(meta, "inclusion"), "automatic") ||
           flag(meta, "selected-by-default") == 1;
}

/* ---- checking ---- */

/* How much of s[0..n) a message shows: at most QUOTE_MAX bytes, cut on a
 * UTF-8 boundary, so that a huge name cannot crowd the rest out of a
 * one-line message. */
static size_t shown_len(const char *s, size_t n)
{
    size_t cut = n;

    if (cut > QUOTE_MAX) {
        cut = QUOTE_MAX;
        while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
            cut--;
    }
    return cut;
}

/* Append s[0..n) to b as a JSON string, shortened as above ("..."). */
static void put_quoted(struct buf *b, const char *s, size_t n)
{
    size_t cut = shown_len(s, n);

    buf_putc(b, '"');
    buf_put_jsonesc(b, s, cut);
    buf_putc(b, '"');
    if (cut < n)
        buf_puts(b, "...");
}

/* ERR_INVALID, "POINTER: what". */
__attribute__((format(printf, 3, 4))) static int fail_at(struct err *err, const struct jsonx_ptr *p,
                                                         const char *fmt, ...)
{
    char what[ERR_MSG_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    return err_set(err, ERR_INVALID, "%s: %s", jsonx_ptr_cstr(p), what);
}

/* A name that becomes a C string further on (stream names become table
 * names; a NUL would silently cut one short). */
static int check_name(const struct json_object *v, const struct jsonx_ptr *p, struct err *err)
{
    if (!is(v, json_type_string))
        return fail_at(err, p, "expected a non-empty string, got %s", jsonx_type_name(v));
    if (jsonx_str_len(v) == 0)
        return fail_at(err, p, "expected a non-empty string, got \"\"");
    if (strlen(jsonx_str(v)) != jsonx_str_len(v))
        return fail_at(err, p, "contains \\u0000");
    return 0;
}

/* Member key of obj must be there and be an object. */
static int need_object(struct json_object **out, const struct json_object *obj, const char *key,
                       struct jsonx_ptr *p, struct err *err)
{
    struct json_object *v = jsonx_get(obj, key);
    size_t mark = jsonx_ptr_push(p, key);
    int rc = 0;

    if (!jsonx_has(obj, key))
        rc = fail_at(err, p, "missing");
    else if (!is(v, json_type_object))
        rc = fail_at(err, p, "expected an object, got %s", jsonx_type_name(v));
    jsonx_ptr_pop(p, mark);
    *out = v;
    return rc;
}

/* The members of a metadata object that inclusion and selection depend
 * on; anything else a tap puts there is its own business. */
static int check_meta(const struct json_object *meta, struct jsonx_ptr *p, struct err *err)
{
    static const char *const flags[] = {"selected", "selected-by-default"};
    static const char *const strings[] = {"replication-method", "replication-key",
                                          "inlet-destination-mode"};
    const struct json_object *v;
    size_t mark;
    int rc = 0;

    for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]) && rc == 0; i++) {
        v = jsonx_get(meta, flags[i]);
        mark = jsonx_ptr_push(p, flags[i]);
        if (v && !is(v, json_type_boolean))
            rc = fail_at(err, p, "expected a boolean, got %s", jsonx_type_name(v));
        jsonx_ptr_pop(p, mark);
    }
    for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]) && rc == 0; i++) {
        v = jsonx_get(meta, strings[i]);
        mark = jsonx_ptr_push(p, strings[i]);
        if (v && !is(v, json_type_string))
            rc = fail_at(err, p, "expected a string, got %s", jsonx_type_name(v));
        jsonx_ptr_pop(p, mark);
    }
    v = jsonx_get(meta, "inclusion");
    if (rc == 0 && v && !str_is(v, "available") && !str_is(v, "automatic") &&
        !str_is(v, "unsupported")) {
        mark = jsonx_ptr_push(p, "inclusion");
        rc = fail_at(err, p, "expected \"available\", \"automatic\" or \"unsupported\"");
        jsonx_ptr_pop(p, mark);
    }
    return rc;
}

/* [] or pairs of "properties" and a name. */
static int check_breadcrumb(const struct json_object *bc, struct jsonx_ptr *p, struct err *err)
{
    size_t n = jsonx_len(bc), mark;
    int rc = 0;

    for (size_t i = 0; i < n && rc == 0; i++) {
        const struct json_object *e = jsonx_at(bc, i);
        mark = jsonx_ptr_push_index(p, i);
        if (!is(e, json_type_string))
            rc = fail_at(err, p, "expected a string, got %s", jsonx_type_name(e));
        else if (i % 2 == 0 && !str_is(e, "properties"))
            rc = fail_at(err, p, "expected \"properties\"");
        jsonx_ptr_pop(p, mark);
    }
    if (rc == 0 && n % 2 != 0)
        rc = fail_at(err, p, "expected pairs of \"properties\" and a name, got %zu element%s", n,
                     n == 1 ? "" : "s");
    return rc;
}

/* Entry j of a stream's metadata, p at "/streams/i/metadata/j" and list
 * "/streams/i/metadata"; crumbs indexes the breadcrumbs seen so far in this
 * stream, key is scratch space. */
static int check_entry(const struct json_object *entry, size_t j, const char *list,
                       struct json_object *crumbs, struct buf *key, struct jsonx_ptr *p,
                       struct err *err)
{
    struct json_object *bc = jsonx_get(entry, "breadcrumb"), *meta;
    size_t mark, first;
    int rc;

    if (!is(entry, json_type_object))
        return fail_at(err, p, "expected an object, got %s", jsonx_type_name(entry));
    mark = jsonx_ptr_push(p, "breadcrumb");
    if (!jsonx_has(entry, "breadcrumb"))
        rc = fail_at(err, p, "missing");
    else if (!is(bc, json_type_array))
        rc = fail_at(err, p, "expected an array, got %s", jsonx_type_name(bc));
    else
        rc = check_breadcrumb(bc, p, err);
    if (rc == 0) {
        crumb_key(key, bc); /* JSON text already: shown as it is, only shortened */
        if (index_get(crumbs, buf_cstr(key), &first)) {
            size_t cut = shown_len(key->p, key->n);
            rc = fail_at(err, p, "%.*s%s appears twice (also %s/%zu)", (int)cut, key->p,
                         cut < key->n ? "..." : "", list, first);
        } else {
            index_put(crumbs, buf_cstr(key), j);
        }
    }
    jsonx_ptr_pop(p, mark);
    if (rc == 0)
        rc = need_object(&meta, entry, "metadata", p, err);
    if (rc == 0) {
        mark = jsonx_ptr_push(p, "metadata");
        rc = check_meta(meta, p, err);
        jsonx_ptr_pop(p, mark);
    }
    return rc;
}

/* key_properties: absent and null mean none; elements name columns. */
static int check_keys(const struct json_object *stream, struct jsonx_ptr *p, struct err *err)
{
    const struct json_object *v = jsonx_get(stream, "key_properties");
    size_t mark = jsonx_ptr_push(p, "key_properties");
    int rc = 0;

    if (v && !is(v, json_type_array))
        rc = fail_at(err, p, "expected an array of strings, got %s", jsonx_type_name(v));
    for (size_t i = 0; i < jsonx_len(v) && rc == 0; i++) {
        size_t m = jsonx_ptr_push_index(p, i);
        rc = check_name(jsonx_at(v, i), p, err);
        jsonx_ptr_pop(p, m);
    }
    jsonx_ptr_pop(p, mark);
    return rc;
}

static int check_entries(const struct json_object *stream, struct jsonx_ptr *p, struct err *err)
{
    const struct json_object *md = jsonx_get(stream, "metadata");
    size_t mark = jsonx_ptr_push(p, "metadata");
    char list[sizeof(p->s)] = "";
    struct json_object *crumbs = NULL;
    struct buf key;
    int rc = 0;

    buf_init(&key, 0); /* bounded by the text: CATALOG_MAX, escaped */
    if (md && !is(md, json_type_array))
        rc = fail_at(err, p, "expected an array, got %s", jsonx_type_name(md));
    if (rc == 0 && jsonx_len(md) > 0) {
        snprintf(list, sizeof(list), "%s", jsonx_ptr_cstr(p));
        crumbs = json_object_new_object();
    }
    for (size_t j = 0; j < jsonx_len(md) && rc == 0; j++) {
        size_t m = jsonx_ptr_push_index(p, j);
        rc = check_entry(jsonx_at(md, j), j, list, crumbs, &key, p, err);
        jsonx_ptr_pop(p, m);
    }
    jsonx_ptr_pop(p, mark);
    json_object_put(crumbs);
    buf_dispose(&key);
    return rc;
}

/* Stream i, p at "/streams/i"; ids indexes the tap_stream_ids seen so far. */
static int check_stream(struct json_object *s, size_t i, struct json_object *ids,
                        struct jsonx_ptr *p, struct err *err)
{
    struct json_object *id = jsonx_get(s, "tap_stream_id"), *v;
    size_t mark, first;
    int rc = 0;

    if (!is(s, json_type_object))
        return fail_at(err, p, "expected an object, got %s", jsonx_type_name(s));

    mark = jsonx_ptr_push(p, "tap_stream_id");
    if (!jsonx_has(s, "tap_stream_id"))
        rc = fail_at(err, p, "missing");
    else
        rc = check_name(id, p, err);
    if (rc == 0 && index_get(ids, jsonx_str(id), &first)) {
        struct buf q;
        buf_init(&q, 0);
        put_quoted(&q, jsonx_str(id), jsonx_str_len(id));
        rc = fail_at(err, p, "%s appears twice (also /streams/%zu)", buf_cstr(&q), first);
        buf_dispose(&q);
    } else if (rc == 0) {
        index_put(ids, jsonx_str(id), i);
    }
    jsonx_ptr_pop(p, mark);
    if (rc < 0)
        return rc;

    /* singer-python falls back on tap_stream_id too; writing it down spares
     * every reader the fallback, the tap included. */
    v = jsonx_get(s, "stream");
    mark = jsonx_ptr_push(p, "stream");
    if (v)
        rc = check_name(v, p, err);
    else
        json_object_object_add(s, "stream",
                               json_object_new_string_len(jsonx_str(id), (int)jsonx_str_len(id)));
    jsonx_ptr_pop(p, mark);

    if (rc == 0)
        rc = need_object(&v, s, "schema", p, err);
    if (rc == 0)
        rc = check_keys(s, p, err);
    v = jsonx_get(s, "selected");
    if (rc == 0 && v && !is(v, json_type_boolean)) {
        mark = jsonx_ptr_push(p, "selected");
        rc = fail_at(err, p, "expected a boolean, got %s", jsonx_type_name(v));
        jsonx_ptr_pop(p, mark);
    }
    if (rc == 0)
        rc = check_entries(s, p, err);
    return rc;
}

int catalog_parse(struct json_object **out, const char *text, size_t n, struct err *err)
{
    struct json_object *cat = NULL, *streams, *ids = NULL;
    struct jsonx_ptr p;
    size_t mark;
    int rc;

    rc = jsonx_parse(&cat, text, n, CATALOG_MAX, err);
    if (rc < 0)
        return rc;
    jsonx_ptr_init(&p);
    if (!is(cat, json_type_object)) {
        rc = err_set(err, ERR_INVALID, "expected a JSON object, got %s", jsonx_type_name(cat));
        goto done;
    }
    streams = jsonx_get(cat, "streams");
    mark = jsonx_ptr_push(&p, "streams");
    if (!jsonx_has(cat, "streams"))
        rc = fail_at(err, &p, "missing");
    else if (!is(streams, json_type_array))
        rc = fail_at(err, &p, "expected an array, got %s", jsonx_type_name(streams));
    else if (jsonx_len(streams) > CATALOG_STREAMS_MAX)
        rc = fail_at(err, &p, "more than %d streams", CATALOG_STREAMS_MAX);
    if (rc < 0)
        goto done;
    ids = json_object_new_object();
    for (size_t i = 0; i < jsonx_len(streams) && rc == 0; i++) {
        size_t m = jsonx_ptr_push_index(&p, i);
        rc = check_stream(jsonx_at(streams, i), i, ids, &p, err);
        jsonx_ptr_pop(&p, m);
    }
    jsonx_ptr_pop(&p, mark);
    if (rc == 0) {
        *out = cat; /* the caller owns it now */
        cat = NULL;
    }
done:
    json_object_put(ids);
    json_object_put(cat);
    return rc;
}

/* ---- walking ---- */

size_t catalog_count(const struct json_object *cat)
{
    return jsonx_len(jsonx_get(cat, "streams"));
}

struct json_object *catalog_stream(const struct json_object *cat, size_t i)
{
    return jsonx_at(jsonx_get(cat, "streams"), i);
}

const char *catalog_stream_id(const struct json_object *stream)
{
    return jsonx_str(jsonx_get(stream, "tap_stream_id"));
}

const char *catalog_stream_name(const struct json_object *stream)
{
    const char *name = jsonx_str(jsonx_get(stream, "stream"));
    return name ? name : catalog_stream_id(stream);
}

struct json_object *catalog_stream_by_id(const struct json_object *cat, const char *id)
{
    size_t n = catalog_count(cat);

    for (size_t i = 0; i < n; i++) {
        struct json_object *s = catalog_stream(cat, i);
        const char *sid = catalog_stream_id(s);
        if (sid && strcmp(sid, id) == 0)
            return s;
    }
    return NULL;
}

struct json_object *catalog_stream_meta(const struct json_object *stream)
{
    const struct json_object *md = jsonx_get(stream, "metadata");

    for (size_t j = 0; j < jsonx_len(md); j++) {
        const struct json_object *e = jsonx_at(md, j);
        if (is_stream_entry(e) && entry_meta(e))
            return entry_meta(e);
    }
    return NULL;
}

/* 1 or 0 when the stream's selection is written down, -1 when not. Stream
 * metadata first, as singer-python's CatalogEntry.is_selected does. */
static int stream_choice(const struct json_object *stream)
{
    int c = flag(catalog_stream_meta(stream), "selected");
    return c >= 0 ? c : flag(stream, "selected");
}

bool catalog_stream_selected(const struct json_object *stream)
{
    return stream_choice(stream) == 1;
}

void catalog_format(struct buf *b, const struct json_object *cat)
{
    /* json-c caches the text in the object it formats; nothing else changes. */
    jsonx_format(b, (struct json_object *)cat);
}

/* ---- merge and select ---- */

/* The stream-level metadata object, made (with its entry, and the metadata
 * array itself) when the stream has none. */
static struct json_object *stream_meta_make(struct json_object *stream)
{
    struct json_object *md = jsonx_get(stream, "metadata"), *entry, *meta;

    for (size_t j = 0; j < jsonx_len(md); j++) {
        entry = jsonx_at(md, j);
        if (!is_stream_entry(entry))
            continue;
        meta = entry_meta(entry);
        if (!meta) { /* only in a catalog that was never checked */
            meta = json_object_new_object();
            json_object_object_add(entry, "metadata", meta);
        }
        return meta;
    }
    if (!is(md, json_type_array)) {
        md = json_object_new_array();
        json_object_object_add(stream, "metadata", md);
    }
    entry = json_object_new_object();
    meta = json_object_new_object();
    json_object_object_add(entry, "breadcrumb", json_object_new_array());
    json_object_object_add(entry, "metadata", meta);
    json_object_array_add(md, entry);
    return meta;
}

/* Written in the metadata, and in the legacy member too when the stream has
 * one, so that old taps reading only that one agree. */
static void stream_set_selected(struct json_object *stream, bool on)
{
    set_flag(stream_meta_make(stream), "selected", on);
    if (jsonx_has(stream, "selected"))
        set_flag(stream, "selected", on);
}

/* ---- sync modes ---- */

static const struct {
    const char *name, *label;
    bool incremental; /* replication-method INCREMENTAL (or LOG_BASED), else FULL_TABLE */
    const char *dest; /* inlet-destination-mode */
} modes[CATALOG_SYNC_MODES] = {
    [CATALOG_SYNC_FULL_REFRESH_OVERWRITE] = {"full_refresh_overwrite", "Full refresh | Overwrite",
                                             false, "overwrite"},
    [CATALOG_SYNC_FULL_REFRESH_APPEND] = {"full_refresh_append", "Full refresh | Append", false,
                                          "append"},
    [CATALOG_SYNC_INCREMENTAL_APPEND] = {"incremental_append", "Incremental | Append", true,
                                         "append"},
    [CATALOG_SYNC_INCREMENTAL_APPEND_DEDUPED] = {"incremental_append_deduped",
                                                 "Incremental | Append + Deduped", true,
                                                 "append_dedup"},
};

const char *catalog_sync_mode_name(enum catalog_sync_mode m)
{
    assert((unsigned)m < CATALOG_SYNC_MODES);
    return modes[m].name;
}

const char *catalog_sync_mode_label(enum catalog_sync_mode m)
{
    assert((unsigned)m < CATALOG_SYNC_MODES);
    return modes[m].label;
}

bool catalog_sync_mode_appends(enum catalog_sync_mode m)
{
    assert((unsigned)m < CATALOG_SYNC_MODES);
    return strcmp(modes[m].dest, "append") == 0;
}

/* By length: a JSON string may hold "\u0000", and a name cut short there
 * is not the name. */
static bool mode_lookup(enum catalog_sync_mode *out, const char *s, size_t n)
{
    for (unsigned i = 0; i < CATALOG_SYNC_MODES; i++) {
        if ((strlen(modes[i].name) == n && memcmp(s, modes[i].name, n) == 0) ||
            (strlen(modes[i].label) == n && memcmp(s, modes[i].label, n) == 0)) {
            *out = (enum catalog_sync_mode)i;
            return true;
        }
    }
    return false;
}

/* The message of catalog_sync_mode_parse. */
static int mode_unknown(struct err *err, const char *s, size_t n)
{
    struct buf q;
    buf_init(&q, 0);
    put_quoted(&q, s, n);
    int rc = err_set(err, ERR_INVALID,
                     "%s is not a sync mode: expected full_refresh_overwrite, full_refresh_append, "
                     "incremental_append or incremental_append_deduped",
                     buf_cstr(&q));
    buf_dispose(&q);
    return rc;
}

int catalog_sync_mode_parse(enum catalog_sync_mode *out, const char *s, struct err *err)
{
    return mode_lookup(out, s, strlen(s)) ? 0 : mode_unknown(err, s, strlen(s));
}

static bool method_incremental(const struct json_object *v)
{
    return str_is(v, "INCREMENTAL") || str_is(v, "LOG_BASED");
}

static bool nonempty_array(const struct json_object *v)
{
    return is(v, json_type_array) && jsonx_len(v) > 0;
}

/* Whether the tap can read stream from a bookmark. A forced FULL_TABLE
 * says it cannot, whatever else the metadata lists. */
static bool can_increment(const struct json_object *stream)
{
    const struct json_object *meta = catalog_stream_meta(stream);
    const struct json_object *forced = jsonx_get(meta, "forced-replication-method");

    if (str_is(forced, "FULL_TABLE"))
        return false;
    return nonempty_array(jsonx_get(meta, "valid-replication-keys")) ||
           jsonx_str_len(jsonx_get(meta, "replication-key")) > 0 || method_incremental(forced);
}

/* Key properties to dedupe by: the metadata's (where taps put them now)
 * or the legacy top-level member. */
static bool has_keys(const struct json_object *stream)
{
    return nonempty_array(jsonx_get(catalog_stream_meta(stream), "table-key-properties")) ||
           nonempty_array(jsonx_get(stream, "key_properties"));
}

bool catalog_stream_supports(const struct json_object *stream, enum catalog_sync_mode m)
{
    assert((unsigned)m < CATALOG_SYNC_MODES);
    if (!modes[m].incremental)
        return true;
    return can_increment(stream) &&
           (m != CATALOG_SYNC_INCREMENTAL_APPEND_DEDUPED || has_keys(stream));
}

static enum catalog_sync_mode default_mode(const struct json_object *stream)
{
    return catalog_stream_supports(stream, CATALOG_SYNC_INCREMENTAL_APPEND_DEDUPED)
               ? CATALOG_SYNC_INCREMENTAL_APPEND_DEDUPED
               : CATALOG_SYNC_FULL_REFRESH_OVERWRITE;
}

/* The mode stream's metadata stores into *out, when it is a valid pair the
 * stream supports. A replication-method without a destination is what
 * catalogs written before sync modes (or by hand) hold: incremental then
 * upserts when there are keys, as the loader always did. */
static bool stored_mode(const struct json_object *stream, enum catalog_sync_mode *out)
{
    const struct json_object *meta = catalog_stream_meta(stream);
    const struct json_object *method = jsonx_get(meta, "replication-method");
    const struct json_object *dest = jsonx_get(meta, "inlet-destination-mode");
    enum catalog_sync_mode m;

    if (str_is(method, "FULL_TABLE") && (!dest || str_is(dest, "overwrite")))
        m = CATALOG_SYNC_FULL_REFRESH_OVERWRITE;
    else if (str_is(method, "FULL_TABLE") && str_is(dest, "append"))
        m = CATALOG_SYNC_FULL_REFRESH_APPEND;
    else if (method_incremental(method) && !dest)
        m = has_keys(stream) ? CATALOG_SYNC_INCREMENTAL_APPEND_DEDUPED
                             : CATALOG_SYNC_INCREMENTAL_APPEND;
    else if (method_incremental(method) && str_is(dest, "append"))
        m = CATALOG_SYNC_INCREMENTAL_APPEND;
    else if (method_incremental(method) && str_is(dest, "append_dedup"))
        m = CATALOG_SYNC_INCREMENTAL_APPEND_DEDUPED;
    else
        return false;
    if (!catalog_stream_supports(stream, m))
        return false;
    *out = m;
    return true;
}

enum catalog_sync_mode catalog_stream_sync_mode(const struct json_object *stream)
{
    enum catalog_sync_mode m;
    return stored_mode(stream, &m) ? m : default_mode(stream);
}

/* Write m into stream's metadata. A tap that reads its log (LOG_BASED) is
 * incremental already: that method stays rather than become INCREMENTAL,
 * which would be another way of reading. */
static void mode_write(struct json_object *stream, enum catalog_sync_mode m)
{
    struct json_object *meta = stream_meta_make(stream);
    const char *method = "FULL_TABLE";

    if (modes[m].incremental)
        method = str_is(jsonx_get(meta, "forced-replication-method"), "LOG_BASED") ||
                         str_is(jsonx_get(meta, "replication-method"), "LOG_BASED")
                     ? "LOG_BASED"
                     : "INCREMENTAL";
    json_object_object_add(meta, "replication-method", json_object_new_string(method));
    json_object_object_add(meta, "inlet-destination-mode", json_object_new_string(modes[m].dest));
}

/* Append to b why stream does not support an incremental mode asked for
 * (the first rule it fails) and what it supports: "its
 * forced-replication-method is FULL_TABLE; it supports
 * full_refresh_overwrite and full_refresh_append". */
static void put_unsupported(struct buf *b, const struct json_object *stream)
{
    unsigned n = 0, k = 0;

    if (str_is(jsonx_get(catalog_stream_meta(stream), "forced-replication-method"), "FULL_TABLE"))
        buf_puts(b, "its forced-replication-method is FULL_TABLE");
    else if (!can_increment(stream))
        buf_puts(b, "it has no replication key (valid-replication-keys or replication-key)");
    else
        buf_puts(b, "it has no key properties (table-key-properties or key_properties)");
    for (unsigned i = 0; i < CATALOG_SYNC_MODES; i++)
        n += catalog_stream_supports(stream, (enum catalog_sync_mode)i);
    buf_puts(b, "; it supports ");
    for (unsigned i = 0; i < CATALOG_SYNC_MODES; i++) {
        if (!catalog_stream_supports(stream, (enum catalog_sync_mode)i))
            continue;
        buf_puts(b, k == 0 ? "" : k + 1 < n ? ", " : " and ");
        buf_puts(b, modes[i].name);
        k++;
    }
}

/* Whether fresh's metadata allows replication key v: yes unless it lists
 * its valid keys without v. */
static bool key_allowed(const struct json_object *meta, const struct json_object *v)
{
    const struct json_object *valid = jsonx_get(meta, "valid-replication-keys");

    if (!is(valid, json_type_array))
        return true;
    for (size_t i = 0; i < jsonx_len(valid); i++) {
        const struct json_object *k = jsonx_at(valid, i);
        if (jsonx_str_len(k) == jsonx_str_len(v) && jsonx_str(k) &&
            memcmp(jsonx_str(k), jsonx_str(v), jsonx_str_len(v)) == 0)
            return true;
    }
    return false;
}

/* Copy old's string member key into meta. The copy is made before meta's
 * member is replaced, so old may be meta itself. */
static void carry_string(struct json_object *meta, const struct json_object *old, const char *key)
{
    const struct json_object *v = jsonx_get(old, key);

    if (!is(v, json_type_string))
        return;
    if (strcmp(key, "replication-key") == 0 && !key_allowed(meta, v))
        return;
    json_object_object_add(meta, key,
                           json_object_new_string_len(jsonx_str(v), (int)jsonx_str_len(v)));
}

/* Field entries of fresh stream s against those of old stream o (NULL:
 * none). */
static void merge_fields(struct json_object *s, const struct json_object *o, struct buf *key)
{
    const struct json_object *md = jsonx_get(s, "metadata"), *omd = jsonx_get(o, "metadata");
    struct json_object *crumbs = NULL;
    size_t pos;

    if (jsonx_len(omd) > 0) {
        crumbs = json_object_new_object();
        for (size_t j = 0; j < jsonx_len(omd); j++) {
            const struct json_object *e = jsonx_at(omd, j);
            if (!is_field_entry(e))
                continue;
            crumb_key(key, jsonx_get(e, "breadcrumb"));
            if (!index_get(crumbs, buf_cstr(key), &pos))
                index_put(crumbs, buf_cstr(key), j);
        }
    }
    for (size_t j = 0; j < jsonx_len(md); j++) {
        const struct json_object *e = jsonx_at(md, j);
        struct json_object *meta = entry_meta(e);
        const struct json_object *inc = jsonx_get(meta, "inclusion");
        int on;

        if (!is_field_entry(e))
            continue;
        if (str_is(inc, "automatic")) {
            on = 1;
        } else if (str_is(inc, "unsupported")) {
            on = 0;
        } else {
            on = -1;
            crumb_key(key, jsonx_get(e, "breadcrumb"));
            if (index_get(crumbs, buf_cstr(key), &pos))
                on = flag(entry_meta(jsonx_at(omd, pos)), "selected");
            if (on < 0)
                on = default_on(meta);
        }
        set_flag(meta, "selected", on == 1);
    }
    json_object_put(crumbs);
}

/* tap_stream_id -> position in cat's streams. */
static struct json_object *index_streams(const struct json_object *cat)
{
    struct json_object *ids = json_object_new_object();
    size_t n = catalog_count(cat), pos;

    for (size_t i = 0; i < n; i++) {
        const char *id = catalog_stream_id(catalog_stream(cat, i));
        if (id && !index_get(ids, id, &pos))
            index_put(ids, id, i);
    }
    return ids;
}

size_t catalog_merge(struct json_object *fresh, const struct json_object *old)
{
    struct json_object *ids = index_streams(old);
    size_t n = catalog_count(fresh), selected = 0, pos;
    struct buf key;

    buf_init(&key, 0); /* bounded by the catalogs' text */
    for (size_t i = 0; i < n; i++) {
        struct json_object *s = catalog_stream(fresh, i), *meta;
        const struct json_object *o = NULL;
        const char *id = catalog_stream_id(s);
        enum catalog_sync_mode mode;
        bool chose = false;
        int on;

        if (!is(s, json_type_object))
            continue;
        if (id && index_get(ids, id, &pos))
            o = catalog_stream(old, pos);
        /* Read everything wanted from o before writing to s: they may be
         * one and the same. */
        on = o ? stream_choice(o) : -1;
        meta = stream_meta_make(s);
        if (on < 0)
            on = default_on(meta);
        if (o) {
            const struct json_object *om = catalog_stream_meta(o);
            chose = jsonx_str(jsonx_get(om, "replication-method")) ||
                    jsonx_str(jsonx_get(om, "inlet-destination-mode"));
            carry_string(meta, om, "replication-method");
            carry_string(meta, om, "replication-key");
            carry_string(meta, om, "inlet-destination-mode");
        }
        /* A choice the stream no longer allows (its replication key gone, a
         * method now forced) becomes the default: nothing to report, the
         * stored mode just stays one the stream supports. */
        if (chose && !stored_mode(s, &mode))
            mode_write(s, default_mode(s));
        stream_set_selected(s, on == 1);
        merge_fields(s, o, &key);
        selected += on == 1;
    }
    buf_dispose(&key);
    json_object_put(ids);
    return selected;
}

int catalog_select(struct json_object *cat, const char *const *names, size_t n, bool all,
                   struct err *err)
{
    struct json_object *ids = NULL, *wanted = NULL;
    size_t count = catalog_count(cat), pos;
    int rc = 0;

    assert(all || n == 0 || names);
    if (!all) {
        /* Every name is checked before anything is written. */
        ids = index_streams(cat);
        wanted = json_object_new_object();
        for (size_t k = 0; k < n; k++) {
            assert(names[k]);
            if (!index_get(ids, names[k], &pos)) {
                struct buf q;
                buf_init(&q, 0);
                put_quoted(&q, names[k], strlen(names[k]));
                rc = err_set(err, ERR_NOTFOUND, "stream %s is not in the catalog", buf_cstr(&q));
                buf_dispose(&q);
                goto done;
            }
            if (!index_get(wanted, names[k], &pos))
                index_put(wanted, names[k], k);
        }
    }
    for (size_t i = 0; i < count; i++) {
        struct json_object *s = catalog_stream(cat, i);
        const char *id = catalog_stream_id(s);
        const struct json_object *md;
        bool on = all || (id && index_get(wanted, id, &pos));

        if (!is(s, json_type_object))
            continue;
        stream_set_selected(s, on);
        if (!on)
            continue;
        md = jsonx_get(s, "metadata");
        for (size_t j = 0; j < jsonx_len(md); j++) {
            const struct json_object *e = jsonx_at(md, j);
            if (is_field_entry(e))
                set_flag(entry_meta(e), "selected",
                         !str_is(jsonx_get(entry_meta(e), "inclusion"), "unsupported"));
        }
    }
done:
    json_object_put(ids);
    json_object_put(wanted);
    return rc;
}

int catalog_only(struct json_object *cat, const char *const *names, size_t n, struct err *err)
{
    for (size_t k = 0; k < n; k++) {
        struct json_object *s = catalog_stream_by_id(cat, names[k]);
        if (!s || !catalog_stream_selected(s)) {
            struct buf q;
            buf_init(&q, 0);
            put_quoted(&q, names[k], strlen(names[k]));
            int rc =
                s ? err_set(err, ERR_INVALID, "stream %s is not selected", buf_cstr(&q))
                  : err_set(err, ERR_NOTFOUND, "stream %s is not in the catalog", buf_cstr(&q));
            buf_dispose(&q);
            return rc;
        }
    }
    for (size_t i = 0; i < catalog_count(cat); i++) {
        struct json_object *s = catalog_stream(cat, i);
        const char *id = catalog_stream_id(s);
        bool named = false;
        for (size_t k = 0; k < n && !named; k++)
            named = strcmp(names[k], id) == 0;
        if (!named && catalog_stream_selected(s))
            stream_set_selected(s, false);
    }
    return 0;
}

/* The ids of a's streams that b lacks, as a JSON array. */
static void put_missing_streams(struct buf *out, const struct json_object *a,
                                const struct json_object *b)
{
    bool first = true;
    buf_putc(out, '[');
    for (size_t i = 0; i < catalog_count(a); i++) {
        const char *id = catalog_stream_id(catalog_stream(a, i));
        if (b && catalog_stream_by_id(b, id))
            continue;
        if (!first)
            buf_putc(out, ',');
        buf_put_json_str(out, id);
        first = false;
    }
    buf_putc(out, ']');
}

/* For each stream of a also in b: the top-level properties of its schema
 * that b's lacks, as {"id":[names]} (streams with none left out). */
static void put_missing_fields(struct buf *out, const struct json_object *a,
                               const struct json_object *b)
{
    bool first_stream = true;
    buf_putc(out, '{');
    for (size_t i = 0; b && i < catalog_count(a); i++) {
        struct json_object *sa = catalog_stream(a, i);
        struct json_object *sb = catalog_stream_by_id(b, catalog_stream_id(sa));
        struct json_object *pa = jsonx_get(jsonx_get(sa, "schema"), "properties");
        struct json_object *pb = jsonx_get(jsonx_get(sb, "schema"), "properties");
        bool first = true;
        if (!sb || !is(pa, json_type_object))
            continue;
        json_object_object_foreach(pa, name, v)
        {
            (void)v;
            if (is(pb, json_type_object) && jsonx_has(pb, name))
                continue;
            if (first) {
                if (!first_stream)
                    buf_putc(out, ',');
                buf_put_json_str(out, catalog_stream_id(sa));
                buf_puts(out, ":[");
                first_stream = false;
            } else {
                buf_putc(out, ',');
            }
            buf_put_json_str(out, name);
            first = false;
        }
        if (!first)
            buf_putc(out, ']');
    }
    buf_putc(out, '}');
}

void catalog_changes(struct buf *b, const struct json_object *old, const struct json_object *fresh)
{
    buf_puts(b, "{\"streams_added\":");
    put_missing_streams(b, fresh, old);
    buf_puts(b, ",\"streams_removed\":");
    if (old)
        put_missing_streams(b, old, fresh);
    else
        buf_puts(b, "[]");
    buf_puts(b, ",\"fields_added\":");
    put_missing_fields(b, fresh, old);
    buf_puts(b, ",\"fields_removed\":");
    put_missing_fields(b, old, fresh);
    buf_putc(b, '}');
}

/* The metadata of stream's entry for top-level field name, made when there
 * is none. */
static struct json_object *field_meta_make(struct json_object *stream, const char *name)
{
    struct json_object *md = jsonx_get(stream, "metadata");
    for (size_t j = 0; j < jsonx_len(md); j++) {
        struct json_object *e = jsonx_at(md, j), *bc = jsonx_get(e, "breadcrumb");
        if (is_field_entry(e) && jsonx_len(bc) == 2 && str_is(jsonx_at(bc, 1), name))
            return entry_meta(e);
    }
    (void)stream_meta_make(stream); /* makes "metadata" an array if it is not */
    md = jsonx_get(stream, "metadata");
    struct json_object *e = json_object_new_object(), *bc = json_object_new_array();
    struct json_object *meta = json_object_new_object();
    json_object_array_add(bc, json_object_new_string("properties"));
    json_object_array_add(bc, json_object_new_string(name));
    json_object_object_add(e, "breadcrumb", bc);
    json_object_object_add(e, "metadata", meta);
    json_object_array_add(md, e);
    return meta;
}

/* The inclusion of stream's top-level field name: its entry's, or NULL. */
static const char *field_inclusion(const struct json_object *stream, const char *name)
{
    const struct json_object *md = jsonx_get(stream, "metadata");
    for (size_t j = 0; j < jsonx_len(md); j++) {
        const struct json_object *e = jsonx_at(md, j), *bc = jsonx_get(e, "breadcrumb");
        if (is_field_entry(e) && jsonx_len(bc) == 2 && str_is(jsonx_at(bc, 1), name))
            return jsonx_str(jsonx_get(entry_meta(e), "inclusion"));
    }
    return NULL;
}

static bool in_names(const struct json_object *names, const char *name)
{
    for (size_t k = 0; k < jsonx_len(names); k++)
        if (str_is(jsonx_at(names, k), name))
            return true;
    return false;
}

/* Entry i's sync_mode v (not null) against stream s, quoted as q. */
static int choice_check_mode(const struct json_object *s, const struct json_object *v, size_t i,
                             const char *q, struct err *err)
{
    enum catalog_sync_mode m;
    struct err why;
    struct buf b;

    if (!is(v, json_type_string))
        return err_set(err, ERR_INVALID, "/streams/%zu/sync_mode: expected a string, got %s", i,
                       jsonx_type_name(v));
    if (!mode_lookup(&m, jsonx_str(v), jsonx_str_len(v))) {
        (void)mode_unknown(&why, jsonx_str(v), jsonx_str_len(v));
        return err_set(err, ERR_INVALID, "/streams/%zu/sync_mode: %s", i, why.msg);
    }
    if (catalog_stream_supports(s, m))
        return 0;
    buf_init(&b, 0);
    put_unsupported(&b, s);
    int rc = err_set(err, ERR_INVALID, "/streams/%zu/sync_mode: stream %s cannot use %s: %s", i, q,
                     modes[m].name, buf_cstr(&b));
    buf_dispose(&b);
    return rc;
}

/* Check entry i of choice against cat. */
static int choice_check(const struct json_object *cat, const struct json_object *entry, size_t i,
                        const struct json_object *choice, struct err *err)
{
    const struct json_object *id = jsonx_get(entry, "tap_stream_id");
    const struct json_object *fields = jsonx_get(entry, "fields");
    const struct json_object *mode = jsonx_get(entry, "sync_mode"); /* null: the default */
    struct buf q;
    int rc = 0;

    if (!is(entry, json_type_object))
        return err_set(err, ERR_INVALID, "/streams/%zu: expected an object", i);
    json_object_object_foreach((struct json_object *)entry, key, v)
    {
        (void)v;
        if (strcmp(key, "tap_stream_id") != 0 && strcmp(key, "fields") != 0 &&
            strcmp(key, "sync_mode") != 0)
            return err_set(err, ERR_INVALID,
                           "/streams/%zu/%s: unknown member (tap_stream_id, fields and sync_mode "
                           "are known)",
                           i, key);
    }
    if (!is(id, json_type_string) || !jsonx_str_len(id))
        return err_set(err, ERR_INVALID, "/streams/%zu/tap_stream_id: expected a stream id", i);
    buf_init(&q, 0);
    put_quoted(&q, jsonx_str(id), jsonx_str_len(id));
    struct json_object *s = catalog_stream_by_id(cat, jsonx_str(id));
    if (!s)
        rc = err_set(err, ERR_INVALID,
                     "/streams/%zu/tap_stream_id: stream %s is not in the "
                     "catalog",
                     i, buf_cstr(&q));
    for (size_t k = 0; rc == 0 && k < i; k++)
        if (str_is(jsonx_get(jsonx_at(choice, k), "tap_stream_id"), jsonx_str(id)))
            rc = err_set(err, ERR_INVALID,
                         "/streams/%zu/tap_stream_id: stream %s appears twice "
                         "(also /streams/%zu)",
                         i, buf_cstr(&q), k);
    if (rc == 0 && fields && !is(fields, json_type_array))
        rc = err_set(err, ERR_INVALID, "/streams/%zu/fields: expected an array of field names", i);
    const struct json_object *props = jsonx_get(jsonx_get(s, "schema"), "properties");
    for (size_t k = 0; rc == 0 && k < jsonx_len(fields); k++) {
        const struct json_object *f = jsonx_at(fields, k);
        const char *inc = NULL;
        if (!is(f, json_type_string) || !jsonx_str_len(f) ||
            strlen(jsonx_str(f)) != jsonx_str_len(f)) {
            rc = err_set(err, ERR_INVALID, "/streams/%zu/fields/%zu: expected a field name", i, k);
            break;
        }
        struct buf fq;
        buf_init(&fq, 0);
        put_quoted(&fq, jsonx_str(f), jsonx_str_len(f));
        if (!is(props, json_type_object) || !jsonx_has(props, jsonx_str(f)))
            rc = err_set(err, ERR_INVALID, "/streams/%zu/fields/%zu: stream %s has no field %s", i,
                         k, buf_cstr(&q), buf_cstr(&fq));
        else if ((inc = field_inclusion(s, jsonx_str(f))) && strcmp(inc, "unsupported") == 0)
            rc = err_set(err, ERR_INVALID,
                         "/streams/%zu/fields/%zu: field %s of stream %s cannot be synced (its "
                         "inclusion is unsupported)",
                         i, k, buf_cstr(&fq), buf_cstr(&q));
        buf_dispose(&fq);
    }
    if (rc == 0 && mode)
        rc = choice_check_mode(s, mode, i, buf_cstr(&q), err);
    buf_dispose(&q);
    return rc;
}

int catalog_choose(struct json_object *cat, const struct json_object *choice, struct err *err)
{
    if (!is(choice, json_type_array))
        return err_set(err, ERR_INVALID, "/streams: expected an array");
    for (size_t i = 0; i < jsonx_len(choice); i++) {
        int rc = choice_check(cat, jsonx_at(choice, i), i, choice, err);
        if (rc < 0)
            return rc;
    }
    for (size_t i = 0; i < catalog_count(cat); i++) {
        struct json_object *s = catalog_stream(cat, i), *entry = NULL;
        for (size_t k = 0; k < jsonx_len(choice) && !entry; k++)
            if (str_is(jsonx_get(jsonx_at(choice, k), "tap_stream_id"), catalog_stream_id(s)))
                entry = jsonx_at(choice, k);
        stream_set_selected(s, entry != NULL);
        if (!entry)
            continue;
        const struct json_object *mode = jsonx_get(entry, "sync_mode");
        enum catalog_sync_mode m = default_mode(s);
        if (mode)
            (void)mode_lookup(&m, jsonx_str(mode), jsonx_str_len(mode)); /* checked above */
        mode_write(s, m);
        const struct json_object *fields = jsonx_get(entry, "fields");
        struct json_object *props = jsonx_get(jsonx_get(s, "schema"), "properties");
        if (!is(props, json_type_object))
            continue;
        json_object_object_foreach(props, name, v)
        {
            (void)v;
            const char *inc = field_inclusion(s, name);
            bool on = inc && strcmp(inc, "automatic") == 0;
            if (!on && !(inc && strcmp(inc, "unsupported") == 0))
                on = !fields || in_names(fields, name);
            set_flag(field_meta_make(s, name), "selected", on);
        }
    }
    return 0;
}
