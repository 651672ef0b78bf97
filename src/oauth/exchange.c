/* oauth/exchange.c - see exchange.h. */
#include "oauth/exchange.h"

#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/encode.h"
#include "core/jsonx.h"
#include "core/str.h"
#include "http/fetch.h"

#define FORM_CAP 16384 /* bytes of a token request: room for every field, no regrowth */

/* Copy s into out as one printable line of at most n - 1 bytes: provider
 * text shown to a user must not carry markup controls or span lines. */
static void sanitize(char *out, size_t n, const char *s)
{
    size_t k = 0;
    for (; s && *s && k + 1 < n; s++) {
        if ((unsigned char)*s < ' ' || *s == 0x7f)
            out[k++] = ' ';
        else
            out[k++] = *s;
    }
    out[k] = '\0';
}

/* The request body; wiped and freed by the caller. Fixed capacity so that
 * no growth leaves a copy of a secret behind in freed memory. */
static int form_build(struct buf *b, const struct connector *c, const struct oauth_client *cl,
                      const char *const *fields, struct err *err)
{
    const char *how = jsonx_str(jsonx_get(c->auth, "client_auth"));
    bool basic = how && strcmp(how, "basic") == 0;

    buf_init(b, FORM_CAP);
    buf_reserve(b, FORM_CAP);
    for (size_t i = 0; fields[i] && fields[i + 1]; i += 2) {
        buf_printf(b, "%s%s=", b->n ? "&" : "", fields[i]);
        buf_put_urlenc(b, fields[i + 1], strlen(fields[i + 1]));
    }
    /* A public client names itself in the body; a confidential one
     * authenticates where the connector says. */
    if (!basic || !cl->secret.n) {
        buf_puts(b, "&client_id=");
        buf_put_urlenc(b, cl->client_id, strlen(cl->client_id));
    }
    if (!basic && cl->secret.n) {
        buf_puts(b, "&client_secret=");
        buf_put_urlenc(b, (const char *)cl->secret.p, cl->secret.n);
    }
    if (buf_failed(b))
        return err_set(err, ERR_TOOBIG, "token request over %d bytes", FORM_CAP);
    return 0;
}

/* "Authorization: Basic base64(urlenc(id):urlenc(secret))" (RFC 6749
 * section 2.3.1) into a secret. */
static void basic_header(struct secret *out, const struct oauth_client *cl)
{
    struct buf pair;
    buf_init(&pair, FORM_CAP);
    buf_reserve(&pair, FORM_CAP);
    buf_put_urlenc(&pair, cl->client_id, strlen(cl->client_id));
    buf_putc(&pair, ':');
    buf_put_urlenc(&pair, (const char *)cl->secret.p, cl->secret.n);
    size_t n = 21 + ENCODE_B64_LEN(pair.n) + 1;
    unsigned char *h = xmalloc(n);
    memcpy(h, "Authorization: Basic ", 21); // NOLINT(bugprone-not-null-terminated-result)
    encode_b64_format((char *)h + 21, pair.p, pair.n);
    secret_wipe(pair.p, pair.n);
    buf_dispose(&pair);
    secret_take(out, h, strlen((char *)h));
}

int oauth_post_form(struct fetch_resp *out, const struct connector *c, const char *url,
                    const struct oauth_client *cl, const char *const *fields, struct err *err)
{
    const char *how = jsonx_str(jsonx_get(c->auth, "client_auth"));
    struct secret auth = {0};
    struct buf body;

    memset(out, 0, sizeof(*out));
    int rc = form_build(&body, c, cl, fields, err);
    if (rc == 0) {
        struct fetch_req req = {.method = "POST",
                                .url = url,
                                .body = body.p,
                                .body_len = body.n,
                                .body_max = 1 << 20,
                                .headers = {"Content-Type: application/x-www-form-urlencoded",
                                            "Accept: application/json"}};
        if (how && strcmp(how, "basic") == 0 && cl->secret.n) {
            basic_header(&auth, cl);
            req.headers[2] = (const char *)auth.p;
        }
        rc = fetch(out, &req, err);
        secret_dispose(&auth);
    }
    secret_wipe(body.p, body.cap);
    buf_dispose(&body);
    return rc;
}

int oauth_exchange(struct json_object **out, char code[OAUTH_ERROR_CODE_MAX],
                   const struct connector *c, const char *token_url, const struct oauth_client *cl,
                   const char *const *fields, struct err *err)
{
    struct fetch_resp r;
    struct json_object *o = NULL;
    struct err pe;

    *out = NULL;
    code[0] = '\0';
    int rc = oauth_post_form(&r, c, token_url, cl, fields, err);
    if (rc < 0) {
        fetch_resp_dispose(&r);
        return rc;
    }
    if (jsonx_parse(&o, r.body.p, r.body.n, r.body.n + 1, &pe) < 0 ||
        !json_object_is_type(o, json_type_object)) {
        rc = err_set(err, ERR_IO, "%s answered %ld with something that is not a JSON object",
                     c->title, r.status);
    } else if (jsonx_has(o, "error") || r.status < 200 || r.status > 299) {
        char desc[160];
        sanitize(code, OAUTH_ERROR_CODE_MAX, jsonx_str(jsonx_get(o, "error")));
        sanitize(desc, sizeof(desc), jsonx_str(jsonx_get(o, "error_description")));
        rc = err_set(err, ERR_INVALID, "%s refused the token request (%ld): %s%s%s", c->title,
                     r.status, code[0] ? code : "no error code", desc[0] ? ": " : "", desc);
    } else if (!jsonx_str(jsonx_get(o, "access_token"))) {
        rc = err_set(err, ERR_IO, "%s answered without an access_token", c->title);
    }
    /* The answer held tokens. */
    secret_wipe(r.body.p, r.body.n);
    fetch_resp_dispose(&r);
    if (rc < 0) {
        json_object_put(o);
        return rc;
    }
    *out = o;
    return 0;
}

int oauth_tokens_text(struct secret *out, struct json_object *fresh, struct json_object *old,
                      struct err *err)
{
    static const char *const keep[] = {"access_token", "refresh_token", "token_type", "scope"};
    struct buf b;
    /* Fixed capacity: growth would leave copies of tokens in freed memory. */
    buf_init(&b, OAUTH_TOKENS_MAX);
    buf_reserve(&b, OAUTH_TOKENS_MAX);
    buf_putc(&b, '{');
    for (size_t i = 0, n = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
        const char *v = jsonx_str(jsonx_get(fresh, keep[i]));
        if (!v)
            v = jsonx_str(jsonx_get(old, keep[i]));
        if (!v)
            continue;
        buf_printf(&b, "%s\"%s\":", n++ ? "," : "", keep[i]);
        buf_put_json_str(&b, v);
    }
    buf_putc(&b, '}');
    bool failed = buf_failed(&b);
    if (!failed)
        secret_set(out, b.p, b.n);
    secret_wipe(b.p, b.cap);
    buf_dispose(&b);
    if (failed)
        return err_set(err, ERR_TOOBIG, "the provider's tokens are over %d bytes: not stored",
                       OAUTH_TOKENS_MAX);
    return 0;
}
