/* tests/unit/sandbox/test_sf_oauth.c - the Salesforce emulator's OAuth 2.0
 * server over real HTTP: the consent page, the code grant with PKCE, the
 * refresh grant, revoke, userinfo and identity, and each error Salesforce
 * gives (shared/providers.md section 1.1). One fresh sandbox per test. */
#include <json-c/json_object.h>
#include <json-c/json_tokener.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/encode.h"
#include "core/form.h"
#include "crypto/hash.h"
#include "sandbox/sb_test.h"
#include "test.h"

#define CLIENT_ID     "sandbox-salesforce-client"
#define CLIENT_SECRET "sandbox-salesforce-secret"
#define REDIRECT      "http://localhost:9/cb"
#define REDIRECT_ENC  "http%3A%2F%2Flocalhost%3A9%2Fcb"
#define REDIRECT_FMT  "http%%3A%%2F%%2Flocalhost%%3A9%%2Fcb" /* in a format */
/* RFC 7636 appendix B. */
#define VERIFIER  "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
#define CHALLENGE "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"

static int setup(void **state)
{
    static struct sb_test t;
    sb_test_start(&t, 0, 0);
    *state = &t;
    return 0;
}

static int teardown(void **state)
{
    sb_test_stop(*state);
    return 0;
}

static void get(struct client_reply *r, const struct sb_test *t, const char *path, const char *auth)
{
    client_call(r, t->base, &(struct client_call){.path = path, .headers = {auth, NULL}});
}

static void post(struct client_reply *r, const struct sb_test *t, const char *path,
                 const char *body, const char *auth)
{
    client_call(r, t->base,
                &(struct client_call){
                    .path = path,
                    .body = body,
                    .body_len = strlen(body),
                    .headers = {"Content-Type: application/x-www-form-urlencoded", auth, NULL},
                });
}

/* The query of the reply's Location header, parsed; false without one. */
static bool location_query(const struct client_reply *r, struct form *f, char *loc, size_t n)
{
    struct err e;
    if (!client_header(r, "Location", loc, n))
        return false;
    const char *q = strchr(loc, '?');
    assert_non_null(q);
    assert_int_equal(form_parse(f, q + 1, strlen(q + 1), &e), 0);
    return true;
}

/* Log the test user in with challenge (NULL: no PKCE) and return the code. */
static void code_get(const struct sb_test *t, const char *challenge, const char *scope,
                     char code[128])
{
    char body[1024], loc[1024];
    struct client_reply r;
    struct form f;

    snprintf(body, sizeof(body),
             "response_type=code&client_id=" CLIENT_ID "&redirect_uri=" REDIRECT_FMT
             "&state=s1&scope=%s&code_challenge=%s&code_challenge_method=%s"
             "&username=user%%40sandbox.inlet.test&password=sandbox&action=allow",
             scope, challenge ? challenge : "", challenge ? "S256" : "");
    post(&r, t, "/services/oauth2/authorize", body, NULL);
    assert_int_equal(r.status, 302);
    assert_true(location_query(&r, &f, loc, sizeof(loc)));
    assert_true(strncmp(loc, REDIRECT "?code=", strlen(REDIRECT "?code=")) == 0);
    assert_string_equal(form_get(&f, "state"), "s1");
    snprintf(code, 128, "%s", form_get(&f, "code"));
    form_dispose(&f);
    client_reply_dispose(&r);
}

/* POST the token endpoint; returns the parsed JSON body (caller puts it). */
static struct json_object *token_call(const struct sb_test *t, const char *body, const char *auth,
                                      long want_status)
{
    struct client_reply r;
    post(&r, t, "/services/oauth2/token", body, auth);
    assert_int_equal(r.status, want_status);
    struct json_object *o = json_tokener_parse(buf_cstr(&r.body));
    assert_non_null(o);
    client_reply_dispose(&r);
    return o;
}

static const char *str_of(struct json_object *o, const char *key)
{
    return json_object_get_string(json_object_object_get(o, key));
}

static void assert_oauth_error(struct json_object *o, const char *error)
{
    assert_string_equal(str_of(o, "error"), error);
    assert_non_null(str_of(o, "error_description"));
    json_object_put(o);
}

