/* sandbox/sandbox_int.h - what the emulators share: one struct sb_provider
 * per running provider (its server, its clients, its OAuth grants, its
 * data, its counters), all guarded by one mutex per provider; the OAuth
 * grant store (tokens.c); and the route tables each provider file exports.
 * A handler gets its struct sb_provider as req->app. */
#ifndef INLET_SANDBOX_SANDBOX_INT_H
#define INLET_SANDBOX_SANDBOX_INT_H
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <json-c/json_object.h>

#include "core/buf.h"
#include "http/server.h"
#include "sandbox/sandbox.h"
#include "sandbox/sfdata.h"

/* ---- the OAuth grant store (tokens.c) ---- */

#define SB_TOKEN_MAX  96  /* bytes of a code or token, NUL included */
#define SB_FIELD_MAX  512 /* bytes of a client id, redirect URI, scope, challenge */
#define SB_CODE_TTL_S 600 /* seconds an authorization code lives (single use) */
#define SB_GRANTS_MAX 8192

/* The registered OAuth client of a provider (docs/sandbox.md lists them). */
struct sb_client {
    const char *id;
    const char *secret;
};

/* The documented test user who logs in on the consent page. */
#define SB_TEST_USER     "user@sandbox.inlet.test"
#define SB_TEST_PASSWORD "sandbox"

enum sb_grant_kind { SB_CODE, SB_ACCESS, SB_REFRESH };

/* One code or token. A refresh token and the access tokens issued from it
 * share a family, so revoking the refresh token revokes them too. */
struct sb_grant {
    enum sb_grant_kind kind;
    char value[SB_TOKEN_MAX];
    char client_id[SB_FIELD_MAX];
    char redirect_uri[SB_FIELD_MAX]; /* codes */
    char challenge[SB_FIELD_MAX];    /* codes: the S256 code_challenge, "" when none */
    char scope[SB_FIELD_MAX];
    uint64_t family;
    int64_t expires_ms; /* 0: never */
    bool used;          /* codes: redeemed once already */
    bool revoked;
};

/* The result of checking a token or redeeming a code, mapped by each
 * provider to its own error shape. */
enum sb_check {
    SB_OK = 0,
    SB_UNKNOWN,        /* never issued (or garbage) */
    SB_EXPIRED,        /* issued, past its lifetime */
    SB_REVOKED,        /* revoked, or a code used twice */
    SB_WRONG_CLIENT,   /* issued to another client */
    SB_WRONG_REDIRECT, /* code redeemed with another redirect_uri */
    SB_BAD_VERIFIER,   /* PKCE: verifier missing, or S256(verifier) != challenge */
};

struct sb_grants {
    struct sb_grant *g; /* xcalloc'd, SB_GRANTS_MAX; expired ones are reused */
    size_t n;
    uint64_t next_family;
};

/* ---- a running provider ---- */

struct sb_counters {
    uint64_t authorize;     /* consent pages shown */
    uint64_t codes;         /* codes issued */
    uint64_t token_code;    /* token requests with grant_type=authorization_code */
    uint64_t token_refresh; /* ... with grant_type=refresh_token */
    uint64_t revoke;
    uint64_t data;   /* data API calls that reached the emulator (any outcome) */
    uint64_t faults; /* answers the faults refused, delayed or cut */
};

/* The faults of a provider (faults.c, docs/sandbox.md): what its API
 * calls - every route but the OAuth server's and /_sandbox/ - suffer. The
 * counts are of API calls since the faults were last set. */
struct sb_faults {
    uint32_t rate_limit_every; /* every Nth call: the provider's rate-limit refusal */
    uint32_t retry_after_s;    /* the Retry-After of that refusal */
    uint64_t daily_limit;      /* calls allowed; the ones after get the daily-limit refusal */
    uint32_t error_every;      /* every Nth call starts a burst of 5xx answers */
    uint32_t error_burst;      /* answers in a burst */
    uint32_t error_status;     /* 500-599 */
    uint32_t latency_ms;       /* added to every call */
    uint32_t cut_every;        /* every Nth answer is cut mid-body */
    uint64_t calls;            /* calls seen since set */
    uint32_t burst_left;       /* 5xx answers still due in the current burst */
};

struct sb_provider {
    enum sandbox_provider which;
    struct sandbox *sb;
    struct http_server *http;
    char origin[64];         /* "http://127.0.0.1:8900": its base URL, instance_url */
    struct sb_client client; /* the registered OAuth client */
    /* What its codes and tokens start with, so they look like the real ones. */
    const char *code_prefix, *access_prefix, *refresh_prefix;
    int token_ttl_start_s; /* token_ttl_s as started, restored by a reset */
    bool rotate_start;     /* rotate_refresh as started */
    /* The route table served: the provider's, its API routes behind the
     * fault gate, and the common /_sandbox/ routes; from xcalloc. */
    struct http_route *routes;
    size_t nroutes;
    pthread_mutex_t mu; /* guards everything below */
    int token_ttl_s;
    bool rotate_refresh; /* refresh grants return a new refresh token */
    struct sb_grants grants;
    struct sb_counters counters;
    struct sb_faults faults;
    struct sfdata *sf; /* Salesforce's records; NULL for the others */
    void *state;       /* the other providers' own data (hubspot.c, slack.c) */
    void (*state_free)(void *state);
};

