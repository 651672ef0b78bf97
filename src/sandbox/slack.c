/* sandbox/slack.c - the Slack emulator: OAuth v2 (the consent page,
 * oauth.v2.access, auth.revoke), the Web API methods a sync connector uses
 * (auth.test, conversations.list, users.list, conversations.history,
 * chat.postMessage) with Slack's HTTP 200 {"ok":false,"error":...} envelope
 * and cursor paging, and signed (v0) event deliveries through
 * POST /_sandbox/slack/events. The workspace is generated from the seed;
 * everything in it, and every grant call, is guarded by p->mu. Facts follow
 * shared/providers.md section 5; departures are in docs/sandbox.md. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "core/encode.h"
#include "core/form.h"
#include "core/jsonx.h"
#include "core/secret.h"
#include "crypto/hash.h"
#include "sandbox/names.h"
#include "sandbox/rng.h"
#include "sandbox/sandbox_int.h"

/* The emulated workspace, its app and its bot (fixed ids, Slack-shaped). */
#define SL_TEAM_ID       "T0SBXTEAM1"
#define SL_TEAM_NAME     "Sandbox Team"
#define SL_TEAM_URL      "https://sandbox-team.slack.com/"
#define SL_APP_ID        "A0SBXAPP01"
#define SL_BOT_USER_ID   "U0SBXBOT01"
#define SL_BOT_ID        "B0SBXBOT01"
#define SL_BOT_NAME      "inlet_sandbox"
#define SL_AUTHED_USER   "U0SBXUSER1" /* the test user who installs the app */
#define SL_DEFAULT_SCOPE "channels:read,channels:history,groups:read,users:read,chat:write"

/* Signs event deliveries; documented in docs/sandbox.md (public by design). */
#define SL_SIGNING_SECRET     sandbox_signing_secret(SANDBOX_SLACK)
#define SL_VERIFICATION_TOKEN "sandbox-verification-token"

#define SL_MSGS_PER_CHANNEL 3
#define SL_LIMIT_DEFAULT    100
#define SL_LIST_LIMIT_MAX   1000  /* conversations.list, users.list */
#define SL_HIST_LIMIT_MAX   999   /* conversations.history */
#define SL_TEXT_MAX         40000 /* characters Slack accepts in chat.postMessage */
#define SL_POSTS_MAX        65536 /* messages posted per run: bounds memory */
#define SL_YEAR_S           (365LL * 86400)
#define SL_BOT              UINT32_MAX /* sl_msg.user of the bot's own posts */
#define SL_ID_LEN           24
#define PAGE_MAX            65536 /* bytes of a consent page */
#define EVENT_MAX           65536 /* bytes of an event delivery request */

struct sl_msg {
    int64_t ts_us; /* the "ts": microseconds since the epoch, unique per channel */
    uint32_t user; /* index into users, or SL_BOT */
    char *text;    /* from xstrdup; owned */
};

struct sl_channel {
    char id[SL_ID_LEN];
    char name[80];
    bool is_private;
    int64_t created; /* unix seconds */
    uint32_t members;
    const char *purpose; /* borrowed from names.h */
    struct sl_msg *m;    /* from xrealloc; ascending ts; owned */
    size_t n, cap;
};

struct sl_user {
    char id[SL_ID_LEN];
    char name[80], real[80], email[120];
    const char *tz;  /* static */
    int64_t updated; /* unix seconds */
};

struct sl_state {
    struct sl_channel *ch; /* from xcalloc; owned */
    size_t nch;
    struct sl_user *u; /* from xcalloc; owned */
    size_t nu;
    size_t posted;   /* chat.postMessage calls stored so far */
    uint64_t events; /* event deliveries made (event ids) */
};

/* ---- the generated workspace ---- */

static const char *const tzs[] = {"America/Los_Angeles", "America/New_York", "Europe/London",
                                  "Europe/Berlin", "Asia/Tokyo"};

static const char *pick(struct rng *r, const struct names_list *l)
{
    return l->v[rng_below(r, l->n)];
}

/* Lower-case s into dst, with runs of other characters as one '-'. */
static void slug(char *dst, size_t n, const char *s)
{
    size_t j = 0;

    for (; *s && j + 1 < n; s++) {
        char c = *s;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            dst[j++] = c;
        else if (j && dst[j - 1] != '-')
            dst[j++] = '-';
    }
    dst[j] = '\0';
}

static void msg_add(struct sl_channel *c, int64_t ts_us, uint32_t user, const char *text)
{
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 4;
        c->m = xrealloc(c->m, c->cap * sizeof(*c->m));
    }
    c->m[c->n++] = (struct sl_msg){ts_us, user, xstrdup(text)};
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void gen_user(struct sl_user *u, size_t i, uint64_t seed, int64_t now_s)
{
    struct rng r;
    char first[40], last[40];

    rng_init(&r, rng_mix(seed, 0x51ac0000ULL + i));
    const char *f = pick(&r, &names_first), *l = pick(&r, &names_last);
    slug(first, sizeof(first), f);
    slug(last, sizeof(last), l);
    snprintf(u->id, sizeof(u->id), "U0%08X", (unsigned)(i + 1));
    snprintf(u->name, sizeof(u->name), "%.30s.%.30s%u", first, last, (unsigned)(i + 1));
    snprintf(u->real, sizeof(u->real), "%s %s", f, l);
    snprintf(u->email, sizeof(u->email), "%.80s@sandbox-team.test", u->name);
    u->tz = tzs[rng_below(&r, sizeof(tzs) / sizeof(tzs[0]))];
    u->updated = now_s - (int64_t)rng_below(&r, SL_YEAR_S);
}