static struct json_object *redeem(const struct sb_test *t, const char *code, const char *verifier,
                                  long want)
{
    char body[1024];
    snprintf(body, sizeof(body),
             "grant_type=authorization_code&code=%s&client_id=" CLIENT_ID
             "&client_secret=" CLIENT_SECRET "&redirect_uri=" REDIRECT_FMT "%s%s",
             code, verifier ? "&code_verifier=" : "", verifier ? verifier : "");
    return token_call(t, body, NULL, want);
}

/* Call path with Bearer token and check the status. */
static void bearer_get(const struct sb_test *t, const char *path, const char *token, long want,
                       struct client_reply *r)
{
    char auth[256];
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
    get(r, t, path, auth);
    assert_int_equal(r->status, want);
}

static void assert_session_invalid(const struct sb_test *t, const char *token)
{
    struct client_reply r;
    bearer_get(t, "/services/oauth2/userinfo", token, 401, &r);
    assert_string_equal(
        buf_cstr(&r.body),
        "[{\"message\":\"Session expired or invalid\",\"errorCode\":\"INVALID_SESSION_ID\"}]");
    client_reply_dispose(&r);
}

static void full_flow(void **state)
{
    const struct sb_test *t = *state;
    struct client_reply r;
    char code[128], access[256], mac_in[512], sig[64];
    unsigned char mac[HASH_SHA256_LEN];

    get(&r, t,
        "/services/oauth2/authorize?response_type=code&client_id=" CLIENT_ID
        "&redirect_uri=" REDIRECT_ENC "&state=s1&code_challenge=" CHALLENGE
        "&code_challenge_method=S256&prompt=consent",
        NULL);
    assert_int_equal(r.status, 200);
    const char *page = buf_cstr(&r.body);
    assert_non_null(strstr(page, "<form method=\"post\" action=\"/services/oauth2/authorize\">"));
    assert_non_null(strstr(page, "name=\"username\""));
    assert_non_null(strstr(page, "autocomplete=\"current-password\""));
    assert_non_null(strstr(page, "<label for=\"password\">"));
    assert_non_null(strstr(page, "name=\"code_challenge\" value=\"" CHALLENGE "\""));
    assert_non_null(strstr(page, "value=\"allow\">Allow</button>"));
    assert_non_null(strstr(page, "value=\"deny\">Deny</button>"));
    assert_non_null(strstr(page, "user@sandbox.inlet.test"));
    client_reply_dispose(&r);

    code_get(t, CHALLENGE, "api%20refresh_token", code);
    assert_true(strncmp(code, "aPrx", 4) == 0);
    struct json_object *o = redeem(t, code, VERIFIER, 200);
    assert_true(strncmp(str_of(o, "access_token"), "00D", 3) == 0);
    assert_non_null(strchr(str_of(o, "access_token"), '!'));
    assert_true(strncmp(str_of(o, "refresh_token"), "5Aep", 4) == 0);
    assert_string_equal(str_of(o, "scope"), "api refresh_token");
    assert_string_equal(str_of(o, "instance_url"), t->base);
    assert_true(strncmp(str_of(o, "id"), t->base, strlen(t->base)) == 0);
    assert_string_equal(str_of(o, "token_type"), "Bearer");
    assert_int_equal(json_object_get_type(json_object_object_get(o, "issued_at")),
                     json_type_string);
    assert_null(json_object_object_get(o, "expires_in"));
    assert_int_equal(json_object_object_length(o), 8);
    snprintf(mac_in, sizeof(mac_in), "%s%s", str_of(o, "id"), str_of(o, "issued_at"));
    hash_hmac_sha256(mac, CLIENT_SECRET, strlen(CLIENT_SECRET), mac_in, strlen(mac_in));
    encode_b64_format(sig, mac, sizeof(mac));
    assert_string_equal(str_of(o, "signature"), sig);
    snprintf(access, sizeof(access), "%s", str_of(o, "access_token"));

    bearer_get(t, "/services/oauth2/userinfo", access, 200, &r);
    struct json_object *u = json_tokener_parse(buf_cstr(&r.body));
    assert_string_equal(str_of(u, "sub"), str_of(o, "id"));
    assert_string_equal(str_of(u, "preferred_username"), "user@sandbox.inlet.test");
    assert_true(strncmp(str_of(u, "organization_id"), "00D", 3) == 0);
    assert_true(strncmp(str_of(u, "user_id"), "005", 3) == 0);
    json_object_put(u);
    client_reply_dispose(&r);

    bearer_get(t, str_of(o, "id") + strlen(t->base), access, 200, &r);
    u = json_tokener_parse(buf_cstr(&r.body));
    assert_string_equal(str_of(u, "id"), str_of(o, "id"));
    assert_string_equal(str_of(u, "username"), "user@sandbox.inlet.test");
    json_object_put(u);
    client_reply_dispose(&r);
    json_object_put(o);

    assert_session_invalid(t, "00Dnot-a-token");
}

