/* tests/api/oauth_fx.h - what the OAuth suites share: the API fixture
 * (api_test.h) beside one provider emulator, the connector pointed at it,
 * and a browser that signs in, starts a flow, reads and submits the
 * provider's consent form as a person would, and comes back to the
 * callback with its cookies. */
#ifndef INLET_TESTS_OAUTH_FX_H
#define INLET_TESTS_OAUTH_FX_H
#include <stddef.h>
#include <stdint.h>

#include <json-c/json_object.h>

#include "api_test.h"
#include "core/buf.h"
#include "sandbox/sandbox.h"
#include "sandbox/sb_test.h"

#define SF_APP                                                                                     \
    "{\"client_id\":\"sandbox-salesforce-client\",\"client_secret\":\"sandbox-salesforce-"         \
    "secret\"}"

/* A browser: the session cookie, the CSRF token, and the flow cookie. */
struct ofx_browser {
    char session[200];
    char csrf[64];
    char flow_cookie[200]; /* "inlet_oauth_...=nonce", or "" */
};

struct ofx {
    struct api_test *t;
    struct sb_test sb;
    enum sandbox_provider provider;
    const char *connector; /* the connector named after it: "salesforce" */
};

/* Start provider p's emulator (5 records) beside the API of *state (the
 * struct api_test) and send its connector there. */
void ofx_start(struct ofx *f, void **state, enum sandbox_provider p);
/* The same with records records of each object. */
void ofx_start_n(struct ofx *f, void **state, enum sandbox_provider p, size_t records);
void ofx_stop(struct ofx *f);

/* Split an absolute URL into origin (out) and path; returns the path. */
const char *ofx_split(const char *url, char *origin, size_t n);
/* GET an absolute URL with b's cookies (b may be NULL). */
void ofx_browser_get(struct client_reply *r, const struct ofx_browser *b, const char *url);
/* Keep the flow cookie r sets; fails the test when there is none. */
void ofx_keep_flow_cookie(struct ofx_browser *b, const struct client_reply *r);
/* Sign b in with key (POST /api/session). */
void ofx_sign_in(struct ofx *f, struct ofx_browser *b, const char *key);
/* PUT the emulator's client as the tenant's OAuth app (key's tenant). */
void ofx_put_app(struct ofx *f, const char *key);
/* The hidden inputs of a consent page as a form body, with the test user
 * and action appended. */
void ofx_form_of(struct buf *out, const char *html, const char *action);
/* At the provider: open the consent page, submit it with action ("allow"
 * or "deny"); back gets where the provider sends the browser. */
void ofx_consent(const char *authorize_url, const char *action, char *back, size_t n);
/* The query value name of url, percent-decoded; NULL when absent. */
const char *ofx_query_of(const char *url, const char *name, char *out, size_t n);
/* Start a flow from b's session with query; provider gets the consent URL. */
void ofx_start_ui(struct ofx *f, struct ofx_browser *b, const char *query, char *provider,
                  size_t n);
/* Come back from the provider to back with b: the status, and on 302
 * where inlet sends the browser (else the page) into landing. */
long ofx_callback(struct ofx *f, const struct ofx_browser *b, const char *back, char *landing,
                  size_t n);
/* The integration as tenant a sees it (json_object_put). */
struct json_object *ofx_integration(struct ofx *f, const char *id);
/* A counter of the emulator (/_sandbox/counters). */
int64_t ofx_sb_counter(struct ofx *f, const char *name);
/* Connect a new integration named name through the whole flow (tenant a). */
void ofx_connect_new(struct ofx *f, const char *name, char id[ID_MAX]);
/* Set the emulator's faults (POST /_sandbox/faults). */
void ofx_sb_faults(struct ofx *f, const char *spec);
/* POST /api/integrations/{id}/<what> as tenant a. */
void ofx_post_op(struct ofx *f, struct client_reply *r, const char *id, const char *what);
/* GET path as tenant a; fails unless 200 (json_object_put). */
struct json_object *ofx_get_json(struct ofx *f, const char *path);

#endif
