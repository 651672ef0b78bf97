/* sync/call.c - see call.h. The credentials are made once per call and
 * again only after a 401; each attempt goes through the rate budget first,
 * and what it did is counted before deciding whether to send again. */
#include "sync/call.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "connectors/urls.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/encode.h"
#include "core/jsonx.h"
#include "core/log.h"
#include "core/secret.h"
#include "core/time.h"
#include "crypto/random.h"
#include "http/retry.h"
#include "oauth/token.h"
#include "store/api_usage.h"
#include "sync/budget.h"
#include "sync/quota.h"

#define AUTH_MAX 8192 /* bytes of an authentication header or query part */

/* The request's credentials, made once and wiped after. */
struct creds {
    struct buf header;    /* "Name: value", or empty */
    struct buf query;     /* "&name=value" for api_key in the query, or empty */
    struct secret access; /* oauth2: the token sent */
};

static void creds_init(struct creds *k)
{
    memset(k, 0, sizeof(*k));
    buf_init(&k->header, AUTH_MAX);
    buf_reserve(&k->header, AUTH_MAX);
    buf_init(&k->query, AUTH_MAX);
    buf_reserve(&k->query, AUTH_MAX);
}

static void creds_dispose(struct creds *k)
{
    secret_wipe(k->header.p, k->header.cap);
    secret_wipe(k->query.p, k->query.cap);
    buf_dispose(&k->header);
    buf_dispose(&k->query);
    secret_dispose(&k->access);
}

/* The integration's opened secrets (api_key, basic), parsed. */
static int secrets_of(struct json_object **out, const struct oauth_env *env,
                      const struct integration *it, struct err *err)
{
    struct secret plain = {0};
    int rc = db_begin_tenant_read(env->db, it->tenant_id, err);
    if (rc < 0)
        return rc;
    rc = integration_secrets_open(&plain, env->db, env->vault, it->tenant_id, it->id, err);
    db_rollback(env->db);
    if (rc == 0)
        rc = jsonx_parse(out, (const char *)plain.p, plain.n, plain.n + 1, err);
    secret_dispose(&plain);
    return rc;
}

/* Fill k for c's auth; stale: the OAuth token a 401 just refused. */
static int creds_make(struct creds *k, const struct oauth_env *env, const struct integration *it,
                      const struct connector *c, const char *stale, struct err *err)
{
    struct json_object *sec = NULL;
    int rc = 0;

    buf_reset(&k->header);
    buf_reset(&k->query);
    switch (c->auth_kind) {
    case CONNECTOR_AUTH_NONE:
        return 0;
    case CONNECTOR_AUTH_OAUTH2:
        secret_dispose(&k->access);
        rc = oauth_token_get(&k->access, NULL, env, it->tenant_id, it->id, stale, false, err);
        if (rc == 0)
            buf_printf(&k->header, "Authorization: Bearer %s", (const char *)k->access.p);
        return rc;
    case CONNECTOR_AUTH_BASIC: {
        if ((rc = secrets_of(&sec, env, it, err)) < 0)
            return rc;
        struct buf pair;
        buf_init(&pair, AUTH_MAX);
        buf_reserve(&pair, AUTH_MAX);
        buf_printf(&pair, "%s:%s", jsonx_str(jsonx_get(sec, "username")),
                   jsonx_str(jsonx_get(sec, "password")));
        char *b64 = xmalloc(ENCODE_B64_LEN(pair.n) + 1);
        encode_b64_format(b64, pair.p, pair.n);
        buf_printf(&k->header, "Authorization: Basic %s", b64);
        secret_wipe(b64, strlen(b64));
        xfree(b64);
        secret_wipe(pair.p, pair.cap);
        buf_dispose(&pair);
        break;
    }
    case CONNECTOR_AUTH_API_KEY: {
        if ((rc = secrets_of(&sec, env, it, err)) < 0)
            return rc;
        const char *field = jsonx_str(jsonx_get(c->auth, "secret"));
        field = field ? field : c->secret_names[0];
        const char *value = jsonx_str(jsonx_get(sec, field));
        const char *prefix = jsonx_str(jsonx_get(c->auth, "prefix"));
        const char *name = jsonx_str(jsonx_get(c->auth, "name"));
        const char *in = jsonx_str(jsonx_get(c->auth, "in"));
        if (!value) {
            rc = err_set(err, ERR_NOTFOUND, "integration %s has no %s: set its secrets", it->id,
                         field);
        } else if (in && strcmp(in, "query") == 0) {
            buf_printf(&k->query, "%s=", name);
            buf_put_urlenc(&k->query, value, strlen(value));
        } else {
            buf_printf(&k->header, "%s: %s%s", name, prefix ? prefix : "", value);
        }
        break;
    }
    }
    json_object_put(sec);
    if (rc == 0 && (buf_failed(&k->header) || buf_failed(&k->query)))
        rc = err_set(err, ERR_TOOBIG, "credentials too long for a request");
    return rc;
}

