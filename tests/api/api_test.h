/* tests/api/api_test.h - the fixture of the API suites: the real server
 * (api_start on a free loopback port) over a real database of each engine,
 * a real vault, the connectors of tests/data/api-connectors plus the
 * built-ins, two tenants with an API key each, and every log line captured
 * to a file so that a test can search it. Requests go through libcurl
 * (tests/unit/http/client.h). Suites run their tests with
 * test_group_db and per-test api_test_setup / api_test_teardown. */
#ifndef INLET_TESTS_API_TEST_H
#define INLET_TESTS_API_TEST_H
#include <stdbool.h>

#include <json-c/json_object.h>

#include "api/api.h"
#include "core/id.h"
#include "http/client.h"
#include "store/tenant.h"
#include "test_db.h"

#define API_TEST_CONNECTORS  "tests/data/api-connectors"
#define API_TEST_CRON_SECRET "cron-secret-for-the-api-tests-0123456789" /* INLET_CRON_SECRET */

struct api_test_tenant {
    char id[ID_MAX];
    char key[TENANT_KEY_TEXT_MAX + 1];
};

struct api_test {
    struct test_db *tdb; /* the group's database */
    struct db_pool *pool;
    struct vault *vault;
    struct registry *reg;
    struct api *api; /* NULL once api_test_stop has run */
    char base[64];   /* "http://127.0.0.1:PORT" */
    struct api_test_tenant a, b;
    char *logdir; /* from test_tmpdir */
    char logpath[512];
    int logfd, oldfd;
};

/* Per-test setup: *state is the group's struct test_db on entry and the
 * struct api_test after. Rate limits off. */
int api_test_setup(void **state);
/* The same without INLET_CRON_SECRET (POST /api/cron is off). */
int api_test_setup_no_cron(void **state);
/* The same with rate limits of 1 request/s and bursts of 3. */
int api_test_setup_limited(void **state);
int api_test_teardown(void **state);

/* Stop the server (requests finish, every log line written) and return
 * the whole log captured since setup (xfree). */
char *api_test_stop(struct api_test *t);

/* One request: method (NULL: GET, or POST with a body), path, Bearer key
 * (NULL: none), body (NULL: none; otherwise sent as application/json), and
 * up to three more "Name: value" header lines (NULL-terminated list, may
 * be NULL). *r is the caller's (client_reply_dispose). */
void api_test_call(struct api_test *t, struct client_reply *r, const char *method, const char *path,
                   const char *key, const char *body, const char *const *headers);

/* The reply's body as JSON (json_object_put); fails the test if it is not. */
struct json_object *api_test_json(const struct client_reply *r);

/* A request by tenant a that must answer status (the test fails with the
 * body otherwise); its JSON body, the caller's to json_object_put. */
struct json_object *api_test_expect(struct api_test *t, const char *method, const char *path,
                                    const char *body, long status);

/* As tenant a, start a sync of integration id with body (POST .../sync,
 * 202) and poll its run until it is neither queued nor running (120 s at
 * most, else the test fails); the run's JSON, json_object_put. */
struct json_object *api_test_sync_wait(struct api_test *t, const char *id, const char *body);

/* One integer from SQL run straight on the database as system code (row
 * security off), printf-style; arg (may be NULL) is bound to $1 when the
 * statement has one. Fails the test on a database error. */
int64_t api_test_sql_int(struct api_test *t, const char *arg, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Fail unless r has status and, in the error shape, code; also checks that
 * message is a non-empty string and details is present. */
void api_test_expect_error(const struct client_reply *r, long status, const char *code);

/* Create an integration from body with key; fails unless 201. id (OUT)
 * gets its id. */
void api_test_create(struct api_test *t, const char *key, const char *body, char id[ID_MAX]);

/* The string member name of the JSON object text s, copied into out;
 * fails the test when it is missing. */
const char *api_test_str(const struct client_reply *r, const char *name, char *out, size_t n);

#endif
