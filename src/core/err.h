/* core/err.h - the one error convention used everywhere in inlet.
 * A fallible function returns 0 or a negative enum err_code and, when given a
 * struct err, fills it with a one-line message naming what was wrong and
 * where. Messages are set where a problem is found and passed up unchanged;
 * they never contain a secret. api/ maps codes to HTTP statuses in one place. */
#ifndef INLET_CORE_ERR_H
#define INLET_CORE_ERR_H

#define MUST_CHECK __attribute__((warn_unused_result))

enum err_code {
    ERR_OK = 0,
    ERR_INVALID = -1,  /* bad input; msg says what and where */
    ERR_NOTFOUND = -2, /* no such row, file or key */
    ERR_CONFLICT = -3, /* exists already, or changed underneath us */
    ERR_AGAIN = -4,    /* retryable: busy, rate limited, lease lost */
    ERR_IO = -5,       /* disk, network, database */
    ERR_CRYPTO = -6,   /* a sealed value failed to open: tampered or wrong key */
    ERR_TOOBIG = -7,   /* input over its size cap */
};

#define ERR_MSG_MAX 256

struct err {
    enum err_code code;
    char msg[ERR_MSG_MAX]; /* one line, never a secret */
};

/* Fill *err (when not NULL) with code and the formatted message, cut to one
 * line, and return code, so that `return err_set(err, ...);` reads well. */
int err_set(struct err *err, enum err_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Reset *err to ERR_OK with an empty message. NULL is a no-op. */
void err_clear(struct err *err);

/* A stable lower-case name for code ("invalid", "not_found", ...). */
const char *err_code_name(enum err_code code);

#endif
