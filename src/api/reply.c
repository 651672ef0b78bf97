/* api/reply.c - how handlers answer: JSON bodies, errors in the one shape
 * every client parses, and the mapping from inlet's error codes to HTTP. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "api/api_int.h"
#include "core/log.h"
#include "core/time.h"

struct buf *api_reply(struct api_ctx *c, int status)
{
    c->resp->status = status;
    c->resp->content_type = NULL;
    buf_reset(&c->resp->body);
    return &c->resp->body;
}

void api_error(struct api_ctx *c, int status, const char *code, const char *details,
               const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    http_resp_error(c->resp, status, code, msg, details);
}

void api_invalid_field(struct api_ctx *c, const char *ptr, const char *fmt, ...)
{
    char msg[512];
    struct buf d;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    buf_init(&d, 0);
    buf_puts(&d, "[{\"pointer\":");
    buf_put_json_str(&d, ptr);
    buf_puts(&d, ",\"message\":");
    buf_put_json_str(&d, msg);
    buf_puts(&d, "}]");
    api_error(c, 422, "validation_failed", buf_cstr(&d), "%s: %s", ptr, msg);
    buf_dispose(&d);
}

void api_invalid_msg(struct api_ctx *c, const struct err *e)
{
    char ptr[128];
    const char *sep = strstr(e->msg, ": ");
    if (e->code != ERR_INVALID || e->msg[0] != '/' || !sep ||
        (size_t)(sep - e->msg) >= sizeof(ptr)) {
        api_fail(c, e);
        return;
    }
    snprintf(ptr, sizeof(ptr), "%.*s", (int)(sep - e->msg), e->msg);
    api_invalid_field(c, ptr, "%s", sep + 2);
}

/* The store's own messages name a field; a database's refusal names its
 * internals (constraints, columns), which stay in the log. */
static bool from_engine(const struct err *e)
{
    return strncmp(e->msg, "postgres:", 9) == 0 || strncmp(e->msg, "sqlite:", 7) == 0;
}

void api_fail(struct api_ctx *c, const struct err *e)
{
    switch (e->code) {
    case ERR_NOTFOUND:
        api_error(c, 404, "not_found", NULL, "%s", e->msg);
        return;
    case ERR_CONFLICT:
        if (from_engine(e)) {
            log_warn("database conflict", LOG_STR("route", c->req->route), LOG_ERROR(e));
            api_error(c, 409, "conflict", NULL,
                      "the request conflicts with a change made at the same time; retry it");
            return;
        }
        api_error(c, 409, "conflict", NULL, "%s", e->msg);
        return;
    case ERR_INVALID:
        if (from_engine(e)) {
            log_warn("database refused a value", LOG_STR("route", c->req->route), LOG_ERROR(e));
            api_error(c, 400, "invalid_request", NULL,
                      "a value in the request cannot be stored (text must be valid UTF-8)");
            return;
        }
        api_error(c, 422, "validation_failed", NULL, "%s", e->msg);
        return;
    case ERR_TOOBIG:
        api_error(c, 413, "payload_too_large", NULL, "%s", e->msg);
        return;
    case ERR_AGAIN:
        log_warn("request could not be served", LOG_STR("route", c->req->route), LOG_ERROR(e));
        http_resp_header(c->resp, "Retry-After", "1");
        api_error(c, 503, "unavailable", NULL, "the server is busy; retry in a moment");
        return;
    default:
        log_error("request failed", LOG_STR("route", c->req->route),
                  LOG_STR("method", c->req->method), LOG_ERROR(e));
        api_error(c, 500, "internal", NULL, "internal error; the server log has the details");
        return;
    }
}

void api_put_time(struct buf *b, int64_t unix_s)
{
    char s[TIME_RFC3339_MAX];
    if (!unix_s) {
        buf_puts(b, "null");
        return;
    }
    time_format_rfc3339_sec(s, unix_s * 1000);
    buf_printf(b, "\"%s\"", s);
}
