/* api/ui.c - the web UI: GET / is its page, GET /connect the connect page
 * of connect sessions (docs/embedding.md), GET /ui/{path...} their modules,
 * styles and the vendored preact and htm, all compiled into the binary
 * (scripts/embed, from web/ and node_modules/), so nothing is fetched from
 * anywhere else at run time. Any other /ui/ path without a file extension
 * is a page of the UI and gets the page too. The page and the assets are public: they hold
 * no data, and the API behind them asks for the session. */
#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "api/api_int.h"
#include "core/embed.h"
#include "core/encode.h"
#include "crypto/hash.h"

extern const struct embed_file web_files[];
extern const size_t web_files_count;

#define UI_PREFIX  "ui/"
#define UI_INDEX   "ui/index.html"
#define UI_CONNECT "ui/connect.html"
#define UI_MAX     128 /* embedded files; asserted at first use */
#define ETAG_CHARS 16

/* Per file, computed once: its ETag. For the page, the Content-Security-
 * Policy, which names the import map (the one inline script) by its hash,
 * so that no other inline script can run. */
static char etags[UI_MAX][ETAG_CHARS + 3];
static char csp[512], csp_connect[512];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void importmap_hash(char *out, size_t n, const char *html)
{
    static const char open[] = "<script type=\"importmap\">";
    const char *s = strstr(html, open);
    const char *e = s ? strstr(s, "</script>") : NULL;
    unsigned char sum[HASH_SHA256_LEN];
    char b64[ENCODE_B64_LEN(HASH_SHA256_LEN) + 1];

    if (!s || !e) {
        snprintf(out, n, "'none'");
        return;
    }
    s += sizeof(open) - 1;
    hash_sha256(sum, s, (size_t)(e - s));
    encode_b64_format(b64, sum, sizeof(sum));
    snprintf(out, n, "'sha256-%s'", b64);
}

static void prepare(void)
{
    char script[128] = "'none'", connect[128] = "'none'";

    assert(web_files_count <= UI_MAX);

    for (size_t i = 0; i < web_files_count; i++) {
        char hex[HASH_SHA256_HEX_LEN + 1];
        hash_sha256_hex(hex, web_files[i].data, web_files[i].len);
        snprintf(etags[i], sizeof(etags[i]), "\"%.*s\"", ETAG_CHARS, hex);
        if (strcmp(web_files[i].path, UI_INDEX) == 0)
            importmap_hash(script, sizeof(script), web_files[i].data);
        if (strcmp(web_files[i].path, UI_CONNECT) == 0)
            importmap_hash(connect, sizeof(connect), web_files[i].data);
    }
#define PAGE_CSP                                                                                   \
    "default-src 'none'; script-src 'self' %s; style-src 'self'; img-src 'self' data:%s;"          \
    " connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none';"                   \
    " frame-ancestors 'none'"
    snprintf(csp, sizeof(csp), PAGE_CSP, script, "");
    /* A tenant's logo on the connect page may come from its own site. */
    snprintf(csp_connect, sizeof(csp_connect), PAGE_CSP, connect, " https:");
#undef PAGE_CSP
}

static const char *type_of(const char *path)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
    };
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
        if (strcmp(dot, types[i].ext) == 0)
            return types[i].type;
    return "application/octet-stream";
}

/* The file UI_PREFIX + rest, or -1. */
static int find(const char *rest)
{
    size_t n = strlen(rest);
    for (size_t i = 0; i < web_files_count; i++) {
        const char *p = web_files[i].path;
        if (strncmp(p, UI_PREFIX, sizeof(UI_PREFIX) - 1) == 0 &&
            strlen(p + sizeof(UI_PREFIX) - 1) == n &&
            memcmp(p + sizeof(UI_PREFIX) - 1, rest, n) == 0)
            return (int)i;
    }
    return -1;
}

/* The assets revalidate on every load (no-cache + ETag): an upgraded
 * binary's UI is never mixed with the old one's cached modules. */
static void send(struct api_ctx *c, int i)
{
    const char *path = web_files[i].path;
    const char *match = http_req_header(c->req, "If-None-Match");

    http_resp_header(c->resp, "Cache-Control", "no-cache");
    http_resp_header(c->resp, "ETag", etags[i]);
    bool page = strcmp(path, UI_INDEX) == 0 || strcmp(path, UI_CONNECT) == 0;
    if (page) {
        http_resp_header(c->resp, "Content-Security-Policy",
                         strcmp(path, UI_INDEX) == 0 ? csp : csp_connect);
        http_resp_header(c->resp, "Referrer-Policy", "no-referrer");
        http_resp_header(c->resp, "X-Frame-Options", "DENY");
    }
    if (match && strcmp(match, etags[i]) == 0) {
        api_reply(c, 304);
        c->resp->content_type = type_of(path);
        return;
    }
    struct buf *b = api_reply(c, 200);
    c->resp->content_type = type_of(path);
    buf_put(b, web_files[i].data, web_files[i].len);
}

void api_ui_index(struct api_ctx *c)
{
    pthread_once(&once, prepare);
    int i = find("index.html");
    if (i < 0) {
        api_error(c, 404, "not_found", NULL, "this build has no web UI");
        return;
    }
    send(c, i);
}

void api_ui_connect(struct api_ctx *c)
{
    pthread_once(&once, prepare);
    int i = find("connect.html");
    if (i < 0) {
        api_error(c, 404, "not_found", NULL, "this build has no connect page");
        return;
    }
    send(c, i);
}

void api_ui_asset(struct api_ctx *c)
{
    pthread_once(&once, prepare);
    const char *rest = http_req_param(c->req, "path");
    int i = rest ? find(rest) : -1;
    /* A path whose last segment names no file (/ui/integrations/int_...)
     * is one of the UI's pages: the page routes it in the browser. */
    if (i < 0 && rest && !strchr(strrchr(rest, '/') ? strrchr(rest, '/') : rest, '.'))
        i = find("index.html");
    if (i < 0) {
        api_error(c, 404, "not_found", NULL, "no such file in the web UI");
        return;
    }
    send(c, i);
}