struct sandbox {
    struct sb_provider *p[SANDBOX_PROVIDERS]; /* NULL when not running */
    int64_t now_ms;
    uint64_t seed;
    size_t records;
};

/* All of tokens.c runs with p->mu held by the caller. Values are random
 * (crypto/random), url-safe, with a provider-looking prefix. */

/* Issue a code for client, redirect_uri, challenge ("" when none) and scope. */
void sb_code_issue(struct sb_provider *p, const char *client_id, const char *redirect_uri,
                   const char *challenge, const char *scope, int64_t now_ms,
                   char out[SB_TOKEN_MAX]);
/* Redeem a code once: checks client, redirect_uri and, when the code has a
 * challenge, base64url(SHA-256(verifier)) against it (verifier may be
 * NULL). On SB_OK, scope (OUT) gets the code's scope. A code is spent by
 * its first redemption attempt whatever the outcome, as real servers do. */
enum sb_check sb_code_redeem(struct sb_provider *p, const char *code, const char *client_id,
                             const char *redirect_uri, const char *verifier, int64_t now_ms,
                             char scope[SB_FIELD_MAX]);
/* Issue an access token (expiring after p->token_ttl_s) and, when refresh
 * is non-NULL, a refresh token of a new family. */
void sb_tokens_issue(struct sb_provider *p, const char *client_id, const char *scope,
                     int64_t now_ms, char access[SB_TOKEN_MAX], char *refresh /* NULL or
                     SB_TOKEN_MAX */);
/* Use a refresh token: a new access token of its family; with rotation, a
 * new refresh token too (new_refresh non-NULL) and the old one revoked. */
enum sb_check sb_refresh(struct sb_provider *p, const char *refresh, const char *client_id,
                         int64_t now_ms, char access[SB_TOKEN_MAX], char *new_refresh,
                         char scope[SB_FIELD_MAX]);
/* Check a bearer access token. */
enum sb_check sb_access_check(struct sb_provider *p, const char *access, int64_t now_ms);
/* Revoke a token; a refresh token takes its family's access tokens along.
 * False when it was never issued. */
bool sb_revoke(struct sb_provider *p, const char *token);
/* Expire every access token now (the faults' "tokens that expire early"). */
void sb_expire_access(struct sb_provider *p);
/* Revoke every refresh token, with its family (the faults' "refresh
 * tokens revoked", as when the user removes the app). Returns how many. */
size_t sb_revoke_all_refresh(struct sb_provider *p);
void sb_grants_free(struct sb_grants *g);

/* ---- helpers for handlers (reply.c) ---- */

/* The struct sb_provider of a request, and the clock. */
struct sb_provider *sb_of(const struct http_req *req);
int64_t sb_now_ms(void);

/* Answer with status and a JSON body (text, copied). */
void sb_json(struct http_resp *resp, int status, const char *json);
/* Answer with status and an HTML page (text, copied). */
void sb_html(struct http_resp *resp, int status, const char *html);
/* Append <input type="hidden" name=name value=value> (value escaped; nothing
 * when value is NULL): the consent pages carry the request through the form. */
void sb_hidden_input(struct buf *b, const char *name, const char *value);
/* Answer 302 to uri with n/2 query pairs kv (name, value; a NULL value is
 * left out) appended, with '&' when uri has a query already. Names come
 * from the code; values are percent-encoded. */
void sb_redirect(struct http_resp *resp, const char *uri, const char *const *kv, size_t n);

/* deliver.c: POST body (JSON) to url with headers (NULL-terminated "Name:
 * value" lines, may be NULL) as a provider's webhook would; *status (OUT)
 * is the receiver's HTTP status and answer (may be NULL) gets its body, up
 * to 64 KiB. ERR_IO with libcurl's reason when no answer came. */
MUST_CHECK int sb_deliver(long *status, struct buf *answer, const char *url,
                          const char *const *headers, const char *body, struct err *err);

/* ---- HubSpot (hubspot.c) and Slack (slack.c): each file's route table
 * and the set-up run before its server starts (generate p->state from
 * p->sb->seed, p->sb->records and p->sb->now_ms; set p->state_free). ---- */