static void gen_channel(struct sl_channel *c, size_t i, const struct sl_state *s, uint64_t seed,
                        int64_t now_s)
{
    struct rng r;
    char head[40], kind[40];
    int64_t ts[SL_MSGS_PER_CHANNEL];

    rng_init(&r, rng_mix(seed, 0xc4a0000000ULL + i));
    snprintf(c->id, sizeof(c->id), "C0%08X", (unsigned)(i + 1));
    slug(head, sizeof(head), pick(&r, &names_company_head));
    slug(kind, sizeof(kind), pick(&r, &names_deal_kind));
    if (i == 0)
        snprintf(c->name, sizeof(c->name), "general");
    else
        snprintf(c->name, sizeof(c->name), "%.30s-%.30s-%u", head, kind, (unsigned)(i + 1));
    c->is_private = i % 4 == 3;
    c->created = now_s - SL_YEAR_S - (int64_t)rng_below(&r, 30ULL * 86400);
    c->members = (uint32_t)(s->nu ? 1 + rng_below(&r, s->nu) : 0);
    c->purpose = pick(&r, &names_case_subject);
    for (size_t k = 0; k < SL_MSGS_PER_CHANNEL; k++)
        ts[k] =
            (now_s - (int64_t)rng_below(&r, SL_YEAR_S)) * 1000000 + (int64_t)rng_below(&r, 1000000);
    qsort(ts, SL_MSGS_PER_CHANNEL, sizeof(ts[0]), cmp_i64);
    for (size_t k = 0; k < SL_MSGS_PER_CHANNEL; k++) {
        char text[256];
        if (k && ts[k] <= ts[k - 1])
            ts[k] = ts[k - 1] + 1;
        snprintf(text, sizeof(text), "%s: %s for %s %s", pick(&r, &names_case_subject),
                 pick(&r, &names_deal_kind), pick(&r, &names_company_head),
                 pick(&r, &names_company_tail));
        msg_add(c, ts[k], s->nu ? (uint32_t)rng_below(&r, s->nu) : SL_BOT, text);
    }
}

static void state_free(void *v)
{
    struct sl_state *s = v;

    if (!s)
        return;
    for (size_t i = 0; i < s->nch; i++) {
        for (size_t k = 0; k < s->ch[i].n; k++)
            xfree(s->ch[i].m[k].text);
        xfree(s->ch[i].m);
    }
    xfree(s->ch);
    xfree(s->u);
    xfree(s);
}

int sb_slack_init(struct sb_provider *p, struct err *err)
{
    struct sl_state *s = xcalloc(1, sizeof(*s));
    int64_t now_s = p->sb->now_ms / 1000;

    (void)err;
    s->nu = p->sb->records;
    s->nch = p->sb->records;
    s->u = xcalloc(s->nu ? s->nu : 1, sizeof(*s->u));
    s->ch = xcalloc(s->nch ? s->nch : 1, sizeof(*s->ch));
    for (size_t i = 0; i < s->nu; i++)
        gen_user(&s->u[i], i, p->sb->seed, now_s);
    for (size_t i = 0; i < s->nch; i++)
        gen_channel(&s->ch[i], i, s, p->sb->seed, now_s);
    p->state = s;
    p->state_free = state_free;
    return 0;
}

/* ---- arguments: the query, a form body or a JSON body ---- */

struct sl_args {
    const struct http_req *req;
    struct form f;
    struct json_object *j; /* owned; NULL unless the body is JSON */
};

static void args_dispose(struct sl_args *a)
{
    form_dispose(&a->f);
    json_object_put(a->j);
    a->j = NULL;
}

/* Load a's body; false (with Slack's error name in *error) when malformed. */
static bool args_load(struct sl_args *a, const struct http_req *req, const char **error)
{
    const char *ct = http_req_header(req, "Content-Type");
    struct err e;

    *a = (struct sl_args){.req = req};
    if (!req->body_len)
        return true;
    if (ct && strncasecmp(ct, "application/json", 16) == 0) {
        if (jsonx_parse(&a->j, req->body, req->body_len, req->body_len + 1, &e) < 0 ||
            !json_object_is_type(a->j, json_type_object)) {
            *error = "invalid_json";
            return false;
        }
        return true;
    }
    if (form_parse(&a->f, req->body, req->body_len, &e) < 0) {
        *error = "invalid_form_data";
        return false;
    }
    return true;
}

/* The argument name from the body, else the query; borrowed; NULL when absent. */
static const char *arg(const struct sl_args *a, const char *name)
{
    if (a->j) {
        struct json_object *v = jsonx_get(a->j, name);
        if (v &&
            (json_object_is_type(v, json_type_string) || json_object_is_type(v, json_type_int) ||
             json_object_is_type(v, json_type_boolean)))
            return json_object_get_string(v);
    }
    const char *v = form_get(&a->f, name);
    return v ? v : http_req_query(a->req, name);
}

/* ---- replies ---- */

static void sl_error(struct http_resp *resp, const char *error)
{
    struct buf b;

    buf_init(&b, 256);
    buf_puts(&b, "{\"ok\":false,\"error\":");
    buf_put_json_str(&b, error);
    buf_puts(&b, "}");
    sb_json(resp, 200, buf_cstr(&b));
    buf_dispose(&b);
}

static void put_ts(struct buf *b, int64_t us)
{
    buf_printf(b, "\"%" PRId64 ".%06" PRId64 "\"", us / 1000000, us % 1000000);
}

/* "1700000000.000100" (or "1700000000") into microseconds. */
static bool ts_parse(const char *s, int64_t *us)
{
    int64_t sec = 0, frac = 0;
    size_t i = 0, d = 0;

    for (; s[i] >= '0' && s[i] <= '9'; i++) {
        if (i >= 12)
            return false;
        sec = sec * 10 + (s[i] - '0');
    }
    if (i == 0)
        return false;
    if (s[i] == '.')
        for (i++; s[i] >= '0' && s[i] <= '9'; i++, d++)
            if (d < 6)
                frac = frac * 10 + (s[i] - '0');
    if (s[i])
        return false;
    for (; d < 6; d++)
        frac *= 10;
    *us = sec * 1000000 + frac;
    return true;
}

/* ---- the Web API's common start: count, parse, authenticate ---- */

static const char *check_error(enum sb_check c)
{
    switch (c) {
    case SB_OK:
        return NULL;
    case SB_REVOKED:
        return "token_revoked";
    case SB_EXPIRED:
        return "token_expired";
    default:
        return "invalid_auth";
    }
}

/* The request's token: Authorization: Bearer, else the token argument. */
static const char *token_of(const struct sl_args *a)
{
    const char *auth = http_req_header(a->req, "Authorization");

    if (auth && strncasecmp(auth, "Bearer ", 7) == 0)
        return auth + 7;
    return arg(a, "token");
}

/* Count the call (as a data call, or a revoke), load its arguments and
 * check its token. False when resp holds the error already. Always
 * dispose a. */
