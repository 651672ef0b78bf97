/* tests/unit/sandbox/test_slack.c - the Slack emulator over real HTTP: the
 * OAuth v2 flow and its ok:false errors, the Web API's error envelope,
 * cursor paging of every list (each record exactly once, next_cursor ""
 * at the end), chat.postMessage then conversations.history, auth.revoke,
 * and a signed event delivery checked by a receiver of our own. */
#include <json-c/json_object.h>
#include <json-c/json_tokener.h>
#include <stdio.h>
#include <string.h>

#include "core/form.h"
#include "crypto/hash.h"
#include "http/server.h"
#include "sandbox/sb_test.h"
#include "test.h"

#define CLIENT_ID     "sandbox-slack-client"
#define CLIENT_SECRET "sandbox-slack-secret"
#define REDIRECT_ENC  "http%3A%2F%2Flocalhost%3A9%2Fcb"
#define REDIRECT_FMT  "http%%3A%%2F%%2Flocalhost%%3A9%%2Fcb" /* in a format */
#define RECORDS       250

static int setup(void **state)
{
    static struct sb_test t;
    sb_test_start_provider(&t, SANDBOX_SLACK, RECORDS, 0);
    *state = &t;
    return 0;
}

static int teardown(void **state)
{
    sb_test_stop(*state);
    return 0;
}

/* POST a form (or GET when body is NULL); returns the parsed JSON body. */
static struct json_object *call(const struct sb_test *t, const char *path, const char *body,
                                const char *auth, long want_status)
{
    struct client_reply r;
    client_call(&r, t->base,
                &(struct client_call){
                    .path = path,
                    .body = body,
                    .body_len = body ? strlen(body) : 0,
                    .headers = {"Content-Type: application/x-www-form-urlencoded", auth, NULL},
                });
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

static void assert_error(struct json_object *o, const char *error)
{
    assert_false(json_object_get_boolean(json_object_object_get(o, "ok")));
    assert_string_equal(str_of(o, "error"), error);
    json_object_put(o);
}

/* Log in, allow, and return the code from the redirect. */
static void code_get(const struct sb_test *t, char code[128])
{
    struct client_reply r;
    struct form f;
    struct err e;
    char loc[1024];
    const char *body = "client_id=" CLIENT_ID "&scope=channels%3Aread%2Cchat%3Awrite"
                       "&redirect_uri=" REDIRECT_ENC "&state=s1"
                       "&email=user%40sandbox.inlet.test&password=sandbox&action=allow";

    client_call(&r, t->base,
                &(struct client_call){
                    .path = "/oauth/v2/authorize", .body = body, .body_len = strlen(body)});
    assert_int_equal(r.status, 302);
    assert_non_null(client_header(&r, "Location", loc, sizeof(loc)));
    assert_true(strncmp(loc, "http://localhost:9/cb?code=", 27) == 0);
    assert_int_equal(form_parse(&f, strchr(loc, '?') + 1, strlen(strchr(loc, '?') + 1), &e), 0);
    assert_string_equal(form_get(&f, "state"), "s1");
    snprintf(code, 128, "%s", form_get(&f, "code"));
    form_dispose(&f);
    client_reply_dispose(&r);
}

/* A bot token through the whole flow. */
static void token_get(const struct sb_test *t, char token[128])
{
    char code[128], body[512];

    code_get(t, code);
    snprintf(body, sizeof(body),
             "code=%s&client_id=" CLIENT_ID "&client_secret=" CLIENT_SECRET
             "&redirect_uri=" REDIRECT_FMT,
             code);
    struct json_object *o = call(t, "/api/oauth.v2.access", body, NULL, 200);
    snprintf(token, 128, "%s", str_of(o, "access_token"));
    json_object_put(o);
}

static void oauth_flow(void **state)
{
    const struct sb_test *t = *state;
    struct client_reply r;
    char code[128], body[512];

    client_call(&r, t->base,
                &(struct client_call){.path = "/oauth/v2/authorize?client_id=" CLIENT_ID
                                              "&scope=chat%3Awrite&redirect_uri=" REDIRECT_ENC
                                              "&state=%3Cb%3E"});
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(buf_cstr(&r.body), "value=\"&lt;b&gt;\""));
    assert_null(strstr(buf_cstr(&r.body), "<b>"));
    client_reply_dispose(&r);

    code_get(t, code);
    snprintf(body, sizeof(body), "code=%s&redirect_uri=" REDIRECT_FMT, code);
    struct json_object *o = call(t, "/api/oauth.v2.access", body,
                                 "Authorization: Basic c2FuZGJveC1zbGFjay1jbGllbnQ6c2FuZGJveC1zbG"
                                 "Fjay1zZWNyZXQ=",
                                 200);
    assert_true(json_object_get_boolean(json_object_object_get(o, "ok")));
    assert_true(strncmp(str_of(o, "access_token"), "xoxb-", 5) == 0);
    assert_string_equal(str_of(o, "token_type"), "bot");
    assert_string_equal(str_of(o, "scope"), "channels:read,chat:write");
    assert_string_equal(str_of(o, "bot_user_id"), "U0SBXBOT01");
    assert_string_equal(str_of(json_object_object_get(o, "team"), "id"), "T0SBXTEAM1");
    assert_true(json_object_object_get_ex(o, "enterprise", NULL));
    assert_null(json_object_object_get(o, "enterprise"));
    assert_null(json_object_object_get(o, "refresh_token")); /* rotation is off */
    json_object_put(o);

    /* The code is spent. */
    assert_error(
        call(t, "/api/oauth.v2.access", body,
             "Authorization: Basic c2FuZGJveC1zbGFjay1jbGllbnQ6c2FuZGJveC1zbGFjay1zZWNyZXQ=", 200),
        "invalid_code");
}