static void pkce_mismatch(void **state)
{
    char code[128];
    code_get(*state, CHALLENGE, "api", code);
    assert_oauth_error(redeem(*state, code, "wrong-verifier-wrong-verifier-wrong-verifier", 400),
                       "invalid_grant");
}

static void pkce_missing_verifier(void **state)
{
    char code[128];
    code_get(*state, CHALLENGE, "api", code);
    assert_oauth_error(redeem(*state, code, NULL, 400), "invalid_grant");
}

/* A code is spent by its first redemption attempt, even a failed one. */
static void code_single_use(void **state)
{
    char code[128];
    code_get(*state, CHALLENGE, "api", code);
    assert_oauth_error(redeem(*state, code, "nope", 400), "invalid_grant");
    assert_oauth_error(redeem(*state, code, VERIFIER, 400), "invalid_grant");

    code_get(*state, NULL, "api", code);
    json_object_put(redeem(*state, code, NULL, 200));
    struct json_object *o = redeem(*state, code, NULL, 400);
    assert_string_equal(str_of(o, "error_description"), "authentication failure");
    assert_oauth_error(o, "invalid_grant");
    assert_oauth_error(redeem(*state, "aPrxnever-issued", NULL, 400), "invalid_grant");
}

static void redirect_mismatch(void **state)
{
    char code[128];
    code_get(*state, NULL, "api", code);
    char body[512];
    snprintf(body, sizeof(body),
             "grant_type=authorization_code&code=%s&client_id=" CLIENT_ID
             "&client_secret=" CLIENT_SECRET "&redirect_uri=http%%3A%%2F%%2Fevil%%2Fcb",
             code);
    assert_oauth_error(token_call(*state, body, NULL, 400), "redirect_uri_mismatch");
}

static void client_errors(void **state)
{
    char code[128], body[512];
    code_get(*state, NULL, "api", code);
    snprintf(body, sizeof(body),
             "grant_type=authorization_code&code=%s&client_id=" CLIENT_ID
             "&client_secret=wrong&redirect_uri=" REDIRECT_FMT,
             code);
    assert_oauth_error(token_call(*state, body, NULL, 400), "invalid_client");
    snprintf(body, sizeof(body),
             "grant_type=authorization_code&code=%s&client_id=other"
             "&client_secret=" CLIENT_SECRET "&redirect_uri=" REDIRECT_FMT,
             code);
    assert_oauth_error(token_call(*state, body, NULL, 400), "invalid_client_id");
    assert_oauth_error(token_call(*state, "grant_type=password&client_id=" CLIENT_ID, NULL, 400),
                       "unsupported_grant_type");
    assert_oauth_error(token_call(*state,
                                  "grant_type=authorization_code&client_id=" CLIENT_ID
                                  "&client_secret=" CLIENT_SECRET,
                                  NULL, 400),
                       "invalid_request");
    /* Client authentication failed before the code was looked at: still good. */
    json_object_put(redeem(*state, code, NULL, 200));
}