static bool call_begin_as(struct http_req *req, struct http_resp *resp, struct sl_args *a,
                          bool revoke)
{
    struct sb_provider *p = sb_of(req);
    const char *error = NULL, *tok;

    pthread_mutex_lock(&p->mu);
    if (revoke)
        p->counters.revoke++;
    else
        p->counters.data++;
    pthread_mutex_unlock(&p->mu);
    if (!args_load(a, req, &error)) {
        sl_error(resp, error);
        return false;
    }
    tok = token_of(a);
    if (!tok || !tok[0]) {
        sl_error(resp, "not_authed");
        return false;
    }
    pthread_mutex_lock(&p->mu);
    error = check_error(sb_access_check(p, tok, sb_now_ms()));
    pthread_mutex_unlock(&p->mu);
    if (error) {
        sl_error(resp, error);
        return false;
    }
    return true;
}

static bool call_begin(struct http_req *req, struct http_resp *resp, struct sl_args *a)
{
    return call_begin_as(req, resp, a, false);
}

/* limit: absent or 0 is the default; above max is max. */
static bool limit_parse(const struct sl_args *a, size_t max, size_t *out)
{
    const char *s = arg(a, "limit");
    char *end;

    *out = SL_LIMIT_DEFAULT;
    if (!s || !s[0])
        return true;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end || s[0] == '-')
        return false;
    if (v)
        *out = v > max ? max : (size_t)v;
    return true;
}

/* Cursors are base64 of "<kind>:<value>", as Slack's are ("dXNlcjpVMDYx..."
 * is "user:U061..."). */
static void cursor_format(struct buf *b, const char *kind, const char *value)
{
    char raw[64], enc[ENCODE_B64_LEN(64) + 1];
    int n = snprintf(raw, sizeof(raw), "%s:%s", kind, value);

    enc[encode_b64_format(enc, raw, (size_t)n)] = '\0';
    buf_put_json_str(b, enc);
}

/* The value of a cursor of kind; false when it is not one. */
static bool cursor_parse(const char *cur, const char *kind, char *value, size_t n)
{
    char raw[ENCODE_B64_DECODED_MAX(128) + 1];
    size_t len, k = strlen(kind);

    if (strlen(cur) > 128 || encode_b64_parse(raw, &len, cur, strlen(cur), NULL, NULL) < 0)
        return false;
    raw[len] = '\0';
    if (len <= k || strncmp(raw, kind, k) != 0 || raw[k] != ':' || len - k - 1 >= n)
        return false;
    memcpy(value, raw + k + 1, len - k);
    return true;
}

/* The index of "<c>0XXXXXXXX" ids among n; false when not one of them. */
static bool id_index(const char *id, char c, size_t n, size_t *out)
{
    char *end;

    if (strlen(id) != 10 || id[0] != c || id[1] != '0')
        return false;
    unsigned long long v = strtoull(id + 2, &end, 16);
    if (*end || v == 0 || v > n)
        return false;
    *out = (size_t)v - 1;
    return true;
}

/* The start index named by the cursor argument (0 when none). */
static bool list_start(const struct sl_args *a, const char *kind, char c, size_t n, size_t *start)
{
    const char *cur = arg(a, "cursor");
    char id[SL_ID_LEN];

    *start = 0;
    if (!cur || !cur[0])
        return true;
    return cursor_parse(cur, kind, id, sizeof(id)) && id_index(id, c, n, start);
}

/* ---- Web API methods ---- */

static void auth_test(struct http_req *req, struct http_resp *resp)
{
    struct sl_args a;

    if (call_begin(req, resp, &a))
        sb_json(resp, 200,
                "{\"ok\":true,\"url\":\"" SL_TEAM_URL "\",\"team\":\"" SL_TEAM_NAME
                "\",\"user\":\"" SL_BOT_NAME "\",\"team_id\":\"" SL_TEAM_ID
                "\",\"user_id\":\"" SL_BOT_USER_ID "\",\"bot_id\":\"" SL_BOT_ID
                "\",\"is_enterprise_install\":false}");
    args_dispose(&a);
}

/* types: which of public_channel and private_channel to list; mpim and im
 * are valid but the workspace has none. */
static bool types_parse(const char *s, bool *pub, bool *priv)
{
    char copy[256];
    char *save = NULL;

    *pub = !s || !s[0];
    *priv = false;
    if (!s || !s[0])
        return true;
    if (strlen(s) >= sizeof(copy))
        return false;
    memcpy(copy, s, strlen(s) + 1);
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (strcmp(t, "public_channel") == 0)
            *pub = true;
        else if (strcmp(t, "private_channel") == 0)
            *priv = true;
        else if (strcmp(t, "mpim") != 0 && strcmp(t, "im") != 0)
            return false;
    }
    return true;
}

static void put_channel(struct buf *b, const struct sl_channel *c)
{
    buf_puts(b, "{\"id\":");
    buf_put_json_str(b, c->id);
    buf_puts(b, ",\"name\":");
    buf_put_json_str(b, c->name);
    buf_printf(b,
               ",\"is_channel\":%s,\"is_group\":%s,\"is_im\":false,\"is_mpim\":false,"
               "\"is_private\":%s,\"created\":%" PRId64 ",\"is_archived\":false,"
               "\"is_general\":%s,\"name_normalized\":",
               c->is_private ? "false" : "true", c->is_private ? "true" : "false",
               c->is_private ? "true" : "false", c->created,
               strcmp(c->name, "general") == 0 ? "true" : "false");
    buf_put_json_str(b, c->name);
    buf_printf(b,
               ",\"is_member\":true,\"num_members\":%u,\"topic\":{\"value\":\"\",\"creator\":\"\","
               "\"last_set\":0},\"purpose\":{\"value\":",
               c->members);
    buf_put_json_str(b, c->purpose);
    buf_puts(b, ",\"creator\":\"\",\"last_set\":0}}");
}