static void oauth_errors(void **state)
{
    const struct sb_test *t = *state;
    struct client_reply r;
    char code[128], body[512];

    assert_error(
        call(t, "/api/oauth.v2.access", "code=x&client_id=nobody&client_secret=x", NULL, 200),
        "invalid_client_id");
    assert_error(call(t, "/api/oauth.v2.access",
                      "code=x&client_id=" CLIENT_ID "&client_secret=wrong", NULL, 200),
                 "bad_client_secret");
    assert_error(call(t, "/api/oauth.v2.access",
                      "grant_type=password&client_id=" CLIENT_ID "&client_secret=" CLIENT_SECRET,
                      NULL, 200),
                 "invalid_grant_type");
    assert_error(call(t, "/api/oauth.v2.access",
                      "code=nope&client_id=" CLIENT_ID "&client_secret=" CLIENT_SECRET, NULL, 200),
                 "invalid_code");
    assert_error(call(t, "/api/oauth.v2.access",
                      "grant_type=refresh_token&refresh_token=xoxe-1-x&client_id=" CLIENT_ID
                      "&client_secret=" CLIENT_SECRET,
                      NULL, 200),
                 "invalid_refresh_token");
    code_get(t, code);
    snprintf(body, sizeof(body),
             "code=%s&client_id=" CLIENT_ID "&client_secret=" CLIENT_SECRET
             "&redirect_uri=http%%3A%%2F%%2Fevil.test%%2F",
             code);
    assert_error(call(t, "/api/oauth.v2.access", body, NULL, 200), "bad_redirect_uri");

    /* Deny redirects with access_denied; an unknown client gets a page. */
    const char *deny = "client_id=" CLIENT_ID "&redirect_uri=" REDIRECT_ENC "&state=s2&action=deny";
    client_call(&r, t->base,
                &(struct client_call){
                    .path = "/oauth/v2/authorize", .body = deny, .body_len = strlen(deny)});
    assert_int_equal(r.status, 302);
    char loc[512];
    assert_string_equal(client_header(&r, "Location", loc, sizeof(loc)),
                        "http://localhost:9/cb?error=access_denied&state=s2");
    client_reply_dispose(&r);
    client_call(&r, t->base,
                &(struct client_call){
                    .path = "/oauth/v2/authorize?client_id=x&redirect_uri=" REDIRECT_ENC});
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(buf_cstr(&r.body), "invalid_client_id"));
    client_reply_dispose(&r);
}