static void basic_auth(void **state)
{
    char code[128], body[512], auth[256], b64[128];
    const char cred[] = CLIENT_ID ":" CLIENT_SECRET;
    encode_b64_format(b64, cred, strlen(cred));
    snprintf(auth, sizeof(auth), "Authorization: Basic %s", b64);
    code_get(*state, NULL, "api", code);
    snprintf(body, sizeof(body), "grant_type=authorization_code&code=%s&redirect_uri=" REDIRECT_FMT,
             code);
    struct json_object *o = token_call(*state, body, auth, 200);
    assert_non_null(str_of(o, "access_token"));
    json_object_put(o);
}

static void unknown_client_page(void **state)
{
    struct client_reply r;
    char loc[256];
    get(&r, *state,
        "/services/oauth2/authorize?response_type=code&client_id=evil&redirect_uri=" REDIRECT_ENC
        "&state=s1",
        NULL);
    assert_int_equal(r.status, 400);
    assert_null(client_header(&r, "Location", loc, sizeof(loc)));
    assert_non_null(strstr(buf_cstr(&r.body), "invalid_client_id"));
    client_reply_dispose(&r);
}

static void deny_and_bad_password(void **state)
{
    struct client_reply r;
    struct form f;
    char loc[512];
    post(&r, *state, "/services/oauth2/authorize",
         "response_type=code&client_id=" CLIENT_ID "&redirect_uri=" REDIRECT_ENC
         "%3Fx%3D1&state=abc&action=deny",
         NULL);
    assert_int_equal(r.status, 302);
    assert_true(location_query(&r, &f, loc, sizeof(loc)));
    assert_string_equal(loc, REDIRECT "?x=1&error=access_denied"
                                      "&error_description=end-user%20denied%20authorization"
                                      "&state=abc");
    assert_string_equal(form_get(&f, "error_description"), "end-user denied authorization");
    form_dispose(&f);
    client_reply_dispose(&r);

    post(&r, *state, "/services/oauth2/authorize",
         "response_type=code&client_id=" CLIENT_ID "&redirect_uri=" REDIRECT_ENC
         "&state=abc&username=user%40sandbox.inlet.test&password=nope&action=allow",
         NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(buf_cstr(&r.body), "Please check your username and password."));
    assert_null(client_header(&r, "Location", loc, sizeof(loc)));
    client_reply_dispose(&r);
}

static void plain_pkce_refused(void **state)
{
    struct client_reply r;
    struct form f;
    char loc[512];
    get(&r, *state,
        "/services/oauth2/authorize?response_type=code&client_id=" CLIENT_ID
        "&redirect_uri=" REDIRECT_ENC "&state=s&code_challenge=" CHALLENGE
        "&code_challenge_method=plain",
        NULL);
    assert_int_equal(r.status, 302);
    assert_true(location_query(&r, &f, loc, sizeof(loc)));
    assert_string_equal(form_get(&f, "error"), "invalid_request");
    assert_string_equal(form_get(&f, "state"), "s");
    form_dispose(&f);
    client_reply_dispose(&r);
}

static void html_escaped(void **state)
{
    struct client_reply r;
    get(&r, *state,
        "/services/oauth2/authorize?response_type=code&client_id=" CLIENT_ID
        "&redirect_uri=" REDIRECT_ENC "&state=%3Cscript%3Ealert(1)%3C%2Fscript%3E%22",
        NULL);
    assert_int_equal(r.status, 200);
    assert_null(strstr(buf_cstr(&r.body), "<script>"));
    assert_non_null(strstr(buf_cstr(&r.body), "&lt;script&gt;alert(1)&lt;/script&gt;&quot;"));
    client_reply_dispose(&r);
}

static struct json_object *code_tokens(const struct sb_test *t)
{
    char code[128];
    code_get(t, NULL, "refresh_token%20api", code);
    return redeem(t, code, NULL, 200);
}

