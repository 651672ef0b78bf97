/* fuzz/fuzz_engine_page.c - arbitrary bytes as a provider's answer to the
 * declarative engine: the first byte picks a pagination kind, the rest is
 * the body of every page (answers that page forever stop at a few pages).
 * Besides memory errors it checks properties: the stream either ends with
 * 0 and a count of records no larger than the pages could hold, or with
 * ERR_INVALID and a one-line message; a next-page URL is never followed
 * off the base URL (every request's path is the base's own: it starts with
 * "/" or "?", or is empty). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json_object.h>

#include "connectors/engine.h"
#include "core/jsonx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PAGES_MAX 4

static const char *const paginations[] = {
    "{\"type\":\"next_url\",\"path\":\"next\"}",
    "{\"type\":\"cursor\",\"path\":\"paging.next.after\",\"param\":\"after\"}",
    "{\"type\":\"offset\",\"param\":\"offset\",\"limit\":2}",
    "{\"type\":\"page\",\"param\":\"page\"}",
    "{\"type\":\"link_header\"}",
};
#define NPAG (sizeof(paginations) / sizeof(paginations[0]))

struct feed {
    const char *body;
    size_t n;
    int calls;
};

static int call(void *ctx, const struct engine_req *req, struct fetch_resp *out, struct err *err)
{
    struct feed *f = ctx;
    if (req->path[0] != '/' && req->path[0] != '?' && req->path[0] != '\0')
        abort(); /* a next URL followed off the base */
    memset(out, 0, sizeof(*out));
    buf_init(&out->head, 0);
    buf_init(&out->body, 0);
    if (++f->calls > PAGES_MAX)
        return err_set(err, ERR_IO, "enough pages");
    out->status = 200;
    buf_put(&out->head, f->body, f->n); /* the same bytes as headers: Link */
    buf_put(&out->body, f->body, f->n);
    return 0;
}

static int emit(void *ctx, const struct singer_msg *m, struct err *err)
{
    (void)ctx;
    (void)err;
    if (m->type == SINGER_RECORD && !json_object_is_type(m->record, json_type_object))
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    char file[1024];
    struct err e;
    snprintf(file, sizeof(file),
             "{\"name\":\"f\",\"base_url\":\"https://api.example.com/v1\",\"streams\":[{"
             "\"name\":\"s\",\"primary_key\":[\"id\"],\"request\":{\"path\":\"/s\"},\"records\":"
             "\"data\",\"flatten\":\"p\",\"drop\":[\"x\"],\"deleted\":{\"field\":\"d\"},"
             "\"pagination\":%s,\"incremental\":{\"cursor_field\":\"u\",\"sorted\":true}}]}",
             paginations[data[0] % NPAG]);
    static const char cat[] =
        "{\"tap_stream_id\":\"s\",\"schema\":{\"type\":\"object\",\"properties\":{\"id\":{},"
        "\"u\":{},\"n\":{\"type\":\"number\"},\"i\":{\"type\":\"integer\"},\"b\":{\"type\":"
        "\"boolean\"},\"d\":{}}},\"key_properties\":[\"id\"],\"metadata\":[{\"breadcrumb\":[],"
        "\"metadata\":{\"selected\":true,\"valid-replication-keys\":[\"u\"]}}]}";
    struct json_object *doc = NULL, *stream = NULL;
    if (jsonx_parse(&doc, file, strlen(file), 1 << 16, &e) != 0 ||
        jsonx_parse(&stream, cat, strlen(cat), 1 << 16, &e) != 0)
        abort();
    struct connector c = {.name = "f", .doc = doc};
    struct feed f = {(const char *)data + 1, size - 1, 0};
    struct engine_env env = {.c = &c, .base_url = "https://api.example.com/v1"};
    struct engine_io io = {.call = call, .emit = emit, .ctx = &f};
    struct engine_outcome out;
    int rc = engine_sync_stream(&out, &env, stream, NULL, false, &io, &e);
    if (rc < 0 && (e.msg[0] == '\0' || strchr(e.msg, '\n')))
        abort();
    json_object_put(doc);
    json_object_put(stream);
    return 0;
}