static void conversations_list(struct http_req *req, struct http_resp *resp)
{
    struct sb_provider *p = sb_of(req);
    struct sl_args a;
    size_t limit, start, got = 0, i;
    bool pub, priv;
    struct buf b;

    if (!call_begin(req, resp, &a))
        goto done;
    if (!limit_parse(&a, SL_LIST_LIMIT_MAX, &limit)) {
        sl_error(resp, "invalid_limit");
        goto done;
    }
    if (!types_parse(arg(&a, "types"), &pub, &priv)) {
        sl_error(resp, "invalid_types");
        goto done;
    }
    buf_init(&b, HTTP_RESP_MAX);
    pthread_mutex_lock(&p->mu);
    const struct sl_state *s = p->state;
    if (!list_start(&a, "channel", 'C', s->nch, &start)) {
        pthread_mutex_unlock(&p->mu);
        buf_dispose(&b);
        sl_error(resp, "invalid_cursor");
        goto done;
    }
    buf_puts(&b, "{\"ok\":true,\"channels\":[");
    for (i = start; i < s->nch; i++) {
        const struct sl_channel *c = &s->ch[i];
        if (c->is_private ? !priv : !pub)
            continue;
        if (got == limit)
            break;
        if (got++)
            buf_putc(&b, ',');
        put_channel(&b, c);
    }
    buf_puts(&b, "],\"response_metadata\":{\"next_cursor\":");
    if (i < s->nch)
        cursor_format(&b, "channel", s->ch[i].id);
    else
        buf_puts(&b, "\"\"");
    pthread_mutex_unlock(&p->mu);
    buf_puts(&b, "}}");
    sb_json(resp, 200, buf_cstr(&b));
    buf_dispose(&b);
done:
    args_dispose(&a);
}

static void put_user(struct buf *b, const struct sl_user *u)
{
    buf_puts(b, "{\"id\":");
    buf_put_json_str(b, u->id);
    buf_puts(b, ",\"team_id\":\"" SL_TEAM_ID "\",\"name\":");
    buf_put_json_str(b, u->name);
    buf_puts(b, ",\"deleted\":false,\"real_name\":");
    buf_put_json_str(b, u->real);
    buf_puts(b, ",\"tz\":");
    buf_put_json_str(b, u->tz);
    buf_puts(b, ",\"profile\":{\"email\":");
    buf_put_json_str(b, u->email);
    buf_puts(b, ",\"real_name\":");
    buf_put_json_str(b, u->real);
    buf_puts(b, ",\"display_name\":");
    buf_put_json_str(b, u->name);
    buf_printf(
        b, "},\"is_admin\":false,\"is_bot\":false,\"is_app_user\":false,\"updated\":%" PRId64 "}",
        u->updated);
}

static void users_list(struct http_req *req, struct http_resp *resp)
{
    struct sb_provider *p = sb_of(req);
    struct sl_args a;
    size_t limit, start, i;
    struct buf b;

    if (!call_begin(req, resp, &a))
        goto done;
    if (!limit_parse(&a, SL_LIST_LIMIT_MAX, &limit)) {
        sl_error(resp, "invalid_limit");
        goto done;
    }
    buf_init(&b, HTTP_RESP_MAX);
    pthread_mutex_lock(&p->mu);
    const struct sl_state *s = p->state;
    if (!list_start(&a, "user", 'U', s->nu, &start)) {
        pthread_mutex_unlock(&p->mu);
        buf_dispose(&b);
        sl_error(resp, "invalid_cursor");
        goto done;
    }
    buf_puts(&b, "{\"ok\":true,\"members\":[");
    for (i = start; i < s->nu && i - start < limit; i++) {
        if (i > start)
            buf_putc(&b, ',');
        put_user(&b, &s->u[i]);
    }
    buf_puts(&b, "],\"cache_ts\":");
    buf_printf(&b, "%" PRId64 ",\"response_metadata\":{\"next_cursor\":", sb_now_ms() / 1000);
    if (i < s->nu)
        cursor_format(&b, "user", s->u[i].id);
    else
        buf_puts(&b, "\"\"");
    pthread_mutex_unlock(&p->mu);
    buf_puts(&b, "}}");
    sb_json(resp, 200, buf_cstr(&b));
    buf_dispose(&b);
done:
    args_dispose(&a);
}

/* The channel named by id ("C0...") or name ("general", "#general"). */
static struct sl_channel *channel_find(struct sl_state *s, const char *key)
{
    size_t i;

    if (!key || !key[0])
        return NULL;
    if (id_index(key, 'C', s->nch, &i))
        return &s->ch[i];
    if (key[0] == '#')
        key++;
    for (i = 0; i < s->nch; i++)
        if (strcmp(s->ch[i].name, key) == 0)
            return &s->ch[i];
    return NULL;
}

static void put_msg(struct buf *b, const struct sl_state *s, const struct sl_msg *m)
{
    buf_puts(b, "{\"type\":\"message\",\"user\":");
    buf_put_json_str(b, m->user == SL_BOT ? SL_BOT_USER_ID : s->u[m->user].id);
    if (m->user == SL_BOT)
        buf_puts(b, ",\"bot_id\":\"" SL_BOT_ID "\",\"app_id\":\"" SL_APP_ID "\"");
    buf_puts(b, ",\"text\":");
    buf_put_json_str(b, m->text);
    buf_puts(b, ",\"ts\":");
    put_ts(b, m->ts_us);
    buf_puts(b, ",\"team\":\"" SL_TEAM_ID "\"}");
}

/* Newest first, between oldest and latest (exclusive unless inclusive=true
 * or 1), limit per page; the cursor is base64("next_ts:<us>"), the ts of
 * the next message to return. */
