/* fuzz/fuzz_catalog.c - arbitrary bytes into catalog_parse, and what is
 * accepted through catalog_merge and catalog_select. Besides memory errors
 * it checks properties: a refusal has a one-line message and leaves *out
 * alone; an accepted catalog, written with catalog_format, parses again to
 * the same catalog; merging with itself (the same object, or a copy) gives
 * the same result both ways and is then stable, merging with an empty
 * catalog is merging with none, and the count merge returns is the number
 * of selected streams; select(all) selects every stream and every field
 * that is not unsupported; an unknown name changes nothing; and whatever
 * merge and select write still passes catalog_parse. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json_object.h>

#include "core/buf.h"
#include "core/jsonx.h"
#include "singer/catalog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define check(c) ((c) ? (void)0 : fail(#c, __LINE__, NULL, NULL))

static void fail(const char *what, int line, const char *a, const char *b)
{
    fprintf(stderr, "fuzz_catalog.c:%d: %s\n", line, what);
    if (a)
        fprintf(stderr, "  first:  %.2000s\n  second: %.2000s\n", a, b);
    abort();
}

/* cat as text, owned by the caller's buf. */
static void text_of(struct buf *b, const struct json_object *cat)
{
    buf_init(b, 0);
    catalog_format(b, cat);
    check(!buf_failed(b));
}

static void same_text(const struct buf *a, const struct buf *b, int line)
{
    if (a->n != b->n || memcmp(buf_cstr(a), buf_cstr(b), a->n) != 0)
        fail("the same catalog", line, buf_cstr(a), buf_cstr(b));
}

/* Parse text that must be a catalog. */
static struct json_object *reparse(const struct buf *text)
{
    struct json_object *cat = NULL;
    struct err err;

    if (catalog_parse(&cat, text->p, text->n, &err) != 0)
        fail("written catalog parses again", __LINE__, text->p, err.msg);
    return cat;
}

static size_t count_selected(const struct json_object *cat)
{
    size_t n = 0;
    for (size_t i = 0; i < catalog_count(cat); i++)
        n += catalog_stream_selected(catalog_stream(cat, i));
    return n;
}

/* Every stream has an explicit "selected" in its stream metadata, and every
 * field entry one too, consistent with its inclusion. */
static void check_explicit(const struct json_object *cat)
{
    for (size_t i = 0; i < catalog_count(cat); i++) {
        const struct json_object *s = catalog_stream(cat, i), *md = jsonx_get(s, "metadata");
        check(
            json_object_is_type(jsonx_get(catalog_stream_meta(s), "selected"), json_type_boolean));
        for (size_t j = 0; j < jsonx_len(md); j++) {
            const struct json_object *m = jsonx_get(jsonx_at(md, j), "metadata");
            const struct json_object *sel = jsonx_get(m, "selected");
            const char *inc = jsonx_str(jsonx_get(m, "inclusion"));
            check(json_object_is_type(sel, json_type_boolean));
            if (inc && jsonx_len(jsonx_get(jsonx_at(md, j), "breadcrumb")) > 0) {
                if (strcmp(inc, "automatic") == 0)
                    check(json_object_get_boolean(sel));
                if (strcmp(inc, "unsupported") == 0)
                    check(!json_object_get_boolean(sel));
            }
        }
    }
}

static void check_merge(const struct json_object *cat, const struct buf *text)
{
    struct json_object *alias = reparse(text), *copy = reparse(text), *none = reparse(text);
    struct json_object *empty = NULL, *again;
    struct buf a, b, c;
    struct err err;
    size_t n;

    /* With itself: the same object, or a copy of it, comes to the same. */
    n = catalog_merge(alias, alias);
    check(n == count_selected(alias) && n <= catalog_count(alias));
    check(catalog_merge(copy, cat) == n);
    text_of(&a, alias);
    text_of(&b, copy);
    same_text(&a, &b, __LINE__);
    check_explicit(alias);
    /* What merge wrote is a catalog, and merging once more changes nothing. */
    again = reparse(&a);
    check(catalog_merge(again, alias) == n);
    text_of(&c, again);
    same_text(&a, &c, __LINE__);
    buf_dispose(&c);
    json_object_put(again);
    buf_dispose(&a);
    buf_dispose(&b);

    /* With an empty catalog, as with none. */
    check(catalog_parse(&empty, "{\"streams\":[]}", 14, &err) == 0);
    n = catalog_merge(copy, empty);
    check(n == count_selected(copy));
    check(catalog_merge(none, NULL) == n);
    text_of(&a, copy);
    text_of(&b, none);
    same_text(&a, &b, __LINE__);
    check_explicit(none);
    json_object_put(reparse(&a));
    buf_dispose(&a);
    buf_dispose(&b);
    json_object_put(empty);
    json_object_put(alias);
    json_object_put(copy);
    json_object_put(none);
}