static void api_errors_and_revoke(void **state)
{
    const struct sb_test *t = *state;
    char token[128], auth[256], body[256];

    assert_error(call(t, "/api/auth.test", NULL, NULL, 200), "not_authed");
    assert_error(call(t, "/api/auth.test", NULL, "Authorization: Bearer xoxb-nope", 200),
                 "invalid_auth");
    token_get(t, token);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
    struct json_object *o = call(t, "/api/auth.test", NULL, auth, 200);
    assert_true(json_object_get_boolean(json_object_object_get(o, "ok")));
    assert_string_equal(str_of(o, "url"), "https://sandbox-team.slack.com/");
    assert_string_equal(str_of(o, "team_id"), "T0SBXTEAM1");
    assert_string_equal(str_of(o, "user_id"), "U0SBXBOT01");
    assert_string_equal(str_of(o, "bot_id"), "B0SBXBOT01");
    json_object_put(o);
    /* The token as a form field works too. */
    snprintf(body, sizeof(body), "token=%s", token);
    o = call(t, "/api/auth.test", body, NULL, 200);
    assert_true(json_object_get_boolean(json_object_object_get(o, "ok")));
    json_object_put(o);
    assert_error(call(t, "/api/conversations.history?channel=C0FFFFFFFF", NULL, auth, 200),
                 "channel_not_found");
    assert_error(call(t, "/api/conversations.list?cursor=bm9wZQ%3D%3D", NULL, auth, 200),
                 "invalid_cursor");
    assert_error(call(t, "/api/no.such.method", NULL, auth, 404), "unknown_method");

    o = call(t, "/api/auth.revoke?test=true", NULL, auth, 200);
    assert_false(json_object_get_boolean(json_object_object_get(o, "revoked")));
    json_object_put(o);
    o = call(t, "/api/auth.revoke", "", auth, 200);
    assert_true(json_object_get_boolean(json_object_object_get(o, "revoked")));
    json_object_put(o);
    assert_error(call(t, "/api/auth.test", NULL, auth, 200), "token_revoked");
}

/* Page through path with limit; every id once, next_cursor "" at the end. */
static void page_all(const struct sb_test *t, const char *auth, const char *path, const char *key,
                     size_t want, size_t want_pages)
{
    char url[512], cursor[256] = "";
    size_t seen = 0, pages = 0;
    char last[32] = "";

    do {
        snprintf(url, sizeof(url), "%s&cursor=%s", path, cursor);
        struct json_object *o = call(t, url, NULL, auth, 200);
        struct json_object *arr = json_object_object_get(o, key);
        assert_non_null(arr);
        for (size_t i = 0; i < json_object_array_length(arr); i++) {
            const char *id = str_of(json_object_array_get_idx(arr, i), "id");
            assert_true(strcmp(id, last) > 0); /* ascending, so never twice */
            snprintf(last, sizeof(last), "%s", id);
            seen++;
        }
        const char *next = str_of(json_object_object_get(o, "response_metadata"), "next_cursor");
        assert_non_null(next);
        /* base64 may hold '+', '/' and '=': send it encoded. */
        size_t j = 0;
        for (const char *c = next; *c && j + 4 < sizeof(cursor); c++)
            j += (size_t)snprintf(cursor + j, sizeof(cursor) - j,
                                  *c == '+' || *c == '/' || *c == '=' ? "%%%02X" : "%c", *c);
        cursor[j] = '\0';
        json_object_put(o);
        pages++;
    } while (cursor[0]);
    assert_int_equal(seen, want);
    assert_int_equal(pages, want_pages);
}