extern const struct http_route sb_hubspot_routes[];
extern const size_t sb_hubspot_nroutes;
MUST_CHECK int sb_hubspot_init(struct sb_provider *p, struct err *err);
extern const struct http_route sb_slack_routes[];
extern const size_t sb_slack_nroutes;
MUST_CHECK int sb_slack_init(struct sb_provider *p, struct err *err);

/* ---- Salesforce: the route table is salesforce.c's ---- */

extern const struct http_route sb_salesforce_routes[];
extern const size_t sb_salesforce_nroutes;

/* sf_oauth.c: /services/oauth2/{authorize,token,revoke,userinfo}, /id/{org}/{user}. */
void sf_authorize_page(struct http_req *req, struct http_resp *resp);   /* GET authorize */
void sf_authorize_submit(struct http_req *req, struct http_resp *resp); /* POST authorize */
void sf_token(struct http_req *req, struct http_resp *resp);
void sf_revoke(struct http_req *req, struct http_resp *resp);
void sf_userinfo(struct http_req *req, struct http_resp *resp);
void sf_identity(struct http_req *req, struct http_resp *resp);

/* sf_data.c: /services/data/... */
void sf_versions(struct http_req *req, struct http_resp *resp);
void sf_global_describe(struct http_req *req, struct http_resp *resp);
void sf_describe(struct http_req *req, struct http_resp *resp);
void sf_query(struct http_req *req, struct http_resp *resp);      /* query and queryAll */
void sf_query_more(struct http_req *req, struct http_resp *resp); /* nextRecordsUrl */
void sf_sobject_create(struct http_req *req, struct http_resp *resp);
void sf_sobject_get(struct http_req *req, struct http_resp *resp);
/* GET .../sobjects/{Attachment|Document}/{id}/Body: the file's bytes. */
void sf_blob(struct http_req *req, struct http_resp *resp);
/* GET .../_sandbox/moved?to=URL: 302 to URL (a test of clients that must
 * not follow a redirect with their token). */
void sf_moved(struct http_req *req, struct http_resp *resp);
void sf_sobject_update(struct http_req *req, struct http_resp *resp);
void sf_sobject_delete(struct http_req *req, struct http_resp *resp);
void sf_limits(struct http_req *req, struct http_resp *resp);
/* Drop p's query cursors (nextRecordsUrl state); called when p stops, so
 * that a later provider at the same address inherits none. */
void sf_data_forget(const struct sb_provider *p);

/* control.c: /_sandbox/... (every provider) */
void sb_control_counters(struct http_req *req, struct http_resp *resp);
void sb_control_mutate(struct http_req *req, struct http_resp *resp);
void sb_control_reset(struct http_req *req, struct http_resp *resp); /* POST /_sandbox/reset */
/* Salesforce's GET /_sandbox/schema: {"hidden":{"Contact":["Title"]}}, the
 * fields hidden now (objects and fields in table order). */
void sb_control_schema_show(struct http_req *req, struct http_resp *resp);
/* Salesforce's POST /_sandbox/schema: {"object":NAME,"hide":[...],"show":[...]}
 * or {"reset":true} (docs/sandbox.md); answers as the GET does. */
void sb_control_schema_set(struct http_req *req, struct http_resp *resp);

/* sandbox.c: regenerate p's records from the seed (Salesforce's with no
 * field hidden), zero its counters, clear its faults; grants are kept.
 * Takes p->mu. */
MUST_CHECK int sb_provider_reset(struct sb_provider *p, struct err *err);

/* faults.c */

/* The handler every API route is served through: applies p's faults, then
 * runs the route's own handler (req->route_ctx is that struct http_route
 * when called, and its own ctx when it runs). */
void sb_fault_gate(struct http_req *req, struct http_resp *resp);
/* GET and POST /_sandbox/faults: show, and replace, p's faults. */
void sb_faults_show(struct http_req *req, struct http_resp *resp);
void sb_faults_set(struct http_req *req, struct http_resp *resp);
/* Apply a JSON object of fault settings (docs/sandbox.md) to p, with
 * p->mu held: the fields given replace the faults, the ones absent turn
 * off. ERR_INVALID, naming the field, for an unknown field or a value out
 * of range; p is unchanged then. */
MUST_CHECK int sb_faults_apply(struct sb_provider *p, struct json_object *spec, struct err *err);
/* Parse `inlet sandbox --faults` (name=value,name=value) into a JSON
 * object (OUT, the caller's) for sb_faults_apply. */
MUST_CHECK int sb_faults_parse_flag(struct json_object **out, const char *text, struct err *err);
/* The daily API call limit p reports, and the calls counted against it:
 * the fault's limit and count when one is set, else the provider's own;
 * p->mu held. */
uint64_t sb_daily_max(const struct sb_provider *p, uint64_t dflt);
uint64_t sb_daily_used(const struct sb_provider *p, uint64_t own);

#endif