static void check_select(const struct buf *text)
{
    struct json_object *cat = reparse(text);
    struct buf a, b;
    struct err err;
    const char *first;

    /* An unknown name: refused, nothing written. */
    check(catalog_select(cat, (const char *const[]){""}, 1, false, &err) == ERR_NOTFOUND);
    text_of(&a, cat);
    same_text(text, &a, __LINE__);
    buf_dispose(&a);

    check(catalog_select(cat, NULL, 0, true, &err) == 0);
    check(count_selected(cat) == catalog_count(cat));
    check_explicit(cat);
    for (size_t i = 0; i < catalog_count(cat); i++) {
        const struct json_object *md = jsonx_get(catalog_stream(cat, i), "metadata");
        for (size_t j = 0; j < jsonx_len(md); j++) {
            const struct json_object *m = jsonx_get(jsonx_at(md, j), "metadata");
            const char *inc = jsonx_str(jsonx_get(m, "inclusion"));
            if (jsonx_len(jsonx_get(jsonx_at(md, j), "breadcrumb")) > 0)
                check(json_object_get_boolean(jsonx_get(m, "selected")) ==
                      !(inc && strcmp(inc, "unsupported") == 0));
        }
    }
    text_of(&a, cat);
    json_object_put(reparse(&a));
    buf_dispose(&a);

    /* By name: exactly that stream. */
    first = catalog_stream_id(catalog_stream(cat, 0));
    if (first) {
        check(catalog_select(cat, &first, 1, false, &err) == 0);
        check(count_selected(cat) == 1 && catalog_stream_selected(catalog_stream(cat, 0)));
        check(catalog_stream_by_id(cat, first) == catalog_stream(cat, 0));
    }
    check(catalog_select(cat, NULL, 0, false, &err) == 0);
    check(count_selected(cat) == 0);
    text_of(&b, cat);
    json_object_put(reparse(&b));
    buf_dispose(&b);
    json_object_put(cat);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct json_object *cat = (struct json_object *)&size, *again;
    struct err err;
    struct buf text, text2;

    int rc = catalog_parse(&cat, (const char *)data, size, &err);
    if (rc < 0) {
        check(rc == ERR_INVALID || rc == ERR_TOOBIG);
        check(err.code == rc && err.msg[0] && !strchr(err.msg, '\n') && !strchr(err.msg, '\r'));
        check(cat == (struct json_object *)&size); /* *out untouched */
        return 0;
    }
    check(catalog_count(cat) <= CATALOG_STREAMS_MAX);
    for (size_t i = 0; i < catalog_count(cat); i++) {
        const struct json_object *s = catalog_stream(cat, i);
        check(catalog_stream_id(s) && *catalog_stream_id(s));
        check(catalog_stream_name(s) && *catalog_stream_name(s));
        check(catalog_stream_by_id(cat, catalog_stream_id(s)) == s);
    }

    /* Written and parsed again: the same catalog. */
    text_of(&text, cat);
    again = reparse(&text);
    text_of(&text2, again);
    same_text(&text, &text2, __LINE__);
    check(json_object_equal(cat, again));
    buf_dispose(&text2);
    json_object_put(again);

    check_merge(cat, &text);
    check_select(&text);
    buf_dispose(&text);
    json_object_put(cat);
    return 0;
}