static void refresh_and_revoke(void **state)
{
    const struct sb_test *t = *state;
    struct client_reply r;
    char body[512], access2[256];
    struct json_object *o = code_tokens(t);
    const char *refresh = str_of(o, "refresh_token");

    snprintf(body, sizeof(body),
             "grant_type=refresh_token&refresh_token=%s&client_id=" CLIENT_ID
             "&client_secret=" CLIENT_SECRET,
             refresh);
    struct json_object *n = token_call(t, body, NULL, 200);
    assert_null(json_object_object_get(n, "refresh_token"));
    assert_null(json_object_object_get(n, "expires_in"));
    assert_string_equal(str_of(n, "scope"), "refresh_token api");
    assert_string_not_equal(str_of(n, "access_token"), str_of(o, "access_token"));
    snprintf(access2, sizeof(access2), "%s", str_of(n, "access_token"));
    json_object_put(n);
    bearer_get(t, "/services/oauth2/userinfo", access2, 200, &r);
    client_reply_dispose(&r);

    snprintf(body, sizeof(body), "token=%s", refresh);
    post(&r, t, "/services/oauth2/revoke", body, NULL);
    assert_int_equal(r.status, 200);
    client_reply_dispose(&r);
    assert_session_invalid(t, access2);
    assert_session_invalid(t, str_of(o, "access_token"));
    snprintf(body, sizeof(body),
             "grant_type=refresh_token&refresh_token=%s&client_id=" CLIENT_ID
             "&client_secret=" CLIENT_SECRET,
             refresh);
    assert_oauth_error(token_call(t, body, NULL, 400), "invalid_grant");
    json_object_put(o);

    post(&r, t, "/services/oauth2/revoke", "token=5Aepunknown", NULL);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(buf_cstr(&r.body), "\"invalid_token\""));
    client_reply_dispose(&r);
    post(&r, t, "/services/oauth2/revoke", "", NULL);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(buf_cstr(&r.body), "\"unsupported_token_type\""));
    client_reply_dispose(&r);

    /* GET ?token= revokes an access token alone. */
    o = code_tokens(t);
    snprintf(body, sizeof(body), "/services/oauth2/revoke?token=%s", str_of(o, "access_token"));
    get(&r, t, body, NULL);
    assert_int_equal(r.status, 200);
    client_reply_dispose(&r);
    assert_session_invalid(t, str_of(o, "access_token"));
    json_object_put(o);
}

/* Without refresh_token or offline_access in the scope, no refresh token. */
static void no_refresh_scope(void **state)
{
    char code[128];
    code_get(*state, NULL, "api%20id", code);
    struct json_object *o = redeem(*state, code, NULL, 200);
    assert_null(json_object_object_get(o, "refresh_token"));
    assert_int_equal(json_object_object_length(o), 7);
    json_object_put(o);
}

static void token_expiry(void **state)
{
    (void)state;
    struct sb_test t;
    struct client_reply r;
    char access[256];

    sb_test_start(&t, 0, 1);
    struct json_object *o = code_tokens(&t);
    snprintf(access, sizeof(access), "%s", str_of(o, "access_token"));
    json_object_put(o);
    bearer_get(&t, "/services/oauth2/userinfo", access, 200, &r);
    client_reply_dispose(&r);
    nanosleep(&(struct timespec){.tv_sec = 1, .tv_nsec = 100000000}, NULL);
    assert_session_invalid(&t, access);
    sb_test_stop(&t);
}

int test_sf_oauth(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(full_flow, setup, teardown),
        cmocka_unit_test_setup_teardown(pkce_mismatch, setup, teardown),
        cmocka_unit_test_setup_teardown(pkce_missing_verifier, setup, teardown),
        cmocka_unit_test_setup_teardown(code_single_use, setup, teardown),
        cmocka_unit_test_setup_teardown(redirect_mismatch, setup, teardown),
        cmocka_unit_test_setup_teardown(client_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(basic_auth, setup, teardown),
        cmocka_unit_test_setup_teardown(unknown_client_page, setup, teardown),
        cmocka_unit_test_setup_teardown(deny_and_bad_password, setup, teardown),
        cmocka_unit_test_setup_teardown(plain_pkce_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(html_escaped, setup, teardown),
        cmocka_unit_test_setup_teardown(refresh_and_revoke, setup, teardown),
        cmocka_unit_test_setup_teardown(no_refresh_scope, setup, teardown),
        cmocka_unit_test(token_expiry),
    };
    return test_group("sf_oauth", tests, NULL, NULL);
}