/* base_url + path, with the api_key query part; into url (wiped by the
 * caller when it holds a key). */
static int url_make(struct buf *url, const struct integration *it, const struct connector *c,
                    const char *path, const struct creds *k, struct err *err)
{
    struct json_object *cfg = NULL, *conn = NULL;
    int rc = jsonx_parse(&cfg, it->config, strlen(it->config), strlen(it->config) + 1, err);
    if (rc == 0)
        rc = jsonx_parse(&conn, it->connection, strlen(it->connection), strlen(it->connection) + 1,
                         err);
    if (rc == 0)
        rc = connector_url(url, c, "/base_url", cfg, jsonx_get(conn, "metadata"), err);
    if (rc == 0) {
        buf_puts(url, path);
        if (k->query.n)
            buf_printf(url, "%c%s", strchr(path, '?') ? '&' : '?', buf_cstr(&k->query));
    }
    json_object_put(cfg);
    json_object_put(conn);
    return rc;
}

int connector_base_url(struct buf *out, const struct integration *it, const struct connector *c,
                       struct err *err)
{
    struct creds none;
    creds_init(&none);
    int rc = url_make(out, it, c, "", &none, err);
    creds_dispose(&none);
    return rc;
}

static int send_once(struct fetch_resp *out, const struct integration *it,
                     const struct connector *c, const struct connector_req *req,
                     const struct creds *k, struct err *err)
{
    struct buf url, ctype;
    buf_init(&url, 0);
    buf_reserve(&url, 4096);
    buf_init(&ctype, 0);
    int rc = url_make(&url, it, c, req->path, k, err);
    if (rc == 0) {
        struct fetch_req f = {.method = req->method,
                              .url = buf_cstr(&url),
                              .body = req->body,
                              .body_len = req->body_len,
                              .timeout_ms = req->timeout_ms,
                              .body_max = req->body_max,
                              .headers = {"Accept: application/json"}};
        size_t h = 1;
        for (size_t i = 0; req->headers && req->headers[i] && i < CALL_HEADERS_MAX; i++) {
            if (strncasecmp(req->headers[i], "Accept:", 7) == 0)
                f.headers[0] = req->headers[i];
            else
                f.headers[h++] = req->headers[i];
        }
        if (k->header.n)
            f.headers[h++] = buf_cstr(&k->header);
        if (req->content_type) {
            buf_printf(&ctype, "Content-Type: %s", req->content_type);
            f.headers[h++] = buf_cstr(&ctype);
        }
        rc = fetch(out, &f, err);
    } else {
        memset(out, 0, sizeof(*out));
    }
    secret_wipe(url.p, url.cap);
    buf_dispose(&url);
    buf_dispose(&ctype);
    return rc;
}

/* Whether r says the token is no good: a 401, or for APIs that answer 200
 * with the error in the body (the file's auth_error), one of its values. */
static bool unauthorized(const struct connector *c, const struct fetch_resp *r)
{
    struct json_object *spec = jsonx_get(c->doc, "auth_error"), *o = NULL;
    struct err e;
    bool bad = false;

    if (r->status == 401)
        return true;
    if (!spec || r->status != 200 ||
        jsonx_parse(&o, r->body.p ? r->body.p : "", r->body.n, r->body.n + 1, &e) < 0)
        return false;
    const char *v = jsonx_str(jsonx_get(o, jsonx_str(jsonx_get(spec, "member"))));
    struct json_object *values = jsonx_get(spec, "values");
    for (size_t i = 0; v && i < jsonx_len(values) && !bad; i++)
        bad = strcmp(v, jsonx_str(jsonx_at(values, i))) == 0;
    json_object_put(o);
    return bad;
}

/* The policy with its defaults filled in. */
struct policy {
    int max_attempts;
    int64_t base_ms, max_ms, cap_ms;
    bool resend_failed; /* resend after a 5xx or a network error */
};

static struct policy policy_of(const struct connector_req *req)
{
    static const char *const safe[] = {"GET", "HEAD", "PUT", "DELETE", "OPTIONS"};
    struct policy p = {
        .max_attempts = req->max_attempts > 0 ? req->max_attempts : CALL_ATTEMPTS_DEFAULT,
        .base_ms = req->backoff_base_ms > 0 ? req->backoff_base_ms : CALL_BACKOFF_BASE_MS,
        .max_ms = req->backoff_max_ms > 0 ? req->backoff_max_ms : CALL_BACKOFF_MAX_MS,
        .cap_ms = req->wait_cap_ms > 0 ? req->wait_cap_ms : CALL_WAIT_CAP_MS_DEFAULT,
        .resend_failed = req->idempotent || (!req->method && !req->body),
    };
    if (p.max_ms < p.base_ms)
        p.max_ms = p.base_ms;
    for (size_t i = 0; req->method && i < sizeof(safe) / sizeof(safe[0]); i++)
        if (strcmp(req->method, safe[i]) == 0)
            p.resend_failed = true;
    return p;
}

