/* tests/unit/store/test_session.c - web UI sessions on both engines: a
 * session works once made, is stored only as a hash, expires, dies with its
 * API key and when signed out; malformed tokens are refused before the
 * database; the CSRF token is the documented HMAC and checked in constant
 * time. */
#include <string.h>

#include "core/alloc.h"
#include "crypto/hash.h"
#include "store/session.h"
#include "store/tenant.h"
#include "test.h"
#include "test_db.h"

#define NOW 1700000000

/* A tenant and its first key; tenant, key id and (OUT, secret_dispose)
 * the key text. */
static void make_tenant(struct test_db *t, const char *name, char tenant[ID_MAX],
                        char key_id[ID_MAX], struct secret *key)
{
    char tid[ID_MAX];
    struct err e;
    assert_db_ok(tenant_create(tenant, key, t->db, name, &e), &e);
    assert_db_ok(tenant_key_verify(tid, key_id, NULL, t->db, (const char *)key->p, key->n, &e), &e);
}

static void open_session(struct test_db *t, const char *tenant, const char *key_id, int64_t now,
                         struct secret *token, char csrf[SESSION_CSRF_LEN + 1])
{
    struct err e;
    assert_db_ok(db_begin_tenant(t->db, tenant, &e), &e);
    assert_db_ok(session_create(token, csrf, t->db, tenant, key_id, now, &e), &e);
    assert_db_ok(db_commit(t->db, &e), &e);
}

static int verify(struct test_db *t, const struct secret *token, int64_t now, char tenant[ID_MAX],
                  char key_id[ID_MAX], struct err *e)
{
    return session_verify(tenant, key_id, NULL, t->db, (const char *)token->p, token->n, now, e);
}

