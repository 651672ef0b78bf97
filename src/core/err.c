/* core/err.c - filling struct err. Messages are cut at the first newline so
 * that a log line or an API error can never be split by one. */
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int err_set(struct err *err, enum err_code code, const char *fmt, ...)
{
    if (!err)
        return code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    for (char *p = err->msg; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    err->code = code;
    return code;
}

void err_clear(struct err *err)
{
    if (!err)
        return;
    err->code = ERR_OK;
    err->msg[0] = '\0';
}

const char *err_code_name(enum err_code code)
{
    switch (code) {
    case ERR_OK:
        return "ok";
    case ERR_INVALID:
        return "invalid";
    case ERR_NOTFOUND:
        return "not_found";
    case ERR_CONFLICT:
        return "conflict";
    case ERR_AGAIN:
        return "unavailable";
    case ERR_IO:
        return "io_error";
    case ERR_CRYPTO:
        return "crypto_error";
    case ERR_TOOBIG:
        return "too_big";
    }
    return "unknown";
}