static void paging(void **state)
{
    const struct sb_test *t = *state;
    char token[128], auth[256];

    token_get(t, token);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
    page_all(t, auth, "/api/users.list?limit=100", "members", RECORDS, 3);
    page_all(t, auth, "/api/conversations.list?limit=60&types=public_channel,private_channel",
             "channels", RECORDS, 5);
    /* The default type is public_channel: every fourth channel is private. */
    page_all(t, auth, "/api/conversations.list?limit=1000", "channels", RECORDS - RECORDS / 4, 1);
    page_all(t, auth, "/api/conversations.list?types=private_channel", "channels", RECORDS / 4, 1);
    page_all(t, auth, "/api/conversations.list?limit=62&types=private_channel", "channels",
             RECORDS / 4, 1);
    page_all(t, auth, "/api/conversations.list?limit=61&types=private_channel", "channels",
             RECORDS / 4, 2);
}

static void post_then_history(void **state)
{
    const struct sb_test *t = *state;
    char token[128], auth[256];
    struct client_reply r;

    token_get(t, token);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
    const char *json = "{\"channel\":\"C000000002\",\"text\":\"hello from inlet\"}";
    client_call(&r, t->base,
                &(struct client_call){.path = "/api/chat.postMessage",
                                      .body = json,
                                      .body_len = strlen(json),
                                      .headers = {"Content-Type: application/json", auth, NULL}});
    assert_int_equal(r.status, 200);
    struct json_object *o = json_tokener_parse(buf_cstr(&r.body));
    client_reply_dispose(&r);
    assert_true(json_object_get_boolean(json_object_object_get(o, "ok")));
    assert_string_equal(str_of(o, "channel"), "C000000002");
    char ts[32];
    snprintf(ts, sizeof(ts), "%s", str_of(o, "ts"));
    assert_string_equal(str_of(json_object_object_get(o, "message"), "text"), "hello from inlet");
    json_object_put(o);
    assert_error(call(t, "/api/chat.postMessage", "channel=C000000002", auth, 200), "no_text");
    assert_error(call(t, "/api/chat.postMessage", "channel=nope&text=x", auth, 200),
                 "channel_not_found");

    /* Newest first, one per page: the post, then the generated three. */
    char url[512], cursor[256] = "";
    size_t n = 0;
    do {
        snprintf(url, sizeof(url),
                 "/api/conversations.history?channel=C000000002&limit=1&cursor=%s", cursor);
        o = call(t, url, NULL, auth, 200);
        struct json_object *m = json_object_object_get(o, "messages");
        assert_int_equal(json_object_array_length(m), 1);
        if (n == 0)
            assert_string_equal(str_of(json_object_array_get_idx(m, 0), "ts"), ts);
        assert_string_equal(str_of(json_object_array_get_idx(m, 0), "type"), "message");
        bool more = json_object_get_boolean(json_object_object_get(o, "has_more"));
        const char *next = str_of(json_object_object_get(o, "response_metadata"), "next_cursor");
        assert_int_equal(more, next[0] != '\0');
        size_t j = 0;
        for (const char *c = next; *c && j + 4 < sizeof(cursor); c++)
            j += (size_t)snprintf(cursor + j, sizeof(cursor) - j,
                                  *c == '+' || *c == '/' || *c == '=' ? "%%%02X" : "%c", *c);
        cursor[j] = '\0';
        json_object_put(o);
        n++;
    } while (cursor[0]);
    assert_int_equal(n, 4);
    /* oldest excludes everything up to the post itself. */
    snprintf(url, sizeof(url), "/api/conversations.history?channel=C000000002&oldest=%s", ts);
    o = call(t, url, NULL, auth, 200);
    assert_int_equal(json_object_array_length(json_object_object_get(o, "messages")), 0);
    json_object_put(o);
}