static void conversations_history(struct http_req *req, struct http_resp *resp)
{
    struct sb_provider *p = sb_of(req);
    struct sl_args a;
    size_t limit, got = 0;
    int64_t oldest = 0, latest = INT64_MAX, from = INT64_MAX;
    const char *s_old, *s_lat, *cur, *incl;
    bool inclusive;
    char value[32];
    struct buf b;

    if (!call_begin(req, resp, &a))
        goto done;
    s_old = arg(&a, "oldest");
    s_lat = arg(&a, "latest");
    cur = arg(&a, "cursor");
    incl = arg(&a, "inclusive");
    inclusive = incl && (strcmp(incl, "true") == 0 || strcmp(incl, "1") == 0);
    if (!limit_parse(&a, SL_HIST_LIMIT_MAX, &limit)) {
        sl_error(resp, "invalid_limit");
        goto done;
    }
    if (s_old && s_old[0] && !ts_parse(s_old, &oldest)) {
        sl_error(resp, "invalid_ts_oldest");
        goto done;
    }
    if (s_lat && s_lat[0] && !ts_parse(s_lat, &latest)) {
        sl_error(resp, "invalid_ts_latest");
        goto done;
    }
    if (cur && cur[0] &&
        (!cursor_parse(cur, "next_ts", value, sizeof(value)) || !ts_parse(value, &from))) {
        sl_error(resp, "invalid_cursor");
        goto done;
    }
    if (!inclusive) {
        oldest += oldest < INT64_MAX;
        latest -= latest > 0;
    }
    pthread_mutex_lock(&p->mu);
    struct sl_state *s = p->state;
    const struct sl_channel *c = channel_find(s, arg(&a, "channel"));
    if (!c) {
        pthread_mutex_unlock(&p->mu);
        sl_error(resp, "channel_not_found");
        goto done;
    }
    buf_init(&b, HTTP_RESP_MAX);
    buf_puts(&b, "{\"ok\":true,\"messages\":[");
    size_t k = c->n;
    int64_t hi = latest < from ? latest : from;
    while (k > 0 && c->m[k - 1].ts_us > hi)
        k--;
    for (; k > 0 && c->m[k - 1].ts_us >= oldest && got < limit; k--) {
        if (got++)
            buf_putc(&b, ',');
        put_msg(&b, s, &c->m[k - 1]);
    }
    bool more = k > 0 && c->m[k - 1].ts_us >= oldest;
    buf_printf(&b, "],\"has_more\":%s,\"pin_count\":0,\"response_metadata\":{\"next_cursor\":",
               more ? "true" : "false");
    if (more) {
        snprintf(value, sizeof(value), "%" PRId64 ".%06" PRId64, c->m[k - 1].ts_us / 1000000,
                 c->m[k - 1].ts_us % 1000000);
        cursor_format(&b, "next_ts", value);
    } else {
        buf_puts(&b, "\"\"");
    }
    pthread_mutex_unlock(&p->mu);
    buf_puts(&b, "}}");
    sb_json(resp, 200, buf_cstr(&b));
    buf_dispose(&b);
done:
    args_dispose(&a);
}

static void chat_post_message(struct http_req *req, struct http_resp *resp)
{
    struct sb_provider *p = sb_of(req);
    struct sl_args a;
    const char *text;
    struct buf b;

    if (!call_begin(req, resp, &a))
        goto done;
    text = arg(&a, "text");
    if (!text || !text[0]) {
        sl_error(resp, "no_text");
        goto done;
    }
    if (strlen(text) > SL_TEXT_MAX) {
        sl_error(resp, "msg_too_long");
        goto done;
    }
    pthread_mutex_lock(&p->mu);
    struct sl_state *s = p->state;
    struct sl_channel *c = channel_find(s, arg(&a, "channel"));
    if (!c || s->posted >= SL_POSTS_MAX) {
        pthread_mutex_unlock(&p->mu);
        sl_error(resp, c ? "rate_limited" : "channel_not_found");
        goto done;
    }
    int64_t ts = sb_now_ms() * 1000;
    if (c->n && ts <= c->m[c->n - 1].ts_us)
        ts = c->m[c->n - 1].ts_us + 1;
    msg_add(c, ts, SL_BOT, text);
    s->posted++;
    buf_init(&b, HTTP_RESP_MAX);
    buf_puts(&b, "{\"ok\":true,\"channel\":");
    buf_put_json_str(&b, c->id);
    buf_puts(&b, ",\"ts\":");
    put_ts(&b, ts);
    buf_puts(&b, ",\"message\":");
    put_msg(&b, s, &c->m[c->n - 1]);
    pthread_mutex_unlock(&p->mu);
    buf_puts(&b, "}");
    sb_json(resp, 200, buf_cstr(&b));
    buf_dispose(&b);
done:
    args_dispose(&a);
}

/* auth.revoke: the token of the call itself; test=true is a dry run. */
static void auth_revoke(struct http_req *req, struct http_resp *resp)
{
    struct sb_provider *p = sb_of(req);
    struct sl_args a;
    const char *test;
    bool dry;

    if (!call_begin_as(req, resp, &a, true))
        goto done;
    test = arg(&a, "test");
    dry = test && (strcmp(test, "true") == 0 || strcmp(test, "1") == 0);
    if (!dry) {
        pthread_mutex_lock(&p->mu);
        (void)sb_revoke(p, token_of(&a));
        pthread_mutex_unlock(&p->mu);
    }
    sb_json(resp, 200, dry ? "{\"ok\":true,\"revoked\":false}" : "{\"ok\":true,\"revoked\":true}");
done:
    args_dispose(&a);
}

static void unknown_method(struct http_req *req, struct http_resp *resp)
{
    (void)req;
    sl_error(resp, "unknown_method");
    resp->status = 404;
}

/* ---- OAuth v2: the consent page ---- */

/* An authorize request's parameters, from the query (GET) or the page's
 * hidden fields (POST); borrowed. */
struct authz {
    const char *client_id, *scope, *user_scope, *redirect_uri, *state, *challenge, *method;
};

/* Slack shows authorize errors it cannot redirect on a page of its own. */
static void error_page(struct http_resp *resp, const char *error)
{
    struct buf b;

    buf_init(&b, PAGE_MAX);
    buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                 "<title>Slack (inlet sandbox)</title></head><body>\n<h1>Oops!</h1>\n<p>");
    buf_put_html(&b, error);
    buf_puts(&b, "</p>\n</body></html>\n");
    sb_html(resp, 400, buf_cstr(&b));
    buf_dispose(&b);
}