/* Sleep ms, asking req->cancelled first and every CALL_CANCEL_POLL_MS;
 * false when it said stop. */
static bool nap(const struct connector_req *req, int64_t ms)
{
    int64_t end = time_mono_ms() + ms;
    for (;;) {
        if (req->cancelled && req->cancelled(req->cancel_ctx))
            return false;
        int64_t left = end - time_mono_ms();
        if (left <= 0)
            return true;
        if (left > CALL_CANCEL_POLL_MS)
            left = CALL_CANCEL_POLL_MS;
        struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)left * 1000000};
        /* An early wake-up (a signal) only means one more turn. */
        (void)nanosleep(&ts, NULL);
    }
}

/* Wait for a token of the integration's rate budget, if its connector
 * sets one; false when cancelled. */
static bool budget_wait(const struct connector_req *req, const struct connector *c,
                        const struct integration *it)
{
    struct budget b;
    int64_t wait;
    if (!budget_of(&b, c))
        return true;
    while ((wait = budget_take(&b, it->id, time_mono_ms())) > 0)
        if (!nap(req, wait))
            return false;
    return true;
}

static void count(struct call_usage *u, int rc, const struct fetch_resp *r, enum retry_kind kind)
{
    int64_t limit, remaining;
    if (rc == 0 && quota_parse(&limit, &remaining, r)) {
        u->quota_limit = limit;
        u->quota_remaining = remaining;
        u->quota_at_ms = time_now_ms();
    }
    u->calls++;
    if (rc < 0 || r->status < 200 || r->status > 399)
        u->errors++;
    if (rc == 0 && retry_kind_rate_limited(kind))
        u->rate_limited++;
}

static const char *kind_name(int rc, enum retry_kind kind)
{
    if (rc < 0)
        return "network";
    switch (kind) {
    case RETRY_RATE:
        return "rate_limited";
    case RETRY_DAILY:
        return "quota_spent";
    case RETRY_UNAVAILABLE:
        return "unavailable";
    case RETRY_SERVER:
        return "server_error";
    case RETRY_NONE:
        break;
    }
    return "answer";
}

/* Record u for it in a transaction of its own; a failure is logged (see
 * connector_call). */
static void usage_record(const struct oauth_env *env, const struct integration *it,
                         struct call_usage *u)
{
    struct err e;
    int rc = db_begin_tenant(env->db, it->tenant_id, &e);
    if (rc == 0) {
        rc = connector_usage_flush(env->db, it->tenant_id, it->id, u, time_now_ms(), &e);
        if (rc == 0)
            rc = db_commit(env->db, &e);
        else
            db_rollback(env->db);
    }
    if (rc < 0)
        log_warn("provider call: usage not recorded", LOG_STR("integration", it->id),
                 LOG_INT("calls", u->calls), LOG_ERROR(&e));
}

/* Log a retry: the status and the wait only, since the URL's query and
 * the headers can hold credentials (fetch's message names the URL without
 * its query). Rate limits are the provider working as designed: info;
 * failures: warn. */
static void log_retry(const struct integration *it, int rc, enum retry_kind kind,
                      const struct fetch_resp *out, int attempt, int64_t wait,
                      const struct err *err)
{
    if (rc < 0)
        log_warn("provider call: retrying", LOG_STR("integration", it->id),
                 LOG_STR("reason", kind_name(rc, kind)), LOG_INT("attempt", attempt),
                 LOG_INT("wait_ms", wait), LOG_ERROR(err));
    else if (kind == RETRY_SERVER || kind == RETRY_UNAVAILABLE)
        log_warn("provider call: retrying", LOG_STR("integration", it->id),
                 LOG_STR("reason", kind_name(rc, kind)), LOG_INT("status", out->status),
                 LOG_INT("attempt", attempt), LOG_INT("wait_ms", wait));
    else
        log_info("provider call: retrying", LOG_STR("integration", it->id),
                 LOG_STR("reason", kind_name(rc, kind)), LOG_INT("status", out->status),
                 LOG_INT("attempt", attempt), LOG_INT("wait_ms", wait));
}

/* After attempt number sent (the 401 resend aside) ended with rc and, when
 * rc is 0, the answer out of that kind: the milliseconds to wait before
 * sending again, or -1 to stop here, with rep->end saying why. */
