/* fuzz/fuzz_webhook_verify.c - arbitrary deliveries into webhook_verify,
 * under every scheme. The input reads like an HTTP request: a first line
 * "METHOD URI", header lines "Name: value", an empty line, then the body
 * (no empty line: no body). Each scheme has a fixed, valid secret, and the
 * clock is fixed at 1700000000, so the corpus holds deliveries signed for
 * both. Besides memory errors it checks properties: the code is 0,
 * ERR_CRYPTO or ERR_INVALID; a refusal has a non-empty one-line message
 * that holds no secret, and leaves *out zeroed; an accepted delivery has a
 * printable id without spaces and a timestamp inside the window, fails once
 * one body byte changes, and the answer is the same on a second call. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "webhook/verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW      1700000000
#define WINDOW   300
#define HDRS_MAX 16

static const char *const secrets[WEBHOOK_SCHEME_COUNT] = {
    [WEBHOOK_SLACK_V0] = "8f742231b10e8888abcd99yyyzzz85a5",
    [WEBHOOK_GITHUB_SHA256] = "It's a Secret to Everybody",
    [WEBHOOK_HUBSPOT_V3] = "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy",
    [WEBHOOK_HUBSPOT_V1] = "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy",
    [WEBHOOK_HUBSPOT_V2] = "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy",
    [WEBHOOK_ZENDESK] = "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ==",
    [WEBHOOK_INTERCOM_SHA1] = "intercom-client-secret",
    [WEBHOOK_JIRA_SHA256] = "jira-admin-secret",
    [WEBHOOK_STANDARD_WEBHOOKS] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
};

struct parsed {
    char *text; /* a NUL-terminated copy of the head, cut into pieces */
    const char *method, *uri;
    const char *name[HDRS_MAX], *value[HDRS_MAX];
    size_t n;
    uint8_t *body; /* a copy, so that a byte can be flipped */
    size_t body_n;
};

static const char *lookup(void *ctx, const char *name)
{
    const struct parsed *p = ctx;
    for (size_t i = 0; i < p->n; i++)
        if (strcasecmp(p->name[i], name) == 0)
            return p->value[i];
    return NULL;
}

static void parse(struct parsed *p, const uint8_t *data, size_t size)
{
    size_t head = size;
    const uint8_t *sep = NULL;
    for (size_t i = 0; i + 1 < size; i++)
        if (data[i] == '\n' && data[i + 1] == '\n') {
            sep = data + i;
            break;
        }
    if (sep)
        head = (size_t)(sep - data);
    memset(p, 0, sizeof(*p));
    p->text = malloc(head + 1);
    p->body_n = sep ? size - head - 2 : 0;
    p->body = malloc(p->body_n + 1);
    if (!p->text || !p->body)
        abort();
    memcpy(p->text, data, head);
    p->text[head] = '\0';
    if (p->body_n)
        memcpy(p->body, sep + 2, p->body_n);

    char *line = p->text, *next;
    for (int first = 1; line; line = next, first = 0) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (first) {
            char *sp = strchr(line, ' ');
            if (sp)
                *sp++ = '\0';
            p->method = line;
            p->uri = sp ? sp : "";
            continue;
        }
        char *colon = strchr(line, ':');
        if (!colon || p->n == HDRS_MAX)
            continue;
        *colon++ = '\0';
        while (*colon == ' ')
            colon++;
        p->name[p->n] = line;
        p->value[p->n++] = colon;
    }
}

static void check_refusal(int rc, const struct err *e, const struct webhook_verified *out,
                          const char *secret)
{
    if ((rc != ERR_CRYPTO && rc != ERR_INVALID) || e->code != rc || !e->msg[0] ||
        strchr(e->msg, '\n') || strstr(e->msg, secret) || out->id[0] || out->ts_ms)
        abort();
}

static void check_accepted(const struct webhook_verified *out)
{
    size_t n = strlen(out->id);
    if (n > WEBHOOK_ID_MAX)
        abort();
    for (size_t i = 0; i < n; i++)
        if (out->id[i] < 0x21 || out->id[i] > 0x7e)
            abort();
    if (out->ts_ms && (out->ts_ms < (int64_t)(NOW - WINDOW) * 1000 ||
                       out->ts_ms > (int64_t)(NOW + WINDOW) * 1000))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct parsed p;

    parse(&p, data, size);
    for (int s = 0; s < WEBHOOK_SCHEME_COUNT; s++) {
        struct secret key;
        struct webhook_verified out, again;
        struct err e, e2;
        struct webhook_request req = {p.method, p.uri, lookup, &p, p.body, p.body_n};

        secret_set(&key, secrets[s], strlen(secrets[s]));
        int rc = webhook_verify((enum webhook_scheme)s, &req, &key, NOW, WINDOW, &out, &e);
        int rc2 = webhook_verify((enum webhook_scheme)s, &req, &key, NOW, WINDOW, &again, &e2);
        if (rc != rc2 || memcmp(&out, &again, sizeof(out)) != 0 ||
            (rc < 0 && strcmp(e.msg, e2.msg) != 0))
            abort();
        if (rc < 0) {
            check_refusal(rc, &e, &out, secrets[s]);
        } else {
            check_accepted(&out);
            if (p.body_n) {
                p.body[p.body_n / 2] ^= 0x20;
                if (webhook_verify((enum webhook_scheme)s, &req, &key, NOW, WINDOW, &again, &e2) !=
                    ERR_CRYPTO)
                    abort();
                p.body[p.body_n / 2] ^= 0x20;
            }
        }
        secret_dispose(&key);
    }
    free(p.text);
    free(p.body);
    return 0;
}