static void consent_page(struct http_resp *resp, const struct authz *a, const char *user,
                         const char *problem)
{
    struct buf b;

    buf_init(&b, PAGE_MAX);
    buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                 "<title>Sign in | Slack (inlet sandbox)</title></head><body>\n"
                 "<h1>Sign in to " SL_TEAM_NAME "</h1>\n");
    if (problem) {
        buf_puts(&b, "<p class=\"error\" role=\"alert\">");
        buf_put_html(&b, problem);
        buf_puts(&b, "</p>\n");
    }
    buf_puts(&b, "<form method=\"post\" action=\"/oauth/v2/authorize\">\n"
                 "<label for=\"email\">Email</label>\n"
                 "<input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"username\" "
                 "value=\"");
    buf_put_html(&b, user ? user : "");
    buf_puts(&b, "\">\n<label for=\"password\">Password</label>\n"
                 "<input id=\"password\" name=\"password\" type=\"password\" "
                 "autocomplete=\"current-password\">\n");
    sb_hidden_input(&b, "client_id", a->client_id);
    sb_hidden_input(&b, "scope", a->scope);
    sb_hidden_input(&b, "user_scope", a->user_scope);
    sb_hidden_input(&b, "redirect_uri", a->redirect_uri);
    sb_hidden_input(&b, "state", a->state);
    sb_hidden_input(&b, "code_challenge", a->challenge);
    sb_hidden_input(&b, "code_challenge_method", a->method);
    buf_puts(&b, "<p><strong>");
    buf_put_html(&b, a->client_id);
    buf_puts(&b, "</strong> is requesting permission to access the " SL_TEAM_NAME " workspace: ");
    buf_put_html(&b, a->scope && a->scope[0] ? a->scope : SL_DEFAULT_SCOPE);
    buf_puts(&b, "</p>\n<button type=\"submit\" name=\"action\" value=\"allow\">Allow</button>\n"
                 "<button type=\"submit\" name=\"action\" value=\"deny\">Cancel</button>\n"
                 "</form>\n<p>Sandbox test user: <code>" SB_TEST_USER
                 "</code>, password <code>" SB_TEST_PASSWORD "</code>.</p>\n</body></html>\n");
    sb_html(resp, 200, buf_cstr(&b));
    buf_dispose(&b);
}

static bool too_long(const char *s)
{
    return s && strlen(s) >= SB_FIELD_MAX / 2;
}

/* Client and redirect problems go on an error page; true when the request
 * may go on. Any http(s) redirect_uri is accepted: the sandbox cannot know
 * the app's configured one. */
static bool authz_check(const struct sb_provider *p, const struct authz *a, struct http_resp *resp)
{
    if (!a->client_id || strcmp(a->client_id, p->client.id) != 0) {
        error_page(resp, "invalid_client_id");
        return false;
    }
    if (!a->redirect_uri ||
        (strncmp(a->redirect_uri, "https://", 8) != 0 &&
         strncmp(a->redirect_uri, "http://", 7) != 0) ||
        strlen(a->redirect_uri) >= SB_FIELD_MAX) {
        error_page(resp, "bad_redirect_uri");
        return false;
    }
    if (too_long(a->scope) || too_long(a->user_scope) || too_long(a->challenge) ||
        (a->method && a->method[0] && strcmp(a->method, "S256") != 0)) {
        const char *kv[] = {"error", "invalid_scope", "state", a->state};
        sb_redirect(resp, a->redirect_uri, kv, sizeof(kv) / sizeof(kv[0]));
        return false;
    }
    return true;
}

static void authorize_page(struct http_req *req, struct http_resp *resp)
{
    struct sb_provider *p = sb_of(req);
    struct authz a = {
        .client_id = http_req_query(req, "client_id"),
        .scope = http_req_query(req, "scope"),
        .user_scope = http_req_query(req, "user_scope"),
        .redirect_uri = http_req_query(req, "redirect_uri"),
        .state = http_req_query(req, "state"),
        .challenge = http_req_query(req, "code_challenge"),
        .method = http_req_query(req, "code_challenge_method"),
    };

    pthread_mutex_lock(&p->mu);
    p->counters.authorize++;
    pthread_mutex_unlock(&p->mu);
    if (authz_check(p, &a, resp))
        consent_page(resp, &a, NULL, NULL);
}

static void authorize_submit(struct http_req *req, struct http_resp *resp)
{
    struct sb_provider *p = sb_of(req);
    struct form f;
    struct err e;
    char code[SB_TOKEN_MAX], scope[SB_FIELD_MAX];

    if (form_parse(&f, req->body, req->body_len, &e) < 0) {
        error_page(resp, "invalid_form_data");
        goto done;
    }
    struct authz a = {
        .client_id = form_get(&f, "client_id"),
        .scope = form_get(&f, "scope"),
        .user_scope = form_get(&f, "user_scope"),
        .redirect_uri = form_get(&f, "redirect_uri"),
        .state = form_get(&f, "state"),
        .challenge = form_get(&f, "code_challenge"),
        .method = form_get(&f, "code_challenge_method"),
    };
    const char *action = form_get(&f, "action");
    /* Slack's sign-in names the field email; the other emulators' pages,
     * and the browser scripts written for them, say username. */
    const char *user = form_get(&f, "email"), *pass = form_get(&f, "password");
    if (!user)
        user = form_get(&f, "username");

    if (!authz_check(p, &a, resp))
        goto done;
    if (action && strcmp(action, "deny") == 0) {
        const char *kv[] = {"error", "access_denied", "state", a.state};
        sb_redirect(resp, a.redirect_uri, kv, sizeof(kv) / sizeof(kv[0]));
        goto done;
    }
    if (!user || !pass || strcmp(user, SB_TEST_USER) != 0 || strcmp(pass, SB_TEST_PASSWORD) != 0) {
        consent_page(resp, &a, user, "Sorry, you entered an incorrect email address or password.");
        goto done;
    }
    /* The grant store keeps one scope: the bot's, then '|' and the user's. */
    snprintf(scope, sizeof(scope), "%s|%s", a.scope && a.scope[0] ? a.scope : SL_DEFAULT_SCOPE,
             a.user_scope ? a.user_scope : "");
    pthread_mutex_lock(&p->mu);
    sb_code_issue(p, a.client_id, a.redirect_uri, a.challenge ? a.challenge : "", scope,
                  sb_now_ms(), code);
    p->counters.codes++;
    pthread_mutex_unlock(&p->mu);
    {
        const char *kv[] = {"code", code, "state", a.state};
        sb_redirect(resp, a.redirect_uri, kv, sizeof(kv) / sizeof(kv[0]));
    }
done:
    form_dispose(&f);
}

/* ---- OAuth v2: oauth.v2.access ---- */

static void field_copy(char dst[SB_FIELD_MAX], const char *src)
{
    size_t n = src ? strlen(src) : 0;

    dst[0] = '\0';
    if (n < SB_FIELD_MAX)
        memcpy(dst, src ? src : "", n + 1);
}