static void create_then_verify(void **state)
{
    struct test_db *t = *state;
    struct secret key = {0}, token = {0};
    char tenant[ID_MAX], kid[ID_MAX], tid[ID_MAX], kid2[ID_MAX], csrf[SESSION_CSRF_LEN + 1];
    char want[SESSION_CSRF_LEN + 1];
    struct err e;

    make_tenant(t, "sess-basic", tenant, kid, &key);
    open_session(t, tenant, kid, NOW, &token, csrf);
    assert_int_equal(token.n, 52);
    assert_memory_equal(token.p, "inlet_ss_", 9);
    assert_int_equal(strspn((const char *)token.p + 9,
                            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
                     43);
    assert_int_equal(strlen(csrf), SESSION_CSRF_LEN);
    session_csrf(want, (const char *)token.p, token.n);
    assert_string_equal(csrf, want);

    assert_db_ok(verify(t, &token, NOW + 1, tid, kid2, &e), &e);
    assert_string_equal(tid, tenant);
    assert_string_equal(kid2, kid);

    /* Only the hash is stored, with the session's lifetime. */
    char hash[HASH_SHA256_HEX_LEN + 1];
    hash_sha256_hex(hash, token.p, token.n);
    int64_t n = -1;
    assert_db_ok(db_query_int(&n, t->db,
                              "SELECT count(*) FROM sessions WHERE id = $1 AND tenant_id = $2 AND"
                              " api_key_id = $3 AND created_at = $4 AND expires_at = $5",
                              DB_ARGS(DB_TEXT(hash), DB_TEXT(tenant), DB_TEXT(kid), DB_INT(NOW),
                                      DB_INT(NOW + SESSION_TTL)),
                              &e),
                 &e);
    assert_int_equal(n, 1);
    assert_db_ok(db_query_int(&n, t->db,
                              "SELECT count(*) FROM sessions WHERE id = $1 OR tenant_id = $1 OR"
                              " api_key_id = $1",
                              DB_ARGS(DB_TEXT((const char *)token.p)), &e),
                 &e);
    assert_int_equal(n, 0);

    /* Two sessions of one key are two tokens. */
    struct secret token2 = {0};
    char csrf2[SESSION_CSRF_LEN + 1];
    open_session(t, tenant, kid, NOW, &token2, csrf2);
    assert_false(token2.n == token.n && memcmp(token2.p, token.p, token.n) == 0);
    assert_string_not_equal(csrf2, csrf);
    secret_dispose(&token2);
    secret_dispose(&token);
    secret_dispose(&key);
}

static void sessions_expire(void **state)
{
    struct test_db *t = *state;
    struct secret key = {0}, early = {0}, late = {0};
    char tenant[ID_MAX], kid[ID_MAX], tid[ID_MAX], k[ID_MAX], csrf[SESSION_CSRF_LEN + 1];
    struct err e;

    make_tenant(t, "sess-expire", tenant, kid, &key);
    open_session(t, tenant, kid, NOW, &early, csrf);
    open_session(t, tenant, kid, NOW + SESSION_TTL, &late, csrf);
    assert_db_ok(verify(t, &early, NOW + SESSION_TTL - 1, tid, k, &e), &e);
    assert_int_equal(verify(t, &early, NOW + SESSION_TTL, tid, k, &e), ERR_NOTFOUND);
    assert_string_equal(e.msg, "session expired or unknown");
    assert_int_equal(verify(t, &early, NOW + 10 * SESSION_TTL, tid, k, &e), ERR_NOTFOUND);
    assert_db_ok(verify(t, &late, NOW + SESSION_TTL, tid, k, &e), &e);

    /* Signing out of one sweeps the expired ones, whatever token is given. */
    int64_t n = -1;
    assert_db_ok(session_delete(t->db, "nonsense", 8, NOW + SESSION_TTL, &e), &e);
    assert_db_ok(db_query_int(&n, t->db, "SELECT count(*) FROM sessions WHERE tenant_id = $1",
                              DB_ARGS(DB_TEXT(tenant)), &e),
                 &e);
    assert_int_equal(n, 1);
    assert_db_ok(verify(t, &late, NOW + SESSION_TTL + 1, tid, k, &e), &e);
    secret_dispose(&early);
    secret_dispose(&late);
    secret_dispose(&key);
}

static void revoked_key_ends_its_sessions(void **state)
{
    struct test_db *t = *state;
    struct secret key = {0}, key2 = {0}, token = {0}, none = {0};
    char tenant[ID_MAX], kid[ID_MAX], tid[ID_MAX], k[ID_MAX], csrf[SESSION_CSRF_LEN + 1];
    char other[ID_MAX], other_kid[ID_MAX];
    struct secret other_key = {0};
    struct err e;

    make_tenant(t, "sess-revoke", tenant, kid, &key);
    make_tenant(t, "sess-revoke-other", other, other_kid, &other_key);
    open_session(t, tenant, kid, NOW, &token, csrf);
    assert_db_ok(verify(t, &token, NOW, tid, k, &e), &e);
    assert_db_ok(tenant_key_rotate(&key2, t->db, tenant, &e), &e);
    assert_int_equal(verify(t, &token, NOW, tid, k, &e), ERR_NOTFOUND);
    assert_string_equal(e.msg, "session expired or unknown");

    /* A revoked key, or another tenant's, opens no session. */
    assert_int_equal(session_create(&none, csrf, t->db, tenant, kid, NOW, &e), ERR_NOTFOUND);
    assert_string_equal(e.msg, "unknown or revoked API key");
    assert_null(none.p);
    assert_int_equal(session_create(&none, csrf, t->db, tenant, other_kid, NOW, &e), ERR_NOTFOUND);
    assert_null(none.p);
    assert_int_equal(session_create(&none, csrf, t->db, tenant, "key_nosuchkey", NOW, &e),
                     ERR_NOTFOUND);

    /* The new key's session works. */
    char kid2[ID_MAX];
    secret_dispose(&token);
    assert_db_ok(tenant_key_verify(tid, kid2, NULL, t->db, (const char *)key2.p, key2.n, &e), &e);
    open_session(t, tenant, kid2, NOW, &token, csrf);
    assert_db_ok(verify(t, &token, NOW, tid, k, &e), &e);
    assert_string_equal(k, kid2);
    secret_dispose(&token);
    secret_dispose(&key);
    secret_dispose(&key2);
    secret_dispose(&other_key);
}

static void delete_ends_it(void **state)
{
    struct test_db *t = *state;
    struct secret key = {0}, token = {0}, keep = {0};
    char tenant[ID_MAX], kid[ID_MAX], tid[ID_MAX], k[ID_MAX], csrf[SESSION_CSRF_LEN + 1];
    struct err e;

    make_tenant(t, "sess-delete", tenant, kid, &key);
    open_session(t, tenant, kid, NOW, &token, csrf);
    open_session(t, tenant, kid, NOW, &keep, csrf);
    assert_db_ok(db_begin_tenant(t->db, tenant, &e), &e);
    assert_db_ok(session_delete(t->db, (const char *)token.p, token.n, NOW, &e), &e);
    assert_db_ok(db_commit(t->db, &e), &e);
    assert_int_equal(verify(t, &token, NOW, tid, k, &e), ERR_NOTFOUND);
    assert_db_ok(verify(t, &keep, NOW, tid, k, &e), &e); /* only that one */
    /* Ending it again, or one that never was, is no error. */
    assert_db_ok(session_delete(t->db, (const char *)token.p, token.n, NOW, &e), &e);
    char *fake = xstrdup((const char *)token.p);
    fake[20] = fake[20] == 'A' ? 'B' : 'A';
    assert_db_ok(session_delete(t->db, fake, token.n, NOW, &e), &e);
    assert_db_ok(session_delete(t->db, "", 0, NOW, &e), &e);
    xfree(fake);
    secret_dispose(&token);
    secret_dispose(&keep);
    secret_dispose(&key);
}

static void malformed_tokens_refused(void **state)
{
    struct test_db *t = *state;
    struct secret key = {0}, token = {0};
    char tenant[ID_MAX], kid[ID_MAX], tid[ID_MAX], k[ID_MAX], csrf[SESSION_CSRF_LEN + 1];
    char huge[300];
    struct err e;

    make_tenant(t, "sess-malformed", tenant, kid, &key);
    open_session(t, tenant, kid, NOW, &token, csrf);
    const char *tok = (const char *)token.p;

    /* One changed character: well formed, unknown. */
    char *bad = xstrdup(tok);
    bad[token.n - 1] = bad[token.n - 1] == 'A' ? 'B' : 'A';
    assert_int_equal(session_verify(tid, k, NULL, t->db, bad, token.n, NOW, &e), ERR_NOTFOUND);
    assert_string_equal(e.msg, "session expired or unknown");
    assert_null(strstr(e.msg, "inlet_ss_"));
    /* Cut short, or one more character. */
    assert_int_equal(session_verify(tid, k, NULL, t->db, tok, token.n - 1, NOW, &e), ERR_NOTFOUND);
    char *longer = xmalloc(token.n + 2);
    memcpy(longer, tok, token.n);
    memcpy(longer + token.n, "A", 2);
    assert_int_equal(session_verify(tid, k, NULL, t->db, longer, token.n + 1, NOW, &e),
                     ERR_NOTFOUND);
    /* The API key itself is not a session token, nor is its prefix. */
    assert_int_equal(session_verify(tid, k, NULL, t->db, (const char *)key.p, key.n, NOW, &e),
                     ERR_NOTFOUND);
    memcpy(bad, "inlet_sk_", 9);
    assert_int_equal(session_verify(tid, k, NULL, t->db, bad, token.n, NOW, &e), ERR_NOTFOUND);
    const char *junk[] = {"", "inlet_ss_", "Bearer x", "inlet_ss_\x01\x02"};
    for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
        assert_int_equal(session_verify(tid, k, NULL, t->db, junk[i], strlen(junk[i]), NOW, &e),
                         ERR_NOTFOUND);
    assert_int_equal(session_verify(tid, k, NULL, t->db, NULL, 0, NOW, &e), ERR_NOTFOUND);
    memset(huge, 'a', sizeof(huge));
    memcpy(huge, "inlet_ss_", 9);
    assert_int_equal(session_verify(tid, k, NULL, t->db, huge, sizeof(huge), NOW, &e),
                     ERR_NOTFOUND);
    /* A token with a NUL inside never reaches the database as text. */
    char nul[53];
    memcpy(nul, tok, 52);
    nul[30] = '\0';
    assert_int_equal(session_verify(tid, k, NULL, t->db, nul, 52, NOW, &e), ERR_NOTFOUND);
    /* The real one still works. */
    assert_db_ok(session_verify(tid, k, NULL, t->db, tok, token.n, NOW, &e), &e);
    xfree(bad);
    xfree(longer);
    secret_dispose(&token);
    secret_dispose(&key);
}

static void csrf_token(void **state)
{
    (void)state;
    static const char token[] = "inlet_ss_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    char csrf[SESSION_CSRF_LEN + 1];

    /* base64url(HMAC-SHA256(key = token, "inlet-csrf-v1")), unpadded:
     * computed independently with Python's hmac module. */
    session_csrf(csrf, token, strlen(token));
    assert_string_equal(csrf, "-NMEDxz7wb6l_4rlssN7gfgC2OhDzCOy3Iu6TXzz_DQ");
    assert_true(
        session_csrf_ok(token, strlen(token), "-NMEDxz7wb6l_4rlssN7gfgC2OhDzCOy3Iu6TXzz_DQ"));

    char bad[SESSION_CSRF_LEN + 2];
    memcpy(bad, csrf, sizeof(csrf));
    bad[0] = 'X';
    assert_false(session_csrf_ok(token, strlen(token), bad));
    memcpy(bad, csrf, sizeof(csrf));
    bad[SESSION_CSRF_LEN - 1] = bad[SESSION_CSRF_LEN - 1] == 'Q' ? 'R' : 'Q';
    assert_false(session_csrf_ok(token, strlen(token), bad));
    memcpy(bad, csrf, sizeof(csrf));
    memcpy(bad + SESSION_CSRF_LEN, "=", 2); /* padded: not our spelling */
    assert_false(session_csrf_ok(token, strlen(token), bad));
    assert_false(session_csrf_ok(token, strlen(token), ""));
    assert_false(session_csrf_ok(token, strlen(token), NULL));
    assert_false(session_csrf_ok(token, strlen(token) - 1, csrf)); /* another session's */
    char prefix[SESSION_CSRF_LEN];
    memcpy(prefix, csrf, SESSION_CSRF_LEN - 1);
    prefix[SESSION_CSRF_LEN - 1] = '\0';
    assert_false(session_csrf_ok(token, strlen(token), prefix));
}

int test_session(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(create_then_verify),
        cmocka_unit_test(sessions_expire),
        cmocka_unit_test(revoked_key_ends_its_sessions),
        cmocka_unit_test(delete_ends_it),
        cmocka_unit_test(malformed_tokens_refused),
        cmocka_unit_test(csrf_token),
    };
    return test_group_db("session", tests);
}
