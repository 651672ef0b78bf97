/* tests/unit/http/test_fetch.c - the outbound HTTP client against the
 * Salesforce emulator over real loopback HTTP: answers of any status,
 * headers, a redirect not followed, the body cap, refused connections and
 * timeouts with messages that never show a URL's query or user, answers
 * cut mid-body, and other schemes refused. */
#include <stdio.h>
#include <string.h>

#include "http/fetch.h"
#include "sandbox/sb_test.h"
#include "test.h"

static void answers(void **state)
{
    struct sb_test t;
    struct fetch_resp r;
    struct err e;
    char url[256], v[64];
    (void)state;

    sb_test_start(&t, 3, 0);
    snprintf(url, sizeof(url), "%s/services/data", t.base);
    assert_int_equal(fetch(&r, &(struct fetch_req){.url = url}, &e), 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(buf_cstr(&r.body), "\"version\":\"62.0\""));
    assert_non_null(fetch_header(&r, "content-type", v, sizeof(v)));
    assert_string_equal(v, "application/json");
    assert_null(fetch_header(&r, "X-Nope", v, sizeof(v)));
    fetch_resp_dispose(&r);

    /* A 4xx is an answer, with its body. */
    snprintf(url, sizeof(url), "%s/services/oauth2/token", t.base);
    const char *form = "grant_type=authorization_code&code=nope";
    assert_int_equal(
        fetch(&r,
              &(struct fetch_req){.url = url,
                                  .body = form,
                                  .body_len = strlen(form),
                                  .headers = {"Content-Type: application/x-www-form-urlencoded"}},
              &e),
        0);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(buf_cstr(&r.body), "\"error\""));
    fetch_resp_dispose(&r);

    /* A redirect is returned, not followed. */
    snprintf(url, sizeof(url), "%s/services/oauth2/authorize", t.base);
    form = "response_type=code&client_id=sandbox-salesforce-client&redirect_uri=http://"
           "localhost/cb&username=user@sandbox.inlet.test&password=sandbox&action=allow";
    assert_int_equal(
        fetch(&r, &(struct fetch_req){.url = url, .body = form, .body_len = strlen(form)}, &e), 0);
    assert_int_equal(r.status, 302);
    assert_non_null(fetch_header(&r, "Location", v, sizeof(v)));
    assert_true(strncmp(v, "http://localhost/cb?code=", 25) == 0);
    fetch_resp_dispose(&r);

    /* The body cap. */
    snprintf(url, sizeof(url), "%s/services/data", t.base);
    assert_int_equal(fetch(&r, &(struct fetch_req){.url = url, .body_max = 16}, &e), ERR_TOOBIG);
    fetch_resp_dispose(&r);
    sb_test_stop(&t);
}

static void failures(void **state)
{
    struct sb_test t;
    struct fetch_resp r;
    struct err e;
    char url[256];
    (void)state;

    assert_int_equal(fetch(&r, &(struct fetch_req){.url = "ftp://127.0.0.1/x"}, &e), ERR_INVALID);
    fetch_resp_dispose(&r);

    sb_test_start(&t, 3, 0);
    /* An answer cut mid-body is a failure, not a short success. */
    struct fetch_resp f;
    struct fetch_req set = {.url = url,
                            .method = "POST",
                            .body = "{\"cut_every\":1}",
                            .body_len = 15,
                            .headers = {"Content-Type: application/json"}};
    char furl[256];
    snprintf(furl, sizeof(furl), "%s/_sandbox/faults", t.base);
    set.url = furl;
    assert_int_equal(fetch(&f, &set, &e), 0);
    fetch_resp_dispose(&f);
    snprintf(url, sizeof(url), "%s/services/data/v62.0/limits?token=hush", t.base);
    assert_int_equal(fetch(&r, &(struct fetch_req){.url = url}, &e), ERR_IO);
    assert_null(strstr(e.msg, "hush"));
    fetch_resp_dispose(&r);

    /* A timeout. */
    set.body = "{\"latency_ms\":400}";
    set.body_len = strlen(set.body);
    assert_int_equal(fetch(&f, &set, &e), 0);
    fetch_resp_dispose(&f);
    assert_int_equal(fetch(&r, &(struct fetch_req){.url = url, .timeout_ms = 100}, &e), ERR_IO);
    assert_non_null(strstr(e.msg, "imeout"));
    fetch_resp_dispose(&r);
    int port = sandbox_port(t.sb, SANDBOX_SALESFORCE);
    sb_test_stop(&t);

    /* Nobody listens: the message names the URL without user or query. */
    snprintf(url, sizeof(url), "http://u:pw@127.0.0.1:%d/x?api_key=hush#frag", port);
    assert_int_equal(fetch(&r, &(struct fetch_req){.url = url}, &e), ERR_IO);
    assert_null(strstr(e.msg, "hush"));
    assert_null(strstr(e.msg, "pw"));
    assert_non_null(strstr(e.msg, "http://127.0.0.1:"));
    fetch_resp_dispose(&r);
}

int test_fetch(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(answers),
        cmocka_unit_test(failures),
    };
    return test_group("fetch", tests, NULL, NULL);
}