/* HTTP Basic when present, else client_id and client_secret arguments. */
static void client_credentials(const struct sl_args *a, char id[SB_FIELD_MAX],
                               char secret[SB_FIELD_MAX])
{
    const char *auth = http_req_header(a->req, "Authorization");

    id[0] = secret[0] = '\0';
    if (auth && strncasecmp(auth, "Basic ", 6) == 0) {
        char dec[ENCODE_B64_DECODED_MAX(2 * SB_FIELD_MAX) + 1];
        size_t n = strlen(auth + 6), len;

        if (n <= (size_t)2 * SB_FIELD_MAX &&
            encode_b64_parse(dec, &len, auth + 6, n, NULL, NULL) == 0) {
            dec[len] = '\0';
            char *colon = strchr(dec, ':');
            if (colon) {
                *colon = '\0';
                field_copy(id, dec);
                field_copy(secret, colon + 1);
            }
            secret_wipe(dec, sizeof(dec));
        }
        return;
    }
    field_copy(id, arg(a, "client_id"));
    field_copy(secret, arg(a, "client_secret"));
}

/* The bot install's token response. With rotation the access token expires
 * (expires_in) and a refresh token comes along; without it neither field is
 * sent, as Slack does. */
static void access_reply(struct http_resp *resp, const struct sb_provider *p, const char *access,
                         const char *refresh, const char *scope)
{
    const char *bar = strchr(scope, '|');
    struct buf b;

    buf_init(&b, 8192);
    buf_puts(&b, "{\"ok\":true,\"access_token\":");
    buf_put_json_str(&b, access);
    buf_puts(&b, ",\"token_type\":\"bot\",\"scope\":");
    buf_putc(&b, '"');
    buf_put_jsonesc(&b, scope, bar ? (size_t)(bar - scope) : strlen(scope));
    buf_putc(&b, '"');
    buf_puts(&b, ",\"bot_user_id\":\"" SL_BOT_USER_ID "\",\"app_id\":\"" SL_APP_ID
                 "\",\"team\":{\"name\":\"" SL_TEAM_NAME "\",\"id\":\"" SL_TEAM_ID
                 "\"},\"enterprise\":null,\"authed_user\":{\"id\":\"" SL_AUTHED_USER "\"");
    if (bar && bar[1]) {
        buf_puts(&b, ",\"scope\":");
        buf_put_json_str(&b, bar + 1);
    }
    buf_puts(&b, "},\"is_enterprise_install\":false");
    if (refresh && refresh[0]) {
        buf_printf(&b, ",\"expires_in\":%d,\"refresh_token\":", p->token_ttl_s);
        buf_put_json_str(&b, refresh);
    }
    buf_puts(&b, "}");
    sb_json(resp, 200, buf_cstr(&b));
    buf_dispose(&b);
}

static void grant_code(struct http_resp *resp, struct sb_provider *p, const struct sl_args *a,
                       const char *client_id)
{
    const char *code = arg(a, "code"), *uri = arg(a, "redirect_uri");
    char scope[SB_FIELD_MAX], access[SB_TOKEN_MAX], refresh[SB_TOKEN_MAX];
    enum sb_check c = SB_UNKNOWN;

    refresh[0] = '\0';
    pthread_mutex_lock(&p->mu);
    if (code && code[0])
        c = sb_code_redeem(p, code, client_id, uri ? uri : "", arg(a, "code_verifier"), sb_now_ms(),
                           scope);
    if (c == SB_OK)
        sb_tokens_issue(p, client_id, scope, sb_now_ms(), access,
                        p->rotate_refresh ? refresh : NULL);
    pthread_mutex_unlock(&p->mu);
    if (c == SB_OK)
        access_reply(resp, p, access, refresh, scope);
    else if (c == SB_WRONG_REDIRECT)
        sl_error(resp, "bad_redirect_uri");
    else if (c == SB_BAD_VERIFIER)
        sl_error(resp, "invalid_code_verifier");
    else
        sl_error(resp, "invalid_code");
}

static void grant_refresh(struct http_resp *resp, struct sb_provider *p, const struct sl_args *a,
                          const char *client_id)
{
    const char *refresh = arg(a, "refresh_token");
    char scope[SB_FIELD_MAX], access[SB_TOKEN_MAX], next[SB_TOKEN_MAX];
    enum sb_check c = SB_UNKNOWN;

    next[0] = '\0';
    pthread_mutex_lock(&p->mu);
    if (refresh && refresh[0])
        c = sb_refresh(p, refresh, client_id, sb_now_ms(), access, next, scope);
    pthread_mutex_unlock(&p->mu);
    if (c == SB_OK)
        access_reply(resp, p, access, next[0] ? next : refresh, scope);
    else
        sl_error(resp, "invalid_refresh_token");
}

static void oauth_access(struct http_req *req, struct http_resp *resp)
{
    struct sb_provider *p = sb_of(req);
    struct sl_args a;
    const char *error = NULL, *grant;
    char id[SB_FIELD_MAX], secret[SB_FIELD_MAX];
    bool by_refresh;

    if (!args_load(&a, req, &error)) {
        sl_error(resp, error);
        goto done;
    }
    grant = arg(&a, "grant_type");
    by_refresh = grant && strcmp(grant, "refresh_token") == 0;
    pthread_mutex_lock(&p->mu);
    p->counters.token_code += !by_refresh;
    p->counters.token_refresh += by_refresh;
    pthread_mutex_unlock(&p->mu);
    client_credentials(&a, id, secret);
    if (grant && grant[0] && !by_refresh && strcmp(grant, "authorization_code") != 0)
        sl_error(resp, "invalid_grant_type");
    else if (strcmp(id, p->client.id) != 0)
        sl_error(resp, "invalid_client_id");
    else if (strlen(secret) != strlen(p->client.secret) ||
             !hash_equal(secret, p->client.secret, strlen(secret)))
        sl_error(resp, "bad_client_secret");
    else if (by_refresh)
        grant_refresh(resp, p, &a, id);
    else
        grant_code(resp, p, &a, id);
    secret_wipe(secret, sizeof(secret));
done:
    args_dispose(&a);
}

/* ---- signed event deliveries ---- */