static int64_t next_wait(struct call_report *rep, const struct policy *p,
                         const struct integration *it, int rc, enum retry_kind kind,
                         const struct fetch_resp *out, int sent, const struct err *err)
{
    bool failed = rc < 0 || kind == RETRY_SERVER || kind == RETRY_UNAVAILABLE;
    int64_t wait = -1;

    /* An answer to act on, an error that sending again will not cure (only
     * a network error may), or a failure of a request not safe to resend. */
    if ((rc == 0 && kind == RETRY_NONE) || (rc < 0 && rc != ERR_IO) ||
        (failed && !p->resend_failed))
        return -1;
    if (kind == RETRY_RATE || kind == RETRY_UNAVAILABLE || kind == RETRY_DAILY)
        wait = retry_wait_ms(out, time_now_ms());
    if (kind == RETRY_DAILY) {
        rep->end = CALL_DEFERRED;
        rep->resume_after_ms = wait > 0 ? wait : 0;
        log_warn("provider call: quota spent", LOG_STR("integration", it->id),
                 LOG_INT("status", out->status), LOG_INT("resume_after_ms", rep->resume_after_ms));
        return -1;
    }
    if (sent >= p->max_attempts) {
        rep->end = CALL_EXHAUSTED;
        log_warn("provider call: giving up", LOG_STR("integration", it->id),
                 LOG_STR("reason", kind_name(rc, kind)),
                 LOG_INT("status", rc == 0 ? out->status : 0), LOG_INT("attempts", rep->attempts));
        return -1;
    }
    if (wait < 0) {
        uint64_t rnd;
        random_bytes(&rnd, sizeof(rnd));
        wait = retry_backoff_ms(sent, p->base_ms, p->max_ms, rnd);
    }
    if (wait > p->cap_ms) {
        rep->end = CALL_DEFERRED;
        rep->resume_after_ms = wait;
        log_warn("provider call: wait over the cap, not retrying", LOG_STR("integration", it->id),
                 LOG_INT("status", rc == 0 ? out->status : 0), LOG_INT("wait_ms", wait),
                 LOG_INT("cap_ms", p->cap_ms));
        return -1;
    }
    log_retry(it, rc, kind, out, sent, wait, err);
    return wait;
}

int connector_call(struct fetch_resp *out, const struct oauth_env *env,
                   const struct integration *it, const struct connector *c,
                   const struct connector_req *req, struct err *err)
{
    struct policy p = policy_of(req);
    struct call_usage own = {0}, *u = req->usage ? req->usage : &own;
    struct call_report rep = {.end = CALL_ANSWERED};
    bool refreshed = false;
    struct creds k;

    creds_init(&k);
    memset(out, 0, sizeof(*out));
    /* rc is the outcome of the last step: what the call returns when it
     * stops, whichever way. */
    int rc = creds_make(&k, env, it, c, NULL, err);
    for (bool go = rc == 0; go;) {
        if (!budget_wait(req, c, it)) {
            rep.end = CALL_CANCELLED;
            if (rep.attempts == 0)
                rc = err_set(err, ERR_AGAIN, "call cancelled while waiting for the rate budget");
            break;
        }
        fetch_resp_dispose(out);
        rc = send_once(out, it, c, req, &k, err);
        rep.attempts++;
        enum retry_kind kind = rc == 0 ? retry_classify(out) : RETRY_NONE;
        count(u, rc, out, kind);
        /* A 401 to an OAuth token: one refresh (unless another caller did
         * it already), one resend. */
        if (rc == 0 && !refreshed && c->auth_kind == CONNECTOR_AUTH_OAUTH2 &&
            unauthorized(c, out)) {
            struct secret stale = k.access;
            k.access = (struct secret){0};
            refreshed = true;
            rc = creds_make(&k, env, it, c, (const char *)stale.p, err);
            secret_dispose(&stale);
            go = rc == 0;
            continue;
        }
        int64_t wait = next_wait(&rep, &p, it, rc, kind, out, rep.attempts - refreshed, err);
        if (wait < 0)
            break;
        if (!nap(req, wait)) {
            rep.end = CALL_CANCELLED;
            break;
        }
        rep.waited_ms += wait;
    }
    creds_dispose(&k);
    if (!req->usage && own.calls)
        usage_record(env, it, &own);
    if (req->report)
        *req->report = rep;
    return rc;
}

int connector_usage_flush(struct db *db, const char *tenant_id, const char *integration_id,
                          struct call_usage *u, int64_t now_ms, struct err *err)
{
    char day[API_USAGE_DAY_MAX];
    if (!u->calls && !u->errors && !u->rate_limited)
        return 0;
    api_usage_day(day, now_ms);
    int rc = api_usage_add(db, tenant_id, integration_id, day, u->calls, u->errors, u->rate_limited,
                           err);
    if (rc == 0 && u->quota_at_ms)
        rc = api_usage_quota(db, tenant_id, integration_id, day, u->quota_limit, u->quota_remaining,
                             u->quota_at_ms / 1000, err);
    if (rc == 0)
        *u = (struct call_usage){0};
    return rc;
}