/* ---- event delivery ---- */

static struct {
    char ts[32], sig[96];
    char body[4096];
} seen;

static void receiver(struct http_req *req, struct http_resp *resp)
{
    const char *ts = http_req_header(req, "X-Slack-Request-Timestamp");
    const char *sig = http_req_header(req, "X-Slack-Signature");
    snprintf(seen.ts, sizeof(seen.ts), "%s", ts ? ts : "");
    snprintf(seen.sig, sizeof(seen.sig), "%s", sig ? sig : "");
    snprintf(seen.body, sizeof(seen.body), "%s", req->body);
    resp->status = 200;
}

static void hmac_vector(void **state)
{
    (void)state;
    const char *body =
        "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id="
        "G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-"
        "collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%"
        "2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121."
        "803a0bc887a14d10d2c447fce8b6703c";
    char base[1024], hex[HASH_SHA256_HEX_LEN + 1];
    const char *secret = "8f742231b10e8888abcd99yyyzzz85a5";
    int n = snprintf(base, sizeof(base), "v0:1531420618:%s", body);
    hash_hmac_sha256_hex(hex, secret, strlen(secret), base, (size_t)n);
    assert_string_equal(hex, "a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503");
}

static void event_delivery(void **state)
{
    const struct sb_test *t = *state;
    static const struct http_route routes[] = {{"POST", "/slack/events", receiver, NULL}};
    struct http_server *srv;
    struct err e;
    char body[512], base[8192], hex[HASH_SHA256_HEX_LEN + 1], want[80];

    assert_int_equal(
        http_server_start(&srv,
                          &(struct http_server_opts){
                              .host = "127.0.0.1", .threads = 1, .routes = routes, .nroutes = 1},
                          &e),
        0);
    snprintf(body, sizeof(body),
             "{\"url\":\"http://127.0.0.1:%d/slack/events\",\"event\":{\"type\":\"message\","
             "\"channel\":\"C000000001\",\"text\":\"hi\"}}",
             http_server_port(srv));
    struct json_object *o = call(t, "/_sandbox/slack/events", body, NULL, 200);
    http_server_stop(srv, 1000);
    assert_int_equal(json_object_get_int(json_object_object_get(o, "status")), 200);
    assert_string_equal(str_of(o, "signature"), seen.sig);
    json_object_put(o);

    int n = snprintf(base, sizeof(base), "v0:%s:%s", seen.ts, seen.body);
    hash_hmac_sha256_hex(hex, "sandbox-slack-signing-secret", 28, base, (size_t)n);
    snprintf(want, sizeof(want), "v0=%s", hex);
    assert_string_equal(seen.sig, want);
    o = json_tokener_parse(seen.body);
    assert_non_null(o);
    assert_string_equal(str_of(o, "type"), "event_callback");
    assert_string_equal(str_of(o, "team_id"), "T0SBXTEAM1");
    assert_true(strncmp(str_of(o, "event_id"), "Ev", 2) == 0);
    assert_string_equal(str_of(json_object_object_get(o, "event"), "text"), "hi");
    json_object_put(o);

    o = call(t, "/_sandbox/slack/events", "{\"url\":\"file:///etc/passwd\",\"event\":{}}", NULL,
             400);
    json_object_put(o);
}

int test_slack(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(oauth_flow, setup, teardown),
        cmocka_unit_test_setup_teardown(oauth_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(api_errors_and_revoke, setup, teardown),
        cmocka_unit_test_setup_teardown(paging, setup, teardown),
        cmocka_unit_test_setup_teardown(post_then_history, setup, teardown),
        cmocka_unit_test(hmac_vector),
        cmocka_unit_test_setup_teardown(event_delivery, setup, teardown),
    };
    return test_group("slack", tests, NULL, NULL);
}