/* POST body to url signed with Slack's v0 scheme under secret at ts;
 * *status (OUT) is the receiver's HTTP status, answer its body. */
static int deliver(long *status, struct buf *answer, const char *url, const char *secret,
                   const char *ts, const char *body, char sig[HASH_SHA256_HEX_LEN + 4],
                   struct err *err)
{
    struct buf base;
    char hex[HASH_SHA256_HEX_LEN + 1], h_ts[64], h_sig[128];
    buf_init(&base, EVENT_MAX + 64);
    buf_printf(&base, "v0:%s:%s", ts, body);
    hash_hmac_sha256_hex(hex, secret, strlen(secret), base.p, base.n);
    buf_dispose(&base);
    snprintf(sig, HASH_SHA256_HEX_LEN + 4, "v0=%s", hex);
    snprintf(h_ts, sizeof(h_ts), "X-Slack-Request-Timestamp: %s", ts);
    snprintf(h_sig, sizeof(h_sig), "X-Slack-Signature: %s", sig);
    const char *headers[] = {h_ts, h_sig,
                             "User-Agent: Slackbot 1.0 (+https://api.slack.com/robots)", NULL};
    return sb_deliver(status, answer, url, headers, body, err);
}

/* POST /_sandbox/slack/events {"url":"http://...","event":{...}}: wrap the
 * event in an event_callback envelope, sign it and POST it to url; the
 * answer carries the receiver's status and body, the event id and the
 * signature. {"url":...,"type":"url_verification"} sends the handshake
 * with a fresh challenge instead. For tests of the receiver's refusals:
 * "secret" signs with another secret, "age_s" dates the delivery that
 * many seconds back (negative: ahead). */
static void events_deliver(struct http_req *req, struct http_resp *resp)
{
    struct sb_provider *p = sb_of(req);
    struct json_object *in = NULL, *event = NULL;
    struct err e;
    const char *url, *type = NULL, *secret = SL_SIGNING_SECRET;
    char ts[24], event_id[32], sig[HASH_SHA256_HEX_LEN + 4];
    struct buf b, answer;
    long status = 0;
    int64_t age = 0;

    buf_init(&answer, 0);
    if (jsonx_parse(&in, req->body, req->body_len, EVENT_MAX, &e) < 0 ||
        !(url = jsonx_str(jsonx_get(in, "url"))) ||
        (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) ||
        (jsonx_has(in, "age_s") && jsonx_as_i64(&age, jsonx_get(in, "age_s"), "age_s", &e) < 0) ||
        (!(type = jsonx_str(jsonx_get(in, "type"))) &&
         !json_object_is_type(event = jsonx_get(in, "event"), json_type_object)) ||
        (type && strcmp(type, "url_verification") != 0)) {
        http_resp_error(resp, 400, "invalid_request",
                        "expected {\"url\":\"http(s)://...\",\"event\":{...}} or"
                        " {\"url\":...,\"type\":\"url_verification\"}",
                        NULL);
        goto done;
    }
    if (jsonx_str(jsonx_get(in, "secret")))
        secret = jsonx_str(jsonx_get(in, "secret"));
    int64_t now_s = sb_now_ms() / 1000 - age;
    pthread_mutex_lock(&p->mu);
    struct sl_state *s = p->state;
    uint64_t n = ++s->events;
    pthread_mutex_unlock(&p->mu);
    snprintf(ts, sizeof(ts), "%" PRId64, now_s);
    snprintf(event_id, sizeof(event_id), "Ev0SBX%08" PRIX64, n);
    buf_init(&b, EVENT_MAX + 1024);
    if (type) {
        buf_printf(&b,
                   "{\"token\":\"" SL_VERIFICATION_TOKEN "\",\"challenge\":\"chl%08" PRIX64
                   "sbx\",\"type\":\"url_verification\"}",
                   n);
    } else {
        buf_puts(&b, "{\"token\":\"" SL_VERIFICATION_TOKEN "\",\"team_id\":\"" SL_TEAM_ID
                     "\",\"api_app_id\":\"" SL_APP_ID "\",\"event\":");
        jsonx_format(&b, event);
        buf_printf(&b, ",\"type\":\"event_callback\",\"event_id\":\"%s\",\"event_time\":%s}",
                   event_id, ts);
    }
    if (deliver(&status, &answer, url, secret, ts, buf_cstr(&b), sig, &e) < 0) {
        http_resp_error(resp, 502, "delivery_failed", e.msg, NULL);
    } else {
        struct buf out;
        buf_init(&out, 0);
        buf_printf(&out,
                   "{\"ok\":true,\"status\":%ld,\"event_id\":\"%s\",\"timestamp\":\"%s\","
                   "\"signature\":\"%s\",\"sent\":",
                   status, event_id, ts, sig);
        buf_put_json_str(&out, buf_cstr(&b));
        buf_puts(&out, ",\"answer\":");
        buf_put_json_str(&out, buf_cstr(&answer));
        buf_putc(&out, '}');
        sb_json(resp, 200, buf_cstr(&out));
        buf_dispose(&out);
    }
    buf_dispose(&b);
done:
    buf_dispose(&answer);
    json_object_put(in);
}

/* ---- the route table ---- */

/* Web API methods take GET with a query or POST with a form or JSON body. */
#define METHOD(name, fn)                                                                           \
    {"GET", "/api/" name, fn, NULL},                                                               \
    {                                                                                              \
        "POST", "/api/" name, fn, NULL                                                             \
    }

const struct http_route sb_slack_routes[] = {
    {"GET", "/oauth/v2/authorize", authorize_page, NULL},
    {"POST", "/oauth/v2/authorize", authorize_submit, NULL},
    METHOD("oauth.v2.access", oauth_access),
    METHOD("auth.revoke", auth_revoke),
    METHOD("auth.test", auth_test),
    METHOD("conversations.list", conversations_list),
    METHOD("conversations.history", conversations_history),
    METHOD("users.list", users_list),
    METHOD("chat.postMessage", chat_post_message),
    METHOD("{method}", unknown_method),
    {"GET", "/_sandbox/counters", sb_control_counters, NULL},
    {"POST", "/_sandbox/slack/events", events_deliver, NULL},
};
const size_t sb_slack_nroutes = sizeof(sb_slack_routes) / sizeof(sb_slack_routes[0]);
