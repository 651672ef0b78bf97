/* notify/email.c - the email sender: one plain-text message per delivery
 * over SMTP through libcurl (smtp:// with STARTTLS required unless the
 * channel turns it off, or smtps://), with AUTH when the channel has a
 * user. The message is built here (RFC 5322): headers are ASCII (a
 * non-ASCII subject is an RFC 2047 encoded word), the body UTF-8 wrapped
 * at 76 columns, CRLF line ends; libcurl does the dot-stuffing. A 4xx
 * reply or no answer is retried, a 5xx is not. */
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/encode.h"
#include "core/str.h"
#include "core/time.h"
#include "notify/notify_int.h"

#define WRAP 76 /* columns of a body line */

struct reader {
    const char *p;
    size_t left;
};

static size_t on_read(char *out, size_t size, size_t n, void *ud)
{
    struct reader *r = ud;
    size_t k = size * n < r->left ? size * n : r->left;
    memcpy(out, r->p, k);
    r->p += k;
    r->left -= k;
    return k;
}

/* "Tue, 14 Nov 2023 22:13:20 +0000" (RFC 5322 section 3.3), names fixed
 * so that no locale changes them. */
static void put_date(struct buf *b, int64_t unix_s)
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t t = (time_t)unix_s;
    struct tm tm;
    if (!gmtime_r(&t, &tm)) {
        buf_puts(b, "Thu, 01 Jan 1970 00:00:00 +0000");
        return;
    }
    buf_printf(b, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday,
               months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* A header value: ASCII as it is (control characters become spaces), else
 * RFC 2047 encoded words of at most 45 bytes each, folded. */
static void put_header_text(struct buf *b, const char *s)
{
    size_t n = strlen(s);
    bool ascii = true;
    for (size_t i = 0; i < n; i++)
        ascii &= (unsigned char)s[i] < 0x80;
    if (ascii) {
        for (size_t i = 0; i < n; i++) {
            char ch = s[i];
            if ((unsigned char)ch < 0x20 || ch == 0x7f)
                ch = ' ';
            buf_putc(b, ch);
        }
        return;
    }
    for (size_t i = 0; i < n;) {
        size_t k = 0;
        while (i + k < n) {
            size_t q = str_utf8_seq(s + i + k, n - i - k);
            if (q == 0)
                q = 1;
            if (k + q > 45)
                break;
            k += q;
        }
        char enc[ENCODE_B64_LEN(45) + 1];
        encode_b64_format(enc, s + i, k);
        buf_printf(b, "%s=?UTF-8?B?%s?=", i ? "\r\n " : "", enc);
        i += k;
    }
}

/* Append text as body lines of at most WRAP columns where a space allows
 * (a longer word stays whole), "\n" becoming CRLF. */
static void put_wrapped(struct buf *b, const char *text)
{
    for (const char *line = text; *line;) {
        size_t len = strcspn(line, "\n");
        const char *p = line, *end = line + len;
        while (p < end) {
            size_t rest = (size_t)(end - p), cut = rest;
            if (rest > WRAP) {
                cut = WRAP;
                while (cut > 0 && p[cut] != ' ')
                    cut--;
                if (cut == 0) { /* one long word: up to its end */
                    cut = WRAP;
                    while (cut < rest && p[cut] != ' ')
                        cut++;
                }
            }
            buf_put(b, p, cut);
            buf_puts(b, "\r\n");
            p += cut;
            while (p < end && *p == ' ')
                p++;
        }
        if (len == 0)
            buf_puts(b, "\r\n");
        line = end + (*end == '\n');
    }
}

static void message(struct buf *b, const struct notify_config *c, const struct notify_msg *m,
                    int64_t now)
{
    buf_puts(b, "Date: ");
    put_date(b, now);
    buf_printf(b, "\r\nFrom: inlet <%s>\r\nTo: ", c->from);
    for (size_t i = 0; i < c->nto; i++)
        buf_printf(b, "%s%s", i ? ", " : "", c->to[i]);
    buf_printf(b, "\r\nMessage-ID: <%s@inlet>\r\nSubject: ", m->id);
    put_header_text(b, "[inlet] ");
    put_header_text(b, m->title);
    buf_printf(b, "\r\nX-Inlet-Event: %s\r\n", m->event);
    buf_puts(b, "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
                "Content-Transfer-Encoding: 8bit\r\n\r\n");
    put_wrapped(b, m->body);
    if (m->link) {
        buf_puts(b, "\r\nOpen it: ");
        buf_puts(b, m->link);
        buf_puts(b, "\r\n");
    }
    buf_printf(b, "\r\n-- \r\ninlet - %s - notification %s\r\n", m->event, m->id);
}

static int email_send(struct notify_result *res, const struct notify_config *c,
                      const struct notify_msg *m, long timeout_ms, int64_t now, struct err *err)
{
    struct curl_slist *rcpt = NULL;
    struct buf msg;
    char from[NOTIFY_ADDR_MAX + 3];
    int rc = 0;
    long code = 0;

    memset(res, 0, sizeof(*res));
    CURL *h = curl_easy_init();
    if (!h) {
        res->retry = true;
        return err_set(err, ERR_IO, "email: libcurl could not start a transfer");
    }
    buf_init(&msg, 0);
    message(&msg, c, m, now);
    struct reader rd = {msg.p, msg.n};
    snprintf(from, sizeof(from), "<%s>", c->from);
    for (size_t i = 0; i < c->nto; i++) {
        char to[NOTIFY_ADDR_MAX + 3];
        snprintf(to, sizeof(to), "<%s>", c->to[i]);
        struct curl_slist *next = curl_slist_append(rcpt, to);
        if (!next) {
            rc = err_set(err, ERR_IO, "email: out of memory for recipients");
            res->retry = true;
            goto done;
        }
        rcpt = next;
    }
    curl_easy_setopt(h, CURLOPT_URL, (const char *)c->url.p);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms < 10000 ? timeout_ms : 10000L);
    /* smtps:// is TLS from the start; over smtp:// a password never goes
     * in clear unless the channel says the server has no STARTTLS. */
    if (c->starttls)
        curl_easy_setopt(h, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
    if (c->username) {
        curl_easy_setopt(h, CURLOPT_USERNAME, c->username);
        curl_easy_setopt(h, CURLOPT_PASSWORD, (const char *)c->password.p);
    }
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(h, CURLOPT_READDATA, &rd);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)msg.n);
    int64_t t0 = time_mono_ms();
    CURLcode cc = curl_easy_perform(h);
    res->elapsed_ms = time_mono_ms() - t0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    res->status = code;
    if (cc == CURLE_OK)
        goto done;
    /* A 5xx reply and a refused login do not get better by waiting. */
    res->retry = !(code >= 500 || cc == CURLE_LOGIN_DENIED || cc == CURLE_USE_SSL_FAILED ||
                   cc == CURLE_UNSUPPORTED_PROTOCOL || cc == CURLE_URL_MALFORMAT);
    if (cc == CURLE_USE_SSL_FAILED)
        rc = err_set(err, ERR_INVALID,
                     "email: the server does not offer STARTTLS (turn starttls off only for a "
                     "server on a trusted network)");
    else if (code)
        rc = err_set(err, res->retry ? ERR_AGAIN : ERR_INVALID, "email: %s (SMTP reply %ld)",
                     curl_easy_strerror(cc), code);
    else
        rc = err_set(err, res->retry ? ERR_IO : ERR_INVALID, "email: %s", curl_easy_strerror(cc));
done:
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(h);
    buf_dispose(&msg);
    return rc;
}

const struct notify_sender notify__email = {NOTIFY_KIND_EMAIL, email_send};
